// Two `deploy-action reconcile` at once on one state directory (cron overlapping a manual run, or a slow
// resume overlapping the next cron): what one of them does to a rollout is done once, never by both.
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
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
  ({ dir, target, stateDir, configPath } = canaryReconcileDir('reconcile-concurrent-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('two reconciles at once', () => {
  it('an orphan is rolled back once: the second reconcile finds the first at work and does nothing', async () => {
    const store = new FileStateStore(stateDir);
    await store.write({
      ...emptyRecord('local', 'production', new Date()),
      seq: 3,
      live: { version: 'v1', slot: 'blue', since: new Date().toISOString() },
      rollout: rollout(await deadPid()),
    });
    const args = ['reconcile', '--config', configPath, '--json'];
    const runs = await Promise.all([runCli(args), runCli(args), runCli(args)]);
    assert.deepEqual(
      target.calls(),
      ['current', 'set_weight green 0', 'teardown green'],
      'asked once, the recovery ran once',
    );
    const codes = runs.map((r) => (events(r.stdout).at(-1)!.entries as Array<{ code: string }>)[0]!.code);
    assert.equal(codes.filter((c) => c === 'orphan_rolled_back').length, 1, codes.join(' '));
    for (const r of runs) assert.equal(r.code, 0, r.stdout + r.stderr);
    const read = await store.read('production');
    assert.ok(read.ok && read.record);
    assert.equal(read.record.rollout, undefined);
    assert.deepEqual(
      read.record.history.map((h) => h.event),
      ['rollback_started', 'orphan_rolled_back'],
      'one rollback: its write-ahead and its end',
    );
    assert.deepEqual(readdirSync(join(stateDir, 'locks')), [], 'no lock left behind');
  });

  it('a lock held by a live process: reconcile_busy, nothing done, exit 0; one whose process died: taken over', async () => {
    const store = new FileStateStore(stateDir);
    await store.write({
      ...emptyRecord('local', 'production', new Date()),
      seq: 3,
      live: { version: 'v1', slot: 'blue', since: new Date().toISOString() },
      rollout: rollout(await deadPid()),
    });
    const lock = join(stateDir, 'locks', 'reconcile-production.lock');
    mkdirSync(join(stateDir, 'locks'), { recursive: true });
    // This test's own process: alive for as long as the reconcile runs.
    writeFileSync(lock, JSON.stringify({ pid: process.pid, host: hostname() }));
    const busy = await runCli(['reconcile', '--config', configPath, '--json']);
    assert.equal(busy.code, 0, busy.stdout + busy.stderr);
    const entries = events(busy.stdout).at(-1)!.entries as Array<{ code: string; message: string }>;
    assert.equal(entries[0]!.code, 'reconcile_busy');
    assert.match(entries[0]!.message, new RegExp(`process ${process.pid} on`));
    assert.deepEqual(target.calls(), [], 'nothing done');
    assert.ok((await store.read('production')).ok);

    for (const left of [JSON.stringify({ pid: await deadPid(), host: hostname() }), '']) {
      writeFileSync(lock, left);
      if (left === '') utimesSync(lock, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
      // The orphaned record again, in place of what the last reconcile wrote (a store never writes a record
      // over a newer one).
      rmSync(store.pathFor('production'), { force: true });
      await store.write({
        ...emptyRecord('local', 'production', new Date()),
        seq: 3,
        live: { version: 'v1', slot: 'blue', since: new Date().toISOString() },
        rollout: rollout(await deadPid()),
      });
      rmSync(target.log, { force: true });
      const taken = await runCli(['reconcile', '--config', configPath, '--json']);
      assert.equal(taken.code, 0, taken.stdout + taken.stderr);
      assert.equal(
        (events(taken.stdout).at(-1)!.entries as Array<{ code: string }>)[0]!.code,
        'orphan_rolled_back',
      );
      assert.deepEqual(target.calls(), ['current', 'set_weight green 0', 'teardown green']);
      assert.deepEqual(readdirSync(join(stateDir, 'locks')), [], 'given back');
    }
  });
});
