// Odd but possible Prometheus answers (loopback server): read as Prometheus itself reads them, or refused
// with what was wrong; never a number made up from them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createPrometheusProvider } from '../../../src/analysis/providers/prometheus.ts';

async function prometheus(t: { after(fn: () => Promise<void>): void }) {
  const answers: string[] = [];
  const server = createServer((_req, res) =>
    res.writeHead(200, { 'content-type': 'application/json' }).end(answers.shift() ?? '{}'),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const provider = createPrometheusProvider('prom', { type: 'prometheus', url, retries: 0 });
  const histogram = (series: Array<[string, string]>) => {
    answers.push(
      JSON.stringify({
        status: 'success',
        data: {
          resultType: 'vector',
          result: series.map(([le, v]) => ({ metric: { le }, value: [1, v] })),
        },
      }),
    );
    return provider.read({
      side: 'canary',
      vars: { version: 'v2' },
      metrics: [{ name: 'latency', config: { provider: 'prom', query: 'x', histogram: true } }],
      intervalMs: 60_000,
      signal: new AbortController().signal,
    });
  };
  return { histogram };
}

test('bucket bounds are read as Prometheus reads them: "Inf", "+inf" and "1e+00" are bounds', async (t) => {
  const { histogram } = await prometheus(t);
  for (const inf of ['+Inf', 'Inf', '+inf', 'inf', '+Infinity']) {
    const read = await histogram([
      ['1e+00', '40'],
      ['2.5e-1', '10'],
      [inf, '50'],
    ]);
    assert.deepEqual(read.errors, [], inf);
    assert.deepEqual(
      read.values,
      { latency: 50, 'latency{le="0.25"}': 10, 'latency{le="1"}': 40, 'latency{le="+Inf"}': 50 },
      inf,
    );
  }
  const twice = await histogram([
    ['1', '40'],
    ['1e+00', '40'],
    ['+Inf', '50'],
  ]);
  assert.match(twice.errors[0]?.message ?? '', /bucket le="1e\+00" is repeated/);
});

test('a bound Prometheus could not read is refused, not read as 0, 1, 16 or the +Inf bucket', async (t) => {
  const { histogram } = await prometheus(t);
  for (const bad of ['', ' 1', '1 ', '0x10', '1e400', '-Inf', 'NaN', '1_0']) {
    const read = await histogram([
      [bad, '40'],
      ['+Inf', '50'],
    ]);
    assert.equal(read.errors[0]?.code, 'bad-json', JSON.stringify(bad));
    assert.match(
      read.errors[0]!.message,
      new RegExp(
        `bucket le=${JSON.stringify(JSON.stringify(bad)).slice(1, -1).replace(/[+]/g, '\\+')} is not a number`,
      ),
      JSON.stringify(bad),
    );
    assert.equal(read.values.latency, null, JSON.stringify(bad));
  }
});

test('a range answer with its points out of time order is read in time order; a time twice is refused', async (t) => {
  const answers: string[] = [];
  const server = createServer((_req, res) =>
    res.writeHead(200, { 'content-type': 'application/json' }).end(answers.shift() ?? '{}'),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const now = 1_700_000_000_000;
  const provider = createPrometheusProvider(
    'prom',
    { type: 'prometheus', url, retries: 0 },
    { now: () => now },
  );
  const matrix = (values: Array<[number, string]>) =>
    JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [{ metric: {}, values }] } });
  const read = () =>
    provider.read({
      side: 'canary',
      vars: { version: 'v2' },
      metrics: [
        {
          name: 'error_rate',
          config: { provider: 'prom', query: 'x', range: { window: 120_000, step: 60_000, reduce: 'last' } },
        },
      ],
      intervalMs: 60_000,
      signal: new AbortController().signal,
    });
  const s = now / 1000;
  answers.push(
    matrix([
      [s, '0.001'],
      [s - 120, '0.5'],
      [s - 60, '0.2'],
    ]),
  );
  assert.deepEqual(await read(), { values: { error_rate: 0.001 }, errors: [] });
  answers.push(
    matrix([
      [s - 60, '0.2'],
      [s, '0.001'],
      [s, '0.5'],
    ]),
  );
  const twice = await read();
  assert.equal(twice.values.error_rate, null);
  assert.equal(twice.errors[0]?.code, 'bad-json');
  assert.match(twice.errors[0]!.message, /two points at 2023-11-14T22:13:20\.000Z in the series/);
});
