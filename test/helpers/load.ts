// Continuous HTTP load for zero-downtime tests: a steady request rate over a keep-alive agent, bounded in
// time and concurrency, counting every failure (network error or status >= 500) and which version answered.
import http from 'node:http';

export interface LoadOptions {
  url: string;
  /** Requests per second (default 300). */
  rps?: number;
  /** The load stops by itself after this long, even if nobody calls stop(). */
  maxDurationMs: number;
  /** Requests allowed in flight at once (default 200); a request due while at the limit is skipped and counted. */
  maxInFlight?: number;
  /** A request taking longer than this fails with "timeout" (default 5000). */
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
}

export interface LoadReport {
  sent: number;
  ok: number;
  failed: number;
  /** Requests not sent because maxInFlight requests were already in flight. */
  skipped: number;
  failures: LoadFailure[];
  /** Successful answers by their x-version header. */
  byVersion: Record<string, number>;
  achievedRps: number;
  durationMs: number;
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

export function startLoad(options: LoadOptions): Load {
  const rps = options.rps ?? 300;
  const maxInFlight = options.maxInFlight ?? 200;
  const requestTimeoutMs = options.requestTimeoutMs ?? 5000;
  if (!(rps > 0) || !(options.maxDurationMs > 0))
    throw new Error('startLoad: rps and maxDurationMs must be > 0');
  const agent = new http.Agent({ keepAlive: true, maxSockets: maxInFlight });
  const started = performance.now();
  const report: LoadReport = {
    sent: 0,
    ok: 0,
    failed: 0,
    skipped: 0,
    failures: [],
    byVersion: {},
    achievedRps: 0,
    durationMs: 0,
    timeline: [],
  };
  let scheduled = 0;
  let inFlight = 0;
  let stoppedAt: number | undefined;
  const idleWaiters: (() => void)[] = [];

  const bucket = (atMs: number): TimelineBucket => {
    const index = Math.floor(atMs / BUCKET_MS);
    while (report.timeline.length <= index) {
      report.timeline.push({ atMs: report.timeline.length * BUCKET_MS, byVersion: {}, failed: 0 });
    }
    return report.timeline[index]!;
  };

  const settle = (atMs: number, outcome: { status?: number; error?: string; version?: string }) => {
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

  const send = () => {
    const atMs = performance.now() - started;
    inFlight += 1;
    report.sent += 1;
    let done = false;
    const finish = (outcome: { status?: number; error?: string; version?: string }) => {
      if (done) return;
      done = true;
      settle(atMs, outcome);
    };
    const req = http.get(options.url, { agent, timeout: requestTimeoutMs }, (res) => {
      const header = res.headers['x-version'];
      const version = Array.isArray(header) ? header[0] : header;
      res.resume();
      res.on('end', () => finish({ status: res.statusCode, version }));
      res.on('error', (err) => finish({ status: res.statusCode, version, error: `body: ${err.message}` }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err: NodeJS.ErrnoException) => finish({ error: err.code ?? err.message }));
  };

  const timer = setInterval(() => {
    const elapsed = performance.now() - started;
    if (elapsed >= options.maxDurationMs) {
      halt();
      return;
    }
    const due = Math.floor((elapsed / 1000) * rps) - scheduled;
    for (let i = 0; i < due; i++) {
      scheduled += 1;
      if (inFlight >= maxInFlight) report.skipped += 1;
      else send();
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
          // Requests in flight end by themselves within requestTimeoutMs.
          await new Promise<void>((resolve) => idleWaiters.push(resolve));
        }
        agent.destroy();
        report.durationMs = Math.round(stoppedAt! - started);
        report.achievedRps = report.durationMs > 0 ? Math.round((report.sent / report.durationMs) * 1000) : 0;
        return report;
      })();
      return stopping;
    },
  };
}

/** A one-line summary for assertion messages. */
/**
 * The last full bucket of the timeline (the final one may be partial): where traffic settled. Throws when
 * the load ran too briefly to have one, so a check on it cannot pass on an empty timeline.
 */
export function lastFullBucket(report: LoadReport): TimelineBucket {
  const bucket = report.timeline.at(-2);
  if (!bucket)
    throw new Error(`the load ran too briefly to show where traffic settled: ${describeLoad(report)}`);
  return bucket;
}

export function describeLoad(r: LoadReport): string {
  const firstFailures = r.failures
    .slice(0, 5)
    .map((f) => `${f.atMs}ms:${f.status ?? ''}${f.error ?? ''}`)
    .join(' ');
  return `sent ${r.sent} ok ${r.ok} failed ${r.failed} skipped ${r.skipped} at ${r.achievedRps} rps, by version ${JSON.stringify(r.byVersion)}${firstFailures ? `; first failures ${firstFailures}` : ''}`;
}
