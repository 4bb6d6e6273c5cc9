// At the crash deadline (util/crash-guard.ts: an internal error stopped the run, and its rollback had not ended
// in time) the process wrote its outcome and exited with the rollback's command still running: the exit's
// SIGKILL ended it with no SIGTERM to stop cleanly. stopAllCommandsAndWait stops every command first and waits
// for them: a command that stops on SIGTERM is waited for until it has, one that ignores it until its SIGKILL,
// and the command's failure says an internal error stopped it, not that the job was cancelled.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveCommand } from '../../../src/config/resolve.ts';
import { runCommand, type CommandFailed } from '../../../src/targets/run-command.ts';
import {
  endStopAllCommands,
  FORCE_KILL_AFTER_MS,
  stopAllCommands,
  stopAllCommandsAndWait,
} from '../../../src/util/process-group.ts';
import { running } from '../../helpers/process-tree.ts';

const node = process.execPath;

/** A node script (argv[1]: a file for its pid) that on SIGTERM takes 300 ms to stop, or ignores it. */
const script = (onTerm: 'stops' | 'ignores') => `
process.on('SIGTERM', () => { ${onTerm === 'stops' ? 'setTimeout(() => process.exit(143), 300);' : ''} });
require('node:fs').writeFileSync(process.argv[1], String(process.pid));
setTimeout(() => {}, 60000);
`;

async function started(onTerm: 'stops' | 'ignores', t: { after(fn: () => void): void }) {
  const dir = mkdtempSync(join(tmpdir(), 'crash-deadline-stop-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const pidFile = join(dir, 'pid');
  const rollback = resolveCommand([node, '-e', script(onTerm), pidFile], 'target.commands.set_weight', {
    shell: false,
    timeoutMs: 120_000,
    env: {},
  });
  // No signal: a rollback step must finish, the run's cancellation does not stop it.
  const outcome = runCommand(rollback, {}).then(
    () => assert.fail('the command ran to its end'),
    (e: unknown) => e as CommandFailed,
  );
  let pid = 0;
  for (let i = 0; i < 200 && !pid; i++) {
    await new Promise((r) => setTimeout(r, 25));
    try {
      pid = Number(readFileSync(pidFile, 'utf8'));
    } catch {
      // Not written yet.
    }
  }
  assert.ok(pid > 0, 'the command started');
  t.after(() => void (running(pid) && process.kill(pid, 'SIGKILL')));
  return { pid, outcome };
}

test('at the crash deadline, a rollback command is stopped and waited for: gone once the wait ends, its SIGTERM first', async (t) => {
  t.after(endStopAllCommands);
  const { pid, outcome } = await started('stops', t);
  const since = performance.now();
  await stopAllCommandsAndWait('crash_deadline');
  const waited = performance.now() - since;
  assert.equal(running(pid), false, 'the command still runs after the wait');
  assert.ok(
    waited < FORCE_KILL_AFTER_MS,
    `it stopped on SIGTERM, yet the wait took ${Math.round(waited)} ms`,
  );
  const error = await outcome;
  assert.equal(error.reasonCode, 'cancelled');
  assert.match(
    error.message,
    /^target\.commands\.set_weight \(.+\) was stopped unfinished: an internal error stopped the run, which did not end within its deadline, and the process is exiting$/,
  );
  assert.doesNotMatch(error.message, /the job was cancelled/);
});

test('at the crash deadline, a command that ignores SIGTERM is waited for until its SIGKILL; with none running, no wait', async (t) => {
  t.after(endStopAllCommands);
  const { pid, outcome } = await started('ignores', t);
  const since = performance.now();
  await stopAllCommandsAndWait('crash_deadline');
  const waited = performance.now() - since;
  assert.equal(running(pid), false, 'the command still runs after the wait');
  assert.ok(
    waited >= FORCE_KILL_AFTER_MS - 50,
    `the wait ended before the SIGKILL: ${Math.round(waited)} ms`,
  );
  await outcome;
  const idle = performance.now();
  await stopAllCommandsAndWait('crash_deadline');
  assert.ok(performance.now() - idle < 100, 'nothing to wait for');
});

/** A command that prints `ran` after 300 ms (long enough to be stopped first, if it is). */
const quick = () =>
  resolveCommand([node, '-e', "setTimeout(() => console.log('ran'), 300)"], 'target.commands.health', {
    shell: false,
    timeoutMs: 120_000,
    env: {},
  });

// stopAllCommandsAndWait left the process's stop of every command in force once it was done: fine for the CLI and
// the Action, which exit, but an embedder calling main() or run() again in one process found each new command
// stopped at once. The stop now holds while the last words are said (a rollback going on to its next step
// starts nothing then) and ends with them.
test('the stop of every command ends with it: one started during its last words is stopped, one started after runs', async (t) => {
  // Only so a failure here does not stop the next file's commands: the test asserts the end without it.
  t.after(endStopAllCommands);
  let during: CommandFailed | string | undefined;
  const said = await stopAllCommandsAndWait('crash_deadline', async () => {
    during = await runCommand(quick(), {}).then(
      (r) => r.stdout,
      (e: unknown) => e as CommandFailed,
    );
    return 'last words said';
  });
  assert.equal(said, 'last words said', 'the last words were said, and what they gave returned');
  assert.ok(typeof during === 'object', `a command started during the last words ran: ${String(during)}`);
  assert.equal(during.reasonCode, 'cancelled');
  // The stop is done: the next run's command runs to its end.
  const after = await runCommand(quick(), {});
  assert.equal(after.exitCode, 0);
  assert.equal(after.stdout.trim(), 'ran');
});

test("the crash deadline's stop ending does not end a stop made before it (the job about to be killed)", async (t) => {
  t.after(endStopAllCommands);
  stopAllCommands('deadline');
  await stopAllCommandsAndWait('crash_deadline');
  const error = await runCommand(quick(), {}).then(
    () => assert.fail('the command ran to its end while the job was about to be killed'),
    (e: unknown) => e as CommandFailed,
  );
  assert.equal(error.reasonCode, 'cancelled');
  assert.match(error.message, /the job was cancelled/);
});
