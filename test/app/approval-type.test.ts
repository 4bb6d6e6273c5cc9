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

test('the reply to an approval says it is for the commit and environment, and every kind it may count for', async () => {
  await withSeededApp(seed, async (fake, probot) => {
    await sayOnPull(fake, probot, '/deploy production', 'alice');
    const said = await sayOnPull(fake, probot, '/approve-deploy production', 'dave');
    assert.match(said, /Approval by @dave recorded for `production` at `[0-9a-f]{7,12}`\./);
    assert.match(
      said,
      /An approval is for the commit and the environment, not for one kind of deployment: this one counts for any `\/deploy` or `\/deploy --hotfix` of this commit to `production` that @dave may approve\./,
    );
  });
});

test('where only one kind of deployment needs approvals, the reply says nothing more', async () => {
  const plain = {
    ...seed,
    config: deployYml(`
  production:
    approvals:
      approvers: [carol, dave]
      required: 2
      hotfix:
        required: 0
`),
  };
  await withSeededApp(plain, async (fake, probot) => {
    await sayOnPull(fake, probot, '/deploy production', 'alice');
    const said = await sayOnPull(fake, probot, '/approve-deploy production', 'dave');
    assert.match(said, /Approval by @dave recorded/);
    assert.doesNotMatch(said, /not for one kind of deployment/);
  });
});
