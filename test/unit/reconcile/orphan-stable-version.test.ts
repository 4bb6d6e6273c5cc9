// The first deployment this tool records (the record names nothing live; the target's `current` command says
// v1 serves) killed mid-rollout (SIGKILL: no chance to roll back). The run itself would have returned the
// instances to v1; reconcile, reading the record alone, knew no earlier version, could undo nothing and
// dropped the rollout with half the instances on the new version. The rollout now keeps the version it
// found serving.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, startCli } from '../../helpers/cli.ts';
import { recordedTarget, recorder } from '../../helpers/recorded-target.ts';

test('a first recorded rolling deployment killed after its second batch: reconcile returns both batches to the version current named', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'orphan-stable-'));
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
  await new Promise((r) => setTimeout(r, 300));
  run.child.kill('SIGKILL');
  await run.done;
  const before = JSON.parse(readFileSync(join(dir, 'state/records/production.json'), 'utf8'));
  assert.equal(before.live, undefined, 'the record names nothing live');

  const since = target.calls().length;
  const reconciled = await runCli(['reconcile', '-c', config], { env: { CURRENT: '{"version":"v2"}' } });
  assert.equal(reconciled.code, 0, reconciled.stdout + reconciled.stderr);
  assert.match(reconciled.stdout, /orphan_rolled_back/);
  assert.deepEqual(
    target.actingCalls(since).filter((c) => c.startsWith('rollback')),
    ['rollback b v1', 'rollback a v1'],
  );
  const after = JSON.parse(readFileSync(join(dir, 'state/records/production.json'), 'utf8'));
  assert.equal(after.rollout, undefined);
  const again = await runCli(['reconcile', '-c', config], { env: { CURRENT: '{"version":"v1"}' } });
  assert.match(again.stdout, /nothing_due/, 'a second reconcile does nothing');
});
