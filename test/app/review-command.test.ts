// A command written in a pull request review (its body) or in a comment on the diff is not read (README, The
// GitHub App): it used to get no answer at all. Its writer is now told once, in the conversation, that nothing
// was done and where to write it; ordinary reviews, bots, edits and dismissals get nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FakeGitHub } from '../fake-github/index.ts';
import { HEAD, PR, appReplies, deployYml, withSeededApp } from './helpers.ts';
import { diffCommentPayload, receive, reviewPayload } from './delivery-helpers.ts';

const seed: Parameters<typeof withSeededApp>[0] = {
  config: deployYml(`
  production:
    approvals:
      approvers: [carol]
      required: 1
`),
  collaborators: { alice: 'write', carol: 'write' },
  pulls: [{ number: PR, head: HEAD, user: 'bob' }],
};

const review = (fake: FakeGitHub, o: Omit<Parameters<typeof reviewPayload>[1], 'pr'>) =>
  reviewPayload(fake, { ...o, pr: PR });
const diffComment = (fake: FakeGitHub, o: Omit<Parameters<typeof diffCommentPayload>[1], 'pr'>) =>
  diffCommentPayload(fake, { ...o, pr: PR });

test('a command in a review is answered once in the conversation: nothing was done, write it there', async () => {
  await withSeededApp(seed, async (fake, probot) => {
    const payload = review(fake, {
      id: 901,
      body: '/approve-deploy production\nLooks good.',
      login: 'carol',
    });
    await receive(probot, 'pull_request_review', payload);
    // GitHub delivers it again (a redelivery): still one answer.
    await receive(probot, 'pull_request_review', payload);
    const replies = appReplies(fake);
    assert.equal(replies.length, 1, replies.join('\n---\n'));
    assert.match(
      replies[0]!,
      /^@carol: `?\/approve-deploy production`? was written in a review, where the App reads no commands: \*\*nothing was done\*\*\. Write it as a comment in the pull request’s conversation\./,
    );
    assert.equal(fake.repo().deployments.size, 0);
  });
});

test('a command in a comment on the diff is answered too, its text shown inert', async () => {
  await withSeededApp(seed, async (fake, probot) => {
    await receive(
      probot,
      'pull_request_review_comment',
      diffComment(fake, { id: 902, body: '/deploy production @acme/sre `x`', login: 'alice' }),
    );
    const [reply] = appReplies(fake);
    assert.match(reply ?? '', /^@alice: .*\/deploy production.* was written in a comment on the diff/);
    assert.doesNotMatch(reply ?? '', /@acme\/sre/, 'no team is pinged by the echo');
    assert.equal(fake.repo().deployments.size, 0);
  });
});

test('an ordinary review, a bot, and a dismissed review get no answer', async () => {
  await withSeededApp(seed, async (fake, probot) => {
    await receive(
      probot,
      'pull_request_review',
      review(fake, { id: 903, body: 'LGTM, see /docs', login: 'carol' }),
    );
    await receive(
      probot,
      'pull_request_review',
      review(fake, { id: 904, body: '/deploy production', login: 'ci[bot]', type: 'Bot' }),
    );
    await receive(
      probot,
      'pull_request_review',
      review(fake, { id: 905, body: '/deploy production', login: 'carol', action: 'dismissed' }),
    );
    assert.deepEqual(appReplies(fake), []);
  });
});

test('two deliveries of one review handled at once (a redelivery while the first is at work) answer once', async () => {
  await withSeededApp(seed, async (fake, probot) => {
    for (const [event, payload] of [
      ['pull_request_review', review(fake, { id: 906, body: '/deploy production', login: 'carol' })],
      [
        'pull_request_review_comment',
        diffComment(fake, { id: 907, body: '/deploy production', login: 'alice' }),
      ],
    ] as const) {
      // Each delivery reads the conversation (or claims the event) only once both have got that far.
      fake.holdUntil({ operationId: ['issues/list-comments', 'git/create-ref'], count: 2 });
      const id = crypto.randomUUID();
      const deliver = () =>
        probot.receive({ id, name: event, payload } as unknown as Parameters<typeof probot.receive>[0]);
      await Promise.all([deliver(), deliver()]);
    }
    const replies = appReplies(fake);
    assert.equal(replies.length, 2, replies.join('\n---\n'));
    assert.match(replies[0]!, /^@carol: .* was written in a review/);
    assert.match(replies[1]!, /^@alice: .* was written in a comment on the diff/);
    // The claims are gone: nothing is left in the repository.
    assert.deepEqual(
      [...fake.repo().refs.keys()].filter((r) => r.startsWith('deploy-answering/')),
      [],
    );
    // A reply GitHub refuses gives the claim back: the redelivery answers.
    const third = review(fake, { id: 908, body: '/deploy production', login: 'carol' });
    fake.failNext({
      status: 403,
      operationId: 'issues/create-comment',
      message: 'Resource not accessible by integration',
    });
    await assert.rejects(receive(probot, 'pull_request_review', third));
    assert.equal(appReplies(fake).length, 2);
    await receive(probot, 'pull_request_review', third);
    assert.equal(appReplies(fake).length, 3, 'answered by the redelivery');
    assert.deepEqual(
      [...fake.repo().refs.keys()].filter((r) => r.startsWith('deploy-answering/')),
      [],
    );
    // A redelivery later still finds the answer.
    await receive(
      probot,
      'pull_request_review',
      review(fake, { id: 906, body: '/deploy production', login: 'carol' }),
    );
    assert.equal(appReplies(fake).length, 3);
  });
});
