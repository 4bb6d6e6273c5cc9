// The load client itself: a steady request rate over a keep-alive agent, bounded in time and concurrency,
// counting every failure (network error, timeout or status >= 500) and which version answered, and keeping
// apart what a busy machine mixes up: a request the router failed (a failure) and a request the client could
// not send on time because its own event loop was starved (skipped, reported, never a failure). It runs in
// the thread that calls runLoadClient: test/helpers/load.ts runs it in a worker thread of its own
// (load-worker.ts), so the test's own work on the main thread cannot stall it. A GET reset on a reused
// keep-alive connection before any byte of its answer is sent once more on a new connection, as real clients
// do (load-retry.ts), and reported as retried; it fails only if that try fails too.
import type { ClientRequest } from 'node:http';
import type { Socket } from 'node:net';
import { retryDecision } from './load-retry.ts';

// process.getBuiltinModule, not an import: importing node:http as an ES module loads undici (its WebSocket
// exports) once more in each load's worker thread.
const http = process.getBuiltinModule('node:http');

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
  /**
   * The router's idle close of client keep-alive connections (haproxy's `timeout http-keep-alive`; default
   * 30000, the test routers' setting). Only a reset on a connection that sat idle at least half of it is the
   * keep-alive race and sent again: a reset of a connection in use is the router dropping a request.
   */
  idleCloseMs?: number;
}

export interface LoadFailure {
  /** When the request was sent, in ms since the load started. */
  atMs: number;
  status?: number;
  error?: string;
  version?: string;
  /** The request was sent again after this error on a reused connection, and its second try failed. */
  retriedAfter?: string;
}

/** A request sent again on a new connection after its reused keep-alive connection was reset (load-retry.ts). */
export interface LoadRetry {
  /** When the request was first sent, in ms since the load started. */
  atMs: number;
  /** The first try's error (ECONNRESET). */
  error: string;
  /** How long the connection sat idle in the client's pool (from when it read the previous answer), in ms. */
  idleMs: number;
}

export interface TimelineBucket {
  /** Start of the 500 ms bucket, in ms since the load started (by send time). */
  atMs: number;
  byVersion: Record<string, number>;
  failed: number;
  /** Requests in this bucket sent again after a reset on a reused connection (counted once more as ok or failed). */
  retried: number;
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
  /** Requests sent again after a reset on a reused keep-alive connection before any answer byte (see retries). */
  retried: number;
  retries: LoadRetry[];
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

/** The timeline's bucket width. */
export const BUCKET_MS = 500;
const TICK_MS = 5;
/** After a stall the client sends at most this much of its schedule at once, not a stampede of everything missed. */
const CATCH_UP_MS = 100;
/** A timer firing later than this is reported as a stall of the client (maxStallMs). */
const STALL_MS = 20;
/** A timer firing later than this moves the requests' deadlines by its lateness (below it: the timer's own jitter). */
const TIMER_JITTER_MS = 1;
/** haproxy's `timeout http-keep-alive` in the tests' routers (test/helpers/haproxy.ts). */
const DEFAULT_IDLE_CLOSE_MS = 30_000;

type Outcome = { status?: number; error?: string; version?: string; retriedAfter?: string };

/** Runs the load in this thread (see startLoad in load.ts for a load in its own thread). */
export function runLoadClient(options: LoadOptions, hooks: { onHalt?(): void } = {}): Load {
  const rps = options.rps ?? 300;
  const maxInFlight = options.maxInFlight ?? 200;
  const requestTimeoutMs = options.requestTimeoutMs ?? 15_000;
  const idleCloseMs = options.idleCloseMs ?? DEFAULT_IDLE_CLOSE_MS;
  if (!(rps > 0) || !(options.maxDurationMs > 0))
    throw new Error('startLoad: rps and maxDurationMs must be > 0');
  const maxBurst = Math.max(1, Math.ceil((rps * CATCH_UP_MS) / 1000));
  const agent = new http.Agent({ keepAlive: true, maxSockets: maxInFlight });
  // A retry goes on a connection of its own: it cannot meet the same race, so its failure is a real one.
  const retryAgent = new http.Agent({ keepAlive: false });
  /** When each pooled connection last became idle: how long it sat unused before a reset on reuse. */
  const idleSince = new WeakMap<Socket, number>();
  agent.on('free', (socket: Socket) => idleSince.set(socket, performance.now()));
  const started = performance.now();
  const report: LoadReport = {
    rps,
    sent: 0,
    ok: 0,
    failed: 0,
    retried: 0,
    retries: [],
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
      report.timeline.push({
        atMs: report.timeline.length * BUCKET_MS,
        byVersion: {},
        failed: 0,
        retried: 0,
        sent: 0,
      });
    }
    return report.timeline[index]!;
  };

  const settle = (atMs: number, outcome: Outcome) => {
    inFlight -= 1;
    const failed = outcome.error !== undefined || (outcome.status ?? 0) >= 500;
    if (failed) {
      report.failed += 1;
      const { retriedAfter, ...rest } = outcome;
      report.failures.push({ atMs: Math.round(atMs), ...rest, ...(retriedAfter ? { retriedAfter } : {}) });
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
    let timeout: NodeJS.Timeout | undefined;
    let current: { req: ClientRequest; retriedAfter?: string } | undefined;
    const finish = (outcome: Outcome) => {
      if (done) return;
      done = true;
      clearTimeout(timeout);
      if (outcome.error === undefined) latencies.push(performance.now() - now);
      settle(atMs, outcome);
    };
    const attempt = (n: number, retriedAfter?: string) => {
      const req = http.get(options.url, { agent: n === 1 ? agent : retryAgent }, (res) => {
        const header = res.headers['x-version'];
        const version = Array.isArray(header) ? header[0] : header;
        res.resume();
        res.on('end', () => finish({ status: res.statusCode, version }));
        res.on('error', (err) =>
          finish({ status: res.statusCode, version, error: `body: ${err.message}`, retriedAfter }),
        );
      });
      current = { req, retriedAfter };
      // Bytes the connection had read when this request took it: any more are the start of its answer.
      let readBefore = 0;
      let idleMs = 0;
      req.on('socket', (socket: Socket) => {
        readBefore = socket.bytesRead;
        const since = idleSince.get(socket);
        idleMs = since === undefined ? 0 : performance.now() - since;
      });
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (done) return;
        const decision = retryDecision({
          method: 'GET',
          reusedSocket: req.reusedSocket,
          responseStarted: (req.socket?.bytesRead ?? readBefore) > readBefore,
          code: err.code,
          attempt: n,
          idleMs,
          idleCloseMs,
        });
        const error = err.code ?? err.message;
        if (decision.retry) {
          report.retried += 1;
          report.retries.push({ atMs: Math.round(atMs), error, idleMs: Math.round(idleMs) });
          bucket(atMs).retried += 1;
          attempt(n + 1, error);
          return;
        }
        finish({ error, retriedAfter });
      });
    };
    attempt(1);
    // The deadline moves by the time the client itself was stalled while it waited: setImmediate lets
    // replies already received be read first (timers run before I/O after a stall). A retry shares it.
    const arm = (ms: number) => {
      timeout = setTimeout(() => {
        setImmediate(() => {
          if (done) return;
          const waited = performance.now() - now - (stalledMs - stalledAtSend);
          if (waited < requestTimeoutMs) arm(requestTimeoutMs - waited);
          else {
            finish({ error: 'timeout', retriedAfter: current?.retriedAfter });
            current?.req.destroy();
          }
        });
      }, ms);
      timeout.unref();
    };
    arm(requestTimeoutMs);
  };

  const timer = setInterval(() => {
    const now = performance.now();
    const late = now - lastTick - TICK_MS;
    lastTick = now;
    // Every late tick is time the client could not run, and moves its requests' deadlines: on a busy machine
    // the process is starved in many short slices (each below STALL_MS), which add up to seconds under load.
    if (late > TIMER_JITTER_MS) stalledMs += late;
    if (late > STALL_MS && late > report.client.maxStallMs) report.client.maxStallMs = Math.round(late);
    // Stopped: the tick only keeps the stall time while requests are still in flight (stop() waits for them).
    if (stoppedAt !== undefined) return;
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
    // Sending ends; the tick goes on measuring stalls for the requests in flight, without holding the process.
    timer.unref();
    if (inFlight === 0) clearInterval(timer);
    else idleWaiters.push(() => clearInterval(timer));
    hooks.onHalt?.();
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
        retryAgent.destroy();
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
