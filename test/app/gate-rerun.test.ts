// A workflow run re-run (GitHub keeps its run id) asks the protection rule again. The gate of its first attempt
// is closed by then (approved and deployed, rejected, or cancelled with "Re-run the workflow to deploy"), and
// names the same run, environment and pull request. When the re-run has to wait for approvals again (the first
// ones expired, or the rejection's reason has gone), it gets a gate of its own with an Approve button and its
// notice: the closed gate is not a redelivery's, and a run left without a waiting gate is never answered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fakeSha } from '../fake-github/index.ts';
import { PR, appReplies, deployYml, handClock, sayOnPull, withSeededApp } from './helpers.ts';
import { askProtectionRule } from './delivery-helpers.ts';

const HEAD = fakeSha('gate-rerun-head');
const HOUR = 3_600_000;

test('a re-run that waits for approvals again gets a waiting gate and its notice, and the next approval answers it', async () => {
  const c = handClock('2026-12-01T10:00:00Z');
  await withSeededApp(
    {
      config: deployYml(`
  production:
    approvals:
      approvers: [carol]
      required: 1
      expires_after: 1h
`),
      collaborators: { alice: 'write', carol: 'write' },
      pulls: [{ number: PR, head: HEAD, user: 'bob' }],
      fake: { now: c.now },
      app: { now: c.now },
    },
    async (fake, probot) => {
      const gates = () =>
        [...fake.repo().checkRuns.values()].filter((r) => r.name === 'approval / production');
      const reviews = (run: number) => fake.repo().protectionRuleReviews.filter((r) => r.runId === run);
      const notices = () => appReplies(fake).filter((body) => body.includes('is waiting for approval'));
      const run = fake.addWorkflowRun({ actor: 'alice', headSha: HEAD, event: 'pull_request' });

      // The first attempt: it waits, carol approves, the run is answered and its gate closed as approved.
      await askProtectionRule(fake, probot, { run: run.id, sha: HEAD, pullRequests: [PR] });
      assert.match(await sayOnPull(fake, probot, '/approve-deploy production', 'carol'), /recorded/);
      assert.deepEqual(
        reviews(run.id).map((r) => r.state),
        ['approved'],
      );
      assert.deepEqual(
        gates().map((g) => g.conclusion),
        ['success'],
      );

      // Its deploy job failed; two hours later the failed jobs are re-run. carol's approval has expired.
      c.tick(2 * HOUR);
      await askProtectionRule(fake, probot, { run: run.id, sha: HEAD, pullRequests: [PR] });
      assert.deepEqual(
        gates().map((g) => g.conclusion),
        ['success', 'action_required'],
        'the re-run waits at a gate of its own, with an Approve button',
      );
      assert.equal(notices().length, 2, 'and the pull request is told it waits again');

      // A redelivery of the re-run's request finds that gate: no third one.
      await askProtectionRule(fake, probot, { run: run.id, sha: HEAD, pullRequests: [PR] });
      assert.equal(gates().length, 2);
      assert.equal(notices().length, 2);

      // carol approves again: the re-run is answered.
      assert.match(await sayOnPull(fake, probot, '/approve-deploy production', 'carol'), /recorded/);
      assert.deepEqual(
        reviews(run.id).map((r) => r.state),
        ['approved', 'approved'],
      );
      assert.deepEqual(
        gates().map((g) => g.conclusion),
        ['success', 'success'],
      );
    },
  );
});
