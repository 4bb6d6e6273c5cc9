// Continuous HTTP load for zero-downtime tests: a steady request rate over a keep-alive agent, bounded in
// time and concurrency, counting every failure (network error, timeout or status >= 500) and which version
// answered. It keeps two things apart that a busy machine mixes up: a request the router failed (a failure,
// which a zero-downtime test must never see) and a request the client itself could not send on time because
// its own process was starved of CPU (skipped, reported, never a failure). assessLoad / assertZeroDowntime
// judge a report: failures fail; a lagging client fails only when the load left too little to prove anything.
import assert from 'node:assert/strict';
import http from 'node:http';

export interface LoadOptions {
  url: string;
  /** Requests per second (default 300). */
  rps?: number;
  /** The load stops by itself after this long, even if nobody calls stop(). */
  maxDurationMs: number;
  /** Requests allowed in flight at once (default 200); a request due while at the limit is skipped and counted. */
  maxInFlight?: number;
  /**
   * A request still unanswered after this long fails with "timeout" (default 15000). Time the client's own
   * event loop was stalled does not count: a reply that arrived while the client could not read it is not
   * the router's fault.
   */
  requestTimeoutMs?: number;
}

export interface LoadFailure {
  /** When the request was sent, in ms since the load started. */
  atMs: number;
  status?: number;
  error?: string;
  version?: string;
}

export interface TimelineBucket {
  /** Start of the 500 ms bucket, in ms since the load started (by send time). */
  atMs: number;
  byVersion: Record<string, number>;
  failed: number;
  /** Requests sent in this bucket (answered, failed or still in flight when it was read). */
  sent: number;
}

/** How well the client itself kept up: the machine's share, not the router's. */
export interface ClientLag {
  /** Requests due while the client was behind its schedule by more than a catch-up burst (not sent). */
  skippedBehind: number;
  /** Requests due while maxInFlight requests were in flight (not sent). */
  skippedInFlight: number;
  /** The longest the scheduler's timer fired late, in ms: how long the client's event loop stalled. */
  maxStallMs: number;
  /** The longest time without a request sent, in ms, and when it started (ms since the load started). */
  maxSendGapMs: number;
  maxSendGapAtMs: number;
}

export interface LoadReport {
  /** The rate asked for. */
  rps: number;
  sent: number;
  ok: number;
  failed: number;
  /** Requests not sent because the client could not keep its rate (client.skippedBehind + client.skippedInFlight). */
  skipped: number;
  failures: LoadFailure[];
  /** Successful answers by their x-version header. */
  byVersion: Record<string, number>;
  achievedRps: number;
  durationMs: number;
  /** 'max-duration' when the load ended by its own bound, before anyone called stop(). */
  stoppedBy: 'stop' | 'max-duration';
  /** Answer times of the requests that got an answer, in ms. */
  latencyMs: { p50: number; p99: number; max: number };
  client: ClientLag;
  timeline: TimelineBucket[];
}

export interface Load {
  /** Stops sending, waits for requests in flight, and reports. Idempotent. */
  stop(): Promise<LoadReport>;
  /** Counts so far, without stopping. */
  snapshot(): Pick<LoadReport, 'sent' | 'ok' | 'failed' | 'byVersion'>;
}

const BUCKET_MS = 500;
const TICK_MS = 5;
/** After a stall the client sends at most this much of its schedule at once, not a stampede of everything missed. */
const CATCH_UP_MS = 100;
/** A timer firing later than this counts as a stall of the client (below it is ordinary timer jitter). */
const STALL_MS = 20;

type Outcome = { status?: number; error?: string; version?: string };

export function startLoad(options: LoadOptions): Load {
  const rps = options.rps ?? 300;
  const maxInFlight = options.maxInFlight ?? 200;
  const requestTimeoutMs = options.requestTimeoutMs ?? 15_000;
  if (!(rps > 0) || !(options.maxDurationMs > 0))
    throw new Error('startLoad: rps and maxDurationMs must be > 0');
  const maxBurst = Math.max(1, Math.ceil((rps * CATCH_UP_MS) / 1000));
  const agent = new http.Agent({ keepAlive: true, maxSockets: maxInFlight });
  const started = performance.now();
  const report: LoadReport = {
    rps,
    sent: 0,
    ok: 0,
    failed: 0,
    skipped: 0,
    failures: [],
    byVersion: {},
    achievedRps: 0,
    durationMs: 0,
    stoppedBy: 'stop',
    latencyMs: { p50: 0, p99: 0, max: 0 },
    client: { skippedBehind: 0, skippedInFlight: 0, maxStallMs: 0, maxSendGapMs: 0, maxSendGapAtMs: 0 },
    timeline: [],
  };
  const latencies: number[] = [];
  let scheduled = 0;
  let inFlight = 0;
  let stoppedAt: number | undefined;
  let lastTick = started;
  let lastSend = 0;
  /** Total time the client's event loop was stalled, beyond the timer's own period. */
  let stalledMs = 0;
  const idleWaiters: (() => void)[] = [];

  const bucket = (atMs: number): TimelineBucket => {
    const index = Math.floor(atMs / BUCKET_MS);
    while (report.timeline.length <= index) {
      report.timeline.push({ atMs: report.timeline.length * BUCKET_MS, byVersion: {}, failed: 0, sent: 0 });
    }
    return report.timeline[index]!;
  };

  const settle = (atMs: number, outcome: Outcome) => {
    inFlight -= 1;
    const failed = outcome.error !== undefined || (outcome.status ?? 0) >= 500;
    if (failed) {
      report.failed += 1;
      report.failures.push({ atMs: Math.round(atMs), ...outcome });
      bucket(atMs).failed += 1;
    } else {
      report.ok += 1;
      const version = outcome.version ?? 'unknown';
      report.byVersion[version] = (report.byVersion[version] ?? 0) + 1;
      const b = bucket(atMs);
      b.byVersion[version] = (b.byVersion[version] ?? 0) + 1;
    }
    if (inFlight === 0) idleWaiters.splice(0).forEach((w) => w());
  };

  const send = (now: number) => {
    const atMs = now - started;
    const gap = atMs - lastSend;
    if (gap > report.client.maxSendGapMs) {
      report.client.maxSendGapMs = Math.round(gap);
      report.client.maxSendGapAtMs = Math.round(lastSend);
    }
    lastSend = atMs;
    inFlight += 1;
    report.sent += 1;
    bucket(atMs).sent += 1;
    const stalledAtSend = stalledMs;
    let done = false;
    const finish = (outcome: Outcome) => {
      if (done) return;
      done = true;
      if (outcome.error === undefined) latencies.push(performance.now() - now);
      settle(atMs, outcome);
    };
    const req = http.get(options.url, { agent }, (res) => {
      const header = res.headers['x-version'];
      const version = Array.isArray(header) ? header[0] : header;
      res.resume();
      res.on('end', () => finish({ status: res.statusCode, version }));
      res.on('error', (err) => finish({ status: res.statusCode, version, error: `body: ${err.message}` }));
    });
    // The deadline moves by the time the client itself was stalled while it waited: setImmediate lets
    // replies already received be read first (timers run before I/O after a stall).
    const arm = (ms: number) => {
      timeout = setTimeout(() => {
        setImmediate(() => {
          if (done) return;
          const waited = performance.now() - now - (stalledMs - stalledAtSend);
          if (waited < requestTimeoutMs) arm(requestTimeoutMs - waited);
          else req.destroy(new Error('timeout'));
        });
      }, ms);
      timeout.unref();
    };
    let timeout: NodeJS.Timeout;
    arm(requestTimeoutMs);
    req.on('close', () => clearTimeout(timeout));
    req.on('error', (err: NodeJS.ErrnoException) =>
      finish({ error: err.message === 'timeout' ? 'timeout' : (err.code ?? err.message) }),
    );
  };

  const timer = setInterval(() => {
    const now = performance.now();
    const late = now - lastTick - TICK_MS;
    lastTick = now;
    if (late > STALL_MS) {
      stalledMs += late;
      if (late > report.client.maxStallMs) report.client.maxStallMs = Math.round(late);
    }
    const elapsed = now - started;
    if (elapsed >= options.maxDurationMs) {
      report.stoppedBy = 'max-duration';
      halt();
      return;
    }
    let due = Math.floor((elapsed / 1000) * rps) - scheduled;
    if (due > maxBurst) {
      // Behind schedule: the client was not running. Those requests were never sent; they are not failures.
      report.client.skippedBehind += due - maxBurst;
      scheduled += due - maxBurst;
      due = maxBurst;
    }
    for (let i = 0; i < due; i++) {
      scheduled += 1;
      if (inFlight >= maxInFlight) report.client.skippedInFlight += 1;
      else send(now);
    }
  }, TICK_MS);

  function halt(): void {
    if (stoppedAt !== undefined) return;
    stoppedAt = performance.now();
    clearInterval(timer);
  }

  let stopping: Promise<LoadReport> | undefined;
  return {
    snapshot: () => ({
      sent: report.sent,
      ok: report.ok,
      failed: report.failed,
      byVersion: { ...report.byVersion },
    }),
    stop: () => {
      stopping ??= (async () => {
        halt();
        if (inFlight > 0) {
          // Requests in flight end by themselves within requestTimeoutMs (plus the client's own stalls).
          await new Promise<void>((resolve) => idleWaiters.push(resolve));
        }
        agent.destroy();
        report.durationMs = Math.round(stoppedAt! - started);
        report.achievedRps = report.durationMs > 0 ? Math.round((report.sent / report.durationMs) * 1000) : 0;
        report.skipped = report.client.skippedBehind + report.client.skippedInFlight;
        const sorted = latencies.sort((a, b) => a - b);
        const at = (q: number) =>
          Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0);
        report.latencyMs = { p50: at(0.5), p99: at(0.99), max: Math.round(sorted.at(-1) ?? 0) };
        return report;
      })();
      return stopping;
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
    .map((f) => `${f.atMs}ms:${f.status ?? ''}${f.error ?? ''}`)
    .join(' ');
  const lag = `; client: skipped ${r.client.skippedBehind} behind schedule + ${r.client.skippedInFlight} at the in-flight limit, longest stall ${r.client.maxStallMs} ms, longest gap between sends ${r.client.maxSendGapMs} ms at ${r.client.maxSendGapAtMs} ms; latency p50 ${r.latencyMs.p50} p99 ${r.latencyMs.p99} max ${r.latencyMs.max} ms`;
  return `sent ${r.sent} ok ${r.ok} failed ${r.failed} skipped ${r.skipped} at ${r.achievedRps} of ${r.rps} rps over ${r.durationMs} ms, by version ${JSON.stringify(r.byVersion)}${firstFailures ? `; first failures ${firstFailures}` : ''}${lag}`;
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
