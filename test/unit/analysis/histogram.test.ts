import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveAnalysisConfig } from '../../../src/analysis/config.ts';
import {
  asCumulative,
  bucketKey,
  bucketQuantile,
  histogramLogEvidence,
  initialHistogramTest,
  LATENCY_MIXTURE,
  readBuckets,
  updateHistogramTest,
} from '../../../src/analysis/histogram.ts';
import { decideAtDeadline } from '../../../src/analysis/deadline.ts';
import { createJudgeState, judge } from '../../../src/analysis/judge.ts';
import { createPrometheusProvider } from '../../../src/analysis/providers/prometheus.ts';
import { runAnalyzeCommand } from '../../../src/analysis/replay.ts';
import {
  errorsLogEvidence,
  initialErrorsTest,
  maxLogStep,
  rejectsLog,
  updateErrorsTest,
} from '../../../src/analysis/sequential.ts';
import type { Decision, MetricValues } from '../../../src/analysis/types.ts';
// Seeded, so the statistical assertions are reproducible.
import { normal, poisson, rng } from '../../helpers/random.ts';
import { recordingLines, recordingText } from '../../helpers/recording-lines.ts';

const BOUNDS = [0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.5, 1, 2.5, Infinity];

/**
 * One interval of `n` requests, bucketed: log-normal latency (median 100 ms, sigma 0.5) times `scale`, and
 * with `tail` of the requests from a Pareto tail (heavy tails, outliers of seconds).
 */
function interval(r: () => number, n: number, scale: number, tail = 0): Map<number, number> {
  const counts = BOUNDS.map(() => 0);
  for (let i = 0; i < n; i++) {
    const seconds = scale * (r() < tail ? 0.2 / Math.pow(1 - r(), 1 / 1.1) : 0.1 * Math.exp(0.5 * normal(r)));
    counts[BOUNDS.findIndex((le) => seconds <= le)]!++;
  }
  let cumulative = 0;
  return new Map(BOUNDS.map((le, b) => [le, (cumulative += counts[b]!)]));
}

/** Minute (0-based) at which the test rejects over `looks` one-minute intervals, or null. */
function trial(
  seed: number,
  o: { canary: number; stable: number; scale: number; onset: number; looks: number; tail?: number },
) {
  const r = rng(seed);
  let state = initialHistogramTest();
  for (let i = 0; i < o.looks; i++) {
    const canary = interval(r, o.canary, i >= o.onset ? o.scale : 1, o.tail);
    const stable = interval(r, o.stable, 1, o.tail);
    state = updateHistogramTest(state, 1.2, maxLogStep(0.01), canary, stable);
    if (rejectsLog(histogramLogEvidence(state), 0.01)) return i;
  }
  return null;
}

test('latency buckets under H0 (same distribution, heavy tails too): at most 1 % rejections over 60 looks', () => {
  for (const tail of [0, 0.05]) {
    let rejected = 0;
    for (let k = 0; k < 300; k++)
      if (trial(100 + k, { canary: 120, stable: 1080, scale: 1, onset: 0, looks: 60, tail }) !== null)
        rejected++;
    assert.ok(rejected / 300 <= 0.01, `tail ${tail}: false rejection rate ${rejected / 300}`);
  }
});

test('latency mixture at the boundary of H0 (slow share exactly tolerance x stable): <= alpha over 60 looks', () => {
  // The latency prior puts its weight on ratios just above the tolerance, where a null at the boundary looks
  // most like the alternative: the case that would show a mixture that is not a supermartingale.
  const total = LATENCY_MIXTURE.weights.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(total - 1) < 1e-12);
  assert.ok(LATENCY_MIXTURE.grid.every((m) => m > 1));
  for (const share of [0.25, 0.05]) {
    let rejected = 0;
    const trials = 800;
    for (let k = 0; k < trials; k++) {
      const r = rng(40_000 + k);
      let state = initialErrorsTest(LATENCY_MIXTURE);
      for (let i = 0; i < 60; i++) {
        const nc = poisson(r, 120);
        const ns = poisson(r, 1080);
        const canary = { errors: Math.min(nc, poisson(r, nc * share * 1.2)), requests: nc };
        const stable = { errors: Math.min(ns, poisson(r, ns * share)), requests: ns };
        state = updateErrorsTest(state, 1.2, maxLogStep(0.01), canary, stable, LATENCY_MIXTURE);
        if (rejectsLog(errorsLogEvidence(state, LATENCY_MIXTURE), 0.01)) {
          rejected++;
          break;
        }
      }
    }
    assert.ok(rejected / trials <= 0.01, `slow share ${share}: false rejection rate ${rejected / trials}`);
  }
});

test('latency buckets: +20 % latency at 2 req/s is found within 15 minutes of onset in >= 90 % of trials', () => {
  let found = 0;
  const trials = 200;
  for (let k = 0; k < trials; k++) {
    const onset = 2 + (k % 6);
    const at = trial(7000 + k, { canary: 120, stable: 1080, scale: 1.2, onset, looks: onset + 15 });
    if (at !== null && at >= onset) found++;
  }
  // The per-interval p95 sign test found 1 % of these in bench:judge.
  assert.ok(found / trials >= 0.9, `detection rate ${found / trials}`);
});

test('bucket keys round-trip, and counts that are not cumulative or lack +Inf are skipped', () => {
  const values: MetricValues = {
    latency: 3,
    [bucketKey('latency', 0.1)]: 1,
    [bucketKey('latency', Infinity)]: 3,
    other: 1,
  };
  assert.equal(bucketKey('latency', Infinity), 'latency{le="+Inf"}');
  assert.deepEqual(
    [...readBuckets(values, 'latency')!],
    [
      [0.1, 1],
      [Infinity, 3],
    ],
  );
  assert.equal(readBuckets({ latency: 3 }, 'latency'), null);
  const start = initialHistogramTest();
  const good = new Map([
    [0.1, 5],
    [Infinity, 10],
  ]);
  assert.equal(
    updateHistogramTest(
      start,
      1,
      2,
      new Map([
        [0.1, 6],
        [Infinity, 5],
      ]),
      good,
    ),
    start,
    'decreasing',
  );
  assert.equal(
    updateHistogramTest(
      start,
      1,
      2,
      new Map([
        [0.1, 1],
        [1, 2],
      ]),
      good,
    ),
    start,
    'no +Inf',
  );
  assert.equal(updateHistogramTest(start, 1, 2, null, good), start, 'no buckets');
  assert.equal(
    updateHistogramTest(
      start,
      1,
      2,
      new Map([
        [0.1, 0],
        [Infinity, 0],
      ]),
      good,
    ),
    start,
    'no requests',
  );
  assert.equal(updateHistogramTest(start, 1, 2, good, good).intervals, 1);
});

const cmd = { type: 'command' as const, run: ['metrics'] };

test('seeds preset: the latency comparison applies to a histogram metric named latency, and only then', () => {
  const prom = { type: 'prometheus' as const, url: 'http://127.0.0.1:9090' };
  const withHistogram = resolveAnalysisConfig({
    providers: { prom },
    metrics: { latency: { provider: 'prom', query: 'x', histogram: true } },
  });
  assert.deepEqual(
    withHistogram.checks.map((c) => c.name),
    ['seeds.latency-vs-stable'],
  );
  const plain = resolveAnalysisConfig({
    providers: { prom },
    metrics: { latency: { provider: 'prom', query: 'x' } },
  });
  assert.deepEqual(
    plain.checks.map((c) => c.name),
    [],
  );
  assert.throws(
    () =>
      resolveAnalysisConfig({
        providers: { m: cmd },
        metrics: { latency: { provider: 'm', histogram: true } },
      }),
    /histogram is for Prometheus metrics; provider \\?"m\\?" is command/,
  );
  assert.throws(
    () =>
      resolveAnalysisConfig({
        providers: { prom },
        metrics: { p95: { provider: 'prom', query: 'x' } },
        checks: [{ compare: 'histogram', metric: 'p95' }],
      }),
    /compare: histogram needs a histogram metric; add histogram: true to analysis.metrics.p95/,
  );
});

test('a rule or a values comparison on a histogram metric is refused: it would judge the request count', () => {
  const prom = { type: 'prometheus' as const, url: 'http://127.0.0.1:9090' };
  const latency = { provider: 'prom', query: 'sum by (le) (increase(x_bucket[1m]))', histogram: true };
  for (const check of [
    { check: 'latency < 0.5' },
    { check: 'latency < 2x baseline', baseline: 'auto' },
    { compare: 'values', metric: 'latency' },
  ]) {
    assert.throws(
      () => resolveAnalysisConfig({ providers: { prom }, metrics: { latency }, checks: [check] } as never),
      (error: Error) =>
        /metric \\?"latency\\?" is a histogram/.test(error.message) &&
        /compare: histogram, metric: latency/.test(error.message) &&
        /checks\W+0/.test(error.message),
      JSON.stringify(check),
    );
  }
  // The histogram compared as one, and a rule on a quantile metric beside it, are what it says to write.
  const ok = resolveAnalysisConfig({
    providers: { prom },
    metrics: { latency, p95: { provider: 'prom', query: 'histogram_quantile(0.95, x)' } },
    checks: [{ compare: 'histogram', metric: 'latency' }, { check: 'p95 < 500' }],
  } as never);
  assert.ok(ok.checks.some((c) => c.kind === 'histogram' && c.metric === 'latency'));
  // A recording made before this is replayed as its analyzer accepted it.
  const recorded = resolveAnalysisConfig(
    { providers: { prom }, metrics: { latency }, checks: [{ check: 'latency < 0.5' }] } as never,
    { recorded: true },
  );
  assert.deepEqual(
    recorded.checks.map((c) => [c.name, c.kind]),
    [
      ['latency < 0.5', 'threshold'],
      ['seeds.latency-vs-stable', 'histogram'],
    ],
  );
});

test('the judge rolls back a slower canary on histogram evidence, printing cuts and counts', () => {
  const config = resolveAnalysisConfig({
    providers: { prom: { type: 'prometheus', url: 'http://127.0.0.1:9090' } },
    metrics: { latency: { provider: 'prom', query: 'x', histogram: true } },
  });
  const r = rng(5);
  const side = (scale: number, n: number): MetricValues => {
    const buckets = interval(r, n, scale);
    return {
      latency: buckets.get(Infinity)!,
      ...Object.fromEntries([...buckets].map(([le, c]) => [bucketKey('latency', le), c])),
    };
  };
  let state = createJudgeState(config, { intervalMs: 60_000, startedAt: 0 });
  let fired: Decision | undefined;
  for (let i = 0; i < 30 && !fired; i++) {
    const step = judge(state, {
      at: (i + 1) * 60_000,
      canary: side(1.3, 120),
      stable: side(1, 1080),
      errors: [],
    });
    state = step.state;
    if (step.decision.kind === 'rollback') fired = step.decision;
    // Bucket keys stay out of the decision's values: the total is there.
    assert.ok(!Object.keys(step.decision.values).some((k) => k.includes('{le=')));
  }
  assert.ok(fired);
  assert.equal(fired.code, 'sequential-latency-worse');
  assert.equal(fired.rule, 'seeds.latency-vs-stable');
  assert.match(
    fired.reason,
    /requests above [\d.]+: canary [\d.]+% \(\d+\/\d+\) vs stable [\d.]+% \(\d+\/\d+\)/,
  );
  assert.match(fired.reason, /e-value [\d.]+ >= threshold 100 \(alpha 0\.01, anytime-valid\)/);
  assert.equal(fired.values['seeds.latency-vs-stable.threshold'], 100);
  assert.equal(typeof fired.values['seeds.latency-vs-stable.cut1.canary_slow'], 'number');
  // Each side's p95 from its buckets, for the summary's chart: the canary's 1.3x latency reads slower.
  const p95c = fired.values['seeds.latency-vs-stable.canary_p95'];
  const p95s = fired.values['seeds.latency-vs-stable.stable_p95'];
  assert.ok(typeof p95c === 'number' && typeof p95s === 'number' && p95c > p95s, `${p95c} vs ${p95s}`);
});

test("bucketQuantile interpolates inside the bucket as Prometheus' histogram_quantile does; no data is null", () => {
  const b = (pairs: Array<[number, number]>) => new Map(pairs);
  // 100 requests: 50 at or below 0.1 s, 90 at or below 0.2, all below 0.5.
  const buckets = b([
    [0.1, 50],
    [0.2, 90],
    [0.5, 100],
    [Infinity, 100],
  ]);
  assert.equal(bucketQuantile(buckets, 0.5), 0.1);
  assert.ok(Math.abs(bucketQuantile(buckets, 0.95)! - 0.35) < 1e-12);
  assert.ok(Math.abs(bucketQuantile(buckets, 0.25)! - 0.05) < 1e-12, 'the first bucket starts at 0');
  // The quantile falls in +Inf: the highest finite bound, as Prometheus answers.
  assert.equal(
    bucketQuantile(
      b([
        [0.1, 5],
        [Infinity, 100],
      ]),
      0.95,
    ),
    0.1,
  );
  assert.equal(bucketQuantile(null, 0.95), null);
  assert.equal(
    bucketQuantile(
      b([
        [0.1, 0],
        [Infinity, 0],
      ]),
      0.95,
    ),
    null,
    'no requests',
  );
  assert.equal(
    bucketQuantile(
      b([
        [0.1, 5],
        [0.2, 3],
        [Infinity, 9],
      ]),
      0.95,
    ),
    null,
    'not cumulative',
  );
  assert.equal(
    bucketQuantile(
      b([
        [0.1, 5],
        [0.2, 9],
      ]),
      0.95,
    ),
    null,
    'no +Inf bucket',
  );
});

test('prometheus: a histogram query is read as bucket counts; malformed bucket answers are refused', async (t) => {
  const answers: string[] = [];
  const server = createServer((_req, res) =>
    res.writeHead(200, { 'content-type': 'application/json' }).end(answers.shift()),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const vector = (series: Array<[Record<string, string>, string]>) =>
    JSON.stringify({
      status: 'success',
      data: { resultType: 'vector', result: series.map(([metric, v]) => ({ metric, value: [1, v] })) },
    });
  const provider = createPrometheusProvider('prom', { type: 'prometheus', url, retries: 0 });
  const read = (name = 'latency') =>
    provider.read({
      side: 'canary',
      vars: { version: 'v2' },
      metrics: [
        {
          name,
          config: {
            provider: 'prom',
            query: 'sum by (le) (increase(h_bucket{version="{{version}}"}[1m]))',
            histogram: true,
          },
        },
      ],
      intervalMs: 60_000,
      signal: new AbortController().signal,
    });

  answers.push(
    vector([
      [{ le: '0.1' }, '40'],
      [{ le: '0.5' }, '110'],
      [{ le: '+Inf' }, '120'],
    ]),
  );
  assert.deepEqual(await read(), {
    values: { latency: 120, 'latency{le="0.1"}': 40, 'latency{le="0.5"}': 110, 'latency{le="+Inf"}': 120 },
    errors: [],
  });
  const refused: Array<[string, RegExp]> = [
    [vector([[{}, '3']]), /one series per "le" label .*sum by \(le\)/],
    [vector([[{ le: '0.1' }, '3']]), /no le="\+Inf"/],
    [
      vector([
        [{ le: 'fast' }, '3'],
        [{ le: '+Inf' }, '4'],
      ]),
      /le="fast" is not a number/,
    ],
    [
      vector([
        [{ le: '0.1' }, '3'],
        [{ le: '0.1' }, '3'],
        [{ le: '+Inf' }, '4'],
      ]),
      /le="0.1" is repeated/,
    ],
  ];
  for (const [answer, message] of refused) {
    answers.push(answer);
    const result = await read();
    assert.deepEqual(result.values, { latency: null });
    assert.equal(result.errors[0]!.code, 'bad-json');
    assert.match(result.errors[0]!.message, message);
  }
  answers.push(vector([]));
  assert.equal((await read()).errors[0]!.code, 'empty-result');
});

test('replay: a recording with bucket counts is judged by the histogram test; the format only gained keys', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'analysis-histogram-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'rec.ndjson');
  const r = rng(11);
  const side = (scale: number, n: number) => {
    const buckets = interval(r, n, scale);
    return {
      latency: buckets.get(Infinity)!,
      ...Object.fromEntries([...buckets].map(([le, c]) => [bucketKey('latency', le), c])),
    };
  };
  const config = {
    providers: { prom: { type: 'prometheus', url: 'http://127.0.0.1:9090' } },
    metrics: {
      latency: { provider: 'prom', query: 'sum by (le) (increase(h_bucket[1m]))', histogram: true },
    },
  };
  const sides = Array.from({ length: 20 }, () => ({ canary: side(1.3, 120), stable: side(1, 1080) }));
  const lines = recordingLines(config, sides, { stableVersion: 'v1' });
  writeFileSync(file, recordingText(lines) + '\n');
  const result = runAnalyzeCommand({ recording: file });
  assert.equal(result.exitCode, 1, result.output);
  assert.match(result.output, /rollback +sequential-latency-worse \[seeds\.latency-vs-stable\]/);
});

test('coarse buckets: a cut with no request above it steps down to a bound that separates the versions', () => {
  // Buckets 0.1 / 0.5 / +Inf, equal traffic: the canary has 90 % of its requests between 0.1 and 0.5 s,
  // stable 10 %. The pooled 75th and 95th percentiles both fall in (0.1, 0.5], whose bound 0.5 has no
  // request above it: a cut there would compare 0 slow requests with 0 and never decide.
  const side = (under: number) =>
    new Map([
      [0.1, under],
      [0.5, 100],
      [Infinity, 100],
    ]);
  let state = initialHistogramTest();
  let rejectedAt: number | null = null;
  for (let i = 0; i < 10 && rejectedAt === null; i++) {
    state = updateHistogramTest(state, 1.05, maxLogStep(0.01), side(10), side(90));
    if (rejectsLog(histogramLogEvidence(state), 0.01)) rejectedAt = i;
  }
  assert.deepEqual(state.cuts, [0.1, 0.1]);
  assert.ok(rejectedAt !== null && rejectedAt <= 3, `rejected at ${rejectedAt}`);
  // The same two versions swapped (the canary faster): no evidence against it.
  let faster = initialHistogramTest();
  for (let i = 0; i < 10; i++)
    faster = updateHistogramTest(faster, 1.05, maxLogStep(0.01), side(90), side(10));
  assert.ok(histogramLogEvidence(faster) < 0);
});

test('buckets that fall by less than half a request (sum by (le) of extrapolated floats) are levelled, not skipped', () => {
  assert.deepEqual(asCumulative([3, 10, 10 - 1e-12, 10]), [3, 10, 10, 10]);
  assert.deepEqual(asCumulative([2.7, 2.4, 9.1]), [2.7, 2.7, 9.1]);
  // A counter reset inside the interval, a negative or a non-finite count: not counts this test can use.
  for (const bad of [
    [5, 3, 9],
    [-1, 2, 3],
    [1, Number.NaN, 3],
    [1, 2, Infinity],
  ])
    assert.equal(asCumulative(bad), null, JSON.stringify(bad));
  // Through the test: a +Inf bucket 1e-12 under the one below it still counts as an interval, and the
  // summary's p95 is still drawn.
  const canary = new Map([
    [0.1, 40],
    [0.5, 120],
    [Infinity, 120 - 1e-12],
  ]);
  const stable = new Map([
    [0.1, 900],
    [0.5, 1200 - 0.3],
    [Infinity, 1200 - 0.4],
  ]);
  const next = updateHistogramTest(initialHistogramTest(), 1.05, 2, canary, stable);
  assert.equal(next.intervals, 1);
  assert.notEqual(bucketQuantile(canary, 0.95), null);
  const reset = new Map([
    [0.1, 40],
    [0.5, 120],
    [Infinity, 100],
  ]);
  assert.equal(updateHistogramTest(initialHistogramTest(), 1.05, 2, reset, stable).intervals, 0);
});

test('a histogram comparison whose two sides share no bucket bounds compares nothing, and the window cannot promote on it', () => {
  // The new version changed its buckets: canary 0.05/0.25/+Inf, stable 0.1/0.5/+Inf. Only +Inf is shared, so
  // no interval can be compared; the canary is much slower. With no other check, nothing judged it: held (a
  // window promoted here on no comparison at all), and failed closed at the window's end (deadline.ts).
  const config = resolveAnalysisConfig({
    providers: { prom: { type: 'prometheus', url: 'http://127.0.0.1:9' } },
    metrics: { latency: { provider: 'prom', query: 'x', histogram: true } },
  });
  const side = (bounds: number[], counts: number[]): MetricValues =>
    Object.fromEntries([
      ['latency', counts.at(-1)!],
      ...bounds.map((le, i) => [bucketKey('latency', le), counts[i]!]),
    ]);
  let state = createJudgeState(config, { intervalMs: 60_000, startedAt: 0 });
  let decision: Decision | undefined;
  for (let i = 0; i < 5; i++)
    ({ state, decision } = judge(state, {
      at: (i + 1) * 60_000,
      canary: side([0.05, 0.25, Infinity], [0, 5, 100]),
      stable: side([0.1, 0.5, Infinity], [90, 99, 100]),
      errors: [],
    }));
  assert.equal(decision?.kind, 'hold');
  assert.match(
    decision!.reason,
    /^no check could judge the canary yet in 5 intervals with data: not compared, no interval they could use \(.*histogram bounds the two sides do not share\): seeds\.latency-vs-stable$/,
  );
  assert.equal(decideAtDeadline(state, decision!).kind, 'rollback');
  // Sides that share their bounds are compared, and a promotion then names nothing.
  let shared = createJudgeState(config, { intervalMs: 60_000, startedAt: 0 });
  for (let i = 0; i < 5; i++)
    ({ state: shared, decision } = judge(shared, {
      at: (i + 1) * 60_000,
      canary: side([0.1, 0.5, Infinity], [90, 99, 100]),
      stable: side([0.1, 0.5, Infinity], [90, 99, 100]),
      errors: [],
    }));
  assert.equal(decision?.reason, 'its one check holds after 5 intervals with data');
});
