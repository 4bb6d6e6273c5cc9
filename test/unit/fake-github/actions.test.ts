// The fake's Actions endpoints (a workflow run, workflow_dispatch) and its workflow_run webhook: on-schema,
// and as strict as GitHub about what a dispatch may name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Octokit } from '@octokit/rest';
import { createFakeGitHub, validateWebhook } from '../../fake-github/index.ts';
import type { FakeGitHub } from '../../fake-github/index.ts';

const owner = 'acme';
const repo = 'web';
const RECONCILE = [
  'name: reconcile',
  'on:',
  '  schedule: [{ cron: "*/15 * * * *" }]',
  '  workflow_dispatch:',
  '    inputs:',
  '      environment: { required: true, type: string }',
  'jobs: {}',
  '',
].join('\n');

async function seeded(): Promise<{ gh: FakeGitHub; octokit: Octokit }> {
  const gh = await createFakeGitHub();
  gh.seedRepo({
    owner,
    repo,
    files: {
      '.github/workflows/deploy-reconcile.yml': RECONCILE,
      '.github/workflows/ci.yml': 'on: [push]\njobs: {}\n',
    },
  });
  return { gh, octokit: new Octokit({ baseUrl: gh.url, auth: 'test-token' }) };
}

async function status(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return 0;
  } catch (error) {
    return (error as { status: number }).status;
  }
}

test('a workflow run reads back with its state, and follows updates', async () => {
  const { gh, octokit } = await seeded();
  try {
    const added = gh.addWorkflowRun({ id: 9001, runAttempt: 2 });
    const { data } = await octokit.rest.actions.getWorkflowRun({ owner, repo, run_id: 9001 });
    assert.equal(data.id, 9001);
    assert.equal(data.status, 'in_progress');
    assert.equal(data.conclusion, null);
    assert.equal(data.run_attempt, 2);
    assert.equal(data.head_sha, added.headSha);
    gh.updateWorkflowRun(9001, { status: 'completed', conclusion: 'cancelled' });
    const after = await octokit.rest.actions.getWorkflowRun({ owner, repo, run_id: 9001 });
    assert.equal(after.data.status, 'completed');
    assert.equal(after.data.conclusion, 'cancelled');
    assert.equal(await status(octokit.rest.actions.getWorkflowRun({ owner, repo, run_id: 1 })), 404);
    gh.assertNoViolations();
  } finally {
    await gh.stop();
  }
});

test('workflow_dispatch: recorded with its inputs and a queued run; GitHub refusals are reproduced', async () => {
  const { gh, octokit } = await seeded();
  try {
    const ok = await octokit.rest.actions.createWorkflowDispatch({
      owner,
      repo,
      workflow_id: 'deploy-reconcile.yml',
      ref: 'main',
      inputs: { environment: 'production' },
    });
    assert.equal(ok.status, 204);
    const [dispatch] = gh.repo().workflowDispatches;
    assert.deepEqual(
      { workflowId: dispatch?.workflowId, ref: dispatch?.ref, inputs: dispatch?.inputs },
      { workflowId: 'deploy-reconcile.yml', ref: 'main', inputs: { environment: 'production' } },
    );
    assert.equal(gh.repo().workflowRuns.get(dispatch!.runId)?.event, 'workflow_dispatch');

    const details = await octokit.request(
      'POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches',
      {
        owner,
        repo,
        workflow_id: 'deploy-reconcile.yml',
        ref: 'main',
        inputs: { environment: 'x' },
        return_run_details: true,
      },
    );
    assert.equal(details.status, 200);
    assert.ok(gh.repo().workflowRuns.has((details.data as { workflow_run_id: number }).workflow_run_id));

    const refused = async (workflow_id: string, ref: string, inputs: Record<string, string>) =>
      status(octokit.rest.actions.createWorkflowDispatch({ owner, repo, workflow_id, ref, inputs }));
    assert.equal(await refused('missing.yml', 'main', {}), 404, 'no such workflow file');
    assert.equal(await refused('ci.yml', 'main', {}), 422, 'no workflow_dispatch trigger');
    assert.equal(await refused('deploy-reconcile.yml', 'nope', { environment: 'x' }), 422, 'no such ref');
    assert.equal(await refused('deploy-reconcile.yml', 'main', { environment: 'x', other: 'y' }), 422);
    assert.equal(await refused('deploy-reconcile.yml', 'main', {}), 422, 'a required input is missing');
    assert.equal(gh.repo().workflowDispatches.length, 2, 'refused dispatches are not recorded');
    gh.assertNoViolations();
  } finally {
    await gh.stop();
  }
});

test('the workflow_run webhook is the real example with the stored run laid over it, and on-schema', async () => {
  const { gh } = await seeded();
  try {
    gh.addWorkflowRun({ id: 77, status: 'completed', conclusion: 'failure', runAttempt: 3 });
    const payload = gh.workflowRunWebhook(77);
    assert.deepEqual(validateWebhook('workflow_run', payload), []);
    const run = payload.workflow_run as Record<string, unknown>;
    assert.equal(payload.action, 'completed');
    assert.equal(run.id, 77);
    assert.equal(run.conclusion, 'failure');
    assert.equal(run.run_attempt, 3);
    assert.equal((payload.repository as { full_name: string }).full_name, 'acme/web');
    assert.equal((payload.installation as { id: number }).id, gh.state.installationId);
    assert.throws(() => gh.workflowRunWebhook(78), /workflow run 78 was not added/);
  } finally {
    await gh.stop();
  }
});
