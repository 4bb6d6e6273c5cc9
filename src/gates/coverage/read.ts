// Reads one coverage report from disk, choosing the parser by file name, and maps its source paths to
// repository-relative ones so they can be matched with the changed files.
import { existsSync } from 'node:fs';
import { isAbsolute, posix, resolve, sep } from 'node:path';
import { readReportFile } from '../report-file.ts';
import { relativeToRoots } from '../repo-path.ts';
import { Turns } from '../turns.ts';
import { readXmlReport } from '../xml-thread.ts';
import { readIstanbulSummary } from './istanbul-summary.ts';
import { parseLcov } from './lcov.ts';
import { CoverageReportError } from './types.ts';
import type { CoverageReport } from './types.ts';

export type CoverageFormat = CoverageReport['format'];

export function formatFromName(file: string): CoverageFormat | undefined {
  const lower = file.toLowerCase();
  if (lower.endsWith('.json')) return 'istanbul-summary';
  if (lower.endsWith('.info') || lower.endsWith('.lcov')) return 'lcov';
  if (lower.endsWith('.xml')) return 'cobertura';
  return undefined;
}

/** The format a report's first characters show: XML, JSON, or lcov's first record. */
function formatFromContent(text: string): CoverageFormat | undefined {
  const start = text.trimStart();
  if (start.startsWith('<')) return 'cobertura';
  if (start.startsWith('{')) return 'istanbul-summary';
  if (/^(?:TN|SF):/.test(start)) return 'lcov';
  return undefined;
}

/**
 * `file` is relative to `cwd`; it must be inside `roots` (the repository: readReportFile). Throws
 * CoverageReportError naming the file on any problem; once `signal` aborts, its reason (a big Cobertura
 * report is parsed in a worker thread that the abort ends: xml-thread.ts).
 */
export async function readCoverageReport(
  cwd: string,
  file: string,
  roots: readonly string[] = [cwd],
  signal?: AbortSignal,
): Promise<CoverageReport> {
  const read = await readReportFile(cwd, file, roots, 'coverage report');
  if (!read.ok) throw new CoverageReportError(read.message);
  const text = read.text;
  // A name that does not tell (Bazel's _coverage_report.dat is lcov): what the file starts with does.
  const format = formatFromName(file) ?? formatFromContent(text);
  if (!format) {
    throw new CoverageReportError(
      `${file}: cannot tell the coverage format from the name or the content (use .json for istanbul json-summary, .info for lcov, .xml for cobertura)` +
        (/^mode: (?:set|count|atomic)\s/.test(text)
          ? '; it is a Go cover profile: convert it, e.g. with gocover-cobertura'
          : ''),
    );
  }
  if (format === 'istanbul-summary') {
    return readIstanbulSummary(text, file, new Turns(signal ?? new AbortController().signal));
  }
  if (format === 'lcov') return parseLcov(text, file);
  return readXmlReport('cobertura', text, file, signal);
}

/**
 * Per-line hits keyed by repository-relative path (forward slashes): relative to the first of `roots` (the
 * runner's workspace, then the gate's directory) that contains it. Paths outside them keep their absolute
 * form, so a suffix match can still find them (reports made in another checkout dir). Paths a Windows tool
 * wrote (`src\app.js`, `C:\work\app\src\app.js`, a `<source>` on a drive) are read with forward slashes
 * on a POSIX runner: a drive's path cannot be inside the repository here, so it is kept whole and the
 * suffix match finds the changed file in it.
 */
export function lineHitsByRepoPath(
  report: CoverageReport,
  cwd: string,
  roots: readonly string[] = [cwd],
): Map<string, Map<number, number>> {
  const result = new Map<string, Map<number, number>>();
  const bases = (report.baseDirs ?? [cwd]).map((base) => {
    const path = hostPath(base);
    return isWindowsAbsolute(path) ? path : resolve(cwd, path);
  });
  for (const [written, hits] of report.lineHits ?? []) {
    const path = hostPath(written);
    let key: string;
    if (isWindowsAbsolute(path)) key = path;
    else {
      // A relative path is relative to the source root that holds it: the first where the file is, else
      // the first (a report made in another checkout: matched by suffix below). With one candidate (one
      // root, or an absolute path) there is nothing to choose: the disk is not asked.
      const candidates = isAbsolute(path)
        ? [path]
        : bases.map((base) => (isWindowsAbsolute(base) ? posix.join(base, path) : resolve(base, path)));
      const absolute =
        (candidates.length > 1 ? candidates.find((candidate) => existsSync(candidate)) : undefined) ??
        candidates[0]!;
      key = isWindowsAbsolute(absolute)
        ? absolute
        : (relativeToRoots(absolute, roots) ?? absolute.split(sep).join('/'));
    }
    // `src\a.js` and `src/a.js` (two tools, or two runs merged) are one file: their hits add up (in a new
    // map: the report's own are left as read).
    const known = result.get(key);
    if (!known) result.set(key, hits);
    else {
      const merged = new Map(known);
      for (const [line, count] of hits) merged.set(line, (merged.get(line) ?? 0) + count);
      result.set(key, merged);
    }
  }
  return result;
}

/**
 * A report's path with this host's separators: on POSIX a backslash is a Windows tool's separator (no
 * coverage tool writes one in a file name). On Windows the path functions read both already.
 */
function hostPath(path: string): string {
  return sep === '/' ? path.replace(/\\/g, '/') : path;
}

/** `C:/…` or `//server/share/…` (after hostPath) on a POSIX host: a Windows path, never inside this checkout. */
function isWindowsAbsolute(path: string): boolean {
  return sep === '/' && (/^[A-Za-z]:\//.test(path) || path.startsWith('//'));
}

/** The hits of a changed file: exact path first, else the one report path ending in "/<path>". */
export function findLineHits(
  byPath: Map<string, Map<number, number>>,
  path: string,
): Map<number, number> | undefined {
  const exact = byPath.get(path);
  if (exact) return exact;
  const suffix = `/${path}`;
  const candidates = [...byPath.keys()].filter((key) => key.endsWith(suffix));
  return candidates.length === 1 ? byPath.get(candidates[0]!) : undefined;
}
