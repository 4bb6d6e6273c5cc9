// The review gate's view of a pull request, read through real Octokit from the fake GitHub (whose every
// request and response is checked against GitHub's OpenAPI description), then judged by the review gate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Octokit } from '@octokit/rest';
import { createFakeGitHub, fakeSha } from '../../fake-github/index.ts';
import { pullRequestContext } from '../../../src/github/pull-request.ts';
import { reviewGate } from '../../../src/gates/review.ts';
import type { GateContext } from '../../../src/gates/types.ts';

const HEAD = fakeSha('head');

async function verdictFor(
  reviews: Array<{ user: string; state: 'APPROVED' | 'CHANGES_REQUESTED'; commitId?: string }>,
) {
  const gh = await createFakeGitHub();
  try {
    gh.seedRepo({
      owner: 'acme',
      repo: 'web',
      collaborators: { alice: 'write', bob: 'write' },
      pulls: [{ number: 3, head: HEAD, user: 'carol', reviews }],
    });
    const octokit = new Octokit({ baseUrl: gh.url, auth: 'test-token' });
    const ctx: GateContext = {
      cwd: process.cwd(),
      headSha: HEAD,
      changedFiles: async () => [],
      signal: new AbortController().signal,
      log: () => {},
      env: process.env,
      pullRequest: pullRequestContext(octokit.rest, { owner: 'acme', repo: 'web', number: 3 }),
    };
    const verdict = await reviewGate.run(reviewGate.schema.parse({ approval: 'required' }), ctx);
    gh.assertNoViolations();
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
