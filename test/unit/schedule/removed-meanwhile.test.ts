// A run is started by the reconcile that removes it from the schedule (under the schedule's lock), not by every
// reconcile that claimed it: a reconcile whose claim was taken over while it stalled (its claim 5 minutes old)
// finds the run removed by the one that took it, and neither starts nor reports it. Here the run is removed by
// another change while this reconcile, holding its claim, waits for the schedule's lock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startDueRuns } from '../../../src/cli/schedule.ts';
import type { FileSchedule, ScheduledRun } from '../../../src/schedule/file-schedule.ts';
import { dueSchedule } from '../../helpers/due-schedule.ts';

/** FileSchedule's read-change-write under its lock (private: every add and remove goes through it). */
const locked = (schedule: FileSchedule, change: () => Promise<void>) =>
  (schedule as unknown as { locked(env: string, change: () => Promise<void>): Promise<void> }).locked(
    'production',
    change,
  );

test('a run removed by another process while this one held its claim is neither started nor reported here', async (t) => {
  const { config, schedule, now } = await dueSchedule(t, 'removed-meanwhile-', (now): ScheduledRun => ({
    id: 'r5',
    environment: 'production',
    version: 'v2',
    at: new Date(now.getTime() - 60_000),
    requestedAt: new Date(now.getTime() - 3_600_000),
  }));
  const claim = join(schedule.dir, 'r5.claim');
  const events: string[] = [];
  // The process that took the claim over: it holds the schedule's lock, and removes the run once this
  // reconcile has claimed it (and waits for the lock to remove it itself).
  const other = locked(schedule, async () => {
    for (let look = 0; look < 400 && !existsSync(claim); look++)
      await new Promise((done) => setTimeout(done, 10));
    assert.ok(existsSync(claim), 'the reconcile claimed the run');
    await schedule.write('production', []);
  });
  const { results } = await startDueRuns(config, {
    now,
    reporter: { event: (e) => events.push(JSON.stringify(e)) },
  });
  await other;
  assert.deepEqual(results, [], 'nothing started or dropped here');
  assert.ok(!events.some((e) => /starting scheduled run r5/.test(e)), events.join('\n'));
  assert.ok(!existsSync(claim), 'its claim given back');
});
