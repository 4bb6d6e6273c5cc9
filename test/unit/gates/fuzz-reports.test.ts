// A seeded, bounded fuzz of the gates that read reports: real reports from test/fixtures/gates (SARIF, gitleaks,
// JUnit, istanbul, lcov, Cobertura, npm/pnpm/yarn audit, Terraform plans, k6 results, outdated reports) mutated as data (wrong
// types, prototype names, huge arrays, odd numbers, hostile strings) and as text (truncated, bytes flipped,
// numbers replaced by NaN/Infinity/1e309, lines dropped or repeated). Whatever the file, the gate, run as the
// runner runs it, gives a verdict: never a crash, a summary on one line, findings with no raw control
// character, and never a pass for a report that could not be read.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { auditGate } from '../../../src/gates/audit.ts';
import { dependenciesGate } from '../../../src/gates/dependencies.ts';
import { infrastructureGate } from '../../../src/gates/infrastructure.ts';
import { performanceGate } from '../../../src/gates/performance.ts';
import { cleanFinding, runGates } from '../../../src/gates/runner.ts';
import { sarifGate } from '../../../src/gates/sarif.ts';
import { secretsGate } from '../../../src/gates/secrets.ts';
import { testsGate } from '../../../src/gates/tests.ts';
import type { Gate, GateResult } from '../../../src/gates/types.ts';
import { gateContext } from '../../helpers/gate-context.ts';
import { fuzzSeeds, rng, type Random } from '../../helpers/random.ts';

// FUZZ_SEEDS=1-100 hunts with more seeds; the suite runs these.
const SEEDS = fuzzSeeds([1, 2]);
const RUNS_PER_REPORT = 8;
const FIXTURES = join(import.meta.dirname, '../../fixtures/gates');

interface Report {
  fixture: string;
  file: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each report runs its own gate
  gate: Gate<any>;
  config: unknown;
  json: boolean;
}

const coverage = (file: string) => ({ coverage: file, thresholds: { lines: 10 } });
const REPORTS: Report[] = [
  ...['real-world/bandit-1.9.sarif', 'real-world/psalm-5.sarif', 'real-world/roslyn-sarif-1.0.sarif']
    .concat(['real-world/trivy-legacy.sarif', 'sarif/codeql.sarif', 'sarif/semgrep.sarif'])
    .map((fixture) => ({
      fixture,
      file: 'r.sarif',
      gate: sarifGate,
      config: { files: 'r.sarif' },
      json: true,
    })),
  {
    fixture: 'real-world/gitleaks-8.sarif',
    file: 'leaks.sarif',
    gate: secretsGate,
    config: { reports: 'leaks.sarif' },
    json: true,
  },
  ...['junit-failing.xml', 'junit-passing.xml', 'real-world/go-junit-report.junit.xml']
    .concat(['real-world/nextest.junit.xml', 'real-world/phpunit-4.junit.xml', 'real-world/vitest.junit.xml'])
    .map((fixture) => ({
      fixture,
      file: 'junit.xml',
      gate: testsGate,
      config: { junit: 'junit.xml', thresholds: {} },
      json: false,
    })),
  {
    fixture: 'real-world/jest.coverage-summary.json',
    file: 'c.json',
    gate: testsGate,
    config: coverage('c.json'),
    json: true,
  },
  ...['real-world/forge.lcov.info', 'real-world/jest-windows.lcov.info'].map((fixture) => ({
    fixture,
    file: 'c.info',
    gate: testsGate,
    config: coverage('c.info'),
    json: false,
  })),
  ...['real-world/coverlet.cobertura.xml', 'real-world/coveragepy-4.5.cobertura.xml'].map((fixture) => ({
    fixture,
    file: 'c.xml',
    gate: testsGate,
    config: coverage('c.xml'),
    json: false,
  })),
  ...['audit/npm-v2.json', 'audit/npm-v2-clean.json', 'audit/pnpm.json'].map((fixture) => ({
    fixture,
    file: 'audit.json',
    gate: auditGate,
    config: { report: 'audit.json' },
    json: true,
  })),
  ...['audit/yarn-classic.ndjson', 'audit/yarn-4-tree.ndjson', 'real-world/yarn-4-audit.ndjson'].map(
    (fixture) => ({
      fixture,
      file: 'audit.json',
      gate: auditGate,
      config: { report: 'audit.json' },
      json: false,
    }),
  ),
  ...['infrastructure/terraform/destructive.plan.json', 'real-world/terraform-1.3.plan.json'].map(
    (fixture) => ({
      fixture,
      file: 'plan.json',
      gate: infrastructureGate,
      config: { terraform: { plan: 'plan.json' } },
      json: true,
    }),
  ),
  ...['infrastructure/k8s/good/app.yaml', 'infrastructure/k8s/advice/worker.yaml'].map((fixture) => ({
    fixture,
    file: 'app.yaml',
    gate: infrastructureGate,
    config: { kubernetes: { manifests: 'app.yaml', dry_run: 'off' } },
    json: false,
  })),
  {
    fixture: 'gitleaks.json',
    file: 'leaks.json',
    gate: secretsGate,
    config: { reports: 'leaks.json' },
    json: true,
  },
  ...['k6/summary-export.json', 'k6/handle-summary.json'].map((fixture) => ({
    fixture,
    file: 'k6.json',
    gate: performanceGate,
    config: { report: 'k6.json', targets: { p95: '500ms', error_rate: 0.5, min_rps: 1 } },
    json: true,
  })),
  ...[
    'outdated/npm.json',
    'outdated/pnpm.json',
    'outdated/pnpm-long.json',
    'outdated/pnpm-recursive.json',
    'outdated/pip.json',
    'outdated/go.jsonl',
    'outdated/go-retracted.jsonl',
    'outdated/yarn.ndjson',
    'outdated/yarn-workspaces.ndjson',
  ].map((fixture) => ({
    fixture,
    file: 'outdated.json',
    gate: dependenciesGate,
    config: { report: 'outdated.json', major: 'block' },
    // Go's and yarn's are streams of JSON values, not one.
    json: fixture.endsWith('.json'),
  })),
];

// gitleaks' own JSON report (no fixture file: a secret-shaped value lives only under test/).
const GITLEAKS = JSON.stringify([
  {
    RuleID: 'generic-api-key',
    Description: 'Generic API Key',
    File: 'src/a.js',
    StartLine: 2,
    Secret: 'abcd1234efgh5678ijkl',
  },
]);

const PROTO_NAMES = [...Object.getOwnPropertyNames(Object.prototype), '__proto__'];
const HOSTILE_STRINGS = [
  '',
  '..',
  '/',
  '../../etc/passwd',
  'C:\\x\\y',
  'file:///x',
  '%00',
  'a'.repeat(3000),
  '\u0000',
  '\u001b[2J',
  '\u009b31m',
  'a\nb\r\nc',
  '\u202eevil',
  '\u0085x',
  '\u2028',
  '-1',
  'NaN',
  '1e999',
  '**bold** @alice <img src=x>',
];
const ODD_NUMBERS = [
  'NaN',
  'Infinity',
  '-Infinity',
  '1e309',
  '-1e309',
  '1e-400',
  '9007199254740993',
  '-0',
  '00',
];

function mutator(random: Random) {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const value = (): unknown =>
    pick<() => unknown>([
      () => pick(PROTO_NAMES),
      () => ({ [pick(PROTO_NAMES)]: 'x' }),
      () => pick([0, -1, 1e308, -0.5, 2 ** 53 + 1, 1.5, 1e-300]),
      () => pick([true, false, null]),
      () => [],
      () => ({}),
      () => [{}],
      () => [null],
      () => Array.from({ length: 2000 }, () => ({})),
      () => pick(HOSTILE_STRINGS),
    ])();

  function mutateJson(doc: unknown): void {
    for (let n = 1 + Math.floor(random() * 3); n > 0; n--) {
      let node = doc as Record<string, unknown>;
      for (let depth = 0; depth < 12 && random() > 0.15; depth++) {
        const keys = Object.keys(node);
        const child = keys.length ? node[pick(keys)] : undefined;
        if (!child || typeof child !== 'object') break;
        node = child as Record<string, unknown>;
      }
      const keys = Object.keys(node);
      const r = random();
      if (Array.isArray(node)) {
        if (r < 0.3 && node.length) node.splice(Math.floor(random() * node.length), 1);
        else if (r < 0.5 && node.length) node.push(structuredClone(pick(node)));
        else if (node.length) node[Math.floor(random() * node.length)] = value();
      } else if (r < 0.2 && keys.length) delete node[pick(keys)];
      else if (r < 0.8 && keys.length) node[pick(keys)] = value();
      else
        Object.defineProperty(node, pick(PROTO_NAMES), {
          value: value(),
          enumerable: true,
          writable: true,
          configurable: true,
        });
    }
  }

  /**
   * A text change, and what of the report it lost: cut short, or test cases under an element renamed
   * (`<testsuit>`), which no reader can take for the suite it was.
   */
  function mutateText(text: string): { text: string; lost?: 'truncated' | 'renamed' } {
    const r = random();
    if (r < 0.15) return { text: text.slice(0, Math.floor(random() * text.length)), lost: 'truncated' };
    if (r < 0.2) {
      // One element renamed, its opening tag and the closing tag that matches it: a suite no longer a suite.
      const opens = [...text.matchAll(/<([A-Za-z][\w-]*)(?=[\s>])/g)];
      if (opens.length === 0) return { text };
      const chosen = pick(opens);
      const name = chosen[1]!;
      const open = chosen.index;
      let depth = 0;
      let close = -1;
      for (const tag of text.slice(open).matchAll(new RegExp(`<(/?)${name}(?=[\\s>/])[^>]*?(/?)>`, 'g'))) {
        if (tag[2]) continue; // <name/>: opens and closes
        depth += tag[1] ? -1 : 1;
        if (depth === 0) {
          close = open + tag.index;
          break;
        }
      }
      if (close < 0) return { text };
      const inner = text.slice(open, close);
      const renamed =
        text.slice(0, open) +
        `<${name}x` +
        text.slice(open + name.length + 1, close) +
        `</${name}x>` +
        text.slice(close + name.length + 3);
      return {
        text: renamed,
        ...(/<testcase[\s>/]/.test(inner.slice(1)) ? { lost: 'renamed' as const } : {}),
      };
    }
    if (r < 0.25) {
      const bytes = Buffer.from(text);
      for (let n = 1 + Math.floor(random() * 4); n > 0; n--)
        bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
      return { text: bytes.toString('latin1') };
    }
    if (r < 0.35)
      return {
        text: text.replace(/-?\d+(\.\d+)?/g, (m) => (random() < 0.1 ? pick(ODD_NUMBERS) : m)),
      };
    const lines = text.split('\n');
    for (let n = 1 + Math.floor(random() * 3); n > 0; n--) {
      const at = Math.floor(random() * lines.length);
      const q = random();
      if (q < 0.2) lines.splice(at, 1);
      else if (q < 0.4) lines.splice(at, 0, pick(lines));
      else {
        const v = pick([
          ...ODD_NUMBERS,
          '',
          '99999999999',
          'x',
          '&amp;',
          '&#0;',
          '&#27;',
          '&#x110000;',
          '<',
          ']]>',
          'constructor',
          '__proto__',
          ',',
          ':',
          '\u001b[2J',
          '@alice **x**',
        ]);
        const line = lines[at] ?? ''; // past the end once lines were dropped
        lines[at] = random() < 0.5 ? line.replace(/\d+/, v) : line.replace(/"[^"]*"/, `"${v}"`);
      }
    }
    return { text: lines.join('\n') };
  }
  return { mutateJson, mutateText };
}

/** Whether the text is no complete report: JSON that does not parse, XML cut short or with its test cases renamed away. */
function unreadable(report: Report, text: string, lost: 'truncated' | 'renamed' | undefined): boolean {
  if (report.json) {
    try {
      JSON.parse(text.replace(/^\uFEFF/, ''));
      return false;
    } catch {
      return true;
    }
  }
  // A stream (Go's modules, yarn's lines) cut anywhere but after a whole value is cut short.
  if (/\.(jsonl|ndjson)$/.test(report.fixture)) return lost === 'truncated' && !/}\s*$/.test(text);
  if (!report.file.endsWith('.xml')) return false;
  return lost === 'renamed' || (lost === 'truncated' && !/(?:<\/[\w:.-]+>|\/>)\s*$/.test(text));
}

function brokenProperty(result: GateResult, couldNotRead: boolean): string | undefined {
  if (!['pass', 'warn', 'block'].includes(result.status)) return `the status ${result.status}`;
  if (result.summary.startsWith('the gate crashed')) return result.summary;
  if (/[\p{Cc}\u2028\u2029]/u.test(result.summary))
    return `a raw character in ${JSON.stringify(result.summary)}`;
  for (const finding of result.findings) {
    if (/[^\P{Cc}\n\t]/u.test(finding.message))
      return `a raw control character in ${JSON.stringify(finding.message)}`;
    if (/\p{Cc}/u.test(finding.rule))
      return `a raw control character in the rule ${JSON.stringify(finding.rule)}`;
  }
  if (couldNotRead && result.status === 'pass')
    return `a report that cannot be read passes: ${result.summary}`;
  return undefined;
}

async function runAsTheRunnerDoes(report: Report, dir: string): Promise<GateResult> {
  const { signal: _ignored, ...context } = gateContext(dir, {
    baseRef: 'base',
    env: { PATH: process.env.PATH },
  });
  const config = report.gate.schema.parse(report.config);
  const run = await runGates(
    [{ name: 'g', gate: report.gate, config, required: true, timeoutMs: 0 }],
    context,
    {
      concurrency: 1,
    },
  );
  return run.gates[0]!;
}

test('mutated real reports: every gate gives a verdict, printable, and never passes a report it cannot read', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'fuzz-reports-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const statuses = new Set<string>();
  for (const seed of SEEDS) {
    const random = rng(seed);
    const { mutateJson, mutateText } = mutator(random);
    for (const report of REPORTS) {
      const original =
        report.fixture === 'gitleaks.json'
          ? GITLEAKS
          : await readFile(join(FIXTURES, report.fixture), 'utf8');
      for (let run = 0; run < RUNS_PER_REPORT; run++) {
        let text: string;
        let lost: 'truncated' | 'renamed' | undefined;
        if (report.json && random() < 0.6) {
          const doc = JSON.parse(original.replace(/^\uFEFF/, '')) as unknown;
          mutateJson(doc);
          text = JSON.stringify(doc);
        } else ({ text, lost } = mutateText(original));
        await writeFile(join(dir, report.file), text);
        const result = await runAsTheRunnerDoes(report, dir);
        statuses.add(result.status);
        const broken = brokenProperty(result, unreadable(report, text, lost));
        assert.equal(
          broken,
          undefined,
          `seed ${seed}, ${report.fixture}, run ${run}: ${broken}\n--- input:\n${text.slice(0, 1500)}`,
        );
      }
    }
  }
  // The mutations both broke reports and left them passing.
  assert.ok(statuses.has('block') && statuses.has('pass'), [...statuses].join(', '));
});

test("a report's control characters reach a finding as escapes, its line breaks as they are", async (t) => {
  // Before: an ESC sequence or a C1 byte in a SARIF message went into the finding raw, and from there into
  // the gates report (--json, the report file) as it was: `jq -r` on it cleared the reader's terminal.
  const dir = await mkdtemp(join(tmpdir(), 'fuzz-reports-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const sarif = {
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'Scanner' } },
        results: [
          {
            ruleId: 'r\u001b1',
            level: 'error',
            message: { text: '\u001b[2Jcleared\u009b31m and\ttabbed\u0000' },
            locations: [
              { physicalLocation: { artifactLocation: { uri: 'src/a.js' }, region: { startLine: 3 } } },
            ],
          },
        ],
      },
    ],
  };
  await writeFile(join(dir, 'r.sarif'), JSON.stringify(sarif));
  const result = await runAsTheRunnerDoes(
    { fixture: '', file: 'r.sarif', gate: sarifGate, config: { files: 'r.sarif' }, json: true },
    dir,
  );
  assert.equal(result.status, 'block');
  assert.equal(result.findings.length, 1);
  const [finding] = result.findings;
  assert.match(finding!.message, /\\u001b\[2Jcleared\\u009b31m and\ttabbed\\u0000/);
  assert.match(finding!.rule, /^r\\u001b1$/);
  // A SARIF message's first line is the finding's, whatever ends it (a Windows tool's CRLF left a CR at its end).
  sarif.runs[0]!.results[0]!.message.text = 'first line\r\nsecond line';
  await writeFile(join(dir, 'r.sarif'), JSON.stringify(sarif));
  const crlf = await runAsTheRunnerDoes(
    { fixture: '', file: 'r.sarif', gate: sarifGate, config: { files: 'r.sarif' }, json: true },
    dir,
  );
  assert.equal(crlf.findings[0]!.message, 'Scanner: first line (level error)');
  // A message of several lines (a command's output) keeps them; a CR ends a line as CRLF does.
  const lines = cleanFinding({ rule: 'x', severity: 'error', message: 'one\r\ntwo\rthree\n\u001b[0m' });
  assert.equal(lines.message, 'one\ntwo\nthree\n\\u001b[0m');
});

test('test cases under an element that is no <testsuite> block the JUnit report instead of going unread', async (t) => {
  // Before: beside a suite it read, a <testsuit> (or another format's <suite>) and its failing test case were
  // skipped over: with no counts on <testsuites> to disagree, "1 tests ..., none failed" passed.
  const dir = await mkdtemp(join(tmpdir(), 'fuzz-reports-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const junit = (other: string) =>
    `<testsuites><testsuite name="a" tests="1"><testcase name="ok"/></testsuite>` +
    `<${other} name="b" tests="1" failures="1"><testcase name="broken"><failure message="no"/></testcase></${other}>` +
    `</testsuites>`;
  const report: Report = {
    fixture: '',
    file: 'junit.xml',
    gate: testsGate,
    config: { junit: 'junit.xml', thresholds: {} },
    json: false,
  };
  for (const other of ['testsuit', 'suite']) {
    await writeFile(join(dir, 'junit.xml'), junit(other));
    const result = await runAsTheRunnerDoes(report, dir);
    assert.equal(result.status, 'block', other);
    assert.match(
      `${result.summary}\n${result.findings.map((f) => f.message).join('\n')}`,
      new RegExp(
        `junit\\.xml: 1 <testcase> element\\(s\\) in <testsuites> › <${other}>, where no suite is read .*: not a JUnit report`,
      ),
    );
  }
  // Nested where no tool nests them (in a test case, or in a <testsuites> inside the root one), a failing
  // test case went unread too: "1 tests …, none failed" passed.
  const nested: Array<[string, string]> = [
    [
      '<testsuites><testsuites><testsuite name="b" tests="1"><testcase name="broken"><failure message="no"/></testcase></testsuite></testsuites><testsuite name="a" tests="1"><testcase name="ok"/></testsuite></testsuites>',
      '<testsuites> › <testsuites> › <testsuite>',
    ],
    [
      '<testsuite name="a" tests="1"><testcase name="ok"><testcase name="broken"><failure message="no"/></testcase></testcase></testsuite>',
      '<testsuite> › <testcase>',
    ],
    [
      '<testsuite name="a" tests="1"><testcase name="ok"><testsuite name="b"><testcase name="broken"><failure message="no"/></testcase></testsuite></testcase></testsuite>',
      '<testsuite> › <testcase> › <testsuite>',
    ],
  ];
  for (const [xml, where] of nested) {
    await writeFile(join(dir, 'junit.xml'), xml);
    const result = await runAsTheRunnerDoes(report, dir);
    assert.equal(result.status, 'block', xml);
    assert.ok(
      result.summary.startsWith(`junit.xml: 1 <testcase> element(s) in ${where}, where no suite is read`),
      result.summary,
    );
  }
  // The suites it reads, nested or not, are read as before.
  await writeFile(join(dir, 'junit.xml'), junit('testsuite'));
  const both = await runAsTheRunnerDoes(report, dir);
  assert.equal(both.status, 'block');
  assert.match(both.summary, /^1 of 2 tests failed/);
});
