// The control file's channel judges the directories above its state directory too (util/trusted-directories.ts,
// as ssh's StrictModes walks up to /): whoever may write one could move the state directory away and put one
// with their own /promote in its place. An open one (group or others may write, not sticky) is named, its
// requests not acted on and none written; a sticky one of the CLI's user's (as /tmp is root's) passes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileControlChannel } from '../../../src/control/file-channel.ts';
import type { ControlRequest } from '../../../src/control/request.ts';

const request = (id: string, verb: ControlRequest['verb'] = 'pause'): ControlRequest => ({
  id: `cli:host:1:${id}`,
  verb,
  by: 'cli:ops@host',
  at: new Date(Date.UTC(2025, 0, 1)).toISOString(),
  deploymentId: 'local-7',
  step: 1,
  source: 'cli',
});

test('a directory others may write above the state directory: the requests are not acted on, none is written; sticky passes', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'control-ancestor-'));
  const above = join(root, 'shared');
  mkdirSync(above);
  t.after(() => {
    chmodSync(above, 0o755);
    rmSync(root, { recursive: true, force: true });
  });
  const state = join(above, 'state');
  const channel = new FileControlChannel(state, 'production');
  await channel.append('production', request('1'));
  assert.equal((await channel.poll('local-7')).requests.length, 1);

  chmodSync(above, 0o757);
  const message =
    /^the directory .*shared above its state directory .*shared\/state may be written by others \(mode 0757\), so its requests are not acted on; check them, then `chmod go-w` it$/;
  const poll = await new FileControlChannel(state, 'production').poll('local-7');
  assert.match(poll.error ?? '', message);
  assert.deepEqual(poll.requests, []);
  await assert.rejects(
    channel.append('production', request('2', 'abort')),
    (error: Error) =>
      /^the control request was not written to production: /.test(error.message) &&
      message.test(error.message.replace(/^the control request was not written to production: /, '')),
  );

  chmodSync(above, 0o1777);
  assert.deepEqual(
    (await new FileControlChannel(state, 'production').poll('local-7')).requests.map((r) => r.id),
    ['cli:host:1:1'],
    'sticky and ours: trusted, and nothing was written meanwhile',
  );
  assert.ok(existsSync(channel.pathFor('production')));
});
