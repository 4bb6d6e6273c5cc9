// The CLI's state store: one file per environment, atomic writes, the old state.json still read, and any
// file it cannot believe refused with state_corrupt (path and fix in the message), never thrown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { execFileSync, spawn } from 'node:child_process';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  isStaleHolder,
  LOCK_WAIT_MS,
  MAX_RECORD_BYTES,
  FileStateStore,
  STALE_LOCK_MS,
  UNNAMED_LOCK_STALE_MS,
} from '../../../src/state/file-store.ts';
import { createOwnedFile } from '../../../src/util/lock-takeover.ts';
import { emptyRecord, withTransition, type EnvironmentRecord } from '../../../src/state/record.ts';

function dir(t: { after(fn: () => void): void }): string {
  const d = mkdtempSync(join(tmpdir(), 'file-store-'));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

const NOW = new Date('2026-03-01T10:00:00Z');

function sample(environment = 'production'): EnvironmentRecord {
  return withTransition(
    emptyRecord('local', environment, NOW),
    {
      live: { version: 'v2', slot: 'green', since: NOW.toISOString(), deploymentId: 'd-1' },
      previous: { version: 'v1', slot: 'blue', since: '2026-02-01T00:00:00.000Z' },
      retired: [{ slot: 'blue', version: 'v1', dueAt: '2026-03-02T10:00:00.000Z' }],
    },
    { by: 'cli:box', event: 'succeeded', code: 'deployed', version: 'v2' },
    NOW,
  );
}

test('a record written is read back as it was, per environment; none yet is not an error', async (t) => {
  const store = new FileStateStore(join(dir(t), 'state'));
  assert.deepEqual(await store.read('production'), {
    ok: true,
    record: undefined,
    source: store.pathFor('production'),
  });
  await store.write(sample('production'), { durable: true });
  await store.write(sample('eu/west staging'));
  const read = await store.read('production');
  assert.ok(read.ok);
  assert.deepEqual(read.record, sample('production'));
  const other = await store.read('eu/west staging');
  assert.ok(
    other.ok && other.record?.environment === 'eu/west staging',
    'any environment name is a file name',
  );
  assert.equal(store.readSync('production').ok, true);
});

test('writes are atomic: a temp file renamed into place, nothing left beside the record', async (t) => {
  const d = join(dir(t), 'state');
  const store = new FileStateStore(d);
  const first = sample();
  await store.write(first);
  // Renamed into place, not rewritten in place: a new file (inode) each time, so a reader or a crash never
  // sees half of one.
  const inode = statSync(store.pathFor('production')).ino;
  const second = withTransition(first, { rollout: undefined }, undefined, NOW);
  await store.write(second);
  assert.notEqual(statSync(store.pathFor('production')).ino, inode);
  // Several writes in flight at once each land whole or are refused (none is newer than the file), never
  // a mix, and leave no temp file.
  const third = withTransition(second, {}, undefined, NOW);
  await Promise.allSettled([
    store.write(third),
    store.write(first, { durable: true }),
    store.write(third, { durable: true }),
  ]);
  assert.deepEqual(readdirSync(join(d, 'records')), ['production.json']);
  const text = readFileSync(store.pathFor('production'), 'utf8');
  const parsed = JSON.parse(text) as EnvironmentRecord;
  assert.ok([first, second, third].some((r) => JSON.stringify(r, null, 2) === text.trimEnd()));
  assert.ok([second.seq, third.seq].includes(parsed.seq));
});

test('temp files a killed write of an older version left behind are removed by the next write once old; nothing else is', async (t) => {
  const d = join(dir(t), 'state');
  const records = join(d, 'records');
  mkdirSync(records, { recursive: true });
  const store = new FileStateStore(d);
  // They do not name their writer (test/unit/state/write-drafts.test.ts: this version's do): by age alone.
  const old = new Date(Date.now() - 15 * 60_000);
  const file = (name: string, stale: boolean) => {
    writeFileSync(join(records, name), '{"half": ');
    if (stale) utimesSync(join(records, name), old, old);
  };
  // Left by writes killed (SIGKILL) mid-way, of this environment and another one.
  file('production.json.4242.1.tmp', true);
  file('eu%2Fwest%20staging.json.17.3.tmp', true);
  // A write going on in another process right now: not touched.
  file('production.json.4243.1.tmp', false);
  // Not this store's temp files, however old.
  file('notes.tmp', true);
  file('production.json.tmp', true);
  file('staging.json', true);
  await store.write(sample(), { durable: true });
  assert.deepEqual(readdirSync(records).sort(), [
    'notes.tmp',
    'production.json',
    'production.json.4243.1.tmp',
    'production.json.tmp',
    'staging.json',
  ]);
  const read = await store.read('production');
  assert.ok(read.ok && read.record?.seq === sample().seq);
});

test("an environment with no record yet gets what was live from today's state.json", async (t) => {
  const d = dir(t);
  writeFileSync(
    join(d, 'state.json'),
    JSON.stringify({
      schema: 1,
      environments: {
        production: {
          version: 'v7',
          previousVersion: 'v6',
          sha: 'abc123',
          slot: 'green',
          deployedAt: '2026-02-27T09:00:00.000Z',
          retired: { slot: 'blue', version: 'v6', until: '2026-02-28T09:00:00.000Z' },
        },
        staging: { version: 'v8', deployedAt: '2026-02-27T08:00:00.000Z' },
      },
    }),
  );
  const store = new FileStateStore(d);
  const read = await store.read('production');
  assert.ok(read.ok, JSON.stringify(read));
  assert.equal(read.source, join(d, 'state.json'));
  assert.deepEqual(read.record?.live, {
    version: 'v7',
    sha: 'abc123',
    slot: 'green',
    since: '2026-02-27T09:00:00.000Z',
  });
  assert.equal(read.record?.previous?.version, 'v6');
  assert.deepEqual(read.record?.retired, [
    { slot: 'blue', version: 'v6', dueAt: '2026-02-28T09:00:00.000Z' },
  ]);
  assert.equal(read.record?.seq, 0);
  const staging = await store.read('staging');
  assert.ok(staging.ok && staging.record?.live?.version === 'v8' && staging.record.previous === undefined);
  assert.deepEqual(await store.read('qa'), { ok: true, record: undefined, source: join(d, 'state.json') });
  // Once a record is written, it wins over the old file.
  await store.write(sample());
  const after = await store.read('production');
  assert.ok(after.ok && after.record?.live?.version === 'v2');
});

for (const [what, content, expected] of [
  ['not JSON', '{"schema": 1, "environment', /is not JSON/],
  [
    'a record of the wrong shape',
    JSON.stringify({ ...sample(), seq: -1 }),
    /not a deploy-action state record: seq/,
  ],
  ['a version from another program', JSON.stringify({ hello: 'world' }), /not a deploy-action state record/],
  ['empty', '', /is empty/],
  ['only white space', ' \n', /is empty/],
  ['cut short', JSON.stringify(sample(), null, 2).slice(0, 120), /is not JSON/],
] as const) {
  test(`a record file that is ${what} is refused with state_corrupt, its path and the fix`, async (t) => {
    const store = new FileStateStore(dir(t));
    mkdirSync(join(store.dir, 'records'), { recursive: true });
    writeFileSync(store.pathFor('production'), content);
    const read = await store.read('production');
    assert.equal(read.ok, false);
    assert.ok(!read.ok);
    assert.equal(read.code, 'state_corrupt');
    assert.equal(read.source, store.pathFor('production'));
    assert.match(read.message, expected);
    assert.ok(read.message.includes(store.pathFor('production')), read.message);
    assert.match(read.message, /move the file away to start fresh/);
  });
}

test("a newer deploy-action's record file is refused as such, marked newer, and never advised away", async (t) => {
  // It may hold an unfinished rollout and how to undo it that only that version reads: moving it away (as the
  // refusal advised) dropped them, and a run with a current command replaced it.
  const store = new FileStateStore(dir(t));
  mkdirSync(join(store.dir, 'records'), { recursive: true });
  writeFileSync(store.pathFor('production'), JSON.stringify({ ...sample(), schema: 2 }));
  const read = await store.read('production');
  assert.ok(!read.ok);
  assert.equal(read.code, 'state_corrupt');
  assert.equal(read.newer, true);
  assert.equal(
    read.message,
    `${store.pathFor('production')} was written by a newer deploy-action (record schema 2; this one reads schema 1): ` +
      'run that version or a later one; it is left as it is',
  );
});

test('a corrupt legacy state.json is refused too, never thrown', async (t) => {
  const d = dir(t);
  writeFileSync(join(d, 'state.json'), '[1, 2');
  const read = await new FileStateStore(d).read('production');
  assert.ok(!read.ok);
  assert.equal(read.code, 'state_corrupt');
  assert.match(read.message, /state\.json is not JSON/);
  writeFileSync(join(d, 'state.json'), JSON.stringify({ schema: 2, environments: {} }));
  const wrong = await new FileStateStore(d).read('production');
  assert.ok(!wrong.ok && /expected schema 1/.test(wrong.message));
  writeFileSync(
    join(d, 'state.json'),
    JSON.stringify({ schema: 1, environments: { production: { version: 3 } } }),
  );
  const field = await new FileStateStore(d).read('production');
  assert.ok(
    !field.ok && /environments\.production: needs a version/.test(field.message),
    JSON.stringify(field),
  );
});

test("another environment's record in this one's file is refused as misplaced", async (t) => {
  const store = new FileStateStore(dir(t));
  mkdirSync(join(store.dir, 'records'), { recursive: true });
  writeFileSync(store.pathFor('production'), JSON.stringify(sample('staging')));
  const read = await store.read('production');
  assert.ok(!read.ok);
  assert.equal(read.code, 'state_misplaced');
  assert.match(read.message, /record of environment "staging", not "production"/);
});

test('an unreadable record file is a refusal naming the error, not a throw', async (t) => {
  const store = new FileStateStore(dir(t));
  // A directory where the file should be: unreadable for root too.
  mkdirSync(store.pathFor('production'), { recursive: true });
  const read = await store.read('production');
  assert.ok(!read.ok);
  assert.equal(read.code, 'state_corrupt');
  assert.match(read.message, /cannot be read \(a directory, not a regular file\)/);
});

test('a state directory that is a file is refused saying so, not with advice to move a record away', async (t) => {
  const file = join(dir(t), 'state');
  writeFileSync(file, 'not a directory\n');
  const read = await new FileStateStore(file).read('production');
  assert.ok(!read.ok);
  assert.equal(read.code, 'state_corrupt');
  // Before: "cannot be read (ENOTDIR); check what is live, then move the file away", the file being the state dir.
  assert.match(
    read.message,
    /a part of its path is a file, not a directory; the state directory .* must be a directory$/,
  );
  assert.doesNotMatch(read.message, /move the file away/);
  assert.equal(readFileSync(file, 'utf8'), 'not a directory\n');
});

test('a record file that is a FIFO or far larger than any record is refused unread, never waited on', async (t) => {
  const store = new FileStateStore(dir(t));
  const path = store.pathFor('production');
  mkdirSync(join(store.dir, 'records'), { recursive: true });
  // A FIFO with no writer: opening it to read would block the run for ever.
  execFileSync('mkfifo', [path]);
  // A writer waiting on it: opening the FIFO to look at it would let that writer through. It is not opened.
  const writer = spawn(
    process.execPath,
    ['-e', `require('node:fs').openSync(${JSON.stringify(path)}, 'w'); console.log('opened')`],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  let writerOut = '';
  writer.stdout.on('data', (chunk: Buffer) => (writerOut += chunk));
  t.after(() => void writer.kill('SIGKILL'));
  await new Promise((resolve) => setTimeout(resolve, 300)); // the writer is at its open
  const fifo = store.readSync('production');
  assert.ok(!fifo.ok);
  assert.equal(fifo.code, 'state_corrupt');
  assert.match(fifo.message, /production\.json cannot be read \(a FIFO, not a regular file\)/);
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(writerOut, '', 'the FIFO was opened: its waiting writer went on');
  writer.kill('SIGKILL');
  rmSync(path);
  // A socket cannot even be opened (ENXIO): said as what it is, as by its look before.
  const socket = createServer();
  await new Promise<void>((resolve) => socket.listen(path, resolve));
  try {
    const bound = store.readSync('production');
    assert.ok(!bound.ok);
    assert.equal(bound.code, 'state_corrupt');
    assert.match(bound.message, /production\.json cannot be read \(a device or socket, not a regular file\)/);
  } finally {
    await new Promise((resolve) => socket.close(resolve));
  }
  rmSync(path, { force: true });
  // A genuine-looking record padded past any size a record has: not read into memory, not believed.
  writeFileSync(path, JSON.stringify(sample()) + ' '.repeat(MAX_RECORD_BYTES));
  const huge = store.readSync('production');
  assert.ok(!huge.ok);
  assert.equal(huge.code, 'state_corrupt');
  assert.match(
    huge.message,
    new RegExp(`cannot be read \\(\\d+ bytes; a record is at most ${MAX_RECORD_BYTES}\\)`),
  );
});

test('a refused record file is never written over: the next write moves it aside, bytes intact, and the refusal names where', async (t) => {
  const store = new FileStateStore(dir(t));
  const records = join(store.dir, 'records');
  mkdirSync(records, { recursive: true });
  const path = store.pathFor('production');
  // Corrupt, and another environment's record (misplaced): both are kept for whoever looks into why.
  for (const [text, code] of [
    ['{"schema": 1, "seq": "tampered"', 'state_corrupt'],
    [JSON.stringify(sample('staging')), 'state_misplaced'],
  ] as const) {
    writeFileSync(path, text);
    utimesSync(path, NOW, NOW);
    const read = await store.read('production');
    assert.ok(!read.ok);
    assert.equal(read.code, code);
    const kept = `${path}.refused-2026-03-01T10-00-00.000Z`;
    assert.equal(read.kept, kept);

    await store.write(sample('production'), { durable: true });
    assert.equal(readFileSync(kept, 'utf8'), text, 'the refused record was not kept as it was');
    const after = await store.read('production');
    assert.ok(after.ok);
    assert.deepEqual(after.record, sample('production'));
    // A record this store believes is replaced in place, as always: nothing more is moved aside.
    await store.write(withTransition(sample('production'), {}, undefined, NOW));
    assert.deepEqual(
      readdirSync(records).filter((name) => name.includes('.refused-')),
      ['production.json.refused-2026-03-01T10-00-00.000Z'],
    );
    rmSync(kept);
  }
});

test("two runs at once on one environment: the second write never puts its record over the first's", async (t) => {
  const d = dir(t);
  const first = new FileStateStore(d);
  const second = new FileStateStore(d);
  const path = first.pathFor('production');
  // Both find no record, then both start a rollout numbered 1: the one stored first stays.
  assert.equal((await first.read('production')).ok, true);
  assert.equal((await second.read('production')).ok, true);
  const mine = sample('production');
  const theirs = withTransition(emptyRecord('local', 'production', NOW), {}, undefined, NOW);
  await first.write(mine, { durable: true });
  await assert.rejects(second.write(theirs, { durable: true }), (error: Error) => {
    assert.match(
      error.message,
      /holds record 1, written by another run since this one found no record there/,
    );
    assert.ok(error.message.startsWith(path), 'names the file');
    return true;
  });
  assert.deepEqual((await first.read('production')).ok && JSON.parse(readFileSync(path, 'utf8')), mine);

  // Both read record 1; the first writes 2; the second's 2, and every later write of it, are refused.
  assert.equal((await second.read('production')).ok, true);
  const two = withTransition(mine, {}, { by: 'cli:a', event: 'phase', code: 'production' }, NOW);
  await first.write(two);
  for (const seq of [2, 3])
    await assert.rejects(
      second.write({ ...mine, seq }),
      /holds record 2, written by another run since this one read or wrote record 1/,
    );
  // The first goes on as before.
  await first.write(withTransition(two, {}, undefined, NOW));
  const read = await first.read('production');
  assert.equal(read.ok && read.record?.seq, 3);

  // Two runs that each stored their own record 4 (both past the check at once, the second rename last):
  // the first's next write finds a record 4 that is not its own.
  const four = withTransition(read.ok ? read.record! : mine, {}, undefined, NOW);
  await first.write(four);
  writeFileSync(path, `${JSON.stringify({ ...four, updatedAt: '2026-03-01T10:00:01.000Z' }, null, 2)}\n`);
  await assert.rejects(
    first.write(withTransition(four, {}, undefined, NOW)),
    /holds record 4, written by another run since this one read or wrote its own record 4/,
  );

  // A store that read nothing still never writes a record over a newer or equal one.
  await assert.rejects(new FileStateStore(d).write(two), /already holds record 4, not older than this one/);
});

test('two writes at the same moment on one environment: exactly one is stored, the other fails (the check and the rename are one step)', async (t) => {
  const d = dir(t);
  for (let round = 0; round < 5; round++) {
    const environment = `env-${round}`;
    const first = new FileStateStore(d);
    const second = new FileStateStore(d);
    // Both find no record, then both write their record 1 at once.
    assert.equal((await first.read(environment)).ok, true);
    assert.equal((await second.read(environment)).ok, true);
    const mine = withTransition(emptyRecord('local', environment, NOW), {}, undefined, NOW);
    const theirs = { ...mine, updatedAt: '2026-03-01T10:00:01.000Z' };
    const [a, b] = await Promise.allSettled([
      first.write(mine, { durable: true }),
      second.write(theirs, { durable: true }),
    ]);
    const stored = [a, b].filter((r) => r.status === 'fulfilled').length;
    assert.equal(stored, 1, `round ${round}: ${stored} writes passed the check`);
    const refused = [a, b].find((r) => r.status === 'rejected')!;
    assert.match(String(refused.reason), /written by another run since this one found no record there/);
    const file = JSON.parse(readFileSync(first.pathFor(environment), 'utf8')) as EnvironmentRecord;
    assert.deepEqual(
      file,
      JSON.parse(JSON.stringify(a.status === 'fulfilled' ? mine : theirs)),
      'the file holds the write that passed',
    );
  }
  // No lock or temp file is left behind.
  assert.deepEqual(
    readdirSync(join(d, 'records')).filter((name) => !name.endsWith('.json')),
    [],
  );
});

test("reading the record again does not make another run's record the one this run may write over", async (t) => {
  const d = dir(t);
  const first = new FileStateStore(d);
  const second = new FileStateStore(d);
  assert.equal((await first.read('production')).ok, true);
  const one = sample('production');
  await first.write(one);
  // The other run reads the first's record 1 and writes its 2.
  const read = await second.read('production');
  assert.ok(read.ok && read.record);
  await second.write(withTransition(read.record, {}, { by: 'cli:b', event: 'phase', code: 'x' }, NOW));
  // The first run reads again (it sees record 2), then goes on from its own records: its next ones
  // (numbered past the other's) would drop what the other run recorded.
  const again = await first.read('production');
  assert.equal(again.ok && again.record?.seq, 2);
  const mine = withTransition(withTransition(one, {}, undefined, NOW), {}, undefined, NOW);
  assert.equal(mine.seq, 3);
  await assert.rejects(
    first.write(mine),
    /holds record 2, written by another run since this one read or wrote record 1/,
  );
  const file = JSON.parse(readFileSync(first.pathFor('production'), 'utf8')) as EnvironmentRecord;
  assert.equal(file.history.at(-1)?.by, 'cli:b', "the other run's record stays");
});

test('a write waits for the lock another write holds, gives up naming it; a lock whose process is gone is taken over', async (t) => {
  const d = dir(t);
  const store = new FileStateStore(d, { lockWaitMs: 200 });
  const path = store.pathFor('production');
  mkdirSync(join(d, 'records'), { recursive: true });
  // Held by a live process of this host (this one): the write is not stored, and says why.
  writeFileSync(`${path}.lock`, JSON.stringify({ pid: process.pid, host: hostname() }));
  await assert.rejects(store.write(sample('production')), (error: Error) => {
    assert.match(error.message, new RegExp(`production\\.json\\.lock is held by process ${process.pid} on `));
    assert.match(error.message, /the record was not stored/);
    return true;
  });
  assert.deepEqual(
    readdirSync(join(d, 'records')).sort(),
    ['production.json.lock'],
    'no record, no temp file',
  );
  // Left by a process that is gone: taken over, and the record is stored.
  const dead = Number(execFileSync(process.execPath, ['-p', 'process.pid'], { encoding: 'utf8' }).trim());
  writeFileSync(`${path}.lock`, JSON.stringify({ pid: dead, host: hostname() }));
  await store.write(sample('production'));
  assert.deepEqual(JSON.parse(readFileSync(path, 'utf8')), sample('production'));
  assert.deepEqual(readdirSync(join(d, 'records')), ['production.json']);
});

test('an empty or unreadable lock left by a write that died is taken over within seconds; a fresh one is waited for', async (t) => {
  const d = dir(t);
  const store = () => new FileStateStore(d, { lockWaitMs: 1_000 });
  const path = store().pathFor('production');
  const lock = `${path}.lock`;
  mkdirSync(join(d, 'records'), { recursive: true });
  const aged = (seconds: number) => {
    const at = new Date(Date.now() - seconds * 1000);
    utimesSync(lock, at, at);
  };
  // Created, then its writer died before writing its pid (an older version, or no hard links): 5 s old, well
  // within the minute a lock of another host is given, and no write could still be making it.
  for (const left of ['', 'not a holder{']) {
    writeFileSync(lock, left);
    aged(5);
    await store().write(sample('production'), { durable: true });
    assert.deepEqual(readdirSync(join(d, 'records')), ['production.json'], `lock ${JSON.stringify(left)}`);
    rmSync(path);
  }
  // One made just now (its writer may be between creating and writing it) is not taken: the write waits, and
  // gives up naming it. Its time is set a minute ahead, so however slow this machine it is still young.
  writeFileSync(lock, '');
  aged(-60);
  await assert.rejects(
    store().write(sample('production')),
    /production\.json\.lock is held by another process/,
  );
  assert.ok(readFileSync(lock, 'utf8') === '', 'the fresh lock is left alone');
});

test('whose lock is stale: a live holder never, a dead or reused pid at once, another host after a minute, nobody after seconds', () => {
  const here = 'box';
  const runs = (started?: string) => () => ({ runs: true, started });
  const gone = () => ({ runs: false });
  const me = { pid: 42, host: here, started: 'boot:100' };
  // A live holder of this host, however old its lock: the write may be slow, never two writers.
  assert.equal(isStaleHolder(me, 3_600_000, here, runs('boot:100')), false);
  assert.equal(isStaleHolder({ pid: 42, host: here }, 3_600_000, here, runs('boot:7')), false);
  assert.equal(isStaleHolder(me, 0, here, gone), true);
  assert.equal(isStaleHolder(me, 0, here, runs('boot:101')), true, 'the pid belongs to another process now');
  assert.equal(isStaleHolder({ ...me, host: 'other' }, 30_000, here, gone), false);
  assert.equal(isStaleHolder({ ...me, host: 'other' }, STALE_LOCK_MS + 1, here, gone), true);
  // Names nobody (empty, not JSON, no pid): judged by its age alone, with a few seconds' grace.
  for (const nobody of [undefined, {}, { host: here }, { pid: -1, host: here }, { pid: 42 }]) {
    assert.equal(isStaleHolder(nobody, 500, here, runs()), false, JSON.stringify(nobody));
    assert.equal(
      isStaleHolder(nobody, UNNAMED_LOCK_STALE_MS + 1, here, runs()),
      true,
      JSON.stringify(nobody),
    );
  }
  assert.ok(UNNAMED_LOCK_STALE_MS <= 5_000 && UNNAMED_LOCK_STALE_MS < LOCK_WAIT_MS);
});

test('a lock is never seen empty: it appears with its holder in it, and no draft is left behind', async (t) => {
  const d = dir(t);
  const lock = join(d, 'production.json.lock');
  await createOwnedFile(lock);
  const holder = JSON.parse(readFileSync(lock, 'utf8')) as { pid: number; host: string };
  assert.equal(holder.pid, process.pid);
  assert.equal(holder.host, hostname());
  await assert.rejects(createOwnedFile(lock), { code: 'EEXIST' });
  assert.deepEqual(readdirSync(d), ['production.json.lock']);
  // Many at once: exactly one gets it, each sees it whole.
  rmSync(lock);
  const tries = await Promise.allSettled(Array.from({ length: 20 }, () => createOwnedFile(lock)));
  assert.equal(tries.filter((r) => r.status === 'fulfilled').length, 1);
  assert.deepEqual(readdirSync(d), ['production.json.lock']);
});
