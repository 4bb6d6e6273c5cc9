// A workflow run GitHub reports completed may still have its process at work: a cancelled job's process
// rolling back for a few seconds, a runner's cleanup. The reconcile lock's holder touches its lock while it
// holds it (a heartbeat), and a lock is taken over on its run's status only once it has also gone untouched for
// HEARTBEAT_GRACE_MS, so a reconcile never acts while that rollback still runs. A real process holds the lock
// here, as a job's would (its owner text names its run); the reader sees it as another host's (its probe names
// another host), so only the run's status and the heartbeat can free it.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, utimesSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { fileReconcileLock, reconcileLockPath } from '../../../src/cli/reconcile-lock.ts';
import type { ResolvedEnvironment } from '../../../src/config/resolve.ts';
import type { ProcessProbe } from '../../../src/reconcile/owner.ts';
import { HEARTBEAT_GRACE_MS, readOwnedFile } from '../../../src/util/lock-takeover.ts';

const LOCK_MODULE = join(import.meta.dirname, '../../../src/cli/reconcile-lock.ts');

let dir: string;
let env: ResolvedEnvironment;
let path: string;
const children: ChildProcess[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'reconcile-lock-heartbeat-'));
  env = { name: 'production', stateDir: dir } as ResolvedEnvironment;
  path = reconcileLockPath(env);
});
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** A reconcile job's process of run 42: takes the lock (touching it every 50 ms) and holds it until killed. */
async function jobHoldingTheLock(): Promise<ChildProcess> {
  const script = `
    import { fileReconcileLock } from ${JSON.stringify(LOCK_MODULE)};
    const hold = await fileReconcileLock(undefined, { heartbeatMs: 50 })(${JSON.stringify(env)});
    process.stdout.write(hold.ok ? 'held\\n' : 'busy\\n');
    setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: {
      ...process.env,
      GITHUB_ACTIONS: 'true',
      GITHUB_RUN_ID: '42',
      GITHUB_RUN_ATTEMPT: '1',
      GITHUB_REPOSITORY: 'acme/web',
    },
  });
  children.push(child);
  await new Promise<void>((done, fail) => {
    child.stdout!.on('data', (data: Buffer) =>
      data.toString().includes('held') ? done() : fail(new Error(String(data))),
    );
    child.on('exit', (code) => fail(new Error(`the job exited (${code}) before taking the lock`)));
  });
  return child;
}

/** This process sees the lock's holder as one of another host: it cannot ask about its pid. */
const elsewhere: ProcessProbe = { host: `not-${hostname()}`, kill: () => {} };

const setMtime = (msAgo: number) => {
  const then = new Date(Date.now() - msAgo);
  utimesSync(path, then, then);
};
const untouchedMs = () => Date.now() - statSync(path).mtimeMs;

test('a lock whose run GitHub reports completed is left while its process still touches it, taken once it stops', async () => {
  const job = await jobHoldingTheLock();
  const notices: string[] = [];
  const asked: string[] = [];
  const lock = fileReconcileLock(elsewhere, {
    notice: (line) => notices.push(line),
    runStatus: async (run) => {
      asked.push(`${run.repository}#${run.id}.${run.attempt}`);
      return { state: 'ended', conclusion: 'cancelled' };
    },
  });

  // The job was cancelled: GitHub says its run completed, but its process is still rolling back.
  const busy = await lock(env);
  assert.equal(busy.ok, false, 'not taken from a process still at work');
  assert.match(
    busy.ok ? '' : (busy.holder ?? ''),
    new RegExp(
      `process ${job.pid} on .* \\(workflow run 42\\), .*; its workflow run has finished \\(cancelled\\), but its holder touched the lock within ${HEARTBEAT_GRACE_MS / 1000} s`,
    ),
  );
  assert.ok(asked.length > 0 && asked.every((a) => a === 'acme/web#42.1'), asked.join());

  // However long it holds the lock, its heartbeat keeps it fresh: set back, it is touched again.
  setMtime(10 * HEARTBEAT_GRACE_MS);
  for (let look = 0; look < 400 && untouchedMs() > HEARTBEAT_GRACE_MS; look++)
    await new Promise((done) => setTimeout(done, 25));
  assert.ok(untouchedMs() <= HEARTBEAT_GRACE_MS, 'the holder touched its lock');
  assert.equal((await lock(env)).ok, false);
  assert.equal(JSON.parse(readOwnedFile(path)!).pid, job.pid, 'still its lock');
  assert.deepEqual(notices, []);

  // The process ends: nobody touches the lock any more. Once untouched past the grace, it is taken over.
  const exited = new Promise((done) => job.on('exit', done));
  job.kill('SIGKILL');
  await exited;
  setMtime(HEARTBEAT_GRACE_MS + 5_000);
  const hold = await lock(env);
  assert.ok(hold.ok, JSON.stringify(hold));
  assert.equal(JSON.parse(readOwnedFile(path)!).pid, process.pid);
  assert.equal(notices.length, 1);
  assert.match(
    notices[0]!,
    new RegExp(
      `took over .*: its holder, process ${job.pid} on .* in workflow run 42, has finished \\(cancelled\\) and has not touched it for \\d+ s$`,
    ),
  );
  await hold.release();
});

test('a holder touches its lock while it holds it, and stops once it gives it back', async () => {
  const hold = await fileReconcileLock(undefined, { heartbeatMs: 20 })(env);
  assert.ok(hold.ok);
  setMtime(10 * HEARTBEAT_GRACE_MS);
  for (let look = 0; look < 400 && untouchedMs() > HEARTBEAT_GRACE_MS; look++)
    await new Promise((done) => setTimeout(done, 10));
  assert.ok(untouchedMs() <= HEARTBEAT_GRACE_MS, 'touched while held');
  await hold.release();
  assert.equal(readOwnedFile(path), undefined, 'given back');
});
