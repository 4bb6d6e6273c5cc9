// A failed deployment that leaves nothing a later run could undo does not leave the environment stuck:
// - its first command never started (a program that is not there, a value refused): nothing changed, so it
//   fails without a rollback and the record keeps no rollout;
// - a first deployment (no previous version) whose rollback has no earlier version to return to: the run
//   still says the rollback did not complete (exit 3, check the environment), but the record keeps no rollout
//   that no reconcile could ever finish, so the next deployment (the fix) is not refused;
// - a rollout kept for reconcile (its rollback command failed) that reconcile finds nothing to return to:
//   dropped, said so, and the next deployment goes ahead.
// Each through the CLI as a subprocess, so the rollout's owner has ended when reconcile looks.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startCli } from '../../helpers/cli.ts';
import { EXIT_CODES } from '../../../src/util/exit-codes.ts';
import { FileStateStore } from '../../../src/state/file-store.ts';

// The commands are /bin/sh one-liners: a node process per command cost ~0.1 s of CPU and proved no more.
const exits = (code: number) => JSON.stringify(['/bin/sh', '-c', `exit ${code}`]);

async function workspace(t: { after(fn: () => Promise<void>): void }) {
  const dir = await mkdtemp(join(tmpdir(), 'nothing-to-undo-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const config = async (name: string, commands: string) => {
    const path = join(dir, name);
    await writeFile(path, `target:\n  commands:\n${commands}environments:\n  production: {}\n`);
    return path;
  };
  const cli = async (...args: string[]) => {
    const { done } = startCli([...args, '--state-dir', join(dir, 'state')], { cwd: dir });
    return done;
  };
  const rollout = async (config: string) => {
    const status = await cli('status', '-e', 'production', '--config', config, '--json');
    const record = (
      JSON.parse(status.stdout) as { record?: { rollout?: unknown; live?: { version: string } } }
    ).record;
    return { rollout: record?.rollout, live: record?.live?.version };
  };
  return { config, cli, rollout, stateDir: join(dir, 'state') };
}

test('a first deployment whose deploy fails, with no rollback command: exit 3, but the next deployment is not refused', async (t) => {
  const w = await workspace(t);
  const failing = await w.config('failing.yml', `    deploy: ${exits(1)}\n`);
  const good = await w.config('good.yml', `    deploy: ${exits(0)}\n`);

  const first = await w.cli('run', '-e', 'production', '-v', 'v1', '--config', failing);
  assert.equal(first.code, EXIT_CODES.rollbackFailed, first.stdout + first.stderr);
  assert.match(
    first.stdout,
    /\[rollback_failed\].*no earlier version is known to return to.*check production now/,
  );
  assert.deepEqual(await w.rollout(good), { rollout: undefined, live: undefined });

  const fix = await w.cli('run', '-e', 'production', '-v', 'v2', '--config', good);
  assert.equal(fix.code, EXIT_CODES.success, fix.stdout + fix.stderr);
  assert.deepEqual(await w.rollout(good), { rollout: undefined, live: 'v2' });
});

test('a first deployment whose health check fails, with no rollback command: the health check of what was not put back is not kept either', async (t) => {
  // The rollback is [rollback, health]: the health check would check the version that failed (nothing was put
  // back), so a reconcile could never pass it, and the environment would refuse every deployment for good.
  const w = await workspace(t);
  const failing = await w.config('failing.yml', `    deploy: ${exits(0)}\n    health: ${exits(1)}\n`);
  const good = await w.config('good.yml', `    deploy: ${exits(0)}\n    health: ${exits(0)}\n`);
  // No window to wait out, and the failing check is not waited for to become ready.
  for (const path of [failing, good]) await writeFile(path, `preset: fast\n${await readFile(path, 'utf8')}`);

  const first = await w.cli('run', '-e', 'production', '-v', 'v1', '--config', failing);
  assert.equal(first.code, EXIT_CODES.rollbackFailed, first.stdout + first.stderr);
  assert.match(first.stdout, /\[rollback_failed\].*no earlier version is known to return to/);
  assert.deepEqual(await w.rollout(good), { rollout: undefined, live: undefined });

  const fix = await w.cli('run', '-e', 'production', '-v', 'v2', '--config', good);
  assert.equal(fix.code, EXIT_CODES.success, fix.stdout + fix.stderr);
  assert.deepEqual(await w.rollout(good), { rollout: undefined, live: 'v2' });
});

test('a deploy whose program is not there changes nothing: no rollback, v1 stays live, nothing kept', async (t) => {
  const w = await workspace(t);
  // The rollback of a direct deployment runs deploy with v1: it would have been tried (and failed to start).
  const marker = join(tmpdir(), `nothing-to-undo-${process.pid}-${Date.now()}`);
  t.after(() => rm(marker, { force: true }));
  const good = await w.config(
    'good.yml',
    `    deploy: ${JSON.stringify(['/bin/sh', '-c', 'printf "%s\\n" "$2" >> "$1"', 'append', marker, '{{version}}'])}\n`,
  );
  const missing = await w.config('missing.yml', `    deploy: ["./no-such-deploy-program", "{{version}}"]\n`);
  assert.equal(
    (await w.cli('run', '-e', 'production', '-v', 'v1', '--config', good)).code,
    EXIT_CODES.success,
  );

  const run = await w.cli('run', '-e', 'production', '-v', 'v2', '--config', missing, '--json');
  assert.equal(run.code, EXIT_CODES.failed, run.stdout + run.stderr);
  const result = (
    JSON.parse(run.stdout.trim().split('\n').at(-1)!) as {
      result: { code: string; message: string; rollbacks: unknown[] };
    }
  ).result;
  assert.equal(result.code, 'strategy_failed');
  assert.match(result.message, /program not found; nothing was changed \(the command did not start\)/);
  assert.deepEqual(result.rollbacks, [], 'no rollback ran');
  assert.deepEqual(await w.rollout(good), { rollout: undefined, live: 'v1' });
});

test('reconcile drops a kept rollout it has no earlier version for, and the next deployment goes ahead', async (t) => {
  const w = await workspace(t);
  // The rollback command runs and fails: a later reconcile could retry it, so the rollout is kept.
  const kept = await w.config('kept.yml', `    deploy: ${exits(1)}\n    rollback: ${exits(1)}\n`);
  const good = await w.config('good.yml', `    deploy: ${exits(0)}\n`);
  const first = await w.cli('run', '-e', 'production', '-v', 'v1', '--config', kept);
  assert.equal(first.code, EXIT_CODES.rollbackFailed, first.stdout + first.stderr);
  assert.ok((await w.rollout(good)).rollout, 'the rollout is kept for reconcile');
  const refused = await w.cli('run', '-e', 'production', '-v', 'v2', '--config', good);
  assert.match(refused.stdout, /\[rollout_unfinished\]/);

  // The rollback command is gone from the config: with no previous version, nothing could be returned to.
  const reconcile = await w.cli('reconcile', '-e', 'production', '--config', good);
  assert.notEqual(reconcile.code, EXIT_CODES.success);
  assert.match(
    reconcile.stdout + reconcile.stderr,
    /orphan_rollback_failed: .*no earlier version is known to return to.*the rollout is dropped from the record/,
  );
  assert.equal((await w.rollout(good)).rollout, undefined);
  const fix = await w.cli('run', '-e', 'production', '-v', 'v2', '--config', good);
  assert.equal(fix.code, EXIT_CODES.success, fix.stdout + fix.stderr);
});

test('a record written before the health check was left out too (its recovery that check alone): reconcile drops it, and the fix goes ahead', async (t) => {
  const w = await workspace(t);
  // The rollout as the run before this change kept it: [rollback, health] less the rollback that had nothing
  // to return to, so the health check of the version that failed, which no reconcile could ever pass.
  const failing = await w.config(
    'failing.yml',
    `    deploy: ${exits(0)}\n    health: ${exits(1)}\n    rollback: ${exits(1)}\n`,
  );
  const good = await w.config('good.yml', `    deploy: ${exits(0)}\n    health: ${exits(0)}\n`);
  const stillFailing = await w.config('still.yml', `    deploy: ${exits(0)}\n    health: ${exits(1)}\n`);
  for (const path of [failing, good, stillFailing])
    await writeFile(path, `preset: fast\n${await readFile(path, 'utf8')}`);
  const first = await w.cli('run', '-e', 'production', '-v', 'v1', '--config', failing);
  assert.equal(first.code, EXIT_CODES.rollbackFailed, first.stdout + first.stderr);
  const store = new FileStateStore(w.stateDir);
  const read = await store.read('production');
  const record = read.ok ? read.record : undefined;
  assert.ok(record?.rollout, 'the rollout is kept for reconcile');
  await store.write({
    ...record,
    seq: record.seq + 1,
    rollout: { ...record.rollout, recovery: [{ kind: 'health' }] },
  });

  // Before: the health check failed again and the rollout was kept, at every reconcile, for good.
  const reconcile = await w.cli('reconcile', '-e', 'production', '--config', stillFailing);
  assert.match(
    reconcile.stdout + reconcile.stderr,
    /orphan_rollback_failed: .*the rollout is dropped from the record/,
  );
  assert.deepEqual(await w.rollout(good), { rollout: undefined, live: undefined });
  const fix = await w.cli('run', '-e', 'production', '-v', 'v2', '--config', good);
  assert.equal(fix.code, EXIT_CODES.success, fix.stdout + fix.stderr);
});
