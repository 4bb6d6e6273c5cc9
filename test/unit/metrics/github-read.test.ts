// The metrics' GraphQL reading against the fake GitHub, whose /graphql validates every query against GitHub's
// real GraphQL schema: the query is valid, the facts come back as made through the REST API, the request
// count stays bounded, and a query GitHub would refuse is refused (so the check can fail).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse, validate } from 'graphql';
import { githubSchema } from '../../fake-github/graphql.ts';
import {
  DEPLOYMENTS_QUERY,
  MetricsReadError,
  PAGE_SIZE,
  readDeploymentFacts,
  type GraphqlFn,
} from '../../../src/metrics/github-read.ts';
import { computeMetrics } from '../../../src/metrics/compute.ts';
import {
  DAY,
  HOUR,
  historyFake,
  makeHistory,
  OWNER,
  REPO,
  type PlannedDeployment,
} from '../../helpers/deployment-history.ts';

const T0 = Date.parse('2026-06-01T00:00:00Z');
const gql =
  (h: Awaited<ReturnType<typeof historyFake>>): GraphqlFn =>
  (q, v) =>
    h.octokit.graphql(q, v);

test("the metrics query is valid against GitHub's GraphQL schema", () => {
  assert.deepEqual(
    validate(githubSchema(), parse(DEPLOYMENTS_QUERY)).map((e) => e.message),
    [],
  );
});

test('deployments, their statuses and the first commit of their pull request come back as made', async () => {
  const h = await historyFake(T0);
  try {
    const plan: PlannedDeployment[] = [
      // A PR whose first commit is 30 h before its success.
      {
        environment: 'production',
        committedAt: T0,
        createdAt: T0 + 29 * HOUR,
        pr: 11,
        statuses: [
          { state: 'queued', at: T0 + 29 * HOUR },
          { state: 'in_progress', at: T0 + 29.5 * HOUR },
          { state: 'success', at: T0 + 30 * HOUR },
        ],
      },
      // Rolled back by the Action: a failed change.
      {
        environment: 'production',
        committedAt: T0 + 40 * HOUR,
        createdAt: T0 + 41 * HOUR,
        statuses: [
          { state: 'in_progress', at: T0 + 41 * HOUR },
          {
            state: 'failure',
            at: T0 + 42 * HOUR,
            description: 'rolled back: v0 serves again [analysis_failed] error rate 4 %',
          },
        ],
      },
      // The fix, two hours later: restores.
      {
        environment: 'production',
        committedAt: T0 + 43 * HOUR,
        createdAt: T0 + 43.5 * HOUR,
        statuses: [{ state: 'success', at: T0 + 44 * HOUR }],
      },
      // Another environment, still in progress.
      {
        environment: 'staging',
        committedAt: T0 + 44 * HOUR,
        createdAt: T0 + 45 * HOUR,
        statuses: [{ state: 'in_progress', at: T0 + 45 * HOUR }],
      },
    ];
    const ids = await makeHistory(h, plan);
    const read = await readDeploymentFacts(gql(h), { owner: OWNER, repo: REPO, since: T0 - DAY });
    assert.equal(read.requests, 1);
    assert.equal(read.truncated, false);
    const byId = new Map(read.deployments.map((d) => [d.id, d]));
    const first = byId.get(String(ids[0]))!;
    assert.equal(first.environment, 'production');
    assert.equal(first.changeAt, T0);
    assert.equal(first.changeFrom, 'pull_request');
    assert.equal(first.pullRequest, 11);
    assert.equal(first.type, 'standard');
    // The later success made it inactive, as GitHub does: that status is read too.
    assert.deepEqual(first.statuses.map((s) => s.state).sort(), [
      'in_progress',
      'inactive',
      'queued',
      'success',
    ]);
    assert.equal(byId.get(String(ids[1]))!.changeFrom, 'commit');

    const [production, staging] = computeMetrics(read.deployments, {
      since: T0 - DAY,
      until: T0 + 50 * HOUR,
    });
    assert.equal(production!.environment, 'production');
    assert.equal(production!.deployments.succeeded, 2);
    assert.equal(production!.changeFailureRate.failed, 1);
    assert.equal(production!.changeFailureRate.byCode.rolled_back, 1);
    assert.equal(production!.leadTime.count, 2);
    assert.deepEqual([production!.leadTime.medianMs, production!.leadTime.p90Ms], [HOUR, 30 * HOUR]);
    assert.equal(production!.timeToRestore.medianMs, 2 * HOUR);
    assert.equal(staging!.deployments.inProgress, 1);
    assert.equal(staging!.changeFailureRate.rate, null);
    h.fake.assertNoViolations();
  } finally {
    await h.fake.stop();
  }
});

test('250 deployments: the reading stops at the window and makes at most floor(N/100) + 1 requests', async () => {
  const h = await historyFake(T0);
  try {
    // One a day-ish for 125 days in two environments.
    const plan: PlannedDeployment[] = Array.from({ length: 250 }, (_, i) => {
      const at = T0 + i * 12 * HOUR;
      return {
        environment: i % 2 ? 'staging' : 'production',
        committedAt: at,
        createdAt: at + HOUR,
        statuses: [{ state: i % 10 === 9 ? 'failure' : 'success', at: at + 2 * HOUR }],
      } satisfies PlannedDeployment;
    });
    await makeHistory(h, plan);
    const until = T0 + 250 * 12 * HOUR;
    for (const days of [30, 90, 200]) {
      const since = until - days * DAY;
      const before = h.fake.requestsFor('graphql').length;
      const read = await readDeploymentFacts(gql(h), { owner: OWNER, repo: REPO, since });
      const inWindow = plan.filter((p) => p.createdAt >= since).length;
      const bound = Math.floor(inWindow / PAGE_SIZE) + 1;
      assert.ok(
        read.requests <= bound,
        `${days}d: ${read.requests} requests for ${inWindow} deployments > ${bound}`,
      );
      assert.equal(h.fake.requestsFor('graphql').length - before, read.requests);
      assert.ok(read.deployments.filter((d) => d.createdAt >= since).length === inWindow);
    }
    // Every deployment, and the environment filter GitHub applies.
    const all = await readDeploymentFacts(gql(h), { owner: OWNER, repo: REPO, since: 0 });
    assert.equal(all.deployments.length, 250);
    assert.equal(all.requests, 3);
    const production = await readDeploymentFacts(gql(h), {
      owner: OWNER,
      repo: REPO,
      since: 0,
      environments: ['production'],
    });
    assert.equal(production.deployments.length, 125);
    assert.ok(production.deployments.every((d) => d.environment === 'production'));
    assert.equal(production.requests, 2);
    // A page limit stops early and says so.
    const capped = await readDeploymentFacts(gql(h), { owner: OWNER, repo: REPO, since: 0, maxPages: 1 });
    assert.deepEqual([capped.requests, capped.truncated, capped.deployments.length], [1, true, 100]);
    h.fake.assertNoViolations();
  } finally {
    await h.fake.stop();
  }
});

test('a query GitHub would refuse is refused by the fake and recorded as a violation', async () => {
  const h = await historyFake(T0);
  try {
    // A field the schema does not have.
    await assert.rejects(
      h.octokit.graphql(
        'query { repository(owner: "acme", name: "web") { deployments(first: 1) { nodes { buildNumber } } } }',
      ),
      /buildNumber/,
    );
    assert.equal(h.fake.violations.at(-1)?.kind, 'invalid-request');
    assert.match(h.fake.violations.at(-1)!.message, /Cannot query field "buildNumber" on type "Deployment"/);
    // A wrong argument type.
    await assert.rejects(
      h.octokit.graphql(
        'query { repository(owner: "acme", name: "web") { deployments(first: "ten") { totalCount } } }',
      ),
    );
    assert.match(h.fake.violations.at(-1)!.message, /Int cannot represent/);
    // GitHub's connection rules: first or last, at most 100.
    await assert.rejects(
      h.octokit.graphql(
        'query { repository(owner: "acme", name: "web") { deployments(first: 101) { totalCount } } }',
      ),
      /limit of 100/,
    );
    await assert.rejects(
      h.octokit.graphql('query { repository(owner: "acme", name: "web") { deployments { totalCount } } }'),
      /first.*last/,
    );
    assert.equal(h.fake.violations.filter((v) => v.kind === 'github-rule').length, 2);
    assert.throws(() => h.fake.assertNoViolations(), /violation/);
    // A repository GitHub does not have (or the token cannot see) is an error that names it.
    await assert.rejects(
      readDeploymentFacts(gql(h), { owner: OWNER, repo: 'nope', since: 0 }),
      (e: Error) => e instanceof MetricsReadError && /acme\/nope/.test(e.message),
    );
  } finally {
    await h.fake.stop();
  }
});
