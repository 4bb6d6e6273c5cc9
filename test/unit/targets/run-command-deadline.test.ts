// A cancelled job is killed by the runner 10 s after its first signal. Commands that must finish (a
// rollback's) run without the job's signal, so one that hangs would be killed with the job, unreported, and
// its process group (its own, detached) would go on running without it. Before that, every command still
// running is stopped with everything it started, and any started later is stopped at once: the rollback is
// reported as not finished, and nothing outlives the job. (stopAllCommands holds for the process until endStopAllCommands.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  COMMAND_GRACE_MS,
  commandsStopBeforeKill,
  OUTPUT_RESERVE_MS,
  RUNNER_KILL_AFTER_MS,
  stopCommandsBeforeKill,
} from '../../../src/action/cancel-deadline.ts';
import { resolveCommand } from '../../../src/config/resolve.ts';
import { CommandFailed, runCommand } from '../../../src/targets/run-command.ts';
import { endStopAllCommands, FORCE_KILL_AFTER_MS, stopAllCommands } from '../../../src/util/process-group.ts';
import { signalNotice } from '../../../src/util/signals.ts';
import { running } from '../../helpers/process-tree.ts';

const node = process.execPath;

test('the commands are stopped before the runner kills the job, with room for the stop and the outputs', (t) => {
  assert.equal(COMMAND_GRACE_MS + FORCE_KILL_AFTER_MS + OUTPUT_RESERVE_MS, RUNNER_KILL_AFTER_MS);
  t.mock.timers.enable({ apis: ['setTimeout'] });
  let stops = 0;
  stopCommandsBeforeKill(signalNotice(false, 'SIGINT'), () => stops++);
  stopCommandsBeforeKill(signalNotice(true, 'SIGTERM'), () => stops++);
  t.mock.timers.tick(COMMAND_GRACE_MS - 1);
  assert.equal(stops, 0);
  t.mock.timers.tick(1);
  assert.equal(stops, 1, 'once, from the first signal');
  t.mock.timers.tick(RUNNER_KILL_AFTER_MS);
  assert.equal(stops, 1);
});

test('a rollback command that hangs, ignoring SIGTERM with a child: stopped with its child, reported unfinished; a later one does not run', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'deadline-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const pidsFile = join(dir, 'pids.json');
  let pids: number[] = [];
  t.after(() => {
    for (const pid of pids) if (running(pid)) process.kill(pid, 'SIGKILL');
  });
  const hang = `
const { spawn } = require('node:child_process');
process.on('SIGTERM', () => {});
const kid = spawn(process.execPath, ['-e', 'process.on("SIGTERM", () => {}); setTimeout(() => {}, 60000)'], { stdio: 'inherit' });
require('node:fs').writeFileSync(process.argv[1], JSON.stringify([process.pid, kid.pid]));
setTimeout(() => {}, 60000);
`;
  const rollback = resolveCommand([node, '-e', hang, pidsFile], 'target.commands.set_weight', {
    shell: false,
    timeoutMs: 120_000,
    env: {},
  });
  // No signal: a rollback step must finish, the job's cancellation does not stop it.
  const outcome = runCommand(rollback, {}).then(
    () => assert.fail('the hanging command finished'),
    (e: unknown) => e as CommandFailed,
  );
  for (let i = 0; i < 200 && pids.length < 2; i++) {
    await new Promise((r) => setTimeout(r, 50));
    try {
      pids = JSON.parse(readFileSync(pidsFile, 'utf8')) as number[];
    } catch {
      // Not written yet.
    }
  }
  assert.equal(pids.length, 2, 'the command started its child');
  t.after(endStopAllCommands);
  stopAllCommands('deadline');
  const error = await outcome;
  assert.ok(error instanceof CommandFailed);
  assert.equal(error.reasonCode, 'cancelled');
  assert.match(
    error.message,
    /^target\.commands\.set_weight \(.+\) was stopped unfinished: the job was cancelled and is about to be killed$/,
  );
  for (let i = 0; i < 100 && pids.some(running); i++) await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(pids.filter(running), [], 'processes of the command still running');

  // A command started after the stop (the next rollback step, an on_rollback level) is stopped at once.
  const next = resolveCommand([node, '-e', 'setTimeout(() => {}, 60000)'], 'hooks.on_rollback', {
    shell: false,
    timeoutMs: 120_000,
    env: {},
  });
  const later = await runCommand(next, {}).then(
    () => assert.fail('ran to its end'),
    (e: unknown) => e as CommandFailed,
  );
  assert.match(later.message, /was stopped unfinished: the job was cancelled/);
});

/** A command that prints `ran` after 300 ms (long enough to be stopped first, if it is). */
const quick = () =>
  resolveCommand([node, '-e', "setTimeout(() => console.log('ran'), 300)"], 'target.commands.health', {
    shell: false,
    timeoutMs: 120_000,
    env: {},
  });

/** Whether a command started now runs to its end ('ran') or is stopped at once (its reason code). */
const outcomeOfNext = () =>
  runCommand(quick(), {}).then(
    (r) => r.stdout.trim(),
    (e: unknown) => (e as CommandFailed).reasonCode,
  );

// The Action's run() scheduled the stop of every command at a cancellation's first signal and never ended it
// (only the CLI's main() called endStopAllCommands, at its next start): a process that goes on after run() (an
// embedder calling it again) had every later command stopped at once, and the timer fired even when the run had
// ended before it. run() now ends it once its outcome is written (action/run.ts).
test("a cancellation's stop of every command ends with the run: made, or its timer still to fire", async (t) => {
  t.after(endStopAllCommands);
  // Made: it holds until the run ends, then the next run's command runs to its end.
  const made = commandsStopBeforeKill(undefined, 0);
  made.onNotice(signalNotice(false, 'SIGINT'));
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(await outcomeOfNext(), 'cancelled', 'the job is about to be killed: stopped at once');
  made.end();
  assert.equal(await outcomeOfNext(), 'ran');

  // Still to fire when the run ended: it never does.
  const pending = commandsStopBeforeKill(undefined, 50);
  pending.onNotice(signalNotice(false, 'SIGTERM'));
  pending.end();
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(await outcomeOfNext(), 'ran');
});

test("the end of one run's stop leaves another stop of every command in force", async (t) => {
  t.after(endStopAllCommands);
  const other = stopAllCommands('deadline');
  const mine = commandsStopBeforeKill(undefined, 0);
  mine.onNotice(signalNotice(false, 'SIGINT'));
  await new Promise((r) => setTimeout(r, 20));
  mine.end();
  assert.equal(await outcomeOfNext(), 'cancelled');
  other.end();
  assert.equal(await outcomeOfNext(), 'ran');
});
