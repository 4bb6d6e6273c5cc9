// A run's claim (`<run>.claim`) is judged as a lock is (lock-trust.ts untrustedLockFile): one that someone else
// owns or may write, or a link, could name a live process of theirs kept fresh (the run never starts) or one
// that has ended (a run being started is taken over); a takeover guard others may write could hold every
// takeover for ever. Such a claim is neither believed nor taken over: reconcile reports the run
// `state_untrusted` naming the path, what is wrong and the fix, exits 1, and the run stays in the schedule
// (never dropped) for a reconcile once it is mended. The environment's later runs wait with it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { startDueRuns, type DueRunResult } from '../../../src/cli/schedule.ts';
import { FileSchedule, ScheduleFileError } from '../../../src/schedule/file-schedule.ts';
import { dueSchedule } from '../../helpers/due-schedule.ts';
import { deadPid } from '../../helpers/orphaned-rollout.ts';

const root = process.getuid?.() === 0;
const EFFECT = 'so its run is neither started nor dropped, and the claim is not taken over';

/** A due schedule whose run r1 was due three hours ago: whoever acts on it drops it as missed. */
async function missedRun(t: Parameters<typeof dueSchedule>[0], environment = 'production') {
  const due = await dueSchedule(t, 'untrusted-claim-', (now) => ({
    id: 'r1',
    environment,
    version: 'v2',
    at: new Date(now.getTime() - 3 * 3_600_000),
    requestedAt: new Date(now.getTime() - 4 * 3_600_000),
  }));
  // Names a process of this host that has ended: taken over at once, were it trusted.
  const text = `${JSON.stringify({ pid: await deadPid(), host: hostname() })}\n`;
  return { ...due, claim: join(due.schedule.dir, 'r1.claim'), text };
}

const codes = (results: DueRunResult[]) => results.map((r) => [r.id, r.environment, r.code]);

test('a claim others may write, a link, or a takeover guard others may write: state_untrusted, the run kept, exit 1', async (t) => {
  const { dir, config, schedule, now, claim, text } = await missedRun(t);
  const elsewhere = join(dir, 'elsewhere');
  writeFileSync(elsewhere, text);
  const guard = `${claim}.takeover`;
  const cases: Array<[string, () => void, () => void, string]> = [
    [
      'a world-writable claim',
      () => {
        writeFileSync(claim, text);
        chmodSync(claim, 0o666);
      },
      () => rmSync(claim),
      `the claim ${claim} may be written by its group and others (mode 0666), ${EFFECT}; check them, then \`chmod go-w\` it`,
    ],
    [
      'a linked claim',
      () => symlinkSync(elsewhere, claim),
      () => rmSync(claim),
      `the claim ${claim} is a symbolic link (the CLI makes a file there, never a link), ${EFFECT}; check where it points, then remove it`,
    ],
    [
      'a group-writable takeover guard beside a trusted claim',
      () => {
        writeFileSync(claim, text);
        writeFileSync(guard, `${JSON.stringify({ pid: process.pid, host: hostname() })}\n`);
        chmodSync(guard, 0o664);
      },
      () => {
        rmSync(claim);
        rmSync(guard);
      },
      `the claim ${guard} may be written by its group (mode 0664), ${EFFECT}; check them, then \`chmod go-w\` it`,
    ],
  ];
  for (const [what, spoil, mend, message] of cases) {
    spoil();
    try {
      const events: string[] = [];
      const due = await startDueRuns(config, {
        now,
        reporter: { event: (e) => events.push(JSON.stringify(e)) },
      });
      assert.deepEqual(codes(due.results), [['r1', 'production', 'state_untrusted']], what);
      assert.equal(due.results[0]!.message, message, what);
      assert.equal(due.exitCode, 1, `${what}: reconcile fails`);
      assert.ok(
        events.some((e) => e.includes('"level":"error"') && e.includes('r1.claim')),
        events.join('\n'),
      );
      assert.deepEqual(
        schedule.read('production').map((r) => r.id),
        ['r1'],
        `${what}: not dropped`,
      );
      assert.ok(lstatSync(claim), `${what}: the claim is left`);
      assert.equal(readFileSync(claim, 'utf8'), text, `${what}: not taken over`);
      assert.ok(existsSync(elsewhere), `${what}: what a link points at is left`);
    } finally {
      mend();
    }
  }

  // Mended: the dead claimant's claim is taken over and the run acted on (missed: dropped, with its code).
  writeFileSync(claim, text);
  const mended = await startDueRuns(config, { now, reporter: { event() {} } });
  assert.deepEqual(codes(mended.results), [['r1', 'production', 'schedule_missed']]);
  assert.equal(mended.exitCode, 0);
  assert.ok(!existsSync(claim), 'no claim left behind');
});

test('a claim owned by another user: state_untrusted (root makes it so; anyone else is told they are another)', async (t) => {
  const { dir, schedule, claim, text } = await missedRun(t);
  const state = join(dir, 'state');
  writeFileSync(claim, text);
  const run = schedule.read('production')[0]!;
  if (!root) {
    // Everything here is this user's: judged as another user's, the schedule is refused before its claim.
    const uid = (process.getuid?.() ?? 0) + 1;
    await assert.rejects(
      new FileSchedule(state, { uid }).claim(run),
      /is owned by user \d+, not by the user/,
    );
    return;
  }
  chownSync(claim, 65534, 65534);
  await assert.rejects(
    new FileSchedule(state).claim(run),
    (error: unknown) =>
      error instanceof ScheduleFileError &&
      error.code === 'state_untrusted' &&
      error.message ===
        `the claim ${claim} is owned by user 65534, not by the user the CLI runs as (0) or root, ${EFFECT}; check them, then \`chown 0\` it`,
  );
  assert.equal(readFileSync(claim, 'utf8'), text, 'not taken over');
  // Where there are no owners (Windows), nothing is judged: the dead claimant's claim is taken over.
  assert.equal(await new FileSchedule(state, { uid: undefined }).claim(run), true);
});

test('a run behind one whose claim is not trusted waits with it', async (t) => {
  const { config, schedule, now, claim, text } = await missedRun(t);
  // Due a minute ago: would start (after r1 is dropped as missed) were r1's claim trusted.
  await schedule.add({
    id: 'r2',
    environment: 'production',
    version: 'v3',
    at: new Date(now.getTime() - 60_000),
    requestedAt: new Date(now.getTime() - 3_600_000),
  });
  writeFileSync(claim, text);
  chmodSync(claim, 0o666);
  const events: string[] = [];
  const due = await startDueRuns(config, {
    now,
    reporter: { event: (e) => events.push(JSON.stringify(e)) },
  });
  assert.deepEqual(codes(due.results), [['r1', 'production', 'state_untrusted']]);
  assert.equal(due.exitCode, 1);
  assert.ok(!events.some((e) => /starting scheduled run/.test(e)), events.join('\n'));
  assert.deepEqual(
    schedule.read('production').map((r) => r.id),
    ['r1', 'r2'],
  );
  assert.ok(!existsSync(join(schedule.dir, 'r2.claim')), 'r2 not claimed');
});

test('a run of an environment the config no longer defines, its claim not trusted: reported, not dropped, exit 1', async (t) => {
  const { config, schedule, now, claim, text } = await missedRun(t, 'legacy');
  writeFileSync(claim, text);
  chmodSync(claim, 0o666);
  const due = await startDueRuns(config, { now, reporter: { event() {} } });
  assert.deepEqual(codes(due.results), [['r1', 'legacy', 'state_untrusted']]);
  assert.match(
    due.results[0]!.message ?? '',
    /^the claim .*r1\.claim may be written by its group and others/,
  );
  assert.equal(due.exitCode, 1);
  assert.deepEqual(
    schedule.read('legacy').map((r) => r.id),
    ['r1'],
    'still there, for a reconcile once mended',
  );
});
