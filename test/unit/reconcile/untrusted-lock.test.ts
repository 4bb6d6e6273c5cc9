// Through the CLI: a reconcile lock others may write (here, naming a process that has ended, as whoever may
// write it could, to steal it from a live reconcile) or a locks/ they may write is refused as state_untrusted:
// the orphan is not rolled back, the lock is neither taken over nor taken, and the record is left as it is; and
// reconcile exits 1 (run from cron, a warning with exit 0 would go unseen).
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { FileStateStore } from '../../../src/state/file-store.ts';
import { emptyRecord } from '../../../src/state/record.ts';
import { events, runCli } from '../../helpers/cli.ts';
import type { RecordedTarget } from '../../helpers/recorded-target.ts';
import { canaryReconcileDir, deadPid, processRollout as rollout } from '../../helpers/orphaned-rollout.ts';

let dir: string;
let target: RecordedTarget;
let stateDir: string;
let configPath: string;

beforeEach(() => {
  ({ dir, target, stateDir, configPath } = canaryReconcileDir('reconcile-untrusted-lock-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('a lock or locks/ others may write: state_untrusted, the orphan is not touched, the lock is left', async () => {
  const store = new FileStateStore(stateDir);
  await store.write({
    ...emptyRecord('local', 'production', new Date()),
    seq: 3,
    live: { version: 'v1', slot: 'blue', since: new Date().toISOString() },
    rollout: rollout(await deadPid()),
  });
  const record = readFileSync(store.pathFor('production'), 'utf8');
  const locks = join(stateDir, 'locks');
  const lock = join(locks, 'reconcile-production.lock');
  mkdirSync(locks, { mode: 0o755 });
  const text = JSON.stringify({ pid: await deadPid(), host: hostname() });
  writeFileSync(lock, text);
  for (const [what, open, expected] of [
    [
      lock,
      () => chmodSync(lock, 0o666),
      `the lock ${lock} may be written by its group and others (mode 0666)`,
    ],
    [
      locks,
      () => chmodSync(locks, 0o777),
      `its locks directory ${locks} may be written by its group and others (mode 0777)`,
    ],
  ] as const) {
    open();
    const run = await runCli(['reconcile', '--config', configPath, '--json']);
    assert.doesNotMatch(run.stdout + run.stderr, /\n\s+at /, 'no stack trace');
    const summary = events(run.stdout).at(-1)!;
    const entries = summary.entries as Array<{ code: string; message: string; failed: boolean }>;
    assert.equal(entries.length, 1, run.stdout);
    assert.equal(entries[0]!.code, 'state_untrusted', `${what}: ${run.stdout}`);
    assert.equal(entries[0]!.failed, true, what);
    assert.equal(summary.failed, true, what);
    assert.equal(run.code, 1, `${what}: reconcile fails`);
    assert.ok(entries[0]!.message.startsWith(expected), entries[0]!.message);
    assert.match(
      entries[0]!.message,
      /check them, then `chmod go-w` it \(.*reconcile-production\.lock\); not acted on$/,
    );
    assert.deepEqual(target.calls(), [], `${what}: nothing done`);
    assert.equal(readFileSync(lock, 'utf8'), text, `${what}: the lock is neither taken over nor taken`);
    assert.deepEqual(readdirSync(locks), ['reconcile-production.lock']);
    assert.equal(
      readFileSync(store.pathFor('production'), 'utf8'),
      record,
      `${what}: the record is unchanged`,
    );
    chmodSync(lock, 0o644);
    chmodSync(locks, 0o755);
  }

  // Mended: the dead holder's lock is taken over and the orphan rolled back, as before.
  const mended = await runCli(['reconcile', '--config', configPath, '--json']);
  assert.equal(mended.code, 0, mended.stdout + mended.stderr);
  assert.equal(
    (events(mended.stdout).at(-1)!.entries as Array<{ code: string }>)[0]!.code,
    'orphan_rolled_back',
  );
  assert.deepEqual(readdirSync(locks), [], 'given back');
});
