// The terminal summary's analysis table: one row per analysis step with where it ran, its verdict and why,
// rollback-time analyses marked as such; long reasons cut without splitting an emoji.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PipelineEvent } from '../../../src/pipeline/events.ts';
import { colorWanted, summary, terminalReporter } from '../../../src/report/terminal.ts';
import { jsonLinesReporter } from '../../../src/report/json-lines.ts';
import { analysisStep, gate, gatesReport, rolledBack, succeeded } from './fixtures.ts';

function analysisLines(text: string): string[] {
  const after = text.slice(text.indexOf('Analysis by step'));
  return after
    .split('\n')
    .slice(1)
    .filter((l) => /^ {2}\S/.test(l) && !l.includes('rollback of'));
}

test('summary: an analysis row per step with environment, step, verdict, duration and reason', () => {
  const lines = analysisLines(summary(succeeded()));
  assert.equal(lines.length, 3);
  assert.match(lines[0]!, /^ {2}production canary-step @ 10% +promote +1m {2}all metrics within bounds$/);
  assert.match(lines[2]!, /^ {2}production canary-step @ 100% +promote/);
});

test('summary: a failed analysis reads rollback with its reason; one run during rollback says so', () => {
  const result = rolledBack();
  result.steps.push(analysisStep(0, {}, true, 'rollback'));
  const lines = analysisLines(summary(result));
  assert.equal(lines.length, 3);
  assert.match(lines[1]!, /^ {2}production canary-step @ 50% +rollback +1m {2}error_rate 5\.2% > 1%$/);
  assert.match(lines[2]!, /^ {2}production rollback canary-step @ 0% +promote/);
});

test('summary: no analysis section without analysis steps; long reasons are cut whole', () => {
  const plain = rolledBack();
  plain.steps = [];
  assert.doesNotMatch(summary(plain), /Analysis by step/);
  const long = succeeded();
  long.steps = [analysisStep(5, {}, true)];
  const step = long.steps[0]!;
  if (step.result.ok) step.result.detail = `${'x'.repeat(88)}🚀🚀🚀`;
  const [row] = analysisLines(summary(long));
  assert.ok(row!.endsWith('x…'), row);
});

// What the runner reads from a step's output: a line (ended by \n, \r or \r\n) that starts with `::` after
// spaces is a workflow command, and so is the old form `##[name]` anywhere in a line.
const RUNNER_LINES = /\r\n|\r|\n/;
const COMMAND = /^\s*::[a-z-]+|##\[[a-z-]+/i;

test('the terminal reporter: nothing a target, a report or a person wrote becomes a workflow command, an escape or a new line', () => {
  const attacks = [
    'x\n::add-mask::secret',
    'x\r::stop-commands::t0k3n',
    'x\u2028::set-output name=a::b',
    'progress ##[stop-commands]t0k3n',
    '##[add-mask]secret',
    '\u001b[2J\u001b]0;title\u0007cleared \u001b[31mred',
    'a\u202Eb\u200Bc',
  ];
  for (const value of attacks) {
    const out: string[] = [];
    const reporter = terminalReporter({ write: (t) => out.push(t), color: false });
    const r = rolledBack();
    r.message = value;
    r.environment = value;
    r.phases[2]!.detail = value;
    r.decisions[0]!.decision = { type: 'fail', code: 'analysis_rollback', reason: value };
    r.rollbacks[0]!.reason = value;
    r.rollbacks[0]!.levels[0]!.detail = value;
    r.rollbacks[0]!.levels[0]!.name = value;
    r.gates!.gates[0]!.summary = value;
    r.gates!.gates[0]!.findings = [{ path: value, line: 1, rule: value, message: value, severity: 'error' }];
    const events: PipelineEvent[] = [
      { type: 'start', environment: value, version: value, strategy: 'canary', previousVersion: value },
      { type: 'phase-start', phase: 'production', detail: value },
      { type: 'output', source: value, line: value },
      { type: 'log', level: 'error', message: value },
      { type: 'step-start', phase: 'production', description: value },
      {
        type: 'step-end',
        record: { ...r.rollbacks[0]!.steps[0]!, description: value, result: { ok: false, reason: value } },
      },
      { type: 'decision', record: r.decisions[0]! },
      { type: 'rollback-start', environment: value, reason: value },
      { type: 'rollback-end', record: r.rollbacks[0]! },
      { type: 'gate-start', name: value },
      { type: 'gate-end', result: r.gates!.gates[0]! },
      { type: 'gates', report: r.gates! },
      { type: 'result', result: r },
    ] as PipelineEvent[];
    for (const e of events) reporter.event(e);
    const text = out.join('');
    for (const l of text.split(RUNNER_LINES)) {
      assert.doesNotMatch(l, COMMAND, `${JSON.stringify(value)} made a command: ${JSON.stringify(l)}`);
      assert.doesNotMatch(
        l,
        /[^\P{Cc}\n]|[^\P{Cf}\u200B]|[\u2028\u2029]/u,
        `a control or bidi character: ${JSON.stringify(l)}`,
      );
    }
    assert.ok(
      text.includes('secret') || text.includes('t0k3n') || text.includes('cleared') || text.includes('b'),
      'the text is still shown',
    );
  }
});

test('--json lines: a value stays inside its line and cannot read as a workflow command, and parses back the same', () => {
  const out: string[] = [];
  const value = 'x\r\n::add-mask::a ##[stop-commands]t0k3n\u2028';
  jsonLinesReporter((t) => out.push(t)).event({ type: 'log', level: 'error', message: value });
  const text = out.join('');
  assert.equal(text.split(/\r\n|\r|\n/).filter(Boolean).length, 1);
  assert.doesNotMatch(text, /^\s*::|##\[/);
  assert.equal(JSON.parse(text).message, value);
});

test('colour on a terminal only, and not with NO_COLOR or TERM=dumb', () => {
  assert.equal(colorWanted(true, { TERM: 'xterm-256color' }), true);
  assert.equal(colorWanted(false, { TERM: 'xterm-256color' }), false);
  assert.equal(colorWanted(true, { TERM: 'xterm', NO_COLOR: '1' }), false);
  // An empty NO_COLOR is unset (no-color.org).
  assert.equal(colorWanted(true, { TERM: 'xterm', NO_COLOR: '' }), true);
  // Before: TERM=dumb (an editor's shell) got the escape sequences printed as text.
  assert.equal(colorWanted(true, { TERM: 'dumb' }), false);
});

test('summary: the analysis columns line up whatever the verdict, cancelled (the longest) included', () => {
  const result = rolledBack();
  const cut = (stopped: 'cancelled' | 'aborted', weight: number) => {
    const step = analysisStep(weight, {}, false);
    step.result = { ok: false, reason: 'cut short', stopped };
    return step;
  };
  result.steps = [
    analysisStep(10, {}),
    analysisStep(25, {}, false),
    cut('cancelled', 50),
    cut('aborted', 75),
  ];
  const lines = analysisLines(summary(result));
  assert.equal(lines.length, 4);
  assert.match(lines[2]!, / cancelled /);
  // Where each row's duration ends (every step here took 1m): the same column in every row.
  const durationEnds = lines.map((l) => /^.*? 1m {2}/.exec(l)![0].length);
  assert.equal(new Set(durationEnds).size, 1, lines.join('\n'));
});

test('the gates table: no line of it ends in spaces (the blank line before overall_status was four spaces)', () => {
  for (const color of [false, true]) {
    const out: string[] = [];
    const reporter = terminalReporter({ write: (t) => out.push(t), color });
    const report = gatesReport([
      gate({
        name: 'build',
        status: 'block',
        summary: 'expected dist/cli/index.js',
        findings: [{ rule: 'build.missing-artifact', message: 'no such file', severity: 'error' }],
      }),
      // A gate that said nothing: its SUMMARY cell is empty, the last column of its row.
      gate({ name: 'secrets', summary: '' }),
    ]);
    reporter.event({ type: 'gates', report });
    const lines = out.join('').split('\n');
    assert.ok(
      lines.some((l) => l.includes('overall_status=')),
      out.join(''),
    );
    for (const line of lines) assert.doesNotMatch(line, /[ \t]$/, `trailing spaces: ${JSON.stringify(line)}`);
  }
});
