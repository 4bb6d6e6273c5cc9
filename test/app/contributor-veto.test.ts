// Whoever pushed to the pull request may always veto its deployment, approver or not (docs/policy.md), also
// where a self-approval would count (allow_self_approval) and so the App has no other reason to read who
// pushed. Their /reject-deploy is recorded, and a recorded veto of theirs holds the deployment, by command
// and at a deployment protection rule; it is not dropped as not_an_approver.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Probot } from 'probot';
import { createFakeGitHub, fakeSha } from '../fake-github/index.ts';
import type { FakeGitHub } from '../fake-github/index.ts';
import {
  HEAD,
  PR,
  approvalRecord,
  owner,
  recordApprovalComment,
  repo,
  sayOnPull,
  testApp,
  testProbot,
} from './helpers.ts';
import { askProtectionRule } from './delivery-helpers.ts';

const PUSHED = fakeSha('pr-7-gina');
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
const recordVeto = (fake: FakeGitHub): void =>
  recordApprovalComment(
    fake,
    approvalRecord('gina', {
      kind: 'reject',
      sha: PUSHED,
      at: new Date(NOW.getTime() - 60_000),
      reason: 'not ready',
    }),
    '**Veto** recorded.',
  );

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
    recordApprovalComment(
      fake,
      approvalRecord('carol', { teams: ['acme/sre'], sha: PUSHED, at: new Date(NOW.getTime() - 30_000) }),
    );
    const held = fake.addWorkflowRun({ actor: 'alice', headSha: PUSHED, event: 'pull_request' });
    const review = await askProtectionRule(fake, probot, { run: held.id, sha: PUSHED, pullRequests: [PR] });
    assert.equal(review?.state, 'rejected', "gina's veto stands");
  });
});
