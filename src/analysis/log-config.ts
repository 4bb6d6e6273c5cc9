// The logs provider's settings the config check needs (schema.ts): its fields, its defaults and limits, and the
// check of a user's regex. Apart from log-patterns.ts, which the analysis loads when it runs, so the CLI's
// start (config loading) does not load the analysis (test/unit/build/start-graph.test.ts).

/** What the logs provider counts (providers/logs.ts): the fields a metric of it may read. */
export const LOG_FIELDS = ['error_lines', 'new_error_patterns'] as const;
export type LogField = (typeof LOG_FIELDS)[number];

/** Lines are cut to this many characters before any regex sees them: a bound on every match's work. */
export const MAX_LINE = 2048;
/** A signature longer than this is cut: the pattern is in its head, and a book of long keys is memory. */
export const MAX_SIGNATURE = 240;
/** Distinct canary patterns a window keeps (a flood of unique lines must not grow the book without end). */
export const MAX_PATTERNS = 5000;
/** What a user's regex may be at most (config check). */
export const MAX_REGEX = 1000;

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

/** Flags every user regex is compiled with: case-insensitive, as `grep -i` in the seed. */
export const REGEX_FLAGS = 'i';

/**
 * Why `source` is not a regex this analysis runs, or undefined. JavaScript regexes backtrack, and the app's
 * output is whatever it printed: a nested quantifier (`(a+)+`, `(\w*)*`, or alternatives repeated, `(a|ab)*`)
 * can take exponential time on one crafted line, so it is refused with the config. What is left is at worst
 * polynomial in the line's length (MAX_LINE), which is still minutes for `.*a.*b.*c`: the provider matches in
 * a thread stopped at its timeout (providers/log-match.ts).
 */
export function regexProblem(source: string): string | undefined {
  if (source.length > MAX_REGEX) return `is ${source.length} characters long; at most ${MAX_REGEX}`;
  try {
    new RegExp(source, REGEX_FLAGS);
  } catch (error) {
    return `does not compile: ${(error as Error).message.replace(/^Invalid regular expression: /, '')}`;
  }
  if (/\\[1-9]|\\k</.test(source))
    return 'uses a backreference, which can take exponential time on a crafted log line; write the pattern without one';
  const nested = nestedQuantifier(source);
  if (nested)
    return `repeats a group that holds a quantifier or alternatives (${nested}), which can take exponential time on a crafted log line; write it without nesting (for example "a+" for "(a+)+", "(?:a|b)" unrepeated)`;
  return undefined;
}

/** The first group with a quantifier inside that is itself quantified (its text), or undefined. */
function nestedQuantifier(source: string): string | undefined {
  // Per open group: where it starts and whether a quantifier (or a quantified group) is inside it.
  const stack: Array<{ start: number; quantified: boolean }> = [];
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '(') stack.push({ start: i, quantified: false });
    else if (c === ')') {
      const group = stack.pop();
      if (!group) continue;
      const next = source[i + 1];
      const repeats = next === '*' || next === '+' || (next === '{' && /^\{\d*,/.test(source.slice(i + 1)));
      if (repeats && group.quantified) return source.slice(group.start, i + 2);
      // A group quantified, or holding a quantifier, makes the group around it hold one.
      if ((repeats || group.quantified) && stack.length) stack[stack.length - 1]!.quantified = true;
    } else if (
      stack.length &&
      (c === '*' || c === '+' || c === '|' || (c === '{' && /^\{\d*,\d*\}/.test(source.slice(i))))
    )
      // Alternatives repeated ("(a|ab)*") backtrack as a nested quantifier does when they overlap.
      stack[stack.length - 1]!.quantified = true;
  }
  return undefined;
}
