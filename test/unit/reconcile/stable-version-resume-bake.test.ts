// A first deployment this tool records (the record names nothing live; `current` said v1 serves) keeps that
// version in its rollout (stableVersion). Rolling it back from the record used it; a resume (on_orphan:
// resume) and a reconcile's look at a handed-off bake read the record's `live` alone, so the resumed rollout's
// own rollback had no {{previous_version}}, and a bake look analysed the canary against no stable version.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../../src/config/load.ts';
import { resolveEnvironment } from '../../../src/config/resolve.ts';
import type { Analyzer } from '../../../src/pipeline/analyzer.ts';
import { lookAtBake } from '../../../src/reconcile/bake-look.ts';
import type { EnvironmentRecord, Rollout } from '../../../src/state/record.ts';
import { runCli, startCli } from '../../helpers/cli.ts';
import { recordedTarget, recorder } from '../../helpers/recorded-target.ts';

test('a first recorded rolling deployment resumed by reconcile and failing there rolls its batches back to the version current named', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'resume-stable-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const target = recordedTarget(dir);
  const call = (...args: string[]) => JSON.stringify([...recorder, target.log, ...args]);
  const config = join(dir, 'deploy.yml');
  writeFileSync(
    config,
    `preset: fast
state_dir: ${dir}/state
target:
  commands:
    deploy: ${call('deploy', '{{instances}}', '{{version}}')}
    rollback: ${call('rollback', '{{instances}}', '{{previous_version}}')}
    health: ${call('health', '{{instances}}')}
    current: ${call('current')}
environments:
  production:
    on_orphan: resume
    strategy: { type: rolling, instances: [a, b, c, d], pause: 2s }
`,
  );
  const run = startCli(['run', '-e', 'production', '-v', 'v2', '-c', config], {
    env: { CURRENT: '{"version":"v1"}' },
  });
  t.after(() => void (run.child.exitCode === null && run.child.kill('SIGKILL')));
  for (let i = 0; !target.calls().includes('deploy b v2'); i++) {
    if (run.child.exitCode !== null || i > 600)
      assert.fail(`batch 2 never began:\n${target.calls().join('\n')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  run.child.kill('SIGKILL');
  await run.done;
  const before = JSON.parse(readFileSync(join(dir, 'state/records/production.json'), 'utf8'));
  assert.equal(before.live, undefined, 'the record names nothing live');
  assert.equal(before.rollout.stableVersion, 'v1');

  const since = target.calls().length;
  // Resumed, the third batch fails its health check: the resumed rollout rolls back, every batch to v1.
  const reconciled = await runCli(['reconcile', '-c', config], {
    env: { CURRENT: '{"version":"v2"}', FAIL_ON: 'health:c' },
  });
  // (Its health check on c still fails after the rollback, as FAIL_ON asks: the rollback is incomplete.)
  assert.match(reconciled.stdout, /resumed the orphaned rollout/, reconciled.stdout + reconciled.stderr);
  assert.doesNotMatch(reconciled.stdout, /no earlier version is known/, reconciled.stdout);
  assert.deepEqual(
    target.actingCalls(since).filter((c) => c.startsWith('rollback')),
    ['rollback c v1', 'rollback b v1', 'rollback a v1'],
    target.calls().join('\n'),
  );
});

test("reconcile's look at a handed-off bake of a first recorded canary reads the stable version the rollout kept", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bake-stable-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const parsed = parseConfig(
    `preset: fast
state_dir: ${dir}/state
${recordedTarget(dir).targetYaml}
environments:
  production:
    strategy: { type: canary, steps: [50], pause: 1m }
`,
    'deploy.yml',
  );
  assert.ok(parsed.ok, parsed.ok ? '' : JSON.stringify(parsed.errors));
  const env = resolveEnvironment(parsed.config, 'production');
  const since = new Date(Date.now() - 60_000).toISOString();
  const rollout = {
    deploymentId: 'd1',
    version: 'v2',
    strategy: 'canary',
    phase: 'monitor',
    step: 0,
    steps: 1,
    startedAt: since,
    owner: { kind: 'workflow', runId: '1' },
    stableSlot: 'blue',
    stableVersion: 'v1',
    newSlot: 'green',
    recovery: [],
    wait: { kind: 'bake', step: 0, since },
  } as unknown as Rollout;
  const record = {
    schema: 1,
    repository: 'acme/shop',
    environment: 'production',
    seq: 1,
    updatedAt: since,
    retired: [],
    history: [],
    rollout,
  } as unknown as EnvironmentRecord;
  const prepared: unknown[] = [];
  const analyzer = {
    prepare: async (live: unknown) => void prepared.push(live),
    analyze: async () => ({ ok: true }),
  } as unknown as Analyzer;
  await lookAtBake(env, record, rollout, { analyzer });
  assert.deepEqual(prepared, [{ slot: 'blue', version: 'v1' }]);
});
