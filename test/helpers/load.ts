// Continuous HTTP load for zero-downtime tests, run in a worker thread of its own (load-worker.ts) so the
// test's main thread (fake GitHub, Probot, the test's steps) cannot starve it: a stretch of work there used to
// leave the client unable to send for over a second on a busy machine. The client (load-client.ts) keeps two
// things apart that a busy machine mixes up: a request the router failed (a failure, which a zero-downtime
// test must never see) and a request the client itself could not send on time because its own thread was
// starved of CPU (skipped, reported, never a failure). assessLoad / assertZeroDowntime judge a report:
// failures fail; a lagging client fails only when the load left too little to prove anything.
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import {
  BUCKET_MS,
  type Load,
  type LoadOptions,
  type LoadReport,
  type TimelineBucket,
} from './load-client.ts';

export type {
  ClientLag,
  Load,
  LoadFailure,
  LoadOptions,
  LoadReport,
  LoadRetry,
  TimelineBucket,
} from './load-client.ts';
export { runLoadClient } from './load-client.ts';

type Counts = ReturnType<Load['snapshot']>;

/** What the load worker posts to the thread that started it. */
export type FromLoadWorker =
  { type: 'started' } | { type: 'progress'; counts: Counts } | { type: 'report'; report: LoadReport };

/**
 * Starts a load in its own worker thread; resolves once it is sending (a worker takes up to a second or more
 * to start on a busy machine, which must not eat into the time a test measures). snapshot() gives the counts
 * the worker last posted (at most ~50 ms old); stop() stops it and resolves with its report.
 */
export async function startLoad(options: LoadOptions): Promise<Load> {
  if (!((options.rps ?? 300) > 0) || !(options.maxDurationMs > 0))
    throw new Error('startLoad: rps and maxDurationMs must be > 0');
  const worker = new Worker(new URL('./load-worker.ts', import.meta.url), { workerData: options });
  let counts: Counts = { sent: 0, ok: 0, failed: 0, byVersion: {} };
  let markStarted: () => void = () => {};
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  const report = new Promise<LoadReport>((resolve, reject) => {
    worker.on('message', (message: FromLoadWorker) => {
      if (message.type === 'started') markStarted();
      else if (message.type === 'progress') counts = message.counts;
      else {
        resolve(message.report);
        void worker.terminate();
      }
    });
    worker.on('error', reject);
    worker.on('exit', (code) =>
      reject(new Error(`the load worker exited (code ${code}) before it reported`)),
    );
  });
  // A worker that fails before it starts rejects startLoad; after, stop() rejects with the same error (and a
  // test that never calls stop() is not failed by an unhandled rejection on top of its own failure).
  report.catch(() => {});
  await Promise.race([started, report.then(() => undefined)]);
  let stopping = false;
  return {
    snapshot: () => ({ ...counts, byVersion: { ...counts.byVersion } }),
    stop: () => {
      if (!stopping) {
        stopping = true;
        worker.postMessage('stop');
      }
      return report;
    },
  };
}

/**
 * The last full bucket of the timeline (the final one may be partial): where traffic settled. Throws when
 * the load ran too briefly to have one, or sent nothing in it (the client stalled), so a check on it cannot
 * pass or fail on an empty bucket.
 */
export function lastFullBucket(report: LoadReport): TimelineBucket {
  const bucket = report.timeline.at(-2);
  if (!bucket)
    throw new Error(`the load ran too briefly to show where traffic settled: ${describeLoad(report)}`);
  const answered = bucket.failed + Object.values(bucket.byVersion).reduce((a, b) => a + b, 0);
  if (answered === 0)
    throw new Error(
      `the load client sent nothing in the last full ${BUCKET_MS} ms (it could not run: the machine is too busy), so where traffic settled is unknown: ${describeLoad(report)}`,
    );
  return bucket;
}

/** A one-line summary for assertion messages. */
export function describeLoad(r: LoadReport): string {
  const firstFailures = r.failures
    .slice(0, 5)
    .map(
      (f) =>
        `${f.atMs}ms:${f.status ?? ''}${f.error ?? ''}${f.retriedAfter ? `(retry after ${f.retriedAfter})` : ''}`,
    )
    .join(' ');
  const retried =
    r.retried > 0
      ? `; retried ${r.retried} (reset before any answer byte on a reused keep-alive connection, sent again on a new one), first ${r.retries
          .slice(0, 5)
          .map((x) => `${x.atMs}ms:${x.error} after ${x.idleMs} ms idle`)
          .join(' ')}`
      : '';
  const lag = `; client: skipped ${r.client.skippedBehind} behind schedule + ${r.client.skippedInFlight} at the in-flight limit, longest stall ${r.client.maxStallMs} ms, longest gap between sends ${r.client.maxSendGapMs} ms at ${r.client.maxSendGapAtMs} ms; latency p50 ${r.latencyMs.p50} p99 ${r.latencyMs.p99} max ${r.latencyMs.max} ms`;
  return `sent ${r.sent} ok ${r.ok} failed ${r.failed} skipped ${r.skipped} at ${r.achievedRps} of ${r.rps} rps over ${r.durationMs} ms, by version ${JSON.stringify(r.byVersion)}${firstFailures ? `; first failures ${firstFailures}` : ''}${retried}${lag}`;
}

export interface LoadExpectation {
  /**
   * The lowest achieved rate that still proves something, as a share of the rate asked for (default 1/3: at
   * 300 rps asked, a request every 10 ms at worst, dense enough that a failing switch cannot fall between).
   */
  minRateShare?: number;
  /** The longest time without a request sent that still proves something (default 1000 ms). */
  maxSendGapMs?: number;
}

/** A judged load report. `failed` is the router's; `too-little-load` is the machine's, said as such. */
export type LoadVerdict =
  | { kind: 'proved'; lagged: boolean; summary: string }
  | { kind: 'requests-failed'; summary: string }
  | { kind: 'too-little-load'; summary: string };

/** Judges a load report (pure): failures first, then whether the load was dense enough to mean anything. */
export function assessLoad(report: LoadReport, expectation: LoadExpectation = {}): LoadVerdict {
  const minRps = Math.ceil(report.rps * (expectation.minRateShare ?? 1 / 3));
  const maxGap = expectation.maxSendGapMs ?? 1000;
  if (report.failed > 0)
    return {
      kind: 'requests-failed',
      summary: `${report.failed} of ${report.sent} requests failed (error, timeout or status >= 500): ${describeLoad(report)}`,
    };
  const problems: string[] = [];
  if (report.stoppedBy === 'max-duration')
    problems.push(
      `the load stopped at its own time bound after ${report.durationMs} ms, before the test ended, so the end was not under load`,
    );
  if (report.achievedRps < minRps)
    problems.push(
      `the client reached ${report.achievedRps} rps of the ${report.rps} asked (at least ${minRps} needed)`,
    );
  if (report.client.maxSendGapMs > maxGap)
    problems.push(
      `the client sent nothing for ${report.client.maxSendGapMs} ms from ${report.client.maxSendGapAtMs} ms (at most ${maxGap} ms allowed): a failure then would not have been seen`,
    );
  if (problems.length > 0)
    return {
      kind: 'too-little-load',
      summary: `no request failed, but the load was too thin to prove zero downtime (the machine is too busy, not a router failure): ${problems.join('; ')}. ${describeLoad(report)}`,
    };
  const lagged = report.skipped > 0;
  return {
    kind: 'proved',
    lagged,
    summary: lagged
      ? `no request failed; the client could not keep its rate (${report.skipped} requests not sent, ${report.achievedRps} of ${report.rps} rps), still enough to prove it: ${describeLoad(report)}`
      : `no request failed at ${report.achievedRps} rps: ${describeLoad(report)}`,
  };
}

/**
 * Fails on any failed request (the router's fault); reports a client that could not keep its rate as a
 * diagnostic; fails on a lagging client only when the load was too thin to mean anything, and says so.
 */
export function assertZeroDowntime(
  t: { diagnostic(message: string): void },
  report: LoadReport,
  expectation: LoadExpectation = {},
): void {
  const verdict = assessLoad(report, expectation);
  if (verdict.kind === 'requests-failed') assert.fail(`requests failed: ${verdict.summary}`);
  if (verdict.kind === 'too-little-load') assert.fail(verdict.summary);
  t.diagnostic(verdict.summary);
}
