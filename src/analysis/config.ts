// Turns the parsed `analysis:` section into the resolved form the judge uses: defaults filled in, the
// seed preset's rollback triggers and warning levels added for the metrics the user defined, every check with
// a unique name.
import {
  analysisConfigSchema,
  recordedAnalysisConfigSchema,
  type AnalysisConfigInput,
  type CheckConfig,
  type ComparisonOp,
  type MetricConfig,
  type ProviderConfig,
} from './schema.ts';
import { UNDECIDED_DEFAULTS } from './window.ts';

export { windowIntervals } from './window.ts';

export type ResolvedCheck =
  | {
      kind: 'threshold';
      name: string;
      metric: string;
      op: ComparisonOp;
      value: number;
      forMs: number;
      /**
       * For an error-rate metric with an upper limit: the metric counting the requests it is a rate of. An
       * interval then breaches the limit only by more than one error (judge.ts), so that at under 1/limit
       * requests a single error is not read as a breach.
       */
      requests?: string;
      /**
       * The interval's counts decide a breach (rate-test.ts): with `requests` counted, an interval breaches
       * only when an exact binomial test rejects "the rate keeps the limit" at alpha / the window's planned
       * looks, so low traffic's noise is none (the one error less then only sets the deadline's margins); an
       * interval without a count breaches only as the second in a row (judge.ts).
       */
      alpha?: number;
      /** `on_breach: warn`: a breach is reported as a warning and never changes the decision (judge.ts). */
      warn?: true;
    }
  | {
      kind: 'relative';
      name: string;
      metric: string;
      op: ComparisonOp;
      factor: number;
      forMs: number;
      baseline: 'auto' | 'stable' | 'pre-deploy';
      /** As a threshold's: an error-rate rule judged with one error less (the seeds preset only). */
      requests?: string;
      warn?: true;
    }
  | {
      kind: 'errors';
      name: string;
      /** The count's key in a sample: a metric, or with `rate` the count the judge derives into it. */
      errors: string;
      requests: string;
      alpha: number;
      tolerance: number;
      /**
       * The seed preset without an `errors` metric: each side's errors are this error-rate metric times its
       * requests (judge.ts withDerivedCounts), so a config measuring `error_rate` and `requests` still gets the
       * sequential test on cumulative counts instead of per-interval rates alone.
       */
      rate?: string;
    }
  | { kind: 'histogram'; name: string; metric: string; alpha: number; tolerance: number }
  | {
      kind: 'values';
      name: string;
      metric: string;
      alpha: number;
      tolerance: number;
      /** The least difference counted as worse, in the metric's units (0: the tolerance alone). */
      minDifference: number;
      higherIsWorse: boolean;
    };

export interface AnalysisConfig {
  providers: Record<string, ProviderConfig>;
  metrics: Record<string, MetricConfig>;
  checks: ResolvedCheck[];
  maxProviderErrors: number;
  maxNoDataMs: number;
  minSamples: number;
  /**
   * `min_samples` was not written: the default asks at most as many intervals as a window has (judge.ts,
   * createJudgeState), so a window shorter than three intervals (preset fast's 1 s steps) can still promote.
   */
  minSamplesDefault?: true;
  /** Fraction of a window added once when it ends undecided. */
  extendUndecided: number;
  /** What a window still undecided after its extension concludes (deadline.ts). */
  onUndecided: 'decide' | 'hold';
}

const MINUTE = 60_000;

export const ANALYSIS_DEFAULTS = {
  maxProviderErrors: 5,
  maxNoDataMs: 5 * MINUTE,
  minSamples: 3,
  extendUndecided: UNDECIDED_DEFAULTS.extendUndecided,
  onUndecided: UNDECIDED_DEFAULTS.onUndecided,
  alpha: 0.01,
  // 1: H0 is "the canary's error rate is no higher than stable's", the null the 1 % bound is stated for.
  errorsTolerance: 1,
  valuesTolerance: 0.1,
  // The seed preset's p95 sign test: the histogram test's 5 % of slack, not the 0.1 of a values check in
  // general (memory, say, where a new version using a little more is no regression). At 0.1, a +20 % p95
  // that begins minutes into the window, with p95 varying 5 % from minute to minute, was found within 15
  // minutes in 60 % of simulated windows, at 0.05 in 96 %, with no false rollbacks at either (docs/analysis.md).
  p95Tolerance: 0.05,
  // H0 is "the canary's share of slow requests is at most 1.05x stable's": 5 % of slack for a fresh process
  // beside a warm one. Not more: +20 % latency multiplies the slow share by only 1.2-1.6, so at 1.2 (the
  // earlier default) a +20 % regression with heavy tails at 1-10 % of the traffic was found in 65-70 % of the
  // bench's trials, at 1.05 in 93-96 %, with no healthy scenario's false rollbacks changed (docs/analysis.md).
  // A canary that is cold for longer: raise it, or compare with a fresh baseline (canary.baseline: fresh).
  histogramTolerance: 1.05,
} as const;

/**
 * The seeds' rollback triggers (seed 01 phases 4 and 6, seed 02's immediate ones, seed 04) and warning levels (seeds 02, 04, 05). Each
 * applies only when its metric is defined.
 * "Memory > 95 % sustained" has no duration in the seed; 5m follows seed 01's MemoryUsageHigh alert.
 */
const ERROR_RATE_VS_BASELINE = 'seeds.error-rate-vs-baseline';

export const SEEDS_PRESET_CHECKS: ResolvedCheck[] = [
  {
    kind: 'threshold',
    name: 'seeds.error-rate',
    metric: 'error_rate',
    op: '<=',
    value: 0.01,
    forMs: 5 * MINUTE,
  },
  // Seed 02 "Immediate rollback if: Error rate > 10 %": the first interval whose counts show it (with a
  // `requests` metric: 2 errors in 12 requests do not, 40 in 100 do), or two intervals in a row over it
  // without a request count, so one noisy reading at low traffic is no rollback.
  {
    kind: 'threshold',
    name: 'seeds.error-rate-critical',
    metric: 'error_rate',
    op: '<=',
    value: 0.1,
    forMs: 0,
    alpha: ANALYSIS_DEFAULTS.alpha,
  },
  // Seed 04 stage 2 "Rollback if error rate > 2x baseline": beside stable (a canary) or against the error
  // rate measured before the deploy (blue-green, rolling, direct), where the 1 % rule alone is all a version
  // with no stable side had. Sustained 5 minutes and one error less, as seeds.error-rate: at a few requests
  // a minute one error is several times any healthy baseline.
  {
    kind: 'relative',
    name: ERROR_RATE_VS_BASELINE,
    metric: 'error_rate',
    op: '<=',
    factor: 2,
    forMs: 5 * MINUTE,
    baseline: 'auto',
  },
  {
    kind: 'relative',
    name: 'seeds.p95-vs-baseline',
    metric: 'p95',
    op: '<=',
    factor: 2,
    forMs: 10 * MINUTE,
    baseline: 'auto',
  },
  // Seed 02 "Immediate rollback if: Performance degradation > 50 %": p95 above 1.5x baseline for 4 minutes.
  // Not the first interval: at low traffic one minute's p95 is nearly its slowest request. On the judge
  // bench, 2 minutes in a row over 1.5x stable came in 3.3 % of healthy heavy-tailed windows and 0.8 % of
  // those with a p95 x5 spike; 3 minutes added 2 false rollbacks in 800 (0.38 % to 0.63 %); 4 minutes none,
  // and found +60 % latency without a histogram in 99.5 % (docs/analysis.md).
  {
    kind: 'relative',
    name: 'seeds.p95-critical',
    metric: 'p95',
    op: '<=',
    factor: 1.5,
    forMs: 4 * MINUTE,
    baseline: 'auto',
  },
  // Seed 01 phase 4 "No new error patterns" (a logs provider's count: providers/logs.ts), at the first interval
  // that shows one. A `for` would only wait: the count is of the window so far, so a pattern once new stays
  // new until the reference shows it, and no later interval makes it less true. The guard against false
  // alarms is in what counts: min_count occurrences (a single line is none), the reference (stable in the
  // same interval, the pre-deploy baseline) and `ignore` (warnings that are expected and documented).
  {
    kind: 'threshold',
    name: 'seeds.new-error-patterns',
    metric: 'new_error_patterns',
    op: '<=',
    value: 0,
    forMs: 0,
  },
  { kind: 'threshold', name: 'seeds.health', metric: 'health', op: '>=', value: 1, forMs: 3 * MINUTE },
  { kind: 'threshold', name: 'seeds.memory', metric: 'memory', op: '<=', value: 0.95, forMs: 5 * MINUTE },
  // Seed 01 phase 4's user-satisfaction target, "Apdex score > 0.95". No duration in the seed: sustained 5m,
  // as the error rate it is the users' side of, so one slow minute at low traffic does not roll back.
  { kind: 'threshold', name: 'seeds.apdex', metric: 'apdex', op: '>', value: 0.95, forMs: 5 * MINUTE },
  // The seeds' warning levels, which notify and never roll back (on_breach: warn). Unit-free metrics only: a
  // latency's unit (seconds or ms) is the user's, so "p95 > 2s" is theirs to write.
  // The seeds' error-rate warning levels disagree, so the strictest is the default: seed 01 phase 4's
  // "Threshold: 0.5%" for the first hour, below seed 05's "Error rate > 1 %: Investigate" and seed 04's
  // "Warning (notify channel): Error rate > 2%" (no duration). A check of this name sets another level. Decided
  // as seeds.error-rate-critical is, by the interval's counts (`alpha`): 0.5 % is within a healthy service's
  // normal rate, and at a canary's few hundred requests a minute one or two errors are over it; on the judge
  // bench's healthy canaries (0.5 % base rate) the first interval over it warned in 67-89 % of the windows,
  // with the test in 0.5-1 %.
  {
    kind: 'threshold',
    name: 'seeds.error-rate-warning',
    metric: 'error_rate',
    op: '<=',
    value: 0.005,
    forMs: 0,
    alpha: ANALYSIS_DEFAULTS.alpha,
    warn: true,
  },
  // Seed 04 "Resource usage > 80%", seed 02 "CPU > 80 %", seed 05 "CPU/Memory > 80 %: Scale/Investigate".
  { kind: 'threshold', name: 'seeds.cpu-warning', metric: 'cpu', op: '<=', value: 0.8, forMs: 0, warn: true },
  // Seed 02 "memory > 85 %" (seed 01's rollback at 95 % is seeds.memory).
  {
    kind: 'threshold',
    name: 'seeds.memory-warning',
    metric: 'memory',
    op: '<=',
    value: 0.85,
    forMs: 0,
    warn: true,
  },
  // Seed 05 "Latency p99 > 2x normal: Investigate": against its own baseline (stable beside a canary, else the
  // pre-deploy reading), so the latency's unit is no matter. No duration in the seed; sustained 5 minutes, as
  // at a canary's traffic one minute's p99 is about its slowest request: on the judge bench's healthy
  // heavy-tailed canaries the first interval over 2x warned in 93 % of the windows, 3 minutes in 4.5 %, 5 in none.
  {
    kind: 'relative',
    name: 'seeds.p99-warning',
    metric: 'p99',
    op: '<=',
    factor: 2,
    forMs: 5 * MINUTE,
    baseline: 'auto',
    warn: true,
  },
  {
    kind: 'errors',
    name: 'seeds.errors-vs-stable',
    errors: 'errors',
    requests: 'requests',
    alpha: ANALYSIS_DEFAULTS.alpha,
    tolerance: ANALYSIS_DEFAULTS.errorsTolerance,
  },
  {
    kind: 'histogram',
    name: 'seeds.latency-vs-stable',
    metric: 'latency',
    alpha: ANALYSIS_DEFAULTS.alpha,
    tolerance: ANALYSIS_DEFAULTS.histogramTolerance,
  },
  {
    kind: 'values',
    name: 'seeds.p95-vs-stable',
    metric: 'p95',
    alpha: ANALYSIS_DEFAULTS.alpha,
    tolerance: ANALYSIS_DEFAULTS.p95Tolerance,
    minDifference: 0,
    higherIsWorse: true,
  },
];

/** A check whose breach only warns (`on_breach: warn`): it never changes a decision. */
export function warnsOnly(check: ResolvedCheck): boolean {
  return (check.kind === 'threshold' || check.kind === 'relative') && check.warn === true;
}

export function checkMetrics(check: ResolvedCheck): string[] {
  if (check.kind === 'errors') return [check.rate ?? check.errors, check.requests];
  return [check.metric];
}

/**
 * The metrics read for a check: its own (checkMetrics) and a rule's request count (a counted threshold's, an
 * error rate's one error less), which only says how its breach is tested. An interval without that count is judged on the rate alone (judge.ts), so
 * the count's silence is no reason to hold or roll back: it is read, never waited for.
 */
export function readMetrics(check: ResolvedCheck): string[] {
  return (check.kind === 'threshold' || check.kind === 'relative') && check.requests !== undefined
    ? [check.metric, check.requests]
    : checkMetrics(check);
}

function describeRule(check: Extract<CheckConfig, { check: unknown }>): string {
  const e = check.check;
  return e.kind === 'threshold'
    ? `${e.metric} ${e.op} ${e.value}`
    : `${e.metric} ${e.op} ${e.factor}x baseline`;
}

function resolveCheck(check: CheckConfig): ResolvedCheck {
  if ('check' in check) {
    const name = check.name ?? describeRule(check);
    const forMs = check.for ?? 0;
    const e = check.check;
    // Only when set: a rollback check stays as it always was.
    const warn = check.on_breach === 'warn' ? { warn: true as const } : {};
    // The interval's counts decide its breach (judge.ts): the schema refuses requests elsewhere.
    const counted =
      check.requests === undefined
        ? {}
        : { requests: check.requests, alpha: check.alpha ?? ANALYSIS_DEFAULTS.alpha };
    if (e.kind === 'threshold')
      return {
        kind: 'threshold',
        name,
        metric: e.metric,
        op: e.op,
        value: e.value,
        forMs,
        ...counted,
        ...warn,
      };
    return {
      kind: 'relative',
      name,
      metric: e.metric,
      op: e.op,
      factor: e.factor,
      forMs,
      baseline: check.baseline ?? 'auto',
      ...warn,
    };
  }
  if (check.compare === 'histogram')
    return {
      kind: 'histogram',
      name: check.name ?? `${check.metric} distribution vs stable`,
      metric: check.metric,
      alpha: check.alpha ?? ANALYSIS_DEFAULTS.alpha,
      tolerance: check.tolerance ?? ANALYSIS_DEFAULTS.histogramTolerance,
    };
  if (check.compare === 'errors')
    return {
      kind: 'errors',
      name: check.name ?? `${check.errors}/${check.requests} vs stable`,
      errors: check.errors,
      requests: check.requests,
      alpha: check.alpha ?? ANALYSIS_DEFAULTS.alpha,
      tolerance: check.tolerance ?? ANALYSIS_DEFAULTS.errorsTolerance,
    };
  return {
    kind: 'values',
    name: check.name ?? `${check.metric} vs stable`,
    metric: check.metric,
    alpha: check.alpha ?? ANALYSIS_DEFAULTS.alpha,
    tolerance: check.tolerance ?? ANALYSIS_DEFAULTS.valuesTolerance,
    minDifference: check.min_difference ?? 0,
    higherIsWorse: check.higher_is_worse ?? true,
  };
}

/** The seed preset's errors comparison on counts derived from `error_rate` and `requests`, when it applies. */
function derivedErrorsCheck(
  preset: string,
  metrics: Record<string, { histogram?: boolean }>,
  userChecks: ResolvedCheck[],
): ResolvedCheck | undefined {
  const seed = SEEDS_PRESET_CHECKS.find((c) => c.kind === 'errors');
  if (preset !== 'seeds' || seed?.kind !== 'errors') return undefined;
  if (metrics[seed.errors] || !metrics.error_rate || !metrics.requests) return undefined;
  if (metrics.error_rate.histogram || metrics.requests.histogram) return undefined;
  if (userChecks.some((u) => u.name === seed.name)) return undefined;
  return { ...seed, rate: 'error_rate' };
}

/**
 * Validates and resolves. Throws the zod error (with paths) on bad input. `recorded`: a recording's config,
 * checked as the analyzer that recorded it accepted it (recordedAnalysisConfigSchema).
 */
export function resolveAnalysisConfig(
  input: AnalysisConfigInput | undefined,
  options: { recorded?: boolean } = {},
): AnalysisConfig {
  const schema = options.recorded ? recordedAnalysisConfigSchema : analysisConfigSchema;
  const parsed = schema.parse(input ?? {});
  const metrics = parsed.metrics ?? {};
  const userChecks = (parsed.checks ?? []).map(resolveCheck);
  const presetChecks =
    (parsed.preset ?? 'seeds') === 'seeds'
      ? SEEDS_PRESET_CHECKS.filter(
          (c) =>
            checkMetrics(c).every((m) => metrics[m]) &&
            // The latency comparison needs bucket counts: a plain `latency` number is left to the rules.
            (c.kind !== 'histogram' || metrics[c.metric]!.histogram === true) &&
            // A rule or a values comparison on bucket counts would judge the request count (schema.ts refuses
            // one written so): a `p95` defined as a histogram gets none of the preset's p95 checks.
            (c.kind === 'histogram' || c.kind === 'errors' || metrics[c.metric]!.histogram !== true) &&
            // "2x baseline" of an error rate needs the counts behind both rates: without them a quiet minute
            // before the deploy is a baseline of 0, which two errors a minute break at any traffic.
            (c.name !== ERROR_RATE_VS_BASELINE || metrics.requests !== undefined) &&
            !userChecks.some((u) => u.name === c.name),
        )
      : [];
  // The preset's error-rate limits read the request count when it is defined (see `requests`): the warning
  // too, or one error at a few requests a minute would warn in most intervals.
  const withCounts = presetChecks.map((c) =>
    (c.kind === 'threshold' || c.kind === 'relative') && c.metric === 'error_rate' && metrics.requests
      ? { ...c, requests: 'requests' }
      : c,
  );
  // Without an `errors` metric, the errors comparison counts error_rate x requests: at a few requests a
  // minute the per-interval rate a threshold sees is mostly noise, and the counts hold the evidence.
  const derived = derivedErrorsCheck(parsed.preset ?? 'seeds', metrics, userChecks);
  if (derived) withCounts.push(derived);
  const checks = [...userChecks, ...withCounts];
  const seen = new Set<string>();
  for (const check of checks) {
    if (seen.has(check.name))
      throw new Error(
        `analysis.checks: two checks are named "${check.name}"; give one of them a distinct name`,
      );
    seen.add(check.name);
  }
  return {
    providers: parsed.providers ?? {},
    metrics,
    checks,
    maxProviderErrors: parsed.max_provider_errors ?? ANALYSIS_DEFAULTS.maxProviderErrors,
    maxNoDataMs: parsed.max_no_data ?? ANALYSIS_DEFAULTS.maxNoDataMs,
    minSamples: parsed.min_samples ?? ANALYSIS_DEFAULTS.minSamples,
    ...(parsed.min_samples === undefined ? { minSamplesDefault: true as const } : {}),
    extendUndecided: parsed.extend_undecided ?? ANALYSIS_DEFAULTS.extendUndecided,
    onUndecided: parsed.on_undecided ?? ANALYSIS_DEFAULTS.onUndecided,
  };
}
