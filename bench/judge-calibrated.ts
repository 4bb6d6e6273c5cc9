// Experiment behind docs/analysis.md "an exactly calibrated CUSUM" (measured, not built): the error test
// alone, as a CUSUM of the capped conditional-binomial log likelihood ratio at one ratio, with a boundary
// computed exactly under the conditional-binomial null by dynamic programming over a grid, against the bench's
// error and healthy scenarios (bench/judge.ts, same seeds). Every window is run to 30 intervals.
//
// Run: node bench/judge-calibrated.ts [--trials 500] [--alpha 0.006] [--cap 1.84] [--ratio 2.5]
//                                     [--contamination 0] [--burst-ratio 15] [--confirm 1]
import { parseArgs } from 'node:util';
import { SCENARIOS, generate } from './judge.ts';

const { values: options } = parseArgs({
  options: {
    trials: { type: 'string', default: '500' },
    alpha: { type: 'string', default: '0.006' },
    cap: { type: 'string', default: '1.84' },
    ratio: { type: 'string', default: '2.5' },
    contamination: { type: 'string', default: '0' },
    'burst-ratio': { type: 'string', default: '15' },
    confirm: { type: 'string', default: '1' },
  },
});
const TRIALS = Number(options.trials);
const ALPHA = Number(options.alpha);
const CAP = Number(options.cap);
const RATIO = Number(options.ratio);
const EPS = Number(options.contamination);
const BURST_RATIO = Number(options['burst-ratio']);
/** Looks in a row at or above the boundary before a rollback (1: the CUSUM as built). */
const CONFIRM = Number(options.confirm);
if (!Number.isInteger(CONFIRM) || CONFIRM < 1) throw new Error('--confirm must be a whole number >= 1');
for (const [name, value] of Object.entries({ TRIALS, ALPHA, CAP, RATIO, EPS, BURST_RATIO }))
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name.toLowerCase()} must be a number >= 0`);

const LOOKS = 30; // a 20-interval window and its extension
const GRID = 0.01; // the statistic's steps are rounded to this, so the DP below is exact for it
const POINTS = 1500; // statistic values 0 .. 15 (beyond any boundary; the mass above one is removed)
const HEALTHY_AND_ERRORS = SCENARIOS.flatMap((s, i) =>
  s.healthy ? (s.name.includes('gaps') ? [] : [i]) : s.errorFactor === 3 ? [i] : [],
);

function logBinomial(ec: number, k: number, p: number): number {
  let l = 0;
  for (let i = 1; i <= k; i++) l += Math.log(i);
  for (let i = 1; i <= ec; i++) l -= Math.log(i);
  for (let i = 1; i <= k - ec; i++) l -= Math.log(i);
  return l + ec * Math.log(p) + (k - ec) * Math.log(1 - p);
}

function binomialPmf(k: number, p: number): number[] {
  const out = [(1 - p) ** k];
  for (let e = 0; e < k; e++) out.push((((out[e]! * (k - e)) / (e + 1)) * p) / (1 - p));
  return out;
}

/** One interval's step, in grid units: the capped log likelihood ratio of ratio RATIO against 1. */
function step(ec: number, k: number, nc: number, ns: number): number {
  const share = (r: number) => (r * nc) / (r * nc + ns);
  const p0 = share(1);
  const p1 = share(RATIO);
  let llr = ec * Math.log(p1 / p0) + (k - ec) * Math.log((1 - p1) / (1 - p0));
  if (EPS > 0) {
    // Numerator and denominator both mixed with a burst model, so a count far above the alternative (a
    // burst) moves the statistic less than a moderate one.
    const lq = logBinomial(ec, k, share(BURST_RATIO));
    const mix = (l: number) => Math.log((1 - EPS) * Math.exp(l - lq) + EPS);
    llr = mix(logBinomial(ec, k, p1)) - mix(logBinomial(ec, k, p0));
  }
  return Math.round(Math.min(CAP, llr) / GRID);
}

/** Look (1-based) at which the calibrated CUSUM rolls back (CONFIRM looks in a row above), or null. */
function firstRejection(trial: ReturnType<typeof generate>): number | null {
  // mass[j][x]: null paths with statistic x that have been at or above the boundary for the last j looks.
  let mass: Float64Array[] = Array.from({ length: CONFIRM }, () => new Float64Array(POINTS));
  mass[0]![0] = 1;
  let spent = 0;
  let statistic = 0;
  let run = 0;
  for (let look = 1; look <= LOOKS; look++) {
    const interval = trial.intervals[look - 1]!;
    const nc = interval.canary.requests;
    const ns = interval.stable.requests;
    if (!interval.missing && nc > 0 && ns > 0) {
      const k = interval.canary.errors + interval.stable.errors;
      statistic = Math.min(POINTS - 1, Math.max(0, statistic + step(interval.canary.errors, k, nc, ns)));
      if (k > 0) {
        const pmf = binomialPmf(k, nc / (nc + ns));
        mass = mass.map((m) => {
          const next = new Float64Array(POINTS);
          pmf.forEach((p, ec) => {
            if (p < 1e-15) return;
            const d = step(ec, k, nc, ns);
            for (let x = 0; x < POINTS; x++)
              if (m[x]) next[Math.min(POINTS - 1, Math.max(0, x + d))]! += m[x]! * p;
          });
          return next;
        });
      }
    }
    const budget = (ALPHA * look) / LOOKS - spent;
    const floor = Math.round(2 / GRID);
    // Rejected: paths above the boundary now that were above for the last CONFIRM-1 looks.
    const last = mass[CONFIRM - 1]!;
    let boundary = POINTS;
    let tail = 0;
    for (let x = POINTS - 1; x >= floor && tail + last[x]! <= budget + 1e-15; x--) {
      tail += last[x]!;
      boundary = x;
    }
    spent += tail;
    const next: Float64Array[] = Array.from({ length: CONFIRM }, () => new Float64Array(POINTS));
    for (let j = 0; j < CONFIRM; j++)
      for (let x = 0; x < POINTS; x++) {
        const m = mass[j]![x]!;
        if (!m) continue;
        if (x < boundary) next[0]![x]! += m;
        else if (j + 1 < CONFIRM) next[j + 1]![x]! += m;
      }
    mass = next;
    run = statistic >= boundary ? run + 1 : 0;
    if (run >= CONFIRM) return look;
  }
  return null;
}

console.log(
  `calibrated CUSUM, error test alone: alpha ${ALPHA}, ratio ${RATIO}, cap ${CAP}, contamination ${EPS}` +
    (EPS > 0 ? ` (burst model ${BURST_RATIO}x)` : '') +
    (CONFIRM > 1 ? `, ${CONFIRM} looks in a row above the boundary` : '') +
    `, ${TRIALS} trials, seed set 0`,
);
for (const index of HEALTHY_AND_ERRORS) {
  const scenario = SCENARIOS[index]!;
  let hits = 0;
  for (let n = 0; n < TRIALS; n++) {
    const trial = generate(scenario, 1_000_003 * (index + 1) + 7919 * n);
    const at = firstRejection(trial);
    if (scenario.healthy ? at !== null : at !== null && at > trial.onset && at - trial.onset <= 15) hits++;
  }
  const label = scenario.healthy ? 'false rollbacks' : 'detected within 15 min';
  console.log(`${scenario.name.padEnd(42)} ${label.padEnd(24)} ${((100 * hits) / TRIALS).toFixed(1)} %`);
}
