// Always-valid sequential tests (mixture likelihood ratios). Each statistic is a nonnegative
// (super)martingale under "canary is no worse than stable", so by Ville's inequality the chance that it EVER
// reaches 1/alpha, however often it is looked at, is at most alpha. That is what lets the judge look after
// every interval and stop early without inflating false rollbacks. See docs/analysis.md.

/** Error-rate ratios (canary / stable), as multiples of the tolerance, that the mixture is spread over. */
export const ERROR_RATIO_GRID = [1.25, 1.5, 2, 3, 5, 10] as const;
/** P(canary worse than stable in an interval) under the alternatives of the sign test. */
export const SIGN_PROBABILITY_GRID = [0.6, 0.7, 0.8, 0.9, 0.95] as const;

/**
 * Cap on one interval's log likelihood ratio, so that one burst of errors (real traffic is overdispersed,
 * not Poisson) cannot reach the threshold alone: at least `minIntervals` intervals of evidence are needed.
 * Capping a likelihood ratio from above keeps its expectation <= 1, so the test stays valid.
 */
export function maxLogStep(alpha: number, minIntervals = 3): number {
  return Math.log(1 / alpha) / minIntervals;
}

/** log of the mean of exp(x): the log of an equal-weight mixture of likelihood ratios. */
export function logMeanExp(logs: readonly number[]): number {
  const max = Math.max(...logs);
  if (max === -Infinity) return -Infinity;
  return max + Math.log(logs.reduce((sum, l) => sum + Math.exp(l - max), 0) / logs.length);
}

export interface ErrorsTestState {
  /** log likelihood ratio per alternative in ERROR_RATIO_GRID. */
  logLR: number[];
  canaryErrors: number;
  canaryRequests: number;
  stableErrors: number;
  stableRequests: number;
}

export function initialErrorsTest(): ErrorsTestState {
  return {
    logLR: ERROR_RATIO_GRID.map(() => 0),
    canaryErrors: 0,
    canaryRequests: 0,
    stableErrors: 0,
    stableRequests: 0,
  };
}

/**
 * Conditional binomial test on counts. Given the interval's total errors k, canary errors are
 * Binomial(k, pi) with pi = r*nc / (r*nc + ns), where r is the ratio of the canary's error rate to stable's.
 * H0: r <= tolerance. Intervals with missing or zero counts carry no information and are skipped. Each
 * interval's contribution is capped at maxLogStep (see there).
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
  if (!(nc > 0 && ns > 0) || ec < 0 || es < 0 || ec > nc || es > ns) return state;
  const next = {
    ...state,
    canaryErrors: state.canaryErrors + ec,
    canaryRequests: state.canaryRequests + nc,
    stableErrors: state.stableErrors + es,
    stableRequests: state.stableRequests + ns,
  };
  if (ec + es === 0) return next;
  const pi0 = (tolerance * nc) / (tolerance * nc + ns);
  next.logLR = ERROR_RATIO_GRID.map((multiple, j) => {
    const r = tolerance * multiple;
    const pi = (r * nc) / (r * nc + ns);
    const step = ec * Math.log(pi / pi0) + es * Math.log((1 - pi) / (1 - pi0));
    return state.logLR[j]! + Math.min(step, maxLogStep);
  });
  return next;
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
  return logMeanExp(logLR) >= Math.log(1 / alpha);
}
