// Reports copied from public repositories, as the tools wrote them (test/fixtures/gates/real-world/README.md
// says which tool and where from): each gate reads them with the counts and verdict the tool's users expect.
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { promisify } from 'node:util';
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { auditGate } from '../../../src/gates/audit.ts';
import { readCoverageReport } from '../../../src/gates/coverage/read.ts';
import { infrastructureGate } from '../../../src/gates/infrastructure.ts';
import { parseJUnit } from '../../../src/gates/junit.ts';
import { parseSarif, sarifGate } from '../../../src/gates/sarif.ts';
import { secretsGate } from '../../../src/gates/secrets.ts';
import { testsGate } from '../../../src/gates/tests.ts';
import type { GateContext } from '../../../src/gates/types.ts';
import { gateContext } from '../../helpers/gate-context.ts';

const FIXTURES = fileURLToPath(new URL('../../fixtures/gates/real-world/', import.meta.url));

/** A checkout holding copies of `files` (fixture names), removed after the test. */
async function checkout(t: { after(fn: () => Promise<void>): void }, ...files: string[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'real-samples-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  for (const file of files) await copyFile(join(FIXTURES, file), join(dir, file));
  return dir;
}

const context = (cwd: string): GateContext => gateContext(cwd);

test('cargo-nextest: a test that failed on every retry fails; a flaky one that passed on retry does not', async (t) => {
  const { readFile } = await import('node:fs/promises');
  const summary = parseJUnit(await readFile(join(FIXTURES, 'nextest.junit.xml'), 'utf8'), 'junit.xml');
  assert.equal(summary.tests, 3);
  assert.equal(summary.skipped, 0);
  assert.deepEqual(
    summary.failures.map((f) => [f.classname, f.name, f.kind, f.message]),
    [
      [
        'nextest-tests::basic',
        'test_failure_assert',
        'failure',
        "thread 'test_failure_assert' panicked at tests/basic.rs:19:5:",
      ],
    ],
  );
  const dir = await checkout(t, 'nextest.junit.xml');
  const verdict = await testsGate.run(
    testsGate.schema.parse({ junit: 'nextest.junit.xml', thresholds: {} }),
    context(dir),
  );
  assert.equal(`${verdict.status}: ${verdict.summary}`, 'block: 1 of 3 tests failed');
});

test('go-junit-report: the failing test of the second package, its message from the escaped newlines', async (t) => {
  const dir = await checkout(t, 'go-junit-report.junit.xml', 'go-junit-report-no-tests.junit.xml');
  const verdict = await testsGate.run(
    testsGate.schema.parse({ junit: 'go-junit-report.junit.xml', thresholds: {} }),
    context(dir),
  );
  assert.equal(`${verdict.status}: ${verdict.summary}`, 'block: 1 of 4 tests failed');
  // go-junit-report writes message="Failed" on every failure: the output under it says what failed.
  assert.equal(
    verdict.findings[0]!.message,
    'name2 › TestOne failed: file_test.go:11: Error message (go-junit-report.junit.xml)',
  );
  // Packages without tests ("no tests to run") and nothing else: no test ran, which is no pass.
  const empty = await testsGate.run(
    testsGate.schema.parse({ junit: 'go-junit-report-no-tests.junit.xml', thresholds: {} }),
    context(dir),
  );
  assert.equal(empty.status, 'block');
  assert.match(empty.summary, /no test case/);
});

test('coverage.py 4.5 Cobertura (Windows <source>, no branch measurement): 85 of 152 lines, branches not carried', async (t) => {
  const dir = await checkout(t, 'coveragepy-4.5.cobertura.xml');
  const report = await readCoverageReport(dir, 'coveragepy-4.5.cobertura.xml');
  assert.deepEqual(report.totals, { lines: { covered: 85, total: 152 } });
  assert.equal(report.lineHits?.get('__init__.py')?.size, 80);
  assert.equal(report.lineHits?.get('classes.py')?.get(28), 0);
  const verdict = await testsGate.run(
    testsGate.schema.parse({
      coverage: 'coveragepy-4.5.cobertura.xml',
      thresholds: { lines: 55, branches: 1 },
    }),
    context(dir),
  );
  assert.equal(verdict.status, 'block');
  assert.match(verdict.summary, /no coverage report carries branches/);
  assert.doesNotMatch(verdict.summary, /lines coverage/);
});

test('jest lcov written on Windows: lines, functions and branches from the LF/LH, FNF/FNH, BRF/BRH records', async (t) => {
  const dir = await checkout(t, 'jest-windows.lcov.info');
  const report = await readCoverageReport(dir, 'jest-windows.lcov.info');
  assert.deepEqual(report.totals, {
    lines: { covered: 22, total: 28 },
    branches: { covered: 0, total: 2 },
    functions: { covered: 12, total: 14 },
  });
  const verdict = await testsGate.run(
    testsGate.schema.parse({ coverage: 'jest-windows.lcov.info', thresholds: { lines: 78, functions: 85 } }),
    context(dir),
  );
  assert.equal(`${verdict.status}: ${verdict.summary}`, 'pass: lines 78.6%, functions 85.7%');
});

test('jest json-summary: the totals, with branchesTrue ("pct": "Unknown") beside them', async (t) => {
  const dir = await checkout(t, 'jest.coverage-summary.json');
  const report = await readCoverageReport(dir, 'jest.coverage-summary.json');
  assert.deepEqual(report.totals, {
    lines: { covered: 15, total: 15 },
    branches: { covered: 0, total: 0 },
    functions: { covered: 6, total: 6 },
    statements: { covered: 15, total: 15 },
  });
});

async function sarifVerdict(dir: string, file: string) {
  return sarifGate.run(sarifGate.schema.parse({ files: file }), context(dir));
}

test('SARIF: Trivy’s old template, Checkov and Bandit give the findings, by level and location', async (t) => {
  const dir = await checkout(t, 'trivy-legacy.sarif', 'checkov-2.2.sarif', 'bandit-1.9.sarif');
  // Trivy: level "error" on each result, no location (an image scan).
  const trivy = await sarifVerdict(dir, 'trivy-legacy.sarif');
  assert.equal(`${trivy.status}: ${trivy.summary}`, 'block: 3 blocking result(s) in 1 SARIF file');
  assert.deepEqual(
    trivy.findings.map((f) => [f.rule, f.path]),
    [
      ['[MEDIUM] CVE-2017-16137', undefined],
      ['[HIGH] CVE-2017-1000228', undefined],
      ['[HIGH] NSWG-ECO-106', undefined],
    ],
  );
  // Checkov: paths with a space, startLine and endLine.
  const checkov = parseSarif(
    await (await import('node:fs/promises')).readFile(join(dir, 'checkov-2.2.sarif'), 'utf8'),
    'checkov-2.2.sarif',
    dir,
  );
  assert.deepEqual(
    checkov.map((r) => [r.ruleId, r.level, r.path, r.line]),
    [
      ['CKV_AZURE_179', 'error', 'Develop Env/main.tf', 107],
      ['CKV_AZURE_33', 'error', 'setup/main.tf', 26],
      ['CKV_AZURE_42', 'error', 'module/keyvault/main.tf', 1],
    ],
  );
  assert.equal((await sarifVerdict(dir, 'checkov-2.2.sarif')).status, 'block');
  // Bandit: a MEDIUM issue has no level (SARIF's default "warning"), so it warns below the default threshold.
  const bandit = await sarifVerdict(dir, 'bandit-1.9.sarif');
  assert.equal(bandit.status, 'pass');
  assert.deepEqual(
    bandit.findings.map((f) => [f.rule, f.severity, f.path, f.line]),
    [['B307', 'warning', 'src/todoList.py', 48]],
  );
});

test('gitleaks v8 SARIF: the secrets gate blocks on its finding, at its file and line', async (t) => {
  const dir = await checkout(t, 'gitleaks-8.sarif');
  // The gate lists the checkout's files with git.
  await promisify(execFile)('git', ['init', '-q', dir]);
  const verdict = await secretsGate.run(
    secretsGate.schema.parse({ scope: 'changed', reports: 'gitleaks-8.sarif' }),
    context(dir),
  );
  assert.equal(verdict.status, 'block');
  assert.equal(verdict.summary, '1 secret in 1 file of the tree');
  assert.deepEqual(
    verdict.findings.map((f) => [f.rule, f.severity, f.path, f.line, f.column]),
    [['secrets.gitleaks.lab06-test-secret', 'error', 'gitleaks-custom-test.txt', 1, 1]],
  );
});

test('terraform show -json (1.3): the replaced local_file blocks, the no-op changes do not count', async (t) => {
  const dir = await checkout(t, 'terraform-1.3.plan.json');
  const run = (terraform: object) =>
    infrastructureGate.run(infrastructureGate.schema.parse({ terraform }), context(dir));
  const verdict = await run({ plan: 'terraform-1.3.plan.json' });
  assert.equal(verdict.status, 'block');
  assert.deepEqual(
    verdict.findings.map((f) => `${f.rule}: ${f.message.split(':')[0]}`),
    ['infrastructure.replace: local_file.abc will be replaced'],
  );
  const allowed = await run({ plan: 'terraform-1.3.plan.json', allow_replace: ['local_file.abc'] });
  assert.equal(allowed.status, 'pass');
});

test('yarn 4.0.0 `yarn npm audit --json`: the registry’s answer is read, a deprecation is info, "No audit suggestions" passes', async (t) => {
  const dir = await checkout(t, 'yarn-4-audit.ndjson', 'yarn-4-audit-clean.ndjson');
  const verdict = await auditGate.run(
    auditGate.schema.parse({ report: 'yarn-4-audit.ndjson' }),
    context(dir),
  );
  assert.equal(verdict.status, 'block');
  assert.equal(verdict.summary, '2 advisories at or above moderate (1 below moderate)');
  assert.deepEqual(
    verdict.findings.map((f) => [f.rule, f.severity, f.message]),
    [
      [
        'audit.vulnerability',
        'error',
        'lodash <4.17.19: high: Prototype Pollution in lodash (GHSA-p6mc-m468-83gw)',
      ],
      [
        'audit.vulnerability',
        'error',
        'minimist <0.2.1: moderate: Prototype Pollution in minimist (GHSA-vh95-rmgr-6w4m)',
      ],
      [
        'audit.vulnerability',
        'notice',
        'left-pad 1.3.0: info: deprecated: use String.prototype.padStart() (left-pad (deprecation))',
      ],
    ],
  );
  const clean = await auditGate.run(
    auditGate.schema.parse({ report: 'yarn-4-audit-clean.ndjson' }),
    context(dir),
  );
  assert.equal(`${clean.status}: ${clean.summary}`, 'pass: no known vulnerabilities');
});

test('ESLint 9 SARIF with no problem (artifacts on a Windows disk, no results) passes', async (t) => {
  const dir = await checkout(t, 'eslint-9-windows.sarif');
  const verdict = await sarifVerdict(dir, 'eslint-9-windows.sarif');
  assert.equal(verdict.status, 'pass');
  assert.deepEqual(verdict.findings, []);
});

test('a pip-audit report given to the audit gate is refused saying what it is', async (t) => {
  // pip-audit --format json, as its users' parsers read it: dependencies, each with vulns (no severity).
  const dir = await checkout(t);
  await writeFile(
    join(dir, 'pip-audit.json'),
    JSON.stringify({
      dependencies: [
        {
          name: 'requests',
          version: '2.31.0',
          vulns: [{ id: 'GHSA-9wx4-h78v-vm56', fix_versions: ['2.32.0'] }],
        },
        { name: 'idna', version: '3.7', vulns: [] },
      ],
      fixes: [],
    }),
  );
  const verdict = await auditGate.run(auditGate.schema.parse({ report: 'pip-audit.json' }), context(dir));
  assert.equal(verdict.status, 'block');
  assert.match(
    verdict.summary,
    /^pip-audit\.json: not an audit report this gate reads \(.*\): it is a pip-audit report, which gives no severities/,
  );
});
