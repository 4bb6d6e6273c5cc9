// Sequential comparison of latency DISTRIBUTIONS from Prometheus histogram buckets (issue 15), instead of
// one p95 point per interval (a p95 from 120 requests rests on its 6 slowest ones).
//
// Representation. A histogram metric `latency` arrives per side as cumulative bucket counts for the interval
// (`sum by (le) (increase(..._bucket[1m]))`), stored in a sample under the keys `latency{le="0.1"}`, ...,
// `latency{le="+Inf"}`, and under `latency` itself the total count (so presence and the no-data policy work
// as for any metric, and a recording stays a flat mapping of numbers).
//
// Test. For a cut c at a bucket boundary, the canary's requests slower than c out of its nc requests are
// to the stable's slow requests out of ns exactly what errors are to requests in the error test: under
// "the canary's latency distribution is the stable's", given the interval's pooled bucket counts, which of
// the slow requests are the canary's is hypergeometric, and the binomial likelihood ratio the error test
// uses has expectation <= 1 under it (sampling without replacement is dominated in convex order: Hoeffding
// 1963). So the error test's mixture (over the ratio r of slow fractions and over the start of the fault),
// run on slow counts, is an anytime-valid test of "canary no slower than `tolerance` x stable at c".
// The cut is chosen from the POOLED counts (both versions, up to and including this interval), which
// carry no information about which version a request came from under the null, so choosing it does not
// spend any of alpha. Two cuts, at the pooled 75th and 95th percentiles (a shift of the body, and of the
// tail), each test with weight 1/2: the mean of two e-processes is one.
// Mixture over the ratio of slow shares: its own prior, not the error test's. Slow requests are a quarter and
// a twentieth of all requests, not half a percent, so small ratios are where the evidence is: a latency
// shift of practical interest (+10-50 %) multiplies the share above the pooled 75th percentile by 1.2-1.8,
// and that share cannot grow past 4x at all. Prior centred on 1.3x the tolerance (log-sd 0.35) over
// 1.02x-4x. With the error test's prior (centred on 2.5x, from 1.15x) the bench found +20 % latency with heavy
// tails at 1-10 % of the traffic in 55 % of trials, with this one in 71 %; no healthy scenario changed.
import {
  errorsLogEvidence,
  initialErrorsTest,
  logMeanExp,
  ratioMixture,
  updateErrorsTest,
  type ErrorsTestState,
  type RatioMixture,
} from './sequential.ts';
import type { MetricValues } from './types.ts';

export const HISTOGRAM_CUT_QUANTILES = [0.75, 0.95] as const;
export const LATENCY_MIXTURE: RatioMixture = ratioMixture(1.3, 0.35, 1.02, 4, 16);

/** The sample key of one bucket: `latency{le="0.25"}`, `latency{le="+Inf"}` (Prometheus' spelling of le). */
export function bucketKey(metric: string, le: number): string {
  return `${metric}{le="${le === Infinity ? '+Inf' : String(le)}"}`;
}

export const isBucketKey = (key: string): boolean => key.endsWith('"}') && key.includes('{le="');

/** Cumulative bucket counts of `metric` in one side's values, by upper bound; null when there are none. */
export function readBuckets(values: MetricValues | undefined, metric: string): Map<number, number> | null {
  if (!values) return null;
  const prefix = `${metric}{le="`;
  const buckets = new Map<number, number>();
  for (const [key, value] of Object.entries(values)) {
    if (!key.startsWith(prefix) || !key.endsWith('"}')) continue;
    const raw = key.slice(prefix.length, -2);
    const le = raw === '+Inf' ? Infinity : Number(raw);
    if (Number.isNaN(le) || typeof value !== 'number' || !Number.isFinite(value)) continue;
    buckets.set(le, value);
  }
  return buckets.size ? buckets : null;
}

export interface HistogramTestState {
  /** One error-style test per cut in HISTOGRAM_CUT_QUANTILES. */
  tests: ErrorsTestState[];
  /** Pooled (canary + stable) cumulative counts per bucket bound so far. */
  pooled: Record<string, number>;
  intervals: number;
  /** The cuts (bucket bounds) used at the last interval, per quantile. */
  cuts: number[];
}

export function initialHistogramTest(): HistogramTestState {
  return {
    tests: HISTOGRAM_CUT_QUANTILES.map(() => initialErrorsTest(LATENCY_MIXTURE)),
    pooled: {},
    intervals: 0,
    cuts: [],
  };
}

/**
 * One side's counts in bound order as cumulative counts, or null when they are not. A fall of less than
 * half a request from one bound to the next is rounding, not data: `sum by (le) (increase(...))` adds up
 * extrapolated floats per bucket series, and a bucket holding every request can come out 1e-12 below the
 * one under it (or a fraction of a request, when series are extrapolated differently). Such a fall is
 * levelled (the running maximum); a larger one (a counter reset inside the interval) or a negative count
 * makes the interval unusable.
 */
export function asCumulative(counts: readonly number[]): number[] | null {
  const out: number[] = [];
  for (const [i, x] of counts.entries()) {
    if (!(x >= 0) || !Number.isFinite(x)) return null;
    const before = i === 0 ? 0 : out[i - 1]!;
    if (x < before - 0.5) return null;
    out.push(Math.max(x, before));
  }
  return out;
}

/**
 * Adds one interval. Only bounds both sides report are used; an interval where a side has no buckets, no
 * requests, or counts that are not cumulative (falling with le by half a request or more: a counter reset
 * inside the interval) is skipped, as the error test skips impossible counts.
 */
export function updateHistogramTest(
  state: HistogramTestState,
  tolerance: number,
  maxLogStep: number,
  canary: Map<number, number> | null,
  stable: Map<number, number> | null,
): HistogramTestState {
  if (!canary || !stable) return state;
  const bounds = [...canary.keys()].filter((le) => stable.has(le)).sort((a, b) => a - b);
  if (bounds.at(-1) !== Infinity || bounds.length < 2) return state;
  const c = asCumulative(bounds.map((le) => canary.get(le)!));
  const s = asCumulative(bounds.map((le) => stable.get(le)!));
  if (!c || !s) return state;
  const nc = c.at(-1)!;
  const ns = s.at(-1)!;
  if (!(nc > 0 && ns > 0)) return state;
  const pooled = { ...state.pooled };
  bounds.forEach((le, i) => (pooled[String(le)] = (pooled[String(le)] ?? 0) + c[i]! + s[i]!));
  const total = pooled[String(Infinity)]!;
  const cuts = HISTOGRAM_CUT_QUANTILES.map((q) => {
    // The smallest finite bound holding at least q of the pooled requests: requests above it are "slow".
    let i = bounds.findIndex((le) => le !== Infinity && pooled[String(le)]! >= q * total);
    if (i === -1) i = bounds.length - 2;
    // A cut with no pooled request above it compares nothing (coarse buckets: 0.1, 0.5, +Inf with every
    // request under 0.5): the largest bound below it that some requests are above. Still chosen from the
    // pooled counts only, so still free of alpha.
    while (i > 0 && pooled[String(bounds[i])]! >= total) i--;
    return i;
  });
  return {
    tests: state.tests.map((test, k) => {
      const i = cuts[k]!;
      return updateErrorsTest(
        test,
        tolerance,
        maxLogStep,
        { errors: nc - c[i]!, requests: nc },
        { errors: ns - s[i]!, requests: ns },
        LATENCY_MIXTURE,
      );
    }),
    pooled,
    intervals: state.intervals + 1,
    cuts: cuts.map((i) => bounds[i]!),
  };
}

/**
 * The q-quantile of one interval's cumulative bucket counts, interpolated linearly inside the bucket that
 * holds it as Prometheus' histogram_quantile does (the highest finite bound when it falls in +Inf); null
 * without requests or with counts that are not cumulative (asCumulative). For people (the summary's chart), not the test.
 */
export function bucketQuantile(buckets: Map<number, number> | null, q: number): number | null {
  if (!buckets) return null;
  const bounds = [...buckets.keys()].sort((a, b) => a - b);
  if (bounds.at(-1) !== Infinity || bounds.length < 2) return null;
  const counts = asCumulative(bounds.map((le) => buckets.get(le)!));
  if (!counts) return null;
  const total = counts.at(-1)!;
  if (!(total > 0)) return null;
  const rank = q * total;
  const i = counts.findIndex((c) => c >= rank);
  if (bounds[i] === Infinity) return bounds.at(-2)!;
  const lower = i === 0 ? 0 : bounds[i - 1]!;
  const below = i === 0 ? 0 : counts[i - 1]!;
  const inside = counts[i]! - below;
  return inside > 0 ? lower + ((bounds[i]! - lower) * (rank - below)) / inside : bounds[i]!;
}

/** log of the e-value: the equal-weight mean of the per-cut tests' e-values. */
export function histogramLogEvidence(state: HistogramTestState): number {
  return logMeanExp(state.tests.map((test) => errorsLogEvidence(test, LATENCY_MIXTURE)));
}
