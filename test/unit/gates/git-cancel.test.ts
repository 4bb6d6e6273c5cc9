// The gates' git calls run like every other command (util/process-group.ts): a git that hangs and ignores
// SIGTERM (a huge repository, an fsmonitor, a credential prompt) is stopped with everything it started when
// the gates are cancelled, and never asks a terminal (GIT_TERMINAL_PROMPT=0). A fake git on PATH stands in.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { changedFiles, changedFilesProvider } from '../../../src/gates/changes.ts';
import { runGates } from '../../../src/gates/runner.ts';
import { secretsGate } from '../../../src/gates/secrets.ts';
import type { GateContext } from '../../../src/gates/types.ts';
import { pidsFile, pidsIn, untilEnded } from '../../helpers/process-tree.ts';
import { endStopAllCommands, stopAllCommands } from '../../../src/util/process-group.ts';
import { InternalErrorStop } from '../../../src/util/internal-error-stop.ts';

const posix = process.platform !== 'win32';

/** Puts a git on PATH that records its GIT_TERMINAL_PROMPT, starts a sleep, and hangs ignoring SIGTERM. */
function hungGit(t: TestContext): { pids: string; dir: string } {
  const pids = pidsFile(t, 'hung-git-');
  const dir = dirname(pids);
  const git = join(dir, 'git');
  writeFileSync(
    git,
    [
      '#!/bin/sh',
      "trap '' TERM",
      `echo "prompt=$GIT_TERMINAL_PROMPT" > '${dir}/env'`,
      'sleep 60 &',
      `echo $$ $! > '${pids}'`,
      'wait',
      '',
    ].join('\n'),
  );
  chmodSync(git, 0o755);
  const path = process.env.PATH;
  process.env.PATH = `${dir}:${path ?? ''}`;
  t.after(() => (process.env.PATH = path));
  return { pids, dir };
}

async function started(pids: string): Promise<number[]> {
  while (pidsIn(pids).length < 2) await new Promise((r) => setTimeout(r, 20));
  return pidsIn(pids);
}

test(
  'a hung git diff is stopped with what it started when the gates are cancelled, and asks no terminal',
  { skip: !posix && 'process groups are POSIX', timeout: 30_000 },
  async (t) => {
    const { pids, dir } = hungGit(t);
    const cancel = new AbortController();
    const diff = changedFiles(process.cwd(), 'origin/main', cancel.signal);
    const running = await started(pids);
    cancel.abort();
    await assert.rejects(diff, /git diff origin\/main\.\.\.HEAD failed: cancelled/);
    assert.deepEqual(await untilEnded(running), [], 'git and its child still running');
    assert.equal(readFileSync(join(dir, 'env'), 'utf8').trim(), 'prompt=0');

    // The gates' shared changed-files list stops its git with the run too.
    const next = pidsFile(t, 'hung-git-');
    writeFileSync(join(dir, 'git'), readFileSync(join(dir, 'git'), 'utf8').replace(pids, next));
    const cancelRun = new AbortController();
    const shared = changedFilesProvider(process.cwd(), 'origin/main', cancelRun.signal)();
    const again = await started(next);
    cancelRun.abort();
    await assert.rejects(shared, /cancelled/);
    assert.deepEqual(await untilEnded(again), [], 'git and its child still running');
  },
);

test(
  "the secrets gate's git ls-files is stopped with what it started when the gate is cancelled",
  { skip: !posix && 'process groups are POSIX', timeout: 30_000 },
  async (t) => {
    const { pids } = hungGit(t);
    const ctx: Omit<GateContext, 'signal'> = {
      cwd: process.cwd(),
      changedFiles: async () => [],
      log: () => {},
      env: process.env,
    };
    const cancel = new AbortController();
    const report = runGates(
      [
        {
          name: 'secrets',
          gate: secretsGate,
          config: secretsGate.schema.parse({ scope: 'all' }),
          required: true,
          timeoutMs: 0,
        },
      ],
      ctx,
      { concurrency: 1, signal: cancel.signal },
    );
    const running = await started(pids);
    cancel.abort(new Error('the run was cancelled'));
    const done = await report;
    assert.equal(done.gates[0]?.status, 'block');
    assert.match(done.gates[0]!.summary, /cancelled/);
    assert.deepEqual(await untilEnded(running), [], 'git and its child still running');
  },
);

// Stopped by the process's stop of every command (the cancel deadline's, the crash deadline's), a git call said
// what git's SIGTERM left ("Command was killed with SIGTERM"), or, stopped by an internal error's abort,
// "cancelled": it says which stop it was, as every command says it (util/command-stop.ts).
for (const [stop, said] of [
  ['deadline', /git diff origin\/main\.\.\.HEAD failed: the job was cancelled and is about to be killed$/],
  [
    'crash_deadline',
    /git diff origin\/main\.\.\.HEAD failed: an internal error stopped the run, which did not end within its deadline, and the process is exiting$/,
  ],
] as const) {
  test(
    `a hung git the process stops (${stop}) says which stop it was`,
    { skip: !posix && 'process groups are POSIX', timeout: 30_000 },
    async (t) => {
      t.after(endStopAllCommands);
      const { pids } = hungGit(t);
      const diff = changedFiles(process.cwd(), 'origin/main', new AbortController().signal);
      const running = await started(pids);
      stopAllCommands(stop);
      await assert.rejects(diff, said);
      assert.deepEqual(await untilEnded(running), [], 'git and its child still running');
    },
  );
}

test(
  'a hung git stopped by an internal error says so, not "cancelled"',
  { skip: !posix && 'process groups are POSIX', timeout: 30_000 },
  async (t) => {
    const { pids } = hungGit(t);
    const stop = new AbortController();
    const diff = changedFiles(process.cwd(), 'origin/main', stop.signal);
    const running = await started(pids);
    stop.abort(new InternalErrorStop(new Error('boom')));
    await assert.rejects(diff, /git diff origin\/main\.\.\.HEAD failed: stopped by an internal error$/);
    assert.deepEqual(await untilEnded(running), [], 'git and its child still running');
  },
);
