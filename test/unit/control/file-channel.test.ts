// The CLI's control channel: requests appended as JSON lines to <state_dir>/control/<environment>.ndjson and
// polled by the rollout; an unchanged file is not read again, and a bad line is reported once, never acted on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  appendFileSync,
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileControlChannel, MAX_CONTROL_FILE_BYTES } from '../../../src/control/file-channel.ts';
import type { ControlRequest } from '../../../src/control/request.ts';
import { FileStateStore } from '../../../src/state/file-store.ts';
import { emptyRecord } from '../../../src/state/record.ts';
import { linkInPlaceOf } from '../../helpers/command-workdir.ts';

function stateDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'control-file-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

let seq = 0;
function request(over: Partial<ControlRequest> = {}): ControlRequest {
  seq += 1;
  return {
    id: `cli:host:1:${seq}`,
    verb: 'promote',
    by: 'cli:ops@host',
    at: new Date(Date.UTC(2025, 0, 1, 0, 0, seq)).toISOString(),
    deploymentId: 'local-7',
    step: 1,
    source: 'cli',
    ...over,
  };
}

test('requests appended by one process are polled by another, oldest first; an unchanged file is no change', async (t) => {
  const dir = stateDir(t);
  const writer = new FileControlChannel(dir, 'production');
  const reader = new FileControlChannel(dir, 'production');

  assert.deepEqual(await reader.poll('local-7'), { changed: true, requests: [] }, 'no file yet: no requests');
  assert.deepEqual(await reader.poll('local-7'), { changed: false, requests: [] });

  const pause = request({ verb: 'pause' });
  const abort = request({ verb: 'abort', reason: 'line one\nline two "quoted"' });
  await writer.append('production', pause);
  await writer.append('production', abort);
  assert.equal(readFileSync(reader.pathFor('production'), 'utf8').split('\n').length, 3, 'one line each');

  const path = reader.pathFor('production');
  const then = new Date('2025-01-01T00:00:00Z');
  utimesSync(path, then, then);
  const first = await reader.poll('local-7');
  assert.deepEqual(first, { changed: true, requests: [pause, abort] });
  assert.deepEqual(await reader.poll('local-7'), { changed: false, requests: [pause, abort] });

  // Same size and time: not read again (an edit that keeps both goes unseen; the CLI only ever appends).
  const original = readFileSync(path, 'utf8');
  writeFileSync(path, original.replace('"pause"', '"pausX"'));
  utimesSync(path, then, then);
  assert.deepEqual(await reader.poll('local-7'), { changed: false, requests: [pause, abort] });
  writeFileSync(path, original);

  const resume = request({ verb: 'resume' });
  await writer.append('production', resume);
  const next = await reader.poll('local-7');
  assert.equal(next.changed, true);
  assert.deepEqual(next.requests, [pause, abort, resume]);
});

test('only the asked deployment counts, a repeated request counts once, other environments stay apart', async (t) => {
  const dir = stateDir(t);
  const channel = new FileControlChannel(dir, 'production');
  const ours = request();
  await channel.append('production', request({ deploymentId: 'local-6', verb: 'abort' }));
  await channel.append('production', ours);
  await channel.append('production', ours);
  await channel.append('staging', request({ verb: 'abort' }));
  assert.deepEqual((await channel.poll('local-7')).requests, [ours]);
  assert.deepEqual((await new FileControlChannel(dir, 'staging').poll('local-7')).requests.length, 1);
});

test('environment names become safe file names under control/', async (t) => {
  const dir = stateDir(t);
  const name = '../prod/eu west?';
  const channel = new FileControlChannel(dir, name);
  const r = request();
  await channel.append(name, r);
  assert.deepEqual(readdirSync(join(dir, 'control')), [`${encodeURIComponent(name)}.ndjson`]);
  assert.deepEqual(readdirSync(dir), ['control'], 'nothing written outside control/');
  assert.deepEqual((await channel.poll('local-7')).requests, [r]);
});

test('bad lines are reported once with their line number and never returned', async (t) => {
  const dir = stateDir(t);
  const channel = new FileControlChannel(dir, 'production');
  const good = request();
  await channel.append('production', good);
  const path = channel.pathFor('production');
  appendFileSync(path, '{not json\n');
  appendFileSync(path, `${JSON.stringify({ ...request(), verb: 'merge' })}\n`);
  appendFileSync(path, '\n');
  const poll = await channel.poll('local-7');
  assert.deepEqual(poll.requests, [good]);
  assert.deepEqual(
    poll.refused?.map((r) => [r.where, r.code]),
    [
      [`${path}:2`, 'control_corrupt'],
      [`${path}:3`, 'control_corrupt'],
    ],
  );
  assert.match(poll.refused![0]!.message, /not JSON/);
  assert.match(poll.refused![1]!.message, /verb/);

  const later = request();
  await channel.append('production', later);
  const next = await channel.poll('local-7');
  assert.deepEqual(next.requests, [good, later]);
  assert.equal(next.refused, undefined, 'each bad line is reported once');
});

test('a line still being written is read once it is complete, not refused', async (t) => {
  const dir = stateDir(t);
  const channel = new FileControlChannel(dir, 'production');
  const done = request();
  await channel.append('production', done);
  const half = request({ verb: 'abort' });
  const line = JSON.stringify(half);
  const path = channel.pathFor('production');
  appendFileSync(path, line.slice(0, 20));
  const during = await channel.poll('local-7');
  assert.deepEqual(during.requests, [done]);
  assert.equal(during.refused, undefined);
  appendFileSync(path, `${line.slice(20)}\n`);
  // Even with the time put back, the half-read file is read again.
  utimesSync(path, new Date(0), new Date(0));
  const after = await channel.poll('local-7');
  assert.deepEqual(after, { changed: true, requests: [done, half] });
});

test('an unreadable file is an error with its path, and the requests last seen; a bad request is not written', async (t) => {
  const dir = stateDir(t);
  const channel = new FileControlChannel(dir, 'production');
  const r = request();
  await channel.append('production', r);
  await channel.poll('local-7');
  rmSync(channel.pathFor('production'));
  // A directory where the file should be cannot be read as one.
  mkdirSync(channel.pathFor('production'));
  const poll = await channel.poll('local-7');
  assert.equal(poll.changed, false);
  assert.deepEqual(poll.requests, [r]);
  assert.match(poll.error ?? '', /production\.ndjson cannot be read \(a directory, not a regular file\)/);

  await assert.rejects(
    channel.append('staging', { ...request(), step: -5 }),
    /not written to staging: .*step/,
  );
});

test('a line torn by a crash mid-append does not swallow the next request: that one starts a line of its own', async (t) => {
  const dir = stateDir(t);
  const channel = new FileControlChannel(dir, 'production');
  const written = [request()];
  await channel.append('production', written[0]!);
  const path = channel.pathFor('production');
  // The machine crashed during an append: part of its line, or the zeros some file systems leave, remain.
  for (const torn of [JSON.stringify(request({ verb: 'pause' })).slice(0, 25), '\0\0\0\0']) {
    appendFileSync(path, torn);
    const abort = request({ verb: 'abort' });
    await channel.append('production', abort);
    written.push(abort);
    const poll = await channel.poll('local-7');
    assert.deepEqual(
      poll.requests.map((r) => r.id),
      written.map((r) => r.id),
      `the abort after ${JSON.stringify(torn)} is read`,
    );
    assert.equal(poll.refused?.length, 1, 'the torn line is reported, once');
    assert.equal(poll.refused?.[0]?.code, 'control_corrupt');
  }
  assert.ok(readFileSync(path, 'utf8').endsWith('\n'));
});

/** Settles `promise`, or fails once `ms` have passed: a poll that hangs must fail the test, not stall it. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

test('a FIFO, a device or a huge file in place of the requests file is refused unread, never waited on', async (t) => {
  const dir = stateDir(t);
  const channel = new FileControlChannel(dir, 'production');
  const path = channel.pathFor('production');
  const r = request();
  await channel.append('production', r);
  assert.deepEqual((await channel.poll('local-7')).requests, [r]);

  // A FIFO blocked the read for ever (the rollout then never saw an /abort); a link to /dev/zero read for ever.
  // (A link to /dev/zero read for ever too; a link is not followed at all now: see the StrictModes test.)
  const places: Array<[string, () => void, string, string]> = [
    [
      'a FIFO',
      () => execFileSync('mkfifo', [path]),
      `${path} cannot be read (a FIFO, not a regular file)`,
      `not written to production: ${path} is a FIFO, not a regular file`,
    ],
    [
      'a link to /dev/zero',
      () => symlinkSync('/dev/zero', path),
      `the control file ${path} is a symbolic link`,
      `not written to production: the control file ${path} is a symbolic link`,
    ],
  ];
  for (const [what, make, polled, appended] of places) {
    rmSync(path);
    make();
    const poll = await within(channel.poll('local-7'), 5_000, `the poll of ${what}`);
    assert.equal(poll.changed, false, what);
    assert.deepEqual(poll.requests, [r], `${what}: the requests last seen`);
    assert.ok(poll.error?.includes(polled), `${what}: ${poll.error}`);
    await assert.rejects(
      within(channel.append('production', request({ verb: 'abort' })), 5_000, `the append to ${what}`),
      (error: Error) => error.message.includes(appended),
      `${what}: a request is never reported written where none can be read back`,
    );
  }

  // A file past the bound is not read into memory (sparse: no disk is used).
  rmSync(path);
  writeFileSync(path, `${JSON.stringify(r)}\n`);
  truncateSync(path, MAX_CONTROL_FILE_BYTES + 1);
  const huge = await channel.poll('local-7');
  assert.deepEqual(huge.requests, [r]);
  assert.ok(
    huge.error?.includes(`cannot be read (${MAX_CONTROL_FILE_BYTES + 1} bytes; the requests file is at most`),
    huge.error,
  );

  // Put back as a regular file, it is read again (the request read before it was moved away still counts).
  rmSync(path);
  const abort = request({ verb: 'abort' });
  await channel.append('production', abort);
  const back = await channel.poll('local-7');
  assert.equal(back.error, undefined);
  assert.deepEqual(back.requests, [r, abort]);
});

test('a requests file put in place of another (moved away, cut short) has its bad lines reported again', async (t) => {
  const dir = stateDir(t);
  const channel = new FileControlChannel(dir, 'production');
  const path = channel.pathFor('production');
  const kept = [request()];
  await channel.append('production', kept[0]!);
  appendFileSync(path, '{ not json\n');
  assert.equal((await channel.poll('local-7')).refused?.[0]?.where, `${path}:2`);

  // Moved away and started again: its line 2 is another line, bad too, and said so.
  for (const [what, replace] of [
    ['a new file', () => rmSync(path)],
    ['the file cut short', () => writeFileSync(path, '')],
  ] as const) {
    replace();
    const r = request();
    await channel.append('production', r);
    appendFileSync(path, `${JSON.stringify({ ...request(), verb: 'go' })}\n`);
    const poll = await channel.poll('local-7');
    kept.push(r);
    assert.deepEqual(poll.requests, kept, `${what}: with the requests read before`);
    assert.equal(poll.refused?.length, 1, `${what}: its bad line 2 is reported`);
    assert.equal(poll.refused?.[0]?.where, `${path}:2`, what);
    assert.match(poll.refused?.[0]?.message ?? '', /verb/, what);
  }
  // Growing, it is the same file: a line reported once is not reported again.
  await channel.append('production', request());
  assert.equal((await channel.poll('local-7')).refused, undefined);
});

test('a requests file moved away keeps the requests already read: a /pause read is not undone', async (t) => {
  const dir = stateDir(t);
  const channel = new FileControlChannel(dir, 'production');
  const path = channel.pathFor('production');
  const promote = request({ approver: true });
  const pause = request({ verb: 'pause' });
  await channel.append('production', promote);
  await channel.append('production', pause);
  assert.deepEqual((await channel.poll('local-7')).requests, [promote, pause]);

  // Moved away (as the message for a file too big says): the rollout stays paused, the approval counted.
  renameSync(path, `${path}.old`);
  assert.deepEqual(await channel.poll('local-7'), { changed: false, requests: [promote, pause] });
  // A new file: its requests come after those, and one read before (copied over) counts once.
  const resume = request({ verb: 'resume' });
  await channel.append('production', pause);
  await channel.append('production', resume);
  const next = await channel.poll('local-7');
  assert.equal(next.changed, true);
  assert.deepEqual(next.requests, [promote, pause, resume]);
  // Another deployment starts over.
  assert.deepEqual((await channel.poll('local-8')).requests, []);
});

test('a bad line is echoed cut short and on one inert line, whatever its unknown keys hold', async (t) => {
  const dir = stateDir(t);
  const channel = new FileControlChannel(dir, 'production');
  const path = channel.pathFor('production');
  await channel.append('production', request());
  const long = `${'k'.repeat(5_000)}\u001b[2J\u202e`;
  const keys = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`${long}${i}`, 1]));
  appendFileSync(path, `${JSON.stringify({ ...request(), ...keys })}\n`);
  appendFileSync(path, `\u001b]0;title\u0007${'x'.repeat(10_000)}\n`);
  const poll = await channel.poll('local-7');
  assert.equal(poll.refused?.length, 2);
  for (const refusal of poll.refused!) {
    assert.ok(refusal.message.length <= 300, `${refusal.message.length} characters`);
    assert.doesNotMatch(refusal.message, /[\p{Cc}\p{Cf}]/u, 'no control or invisible character');
  }
  assert.match(poll.refused![0]!.message, /unknown keys "k{30,}\.\.\.", .* and 47 more/);
  assert.match(poll.refused![1]!.message, /not JSON/);
});

test('an /abort a newer CLI wrote with a field this version does not know is acted on; its /promote is not', async (t) => {
  // A CLI upgraded while this version's run waits: refused, its abort was lost and the rollout went on.
  const dir = stateDir(t);
  const channel = new FileControlChannel(dir, 'production');
  const path = channel.pathFor('production');
  const first = request();
  await channel.append('production', first);
  const abort = request({ verb: 'abort', reason: 'errors' });
  const promote = request();
  appendFileSync(path, `${JSON.stringify({ ...promote, region: 'eu' })}\n`);
  appendFileSync(path, `${JSON.stringify({ ...abort, region: 'eu' })}\n`);
  const poll = await channel.poll('local-7');
  assert.deepEqual(poll.requests, [first, abort]);
  assert.deepEqual(
    poll.refused?.map((r) => [r.where, r.code]),
    [[`${path}:2`, 'control_corrupt']],
  );
  assert.match(poll.refused![0]!.message, /unknown key "region"/);
});

/** Sets the process umask for one test. */
function withUmask(t: { after(fn: () => void): void }, mask: number): void {
  const before = process.umask(mask);
  t.after(() => process.umask(before));
}

test('the state directory the CLI makes, by a record or a request, passes its own check under a umask of 002', async (t) => {
  withUmask(t, 0o002);
  for (const first of ['record', 'request'] as const) {
    const dir = join(stateDir(t), 'state');
    if (first === 'record')
      await new FileStateStore(dir).write({ ...emptyRecord('local', 'production', new Date()), seq: 1 });
    const channel = new FileControlChannel(dir, 'production');
    await channel.append('production', request());
    assert.equal(statSync(dir).mode & 0o777, 0o755, first);
    const poll = await new FileControlChannel(dir, 'production').poll('local-7');
    assert.equal(poll.error, undefined, first);
    assert.equal(poll.requests.length, 1, first);
  }
});

test("a control file or directory (control/ or the state directory) others may write, or another user's, or a link, is not acted on (StrictModes)", async (t) => {
  const dir = stateDir(t);
  // The CLI's own file and directory pass, even under a umask that lets the group write.
  withUmask(t, 0o002);
  const writer = new FileControlChannel(dir, 'production');
  const path = writer.pathFor('production');
  const control = join(dir, 'control');
  const first = request();
  await writer.append('production', first);
  assert.equal(statSync(path).mode & 0o777, 0o644);
  assert.equal(statSync(control).mode & 0o777, 0o755);

  const promote = request({ verb: 'promote', step: 2 });
  const cases: Array<[string, () => void, () => void, RegExp]> = [
    [
      'a group-writable file',
      () => chmodSync(path, 0o664),
      () => chmodSync(path, 0o644),
      /the control file .*production\.ndjson may be written by its group \(mode 0664\), so its requests are not acted on; check them, then `chmod go-w` it/,
    ],
    [
      'a world-writable directory',
      () => chmodSync(control, 0o777),
      () => chmodSync(control, 0o755),
      /its directory .*control may be written by its group and others \(mode 0777\)/,
    ],
    [
      'a group-writable state directory',
      () => chmodSync(dir, 0o775),
      () => chmodSync(dir, 0o700),
      /its state directory .* may be written by its group \(mode 0775\), so its requests are not acted on; check them, then `chmod go-w` it/,
    ],
    [
      'a linked state directory',
      ...linkInPlaceOf(dir),
      /its state directory .* is a symbolic link \(the CLI makes a directory there\), so its requests are not acted on; set state_dir to the directory it points to/,
    ],
    [
      'a link to a file that passes',
      ...linkInPlaceOf(path),
      /the control file .*production\.ndjson is a symbolic link/,
    ],
    ['a linked directory', ...linkInPlaceOf(control), /its directory .*control is a symbolic link/],
  ];
  for (const [what, spoil, mend, message] of cases) {
    const reader = new FileControlChannel(dir, 'production');
    assert.deepEqual((await reader.poll('local-7')).requests, [first], what);
    spoil();
    appendFileSync(
      `${path}${what.includes('link to a file') ? '.real' : ''}`,
      `${JSON.stringify(promote)}\n`,
    );
    const poll = await reader.poll('local-7');
    assert.match(poll.error ?? '', message, what);
    assert.deepEqual(poll.requests, [first], `${what}: the line written meanwhile is not acted on`);
    assert.equal(
      (await reader.poll('local-7')).error,
      poll.error,
      `${what}: the same words each poll (said once)`,
    );
    assert.equal((await new FileControlChannel(dir, 'production').poll('local-7')).requests.length, 0, what);
    await assert.rejects(writer.append('production', request({ verb: 'abort' })), message, what);
    mend();
    const mended = await reader.poll('local-7');
    assert.equal(mended.error, undefined, what);
    assert.deepEqual(mended.requests, [first, promote], `${what}: read once mended`);
    writeFileSync(path, `${JSON.stringify(first)}\n`);
  }

  // Owned by another user (neither the CLI's nor root): root makes it so, anyone else is told they are another.
  const root = process.getuid?.() === 0;
  if (root) {
    // The state directory first: whoever owns it may put another control/ in place.
    chownSync(dir, 4242, 4242);
    assert.match(
      (await new FileControlChannel(dir, 'production').poll('local-7')).error ?? '',
      /its state directory .* is owned by user 4242, not by the user the CLI runs as \(0\) or root, so its requests are not acted on; check them, then `chown 0` it/,
    );
    chownSync(dir, 0, 0);
    chownSync(path, 4242, 4242);
  }
  const other = new FileControlChannel(dir, 'production', root ? {} : { uid: (process.getuid?.() ?? 0) + 1 });
  const owned = await other.poll('local-7');
  assert.match(
    owned.error ?? '',
    /(the control file|its (state )?directory) .* is owned by user \d+, not by the user the CLI runs as \(\d+\) or root/,
  );
  assert.deepEqual(owned.requests, []);
  // Root's file is trusted whoever runs the CLI; where there are no owners (Windows), nothing is judged.
  if (root) {
    chownSync(path, 0, 0);
    assert.equal(
      (await new FileControlChannel(dir, 'production', { uid: 4242 }).poll('local-7')).error,
      undefined,
    );
  }
  chmodSync(path, 0o666);
  assert.equal(
    (await new FileControlChannel(dir, 'production', { uid: undefined }).poll('local-7')).error,
    undefined,
  );
});

test('a control file the checkout brought (git tracks it) is not acted on: a pull request could have written its requests', async (t) => {
  const dir = stateDir(t);
  execFileSync('git', ['init', '-q'], { cwd: dir, stdio: 'ignore' });
  const writer = new FileControlChannel(dir, 'production');
  const promote = request();
  await writer.append('production', promote);
  // Written by the CLI, not in the commit: read.
  assert.deepEqual(await new FileControlChannel(dir, 'production').poll('local-7'), {
    changed: true,
    requests: [promote],
  });
  execFileSync('git', ['add', '--', writer.pathFor('production')], { cwd: dir, stdio: 'ignore' });
  const polled = await new FileControlChannel(dir, 'production').poll('local-7');
  assert.deepEqual(polled.requests, []);
  assert.match(
    polled.error ?? '',
    /^the control file .* is in the repository's commit \(git tracks it\), so whoever can push a branch or open a pull request wrote it: it is not read/,
  );
});
