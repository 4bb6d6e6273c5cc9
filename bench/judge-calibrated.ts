// Experiment behind docs/analysis.md "an exactly calibrated CUSUM" (measured, not built): the error test
// alone, as a CUSUM of the capped conditional-binomial log likelihood ratio at one ratio, with a boundary
// computed exactly under the conditional-binomial null by dynamic programming over a grid, against the bench's
// error and healthy scenarios (bench/judge.ts, same seeds). Every window is run to 30 intervals.
//
// Run: node bench/judge-calibrated.ts [--trials 500] [--alpha 0.006] [--cap 1.84] [--ratio 2.5]
//                                     [--contamination 0] [--burst-ratio 15]
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
  },
});
const TRIALS = Number(options.trials);
const ALPHA = Number(options.alpha);
const CAP = Number(options.cap);
const RATIO = Number(options.ratio);
const EPS = Number(options.contamination);
const BURST_RATIO = Number(options['burst-ratio']);
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

/** Look (1-based) at which the calibrated CUSUM rolls back, or null. */
function firstRejection(trial: ReturnType<typeof generate>): number | null {
  let nullMass = new Float64Array(POINTS);
  nullMass[0] = 1;
  let spent = 0;
  let statistic = 0;
  for (let look = 1; look <= LOOKS; look++) {
    const interval = trial.intervals[look - 1]!;
    const nc = interval.canary.requests;
    const ns = interval.stable.requests;
    if (!interval.missing && nc > 0 && ns > 0) {
      const k = interval.canary.errors + interval.stable.errors;
      statistic = Math.min(POINTS - 1, Math.max(0, statistic + step(interval.canary.errors, k, nc, ns)));
      if (k > 0) {
        const pmf = binomialPmf(k, nc / (nc + ns));
        const next = new Float64Array(POINTS);
        pmf.forEach((p, ec) => {
          if (p < 1e-15) return;
          const d = step(ec, k, nc, ns);
          for (let x = 0; x < POINTS; x++)
            if (nullMass[x]) next[Math.min(POINTS - 1, Math.max(0, x + d))]! += nullMass[x]! * p;
        });
        nullMass = next;
      }
    }
    // The lowest boundary (at least 2 nats) whose crossing probability keeps the total at alpha * look/30.
    const budget = (ALPHA * look) / LOOKS - spent;
    const floor = Math.round(2 / GRID);
    let boundary = POINTS;
    let tail = 0;
    for (let x = POINTS - 1; x >= floor && tail + nullMass[x]! <= budget + 1e-15; x--) {
      tail += nullMass[x]!;
      boundary = x;
    }
    nullMass.fill(0, boundary);
    spent += tail;
    if (statistic >= boundary) return look;
  }
  return null;
}

console.log(
  `calibrated CUSUM, error test alone: alpha ${ALPHA}, ratio ${RATIO}, cap ${CAP}, contamination ${EPS}` +
    (EPS > 0 ? ` (burst model ${BURST_RATIO}x)` : '') +
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
