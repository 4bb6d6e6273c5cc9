// A comment another GitHub App posted on a person's behalf (performed_via_github_app set, the author a User:
// the app used a token the person authorized once) is not that person typing a command: it is refused with
// posted_via_app and nothing is done with their authority.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HEAD, PR, appReplies, commentOnPull, deployYml, seededApp } from './helpers.ts';
import { receive } from './delivery-helpers.ts';

const CONFIG = deployYml(`
  staging: {}
`);

test('a /deploy posted by another app on a deployer’s behalf is refused (posted_via_app); typed by them it deploys', async () => {
  const { fake, probot } = await seededApp({
    config: CONFIG,
    pulls: [{ number: PR, head: HEAD, user: 'alice' }],
    app: { now: () => new Date('2026-12-01T09:00:00Z') },
  });
  try {
    const deployments = () => [...fake.repo().deployments.values()];
    const via = commentOnPull(fake, '/deploy staging', { user: 'alice' });
    const comment = via.payload.comment as Record<string, unknown>;
    comment.performed_via_github_app = {
      ...(comment.performed_via_github_app as Record<string, unknown> | null),
      id: 4242,
      slug: 'chat-ops',
      name: 'Chat @everyone Ops',
    };
    // Delivered twice (a redelivery): answered once.
    for (let i = 0; i < 2; i++) await receive(probot, 'issue_comment', via.payload);
    assert.equal(deployments().length, 0, 'nothing deployed with alice’s authority');
    const refusals = appReplies(fake).filter((r) => r.includes('`posted_via_app`'));
    assert.equal(refusals.length, 1, appReplies(fake).join('\n---\n'));
    assert.match(refusals[0]!, /posted for @alice by the GitHub App Chat @\u200Deveryone Ops \(`chat-ops`\)/);

    const typed = commentOnPull(fake, '/deploy staging', { user: 'alice' });
    await receive(probot, 'issue_comment', typed.payload);
    assert.equal(deployments().length, 1, 'the same command typed by alice deploys');
    fake.assertNoViolations();
  } finally {
    await fake.stop();
  }
});
