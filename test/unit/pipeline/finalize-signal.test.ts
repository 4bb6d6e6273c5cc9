// After the cancel signal nothing new starts in finalize: a signal that comes while the record saying the new
// release is live, or the claim on the old slot's teardown, is being stored leaves the teardown to reconcile
// (the slot stays retired and due, claimed by nobody) and on_success unrun, and the run ends cancelled saying
// what is left and who finishes it. The release stands.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Action } from '../../../src/pipeline/machine.ts';
import { drive, environment, input } from '../../helpers/machine-driver.ts';

const blueGreen = () =>
  environment('  production:\n    strategy: blue-green\n    hooks: { on_success: notify-team }');

/** Cancels while the n-th `confirm_stored` of the run is answered (0: the live record, 1: the claim). */
const duringConfirm = (nth: number) => {
  let seen = 0;
  return (action: Action) => action.kind === 'confirm_stored' && seen++ === nth;
};

function assertLeftToReconcile(r: ReturnType<typeof drive>) {
  assert.equal(r.result.status, 'cancelled', r.result.message);
  assert.equal(r.result.exitCode, 130);
  assert.match(
    r.result.message,
    /^cancelled in finalize, after v2 went live on production: blue was not torn down \(the job was cancelled before its teardown began\); a reconcile run tears it down \(due at [^)]+\)$/,
  );
  assert.ok(
    !r.ran.includes('production:teardown on blue'),
    `torn down after the signal: ${r.ran.join(', ')}`,
  );
  assert.ok(!r.ran.includes('production:on_success'), 'on_success ran after the signal');
  const record = r.result.record!;
  assert.equal(record.live?.version, 'v2', 'the release stands');
  assert.deepEqual(
    record.retired.map((x) => [x.slot, x.teardown]),
    [['blue', undefined]],
    'blue stays due, its teardown claimed by nobody',
  );
  // Its history says it went live (the release stands), as when cancelled in the scale-down wait.
  assert.equal(record.history.at(-1)?.event, 'succeeded');
  assert.ok(
    r.events.some(
      (e) => e.type === 'log' && /on_success hook not run: the deployment was cancelled/.test(e.message),
    ),
  );
}

test("a signal during the teardown's claim write (scale_down_delay 0, stored): no teardown starts, cancelled", () => {
  assertLeftToReconcile(drive(input(blueGreen()), { cancelDuring: duringConfirm(1) }));
});

test("a signal during the teardown's claim write that is not confirmed: no teardown, no on_success, cancelled", () => {
  let confirms = 0;
  const r = drive(input(blueGreen()), {
    cancelDuring: duringConfirm(1),
    // Only the claim's write (the second confirmed) is not confirmed: the signal came while it was stored.
    notStored: () => (confirms++ === 1 ? 'not confirmed: the job was cancelled' : undefined),
  });
  assertLeftToReconcile(r);
});

test('a signal while the live record is stored: the claim is not even written, the teardown is left to reconcile', () => {
  const r = drive(input(blueGreen()), { cancelDuring: duringConfirm(0) });
  assertLeftToReconcile(r);
  assert.ok(!r.persists.some((p) => p.record.retired.some((x) => x.teardown)), 'a claim was written');
});

test('without an old slot to tear down, a signal while the live record is stored still keeps on_success from starting', () => {
  const env = environment(
    '  production:\n    strategy: { type: rolling, instances: [a, b] }\n    hooks: { on_success: notify-team }',
  );
  const r = drive(input(env), { cancelDuring: duringConfirm(0) });
  assert.equal(r.result.status, 'cancelled', r.result.message);
  assert.equal(
    r.result.message,
    'cancelled in finalize, after v2 went live on production: the on_success hook was not run (the job was cancelled before it began)',
  );
  assert.ok(!r.ran.includes('production:on_success'));
  assert.equal(r.result.record!.live?.version, 'v2');
});

test('a signal after the teardown began: it finishes, and on_success is not started after it (cancelled, saying so)', () => {
  const during = (action: Action) => action.kind === 'run_step' && action.step.kind === 'teardown';
  const r = drive(input(blueGreen()), { cancelDuring: during });
  assert.equal(r.result.status, 'cancelled', r.result.message);
  assert.equal(
    r.result.message,
    'cancelled in finalize, after v2 went live on production: the on_success hook was not run (the job was cancelled before it began)',
  );
  assert.ok(r.ran.includes('production:teardown on blue'));
  assert.ok(!r.ran.includes('production:on_success'));
  assert.deepEqual(r.result.record!.retired, [], 'torn down: nothing left for reconcile');
  // With nothing to follow the teardown, everything was done: succeeded.
  const plain = drive(input(environment('  production:\n    strategy: blue-green')), {
    cancelDuring: during,
  });
  assert.equal(plain.result.status, 'succeeded', plain.result.message);
  assert.deepEqual(plain.result.record!.retired, []);
});
