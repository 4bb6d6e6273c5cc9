// A run's claim left by a reconcile that died between claiming the run and removing it from the schedule:
// once it is older than any claim can live (minutes), a later reconcile takes it over and acts on the run
// (here: drops it as missed, with its code), instead of skipping it as claimed on every reconcile forever
// and saying nothing. A fresh claim (a start or a cancel under way) is still respected.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../../src/config/load.ts';
import { startDueRuns } from '../../../src/cli/schedule.ts';
import { FileSchedule } from '../../../src/schedule/file-schedule.ts';

test('a claim left by a reconcile that died is taken over; a fresh one is respected', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'stale-claim-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const configText = `state_dir: ${dir}/state\ntarget:\n  commands:\n    deploy: ["true"]\nenvironments:\n  production:\n    strategy: { type: direct }\n`;
  const loaded = parseConfig(configText, join(dir, 'deploy.yml'));
  assert.ok(loaded.ok, JSON.stringify(loaded));
  const schedule = new FileSchedule(join(dir, 'state'));
  const now = new Date();
  // Due three hours ago: whoever acts on it drops it as missed (no deployment runs in this test).
  const run = {
    id: 'r1',
    environment: 'production',
    version: 'v2',
    at: new Date(now.getTime() - 3 * 3_600_000),
    requestedAt: new Date(now.getTime() - 4 * 3_600_000),
  };
  await schedule.add(run);
  const claim = join(schedule.dir, 'r1.claim');
  writeFileSync(claim, '4242\n');

  // A fresh claim: another reconcile is acting on it right now.
  const fresh = await startDueRuns(loaded.config, { now, reporter: { event() {} } });
  assert.deepEqual(fresh.results, []);
  assert.ok(schedule.read('production').some((r) => r.id === 'r1'));

  // The same claim ten minutes later: its process died.
  const old = new Date(Date.now() - 10 * 60_000);
  utimesSync(claim, old, old);
  const taken = await startDueRuns(loaded.config, { now, reporter: { event() {} } });
  assert.deepEqual(
    taken.results.map((r) => [r.id, r.code]),
    [['r1', 'schedule_missed']],
  );
  assert.deepEqual(schedule.read('production'), []);
  assert.ok(!existsSync(claim), 'no claim left behind');
});
