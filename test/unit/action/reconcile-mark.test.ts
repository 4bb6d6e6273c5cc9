// Reconcile's status on an orphan's deployment goes only to a deployment of that environment and commit: a
// record kept in a state-dir can name a workflow run id where a deployment belongs, and whatever deployment
// happens to have that number must not be marked failed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createGitHubClient } from '../../../src/github/client.ts';
import { markDeployment } from '../../../src/action/reconcile.ts';
import { credentialRedactor } from '../../../src/report/redact.ts';
import { productionDeployment, withFakeRepo } from '../../helpers/github.ts';

const TOKEN = 'ghs_workflow';

test('marks the deployment of the environment and commit the record names', async () => {
  await withFakeRepo(async (gh, sha) => {
    const { octokit } = createGitHubClient({ token: TOKEN, baseUrl: gh.url, writeIntervalMs: 0 });
    const { data } = await octokit.rest.repos.createDeployment(productionDeployment(sha));
    const id = (data as { id: number }).id;
    const mark = markDeployment(octokit, { owner: 'acme', repo: 'web', runUrl: undefined })!;
    await mark({ id: String(id), environment: 'production', sha }, 'failure', 'Rolled back by reconcile');
    const posted = gh.requestsFor('repos/create-deployment-status').filter((r) => r.status === 201);
    assert.equal(posted.length, 1);
    assert.equal((posted[0]!.body as { state: string }).state, 'failure');
  });
});

test('leaves alone a deployment of another environment or commit, and a number that is no deployment', async () => {
  await withFakeRepo(async (gh, sha) => {
    const { octokit } = createGitHubClient({ token: TOKEN, baseUrl: gh.url, writeIntervalMs: 0 });
    const { data } = await octokit.rest.repos.createDeployment({
      ...productionDeployment(sha),
      environment: 'staging',
    });
    const id = String((data as { id: number }).id);
    const mark = markDeployment(octokit, { owner: 'acme', repo: 'web', runUrl: undefined })!;
    await mark({ id, environment: 'production', sha }, 'failure', 'x');
    await mark({ id, environment: 'staging', sha: 'f'.repeat(40) }, 'failure', 'x');
    await mark({ id: '987654321', environment: 'production' }, 'failure', 'x');
    await mark({ id: 'local-17', environment: 'production' }, 'failure', 'x');
    assert.equal(gh.requestsFor('repos/create-deployment-status').length, 0);
  });
});

test("a credential a rollback command printed is redacted from the orphan's deployment status", async () => {
  await withFakeRepo(async (gh, sha) => {
    const { octokit } = createGitHubClient({ token: TOKEN, baseUrl: gh.url, writeIntervalMs: 0 });
    const { data } = await octokit.rest.repos.createDeployment(productionDeployment(sha));
    const id = (data as { id: number }).id;
    const mark = markDeployment(
      octokit,
      { owner: 'acme', repo: 'web', runUrl: undefined },
      credentialRedactor([]),
    )!;
    const leaked = 'https://x-access-token:ghs_abcdefghijklmnopqrstuvwxyz0123456789@github.com/acme/web.git';
    await mark({ id: String(id), environment: 'production', sha }, 'failure', `push failed: ${leaked}`);
    const posted = gh.requestsFor('repos/create-deployment-status').filter((r) => r.status === 201);
    const description = (posted[0]!.body as { description: string }).description;
    assert.match(description, /push failed/);
    assert.doesNotMatch(description, /ghs_abcdefghij/);
  });
});
