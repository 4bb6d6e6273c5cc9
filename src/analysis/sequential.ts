// Always-valid sequential tests (mixture likelihood ratios). Each statistic is a nonnegative
// (super)martingale under "canary is no worse than stable", so by Ville's inequality the chance that it EVER
// reaches 1/alpha, however often it is looked at, is at most alpha. That is what lets the judge look after
// every interval and stop early without inflating false rollbacks. See docs/analysis.md.

/** P(canary worse than stable in an interval) under the alternatives of the sign test. */
export const SIGN_PROBABILITY_GRID = [0.6, 0.7, 0.8, 0.9, 0.95] as const;

/**
 * Cap on one interval's log likelihood ratio, so that one burst of errors (real traffic is overdispersed,
 * not Poisson) cannot reach the threshold alone: at least `minIntervals` intervals of evidence are needed.
 * Capping a likelihood ratio from above keeps its expectation <= 1, so the test stays valid. With the
 * default (2) one interval's likelihood ratio is at most sqrt(1/alpha) and, with its prior weight (< 1),
 * below the judge's pending mark (PENDING_FRACTION), so one burst can neither decide nor hold the window.
 */
export function maxLogStep(alpha: number, minIntervals = 2): number {
  return Math.log(1 / alpha) / minIntervals;
}

/**
 * The error test's cap: 2.5 intervals' worth (ln(1/alpha)/2.5 per interval). The cap is the whole price of
 * robustness to error bursts, and it is not small: in the bench, with no cap a tripled error rate at 2 req/s
 * is found ~5 points more often, but a one-minute tenfold error burst on a healthy canary is then rolled back
 * in 3 % of trials. At 2.5 that burst is rolled back in 0.6-0.8 % over three seed sets (at 2: 0.8-1.6 % with
 * the current prior), for 1-2 points of detection.
 */
export const ERRORS_MIN_INTERVALS = 2.5;

/**
 * A sequential test whose e-value is at least (1/alpha)^PENDING_FRACTION (5 at alpha 0.01) has not decided:
 * the judge holds, so a window ending there is extended once. Costs no alpha (an e-process stays valid
 * however long it runs); under H0 the e-value gets there with probability <= alpha^PENDING_FRACTION, and in
 * the bench's healthy scenarios 1-2 % of windows were extended for it (6 % after an error burst). At 1/2
 * (sqrt(1/alpha)) a tripled error rate starting 10-14 minutes into the window was extended too rarely to
 * be found in the extension.
 */
export const PENDING_FRACTION = 0.35;

/** log of the mean of exp(x): the log of an equal-weight mixture of likelihood ratios. */
export function logMeanExp(logs: readonly number[]): number {
  return logSumExp(logs) - Math.log(logs.length);
}

/** log(sum_i w_i exp(x_i)), stable for large x; weights default to 1. */
export function logSumExp(logs: readonly number[], weights?: readonly number[]): number {
  const max = Math.max(...logs);
  if (max === -Infinity) return -Infinity;
  return max + Math.log(logs.reduce((sum, l, i) => sum + (weights ? weights[i]! : 1) * Math.exp(l - max), 0));
}

// ---- Error counts: a mixture sequential probability ratio test -------------------------------------------
//
// Model. In one interval the canary serves nc requests and stable ns; their errors are (approximately)
// Poisson with rates r*p*nc and p*ns, where p is stable's unknown error rate and r the ratio of error rates.
// Given the interval's total k = ec + es, the canary's share of the errors is Binomial(k, pi(r)) with
// pi(r) = r*nc / (r*nc + ns), which no longer depends on p (the approach of Lindon et al., "Anytime-valid
// inference for multinomial count data", used by Netflix for canary tests). H0: r <= tolerance.
//
// Statistic. For an alternative r1 > r0 = tolerance the product over intervals of
// Binomial(ec; k, pi(r1)) / Binomial(ec; k, pi(r0)) is a martingale under r = r0 and a supermartingale under
// r < r0 (its one-step expectation is linear in pi(r) and equals 1 at pi(r0)). A mixture of such processes
// with weights fixed in advance is one too, so by Ville's inequality P(it ever reaches 1/alpha) <= alpha,
// however many times it is looked at, and however the window is extended.
//
// Mixture, and why this one.
//  - Over r: a discrete prior, not the conjugate beta on pi: the canary's share of traffic changes between
//    intervals (weights step up, traffic ramps), so pi moves with it while r does not; a prior on r stays
//    exact under any traffic pattern. The prior is log-normal around 2.5x the tolerance (sd 0.4 in log r)
//    on 12 points over 1.3x-5x: the regressions a canary test exists to catch at low traffic. Below 1.3x no
//    canary step holds enough data to tell (the bench's 1.5x errors at 2 req/s: the fixed-horizon oracle finds
//    a fifth), and a 10x fault produces so much evidence that the 5x alternative rejects it almost as fast.
//    Weight spent on either is lost to the likely effects: the earlier prior (sd 0.7 over 1.15x-12x) found a
//    tripled error rate present from the start at 2 req/s in 84 % of the bench's trials, this one in 87 %
//    at the same per-interval cap.
//  - Over the start of the fault: faults often begin minutes into a window (a cache expires, a cron runs),
//    and the intervals before it pull a fixed-start statistic down. Each interval j (counting intervals with
//    counts) also starts a copy of the test that ignores what came before, with prior weight w_0 = 0.4 (a
//    canary broken from its first request is the commonest fault), w_j = 0.6 * 0.8 / 15 = 0.032 for
//    1 <= j <= 15 (flat over a canary step's usual length: a fault at minute 12 is as likely as one at
//    minute 3) and w_j = 0.6 * 0.2 * (c+1)/((k+c)(k+c+1)), k = j - 15, c = 4, after that (these sum to 1
//    over j >= 0, so no window length is assumed). This is a weighted Shiryaev-Roberts e-detector (Shin,
//    Ramdas, Rinaldo, "E-detectors") whose weights sum to one, so it stays an e-process: the unweighted
//    detector only bounds the mean time to a false alarm, not the chance of one within a window.
//    Why these weights: the earlier (1/2)(c+1)/((j+c)(j+c+1)) paid ln(22) for a start at minute 3 but
//    ln(96) at minute 11 and ln(137) at 14, most of the threshold ln(100): a tripled error rate starting
//    10-14 minutes in at 2 req/s was found within 15 minutes in 50 % of the bench's trials; with the flat
//    part (ln(31) anywhere in 1-15) in 65 %, for 1-2 points less on faults present from the start (ln(2.5)
//    instead of ln(2) for j = 0).
//    Cost: the copy started at j has log LR S(t) - S(j) (S: running sum of one alternative's steps), so
//    sum_j w_j exp(S(t) - S(j)) = exp(S(t)) * sum_j w_j exp(-S(j)): one running sum per alternative, O(grid)
//    per interval however long the window.

/**
 * A mixture over error-rate ratios (multiples of the tolerance): log-normal prior weights around `center`
 * with log-sd `sd`, on a geometric grid of `points` from `low` to `high`. Weights sum to 1.
 */
export interface RatioMixture {
  grid: readonly number[];
  weights: readonly number[];
}
export function ratioMixture(
  center: number,
  sd: number,
  low: number,
  high: number,
  points: number,
): RatioMixture {
  const grid = Array.from(
    { length: points },
    (_, i) => low * Math.exp((i * Math.log(high / low)) / (points - 1)),
  );
  const prior = grid.map((m) => Math.exp(-((Math.log(m) - Math.log(center)) ** 2) / (2 * sd ** 2)));
  const total = prior.reduce((a, b) => a + b, 0);
  return { grid, weights: prior.map((w) => w / total) };
}
/** The error test's mixture (see above): log-normal around 2.5x the tolerance, log-sd 0.4, over 1.3x-5x. */
export const ERROR_MIXTURE: RatioMixture = ratioMixture(2.5, 0.4, 1.3, 5, 12);
/** Error-rate ratios, as multiples of the tolerance, that the mixture is spread over. */
export const ERROR_RATIO_GRID: readonly number[] = ERROR_MIXTURE.grid;
/** Prior weight of each alternative in ERROR_RATIO_GRID (sums to 1). */
export const ERROR_RATIO_WEIGHTS: readonly number[] = ERROR_MIXTURE.weights;

/** Prior weight of a fault present from the first interval (see above). */
export const START_PRIOR_FIRST = 0.4;
/** Later starts with equal weight (1 - START_PRIOR_FIRST) * START_PRIOR_FLAT_MASS / START_PRIOR_FLAT each. */
export const START_PRIOR_FLAT = 15;
const START_PRIOR_FLAT_MASS = 0.8;
/** c in the prior weight of a start after the flat part (see above). */
export const START_PRIOR_SHIFT = 4;
/** log of the prior weight of the copy of the test started at counted interval j. */
export function logStartWeight(j: number): number {
  if (j === 0) return Math.log(START_PRIOR_FIRST);
  const later = 1 - START_PRIOR_FIRST;
  if (j <= START_PRIOR_FLAT) return Math.log((later * START_PRIOR_FLAT_MASS) / START_PRIOR_FLAT);
  const c = START_PRIOR_SHIFT;
  const k = j - START_PRIOR_FLAT;
  return Math.log(later * (1 - START_PRIOR_FLAT_MASS)) + Math.log(c + 1) - Math.log((k + c) * (k + c + 1));
}
/** log of the prior weight of all the copies started at counted interval n or later (1 for n = 0). */
export function logLaterStartsWeight(n: number): number {
  if (n === 0) return 0;
  const later = 1 - START_PRIOR_FIRST;
  const tail = 1 - START_PRIOR_FLAT_MASS;
  if (n <= START_PRIOR_FLAT + 1)
    return Math.log(later * ((START_PRIOR_FLAT_MASS * (START_PRIOR_FLAT - n + 1)) / START_PRIOR_FLAT + tail));
  const c = START_PRIOR_SHIFT;
  return Math.log(later * tail) + Math.log(c + 1) - Math.log(n - START_PRIOR_FLAT + c);
}

export interface ErrorsTestState {
  /** Per alternative in ERROR_RATIO_GRID: running sum S of the (capped) log likelihood ratio steps. */
  logLR: number[];
  /** Per alternative: log sum_j w_j exp(-S(j)) over the copies started so far (see the comment above). */
  logStartMass: number[];
  /** Intervals with usable counts so far (= copies started). */
  intervals: number;
  canaryErrors: number;
  canaryRequests: number;
  stableErrors: number;
  stableRequests: number;
}

export function initialErrorsTest(mixture: RatioMixture = ERROR_MIXTURE): ErrorsTestState {
  return {
    logLR: mixture.grid.map(() => 0),
    logStartMass: mixture.grid.map(() => -Infinity),
    intervals: 0,
    canaryErrors: 0,
    canaryRequests: 0,
    stableErrors: 0,
    stableRequests: 0,
  };
}

/** log(exp(a) + exp(b)), stable for large values. */
export function logAddExp(a: number, b: number): number {
  const max = Math.max(a, b);
  return max === -Infinity ? -Infinity : max + Math.log(Math.exp(a - max) + Math.exp(b - max));
}

/**
 * Counts an interval of the error test can use: requests on both sides, no negative count, no more errors
 * than requests, and nothing past 2^53 (where sums stop being exact and, far enough, overflow to Infinity,
 * which would turn the evidence into NaN).
 */
export function usableCounts(
  canary: { errors: number; requests: number },
  stable: { errors: number; requests: number },
): boolean {
  const { errors: ec, requests: nc } = canary;
  const { errors: es, requests: ns } = stable;
  return (
    nc > 0 &&
    ns > 0 &&
    nc <= Number.MAX_SAFE_INTEGER &&
    ns <= Number.MAX_SAFE_INTEGER &&
    ec >= 0 &&
    es >= 0 &&
    ec <= nc &&
    es <= ns
  );
}

/**
 * Adds one interval's counts. Intervals with missing, zero or inconsistent request counts are skipped (no
 * information, and a negative or impossible count must not move the test). Each interval's contribution is
 * capped at maxLogStep (see there).
 */
export function updateErrorsTest(
  state: ErrorsTestState,
  tolerance: number,
  maxLogStep: number,
  canary: { errors: number; requests: number },
  stable: { errors: number; requests: number },
  mixture: RatioMixture = ERROR_MIXTURE,
): ErrorsTestState {
  const { errors: ec, requests: nc } = canary;
  const { errors: es, requests: ns } = stable;
  if (!usableCounts(canary, stable)) return state;
  const pi0 = (tolerance * nc) / (tolerance * nc + ns);
  const start = logStartWeight(state.intervals);
  return {
    logLR: state.logLR.map((sum, i) => {
      if (ec + es === 0) return sum;
      const r = tolerance * mixture.grid[i]!;
      const pi = (r * nc) / (r * nc + ns);
      const step = ec * Math.log(pi / pi0) + es * Math.log((1 - pi) / (1 - pi0));
      // Traffic so lopsided that a share rounds to 1 (or 0) makes the step 0/0 or -Infinity, and the
      // evidence NaN, which held the window as "pending" and then promoted it: no information is no step,
      // and an impossible alternative a very large finite fall (lowering a likelihood ratio keeps it valid).
      return Number.isNaN(step) ? sum : sum + Math.max(-1e6, Math.min(step, maxLogStep));
    }),
    // The copy started at this interval has seen nothing before it: weight w_j, log LR S(t) - S(j).
    logStartMass: state.logStartMass.map((mass, i) => logAddExp(mass, start - state.logLR[i]!)),
    intervals: state.intervals + 1,
    canaryErrors: state.canaryErrors + ec,
    canaryRequests: state.canaryRequests + nc,
    stableErrors: state.stableErrors + es,
    stableRequests: state.stableRequests + ns,
  };
}

/** log of the error test's e-value: the prior-weighted mixture over start points and alternatives. */
export function errorsLogEvidence(state: ErrorsTestState, mixture: RatioMixture = ERROR_MIXTURE): number {
  if (state.intervals === 0) return 0;
  const started = logSumExp(
    state.logLR.map((sum, i) => sum + state.logStartMass[i]!),
    mixture.weights,
  );
  // Copies not started yet are still at 1, with the remaining weight sum_{j >= n} w_j.
  return logAddExp(started, logLaterStartsWeight(state.intervals));
}

export interface SignTestState {
  /** Per alternative in SIGN_PROBABILITY_GRID: running sum S of the log likelihood ratio steps. */
  logLR: number[];
  /** Per alternative: log sum_j w_j exp(-S(j)) over the copies started so far (as in the error test). */
  logStartMass: number[];
  pairs: number;
  worse: number;
}

export function initialSignTest(): SignTestState {
  return {
    logLR: SIGN_PROBABILITY_GRID.map(() => 0),
    logStartMass: SIGN_PROBABILITY_GRID.map(() => -Infinity),
    pairs: 0,
    worse: 0,
  };
}

/**
 * The line past which the sign test counts an interval as worse: stable moved by `tolerance` of its size in
 * the worse direction (stable x (1 + tolerance), or x (1 - tolerance) where lower is worse, for a stable of 0
 * or more). By its size, not by a product, so a metric that can be negative keeps the direction: -10.5 is not
 * "more than 10 % above" -10 (the product, -11, counted it as worse, and rolled back a canary a little better).
 * Never by less than `minDifference`: a share of 0 is 0, so at a stable of 0 (a queue depth, a rate of rare
 * events) any canary above it counted as worse, 0.001 as much as 50. Any line at or past stable keeps the
 * test valid: P(canary past it) <= P(canary past stable) <= 1/2 when both versions behave alike.
 */
export function signLine(
  stable: number,
  tolerance: number,
  higherIsWorse: boolean,
  minDifference = 0,
): number {
  const by = Math.max(Math.abs(stable) * tolerance, minDifference);
  return higherIsWorse ? stable + by : stable - by;
}

/**
 * Sign test on paired per-interval values (e.g. canary p95 vs stable p95 of the same interval). An interval
 * counts as "worse" when canary exceeds stable by more than the tolerance. H0: P(worse) <= 1/2, which holds
 * whenever both versions behave alike, whatever the distribution: heavy tails and outliers do not matter.
 */
export function updateSignTest(
  state: SignTestState,
  tolerance: number,
  higherIsWorse: boolean,
  canary: number,
  stable: number,
  minDifference = 0,
): SignTestState {
  const worse = higherIsWorse
    ? canary > signLine(stable, tolerance, true, minDifference)
    : canary < signLine(stable, tolerance, false, minDifference);
  const start = logStartWeight(state.pairs);
  return {
    logLR: SIGN_PROBABILITY_GRID.map((p, j) => state.logLR[j]! + Math.log(worse ? 2 * p : 2 * (1 - p))),
    // The copy started at this interval has seen nothing before it: weight w_j, log LR S(t) - S(j).
    logStartMass: state.logStartMass.map((mass, j) => logAddExp(mass, start - state.logLR[j]!)),
    pairs: state.pairs + 1,
    worse: state.worse + (worse ? 1 : 0),
  };
}

/**
 * log of the sign test's e-value: the equal-weight mixture over SIGN_PROBABILITY_GRID and, as in the error
 * test, the prior-weighted mixture over the interval where the difference began. Without the second, a
 * regression that starts minutes into the window is found late or not at all: each earlier interval that is
 * not worse multiplies the 0.9 alternative's likelihood ratio by 0.2 (and the 0.95 one's by 0.1), so five
 * healthy minutes cost about ln(3000) of evidence that the later ones must win back first.
 */
export function signLogEvidence(state: SignTestState): number {
  if (state.pairs === 0) return 0;
  const started = logMeanExp(state.logLR.map((sum, j) => sum + state.logStartMass[j]!));
  return logAddExp(started, logLaterStartsWeight(state.pairs));
}

/** The evidence against H0 (the mixture likelihood ratio); reject when it reaches 1/alpha. */
export function evidence(logLR: readonly number[]): number {
  return Math.exp(logMeanExp(logLR));
}

export function rejects(logLR: readonly number[], alpha: number): boolean {
  return rejectsLog(logMeanExp(logLR), alpha);
}

/** True when a log e-value reaches the threshold ln(1/alpha). */
export function rejectsLog(logEvidence: number, alpha: number): boolean {
  return logEvidence >= Math.log(1 / alpha);
}
