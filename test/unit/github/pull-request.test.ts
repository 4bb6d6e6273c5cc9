// The review gate's view of a pull request, read through real Octokit from the fake GitHub (whose every REST
// request and response is checked against GitHub's OpenAPI description, and every GraphQL query against
// GitHub's GraphQL schema), then judged by the review gate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Octokit } from '@octokit/rest';
import { parse, validate } from 'graphql';
import {
  createFakeGitHub,
  fakeSha,
  type FakeGitHub,
  type SeedReviewThread,
} from '../../fake-github/index.ts';
import { githubSchema } from '../../fake-github/graphql.ts';
import { MAX_LABEL_PAGES, MAX_REVIEW_PAGES, pullRequestContext } from '../../../src/github/pull-request.ts';
import { REVIEW_THREADS_QUERY } from '../../../src/github/review-threads.ts';
import { reviewGate } from '../../../src/gates/review.ts';
import type { GateContext } from '../../../src/gates/types.ts';

const HEAD = fakeSha('head');

/** The review gate's context on the head commit, with no changed files: only the pull request is judged. */
function gateContext(pullRequest: GateContext['pullRequest']): GateContext {
  return {
    cwd: process.cwd(),
    headSha: HEAD,
    changedFiles: async () => [],
    signal: new AbortController().signal,
    log: () => {},
    env: process.env,
    pullRequest,
  };
}

async function verdictFor(
  reviews: Array<{ user: string; state: 'APPROVED' | 'CHANGES_REQUESTED'; commitId?: string }>,
  options: {
    reviewThreads?: SeedReviewThread[];
    /** The pull request the gate asks about (default 3, the seeded one). */
    number?: number;
    before?: (gh: FakeGitHub) => void;
    after?: (gh: FakeGitHub) => void;
  } = {},
) {
  const gh = await createFakeGitHub();
  try {
    gh.seedRepo({
      owner: 'acme',
      repo: 'web',
      collaborators: { alice: 'write', bob: 'write' },
      pulls: [{ number: 3, head: HEAD, user: 'carol', reviews, reviewThreads: options.reviewThreads ?? [] }],
    });
    options.before?.(gh);
    const octokit = new Octokit({ baseUrl: gh.url, auth: 'test-token', request: { retries: 0 } });
    const ctx = gateContext(
      pullRequestContext(octokit.rest, (q, v) => octokit.graphql(q, v), {
        owner: 'acme',
        repo: 'web',
        number: options.number ?? 3,
      }),
    );
    const verdict = await reviewGate.run(reviewGate.schema.parse({ approval: 'required' }), ctx);
    (options.after ?? ((fake) => fake.assertNoViolations()))(gh);
    return verdict;
  } finally {
    await gh.stop();
  }
}

test('an approval on the head commit passes the review gate', async () => {
  const verdict = await verdictFor([{ user: 'alice', state: 'APPROVED', commitId: HEAD }]);
  assert.equal(verdict.status, 'pass', verdict.summary);
});

test('changes requested, or no approval at all, block the review gate', async () => {
  const requested = await verdictFor([
    { user: 'alice', state: 'APPROVED', commitId: HEAD },
    { user: 'bob', state: 'CHANGES_REQUESTED', commitId: HEAD },
  ]);
  assert.equal(requested.status, 'block', requested.summary);
  const none = await verdictFor([]);
  assert.equal(none.status, 'block', none.summary);
});

test('a review by someone who is not of the repository neither approves nor holds the deployment', async () => {
  const stranger = await verdictFor([{ user: 'mallory', state: 'APPROVED', commitId: HEAD }]);
  assert.equal(stranger.status, 'block', stranger.summary);
  assert.match(
    stranger.summary,
    /0 approval\(s\) on the head commit, 1 needed \(approved by mallory, who is not an owner, member or collaborator of the repository\)/,
  );
  const veto = await verdictFor([
    { user: 'alice', state: 'APPROVED', commitId: HEAD },
    { user: 'mallory', state: 'CHANGES_REQUESTED', commitId: HEAD },
  ]);
  assert.equal(veto.status, 'pass', veto.summary);
});

test("the review threads query is valid against GitHub's GraphQL schema", () => {
  assert.deepEqual(
    validate(githubSchema(), parse(REVIEW_THREADS_QUERY)).map((e) => e.message),
    [],
  );
});

test('unresolved review threads, on every page, block an approved pull request; resolved ones do not', async () => {
  const approved = [{ user: 'alice', state: 'APPROVED' as const, commitId: HEAD }];
  // 130 threads: two pages of GitHub's 100; three unresolved, one of them on the second page and outdated.
  const threads: SeedReviewThread[] = Array.from({ length: 130 }, (_, i) => ({
    path: `src/f${i}.ts`,
    line: i + 1,
    resolved: true,
    author: 'bob',
  }));
  threads[5] = { path: 'src/pay.ts', line: 12, author: 'bob' };
  threads[60] = { path: 'src/auth.ts', line: null, author: null };
  threads[120] = { path: 'src/old.ts', line: null, outdated: true, author: 'alice' };
  let requests = 0;
  const verdict = await verdictFor(approved, {
    reviewThreads: threads,
    after: (gh) => {
      gh.assertNoViolations();
      requests = gh.requestsFor('graphql').length;
    },
  });
  assert.equal(requests, 2, 'two pages of 100');
  assert.equal(verdict.status, 'block', verdict.summary);
  assert.deepEqual(
    verdict.findings.map((f) => [f.rule, f.path, f.line]),
    [
      ['review.unresolved-thread', 'src/pay.ts', 12],
      ['review.unresolved-thread', 'src/auth.ts', undefined],
      ['review.unresolved-thread', undefined, undefined],
    ],
  );
  assert.match(
    verdict.findings[0]!.message,
    /^pull request #3: unresolved review thread on src\/pay\.ts:12 started by bob: http:\/\/.+\/acme\/web\/pull\/3#discussion_r\d+$/,
  );
  assert.match(verdict.findings[1]!.message, /on src\/auth\.ts started by a deleted account/);
  assert.match(
    verdict.findings[2]!.message,
    /unresolved outdated review thread on src\/old\.ts started by alice \(outdated/,
  );

  const resolved = await verdictFor(approved, {
    reviewThreads: threads.map((t) => ({ ...t, resolved: true })),
  });
  assert.equal(resolved.status, 'pass', resolved.summary);
  assert.deepEqual(resolved.findings, []);
});

test("threads GitHub will not give block, with GitHub's reason", async () => {
  const approved = [{ user: 'alice', state: 'APPROVED' as const, commitId: HEAD }];
  // GitHub answers an error for a pull request number it does not know (the approval check fails first on REST).
  const missing = await verdictFor([], { number: 99, after: () => {} });
  const unknown = missing.findings.find((f) => f.rule === 'review.threads-unknown');
  assert.equal(unknown?.severity, 'error');
  assert.match(
    unknown!.message,
    /cannot read the review threads of pull request #99 .*Could not resolve to a PullRequest with the number of 99/,
  );
  // A token without the permission: GitHub refuses the request.
  const refused = await verdictFor(approved, {
    before: (gh) =>
      gh.failNext({ status: 403, operationId: 'graphql', message: 'Resource not accessible by integration' }),
    after: () => {},
  });
  assert.equal(refused.status, 'block');
  assert.deepEqual(
    refused.findings.map((f) => f.rule),
    ['review.threads-unknown'],
  );
  assert.match(refused.findings[0]!.message, /Resource not accessible by integration/);
});

test('a pull request whose reviews never stop coming is read to a bound, and the approval is not decided', async () => {
  let pages = 0;
  const review = { user: { login: 'alice' }, state: 'APPROVED', commit_id: HEAD };
  const endless = {
    issues: { listLabelsOnIssue: async () => ({ data: [] }) },
    pulls: {
      // Every page full: a proxy or an API answering the same page whatever is asked.
      listReviews: async () => {
        pages++;
        return { data: Array.from({ length: 100 }, () => review) };
      },
    },
  };
  const ctx = gateContext(
    pullRequestContext(endless, async () => ({}), { owner: 'acme', repo: 'web', number: 3 }),
  );
  const verdict = await reviewGate.run(
    reviewGate.schema.parse({ approval: 'required', unresolved_threads: 'off' }),
    ctx,
  );
  assert.equal(pages, MAX_REVIEW_PAGES);
  const unknown = verdict.findings.find((f) => f.rule === 'review.approval-unknown');
  assert.ok(unknown, JSON.stringify(verdict.findings));
  assert.match(unknown.message, /more than 3000 reviews.*at most 30 pages of 100/);
  assert.equal(verdict.status, 'block');
});

test('labels that never stop coming are read to a bound, and the read fails rather than answer a part', async () => {
  let pages = 0;
  const endless = {
    issues: {
      listLabelsOnIssue: async () => {
        pages++;
        return { data: Array.from({ length: 100 }, (_, i) => ({ name: `area-${i}` })) };
      },
    },
    pulls: { listReviews: async () => ({ data: [] }) },
  };
  const pr = pullRequestContext(endless, async () => ({}), { owner: 'acme', repo: 'web', number: 3 });
  await assert.rejects(pr.labels(), /more than 300 labels, and the check reads at most 3 pages of 100/);
  assert.equal(pages, MAX_LABEL_PAGES);
});
