// Whoever pushed to a pull request does not approve its deployment (docs/policy.md), whatever the commits
// they pushed say their author is. A commit's author and committer are written by whoever makes the commit:
// an approver who pushes a commit naming an e-mail GitHub links to nobody (or someone else) to another's pull
// request is not among its commits' authors, only among those who changed its branch (GitHub's repository
// activity). Their /approve-deploy is a self-approval; another approver's still deploys. Where GitHub does not
// show the activity (a fork the App cannot see) the commits' people decide; a branch with more changes than
// the App reads decides no approval (`pushers_unreadable`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Probot } from 'probot';
import { createFakeGitHub, fakeSha } from '../fake-github/index.ts';
import type { FakeGitHub } from '../fake-github/index.ts';
import {
  HEAD,
  PR,
  appReplies,
  approvalRecord,
  owner,
  recordApprovalComment,
  repo,
  sayOnPull,
  testApp,
  testProbot,
} from './helpers.ts';
import { approvePress, askProtectionRule, reviewOf } from './delivery-helpers.ts';

const PUSHED = fakeSha('pr-7-carol-unlinked');
const NOW = new Date('2025-03-04T10:30:00Z');

const CONFIG = `
target:
  commands:
    deploy: ./deploy.sh
environments:
  production:
    approvals:
      deployers: [alice]
      approvers: [carol, dave]
      required: 1
`;

async function run(
  opts: { fork?: boolean },
  body: (fake: FakeGitHub, probot: Probot) => Promise<void>,
): Promise<void> {
  const fake = await createFakeGitHub();
  fake.seedRepo({
    owner,
    repo,
    files: { '.github/deploy.yml': CONFIG },
    collaborators: { alice: 'write', carol: 'write', dave: 'write' },
    pulls: [{ number: PR, head: HEAD, user: 'alice', ...(opts.fork ? { headOwner: 'alice' } : {}) }],
  });
  // carol pushes a commit to alice's pull request whose author and committer GitHub links to nobody.
  fake.pushCommit(PR, PUSHED, { author: 'someone', unlinked: true, pusher: 'carol' });
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

test("an approver who pushed a commit naming nobody does not approve the pull request's deployment", async () => {
  await run({}, async (fake, probot) => {
    assert.match(await sayOnPull(fake, probot, '/deploy production', 'alice'), /Waiting for 1 approval/);
    const reply = await sayOnPull(fake, probot, '/approve-deploy production', 'carol');
    assert.match(reply, /`self_approval_refused`/);
    assert.match(reply, /pushed to or authored commits of this pull request/);
    assert.equal(deployments(fake).length, 0, "carol's approval of what she pushed deploys nothing");
    // The branch's activity was read in the pull request's own repository, for its head branch.
    const read = fake.requestsFor('repos/list-activities');
    assert.ok(read.length > 0);
    assert.ok(read.every((r) => r.path.startsWith(`/repos/${owner}/${repo}/activity`)));
    // Another approver, who pushed nothing, still approves it.
    await sayOnPull(fake, probot, '/approve-deploy production', 'dave');
    assert.equal(deployments(fake).length, 1, "dave's approval deploys");
  });
});

test("protection rule and Approve button: the pusher's approval does not open the gate", async () => {
  await run({}, async (fake, probot) => {
    // An approval of carol's the App recorded (before it read who pushed): it does not count at the gate.
    recordApprovalComment(
      fake,
      approvalRecord('carol', { sha: PUSHED, at: new Date(NOW.getTime() - 60_000) }),
    );
    const held = fake.addWorkflowRun({ actor: 'alice', headSha: PUSHED, event: 'pull_request' });
    const review = await askProtectionRule(fake, probot, { run: held.id, sha: PUSHED, pullRequests: [PR] });
    assert.equal(review.state, undefined, 'still waiting for an approval that counts');
    // Her press of the gate's Approve button is a self-approval too.
    const gate = [...fake.repo().checkRuns.values()].find((r) => r.name === 'approval / production')!;
    await probot.receive({
      id: crypto.randomUUID(),
      name: 'check_run',
      payload: approvePress(fake, gate, 'carol'),
    } as Parameters<Probot['receive']>[0]);
    assert.match(appReplies(fake).at(-1)!, /Approval by @carol not recorded\*\* \(`self_approval_refused`\)/);
    assert.equal(reviewOf(fake, held.id), undefined, 'the run still waits');
  });
});

test("a fork whose activity GitHub does not show: the commits' people decide, as before it was read", async () => {
  // The branch is in alice's fork, which the fake (as a fork the App is not installed on) answers 404 for.
  await run({ fork: true }, async (fake, probot) => {
    assert.match(
      await sayOnPull(fake, probot, '/approve-deploy production', 'alice'),
      /`self_approval_refused`/,
    );
    assert.equal(fake.requestsFor('repos/list-activities').at(-1)?.status, 404);
    // Not refused for want of the activity: dave's approval is recorded (a fork is never deployed).
    assert.match(await sayOnPull(fake, probot, '/approve-deploy production', 'dave'), /by @dave recorded/);
    assert.equal(fake.repo().checkRuns.size, 1, "dave's approval in the ledger");
  });
});

/** More changes of the pull request's branch than the App reads (anyone who may push can make them). */
function floodBranch(fake: FakeGitHub): void {
  const r = fake.repo();
  const ref = `heads/${r.pulls.get(PR)!.headRef}`;
  for (let i = 0; i < 1_001; i++)
    r.activities.push({
      id: 10_000 + i,
      ref,
      before: PUSHED,
      after: PUSHED,
      type: 'push',
      actor: 'carol',
      timestamp: '2025-03-02T00:00:00Z',
    });
}

test('a branch with more changes than the App reads decides no approval', async () => {
  await run({}, async (fake, probot) => {
    floodBranch(fake);
    const reply = await sayOnPull(fake, probot, '/approve-deploy production', 'dave');
    assert.match(reply, /`pushers_unreadable`/);
    assert.match(
      reply,
      /who pushed to the branch of pull request .*7 cannot be read \\\(it has more than 1000 changes/,
    );
    assert.equal(fake.repo().checkRuns.size, 0, 'no approval recorded in the ledger');
  });
});

test('where who pushed cannot be read, a veto is still taken', async () => {
  await run({}, async (fake, probot) => {
    floodBranch(fake);
    assert.match(
      await sayOnPull(fake, probot, '/reject-deploy production not yet', 'dave'),
      /\*\*Veto\*\* by @dave recorded/,
    );
  });
});

test("a push of the branch that left none of the pull request's commits on it does not count", async () => {
  await run({}, async (fake, probot) => {
    const r = fake.repo();
    // dave once pushed the branch to a commit the base branch has (merged since): nothing this PR holds.
    r.activities.push({
      id: 1,
      ref: `heads/${r.pulls.get(PR)!.headRef}`,
      before: '0'.repeat(40),
      after: r.refs.get('heads/main')!,
      type: 'push',
      actor: 'dave',
      timestamp: '2025-03-01T00:00:00Z',
    });
    assert.match(await sayOnPull(fake, probot, '/deploy production', 'alice'), /Waiting for 1 approval/);
    await sayOnPull(fake, probot, '/approve-deploy production', 'dave');
    assert.equal(deployments(fake).length, 1, "dave's approval deploys");
  });
});

// Anyone who may push can make a branch holding their own commit and propose the pull request to it: that
// commit is then none of the pull request's commits, and neither is the push that brought it (the reading of
// the activity stops where the head's pushes reach the base). Carol's code is deployed all the same.
test("a base changed to a branch holding the pusher's commit: her approval is still her own", async () => {
  await run({}, async (fake, probot) => {
    const r = fake.repo();
    fake.pushCommit(PR, fakeSha('pr-7-alice-after'), { author: 'alice' });
    r.refs.set('heads/carol-base', PUSHED);
    fake.changeBase(PR, 'carol-base');
    assert.deepEqual(r.pulls.get(PR)!.commits, [fakeSha('pr-7-alice-after')]);
    assert.match(await sayOnPull(fake, probot, '/deploy production', 'alice'), /Waiting for 1 approval/);
    assert.match(
      await sayOnPull(fake, probot, '/approve-deploy production', 'carol'),
      /`self_approval_refused`/,
    );
    assert.equal(deployments(fake).length, 0, "carol's approval of what she pushed deploys nothing");
    // The commits judged are the head's that the default branch lacks.
    const compared = fake.requestsFor('repos/compare-commits');
    assert.ok(compared.some((c) => c.path.includes(`/compare/main...${fakeSha('pr-7-alice-after')}`)));
    await sayOnPull(fake, probot, '/approve-deploy production', 'dave');
    assert.equal(deployments(fake).length, 1, "dave's approval deploys");
  });
});

// The same, with the base changed between the App's read of the pull request (base: main) and its read of the
// commits: the commits judged do not depend on the base the App read.
test('a base changed between the App reading the pull request and its commits: still her own', async () => {
  await run({}, async (fake, probot) => {
    const r = fake.repo();
    fake.pushCommit(PR, fakeSha('pr-7-alice-after'), { author: 'alice' });
    r.refs.set('heads/carol-base', PUSHED);
    assert.match(await sayOnPull(fake, probot, '/deploy production', 'alice'), /Waiting for 1 approval/);
    // Not a failure: the predicate changes the base when the first read of the commits arrives.
    fake.failNext({
      status: 500,
      where: (request) => {
        if (/^(pulls\/list-commits|repos\/compare-commits)$/.test(request.operationId ?? ''))
          if (r.pulls.get(PR)!.baseRef !== 'carol-base') fake.changeBase(PR, 'carol-base');
        return false;
      },
    });
    assert.match(
      await sayOnPull(fake, probot, '/approve-deploy production', 'carol'),
      /`self_approval_refused`/,
    );
    assert.equal(r.pulls.get(PR)!.baseRef, 'carol-base', 'the base changed during the decision');
    assert.equal(deployments(fake).length, 0);
  });
});
