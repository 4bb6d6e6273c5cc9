// The XML reports (JUnit, Cobertura) fed what an attacker or a broken tool writes: entity declarations
// (billion laughs, external entities, markup hidden in an entity), nesting past the parser's limit,
// prototype-polluting names, counts that contradict the listed test cases. Each is refused by the report's
// own error naming the file, never a crash and never a pass.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCobertura } from '../../../src/gates/coverage/cobertura.ts';
import { CoverageReportError } from '../../../src/gates/coverage/types.ts';
import { JUnitReportError, parseJUnit } from '../../../src/gates/junit.ts';
import { testsGate } from '../../../src/gates/tests.ts';
import type { GateContext } from '../../../src/gates/types.ts';
import { gateContext } from '../../helpers/gate-context.ts';

const LAUGHS = [
  '<!ENTITY lol "lol">',
  ...Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`),
].join('');

/** Each parser with a body that is valid for it, so only the prolog or the nesting makes it fail. */
const PARSERS = [
  {
    name: 'JUnit',
    file: 'junit.xml',
    root: 'testsuite',
    body: (inner: string) => `<testsuite name="s"><testcase name="a">${inner}</testcase></testsuite>`,
    parse: parseJUnit,
    error: JUnitReportError,
    config: { junit: 'junit.xml', thresholds: {} },
  },
  {
    name: 'Cobertura',
    file: 'coverage.xml',
    root: 'coverage',
    body: (inner: string) =>
      `<coverage lines-valid="2" lines-covered="2"><sources><source>${inner}</source></sources></coverage>`,
    parse: parseCobertura,
    error: CoverageReportError,
    config: { coverage: 'coverage.xml', thresholds: { lines: 50 } },
  },
] as const;

const context = (cwd: string): GateContext => gateContext(cwd);

for (const p of PARSERS) {
  const hostile: Array<[string, string, RegExp]> = [
    [
      'billion laughs',
      `<?xml version="1.0"?>\n<!DOCTYPE ${p.root} [${LAUGHS}]>\n${p.body('&lol9;')}`,
      /:2: declares a DTD internal subset/,
    ],
    [
      'an external entity (file read)',
      `<!DOCTYPE ${p.root} [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>${p.body('&xxe;')}`,
      /:1: declares a DTD internal subset/,
    ],
    [
      'an external parameter entity (network read)',
      `<!-- c --><!DOCTYPE ${p.root} SYSTEM "x.dtd" [<!ENTITY % remote SYSTEM "http://127.0.0.1:1/x.dtd"> %remote;]>${p.body('')}`,
      /:1: declares a DTD internal subset/,
    ],
    [
      'markup hidden in an entity',
      `<!DOCTYPE ${p.root} [<!ENTITY x "<failure/>">]>${p.body('&x;')}`,
      /declares a DTD internal subset/,
    ],
    // The parser reads a DOCTYPE's subset after any `[` in it, wherever its walk meets `<!D`: these forms,
    // not the well-formed prolog's, passed a check of the prolog and had their entities expanded.
    [
      'a subset after SYSTEM with no space before its identifier',
      `<!DOCTYPE ${p.root} SYSTEM"x.dtd"[<!ENTITY x "expanded">]>${p.body('&x;')}`,
      /:1: declares a DTD internal subset/,
    ],
    [
      'a subset after PUBLIC with one identifier',
      `<!DOCTYPE ${p.root} PUBLIC "x"\n[<!ENTITY x "expanded">]>${p.body('&x;')}`,
      /:1: declares a DTD internal subset/,
    ],
    [
      'a subset after a keyword XML does not have',
      `<!DOCTYPE ${p.root} ANY [<!ENTITY x "expanded">]>${p.body('&x;')}`,
      /:1: declares a DTD internal subset/,
    ],
    [
      'a DOCTYPE inside the root element',
      p.body('<!DOCTYPE x [<!ENTITY x "expanded">]>').replace('<testcase name="a">', '$&\n'),
      /declares a DTD internal subset/,
    ],
    [
      // Named with where the element that went too deep starts (it said "Maximum nested tags exceeded").
      'nesting past the parser limit',
      p.body(`${'<a>'.repeat(500)}${'</a>'.repeat(500)}`),
      new RegExp(`^${p.file}:1:\\d+: <a> is nested more than 100 elements deep`),
    ],
    [
      'a __proto__ element',
      p.body('<__proto__><polluted>1</polluted></__proto__>'),
      /: cannot be read as XML: .*__proto__/,
    ],
  ];
  for (const [what, xml, message] of hostile) {
    test(`${p.name}: ${what} is refused with the report's own error naming the file`, async (t) => {
      assert.throws(
        () => p.parse(xml, p.file),
        (error: Error) => {
          assert.ok(error instanceof p.error, `${error.name}: ${error.message}`);
          assert.ok(error.message.startsWith(`${p.file}:`), error.message);
          assert.match(error.message, message);
          return true;
        },
      );
      // Through the gate: a block, not a crash, and nothing of /etc/passwd.
      const dir = await mkdtemp(join(tmpdir(), 'hostile-xml-'));
      t.after(() => rm(dir, { recursive: true, force: true }));
      await writeFile(join(dir, p.file), xml);
      const verdict = await testsGate.run(testsGate.schema.parse(p.config), context(dir));
      assert.equal(verdict.status, 'block');
      assert.match(verdict.summary, message);
      assert.ok(!JSON.stringify(verdict).includes('root:'));
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
    });
  }

  test(`${p.name}: a DOCTYPE naming an external DTD only (as Cobertura writes), and DOCTYPE text in the body, are read`, () => {
    const dtd = `<?xml version="1.0"?>\n<!DOCTYPE ${p.root} SYSTEM "http://cobertura.sourceforge.net/xml/coverage-04.dtd">\n${p.body('')}`;
    assert.doesNotThrow(() => p.parse(dtd, p.file));
    const quoted = p.body('<![CDATA[<!DOCTYPE html [<!ENTITY x "y">]>]]>');
    assert.doesNotThrow(() => p.parse(quoted, p.file));
    // In a comment, a processing instruction or an attribute value it is text too.
    const elsewhere = `<?x <!DOCTYPE a [ ?><!-- <!DOCTYPE b [ -->${p.body('').replace(/^<(\w+)/, '$& x="<!DOCTYPE c ["')}`;
    assert.doesNotThrow(() => p.parse(elsewhere, p.file));
  });
}

test('XML nested deeper than 100 elements: the refusal names the line and column of the element that went too deep', () => {
  // The root and testcase are levels 1 and 2, on lines 1 and 2; then 99 <a>, one a line from line 3, each
  // indented (its number modulo 7) spaces: the 99th, on line 101 after 99 % 7 = 1 space, is level 101.
  const lines = Array.from({ length: 99 }, (_, i) => `${' '.repeat((i + 1) % 7)}<a>`);
  const deep = `<testsuite name="s">\n<testcase name="t">\n${lines.join('\n')}\n${'</a>'.repeat(99)}</testcase></testsuite>`;
  assert.throws(
    () => parseJUnit(deep, 'reports/junit.xml'),
    (error: Error) => {
      assert.ok(error instanceof JUnitReportError, error.message);
      assert.match(error.message, /^reports\/junit\.xml:101:2: <a> is nested more than 100 elements deep/);
      return true;
    },
  );
  // 100 levels are read, a self-closing element at the last one too; one past it is refused, self-closing
  // or not.
  const allowed = `<testsuite name="s"><testcase name="t">${'<a>'.repeat(97)}<b/>${'</a>'.repeat(97)}</testcase></testsuite>`;
  assert.doesNotThrow(() => parseJUnit(allowed, 'junit.xml'));
  const selfClosingTooDeep = allowed.replace('<b/>', '<a><b/></a>');
  const column = selfClosingTooDeep.indexOf('<b/>') + 1;
  assert.throws(
    () => parseJUnit(selfClosingTooDeep, 'junit.xml'),
    (error: Error) =>
      error.message.startsWith(`junit.xml:1:${column}: <b> is nested more than 100 elements deep`),
  );
});

test('JUnit: an element named as a failure, an error, a skip or a test case in another case is refused at its line and column, not read as a pass', async (t) => {
  // JUnit XML is case-sensitive, so <Failure> is no failure element: it was skipped over and the test read as
  // passed (when the suite's counts did not say otherwise).
  const cases: Array<[string, string, string]> = [
    [
      '<testcase name="a">\n  <Failure message="boom"/>\n</testcase>',
      '2:3',
      '<Failure> is not a JUnit element',
    ],
    [
      '<testcase name="a"><ERROR message="boom">trace</ERROR></testcase>',
      '1:40',
      '<ERROR> is not a JUnit element',
    ],
    ['<testcase name="a"><Skipped/></testcase>', '1:40', 'its test would read as run and passed'],
    ['<TestCase name="a"><failure/></TestCase>', '1:21', '<TestCase> is not a JUnit element'],
    ['<testcase name="a"/><Failure message="the suite itself"/>', '1:41', 'this reader reads <failure>'],
  ];
  const dir = await mkdtemp(join(tmpdir(), 'junit-case-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  for (const [inner, where, says] of cases) {
    const xml = `<testsuite name="s">${inner}</testsuite>`;
    assert.throws(
      () => parseJUnit(xml, 'junit.xml'),
      (error: Error) => {
        assert.ok(error instanceof JUnitReportError, error.message);
        assert.ok(error.message.startsWith(`junit.xml:${where}: `), `${inner}: ${error.message}`);
        assert.ok(error.message.includes(says), error.message);
        return true;
      },
    );
    await writeFile(join(dir, 'junit.xml'), xml);
    const verdict = await testsGate.run(
      testsGate.schema.parse({ junit: 'junit.xml', thresholds: {} }),
      context(dir),
    );
    assert.equal(verdict.status, 'block', inner);
  }
  // An attribute of such a name is no element: read as before.
  const attribute = parseJUnit('<testsuite name="s"><testcase name="a" Error="x"/></testsuite>', 'junit.xml');
  assert.deepEqual(attribute.failures, []);
  assert.equal(attribute.tests, 1);
});

test('JUnit: a suite that counts more failures and errors than it lists is refused, at any level', () => {
  const cases: Array<[string, RegExp]> = [
    [
      '<testsuite name="s" tests="3" failures="2"><testcase name="a"/></testsuite>',
      /<testsuite name="s"> counts 2 failures and errors but lists 0/,
    ],
    [
      '<testsuites failures="1" errors="1"><testsuite name="s"><testcase name="a"><failure/></testcase></testsuite></testsuites>',
      /<testsuites> counts 2 failures and errors but lists 1/,
    ],
    ['<testsuite name="s" failures="1"/>', /counts 1 failures and errors but lists 0/],
    [
      '<testsuite name="s" errors="x"><testcase name="a"/></testsuite>',
      /<testsuite name="s"> errors="x" is not a count/,
    ],
    ['<testsuite name="s" failures="-1"><testcase name="a"/></testsuite>', /failures="-1" is not a count/],
  ];
  for (const [xml, message] of cases) {
    assert.throws(
      () => parseJUnit(xml, 'r.xml'),
      (error: Error) => error instanceof JUnitReportError && message.test(error.message),
    );
  }
  // A test that failed and errored (pytest: a failing call and a failing teardown) counts in both.
  const both = parseJUnit(
    '<testsuite failures="1" errors="1"><testcase name="a"><failure/><error/></testcase></testsuite>',
    'r.xml',
  );
  assert.equal(both.failures.length, 1);
});

test('JUnit: a suite whose counts are refused is named at its line and column, among suites of one name', () => {
  // Before: only `<testsuite name="s">`, with three suites of that name in the report and none at a line.
  const report = [
    '<testsuites tests="3">',
    '  <testsuite name="s" tests="1"><testcase name="a"/></testsuite>',
    '  <testsuite name="s" tests="1"><testcase name="b"/></testsuite>',
    '  <testsuite name="s" tests="1" errors="x"><testcase name="c"/></testsuite>',
    '</testsuites>',
  ].join('\n');
  const refusal = (xml: string) => {
    try {
      parseJUnit(xml, 'r.xml');
    } catch (error) {
      assert.ok(error instanceof JUnitReportError, String(error));
      return error.message;
    }
    assert.fail('expected a refusal');
  };
  assert.equal(refusal(report), 'r.xml:4:3: <testsuite name="s"> errors="x" is not a count');
  // Nested: the inner suite, after its parent's start tag.
  assert.match(
    refusal(
      '<testsuite name="outer">\n <testsuite tests="5">\n  <testcase name="a"/>\n </testsuite>\n</testsuite>',
    ),
    /^r\.xml:2:2: <testsuite> counts 5 tests but lists 1/,
  );
  // A name written with entities is the same name.
  assert.match(
    refusal(
      '<testsuites>\n <testsuite name="a &amp; &#x62;" errors="x"><testcase name="c"/></testsuite>\n</testsuites>',
    ),
    /^r\.xml:2:2: <testsuite name="a & b"> errors="x" is not a count/,
  );
  // A <testsuite> where no suite is read (in a test case's properties) comes first: no line, rather than its.
  assert.match(
    refusal(
      '<testsuites>\n<testsuite name="s" tests="1"><testcase name="a"><properties><testsuite name="s" tests="1"/></properties></testcase></testsuite>\n<testsuite name="s" tests="1" errors="x"><testcase name="b"/></testsuite>\n</testsuites>',
    ),
    /^r\.xml: <testsuite name="s"> errors="x" is not a count/,
  );
  // The root <testsuites> is named as what it is.
  assert.match(
    refusal('<testsuites failures="2">\n<testsuite name="s"><testcase name="a"/></testsuite>\n</testsuites>'),
    /^r\.xml:1:1: <testsuites> counts 2 failures and errors but lists 0/,
  );
});

test('JUnit: a suite that counts more tests or skipped tests than it lists is refused, at any level', () => {
  const refused: Array<[string, RegExp]> = [
    // A runner killed after it wrote the header: 10 counted, 2 listed, none failed.
    [
      '<testsuite name="s" tests="10" failures="0"><testcase name="a"/><testcase name="b"/></testsuite>',
      /^r\.xml:1:1: <testsuite name="s"> counts 10 tests but lists 2: the report is truncated/,
    ],
    [
      '<testsuites tests="5"><testsuite name="s" tests="1"><testcase name="a"/></testsuite></testsuites>',
      /^r\.xml:1:1: <testsuites> counts 5 tests but lists 1: /,
    ],
    [
      '<testsuites><testsuite name="outer"><testsuite name="inner" tests="3"><testcase name="a"/></testsuite></testsuite></testsuites>',
      /<testsuite name="inner"> counts 3 tests but lists 1: /,
    ],
    [
      '<testsuite name="s" tests="2" skipped="2"><testcase name="a"/><testcase name="b"/></testsuite>',
      /<testsuite name="s"> counts 2 skipped tests but lists 2 test cases, 0 of them skipped: /,
    ],
    [
      '<testsuite name="s" tests="many"><testcase name="a"/></testsuite>',
      /<testsuite name="s"> tests="many" is not a count/,
    ],
    ['<testsuite name="s" skipped="-1"><testcase name="a"/></testsuite>', /skipped="-1" is not a count/],
    [
      // doctest --no-version: its count of assertions cannot be told from a truncation; the message says how.
      '<testsuites><testsuite name="tests" errors="0" failures="0" tests="12"><testcase classname="t.cpp" name="a" status="run"/></testsuite></testsuites>',
      /counts 12 tests but lists 1: the report is truncated .*\(doctest counts assertions there, and is told by its doctest_version="…": run it without --no-version\)$/,
    ],
  ];
  for (const [xml, message] of refused) {
    assert.throws(
      () => parseJUnit(xml, 'r.xml'),
      (error: Error) => error instanceof JUnitReportError && message.test(error.message),
      xml,
    );
  }
  const read: Array<[string, string, { tests: number; skipped: number; failures: number }]> = [
    [
      'counts that match',
      '<testsuite name="s" tests="2" skipped="1"><testcase name="a"/><testcase name="b"><skipped/></testcase></testsuite>',
      { tests: 2, skipped: 1, failures: 0 },
    ],
    [
      // pytest counts a passed test whose teardown errored as two tests; a listed failure fails the gate anyway.
      'a listed failure',
      '<testsuite name="pytest" tests="2" errors="1"><testcase name="a"><error message="teardown"/></testcase></testsuite>',
      { tests: 1, skipped: 0, failures: 1 },
    ],
    [
      // node --test: tests="…" and skipped="…" count a suite's direct children, a nested suite as one.
      'node --test: an empty nested suite',
      '<testsuites><testsuite name="outer" tests="3" skipped="2"><testcase name="a"><skipped/></testcase>' +
        '<testsuite name="empty" tests="0" skipped="0"/><testsuite name="all skipped" tests="1" skipped="1">' +
        '<testcase name="b"><skipped/></testcase></testsuite></testsuite></testsuites>',
      { tests: 2, skipped: 2, failures: 0 },
    ],
    [
      // Catch2 counts assertions (its hostname="tbd" placeholder tells it).
      'Catch2',
      '<testsuites><testsuite name="app-tests" errors="0" failures="0" skipped="0" tests="37" hostname="tbd" time="0.01">' +
        '<testcase classname="app-tests.global" name="adds" time="0.001" status="run"/></testsuite></testsuites>',
      { tests: 1, skipped: 0, failures: 0 },
    ],
    [
      // Catch2 lists a test case with output but no assertion: more test cases than its count, none skipped.
      'Catch2: test cases without assertions',
      '<testsuites><testsuite name="app" errors="0" failures="0" skipped="0" tests="1" hostname="tbd">' +
        '<properties><property name="random-seed" value="7"/></properties>' +
        '<testcase classname="app.global" name="prints" status="run"><system-out>hi</system-out></testcase>' +
        '<testcase classname="app.global" name="prints too" status="run"><system-out>hi</system-out></testcase>' +
        '<testcase classname="app.global" name="checks" status="run"/><system-out/><system-err/></testsuite></testsuites>',
      { tests: 3, skipped: 0, failures: 0 },
    ],
    [
      // doctest's JUnit reporter: tests="…" is its number of assertions, doctest_version="…" tells it.
      'doctest',
      '<testsuites><testsuite name="tests" errors="0" failures="1" tests="12" time="0.001" doctest_version="2.4.11">' +
        '<testcase classname="test.cpp" name="adds" time="0" status="run"/>' +
        '<testcase classname="test.cpp" name="parses/first" time="0" status="run">' +
        '<failure message="1 == 2" type="CHECK">test.cpp(9):</failure></testcase>' +
        '<testcase classname="test.cpp" name="parses/second" time="0" status="run"/></testsuite></testsuites>',
      { tests: 3, skipped: 0, failures: 1 },
    ],
    [
      'doctest, every assertion passed',
      '<testsuites><testsuite name="tests" errors="0" failures="0" tests="40" doctest_version="2.4.11">' +
        '<testcase classname="test.cpp" name="adds" status="run"/></testsuite></testsuites>',
      { tests: 1, skipped: 0, failures: 0 },
    ],
  ];
  for (const [what, xml, expected] of read) {
    const summary = parseJUnit(xml, 'r.xml');
    assert.deepEqual(
      { tests: summary.tests, skipped: summary.skipped, failures: summary.failures.length },
      expected,
      what,
    );
  }
});

test('JUnit: reports listing no test case block instead of passing', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'hostile-xml-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  for (const xml of ['<testsuites/>', '<testsuite name="empty" tests="0"></testsuite>']) {
    await writeFile(join(dir, 'junit.xml'), xml);
    const verdict = await testsGate.run(
      testsGate.schema.parse({ junit: 'junit.xml', thresholds: {} }),
      context(dir),
    );
    assert.equal(verdict.status, 'block', xml);
    assert.match(verdict.summary, /^the JUnit reports junit\.xml list no test case: .*reportTestSuiteErrors/);
  }
});

test('JUnit: a test file named by its absolute path in the checkout (jest-junit) is repository-relative', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'hostile-xml-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const workspace = '/home/runner/work/app/app';
  await writeFile(
    join(dir, 'junit.xml'),
    `<testsuite><testcase name="a" file="${workspace}/src/a.test.js" line="3"><failure/></testcase>` +
      `<testcase name="b" file="src\\b.test.js"><failure/></testcase>` +
      `<testcase name="c" file="${join(dir, 'c.test.js')}"><failure/></testcase></testsuite>`,
  );
  const verdict = await testsGate.run(testsGate.schema.parse({ junit: 'junit.xml', thresholds: {} }), {
    ...context(dir),
    env: { GITHUB_WORKSPACE: workspace },
  });
  assert.deepEqual(
    verdict.findings.map((f) => [f.path, f.line]),
    [
      ['src/a.test.js', 3],
      ['src/b.test.js', undefined],
      ['c.test.js', undefined],
    ],
  );
});

test('JUnit: a report whose every test case was skipped blocks: no test ran', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'hostile-xml-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const run = () =>
    testsGate.run(testsGate.schema.parse({ junit: 'junit*.xml', thresholds: {} }), context(dir));
  await writeFile(
    join(dir, 'junit.xml'),
    '<testsuite name="s" tests="2" skipped="2"><testcase name="a"><skipped/></testcase>' +
      '<testcase name="b"><skipped message="needs a database"/></testcase></testsuite>',
  );
  const verdict = await run();
  assert.equal(verdict.status, 'block');
  assert.equal(verdict.summary, 'every one of the 2 test case(s) in junit.xml was skipped: no test ran');
  // One test that ran, in any report, is a run.
  await writeFile(join(dir, 'junit-2.xml'), '<testsuite name="t"><testcase name="c"/></testsuite>');
  const ran = await run();
  assert.equal(ran.status, 'pass');
  assert.equal(ran.summary, '3 tests (2 skipped) in 2 JUnit report(s), none failed');
});

test('JUnit: a test that failed and passed on a rerun (Surefire flakyFailure / flakyError) warns as flaky', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'hostile-xml-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  // What Maven Surefire 3 writes with -Dsurefire.rerunFailingTestsCount=2: a flaky test passed in the end
  // (no <failure>, not counted in failures="…"); one that failed every run has <failure> and <rerunFailure>.
  await writeFile(
    join(dir, 'TEST-com.example.AppTest.xml'),
    `<?xml version="1.0" encoding="UTF-8"?>
<testsuite name="com.example.AppTest" tests="3" failures="0" errors="0" skipped="0" flakes="2">
  <testcase name="steady" classname="com.example.AppTest" time="0.01"/>
  <testcase name="racy" classname="com.example.AppTest" time="0.2">
    <flakyFailure message="expected:&lt;1&gt; but was:&lt;2&gt;" type="org.opentest4j.AssertionFailedError">stack</flakyFailure>
    <flakyFailure message="expected:&lt;1&gt; but was:&lt;3&gt;" type="org.opentest4j.AssertionFailedError">stack</flakyFailure>
  </testcase>
  <testcase name="timeout" classname="com.example.AppTest" time="1.0">
    <flakyError message="Connection reset" type="java.net.SocketException">stack</flakyError>
  </testcase>
</testsuite>`,
  );
  const config = testsGate.schema.parse({ junit: 'TEST-*.xml', thresholds: {} });
  const verdict = await testsGate.run(config, context(dir));
  assert.equal(verdict.status, 'warn');
  assert.equal(
    verdict.summary,
    '2 flaky tests: failed, then passed on a rerun; 3 tests in 1 JUnit report(s), none failed',
  );
  assert.deepEqual(
    verdict.findings.map((f) => [f.rule, f.severity, f.message]),
    [
      [
        'tests.flaky',
        'warning',
        'com.example.AppTest › racy is flaky: it failed 2 times, then passed on a rerun: expected:<1> but was:<2> (TEST-com.example.AppTest.xml)',
      ],
      [
        'tests.flaky',
        'warning',
        'com.example.AppTest › timeout is flaky: it failed once, then passed on a rerun: Connection reset (TEST-com.example.AppTest.xml)',
      ],
    ],
  );
  // flaky: block (seed 01's "No flaky tests" strictly): the same report blocks, each flaky test an error.
  const strict = await testsGate.run(
    testsGate.schema.parse({ junit: 'TEST-*.xml', thresholds: {}, flaky: 'block' }),
    context(dir),
  );
  assert.equal(strict.status, 'block');
  assert.match(strict.summary, /^2 flaky tests: failed, then passed on a rerun/);
  assert.deepEqual(
    strict.findings.map((f) => [f.rule, f.severity]),
    [
      ['tests.flaky', 'error'],
      ['tests.flaky', 'error'],
    ],
  );
  assert.equal(testsGate.schema.safeParse({ junit: 'x.xml', flaky: 'fail' }).success, false);
  // A test that failed every run is a failure, its reruns beside it; the flaky ones stay listed, as warnings.
  await writeFile(
    join(dir, 'TEST-com.example.BadTest.xml'),
    `<testsuite name="com.example.BadTest" tests="1" failures="1">
  <testcase name="broken" classname="com.example.BadTest">
    <failure message="boom" type="AssertionError"/>
    <rerunFailure message="boom again" type="AssertionError"/>
  </testcase>
</testsuite>`,
  );
  const failed = await testsGate.run(config, context(dir));
  assert.equal(failed.status, 'block');
  assert.equal(failed.summary, '1 of 4 tests failed');
  assert.deepEqual(
    failed.findings.map((f) => [f.rule, f.severity]),
    [
      ['tests.failed', 'error'],
      ['tests.flaky', 'warning'],
      ['tests.flaky', 'warning'],
    ],
  );
});

test('JUnit: a flaky test whose reruns are <flakyError> and <flakyFailure> interleaved: the message is the first run that failed', () => {
  // The parser groups elements by name; Surefire writes a rerun as whichever of the two it was, in the
  // order they ran. The first was a <flakyError> here: its message, not the first <flakyFailure>'s.
  const rerun = (kind: string, message: string) =>
    `<${kind} message="${message}" type="java.lang.Exception"><stackTrace><![CDATA[java.lang.Exception: ${message}]]></stackTrace><system-out>run</system-out></${kind}>`;
  const summary = parseJUnit(
    `<testsuite name="com.example.NetTest" tests="2" failures="0" errors="0" skipped="0" flakes="1">
  <testcase name="fetch" classname="com.example.NetTest">
    ${rerun('flakyError', 'Connection reset')}
    ${rerun('flakyFailure', 'expected: &lt;200&gt; but was: &lt;503&gt;')}
    ${rerun('flakyError', 'Read timed out')}
  </testcase>
  <testcase name="parse" classname="com.example.NetTest">
    <flakyFailure>a body only, no attributes</flakyFailure>
    <flakyError/>
  </testcase>
</testsuite>`,
    'TEST-com.example.NetTest.xml',
  );
  assert.deepEqual(
    summary.flaky.map((f) => [f.name, f.reruns, f.message]),
    [
      ['fetch', 3, 'Connection reset'],
      ['parse', 2, 'a body only, no attributes'],
    ],
  );
  assert.deepEqual(summary.failures, []);
});

test('JUnit: a name, class, file or suite written as a child element instead of an attribute is shown as what it holds, not [object Object]', () => {
  const report = parseJUnit(
    `<?xml version="1.0"?><testsuites><testsuite tests="1" failures="1"><name><b>suite</b></name>` +
      `<testcase><name><b>adds</b></name><classname><i>Calc</i></classname><file><f>calc.test.ts</f></file>` +
      `<failure message="boom">trace</failure></testcase></testsuite></testsuites>`,
    'junit.xml',
  );
  assert.equal(report.failures.length, 1);
  const shown = JSON.stringify(report.failures[0]);
  assert.doesNotMatch(shown, /object Object/);
  assert.match(report.failures[0]!.name, /adds/);
  assert.match(report.failures[0]!.classname ?? '', /Calc/);
});
