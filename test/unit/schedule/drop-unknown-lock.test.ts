// A due run of an environment taken out of the config whose schedule file is locked by another process for
// longer than a change may wait: reported (schedule_unreadable), its claim given back so a later reconcile
// drops it, never an exception out of reconcile that leaves the claim behind for good.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../../src/config/load.ts';
import { startDueRuns } from '../../../src/cli/schedule.ts';
import { FileSchedule } from '../../../src/schedule/file-schedule.ts';

test('a locked schedule file of a removed environment: reported, and the claim given back', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'drop-unknown-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const configText = `state_dir: ${dir}/state\ntarget:\n  commands:\n    deploy: ["true"]\nenvironments:\n  production:\n    strategy: { type: direct }\n`;
  const loaded = parseConfig(configText, join(dir, 'deploy.yml'));
  assert.ok(loaded.ok, JSON.stringify(loaded));
  const schedule = new FileSchedule(join(dir, 'state'));
  const now = new Date();
  const run = {
    id: 'gone1',
    environment: 'legacy',
    version: 'v9',
    at: new Date(now.getTime() - 60_000),
    requestedAt: new Date(now.getTime() - 3_600_000),
  };
  await schedule.add(run);
  // Another process is changing the file (a fresh lock) for longer than a change waits (10 s).
  const lock = `${schedule.pathFor('legacy')}.lock`;
  writeFileSync(lock, '');
  const due = await startDueRuns(loaded.config, { now, reporter: { event() {} } });
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
