// The reconcile lock's takeover of a lock whose holder is gone: a process that judged the old lock stale must
// never remove the lock another process has taken over meanwhile (both would then act on the rollout).
import assert from 'node:assert/strict';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import type { ResolvedEnvironment } from '../../../src/config/resolve.ts';
import { fileReconcileLock, reconcileLockPath } from '../../../src/cli/reconcile-lock.ts';
import type { ProcessProbe } from '../../../src/reconcile/owner.ts';

const DEAD = 999_991;
const LIVE = 999_992;

let dir: string;
let env: ResolvedEnvironment;
let path: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'reconcile-lock-'));
  env = { name: 'production', stateDir: dir } as ResolvedEnvironment;
  path = reconcileLockPath(env);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify({ pid: DEAD, host: hostname() })}\n`);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** DEAD is gone, every other pid runs; `onDead` runs the first time DEAD is probed. */
function probe(onDead: () => void = () => {}): ProcessProbe {
  let first = true;
  return {
    host: hostname(),
    kill: (pid: number) => {
      if (pid !== DEAD) return true;
      if (first) {
        first = false;
        onDead();
      }
      throw Object.assign(new Error('no such process'), { code: 'ESRCH' });
    },
  } as ProcessProbe;
}

test('a lock whose process is gone is taken over, and given back on release', async () => {
  const hold = await fileReconcileLock(probe())(env);
  assert.ok(hold.ok);
  assert.equal(JSON.parse(readFileSync(path, 'utf8')).pid, process.pid);
  await hold.release();
  assert.deepEqual(readdirSync(dirname(path)), []);
});

test('another process takes the stale lock over first: its lock is left alone and this one is busy', async () => {
  // Between this process reading the dead holder and removing its lock, another reconcile removes it and
  // takes the lock (a live process now holds it).
  const hold = await fileReconcileLock(
    probe(() => {
      unlinkSync(path);
      writeFileSync(path, `${JSON.stringify({ pid: LIVE, host: hostname() })}\n`);
    }),
  )(env);
  assert.equal(JSON.parse(readFileSync(path, 'utf8')).pid, LIVE, "the other process's lock is still there");
  assert.equal(hold.ok, false, 'not held by both');
  assert.deepEqual(readdirSync(dirname(path)), [path.slice(dirname(path).length + 1)]);
});

test('an empty lock left by a crash is taken over after seconds, not left to block reconcile', async () => {
  // The lock appears whole (written aside, then linked), so an empty one was never a live process's.
  writeFileSync(path, '');
  const old = (Date.now() - 3_000) / 1000;
  utimesSync(path, old, old);
  const hold = await fileReconcileLock(probe())(env);
  assert.ok(hold.ok, 'taken over');
  assert.equal(JSON.parse(readFileSync(path, 'utf8')).pid, process.pid);
  await hold.release();
});

test('an empty lock made just now is left to whoever is making it', async () => {
  writeFileSync(path, '');
  const hold = await fileReconcileLock(probe())(env);
  assert.equal(hold.ok, false);
  assert.equal(readFileSync(path, 'utf8'), '', 'not removed');
});

test('the lock names its holder the moment it exists', async () => {
  unlinkSync(path);
  const hold = await fileReconcileLock(probe())(env);
  assert.ok(hold.ok);
  const holder = JSON.parse(readFileSync(path, 'utf8'));
  assert.equal(holder.pid, process.pid);
  assert.equal(holder.host, hostname());
  assert.deepEqual(
    readdirSync(dirname(path)),
    [path.slice(dirname(path).length + 1)],
    'no draft left beside it',
  );
  await hold.release();
});
