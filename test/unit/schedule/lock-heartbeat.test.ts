// The schedule file's lock is touched by its holder while it holds it (lock-takeover.ts keepTouched, as the
// record locks and the reconcile lock are), so a process that cannot ask about the holder (another container
// sharing the host name: another PID namespace) takes it over only once it is untouched for 30 s, never from a
// holder still at work however long its change takes. A real process in a PID namespace of its own holds the
// lock here, in a change that does not end until it is killed.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { FileSchedule, type ScheduledRun } from '../../../src/schedule/file-schedule.ts';
import { HEARTBEAT_GRACE_MS, readOwnedFile } from '../../../src/util/lock-takeover.ts';

const SCHEDULE_MODULE = join(import.meta.dirname, '../../../src/schedule/file-schedule.ts');
/** A process in a PID namespace of its own needs unshare(1) and the right to use it (root, here). */
const unshareRefused =
  process.platform !== 'linux' ||
  spawnSync('unshare', ['--pid', '--kill-child', '--mount-proc', 'true'], { stdio: 'ignore' }).status !== 0;

let root: string;
const children: ChildProcess[] = [];
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'schedule-heartbeat-'));
});
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

const now = new Date();
const run = (id: string): ScheduledRun => ({
  id,
  environment: 'production',
  version: 'v1',
  at: new Date(now.getTime() + 3_600_000),
  requestedAt: now,
});

/**
 * A process of another PID namespace (a container sharing this host name) that takes production's schedule
 * lock, touching it every 50 ms, in a change that goes on until the process is killed.
 */
async function holderElsewhere(): Promise<{ child: ChildProcess; pid: number }> {
  const script = `
    import { FileSchedule } from ${JSON.stringify(SCHEDULE_MODULE)};
    const schedule = new FileSchedule(${JSON.stringify(root)}, { heartbeatMs: 50 });
    // The change (the private read-change-write every add and remove goes through) never ends.
    void schedule.locked('production', () => {
      process.stdout.write(process.pid + '\\n');
      return new Promise(() => setInterval(() => {}, 1000));
    });`;
  const child = spawn(
    'unshare',
    ['--pid', '--kill-child', '--mount-proc', process.execPath, '--input-type=module', '-e', script],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  children.push(child);
  const pid = await new Promise<number>((done, fail) => {
    let out = '';
    child.stdout!.on('data', (data: Buffer) => {
      out += data.toString();
      if (out.includes('\n')) done(Number(out.split('\n')[0]));
    });
    child.on('exit', (code) => fail(new Error(`the holder exited (${code}) before taking the lock`)));
  });
  return { child, pid };
}

test(
  'a lock held in another container is left while its holder touches it, taken once it stops',
  { skip: unshareRefused && 'unshare --pid is refused here' },
  async () => {
    const schedule = new FileSchedule(root, { lockWaitMs: 300 });
    const lock = `${schedule.pathFor('production')}.lock`;
    const holder = await holderElsewhere();
    const setMtime = (msAgo: number) => {
      const then = new Date(Date.now() - msAgo);
      utimesSync(lock, then, then);
    };
    const untouchedMs = () => Date.now() - statSync(lock).mtimeMs;
    const heldBy = () => (JSON.parse(readOwnedFile(lock) ?? '{}') as { pid?: number }).pid;
    assert.equal(heldBy(), holder.pid, 'the holder names itself (its pid in its own namespace)');

    // Held for a minute already (a change stalled on a slow disk): its heartbeat keeps it fresh.
    setMtime(60_000);
    for (let look = 0; look < 400 && untouchedMs() > HEARTBEAT_GRACE_MS; look++)
      await new Promise((done) => setTimeout(done, 25));
    assert.ok(untouchedMs() <= HEARTBEAT_GRACE_MS, 'the holder touched its lock');
    await assert.rejects(
      schedule.add(run('a')),
      /has been held for \d+ s by process \d+ on .*; nothing was changed/,
    );
    assert.equal(heldBy(), holder.pid, 'still its lock');
    assert.deepEqual(schedule.read('production'), []);

    // Killed: nobody touches it any more. Untouched past 30 s, it is taken over and the change goes through.
    const exited = new Promise((done) => holder.child.on('exit', done));
    holder.child.kill('SIGKILL');
    await exited;
    setMtime(31_000);
    await schedule.add(run('b'));
    assert.deepEqual(
      schedule.read('production').map((r) => r.id),
      ['b'],
    );
    assert.equal(readOwnedFile(lock), undefined, 'given back');
  },
);

test('a change touches its lock while it holds it, and gives it back after', async () => {
  const schedule = new FileSchedule(root, { heartbeatMs: 20 });
  const lock = `${schedule.pathFor('production')}.lock`;
  let untouched = Number.POSITIVE_INFINITY;
  // A change that takes a while: the lock, set back a minute, is touched again before it ends.
  await (schedule as unknown as { locked(env: string, change: () => Promise<void>): Promise<void> }).locked(
    'production',
    async () => {
      const then = new Date(Date.now() - 60_000);
      utimesSync(lock, then, then);
      for (let look = 0; look < 400 && untouched > HEARTBEAT_GRACE_MS; look++) {
        await new Promise((done) => setTimeout(done, 10));
        untouched = Date.now() - statSync(lock).mtimeMs;
      }
    },
  );
  assert.ok(untouched <= HEARTBEAT_GRACE_MS, 'touched while held');
  assert.equal(readOwnedFile(lock), undefined, 'given back');
});
