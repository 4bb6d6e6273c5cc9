// A command is bounded by its timeout and by cancellation together with everything it started: a child
// that ignores SIGTERM, a process left behind in the background, a child holding the output pipe open.
// None of them may keep the pipeline waiting, and none may keep running once the command was stopped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveCommand } from '../../../src/config/resolve.ts';
import { CommandFailed, runCommand } from '../../../src/targets/run-command.ts';
import type { CommandSpec } from '../../../src/config/schema.ts';
import { running, untilEnded } from '../../helpers/process-tree.ts';

const node = process.execPath;
const cmd = (spec: CommandSpec, timeoutMs: number) =>
  resolveCommand(spec, 'hooks.migrate', { shell: false, timeoutMs, env: {} });

// Ignores SIGTERM, starts a child that ignores it too (and holds stdout), and leaves a `sleep` behind in the
// background (its parent exits at once); writes the three pids to argv[1], then prints "ready" and hangs
// (for a minute: longer than any test here waits, short enough not to outlive a failed test by much).
const stubborn = `
const { spawn } = require('node:child_process');
const { writeFileSync } = require('node:fs');
process.on('SIGTERM', () => {});
const kid = spawn(process.execPath, ['-e', 'process.on("SIGTERM", () => {}); setTimeout(() => {}, 60000)'], { stdio: 'inherit' });
const forker = spawn('/bin/sh', ['-c', 'sleep 60 & echo $!'], { stdio: ['ignore', 'pipe', 'inherit'] });
forker.stdout.once('data', (d) => {
  writeFileSync(process.argv[1], JSON.stringify([process.pid, kid.pid, Number(String(d).trim())]));
  console.log('ready');
});
setTimeout(() => process.exit(), 60000);
`;

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'run-group-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Kills whatever the test left running (only if the code under test did not). */
function reap(t: { after(fn: () => void): void }, pidsFile: string) {
  t.after(() => {
    let pids: number[] = [];
    try {
      pids = JSON.parse(readFileSync(pidsFile, 'utf8')) as number[];
    } catch {
      return;
    }
    for (const pid of pids) if (running(pid)) process.kill(pid, 'SIGKILL');
  });
}

test(
  'a timed-out command is stopped with everything it started, even what ignores SIGTERM or was left in the background',
  { timeout: 30_000 },
  async (t) => {
    const pidsFile = join(tempDir(t), 'pids.json');
    reap(t, pidsFile);
    const error = await runCommand(cmd([node, '-e', stubborn, pidsFile], 4000), {}).then(
      () => assert.fail('the command cannot succeed'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof CommandFailed, String(error));
    assert.equal(error.reasonCode, 'timeout', error.message);
    assert.match(error.message, /hooks\.migrate .* timed out after 4s/);
    const pids = JSON.parse(readFileSync(pidsFile, 'utf8')) as number[];
    assert.deepEqual(await untilEnded(pids), [], 'processes of the command still running');
  },
);

test(
  'a cancelled command is stopped with everything it started, and reported cancelled',
  { timeout: 30_000 },
  async (t) => {
    const pidsFile = join(tempDir(t), 'pids.json');
    reap(t, pidsFile);
    const cancel = new AbortController();
    const error = await runCommand(
      cmd([node, '-e', stubborn, pidsFile], 300_000),
      {},
      { signal: cancel.signal, onOutput: (l) => l.line === 'ready' && cancel.abort() },
    ).then(
      () => assert.fail('the command cannot succeed'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof CommandFailed, String(error));
    assert.equal(error.reasonCode, 'cancelled', error.message);
    const pids = JSON.parse(readFileSync(pidsFile, 'utf8')) as number[];
    assert.deepEqual(await untilEnded(pids), [], 'processes of the command still running');
  },
);

test(
  'a command that exits while a process it started in the background holds its output is done when it exits',
  { timeout: 30_000 },
  async (t) => {
    // A deploy command may start a service in the background: it succeeded, it is not waited for, and it is
    // not what a later timeout or cancellation of the pipeline stops.
    const result = await runCommand(cmd(['/bin/sh', '-c', 'sleep 60 & echo $!; exit 0'], 30_000), {});
    const left = Number(result.stdout);
    t.after(() => void (left > 0 && running(left) && process.kill(left, 'SIGKILL')));
    assert.equal(result.exitCode, 0);
    assert.ok(left > 0, result.stdout);
    assert.ok(running(left), 'the background process was left alone');

    // The same with a failing exit: the failure is reported at once, with its code.
    const failing = await runCommand(
      cmd(['/bin/sh', '-c', 'sleep 60 & echo $!; echo broke >&2; exit 4'], 30_000),
      {},
    ).then(
      () => assert.fail('the command fails'),
      (e: unknown) => e,
    );
    assert.ok(failing instanceof CommandFailed);
    assert.equal(failing.exitCode, 4);
    assert.match(failing.message, /exited with code 4: broke/);
    const second = Number(failing.tail[0]);
    t.after(() => void (second > 0 && running(second) && process.kill(second, 'SIGKILL')));
  },
);

test('a command killed by a signal from elsewhere is reported as killed by it, not as one that could not run', async () => {
  const error = await runCommand(cmd(['/bin/sh', '-c', 'echo started; kill -9 $$'], 30_000), {}).then(
    () => assert.fail('the command cannot succeed'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof CommandFailed, String(error));
  assert.equal(error.reasonCode, 'exit', error.message);
  assert.match(error.message, /^hooks\.migrate \(\/bin\/sh\) was killed by SIGKILL: started$/);
});
