// A Prometheus (or the proxy before it) that answers 429 or 503 with Retry-After says when to ask again: the
// retry waits that long rather than its own backoff (which asked again at once, into the same refusal), as
// long as the wait fits in the read's timeout; one asking for longer is not retried, and its error says why.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createPrometheusProvider } from '../../../src/analysis/providers/prometheus.ts';

const OK = '{"status":"success","data":{"resultType":"scalar","result":[1,"3"]}}';
/** What the server answers next, one per request; then OK. */
const answers: Array<{ status: number; retryAfter?: string }> = [];
let requests = 0;
const server = createServer((_, res) => {
  requests++;
  const next = answers.shift();
  if (!next) return void res.writeHead(200, { 'content-type': 'application/json' }).end(OK);
  res
    .writeHead(next.status, {
      'content-type': 'application/json',
      ...(next.retryAfter ? { 'retry-after': next.retryAfter } : {}),
    })
    .end('{"status":"error","errorType":"unavailable","error":"too many queries"}');
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
after(() => {
  server.closeAllConnections();
  server.close();
});

async function read(given: Array<{ status: number; retryAfter?: string }>, timeout?: number) {
  answers.splice(0, answers.length, ...given);
  requests = 0;
  const waits: number[] = [];
  const provider = createPrometheusProvider(
    'prom',
    {
      type: 'prometheus',
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
      retries: 2,
      backoff: 10,
      ...(timeout ? { timeout } : {}),
    },
    { sleep: async (ms) => void waits.push(ms) },
  );
  const result = await provider.read({
    side: 'canary',
    vars: {},
    metrics: [{ name: 'p95', config: { provider: 'prom', query: 'up' } }],
    intervalMs: 1000,
    signal: AbortSignal.timeout(10_000),
  });
  return { result, waits, requests };
}

test('a 429 or 503 with Retry-After is retried after the wait it asks for, not the backoff', async () => {
  for (const status of [429, 503]) {
    const { result, waits, requests } = await read([{ status, retryAfter: '3' }]);
    assert.deepEqual(result, { values: { p95: 3 }, errors: [] }, String(status));
    assert.deepEqual(waits, [3000], String(status));
    assert.equal(requests, 2);
  }
  // Shorter than the backoff, or none: the backoff.
  assert.deepEqual((await read([{ status: 503, retryAfter: '0' }, { status: 503 }])).waits, [10, 20]);
});

test('a Retry-After longer than the read timeout is not waited for: the error at once, saying so', async () => {
  const { result, waits, requests } = await read([{ status: 429, retryAfter: '120' }], 5000);
  assert.deepEqual(waits, []);
  assert.equal(requests, 1);
  assert.equal(result.errors[0]?.code, 'http-status');
  assert.match(
    result.errors[0]!.message,
    /asked to retry after 120s, longer than the read's 5s timeout: not retried/,
  );
});
