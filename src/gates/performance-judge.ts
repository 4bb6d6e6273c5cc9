// Pure: the performance gate's findings from k6 results, its targets and an earlier run's results.
import { shown, type K6Results, type K6Stat } from './k6-results.ts';
import { DEFAULT_TOLERANCE, ERROR_RATE_ALLOWANCE, type PerformanceTargets } from './schema/performance.ts';
import type { Finding } from './types.ts';

/** Failed thresholds named one by one; the rest are counted in one more finding. */
const MAX_THRESHOLD_FINDINGS = 20;

// `extra`: decimals beyond the usual, to tell a statistic from the limit it missed (shownPast).
export const ms = (value: number, extra = 0): string => `${Number(value.toFixed(2 + extra))} ms`;
export const pct = (value: number, extra = 0): string => `${Number((value * 100).toFixed(3 + extra))} %`;
export const perSecond = (value: number, extra = 0): string =>
  `${Number(value.toFixed(2 + extra))} requests/s`;
type Format = (value: number, extra?: number) => string;

/**
 * A statistic that missed `limit`, as `format` shows it, with as many more decimals as it takes not to read
 * as the limit itself: k6 writes full precision, and a p95 of 500.0043 ms read "500 ms, over the target of at
 * most 500 ms".
 */
function shownPast(value: number, limit: number, format: Format): string {
  for (let extra = 0; extra <= 8; extra++) {
    const shown = format(value, extra);
    if (shown !== format(limit, extra)) return shown;
  }
  return format(value, 8);
}

/**
 * A limit computed from a baseline, at 12 significant digits: 13 × (1 − 0.1) is 11.700000000000001 as a
 * binary fraction, and a run of exactly 11.7 requests/s blocked as under it.
 */
const computed = (limit: number): number => Number(limit.toPrecision(12));

export interface Judged {
  findings: Finding[];
  /** What was checked and passed, for the summary ("p95 212 ms ≤ 500 ms"). */
  checked: string[];
}

/** k6's own thresholds: each failed one is a finding naming its metric and expression. */
export function thresholdFindings(results: K6Results, file: string): Judged {
  const failed = results.thresholds.filter((threshold) => !threshold.ok);
  const findings: Finding[] = failed.slice(0, MAX_THRESHOLD_FINDINGS).map((threshold) => ({
    path: file,
    rule: 'performance.threshold-failed',
    severity: 'error',
    message:
      `k6 threshold ${JSON.stringify(shown(threshold.expression))} on metric ${JSON.stringify(shown(threshold.metric))} failed` +
      (threshold.observed
        ? `: ${threshold.observed.stat} was ${Number(threshold.observed.value.toFixed(4))}`
        : ''),
  }));
  if (failed.length > MAX_THRESHOLD_FINDINGS)
    findings.push({
      path: file,
      rule: 'performance.threshold-failed',
      severity: 'error',
      message: `${failed.length - MAX_THRESHOLD_FINDINGS} more k6 thresholds failed`,
    });
  const passed = results.thresholds.length - failed.length;
  return { findings, checked: passed > 0 && failed.length === 0 ? [`${passed} k6 threshold(s) passed`] : [] };
}

/** The targets: each one set is met, or a finding saying the number and what was expected. */
export function targetFindings(
  results: K6Results,
  targets: PerformanceTargets | undefined,
  file: string,
): Judged {
  const findings: Finding[] = [];
  const checked: string[] = [];
  const check = (
    stat: K6Stat,
    target: number | undefined,
    what: string,
    rule: string,
    format: Format,
    atMost: boolean,
  ) => {
    if (target === undefined) return;
    if (!stat.ok) {
      findings.push({
        path: file,
        rule: 'performance.metric-missing',
        severity: 'error',
        message: `the target for ${what} (${atMost ? 'at most' : 'at least'} ${format(target)}) cannot be checked: ${stat.why}`,
      });
      return;
    }
    const met = atMost ? stat.value <= target : stat.value >= target;
    if (met) checked.push(`${what} ${format(stat.value)} ${atMost ? '≤' : '≥'} ${format(target)}`);
    else
      findings.push({
        path: file,
        rule,
        severity: 'error',
        message: `${what} is ${shownPast(stat.value, target, format)}, ${atMost ? 'over' : 'under'} the target of ${atMost ? 'at most' : 'at least'} ${format(target)}`,
      });
  };
  check(results.p95, targets?.p95, 'p95 of http_req_duration', 'performance.p95-over-target', ms, true);
  check(results.p99, targets?.p99, 'p99 of http_req_duration', 'performance.p99-over-target', ms, true);
  check(
    results.errorRate,
    targets?.error_rate,
    'error rate (http_req_failed)',
    'performance.error-rate-over-target',
    pct,
    true,
  );
  check(
    results.rps,
    targets?.min_rps,
    'throughput (http_reqs)',
    'performance.rps-under-target',
    perSecond,
    false,
  );
  return { findings, checked };
}

/**
 * Against an earlier run (`baseline`): p95 and p99 at most (1 + tolerance) × the baseline's, requests per
 * second at least (1 − tolerance) ×, the error rate at most the baseline's × (1 + tolerance) or plus
 * ERROR_RATE_ALLOWANCE, whichever is more (a baseline without errors would otherwise make one failed
 * request a regression). Only what both runs measured is compared; nothing in common is a finding.
 */
export function baselineFindings(
  results: K6Results,
  baseline: K6Results,
  baselineFile: string,
  file: string,
  tolerance = DEFAULT_TOLERANCE,
): Judged {
  const findings: Finding[] = [];
  const checked: string[] = [];
  let compared = 0;
  const compare = (
    now: K6Stat,
    before: K6Stat,
    what: string,
    rule: string,
    format: Format,
    limit: (before: number) => number,
    atMost: boolean,
  ) => {
    if (!now.ok || !before.ok) return;
    compared++;
    const allowed = computed(limit(before.value));
    const met = atMost ? now.value <= allowed : now.value >= allowed;
    if (met) return;
    findings.push({
      path: file,
      rule,
      severity: 'error',
      message:
        `${what} is ${shownPast(now.value, allowed, format)} against ${format(before.value)} in the baseline ${baselineFile}: ` +
        `${atMost ? 'over' : 'under'} the ${atMost ? 'most' : 'least'} allowed, ${format(allowed)} (tolerance ${pct(tolerance)})`,
    });
  };
  const slower = (before: number) => before * (1 + tolerance);
  compare(
    results.p95,
    baseline.p95,
    'p95 of http_req_duration',
    'performance.slower-than-baseline',
    ms,
    slower,
    true,
  );
  compare(
    results.p99,
    baseline.p99,
    'p99 of http_req_duration',
    'performance.slower-than-baseline',
    ms,
    slower,
    true,
  );
  compare(
    results.rps,
    baseline.rps,
    'throughput (http_reqs)',
    'performance.rps-below-baseline',
    perSecond,
    (before) => before * (1 - tolerance),
    false,
  );
  compare(
    results.errorRate,
    baseline.errorRate,
    'error rate (http_req_failed)',
    'performance.error-rate-above-baseline',
    pct,
    (before) => Math.max(before * (1 + tolerance), before + ERROR_RATE_ALLOWANCE),
    true,
  );
  if (compared === 0)
    findings.push({
      path: baselineFile,
      rule: 'performance.baseline-incomparable',
      severity: 'error',
      message: `the baseline ${baselineFile} and ${file} have none of p95, p99, requests per second and error rate both: nothing to compare`,
    });
  else if (findings.length === 0)
    checked.push(`within ${pct(tolerance)} of the baseline (${compared} measure(s))`);
  return { findings, checked };
}
