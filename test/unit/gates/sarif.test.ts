import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { sarifGate, parseSarif } from '../../../src/gates/sarif.ts';
import type { SarifConfig } from '../../../src/gates/schema/sarif.ts';
import type { GateContext } from '../../../src/gates/types.ts';
import { gateContext } from '../../helpers/gate-context.ts';

const ROOT = resolve(import.meta.dirname, '../../..');
const FIXTURES = join(ROOT, 'test/fixtures/gates');

async function tempDir(t: { after(fn: () => Promise<void>): void }) {
  const dir = await mkdtemp(join(tmpdir(), 'sarif-gate-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const context = (cwd: string): GateContext => gateContext(cwd, { env: process.env });
const run = (config: unknown, cwd: string) =>
  sarifGate.run(sarifGate.schema.parse(config) as SarifConfig, context(cwd));

// eslint.sarif is what @microsoft/eslint-formatter-sarif 3.1 wrote for test/fixtures/gates/eslint-app, run in
// a runner's checkout (/home/runner/work/app/app). The formatter is not a dependency: it names jschardet
// through the "latest" dist-tag, which made the lock file go stale by itself.
const ESLINT_WORKSPACE = '/home/runner/work/app/app';
function workspaceContext(cwd: string, workspace: string): GateContext {
  return { ...context(cwd), env: { ...process.env, GITHUB_WORKSPACE: workspace } };
}

test('real ESLint SARIF (@microsoft/eslint-formatter-sarif): errors block, paths relative to GITHUB_WORKSPACE', async (t) => {
  const dir = await tempDir(t);
  await mkdir(join(dir, 'reports'));
  await cp(join(FIXTURES, 'sarif/eslint.sarif'), join(dir, 'reports/eslint.sarif'));
  const run = (config: unknown) =>
    sarifGate.run(sarifGate.schema.parse(config) as SarifConfig, workspaceContext(dir, ESLINT_WORKSPACE));

  const verdict = await run({ files: 'reports/*.sarif' });
  assert.equal(verdict.status, 'block');
  assert.equal(verdict.summary, '2 blocking result(s) in 1 SARIF file (1 below the thresholds)');
  assert.deepEqual(
    verdict.findings.map((f) => [f.path, f.line, f.rule, f.severity]),
    [
      ['src.js', 6, 'no-unused-vars', 'error'],
      ['src.js', 7, 'no-eval', 'error'],
      ['src.js', 2, 'eqeqeq', 'warning'],
    ],
  );
  assert.equal(verdict.findings[1]!.message, 'ESLint: eval can be harmful. (level error)');

  // Outside that workspace the path is kept absolute rather than guessed.
  const elsewhere = await sarifGate.run(
    sarifGate.schema.parse({ files: 'reports/*.sarif' }) as SarifConfig,
    workspaceContext(dir, '/home/runner/work/other/other'),
  );
  assert.equal(elsewhere.findings[0]!.path, `${ESLINT_WORKSPACE}/src.js`);

  // Blocking at "warning" also blocks on eqeqeq.
  const strict = await run({ files: ['reports/eslint.sarif'], level: 'warning' });
  assert.equal(strict.summary, '3 blocking result(s) in 1 SARIF file');
});

test('semgrep-shaped SARIF: rule default level applies, accepted suppressions are ignored, uriBaseId paths', async (t) => {
  const dir = await tempDir(t);
  await cp(join(FIXTURES, 'sarif/semgrep.sarif'), join(dir, 'semgrep.sarif'));
  const verdict = await run({ files: 'semgrep.sarif' }, dir);
  assert.equal(verdict.status, 'block');
  assert.equal(
    verdict.summary,
    '1 blocking result(s) in 1 SARIF file (1 below the thresholds, 1 suppressed)',
  );
  assert.deepEqual(
    verdict.findings.map((f) => [f.path, f.line, f.severity]),
    [
      ['src/server.js', 14, 'error'],
      ['src/util.js', 3, 'warning'],
    ],
  );
  // The snippet is never copied into findings.
  assert.ok(!JSON.stringify(verdict).includes('req.query.name'));
});

test('trivy-shaped SARIF: security-severity from the rule blocks at the threshold; ROOTPATH uris stay relative', async (t) => {
  const dir = await tempDir(t);
  await cp(join(FIXTURES, 'sarif/trivy.sarif'), join(dir, 'trivy.sarif'));
  const verdict = await run({ files: 'trivy.sarif', level: 'note', security_severity: 7 }, dir);
  assert.equal(verdict.status, 'block');
  assert.deepEqual(
    verdict.findings.map((f) => [f.path, f.line, f.rule]),
    [
      ['package-lock.json', 120, 'CVE-2024-4068'],
      ['package-lock.json', 300, 'CVE-2024-29041'],
    ],
  );
  assert.equal(verdict.findings[0]!.message, 'Trivy: Package: braces (level error, security-severity 7.5)');
});

test('CodeQL-shaped SARIF: a warning-level result blocks on its rule security-severity (in tool.extensions)', async (t) => {
  const dir = await tempDir(t);
  await cp(join(FIXTURES, 'sarif/codeql.sarif'), join(dir, 'codeql.sarif'));
  const blocked = await run({ files: 'codeql.sarif' }, dir);
  assert.equal(blocked.status, 'block');
  assert.equal(blocked.findings[0]!.path, 'lib/escape.js');
  assert.match(
    blocked.findings[0]!.message,
    /\(level warning from its rule's default, security-severity 7\.8\)$/,
  );
  const relaxed = await run({ files: 'codeql.sarif', security_severity: 8 }, dir);
  assert.equal(relaxed.status, 'pass');
  assert.equal(relaxed.summary, 'no blocking results in 1 SARIF file (1 below the thresholds)');
});

test('absolute file: uris inside the repository become repo-relative', () => {
  const results = parseSarif(
    JSON.stringify({
      version: '2.1.0',
      runs: [
        {
          tool: { driver: { name: 'X' } },
          results: [
            {
              ruleId: 'r',
              level: 'error',
              message: { text: 'm' },
              locations: [{ physicalLocation: { artifactLocation: { uri: 'file:///repo/src/a%20b.ts' } } }],
            },
          ],
        },
      ],
    }),
    'x.sarif',
    '/repo',
  );
  assert.equal(results[0]!.path, 'src/a b.ts');
});

test('fails closed: truncated SARIF, wrong version, no matching file', async (t) => {
  const dir = await tempDir(t);
  const text = await readFile(join(FIXTURES, 'sarif/trivy.sarif'), 'utf8');
  await mkdir(join(dir, 'out'));
  await writeFile(join(dir, 'out/cut.sarif'), text.slice(0, text.length / 2));
  const truncated = await run({ files: 'out/*.sarif' }, dir);
  assert.equal(truncated.status, 'block');
  assert.match(
    truncated.summary,
    /^out\/cut\.sarif is not valid JSON \(it ends before the JSON does: truncated\?\)$/,
  );

  await writeFile(join(dir, 'out/cut.sarif'), JSON.stringify({ version: '2.0.0', runs: [] }));
  const wrong = await run({ files: 'out/cut.sarif' }, dir);
  assert.equal(
    wrong.summary,
    'out/cut.sarif is not a SARIF 2.1.0 log (version "2.0.0"): it is a draft of SARIF 2.1.0: convert it with the SARIF Multitool (`sarif transform --sarif-output-version Current`) or update the tool that wrote it',
  );

  const none = await run({ files: ['reports/*.sarif', 'x.sarif'] }, dir);
  assert.equal(none.status, 'block');
  assert.equal(none.summary, `no SARIF file matched reports/*.sarif, x.sarif in ${dir}`);
});

test('the schema requires files and refuses unknown keys', () => {
  assert.equal(sarifGate.schema.safeParse({}).success, false);
  assert.equal(sarifGate.schema.safeParse({ files: 'a.sarif', severity: 3 }).success, false);
  assert.equal(sarifGate.schema.safeParse({ files: 'a.sarif', security_severity: 11 }).success, false);
});

test('a value outside the SARIF enums or a security-severity that is no score blocks, naming the file and the field', async (t) => {
  const dir = await tempDir(t);
  const codeql = JSON.parse(await readFile(join(FIXTURES, 'sarif/codeql.sarif'), 'utf8'));
  const edits: Array<[string, (log: typeof codeql) => void, string]> = [
    [
      'result level',
      (log) => (log.runs[0].results[0].level = 'ERROR'),
      'edited.sarif: runs[0].results[0].level is "ERROR", not one of "none", "note", "warning", "error" (SARIF 2.1.0)',
    ],
    [
      'result kind',
      (log) => (log.runs[0].results[0].kind = 'failure'),
      'edited.sarif: runs[0].results[0].kind is "failure", not one of "notApplicable", "pass", "fail", "review", "open", "informational" (SARIF 2.1.0)',
    ],
    [
      'rule default level',
      (log) => (log.runs[0].tool.extensions[0].rules[0].defaultConfiguration.level = 'high'),
      'edited.sarif: rule "js/incomplete-sanitization" defaultConfiguration.level is "high", not one of "none", "note", "warning", "error" (SARIF 2.1.0)',
    ],
    [
      'rule security-severity',
      (log) => (log.runs[0].tool.extensions[0].rules[0].properties['security-severity'] = '78'),
      'edited.sarif: rule "js/incomplete-sanitization" properties["security-severity"] is "78": it must be a number from 0.0 to 10.0',
    ],
    [
      'result security-severity',
      (log) => (log.runs[0].results[0].properties = { 'security-severity': 'critical' }),
      'edited.sarif: runs[0].results[0].properties["security-severity"] is "critical": it must be a number from 0.0 to 10.0',
    ],
  ];
  for (const [what, change, expected] of edits) {
    const log = structuredClone(codeql);
    change(log);
    await writeFile(join(dir, 'edited.sarif'), JSON.stringify(log));
    // A low bar: the unedited report passes it, so only the edit can block.
    const verdict = await run({ files: 'edited.sarif', level: 'error', security_severity: 9 }, dir);
    assert.equal(verdict.status, 'block', what);
    assert.equal(verdict.summary, expected, what);
  }
  await writeFile(join(dir, 'edited.sarif'), JSON.stringify(codeql));
  assert.equal((await run({ files: 'edited.sarif', security_severity: 9 }, dir)).status, 'pass');
});

test('paths against the report base URI are relative to GITHUB_WORKSPACE when the gate runs in a subdirectory', async (t) => {
  // CodeQL run on packages/api of a runner's checkout: %SRCROOT% is that directory, the uris are below it.
  const dir = await tempDir(t);
  const log = JSON.parse(await readFile(join(FIXTURES, 'sarif/codeql.sarif'), 'utf8'));
  log.runs[0].originalUriBaseIds = { '%SRCROOT%': { uri: `file://${ESLINT_WORKSPACE}/packages/api/` } };
  await writeFile(join(dir, 'codeql.sarif'), JSON.stringify(log));
  const verdict = await sarifGate.run(
    sarifGate.schema.parse({ files: 'codeql.sarif' }) as SarifConfig,
    workspaceContext(dir, ESLINT_WORKSPACE),
  );
  assert.equal(verdict.status, 'block');
  assert.equal(verdict.findings[0]!.path, 'packages/api/lib/escape.js');
});

test('a uriBaseId whose base is relative to another base (SARIF §3.14.14) is resolved through them, not refused', () => {
  const log = (bases: Record<string, unknown>, uriBaseId = 'SRCROOT') =>
    JSON.stringify({
      version: '2.1.0',
      runs: [
        {
          tool: { driver: { name: 'scanner' } },
          originalUriBaseIds: bases,
          results: [
            {
              ruleId: 'r',
              level: 'error',
              message: { text: 'm' },
              locations: [{ physicalLocation: { artifactLocation: { uri: 'lib/a.js', uriBaseId } } }],
            },
          ],
        },
      ],
    });
  const pathOf = (text: string) => parseSarif(text, 'r.sarif', '/repo').map((result) => result.path);
  // The spec's own example: SRCROOT is "src/" below REPOROOT, which is the checkout.
  assert.deepEqual(
    pathOf(log({ REPOROOT: { uri: 'file:///repo/' }, SRCROOT: { uri: 'src/', uriBaseId: 'REPOROOT' } })),
    ['src/lib/a.js'],
  );
  // REPOROOT left unknown (no uri), or not listed: SRCROOT is "src/" below the scanned directory.
  assert.deepEqual(pathOf(log({ REPOROOT: {}, SRCROOT: { uri: 'src/', uriBaseId: 'REPOROOT' } })), [
    'src/lib/a.js',
  ]);
  assert.deepEqual(pathOf(log({ SRCROOT: { uri: 'src' } })), ['src/lib/a.js']);
  // Below a root outside the checkout (trivy's "file:///"), the part below that root is the path.
  assert.deepEqual(pathOf(log({ ROOT: { uri: 'file:///' }, SRCROOT: { uri: 'src/', uriBaseId: 'ROOT' } })), [
    'src/lib/a.js',
  ]);
  // Bases naming each other in a loop are a broken log, named.
  assert.throws(
    () => pathOf(log({ A: { uri: 'a/', uriBaseId: 'B' }, B: { uri: 'b/', uriBaseId: 'A' } }, 'A')),
    {
      message:
        'r.sarif: runs[0].results[0].locations[0].physicalLocation.artifactLocation.uriBaseId "A": the run\'s originalUriBaseIds name each other in a loop ("A" → "B" → "A")',
    },
  );
});

test('a result naming its file by artifact index, or its message by id with arguments, is read as SARIF says', () => {
  const log = (results: unknown[], run: object = {}) =>
    JSON.stringify({
      version: '2.1.0',
      runs: [
        {
          tool: {
            driver: {
              name: 'scanner',
              rules: [{ id: 'r', messageStrings: { default: { text: "'{0}' is used in {1} {{sic}}" } } }],
              globalMessageStrings: { shared: { text: 'Shared {0}' } },
            },
          },
          originalUriBaseIds: { SRCROOT: { uri: 'file:///repo/' } },
          artifacts: [{ location: { uri: 'src/a.js', uriBaseId: 'SRCROOT' } }, { location: { uri: 'b.js' } }],
          results,
          ...run,
        },
      ],
    });
  const result = (extra: object) => ({ ruleId: 'r', level: 'error', ...extra });
  const read = (text: string) =>
    parseSarif(text, 'r.sarif', '/repo').map((found) => [found.path ?? null, found.message]);
  // §3.4.5: with an index, the uri may be left out; the artifact's uri (and its base) is the file.
  // §3.11.7: a message by id is the rule's message string, or the tool's global one, arguments filled in.
  assert.deepEqual(
    read(
      log([
        result({
          message: { id: 'default', arguments: ['eval', 'render'] },
          locations: [{ physicalLocation: { artifactLocation: { index: 0 } } }],
        }),
        result({
          message: { id: 'shared', arguments: ['x'] },
          locations: [{ physicalLocation: { artifactLocation: { index: 1 } } }],
        }),
        result({ message: { text: '\nThe line after an empty one' } }),
      ]),
    ),
    [
      ['src/a.js', "'eval' is used in render {sic}"],
      ['b.js', 'Shared x'],
      [null, 'The line after an empty one'],
    ],
  );
  // An index naming no artifact is a broken log.
  assert.throws(
    () =>
      read(
        log([
          result({
            message: { text: 'm' },
            locations: [{ physicalLocation: { artifactLocation: { index: 2 } } }],
          }),
        ]),
      ),
    {
      message:
        'r.sarif: runs[0].results[0].locations[0].physicalLocation.artifactLocation.index 2 names no artifact (the run lists 2): the log is broken or cut short',
    },
  );
  // Arguments fill a message only as far as a finding shows it: a placeholder repeated a million times
  // with a long argument is not a string of gigabytes.
  const [[, filled]] = read(
    log([result({ message: { text: '{0}'.repeat(1_000_000), arguments: ['x'.repeat(10_000)] } })]),
  ) as [[unknown, string]];
  assert.equal(filled, 'x'.repeat(1000));
});

test('a result is suppressed only when every suppression is accepted: one under review or rejected leaves it open', async (t) => {
  const dir = await tempDir(t);
  const result = (ruleId: string, suppressions: unknown[]) => ({
    ruleId,
    level: 'error',
    message: { text: `${ruleId} found` },
    suppressions,
  });
  const log = (results: unknown[]) =>
    JSON.stringify({ version: '2.1.0', runs: [{ tool: { driver: { name: 'scanner' } }, results }] });
  await writeFile(
    join(dir, 'r.sarif'),
    log([
      result('accepted', [{ kind: 'inSource', status: 'accepted' }, { kind: 'external' }]),
      // An inSource suppression a reviewer rejected externally: the SARIF SDK reads it as not suppressed.
      result('rejected', [
        { kind: 'inSource', status: 'accepted' },
        { kind: 'external', status: 'rejected' },
      ]),
      result('review', [{ kind: 'inSource' }, { kind: 'external', status: 'underReview' }]),
      result('none', []),
    ]),
  );
  const verdict = await run({ files: 'r.sarif' }, dir);
  assert.equal(verdict.status, 'block');
  assert.equal(verdict.summary, '3 blocking result(s) in 1 SARIF file (1 suppressed)');
  assert.deepEqual(
    verdict.findings.map((finding) => finding.message),
    [
      'scanner: rejected found (level error, its suppression is rejected)',
      'scanner: review found (level error, its suppression is under review)',
      'scanner: none found (level error)',
    ],
  );

  // A status outside the enum is the log's error, named by its path, as the other enums are.
  await writeFile(join(dir, 'r.sarif'), log([result('odd', [{ kind: 'inSource', status: 'Accepted' }])]));
  const odd = await run({ files: 'r.sarif' }, dir);
  assert.equal(odd.status, 'block');
  assert.equal(
    odd.summary,
    'r.sarif: runs[0].results[0].suppressions[0].status is "Accepted", not one of "accepted", "underReview", "rejected" (SARIF 2.1.0)',
  );
});

test('levels none and note do not block by themselves; a high security-severity does; an inSource suppression is counted', async (t) => {
  const dir = await tempDir(t);
  const rules = [{ id: 'sev', properties: { 'security-severity': '9.1' } }, { id: 'plain' }];
  const result = (ruleId: string, more: object) => ({
    ruleId,
    message: { text: `${ruleId} found` },
    ...more,
  });
  await writeFile(
    join(dir, 'r.sarif'),
    JSON.stringify({
      version: '2.1.0',
      runs: [
        {
          tool: { driver: { name: 'scanner', rules } },
          results: [
            result('plain', { level: 'none' }),
            result('plain', { level: 'note' }),
            result('sev', { level: 'note' }),
            result('sev', { level: 'error', suppressions: [{ kind: 'inSource' }] }),
          ],
        },
      ],
    }),
  );
  const verdict = await run({ files: 'r.sarif' }, dir);
  assert.equal(verdict.status, 'block');
  assert.equal(
    verdict.summary,
    '1 blocking result(s) in 1 SARIF file (2 below the thresholds, 1 suppressed)',
  );
  assert.deepEqual(
    verdict.findings.map((finding) => [finding.severity, finding.message]),
    [
      ['error', 'scanner: sev found (level note, security-severity 9.1)'],
      ['notice', 'scanner: plain found (level none)'],
      ['notice', 'scanner: plain found (level note)'],
    ],
  );
});
