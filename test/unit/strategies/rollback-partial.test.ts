// A rollback whose traffic step fails: the switch back (blue-green) or the weight back to 0 (canary) did not
// complete, so the new slot may still serve, all of the traffic after a blue-green switch. Its teardown must
// not run then (it would take down what serves); it is reported as not run and kept in the record's recovery,
// behind the failed traffic step, for reconcile to finish once the router answers again. The same holds for
// reconcile's own run of a recovery (executeRollback).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { executeRollback, type ExecutionLog } from '../../../src/pipeline/execute-strategy.ts';
import type { Action } from '../../../src/pipeline/machine.ts';
import type { PipelineEvent } from '../../../src/pipeline/events.ts';
import { describeStep } from '../../../src/strategies/sequence.ts';
import type { Step, StepResult } from '../../../src/strategies/types.ts';
import { runExitCode } from '../../../src/util/signals.ts';
import { drive, environment, input } from '../../helpers/machine-driver.ts';

const routerDown = (step: Step): boolean =>
  (step.kind === 'switch' && step.slot === 'blue') || (step.kind === 'set_weight' && step.weight === 0);

for (const [name, strategy, failAt] of [
  ['blue-green after the switch', '{ type: blue-green, scale_down_delay: 30s }', 'post-switch'],
  ['canary at 5 %', '{ type: canary, steps: [5, 25, 100], pause: 0 }', 'canary-step'],
  [
    'canary with a fresh baseline',
    '{ type: canary, steps: [5, 25, 100], pause: 0, baseline: fresh }',
    'canary-step',
  ],
] as const) {
  test(`${name}: the traffic step of the rollback fails, so the new slot is not torn down`, () => {
    const env = environment(`  production:\n    strategy: ${strategy}\n    monitor: 1m\n`);
    let failed = false;
    const run = drive(input(env), {
      step(step): StepResult {
        if (step.kind === 'analysis' && step.phase === failAt && !failed) {
          failed = true;
          return { ok: false, reason: 'error rate 9 %' };
        }
        if (routerDown(step)) return { ok: false, reason: 'the router answered 502' };
        return { ok: true, analysis: 'promote' };
      },
    });
    const rollbackSteps = run.actions.flatMap((a, i) =>
      a.kind === 'run_step' &&
      run.actions.slice(0, i).some((b) => b.kind === 'report' && b.event.type === 'rollback-start')
        ? [a.step]
        : [],
    );
    assert.ok(rollbackSteps.some(routerDown), 'the rollback tried to move the traffic back');
    assert.deepEqual(
      rollbackSteps.filter((s) => s.kind === 'teardown'),
      [],
      `a slot that may still serve was torn down: ${rollbackSteps.map(describeStep).join(', ')}`,
    );

    assert.equal(run.result.status, 'failed');
    assert.equal(run.result.code, 'rollback_failed');
    const record = run.result.rollbacks[0]!;
    assert.equal(record.ok, false);
    const teardown = record.steps.find((r) => r.step.kind === 'teardown');
    assert.ok(teardown, 'the teardown is in the rollback record');
    assert.equal(teardown.result.ok, false);
    assert.match(
      teardown.result.ok ? '' : teardown.result.reason,
      /^not run: (switch traffic green → blue|set weight green=0%.*) failed, so green may still take traffic/,
    );
    // What is left to undo: the failed traffic step first, then the teardowns held back.
    const left = run.persists.at(-1)!.record.rollout?.recovery ?? [];
    assert.ok(left.length >= 2, JSON.stringify(left));
    assert.ok(
      routerDown(left[0]!),
      `recovery starts with the traffic step: ${left.map(describeStep).join(', ')}`,
    );
    assert.ok(left.some((s) => s.kind === 'teardown' && s.slot === 'green'));
  });
}

test('a rollback whose traffic step succeeds still tears the new slot down', () => {
  const env = environment(
    '  production:\n    strategy: { type: blue-green, scale_down_delay: 30s }\n    monitor: 1m\n',
  );
  let failed = false;
  const run = drive(input(env), {
    step(step): StepResult {
      if (step.kind === 'analysis' && step.phase === 'post-switch' && !failed) {
        failed = true;
        return { ok: false, reason: 'error rate 9 %' };
      }
      return { ok: true, analysis: 'promote' };
    },
  });
  assert.equal(run.result.status, 'rolled_back', run.result.message);
  assert.deepEqual(run.ran.slice(-2), [
    'production:switch traffic green → blue',
    'production:teardown on green',
  ]);
});

test("reconcile's recovery: a failed switch back holds the teardown back, reported as not run", async () => {
  const ran: string[] = [];
  const events: PipelineEvent[] = [];
  const log: ExecutionLog = { decisions: [], steps: [] };
  const record = await executeRollback(
    [
      { kind: 'switch', slot: 'blue', from: 'green' },
      { kind: 'teardown', slot: 'green' },
    ],
    {
      environment: 'production',
      reason: 'orphaned rollout',
      reporter: { event: (e) => void events.push(e) },
      log,
      runStep: async (step) => {
        ran.push(describeStep(step));
        return step.kind === 'switch' ? { ok: false, reason: 'the router answered 502' } : { ok: true };
      },
    },
  );
  assert.deepEqual(ran, ['switch traffic green → blue']);
  assert.equal(record.ok, false);
  assert.deepEqual(
    record.steps.map((s) => [s.description, s.result.ok]),
    [
      ['switch traffic green → blue', false],
      ['teardown on green', false],
    ],
  );
  const ends = events.filter((e) => e.type === 'step-end');
  assert.equal(ends.length, 2, 'the held-back teardown is reported');
  assert.match(
    JSON.stringify(ends[1]),
    /not run: switch traffic green → blue failed, so green may still take traffic/,
  );
});

test('a rollback that did not complete exits 3, cancelled or not: never the 1 of a clean rollback nor 130 / 143', () => {
  const env = environment('  production:\n    strategy: { type: canary, steps: [5, 25, 100], pause: 0 }\n');
  const world = (cancel: boolean) => ({
    step: (step: Step): StepResult =>
      routerDown(step)
        ? { ok: false, reason: 'the router answered 502' }
        : !cancel && step.kind === 'analysis'
          ? { ok: false, reason: 'error rate 9 %' }
          : { ok: true, analysis: 'promote' },
    ...(cancel
      ? {
          cancelDuring: (a: Action) => a.kind === 'run_step' && a.step.kind === 'analysis',
        }
      : {}),
  });
  const failed = drive(input(env), world(false));
  assert.equal(failed.result.code, 'rollback_failed');
  assert.equal(failed.result.exitCode, 3);
  assert.equal(runExitCode(failed.result, undefined), 3);

  const cancelled = drive(input(env), world(true));
  assert.equal(cancelled.result.status, 'cancelled');
  assert.match(cancelled.result.message, /rollback incomplete/);
  assert.equal(cancelled.result.exitCode, 3);
  assert.equal(runExitCode(cancelled.result, 'SIGINT'), 3);
  assert.equal(runExitCode(cancelled.result, 'SIGTERM'), 3);
});
