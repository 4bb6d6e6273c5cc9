// Containers that share a host name but not a PID namespace (docker --uts=host, compose with a fixed
// `hostname:` over one state directory) cannot see each other's processes: a live holder's pid is absent
// here. An owner text names its PID namespace and boot, and a holder of another one is judged as one of
// another host (its age, its run's status), never as ended. A text without them (an older version's) is read
// as before: its host name alone says whether its pid can be asked here.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import type { ResolvedEnvironment } from '../../../src/config/resolve.ts';
import { fileReconcileLock, reconcileLockPath } from '../../../src/cli/reconcile-lock.ts';
import { FileSchedule, ScheduleFileError, type ScheduledRun } from '../../../src/schedule/file-schedule.ts';
import { isStaleHolder } from '../../../src/state/file-store.ts';
import {
  createOwnedFile,
  namedProcessState,
  ownerText,
  readOwnedFile,
  removeOwnedFile,
} from '../../../src/util/lock-takeover.ts';
import { processStart } from '../../../src/util/process-start.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lock-pid-space-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** What this process's owner text says of where its pid means something. */
const here = JSON.parse(ownerText()) as { pidns?: string; boot?: string };
/** Off Linux there is no /proc: owner texts name no PID namespace, and the rule is the host name's alone. */
const skipOffLinux = { skip: process.platform !== 'linux' && 'no /proc here' };

/** The pid of a process that has exited (so nothing of this namespace has it now). */
function deadPid(): number {
  const child = spawnSync('true', { stdio: 'ignore' });
  assert.ok(child.pid && child.pid > 0);
  assert.throws(() => process.kill(child.pid!, 0), { code: 'ESRCH' });
  return child.pid!;
}

/** Owner texts naming a process of this host name whose pid does not exist here. */
const texts = (pid: number) => ({
  otherContainer: JSON.stringify({ pid, host: hostname(), pidns: 'pid:[4026532999]', boot: here.boot }),
  otherBoot: JSON.stringify({ pid, host: hostname(), pidns: here.pidns, boot: 'another-boot-id' }),
  sameNamespace: JSON.stringify({ pid, host: hostname(), pidns: here.pidns, boot: here.boot }),
  previousVersion: JSON.stringify({ pid, host: hostname() }),
});

const aged = (path: string, ms: number) =>
  utimesSync(path, new Date(Date.now() - ms), new Date(Date.now() - ms));

test('an owner text names the PID namespace and boot of its process', skipOffLinux, () => {
  const text = JSON.parse(ownerText()) as Record<string, unknown>;
  assert.match(String(text.pidns), /^pid:\[\d+\]$/);
  assert.equal(text.pidns, here.pidns);
  assert.equal(text.boot, processStart(process.pid)?.split(':')[0]);
});

test(
  'a holder of another PID namespace is unknown, never ended; the same namespace’s (before a reboot too), or an older text’s, dead pid has ended',
  skipOffLinux,
  () => {
    const t = texts(deadPid());
    assert.equal(namedProcessState(t.otherContainer), 'unknown');
    assert.equal(
      namedProcessState(t.otherBoot),
      'ended',
      'this machine before a reboot: its processes are gone',
    );
    assert.equal(namedProcessState(t.sameNamespace), 'ended');
    assert.equal(namedProcessState(t.previousVersion), 'ended');
    assert.equal(namedProcessState(ownerText()), 'runs');
  },
);

test(
  'a fresh draft of another container’s process stays; the same namespace’s and an older text’s go',
  skipOffLinux,
  async () => {
    const pid = deadPid();
    const lock = join(dir, 'production.json.lock');
    const t = texts(pid);
    const draft = (n: number) => join(dir, `production.json.lock.${pid}.${n}.tmp`);
    writeFileSync(draft(1), t.otherContainer);
    mkdirSync(draft(2));
    writeFileSync(join(draft(2), 'owner.json'), t.otherBoot);
    writeFileSync(draft(3), t.sameNamespace);
    writeFileSync(draft(4), t.previousVersion);
    await createOwnedFile(lock);
    await removeOwnedFile(lock);
    assert.deepEqual(
      [1, 2, 3, 4].map((n) => existsSync(draft(n))),
      [true, false, false, false],
    );
  },
);

test('a record lock of another container’s process is stale only by age', skipOffLinux, () => {
  const deadHere = () => ({ runs: false });
  const t = texts(deadPid());
  const holder = (text: string) => JSON.parse(text) as Record<string, unknown>;
  assert.equal(isStaleHolder(holder(t.otherContainer), 1_000, hostname(), deadHere), false);
  assert.equal(isStaleHolder(holder(t.otherBoot), 1_000, hostname(), deadHere), true);
  assert.equal(isStaleHolder(holder(t.otherContainer), 10 * 60_000, hostname(), deadHere), true);
  assert.equal(isStaleHolder(holder(t.sameNamespace), 1_000, hostname(), deadHere), true);
  assert.equal(isStaleHolder(holder(t.previousVersion), 1_000, hostname(), deadHere), true);
});

const run = (id: string): ScheduledRun => ({
  id,
  environment: 'production',
  version: 'v1',
  at: new Date(Date.now() + 3_600_000),
  requestedAt: new Date(),
});

test(
  'the schedule lock of another container’s process is not taken over at once, only once old',
  skipOffLinux,
  async () => {
    // A wait of 1 s, not the 10 s default: the lock stays fresh (far from stale) however long it is
    // waited for.
    const schedule = new FileSchedule(dir, { lockWaitMs: 1_000 });
    const lock = `${schedule.pathFor('production')}.lock`;
    mkdirSync(schedule.dir, { recursive: true });
    const t = texts(deadPid());
    writeFileSync(lock, t.otherContainer);
    await assert.rejects(schedule.add(run('waiting')), ScheduleFileError);
    assert.equal(readOwnedFile(lock), t.otherContainer, 'still its lock');
    assert.deepEqual(schedule.read('production'), []);

    aged(lock, 60_000);
    await schedule.add(run('after'));
    assert.deepEqual(
      schedule.read('production').map((r) => r.id),
      ['after'],
    );
  },
);

test(
  'the schedule lock of the same namespace’s dead process, or an older text’s, is taken over at once',
  skipOffLinux,
  async () => {
    const schedule = new FileSchedule(dir);
    const lock = `${schedule.pathFor('production')}.lock`;
    mkdirSync(schedule.dir, { recursive: true });
    const t = texts(deadPid());
    for (const [i, text] of [t.sameNamespace, t.previousVersion].entries()) {
      writeFileSync(lock, text);
      await schedule.add(run(`after-${i}`));
    }
    assert.deepEqual(
      schedule.read('production').map((r) => r.id),
      ['after-0', 'after-1'],
    );
  },
);

test(
  'the reconcile lock of another container’s process is left to it; the same namespace’s dead one is taken over',
  skipOffLinux,
  async () => {
    const env = { name: 'production', stateDir: dir } as ResolvedEnvironment;
    const path = reconcileLockPath(env);
    mkdirSync(join(dir, 'locks'), { recursive: true });
    const t = texts(deadPid());
    const notices: string[] = [];
    const take = fileReconcileLock(undefined, { notice: (line) => notices.push(line) });

    for (const text of [t.otherContainer]) {
      writeFileSync(path, text);
      const held = await take(env);
      assert.equal(held.ok, false);
      assert.match(held.ok ? '' : (held.holder ?? ''), /another host \(or container\)/);
      assert.equal(readOwnedFile(path), text, 'still its lock');
    }
    assert.deepEqual(notices, []);

    // A lock left before a reboot of this machine is taken over at once: no cron reconcile waits for a hand.
    for (const text of [t.sameNamespace, t.previousVersion, t.otherBoot]) {
      writeFileSync(path, text);
      const held = await take(env);
      assert.ok(held.ok, 'taken over');
      await held.release();
    }
    assert.equal(notices.length, 3, 'each takeover is told');
  },
);
