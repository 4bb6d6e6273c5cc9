// An approval is for an environment and a commit, not for one request or one deployment type (docs/policy.md,
// "Approvals"): what decides whether it counts for a /deploy, a --hotfix or a /rollback of that commit is
// whether its author may approve that type now. These pin the behaviour the docs state.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fakeSha } from '../fake-github/index.ts';
import { PR, deployYml, repliesTo, sayOnPull, withSeededApp } from './helpers.ts';

const HEAD = fakeSha('approval-type-head');
const seed: Parameters<typeof withSeededApp>[0] = {
  config: deployYml(`
  production:
    approvals:
      deployers: [alice]
      approvers: [carol, dave]
      required: 2
      hotfix:
        approvers: [dave]
        required: 1
`),
  collaborators: { alice: 'write', carol: 'write', dave: 'write' },
  pulls: [{ number: PR, head: HEAD, user: 'bob' }],
  app: { now: () => new Date('2025-03-04T10:30:00Z') },
};

const deployments = (fake: Parameters<Parameters<typeof withSeededApp>[1]>[0]) => [
  ...fake.repo().deployments.values(),
];

test('an approval given while a standard /deploy waited counts for a hotfix of the commit when its author is a hotfix approver', async () => {
  await withSeededApp(seed, async (fake, probot) => {
    assert.match(await sayOnPull(fake, probot, '/deploy production', 'alice'), /Waiting for 2 approval/);
    assert.match(
      await sayOnPull(fake, probot, '/approve-deploy production', 'dave'),
      /Still waiting for 1 approval/,
    );
    assert.equal(deployments(fake).length, 0);
    await repliesTo(fake, probot, '/deploy production --hotfix --reason "payments down"', 'alice');
    const [made] = deployments(fake);
    assert.equal((made?.payload as { type?: string } | undefined)?.type, 'hotfix', "dave's approval counted");
  });
});

test('an approval by someone who may approve the standard rule only does not count for a hotfix', async () => {
  await withSeededApp(seed, async (fake, probot) => {
    await sayOnPull(fake, probot, '/deploy production', 'alice');
    await sayOnPull(fake, probot, '/approve-deploy production', 'carol');
    const asked = await sayOnPull(
      fake,
      probot,
      '/deploy production --hotfix --reason "payments down"',
      'alice',
    );
    assert.match(asked, /Waiting for 1 approval/);
    assert.match(asked, /@?dave/);
    assert.equal(deployments(fake).length, 0);
  });
});
