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
