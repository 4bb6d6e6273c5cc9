// The outer shape of a PromQL expression, read without a parser: enough to tell a scalar (a number,
// `scalar(…)`, `time()`, `pi()`, or arithmetic of only those) from everything else. The analysis reads a scalar
// answer as its one number (providers/prometheus.ts), but Prometheus refuses a scalar where an alerting rule
// needs an instant vector: `scalar(x) > 1` ("comparisons between scalars must use BOOL modifier"),
// `absent(time())`. PromQL's types: a number literal is a scalar; so is a call of `scalar`, `time` or `pi`
// (the only functions returning one); parentheses and a unary sign keep their operand's type; a binary
// operation is a scalar only when both sides are. Anything else at the top level (a selector, an aggregation,
// another function, `[…]`, `{…}`, vector matching, a set operator) makes it no scalar.

/** The functions whose value is a scalar (names are case-sensitive; keywords are not). */
const SCALAR_FUNCTIONS = new Set(['scalar', 'time', 'pi']);
/** Keywords between two operands that say nothing of their types. */
const OPERATOR_WORDS = new Set(['bool', 'atan2']);
/** A number: hexadecimal, decimal with an exponent, Inf, NaN, or a duration (`1h30m`, read as seconds). */
const NUMBER = /(?:0x[0-9a-f]+|(?:\d+(?:ms|[smhdwy]))+|(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)(?![\w.])/iy;
const WORD = /[A-Za-z_:][\w:]*/y;

/** The index just past the `)` closing the `(` at `open`, skipping strings and comments; -1 when none. */
function closing(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"' || c === "'" || c === '`') {
      // A backtick string has no escapes; the others have backslash escapes.
      for (i++; i < text.length && text[i] !== c; i++) if (c !== '`' && text[i] === '\\') i++;
    } else if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      depth--;
      if (depth === 0) return c === ')' ? i + 1 : -1;
    }
  }
  return -1;
}

/** Whether the expression's value is a scalar, by its outer shape (see the top of this file). */
export function isScalarExpression(text: string): boolean {
  let terms = 0;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    if ('+-*/%^=!<>'.includes(c)) {
      i++;
      continue;
    }
    if (c === '(') {
      const end = closing(text, i);
      if (end < 0 || !isScalarExpression(text.slice(i + 1, end - 1))) return false;
      terms++;
      i = end;
      continue;
    }
    NUMBER.lastIndex = i;
    const number = NUMBER.exec(text);
    if (number) {
      terms++;
      i += number[0].length;
      continue;
    }
    WORD.lastIndex = i;
    const word = WORD.exec(text)?.[0];
    if (word === undefined) return false;
    const lower = word.toLowerCase();
    i += word.length;
    if (lower === 'inf' || lower === 'nan') terms++;
    else if (OPERATOR_WORDS.has(lower)) continue;
    else if (SCALAR_FUNCTIONS.has(word)) {
      const open = text.slice(i).search(/\S/);
      if (open < 0 || text[i + open] !== '(') return false;
      const end = closing(text, i + open);
      if (end < 0) return false;
      terms++;
      i = end;
    } else return false;
  }
  return terms > 0;
}
