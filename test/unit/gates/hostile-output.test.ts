// What a report's text can do once it is a finding: a file name out of the repository, with a NUL or a line
// break; line numbers that are strings, zero, fractions or past 2^53; messages that start a workflow command
// (::add-mask::, ::stop-commands::) or repaint the terminal. Whatever the gate, the runner hands on
// annotation-ready findings and the terminal table prints report text as inert single lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatGatesReport } from '../../../src/gates/format.ts';
import { runGates } from '../../../src/gates/runner.ts';
import type { GateEntry } from '../../../src/gates/runner.ts';
import { testsGate } from '../../../src/gates/tests.ts';
import type { Finding, GateContext, GateVerdict } from '../../../src/gates/types.ts';
import { annotationBatches } from '../../../src/report/github/gate-checks.ts';

const ctx: Omit<GateContext, 'signal'> = {
  cwd: process.cwd(),
  changedFiles: async () => [],
  log: () => {},
  env: {},
};

function entry(name: string, run: () => Promise<GateVerdict>): GateEntry {
  return { name, gate: { name, schema: {} as never, run }, config: {}, required: true, timeoutMs: 0 };
}

async function through(findings: unknown[], summary = 's'): Promise<Finding[]> {
  const report = await runGates(
    [entry('g', async () => ({ status: 'block', summary, findings: findings as Finding[] }))],
    ctx,
    { concurrency: 1 },
  );
  return report.gates[0]!.findings;
}

const base = { rule: 'r', message: 'm', severity: 'error' as const };

test('a path that is no file of the repository moves into the message, with its line', async () => {
  const outside = [
    '/etc/passwd',
    '../../etc/passwd',
    'src/../../x',
    'a\0b.js',
    'a\nb.js',
    'C:\\repo\\a.js',
    '\\\\host\\share\\a',
    // Before: kept as a repository path (a SARIF result located at a web address, or an s3 object), and made
    // the annotation of a file the checkout does not have.
    'https://evil.example/x.ts',
    's3://bucket/key.tf',
  ];
  const findings = await through(outside.map((path) => ({ ...base, path, line: 3, column: 2 })));
  findings.forEach((finding, index) => {
    assert.equal(finding.path, undefined, outside[index]);
    assert.equal(finding.line, undefined);
    assert.equal(finding.column, undefined);
    assert.equal(finding.message, `m (at ${JSON.stringify(outside[index])}:3, not a file of the repository)`);
    assert.ok(!/[\0\n]/.test(finding.message));
  });
  // Repository-relative paths stay, a leading ./ goes; a file name with a colon or dots is a file name.
  const inside = await through(
    ['./src/a.js', 'src/a:b.js', 'src/..hidden/x.js', 'dir with space/[x].md', 'c:x/y.js'].map((path) => ({
      ...base,
      path,
    })),
  );
  assert.deepEqual(
    inside.map((f) => f.path),
    ['src/a.js', 'src/a:b.js', 'src/..hidden/x.js', 'dir with space/[x].md', 'c:x/y.js'],
  );
});

test('line, end line and column are positive whole numbers or absent; the annotations are valid', async () => {
  const bad: unknown[] = ['12', 0, -1, 1.5, 2 ** 60, NaN, Infinity, null, {}];
  const findings = await through([
    ...bad.map((line) => ({ ...base, path: 'a.js', line, endLine: line, column: line })),
    { ...base, path: 'a.js', line: 5, endLine: 3, column: 0 },
    { ...base, path: 'a.js', line: 5, endLine: 7, column: 4 },
  ]);
  for (const finding of findings.slice(0, bad.length)) {
    assert.deepEqual(finding, { ...base, path: 'a.js' });
  }
  assert.deepEqual(findings.at(-2), { ...base, path: 'a.js', line: 5 });
  assert.deepEqual(findings.at(-1), { ...base, path: 'a.js', line: 5, endLine: 7, column: 4 });
  for (const annotation of annotationBatches(findings).flat()) {
    assert.ok(Number.isSafeInteger(annotation.start_line) && annotation.start_line >= 1);
    assert.ok(Number.isSafeInteger(annotation.end_line) && annotation.end_line >= annotation.start_line);
  }
});

test('a gate bug in a finding (no rule, a non-string message, an unknown severity, null) still gives a finding', async () => {
  const findings = await through([{ message: 5, severity: 'fatal' }, null]);
  assert.deepEqual(findings, [
    { rule: 'unknown', message: '5', severity: 'error' },
    { rule: 'unknown', message: '', severity: 'error' },
  ]);
});

/** Lines the Actions runner would take as a workflow command (it trims leading spaces first). */
const COMMAND = /^\s*(?:::|##\[)/;

test('the terminal table prints report text inert: no workflow command, no escape sequence, no extra line', async () => {
  const report = await runGates(
    [
      entry('g', async () => ({
        status: 'block',
        summary: 'bad\n::stop-commands::tok\r::error::forged',
        findings: [
          { ...base, path: '::error file=x::forged', message: 'x' },
          {
            rule: 'r\n##[error]old-style',
            message: 'first\n::add-mask::nothing\n\x1b[2J\x1b[31mred',
            severity: 'error',
          },
          {
            rule: 'tests.command',
            message: 'last output lines:\n  ::warning::from the tool\nok',
            severity: 'error',
          },
        ],
      })),
    ],
    ctx,
    { concurrency: 1 },
  );
  const text = formatGatesReport(report);
  for (const line of text.split('\n')) assert.ok(!COMMAND.test(line), JSON.stringify(line));
  assert.ok(!text.includes('\x1b'), JSON.stringify(text));
  assert.ok(!text.includes('\r'));
  assert.match(text, /BLOCK\s+required\s+\S+\s+bad ::stop-commands::tok ::error::forged$/m);
  // A command's output keeps its lines, each marked as the message's continuation.
  assert.match(text, /\[tests\.command\] last output lines:\n\s+│ {3}::warning::from the tool\n\s+│ ok/);
});

test('through the tests gate: a JUnit test named to forge a command, in a file outside the repository', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'hostile-output-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(
    join(dir, 'junit.xml'),
    '<testsuite><testcase name="x&#10;::add-mask::y" classname="c&#13;::error::z" file="/etc/passwd" line="4">' +
      '<failure message="boom"/></testcase></testsuite>',
  );
  const report = await runGates(
    [
      {
        name: 'tests',
        gate: testsGate,
        config: testsGate.schema.parse({ junit: 'junit.xml', thresholds: {} }),
        required: true,
        timeoutMs: 0,
      },
    ],
    { ...ctx, cwd: dir },
    { concurrency: 1 },
  );
  const [finding] = report.gates[0]!.findings;
  assert.equal(finding!.path, undefined);
  assert.match(finding!.message, /\(at "\/etc\/passwd":4, not a file of the repository\)$/);
  for (const line of formatGatesReport(report).split('\n'))
    assert.ok(!COMMAND.test(line), JSON.stringify(line));
});

test('a summary is one line of at most 2000 characters, whatever the report put in it', async () => {
  const report = await runGates(
    [
      entry('g', async () => ({
        status: 'block',
        summary: `r.xml: <testsuite name="a\n::error::b\u2028c\u0000">${'x'.repeat(10_000)}`,
        findings: [],
      })),
    ],
    ctx,
    { concurrency: 1 },
  );
  const { summary } = report.gates[0]!;
  assert.ok(summary.length <= 2000, String(summary.length));
  assert.ok(!/[\p{Cc}\u2028]/u.test(summary), JSON.stringify(summary.slice(0, 80)));
  assert.match(summary, /^r\.xml: <testsuite name="a ::error::b c ">x+…$/);
  assert.ok(!/[\n\r]/.test(report.reasons.join('')));
});

test('the terminal table shows a finding in bounded lines, whatever the report put in it', async () => {
  // Before: a JUnit test named with 1,000,000 characters, a SARIF rule id of 100,000 or a file name of 4,000
  // was printed whole: one finding made a 1 MB line of the CLI's output and of the Action's log.
  const report = await runGates(
    [
      entry('g', async () => ({
        status: 'block',
        summary: 's',
        findings: [
          { rule: 'r'.repeat(100_000), message: 'short', severity: 'error' },
          { ...base, path: `src/${'p'.repeat(4000)}.ts`, line: 3 },
          { ...base, message: `${'m'.repeat(1_000_000)}\n${'😀'.repeat(5000)}\nlast` },
          { ...base, message: Array.from({ length: 1000 }, (_, i) => `line ${i}`).join('\n') },
        ],
      })),
    ],
    ctx,
    { concurrency: 1 },
  );
  const text = formatGatesReport(report);
  const lines = text.split('\n');
  for (const line of lines) {
    assert.ok(line.length <= 1100, `${line.length} characters: ${line.slice(0, 120)}`);
    assert.ok(line.isWellFormed(), 'no lone surrogate');
  }
  assert.ok(lines.length < 100, `${lines.length} lines`);
  // What was cut says so, and what follows a cut part is still shown.
  assert.match(text, /\[r+…\] short$/m);
  assert.match(text, /^\s+src\/p+…:3 \[r\] m$/m);
  assert.match(text, /\[r\] m+…\n\s+│ 😀+…\n\s+│ last$/mu);
  assert.match(text, /│ line 19\n\s+│ … and 980 more lines$/m);
});

test('a summary cut at 2000 characters never ends in half an emoji', async () => {
  // 1998 characters, then emoji: the 1999th and 2000th characters are one emoji's two halves.
  const report = await runGates(
    [
      entry('g', async () => ({
        status: 'block',
        summary: `${'x'.repeat(1998)}${'😀'.repeat(10)}`,
        findings: [],
      })),
    ],
    ctx,
    { concurrency: 1 },
  );
  const { summary } = report.gates[0]!;
  assert.ok(summary.length <= 2000, String(summary.length));
  assert.equal(summary, `${'x'.repeat(1998)}…`);
  assert.ok(summary.isWellFormed(), 'no lone surrogate');
});

test('the runner reads ##[command] anywhere in a line: no report text in the table carries one, nor an invisible character', async () => {
  const hidden = 'ok ##[stop-commands]tok \u202Egnp.exe\u200B';
  const report = await runGates(
    [
      entry('g', async () => ({
        status: 'block',
        summary: `summary ${hidden}`,
        findings: [
          { ...base, path: `src/${hidden}.js`, rule: `rule ${hidden}`, message: `message ${hidden}` },
          { rule: 'tests.command', message: `last output lines:\n  ${hidden}`, severity: 'error' },
        ],
      })),
    ],
    ctx,
    { concurrency: 1 },
  );
  const text = formatGatesReport(report);
  assert.ok(!text.includes('##['), text);
  assert.ok(!/[\u202E\u200B]/.test(text.replaceAll('##\u200B[', '')), JSON.stringify(text));
  // Still readable: the words are there.
  assert.match(text, /summary ok ##.\[stop-commands\]tok gnp\.exe/u);
});
