// After a lost answer to the Action's deployment create, the run looks for the deployment it may have made
// (createDeploymentOnce). Its key run:<id>-<attempt>-<environment> is known to anyone once the run starts, and
// every workflow's GITHUB_TOKEN creates as github-actions[bot], so neither the key nor the creator tells this
// run's deployment from another workflow's. The create carries a random create_nonce no one had before it was
// sent: only a deployment with it is taken, the oldest. On the fake GitHub (checked against GitHub's OpenAPI
// description).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createFakeGitHub, type FakeGitHub } from '../../fake-github/index.ts';
import { productionDeployment } from '../../helpers/github.ts';
import { createGitHubClient } from '../../../src/github/client.ts';
import { createDeploymentOnce, type CreateDeploymentApi } from '../../../src/github/deployments.ts';

const where = { owner: 'acme', repo: 'web' };
const payload = { version: '1.2.3', strategy: 'canary' as const, dedupe_key: 'run:41-1-production' };

async function withGitHub(run: (gh: FakeGitHub, sha: string) => Promise<void>): Promise<void> {
  // Two workflows' GITHUB_TOKENs: both act as github-actions[bot].
  const gh = await createFakeGitHub({
    tokens: { 'this-workflow': 'github-actions[bot]', 'other-workflow': 'github-actions[bot]' },
  });
  try {
    gh.seedRepo({ ...where });
    await run(gh, gh.addCommit({ message: 'x' }));
    gh.assertNoViolations();
  } finally {
    await gh.stop();
  }
}

const client = (gh: FakeGitHub, token: string) =>
  createGitHubClient({ token, baseUrl: gh.url, writeIntervalMs: 0 }).octokit;

function create(api: CreateDeploymentApi, sha: string) {
  return createDeploymentOnce(api, {
    ...where,
    sha,
    environment: 'production',
    description: 'deploy 1.2.3 with canary',
    payload,
    production: true,
    transient: false,
    // The token's login, as the reporter asks GraphQL's viewer: the same for every workflow.
    callerLogin: async () => 'github-actions[bot]',
  });
}

const deployments = (gh: FakeGitHub) =>
  [...gh.repo().deployments.values()] as unknown as Array<{ id: number; payload: Record<string, unknown> }>;

test("another workflow's deployment of the ref and environment, carrying the run's key, is not taken", async () => {
  await withGitHub(async (gh, sha) => {
    const other = client(gh, 'other-workflow');
    const { data } = await other.rest.repos.createDeployment({ ...productionDeployment(sha), payload });
    const theirs = (data as { id: number }).id;
    // This run's create fails before it lands: its lookup finds only the other workflow's.
    gh.failNext({ status: 502, operationId: 'repos/create-deployment' });
    const ours = await create(client(gh, 'this-workflow').rest as unknown as CreateDeploymentApi, sha);
    assert.notEqual(ours.id, theirs, "the run reported to another workflow's deployment");
    assert.equal(deployments(gh).length, 2);
    assert.equal(typeof deployments(gh).find((d) => d.id === ours.id)?.payload.create_nonce, 'string');
  });
});

test('a lost answer still takes the deployment its create made, not a copy made after it', async () => {
  await withGitHub(async (gh, sha) => {
    const other = client(gh, 'other-workflow');
    // Another workflow's deployment carrying the key, made before: not ours.
    await other.rest.repos.createDeployment({ ...productionDeployment(sha), payload });
    const mine = client(gh, 'this-workflow');
    let made: number | undefined;
    // The create lands, then its answer is lost; meanwhile someone who saw it copies its payload, nonce too.
    const api = {
      repos: {
        ...mine.rest.repos,
        createDeployment: async (p: Parameters<CreateDeploymentApi['repos']['createDeployment']>[0]) => {
          const { request: _request, ...params } = p;
          const answer = await mine.rest.repos.createDeployment(params);
          made = (answer.data as { id: number }).id;
          await other.rest.repos.createDeployment({ ...productionDeployment(sha), payload: params.payload });
          throw Object.assign(new Error('Bad Gateway'), { status: 502 });
        },
      },
    } as unknown as CreateDeploymentApi;
    const ours = await create(api, sha);
    assert.equal(ours.id, made, 'the deployment this create made');
    assert.equal(
      gh.requestsFor('repos/create-deployment').length,
      3,
      'no second create of ours: the other workflow made two',
    );
  });
});
