// A prober URL with a user and password (`http://user:password@host/health`, as a health check may be
// written) is probed with them as basic auth: fetch refuses such a URL outright, and the prober counted each
// refusal as the version failing a request. No request was sent, and a healthy version read an error rate
// of 1 and was rolled back, no provider error saying why.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpProber } from '../../../src/analysis/providers/http-prober.ts';

const seen: Array<{ url: string; authorization: string | undefined }> = [];
const server = createServer((req, res) => {
  seen.push({ url: req.url ?? '', authorization: req.headers.authorization });
  res.end('ok');
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const port = (server.address() as AddressInfo).port;
after(() => {
  server.closeAllConnections();
  server.close();
});

const metrics = [
  { name: 'error_rate', config: { provider: 'probe' } },
  { name: 'requests', config: { provider: 'probe' } },
];

test('a prober URL with user:password is probed with them as basic auth, and the version is measured', async () => {
  seen.length = 0;
  const prober = createHttpProber(
    'probe',
    {
      type: 'http',
      url: `http://probe%40ops:pa%3Ass@127.0.0.1:${port}/health/{{version}}`,
      stable_url: `http://stable:word@127.0.0.1:${port}/stable`,
      rate: 20,
    },
    { sleep: async () => {} },
  );
  for (const side of ['canary', 'stable'] as const) {
    const read = await prober.read({
      side,
      vars: { version: '1.2' },
      metrics,
      intervalMs: 200,
      signal: AbortSignal.timeout(10_000),
    });
    assert.deepEqual(read, { values: { error_rate: 0, requests: 4 }, errors: [] }, side);
  }
  assert.equal(seen.length, 8);
  const basic = (userinfo: string) => `Basic ${Buffer.from(userinfo).toString('base64')}`;
  for (const s of seen.slice(0, 4))
    assert.deepEqual(s, { url: '/health/1.2', authorization: basic('probe@ops:pa:ss') });
  for (const s of seen.slice(4)) assert.deepEqual(s, { url: '/stable', authorization: basic('stable:word') });
});

test('a prober URL on a port fetch never connects to is a provider error, not a version failing every request', async () => {
  // 6000 (X11) is one of the Fetch standard's "bad ports": fetch refuses it before connecting, so nothing is
  // sent here. Each refusal was counted as the version failing a request: error rate 1, a rollback of a
  // healthy version with no word of why.
  const prober = createHttpProber('probe', { type: 'http', url: 'http://127.0.0.1:6000/health', rate: 20 });
  const read = await prober.read({
    side: 'canary',
    vars: {},
    metrics,
    intervalMs: 200,
    signal: AbortSignal.timeout(10_000),
  });
  assert.deepEqual(read.values, { error_rate: null, requests: null });
  assert.equal(read.errors.length, 1, JSON.stringify(read.errors));
  assert.equal(read.errors[0]!.code, 'network');
  assert.match(read.errors[0]!.message, /fetch never connects to port 6000 .*bad port/);
});
