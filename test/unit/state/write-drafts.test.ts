// A write's temporary file is removed by a later write only once the writer it belongs to is gone, never by
// its age alone: a live writer that is slow (here: waiting for the record's lock) keeps its own, and its write
// goes through; one killed mid-write leaves a draft that the next write removes at once (its process on this
// host has ended). Real processes write, and one is killed.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { FileStateStore } from '../../../src/state/file-store.ts';
import type { EnvironmentRecord } from '../../../src/state/record.ts';
import { createOwnedFile, removeOwnedFile } from '../../../src/util/lock-takeover.ts';

const STORE_MODULE = join(import.meta.dirname, '../../../src/state/file-store.ts');

let dir: string;
let records: string;
const children: ChildProcess[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'write-drafts-'));
  records = join(dir, 'records');
  mkdirSync(records, { recursive: true });
});
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const record = (environment: string, seq: number): EnvironmentRecord => ({
  schema: 1,
  repository: 'local',
  environment,
  seq,
  updatedAt: new Date(0).toISOString(),
  live: { version: `v${seq}`, since: new Date(0).toISOString() },
  retired: [],
  history: [],
});

/** A process writing production's record, which waits (up to a minute) for the lock this test holds. */
function writer(): { child: ChildProcess; done: Promise<string> } {
  const script = `
    import { FileStateStore } from ${JSON.stringify(STORE_MODULE)};
    try {
      await new FileStateStore(${JSON.stringify(dir)}, { lockWaitMs: 60_000 }).write(${JSON.stringify(record('production', 1))}, { durable: true });
      process.stdout.write('stored\\n');
    } catch (error) {
      process.stdout.write('failed: ' + error.message + '\\n');
    }`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (data: Buffer) => (out += data.toString()));
  const done = new Promise<string>((resolve) => child.on('exit', () => resolve(out)));
  return { child, done };
}

const drafts = () => readdirSync(records).filter((name) => /^production\.json\.\d+\.\d+\.tmp$/.test(name));

/** Waits until the writer's draft is written (it is, whole, before the writer waits for the lock). */
async function draftOf(child: ChildProcess): Promise<string> {
  for (let look = 0; look < 400; look++) {
    const mine = drafts().find((name) => name.startsWith(`production.json.${child.pid}.`));
    // (An older version's draft is the record file itself.)
    const at = mine && join(records, mine);
    if (at && (statSync(at).isFile() ? statSync(at).size > 0 : existsSync(join(at, 'record.json'))))
      return mine!;
    await new Promise((done) => setTimeout(done, 25));
  }
  throw new Error('the writer made no draft');
}

test('a slow live writer’s draft is left to it however old; a killed writer’s is removed at once', async () => {
  const store = new FileStateStore(dir);
  const lock = `${store.pathFor('production')}.lock`;
  await createOwnedFile(lock);
  const slow = writer();
  const draft = await draftOf(slow.child);
  // It has waited long (older than any age rule): another environment's write looks at it.
  const old = new Date(Date.now() - 30 * 60_000);
  utimesSync(join(records, draft), old, old);
  await store.write(record('staging', 1));
  assert.deepEqual(drafts(), [draft], 'the live writer’s draft is kept');
  await removeOwnedFile(lock);
  assert.equal(await slow.done, 'stored\n');
  const read = await store.read('production');
  assert.ok(read.ok && read.record?.seq === 1, JSON.stringify(read));
  assert.deepEqual(drafts(), [], 'its own draft removed once written');

  // Killed mid-write (here, while it waits): its draft, fresh, goes with the next write.
  await createOwnedFile(lock);
  const killed = writer();
  const left = await draftOf(killed.child);
  killed.child.kill('SIGKILL');
  await killed.done;
  assert.deepEqual(drafts(), [left]);
  await removeOwnedFile(lock);
  await store.write(record('staging', 2));
  assert.deepEqual(drafts(), [], 'the killed writer’s draft is removed');
});

test('drafts left under this process’s pid (the last container’s PID 1, killed mid-write) do not block a write', async () => {
  const store = new FileStateStore(dir);
  // Named as this process's first writes would name theirs, had its drafts been numbered from 1.
  for (let n = 1; n <= 200; n++) mkdirSync(`${store.pathFor('staging')}.${process.pid}.${n}.tmp`);
  await store.write(record('staging', 1));
  const read = await store.read('staging');
  assert.ok(read.ok && read.record?.seq === 1, JSON.stringify(read));
});
