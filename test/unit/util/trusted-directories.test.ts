// The state directory and the directories above it, judged as ssh's StrictModes judges them: the pure rule for
// a directory above (a sticky one of root's or ours passes, as /tmp), and the walk up to / both as written and
// as resolved, nearest first, naming the directory and what is wrong.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { untrusted, untrustedAncestor } from '../../../src/util/file-trust.ts';
import { untrustedAncestors, untrustedStateDirectory } from '../../../src/util/trusted-directories.ts';

const ME = 1000;
const EFFECT = 'its records are not read or written';

function dir(t: { after(fn: () => void): void }): string {
  const d = mkdtempSync(join(tmpdir(), 'trusted-dirs-'));
  t.after(() => {
    chmodSync(d, 0o700);
    rmSync(d, { recursive: true, force: true });
  });
  return d;
}

test('a directory above: writable by its group or others is refused unless sticky; its owner is not judged', () => {
  const what = 'the directory /srv above its state directory /srv/state';
  assert.equal(untrustedAncestor(what, { uid: 0, mode: 0o40755 }, ME), undefined, 'root’s 0755');
  assert.equal(untrustedAncestor(what, { uid: ME, mode: 0o40700 }, ME), undefined, 'ours');
  assert.equal(untrustedAncestor(what, { uid: 0, mode: 0o41777 }, ME), undefined, '/tmp: sticky, root’s');
  assert.equal(untrustedAncestor(what, { uid: ME, mode: 0o41777 }, ME), undefined, 'sticky, ours');
  assert.equal(
    untrustedAncestor(what, { uid: 0, mode: 0o40777 }, ME, EFFECT),
    `${what} may be written by its group and others (mode 0777), so ${EFFECT}; check them, then \`chmod go-w\` it`,
  );
  assert.match(
    untrustedAncestor(what, { uid: ME, mode: 0o40775 }, ME) ?? '',
    /may be written by its group \(mode 0775\)/,
  );
  // Another user's directory above is not judged by its owner: a container job runs as root in a workspace
  // the runner's user owns. Only who else may write it counts.
  assert.equal(untrustedAncestor(what, { uid: 4242, mode: 0o40755 }, ME), undefined, 'another user’s 0755');
  assert.equal(
    untrustedAncestor(what, { uid: 4242, mode: 0o41777 }, ME),
    undefined,
    'sticky, another user’s',
  );
  assert.match(
    untrustedAncestor(what, { uid: 4242, mode: 0o40775 }, ME) ?? '',
    /may be written by its group \(mode 0775\)/,
  );
  // Where there are no owners (Windows), nothing is judged.
  assert.equal(untrustedAncestor(what, { uid: 4242, mode: 0o40777 }, undefined), undefined);
  // The state directory itself gets no sticky pass: others could put their own control/ or records/ in it.
  assert.match(
    untrusted('its state directory /srv/state', { uid: ME, mode: 0o41777 }, ME) ?? '',
    /mode 1777/,
  );
});

test('the walk up: a group- or world-writable directory above, not sticky, is named; a sticky one (/tmp) passes', (t) => {
  const root = dir(t);
  const uid = process.getuid!();
  const above = join(root, 'shared');
  const state = join(above, 'team', 'state');
  mkdirSync(state, { recursive: true, mode: 0o755 });
  assert.equal(untrustedStateDirectory(state, uid, EFFECT), undefined, 'all 0755 and ours, under /tmp');

  chmodSync(above, 0o777);
  assert.equal(
    untrustedStateDirectory(state, uid, EFFECT),
    `the directory ${above} above its state directory ${state} may be written by its group and others ` +
      `(mode 0777), so ${EFFECT}; check them, then \`chmod go-w\` it`,
  );
  chmodSync(above, 0o1777);
  assert.equal(untrustedStateDirectory(state, uid, EFFECT), undefined, 'sticky and ours');
  chmodSync(above, 0o775);
  assert.match(
    untrustedStateDirectory(state, uid, EFFECT) ?? '',
    /shared above .* may be written by its group \(mode 0775\)/,
  );
  chmodSync(above, 0o755);

  // Not there yet (the CLI makes it): the directories that are there are judged.
  const later = join(above, 'not', 'yet', 'state');
  assert.equal(untrustedStateDirectory(later, uid), undefined);
  chmodSync(above, 0o757);
  assert.match(
    untrustedStateDirectory(later, uid) ?? '',
    /shared above its state directory .*not\/yet\/state may be written by others \(mode 0757\)/,
  );
  chmodSync(above, 0o755);

  // The nearest wrong one is named; the state directory itself before any above it.
  chmodSync(join(above, 'team'), 0o777);
  chmodSync(above, 0o777);
  assert.match(untrustedStateDirectory(state, uid) ?? '', /team above its state directory/);
  chmodSync(state, 0o777);
  assert.match(untrustedStateDirectory(state, uid) ?? '', /^its state directory .*state may be written/);
  chmodSync(state, 0o755);
  chmodSync(join(above, 'team'), 0o755);
  chmodSync(above, 0o755);

  if (uid === 0) {
    // A root container job in a workspace the runner's user owns: trusted, as long as nobody else may write it.
    chownSync(above, 4242, 4242);
    assert.equal(untrustedStateDirectory(state, 0), undefined, 'root under another user’s 0755 directory');
    chmodSync(above, 0o775);
    assert.match(
      untrustedStateDirectory(state, 0) ?? '',
      /shared above .* may be written by its group \(mode 0775\)/,
    );
    chmodSync(above, 0o755);
    chownSync(above, 0, 0);
  }
  assert.equal(untrustedAncestors(state, undefined), undefined, 'no owners to judge (Windows)');
});

test('the walk up follows a link on the way and judges both sides: where it is written, and where it leads', (t) => {
  const root = dir(t);
  const uid = process.getuid!();
  const real = join(root, 'real');
  const open = join(root, 'open');
  mkdirSync(join(real, 'state'), { recursive: true, mode: 0o755 });
  mkdirSync(open, { mode: 0o755 });
  symlinkSync(real, join(open, 'link'));
  const state = join(open, 'link', 'state');
  assert.equal(untrustedStateDirectory(state, uid), undefined);
  // Whoever may write the directory holding the link may point it elsewhere.
  chmodSync(open, 0o777);
  assert.match(untrustedStateDirectory(state, uid) ?? '', new RegExp(`the directory ${open} above`));
  chmodSync(open, 0o755);
  // And whoever may write where it leads may replace the state directory there.
  chmodSync(real, 0o777);
  assert.match(untrustedStateDirectory(state, uid) ?? '', new RegExp(`the directory ${real} above`));
  chmodSync(real, 0o755);
});
