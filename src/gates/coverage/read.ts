// Reads one coverage report from disk, choosing the parser by file name, and maps its source paths to
// repository-relative ones so they can be matched with the changed files.
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, posix, resolve, sep } from 'node:path';
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
 * on a POSIX runner: a drive's or a UNC share's path cannot be inside the repository here, so it is kept
 * whole and the suffix match finds the changed file in it.
 */
export function lineHitsByRepoPath(
  report: CoverageReport,
  cwd: string,
  roots: readonly string[] = [cwd],
): Map<string, Map<number, number>> {
  const result = new Map<string, Map<number, number>>();
  const windows = writtenOnWindows(report);
  const windowsBases = new Set<string>();
  const bases = (report.baseDirs ?? [relativeBase(report, cwd)]).map((base) => {
    const path = hostPath(base);
    if (!isWindowsAbsolute(path, base, windows)) return resolve(cwd, path);
    windowsBases.add(path);
    return path;
  });
  for (const [written, hits] of report.lineHits ?? []) {
    const path = hostPath(written);
    let key: string;
    if (isWindowsAbsolute(path, written, windows)) key = path;
    else {
      // A relative path is relative to the source root that holds it: the first where the file is, else
      // the first (a report made in another checkout: matched by suffix below). With one candidate (one
      // root, or an absolute path) there is nothing to choose: the disk is not asked. A POSIX path is
      // normalized: `//home/runner/…` (POSIX allows the leading `//`) is `/home/runner/…`.
      const candidates = isAbsolute(path)
        ? [{ path: resolve(path), onWindows: false }]
        : bases.map((base) =>
            windowsBases.has(base)
              ? { path: posix.join(base, path), onWindows: true }
              : { path: resolve(base, path), onWindows: false },
          );
      const chosen =
        (candidates.length > 1 ? candidates.find((candidate) => existsSync(candidate.path)) : undefined) ??
        candidates[0]!;
      key = chosen.onWindows
        ? chosen.path
        : (relativeToRoots(chosen.path, roots) ?? chosen.path.split(sep).join('/'));
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

/** How many of a report's relative paths are looked for on disk to tell which directory they start from. */
const BASE_PROBES = 50;

/**
 * The directory a report's relative paths start from, when it does not say (lcov, a Cobertura report without
 * `<source>`): the gate's, unless none of them is there and they are under a directory between the report and
 * the gate's. A tool writes them relative to where it ran: jest's rootDir, a package of a monorepo, whose
 * report (packages/api/coverage/lcov.info, `SF:src/a.ts`) is read from the root; resolved against the root,
 * no changed file was in it and the change passed with none of its lines checked.
 */
function relativeBase(report: CoverageReport, cwd: string): string {
  const relative = [...(report.lineHits?.keys() ?? [])]
    .map(hostPath)
    .filter((path) => !isAbsolute(path) && !/^[A-Za-z]:\//.test(path))
    .slice(0, BASE_PROBES);
  const found = (base: string) => relative.some((path) => existsSync(resolve(base, path)));
  if (relative.length === 0 || found(cwd)) return cwd;
  // The report's directory, then each above it, short of the gate's.
  for (let dir = dirname(resolve(cwd, report.file)); relativeToRoots(dir, [cwd]) !== undefined; dir = dirname(dir))
    if (found(dir)) return dir;
  return cwd;
}

/**
 * A report's path with this host's separators: on POSIX a backslash is a Windows tool's separator (no
 * coverage tool writes one in a file name). On Windows the path functions read both already.
 */
function hostPath(path: string): string {
  return sep === '/' ? path.replace(/\\/g, '/') : path;
}

/**
 * `C:/…` (after hostPath) on a POSIX host, or `//server/share/…` when it is a Windows UNC path: a Windows
 * path, never inside this checkout. A leading `//` is also a POSIX absolute path (lcov
 * `SF://home/runner/…`): it is UNC only when written with backslashes (`\\\\server\\share`) or when the
 * report's other paths show it was written on Windows (`windows`).
 */
function isWindowsAbsolute(path: string, written: string, windows: boolean): boolean {
  if (sep !== '/') return false;
  if (/^[A-Za-z]:\//.test(path)) return true;
  return path.startsWith('//') && (written.startsWith('\\\\') || windows);
}

/** A report whose paths show Windows: a drive letter or a backslash in any source path or source root. */
function writtenOnWindows(report: CoverageReport): boolean {
  const written = [...(report.baseDirs ?? []), ...(report.lineHits?.keys() ?? [])];
  return written.some((path) => path.includes('\\') || /^[A-Za-z]:[\\/]/.test(path));
}

/**
 * The hits of a changed file (`path` repository-relative, as the keys inside the repository are): its own
 * key, else a path outside the repository (a report made in another checkout, or on Windows) ending in
 * "/<path>", else, for a gate in a directory of the repository, one ending in "/<gatePath>" (the path as the
 * diff gives it, relative to the gate's directory): a report made where the package alone was the checkout
 * (tests in a container with it mounted at /app: `/app/src/a.ts`), not one whose paths hold the gate's
 * directory (made in a checkout of the repository). A key inside the repository is another
 * file: `src/index.ts` ending in "/index.ts" read the root's untested index.ts as covered by src's tests. Of
 * several such paths the shortest is the file: in one checkout `<root>/index.ts` is the root's,
 * `<root>/src/index.ts` a deeper one's (two made the root's "not in the report", its lines uncounted). Paths
 * that are not all under the shortest one's directory (two packages' src/a.ts, or two checkouts) cannot be
 * told apart: none.
 */
export function findLineHits(
  byPath: Map<string, Map<number, number>>,
  path: string,
  gatePath: string = path,
): Map<number, number> | undefined {
  const exact = byPath.get(path);
  if (exact) return exact;
  const found = outsideEndingIn(byPath, path);
  if (found || gatePath === path) return found;
  // Only a report made where the package was the checkout: one whose paths hold the gate's directory came
  // from a checkout of the repository, where the package's index.ts not listed is not its src/index.ts.
  const gateDirectory = `/${path.slice(0, path.length - gatePath.length)}`;
  const ofRepository = [...byPath.keys()].some(
    (key) => isOutsideRepository(key) && key.includes(gateDirectory),
  );
  return ofRepository ? undefined : outsideEndingIn(byPath, gatePath);
}

/** The one key outside the repository that is `path` of another checkout (findLineHits). */
function outsideEndingIn(
  byPath: Map<string, Map<number, number>>,
  path: string,
): Map<number, number> | undefined {
  const suffix = `/${path}`;
  const candidates = [...byPath.keys()]
    .filter((key) => isOutsideRepository(key) && key.endsWith(suffix))
    .sort((a, b) => a.length - b.length);
  const [shortest, ...deeper] = candidates;
  if (shortest === undefined) return undefined;
  // The others must be under the shortest one's checkout: /ci/packages/api/src/a.ts and
  // /ci/packages/b/src/a.ts are two packages' files, neither of them the root's src/a.ts.
  const root = shortest.slice(0, shortest.length - path.length);
  return deeper.every((key) => key.startsWith(root)) ? byPath.get(shortest) : undefined;
}

/** A key lineHitsByRepoPath left absolute (POSIX, a drive, a UNC share): not inside the repository. */
function isOutsideRepository(key: string): boolean {
  return key.startsWith('/') || /^[A-Za-z]:\//.test(key);
}
