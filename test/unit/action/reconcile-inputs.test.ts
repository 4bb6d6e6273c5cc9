// mode: reconcile in the action's inputs: the environment input may be a comma list there (and only there),
// and a workflow_dispatch `mode` of reconcile asks for it when the input is empty.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunContext } from '../../../src/action/context.ts';
import {
  environmentList,
  InputError,
  planRun,
  readInputs,
  reconcileRequested,
} from '../../../src/action/inputs.ts';

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
    // Without a mode (the workflow's `mode` input may say reconcile) a list is refused by planRun instead.
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

test('adopt-current is read with the other inputs, for mode reconcile only', () => {
  assert.equal(read({ mode: 'reconcile', environment: 'production' }).adoptCurrent, false);
  assert.equal(
    read({ mode: 'reconcile', environment: 'production', 'adopt-current': 'true' }).adoptCurrent,
    true,
  );
  assert.throws(
    () => read({ mode: 'reconcile', 'adopt-current': 'maybe' }),
    (e: unknown) =>
      e instanceof InputError && /input "adopt-current" is "maybe"; use true or false/.test(e.message),
  );
  assert.throws(
    () => read({ mode: 'deploy', environment: 'production', 'adopt-current': 'true' }),
    (e: unknown) =>
      e instanceof InputError &&
      /input "adopt-current" is true, but input "mode" is "deploy"/.test(e.message),
  );
  // Mode from the event (a deployment, a dispatch of another mode): refused when the run is planned.
  assert.throws(
    () => planRun(read({ environment: 'production', 'adopt-current': 'true' }), context({ mode: 'deploy' })),
    (e: unknown) => e instanceof InputError && /adopting is done by mode "reconcile" only/.test(e.message),
  );
});
