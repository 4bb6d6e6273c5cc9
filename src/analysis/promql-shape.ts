// The outer shape of a PromQL expression, read without a parser: enough to tell a scalar (a number,
// `scalar(…)`, `time()`, `pi()`, or arithmetic of only those) and a query that can only return one series (an
// aggregation keeping no label: alert-rules.ts needs no guard against several there) from everything else,
// and never to call a query either when it is not. The analysis reads a scalar
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

/**
 * The index of the line break ending the comment whose `#` is at `at` (or the text's end). PromQL's lexer
 * ends a comment at `\r` as at `\n`: `sum(x) # total\r by (pod)` groups by pod.
 */
function commentEnd(text: string, at: number): number {
  let i = at;
  while (i < text.length && text[i] !== '\n' && text[i] !== '\r') i++;
  return i;
}

/**
 * When a string or a comment starts at `at`: the index of its last character (a string's closing quote, the
 * line break ending a comment, or the text's end). Brackets and commas inside them are no PromQL's.
 */
function stringOrCommentEnd(text: string, at: number): number | undefined {
  const c = text[at];
  if (c === '#') return commentEnd(text, at);
  if (c !== '"' && c !== "'" && c !== '`') return undefined;
  let i = at + 1;
  // A backtick string has no escapes; the others have backslash escapes.
  for (; i < text.length && text[i] !== c; i++) if (c !== '`' && text[i] === '\\') i++;
  return i;
}

/** The index of the first character from `from` that is neither a space nor in a comment (or the end). */
function nextToken(text: string, from: number): number {
  let i = from;
  while (i < text.length) {
    if (text[i] === '#') i = commentEnd(text, i);
    else if (/\s/.test(text[i]!)) i++;
    else break;
  }
  return i;
}

/** The index just past the `)` closing the `(` at `open`, skipping strings and comments; -1 when none. */
function closing(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const skipped = stringOrCommentEnd(text, i);
    const c = text[i]!;
    if (skipped !== undefined) i = skipped;
    else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      depth--;
      if (depth === 0) return c === ')' ? i + 1 : -1;
    }
  }
  return -1;
}

/**
 * What an expression's value is, by its outer shape: a `scalar`; `one-series`, at most one series and with no
 * labels (an aggregation without `by`/`without`, `vector(…)`, `histogram_quantile` of buckets aggregated by
 * `le` alone, parentheses around one, arithmetic or a comparison of those and scalars); or a `vector` of any
 * number of series, as far as the shape tells.
 */
export type OuterShape = 'scalar' | 'one-series' | 'vector';

/** Aggregations that give one series when they keep no label (no `by`, `without`, no parameter). */
const ONE_SERIES_AGGREGATIONS = new Set(['sum', 'min', 'max', 'avg', 'count', 'group', 'stddev', 'stdvar']);

/** A call's arguments: its text split at the commas outside brackets, strings and comments. */
function argumentsOf(inner: string): string[] {
  const args: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < inner.length; i++) {
    const skipped = stringOrCommentEnd(inner, i);
    if (skipped !== undefined) {
      i = skipped;
      continue;
    }
    const c = inner[i]!;
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) {
      args.push(inner.slice(start, i));
      start = i + 1;
    }
  }
  return [...args, inner.slice(start)];
}

/** An aggregation keeping the label `le` alone (`sum by (le) (…)`, `sum(…) by (le)`): one series per bucket. */
function keepsOnlyLe(text: string): boolean {
  const t = text.trim();
  const aggregation = (name: string) => ONE_SERIES_AGGREGATIONS.has(name.toLowerCase());
  const before = /^([A-Za-z]+)\s*by\s*\(\s*le\s*\)\s*\(/i.exec(t);
  if (before) return aggregation(before[1]!) && closing(t, before[0].length - 1) === t.length;
  const after = /^([A-Za-z]+)\s*\(/.exec(t);
  if (!after || !aggregation(after[1]!)) return false;
  const end = closing(t, after[0].length - 1);
  return end > 0 && /^\s*by\s*\(\s*le\s*\)$/i.test(t.slice(end));
}

export function outerShape(text: string): OuterShape {
  let terms = 0;
  let vectors = 0;
  let i = 0;
  /** The index past the call's `)` when `(` is next after `from` (spaces and comments between), else -1. */
  const call = (from: number): number => {
    const open = nextToken(text, from);
    return text[open] !== '(' ? -1 : closing(text, open);
  };
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '#') {
      i = commentEnd(text, i);
      continue;
    }
    if ('+-*/%^=!<>'.includes(c)) {
      i++;
      continue;
    }
    if (c === '(') {
      const end = closing(text, i);
      if (end < 0) return 'vector';
      const inner = outerShape(text.slice(i + 1, end - 1));
      if (inner === 'vector') return 'vector';
      terms++;
      if (inner === 'one-series') vectors++;
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
    if (word === undefined) return 'vector';
    const lower = word.toLowerCase();
    i += word.length;
    if (lower === 'inf' || lower === 'nan') terms++;
    else if (OPERATOR_WORDS.has(lower)) continue;
    else if (word === 'histogram_quantile') {
      // The quantile of buckets aggregated by `le` alone, which it takes away: one series with no label.
      const end = call(i);
      if (end < 0) return 'vector';
      const args = argumentsOf(text.slice(nextToken(text, i) + 1, end - 1));
      if (args.length !== 2 || outerShape(args[0]!) !== 'scalar' || !keepsOnlyLe(args[1]!)) return 'vector';
      terms++;
      vectors++;
      i = end;
    } else if (SCALAR_FUNCTIONS.has(word) || word === 'vector' || ONE_SERIES_AGGREGATIONS.has(lower)) {
      const end = call(i);
      if (end < 0) return 'vector';
      // `sum(x) by (le)`: the clause may follow the call too.
      WORD.lastIndex = nextToken(text, end);
      const next = WORD.exec(text)?.[0].toLowerCase();
      if (next === 'by' || next === 'without') return 'vector';
      terms++;
      if (!SCALAR_FUNCTIONS.has(word)) vectors++;
      i = end;
    } else return 'vector';
  }
  if (terms === 0) return 'vector';
  return vectors === 0 ? 'scalar' : 'one-series';
}

/** Whether the expression's value is a scalar, by its outer shape (see the top of this file). */
export function isScalarExpression(text: string): boolean {
  return outerShape(text) === 'scalar';
}
