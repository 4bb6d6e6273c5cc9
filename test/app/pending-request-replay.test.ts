// A /deploy that waits for approvals is kept as a signed marker in the App's reply, and the marker stays after
// the approval that completed it started the deployment (nothing rewrites the App's comments). What said "this
// request was deployed" was the App's deployment carrying the request's dedupe key, among the commit's newest
// deployments: anyone with write permission can delete a deployment (once inactive), or bury it under newer
// ones of their own. A later approval then started the old request again, long after it was asked for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FakeGitHub } from '../fake-github/index.ts';
import { HEAD, PR, deployYml, rest, restWith, sayOnPull, withSeededApp } from './helpers.ts';

const MALLORY = 'mallory-token';
const seed = {
  config: deployYml(`
  production:
    approvals:
      deployers: [alice]
      approvers: [dave, erin]
      required: 1
`),
  collaborators: { alice: 'write', dave: 'write', erin: 'write', mallory: 'write' } as const,
  pulls: [{ number: PR, head: HEAD, user: 'alice' }],
  fake: { tokens: { [MALLORY]: 'mallory' } },
};

const deployments = (fake: FakeGitHub) => [...fake.repo().deployments.values()];

/**
 * The request's deployment ends, as its workflow reports it, and the App releases its lock (the delivery of that
 * status is not what this is about: the lock goes as the App's handler of it deletes it).
 */
async function finish(fake: FakeGitHub, id: number): Promise<void> {
  await rest(fake, 'POST', `/deployments/${id}/statuses`, { state: 'success' });
  fake.repo().refs.delete('deploy-locks/production');
}

test('a request an approval started is not started again by a later approval once its deployment is deleted', async () => {
  await withSeededApp(seed, async (fake, probot) => {
    assert.match(await sayOnPull(fake, probot, '/deploy production', 'alice'), /Waiting for 1 approval/);
    await sayOnPull(fake, probot, '/approve-deploy production', 'dave');
    const [first] = deployments(fake);
    assert.ok(first, "dave's approval started alice's request");
    await finish(fake, first.id as number);

    // mallory marks it inactive and deletes it: the deployment that said the request was done is gone.
    await rest(fake, 'POST', `/deployments/${first.id}/statuses`, { state: 'inactive' }, MALLORY);
    const deleted = await restWith(fake, MALLORY, 'DELETE', `/deployments/${first.id}`);
    assert.equal(deleted.status, 204);

    const reply = await sayOnPull(fake, probot, '/approve-deploy production', 'erin');
    assert.equal(deployments(fake).length, 0, `nothing deployed again: ${reply}`);
    assert.match(
      reply,
      new RegExp(`This request already created deployment \\\\#\u200D${first.id}; nothing more to do`),
    );
  });
});

test('a request an approval started is not started again once newer deployments bury its own', async () => {
  await withSeededApp(seed, async (fake, probot) => {
    assert.match(await sayOnPull(fake, probot, '/deploy production', 'alice'), /Waiting for 1 approval/);
    await sayOnPull(fake, probot, '/approve-deploy production', 'dave');
    const [first] = deployments(fake);
    assert.ok(first);
    await finish(fake, first.id as number);
    for (let i = 0; i < 100; i++)
      await rest(
        fake,
        'POST',
        '/deployments',
        { ref: HEAD, environment: 'staging', auto_merge: false, required_contexts: [], task: `noise-${i}` },
        MALLORY,
      );
    const before = deployments(fake).length;
    const reply = await sayOnPull(fake, probot, '/approve-deploy production', 'erin');
    assert.equal(deployments(fake).length, before, `nothing deployed again: ${reply}`);
  });
});
