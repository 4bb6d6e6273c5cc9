import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { repoRoot } from '../../helpers/cli.ts';
import {
  CANCEL_SIGNALS,
  cancelOnSignals,
  cancelledExitCode,
  endKeptListeners,
  runExitCode,
  signalNotice,
  type SignalNotice,
  type SignalSource,
} from '../../../src/util/signals.ts';

test('the first signal cancels; any later one, of either kind, only says the cancellation goes on', () => {
  for (const first of CANCEL_SIGNALS) {
    const notice = signalNotice(false, first);
    assert.equal(notice.kind, 'cancel');
    assert.match(notice.message, new RegExp(`^${first} received: cancelling`));
    // True in every phase: a release already live (finalize) stays, and nothing promises it goes back.
    assert.match(notice.message, /a rollout in progress goes back .*a release already live stays/);
    for (const later of CANCEL_SIGNALS) {
      const again = signalNotice(true, later);
      assert.equal(again.kind, 'repeat');
      assert.equal(again.signal, later);
      assert.match(again.message, /already under way and will finish/);
    }
  }
});

test('exit codes: 128 + the signal for a cancelled run, the run’s own code otherwise', () => {
  assert.equal(cancelledExitCode('SIGINT'), 130);
  assert.equal(cancelledExitCode('SIGTERM'), 143);
  assert.equal(runExitCode({ status: 'cancelled', exitCode: 130 }, 'SIGTERM'), 143);
  assert.equal(runExitCode({ status: 'cancelled', exitCode: 130 }, 'SIGINT'), 130);
  // A signal that came after the run had ended does not rewrite how it ended.
  assert.equal(runExitCode({ status: 'succeeded', exitCode: 0 }, 'SIGINT'), 0);
  assert.equal(runExitCode({ status: 'rolled_back', exitCode: 1 }, 'SIGTERM'), 1);
  assert.equal(runExitCode({ status: 'cancelled', exitCode: 130 }, undefined), 130);
});

function fakeProcess() {
  const emitter = new EventEmitter();
  return { emitter, source: emitter as unknown as SignalSource };
}

test('cancelOnSignals: the listeners stay through every signal until dispose, the first one aborts', () => {
  for (const [first, second] of [
    ['SIGINT', 'SIGTERM'],
    ['SIGTERM', 'SIGINT'],
    ['SIGINT', 'SIGINT'],
  ] as const) {
    const { emitter, source } = fakeProcess();
    const notices: SignalNotice[] = [];
    let clock = 1000;
    const c = cancelOnSignals(
      (n) => notices.push(n),
      source,
      () => clock,
    );
    assert.equal(c.signal.aborted, false);
    assert.equal(c.received(), undefined);

    emitter.emit(first, first);
    assert.equal(c.signal.aborted, true);
    assert.equal((c.signal.reason as Error).message, `${first} received`);
    assert.deepEqual(c.received(), { signal: first, atMs: 1000 });
    // Still listening: with a once listener gone, signal-exit would re-raise the next signal and kill us.
    for (const name of CANCEL_SIGNALS) assert.equal(emitter.listenerCount(name), 1, name);

    clock = 8500;
    emitter.emit(second, second);
    assert.deepEqual(c.received(), { signal: first, atMs: 1000 }, 'the first signal is the one that counts');
    assert.deepEqual(
      notices.map((n) => `${n.kind}:${n.signal}`),
      [`cancel:${first}`, `repeat:${second}`],
    );
    for (const name of CANCEL_SIGNALS) assert.equal(emitter.listenerCount(name), 1, name);

    c.dispose();
    c.dispose();
    for (const name of CANCEL_SIGNALS) assert.equal(emitter.listenerCount(name), 0, name);
  }
});

test('release: an uncancelled command takes its listeners off; a cancelled one keeps them until its exit', () => {
  const { emitter: quiet, source: quietSource } = fakeProcess();
  const uncancelled = cancelOnSignals(() => {}, quietSource);
  uncancelled.release();
  uncancelled.release();
  for (const name of CANCEL_SIGNALS) assert.equal(quiet.listenerCount(name), 0, name);

  for (const first of CANCEL_SIGNALS) {
    const { emitter, source } = fakeProcess();
    const notices: string[] = [];
    const cancelled = cancelOnSignals((n) => notices.push(`${n.kind}:${n.signal}`), source);
    emitter.emit(first, first);
    cancelled.release();
    // The runner's SIGTERM may land between the command's way out and the exit: a notice, not a death.
    for (const name of CANCEL_SIGNALS) assert.equal(emitter.listenerCount(name), 1, name);
    emitter.emit('SIGTERM', 'SIGTERM');
    assert.deepEqual(notices, [`cancel:${first}`, 'repeat:SIGTERM']);
  }
});

test('endKeptListeners: the listeners cancelled commands kept for their exit go when the process runs another command; nested ones stay meanwhile', () => {
  const { emitter, source } = fakeProcess();
  const notices: string[] = [];
  const outer = cancelOnSignals((n) => notices.push(`outer ${n.kind}:${n.signal}`), source);
  const inner = cancelOnSignals((n) => notices.push(`inner ${n.kind}:${n.signal}`), source);
  emitter.emit('SIGINT', 'SIGINT');
  inner.release();
  // A command's later part listens too: the kept ones stay beside it, still saying a SIGTERM is a notice.
  const later = cancelOnSignals(() => {}, source);
  later.release();
  outer.release();
  for (const name of CANCEL_SIGNALS) assert.equal(emitter.listenerCount(name), 2, name);
  emitter.emit('SIGTERM', 'SIGTERM');
  assert.deepEqual(notices, [
    'outer cancel:SIGINT',
    'inner cancel:SIGINT',
    'outer repeat:SIGTERM',
    'inner repeat:SIGTERM',
  ]);
  // The process runs another command (main() again): none of the earlier command's is left.
  endKeptListeners(source);
  for (const name of CANCEL_SIGNALS) assert.equal(emitter.listenerCount(name), 0, name);
  endKeptListeners(source);
  outer.dispose();
});

// A real process with signal-exit loaded the way execa loads it (a child process running), sent the runner's
// SIGINT then SIGTERM. `mode` says how the listener is registered: ours, or a once listener as the action had.
function survivesSignals(mode: 'cancelOnSignals' | 'once') {
  const script = `
    import { execa } from 'execa';
    import { cancelOnSignals } from ${JSON.stringify(`${repoRoot}src/util/signals.ts`)};
    const notices = [];
    const controller = new AbortController();
    const cancel = ${
      mode === 'once'
        ? `(() => { process.once('SIGINT', () => controller.abort()); return { signal: controller.signal, dispose() {} }; })()`
        : `cancelOnSignals((n) => notices.push(n.kind + ':' + n.signal))`
    };
    const child = execa(process.execPath, ['-e', 'setTimeout(() => {}, 5000)'], { cancelSignal: cancel.signal, reject: false });
    await new Promise((r) => child.once('spawn', r));
    process.kill(process.pid, 'SIGINT');
    await new Promise((r) => setTimeout(r, 300));
    process.kill(process.pid, 'SIGTERM');
    const result = await child;
    await new Promise((r) => setTimeout(r, 300));
    cancel.dispose();
    console.log(JSON.stringify({ notices, aborted: cancel.signal.aborted, childCancelled: result.isCanceled }));
  `;
  return spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 20_000,
  });
}

test('a process using cancelOnSignals survives SIGINT then SIGTERM with signal-exit loaded (execa)', () => {
  const run = survivesSignals('cancelOnSignals');
  assert.equal(run.signal, null, `killed by ${run.signal}: ${run.stderr}`);
  assert.equal(run.status, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout), {
    notices: ['cancel:SIGINT', 'repeat:SIGTERM'],
    aborted: true,
    childCancelled: true,
  });
  // The hazard is real in this set-up: the same process with a once listener dies on the first signal.
  const control = survivesSignals('once');
  assert.equal(control.signal, 'SIGINT', `the once listener survived: ${control.stdout}${control.stderr}`);
});

test('abort: an internal error stops the run as a first signal would, with no signal received; later signals still cancel once', () => {
  const { emitter, source } = fakeProcess();
  const notices: string[] = [];
  const c = cancelOnSignals((n) => notices.push(`${n.kind}:${n.signal}`), source);
  const reason = new Error('stopped by an internal error');
  c.abort(reason);
  assert.ok(c.signal.aborted);
  assert.equal(c.signal.reason, reason);
  assert.equal(c.received(), undefined, 'no signal came: no runner deadline, no 130/143');
  assert.equal(c.signalReceived.aborted, false, 'the runner deadline runs from a signal, not from abort()');
  c.abort(new Error('again'));
  assert.equal(c.signal.reason, reason, 'the first reason stays');
  emitter.emit('SIGTERM', 'SIGTERM');
  assert.deepEqual(notices, ['cancel:SIGTERM']);
  assert.equal(c.signal.reason, reason);
  assert.equal(c.signalReceived.aborted, true, 'a signal after the crash starts the runner deadline');
  c.dispose();
});
