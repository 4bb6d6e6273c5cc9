// Matches a read's log lines against the user's `match` and `ignore` regexes in a worker thread. A JavaScript
// regex backtracks, and one match cannot be stopped midway: `.*a.*b.*c`, harmless-looking and not refused by
// the config check, took 263 s on one crafted 2 KB line, holding the event loop (and so the analysis, its
// cancellation and a rollback) all that time. In a thread of its own the main thread stays free, and a
// match past its time or a cancellation terminates the thread at once. The thread's code is given as text
// (eval), so the bundles need no file of their own for it.
import { Worker } from 'node:worker_threads';
import { MAX_LINE, REGEX_FLAGS } from '../log-config.ts';

/**
 * The thread: the indices of the lines `match` finds and no `ignore` pattern does, each cut to MAX_LINE
 * characters first (log-patterns.ts errorLines, matchLine).
 */
const MATCHER = `
const { parentPort, workerData } = require('node:worker_threads');
const { lines, match, ignore, flags, maxLine } = workerData;
const m = new RegExp(match, flags);
const skip = ignore.map((source) => new RegExp(source, flags));
const found = [];
for (let i = 0; i < lines.length; i++) {
  const line = lines[i].length > maxLine ? lines[i].slice(0, maxLine) : lines[i];
  if (m.test(line) && !skip.some((re) => re.test(line))) found.push(i);
}
parentPort.postMessage(found);
`;

export type MatchOutcome =
  { ok: true; lines: string[] } | { ok: false; code: 'timeout' | 'aborted' | 'crash'; message: string };

/** The error lines of `lines` (log-patterns.ts errorLines), matched in a thread stopped after `timeoutMs`. */
export function matchInThread(
  lines: string[],
  regexes: { match: string; ignore: readonly string[] },
  { timeoutMs, signal }: { timeoutMs: number; signal: AbortSignal },
): Promise<MatchOutcome> {
  if (lines.length === 0) return Promise.resolve({ ok: true, lines: [] });
  if (signal.aborted) return Promise.resolve({ ok: false, code: 'aborted', message: 'cancelled' });
  return new Promise((resolve) => {
    const worker = new Worker(MATCHER, {
      eval: true,
      workerData: {
        lines,
        match: regexes.match,
        ignore: regexes.ignore,
        flags: REGEX_FLAGS,
        maxLine: MAX_LINE,
      },
    });
    let settled = false;
    // The thread is ended before the read settles, whatever the outcome: nothing is left running.
    const finish = (outcome: MatchOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      void worker.terminate().finally(() => resolve(outcome));
    };
    const onAbort = () => finish({ ok: false, code: 'aborted', message: 'cancelled' });
    signal.addEventListener('abort', onAbort, { once: true });
    // 0 is no timeout, as for the command (the duration fields' "0 for none"): cancellation still ends it.
    const timer =
      timeoutMs > 0
        ? setTimeout(
            () =>
              finish({
                ok: false,
                code: 'timeout',
                message: `matching ${lines.length} log line(s) took longer than ${timeoutMs}ms: a regex of match or ignore backtracks on them (write it with fewer ".*" and without nested repetition)`,
              }),
            timeoutMs,
          )
        : undefined;
    worker.once('message', (indices: number[]) => finish({ ok: true, lines: indices.map((i) => lines[i]!) }));
    worker.once('error', (error) => finish({ ok: false, code: 'crash', message: String(error.message) }));
    worker.once('exit', (code) =>
      finish({ ok: false, code: 'crash', message: `the matching thread exited with ${code}` }),
    );
  });
}
