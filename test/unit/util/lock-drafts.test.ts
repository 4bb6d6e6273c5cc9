// A lock's draft (built aside, then linked or renamed into place) left by a process that died between the
// two is removed when the lock is next taken; a live process's draft is never touched, and one whose maker
// cannot be asked (another host, or not named yet) only once it is older than any draft lives.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { NODE, startProcess } from '../../helpers/processes.ts';
import { repoRoot } from '../../helpers/cli.ts';
import {
  createOwnedFile,
  OWNER_FILE,
  readOwnedFile,
  removeOwnedFile,
  STALE_DRAFT_MS,
} from '../../../src/util/lock-takeover.ts';

let dir: string;
let lock: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lock-drafts-'));
  lock = join(dir, 'production.json.lock');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A process that has built a draft of `lock` as createOwnedFile does (a file holding its owner text, or a
 * directory holding owner.json) and stays there, as if stopped before the link or rename.
 */
const DRAFTER = `
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ownerText } from ${JSON.stringify(join(repoRoot, 'src/util/lock-takeover.ts'))};
const [kind, lock] = process.argv.slice(-2);
const draft = lock + '.' + process.pid + '.7.tmp';
if (kind === 'dir') {
  mkdirSync(draft);
  writeFileSync(join(draft, 'owner.json'), ownerText());
} else writeFileSync(draft, ownerText());
process.stdout.write('drafted ' + draft + '\\n');
setInterval(() => {}, 60_000);
`;

const drafter = (t: { after(fn: () => unknown): void }, kind: 'file' | 'dir') =>
  startProcess(t, {
    command: NODE,
    args: ['--input-type=module', '-e', DRAFTER, kind, lock],
    ready: /drafted /,
    name: `drafter (${kind})`,
  });

const drafts = () =>
  readdirSync(dir)
    .filter((name) => name.endsWith('.tmp'))
    .sort();
const draftOf = (pid: number) => `production.json.lock.${pid}.7.tmp`;
const aged = (path: string, ms: number) =>
  utimesSync(path, new Date(Date.now() - ms), new Date(Date.now() - ms));

test('the drafts of processes SIGKILLed before placing them are removed; a live one’s stays', async (t) => {
  const [deadFile, deadDir, liveFile, liveDir] = await Promise.all([
    drafter(t, 'file'),
    drafter(t, 'dir'),
    drafter(t, 'file'),
    drafter(t, 'dir'),
  ]);
  for (const killed of [deadFile, deadDir]) {
    process.kill(killed.pid, 'SIGKILL');
    await killed.exited;
  }
  assert.equal(drafts().length, 4);

  await createOwnedFile(lock);
  assert.deepEqual(drafts(), [draftOf(liveFile.pid), draftOf(liveDir.pid)].sort());
  assert.match(readOwnedFile(join(dir, draftOf(liveDir.pid))) ?? '', new RegExp(`"pid":${liveDir.pid}`));
  assert.match(readOwnedFile(lock) ?? '', new RegExp(`"pid":${process.pid}`), 'the lock is taken');
  await removeOwnedFile(lock);
});

test('a draft whose maker cannot be asked is removed only once older than any draft lives', async () => {
  // Another host's (its pid means nothing here), and a directory its maker had not written its name into.
  const otherHost = join(dir, 'production.json.lock.4242.1.tmp');
  writeFileSync(otherHost, `${JSON.stringify({ pid: 4242, host: 'runner-elsewhere' })}\n`);
  const unnamed = join(dir, 'production.json.lock.4243.1.tmp');
  mkdirSync(unnamed);
  // Another lock's draft, and a file that only looks alike: never this lock's to judge.
  const otherLock = join(dir, 'staging.json.lock.4244.1.tmp');
  writeFileSync(otherLock, '');
  const notDraft = join(dir, 'production.json.lock.notes.tmp');
  writeFileSync(notDraft, '');
  for (const path of [otherHost, unnamed, otherLock, notDraft]) aged(path, STALE_DRAFT_MS - 60_000);

  await createOwnedFile(lock);
  await removeOwnedFile(lock);
  assert.ok(existsSync(otherHost) && existsSync(unnamed), 'young enough to be a live maker’s');

  for (const path of [otherHost, unnamed, otherLock, notDraft]) aged(path, STALE_DRAFT_MS + 60_000);
  await createOwnedFile(lock);
  assert.ok(!existsSync(otherHost) && !existsSync(unnamed), 'older than any draft lives');
  assert.ok(existsSync(otherLock) && existsSync(notDraft), 'not drafts of this lock');
  assert.ok(!existsSync(join(unnamed, OWNER_FILE)));
});
