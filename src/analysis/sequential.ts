// Always-valid sequential tests (mixture likelihood ratios). Each statistic is a nonnegative
// (super)martingale under "canary is no worse than stable", so by Ville's inequality the chance that it EVER
// reaches 1/alpha, however often it is looked at, is at most alpha. That is what lets the judge look after
// every interval and stop early without inflating false rollbacks. See docs/analysis.md.

/** P(canary worse than stable in an interval) under the alternatives of the sign test. */
export const SIGN_PROBABILITY_GRID = [0.6, 0.7, 0.8, 0.9, 0.95] as const;

/**
 * Cap on one interval's log likelihood ratio, so that one burst of errors (real traffic is overdispersed,
 * not Poisson) cannot reach the threshold alone: at least `minIntervals` intervals of evidence are needed.
 * Capping a likelihood ratio from above keeps its expectation <= 1, so the test stays valid. Half the
 * threshold: one interval's likelihood ratio is then at most sqrt(1/alpha), and with its prior weight (< 1)
 * below it, so one burst can neither decide nor hold the window for more data (the judge holds a window
 * whose e-value is past sqrt(1/alpha)). In the bench a cap of two thirds of the threshold found a tripled
 * error rate at 2 req/s in 81 % of trials instead of 78 %, but after a one-minute tenfold error burst it
 * rolled back 1.2 % of healthy canaries instead of 0.6 %.
 */
export function maxLogStep(alpha: number, minIntervals = 2): number {
  return Math.log(1 / alpha) / minIntervals;
}

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
//    exact under any traffic pattern. The prior is log-normal around 2.5x the tolerance (sd 0.7 in log r,
//    grid 1.15x-12x): the effects a canary test exists for (1.5x-5x) get most of the weight; larger ones
//    produce so much evidence that a small weight costs them nothing. On a tripled error rate at 2 req/s
//    this beats an equal-weight grid by a few points of power at the same alpha.
//  - Over the start of the fault: faults often begin minutes into a window (a cache expires, a cron runs),
//    and the intervals before it pull a fixed-start statistic down. Each interval j (counting intervals with
//    counts) also starts a copy of the test that ignores what came before, with prior weight w_0 = 1/2 (a
//    canary broken from its first request is the commonest fault) and w_j = (1/2)(c+1)/((j+c)(j+c+1)) for
//    j >= 1, c = 4 (these sum to 1 over j >= 0, so no window length is assumed; the copies from j = n >= 1
//    on hold (1/2)(c+1)/(n+c) of it). This is a weighted Shiryaev-Roberts e-detector (Shin, Ramdas, Rinaldo,
//    "E-detectors") whose weights sum to one, so it stays an e-process: the unweighted detector only bounds
//    the mean time to a false alarm, not the chance of one within a window.
//    Why these weights: the earlier 1/((j+1)(j+2)) paid ln(20) for a start at minute 3 and ln(156) at minute
//    11; these pay ln(22) and ln(96) (a start at 0: ln(2) both). A spread-out prior (c = 4 without the half
//    at j = 0: ln(6) at 0) found a tripled error rate starting 10-14 minutes in more often (73 % vs 69 % at 2
//    req/s in 15 minutes) but one present from the start less often (81 % vs 87 %); this one: 72 % and 86 %.
//    Cost: the copy started at j has log LR S(t) - S(j) (S: running sum of one alternative's steps), so
//    sum_j w_j exp(S(t) - S(j)) = exp(S(t)) * sum_j w_j exp(-S(j)): one running sum per alternative, O(grid)
//    per interval however long the window.

/** Error-rate ratios, as multiples of the tolerance, that the mixture is spread over. */
export const ERROR_RATIO_GRID: readonly number[] = Array.from(
  { length: 16 },
  (_, i) => 1.15 * Math.exp((i * Math.log(12 / 1.15)) / 15),
);
const ratioPrior = ERROR_RATIO_GRID.map((m) =>
  Math.exp(-((Math.log(m) - Math.log(2.5)) ** 2) / (2 * 0.7 ** 2)),
);
/** Prior weight of each alternative in ERROR_RATIO_GRID (sums to 1). */
export const ERROR_RATIO_WEIGHTS: readonly number[] = ratioPrior.map(
  (w) => w / ratioPrior.reduce((a, b) => a + b, 0),
);
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
/** The error test's mixture (see above). */
export const ERROR_MIXTURE: RatioMixture = { grid: ERROR_RATIO_GRID, weights: ERROR_RATIO_WEIGHTS };

/** Prior weight of a fault present from the first interval (see above). */
export const START_PRIOR_FIRST = 0.5;
/** c in the prior weight of a later start, (1 - START_PRIOR_FIRST)(c+1)/((j+c)(j+c+1)) (see above). */
export const START_PRIOR_SHIFT = 4;
/** log of the prior weight of the copy of the test started at counted interval j. */
export function logStartWeight(j: number): number {
  if (j === 0) return Math.log(START_PRIOR_FIRST);
  const c = START_PRIOR_SHIFT;
  return Math.log(1 - START_PRIOR_FIRST) + Math.log(c + 1) - Math.log((j + c) * (j + c + 1));
}
/** log of the prior weight of all the copies started at counted interval n or later (1 for n = 0). */
export function logLaterStartsWeight(n: number): number {
  if (n === 0) return 0;
  return Math.log(1 - START_PRIOR_FIRST) + Math.log(START_PRIOR_SHIFT + 1) - Math.log(n + START_PRIOR_SHIFT);
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

function logAddExp(a: number, b: number): number {
  const max = Math.max(a, b);
  return max === -Infinity ? -Infinity : max + Math.log(Math.exp(a - max) + Math.exp(b - max));
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
  if (!(nc > 0 && ns > 0) || !(ec >= 0 && es >= 0) || ec > nc || es > ns) return state;
  const pi0 = (tolerance * nc) / (tolerance * nc + ns);
  const start = logStartWeight(state.intervals);
  return {
    logLR: state.logLR.map((sum, i) => {
      if (ec + es === 0) return sum;
      const r = tolerance * mixture.grid[i]!;
      const pi = (r * nc) / (r * nc + ns);
      return sum + Math.min(ec * Math.log(pi / pi0) + es * Math.log((1 - pi) / (1 - pi0)), maxLogStep);
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
  /** log likelihood ratio per alternative in SIGN_PROBABILITY_GRID. */
  logLR: number[];
  pairs: number;
  worse: number;
}

export function initialSignTest(): SignTestState {
  return { logLR: SIGN_PROBABILITY_GRID.map(() => 0), pairs: 0, worse: 0 };
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
): SignTestState {
  const worse = higherIsWorse ? canary > stable * (1 + tolerance) : canary < stable * (1 - tolerance);
  return {
    logLR: SIGN_PROBABILITY_GRID.map((p, j) => state.logLR[j]! + Math.log(worse ? 2 * p : 2 * (1 - p))),
    pairs: state.pairs + 1,
    worse: state.worse + (worse ? 1 : 0),
  };
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
