// Where an unquoted here-document's body runs commands. bash expands $(…) and `…` in such a body, and either
// may span lines: what is written inside one is shell code (a value there would be split into words, the first
// naming the program that runs), while the text around it is only expanded. A template or a variable holding
// one is safe in the text, not inside a substitution. The body's substitutions are not parsed as a script is,
// so this tells only where one is open, and answers "inside" where it cannot tell.

/**
 * For each character of `body`, an unquoted here-document's body, whether it is inside a command substitution
 * ($(…), $((…)) or `…`), or at or after a point where that cannot be told (a comment, a case pattern, a
 * here-document or an unterminated quote inside one): 1 there, 0 in the body's plain text.
 */
export function bodySubstitutions(body: string): Uint8Array {
  // $\<newline>( opens a substitution: the body is read joined, each mark given back to the characters it came
  // from.
  const { joined, origin } = joinedBody(body);
  const marks = joinedSubstitutions(joined);
  const inside = new Uint8Array(body.length);
  for (let j = 0; j < joined.length; j++)
    // A dropped \<newline> counts as the character after it.
    if (marks[j] === 1) inside.fill(1, j === 0 ? 0 : origin[j - 1]! + 1, origin[j]! + 1);
  if (joined.length > 0 && marks[joined.length - 1] === 1) inside.fill(1, origin.at(-1)!);
  return inside;
}

/**
 * An unquoted here-document's body as bash expands it: each \<newline> dropped, inside quotes too (\\ is one
 * backslash, so \\<newline> is no continuation), with the index in `body` each character of `joined` came from.
 */
export function joinedBody(body: string): { joined: string; origin: number[] } {
  const origin: number[] = [];
  let joined = '';
  for (let k = 0; k < body.length; k++) {
    if (body[k] === '\\' && body[k + 1] === '\n') {
      k++;
      continue;
    }
    joined += body[k];
    origin.push(k);
    if (body[k] === '\\' && k + 1 < body.length) {
      joined += body[++k];
      origin.push(k);
    }
  }
  return { joined, origin };
}

/** bodySubstitutions for a body with no \<newline> left. */
function joinedSubstitutions(body: string): Uint8Array {
  const inside = new Uint8Array(body.length);
  // The count of plain ( open inside each $( still open, innermost last.
  const open: number[] = [];
  let backtick = false;
  const unknownFrom = (k: number) => {
    inside.fill(1, k);
    return inside;
  };
  for (let k = 0; k < body.length; k++) {
    const c = body[k]!;
    const within = backtick || open.length > 0;
    if (within) inside[k] = 1;
    // The body's \$, \` and \\ are literal; inside a substitution a backslash quotes the next character too.
    if (c === '\\') {
      if (within && k + 1 < body.length) inside[k + 1] = 1;
      k++;
      continue;
    }
    // A backquoted substitution ends at the next unescaped backquote, whatever is between.
    if (backtick) {
      if (c === '`') backtick = false;
      continue;
    }
    if (c === '`') {
      backtick = true;
      continue;
    }
    if (c === '$' && body[k + 1] === '(') {
      open.push(0);
      inside[k + 1] = 1;
      k++;
      continue;
    }
    // Outside every substitution the body's quotes and parentheses are plain text.
    if (open.length === 0) continue;
    const wordStart = k === 0 || /[\s;&|()]/.test(body[k - 1]!);
    let close = k;
    if (c === '(') open[open.length - 1]!++;
    else if (c === ')') {
      if (open.at(-1) === 0) open.pop();
      else open[open.length - 1]!--;
    } else if (c === '$' && body[k + 1] === "'") {
      // $'…' takes \' as a quote inside it: $'\')' holds the ), which does not close the substitution.
      close = ansiQuoteEnd(body, k + 2);
      if (close < 0) return unknownFrom(k);
    } else if (c === "'") {
      close = body.indexOf("'", k + 1);
      if (close < 0) return unknownFrom(k);
    } else if (c === '"') {
      close = doubleQuoteEnd(body, k + 1);
      // A substitution inside the quotes has parentheses of its own: not followed here.
      if (close < 0 || /\$\(|`/.test(body.slice(k + 1, close))) return unknownFrom(k);
    } else if (c === '$' && body[k + 1] === '{') {
      close = body.indexOf('}', k + 2);
      if (close < 0 || /[()'"`]/.test(body.slice(k + 2, close))) return unknownFrom(k);
    } else if (wordStart && (c === '#' || /^case\b/.test(body.slice(k, k + 5)))) return unknownFrom(k);
    else if (c === '<' && body[k + 1] === '<') return unknownFrom(k);
    inside.fill(1, k, close + 1);
    k = close;
  }
  return inside;
}

/** The index of the ' closing an ANSI-C quoted string ($'…') whose text starts at `from`, or -1. */
function ansiQuoteEnd(text: string, from: number): number {
  for (let k = from; k < text.length; k++) {
    if (text[k] === '\\') k++;
    else if (text[k] === "'") return k;
  }
  return -1;
}

/** The index of the " closing a double-quoted string whose text starts at `from`, or -1. */
function doubleQuoteEnd(text: string, from: number): number {
  for (let k = from; k < text.length; k++) {
    if (text[k] === '\\') k++;
    else if (text[k] === '"') return k;
  }
  return -1;
}

/** Where the body of a here-document starting at `start` ends: the start of its delimiter line, or the script's end. */
export function heredocBodyEnd(
  script: string,
  start: number,
  doc: { delimiter: string; stripTabs: boolean },
): number {
  for (let at = start; at < script.length;) {
    const newline = script.indexOf('\n', at);
    const lineEnd = newline === -1 ? script.length : newline;
    const line = script.slice(at, lineEnd);
    if ((doc.stripTabs ? line.replace(/^\t+/, '') : line) === doc.delimiter) return at;
    at = lineEnd + 1;
  }
  return script.length;
}
