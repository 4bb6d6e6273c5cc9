// The action's Octokit against the fake GitHub: one count per call by route, retries counted as attempts,
// rate limits retried, failures counted, and the token never in a log line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createGitHubClient, describeRequests } from '../../../src/github/client.ts';
import { createFakeGitHub, type FakeGitHub } from '../../fake-github/index.ts';

const TOKEN = 'ghs_client_test_token';

async function withFake(run: (gh: FakeGitHub, sha: string) => Promise<void>): Promise<void> {
  const gh = await createFakeGitHub();
  try {
    gh.seedRepo({ owner: 'acme', repo: 'web' });
    const sha = gh.addCommit({ message: 'x' });
    await run(gh, sha);
    gh.assertNoViolations();
  } finally {
    await gh.stop();
  }
}

function client(gh: FakeGitHub, log: string[] = []) {
  return createGitHubClient({
    token: TOKEN,
    baseUrl: gh.url,
    retryBaseMs: 10,
    writeIntervalMs: 0,
    log: (m) => log.push(m),
  });
}

test('every call is counted once by route', async () => {
  await withFake(async (gh, sha) => {
    const { octokit, counter } = client(gh);
    for (let i = 0; i < 3; i++)
      await octokit.rest.repos.listDeployments({ owner: 'acme', repo: 'web', environment: 'production' });
    await octokit.rest.repos.createDeployment({
      owner: 'acme',
      repo: 'web',
      ref: sha,
      environment: 'production',
      required_contexts: [],
      auto_merge: false,
    });
    assert.equal(counter.total(), 4);
    assert.equal(counter.attempts, 4);
    assert.equal(counter.failed, 0);
    assert.equal(counter.byRoute.get('GET /repos/{owner}/{repo}/deployments'), 3);
    assert.equal(counter.byRoute.get('POST /repos/{owner}/{repo}/deployments'), 1);
    assert.equal(
      describeRequests(counter),
      '4 GitHub API requests: 3 × GET /repos/{owner}/{repo}/deployments, 1 × POST /repos/{owner}/{repo}/deployments',
    );
    assert.equal(gh.requests.length, 4);
  });
});

test('two 500s are retried: one call, three HTTP attempts', async () => {
  await withFake(async (gh) => {
    const log: string[] = [];
    const { octokit, counter } = client(gh, log);
    gh.failNext({ status: 500, times: 2 });
    const { status } = await octokit.rest.repos.listDeployments({ owner: 'acme', repo: 'web' });
    assert.equal(status, 200);
    assert.equal(counter.total(), 1);
    assert.equal(counter.attempts, 3);
    assert.equal(counter.failed, 0);
    assert.match(describeRequests(counter), /^1 GitHub API request \(3 HTTP attempts\): 1 × GET/);
    assert.ok(!log.join('\n').includes(TOKEN));
  });
});

test('a non-idempotent create can opt out of retries; the failure is counted', async () => {
  await withFake(async (gh, sha) => {
    const { octokit, counter } = client(gh);
    gh.failNext({ status: 502, operationId: 'repos/create-deployment' });
    await assert.rejects(
      octokit.rest.repos.createDeployment({
        owner: 'acme',
        repo: 'web',
        ref: sha,
        environment: 'production',
        required_contexts: [],
        auto_merge: false,
        request: { retries: 0 },
      }),
      (error: { status?: number }) => error.status === 502,
    );
    assert.equal(counter.attempts, 1);
    assert.equal(counter.failed, 1);
    assert.match(describeRequests(counter), /^1 GitHub API request, 1 failed: /);
  });
});

test('a 4xx is not retried', async () => {
  await withFake(async (gh) => {
    const { octokit, counter } = client(gh);
    await assert.rejects(
      octokit.rest.repos.getDeployment({ owner: 'acme', repo: 'web', deployment_id: 424242 }),
    );
    assert.equal(counter.attempts, 1);
    assert.equal(counter.failed, 1);
  });
});

test('a secondary rate limit is waited out and retried, and logged without the token', async () => {
  await withFake(async (gh) => {
    const log: string[] = [];
    const { octokit, counter } = client(gh, log);
    gh.failNext({ status: 403, secondaryRateLimit: true, retryAfterSeconds: 0 });
    const started = Date.now();
    const { status } = await octokit.rest.repos.listDeployments({ owner: 'acme', repo: 'web' });
    assert.equal(status, 200);
    assert.ok(Date.now() - started < 5000);
    assert.equal(counter.total(), 1);
    assert.equal(counter.attempts, 2);
    assert.ok(
      log.some((m) => /secondary rate limit .*retrying/.test(m)),
      log.join('\n'),
    );
    assert.ok(!log.join('\n').includes(TOKEN));
  });
});

test('a rate-limit wait longer than the run accepts is given up', async () => {
  await withFake(async (gh) => {
    const log: string[] = [];
    const { octokit, counter } = createGitHubClient({
      token: TOKEN,
      baseUrl: gh.url,
      retryBaseMs: 10,
      writeIntervalMs: 0,
      maxRateLimitWaitS: 5,
      log: (m) => log.push(m),
    });
    gh.failNext({ status: 403, secondaryRateLimit: true, retryAfterSeconds: 120 });
    await assert.rejects(octokit.rest.repos.listDeployments({ owner: 'acme', repo: 'web' }));
    assert.equal(counter.attempts, 1);
    assert.equal(counter.failed, 1);
    assert.ok(
      log.some((m) => /giving up \(wait 120 s/.test(m)),
      log.join('\n'),
    );
  });
});

test('describeRequests with nothing counted', () => {
  const { counter } = createGitHubClient({ token: TOKEN });
  assert.equal(describeRequests(counter), '0 GitHub API requests');
});
