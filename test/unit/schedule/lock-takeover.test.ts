// The schedule file's lock left by a process that died mid-change (older than 30 s): several changes at once
// take it over, and each change that reports success is kept. Removing the stale lock without a guard let a
// process that had judged it stale remove the lock another had just taken, and both wrote what they read
// (about 1 trial in 100 of four adds at once lost a run). Bounded: 300 trials, each a few milliseconds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSchedule, type ScheduledRun } from '../../../src/schedule/file-schedule.ts';

test('a stale lock taken over by four changes at once loses none of them', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'schedule-takeover-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const now = new Date();
  const run = (id: string): ScheduledRun => ({
    id,
    environment: 'production',
    version: 'v1',
    at: new Date(now.getTime() + 3_600_000),
    requestedAt: now,
  });
  for (let trial = 0; trial < 300; trial++) {
    const schedule = new FileSchedule(join(root, String(trial)));
    mkdirSync(schedule.dir, { recursive: true });
    const lock = `${schedule.pathFor('production')}.lock`;
    writeFileSync(lock, '');
    const old = new Date(Date.now() - 60_000);
    utimesSync(lock, old, old);
    const ids = ['a', 'b', 'c', 'd'];
    const added = await Promise.allSettled(ids.map((id) => schedule.add(run(id))));
    const reported = ids.filter((_, i) => added[i]!.status === 'fulfilled');
    const kept = schedule.read('production').map((r) => r.id);
    assert.deepEqual(kept.sort(), reported.sort(), `trial ${trial}: every change reported done is kept`);
    assert.deepEqual(readdirSync(schedule.dir), ['production.json'], `trial ${trial}: no lock left`);
  }
});
