// Matches a read's log lines against the user's `match` and `ignore` regexes. The regexes run on a linear-time
// engine (log-config.ts compileLogRegex), so a line's match costs at most its length times the regex's size:
// no line can hold the event loop for long. Up to 32 MiB of lines is still seconds of work for a large
// regex, so the lines are matched in slices, the event loop free between them (timers, a cancellation, a
// rollback), and the provider's timeout bounds the whole.
import { setImmediate } from 'node:timers/promises';
import { isErrorLine, lineFilter, type LineFilter } from '../log-patterns.ts';
import { stoppedPhrase } from '../../util/internal-error-stop.ts';

/** How long one slice of matching holds the event loop before it yields. */
const SLICE_MS = 20;

export type MatchOutcome =
  { ok: true; lines: string[] } | { ok: false; code: 'timeout' | 'aborted' | 'crash'; message: string };

/**
 * The error lines of `lines` (log-patterns.ts isErrorLine), matched in slices, stopped after `timeoutMs`.
 * `regexes`: as written (compiled here), or compiled once by the caller (the logs provider, for its life).
 */
export async function matchLines(
  lines: string[],
  regexes: { match: string; ignore: readonly string[] } | LineFilter,
  {
    timeoutMs,
    signal,
    now = performance.now.bind(performance),
  }: {
    timeoutMs: number;
    signal: AbortSignal;
    /** The clock (tests). */
    now?: () => number;
  },
): Promise<MatchOutcome> {
  if (lines.length === 0) return { ok: true, lines: [] };
  let filter: LineFilter;
  try {
    filter =
      typeof regexes.match === 'string'
        ? lineFilter(regexes.match, regexes.ignore as readonly string[])
        : (regexes as LineFilter);
  } catch (error) {
    // The config check compiles them first: only a provider made in code can get here.
    return { ok: false, code: 'crash', message: `a regex of match or ignore: ${(error as Error).message}` };
  }
  const start = now();
  const found: string[] = [];
  let i = 0;
  while (i < lines.length) {
    if (signal.aborted) return { ok: false, code: 'aborted', message: stoppedPhrase(signal) };
    // 0 is no timeout, as for the command (the duration fields' "0 for none"): cancellation still ends it.
    if (timeoutMs > 0 && now() - start > timeoutMs)
      return {
        ok: false,
        code: 'timeout',
        message: `matching ${lines.length} log line(s) took longer than ${timeoutMs}ms (stopped at line ${i + 1}): read fewer lines per interval, or give the provider a longer timeout`,
      };
    const sliceEnd = now() + SLICE_MS;
    do {
      if (isErrorLine(lines[i]!, filter)) found.push(lines[i]!);
      i++;
      // The clock at every line: one 64 KB line against a large regex is a slice's time on its own.
    } while (i < lines.length && now() < sliceEnd);
    if (i < lines.length) await setImmediate();
  }
  return { ok: true, lines: found };
}
