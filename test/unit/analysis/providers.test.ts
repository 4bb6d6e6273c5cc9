import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PrometheusClient } from '../../../src/analysis/providers/prometheus.ts';
import { createCommandProvider, parseMetricsJson } from '../../../src/analysis/providers/command.ts';
import { summarize } from '../../../src/analysis/providers/http-prober.ts';
import { escapePromqlString } from '../../../src/analysis/promql.ts';
import { freePort } from '../../helpers/prometheus.ts';

async function serve(answers: Array<{ status: number; body: string; delayMs?: number }>) {
  let calls = 0;
  const server = createServer((_req, res) => {
    const a = answers[Math.min(calls++, answers.length - 1)]!;
    setTimeout(
      () => res.writeHead(a.status, { 'content-type': 'application/json' }).end(a.body),
      a.delayMs ?? 0,
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, calls: () => calls, close: () => new Promise<void>((r) => server.close(() => r())) };
}
const noSleep = async () => {};
const ok = (v: string) =>
  JSON.stringify({
    status: 'success',
    data: { resultType: 'vector', result: [{ metric: {}, value: [1, v] }] },
  });

test('prometheus: a 503 is retried with backoff, then the answer is used', async () => {
  const s = await serve([
    { status: 503, body: 'unavailable' },
    { status: 200, body: ok('0.5') },
  ]);
  const delays: number[] = [];
  const client = new PrometheusClient(
    'p',
    { type: 'prometheus', url: s.url, retries: 2, backoff: 100 },
    { sleep: async (ms) => void delays.push(ms) },
  );
  assert.deepEqual(await client.instant('up'), { ok: true, value: 0.5 });
  assert.deepEqual(delays, [100]);
  await s.close();
});

test('prometheus: typed errors for status, bad JSON, timeout and connection refused', async () => {
  const s = await serve([{ status: 502, body: 'bad gateway' }]);
  const status = await new PrometheusClient(
    'p',
    { type: 'prometheus', url: s.url, retries: 1 },
    { sleep: noSleep },
  ).instant('up');
  assert.deepEqual(!status.ok && [status.error.code, status.error.status, status.error.attempts], [
    'http-status',
    502,
    2,
  ]);
  await s.close();
  const j = await serve([{ status: 200, body: '<html>' }]);
  const bad = await new PrometheusClient(
    'p',
    { type: 'prometheus', url: j.url, retries: 3 },
    { sleep: noSleep },
  ).instant('up');
  assert.deepEqual(
    !bad.ok && [bad.error.code, bad.error.attempts],
    ['bad-json', 1],
    'bad JSON is not retried',
  );
  await j.close();
  const slow = await serve([{ status: 200, body: ok('1'), delayMs: 2000 }]);
  const timeout = await new PrometheusClient('p', {
    type: 'prometheus',
    url: slow.url,
    timeout: 100,
    retries: 0,
  }).instant('up');
  assert.equal(!timeout.ok && timeout.error.code, 'timeout');
  await slow.close();
  const port = await freePort();
  const refused = await new PrometheusClient('p', {
    type: 'prometheus',
    url: `http://127.0.0.1:${port}`,
    retries: 0,
  }).instant('up');
  assert.equal(!refused.ok && refused.error.code, 'connection-refused');
});

test('PromQL values are escaped for double-quoted label strings', () => {
  assert.equal(escapePromqlString('a"b\\c\nd'), 'a\\"b\\\\c\\nd');
});

test('command provider: argv without a shell, JSON numbers or null; bad output is a typed error', async () => {
  const provider = createCommandProvider('cmd', {
    type: 'command',
    run: [
      process.execPath,
      '-e',
      'console.log(JSON.stringify({ len: process.argv[1].length, e: null, side: process.env.DEPLOY_SIDE === "stable" ? 1 : 0 }))',
      '{{version}}',
    ],
    retries: 0,
  });
  const metrics = ['len', 'e', 'side'].map((name) => ({ name, config: { provider: 'cmd' } }));
  const read = await provider.read({
    side: 'stable',
    vars: { version: '$(rm -rf /)' },
    metrics,
    intervalMs: 1000,
    signal: AbortSignal.timeout(5000),
  });
  // The templated value reached the program as one argument, untouched by any shell.
  assert.deepEqual(read, { values: { len: '$(rm -rf /)'.length, e: null, side: 1 }, errors: [] });
  const stringy = createCommandProvider('cmd', {
    type: 'command',
    run: [process.execPath, '-e', 'console.log(JSON.stringify({ v: "3" }))'],
    retries: 0,
  });
  const v = await stringy.read({
    side: 'canary',
    vars: { version: '3' },
    metrics: [{ name: 'v', config: { provider: 'cmd' } }],
    intervalMs: 1000,
    signal: AbortSignal.timeout(5000),
  });
  assert.equal(v.errors[0]?.code, 'bad-json', 'a string value is refused');
  assert.match(v.errors[0]!.message, /"v" is "3"; values must be numbers or null/);
  const failing = createCommandProvider(
    'cmd',
    { type: 'command', run: [process.execPath, '-e', 'process.exit(4)'], retries: 1 },
    { sleep: noSleep },
  );
  const f = await failing.read({
    side: 'canary',
    vars: {},
    metrics,
    intervalMs: 1000,
    signal: AbortSignal.timeout(5000),
  });
  assert.deepEqual([f.errors[0]?.code, f.errors[0]?.attempts], ['command-failed', 2]);
  assert.deepEqual(parseMetricsJson('c', '[1]').ok, false);
});

test("command provider: the interval's instant is DEPLOY_READ_AT, in whole unix seconds", async () => {
  const provider = createCommandProvider('cmd', {
    type: 'command',
    run: [
      process.execPath,
      '-e',
      'const at = process.env.DEPLOY_READ_AT; console.log(JSON.stringify({ at: at === undefined ? null : Number(at) }))',
    ],
    retries: 0,
  });
  const read = (at?: number) =>
    provider.read({
      side: 'canary',
      vars: { version: 'v2' },
      metrics: [{ name: 'at', config: { provider: 'cmd' } }],
      intervalMs: 30_000,
      signal: AbortSignal.timeout(5000),
      ...(at === undefined ? {} : { at }),
    });
  assert.deepEqual(await read(Date.parse('2026-03-02T10:00:30.750Z')), {
    values: { at: 1772445630 },
    errors: [],
  });
  assert.deepEqual((await read()).values, { at: null }, 'a read given no instant sets none');
});

test('prober summary: success rate and nearest-rank percentiles of successful requests', () => {
  const results = Array.from({ length: 100 }, (_, i) => ({ ok: i % 10 !== 0, latencyMs: i + 1 }));
  const s = summarize(results);
  assert.equal(s.requests, 100);
  assert.equal(s.errors, 10);
  assert.equal(s.error_rate, 0.1);
  assert.equal(s.p50, 50); // 90 successful latencies (2..100 minus 11, 21, ...): the 45th
  assert.equal(s.p99, 100);
  assert.deepEqual(summarize([]), {
    requests: 0,
    errors: 0,
    success_rate: null,
    error_rate: null,
    p50: null,
    p95: null,
    p99: null,
  });
});
