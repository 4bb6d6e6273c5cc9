// How many intervals an analysis window has, and what an undecided window does by default: import-free, so the
// config check (config/warnings.ts) counts a window as the analysis does without loading the analysis when
// the CLI starts (test/unit/build/start-graph.test.ts).

/** The defaults of `extend_undecided` and `on_undecided` (analysis/config.ts ANALYSIS_DEFAULTS uses them). */
export const UNDECIDED_DEFAULTS = { extendUndecided: 0.5, onUndecided: 'decide' } as const;

/** Intervals in a window, and how many its one extension adds when it ends undecided. */
export function windowIntervals(
  config: { extendUndecided: number },
  windowMs: number,
  intervalMs: number,
): { base: number; extension: number } {
  const base = Math.max(1, Math.ceil(windowMs / intervalMs));
  return { base, extension: Math.ceil(base * config.extendUndecided) };
}
