// In a GitHub Actions job, the CLI's cancellation schedules the stop of every command 5.5 s after the first
// signal (the runner kills the job at 10 s: nothing may outlive it). It never ended that stop (only main(), at
// its next start, did): a process that goes on after the command (an embedder, test files sharing a process) had
// every later command stopped at once, and the timer fired even after the command had ended. The command's way
// out (release, once its outcome is said) ends it, as the Action's run() does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cancelCliOnSignals } from '../../../src/cli/cancellation.ts';
import { COMMAND_GRACE_MS } from '../../../src/action/cancel-deadline.ts';
import { resolveCommand } from '../../../src/config/resolve.ts';
import { runCommand, type CommandFailed } from '../../../src/targets/run-command.ts';
import { endStopAllCommands } from '../../../src/util/process-group.ts';
import { endKeptListeners } from '../../../src/util/signals.ts';

/** A command that prints `ran` after 100 ms: 'ran', or how it was stopped. */
async function aCommand(): Promise<string> {
  const command = resolveCommand(
    [process.execPath, '-e', "setTimeout(() => console.log('ran'), 100)"],
    'target.commands.health',
    { shell: false, timeoutMs: 60_000, env: {} },
  );
  return runCommand(command, {}).then(
    (r) => r.stdout.trim(),
    (e: unknown) => `stopped: ${(e as CommandFailed).message}`,
  );
}

test('the CLI cancelled in an Actions job: its stop of every command ends with the command (release)', async (t) => {
  t.after(() => {
    endKeptListeners();
    endStopAllCommands();
  });
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const cancellation = cancelCliOnSignals(() => {}, { GITHUB_ACTIONS: 'true' });
  process.emit('SIGINT', 'SIGINT');
  t.mock.timers.tick(COMMAND_GRACE_MS);
  t.mock.timers.reset();
  // In force while the command is under way: a command started now is stopped at once.
  assert.match(await aCommand(), /^stopped: /);
  cancellation.release();
  assert.equal(await aCommand(), 'ran');
});

test('the CLI cancelled in an Actions job and done before the stop was due: its timer does nothing after', async (t) => {
  t.after(() => {
    endKeptListeners();
    endStopAllCommands();
  });
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const cancellation = cancelCliOnSignals(() => {}, { GITHUB_ACTIONS: 'true' });
  process.emit('SIGINT', 'SIGINT');
  cancellation.release();
  t.mock.timers.tick(COMMAND_GRACE_MS);
  t.mock.timers.reset();
  assert.equal(await aCommand(), 'ran');
});
