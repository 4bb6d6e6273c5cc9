// What the body of an inline script (sh -c '…' sh ARGS) is run with: the positional parameters its call fixes,
// and bash-only syntax in it when sh (dash) runs it. Used by the reading of a script and by the argv checks alike.
import { programName } from './programs.ts';

/**
 * The positional parameters of a body that hold a fixed word of its call, by number (`sh -c '"$1" "$2"' sh
 * ./deploy.sh {{x}}`: 1 is ./deploy.sh), unless the body moves them (shift, getopts, set). `literal`: the fixed
 * word at an index of the call, or undefined.
 */
export function positionalFixed(
  body: string,
  args: ReadonlyArray<{ index: number; value: boolean }>,
  literal: (index: number) => string | undefined,
): Record<string, string> {
  const fixed: Record<string, string> = {};
  if (/(^|[^\w$-])(shift|getopts|set)(?![\w-])/.test(body)) return fixed;
  args.forEach((arg, k) => {
    const text = arg.value ? undefined : literal(arg.index);
    if (text !== undefined) fixed[String(k + 1)] = text;
  });
  return fixed;
}

/**
 * The bash-only syntax of an inline script run by `shell` when that is sh, dash, ash or posh: sh is dash on
 * Debian and Ubuntu, which reads bash's [[ … ]], &>, $'…', declare, typeset, alias, shopt and source otherwise
 * than the bash grammar these checks read ([[ is no command there, so an || or && inside it runs the words
 * after it as a command). Undefined when none, or when another shell runs it.
 */
export function bashOnlyUnderSh(shell: string, body: string): string | undefined {
  if (!/^(sh|dash|ash|posh)$/.test(programName(shell))) return undefined;
  return /\[\[|&>|\$'|(^|[\s;&|(])(declare|typeset|alias|shopt|source)\s/.exec(body)?.[0].trim();
}

export function bashOnlyMessage(at: string, how: string, syntax: string, shell: string): string {
  return `${at} is passed to the script of "${how}", which uses bash's ${syntax}: ${programName(shell)} is dash on Debian and Ubuntu, which reads it otherwise ([[ is no command there, so an || or && inside it runs the words after it as a command, the value among them); run the script with bash -c, or write it for sh ([ … ])`;
}
