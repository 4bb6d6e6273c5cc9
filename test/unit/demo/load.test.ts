// The load helper must see every failure, or the zero-downtime tests could pass without proving anything.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { freePort } from '../../helpers/ports.ts';
import { startLoad } from '../../helpers/load.ts';

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

  const load = startLoad({ url: `http://127.0.0.1:${port}/`, rps: 200, maxDurationMs: 1000 });
  await new Promise((r) => setTimeout(r, 1300)); // past maxDurationMs: it must have stopped sending
  const sentAtBound = load.snapshot().sent;
  const report = await load.stop();

  assert.equal(report.sent, sentAtBound);
  assert.ok(report.sent >= 190 && report.sent <= 201, `sent ${report.sent}`);
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
  const load = startLoad({ url: `http://127.0.0.1:${port}/`, rps: 100, maxDurationMs: 300 });
  const report = await new Promise((r) => setTimeout(r, 400)).then(() => load.stop());
  assert.ok(report.sent > 20);
  assert.equal(report.ok, 0);
  assert.equal(report.failed, report.sent);
  assert.equal(report.failures[0]!.error, 'ECONNREFUSED');
});
