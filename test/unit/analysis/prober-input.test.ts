// The prober measures a fixed set of fields: a metric reading another one is told so every interval, not left
// without data until a no-data rollback that does not say why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAnalyzer } from '../../../src/analysis/analyzer.ts';
import { createHttpProber } from '../../../src/analysis/providers/http-prober.ts';

test('a prober metric reading a field the prober does not measure is a query error naming it', async (t) => {
  const server = createServer((_req, res) => res.writeHead(200).end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
  const prober = createHttpProber('probe', { type: 'http', url, rate: 5 }, { sleep: async () => {} });
  const read = await prober.read({
    side: 'canary',
    vars: {},
    metrics: [
      { name: 'p95', config: { provider: 'probe' } },
      { name: 'health', config: { provider: 'probe', field: 'success_rate' } },
      { name: 'p90', config: { provider: 'probe' } },
      { name: 'slow', config: { provider: 'probe', field: 'latency' } },
    ],
    intervalMs: 1000,
    signal: new AbortController().signal,
  });
  assert.equal(read.values.health, 1);
  assert.equal(typeof read.values.p95, 'number');
  assert.equal(read.values.p90, null);
  assert.equal(read.values.slow, null);
  assert.deepEqual(read.errors, [
    {
      provider: 'probe',
      code: 'query-error',
      message:
        'p90: the prober measures requests, errors, success_rate, error_rate, p50, p95, p99; not "p90" (give field: one of them)',
    },
    {
      provider: 'probe',
      code: 'query-error',
      message:
        'slow: the prober measures requests, errors, success_rate, error_rate, p50, p95, p99; not "latency" (its field)',
    },
  ]);
});

test('the rollback that follows names the field, whichever of max_no_data and max_provider_errors fires', async () => {
  let now = 1_700_000_000_000;
  const analyzer = createAnalyzer(
    {
      preset: 'none',
      providers: { probe: { type: 'http', url: 'http://canary.invalid/health', rate: 1, max_requests: 1 } },
      metrics: { p90: { provider: 'probe' } },
      checks: [{ check: 'p90 < 500' }],
    },
    {
      now: () => now,
      sleep: async (ms: number) => void (now += ms),
      fetch: (async () => new Response('ok')) as typeof fetch,
    },
  );
  const outcome = await analyzer.evaluate({
    phase: 'verify',
    environment: 'production',
    version: 'v2',
    windowMs: 10 * 60_000,
    intervalMs: 60_000,
    signal: new AbortController().signal,
  });
  assert.equal(outcome.decision.kind, 'rollback');
  assert.match(outcome.decision.reason, /p90: the prober measures requests, .*; not "p90"/);
});
