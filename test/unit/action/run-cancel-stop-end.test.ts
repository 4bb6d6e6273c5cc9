// The Action's run() schedules, at a cancellation's first signal, the stop of every command 5.5 s later (the
// runner kills the job at 10 s: nothing may outlive it). It never ended that stop: only the CLI's main() calls
// endStopAllCommands. A process that goes on after run() (an embedder calling it again) had every later command
// stopped at once, and the timer fired even after the run had ended. run() ends it once its outcome is written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../../src/action/run.ts';
import { COMMAND_GRACE_MS } from '../../../src/action/cancel-deadline.ts';
import { resolveCommand } from '../../../src/config/resolve.ts';
import { runCommand, type CommandFailed } from '../../../src/targets/run-command.ts';
import { endStopAllCommands } from '../../../src/util/process-group.ts';
import { endKeptListeners } from '../../../src/util/signals.ts';

test('run() cancelled: its stop of every command ends with it, a command started after it runs', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'run-cancel-stop-'));
  const event = join(dir, 'event.json');
  // Unreadable as JSON: run() ends at once, failed, after its first wait (the signal comes meanwhile).
  writeFileSync(event, '{');
  const exitCode = process.exitCode;
  const exits: unknown[] = [];
  t.mock.method(process, 'exit', (code?: number) => void exits.push(code));
  t.mock.method(process.stdout, 'write', () => true);
  t.after(() => {
    process.exitCode = exitCode;
    endKeptListeners();
    endStopAllCommands();
    rmSync(dir, { recursive: true, force: true });
  });
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const ran = run({ GITHUB_EVENT_PATH: event });
  process.emit('SIGINT', 'SIGINT');
  await ran;
  assert.deepEqual(exits, [undefined], 'a cancelled run ends the process (here stubbed) once it has ended');
  // The stop's timer, had it been left: the next run's commands stopped from now on.
  t.mock.timers.tick(COMMAND_GRACE_MS);
  t.mock.timers.reset();
  const next = resolveCommand(
    [process.execPath, '-e', "setTimeout(() => console.log('ran'), 100)"],
    'target.commands.health',
    { shell: false, timeoutMs: 60_000, env: {} },
  );
  const outcome = await runCommand(next, {}).then(
    (r) => r.stdout.trim(),
    (e: unknown) => `stopped: ${(e as CommandFailed).message}`,
  );
  assert.equal(outcome, 'ran');
});
