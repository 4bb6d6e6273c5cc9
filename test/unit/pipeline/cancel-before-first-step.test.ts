// A cancellation seen at the checkpoint just before a fresh rollout's first step (nothing of the strategy run
// yet) ends the run cancelled with nothing rolled back, as one a moment later (the first step not started) does:
// a rollback there ran the previous version's deploy over a target that never left it (direct), "rolled back"
// an instance never touched (rolling) and ran the on_rollback levels, for a run that changed nothing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Action } from '../../../src/pipeline/machine/state.ts';
import { drive, environment, input, liveRecord, stored } from '../../helpers/machine-driver.ts';

const STRATEGIES = [
  'blue-green',
  '{ type: canary, steps: [5, 50], pause: 0 }',
  '{ type: rolling, instances: [a, b] }',
  'direct',
];

/** The number of checkpoints up to and including the one just before the first step of an undisturbed run. */
function checkpointsBeforeFirstStep(actions: readonly Action[]): number {
  const firstStep = actions.findIndex((a) => a.kind === 'run_step');
  assert.ok(firstStep > 0);
  return actions.slice(0, firstStep).filter((a) => a.kind === 'checkpoint').length;
}

for (const strategy of STRATEGIES)
  for (const firstDeployment of [true, false])
    test(`${strategy}${firstDeployment ? ', a first deployment' : ''}: cancelled at the checkpoint before the first step, nothing is rolled back`, () => {
      const env = environment(
        `  production:\n    strategy: ${strategy}\n    hooks:\n      on_rollback:\n        - name: flag\n          run: flag off`,
      );
      const begin = () =>
        firstDeployment ? input(env) : input(env, { stored: stored(liveRecord('production', 'v1', 'blue')) });
      const at = checkpointsBeforeFirstStep(drive(begin()).actions);
      let seen = 0;
      const r = drive(begin(), { cancelBefore: (a) => a.kind === 'checkpoint' && ++seen === at });
      assert.equal(r.result.status, 'cancelled', r.result.message);
      assert.equal(r.result.rollbacks.length, 0, r.ran.join('\n'));
      assert.deepEqual(r.ran, [], 'no step, rollback step or on_rollback level ran');
      assert.equal(r.result.message, 'cancelled before anything changed');
      assert.equal(r.result.record?.rollout, undefined, 'the rollout this run wrote is cleared');
      if (!firstDeployment) assert.equal(r.result.record?.live?.version, 'v1');
    });
