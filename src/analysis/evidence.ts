// What the judge saw in one analysis window, interval by interval, per check: the canary's values against
// the side it was compared with (stable, or a fresh baseline), the limit each rule holds it to, and for the
// sequential tests their statistic against the boundary it must reach to fire (ln(1/alpha) for an e-value,
// each look's own for the errors check's calibrated CUSUM). Plain data on the
// step's result, so the job summary can draw it (src/report/chart.ts) and a record can keep it. Pure.
import { fmt, oneErrorAllowance, relativeLimit, UNCOUNTED_INTERVALS } from './judge.ts';
import { signLine } from './sequential.ts';
import type { AnalysisConfig, ResolvedCheck } from './config.ts';
import type { ComparisonOp } from './schema.ts';
import type { AnalysisNote, AnalysisWarning, Decision, DecisionKind, ReasonCode } from './types.ts';
import { formatDuration } from '../config/duration.ts';
import { errorsCheckAlphas } from './calibrated.ts';
import { testedCounts } from './counts.ts';
import { countedLimit } from './rate-test.ts';

/** `canary`: the version under test; `reference`: what it is compared with; `limit`: the line it must keep. */
export type SeriesRole = 'canary' | 'reference' | 'limit';

export interface EvidenceSeries {
  role: SeriesRole;
  /** Shown to people: "canary", "stable", "baseline", "limit". */
  label: string;
  /** One value per interval of the window; null: no data in that interval (never zero). */
  values: Array<number | null>;
}

export interface CheckEvidence {
  name: string;
  kind: ResolvedCheck['kind'];
  /** A warning check (`on_breach: warn`): its breach warned, it never decided. */
  warn?: true;
  /** What the observed series measure ("error_rate", "error rate (%)", "p95"). */
  quantity: string;
  /** Rules: the comparison the canary's value must hold against the limit. */
  op?: ComparisonOp;
  /** The rule or test in words ("error_rate <= 0.01 for 5m", "errors/requests vs stable, anytime-valid"). */
  rule: string;
  /**
   * Canary, then the reference side(s), then the limit when the check has one. A histogram test: each side's
   * p95 from its buckets, empty when no interval recorded them (older results).
   */
  observed: EvidenceSeries[];
  /**
   * Sequential tests: the statistic after each interval and the boundary that fires the test. For an e-value
   * (`statistic: 'e-value'`) ln(e-value) against ln(1/alpha); for the errors check's calibrated CUSUM
   * (`'cusum'`, calibrated.ts) its statistic in nats against each look's own boundary (`boundaries`, null
   * where the look recorded none), `boundary` the last. `alpha`: what the statistic was given of the check's.
   */
  test?: {
    statistic?: 'e-value' | 'cusum';
    logEvidence: Array<number | null>;
    boundary: number;
    boundaries?: Array<number | null>;
    alpha: number;
  };
  /**
   * A relative rule: per interval, the baseline it compared with where that was the reading taken before the
   * deploy (blue-green, rolling, direct: no stable side beside the canary), null elsewhere; absent when it
   * never was. Not a side of `observed`: it is one reading, not a series the window measured.
   */
  preDeploy?: Array<number | null>;
  /**
   * A relative rule with `baseline: pre-deploy`: it compares with the reading taken before the deploy alone,
   * never with the stable side, whose values (`observed`) are no reference of its, with or without that reading.
   */
  baseline?: 'pre-deploy';
  /** Errors test: the window's cumulative counts (what the test judged). */
  counts?: {
    canaryErrors: number;
    canaryRequests: number;
    referenceErrors: number;
    referenceRequests: number;
  };
}

export interface WindowEvidence {
  intervalMs: number;
  /** Clock time (ms) at the end of each interval's reading. */
  at: number[];
  /** Each interval's decision (kind, reason code, and the check that fired or held it back). */
  decisions: Array<{ kind: DecisionKind; code: ReasonCode; rule?: string }>;
  /** The window's decision (after the extension and the deadline rule, when they applied). */
  decision: { kind: DecisionKind; code: ReasonCode; rule?: string };
  /** What the canary was compared with: "stable", or "baseline" when a fresh baseline served beside it. */
  reference: string;
  checks: CheckEvidence[];
  /** The warnings of the window's warning checks, in order (index: the interval's); absent when none. */
  warnings?: Array<{
    index: number;
    at: number;
    rule: string;
    code: AnalysisWarning['code'];
    reason: string;
  }>;
  /**
   * What the providers could not judge, in order (index: the interval's): the logs provider's new error
   * patterns not judged for part of the window (types.ts AnalysisNote). A promoted window with notes was
   * not watched for all it was meant to be. Absent when none.
   */
  notes?: Array<{ index: number; at: number } & AnalysisNote>;
}

const num = (v: number | null | undefined): number | null =>
  typeof v === 'number' && Number.isFinite(v) ? v : null;

function describe(check: ResolvedCheck, reference: string): string {
  // A warning check says so beside its rule: its breach is not a rollback.
  if ((check.kind === 'threshold' || check.kind === 'relative') && check.warn) {
    const { warn: _, ...rule } = check;
    return `${describe(rule, reference)}, warns only`;
  }
  switch (check.kind) {
    case 'threshold':
      // A counted check (`alpha`) is held to its limit by a test on each interval's counts, not one error more.
      return check.alpha !== undefined
        ? `${check.metric} ${check.op} ${fmt(check.value)}${check.forMs ? ` for ${formatDuration(check.forMs)}` : ''}, ${check.requests ? `binomial test on each interval's ${check.requests} (alpha ${check.alpha}); without a count ` : ''}${UNCOUNTED_INTERVALS} intervals in a row`
        : `${check.metric} ${check.op} ${fmt(check.value)}${oneErrorAllowance(check, 1) ? ` + 1/${check.requests}` : ''}${check.forMs ? ` for ${formatDuration(check.forMs)}` : ''}`;
    case 'relative':
      return oneErrorAllowance(check, 1)
        ? `${check.metric} ${check.op} ${fmt(check.factor)}x (baseline + 1/${check.requests}) + 1/${check.requests}${check.forMs ? ` for ${formatDuration(check.forMs)}` : ''}`
        : `${check.metric} ${check.op} ${fmt(check.factor)}x baseline${check.forMs ? ` for ${formatDuration(check.forMs)}` : ''}`;
    case 'errors':
      return `${check.rate ? `${check.rate} x ${check.requests}` : check.errors}/${check.requests} vs ${reference}, calibrated CUSUM and e-value (alpha ${check.alpha})`;
    case 'histogram':
      return `${check.metric} distribution vs ${reference}, anytime-valid (alpha ${check.alpha})`;
    case 'values':
      return `${check.metric} vs ${reference} ${check.higherIsWorse ? '+' : '-'}${fmt(check.tolerance * 100)}%${check.minDifference > 0 ? ` (at least ${fmt(check.minDifference)})` : ''}, sign test (alpha ${check.alpha})`;
  }
}

type Values = Record<string, number | null>;

/**
 * A counted check's limit in one interval (judge.ts countedBreach): the rate its test began to reject at for
 * the interval's requests, or the limit as written where it had no count (judged on the rate alone).
 */
function countedLimitOf(check: Extract<ResolvedCheck, { kind: 'threshold' }>, v: Values): number {
  const n = num(v[`${check.name}.requests`]);
  const perLook = num(v[`${check.name}.alpha_per_interval`]);
  return n === null || perLook === null ? check.value : countedLimit(check.op, check.value, n, perLook);
}

function checkEvidence(check: ResolvedCheck, values: Values[], reference: string): CheckEvidence {
  // Finite or null, whatever is computed from the values: a limit of 2x a baseline near the largest double
  // is Infinity, which no chart can draw.
  const series = (role: SeriesRole, label: string, pick: (v: Values) => number | null): EvidenceSeries => ({
    role,
    label,
    values: values.map((v) => num(pick(v))),
  });
  const base = {
    name: check.name,
    kind: check.kind,
    ...((check.kind === 'threshold' || check.kind === 'relative') && check.warn
      ? { warn: true as const }
      : {}),
    rule: describe(check, reference),
  };
  if (check.kind === 'threshold' || check.kind === 'relative' || check.kind === 'values') {
    const m = check.metric;
    const limit =
      check.kind === 'threshold'
        ? // The limit the judge held the interval to: one error's worth above the threshold where it allows one.
          series('limit', 'limit', (v) =>
            check.alpha !== undefined
              ? countedLimitOf(check, v)
              : check.value + oneErrorAllowance(check, v[check.requests ?? '']),
          )
        : check.kind === 'relative'
          ? series('limit', 'limit', (v) => {
              const b = num(v[`${check.name}.baseline`]);
              const more = num(v[`${check.name}.baseline_allowance`]) ?? 0;
              return b === null
                ? null
                : relativeLimit(b + more, check.factor) + oneErrorAllowance(check, v[check.requests ?? '']);
            })
          : // The sign test counts an interval as worse beyond this line.
            series(
              'limit',
              `${reference} ${check.higherIsWorse ? '+' : '-'}${fmt(check.tolerance * 100)}%${check.minDifference > 0 ? ` (at least ${fmt(check.minDifference)})` : ''}`,
              (v) => {
                const s = num(v[`stable.${m}`]);
                return s === null
                  ? null
                  : signLine(s, check.tolerance, check.higherIsWorse, check.minDifference);
              },
            );
    // The judge's baseline (judge.ts baselineFor) where it was not the stable side's value this interval.
    const preDeploy =
      check.kind === 'relative' && check.baseline !== 'stable'
        ? values.map((v) =>
            check.baseline === 'pre-deploy' || num(v[`stable.${m}`]) === null
              ? num(v[`${check.name}.baseline`])
              : null,
          )
        : [];
    return {
      ...base,
      ...(check.kind !== 'values' ? { op: check.op } : {}),
      ...(preDeploy.some((v) => v !== null) ? { preDeploy } : {}),
      ...(check.kind === 'relative' && check.baseline === 'pre-deploy'
        ? { baseline: 'pre-deploy' as const }
        : {}),
      quantity: m,
      observed: [
        series('canary', 'canary', (v) => num(v[m])),
        series('reference', reference, (v) => num(v[`stable.${m}`])),
        limit,
      ],
      ...(check.kind === 'values' ? { test: sequential(check, values) } : {}),
    };
  }
  if (check.kind === 'errors') {
    const rate = (prefix: string) => (v: Values) => {
      const e = num(v[`${prefix}${check.errors}`]);
      const n = num(v[`${prefix}${check.requests}`]);
      return e === null || n === null || n <= 0 ? null : (e / n) * 100;
    };
    const counts = { canaryErrors: 0, canaryRequests: 0, referenceErrors: 0, referenceRequests: 0 };
    for (const v of values) {
      // The intervals the test used, as it used them (whole counts, testedCounts).
      const used = testedCounts(
        num(v[check.errors]),
        num(v[check.requests]),
        num(v[`stable.${check.errors}`]),
        num(v[`stable.${check.requests}`]),
      );
      if (!used) continue;
      counts.canaryErrors += used.canary.errors;
      counts.canaryRequests += used.canary.requests;
      counts.referenceErrors += used.stable.errors;
      counts.referenceRequests += used.stable.requests;
    }
    return {
      ...base,
      quantity: 'error rate (%)',
      observed: [series('canary', 'canary', rate('')), series('reference', reference, rate('stable.'))],
      test: errorsTest(check, values),
      counts,
    };
  }
  // Histogram: each side's p95 from its interval's buckets (the judge records them), drawn where there are
  // any; the test judges the slow counts, its e-value is the test's own chart.
  const p95 = [
    series('canary', 'canary', (v) => num(v[`${check.name}.canary_p95`])),
    series('reference', reference, (v) => num(v[`${check.name}.stable_p95`])),
  ];
  return {
    ...base,
    quantity: `${check.metric} p95 (from buckets)`,
    observed: p95.some((s) => s.values.some((x) => x !== null)) ? p95 : [],
    test: sequential(check, values),
  };
}

function sequential(
  check: Extract<ResolvedCheck, { alpha: number }>,
  values: Values[],
): NonNullable<CheckEvidence['test']> {
  return {
    logEvidence: values.map((v) => {
      const e = num(v[`${check.name}.evidence`]);
      return e === null || e <= 0 ? null : Math.log(e);
    }),
    statistic: 'e-value',
    boundary: Math.log(1 / check.alpha),
    alpha: check.alpha,
  };
}

/**
 * The errors check's statistic to draw: its calibrated CUSUM against each look's boundary, unless its e-value
 * test (gross failures, a share of alpha) is what fired, then that e-value against its own threshold.
 * Results recorded before the CUSUM existed have no CUSUM values: their e-value at the check's alpha.
 */
function errorsTest(
  check: Extract<ResolvedCheck, { kind: 'errors' }>,
  values: Values[],
): NonNullable<CheckEvidence['test']> {
  const cusum = values.map((v) => num(v[`${check.name}.cusum`]));
  const boundaries = values.map((v) => num(v[`${check.name}.cusum_boundary`]));
  // No boundary to draw the CUSUM against (results edited, or from before it): the e-value, as before it.
  if (cusum.every((v) => v === null) || boundaries.every((b) => b === null)) return sequential(check, values);
  const { cusum: cusumAlpha, evidence: evidenceAlpha } = errorsCheckAlphas(check.alpha);
  const last = num(values.at(-1)?.[`${check.name}.evidence`]);
  const lastCusum = cusum.at(-1) ?? null;
  const lastBoundary = boundaries.at(-1) ?? null;
  // When both fired at one look the judge names the CUSUM (judge.ts): so does the chart.
  const cusumFired = lastCusum !== null && lastBoundary !== null && lastCusum >= lastBoundary;
  if (!cusumFired && last !== null && last >= 1 / evidenceAlpha)
    return { ...sequential(check, values), boundary: Math.log(1 / evidenceAlpha), alpha: evidenceAlpha };
  return {
    statistic: 'cusum',
    logEvidence: cusum,
    boundaries,
    boundary: boundaries.filter((b) => b !== null).at(-1) ?? 0,
    alpha: cusumAlpha,
  };
}

const short = (d: Decision) => ({ kind: d.kind, code: d.code, ...(d.rule ? { rule: d.rule } : {}) });

/**
 * The evidence of one window from its intervals' decisions (whose `values` hold what the judge read) and the
 * window's decision. `reference` names the side the canary was compared with.
 */
export function windowEvidence(
  config: AnalysisConfig,
  intervals: ReadonlyArray<{
    at: number;
    decision: Decision;
    warnings?: AnalysisWarning[];
    notes?: AnalysisNote[];
  }>,
  decision: Decision,
  intervalMs: number,
  reference = 'stable',
): WindowEvidence {
  const values = intervals.map((i) => i.decision.values);
  const warnings = intervals.flatMap((interval, index) =>
    (interval.warnings ?? []).map((w) => ({
      index,
      at: interval.at,
      rule: w.rule,
      code: w.code,
      reason: w.reason,
    })),
  );
  const notes = intervals.flatMap((interval, index) =>
    (interval.notes ?? []).map((n) => ({
      index,
      at: interval.at,
      provider: n.provider,
      code: n.code,
      message: n.message,
    })),
  );
  return {
    intervalMs,
    at: intervals.map((i) => i.at),
    decisions: intervals.map((i) => short(i.decision)),
    decision: short(decision),
    reference,
    checks: config.checks.map((c) => checkEvidence(c, values, reference)),
    ...(warnings.length ? { warnings } : {}),
    ...(notes.length ? { notes } : {}),
  };
}
