// A due run of an environment taken out of the config whose schedule file is locked by another process for
// longer than a change may wait: reported (schedule_unreadable), its claim given back so a later reconcile
// drops it, never an exception out of reconcile that leaves the claim behind for good.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDueRuns } from '../../../src/cli/schedule.ts';
import { dueSchedule } from '../../helpers/due-schedule.ts';

test('a locked schedule file of a removed environment: reported, and the claim given back', async (t) => {
  const { dir, config, schedule, now } = await dueSchedule(t, 'drop-unknown-', (now) => ({
    id: 'gone1',
    environment: 'legacy',
    version: 'v9',
    at: new Date(now.getTime() - 60_000),
    requestedAt: new Date(now.getTime() - 3_600_000),
  }));
  // Another process is changing the file (a fresh lock) for longer than a change waits (here 1 s, not the
  // 10 s default: the lock stays fresh however long it is waited for).
  const lock = `${schedule.pathFor('legacy')}.lock`;
  writeFileSync(lock, '');
  const due = await startDueRuns(config, { now, scheduleLockWaitMs: 1_000, reporter: { event() {} } });
  assert.deepEqual(
    due.results.map((r) => [r.id, r.environment, r.code]),
    [['gone1', 'legacy', 'schedule_unreadable']],
  );
  assert.equal(due.exitCode, 1, 'reconcile fails, as for an unreadable schedule file');
  assert.ok(!existsSync(join(dir, 'state', 'schedules', 'gone1.claim')), 'the claim is given back');
  assert.ok(
    schedule.read('legacy').some((r) => r.id === 'gone1'),
    'the run is still there for the next reconcile',
  );
});
