import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, mkdir, readFile, rm, writeFile, utimes, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { testsGate } from '../../../src/gates/tests.ts';
import type { TestsConfig } from '../../../src/gates/schema/tests.ts';
import { changedFilesProvider } from '../../../src/gates/changes.ts';
import type { GateContext } from '../../../src/gates/types.ts';
import { git } from '../../helpers/git.ts';

const FIXTURES = resolve(import.meta.dirname, '../../fixtures/gates');
const C8 = resolve(import.meta.dirname, '../../../node_modules/c8/bin/c8.js');
const NODE = process.execPath; // Node 24: the test runs on it
const C8_COMMAND = [
  NODE,
  C8,
  '--reporter=json-summary',
  '--reporter=lcov',
  '--reporter=cobertura',
  NODE,
  'run-tests.js',
];

/**
 * A git repo whose HEAD adds two functions to lib.js (lines 11-19), one of them never called by the tests.
 * Built once per file and copied whole for each test (its own directory, where its gate run writes): five
 * git processes per test were a good part of this file's CPU. The gate reads the change from the commits
 * (git diff base...HEAD), which a copy keeps as they are.
 */
async function appRepo(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const built = await (appTemplate ??= buildAppRepo());
  const dir = await mkdtemp(join(tmpdir(), 'tests-gate-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await cp(built, dir, { recursive: true });
  return dir;
}

let appTemplate: Promise<string> | undefined;
after(async () => {
  if (appTemplate) await rm(await appTemplate, { recursive: true, force: true });
});

async function buildAppRepo(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tests-gate-template-'));
  const app = join(FIXTURES, 'coverage-app');
  for (const file of ['lib.js', 'run-tests.js', 'package.json'])
    await copyFile(join(app, file), join(dir, file));
  await git(dir, 'init', '-q');
  await git(dir, 'add', '.');
  await git(dir, 'commit', '-q', '-m', 'base');
  await git(dir, 'tag', 'base');
  await copyFile(join(app, 'lib-change.js'), join(dir, 'lib.js'));
  await git(dir, 'commit', '-q', '-am', 'change');
  return dir;
}

function context(cwd: string, extra: Partial<GateContext> = {}): GateContext {
  return {
    cwd,
    baseRef: 'base',
    changedFiles: changedFilesProvider(cwd, 'base'),
    signal: new AbortController().signal,
    log: () => {},
    env: { ...process.env },
    ...extra,
  };
}

const run = (config: unknown, ctx: GateContext) =>
  testsGate.run(testsGate.schema.parse(config) as TestsConfig, ctx);

test('real c8 reports: passes thresholds, reports changed-line coverage and lists uncovered changed lines', async (t) => {
  const dir = await appRepo(t);
  const verdict = await run(
    { command: C8_COMMAND, thresholds: { lines: 70, changed_lines: 60 } },
    context(dir),
  );
  assert.equal(verdict.status, 'pass', verdict.summary);
  // lib.js 14/19 + run-tests.js 8/11 = 22/30 lines.
  assert.match(verdict.summary, /tests passed; lines 73\.3%; changed lines 6\/9 covered/);
  assert.deepEqual(verdict.findings, [
    {
      path: 'lib.js',
      line: 17,
      endLine: 19,
      rule: 'coverage.changed-line',
      message: 'changed lines 17-19 are not covered by tests',
      severity: 'warning',
    },
  ]);
});

test('the three report formats give the same line coverage (coverage-only mode)', async (t) => {
  const dir = await appRepo(t);
  await execa(C8_COMMAND[0]!, C8_COMMAND.slice(1), { cwd: dir });
  for (const file of [
    'coverage/coverage-summary.json',
    'coverage/lcov.info',
    'coverage/cobertura-coverage.xml',
  ]) {
    const verdict = await run({ coverage: file, thresholds: { lines: 80 } }, context(dir));
    assert.equal(verdict.status, 'block', file);
    assert.match(verdict.summary, /^lines coverage 73\.3% < 80% \(22\/30, coverage\//, file);
    assert.equal(verdict.findings[0]!.rule, 'coverage.lines');
  }
  for (const file of ['coverage/lcov.info', 'coverage/cobertura-coverage.xml']) {
    const verdict = await run({ coverage: file, thresholds: { changed_lines: 80 } }, context(dir));
    assert.equal(verdict.status, 'block', file);
    assert.equal(verdict.summary, 'changed-line coverage 66.7% < 80% (6/9 lines)');
    assert.deepEqual(
      verdict.findings.map((f) => [f.path, f.line, f.endLine, f.severity]),
      [['lib.js', 17, 19, 'error']],
    );
  }
  // json-summary has no per-line data: changed-line coverage cannot be decided from it.
  const summaryOnly = await run(
    { coverage: 'coverage/coverage-summary.json', thresholds: { changed_lines: 80 } },
    context(dir),
  );
  assert.equal(summaryOnly.status, 'block');
  assert.match(summaryOnly.summary, /changed-line coverage needs per-line data \(lcov or cobertura\)/);
});

test('a changed source file in no coverage report counts as not covered; docs, tests and other folders do not', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tests-gate-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'src'));
  await writeFile(join(dir, 'src/app.ts'), 'export const a = 1;\n');
  await git(dir, 'init', '-q');
  await git(dir, 'add', '.');
  await git(dir, 'commit', '-q', '-m', 'base');
  await git(dir, 'tag', 'base');
  // The change: app.ts gets a covered line; src/new.ts (3 code lines, a comment and a blank) is loaded
  // by no test. The others are no code the report measures.
  await writeFile(join(dir, 'src/app.ts'), 'export const a = 1;\nexport const b = 2;\n');
  await writeFile(
    join(dir, 'src/new.ts'),
    '// Charges a card.\nexport function charge(cents: number) {\n\n  return cents * 2;\n}\n',
  );
  await mkdir(join(dir, 'scripts'));
  await mkdir(join(dir, 'src/__tests__'));
  await mkdir(join(dir, 'docs'));
  const others: Record<string, string> = {
    'src/new.test.ts': 'test("x", () => {});\n',
    'src/__tests__/util.ts': 'export const u = 1;\n',
    'src/types.d.ts': 'export type T = number;\n',
    'scripts/release.ts': 'console.log(1);\n',
    'docs/guide.md': '# Guide\n',
    'src/config.json': '{}\n',
    // Types only: the compiler erases every line, so no coverage tool lists the file.
    'src/model.ts': [
      "import type { Card } from './card';",
      'export interface Charge {',
      '  card: Card;',
      '  cents: number;',
      '}',
      "export type Status = 'ok' | 'declined';",
      'declare global {',
      '  interface Window {',
      '    charges: Charge[];',
      '  }',
      '}',
      "export type { Card } from './card';",
      '',
    ].join('\n'),
  };
  for (const [file, text] of Object.entries(others)) await writeFile(join(dir, file), text);
  await mkdir(join(dir, 'coverage'));
  await writeFile(
    join(dir, 'coverage/lcov.info'),
    'TN:\nSF:src/app.ts\nDA:1,1\nDA:2,1\nLF:2\nLH:2\nend_of_record\n',
  );
  await git(dir, 'add', '.');
  await git(dir, 'commit', '-q', '-m', 'change');
  const verdict = await run(
    { coverage: 'coverage/lcov.info', thresholds: { changed_lines: 80 } },
    context(dir),
  );
  assert.equal(verdict.status, 'block');
  assert.match(
    verdict.summary,
    /^changed-line coverage 25\.0% < 80% \(1\/4 lines\); 1 changed source file\(s\) in no coverage report, their lines counted as not covered \(.*collectCoverageFrom.*\); 8 changed file\(s\) not in the coverage report$/,
  );
  assert.deepEqual(
    verdict.findings.map((f) => [f.path, f.line, f.endLine, f.severity, f.message]),
    [
      [
        'src/new.ts',
        2,
        undefined,
        'error',
        'changed line 2 is not covered by tests (the file is in no coverage report: no test loaded it)',
      ],
      [
        'src/new.ts',
        4,
        5,
        'error',
        'changed lines 4-5 are not covered by tests (the file is in no coverage report: no test loaded it)',
      ],
    ],
  );
});

test('branches, functions and statements thresholds are checked from the report that carries them', async (t) => {
  const dir = await appRepo(t);
  await execa(C8_COMMAND[0]!, C8_COMMAND.slice(1), { cwd: dir });
  const verdict = await run({ thresholds: { functions: 90, statements: 50, branches: 50 } }, context(dir));
  assert.equal(verdict.status, 'block');
  assert.match(
    verdict.summary,
    /^functions coverage 75\.0% < 90% \(3\/4, coverage\/coverage-summary\.json\)$/,
  );
  // Cobertura alone has no statements.
  const cobertura = await run(
    { coverage: 'coverage/cobertura-coverage.xml', thresholds: { statements: 50 } },
    context(dir),
  );
  assert.equal(cobertura.status, 'block');
  assert.match(cobertura.summary, /no coverage report carries statements/);
});

test('a failing test command blocks with its exit code and the end of its output', async (t) => {
  const dir = await appRepo(t);
  const verdict = await run(
    { command: C8_COMMAND, thresholds: { lines: 10 } },
    context(dir, { env: { ...process.env, FAIL_TESTS: '1' } }),
  );
  assert.equal(verdict.status, 'block');
  assert.match(verdict.summary, /run-tests\.js" exited with code 1/);
  const output = verdict.findings.find((f) => f.rule === 'tests.command');
  assert.match(output!.message, /1 test failed: expected 4, got 5/);
});

test('a failing test command that wrote no coverage report: its exit code leads the summary, not only the missing report', async (t) => {
  const dir = await appRepo(t);
  const verdict = await run(
    { command: [NODE, '-e', 'console.log("2 tests failed"); process.exit(2)'] },
    context(dir),
  );
  assert.equal(verdict.status, 'block');
  assert.match(verdict.summary, /" exited with code 2; no coverage report found/);
  const output = verdict.findings.find((f) => f.rule === 'tests.command');
  assert.match(output!.message, /2 tests failed/);
});

test('a test command that is not installed blocks and names it', async (t) => {
  const dir = await appRepo(t);
  const verdict = await run({ command: 'no-such-test-runner --coverage' }, context(dir));
  assert.equal(verdict.status, 'block');
  assert.match(verdict.summary, /command "no-such-test-runner" was not found/);
});

test('fails closed: no coverage report, a missing configured report, truncated or malformed reports', async (t) => {
  const dir = await appRepo(t);
  const none = await run({}, context(dir));
  assert.equal(none.status, 'block');
  assert.equal(
    none.summary,
    `no coverage report found: looked for coverage/coverage-summary.json, coverage/lcov.info, coverage/cobertura-coverage.xml in ${dir}`,
  );
  const missing = await run({ coverage: 'coverage/lcov.info' }, context(dir));
  assert.equal(missing.summary, `coverage report coverage/lcov.info not found (looked in ${dir})`);

  await execa(C8_COMMAND[0]!, C8_COMMAND.slice(1), { cwd: dir });
  const cut = async (file: string, keep: number) => {
    const text = await readFile(join(dir, file), 'utf8');
    await writeFile(join(dir, file), text.slice(0, Math.floor(text.length * keep)));
  };
  await cut('coverage/lcov.info', 0.6);
  await cut('coverage/cobertura-coverage.xml', 0.6);
  await cut('coverage/coverage-summary.json', 0.6);
  const lcov = await run({ coverage: 'coverage/lcov.info' }, context(dir));
  assert.equal(lcov.status, 'block');
  assert.match(
    lcov.summary,
    /coverage\/lcov\.info ends inside the record of .* \(no end_of_record\): truncated/,
  );
  const xml = await run({ coverage: 'coverage/cobertura-coverage.xml' }, context(dir));
  assert.equal(xml.status, 'block');
  assert.match(xml.summary, /^coverage\/cobertura-coverage\.xml:\d+:\d+: not well-formed XML/);
  const json = await run({ coverage: 'coverage/coverage-summary.json' }, context(dir));
  assert.equal(json.status, 'block');
  assert.match(json.summary, /^coverage\/coverage-summary\.json is not valid JSON/);
});

test('a coverage report older than the test run is stale and blocks', async (t) => {
  const dir = await appRepo(t);
  await execa(C8_COMMAND[0]!, C8_COMMAND.slice(1), { cwd: dir });
  const old = new Date(Date.now() - 3600_000);
  await utimes(join(dir, 'coverage/lcov.info'), old, old);
  // The command runs the tests without c8: nothing rewrites the report.
  const verdict = await run(
    { command: [NODE, 'run-tests.js'], coverage: 'coverage/lcov.info' },
    context(dir),
  );
  assert.equal(verdict.status, 'block');
  assert.match(verdict.summary, /coverage report coverage\/lcov\.info is older than this test run/);
});

test('a JUnit report older than the test run is stale and blocks, as a stale coverage report does', async (t) => {
  const dir = await appRepo(t);
  // A report an earlier run left (a self-hosted runner's workspace, or one committed) lists 120 passing tests;
  // this run's command wrote none (its JUnit reporter dropped, or it ran no test at all and exited 0). Read as
  // this run's, the gate passed on tests that did not run.
  const cases = Array.from({ length: 120 }, (_, i) => `<testcase classname="s" name="t${i}"/>`).join('');
  await writeFile(join(dir, 'junit.xml'), `<testsuite name="s" tests="120">${cases}</testsuite>`);
  const old = new Date(Date.now() - 3600_000);
  await utimes(join(dir, 'junit.xml'), old, old);
  const stale = await run({ command: [NODE, '-e', '0'], junit: 'junit.xml', thresholds: {} }, context(dir));
  assert.equal(stale.status, 'block');
  assert.match(
    stale.summary,
    /JUnit report junit\.xml is older than this test run: the test command did not write it/,
  );
  // Without a command the gate reads what an earlier step wrote, whenever it was written.
  const saved = await run({ junit: 'junit.xml', thresholds: {} }, context(dir));
  assert.equal(saved.status, 'pass', saved.summary);
  // Written by this run's command: read as before.
  const fresh = await run(
    {
      command: [NODE, '-e', `require('fs').utimesSync('junit.xml', new Date(), new Date())`],
      junit: 'junit.xml',
      thresholds: {},
    },
    context(dir),
  );
  assert.equal(fresh.status, 'pass', fresh.summary);
});

test('JUnit: a test case whose status says it failed, with no <failure> or <error>, is a failed test, not a pass', async (t) => {
  const dir = await appRepo(t);
  // CTest, Behave and Pester write status="fail" / "failed" / "Failed" beside their <failure>; without it the
  // test case read as passed.
  await writeFile(
    join(dir, 'junit.xml'),
    '<testsuite name="s" tests="3"><testcase name="a" status="Failed"/><testcase name="b" status="error"/><testcase name="c" status="run"/></testsuite>',
  );
  const verdict = await run({ junit: 'junit.xml', thresholds: {} }, context(dir));
  assert.equal(`${verdict.status}: ${verdict.summary}`, 'block: 2 of 3 tests failed');
  assert.deepEqual(
    verdict.findings.map((f) => f.message),
    [
      'a failed: status="Failed" and no <failure> element: the report does not say why (junit.xml)',
      'b errored: status="error" and no <error> element: the report does not say why (junit.xml)',
    ],
  );
});

test('JUnit: a failed test its suite lists again as passed (Gradle test-retry) still fails, and the finding says how to have it read as flaky', async (t) => {
  const dir = await appRepo(t);
  // Gradle with the test-retry plugin and no reports.junitXml.mergeReruns: each run its own <testcase>.
  await writeFile(
    join(dir, 'TEST-com.example.CartTest.xml'),
    `<?xml version="1.0" encoding="UTF-8"?>
<testsuite name="com.example.CartTest" tests="3" skipped="0" failures="1" errors="0" timestamp="2026-12-01T10:00:00" hostname="runner" time="0.4">
  <properties/>
  <testcase name="addsItem()" classname="com.example.CartTest" time="0.1">
    <failure message="org.opentest4j.AssertionFailedError: expected: &lt;2&gt; but was: &lt;1&gt;" type="org.opentest4j.AssertionFailedError">org.opentest4j.AssertionFailedError: expected: &lt;2&gt; but was: &lt;1&gt;</failure>
  </testcase>
  <testcase name="addsItem()" classname="com.example.CartTest" time="0.1"/>
  <testcase name="removesItem()" classname="com.example.CartTest" time="0.1"/>
  <system-out><![CDATA[]]></system-out>
  <system-err><![CDATA[]]></system-err>
</testsuite>`,
  );
  const verdict = await run({ junit: 'TEST-*.xml', thresholds: {} }, context(dir));
  assert.equal(`${verdict.status}: ${verdict.summary}`, 'block: 1 of 3 tests failed');
  assert.deepEqual(
    verdict.findings.map((f) => f.message),
    [
      'com.example.CartTest › addsItem() failed: org.opentest4j.AssertionFailedError: expected: <2> but was: <1> (TEST-com.example.CartTest.xml; the suite lists a test of this class and name as passed too: if that is a retry, have it written in the failed test case (Gradle: reports.junitXml.mergeReruns = true, read as flaky))',
    ],
  );
});

test('JUnit: failing and erroring tests are listed by name; a glob matching nothing blocks', async (t) => {
  const dir = await appRepo(t);
  await mkdir(join(dir, 'reports/unit'), { recursive: true });
  await cp(join(FIXTURES, 'junit-failing.xml'), join(dir, 'reports/unit/junit.xml'));
  await cp(join(FIXTURES, 'junit-passing.xml'), join(dir, 'reports/junit-more.xml'));
  const verdict = await run({ junit: 'reports/**/*.xml', thresholds: {} }, context(dir));
  assert.equal(verdict.status, 'block');
  assert.equal(verdict.summary, '2 of 6 tests failed');
  assert.deepEqual(verdict.findings, [
    {
      path: 'src/checkout.test.ts',
      line: 42,
      rule: 'tests.failed',
      severity: 'error',
      message: 'checkout › applies the discount failed: expected 90, got 100 (reports/unit/junit.xml)',
    },
    {
      rule: 'tests.failed',
      severity: 'error',
      message: 'payments › charges the card errored: ECONNREFUSED 127.0.0.1:5432 (reports/unit/junit.xml)',
    },
  ]);

  const passing = await run({ junit: 'reports/junit-more.xml', thresholds: {} }, context(dir));
  assert.equal(passing.status, 'pass');
  assert.equal(passing.summary, '2 tests in 1 JUnit report(s), none failed');

  const nothing = await run({ junit: 'out/*.xml', thresholds: {} }, context(dir));
  assert.equal(nothing.status, 'block');
  assert.equal(nothing.summary, `no JUnit report matched out/*.xml in ${dir}`);

  await writeFile(join(dir, 'reports/junit-more.xml'), '<testsuite name="x"><testcase name="a">');
  const truncated = await run({ junit: 'reports/junit-more.xml', thresholds: {} }, context(dir));
  assert.equal(truncated.status, 'block');
  assert.match(truncated.summary, /^reports\/junit-more\.xml:\d+:\d+: not well-formed XML/);
});

test('a tests gate that would check nothing (coverage off, no command, no JUnit) is refused by the schema', () => {
  const refused = testsGate.schema.safeParse({ thresholds: {} });
  assert.equal(refused.success, false);
  assert.equal(
    refused.error!.issues[0]!.message,
    'the tests gate needs a command, junit reports or a coverage threshold: as configured it checks nothing',
  );
  for (const config of [
    {},
    { thresholds: { branches: 50 } },
    { thresholds: {}, command: 'npm test' },
    { thresholds: {}, junit: 'reports/*.xml' },
  ])
    assert.equal(testsGate.schema.safeParse(config).success, true, JSON.stringify(config));
});

test('the schema refuses unknown keys and out-of-range thresholds', () => {
  assert.equal(testsGate.schema.safeParse({ comand: 'npm test' }).success, false);
  assert.equal(testsGate.schema.safeParse({ thresholds: { lines: 120 } }).success, false);
  assert.equal(
    testsGate.schema.safeParse({ command: 'npm test', timeout: '10m', required: true }).success,
    true,
  );
});
