// The takeover guard of a stale lock: removed when its process died while holding it, never while that
// process still runs (it may be about to remove the lock and take it: two holders).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { takeOverStaleLock } from '../../../src/util/lock-takeover.ts';
import { processStart } from '../../../src/util/process-start.ts';

let dir: string;
let lock: string;
let guard: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lock-takeover-'));
  lock = join(dir, 'reconcile-production.lock');
  guard = `${lock}.takeover`;
  writeFileSync(lock, '{}\n');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const old = (path: string) => utimesSync(path, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));

test('an old guard whose process still runs is left to it: the lock is not touched', async () => {
  // This test's own process: it runs, only stalled past the guard's age.
  writeFileSync(guard, `${JSON.stringify({ pid: process.pid, host: hostname() })}\n`);
  old(guard);
  await takeOverStaleLock(lock, async () => true, 10_000);
  assert.ok(existsSync(guard), 'the running holder keeps its guard');
  assert.ok(existsSync(lock));
});

test('an old guard left by a process that is gone, or naming nobody, is removed; the next takeover goes on', async () => {
  for (const left of [JSON.stringify({ pid: 2 ** 30, host: hostname() }), '']) {
    writeFileSync(guard, left);
    old(guard);
    await takeOverStaleLock(lock, async () => true, 10_000);
    assert.ok(!existsSync(guard), `guard ${JSON.stringify(left)} removed`);
    assert.ok(existsSync(lock), 'nobody judged the lock under that guard');
    await takeOverStaleLock(lock, async () => true, 10_000);
    assert.ok(!existsSync(lock), 'taken over');
    assert.ok(!existsSync(guard));
    writeFileSync(lock, '{}\n');
  }
});

test(
  'an old guard whose pid the kernel gave to another process since is removed; its own process keeps it',
  {
    skip: process.platform !== 'linux' && 'no /proc here',
  },
  async () => {
    const started = processStart(process.pid)!;
    assert.match(started, /^[\w-]+:\d+$/);
    const [boot, tick] = started.split(':');
    // This process's pid, but started at another tick than the guard says: its holder died, the pid was reused.
    writeFileSync(
      guard,
      `${JSON.stringify({ pid: process.pid, host: hostname(), started: `${boot}:${Number(tick) + 1}` })}\n`,
    );
    old(guard);
    await takeOverStaleLock(lock, async () => true, 10_000);
    assert.ok(!existsSync(guard), 'the guard of a process that is gone is removed');
    // The same guard with this process's real start: its holder runs and keeps it.
    writeFileSync(guard, `${JSON.stringify({ pid: process.pid, host: hostname(), started })}\n`);
    old(guard);
    await takeOverStaleLock(lock, async () => true, 10_000);
    assert.ok(existsSync(guard) && existsSync(lock), 'the running holder keeps its guard');
  },
);

test('a young guard is left alone whoever holds it', async () => {
  writeFileSync(guard, '');
  await takeOverStaleLock(lock, async () => true, 10_000);
  assert.ok(existsSync(guard) && existsSync(lock));
});
