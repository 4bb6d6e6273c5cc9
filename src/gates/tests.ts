// The tests gate (seed phase 1, "Test Coverage Validation"): the test command passes, coverage meets the
// thresholds (overall and on the changed lines), and no JUnit report lists a failing test.
import { lstat, readFile, stat } from 'node:fs/promises';
import { isAbsolute, posix, resolve } from 'node:path';
import { testsConfigSchema } from './schema/tests.ts';
import type { TestsConfig } from './schema/tests.ts';
import { readCoverageReport, lineHitsByRepoPath, findLineHits } from './coverage/read.ts';
import {
  COVERAGE_METRICS,
  CoverageReportError,
  exceedsMinimum,
  meetsMinimum,
  percent,
  shownAbove,
  shownBelow,
} from './coverage/types.ts';
import { isUnreportedSource, measuredByReports, runnableLines } from './coverage/unreported.ts';
import type { CoverageMetric, CoverageReport, Counts } from './coverage/types.ts';
import { commandDisplay, outputTail, runGateCommand } from './gate-command.ts';
import { JUnitReportError } from './junit.ts';
import { matchFiles, toList } from './match-files.ts';
import { readReportFile } from './report-file.ts';
import { relativeToRoots, repositoryRoots } from './repo-path.ts';
import { redactSecrets } from './secret-rules.ts';
import { readXmlReport } from './xml-thread.ts';
import type { ChangedFile, Finding, Gate, GateContext, GateVerdict } from './types.ts';

export const DEFAULT_COVERAGE_FILES = [
  'coverage/coverage-summary.json',
  'coverage/lcov.info',
  'coverage/cobertura-coverage.xml',
];
/**
 * Why a report can leave out what failed: jest-junit writes nothing for a test file that failed to run (no
 * test case, no error count) unless reportTestSuiteErrors is "true" (jest-junit's README).
 */
const SUITE_ERRORS_HINT =
  'a test file that failed to run (a syntax error, an import that throws) leaves no test case in the report of ' +
  'some reporters; with jest-junit, set its reportTestSuiteErrors option to "true" (JEST_JUNIT_REPORT_TEST_SUITE_ERRORS=true) so such a file is reported as an error';
type Thresholds = NonNullable<TestsConfig['thresholds']>;
/**
 * Without `thresholds`, seed 01's "Coverage > 80%": lines strictly above 80 %, so 80.0 % itself blocks. A
 * written threshold is a minimum, met at its value: `lines: 80` is how a team accepts exactly 80 %.
 */
const SEED_THRESHOLDS: Thresholds = { lines: 80 };
/** Filesystem timestamps are coarse: a report written this long before the command started is still fresh. */
const STALE_SLACK_MS = 2000;

export const testsGate: Gate<TestsConfig> = {
  name: 'tests',
  schema: testsConfigSchema,
  run: runTestsGate,
};

interface Problem {
  summary: string;
  findings: Finding[];
}

async function runTestsGate(config: TestsConfig, ctx: GateContext): Promise<GateVerdict> {
  const problems: Problem[] = [];
  const notes: string[] = [];
  const findings: Finding[] = [];
  /** Tests that failed and passed on a rerun (seed 01: "No flaky tests"): the gate warns, or blocks. */
  const flaky: Finding[] = [];
  let ranAt: number | undefined;

  if (config.command) {
    ranAt = Date.now();
    ctx.log(`tests: running ${commandDisplay(config.command)}`);
    const result = await runGateCommand(config.command, ctx);
    if (!result.ok) return block(result.reason);
    if (result.exitCode !== 0) {
      const tail = outputTail(result.output);
      problems.push({
        summary: `"${result.display}" exited with code ${result.exitCode}`,
        findings: [{ rule: 'tests.command', severity: 'error', message: `last output lines:\n${tail}` }],
      });
    } else notes.push('tests passed');
  }

  if (config.junit) {
    const failed = problems.find((problem) => problem.findings[0]?.rule === 'tests.command');
    const junit = await checkJUnit(toList(config.junit), ctx, notes, flaky, ranAt);
    problems.push(...junit);
    // The command failed, yet the reports list every test as passed: what failed is not in them. A test
    // file that did not load (a syntax error, an import that throws) has no test case to fail.
    if (failed && junit.length === 0) {
      // Not only a file that did not load: a coverage threshold or a failing global setup/teardown fails the
      // command with every test passed, so the hint is one possible cause, beside the command's own output.
      const why = `the JUnit reports list no failing test, so what failed is in the command's output (last lines above), not in them: for example a coverage threshold, a global setup or teardown that failed, or ${SUITE_ERRORS_HINT}`;
      failed.summary += `, yet ${why}`;
      failed.findings.push({ rule: 'tests.junit-incomplete', severity: 'error', message: why });
    }
  }

  const thresholds: Thresholds = config.thresholds ?? SEED_THRESHOLDS;
  if (Object.values(thresholds).some((value) => value !== undefined)) {
    const loaded = await loadReports(config, ctx, ranAt);
    // The failures found so far lead: a test command that failed usually wrote no coverage report, and
    // "no coverage report found" alone sent the reader after the wrong cause.
    if ('error' in loaded)
      return block([...problems.map((p) => p.summary), loaded.error].join('; '), findingsOf(problems));
    problems.push(
      ...checkTotals(loaded.reports, thresholds, notes, config.thresholds ? 'at-least' : 'above'),
    );
    if (thresholds.changed_lines !== undefined) {
      const changed = await checkChangedLines(
        loaded.reports,
        await ctx.changedFiles(),
        thresholds.changed_lines,
        ctx,
        notes,
      );
      problems.push(...changed.problems);
      findings.push(...changed.notices);
    }
  }

  if (problems.length > 0) {
    return {
      status: 'block',
      summary: problems.map((p) => p.summary).join('; '),
      findings: [...findingsOf(problems), ...flaky, ...findings],
    };
  }
  if (flaky.length > 0) {
    const blocks = config.flaky === 'block';
    return {
      status: blocks ? 'block' : 'warn',
      summary: [
        `${flaky.length} flaky test${flaky.length === 1 ? '' : 's'}: failed, then passed on a rerun`,
        ...notes,
      ].join('; '),
      findings: [...(blocks ? flaky.map((f) => ({ ...f, severity: 'error' as const })) : flaky), ...findings],
    };
  }
  return { status: 'pass', summary: notes.join('; ') || 'nothing to check', findings };
}

async function loadReports(
  config: TestsConfig,
  ctx: GateContext,
  ranAt: number | undefined,
): Promise<{ reports: CoverageReport[] } | { error: string }> {
  const cwd = ctx.cwd;
  let files: string[];
  if (config.coverage) files = toList(config.coverage);
  else {
    files = [];
    for (const file of DEFAULT_COVERAGE_FILES) if (await exists(resolve(cwd, file))) files.push(file);
    if (files.length === 0) {
      return { error: `no coverage report found: looked for ${DEFAULT_COVERAGE_FILES.join(', ')} in ${cwd}` };
    }
  }
  const reports: CoverageReport[] = [];
  for (const file of files) {
    try {
      reports.push(await readCoverageReport(cwd, file, repositoryRoots(ctx), ctx.signal));
    } catch (error) {
      if (error instanceof CoverageReportError) return { error: error.message };
      throw error;
    }
    if (ranAt !== undefined) {
      const { mtimeMs } = await stat(resolve(cwd, file));
      if (mtimeMs < ranAt - STALE_SLACK_MS) {
        return {
          error: `coverage report ${file} is older than this test run: the test command did not write it`,
        };
      }
    }
  }
  return { reports };
}

function checkTotals(
  reports: CoverageReport[],
  thresholds: Partial<Record<CoverageMetric | 'changed_lines', number>>,
  notes: string[],
  /** `above`: the seed's own "> 80%" (no `thresholds` written); `at-least`: a written minimum. */
  comparison: 'above' | 'at-least',
): Problem[] {
  const problems: Problem[] = [];
  const achieved: string[] = [];
  for (const metric of COVERAGE_METRICS) {
    const minimum = thresholds[metric];
    if (minimum === undefined) continue;
    // Every report that carries the metric is held to it: several formats of one run agree, and several
    // packages' reports (a monorepo) are each judged: the worst decides, and names itself.
    const carrying = reports.filter((report) => report.totals[metric]);
    const empty = carrying.find((report) => (report.totals[metric] as Counts).total === 0);
    const source =
      (metric === 'lines' || metric === 'statements' ? empty : undefined) ??
      carrying.reduce<CoverageReport | undefined>(
        (worst, report) =>
          worst && percent(worst.totals[metric] as Counts) <= percent(report.totals[metric] as Counts)
            ? worst
            : report,
        undefined,
      );
    if (!source) {
      problems.push(
        blockProblem(
          `no coverage report carries ${metric} (read ${reports.map((r) => r.file).join(', ')}); ` +
            `${metric} needs ${metric === 'statements' ? 'istanbul json-summary' : 'json-summary or lcov'}`,
          `coverage.${metric}`,
        ),
      );
      continue;
    }
    const counts = source.totals[metric] as Counts;
    // No line at all is a run that instrumented nothing (a wrong include, tests that loaded no code), not
    // a fully covered one. Zero branches or functions is real code without any.
    if (counts.total === 0 && (metric === 'lines' || metric === 'statements')) {
      problems.push(
        blockProblem(
          `${source.file} counts no ${metric} at all (0/0): the test run instrumented no code, so coverage cannot be judged`,
          `coverage.${metric}`,
        ),
      );
      continue;
    }
    const value = percent(counts);
    achieved.push(
      `${metric} ${comparison === 'above' && exceedsMinimum(counts, minimum) ? shownAbove(value, minimum) : value.toFixed(1)}%`,
    );
    if (comparison === 'above' && !exceedsMinimum(counts, minimum)) {
      const shown = meetsMinimum(counts, minimum) ? value.toFixed(1) : shownBelow(value, minimum);
      problems.push(
        blockProblem(
          `${metric} coverage ${shown}% is not above ${minimum}% (${counts.covered}/${counts.total}, ${source.file}): ` +
            `the default is seed 01's "Coverage > ${minimum}%"; thresholds.${metric}: ${minimum} accepts ${minimum}% itself`,
          `coverage.${metric}`,
        ),
      );
    } else if (comparison === 'at-least' && !meetsMinimum(counts, minimum)) {
      problems.push(
        blockProblem(
          `${metric} coverage ${shownBelow(value, minimum)}% < ${minimum}% (${counts.covered}/${counts.total}, ${source.file})`,
          `coverage.${metric}`,
        ),
      );
    }
  }
  if (achieved.length > 0) notes.push(achieved.join(', '));
  return problems;
}

async function checkChangedLines(
  reports: CoverageReport[],
  changed: ChangedFile[],
  minimum: number,
  ctx: GateContext,
  notes: string[],
): Promise<{ problems: Problem[]; notices: Finding[] }> {
  const withLines = changed.filter((file) => file.status !== 'deleted' && file.addedLines.length > 0);
  if (withLines.length === 0) {
    notes.push(ctx.baseRef ? 'no changed lines' : 'no base commit: changed-line coverage not checked');
    return { problems: [], notices: [] };
  }
  const perLine = reports.filter((report) => report.lineHits);
  if (perLine.length === 0) {
    return {
      problems: [
        blockProblem(
          `changed-line coverage needs per-line data (lcov or cobertura); read only ${reports.map((r) => r.file).join(', ')}`,
          'coverage.changed-lines',
        ),
      ],
      notices: [],
    };
  }
  const roots = repositoryRoots(ctx);
  const byPath = perLine.map((report) => lineHitsByRepoPath(report, ctx.cwd, roots));
  // The diff's paths are relative to the gate's directory, the reports' to the repository (the runner's
  // workspace): a gate in packages/api has changed `src/a.ts` where its report has `packages/api/src/a.ts`.
  const inRepository = (file: ChangedFile) =>
    relativeToRoots(resolve(ctx.cwd, file.path), roots) ?? file.path;
  // Which folders the reports measure is judged below the gate's directory, as the diff's paths are: in
  // packages/api every repository path's first folder is "packages", and a changed scripts/seed.ts there read
  // as code the reports should have listed where the same layout at the root did not.
  const gateDirectory = relativeToRoots(ctx.cwd, roots);
  const underGate = (key: string) =>
    gateDirectory === undefined || /^(?:\/|[A-Za-z]:\/)/.test(key) ? key : posix.relative(gateDirectory, key);
  const measured = measuredByReports(
    byPath.flatMap((map) => [...map.keys()].map(underGate)),
    withLines.map((file) => file.path.split('/')[0]!),
  );
  let covered = 0;
  let total = 0;
  let notInReport = 0;
  let unreported = 0;
  const uncovered: Finding[] = [];
  for (const file of withLines) {
    const repoPath = inRepository(file);
    const hits = unionOfHits(byPath.map((map) => findLineHits(map, repoPath, file.path)));
    let missed: number[] = [];
    if (hits) {
      for (const line of file.addedLines) {
        const count = hits.get(line);
        if (count === undefined) continue; // not executable (blank, comment, type-only)
        total++;
        if (count > 0) covered++;
        else missed.push(line);
      }
    } else if (isUnreportedSource(file.path, measured)) {
      // Code the reports measure, yet in none of them: no test loaded it, so none of its lines ran.
      const text = await changedText(ctx.cwd, file.path);
      missed = text === undefined ? [...file.addedLines] : runnableLines(file.path, text, file.addedLines);
      // No line a coverage tool would count (comments, types only): why no report lists it.
      if (missed.length === 0) {
        notInReport++;
        continue;
      }
      unreported++;
      total += missed.length;
    } else {
      notInReport++;
      continue;
    }
    const absent = hits ? '' : ' (the file is in no coverage report: no test loaded it)';
    for (const [start, end] of ranges(missed)) {
      uncovered.push({
        path: file.path,
        line: start,
        ...(end > start ? { endLine: end } : {}),
        rule: 'coverage.changed-line',
        message:
          (end > start
            ? `changed lines ${start}-${end} are not covered by tests`
            : `changed line ${start} is not covered by tests`) + absent,
        severity: 'warning',
      });
    }
  }
  const value = percent({ covered, total });
  const outside =
    (unreported > 0
      ? `; ${unreported} changed source file(s) in no coverage report, their lines counted as not covered ` +
        '(if one has no code to run, have the coverage tool report every source file: jest ' +
        'collectCoverageFrom, c8 or nyc --all, coverage.py [run] source)'
      : '') + (notInReport > 0 ? `; ${notInReport} changed file(s) not in the coverage report` : '');
  if (total > 0 && !meetsMinimum({ covered, total }, minimum)) {
    return {
      problems: [
        {
          summary: `changed-line coverage ${shownBelow(value, minimum)}% < ${minimum}% (${covered}/${total} lines)${outside}`,
          findings: uncovered.map((finding) => ({ ...finding, severity: 'error' as const })),
        },
      ],
      notices: [],
    };
  }
  notes.push(
    total > 0
      ? `changed lines ${covered}/${total} covered${outside}`
      : `no executable changed lines${outside}`,
  );
  return { problems: [], notices: uncovered };
}

/**
 * A file's hits over every report that lists it: a line is code when one report counts it, covered when one
 * ran it. Reports of two test jobs (unit, integration) each cover part of a file; the first report that
 * listed the file decided alone, and a line only the second job ran read as not covered.
 */
function unionOfHits(perReport: Array<Map<number, number> | undefined>): Map<number, number> | undefined {
  const found = perReport.filter((hits) => hits !== undefined);
  if (found.length <= 1) return found[0];
  const union = new Map<number, number>();
  for (const hits of found) for (const [line, count] of hits) union.set(line, (union.get(line) ?? 0) + count);
  return union;
}

/**
 * A changed file's text, to tell its code lines from blank and comment lines; undefined when it is not a
 * regular file of at most 16 MB (then every added line counts).
 */
async function changedText(cwd: string, path: string): Promise<string | undefined> {
  try {
    const full = resolve(cwd, path);
    const info = await lstat(full);
    if (!info.isFile() || info.size > 16 * 1024 * 1024) return undefined;
    return await readFile(full, 'utf8');
  } catch {
    return undefined;
  }
}

async function checkJUnit(
  patterns: string[],
  ctx: GateContext,
  notes: string[],
  flaky: Finding[],
  ranAt: number | undefined,
): Promise<Problem[]> {
  const files = await matchFiles(patterns, ctx.cwd);
  if (files.length === 0) {
    return [blockProblem(`no JUnit report matched ${patterns.join(', ')} in ${ctx.cwd}`, 'tests.junit')];
  }
  let tests = 0;
  let skipped = 0;
  const failed: Finding[] = [];
  for (const file of files) {
    const read = await readReportFile(ctx.cwd, file, repositoryRoots(ctx), 'JUnit report');
    if (!read.ok) return [blockProblem(read.message, 'tests.junit')];
    // As for coverage: a report an earlier run left (a reused workspace, a committed file) lists tests this
    // run's command never ran, and its passes stood for a command that wrote no report, or ran no test.
    if (ranAt !== undefined && (await stat(resolve(ctx.cwd, file))).mtimeMs < ranAt - STALE_SLACK_MS)
      return [
        blockProblem(
          `JUnit report ${file} is older than this test run: the test command did not write it`,
          'tests.junit',
        ),
      ];
    let summary;
    try {
      summary = await readXmlReport('junit', read.text, file, ctx.signal);
    } catch (error) {
      if (error instanceof JUnitReportError) return [blockProblem(error.message, 'tests.junit')];
      throw error;
    }
    tests += summary.tests;
    skipped += summary.skipped;
    for (const test of summary.flaky) {
      const name = test.classname ? `${test.classname} › ${test.name}` : test.name;
      flaky.push({
        ...(test.file ? { path: reportPath(test.file, ctx) } : {}),
        rule: 'tests.flaky',
        severity: 'warning',
        message: `${name} is flaky: it failed ${test.reruns === 1 ? 'once' : `${test.reruns} times`}, then passed on a rerun${test.message ? `: ${redactSecrets(test.message)}` : ''} (${file})`,
      });
    }
    for (const failure of summary.failures) {
      const name = failure.classname ? `${failure.classname} › ${failure.name}` : failure.name;
      failed.push({
        ...(failure.file ? { path: reportPath(failure.file, ctx) } : {}),
        ...(failure.line ? { line: failure.line } : {}),
        ...(failure.line && failure.column ? { column: failure.column } : {}),
        rule: 'tests.failed',
        severity: 'error',
        message: `${name} ${failure.kind === 'error' ? 'errored' : 'failed'}${rerunText(failure.reruns)}${failure.message ? `: ${redactSecrets(failure.message)}` : ''} (${file}${failure.listedAsPassed ? LISTED_AS_PASSED : ''})`,
      });
    }
  }
  if (failed.length > 0) return [{ summary: `${failed.length} of ${tests} tests failed`, findings: failed }];
  // A run that reported no test at all proves nothing: the runner crashed early or wrote the wrong file.
  if (tests === 0) {
    return [
      blockProblem(
        `the JUnit reports ${files.join(', ')} list no test case: ${SUITE_ERRORS_HINT}`,
        'tests.junit',
      ),
    ];
  }
  // Every test skipped is no test run: a describe.skip left in, or a runner that skipped all for want of
  // a service. It proves as little as a report listing none.
  if (skipped >= tests) {
    return [
      blockProblem(
        `every one of the ${tests} test case(s) in ${files.join(', ')} was skipped: no test ran`,
        'tests.junit',
      ),
    ];
  }
  notes.push(
    `${tests} tests${skipped ? ` (${skipped} skipped)` : ''} in ${files.length} JUnit report(s), none failed`,
  );
  return [];
}

/**
 * After a failure its suite also lists as passed: most likely a retry written as a test case of its own. Read
 * so, two tests of one name (one failed) would pass; Gradle can write the retry as Surefire does, read as flaky.
 */
const LISTED_AS_PASSED =
  '; the suite lists a test of this class and name as passed too: if that is a retry, have it written in the failed test case (Gradle: reports.junitXml.mergeReruns = true, read as flaky)';

/** How many Surefire reruns failed too: one failed test, once, however often it was rerun. */
function rerunText(reruns: number | undefined): string {
  if (!reruns) return '';
  return ` on all ${reruns + 1} runs (${reruns === 1 ? 'a rerun' : `${reruns} reruns`})`;
}

/**
 * A test file as a JUnit report names it, repository-relative: jest-junit writes absolute paths of the
 * checkout it ran in. One outside the repository stays as written (the runner moves it into the message).
 */
function reportPath(file: string, ctx: GateContext): string {
  const path = file.replace(/\\/g, '/');
  if (!isAbsolute(file)) return path;
  return relativeToRoots(file, repositoryRoots(ctx)) ?? path;
}

function ranges(lines: number[]): Array<[number, number]> {
  const result: Array<[number, number]> = [];
  for (const line of [...lines].sort((a, b) => a - b)) {
    const last = result.at(-1);
    if (last && line === last[1] + 1) last[1] = line;
    else result.push([line, line]);
  }
  return result;
}

function blockProblem(summary: string, rule: string): Problem {
  return { summary, findings: [{ rule, severity: 'error', message: summary }] };
}

function block(summary: string, findings: Finding[] = []): GateVerdict {
  return { status: 'block', summary, findings };
}

function findingsOf(problems: Problem[]): Finding[] {
  return problems.flatMap((problem) => problem.findings);
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
