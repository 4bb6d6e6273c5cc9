// Why and where a JSON report does not parse, in words that quote none of it. JSON.parse's own message
// quotes the characters around the error (`Unexpected token 'N', ..."Secret":ghp_Q7w9Er"... is not valid
// JSON`), and a report may hold secrets (a gitleaks report holds nothing else), so the message is rebuilt:
// what JSON.parse expected, at a line and column. Its "Unexpected token" message has no position at all;
// then the text is scanned for the first place that is not JSON.

/** JSON.parse's description and position, without its excerpt: `Expected ',' or '}' after property value`. */
const POSITIONED = /^(.*?) in JSON at position (\d+)/;

/**
 * What is wrong with `text`, which JSON.parse refused with `error` (`origin`: where `text` starts in its
 * file, when it is one value cut out of a stream of them): `Expected ':' after property name at
 * line 3, column 12`, `unexpected "N" at line 1, column 215`, or that it ends early.
 */
export function jsonSyntaxProblem(
  error: unknown,
  text: string,
  origin: { line: number; column: number } = { line: 1, column: 1 },
): string {
  const message = error instanceof Error ? error.message : '';
  if (/end of JSON input/i.test(message)) return 'it ends before the JSON does: truncated?';
  const positioned = POSITIONED.exec(message);
  const at = positioned ? Number(positioned[2]) : jsonErrorOffset(text);
  if (at === undefined) return 'not valid JSON';
  // Where the text ends, what it lacks is the rest: a string, a value, a closing bracket.
  if (at >= text.trimEnd().length) return 'it ends before the JSON does: truncated?';
  if (positioned) return `${positioned[1]} at ${lineAndColumn(text, at, origin)}`;
  // The character where the text stops being JSON (JSON.parse's token may be a later one: "}" in `tru}`).
  return `unexpected ${JSON.stringify(String.fromCodePoint(text.codePointAt(at)!))} at ${lineAndColumn(text, at, origin)}`;
}

function lineAndColumn(text: string, offset: number, origin: { line: number; column: number }): string {
  const before = text.slice(0, offset);
  const lines = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n') + (lines === 1 ? origin.column - 1 : 0);
  return `line ${origin.line + lines - 1}, column ${column}`;
}

const SCALAR = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y;

/**
 * The offset of the first character of `text` that is not JSON (text.length when it ends early), or
 * undefined when it is JSON. One pass with an explicit stack: a report nested 100,000 deep is read too.
 */
export function jsonErrorOffset(text: string): number | undefined {
  const stack: Array<'[' | '{'> = [];
  let i = 0;
  const space = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const string = (): boolean => {
    i++;
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return true;
      }
      if (c < 0x20) return false;
      if (c !== 0x5c) i++;
      else if (text[i + 1] === 'u') {
        if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return false;
        i += 6;
      } else if (text[i + 1] !== undefined && '"\\/bfnrt'.includes(text[i + 1]!)) i += 2;
      else return false;
    }
    return false;
  };
  // An object's key and its colon; false where they are not.
  const key = (): boolean => {
    space();
    if (text[i] !== '"' || !string()) return false;
    space();
    if (text[i] !== ':') return false;
    i++;
    return true;
  };
  let value = true;
  for (;;) {
    space();
    if (value) {
      const c = text[i];
      if (c === '[' || c === '{') {
        stack.push(c);
        i++;
        space();
        if (text[i] === (c === '[' ? ']' : '}')) {
          i++;
          stack.pop();
          value = false;
        } else if (c === '{' && !key()) return i;
        continue;
      }
      if (c === '"') {
        if (!string()) return i;
      } else {
        SCALAR.lastIndex = i;
        if (!SCALAR.test(text)) return i;
        i = SCALAR.lastIndex;
      }
      value = false;
      continue;
    }
    const top = stack.at(-1);
    if (top === undefined) return i < text.length ? i : undefined;
    if (text[i] === ',') {
      i++;
      if (top === '{' && !key()) return i;
      value = true;
    } else if (text[i] === (top === '[' ? ']' : '}')) {
      i++;
      stack.pop();
    } else return i;
  }
}
