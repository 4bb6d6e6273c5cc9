// The error test's second statistic: a CUSUM whose boundary is computed EXACTLY under the null, look by look,
// instead of the e-value's 1/alpha (Ville's inequality). Why: Ville's bound is far from tight for the error
// test's capped mixture; in the bench its false rollbacks stayed near 0 at alpha 0.01, so most of alpha went
// unspent, and a tripled error rate at ~2 req/s was found in only 76-81 % of trials within 15 minutes. With
// this CUSUM beside it, spending 0.4 of the check's alpha exactly, 79-86 % (docs/analysis.md).
//
// Model (as the e-value test, sequential.ts): given an interval's error total k = ec + es and its traffic
// (nc, ns), the canary's errors are Binomial(k, pi(r)), pi(r) = r*nc / (r*nc + ns), whatever stable's error
// rate is. H0: r <= tolerance.
//
// Statistic. S_t = max(0, S_{t-1} + step_t), step_t = the capped log likelihood ratio of ratio CUSUM_RATIO
// x tolerance against the tolerance, rounded to a grid of CUSUM_GRID nats. Rounded, S lives on a grid, and
// given the totals the null distribution of S after each look is a distribution over grid points that the
// next interval moves by a binomial convolution: computable exactly, not simulated. The steps are "burst
// robust": both likelihoods are mixed with a small share (BURST_SHARE) of a burst model (BURST_RATIO x),
// so one interval far above the alternative (a cold start, a one-minute blip) moves S little, where a plain
// likelihood ratio would give it the whole cap. A sustained gross failure, which these steps also discount,
// is the e-value test's: the two share the check's alpha (CUSUM_ALPHA_SHARE).
//
// Boundary. At look t the boundary is the lowest grid point (at least BOUNDARY_FLOOR nats) whose crossing
// probability, with the paths that crossed before removed, keeps the total at or under the alpha spent by
// then: spend(t) = alpha * (PLANNED_SHARE * min(1, t/T) + (1 - PLANNED_SHARE) * max(0, 1 - T/t)), T the
// planned looks (the window and its extension). spend(t) < alpha for every t, so the chance of a crossing
// EVER, however many looks, is at most alpha under H0 at r = tolerance. For r < tolerance it is less in
// every case enumerated (calibrated.test.ts, and 300 random traffic patterns in review), but that is not a
// one-line argument: the burst mixture makes a step fall back towards 0 for counts far above the
// alternative, so steps are not monotone in the canary's errors. Exact under the conditional-binomial
// model for any traffic pattern, given the totals; deterministic, so a replay draws the same boundaries. Unlike the e-value it is not evidence one can read
// at any look on its own terms: it is a boundary planned for this window's looks.

import { logAddExp } from './sequential.ts';

/** The alternative the CUSUM's steps are the likelihood ratio of, as a multiple of the tolerance. */
export const CUSUM_RATIO = 2.5;
/** Cap on one step, nats: ln(100)/2.5, the e-value test's cap at alpha 0.01. */
export const CUSUM_CAP = Math.log(100) / 2.5;
/** Grid of the statistic, nats. */
export const CUSUM_GRID = 0.01;
/**
 * Grid points kept at first: 0 .. 15 nats, beyond the boundary at the usual alphas (mass above the boundary
 * is removed at each look). A small alpha (1e-6 and below) or a long window puts the boundary higher: the
 * grid then grows, up to CUSUM_MAX_POINTS, so that no null mass piles up at its top. (It used to stop at
 * 15 nats: the boundary became 15.00, one point above the highest value the statistic could take, and the
 * CUSUM could never fire.)
 */
export const CUSUM_POINTS = 1500;
/** Most grid points: 100 nats, beyond the boundary of any alpha above 1e-40 over a million looks. */
export const CUSUM_MAX_POINTS = 10_000;
/** The boundary is never below this (nats), so a handful of errors in a quiet window cannot fire it. */
export const BOUNDARY_FLOOR = 2;
/** Share of the burst model in both likelihoods of a step, and its ratio (x tolerance). */
export const BURST_SHARE = 0.02;
export const BURST_RATIO = 15;
/**
 * Shares of the errors check's alpha: the CUSUM's, and the e-value test's (gross failures). The rest is left
 * unspent on purpose: the boundary is exact under the conditional-binomial model, and real errors cluster
 * more than binomially, so a margin is kept for what the model does not see.
 */
export const CUSUM_ALPHA_SHARE = 0.4;
export const EVIDENCE_ALPHA_SHARE = 0.1;

/** What each of the errors check's two tests is given of its alpha (the shares above). */
export function errorsCheckAlphas(alpha: number): { cusum: number; evidence: number } {
  return { cusum: alpha * CUSUM_ALPHA_SHARE, evidence: alpha * EVIDENCE_ALPHA_SHARE };
}
/** Share of the CUSUM's alpha spent evenly over the planned looks; the rest over any later looks. */
export const PLANNED_SHARE = 0.95;
/** Planned looks when the caller does not say: a 20-interval window and its extension by half. */
export const DEFAULT_PLANNED_LOOKS = 30;

export interface CusumState {
  /** The statistic, in grid units. */
  statistic: number;
  /** The last look's boundary, in grid units. */
  boundary: number;
  /** Null probability of each grid point for the paths that have not crossed a boundary yet. */
  nullMass: Float64Array;
  /** Highest grid point with null mass (the convolution's extent). */
  top: number;
  /** Alpha spent so far (probability of the crossings removed). */
  spent: number;
  looks: number;
}

export function initialCusum(): CusumState {
  const nullMass = new Float64Array(CUSUM_POINTS);
  nullMass[0] = 1;
  return {
    statistic: 0,
    boundary: Math.round(BOUNDARY_FLOOR / CUSUM_GRID),
    nullMass,
    top: 0,
    spent: 0,
    looks: 0,
  };
}

/** Alpha spent by look t of T planned (see the header). */
export function alphaSpent(alpha: number, look: number, planned: number): number {
  return (
    alpha *
    (PLANNED_SHARE * Math.min(1, look / planned) + (1 - PLANNED_SHARE) * Math.max(0, 1 - planned / look))
  );
}

/**
 * What a CUSUM step is the likelihood ratio of: the alternative, the cap on one step (nats), and the burst
 * model mixed into both likelihoods. The judge uses CUSUM_DESIGN; the bench also runs an idealised design
 * (the true effect, no cap, no burst model) to show how far the judge is from what this kind of test allows.
 */
export interface CusumDesign {
  /** The alternative, as a multiple of the tolerance. */
  ratio: number;
  /** Cap on one step, nats. */
  cap: number;
  /** Share of the burst model in both likelihoods (0: none), and its ratio (x tolerance). */
  burstShare: number;
  burstRatio: number;
}
export const CUSUM_DESIGN: CusumDesign = {
  ratio: CUSUM_RATIO,
  cap: CUSUM_CAP,
  burstShare: BURST_SHARE,
  burstRatio: BURST_RATIO,
};

/**
 * One interval's step, in grid units, for `ec` canary errors of `k` (traffic nc, ns). Mixed with the burst
 * model: log of ((1-e) B(p1) + e B(pb)) / ((1-e) B(p0) + e B(pb)), computed relative to B(pb) so the
 * binomial coefficient cancels. Rounded to the grid and capped at the design's cap (CUSUM_CAP).
 */
export function cusumStep(
  ec: number,
  k: number,
  nc: number,
  ns: number,
  tolerance: number,
  design: CusumDesign = CUSUM_DESIGN,
): number {
  const share = (r: number) => (r * nc) / (r * nc + ns);
  const p0 = share(tolerance);
  const p1 = share(tolerance * design.ratio);
  const pb = share(tolerance * design.burstRatio);
  // Traffic so lopsided that a share rounds to 0 or 1 (one side 1e16 times the other) says nothing about
  // which side the errors came from: no step, rather than a NaN that would never cross.
  if (!(p0 > 0 && pb < 1)) return 0;
  const relative = (p: number) => ec * Math.log(p / pb) + (k - ec) * (Math.log1p(-p) - Math.log1p(-pb));
  const mix = (l: number) =>
    design.burstShare > 0 ? logAddExp(Math.log1p(-design.burstShare) + l, Math.log(design.burstShare)) : l;
  const llr = mix(relative(p1)) - mix(relative(p0));
  if (Number.isNaN(llr)) return 0;
  return Math.max(-CUSUM_POINTS, Math.round(Math.min(design.cap, llr) / CUSUM_GRID));
}

/** Most values the null's support is evaluated at, however large the interval's counts. */
const MAX_SUPPORT = 100_000;

/**
 * The binomial(k, p) distribution as (value, probability) pairs over the values holding all but a negligible
 * share of its mass (mean +- 12 sd, and 40 beyond), normalised over them: O(sd), not O(k), so an interval
 * with millions of errors costs no more than one with thousands. Past MAX_SUPPORT values (sd above ~4,000:
 * billions of errors in one interval) every `stride`-th value stands for its neighbours, weighted by the
 * normal density, which the binomial is indistinguishable from there.
 */
export function binomialSupport(k: number, p: number): { values: number[]; probabilities: number[] } {
  // Degenerate shares (lopsided traffic, see cusumStep): all the mass on one value.
  if (!(p > 0)) return { values: [0], probabilities: [1] };
  if (!(p < 1)) return { values: [k], probabilities: [1] };
  const mean = k * p;
  const sd = Math.sqrt(k * p * (1 - p));
  const spread = 12 * sd + 40;
  const from = Math.max(0, Math.floor(mean - spread));
  const to = Math.min(k, Math.ceil(mean + spread));
  const values: number[] = [];
  const logs: number[] = [];
  if (to - from + 1 <= MAX_SUPPORT) {
    const logOdds = Math.log(p) - Math.log1p(-p);
    let log = 0;
    for (let e = from; e <= to; e++) {
      values.push(e);
      logs.push(log);
      log += Math.log(k - e) - Math.log(e + 1) + logOdds;
    }
  } else {
    const stride = Math.ceil((to - from + 1) / MAX_SUPPORT);
    for (let e = from; e <= to; e += stride) {
      values.push(e);
      logs.push(-(((e - mean) / sd) ** 2) / 2);
    }
  }
  let max = -Infinity;
  for (const l of logs) if (l > max) max = l;
  const weights = logs.map((l) => Math.exp(l - max));
  const total = weights.reduce((a, b) => a + b, 0);
  return { values, probabilities: weights.map((w) => w / total) };
}

/**
 * Takes one look: moves the statistic and its null distribution by the interval (when it has usable counts;
 * `undefined` for a look without), then sets this look's boundary by the alpha spent so far.
 */
export function updateCusum(
  state: CusumState,
  counts: { ec: number; es: number; nc: number; ns: number } | undefined,
  tolerance: number,
  alpha: number,
  plannedLooks: number,
  design: CusumDesign = CUSUM_DESIGN,
): CusumState {
  let { statistic, nullMass, top } = state;
  const k = counts ? counts.ec + counts.es : 0;
  if (counts && k > 0) {
    const { ec, nc, ns } = counts;
    statistic = Math.min(
      CUSUM_MAX_POINTS - 1,
      Math.max(0, statistic + cusumStep(ec, k, nc, ns, tolerance, design)),
    );
    // The null's steps, grouped: many error counts give the same (capped, rounded) step.
    const support = binomialSupport(k, (tolerance * nc) / (tolerance * nc + ns));
    const byStep = new Map<number, number>();
    support.probabilities.forEach((p, i) => {
      const d = cusumStep(support.values[i]!, k, nc, ns, tolerance, design);
      byStep.set(d, (byStep.get(d) ?? 0) + p);
    });
    // Room for the highest step, so that the top clamps nothing unless the grid is at its most (where the
    // statistic is clamped alike).
    let rise = 0;
    for (const [d, p] of byStep) if (p > 0 && d > rise) rise = d;
    const size = Math.min(CUSUM_MAX_POINTS, Math.max(nullMass.length, top + rise + 1));
    const next = new Float64Array(size);
    let nextTop = 0;
    for (const [d, p] of byStep) {
      if (p === 0) continue;
      for (let x = 0; x <= top; x++) {
        const m = nullMass[x]!;
        if (m === 0) continue;
        const y = Math.min(size - 1, Math.max(0, x + d));
        next[y]! += m * p;
        if (y > nextTop) nextTop = y;
      }
    }
    nullMass = next;
    top = nextTop;
  } else nullMass = Float64Array.from(nullMass);
  const looks = state.looks + 1;
  const budget = alphaSpent(alpha, looks, plannedLooks) - state.spent;
  const floor = Math.round(BOUNDARY_FLOOR / CUSUM_GRID);
  // The lowest boundary whose crossing mass fits the budget; above the null's reach it is the floor.
  let boundary = Math.max(floor, top + 1);
  let tail = 0;
  while (boundary - 1 >= floor && tail + nullMass[boundary - 1]! <= budget) tail += nullMass[--boundary]!;
  nullMass.fill(0, boundary);
  return {
    statistic,
    boundary,
    nullMass,
    top: Math.min(top, boundary - 1),
    spent: state.spent + tail,
    looks,
  };
}

/** True when the look's statistic is at or above its boundary. */
export function cusumRejects(state: CusumState): boolean {
  return state.looks > 0 && state.statistic >= state.boundary;
}
