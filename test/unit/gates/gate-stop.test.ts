// A gate's command that was stopped said "the gate timed out or was cancelled", whichever it was (and for an
// internal error's stop, "cancelled" of a job nobody cancelled). It now says which: the gate's timeout, the
// job's cancellation, an internal error, or the process's stop of every command at a deadline.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { runGateCommand } from '../../../src/gates/gate-command.ts';
import { runGates } from '../../../src/gates/runner.ts';
import { commandStoppedWhy, GateStop } from '../../../src/gates/gate-stop.ts';
import { InternalErrorStop } from '../../../src/util/internal-error-stop.ts';

const aborted = (reason?: unknown) => {
  const controller = new AbortController();
  controller.abort(reason);
  return controller.signal;
};

test('why a gate command was stopped: each stop says itself', () => {
  const timeout = aborted(new GateStop('timeout', 'timed out after 5m'));
  assert.equal(commandStoppedWhy('cancelled', timeout), 'the gate timed out after 5m');
  assert.equal(
    commandStoppedWhy('cancelled', aborted(new GateStop('cancelled', 'cancelled (SIGINT received)'))),
    'the gate was cancelled (SIGINT received)',
  );
  assert.equal(
    commandStoppedWhy(
      'cancelled',
      aborted(new GateStop('internal_error', 'stopped by an internal error (TypeError: x is undefined)')),
    ),
    'the gate was stopped by an internal error (TypeError: x is undefined)',
  );
  // A signal aborted by someone other than the gate runner (a gate run on its own).
  assert.equal(commandStoppedWhy('cancelled', aborted()), 'the gate was cancelled');
  assert.equal(
    commandStoppedWhy('cancelled', aborted(new InternalErrorStop(new Error('boom')))),
    'the gate was stopped by an internal error (Error: boom)',
  );
  // Every command stopped by the process, whatever the gate's signal says.
  const live = new AbortController().signal;
  assert.equal(commandStoppedWhy('deadline', live), 'the job was cancelled and is about to be killed');
  assert.match(
    commandStoppedWhy('crash_deadline', timeout),
    /^an internal error stopped the run, which did not end/,
  );
  for (const stopped of ['cancelled', 'deadline', 'crash_deadline', 'timeout'] as const)
    assert.doesNotMatch(commandStoppedWhy(stopped, timeout), / or /);
});

test("a gate's command stopped by the runner's timeout says so, and one stopped by an internal error says that", async () => {
  const ctx = { cwd: process.cwd(), env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } };
  for (const [reason, said] of [
    [new GateStop('timeout', 'timed out after 1s'), /^"sleep 60" was stopped: the gate timed out after 1s$/],
    [
      new GateStop('internal_error', 'stopped by an internal error (Error: boom)'),
      /^"sleep 60" was stopped: the gate was stopped by an internal error \(Error: boom\)$/,
    ],
  ] as const) {
    const controller = new AbortController();
    const running = runGateCommand(['sleep', '60'], { ...ctx, signal: controller.signal });
    setTimeout(() => controller.abort(reason), 100);
    const result = await running;
    assert.equal(result.ok, false);
    assert.match(!result.ok ? result.reason : '', said);
  }
});

test("the gate runner aborts a gate's signal saying which stop it was: its timeout, the job's cancellation, an internal error", async () => {
  /** A gate that waits for its signal and keeps what its command would say about it. */
  const waiting = (said: string[]) => ({
    name: 'tests',
    gate: {
      name: 'tests',
      schema: z.unknown(),
      run: (_config: unknown, gateCtx: { signal: AbortSignal }) =>
        new Promise<never>((_resolve, reject) =>
          gateCtx.signal.addEventListener('abort', () => {
            said.push(commandStoppedWhy('cancelled', gateCtx.signal));
            reject(gateCtx.signal.reason as Error);
          }),
        ),
    },
    config: {},
    required: true,
    timeoutMs: 50,
  });
  const ctx = { cwd: process.cwd(), changedFiles: async () => [], log: () => {}, env: {} };
  const opts = { concurrency: 1, cleanupGraceMs: 0 };
  const timedOut: string[] = [];
  await runGates([waiting(timedOut)], ctx, opts);
  assert.deepEqual(timedOut, ['the gate timed out after 50ms']);
  const cancelled: string[] = [];
  const job = new AbortController();
  setTimeout(() => job.abort(new Error('SIGINT received')), 10);
  await runGates([{ ...waiting(cancelled), timeoutMs: 0 }], ctx, { ...opts, signal: job.signal });
  assert.deepEqual(cancelled, ['the gate was cancelled (SIGINT received)']);
  const crashed: string[] = [];
  const run = new AbortController();
  setTimeout(() => run.abort(new InternalErrorStop(new Error('boom'))), 10);
  await runGates([{ ...waiting(crashed), timeoutMs: 0 }], ctx, { ...opts, signal: run.signal });
  assert.deepEqual(crashed, ['the gate was stopped by an internal error (Error: boom)']);
});
