// What a metric's value can be, by what it measures. A value no real system gives (an error rate of -0.5 or
// 1.7, a negative request count or latency, more errors than requests, bucket counts that fall as the bound
// grows) would otherwise be judged as given: an error_rate of -0.5 holds "error_rate <= 1%" in every interval
// and promotes. Such a value is a provider error of its interval instead (analyzer.ts: the value becomes no
// data, the error names the metric, the value and what it can be), as counts an errors check cannot use are
// (judge.ts). A replay screens a recording's sides the same way (screenSide): analyzers before 45b23476
// recorded such values as read, and their recordings replay as today's live run would judge them.
//
// The kind of a metric comes from its name, or else from the field it reads (`field: error_rate` of the
// prober): the names the seed preset and the prober give a meaning to. Any other metric is judged as given.
import type { AnalysisConfig } from './config.ts';
import { countProblem, moreErrorsThanRequests } from './counts.ts';
import { readBuckets } from './histogram.ts';
import type { MetricValues, SampleError, Side } from './types.ts';

import { metricKind, type Kind } from './schema.ts';

/** How far outside 0..1 a fraction may be by float rounding alone. */
export const FRACTION_SLACK = 1e-9;

/** Why `value` cannot be a value of this kind, or undefined when it can. */
export function domainProblem(kind: Kind, value: number): string | undefined {
  switch (kind) {
    case 'fraction':
      // Not a rounding error's worth outside (1 - 0.9999999999999999, a sum of float rates divided).
      return value < -FRACTION_SLACK || value > 1 + FRACTION_SLACK
        ? `is a fraction of requests, between 0 and 1 (1 % is 0.01), got ${value}`
        : undefined;
    case 'count': {
      const why = countProblem(value);
      return why ? `is a count of requests: a count ${why}` : undefined;
    }
    case 'duration':
      return value < 0 ? `is a latency: it cannot be negative, got ${value}` : undefined;
    case 'non-negative':
      return value < 0 ? `cannot be negative, got ${value}` : undefined;
  }
}

/**
 * Why one side's bucket counts of a histogram metric cannot be, or undefined: a count that is not one
 * (negative, past 2^53), or counts that fall as the bound grows by half a request or more (per-bucket
 * counts where cumulative ones belong, or buckets of different series mixed). Smaller falls are the
 * rounding of `increase()` and are levelled by the test (histogram.ts asCumulative).
 */
export function bucketProblem(metric: string, values: MetricValues): string | undefined {
  const buckets = readBuckets(values, metric);
  if (!buckets) return undefined;
  const bounds = [...buckets.keys()].sort((a, b) => a - b);
  const le = (bound: number) => (bound === Infinity ? '+Inf' : String(bound));
  let before: { bound: number; count: number } | undefined;
  for (const bound of bounds) {
    const count = buckets.get(bound)!;
    const wrong = countProblem(count);
    if (wrong) return `bucket le="${le(bound)}": a count ${wrong}`;
    if (before && count < before.count - 0.5)
      return `bucket le="${le(bound)}" counts ${count}, fewer than le="${le(before.bound)}" below it (${before.count}): bucket counts are cumulative (each counts every request up to its bound)`;
    before = { bound, count: Math.max(count, before?.count ?? 0) };
  }
  return undefined;
}

/**
 * The values with each fraction a rounding error outside 0..1 (within FRACTION_SLACK) read as the bound it
 * missed: -1e-17 is an error rate of 0. Judged as given, "2x baseline" of -1e-17 is -2e-17, which an error
 * rate of -1e-17 breaks. Other values are returned as they are (the screening above deals with them).
 */
export function settleRounding(config: AnalysisConfig, values: MetricValues): MetricValues {
  let settled: MetricValues | undefined;
  for (const [metric, metricConfig] of Object.entries(config.metrics)) {
    const value = values[metric];
    // NaN (no data) is in no range: `value >= 0 && value <= 1` and the slack test are both false for it.
    if (typeof value !== 'number' || Number.isNaN(value) || metricConfig.histogram) continue;
    if (metricKind(metric, metricConfig) !== 'fraction' || (value >= 0 && value <= 1)) continue;
    if (value < -FRACTION_SLACK || value > 1 + FRACTION_SLACK) continue;
    settled ??= { ...values };
    settled[metric] = value < 0 ? 0 : 1;
  }
  return settled ?? values;
}

export interface DomainProblem {
  /** The metrics whose values cannot be (two for more errors than requests). */
  metrics: string[];
  /** The provider they were read from (the first metric's). */
  provider: string;
  /** One sentence: the metric, the value and what it can be. */
  message: string;
}

/**
 * The values of one side that cannot be, by metric kind. Metrics an errors check reads are left to that
 * check (judge.ts impossibleCounts), which keeps them in the sample and names the check.
 */
export function domainProblems(config: AnalysisConfig, values: MetricValues | undefined): DomainProblem[] {
  if (!values) return [];
  const counted = new Set(
    config.checks.flatMap((check) => (check.kind === 'errors' ? [check.errors, check.requests] : [])),
  );
  const problems: DomainProblem[] = [];
  const number = (metric: string) => {
    const value = values[metric];
    return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
  };
  for (const [metric, metricConfig] of Object.entries(config.metrics)) {
    if (counted.has(metric)) continue;
    if (metricConfig.histogram) {
      const why = bucketProblem(metric, values);
      if (why)
        problems.push({ metrics: [metric], provider: metricConfig.provider, message: `${metric}: ${why}` });
      continue;
    }
    const kind = metricKind(metric, metricConfig);
    const value = number(metric);
    if (!kind || value === undefined) continue;
    const why = domainProblem(kind, value);
    if (why)
      problems.push({ metrics: [metric], provider: metricConfig.provider, message: `${metric} ${why}` });
  }
  // Errors among requests, read outside an errors check (the prober's pair, the error-rate rule's requests).
  const errors = number('errors');
  const requests = number('requests');
  if (
    config.metrics.errors &&
    config.metrics.requests &&
    !counted.has('errors') &&
    !counted.has('requests') &&
    !problems.some((p) => p.metrics.includes('errors') || p.metrics.includes('requests')) &&
    errors !== undefined &&
    requests !== undefined &&
    moreErrorsThanRequests(errors, requests)
  )
    problems.push({
      metrics: ['errors', 'requests'],
      provider: config.metrics.errors.provider,
      message: `errors = ${errors} is more than requests = ${requests}: errors are counted among the requests`,
    });
  return problems;
}

/**
 * One side's values as the analyzer judges them: fractions a rounding error outside 0..1 settled, and each
 * value its metric cannot have (domainProblems) made no data (a histogram's buckets with it), with an
 * `out-of-range` error of the interval naming the side, the metric and the value. The live analyzer screens
 * every reading so; a replay screens every recorded side so, as the live run would have judged it.
 */
export function screenSide(
  config: AnalysisConfig,
  side: Side,
  read: MetricValues,
): { values: MetricValues; errors: SampleError[] } {
  const settled = settleRounding(config, read);
  const problems = domainProblems(config, settled);
  if (problems.length === 0) return { values: settled, errors: [] };
  const values = { ...settled };
  for (const problem of problems)
    for (const metric of problem.metrics) {
      values[metric] = null;
      for (const key of Object.keys(values))
        if (key.startsWith(`${metric}{le="`) && key.endsWith('"}')) values[key] = null;
    }
  const errors = problems.map((p): SampleError => ({
    provider: p.provider,
    side,
    code: 'out-of-range',
    message: p.message,
  }));
  return { values, errors };
}
