// Changed files a coverage report leaves out. A source file no test loaded is missing from a report made
// without "all files" (jest without collectCoverageFrom, c8/nyc without --all, coverage.py without
// source=): its changed lines were never run, and not counting them passed a change made only of new,
// untested files. A file that is no code the report measures (docs, configuration, tests) is left out.
// Pure: paths and text in, decisions out.

import { isTypeScript, typeOnlyLines } from './type-only.ts';

/** Test files and folders: coverage tools leave them out by default, they are no code under test. */
const TEST_FILE =
  /(?:^|[._-])(?:test|tests|spec|specs)\.[^./]+$|^test_[^/]*\.py$|^conftest\.py$|(?:Test|Tests|IT|Spec)\.(?:java|kt|scala|groovy|cs)$/;
const TEST_FOLDER = /^(?:__tests__|__mocks__|__fixtures__|test|tests|spec|specs|e2e|fixtures|testdata)$/;

/** `a/b/c.d.ts` → `.ts`; declarations (`.d.ts`, `.d.mts`, `.d.cts`) hold no executable line: none. */
export function sourceExtension(path: string): string | undefined {
  const name = path.slice(path.lastIndexOf('/') + 1);
  if (/\.d\.[cm]?ts$/i.test(name)) return undefined;
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot).toLowerCase() : undefined;
}

/**
 * What the reports measure, to tell a missing source file from a file that is no code: the extensions of
 * the files they list, and the repository's top-level folders that hold one. `reported`: the reports'
 * paths as read (repository-relative, or absolute from another checkout, matched by suffix as the hits
 * are); `candidates`: the top-level folders of the changed files, looked for in absolute paths.
 */
export interface Measured {
  extensions: Set<string>;
  folders: Set<string>;
  /** Whether a file at the repository's root is reported. */
  root: boolean;
}

export function measuredByReports(reported: Iterable<string>, candidates: Iterable<string>): Measured {
  const measured: Measured = { extensions: new Set(), folders: new Set(), root: false };
  const wanted = [...new Set(candidates)];
  for (const raw of reported) {
    const path = raw.replace(/\\/g, '/');
    const extension = sourceExtension(path);
    if (extension) measured.extensions.add(extension);
    if (/^(?:\/|[A-Za-z]:\/)/.test(path)) {
      for (const folder of wanted) if (path.includes(`/${folder}/`)) measured.folders.add(folder);
    } else {
      const slash = path.indexOf('/');
      if (slash === -1) measured.root = true;
      else measured.folders.add(path.slice(0, slash));
    }
  }
  return measured;
}

/**
 * Whether a changed file missing from every report is code they should measure: a file of an extension
 * they list, under a top-level folder they cover (or at the root, when they cover a file there), and not
 * a test file or in a test folder.
 */
export function isUnreportedSource(path: string, measured: Measured): boolean {
  const extension = sourceExtension(path);
  if (!extension || !measured.extensions.has(extension)) return false;
  const parts = path.split('/');
  const name = parts[parts.length - 1]!;
  if (TEST_FILE.test(name) || parts.slice(0, -1).some((part) => TEST_FOLDER.test(part))) return false;
  return parts.length === 1 ? measured.root : measured.folders.has(parts[0]!);
}

/**
 * The lines of `lines` that hold code: not blank, not only a comment (`//`, `#`, `--`, a `/* … *\/` line
 * or a ` * ` line of one). What a coverage tool would count of them is unknown (it never read the file):
 * this is the nearest count of lines that can run.
 */
export function codeLines(text: string, lines: readonly number[]): number[] {
  const all = text.split('\n');
  return lines.filter((line) => {
    const content = (all[line - 1] ?? '').trim();
    return content !== '' && !/^(?:\/\/|#|--|\/\*|\*|\*\/)/.test(content);
  });
}

/**
 * The lines of `lines` a coverage tool would count as statements had it read the file: code lines
 * (codeLines), without those of a TypeScript file that only declare types (erased by the compiler: a file
 * made only of them has no statement, so no report lists it).
 */
export function runnableLines(path: string, text: string, lines: readonly number[]): number[] {
  const code = codeLines(text, lines);
  if (code.length === 0 || !isTypeScript(path)) return code;
  const types = typeOnlyLines(text);
  return code.filter((line) => !types.has(line));
}
