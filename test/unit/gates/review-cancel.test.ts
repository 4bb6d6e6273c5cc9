// The review gate's GitHub reads end with the gate: a gate that times out or is cancelled passes its signal
// to every request it made (an Octokit request aborts on it) and asks for no further page once it is aborted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runGates } from '../../../src/gates/runner.ts';
import { reviewGate } from '../../../src/gates/review.ts';
import { pullRequestContext, type ReviewsApi } from '../../../src/github/pull-request.ts';
import type { GraphqlFn } from '../../../src/github/review-threads.ts';
import type { GateContext } from '../../../src/gates/types.ts';

type ReviewsParams = Parameters<ReviewsApi['pulls']['listReviews']>[0];

/** A request that never answers by itself: it rejects when its signal aborts, as Octokit's does. */
function hanging(signal: AbortSignal | undefined): Promise<never> {
  return new Promise((_resolve, reject) =>
    signal?.addEventListener('abort', () => reject(signal.reason), { once: true }),
  );
}

const WHERE = { owner: 'acme', repo: 'web', number: 3 };
const NO_LABELS: ReviewsApi['issues'] = { listLabelsOnIssue: async () => ({ data: [] }) };
const PAGE_OF_REVIEWS = Array.from({ length: 100 }, (_, i) => ({
  user: { login: `u${i}` },
  state: 'COMMENTED',
  commit_id: 'abc',
}));
const PAGE_OF_THREADS = {
  repository: {
    pullRequest: {
      reviewThreads: {
        pageInfo: { hasNextPage: true, endCursor: 'next' },
        nodes: [{ isResolved: true, isOutdated: false, path: 'a.ts', line: 1, comments: { nodes: [] } }],
      },
    },
  },
};

async function runReviewGate(
  pullRequest: NonNullable<GateContext['pullRequest']>,
  options: { timeoutMs?: number; signal?: AbortSignal; config?: object; baseRef?: string } = {},
) {
  const ctx: Omit<GateContext, 'signal'> = {
    cwd: process.cwd(),
    headSha: 'abc',
    ...(options.baseRef ? { baseRef: options.baseRef } : {}),
    changedFiles: async () => [],
    log: () => {},
    env: {},
    pullRequest,
  };
  const config = reviewGate.schema.parse(options.config ?? {});
  return runGates(
    [{ name: 'review', gate: reviewGate, config, required: true, timeoutMs: options.timeoutMs ?? 0 }],
    ctx,
    { concurrency: 1, ...(options.signal ? { signal: options.signal } : {}) },
  );
}

test('a review gate that times out aborts its pending reviews and review threads requests', async () => {
  const reviewSignals: Array<AbortSignal | undefined> = [];
  const threadSignals: Array<AbortSignal | undefined> = [];
  const api: ReviewsApi = {
    issues: NO_LABELS,
    pulls: {
      listReviews: (params: ReviewsParams) => {
        reviewSignals.push(params.request?.signal);
        return hanging(params.request?.signal);
      },
    },
  };
  const graphql: GraphqlFn = (_query, variables) => {
    const signal = (variables.request as { signal?: AbortSignal } | undefined)?.signal;
    threadSignals.push(signal);
    return hanging(signal);
  };
  const report = await runReviewGate(pullRequestContext(api, graphql, WHERE), { timeoutMs: 50 });
  assert.equal(report.gates[0]!.status, 'block');
  assert.match(report.gates[0]!.summary, /timed out/);
  assert.equal(reviewSignals.length, 1, 'one reviews request');
  assert.equal(threadSignals.length, 1, 'one review threads request');
  assert.equal(reviewSignals[0]?.aborted, true, 'the reviews request saw the abort');
  assert.equal(threadSignals[0]?.aborted, true, 'the review threads request saw the abort');
});

test("a review gate cancelled while its labels request is pending aborts it (the changelog rule's skip label)", async () => {
  // Cancelled once the labels request is made, not after a fixed time: the changelog rule lists the
  // repository's files with git first, which on a busy machine can take longer than any short timeout.
  const cancel = new AbortController();
  const labelSignals: Array<AbortSignal | undefined> = [];
  const api: ReviewsApi = {
    issues: {
      listLabelsOnIssue: (params) => {
        labelSignals.push(params.request?.signal);
        setTimeout(() => cancel.abort(new Error('cancelled')), 5);
        return hanging(params.request?.signal);
      },
    },
    pulls: { listReviews: async () => ({ data: [] }) },
  };
  // A change with no changelog entry, against a base: only a skip label could pass it.
  const report = await runReviewGate(
    pullRequestContext(api, async () => PAGE_OF_THREADS, WHERE),
    {
      signal: cancel.signal,
      config: { approval: 'off', unresolved_threads: 'off', changelog: 'block' },
      baseRef: 'HEAD',
    },
  );
  assert.equal(report.gates[0]!.status, 'block');
  assert.equal(labelSignals.length, 1, 'one labels request');
  assert.equal(labelSignals[0]?.aborted, true, 'the labels request saw the abort');
});

test('a cancelled review gate asks for no further page of reviews or review threads', async () => {
  const cancel = new AbortController();
  const reviewPages: number[] = [];
  let threadPages = 0;
  // Both first pages are answered only after the cancellation, as a request that ignored its signal would
  // be: each says more pages follow, and none may be asked for.
  const afterCancel = <T>(value: T) =>
    new Promise<T>((resolve) => {
      if (cancel.signal.aborted) resolve(value);
      else cancel.signal.addEventListener('abort', () => setTimeout(() => resolve(value), 5), { once: true });
    });
  const api: ReviewsApi = {
    issues: NO_LABELS,
    pulls: {
      listReviews: (params: ReviewsParams) => {
        reviewPages.push(params.page);
        return afterCancel({ data: PAGE_OF_REVIEWS });
      },
    },
  };
  const graphql: GraphqlFn = () => {
    threadPages++;
    return afterCancel(PAGE_OF_THREADS);
  };
  const pr = pullRequestContext(api, graphql, WHERE);
  const reading = runReviewGate(pr, { signal: cancel.signal });
  setTimeout(() => cancel.abort(new Error('run cancelled')), 20);
  const report = await reading;
  assert.match(report.gates[0]!.summary, /cancelled/);
  // Let the late answers arrive and any next page be asked for.
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.deepEqual(reviewPages, [1]);
  assert.equal(threadPages, 1);
});

test('the pull request reads, given an aborted signal, request nothing and throw its reason', async () => {
  let requests = 0;
  const api: ReviewsApi = {
    issues: NO_LABELS,
    pulls: { listReviews: async () => (requests++, { data: [] }) },
  };
  const pr = pullRequestContext(api, async () => (requests++, PAGE_OF_THREADS), WHERE);
  const reason = new Error('gate cancelled');
  const signal = AbortSignal.abort(reason);
  await assert.rejects(pr.reviews(signal), reason);
  await assert.rejects(pr.reviewThreads(signal), reason);
  await assert.rejects(pr.labels(signal), reason);
  assert.equal(requests, 0);
});

test("through the run's GitHub client, a timed-out review gate closes its connections, and GitHub is not judged down", async () => {
  const { createServer } = await import('node:http');
  const { createGitHubClient } = await import('../../../src/github/client.ts');
  const open = new Set<string>();
  const closed: string[] = [];
  // A GitHub that never answers: each request stays open until the client gives up on it.
  const server = createServer((req) => {
    const what = `${req.method} ${req.url}`;
    open.add(what);
    req.socket.on('close', () => (open.delete(what), closed.push(what)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as { port: number };
    const { octokit, budget, counter } = createGitHubClient({
      token: 'test-token',
      baseUrl: `http://127.0.0.1:${port}`,
      retryBaseMs: 10,
    });
    const pr = pullRequestContext(octokit.rest, (q, v) => octokit.graphql(q, v), WHERE);
    // Long enough for both requests to reach the server on a busy machine (it never answers either).
    const report = await runReviewGate(pr, { timeoutMs: 1500 });
    assert.match(report.gates[0]!.summary, /timed out/);
    for (let i = 0; i < 100 && open.size > 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual([...open], [], 'no request left open');
    assert.equal(closed.length, 2, `the reviews and review threads requests: ${closed.join(', ')}`);
    // The gate gave up on them, not GitHub: nothing retried, nothing charged to the run's budget.
    assert.equal(counter.attempts, 2);
    assert.equal(budget.failures(), 0);
    assert.ok(budget.verdict().ok);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});
