// Whoever pushed to the pull request may always veto its deployment, approver or not (docs/policy.md), also
// where a self-approval would count (allow_self_approval) and so the App has no other reason to read who
// pushed. Their /reject-deploy is recorded, and a recorded veto of theirs holds the deployment, by command
// and at a deployment protection rule; it is not dropped as not_an_approver.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Probot } from 'probot';
import { createFakeGitHub, fakeSha, webhookPayload } from '../fake-github/index.ts';
import type { FakeGitHub } from '../fake-github/index.ts';
import { sayOnPull, testApp, testMarkerKeys, testProbot } from './helpers.ts';
import { appendMarkers } from '../../src/github/hidden-marker.ts';
import { serializeApprovalMarker } from '../../src/policy/index.ts';

type Receive = Parameters<Probot['receive']>[0];
type Json = Record<string, unknown>;
const owner = 'acme';
const repo = 'web';
const PR = 7;
const HEAD = fakeSha('pr-7-head');
const PUSHED = fakeSha('pr-7-gina');
const BOT = 'deploy-action[bot]';
const NOW = new Date('2025-03-04T10:30:00Z');

const CONFIG = `
target:
  commands:
    deploy: ./deploy.sh
environments:
  production:
    approvals:
      approvers: [acme/sre]
      required: 1
      allow_self_approval: true
`;

async function run(body: (fake: FakeGitHub, probot: Probot) => Promise<void>): Promise<void> {
  const fake = await createFakeGitHub();
  fake.seedRepo({
    owner,
    repo,
    files: { '.github/deploy.yml': CONFIG },
    // gina may write to the repository but is not one of the approvers; she pushed to alice's pull request.
    collaborators: { alice: 'write', carol: 'write', gina: 'write' },
    teams: { sre: ['carol'] },
    pulls: [{ number: PR, head: HEAD, user: 'alice' }],
  });
  fake.pushCommit(PR, PUSHED, { author: 'gina' });
  const probot = testProbot(fake);
  await probot.load(testApp({ now: () => NOW }));
  try {
    await body(fake, probot);
    fake.assertNoViolations();
  } finally {
    await fake.stop();
  }
}

const say = sayOnPull;

/** gina's veto of production at the pushed commit, on the PR as the App writes it. */
function recordVeto(fake: FakeGitHub): void {
  const marker = serializeApprovalMarker(
    {
      kind: 'reject',
      by: { login: 'gina', permission: 'write', teams: [] },
      environment: 'production',
      sha: PUSHED,
      at: new Date(NOW.getTime() - 60_000),
      reason: 'not ready',
      source: 'comment',
    },
    testMarkerKeys(),
    { repository: `${owner}/${repo}`, pullRequest: PR },
  );
  fake.addComment(PR, { user: BOT, body: appendMarkers('**Veto** recorded.', [marker]) });
}

const deployments = (fake: FakeGitHub) => [...fake.repo().deployments.values()];

test('whoever pushed to the pull request may veto its deployment without being an approver', async () => {
  await run(async (fake, probot) => {
    assert.match(await say(fake, probot, '/deploy production', 'alice'), /Waiting for 1 approval/);
    assert.match(await say(fake, probot, '/reject-deploy production not ready', 'gina'), /\*\*Veto\*\* by/);
    assert.match(await say(fake, probot, '/approve-deploy production', 'carol'), /`rejected`/);
    assert.equal(deployments(fake).length, 0);
  });
});

test('a recorded veto by whoever pushed holds the deployment where self-approval counts', async () => {
  await run(async (fake, probot) => {
    recordVeto(fake);
    assert.match(await say(fake, probot, '/deploy production', 'alice'), /`rejected`/);
    await say(fake, probot, '/approve-deploy production', 'carol');
    assert.equal(deployments(fake).length, 0, "carol's approval does not outweigh gina's veto");
  });
});

test('protection rule: a recorded veto by whoever pushed rejects the run', async () => {
  await run(async (fake, probot) => {
    recordVeto(fake);
    const approval = serializeApprovalMarker(
      {
        kind: 'approve',
        by: { login: 'carol', permission: 'write', teams: ['acme/sre'] },
        environment: 'production',
        sha: PUSHED,
        at: new Date(NOW.getTime() - 30_000),
        source: 'comment',
      },
      testMarkerKeys(),
      { repository: `${owner}/${repo}`, pullRequest: PR },
    );
    fake.addComment(PR, { user: BOT, body: appendMarkers('Approved.', [approval]) });
    const held = fake.addWorkflowRun({ actor: 'alice', headSha: PUSHED, event: 'pull_request' });
    const target = { owner, repo, baseUrl: fake.url, installationId: fake.state.installationId };
    const base = webhookPayload(
      'deployment_protection_rule',
      'requested',
      { repository: { default_branch: 'main' } },
      target,
    );
    const payload = {
      ...base,
      environment: 'production',
      event: 'pull_request',
      deployment_callback_url: `${fake.url}/repos/${owner}/${repo}/actions/runs/${held.id}/deployment_protection_rule`,
      deployment: {
        ...(base.deployment as object),
        sha: PUSHED,
        environment: 'production',
        payload: {},
        creator: { login: 'github-actions[bot]', type: 'Bot' },
      },
      pull_requests: [
        { ...(webhookPayload('pull_request', 'opened', {}, target).pull_request as Json), number: PR },
      ],
    };
    await probot.receive({
      id: crypto.randomUUID(),
      name: 'deployment_protection_rule',
      payload,
    } as Receive);
    const review = fake.repo().protectionRuleReviews.find((r) => r.runId === held.id);
    assert.equal(review?.state, 'rejected', "gina's veto stands");
  });
});
