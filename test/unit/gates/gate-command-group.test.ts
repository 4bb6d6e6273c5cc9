// A gate command is bounded by the gate's timeout and by cancellation together with everything it started:
// a child that ignores SIGTERM or a process left in the background is stopped with it. A command that
// exits is done even while a process it left in the background holds its output: its verdict is its own,
// not "timed out". POSIX: process groups.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runGateCommand } from '../../../src/gates/gate-command.ts';
import { runGates, type GateEntry } from '../../../src/gates/runner.ts';
import { testsGate } from '../../../src/gates/tests.ts';
import type { GateContext } from '../../../src/gates/types.ts';
import { pidsFile, pidsIn, STUBBORN, untilEnded } from '../../helpers/process-tree.ts';

const posix = process.platform !== 'win32';

const ctx: Omit<GateContext, 'signal'> = {
  cwd: process.cwd(),
  changedFiles: async () => [],
  log: () => {},
  env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
};

/** The tests gate running `command` (no coverage thresholds), with a sub-second timeout. */
function testsEntry(command: string[]): GateEntry {
  return {
    name: 'tests',
    gate: testsGate,
    config: testsGate.schema.parse({ command, thresholds: {} }),
    required: true,
    timeoutMs: 800,
  };
}

test(
  "a gate's timeout stops its command with everything it started, even what ignores SIGTERM",
  { skip: !posix && 'process groups are POSIX', timeout: 30_000 },
  async (t) => {
    const pids = pidsFile(t, 'gate-group-');
    const report = await runGates([testsEntry([process.execPath, '-e', STUBBORN, pids])], ctx, {
      concurrency: 1,
    });
    assert.equal(report.gates[0]?.status, 'block');
    assert.match(report.gates[0]!.summary, /timed out after/);
    // The pids are written early; the group is killed 2 s after the SIGTERM at the latest.
    while (pidsIn(pids).length === 0) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(await untilEnded(pidsIn(pids)), [], 'processes of the gate command still running');
  },
);

test(
  'a cancelled gate command is stopped with everything it started, and says it was stopped',
  { skip: !posix && 'process groups are POSIX', timeout: 30_000 },
  async (t) => {
    const pids = pidsFile(t, 'gate-group-');
    const cancel = new AbortController();
    const running = runGateCommand([process.execPath, '-e', STUBBORN, pids], {
      ...ctx,
      signal: cancel.signal,
    });
    while (pidsIn(pids).length === 0) await new Promise((r) => setTimeout(r, 20));
    cancel.abort();
    const result = await running;
    assert.equal(result.ok, false);
    assert.match(!result.ok ? result.reason : '', /was stopped: the gate was cancelled/);
    assert.deepEqual(await untilEnded(pidsIn(pids)), [], 'processes of the gate command still running');
  },
);

test(
  'a gate command that exits while a background process holds its output is done: it passes within the timeout',
  { skip: !posix && 'process groups are POSIX', timeout: 30_000 },
  async (t) => {
    const pids = pidsFile(t, 'gate-group-');
    const command = ['/bin/sh', '-c', 'sleep 60 & echo $! >> "$1"; echo "3 passed"', 'sh', pids];
    const report = await runGates([testsEntry(command)], ctx, { concurrency: 1 });
    assert.equal(report.gates[0]?.status, 'pass', report.gates[0]?.summary);

    const result = await runGateCommand(command, { ...ctx, signal: new AbortController().signal });
    assert.ok(result.ok);
    assert.equal(result.exitCode, 0);
    assert.equal(result.stdout, '3 passed');
  },
);

test(
  'a gate command that prints more than it may is stopped with everything it started, and fails saying so',
  { skip: !posix && 'process groups are POSIX', timeout: 30_000 },
  async (t) => {
    const pids = pidsFile(t, 'gate-group-');
    // Prints past the limit once its processes are up (their pids written), then hangs ignoring SIGTERM.
    const script = `${STUBBORN}
const { existsSync } = require('node:fs');
const flood = setInterval(() => {
  if (existsSync(process.argv[1])) { clearInterval(flood); process.stdout.write('x'.repeat(100000) + '\\n'); }
}, 20);`;
    const result = await runGateCommand(
      [process.execPath, '-e', script, pids],
      { ...ctx, signal: new AbortController().signal },
      {},
      1000,
    );
    assert.equal(result.ok, false, 'cut output must not stand as an exit code');
    assert.match(!result.ok ? result.reason : '', /printed more than 1000 bytes of output and was stopped/);
    assert.equal(pidsIn(pids).length, 3);
    assert.deepEqual(await untilEnded(pidsIn(pids)), [], 'processes of the gate command still running');
  },
);

test(
  'a gate command whose stdout and stderr together pass its output bound is stopped, though neither alone does',
  { skip: !posix && 'process groups are POSIX', timeout: 30_000 },
  async () => {
    // 600 bytes on each stream, 1000 allowed: execa bounds each stream alone (maxBuffer), and the interleaved
    // output (`all`) it keeps as well grew past the bound (500 MB printed held 2 GB of memory).
    const script = "process.stdout.write('a'.repeat(600)); process.stderr.write('b'.repeat(600));";
    const result = await runGateCommand(
      [process.execPath, '-e', script],
      { ...ctx, signal: new AbortController().signal },
      {},
      1000,
    );
    assert.equal(result.ok, false);
    assert.match(!result.ok ? result.reason : '', /printed more than 1000 bytes of output and was stopped/);
    // Within the bound together, it runs as before.
    const within = await runGateCommand(
      [process.execPath, '-e', script],
      { ...ctx, signal: new AbortController().signal },
      {},
      1200,
    );
    assert.equal(within.ok && within.exitCode, 0);
  },
);
