// Commands on a closed (or merged) pull request: nothing of it is deployed any more. /deploy (a dry run, a
// schedule and the queue too) and the approval that would complete a waiting request are refused with
// pull_request_closed, as a due schedule of a closed pull request is (app/schedule/run-due.ts); a veto,
// /status and the other commands that do not deploy its head still work, /status saying that its requests
// will not start.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Probot } from 'probot';
import { fakeSha } from '../fake-github/index.ts';
import type { FakeGitHub } from '../fake-github/index.ts';
import { PR, appReplies, approvalsYml, pushToPull, sayOnPull, withSeededApp } from './helpers.ts';
import { askProtectionRule, reviewOf } from './delivery-helpers.ts';

const HEAD = fakeSha('closed-pr-head');
const CONFIG = approvalsYml({ others: ['staging'], deployers: ['alice'], approvers: ['carol'], required: 1 });

async function run(
  body: (
    fake: FakeGitHub,
    say: (text: string, user: string) => Promise<string>,
    probot: Probot,
  ) => Promise<void>,
) {
  await withSeededApp(
    {
      config: CONFIG,
      collaborators: { alice: 'write', carol: 'write' },
      pulls: [{ number: PR, head: HEAD, user: 'bob' }],
      app: { now: () => new Date('2025-03-04T10:30:00Z') },
    },
    (fake, probot) => body(fake, (text, user) => sayOnPull(fake, probot, text, user), probot),
  );
}

const deployments = (fake: FakeGitHub) => [...fake.repo().deployments.values()];

test('a closed pull request: /deploy in every form is refused with pull_request_closed, nothing is created', async () => {
  await run(async (fake, say) => {
    fake.repo().pulls.get(PR)!.state = 'closed';
    for (const text of [
      '/deploy staging',
      '/deploy staging --dry-run',
      '/deploy staging --queue',
      '/deploy staging at 2025-03-05 10:00 UTC',
      '/deploy production',
    ]) {
      const reply = await say(text, 'alice');
      assert.match(reply, /^\*\*Not accepted\*\* \(`pull_request_closed`\): pull request #7 is closed/, text);
    }
    assert.equal(deployments(fake).length, 0);
    assert.equal(
      [...fake.repo().refs.keys()].filter((r) => r.startsWith('deploy-')).length,
      0,
      'no lock, no schedule',
    );
    // Commands that do not deploy its head still answer.
    assert.match(await say('/status', 'alice'), /Pending approvals/);
  });
});

test('a request that waited while the pull request was open is not completed by an approval after it closed', async () => {
  await run(async (fake, say) => {
    assert.match(await say('/deploy production', 'alice'), /Waiting for 1 approval/);
    fake.repo().pulls.get(PR)!.state = 'closed';
    assert.match(
      await say('/approve-deploy', 'carol'),
      /^\*\*Not accepted\*\* \(`pull_request_closed`\): pull request #7 is closed/,
    );
    assert.equal(deployments(fake).length, 0);
    // A veto is still recorded: it only ever stops a deployment.
    assert.match(
      await say('/reject-deploy production not this one', 'carol'),
      /\*\*Veto\*\* by @carol recorded/,
    );
    // Reopened: the approval counts again, and the veto holds it.
    fake.repo().pulls.get(PR)!.state = 'open';
    assert.doesNotMatch(await say('/approve-deploy production', 'carol'), /pull_request_closed/);
  });
});

test('a protection rule waiting on a pull request that was merged meanwhile is still approved from it; nothing else starts', async () => {
  await run(async (fake, say, probot) => {
    // A /deploy waits for carol, and a workflow's job for production waits at the same commit.
    await say('/deploy production', 'alice');
    const held = fake.addWorkflowRun({ actor: 'alice', headSha: HEAD, event: 'pull_request' });
    const asked = await askProtectionRule(fake, probot, { run: held.id, sha: HEAD, pullRequests: [PR] });
    assert.equal(asked.state, undefined, `the run waits for an approval: ${asked.comment}`);
    fake.repo().pulls.get(PR)!.state = 'closed';
    await say('/approve-deploy production', 'carol');
    assert.match(appReplies(fake).at(-1)!, /^Approval by @carol recorded for `production`/);
    assert.equal(reviewOf(fake, held.id)?.state, 'approved', 'the waiting run is answered');
    assert.equal(deployments(fake).length, 0, 'the /deploy that waited on the pull request is not started');
  });
});

test('/status on a closed pull request says its waiting /deploy will not start, not that it waits for an approval', async () => {
  await run(async (fake, say) => {
    assert.match(await say('/deploy production', 'alice'), /Waiting for 1 approval/);
    assert.match(await say('/deploy staging at 2025-03-05 10:00 UTC', 'alice'), /Scheduled/);
    const open = await say('/status', 'alice');
    assert.match(open, /\*\*Pending approvals\*\*: \n- `production` ← `[0-9a-f]+` asked by @alice\n/);
    fake.repo().pulls.get(PR)!.state = 'closed';
    const shown = await say('/status', 'alice');
    assert.match(
      shown,
      /- `production` ← `[0-9a-f]+` asked by @alice: will not start, pull request #7 is closed \(reopen it to deploy its head commit\)/,
    );
    assert.match(
      shown,
      /- `staging` ← `[0-9a-f]+` at `2025-03-05T10:00:00.000Z`, asked by @alice on PR #7: will not start/,
    );
    // Reopened, it waits again.
    fake.repo().pulls.get(PR)!.state = 'open';
    assert.doesNotMatch(await say('/status', 'alice'), /will not start/);
  });
});

test('/status after a push says a request scheduled for the earlier head will not start', async () => {
  await run(async (fake, say, probot) => {
    assert.match(await say('/deploy staging at 2025-03-05 10:00 UTC', 'alice'), /Scheduled/);
    const next = fakeSha('closed-pr-next');
    await pushToPull(fake, probot, next);
    assert.match(
      await say('/status', 'alice'),
      new RegExp(
        `asked by @alice on PR #7: will not start, the pull request's head is now \`${next.slice(0, 12)}\``,
      ),
    );
  });
});
