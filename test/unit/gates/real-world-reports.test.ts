// Reports as real tools write them (Ant, Surefire, jest-junit, pytest, CodeQL, coverage.py, ...), not as
// this project's own tests happen to: each is read with the verdict a user of that tool expects, or
// refused with an error naming the file and what is wrong.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditGate } from '../../../src/gates/audit.ts';
import { parseJUnit } from '../../../src/gates/junit.ts';
import { sarifGate } from '../../../src/gates/sarif.ts';
import { testsGate } from '../../../src/gates/tests.ts';
import type { ChangedFile, GateContext, GateVerdict } from '../../../src/gates/types.ts';
import { gateContext } from '../../helpers/gate-context.ts';

async function workdir(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'real-world-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const context = (cwd: string): GateContext => gateContext(cwd);

async function junitVerdict(dir: string, xml: string | Buffer): Promise<GateVerdict> {
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
      flaky: [],
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
  // Still in the code, so it blocks; its finding says it is no new one.
  assert.deepEqual(
    blocked.findings.map((f) => [f.path, f.message]),
    [
      [
        'bin/lib.dll',
        "BinSkim: CFG is not enabled (level error from its rule's default, unchanged since the baseline)",
      ],
    ],
  );
  assert.match(passed.findings[0]!.message, /\(level note, new since the baseline\)$/);
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
  assert.equal(
    hierarchical.findings[0]!.message,
    "CodeAnalyzer: SQL built from user input (level error from its rule's default)",
  );
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

/** coverage.py's XML report (`coverage xml`) of a run with two source roots (`--source=lib,src`). */
function coveragePyXml(dir: string): string {
  return `<?xml version="1.0" ?>
<coverage version="7.4.4" timestamp="1714557600000" lines-valid="6" lines-covered="4" line-rate="0.6667" branches-covered="0" branches-valid="0" branch-rate="0" complexity="0">
	<!-- Generated by coverage.py: https://coverage.readthedocs.io/en/7.4.4 -->
	<!-- Based on https://raw.githubusercontent.com/cobertura/web/master/htdocs/xml/coverage-04.dtd -->
	<sources>
		<source>${dir}/lib</source>
		<source>${dir}/src</source>
	</sources>
	<packages>
		<package name="app" line-rate="0.5" branch-rate="0" complexity="0">
			<classes>
				<class name="core.py" filename="app/core.py" complexity="0" line-rate="0.5" branch-rate="0">
					<methods/>
					<lines>
						<line number="1" hits="1"/>
						<line number="2" hits="1"/>
						<line number="3" hits="0"/>
						<line number="4" hits="0"/>
					</lines>
				</class>
			</classes>
		</package>
		<package name="helpers" line-rate="1" branch-rate="0" complexity="0">
			<classes>
				<class name="util.py" filename="helpers/util.py" complexity="0" line-rate="1" branch-rate="0">
					<methods/>
					<lines>
						<line number="1" hits="3"/>
						<line number="2" hits="3"/>
					</lines>
				</class>
			</classes>
		</package>
	</packages>
</coverage>
`;
}

test('Cobertura: each file is found under the <source> that holds it, not always under the first', async (t) => {
  const dir = await workdir(t);
  await mkdir(join(dir, 'src/app'), { recursive: true });
  await mkdir(join(dir, 'lib/helpers'), { recursive: true });
  await writeFile(join(dir, 'src/app/core.py'), 'import os\nX = 1\ndef f():\n    return os.sep\n');
  await writeFile(join(dir, 'lib/helpers/util.py'), 'A = 1\nB = 2\n');
  await writeFile(join(dir, 'coverage.xml'), coveragePyXml(dir));
  const changed: ChangedFile[] = [
    { path: 'src/app/core.py', addedLines: [3, 4], status: 'modified' },
    { path: 'lib/helpers/util.py', addedLines: [2], status: 'modified' },
  ];
  const verdict = await testsGate.run(
    testsGate.schema.parse({ coverage: 'coverage.xml', thresholds: { lines: 50, changed_lines: 80 } }),
    { ...context(dir), changedFiles: async () => changed },
  );
  // Read under lib/ (the first <source>), src/app/core.py was "not in the coverage report" and its two
  // uncovered changed lines were not counted: the gate passed.
  assert.equal(verdict.status, 'block');
  assert.equal(verdict.summary, 'changed-line coverage 33.3% < 80% (1/3 lines)');
  assert.deepEqual(
    verdict.findings.map((f) => [f.path, f.line, f.endLine]),
    [['src/app/core.py', 3, 4]],
  );
});

// `dotnet test --logger trx` (trimmed): Visual Studio's own format, not JUnit.
const TRX = `<?xml version="1.0" encoding="utf-8"?>
<TestRun id="6f0b1c5e-0c4e-4d0b-9a53-2f7b0c1e9d11" name="runner@build 2024-05-01 10:00:00" xmlns="http://microsoft.com/schemas/VisualStudio/TeamTest/2010">
  <ResultSummary outcome="Failed">
    <Counters total="2" executed="2" passed="1" failed="1" error="0" />
  </ResultSummary>
</TestRun>
`;

test('JUnit: a TRX, NUnit or xUnit.net file is refused, saying what it is and naming its root element', async (t) => {
  const dir = await workdir(t);
  const trx = await junitVerdict(dir, TRX);
  assert.equal(trx.status, 'block');
  assert.equal(
    trx.summary,
    'TEST-report.xml has <TestRun> as root, not <testsuites> or <testsuite>: not a JUnit report ' +
      '(it is a Visual Studio TRX file; have dotnet test write JUnit XML, e.g. --logger "junit" with the JunitXml.TestLogger package)',
  );
  const nunit = await junitVerdict(
    dir,
    '<?xml version="1.0"?><test-run id="2" testcasecount="3" result="Failed"/>',
  );
  assert.match(nunit.summary, /has <test-run> as root, .* \(it is an NUnit 3 result file; /);
  const xunit = await junitVerdict(
    dir,
    '<assemblies timestamp="05/01/2024 10:00:00"><assembly name="App.Tests.dll" total="3" failed="1"/></assemblies>',
  );
  assert.match(xunit.summary, /has <assemblies> as root, .* \(it is an xUnit\.net result file; /);
  // Any other root is named, with nothing made up about it.
  const other = await junitVerdict(dir, '<results><testcase name="a"/></results>');
  assert.equal(
    other.summary,
    'TEST-report.xml has <results> as root, not <testsuites> or <testsuite>: not a JUnit report',
  );
});

/** `yarn npm audit --json` of yarn 2 and 3: the registry's npm v1 report on one line, then yarn's events. */
function yarnBerryAudit(advisories: object, events: object[]): string {
  const counts = { info: 0, low: 0, moderate: 0, high: 0, critical: 0 };
  for (const advisory of Object.values(advisories) as Array<{ severity: keyof typeof counts }>)
    counts[advisory.severity]++;
  const report = {
    actions: [],
    advisories,
    muted: [],
    metadata: {
      vulnerabilities: counts,
      dependencies: 41,
      devDependencies: 0,
      optionalDependencies: 0,
      totalDependencies: 41,
    },
  };
  return [report, ...events].map((line) => JSON.stringify(line)).join('\n') + '\n';
}
const NO_SUGGESTIONS = {
  type: 'info',
  name: 1,
  displayName: 'YN0001',
  indent: '',
  data: 'No audit suggestions',
};
const SEMVER_ADVISORY = {
  '1092310': {
    findings: [{ version: '5.7.1', paths: ['semver'] }],
    id: 1092310,
    title: 'semver vulnerable to Regular Expression Denial of Service',
    module_name: 'semver',
    vulnerable_versions: '<5.7.2',
    patched_versions: '>=5.7.2',
    severity: 'moderate',
    github_advisory_id: 'GHSA-c2qf-rxjj-qqgw',
    url: 'https://github.com/advisories/GHSA-c2qf-rxjj-qqgw',
  },
};

test('audit: yarn 2/3 `yarn npm audit --json` (npm v1 report, then yarn events) is read, not taken for an unreachable service', async (t) => {
  const dir = await workdir(t);
  const audit = async (text: string): Promise<GateVerdict> => {
    await writeFile(join(dir, 'yarn-audit.json'), text);
    return auditGate.run(auditGate.schema.parse({ report: 'yarn-audit.json' }), context(dir));
  };
  const clean = await audit(yarnBerryAudit({}, [NO_SUGGESTIONS]));
  assert.deepEqual(clean, { status: 'pass', summary: 'no known vulnerabilities', findings: [] });
  // `--severity high` printed "No audit suggestions", but the report lists a moderate advisory: the
  // gate's own threshold (moderate) decides.
  const moderate = await audit(yarnBerryAudit(SEMVER_ADVISORY, [NO_SUGGESTIONS]));
  assert.equal(moderate.status, 'block');
  assert.match(
    moderate.findings[0]!.message,
    /^semver <5\.7\.2: moderate: .*\(GHSA-c2qf-rxjj-qqgw, fix available\)$/,
  );
  // Lines that are not yarn's events, or an error event, are still refused.
  const error = await audit(
    yarnBerryAudit({}, [
      { type: 'error', name: 1, displayName: 'YN0001', indent: '', data: 'HTTPError: 503' },
    ]),
  );
  assert.equal(error.status, 'block');
  assert.equal(error.summary, 'yarn-audit.json: the audit failed ("HTTPError: 503")');
  const other = await audit(yarnBerryAudit({}, [{ value: 'semver', children: {} }]));
  assert.equal(other.status, 'block');
  assert.match(other.summary, /^yarn-audit\.json did not give a JSON audit report: /);
});

test('a report in UTF-16 without a byte order mark (iconv -t UTF-16LE) is read like the UTF-8 one', async (t) => {
  const dir = await workdir(t);
  const xml =
    '<?xml version="1.0" encoding="UTF-16"?>\r\n<testsuites>\r\n  <testsuite name="api" tests="2" failures="0">\r\n' +
    '    <testcase classname="api" name="lists users"/>\r\n    <testcase classname="api" name="créé"/>\r\n' +
    '  </testsuite>\r\n</testsuites>\r\n';
  const le = Buffer.from(xml, 'utf16le');
  for (const [form, bytes] of [
    ['UTF-16LE', le],
    ['UTF-16BE', Buffer.from(le).swap16()],
  ] as const) {
    const verdict = await junitVerdict(dir, bytes);
    assert.deepEqual(
      [verdict.status, verdict.summary],
      ['pass', '2 tests in 1 JUnit report(s), none failed'],
      form,
    );
  }
  // Zero bytes in that pattern that do not make UTF-16 (a lone surrogate) are refused as such.
  const broken = Buffer.concat([Buffer.from('<\0t\0', 'latin1'), Buffer.from([0x00, 0xd8, 0x3e, 0x00])]);
  const refused = await junitVerdict(dir, broken);
  assert.equal(refused.status, 'block');
  assert.equal(
    refused.summary,
    'JUnit report TEST-report.xml:1:1: starts like UTF-16LE without a byte order mark (a zero byte after each of its first characters) but is not UTF-16LE text',
  );
});

// jest's default coverage reporters include "clover": coverage/clover.xml has a <coverage> root too.
const CLOVER = `<?xml version="1.0" encoding="UTF-8"?>
<coverage generated="1714557600000" clover="3.2.0">
  <project timestamp="1714557600000" name="All files">
    <metrics statements="4" coveredstatements="3" conditionals="2" coveredconditionals="1" methods="1" coveredmethods="1" elements="7" coveredelements="5" complexity="0" loc="4" ncloc="4" packages="1" files="1" classes="1"/>
    <file name="lib.js" path="/home/runner/work/app/app/lib.js">
      <metrics statements="4" coveredstatements="3" conditionals="2" coveredconditionals="1" methods="1" coveredmethods="1"/>
      <line num="1" count="1" type="stmt"/>
      <line num="2" count="1" type="cond" truecount="1" falsecount="0"/>
    </file>
  </project>
</coverage>
`;
const JACOCO =
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><!DOCTYPE report PUBLIC "-//JACOCO//DTD Report 1.1//EN" "report.dtd">' +
  '<report name="app"><sessioninfo id="build-1" start="1714557600000" dump="1714557601000"/>' +
  '<package name="com/example"><class name="com/example/A" sourcefilename="A.java"><counter type="LINE" missed="1" covered="3"/></class></package>' +
  '<counter type="LINE" missed="1" covered="3"/></report>';

test('coverage: a Clover or JaCoCo XML report is refused saying what it is, not as a Cobertura report missing lines-valid', async (t) => {
  const dir = await workdir(t);
  const coverage = async (name: string, xml: string): Promise<GateVerdict> => {
    await writeFile(join(dir, name), xml);
    return testsGate.run(testsGate.schema.parse({ coverage: name, thresholds: { lines: 80 } }), context(dir));
  };
  const clover = await coverage('clover.xml', CLOVER);
  assert.equal(clover.status, 'block');
  assert.match(
    clover.summary,
    /^clover\.xml is a Clover report, not Cobertura \(have the tool write Cobertura XML \(/,
  );
  const jacoco = await coverage('jacoco.xml', JACOCO);
  assert.equal(jacoco.status, 'block');
  assert.match(
    jacoco.summary,
    /^jacoco\.xml has no <coverage> root element: not a Cobertura report \(it is a JaCoCo XML report; have the tool write /,
  );
});

/** JUnit XML as each tool writes it (trimmed to a few cases), with the verdict its users expect. */
const JUNIT_BY_TOOL: Array<[string, string, string]> = [
  [
    'pytest --junitxml (xunit2: failure, skip, collection error)',
    `<?xml version="1.0" encoding="utf-8"?><testsuites name="pytest tests"><testsuite name="pytest" errors="1" failures="1" skipped="1" tests="4" time="0.123" timestamp="2024-05-01T10:00:00.000000+00:00" hostname="runner"><testcase classname="tests.test_api" name="test_ok" time="0.001" /><testcase classname="tests.test_api" name="test_bad" time="0.002"><failure message="assert 1 == 2">def test_bad():
&gt;       assert 1 == 2
E       assert 1 == 2

tests/test_api.py:5: AssertionError</failure></testcase><testcase classname="tests.test_api" name="test_skip" time="0.000"><skipped type="pytest.skip" message="not ready">tests/test_api.py:8: not ready</skipped></testcase><testcase classname="" name="tests.test_broken" time="0.000"><error message="collection failure">ImportError while importing test module</error></testcase></testsuite></testsuites>`,
    'block: 2 of 4 tests failed',
  ],
  [
    'pytest -o junit_family=xunit1 (a <testsuite> root)',
    `<?xml version="1.0" encoding="utf-8"?><testsuite errors="0" failures="0" hostname="runner" name="pytest" skipped="0" tests="1" time="0.010" timestamp="2024-05-01T10:00:00"><testcase classname="tests.test_a" file="tests/test_a.py" line="2" name="test_a" time="0.001"><properties><property name="owner" value="api"/></properties><system-out>log</system-out></testcase></testsuite>`,
    'pass: 1 tests in 1 JUnit report(s), none failed',
  ],
  [
    'Maven Surefire with reruns (flaky passed, rerun failed)',
    `<?xml version="1.0" encoding="UTF-8"?>
<testsuite xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="https://maven.apache.org/surefire/maven-surefire-plugin/xsd/surefire-test-report-3.0.xsd" version="3.0" name="com.example.ApiTest" time="0.231" tests="2" errors="0" skipped="0" failures="1">
  <properties><property name="java.version" value="21"/></properties>
  <testcase name="lists" classname="com.example.ApiTest" time="0.01">
    <flakyFailure message="expected: &lt;200&gt; but was: &lt;503&gt;" type="org.opentest4j.AssertionFailedError"><stackTrace><![CDATA[org.opentest4j.AssertionFailedError]]></stackTrace></flakyFailure>
  </testcase>
  <testcase name="creates" classname="com.example.ApiTest" time="0.02">
    <failure message="expected: &lt;201&gt; but was: &lt;500&gt;" type="org.opentest4j.AssertionFailedError"><![CDATA[org.opentest4j.AssertionFailedError]]></failure>
    <rerunFailure message="expected: &lt;201&gt; but was: &lt;500&gt;" type="org.opentest4j.AssertionFailedError"><stackTrace><![CDATA[...]]></stackTrace></rerunFailure>
    <system-out><![CDATA[POST /users]]></system-out>
  </testcase>
</testsuite>`,
    'block: 1 of 2 tests failed',
  ],
  [
    'Gradle (one file per class, <skipped/>, failure without message)',
    `<?xml version="1.0" encoding="UTF-8"?>
<testsuite name="com.example.DbTest" tests="3" skipped="1" failures="1" errors="0" timestamp="2024-05-01T10:00:00" hostname="runner" time="0.05">
  <properties/>
  <testcase name="connects" classname="com.example.DbTest" time="0.01"/>
  <testcase name="migrates" classname="com.example.DbTest" time="0.0"><skipped/></testcase>
  <testcase name="rollsBack" classname="com.example.DbTest" time="0.02"><failure type="java.lang.AssertionError">java.lang.AssertionError
	at com.example.DbTest.rollsBack(DbTest.java:31)</failure></testcase>
  <system-out><![CDATA[]]></system-out>
  <system-err><![CDATA[]]></system-err>
</testsuite>`,
    'block: 1 of 3 tests failed',
  ],
  [
    'gotestsum --junitfile (a package whose TestMain failed, no test counted)',
    `<?xml version="1.0" encoding="UTF-8"?>
<testsuites tests="1" failures="0" errors="0" time="0.512">
	<testsuite tests="1" failures="0" time="0.010" name="example.com/app/api" timestamp="2024-05-01T10:00:00Z">
		<properties><property name="go.version" value="go1.22.2 linux/amd64"></property></properties>
		<testcase classname="example.com/app/api" name="TestList" time="0.000"></testcase>
	</testsuite>
	<testsuite tests="0" failures="0" time="0.000" name="example.com/app/db" timestamp="2024-05-01T10:00:00Z">
		<properties><property name="go.version" value="go1.22.2 linux/amd64"></property></properties>
		<testcase classname="example.com/app/db" name="TestMain" time="0.000"><failure message="Failed" type="">panic: DATABASE_URL is not set</failure></testcase>
	</testsuite>
</testsuites>`,
    'block: 1 of 2 tests failed',
  ],
  [
    'mocha-junit-reporter (an empty Root Suite, a failing hook)',
    `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="Mocha Tests" time="0.0120" tests="2" failures="1">
  <testsuite name="Root Suite" timestamp="2024-05-01T10:00:00" tests="0" file="test/api.spec.js" time="0.0000" failures="0">
  </testsuite>
  <testsuite name="api" timestamp="2024-05-01T10:00:00" tests="2" file="test/api.spec.js" time="0.0120" failures="1">
    <testcase name="api lists" time="0.0010" classname="lists">
    </testcase>
    <testcase name="api &quot;before each&quot; hook for &quot;creates&quot;" time="0.0000" classname="&quot;before each&quot; hook for &quot;creates&quot;">
      <failure message="connect ECONNREFUSED 127.0.0.1:5432" type="Error"><![CDATA[Error: connect ECONNREFUSED 127.0.0.1:5432
    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1555:16)]]></failure>
    </testcase>
  </testsuite>
</testsuites>`,
    'block: 1 of 2 tests failed',
  ],
  [
    'vitest --reporter=junit (a test file that failed to load)',
    `<?xml version="1.0" encoding="UTF-8" ?>
<testsuites name="vitest tests" tests="1" failures="1" errors="0" time="0.3">
    <testsuite name="src/db.test.ts" timestamp="2024-05-01T10:00:00.000Z" hostname="runner" tests="1" failures="1" errors="0" skipped="0" time="0">
        <testcase classname="src/db.test.ts" name="src/db.test.ts" time="0">
            <failure message="Failed to load url ./missing (resolved id: ./missing) in /r/src/db.test.ts. Does the file exist?" type="Error">
Error: Failed to load url ./missing (resolved id: ./missing) in /r/src/db.test.ts. Does the file exist?
            </failure>
        </testcase>
    </testsuite>
</testsuites>`,
    'block: 1 of 1 tests failed',
  ],
  [
    'PHPUnit (suites nested per test class and data provider)',
    `<?xml version="1.0" encoding="UTF-8"?>
<testsuites>
  <testsuite name="" tests="3" assertions="3" errors="0" warnings="0" failures="1" skipped="0" time="0.01">
    <testsuite name="Unit" tests="3" assertions="3" errors="0" warnings="0" failures="1" skipped="0" time="0.01">
      <testsuite name="Tests\\PriceTest" file="/r/tests/PriceTest.php" tests="3" assertions="3" errors="0" warnings="0" failures="1" skipped="0" time="0.01">
        <testsuite name="Tests\\PriceTest::testRounds" tests="2" assertions="2" errors="0" warnings="0" failures="1" skipped="0" time="0.005">
          <testcase name="testRounds with data set #0" class="Tests\\PriceTest" classname="Tests.PriceTest" file="/r/tests/PriceTest.php" line="14" assertions="1" time="0.002"/>
          <testcase name="testRounds with data set #1" class="Tests\\PriceTest" classname="Tests.PriceTest" file="/r/tests/PriceTest.php" line="14" assertions="1" time="0.003">
            <failure type="PHPUnit\\Framework\\ExpectationFailedException">Tests\\PriceTest::testRounds with data set #1 (1.005, 1.01)
Failed asserting that 1.0 matches expected 1.01.</failure>
          </testcase>
        </testsuite>
        <testcase name="testFormats" class="Tests\\PriceTest" classname="Tests.PriceTest" file="/r/tests/PriceTest.php" line="30" assertions="1" time="0.001"/>
      </testsuite>
    </testsuite>
  </testsuite>
</testsuites>`,
    'block: 1 of 3 tests failed',
  ],
];

// googletest --gtest_output=xml (1.12 and later): a DISABLED_ test is listed with status="notrun" and no
// <skipped> (counted in disabled="…"), a GTEST_SKIP() one with result="skipped" and a <skipped>.
const GTEST = `<?xml version="1.0" encoding="UTF-8"?>
<testsuites tests="3" failures="0" disabled="1" skipped="1" errors="0" time="0.002" timestamp="2024-05-01T10:00:00.000" name="AllTests">
  <testsuite name="MathTest" tests="3" failures="0" disabled="1" skipped="1" errors="0" time="0.001" timestamp="2024-05-01T10:00:00.000">
    <testcase name="Adds" file="math_test.cc" line="5" status="run" result="completed" time="0." timestamp="2024-05-01T10:00:00.000" classname="MathTest" />
    <testcase name="DISABLED_Divides" file="math_test.cc" line="9" status="notrun" result="suppressed" time="0" timestamp="2024-05-01T10:00:00.000" classname="MathTest" />
    <testcase name="Rounds" file="math_test.cc" line="13" status="run" result="skipped" time="0." timestamp="2024-05-01T10:00:00.000" classname="MathTest">
      <skipped message="math_test.cc:14&#x0A;not on this platform"><![CDATA[math_test.cc:14
not on this platform]]></skipped>
    </testcase>
  </testsuite>
</testsuites>`;

test('JUnit: a googletest DISABLED_ test (status="notrun") did not run: skipped, not passed', async (t) => {
  const dir = await workdir(t);
  const verdict = await junitVerdict(dir, GTEST);
  assert.equal(
    `${verdict.status}: ${verdict.summary}`,
    'pass: 3 tests (2 skipped) in 1 JUnit report(s), none failed',
  );
  const allDisabled = await junitVerdict(
    dir,
    GTEST.replace('status="run" result="completed"', 'status="notrun" result="suppressed"').replace(
      'status="run" result="skipped"',
      'status="notrun" result="suppressed"',
    ),
  );
  assert.equal(allDisabled.status, 'block');
  assert.match(
    allDisabled.summary,
    /every one of the 3 test case\(s\) in TEST-report\.xml was skipped: no test ran/,
  );
});

test('JUnit: each tool’s own report gives the counts and verdict its users expect', async (t) => {
  const dir = await workdir(t);
  for (const [tool, xml, expected] of JUNIT_BY_TOOL) {
    for (const [form, text] of [
      ['LF', xml],
      ['CRLF', xml.replace(/\n/g, '\r\n')],
    ] as const) {
      const verdict = await junitVerdict(dir, text);
      assert.equal(`${verdict.status}: ${verdict.summary}`, expected, `${tool} (${form})`);
    }
  }
});

/** SARIF as the scanners write it (trimmed), with the verdict of the default thresholds (level error, security-severity 7). */
const SARIF_BY_TOOL: Array<[string, object, string]> = [
  [
    'Semgrep: levels from the rules (ERROR → error, WARNING → warning), none on the results',
    sarifLog(
      {
        name: 'Semgrep OSS',
        semanticVersion: '1.70.0',
        rules: [
          {
            id: 'python.flask.security.injection.sql',
            defaultConfiguration: { level: 'error' },
            properties: { precision: 'very-high', tags: ['CWE-89', 'security'] },
          },
          {
            id: 'python.lang.best-practice.open-never-closed',
            defaultConfiguration: { level: 'warning' },
            properties: {},
          },
        ],
      },
      [
        {
          ruleId: 'python.flask.security.injection.sql',
          message: { text: 'User data flows into a SQL query' },
          fingerprints: { 'matchBasedId/v1': 'a1' },
          properties: {},
          ...located('app/db.py', 12),
        },
        {
          ruleId: 'python.lang.best-practice.open-never-closed',
          message: { text: 'file object opened without a close' },
          fingerprints: { 'matchBasedId/v1': 'b2' },
          properties: {},
          ...located('app/io.py', 3),
        },
      ],
      { invocations: [{ executionSuccessful: true, toolExecutionNotifications: [] }] },
    ),
    'block: 1 blocking result(s) in 1 SARIF file (1 below the thresholds)',
  ],
  [
    'Trivy (fs): security-severity on the rules, paths against ROOTPATH file:///',
    sarifLog(
      {
        fullName: 'Trivy Vulnerability Scanner',
        informationUri: 'https://github.com/aquasecurity/trivy',
        name: 'Trivy',
        rules: [
          {
            id: 'CVE-2024-4068',
            name: 'LanguageSpecificPackageVulnerability',
            shortDescription: { text: 'braces: fails to limit the number of characters it can handle' },
            defaultConfiguration: { level: 'error' },
            properties: {
              precision: 'very-high',
              'security-severity': '7.5',
              tags: ['vulnerability', 'security', 'HIGH'],
            },
          },
        ],
        version: '0.50.1',
      },
      [
        {
          ruleId: 'CVE-2024-4068',
          ruleIndex: 0,
          level: 'error',
          message: { text: 'Package: braces\nInstalled Version: 3.0.2\nVulnerability CVE-2024-4068' },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: 'package-lock.json', uriBaseId: 'ROOTPATH' },
                region: { startLine: 1, startColumn: 1, endLine: 1, endColumn: 1 },
              },
              message: { text: 'package-lock.json: braces@3.0.2' },
            },
          ],
        },
      ],
      { columnKind: 'utf16CodeUnits', originalUriBaseIds: { ROOTPATH: { uri: 'file:///' } } },
    ),
    'block: 1 blocking result(s) in 1 SARIF file',
  ],
  [
    'CodeQL: rules in a query pack extension, a "warning" with security-severity 8.8, a suppressed note',
    {
      version: '2.1.0',
      runs: [
        {
          tool: {
            driver: { name: 'CodeQL', semanticVersion: '2.17.0', rules: [] },
            extensions: [
              {
                name: 'codeql/javascript-queries',
                rules: [
                  {
                    id: 'js/path-injection',
                    defaultConfiguration: { level: 'error' },
                    properties: { 'security-severity': '7.5' },
                  },
                  { id: 'js/unused-local-variable', defaultConfiguration: { level: 'note' }, properties: {} },
                  {
                    id: 'js/xss',
                    defaultConfiguration: { level: 'warning' },
                    properties: { 'security-severity': '8.8' },
                  },
                ],
              },
            ],
          },
          results: [
            {
              ruleId: 'js/xss',
              rule: { id: 'js/xss', index: 2, toolComponent: { index: 0 } },
              message: { text: 'Cross-site scripting from a user-provided value' },
              ...located('src/view.js', 40),
            },
            {
              ruleId: 'js/unused-local-variable',
              rule: { id: 'js/unused-local-variable', index: 1, toolComponent: { index: 0 } },
              message: { text: 'Unused variable x.' },
              ...located('src/view.js', 3),
              suppressions: [{ kind: 'inSource' }],
            },
          ],
        },
      ],
    },
    'block: 1 blocking result(s) in 1 SARIF file (1 suppressed)',
  ],
];

test('SARIF: each scanner’s own log gives the verdict its users expect', async (t) => {
  const dir = await workdir(t);
  for (const [tool, log, expected] of SARIF_BY_TOOL) {
    const verdict = await sarifVerdict(dir, log);
    assert.equal(`${verdict.status}: ${verdict.summary}`, expected, tool);
  }
});

test('JUnit: pytest’s line="…" (junit_family=xunit1) is 0-based: the annotation lands on the def line', async (t) => {
  const dir = await workdir(t);
  // tests/test_api.py: line 1 "import pytest", line 2 blank, line 3 "def test_bad():"; pytest writes line="2".
  const verdict = await junitVerdict(
    dir,
    '<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" errors="0" failures="1" skipped="0" tests="2" time="0.05">' +
      '<testcase classname="tests.test_api" file="tests/test_api.py" line="2" name="test_bad" time="0.001"><failure message="assert 1 == 2">E assert 1 == 2</failure></testcase>' +
      '<testcase classname="tests.test_api" file="tests/test_api.py" line="0" name="test_first" time="0.001"><failure message="boom">E boom</failure></testcase>' +
      '</testsuite></testsuites>',
  );
  assert.deepEqual(
    verdict.findings.map((f) => [f.path, f.line]),
    [
      ['tests/test_api.py', 3],
      ['tests/test_api.py', 1],
    ],
  );
  // Other tools' lines (PHPUnit, a suite not named "pytest") are 1-based and stay as written.
  const phpunit = await junitVerdict(
    dir,
    '<testsuites><testsuite name="Unit"><testcase name="testA" file="tests/ATest.php" line="14"><failure>x</failure></testcase></testsuite></testsuites>',
  );
  assert.deepEqual(
    phpunit.findings.map((f) => [f.path, f.line]),
    [['tests/ATest.php', 14]],
  );
});

test('SARIF: a passed or not-applicable check of a severe rule does not block on its security-severity', async (t) => {
  const dir = await workdir(t);
  // BinSkim (verbose) reports every check it ran: "pass" and "notApplicable" results are not problems
  // (§3.27.9), whatever the rule's security-severity.
  const driver = {
    name: 'BinSkim',
    rules: [{ id: 'BA2008', name: 'EnableControlFlowGuard', properties: { 'security-severity': '9.0' } }],
  };
  // A BA2008 result: `text` about `file` (none: about the run), with `fields` (its kind, level).
  const cfg = (text: string, file: string | undefined, fields: object = {}) => ({
    ruleId: 'BA2008',
    ruleIndex: 0,
    ...fields,
    message: { text },
    ...(file ? located(file, 1) : {}),
  });
  const passed = await sarifVerdict(
    dir,
    sarifLog(driver, [
      cfg('app.dll enables Control Flow Guard', 'bin/app.dll', { kind: 'pass', level: 'none' }),
      cfg('lib.so is not a PE binary', 'bin/lib.so', { kind: 'notApplicable' }),
      cfg('CFG checked on 2 binaries', undefined, { kind: 'informational' }),
    ]),
  );
  assert.equal(passed.status, 'pass');
  assert.equal(passed.summary, 'no blocking results in 1 SARIF file (3 below the thresholds)');
  // A failing check ("fail", the default kind) or one left "open" for review still blocks on it.
  const failed = await sarifVerdict(
    dir,
    sarifLog(driver, [
      cfg('app.dll does not enable Control Flow Guard', 'bin/app.dll', { level: 'warning' }),
      cfg('could not tell for lib.dll', 'bin/lib.dll', { kind: 'open' }),
    ]),
  );
  assert.equal(failed.status, 'block');
  assert.deepEqual(
    failed.findings.map((f) => f.message),
    [
      'BinSkim: app.dll does not enable Control Flow Guard (level warning, security-severity 9)',
      'BinSkim: could not tell for lib.dll (level none for a kind other than "fail", security-severity 9)',
    ],
  );
});

test('coverage: a report whose name does not tell its format (Bazel’s _coverage_report.dat) is read by its content', async (t) => {
  const dir = await workdir(t);
  const coverage = async (name: string, text: string): Promise<GateVerdict> => {
    await writeFile(join(dir, name), text);
    return testsGate.run(testsGate.schema.parse({ coverage: name, thresholds: { lines: 80 } }), context(dir));
  };
  // `bazel coverage --combined_report=lcov` writes lcov as bazel-out/_coverage/_coverage_report.dat.
  const bazel = await coverage(
    '_coverage_report.dat',
    'SF:src/main/java/com/example/Lib.java\nFN:3,com/example/Lib::<init> ()V\nFNDA:1,com/example/Lib::<init> ()V\nFNF:1\nFNH:1\nDA:3,1\nDA:5,1\nDA:6,0\nLH:2\nLF:3\nend_of_record\n',
  );
  assert.equal(bazel.status, 'block');
  assert.equal(bazel.summary, 'lines coverage 66.7% < 80% (2/3, _coverage_report.dat)');
  // Go's cover profile is none of the three: refused, saying what it is.
  const go = await coverage('coverage.out', 'mode: set\nexample.com/app/lib.go:3.20,5.2 1 1\n');
  assert.equal(go.status, 'block');
  assert.match(
    go.summary,
    /^coverage\.out: cannot tell the coverage format from the name or the content \(.*\); it is a Go cover profile: convert it, e\.g\. with gocover-cobertura$/,
  );
});

test('coverage: istanbul’s coverage-final.json or coverage.py’s coverage.json is refused saying what it is', async (t) => {
  const dir = await workdir(t);
  const coverage = async (name: string, data: object): Promise<GateVerdict> => {
    await writeFile(join(dir, name), JSON.stringify(data));
    return testsGate.run(testsGate.schema.parse({ coverage: name, thresholds: { lines: 80 } }), context(dir));
  };
  const final = await coverage('coverage-final.json', {
    '/r/src/lib.js': {
      path: '/r/src/lib.js',
      statementMap: { '0': { start: { line: 1, column: 0 }, end: { line: 1, column: 10 } } },
      fnMap: {},
      branchMap: {},
      s: { '0': 1 },
      f: {},
      b: {},
    },
  });
  assert.equal(final.status, 'block');
  assert.equal(
    final.summary,
    'coverage-final.json has no "total" object: not an istanbul json-summary report (it is istanbul\'s "json" report, coverage-final.json: add the "json-summary" reporter and read coverage-summary.json)',
  );
  const python = await coverage('coverage.json', {
    meta: {
      format: 3,
      version: '7.4.4',
      timestamp: '2024-05-01T10:00:00',
      branch_coverage: false,
      show_contexts: false,
    },
    files: {
      'app/core.py': {
        executed_lines: [1, 2],
        summary: { covered_lines: 2, num_statements: 4 },
        missing_lines: [3, 4],
        excluded_lines: [],
      },
    },
    totals: {
      covered_lines: 2,
      num_statements: 4,
      percent_covered: 50,
      percent_covered_display: '50',
      missing_lines: 2,
      excluded_lines: 0,
    },
  });
  assert.equal(python.status, 'block');
  assert.match(
    python.summary,
    /not an istanbul json-summary report \(it is coverage\.py's JSON report: write Cobertura with "coverage xml" or lcov with "coverage lcov"\)$/,
  );
});

// Cobertura 1.9 (cobertura-maven-plugin 2.5) writes rates only: no lines-valid or lines-covered.
const COBERTURA_1_9 = `<?xml version="1.0"?>
<!DOCTYPE coverage SYSTEM "http://cobertura.sourceforge.net/xml/coverage-04.dtd">

<coverage line-rate="0.6666666666666666" branch-rate="0.5" version="1.9.4.1" timestamp="1714557600000">
\t<sources>
\t\t<source>/home/runner/work/app/app/src/main/java</source>
\t</sources>
\t<packages>
\t\t<package name="com.example" line-rate="0.6666666666666666" branch-rate="0.5" complexity="1.5">
\t\t\t<classes>
\t\t\t\t<class name="com.example.Lib" filename="com/example/Lib.java" line-rate="0.6666666666666666" branch-rate="0.5" complexity="1.5">
\t\t\t\t\t<methods>
\t\t\t\t\t\t<method name="add" signature="(II)I" line-rate="1.0" branch-rate="1.0">
\t\t\t\t\t\t\t<lines><line number="5" hits="3" branch="false"/></lines>
\t\t\t\t\t\t</method>
\t\t\t\t\t</methods>
\t\t\t\t\t<lines>
\t\t\t\t\t\t<line number="5" hits="3" branch="false"/>
\t\t\t\t\t\t<line number="8" hits="1" branch="true" condition-coverage="50% (1/2)"><conditions><condition number="0" type="jump" coverage="50%"/></conditions></line>
\t\t\t\t\t\t<line number="9" hits="0" branch="false"/>
\t\t\t\t\t</lines>
\t\t\t\t</class>
\t\t\t</classes>
\t\t</package>
\t</packages>
</coverage>
`;

test('Cobertura 1.9 (rates only, no lines-valid) counts its lines from the <line> elements', async (t) => {
  const dir = await workdir(t);
  await writeFile(join(dir, 'coverage.xml'), COBERTURA_1_9);
  const run = (thresholds: object) =>
    testsGate.run(testsGate.schema.parse({ coverage: 'coverage.xml', thresholds }), context(dir));
  const passed = await run({ lines: 60 });
  assert.deepEqual([passed.status, passed.summary], ['pass', 'lines 66.7%']);
  const blocked = await run({ lines: 80 });
  assert.equal(blocked.summary, 'lines coverage 66.7% < 80% (2/3, coverage.xml)');
  // Branches are not counted by it: a branch threshold blocks instead of guessing.
  const branches = await run({ branches: 50 });
  assert.match(branches.summary, /^no coverage report carries branches \(read coverage\.xml\)/);
  // Neither counts nor <line> elements: nothing says how much was covered.
  await writeFile(
    join(dir, 'coverage.xml'),
    '<coverage line-rate="1.0" branch-rate="1.0" version="1.9"><packages/></coverage>',
  );
  const empty = await run({ lines: 60 });
  assert.equal(
    empty.summary,
    'coverage.xml: <coverage lines-valid="…"> is missing or not a count (0 to 2^53)',
  );
});

test('coverage: with one report per package (a monorepo), every report is held to the thresholds, not only the first', async (t) => {
  const dir = await workdir(t);
  const lcov = (file: string, hit: number, found: number) =>
    `TN:\nSF:${file}\n${Array.from({ length: found }, (_, i) => `DA:${i + 1},${i < hit ? 1 : 0}`).join('\n')}\nLF:${found}\nLH:${hit}\nend_of_record\n`;
  await mkdir(join(dir, 'packages/api/coverage'), { recursive: true });
  await mkdir(join(dir, 'packages/web/coverage'), { recursive: true });
  await writeFile(join(dir, 'packages/api/coverage/lcov.info'), lcov('packages/api/src/a.ts', 9, 10));
  await writeFile(join(dir, 'packages/web/coverage/lcov.info'), lcov('packages/web/src/b.ts', 1, 10));
  const run = (coverage: string[], lines: number) =>
    testsGate.run(testsGate.schema.parse({ coverage, thresholds: { lines } }), context(dir));
  const reports = ['packages/api/coverage/lcov.info', 'packages/web/coverage/lcov.info'];
  const blocked = await run(reports, 80);
  assert.equal(blocked.status, 'block');
  assert.equal(blocked.summary, 'lines coverage 10.0% < 80% (1/10, packages/web/coverage/lcov.info)');
  const passed = await run(reports, 10);
  assert.deepEqual([passed.status, passed.summary], ['pass', 'lines 10.0%']);
  // A package whose run instrumented nothing blocks as such, whatever the others measured.
  await writeFile(
    join(dir, 'packages/web/coverage/lcov.info'),
    'TN:\nSF:packages/web/src/b.ts\nLF:0\nLH:0\nend_of_record\n',
  );
  const empty = await run(reports, 10);
  assert.equal(
    empty.summary,
    'packages/web/coverage/lcov.info counts no lines at all (0/0): the test run instrumented no code, so coverage cannot be judged',
  );
});

// PHPUnit 9's --log-junit for its own StatusTest (tests/TextUI/log-junit.phpt): the risky test is an <error>
// of type RiskyTestError, counted in errors="2". PHPUnit passes a run with risky tests (unless
// --fail-on-risky), and PHPUnit 10 writes them as passed: the gate fails the real error and failure only.
const PHPUNIT_9_STATUS = `<?xml version="1.0" encoding="UTF-8"?>
<testsuites>
  <testsuite name="StatusTest" file="/app/tests/StatusTest.php" tests="6" assertions="2" errors="2" failures="1" skipped="2" time="0.004">
    <testcase name="testSuccess" class="StatusTest" file="/app/tests/StatusTest.php" line="5" assertions="1" time="0.001"/>
    <testcase name="testFailure" class="StatusTest" file="/app/tests/StatusTest.php" line="10" assertions="1" time="0.001">
      <failure type="PHPUnit\\Framework\\ExpectationFailedException">StatusTest::testFailure
Failed asserting that false is true.

/app/tests/StatusTest.php:12
</failure>
    </testcase>
    <testcase name="testError" class="StatusTest" file="/app/tests/StatusTest.php" line="15" assertions="0" time="0.001">
      <error type="Exception">StatusTest::testError
Exception:

/app/tests/StatusTest.php:17
</error>
    </testcase>
    <testcase name="testIncomplete" class="StatusTest" file="/app/tests/StatusTest.php" line="20" assertions="0" time="0.000">
      <skipped/>
    </testcase>
    <testcase name="testSkipped" class="StatusTest" file="/app/tests/StatusTest.php" line="25" assertions="0" time="0.000">
      <skipped/>
    </testcase>
    <testcase name="testRisky" class="StatusTest" file="/app/tests/StatusTest.php" line="30" assertions="0" time="0.000">
      <error type="PHPUnit\\Framework\\RiskyTestError">Risky Test
</error>
    </testcase>
  </testsuite>
</testsuites>
`;

test('JUnit: a PHPUnit 9 risky test (an <error> of type RiskyTestError) is not a failed test', async (t) => {
  const dir = await workdir(t);
  const verdict = await junitVerdict(dir, PHPUNIT_9_STATUS);
  assert.equal(verdict.status, 'block');
  assert.deepEqual(
    verdict.findings.map((f) => f.message.split(':')[0]),
    ['testFailure failed', 'testError errored'],
  );
  const risky = await junitVerdict(
    dir,
    PHPUNIT_9_STATUS.replace(/\s*<testcase name="test(Failure|Error)"[\s\S]*?<\/testcase>/g, '')
      .replace('errors="2" failures="1"', 'errors="1" failures="0"')
      .replace('tests="6"', 'tests="4"'),
  );
  assert.equal(risky.status, 'pass', risky.summary);
});

// jest-junit (buildJsonResults.js): a skipped test gets <skipped/>; a test.todo() gets a plain <testcase>, as
// if it had passed, and is left out of tests="…" (failing + passing + pending).
const JEST_JUNIT_TODO = `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="jest tests" tests="3" failures="0" errors="0" time="0.512">
  <testsuite name="cart" errors="0" failures="0" skipped="1" timestamp="2024-05-01T10:00:00" time="0.2" tests="3">
    <testcase classname="cart adds an item" name="cart adds an item" time="0.003">
    </testcase>
    <testcase classname="cart removes an item" name="cart removes an item" time="0.001">
    </testcase>
    <testcase classname="cart applies a coupon" name="cart applies a coupon" time="0">
      <skipped/>
    </testcase>
    <testcase classname="cart refunds" name="cart refunds" time="0">
    </testcase>
  </testsuite>
</testsuites>
`;

test('JUnit: jest-junit’s skipped and todo tests are counted as not run, not as passed', async (t) => {
  const dir = await workdir(t);
  const verdict = await junitVerdict(dir, JEST_JUNIT_TODO);
  assert.equal(
    `${verdict.status}: ${verdict.summary}`,
    'pass: 4 tests (2 skipped) in 1 JUnit report(s), none failed',
  );
});

// jest-junit (buildJsonResults.js) with reportTestSuiteErrors "true": a test file that failed to run (here a
// syntax error) is a suite with errors="1" and tests="0" holding one <testcase> named after the file, with
// the classname "Test suite failed to run" and Jest's failure message, whose first line is only a heading.
const JEST_JUNIT_SUITE_ERROR = `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="jest tests" tests="1" failures="0" errors="1" time="0.9">
  <testsuite name="cart" errors="0" failures="0" skipped="0" timestamp="2024-05-01T10:00:00" time="0.2" tests="1">
    <testcase classname="cart adds an item" name="cart adds an item" time="0.003">
    </testcase>
  </testsuite>
  <testsuite name="src/broken.test.js" errors="1" failures="0" skipped="0" timestamp="2024-05-01T10:00:00" time="0" tests="0">
    <testcase classname="Test suite failed to run" name="src/broken.test.js" time="0">
      <error>  ● Test suite failed to run

    SyntaxError: /r/src/broken.test.js: Unexpected token (3:14)

      1 | test('x', () =&gt; {
    </error>
    </testcase>
  </testsuite>
</testsuites>
`;

test('JUnit: a jest-junit test file that failed to run (reportTestSuiteErrors) blocks, on the file, with the error', async (t) => {
  const dir = await workdir(t);
  const verdict = await junitVerdict(dir, JEST_JUNIT_SUITE_ERROR);
  assert.equal(verdict.status, 'block');
  assert.equal(verdict.summary, '1 of 2 tests failed');
  assert.equal(verdict.findings.length, 1);
  assert.equal(verdict.findings[0]!.path, 'src/broken.test.js');
  assert.equal(
    verdict.findings[0]!.message,
    'Test suite failed to run › src/broken.test.js errored: SyntaxError: /r/src/broken.test.js: Unexpected token (3:14) (TEST-report.xml)',
  );
});

test('JUnit: a suite counting errors with no test case in it failed to run: a failed test, not a truncated report', async (t) => {
  const dir = await workdir(t);
  const verdict = await junitVerdict(
    dir,
    `<testsuites tests="1" failures="0" errors="2">
  <testsuite name="api" tests="1" errors="0" failures="0"><testcase name="lists"/></testsuite>
  <testsuite name="src/db.test.js" tests="0" errors="2" failures="0"></testsuite>
</testsuites>`,
  );
  assert.equal(verdict.status, 'block');
  assert.equal(verdict.summary, '1 of 2 tests failed');
  assert.match(
    verdict.findings[0]!.message,
    /^src\/db\.test\.js \(the suite failed to run\) errored: errors="2" and no test case: the suite failed to run/,
  );
});

// jest-junit without reportTestSuiteErrors (its default): a test file that failed to run is left out of the
// report altogether. jest exits 1; the report lists only the files that ran, all passing.
const JEST_JUNIT_WITHOUT_SUITE_ERRORS = `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="jest tests" tests="1" failures="0" errors="0" time="0.9">
  <testsuite name="cart" errors="0" failures="0" skipped="0" timestamp="2024-05-01T10:00:00" time="0.2" tests="1">
    <testcase classname="cart adds an item" name="cart adds an item" time="0.003">
    </testcase>
  </testsuite>
</testsuites>
`;

test('JUnit: a failed test command whose jest-junit report lists no failure points to reportTestSuiteErrors', async (t) => {
  const dir = await workdir(t);
  await writeFile(join(dir, 'junit.xml'), JEST_JUNIT_WITHOUT_SUITE_ERRORS);
  const verdict = await testsGate.run(
    testsGate.schema.parse({
      command: [process.execPath, '-e', 'process.exit(1)'],
      junit: 'junit.xml',
      thresholds: {},
    }),
    context(dir),
  );
  assert.equal(verdict.status, 'block');
  assert.match(
    verdict.summary,
    /exited with code 1, yet the JUnit reports list no failing test, so what failed is in the command's output .*a coverage threshold/,
  );
  assert.match(verdict.summary, /reportTestSuiteErrors option to "true"/);
  assert.ok(
    verdict.findings.some((f) => f.rule === 'tests.junit-incomplete' && /jest-junit/.test(f.message)),
  );
  // A report with no test case at all (every test file failed to load) says the same.
  await writeFile(
    join(dir, 'junit.xml'),
    '<testsuites name="jest tests" tests="0" failures="0" errors="0" time="0.4"></testsuites>',
  );
  const empty = await junitVerdict(dir, await readFile(join(dir, 'junit.xml')));
  assert.equal(empty.status, 'block');
  assert.match(empty.summary, /list no test case: .*reportTestSuiteErrors/);
});
