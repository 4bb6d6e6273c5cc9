// A run's claim left by a reconcile that died between claiming the run and removing it from the schedule:
// once it is older than any claim can live (minutes), a later reconcile takes it over and acts on the run
// (here: drops it as missed, with its code), instead of skipping it as claimed on every reconcile forever
// and saying nothing. A fresh claim (a start or a cancel under way) is still respected.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDueRuns } from '../../../src/cli/schedule.ts';
import { dueSchedule } from '../../helpers/due-schedule.ts';

test('a claim left by a reconcile that died is taken over; a fresh one is respected', async (t) => {
  // Due three hours ago: whoever acts on it drops it as missed (no deployment runs in this test).
  const { config, schedule, now } = await dueSchedule(t, 'stale-claim-', (now) => ({
    id: 'r1',
    environment: 'production',
    version: 'v2',
    at: new Date(now.getTime() - 3 * 3_600_000),
    requestedAt: new Date(now.getTime() - 4 * 3_600_000),
  }));
  const claim = join(schedule.dir, 'r1.claim');
  writeFileSync(claim, '4242\n');

  // A fresh claim: another reconcile is acting on it right now.
  const fresh = await startDueRuns(config, { now, reporter: { event() {} } });
  assert.deepEqual(fresh.results, []);
  assert.ok(schedule.read('production').some((r) => r.id === 'r1'));

  // The same claim ten minutes later: its process died.
  const old = new Date(Date.now() - 10 * 60_000);
  utimesSync(claim, old, old);
  const taken = await startDueRuns(config, { now, reporter: { event() {} } });
  assert.deepEqual(
    taken.results.map((r) => [r.id, r.code]),
    [['r1', 'schedule_missed']],
  );
  assert.deepEqual(schedule.read('production'), []);
  assert.ok(!existsSync(claim), 'no claim left behind');
});

test('an empty claim (its claimant between creating and writing it) is held as any fresh claim is', async (t) => {
  const { config, schedule, now } = await dueSchedule(t, 'empty-claim-', (now) => ({
    id: 'r2',
    environment: 'production',
    version: 'v2',
    at: new Date(now.getTime() - 3 * 3_600_000),
    requestedAt: new Date(now.getTime() - 4 * 3_600_000),
  }));
  const claim = join(schedule.dir, 'r2.claim');
  // Judged by its age alone, never by what it says: an empty one is neither foreign, nor stale, nor unparsable.
  writeFileSync(claim, '');
  const fresh = await startDueRuns(config, { now, reporter: { event() {} } });
  assert.deepEqual(fresh.results, []);
  assert.ok(schedule.read('production').some((r) => r.id === 'r2'));
  assert.ok(existsSync(claim), 'left to its claimant');
});
