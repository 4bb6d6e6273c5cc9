// More reports copied from public repositories (test/fixtures/gates/real-world/README.md says which tool and
// where from): pytest, vitest, PHPUnit, coverlet, cargo-tarpaulin, Foundry, Psalm, Snyk, gosec, PVS-Studio,
// the .NET compilers' SARIF 1.0, Terraform. Each expectation was worked out from the file by hand, not
// copied from the gate's output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCoverageReport } from '../../../src/gates/coverage/read.ts';
import { parseJUnit } from '../../../src/gates/junit.ts';
import { infrastructureGate } from '../../../src/gates/infrastructure.ts';
import { sarifGate } from '../../../src/gates/sarif.ts';
import { testsGate } from '../../../src/gates/tests.ts';
import type { ChangedFile, GateContext } from '../../../src/gates/types.ts';
import { gateContext } from '../../helpers/gate-context.ts';

const FIXTURES = fileURLToPath(new URL('../../fixtures/gates/real-world/', import.meta.url));

/** A checkout holding copies of `files` (fixture names), removed after the test. */
async function checkout(t: { after(fn: () => Promise<void>): void }, ...files: string[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'real-tools-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  for (const file of files) await copyFile(join(FIXTURES, file), join(dir, file));
  return dir;
}

const context = (cwd: string, changed: ChangedFile[] = []): GateContext =>
  gateContext(cwd, { baseRef: 'base', changed });

test('pytest xunit2 (a <testsuites> root, suite "pytest"): 2 tests, none failed', async (t) => {
  const dir = await checkout(t, 'pytest-xunit2.junit.xml');
  const verdict = await testsGate.run(
    testsGate.schema.parse({ junit: 'pytest-xunit2.junit.xml', thresholds: {} }),
    context(dir),
  );
  assert.equal(`${verdict.status}: ${verdict.summary}`, 'pass: 2 tests in 1 JUnit report(s), none failed');
});

test('vitest junit: the two failed tests by their "describe > test" names and assertion', async (t) => {
  const dir = await checkout(t, 'vitest.junit.xml');
  const verdict = await testsGate.run(
    testsGate.schema.parse({ junit: 'vitest.junit.xml', thresholds: {} }),
    context(dir),
  );
  assert.equal(`${verdict.status}: ${verdict.summary}`, 'block: 2 of 4 tests failed');
  assert.deepEqual(
    verdict.findings.map((f) => f.message),
    [1, 3].map(
      (n) =>
        `src/everything.spec.ts › describe 1 > example test ${n} failed: expected true to be false // Object.is equality (vitest.junit.xml)`,
    ),
  );
  // vitest writes no file="…" or line="…": the test file is its classname, and the line is the stack's
  // frame in it (" ❯ src/everything.spec.ts:8:18", the assertion).
  assert.deepEqual(
    verdict.findings.map((f) => [f.path, f.line, f.column]),
    [
      ['src/everything.spec.ts', 8, 18],
      ['src/everything.spec.ts', 8, 18],
    ],
  );
});

test('vitest --reporter=json given as a JUnit report is refused saying what it is and what to run', async (t) => {
  const dir = await checkout(t);
  // vitest's JSON reporter (jest's shape; `location` with includeTaskLocation), one failed test.
  await writeFile(
    join(dir, 'vitest.json'),
    JSON.stringify({
      numTotalTestSuites: 1,
      numPassedTestSuites: 0,
      numFailedTestSuites: 1,
      numPendingTestSuites: 0,
      numTotalTests: 1,
      numPassedTests: 0,
      numFailedTests: 1,
      numPendingTests: 0,
      numTodoTests: 0,
      startTime: 1750923396415,
      success: false,
      testResults: [
        {
          assertionResults: [
            {
              ancestorTitles: ['describe 1'],
              fullName: 'describe 1 example test 1',
              status: 'failed',
              title: 'example test 1',
              duration: 4,
              failureMessages: ['expected true to be false // Object.is equality'],
              location: { line: 8, column: 18 },
            },
          ],
          startTime: 1750923396415,
          endTime: 1750923396419,
          status: 'failed',
          message: '',
          name: '/w/src/everything.spec.ts',
        },
      ],
    }),
  );
  const verdict = await testsGate.run(
    testsGate.schema.parse({ junit: 'vitest.json', thresholds: {} }),
    context(dir),
  );
  assert.equal(verdict.status, 'block');
  assert.equal(
    verdict.summary,
    'vitest.json is a vitest or jest JSON report ("numTotalTests"), not JUnit XML: have vitest write JUnit (--reporter=junit --outputFile=…; a failure\'s line is read from its stack) or jest with jest-junit',
  );
});

test('a failure stack read for its line only where a frame is in the test file (vitest helpers, jest-junit, Java)', () => {
  const failures = (xml: string) => parseJUnit(xml, 'r.xml').failures.map((f) => [f.file, f.line, f.column]);
  // vitest with addFileAttribute, the assertion in a helper: its frames run from the helper to the test file
  // (vitest stops at the test file's frame), and the test's line is that last one.
  assert.deepEqual(
    failures(`<testsuites><testsuite name="test/api.test.ts" tests="1" failures="1">
<testcase classname="test/api.test.ts" file="test/api.test.ts" name="api &gt; lists" time="0.01">
<failure message="expected 503 to be 200 // Object.is equality" type="AssertionError">
AssertionError: expected 503 to be 200 // Object.is equality
 ❯ expectOk test/helpers/http.ts:4:22
 ❯ test/api.test.ts:12:5
</failure></testcase></testsuite></testsuites>`),
    [['test/api.test.ts', 12, 5]],
  );
  // jest-junit with addFileAttribute: an absolute file="…" and V8 frames, node_modules first.
  assert.deepEqual(
    failures(`<testsuites name="jest tests" tests="1" failures="1">
<testsuite name="sum" tests="1" failures="1" errors="0">
<testcase classname="sum adds" name="sum adds" time="0.002" file="/home/runner/work/app/src/sum.test.js">
<failure>Error: expect(received).toBe(expected) // Object.is equality

Expected: 4
Received: 3
    at Object.toBe (/home/runner/work/app/node_modules/expect/build/index.js:218:22)
    at Object.&lt;anonymous&gt; (/home/runner/work/app/src/sum.test.js:7:19)
    at Promise.then.completed (/home/runner/work/app/node_modules/jest-circus/build/utils.js:298:28)</failure>
</testcase></testsuite></testsuites>`),
    [['/home/runner/work/app/src/sum.test.js', 7, 19]],
  );
  // A Java stack names no file a class name is (and has no columns): no line is made up.
  assert.deepEqual(
    failures(`<testsuite name="com.example.DbTest" tests="1" failures="1">
<testcase name="rollsBack" classname="com.example.DbTest"><failure type="java.lang.AssertionError">java.lang.AssertionError
	at com.example.DbTest.rollsBack(DbTest.java:31)</failure></testcase></testsuite>`),
    [[undefined, undefined, undefined]],
  );
});

test('PHPUnit: the failure says what failed ("Failed asserting …"), not the test name its body starts with', async (t) => {
  const dir = await checkout(t, 'phpunit-4.junit.xml');
  const verdict = await testsGate.run(
    testsGate.schema.parse({ junit: 'phpunit-4.junit.xml', thresholds: {} }),
    context(dir),
  );
  assert.equal(`${verdict.status}: ${verdict.summary}`, 'block: 1 of 6 tests failed');
  assert.deepEqual(
    verdict.findings.map((f) => [f.line, f.message]),
    [
      [
        57,
        'testAllTestsSuitesAreFound failed: Failed asserting that 0 matches expected 2. (phpunit-4.junit.xml)',
      ],
    ],
  );
  // The same head in the other PHPUnit versions (their own --log-junit expectations): "Class::name" and a
  // data set's values (10 and later), "method(Class) with data set #n (values)" (3).
  const messages = (xml: string) => parseJUnit(xml, 'r.xml').failures.map((f) => f.message);
  assert.deepEqual(
    messages(
      '<testsuites><testsuite name="S" tests="2" failures="2">' +
        '<testcase name="testFailure" class="P\\StatusTest"><failure type="PHPUnit\\Framework\\ExpectationFailedException">' +
        'P\\StatusTest::testFailure\nFailed asserting that false is true.\n\n/w/StatusTest.php:20</failure></testcase>' +
        '<testcase name="testAdd with data set #2" class="DataSetTest"><failure type="PHPUnit_Framework_ExpectationFailedException">' +
        'testAdd(DataSetTest) with data set #2 (1, 1, 3)\nFailed asserting that &lt;integer:2&gt; matches expected value &lt;integer:3&gt;.\n</failure></testcase>' +
        '</testsuite></testsuites>',
    ),
    [
      'Failed asserting that false is true.',
      'Failed asserting that <integer:2> matches expected value <integer:3>.',
    ],
  );
  // A first line that says more than the test's name is the message.
  assert.deepEqual(
    messages(
      '<testsuite name="S" tests="1"><testcase name="testA"><failure>testA broke the build\nmore</failure></testcase></testsuite>',
    ),
    ['testA broke the build'],
  );
});

test('coverlet Cobertura on Windows (<source>C:\\</source>, backslash filenames): 5 of 7 lines, found as the changed file', async (t) => {
  const dir = await checkout(t, 'coverlet.cobertura.xml');
  const report = await readCoverageReport(dir, 'coverlet.cobertura.xml');
  assert.deepEqual(report.totals.lines, { covered: 5, total: 7 });
  const below = await testsGate.run(
    testsGate.schema.parse({ coverage: 'coverlet.cobertura.xml', thresholds: { lines: 72 } }),
    context(dir),
  );
  assert.equal(
    `${below.status}: ${below.summary}`,
    'block: lines coverage 71.4% < 72% (5/7, coverlet.cobertura.xml)',
  );
  // The checkout was C:\Github\mwe-…: the project's Class1.cs, lines 7 (get_Name, 0 hits) and 13 (1 hit).
  const changed = await testsGate.run(
    testsGate.schema.parse({ coverage: 'coverlet.cobertura.xml', thresholds: { changed_lines: 80 } }),
    context(dir, [{ path: 'CoverletSkipAutoPropsTest/Class1.cs', status: 'modified', addedLines: [7, 13] }]),
  );
  assert.equal(changed.status, 'block');
  assert.deepEqual(
    changed.findings.map((f) => [f.path, f.line]),
    [['CoverletSkipAutoPropsTest/Class1.cs', 7]],
  );
});

test('cargo-tarpaulin Cobertura with a DOCTYPE: 10 of 11 lines, line 14 never run', async (t) => {
  const dir = await checkout(t, 'tarpaulin.cobertura.xml');
  const report = await readCoverageReport(dir, 'tarpaulin.cobertura.xml');
  assert.deepEqual(report.totals.lines, { covered: 10, total: 11 });
  assert.equal(report.lineHits?.get('src/lib.rs')?.get(14), 0);
  assert.equal(report.lineHits?.get('src/lib.rs')?.get(16), 177);
});

test('Foundry lcov (a DA per statement, "-" branches): its totals, and a line with one statement run is covered', async (t) => {
  const dir = await checkout(t, 'forge.lcov.info');
  const report = await readCoverageReport(dir, 'forge.lcov.info');
  // LF/LH 7+121, BRF/BRH 4+46 and 2+39, FNF/FNH 2+18.
  assert.deepEqual(report.totals, {
    lines: { covered: 128, total: 128 },
    branches: { covered: 41, total: 50 },
    functions: { covered: 20, total: 20 },
  });
  const verdict = await testsGate.run(
    testsGate.schema.parse({ coverage: 'forge.lcov.info', thresholds: { lines: 100, branches: 85 } }),
    context(dir),
  );
  assert.equal(
    `${verdict.status}: ${verdict.summary}`,
    'block: branches coverage 82.0% < 85% (41/50, forge.lcov.info)',
  );
  // Line 142 is "DA:142,2272" three times, then "DA:142,0" twice (a statement on it never ran): the line ran.
  const changed = await testsGate.run(
    testsGate.schema.parse({ coverage: 'forge.lcov.info', thresholds: { changed_lines: 100 } }),
    context(dir, [{ path: 'src/P256Verifier.sol', status: 'modified', addedLines: [142, 154, 223, 341] }]),
  );
  assert.equal(`${changed.status}: ${changed.summary}`, 'pass: changed lines 4/4 covered');
});

async function sarifVerdict(dir: string, file: string, config: object = {}) {
  return sarifGate.run(sarifGate.schema.parse({ files: file, ...config }), context(dir));
}

test('Psalm SARIF: its seven taint results block, each at its line and column in src/index.php, named by its issue type', async (t) => {
  const dir = await checkout(t, 'psalm-5.sarif');
  const verdict = await sarifVerdict(dir, 'psalm-5.sarif');
  assert.equal(`${verdict.status}: ${verdict.summary}`, 'block: 7 blocking result(s) in 1 SARIF file');
  // Psalm's rule ids are its issue codes ("244"); each rule's name is the issue type a reader knows.
  assert.deepEqual(
    verdict.findings.map((f) => [f.rule, f.severity, f.path, f.line, f.column]),
    [
      ['TaintedSql', 'error', 'src/index.php', 36, 26],
      ['TaintedCookie', 'error', 'src/index.php', 42, 23],
      ['TaintedFile', 'error', 'src/index.php', 56, 23],
      ['TaintedHtml', 'error', 'src/index.php', 65, 6],
      ['TaintedTextWithQuotes', 'error', 'src/index.php', 65, 6],
      ['TaintedHtml', 'error', 'src/index.php', 71, 9],
      ['TaintedTextWithQuotes', 'error', 'src/index.php', 71, 9],
    ],
  );
  assert.equal(verdict.findings[0]!.message, 'Psalm: Detected tainted SQL (rule id 244, level error)');
});

test("Psalm's JSON report given to the sarif gate is refused saying how to have Psalm write SARIF", async (t) => {
  const dir = await checkout(t);
  // One issue as Psalm's JsonReport writes it (vimeo/psalm IssueData, dupe_key left out).
  const issue = {
    severity: 'error',
    line_from: 36,
    line_to: 36,
    type: 'TaintedSql',
    message: 'Detected tainted SQL',
    file_name: 'src/index.php',
    file_path: '/app/src/index.php',
    snippet: '    $db->query($query);',
    selected_text: '$query',
    from: 812,
    to: 818,
    snippet_from: 790,
    snippet_to: 820,
    column_from: 26,
    column_to: 32,
    error_level: -1,
    shortcode: 244,
    link: 'https://psalm.dev/244',
    taint_trace: [],
    other_references: null,
  };
  await writeFile(join(dir, 'psalm.json'), JSON.stringify([issue]));
  const verdict = await sarifVerdict(dir, 'psalm.json');
  assert.equal(verdict.status, 'block');
  assert.equal(
    verdict.summary,
    "psalm.json is Psalm's JSON report (--output-format=json), not a SARIF log: have Psalm write SARIF with --report=psalm.sarif (or --output-format=sarif) and point the gate at that file",
  );
});

test('Snyk Open Source SARIF: the high (error) blocks; the mediums block only at level "warning"', async (t) => {
  const dir = await checkout(t, 'snyk-open-source.sarif');
  const verdict = await sarifVerdict(dir, 'snyk-open-source.sarif');
  // 1 error (bl), 5 warnings (hoek on 4 paths, tunnel-agent), 1 note (ms).
  assert.equal(
    `${verdict.status}: ${verdict.summary}`,
    'block: 1 blocking result(s) in 1 SARIF file (6 below the thresholds)',
  );
  assert.deepEqual(
    verdict.findings.filter((f) => f.severity === 'error').map((f) => [f.rule, f.path, f.line]),
    [['SNYK-JS-BL-608877', 'package.json', 1]],
  );
  const strict = await sarifVerdict(dir, 'snyk-open-source.sarif', { level: 'warning' });
  assert.equal(
    `${strict.status}: ${strict.summary}`,
    'block: 6 blocking result(s) in 1 SARIF file (1 below the thresholds)',
  );
  // Snyk writes one result per dependency path, alike in all they say: hoek's 4 are one finding.
  assert.deepEqual(
    strict.findings.map((f) => [f.rule, f.severity, f.message]),
    [
      [
        'SNYK-JS-BL-608877',
        'error',
        'Snyk Open Source: This file introduces a vulnerable bl package with a high severity vulnerability. (level error)',
      ],
      [
        'npm:hoek:20180212',
        'error',
        'Snyk Open Source: This file introduces a vulnerable hoek package with a medium severity vulnerability. (level warning, 4 identical results)',
      ],
      [
        'npm:tunnel-agent:20170305',
        'error',
        'Snyk Open Source: This file introduces a vulnerable tunnel-agent package with a medium severity vulnerability. (level warning)',
      ],
      [
        'npm:ms:20170412',
        'notice',
        'Snyk Open Source: This file introduces a vulnerable ms package with a low severity vulnerability. (level note)',
      ],
    ],
  );
});

test('gosec SARIF: results keep their own rule and level where gosec’s ruleIndex names another rule', async (t) => {
  const dir = await checkout(t, 'gosec-2.24.sarif');
  const verdict = await sarifVerdict(dir, 'gosec-2.24.sarif');
  assert.equal(
    `${verdict.status}: ${verdict.summary}`,
    'block: 3 blocking result(s) in 1 SARIF file (2 below the thresholds)',
  );
  // G304 and G301 say ruleIndex 2 (G103, a "warning" rule) and G103 says 1 (G101, an "error" rule): each
  // result's own level decides, and the finding names the rule the result names.
  assert.deepEqual(
    verdict.findings.map((f) => [f.rule, f.severity, f.path, f.line, f.column]),
    [
      ['G115', 'error', 'pkg/state/snapshot_hasher.go', 294, 44],
      ['G304', 'error', 'itests/config/config.go', 294, 11],
      ['G301', 'error', 'pkg/node/peers/storage/cbor.go', 70, 12],
      ['G103', 'warning', 'pkg/grpc/l2/blockchain_info/blockchain_info.pb.go', 215, 19],
      ['G706', 'warning', 'pkg/api/settings.go', 54, 14],
    ],
  );
});

test('PVS-Studio SARIF: its one error blocks at its line and column', async (t) => {
  const dir = await checkout(t, 'pvs-studio.sarif');
  const verdict = await sarifVerdict(dir, 'pvs-studio.sarif');
  assert.equal(`${verdict.status}: ${verdict.summary}`, 'block: 1 blocking result(s) in 1 SARIF file');
  assert.deepEqual(
    verdict.findings.map((f) => [f.rule, f.path, f.line, f.column]),
    [['V3080', 'TestSarif/Program.cs', 20, 1]],
  );
});

test('the .NET compilers’ SARIF 1.0 error log is refused saying how to have them write 2.1', async (t) => {
  const dir = await checkout(t, 'roslyn-sarif-1.0.sarif');
  const verdict = await sarifVerdict(dir, 'roslyn-sarif-1.0.sarif');
  assert.equal(verdict.status, 'block');
  assert.match(
    verdict.summary,
    /^roslyn-sarif-1\.0\.sarif is not a SARIF 2\.1\.0 log \(version "1\.0\.0"\): it is SARIF 1\.0/,
  );
  assert.match(verdict.summary, /<ErrorLog>file\.sarif,version=2\.1<\/ErrorLog>/);
  assert.match(verdict.summary, /-p:ErrorLog=file\.sarif%2Cversion=2\.1/);
});

test('gosec SARIF without levels on its results: each is graded by the rule its ruleId names, not the one its ruleIndex names', async (t) => {
  const dir = await checkout(t);
  // gosec's own log with each result's level left out, so that its rule's default level decides: G304 and
  // G301 name rules of level "error" (their ruleIndex 2 is G103, "warning"), G103 a "warning" rule (its
  // ruleIndex 1 is G101, "error").
  const log = JSON.parse(await readFile(join(FIXTURES, 'gosec-2.24.sarif'), 'utf8')) as {
    runs: Array<{ results: Array<{ level?: string }> }>;
  };
  for (const result of log.runs[0]!.results) delete result.level;
  await writeFile(join(dir, 'gosec.sarif'), JSON.stringify(log));
  const verdict = await sarifVerdict(dir, 'gosec.sarif');
  assert.equal(
    `${verdict.status}: ${verdict.summary}`,
    'block: 3 blocking result(s) in 1 SARIF file (2 below the thresholds)',
  );
  assert.deepEqual(
    verdict.findings.map((f) => [f.rule, f.severity]),
    [
      ['G115', 'error'],
      ['G304', 'error'],
      ['G301', 'error'],
      ['G103', 'warning'],
      ['G706', 'warning'],
    ],
  );
});

async function planVerdict(dir: string, terraform: object) {
  return infrastructureGate.run(infrastructureGate.schema.parse({ terraform }), context(dir));
}

test('terraform show -json: a moved and updated resource passes; a replace with replace_paths blocks until allowed', async (t) => {
  const dir = await checkout(t, 'terraform-moved.plan.json', 'terraform-1.0-requires-replace.plan.json');
  const moved = await planVerdict(dir, { plan: 'terraform-moved.plan.json' });
  assert.equal(
    `${moved.status}: ${moved.summary}`,
    'pass: plan: 0 to create, 1 to update, 0 to delete, 0 to replace',
  );
  const replace = await planVerdict(dir, { plan: 'terraform-1.0-requires-replace.plan.json' });
  assert.equal(replace.status, 'block');
  assert.deepEqual(
    replace.findings.map((f) => f.rule),
    ['infrastructure.replace'],
  );
  assert.match(replace.findings[0]!.message, /^test_instance\.test will be replaced/);
  const allowed = await planVerdict(dir, {
    plan: 'terraform-1.0-requires-replace.plan.json',
    allow_replace: ['test_instance.test'],
  });
  assert.equal(allowed.status, 'pass');
});

test('terraform show -json of Terraform 0.15 (format "0.2") is refused saying which Terraform wrote it and what to do', async (t) => {
  const dir = await checkout(t, 'terraform-0.15-requires-replace.plan.json');
  const verdict = await planVerdict(dir, { plan: 'terraform-0.15-requires-replace.plan.json' });
  assert.equal(verdict.status, 'block');
  const message = verdict.findings[0]!.message;
  assert.doesNotMatch(message, /is not the output of `terraform show -json`/);
  assert.match(message, /format_version "0\.2" is the JSON of Terraform 0\.12 to 0\.15/);
  assert.match(message, /Terraform 1\.0 or later/);
});

test('Surefire reruns: a test failing every run is one failure, and a flaky one passes with a warning, when the suite counts each run', async (t) => {
  const dir = await checkout(t);
  const stack = (message: string, at: string) =>
    `<stackTrace><![CDATA[java.lang.AssertionError: ${message}\n\tat ${at}\n]]></stackTrace>`;
  const rerun = `<rerunFailure message="x" type="java.lang.AssertionError">${stack('x', 'mainTest.test(mainTest.java:9)')}</rerunFailure>`;
  // SUREFIRE-1627 (apache/maven-surefire#2138): -Dsurefire.rerunFailingTestsCount=5 on a test that always
  // fails; the suite counts each of its 6 runs in tests="…" and failures="…", and lists one test case.
  await writeFile(
    join(dir, 'TEST-mainTest.xml'),
    `<?xml version="1.0" encoding="UTF-8"?>
<testsuite xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="https://maven.apache.org/surefire/maven-surefire-plugin/xsd/surefire-test-report.xsd" name="mainTest" time="0.05" tests="6" errors="0" skipped="0" failures="6">
  <testcase name="test" classname="mainTest" time="0.002">
    <failure message="x" type="java.lang.AssertionError">java.lang.AssertionError: x
	at mainTest.test(mainTest.java:9)</failure>
    ${rerun.repeat(5)}
  </testcase>
</testsuite>`,
  );
  const failed = await testsGate.run(
    testsGate.schema.parse({ junit: 'TEST-mainTest.xml', thresholds: {} }),
    context(dir),
  );
  assert.equal(`${failed.status}: ${failed.summary}`, 'block: 1 of 1 tests failed');
  assert.deepEqual(
    failed.findings.map((f) => f.message),
    ['mainTest › test failed on all 6 runs (5 reruns): x (TEST-mainTest.xml)'],
  );
  // Tycho's Surefire (EnricoMi/publish-unit-test-result-action#539): a flaky test, failed once and passed on
  // its rerun, counted in tests="…" and failures="…" by its failed run: 11 tests and 1 failure over 10 cases.
  const passing = Array.from(
    { length: 9 },
    (_, n) => `  <testcase name="test${n}" classname="bar.StorageTest" time="0.01"/>\n`,
  ).join('');
  await writeFile(
    join(dir, 'TEST-bar.StorageTest.xml'),
    `<?xml version="1.0" encoding="UTF-8"?>
<testsuite xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="https://maven.apache.org/surefire/maven-surefire-plugin/xsd/surefire-test-report-3.0.xsd" version="3.0" name="bar.StorageTest" time="0.3" tests="11" errors="0" skipped="0" failures="1">
${passing}  <testcase name="failOnFirstExecution" classname="bar.StorageTest" time="0.02">
    <flakyFailure message="expected:&lt;1&gt; but was:&lt;2&gt;" type="java.lang.AssertionError">${stack('expected:<1> but was:<2>', 'bar.StorageTest.failOnFirstExecution(StorageTest.java:14)')}</flakyFailure>
  </testcase>
</testsuite>`,
  );
  const flaky = await testsGate.run(
    testsGate.schema.parse({ junit: 'TEST-bar.StorageTest.xml', thresholds: {} }),
    context(dir),
  );
  assert.equal(
    `${flaky.status}: ${flaky.summary}`,
    'warn: 1 flaky test: failed, then passed on a rerun; 10 tests in 1 JUnit report(s), none failed',
  );
  // Counts beyond the runs listed are still a truncated report.
  await writeFile(
    join(dir, 'TEST-bar.StorageTest.xml'),
    (await readFile(join(dir, 'TEST-bar.StorageTest.xml'), 'utf8')).replace('failures="1"', 'failures="2"'),
  );
  const truncated = await testsGate.run(
    testsGate.schema.parse({ junit: 'TEST-bar.StorageTest.xml', thresholds: {} }),
    context(dir),
  );
  assert.equal(truncated.status, 'block');
  assert.match(truncated.summary, /counts 2 failures and errors but lists 0: the report is truncated/);
});
