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

/** ln(n!) - ln(sqrt(2 pi n) (n/e)^n), Stirling's error, for n >= 1 (Loader 2000). */
function stirlingError(n: number): number {
  if (n <= 15) return logGamma(n + 1) - (n + 0.5) * Math.log(n) + n - 0.5 * Math.log(2 * Math.PI);
  const nn = n * n;
  const [s0, s1, s2, s3, s4] = [1 / 12, 1 / 360, 1 / 1260, 1 / 1680, 1 / 1188];
  if (n > 500) return (s0 - s1 / nn) / n;
  if (n > 80) return (s0 - (s1 - s2 / nn) / nn) / n;
  if (n > 35) return (s0 - (s1 - (s2 - s3 / nn) / nn) / nn) / n;
  return (s0 - (s1 - (s2 - (s3 - s4 / nn) / nn) / nn) / nn) / n;
}

/** x ln(x / m) + m - x, without the cancellation of its terms when x is near m (Loader 2000). */
function deviance(x: number, m: number): number {
  if (Math.abs(x - m) < 0.1 * (x + m)) {
    let v = (x - m) / (x + m);
    let sum = (x - m) * v;
    let e = 2 * x * v;
    v *= v;
    for (let j = 1; j < 1000; j++) {
      e *= v;
      const next = sum + e / (2 * j + 1);
      if (next === sum) return next;
      sum = next;
    }
    return sum;
  }
  return x === 0 ? m : x * Math.log(x / m) + m - x;
}

/**
 * ln P(X = k) for X ~ binomial(n, p), 0 < p < 1, 0 <= k <= n. By Stirling's error and the deviance, not by
 * ln Γ(n + 1) - ...: those are ~n ln n, so at 10^12 requests their rounding alone was a factor of 1.01 in the
 * probability, and at 9e15 one of e^60.
 */
function logPmf(k: number, n: number, p: number): number {
  if (k === 0) return n * Math.log1p(-p);
  if (k === n) return n * Math.log(p);
  return (
    stirlingError(n) -
    stirlingError(k) -
    stirlingError(n - k) -
    deviance(k, n * p) -
    deviance(n - k, n * (1 - p)) -
    0.5 * (Math.log(2 * Math.PI) + Math.log(k) + Math.log1p(-k / n))
  );
}

/**
 * Work done by the tails, for tests: the terms summed (a saddlepoint approximation is one). The cost of a
 * tail is what a hostile count could make large.
 */
export interface TailWork {
  terms: number;
}

/**
 * Past this variance n p (1 - p) (sd 1,000) a tail is the saddlepoint approximation instead of a sum of
 * ~9 sd terms: at 9e15 requests the sum was 2e8 terms per tail, and countedLimit's 53 of them took 14 s.
 * Its relative error there is below 1e-5 (test/unit/analysis/counted-threshold.test.ts).
 */
export const EXACT_TAIL_MAX_VARIANCE = 1e6;

/**
 * The sum of P(X = j) from j = k away from the mean (up when `up`), until the terms no longer add anything:
 * past the mean they only fall, so this is O(sd) terms, not O(n).
 */
function tailFrom(k: number, n: number, p: number, up: boolean, work?: TailWork): number {
  const odds = p / (1 - p);
  let term = Math.exp(logPmf(k, n, p));
  let sum = 0;
  for (let j = k; up ? j <= n : j >= 0; j += up ? 1 : -1) {
    sum += term;
    if (work) work.terms++;
    if (term <= sum * 1e-17) break;
    // P(j+1)/P(j) = (n-j)/(j+1) * p/(1-p); P(j-1)/P(j) = j/(n-j+1) * (1-p)/p.
    term *= up ? ((n - j) / (j + 1)) * odds : j / (n - j + 1) / odds;
  }
  return Math.min(1, sum);
}

/** erfc(x), relative error below 1.2e-7 for every x (Chebyshev fit, Numerical Recipes' erfcc). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const poly =
    -1.26551223 +
    t *
      (1.00002368 +
        t *
          (0.37409196 +
            t *
              (0.09678418 +
                t *
                  (-0.18628806 +
                    t *
                      (0.27886807 +
                        t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const r = t * Math.exp(-z * z + poly);
  return x >= 0 ? r : 2 - r;
}

/** P(Z > w) for a standard normal Z. */
function normalUpper(w: number): number {
  return 0.5 * erfc(w / Math.SQRT2);
}

/**
 * P(X >= k) for X ~ binomial(n, p), k above the mean, by the Lugannani-Rice saddlepoint approximation with
 * Daniels' second continuity correction (Butler, Saddlepoint Approximations, 2007, 1.2.5): O(1) whatever n.
 * Near the mean (w within 1e-3) the two terms of its correction cancel; there it is the normal tail at k - 1/2.
 */
export function saddlepointUpperTail(k: number, n: number, p: number): number {
  return saddlepoint(k - 0.5, n - k + 0.5, n, p, 1 - p);
}

/**
 * The saddlepoint tail at x = k - 1/2, given with rest = n - x and q = 1 - p as the caller has them exactly:
 * the tails below the mean are this tail of n - X ~ binomial(n, q), and computed there they lost what a float
 * past 2^52 cannot hold (k - 1/2 rounds to a whole count, so n - x lost its half count) and what 1 - (1 - p)
 * rounds off a small p (a relative 1e-7 of the expected count): ~1e-3 of a tail at 6 sd.
 */
function saddlepoint(x: number, rest: number, n: number, p: number, q: number): number {
  // K(s) = n ln(q + p e^s); K'(s) = x at e^s = x q / ((n - x) p); s x - K(s) is the deviance of x.
  const s = Math.log(x / (n * p)) - Math.log(rest / (n * q));
  const w = Math.sign(s) * Math.sqrt(2 * (deviance(x, n * p) + deviance(rest, n * q)));
  if (Math.abs(w) < 1e-3) return normalUpper((x - n * p) / Math.sqrt(n * p * q));
  const u = 2 * Math.sinh(s / 2) * Math.sqrt((x * rest) / n);
  const phi = Math.exp(-(w * w) / 2) / Math.sqrt(2 * Math.PI);
  return Math.min(1, Math.max(0, normalUpper(w) + phi * (1 / u - 1 / w)));
}

/**
 * P(X >= k) past EXACT_TAIL_MAX_VARIANCE: the saddlepoint on the side of the mean k is on (below it, one
 * minus the tail of n - X at n - k + 1), each from the whole counts and p, 1 - p as given.
 */
function saddlepointUpper(k: number, n: number, p: number, q: number): number {
  return k - 0.5 > n * p
    ? saddlepoint(k - 0.5, n - k + 0.5, n, p, q)
    : Math.max(0, 1 - saddlepoint(n - k + 0.5, k - 0.5, n, q, p));
}

/** P(X >= k) for X ~ binomial(n, p). */
export function upperTail(k: number, n: number, p: number, work?: TailWork): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  if (!(p > 0)) return 0;
  if (!(p < 1)) return 1;
  if (n * p * (1 - p) > EXACT_TAIL_MAX_VARIANCE) {
    if (work) work.terms++;
    return saddlepointUpper(k, n, p, 1 - p);
  }
  return k > n * p ? tailFrom(k, n, p, true, work) : Math.max(0, 1 - tailFrom(k - 1, n, p, false, work));
}

/** P(X <= k) for X ~ binomial(n, p). */
export function lowerTail(k: number, n: number, p: number, work?: TailWork): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  if (!(p > 0)) return 1;
  if (!(p < 1)) return 0;
  // X <= k is n - X >= n - k, with n - X ~ binomial(n, 1 - p): p and 1 - p passed as they are (1 - (1 - p)
  // is not p).
  if (n * p * (1 - p) > EXACT_TAIL_MAX_VARIANCE) {
    if (work) work.terms++;
    return saddlepointUpper(n - k, n, 1 - p, p);
  }
  return k < n * p ? tailFrom(k, n, p, false, work) : Math.max(0, 1 - tailFrom(k + 1, n, p, true, work));
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
 * below 0) when no count of this interval could be a breach. At most ~54 tails of bounded cost (upperTail),
 * whatever the count.
 */
export function countedLimit(
  op: ComparisonOp,
  limit: number,
  requests: number,
  perLook: number,
  work?: TailWork,
): number {
  const n = requests;
  if (op === '<' || op === '<=') {
    // upperTail falls as k grows: the first k past the limit whose tail is within perLook.
    let lo = Math.floor(n * limit) + 1;
    let hi = n + 1;
    while (lo < hi) {
      // Not (lo + hi) / 2: past 2^53 that sum rounds, and the search stood still (forever, at 9e15 requests).
      const mid = lo + Math.floor((hi - lo) / 2);
      if (upperTail(mid, n, limit, work) <= perLook) hi = mid;
      else lo = mid + 1;
    }
    return (lo - 0.5) / n;
  }
  // lowerTail grows with k: the last k under the limit whose tail is within perLook.
  let lo = -1;
  let hi = Math.ceil(n * limit) - 1;
  while (lo < hi) {
    const mid = lo + Math.ceil((hi - lo) / 2);
    if (lowerTail(mid, n, limit, work) <= perLook) lo = mid;
    else hi = mid - 1;
  }
  return (lo + 0.5) / n;
}
