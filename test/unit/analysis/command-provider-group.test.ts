// A metrics command runs during canary analysis, where a hung command delays the verdict and so a rollback.
// Its timeout and cancellation stop everything it started (a child that ignores SIGTERM, a process left in
// the background), and a command that printed its metrics and exited is done even while a process it left
// in the background holds its output. POSIX: process groups.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCommandProvider, MAX_METRICS_OUTPUT } from '../../../src/analysis/providers/command.ts';
import { createLogsProvider } from '../../../src/analysis/providers/logs.ts';
import type { ReadRequest } from '../../../src/analysis/providers/provider.ts';
import { pidsFile, pidsIn, STUBBORN, untilEnded } from '../../helpers/process-tree.ts';
import { endStopAllCommands, stopAllCommands } from '../../../src/util/process-group.ts';
import { InternalErrorStop } from '../../../src/util/internal-error-stop.ts';

const posix = process.platform !== 'win32';

function request(signal: AbortSignal): ReadRequest {
  return {
    side: 'canary',
    vars: { version: '2' },
    metrics: [{ name: 'm', config: { provider: 'cmd' } }],
    intervalMs: 1000,
    signal,
  };
}

test(
  'command provider: a timed-out command is stopped with everything it started, even what ignores SIGTERM',
  { skip: !posix && 'process groups are POSIX', timeout: 30_000 },
  async (t) => {
    const pids = pidsFile(t, 'provider-group-');
    const provider = createCommandProvider('cmd', {
      type: 'command',
      run: [process.execPath, '-e', STUBBORN, pids],
      timeout: 800,
      retries: 0,
    });
    const read = await provider.read(request(new AbortController().signal));
    assert.equal(read.errors[0]?.code, 'timeout', JSON.stringify(read.errors));
    assert.deepEqual(read.values, { m: null });
    const started = pidsIn(pids);
    assert.equal(started.length, 3, 'the command wrote the pids of what it started');
    assert.deepEqual(await untilEnded(started), [], 'processes of the command still running');
  },
);

test(
  'command provider: a cancelled command is stopped with everything it started',
  { skip: !posix && 'process groups are POSIX', timeout: 30_000 },
  async (t) => {
    const pids = pidsFile(t, 'provider-group-');
    const provider = createCommandProvider('cmd', {
      type: 'command',
      run: [process.execPath, '-e', STUBBORN, pids],
      timeout: 60_000,
      retries: 0,
    });
    const cancel = new AbortController();
    const reading = provider.read(request(cancel.signal));
    while (pidsIn(pids).length === 0) await new Promise((r) => setTimeout(r, 20));
    cancel.abort();
    const read = await reading;
    assert.equal(read.errors[0]?.code, 'aborted', JSON.stringify(read.errors));
    assert.deepEqual(await untilEnded(pidsIn(pids)), [], 'processes of the command still running');
  },
);

test(
  'command provider: a command that printed its metrics and exited is read, though a background process holds its output',
  { skip: !posix && 'process groups are POSIX', timeout: 30_000 },
  async (t) => {
    const pids = pidsFile(t, 'provider-group-');
    // The background `sleep` holds stdout for a minute; the read is bounded by the 800 ms timeout at most.
    const provider = createCommandProvider('cmd', {
      type: 'command',
      run: ['/bin/sh', '-c', 'sleep 60 & echo $! > "$1"; echo \'{"m": 7}\'', 'sh', pids],
      timeout: 800,
      retries: 0,
    });
    const read = await provider.read(request(new AbortController().signal));
    assert.deepEqual(read, { values: { m: 7 }, errors: [] });
    // A read starts no service: left running, one more would pile up each interval and outlive the run.
    assert.deepEqual(await untilEnded(pidsIn(pids)), [], 'the process left holding the output still runs');
  },
);

test(
  'logs provider: a command that printed its lines and exited leaves nothing holding its output, in its group or out of it',
  { skip: !posix && 'process groups are POSIX', timeout: 30_000 },
  async (t) => {
    const pids = pidsFile(t, 'provider-group-');
    // One in its group ignoring SIGTERM, one in a session of its own (setsid): both hold stdout for a minute.
    const script = `trap "" TERM; sleep 60 & a=$!; setsid sleep 61 & b=$!; echo "$a $b" > "$1"; echo "ERROR boom"`;
    const provider = createLogsProvider('logs', {
      type: 'logs',
      run: ['/bin/sh', '-c', script, 'sh', pids],
      timeout: 5000,
      retries: 0,
    });
    const read = await provider.read({
      ...request(new AbortController().signal),
      metrics: [{ name: 'error_lines', config: { provider: 'logs' } }],
    });
    assert.deepEqual(read, { values: { error_lines: 1 }, errors: [] });
    assert.equal(pidsIn(pids).length, 2);
    assert.deepEqual(await untilEnded(pidsIn(pids)), [], 'processes left holding the output still run');
  },
);

// A process left in the background with its output sent elsewhere (`>/dev/null 2>&1 &`: a port-forward, a
// helper daemon) held no pipe, so it was left running: one more each read, two each interval, outliving the run.
test(
  'metrics and logs commands: what a read left in the background is ended with it, though it holds no output',
  { skip: !posix && 'process groups are POSIX', timeout: 30_000 },
  async (t) => {
    const pids = pidsFile(t, 'provider-group-');
    // One in its group, one in a session of its own (setsid), both away from the read's output.
    const leave = (print: string) =>
      `sleep 60 </dev/null >/dev/null 2>&1 & a=$!; setsid sleep 61 </dev/null >/dev/null 2>&1 & b=$!; echo "$a $b" >> "$1"; ${print}`;
    const metrics = createCommandProvider('cmd', {
      type: 'command',
      run: ['/bin/sh', '-c', leave(`echo '{"m": 7}'`), 'sh', pids],
      timeout: 5000,
      retries: 0,
    });
    assert.deepEqual(await metrics.read(request(new AbortController().signal)), {
      values: { m: 7 },
      errors: [],
    });
    const logs = createLogsProvider('logs', {
      type: 'logs',
      run: ['/bin/sh', '-c', leave('echo "ERROR boom"'), 'sh', pids],
      timeout: 5000,
      retries: 0,
    });
    const read = await logs.read({
      ...request(new AbortController().signal),
      metrics: [{ name: 'error_lines', config: { provider: 'logs' } }],
    });
    assert.deepEqual(read, { values: { error_lines: 1 }, errors: [] });
    assert.equal(pidsIn(pids).length, 4);
    assert.deepEqual(await untilEnded(pidsIn(pids)), [], 'processes the reads left still run');
  },
);

test('command provider: timeout 0 is no timeout (the duration fields\' "0 for none")', async () => {
  const provider = createCommandProvider('cmd', {
    type: 'command',
    run: [process.execPath, '-e', 'setTimeout(() => console.log(JSON.stringify({ m: 1 })), 100)'],
    timeout: 0,
    retries: 0,
  });
  assert.deepEqual(await provider.read(request(new AbortController().signal)), {
    values: { m: 1 },
    errors: [],
  });
});

test(
  'command provider: a command that prints more than it may is stopped with everything it started, and the read fails saying so',
  { skip: !posix && 'process groups are POSIX', timeout: 30_000 },
  async (t) => {
    const pids = pidsFile(t, 'provider-group-');
    // Floods stdout past the limit once its processes are up (their pids written), then hangs ignoring SIGTERM.
    const script = `${STUBBORN}
const { existsSync } = require('node:fs');
const flood = setInterval(() => {
  if (!existsSync(process.argv[1])) return;
  clearInterval(flood);
  const chunk = 'x'.repeat(1 << 20);
  for (let i = 0; i <= ${MAX_METRICS_OUTPUT / (1 << 20)}; i++) process.stdout.write(chunk);
}, 20);`;
    const provider = createCommandProvider('cmd', {
      type: 'command',
      run: [process.execPath, '-e', script, pids],
      timeout: 120_000,
      retries: 0,
    });
    const read = await provider.read(request(new AbortController().signal));
    assert.equal(read.errors[0]?.code, 'command-failed', JSON.stringify(read.errors));
    assert.match(read.errors[0]?.message ?? '', /printed more than \d+ characters and was stopped/);
    assert.deepEqual(read.values, { m: null });
    assert.equal(pidsIn(pids).length, 3);
    assert.deepEqual(await untilEnded(pidsIn(pids)), [], 'processes of the command still running');
  },
);

// Stopped by the process's stop of every command (the cancel deadline's, the crash deadline's), or by an internal
// error's abort, the read said "<file> exited with undefined"-like generic failures ("killed with SIGTERM") or
// "cancelled": it says which stop it was, as a deploy step's command says it (util/command-stop.ts).
for (const [stop, said] of [
  ['deadline', /^.+ was stopped unfinished: the job was cancelled and is about to be killed$/],
  [
    'crash_deadline',
    /^.+ was stopped unfinished: an internal error stopped the run, which did not end within its deadline, and the process is exiting$/,
  ],
] as const) {
  test(
    `command provider: a command the process stops (${stop}) says which stop it was`,
    { skip: !posix && 'process groups are POSIX', timeout: 30_000 },
    async (t) => {
      t.after(endStopAllCommands);
      const pids = pidsFile(t, 'provider-group-');
      const provider = createCommandProvider('cmd', {
        type: 'command',
        run: [process.execPath, '-e', STUBBORN, pids],
        timeout: 60_000,
        retries: 0,
      });
      const reading = provider.read(request(new AbortController().signal));
      while (pidsIn(pids).length === 0) await new Promise((r) => setTimeout(r, 20));
      stopAllCommands(stop);
      const read = await reading;
      assert.equal(read.errors[0]?.code, 'aborted', JSON.stringify(read.errors));
      assert.match(read.errors[0]!.message, said);
      assert.deepEqual(await untilEnded(pidsIn(pids)), [], 'processes of the command still running');
    },
  );
}

test(
  'command provider: a command stopped by an internal error says so, not "cancelled"',
  { skip: !posix && 'process groups are POSIX', timeout: 30_000 },
  async (t) => {
    const pids = pidsFile(t, 'provider-group-');
    const provider = createCommandProvider('cmd', {
      type: 'command',
      run: [process.execPath, '-e', STUBBORN, pids],
      timeout: 60_000,
      retries: 0,
    });
    const stop = new AbortController();
    const reading = provider.read(request(stop.signal));
    while (pidsIn(pids).length === 0) await new Promise((r) => setTimeout(r, 20));
    stop.abort(new InternalErrorStop(new Error('boom')));
    const read = await reading;
    assert.equal(read.errors[0]?.code, 'aborted', JSON.stringify(read.errors));
    assert.equal(read.errors[0]!.message, 'stopped by an internal error');
  },
);
