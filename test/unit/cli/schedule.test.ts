// `deploy-action run --at` records a run instead of running it; `deploy-action reconcile` starts it once it is
// due, after the config's policy is checked again then, and never twice. Through the CLI process, against a
// target that records every call.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { events, runCli, startCli } from '../../helpers/cli.ts';
import { recordedTarget } from '../../helpers/recorded-target.ts';
import { FileSchedule, parseRunAt, runDecisions } from '../../../src/schedule/file-schedule.ts';
import type { ScheduledRun } from '../../../src/schedule/file-schedule.ts';
import { parseConfig } from '../../../src/config/load.ts';
import { scheduleRunCli, startDueRuns } from '../../../src/cli/schedule.ts';

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
  // At its time (the clock injected: `reconcile --at` only rehearses, it never drops a run before its time).
  const loaded = parseConfig(readFileSync(s.config, 'utf8'), s.config);
  assert.ok(loaded.ok);
  const due = await startDueRuns(loaded.config, {
    environments: ['production'],
    now: new Date(at.getTime() + 60_000),
    reporter: { event() {} },
  });
  assert.equal(due.exitCode, 0);
  assert.deepEqual(
    due.results.map((r) => r.code),
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
  // Shown twice (the clocks go back): the first occurrence, as cron reads it; the second is named.
  assert.deepEqual(parseRunAt('2026-10-25 02:30 Europe/Berlin', 'UTC', new Date('2026-10-20T00:00:00Z')), {
    ok: true,
    at: new Date('2026-10-25T00:30:00Z'),
    zone: 'Europe/Berlin',
    repeated: new Date('2026-10-25T01:30:00Z'),
  });
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

test('pure: reconcile --at rehearses a later time, but only the real clock drops a run', () => {
  const parsed = parseConfig(
    'target:\n  commands:\n    deploy: ./d.sh\nenvironments:\n  production:\n    approvals:\n      windows:\n        - { days: [mon, tue, wed, thu, fri], start: "09:00", end: "17:00" }\n',
    'deploy.yml',
  );
  assert.ok(parsed.ok);
  const { config } = parsed;
  const run = (id: string, at: string): ScheduledRun => ({
    id,
    environment: 'production',
    version: 'v',
    at: new Date(at),
    requestedAt: new Date('2026-11-30T00:00:00Z'),
  });
  // Tuesday 1 December 2026, 08:00 UTC: before the window opens.
  const now = new Date('2026-12-01T08:00:00Z');
  const runs = [
    run('a', '2026-12-01T09:30:00Z'),
    run('b', '2026-12-01T10:00:00Z'),
    run('c', '2026-12-04T12:00:00Z'),
    run('d', '2026-12-01T07:30:00Z'),
  ];
  const decided = (ctx: { dueBy?: Date; rolloutInProgress?: boolean }) =>
    runDecisions(runs, { config, now, rolloutInProgress: false, ...ctx }).map(
      (d) => `${d.run.id}:${d.action}:${d.code}`,
    );
  // --at far ahead: every run is due by then, the policy judged at that time (a rehearsal). The earliest
  // starts; none of the others is dropped as missed (found hours "after" a time still to come) or behind:
  // they wait for their own time.
  assert.deepEqual(decided({ dueBy: new Date('2026-12-21T12:00:00Z') }), [
    'd:start:schedule_due',
    'a:wait:schedule_not_due',
    'b:wait:schedule_not_due',
    'c:wait:schedule_not_due',
  ]);
  // A rollout in progress: what is due now is dropped as locked; what only the rehearsal made due waits.
  assert.deepEqual(decided({ dueBy: new Date('2026-12-01T11:00:00Z'), rolloutInProgress: true }), [
    'd:drop:schedule_locked',
    'a:wait:schedule_not_due',
    'b:wait:schedule_not_due',
    'c:wait:schedule_not_due',
  ]);
  // Rehearsing a time outside the window: the future runs wait, they are not dropped as outside_window;
  // the one whose time has come is refused as it would be now.
  assert.deepEqual(decided({ dueBy: new Date('2026-12-01T18:00:00Z') }), [
    'd:drop:schedule_outside_window',
    'a:wait:schedule_not_due',
    'b:wait:schedule_not_due',
    'c:wait:schedule_not_due',
  ]);
  // dueBy earlier than now changes nothing (main.ts refuses it anyway).
  assert.deepEqual(decided({ dueBy: new Date('2026-11-01T00:00:00Z') }), decided({}));
});

test('reconcile --at hours ahead keeps the runs scheduled before it (old: dropped as missed)', async (t) => {
  const s = setup();
  t.after(s.cleanup);
  const at = new Date(Date.now() + 30 * 60_000);
  assert.equal((await cli(s, 'run', '-e', 'production', '-v', 'v2', '--at', at.toISOString())).code, 0);
  assert.equal(
    (
      await cli(
        s,
        'run',
        '-e',
        'production',
        '-v',
        'v3',
        '--at',
        new Date(at.getTime() + 60_000).toISOString(),
      )
    ).code,
    0,
  );
  // Five hours ahead: both runs are due by then, but in real time neither is late, so neither is dropped.
  const ahead = await cli(
    s,
    'reconcile',
    '-e',
    'production',
    '--at',
    new Date(Date.now() + 5 * 3_600_000).toISOString(),
  );
  assert.equal(ahead.code, 0, ahead.stdout + ahead.stderr);
  assert.deepEqual(
    dueLine(ahead.stdout).results.map((r) => [r.code, r.status]),
    [['schedule_started', 'succeeded']],
  );
  assert.equal(schedules(s.dir).length, 1, 'the second run waits for its own time');
});

test('an unreadable schedule file: reported with its code, never a crash; nothing recorded over it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'schedule-bad-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const target = recordedTarget(dir);
  const config = join(dir, 'deploy.yml');
  writeFileSync(
    config,
    `preset: fast\nstate_dir: ${dir}/state\n${target.targetYaml.replaceAll(',"{{slot}}"', '')}environments:\n  production:\n    strategy: { type: direct }\n    monitor: 0\n  staging:\n    strategy: { type: direct }\n    monitor: 0\n`,
  );
  const at = new Date(Date.now() + 3_600_000);
  const s = { config };
  assert.equal((await cli(s, 'run', '-e', 'staging', '-v', 'v2', '--at', at.toISOString())).code, 0);
  const file = join(dir, 'state/schedules/production.json');
  const bad: Array<[string, string | undefined]> = [
    ['not JSON', '{"v":1,"runs":['],
    ['another shape', '{"v":1,"runs":[{"id":"x","environment":"production","version":"v1","at":"soon"}]}'],
    ['a later version', '{"v":2,"runs":[]}'],
    ['a directory', undefined],
  ];
  for (const [what, text] of bad) {
    rmSync(file, { recursive: true, force: true });
    if (text === undefined) mkdirSync(file, { recursive: true });
    else writeFileSync(file, text);
    const recorded = await cli(s, 'run', '-e', 'production', '-v', 'v3', '--at', at.toISOString());
    assert.equal(recorded.code, 2, `${what}: ${recorded.stdout}${recorded.stderr}`);
    assert.equal(events(recorded.stdout)[0]!.code, 'schedule_unreadable', what);
    assert.doesNotMatch(recorded.stderr, /\n\s+at /, `${what}: no stack trace`);
    if (text !== undefined) assert.equal(readFileSync(file, 'utf8'), text, `${what}: left as it was`);

    const reconciled = await cli(s, 'reconcile', '--at', new Date(at.getTime() + 60_000).toISOString());
    assert.equal(reconciled.code, 1, `${what}: ${reconciled.stdout}${reconciled.stderr}`);
    assert.doesNotMatch(reconciled.stderr, /\n\s+at /, `${what}: no stack trace`);
    const results = dueLine(reconciled.stdout).results as Array<{ code: string; environment?: string }>;
    assert.ok(
      results.some((r) => r.code === 'schedule_unreadable' && r.environment === 'production'),
      `${what}: ${reconciled.stdout}`,
    );
  }
  // The other environment's run was started by the first reconcile despite production's file.
  assert.ok(
    target.calls().some((c) => c.startsWith('deploy') && c.endsWith('v2')),
    target.calls().join('\n'),
  );
});

test('changes to one schedule at once are all kept: concurrent adds, and removes racing adds', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'schedule-race-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const run = (id: string): ScheduledRun => ({
    id,
    environment: 'production',
    version: 'v',
    at: new Date('2026-12-01T10:00:00Z'),
    requestedAt: new Date('2026-11-30T10:00:00Z'),
  });
  // Separate instances, as separate processes would have (the lock is the file system's, not the object's).
  const schedule = () => new FileSchedule(join(dir, 'state'));
  await Promise.all(Array.from({ length: 20 }, (_, i) => schedule().add(run(`a${i}`))));
  assert.equal(schedule().read('production').length, 20, 'no add lost');
  await Promise.all([
    ...Array.from({ length: 10 }, (_, i) => schedule().remove(run(`a${i}`))),
    ...Array.from({ length: 10 }, (_, i) => schedule().add(run(`b${i}`))),
  ]);
  assert.deepEqual(
    schedule()
      .read('production')
      .map((r) => r.id)
      .sort(),
    [
      ...Array.from({ length: 10 }, (_, i) => `a${i + 10}`),
      ...Array.from({ length: 10 }, (_, i) => `b${i}`),
    ].sort(),
  );
  assert.deepEqual(
    readdirSync(join(dir, 'state/schedules')),
    ['production.json'],
    'no lock or temporary file left',
  );

  // A lock left by a process that died mid-change is taken over once it is old; the change goes through.
  const lock = join(dir, 'state/schedules/production.json.lock');
  writeFileSync(lock, '');
  const old = new Date(Date.now() - 60_000);
  utimesSync(lock, old, old);
  await schedule().add(run('c'));
  assert.ok(
    schedule()
      .read('production')
      .some((r) => r.id === 'c'),
  );
});

test('runs of an environment taken out of the config: dropped at their time with their code, not before', async (t) => {
  const s = setup();
  t.after(s.cleanup);
  const loaded = parseConfig(readFileSync(s.config, 'utf8'), s.config);
  assert.ok(loaded.ok);
  const schedule = new FileSchedule(join(s.dir, 'state'));
  const now = new Date();
  const run = (id: string, environment: string, at: Date): ScheduledRun => ({
    id,
    environment,
    version: 'v9',
    at,
    requestedAt: new Date(now.getTime() - 3_600_000),
  });
  await schedule.add(run('gone1', 'eu/west', new Date(now.getTime() - 60_000)));
  await schedule.add(run('later', 'eu/west', new Date(now.getTime() + 3_600_000)));
  const due = await startDueRuns(loaded.config, { now, reporter: { event() {} } });
  assert.deepEqual(
    due.results.map((r) => [r.id, r.environment, r.code]),
    [['gone1', 'eu/west', 'schedule_unknown_environment']],
  );
  assert.equal(due.exitCode, 0);
  assert.deepEqual(
    schedule.read('eu/west').map((r) => r.id),
    ['later'],
    'the run not yet due waits: the environment may come back',
  );
  assert.deepEqual(s.calls(), [], 'nothing ran');
  // Asked for named environments only: the others' files are not touched.
  await schedule.add(run('gone2', 'eu/west', new Date(now.getTime() - 60_000)));
  const named = await startDueRuns(loaded.config, {
    environments: ['production'],
    now,
    reporter: { event() {} },
  });
  assert.deepEqual(named.results, []);
  assert.equal(schedule.read('eu/west').length, 2);
});

test('a state directory that is a file: run --at and reconcile say so with their codes, never a stack trace', async (t) => {
  const s = setup();
  t.after(s.cleanup);
  // The config's state_dir (--state-dir naming a file is refused before anything runs: option-values.test.ts).
  const file = join(s.dir, 'state');
  writeFileSync(file, 'x');
  const at = new Date(Date.now() + 3_600_000).toISOString();
  const recorded = await runCli(['run', '-e', 'production', '-v', 'v2', '--at', at, '-c', s.config]);
  assert.equal(recorded.code, 2, recorded.stdout + recorded.stderr);
  assert.match(
    recorded.stderr,
    /^error: --at .*state\/schedules cannot be written \(ENOTDIR\); nothing was recorded \(schedule_unreadable\)\n$/,
  );
  assert.equal(recorded.stdout, '');
  const reconciled = await cli(s, 'reconcile');
  assert.doesNotMatch(reconciled.stderr, /\n\s+at /);
  const last = events(reconciled.stdout).find((e) => e.type === 'reconcile') as unknown as {
    entries: Array<{ code: string }>;
  };
  assert.deepEqual(
    last.entries.map((e) => e.code),
    ['state_corrupt'],
    'the record says what is wrong (not an internal error from the lock)',
  );
  assert.equal(dueLine(reconciled.stdout).results[0]?.code, 'schedule_unreadable');
  assert.equal(reconciled.code, 1);
});

test('run --at outside the windows of a zone says the next time it may start in UTC and as that zone wall clock', async (t) => {
  const s = setup(
    `    approvals:\n      timezone: Europe/Berlin\n      windows:\n        - { days: [mon, tue, wed, thu, fri, sat, sun], start: "10:00", end: "12:00" }\n`,
  );
  t.after(s.cleanup);
  const loaded = parseConfig(readFileSync(s.config, 'utf8'), s.config);
  assert.ok(loaded.ok);
  // Tomorrow at 14:00 Berlin time, after that day's window: the next opening is the day after at 10:00 there.
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  let out = '';
  const exit = await scheduleRunCli(
    loaded.config,
    { environment: 'production', version: 'v3', at: `${tomorrow} 14:00`, json: true },
    { out: (text) => (out += text), err: (text) => (out += text) },
  );
  assert.equal(exit, 2, out);
  const event = events(out)[0]!;
  assert.equal(event.code, 'outside_window');
  assert.match(
    String(event.message),
    /the next time it may start is \d{4}-\d\d-\d\dT(08|09):00:00\.000Z \((Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{4}-\d\d-\d\d 10:00 Europe\/Berlin\)$/,
  );
});

test('run --at inside a freeze says when the freeze ends and the next time it may start, in UTC and as the zone wall clock', async (t) => {
  // The freeze is written in Berlin time from tomorrow 00:00 to the day after 00:00; the window is 10:00-12:00.
  const day = (ahead: number) => new Date(Date.now() + ahead * 86_400_000).toISOString().slice(0, 10);
  const s = setup(
    `    approvals:\n      timezone: Europe/Berlin\n      windows:\n        - { days: [mon, tue, wed, thu, fri, sat, sun], start: "10:00", end: "12:00" }\n      freezes:\n        - { from: "${day(1)}T00:00", to: "${day(2)}T00:00", reason: "year end" }\n`,
  );
  t.after(s.cleanup);
  const loaded = parseConfig(readFileSync(s.config, 'utf8'), s.config);
  assert.ok(loaded.ok, loaded.ok ? '' : JSON.stringify(loaded));
  let out = '';
  const exit = await scheduleRunCli(
    loaded.config,
    { environment: 'production', version: 'v3', at: `${day(1)} 11:00`, json: true },
    { out: (text) => (out += text), err: (text) => (out += text) },
  );
  assert.equal(exit, 2, out);
  const event = events(out)[0]!;
  assert.equal(event.code, 'frozen');
  const weekday = '(Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
  assert.match(
    String(event.message),
    new RegExp(
      `\\(year end, until ${day(1)}T2[23]:00:00\\.000Z \\(${weekday} ${day(2)} 00:00 Europe/Berlin\\)\\); ` +
        `the next time it may start is ${day(2)}T(08|09):00:00\\.000Z \\(${weekday} ${day(2)} 10:00 Europe/Berlin\\)$`,
    ),
  );
});

test('run --at with --record or --base, which a scheduled run cannot keep, is refused, not silently dropped', async (t) => {
  const s = setup();
  t.after(s.cleanup);
  const at = new Date(Date.now() + 3_600_000).toISOString();
  for (const extra of [
    ['--record', join(s.dir, 'samples.ndjson')],
    ['--base', 'origin/main'],
  ]) {
    const refused = await cli(s, 'run', '-e', 'production', '-v', 'v2', '--at', at, ...extra);
    assert.equal(refused.code, 2, refused.stdout + refused.stderr);
    const [line] = events(refused.stdout);
    assert.equal(line!.code, 'schedule_option_unsupported', extra[0]);
    assert.match(String(line!.message), new RegExp(`${extra[0]} does not go with --at`));
  }
  assert.throws(() => schedules(s.dir), /ENOENT/, 'nothing recorded');
});

test('a scheduled run that waits for people names the command line’s commands to go on, not the App’s comments', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'schedule-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const target = recordedTarget(dir);
  const config = join(dir, 'deploy.yml');
  // A manual step at 5 %: reconcile's own process starts the run, which waits there in that process.
  writeFileSync(
    config,
    `preset: fast\nstate_dir: ${dir}/state\n${target.targetYaml}  env:\n    CURRENT: '{"slot":"blue","version":"v1"}'\n` +
      'environments:\n  production:\n    strategy: { type: canary, slots: [blue, green], pause: 0, steps: [{ weight: 5, pause: manual }, 100] }\n',
  );
  const at = new Date(Date.now() + 3_600_000);
  const recorded = await runCli([
    'run',
    '-e',
    'production',
    '-v',
    'v2',
    '--at',
    at.toISOString(),
    '-c',
    config,
  ]);
  assert.equal(recorded.code, 0, recorded.stdout + recorded.stderr);
  const later = new Date(at.getTime() + 60_000).toISOString();
  const due = startCli(['reconcile', '-e', 'production', '--at', later, '-c', config]);
  try {
    const line = await due.waitFor((l) => l.includes('to continue:'));
    // Before: "to continue: /promote production · …", comments for a pull request this run has none of.
    assert.match(line, /to continue: deploy-action promote -e production · /);
  } finally {
    due.child.kill();
    await due.done;
  }
});
