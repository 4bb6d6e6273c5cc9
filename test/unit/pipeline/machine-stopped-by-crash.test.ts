// A run whose cancellation came from an internal error (the process crashed and its crash handler cancelled
// the run, util/crash-guard.ts), not from the job: it rolls back as a cancelled run does, and its outcome,
// record and rollback say "internal error", a failure of the job with exit code 1 (3 when the rollback did not
// complete), never "the job was cancelled" or a signal's 130.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Action } from '../../../src/pipeline/machine.ts';
import { describeStep } from '../../../src/strategies/sequence.ts';
import { drive, environment, input, type Run } from '../../helpers/machine-driver.ts';
import { deployConclusion, finalStatus } from '../../../src/report/github/deployment-status.ts';
import { analysisRows } from '../../../src/report/analysis-steps.ts';
import { summary } from '../../../src/report/terminal.ts';
import { WAIT_END_TEXT } from '../../../src/report/waits.ts';
import { stoppedResult } from '../../../src/pipeline/machine/bookkeeping.ts';

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
  // As any rollback_failed: not "rolled back", and where to look now.
  assert.match(
    r.result.message,
    new RegExp(
      `^internal error: ${CRASH}; the run was stopped; the rollback did not complete \\(not finished: .*\\): check production now$`,
    ),
  );
  assert.equal(r.result.exitCode, 3);
});

test('stopped by an internal error whose rollback leaves an on_rollback level undone: what that refuses and the way out are said', () => {
  const env = environment(
    '  production:\n    strategy: { type: canary, steps: [10, 50, 100], pause: 0 }\n' +
      '    hooks:\n      on_rollback:\n        - name: flag\n          run: flag off\n          verify: flag check\n',
  );
  const r = drive(input(env), {
    cancelDuring: atTenPercent,
    stoppedBy: CRASH,
    command: (label) => (label.startsWith('rollback:flag') ? 'exit 1' : undefined),
  });
  assert.equal(r.result.code, 'rollback_failed', r.result.message);
  assert.equal(r.result.exitCode, 3);
  assert.ok(r.result.record!.rollout?.levelsUndone?.length, 'the record keeps the rollout for reconcile');
  assert.match(
    r.result.message,
    /^internal error: .*: check production now; its rollback left level flag.* undone: /,
  );
  assert.match(r.result.message, /reconcile/);
});

test('stopped by an internal error before anything changed: failed (internal_error), no rollback, exit 1', () => {
  const r = drive(input(canary()), { cancelBefore: (a) => a.kind === 'checkpoint', stoppedBy: CRASH });
  assert.equal(r.result.status, 'failed');
  assert.equal(r.result.code, 'internal_error');
  assert.equal(r.result.message, `internal error: ${CRASH}; the run was stopped before anything changed`);
  assert.deepEqual(r.ran, []);
  assert.equal(r.result.exitCode, 1);
});

test('stopped by an internal error in finalize, the release live: what is left and who finishes it is said, and the deployment stays a success', () => {
  const env = environment('  production:\n    strategy: blue-green\n    hooks: { on_success: notify-team }');
  // The crash while the teardown's claim is stored (the second confirmed write): no teardown starts after it.
  let confirms = 0;
  const r = drive(input(env), {
    cancelDuring: (a) => a.kind === 'confirm_stored' && confirms++ === 1,
    stoppedBy: CRASH,
  });
  assert.equal(r.result.status, 'failed');
  assert.equal(r.result.code, 'internal_error');
  assert.match(
    r.result.message,
    new RegExp(
      `^internal error: ${CRASH}; the run was stopped in finalize, after v2 went live on production \\(it stays live\\): ` +
        'blue was not torn down \\(the run was stopped before its teardown began\\); a reconcile run tears it down \\(due at [^)]+\\)$',
    ),
  );
  assert.doesNotMatch(r.result.message, /the job was cancelled/);
  assert.equal(r.result.exitCode, 1);
  assert.ok(!r.ran.includes('production:teardown on blue'));
  assert.equal(r.result.record!.live?.version, 'v2');
  // The Deployments tab: v2 serves, so the deployment is not an error (the check run says the run failed).
  const status = finalStatus(r.result);
  assert.equal(status.state, 'success', status.description);
  assert.match(status.description, /^deployed v2 with blue-green in .*; internal error: /);
  assert.equal(deployConclusion(r.result), 'failure');
});

test('stopped by an internal error while the live record is stored: the unconfirmed write and the way out are said', () => {
  const env = environment('  production:\n    strategy: { type: rolling, instances: [a, b] }');
  const r = drive(input(env), {
    cancelDuring: (a) => a.kind === 'confirm_stored',
    notStored: () => 'not confirmed: the run was stopped',
    stoppedBy: CRASH,
  });
  assert.equal(r.result.code, 'internal_error', r.result.message);
  assert.match(
    r.result.message,
    /\(it stays live\): the run was stopped while the state record saying so was being stored \(the write goes on; it is not confirmed\)\. If it did not land, .*refused until reconcile takes it up$/,
  );
});

// What reached people after a crash still said "cancelled": the phase, the cut-short analysis row, the step's
// reason, the wait, and finalize's on_success line. Nobody cancelled the job.
test('stopped by an internal error in an analysis window: the phase failed, the step and its analysis row say the internal error stopped it', () => {
  const r = drive(input(canary()), { cancelDuring: atTenPercent, stoppedBy: CRASH });
  const production = r.result.phases.find((p) => p.phase === 'production');
  assert.equal(production?.status, 'failed', 'not cancelled: the run failed by an internal error');
  const analysis = r.result.steps.find((s) => s.step.kind === 'analysis');
  assert.ok(analysis && !analysis.result.ok);
  assert.equal(!analysis.result.ok && analysis.result.stopped, 'internal_error');
  assert.equal(!analysis.result.ok && analysis.result.reason, 'stopped by an internal error');
  const [row] = analysisRows(r.result);
  assert.equal(row?.verdict, 'stopped');
  assert.equal(row?.detail, 'not judged: the window was cut short when an internal error stopped the run');
  const text = summary(r.result);
  assert.doesNotMatch(text, /cancel/i, text);
  assert.match(
    text,
    /stopped +\S+ +not judged: the window was cut short when an internal error stopped the run/,
  );
});

test('stopped by an internal error while a manual wait holds the canary: the wait ended "stopped by an internal error"', () => {
  const env = environment(
    '  production:\n    strategy: { type: canary, steps: [{ weight: 10, pause: manual }, 100], pause: 0 }',
  );
  const r = drive(input(env), { cancelDuring: (a) => a.kind === 'await_control', stoppedBy: CRASH });
  assert.equal(r.result.code, 'internal_error', r.result.message);
  const wait = r.result.waits?.at(-1);
  assert.equal(wait?.ended?.how, 'stopped');
  assert.equal(WAIT_END_TEXT[wait!.ended!.how], 'stopped by an internal error');
  assert.doesNotMatch(summary(r.result), /cancel/i);
  // A job's cancellation there is still said as one.
  const cancelled = drive(input(env), { cancelDuring: (a) => a.kind === 'await_control' });
  assert.equal(cancelled.result.waits?.at(-1)?.ended?.how, 'cancelled');
});

test('stopped by an internal error in finalize: the on_success line says the internal error stopped the deployment', () => {
  const env = environment('  production:\n    strategy: blue-green\n    hooks: { on_success: notify-team }');
  let confirms = 0;
  const r = drive(input(env), {
    cancelDuring: (a) => a.kind === 'confirm_stored' && confirms++ === 1,
    stoppedBy: CRASH,
  });
  const said = r.events.flatMap((e) => (e.type === 'log' ? [e.message] : []));
  assert.ok(
    said.includes('on_success hook not run: an internal error stopped the deployment before it finished'),
    said.join('\n'),
  );
  assert.ok(!said.some((m) => /cancel/i.test(m)), said.join('\n'));
});

// The reason is written where the signal stopped the work, from the signal's reason (stop-reasons.test.ts): the
// machine marks the stop and rewords nothing, so no phrasing slips through a list of phrases.
test("a step's reason as its runner wrote it: the machine marks the internal error's stop and keeps the words", () => {
  const written = { ok: false as const, reason: 'http://127.0.0.1/health: stopped by an internal error' };
  assert.deepEqual(stoppedResult(written, true, false, CRASH), { ...written, stopped: 'internal_error' });
  const kill = {
    ok: false as const,
    reason: 'x (sh) was stopped unfinished: the job was cancelled and is about to be killed',
  };
  assert.deepEqual(stoppedResult(kill, true, false, CRASH), { ...kill, stopped: 'internal_error' });
  assert.deepEqual(stoppedResult({ ok: false, reason: 'cancelled' }, true, false), {
    ok: false,
    reason: 'cancelled',
    stopped: 'cancelled',
  });
});

test('stopped by an internal error before a step began: "not started" says the internal error stopped the run', () => {
  const r = drive(input(canary()), {
    cancelBefore: (a) => a.kind === 'run_step' && describeStep(a.step).startsWith('analysis'),
    stoppedBy: CRASH,
  });
  assert.equal(r.result.code, 'internal_error', r.result.message);
  const analysis = r.result.steps.find((s) => s.step.kind === 'analysis');
  assert.deepEqual(analysis?.result, {
    ok: false,
    reason: 'not started: an internal error stopped the run',
    untouched: 'not-started',
    stopped: 'internal_error',
  });
  assert.doesNotMatch(JSON.stringify(r.result), /cancel/i);
});
