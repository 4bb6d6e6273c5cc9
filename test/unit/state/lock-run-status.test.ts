// The record lock of another host and GitHub's word on its run attempt: a lock freed by that word is taken
// even when asking took longer than the write waits, and one wait asks about an attempt once, not at every
// retry (a live writer on another runner would otherwise cost a request every 100 ms).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { FileStateStore, type RunStatus } from '../../../src/state/file-store.ts';
import type { EnvironmentRecord } from '../../../src/state/record.ts';
import { HEARTBEAT_GRACE_MS } from '../../../src/util/lock-takeover.ts';

let dir: string;
let lock: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lock-run-status-'));
  lock = `${new FileStateStore(dir).pathFor('production')}.lock`;
  mkdirSync(dirname(lock), { recursive: true });
  writeFileSync(
    lock,
    `${JSON.stringify({ pid: 4242, host: 'runner-elsewhere', run: { id: '42', attempt: '1', repository: 'acme/web' } })}\n`,
  );
  // Its runner died half a minute ago: not touched since.
  const then = new Date(Date.now() - 30_000);
  utimesSync(lock, then, then);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const record: EnvironmentRecord = {
  schema: 1,
  repository: 'acme/web',
  environment: 'production',
  seq: 1,
  updatedAt: new Date(0).toISOString(),
  live: { version: 'v1', since: new Date(0).toISOString() },
  retired: [],
  history: [],
};

test('a lock GitHub frees is taken even when the answer came after the wait ran out', async () => {
  const runStatus: RunStatus = async () => {
    await new Promise((resolve) => setTimeout(resolve, 300));
    return { state: 'ended', conclusion: 'cancelled' };
  };
  const notices: string[] = [];
  const store = new FileStateStore(dir, { lockWaitMs: 50, runStatus, notice: (l) => notices.push(l) });
  await store.write(record);
  const read = await store.read('production');
  assert.ok(read.ok && read.record?.seq === 1, JSON.stringify(read));
  assert.match(notices.join('\n'), /took over .*: its holder, workflow run 42 .* has finished \(cancelled\)/);
});

test('one wait asks GitHub about a running attempt once, then fails naming the holder', async () => {
  let asked = 0;
  const runStatus: RunStatus = async () => {
    asked++;
    return { state: 'running' };
  };
  const store = new FileStateStore(dir, { lockWaitMs: 400, runStatus });
  await assert.rejects(store.write(record), /held by process 4242 on runner-elsewhere/);
  assert.equal(asked, 1);
});

test('a lock touched lately is not taken on its run’s status: its process may still be writing', async () => {
  // A cancelled job's process writing its rollback's record: GitHub already reports its run completed.
  const now = new Date();
  utimesSync(lock, now, now);
  let asked = 0;
  const runStatus: RunStatus = async () => {
    asked++;
    return { state: 'ended', conclusion: 'cancelled' };
  };
  const notices: string[] = [];
  const store = new FileStateStore(dir, { lockWaitMs: 200, runStatus, notice: (l) => notices.push(l) });
  await assert.rejects(store.write(record), /held by process 4242 on runner-elsewhere/);
  assert.deepEqual(notices, []);
  assert.equal(asked, 0, 'not asked while the answer could not free it');
  // Untouched past the grace (its process has stopped): taken over.
  const then = new Date(Date.now() - HEARTBEAT_GRACE_MS - 1_000);
  utimesSync(lock, then, then);
  await store.write(record);
  assert.match(notices.join('\n'), /has finished \(cancelled\) and has not touched it for \d+ s/);
});
