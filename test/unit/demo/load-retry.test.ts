// The load client and the keep-alive race: a router closes a connection that sat idle in the client's pool
// just as the client sends on it (haproxy's `timeout http-keep-alive`; seen in rollout-control's e2e as 8
// ECONNRESET at one instant, 64 s into the load, on a machine too busy for the client to read the close in
// time). HTTP lets a client send such a GET again, and real clients do; the load client does so once, on a
// new connection, and reports it. Everything else stays a failure: a fresh connection reset, an answer that
// broke off, a retry that fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { freePort } from '../../helpers/ports.ts';
import { describeLoad, runLoadClient, type LoadReport } from '../../helpers/load.ts';
import { retryDecision, type FailedAttempt } from '../../helpers/load-retry.ts';

type Reply = 'answer' | 'drop' | 'partial';

/**
 * A server that, for the nth request on a connection (1 first), answers, drops the connection without a
 * byte of answer ('drop': what the client meets when the router closed the idle connection as its request
 * crossed), or writes the start of an answer and closes ('partial').
 */
async function server(
  t: { after(fn: () => void): void },
  reply: (nth: number, req: IncomingMessage) => Reply,
): Promise<{ url: string; reused: () => number }> {
  const counts = new WeakMap<Socket, number>();
  // How many requests came on a connection's third use or later: the case each test is about.
  let reused = 0;
  const s = createServer((req, res) => {
    const nth = (counts.get(req.socket) ?? 0) + 1;
    counts.set(req.socket, nth);
    if (nth >= 3) reused++;
    const what = reply(nth, req);
    if (what === 'drop') req.socket.destroy();
    else if (what === 'partial') req.socket.end('HTTP/1.1 200 OK\r\nx-version: v1\r\n');
    else {
      res.writeHead(200, { 'x-version': 'v1' });
      res.end();
    }
  });
  const port = await freePort();
  await new Promise<void>((r) => s.listen(port, '127.0.0.1', r));
  t.after(() => {
    s.closeAllConnections();
    s.close();
  });
  return { url: `http://127.0.0.1:${port}/`, reused: () => reused };
}

/**
 * `idleCloseMs` is the router's idle close the client is told of. 0 stands for a server that closes its
 * connections as soon as they are idle, so every reset on reuse is that race; the default (haproxy's 30 s)
 * makes a reset of a connection in use, idle for milliseconds, a dropped request.
 */
async function load(
  target: { url: string; reused: () => number },
  idleCloseMs = 0,
  untilReused = true,
): Promise<LoadReport> {
  // At least 400 ms, and on until connections have reached their third request three times: on a busy machine answers are
  // slow, the client opens a connection per request in flight, and 400 ms can pass with none reused. Bounded.
  const running = runLoadClient({
    url: target.url,
    rps: 200,
    maxDurationMs: 20_000,
    requestTimeoutMs: 5000,
    idleCloseMs,
  });
  const started = performance.now();
  while (
    performance.now() - started < 400 ||
    (untilReused && target.reused() < 3 && performance.now() - started < 20_000)
  )
    await new Promise((r) => setTimeout(r, 25));
  return running.stop();
}

const isRetry = (req: IncomingMessage) => req.headers.connection === 'close';

test('a GET reset on a reused keep-alive connection before any answer byte is sent again on a new connection: ok, and reported as retried', async (t) => {
  // Every pooled connection is closed as its third request crosses; the retry (a new connection) is answered.
  const report = await load(await server(t, (nth, req) => (nth === 3 && !isRetry(req) ? 'drop' : 'answer')));

  assert.ok(report.sent >= 20, describeLoad(report));
  assert.equal(report.failed, 0, describeLoad(report));
  assert.equal(report.ok, report.sent);
  assert.equal(report.byVersion.v1, report.sent);
  assert.ok(report.retried > 0, describeLoad(report));
  assert.equal(report.retries.length, report.retried);
  assert.ok(report.retries.every((r) => r.error === 'ECONNRESET' && r.idleMs >= 0));
  assert.equal(
    report.timeline.reduce((n, b) => n + b.retried, 0),
    report.retried,
  );
  assert.match(
    describeLoad(report),
    /retried \d+ \(reset before any answer byte on a reused keep-alive connection/,
  );
});

test('a reset of a fresh connection, an answer that broke off, and a retry that fails are failures, each said', async (t) => {
  // A new connection reset at its first request: nothing was reused, so it is the server's failure.
  const fresh = await load(await server(t, () => 'drop'), 0, false);
  assert.ok(fresh.sent > 0);
  assert.equal(fresh.failed, fresh.sent, describeLoad(fresh));
  assert.equal(fresh.retried, 0);
  assert.ok(fresh.failures.every((f) => f.error === 'ECONNRESET' && f.retriedAfter === undefined));

  // On a reused connection, the start of an answer then the close: the request may have been acted on.
  const partial = await load(await server(t, (nth) => (nth === 3 ? 'partial' : 'answer')));
  assert.ok(partial.failed > 0, describeLoad(partial));
  assert.equal(partial.retried, 0, describeLoad(partial));
  assert.equal(partial.ok + partial.failed, partial.sent);

  // The race on a reused connection, and the retry on its new connection fails too: one failure, said so.
  const again = await load(await server(t, (nth, req) => (nth === 3 || isRetry(req) ? 'drop' : 'answer')));
  assert.ok(again.retried > 0, describeLoad(again));
  assert.equal(again.failed, again.retried, describeLoad(again));
  assert.equal(again.ok + again.failed, again.sent);
  assert.ok(again.failures.every((f) => f.retriedAfter === 'ECONNRESET' && f.error === 'ECONNRESET'));
  assert.match(describeLoad(again), /ECONNRESET\(retry after ECONNRESET\)/);
});

test('a router that drops requests on connections in use is failing them: not retried, whatever the keep-alive', async (t) => {
  // The same drop as the race above, but told the router's real idle close (haproxy's 30 s): the connection
  // was idle for milliseconds, so the router dropped a request it had read. A reload that kills the old
  // process's connections, or a hard stop with requests in flight, looks like this.
  const report = await load(
    await server(t, (nth, req) => (nth === 3 && !isRetry(req) ? 'drop' : 'answer')),
    30_000,
  );
  assert.ok(report.failed > 0, describeLoad(report));
  assert.equal(report.retried, 0, describeLoad(report));
  assert.ok(report.failures.every((f) => f.error === 'ECONNRESET' && f.retriedAfter === undefined));
  assert.equal(report.ok + report.failed, report.sent);
});

test('retryDecision: only an idempotent request, on a reused connection, reset before any answer byte, once', () => {
  const race: FailedAttempt = {
    method: 'GET',
    reusedSocket: true,
    responseStarted: false,
    code: 'ECONNRESET',
    attempt: 1,
    idleMs: 29_000,
    idleCloseMs: 30_000,
  };
  assert.deepEqual(retryDecision(race), { retry: true, reason: 'reset-on-reused-connection' });
  assert.deepEqual(retryDecision({ ...race, code: 'EPIPE' }).retry, true);
  const no = (a: Partial<FailedAttempt>) => {
    const d = retryDecision({ ...race, ...a });
    return d.retry ? 'retry' : d.reason;
  };
  assert.equal(no({ attempt: 2 }), 'already-retried');
  assert.equal(no({ method: 'POST' }), 'not-idempotent');
  assert.equal(no({ reusedSocket: false }), 'fresh-connection');
  assert.equal(no({ idleMs: 40 }), 'connection-in-use');
  assert.equal(no({ idleMs: 14_999 }), 'connection-in-use');
  assert.deepEqual(retryDecision({ ...race, idleMs: 15_000 }).retry, true);
  assert.equal(no({ responseStarted: true }), 'response-started');
  assert.equal(no({ code: 'ECONNREFUSED' }), 'not-a-reset');
  assert.equal(no({ code: undefined }), 'not-a-reset');
});
