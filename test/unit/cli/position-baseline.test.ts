// `status` and the control verbs say where a rollout is: with a fresh baseline (issue 15) its share is part of
// the traffic split, so "25 % on the new version" alone would hide that stable serves 50 %, not 75 %.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { position } from '../../../src/cli/control.ts';
import type { Rollout } from '../../../src/state/record.ts';
import type { Step } from '../../../src/strategies/types.ts';

const weight = (w: number, baselineWeight?: number): Step => ({
  kind: 'set_weight',
  slot: 'green',
  stableSlot: 'blue',
  weight: w,
  ...(baselineWeight !== undefined ? { baselineSlot: 'baseline', baselineWeight } : {}),
});

function rollout(plan: Step[], index: number, w: number): Rollout {
  return {
    deploymentId: 'cli-1',
    version: 'v2',
    strategy: 'canary',
    phase: 'production',
    step: index,
    steps: plan.length,
    weight: w,
    startedAt: '2026-01-01T00:00:00.000Z',
    owner: { kind: 'process', pid: 1, host: 'h' },
    recovery: [],
    strategyState: { plan: plan.map((step) => ({ step, reason: '' })), index, holds: 0 },
  };
}

const analysis: Step = { kind: 'analysis', phase: 'canary-step', slot: 'green', weight: 25, windowMs: 0 };

test('a canary beside a fresh baseline names the baseline share and what stable keeps', () => {
  const plan = [{ kind: 'deploy', slot: 'green' } as Step, weight(25, 25), analysis, weight(100, 0)];
  assert.equal(position(rollout(plan, 2, 25)), 'step 3/4 (25 % new / 25 % baseline / 50 % stable)');
  // At 100 % the baseline has no share left: the split says so without a baseline.
  assert.equal(position(rollout(plan, 3, 100)), 'step 4/4 (100 % on the new version)');
});

test('a canary without a baseline keeps its wording', () => {
  const plan = [weight(25), analysis];
  assert.equal(position(rollout(plan, 1, 25)), 'step 2/2 (25 % on the new version)');
});

test('rolling back, the baseline share is not shown: all traffic goes back to stable', () => {
  const plan = [weight(25, 25), analysis];
  assert.equal(
    position({ ...rollout(plan, 1, 25), phase: 'rollback' }),
    'step 2/2 (25 % on the new version)',
  );
});
