// Splits a command string into argv the way a shell would tokenize it (quotes, escapes), without running a
// shell: operators such as `;`, `|`, `&&`, `>` or globs are refused, since they would need one. And the
// reverse, for showing a command: POSIX quoting that a shell reads back as exactly the same words.
import { parse } from 'shell-quote';

export type SplitResult = { ok: true; argv: string[] } | { ok: false; message: string };

/**
 * Recent splits by command text. A command of the top-level target is split again for every environment
 * (the config's checks, then resolving each one: a config of 200 environments split the same line 800
 * times). Bounded: a long-lived App reads many configs.
 */
const recent = new Map<string, SplitResult>();
const RECENT_MAX = 256;

export function splitCommand(command: string): SplitResult {
  let split = recent.get(command);
  if (!split) {
    split = splitOnce(command);
    if (recent.size >= RECENT_MAX) recent.clear();
    recent.set(command, split);
  }
  // A copy: callers own the argv they are given.
  return split.ok ? { ok: true, argv: [...split.argv] } : { ...split };
}

function splitOnce(command: string): SplitResult {
  // Keep `$NAME` literally: variables in a command are not expanded unless a shell is asked for.
  const tokens = parse(command, (name) => `$${name}`);
  const argv: string[] = [];
  for (const token of tokens) {
    if (typeof token === 'string') {
      argv.push(token);
    } else if ('op' in token) {
      const what =
        token.op === 'glob' ? `the glob "${(token as { pattern: string }).pattern}"` : `"${token.op}"`;
      return {
        ok: false,
        message: `${what} needs a shell: set "shell: true" for this command, or write it as an argv list`,
      };
    } else if ('comment' in token) {
      return { ok: false, message: 'comments ("#") are not allowed in a command' };
    }
  }
  if (argv.length === 0) return { ok: false, message: 'the command is empty' };
  return { ok: true, argv };
}

// Words a POSIX shell reads literally when unquoted (no globbing, expansion, tilde or operators).
const PLAIN_WORD = /^[\w@%+=:,./-]+$/;

/** One word in POSIX single quotes (`'` written as `'\''`), or as is when the shell would read it literally. */
export function shellQuote(word: string): string {
  if (PLAIN_WORD.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** An argv as a shell command line. The program is quoted when it would read as an assignment (`a=b`). */
export function shellCommandLine(argv: readonly string[]): string {
  return argv
    .map((arg, index) =>
      index === 0 && arg.includes('=') && PLAIN_WORD.test(arg) ? `'${arg}'` : shellQuote(arg),
    )
    .join(' ');
}
