// The record store trusts its state directory as the control file's channel does (util/trusted-directories.ts,
// as ssh's StrictModes): a state directory, records/ or record file that someone else owns or may write, one
// below a directory others may write (not sticky), or a link in place of a directory, is refused as
// state_untrusted with the path and what is wrong, by read and readSync alike, and nothing is written there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  chmodSync,
  chownSync,
  existsSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { FileStateStore } from '../../../src/state/file-store.ts';
import { emptyRecord, type EnvironmentRecord } from '../../../src/state/record.ts';
import { linkInPlaceOf, workdir } from '../../helpers/command-workdir.ts';

const dir = (t: { after(fn: () => void): void }): string => workdir(t, 'untrusted-place');

function record(seq: number): EnvironmentRecord {
  return {
    ...emptyRecord('local', 'production', new Date('2026-03-01T10:00:00Z')),
    seq,
    live: { version: `v${seq}`, slot: 'blue', since: '2026-03-01T10:00:00.000Z' },
  };
}

function withUmask(t: { after(fn: () => void): void }, mask: number): void {
  const before = process.umask(mask);
  t.after(() => process.umask(before));
}

test('the store’s own directories and file pass its check, even under a umask that lets the group write', async (t) => {
  withUmask(t, 0o002);
  const state = join(dir(t), 'state');
  const store = new FileStateStore(state);
  await store.write(record(1), { durable: true });
  await store.write(record(2));
  assert.equal(statSync(state).mode & 0o777, 0o755);
  assert.equal(statSync(join(state, 'records')).mode & 0o777, 0o755);
  assert.equal(statSync(store.pathFor('production')).mode & 0o777, 0o644);
  const read = await new FileStateStore(state).read('production');
  assert.ok(read.ok, read.ok ? '' : read.message);
  assert.equal(read.record?.seq, 2);
});

test('a state directory, records/ or record file others may write, or a link, or one below an open directory, is state_untrusted: not read, not written', async (t) => {
  const root = dir(t);
  const above = join(root, 'shared');
  const state = join(above, 'state');
  const records = join(state, 'records');
  const store = new FileStateStore(state);
  const path = store.pathFor('production');
  await store.write(record(1));
  const text = readFileSync(path, 'utf8');

  const cases: Array<[string, () => void, () => void, RegExp]> = [
    [
      'a world-writable state directory',
      () => chmodSync(state, 0o777),
      () => chmodSync(state, 0o755),
      /^its state directory .*shared\/state may be written by its group and others \(mode 0777\), so its records are not read or written; check them, then `chmod go-w` it$/,
    ],
    [
      'a group-writable records/',
      () => chmodSync(records, 0o775),
      () => chmodSync(records, 0o755),
      /^its directory .*state\/records may be written by its group \(mode 0775\), so its records are not read or written/,
    ],
    [
      'a group-writable record file',
      () => chmodSync(path, 0o664),
      () => chmodSync(path, 0o644),
      /^the record file .*records\/production\.json may be written by its group \(mode 0664\), so it is not read; check them, then `chmod go-w` it$/,
    ],
    [
      'a world-writable directory above, not sticky',
      () => chmodSync(above, 0o777),
      () => chmodSync(above, 0o755),
      /^the directory .*shared above its state directory .*shared\/state may be written by its group and others \(mode 0777\), so its records are not read or written/,
    ],
    [
      'a linked state directory',
      ...linkInPlaceOf(state),
      /^its state directory .*shared\/state is a symbolic link \(the CLI makes a directory there\), so its records are not read or written; set state_dir to the directory it points to$/,
    ],
    ['a linked records/', ...linkInPlaceOf(records), /^its directory .*state\/records is a symbolic link/],
  ];
  for (const [what, spoil, mend, message] of cases) {
    spoil();
    try {
      for (const read of [
        await new FileStateStore(state).read('production'),
        new FileStateStore(state).readSync('production'),
      ]) {
        assert.equal(read.ok, false, what);
        if (read.ok) continue;
        assert.equal(read.code, 'state_untrusted', what);
        assert.match(read.message, message, what);
        assert.equal(read.source, path, what);
      }
      if (what.includes('record file')) {
        // Not a place others may write: a write puts the store's own file (0644) in its place, the other kept aside.
        await new FileStateStore(state).write(record(2));
        assert.equal(statSync(path).mode & 0o777, 0o644);
        const kept = readdirSync(records).filter((name) => name.includes('.refused-'));
        assert.equal(kept.length, 1, what);
        assert.equal(readFileSync(join(records, kept[0]!), 'utf8'), text, `${what}: kept as it was`);
        rmSync(join(records, kept[0]!));
      } else {
        await assert.rejects(new FileStateStore(state).write(record(2)), (error: Error) => {
          const [, why] = /^record 2 of production was not stored: (.*)$/.exec(error.message) ?? [];
          assert.match(why ?? error.message, message, what);
          return true;
        });
        assert.equal(readFileSync(path, 'utf8'), text, `${what}: nothing written`);
      }
    } finally {
      mend();
    }
    writeFileSync(path, text);
    assert.deepEqual(readdirSync(records).sort(), ['production.json'], `${what}: no draft or lock left`);
    const mended = await new FileStateStore(state).read('production');
    assert.ok(mended.ok, `${what}: read once mended`);
  }
  assert.ok(!existsSync(join(state, 'control')));

  // Sticky and ours (as /tmp is root's): nobody else may rename the state directory away.
  chmodSync(above, 0o1777);
  assert.ok((await new FileStateStore(state).read('production')).ok, 'a sticky directory above passes');
  chmodSync(above, 0o755);

  // Nothing is made under an open directory: not the state directory, not records/.
  const fresh = join(above, 'fresh');
  chmodSync(above, 0o777);
  await assert.rejects(
    new FileStateStore(fresh).write(record(1)),
    /the directory .*shared above its state directory .*fresh may be written/,
  );
  assert.ok(!existsSync(fresh), 'not made');
  chmodSync(above, 0o755);
});

test('another user’s state directory or record is not trusted (root makes it so; anyone else is told they are another)', async (t) => {
  const state = join(dir(t), 'state');
  await new FileStateStore(state).write(record(1));
  const root = process.getuid?.() === 0;
  if (root) {
    chownSync(state, 4242, 4242);
    const read = await new FileStateStore(state).read('production');
    assert.ok(!read.ok && read.code === 'state_untrusted');
    assert.match(
      read.message,
      /^its state directory .* is owned by user 4242, not by the user the CLI runs as \(0\) or root, so its records are not read or written; check them, then `chown 0` it$/,
    );
    chownSync(state, 0, 0);
  }
  const other = new FileStateStore(state, root ? {} : { uid: (process.getuid?.() ?? 0) + 1 });
  if (!root) {
    const read = await other.read('production');
    assert.ok(!read.ok && read.code === 'state_untrusted');
  }
  // Where there are no owners (Windows), nothing is judged.
  chmodSync(state, 0o777);
  assert.ok((await new FileStateStore(state, { uid: undefined }).read('production')).ok);
  chmodSync(state, 0o755);
});

test('a record file or state.json the checkout brought (git tracks it) is state_untrusted: a pull request could have written it', async (t) => {
  // On a job's fresh checkout the only record a state directory inside the workspace can hold is one committed
  // to the repository (actions/checkout cleans every untracked file away), so anyone who can push a branch or
  // open a pull request chose what is "live" and what a rollback goes back to.
  const repo = dir(t);
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, stdio: 'ignore' });
  git('init', '-q');
  const state = join(repo, '.deploy-action');
  const store = new FileStateStore(state);
  await store.write(record(1));
  // Written by a run and not in the commit: read.
  const own = await new FileStateStore(state).read('production');
  assert.ok(own.ok, own.ok ? '' : own.message);
  assert.equal(own.record?.live?.version, 'v1');

  const path = store.pathFor('production');
  git('add', '--', path);
  for (const read of [
    await new FileStateStore(state).read('production'),
    new FileStateStore(state).readSync('production'),
  ]) {
    assert.equal(read.ok, false);
    assert.equal(!read.ok && read.code, 'state_untrusted');
    assert.match(
      !read.ok ? read.message : '',
      /^the record file .*production\.json is in the repository's commit \(git tracks it\), so whoever can push a branch or open a pull request wrote it, not a deployment: it is not read\./,
    );
  }

  // The old state.json of earlier versions, committed, likewise.
  const legacyState = join(repo, 'legacy');
  const legacy = join(legacyState, 'state.json');
  const legacyStore = new FileStateStore(legacyState);
  await legacyStore.write(record(1));
  rmSync(legacyStore.pathFor('production'));
  writeFileSync(
    legacy,
    JSON.stringify({ schema: 1, environments: { production: { current: 'v9', previous: 'v8' } } }),
  );
  git('add', '--', legacy);
  const old = await new FileStateStore(legacyState).read('production');
  assert.equal(!old.ok && old.code, 'state_untrusted', JSON.stringify(old));
});
