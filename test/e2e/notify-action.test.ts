// The Action's wiring of notifications (the sources, run as the runner runs them): a deployment notifies the
// fake Slack Web API (one message updated in place) and a signed webhook with the run's links and deployer,
// the secret values are masked for the job log (::add-mask::) and appear in no other line and no payload.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { createAppDeployment, runBuiltAction } from '../helpers/action.ts';
import type { ActionEvent } from '../helpers/action.ts';
import { createFakeGitHub, fakeSha, webhookPayload } from '../fake-github/index.ts';
import { repoRoot } from '../helpers/cli.ts';
import { fakeSlack, webhookReceiver } from '../helpers/notify-receivers.ts';

const TOKEN = 'xoxb-333-444-ACTIONSECRETTOKEN';
const HMAC = 'hmac-ACTIONSECRET';
const ACTOR = 'mallory<!channel>';

/**
 * A run of the built Action (as the runner runs it) whose environment notifies the fake Slack Web API and a
 * signed webhook (on `succeeded`); what each received. The run must succeed and the webhook get one post.
 */
async function notifiedRun(
  t: { after(fn: () => unknown): void },
  opts: {
    event?: ActionEvent;
    env?: NodeJS.ProcessEnv;
    inputs?: Record<string, string>;
    hookPath?: string;
  } = {},
) {
  const dir = await mkdtemp(join(tmpdir(), 'notify-action-'));
  const slack = await fakeSlack();
  const audit = await webhookReceiver(HMAC);
  t.after(async () => {
    await Promise.all([slack.close(), audit.close()]);
    await rm(dir, { recursive: true, force: true });
  });
  await writeFile(
    join(dir, 'deploy.yml'),
    `preset: fast
target:
  commands:
    deploy: ${JSON.stringify([process.execPath, '-e', '0', '{{version}}'])}
notifications:
  channels:
    slack: { type: slack, token_env: SLACK_BOT_TOKEN, channel: C0123 }
    audit: { type: webhook, url_env: AUDIT_URL, secret_env: AUDIT_SECRET, events: [succeeded] }
environments:
  web: { monitor: 0 }
`,
  );
  const hookUrl = `${audit.url}${opts.hookPath ?? '/hook'}`;
  const run = await runBuiltAction({
    dir,
    entry: join(repoRoot, 'src/action/index.ts'),
    inputs: { environment: 'web', version: 'v7', config: 'deploy.yml', ...opts.inputs },
    ...(opts.event ? { event: opts.event } : {}),
    env: {
      GITHUB_REPOSITORY: 'acme/shop',
      GITHUB_SHA: 'b'.repeat(40),
      GITHUB_ACTOR: 'alice',
      SLACK_BOT_TOKEN: TOKEN,
      AUDIT_URL: hookUrl,
      AUDIT_SECRET: HMAC,
      DEPLOY_ACTION_SLACK_API_URL: slack.apiUrl,
      ...opts.env,
    },
  });
  assert.equal(run.status, 0, run.stdout + run.stderr);
  assert.equal(run.outputs.status, 'succeeded');
  assert.equal(audit.received.length, 1);
  const [post] = audit.received;
  assert.ok(post!.verified);
  assert.deepEqual(post!.problems, []);
  for (const call of slack.received) assert.deepEqual(call.problems, []);
  return { run, post: post!, slack, hookUrl };
}

// Each test has its own workspace, receivers and fake GitHub, and mostly waits on the action's run: side by side.
describe('the Action notifies', { concurrency: true }, () => {
  test('the Action notifies Slack and a signed webhook, and masks their secrets', async (t) => {
    const { run, post, slack, hookUrl } = await notifiedRun(t, {
      env: { GITHUB_ACTOR: ACTOR },
      hookPath: '/hook/ACTIONSECRETPATH',
    });
    const top = slack.received.filter((c) => c.method === 'chat.postMessage' && !c.args.thread_ts);
    assert.equal(top.length, 1);
    const updates = slack.received.filter((c) => c.method === 'chat.update');
    assert.deepEqual(
      updates.map((u) => u.args.ts),
      [top[0]!.ts],
    );
    assert.equal(post.body.event, 'succeeded');
    assert.equal(post.body.facts.who, ACTOR);
    assert.equal(post.body.facts.repository, 'acme/shop');
    assert.equal(post.body.facts.run_url, 'https://github.example/acme/shop/actions/runs/4242');

    // Each secret is registered for masking, and is in no other line and no payload.
    const lines = `${run.stdout}\n${run.stderr}`.split('\n');
    for (const secret of [TOKEN, HMAC, hookUrl]) {
      assert.ok(lines.includes(`::add-mask::${secret}`), `${secret} is masked`);
      assert.deepEqual(
        lines.filter((l) => l.includes(secret) && !l.startsWith('::add-mask::')),
        [],
      );
      for (const call of slack.received) assert.ok(!JSON.stringify(call.args).includes(secret));
      assert.ok(!post.raw.includes(secret));
    }
  });

  const HOSTILE_TITLE = 'Fix <!channel> *now* <https://evil.example|click> & `rm -rf`';

  test("the pull request's title comes from a pull_request event as data: escaped for Slack, verbatim in the webhook", async (t) => {
    const event = {
      name: 'pull_request',
      payload: webhookPayload('pull_request', 'synchronize', {
        number: 8,
        pull_request: { number: 8, title: HOSTILE_TITLE },
      }),
    };
    const { post, slack } = await notifiedRun(t, { event });
    assert.equal(post.body.facts.pr_number, '8');
    assert.equal(post.body.facts.pr_title, HOSTILE_TITLE);
    const text = JSON.stringify(slack.received.map((c) => c.args));
    assert.match(text, /Fix &lt;!channel&gt;/, 'the title is in the Slack message, escaped');
    assert.doesNotMatch(text, /<!channel>/, 'never a live @channel');
    assert.doesNotMatch(text, /<https:\/\/evil\.example\|/, 'never a live link');
  });

  test('a deployment event names only the PR number: its title is read from GitHub once, for the messages', async (t) => {
    const fake = await createFakeGitHub({ tokens: { 'action-token': 'github-actions[bot]' } });
    t.after(() => fake.stop());
    fake.seedRepo({
      owner: 'acme',
      repo: 'shop',
      pulls: [{ number: 12, head: fakeSha('pr-12'), user: 'alice', title: HOSTILE_TITLE }],
    });
    const { event } = await createAppDeployment(fake, {
      token: 'action-token',
      owner: 'acme',
      repo: 'shop',
      ref: fakeSha('pr-12'),
      environment: 'web',
      payload: { version: 'v7', pr: 12 },
    });
    const { post } = await notifiedRun(t, {
      event,
      // The fake GitHub needs no 1 s between writes (a dozen seconds of nothing per run otherwise).
      env: { GITHUB_API_URL: fake.url, DEPLOY_ACTION_WRITE_INTERVAL_MS: '0' },
      inputs: { 'github-token': 'action-token' },
    });
    assert.equal(post.body.facts.pr_number, '12');
    assert.equal(post.body.facts.pr_title, HOSTILE_TITLE);
    assert.equal(fake.requestsFor('pulls/get').length, 1, 'one request for the title');
    fake.assertNoViolations();
  });
  test("a failing command's output quoted in a message carries none of the run's secrets: the state key, another channel's values, in any form", async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'notify-action-'));
    const hmac = `${randomBytes(12).toString('base64')}+/=`;
    const audit = await webhookReceiver(hmac);
    t.after(async () => {
      await audit.close();
      await rm(dir, { recursive: true, force: true });
    });
    // Made now: a state key (64 hex digits, the shape `deploy-action state-key` prints) and another channel's
    // URL, neither of which the audit channel knows as its own.
    const stateKey = randomBytes(32).toString('hex');
    const otherUrl = `http://127.0.0.1:9/hooks/planted${randomBytes(9).toString('hex')}`;
    // The command gets the key as a workflow passes it on purpose (the step's env): the action's own inputs
    // never reach a command (util/child-env.ts).
    const script =
      'const k = process.env.DEPLOY_STATE_KEY; ' +
      'console.error("failed:", k, encodeURIComponent(process.env.AUDIT_SECRET), process.env.OTHER_URL); process.exit(1)';
    await writeFile(
      join(dir, 'deploy.yml'),
      `preset: fast
target:
  commands:
    deploy: ${JSON.stringify([process.execPath, '-e', script])}
notifications:
  channels:
    audit: { type: webhook, url_env: AUDIT_URL, secret_env: AUDIT_SECRET }
    other: { type: webhook, url_env: OTHER_URL, secret_env: AUDIT_SECRET }
environments:
  web: { monitor: 0 }
`,
    );
    const run = await runBuiltAction({
      dir,
      entry: join(repoRoot, 'src/action/index.ts'),
      inputs: { environment: 'web', version: 'v7', config: 'deploy.yml', 'state-key': stateKey },
      env: {
        GITHUB_REPOSITORY: 'acme/shop',
        GITHUB_SHA: 'b'.repeat(40),
        AUDIT_URL: `${audit.url}/hook`,
        AUDIT_SECRET: hmac,
        OTHER_URL: otherUrl,
        DEPLOY_STATE_KEY: stateKey,
      },
    });
    assert.notEqual(run.status, 0, run.stdout + run.stderr);
    const raw = audit.received.map((post) => post.raw).join('\n');
    assert.match(raw, /failed: \*\*\*/, 'the failure is told, its values masked');
    for (const secret of [stateKey, hmac, encodeURIComponent(hmac), otherUrl])
      assert.ok(
        !raw.includes(secret) && !raw.includes(JSON.stringify(secret).slice(1, -1)),
        `a message has ${secret}`,
      );
  });
});
