// The fresh baseline (issue 15) through the pipeline machine: the recovery written ahead before anything runs
// removes it (what an orphan reconcile runs after a crash), every in-process way out removes it, and a resume
// from any step ends with it gone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resume } from '../../../src/pipeline/machine.ts';
import { describeStep } from '../../../src/strategies/sequence.ts';
import type { Step, StepResult } from '../../../src/strategies/types.ts';
import { drive, environment, input, T0, type Run } from '../../helpers/machine-driver.ts';

const CANARY =
  '  production:\n    strategy: { type: canary, steps: [10, 50, 100], pause: 0, baseline: fresh }';
const RECOVERY = [
  'set weight green=0% baseline=0% (baseline) blue=100%',
  'teardown on green',
  'teardown on baseline',
];

const steps = (r: Run) =>
  r.ran.filter((s) => s.startsWith('production:')).map((s) => s.slice('production:'.length));

test('the plan: the baseline runs the stable version before the first weight and is removed after the last', () => {
  const r = drive(input(environment(CANARY)));
  assert.equal(r.result.status, 'succeeded', r.result.message);
  assert.deepEqual(steps(r), [
    'deploy on green',
    'health check on green',
    'deploy previous version on baseline',
    'health check on baseline',
    'set weight green=10% baseline=10% (baseline) blue=80%',
    'analysis (canary-step at 10%)',
    'set weight green=50% baseline=50% (baseline) blue=0%',
    'analysis (canary-step at 50%)',
    'set weight green=100% baseline=0% (baseline) blue=0%',
    'teardown on baseline',
    'analysis (canary-step at 100%)',
    'analysis (verify)',
    'teardown on blue',
  ]);
});

test('every write-ahead record holds a recovery that removes the baseline, from before the first step on', () => {
  const r = drive(input(environment(CANARY)));
  const writes = r.persists.filter(
    (p) => p.record.rollout && p.record.rollout.step >= 0 && p.record.rollout.phase !== 'rollback',
  );
  assert.ok(writes.length > 0);
  assert.equal(writes[0]!.durable, true, 'stored and waited for before the first step');
  for (const w of writes)
    assert.deepEqual(
      w.record.rollout!.recovery.map(describeStep),
      RECOVERY,
      `at step ${w.record.rollout!.step}`,
    );
});

const failAt =
  (match: (s: Step) => boolean) =>
  (step: Step): StepResult =>
    match(step)
      ? { ok: false, reason: 'boom', ...(step.kind === 'analysis' ? { analysis: 'rollback' as const } : {}) }
      : { ok: true, analysis: 'promote' };

test('a failed analysis at a step rolls back: traffic off canary and baseline at once, then both removed', () => {
  const r = drive(input(environment(CANARY)), {
    step: failAt((s) => s.kind === 'analysis' && s.weight === 50),
  });
  assert.equal(r.result.status, 'rolled_back', r.result.message);
  assert.deepEqual(steps(r).slice(-3), RECOVERY);
});

test('a failed baseline deploy removes what started; no traffic had moved', () => {
  const r = drive(input(environment(CANARY)), {
    step: failAt((s) => s.kind === 'deploy' && s.slot === 'baseline'),
  });
  assert.equal(r.result.status, 'rolled_back', r.result.message);
  assert.deepEqual(steps(r).slice(-2), ['teardown on green', 'teardown on baseline']);
  assert.ok(!steps(r).some((s) => s.startsWith('set weight')));
});

test('cancelled at a traffic step: the baseline is removed too', () => {
  const r = drive(input(environment(CANARY)), {
    cancelDuring: (a) => a.kind === 'run_step' && a.step.kind === 'analysis' && a.step.weight === 10,
  });
  assert.equal(r.result.status, 'cancelled');
  assert.deepEqual(steps(r).slice(-3), RECOVERY);
});

test('a resume from any step (on_orphan: resume) ends with the baseline removed and the canary live', () => {
  const env = environment(CANARY);
  const normal = drive(input(env));
  const indices = [
    ...new Set(
      normal.persists.flatMap((p) =>
        p.record.rollout?.strategyState ? [p.record.rollout.strategyState.index] : [],
      ),
    ),
  ].filter((i) => i >= 0);
  assert.ok(indices.length >= 10, String(indices));
  for (const index of indices) {
    const record = normal.persists.find((p) => p.record.rollout?.strategyState?.index === index)!.record;
    const r = drive(
      resume({
        now: T0 + 3_600_000,
        env,
        record,
        repository: 'local',
        owner: { kind: 'workflow', runId: '999' },
        actor: 'reconcile:999',
        reason: 'its owner ended',
      }),
    );
    assert.equal(r.result.status, 'succeeded', `from ${index}: ${r.result.message}`);
    const ran = steps(r);
    // Resumed before the plan's own teardown of the baseline: it runs, and nothing touches the baseline after.
    const teardownIndex = record.rollout!.strategyState!.plan.findIndex(
      (p) => p.step.kind === 'teardown' && p.step.slot === 'baseline',
    );
    const lastBaselineTouch = ran.findLastIndex((s) => s.includes('baseline'));
    if (index <= teardownIndex)
      assert.equal(ran[lastBaselineTouch], 'teardown on baseline', `from ${index}: ${ran.join(' | ')}`);
    else assert.equal(lastBaselineTouch, -1, `from ${index}: ${ran.join(' | ')}`);
  }
});
