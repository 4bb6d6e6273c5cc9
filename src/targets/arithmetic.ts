// Where bash evaluates text as an arithmetic expression, and what such text reads. bash evaluates a variable
// named in an expression by evaluating its value as an expression in turn, and runs the command substitutions
// of an indexed array's subscript there: a value that reaches arithmetic runs code (x='a[$(id)]'; then
// [[ $x -eq 1 ]], $((x)), let n=x, ${arr[$x]}, declare -i n=$x and unset 'arr[$x]' all run id). Pure.

/** A part of a script that bash evaluates as an arithmetic expression: offsets into the script. */
export interface ArithmeticPart {
  start: number;
  end: number;
  /** What evaluates it, for messages: `let`, `the subscript of the array a`, … */
  where: string;
}

/** A variable an expression reads: `$v`, `${v}`, `$1`, or a bare name (`v`, `arr[…]`). */
export interface ArithmeticName {
  name: string;
  start: number;
  end: number;
  /** As written: `$v`, `${v}` or `v`. */
  spelled: string;
}

const ARITHMETIC_COMPARISONS = new Set(['-eq', '-ne', '-lt', '-le', '-gt', '-ge']);

/**
 * The variables an expression (`text`, at `offset` in the script) reads. Every name counts, whatever quotes
 * are around it: bash removes them before it evaluates, and `unset 'a[$v]'` expands $v inside the subscript.
 * A name after `#` is a digit of a number in that base (16#ff), and one after a digit is part of a number
 * (0x1f); neither is a variable.
 */
export function arithmeticNames(text: string, offset: number): ArithmeticName[] {
  const names: ArithmeticName[] = [];
  // $# and ${#v} are counts, always numbers.
  for (const m of text.matchAll(/\$(?:([A-Za-z_]\w*|[0-9@*])|\{([A-Za-z_]\w*|[0-9]+|[@*])(?=[}[:#%/^,@-]))/g))
    names.push({
      name: m[1] ?? m[2]!,
      start: offset + m.index,
      end: offset + m.index + m[0].length,
      spelled: m[0],
    });
  for (const m of text.matchAll(/(?<![\w$#{.}])[A-Za-z_]\w*/g))
    names.push({ name: m[0], start: offset + m.index, end: offset + m.index + m[0].length, spelled: m[0] });
  return names.sort((a, b) => a.start - b.start);
}

/** The end of the bracketed text that starts after `open` (its `[`, `(` or `{`), or -1 when it does not close. */
function closing(text: string, open: number): number {
  const pairs: Record<string, string> = { '[': ']', '(': ')', '{': '}' };
  const stack: string[] = [];
  for (let k = open; k < text.length; k++) {
    const c = text[k]!;
    if (c === '\\') k++;
    else if (c in pairs) stack.push(pairs[c]!);
    else if (c === stack.at(-1)) {
      stack.pop();
      if (stack.length === 0) return k;
    }
  }
  return -1;
}

/**
 * The arithmetic inside the ${…} of a word (`raw`, at `offset`): an indexed array's subscript (${a[$i]},
 * ${#a[$i]}, ${!a[$i]}), not an associative array's (`associative`, declare -A) nor [@] and [*]; and the
 * offset and length of a substring (${s:$o:$n}, ${a[@]:$o}), not the words of ${v:-…}, ${v:=…}, ${v:+…},
 * ${v:?…}.
 */
export function expansionArithmetic(
  raw: string,
  offset: number,
  associative: ReadonlySet<string>,
): ArithmeticPart[] {
  const parts: ArithmeticPart[] = [];
  for (const m of raw.matchAll(/\$\{[#!]?([A-Za-z_]\w*|[0-9]+|[@*])/g)) {
    const name = m[1]!;
    let k = m.index + m[0].length;
    if (raw[k] === '[') {
      const end = closing(raw, k);
      if (end < 0) continue;
      const subscript = raw.slice(k + 1, end);
      if (!associative.has(name) && subscript !== '@' && subscript !== '*')
        parts.push({ start: offset + k + 1, end: offset + end, where: `the subscript of the array ${name}` });
      k = end + 1;
    }
    if (raw[k] === ':' && !/[-=+?]/.test(raw[k + 1] ?? '')) {
      const end = closing(raw, m.index + 1);
      if (end < 0) continue;
      parts.push({
        start: offset + k + 1,
        end: offset + end,
        where: `the offset and length of \${${name}:…}`,
      });
    }
  }
  return parts;
}

/**
 * The arithmetic of text the shell expands as a double-quoted word is (a line of an unquoted here-document):
 * $((…)), $[…], and the subscripts and offsets of its ${…}.
 */
export function expandedArithmetic(
  text: string,
  offset: number,
  associative: ReadonlySet<string>,
): ArithmeticPart[] {
  const parts = expansionArithmetic(text, offset, associative);
  for (const m of text.matchAll(/\$(\(\(|\[)/g)) {
    const open = m.index + 1;
    const end = closing(text, open);
    if (end < 0) continue;
    const inner = m[1] === '((' ? { start: open + 2, end: end - 1 } : { start: open + 1, end };
    parts.push({
      start: offset + inner.start,
      end: offset + inner.end,
      where: m[1] === '((' ? '$((…))' : '$[…]',
    });
  }
  return parts;
}

/**
 * The subscript of a variable named with one, `a[…]`, by an assignment (a[$i]=v, a[$i]+=v) or a builtin's
 * operand (unset 'a[$i]', printf -v 'a[$i]', read 'a[$i]', [[ -v a[$i] ]], declare 'a[$i]=v'), and those of a
 * compound assignment's elements (a=([$i]=v)): bash evaluates them all as expressions, an associative array's
 * excepted.
 */
export function namedSubscripts(
  raw: string,
  offset: number,
  associative: ReadonlySet<string>,
): ArithmeticPart[] {
  const unquoted = raw.replace(/^['"]/, '');
  const skip = raw.length - unquoted.length;
  const head = /^([A-Za-z_]\w*)\[/.exec(unquoted);
  const parts: ArithmeticPart[] = [];
  if (head) {
    const name = head[1]!;
    const open = skip + name.length;
    const end = closing(raw, open);
    const subscript = end < 0 ? '' : raw.slice(open + 1, end);
    if (end >= 0 && !associative.has(name) && subscript !== '@' && subscript !== '*')
      parts.push({
        start: offset + open + 1,
        end: offset + end,
        where: `the subscript of the array ${name}`,
      });
  }
  const compound = /^([A-Za-z_]\w*)\+?=\(/.exec(unquoted);
  if (compound && !associative.has(compound[1]!)) {
    const body = skip + compound[0].length;
    for (const m of raw.slice(body).matchAll(/(?:^|[\s(])\[/g)) {
      const open = body + m.index + m[0].length - 1;
      const end = closing(raw, open);
      if (end >= 0 && raw[end + 1] === '=')
        parts.push({
          start: offset + open + 1,
          end: offset + end,
          where: `the subscript of the array ${compound[1]}`,
        });
    }
  }
  return parts;
}

/** Builtins whose operands name variables, which may be array elements with a subscript (unset 'a[$i]'). */
const NAMING_BUILTINS = new Set([
  ...['unset', 'read', 'printf', 'declare', 'local', 'export', 'readonly', 'typeset', 'getopts', 'wait'],
  ...['mapfile', 'readarray', 'test', '[', '[[', 'let'],
]);

/**
 * The parts of one simple command's words (`texts`, as the program reads them, and `raws`, as written at
 * `starts`) that bash evaluates as expressions: every operand of let, both sides of [[ … -eq … ]] (-ne, -lt,
 * -le, -gt, -ge), the value of an assignment to an integer variable (`integers`: declare -i, local -i,
 * typeset -i, readonly -i, and declare -i's own assignments), and the subscripts of the variables the command
 * names or assigns.
 */
export function commandArithmetic(
  texts: readonly string[],
  raws: readonly string[],
  starts: readonly number[],
  integers: { has(name: string): boolean },
  associative: ReadonlySet<string>,
  /** How many leading words are assignments before the program (v=… cmd, or v=… alone). */
  assignments: number,
): ArithmeticPart[] {
  const parts: ArithmeticPart[] = [];
  const whole = (k: number, where: string) =>
    parts.push({ start: starts[k]!, end: starts[k]! + raws[k]!.length, where });
  const value = (k: number, where: string) => {
    const at = raws[k]!.indexOf('=');
    if (at >= 0) parts.push({ start: starts[k]! + at + 1, end: starts[k]! + raws[k]!.length, where });
  };
  const assigned = (k: number) => /^([A-Za-z_]\w*)(?:\[[^\]]*\])?\+?=/.exec(texts[k]!)?.[1];
  for (let k = 0; k < assignments; k++) {
    parts.push(...namedSubscripts(raws[k]!, starts[k]!, associative));
    const name = assigned(k);
    if (name !== undefined && integers.has(name)) value(k, `the value of ${name}, an integer variable`);
  }
  const at = commandAt(texts, assignments);
  const program = texts[at];
  if (program === undefined) return parts;
  const operands = texts.map((_, k) => k).slice(at + 1);
  if (program === 'let') for (const k of operands) whole(k, 'let');
  if (program === '[[')
    for (const k of operands)
      if (ARITHMETIC_COMPARISONS.has(texts[k]!)) {
        if (k - 1 > at) whole(k - 1, `[[ … ${texts[k]} … ]]`);
        if (k + 1 < texts.length && texts[k + 1] !== ']]') whole(k + 1, `[[ … ${texts[k]} … ]]`);
      }
  const declaration = ['declare', 'local', 'typeset', 'readonly', 'export'].includes(program);
  const integerOption = declaration && operands.some((k) => /^-\w*i/.test(texts[k]!));
  if (declaration)
    for (const k of operands) {
      const name = assigned(k);
      if (name !== undefined && (integerOption || integers.has(name)))
        value(k, `the value of ${name}, an integer variable`);
    }
  // declare -A m=([k]=v): an associative array's subscripts are strings.
  const associativeOption = declaration && operands.some((k) => /^-\w*A/.test(texts[k]!));
  if (NAMING_BUILTINS.has(program) && !associativeOption)
    for (const k of operands) parts.push(...namedSubscripts(raws[k]!, starts[k]!, associative));
  return parts;
}

/** Words that run the command after them in this shell (time -p, builtin, command, coproc, !, exec). */
const PREFIXES = new Set(['builtin', 'command', 'time', 'coproc', '!', 'exec', 'nohup']);

/**
 * The index of the builtin or program a simple command runs, from `from` (after its assignments): past `builtin
 * let …`, `command -p declare …`, `time -p [[ … ]]`, whose word after is run as written.
 */
export function commandAt(texts: readonly string[], from: number): number {
  let at = from;
  while (at < texts.length && PREFIXES.has(texts[at]!)) {
    const prefix = texts[at]!;
    at++;
    if (prefix === 'time' || prefix === 'command' || prefix === 'exec')
      while (at < texts.length && /^-[A-Za-z]+$/.test(texts[at]!)) at++;
  }
  return at;
}

/** bash's own variables that evaluate what is assigned to them as an expression. */
const SHELL_INTEGERS = ['OPTIND', 'RANDOM', 'SRANDOM', 'HISTCMD'];

/** The names a word of a declaration may declare: a{1,2} is a1 and a2; a name bash builds otherwise is unknown. */
function declaredNames(word: string): { names: string[]; unknown: boolean } {
  const unquoted = word.replace(/['"\\]/g, '');
  const name = /^[^=+[]*/.exec(unquoted)![0];
  if (/^[A-Za-z_]\w*$/.test(name)) return { names: [name], unknown: false };
  const brace = /^([A-Za-z_]\w*)?\{([\w,]+)\}(\w*)$/.exec(name);
  if (brace) {
    const names = brace[2]!.split(',').map((part) => `${brace[1] ?? ''}${part}${brace[3]}`);
    if (names.every((n) => /^[A-Za-z_]\w*$/.test(n))) return { names, unknown: false };
  }
  return { names: [], unknown: name.length > 0 && !name.startsWith('-') };
}

/**
 * The variables a script declares integer (declare/typeset/local/readonly -i NAME: every assignment to them is
 * evaluated as an expression), wherever it does: one declared in a function or a branch may be so when another
 * part assigns it; and bash's own (OPTIND, RANDOM, …). `allIntegers`: a declaration names one this cannot read
 * (declare -i "$n"), so any may be. (Associative arrays are tracked along the script in shell-script.ts.)
 */
export function declaredAttributes(script: string): { integers: Set<string>; allIntegers: boolean } {
  const integers = new Set<string>(SHELL_INTEGERS);
  let allIntegers = false;
  const namerefs = new Map<string, string[]>();
  // A line continuation is a blank; a declaration inside quotes (eval 'declare -i n', bash -c '…') counts too.
  const text = script.replace(/\\\n/g, ' ');
  for (const m of text.matchAll(
    /(?:^|[\s;&|(){}'"`])(?:declare|typeset|local|readonly|export)((?:\s+(?:[-+][A-Za-z]+|--))+)((?:\s+[^\s;&|()<>`]+)*)/g,
  )) {
    const flags = m[1]!.split(/\s+/).filter((f) => /^[-+][A-Za-z]/.test(f));
    const integer = flags.some((f) => f.startsWith('-') && f.includes('i'));
    const nameref = flags.some((f) => f.startsWith('-') && f.includes('n'));
    for (const word of m[2]!.trim().split(/\s+/)) {
      const { names, unknown } = declaredNames(word);
      if (integer) {
        for (const name of names) integers.add(name);
        if (unknown) allIntegers = true;
      }
      const target = /=['"]?([A-Za-z_]\w*)/.exec(word)?.[1];
      if (nameref && target !== undefined)
        for (const name of names) namerefs.set(name, [...(namerefs.get(name) ?? []), target]);
    }
  }
  // declare -n r=n; declare -i r: the attribute is n's.
  for (const [name, targets] of namerefs) if (integers.has(name)) for (const t of targets) integers.add(t);
  return { integers, allIntegers };
}
