// Templated PromQL. Each value is written for where its placeholder sits, so no value can end a string,
// open one, or add to the query:
// - in a "…" or '…' string: escaped for that quote (\, the quote, newlines);
// - in a `…` raw string: as is, and a value holding a backtick (the only thing that ends it) is refused;
// - in the string of a regex matcher (=~ or !~): regex metacharacters escaped first, so `1.2` or `.*` match
//   only themselves;
// - in # comments (which a newline would end): only a plain word or number;
// - anywhere else: glued to a name (`x_{{environment}}_total`) a plain word that continues it; standing alone
//   a number (`* {{weight}}`), a duration (`[{{window}}]`) or a name that is not a PromQL keyword, so a value
//   cannot add an operator (`or`, `unless`, `offset`, `bool`, ...) or turn a range into a subquery (`5m:1s`).
import { PLACEHOLDER } from '../targets/placeholder.ts';
import { TemplateError, type TemplateValues } from '../targets/template.ts';

type Quote = '"' | "'" | '`';

/** For a double-quoted PromQL string: \, " and newlines. */
export function escapePromqlString(value: string, quote: '"' | "'" = '"'): string {
  return value
    .replace(/\\/g, '\\\\')
    .replaceAll(quote, `\\${quote}`)
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r');
}

/** RE2 metacharacters (Go's regexp.QuoteMeta). */
export function escapeRegex(value: string): string {
  return value.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}

const PLAIN = /^[\w.:]+$/;
/** A value standing alone as a token: a number, a duration, or a name (checked against KEYWORDS). */
const NUMBER = /^\d+(?:\.\d+)?(?:e[+-]?\d+)?$/i;
const DURATION = /^(?:\d+(?:ms|[smhdwy]))+$/;
const NAME = /^[A-Za-z_:][\w:]*$/;
/** Words the PromQL lexer reads as keywords (operators, modifiers), not names. */
const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'atan2',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'offset',
  'start',
  'end',
  'step',
  'limitk',
  'limit_ratio',
]);
/** Characters that continue a name: a value beside one is part of that name. */
const NAME_CHAR = /[\w:]/;
const PLACEHOLDER_AT = new RegExp(PLACEHOLDER.source, 'y');

function shown(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 39)}…` : value);
}

/** A value that stands alone in the query (no name character beside its placeholder) and is one token. */
function standsAlone(value: string): boolean {
  if (NUMBER.test(value) || DURATION.test(value)) return true;
  return NAME.test(value) && !KEYWORDS.has(value.toLowerCase());
}

/** The value as written at its place in the query; throws a TemplateError where it cannot be written. */
function written(
  name: string,
  value: string,
  quote: Quote | 'code' | 'comment',
  regex: boolean,
  at: number,
  glued = false,
): string {
  const where = `{{${name}}} (character ${at + 1})`;
  if (quote === 'comment') quote = 'code';
  // Glued to a name or a unit, only name characters: a ':' or '.' there could end one token and start
  // another (rate(x[{{n}}m]) with n = "5m:1" would be the subquery x[5m:1m]).
  else if (quote === 'code' && glued && PLAIN.test(value) && !/^\w+$/.test(value))
    throw new TemplateError(
      `${where} continues a name or a number outside a quoted string, where its value ${shown(value)} holds ':' or '.', which PromQL would read as more than one name (a subquery, a range): only letters, digits and _ can be written there; put it inside double quotes, e.g. label="{{${name}}}"`,
    );
  else if (quote === 'code' && !glued && PLAIN.test(value) && !standsAlone(value))
    throw new TemplateError(
      `${where} stands alone outside a quoted string, where its value ${shown(value)} would be read as PromQL (an operator, a modifier or a subquery), not as a number, a duration or a name: write it inside double quotes, e.g. label="{{${name}}}"`,
    );
  if (quote === 'code') {
    if (PLAIN.test(value)) return value;
    throw new TemplateError(
      `${where} is outside a quoted string, where its value ${shown(value)} would be read as PromQL: write it inside double quotes, e.g. label="{{${name}}}"`,
    );
  }
  const literal = regex ? escapeRegex(value) : value;
  if (quote !== '`') return escapePromqlString(literal, quote);
  if (value.includes('`'))
    throw new TemplateError(
      `${where} is inside a \`…\` string, which its value ${shown(value)} would end: write it inside double quotes`,
    );
  return literal;
}

/** Substitutes values into a PromQL template (see the top of this file). A value-less variable is an error. */
export function renderPromql(template: string, values: TemplateValues): string {
  let out = '';
  let state: Quote | 'code' | 'comment' = 'code';
  let regex = false;
  let i = 0;
  while (i < template.length) {
    PLACEHOLDER_AT.lastIndex = i;
    const match = PLACEHOLDER_AT.exec(template);
    if (match) {
      const name = match[1]!;
      const value = values[name];
      if (value === undefined) throw new TemplateError(`{{${name}}} has no value here`);
      // Beside a name character of the template, the value continues that name (x_{{environment}}_total).
      const glued =
        NAME_CHAR.test(template[i - 1] ?? '') || NAME_CHAR.test(template[i + match[0].length] ?? '');
      out += written(name, value, state, regex, i, glued);
      i += match[0].length;
      continue;
    }
    const c = template[i]!;
    if (state === 'code') {
      if (c === '"' || c === "'" || c === '`') {
        state = c;
        regex = /[=!]~\s*$/.test(template.slice(0, i));
      } else if (c === '#') state = 'comment';
    } else if (state === 'comment') {
      if (c === '\n') state = 'code';
    } else if (state !== '`' && c === '\\') {
      PLACEHOLDER_AT.lastIndex = i + 1;
      const escaped = PLACEHOLDER_AT.exec(template);
      if (escaped)
        throw new TemplateError(
          `{{${escaped[1]}}} (character ${i + 2}) follows a backslash, which would escape its value's first character: remove the backslash`,
        );
      out += template.slice(i, i + 2);
      i += 2;
      continue;
    } else if (c === state) state = 'code';
    out += c;
    i++;
  }
  return out;
}

export { TemplateError };
