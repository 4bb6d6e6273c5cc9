// istanbul `coverage-summary.json` (the json-summary reporter of nyc, c8, jest, vitest).
import { parseJsonSteps } from '../json-steps.ts';
import { runAtOnce } from '../turns.ts';
import type { Turns } from '../turns.ts';
import { CoverageReportError } from './types.ts';
import type { CoverageMetric, CoverageReport, Counts } from './types.ts';
import { jsonSyntaxProblem } from '../json-error.ts';

export function parseIstanbulSummary(text: string, file: string): CoverageReport {
  return runAtOnce(istanbulSummarySteps(text, file));
}

/**
 * parseIstanbulSummary, its JSON parsed in steps (json-steps.ts): a monorepo's summary lists every file and
 * runs to megabytes. Throws the signal's reason once cancelled.
 */
export function readIstanbulSummary(text: string, file: string, turns: Turns): Promise<CoverageReport> {
  return turns.run(istanbulSummarySteps(text, file));
}

function* istanbulSummarySteps(text: string, file: string): Generator<void, CoverageReport> {
  let data: unknown;
  try {
    data = yield* parseJsonSteps(text);
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    throw new CoverageReportError(
      `${file} is not valid JSON (${jsonSyntaxProblem(error, text)}): not a json-summary report, or cut short`,
    );
  }
  const total = (data as { total?: unknown } | null)?.total;
  if (!total || typeof total !== 'object') {
    throw new CoverageReportError(
      `${file} has no "total" object: not an istanbul json-summary report${otherJson(data)}`,
    );
  }
  const totals: Partial<Record<CoverageMetric, Counts>> = {};
  for (const metric of ['lines', 'branches', 'functions', 'statements'] as const) {
    const entry = (total as Record<string, unknown>)[metric];
    if (entry === undefined) continue;
    const { covered, total: count } = (entry ?? {}) as { covered?: unknown; total?: unknown };
    if (!isCount(covered) || !isCount(count) || covered > count) {
      throw new CoverageReportError(
        `${file}: total.${metric} needs "covered" ≤ "total", both whole numbers from 0 to 2^53 (got ${JSON.stringify(entry)?.slice(0, 120)})`,
      );
    }
    totals[metric] = { covered, total: count };
  }
  if (Object.keys(totals).length === 0) {
    throw new CoverageReportError(`${file}: "total" has none of lines, branches, functions, statements`);
  }
  yield* checkFileSums(data as Record<string, unknown>, totals, file);
  return { format: 'istanbul-summary', file, totals };
}

/**
 * istanbul writes "total" as the sum of the files' entries beside it (istanbul-lib-report's summary tree):
 * a total that is not their sum is a report edited or cut short (a total of 100 of 100 lines beside files
 * that cover none of theirs passed). A summary without file entries is left as it is. One step per file.
 */
function* checkFileSums(
  data: Record<string, unknown>,
  totals: Partial<Record<CoverageMetric, Counts>>,
  file: string,
): Generator<void, void> {
  const sums: Partial<Record<CoverageMetric, Counts>> = {};
  let files = 0;
  for (const [path, entry] of Object.entries(data)) {
    if (path === 'total') continue;
    yield;
    files++;
    for (const metric of Object.keys(totals) as CoverageMetric[]) {
      const counts = (entry as Record<string, unknown> | null)?.[metric] as
        | { covered?: unknown; total?: unknown }
        | undefined;
      if (!counts || !isCount(counts.covered) || !isCount(counts.total) || counts.covered > counts.total) {
        throw new CoverageReportError(
          `${file}: ${JSON.stringify(path.slice(0, 200))}.${metric} needs "covered" ≤ "total", both whole numbers from 0 to 2^53 (got ${JSON.stringify(counts)?.slice(0, 120)})`,
        );
      }
      const sum = (sums[metric] ??= { covered: 0, total: 0 });
      sum.covered += counts.covered;
      sum.total += counts.total;
    }
  }
  if (files === 0) return;
  for (const [metric, total] of Object.entries(totals) as Array<[CoverageMetric, Counts]>) {
    const sum = sums[metric]!;
    if (sum.covered !== total.covered || sum.total !== total.total) {
      throw new CoverageReportError(
        `${file}: total.${metric} is ${total.covered} of ${total.total} but its ${files} file entries add up to ${sum.covered} of ${sum.total}: the report contradicts itself`,
      );
    }
  }
}

/** Past 2^53 a count is rounded: "covered" one above "total" could compare equal. */
function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** What a JSON coverage report that is not json-summary is, when it is one users often point at. */
function otherJson(data: unknown): string {
  if (!data || typeof data !== 'object' || Array.isArray(data)) return '';
  const record = data as Record<string, unknown>;
  const totals = record.totals as Record<string, unknown> | undefined;
  if (totals && typeof totals === 'object' && 'num_statements' in totals) {
    return ' (it is coverage.py\'s JSON report: write Cobertura with "coverage xml" or lcov with "coverage lcov")';
  }
  const first = Object.values(record)[0] as Record<string, unknown> | undefined;
  if (first && typeof first === 'object' && 'statementMap' in first) {
    return ' (it is istanbul\'s "json" report, coverage-final.json: add the "json-summary" reporter and read coverage-summary.json)';
  }
  return '';
}
