// A metric read back in time (a bake resumed after its job ended, a resumed rollout's pre-deploy reading) is
// read as the live reads were at each time: a series replaced by another during the span (a pod restarted
// under a new `pod` or `instance` label, the old series gone stale) is one series at every time, as each live
// instant read saw it. Every past interval used to be refused as multiple-series, held and then rolled back
// as provider errors, though no read at any of those times found two series.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrometheusProvider } from '../../../src/analysis/providers/prometheus.ts';
import { queuedAnswers } from '../../helpers/prometheus-answers.ts';

const T0 = 1_700_000_000_000;
const TIMES = [T0, T0 + 60_000, T0 + 120_000, T0 + 180_000];
const s = (ms: number) => ms / 1000;

async function prometheus(t: { after(fn: () => Promise<void>): void }) {
  const { url, answers } = await queuedAnswers(t);
  const provider = createPrometheusProvider('prom', { type: 'prometheus', url, retries: 0 });
  return (result: unknown[], config: Record<string, unknown> = {}) => {
    answers.push(JSON.stringify({ status: 'success', data: { resultType: 'matrix', result } }));
    return provider.readPast!({
      side: 'canary',
      vars: { version: 'v2' },
      metrics: [{ name: 'error_rate', config: { provider: 'prom', query: 'q', ...config } }],
      intervalMs: 60_000,
      signal: new AbortController().signal,
      times: TIMES,
    });
  };
}

/** Pod a until the second interval, then pod b (a restart: the old series stale, a new one begins). */
const replaced = (overlapAt?: number) => [
  {
    metric: { job: 'api', pod: 'web-a' },
    values: [
      [s(TIMES[0]!), '0.01'],
      [s(TIMES[1]!), '0.02'],
    ],
  },
  {
    metric: { job: 'api', pod: 'web-b' },
    values: [
      ...(overlapAt === undefined ? [] : [[s(overlapAt), '0.5']]),
      [s(TIMES[2]!), '0.03'],
      [s(TIMES[3]!), '0.04'],
    ],
  },
];

test('read back in time, a series replaced by another is read at each time as the live read saw it', async (t) => {
  const past = await prometheus(t);
  for (const config of [{}, { range: { window: 30_000, step: 15_000, reduce: 'mean' } }]) {
    const reads = await past(replaced(), config);
    assert.deepEqual(
      reads.map((r) => r.values.error_rate),
      [0.01, 0.02, 0.03, 0.04],
      JSON.stringify(config),
    );
    assert.deepEqual(
      reads.flatMap((r) => r.errors),
      [],
    );
  }
});

test('read back in time, two series at one time are refused at that time only, naming what differs', async (t) => {
  const past = await prometheus(t);
  for (const config of [{}, { range: { window: 30_000, step: 15_000, reduce: 'mean' } }]) {
    const reads = await past(replaced(TIMES[1]), config);
    assert.deepEqual(
      reads.map((r) => r.values.error_rate),
      [0.01, null, 0.03, 0.04],
      JSON.stringify(config),
    );
    const error = reads[1]!.errors[0]!;
    assert.equal(error.code, 'multiple-series');
    assert.match(
      error.message,
      /^error_rate: 2 series returned at 2023-11-14T22:14:20\.000Z where one is read, differing in pod \("web-a", "web-b"\): .*: q$/,
    );
    assert.doesNotMatch(error.message, /job/);
  }
});

test('read back in time, native histograms of a replaced series are read at each time; two at once are refused then', async (t) => {
  const past = await prometheus(t);
  const histogram = (n: number) => ({
    count: String(n),
    sum: String(n / 10),
    buckets: [[0, '0.0625', '0.125', String(n)]],
  });
  const answer = (overlapAt?: number) => [
    {
      metric: { pod: 'web-a' },
      histograms: [
        [s(TIMES[0]!), histogram(10)],
        [s(TIMES[1]!), histogram(20)],
      ],
    },
    {
      metric: { pod: 'web-b' },
      histograms: [
        ...(overlapAt === undefined ? [] : [[s(overlapAt), histogram(99)]]),
        [s(TIMES[2]!), histogram(30)],
        [s(TIMES[3]!), histogram(40)],
      ],
    },
  ];
  const totals = (reads: Awaited<ReturnType<typeof past>>) => reads.map((r) => r.values.error_rate ?? null);
  const replaced = await past(answer(), { histogram: true });
  assert.deepEqual(totals(replaced), [10, 20, 30, 40]);
  assert.deepEqual(
    replaced.flatMap((r) => r.errors),
    [],
  );
  const overlapping = await past(answer(TIMES[1]), { histogram: true });
  assert.deepEqual(totals(overlapping), [10, null, 30, 40]);
  assert.equal(overlapping[1]!.errors[0]?.code, 'multiple-series');
  assert.match(
    overlapping[1]!.errors[0]!.message,
    /^error_rate: 2 series of native histograms returned at 2023-11-14T22:14:20\.000Z, differing in pod \("web-a", "web-b"\)/,
  );
});
