// lcov tracefiles (`lcov.info`): per-line DA records and the LF/LH, BRF/BRH, FNF/FNH summaries per file.
// Format: https://github.com/linux-test-project/lcov/blob/master/man/geninfo.1 ("TRACEFILE FORMAT").
import { CoverageReportError } from './types.ts';
import type { CoverageReport } from './types.ts';

export function parseLcov(text: string, file: string): CoverageReport {
  const lineHits = new Map<string, Map<number, number>>();
  const sums = { lines: [0, 0], branches: [0, 0], functions: [0, 0] };
  // A metric no record counts (lcov without --rc branch_coverage=1 writes no BRF/BRH) is not carried: as
  // 0 of 0 it would read as 100 % and pass any threshold on it.
  const counted = new Set<keyof typeof sums>();
  // A record with DA lines but no LF/LH (some converters write none) counts its lines from the DA lines.
  let recordLines = [0, 0];
  // The record's own DA lines (unique), hit or not: what its LF / LH summarise.
  const recordHits = new Map<number, number>();
  // The summary records of the current file: a "hit" count above its "found" count is a report that
  // contradicts itself (it would read as more than 100 % coverage).
  let record: Partial<Record<SummaryKey, { value: number; line: number }>> = {};
  let current: Map<number, number> | undefined;
  let currentPath = '';
  let records = 0;
  const lines = text.split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!.trim();
    if (line === '' || line.startsWith('TN:')) continue;
    const where = `${file}:${index + 1}`;
    if (line.startsWith('SF:')) {
      if (current) throw new CoverageReportError(`${where}: "SF:" before the previous file's end_of_record`);
      currentPath = line.slice(3);
      current = lineHits.get(currentPath) ?? new Map();
      lineHits.set(currentPath, current);
      continue;
    }
    if (line === 'end_of_record') {
      if (!current) throw new CoverageReportError(`${where}: end_of_record without SF:`);
      checkSummary(record, file, currentPath);
      checkLineSummary(record, recordHits, file, currentPath);
      if (!record.LF && !record.LH && recordLines[1]! > 0) {
        sums.lines[0]! += recordLines[0]!;
        sums.lines[1]! += recordLines[1]!;
        counted.add('lines');
      }
      record = {};
      recordLines = [0, 0];
      recordHits.clear();
      current = undefined;
      records++;
      continue;
    }
    if (!current) throw new CoverageReportError(`${where}: "${line.slice(0, 40)}" outside an SF: … end_of_record block`);
    const colon = line.indexOf(':');
    const key = line.slice(0, colon);
    const value = line.slice(colon + 1);
    if (key === 'DA') {
      const [lineNo, hits] = value.split(',');
      const number = Number(lineNo);
      const count = Number(hits);
      if (!Number.isSafeInteger(number) || number < 1 || !Number.isFinite(count) || count < 0) {
        throw new CoverageReportError(`${where}: malformed DA record "${line.slice(0, 80)}" in ${currentPath}`);
      }
      current.set(number, (current.get(number) ?? 0) + count);
      recordHits.set(number, (recordHits.get(number) ?? 0) + count);
      recordLines[1]!++;
      if (count > 0) recordLines[0]!++;
    } else if (isSummaryKey(key)) {
      const amount = count(value, where, key);
      record[key] = { value: amount, line: index + 1 };
      const [metric, slot] = SUMMARY[key];
      sums[metric][slot]! += amount;
      counted.add(metric);
      if (!Number.isSafeInteger(sums[metric][slot])) {
        throw new CoverageReportError(`${where}: the ${key} records add up past 2^53: not a real count`);
      }
    }
  }
  if (current) {
    throw new CoverageReportError(`${file} ends inside the record of ${currentPath} (no end_of_record): truncated`);
  }
  if (records === 0) throw new CoverageReportError(`${file} has no SF: … end_of_record record: empty or not lcov`);
  const totals = Object.fromEntries(
    Object.entries(sums)
      .filter(([metric]) => counted.has(metric as keyof typeof sums))
      .map(([metric, [covered, total]]) => [metric, { covered: covered!, total: total! }]),
  );
  return { format: 'lcov', file, totals, lineHits };
}

/** Summary records: which total they add to, and whether they count what was hit (0) or found (1). */
const SUMMARY = {
  LH: ['lines', 0],
  LF: ['lines', 1],
  BRH: ['branches', 0],
  BRF: ['branches', 1],
  FNH: ['functions', 0],
  FNF: ['functions', 1],
} as const;
type SummaryKey = keyof typeof SUMMARY;
const PAIRS = [
  ['LH', 'LF'],
  ['BRH', 'BRF'],
  ['FNH', 'FNF'],
] as const;

function isSummaryKey(key: string): key is SummaryKey {
  return Object.hasOwn(SUMMARY, key);
}

function count(value: string, where: string, key: string): number {
  const number = value.trim() === '' ? NaN : Number(value);
  // Past 2^53 a count is rounded: "covered" one above "found" could compare equal.
  if (!Number.isSafeInteger(number) || number < 0) {
    throw new CoverageReportError(
      `${where}: ${key} "${value.slice(0, 40)}" is not a count (a whole number from 0 to 2^53)`,
    );
  }
  return number;
}

/**
 * LF counts the record's DA lines and LH those hit (geninfo writes them so): an LH above the DA lines hit, or an
 * LF below the DA lines listed, says more of the file is covered than its lines show (a record of two DA lines
 * hit 0 times, with LF:2 LH:2, read as 100 %). A record without DA lines has nothing to check them against.
 */
function checkLineSummary(
  record: Partial<Record<SummaryKey, { value: number; line: number }>>,
  hits: Map<number, number>,
  file: string,
  path: string,
): void {
  if (hits.size === 0) return;
  let hit = 0;
  for (const count of hits.values()) if (count > 0) hit++;
  if (record.LH && record.LH.value > hit) {
    throw new CoverageReportError(
      `${file}:${record.LH.line}: LH ${record.LH.value} but ${hit} of the record's ${hits.size} DA lines of ${path} were hit: the report contradicts itself`,
    );
  }
  if (record.LF && record.LF.value < hits.size) {
    throw new CoverageReportError(
      `${file}:${record.LF.line}: LF ${record.LF.value} but the record of ${path} lists ${hits.size} DA lines: the report contradicts itself`,
    );
  }
}

function checkSummary(
  record: Partial<Record<SummaryKey, { value: number; line: number }>>,
  file: string,
  path: string,
): void {
  for (const [hit, found] of PAIRS) {
    const covered = record[hit];
    const total = record[found];
    // A hit count with no found count adds covered items to the totals and nothing to cover: records with
    // LH and no LF read as more than 100 %, and beside a record of 0 of 10 lines, as 10 of 10.
    if (covered && !total && covered.value > 0) {
      throw new CoverageReportError(
        `${file}:${covered.line}: ${hit} ${covered.value} without ${found} in the record of ${path}: the report counts covered items it does not count as found (cut short or edited)`,
      );
    }
    if (covered && total && covered.value > total.value) {
      throw new CoverageReportError(
        `${file}:${covered.line}: ${hit} ${covered.value} is greater than ${found} ${total.value} in the record of ${path}: the report contradicts itself`,
      );
    }
  }
}
