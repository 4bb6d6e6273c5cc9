// A record's write lock (`<record>.lock`) and its takeover guard are trusted only as the record is
// (util/lock-trust.ts): one that others may write could name a holder that has ended while a write holds it
// (two writes would both pass the check) or a live one for ever, and a link in its place is not the CLI's.
// Such a lock is neither taken over nor believed: the write fails naming it, and the record stays as it was.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { FileStateStore } from '../../../src/state/file-store.ts';
import { emptyRecord, type EnvironmentRecord } from '../../../src/state/record.ts';
import { workdir } from '../../helpers/command-workdir.ts';

const DEAD = 999_991;

function record(seq: number): EnvironmentRecord {
  return {
    ...emptyRecord('local', 'production', new Date('2026-03-01T10:00:00Z')),
    seq,
    live: { version: `v${seq}`, slot: 'blue', since: '2026-03-01T10:00:00.000Z' },
  };
}

test('a record lock or guard others may write, or a link in its place: the write fails naming it, nothing taken over', async (t) => {
  const state = join(workdir(t, 'untrusted-record-lock'), 'state');
  const store = new FileStateStore(state, { notice: () => {} });
  await store.write(record(1));
  const path = store.pathFor('production');
  const stored = readFileSync(path, 'utf8');
  const lock = `${path}.lock`;
  const dead = `${JSON.stringify({ pid: DEAD, host: hostname() })}\n`;

  writeFileSync(lock, dead);
  chmodSync(lock, 0o666);
  await assert.rejects(new FileStateStore(state, { notice: () => {} }).write(record(2)), {
    message: `the lock ${lock} may be written by its group and others (mode 0666), so it is neither taken nor believed; check them, then \`chmod go-w\` it; the record was not stored`,
  });
  assert.equal(readFileSync(lock, 'utf8'), dead, 'not taken over');
  assert.equal(readFileSync(path, 'utf8'), stored, 'the record is unchanged');

  chmodSync(lock, 0o644);
  writeFileSync(`${lock}.takeover`, `${JSON.stringify({ pid: process.pid, host: hostname() })}\n`);
  chmodSync(`${lock}.takeover`, 0o646);
  await assert.rejects(
    new FileStateStore(state, { notice: () => {} }).write(record(2)),
    /\.lock\.takeover may be written by others \(mode 0646\)/,
  );
  rmSync(`${lock}.takeover`);

  rmSync(lock);
  symlinkSync(join(state, 'elsewhere'), lock);
  await assert.rejects(
    new FileStateStore(state, { notice: () => {} }).write(record(2)),
    /the lock .*production\.json\.lock is a symbolic link \(the CLI makes a file there, never a link\), so it is neither taken nor believed; check where it points, then remove it; the record was not stored/,
  );
  assert.equal(readFileSync(path, 'utf8'), stored);

  // Mended (a trusted lock of a holder that has ended): taken over and written, as before.
  rmSync(lock);
  writeFileSync(lock, dead);
  await new FileStateStore(state, { notice: () => {} }).write(record(2));
  assert.equal(JSON.parse(readFileSync(path, 'utf8')).seq, 2);
});
