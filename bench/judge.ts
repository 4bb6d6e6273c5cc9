// Benchmark of the rollback judge on seeded synthetic canary steps at low traffic (issue 15), against:
//   (b) Flagger-style: fixed thresholds (error rate <= 1 %, p95 <= 500 ms) checked every interval, rollback
//       when the failed checks reach the failure limit (5); missing data counts as a failed check;
//   (c) Kayenta-style: one-sided Mann-Whitney per metric (error rate, p95), canary vs stable per-interval
//       values over a sliding window of the last 10 intervals, judged EVERY interval (alpha 0.01 / 2 metrics,
//       no correction for the repeated looks: that is how such a judge is run);
//   (o) the oracle: the most powerful fixed-horizon test that knows the effect and when it starts (a
//       Neyman-Pearson likelihood-ratio test at alpha 0.01 on the data from the onset to 15 minutes after
//       it, or to the end of the window's one extension). Its detection is that test's power. Its time to
//       detect is the SHORTEST fixed horizon h <= 15 at which a test of horizon h rejects: optimistic (no
//       single test has it), so the judge's ratio to it is a conservative comparison;
//   (v) the best anytime-valid test: the sequential probability ratio test that knows the effect and the
//       onset, at Ville's threshold 1/alpha (see anytimeOracle): what looking every minute at alpha 0.01
//       allows at best, so the gap between (v) and (o) is the price of the looks, not of the judge;
//   (i) the judge's own kind of test at its best: the exactly calibrated CUSUM (src/analysis/calibrated.ts)
//       told the true effect (3x on healthy scenarios), with no burst model and no cap on a step, spending
//       the WHOLE alpha 0.01 (the judge spends 0.4 of it there, see docs/analysis.md). Its detection is what
//       this design could reach if nothing but the binomial model ever happened; its false rollbacks on the
//       healthy scenarios are what that costs.
// Every trial is one canary step: 20 one-minute intervals (the judge may extend an undecided window once,
// by 10, as the analyzer does). Traffic: 20-50 req/s in total, the canary 1-10 % of it (or ~2 req/s),
// 0.5 % base error rate with interval-to-interval noise shared by both versions, log-normal latency read
// through Prometheus histogram buckets (p95 by histogram_quantile's interpolation).
// Run: npm run bench:judge [-- trials [seed-set [p95-only]] [--base-error RATE] [--overdispersion SD]]
// (default 500 per scenario, seed set 0: the figures in
// docs/analysis.md; another seed set checks that a figure is not an accident of these seeds)
import { parseArgs } from 'node:util';
import { resolveAnalysisConfig } from '../src/analysis/config.ts';
import { concludeWindow, windowIntervals } from '../src/analysis/deadline.ts';
import { bucketKey } from '../src/analysis/histogram.ts';
import { CUSUM_DESIGN, cusumRejects, initialCusum, updateCusum } from '../src/analysis/calibrated.ts';
import { createJudgeState, judge } from '../src/analysis/judge.ts';
import type { Sample } from '../src/analysis/types.ts';
import { normal, poisson, rng, type Random } from '../test/helpers/random.ts';

const MINUTE = 60_000;
const WINDOW = 20; // intervals of one minute
const HORIZON = 15; // minutes after onset: the target's "detected within 15 minutes"
/** Both versions' error rate before any fault; `--base-error` changes it (the figures in docs use 0.005). */
let baseError = 0.005;
/**
 * Minute-to-minute noise of each version's own error rate (log-normal sd), on top of the drift both share:
 * errors that cluster more than the conditional-binomial model assumes. 0 (the default) draws nothing, so
 * the seeds give the figures in docs/analysis.md.
 */
let overdispersion = 0;
const ALPHA = 0.01;
const BUCKETS = [25, 50, 75, 100, 150, 200, 250, 300, 400, 500, 750, 1000, 2500, 5000, Infinity];

// ---- Seeded generator --------------------------------------------------------------------------------

function binomial(r: Random, n: number, p: number): number {
  if (p <= 0 || n <= 0) return 0;
  if (p >= 1) return n;
  if (n * p > 30 && n * (1 - p) > 30)
    return Math.min(n, Math.max(0, Math.round(n * p + Math.sqrt(n * p * (1 - p)) * normal(r))));
  let k = 0;
  for (let i = 0; i < n; i++) if (r() < p) k++;
  return k;
}

/** Standard normal CDF (Abramowitz-Stegun 7.1.26 through erf; error < 1.5e-7). */
function phi(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf =
    1 -
    t *
      (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) *
      Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/** Latency CDF: log-normal (median 100 ms, sigma 0.5), optionally with a Pareto tail on 3 % of requests. */
function latencyCdf(ms: number, scale: number, heavyTails: boolean): number {
  if (ms === Infinity) return 1;
  const x = ms / scale;
  const body = phi(Math.log(x / 100) / 0.5);
  if (!heavyTails) return body;
  const tail = x <= 200 ? 0 : 1 - (200 / x) ** 1.2;
  return 0.97 * body + 0.03 * tail;
}
function bucketProbabilities(scale: number, heavyTails: boolean): number[] {
  let previous = 0;
  return BUCKETS.map((le) => {
    const c = latencyCdf(le, scale, heavyTails);
    const p = c - previous;
    previous = c;
    return Math.max(0, p);
  });
}
/** Multinomial bucket counts by a chain of binomials. */
function bucketCounts(r: Random, n: number, probabilities: number[]): number[] {
  let left = n;
  let mass = 1;
  return probabilities.map((p) => {
    const k = mass > 0 ? binomial(r, left, Math.min(1, p / mass)) : 0;
    left -= k;
    mass -= p;
    return k;
  });
}
/** Prometheus histogram_quantile: linear interpolation inside the bucket that holds the rank. */
function histogramQuantile(q: number, counts: number[]): number | null {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = q * total;
  let cumulative = 0;
  for (let i = 0; i < counts.length; i++) {
    const before = cumulative;
    cumulative += counts[i]!;
    if (cumulative >= rank) {
      if (BUCKETS[i] === Infinity) return BUCKETS[i - 1]!;
      const lower = i === 0 ? 0 : BUCKETS[i - 1]!;
      return lower + ((BUCKETS[i]! - lower) * (rank - before)) / counts[i]!;
    }
  }
  return BUCKETS.at(-2)!;
}

interface Scenario {
  name: string;
  healthy: boolean;
  /** Canary error rate / stable's from the onset. */
  errorFactor?: number;
  /** Canary latency scale from the onset. */
  latencyFactor?: number;
  /** Onset range (minutes into the window), inclusive. */
  onset?: [number, number];
  /** Canary traffic: about 2 req/s, or 1-10 % of the total, or ramping from 1 % to 10 %. */
  traffic: 'two-per-second' | 'share' | 'ramping';
  heavyTails?: boolean;
  /** One minute of the canary slower (p95 x5) and, unless 'latency', with ten times the errors. */
  spike?: 'latency' | 'latency-and-errors';
  gaps?: boolean;
  note?: string;
}

export const SCENARIOS: Scenario[] = [
  { name: 'healthy, 1-10 % of 20-50 rps', healthy: true, traffic: 'share' },
  { name: 'healthy, ramping traffic', healthy: true, traffic: 'ramping' },
  { name: 'healthy, heavy-tailed latency', healthy: true, traffic: 'share', heavyTails: true },
  {
    name: 'healthy, one spike (p95 x5, errors x10)',
    healthy: true,
    traffic: 'share',
    spike: 'latency-and-errors',
  },
  { name: 'healthy, gaps in the data', healthy: true, traffic: 'share', gaps: true },
  {
    name: '3x errors, ~2 rps, onset 2-7 min',
    healthy: false,
    traffic: 'two-per-second',
    errorFactor: 3,
    onset: [2, 7],
  },
  {
    name: '3x errors, 1-10 % share, onset 2-7',
    healthy: false,
    traffic: 'share',
    errorFactor: 3,
    onset: [2, 7],
  },
  {
    name: '3x errors, ~2 rps, late onset 10-14',
    healthy: false,
    traffic: 'two-per-second',
    errorFactor: 3,
    onset: [10, 14],
  },
  { name: '3x errors, ramping traffic', healthy: false, traffic: 'ramping', errorFactor: 3, onset: [2, 7] },
  {
    name: '1.5x errors, ~2 rps, onset 2-7',
    healthy: false,
    traffic: 'two-per-second',
    errorFactor: 1.5,
    onset: [2, 7],
    note: 'at this traffic the fixed-horizon oracle itself finds only a fraction, and the best anytime-valid test (v) almost none: the data do not hold more; not tuned for',
  },
  {
    name: '+20 % p95, ~2 rps, onset 2-7',
    healthy: false,
    traffic: 'two-per-second',
    latencyFactor: 1.2,
    onset: [2, 7],
  },
  {
    name: '+20 % p95, heavy tails, 1-10 %',
    healthy: false,
    traffic: 'share',
    latencyFactor: 1.2,
    heavyTails: true,
    onset: [2, 7],
  },
  // Last, so that adding it left the other scenarios' seeds (and figures) unchanged.
  {
    name: '3x errors, ~2 rps, from the start',
    healthy: false,
    traffic: 'two-per-second',
    errorFactor: 3,
    onset: [0, 0],
  },
  // The issue's "one latency spike": the one above without its error burst, so the two show which of the
  // burst's parts costs false rollbacks.
  { name: 'healthy, one latency spike (p95 x5)', healthy: true, traffic: 'share', spike: 'latency' },
  // Seed 02's "performance degradation > 50 %" (seeds.p95-critical): what its 4 minutes cost against the
  // tests, and in p95-only mode (no histogram) what it adds to the p95 sign test.
  {
    name: '+60 % latency, 1-10 % share, onset 2-7',
    healthy: false,
    traffic: 'share',
    latencyFactor: 1.6,
    onset: [2, 7],
  },
];

interface Side {
  requests: number;
  errors: number;
  buckets: number[];
}
interface Interval {
  canary: Side;
  stable: Side;
  missing: boolean;
}
interface Trial {
  onset: number;
  intervals: Interval[];
  /** For the oracle: per interval, the canary bucket probabilities under H0 and under the effect. */
  latencyNull: number[];
  latencyAlt: number[];
}

const TOTAL_INTERVALS = WINDOW + windowIntervals(resolveJudgeConfig(true), WINDOW * MINUTE, MINUTE).extension;

export function generate(s: Scenario, seed: number): Trial {
  const r = rng(seed);
  const total = 20 + 30 * r();
  const share = 0.01 + 0.09 * r();
  const onset = s.onset ? s.onset[0] + Math.floor(r() * (s.onset[1] - s.onset[0] + 1)) : Infinity;
  const missing = new Set<number>();
  if (s.gaps) {
    // 15 % of the intervals missing at random and one 3-minute outage of the metrics pipeline, with at
    // least one interval of data on either side of it: gaps stay shorter than max_no_data (5m), whose
    // fail-closed rollback is not what this scenario measures.
    const start = 3 + Math.floor(r() * 14);
    for (let i = 0; i < TOTAL_INTERVALS; i++)
      if (r() < 0.15 && (i < start - 1 || i > start + 3)) missing.add(i);
    for (let i = start; i < start + 3; i++) missing.add(i);
  }
  const spikeAt = s.spike ? 3 + Math.floor(r() * 15) : -1;
  const heavy = Boolean(s.heavyTails);
  const latencyNull = bucketProbabilities(1, heavy);
  const latencyAlt = bucketProbabilities(s.latencyFactor ?? 1, heavy);
  const intervals = Array.from({ length: TOTAL_INTERVALS }, (_, i): Interval => {
    const progress = Math.min(1, i / (WINDOW - 1));
    const rps = s.traffic === 'ramping' ? 20 + 30 * progress : total;
    const canaryRps =
      s.traffic === 'two-per-second' ? 2 : rps * (s.traffic === 'ramping' ? 0.01 + 0.09 * progress : share);
    // Error rates drift from minute to minute for both versions alike (deploys of dependencies, load).
    const drift = Math.exp(0.3 * normal(r) - 0.045);
    const faulty = i >= onset;
    const side = (canary: boolean): Side => {
      // Normal from a mean of 40 on: the figures in docs were made with that cut.
      const requests = poisson(r, (canary ? canaryRps : rps - canaryRps) * 60, 40);
      const own = overdispersion ? Math.exp(overdispersion * normal(r) - overdispersion ** 2 / 2) : 1;
      let rate = baseError * drift * own * (canary && faulty ? (s.errorFactor ?? 1) : 1);
      let probabilities = canary && faulty ? latencyAlt : latencyNull;
      if (canary && i === spikeAt) {
        if (s.spike === 'latency-and-errors') rate *= 10;
        probabilities = bucketProbabilities(5, heavy);
      }
      return {
        requests,
        errors: binomial(r, requests, Math.min(1, rate)),
        buckets: bucketCounts(r, requests, probabilities),
      };
    };
    return { canary: side(true), stable: side(false), missing: missing.has(i) };
  });
  return { onset, intervals, latencyNull, latencyAlt };
}

const errorRate = (side: Side) => (side.requests ? side.errors / side.requests : null);
const p95 = (side: Side) => histogramQuantile(0.95, side.buckets);

export function toSample(interval: Interval, i: number): Sample {
  const values = (side: Side) => {
    // Cumulative bucket counts in seconds, as `sum by (le) (increase(..._bucket[1m]))` returns them.
    let cumulative = 0;
    const buckets = Object.fromEntries(
      BUCKETS.map((le, b) => [bucketKey('latency', le / 1000), (cumulative += side.buckets[b]!)]),
    );
    return {
      error_rate: errorRate(side),
      errors: side.errors,
      requests: side.requests,
      p95: p95(side),
      latency: side.requests,
      ...buckets,
    };
  };
  const at = (i + 1) * MINUTE;
  if (interval.missing) return { at, canary: {}, stable: {}, errors: [] };
  return { at, canary: values(interval.canary), stable: values(interval.stable), errors: [] };
}

// ---- The four judges: each returns the minute (1-based) at which it rolls back, or null ---------------

function resolveJudgeConfig(histogram: boolean) {
  // The seeds preset with the documented defaults, for the metrics a Prometheus setup gives.
  return resolveAnalysisConfig({
    providers: { prom: { type: 'prometheus', url: 'http://127.0.0.1:9090' } },
    metrics: {
      ...Object.fromEntries(
        ['error_rate', 'errors', 'requests', 'p95'].map((m) => [m, { provider: 'prom', query: m }]),
      ),
      ...(histogram ? { latency: { provider: 'prom', query: 'latency buckets', histogram: true } } : {}),
    },
  });
}
export const judgeConfig = resolveJudgeConfig(true);
/** `p95-only`: no latency histogram defined, as in recordings made before buckets were read. */
const p95OnlyConfig = resolveJudgeConfig(false);
let benchConfig = judgeConfig;

interface Verdict {
  at: number | null;
  /** The window's final decision kind and the rollback's reason code (the judge only). */
  final?: 'promote' | 'hold' | 'rollback';
  code?: string;
}

/** (a) The judge, run as the analyzer runs it: a window, one extension if undecided, then a decision. */
function ourJudge(trial: Trial): Verdict {
  const { base, extension } = windowIntervals(benchConfig, WINDOW * MINUTE, MINUTE);
  let state = createJudgeState(benchConfig, {
    intervalMs: MINUTE,
    startedAt: 0,
    plannedIntervals: base + extension,
  });
  let count = base;
  for (let i = 0; i < count; i++) {
    const { state: next, decision } = judge(state, toSample(trial.intervals[i]!, i));
    state = next;
    if (decision.kind === 'rollback') return { at: i + 1, final: 'rollback', code: decision.code };
    if (i === base - 1 && decision.kind === 'hold') count = base + extension;
    if (i === count - 1) {
      const final = concludeWindow(state, decision);
      return { at: final.kind === 'rollback' ? i + 1 : null, final: final.kind, code: final.code };
    }
  }
  throw new Error('unreachable');
}

/** (b) Flagger-style threshold checks with a failure limit; no data is a failed check. */
function thresholdJudge(trial: Trial, failureLimit = 5): Verdict {
  let failed = 0;
  for (let i = 0; i < WINDOW; i++) {
    const interval = trial.intervals[i]!;
    const e = interval.missing ? null : errorRate(interval.canary);
    const p = interval.missing ? null : p95(interval.canary);
    if (e === null || p === null || e > 0.01 || p > 500) failed++;
    if (failed >= failureLimit) return { at: i + 1 };
  }
  return { at: null };
}

/** One-sided Mann-Whitney U (normal approximation with tie correction): p-value for "a tends to exceed b". */
export function mannWhitneyGreater(a: number[], b: number[]): number {
  const all = [...a.map((v) => ({ v, g: 0 })), ...b.map((v) => ({ v, g: 1 }))].sort((x, y) => x.v - y.v);
  const ranks = new Array<number>(all.length);
  let tieTerm = 0;
  for (let i = 0; i < all.length;) {
    let j = i;
    while (j + 1 < all.length && all[j + 1]!.v === all[i]!.v) j++;
    for (let k = i; k <= j; k++) ranks[k] = (i + j) / 2 + 1;
    const t = j - i + 1;
    tieTerm += t ** 3 - t;
    i = j + 1;
  }
  const n1 = a.length;
  const n2 = b.length;
  const r1 = all.reduce((sum, x, k) => sum + (x.g === 0 ? ranks[k]! : 0), 0);
  const u = r1 - (n1 * (n1 + 1)) / 2;
  const n = n1 + n2;
  const sigma = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
  if (sigma === 0) return 1;
  return 1 - phi((u - (n1 * n2) / 2 - 0.5) / sigma);
}

/** (c) Kayenta-style Mann-Whitney, judged every interval over the last `span` intervals. */
function mannWhitneyJudge(trial: Trial, span = 10): Verdict {
  for (let i = 2; i < WINDOW; i++) {
    const recent = trial.intervals.slice(Math.max(0, i + 1 - span), i + 1).filter((x) => !x.missing);
    for (const metric of [errorRate, p95]) {
      const a = recent.map((x) => metric(x.canary)).filter((v): v is number => v !== null);
      const b = recent.map((x) => metric(x.stable)).filter((v): v is number => v !== null);
      if (a.length >= 3 && b.length >= 3 && mannWhitneyGreater(a, b) < ALPHA / 2) return { at: i + 1 };
    }
  }
  return { at: null };
}

/**
 * (o) Neyman-Pearson test of "no effect" against the true effect on the data from the onset to onset + h.
 * Errors: the conditional binomial likelihood ratio (canary errors given the total, pi from the true
 * ratio). Latency: the multinomial likelihood ratio of the canary's bucket counts under the true latency
 * distributions. Critical value from the normal approximation of the statistic's null distribution.
 */
function oracleRejects(s: Scenario, trial: Trial, h: number): boolean {
  let statistic = 0;
  let nullMean = 0;
  let nullVar = 0;
  const end = Math.min(trial.onset + h, TOTAL_INTERVALS);
  for (let i = trial.onset; i < end; i++) {
    const { canary, stable } = trial.intervals[i]!;
    if (s.errorFactor && canary.requests > 0 && stable.requests > 0) {
      const k = canary.errors + stable.errors;
      const pi0 = canary.requests / (canary.requests + stable.requests);
      const rc = s.errorFactor * canary.requests;
      const pi1 = rc / (rc + stable.requests);
      const w = Math.log((pi1 * (1 - pi0)) / (pi0 * (1 - pi1)));
      statistic += w * canary.errors;
      nullMean += w * k * pi0;
      nullVar += w * w * k * pi0 * (1 - pi0);
    }
    if (s.latencyFactor) {
      const weights = trial.latencyAlt.map((p1, b) => (p1 > 0 ? Math.log(p1 / trial.latencyNull[b]!) : 0));
      const n = canary.requests;
      const mean = trial.latencyNull.reduce((sum, p0, b) => sum + p0 * weights[b]!, 0);
      const second = trial.latencyNull.reduce((sum, p0, b) => sum + p0 * weights[b]! ** 2, 0);
      statistic += canary.buckets.reduce((sum, c, b) => sum + c * weights[b]!, 0);
      nullMean += n * mean;
      nullVar += n * (second - mean * mean);
    }
  }
  return nullVar > 0 && statistic > nullMean + 2.326 * Math.sqrt(nullVar);
}
/**
 * (v) The best anytime-valid test: the sequential probability ratio test that knows the effect and its
 * onset (the same likelihood ratio as the oracle, from the onset on), rejecting when it reaches 1/alpha as
 * Ville's inequality requires of a test that looks every interval. No test that is valid at every look and
 * must learn the effect and the onset from the data does better on average; the gap between it and the
 * oracle is the price of looking every minute, not of the judge.
 */
function anytimeOracle(s: Scenario, trial: Trial): Verdict {
  let llr = 0;
  const end = Math.min(trial.onset + HORIZON, TOTAL_INTERVALS);
  for (let i = trial.onset; i < end; i++) {
    const { canary, stable } = trial.intervals[i]!;
    if (s.errorFactor && canary.requests > 0 && stable.requests > 0) {
      const pi0 = canary.requests / (canary.requests + stable.requests);
      const rc = s.errorFactor * canary.requests;
      const pi1 = rc / (rc + stable.requests);
      llr += canary.errors * Math.log(pi1 / pi0) + stable.errors * Math.log((1 - pi1) / (1 - pi0));
    }
    if (s.latencyFactor)
      llr += canary.buckets.reduce(
        (sum, c, b) =>
          sum + (trial.latencyAlt[b]! > 0 ? c * Math.log(trial.latencyAlt[b]! / trial.latencyNull[b]!) : 0),
        0,
      );
    if (llr >= Math.log(1 / ALPHA)) return { at: i + 1 };
  }
  return { at: null };
}

/**
 * (i) The exactly calibrated CUSUM at its best (see the header): the true effect ratio, no burst model, no
 * cap worth the name, the whole alpha, over every look the judge may take (window and extension).
 */
function idealCusum(s: Scenario, trial: Trial): Verdict {
  const design = { ...CUSUM_DESIGN, ratio: s.errorFactor ?? 3, cap: 50, burstShare: 0 };
  let state = initialCusum();
  for (let i = 0; i < TOTAL_INTERVALS; i++) {
    const { canary, stable, missing } = trial.intervals[i]!;
    const counts = missing
      ? undefined
      : { ec: canary.errors, es: stable.errors, nc: canary.requests, ns: stable.requests };
    state = updateCusum(state, counts, 1, ALPHA, TOTAL_INTERVALS, design);
    if (cusumRejects(state)) return { at: i + 1 };
  }
  return { at: null };
}

/**
 * The oracle's power at each fixed horizon h = 1..15 minutes after the onset (never past the end of the
 * window's extension: the most data the judge can see). Its detection is the power at 15; its time to detect is read off the
 * power curve: the median is the shortest horizon with half of that power, the p90 with 90 % of it (the
 * detection-time distribution of a fixed-horizon test chosen per trial, which no single test achieves).
 */
function oracleStats(s: Scenario, trials: Trial[]): Stats {
  const power = Array.from({ length: HORIZON + 1 }, (_, h) =>
    h === 0 ? 0 : trials.filter((t) => oracleRejects(s, t, h)).length / trials.length,
  );
  const full = power[HORIZON]!;
  const first = (share: number) => (full ? power.findIndex((p) => p >= share * full) : -1);
  return {
    rate: full,
    median: full ? first(0.5) : null,
    p90: full ? first(0.9) : null,
    holds: 0,
    promotes: 0,
    codes: {},
  };
}

// ---- Measurement ---------------------------------------------------------------------------------------

interface Stats {
  /** Faulty: rolled back within HORIZON minutes of the onset; healthy: rolled back at all. */
  rate: number;
  median: number | null;
  p90: number | null;
  holds: number;
  promotes: number;
  /** Reason codes of the rollbacks counted in `rate`. */
  codes: Record<string, number>;
}

function quantile(sorted: number[], q: number): number | null {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]! : null;
}

function measure(s: Scenario, trials: Trial[], fn: (trial: Trial) => Verdict): Stats {
  const times: number[] = [];
  let holds = 0;
  let promotes = 0;
  const codes: Record<string, number> = {};
  for (const trial of trials) {
    const v = fn(trial);
    if (v.final === 'hold') holds++;
    if (v.final === 'promote') promotes++;
    if (v.at === null) continue;
    const counted = s.healthy || (v.at > trial.onset && v.at - trial.onset <= HORIZON);
    if (!counted) continue;
    times.push(s.healthy ? v.at : v.at - trial.onset);
    if (v.code) codes[v.code] = (codes[v.code] ?? 0) + 1;
  }
  times.sort((a, b) => a - b);
  return {
    rate: times.length / trials.length,
    median: quantile(times, 0.5),
    p90: quantile(times, 0.9),
    holds: holds / trials.length,
    promotes: promotes / trials.length,
    codes,
  };
}

/**
 * Healthy scenarios run this many times the trials: a false-rollback rate near the 1 % target needs them
 * (at 500 trials one of 1.2 % reads anywhere from 0.4 % to 2 %; the one-minute burst scenario read 0.4 %
 * at 500 and 1.2-1.6 % at 3,000 on three other seed sets).
 */
const HEALTHY_TRIALS_FACTOR = 4;

/** Upper end of the 95 % Wilson score interval for k successes in n trials. */
function wilsonUpper(k: number, n: number): number {
  const z = 1.96;
  const p = k / n;
  const centre = p + (z * z) / (2 * n);
  const spread = z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
  return (centre + spread) / (1 + (z * z) / n);
}

export function benchJudge(
  trialCount = 500,
  seedSet = 0,
  p95Only = false,
  baseErrorRate = 0.005,
  overdispersionSd = 0,
): void {
  benchConfig = p95Only ? p95OnlyConfig : judgeConfig;
  baseError = baseErrorRate;
  overdispersion = overdispersionSd;
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const pct2 = (x: number) => `${(x * 100).toFixed(2)}%`;
  const t = (x: number | null) => (x === null ? '-' : String(x));
  console.log(
    `rollback judge benchmark: ${trialCount} seeded trials per faulty scenario, ${trialCount * HEALTHY_TRIALS_FACTOR} per healthy one (seed set ${seedSet}); ${WINDOW} one-minute intervals (+${TOTAL_INTERVALS - WINDOW} extension when undecided); base error rate ${pct2(baseError)}${overdispersion ? `; each version's error rate also varies on its own from minute to minute (log-normal sd ${overdispersion})` : ''}${p95Only ? '; p95 only: the judge is given no latency histogram (recordings without buckets)' : ''}`,
  );
  console.log(
    `healthy: rate = false rollbacks (95 % up: upper end of its 95 % interval). faulty: rate = rolled back within ${HORIZON} min of the onset; ttd = minutes from onset (median/p90)\n`,
  );
  const header = [
    'scenario',
    '(a) judge',
    '95 % up',
    'ttd',
    'hold',
    '(b) flagger',
    'ttd',
    '(c) MW sliding',
    'ttd',
    '(o) oracle',
    'ttd',
    'a/o',
    '(v) AV oracle',
    'ttd',
    'a/v',
    '(i) ideal CUSUM',
    'ttd',
    'a/i',
  ];
  const rows: string[][] = [];
  const results = SCENARIOS.map((s, index) => {
    const count = s.healthy ? trialCount * HEALTHY_TRIALS_FACTOR : trialCount;
    const trials = Array.from({ length: count }, (_, k) =>
      generate(s, 1_000_003 * (index + 1) + 7919 * k + 99_991 * seedSet),
    );
    const a = measure(s, trials, ourJudge);
    const b = measure(s, trials, (x) => thresholdJudge(x));
    const c = measure(s, trials, (x) => mannWhitneyJudge(x));
    const o = s.healthy ? null : oracleStats(s, trials);
    const v = s.healthy ? null : measure(s, trials, (x) => anytimeOracle(s, x));
    const i = s.healthy || s.errorFactor ? measure(s, trials, (x) => idealCusum(s, x)) : null;
    rows.push([
      s.name,
      s.healthy ? pct2(a.rate) : pct(a.rate),
      s.healthy ? pct2(wilsonUpper(Math.round(a.rate * count), count)) : '',
      `${t(a.median)}/${t(a.p90)}`,
      pct(a.holds),
      pct(b.rate),
      `${t(b.median)}/${t(b.p90)}`,
      pct(c.rate),
      `${t(c.median)}/${t(c.p90)}`,
      o ? pct(o.rate) : '',
      o ? `${t(o.median)}/${t(o.p90)}` : '',
      o && o.rate ? (a.rate / o.rate).toFixed(2) : '',
      v ? pct(v.rate) : '',
      v ? `${t(v.median)}/${t(v.p90)}` : '',
      v && v.rate ? (a.rate / v.rate).toFixed(2) : '',
      i ? (s.healthy ? pct2(i.rate) : pct(i.rate)) : '',
      i ? `${t(i.median)}/${t(i.p90)}` : '',
      i && i.rate && !s.healthy ? (a.rate / i.rate).toFixed(2) : '',
    ]);
    return { s, a, o };
  });
  // Healthy scenarios first, whatever their place in SCENARIOS (which fixes their seeds).
  rows.sort(
    (x, y) =>
      Number(!SCENARIOS.find((s) => s.name === x[0])!.healthy) -
      Number(!SCENARIOS.find((s) => s.name === y[0])!.healthy),
  );
  rows.unshift(header);
  const widths = header.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const row of rows)
    console.log(row.map((cell, i) => (i ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  '));

  console.log("\nthe judge's rollbacks above, by reason code:");
  for (const { s, a } of results)
    if (Object.keys(a.codes).length)
      console.log(
        `  ${s.name}: ${Object.entries(a.codes)
          .map(([code, n]) => `${code} ${n}`)
          .join(', ')}`,
      );

  console.log('\nissue 15 targets (on this generator):');
  const line = (ok: boolean, text: string) => console.log(`  ${ok ? 'MET    ' : 'NOT MET'} ${text}`);
  for (const { s, a } of results.filter((r) => r.s.healthy))
    line(a.rate <= 0.01, `false rollbacks <= 1 %: ${s.name}: ${pct2(a.rate)}`);
  const triple = results.find((r) => r.s.name.startsWith('3x errors, ~2 rps, onset'))!;
  line(
    triple.a.rate >= 0.9,
    `3x errors at ~2 req/s detected within 15 min of onset >= 90 %: ${pct(triple.a.rate)} (oracle ${pct(triple.o!.rate)})`,
  );
  for (const { s, a, o } of results.filter((r) => !r.s.healthy)) {
    line(
      a.rate >= 0.9 * o!.rate,
      `detection >= 0.9x the oracle: ${s.name}: ${pct(a.rate)} vs ${pct(o!.rate)}${s.note ? ` (${s.note})` : ''}`,
    );
    if (a.median !== null && o!.median !== null)
      line(
        a.median <= 1.5 * o!.median,
        `median time to detect <= 1.5x the oracle's: ${s.name}: ${a.median} vs ${o!.median} min`,
      );
    line(a.holds <= 0.05, `hold at the end of the window <= 5 %: ${s.name}: ${pct(a.holds)}`);
  }
  for (const { s, a } of results.filter((r) => r.s.latencyFactor === 1.2))
    line(a.rate >= 0.9, `+20 % p95 detected >= 90 %: ${s.name}: ${pct(a.rate)}`);
}

if (import.meta.main) {
  const usage = 'bench:judge [trials] [seed set] [p95-only] [--base-error RATE] [--overdispersion SD]';
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      'base-error': { type: 'string', default: '0.005' },
      overdispersion: { type: 'string', default: '0' },
    },
  });
  const [trials = '500', seedSet = '0', mode] = positionals;
  if (mode !== undefined && mode !== 'p95-only')
    throw new Error(`${usage}: unknown mode ${JSON.stringify(mode)}`);
  const rate = Number(values['base-error']);
  if (!(rate > 0 && rate < 0.2))
    throw new Error(
      `${usage}: --base-error must be a rate between 0 and 0.2, got ${JSON.stringify(values['base-error'])}`,
    );
  const sd = Number(values.overdispersion);
  if (!(sd >= 0 && sd <= 2))
    throw new Error(
      `${usage}: --overdispersion must be a log-normal sd between 0 and 2, got ${JSON.stringify(values.overdispersion)}`,
    );
  benchJudge(Number(trials), Number(seedSet), mode === 'p95-only', rate, sd);
}
