// The metrics read GitHub's GraphQL API in pages, each a POST. The Action's and the CLI's client never repeats
// a POST blindly (its lost answer may hide a write), but a GraphQL query writes nothing: a 502 on one page of
// thousands of deployments is repeated like a GET's, and only a mutation is never repeated.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createGitHubClient } from '../../../src/github/client.ts';
import { githubMetricsReport } from '../../../src/metrics/report.ts';
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

test('a 502 on one page of the metrics query is repeated: every deployment is counted, nothing fails', async () => {
  const h = await historyFake(T0);
  try {
    const plan: PlannedDeployment[] = Array.from({ length: 250 }, (_, i) => ({
      environment: 'production',
      committedAt: T0 + i * HOUR,
      createdAt: T0 + i * HOUR + 60_000,
      statuses: [{ state: 'success', at: T0 + i * HOUR + 120_000 }],
    }));
    await makeHistory(h, plan);
    // The product's client as the Action and the CLI make it (retries on), with short back-offs.
    const { octokit, counter } = createGitHubClient({
      token: 'test-token',
      baseUrl: h.fake.url,
      retryBaseMs: 1,
      writeIntervalMs: 0,
    });
    let graphqlSeen = 0;
    // The second page (a request half-way through the reading) answers 502 once.
    h.fake.failNext({ status: 502, where: (r) => r.operationId === 'graphql' && ++graphqlSeen === 2 });
    const report = await githubMetricsReport((q, v) => octokit.graphql(q, v), {
      owner: OWNER,
      repo: REPO,
      since: T0 - DAY,
      until: T0 + 300 * HOUR,
    });
    assert.equal(report.environments[0]!.deployments.succeeded, 250);
    assert.equal(report.requests, 3, 'three pages read');
    const sent = h.fake.requestsFor('graphql');
    assert.deepEqual(
      sent.map((r) => r.status),
      [200, 502, 200, 200],
    );
    assert.equal(counter.attempts, sent.length);
    h.fake.assertNoViolations();
  } finally {
    await h.fake.stop();
  }
});

test('a GraphQL mutation answered 502 is sent once: it may have landed', async () => {
  const h = await historyFake(T0);
  try {
    const { octokit } = createGitHubClient({
      token: 'test-token',
      baseUrl: h.fake.url,
      retryBaseMs: 1,
      writeIntervalMs: 0,
    });
    h.fake.failNext({ status: 502, where: (r) => r.operationId === 'graphql' });
    await assert.rejects(
      octokit.graphql(
        '# a comment line first\n mutation { deleteRef(input: {refId: "x"}) { clientMutationId } }',
      ),
      (error: { status?: number }) => error.status === 502,
    );
    assert.equal(h.fake.requestsFor('graphql').length, 1);
  } finally {
    await h.fake.stop();
  }
});

test('a GraphQL mutation after a fragment, or beside a query in one document, is sent once too', async () => {
  const h = await historyFake(T0);
  try {
    const { octokit } = createGitHubClient({
      token: 'test-token',
      baseUrl: h.fake.url,
      retryBaseMs: 1,
      writeIntervalMs: 0,
    });
    const documents = [
      'fragment Id on Ref { id }\nmutation { deleteRef(input: {refId: "x"}) { clientMutationId } }',
      'query Read { viewer { login } }\nmutation Write { deleteRef(input: {refId: "x"}) { clientMutationId } }',
    ];
    for (const [n, document] of documents.entries()) {
      h.fake.failNext({ status: 502, where: (r) => r.operationId === 'graphql' });
      await assert.rejects(
        octokit.graphql(document, n === 1 ? { operationName: 'Write' } : {}),
        (error: { status?: number }) => error.status === 502,
      );
      assert.equal(h.fake.requestsFor('graphql').length, n + 1, document);
    }
  } finally {
    await h.fake.stop();
  }
});
