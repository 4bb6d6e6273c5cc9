// A run whose cancellation came from an internal error (the process crashed and its crash handler cancelled
// the run, util/crash-guard.ts), not from the job: it rolls back as a cancelled run does, and its outcome,
// record and rollback say "internal error", a failure of the job with exit code 1 (3 when the rollback did not
// complete), never "the job was cancelled" or a signal's 130.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Action } from '../../../src/pipeline/machine.ts';
import { describeStep } from '../../../src/strategies/sequence.ts';
import { drive, environment, input, type Run } from '../../helpers/machine-driver.ts';

const CRASH = 'TypeError: cannot read properties of undefined';
const canary = () =>
  environment('  production:\n    strategy: { type: canary, steps: [10, 50, 100], pause: 0 }');
const historyOf = (r: Run) => r.result.record!.history.map((h) => `${h.event}:${h.code}`);
const atTenPercent = (a: Action) => a.kind === 'run_step' && describeStep(a.step).startsWith('analysis');

test('stopped by an internal error while the canary takes traffic: rolled back, said as the internal error, exit 1', () => {
  const r = drive(input(canary()), { cancelDuring: atTenPercent, stoppedBy: CRASH });
  assert.equal(r.result.status, 'rolled_back');
  assert.equal(r.result.code, 'internal_error');
  assert.equal(
    r.result.message,
    `internal error: ${CRASH}; the run was stopped and rolled back (traffic on stable)`,
  );
  assert.equal(r.result.exitCode, 1);
  assert.equal(r.result.rollbacks.length, 1);
  assert.ok(r.result.rollbacks[0]!.ok);
  assert.equal(historyOf(r).at(-1), 'rolled_back:internal_error');
  assert.equal(r.result.record!.rollout, undefined);
  const start = r.events.find((e) => e.type === 'rollback-start');
  assert.equal(start?.type === 'rollback-start' && start.reason, `stopped by an internal error: ${CRASH}`);
  assert.doesNotMatch(JSON.stringify(r.result), /the job was cancelled/);
});

test('the same cancellation from the job: still "cancelled" (the internal error changes only its own runs)', () => {
  const r = drive(input(canary()), { cancelDuring: atTenPercent });
  assert.equal(r.result.status, 'cancelled');
  assert.equal(r.result.code, 'cancelled');
  assert.equal(r.result.message, 'cancelled; rolled back (traffic on stable)');
  assert.equal(r.result.exitCode, 130);
});

test('stopped by an internal error whose rollback fails: rollback_failed, exit 3', () => {
  const r = drive(input(canary()), {
    cancelDuring: atTenPercent,
    stoppedBy: CRASH,
    step: (step) =>
      describeStep(step) === 'set weight green=0% blue=100%'
        ? { ok: false, reason: 'router gone' }
        : { ok: true },
  });
  assert.equal(r.result.status, 'failed');
  assert.equal(r.result.code, 'rollback_failed');
  assert.match(
    r.result.message,
    new RegExp(`^internal error: ${CRASH}; the run was stopped and rolled back \\(rollback incomplete`),
  );
  assert.equal(r.result.exitCode, 3);
});

test('stopped by an internal error before anything changed: failed (internal_error), no rollback, exit 1', () => {
  const r = drive(input(canary()), { cancelBefore: (a) => a.kind === 'checkpoint', stoppedBy: CRASH });
  assert.equal(r.result.status, 'failed');
  assert.equal(r.result.code, 'internal_error');
  assert.equal(r.result.message, `internal error: ${CRASH}; the run was stopped before anything changed`);
  assert.deepEqual(r.ran, []);
  assert.equal(r.result.exitCode, 1);
});
