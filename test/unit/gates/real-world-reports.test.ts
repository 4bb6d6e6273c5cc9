// Reports as real tools write them (Ant, Surefire, jest-junit, pytest, CodeQL, coverage.py, ...), not as
// this project's own tests happen to: each is read with the verdict a user of that tool expects, or
// refused with an error naming the file and what is wrong.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseJUnit } from '../../../src/gates/junit.ts';
import { sarifGate } from '../../../src/gates/sarif.ts';
import { testsGate } from '../../../src/gates/tests.ts';
import type { GateContext, GateVerdict } from '../../../src/gates/types.ts';

async function workdir(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'real-world-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function context(cwd: string): GateContext {
  return { cwd, changedFiles: async () => [], signal: new AbortController().signal, log: () => {}, env: {} };
}

async function junitVerdict(dir: string, xml: string): Promise<GateVerdict> {
  await writeFile(join(dir, 'TEST-report.xml'), xml);
  return testsGate.run(testsGate.schema.parse({ junit: 'TEST-report.xml', thresholds: {} }), context(dir));
}

// Ant's XMLJUnitResultFormatter: a test class that cannot be set up gets its <error> in the <testsuite>
// itself, with no test case around it (Jenkins reads it as a failed case named after the suite).
const ANT_CLASS_ERROR = `<?xml version="1.0" encoding="UTF-8" ?>
<testsuite errors="1" failures="0" hostname="build-7" name="com.example.DbTest" skipped="0" tests="1" time="0.012" timestamp="2024-05-01T10:00:00">
  <properties>
    <property name="java.version" value="17.0.9" />
  </properties>
  <error message="Could not initialize class com.example.Db" type="java.lang.NoClassDefFoundError">java.lang.NoClassDefFoundError: Could not initialize class com.example.Db
	at com.example.DbTest.setUp(DbTest.java:12)
</error>
  <system-out><![CDATA[]]></system-out>
  <system-err><![CDATA[]]></system-err>
</testsuite>
`;

test('JUnit: an <error> or <failure> of the suite itself (Ant) is a failed test, with or without a count for it', async (t) => {
  const dir = await workdir(t);
  const counted = await junitVerdict(dir, ANT_CLASS_ERROR);
  assert.equal(counted.status, 'block');
  assert.equal(counted.summary, '1 of 1 tests failed');
  assert.match(
    counted.findings[0]!.message,
    /^com\.example\.DbTest \(the suite itself\) errored: Could not initialize class com\.example\.Db \(TEST-report\.xml\)$/,
  );
  // Beside passing test cases and without errors="…" on the suite: still a failure, not a pass.
  const uncounted = await junitVerdict(
    dir,
    '<testsuite name="ui" tests="2"><testcase name="a"/><testcase name="b"/>' +
      '<failure message="browser disconnected" type="Error"/></testsuite>',
  );
  assert.equal(uncounted.status, 'block');
  assert.equal(uncounted.summary, '1 of 3 tests failed');
  assert.deepEqual(
    parseJUnit('<testsuites><testsuite name="s"><testcase name="a"/></testsuite></testsuites>', 'r.xml'),
    {
      tests: 1,
      skipped: 0,
      failures: [],
    },
  );
});

async function sarifVerdict(dir: string, log: unknown, config: object = {}): Promise<GateVerdict> {
  await writeFile(join(dir, 'scan.sarif'), JSON.stringify(log, null, 2));
  return sarifGate.run(sarifGate.schema.parse({ files: 'scan.sarif', ...config }), context(dir));
}

/** A SARIF 2.1.0 log with one run of `driver`, as the tools write it (tool, rules, results). */
function sarifLog(driver: object, results: object[], run: object = {}): object {
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{ tool: { driver }, results, ...run }],
  };
}

function located(uri: string, startLine: number, more: object = {}): object {
  return { locations: [{ physicalLocation: { artifactLocation: { uri }, region: { startLine } } }], ...more };
}

test('SARIF: a result whose baselineState is "absent" (fixed since the baseline) does not block', async (t) => {
  const dir = await workdir(t);
  // What `sarif match-results-forward` (Microsoft's SARIF multitool) writes: the baseline's results that
  // are gone are kept, marked "absent"; the others are "new", "unchanged" or "updated".
  const driver = { name: 'BinSkim', rules: [{ id: 'BA2008', defaultConfiguration: { level: 'error' } }] };
  const fixed = { ruleId: 'BA2008', ruleIndex: 0, message: { text: 'CFG is not enabled' } };
  const passed = await sarifVerdict(
    dir,
    sarifLog(driver, [
      { ...fixed, ...located('bin/app.dll', 1), baselineState: 'absent' },
      { ...fixed, ...located('bin/lib.dll', 1), level: 'note', baselineState: 'new' },
    ]),
  );
  assert.equal(passed.status, 'pass');
  assert.equal(
    passed.summary,
    'no blocking results in 1 SARIF file (1 below the thresholds, 1 fixed since the baseline)',
  );
  const blocked = await sarifVerdict(
    dir,
    sarifLog(driver, [
      { ...fixed, ...located('bin/app.dll', 1), baselineState: 'absent' },
      { ...fixed, ...located('bin/lib.dll', 1), baselineState: 'unchanged' },
    ]),
  );
  assert.equal(blocked.status, 'block');
  assert.deepEqual(
    blocked.findings.map((f) => f.path),
    ['bin/lib.dll'],
  );
  const wrong = await sarifVerdict(dir, sarifLog(driver, [{ ...fixed, baselineState: 'gone' }]));
  assert.equal(wrong.status, 'block');
  assert.match(
    wrong.summary,
    /^scan\.sarif: runs\[0\]\.results\[0\]\.baselineState is "gone", not one of "new", /,
  );
});

test('SARIF: the rule a result names decides its default level: hierarchical ids are found, dangling indexes refused', async (t) => {
  const dir = await workdir(t);
  const driver = {
    name: 'CodeAnalyzer',
    rules: [
      { id: 'CA2100', defaultConfiguration: { level: 'error' } },
      { id: 'CA1822', defaultConfiguration: { level: 'note' } },
    ],
  };
  // §3.27.5: "CA2100/1" is a more specific id of the rule listed as "CA2100", whose default is "error".
  const hierarchical = await sarifVerdict(
    dir,
    sarifLog(driver, [
      { ruleId: 'CA2100/1', message: { text: 'SQL built from user input' }, ...located('src/Db.cs', 41) },
    ]),
  );
  assert.equal(hierarchical.status, 'block');
  assert.equal(hierarchical.findings[0]!.message, 'CodeAnalyzer: SQL built from user input (level error)');
  // ruleIndex 2 names no rule: read without it, the result would default to "warning" and pass.
  const dangling = await sarifVerdict(
    dir,
    sarifLog(driver, [{ ruleIndex: 2, message: { text: 'x' }, ...located('src/Db.cs', 41) }]),
  );
  assert.equal(dangling.status, 'block');
  assert.equal(
    dangling.summary,
    'scan.sarif: runs[0].results[0]: ruleIndex 2 names no rule (CodeAnalyzer lists 2): the log is broken or cut short',
  );
  // A result with only a ruleIndex (no ruleId) takes its rule's id and level.
  const indexed = await sarifVerdict(
    dir,
    sarifLog(driver, [{ ruleIndex: 1, message: { text: 'static' }, ...located('src/Db.cs', 9) }]),
  );
  assert.equal(indexed.status, 'pass');
  assert.deepEqual(
    indexed.findings.map((f) => [f.rule, f.severity]),
    [['CA1822', 'notice']],
  );
});
