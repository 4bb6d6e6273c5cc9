// Cobertura XML (coverage-04.dtd): totals on <coverage>, per-line hits on packages/package/classes/class/lines.
import { parseXmlReport } from '../xml.ts';
import { CoverageReportError } from './types.ts';
import type { CoverageReport } from './types.ts';

const ALWAYS_ARRAYS = new Set(['package', 'class', 'line', 'source']);

export function parseCobertura(text: string, file: string): CoverageReport {
  const doc = parseXmlReport(text, file, ALWAYS_ARRAYS, (message) => new CoverageReportError(message)) as {
    coverage?: CoberturaRoot;
  };
  const root = doc.coverage;
  if (!root || typeof root !== 'object') {
    throw new CoverageReportError(`${file} has no <coverage> root element: not a Cobertura report`);
  }
  const linesValid = attrCount(root['lines-valid'], 'lines-valid', file);
  const linesCovered = attrCount(root['lines-covered'], 'lines-covered', file);
  const totals: CoverageReport['totals'] = { lines: { covered: linesCovered, total: linesValid } };
  if (root['branches-valid'] !== undefined) {
    totals.branches = {
      covered: attrCount(root['branches-covered'], 'branches-covered', file),
      total: attrCount(root['branches-valid'], 'branches-valid', file),
    };
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
        if (!Number.isInteger(number) || number < 1 || !Number.isFinite(count)) {
          throw new CoverageReportError(`${file}: malformed <line> in ${cls.filename}: ${JSON.stringify(line)}`);
        }
        hits.set(number, (hits.get(number) ?? 0) + count);
      }
    }
  }
  const source = asArray(root.sources?.source).find((entry) => typeof entry === 'string' && entry.trim() !== '');
  return { format: 'cobertura', file, totals, lineHits, ...(source ? { baseDir: String(source).trim() } : {}) };
}

interface CoberturaRoot {
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

function attrCount(value: string | undefined, name: string, file: string): number {
  const number = Number(value);
  if (value === undefined || !Number.isInteger(number) || number < 0) {
    throw new CoverageReportError(`${file}: <coverage ${name}="…"> is missing or not a count`);
  }
  return number;
}
