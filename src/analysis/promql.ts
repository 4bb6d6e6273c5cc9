// Templated PromQL. Each value is written for where its placeholder sits, so no value can end a string,
// open one, or add to the query:
// - in a "…" or '…' string: escaped for that quote (\, the quote, newlines);
// - in a `…` raw string: as is, and a value holding a backtick (the only thing that ends it) is refused;
// - in the string of a regex matcher (=~ or !~): regex metacharacters escaped first, so `1.2` or `.*` match
//   only themselves;
// - anywhere else (and in # comments, which a newline would end): only a plain word or number (weight="25").
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
const PLACEHOLDER_AT = new RegExp(PLACEHOLDER.source, 'y');

function shown(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 39)}…` : value);
}

/** The value as written at its place in the query; throws a TemplateError where it cannot be written. */
function written(name: string, value: string, quote: Quote | 'code', regex: boolean, at: number): string {
  const where = `{{${name}}} (character ${at + 1})`;
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
      out += written(name, value, state === 'comment' ? 'code' : state, regex, i);
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
