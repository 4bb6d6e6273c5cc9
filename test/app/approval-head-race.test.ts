// An approval is bound to the commit its approver saw. The App reads the head when it handles the comment,
// which may be after a push (a push right before, a delivery that waited, a redelivery): an /approve-deploy
// written while the App's request named one commit must not count for a commit pushed after it. "A push resets
// approvals" holds in that race too: what the approver saw is the newest request (or waiting protection rule)
// the App had posted before their comment, by GitHub's comment order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Probot } from 'probot';
import { fakeSha, webhookPayload } from '../fake-github/index.ts';
import type { FakeGitHub } from '../fake-github/index.ts';
import {
  HEAD,
  PR,
  TestOctokit,
  appReplies,
  commentOnPull,
  deployYml,
  pushToPull,
  sayOnPull,
  synchronizePayload,
  testTrust,
  withSeededApp,
  writtenComment,
} from './helpers.ts';
import { readLedger } from '../../app/facts/approval-ledger.ts';

const PUSHED = fakeSha('pr-7-pushed-after-the-approval');

const CONFIG = deployYml(`
  staging: {}
  production:
    approvals:
      deployers: [alice]
      approvers: [dave, erin]
      required: 1
`);

const seed = {
  config: CONFIG,
  collaborators: { alice: 'write', dave: 'write', erin: 'write' } as const,
  app: { now: () => new Date('2026-12-01T10:00:00Z') },
};

const deployments = (fake: FakeGitHub) => [...fake.repo().deployments.values()];

/** The approvals the App's ledger holds at `sha`. */
async function ledgerAt(fake: FakeGitHub, sha: string) {
  const octokit = new TestOctokit({ auth: 'x', baseUrl: fake.url });
  const read = await readLedger(
    octokit.rest,
    { owner: 'acme', repo: 'web' },
    sha,
    PR,
    fake.state.appId,
    testTrust(),
  );
  return read.records;
}

for (const named of [true, false])
  test(`an approval written before a push does not count for the pushed commit, even once it is requested (${named ? 'environment named' : 'no environment'})`, async () => {
    await withSeededApp(seed, async (fake, probot) => {
      assert.match(await sayOnPull(fake, probot, '/deploy production', 'alice'), /Waiting for 1 approval/);
      // dave reads the request for HEAD and approves it...
      const approve = writtenComment(
        fake,
        probot,
        named ? '/approve-deploy production' : '/approve-deploy',
        'dave',
      );
      // ...while alice pushes (GitHub tells the App), and asks again for the new head, before the App handles
      // dave's comment.
      await pushToPull(fake, probot, PUSHED, 'alice');
      assert.match(await sayOnPull(fake, probot, '/deploy production', 'alice'), /Waiting for 1 approval/);

      const reply = await approve();
      assert.equal(deployments(fake).length, 0, 'nothing deployed on an approval of another commit');
      assert.match(reply, /\*\*Not accepted\*\* \(`head_moved`\)/);
      assert.match(reply, new RegExp(`\`${HEAD.slice(0, 12)}\``), 'names the commit the approver saw');
      assert.match(reply, new RegExp(`\`${PUSHED.slice(0, 12)}\``), 'names the head now');
      assert.deepEqual(await ledgerAt(fake, PUSHED), [], 'no approval recorded for the pushed commit');

      // Approving again, now that the request names the new head, counts for it.
      const again = await sayOnPull(fake, probot, '/approve-deploy production', 'dave');
      assert.match(
        again,
        new RegExp(`Approval by @dave recorded for \`production\` at \`${PUSHED.slice(0, 12)}\``),
      );
      assert.equal(deployments(fake).length, 1);
      assert.equal(deployments(fake)[0]!.sha, PUSHED);
    });
  });

test('an approval written before a push, with no new request yet, is not recorded for the pushed commit', async () => {
  await withSeededApp(seed, async (fake, probot) => {
    assert.match(await sayOnPull(fake, probot, '/deploy production', 'alice'), /Waiting for 1 approval/);
    const approve = writtenComment(fake, probot, '/approve-deploy production', 'dave');
    fake.pushCommit(PR, PUSHED, { author: 'alice' });
    assert.match(await approve(), /\(`head_moved`\)/);
    assert.deepEqual(await ledgerAt(fake, PUSHED), []);
    // The next request for the pushed commit waits for an approval: dave's did not carry over.
    assert.match(await sayOnPull(fake, probot, '/deploy production', 'alice'), /Waiting for 1 approval/);
    assert.equal(deployments(fake).length, 0);
  });
});

test('an approval written after the request for the current head counts, and says the commit it was recorded for', async () => {
  await withSeededApp(seed, async (fake, probot) => {
    fake.pushCommit(PR, PUSHED, { author: 'alice' });
    assert.match(await sayOnPull(fake, probot, '/deploy production', 'alice'), /Waiting for 1 approval/);
    const reply = await sayOnPull(fake, probot, '/approve-deploy production', 'dave');
    assert.match(reply, new RegExp(`recorded for \`production\` at \`${PUSHED.slice(0, 12)}\``));
    assert.equal(deployments(fake)[0]!.sha, PUSHED);
    assert.equal(HEAD === PUSHED, false);
  });
});

test('once the App has said a push moved the head, an approval written after that counts for the new head; one written before does not', async () => {
  await withSeededApp(seed, async (fake, probot) => {
    assert.match(await sayOnPull(fake, probot, '/deploy production', 'alice'), /Waiting for 1 approval/);
    const before = writtenComment(fake, probot, '/approve-deploy production', 'erin');
    await pushToPull(fake, probot, PUSHED, 'alice');
    const notice = appReplies(fake).at(-1)!;
    assert.match(notice, new RegExp(`New commit \`${PUSHED.slice(0, 7)}\` was pushed`));
    assert.match(notice, /ask `?\/deploy production`? again for `0aa02df`/);
    // erin's approval was written before the notice (and before the push): not for the pushed commit.
    assert.match(await before(), /\(`head_moved`\)/);
    // dave approves after the notice, ahead of a new request: for the pushed commit.
    const after = await sayOnPull(fake, probot, '/approve-deploy production', 'dave');
    assert.match(
      after,
      new RegExp(`Approval by @dave recorded for \`production\` at \`${PUSHED.slice(0, 12)}\``),
    );
    assert.equal((await ledgerAt(fake, PUSHED)).length, 1);
    // Unnamed, with no request at the new head: as before, name the environment.
    assert.match(await sayOnPull(fake, probot, '/approve-deploy', 'erin'), /`no_pending_request`/);
    // Its approval counts: the request deploys at once (the status comment is the answer).
    await writtenComment(fake, probot, '/deploy production', 'alice')();
    assert.equal(deployments(fake).length, 1);
    assert.equal(deployments(fake)[0]!.sha, PUSHED);
  });
});

test('a veto written before a push still stops the pushed commit', async () => {
  await withSeededApp(seed, async (fake, probot) => {
    assert.match(await sayOnPull(fake, probot, '/deploy production', 'alice'), /Waiting for 1 approval/);
    const veto = writtenComment(fake, probot, '/reject-deploy production "not this"', 'erin');
    fake.pushCommit(PR, PUSHED, { author: 'alice' });
    assert.match(
      await veto(),
      new RegExp(`\\*\\*Veto\\*\\* by @erin recorded for \`production\` at \`${PUSHED.slice(0, 12)}\``),
    );
    await sayOnPull(fake, probot, '/deploy production', 'alice');
    await sayOnPull(fake, probot, '/approve-deploy production', 'dave');
    assert.equal(deployments(fake).length, 0);
  });
});

test('the refusal shows the new head: approving again after it counts for that commit', async () => {
  await withSeededApp(seed, async (fake, probot) => {
    assert.match(await sayOnPull(fake, probot, '/deploy production', 'alice'), /Waiting for 1 approval/);
    const approve = writtenComment(fake, probot, '/approve-deploy production', 'dave');
    fake.pushCommit(PR, PUSHED, { author: 'alice' });
    assert.match(await approve(), /\(`head_moved`\).*approve again if `0aa02df77230` should deploy/s);
    const again = await sayOnPull(fake, probot, '/approve-deploy production', 'dave');
    assert.match(
      again,
      new RegExp(`Approval by @dave recorded for \`production\` at \`${PUSHED.slice(0, 12)}\``),
    );
    assert.equal(deployments(fake).length, 0, 'the request was for the old head: nothing deploys');
    // A request for the pushed commit finds dave's approval and deploys it.
    await writtenComment(fake, probot, '/deploy production', 'alice')();
    assert.equal(deployments(fake).length, 1);
    assert.equal(deployments(fake)[0]!.sha, PUSHED);
  });
});

test('a /deploy written before a push does not deploy the pushed commit; asked again after the refusal, it does', async () => {
  await withSeededApp(seed, async (fake, probot) => {
    // The App has shown HEAD (a request waiting for production).
    assert.match(await sayOnPull(fake, probot, '/deploy production', 'alice'), /Waiting for 1 approval/);
    const deploy = writtenComment(fake, probot, '/deploy staging', 'alice');
    fake.pushCommit(PR, PUSHED, { author: 'carol' });
    const reply = await deploy();
    assert.match(reply, /\*\*Not accepted\*\* \(`head_moved`\)/);
    assert.match(reply, new RegExp(`was \`${HEAD.slice(0, 12)}\`; it is now \`${PUSHED.slice(0, 12)}\``));
    assert.equal(deployments(fake).length, 0, 'nothing deployed for a commit its requester never saw');
    await writtenComment(fake, probot, '/deploy staging', 'alice')();
    assert.equal(deployments(fake).length, 1);
    assert.equal(deployments(fake)[0]!.sha, PUSHED);
  });
});

test('two pushes in a row: each is told with its head, so a /deploy and an approval after the second act on it', async () => {
  await withSeededApp(seed, async (fake, probot) => {
    assert.match(await sayOnPull(fake, probot, '/deploy production', 'alice'), /Waiting for 1 approval/);
    const third = fakeSha('pr-7-third');
    await pushToPull(fake, probot, PUSHED, 'alice');
    await pushToPull(fake, probot, third, 'alice');
    assert.match(appReplies(fake).at(-1)!, new RegExp(`New commit \`${third.slice(0, 7)}\` was pushed`));
    assert.match(await sayOnPull(fake, probot, '/deploy production', 'alice'), /Waiting for 1 approval/);
    await writtenComment(fake, probot, '/approve-deploy production', 'dave')();
    assert.equal(deployments(fake).length, 1);
    assert.equal(deployments(fake)[0]!.sha, third);
  });
});

// ---- the head a command was written at, before the App has shown any ---------------------------------

const target = (fake: FakeGitHub) => ({
  owner: 'acme',
  repo: 'web',
  baseUrl: fake.url,
  installationId: fake.state.installationId,
});
type Receive = Parameters<Probot['receive']>[0];

/** pull_request.opened, GitHub creating the pull request at `at`. */
const opened = (fake: FakeGitHub, probot: Probot, at: string) =>
  probot.receive({
    id: crypto.randomUUID(),
    name: 'pull_request',
    payload: webhookPayload(
      'pull_request',
      'opened',
      {
        number: PR,
        pull_request: { number: PR, head: { sha: HEAD }, created_at: at, updated_at: at },
        repository: { default_branch: 'main' },
      },
      target(fake),
    ),
  } as Receive);

/** A push (or a force-push) moves the head to `sha` at `at`, and GitHub tells the App. */
async function pushedAt(fake: FakeGitHub, probot: Probot, sha: string, at: string): Promise<void> {
  const pull = fake.repo().pulls.get(PR)!;
  const before = pull.headSha;
  if (fake.repo().commits.has(sha)) pull.headSha = sha;
  else fake.pushCommit(PR, sha, { author: 'alice' });
  const payload = synchronizePayload(fake, before, sha);
  payload.pull_request = { ...(payload.pull_request as object), updated_at: at };
  await probot.receive({ id: crypto.randomUUID(), name: 'pull_request', payload } as Receive);
}

/** `user` writes `body` at `at` (GitHub's created_at); the App gets it only when the result is called. */
function writtenAt(fake: FakeGitHub, probot: Probot, body: string, user: string, at: string) {
  const { payload } = commentOnPull(fake, body, { user });
  (payload.comment as Record<string, unknown>).created_at = at;
  return async (): Promise<string> => {
    const before = appReplies(fake).length;
    await probot.receive({ id: crypto.randomUUID(), name: 'issue_comment', payload } as Receive);
    return appReplies(fake).slice(before).join('\n');
  };
}

test('a /deploy written at one head and handled after a push, before the App showed any head, does not deploy the pushed commit', async () => {
  await withSeededApp(seed, async (fake, probot) => {
    await opened(fake, probot, '2026-12-01T09:00:00Z');
    // alice reads the pull request at HEAD and asks; staging needs no approval...
    const deploy = writtenAt(fake, probot, '/deploy staging', 'alice', '2026-12-01T09:05:00Z');
    // ...and someone pushes before the App handles her comment.
    await pushedAt(fake, probot, PUSHED, '2026-12-01T09:06:00Z');
    assert.deepEqual(appReplies(fake), [], 'the heads are kept without a comment on the pull request');
    assert.ok(fake.repo().refs.has('deploy-heads/pr-7'));
    const reply = await deploy();
    assert.match(reply, /\*\*Not accepted\*\* \(`head_moved`\)/);
    assert.match(
      reply,
      /was written when the pull request's head was `[0-9a-f]{12}`; it is now `[0-9a-f]{12}`/,
    );
    assert.ok(reply.includes(HEAD.slice(0, 12)) && reply.includes(PUSHED.slice(0, 12)));
    assert.equal(deployments(fake).length, 0, 'nothing deployed');
    // Asked again after the push: the pushed commit deploys.
    await writtenAt(fake, probot, '/deploy staging', 'alice', '2026-12-01T09:07:00Z')();
    assert.deepEqual(
      deployments(fake).map((d) => d.sha),
      [PUSHED],
    );
  });
});

test('a command written after the push it acts on deploys; one written while a force-pushed-away commit was the head does not', async () => {
  await withSeededApp(seed, async (fake, probot) => {
    await opened(fake, probot, '2026-12-01T09:00:00Z');
    await pushedAt(fake, probot, PUSHED, '2026-12-01T09:02:00Z');
    await writtenAt(fake, probot, '/deploy staging', 'alice', '2026-12-01T09:03:00Z')();
    assert.deepEqual(
      deployments(fake).map((d) => d.sha),
      [PUSHED],
      'written at the head it is handled at: deployed',
    );
  });
  await withSeededApp(seed, async (fake, probot) => {
    await opened(fake, probot, '2026-12-01T09:00:00Z');
    await pushedAt(fake, probot, PUSHED, '2026-12-01T09:02:00Z');
    // Written at PUSHED, and one in the very second of the force-push back to HEAD, handled after it.
    const atPushed = writtenAt(fake, probot, '/deploy staging', 'alice', '2026-12-01T09:03:00Z');
    const sameSecond = writtenAt(fake, probot, '/deploy staging', 'alice', '2026-12-01T09:04:00Z');
    await pushedAt(fake, probot, HEAD, '2026-12-01T09:04:00Z');
    // Which head it saw cannot be told.
    assert.match(await sameSecond(), /\(`head_moved`\).*`same_second`/s);
    const reply = await atPushed();
    assert.match(reply, /\(`head_moved`\).*was written when the pull request's head was/s);
    assert.ok(reply.includes(PUSHED.slice(0, 12)));
    assert.equal(deployments(fake).length, 0, 'HEAD was never asked for after it came back');
  });
});

test('after a force-push back to a commit the App showed earlier, a command written while it showed another is refused', async () => {
  await withSeededApp(seed, async (fake, probot) => {
    // The App shows HEAD (a request waiting for approval), then PUSHED (its notice of the push).
    assert.match(await sayOnPull(fake, probot, '/deploy production', 'alice'), /Waiting for 1 approval/);
    await pushToPull(fake, probot, PUSHED, 'alice');
    // alice writes while PUSHED is the head the App shows; the head goes back to HEAD before it is handled.
    const deploy = writtenComment(fake, probot, '/deploy staging', 'alice');
    await pushedAt(fake, probot, HEAD, '2026-12-01T09:10:00Z');
    const reply = await deploy();
    assert.match(reply, /\(`head_moved`\).*as the App last showed it, was `[0-9a-f]{12}`/s);
    assert.ok(reply.includes(PUSHED.slice(0, 12)));
    assert.equal(deployments(fake).length, 0);
  });
});

test("a push's delivery handled after a later push's (out of order, or delivered again) tells nothing: approvals of the head count", async () => {
  await withSeededApp(seed, async (fake, probot) => {
    assert.match(await sayOnPull(fake, probot, '/deploy production', 'alice'), /Waiting for 1 approval/);
    const later = fakeSha('pr-7-pushed-after-that');
    const deliver = (before: string, after: string) =>
      probot.receive({
        id: crypto.randomUUID(),
        name: 'pull_request',
        payload: synchronizePayload(fake, before, after),
      } as Parameters<Probot['receive']>[0]);
    // Two pushes; GitHub delivers the second one's event first.
    fake.pushCommit(PR, PUSHED, { author: 'alice' });
    fake.pushCommit(PR, later, { author: 'alice' });
    await deliver(PUSHED, later);
    const told = appReplies(fake).length;
    await deliver(HEAD, PUSHED);
    assert.equal(appReplies(fake).length, told, 'the earlier push is not told as the new head');
    assert.match(await sayOnPull(fake, probot, '/deploy production', 'alice'), /Waiting for 1 approval/);
    // The first push's event delivered again, days later: nothing either.
    await deliver(HEAD, PUSHED);
    assert.equal(appReplies(fake).length, told + 1);
    const reply = await sayOnPull(fake, probot, '/approve-deploy production', 'dave');
    assert.match(reply, new RegExp(`recorded for \`production\` at \`${later.slice(0, 12)}\``));
    assert.deepEqual(
      deployments(fake).map((d) => d.sha),
      [later],
    );
  });
});
