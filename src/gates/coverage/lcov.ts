// lcov tracefiles (`lcov.info`): per-line DA records and the LF/LH, BRF/BRH, FNF/FNH summaries per file.
// Format: https://github.com/linux-test-project/lcov/blob/master/man/geninfo.1 ("TRACEFILE FORMAT").
import { CoverageReportError } from './types.ts';
import type { CoverageReport } from './types.ts';

export function parseLcov(text: string, file: string): CoverageReport {
  const lineHits = new Map<string, Map<number, number>>();
  const sums = { lines: [0, 0], branches: [0, 0], functions: [0, 0] };
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
      if (!Number.isInteger(number) || number < 1 || !Number.isFinite(count)) {
        throw new CoverageReportError(`${where}: malformed DA record "${line}" in ${currentPath}`);
      }
      current.set(number, (current.get(number) ?? 0) + count);
    } else if (key === 'LF') sums.lines[1]! += count(value, where);
    else if (key === 'LH') sums.lines[0]! += count(value, where);
    else if (key === 'BRF') sums.branches[1]! += count(value, where);
    else if (key === 'BRH') sums.branches[0]! += count(value, where);
    else if (key === 'FNF') sums.functions[1]! += count(value, where);
    else if (key === 'FNH') sums.functions[0]! += count(value, where);
  }
  if (current) {
    throw new CoverageReportError(`${file} ends inside the record of ${currentPath} (no end_of_record): truncated`);
  }
  if (records === 0) throw new CoverageReportError(`${file} has no SF: … end_of_record record: empty or not lcov`);
  const totals = Object.fromEntries(
    Object.entries(sums).map(([metric, [covered, total]]) => [metric, { covered: covered!, total: total! }]),
  );
  return { format: 'lcov', file, totals, lineHits };
}

function count(value: string, where: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0) throw new CoverageReportError(`${where}: "${value}" is not a count`);
  return number;
}
