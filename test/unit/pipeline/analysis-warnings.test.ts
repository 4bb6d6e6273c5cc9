// A warning check's breach (`on_breach: warn`) from the analysis to people: the step still passes, and the
// warning is an event as it fires (an annotation in the Action log, a line of --json, a notification of its
// own), in the step's evidence and in the run's result.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MetricProvider } from '../../../src/analysis/providers/provider.ts';
import type { ResolvedEnvironment } from '../../../src/config/resolve.ts';
import { metricsAnalyzer } from '../../../src/pipeline/metrics-analyzer.ts';
import { analysisWarnings } from '../../../src/pipeline/analysis-warnings.ts';
import type { AnalysisWarningRecord, PipelineEvent, StepRecord } from '../../../src/pipeline/events.ts';
import { actionLogReporter } from '../../../src/action/log-reporter.ts';
import { jsonLinesReporter } from '../../../src/report/json-lines.ts';
import { terminalReporter } from '../../../src/report/terminal.ts';
import { NotificationMapper } from '../../../src/notify/mapping.ts';
import { DEFAULT_TEMPLATES } from '../../../src/notify/template.ts';

/** A name people wrote, with what a log line or a workflow command must not take as written. */
const NAME = 'cpu hot\n::error::forged';

async function analyse(cpu: (i: number) => number) {
  let i = 0;
  const provider: MetricProvider = {
    name: 'fake',
    async read(request) {
      if (request.side === 'canary') i++;
      return { values: { error_rate: 0.001, cpu: cpu(i) }, errors: [] };
    },
  };
  let now = 1_700_000_000_000;
  const env = {
    name: 'production',
    target: { health: [] },
    health: [],
    analysis: {
      preset: 'none',
      providers: { fake: { type: 'command', run: 'unused' } },
      metrics: { error_rate: { provider: 'fake' }, cpu: { provider: 'fake' } },
      checks: [{ check: 'error_rate < 1%' }, { name: NAME, check: 'cpu <= 0.8', on_breach: 'warn' }],
    },
  } as unknown as ResolvedEnvironment;
  const warned: AnalysisWarningRecord[] = [];
  const analyzer = metricsAnalyzer(env, {
    version: 'v2',
    previousVersion: 'v1',
    deps: { providers: { fake: provider }, now: () => now, sleep: async (ms: number) => void (now += ms) },
    onWarning: (record) => warned.push(record),
  });
  const step = {
    kind: 'analysis' as const,
    phase: 'canary-step' as const,
    slot: 'green',
    weight: 10,
    windowMs: 60_000,
  };
  const result = await analyzer.evaluate({ ...step, intervalMs: 10_000, values: {} });
  return { result, warned, step };
}

test('a breached warning check: the step promotes, the warning fires once, in its evidence and the result', async () => {
  // cpu over 0.8 from the third interval on, to the end of the window.
  const { result, warned, step } = await analyse((i) => (i >= 3 ? 0.95 : 0.3));
  assert.equal(result.ok, true, JSON.stringify(result));
  assert.equal(result.ok && result.analysis, 'promote');
  assert.equal(warned.length, 1, JSON.stringify(warned));
  assert.deepEqual(
    { ...warned[0]!, reason: undefined },
    {
      at: warned[0]!.at,
      environment: 'production',
      phase: 'canary-step',
      weight: 10,
      check: NAME,
      code: 'threshold-warning',
      reason: undefined,
    },
  );
  assert.match(warned[0]!.reason, /^cpu = 0\.95 violates "cpu <= 0\.8"/);
  assert.deepEqual(
    result.evidence?.warnings?.map((w) => [w.index, w.rule]),
    [[2, NAME]],
  );
  // The run's result lists it as the live event said it.
  const record: StepRecord = {
    environment: 'production',
    phase: 'production',
    step,
    description: 'analysis at 10 %',
    result,
    durationMs: 60_000,
  };
  assert.deepEqual(analysisWarnings([record]), warned);
});

const event = (): Extract<PipelineEvent, { type: 'analysis-warning' }> => ({
  type: 'analysis-warning',
  record: {
    at: '2026-12-01T10:00:30.000Z',
    environment: 'production',
    phase: 'canary-step',
    weight: 10,
    check: NAME,
    code: 'threshold-warning',
    reason: 'cpu = 0.95 violates "cpu <= 0.8"',
  },
});

test('in the Action log a warning is an annotation, one inert line; in --json a line of its own', () => {
  const written: string[] = [];
  const annotated: string[] = [];
  const log = actionLogReporter({
    redact: (t) => t,
    write: (t) => written.push(t),
    annotate: (m) => annotated.push(m),
  });
  log.event(event());
  assert.deepEqual(annotated, [
    'analysis warning (not a rollback) in production canary-step at 10 %: cpu hot ::error::forged: cpu = 0.95 violates "cpu <= 0.8"',
  ]);
  assert.deepEqual(written, [], 'not written twice');

  const lines: string[] = [];
  jsonLinesReporter((t) => lines.push(t)).event(event());
  const parsed = JSON.parse(lines[0]!) as { type: string; record: AnalysisWarningRecord };
  assert.equal(parsed.type, 'analysis-warning');
  assert.equal(parsed.record.check, NAME);

  const terminal: string[] = [];
  terminalReporter({ color: false, write: (t) => terminal.push(t) }).event(event());
  assert.match(
    terminal.join(''),
    /⚠ analysis warning \(not a rollback\) in production canary-step at 10 %: cpu hot ::error::forged: /,
  );
  assert.equal(terminal.join('').split('\n').length, 2, 'one line');
});

test('to the notification channels a warning is an analysis_warning notification of its own', () => {
  const mapper = new NotificationMapper({}, () => Date.parse('2026-12-01T10:01:00Z'));
  mapper.next({
    type: 'start',
    environment: 'production',
    version: 'v2',
    previousVersion: 'v1',
    strategy: 'canary',
  });
  const items = mapper.next(event());
  assert.equal(items.length, 1);
  const item = items[0]!;
  assert.equal(item.kind, 'notify');
  if (item.kind !== 'notify') return;
  assert.equal(item.notification.event, 'analysis_warning');
  assert.equal(item.notification.facts.step, 'canary-step at 10 %');
  // One line: a name's line break could not add a line of its own.
  assert.equal(item.notification.facts.reason, 'cpu hot ::error::forged: cpu = 0.95 violates "cpu <= 0.8"');
  assert.match(DEFAULT_TEMPLATES.analysis_warning.text, /not a rollback/);
});
