// Splits a command string into argv the way a shell would tokenize it (quotes, escapes), without running a
// shell: operators such as `;`, `|`, `&&`, `>` or globs are refused, since they would need one. And the
// reverse, for showing a command: POSIX quoting that a shell reads back as exactly the same words.
import { parse } from 'shell-quote';

/** A refusal may say where in the text it is (`offset`, 0-based), for the config's line and column. */
export type SplitResult = { ok: true; argv: string[] } | { ok: false; message: string; offset?: number };

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
  const prepared = prepare(command);
  if (!prepared.ok) return prepared;
  // Keep `$NAME` literally: variables in a command are not expanded unless a shell is asked for.
  const tokens = parse(prepared.text, (name) => `$${name}`);
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

/**
 * The command's text for the parser, or why a shell would not read it as the words of one command. The parser
 * reads a line break as a blank and accepts a quote left open or a backslash at the end, dropping them: `cd
 * app<newline>./deploy.sh` would run cd with two arguments, `echo 'a b` echo with two; a shell reads two commands
 * (which need one), or waits for the rest. A backslash before a line break joins the lines, as in a shell (the
 * parser would leave an empty argument there). `${` goes to the parser escaped: read literally, as `$NAME` is
 * (the parser would throw on `${x` and read `${x}y` as `$xy`). Line breaks before the first word and after the
 * last one (a YAML block's) are blanks.
 */
function prepare(
  command: string,
): { ok: true; text: string } | { ok: false; message: string; offset?: number } {
  let text = '';
  let quote: '"' | "'" | undefined;
  let opened = 0;
  const last = command.trimEnd().length;
  for (let i = 0; i < command.length; i++) {
    const c = command[i]!;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      text += c;
    } else if (c === '\\') {
      if (command[i + 1] === '\n') i++;
      else if (i + 1 >= command.length)
        return { ok: false, message: 'the command ends with a backslash, which escapes nothing: remove it' };
      else text += c + command[++i];
    } else if (c === '$' && command[i + 1] === '{') text += '\\$';
    else if (quote === '"') {
      if (c === '"') quote = undefined;
      text += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      opened = i;
      text += c;
    } else if (c === '\n' && text.trim() !== '' && i < last)
      return {
        ok: false,
        message: `a line break outside quotes (character ${i + 1}) ends the command there, and what follows would be another command, which needs a shell: write the command on one line, set "shell: true" for it, or write it as an argv list`,
        offset: i,
      };
    else text += c;
  }
  if (quote)
    return {
      ok: false,
      message: `the quote ${quote} at character ${opened + 1} is never closed, so where its argument ends is not known: close it`,
      offset: opened,
    };
  return { ok: true, text };
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
