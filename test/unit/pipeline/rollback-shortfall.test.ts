// What a rollback left undone: a teardown cut after traffic went back on stable (the cancelled job's
// deadline) is a cleanup left for reconcile, told apart from a rollback that may have left traffic on the
// new version. Both still exit 3.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Action } from '../../../src/pipeline/machine.ts';
import type { RollbackRecord, StepRecord } from '../../../src/pipeline/events.ts';
import { rollbackOutput, rollbackShortfall, undoLeft } from '../../../src/pipeline/rollback-shortfall.ts';
import { renderJobSummary } from '../../../src/report/job-summary.ts';
import { describeStep } from '../../../src/strategies/sequence.ts';
import type { Step } from '../../../src/strategies/types.ts';
import { drive, environment, input } from '../../helpers/machine-driver.ts';

const record = (step: Step, ok: boolean): StepRecord =>
  ({
    environment: 'production',
    phase: 'rollback',
    step,
    description: describeStep(step),
    result: ok ? { ok: true } : { ok: false, reason: 'stopped' },
    durationMs: 1,
  }) as StepRecord;
const weight0: Step = { kind: 'set_weight', slot: 'green', weight: 0, stableSlot: 'blue' };
const teardown: Step = { kind: 'teardown', slot: 'green' };
const rollback = (
  steps: StepRecord[],
  levels: RollbackRecord['levels'] = [],
): Pick<RollbackRecord, 'ok' | 'steps' | 'levels'> => ({
  steps,
  levels,
  ok: steps.every((s) => s.result.ok) && levels.every((l) => l.ok),
});

test('a rollback whose traffic steps all ended well and whose teardown did not is a cleanup left undone', () => {
  assert.deepEqual(rollbackShortfall(rollback([record(weight0, true), record(teardown, true)])), {
    kind: 'complete',
  });
  assert.deepEqual(rollbackShortfall(rollback([record(weight0, true), record(teardown, false)])), {
    kind: 'cleanup',
    left: ['teardown on green'],
  });
  // Traffic never moved back, or an on_rollback level failed: traffic may not be on stable.
  assert.equal(
    rollbackShortfall(rollback([record(weight0, false), record(teardown, false)])).kind,
    'incomplete',
  );
  const level = { name: 'db', ok: false, detail: 'x', durationMs: 1 };
  assert.equal(rollbackShortfall(rollback([record(weight0, true)], [level])).kind, 'incomplete');
  // Not ok with nothing failed on record: the worse.
  assert.equal(
    rollbackShortfall({ ok: false, steps: [record(weight0, true)], levels: [] }).kind,
    'incomplete',
  );

  // The version put back failing its health check (direct and rolling roll back as rollback, then health),
  // or any step but a teardown: production is not known to be well, so not a mere cleanup.
  const back: Step = { kind: 'rollback' };
  for (const failed of [
    { kind: 'health' },
    { kind: 'smoke' },
    { kind: 'warmup', slot: 'blue' },
    { kind: 'pause', ms: 1 },
  ] as Step[])
    assert.equal(
      rollbackShortfall(rollback([record(back, true), record(failed, false)])).kind,
      'incomplete',
      `a failed ${failed.kind} after traffic moved back`,
    );
  assert.equal(
    rollbackOutput([rollback([record(back, true), record({ kind: 'health' }, false)])]),
    'incomplete',
  );

  assert.equal(rollbackOutput([]), undefined);
  assert.equal(rollbackOutput([rollback([record(weight0, true)])]), 'complete');
  assert.equal(
    rollbackOutput([
      rollback([record(weight0, true)]),
      rollback([record(weight0, true), record(teardown, false)]),
    ]),
    'cleanup-incomplete',
  );
  assert.equal(
    rollbackOutput([
      rollback([record(weight0, true), record(teardown, false)]),
      rollback([record(weight0, false)]),
    ]),
    'incomplete',
  );
});

test('a cancelled canary whose teardown was cut after traffic went back: the message says traffic is on stable and what is left; still exit 3', () => {
  const env = environment('  production:\n    strategy: { type: canary, steps: [50, 100], pause: 0 }');
  let cancelled = false;
  const r = drive(input(env), {
    // Once cancelled, the teardown (the rollback's, after the weight went back to 0) is cut.
    step: (step) =>
      cancelled && step.kind === 'teardown'
        ? { ok: false, reason: 'stopped unfinished: the job is about to be killed' }
        : { ok: true, analysis: 'promote' },
    cancelDuring: (a: Action) => (cancelled ||= a.kind === 'run_step' && a.step.kind === 'analysis'),
  });
  assert.equal(r.result.status, 'cancelled');
  assert.equal(
    r.result.message,
    'cancelled; rolled back (traffic on stable; cleanup incomplete: teardown on green, left for reconcile)',
  );
  assert.equal(r.result.exitCode, 3, 'a rollback that did not complete is still exit 3');
  assert.equal(rollbackOutput(r.result.rollbacks), 'cleanup-incomplete');
  const summary = renderJobSummary(r.result);
  assert.match(summary, /### ⚠️ Rolled back, cleanup INCOMPLETE: production/);
  assert.match(summary, /Traffic is on the stable version; not finished: teardown on green\./);
  assert.doesNotMatch(summary, /🚨/);
});

test('what a later run could still undo: not a step with no earlier version, nor the health check of what it did not put back', () => {
  const nothing = (step: Step): StepRecord =>
    ({
      ...record(step, false),
      result: { ok: false, reason: 'none', untouched: 'nothing-to-restore' },
    }) as StepRecord;
  const batch = (b: number): Step => ({ kind: 'rollback', instances: [`i${b}`], batch: b });
  const health = (b: number): Step => ({ kind: 'health', instances: [`i${b}`] });
  // Rolling, newest batch first: batch 2 had nothing to return to, so its health check would check the
  // version that failed; batch 1 was put back and its failed health check is still worth another try.
  const left = undoLeft([
    nothing(batch(2)),
    record(health(2), false),
    record(batch(1), true),
    record(health(1), false),
  ]);
  assert.deepEqual(
    left.map((r) => r.step),
    [health(1)],
  );
  // A failed rollback command is kept (reconcile tries it again), and so is the health check after it.
  assert.equal(undoLeft([record(batch(1), false), record(health(1), false)]).length, 2);
  // A recovery that begins with a health check (its rollback step done, or dropped by an older run): kept when
  // a rollback could return to an earlier version, not when none could (reconcile: step-runner.ts returnable).
  assert.equal(undoLeft([record(health(1), false)]).length, 1);
  assert.deepEqual(undoLeft([record(health(1), false)], false), []);
  assert.equal(
    undoLeft([record(health(2), false), record(batch(1), false), record(health(1), false)], false).length,
    2,
  );
});
