// Benchmark of the rollback judge against two baselines on seeded synthetic canary data.
//   (a) this judge: the seeds preset (thresholds, sustained rules, sequential error and p95 comparisons)
//       plus a sequential comparison of memory against stable;
//   (b) a plain threshold check rolling back after N failed intervals, counted over the window (as Flagger);
//   (c) a fixed-horizon one-sided Mann-Whitney test per metric at the end of the window (as Kayenta's judge).
// Run: node bench/judge.ts [trials]
import { resolveAnalysisConfig } from '../src/analysis/config.ts';
import { createJudgeState, judge } from '../src/analysis/judge.ts';
import type { Sample } from '../src/analysis/types.ts';

const INTERVAL_MS = 30_000;
const WINDOW = 40; // intervals: a 20-minute canary step
const TRIALS = Number(process.argv[2] ?? 300);
const CANARY_REQUESTS = 1000; // per interval (about 33 req/s at a 20 % weight)
const STABLE_REQUESTS = 4000;
const BASE_ERROR = 0.005;
const BASE_P95 = 300;

function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const normal = (r: () => number) => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
function poisson(r: () => number, lambda: number): number {
  if (lambda > 50) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * normal(r)));
  const l = Math.exp(-lambda);
  let k = 0;
  let p = 1;
  do {
    k++;
    p *= r();
  } while (p > l);
  return k - 1;
}

interface Scenario {
  name: string;
  healthy: boolean;
  errorFactor?: number;
  latencyFactor?: number;
  leakPerInterval?: number;
  heavyTails?: boolean;
  gaps?: boolean;
}
const SCENARIOS: Scenario[] = [
  { name: 'healthy A/A', healthy: true },
  { name: 'heavy-tailed noise + outliers', healthy: true, heavyTails: true },
  { name: 'gaps in data (A/A)', healthy: true, gaps: true },
  { name: '2x error rate', healthy: false, errorFactor: 2 },
  { name: '+30 % p95 latency', healthy: false, latencyFactor: 1.3 },
  { name: 'slow memory leak', healthy: false, leakPerInterval: 0.012 },
];

function generate(s: Scenario, seed: number): Sample[] {
  const r = rng(seed);
  const missing = new Set<number>();
  if (s.gaps) {
    for (let i = 0; i < WINDOW; i++) if (r() < 0.2) missing.add(i);
    const start = 5 + Math.floor(r() * 25);
    for (let i = start; i < start + 6; i++) missing.add(i); // a 3-minute outage of the metrics pipeline
  }
  const side = (i: number, canary: boolean) => {
    const requests = canary ? CANARY_REQUESTS : STABLE_REQUESTS;
    let errorRate = BASE_ERROR * (canary ? (s.errorFactor ?? 1) : 1);
    let p95 = BASE_P95 * Math.exp(0.05 * normal(r)) * (canary ? (s.latencyFactor ?? 1) : 1);
    if (s.heavyTails) {
      if (r() < 0.05) p95 *= 1 + 10 * (1 / Math.sqrt(1 - r()) - 1); // Pareto-like outlier
      if (r() < 0.03) errorRate *= 4; // a burst of errors in one interval
    }
    const errors = poisson(r, errorRate * requests);
    const memory = 0.6 + 0.01 * normal(r) + (canary ? (s.leakPerInterval ?? 0) * i : 0);
    return { error_rate: errors / requests, errors, requests, p95, memory: Math.min(1, memory) };
  };
  return Array.from({ length: WINDOW }, (_, i) => {
    const canary = side(i, true);
    const stable = side(i, false);
    if (missing.has(i)) return { at: (i + 1) * INTERVAL_MS, canary: {}, stable: {}, errors: [] };
    return { at: (i + 1) * INTERVAL_MS, canary, stable, errors: [] };
  });
}

const judgeConfig = resolveAnalysisConfig({
  providers: { m: { type: 'command', run: 'unused' } },
  metrics: Object.fromEntries(
    ['error_rate', 'errors', 'requests', 'p95', 'memory'].map((m) => [m, { provider: 'm' }]),
  ),
  checks: [{ name: 'memory vs stable', compare: 'values', metric: 'memory', tolerance: 0.05 }],
});

/** (a) Returns the interval (1-based) at which it rolls back, or null. */
function ourJudge(samples: Sample[]): number | null {
  let state = createJudgeState(judgeConfig, { intervalMs: INTERVAL_MS, startedAt: 0 });
  for (let i = 0; i < samples.length; i++) {
    const r = judge(state, samples[i]!);
    state = r.state;
    if (r.decision.kind === 'rollback') return i + 1;
  }
  return null;
}

/** (b) Flagger-style: each interval, each metric against a fixed threshold; missing values count as failed. */
function thresholdJudge(samples: Sample[], maxFailed = 5): number | null {
  let failed = 0;
  for (let i = 0; i < samples.length; i++) {
    const c = samples[i]!.canary;
    const bad =
      c.error_rate == null ||
      c.p95 == null ||
      c.memory == null ||
      c.error_rate > 0.01 ||
      c.p95 > 2 * BASE_P95 ||
      c.memory > 0.95;
    if (bad) failed++;
    if (failed >= maxFailed) return i + 1;
  }
  return null;
}

/** One-sided Mann-Whitney U (normal approximation with tie correction): p-value for "a tends to exceed b". */
export function mannWhitneyGreater(a: number[], b: number[]): number {
  const all = [...a.map((v) => ({ v, g: 0 })), ...b.map((v) => ({ v, g: 1 }))].sort((x, y) => x.v - y.v);
  const ranks = new Array<number>(all.length);
  let tieTerm = 0;
  for (let i = 0; i < all.length;) {
    let j = i;
    while (j + 1 < all.length && all[j + 1]!.v === all[i]!.v) j++;
    for (let k = i; k <= j; k++) ranks[k] = (i + j) / 2 + 1;
    const t = j - i + 1;
    tieTerm += t ** 3 - t;
    i = j + 1;
  }
  const n1 = a.length;
  const n2 = b.length;
  const r1 = all.reduce((sum, x, k) => sum + (x.g === 0 ? ranks[k]! : 0), 0);
  const u = r1 - (n1 * (n1 + 1)) / 2;
  const n = n1 + n2;
  const sigma = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
  if (sigma === 0) return 1;
  const z = (u - (n1 * n2) / 2 - 0.5) / sigma;
  return 0.5 * erfc(z / Math.SQRT2);
}
function erfc(x: number): number {
  // Numerical Recipes erfc approximation (relative error < 1.2e-7).
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
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
                            t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** (c) Kayenta-style: at the end of the window, per metric, canary vs stable series; alpha 0.01 split over 3. */
function mannWhitneyJudge(samples: Sample[]): number | null {
  for (const metric of ['error_rate', 'p95', 'memory']) {
    const a = samples.map((s) => s.canary[metric]).filter((v): v is number => typeof v === 'number');
    const b = samples.map((s) => s.stable?.[metric]).filter((v): v is number => typeof v === 'number');
    if (a.length >= 3 && b.length >= 3 && mannWhitneyGreater(a, b) < 0.01 / 3) return samples.length;
  }
  return null;
}

interface Stats {
  rate: number;
  median: number | null;
}
function measure(s: Scenario, judgeFn: (x: Sample[]) => number | null): Stats {
  const times: number[] = [];
  for (let t = 0; t < TRIALS; t++) {
    const at = judgeFn(generate(s, 7919 * (t + 1) + s.name.length * 104729));
    if (at !== null) times.push(at);
  }
  times.sort((a, b) => a - b);
  return {
    rate: times.length / TRIALS,
    median: times.length ? times[Math.floor((times.length - 1) / 2)]! : null,
  };
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`.padStart(7);
const med = (x: number | null) => (x === null ? '-' : String(x)).padStart(5);
console.log(
  `rollback judge benchmark: ${TRIALS} seeded trials per scenario, ${WINDOW} intervals of ${INTERVAL_MS / 1000}s`,
);
console.log(
  'healthy scenarios: rate = false rollbacks; degraded: rate = detection, ttd = median intervals to detect\n',
);
console.log(
  `${'scenario'.padEnd(32)} ${'(a) judge'.padStart(14)} ${'(b) threshold'.padStart(16)} ${'(c) Mann-Whitney'.padStart(18)}`,
);
console.log(
  `${''.padEnd(32)} ${'rate   ttd'.padStart(14)} ${'rate   ttd'.padStart(16)} ${'rate   ttd'.padStart(18)}`,
);
const results = SCENARIOS.map((s) => {
  const r = { s, a: measure(s, ourJudge), b: measure(s, thresholdJudge), c: measure(s, mannWhitneyJudge) };
  console.log(
    `${s.name.padEnd(32)} ${pct(r.a.rate)} ${med(r.a.median)}  ${pct(r.b.rate)} ${med(r.b.median)}    ${pct(r.c.rate)} ${med(r.c.median)}`,
  );
  return r;
});

console.log('\ntargets:');
const healthyOk = results.filter((r) => r.s.healthy).every((r) => r.a.rate < 0.01);
console.log(`  false rollbacks < 1 % on every healthy scenario: ${healthyOk ? 'MET' : 'NOT MET'}`);
const twoX = results.find((r) => r.s.name === '2x error rate')!;
console.log(
  `  detection > 95 % on 2x error rate: ${twoX.a.rate > 0.95 ? 'MET' : 'NOT MET'} (${pct(twoX.a.rate).trim()})`,
);
for (const r of results.filter((x) => !x.s.healthy)) {
  const faster = (other: Stats) =>
    r.a.median !== null && (other.median === null || r.a.median < other.median);
  const both = faster(r.b) && faster(r.c);
  console.log(
    `  shorter time to detect than both baselines on "${r.s.name}": ${both ? 'MET' : 'NOT MET'} (${med(r.a.median).trim()} vs ${med(r.b.median).trim()} / ${med(r.c.median).trim()} intervals)`,
  );
}
