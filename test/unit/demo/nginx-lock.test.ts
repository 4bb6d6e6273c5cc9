// The nginx router's lock (examples/demo/lib/nginx-runtime.ts): one ctl at a time changes the router, and
// another waits for it longer than a change may legitimately hold it. A fake clock: nothing really waits.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  LOCK_BOUND_MS,
  LONGEST_HOLD_MS,
  lockText,
  nginxPaths,
  NginxError,
  withLock,
} from '../../../examples/demo/lib/nginx-runtime.ts';

function prefix(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'nginx-lock-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A clock that moves only when slept on; `at(ms, fn)` runs fn once the clock has reached ms. */
function fakeClock() {
  let now = 0;
  const due: Array<{ at: number; fn: () => Promise<void> }> = [];
  return {
    now: () => now,
    async sleep(ms: number) {
      now += ms;
      for (const d of due.splice(0))
        if (d.at <= now) await d.fn();
        else due.push(d);
    },
    at(ms: number, fn: () => Promise<void>) {
      due.push({ at: ms, fn });
    },
  };
}

test('another ctl that holds the lock for the longest legitimate change is waited out, not given up on', async (t) => {
  const paths = nginxPaths(prefix(t));
  // A live owner (this process's own pid and start time): it runs, so its lock is never taken over.
  await writeFile(paths.lock, await lockText());
  const clock = fakeClock();
  // It holds the lock through the slowest change it may make (probe, nginx -t, reload, the reload's wait).
  clock.at(LONGEST_HOLD_MS, () => rm(paths.lock, { force: true }));
  let ran = false;
  await withLock(
    paths,
    async () => {
      ran = true;
      assert.equal(await readFile(paths.lock, 'utf8'), await lockText(), 'this ctl holds it now');
    },
    clock,
  );
  assert.ok(ran);
  assert.ok(clock.now() >= LONGEST_HOLD_MS);
  await assert.rejects(readFile(paths.lock), 'released after');
});

test('a lock held past the bound still fails, in the same words', async (t) => {
  const paths = nginxPaths(prefix(t));
  await writeFile(paths.lock, await lockText());
  const clock = fakeClock();
  await assert.rejects(
    withLock(paths, async () => assert.fail('must not run'), clock),
    (e: Error) => {
      assert.ok(e instanceof NginxError);
      assert.equal(
        e.message,
        `another ctl (pid ${process.pid}) still holds ${paths.lock} after ${LOCK_BOUND_MS} ms`,
      );
      return true;
    },
  );
  assert.ok(LOCK_BOUND_MS > LONGEST_HOLD_MS);
});
