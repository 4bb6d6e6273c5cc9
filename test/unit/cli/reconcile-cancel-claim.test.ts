// A signal that comes while reconcile claims a due scheduled run, or takes it out of the schedule before its
// start, used to find the run already removed: it was 'started' cancelled at once and was gone, never run.
// It is given back (or put back) and stays due for the next reconcile, reported schedule_cancelled.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recordedTarget } from '../../helpers/recorded-target.ts';
import { FileSchedule, type ScheduledRun } from '../../../src/schedule/file-schedule.ts';
import { parseConfig } from '../../../src/config/load.ts';
import { startDueRuns } from '../../../src/cli/schedule.ts';

for (const during of ['claim', 'finish'] as const) {
  test(`a signal during the ${during} of a due run: not started, and it stays in the schedule`, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'reconcile-claim-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const target = recordedTarget(dir);
    const config = join(dir, 'deploy.yml');
    writeFileSync(
      config,
      `preset: fast\nstate_dir: ${dir}/state\n${target.targetYaml.replaceAll(',"{{slot}}"', '')}environments:\n  alpha:\n    strategy: { type: direct }\n`,
    );
    const loaded = parseConfig(readFileSync(config, 'utf8'), config);
    assert.ok(loaded.ok, JSON.stringify(loaded));
    const schedule = new FileSchedule(join(dir, 'state'));
    const now = new Date();
    const run: ScheduledRun = {
      id: 'first',
      environment: 'alpha',
      version: 'v2',
      at: new Date(now.getTime() - 60_000),
      requestedAt: new Date(now.getTime() - 3_600_000),
    };
    await schedule.add(run);
    const controller = new AbortController();
    // The signal comes as the schedule's step returns (its file work under way when SIGINT arrived).
    const original = FileSchedule.prototype[during];
    FileSchedule.prototype[during] = async function (this: FileSchedule, r: ScheduledRun) {
      const answer = await original.call(this, r);
      controller.abort();
      return answer;
    };
    t.after(() => void (FileSchedule.prototype[during] = original));
    const due = await startDueRuns(loaded.config, {
      now,
      reporter: { event() {} },
      signal: controller.signal,
    });
    FileSchedule.prototype[during] = original;
    assert.deepEqual(
      due.results.map((r) => [r.id, r.code]),
      [['first', 'schedule_cancelled']],
    );
    assert.equal(due.exitCode, 1);
    assert.deepEqual(
      new FileSchedule(join(dir, 'state')).read('alpha').map((r) => r.id),
      ['first'],
      'the run stays for the next reconcile',
    );
    assert.ok(!target.calls().some((c) => c.startsWith('deploy')), target.calls().join('\n'));
    // The next reconcile starts it.
    const next = await startDueRuns(loaded.config, { now, reporter: { event() {} } });
    assert.deepEqual(
      next.results.map((r) => [r.id, r.code, r.status]),
      [['first', 'schedule_started', 'succeeded']],
    );
  });
}
