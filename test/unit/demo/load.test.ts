// The load helper must see every failure, or the zero-downtime tests could pass without proving anything;
// and it must not count its own lag on a busy machine as one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { Worker } from 'node:worker_threads';
import { freePort } from '../../helpers/ports.ts';
import {
  assessLoad,
  assertZeroDowntime,
  describeLoad,
  lastFullBucket,
  runLoadClient,
  startLoad,
  type LoadReport,
} from '../../helpers/load.ts';

test('counts 5xx answers and versions, at the asked rate, and stops by itself at maxDurationMs', async (t) => {
  let n = 0;
  const server = createServer((_req, res) => {
    n += 1;
    const status = n % 10 === 0 ? 503 : 200;
    res.writeHead(status, { 'x-version': n % 2 === 0 ? 'even' : 'odd' });
    res.end();
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });

  const load = await startLoad({ url: `http://127.0.0.1:${port}/`, rps: 200, maxDurationMs: 1000 });
  await new Promise((r) => setTimeout(r, 1300)); // past maxDurationMs: it must have stopped sending
  const sentAtBound = load.snapshot().sent;
  const report = await load.stop();

  assert.equal(report.sent, sentAtBound);
  // What it sent or reported skipped is what the schedule asked for, never more; how much of it could be sent
  // depends on how busy the machine is, so only a floor far below the rate is asserted.
  assert.ok(report.sent + report.skipped <= 201, describeLoad(report));
  assert.ok(report.sent >= 50, describeLoad(report));
  assert.equal(report.ok + report.failed, report.sent);
  assert.equal(report.failed, Math.floor(n / 10));
  assert.ok(report.failures.every((f) => f.status === 503 && f.atMs >= 0 && f.atMs <= 1000));
  assert.equal((report.byVersion.even ?? 0) + (report.byVersion.odd ?? 0), report.ok);
  assert.equal(report.timeline.length, 2);
  assert.equal(
    report.timeline.reduce((s, b) => s + b.failed + Object.values(b.byVersion).reduce((a, c) => a + c, 0), 0),
    report.sent,
  );
});

test('counts refused connections as failures with their error code', async () => {
  const port = await freePort(); // nothing listens
  const load = await startLoad({ url: `http://127.0.0.1:${port}/`, rps: 100, maxDurationMs: 300 });
  const report = await new Promise((r) => setTimeout(r, 400)).then(() => load.stop());
  // How many went out in 300 ms depends on how busy the machine is (a lagging client skips, and says so): what
  // is asserted is that every one sent was counted as a failure with its code.
  assert.ok(report.sent >= 1, describeLoad(report));
  assert.equal(report.ok, 0);
  assert.equal(report.failed, report.sent);
  assert.equal(report.failures[0]!.error, 'ECONNREFUSED');
});

/** Blocks this process's event loop: what a starved CPU does to the load client. */
function stall(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // busy: nothing runs, no timer fires, no reply is read
  }
}

async function fastServer(t: { after(fn: () => void): void }): Promise<string> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'x-version': 'v1' });
    res.end();
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  return `http://127.0.0.1:${port}/`;
}

test('a client whose own event loop stalls counts no failure: the time it could not run is not a timeout, the requests it could not send are skipped', async (t) => {
  const url = await fastServer(t);
  // Requests time out after 1 s; the client is frozen for 1.5 s twice while requests are in flight. The
  // server answers at once (a busy machine may take some hundreds of ms, never a second): every request that
  // was sent must end ok.
  // The client runs in this thread here (runLoadClient), so stalling this thread stalls it: what an OS that
  // gives its thread no CPU does to it.
  const load = runLoadClient({ url, rps: 300, maxDurationMs: 20_000, requestTimeoutMs: 1000 });
  await new Promise((r) => setTimeout(r, 300));
  stall(1500);
  await new Promise((r) => setTimeout(r, 300));
  stall(1500);
  await new Promise((r) => setTimeout(r, 300));
  const report = await load.stop();

  assert.equal(report.failed, 0, describeLoad(report));
  assert.equal(report.ok, report.sent);
  assert.ok(report.client.maxStallMs >= 1400, describeLoad(report));
  // After a stall it sends one catch-up burst (100 ms of schedule), not the 180 requests it missed at once.
  assert.ok(report.client.skippedBehind >= 2 * 100, describeLoad(report));
  assert.equal(report.skipped, report.client.skippedBehind + report.client.skippedInFlight);
  assert.ok(Math.max(...report.timeline.map((b) => b.sent)) <= 150 + 30 + 5, JSON.stringify(report.timeline));
  assert.ok(report.client.maxSendGapMs >= 1400, describeLoad(report));
  // The client lagged but no request failed: with enough load left, that is a pass that says so.
  assert.equal(
    assessLoad(report, { maxSendGapMs: 3000, minRateShare: 0.1 }).kind,
    'proved',
    describeLoad(report),
  );
  assert.equal(
    assessLoad(report).kind,
    'too-little-load',
    'a 1.5 s blind spot is longer than the 1 s a zero-downtime test accepts',
  );
});

/** A server in a thread of its own (this thread is about to be stalled), answering at once. */
async function serverInWorker(t: { after(fn: () => Promise<unknown>): void }): Promise<string> {
  const worker = new Worker(
    `const http = require('node:http');
     const server = http.createServer((_req, res) => { res.writeHead(200, { 'x-version': 'v1' }); res.end(); });
     server.listen(0, '127.0.0.1', () => require('node:worker_threads').parentPort.postMessage(server.address().port));`,
    { eval: true },
  );
  t.after(() => worker.terminate());
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return `http://127.0.0.1:${port}/`;
}

test('startLoad runs the client in its own thread: the test thread busy for 1.5 s, twice, leaves no blind spot in the load', async (t) => {
  const url = await serverInWorker(t);
  // The same stalls as above, which leave a runLoadClient in this thread blind for 1.5 s each (a failure
  // then would not be seen, so the run proves nothing): the test's thread running fake GitHub or Probot
  // must not be able to do that to the load.
  const load = await startLoad({ url, rps: 300, maxDurationMs: 20_000, requestTimeoutMs: 1000 });
  await new Promise((r) => setTimeout(r, 300));
  stall(1500);
  await new Promise((r) => setTimeout(r, 300));
  stall(1500);
  await new Promise((r) => setTimeout(r, 300));
  const report = await load.stop();

  assert.equal(report.failed, 0, describeLoad(report));
  assert.ok(report.durationMs >= 3600, describeLoad(report));
  assert.ok(report.client.maxSendGapMs < 1000, describeLoad(report));
  assert.equal(assessLoad(report).kind, 'proved', describeLoad(report));
  // It kept sending through each stall of this thread (500 ms buckets wholly inside them).
  for (const from of [300, 2100]) {
    const inside = report.timeline.filter((b) => b.atMs >= from + 250 && b.atMs + 500 <= from + 1500);
    assert.ok(inside.length > 0 && inside.every((b) => b.sent > 0), JSON.stringify(report.timeline));
  }
});

test('a load worker that cannot run its load rejects startLoad or stop with the reason', async () => {
  await assert.rejects(
    startLoad({ url: 'http://127.0.0.1:1/', rps: 0, maxDurationMs: 100 }),
    /rps and maxDurationMs must be > 0/,
  );
  // A URL http.get refuses throws in the worker at its first send: stop() says so instead of hanging.
  const load = await startLoad({ url: 'not a url', rps: 50, maxDurationMs: 5000 });
  await new Promise((r) => setTimeout(r, 300));
  const error = await load.stop().then(
    () => undefined,
    (e: Error) => e,
  );
  assert.match(String(error), /Invalid URL/);
});

test('a request the server never answers still fails as a timeout when the client was running', async (t) => {
  const server = createServer(() => {
    // never answers
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  const load = await startLoad({
    url: `http://127.0.0.1:${port}/`,
    rps: 50,
    maxDurationMs: 200,
    requestTimeoutMs: 300,
  });
  await new Promise((r) => setTimeout(r, 250)); // past maxDurationMs: every request is in flight
  // No clock: the server never answers, so stop() can only end by each request's 300 ms deadline (every
  // failure a timeout); without it stop() would wait for ever, and the test's own timeout is the backstop.
  const report = await load.stop();
  assert.ok(report.sent > 0);
  assert.equal(report.failed, report.sent, describeLoad(report));
  assert.ok(report.failures.every((f) => f.error === 'timeout'));
});

function report(
  overrides: Partial<Omit<LoadReport, 'client'>> & { client?: Partial<LoadReport['client']> },
): LoadReport {
  return {
    rps: 300,
    sent: 9000,
    ok: 9000,
    failed: 0,
    retried: 0,
    retries: [],
    skipped: 0,
    failures: [],
    byVersion: { v1: 9000 },
    achievedRps: 300,
    durationMs: 30_000,
    stoppedBy: 'stop',
    latencyMs: { p50: 1, p99: 5, max: 20 },
    timeline: [],
    ...overrides,
    client: {
      skippedBehind: 0,
      skippedInFlight: 0,
      maxStallMs: 0,
      maxSendGapMs: 10,
      maxSendGapAtMs: 0,
      ...overrides.client,
    },
  };
}

test('assessLoad: a failure is the router failing; a lagging client passes while the load still proves something, and fails saying it is the machine', () => {
  const failed = assessLoad(report({ failed: 1, ok: 8999, failures: [{ atMs: 5, error: 'ECONNRESET' }] }));
  assert.equal(failed.kind, 'requests-failed');
  assert.match(failed.summary, /1 of 9000 requests failed.*ECONNRESET/);

  const lagged = assessLoad(
    report({ skipped: 1500, achievedRps: 250, client: { skippedBehind: 1500, maxStallMs: 400 } }),
  );
  assert.deepEqual([lagged.kind, lagged.kind === 'proved' && lagged.lagged], ['proved', true]);
  assert.match(lagged.summary, /could not keep its rate \(1500 requests not sent, 250 of 300 rps\)/);
  assert.deepEqual(assessLoad(report({})).kind, 'proved');

  const thin = assessLoad(report({ achievedRps: 90, skipped: 6300, client: { skippedBehind: 6300 } }));
  assert.equal(thin.kind, 'too-little-load');
  assert.match(
    thin.summary,
    /no request failed, but the load was too thin.*not a router failure.*reached 90 rps of the 300 asked \(at least 100 needed\)/,
  );
  assert.equal(assessLoad(report({ achievedRps: 90 }), { minRateShare: 0.25 }).kind, 'proved');

  const gap = assessLoad(report({ client: { maxSendGapMs: 1800, maxSendGapAtMs: 4200 } }));
  assert.equal(gap.kind, 'too-little-load');
  assert.match(gap.summary, /sent nothing for 1800 ms from 4200 ms \(at most 1000 ms allowed\)/);

  const bound = assessLoad(report({ stoppedBy: 'max-duration' }));
  assert.equal(bound.kind, 'too-little-load');
  assert.match(bound.summary, /stopped at its own time bound after 30000 ms, before the test ended/);
  // Failures are reported as failures even when the load was also thin.
  assert.equal(assessLoad(report({ failed: 2, achievedRps: 10 })).kind, 'requests-failed');
});

test('assertZeroDowntime fails on a failure, reports a lag as a diagnostic, and fails a thin load saying why', () => {
  const diagnostics: string[] = [];
  const t = { diagnostic: (m: string) => void diagnostics.push(m) };
  assert.throws(() => assertZeroDowntime(t, report({ failed: 3 })), /requests failed: 3 of 9000/);
  assert.throws(
    () => assertZeroDowntime(t, report({ achievedRps: 50 })),
    /too thin to prove zero downtime.*50 rps of the 300 asked/,
  );
  assertZeroDowntime(t, report({ skipped: 10, achievedRps: 299, client: { skippedInFlight: 10 } }));
  assert.match(diagnostics.at(-1)!, /could not keep its rate \(10 requests not sent/);
});

test('lastFullBucket refuses an empty bucket (the client stalled) rather than reading it as "no version"', () => {
  const stalled = report({
    timeline: [
      { atMs: 0, byVersion: { v1: 150 }, failed: 0, retried: 0, sent: 150 },
      { atMs: 500, byVersion: {}, failed: 0, retried: 0, sent: 0 },
      { atMs: 1000, byVersion: { v1: 10 }, failed: 0, retried: 0, sent: 10 },
    ],
  });
  assert.throws(() => lastFullBucket(stalled), /sent nothing in the last full 500 ms/);
  const settled = { ...stalled, timeline: [stalled.timeline[0]!, stalled.timeline[2]!] };
  assert.deepEqual(lastFullBucket(settled).byVersion, { v1: 150 });
});
