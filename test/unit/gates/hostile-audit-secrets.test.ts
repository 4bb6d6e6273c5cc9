// Audit and gitleaks JSON reports with a wrong type in each field read, counts that contradict the listed
// entries, and tools that quote the secret they found in their own message. Wrong types block naming the
// field (never a crash or "[object Object]" in a finding); a reported secret never reaches a finding.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditGate } from '../../../src/gates/audit.ts';
import { sarifGate } from '../../../src/gates/sarif.ts';
import { secretsGate } from '../../../src/gates/secrets.ts';
import type { GateContext, GateVerdict } from '../../../src/gates/types.ts';
import { gateContext } from '../../helpers/gate-context.ts';

const context = (cwd: string): GateContext => gateContext(cwd, { baseRef: 'base' });

async function tempDir(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'hostile-audit-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const VIA = {
  source: 1,
  name: 'lodash',
  title: 'Prototype pollution',
  url: 'https://github.com/advisories/GHSA-p6mc-m468-83gw',
  severity: 'low',
  range: '<4.17.19',
};
function npmV2(entry: unknown, counts: Record<string, unknown> = { low: 1, total: 1 }): string {
  return JSON.stringify({
    auditReportVersion: 2,
    vulnerabilities: { lodash: entry },
    metadata: { vulnerabilities: counts },
  });
}
const V1 = {
  id: 1,
  module_name: 'minimist',
  severity: 'low',
  title: 't',
  url: 'https://github.com/advisories/GHSA-xvch-5gv4-984h',
};
const v1 = (advisory: unknown) => JSON.stringify({ advisories: { 1: advisory }, metadata: {} });
const yarn = (event: unknown) =>
  `${JSON.stringify(event)}\n${JSON.stringify({ type: 'auditSummary', data: {} })}\n`;

test('audit: a wrong type in any field read blocks, naming the field, instead of crashing', async (t) => {
  const dir = await tempDir(t);
  const cases: Array<[string, string, RegExp]> = [
    ['a null vulnerability', npmV2(null), /vulnerabilities\.lodash: /],
    ['via as an object', npmV2({ severity: 'low', via: VIA }), /vulnerabilities\.lodash\.via: /],
    ['a null via', npmV2({ severity: 'low', via: [null] }), /vulnerabilities\.lodash\.via\[0\]: /],
    ['a numeric title', npmV2({ severity: 'low', via: [{ ...VIA, title: 5 }] }), /via\[0\]\.title: /],
    ['a numeric url', npmV2({ severity: 'low', via: [{ ...VIA, url: 5 }] }), /via\[0\]\.url: /],
    ['an object as source', npmV2({ severity: 'low', via: [{ ...VIA, source: {} }] }), /via\[0\]\.source: /],
    [
      'a string count',
      npmV2({ severity: 'low', via: [VIA] }, { low: '1', total: 1 }),
      /metadata\.vulnerabilities\.low: /,
    ],
    ['a null v1 advisory', v1(null), /advisories\.1: /],
    ['a numeric v1 title', v1({ ...V1, title: 7 }), /advisories\.1\.title: /],
    ['a null yarn event', `${JSON.stringify({ type: 'auditSummary' })}\nnull\n`, /line 2: /],
    [
      'a yarn advisory that is a string',
      yarn({ type: 'auditAdvisory', data: { advisory: 'x' } }),
      /line 1\.data\.advisory: /,
    ],
  ];
  for (const [what, text, message] of cases) {
    await writeFile(join(dir, 'audit.json'), text);
    const verdict = await auditGate.run(auditGate.schema.parse({ report: 'audit.json' }), context(dir));
    assert.equal(verdict.status, 'block', what);
    assert.match(verdict.summary, /^audit\.json: /, `${what}: ${verdict.summary}`);
    assert.match(verdict.summary, message, `${what}: ${verdict.summary}`);
  }
});

test('audit: metadata counting more vulnerabilities of a severity than listed blocks (a report cut or edited)', async (t) => {
  const dir = await tempDir(t);
  // Two critical counted, one low listed: read as listed, it passed the default "moderate" threshold.
  await writeFile(
    join(dir, 'audit.json'),
    npmV2({ name: 'lodash', severity: 'low', via: [VIA] }, { low: 1, critical: 2, total: 3 }),
  );
  const verdict = await auditGate.run(auditGate.schema.parse({ report: 'audit.json' }), context(dir));
  assert.equal(verdict.status, 'block');
  assert.equal(
    verdict.summary,
    'audit.json: metadata counts 2 critical vulnerabilities but the report lists 0 (truncated or edited)',
  );
  // As npm writes it, the counts match the entries and the report is read.
  await writeFile(join(dir, 'audit.json'), npmV2({ name: 'lodash', severity: 'low', via: [VIA] }));
  const ok = await auditGate.run(auditGate.schema.parse({ report: 'audit.json' }), context(dir));
  assert.equal(ok.status, 'pass', ok.summary);
});

const LEAK = {
  RuleID: 'generic',
  Description: 'Generic secret',
  File: 'src/a.js',
  StartLine: 2,
  Secret: 'x',
};

test('gitleaks JSON: a wrong type in any field read blocks, naming the entry and field', async (t) => {
  const dir = await tempDir(t);
  const cases: Array<[string, unknown[], RegExp]> = [
    ['a null entry', [null], /entry 0: /],
    ['a numeric RuleID', [{ ...LEAK, RuleID: 5 }], /entry 0\.RuleID: /],
    ['no File', [{ ...LEAK, File: undefined }], /entry 0\.File: /],
    ['a string StartLine', [LEAK, { ...LEAK, StartLine: '12' }], /entry 1\.StartLine: /],
    ['a negative StartLine', [{ ...LEAK, StartLine: -3 }], /entry 0\.StartLine: /],
    ['a fractional StartColumn', [{ ...LEAK, StartColumn: 1.5 }], /entry 0\.StartColumn: /],
    ['a numeric Secret', [{ ...LEAK, Secret: 1234 }], /entry 0\.Secret: /],
    ['an object Description', [{ ...LEAK, Description: { a: 1 } }], /entry 0\.Description: /],
  ];
  for (const [what, data, message] of cases) {
    await writeFile(join(dir, 'leaks.json'), JSON.stringify(data));
    const verdict = await secretsGate.run(secretsGate.schema.parse({ reports: 'leaks.json' }), context(dir));
    assert.equal(verdict.status, 'block', what);
    assert.match(verdict.summary, /^gitleaks report leaks\.json: /, `${what}: ${verdict.summary}`);
    assert.match(verdict.summary, message, `${what}: ${verdict.summary}`);
  }
});

// Not a pattern any built-in rule knows: only knowing it was reported can take it out.
const SECRET = 'correct-horse-battery-staple-9000';
const SECRET_LINES = 'first-line-of-the-secret-value\nsecond-line-of-the-secret-value';

function sarifWith(message: string, snippet: string): string {
  return JSON.stringify({
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'gitleaks' } },
        results: [
          {
            ruleId: 'generic',
            level: 'error',
            message: { text: message },
            locations: [
              {
                physicalLocation: {
                  artifactLocation: { uri: 'src/a.js' },
                  region: { startLine: 2, snippet: { text: snippet } },
                },
              },
            ],
          },
        ],
      },
    ],
  });
}

test('a secret a tool quotes in its own message never reaches a finding (gitleaks JSON, gitleaks SARIF, any SARIF)', async (t) => {
  const dir = await tempDir(t);
  const check = (verdict: GateVerdict, what: string) => {
    assert.equal(verdict.status, 'block', what);
    const all = JSON.stringify(verdict);
    for (const secret of [SECRET, ...SECRET_LINES.split('\n')])
      assert.ok(!all.includes(secret), `${what}: ${all}`);
  };
  for (const [secret, quoted] of [
    [SECRET, `found ${SECRET} in src/a.js`],
    [SECRET_LINES, `found ${SECRET_LINES.split('\n')[1]} on line 3`],
  ] as const) {
    await writeFile(
      join(dir, 'leaks.json'),
      JSON.stringify([{ ...LEAK, Description: quoted, Secret: secret, Match: `key = "${secret}"` }]),
    );
    check(
      await secretsGate.run(secretsGate.schema.parse({ reports: 'leaks.json' }), context(dir)),
      'gitleaks JSON',
    );
    // Quoted by the Match only.
    await writeFile(
      join(dir, 'leaks.json'),
      JSON.stringify([{ ...LEAK, Description: `matched key = "${secret}"`, Match: `key = "${secret}"` }]),
    );
    check(
      await secretsGate.run(secretsGate.schema.parse({ reports: 'leaks.json' }), context(dir)),
      'gitleaks Match',
    );
    await writeFile(join(dir, 'leaks.sarif'), sarifWith(quoted, secret));
    check(
      await secretsGate.run(secretsGate.schema.parse({ reports: 'leaks.sarif' }), context(dir)),
      'gitleaks SARIF',
    );
    check(await sarifGate.run(sarifGate.schema.parse({ files: 'leaks.sarif' }), context(dir)), 'sarif gate');
  }
});

test('a secret in a gitleaks rule id or file name never reaches a finding either', async (t) => {
  const dir = await tempDir(t);
  await writeFile(
    join(dir, 'leaks.json'),
    JSON.stringify([{ ...LEAK, RuleID: `custom-${SECRET}`, File: `config/${SECRET}.env`, Secret: SECRET }]),
  );
  const json = await secretsGate.run(secretsGate.schema.parse({ reports: 'leaks.json' }), context(dir));
  assert.equal(json.status, 'block');
  assert.ok(!JSON.stringify(json).includes(SECRET), JSON.stringify(json));
  await writeFile(
    join(dir, 'leaks.sarif'),
    sarifWith('a secret', SECRET).replaceAll('"ruleId":"', `"ruleId":"${SECRET}-`),
  );
  const sarif = await secretsGate.run(secretsGate.schema.parse({ reports: 'leaks.sarif' }), context(dir));
  assert.equal(sarif.status, 'block');
  assert.ok(!JSON.stringify(sarif).includes(SECRET), JSON.stringify(sarif));
});
