// What one interval's counts can be. The live judge (which fails closed on counts no traffic can give) and
// replay (which refuses a recording holding them, located) ask the same questions here.
import type { MetricValues } from './types.ts';
import { usableCounts } from './sequential.ts';

/**
 * Why a number cannot be one interval's count, or undefined. Above 2^53 the judge's running sums lose whole
 * counts and soon overflow to Infinity, and a test whose evidence is NaN never rolls back.
 */
export function countProblem(value: number): string | undefined {
  if (value < 0) return `cannot be negative, got ${value}`;
  if (value > Number.MAX_SAFE_INTEGER)
    return `of ${value} is more than one interval can hold (at most 2^53, ${Number.MAX_SAFE_INTEGER})`;
  return undefined;
}

/**
 * How far, relatively, errors may exceed requests by float rounding alone: an error rate a rounding above 1
 * (which domain.ts accepts as a fraction) times the requests, or the same counts summed in another order.
 * Such a canary fails every request, which the error test must see, not a provider failure. Anything more
 * (120.4 errors in 120.2 requests) is counts no traffic gives.
 */
export const ROUNDING_SLACK = 1e-9;

/** More errors than requests, beyond float rounding. */
export const moreErrorsThanRequests = (errors: number, requests: number): boolean =>
  errors > requests && errors - requests > Math.abs(requests) * ROUNDING_SLACK;

export type CountProblem =
  | { kind: 'not-a-count'; metric: string; value: number; why: string }
  | { kind: 'more-errors-than-requests'; errors: number; requests: number };

/** The problems of one side's counts for an errors check (absent values are none: no data is not wrong). */
export function errorCountProblems(
  check: { errors: string; requests: string },
  values: MetricValues | undefined,
): CountProblem[] {
  const read = (metric: string) => {
    const value = values?.[metric];
    return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
  };
  const errors = read(check.errors);
  const requests = read(check.requests);
  const problems: CountProblem[] = [];
  for (const [metric, value] of [
    [check.errors, errors],
    [check.requests, requests],
  ] as const) {
    const why = value === undefined ? undefined : countProblem(value);
    if (why) problems.push({ kind: 'not-a-count', metric, value: value!, why });
  }
  if (errors !== undefined && requests !== undefined && moreErrorsThanRequests(errors, requests))
    problems.push({ kind: 'more-errors-than-requests', errors, requests });
  return problems;
}

type Counts = { errors: number; requests: number };

/**
 * One interval of an errors check as its tests use it, or undefined when they cannot (a count missing, no
 * requests on a side, or counts no traffic can give: those must not move the tests, judge.ts). Counts are
 * rounded to the nearest whole number: Prometheus' `increase()` extrapolates to the interval's edges (2.7
 * errors in a minute), but both tests' null distributions are over whole counts (binomial), and a fractional
 * count put the CUSUM's statistic off the support its boundary was computed on.
 */
export function testedCounts(
  ec: number | null,
  nc: number | null,
  es: number | null,
  ns: number | null,
): { canary: Counts; stable: Counts } | undefined {
  if (ec === null || nc === null || es === null || ns === null) return undefined;
  // Errors a float's rounding above the requests are all of them (ROUNDING_SLACK).
  const capped = (e: number, n: number) => (moreErrorsThanRequests(e, n) ? e : Math.min(e, n));
  if (!usableCounts({ errors: capped(ec, nc), requests: nc }, { errors: capped(es, ns), requests: ns }))
    return undefined;
  const canary = { errors: Math.round(capped(ec, nc)), requests: Math.round(nc) };
  const stable = { errors: Math.round(capped(es, ns)), requests: Math.round(ns) };
  return usableCounts(canary, stable) ? { canary, stable } : undefined;
}
