// helm's --set, --set-string, --set-file and --set-json parse their argument: `,` separates assignments, `=`
// ends a key, `key[0]=` and `{a,b}` write lists, `\` escapes. So a value `1,securityContext.privileged=true` in
// `helm upgrade app ./chart --set image.tag={{v}}` sets another key of the chart. Such an argument stays allowed
// (the most common deploy command there is), and each value in it is checked when the command runs to hold
// none of those characters; --set-literal takes the rest of its argument as it is, and --set-file's value is a
// path helm reads, which a value must not choose. Pure.

/** The options whose argument helm splits into assignments, and --set-file (whose values are file paths). */
const PARSED = new Set(['--set', '--set-string', '--set-json', '--set-file']);

/**
 * Characters helm's parser reads in a value of a --set argument: `,` ends the value (and starts another
 * assignment), `\\` escapes, and a value that starts with `{` is a list. `=`, `[` and `]` inside a value are
 * read as they are (base64's padding `dGVzdA==` is a value like any other).
 */
const SPECIAL = [',', '\\'];

export interface HelmSetWord {
  option: string;
  /** The index of the word holding `key=value…` (the option's own word when attached: `--set=k=v`). */
  index: number;
}

/** The --set arguments of a helm command whose program word is `at`. */
export function helmSetWords(words: readonly string[], at: number): HelmSetWord[] {
  const found: HelmSetWord[] = [];
  for (let j = at + 1; j < words.length; j++) {
    const word = words[j]!;
    if (word === '--') break;
    const attached = /^(--set(?:-string|-json|-file)?)=/.exec(word);
    if (attached && PARSED.has(attached[1]!)) found.push({ option: attached[1]!, index: j });
    else if (PARSED.has(word) && j + 1 < words.length) found.push({ option: word, index: ++j });
  }
  return found;
}

/** The key a --set argument assigns around `offset` (the text before the `=` of its assignment). */
export function helmKeyAt(argument: string, offset: number): string {
  const body = argument.replace(/^--set(?:-string|-json|-file)?=/, '');
  const shift = argument.length - body.length;
  const start = body.lastIndexOf(',', offset - shift) + 1;
  const eq = body.indexOf('=', start);
  return eq < 0 ? body.slice(start) : body.slice(start, eq);
}

/**
 * Whether `offset` in a --set argument is in the key of its assignment (before that assignment's `=`): a
 * value there would choose which key of the chart is set (`--set {{k}}=true` with securityContext.privileged).
 */
export function helmInKey(argument: string, offset: number): boolean {
  const body = argument.replace(/^--set(?:-string|-json|-file)?=/, '');
  const at = offset - (argument.length - body.length);
  const start = body.lastIndexOf(',', at - 1) + 1;
  const eq = body.indexOf('=', start);
  return eq < 0 || at < eq;
}

/** The message for a template in the key of a --set assignment. */
export function helmSetKeyMessage(name: string, option: string): string {
  return `{{${name}}} is in the key of an assignment of helm ${option} (before its "="): its value would choose which key of the chart is set (securityContext.privileged, image.repository…); write the key without a template, and the template after its "="`;
}

/** Why a value inside a helm --set argument is refused once rendered, if it is. */
export function helmSetValueProblem(
  name: string,
  value: string,
  option: string,
  key: string,
): string | undefined {
  // --set-json's value is JSON: a quote or a bracket could end a string or an object and add keys.
  const special = option === '--set-json' ? [...SPECIAL, '"', '{', '}', '[', ']'] : SPECIAL;
  const found = special.find((c) => value.includes(c)) ?? (value.startsWith('{') ? '{' : undefined);
  if (found === undefined) return undefined;
  return `{{${name}}} is in the argument of helm ${option} for the key ${key}, and its value holds "${found}", which helm's ${option} parser reads (a "," ends the value and starts another assignment, "\\" escapes, a leading "{" writes a list; in --set-json a quote or bracket ends JSON's string or object): the value could set other keys of the chart; use a value without it, or --set-literal ${key}=… which takes the value as it is`;
}

/** The message for a template in the argument of --set-file, whose values are paths helm reads. */
export function helmSetFileMessage(name: string): string {
  return `{{${name}}} is in the argument of helm --set-file, whose value is the path of a file helm reads into the chart's values: the value would choose which file is read (a secret among them); use a fixed path, or --set-string key=… for the value itself`;
}
