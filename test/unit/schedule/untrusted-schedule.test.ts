// A scheduled run deploys what it names, so the schedule is trusted as the records and the control file beside
// it are (util/trusted-directories.ts, as ssh's StrictModes): a state directory, schedules/ or schedule file
// that someone else may write, one below a directory others may write (not sticky), or a link in place of a
// directory, is refused as state_untrusted (as a record there would be) naming the path and what is wrong; none of its runs starts and
// nothing is recorded there. The schedule's own file and directories pass, under a umask of 002 too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../src/cli/main.ts';
import { parseConfig } from '../../../src/config/load.ts';
import { startDueRuns } from '../../../src/cli/schedule.ts';
import { FileSchedule, ScheduleFileError, type ScheduledRun } from '../../../src/schedule/file-schedule.ts';
import { linkInPlaceOf, workdir } from '../../helpers/command-workdir.ts';
import { execFileSync } from 'node:child_process';

const dir = (t: { after(fn: () => void): void }): string => workdir(t, 'untrusted-schedule');

const run = (id: string, at = new Date(Date.now() + 3_600_000)): ScheduledRun => ({
  id,
  environment: 'production',
  version: 'v2',
  at,
  requestedAt: new Date(),
});

test('the schedule’s own file and directories pass its check under a umask of 002', async (t) => {
  const before = process.umask(0o002);
  t.after(() => process.umask(before));
  const state = join(dir(t), 'state');
  const schedule = new FileSchedule(state);
  await schedule.add(run('r1'));
  assert.equal(statSync(schedule.pathFor('production')).mode & 0o777, 0o644);
  assert.equal(statSync(schedule.dir).mode & 0o777, 0o755);
  assert.deepEqual(
    new FileSchedule(state).read('production').map((r) => r.id),
    ['r1'],
  );
});

test('a state directory, schedules/ or schedule file others may write, or a link, or one below an open directory: refused, nothing changed', async (t) => {
  const root = dir(t);
  const above = join(root, 'shared');
  mkdirSync(above);
  const state = join(above, 'state');
  const schedule = new FileSchedule(state);
  await schedule.add(run('r1'));
  const path = schedule.pathFor('production');
  const cases: Array<[string, () => void, () => void, RegExp]> = [
    [
      'a world-writable state directory',
      () => chmodSync(state, 0o777),
      () => chmodSync(state, 0o755),
      /^its state directory .*shared\/state may be written by its group and others \(mode 0777\), so its scheduled runs are not started or changed; check them, then `chmod go-w` it$/,
    ],
    [
      'a group-writable schedules/',
      () => chmodSync(schedule.dir, 0o775),
      () => chmodSync(schedule.dir, 0o755),
      /^its directory .*state\/schedules may be written by its group \(mode 0775\)/,
    ],
    [
      'a group-writable schedule file',
      () => chmodSync(path, 0o664),
      () => chmodSync(path, 0o644),
      /^the schedule file .*schedules\/production\.json may be written by its group \(mode 0664\)/,
    ],
    [
      'a world-writable directory above, not sticky',
      () => chmodSync(above, 0o777),
      () => chmodSync(above, 0o755),
      /^the directory .*shared above its state directory .*shared\/state may be written by its group and others \(mode 0777\)/,
    ],
    [
      'a linked state directory',
      ...linkInPlaceOf(state),
      /^its state directory .*shared\/state is a symbolic link \(the CLI makes a directory there\)/,
    ],
  ];
  for (const [what, spoil, mend, message] of cases) {
    spoil();
    try {
      assert.throws(
        () => new FileSchedule(state).read('production'),
        (error: Error) => {
          assert.ok(error instanceof ScheduleFileError, what);
          assert.equal(error.code, 'state_untrusted', what);
          assert.match(error.message, message, what);
          return true;
        },
      );
      const refused = (error: Error) => error instanceof ScheduleFileError && message.test(error.message);
      await assert.rejects(new FileSchedule(state).add(run('r2')), refused, what);
      await assert.rejects(new FileSchedule(state).remove(run('r1')), refused, what);
    } finally {
      mend();
    }
    assert.deepEqual(
      new FileSchedule(state).read('production').map((r) => r.id),
      ['r1'],
      `${what}: nothing changed, read once mended`,
    );
  }
  // Sticky and ours (as /tmp is root's): passes.
  chmodSync(above, 0o1777);
  assert.equal(new FileSchedule(state).read('production').length, 1);
  chmodSync(above, 0o755);
});

test('through the CLI: run --at refuses to record, reconcile starts nothing from a schedule others may have written', async (t) => {
  const root = dir(t);
  const above = join(root, 'shared');
  mkdirSync(above);
  const state = join(above, 'state');
  const configPath = join(root, 'deploy.yml');
  const configText = `state_dir: ${state}\ntarget:\n  commands:\n    deploy: ["true"]\nenvironments:\n  production:\n    strategy: { type: direct }\n`;
  writeFileSync(configPath, configText);
  const now = new Date();
  await new FileSchedule(state).add(run('r1', new Date(now.getTime() - 60_000)));

  chmodSync(above, 0o777);
  let out = '';
  let err = '';
  const code = await main(
    [
      'run',
      '-e',
      'production',
      '-v',
      'v3',
      '--at',
      new Date(now.getTime() + 3_600_000).toISOString(),
      '-c',
      configPath,
    ],
    { out: (text) => void (out += text), err: (text) => void (err += text) },
  );
  assert.equal(code, 2, out + err);
  assert.match(
    err,
    /^error: --at \S+: the directory .*shared above its state directory .*shared\/state may be written by its group and others \(mode 0777\), so its scheduled runs are not started or changed; check them, then `chmod go-w` it; nothing was recorded \(state_untrusted\)\n$/,
  );

  const loaded = parseConfig(configText, configPath);
  assert.ok(loaded.ok);
  const events: string[] = [];
  const { results } = await startDueRuns(loaded.config, {
    now,
    reporter: { event: (e) => events.push(JSON.stringify(e)) },
  });
  assert.deepEqual(
    results.map((r) => [r.code, r.id]),
    [['state_untrusted', '']],
  );
  assert.match(results[0]!.message ?? '', /shared above its state directory/);
  assert.ok(!events.some((e) => /starting scheduled run/.test(e)), events.join('\n'));
  chmodSync(above, 0o755);
  assert.deepEqual(
    new FileSchedule(state).read('production').map((r) => r.id),
    ['r1'],
    'still there, for a reconcile once fixed',
  );
});

test('a schedule lock or its takeover guard others may write is not believed: nothing changed, nothing taken over', async (t) => {
  const state = join(dir(t), 'state');
  const schedule = new FileSchedule(state);
  await schedule.add(run('r1'));
  const lock = `${schedule.pathFor('production')}.lock`;
  // Names a process that has ended: taken over at once, were it trusted.
  const dead = `${JSON.stringify({ pid: 999_991, host: hostname() })}\n`;
  for (const [file, text] of [
    [lock, dead],
    [`${lock}.takeover`, `${JSON.stringify({ pid: process.pid, host: hostname() })}\n`],
  ] as const) {
    writeFileSync(file, text);
    chmodSync(file, 0o666);
    await assert.rejects(
      new FileSchedule(state).add(run('r2')),
      (error: unknown) =>
        error instanceof ScheduleFileError &&
        error.code === 'state_untrusted' &&
        error.message ===
          `the lock ${file} may be written by its group and others (mode 0666), so its scheduled runs are not started or changed; check them, then \`chmod go-w\` it; nothing was changed`,
    );
    assert.equal(readFileSync(file, 'utf8'), text, 'not taken over');
    assert.deepEqual(
      new FileSchedule(state).read('production').map((r) => r.id),
      ['r1'],
    );
    chmodSync(file, 0o644);
    if (file !== lock) rmSync(file);
  }
  // Mended: the dead holder's lock is taken over and the run added.
  await new FileSchedule(state).add(run('r2'));
  assert.deepEqual(
    new FileSchedule(state).read('production').map((r) => r.id),
    ['r1', 'r2'],
  );
});

test('a schedule file git tracks (the checkout brought it) is state_untrusted: none of its runs is started', async (t) => {
  // As a committed record or requests file: whoever could push a branch or open a pull request wrote it, and
  // a scheduled run deploys what it names.
  const repo = dir(t);
  execFileSync('git', ['init', '-q'], { cwd: repo, stdio: 'ignore' });
  const state = join(repo, '.deploy-action');
  const schedule = new FileSchedule(state);
  await schedule.add(run('r1'));
  // Written by the CLI and not in the commit: read.
  assert.deepEqual(
    new FileSchedule(state).read('production').map((r) => r.id),
    ['r1'],
  );
  const path = schedule.pathFor('production');
  execFileSync('git', ['add', '--', path], { cwd: repo, stdio: 'ignore' });
  assert.throws(
    () => new FileSchedule(state).read('production'),
    (error: unknown) =>
      error instanceof ScheduleFileError &&
      error.code === 'state_untrusted' &&
      /^the schedule file .*production\.json is in the repository's commit \(git tracks it\), so whoever can push a branch or open a pull request wrote it: its runs are not started; remove it from the repository$/.test(
        error.message,
      ),
  );
});
