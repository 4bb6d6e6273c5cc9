// The blue-green warm-up against hostile servers (loopback only), held to the health checks' rules: a body
// is read only up to a bound (a page that never ends neither fills the memory nor fails the warm-up), a
// redirect is an answer (never followed to another host), a user:password in the URL is sent as basic auth
// and shown nowhere, and a failed warm-up says why its requests failed.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { healthAnalyzer } from '../../../src/pipeline/analyzer.ts';
import { createStepRunner } from '../../../src/pipeline/step-runner.ts';
import { environment } from '../../helpers/machine-driver.ts';
import { freePort } from '../../helpers/ports.ts';

const open: Array<() => Promise<void>> = [];
after(() => Promise.all(open.map((close) => close())));

async function serve(answer: (res: ServerResponse) => void) {
  const seen: Array<{ url: string; headers: IncomingHttpHeaders }> = [];
  const server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    answer(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  open.push(
    () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

function warmup(url: string, requests = 2) {
  const env = environment(
    `  production:\n    strategy: { type: blue-green, warmup: { url: ${JSON.stringify(url)}, requests: ${requests}, interval: 0s } }`,
  );
  const runStep = createStepRunner({
    env,
    values: { version: 'v2', slot: 'green' },
    analyzer: healthAnalyzer(env),
  });
  return runStep({ kind: 'warmup', slot: 'green' });
}

test('a page that never ends: its start is read, the request counts as answered', async () => {
  let bytesSent = 0;
  const s = await serve((res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    const chunk = 'x'.repeat(64 * 1024);
    const pump = () => {
      while (!res.destroyed && res.write(chunk)) bytesSent += chunk.length;
      if (!res.destroyed) res.once('drain', pump);
    };
    pump();
  });
  const result = await warmup(`${s.url}/warm`);
  assert.equal(result.ok, true, result.ok ? '' : result.reason);
  assert.equal(s.seen.length, 2);
  // Read until the bound, not until a timeout: far less than what 5 s of loopback would carry.
  assert.ok(bytesSent < 64 * 1024 * 1024, `${bytesSent} bytes were sent`);
});

test('a redirect is an answer, never followed to another host', async () => {
  const other = await serve((res) => void res.writeHead(200).end('ok'));
  const s = await serve((res) => void res.writeHead(302, { location: `${other.url}/elsewhere` }).end());
  const result = await warmup(`${s.url}/warm`);
  assert.equal(result.ok, true, result.ok ? '' : result.reason);
  assert.equal(s.seen.length, 2);
  assert.deepEqual(other.seen, []);
});

test('user:password in the URL is sent as basic auth and shown nowhere; a failure says why', async () => {
  const s = await serve((res) => void res.writeHead(503).end('starting'));
  const url = s.url.replace('http://', 'http://ops:s3cr%40t-pw@');
  const result = await warmup(`${url}/warm`);
  assert.equal(result.ok, false);
  assert.equal(s.seen.length, 2, 'the requests were sent');
  assert.equal(s.seen[0]!.headers.authorization, `Basic ${Buffer.from('ops:s3cr@t-pw').toString('base64')}`);
  const reason = result.ok ? '' : result.reason;
  assert.ok(!/s3cr|ops:/.test(reason), reason);
  assert.equal(reason, `warm-up: 2 of 2 requests to ${s.url}/warm failed (last: answered 503)`);
});

test('a slot that refuses connections: the warm-up says so', async () => {
  // A reserved port (outside the ephemeral range): a just-closed port 0 one could be handed to another socket.
  const port = await freePort();
  const result = await warmup(`http://127.0.0.1:${port}/warm`);
  assert.equal(result.ok, false);
  assert.match(result.ok ? '' : result.reason, /failed \(last: ECONNREFUSED/);
});
