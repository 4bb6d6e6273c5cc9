// The self-approval rule at an `approval: N` step, asked from ANOTHER pull request whose head is the rollout's
// commit (a backport, a second branch at the same commit): the rollout's own pull request's author (named by
// its deployment) does not approve it there either. The rule is about the rollout, not the thread the
// comment is in: on the other pull request its author is someone else, and the rollout's author, who wrote
// no commit of it, was counted as an approver of their own rollout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HEAD, PR } from './helpers.ts';
import { controlConfig, rolloutWorld } from './rollout-world.ts';

const OTHER_PR = PR + 1;

test("approval: the rollout's pull request author does not approve it with a /promote on another pull request at the same commit", async () => {
  // alice deploys; carol and dave approve, one approval lets the rollout go on.
  await rolloutWorld(
    { config: controlConfig({ approvers: ['carol', 'dave'] }), writers: ['alice', 'carol', 'dave', 'erin'] },
    async (w) => {
      const r = w.r;
      // The rollout's pull request is dave's; bob wrote and pushed its commit; alice asked for the deployment.
      r.pulls.get(PR)!.user = 'dave';
      r.commits.get(HEAD)!.author = 'bob';
      for (const change of r.activities) change.actor = 'bob';
      // erin's pull request at the same commit (another base: a backport), nothing of dave's in it.
      const mine = r.pulls.get(PR)!;
      r.pulls.set(OTHER_PR, {
        ...mine,
        number: OTHER_PR,
        user: 'erin',
        headRef: mine.headRef,
        baseRef: 'release',
      });
      await w.write({
        wait: { kind: 'approval', approvals: 1, step: 2, since: '2025-03-04T10:20:00.000Z', handedOff: true },
      });
      // On the rollout's own pull request: refused, as the rule says.
      assert.match(await w.comment('/promote production', 'dave', PR), /\(`self_approval_refused`\)/);
      // On erin's, at the same commit: the same person, the same rollout.
      const reply = await w.comment('/promote production', 'dave', OTHER_PR);
      assert.match(reply, /\(`self_approval_refused`\)/, reply);
      assert.equal(w.requests(), 0, 'nothing recorded');
      assert.equal(w.r.workflowDispatches.length, 0, 'no run started');
      // Another approver's /promote on either lets it go on.
      assert.match(
        await w.comment('/promote production', 'carol', OTHER_PR),
        /\*\*\/promote\*\* by @carol recorded/,
      );
      assert.equal(w.r.workflowDispatches.length, 1);
    },
  );
});
