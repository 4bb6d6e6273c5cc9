// yarn 4.0.1+ `yarn npm audit --json`: one report-tree line per advisory (see
// test/fixtures/gates/audit/README.md for the berry source lines each fixture line follows).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { auditGate, parseAuditReport } from '../../../src/gates/audit.ts';
import type { AuditConfig } from '../../../src/gates/schema/audit.ts';
import type { GateContext, GateVerdict } from '../../../src/gates/types.ts';

const FIXTURES = resolve(import.meta.dirname, '../../fixtures/gates/audit');

async function audit(
  t: { after(fn: () => Promise<void>): void },
  fixture: string,
  config: object = {},
): Promise<GateVerdict> {
  const dir = await mkdtemp(join(tmpdir(), 'audit-yarn4-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await cp(join(FIXTURES, fixture), join(dir, 'yarn-audit.ndjson'));
  const ctx: GateContext = {
    cwd: dir,
    changedFiles: async () => [],
    signal: new AbortController().signal,
    log: () => {},
    env: process.env,
  };
  return auditGate.run(
    auditGate.schema.parse({ report: 'yarn-audit.ndjson', ...config }) as AuditConfig,
    ctx,
  );
}

const fixtureLines = async (name: string) =>
  (await readFile(join(FIXTURES, name), 'utf8')).split('\n').filter((line) => line !== '');

test('yarn 4 report tree: every line is an advisory held to the threshold, a deprecation is info', async (t) => {
  const verdict = await audit(t, 'yarn-4-tree.ndjson');
  assert.equal(verdict.status, 'block');
  assert.equal(verdict.summary, '3 advisories at or above moderate (1 below moderate)');
  assert.deepEqual(
    verdict.findings.map((f) => [f.rule, f.severity, f.message]),
    [
      [
        'audit.vulnerability',
        'error',
        'browserify-sign >=2.6.0 <=4.2.1: high: browserify-sign upper bound check issue in `dsaVerify` leads to a signature forgery attack (GHSA-x9w5-v3q2-3rhw)',
      ],
      [
        'audit.vulnerability',
        'error',
        'nth-check <2.0.1: high: Inefficient Regular Expression Complexity in nth-check (GHSA-rp65-9cf3-cjxr)',
      ],
      [
        'audit.vulnerability',
        'error',
        'postcss <8.4.31: moderate: PostCSS line return parsing error (GHSA-7fh5-64p2-3v2j)',
      ],
      [
        'audit.vulnerability',
        'notice',
        '@babel/plugin-proposal-class-properties 7.18.6: info: deprecated: This proposal has been merged to the ECMAScript standard and thus this plugin is no longer maintained. Please use @babel/plugin-transform-class-properties instead. (@babel/plugin-proposal-class-properties (deprecation))',
      ],
    ],
  );
  // The gate's threshold decides, as for npm; the npm advisory number allows as well as the GHSA id.
  const high = await audit(t, 'yarn-4-tree.ndjson', {
    severity: 'high',
    allow: [
      { id: '1094464', reason: 'not reachable', expires: '2999-01-01' },
      { id: 'GHSA-rp65-9cf3-cjxr', reason: 'build only', expires: '2999-01-01' },
    ],
  });
  assert.equal(
    `${high.status}: ${high.summary}`,
    'pass: no advisories at or above high (2 allowed, 2 below high)',
  );
});

test('yarn 4 report tree: one line alone is read (it is a whole JSON document too)', async () => {
  const [, browserify] = await fixtureLines('yarn-4-tree.ndjson');
  const advisories = parseAuditReport(`${browserify}\n`, 'yarn-audit.ndjson');
  assert.deepEqual(advisories, [
    {
      id: 'GHSA-x9w5-v3q2-3rhw',
      source: '1094464',
      url: 'https://github.com/advisories/GHSA-x9w5-v3q2-3rhw',
      package: 'browserify-sign',
      severity: 'high',
      title: 'browserify-sign upper bound check issue in `dsaVerify` leads to a signature forgery attack',
      range: '>=2.6.0 <=4.2.1',
    },
  ]);
});

test('yarn 4 with nothing found: the lone "No audit suggestions" event passes', async (t) => {
  const verdict = await audit(t, 'yarn-4-tree-clean.ndjson');
  assert.deepEqual(verdict, { status: 'pass', summary: 'no known vulnerabilities', findings: [] });
});

test('yarn 4 report tree: an error event, a wrong field or a stray line is refused, not passed', async () => {
  const lines = await fixtureLines('yarn-4-tree.ndjson');
  const refused = (text: string) => {
    try {
      parseAuditReport(text, 'yarn-audit.ndjson');
    } catch (error) {
      return (error as Error).message;
    }
    return 'read';
  };
  const error = '{"type":"error","name":35,"displayName":"YN0035","indent":"","data":"Response Code: 503"}';
  assert.equal(
    refused(`${lines[1]}\n${error}\n`),
    'yarn-audit.ndjson: the audit failed ("Response Code: 503")',
  );
  assert.equal(
    refused('{"value":"nth-check","children":{"ID":1093882,"Severity":"urgent"}}\n'),
    'yarn-audit.ndjson: advisory for nth-check has an unknown severity "urgent"',
  );
  assert.match(
    refused('{"value":"nth-check","children":{"ID":1093882,"Severity":"high","Tree Versions":"1.0.2"}}\n'),
    /^yarn-audit\.ndjson: line 1\.children\.Tree Versions: /,
  );
  assert.match(refused(`${lines[1]}\nnot json\n`), /did not give a JSON audit report/);
  const clean = await fixtureLines('yarn-4-tree-clean.ndjson');
  assert.match(refused(`${lines[1]}\n${clean[0]}\n`), /"No audit suggestions" in the same output/);
});
