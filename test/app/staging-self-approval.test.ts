// `staging: production` on preview, whose own rule allows self-approval while production's does not: whoever
// pushed to the pull request may not approve its deployment under production's rule. /approve-deploy preview
// reads who pushed whenever any rule the deployment is held to refuses a self-approval, not only when preview's
// does: else the pusher's approval was recorded as one that "counts under the rule of the staging environment".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Probot } from 'probot';
import { createFakeGitHub, fakeSha } from '../fake-github/index.ts';
import type { FakeGitHub } from '../fake-github/index.ts';
import { HEAD, PR, owner, repo, sayOnPull, testApp, testProbot } from './helpers.ts';

const PUSHED = fakeSha('staging-self-approval-pushed');
const NOW = new Date('2025-03-04T10:30:00Z');

const CONFIG = `
target:
  commands:
    deploy: ./deploy.sh
environments:
  preview:
    production: false
    staging: production
    approvals:
      approvers: [alice]
      required: 0
      allow_self_approval: true
  production:
    approvals:
      approvers: [carol, dave]
      required: 1
`;

async function run(body: (fake: FakeGitHub, probot: Probot) => Promise<void>): Promise<void> {
  const fake = await createFakeGitHub();
  fake.seedRepo({
    owner,
    repo,
    files: { '.github/deploy.yml': CONFIG },
    collaborators: { alice: 'write', bob: 'write', carol: 'write', dave: 'write' },
    pulls: [{ number: PR, head: HEAD, user: 'bob' }],
  });
  // carol, one of production's approvers, pushes a commit to bob's pull request.
  fake.pushCommit(PR, PUSHED, { author: 'carol', pusher: 'carol' });
  const probot = testProbot(fake);
  await probot.load(testApp({ now: () => NOW }));
  try {
    await body(fake, probot);
    fake.assertNoViolations();
  } finally {
    await fake.stop();
  }
}

const deployments = (fake: FakeGitHub) => [...fake.repo().deployments.values()];

test("a pusher who approves only under production's rule (preview allows self-approval) is refused, not told it counts", async () => {
  await run(async (fake, probot) => {
    assert.match(await sayOnPull(fake, probot, '/deploy preview', 'alice'), /Waiting for 1 approval/);
    const reply = await sayOnPull(fake, probot, '/approve-deploy preview', 'carol');
    assert.doesNotMatch(reply, /It counts under the rule of the staging environment/, reply);
    assert.match(reply, /`self_approval_refused`/, reply);
    assert.match(
      reply,
      /staging environment `production`, which this deployment changes first: @carol pushed to or authored commits/,
      reply,
    );
    assert.equal(deployments(fake).length, 0, "carol's approval of what she pushed deploys nothing");
    // dave, production's other approver, who pushed nothing, approves it.
    assert.match(
      await sayOnPull(fake, probot, '/approve-deploy preview', 'dave'),
      /It counts under the rule of the staging environment `production`/,
    );
    assert.equal(deployments(fake).length, 1, "dave's approval deploys");
  });
});
