// Seeded random draws for statistical tests and benchmarks: the same numbers on every machine, so an
// assertion on a rate or a benchmark's figures are reproducible.

export type Random = () => number;

/** mulberry32: a small, fast generator of uniform numbers in [0, 1) from a 32-bit seed. */
export function rng(seed: number): Random {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal draw (Box-Muller; takes two uniforms). */
export const normal = (r: Random): number => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());

/**
 * A Poisson draw: Knuth's method for small means, a rounded normal above `normalAbove` (Knuth's loop grows
 * with the mean and underflows past ~700; request counts that large are close enough to normal).
 */
export function poisson(r: Random, mean: number, normalAbove = 50): number {
  if (mean > normalAbove) return Math.max(0, Math.round(mean + Math.sqrt(mean) * normal(r)));
  const limit = Math.exp(-mean);
  let k = 0;
  let p = 1;
  do {
    k++;
    p *= r();
  } while (p > limit);
  return k - 1;
}

/**
 * The seeds a fuzz test runs: its own fixed list, or FUZZ_SEEDS (`1-200`, or `7,9`) when hunting for more
 * failures than the suite's few seeds find. A failure names its seed, so it can be run again alone.
 */
export function fuzzSeeds(fixed: readonly number[]): number[] {
  const written = process.env.FUZZ_SEEDS;
  if (!written) return [...fixed];
  const range = /^(\d+)-(\d+)$/.exec(written);
  if (range)
    return Array.from({ length: Number(range[2]) - Number(range[1]) + 1 }, (_, i) => Number(range[1]) + i);
  return written.split(',').map(Number);
}
