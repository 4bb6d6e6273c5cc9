// A run's claim left by a reconcile that died between claiming the run and removing it from the schedule:
// once it is older than any claim can live (minutes), a later reconcile takes it over and acts on the run
// (here: drops it as missed, with its code), instead of skipping it as claimed on every reconcile forever
// and saying nothing. A fresh claim (a start or a cancel under way) is still respected.
//
// A claim names its claimant as a lock does: one whose claimant is a process of this host that has ended (a
// reconcile killed after claiming) is taken over at once, not after minutes; one whose claimant cannot be asked
// (another container sharing the host name) keeps the age rule, and a live claimant's fresh claim is left to it.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { startDueRuns } from '../../../src/cli/schedule.ts';
import type { ScheduledRun } from '../../../src/schedule/file-schedule.ts';
import { ownerText } from '../../../src/util/lock-takeover.ts';
import { dueSchedule } from '../../helpers/due-schedule.ts';

const SCHEDULE_MODULE = join(import.meta.dirname, '../../../src/schedule/file-schedule.ts');
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

/** A reconcile process that claims `run` in `stateDir` and then goes on (until killed) before removing it. */
async function claimant(stateDir: string, run: ScheduledRun): Promise<ChildProcess> {
  const script = `
    import { FileSchedule } from ${JSON.stringify(SCHEDULE_MODULE)};
    const run = ${JSON.stringify(run)};
    const claimed = await new FileSchedule(${JSON.stringify(stateDir)}).claim({ ...run, at: new Date(run.at), requestedAt: new Date(run.requestedAt) });
    process.stdout.write(claimed ? 'claimed\\n' : 'refused\\n');
    setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  await new Promise<void>((done, fail) => {
    child.stdout!.on('data', (data: Buffer) =>
      data.toString().includes('claimed') ? done() : fail(new Error(String(data))),
    );
    child.on('exit', (code) => fail(new Error(`the claimant exited (${code}) before claiming`)));
  });
  return child;
}

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

test('a claim whose claimant (a process of this host) has ended is taken over at once; a live one’s is left', async (t) => {
  const due = (now: Date): ScheduledRun => ({
    id: 'r3',
    environment: 'production',
    version: 'v2',
    at: new Date(now.getTime() - 3 * 3_600_000),
    requestedAt: new Date(now.getTime() - 4 * 3_600_000),
  });
  const { dir, config, schedule, now } = await dueSchedule(t, 'dead-claimant-', due);
  const claim = join(schedule.dir, 'r3.claim');
  const reconcile = await claimant(join(dir, 'state'), due(now));
  assert.match(
    readFileSync(claim, 'utf8'),
    new RegExp(`\\b${reconcile.pid}\\b`),
    'the claim names its claimant',
  );

  // Its claimant is at work: its fresh claim is respected.
  const live = await startDueRuns(config, { now, reporter: { event() {} } });
  assert.deepEqual(live.results, []);
  assert.ok(schedule.read('production').some((r) => r.id === 'r3'));

  // Killed moments after claiming: its claim is taken over now, not five minutes later.
  const exited = new Promise((done) => reconcile.on('exit', done));
  reconcile.kill('SIGKILL');
  await exited;
  const taken = await startDueRuns(config, { now, reporter: { event() {} } });
  assert.deepEqual(
    taken.results.map((r) => [r.id, r.code]),
    [['r3', 'schedule_missed']],
  );
  assert.deepEqual(schedule.read('production'), []);
  assert.ok(!existsSync(claim), 'no claim left behind');
});

test('a claim of a process this host cannot ask (another container sharing the host name) keeps the age rule', async (t) => {
  const { config, schedule, now } = await dueSchedule(t, 'foreign-claimant-', (now) => ({
    id: 'r4',
    environment: 'production',
    version: 'v2',
    at: new Date(now.getTime() - 3 * 3_600_000),
    requestedAt: new Date(now.getTime() - 4 * 3_600_000),
  }));
  const claim = join(schedule.dir, 'r4.claim');
  // Its pid means nothing here (absent, or another process's): it says nothing of whether its claimant runs.
  const text = { ...JSON.parse(ownerText()), pid: 999_999_999, pidns: 'pid:[4026599999]' };
  assert.equal(text.host, hostname());
  writeFileSync(claim, `${JSON.stringify(text)}\n`);
  const fresh = await startDueRuns(config, { now, reporter: { event() {} } });
  assert.deepEqual(fresh.results, []);
  assert.ok(existsSync(claim), 'left to its claimant');

  const old = new Date(Date.now() - 10 * 60_000);
  utimesSync(claim, old, old);
  const taken = await startDueRuns(config, { now, reporter: { event() {} } });
  assert.deepEqual(
    taken.results.map((r) => [r.id, r.code]),
    [['r4', 'schedule_missed']],
  );
  assert.ok(!existsSync(claim));
});
