// aws reads an option's argument in its shorthand syntax when the parameter is a structure, a list or a map
// (awscli/shorthand.py): `Key=Value,…` pairs, `[…]` lists, `{…}` maps, quoted values, `\,` for a comma. A value
// in `--environment Variables={VERSION={{v}}}` holding `,LD_PRELOAD=/tmp/x.so` adds a variable to the
// function; in `--filters Name=tag:env,Values={{v}}` a `,` adds another value. An argument whose fixed text
// has that structure around a template is such an argument, and each value in it is checked once rendered to
// hold none of the parser's characters. A template that is the whole argument is left to the rules of its
// option: it is the config's choice to hand the value the whole parameter. Pure.

import { PLACEHOLDER } from './placeholder.ts';

/** Options whose argument is not a parameter in shorthand: a JMESPath query, the output's format. */
const NOT_SHORTHAND = new Set([
  '--query',
  '--output',
  '--cli-input-json',
  '--cli-input-yaml',
  '--generate-cli-skeleton',
]);

/** The characters of shorthand's structure, around a template's text. */
const STRUCTURE = /[=,[\]{}]/;

export interface ShorthandWord {
  index: number;
  option: string;
}

/**
 * The arguments of an aws command (its program word at `at`) written in shorthand with a template inside:
 * `--opt Key={{v}}` or `--opt=Key={{v}}`.
 */
export function awsShorthandWords(words: readonly string[], at: number): ShorthandWord[] {
  const found: ShorthandWord[] = [];
  const template = new RegExp(PLACEHOLDER.source, 'g');
  const isShorthand = (text: string) =>
    new RegExp(PLACEHOLDER.source).test(text) && STRUCTURE.test(text.replace(template, ''));
  for (let k = at + 1; k < words.length; k++) {
    const word = words[k]!;
    if (word === '--') break;
    const attached = /^(--[A-Za-z0-9][\w-]*)=/.exec(word);
    if (attached) {
      if (!NOT_SHORTHAND.has(attached[1]!) && isShorthand(word.slice(attached[0].length)))
        found.push({ index: k, option: attached[1]! });
    } else if (/^--[A-Za-z0-9]/.test(word) && k + 1 < words.length && !words[k + 1]!.startsWith('--')) {
      if (!NOT_SHORTHAND.has(word) && isShorthand(words[k + 1]!)) found.push({ index: k + 1, option: word });
      k++;
    }
  }
  return found;
}

/** The first character of `value` aws's shorthand parser would read as structure, or undefined. */
export function shorthandBreaker(value: string): string | undefined {
  return [...value].find((c) => /[=,[\]{}"'`\\\s]/.test(c) || c.charCodeAt(0) < 0x20 || c === '\x7f');
}

/**
 * Why a value in an aws shorthand argument is refused once rendered, or undefined. Letters, digits and
 * `. _ / @ + : - * # ~ ! ? % & ( ) ; < > ^ |` pass; `,` starts another value or key, `=` a key, `[ ] { }` a list
 * or a map or their end, quotes a quoted value, `\` an escape, and whitespace or a control character ends it.
 */
export function shorthandValueProblem(name: string, value: string, option: string): string | undefined {
  const bad = shorthandBreaker(value);
  if (bad === undefined) return undefined;
  return `{{${name}}} is in the argument of aws ${option}, which aws reads in its shorthand syntax (Key=Value,…, [lists], {maps}), and its value holds ${JSON.stringify(bad)}: it could add keys or values (Variables={…,LD_PRELOAD=…} for a function's environment); a value there may hold no , = [ ] { }, quote, backslash, whitespace nor control character; pass it as JSON (the value in a string), or another way`;
}
