// Prometheus native histograms, in the JSON shape of the HTTP API's documentation ("Native histograms":
// {count, sum, buckets: [[boundary_rule, "left", "right", "count"], ...]}, empty buckets left out); a real
// Prometheus scraping them is test/e2e/native-histogram.test.ts.
// Read by a histogram metric as cumulative counts by bound, exact at every bound offered, with bounds the
// two versions share even when their schemas differ; judged and recorded like classic buckets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAnalyzer } from '../../../src/analysis/analyzer.ts';
import { initialHistogramTest, readBuckets, updateHistogramTest } from '../../../src/analysis/histogram.ts';
import { nativeHistogramBuckets } from '../../../src/analysis/native-histogram.ts';
import { createPrometheusProvider } from '../../../src/analysis/providers/prometheus.ts';
import { analyzeRecording } from '../../../src/analysis/replay.ts';
import type { Fetch } from '../../../src/analysis/http.ts';

/** Bucket k of schema s, (2^((k-1)/2^s), 2^(k/2^s)], as Prometheus writes positive buckets (rule 0). */
const bucket = (s: number, k: number, n: number, ulp = 0): [number, string, string, string] => [
  0,
  String(2 ** ((k - 1) / 2 ** s) * (1 + ulp * 2 ** -52)),
  String(2 ** (k / 2 ** s) * (1 + ulp * 2 ** -52)),
  String(n),
];
const native = (s: number, counts: Record<number, number>, ulp = 0) => ({
  count: String(Object.values(counts).reduce((a, c) => a + c, 0)),
  sum: '123.4',
  buckets: Object.entries(counts).map(([k, n]) => bucket(s, Number(k), n, ulp)),
});
const vector = (...histograms: unknown[]) => ({
  status: 'success',
  data: {
    resultType: 'vector',
    result: histograms.map((h) => ({ metric: {}, histogram: [1_700_000_000, h] })),
  },
});

/** A fetch answering `answer(query)` as a Prometheus instant query would. */
const fetchOf =
  (answer: (query: string) => unknown): Fetch =>
  async (input) => {
    const url = new URL(String(input));
    return new Response(JSON.stringify(answer(url.searchParams.get('query') ?? '')), {
      headers: { 'content-type': 'application/json' },
    });
  };

async function readLatency(body: unknown) {
  const provider = createPrometheusProvider(
    'prom',
    { type: 'prometheus', url: 'http://prom.test:9090', retries: 0 },
    { fetch: fetchOf(() => body) },
  );
  return provider.read({
    side: 'canary',
    vars: { version: 'v2' },
    metrics: [{ name: 'latency', config: { provider: 'prom', query: 'x', histogram: true } }],
    intervalMs: 60_000,
    signal: AbortSignal.timeout(5000),
  });
}

test('a native histogram is read as exact cumulative counts; two schemas share the coarser bounds', async () => {
  // Canary on schema 3 (eight buckets per doubling), stable on schema 0 (one), empty buckets left out.
  const canary = await readLatency(vector(native(3, { [-26]: 3, [-25]: 5, [-20]: 2 })));
  const stable = await readLatency(vector(native(0, { [-3]: 4, [-2]: 6 })));
  assert.deepEqual([canary.errors, stable.errors], [[], []]);
  const c = readBuckets(canary.values, 'latency')!;
  const s = readBuckets(stable.values, 'latency')!;
  assert.equal(canary.values.latency, 10);
  // Schema 2's bounds over the canary's span: each count exact (the buckets end on them).
  assert.equal(c.get(2 ** -3.5), 0);
  assert.equal(c.get(2 ** -3.25), 3);
  assert.equal(c.get(2 ** -3), 8);
  assert.equal(c.get(2 ** -2.75), 8);
  assert.equal(c.get(2 ** -2.5), 10);
  assert.equal(c.get(Infinity), 10);
  assert.deepEqual(
    [2 ** -4, 2 ** -3, 2 ** -2, Infinity].map((le) => s.get(le)),
    [0, 4, 10, 10],
  );
  // Bounds in common: the stable's, as far as the canary offers them (every power of 4, and its own span).
  const common = [...c.keys()].filter((le) => s.has(le)).sort((a, b) => a - b);
  assert.ok(common.includes(2 ** -3) && common.includes(2 ** -4) && common.includes(2 ** -2), String(common));
  for (const le of common) assert.ok(Number.isInteger(Math.log2(le)) || le === Infinity, `${le}`);
  // The test gets an interval from them.
  const state = updateHistogramTest(initialHistogramTest(), 1.05, Math.log(100) / 2, c, s);
  assert.equal(state.intervals, 1);
  assert.ok(
    state.cuts.every((cut) => common.includes(cut)),
    String(state.cuts),
  );
});

test('bounds Prometheus computed an ulp apart from ours, the zero bucket and negative buckets', () => {
  // Bounds a last bit off: still the schema's bounds, still exact.
  const off = nativeHistogramBuckets('prom', native(3, { [-26]: 3, [-25]: 5 }, 1));
  assert.ok(off.ok);
  assert.equal(off.value.get(2 ** -3.25), 3);
  assert.equal(off.value.get(2 ** -3), 8);
  // The zero bucket [-z, z] (rule 3) counts below every positive bound; a negative bucket [l, r) (rule 1) too.
  const zero = nativeHistogramBuckets('prom', {
    count: '17',
    sum: '1',
    buckets: [[1, '-0.5', '-0.25', '1'], [3, '-1e-9', '1e-9', '6'], bucket(0, -1, 10)],
  });
  assert.ok(zero.ok);
  assert.equal(zero.value.get(0.25), 7);
  assert.equal(zero.value.get(0.5), 17);
  assert.equal(zero.value.get(Infinity), 17);
  // Buckets on no exponential schema (custom buckets) offer their own bounds, and a bound inside a filled
  // bucket is never offered (its count is not known).
  const custom = nativeHistogramBuckets('prom', {
    count: '9',
    sum: '1',
    buckets: [
      [0, '0.1', '0.3', '4'],
      [0, '0.7', '1.1', '5'],
    ],
  });
  assert.ok(custom.ok);
  assert.deepEqual(
    [...custom.value],
    [
      [0.1, 0],
      [0.3, 4],
      [0.7, 4],
      [1.1, 9],
      [Infinity, 9],
    ],
  );
  // Observations counted in `count` only (NaN) are in +Inf, as a classic histogram puts them: 0 at every
  // finite bound (the grid's, offered since no bucket holds one of them).
  const nan = nativeHistogramBuckets('prom', { count: '3', sum: 'NaN' });
  assert.ok(nan.ok);
  assert.equal(nan.value.get(Infinity), 3);
  assert.ok(nan.value.size > 100);
  for (const [le, n] of nan.value) if (le !== Infinity) assert.equal(n, 0, String(le));
});

test('a malformed native histogram is refused saying what was wrong, never read as a number', async () => {
  const cases: Array<[unknown, RegExp]> = [
    [{ count: 'x', buckets: [] }, /count is not a number in a string: "x"/],
    [{ count: '1', buckets: [[7, '0.1', '0.2', '1']] }, /bucket that is not \[boundary_rule 0-3, .*\[7,/],
    [{ count: '1', buckets: [[0, '0.1', '0.2']] }, /bucket that is not \[boundary_rule/],
    [{ count: '1', buckets: [[0, 'abc', '0.2', '1']] }, /bucket that is not \[boundary_rule/],
    [{ count: '1', buckets: [[0, '0.3', '0.2', '1']] }, /left bound is above its right/],
    [{ count: '1', buckets: {} }, /buckets are not a list/],
    [{ count: '1', buckets: [[0, '0.1', '0.2', '3']] }, /buckets hold 3 observations, more than its count 1/],
    ['oops', /not an object \{count, sum, buckets\}/],
  ];
  for (const [histogram, message] of cases) {
    const read = await readLatency(vector(histogram));
    assert.deepEqual(read.values, { latency: null }, JSON.stringify(histogram));
    assert.equal(read.errors[0]?.code, 'bad-json');
    assert.match(read.errors[0]!.message, message);
  }
  const two = await readLatency(vector(native(0, { 1: 1 }), native(0, { 1: 1 })));
  assert.equal(two.errors[0]?.code, 'multiple-series');
  assert.match(two.errors[0]!.message, /aggregate with sum/);
  // Two series with the same labels (a broken answer) say so, not "differing in no label".
  assert.match(two.errors[0]!.message, /all with the same labels/);
  assert.doesNotMatch(two.errors[0]!.message, /differing in no label/);
});

test('native histograms are judged like classic buckets, recorded, and replay to the same decisions', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'native-histogram-'));
  try {
    const file = join(dir, 'run.ndjson');
    let now = 1_700_000_000_000;
    // The canary (schema 3) is far slower than stable (schema 0).
    const canary = native(3, Object.fromEntries(Array.from({ length: 10 }, (_, i) => [i - 18, 100])));
    const stable = native(0, { [-3]: 600, [-2]: 380, [-1]: 20 });
    const analyzer = createAnalyzer(
      {
        preset: 'none',
        providers: { prom: { type: 'prometheus', url: 'http://prom.test:9090', retries: 0 } },
        metrics: {
          latency: {
            provider: 'prom',
            histogram: true,
            query: 'sum(increase(http_request_duration_seconds{version="{{version}}"}[1m]))',
          },
        },
        checks: [{ compare: 'histogram', metric: 'latency' }],
      },
      {
        now: () => now,
        sleep: async (ms) => void (now += ms),
        fetch: fetchOf((query) => vector(query.includes('"v2"') ? canary : stable)),
        record: file,
      },
    );
    const live = await analyzer.evaluate({
      phase: 'canary-step',
      environment: 'production',
      version: 'v2',
      stableVersion: 'v1',
      weight: 10,
      windowMs: 20 * 60_000,
      intervalMs: 60_000,
      signal: new AbortController().signal,
    });
    assert.equal(live.decision.kind, 'rollback', live.decision.reason);
    assert.equal(live.decision.code, 'sequential-latency-worse');
    const replay = analyzeRecording(file);
    assert.equal(replay.windows[0]!.decision.code, 'sequential-latency-worse');
    assert.deepEqual(replay.windows[0]!.changed, []);
    assert.equal(replay.windows[0]!.intervals.length, live.intervals.length);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the bounds a version offers do not depend on where its requests fall: both share every grid bound between their spans', () => {
  const keys = (counts: Record<number, number>) => {
    const read = nativeHistogramBuckets('prom', native(2, counts));
    assert.ok(read.ok);
    return read.value;
  };
  // One filled bucket anywhere in the span: the same bounds offered (its edges are grid bounds, nothing inside).
  const at = (k: number) => [...keys({ [k]: 5 }).keys()];
  assert.deepEqual(at(-30), at(0));
  assert.deepEqual(at(0), at(30));
  // A canary whose requests are all slower than stable's (0.1-0.2 s against 2-4 s): 0.5 s, between the two
  // spans and not a power of 4, is offered by both, exact (the canary's total, none of stable's).
  const canary = keys({ [-13]: 4, [-12]: 6, [-10]: 2 });
  const stable = keys({ [5]: 7, [8]: 3 });
  for (const x of [0.5, 2 ** -1.75, 2 ** 0.25]) {
    assert.equal(canary.get(x), 12, `canary at ${x}`);
    assert.equal(stable.get(x), 0, `stable at ${x}`);
  }
  // On the same schema no grid bound is inside a filled bucket: every bound either offers, both offer.
  assert.deepEqual([...canary.keys()], [...stable.keys()]);
  // A version on a coarser schema (1) shares its grid, the coarser one, whatever its span.
  const coarse = nativeHistogramBuckets('prom', native(1, { [-20]: 3 }));
  assert.ok(coarse.ok);
  for (const x of coarse.value.keys()) assert.ok(stable.has(x) && canary.has(x), String(x));
  assert.ok(coarse.value.has(2 ** 1.5) && coarse.value.has(2 ** -0.5));
  // An idle interval (no bucket at all) offers the finest grid, all 0: every bound of the other version.
  const idle = nativeHistogramBuckets('prom', { count: '0', sum: '0' });
  assert.ok(idle.ok);
  for (const x of stable.keys()) assert.equal(idle.value.get(x), 0, String(x));
});
