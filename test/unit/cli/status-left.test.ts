// `deploy-action status` on a rollout kept after a rollback that did not complete: what is left of it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatStatus } from '../../../src/cli/status.ts';
import type { EnvironmentRecord, Rollout } from '../../../src/state/record.ts';

function kept(over: Partial<Rollout>): EnvironmentRecord {
  return {
    schema: 1,
    repository: 'local',
    environment: 'production',
    seq: 3,
    updatedAt: '2025-03-04T10:00:00.000Z',
    retired: [],
    history: [],
    rollout: {
      deploymentId: '42',
      version: 'v2',
      strategy: 'blue-green',
      phase: 'rollback',
      step: 1,
      steps: 3,
      startedAt: '2025-03-04T10:00:00.000Z',
      owner: { kind: 'workflow', runId: '7' },
      recovery: [
        { kind: 'switch', slot: 'blue', from: 'green' },
        { kind: 'teardown', slot: 'green\nlive: forged' },
      ],
      levelsUndone: ['level code'],
      ...over,
    },
  };
}

test('status shows the steps a rollback that did not complete left, on one line, before the levels', () => {
  // It showed only the levels left undone: nothing said its switch back had failed (traffic may not be back)
  // nor which steps a reconcile still runs.
  const shown = formatStatus('production', kept({}));
  assert.match(
    shown,
    /\n {2}left: {5}switch traffic green → blue, teardown on green\\nlive: forged of its rollback: a reconcile runs them once the deployment's run has ended .*`deploy-action reconcile -e production`.*until then a deployment of production is refused \(rollout_unfinished\)\n {2}undone: {3}level code of its rollback/,
  );
  assert.doesNotMatch(shown, /\nlive: forged/, 'a slot name cannot start a line of its own');
});

test('status shows no steps left for a rollout still rolling out, nor for a rollback with none left', () => {
  // A rollout's recovery is written ahead: until a rollback begins, it is not something left undone.
  assert.doesNotMatch(formatStatus('production', kept({ phase: 'production' })), /\n {2}left:/);
  const levelsOnly = formatStatus('production', kept({ recovery: [] }));
  assert.doesNotMatch(levelsOnly, /\n {2}left:/);
  assert.match(levelsOnly, /\n {2}undone: {3}level code/);
});
