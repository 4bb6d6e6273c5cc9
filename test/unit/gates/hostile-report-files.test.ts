// Every gate that reads a report file, fed the files independent testers write: a byte order mark, UTF-16
// (Windows PowerShell's `>`), bytes that are not text, an empty file, a symlink or path out of the
// repository. A report that can be read gives the same verdict as the plain one; one that cannot blocks
// with a message naming the file and what is wrong, and never quotes a file outside the repository.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, constants, openSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditGate } from '../../../src/gates/audit.ts';
import { dependenciesGate } from '../../../src/gates/dependencies.ts';
import { infrastructureGate } from '../../../src/gates/infrastructure.ts';
import { performanceGate } from '../../../src/gates/performance.ts';
import { migrationsGate } from '../../../src/gates/migrations.ts';
import { reviewGate } from '../../../src/gates/review.ts';
import { decodeReport, decodeSource, readReportFile } from '../../../src/gates/report-file.ts';
import { relativeToRoots } from '../../../src/gates/repo-path.ts';
import { sarifGate } from '../../../src/gates/sarif.ts';
import { secretsGate } from '../../../src/gates/secrets.ts';
import { testsGate } from '../../../src/gates/tests.ts';
import type { Gate, GateContext, GateVerdict } from '../../../src/gates/types.ts';
import { gateContext } from '../../helpers/gate-context.ts';

const context = (cwd: string): GateContext =>
  gateContext(cwd, { baseRef: 'base', env: { PATH: process.env.PATH } });

const SARIF = JSON.stringify({
  version: '2.1.0',
  runs: [
    {
      tool: { driver: { name: 'Scanner' } },
      results: [
        {
          ruleId: 'r1',
          level: 'error',
          message: { text: 'bad thing' },
          locations: [
            { physicalLocation: { artifactLocation: { uri: 'src/a.js' }, region: { startLine: 3 } } },
          ],
        },
      ],
    },
  ],
});
const JUNIT =
  '<?xml version="1.0" encoding="UTF-8"?>\r\n<testsuites>\r\n<testsuite name="s" tests="2" failures="1">\r\n' +
  '<testcase name="ok"/>\r\n<testcase name="broken"><failure message="expected 1"/></testcase>\r\n' +
  '</testsuite>\r\n</testsuites>\r\n';
const ISTANBUL = JSON.stringify({ total: { lines: { total: 10, covered: 4, pct: 40 } } });
// 10 lines, 4 of them hit, as LF / LH summarise them.
const LCOV = `TN:\r\nSF:src/a.js\r\n${Array.from({ length: 10 }, (_, i) => `DA:${i + 1},${i < 4 ? 1 : 0}\r\n`).join('')}LF:10\r\nLH:4\r\nend_of_record\r\n`;
const COBERTURA =
  '<?xml version="1.0"?>\r\n<coverage line-rate="0.4" lines-valid="10" lines-covered="4"><packages/></coverage>\r\n';
const NPM_AUDIT = JSON.stringify({
  auditReportVersion: 2,
  vulnerabilities: {
    lodash: {
      name: 'lodash',
      severity: 'high',
      via: [
        {
          source: 1,
          name: 'lodash',
          title: 'Prototype pollution',
          url: 'https://github.com/advisories/GHSA-p6mc-m468-83gw',
          severity: 'high',
          range: '<4.17.19',
        },
      ],
    },
  },
  metadata: { vulnerabilities: { high: 1, total: 1 } },
});
const GITLEAKS = JSON.stringify([
  {
    RuleID: 'generic-api-key',
    Description: 'Generic API Key',
    File: 'src/a.js',
    StartLine: 2,
    Secret: 'abcd1234efgh5678ijkl',
  },
]);
const GITLEAKS_SARIF = JSON.stringify({
  version: '2.1.0',
  runs: [
    {
      tool: { driver: { name: 'gitleaks' } },
      results: [
        {
          ruleId: 'generic-api-key',
          message: { text: 'generic-api-key has detected secret for file src/a.js.' },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: 'src/a.js' },
                region: { startLine: 2, snippet: { text: 'abcd1234efgh5678ijkl' } },
              },
            },
          ],
        },
      ],
    },
  ],
});
const PLAN = JSON.stringify({
  format_version: '1.2',
  resource_changes: [{ address: 'aws_db_instance.main', change: { actions: ['delete'] } }],
});

interface Case {
  name: string;
  file: string;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each case runs its own gate
  gate: Gate<any>;
  config: unknown;
  /** The verdict's summary when the report is read. */
  verdict: RegExp;
}

const CASES: Case[] = [
  {
    name: 'SARIF',
    file: 'r.sarif',
    text: SARIF,
    gate: sarifGate,
    config: { files: 'r.sarif' },
    verdict: /^1 blocking result/,
  },
  {
    name: 'JUnit',
    file: 'junit.xml',
    text: JUNIT,
    gate: testsGate,
    config: { junit: 'junit.xml', thresholds: {} },
    verdict: /^1 of 2 tests failed/,
  },
  ...(
    [
      ['istanbul json-summary', 'c.json', ISTANBUL],
      ['lcov', 'c.info', LCOV],
      ['cobertura', 'c.xml', COBERTURA],
    ] as const
  ).map(([name, file, text]) => ({
    name,
    file,
    text,
    gate: testsGate,
    config: { coverage: file, thresholds: { lines: 50 } },
    verdict: /^lines coverage 40\.0% < 50%/,
  })),
  {
    name: 'npm audit',
    file: 'audit.json',
    text: NPM_AUDIT,
    gate: auditGate,
    config: { report: 'audit.json' },
    verdict: /^1 advisory at or above/,
  },
  {
    name: 'gitleaks JSON',
    file: 'leaks.json',
    text: GITLEAKS,
    gate: secretsGate,
    config: { reports: 'leaks.json' },
    verdict: /^1 secret in/,
  },
  {
    name: 'gitleaks SARIF',
    file: 'leaks.sarif',
    text: GITLEAKS_SARIF,
    gate: secretsGate,
    config: { reports: 'leaks.sarif' },
    verdict: /^1 secret in/,
  },
  {
    name: 'Terraform plan',
    file: 'plan.json',
    text: PLAN,
    gate: infrastructureGate,
    config: { terraform: { plan: 'plan.json' } },
    verdict: /aws_db_instance\.main will be destroyed/,
  },
  {
    name: 'k6 results',
    file: 'k6.json',
    // --summary-export: a threshold's true is a failed one.
    text: JSON.stringify({
      metrics: { http_req_duration: { 'p(95)': 812.3, thresholds: { 'p(95)<500': true } } },
    }),
    gate: performanceGate,
    config: { report: 'k6.json' },
    verdict: /^k6 threshold "p\(95\)<500" on metric "http_req_duration" failed: p\(95\) was 812\.3/,
  },
  {
    name: 'npm outdated report',
    file: 'outdated.json',
    text: JSON.stringify({ lodash: { current: '3.10.1', wanted: '3.10.1', latest: '4.17.21' } }),
    gate: dependenciesGate,
    config: { report: 'outdated.json', major: 'block' },
    verdict: /^lodash 3\.10\.1 → 4\.17\.21: a major version behind/,
  },
];

async function tempDir(
  t: { after(fn: () => Promise<void>): void },
  prefix = 'hostile-report-',
): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function runWith(c: Case, dir: string, content: string | Buffer): Promise<GateVerdict> {
  await writeFile(join(dir, c.file), content);
  return c.gate.run(c.gate.schema.parse(c.config), context(dir));
}

function utf16(text: string, endian: 'le' | 'be'): Buffer {
  const le = Buffer.from(`\uFEFF${text}`, 'utf16le');
  return endian === 'le' ? le : Buffer.from(le).swap16();
}

for (const c of CASES) {
  test(`${c.name}: the plain report, with a UTF-8 BOM, or as UTF-16 LE/BE with a BOM gives the same verdict`, async (t) => {
    const dir = await tempDir(t);
    for (const [form, content] of [
      ['plain', c.text],
      ['UTF-8 BOM', `\uFEFF${c.text}`],
      ['UTF-16LE', utf16(c.text, 'le')],
      ['UTF-16BE', utf16(c.text, 'be')],
    ] as const) {
      const verdict = await runWith(c, dir, content);
      assert.equal(verdict.status, 'block', form);
      assert.match(
        verdict.summary + verdict.findings.map((f) => f.message).join('\n'),
        c.verdict,
        `${form}: ${verdict.summary}`,
      );
    }
  });

  test(`${c.name}: an empty report or one that is not text blocks and says which file and why`, async (t) => {
    const dir = await tempDir(t);
    const text = (v: GateVerdict) => `${v.summary}\n${v.findings.map((f) => f.message).join('\n')}`;
    for (const empty of ['', ' \r\n\t\n']) {
      const verdict = await runWith(c, dir, empty);
      assert.equal(verdict.status, 'block');
      assert.match(text(verdict), new RegExp(`${c.file.replace('.', '\\.')} is empty`));
    }
    // Latin-1 bytes (0xE9) where UTF-8 is expected: the line and column of the first bad byte.
    const latin1 = Buffer.concat([
      Buffer.from('\n'),
      Buffer.from('caf'),
      Buffer.from([0xe9]),
      Buffer.from(c.text),
    ]);
    const verdict = await runWith(c, dir, latin1);
    assert.equal(verdict.status, 'block');
    assert.match(text(verdict), new RegExp(`${c.file.replace('.', '\\.')}:2:4: the file is not UTF-8 text`));
  });

  // The npm audit report's own refusal quotes the output's start on purpose (an error page, a proxy's
  // answer); XML and lcov are not JSON.
  if (c.text.startsWith('{') || c.text.startsWith('['))
    if (c.name !== 'npm audit')
      test(`${c.name}: JSON that does not parse is refused at its line and column, none of it quoted`, async (t) => {
        // Before: JSON.parse's message was shown, which quotes the characters around the error and gives no
        // position for an unexpected token: `Unexpected token 'h', ..."x": hunter2hun"... is not valid JSON`.
        // A gitleaks report holds the secrets it found, a SARIF log or a plan may hold others.
        const dir = await tempDir(t);
        const pretty = JSON.stringify(JSON.parse(c.text), null, 2);
        const end = pretty.at(-1);
        for (const [bad, what] of [
          ['hunter2hunter2', 'unexpected "h"'],
          ['NaN', 'unexpected "N"'],
          ['"hunter2hunter2" "more"', "Expected ',' or '" + end + "' after"],
        ] as const) {
          const broken = `${pretty.slice(0, -1).trimEnd()},\n  ${end === '}' ? '"x": ' : ''}${bad}\n${end}`;
          const at = broken.lastIndexOf(bad.includes('more') ? '"more"' : bad);
          const line = broken.slice(0, at).split('\n').length;
          const column = at - broken.lastIndexOf('\n', at - 1);
          const verdict = await runWith(c, dir, broken);
          assert.equal(verdict.status, 'block');
          const all = [verdict.summary, ...verdict.findings.map((f) => f.message)].join('\n');
          assert.ok(!JSON.stringify(verdict).includes('hunter2'), all);
          assert.ok(all.includes(`${what}`), `${bad}: ${all}`);
          assert.ok(all.includes(`line ${line}, column ${column}`), `${bad} at ${line}:${column}: ${all}`);
        }
      });

  test(`${c.name}: a report that is a symlink out of the repository is refused, its content never quoted`, async (t) => {
    const dir = await tempDir(t);
    const outside = await tempDir(t, 'outside-');
    await writeFile(join(outside, 'shadow'), 'root:TOPSECRET-HASH:19000:0:99999:7:::\n');
    await symlink(join(outside, 'shadow'), join(dir, c.file));
    const verdict = await c.gate.run(c.gate.schema.parse(c.config), context(dir));
    assert.equal(verdict.status, 'block');
    const all = JSON.stringify(verdict);
    assert.ok(!all.includes('TOPSECRET'), all);
    assert.match(all, /outside the repository/);
  });
}

test('readReportFile: absolute and ../ paths out of the repository, directories and oversized files are refused', async (t) => {
  const dir = await tempDir(t);
  const outside = await tempDir(t, 'outside-');
  await writeFile(join(outside, 'r.json'), '{}');
  await writeFile(join(dir, 'big.json'), 'x'.repeat(2000));
  const roots = [dir];
  const reasons = async (file: string, max?: number) => {
    const read = await readReportFile(dir, file, roots, 'report', { maxBytes: max });
    return read.ok ? 'ok' : `${read.reason}: ${read.message}`;
  };
  assert.match(
    await reasons(join(outside, 'r.json')),
    /^outside: report .*r\.json is outside the repository/,
  );
  assert.match(await reasons(`../${join(outside, 'r.json').split('/').at(-2)}/r.json`), /^outside: /);
  assert.match(await reasons('.'), /^(outside|not-file): /);
  assert.match(
    await reasons('big.json', 1000),
    /^too-large: report big\.json is 0\.0 MB, over the 0\.0 MB a report may be/,
  );
  assert.equal(await reasons('big.json'), 'ok');
  assert.match(await reasons('nope.json'), /^not-found: report nope\.json not found \(looked in /);
  // A report inside the workspace, read from a package directory below it, is inside the repository.
  const inPackage = await readReportFile(join(dir, 'pkg'), '../big.json', [dir, join(dir, 'pkg')], 'report');
  assert.equal(inPackage.ok, true);
});

test('decodeReport: a UTF-16 BOM with an odd byte count is not UTF-16 text', () => {
  const odd = Buffer.concat([utf16('{}', 'le'), Buffer.from([0x41])]);
  const decoded = decodeReport(odd);
  assert.equal(decoded.ok, false);
  assert.match(!decoded.ok ? decoded.message : '', /UTF-16LE byte order mark but is not UTF-16LE text/);
});

test('an XML report in the encoding its declaration names (CppUnit writes ISO-8859-1) is read in it, not refused as not UTF-8', async (t) => {
  const dir = await tempDir(t);
  // CppUnit's XmlOutputter declares ISO-8859-1 by default and writes its messages so: "é" is the byte E9.
  const latin1 = Buffer.concat([
    Buffer.from(
      `<?xml version="1.0" encoding='ISO-8859-1' standalone='yes' ?>\n<testsuite name="s" tests="1" failures="1"><testcase name="caf`,
      'latin1',
    ),
    Buffer.from([0xe9]),
    Buffer.from(`"><failure message="attendu 'd`),
    Buffer.from([0xe9]),
    Buffer.from(`j`),
    Buffer.from([0xe0]),
    Buffer.from(`'"/></testcase></testsuite>`),
  ]);
  await writeFile(join(dir, 'cppunit.xml'), latin1);
  const verdict = await testsGate.run(
    testsGate.schema.parse({ junit: 'cppunit.xml', thresholds: {} }),
    context(dir),
  );
  assert.equal(verdict.status, 'block');
  assert.equal(verdict.findings[0]!.message, "café failed: attendu 'déjà' (cppunit.xml)");
  // A report that reads as UTF-8 reads so, whatever it declares; bytes that are not text in the declared
  // encoding either are refused naming it.
  const utf8 = decodeReport(Buffer.from(`<?xml version="1.0" encoding="ISO-8859-1"?><a b="café"/>`));
  assert.deepEqual(utf8, { ok: true, text: `<?xml version="1.0" encoding="ISO-8859-1"?><a b="café"/>` });
  const sjis = decodeReport(
    Buffer.concat([
      Buffer.from(`<?xml version="1.0" encoding="Shift_JIS"?><a b="`),
      Buffer.from([0x82, 0x22, 0x2f, 0x3e]),
    ]),
  );
  assert.deepEqual(sjis, {
    ok: false,
    where: '1:1',
    message: 'declares encoding="shift_jis" but is not shift_jis text',
  });
});

test('Kubernetes manifests and migration files are read inside the repository; a directory or symlink out is named, not a crash', async (t) => {
  const dir = await tempDir(t);
  const outside = await tempDir(t, 'outside-');
  await writeFile(
    join(outside, 'secret.yaml'),
    'apiVersion: v1\nkind: Secret\nmetadata:\n  name: TOPSECRET\n',
  );
  await mkdir(join(dir, 'k8s/dir.yaml'), { recursive: true });
  await symlink(join(outside, 'secret.yaml'), join(dir, 'k8s/link.yaml'));
  // A Latin-1 comment and an empty file are read as before.
  await writeFile(
    join(dir, 'k8s/latin1.yaml'),
    Buffer.concat([
      Buffer.from('# caf'),
      Buffer.from([0xe9]),
      Buffer.from('\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\n'),
    ]),
  );
  await writeFile(join(dir, 'k8s/empty.yaml'), '');
  const verdict = await infrastructureGate.run(
    infrastructureGate.schema.parse({ kubernetes: { manifests: 'k8s/*.yaml' } }),
    { ...context(dir), env: { PATH: '' } },
  );
  const byPath = new Map(verdict.findings.map((f) => [f.path, f]));
  assert.match(
    byPath.get('k8s/link.yaml')!.message,
    /^Kubernetes manifest k8s\/link\.yaml is outside the repository/,
  );
  assert.match(byPath.get('k8s/dir.yaml')!.message, /^Kubernetes manifest k8s\/dir\.yaml is not a file$/);
  assert.equal(byPath.get('k8s/latin1.yaml'), undefined, JSON.stringify(verdict.findings));
  assert.ok(!JSON.stringify(verdict).includes('TOPSECRET'));
  assert.equal(verdict.status, 'block');

  // The migrations gate scans its files before it looks for a database: a directory is no crash.
  await mkdir(join(dir, 'db/001.sql'), { recursive: true });
  const migrations = await migrationsGate.run(
    migrationsGate.schema.parse({ up: 'true', down: 'true', files: 'db/*.sql' }),
    context(dir),
  );
  assert.equal(migrations.status, 'block');
  assert.match(migrations.summary, /no PostgreSQL server/);
});

test('relativeToRoots: a name starting with two dots is inside; .. as a segment is not', () => {
  assert.equal(relativeToRoots('/repo/..data/r.sarif', ['/repo']), '..data/r.sarif');
  assert.equal(relativeToRoots('/repo/...', ['/repo']), '...');
  assert.equal(relativeToRoots('/other/r.sarif', ['/repo']), undefined);
  assert.equal(relativeToRoots('/repo', ['/repo']), undefined);
  assert.equal(relativeToRoots('/repo/a/../../x', ['/repo']), undefined);
});

/** `text` as Windows tools write it: UTF-8 with a BOM, UTF-16 LE/BE with a BOM (SSMS, Windows PowerShell's `>`), UTF-16 LE without. */
function encodings(text: string): Array<[string, Buffer]> {
  const le = Buffer.from(text, 'utf16le');
  const be = Buffer.from(le).swap16();
  return [
    ['utf-8', Buffer.from(text)],
    ['utf-8 with a BOM', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)])],
    ['utf-16le with a BOM', Buffer.concat([Buffer.from([0xff, 0xfe]), le])],
    ['utf-16be with a BOM', Buffer.concat([Buffer.from([0xfe, 0xff]), be])],
    ['utf-16le without a BOM', le],
  ];
}

test('source files written by Windows tools (UTF-16, a BOM, CRLF) are read as text: migrations, manifests, changed files', async (t) => {
  // Was: read as UTF-8, a UTF-16 migration's DROP TABLE was unseen among the zero bytes (the scan passed),
  // a UTF-16 manifest was "a manifest must be a mapping", and a UTF-16 changed file had no finding.
  for (const [encoding, bytes] of encodings('-- drop the old table\r\nDROP TABLE users;\r\n')) {
    const dir = await tempDir(t);
    await mkdir(join(dir, 'db'));
    await writeFile(join(dir, 'db/001_drop.sql'), bytes);
    const verdict = await migrationsGate.run(
      migrationsGate.schema.parse({ up: 'true', down: 'true', files: 'db/*.sql', down_check: 'none' }),
      {
        ...context(dir),
        changedFiles: async () => [{ path: 'db/001_drop.sql', status: 'added', addedLines: [1, 2] }],
      },
    );
    assert.deepEqual(
      verdict.findings.filter((f) => f.rule === 'migrations.drop-table').map((f) => `${f.path}:${f.line}`),
      ['db/001_drop.sql:2'],
      encoding,
    );
  }
  const manifest =
    'apiVersion: apps/v1\r\nkind: Deployment\r\nmetadata:\r\n  name: web\r\nspec:\r\n  replicas: 2\r\n  template:\r\n    spec:\r\n' +
    '      containers:\r\n        - name: web\r\n          image: web:1\r\n          readinessProbe: { httpGet: { path: /, port: 80 } }\r\n';
  for (const [encoding, bytes] of encodings(manifest)) {
    const dir = await tempDir(t);
    await writeFile(join(dir, 'web.yaml'), bytes);
    const verdict = await infrastructureGate.run(
      infrastructureGate.schema.parse({ kubernetes: { manifests: 'web.yaml', dry_run: 'off' } }),
      context(dir),
    );
    assert.deepEqual(
      verdict.findings.map((f) => `${f.line}:${f.rule}: ${f.message}`),
      ['10:infrastructure.no-resource-limits: Deployment/web container web has no resources.limits'],
      encoding,
    );
  }
  for (const [encoding, bytes] of encodings('const a = 1;\r\nconsole.log(a);\r\n')) {
    const dir = await tempDir(t);
    await writeFile(join(dir, 'app.ts'), bytes);
    const verdict = await reviewGate.run(
      reviewGate.schema.parse({ approval: 'off', unresolved_threads: 'off' }),
      {
        ...context(dir),
        changedFiles: async () => [{ path: 'app.ts', status: 'added', addedLines: [1, 2] }],
      },
    );
    assert.deepEqual(
      verdict.findings.map((f) => `${f.line}:${f.rule}`),
      ['2:review.debug-logging'],
      encoding,
    );
  }
});

test('a UTF-16 byte order mark in front of plain text does not hide its statements: what psql would read is scanned too', async (t) => {
  // FF FE then ASCII: UTF-16 by its first two bytes (CJK text that way), but psql or mysql read the same bytes
  // as UTF-8 and run the DROP.
  for (const bom of [
    [0xff, 0xfe],
    [0xfe, 0xff],
  ]) {
    const bytes = Buffer.concat([Buffer.from(bom), Buffer.from(';\nDROP TABLE users;\n')]);
    assert.match(decodeSource(bytes), /^DROP TABLE users;$/m);
    const dir = await tempDir(t);
    await mkdir(join(dir, 'db'));
    await writeFile(join(dir, 'db/002_hidden.sql'), bytes);
    const verdict = await migrationsGate.run(
      migrationsGate.schema.parse({ up: 'true', down: 'true', files: 'db/*.sql', down_check: 'none' }),
      {
        ...context(dir),
        changedFiles: async () => [{ path: 'db/002_hidden.sql', status: 'added', addedLines: [1, 2] }],
      },
    );
    assert.ok(
      verdict.findings.some((f) => f.rule === 'migrations.drop-table'),
      JSON.stringify(verdict.findings),
    );
  }
  // A real UTF-16 file reads the same both ways: nothing is added, so nothing is found twice.
  const real = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('DROP TABLE users;\r\n', 'utf16le')]);
  assert.equal(decodeSource(real), 'DROP TABLE users;\r\n');
});

test('a changed file too big to read names the file and how to leave it out; an audit command printing a BOM is read', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'bundle.js'), Buffer.alloc(1));
  const { truncate } = await import('node:fs/promises');
  await truncate(join(dir, 'bundle.js'), 129 * 1024 * 1024); // sparse: no 129 MB written
  const verdict = await reviewGate.run(
    reviewGate.schema.parse({ approval: 'off', unresolved_threads: 'off' }),
    {
      ...context(dir),
      changedFiles: async () => [{ path: 'bundle.js', status: 'added', addedLines: [1] }],
    },
  );
  assert.equal(verdict.status, 'block');
  assert.match(
    verdict.findings[0]!.message,
    /^changed file bundle\.js is 129\.0 MB, over the 128\.0 MB the gate reads; if it is generated, add it to gates\.review\.ignore$/,
  );

  // Was: 'did not give a JSON audit report: the advisory service could not be reached'.
  const audit = await auditGate.run(
    auditGate.schema.parse({
      command: [process.execPath, '-e', `process.stdout.write('\\uFEFF' + ${JSON.stringify(NPM_AUDIT)})`],
    }),
    { ...context(dir), env: { PATH: process.env.PATH } },
  );
  assert.match(audit.summary, /^1 advisory at or above/);
});

/**
 * A named pipe where a report should be (a tool's output redirected through one, a path a build step made):
 * opening it for reading waits for a writer that never comes, in the thread pool, where nothing can end it;
 * the gate never answered and the CLI never exited. Any reader still waiting is let go after the test (a
 * writer opened and closed), so a failure here is a failed test, not a hung one.
 */
async function dirWithPipe(
  t: { after(fn: () => Promise<void>): void; signal: AbortSignal },
  name: string,
): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'hostile-report-'));
  const path = join(dir, name);
  execFileSync('mkfifo', [path]);
  const letGo = () => {
    try {
      closeSync(openSync(path, constants.O_WRONLY | constants.O_NONBLOCK));
    } catch {
      // ENXIO: no reader waits on it (what the fixed read leaves).
    }
  };
  // At the test's timeout too: a waiting read holds a thread of the pool, which the cleanup needs.
  t.signal.addEventListener('abort', letGo);
  t.after(async () => {
    letGo();
    await rm(dir, { recursive: true, force: true });
  });
  return dir;
}

test(
  'readReportFile: a named pipe is refused as not a file, without waiting for a writer',
  { skip: process.platform === 'win32' ? 'no named pipes' : false, timeout: 10_000 },
  async (t) => {
    const dir = await dirWithPipe(t, 'r.json');
    const read = await readReportFile(dir, 'r.json', [dir], 'report');
    assert.deepEqual(read, { ok: false, reason: 'not-file', message: 'report r.json is not a file' });
  },
);

for (const c of CASES) {
  test(
    `${c.name}: a named pipe at the report's path blocks the gate, naming it, and leaves nothing waiting`,
    { skip: process.platform === 'win32' ? 'no named pipes' : false, timeout: 10_000 },
    async (t) => {
      const dir = await dirWithPipe(t, c.file);
      const verdict = await c.gate.run(c.gate.schema.parse(c.config), context(dir));
      assert.equal(verdict.status, 'block', JSON.stringify(verdict));
      assert.ok(JSON.stringify(verdict).includes(c.file), JSON.stringify(verdict));
      // Nothing of the read is left keeping the process alive.
      assert.deepEqual(
        process.getActiveResourcesInfo().filter((r) => r.startsWith('FSReq')),
        [],
      );
    },
  );
}
