// A /deploy whose deployment GitHub creates although it answers 5xx (its answer lost) must not be taken for
// one that was never made: the App would release the environment's lock under a running deployment (a second
// /deploy could then start another at once) and tell the pull request that nothing was created.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseStatusComment } from '../../src/github/status-comment.ts';
import { BOT_LOGIN, HEAD, PR, appReplies, commentOnPull, deployYml, withSeededApp } from './helpers.ts';
import { receive } from './delivery-helpers.ts';

const SEED = {
  config: deployYml(`
  staging:
    approvals:
      deployers: [alice]
      required: 0
`),
  collaborators: { alice: 'write' as const },
  pulls: [{ number: PR, head: HEAD, user: 'alice' }],
};

test('/deploy: the last try at creating the deployment lands with its answer lost: found, the lock kept, nobody told it failed', async () => {
  await withSeededApp(SEED, async (fake, probot) => {
    // Two tries GitHub fails before creating anything; the third creates the deployment and answers 502.
    fake.failNext({ status: 502, times: 2, operationId: 'repos/create-deployment' });
    fake.failNext({ status: 502, operationId: 'repos/create-deployment', afterWrite: true });
    const { payload } = commentOnPull(fake, '/deploy staging', { user: 'alice' });
    // The delivery succeeds: nothing failed that anyone need be told of.
    await receive(probot, 'issue_comment', payload);

    const deployments = [...fake.repo().deployments.values()];
    assert.equal(deployments.length, 1, 'one deployment');
    assert.equal(
      fake.repo().refs.get('deploy-locks/staging'),
      HEAD,
      'the environment stays locked while the deployment runs (its final status releases it)',
    );
    assert.deepEqual(
      appReplies(fake).filter((r) => r.startsWith('**Failed**')),
      [],
      'nobody is told it failed',
    );
    const status = [...fake.repo().comments.values()].find(
      (c) =>
        (c.user as { login: string }).login === BOT_LOGIN &&
        String(c.body).startsWith('<!-- deploy-action:status'),
    );
    assert.equal(parseStatusComment(String(status?.body), 'staging')?.state, 'queued');
  });
});
