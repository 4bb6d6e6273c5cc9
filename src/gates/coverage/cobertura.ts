// Cobertura XML (coverage-04.dtd): totals on <coverage>, per-line hits on packages/package/classes/class/lines.
import { parseXmlReport } from '../xml.ts';
import { CoverageReportError } from './types.ts';
import type { CoverageReport } from './types.ts';

const ALWAYS_ARRAYS = new Set(['package', 'class', 'line', 'source']);

export function parseCobertura(text: string, file: string): CoverageReport {
  const doc = parseXmlReport(text, file, ALWAYS_ARRAYS, (message) => new CoverageReportError(message)) as {
    coverage?: CoberturaRoot;
    report?: unknown;
  };
  const root = doc.coverage;
  if (!root || typeof root !== 'object') {
    throw new CoverageReportError(
      `${file} has no <coverage> root element: not a Cobertura report` +
        (doc.report !== undefined ? ` (it is a JaCoCo XML report; ${OTHER_FORMAT_HINT})` : ''),
    );
  }
  // Clover (jest's default "clover" reporter, PHPUnit --coverage-clover) has a <coverage> root too, with
  // <project> in it and none of Cobertura's counts: say so rather than "lines-valid is missing".
  if (root.project !== undefined && root['lines-valid'] === undefined) {
    throw new CoverageReportError(`${file} is a Clover report, not Cobertura (${OTHER_FORMAT_HINT})`);
  }
  // Cobertura 1.9 (and early gcovr) write only line-rate: its lines are counted from the <line> elements
  // below. One count without the other is a report cut short, refused as before.
  const linesWritten = root['lines-valid'] !== undefined || root['lines-covered'] !== undefined;
  const totals: CoverageReport['totals'] = {};
  if (linesWritten) {
    const valid = attrCount(root['lines-valid'], 'lines-valid', file);
    totals.lines = coveredOf(attrCount(root['lines-covered'], 'lines-covered', file), valid, 'lines', file);
  }
  checkRate(root['line-rate'], 'line-rate', file);
  checkRate(root['branch-rate'], 'branch-rate', file);
  if (totals.lines) checkRateAgrees(root['line-rate'], totals.lines, 'line', file);
  if (root['branches-valid'] !== undefined) {
    const branches = coveredOf(
      attrCount(root['branches-covered'], 'branches-covered', file),
      attrCount(root['branches-valid'], 'branches-valid', file),
      'branches',
      file,
    );
    // 0 of 0 branches is either code without branches (branch-rate="1") or branches not measured at all:
    // coverage.py without --branch, and other writers, put branches-valid="0" branch-rate="0". Not measured
    // is not carried, so a branch threshold blocks ("no coverage report carries branches") instead of
    // reading 0 of 0 as 100 %.
    const notMeasured = branches.total === 0 && Number(root['branch-rate'] ?? 0) !== 1;
    if (!notMeasured) totals.branches = branches;
    checkRateAgrees(root['branch-rate'], branches, 'branch', file);
  }
  const lineHits = new Map<string, Map<number, number>>();
  for (const pkg of asArray(root.packages?.package)) {
    for (const cls of asArray(pkg.classes?.class)) {
      if (typeof cls.filename !== 'string') {
        throw new CoverageReportError(`${file}: a <class> without a filename attribute`);
      }
      const hits = lineHits.get(cls.filename) ?? new Map<number, number>();
      lineHits.set(cls.filename, hits);
      for (const line of asArray(cls.lines?.line)) {
        const number = Number(line.number);
        const count = Number(line.hits);
        if (!Number.isSafeInteger(number) || number < 1 || !Number.isFinite(count) || count < 0) {
          throw new CoverageReportError(`${file}: malformed <line> in ${cls.filename}: ${JSON.stringify(line)}`);
        }
        hits.set(number, (hits.get(number) ?? 0) + count);
      }
    }
  }
  if (!linesWritten) {
    let total = 0;
    let covered = 0;
    for (const hits of lineHits.values()) {
      for (const count of hits.values()) {
        total++;
        if (count > 0) covered++;
      }
    }
    // No count and no <line> either: nothing says how much was covered.
    if (total === 0) attrCount(undefined, 'lines-valid', file);
    totals.lines = { covered, total };
  }
  const sources = asArray(root.sources?.source)
    .filter((entry) => typeof entry === 'string' && entry.trim() !== '')
    .map((entry) => String(entry).trim());
  return { format: 'cobertura', file, totals, lineHits, ...(sources.length > 0 ? { baseDirs: sources } : {}) };
}

const OTHER_FORMAT_HINT =
  'have the tool write Cobertura XML (istanbul/jest/c8 reporter "cobertura", PHPUnit --coverage-cobertura, JaCoCo through cover2cover), lcov or istanbul json-summary';

interface CoberturaRoot {
  project?: unknown;
  'line-rate'?: string;
  'branch-rate'?: string;
  'lines-valid'?: string;
  'lines-covered'?: string;
  'branches-valid'?: string;
  'branches-covered'?: string;
  sources?: { source?: unknown[] };
  packages?: {
    package?: Array<{ classes?: { class?: Array<{ filename?: unknown; lines?: { line?: LineAttrs[] } }> } }>;
  };
}
interface LineAttrs {
  number?: string;
  hits?: string;
}

function asArray<T>(value: T[] | T | undefined | ''): T[] {
  if (value === undefined || value === '') return [];
  return Array.isArray(value) ? value : [value];
}

/** A covered count above the valid one reads as more than 100 %: the report contradicts itself. */
function coveredOf(covered: number, total: number, metric: string, file: string) {
  if (covered > total) {
    throw new CoverageReportError(
      `${file}: <coverage ${metric}-covered="${covered}"> is greater than ${metric}-valid="${total}": the report contradicts itself`,
    );
  }
  return { covered, total };
}

/** Rates are fractions from 0 to 1 (cobertura's line-rate="0.8" is 80 %). */
function checkRate(value: string | undefined, name: string, file: string): void {
  if (value === undefined) return;
  const rate = String(value).trim() === '' ? NaN : Number(value);
  if (!Number.isFinite(rate) || rate < 0 || rate > 1) {
    throw new CoverageReportError(`${file}: <coverage ${name}="${value}"> is not a rate from 0 to 1`);
  }
}

/**
 * Rates the writers derive from the same counts (covered / valid, rounded to 2 to 4 decimals: simplecov-cobertura
 * rounds to 2): a rate further than that from its counts is a report that contradicts itself, edited or
 * merged by hand (lines-covered="10" lines-valid="10" line-rate="0.5" passed as 100 %).
 */
function checkRateAgrees(
  value: string | undefined,
  counts: { covered: number; total: number },
  metric: 'line' | 'branch',
  file: string,
): void {
  if (value === undefined || counts.total === 0) return;
  const rate = Number(value);
  const fromCounts = counts.covered / counts.total;
  if (Math.abs(rate - fromCounts) > RATE_TOLERANCE) {
    throw new CoverageReportError(
      `${file}: <coverage ${metric}-rate="${value}"> disagrees with ${COUNTS_OF[metric]}-covered="${counts.covered}" of ${COUNTS_OF[metric]}-valid="${counts.total}" (${fromCounts.toFixed(4)}): the report contradicts itself`,
    );
  }
}
const RATE_TOLERANCE = 0.01;
const COUNTS_OF = { line: 'lines', branch: 'branches' } as const;

function attrCount(value: string | undefined, name: string, file: string): number {
  const number = value === undefined || String(value).trim() === '' ? NaN : Number(value);
  // Past 2^53 a count is rounded: "covered" one above "valid" could compare equal.
  if (value === undefined || !Number.isSafeInteger(number) || number < 0) {
    throw new CoverageReportError(`${file}: <coverage ${name}="…"> is missing or not a count (0 to 2^53)`);
  }
  return number;
}
