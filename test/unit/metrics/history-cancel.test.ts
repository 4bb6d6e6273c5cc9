// A cancelled run counts the same in the metrics whether they are read from GitHub (its deployment's final
// status) or from the state record's history (the CLI without GitHub): `rollout_started` is written before
// the backup / migrate hooks, so a run cancelled after it may still have changed nothing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { historyFacts } from '../../../src/metrics/history.ts';
import { outcomeOf } from '../../../src/metrics/outcome.ts';
import type { DeploymentOutcome } from '../../../src/metrics/types.ts';
import { finalStatus } from '../../../src/report/github/deployment-status.ts';
import { drive, environment, input, type World } from '../../helpers/machine-driver.ts';

const short = (o: DeploymentOutcome) =>
  o.kind === 'failed' || o.kind === 'no_change' ? `${o.kind}:${o.code}` : o.kind;

/** The run's outcome as the GitHub metrics count it, and as the history metrics count it. */
function bothWays(yaml: string, world: World): { github: string; history: string } {
  const r = drive(input(environment(yaml)), world);
  assert.equal(r.result.status, 'cancelled', r.result.message);
  const status = finalStatus(r.result);
  const github = outcomeOf({
    id: 'd-1',
    environment: 'production',
    createdAt: 0,
    statuses: [{ state: status.state, description: status.description, at: 1 }],
  });
  const facts = historyFacts(r.result.record!);
  assert.ok(facts.length > 0, 'the run is in the history');
  return { github: short(github), history: short(outcomeOf(facts.at(-1)!)) };
}

test('cancelled before its migrate hook began (rollout_started already written): no change, both ways', () => {
  const got = bothWays(`  production:\n    strategy: blue-green\n    hooks:\n      migrate: migrate-db`, {
    cancelBefore: (a) => a.kind === 'run_command',
  });
  assert.deepEqual(got, {
    github: 'no_change:cancelled_before_change',
    history: 'no_change:cancelled_before_change',
  });
});

test('cancelled while the target was prepared, after rollout_started, no hook: no change, both ways', () => {
  const got = bothWays('  production:\n    strategy: blue-green', {
    cancelDuring: (a) => a.kind === 'prepare',
  });
  assert.deepEqual(got, {
    github: 'no_change:cancelled_before_change',
    history: 'no_change:cancelled_before_change',
  });
});

test('cancelled while its backup hook ran: a failed change (what the hook did is not undone), both ways', () => {
  const got = bothWays(`  production:\n    strategy: blue-green\n    hooks:\n      backup: backup-db`, {
    cancelDuring: (a) => a.kind === 'run_command',
  });
  assert.deepEqual(got, { github: 'failed:error', history: 'failed:error' });
});

test('cancelled after traffic moved and rolled back: a failed change, both ways', () => {
  const got = bothWays('  production:\n    strategy: { type: canary, steps: [5, 25, 50], pause: 0 }', {
    cancelDuring: (a) => a.kind === 'run_step' && a.step.kind === 'analysis',
  });
  assert.deepEqual(got, { github: 'failed:error', history: 'failed:error' });
});
