import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  COMMAND_GRACE_MS,
  OUTPUT_RESERVE_MS,
  RECORD_FLUSH_GRACE_MS,
  REPORTING_GRACE_MS,
  RUNNER_KILL_AFTER_MS,
  exitsAtOnce,
  finishRun,
  flushTimeoutOf,
  reportingTimeLeft,
  untilCancelDeadline,
} from '../../../src/action/cancel-deadline.ts';
import { EventEmitter } from 'node:events';
import { cancelOnSignals, type SignalSource } from '../../../src/util/signals.ts';
import { InternalErrorStop } from '../../../src/util/internal-error-stop.ts';

/** A cancellation driven by the test: cancel(at) is the first signal at clock time `at`. */
function fakeCancellation() {
  const controller = new AbortController();
  let received: { signal: 'SIGINT'; atMs: number } | undefined;
  return {
    signal: controller.signal,
    signalReceived: controller.signal,
    received: () => received,
    cancel(atMs: number) {
      received = { signal: 'SIGINT', atMs };
      controller.abort();
    },
  };
}

const never = new Promise<never>(() => {});
const later = <T>(ms: number, value: T) => new Promise<T>((r) => setTimeout(() => r(value), ms));

test('reporting ends before the runner’s SIGKILL, with room left for the outputs', () => {
  assert.ok(REPORTING_GRACE_MS + OUTPUT_RESERVE_MS <= RUNNER_KILL_AFTER_MS);
  assert.ok(OUTPUT_RESERVE_MS >= 1000, 'writing the outputs needs time on a busy machine');
  assert.equal(reportingTimeLeft(1000, 1000), REPORTING_GRACE_MS);
  assert.equal(reportingTimeLeft(1000, 1000 + REPORTING_GRACE_MS - 1), 1);
  assert.equal(reportingTimeLeft(1000, 1000 + REPORTING_GRACE_MS), 0);
  assert.equal(reportingTimeLeft(1000, 60_000), 0, 'never negative');
  assert.equal(reportingTimeLeft(0, 20, 100), 80);
});

test('without a cancellation the work is awaited however long it takes', async () => {
  const c = fakeCancellation();
  assert.deepEqual(await untilCancelDeadline(later(150, 'flushed'), c, { graceMs: 10 }), {
    done: true,
    value: 'flushed',
  });
});

/** Whether `promise` has settled, read after the pending callbacks have run. */
function watch(promise: Promise<unknown>) {
  const state = { settled: false };
  promise.then(
    () => (state.settled = true),
    () => (state.settled = true),
  );
  return state;
}
const callbacksRun = () => new Promise<void>((resolve) => setImmediate(resolve));

test('cancelled before the wait: only the time left since the signal', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const c = fakeCancellation();
  const clock = { t: 5000 };
  c.cancel(4950);
  const waiting = untilCancelDeadline(never, c, { graceMs: 100, now: () => clock.t });
  const state = watch(waiting);
  // 50 ms of the 100 ms grace are left: not over 1 ms before, over at 50 ms.
  t.mock.timers.tick(49);
  await callbacksRun();
  assert.equal(state.settled, false, 'ended before the 50 ms left');
  t.mock.timers.tick(1);
  await callbacksRun();
  assert.equal(state.settled, true, 'still waiting at the deadline');
  assert.deepEqual(await waiting, { done: false });
  // Past the deadline already: no wait at all (not the 1000 ms grace), but work that is done still counts as done.
  c.cancel(0);
  const past = untilCancelDeadline(never, c, { graceMs: 1000, now: () => clock.t });
  const pastState = watch(past);
  t.mock.timers.tick(0);
  await callbacksRun();
  assert.equal(pastState.settled, true, 'waited past the deadline');
  assert.deepEqual(await past, { done: false });
  assert.deepEqual(await untilCancelDeadline(Promise.resolve(7), c, { graceMs: 100, now: () => clock.t }), {
    done: true,
    value: 7,
  });
});

test('cancelled while waiting: the deadline starts at the signal', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const clock = { t: 0 };
  const c = fakeCancellation();
  const waiting = untilCancelDeadline(never, c, { graceMs: 60, now: () => clock.t });
  const state = watch(waiting);
  // Not cancelled: no deadline, however long.
  t.mock.timers.tick(100_000);
  await callbacksRun();
  assert.equal(state.settled, false, 'a deadline before the cancellation');
  clock.t = 100_000;
  c.cancel(clock.t);
  t.mock.timers.tick(59);
  await callbacksRun();
  assert.equal(state.settled, false, 'ended before the 60 ms grace from the signal');
  t.mock.timers.tick(1);
  await callbacksRun();
  assert.equal(state.settled, true, 'still waiting at the deadline');
  assert.deepEqual(await waiting, { done: false });
  // Work that ends inside the grace period is reported done.
  const d = fakeCancellation();
  const quick = untilCancelDeadline(later(80, 'ok'), d, { graceMs: 1000, now: () => clock.t });
  d.cancel(clock.t);
  t.mock.timers.tick(80);
  assert.deepEqual(await quick, { done: true, value: 'ok' });
});

test('a failure of the work passes through', async () => {
  const c = fakeCancellation();
  c.cancel(performance.now());
  await assert.rejects(untilCancelDeadline(Promise.reject(new Error('boom')), c, { graceMs: 1000 }), /boom/);
});

test('the pipeline flush bound (deployment and reconcile): its own default until cancelled, then the time left', () => {
  const c = fakeCancellation();
  const clock = { t: 1000 };
  const bound = flushTimeoutOf(c, () => clock.t);
  assert.equal(bound(), undefined, 'not cancelled: the pipeline’s own bound');
  c.cancel(1000);
  clock.t = 4000;
  assert.equal(bound(), REPORTING_GRACE_MS - 3000, 'asked when the wait begins');
  clock.t = 60_000;
  assert.equal(bound(), 0);
});

test('a cancelled deployment stops waiting for its record writes early enough to write its outcome before GitHub’s deadline', () => {
  const c = fakeCancellation();
  const clock = { t: 1000 };
  const bound = flushTimeoutOf(c, () => clock.t, RECORD_FLUSH_GRACE_MS);
  assert.equal(bound(), undefined, 'not cancelled: the pipeline’s own bound');
  c.cancel(1000);
  clock.t = 2000;
  assert.equal(bound(), RECORD_FLUSH_GRACE_MS - 1000);
  assert.ok(RECORD_FLUSH_GRACE_MS <= REPORTING_GRACE_MS - 1000, 'a second at least for the outcome');
  assert.ok(RECORD_FLUSH_GRACE_MS >= COMMAND_GRACE_MS, 'not shorter than the rollback may take');
  clock.t = 1000 + RECORD_FLUSH_GRACE_MS + 1;
  assert.equal(bound(), 0);
});

test('cancelled: the job’s own outcome is written before GitHub is waited for, and GitHub still gets its turn', async () => {
  const order: string[] = [];
  let flushed!: () => void;
  const finished = finishRun(true, {
    local: async () => void order.push('outputs, summary, record'),
    github: () => {
      order.push('github: waiting');
      return new Promise<void>((resolve) => (flushed = resolve));
    },
  });
  await callbacksRun();
  // GitHub has not answered yet (nor may it before the runner's SIGKILL): the outcome is written already.
  assert.deepEqual(order, ['outputs, summary, record', 'github: waiting']);
  flushed();
  await finished;
});

test('not cancelled: GitHub is flushed first (the outputs name the deployment it created)', async () => {
  const order: string[] = [];
  await finishRun(false, {
    local: async () => void order.push('local'),
    github: async () => {
      await callbacksRun();
      order.push('github');
    },
  });
  assert.deepEqual(order, ['github', 'local']);
});

test('a cancelled run ends its process itself once it is over; an uncancelled one winds down as Node does', () => {
  const c = fakeCancellation();
  assert.equal(exitsAtOnce({ githubCutShort: false }, c), false);
  assert.equal(exitsAtOnce(undefined, c), false);
  assert.equal(exitsAtOnce({ githubCutShort: true }, c), true, 'requests left behind at the deadline');
  c.cancel(1000);
  assert.equal(exitsAtOnce({ githubCutShort: false }, c), true, 'GitHub done in time, but cancelled');
  assert.equal(exitsAtOnce(undefined, c), true, 'cancelled before the run began');
});

test('aborted by an internal error (no signal received): no runner kills the job, so the work is awaited', async () => {
  const controller = new AbortController();
  controller.abort(new Error('stopped by an internal error'));
  const c = {
    signal: controller.signal,
    signalReceived: new AbortController().signal,
    received: () => undefined,
  };
  assert.deepEqual(await untilCancelDeadline(later(50, 'flushed'), c, { graceMs: 0 }), {
    done: true,
    value: 'flushed',
  });
});

test('a crash stopped the run, then the runner cancels the job: the reporting deadline runs from that signal', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const clock = { t: 0 };
  const source = new EventEmitter() as EventEmitter & SignalSource;
  const c = cancelOnSignals(
    () => {},
    source,
    () => clock.t,
  );
  t.after(() => c.dispose());
  // The crash guard stops the run first (util/crash-guard.ts): aborted, no signal received.
  c.abort(new InternalErrorStop(new Error('boom')));
  const waiting = untilCancelDeadline(never, c, { graceMs: 60, now: () => clock.t });
  const state = watch(waiting);
  t.mock.timers.tick(100_000);
  await callbacksRun();
  assert.equal(state.settled, false, 'a deadline with no runner signal');
  // The runner's SIGINT comes while the crashed run still reports: its SIGKILL is 10 s away.
  clock.t = 100_000;
  source.emit('SIGINT', 'SIGINT');
  t.mock.timers.tick(59);
  await callbacksRun();
  assert.equal(state.settled, false, 'ended before the 60 ms grace from the signal');
  t.mock.timers.tick(1);
  await callbacksRun();
  assert.equal(state.settled, true, 'the signal after the crash started no deadline: SIGKILL comes first');
  assert.deepEqual(await waiting, { done: false });
});
