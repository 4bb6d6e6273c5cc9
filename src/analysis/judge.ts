// The rollback judge: a pure function from (state, sample) to (new state, decision). No clock, no I/O: time
// comes from the sample, so the same samples always give the same decisions, live or replayed.
import { checkMetrics, readMetrics, warnsOnly, type AnalysisConfig, type ResolvedCheck } from './config.ts';
import { errorCountProblems, testedCounts } from './counts.ts';
import type { ComparisonOp } from './schema.ts';
import {
  errorsLogEvidence,
  initialErrorsTest,
  initialSignTest,
  maxLogStep,
  ERRORS_MIN_INTERVALS,
  PENDING_FRACTION,
  rejectsLog,
  signLogEvidence,
  updateErrorsTest,
  updateSignTest,
  type ErrorsTestState,
  type SignTestState,
} from './sequential.ts';
import {
  CUSUM_CAP,
  CUSUM_GRID,
  DEFAULT_PLANNED_LOOKS,
  errorsCheckAlphas,
  cusumRejects,
  initialCusum,
  updateCusum,
  type CusumState,
} from './calibrated.ts';
import {
  bucketQuantile,
  histogramLogEvidence,
  initialHistogramTest,
  isBucketKey,
  readBuckets,
  updateHistogramTest,
  type HistogramTestState,
} from './histogram.ts';
import {
  NO_DATA_CODES,
  type AnalysisWarning,
  type Decision,
  type MetricValues,
  type Sample,
  type SampleError,
} from './types.ts';
import { formatDuration } from '../config/duration.ts';
import { append, type AppendOnly } from './append-only.ts';
import { rateBreachPValue, rateCounts } from './rate-test.ts';

export interface RuleCheckState {
  /** Intervals with data in the current violation (0 while the rule holds), so a gap adds no time. */
  violatingIntervals: number;
  /** value - limit of every interval with data in the window: the evidence a deadline decision reads. */
  margins: AppendOnly;
  /** A warning check (`on_breach: warn`) that warned of its current violation: not again until it holds. */
  warned?: true;
  /**
   * Some interval had the value and the limit (a relative rule: a baseline): the rule was judged. A relative
   * rule without a baseline in every interval held nothing, and a promotion says so (unjudgedRules).
   */
  judged?: true;
}

/** The errors check: the e-value test (gross failures, any look) and the calibrated CUSUM (calibrated.ts). */
export interface ErrorsCheckState extends ErrorsTestState {
  cusum: CusumState;
}

export type CheckState = RuleCheckState | ErrorsCheckState | SignTestState | HistogramTestState;

export interface JudgeState {
  config: AnalysisConfig;
  intervalMs: number;
  /** Pre-deploy baseline values per metric (for "x baseline" checks). */
  baseline: MetricValues;
  /**
   * What the sample's `stable` side is, in the judge's words: the stable version, or a fresh baseline (a new
   * copy of it beside the canary, issue 15). Only words: value keys keep the side's name (`stable.p95`).
   */
  reference: Reference;
  /** Looks the window plans (its intervals and its extension): what the calibrated CUSUM spends alpha over. */
  plannedIntervals: number;
  /** Window start; set from the first sample when not given. */
  startedAt: number | null;
  samples: number;
  samplesWithData: number;
  /** Last time each metric used by a check had a canary value. */
  lastDataAt: Record<string, number>;
  /**
   * Per metric a deciding check reads, the intervals in which the canary had a value: a window promotes only
   * with min_samples of them for each, so a metric whose read answered nothing all window (a broken query)
   * is not promoted past because the others had data.
   */
  dataIntervals: Record<string, number>;
  /** Per such metric, why it had no value the last interval it had none (readFailure), for the reason. */
  noDataWhy: Record<string, string>;
  consecutiveErrorIntervals: number;
  checks: Record<string, CheckState>;
  /** Once a rollback fired it stays: later samples cannot un-fire it. */
  fired: Decision | null;
  /** JudgeOptions.comparedBefore, when any. */
  comparedBefore?: readonly string[];
}

export type Reference = 'stable' | 'baseline';

export interface JudgeOptions {
  intervalMs: number;
  baseline?: MetricValues;
  /** Default 'stable'. */
  reference?: Reference;
  startedAt?: number;
  /** Intervals of the window and its extension (default DEFAULT_PLANNED_LOOKS). */
  plannedIntervals?: number;
  /**
   * The comparisons that judged this version beside stable in an earlier window of its deployment (a canary's
   * steps below 100 %), given for a window without a stable side (its 100 % step, verify, monitor): idle there
   * only because stable no longer serves beside it, they are no missing evidence (nothingJudged).
   */
  comparedBefore?: readonly string[];
}

/**
 * The looks the CUSUM spends its alpha over. NaN silently never spent any (the test could not fire) and
 * Infinity none either: a caller's bug, said as one.
 */
function plannedLooks(value: number | undefined): number {
  if (value === undefined) return DEFAULT_PLANNED_LOOKS;
  if (!Number.isFinite(value) || value < 1)
    throw new RangeError(`plannedIntervals must be a finite number of looks, at least 1; got ${value}`);
  return value;
}

/**
 * The default min_samples (3) asks no more intervals with data than the window has, its one extension
 * included: asked of a window of one or two intervals (preset fast's 1 s canary steps and verify window), it
 * rolled back every healthy deployment there as no-data. A min_samples the author wrote is kept as written
 * (validate warns of a window that cannot reach it: config/warnings.ts).
 */
function withinWindow(config: AnalysisConfig, plannedIntervals: number): AnalysisConfig {
  if (!config.minSamplesDefault || plannedIntervals >= config.minSamples) return config;
  return { ...config, minSamples: Math.max(1, Math.floor(plannedIntervals)) };
}

export function createJudgeState(config: AnalysisConfig, options: JudgeOptions): JudgeState {
  const planned = plannedLooks(options.plannedIntervals);
  const checks: Record<string, CheckState> = {};
  for (const check of config.checks)
    checks[check.name] =
      check.kind === 'errors'
        ? { ...initialErrorsTest(), cusum: initialCusum() }
        : check.kind === 'histogram'
          ? initialHistogramTest()
          : check.kind === 'values'
            ? initialSignTest()
            : { violatingIntervals: 0, margins: null };
  return {
    // Capped only by a window's own count, never by the default number of looks a caller left unsaid.
    config: options.plannedIntervals === undefined ? config : withinWindow(config, planned),
    intervalMs: options.intervalMs,
    baseline: options.baseline ?? {},
    reference: options.reference ?? 'stable',
    plannedIntervals: planned,
    startedAt: options.startedAt ?? null,
    samples: 0,
    samplesWithData: 0,
    lastDataAt: {},
    dataIntervals: {},
    noDataWhy: {},
    consecutiveErrorIntervals: 0,
    checks,
    fired: null,
    ...(options.comparedBefore?.length ? { comparedBefore: options.comparedBefore } : {}),
  };
}

export function holds(value: number, op: ComparisonOp, limit: number): boolean {
  switch (op) {
    case '<':
      return value < limit;
    case '<=':
      return value <= limit;
    case '>':
      return value > limit;
    case '>=':
      return value >= limit;
  }
}

const num = (v: number | null | undefined): number | null =>
  typeof v === 'number' && Number.isFinite(v) ? v : null;
export const fmt = (v: number): string =>
  Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4)));

function baselineFor(
  check: Extract<ResolvedCheck, { kind: 'relative' }>,
  sample: Sample,
  preDeploy: MetricValues,
): number | null {
  const stable = num(sample.stable?.[check.metric]);
  const before = num(preDeploy[check.metric]);
  if (check.baseline === 'stable') return stable;
  if (check.baseline === 'pre-deploy') return before;
  return stable ?? before;
}

/**
 * The limit `factor x baseline` sets: the baseline moved by (factor - 1) of its size, which is factor x the
 * baseline for a baseline of 0 or more. For a metric that can be negative (a delta, a net flow), factor x a
 * negative baseline moves the other way: "< 2x baseline" of -10 was -20, which a canary identical to its
 * baseline breaks, and "> 0.8x baseline" of -10 was -8, which it breaks too. Here they are 0 and -12.
 */
export function relativeLimit(base: number, factor: number): number {
  return base >= 0 ? base * factor : base + Math.abs(base) * (factor - 1);
}

/**
 * One error's worth of the baseline's own request count (the side baselineFor read), or 0: an error rate
 * with a `requests` metric compares the canary with one error less against its baseline with one error more.
 * A baseline of 0 errors is no rate of 0 (0 errors in 600 requests is as likely at 0.3 %), and 2x 0 was
 * broken by 2 errors a minute at any traffic (one with an extrapolated increase() count).
 */
function baselineAllowance(
  check: Extract<ResolvedCheck, { kind: 'relative' }>,
  sample: Sample,
  preDeploy: MetricValues,
): number {
  if (!check.requests) return 0;
  const fromStable = check.baseline !== 'pre-deploy' && num(sample.stable?.[check.metric]) !== null;
  const side = fromStable ? sample.stable : preDeploy;
  return oneErrorAllowance(check, side?.[check.requests] ?? sample.canary[check.requests]);
}

/**
 * The rate an error-rate upper limit with a request count is judged on: the interval's rate less one error's
 * worth (1/requests). At n requests a single error is a rate of 1/n, above a 1 % limit whenever n < 100: at a
 * few requests per second a healthy canary at half the limit has an error in most minutes, and "above the
 * limit for 5 minutes" was noise (most of the bench's false rollbacks). One error less changes little at
 * high traffic (at 1000 requests 1 % is breached by 12 errors instead of 11) and nothing for a real breakage.
 */
function lessOneError(
  check: Extract<ResolvedCheck, { kind: 'threshold' | 'relative' }>,
  value: number,
  sample: Sample,
): number {
  return value - oneErrorAllowance(check, sample.canary[check.requests ?? '']);
}

/**
 * One error's worth (1/requests) that lessOneError takes off a threshold's value, or 0: what the job summary
 * adds to the limit it draws, so a canary the rule held is not shown over it (evidence.ts).
 */
export function oneErrorAllowance(
  check: Extract<ResolvedCheck, { kind: 'threshold' | 'relative' }>,
  requests: number | null | undefined,
): number {
  if (!check.requests || (check.op !== '<=' && check.op !== '<')) return 0;
  const n = num(requests);
  return n !== null && n >= 1 ? 1 / n : 0;
}

/**
 * A relative rule's canary at 0 against a baseline of 0 (an idle service: no errors, no queue, on both sides):
 * the canary is what its baseline is, which no factor makes worse. Read literally, a strict rule (`error_rate <
 * 2x baseline`) asks 0 < 0 and rolled back a canary identical to stable. It holds, and leaves no margin for
 * the deadline rule (there is no ratio, and 0 sits on the line).
 */
export function zeroAgainstZero(
  kind: ResolvedCheck['kind'],
  op: ComparisonOp,
  value: number,
  limit: number,
): boolean {
  return kind === 'relative' && (op === '<' || op === '>') && value === 0 && limit === 0;
}

/** Intervals in a row over its limit that a counted check (`alpha`) needs from readings without a count. */
export const UNCOUNTED_INTERVALS = 2;

/**
 * A counted threshold's look (`alpha`, rate-test.ts), or undefined for any other check. With the interval's
 * counts it breaches only when the exact binomial test rejects "the rate keeps the limit" at alpha spread
 * over the window's planned looks (Bonferroni: the chance that a version at the limit breaches in any
 * interval stays within alpha); without a count, on its rate alone, and then only as the second interval
 * in a row (the caller). Records the counts and the p-value in `values`; `evidence` says them for a reason.
 */
function countedBreach(
  check: Extract<ResolvedCheck, { kind: 'threshold' }>,
  value: number,
  sample: Sample,
  state: JudgeState,
  values: Record<string, number | null>,
): { breached: boolean; uncounted: boolean; evidence: string } | undefined {
  if (check.alpha === undefined) return undefined;
  const counts = check.requests ? rateCounts(value, sample.canary[check.requests]) : undefined;
  if (!counts)
    return {
      breached: !holds(value, check.op, check.value),
      uncounted: true,
      evidence: check.requests ? ` (no ${check.requests} count this interval)` : '',
    };
  const perLook = check.alpha / state.plannedIntervals;
  const p = rateBreachPValue(counts, check.op, check.value);
  values[`${check.name}.count`] = counts.count;
  values[`${check.name}.requests`] = counts.requests;
  values[`${check.name}.p_value`] = p;
  values[`${check.name}.alpha_per_interval`] = perLook;
  const upper = check.op === '<' || check.op === '<=';
  return {
    breached: !holds(value, check.op, check.value) && p <= perLook,
    uncounted: false,
    evidence: ` (${counts.count} of ${counts.requests} ${check.requests}: a rate at the limit gives ${upper ? 'as many or more' : 'as few or fewer'} with probability ${fmt(Number(p.toPrecision(2)))} <= ${fmt(Number(perLook.toPrecision(2)))}, alpha ${fmt(check.alpha)} over ${fmt(state.plannedIntervals)} intervals)`,
  };
}

interface CheckOutcome {
  state: CheckState;
  fired?: Decision;
  pending?: { code: 'breach-pending' | 'evidence-pending'; text: string };
}

/**
 * A sequential test whose e-value is at least (1/alpha)^PENDING_FRACTION has not decided: the canary is held,
 * not promoted, so a window ending there is extended once and the test gets more data (see PENDING_FRACTION).
 */
function evidencePending(logEvidence: number, alpha: number, what: string): CheckOutcome['pending'] {
  const mark = Math.log(1 / alpha) * PENDING_FRACTION;
  if (!(logEvidence >= mark)) return undefined;
  return {
    code: 'evidence-pending',
    text: `${what}: e-value ${fmt(Math.exp(logEvidence))}, past ${fmt(Number(Math.exp(mark).toPrecision(2)))} (${fmt(PENDING_FRACTION * 100)} % of the way to the threshold ${fmt(1 / alpha)} on the log scale): not decided yet`,
  };
}

/**
 * A sequential test's look: records its e-value, and answers the outcome when it has not rejected (held
 * when past the pending mark), or undefined when it has (the caller reports the rollback with its numbers).
 */
function notRejected<S extends CheckState>(
  check: { name: string; alpha: number },
  next: S,
  logEvidence: number,
  values: Record<string, number | null>,
  describe: () => string,
): CheckOutcome | undefined {
  values[`${check.name}.evidence`] = Math.exp(logEvidence);
  if (rejectsLog(logEvidence, check.alpha)) return undefined;
  return { state: next, pending: evidencePending(logEvidence, check.alpha, describe()) };
}

function evaluateCheck(
  check: ResolvedCheck,
  prior: CheckState,
  sample: Sample,
  state: JudgeState,
  values: Record<string, number | null>,
): CheckOutcome {
  if (check.kind === 'threshold' || check.kind === 'relative') {
    const ruleState = prior as RuleCheckState;
    const value = num(sample.canary[check.metric]);
    let limit: number | null = check.kind === 'threshold' ? check.value : null;
    if (check.kind === 'relative') {
      const base = baselineFor(check, sample, state.baseline);
      values[`${check.name}.baseline`] = base;
      const more = base === null ? 0 : baselineAllowance(check, sample, state.baseline);
      if (more > 0) values[`${check.name}.baseline_allowance`] = more;
      limit = base === null ? null : relativeLimit(base + more, check.factor);
    }
    // Missing data neither confirms nor clears a violation, nor makes it last longer: a violation is
    // "sustained" over intervals that show it (two violating minutes around a 4-minute gap are not 6 minutes
    // of evidence). The dead-man's switch deals with silence.
    if (value === null || limit === null) return { state: ruleState };
    if (zeroAgainstZero(check.kind, check.op, value, limit))
      return { state: { violatingIntervals: 0, margins: ruleState.margins, judged: true } };
    const judged = lessOneError(check, value, sample);
    const margins = append(ruleState.margins, judged - limit);
    const counted =
      check.kind === 'threshold' ? countedBreach(check, value, sample, state, values) : undefined;
    if (counted ? !counted.breached : holds(judged, check.op, limit))
      return { state: { violatingIntervals: 0, margins, judged: true } };
    const violatingIntervals = ruleState.violatingIntervals + 1;
    const lastedMs = violatingIntervals * state.intervalMs;
    const shown = counted
      ? `${fmt(value)}${counted.evidence}`
      : judged === value
        ? fmt(value)
        : `${fmt(value)} (${fmt(judged)} with one error less)`;
    const more = values[`${check.name}.baseline_allowance`];
    const limitText =
      check.kind === 'threshold'
        ? fmt(limit)
        : `${fmt(limit)} (${fmt(check.factor)}x baseline ${fmt(values[`${check.name}.baseline`]!)}${more ? ' with one error more' : ''}${values[`${check.name}.baseline`]! < 0 ? `, a negative baseline moved by ${fmt(Math.abs(check.factor - 1))}x its size ${check.factor >= 1 ? 'above' : 'below'} it` : ''})`;
    // Without a request count a breach of a counted check is one reading: it needs the next one too.
    const uncounted = counted?.uncounted === true && violatingIntervals < UNCOUNTED_INTERVALS;
    if (lastedMs >= check.forMs && !uncounted)
      return {
        state: { violatingIntervals, margins, judged: true },
        fired: {
          kind: 'rollback',
          rule: check.name,
          code: check.kind === 'threshold' ? 'threshold-breached' : 'relative-breached',
          reason: `${check.metric} = ${shown} violates "${check.metric} ${check.op} ${limitText}"${check.forMs ? ` for ${formatDuration(lastedMs)} (limit ${formatDuration(check.forMs)})` : counted?.uncounted ? ` in ${violatingIntervals} intervals in a row` : ''}`,
          values: { ...values, [`${check.name}.limit`]: limit, [`${check.name}.violated_ms`]: lastedMs },
        },
      };
    return {
      state: { violatingIntervals, margins, judged: true },
      pending: {
        code: 'breach-pending',
        text: uncounted
          ? `${check.metric} = ${shown} violates "${check.metric} ${check.op} ${limitText}" in ${violatingIntervals} of the ${UNCOUNTED_INTERVALS} intervals in a row it takes without a request count`
          : `${check.metric} = ${shown} violates "${check.metric} ${check.op} ${limitText}" for ${formatDuration(lastedMs)} of ${formatDuration(check.forMs)}`,
      },
    };
  }

  if (check.kind === 'errors') {
    const test = prior as ErrorsCheckState;
    // The check's alpha, shared: most to the calibrated CUSUM (modest effects), some to the e-value test,
    // which catches the gross failures the CUSUM's burst-robust steps discount, a margin unspent
    // (calibrated.ts).
    const { cusum: cusumAlpha, evidence: evidenceAlpha } = errorsCheckAlphas(check.alpha);
    // Whole counts, or none (testedCounts).
    const usable = testedCounts(
      num(sample.canary[check.errors]),
      num(sample.canary[check.requests]),
      num(sample.stable?.[check.errors]),
      num(sample.stable?.[check.requests]),
    );
    const evidenceTest = usable
      ? updateErrorsTest(
          test,
          check.tolerance,
          maxLogStep(evidenceAlpha, ERRORS_MIN_INTERVALS),
          usable.canary,
          usable.stable,
        )
      : test;
    const cusum = updateCusum(
      test.cusum,
      usable && {
        ec: usable.canary.errors,
        es: usable.stable.errors,
        nc: usable.canary.requests,
        ns: usable.stable.requests,
      },
      check.tolerance,
      cusumAlpha,
      state.plannedIntervals,
    );
    const next: ErrorsCheckState = { ...evidenceTest, cusum };
    const canaryRate = next.canaryRequests ? next.canaryErrors / next.canaryRequests : null;
    const stableRate = next.stableRequests ? next.stableErrors / next.stableRequests : null;
    const ratio = canaryRate !== null && stableRate ? canaryRate / stableRate : null;
    const logEv = errorsLogEvidence(next);
    const ev = Math.exp(logEv);
    const statistic = cusum.statistic * CUSUM_GRID;
    const boundary = cusum.boundary * CUSUM_GRID;
    values[`${check.name}.evidence`] = ev;
    values[`${check.name}.cusum`] = statistic;
    values[`${check.name}.cusum_boundary`] = boundary;
    const rates = `canary error rate ${fmt((canaryRate ?? 0) * 100)}% (${next.canaryErrors} errors in ${next.canaryRequests} requests)`;
    const stableRates = `${state.reference} ${fmt((stableRate ?? 0) * 100)}% (${next.stableErrors} in ${next.stableRequests})`;
    const byCusum = cusumRejects(cusum);
    if (!byCusum && !rejectsLog(logEv, evidenceAlpha)) {
      // Past 35 % of the boundary, and past what one interval can add (one burst cannot hold the window
      // open, as for the e-value's mark): on the bench this left detection and extensions as they were.
      const cusumPending = statistic >= PENDING_FRACTION * boundary && statistic > CUSUM_CAP;
      const pending = cusumPending
        ? {
            code: 'evidence-pending' as const,
            text: `${rates} vs ${stableRates}: CUSUM ${fmt(statistic)}, past ${fmt(PENDING_FRACTION * 100)} % of its boundary ${fmt(boundary)}: not decided yet`,
          }
        : evidencePending(logEv, evidenceAlpha, `${rates} vs ${stableRates}`);
      return { state: next, pending };
    }
    const how = byCusum
      ? `CUSUM ${fmt(statistic)} >= boundary ${fmt(boundary)} (a canary no worse crosses it by this interval with probability <= ${fmt(Number((cusum.spent * 100).toPrecision(2)))} %; alpha ${fmt(cusumAlpha)} of the check's ${check.alpha})`
      : `e-value ${fmt(ev)} >= threshold ${fmt(1 / evidenceAlpha)} (alpha ${fmt(evidenceAlpha)} of the check's ${check.alpha}, anytime-valid)`;
    return {
      state: next,
      fired: {
        kind: 'rollback',
        rule: check.name,
        code: 'sequential-errors-worse',
        reason: `${rates} is significantly above ${fmt(check.tolerance)}x ${stableRates} over ${next.intervals} intervals: ${how}`,
        values: {
          ...values,
          [`${check.name}.canary_errors`]: next.canaryErrors,
          [`${check.name}.canary_requests`]: next.canaryRequests,
          [`${check.name}.stable_errors`]: next.stableErrors,
          [`${check.name}.stable_requests`]: next.stableRequests,
          [`${check.name}.canary_rate`]: canaryRate,
          [`${check.name}.stable_rate`]: stableRate,
          [`${check.name}.ratio`]: ratio,
          [`${check.name}.threshold`]: 1 / evidenceAlpha,
        },
      },
    };
  }

  if (check.kind === 'histogram') {
    const test = prior as HistogramTestState;
    const canaryBuckets = readBuckets(sample.canary, check.metric);
    const stableBuckets = readBuckets(sample.stable, check.metric);
    const next = updateHistogramTest(
      test,
      check.tolerance,
      maxLogStep(check.alpha),
      canaryBuckets,
      stableBuckets,
    );
    const logEv = histogramLogEvidence(next);
    const ev = Math.exp(logEv);
    const undecided = notRejected(
      check,
      next,
      logEv,
      values,
      () => `canary ${check.metric} vs ${state.reference}`,
    );
    // Each side's p95 from this interval's buckets: what people read a latency chart by (the summary draws
    // canary against stable with them); the test itself judges the slow counts.
    values[`${check.name}.canary_p95`] = bucketQuantile(canaryBuckets, 0.95);
    values[`${check.name}.stable_p95`] = bucketQuantile(stableBuckets, 0.95);
    if (undecided) return undecided;
    const slow = next.tests.map((t, k) => {
      const share = (e: number, n: number) => `${fmt((e / n) * 100)}% (${e}/${n})`;
      return `above ${fmt(next.cuts[k]!)}: canary ${share(t.canaryErrors, t.canaryRequests)} vs ${state.reference} ${share(t.stableErrors, t.stableRequests)}`;
    });
    return {
      state: next,
      fired: {
        kind: 'rollback',
        rule: check.name,
        code: 'sequential-latency-worse',
        reason: `canary ${check.metric} is significantly slower than ${fmt(check.tolerance)}x ${state.reference} over ${next.intervals} intervals of histogram buckets; requests ${slow.join('; ')}: e-value ${fmt(ev)} >= threshold ${fmt(1 / check.alpha)} (alpha ${check.alpha}, anytime-valid)`,
        values: {
          ...values,
          ...Object.fromEntries(
            next.tests.flatMap((t, k) => [
              [`${check.name}.cut${k + 1}`, next.cuts[k]!],
              [`${check.name}.cut${k + 1}.canary_slow`, t.canaryErrors],
              [`${check.name}.cut${k + 1}.canary_requests`, t.canaryRequests],
              [`${check.name}.cut${k + 1}.stable_slow`, t.stableErrors],
              [`${check.name}.cut${k + 1}.stable_requests`, t.stableRequests],
            ]),
          ),
          [`${check.name}.threshold`]: 1 / check.alpha,
        },
      },
    };
  }

  const test = prior as SignTestState;
  const c = num(sample.canary[check.metric]);
  const s = num(sample.stable?.[check.metric]);
  const next =
    c === null || s === null
      ? test
      : updateSignTest(test, check.tolerance, check.higherIsWorse, c, s, check.minDifference);
  const logEv = signLogEvidence(next);
  const ev = Math.exp(logEv);
  const undecided = notRejected(
    check,
    next,
    logEv,
    values,
    () =>
      `canary ${check.metric} more than ${byWhat(check)} ${check.higherIsWorse ? 'above' : 'below'} ${state.reference} in ${next.worse} of ${next.pairs} intervals`,
  );
  if (undecided) return undecided;
  return {
    state: next,
    fired: {
      kind: 'rollback',
      rule: check.name,
      code: 'sequential-values-worse',
      reason: `canary ${check.metric} was more than ${byWhat(check)} ${check.higherIsWorse ? 'above' : 'below'} ${state.reference} in ${next.worse} of ${next.pairs} intervals (now ${c === null ? 'no data' : fmt(c)} vs ${s === null ? 'no data' : fmt(s)}${s === 0 && check.minDifference === 0 ? `: at a ${state.reference} of 0 a tolerance allows nothing, min_difference sets how much it may` : ''}): evidence ${fmt(ev)} >= ${fmt(1 / check.alpha)} (alpha ${check.alpha})`,
      values: { ...values, [`${check.name}.worse`]: next.worse, [`${check.name}.pairs`]: next.pairs },
    },
  };
}

/** How far past stable a values check's interval counts as worse, in words: "10%", "10% (at least 0.5)". */
function byWhat(check: Extract<ResolvedCheck, { kind: 'values' }>): string {
  const share = `${fmt(check.tolerance * 100)}%`;
  return check.minDifference > 0 ? `${share} (at least ${fmt(check.minDifference)})` : share;
}

/**
 * Counts of an errors check that no real traffic can give: negative, more errors than requests, or past
 * 2^53. The test cannot use them, and skipping them in silence would let a wrong query (errors and requests
 * swapped, a counter read as a rate) promote every canary: they count like a provider error instead, held,
 * then rolled back after max_provider_errors intervals in a row. Undefined when the counts are possible or
 * absent (absence is the no-data policy's business).
 */
export function impossibleCounts(
  check: Extract<ResolvedCheck, { kind: 'errors' }>,
  sample: Sample,
): string | undefined {
  const problems = (['canary', 'stable'] as const).flatMap((side) =>
    errorCountProblems(check, sample[side]).map((problem) =>
      problem.kind === 'not-a-count'
        ? `${side} ${problem.metric} = ${fmt(problem.value)} is not a count`
        : `${side} ${check.errors} = ${fmt(problem.errors)} is more than ${check.requests} = ${fmt(problem.requests)}`,
    ),
  );
  return problems.length ? `${check.name}: ${problems.join('; ')}` : undefined;
}

/**
 * Why `metric` was without data this interval, for a no-data hold's and rollback's reason: a value out of
 * range, or a read that failed in the same way every interval (a prober field it does not measure), is the
 * cause the rollback should name; else the canary's answer of no data (an empty result, NaN), which for an
 * errors check's count or an error rate (`kind`) most often means errors that have not happened (no error
 * series before the first error), written without `or vector(0)`. Errors name their metric first (`error_rate: ...`, `p95
 * is ...`).
 */
function readFailure(sample: Sample, metric: string, kind: 'errors' | 'error-rate' | undefined): string {
  const named = sample.errors.filter(
    (e) => e.message.startsWith(`${metric} `) || e.message.startsWith(`${metric}:`),
  );
  const error = named.find((e) => !NO_DATA_CODES.has(e.code));
  if (error) {
    const what = error.code === 'out-of-range' ? 'its value was out of range' : 'its read failed';
    return ` (${what}: ${error.provider} (${error.side}) ${error.code}: ${error.message})`;
  }
  const none = named.find((e) => e.side === 'canary');
  if (!none) return '';
  // Only for errors: a latency or a request count with no series is no data indeed.
  const hint =
    none.code !== 'empty-result'
      ? ''
      : kind === 'errors'
        ? '; where no series means none (a count of errors before the first one), end the query with `or vector(0)`'
        : kind === 'error-rate'
          ? '; a ratio whose errors have no series (before the first error) has none either: put `or vector(0)` on its errors, (sum(...) or vector(0)) / sum(...)'
          : '';
  return ` (${none.provider} (canary) ${none.code}: ${none.message}${hint})`;
}

/** Which kind of count or rate a metric is, for the `or vector(0)` hint of readFailure. */
function noDataKind(config: AnalysisConfig, metric: string): 'errors' | 'error-rate' | undefined {
  if (config.checks.some((c) => c.kind === 'errors' && c.errors === metric)) return 'errors';
  return metric === 'error_rate' ||
    (Object.hasOwn(config.metrics, metric) && config.metrics[metric]!.field === 'error_rate')
    ? 'error-rate'
    : undefined;
}

/**
 * The metric a deciding check reads that had a canary value in the fewest intervals, when that is fewer than
 * min_samples: the window's other metrics having data says nothing of it (a p95 query that answered nothing
 * all window was promoted past). `why`: why it had none the last time (readFailure), or ''.
 */
export function thinMetric(
  state: JudgeState,
): { metric: string; intervals: number; why: string } | undefined {
  const { config } = state;
  const used = [...new Set(config.checks.filter((c) => !warnsOnly(c)).flatMap(checkMetrics))];
  const counted = used.map((metric) => ({
    metric,
    intervals: Object.hasOwn(state.dataIntervals, metric) ? state.dataIntervals[metric]! : 0,
  }));
  const thin = counted
    .filter((c) => c.intervals < config.minSamples)
    .sort((a, b) => a.intervals - b.intervals)[0];
  if (!thin) return undefined;
  const why = Object.hasOwn(state.noDataWhy, thin.metric) ? state.noDataWhy[thin.metric]! : '';
  return { ...thin, why };
}

/**
 * The names of the comparison checks (errors, histogram, values) that have not taken in a single interval:
 * no stable side, no requests, or histogram buckets whose bounds the two sides do not share (a version that
 * changed its buckets). A promotion rests on the other checks, and says so.
 */
export function idleComparisons(state: JudgeState): string[] {
  return idleHere(state).filter((name) => !state.comparedBefore?.includes(name));
}

/**
 * The idle comparisons (idleComparisons) that judged this version beside stable in an earlier window of its
 * deployment (JudgeOptions.comparedBefore): this window has no stable side to compare with, and they held.
 */
export function comparedEarlier(state: JudgeState): string[] {
  return idleHere(state).filter((name) => state.comparedBefore?.includes(name));
}

/** How a promotion names the comparisons that held beside stable in an earlier window (comparedEarlier). */
export const COMPARED_EARLIER =
  'compared beside stable in an earlier window of this deployment, none serves beside it here';

/** The comparisons that judged at least one interval of this window. */
export function judgedComparisons(state: JudgeState): string[] {
  const idle = new Set(idleHere(state));
  return state.config.checks
    .filter((check) => check.kind === 'errors' || check.kind === 'histogram' || check.kind === 'values')
    .map((check) => check.name)
    .filter((name) => !idle.has(name));
}

function idleHere(state: JudgeState): string[] {
  return state.config.checks
    .filter((check) => {
      const s = state.checks[check.name];
      if (check.kind === 'errors' || check.kind === 'histogram')
        return (s as { intervals: number }).intervals === 0;
      if (check.kind === 'values') return (s as { pairs: number }).pairs === 0;
      return false;
    })
    .map((check) => check.name);
}

/**
 * The names of the relative rules that decide (not warning checks) and were never judged: no interval had a
 * baseline for them (no stable value, no pre-deploy reading, as each reads it). They held nothing, so a
 * promotion does not count them as holding, and names them.
 */
export function unjudgedRules(state: JudgeState): string[] {
  return state.config.checks
    .filter((check) => check.kind === 'relative' && !check.warn)
    .filter((check) => !(state.checks[check.name] as RuleCheckState).judged)
    .map((check) => check.name);
}

/**
 * What held nothing, when no check that decides has judged anything: every one a comparison without an
 * interval it could use or a relative rule without a baseline (a canary that served no request, a version
 * deployed without a stable side under comparisons alone, a first deployment under relative rules alone).
 * Its intervals had data, but nothing was compared with anything: such a window never promotes (held, and
 * failed closed at its end, deadline.ts). Undefined when a check judged, or no check decides.
 */
export function nothingJudged(state: JudgeState): string | undefined {
  const deciding = state.config.checks.filter((c) => !warnsOnly(c)).length;
  const idle = idleComparisons(state);
  const unjudged = unjudgedRules(state);
  if (deciding === 0 || idle.length + unjudged.length < deciding) return undefined;
  return [
    ...(idle.length
      ? [
          `not compared, no interval they could use (no stable side, no requests, or histogram bounds the two sides do not share): ${idle.join(', ')}`,
        ]
      : []),
    ...(unjudged.length
      ? [
          `never judged, no baseline in any interval (no stable value, no pre-deploy reading): ${unjudged.join(', ')}`,
        ]
      : []),
  ].join('; ');
}

/**
 * The sample with each derived count filled in (an errors check with `rate`: errors = rate x requests on each
 * side, no data when either is missing). A key the side already has is left alone. Live and in replay alike,
 * so a recording stores what was read and its replay derives the same counts.
 */
export function withDerivedCounts(config: AnalysisConfig, sample: Sample): Sample {
  const derived = config.checks.flatMap((c) => (c.kind === 'errors' && c.rate ? [c] : []));
  if (!derived.length) return sample;
  const fill = (side: MetricValues | undefined): MetricValues | undefined => {
    if (!side) return side;
    const out: MetricValues = { ...side };
    for (const check of derived) {
      if (Object.hasOwn(out, check.errors)) continue;
      const rate = num(side[check.rate!]);
      const requests = num(side[check.requests]);
      out[check.errors] = rate === null || requests === null ? null : rate * requests;
    }
    return out;
  };
  const stable = fill(sample.stable);
  return { ...sample, canary: fill(sample.canary)!, ...(stable ? { stable } : {}) };
}

/**
 * A warning check's look: its breach becomes a warning, the first interval it fires in a violation only, and
 * neither a breach nor a pending one reaches the decision. A violation ends when an interval with data holds.
 */
function asWarning(
  check: Extract<ResolvedCheck, { kind: 'threshold' | 'relative' }>,
  prior: RuleCheckState,
  outcome: CheckOutcome,
): { state: RuleCheckState; warning?: AnalysisWarning } {
  const next = outcome.state as RuleCheckState;
  const { warned: _, ...rest } = next;
  if (!outcome.fired)
    return { state: next.violatingIntervals > 0 && prior.warned ? { ...rest, warned: true } : rest };
  const state = { ...rest, warned: true as const };
  if (prior.warned) return { state };
  const { values, reason } = outcome.fired;
  return {
    state,
    warning: {
      rule: check.name,
      code: check.kind === 'threshold' ? 'threshold-warning' : 'relative-warning',
      reason,
      value: values[check.metric]!,
      limit: values[`${check.name}.limit`]!,
    },
  };
}

/**
 * The metrics only warning checks read (a counted one's request count too). Their silence or a read of theirs
 * that failed (an error naming the metric, as readFailure reads them) is no reason to hold or roll back: a
 * warning check decides nothing.
 */
function warningOnlyMetrics(config: AnalysisConfig): Set<string> {
  const read = new Set(config.checks.filter((c) => !warnsOnly(c)).flatMap(readMetrics));
  return new Set(
    config.checks
      .filter(warnsOnly)
      .flatMap(readMetrics)
      .filter((m) => !read.has(m)),
  );
}

const namesOneOf = (error: SampleError, metrics: ReadonlySet<string>): boolean =>
  [...metrics].some((m) => error.message.startsWith(`${m}:`) || error.message.startsWith(`${m} `));

/** Judges one interval's sample. Pure: the input state is not modified. */
export function judge(
  state: JudgeState,
  read: Sample,
): { state: JudgeState; decision: Decision; warnings: AnalysisWarning[] } {
  const sample = withDerivedCounts(state.config, read);
  const values: Record<string, number | null> = {};
  // Histogram buckets (`latency{le="0.1"}`) stay out of the decision's values: the total is there as
  // `latency`, and the histogram test reports its own evidence.
  for (const [k, v] of Object.entries(sample.canary)) if (!isBucketKey(k)) values[k] = num(v);
  for (const [k, v] of Object.entries(sample.stable ?? {}))
    if (!isBucketKey(k)) values[`stable.${k}`] = num(v);
  if (state.fired)
    return { state: { ...state, samples: state.samples + 1 }, decision: state.fired, warnings: [] };

  const { config } = state;
  const startedAt = state.startedAt ?? sample.at - state.intervalMs;
  // The metrics a decision rests on: a warning check's own metric is read and judged, never waited for.
  const used = [...new Set(config.checks.filter((c) => !warnsOnly(c)).flatMap(checkMetrics))];
  const warningOnly = warningOnlyMetrics(config);
  const errors = warningOnly.size ? sample.errors.filter((e) => !namesOneOf(e, warningOnly)) : sample.errors;
  const lastDataAt = { ...state.lastDataAt };
  const dataIntervals = { ...state.dataIntervals };
  const noDataWhy = { ...state.noDataWhy };
  let anyData = false;
  const missing: string[] = [];
  for (const metric of used) {
    if (num(sample.canary[metric]) !== null) {
      lastDataAt[metric] = sample.at;
      dataIntervals[metric] = (Object.hasOwn(dataIntervals, metric) ? dataIntervals[metric]! : 0) + 1;
      anyData = true;
    } else {
      missing.push(metric);
      noDataWhy[metric] = readFailure(sample, metric, noDataKind(config, metric));
    }
  }
  const impossible = config.checks.flatMap((check) =>
    check.kind === 'errors' ? (impossibleCounts(check, sample) ?? []) : [],
  );
  const providerFailed = errors.some((e) => !NO_DATA_CODES.has(e.code)) || impossible.length > 0;
  const checks: Record<string, CheckState> = {};
  let fired: Decision | undefined;
  let pending: { rule: string; code: 'breach-pending' | 'evidence-pending'; text: string } | undefined;
  const warnings: AnalysisWarning[] = [];
  for (const check of config.checks) {
    const prior = state.checks[check.name]!;
    const outcome = evaluateCheck(check, prior, sample, state, values);
    if (check.kind === 'threshold' || check.kind === 'relative')
      if (check.warn) {
        const looked = asWarning(check, prior as RuleCheckState, outcome);
        checks[check.name] = looked.state;
        if (looked.warning) warnings.push(looked.warning);
        continue;
      }
    checks[check.name] = outcome.state;
    fired ??= outcome.fired;
    if (outcome.pending && !pending) pending = { rule: check.name, ...outcome.pending };
  }
  // The values of every check, those listed after the one that fired too: the job summary's row of each is
  // drawn from them (evidence.ts), and a relative rule after it showed "no baseline" at the rollback.
  if (fired) fired = { ...fired, values: { ...values, ...fired.values } };

  const next: JudgeState = {
    ...state,
    startedAt,
    samples: state.samples + 1,
    samplesWithData: state.samplesWithData + (anyData ? 1 : 0),
    lastDataAt,
    dataIntervals,
    noDataWhy,
    consecutiveErrorIntervals: providerFailed ? state.consecutiveErrorIntervals + 1 : 0,
    checks,
  };

  if (!fired) {
    const silent = used
      // Own keys only: a metric named "constructor" found Object's function here, and the switch never fired.
      .map((metric) => ({
        metric,
        ms: sample.at - ((Object.hasOwn(lastDataAt, metric) ? lastDataAt[metric] : undefined) ?? startedAt),
      }))
      .filter((s) => s.ms > config.maxNoDataMs)
      .sort((a, b) => b.ms - a.ms)[0];
    if (silent)
      fired = {
        kind: 'rollback',
        code: 'no-data',
        rule: 'max_no_data',
        reason: `no data for ${silent.metric} for ${formatDuration(silent.ms)}, longer than max_no_data ${formatDuration(config.maxNoDataMs)}: failing closed${readFailure(
          sample,
          silent.metric,
          noDataKind(config, silent.metric),
        )}`,
        values: { ...values, no_data_ms: silent.ms },
      };
  }
  if (!fired && next.consecutiveErrorIntervals > config.maxProviderErrors) {
    const last = errors.find((e) => !NO_DATA_CODES.has(e.code));
    fired = {
      kind: 'rollback',
      code: 'provider-errors',
      rule: 'max_provider_errors',
      reason: `provider errors in ${next.consecutiveErrorIntervals} consecutive intervals (limit ${config.maxProviderErrors}); last: ${last ? `${last.provider} (${last.side}) ${last.code}: ${last.message}` : `impossible counts, ${impossible.join('; ')}`}`,
      values: { ...values, consecutive_error_intervals: next.consecutiveErrorIntervals },
    };
  }
  if (fired) return { state: { ...next, fired }, decision: fired, warnings };

  let decision: Decision;
  const thin = thinMetric(next);
  const heldNothing = nothingJudged(next);
  if (pending)
    decision = { kind: 'hold', rule: pending.rule, code: pending.code, reason: pending.text, values };
  else if (missing.length || providerFailed)
    decision = {
      kind: 'hold',
      code: 'no-data-pending',
      reason: providerFailed
        ? `provider error (${next.consecutiveErrorIntervals} of ${config.maxProviderErrors} tolerated in a row): ${[
            // A value out of its range says which metric and value in its message (domain.ts).
            ...errors.map(
              (e) => `${e.provider} ${e.code}${e.code === 'out-of-range' ? ` (${e.side} ${e.message})` : ''}`,
            ),
            ...impossible.map((text) => `impossible counts, ${text}`),
          ].join(', ')}`
        : `no data this interval for ${missing
            .map((metric) => {
              const error = errors.find(
                (e) =>
                  e.side === 'canary' &&
                  (e.message.startsWith(`${metric} `) || e.message.startsWith(`${metric}:`)),
              );
              return error ? `${metric} (${error.provider} ${error.code})` : metric;
            })
            .join(', ')}`,
      values,
    };
  else if (next.samplesWithData < config.minSamples)
    decision = {
      kind: 'hold',
      code: 'not-enough-data',
      reason: `${next.samplesWithData} of ${config.minSamples} intervals with data needed before promoting`,
      values,
    };
  else if (thin)
    decision = {
      kind: 'hold',
      code: 'not-enough-data',
      reason: `data for ${thin.metric} in ${thin.intervals} of the ${config.minSamples} intervals needed before promoting${thin.why}`,
      values,
    };
  else if (heldNothing)
    decision = {
      kind: 'hold',
      code: 'not-enough-data',
      reason: `no check could judge the canary yet in ${next.samplesWithData} intervals with data: ${heldNothing}`,
      values,
    };
  else {
    const idle = idleComparisons(next);
    const earlier = comparedEarlier(next);
    const unjudged = unjudgedRules(next);
    // The checks that decide (a warning check's breach is no reason to hold, and is said as a warning);
    // counted as holding only those that judged something: a comparison that had no interval it could use
    // and a relative rule that never had a baseline held nothing, and are named instead.
    const deciding = config.checks.filter((c) => !warnsOnly(c)).length;
    const judged = deciding - idle.length - unjudged.length;
    const held =
      judged === deciding
        ? deciding === 1
          ? 'its one check holds'
          : `all ${deciding} checks hold`
        : `${judged} of ${deciding} checks judged${judged === 0 ? '' : judged === 1 ? ', it holds' : ', all hold'}`;
    decision = {
      kind: 'promote',
      code: 'healthy',
      reason: `${held} after ${next.samplesWithData} interval${next.samplesWithData === 1 ? '' : 's'} with data${earlier.length ? `; ${COMPARED_EARLIER}: ${earlier.join(', ')}` : ''}${idle.length ? `; not compared yet, no interval they could use (no stable side, no requests, or histogram bounds the two sides do not share): ${idle.join(', ')}` : ''}${unjudged.length ? `; never judged, no baseline in any interval (no stable value, no pre-deploy reading): ${unjudged.join(', ')}` : ''}`,
      values,
    };
  }
  return { state: next, decision, warnings };
}
