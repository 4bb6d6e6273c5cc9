// The schedule file is written as durably as the records' durable writes: its temporary file is fsync'd
// before it is renamed into place, and the directory after, so a crash (power loss) neither loses a run just
// recorded, brings back one already started and removed (it would be started again), nor leaves an empty
// file where the schedule was. What the process asks of the kernel is recorded around the real calls.
import assert from 'node:assert/strict';
import fsPromises from 'node:fs/promises';
import { mkdtempSync, rmSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterEach, beforeEach, mock, test } from 'node:test';
import { FileSchedule, type ScheduledRun } from '../../../src/schedule/file-schedule.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'schedule-durable-'));
});
afterEach(() => {
  mock.restoreAll();
  syncBuiltinESMExports();
  rmSync(dir, { recursive: true, force: true });
});

const run = (id: string): ScheduledRun => ({
  id,
  environment: 'production',
  version: 'v1',
  at: new Date(Date.now() + 3_600_000),
  requestedAt: new Date(),
});

/** Records every fsync (by the path opened) and rename, in order, then does them. */
function recordSyncs(): string[] {
  const calls: string[] = [];
  const realOpen = fsPromises.open;
  const realRename = fsPromises.rename;
  mock.method(fsPromises, 'open', async (...args: Parameters<typeof realOpen>) => {
    const handle = await realOpen(...args);
    const sync = handle.sync.bind(handle);
    handle.sync = async () => {
      calls.push(`fsync ${String(args[0])}`);
      return sync();
    };
    return handle;
  });
  mock.method(fsPromises, 'rename', async (from: string, to: string) => {
    calls.push(`rename ${from} -> ${to}`);
    return realRename(from, to);
  });
  syncBuiltinESMExports();
  return calls;
}

test('adding and removing a run fsyncs the file before its rename and the directory after', async () => {
  const schedule = new FileSchedule(dir);
  const path = schedule.pathFor('production');
  const calls = recordSyncs();
  await schedule.add(run('r1'));
  await schedule.remove(run('r1'));
  const ofSchedule = calls.filter((c) => !/\.lock/.test(c));
  assert.equal(ofSchedule.length, 6, ofSchedule.join('\n'));
  for (let write = 0; write < 2; write++) {
    const [fsyncFile, renamed, fsyncDir] = ofSchedule.slice(write * 3, write * 3 + 3);
    const temp = /^fsync (.+)$/.exec(fsyncFile ?? '')?.[1] ?? '';
    // Written in a draft directory naming its writer (production.json.<pid>.<n>.tmp/schedule.json).
    assert.match(basename(dirname(temp)), /^production\.json\.\d+\.\d+\.tmp$/, ofSchedule.join('\n'));
    assert.equal(basename(temp), 'schedule.json');
    assert.equal(renamed, `rename ${temp} -> ${path}`);
    assert.equal(fsyncDir, `fsync ${schedule.dir}`);
  }
  assert.deepEqual(schedule.read('production'), []);
});
