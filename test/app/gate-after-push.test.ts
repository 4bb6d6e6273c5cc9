// A workflow run held by the App's protection rule at a commit the pull request has since moved away from can
// never be approved (its deployment is of a commit nobody approves now: sha_moved). The push answers it
// rejected at once, with the reason, instead of leaving the run waiting until GitHub times it out (30 days),
// holding any concurrency group its job is in meanwhile.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fakeSha } from '../fake-github/index.ts';
import { HEAD, PR, deployYml, pushToPull, sayOnPull, withSeededApp } from './helpers.ts';
import { askProtectionRule, reviewOf } from './delivery-helpers.ts';

const config = deployYml(`
  staging:
    approvals:
      approvers: [dave]
      required: 1
  production:
    approvals:
      approvers: [dave]
      required: 1
`);
const collaborators = { alice: 'write', dave: 'write' } as const;
const PUSHED = fakeSha('pr-7-second');

test("a push answers the protection rules waiting at the pull request's previous head: rejected, sha_moved", async () => {
  await withSeededApp({ config, collaborators }, async (fake, probot) => {
    const waiting = await askProtectionRule(fake, probot, { run: 501, pullRequests: [PR] });
    assert.equal(waiting.state, undefined, 'waits for an approval');
    assert.equal(
      (await askProtectionRule(fake, probot, { run: 502, environment: 'staging', pullRequests: [PR] })).state,
      undefined,
    );
    const gates = () =>
      [...fake.repo().checkRuns.values()].filter((c) => String(c.name).startsWith('approval / '));
    assert.deepEqual(
      gates().map((g) => g.conclusion),
      ['action_required', 'action_required'],
    );

    await pushToPull(fake, probot, PUSHED);
    for (const run of [501, 502]) {
      const review = reviewOf(fake, run);
      assert.equal(review?.state, 'rejected', `run ${run} is answered`);
      assert.match(review?.comment ?? '', /sha_moved|moved/);
      assert.match(review?.comment ?? '', new RegExp(HEAD.slice(0, 7)));
    }
    assert.deepEqual(
      gates().map((g) => g.conclusion),
      ['failure', 'failure'],
    );

    // The new head's own gate waits, and an approval of it answers it as before.
    assert.equal(
      (await askProtectionRule(fake, probot, { run: 503, sha: PUSHED, pullRequests: [PR] })).state,
      undefined,
    );
    await sayOnPull(fake, probot, '/approve-deploy production', 'dave');
    assert.equal(reviewOf(fake, 503)?.state, 'approved');
  });
});

test('a push leaves alone a gate of the previous head that another pull request still has as its head', async () => {
  await withSeededApp(
    {
      config,
      collaborators,
      pulls: [
        { number: PR, head: HEAD, user: 'carol' },
        { number: 8, head: HEAD, user: 'carol' },
      ],
    },
    async (fake, probot) => {
      await askProtectionRule(fake, probot, { run: 601, pullRequests: [PR] });
      await askProtectionRule(fake, probot, { run: 602, pullRequests: [8] });
      await pushToPull(fake, probot, PUSHED);
      assert.equal(reviewOf(fake, 601)?.state, 'rejected');
      assert.equal(reviewOf(fake, 602), undefined, "pull request 8's head did not move: its run still waits");
    },
  );
});
