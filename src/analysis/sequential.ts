// Always-valid sequential tests (mixture likelihood ratios). Each statistic is a nonnegative
// (super)martingale under "canary is no worse than stable", so by Ville's inequality the chance that it EVER
// reaches 1/alpha, however often it is looked at, is at most alpha. That is what lets the judge look after
// every interval and stop early without inflating false rollbacks. See docs/analysis.md.

/** P(canary worse than stable in an interval) under the alternatives of the sign test. */
export const SIGN_PROBABILITY_GRID = [0.6, 0.7, 0.8, 0.9, 0.95] as const;

/**
 * Cap on one interval's log likelihood ratio, so that one burst of errors (real traffic is overdispersed,
 * not Poisson) cannot reach the threshold alone: at least `minIntervals` intervals of evidence are needed.
 * Capping a likelihood ratio from above keeps its expectation <= 1, so the test stays valid. Two, not
 * more: at a few requests per second one interval with a handful of canary errors is most of the evidence
 * there is: in simulation (tripled error rate at 2 req/s) a cap of a third of the threshold cut detection from
 * 74 % to 65 %.
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
//    counts) also starts a copy of the test that ignores what came before, with prior weight
//    1/((j+1)(j+2)) (these sum to 1 over j >= 0, so no window length is assumed). In simulation this raised
//    detection of a tripled error rate starting 2-7 minutes in from 77 % to 83 %, and starting 10-14 minutes
//    in from 60 % to 70 %, with no increase in false rejections.
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
/** log of the prior weight of the copy of the test started at counted interval j. */
const logStartWeight = (j: number): number => -Math.log((j + 1) * (j + 2));

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

export function initialErrorsTest(): ErrorsTestState {
  return {
    logLR: ERROR_RATIO_GRID.map(() => 0),
    logStartMass: ERROR_RATIO_GRID.map(() => -Infinity),
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
): ErrorsTestState {
  const { errors: ec, requests: nc } = canary;
  const { errors: es, requests: ns } = stable;
  if (!(nc > 0 && ns > 0) || !(ec >= 0 && es >= 0) || ec > nc || es > ns) return state;
  const pi0 = (tolerance * nc) / (tolerance * nc + ns);
  const start = logStartWeight(state.intervals);
  return {
    logLR: state.logLR.map((sum, i) => {
      if (ec + es === 0) return sum;
      const r = tolerance * ERROR_RATIO_GRID[i]!;
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
export function errorsLogEvidence(state: ErrorsTestState): number {
  if (state.intervals === 0) return 0;
  const started = logSumExp(
    state.logLR.map((sum, i) => sum + state.logStartMass[i]!),
    ERROR_RATIO_WEIGHTS,
  );
  // Copies not started yet are still at 1, with the remaining weight sum_{j >= n} w_j = 1/(n+1).
  return logAddExp(started, -Math.log(state.intervals + 1));
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
