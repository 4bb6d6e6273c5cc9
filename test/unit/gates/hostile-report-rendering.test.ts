// Text a tool put in its report (a test's name, a rule id, a file path, a package, a resource address, a k6
// metric, an outdated package and its version) reaches the job summary, the gate's check run and the terminal
// table through the gates. From the report file to each place it is shown, a hostile value renders inert,
// with the structure a plain value gives: no mention, reference, link, HTML, table break, workflow command or
// control character, whichever field carries it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditGate } from '../../../src/gates/audit.ts';
import { dependenciesGate } from '../../../src/gates/dependencies.ts';
import { formatGatesReport } from '../../../src/gates/format.ts';
import { infrastructureGate } from '../../../src/gates/infrastructure.ts';
import { performanceGate } from '../../../src/gates/performance.ts';
import { runGates, type GateEntry, type GatesReport } from '../../../src/gates/runner.ts';
import { sarifGate } from '../../../src/gates/sarif.ts';
import { testsGate } from '../../../src/gates/tests.ts';
import type { GateResult } from '../../../src/gates/types.ts';
import { gateCheckOutput } from '../../../src/report/github/gate-checks.ts';
import { renderGatesSection } from '../../../src/report/job-summary.ts';
import { assertInert, ATTACKS, BENIGN } from '../report/markdown-check.ts';

/** `text` in an XML attribute or element: escaped as XML writers do, characters XML cannot hold as references. */
function xml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/[^\P{Cc}\t]|[\p{Cf}\p{Zl}\p{Zp}]/gu, (c) => `&#x${c.codePointAt(0)!.toString(16)};`);
}

/** Reports of four tools, each field a gate reads holding `value`. */
function reports(value: string): Record<string, string> {
  const junit = `<?xml version="1.0" encoding="UTF-8"?>
<testsuites tests="1" failures="1"><testsuite name="${xml(value)}" tests="1" failures="1">
<testcase classname="${xml(value)}" name="${xml(value)}" file="${xml(value)}" line="3"><failure message="${xml(value)}" type="${xml(value)}">${xml(value)}</failure></testcase>
</testsuite></testsuites>`;
  const sarif = {
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: value, rules: [{ id: value, defaultConfiguration: { level: 'error' } }] } },
        results: [
          {
            ruleId: value,
            level: 'error',
            message: { text: value },
            locations: [
              { physicalLocation: { artifactLocation: { uri: value }, region: { startLine: 2 } } },
              { physicalLocation: { artifactLocation: { uri: 'src/app.js' }, region: { startLine: 2 } } },
            ],
          },
          // No level of its own: the effective level and where it came from (the run's override) are shown.
          {
            ruleId: value,
            message: { text: value },
            locations: [{ physicalLocation: { artifactLocation: { uri: value }, region: { startLine: 3 } } }],
          },
        ],
        invocations: [
          {
            executionSuccessful: true,
            ruleConfigurationOverrides: [{ descriptor: { id: value }, configuration: { level: 'error' } }],
          },
        ],
      },
    ],
  };
  const audit = {
    auditReportVersion: 2,
    vulnerabilities: {
      [value]: {
        name: value,
        severity: 'high',
        via: [
          {
            source: 1,
            name: value,
            title: value,
            url: 'https://github.com/advisories/GHSA-p6mc-m468-83gw',
            severity: 'high',
            range: value,
          },
        ],
        fixAvailable: false,
      },
    },
    metadata: { vulnerabilities: { info: 0, low: 0, moderate: 0, high: 1, critical: 0, total: 1 } },
  };
  const plan = {
    format_version: '1.2',
    resource_changes: [{ address: value, change: { actions: ['delete'] } }],
  };
  // A k6 custom metric and its threshold's expression are the script author's words.
  const k6 = {
    metrics: {
      [value]: {
        type: 'rate',
        contains: 'default',
        values: { rate: 1 },
        thresholds: { [value]: { ok: false } },
      },
    },
  };
  // A package's name, the workspace depending on it and a version are the registry's and the project's words.
  const outdated = {
    [value]: [
      { current: '1.0.0', wanted: '1.0.0', latest: '2.0.0', dependent: value },
      { current: value, wanted: '1.0.0', latest: '2.0.0', dependent: 'web' },
    ],
  };
  // The author's words: pnpm --long's deprecation message of the latest version, Go's retraction reasons
  // and deprecation message, of the module built in place of another; go's error beside the update it found.
  const pnpm = {
    [value]: {
      current: '1.0.0',
      latest: '1.0.0',
      wanted: '1.0.0',
      isDeprecated: true,
      dependencyType: 'dependencies',
      latestManifest: { version: '1.0.0', deprecated: value },
    },
  };
  const go = {
    Path: `example.com/${value}`,
    Version: 'v1.0.0',
    Replace: {
      Path: value,
      Version: 'v1.0.0',
      Update: { Path: value, Version: 'v1.1.0' },
      Retracted: [value, value],
      Deprecated: value,
      Error: { Err: value },
    },
  };
  return {
    'outdated.json': JSON.stringify(outdated),
    'outdated-pnpm.json': JSON.stringify(pnpm),
    'go.jsonl': JSON.stringify(go),
    'k6.json': JSON.stringify(k6),
    'junit.xml': junit,
    'scan.sarif': JSON.stringify(sarif),
    'audit.json': JSON.stringify(audit),
    'plan.json': JSON.stringify(plan),
  };
}

function entries(): GateEntry[] {
  const entry = (name: string, gate: GateEntry['gate'], config: object): GateEntry => ({
    name,
    gate,
    config: gate.schema.parse(config),
    required: true,
    timeoutMs: 0,
  });
  return [
    entry('tests', testsGate, { junit: 'junit.xml', thresholds: {} }),
    entry('sarif', sarifGate, { files: 'scan.sarif' }),
    entry('audit', auditGate, { report: 'audit.json' }),
    entry('infrastructure', infrastructureGate, { terraform: { plan: 'plan.json' } }),
    entry('performance', performanceGate, { report: 'k6.json' }),
    entry('dependencies', dependenciesGate, {
      report: 'outdated.json',
      major: 'block',
      incomparable: 'block',
    }),
    entry('dependencies-pnpm', dependenciesGate, { report: 'outdated-pnpm.json', deprecated: 'block' }),
    entry('dependencies-go', dependenciesGate, { report: 'go.jsonl', deprecated: 'block' }),
  ];
}

async function gatesReport(value: string): Promise<GatesReport> {
  const cwd = await mkdtemp(join(tmpdir(), 'hostile-rendering-'));
  try {
    await writeFile(join(cwd, 'src-app.txt'), '');
    for (const [file, text] of Object.entries(reports(value))) await writeFile(join(cwd, file), text);
    return await runGates(
      entries(),
      { cwd, changedFiles: async () => [], log: () => {}, env: {} },
      {
        concurrency: 4,
      },
    );
  } finally {
    await rm(cwd, { recursive: true, force: true });
  }
}

test('the benign reports give a blocking finding in each gate, carrying the value in its fields', async () => {
  const report = await gatesReport(BENIGN);
  assert.deepEqual(
    report.gates.map((gate) => [gate.name, gate.status, gate.findings.length > 0]),
    [
      ['tests', 'block', true],
      ['sarif', 'block', true],
      ['audit', 'block', true],
      ['infrastructure', 'block', true],
      ['performance', 'block', true],
      ['dependencies', 'block', true],
      ['dependencies-pnpm', 'block', true],
      ['dependencies-go', 'block', true],
    ],
  );
  for (const gate of report.gates) {
    const shown = gate.findings.map((f) => `${f.rule} ${f.path ?? ''} ${f.message}`).join('\n');
    assert.ok(shown.includes(BENIGN), `${gate.name}: ${shown}`);
  }
  const sarif = report.gates.find((gate) => gate.name === 'sarif')!;
  assert.ok(
    sarif.findings.some((f) => f.message.endsWith("(level error from the run's override of its rule)")),
    sarif.findings.map((f) => f.message).join('\n'),
  );
});

/** `gate` with plain words in every text field of it and its findings, each finding placed as before. */
function plainWords(gate: GateResult): GateResult {
  return {
    ...gate,
    summary: BENIGN,
    findings: gate.findings.map((finding) => ({
      ...finding,
      rule: BENIGN,
      message: BENIGN,
      ...(finding.path === undefined ? {} : { path: BENIGN }),
    })),
  };
}

const TERMINAL_FORBIDDEN: Array<[RegExp, string]> = [
  [/^\s*(?:::|##\[)/m, 'a workflow command at a line start'],
  [/##\[/, 'a ##[ command'],
  [/[^\P{Cc}\n]/u, 'a control character'],
  [/[\p{Cf}\p{Zl}\p{Zp}]/u, 'an invisible or separator character'],
];

for (const [attack, value] of Object.entries(ATTACKS)) {
  test(`report text that is ${attack} renders inert in the job summary, the check runs and the terminal`, async () => {
    const [hostile, benign] = await Promise.all([gatesReport(value), gatesReport(BENIGN)]);
    assert.deepEqual(
      hostile.gates.map((gate) => [gate.name, gate.status]),
      benign.gates.map((gate) => [gate.name, gate.status]),
      `${attack}: the verdicts changed`,
    );
    assertInert(renderGatesSection(hostile), renderGatesSection(benign), `${attack}: job summary`);
    for (const gate of hostile.gates) {
      // A path that is no file of the repository (a line break in it) is moved into the message, so the
      // finding is listed in the text instead of annotated: compared with the same findings holding plain words.
      const out = gateCheckOutput(gate);
      const plain = gateCheckOutput(plainWords(gate));
      assertInert(out.summary, plain.summary, `${attack}: ${gate.name} check summary`);
      assertInert(out.text ?? '', plain.text ?? '', `${attack}: ${gate.name} check text`);
    }
    const table = formatGatesReport(hostile, { maxFindings: 50 });
    for (const [pattern, name] of TERMINAL_FORBIDDEN) {
      const found = pattern.exec(table);
      assert.equal(found, null, `${attack}: ${name} in the terminal table: ${JSON.stringify(found?.[0])}`);
    }
    // Every line is the header, a gate's row, one of its findings, a finding's next line (marked │), or the
    // overall status: report text makes no line of its own.
    const names = hostile.gates.map((gate) => gate.name);
    for (const line of table.split('\n')) {
      assert.ok(
        line === '' ||
          line.startsWith('GATE ') ||
          names.some((name) => line.startsWith(`${name} `)) ||
          /^ {4}\S/.test(line) ||
          line.startsWith('      │ ') ||
          line.startsWith('overall_status='),
        `${attack}: a line of its own in the terminal table: ${JSON.stringify(line)}`,
      );
    }
  });
}
