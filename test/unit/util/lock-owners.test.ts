// Locks and their holders, with real processes: a lock appears with its holder in it, also where the file
// system has no hard links (it is then a directory); a live holder's lock is never taken, however long it
// is held; a dead holder's is taken over, and that is said; a lock of another host is taken over once GitHub
// says the workflow run that took it has finished, never while it runs.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import fsPromises from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterEach, beforeEach, mock, test } from 'node:test';
import type { ResolvedEnvironment } from '../../../src/config/resolve.ts';
import { fileReconcileLock, reconcileLockPath } from '../../../src/cli/reconcile-lock.ts';
import { FileStateStore } from '../../../src/state/file-store.ts';
import type { EnvironmentRecord } from '../../../src/state/record.ts';
import { lockRunStatusFor, type WorkflowRunsApi } from '../../../src/reconcile/owner.ts';
import { createOwnedFile, readOwnedFile, removeOwnedFile } from '../../../src/util/lock-takeover.ts';

const LOCK_MODULE = resolve('src/util/lock-takeover.ts');

let dir: string;
const children: ChildProcess[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lock-owners-'));
});
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** A process that takes `lock` (as a directory when `hardLinks` is false), says so, and holds it until killed. */
async function holder(lock: string, hardLinks = true): Promise<ChildProcess> {
  const script = `
    import { createOwnedFile } from ${JSON.stringify(LOCK_MODULE)};
    await createOwnedFile(${JSON.stringify(lock)}, { hardLinks: ${hardLinks} });
    process.stdout.write('held\\n');
    setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  await new Promise<void>((done, fail) => {
    child.stdout!.on('data', (data: Buffer) => data.toString().includes('held') && done());
    child.on('exit', (code) => fail(new Error(`the holder exited (${code}) before taking the lock`)));
  });
  return child;
}

/** Sets `path`'s mtime `ms` ago: its holder (a runner that died) last touched it then. */
function untouchedFor(path: string, ms: number): void {
  const then = new Date(Date.now() - ms);
  utimesSync(path, then, then);
}

async function kill(child: ChildProcess): Promise<void> {
  const exited = new Promise((done) => child.on('exit', done));
  child.kill('SIGKILL');
  await exited;
}

const record = (seq: number): EnvironmentRecord => ({
  schema: 1,
  repository: 'local',
  environment: 'production',
  seq,
  updatedAt: new Date(0).toISOString(),
  live: { version: `v${seq}`, since: new Date(0).toISOString() },
  retired: [],
  history: [],
});

test('where link() is refused, a stalled writer’s lock names it from the moment it exists', async () => {
  // No hard links (FAT, some network shares), and a writer that stalls while it makes the lock: the lock
  // was created empty and written after, so for that long it named nobody, and after 2 s another write
  // took it from its live holder (both then wrote the record).
  const lock = join(dir, 'production.json.lock');
  mock.method(fsPromises, 'link', async () => {
    throw Object.assign(new Error('operation not permitted'), { code: 'EPERM' });
  });
  const realOpen = fsPromises.open;
  mock.method(fsPromises, 'open', async (...args: Parameters<typeof realOpen>) => {
    const handle = await realOpen(...args);
    const write = handle.writeFile.bind(handle);
    // The stall: the write of the holder's text comes 200 ms after the file exists.
    handle.writeFile = (async (...rest: Parameters<typeof write>) => {
      await new Promise((done) => setTimeout(done, 200));
      return write(...rest);
    }) as typeof handle.writeFile;
    return handle;
  });
  syncBuiltinESMExports();
  try {
    const making = createOwnedFile(lock);
    const seen: string[] = [];
    for (let look = 0; look < 30 && !existsSync(lock); look++)
      await new Promise((done) => setTimeout(done, 5));
    await new Promise((done) => setTimeout(done, 50));
    if (existsSync(lock)) seen.push(readOwnedFile(lock) ?? '');
    await making;
    seen.push(readOwnedFile(lock) ?? '');
    for (const text of seen)
      assert.equal(JSON.parse(text).pid, process.pid, `the lock said ${JSON.stringify(text)}`);
    assert.ok(statSync(lock).isDirectory(), 'made as a directory, renamed into place whole');
    await assert.rejects(createOwnedFile(lock), { code: 'EEXIST' });
    await removeOwnedFile(lock);
    assert.deepEqual(readdirSync(dir), []);
  } finally {
    mock.restoreAll();
    syncBuiltinESMExports();
  }
});

test('a lock made as a directory is exclusive: of 20 at once, one wins; a file lock in its place is kept', async () => {
  const lock = join(dir, 'production.json.lock');
  const tries = await Promise.allSettled(
    Array.from({ length: 20 }, () => createOwnedFile(lock, { hardLinks: false })),
  );
  assert.equal(tries.filter((t) => t.status === 'fulfilled').length, 1);
  for (const t of tries)
    if (t.status === 'rejected') assert.equal((t.reason as { code: string }).code, 'EEXIST');
  assert.deepEqual(readdirSync(dir), ['production.json.lock'], 'no draft left beside it');
  await removeOwnedFile(lock);
  // An older version's lock (a file) is a lock too.
  writeFileSync(lock, '{}\n');
  await assert.rejects(createOwnedFile(lock, { hardLinks: false }), { code: 'EEXIST' });
  assert.deepEqual(readdirSync(dir), ['production.json.lock']);
});

for (const hardLinks of [true, false]) {
  test(`record writes: a live holder keeps its lock; once it is killed, the lock is taken over and that is said (${hardLinks ? 'file' : 'directory'} lock)`, async () => {
    const store = (notices: string[]) =>
      new FileStateStore(dir, { lockWaitMs: 2_500, notice: (line) => notices.push(line) });
    const path = new FileStateStore(dir).pathFor('production');
    mkdirSync(dirname(path), { recursive: true });
    const child = await holder(`${path}.lock`, hardLinks);
    const notices: string[] = [];
    // Held past the 2 s a lock naming nobody is given: named and alive, it is waited for, never taken.
    await assert.rejects(store(notices).write(record(1)), (error: Error) => {
      assert.match(error.message, new RegExp(`production\\.json\\.lock is held by process ${child.pid} on `));
      return true;
    });
    assert.deepEqual(notices, []);
    assert.ok(existsSync(`${path}.lock`));

    await kill(child);
    await store(notices).write(record(1));
    assert.equal(notices.length, 1);
    assert.match(
      notices[0]!,
      new RegExp(
        `^deploy-action: took over .*production\\.json\\.lock: its holder, process ${child.pid} on .*, has ended$`,
      ),
    );
    assert.deepEqual(readdirSync(dirname(path)), ['production.json'], 'the lock is given back, nothing left');
  });
}

test('the reconcile lock: a live holder keeps it; a killed one’s is taken over and said', async () => {
  const env = { name: 'production', stateDir: dir } as ResolvedEnvironment;
  const path = reconcileLockPath(env);
  mkdirSync(dirname(path), { recursive: true });
  const child = await holder(path, false);
  const notices: string[] = [];
  const lock = fileReconcileLock(undefined, { notice: (line) => notices.push(line) });
  const busy = await lock(env);
  assert.equal(busy.ok, false);
  assert.match(busy.ok ? '' : (busy.holder ?? ''), new RegExp(`^process ${child.pid} on `));
  await kill(child);
  const hold = await lock(env);
  assert.ok(hold.ok);
  assert.deepEqual(notices, [
    `deploy-action: took over ${path}: its holder, process ${child.pid} on ${JSON.parse(readOwnedFile(path)!).host}, has ended`,
  ]);
  await hold.release();
  assert.deepEqual(readdirSync(dirname(path)), []);
});

test('a lock of another host is taken over once its workflow run has finished, never while it runs', async () => {
  const env = { name: 'production', stateDir: dir } as ResolvedEnvironment;
  const path = reconcileLockPath(env);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(
    path,
    `${JSON.stringify({ pid: 4242, host: 'runner-7', run: { id: '42', attempt: '1' } })}\n`,
  );
  untouchedFor(path, 30_000);
  const asked: string[] = [];
  let state: 'running' | 'ended' = 'running';
  const notices: string[] = [];
  const lock = fileReconcileLock(undefined, {
    notice: (line) => notices.push(line),
    runStatus: async (owner) => {
      asked.push(owner.id);
      return state === 'ended' ? { state, conclusion: 'cancelled' } : { state };
    },
  });
  const busy = await lock(env);
  assert.equal(busy.ok, false);
  assert.match(busy.ok ? '' : (busy.holder ?? ''), /process 4242 on runner-7 \(workflow run 42\)/);
  state = 'ended';
  const hold = await lock(env);
  assert.ok(hold.ok);
  assert.deepEqual(notices, [
    `deploy-action: took over ${path}: its holder, process 4242 on runner-7 in workflow run 42, has finished (cancelled) and has not touched it for 30 s`,
  ]);
  assert.ok(asked.every((id) => id === '42') && asked.length >= 2);
  await hold.release();

  // Without a way to ask GitHub, another host's lock is left to it.
  writeFileSync(path, `${JSON.stringify({ pid: 4242, host: 'runner-7', run: { id: '42' } })}\n`);
  assert.equal((await fileReconcileLock()(env)).ok, false);
});

test('a record lock of another host is taken over once its run has finished', async () => {
  const path = new FileStateStore(dir).pathFor('production');
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(`${path}.lock`, `${JSON.stringify({ pid: 4242, host: 'runner-7', run: { id: '42' } })}\n`);
  untouchedFor(`${path}.lock`, 30_000);
  const notices: string[] = [];
  await new FileStateStore(dir, {
    lockWaitMs: 500,
    notice: (line) => notices.push(line),
    runStatus: async () => ({ state: 'ended', conclusion: 'success' }),
  }).write(record(1));
  assert.equal(notices.length, 1);
  assert.match(
    notices[0]!,
    /production\.json\.lock: its holder, workflow run 42 \(process 4242 on runner-7\), has finished \(success\) and has not touched it for 30 s$/,
  );
  // While it runs, a lock younger than any write takes is waited for.
  writeFileSync(`${path}.lock`, `${JSON.stringify({ pid: 4242, host: 'runner-7', run: { id: '43' } })}\n`);
  untouchedFor(`${path}.lock`, 30_000);
  await assert.rejects(
    new FileStateStore(dir, { lockWaitMs: 300, runStatus: async () => ({ state: 'running' }) }).write(
      record(2),
    ),
    /is held by process 4242 on runner-7/,
  );
});

test('a record lock of another host whose run still runs is taken over once older than any write, as without GitHub', async () => {
  // Attempt 1's runner died holding the lock and the run was re-run: attempt 2 runs, and "running" made the
  // lock never stale, so every write of attempt 2 failed.
  const path = new FileStateStore(dir).pathFor('production');
  mkdirSync(dirname(path), { recursive: true });
  const lock = `${path}.lock`;
  writeFileSync(
    lock,
    `${JSON.stringify({ pid: 4242, host: 'runner-7', run: { id: '43', attempt: '1' } })}\n`,
  );
  const old = (Date.now() - 2 * 60_000) / 1000;
  utimesSync(lock, old, old);
  for (const answer of [{ state: 'running' }, { state: 'unknown', reason: 'not found' }] as const) {
    const notices: string[] = [];
    await new FileStateStore(dir, {
      lockWaitMs: 500,
      notice: (line) => notices.push(line),
      runStatus: async () => answer,
    }).write(record(answer.state === 'running' ? 1 : 2));
    assert.equal(notices.length, 1);
    assert.match(
      notices[0]!,
      /its holder, process 4242 on runner-7, has held it for 1\d\d s, longer than any write takes$/,
    );
    writeFileSync(
      lock,
      `${JSON.stringify({ pid: 4242, host: 'runner-7', run: { id: '43', attempt: '1' } })}\n`,
    );
    utimesSync(lock, old, old);
  }
});

/** This repository's Actions API, answering for run 42 only, as given (an error: its HTTP status). */
function runsApi(answer: { status: string; conclusion: string | null; run_attempt: number } | number) {
  const asked: unknown[] = [];
  const api: WorkflowRunsApi = {
    actions: {
      async getWorkflowRun(p) {
        asked.push(p);
        if (typeof answer === 'number' || p.run_id !== 42)
          throw Object.assign(new Error('Not Found'), { status: typeof answer === 'number' ? answer : 404 });
        return { data: answer };
      },
    },
  };
  return { api, asked };
}

test('a record lock is taken over by run status only for this repository’s run attempt GitHub reports completed', async () => {
  const path = new FileStateStore(dir).pathFor('production');
  mkdirSync(dirname(path), { recursive: true });
  const lock = `${path}.lock`;
  const take = (run: object) => {
    writeFileSync(lock, `${JSON.stringify({ pid: 4242, host: 'runner-7', run })}\n`);
    untouchedFor(lock, 30_000);
  };
  const store = (answer: Parameters<typeof runsApi>[0], notices: string[] = []) =>
    new FileStateStore(dir, {
      lockWaitMs: 300,
      notice: (line) => notices.push(line),
      runStatus: lockRunStatusFor({ api: runsApi(answer).api, owner: 'acme', repo: 'web' }),
    });
  const running = { status: 'in_progress', conclusion: null, run_attempt: 2 };

  // Another repository's live run, sharing the state directory: not found here, which says nothing of it.
  take({ id: '77', attempt: '1', repository: 'acme/api' });
  await assert.rejects(store(404).write(record(1)), /is held by process 4242 on runner-7/);
  take({ id: '42', attempt: '1', repository: 'acme/web' });
  await assert.rejects(store(404).write(record(1)), /is held by process 4242 on runner-7/);
  // A lock that does not say its repository.
  take({ id: '42', attempt: '1' });
  await assert.rejects(store({ ...running, status: 'completed' }).write(record(1)), /is held by/);
  // This repository's attempt that still runs.
  take({ id: '42', attempt: '2', repository: 'acme/web' });
  await assert.rejects(store(running).write(record(1)), /is held by/);

  // Attempt 1 of a run re-run (attempt 2 runs): attempt 1 has ended.
  take({ id: '42', attempt: '1', repository: 'acme/web' });
  const notices: string[] = [];
  await store(running, notices).write(record(1));
  assert.match(
    notices[0]!,
    /workflow run 42 \(process 4242 on runner-7\), has finished \(attempt 1; attempt 2 re-ran it\) and has not touched it for 30 s$/,
  );
  // The attempt itself completed.
  take({ id: '42', attempt: '2', repository: 'acme/web' });
  await store({ ...running, status: 'completed', conclusion: 'failure' }, notices).write(record(2));
  assert.match(notices[1]!, /has finished \(failure\) and has not touched it for 30 s$/);
});

test('the reconcile lock is taken over by run status only for this repository’s run attempt GitHub reports completed', async () => {
  const env = { name: 'production', stateDir: dir } as ResolvedEnvironment;
  const path = reconcileLockPath(env);
  mkdirSync(dirname(path), { recursive: true });
  const lock = (answer: Parameters<typeof runsApi>[0]) =>
    fileReconcileLock(undefined, {
      notice: () => {},
      runStatus: lockRunStatusFor({ api: runsApi(answer).api, owner: 'acme', repo: 'web' }),
    })(env);
  const take = (run: object) => {
    writeFileSync(path, `${JSON.stringify({ pid: 4242, host: 'runner-7', run })}\n`);
    untouchedFor(path, 30_000);
  };
  take({ id: '77', attempt: '1', repository: 'acme/api' });
  assert.equal((await lock(404)).ok, false, 'another repository’s run is not taken for ended');
  take({ id: '42', attempt: '2', repository: 'acme/web' });
  assert.equal((await lock({ status: 'in_progress', conclusion: null, run_attempt: 2 })).ok, false);
  take({ id: '42', attempt: '1', repository: 'acme/web' });
  const hold = await lock({ status: 'in_progress', conclusion: null, run_attempt: 2 });
  assert.ok(hold.ok, 'attempt 1 ended when attempt 2 started');
  await hold.release();
});

test('where a directory cannot be renamed into place either (FUSE object stores), the lock is an exclusive file, and that is warned of once', async () => {
  // No hard links, and rename() of a directory refused (gcsfuse, s3fs): every state write threw, and the
  // reconcile lock went on without a lock.
  const realRename = fsPromises.rename;
  for (const code of ['EXDEV', 'ENOTSUP', 'EIO', 'ENOSYS']) {
    mock.method(fsPromises, 'link', async () => {
      throw Object.assign(new Error('operation not permitted'), { code: 'EPERM' });
    });
    mock.method(fsPromises, 'rename', async (from: string, to: string) => {
      if (statSync(from).isDirectory())
        throw Object.assign(new Error(`${code}: cannot rename a directory`), { code });
      return realRename(from, to);
    });
    syncBuiltinESMExports();
    const warnings: string[] = [];
    const where = join(dir, code);
    mkdirSync(where);
    const path = join(where, 'production.json.lock');
    try {
      await createOwnedFile(path, { warn: (line) => warnings.push(line) });
      assert.ok(statSync(path).isFile());
      assert.equal(JSON.parse(readOwnedFile(path) ?? '').pid, process.pid);
      await assert.rejects(createOwnedFile(path, { warn: (line) => warnings.push(line) }), {
        code: 'EEXIST',
      });
      await removeOwnedFile(path);
      await createOwnedFile(path, { warn: (line) => warnings.push(line) });
      await removeOwnedFile(path);
      assert.deepEqual(readdirSync(where), [], 'no draft directory left behind');
      assert.equal(warnings.length, 1, warnings.join('\n'));
      assert.match(warnings[0]!, new RegExp(`refuses to rename a directory \\(${code}\\)`));
    } finally {
      mock.restoreAll();
      syncBuiltinESMExports();
    }
  }
  // The record store and the reconcile lock work there too.
  mock.method(fsPromises, 'link', async () => {
    throw Object.assign(new Error('operation not permitted'), { code: 'EPERM' });
  });
  mock.method(fsPromises, 'rename', async (from: string, to: string) => {
    if (statSync(from).isDirectory()) throw Object.assign(new Error('EXDEV'), { code: 'EXDEV' });
    return realRename(from, to);
  });
  syncBuiltinESMExports();
  try {
    const store = new FileStateStore(dir);
    await store.write(record(1));
    assert.equal(existsSync(`${store.pathFor('production')}.lock`), false);
    const env = { name: 'production', stateDir: dir } as ResolvedEnvironment;
    const hold = await fileReconcileLock()(env);
    assert.ok(hold.ok);
    assert.ok(statSync(reconcileLockPath(env)).isFile(), 'a real lock, not none');
    const second = await fileReconcileLock()(env);
    assert.equal(second.ok, false, 'a second reconcile finds it held');
    await hold.release();
  } finally {
    mock.restoreAll();
    syncBuiltinESMExports();
  }
});

test("a failed write of the lock's owner is its own error, not taken for a file system that cannot rename a directory", async () => {
  const realWrite = fsPromises.writeFile;
  mock.method(fsPromises, 'link', async () => {
    throw Object.assign(new Error('operation not permitted'), { code: 'EPERM' });
  });
  mock.method(fsPromises, 'writeFile', async (file: string, ...rest: unknown[]) => {
    if (String(file).endsWith('owner.json'))
      throw Object.assign(new Error('EIO: i/o error'), { code: 'EIO' });
    return (realWrite as (...a: unknown[]) => Promise<void>)(file, ...rest);
  });
  syncBuiltinESMExports();
  const warnings: string[] = [];
  const path = join(dir, 'write-fails.json.lock');
  try {
    await assert.rejects(createOwnedFile(path, { warn: (line) => warnings.push(line) }), { code: 'EIO' });
    assert.equal(existsSync(path), false, 'no lock left in place');
    assert.deepEqual(warnings, [], 'no warning about renaming directories');
  } finally {
    mock.restoreAll();
    syncBuiltinESMExports();
  }
});
