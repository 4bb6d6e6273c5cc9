// What the process does about a crash (an uncaught exception or unhandled rejection), with fakes for the
// saying, the exit and the timer: before a run, exit at once; during one, stop it (its cancellation aborted
// with the internal error as the reason) and exit when it ends, 1, or 3 when its rollback did not complete; a
// second crash is said and the rollback goes on; a run that never ends is cut off at the deadline with 3.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CRASH_DEADLINE_MS,
  CRASH_IDLE,
  crashDeadlineFrom,
  crashExitCode,
  deadlineExit,
  onCrash,
  onCrashDeadline,
  onRunEnd,
  onRunStart,
  type RollbackProgress,
} from '../../../src/util/crash-decision.ts';
import { createCrashGuard, LAST_WORDS_MS } from '../../../src/util/crash-guard.ts';
import { stoppedByOf } from '../../../src/util/internal-error-stop.ts';
import { EXIT_CODES } from '../../../src/util/exit-codes.ts';

/** `stopCommands`: what the deadline's stop of the commands still running does (by default: done at once). */
function world(stopCommands: () => Promise<void> = () => Promise.resolve()) {
  const said: string[] = [];
  const exits: number[] = [];
  const timers: Array<{ fn: () => void; ms: number }> = [];
  const guard = createCrashGuard(
    {
      sayError: (error) => said.push(`error: ${(error as Error).message}`),
      say: (message) => said.push(message),
      stopCommands: async <T>(lastWords: () => Promise<T>) => {
        said.push('(commands stopped)');
        await stopCommands();
        return lastWords();
      },
      exit: (code) => void exits.push(code),
    },
    { now: () => 1000, setTimer: (fn, ms) => timers.push({ fn, ms }) },
  );
  const run = () => {
    const controller = new AbortController();
    return { controller, stoppable: { abort: (reason: Error) => controller.abort(reason) } };
  };
  return { said, exits, timers, guard, run };
}

test('a crash with no run in progress: said, and the process exits 1 at once', () => {
  const w = world();
  w.guard.crash(new Error('boom'));
  assert.deepEqual(w.said, ['error: boom']);
  assert.deepEqual(w.exits, [1]);
  assert.equal(w.timers.length, 0);
});

test('a crash during a run: said, the run cancelled with the internal error as the reason, the exit when it ends (1)', () => {
  const w = world();
  const { controller, stoppable } = w.run();
  const guarded = w.guard.guardRun(stoppable);
  w.guard.crash(new TypeError('x is undefined'));
  assert.deepEqual(w.exits, [], 'not at once: the rollback runs first');
  assert.ok(controller.signal.aborted);
  assert.equal(stoppedByOf(controller.signal), 'TypeError: x is undefined');
  assert.equal(w.said[0], 'error: x is undefined');
  assert.match(w.said[1]!, /^stopping the run after this internal error: .* \(at most 15 min more\)$/);
  assert.deepEqual(
    w.timers.map((t) => t.ms),
    [CRASH_DEADLINE_MS],
  );
  // The run reports a rollback that completed (its exit code 1): the process exits 1.
  guarded.end(EXIT_CODES.failed);
  assert.deepEqual(w.exits, [1]);
  // The deadline, should it still fire, finds the run ended and does nothing.
  w.timers[0]!.fn();
  assert.deepEqual(w.exits, [1]);
});

test('a crash during a run that finished as if nothing happened (exit 0): the process still exits 1', () => {
  const w = world();
  const guarded = w.guard.guardRun(w.run().stoppable);
  w.guard.crash(new Error('late'));
  guarded.end(EXIT_CODES.success);
  assert.deepEqual(w.exits, [1]);
});

test('a crash during a run whose rollback did not complete: exit 3, never hidden behind 1', () => {
  const w = world();
  const guarded = w.guard.guardRun(w.run().stoppable);
  w.guard.crash(new Error('boom'));
  guarded.end(EXIT_CODES.rollbackFailed);
  assert.deepEqual(w.exits, [3]);
});

test('a second crash while the run is being stopped: said, the rollback goes on, no exit', () => {
  const w = world();
  const guarded = w.guard.guardRun(w.run().stoppable);
  w.guard.crash(new Error('first'));
  w.guard.crash(new Error('second'));
  assert.deepEqual(w.exits, []);
  assert.deepEqual(w.said.slice(2), [
    'error: second',
    'another internal error while the run is being stopped: its rollback goes on',
  ]);
  assert.equal(w.timers.length, 1, 'one deadline, from the first crash');
  guarded.end(1);
  assert.deepEqual(w.exits, [1]);
});

/** Lets the guard's promise chains run (the fakes resolve at once). */
const settled = () => new Promise((resolve) => setImmediate(resolve));

test('a stopped run that never ends: at the deadline, what is left is said, its commands stopped, and the process exits 3', async () => {
  const w = world();
  w.guard.guardRun(w.run().stoppable);
  w.guard.crash(new Error('boom'));
  w.timers[0]!.fn();
  await settled();
  assert.deepEqual(w.exits, [3]);
  assert.match(
    w.said.at(-3)!,
    /did not end within 15 min: stopping the commands still running \(its rollback's too\)/,
  );
  assert.equal(w.said.at(-2), '(commands stopped)');
  // How it exits, said once the run has answered: it said nothing of its own.
  assert.match(
    w.said.at(-1)!,
    /^exiting with the stopped run's rollback unfinished \(exit 3\), so traffic may not be back/,
  );
  assert.match(w.said.at(-1)!, /reconcile/);
});

test("a signal, then a crash: the run was cancelled, and the process exits with the signal's code its outcome says", () => {
  const w = world();
  const guarded = w.guard.guardRun(w.run().stoppable);
  w.guard.crash(new Error('after the SIGTERM'));
  // The run ends cancelled by the SIGTERM that came first (its JSON: cancelled, exitCode 143); it exited 1.
  guarded.end(EXIT_CODES.terminated);
  assert.deepEqual(w.exits, [EXIT_CODES.terminated]);
});

test('a crash after the run ended: exits 1 at once, nothing left to stop', () => {
  const w = world();
  const guarded = w.guard.guardRun(w.run().stoppable);
  guarded.end(EXIT_CODES.success);
  assert.deepEqual(w.exits, [], 'a run that ended without a crash leaves the exit to its command');
  w.guard.crash(new Error('after'));
  assert.deepEqual(w.exits, [1]);
  assert.equal(w.timers.length, 0);
});

test('the decision alone: idle, running, stopping, and the exit codes', () => {
  assert.deepEqual(onCrash(CRASH_IDLE, 5).decision, { kind: 'exit_now', code: 1, reason: 'no_run' });
  const running = onRunStart(CRASH_IDLE);
  assert.deepEqual(running, { phase: 'running', runs: 1 });
  const first = onCrash(running, 5, 100);
  assert.deepEqual(first.watch, { phase: 'stopping', runs: 1, since: 5 });
  assert.equal(first.decision.kind, 'stop_runs');
  assert.equal(onCrash(first.watch, 6).decision.kind, 'stop_goes_on');
  assert.ok(onCrashDeadline(first.watch, 100));
  assert.equal(onCrashDeadline(running), undefined, 'no deadline without a crash');
  const ended = onRunEnd(first.watch, 0);
  assert.equal(ended.exit, 1);
  assert.equal(onCrashDeadline(ended.watch), undefined, 'nothing left at the deadline once it ended');
  assert.deepEqual(onRunEnd(running, 0), { watch: CRASH_IDLE });
  // A run's own 130 / 143 says a signal cancelled it before the crash: its JSON says cancelled, and so does the
  // exit (it exited 1). A crash first makes the run's outcome internal_error, exit 1, whatever signal follows.
  assert.equal(crashExitCode(EXIT_CODES.interrupted), EXIT_CODES.interrupted);
  assert.equal(crashExitCode(EXIT_CODES.terminated), EXIT_CODES.terminated);
  assert.equal(crashExitCode(EXIT_CODES.failed), 1);
  assert.equal(crashExitCode(EXIT_CODES.success), 1, 'stopped, never 0');
  assert.equal(crashExitCode(undefined), 1);
  assert.equal(crashExitCode(EXIT_CODES.rollbackFailed), 3);
});

test("a signal's abort is not an internal error's", () => {
  const controller = new AbortController();
  controller.abort(new Error('SIGINT received'));
  assert.equal(stoppedByOf(controller.signal), undefined);
  assert.equal(stoppedByOf(new AbortController().signal), undefined);
  assert.equal(stoppedByOf(undefined), undefined);
});

// At the deadline the Action exited with no outputs and an empty job summary: the run still going now writes
// what is known before the exit, within LAST_WORDS_MS.
test('at the deadline, the run still going writes what it knows first, then the process exits 3', async () => {
  const w = world();
  const written: Array<{ code: number; after: string }> = [];
  let finish!: () => void;
  w.guard.guardRun({
    ...w.run().stoppable,
    atDeadline: (late) =>
      new Promise<void>((resolve) => {
        written.push({ code: late.code, after: late.after });
        finish = resolve;
      }),
  });
  w.guard.crash(new Error('boom'));
  w.timers[0]!.fn();
  await settled();
  assert.deepEqual(written, [{ code: 3, after: '15 min' }]);
  assert.deepEqual(w.exits, [], 'not before its outputs and summary are written');
  assert.equal(w.timers[1]?.ms, LAST_WORDS_MS, 'bounded');
  finish();
  await settled();
  assert.deepEqual(w.exits, [3]);
});

// At the deadline the process wrote its outcome and exited with the rollback's command still running, killed
// by the exit's SIGKILL alone (no SIGTERM to stop cleanly), and a command started while the outcome was being
// written ran. Every command is now stopped first, and only then is the outcome written.
test('at the deadline, the commands still running are stopped before the last words are written, then the exit', async () => {
  let stopped!: () => void;
  const w = world(() => new Promise<void>((resolve) => (stopped = resolve)));
  const written: string[] = [];
  w.guard.guardRun({ ...w.run().stoppable, atDeadline: () => void written.push('outcome') });
  w.guard.crash(new Error('boom'));
  w.timers[0]!.fn();
  await settled();
  assert.equal(w.said.at(-1), '(commands stopped)');
  assert.deepEqual(written, [], 'the outcome waits for the commands to be stopped');
  assert.deepEqual(w.exits, []);
  stopped();
  await settled();
  assert.deepEqual(written, ['outcome']);
  assert.deepEqual(w.exits, [3]);
});

test('at the deadline, a stop that hangs is cut off with the rest after LAST_WORDS_MS; one that fails is said', async () => {
  const hangs = world(() => new Promise<void>(() => {}));
  hangs.guard.guardRun(hangs.run().stoppable);
  hangs.guard.crash(new Error('boom'));
  hangs.timers[0]!.fn();
  await settled();
  assert.deepEqual(hangs.exits, []);
  assert.equal(hangs.timers[1]?.ms, LAST_WORDS_MS);
  hangs.timers[1]!.fn();
  assert.deepEqual(hangs.exits, [3]);

  const fails = world(() => Promise.reject(new Error('no /proc')));
  const written: string[] = [];
  fails.guard.guardRun({ ...fails.run().stoppable, atDeadline: () => void written.push('outcome') });
  fails.guard.crash(new Error('boom'));
  fails.timers[0]!.fn();
  await settled();
  assert.ok(
    fails.said.includes('could not stop the commands still running: no /proc'),
    fails.said.join('\n'),
  );
  assert.deepEqual(written, ['outcome'], 'the outcome is written all the same');
  assert.deepEqual(fails.exits, [3]);
});

test('at the deadline, a run that ends while its commands are stopped says its own outcome: one exit, its code', async () => {
  let stopped!: () => void;
  const w = world(() => new Promise<void>((resolve) => (stopped = resolve)));
  const written: string[] = [];
  const guarded = w.guard.guardRun({ ...w.run().stoppable, atDeadline: () => void written.push('outcome') });
  w.guard.crash(new Error('boom'));
  w.timers[0]!.fn();
  await settled();
  // Its rollback's command stopped, the run reports rollback_failed itself.
  guarded.end(EXIT_CODES.rollbackFailed);
  stopped();
  await settled();
  assert.deepEqual(written, [], 'no second outcome over its own');
  assert.deepEqual(w.exits, [3]);
  w.timers[1]!.fn();
  assert.deepEqual(w.exits, [3], 'one exit');
});

test('at the deadline, writing that hangs is cut off after LAST_WORDS_MS, and writing that fails is said', async () => {
  const hangs = world();
  hangs.guard.guardRun({ ...hangs.run().stoppable, atDeadline: () => new Promise<void>(() => {}) });
  hangs.guard.crash(new Error('boom'));
  hangs.timers[0]!.fn();
  await settled();
  assert.deepEqual(hangs.exits, []);
  hangs.timers[1]!.fn();
  assert.deepEqual(hangs.exits, [3]);

  const fails = world();
  fails.guard.guardRun({
    ...fails.run().stoppable,
    atDeadline: () => Promise.reject(new Error('disk full')),
  });
  fails.guard.crash(new Error('boom'));
  fails.timers[0]!.fn();
  await settled();
  assert.deepEqual(fails.exits, [3]);
  assert.match(fails.said.at(-2)!, /could not write what is known of the unfinished run: disk full/);
  assert.match(fails.said.at(-1)!, /^exiting with the stopped run's rollback unfinished/);
});

test('the crash deadline: 15 min, or DEPLOY_ACTION_CRASH_DEADLINE_MS when it is whole milliseconds up to a day', () => {
  assert.equal(crashDeadlineFrom({}), CRASH_DEADLINE_MS);
  assert.equal(crashDeadlineFrom({ DEPLOY_ACTION_CRASH_DEADLINE_MS: '1500' }), 1500);
  for (const wrong of ['', '0', '-5', '1.5', 'soon', '86400001'])
    assert.equal(crashDeadlineFrom({ DEPLOY_ACTION_CRASH_DEADLINE_MS: wrong }), CRASH_DEADLINE_MS, wrong);
});

// A run that had begun saying its own outcome as the deadline came (the Action's one writer: the deadline then
// wrote nothing) ended the process with 3 all the same, though its outputs said e.g. rolled_back (exit 1).
test('at the deadline, a run that had begun saying its own outcome gives its exit code: the process exits with it, not 3', async () => {
  const w = world();
  w.guard.guardRun({ ...w.run().stoppable, atDeadline: () => Promise.resolve(1) });
  w.guard.crash(new Error('boom'));
  w.timers[0]!.fn();
  await settled();
  assert.deepEqual(w.exits, [1]);
});

test("the deadline's exit code: 3 unless every run still going said its own; then as at a run's end", () => {
  const late = onCrashDeadline(onCrash(onRunStart(CRASH_IDLE), 0).watch)!;
  assert.equal(deadlineExit(late, []).code, 3);
  assert.equal(deadlineExit(late, [undefined]).code, 3);
  assert.equal(deadlineExit(late, [1, undefined]).code, 3, 'one run wrote the deadline outcome');
  assert.equal(deadlineExit(late, [1]).code, 1);
  assert.equal(deadlineExit(late, [0]).code, 1, 'a crash stopped it: failed, as crashExitCode says');
  assert.equal(deadlineExit(late, [130]).code, 130);
  assert.equal(deadlineExit(late, [1, 3]).code, 3, 'a rollback not complete is never hidden behind 1');
});

// The deadline's log said "exiting with its rollback unfinished, so traffic may not be back on the stable
// version" as it came, though the run had begun writing its own outcome (the Action's one writer: the deadline
// then wrote nothing): the outputs said rolled_back and the process exited 1 under that line.
test('at the deadline, a run that had begun saying its own outcome: the log says the process exits as it says, never "rollback unfinished"', async () => {
  const w = world();
  w.guard.guardRun({ ...w.run().stoppable, atDeadline: () => Promise.resolve(EXIT_CODES.failed) });
  w.guard.crash(new Error('boom'));
  w.timers[0]!.fn();
  await settled();
  assert.deepEqual(w.exits, [1]);
  assert.ok(!w.said.some((line) => /unfinished|traffic may not be back/.test(line)), w.said.join('\n'));
  assert.equal(
    w.said.at(-1),
    'the stopped run had begun saying its own outcome: exiting as it says (exit 1)',
  );
});

test('at the deadline, a run that ends while its commands are stopped: the log says its exit, not "rollback unfinished"', async () => {
  let stopped!: () => void;
  const w = world(() => new Promise<void>((resolve) => (stopped = resolve)));
  let ended = false;
  const guarded = w.guard.guardRun({
    ...w.run().stoppable,
    // As the CLI's: the run's own result, once it has ended.
    atDeadline: () => (ended ? EXIT_CODES.failed : undefined),
  });
  w.guard.crash(new Error('boom'));
  w.timers[0]!.fn();
  await settled();
  // Its rollback's command stopped, the run ends rolled back and says so itself (the exit waits for the guard).
  ended = true;
  stopped();
  await settled();
  assert.deepEqual(w.exits, [1]);
  assert.ok(!w.said.some((line) => /unfinished/.test(line)), w.said.join('\n'));
  assert.match(w.said.at(-1)!, /exiting as it says \(exit 1\)$/);
  guarded.end(EXIT_CODES.failed);
  assert.deepEqual(w.exits, [1], 'one exit');
});

test('at the deadline, writing cut off after LAST_WORDS_MS: the exit says the rollback is unfinished', async () => {
  const w = world();
  w.guard.guardRun({ ...w.run().stoppable, atDeadline: () => new Promise<void>(() => {}) });
  w.guard.crash(new Error('boom'));
  w.timers[0]!.fn();
  await settled();
  assert.ok(!w.said.some((line) => /unfinished/.test(line)), 'not before it is known');
  w.timers[1]!.fn();
  assert.deepEqual(w.exits, [3]);
  assert.match(w.said.at(-1)!, /^exiting with the stopped run's rollback unfinished \(exit 3\)/);
});

test("the deadline's exit, said: unfinished unless every run still going said its own", () => {
  const late = onCrashDeadline(onCrash(onRunStart(CRASH_IDLE), 0).watch)!;
  assert.doesNotMatch(late.message, /unfinished/, 'not known as the deadline comes');
  assert.equal(deadlineExit(late, [1, undefined]).kind, 'unfinished');
  assert.deepEqual(deadlineExit(late, [3]), {
    kind: 'own_outcome',
    code: 3,
    message: 'the stopped run had begun saying its own outcome: exiting as it says (exit 3)',
  });
});

// A crash of a reconcile with nothing in its hands was announced as "a rollout in progress goes back to the
// stable version before exit": there was none. A run says whether it has one (Stoppable.rolloutInHand).
test('a crash of a run with no rollout in its hands says so, not that a rollout goes back; one with a rollout does', () => {
  const idle = world();
  let inHand = false;
  idle.guard.guardRun({ ...idle.run().stoppable, rolloutInHand: () => inHand });
  idle.guard.crash(new Error('boom'));
  assert.match(
    idle.said[1]!,
    /^stopping the run after this internal error: no rollout is in progress \(nothing to put back on the stable version\) and none is started; it exits once stopped \(at most 15 min more\)$/,
  );
  assert.doesNotMatch(idle.said[1]!, /goes back/);
  const busy = world();
  inHand = true;
  busy.guard.guardRun({ ...busy.run().stoppable, rolloutInHand: () => inHand });
  // Another run with none: one in hand is enough for the rollout's words.
  busy.guard.guardRun({ ...busy.run().stoppable, rolloutInHand: () => false });
  busy.guard.crash(new Error('boom'));
  assert.match(busy.said[1]!, /a rollout in progress goes back to the stable version before exit/);
});

// At the crash deadline the log said "exiting with the stopped run's rollback unfinished, so traffic may not be
// back on the stable version" of every run still going, also of one stuck before any rollback began, whose outputs
// (and last line) said no rollback had run, and of one whose rollback had put traffic back.
test("the deadline's exit words follow how far the run's rollback had come", async () => {
  const exitWords = async (progress?: RollbackProgress) => {
    const w = world();
    w.guard.guardRun({ ...w.run().stoppable, ...(progress ? { rollbackProgress: () => progress } : {}) });
    w.guard.crash(new Error('boom'));
    w.timers[0]!.fn();
    await settled();
    assert.deepEqual(w.exits, [3]);
    return w.said.at(-1)!;
  };
  const none = await exitWords('none_begun');
  assert.match(
    none,
    /^exiting with the stopped run unfinished \(exit 3\); no rollback had begun, so traffic is where the run left it/,
  );
  assert.doesNotMatch(none, /rollback unfinished|may not be back/);
  const back = await exitWords('traffic_back');
  assert.match(back, /after its rollback put traffic back on the stable version/);
  assert.doesNotMatch(back, /may not be back/);
  for (const unknown of ['going', 'not_completed', undefined] as const)
    assert.match(
      await exitWords(unknown),
      /^exiting with the stopped run's rollback unfinished \(exit 3\), so traffic may not be back/,
    );
  // Cut off after LAST_WORDS_MS, the words still follow it.
  const w = world();
  w.guard.guardRun({
    ...w.run().stoppable,
    rollbackProgress: () => 'none_begun',
    atDeadline: () => new Promise<void>(() => {}),
  });
  w.guard.crash(new Error('boom'));
  w.timers[0]!.fn();
  await settled();
  w.timers[1]!.fn();
  assert.match(w.said.at(-1)!, /no rollback had begun/);
});

// The announcement as the deadline comes said "(its rollback's too)" also of a run stuck before any rollback
// began: it follows the runs' rollbackProgress, as the exit's words do.
test("the deadline's announcement follows how far the run's rollback had come", async () => {
  const announced = async (progress?: RollbackProgress) => {
    const w = world();
    w.guard.guardRun({ ...w.run().stoppable, ...(progress ? { rollbackProgress: () => progress } : {}) });
    w.guard.crash(new Error('boom'));
    w.timers[0]!.fn();
    await settled();
    return w.said.find((line) => line.includes('did not end within'))!;
  };
  assert.match(
    await announced('none_begun'),
    /stopping the commands still running \(no rollback had begun\)/,
  );
  assert.doesNotMatch(await announced('none_begun'), /rollback's too/);
  assert.match(await announced('traffic_back'), /\(its rollback had ended\)/);
  for (const going of ['going', undefined] as const)
    assert.match(await announced(going), /stopping the commands still running \(its rollback's too\)/);
});
