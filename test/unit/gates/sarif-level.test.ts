// A SARIF result's effective level (SARIF 2.1.0 §3.27.10): its own `level`; for a kind other than "fail",
// "none"; else the override of its rule in the invocation that produced it (§3.20.5, §3.51), the rule's
// defaultConfiguration.level (the rule found by ruleIndex, rule.index or ruleId, in the driver or an
// extension), and "warning". Real tools' logs (test/fixtures/gates/real-world) and one log per step.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseSarif, sarifGate, SarifReportError } from '../../../src/gates/sarif.ts';
import type { GateContext } from '../../../src/gates/types.ts';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gateContext } from '../../helpers/gate-context.ts';

const REAL = fileURLToPath(new URL('../../fixtures/gates/real-world/', import.meta.url));

async function real(file: string) {
  return parseSarif(await readFile(join(REAL, file), 'utf8'), file, '/repo').map((r) => [
    r.ruleId,
    r.level,
    r.levelSource,
  ]);
}

test('real logs: gitleaks and Bandit give no level (SARIF default "warning"), Trivy and Checkov "error" on the result', async () => {
  assert.deepEqual(await real('gitleaks-8.sarif'), [['lab06-test-secret', 'warning', 'default']]);
  assert.deepEqual(await real('bandit-1.9.sarif'), [['B307', 'warning', 'default']]);
  assert.deepEqual(await real('trivy-legacy.sarif'), [
    ['[MEDIUM] CVE-2017-16137', 'error', 'result'],
    ['[HIGH] CVE-2017-1000228', 'error', 'result'],
    ['[HIGH] NSWG-ECO-106', 'error', 'result'],
  ]);
  assert.deepEqual(await real('checkov-2.2.sarif'), [
    ['CKV_AZURE_179', 'error', 'result'],
    ['CKV_AZURE_33', 'error', 'result'],
    ['CKV_AZURE_42', 'error', 'result'],
  ]);
  assert.deepEqual(await real('eslint-9-windows.sarif'), []);
});

const context = (cwd: string): GateContext => gateContext(cwd);

async function verdict(
  t: { after(fn: () => Promise<void>): void },
  log: object | string,
  config: object = {},
) {
  const dir = await mkdtemp(join(tmpdir(), 'sarif-level-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'scan.sarif'), typeof log === 'string' ? log : JSON.stringify(log));
  return sarifGate.run(sarifGate.schema.parse({ files: 'scan.sarif', ...config }), context(dir));
}

test('real gitleaks log in the sarif gate: the finding says its level and why; "level: warning" blocks on it', async (t) => {
  const text = await readFile(join(REAL, 'gitleaks-8.sarif'), 'utf8');
  const atDefault = await verdict(t, text);
  assert.equal(atDefault.status, 'pass');
  assert.deepEqual(
    atDefault.findings.map((f) => [f.rule, f.severity]),
    [['lab06-test-secret', 'warning']],
  );
  assert.match(
    atDefault.findings[0]!.message,
    /\(level warning by SARIF's default \(none in the result or its rule\)\)$/,
  );
  const atWarning = await verdict(t, text, { level: 'warning' });
  assert.equal(`${atWarning.status}: ${atWarning.summary}`, 'block: 1 blocking result(s) in 1 SARIF file');
});

const located = {
  locations: [{ physicalLocation: { artifactLocation: { uri: 'src/app.py' }, region: { startLine: 3 } } }],
};

/** A log of one run: the driver's rules, an extension's, the results, and the invocations. */
function log(run: {
  rules?: object[];
  extensionRules?: object[];
  results: object[];
  invocations?: object[];
}): object {
  return {
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: { name: 'Scanner', rules: run.rules ?? [] },
          ...(run.extensionRules ? { extensions: [{ name: 'pack', rules: run.extensionRules }] } : {}),
        },
        ...(run.invocations ? { invocations: run.invocations } : {}),
        results: run.results.map((result) => ({ message: { text: 'found' }, ...located, ...result })),
      },
    ],
  };
}

const levels = (text: object) =>
  parseSarif(JSON.stringify(text), 'scan.sarif', '/repo').map((r) => `${r.level}/${r.levelSource}`);

const override = (descriptor: object, level: string) => ({ descriptor, configuration: { level } });

test('each step of the resolution, in its order', () => {
  const rules = [{ id: 'R1', defaultConfiguration: { level: 'note' } }, { id: 'R2' }];
  // The result's own level wins over an override and the rule's default.
  assert.deepEqual(
    levels(
      log({
        rules,
        results: [{ ruleId: 'R1', level: 'note' }],
        invocations: [{ ruleConfigurationOverrides: [override({ id: 'R1' }, 'error')] }],
      }),
    ),
    ['note/result'],
  );
  // A kind other than "fail" is "none", whatever the override or the rule say.
  for (const kind of ['pass', 'notApplicable', 'informational', 'open', 'review']) {
    assert.deepEqual(
      levels(
        log({
          rules: [{ id: 'R1', defaultConfiguration: { level: 'error' } }],
          results: [{ ruleId: 'R1', kind }],
          invocations: [{ ruleConfigurationOverrides: [override({ id: 'R1' }, 'error')] }],
        }),
      ),
      ['none/kind'],
      kind,
    );
  }
  // kind "fail" (written or absent): the override of the rule, else its default, else "warning".
  assert.deepEqual(
    levels(
      log({
        rules,
        results: [{ ruleId: 'R1', kind: 'fail' }, { ruleId: 'R1' }, { ruleId: 'R2' }, { ruleId: 'R3' }],
        invocations: [{ ruleConfigurationOverrides: [override({ index: 0 }, 'error')] }],
      }),
    ),
    ['error/override', 'error/override', 'warning/default', 'warning/default'],
  );
  assert.deepEqual(levels(log({ rules, results: [{ ruleId: 'R1' }, { ruleId: 'R2' }] })), [
    'note/rule',
    'warning/default',
  ]);
  // An override with no level leaves the rule's default.
  assert.deepEqual(
    levels(
      log({
        rules,
        results: [{ ruleId: 'R1' }],
        invocations: [
          { ruleConfigurationOverrides: [{ descriptor: { id: 'R1' }, configuration: { enabled: true } }] },
        ],
      }),
    ),
    ['note/rule'],
  );
});

test('the rule is found by ruleIndex, rule.index, ruleId or rule.id, in the driver or an extension', () => {
  const rules = [
    { id: 'D0', defaultConfiguration: { level: 'note' } },
    { id: 'D1', defaultConfiguration: { level: 'error' } },
  ];
  const extensionRules = [{ id: 'E0', defaultConfiguration: { level: 'error' } }];
  assert.deepEqual(
    levels(
      log({
        rules,
        extensionRules,
        results: [
          { ruleId: 'D1', ruleIndex: 1 },
          { rule: { index: 1 } },
          { ruleId: 'D1' },
          { rule: { id: 'D0' } },
          { ruleId: 'E0' },
          { ruleId: 'E0', rule: { index: 0, toolComponent: { index: 0 } } },
          { ruleId: 'D1/sub' },
        ],
      }),
    ),
    ['error/rule', 'error/rule', 'error/rule', 'note/rule', 'error/rule', 'error/rule', 'error/rule'],
  );
});

test('an override names its rule by id, index or extension, in the invocation that produced the result', () => {
  const rules = [{ id: 'D0' }];
  const extensionRules = [{ id: 'E0' }];
  // By index in an extension: only the extension's rule, not the driver's rule of that index.
  assert.deepEqual(
    levels(
      log({
        rules,
        extensionRules,
        results: [
          { ruleId: 'D0', ruleIndex: 0 },
          { ruleId: 'E0', rule: { index: 0, toolComponent: { index: 0 } } },
        ],
        invocations: [
          { ruleConfigurationOverrides: [override({ index: 0, toolComponent: { index: 0 } }, 'error')] },
        ],
      }),
    ),
    ['warning/default', 'error/override'],
  );
  // A rule the tool does not list is matched by its id.
  assert.deepEqual(
    levels(
      log({
        results: [{ ruleId: 'unlisted' }, { ruleId: 'other' }],
        invocations: [{ ruleConfigurationOverrides: [override({ id: 'unlisted' }, 'error')] }],
      }),
    ),
    ['error/override', 'warning/default'],
  );
  // Two invocations: provenance.invocationIndex says which one's overrides apply; without it, none does.
  const two = [
    { ruleConfigurationOverrides: [override({ id: 'D0' }, 'note')] },
    { ruleConfigurationOverrides: [override({ id: 'D0' }, 'error')] },
  ];
  assert.deepEqual(
    levels(
      log({
        rules,
        results: [
          { ruleId: 'D0', provenance: { invocationIndex: 1 } },
          { ruleId: 'D0', provenance: { invocationIndex: 0 } },
          { ruleId: 'D0' },
        ],
        invocations: two,
      }),
    ),
    ['error/override', 'note/override', 'warning/default'],
  );
});

test('an override of a result without a level to "error" blocks at the default threshold', async (t) => {
  const blocked = await verdict(
    t,
    log({
      rules: [{ id: 'B105', defaultConfiguration: { level: 'warning' } }],
      results: [{ ruleId: 'B105', ruleIndex: 0 }],
      invocations: [
        { executionSuccessful: true, ruleConfigurationOverrides: [override({ id: 'B105' }, 'error')] },
      ],
    }),
  );
  assert.equal(`${blocked.status}: ${blocked.summary}`, 'block: 1 blocking result(s) in 1 SARIF file');
  assert.equal(
    blocked.findings[0]!.message,
    "Scanner: found (level error from the run's override of its rule)",
  );
});

test('a broken override is refused, naming where it is', () => {
  const refused = (text: object) => assert.throws(() => levels(text), SarifReportError);
  refused(
    log({
      rules: [{ id: 'R1' }],
      results: [{ ruleId: 'R1' }],
      invocations: [{ ruleConfigurationOverrides: [override({ id: 'R1' }, 'ERROR')] }],
    }),
  );
  assert.throws(
    () =>
      levels(
        log({
          rules: [{ id: 'R1' }],
          results: [{ ruleId: 'R1' }],
          invocations: [{ ruleConfigurationOverrides: [override({ index: 4 }, 'error')] }],
        }),
      ),
    /runs\[0\]\.invocations\[0\]\.ruleConfigurationOverrides\[0\]\.descriptor: ruleIndex 4 names no rule/,
  );
  assert.throws(
    () =>
      levels(
        log({
          rules: [{ id: 'R1' }],
          results: [{ ruleId: 'R1', provenance: { invocationIndex: 2 } }],
          invocations: [{}],
        }),
      ),
    /results\[0\]\.provenance\.invocationIndex 2 names no invocation/,
  );
  // Without its descriptor an override says nothing of which rule: not read as no override.
  refused(
    log({
      rules: [{ id: 'R1' }],
      results: [{ ruleId: 'R1' }],
      invocations: [{ ruleConfigurationOverrides: [{ configuration: { level: 'error' } }] }],
    }),
  );
});

test('a level written beside a kind other than "fail" is set aside (§3.27.10): a passed check saying "error" does not block', async (t) => {
  // "If kind has any value other than "fail", then if level is absent, it SHALL default to "none", and if
  // it is present, it SHALL have the value "none"."
  for (const kind of ['pass', 'notApplicable', 'informational', 'open', 'review']) {
    assert.deepEqual(levels(log({ results: [{ ruleId: 'R1', kind, level: 'error' }] })), ['none/kind'], kind);
  }
  // A failure keeps its own level.
  assert.deepEqual(levels(log({ results: [{ ruleId: 'R1', kind: 'fail', level: 'error' }] })), [
    'error/result',
  ]);
  const passed = await verdict(
    t,
    log({ results: [{ ruleId: 'CFG001', kind: 'pass', level: 'error', message: { text: 'CFG on' } }] }),
  );
  assert.equal(
    `${passed.status}: ${passed.summary}`,
    'pass: no blocking results in 1 SARIF file (1 below the thresholds)',
  );
  assert.equal(passed.findings.length, 1);
  assert.equal(passed.findings[0]!.severity, 'notice');
  // The level the log wrote is shown, with why it was not judged.
  assert.match(
    passed.findings[0]!.message,
    /level none for a kind other than "fail" \(kind "pass"; its level "error" applies only to kind "fail", SARIF 2\.1\.0 §3\.27\.10\)/,
  );
  // A failure beside it still blocks; so does a review result's security-severity (kind "review" may be a problem).
  const mixed = await verdict(
    t,
    log({
      rules: [{ id: 'SEC', properties: { 'security-severity': '9.1' } }],
      results: [
        { ruleId: 'R1', kind: 'pass', level: 'error' },
        { ruleId: 'R2', level: 'error' },
        { ruleId: 'SEC', kind: 'review', level: 'error' },
      ],
    }),
  );
  assert.deepEqual(
    mixed.findings.map((f) => [f.rule, f.severity]),
    [
      ['R2', 'error'],
      ['SEC', 'error'],
      ['R1', 'notice'],
    ],
  );
});
