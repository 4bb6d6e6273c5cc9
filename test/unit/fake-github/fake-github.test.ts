import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Octokit } from '@octokit/rest';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { createFakeGitHub, fakeSha } from '../../fake-github/index.ts';
import type { FakeGitHub } from '../../fake-github/index.ts';

const HEAD = fakeSha('pr-7-head');
const owner = 'acme';
const repo = 'web';

async function seeded(): Promise<{ gh: FakeGitHub; octokit: Octokit }> {
  const gh = await createFakeGitHub();
  gh.seedRepo({
    owner,
    repo,
    files: { '.github/deploy.yml': 'service: web\n' },
    collaborators: { alice: 'write', tess: 'triage' },
    teams: { sre: ['bob'] },
    pulls: [{ number: 7, head: HEAD, user: 'carol', reviews: [{ user: 'alice', state: 'APPROVED' }] }],
  });
  return { gh, octokit: new Octokit({ baseUrl: gh.url, auth: 'test-token' }) };
}

async function rejection(p: Promise<unknown>): Promise<{ status: number; message: string }> {
  try {
    await p;
  } catch (error) {
    return error as { status: number; message: string };
  }
  throw new Error('expected the request to fail');
}

test('a deployment + statuses + check run + comment flow works, is recorded and stays on-schema', async () => {
  const { gh, octokit } = await seeded();
  try {
    const started = performance.now();
    const { data: config } = await octokit.rest.repos.getContent({ owner, repo, path: '.github/deploy.yml' });
    assert.ok(!Array.isArray(config) && config.type === 'file');
    assert.equal(Buffer.from(config.content, 'base64').toString(), 'service: web\n');

    const { data: deployment } = await octokit.rest.repos.createDeployment({
      owner,
      repo,
      ref: HEAD,
      environment: 'staging',
      required_contexts: [],
      auto_merge: false,
    });
    assert.ok('id' in deployment);
    assert.equal(deployment.sha, HEAD);
    for (const state of ['queued', 'in_progress', 'success'] as const) {
      await octokit.rest.repos.createDeploymentStatus({
        owner,
        repo,
        deployment_id: deployment.id,
        state,
        log_url: `${gh.url}/runs/1`,
        environment_url: 'https://staging.example.com',
        description: `deploy ${state}`,
      });
    }
    const { data: statuses } = await octokit.rest.repos.listDeploymentStatuses({
      owner,
      repo,
      deployment_id: deployment.id,
    });
    assert.deepEqual(
      statuses.map((s) => s.state),
      ['success', 'in_progress', 'queued'],
    );
    assert.equal(statuses[0]!.environment_url, 'https://staging.example.com');
    const { data: listed } = await octokit.rest.repos.listDeployments({
      owner,
      repo,
      environment: 'staging',
      sha: HEAD,
    });
    assert.deepEqual(
      listed.map((d) => d.id),
      [deployment.id],
    );
    assert.equal(
      (await octokit.rest.repos.listDeployments({ owner, repo, environment: 'production' })).data.length,
      0,
    );

    const { data: run } = await octokit.rest.checks.create({
      owner,
      repo,
      name: 'gate: tests',
      head_sha: HEAD,
      status: 'in_progress',
    });
    const annotation = {
      path: 'src/a.ts',
      start_line: 1,
      end_line: 1,
      annotation_level: 'failure' as const,
      message: 'x',
    };
    await octokit.rest.checks.update({
      owner,
      repo,
      check_run_id: run.id,
      conclusion: 'failure',
      output: { title: 'tests', summary: '1 failed', annotations: Array(50).fill(annotation) },
    });
    const { data: updated } = await octokit.rest.checks.update({
      owner,
      repo,
      check_run_id: run.id,
      output: { title: 'tests', summary: '1 failed', annotations: [annotation] },
    });
    assert.equal(updated.status, 'completed');
    assert.equal(updated.output.annotations_count, 51, 'annotations append across updates');
    const { data: forRef } = await octokit.rest.checks.listForRef({ owner, repo, ref: HEAD });
    assert.equal(forRef.total_count, 1);

    const { data: comment } = await octokit.rest.issues.createComment({
      owner,
      repo,
      issue_number: 7,
      body: 'v1',
    });
    assert.equal(comment.user?.login, 'github-actions[bot]');
    await octokit.rest.issues.updateComment({ owner, repo, comment_id: comment.id, body: 'v2' });
    await octokit.rest.reactions.createForIssueComment({
      owner,
      repo,
      comment_id: comment.id,
      content: 'rocket',
    });
    const { data: comments } = await octokit.rest.issues.listComments({ owner, repo, issue_number: 7 });
    assert.deepEqual(
      comments.map((c) => c.body),
      ['v2'],
    );

    const { data: perm } = await octokit.rest.repos.getCollaboratorPermissionLevel({
      owner,
      repo,
      username: 'tess',
    });
    assert.deepEqual([perm.permission, perm.role_name], ['read', 'triage']);
    const { data: team } = await octokit.rest.teams.getMembershipForUserInOrg({
      org: owner,
      team_slug: 'sre',
      username: 'bob',
    });
    assert.equal(team.state, 'active');
    const notMember = await rejection(
      octokit.rest.teams.getMembershipForUserInOrg({ org: owner, team_slug: 'sre', username: 'alice' }),
    );
    assert.equal(notMember.status, 404);
    const { data: reviews } = await octokit.rest.pulls.listReviews({ owner, repo, pull_number: 7 });
    assert.deepEqual(
      reviews.map((r) => [r.user?.login, r.state, r.commit_id]),
      [['alice', 'APPROVED', HEAD]],
    );
    console.log(
      `fake-github flow: ${Math.round(performance.now() - started)} ms (includes lazy schema compiles)`,
    );

    assert.equal(gh.requestsFor('repos/create-deployment-status').length, 3);
    const created = gh.requestsFor('repos/create-deployment')[0]!;
    assert.equal(created.status, 201);
    assert.equal(created.auth, 'token');
    assert.ok(!JSON.stringify(gh.requests).includes('test-token'), 'credentials are never recorded');
    gh.assertNoViolations();
  } finally {
    await gh.stop();
  }
});

test('an off-schema body is answered 422 and recorded as a violation naming the field', async () => {
  const { gh, octokit } = await seeded();
  try {
    const bad = await rejection(
      octokit.request('POST /repos/{owner}/{repo}/check-runs', {
        owner,
        repo,
        name: 'x',
        head_sha: HEAD,
        conclusion: 'green' as 'success', // deliberately off-schema
      }),
    );
    assert.equal(bad.status, 422);
    const { data: deployment } = await octokit.rest.repos.createDeployment({
      owner,
      repo,
      ref: HEAD,
      environment: 'staging',
      required_contexts: [],
    });
    assert.ok('id' in deployment);
    await rejection(
      octokit.request('POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', {
        owner,
        repo,
        deployment_id: deployment.id,
        state: 'success',
        description: 42 as unknown as string, // deliberately off-schema
      }),
    );
    await rejection(
      octokit.request('POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', {
        owner,
        repo,
        deployment_id: deployment.id,
        state: 'success',
        description: 'x'.repeat(141),
      }),
    );
    await rejection(
      octokit.request('POST /repos/{owner}/{repo}/deployments', {
        owner,
        repo,
        ref: HEAD,
        enviroment: 'typo',
      }),
    );
    const messages = gh.violations.map((v) => `${v.kind}: ${v.message}`);
    assert.match(
      messages[0]!,
      /invalid-request: body\/conclusion must be equal to one of the allowed values.*success/,
    );
    assert.match(messages[1]!, /invalid-request: body\/description must be string/);
    assert.match(messages[2]!, /github-rule: .*141 characters; GitHub allows at most 140/);
    assert.match(messages[3]!, /unknown property 'enviroment'/);
    assert.equal(messages.length, 4);
    assert.throws(() => gh.assertNoViolations(), /4 violation\(s\)[\s\S]*checks\/create/);
  } finally {
    await gh.stop();
  }
});

test('an endpoint that is not in the OpenAPI description is a 404 and a violation', async () => {
  const { gh, octokit } = await seeded();
  try {
    const err = await rejection(octokit.request('GET /repos/{owner}/{repo}/deploymentz', { owner, repo }));
    assert.equal(err.status, 404);
    assert.equal(gh.violations[0]?.kind, 'unknown-endpoint');
    assert.match(gh.violations[0]!.message, /GET \/repos\/acme\/web\/deploymentz is not in GitHub's OpenAPI/);
  } finally {
    await gh.stop();
  }
});

test('more than 50 annotations in one request is a violation', async () => {
  const { gh, octokit } = await seeded();
  try {
    const annotation = {
      path: 'a.ts',
      start_line: 1,
      end_line: 1,
      annotation_level: 'warning' as const,
      message: 'w',
    };
    const err = await rejection(
      octokit.rest.checks.create({
        owner,
        repo,
        name: 'lint',
        head_sha: HEAD,
        output: { title: 't', summary: 's', annotations: Array(51).fill(annotation) },
      }),
    );
    assert.equal(err.status, 422);
    assert.match(gh.violations[0]!.message, /body\/output\/annotations must NOT have more than 50 items/);
  } finally {
    await gh.stop();
  }
});

test('creating a ref is atomic: of two concurrent creates exactly one wins, the other gets 422', async () => {
  const { gh, octokit } = await seeded();
  try {
    const sha = gh.repo().refs.get('heads/main')!;
    const create = () =>
      octokit.rest.git.createRef({ owner, repo, ref: 'refs/deploy-locks/production', sha });
    const results = await Promise.allSettled([create(), create()]);
    const statuses = results.map((r) =>
      r.status === 'fulfilled' ? r.value.status : (r.reason as { status: number }).status,
    );
    assert.deepEqual(statuses.sort(), [201, 422]);
    const loser = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    assert.match((loser.reason as Error).message, /Reference already exists/);
    await octokit.rest.git.deleteRef({ owner, repo, ref: 'deploy-locks/production' });
    assert.equal((await create()).status, 201, 'the lock can be taken again once released');
    gh.assertNoViolations();
  } finally {
    await gh.stop();
  }
});

test('tags: matching-refs answers every ref at once; annotated tags and tags of tags are read to their commit', async () => {
  const { gh, octokit } = await seeded();
  try {
    // More than one page of any paginated list: matching-refs takes no page or per_page, so it answers all.
    for (let i = 0; i < 40; i++) gh.addTag(`v1.${i}`, HEAD);
    const twice = gh.addTag('v2.0', HEAD, { annotated: 2 });
    const listed = await octokit.rest.git.listMatchingRefs({ owner, repo, ref: 'tags/v' });
    assert.equal(listed.data.length, 41);
    assert.equal(listed.headers.link, undefined);
    const ref = listed.data.find((r) => r.ref === 'refs/tags/v2.0')!;
    assert.deepEqual([ref.object.type, ref.object.sha], ['tag', twice]);
    const outer = await octokit.rest.git.getTag({ owner, repo, tag_sha: twice });
    assert.equal(outer.data.object.type, 'tag');
    const inner = await octokit.rest.git.getTag({ owner, repo, tag_sha: outer.data.object.sha });
    assert.deepEqual(inner.data.object, { ...inner.data.object, type: 'commit', sha: HEAD });
    // A tag of a tag resolves to its commit where a ref is read as one (GET a commit by tag name).
    const { data: commit } = await octokit.rest.repos.getCommit({ owner, repo, ref: 'v2.0' });
    assert.equal(commit.sha, HEAD);
    gh.assertNoViolations();
  } finally {
    await gh.stop();
  }
});

test('failNext 500s are retried by @octokit/plugin-retry; setDown is a sustained outage', async () => {
  const gh = await createFakeGitHub();
  gh.seedRepo({ owner, repo });
  try {
    const RetryingOctokit = Octokit.plugin(retry);
    const octokit = new RetryingOctokit({ baseUrl: gh.url, auth: 't', retry: { retryAfterBaseValue: 1 } });
    gh.failNext({ status: 502, times: 2 });
    const { data } = await octokit.rest.repos.get({ owner, repo });
    assert.equal(data.full_name, 'acme/web');
    assert.deepEqual(
      gh.requestsFor('repos/get').map((r) => [r.status, r.injected]),
      [
        [502, true],
        [502, true],
        [200, false],
      ],
    );
    gh.setDown(true);
    const err = await rejection(octokit.rest.repos.get({ owner, repo, request: { retries: 1 } }));
    assert.equal(err.status, 503);
    gh.setDown(false);
    assert.equal((await octokit.rest.repos.get({ owner, repo })).status, 200);
    gh.assertNoViolations();
  } finally {
    await gh.stop();
  }
});

test('403 rate limits (primary and secondary) are waited out by @octokit/plugin-throttling', async () => {
  const gh = await createFakeGitHub();
  gh.seedRepo({ owner, repo });
  try {
    const seen: string[] = [];
    const ThrottledOctokit = Octokit.plugin(throttling);
    const octokit = new ThrottledOctokit({
      baseUrl: gh.url,
      auth: 't',
      throttle: {
        retryAfterBaseValue: 1,
        onRateLimit: (after: number, _o: unknown, _k: unknown, count: number) => {
          seen.push(`primary:${after}`);
          return count < 2;
        },
        onSecondaryRateLimit: (after: number, _o: unknown, _k: unknown, count: number) => {
          seen.push(`secondary:${after}`);
          return count < 2;
        },
      },
    });
    gh.failNext({ status: 403, rateLimit: true });
    assert.equal((await octokit.rest.repos.get({ owner, repo })).status, 200);
    gh.failNext({ status: 403, secondaryRateLimit: true, retryAfterSeconds: 3 });
    assert.equal((await octokit.rest.repos.get({ owner, repo })).status, 200);
    assert.equal(seen.length, 2);
    assert.match(seen[0]!, /^primary:[1-3]$/);
    assert.equal(seen[1], 'secondary:3');
    const limited = gh.requestsFor('repos/get')[0]!;
    assert.equal(limited.status, 403);
    gh.assertNoViolations();
  } finally {
    await gh.stop();
  }
});

test('failNext rejects a nonsensical count', async () => {
  const gh = await createFakeGitHub();
  try {
    assert.throws(() => gh.failNext({ status: 500, times: 0 }), /times must be a positive integer, got 0/);
  } finally {
    await gh.stop();
  }
});

test('review threads page as GitHub pages them; GitHub limits and unread fields are caught', async () => {
  const { gh, octokit } = await seeded();
  try {
    for (let i = 0; i < 5; i++)
      gh.addReviewThread(7, { path: `src/f${i}.ts`, line: i + 1, resolved: i % 2 === 0, author: 'alice' });
    const query = `query($after: String, $first: Int!) { repository(owner: "acme", name: "web") {
      pullRequest(number: 7) { reviewThreads(first: $first, after: $after) {
        pageInfo { hasNextPage endCursor } nodes { path isResolved } } } } }`;
    type Page = {
      repository: {
        pullRequest: {
          reviewThreads: {
            pageInfo: { hasNextPage: boolean; endCursor: string | null };
            nodes: Array<{ path: string; isResolved: boolean }>;
          };
        };
      };
    };
    const paths: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 5; page++) {
      const answer: Page = await octokit.graphql<Page>(query, { after, first: 2 });
      const { nodes, pageInfo } = answer.repository.pullRequest.reviewThreads;
      paths.push(...nodes.map((n) => `${n.path}:${n.isResolved}`));
      if (!pageInfo.hasNextPage) break;
      after = pageInfo.endCursor;
    }
    assert.deepEqual(paths, [
      'src/f0.ts:true',
      'src/f1.ts:false',
      'src/f2.ts:true',
      'src/f3.ts:false',
      'src/f4.ts:true',
    ]);
    assert.equal(gh.requestsFor('graphql').length, 3);
    gh.assertNoViolations();
    // More than 100 a page is GitHub's error, and a field the fake does not hold (a comment's body) is reported.
    await assert.rejects(
      octokit.graphql(query, { after: null, first: 101 }),
      /exceeds the `first` limit of 100/,
    );
    // body is non-null on GitHub: the fake's null for it is an execution error too.
    await assert.rejects(
      octokit.graphql(`query { repository(owner: "acme", name: "web") { pullRequest(number: 7) {
      reviewThreads(first: 1) { nodes { comments(first: 1) { nodes { body } } } } } } }`),
    );
    assert.deepEqual(
      gh.violations.map((v) => [v.kind, v.message]),
      [
        [
          'github-rule',
          'Requesting 101 records on the `reviewThreads` connection exceeds the `first` limit of 100 records.',
        ],
        ['unimplemented', 'the fake does not resolve PullRequestReviewComment.body (answered null)'],
        [
          'invalid-request',
          'GraphQL execution error: Cannot return null for non-nullable field PullRequestReviewComment.body.',
        ],
      ],
    );
  } finally {
    await gh.stop();
  }
});

test('holdUntil: the held requests are carried out only once all of them have arrived, in any of the operations', async () => {
  const { gh, octokit } = await seeded();
  try {
    gh.holdUntil({ operationId: ['issues/list-comments', 'git/create-ref'], count: 2 });
    const order: string[] = [];
    const listed = octokit.rest.issues
      .listComments({ owner, repo, issue_number: 7 })
      .then((r) => order.push(`listed ${r.data.length}`));
    // Not held: answered while the list waits.
    await octokit.rest.issues.createComment({ owner, repo, issue_number: 7, body: 'meanwhile' });
    order.push('commented');
    await Promise.all([
      listed,
      octokit.rest.git
        .createRef({ owner, repo, ref: 'refs/claims/one', sha: HEAD })
        .then(() => order.push('claimed')),
    ]);
    // The list was carried out after the comment it was held past.
    assert.deepEqual(order.slice(0, 1), ['commented']);
    assert.ok(order.includes('listed 1'), order.join(', '));
    assert.ok(order.includes('claimed'));
    // Released: the next request is not held.
    const { data } = await octokit.rest.issues.listComments({ owner, repo, issue_number: 7 });
    assert.equal(data.length, 1);
    assert.throws(() => gh.holdUntil({ operationId: 'git/create-ref', count: 1 }), /count must be/);
  } finally {
    await gh.stop();
  }
});
