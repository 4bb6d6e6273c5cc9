// A metric read back in time asks one range query over the interval ends, at the interval as its step.
// Prometheus evaluates at start + k x step exactly; a frontend that aligns a range query's start and end to
// multiples of its step for its cache (Thanos query-frontend by default, VictoriaMetrics past 50 points, a
// Cortex or Mimir frontend so configured) evaluates at those multiples instead, up to one step before each
// interval's end. Every past interval was then "no value at <time>", though the answer held a value for
// each: no data, held, and the bake failed closed on a healthy version. Each interval's end now reads the
// series' last point in the step before it (its own end when the server evaluated there, as Prometheus does);
// a point a whole step before is the previous interval's and is never read for this one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createPrometheusProvider } from '../../../src/analysis/providers/prometheus.ts';

const STEP = 60_000;
/** Interval ends 17 s past a minute, as a window begun at an arbitrary instant has them. */
const T0 = 1_700_000_017_000;
const TIMES = [T0, T0 + STEP, T0 + 2 * STEP, T0 + 3 * STEP];

/** A series' value at an evaluation time (ms): different at each, so which point was read shows. */
const valueAt = (ms: number) => ms / STEP - 28_333_000;

interface Server {
  /** Evaluation times aligned to multiples of the step (a caching frontend), or the times asked (Prometheus). */
  aligned: boolean;
  /** Evaluation times with no point (the series absent there). */
  gaps?: number[];
  /** What each series is: a number per time, or classic buckets (one series per le). */
  kind: 'number' | 'buckets' | 'native';
}

async function frontend(t: { after(fn: () => Promise<void>): void }, shape: Server): Promise<string> {
  const server = createServer((req, res) => {
    const params = new URL(req.url!, 'http://x').searchParams;
    const step = Number(params.get('step')) * 1000;
    let start = Number(params.get('start')) * 1000;
    let end = Number(params.get('end')) * 1000;
    if (shape.aligned) {
      start = Math.floor(start / step) * step;
      end = Math.floor(end / step) * step;
    }
    const at: number[] = [];
    for (let ms = start; ms <= end; ms += step) if (!shape.gaps?.includes(ms)) at.push(ms);
    const point = (ms: number, value: number) => [ms / 1000, String(value)];
    const result =
      shape.kind === 'number'
        ? [{ metric: { job: 'api' }, values: at.map((ms) => point(ms, valueAt(ms))) }]
        : shape.kind === 'buckets'
          ? [
              { metric: { le: '0.1' }, values: at.map((ms) => point(ms, valueAt(ms))) },
              { metric: { le: '+Inf' }, values: at.map((ms) => point(ms, valueAt(ms) + 10)) },
            ]
          : [
              {
                metric: { job: 'api' },
                histograms: at.map((ms) => [
                  ms / 1000,
                  { count: String(valueAt(ms)), sum: '1', buckets: [[0, '0.5', '1', String(valueAt(ms))]] },
                ]),
              },
            ];
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ status: 'success', data: { resultType: 'matrix', result } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function readPast(url: string, kind: Server['kind']) {
  const provider = createPrometheusProvider('prom', { type: 'prometheus', url, retries: 0 });
  const reads = await provider.readPast!({
    side: 'canary',
    vars: { version: 'v2' },
    metrics: [{ name: 'm', config: { provider: 'prom', query: 'q', histogram: kind !== 'number' } }],
    intervalMs: STEP,
    signal: new AbortController().signal,
    times: TIMES,
  });
  return {
    values: reads.map((r) => r.values.m ?? null),
    errors: reads.map((r) => r.errors.map((e) => `${e.code}: ${e.message}`)),
  };
}

/** The evaluation time a step-aligning frontend answers for an interval ending at `t`. */
const alignedBefore = (t: number) => Math.floor(t / STEP) * STEP;

const CASES: Array<{ name: string; shape: Server; values: Array<number | null> }> = [
  {
    name: 'numbers, evaluated at the interval ends (Prometheus)',
    shape: { aligned: false, kind: 'number' },
    values: TIMES.map(valueAt),
  },
  {
    name: 'numbers, evaluated at multiples of the step (a caching frontend)',
    shape: { aligned: true, kind: 'number' },
    values: TIMES.map((t) => valueAt(alignedBefore(t))),
  },
  {
    name: 'classic buckets, evaluated at multiples of the step',
    shape: { aligned: true, kind: 'buckets' },
    values: TIMES.map((t) => valueAt(alignedBefore(t)) + 10),
  },
  {
    name: 'native histograms, evaluated at multiples of the step',
    shape: { aligned: true, kind: 'native' },
    values: TIMES.map((t) => valueAt(alignedBefore(t))),
  },
  {
    name: 'numbers with no point at one interval end: the point a step before is not read for it',
    shape: { aligned: false, kind: 'number', gaps: [TIMES[2]!] },
    values: [valueAt(TIMES[0]!), valueAt(TIMES[1]!), null, valueAt(TIMES[3]!)],
  },
  {
    name: 'aligned numbers with no point in the step before one interval end',
    shape: { aligned: true, kind: 'number', gaps: [alignedBefore(TIMES[2]!)] },
    values: [
      valueAt(alignedBefore(TIMES[0]!)),
      valueAt(alignedBefore(TIMES[1]!)),
      null,
      valueAt(alignedBefore(TIMES[3]!)),
    ],
  },
];

for (const { name, shape, values } of CASES)
  test(`read back in time: ${name}`, async (t) => {
    const read = await readPast(await frontend(t, shape), shape.kind);
    assert.deepEqual(read.values, values, JSON.stringify(read.errors));
    read.values.forEach((value, i) => {
      if (value !== null) assert.deepEqual(read.errors[i], []);
      else assert.match(read.errors[i]![0]!, /^empty-result: m: no (value|buckets|histogram) at /);
    });
  });
