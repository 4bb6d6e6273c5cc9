// The retired entry of the slot a deployment deploys into (the old slot kept as the instant rollback target,
// torn down by reconcile once due) stays in the record until the rollout's recovery takes that teardown over,
// just before the deploy into the slot: a hook that fails before it, a cancel before it, or a deploy that never started,
// leaves the old slot retired and due, never forgotten while it still runs and never torn down before its time.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EnvironmentRecord } from '../../../src/state/record.ts';
import { describeStep } from '../../../src/strategies/sequence.ts';
import { T0, drive, environment, input, liveRecord, stored } from '../../helpers/machine-driver.ts';

const due = new Date(T0 + 3_600_000).toISOString();
const retiredGreen = { slot: 'green', version: 'v0', dueAt: due, deploymentId: 'd-0' };

function withGreenRetired(): EnvironmentRecord {
  return { ...liveRecord('production', 'v1', 'blue'), retired: [retiredGreen] };
}

test('a backup hook that fails before the deploy leaves the old slot retired, with its due time, for reconcile', () => {
  const env = environment(`  production:\n    strategy: blue-green\n    hooks:\n      backup: backup-db`);
  const r = drive(input(env, { stored: stored(withGreenRetired()) }), {
    command: (label) => (label === 'backup' ? 'exited with code 4' : undefined),
  });
  assert.equal(r.result.code, 'hook_failed');
  assert.equal(r.result.record!.rollout, undefined);
  assert.deepEqual(r.result.record!.retired, [retiredGreen]);
  // Every record stored meanwhile names it too: a run that died in the hook leaves it known.
  for (const p of r.persists) assert.deepEqual(p.record.retired, [retiredGreen]);
});

test('the entry leaves the record in the durable write-ahead that puts its teardown in the recovery', () => {
  const env = environment('  production:\n    strategy: blue-green');
  const r = drive(input(env, { stored: stored(withGreenRetired()) }));
  assert.equal(r.result.status, 'succeeded');
  const started = r.persists[0]!;
  assert.equal(started.record.rollout?.newSlot, 'green');
  assert.deepEqual(started.record.retired, [retiredGreen], 'kept while nothing touched green');
  const takeover = r.persists.find((p) => p.record.retired.length === 0)!;
  assert.ok(takeover, 'a write drops it');
  assert.equal(takeover.durable, true);
  assert.ok(
    takeover.record.rollout?.recovery.some((s) => s.kind === 'teardown' && s.slot === 'green'),
    'the recovery tears green down from then on',
  );
  // It is the write before the deploy into green (the first step run).
  const index = r.actions.indexOf(takeover);
  const firstStep = r.actions.findIndex((a) => a.kind === 'run_step');
  assert.ok(index < firstStep);
  assert.ok(
    r.actions.slice(index + 1, firstStep).every((a) => a.kind !== 'persist'),
    'no other write between it and the deploy',
  );
  const deploy = r.actions[firstStep] as Extract<(typeof r.actions)[number], { kind: 'run_step' }>;
  assert.equal(describeStep(deploy.step), 'deploy on green');
  assert.equal(r.result.record!.live?.slot, 'green');
  assert.ok(!r.result.record!.retired.some((x) => x.slot === 'green'), 'the live slot is never retired');
});

test('a deploy into the slot that never started (its program missing) puts the retired entry back', () => {
  const env = environment('  production:\n    strategy: blue-green');
  const r = drive(input(env, { stored: stored(withGreenRetired()) }), {
    step: (step) =>
      step.kind === 'deploy'
        ? { ok: false, reason: 'deploy: not found', untouched: 'not-started' }
        : { ok: true, analysis: 'promote' },
  });
  assert.equal(r.result.status, 'failed', r.result.message);
  assert.equal(r.result.rollbacks.length, 0);
  assert.equal(r.result.record!.rollout, undefined);
  assert.deepEqual(r.result.record!.retired, [retiredGreen]);
});

test('a deploy into the slot that started and failed is rolled back: the rollback tears green down, not reconcile', () => {
  const env = environment('  production:\n    strategy: blue-green');
  const r = drive(input(env, { stored: stored(withGreenRetired()) }), {
    step: (step) =>
      step.kind === 'deploy'
        ? { ok: false, reason: 'exited with code 1' }
        : { ok: true, analysis: 'promote' },
  });
  assert.equal(r.result.status, 'rolled_back', r.result.message);
  assert.ok(r.ran.includes('production:teardown on green'));
  assert.equal(r.result.record!.rollout, undefined);
  assert.deepEqual(r.result.record!.retired, []);
});

test("cancelled at the strategy's first step (before its write-ahead): the old slot is not torn down, it stays retired and due", () => {
  const env = environment('  production:\n    strategy: blue-green');
  let checkpoints = 0;
  const r = drive(input(env, { stored: stored(withGreenRetired()) }), {
    cancelBefore: (a) => a.kind === 'checkpoint' && ++checkpoints === 3,
  });
  assert.equal(r.result.status, 'cancelled', r.result.message);
  assert.ok(!r.ran.includes('production:deploy on green'));
  // Green still holds v0, the instant rollback target until its due time: nothing was deployed into it.
  assert.ok(!r.ran.includes('production:teardown on green'), r.ran.join('\n'));
  assert.equal(r.result.record!.rollout, undefined);
  assert.deepEqual(
    r.result.record!.retired,
    [retiredGreen],
    'left retired, with its due time, for reconcile',
  );
  for (const p of r.persists) assert.deepEqual(p.record.retired, [retiredGreen]);
});

test('cancelled after its write-ahead, the deploy into the slot reported not-started: the old slot stays retired and due, the run cancelled', () => {
  const env = environment('  production:\n    strategy: blue-green');
  const r = drive(input(env, { stored: stored(withGreenRetired()) }), {
    // The signal came while the deploy into green was being started, and its command never ran.
    cancelDuring: (a) => a.kind === 'run_step' && describeStep(a.step) === 'deploy on green',
    finishedBeforeSignal: true,
    step: (step) =>
      step.kind === 'deploy'
        ? { ok: false, reason: 'deploy: not found', untouched: 'not-started' }
        : { ok: true, analysis: 'promote' },
  });
  assert.ok(
    r.persists.some((p) => p.durable && p.record.retired.length === 0),
    'the write-ahead took the entry over',
  );
  assert.equal(r.result.status, 'cancelled', r.result.message);
  // Nothing was deployed into green: it still holds v0, the instant rollback target until its due time.
  assert.ok(!r.ran.includes('production:teardown on green'), r.ran.join('\n'));
  assert.equal(r.result.rollbacks.length, 0);
  assert.equal(r.result.record!.rollout, undefined);
  assert.deepEqual(
    r.result.record!.retired,
    [retiredGreen],
    'left retired, with its due time, for reconcile',
  );
});

test('cancelled while the write-ahead that took the entry over was stored (the deploy never began): the old slot stays retired and due', () => {
  const env = environment('  production:\n    strategy: blue-green');
  const r = drive(input(env, { stored: stored(withGreenRetired()) }), {
    cancelBefore: (a) => a.kind === 'run_step' && describeStep(a.step) === 'deploy on green',
  });
  assert.equal(r.result.status, 'cancelled', r.result.message);
  assert.ok(!r.ran.includes('production:teardown on green'), r.ran.join('\n'));
  assert.equal(r.result.rollbacks.length, 0);
  assert.equal(r.result.record!.rollout, undefined);
  assert.deepEqual(r.result.record!.retired, [retiredGreen]);
});
