// Weighted random choice: the embedded router's whole load-balancing decision, kept pure so its
// distribution can be tested with a seeded random source.

export interface Candidate {
  name: string;
  weight: number;
  enabled: boolean;
}

/** Candidates that may take traffic: enabled, weight > 0, not excluded. */
export function eligible<T extends Candidate>(
  candidates: readonly T[],
  exclude: ReadonlySet<string> = new Set(),
): T[] {
  return candidates.filter((c) => c.enabled && c.weight > 0 && !exclude.has(c.name));
}

/**
 * Picks one candidate with probability weight / total weight, or undefined when none is eligible.
 * `random` returns a number in [0, 1) (Math.random by default).
 */
export function chooseWeighted<T extends Candidate>(
  candidates: readonly T[],
  random: () => number = Math.random,
  exclude: ReadonlySet<string> = new Set(),
): T | undefined {
  const pool = eligible(candidates, exclude);
  const total = pool.reduce((sum, c) => sum + c.weight, 0);
  if (total <= 0) return undefined;
  let point = random() * total;
  for (const c of pool) {
    point -= c.weight;
    if (point < 0) return c;
  }
  return pool[pool.length - 1];
}
