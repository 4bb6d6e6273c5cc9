// An analysis window cut short by the job's cancellation (or a person's /abort) was never judged: the job
// summary's analysis steps and the log's "Analysis by step" say so, not `rollback` as for a window that failed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analysisRows } from '../../../src/report/analysis-steps.ts';
import { renderJobSummary } from '../../../src/report/job-summary.ts';
import { summary } from '../../../src/report/terminal.ts';
import type { ControlRequest } from '../../../src/control/request.ts';
import type { Action } from '../../../src/pipeline/machine.ts';
import { describeStep } from '../../../src/strategies/sequence.ts';
import type { Step, StepResult } from '../../../src/strategies/types.ts';
import { T0, drive, environment, input } from '../../helpers/machine-driver.ts';

const failWhen =
  (match: string, reason: string) =>
  (step: Step): StepResult =>
    describeStep(step) === match ? { ok: false, reason } : { ok: true, analysis: 'promote' };

const canary = () =>
  environment('  production:\n    strategy: { type: canary, steps: [5, 25, 50], pause: 0 }');
const at25 = (a: Action) => a.kind === 'run_step' && a.step.kind === 'analysis' && a.step.weight === 25;
const abort: ControlRequest = {
  id: 'comment:1',
  verb: 'abort',
  by: 'alice',
  at: new Date(T0 + 1000).toISOString(),
  deploymentId: 'd-1',
  step: 2,
  source: 'comment',
};

test('a window cut short by the cancellation is listed as cancelled, not judged rollback', () => {
  const r = drive(input(canary()), { cancelDuring: (a) => at25(a) });
  assert.equal(r.result.status, 'cancelled', r.result.message);
  const rows = analysisRows(r.result);
  const cut = rows.find((x) => x.weight === 25)!;
  assert.equal(cut.verdict, 'cancelled');
  assert.equal(cut.detail, 'not judged: the window was cut short when the job was cancelled');
  assert.equal(rows.find((x) => x.weight === 5)!.verdict, 'promote', 'the window before it was judged');
  assert.match(renderJobSummary(r.result), /\| canary-step @ 25% \| ⏹️ cancelled \|/);
  assert.doesNotMatch(renderJobSummary(r.result), /❌ rollback/);
  const log = summary(r.result);
  assert.match(log, /Analysis by step\n(.*\n)*\s+production canary-step @ 25%\s+cancelled\s/);
  assert.doesNotMatch(log, /canary-step @ 25%\s+rollback/);
});

test('a window cut short by an /abort says so; a window that failed its analysis is still rollback', () => {
  const aborted = drive(input(canary()), {
    abortDuring: (a) => (at25(a) ? abort : undefined),
  });
  assert.equal(
    analysisRows(aborted.result).find((x) => x.weight === 25)!.verdict,
    'aborted',
    aborted.result.message,
  );
  const failed = drive(input(canary()), {
    step: failWhen('analysis (canary-step at 25%)', 'error rate too high'),
  });
  const row = analysisRows(failed.result).find((x) => x.weight === 25)!;
  assert.equal(row.verdict, 'rollback');
  assert.equal(row.detail, 'error rate too high');
});

test('a window the analysis judged a rollback just before the cancellation keeps its verdict and its reason', () => {
  // Its result came in after the signal: it was marked "not judged", and the breach that fired was hidden.
  const r = drive(input(canary()), {
    cancelDuring: (a) => at25(a),
    finishedBeforeSignal: true,
    step: (step: Step): StepResult =>
      describeStep(step) === 'analysis (canary-step at 25%)'
        ? { ok: false, analysis: 'rollback', reason: '[error-rate] error rate 9 % above 5 %' }
        : { ok: true, analysis: 'promote' },
  });
  const row = analysisRows(r.result).find((x) => x.weight === 25)!;
  assert.equal(row.verdict, 'rollback', r.result.message);
  assert.match(row.detail ?? '', /error rate 9 % above 5 %/);
});
