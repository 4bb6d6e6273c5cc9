// Coverage read from any supported report, in one shape.

export const COVERAGE_METRICS = ['lines', 'branches', 'functions', 'statements'] as const;
export type CoverageMetric = (typeof COVERAGE_METRICS)[number];

export interface Counts {
  covered: number;
  total: number;
}

export interface CoverageReport {
  format: 'istanbul-summary' | 'lcov' | 'cobertura';
  /** The report file, as configured (for messages). */
  file: string;
  /** Totals the report carries; lcov has no statements, cobertura no functions or statements. */
  totals: Partial<Record<CoverageMetric, Counts>>;
  /**
   * Hit counts per instrumented line, per source path as written in the report (absolute, or relative to
   * one of `baseDirs`). Absent for reports without per-line data (istanbul json-summary).
   */
  lineHits?: Map<string, Map<number, number>>;
  /**
   * Directories relative source paths are resolved against, when the report says (cobertura `<source>`):
   * coverage.py and JaCoCo conversions list one per source root, each file relative to the one holding it.
   * Relative ones are relative to the gate's directory.
   */
  baseDirs?: string[];
}

/** A report that cannot be read as what it claims to be: the gate blocks with this message. */
export class CoverageReportError extends Error {
  override name = 'CoverageReportError';
}

export function percent(counts: Counts): number {
  // Nothing to cover counts as fully covered, as istanbul and lcov tools report it.
  return counts.total === 0 ? 100 : (counts.covered / counts.total) * 100;
}

/**
 * Whether `counts` reach `minimum` percent, inclusive. covered / total * 100 is a binary fraction that can land
 * just under the exact value (29 / 100 * 100 is 28.999999999999996), which blocked 29 of 100 lines against a
 * threshold of 29: compared at 12 significant digits, far finer than any real count tells apart.
 */
export function meetsMinimum(counts: Counts, minimum: number): boolean {
  return Number(percent(counts).toPrecision(12)) >= minimum;
}

/** Whether `counts` are strictly above `minimum` percent, compared as meetsMinimum does. */
export function exceedsMinimum(counts: Counts, minimum: number): boolean {
  return Number(percent(counts).toPrecision(12)) > minimum;
}

/**
 * A percentage above `minimum`, as a pass under "above" shows it: one decimal, or as many more as it takes to
 * show a number above it (80.04 % passing "> 80%" rounded to one decimal read "80.0%", as 80.0 % that blocks).
 */
export function shownAbove(value: number, minimum: number): string {
  for (let digits = 1; digits <= 8; digits++) {
    const shown = value.toFixed(digits);
    if (Number(shown) > minimum) return shown;
  }
  return String(value);
}

/**
 * A percentage that misses `minimum`, as a refusal shows it: one decimal, or as many more as it takes to show
 * a number below the threshold (79.96 % of 80 % rounded to one decimal read "80.0% < 80%").
 */
export function shownBelow(value: number, minimum: number): string {
  for (let digits = 1; digits <= 8; digits++) {
    const shown = value.toFixed(digits);
    if (Number(shown) < minimum) return shown;
  }
  return String(value);
}
