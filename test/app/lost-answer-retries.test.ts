// The App's GitHub client as the server builds it: Octokit's retry on (a 5xx or a cut connection is tried
// again), one Octokit kept per installation (installation-octokits.ts). A create whose answer GitHub lost has
// landed all the same, and repeated blindly it found its own write and took it for another delivery's: the
// comment's 👀 (the App's key that a command was picked up) answered 200, and the command was "already
// handled", never answered, however often it was redelivered. Creates are not repeated blindly; the App's
// own read-backs (claims, locks, deployments) and its failure path take over.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Probot } from 'probot';
import { AppOctokit } from '../../app/octokit.ts';
import type { FakeGitHub } from '../fake-github/index.ts';
import { createsSomething, keepInstallationOctokits } from '../../app/installation-octokits.ts';
import { appReplies, commentOnPull, deployYml, PR, seededFake, testApp, testProbot } from './helpers.ts';
import { reviewPayload } from './delivery-helpers.ts';

type Receive = Parameters<Probot['receive']>[0];

/** The App's Octokit as in production (retry on), its back-off a millisecond, GitHub's write spacing off. */
const RetryingOctokit = AppOctokit.defaults((options: Record<string, unknown>) => ({
  ...options,
  throttle: { ...(options.throttle as object), enabled: false },
  retry: { retryAfterBaseValue: 1 },
}));

async function withServerLikeApp(body: (fake: FakeGitHub, probot: Probot) => Promise<void>) {
  const fake = await seededFake({
    config: deployYml(`
  staging:
    approvals:
      deployers: [alice]
      required: 0
`),
    collaborators: { alice: 'write' },
  });
  try {
    const probot = testProbot(fake, undefined, RetryingOctokit);
    await keepInstallationOctokits(probot);
    await probot.load(testApp());
    await body(fake, probot);
  } finally {
    await fake.stop();
  }
}

async function receive(probot: Probot, payload: Record<string, unknown>, id: string): Promise<boolean> {
  try {
    await probot.receive({ id, name: 'issue_comment', payload } as Receive);
    return true;
  } catch {
    return false;
  }
}

const reactionsOn = (fake: FakeGitHub, id: number) =>
  (fake.repo().reactions.get(id) ?? []).map((r) => String(r.content)).sort();

test('a command whose 👀 GitHub made but answered 502: the person is told once, to comment it again, and a new comment answers it', async () => {
  await withServerLikeApp(async (fake, probot) => {
    fake.failNext({ status: 502, operationId: 'reactions/create-for-issue-comment', afterWrite: true });
    const { id, payload } = commentOnPull(fake, '/status staging', { user: 'alice' });
    const delivery = crypto.randomUUID();
    assert.equal(
      await receive(probot, payload, delivery),
      false,
      'the delivery fails, for GitHub to show it',
    );
    const told = appReplies(fake);
    assert.equal(told.length, 1, `one reply, not silence: ${told.join('\n---\n')}`);
    assert.match(told[0]!, /^\*\*Failed\*\* \(`github_unavailable`\): the App could not finish `\/status`/);
    // The 👀 that landed cannot be told from another delivery's (the next test): it stays, and the reply does
    // not send the person to a redelivery that would find it.
    assert.match(told[0]!, /comment it again to try again/);
    assert.ok(reactionsOn(fake, id).includes('eyes'), reactionsOn(fake, id).join());

    const again = commentOnPull(fake, '/status staging', { user: 'alice' });
    assert.equal(await receive(probot, again.payload, crypto.randomUUID()), true);
    const replies = appReplies(fake);
    assert.equal(replies.length, 2, replies.join('\n---\n'));
    assert.match(replies[1]!, /#### `staging`/, 'the new comment is answered');
  });
});

test('a 👀 GitHub answered 502 without making it: the redelivery the reply offers answers the command', async () => {
  await withServerLikeApp(async (fake, probot) => {
    fake.failNext({ status: 502, operationId: 'reactions/create-for-issue-comment' });
    const { id, payload } = commentOnPull(fake, '/status staging', { user: 'alice' });
    const delivery = crypto.randomUUID();
    assert.equal(await receive(probot, payload, delivery), false);
    const told = appReplies(fake);
    assert.equal(told.length, 1, told.join('\n---\n'));
    assert.match(told[0]!, /redeliver the webhook/);
    assert.ok(!reactionsOn(fake, id).includes('eyes'), reactionsOn(fake, id).join());
    assert.equal(await receive(probot, payload, delivery), true);
    const replies = appReplies(fake);
    assert.equal(replies.length, 2, replies.join('\n---\n'));
    assert.match(replies[1]!, /#### `staging`/, 'the redelivery answers the command');
  });
});

test('a claim ref GitHub made but answered 502 is the delivery’s own: a command in a review is answered, not left to nobody', async () => {
  await withServerLikeApp(async (fake, probot) => {
    // The review's answer is claimed (answer-once.ts): the claim ref lands, its answer is lost. Repeated, the
    // create found it "already exists", held by another delivery, which was none: nobody answered.
    fake.failNext({ status: 502, operationId: 'git/create-ref', afterWrite: true });
    const payload = reviewPayload(fake, { id: 901, body: '/deploy staging', login: 'alice', pr: PR });
    await probot.receive({ id: crypto.randomUUID(), name: 'pull_request_review', payload } as Receive);
    const replies = appReplies(fake);
    assert.equal(replies.length, 1, `one answer: ${replies.join('\n---\n')}`);
    assert.match(replies[0]!, /was written in a review, where the App reads no commands/);
    assert.deepEqual(
      [...fake.repo().refs.keys()].filter((r) => r.startsWith('deploy-answering/')),
      [],
      'the claim is given back once answered',
    );
  });
});

test('what is never repeated blindly: a create (POST), a GraphQL mutation; a read, a GraphQL query and a token are', () => {
  assert.equal(
    createsSomething('POST', '/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions'),
    true,
  );
  assert.equal(createsSomething('POST', '/repos/{owner}/{repo}/git/refs'), true);
  assert.equal(createsSomething('post', 'https://ghe.example/api/v3/repos/a/b/deployments?x=1'), true);
  assert.equal(createsSomething('POST', '/graphql', '# why\nmutation { resolveReviewThread }'), true);
  assert.equal(createsSomething('POST', '/graphql', 'query { viewer { login } }'), false);
  assert.equal(createsSomething('POST', '/graphql', '{ viewer { login } }'), false);
  assert.equal(createsSomething('POST', '/app/installations/{installation_id}/access_tokens'), false);
  assert.equal(createsSomething('GET', '/repos/{owner}/{repo}/git/refs'), false);
  assert.equal(createsSomething('PATCH', '/repos/{owner}/{repo}/issues/comments/{comment_id}'), false);
});

test('a 👀 answered 502 while another delivery of the comment holds it: that key stays, so no redelivery runs the command twice', async () => {
  await withServerLikeApp(async (fake, probot) => {
    const { id, payload } = commentOnPull(fake, '/status staging', { user: 'alice' });
    // Another delivery of this comment (the same one twice at once, on another replica) made the App's 👀 and
    // is running the command. This one's create finds it (GitHub answers 200) and the answer is lost.
    const bot = `${fake.state.appSlug}[bot]`;
    fake.repo().reactions.set(id, [{ id: 990001, content: 'eyes', user: { login: bot, type: 'Bot' } }]);
    fake.failNext({ status: 502, operationId: 'reactions/create-for-issue-comment', afterWrite: true });
    const delivery = crypto.randomUUID();
    assert.equal(await receive(probot, payload, delivery), false, 'the delivery fails');
    // Whose the 👀 is cannot be told from here: it stays, the other delivery's key.
    assert.ok(reactionsOn(fake, id).includes('eyes'), reactionsOn(fake, id).join());
    const told = appReplies(fake);
    assert.equal(told.length, 1, told.join('\n---\n'));
    assert.doesNotMatch(told[0]!, /redeliver the webhook/, 'a redelivery would find the 👀 and do nothing');
    assert.match(told[0]!, /comment it again/);
    // The redelivery does not run the command a second time beside the other delivery.
    assert.equal(await receive(probot, payload, delivery), true);
    assert.equal(appReplies(fake).length, 1, appReplies(fake).join('\n---\n'));
  });
});
