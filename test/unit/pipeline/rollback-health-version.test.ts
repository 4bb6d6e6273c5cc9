// A rollback's health check of what it put back is rendered with that version's {{version}}, not the one
// rolled back from: a check that asks the service for its version (`curl .../version | grep {{version}}`) failed
// every rollback (rollback_failed) and refused the deployments after it. The new version v2 below is never
// healthy; v1 is, and is what the rollback redeploys.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../../src/config/load.ts';
import { resolveEnvironment } from '../../../src/config/resolve.ts';
import { runPipeline } from '../../../src/pipeline/pipeline.ts';
import { stepValues } from '../../../src/pipeline/step-runner.ts';
import { verifyHealthStep } from '../../../src/pipeline/rollback-levels.ts';

function config(dir: string, extra = '') {
  const served = join(dir, 'served');
  const sh = (script: string, ...args: string[]) => JSON.stringify(['sh', '-c', script, 'sh', ...args]);
  const parsed = parseConfig(
    `preset: fast
state_dir: ${dir}/state
target:
  commands:
    deploy: ${sh('printf %s "$1" > "$2"', '{{version}}', served)}
    health: ${sh('test "$(cat "$2")" = "$1" && test "$1" != v2', '{{version}}', served)}
environments:
  production:
    strategy: direct
${extra}`,
    'deploy.yml',
  );
  assert.ok(parsed.ok, parsed.ok ? '' : JSON.stringify(parsed.errors));
  return { env: resolveEnvironment(parsed.config, 'production'), served };
}

const quiet = { reporter: { event() {} } };

test('direct: the health check after the rollback asks for the version it put back', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rollback-health-version-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const { env, served } = config(dir);
  assert.equal((await runPipeline({ env, version: 'v1' }, quiet)).status, 'succeeded');
  const result = await runPipeline({ env, version: 'v2' }, quiet);
  assert.equal(result.status, 'rolled_back', `${result.code}: ${result.message}`);
  assert.equal(readFileSync(served, 'utf8'), 'v1');
});

test("an on_rollback level's verify: health checks the version the rollback put back", () => {
  for (const steps of [
    [{ kind: 'switch' as const, slot: 'blue', from: 'green' }],
    [{ kind: 'set_weight' as const, slot: 'green', stableSlot: 'blue', weight: 0 }],
    [],
  ]) {
    const step = verifyHealthStep(steps);
    assert.equal(
      stepValues(step, { version: 'v2', previous_version: 'v1' }).version,
      'v1',
      JSON.stringify(steps),
    );
  }
  // Nothing before it (a first deployment): the values stay as they were.
  assert.equal(stepValues(verifyHealthStep([]), { version: 'v2' }).version, 'v2');
});
