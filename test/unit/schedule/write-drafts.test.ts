// The schedule file's temporary file (written, fsync'd, then renamed over the file) is left behind by a writer
// killed between its write and its rename. A later write removes it once its writer is gone, as the records'
// drafts are removed (state/file-store.ts): at once when it names a process of this host that has ended, after
// 10 minutes when its writer cannot be asked (an older version's temporary file names nobody), and never while
// its writer runs, however old. Real processes make the drafts here, naming themselves as a write does.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { FileSchedule, type ScheduledRun } from '../../../src/schedule/file-schedule.ts';
import { STALE_DRAFT_MS } from '../../../src/util/lock-takeover.ts';

const TAKEOVER_MODULE = join(import.meta.dirname, '../../../src/util/lock-takeover.ts');

let root: string;
let schedule: FileSchedule;
const children: ChildProcess[] = [];
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'schedule-drafts-'));
  schedule = new FileSchedule(root);
  mkdirSync(schedule.dir, { recursive: true });
});
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

const now = new Date();
const run = (id: string): ScheduledRun => ({
  id,
  environment: 'production',
  version: 'v1',
  at: new Date(now.getTime() + 3_600_000),
  requestedAt: now,
});

/**
 * A writer process that has written its draft of production's schedule (`<file>.<pid>.1.tmp/`, naming itself
 * and holding the schedule) and is still running: stopped where a write is between its write and its rename.
 */
async function writerMidWrite(): Promise<{ child: ChildProcess; draft: string }> {
  const file = schedule.pathFor('production');
  const script = `
    import { mkdirSync, writeFileSync } from 'node:fs';
    import { join } from 'node:path';
    import { OWNER_FILE, ownerText } from ${JSON.stringify(TAKEOVER_MODULE)};
    const draft = ${JSON.stringify(file)} + '.' + process.pid + '.1.tmp';
    mkdirSync(draft);
    writeFileSync(join(draft, OWNER_FILE), ownerText());
    writeFileSync(join(draft, 'schedule.json'), '{"v":1,"runs":[]}\\n');
    process.stdout.write(draft + '\\n');
    setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const draft = await new Promise<string>((done, fail) => {
    let out = '';
    child.stdout!.on('data', (data: Buffer) => {
      out += data.toString();
      if (out.includes('\n')) done(out.split('\n')[0]!);
    });
    child.on('exit', (code) => fail(new Error(`the writer exited (${code}) before its draft was written`)));
  });
  return { child, draft };
}

const drafts = () => readdirSync(schedule.dir).filter((name) => /\.tmp$/.test(name));
const age = (path: string, ms: number) => {
  const then = new Date(Date.now() - ms);
  utimesSync(path, then, then);
};

test('a killed writer’s draft goes with the next write; a live writer’s stays however old', async () => {
  const live = await writerMidWrite();
  const killed = await writerMidWrite();
  const exited = new Promise((done) => killed.child.on('exit', done));
  killed.child.kill('SIGKILL');
  await exited;
  // Older than any age rule: only whether its writer runs decides.
  age(live.draft, 2 * STALE_DRAFT_MS);

  await schedule.add(run('a'));
  assert.deepEqual(
    drafts(),
    [live.draft.slice(schedule.dir.length + 1)],
    'only the live writer’s draft is left',
  );
  assert.deepEqual(
    schedule.read('production').map((r) => r.id),
    ['a'],
  );

  const exitedToo = new Promise((done) => live.child.on('exit', done));
  live.child.kill('SIGKILL');
  await exitedToo;
  await schedule.add(run('b'));
  assert.deepEqual(drafts(), [], 'gone once its writer is');
  assert.deepEqual(readdirSync(schedule.dir), ['production.json'], 'nothing else left: no lock, no draft');
});

test('an older version’s temporary file (naming nobody) goes once 10 minutes old, not before', async () => {
  const old = `${schedule.pathFor('production')}.4242.1764000000000.tmp`;
  writeFileSync(old, '{"v":1,"runs":[]}\n');
  await schedule.add(run('a'));
  assert.deepEqual(drafts(), ['production.json.4242.1764000000000.tmp'], 'young: its writer may be at work');
  age(old, STALE_DRAFT_MS + 60_000);
  await schedule.add(run('b'));
  assert.deepEqual(drafts(), []);
  assert.deepEqual(
    schedule.read('production').map((r) => r.id),
    ['a', 'b'],
  );
});

test('drafts left under this process’s pid (the last container’s PID 1, killed mid-write) do not block a write', async () => {
  // Named as this process's first writes would name theirs, had its drafts been numbered from 1.
  for (let n = 1; n <= 200; n++) {
    const draft = `${schedule.pathFor('production')}.${process.pid}.${n}.tmp`;
    mkdirSync(draft);
    writeFileSync(join(draft, 'schedule.json'), '{"v":1,"runs":[]}\n');
  }
  await schedule.add(run('a'));
  assert.deepEqual(
    schedule.read('production').map((r) => r.id),
    ['a'],
  );
});
