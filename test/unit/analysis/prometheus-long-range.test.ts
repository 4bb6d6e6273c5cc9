// A range metric over a long window at a fine step (`range: {window: 3d, step: 1s}`) is asked in pieces of
// at most 10,000 evaluations and joined: hundreds of thousands of points. Reducing them must give the number
// (max, min, mean), not a RangeError from spreading them into Math.max's arguments, which crashed the
// analysis step instead of judging it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrometheusProvider } from '../../../src/analysis/providers/prometheus.ts';

const DAY = 86_400_000;
const NOW = Date.parse('2026-03-02T10:00:00Z');

test('a range of 259,201 points (3 days at 1 s, in 26 requests) reduces to its max, min and mean', async () => {
  let requests = 0;
  const fetch = (async (input: string | URL | Request) => {
    requests++;
    const url = new URL(String(input));
    const start = Number(url.searchParams.get('start'));
    const end = Number(url.searchParams.get('end'));
    const values: Array<[number, string]> = [];
    // 1 everywhere, 7 at the last point of the window, 0.5 at its first.
    for (let t = start; t <= end + 1e-9; t += 1)
      values.push([t, t === NOW / 1000 ? '7' : t === (NOW - 3 * DAY) / 1000 ? '0.5' : '1']);
    const body = JSON.stringify({
      status: 'success',
      data: { resultType: 'matrix', result: [{ metric: {}, values }] },
    });
    return new Response(body, { headers: { 'content-type': 'application/json' } });
  }) as typeof globalThis.fetch;
  const provider = createPrometheusProvider(
    'prom',
    { type: 'prometheus', url: 'http://127.0.0.1:9', retries: 0 },
    { fetch, now: () => NOW },
  );
  for (const [reduce, expected] of [
    ['max', 7],
    ['min', 0.5],
    ['mean', (259_199 + 7 + 0.5) / 259_201],
  ] as const) {
    const read = await provider.read({
      side: 'canary',
      vars: { version: 'v2' },
      metrics: [
        {
          name: 'queue',
          config: { provider: 'prom', query: 'q', range: { window: 3 * DAY, step: 1000, reduce } },
        },
      ],
      intervalMs: 60_000,
      signal: new AbortController().signal,
    });
    assert.deepEqual(read.errors, [], reduce);
    assert.ok(Math.abs(read.values.queue! - expected) < 1e-9, `${reduce}: ${read.values.queue}`);
  }
  assert.equal(requests, 3 * 26, 'asked in pieces of at most 10,000 evaluations');
});

test('a range answer is read over the range asked only: points of another time (a cache) are not judged', async () => {
  // The answer a cache in front of Prometheus may give: the same query's points of an hour before, with or
  // without this range's own after them.
  const answer = (withOwn: boolean) =>
    (async (input: string | URL | Request) => {
      const url = new URL(String(input));
      const start = Number(url.searchParams.get('start'));
      const end = Number(url.searchParams.get('end'));
      const values: Array<[number, string]> = [];
      for (let t = start - 3600; t <= end - 3600; t += 60) values.push([t, '100']);
      if (withOwn) for (let t = start; t <= end; t += 60) values.push([t, '1']);
      return new Response(
        JSON.stringify({
          status: 'success',
          data: { resultType: 'matrix', result: [{ metric: {}, values }] },
        }),
        { headers: { 'content-type': 'application/json' } },
      );
    }) as typeof globalThis.fetch;
  const read = (fetch: typeof globalThis.fetch) =>
    createPrometheusProvider(
      'prom',
      { type: 'prometheus', url: 'http://127.0.0.1:9', retries: 0 },
      { fetch, now: () => NOW },
    ).read({
      side: 'canary',
      vars: { version: 'v2' },
      metrics: [
        {
          name: 'queue',
          config: { provider: 'prom', query: 'q', range: { window: 600_000, step: 60_000, reduce: 'max' } },
        },
      ],
      intervalMs: 60_000,
      signal: new AbortController().signal,
    });
  const mixed = await read(answer(true));
  assert.deepEqual(mixed.errors, []);
  assert.equal(mixed.values.queue, 1, "the hour before's 100s are not this range's max");
  const stale = await read(answer(false));
  assert.equal(stale.values.queue ?? null, null);
  assert.equal(stale.errors[0]?.code, 'empty-result');
  assert.match(stale.errors[0]!.message, /outside the range asked/);
});
