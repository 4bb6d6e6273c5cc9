// Arguments that an inline script or a shell function reads as positional parameters. `sh -c '$1' _ {{x}}`,
// `bash -c 'eval "$1"' sh {{x}}`, `f() { $1; }; f {{x}}` and `function f { "$@"; }; f {{x}}` run the value as a
// program or as code although the template stands in an argument: what matters is what the script or the
// function body does with $0, $1, … "$@". So the body is analysed again with its positional parameters holding
// the values of the arguments (held-values.ts), and a refusal there is a refusal of the template that fills
// that argument. Pure.

/** The stand-in template name for the value of the argument at word `index`. */
export function argName(index: number): string {
  return `__arg_${index}`;
}

/** The word index an argName stands for, or undefined. */
export function argIndex(name: string): number | undefined {
  const m = /^__arg_(\d+)$/.exec(name);
  return m ? Number(m[1]) : undefined;
}

/**
 * What each positional parameter of a body holds (`anywhere`: each numbered one may hold any value, as when a
 * function calls itself with its parameters moved): `zero`, the word that is $0 (a -c script's first argument),
 * and `args`, the words that are $1, $2, …, each with whether it holds a value. `"$@"` and `$*` hold them all;
 * after `shift` (or `set`, `getopts`), any numbered parameter may hold any of them.
 */
export function positionalHeld(
  body: string,
  zero: { index: number; value: boolean } | undefined,
  args: ReadonlyArray<{ index: number; value: boolean }>,
  anywhere = false,
): Record<string, string[]> {
  const held: Record<string, string[]> = {};
  const withValue = args.filter((arg) => arg.value).map((arg) => argName(arg.index));
  if (zero?.value) held['0'] = [argName(zero.index)];
  if (withValue.length === 0) return held;
  held['@'] = withValue;
  held['*'] = withValue;
  // ${!#}, the last one (held-values.ts reads it as "#").
  held['#'] = withValue;
  const moves = anywhere || /(^|[^\w$-])(shift|getopts|set)(?![\w-])/.test(body);
  const count = Math.max(args.length, 9);
  for (let n = 1; n <= count; n++) {
    const names = moves ? withValue : args[n - 1]?.value ? [argName(args[n - 1]!.index)] : [];
    if (names.length) held[String(n)] = names;
  }
  return held;
}

/**
 * The word a shell runs as a function, if any: the first word after the prefixes the shell reads itself before
 * a simple command (`time`, `time -p`, `time --`, `!`, `coproc`, assignments), so `time f {{x}}` and
 * `coproc f {{x}}` call f as `f {{x}}` does. A launcher that execs a program (sudo, env, nohup) never runs a
 * shell function, so a word after it is not looked up.
 */
export function functionWord(words: readonly string[]): number {
  let at = 0;
  for (;;) {
    const word = words[at];
    if (word === undefined) return at;
    if (word === '!' || word === 'coproc' || /^[A-Za-z_]\w*(\[[^\]]*\])?\+?=/.test(word)) at++;
    else if (word === 'time') {
      at++;
      while (words[at] === '-p' || words[at] === '--') at++;
    } else return at;
  }
}

/**
 * Whether a word of a shell script, as written (quotes included), is the same text whatever runs: no `$` or
 * backquote outside single quotes, so a `-c` script written so can be read again here. `sh -c "$X" _ {{x}}` or
 * `sh -c "$(…)" _ {{x}}` runs a script known only at run time, which may run its parameters.
 */
export function isLiteralWord(raw: string): boolean {
  let single = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (single) single = c !== "'";
    else if (c === "'") single = true;
    else if (c === '\\') i++;
    else if (c === '$' || c === '`') return false;
  }
  return true;
}

/**
 * The shell functions a script defines (`name() …`, `function name …`, `function name() …`), with their body:
 * the compound command after the header, up to its matching `}` or `)` (quotes and $(…) skipped), or the rest of
 * the script when no end is found (reading too much only makes the check stricter).
 */
export function shellFunctions(script: string): Map<string, string> {
  const found = new Map<string, string>();
  const header =
    /(?:^|[\s;&|(){}])(?:function\s+([A-Za-z_][\w.:-]*)\s*(?:\(\s*\))?|([A-Za-z_][\w.:-]*)\s*\(\s*\))[ \t\n]*/g;
  for (const match of script.matchAll(header)) {
    const name = match[1] ?? match[2]!;
    const start = match.index + match[0].length;
    const body = script.slice(start, bodyEnd(script, start));
    // Two definitions (on two branches): either may run, so both bodies are read.
    found.set(name, found.has(name) ? `${found.get(name)!}\n${body}` : body);
  }
  return found;
}

/** The offset after the compound command starting at `start`: `{ … }`, `( … )`, or the rest of the script. */
function bodyEnd(script: string, start: number): number {
  const open = script[start];
  const close = open === '{' ? '}' : open === '(' ? ')' : undefined;
  if (close === undefined) return script.length;
  let depth = 0;
  let quote: "'" | '"' | undefined;
  for (let i = start; i < script.length; i++) {
    const c = script[i]!;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      continue;
    }
    if (c === '\\') {
      i++;
      continue;
    }
    if (quote === '"') {
      if (c === '"') quote = undefined;
      continue;
    }
    if (c === "'" || c === '"') quote = c;
    else if (c === '$' && (script[i + 1] === '{' || script[i + 1] === '(')) {
      // ${…} and $(…) hold braces and parentheses of their own.
      const opener = script[i + 1]!;
      const closer = opener === '{' ? '}' : ')';
      let nested = 0;
      for (i += 1; i < script.length; i++) {
        if (script[i] === opener) nested++;
        else if (script[i] === closer && --nested === 0) break;
      }
    } else if (c === open) depth++;
    else if (c === close && --depth === 0) return i + 1;
  }
  return script.length;
}

/**
 * A refusal found in the body, rewritten for the template that fills the argument: `{{x}} (character 18) is
 * passed to the script of "sh -c" as $1, and there $1 is in the word naming the program …`.
 */
export function argumentMessage(at: string, where: string, inner: string): string {
  const m = /^(\$\S+) \(character \d+\) holds [^;]*; it(.*)$/s.exec(inner);
  if (m) return `${at} is passed to ${where} as ${m[1]}, and there ${m[1]}${m[2]}`;
  return `${at} is passed to ${where} as an argument, and there: ${inner.replace(/\{\{__arg_\d+\}\}/g, 'it')}`;
}

/** A value passed to an inline script whose text is known only at run time. */
export function unreadScriptMessage(at: string, how: string): string {
  return `${at} is passed as an argument to the script of "${how}", and that script is not written out (it is expanded from a variable or a command substitution at run time), so it may run the value as a program or as code; write the script literally in single quotes (sh -c './deploy.sh -- "$1"' sh ${at})`;
}
