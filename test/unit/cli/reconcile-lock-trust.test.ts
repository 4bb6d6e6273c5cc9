// The reconcile lock is trusted as the records are (util/lock-trust.ts): a `locks/` or a lock that someone
// else may write, or a link in place of either, is neither taken nor believed (no lock made, none taken over),
// and the refusal names the path, what is wrong and the fix. The CLI makes `locks/` 0755 and its locks 0644
// whatever the umask, so its own are never refused.
import assert from 'node:assert/strict';
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import type { ResolvedEnvironment } from '../../../src/config/resolve.ts';
import { fileReconcileLock, reconcileLockPath } from '../../../src/cli/reconcile-lock.ts';
import type { ProcessProbe } from '../../../src/reconcile/owner.ts';
import type { ExclusiveHold } from '../../../src/reconcile/run.ts';
import { createOwnedFile, removeOwnedFile, takeOverStaleLock } from '../../../src/util/lock-takeover.ts';

const DEAD = 999_991;
const root = process.getuid?.() === 0;

let dir: string;
let env: ResolvedEnvironment;
let path: string;
let locks: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'reconcile-lock-trust-'));
  env = { name: 'production', stateDir: join(dir, 'state') } as ResolvedEnvironment;
  path = reconcileLockPath(env);
  locks = dirname(path);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** DEAD is gone, every other pid runs. */
const probe = {
  host: hostname(),
  kill: (pid: number) => {
    if (pid === DEAD) throw Object.assign(new Error('no such process'), { code: 'ESRCH' });
    return true;
  },
} as ProcessProbe;

const take = (options: Parameters<typeof fileReconcileLock>[1] = {}) =>
  fileReconcileLock(probe, { notice: () => {}, ...options })(env);

function refusal(hold: ExclusiveHold): string {
  assert.equal(hold.ok, false, 'not taken');
  if (hold.ok || hold.untrusted === undefined)
    return assert.fail(`refused as untrusted, not busy: ${JSON.stringify(hold)}`);
  assert.equal(hold.source, path);
  return hold.untrusted;
}

/** A lock naming a process that has ended: one that would be taken over, were it trusted. */
function deadLock(mode = 0o644): string {
  mkdirSync(locks, { recursive: true, mode: 0o755 });
  const text = `${JSON.stringify({ pid: DEAD, host: hostname() })}\n`;
  writeFileSync(path, text);
  chmodSync(path, mode);
  return text;
}

test('the normal way: locks/ and the lock are made, taken over from a dead holder, and given back', async () => {
  const hold = await take();
  assert.ok(hold.ok);
  assert.equal(JSON.parse(readFileSync(path, 'utf8')).pid, process.pid);
  await hold.release();
  deadLock();
  const again = await take();
  assert.ok(again.ok, 'a trusted lock of a dead holder is still taken over');
  await again.release();
  assert.deepEqual(readdirSync(locks), []);
});

test('a locks/ its group or others may write: refused, no lock made there', async () => {
  for (const mode of [0o775, 0o757]) {
    mkdirSync(locks, { recursive: true });
    chmodSync(locks, mode);
    const why = refusal(await take());
    const who = mode === 0o775 ? 'its group' : 'others';
    assert.equal(
      why,
      `its locks directory ${locks} may be written by ${who} (mode 0${mode.toString(8)}), so its locks are neither taken nor believed, and nothing is done there; check them, then \`chmod go-w\` it`,
    );
    assert.deepEqual(readdirSync(locks), [], 'no lock taken');
    chmodSync(locks, 0o755);
    const hold = await take();
    assert.ok(hold.ok, 'taken once mended');
    await hold.release();
  }
});

test('a lock file its group or others may write is not believed: a dead holder written there is not taken over', async () => {
  const text = deadLock(0o666);
  const why = refusal(await take());
  assert.equal(
    why,
    `the lock ${path} may be written by its group and others (mode 0666), so its locks are neither taken nor believed, and nothing is done there; check them, then \`chmod go-w\` it`,
  );
  assert.equal(readFileSync(path, 'utf8'), text, 'left as it is: not removed, not taken over');
  assert.deepEqual(readdirSync(locks), ['reconcile-production.lock']);
});

test('a takeover guard others may write is not trusted either: no lock is taken over under it', async () => {
  const text = deadLock();
  const guard = `${path}.takeover`;
  writeFileSync(guard, `${JSON.stringify({ pid: process.pid, host: hostname() })}\n`);
  chmodSync(guard, 0o646);
  assert.equal(
    refusal(await take()),
    `the lock ${guard} may be written by others (mode 0646), so its locks are neither taken nor believed, and nothing is done there; check them, then \`chmod go-w\` it`,
  );
  assert.equal(readFileSync(path, 'utf8'), text, 'not taken over');
  rmSync(guard);
  const hold = await take();
  assert.ok(hold.ok, 'taken over once it is gone');
  await hold.release();
});

test('a symbolic link in place of the lock, or of locks/: refused, nothing written where it points', async () => {
  mkdirSync(locks, { recursive: true });
  const elsewhere = join(dir, 'elsewhere');
  writeFileSync(elsewhere, `${JSON.stringify({ pid: DEAD, host: hostname() })}\n`);
  symlinkSync(elsewhere, path);
  assert.match(
    refusal(await take()),
    new RegExp(
      `^the lock ${path} is a symbolic link \\(the CLI makes a file there, never a link\\), so its locks are neither taken nor believed, and nothing is done there; check where it points, then remove it$`,
    ),
  );
  assert.ok(lstatSync(path).isSymbolicLink(), 'the link is left');
  assert.ok(existsSync(elsewhere), 'what it points at is left');
  // A dangling one too: the CLI would not make its lock where it points, but says so.
  rmSync(elsewhere);
  assert.match(refusal(await take()), /is a symbolic link/);

  rmSync(locks, { recursive: true });
  const other = join(dir, 'other-locks');
  mkdirSync(other);
  symlinkSync(other, locks);
  assert.match(
    refusal(await take()),
    new RegExp(
      `^its locks directory ${locks} is a symbolic link \\(the CLI makes a directory there\\), so its locks are neither taken nor believed, and nothing is done there; put the directory itself there$`,
    ),
  );
  assert.deepEqual(readdirSync(other), [], 'no lock made where it points');
});

test('a lock, or locks/, owned by another user: refused (root makes it so; anyone else is told they are another)', async () => {
  const text = deadLock();
  if (!root) {
    const why = refusal(await take({ uid: (process.getuid?.() ?? 0) + 1 }));
    assert.match(why, /is owned by user \d+, not by the user the CLI runs as \(\d+\) or root/);
    return;
  }
  chownSync(path, 65534, 65534);
  assert.equal(
    refusal(await take()),
    `the lock ${path} is owned by user 65534, not by the user the CLI runs as (0) or root, so its locks are neither taken nor believed, and nothing is done there; check them, then \`chown 0\` it`,
  );
  assert.equal(readFileSync(path, 'utf8'), text, 'not taken over');
  chownSync(path, 0, 0);
  chownSync(locks, 65534, 65534);
  assert.match(refusal(await take()), new RegExp(`^its locks directory ${locks} is owned by user 65534`));
  chownSync(locks, 0, 0);
  // A lock made as a directory (no hard links): its holder's file is judged too.
  rmSync(path);
  mkdirSync(path, { mode: 0o755 });
  writeFileSync(join(path, 'owner.json'), text);
  chownSync(join(path, 'owner.json'), 65534, 65534);
  assert.match(
    refusal(await take()),
    new RegExp(`^the lock's holder file ${path}/owner.json is owned by user 65534`),
  );
  assert.ok(existsSync(join(path, 'owner.json')), 'not taken over');
  // Where there are no owners (Windows), nothing is judged.
  const hold = await take({ uid: undefined });
  assert.ok(hold.ok);
  await hold.release();
});

test('under a umask of 000 the CLI still makes locks/ 0755 and its locks 0644 (as files, as directories), and takes them again', async () => {
  const before = process.umask(0);
  try {
    const hold = await take();
    assert.ok(hold.ok);
    assert.equal(statSync(dirname(locks)).mode & 0o777, 0o755, 'the state directory');
    assert.equal(statSync(locks).mode & 0o777, 0o755, 'locks/');
    assert.equal(statSync(path).mode & 0o777, 0o644, 'the lock');
    await hold.release();
    const again = await take();
    assert.ok(again.ok, 'its own lock directory is trusted the next time');
    await again.release();

    // Where there are no hard links the lock is a directory holding its holder's file; and the takeover guard.
    const lock = join(locks, 'other.lock');
    await createOwnedFile(lock, { hardLinks: false });
    assert.equal(statSync(lock).mode & 0o777, 0o755, 'a lock made as a directory');
    assert.equal(statSync(join(lock, 'owner.json')).mode & 0o777, 0o644, "its holder's file");
    await removeOwnedFile(lock);
    writeFileSync(lock, '');
    chmodSync(lock, 0o644);
    let guard = -1;
    await takeOverStaleLock(
      lock,
      async () => {
        guard = statSync(`${lock}.takeover`).mode & 0o777;
        return false;
      },
      2_000,
    );
    assert.equal(guard, 0o644, 'the takeover guard');
  } finally {
    process.umask(before);
  }
});
