// A deployment protection rule on a pull request with more comments than the App reads: it cannot see every
// approval and veto, so it must answer "rejected" with the reason (too_many_comments), not leave the
// deployment waiting unanswered because the handler threw.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Probot } from 'probot';
import { HEAD, PR, loadedProbot, owner, repo } from './helpers.ts';
import { createFakeGitHub, webhookPayload } from '../fake-github/index.ts';
import type { FakeGitHub } from '../fake-github/index.ts';

const CONFIG = `
target:
  commands:
    deploy: ./deploy.sh
environments:
  production:
    approvals:
      approvers: [dave, erin]
      required: 2
`;

const target = (fake: FakeGitHub) => ({
  owner,
  repo,
  baseUrl: fake.url,
  installationId: fake.state.installationId,
});

function protectionRule(fake: FakeGitHub) {
  const base = webhookPayload(
    'deployment_protection_rule',
    'requested',
    { repository: { default_branch: 'main' } },
    target(fake),
  );
  return {
    ...base,
    environment: 'production',
    event: 'pull_request',
    deployment_callback_url: `${fake.url}/repos/${owner}/${repo}/actions/runs/4711/deployment_protection_rule`,
    deployment: { ...(base.deployment as object), sha: HEAD, environment: 'production', payload: {} },
    pull_requests: [
      webhookPayload('pull_request', 'opened', {}, target(fake)).pull_request as Record<string, unknown>,
    ].map((p) => ({ ...p, number: PR })),
  };
}

test('protection rule: a PR with more comments than the App reads is rejected with too_many_comments, not left unanswered', async () => {
  const fake = await createFakeGitHub();
  fake.seedRepo({
    owner,
    repo,
    files: { '.github/deploy.yml': CONFIG },
    collaborators: { carol: 'write', dave: 'write', erin: 'write', mallory: 'read' },
    pulls: [{ number: PR, head: HEAD, user: 'carol' }],
  });
  try {
    const probot = await loadedProbot(fake);
    for (let i = 0; i < 1000; i++) fake.addComment(PR, { user: 'mallory', body: `spam ${i}` });
    await probot.receive({
      id: crypto.randomUUID(),
      name: 'deployment_protection_rule',
      payload: protectionRule(fake),
    } as Parameters<Probot['receive']>[0]);
    const reviews = fake.repo().protectionRuleReviews;
    assert.deepEqual(
      reviews.map((r) => [r.runId, r.environmentName, r.state]),
      [[4711, 'production', 'rejected']],
    );
    assert.match(reviews[0]!.comment!, /too_many_comments|more than 1000 comments/);
  } finally {
    await fake.stop();
  }
});
