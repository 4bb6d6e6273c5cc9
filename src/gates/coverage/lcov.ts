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
  // Each file's records, with what each added to the totals: a file in several records (tracefiles of two
  // test runs concatenated) is counted once, its lines, branches and functions merged (below).
  const byPath = new Map<string, RecordDetail[]>();
  let detail = newDetail(0, '');
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
      detail = newDetail(index + 1, currentPath);
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
        detail.added.lines = [recordLines[0]!, recordLines[1]!];
      }
      for (const [hit, found] of PAIRS) {
        if (!record[hit] && !record[found]) continue;
        detail.added[SUMMARY[found][0]] = [record[hit]?.value ?? 0, record[found]?.value ?? 0];
      }
      detail.lines = recordHits.size;
      // `./src/a.js`, `src\a.js` and `src/a.js` (two tools' tracefiles) are one file.
      const key = currentPath.replace(/\\/g, '/').replace(/^(?:\.\/)+/, '');
      const seen = byPath.get(key);
      if (seen) seen.push(detail);
      else byPath.set(key, [detail]);
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
    } else if (key === 'BRDA') {
      // BRDA:<line>,[<exception>]<block>,<branch>,<taken>: "-" when the block never ran (none taken).
      const comma = value.lastIndexOf(',');
      const taken = value.slice(comma + 1).trim();
      const count = taken === '-' ? 0 : taken === '' ? NaN : Number(taken);
      if (comma < 0 || !Number.isFinite(count) || count < 0) {
        throw new CoverageReportError(`${where}: malformed BRDA record "${line.slice(0, 80)}" in ${currentPath}`);
      }
      const branch = value.slice(0, comma);
      detail.branches.set(branch, (detail.branches.get(branch) ?? 0) + count);
    } else if (key === 'FN' || key === 'FNDA' || key === 'FNA') {
      // FN:<line>[,<end line>],<name>; FNDA:<hits>,<name>; lcov 2.2's FNA:<index>,<hits>,<name>.
      const fields = /^(\d+),(?:(\d+),)?(.*)$/.exec(value);
      const name = key === 'FNDA' ? value.slice(value.indexOf(',') + 1) : fields?.[3];
      const hits = key === 'FNDA' ? fields?.[1] : key === 'FNA' ? fields?.[2] : '0';
      if (!fields || name === undefined || hits === undefined) {
        throw new CoverageReportError(`${where}: malformed ${key} record "${line.slice(0, 80)}" in ${currentPath}`);
      }
      detail.functions.set(name, (detail.functions.get(name) ?? 0) + Number(hits));
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
  for (const [path, details] of byPath) {
    if (details.length <= 1) continue;
    const spellings = new Set(details.map((detail) => detail.path));
    const lines =
      spellings.size === 1
        ? lineHits.get(details[0]!.path)!
        : mergeCounts([...spellings].map((spelling) => lineHits.get(spelling)!));
    mergeRecords(sums, path, details, lines, file);
  }
  const totals = Object.fromEntries(
    Object.entries(sums)
      .filter(([metric]) => counted.has(metric as keyof typeof sums))
      .map(([metric, [covered, total]]) => [metric, { covered: covered!, total: total! }]),
  );
  return { format: 'lcov', file, totals, lineHits };
}

type Metric = 'lines' | 'branches' | 'functions';

/** One record of a file: where it starts, what it added to the totals, and its branches and functions. */
interface RecordDetail {
  line: number;
  /** The file as this record's SF: writes it. */
  path: string;
  added: Partial<Record<Metric, [number, number]>>;
  /** Its DA lines (the file's, merged over its records, are lineHits'). */
  lines: number;
  /** BRDA's taken counts by everything before them (line, block, branch). */
  branches: Map<string, number>;
  /** FN, FNDA and FNA hits by function name. */
  functions: Map<string, number>;
}

function newDetail(line: number, path: string): RecordDetail {
  return { line, path, added: {}, lines: 0, branches: new Map(), functions: new Map() };
}

/**
 * A file in several records is one file, as lcov itself reads it (genhtml, lcov -a): its DA lines, BRDA
 * branches and functions merged, each covered when any record covers it. Added record by record, a file run
 * by two test jobs counted its lines twice: 10 of 10 lines in each beside another file's 0 of 10 read as
 * 20 of 30 (67 %) where it is 10 of 20. A record that counts a metric (LF, BRF, FNF above 0) without the
 * lines that name what it counts cannot be merged with another, and is refused.
 */
function mergeRecords(
  sums: Record<Metric, number[]>,
  path: string,
  details: RecordDetail[],
  lines: Map<number, number>,
  file: string,
): void {
  const named: Record<Metric, (detail: RecordDetail) => number> = {
    lines: (detail) => detail.lines,
    branches: (detail) => detail.branches.size,
    functions: (detail) => detail.functions.size,
  };
  const records = { lines: 'DA', branches: 'BRDA', functions: 'FN or FNDA' } as const;
  for (const metric of ['lines', 'branches', 'functions'] as const) {
    const counting = details.filter((detail) => detail.added[metric] !== undefined);
    if (counting.length === 0) continue;
    for (const detail of counting) {
      const [covered, total] = detail.added[metric]!;
      sums[metric][0]! -= covered;
      sums[metric][1]! -= total;
      if (total > 0 && named[metric](detail) === 0) {
        throw new CoverageReportError(
          `${file}:${detail.line}: ${path} is in ${details.length} records, and this one counts its ${metric} without ${records[metric]} lines to merge them by: the records cannot be added up (it would count the file's ${metric} twice)`,
        );
      }
    }
    const merged = metric === 'lines' ? lines : mergeCounts(counting.map((detail) => detail[metric]));
    let covered = 0;
    for (const hits of merged.values()) if (hits > 0) covered++;
    sums[metric][0]! += covered;
    sums[metric][1]! += merged.size;
  }
}

function mergeCounts<K>(maps: Array<Map<K, number>>): Map<K, number> {
  const merged = new Map<K, number>();
  for (const map of maps) for (const [key, hits] of map) merged.set(key, (merged.get(key) ?? 0) + hits);
  return merged;
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
