// Approval groups end to end (seed 05: a hotfix needs a manager AND a security engineer): the App looks up
// the groups' teams, says which group still needs an approval, and deploys once each group has its own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Probot } from 'probot';
import { createFakeGitHub, fakeSha } from '../fake-github/index.ts';
import type { FakeGitHub } from '../fake-github/index.ts';
import { sayOnPull, testApp, testProbot } from './helpers.ts';

const owner = 'acme';
const repo = 'web';
const PR = 7;
const HEAD = fakeSha('pr-7-head');
const NOW = new Date('2025-03-04T10:30:00Z');

const CONFIG = `
target:
  commands:
    deploy: ./deploy.sh
environments:
  production:
    approvals:
      deployers: [alice]
      groups:
        - { name: Manager, approvers: [acme/managers] }
      hotfix:
        required: 2
        groups:
          - { name: Manager, approvers: [acme/managers], required: 1 }
          - { name: Security, approvers: [acme/security], required: 1 }
`;

async function run(body: (fake: FakeGitHub, probot: Probot) => Promise<void>): Promise<void> {
  const fake = await createFakeGitHub();
  fake.seedRepo({
    owner,
    repo,
    files: { '.github/deploy.yml': CONFIG },
    collaborators: { alice: 'write', mia: 'write', max: 'write', sam: 'read' },
    teams: { managers: ['mia', 'max'], security: ['sam'] },
    pulls: [{ number: PR, head: HEAD, user: 'alice' }],
  });
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

const deployments = (fake: FakeGitHub) => [...fake.repo().deployments.values()];

test('a hotfix waits for the Security group after two managers approved, and deploys once security approves', async () => {
  await run(async (fake, probot) => {
    const asked = await say(fake, probot, '/deploy production --hotfix --reason "payments down"', 'alice');
    assert.match(asked, /Waiting for 2 approval/);
    assert.match(asked, /`Manager`/);
    assert.match(asked, /`Security`/);
    await say(fake, probot, '/approve-deploy production', 'mia');
    const second = await say(fake, probot, '/approve-deploy production', 'max');
    // Two approvals meet the overall count; the Security group still has none.
    assert.match(second, /Still waiting for 1 approval\(s\).*1 from `Security`/s);
    assert.doesNotMatch(second, /from `Manager`/);
    assert.equal(deployments(fake).length, 0);
    // sam, in acme/security with read permission only, may approve as a listed group member.
    assert.match(
      await say(fake, probot, '/approve-deploy production', 'sam'),
      /Deployment \*\*\\#\u200D\d+\*\* created/,
    );
    assert.equal(deployments(fake).length, 1);
  });
});
