// A command GitHub fails while the App handles it (a 5xx, a refused request) is never met with silence: every
// command, through probot.receive against the fake GitHub, gets one short reply with a stable code and none of
// the error's text (an error quotes what was sent: a URL, a token, a person's words). A redelivery of it while
// GitHub still fails says nothing twice; once GitHub is back, a redelivery of a command that had done nothing
// runs it. A command that had begun (written on GitHub) is not run twice by a redelivery, and says what it did.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Probot } from 'probot';
import type { FakeGitHub } from '../fake-github/index.ts';
import { COMMAND_NAMES } from '../../app/commands/parse.ts';
import type { Dispatch } from '../../app/handlers/comment.ts';
import { keepInstallationOctokits } from '../../app/installation-octokits.ts';
import {
  BOT_LOGIN,
  HEAD,
  PR,
  appReplies,
  approvalsYml,
  capturedLog,
  commentOnPull,
  deployYml,
  rest,
  withSeededApp,
} from './helpers.ts';

type Receive = Parameters<Probot['receive']>[0];

const CONFIG = approvalsYml({ deployers: ['alice'], approvers: ['carol'], required: 1 });
const SEED = {
  config: CONFIG,
  collaborators: { alice: 'write' as const, carol: 'write' as const },
  pulls: [{ number: PR, head: HEAD, user: 'alice' }],
};

/** What a failed request's error says (Octokit puts GitHub's message in the error): none of it may be shown. */
const ERROR_TEXT = 'LEAK x-access-token:ghs_0000 <b>@acme/everyone</b> /approve-deploy production';

/** One comment for every command (and each way /deploy is asked). */
const COMMANDS: ReadonlyArray<[string, string]> = [
  ['alice', '/deploy production'],
  ['alice', '/deploy production --dry-run'],
  ['alice', '/deploy production --queue'],
  ['alice', '/deploy production at 2030-01-02 10:00 UTC'],
  ['carol', '/approve-deploy production'],
  ['carol', '/reject-deploy production'],
  ['alice', '/rollback production'],
  ['alice', '/lock production'],
  ['alice', '/unlock production'],
  ['alice', '/promote production'],
  ['alice', '/pause production'],
  ['alice', '/resume production'],
  ['alice', '/abort production'],
  ['alice', '/status'],
  ['alice', '/cancel-deploy'],
  ['alice', '/help'],
];

test('the commands listed here are every command the App knows', () => {
  const named = new Set(COMMANDS.map(([, body]) => /^\/([a-z-]+)/.exec(body)![1]));
  assert.deepEqual([...named].sort(), [...COMMAND_NAMES].sort());
});

const reactionsOn = (fake: FakeGitHub, id: number): string[] =>
  (fake.repo().reactions.get(id) ?? [])
    .filter((r) => (r.user as { login: string }).login === BOT_LOGIN)
    .map((r) => String(r.content))
    .sort();

/** The JSON lines of a capturedLog. */
const logLines = (text: string): Array<Record<string, unknown>> =>
  text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

async function receive(probot: Probot, payload: unknown, delivery: string): Promise<boolean> {
  try {
    await probot.receive({ id: delivery, name: 'issue_comment', payload } as Receive);
    return true;
  } catch {
    return false;
  }
}

for (const [user, body] of COMMANDS) {
  test(`GitHub failing every read: ${body} is answered once, with a code and no error text, and runs when redelivered later`, async () => {
    await withSeededApp(SEED, async (fake, probot) => {
      let down = true;
      fake.failNext({
        status: 502,
        times: 1_000_000,
        message: ERROR_TEXT,
        where: (r) => down && r.method === 'GET',
      });
      const { id, payload } = commentOnPull(fake, body, { user });
      const delivery = crypto.randomUUID();
      assert.equal(
        await receive(probot, payload, delivery),
        false,
        'the delivery fails, for GitHub to show it',
      );
      const replies = appReplies(fake);
      assert.equal(replies.length, 1, `one reply: ${replies.join('\n---\n')}`);
      const command = /^\/([a-z-]+)/.exec(body)![1];
      assert.equal(
        replies[0],
        `**Failed** (\`github_unavailable\`): the App could not finish \`/${command}\`: GitHub did not answer one of its requests (HTTP 502). Nothing was started or recorded for it: comment it again (or redeliver the webhook) to try again.`,
      );
      // Redelivered while GitHub still fails: nothing said twice.
      assert.equal(await receive(probot, payload, delivery), false);
      assert.equal(appReplies(fake).length, 1, 'no second reply');
      // GitHub is back; redelivered: the command runs and is answered (or deploys: its status comment).
      down = false;
      const comments = fake.repo().comments.size;
      assert.equal(await receive(probot, payload, delivery), true);
      assert.ok(fake.repo().comments.size > comments, 'answered once GitHub is back');
      assert.equal(appReplies(fake).filter((r) => r.startsWith('**Failed**')).length, 1);
      assert.ok(reactionsOn(fake, id).includes('eyes'), 'picked up');
      // And never again.
      const all = fake.repo().comments.size;
      assert.equal(await receive(probot, payload, delivery), true);
      assert.equal(fake.repo().comments.size, all, 'a later redelivery answers nothing twice');
      for (const reply of appReplies(fake))
        assert.ok(!reply.includes('LEAK') && !reply.includes('ghs_'), reply);
    });
  });
}

for (const kept of [false, true])
  test(`a /deploy GitHub fails after it had begun: one reply saying what was done, and a redelivery does nothing twice${kept ? " (one installation's Octokit kept for every delivery, as the server keeps it)" : ''}`, async () => {
    const config = deployYml(`
  staging:
    approvals:
      deployers: [alice]
      required: 0
`);
    await withSeededApp({ ...SEED, config }, async (fake, probot) => {
      if (kept) await keepInstallationOctokits(probot);
      fake.failNext({
        status: 502,
        times: 1_000_000,
        message: ERROR_TEXT,
        operationId: 'repos/create-deployment',
      });
      const { id, payload } = commentOnPull(fake, '/deploy staging', { user: 'alice' });
      const delivery = crypto.randomUUID();
      assert.equal(await receive(probot, payload, delivery), false);
      const replies = appReplies(fake);
      assert.equal(replies.length, 1, replies.join('\n---\n'));
      assert.match(
        replies[0]!,
        /^\*\*Failed\*\* \(`github_unavailable`\): the App could not finish `\/deploy`: GitHub did not answer one of its requests \(HTTP 502\)\. It had begun: it asked GitHub for a deployment \(the status comment on this pull request says whether one was made\); it posted on this pull request \(above\); it wrote some of its records \(a lock, an approval, a request\)\. It is not tried again by itself/,
      );
      // Its status comment says the deployment was not created, by GitHub's status only.
      const status = [...fake.repo().comments.values()].find((c) =>
        String(c.body).startsWith('<!-- deploy-action:status'),
      );
      assert.match(
        String(status?.body),
        /the deployment could not be created \\\(GitHub answered HTTP 502\\\)\n/,
      );
      assert.deepEqual(reactionsOn(fake, id), ['confused', 'eyes'], 'picked up, and told it failed');
      const all = fake.repo().comments.size;
      assert.equal(
        await receive(probot, payload, delivery),
        true,
        'the redelivery finds the comment answered',
      );
      assert.equal(fake.repo().comments.size, all, 'nothing said twice');
      assert.equal(fake.repo().deployments.size, 0);
      for (const c of fake.repo().comments.values())
        assert.ok(!String(c.body).includes('LEAK'), String(c.body));
    });
  });

for (const body of ['/status', '/lock production'])
  test(`${body} failing having started nothing, then answered when redelivered: the App's 😕 of the failure is taken back, anyone else's stays`, async () => {
    await withSeededApp({ ...SEED, fake: { tokens: { 'carol-token': 'carol' } } }, async (fake, probot) => {
      const { id, payload } = commentOnPull(fake, body, { user: 'alice' });
      // Someone else's 😕 on the command.
      await rest(fake, 'POST', `/issues/comments/${id}/reactions`, { content: 'confused' }, 'carol-token');
      let down = true;
      fake.failNext({ status: 502, times: 1_000_000, where: (r) => down && r.method === 'GET' });
      const delivery = crypto.randomUUID();
      assert.equal(await receive(probot, payload, delivery), false);
      assert.deepEqual(reactionsOn(fake, id), ['confused'], 'told it failed');
      down = false;
      assert.equal(await receive(probot, payload, delivery), true);
      assert.ok(
        !reactionsOn(fake, id).includes('confused'),
        'the failure is no longer shown beside the answer',
      );
      assert.ok(reactionsOn(fake, id).includes('eyes'), 'picked up');
      assert.deepEqual(
        (fake.repo().reactions.get(id) ?? [])
          .filter((r) => r.content === 'confused')
          .map((r) => (r.user as { login: string }).login),
        ['carol'],
      );
    });
  });

test("a command that read its own comment and found no 😕 on it reads no reactions; the App's own 😕 of a failure before is still found and taken back", async () => {
  await withSeededApp(SEED, async (fake, probot) => {
    const listed = () => fake.requestsFor('reactions/list-for-issue-comment').length;
    // Answered at once: GitHub counted no 😕 on the comment when /status read the pull request's comments.
    const first = commentOnPull(fake, '/status', { user: 'alice' });
    assert.equal(await receive(probot, first.payload, crypto.randomUUID()), true);
    assert.deepEqual(reactionsOn(fake, first.id), ['eyes']);
    assert.equal(listed(), 0, 'no 😕 counted, none read');
    // Failed having started nothing (the App's 😕, its 👀 taken back), then redelivered: the 😕 is counted on
    // the comment, so the App's own is read and taken back.
    const { id, payload } = commentOnPull(fake, '/status', { user: 'alice' });
    let down = true;
    fake.failNext({ status: 502, times: 1_000_000, where: (r) => down && r.method === 'GET' });
    const delivery = crypto.randomUUID();
    assert.equal(await receive(probot, payload, delivery), false);
    assert.deepEqual(reactionsOn(fake, id), ['confused'], 'told it failed');
    down = false;
    assert.equal(await receive(probot, payload, delivery), true);
    assert.deepEqual(reactionsOn(fake, id), ['eyes'], 'the failure is no longer shown beside the answer');
    assert.equal(listed(), 1);
  });
});

test('a command whose answer GitHub refuses after it had begun: its 😕 stays beside the 👀 (no reply can be posted), and the log says so with the delivery id and code', async () => {
  const { log, text } = capturedLog('info');
  await withSeededApp({ ...SEED, log }, async (fake, probot) => {
    // Every comment refused (as on a pull request GitHub no longer takes comments on): the lock is written,
    // its answer and the failure's reply are not.
    fake.failNext({
      status: 403,
      times: 1_000_000,
      message: ERROR_TEXT,
      operationId: 'issues/create-comment',
    });
    const { id, payload } = commentOnPull(fake, '/lock production', { user: 'alice' });
    const delivery = crypto.randomUUID();
    assert.equal(await receive(probot, payload, delivery), false);
    assert.deepEqual(appReplies(fake), [], 'nothing could be posted');
    assert.ok(
      [...fake.repo().refs.keys()].some((r) => r.startsWith('deploy-locks/')),
      'the lock was written',
    );
    assert.deepEqual(reactionsOn(fake, id), ['confused', 'eyes'], 'picked up, and shown it failed');
    const failed = logLines(text()).filter((l) => l.msg === 'command failed');
    assert.deepEqual(
      failed.map((l) => [l.level, l.delivery, l.comment, l.code, l.status, l.told]),
      [[40, delivery, id, 'github_refused', 403, 'reaction']],
    );
    assert.ok(!JSON.stringify(failed).includes('LEAK'), 'no error text in the line');
    // The redelivery finds the comment handled: it neither locks nor tells twice.
    assert.equal(await receive(probot, payload, delivery), true);
    assert.deepEqual(reactionsOn(fake, id), ['confused', 'eyes']);
  });
});

test("one installation's Octokit kept for every delivery (as the server keeps it): a command's failure counts its own writes, never another delivery's", async () => {
  // /status fails once /help (another comment, handled at the same time) has been answered: the reply
  // /help posted is no write of the /status, which wrote nothing and runs again when redelivered.
  let helpAnswered!: () => void;
  const answered = new Promise<void>((resolve) => (helpAnswered = resolve));
  const dispatch: Dispatch = async (command) => {
    if (command.kind === 'help') return { reaction: 'eyes', body: 'Help.' };
    await answered;
    throw Object.assign(new Error(ERROR_TEXT), { status: 502 });
  };
  await withSeededApp({ ...SEED, app: { dispatch } }, async (fake, probot) => {
    await keepInstallationOctokits(probot);
    const status = commentOnPull(fake, '/status', { user: 'alice' });
    const help = commentOnPull(fake, '/help', { user: 'carol' });
    const statusDelivery = receive(probot, status.payload, crypto.randomUUID());
    // The /help is handled while the /status is at work (its 👀 made, its dispatch waiting).
    while (!reactionsOn(fake, status.id).includes('eyes')) await new Promise((r) => setImmediate(r));
    assert.equal(await receive(probot, help.payload, crypto.randomUUID()), true);
    assert.ok(appReplies(fake).includes('Help.'));
    helpAnswered();
    assert.equal(await statusDelivery, false);
    assert.equal(
      appReplies(fake).at(-1),
      '**Failed** (`github_unavailable`): the App could not finish `/status`: GitHub did not answer one of its requests (HTTP 502). Nothing was started or recorded for it: comment it again (or redeliver the webhook) to try again.',
    );
    assert.deepEqual(reactionsOn(fake, status.id), ['confused'], 'its 👀 taken back: a redelivery runs it');
  });
});
