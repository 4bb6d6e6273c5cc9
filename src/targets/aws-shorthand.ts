// aws reads an option's argument in its shorthand syntax when the parameter is a structure, a list or a map
// (awscli/shorthand.py): `Key=Value,…` pairs, `[…]` lists, `{…}` maps, quoted values, `\,` for a comma. A value
// in `--environment Variables={VERSION={{v}}}` holding `,LD_PRELOAD=/tmp/x.so` adds a variable to the
// function; in `--filters Name=tag:env,Values={{v}}` a `,` adds another value. An argument starting with a key
// and `=` (`Key=…`, the key letters and digits, or a template) or with `{`/`[` around a template is such an
// argument, and each value in it is checked once rendered to hold none of the parser's characters. A list
// parameter takes every word up to the next option (`--parameters ParameterKey=A,ParameterValue=1
// ParameterKey=B,ParameterValue={{v}}`), each read alike. A template that is the whole argument is left to the
// rules of its option: it is the config's choice to hand the value the whole parameter; and an option whose
// argument is a string or a blob (`--message`, `--description`, `--value`…: SCALAR) is read by aws as it is.
// Pure.

import { awsOperands } from './deploy-sources.ts';
import { PLACEHOLDER } from './placeholder.ts';

/** Options whose argument is not a parameter in shorthand: a JMESPath query, the output's format. */
const NOT_SHORTHAND = new Set([
  '--query',
  '--output',
  '--cli-input-json',
  '--cli-input-yaml',
  '--generate-cli-skeleton',
]);

/**
 * Options whose argument is a string or a blob in the operations they are common in (the AWS CLI reference), so
 * aws never reads it in shorthand: `--message "Deployed {{v}}, see PR"` (sns publish), `--description "{{v}}
 * (sha=abc)"`, `--value title={{v}}` (ssm put-parameter) hold any text. Each names the services where the same
 * option is a structure, which stay read as shorthand: ses send-email's `--message Subject={…},Body={…}`, ec2
 * modify-*-attribute's `--description Value=…`. cloudformation deploy's `--parameter-overrides KEY=VALUE …`
 * splits each word at its first `=` and reads no further structure.
 */
const SCALAR: ReadonlyMap<string, readonly string[]> = new Map([
  ['--message', ['ses']],
  ['--description', ['ec2']],
  ...[
    ...['--subject', '--value', '--comment', '--name', '--payload', '--body', '--message-body'],
    ...['--commit-message', '--secret-string', '--template-body', '--reason', '--parameter-overrides'],
  ].map((option): [string, readonly string[]] => [option, []]),
]);

export interface ShorthandWord {
  index: number;
  option: string;
}

/** Whether an argument is written in shorthand around a template: `Key=…` (or `{{k}}=…`), `{…}` or `[…]`. */
function isShorthand(text: string): boolean {
  if (!new RegExp(PLACEHOLDER.source).test(text)) return false;
  const masked = text.replace(new RegExp(PLACEHOLDER.source, 'g'), '\uE000');
  return /^\s*(?:[A-Za-z0-9_.:-]|\uE000)+\s*=/.test(masked) || /^\s*[{[]/.test(masked);
}

/**
 * The arguments of an aws command (its program word at `at`) written in shorthand with a template inside:
 * `--opt Key={{v}}`, `--opt=Key={{v}}`, and each word of a list after its option (`--opt A=1 B={{v}}`).
 */
export function awsShorthandWords(words: readonly string[], at: number): ShorthandWord[] {
  const found: ShorthandWord[] = [];
  const service = words[awsOperands(words, at + 1)[0] ?? -1];
  const reads = (option: string) =>
    !NOT_SHORTHAND.has(option) && !(SCALAR.get(option)?.includes(service ?? '') === false);
  for (let k = at + 1; k < words.length; k++) {
    const word = words[k]!;
    if (word === '--') break;
    const attached = /^(--[A-Za-z0-9][\w-]*)=/.exec(word);
    if (attached) {
      // --opt=VALUE is one argument (argparse takes no further word for it).
      if (reads(attached[1]!) && isShorthand(word.slice(attached[0].length)))
        found.push({ index: k, option: attached[1]! });
    } else if (/^--[A-Za-z0-9]/.test(word))
      // A list parameter takes every word up to the next option (nargs '+'), each an item read in shorthand.
      for (; k + 1 < words.length && !words[k + 1]!.startsWith('--'); k++)
        if (reads(word) && isShorthand(words[k + 1]!)) found.push({ index: k + 1, option: word });
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
