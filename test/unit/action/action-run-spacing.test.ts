// GitHub's writes lose their spacing only when the runner's deadline is coming (a signal received), not when an
// internal error stops the run (crash-guard.ts aborts the cancellation with InternalErrorStop): that run's
// rollback and final updates have no 10 s kill ahead of them and must keep GitHub's interval between writes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { ActionRun } from '../../../src/action/action-run.ts';
import type { RunContext } from '../../../src/action/context.ts';
import type { ActionInputs, RunPlan } from '../../../src/action/inputs.ts';
import type { RawConfig } from '../../../src/config/schema.ts';
import type { GitHubClient } from '../../../src/github/client.ts';
import { InternalErrorStop } from '../../../src/util/internal-error-stop.ts';
import { cancelOnSignals, type Cancellation, type SignalSource } from '../../../src/util/signals.ts';

/** A GitHub client that only counts the times its writes' spacing was dropped. */
function fakeOctokit() {
  const calls = { unspaced: 0 };
  const octokit = {
    unspaceWrites: () => {
      calls.unspaced++;
      return Promise.resolve();
    },
  } as unknown as GitHubClient;
  return { octokit, calls };
}

function actionRun(octokit: GitHubClient, cancellation: Cancellation): ActionRun {
  return new ActionRun(
    { token: 'ghs_fake' } as ActionInputs,
    {} as RunContext,
    {} as RunPlan,
    { environments: {} } as unknown as RawConfig,
    octokit,
    {},
    cancellation,
  );
}

test("an internal error's stop keeps the spacing between GitHub writes; a signal received drops it", () => {
  const { octokit, calls } = fakeOctokit();
  const source = new EventEmitter() as unknown as SignalSource & EventEmitter;
  const cancellation = cancelOnSignals(() => {}, source);
  actionRun(octokit, cancellation);
  cancellation.abort(new InternalErrorStop(new Error('boom')));
  assert.ok(cancellation.signal.aborted, 'the run is stopped');
  assert.equal(calls.unspaced, 0, 'a crash is no deadline: writes stay spaced');
  source.emit('SIGTERM', 'SIGTERM');
  assert.equal(calls.unspaced, 1, 'the runner cancels the job: its deadline runs, writes go unspaced');
  cancellation.dispose();
});

test('a signal received before the run is made drops the spacing at once', () => {
  const { octokit, calls } = fakeOctokit();
  const source = new EventEmitter() as unknown as SignalSource & EventEmitter;
  const cancellation = cancelOnSignals(() => {}, source);
  source.emit('SIGINT', 'SIGINT');
  actionRun(octokit, cancellation);
  assert.equal(calls.unspaced, 1);
  cancellation.dispose();
});
