// JUnit XML test reports (the de-facto format: Ant / Maven Surefire, jest-junit, node --test-reporter=junit,
// pytest --junitxml). Only what the tests gate needs: counts and the failing test cases by name.
import { locateInStack } from './junit-location.ts';
import { DOCUMENT_ORDER, elementWhere, nthElementWhere, parseXmlReport, tagAttributes } from './xml.ts';
import { textOf } from '../util/text-of.ts';

export interface JUnitFailure {
  name: string;
  classname?: string;
  file?: string;
  line?: number;
  column?: number;
  kind: 'failure' | 'error';
  message: string;
  /** Surefire / Failsafe reruns that failed too (<rerunFailure> / <rerunError>): the test failed every run. */
  reruns?: number;
  /**
   * Its suite lists a passed test case of the same class and name: a retry written as a test case of its own,
   * as Gradle's test-retry plugin writes them unless reports.junitXml.mergeReruns is set. Still a failure
   * (two tests may share a name); the finding says how to have the retry read as one.
   */
  listedAsPassed?: true;
}

/** A test that failed and then passed when the runner ran it again (Surefire's flakyFailure / flakyError). */
export interface JUnitFlaky {
  name: string;
  classname?: string;
  file?: string;
  /** How many of its runs failed before one passed. */
  reruns: number;
  message: string;
}

export interface JUnitSummary {
  tests: number;
  skipped: number;
  failures: JUnitFailure[];
  flaky: JUnitFlaky[];
}

export class JUnitReportError extends Error {
  override name = 'JUnitReportError';
}

const ARRAYS = new Set([
  'testsuite',
  'testcase',
  'failure',
  'error',
  'skipped',
  'flakyFailure',
  'flakyError',
  'rerunFailure',
  'rerunError',
]);

/**
 * A flaky test's reruns, <flakyFailure> and <flakyError> interleaved as they ran: the parser groups elements
 * by name, so each keeps its place in the document (DOCUMENT_ORDER) to tell which ran first.
 */
const RERUNS = new Set(['flakyFailure', 'flakyError']);

/** The elements this reader reads, by their names in lower case (XML names are case-sensitive). */
const READ_ELEMENTS = new Map([...ARRAYS, 'testsuites'].map((name) => [name.toLowerCase(), name] as const));

/**
 * Refuses an element of `node` named as one this reader reads but in another case (`<Failure>`, `<ERROR>`,
 * `<TestCase>`): no tool is known to write one, JUnit XML is case-sensitive so it is not that element, and
 * skipped over as unknown, a report saying Failure read as passed. Attributes are keys of `node` too, so a
 * key is refused only where the document has an element of that name, which is where the error points.
 */
function refuseOtherCase(node: object, text: string, file: string): void {
  for (const key of Object.keys(node)) {
    const meant = READ_ELEMENTS.get(key.toLowerCase());
    if (meant === undefined || meant === key) continue;
    const where = elementWhere(text, key);
    if (where === undefined) continue;
    const unread = meant.startsWith('test')
      ? 'the tests in it would go unread'
      : meant === 'skipped'
        ? 'its test would read as run and passed'
        : 'its test would read as passed';
    throw new JUnitReportError(
      `${file}:${where}: <${key}> is not a JUnit element (XML names are case-sensitive: this reader reads <${meant}>); ` +
        `skipped over as unknown, ${unread}, so the report is refused: have the tool write <${meant}>`,
    );
  }
}

/** Test result formats that are not JUnit, by their root element: what the file is, and what to use. */
const OTHER_FORMATS: Record<string, string> = {
  TestRun:
    'it is a Visual Studio TRX file; have dotnet test write JUnit XML, e.g. --logger "junit" with the JunitXml.TestLogger package',
  'test-run': 'it is an NUnit 3 result file; write JUnit XML, e.g. with the JunitXml.TestLogger package',
  'test-results': 'it is an NUnit 2 result file; write JUnit XML instead',
  assemblies: 'it is an xUnit.net result file; write JUnit XML, e.g. with the JunitXml.TestLogger package',
  assembly: 'it is an xUnit.net result file; write JUnit XML, e.g. with the JunitXml.TestLogger package',
};

interface TestCase {
  name?: string;
  classname?: string;
  file?: string;
  line?: string;
  /** googletest: "notrun" for a DISABLED_ test, which it lists with no <skipped>. */
  status?: string;
  failure?: Array<Outcome | string>;
  error?: Array<Outcome | string>;
  skipped?: unknown[];
  /**
   * Maven Surefire / Failsafe with rerunFailingTestsCount: a run of the test that failed before a rerun
   * passed. Beside a <failure> or <error> every run failed (and Surefire writes rerunFailure there).
   */
  flakyFailure?: Array<Outcome | string>;
  flakyError?: Array<Outcome | string>;
  rerunFailure?: unknown[];
  rerunError?: unknown[];
}
interface Outcome {
  message?: string;
  type?: string;
  '#text'?: string;
  /** Its place among the reruns of the report (RERUNS): set on <flakyFailure> and <flakyError> only. */
  [DOCUMENT_ORDER]?: string;
}
interface Suite {
  name?: string;
  failures?: string;
  tests?: string;
  errors?: string;
  skipped?: string;
  hostname?: string;
  /** doctest's version, which it writes on its suite unless run with --no-version. */
  doctest_version?: string;
  testsuite?: Suite[];
  testcase?: TestCase[];
  /** A <failure> or <error> of the suite itself (Ant: a test class that failed to load or set up). */
  failure?: Array<Outcome | string>;
  error?: Array<Outcome | string>;
}

export function parseJUnit(text: string, file: string): JUnitSummary {
  // vitest's and jest's --reporter=json / --json (jest's shape, vitest's with `location` under
  // includeTaskLocation): not XML, and refused as "not well-formed XML" it said nothing useful.
  if (/^\s*\{/.test(text) && /"numTotalTests"\s*:/.test(text.slice(0, 4096))) {
    throw new JUnitReportError(
      `${file} is a vitest or jest JSON report ("numTotalTests"), not JUnit XML: have vitest write JUnit (--reporter=junit --outputFile=…; a failure's line is read from its stack) or jest with jest-junit`,
    );
  }
  const doc = parseXmlReport(text, file, ARRAYS, (message) => new JUnitReportError(message), RERUNS) as {
    testsuites?: Suite | '';
    testsuite?: Suite[];
  };
  if (doc.testsuites === undefined && doc.testsuite === undefined) {
    const root = Object.keys(doc).find((key) => !key.startsWith('?') && !key.startsWith('!'));
    const known = root !== undefined && Object.hasOwn(OTHER_FORMATS, root) ? OTHER_FORMATS[root] : undefined;
    throw new JUnitReportError(
      `${file} has ${root === undefined ? 'no root element' : `<${root.slice(0, 60)}> as root`}, not <testsuites> or <testsuite>: not a JUnit report` +
        (known ? ` (${known})` : ''),
    );
  }
  const summary: JUnitSummary = { tests: 0, skipped: 0, failures: [], flaky: [] };
  const read = new Set<Suite>();
  // Each <testsuite> read, numbered in the order visit reaches them (its start tags' order), for where its
  // counts are refused; the root <testsuites> is none of them.
  let suites = 0;
  const suiteWhere = (suite: Suite, index: number | undefined) => (key: string) =>
    suiteLocation(text, file, suite, index, key);
  /**
   * What `suite` and the suites below it list: what its own counts must not exceed.
   * `pytest`: inside pytest's suite (named "pytest" unless junit_suite_name says otherwise), whose
   * line="…" (junit_family=xunit1) is pytest's 0-based item location, one above the test's def line.
   */
  const visit = (suite: Suite, pytest = false, root = false): Listed => {
    const where = suiteWhere(suite, root ? undefined : suites++);
    if (typeof suite === 'object') {
      read.add(suite);
      refuseOtherCase(suite, text, file);
      for (const testCase of suite.testcase ?? [])
        if (typeof testCase === 'object') refuseOtherCase(testCase, text, file);
    }
    const inPytest = pytest || (typeof suite === 'object' && textOf(suite.name) === 'pytest');
    let outcomesBelow = 0;
    // Surefire's reruns (flaky or failed again): runs beyond one a test, which its counts may include.
    let rerunsBelow = 0;
    const failedBefore = summary.failures.length;
    const own = typeof suite === 'object' ? (suite.testcase ?? []) : [];
    const children = typeof suite === 'object' ? (suite.testsuite ?? []) : [];
    const listed: Listed = {
      outcomes: 0,
      tests: own.length,
      skipped: own.filter(notRun).length,
      failed: 0,
      children: children.length,
      reruns: 0,
    };
    // Ant's formatter (and Jenkins, reading it) puts an error of the suite itself (its class did not
    // load, a @BeforeClass threw) directly in <testsuite>, beside or instead of the test cases: it is read
    // as one failed test named after the suite, not skipped over as if the suite had passed.
    const suiteName =
      typeof suite !== 'object' || suite.name === undefined || textOf(suite.name) === ''
        ? '(unnamed suite)'
        : textOf(suite.name);
    const cases: TestCase[] =
      typeof suite === 'object' && (suite.failure || suite.error)
        ? [
            ...(suite.testcase ?? []).map(failedByStatus),
            {
              name: `${suiteName} (the suite itself)`,
              ...(suite.failure ? { failure: suite.failure } : {}),
              ...(suite.error ? { error: suite.error } : {}),
            },
          ]
        : typeof suite === 'object' && failedToRun(suite)
          ? // errors="N" on a suite with no test case in or below it: the suite failed to run (its file did
            // not load), and the tool wrote only the count. Read as the failed test it stands for, not as
            // a truncated report.
            [
              {
                name: `${suiteName} (the suite failed to run)`,
                error: [
                  `errors="${textOf(suite.errors)}" and no test case: the suite failed to run, and the report does not say why`,
                ],
              },
            ]
          : (suite.testcase ?? []).map(failedByStatus);
    for (const testCase of cases) {
      summary.tests++;
      if (notRun(testCase)) summary.skipped++;
      const outcomes = [
        ...(testCase.failure ?? []).map((o) => ['failure', o] as const),
        ...(testCase.error ?? []).map((o) => ['error', o] as const),
      ];
      outcomesBelow += outcomes.length;
      const failedAgain = (testCase.rerunFailure?.length ?? 0) + (testCase.rerunError?.length ?? 0);
      rerunsBelow += failedAgain + (testCase.flakyFailure?.length ?? 0) + (testCase.flakyError?.length ?? 0);
      // PHPUnit 9 and earlier write a risky test (no assertion, output, a test that covers too much) as an
      // <error type="PHPUnit\Framework\RiskyTestError">, counted in the suite's errors; PHPUnit itself
      // passes the run (unless --fail-on-risky), and PHPUnit 10 writes risky tests as passed. Not a failure.
      const first = outcomes.find(([kind, outcome]) => !(kind === 'error' && isRisky(outcome)));
      if (!first) {
        // The first run that failed says what went wrong, whichever element Surefire wrote it as.
        const reruns = [...(testCase.flakyFailure ?? []), ...(testCase.flakyError ?? [])].sort(
          (a, b) => documentOrder(a) - documentOrder(b),
        );
        if (reruns.length > 0) {
          summary.flaky.push({
            name: textOf(testCase.name ?? '(unnamed test)'),
            ...(testCase.classname ? { classname: textOf(testCase.classname) } : {}),
            ...(testCase.file ? { file: textOf(testCase.file) } : {}),
            reruns: reruns.length,
            message: firstLine(textOf(outcomeDetail(reruns[0]!)), false, textOf(testCase.name ?? '')).slice(
              0,
              300,
            ),
          });
        }
        continue;
      }
      const [kind, outcome] = first;
      const detail = outcomeDetail(outcome);
      // jest-junit's reportTestSuiteErrors: a test file that failed to run is a <testcase> whose classname
      // says so and whose name is the file; its message starts with Jest's own "● Test suite failed to run".
      const suiteError = textOf(testCase.classname ?? '') === JEST_SUITE_ERROR;
      const zeroBased = inPytest && textOf(testCase.file ?? '').endsWith('.py');
      const written =
        testCase.line === undefined || textOf(testCase.line).trim() === '' ? NaN : Number(testCase.line);
      const line = written + (zeroBased ? 1 : 0);
      const file = testCase.file ?? (suiteError && testCase.name ? testCase.name : undefined);
      // No line="…" (vitest, jest-junit, mocha write none): the stack's first frame in the test file.
      const located =
        Number.isInteger(line) && line > 0
          ? undefined
          : locateInStack(
              outcomeBody(outcome),
              file === undefined ? undefined : textOf(file),
              testCase.classname === undefined ? undefined : textOf(testCase.classname),
            );
      const where = located ?? {
        ...(file ? { file: textOf(file) } : {}),
        ...(Number.isInteger(line) && line > 0 ? { line } : {}),
      };
      summary.failures.push({
        name: textOf(testCase.name ?? '(unnamed test)'),
        ...(testCase.classname ? { classname: textOf(testCase.classname) } : {}),
        ...where,
        kind,
        message: firstLine(textOf(detail), suiteError, textOf(testCase.name ?? '')).slice(0, 300),
        ...(failedAgain > 0 ? { reruns: failedAgain } : {}),
      });
    }
    const passed = new Set(
      cases
        .filter((testCase) => !notRun(testCase) && !testCase.failure && !testCase.error)
        .map((testCase) => caseKey(testCase)),
    );
    if (passed.size > 0) {
      for (const failure of summary.failures.slice(failedBefore)) {
        if (passed.has(caseKey(failure))) failure.listedAsPassed = true;
      }
    }
    // jest-junit writes a test.todo() as a plain <testcase> (no <skipped/>), as if it had passed, and leaves
    // it out of its suite's tests="…": the cases over that count were not run.
    const claimed = typeof suite === 'object' && suite.tests !== undefined ? Number(suite.tests) : NaN;
    if (
      Number.isSafeInteger(claimed) &&
      claimed >= 0 &&
      !suite.testsuite &&
      cases.length > claimed &&
      !countsAssertions(suite)
    ) {
      const unmarked = cases.filter((testCase) => !notRun(testCase) && !testCase.failure && !testCase.error);
      summary.skipped += Math.min(cases.length - claimed, unmarked.length);
    }
    for (const child of children) {
      const below = visit(child, inPytest);
      outcomesBelow += below.outcomes;
      rerunsBelow += below.reruns;
      listed.tests += below.tests;
      listed.skipped += below.skipped;
    }
    // The one test case a suite that failed to run stands for is all its errors="N" count.
    if (typeof suite === 'object' && failedToRun(suite))
      outcomesBelow = Math.max(outcomesBelow, claimedCount(suite));
    listed.outcomes = outcomesBelow;
    listed.reruns = rerunsBelow;
    listed.failed = summary.failures.length - failedBefore;
    checkCounts(suite, outcomesBelow, rerunsBelow, where);
    if (typeof suite === 'object' && !failedToRun(suite)) checkTotals(suite, listed, where);
    return listed;
  };
  if (doc.testsuites !== undefined && doc.testsuites !== '') visit(doc.testsuites, false, true);
  for (const suite of doc.testsuite ?? []) visit(suite);
  const unread = unreadCases(doc, read);
  if (unread)
    throw new JUnitReportError(
      `${file}: ${unread.count} <testcase> element(s) in ${unread.parent.slice(0, 200)}, where no suite is read (a <testsuite> at the root, in the root <testsuites> or in another <testsuite>): not a JUnit report this gate reads (their failures would go unread)`,
    );
  return summary;
}

/**
 * Test cases the suites did not list: under an element this reader does not know (`<testsuit>`, another
 * format's `<suite>`) beside the suites it read, or nested in a test case (in it or in a suite inside it).
 * Skipped over, a failure there read as a pass. `parent` is where they are, from the root.
 */
function unreadCases(doc: object, read: ReadonlySet<Suite>): { count: number; parent: string } | undefined {
  let found: { count: number; parent: string } | undefined;
  const stack: Array<[string, unknown]> = Object.entries(doc).map(([name, node]) => [`<${name}>`, node]);
  while (stack.length > 0) {
    const [path, node] = stack.pop()!;
    if (!node || typeof node !== 'object') continue;
    if (Array.isArray(node)) {
      for (const item of node) stack.push([path, item]);
      continue;
    }
    const cases = (node as { testcase?: unknown }).testcase;
    if (Array.isArray(cases) && cases.length > 0 && !read.has(node as Suite)) {
      found = { count: (found?.count ?? 0) + cases.length, parent: found?.parent ?? path };
    }
    // Into the test cases too: one nested in another is no test case a suite lists.
    for (const [key, child] of Object.entries(node)) stack.push([`${path} › <${key}>`, child]);
  }
  return found;
}

/** A test case's class and name, as read (textOf), to tell two listings of one test. */
function caseKey(testCase: { name?: unknown; classname?: unknown }): string {
  return `${textOf(testCase.classname ?? '')}\0${textOf(testCase.name ?? '(unnamed test)')}`;
}

/**
 * A test case that did not run: a <skipped>, or googletest's status="notrun" (a DISABLED_ test, written
 * without a <skipped> and counted in disabled="…", not skipped="…"): not a passed test.
 */
function notRun(testCase: TestCase): boolean {
  return Boolean(testCase.skipped) || textOf(testCase.status ?? '').toLowerCase() === 'notrun';
}

/**
 * A test case whose status="…" says it failed (CTest, Behave and Pester write one beside their <failure>) but
 * that has no <failure> or <error>: read as the failure its status says, not as a pass.
 */
function failedByStatus(testCase: TestCase): TestCase {
  if (typeof testCase !== 'object' || testCase.failure || testCase.error) return testCase;
  const status = textOf(testCase.status ?? '').trim();
  const kind = /^(?:fail|failed|failure)$/i.test(status)
    ? 'failure'
    : /^(?:error|errored)$/i.test(status)
      ? 'error'
      : undefined;
  if (!kind) return testCase;
  return {
    ...testCase,
    [kind]: [`status="${status}" and no <${kind}> element: the report does not say why`],
  };
}

/** The classname jest-junit gives the test case of a test file that failed to run (reportTestSuiteErrors). */
const JEST_SUITE_ERROR = 'Test suite failed to run';

/** A suite that counts errors and has no test case in it or below it, nor an error of its own. */
function failedToRun(suite: Suite): boolean {
  if (suite.testcase?.length || suite.testsuite?.length) return false;
  const errors = textOf(suite.errors ?? '').trim() === '' ? NaN : Number(suite.errors);
  return Number.isSafeInteger(errors) && errors > 0;
}

/** failures="…" plus errors="…", where they are counts (checkCounts refuses those that are not). */
function claimedCount(suite: Suite): number {
  let claimed = 0;
  for (const value of [suite.failures, suite.errors]) {
    const count = value === undefined || textOf(value).trim() === '' ? NaN : Number(value);
    if (Number.isSafeInteger(count) && count > 0) claimed += count;
  }
  return claimed;
}

/**
 * A message's first line; for a suite that failed to run, the first after Jest's heading that says so. A
 * first line that only names the test (PHPUnit writes no message="…" and starts the body with
 * "Class::testName", before "Failed asserting that …") is passed over for the line after it.
 */
function firstLine(detail: string, suiteError: boolean, testName = ''): string {
  const lines = detail
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  const informative = suiteError
    ? lines.find((line) => !/^(?:●\s*)?Test suite failed to run$/.test(line))
    : lines.length > 1 && namesTheTest(lines[0]!, testName)
      ? lines[1]
      : undefined;
  return informative ?? lines[0] ?? '';
}

/**
 * Whether a line is only the test's own name as PHPUnit heads a failure with it: "Class::name" (PHPUnit 4
 * and later; a data set's values follow as " (1, 1, 3)"), or "method(Class)" with the data set after it
 * (PHPUnit 3).
 */
function namesTheTest(line: string, name: string): boolean {
  if (name === '') return false;
  const at = line.indexOf(`::${name}`);
  if (at > 0) {
    const rest = line.slice(at + 2 + name.length);
    return rest === '' || rest.startsWith(' (');
  }
  const [method, dataSet] = name.split(/ (with data set .*)$/);
  if (!line.startsWith(`${method}(`)) return false;
  const rest = line.slice(line.indexOf(')', method!.length) + 1);
  return rest === '' || (dataSet !== undefined && rest.startsWith(` ${dataSet}`));
}

/**
 * What a <failure> or <error> says. Its message="…" unless that is only a word for "it failed": go-junit-report
 * and gotestsum write message="Failed" on every failing Go test and the test's output as the body, so the
 * finding said "TestOne failed: Failed" and left out the assertion.
 */
function outcomeDetail(outcome: Outcome | string): string {
  if (typeof outcome === 'string') return outcome;
  const body = typeof outcome['#text'] === 'string' ? outcome['#text'] : undefined;
  const message = outcome.message === undefined ? undefined : textOf(outcome.message);
  if (message !== undefined && message.trim() !== '' && !(GENERIC_MESSAGE.test(message) && body?.trim()))
    return message;
  return body ?? outcome.type ?? '';
}
/** Where a rerun stands in the report (parseXmlReport's DOCUMENT_ORDER); every rerun has one. */
function documentOrder(outcome: Outcome | string): number {
  return typeof outcome === 'object' ? Number(outcome[DOCUMENT_ORDER] ?? Infinity) : Infinity;
}

/** A <failure> or <error>'s body, where runners write the stack. */
function outcomeBody(outcome: Outcome | string): string {
  if (typeof outcome === 'string') return outcome;
  return typeof outcome['#text'] === 'string' ? outcome['#text'] : '';
}
const GENERIC_MESSAGE = /^\s*(?:failed|failure|error|errored|test failure)\s*$/i;

function isRisky(outcome: Outcome | string): boolean {
  return (
    typeof outcome === 'object' && /^\\?PHPUnit\\Framework\\RiskyTestError$/.test(textOf(outcome.type ?? ''))
  );
}

/** What a suite lists, in it and in the suites below it. */
interface Listed {
  /** <failure> and <error> elements (with the one a suite that failed to run stands for). */
  outcomes: number;
  /** <testcase> elements. */
  tests: number;
  /** <testcase> elements with a <skipped>. */
  skipped: number;
  /** Test cases read as failed (a PHPUnit risky test is not). */
  failed: number;
  /** The suites directly in it. */
  children: number;
  /**
   * Surefire's <flakyFailure>, <flakyError>, <rerunFailure> and <rerunError>: each a run of a test beyond its
   * first. Surefire counts them in tests="…", and a failed one in failures="…" / errors="…", in some versions
   * and setups (SUREFIRE-1627: one test failing 6 runs is tests="6" failures="6"; Tycho, a flaky test:
   * tests="11" failures="1" over 10 test cases, none failed), in others not.
   */
  reruns: number;
}

/**
 * Whether the suite's tests="…" (and skipped="…") count assertions, not test cases, as the C++ frameworks
 * write them: Catch (v1 to v3, and reporters built on its own, every one writing the placeholder
 * hostname="tbd") and doctest (doctest_version="…", left out only with --no-version). Their test cases
 * may be fewer or more than that count (a Catch2 test case with output but no assertion is listed).
 */
function countsAssertions(suite: Suite): boolean {
  return textOf(suite.hostname ?? '') === 'tbd' || suite.doctest_version !== undefined;
}

/**
 * `file:line:column: <testsuite name="…">` for the suite whose `key` attribute is refused: the `index`-th
 * <testsuite> start tag (the root <testsuites> when undefined), when that tag holds the attribute and the
 * suite's name (else a <testsuite> elsewhere, which visit does not reach, came before it: no line is given
 * rather than another suite's).
 */
function suiteLocation(
  text: string,
  file: string,
  suite: Suite,
  index: number | undefined,
  key: string,
): string {
  const element = index === undefined ? 'testsuites' : 'testsuite';
  const name = typeof suite === 'object' && suite.name !== undefined ? textOf(suite.name) : undefined;
  const found = nthElementWhere(text, element, index ?? 0);
  const attributes = found && tagAttributes(found.tag);
  const matches =
    found !== undefined &&
    attributes !== undefined &&
    typeof suite === 'object' &&
    textOf(attributes[key] ?? '') === textOf((suite as Record<string, unknown>)[key] ?? '') &&
    textOf(attributes.name ?? '') === textOf(suite.name ?? '');
  return `${file}${matches ? `:${found!.where}` : ''}: <${element}${name === undefined ? '' : ` name="${name}"`}>`;
}

/**
 * A suite that counts more tests (or skipped tests) than it lists is truncated or contradicts itself: a
 * runner killed after it wrote the header, a merge that lost test cases. Passing it would pass the tests it
 * does not list, so it is refused when nothing it lists failed. A listed failure fails the gate anyway, and
 * it is what the user needs to see: pytest counts a passed test whose teardown errored twice in tests="…"
 * (its pass and its error) while it writes one test case, and Ant counts a class that failed to set up
 * as it likes. node --test counts a suite's direct children (a nested suite as one), so the count may be
 * that too. Catch2 and doctest count assertions, not test cases (countsAssertions).
 */
function checkTotals(suite: Suite, listed: Listed, whereOf: (key: string) => string): void {
  if (listed.failed > 0 || countsAssertions(suite)) return;
  for (const [key, below] of [
    ['tests', listed.tests],
    ['skipped', listed.skipped],
  ] as const) {
    const value = suite[key];
    if (value === undefined) continue;
    const count = textOf(value).trim() === '' ? NaN : Number(value);
    if (!Number.isSafeInteger(count) || count < 0) {
      throw new JUnitReportError(`${whereOf(key)} ${key}="${textOf(value)}" is not a count`);
    }
    const direct =
      key === 'tests'
        ? (suite.testcase?.length ?? 0) + listed.children
        : (suite.testcase ?? []).filter(notRun).length + listed.children;
    // Surefire may count each rerun as a test (Listed.reruns); a rerun is never a skipped test.
    const most = Math.max(below, direct) + (key === 'tests' ? listed.reruns : 0);
    if (count > most) {
      const lists = key === 'tests' ? `${below}` : `${listed.tests} test cases, ${below} of them skipped`;
      // doctest (and Catch2, and googletest) mark each test case status="run": a doctest report written
      // with --no-version counts assertions with nothing to tell it by.
      const doctest = (suite.testcase ?? []).some((testCase) => textOf(testCase.status ?? '') === 'run')
        ? ' (doctest counts assertions there, and is told by its doctest_version="…": run it without --no-version)'
        : '';
      throw new JUnitReportError(
        `${whereOf(key)} counts ${count} ${key === 'tests' ? 'tests' : 'skipped tests'} but lists ${lists}: the report is truncated or not a JUnit report this gate reads${doctest}`,
      );
    }
  }
}

/**
 * A suite that counts more failures and errors than it lists failing test cases is truncated or written
 * by a tool this parser does not understand: passing it would pass the failures it does not list.
 */
function checkCounts(suite: Suite, listed: number, reruns: number, whereOf: (key: string) => string): void {
  if (typeof suite !== 'object') return;
  let claimed = 0;
  for (const key of ['failures', 'errors'] as const) {
    const value = suite[key];
    if (value === undefined) continue;
    const count = textOf(value).trim() === '' ? NaN : Number(value);
    if (!Number.isSafeInteger(count) || count < 0) {
      throw new JUnitReportError(`${whereOf(key)} ${key}="${textOf(value)}" is not a count`);
    }
    claimed += count;
  }
  // Surefire may count each failed rerun, a flaky test's included, as a failure or error (Listed.reruns).
  if (claimed > listed + reruns) {
    throw new JUnitReportError(
      `${whereOf(suite.failures !== undefined ? 'failures' : 'errors')} counts ${claimed} failures and errors but lists ${listed}: the report is truncated or not a JUnit report this gate reads`,
    );
  }
}
