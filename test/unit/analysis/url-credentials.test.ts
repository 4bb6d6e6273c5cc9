// A token in a provider URL's query (`?token=...`, `access_token`, `api_key`) is a credential like the
// password of its userinfo: sent where it belongs, never written to a message (the job log, a recording).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { classifyFetchError, withoutUrlCredentials } from '../../../src/analysis/http.ts';
import { createHttpProber } from '../../../src/analysis/providers/http-prober.ts';
import { createPrometheusProvider } from '../../../src/analysis/providers/prometheus.ts';

test('credential-shaped query parameters are hidden in messages, other parameters kept', () => {
  assert.equal(
    withoutUrlCredentials(
      'fetch failed for http://u:p@prom:9090/api/v1/query?query=up&access_token=hunter2&apikey=k1 (x)',
    ),
    'fetch failed for http://***@prom:9090/api/v1/query?query=up&access_token=***&apikey=*** (x)',
  );
  const error = classifyFetchError(
    'prom',
    new TypeError('Failed to parse URL from http://prom:9090/?token=hunter2&client_secret=s3'),
    1000,
  );
  assert.equal(error.message, 'Failed to parse URL from http://prom:9090/?token=***&client_secret=***');
});

test('the prober names its URL without the token when the URL is refused', async () => {
  const prober = createHttpProber('probe', {
    type: 'http',
    url: 'ftp://{{slot}}.internal/health?token=hunter2',
    rate: 1,
  });
  const read = await prober.read({
    side: 'canary',
    vars: { slot: 'blue' },
    metrics: [{ name: 'p95', config: { provider: 'probe' } }],
    intervalMs: 1000,
    signal: AbortSignal.timeout(5000),
  });
  assert.equal(read.errors.length, 1);
  assert.ok(!read.errors[0]!.message.includes('hunter2'), read.errors[0]!.message);
  assert.match(read.errors[0]!.message, /token=\*\*\*/);
});

test('the query of a Prometheus URL goes with every request (a proxy reading ?token=)', async (t) => {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(req.url ?? '');
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ status: 'success', data: { resultType: 'scalar', result: [1, '0.5'] } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const port = (server.address() as AddressInfo).port;
  const provider = createPrometheusProvider('prom', {
    type: 'prometheus',
    url: `http://127.0.0.1:${port}/prom/?token=hunter2`,
    retries: 0,
  });
  const read = await provider.read({
    side: 'canary',
    vars: { version: 'v2' },
    metrics: [{ name: 'error_rate', config: { provider: 'prom', query: 'up' } }],
    intervalMs: 60_000,
    signal: AbortSignal.timeout(5000),
  });
  assert.deepEqual(read, { values: { error_rate: 0.5 }, errors: [] });
  assert.equal(seen.length, 1);
  const url = new URL(seen[0]!, 'http://x');
  assert.equal(url.pathname, '/prom/api/v1/query');
  assert.equal(url.searchParams.get('token'), 'hunter2');
  assert.equal(url.searchParams.get('query'), 'up');
});
