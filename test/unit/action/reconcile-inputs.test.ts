// mode: reconcile in the action's inputs: the environment input may be a comma list there (and only there),
// and a workflow_dispatch `mode` of reconcile asks for it when the input is empty.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunContext } from '../../../src/action/context.ts';
import { environmentList, InputError, readInputs, reconcileRequested } from '../../../src/action/inputs.ts';

const read = (values: Record<string, string>) => readInputs((name) => values[name] ?? '');
const context = (dispatch?: Record<string, string>): RunContext => ({
  owner: 'acme',
  repo: 'web',
  eventName: dispatch ? 'workflow_dispatch' : 'schedule',
  sha: 'a'.repeat(40),
  apiUrl: 'https://api.github.com',
  actor: 'octocat',
  dispatch,
});

test('reconcile takes one environment or a comma list', () => {
  assert.deepEqual(environmentList(read({ mode: 'reconcile', environment: 'production' }).environment), [
    'production',
  ]);
  assert.deepEqual(
    environmentList(read({ mode: 'reconcile', environment: 'staging, production' }).environment),
    ['staging', 'production'],
  );
  assert.equal(environmentList(read({ mode: 'reconcile' }).environment), undefined, 'none: all of them');
});

test('a comma list is refused outside reconcile, and a bad name inside it', () => {
  const cases: Array<Record<string, string>> = [
    { mode: 'deploy', environment: 'staging,production' },
    { environment: 'staging,production' },
    { mode: 'reconcile', environment: 'staging,,production' },
    { mode: 'reconcile', environment: 'staging,$(id)' },
    { mode: 'reconcile', environment: ',production' },
  ];
  for (const values of cases) {
    assert.throws(
      () => read(values),
      (e: unknown) => e instanceof InputError && /input "environment"/.test(e.message),
      JSON.stringify(values),
    );
  }
});

test('reconcile is asked by the input, or by the dispatch input mode when the input is empty', () => {
  assert.equal(reconcileRequested(read({ mode: 'reconcile' }), context()), true);
  assert.equal(reconcileRequested(read({}), context({ mode: 'reconcile' })), true);
  assert.equal(reconcileRequested(read({ mode: 'deploy' }), context({ mode: 'reconcile' })), false);
  assert.equal(reconcileRequested(read({}), context({ mode: 'deploy' })), false);
  assert.equal(reconcileRequested(read({}), context()), false);
});
