// What one delivery reads once: an approval that answers a waiting protection rule decides the rule on the
// config its own command read from the default branch a moment before, not on a second read of it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HEAD, PR, commentOnPull, deployYml, withSeededApp } from './helpers.ts';
import { askProtectionRule, receive, reviewOf } from './delivery-helpers.ts';

const CONFIG = deployYml(`
  production:
    approvals:
      deployers: [alice, bob]
      approvers: [dave]
      required: 1
`);

test("an approval that answers a waiting protection rule reads the config once: the command's read decides the rule too", async () => {
  await withSeededApp(
    { config: CONFIG, collaborators: { alice: 'write', bob: 'write', dave: 'write' } },
    async (fake, probot) => {
      fake.addWorkflowRun({ id: 601, headSha: HEAD, actor: 'alice', event: 'pull_request' });
      const { state } = await askProtectionRule(fake, probot, { run: 601, pullRequests: [PR] });
      assert.equal(state, undefined, 'waiting for an approval');
      const before = fake.requests.length;
      await receive(
        probot,
        'issue_comment',
        commentOnPull(fake, '/approve-deploy production', { user: 'dave' }).payload,
      );
      assert.equal(reviewOf(fake, 601)?.state, 'approved', 'the approval answered the rule');
      const configReads = fake.requests
        .slice(before)
        .filter((r) => r.operationId === 'repos/get-content' && r.path.endsWith('deploy.yml'));
      assert.equal(configReads.length, 1);
      fake.assertNoViolations();
    },
  );
});
