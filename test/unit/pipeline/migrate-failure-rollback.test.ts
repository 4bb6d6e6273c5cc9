// Seed 04's stage 1 (Infrastructure, 0 % traffic: database migrations, config changes, feature flags) names
// "Rollback trigger: Migration failures" (04:50-55): a failed migrate hook runs the on_rollback levels, though
// no traffic has moved and nothing was deployed. A failed backup changed nothing: no levels.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../../src/config/load.ts';
import { resolveEnvironment } from '../../../src/config/resolve.ts';
import { runPipeline } from '../../../src/pipeline/pipeline.ts';
import { reconcile } from '../../../src/reconcile/run.ts';
import { FileStateStore } from '../../../src/state/file-store.ts';
import { recordedTarget, recorder } from '../../helpers/recorded-target.ts';

/**
 * blue-green with v1 live on blue (`current: ''`: nothing live, a first deployment); `fail` for
 * record-target.pl's FAIL_ON; `levels`: the on_rollback levels feature-flag, then schema with `verify: health`.
 */
function setup(
  t: { after(fn: () => void): void },
  fail: string,
  levels: boolean,
  current = '{"slot":"blue","version":"v1"}',
) {
  const dir = mkdtempSync(join(tmpdir(), 'migrate-rollback-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const target = recordedTarget(dir);
  const call = (...args: string[]) => JSON.stringify([...recorder, target.log, ...args]);
  const parsed = parseConfig(
    `preset: fast\nstate_dir: ${dir}/state\n${target.targetYaml}  env:\n` +
      (current ? `    CURRENT: '${current}'\n` : '') +
      `    FAIL_ON: "${fail}"\n` +
      `environments:\n  production:\n    strategy: blue-green\n    hooks:\n` +
      `      backup: ${call('backup')}\n      migrate: ${call('migrate')}\n` +
      (levels
        ? `      on_rollback:\n` +
          `        - { name: feature-flag, run: ${call('level', 'flag')} }\n` +
          `        - { name: schema, run: ${call('level', 'migrate-down')}, verify: health }\n`
        : ''),
    'deploy.yml',
  );
  assert.ok(parsed.ok, parsed.ok ? '' : JSON.stringify(parsed.errors));
  const deploy = () =>
    runPipeline(
      { env: resolveEnvironment(parsed.config, 'production'), version: 'v2' },
      { reporter: { event() {} } },
    );
  return { deploy, target };
}

test('a failed migrate hook runs the rollback levels: nothing deployed, the live version verified', async (t) => {
  const { deploy, target } = setup(t, 'migrate', true);
  const result = await deploy();
  assert.equal(result.status, 'rolled_back', result.message);
  assert.equal(result.code, 'hook_failed');
  assert.match(
    result.message,
    /^migrate hook failed: .*; rolled back by its on_rollback levels \(feature-flag, schema\); nothing was deployed, v1 serves production as before$/,
  );
  // The hooks, then both levels (the live version's look runs no health command unless pre_deploy_health is
  // written); the schema level's `verify: health` checks blue, which still serves. No deploy, switch or teardown.
  assert.deepEqual(target.actingCalls(), [
    'backup',
    'migrate',
    'level flag',
    'level migrate-down',
    'health blue',
  ]);
  const rollback = result.rollbacks[0]!;
  assert.equal(rollback.ok, true);
  assert.deepEqual(rollback.steps, []);
  assert.deepEqual(
    rollback.levels.map((l) => [l.name, l.ok, l.verify?.ok]),
    [
      ['feature-flag', true, undefined],
      ['schema', true, true],
    ],
  );
  assert.equal(result.record?.rollout, undefined, 'the rollout is cleared: nothing left undone');
});

test('without levels a failed migrate hook fails as before; a failed backup runs no levels', async (t) => {
  const plain = setup(t, 'migrate', false);
  const result = await plain.deploy();
  assert.equal(result.status, 'failed', result.message);
  assert.equal(result.code, 'hook_failed');
  assert.deepEqual(result.rollbacks, []);

  const backup = setup(t, 'backup', true);
  const failed = await backup.deploy();
  assert.equal(failed.status, 'failed', failed.message);
  assert.equal(failed.code, 'hook_failed');
  assert.deepEqual(backup.target.actingCalls(), ['backup']);
});

test('on a first deployment a failed migrate runs the levels; verify: health has nothing live to check', async (t) => {
  // Nothing is live: the schema level's `verify: health` would check no slot ({{slot}} has no value), which
  // failed the rollback (rollback_failed) and refused every later deployment (rollout_unfinished).
  const { deploy, target } = setup(t, 'migrate', true, '');
  const result = await deploy();
  assert.equal(result.status, 'rolled_back', result.message);
  assert.equal(result.code, 'hook_failed');
  assert.match(
    result.message,
    /nothing was deployed, nothing served production before \(a first deployment\)/,
  );
  assert.deepEqual(target.actingCalls(), ['backup', 'migrate', 'level flag', 'level migrate-down']);
  assert.deepEqual(
    result.rollbacks[0]!.levels.map((l) => [l.name, l.ok, l.detail, l.verify]),
    [
      ['feature-flag', true, 'done', undefined],
      ['schema', true, 'done; verify: health not run, no live version or slot to check', undefined],
    ],
  );
  assert.equal(result.record?.rollout, undefined, 'nothing left undone: the next deployment is not refused');
  assert.equal((await deploy()).code, 'hook_failed');
});

test("staging's failed migrate runs staging's levels, and the outcome names staging", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'migrate-rollback-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const target = recordedTarget(dir);
  const call = (...args: string[]) => JSON.stringify([...recorder, target.log, ...args]);
  const hooks = (where: string) =>
    `    hooks:\n      migrate: ${call('migrate', where)}\n      on_rollback:\n` +
    `        - { name: schema, run: ${call('level', where)}, verify: health }\n`;
  const parsed = parseConfig(
    `preset: fast\nstate_dir: ${dir}/state\n${target.targetYaml}  env:\n` +
      `    CURRENT: '{"slot":"blue","version":"v1"}'\n    FAIL_ON: "migrate:stg"\n` +
      `environments:\n  production:\n    strategy: blue-green\n    staging: stg\n${hooks('production')}` +
      `  stg:\n    strategy: blue-green\n${hooks('stg')}`,
    'deploy.yml',
  );
  assert.ok(parsed.ok, parsed.ok ? '' : JSON.stringify(parsed.errors));
  const result = await runPipeline(
    {
      env: resolveEnvironment(parsed.config, 'production'),
      staging: resolveEnvironment(parsed.config, 'stg'),
      version: 'v2',
    },
    { reporter: { event() {} } },
  );
  assert.equal(result.status, 'rolled_back', result.message);
  assert.match(
    result.message,
    /^the migrate hook of stg \(the staging environment\) failed: .*; rolled back by its on_rollback levels \(schema\); nothing was deployed, v1 serves stg as before$/,
  );
  assert.deepEqual(target.actingCalls(), ['migrate stg', 'level stg', 'health blue']);
});

test('verify: health checks the version still live by its own {{version}}, not the one that was not deployed', async (t) => {
  // A health check that asks the slot for the version it should serve: blue serves v1; v2 never got there.
  const dir = mkdtempSync(join(tmpdir(), 'migrate-rollback-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const target = recordedTarget(dir);
  const call = (...args: string[]) => JSON.stringify([...recorder, target.log, ...args]);
  const targetYaml = target.targetYaml.replace('"health","{{slot}}"]', '"health","{{slot}}","{{version}}"]');
  assert.notEqual(targetYaml, target.targetYaml);
  const parsed = parseConfig(
    `preset: fast\nstate_dir: ${dir}/state\n${targetYaml}  env:\n` +
      `    CURRENT: '{"slot":"blue","version":"v1"}'\n    FAIL_ON: "migrate,health blue v2"\n` +
      `environments:\n  production:\n    strategy: blue-green\n    hooks:\n      migrate: ${call('migrate')}\n` +
      `      on_rollback:\n        - { name: schema, run: ${call('level')}, verify: health }\n`,
    'deploy.yml',
  );
  assert.ok(parsed.ok, parsed.ok ? '' : JSON.stringify(parsed.errors));
  const result = await runPipeline(
    { env: resolveEnvironment(parsed.config, 'production'), version: 'v2' },
    { reporter: { event() {} } },
  );
  assert.equal(result.status, 'rolled_back', result.message);
  assert.deepEqual(target.actingCalls(), ['migrate', 'level', 'health blue v1']);
});

test('a level left undone by a failed migrate is done by reconcile, its verify: health on the slot still live', async (t) => {
  // The rollout stays in the record (rollout_unfinished) with no recovery step: reconcile's verify took its slot
  // from the recovery's traffic steps, found none, failed on "{{slot}} has no value" every time, and every
  // deployment stayed refused.
  const dir = mkdtempSync(join(tmpdir(), 'migrate-rollback-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const target = recordedTarget(dir);
  const call = (...args: string[]) => JSON.stringify([...recorder, target.log, ...args]);
  const targetYaml = target.targetYaml.replace('"health","{{slot}}"]', '"health","{{slot}}","{{version}}"]');
  const configWith = (fail: string) => {
    const parsed = parseConfig(
      `preset: fast\nstate_dir: ${dir}/state\n${targetYaml}  env:\n` +
        `    CURRENT: '{"slot":"blue","version":"v1"}'\n    FAIL_ON: "${fail}"\n` +
        `environments:\n  production:\n    strategy: blue-green\n    hooks:\n      migrate: ${call('migrate')}\n` +
        `      on_rollback:\n        - { name: schema, run: ${call('level')}, verify: health }\n`,
      'deploy.yml',
    );
    assert.ok(parsed.ok, parsed.ok ? '' : JSON.stringify(parsed.errors));
    return parsed.config;
  };
  const failed = await runPipeline(
    { env: resolveEnvironment(configWith('migrate,level,health blue v2'), 'production'), version: 'v2' },
    { reporter: { event() {} } },
  );
  assert.equal(failed.code, 'rollback_failed', failed.message);
  assert.ok(failed.record?.rollout?.levelsUndone?.length, 'the level is left for reconcile');

  const config = configWith('migrate,health blue v2');
  const summary = await reconcile({
    config,
    environments: ['production'],
    storeFor: (env) => new FileStateStore(env.stateDir),
    ownerStatus: async () => ({ state: 'ended', conclusion: 'failure' }),
    actor: 'reconcile:1',
    owner: { kind: 'workflow', runId: '1' },
    reporter: { event() {} },
  });
  assert.deepEqual(
    summary.entries.map((e) => [e.code, e.failed]),
    [['orphan_rolled_back', false]],
    summary.entries.map((e) => e.message).join('\n'),
  );
  // The level again, then the health checks of blue, as v1: the version it serves.
  assert.deepEqual(target.actingCalls().slice(-2), ['level', 'health blue v1']);
});
