// A cancelled `deploy-action reconcile` starts no scheduled run (`run --at`): SIGINT/SIGTERM means stop, and a
// deployment started after it is the opposite. Nor is a due run taken out of the schedule once cancelled: it
// would be removed (claimed before it starts) and never run, lost.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, startCli } from '../../helpers/cli.ts';
import { recordedTarget } from '../../helpers/recorded-target.ts';
import { FileSchedule, type ScheduledRun } from '../../../src/schedule/file-schedule.ts';
import { parseConfig } from '../../../src/config/load.ts';
import { startDueRuns } from '../../../src/cli/schedule.ts';

function setup(environments: string) {
  const dir = mkdtempSync(join(tmpdir(), 'reconcile-cancel-'));
  const target = recordedTarget(dir);
  const config = join(dir, 'deploy.yml');
  writeFileSync(
    config,
    `preset: fast\nstate_dir: ${dir}/state\n${target.targetYaml}environments:\n${environments}`,
  );
  return { dir, config, target, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

const scheduledIds = (dir: string, environment: string) =>
  new FileSchedule(join(dir, 'state'))
    .read(environment)
    .map((r) => r.id)
    .sort();

test('SIGINT while reconcile checks a due teardown: reconcile_cancelled, and the due scheduled run is neither started nor dropped', async (t) => {
  const s = setup(
    '  production:\n    strategy: { type: blue-green, scale_down_delay: 1h, verify_after_switch: 0s }\n',
  );
  t.after(s.cleanup);
  // v2 goes live on green; blue (v1) is retired, due in an hour.
  const deployed = await runCli(['run', '-e', 'production', '-v', 'v2', '-c', s.config], {
    env: { CURRENT: '{"slot":"blue","version":"v1"}' },
  });
  assert.equal(deployed.code, 0, deployed.stdout + deployed.stderr);
  const at = new Date(Date.now() + 3_600_000);
  const recorded = await runCli(
    ['run', '-e', 'production', '-v', 'v3', '--at', at.toISOString(), '-c', s.config],
    { env: { CURRENT: '{"slot":"green","version":"v2"}' } },
  );
  assert.equal(recorded.code, 0, recorded.stdout + recorded.stderr);
  const [scheduled] = scheduledIds(s.dir, 'production');
  assert.ok(scheduled, 'the run is scheduled');

  // Two hours on, the teardown and the run are both due; the `current` check before the teardown takes 3 s.
  const since = s.target.calls().length;
  const later = new Date(Date.now() + 7_200_000).toISOString();
  const run = startCli(['reconcile', '--at', later, '-c', s.config], {
    env: { CURRENT: '{"slot":"green","version":"v2"}', SLEEP_ON: 'current=3000' },
  });
  t.after(() => void (run.child.exitCode === null && run.child.kill('SIGKILL')));
  for (let i = 0; !s.target.calls().slice(since).includes('current'); i++) {
    if (run.child.exitCode !== null || i > 600) assert.fail('reconcile never asked current');
    await new Promise((r) => setTimeout(r, 50));
  }
  run.child.kill('SIGINT');
  const { code, stdout } = await run.done;
  assert.equal(code, 1, stdout);
  assert.match(stdout, /reconcile_cancelled/);
  assert.deepEqual(
    s.target.actingCalls(since),
    [],
    `nothing acted on the target after the signal (no teardown, no scheduled deployment):\n${stdout}`,
  );
  assert.doesNotMatch(stdout, /starting scheduled run/);
  assert.match(stdout, new RegExp(`scheduled run ${scheduled} of production: schedule_cancelled`));
  assert.deepEqual(scheduledIds(s.dir, 'production'), [scheduled], 'the run stays for the next reconcile');
  const record = JSON.parse(readFileSync(join(s.dir, 'state/records/production.json'), 'utf8'));
  assert.equal(record.live.version, 'v2', 'v2 still serves');
});

test("cancelled while the first due run deploys: the other environments' due runs stay in the schedule, not started", async (t) => {
  const s = setup('  alpha:\n    strategy: { type: direct }\n  beta:\n    strategy: { type: direct }\n');
  t.after(s.cleanup);
  // Direct deploys have no slot.
  writeFileSync(s.config, readFileSync(s.config, 'utf8').replaceAll(',"{{slot}}"', ''));
  const loaded = parseConfig(readFileSync(s.config, 'utf8'), s.config);
  assert.ok(loaded.ok, JSON.stringify(loaded));
  const schedule = new FileSchedule(join(s.dir, 'state'));
  const now = new Date();
  const run = (id: string, environment: string): ScheduledRun => ({
    id,
    environment,
    version: 'v2',
    at: new Date(now.getTime() - 60_000),
    requestedAt: new Date(now.getTime() - 3_600_000),
  });
  await schedule.add(run('first', 'alpha'));
  await schedule.add(run('second', 'beta'));
  const controller = new AbortController();
  const due = await startDueRuns(loaded.config, {
    now,
    reporter: {
      event(e) {
        // The job is cancelled as the first scheduled run starts.
        if (e.type === 'log' && e.message.startsWith('starting scheduled run first')) controller.abort();
      },
    },
    signal: controller.signal,
  });
  assert.deepEqual(
    due.results.map((r) => [r.id, r.code, r.status]),
    [
      ['first', 'schedule_started', 'cancelled'],
      ['second', 'schedule_cancelled', undefined],
    ],
  );
  assert.equal(due.exitCode, 1, 'a due run left unstarted fails reconcile');
  assert.ok(
    !s.target.calls().some((c) => c.startsWith('deploy')),
    `no deployment after the cancellation:\n${s.target.calls().join('\n')}`,
  );
  assert.deepEqual(scheduledIds(s.dir, 'beta'), ['second'], 'the run not started stays in the schedule');

  // Cancelled before any: nothing is claimed, taken out of the schedule or started.
  await schedule.add(run('third', 'alpha'));
  const before = await startDueRuns(loaded.config, {
    now,
    reporter: { event() {} },
    signal: AbortSignal.abort(),
  });
  assert.deepEqual(
    before.results.map((r) => [r.id, r.code]),
    [
      ['third', 'schedule_cancelled'],
      ['second', 'schedule_cancelled'],
    ],
  );
  assert.deepEqual(scheduledIds(s.dir, 'alpha'), ['third']);
  assert.deepEqual(scheduledIds(s.dir, 'beta'), ['second']);
  assert.ok(!s.target.calls().some((c) => c.startsWith('deploy')));
});
