// The pipeline machine alone: plain values in, state and actions out. A small driver plays the world (step
// results, command failures, gates, cancellation at a chosen point) and collects what the machine asked for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type Action } from '../../../src/pipeline/machine.ts';
import { describeStep } from '../../../src/strategies/sequence.ts';
import type { Step, StepResult } from '../../../src/strategies/types.ts';
import type { EnvironmentRecord } from '../../../src/state/record.ts';
import type { ResolvedEnvironment } from '../../../src/config/resolve.ts';
import {
  drive,
  environment,
  input,
  liveRecord,
  resumeFrom,
  stored,
  T0,
  type Run,
} from '../../helpers/machine-driver.ts';

const phasesOf = (r: Run) => r.result.phases.map((p) => `${p.phase}:${p.status}`);
const steps = (r: Run, track = 'production') =>
  r.ran.filter((s) => s.startsWith(`${track}:`)).map((s) => s.slice(track.length + 1));
const failWhen =
  (match: string, reason = 'boom') =>
  (step: Step): StepResult =>
    describeStep(step) === match ? { ok: false, reason } : { ok: true, analysis: 'promote' };
const historyOf = (r: Run) => r.result.record!.history.map((h) => `${h.event}:${h.code}`);
const TRAFFIC = new Set(['switch', 'set_weight', 'deploy', 'rollback']);

/** Every write is one more in the sequence, from the stored record's number on. */
function assertSequence(r: Run, environment: string, from: number) {
  const seqs = r.persists.filter((p) => p.record.environment === environment).map((p) => p.record.seq);
  assert.deepEqual(
    seqs,
    seqs.map((_, i) => from + 1 + i),
  );
}

/** The rollout record with a non-empty recovery was stored durably (and waited for) before traffic first moved. */
function assertWriteAheadBeforeTraffic(r: Run) {
  const firstTraffic = r.actions.findIndex((a) => a.kind === 'run_step' && TRAFFIC.has(a.step.kind));
  assert.ok(firstTraffic >= 0);
  const step = (r.actions[firstTraffic] as Extract<Action, { kind: 'run_step' }>).step;
  const before = r.actions
    .slice(0, firstTraffic)
    .filter((a): a is Extract<Action, { kind: 'persist' }> => a.kind === 'persist' && a.durable && a.wait);
  const last = before.at(-1);
  assert.ok(last?.record.rollout, 'a durable rollout record before the first traffic step');
  assert.equal(last.record.rollout.owner.kind, 'process');
  assert.ok(last.record.rollout.recovery.length > 0, `recovery for ${describeStep(step)}`);
}

for (const [strategy, expected, recovery] of [
  ['direct', ['deploy', 'health check', 'analysis (verify)'], ['rollback', 'health check']],
  [
    '{ type: rolling, instances: [a, b] }',
    [
      'deploy on a (batch 1)',
      'health check on a',
      'deploy on b (batch 2)',
      'health check on b',
      'analysis (verify)',
    ],
    ['rollback on a (batch 1)', 'health check on a'],
  ],
  [
    'blue-green',
    [
      'deploy on green',
      'health check on green',
      'analysis (pre-switch)',
      'switch traffic blue → green',
      'analysis (post-switch)',
      'analysis (verify)',
      'teardown on blue',
    ],
    // Blue-green and canary record the whole plan's recovery before the first step (see writeAhead): the
    // switch back to blue changes nothing while blue still has all traffic.
    ['switch traffic green → blue', 'teardown on green'],
  ],
  [
    '{ type: canary, steps: [10, 100], pause: 0 }',
    [
      'deploy on green',
      'health check on green',
      'set weight green=10% blue=90%',
      'analysis (canary-step at 10%)',
      'set weight green=100% blue=0%',
      'analysis (canary-step at 100%)',
      'analysis (verify)',
      'teardown on blue',
    ],
    ['set weight green=0% blue=100%', 'teardown on green'],
  ],
] as const) {
  test(`${strategy}: succeeds through every phase, and the record says what is live and what was`, () => {
    const env = environment(`  production:\n    strategy: ${strategy}`);
    const r = drive(input(env));
    assert.equal(r.result.status, 'succeeded');
    assert.equal(r.result.code, 'deployed');
    assert.equal(r.result.message, 'v2 is live on production');
    assert.deepEqual(phasesOf(r), [
      'validate:skipped',
      'staging:skipped',
      'production:succeeded',
      'verify:succeeded',
      'monitor:skipped',
      'finalize:succeeded',
    ]);
    assert.deepEqual(steps(r), expected);
    const record = r.result.record!;
    assert.equal(record.live?.version, 'v2');
    assert.equal(record.previous?.version, 'v1');
    assert.equal(record.rollout, undefined);
    assert.deepEqual(record.retired, []);
    assert.equal(historyOf(r)[0], 'rollout_started:started');
    assert.equal(historyOf(r).at(-1), 'succeeded:deployed');
    assertSequence(r, 'production', 7);
    assertWriteAheadBeforeTraffic(r);
    // The first write-ahead names how to undo the first step as if it had already started.
    const first = r.persists.find((p) => p.record.rollout && p.record.rollout.step >= 0)!;
    assert.deepEqual(first.record.rollout!.recovery.map(describeStep), recovery);
    assert.equal(r.result.exitCode, 0);
    // Reporter order: start first, result last, each step-start right before its step-end.
    assert.equal(r.events[0]!.type, 'start');
    assert.equal(r.events.at(-1)!.type, 'result');
  });
}

/** The write-aheads of a run (the rollout's step set): step index, weight, durable, recovery. */
const writeAheads = (r: Run) =>
  r.persists
    .filter((p) => p.record.rollout && p.record.rollout.step >= 0 && p.record.rollout.phase !== 'rollback')
    .map((p) => ({
      step: p.record.rollout!.step,
      weight: p.record.rollout!.weight,
      durable: p.durable,
      recovery: p.record.rollout!.recovery.map(describeStep),
    }));

test('canary with a stable slot serving: the whole recovery is durable once before the deploy, no later write-ahead is durable', () => {
  const env = environment('  production:\n    strategy: { type: canary, steps: [10, 50, 100], pause: 0 }');
  const r = drive(input(env));
  const writes = writeAheads(r);
  const full = ['set weight green=0% blue=100%', 'teardown on green'];
  // Weight back to 0 moves nothing while blue has all traffic, so it is right from the deploy on.
  assert.deepEqual(writes[0], { step: 0, weight: undefined, durable: true, recovery: full });
  assert.ok(
    writes.every((w) => JSON.stringify(w.recovery) === JSON.stringify(full)),
    'the recovery never changes',
  );
  assert.deepEqual(
    writes.filter((w) => w.durable).map((w) => w.step),
    [0],
    'one durable write-ahead for the whole canary',
  );
  // The record still follows the weights (not waited for).
  assert.deepEqual(
    [...new Set(writes.flatMap((w) => (w.weight === undefined ? [] : [w.weight])))],
    [10, 50, 100],
  );
});

test('canary with on_orphan: resume: every traffic step is stored durably before it runs, so a resume starts from the weight the router has', () => {
  const env = environment(
    '  production:\n    on_orphan: resume\n    strategy: { type: canary, steps: [10, 50, 100], pause: 0 }',
  );
  const r = drive(input(env));
  const writes = writeAheads(r);
  const trafficWrites = writes.filter((w) => w.weight !== undefined);
  assert.deepEqual(
    [...new Set(trafficWrites.filter((w) => w.durable).map((w) => w.weight))],
    [10, 50, 100],
    JSON.stringify(writes),
  );
  // Each durable position lands before its set_weight runs.
  for (const weight of [10, 50, 100]) {
    const step = r.actions.findIndex(
      (a) => a.kind === 'run_step' && a.step.kind === 'set_weight' && a.step.weight === weight,
    );
    const persisted = r.actions
      .slice(0, step)
      .filter((a) => a.kind === 'persist')
      .at(-1) as Extract<(typeof r.actions)[number], { kind: 'persist' }>;
    assert.equal(persisted.durable, true, `weight ${weight}`);
    assert.equal(persisted.record.rollout?.weight, weight);
  }
});

test('blue-green with a stable slot serving: the switch back is recorded before the deploy, so the switch needs no durable write', () => {
  const env = environment('  production:\n    strategy: blue-green');
  const r = drive(input(env));
  const writes = writeAheads(r);
  assert.deepEqual(
    writes.filter((w) => w.durable).map((w) => w.recovery),
    [['switch traffic green → blue', 'teardown on green']],
  );
  const atSwitch = r.actions.findIndex((a) => a.kind === 'run_step' && a.step.kind === 'switch');
  const before = r.actions.slice(0, atSwitch).filter((a) => a.kind === 'persist');
  assert.equal(before.at(-1)!.durable, false, 'the write-ahead of the switch is not waited for');
});

test('canary on a first deployment (nothing live): straight to 100 %, and no recovery routes to the empty slot', () => {
  const env = environment('  production:\n    strategy: { type: canary, steps: [10, 50, 100], pause: 0 }');
  const r = drive(input(env, { live: {}, stored: stored() }));
  assert.equal(r.result.status, 'succeeded', r.result.message);
  // With nothing live the canary goes to the first slot (blue); the other one (green) runs nothing.
  assert.deepEqual(steps(r), [
    'deploy on blue',
    'health check on blue',
    'set weight blue=100% green=0%',
    'analysis (canary-step at 100%)',
    'analysis (verify)',
  ]);
  assert.equal(r.result.record!.live?.slot, 'blue');
  assert.equal(r.result.record!.retired.length, 0, 'the empty slot is not retired');
  // Routing "back" to a slot that never served would send traffic somewhere new: only the canary goes.
  const writes = writeAheads(r);
  assert.deepEqual(writes[0], { step: 0, weight: undefined, durable: true, recovery: ['teardown on blue'] });
  assert.ok(
    writes.every((w) => w.recovery.join() === 'teardown on blue'),
    JSON.stringify(writes),
  );
  assert.ok(r.persists.every((p) => p.record.rollout === undefined || p.record.rollout.firstDeployment));

  // A failed analysis at 100 % rolls back by removing the canary, never by setting the weight to green.
  const failed = drive(input(env, { live: {}, stored: stored() }), {
    step: failWhen('analysis (canary-step at 100%)', 'error rate'),
  });
  assert.equal(failed.result.status, 'rolled_back', failed.result.message);
  assert.deepEqual(steps(failed).slice(-2), ['analysis (canary-step at 100%)', 'teardown on blue']);
  assert.ok(steps(failed).every((s) => !s.startsWith('set weight blue=0%')));
  assert.equal(failed.result.rollbacks[0]!.ok, true);
});

test('rolling: the recovery grows a batch at a time, one durable write-ahead per batch', () => {
  const env = environment('  production:\n    strategy: { type: rolling, instances: [a, b, c] }');
  const r = drive(input(env));
  assert.deepEqual(
    writeAheads(r)
      .filter((w) => w.durable)
      .map((w) => w.recovery.filter((d) => d.startsWith('rollback'))),
    [
      ['rollback on a (batch 1)'],
      ['rollback on b (batch 2)', 'rollback on a (batch 1)'],
      ['rollback on c (batch 3)', 'rollback on b (batch 2)', 'rollback on a (batch 1)'],
    ],
  );
});

test('cancelled during the canary deploy: the job undoes only what started, though the record names the whole recovery', () => {
  const env = environment('  production:\n    strategy: { type: canary, steps: [10, 100], pause: 0 }');
  const r = drive(input(env), {
    cancelDuring: (a) => a.kind === 'run_step' && a.step.kind === 'deploy',
  });
  assert.equal(r.result.status, 'cancelled');
  assert.deepEqual(writeAheads(r)[0]!.recovery, ['set weight green=0% blue=100%', 'teardown on green']);
  assert.deepEqual(steps(r), ['deploy on green', 'teardown on green']);
});

test('gates that block stop the run before anything: blocked, nothing run, the record says so', () => {
  const env = environment('  production:\n    strategy: blue-green');
  const r = drive(input(env, { skipGates: false, hasGates: true }), { gates: 'BLOCK' });
  assert.equal(r.result.status, 'blocked');
  assert.equal(r.result.code, 'gates_blocked');
  assert.equal(r.result.message, 'quality gates blocked: 1 gate(s) in 1ms');
  assert.deepEqual(phasesOf(r), ['validate:failed']);
  assert.deepEqual(r.ran, []);
  assert.deepEqual(historyOf(r), ['blocked:gates_blocked']);
  assert.equal(r.result.exitCode, 2);
});

test('a failing backup hook: hook_failed, no strategy step, the rollout it opened is closed', () => {
  const env = environment(`  production:\n    strategy: blue-green\n    hooks:\n      backup: backup-db`);
  const r = drive(input(env), {
    command: (label) => (label === 'backup' ? 'exited with code 4' : undefined),
  });
  assert.equal(r.result.status, 'failed');
  assert.equal(r.result.code, 'hook_failed');
  assert.equal(r.result.message, 'backup hook failed: exited with code 4');
  assert.deepEqual(steps(r), ['backup']);
  assert.deepEqual(phasesOf(r), ['validate:skipped', 'staging:skipped', 'production:failed']);
  assert.equal(r.result.record!.rollout, undefined);
  assert.equal(r.result.record!.live?.version, 'v1');
  assert.deepEqual(historyOf(r), ['rollout_started:started', 'failed:hook_failed']);
});

test('a failing canary step rolls back: weight 0 and teardown, then the on_rollback levels; live stays', () => {
  const env = environment(
    `  production:\n    strategy: { type: canary, steps: [5, 25, 50], pause: 0 }\n    hooks:\n      on_rollback:\n        - name: flag\n          run: flag off`,
  );
  const r = drive(input(env), { step: failWhen('analysis (canary-step at 25%)', 'health check failed') });
  assert.equal(r.result.status, 'rolled_back');
  assert.equal(r.result.code, 'strategy_failed');
  assert.equal(r.result.message, 'analysis (canary-step at 25%): health check failed; rolled back to v1');
  assert.deepEqual(steps(r).slice(-3), [
    'set weight green=0% blue=100%',
    'teardown on green',
    'rollback:flag',
  ]);
  const rb = r.result.rollbacks[0]!;
  assert.equal(rb.ok, true);
  assert.deepEqual(
    rb.levels.map((l) => [l.name, l.ok]),
    [['flag', true]],
  );
  assert.equal(rb.trafficRestoredMs, 1000, 'from the decision to the end of the weight-0 step');
  assert.equal(r.result.record!.live?.version, 'v1');
  assert.equal(r.result.record!.rollout, undefined);
  assert.deepEqual(historyOf(r).slice(-2), [
    'rollback_started:strategy_failed',
    'rolled_back:strategy_failed',
  ]);
  // The rollback path never waits for the store.
  const from = r.actions.findIndex((a) => a.kind === 'report' && a.event.type === 'rollback-start');
  const later = r.actions.slice(from).filter((a) => a.kind === 'persist');
  assert.ok(later.length >= 3);
  assert.ok(later.every((a) => a.kind === 'persist' && !a.wait));
  assert.ok(
    r.actions.slice(from).some((a) => a.kind === 'flush'),
    'flushed at the end',
  );
  assertSequence(r, 'production', 7);
  // Reporter order around the rollback: rollback-start, its steps, rollback-end, then the phase ends failed.
  const types = r.events.map((e) => e.type);
  const end = types.indexOf('rollback-end');
  assert.deepEqual(types.slice(end, end + 3), ['rollback-end', 'phase-end', 'result']);
});

test('smoke tests that fail in verify: verify_failed, rolled back with the smoke message', () => {
  const env = environment(`  production:\n    strategy: blue-green\n    smoke: run-smoke`);
  const r = drive(input(env), { command: (label) => (label === 'smoke' ? 'exited with code 1' : undefined) });
  assert.equal(r.result.code, 'verify_failed');
  assert.equal(r.result.status, 'rolled_back');
  assert.equal(r.result.message, 'smoke tests failed: exited with code 1; rolled back to v1');
  assert.deepEqual(
    r.result.rollbacks[0]!.steps.map((s) => s.description),
    ['switch traffic green → blue', 'teardown on green'],
  );
  assert.deepEqual(phasesOf(r).slice(-1), ['verify:failed']);
});

for (const [phase, code] of [
  ['verify', 'verify_failed'],
  ['monitor', 'monitor_failed'],
] as const) {
  test(`an analysis that fails in ${phase}: ${code}, rolled back`, () => {
    const env = environment(`  production:\n    strategy: blue-green\n    monitor: 1m`);
    const r = drive(input(env), { step: failWhen(`analysis (${phase})`, 'error rate 5 % > 1 %') });
    assert.equal(r.result.code, code);
    assert.equal(r.result.status, 'rolled_back');
    assert.equal(r.result.message, 'error rate 5 % > 1 %; rolled back to v1');
    assert.equal(r.result.rollbacks.length, 1);
    assert.equal(historyOf(r).at(-1), `rolled_back:${code}`);
  });
}

test('a rollback step that fails: rollback_failed, and the record keeps what is left to undo', () => {
  const env = environment('  production:\n    strategy: { type: canary, steps: [50, 100], pause: 0 }');
  const r = drive(input(env), {
    step: (step) =>
      describeStep(step) === 'analysis (canary-step at 50%)'
        ? { ok: false, reason: 'slow' }
        : describeStep(step) === 'set weight green=0% blue=100%'
          ? { ok: false, reason: 'router down' }
          : { ok: true },
  });
  assert.equal(r.result.status, 'failed');
  assert.equal(r.result.code, 'rollback_failed');
  assert.equal(
    r.result.message,
    'analysis (canary-step at 50%): slow; the rollback did not complete (not finished: set weight green=0% blue=100%, teardown on green): check production now',
  );
  assert.equal(r.result.exitCode, 3, 'not the 1 of a failure that was rolled back');
  const rollout = r.result.record!.rollout!;
  // The teardown of green was held back (green may still serve): it is left to undo after the weight.
  assert.deepEqual(rollout.recovery.map(describeStep), [
    'set weight green=0% blue=100%',
    'teardown on green',
  ]);
  assert.equal(rollout.phase, 'rollback');
  assert.equal(historyOf(r).at(-1), 'rollback_failed:rollback_failed');
});

test('cancelled between phases (before production): nothing changed, no rollback', () => {
  const env = environment('  production:\n    strategy: blue-green');
  const r = drive(input(env), { cancelBefore: (a) => a.kind === 'checkpoint' });
  assert.equal(r.result.status, 'cancelled');
  assert.equal(r.result.message, 'cancelled before anything changed');
  assert.deepEqual(phasesOf(r), ['validate:skipped']);
  assert.deepEqual(r.ran, []);
  assert.equal(r.result.exitCode, 130);
});

test('cancelled during the backup hook: the production phase is cancelled, no traffic to undo, and not said to have changed nothing', () => {
  const env = environment(`  production:\n    strategy: blue-green\n    hooks:\n      backup: backup-db`);
  const r = drive(input(env), { cancelDuring: (a) => a.kind === 'run_command' });
  assert.equal(r.result.status, 'cancelled');
  // It said "cancelled before anything changed" about a migration stopped half way.
  assert.equal(
    r.result.message,
    "cancelled before any traffic or slot of production changed, but after production's backup hook began: what it changed is not undone; check it",
  );
  assert.deepEqual(r.result.hooksBegun, ["production's backup"]);
  assert.deepEqual(phasesOf(r).at(-1), 'production:cancelled');
  assert.equal(r.result.rollbacks.length, 0);
  assert.equal(r.result.record!.rollout, undefined);
  assert.equal(historyOf(r).at(-1), 'cancelled:cancelled');
});

test("cancelled during production's backup hook after staging went live: the words are of production's traffic, since staging's changed", () => {
  const yaml =
    '  staging:\n    strategy: blue-green\n    hooks:\n      migrate: m\n  production:\n    staging: staging\n    strategy: blue-green\n    hooks:\n      backup: b';
  const r = drive(input(environment(yaml), { staging: environment(yaml, 'staging') }), {
    cancelDuring: (a) => a.kind === 'run_command' && a.track === 'production',
  });
  assert.ok(steps(r, 'staging').includes('switch traffic blue → green'), r.ran.join('\n'));
  assert.equal(r.result.status, 'cancelled');
  // It said "cancelled before any traffic or slot changed" right after staging's switch.
  assert.equal(
    r.result.message,
    "cancelled before any traffic or slot of production changed, but after staging's migrate and production's backup hooks began: what they changed is not undone; check it",
  );
});

test("cancelled after staging went live, before production's first step: not 'before anything changed', since staging keeps the new version", () => {
  const yaml =
    '  staging:\n    strategy: blue-green\n  production:\n    staging: staging\n    strategy: blue-green';
  // Cancelled at the checkpoint between the phases, once staging's final record is confirmed stored.
  let stagingFinalized = false;
  const r = drive(input(environment(yaml), { staging: environment(yaml, 'staging') }), {
    cancelBefore: (a) => {
      if (a.kind === 'confirm_stored') stagingFinalized = true;
      return stagingFinalized && a.kind === 'checkpoint';
    },
  });
  assert.deepEqual(steps(r), [], "production's strategy never began");
  assert.ok(steps(r, 'staging').includes('switch traffic blue → green'), r.ran.join('\n'));
  assert.equal(r.result.status, 'cancelled');
  assert.equal(
    r.result.message,
    'cancelled before anything of production changed; staging (its staging) keeps v2, which this run deployed and validated there first',
  );
});

test('cancelled before the migrate hook began (while its record was stored): it never ran, so nothing changed', () => {
  const env = environment(`  production:\n    strategy: blue-green\n    hooks:\n      migrate: migrate-db`);
  const r = drive(input(env), { cancelBefore: (a) => a.kind === 'run_command' });
  assert.equal(r.result.status, 'cancelled');
  assert.equal(r.result.message, 'cancelled before anything changed');
  assert.equal(r.result.hooksBegun, undefined);
});

test("cancelled at the strategy's first step: the step never ran, nothing is rolled back, no level runs", () => {
  const env = environment(
    `  production:\n    strategy: blue-green\n    hooks:\n      on_rollback:\n        - name: flag\n          run: flag off`,
  );
  let checkpoints = 0;
  const r = drive(input(env), { cancelBefore: (a) => a.kind === 'checkpoint' && ++checkpoints === 3 });
  assert.equal(r.result.status, 'cancelled');
  // The run knows nothing of the rollout ran (the one a moment later, its deploy not started, ends so too):
  // cancel-before-first-step.test.ts.
  assert.equal(r.result.message, 'cancelled before anything changed');
  assert.deepEqual(steps(r), []);
  assert.equal(r.result.rollbacks.length, 0);
  assert.equal(r.result.record!.rollout, undefined);
});

test('cancelled after a migrate hook and traffic moved: rolled back, and said that the migration is not undone by it', () => {
  const env = environment(
    '  production:\n    strategy: { type: canary, steps: [5, 25, 50], pause: 0 }\n    hooks:\n      migrate: migrate-db',
  );
  const r = drive(input(env), {
    cancelDuring: (a) => a.kind === 'run_step' && a.step.kind === 'analysis' && a.step.weight === 25,
  });
  assert.equal(
    r.result.message,
    "cancelled; rolled back (traffic on stable); production's migrate hook had begun and is not undone by it",
  );
});

test('cancelled after traffic moved (during the canary at 25 %): traffic back first, then cancelled', () => {
  const env = environment('  production:\n    strategy: { type: canary, steps: [5, 25, 50], pause: 0 }');
  const r = drive(input(env), {
    cancelDuring: (a) => a.kind === 'run_step' && a.step.kind === 'analysis' && a.step.weight === 25,
  });
  assert.equal(r.result.status, 'cancelled');
  assert.equal(r.result.message, 'cancelled; rolled back (traffic on stable)');
  assert.deepEqual(steps(r).slice(-2), ['set weight green=0% blue=100%', 'teardown on green']);
  assert.ok(!steps(r).includes('set weight green=50% blue=50%'), 'no step after the cancellation');
  assert.equal(phasesOf(r).at(-1), 'production:cancelled');
  assert.equal(r.result.record!.rollout, undefined);
  assert.equal(historyOf(r).at(-1), 'cancelled:cancelled');
});

test('cancelled during verify: rolled back, cancelled', () => {
  const env = environment('  production:\n    strategy: blue-green');
  const r = drive(input(env), {
    cancelDuring: (a) => a.kind === 'run_step' && a.step.kind === 'analysis' && a.step.phase === 'verify',
  });
  assert.equal(r.result.status, 'cancelled');
  assert.equal(phasesOf(r).at(-1), 'verify:cancelled');
  assert.deepEqual(steps(r).slice(-2), ['switch traffic green → blue', 'teardown on green']);
});

test("cancelled in finalize's scale-down wait: cancelled, not succeeded; the release stands and the old slot stays in the record, due", () => {
  const env = environment('  production:\n    strategy: { type: blue-green, scale_down_delay: 5m }');
  const r = drive(input(env), { cancelDuring: (a) => a.kind === 'wait' });
  assert.equal(r.result.status, 'cancelled');
  assert.equal(r.result.code, 'cancelled');
  assert.equal(r.result.exitCode, 130);
  const retired = r.result.record!.retired;
  assert.equal(retired.length, 1);
  assert.equal(retired[0]!.slot, 'blue');
  assert.equal(retired[0]!.version, 'v1');
  assert.equal(
    r.result.message,
    `cancelled in finalize, after v2 went live on production: blue was not torn down (due at ${retired[0]!.dueAt}; a reconcile run tears it down)`,
  );
  assert.ok(!steps(r).includes('teardown on blue'));
  assert.equal(phasesOf(r).at(-1), 'finalize:cancelled');
  // The release stands: live in the record and in the result; nothing is rolled back.
  assert.equal(r.result.record!.live?.version, 'v2');
  assert.equal(r.result.live?.version, 'v2');
  assert.deepEqual(r.result.rollbacks, []);
  // The record's last word stays "succeeded": a cancelled entry would read as a second run that changed nothing.
  assert.equal(historyOf(r).at(-1), 'succeeded:deployed');
});

test('a short scale-down delay is waited out in the job and the slot torn down; a long one is retired with its due time', () => {
  const short = drive(
    input(environment('  production:\n    strategy: { type: blue-green, scale_down_delay: 5m }')),
  );
  assert.deepEqual(
    short.actions.filter((a) => a.kind === 'wait'),
    [{ kind: 'wait', ms: 300_000 }],
  );
  assert.equal(steps(short).at(-1), 'teardown on blue');
  assert.deepEqual(short.result.record!.retired, []);
  // While the job waits, the record already says blue is due then (a job lost in the wait leaves it to reconcile).
  const during = short.persists.find((p) => p.record.live?.version === 'v2')!;
  assert.equal(during.durable, true);
  assert.equal(during.record.retired[0]!.slot, 'blue');

  const long = drive(
    input(environment('  production:\n    strategy: { type: blue-green, scale_down_delay: 24h }')),
  );
  assert.ok(!long.actions.some((a) => a.kind === 'wait'));
  assert.ok(!steps(long).includes('teardown on blue'));
  const retired = long.result.record!.retired[0]!;
  assert.equal(retired.slot, 'blue');
  const finalizeAt = Date.parse(long.result.phases.find((p) => p.phase === 'finalize')!.startedAt);
  assert.equal(Date.parse(retired.dueAt), finalizeAt + 24 * 3_600_000);
  assert.match(
    long.events
      .filter((e) => e.type === 'log')
      .map((e) => (e as { message: string }).message)
      .join('\n'),
    /blue \(v1\) stays up as the instant rollback target until .*; a reconcile run tears it down then/,
  );
});

test('the next deployment into a retired slot takes it off the retired list before its deploy (a reconcile must not tear it down)', () => {
  const env = environment('  production:\n    strategy: blue-green');
  const record = {
    ...liveRecord('production', 'v1', 'blue'),
    retired: [{ slot: 'green', version: 'v0', dueAt: new Date(T0 + 3_600_000).toISOString() }],
  };
  const r = drive(input(env, { stored: stored(record) }));
  // Before the first step: the durable write-ahead whose recovery tears green down (retired-takeover.test.ts).
  const beforeDeploy = r.persists.find((p) => p.record.rollout?.recovery.length)!;
  assert.equal(beforeDeploy.record.rollout?.newSlot, 'green');
  assert.deepEqual(beforeDeploy.record.retired, []);
  assert.equal(beforeDeploy.durable, true);
});

test('rolling with on_failure: pause stops without undoing: paused, the rollout stays in the record', () => {
  const env = environment(
    '  production:\n    strategy: { type: rolling, instances: [a, b], on_failure: pause }',
  );
  const r = drive(input(env, { handOff: true }), { step: failWhen('health check on b') });
  assert.equal(r.result.status, 'paused');
  assert.equal(r.result.code, 'rollout_paused');
  assert.match(r.result.message, /^rollout paused: health check on b: boom; paused at batch 2\/2/);
  assert.equal(r.result.rollbacks.length, 0);
  assert.ok(r.result.record!.rollout, 'the paused rollout stays');
  assert.deepEqual(historyOf(r).slice(-2), ['handed_off:hold', 'paused:rollout_paused']);
  assert.equal(r.persists.at(-1)!.wait, true);
});

test('rolling with on_failure: pause without hand-off rolls back and says why: nothing could ever take the hold up', () => {
  const env = environment(
    '  production:\n    strategy: { type: rolling, instances: [a, b], on_failure: pause }',
  );
  let failed = false;
  const once = (step: Step): StepResult =>
    !failed && describeStep(step) === 'health check on b'
      ? ((failed = true), { ok: false, reason: 'boom' })
      : { ok: true, analysis: 'promote' };
  const r = drive(input(env, { handOff: false }), { step: once });
  assert.equal(r.result.status, 'rolled_back', r.result.message);
  assert.equal(r.result.code, 'strategy_failed');
  assert.match(
    r.result.message,
    /^health check on b: boom; on_failure: pause holds a failed batch only where/,
  );
  assert.match(r.result.message, /this run cannot hand it off, so the batches are rolled back/);
  assert.deepEqual(steps(r).slice(-4), [
    'rollback on b (batch 2)',
    'health check on b',
    'rollback on a (batch 1)',
    'health check on a',
  ]);
  // No hold that nobody would ever /resume: the rollout is gone from the record.
  assert.equal(r.result.record!.rollout, undefined);
  assert.ok(!historyOf(r).includes('handed_off:hold'));
});

for (const [how, over] of [
  ['with hand-off (the Action, its record on GitHub)', { handOff: true }],
  ['held on failure (the CLI and its state directory)', { holdOnFailure: true }],
] as const)
  test(`staging rolling with on_failure: pause, ${how}: its batches are rolled back and its record says so, no rollout is left behind`, () => {
    // People steer the production rollout only (no wait, bake or hold in staging): a hold there would be a
    // rollout nothing takes up, which the next run refuses and reconcile takes for an orphan.
    const yaml =
      '  staging:\n    strategy: { type: rolling, instances: [a, b], on_failure: pause }\n' +
      '  production:\n    staging: staging\n    strategy: direct';
    let failed = false;
    const once = (step: Step): StepResult =>
      !failed && describeStep(step) === 'health check on b'
        ? ((failed = true), { ok: false, reason: 'boom' })
        : { ok: true, analysis: 'promote' };
    const r = drive(input(environment(yaml), { staging: environment(yaml, 'staging'), ...over }), {
      step: once,
    });
    assert.equal(r.result.status, 'rolled_back', r.result.message);
    assert.equal(r.result.code, 'staging_failed');
    assert.match(r.result.message, /^health check on b: boom; on_failure: pause holds a failed batch of/);
    assert.match(r.result.message, /staging's batches are rolled back/);
    assert.deepEqual(steps(r, 'staging').slice(-4), [
      'rollback on b (batch 2)',
      'health check on b',
      'rollback on a (batch 1)',
      'health check on a',
    ]);
    assert.deepEqual(steps(r), [], 'production untouched');
    const staging = r.persists.filter((p) => p.record.environment === 'staging').at(-1)!.record;
    assert.equal(staging.rollout, undefined, 'no rollout left in the staging record');
    assert.deepEqual(
      staging.history.slice(-2).map((h) => `${h.event}:${h.code}`),
      ['rollback_started:staging_failed', 'rolled_back:staging_failed'],
    );
    assert.ok(!staging.history.some((h) => h.event === 'handed_off'));
    assertSequence(r, 'staging', 0);
  });

test('finalize goes on only once its record is stored: not stored, nothing after it runs and the run fails (state_refused)', () => {
  const yaml =
    '  staging:\n    strategy: blue-green\n  production:\n    staging: staging\n    strategy: blue-green\n' +
    '    hooks: { on_success: notify-team }';
  const envs = () => input(environment(yaml), { staging: environment(yaml, 'staging') });
  // Staging's final record is the first confirmed (its teardown's claim the second), production's the third.
  for (const [failing, nth] of [
    ['staging', 0],
    ['production', 2],
  ] as const) {
    let confirmed = 0;
    const r = drive(envs(), { notStored: () => (confirmed++ === nth ? 'disk full' : undefined) });
    assert.equal(r.result.status, 'failed', r.result.message);
    assert.equal(r.result.code, 'state_refused');
    assert.match(
      r.result.message,
      new RegExp(
        `^v2 is live on ${failing}, but the state record saying so could not be stored \\(disk full\\)`,
      ),
    );
    assert.match(
      r.result.message,
      /the stored record still shows its rollout in progress, blue was not torn down/,
    );
    const confirms = r.actions.flatMap((a, i) => (a.kind === 'confirm_stored' ? [i] : []));
    assert.equal(confirms.length, nth + 1);
    const at = confirms.at(-1)!;
    const persist = r.actions.slice(0, at).findLast((a) => a.kind === 'persist');
    assert.ok(
      persist?.kind === 'persist' && persist.durable && persist.wait,
      'asked right after a durable write',
    );
    // ...one waited for until the store's last word, not until its usual wait runs out (a GitHub write still
    // queued then would count as stored, and on_success would run before it landed, or without it ever).
    assert.equal(persist?.kind === 'persist' && persist.settle, true, 'the confirmed write settles');
    // Nothing runs after the record that was not stored: no teardown of the slot the stored recovery switches
    // back to, no on_success, and (when staging's failed) no production; nothing more is written.
    const after = r.actions.slice(at + 1).filter((a) => a.kind === 'run_step' || a.kind === 'run_command');
    assert.deepEqual(after, [], `${failing}: ran after the record that was not stored`);
    assert.ok(!r.actions.slice(at + 1).some((a) => a.kind === 'persist'), 'written after it');
    if (failing === 'staging') assert.deepEqual(steps(r), [], 'production untouched');
    else assert.match(r.result.message, /, the on_success hook was not run\./);
  }
  // Stored: the teardown, then on_success, as before.
  const ok = drive(envs());
  assert.equal(ok.result.status, 'succeeded', ok.result.message);
  // Only the confirmed records settle: the other durable writes keep the store's bounded wait.
  const settling = ok.actions.filter((a) => a.kind === 'persist' && a.settle);
  assert.equal(settling.length, ok.actions.filter((a) => a.kind === 'confirm_stored').length);
  assert.deepEqual(steps(ok).slice(-2), ['teardown on blue', 'on_success']);
});

test('staging first: its own record, its own rollback; staging_failed, production untouched', () => {
  const env = environment(
    '  staging:\n    strategy: blue-green\n  production:\n    staging: staging\n    strategy: blue-green',
  );
  const staging = environment(
    '  staging:\n    strategy: blue-green\n  production:\n    staging: staging\n    strategy: blue-green',
    'staging',
  );
  const r = drive(input(env, { staging }), { step: failWhen('health check on green') });
  assert.equal(r.result.code, 'staging_failed');
  assert.deepEqual(phasesOf(r), ['validate:skipped', 'staging:failed']);
  assert.deepEqual(steps(r, 'staging'), ['deploy on green', 'health check on green', 'teardown on green']);
  assert.deepEqual(steps(r), []);
  const stagingWrites = r.persists.filter((p) => p.record.environment === 'staging');
  assert.ok(stagingWrites.length > 0);
  assertSequence(r, 'staging', 0);
  assert.equal(stagingWrites.at(-1)!.record.history.at(-1)!.code, 'staging_failed');
  assert.equal(r.result.record!.environment, 'production');
  assert.deepEqual(historyOf(r), ['rolled_back:staging_failed']);
});

test('staging that passes is finalized in its own record, then production runs', () => {
  const yaml =
    '  staging:\n    strategy: blue-green\n  production:\n    staging: staging\n    strategy: blue-green';
  const r = drive(input(environment(yaml), { staging: environment(yaml, 'staging') }));
  assert.equal(r.result.status, 'succeeded');
  const staging = r.persists.filter((p) => p.record.environment === 'staging').at(-1)!.record;
  assert.equal(staging.live?.version, 'v2');
  assert.equal(staging.previous?.version, 'v0');
  assert.equal(r.result.phases.find((p) => p.phase === 'staging')!.detail, 'staging validated');
});

test("staging's own backup and migrate hooks run before its strategy, as when it is deployed alone (seed 01: migrations applied on staging)", () => {
  const yaml =
    '  staging:\n    strategy: blue-green\n    hooks: { backup: snap-staging, migrate: migrate-staging }\n' +
    '  production:\n    staging: staging\n    strategy: blue-green\n    hooks: { migrate: migrate-prod }';
  const r = drive(input(environment(yaml), { staging: environment(yaml, 'staging') }));
  assert.equal(r.result.status, 'succeeded', r.result.message);
  assert.deepEqual(steps(r, 'staging').slice(0, 3), ['backup', 'migrate', 'deploy on green']);
  assert.deepEqual(steps(r).slice(0, 2), ['migrate', 'deploy on green']);
});

test("a failing staging hook: hook_failed naming staging, staging's strategy and production untouched, its rollout closed", () => {
  const yaml =
    '  staging:\n    strategy: blue-green\n    hooks: { migrate: migrate-staging }\n' +
    '  production:\n    staging: staging\n    strategy: blue-green';
  const r = drive(input(environment(yaml), { staging: environment(yaml, 'staging') }), {
    command: (label) => (label === 'migrate' ? 'exited with code 4' : undefined),
  });
  assert.equal(r.result.status, 'failed');
  assert.equal(r.result.code, 'hook_failed');
  assert.equal(
    r.result.message,
    'the migrate hook of staging (the staging environment) failed: exited with code 4',
  );
  assert.deepEqual(steps(r, 'staging'), ['migrate']);
  assert.deepEqual(steps(r), []);
  assert.deepEqual(phasesOf(r), ['validate:skipped', 'staging:failed']);
  const staging = r.persists.filter((p) => p.record.environment === 'staging').at(-1)!.record;
  assert.equal(staging.rollout, undefined, 'no rollout left in the staging record');
});

test('a refused record with no current command: state_refused, nothing run, nothing written', () => {
  const env = environment('  production:\n    strategy: blue-green');
  const r = drive(
    input(env, {
      stored: { ok: false, code: 'state_forged', message: 'the MAC does not verify', source: 'check run 9' },
    }),
  );
  assert.equal(r.result.status, 'failed');
  assert.equal(r.result.code, 'state_refused');
  assert.match(r.result.message, /refused \[state_forged\]: the MAC does not verify \(check run 9\)/);
  assert.match(r.result.message, /current command/);
  assert.deepEqual(r.ran, []);
  assert.deepEqual(r.persists, []);
  assert.equal(r.result.record, undefined);
});

test('a record that could not be read (GitHub failing) stops the run even with a current command: it is never replaced unread', () => {
  const env = environment('  production:\n    strategy: blue-green');
  const withCurrent = { ...env, target: { ...env.target, current: env.target.deploy } };
  const r = drive(
    input(withCurrent, {
      stored: {
        ok: false,
        code: 'state_unavailable',
        message: 'HTTP 502',
        source: 'deployments of production',
      },
    }),
  );
  assert.equal(r.result.status, 'failed');
  assert.equal(r.result.code, 'state_refused');
  assert.match(r.result.message, /could not be read \[state_unavailable\]: HTTP 502/);
  assert.match(r.result.message, /never replaced unread; run again when GitHub answers/);
  assert.deepEqual(r.ran, []);
  assert.deepEqual(r.persists, []);
});

test('a refused record with a current command: a warning saying what is not carried over and where the refused one is kept, then a deployment on a fresh record', () => {
  const env = environment('  production:\n    strategy: blue-green');
  const withCurrent = { ...env, target: { ...env.target, current: env.target.deploy } };
  const warnings = (r: ReturnType<typeof drive>) =>
    r.events.flatMap((e) => (e.type === 'log' && e.level === 'warn' ? [e.message] : []));
  const r = drive(
    input(withCurrent, {
      stored: {
        ok: false,
        code: 'state_corrupt',
        message: 'not JSON',
        source: '/x.json',
        kept: '/x.json.refused-2026-03-01T10-00-00.000Z',
      },
    }),
  );
  assert.equal(r.result.status, 'succeeded');
  const [warning] = warnings(r);
  assert.match(warning ?? '', /refused \[state_corrupt\]: not JSON \(\/x\.json\)/);
  assert.match(
    warning ?? '',
    /A new record takes its place with nothing of the refused one: its history, previous release, retired slots due for teardown \(reconcile no longer knows them\) and any rollout it names are not carried over/,
  );
  assert.match(
    warning ?? '',
    /The refused record itself is kept as \/x\.json\.refused-2026-03-01T10-00-00\.000Z$/,
  );
  // Numbered from the clock, so no reader that saw the refused record's number takes the new one for stale.
  const first = r.persists.find((p) => p.record.environment === 'production')!.record.seq;
  assert.ok(first > T0, `the fresh record is numbered ${first}`);
  assertSequence(r, 'production', first - 1);

  // A store that leaves a refused record where it was (GitHub: its own deployment's check run) says so.
  const github = drive(
    input(withCurrent, {
      stored: { ok: false, code: 'state_forged', message: 'the MAC does not verify', source: 'check run 9' },
    }),
  );
  assert.equal(github.result.status, 'succeeded');
  assert.match(warnings(github)[0] ?? '', /The refused record itself is kept at check run 9$/);
});

test("a newer deploy-action's record stops the run even with a current command: it is never replaced", () => {
  // A runner still on this version after another moved on (an upgrade under way, or a downgrade) reads a record
  // of a later schema. Replaced by a fresh one, the newer version's unfinished rollout and how to undo it, its
  // retired slots and history were dropped, and this run deployed on top of a canary half-way.
  const env = environment('  production:\n    strategy: blue-green');
  const withCurrent = { ...env, target: { ...env.target, current: env.target.deploy } };
  const r = drive(
    input(withCurrent, {
      stored: {
        ok: false,
        code: 'state_corrupt',
        message:
          'check run 9 was written by a newer deploy-action (record schema 2; this one reads schema 1): run that version or a later one',
        source: 'check run 9',
        newer: true,
      },
    }),
  );
  assert.equal(r.result.status, 'failed');
  assert.equal(r.result.code, 'state_refused');
  assert.match(
    r.result.message,
    /written by a newer deploy-action \(record schema 2; this one reads schema 1\)/,
  );
  assert.match(
    r.result.message,
    /Nothing was deployed, even with a current command: it may name an unfinished rollout/,
  );
  assert.deepEqual(r.ran, []);
  assert.deepEqual(r.persists, []);
});

test('an internal error before the strategy: internal_error, logged, no rollback', () => {
  const env = environment('  production:\n    strategy: blue-green');
  const r = drive(input(env), { error: (a) => (a.kind === 'prepare' ? 'baseline unreadable' : undefined) });
  assert.equal(r.result.code, 'internal_error');
  assert.equal(r.result.message, 'internal error: baseline unreadable');
  assert.equal(r.result.rollbacks.length, 0);
  assert.ok(r.events.some((e) => e.type === 'log' && e.level === 'error'));
});

// Another run's rollout that never finished (its runner died) may still split traffic, and its recovery is
// in the record: a deployment on top would take the half-done slot as if it were idle. It stops, touching
// nothing, and says to reconcile first; the record stays for reconcile.
for (const [name, recordEnv, extra] of [
  ['production', 'production', ''],
  ['its staging environment', 'staging', '    staging: staging\n'],
] as const) {
  test(`another run's unfinished rollout in ${name}: rollout_unfinished, nothing runs, nothing written`, () => {
    const env = environment(
      `  staging:\n    strategy: blue-green\n  production:\n${extra}    strategy: blue-green`,
    );
    const record: EnvironmentRecord = {
      ...liveRecord(recordEnv),
      rollout: {
        deploymentId: 'd-0',
        version: 'v1.5',
        strategy: 'blue-green',
        phase: 'production',
        step: 3,
        steps: 6,
        startedAt: new Date(T0 - 5000).toISOString(),
        owner: { kind: 'workflow', runId: '77' },
        recovery: [{ kind: 'switch', slot: 'blue', from: 'green' }],
      },
    };
    const r =
      recordEnv === 'production'
        ? drive(input(env, { stored: stored(record) }))
        : drive(
            input(env, {
              staging: environment(
                `  staging:\n    strategy: blue-green\n  production:\n${extra}    strategy: blue-green`,
                'staging',
              ),
            }),
            {
              storedFor: (track: string) => (track === 'staging' ? stored(record) : undefined),
            },
          );
    assert.equal(r.result.status, 'failed');
    assert.equal(r.result.code, 'rollout_unfinished');
    assert.match(
      r.result.message,
      new RegExp(`^${recordEnv} has an unfinished rollout of v1\\.5 .*workflow run 77.*reconcile`),
    );
    assert.deepEqual(r.ran, [], 'no command ran');
    assert.equal(r.result.rollbacks.length, 0);
    assert.ok(
      r.persists.every((p) => p.record.environment !== recordEnv),
      'the record with the unfinished rollout is left for reconcile',
    );
  });
}

test('an unfinished rollout a rollback had begun on: the refusal says reconcile rolls it back, not that it may resume it', () => {
  // Phase rollback (its run's rollback cut short, or reconcile's that did not complete): reconcile never resumes
  // it (checkResumable), under on_orphan: resume too. "rolls it back or resumes it" promised what cannot happen.
  const env = environment('  production:\n    strategy: blue-green');
  const record: EnvironmentRecord = {
    ...liveRecord('production'),
    rollout: {
      deploymentId: 'd-0',
      version: 'v1.5',
      strategy: 'blue-green',
      phase: 'rollback',
      step: 3,
      steps: 6,
      startedAt: new Date(T0 - 5000).toISOString(),
      owner: { kind: 'workflow', runId: '77' },
      recovery: [{ kind: 'switch', slot: 'blue', from: 'green' }],
    },
  };
  const r = drive(input(env, { stored: stored(record) }));
  assert.equal(r.result.code, 'rollout_unfinished');
  assert.match(r.result.message, /, being rolled back, at step 4\/6\): /);
  assert.match(
    r.result.message,
    /Nothing was deployed; reconcile rolls it back \(never resumes it: a rollback of it had begun\)/,
  );
  assert.doesNotMatch(r.result.message, /resumes it \(/);
  assert.deepEqual(r.ran, [], 'no command ran');
});

test('cancelled while the gates run: the validate phase is cancelled, nothing ran', () => {
  const env = environment('  production:\n    strategy: blue-green');
  const r = drive(input(env, { skipGates: false, hasGates: true }), {
    cancelDuring: (a) => a.kind === 'run_gates',
  });
  assert.equal(r.result.status, 'cancelled');
  assert.equal(r.result.message, 'cancelled before anything changed');
  assert.deepEqual(phasesOf(r), ['validate:cancelled']);
  assert.deepEqual(r.ran, []);
});

test('cancelled during the staging deployment: staging is rolled back, production never starts', () => {
  const yaml =
    '  staging:\n    strategy: blue-green\n  production:\n    staging: staging\n    strategy: blue-green';
  const r = drive(input(environment(yaml), { staging: environment(yaml, 'staging') }), {
    cancelDuring: (a) => a.kind === 'run_step' && a.step.kind === 'health',
  });
  assert.equal(r.result.status, 'cancelled');
  assert.equal(r.result.message, 'cancelled; rolled back (traffic on stable)');
  assert.deepEqual(phasesOf(r), ['validate:skipped', 'staging:cancelled']);
  assert.deepEqual(steps(r, 'staging').slice(-1), ['teardown on green']);
  assert.deepEqual(steps(r), []);
  const staging = r.persists.filter((p) => p.record.environment === 'staging').at(-1)!.record;
  assert.equal(staging.rollout, undefined);
  assert.equal(staging.history.at(-1)!.event, 'cancelled');
});

// ---- resume (reconcile, on_orphan: resume) -----------------------------------------------------------------

/** The record the dead run's write-ahead left just before step `index` of a normal run (its seq as written). */
function orphanRecord(env: ResolvedEnvironment, index: number): EnvironmentRecord {
  const normal = drive(input(env));
  const ahead = normal.persists.find((p) => p.record.rollout?.strategyState?.index === index);
  assert.ok(ahead, `a write-ahead record for step ${index}`);
  return ahead.record;
}

const CANARY = '  production:\n    strategy: { type: canary, steps: [10, 50, 100], pause: 0 }';

test('resume from each canary step: exactly the remaining steps run (the one in progress again), then verify and finalize', () => {
  const env = environment(CANARY);
  const full = steps(drive(input(env)));
  const strategySteps = full.slice(0, full.indexOf('analysis (verify)'));
  assert.equal(strategySteps.length, 8);
  for (let index = 0; index < strategySteps.length; index++) {
    const record = orphanRecord(env, index);
    const r = drive(resumeFrom(env, record));
    assert.equal(r.result.status, 'succeeded', `from step ${index}: ${r.result.message}`);
    assert.equal(r.result.message, 'v2 is live on production');
    assert.deepEqual(
      steps(r),
      [...strategySteps.slice(index), 'analysis (verify)', 'teardown on blue'],
      `from step ${index}`,
    );
    assert.deepEqual(phasesOf(r), [
      'validate:skipped',
      'staging:skipped',
      'production:succeeded',
      'verify:succeeded',
      'monitor:skipped',
      'finalize:succeeded',
    ]);
    const final = r.result.record!;
    assert.equal(final.live?.version, 'v2');
    assert.equal(final.live?.slot, 'green');
    assert.equal(final.previous?.version, 'v1');
    assert.equal(final.rollout, undefined);
    // The history goes on from the dead run's; the resume's own part: the claim, then the pipeline's codes.
    const added = final.history.slice(record.history.length).map((h) => `${h.event}:${h.code}`);
    assert.deepEqual(added, ['orphan_resumed:orphan_resume', 'phase:verify', 'succeeded:deployed']);
    assertSequence(r, 'production', record.seq);
    // The claim is the first thing done, stored durably before any step: the rollout is the reconcile's now.
    const firstRun = r.actions.findIndex((a) => a.kind === 'run_step' || a.kind === 'prepare');
    const claim = r.actions.findIndex((a) => a.kind === 'persist');
    assert.ok(claim >= 0 && claim < firstRun);
    const claimed = r.actions[claim] as Extract<Action, { kind: 'persist' }>;
    assert.equal(claimed.durable && claimed.wait, true);
    assert.deepEqual(claimed.record.rollout?.owner, { kind: 'workflow', runId: '999' });
    assert.equal(claimed.record.history.at(-1)!.by, 'reconcile:999');
    assert.equal(claimed.record.rollout?.strategyState?.index, index);
  }
});

for (const [where, index, remaining, failing, rollback] of [
  [
    'before the switch',
    2,
    ['analysis (pre-switch)', 'switch traffic blue → green', 'analysis (post-switch)'],
    'analysis (pre-switch)',
    ['teardown on green'],
  ],
  [
    'after the switch',
    4,
    ['analysis (post-switch)'],
    'analysis (post-switch)',
    ['switch traffic green → blue', 'teardown on green'],
  ],
] as const) {
  test(`resume blue-green ${where}: the remaining steps; a failure then rolls back from there`, () => {
    const env = environment('  production:\n    strategy: blue-green');
    const record = orphanRecord(env, index);
    const ok = drive(resumeFrom(env, record));
    assert.equal(ok.result.status, 'succeeded');
    assert.deepEqual(steps(ok), [...remaining, 'analysis (verify)', 'teardown on blue']);
    assert.equal(ok.result.record!.live?.slot, 'green');

    const failed = drive(resumeFrom(env, record), { step: failWhen(failing) });
    assert.equal(failed.result.status, 'rolled_back');
    assert.equal(failed.result.code, 'strategy_failed');
    // Traffic is switched back only when the switch had happened (before the switch: only the new slot goes).
    const ran: readonly string[] = remaining;
    assert.deepEqual(steps(failed), [...ran.slice(0, ran.indexOf(failing) + 1), ...rollback]);
    assert.equal(failed.result.rollbacks[0]!.ok, true);
    const final = failed.result.record!;
    assert.equal(final.live?.version, 'v1');
    assert.equal(final.live?.slot, 'blue');
    assert.equal(final.rollout, undefined);
    assert.deepEqual(
      final.history.slice(record.history.length).map((h) => h.event),
      ['orphan_resumed', 'rollback_started', 'rolled_back'],
    );
  });
}

test('resume a first canary deployment from each step: straight to 100 % again, and a failure only removes the canary', () => {
  const env = environment(CANARY);
  const first = () => input(env, { live: {}, stored: stored() });
  const full = steps(drive(first()));
  const strategySteps = full.slice(0, full.indexOf('analysis (verify)'));
  assert.deepEqual(strategySteps, [
    'deploy on blue',
    'health check on blue',
    'set weight blue=100% green=0%',
    'analysis (canary-step at 100%)',
  ]);
  for (let index = 0; index < strategySteps.length; index++) {
    const ahead = drive(first()).persists.find((p) => p.record.rollout?.strategyState?.index === index);
    assert.ok(ahead, `a write-ahead record for step ${index}`);
    const record = ahead.record;
    // The record names the other slot as the stable one (slotsFor); the resume still plans a first deployment.
    assert.equal(record.rollout?.stableSlot, 'green');
    const ok = drive(resumeFrom(env, record));
    assert.equal(ok.result.status, 'succeeded', `from step ${index}: ${ok.result.message}`);
    assert.deepEqual(steps(ok), [...strategySteps.slice(index), 'analysis (verify)'], `from step ${index}`);
    assert.equal(ok.result.record!.live?.slot, 'blue');
    assert.equal(ok.result.record!.retired.length, 0, 'the empty slot is not retired');

    const failed = drive(resumeFrom(env, record), { step: failWhen('analysis (verify)', 'error rate') });
    assert.equal(failed.result.status, 'rolled_back', `from step ${index}: ${failed.result.message}`);
    assert.deepEqual(
      steps(failed).slice(-2),
      ['analysis (verify)', 'teardown on blue'],
      `from step ${index}`,
    );
    assert.ok(
      steps(failed).every((s) => !s.startsWith('set weight blue=0%')),
      `from step ${index}`,
    );
  }
});

test('resume a first canary deployment with baseline: fresh: it is still planned without a baseline, as it started', () => {
  // Resumed from the record's stableSlot (green) as if green served, it planned the baseline and refused
  // the rollout as a changed plan.
  const env = environment(
    '  production:\n    strategy: { type: canary, steps: [10, 50, 100], pause: 0, baseline: fresh }',
  );
  assert.ok(env.strategy.type === 'canary' && env.strategy.baseline);
  const normal = drive(input(env, { live: {}, stored: stored() }));
  assert.ok(
    steps(normal).every((s) => !s.includes('on baseline')),
    steps(normal).join(' | '),
  );
  const at = normal.persists.find((p) => p.record.rollout?.strategyState?.index === 3);
  assert.ok(at, 'a write-ahead record for the analysis at 100 %');
  const r = drive(resumeFrom(env, at.record));
  assert.equal(r.result.status, 'succeeded', r.result.message);
  assert.deepEqual(steps(r), ['analysis (canary-step at 100%)', 'analysis (verify)']);
});

test('resume: a failure in the resumed canary steps rolls back (weight 0, teardown, on_rollback levels)', () => {
  const env = environment(
    `${CANARY}\n    hooks:\n      on_rollback:\n        - name: flag\n          run: flag off`,
  );
  const record = orphanRecord(env, 4); // set weight 50 in progress
  const r = drive(resumeFrom(env, record), { step: failWhen('analysis (canary-step at 50%)', 'error rate') });
  assert.equal(r.result.status, 'rolled_back');
  assert.equal(r.result.code, 'strategy_failed');
  assert.deepEqual(steps(r), [
    'set weight green=50% blue=50%',
    'analysis (canary-step at 50%)',
    'set weight green=0% blue=100%',
    'teardown on green',
    'rollback:flag',
  ]);
  assert.equal(r.result.record!.live?.version, 'v1');
  assert.equal(r.result.record!.rollout, undefined);
  assertSequence(r, 'production', record.seq);
});

test('resume: a failing verify after the resumed steps rolls back like the pipeline (verify_failed)', () => {
  const env = environment(CANARY);
  const r = drive(resumeFrom(env, orphanRecord(env, 6)), { step: failWhen('analysis (verify)') });
  assert.equal(r.result.code, 'verify_failed');
  assert.equal(r.result.status, 'rolled_back');
  assert.deepEqual(steps(r).slice(-2), ['set weight green=0% blue=100%', 'teardown on green']);
});

for (const [when, world] of [
  ['during a resumed step', { cancelDuring: (a: Action) => a.kind === 'run_step' }],
  ['at the checkpoint before the step', { cancelBefore: (a: Action) => a.kind === 'checkpoint' }],
  ['while preparing', { cancelDuring: (a: Action) => a.kind === 'prepare' }],
] as const) {
  test(`resume: cancelled ${when} → rolled back to stable, cancelled`, () => {
    const env = environment(CANARY);
    const record = orphanRecord(env, 4);
    const r = drive(resumeFrom(env, record), world);
    assert.equal(r.result.status, 'cancelled');
    assert.equal(r.result.code, 'cancelled');
    assert.match(r.result.message, /rolled back \(traffic on stable\)/);
    assert.deepEqual(
      r.result.rollbacks[0]!.steps.map((s) => s.description),
      ['set weight green=0% blue=100%', 'teardown on green'],
    );
    assert.equal(r.result.record!.rollout, undefined);
    assert.equal(r.result.record!.live?.version, 'v1');
  });
}

test('resume in verify or monitor: no strategy step runs again; the checks from that phase on, then finalize', () => {
  const env = environment(`${CANARY}\n    monitor: 1m`);
  const last = orphanRecord(env, 7);
  for (const [phase, expected, phases] of [
    [
      'verify',
      ['analysis (verify)', 'analysis (monitor)', 'teardown on blue'],
      ['production:skipped', 'verify:succeeded', 'monitor:succeeded'],
    ],
    [
      'monitor',
      ['analysis (monitor)', 'teardown on blue'],
      ['production:skipped', 'verify:skipped', 'monitor:succeeded'],
    ],
  ] as const) {
    const record = { ...last, rollout: { ...last.rollout!, phase } };
    const r = drive(resumeFrom(env, record));
    assert.equal(r.result.status, 'succeeded', phase);
    assert.deepEqual(steps(r), expected, phase);
    assert.deepEqual(phasesOf(r).slice(2, 5), phases, phase);
    // A failure there still rolls the whole canary back.
    const failed = drive(resumeFrom(env, record), { step: failWhen('analysis (monitor)') });
    assert.equal(failed.result.code, 'monitor_failed');
    assert.deepEqual(steps(failed).slice(-2), ['set weight green=0% blue=100%', 'teardown on green']);
  }
});

test('resume refuses what cannot be resumed, touching nothing (no write, no step)', () => {
  const env = environment(CANARY);
  const record = orphanRecord(env, 4);
  const cases: Array<[EnvironmentRecord, RegExp]> = [
    [{ ...record, rollout: { ...record.rollout!, phase: 'rollback' } }, /a rollback of it had already begun/],
    [
      { ...record, rollout: { ...record.rollout!, strategyState: undefined } },
      /before the first strategy step/,
    ],
    [{ ...record, rollout: undefined }, /no rollout/],
    [record, /the canary strategy in deploy\.yml no longer plans the steps/],
    // A stable slot only the record names (an older version took any name current printed): its rollback
    // would switch back to a slot no command may be run for.
    [
      { ...record, rollout: { ...record.rollout!, stableSlot: '../purple' } },
      /the record says "\.\.\/purple" served before the rollout, which is not one of production's slots \(blue, green\): its rollback could not switch back there/,
    ],
  ];
  const changed = environment('  production:\n    strategy: { type: canary, steps: [10, 100], pause: 0 }');
  for (const [i, [bad, why]] of cases.entries()) {
    const r = drive(resumeFrom(i === 3 ? changed : env, bad));
    assert.equal(r.result.status, 'failed');
    assert.equal(r.result.code, 'internal_error');
    assert.match(r.result.message, why);
    assert.deepEqual(r.ran, []);
    assert.deepEqual(r.persists, []);
  }
});

test('resume of a rolling rollout recorded before batch watches carried their number: resumed, not refused as a changed plan', () => {
  // The number is a label (e87fddbd); a record written by the previous version has `{ phase: 'batch' }` steps
  // without it, and the rollout it holds is the same plan. Refused, an upgrade mid-rollout rolled it back.
  const env = environment('  production:\n    strategy: { type: rolling, instances: [a, b, c], pause: 30s }');
  const full = steps(drive(input(env)));
  assert.ok(full.includes('analysis (batch 1)'), full.join(' | '));
  const current = orphanRecord(env, 3);
  const state = current.rollout!.strategyState!;
  const older: EnvironmentRecord = {
    ...current,
    rollout: {
      ...current.rollout!,
      strategyState: {
        ...state,
        plan: state.plan.map((p) => {
          const { batch: _number, ...step } = p.step as Step & { batch?: number };
          return { ...p, step: p.step.kind === 'analysis' ? (step as Step) : p.step };
        }),
      },
    },
  };
  const r = drive(resumeFrom(env, older));
  assert.equal(r.result.status, 'succeeded', r.result.message);
  // Its steps are named as recorded: "batch", without the number it was not given.
  assert.ok(steps(r).includes('analysis (batch)'), steps(r).join(' | '));
});

test("finalize's in-job teardown is claimed in the record first; not stored (a deployment wrote since, reusing the slot), the slot is not torn down", () => {
  // The scale-down wait is minutes long and the record says nothing runs then: a deployment started in it
  // deploys into the retired slot, which this run then tore down under that deployment's traffic.
  const env = environment('  production:\n    strategy: { type: blue-green, scale_down_delay: 5m }');
  const ok = drive(input(env));
  const teardownAt = ok.actions.findIndex((a) => a.kind === 'run_step' && a.step.kind === 'teardown');
  const claim = ok.actions
    .slice(0, teardownAt)
    .findLast((a): a is Extract<Action, { kind: 'persist' }> => a.kind === 'persist')!;
  assert.deepEqual(
    claim.record.retired.map((r) => [r.slot, r.teardown?.by]),
    [['blue', 'cli:box']],
  );
  assert.equal(claim.durable && claim.wait, true);
  assert.deepEqual(ok.result.record!.retired, []);

  let waited = false;
  const raced = drive(input(env), {
    cancelBefore: (a) => ((waited ||= a.kind === 'wait'), false),
    notStored: () => (waited ? 'the record was written by another run since' : undefined),
  });
  assert.ok(!steps(raced).includes('teardown on blue'), steps(raced).join(' | '));
  assert.equal(raced.result.status, 'succeeded', raced.result.message);
  assert.match(
    raced.events
      .filter((e) => e.type === 'log')
      .map((e) => (e as { message: string }).message)
      .join('\n'),
    /blue was not torn down: .*written by another run since/,
  );
});

test("finalize's teardown claim not confirmed stored is released: it may still land (the job cancelled while storing, GitHub's next update carrying it), and nothing would ever clear it but a reconcile", () => {
  // GitHub's carrier keeps the text of the last record it was given and sends it with the check run's next
  // update; a write cancelled while waiting goes on. Left as it is, the claim is stored after the run without
  // a teardown, and every deployment into blue is refused until a reconcile tears it down.
  const env = environment('  production:\n    strategy: { type: blue-green, scale_down_delay: 5m }');
  let waited = false;
  const r = drive(input(env), {
    cancelBefore: (a) => ((waited ||= a.kind === 'wait'), false),
    notStored: () => (waited ? 'GitHub answered 502' : undefined),
  });
  assert.ok(!steps(r).includes('teardown on blue'), steps(r).join(' | '));
  const last = r.actions.findLast((a): a is Extract<Action, { kind: 'persist' }> => a.kind === 'persist')!;
  // Still retired and due (a reconcile tears it down), claimed by nobody.
  assert.deepEqual(
    last.record.retired.map((x) => [x.slot, x.teardown]),
    [['blue', undefined]],
  );
  assert.deepEqual(
    r.result.record!.retired.map((x) => [x.slot, x.teardown]),
    [['blue', undefined]],
  );
});
