// `deploy-action run --at` records a run instead of running it; `deploy-action reconcile` starts it once it is
// due, after the config's policy is checked again then, and never twice. Through the CLI process, against a
// target that records every call.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { events, runCli } from '../../helpers/cli.ts';
import { recordedTarget } from '../../helpers/recorded-target.ts';
import { parseRunAt, runDecisions } from '../../../src/schedule/file-schedule.ts';
import type { ScheduledRun } from '../../../src/schedule/file-schedule.ts';
import { parseConfig } from '../../../src/config/load.ts';
import { scheduleRunCli } from '../../../src/cli/schedule.ts';

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

function setup(approvals = '') {
  const dir = mkdtempSync(join(tmpdir(), 'schedule-'));
  const target = recordedTarget(dir);
  const write = (extra: string) =>
    writeFileSync(
      join(dir, 'deploy.yml'),
      `preset: fast\nstate_dir: ${dir}/state\n${target.targetYaml.replaceAll(',"{{slot}}"', '')}environments:\n  production:\n    strategy: { type: direct }\n    monitor: 0\n${extra}`,
    );
  write(approvals);
  return {
    dir,
    config: join(dir, 'deploy.yml'),
    calls: target.calls,
    write,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

const cli = (s: { config: string }, ...args: string[]) => runCli([...args, '-c', s.config, '--json']);
const schedules = (dir: string) =>
  (JSON.parse(readFileSync(join(dir, 'state/schedules/production.json'), 'utf8')) as { runs: unknown[] })
    .runs;
/** The scheduled runs reconcile acted on; none when it printed no `scheduled_runs` line (nothing due). */
const dueLine = (stdout: string) =>
  (events(stdout).find((e) => e.type === 'scheduled_runs') as unknown as
    { results: Array<{ code: string; status?: string }> } | undefined) ?? { results: [] };

test('run --at records the run; reconcile starts it when due, once, after checking the policy again', async (t) => {
  const s = setup();
  t.after(s.cleanup);
  const at = new Date(Date.now() + 3_600_000);
  const recorded = await cli(s, 'run', '-e', 'production', '-v', 'v2', '--at', at.toISOString());
  assert.equal(recorded.code, 0, recorded.stdout + recorded.stderr);
  assert.equal(events(recorded.stdout)[0]!.code, 'schedule_recorded');
  assert.deepEqual(s.calls(), [], 'nothing ran');
  assert.equal(schedules(s.dir).length, 1);

  const early = await cli(s, 'reconcile', '-e', 'production');
  assert.equal(early.code, 0, early.stdout + early.stderr);
  assert.deepEqual(dueLine(early.stdout).results, [], 'not due yet');
  assert.equal(events(early.stdout).at(-1)!.type, 'reconcile', "reconcile's result stays the last line");
  assert.deepEqual(s.calls(), []);

  const later = new Date(at.getTime() + 60_000).toISOString();
  const due = await cli(s, 'reconcile', '-e', 'production', '--at', later);
  assert.equal(due.code, 0, due.stdout + due.stderr);
  assert.deepEqual(
    dueLine(due.stdout).results.map((r) => [r.code, r.status]),
    [['schedule_started', 'succeeded']],
  );
  assert.ok(
    s.calls().some((c) => c.startsWith('deploy') && c.endsWith('v2')),
    s.calls().join('\n'),
  );
  assert.deepEqual(schedules(s.dir), [], 'removed from the schedule');
  const record = JSON.parse(readFileSync(join(s.dir, 'state/records/production.json'), 'utf8'));
  assert.equal(record.live.version, 'v2');

  const deploys = s.calls().filter((c) => c.startsWith('deploy')).length;
  const again = await cli(s, 'reconcile', '-e', 'production', '--at', later);
  assert.deepEqual(dueLine(again.stdout).results, []);
  assert.equal(s.calls().filter((c) => c.startsWith('deploy')).length, deploys, 'never started twice');
});

test('at its time a closed window drops the run with its code; bad --at values are refused with exit 2', async (t) => {
  const at = new Date(Date.now() + 3_600_000);
  const day = DAYS[at.getUTCDay()]!;
  const s = setup(
    `    approvals:\n      windows:\n        - { days: [${day}], start: "00:00", end: "24:00" }\n`,
  );
  t.after(s.cleanup);
  assert.equal((await cli(s, 'run', '-e', 'production', '-v', 'v2', '--at', at.toISOString())).code, 0);
  // The window is changed before the run is due: at its time it may no longer start.
  const other = DAYS.filter((d) => d !== day && d !== DAYS[(at.getUTCDay() + 1) % 7]);
  s.write(
    `    approvals:\n      windows:\n        - { days: [${other.join(', ')}], start: "00:00", end: "24:00" }\n`,
  );
  const due = await cli(
    s,
    'reconcile',
    '-e',
    'production',
    '--at',
    new Date(at.getTime() + 60_000).toISOString(),
  );
  assert.equal(due.code, 0, due.stdout + due.stderr);
  assert.deepEqual(
    dueLine(due.stdout).results.map((r) => r.code),
    ['schedule_outside_window'],
  );
  assert.deepEqual(s.calls(), [], 'nothing ran');
  assert.deepEqual(schedules(s.dir), []);

  const refused: Array<[string, string]> = [
    [new Date(Date.now() - 60_000).toISOString(), 'schedule_time_past'],
    [new Date(Date.now() + 31 * 86_400_000).toISOString(), 'schedule_time_too_far'],
    ['2026-02-30T10:00:00Z', 'schedule_time_malformed'],
    ['tomorrow at ten', 'schedule_time_malformed'],
    [`${at.toISOString().slice(0, 10)} 10:00 Mars/Olympus`, 'schedule_zone_unknown'],
    [new Date(at.getTime() + 86_400_000).toISOString(), 'outside_window'],
  ];
  // In-process (the CLI's own function; a process per value would only be slower): exit 2 and the code.
  const loaded = parseConfig(readFileSync(s.config, 'utf8'), s.config);
  assert.ok(loaded.ok);
  for (const [value, code] of refused) {
    let out = '';
    const exit = await scheduleRunCli(
      loaded.config,
      { environment: 'production', version: 'v3', at: value, json: true },
      { out: (t) => (out += t), err: (t) => (out += t) },
    );
    assert.equal(exit, 2, `${value}: ${out}`);
    assert.equal(events(out)[0]!.code, code, value);
  }
  assert.deepEqual(schedules(s.dir), [], 'nothing recorded');
});

test('pure: --at forms, and due runs decided with an injected clock', () => {
  const now = new Date('2026-12-01T08:00:00Z');
  assert.deepEqual(parseRunAt('2026-12-01T10:00:00+01:00', 'UTC', now), {
    ok: true,
    at: new Date('2026-12-01T09:00:00Z'),
    zone: 'UTC',
  });
  assert.deepEqual(parseRunAt('2026-12-01 10:00', 'Europe/Berlin', now), {
    ok: true,
    at: new Date('2026-12-01T09:00:00Z'),
    zone: 'Europe/Berlin',
  });
  assert.equal(
    (
      parseRunAt('2026-10-25 02:30 Europe/Berlin', 'UTC', new Date('2026-10-20T00:00:00Z')) as {
        code: string;
      }
    ).code,
    'schedule_time_ambiguous',
  );
  const parsed = parseConfig(
    'target:\n  commands:\n    deploy: ./d.sh\nenvironments:\n  production: {}\n',
    'deploy.yml',
  );
  assert.ok(parsed.ok);
  const { config } = parsed;
  const run = (id: string, at: string): ScheduledRun => ({
    id,
    environment: 'production',
    version: 'v',
    at: new Date(at),
    requestedAt: now,
  });
  const runs = [
    run('b', '2026-12-01T09:00:00Z'),
    run('a', '2026-12-01T09:00:00Z'),
    run('c', '2026-12-01T12:00:00Z'),
    run('d', '2026-12-01T06:59:00Z'),
  ];
  const decided = (ctx: { now: Date; rolloutInProgress: boolean }) =>
    runDecisions(runs, { config, ...ctx }).map((d) => `${d.run.id}:${d.action}:${d.code}`);
  assert.deepEqual(decided({ now: new Date('2026-12-01T09:00:00Z'), rolloutInProgress: false }), [
    'd:drop:schedule_missed',
    'a:start:schedule_due',
    'b:drop:schedule_behind',
    'c:wait:schedule_not_due',
  ]);
  assert.deepEqual(decided({ now: new Date('2026-12-01T08:59:59Z'), rolloutInProgress: true }), [
    'd:drop:schedule_missed',
    'a:wait:schedule_not_due',
    'b:wait:schedule_not_due',
    'c:wait:schedule_not_due',
  ]);
  assert.equal(
    decided({ now: new Date('2026-12-01T09:00:00Z'), rolloutInProgress: true })[1],
    'a:drop:schedule_locked',
  );
});
