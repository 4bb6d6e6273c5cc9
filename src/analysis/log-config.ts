// The logs provider's settings the config check needs (schema.ts): its fields, its defaults and limits, and the
// check of a user's regex. Apart from log-patterns.ts, which the analysis loads when it runs, so the CLI's
// start (config loading) does not load the analysis (test/unit/build/start-graph.test.ts).

import { RE2JS } from 're2js';

/** What the logs provider counts (providers/logs.ts): the fields a metric of it may read. */
export const LOG_FIELDS = ['error_lines', 'new_error_patterns'] as const;
export type LogField = (typeof LOG_FIELDS)[number];

/**
 * What `match` and `ignore` see of a line: its first this many characters. Matching is linear (compileLogRegex),
 * so this is no longer a regex's bound but a pathological line's (a megabyte of one JSON object): a real line,
 * a JSON one whose level follows a long message or a logged stack, fits.
 */
export const MAX_MATCH_LINE = 64 * 1024;
/** What the signature reads of a line that is not JSON: its head, where the pattern is. */
export const MAX_LINE = 2048;
/** A signature longer than this is cut: the pattern is in its head, and a book of long keys is memory. */
export const MAX_SIGNATURE = 240;
/** Distinct canary patterns a window keeps (a flood of unique lines must not grow the book without end). */
export const MAX_PATTERNS = 5000;
/**
 * Distinct reference patterns a window keeps (stable's in the window, the baseline's), and their characters:
 * a stable that floods unique lines must not grow the book without end. Past either, a canary pattern may be
 * one of those not kept, so none is judged new for the rest of the window (log-patterns.ts newPatterns):
 * a missed pattern, said in a warning, rather than a false rollback.
 */
export const MAX_REFERENCE_PATTERNS = 20_000;
export const MAX_REFERENCE_CHARS = 2 * 1024 * 1024;
/** What a user's regex may be at most (config check). */
export const MAX_REGEX = 1000;
/**
 * What a user's regex may compile to at most, in RE2 instructions (config check). A line's match costs up to
 * its length times this: a counted repeat is written out (`.{1,999}` is 2,000 instructions), and 110 of them
 * in 881 characters took 41 s on one 4 KB line, the event loop held all along (no timeout can stop a match
 * midway). At this bound a 64 KB line is at worst about two seconds, most real regexes are under 300.
 */
export const MAX_PROGRAM = 2000;
/** What a provider's `ignore` regexes may compile to in all: every line is matched against each of them. */
export const MAX_IGNORE_PROGRAM = 20_000;

/** The instructions `sources` compile to in all, those that do not compile left out (regexProblem says why). */
export function programSize(sources: readonly string[]): number {
  let size = 0;
  for (const source of sources)
    try {
      size += compileLogRegex(source).programSize();
    } catch {
      // Refused at its own path.
    }
  return size;
}

/**
 * Default `match`: the words a log line that reports a failure carries (case-insensitive), and a name ending
 * in Error or Exception (`ValueError: ...` after a Python traceback, `java.lang.IllegalStateException: ...`):
 * without them every traceback is the one pattern of its first line, and a new exception type is never new.
 * The cost, a line that says `hasError=false`, counts on both sides alike.
 */
export const DEFAULT_MATCH =
  '\\b(?:error|err|exception|fatal|panic|traceback|critical|crit|emerg|severe|unhandled|uncaught)\\b|\\B(?:error|exception)\\b';

/**
 * Default `min_count`: a pattern is new once seen this often in the window. Not 1: a single line (one
 * client's odd request) is no pattern. Not 2: a connection that failed, was retried, failed once more and
 * then worked logs its error twice, and the seeds preset rolls back at once (config.ts). Three of the same
 * is the app repeating itself; an exception that every tenth request raises reaches it within the first
 * interval at any traffic worth a canary.
 */
export const DEFAULT_MIN_COUNT = 3;

/** A user's regex compiled: case-insensitive, as `grep -i` in the seed. */
export type LogRegex = Pick<RE2JS, 'test' | 'programSize'>;

/**
 * `source` compiled by a linear-time engine (RE2's syntax and semantics, as Go's regexp and Prometheus): a
 * JavaScript regex backtracks, and a typo like `(\w+){10}!` took longer than the timeout on one line of 2 KB
 * of letters, every interval, until the deploy rolled back; no static check finds every such regex (the
 * star-height one let this through, and `.*a.*b.*c`, four minutes). Throws on what RE2 cannot express
 * (regexProblem says why).
 */
export function compileLogRegex(source: string): LogRegex {
  return RE2JS.compile(source, RE2JS.CASE_INSENSITIVE);
}

/**
 * Why `source` is not a regex this analysis runs, or undefined. Anything RE2 compiles matches in time linear
 * in the line, so what is left to refuse is what it cannot express: backreferences and lookaround (which
 * need backtracking), and a few JavaScript spellings it writes otherwise, each said with what to write; and
 * a program so large that linear is still seconds a line (MAX_PROGRAM).
 */
export function regexProblem(source: string): string | undefined {
  if (source.length > MAX_REGEX) return `is ${source.length} characters long; at most ${MAX_REGEX}`;
  let size: number;
  try {
    size = compileLogRegex(source).programSize();
  } catch (error) {
    // The flag is compiled as a prefix "(?i)", which RE2's message quotes; the user wrote none.
    return unsupported(
      (error as Error).message.replace(/^error parsing regexp: /, '').replace('`(?i)', '`'),
      source,
    );
  }
  if (size > MAX_PROGRAM)
    return `compiles to ${size} instructions, at most ${MAX_PROGRAM}: a line's match costs up to its length times that, and a counted repeat is written out (.{1,999} is 2000 of them); use smaller counts, or * and + where the count does not matter`;
  return undefined;
}

/** Lines no one means to leave out, of a letter, a space, a digit, a sign and two words. */
const ANY_LINES = ['x', ' ', '0', '-', 'a b'];

/**
 * Whether `source` (one regexProblem lets through) finds every line, as one that finds all of ANY_LINES does:
 * a stray `|` (`timeout|` matches the empty text anywhere), `x*`, `.`. As an `ignore` it leaves no line
 * counted, and the provider's checks can never fail.
 */
export function findsEveryLine(source: string): boolean {
  const re = compileLogRegex(source);
  return ANY_LINES.every((line) => re.test(line));
}

const LINEAR = 'which the log matcher cannot run: it matches in time linear in the line (RE2 syntax)';

/**
 * Escapes of PCRE (and so of grep -P, PHP, Python) that RE2 does not know, each with what to write. In the
 * JavaScript regexes this matcher replaced they were the bare letter (`\h` was "h"), never what was meant.
 */
const PCRE_ESCAPES: Record<string, string> = {
  '\\h': 'write [ \\t] (a space or a tab)',
  '\\H': 'write [^ \\t]',
  '\\R': 'a line holds no line break (the output is split at them): write $ for its end, or leave it out',
  '\\e': 'write \\x1b (escape)',
  '\\K': 'leave it out: whether a line matches is all that counts, not where the match starts',
  '\\G': 'write ^ (the start of the line)',
  '\\E': 'it ends a \\Q…\\E quote: leave it out where no \\Q comes before it',
};

/** RE2's complaint ("invalid escape sequence: `\1`") as what to write instead, where one is known. */
function unsupported(message: string, source: string): string {
  const fragment = /: `(.*)`$/s.exec(message)?.[1] ?? '';
  // \1, \k<name>, \g1 and \g{1} (PCRE), (?P=name) (Python).
  if (/^\\(?:[1-9]|k|g)/.test(fragment) || (fragment === '(?P' && source.includes('(?P=')))
    return `uses a backreference (${fragment === '(?P' ? '(?P=' : fragment}), ${LINEAR}; write out the text it repeats, or match less of the line`;
  if (/^\(\?<?[=!]/.test(fragment))
    return `uses a lookahead or lookbehind (${fragment.slice(0, fragment[2] === '<' ? 4 : 3)}), ${LINEAR}; match the text itself, and list the lines to leave out in ignore`;
  if (/^\(\?(?:R|[0-9]|&)/.test(fragment) || (fragment === '(?P' && source.includes('(?P>')))
    return `uses recursion or a subroutine call (${fragment === '(?P' ? '(?P>' : fragment}), ${LINEAR}; write out the text it stands for`;
  if (fragment === "(?'") return "names a group as (?'name'…); write (?P<name>…) or (?<name>…)";
  if (fragment === '(?>') return 'uses an atomic group ((?>), RE2 syntax has none; write (?: instead';
  if (message.startsWith('invalid nested repetition operator') && /^(?:[*+?]|\{[\d,]*\})\+$/.test(fragment))
    return `uses a possessive quantifier (${fragment}), RE2 syntax has none; write ${fragment.slice(0, -1)} instead`;
  if (fragment === '(?#') return 'uses a comment ((?#…)), RE2 syntax has none; leave it out';
  if (/^\(\?[a-zA-Z-]/.test(fragment) && fragment !== '(?P')
    return `uses a flag RE2 syntax does not know (${fragment}); it knows i, m, s and U, as (?s) or (?i:…)`;
  const [, min, max] = /^\{(\d+),(\d+)\}$/.exec(fragment) ?? [];
  if (message.startsWith('invalid repeat count') && Number(min) > Number(max))
    return `counts backwards (${fragment}); write the smaller count first`;
  if (message.startsWith('invalid repeat count'))
    return `repeats more than 1000 times (${fragment}; counts nested are multiplied, (a{100}){100} is 10000); use a smaller count, or * and + where the count does not matter`;
  if (message.startsWith('invalid character class range') && /^\\[pP]/.test(fragment))
    return `names a Unicode class RE2 does not know (${fragment}); write it by its short name, as \\p{L} (letters), \\p{Lu}, \\p{N} or \\p{Greek}`;
  if (message.startsWith('invalid character class range') && /^\[:/.test(fragment))
    return `names a class RE2 does not know (${fragment}); it knows [:alpha:], [:digit:], [:alnum:], [:space:], [:upper:], [:lower:], [:punct:], [:word:] and a few more`;
  const pcre = PCRE_ESCAPES[fragment];
  if (message.startsWith('invalid escape sequence') && pcre)
    return `uses ${fragment}, which RE2 syntax does not know; ${pcre}`;
  if (/^\\u/.test(fragment)) return `uses \\u; write a character by its code as \\x{e9} (hex), not \\u00e9`;
  if (/^\\c/.test(fragment))
    return `uses \\c; write a control character by its code as \\x{0d} (hex), not \\cM`;
  if (fragment === '\\Z') return 'uses \\Z; write $ (the end of the line)';
  if (fragment === '\\b') return 'uses [\\b] (a backspace); write \\x08';
  if (message.startsWith('missing closing ]') && fragment.startsWith('[^]'))
    return 'uses [^] (any character); write [\\s\\S]';
  return `does not compile (RE2 syntax): ${message}`;
}
