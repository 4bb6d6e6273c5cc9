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
import { recordedTarget, recorder } from '../../helpers/recorded-target.ts';

/** blue-green with v1 live on blue; `hooks` and `levels` are YAML under the environment's `hooks:`. */
function setup(t: { after(fn: () => void): void }, fail: string, levels: boolean) {
  const dir = mkdtempSync(join(tmpdir(), 'migrate-rollback-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const target = recordedTarget(dir);
  const call = (...args: string[]) => JSON.stringify([...recorder, target.log, ...args]);
  const parsed = parseConfig(
    `preset: fast\nstate_dir: ${dir}/state\n${target.targetYaml}  env:\n` +
      `    CURRENT: '{"slot":"blue","version":"v1"}'\n    FAIL_ON: "${fail}"\n` +
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
  // The live version's look first (seed 02), then the hooks, then both levels; the schema level's
  // `verify: health` checks blue, which still serves. No deploy, switch or teardown.
  assert.deepEqual(target.actingCalls(), [
    'health blue',
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
  assert.deepEqual(backup.target.actingCalls(), ['health blue', 'backup']);
});
