// Order statistics for the metrics: nearest-rank, as the HTTP prober's percentiles (a value that happened,
// never an average of two). Pure.

/** Nearest-rank percentile of unsorted values; null for none. */
export function percentile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1]!;
}

export const median = (values: readonly number[]): number | null => percentile(values, 0.5);
