// A rate threshold judged on one interval's counts (a threshold check with `requests`, judge.ts): is this
// interval's rate past the limit by more than its traffic's chance? At 12 requests a minute two errors are a
// rate of 17 %, which a version at 5 % shows in one minute in ten; 40 errors in 100 requests are not chance
// at any limit up to 10 %. An exact one-sided binomial test, so small counts are judged as what they are.
// Pure.
import type { ComparisonOp } from './schema.ts';

/** ln Γ(x) for x > 0 (Lanczos, g = 7: relative error below 1e-14). */
function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const c = [
    0.9999999999998099, 676.5203681218851, -1259.1392167224028, 771.3234287776531, -176.6150291621406,
    12.507343278686905, -0.13857109526572012, 9.984369578019572e-6, 1.5056327351493116e-7,
  ];
  const z = x - 1;
  let a = c[0]!;
  for (let i = 1; i < 9; i++) a += c[i]! / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** ln P(X = k) for X ~ binomial(n, p), 0 < p < 1. */
function logPmf(k: number, n: number, p: number): number {
  return logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1) + k * Math.log(p) + (n - k) * Math.log1p(-p);
}

/**
 * The sum of P(X = j) from j = k away from the mean (up when `up`), until the terms no longer add anything:
 * past the mean they only fall, so this is O(sd) terms, not O(n).
 */
function tailFrom(k: number, n: number, p: number, up: boolean): number {
  const odds = p / (1 - p);
  let term = Math.exp(logPmf(k, n, p));
  let sum = 0;
  for (let j = k; up ? j <= n : j >= 0; j += up ? 1 : -1) {
    sum += term;
    if (term <= sum * 1e-17) break;
    // P(j+1)/P(j) = (n-j)/(j+1) * p/(1-p); P(j-1)/P(j) = j/(n-j+1) * (1-p)/p.
    term *= up ? ((n - j) / (j + 1)) * odds : j / (n - j + 1) / odds;
  }
  return Math.min(1, sum);
}

/** P(X >= k) for X ~ binomial(n, p). */
export function upperTail(k: number, n: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  if (!(p > 0)) return 0;
  if (!(p < 1)) return 1;
  return k > n * p ? tailFrom(k, n, p, true) : Math.max(0, 1 - tailFrom(k - 1, n, p, false));
}

/** P(X <= k) for X ~ binomial(n, p). */
export function lowerTail(k: number, n: number, p: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  if (!(p > 0)) return 1;
  if (!(p < 1)) return 0;
  return k < n * p ? tailFrom(k, n, p, false) : Math.max(0, 1 - tailFrom(k + 1, n, p, true));
}

/** One interval's counts behind a rate: whole numbers, as the errors test uses them (counts.ts). */
export interface RateCounts {
  /** rate x requests, rounded: the errors of an error rate, the successes of a success rate. */
  count: number;
  requests: number;
}

/**
 * The counts behind `rate` at `requests`, or undefined when there are none to judge: no request count, or
 * fewer than one request. Rounded to whole counts (Prometheus' `increase()` gives 99.7 requests).
 */
export function rateCounts(rate: number, requests: number | null | undefined): RateCounts | undefined {
  if (typeof requests !== 'number' || !Number.isFinite(requests) || !Number.isFinite(rate)) return undefined;
  const n = Math.round(requests);
  if (n < 1 || n > Number.MAX_SAFE_INTEGER) return undefined;
  const count = Math.min(n, Math.max(0, Math.round(rate * requests)));
  return { count, requests: n };
}

/**
 * The p-value of "the rate keeps the limit" (H0: rate <= limit for an upper limit `<`/`<=`, rate >= limit
 * for a lower one) given the interval's counts: the chance that a version exactly at the limit shows counts
 * at least this far past it.
 */
export function rateBreachPValue(counts: RateCounts, op: ComparisonOp, limit: number): number {
  return op === '<' || op === '<='
    ? upperTail(counts.count, counts.requests, limit)
    : lowerTail(counts.count, counts.requests, limit);
}

/**
 * The rate a counted check held an interval of `requests` to: half a count inside the first count the test
 * rejects at `perLook` (the smallest count past an upper limit, the largest under a lower one), so that a
 * rate the test held is drawn under it and one it broke over it, whatever the float's rounding. Above 1 (or
 * below 0) when no count of this interval could be a breach.
 */
export function countedLimit(op: ComparisonOp, limit: number, requests: number, perLook: number): number {
  const n = requests;
  if (op === '<' || op === '<=') {
    // upperTail falls as k grows: the first k past the limit whose tail is within perLook.
    let lo = Math.floor(n * limit) + 1;
    let hi = n + 1;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (upperTail(mid, n, limit) <= perLook) hi = mid;
      else lo = mid + 1;
    }
    return (lo - 0.5) / n;
  }
  // lowerTail grows with k: the last k under the limit whose tail is within perLook.
  let lo = -1;
  let hi = Math.ceil(n * limit) - 1;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (lowerTail(mid, n, limit) <= perLook) lo = mid;
    else hi = mid - 1;
  }
  return (lo + 0.5) / n;
}
