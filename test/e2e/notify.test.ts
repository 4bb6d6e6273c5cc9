// Notifications end to end: real `deploy-action run`s (the CLI as a subprocess) send to loopback receivers
// that check each channel's documented rules: a fake Slack Web API (limits, one message updated in place by
// its ts, thread replies with thread_ts), a Slack incoming webhook, a Teams workflow webhook (envelope and an
// Adaptive Card the adaptivecards library accepts), a signed generic webhook (HMAC verified), one channel that
// never answers and one that answers 500. Runs: a success, a deploy that fails and is rolled back, a canary
// that waits at a manual step until `deploy-action promote`. No secret is in any payload or output line; a
// hanging channel delays nothing but the bounded close; each failing channel is one warning.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CLI_BUNDLE, events, runCli, startCli } from '../helpers/cli.ts';
import {
  failingReceiver,
  fakeSlack,
  hangingReceiver,
  slackWebhookReceiver,
  teamsReceiver,
  webhookReceiver,
} from '../helpers/notify-receivers.ts';

const TOKEN = 'xoxb-111-222-E2ESECRETTOKEN';
const HMAC = 'hmac-E2ESECRET-key';
const HOOK_PATH = 'T000/B000/E2ESECRETHOOKPATH';
const TEAMS_PATH = 'workflows/E2ESECRETTEAMSSIG';
const AUDIT_PATH = 'E2ESECRETAUDITPATH';
const SECRETS = [TOKEN, HMAC, HOOK_PATH, TEAMS_PATH, AUDIT_PATH];
const ACTOR = '<!channel> & *bold* [x](javascript:alert(1)) <@U1> @here';
const CLOSE_MS = 2000;

const receivers = {
  slack: await fakeSlack(),
  hook: await slackWebhookReceiver(),
  teams: await teamsReceiver(),
  audit: await webhookReceiver(HMAC),
  hang: await hangingReceiver(),
  broken: await failingReceiver(),
};
let dir: string;
let config: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'notify-e2e-'));
  config = join(dir, 'deploy.yml');
  const node = JSON.stringify(process.execPath);
  await writeFile(
    config,
    `preset: fast
target:
  commands:
    deploy: [${node}, "-e", "if (process.argv[1] === 'bad') { console.error('boom <!channel> & <https://evil.example|x>'); process.exit(3) }", "{{version}}"]
    set_weight: [${node}, "-e", "0", "{{weight}}"]
notifications:
  contact: "#ops & <!here>"
  channels:
    slack: { type: slack, token_env: NOTIFY_SLACK_TOKEN, channel: C0123 }
    hook: { type: slack, webhook_url_env: NOTIFY_SLACK_HOOK, events: [failed, rolled_back, succeeded] }
    teams: { type: teams, webhook_url_env: NOTIFY_TEAMS_URL }
    audit: { type: webhook, url_env: NOTIFY_AUDIT_URL, secret_env: NOTIFY_AUDIT_SECRET }
    hang: { type: webhook, url_env: NOTIFY_HANG_URL, secret_env: NOTIFY_AUDIT_SECRET }
    broken: { type: teams, webhook_url_env: NOTIFY_BROKEN_URL }
  templates:
    succeeded: { title: "Shipped {{version}} to {{environment}}", text: "{{version}} is live, deployed by {{who}}." }
environments:
  web:
    strategy: direct
    monitor: 0
  canary:
    strategy: { type: canary, steps: [{ weight: 50, pause: manual }, 100], pause: 0 }
    control: { poll_interval: 2s }
    monitor: 0
`,
  );
});

after(async () => {
  await Promise.all(Object.values(receivers).map((r) => r.close()));
  await rm(dir, { recursive: true, force: true });
});

const env = () => ({
  NOTIFY_SLACK_TOKEN: TOKEN,
  NOTIFY_SLACK_HOOK: `${receivers.hook.url}/services/${HOOK_PATH}`,
  NOTIFY_TEAMS_URL: `${receivers.teams.url}/${TEAMS_PATH}`,
  NOTIFY_AUDIT_URL: `${receivers.audit.url}/hook/${AUDIT_PATH}`,
  NOTIFY_AUDIT_SECRET: HMAC,
  NOTIFY_HANG_URL: `${receivers.hang.url}/hang`,
  NOTIFY_BROKEN_URL: `${receivers.broken.url}/broken`,
  DEPLOY_ACTION_SLACK_API_URL: receivers.slack.apiUrl,
  // Each request may take long (10 minutes, beyond the tests' own timeout): the close bound is what ends the
  // hanging channel's wait, so a run that exits, or rolls back, held up by it fails by the timeout. No clock.
  DEPLOY_ACTION_NOTIFY_TIMEOUT_MS: '600000',
  DEPLOY_ACTION_NOTIFY_CLOSE_TIMEOUT_MS: String(CLOSE_MS),
  GITHUB_ACTOR: ACTOR,
  GITHUB_REPOSITORY: 'octo/shop',
  GITHUB_RUN_ID: '42',
  GITHUB_SERVER_URL: 'https://github.com',
  GITHUB_SHA: 'a'.repeat(40),
});

/** Starts a run; resolves with its output and its result once it has exited. */
async function deploy(
  environment: string,
  version: string,
  whileRunning?: () => Promise<void>,
  entry?: string,
) {
  const run = startCli(
    ['run', '-e', environment, '-v', version, '-c', config, '--state-dir', join(dir, 'state'), '--json'],
    { env: env(), entry },
  );
  if (whileRunning) await whileRunning.call(run);
  await run.waitFor((line) => line.startsWith('{"type":"result"'), 60_000);
  const done = await run.done;
  const lines = events(done.stdout);
  const result = lines.find((l) => l.type === 'result')!.result as {
    status: string;
    rollbacks: Array<{ durationMs: number }>;
  };
  const warnings = lines.filter((l) => l.type === 'log' && l.level === 'warn').map((l) => String(l.message));
  return { ...done, lines, result, warnings, run };
}

/** Snapshot counts, so each run's checks see only its own deliveries. */
const marks = () => Object.fromEntries(Object.entries(receivers).map(([k, r]) => [k, r.received.length]));
const since = <K extends keyof typeof receivers>(mark: Record<string, number>, key: K) =>
  receivers[key].received.slice(mark[key]) as (typeof receivers)[K]['received'];

function assertNoSecrets(texts: string[]) {
  for (const text of texts)
    for (const secret of SECRETS) assert.ok(!text.includes(secret), `a secret in: ${text.slice(0, 300)}`);
}

function assertFailingChannelsWarnedOnce(warnings: string[]) {
  const notify = warnings.filter((w) => w.startsWith('notifications:'));
  assert.equal(notify.length, 2, notify.join('\n'));
  assert.ok(
    notify.some((w) => w.includes('"hang"') && w.includes(`not delivered within ${CLOSE_MS / 1000} s`)),
    notify.join('\n'),
  );
  assert.ok(
    notify.some((w) => w.includes('"broken"') && w.includes('HTTP 500')),
    notify.join('\n'),
  );
}

function assertEveryPayloadValid(mark: Record<string, number>) {
  for (const call of since(mark, 'slack')) assert.deepEqual(call.problems, [], JSON.stringify(call.args));
  for (const post of since(mark, 'hook')) assert.deepEqual(post.problems, []);
  for (const post of since(mark, 'teams')) assert.deepEqual(post.problems, [], JSON.stringify(post.body));
  for (const post of since(mark, 'audit')) {
    assert.ok(post.verified, 'signature verifies');
    assert.deepEqual(post.problems, [], post.raw);
  }
  const payloads = [
    ...since(mark, 'slack').map((c) => JSON.stringify(c.args)),
    ...since(mark, 'hook').map((p) => JSON.stringify(p.body)),
    ...since(mark, 'teams').map((p) => JSON.stringify(p.body)),
    ...since(mark, 'audit').map((p) => p.raw),
    ...since(mark, 'broken'),
  ];
  assertNoSecrets(payloads);
  // The hostile actor is inert in Slack (escaped) and in Teams (markdown escaped); exact in the webhook.
  for (const p of [
    ...since(mark, 'slack').map((c) => JSON.stringify(c.args)),
    ...since(mark, 'hook').map((p) => JSON.stringify(p.body)),
  ]) {
    assert.ok(
      !p.includes('<!channel>') &&
        !p.includes('<!here>') &&
        !p.includes('<@U1>') &&
        !p.includes('<https://evil'),
      p,
    );
  }
  for (const p of since(mark, 'teams')) assert.ok(!JSON.stringify(p.body).includes('[x](javascript'));
}

describe('notifications end to end', { concurrency: false, timeout: 120_000 }, () => {
  it('a success: Slack posts then updates the same message, threads the steps; every channel in its rules', async () => {
    const mark = marks();
    const run = await deploy('web', 'v1');
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.result.status, 'succeeded');
    assertFailingChannelsWarnedOnce(run.warnings);
    assertEveryPayloadValid(mark);
    assertNoSecrets([run.stdout, run.stderr]);

    const slack = since(mark, 'slack');
    const top = slack.filter((c) => c.method === 'chat.postMessage' && !c.args.thread_ts);
    assert.equal(top.length, 1, 'one message per deployment');
    assert.equal(top[0]!.token, TOKEN);
    const updates = slack.filter((c) => c.method === 'chat.update');
    assert.equal(updates.length, 1);
    assert.equal(updates[0]!.args.ts, top[0]!.ts, 'updated in place');
    assert.match(updates[0]!.args.blocks[0].text.text, /^Shipped v1 to web$/);
    // Escaped for Slack: no <!channel> mention, no *bold* formatting (look-alike asterisks since 1a5b841).
    assert.match(updates[0]!.args.blocks[1].text.text, /deployed by &lt;!channel&gt; &amp; \u2217bold\u2217/);
    assert.doesNotMatch(updates[0]!.args.blocks[1].text.text, /\*bold\*/);
    const replies = slack.filter((c) => c.args.thread_ts);
    assert.ok(replies.length >= 2, 'the phases in the thread');
    for (const r of replies) assert.equal(r.args.thread_ts, top[0]!.ts);
    assert.ok(replies.some((r) => /^production: succeeded/.test(r.args.text)));

    assert.deepEqual(
      since(mark, 'hook').map((p) => p.body.blocks[0].text.text),
      ['Shipped v1 to web'],
    );
    assert.equal(since(mark, 'teams').length, 2);

    const audit = since(mark, 'audit');
    assert.deepEqual(
      audit.map((p) => p.body.event),
      ['started', 'succeeded'],
    );
    for (const p of audit) {
      assert.equal(p.headers['x-deploy-event'], p.body.event);
      assert.equal(p.headers['x-deploy-delivery'], p.body.delivery);
      assert.match(
        String(p.headers['x-deploy-delivery']),
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
    }
    assert.notEqual(audit[0]!.body.delivery, audit[1]!.body.delivery);
    assert.equal(audit[1]!.body.facts.who, ACTOR, 'the webhook carries the value exactly');
    assert.equal(audit[1]!.body.facts.run_url, 'https://github.com/octo/shop/actions/runs/42');
    assert.equal(audit[1]!.body.facts.contact, '#ops & <!here>');
    assert.ok(since(mark, 'hang').length >= 1 && since(mark, 'broken').length >= 1);
  });

  it('a failed deploy rolled back: the rollback is not held up by the hanging channel; the reason is escaped', async () => {
    const mark = marks();
    const run = await deploy('web', 'bad');
    assert.equal(run.result.status, 'rolled_back');
    assertFailingChannelsWarnedOnce(run.warnings);
    assertEveryPayloadValid(mark);
    assertNoSecrets([run.stdout, run.stderr]);

    const slack = since(mark, 'slack');
    const top = slack.filter((c) => c.method === 'chat.postMessage' && !c.args.thread_ts);
    assert.equal(top.length, 1);
    const update = slack.find((c) => c.method === 'chat.update')!;
    assert.equal(update.args.ts, top[0]!.ts);
    assert.match(update.args.blocks[0].text.text, /^\[Rolled back\] bad to web$/);
    assert.match(
      update.args.blocks[1].text.text,
      /was rolled back: .*boom &lt;!channel&gt; &amp; &lt;https:\/\/evil.example\|x&gt;.*; traffic is back on v1\./,
    );
    const replies = slack.filter((c) => c.args.thread_ts === top[0]!.ts);
    assert.ok(replies.some((r) => /^Rolling back web: /.test(r.args.text)));
    assert.ok(
      replies.some((r) => r.args.reply_broadcast === 'true' || r.args.reply_broadcast === true),
      'the rollback reaches the channel',
    );
    assert.deepEqual(
      since(mark, 'hook').map((p) => p.body.blocks[0].text.text),
      ['[Rolled back] bad to web'],
    );
    const audit = since(mark, 'audit');
    assert.deepEqual(
      audit.map((p) => p.body.event),
      ['started', 'rolled_back'],
    );
    assert.match(audit[1]!.body.facts.reason, /boom <!channel> & <https:\/\/evil.example\|x>/);
    assert.equal(audit[1]!.body.facts.previous_version, 'v1');
  });

  it('a canary waits for /promote: waiting_for_approval, promoted, succeeded, all one Slack message', async () => {
    // A first deployment goes straight to 100 % with no wait (nothing live to compare with): v1 first.
    const first = await deploy('canary', 'v1');
    assert.equal(first.result.status, 'succeeded', first.stdout.slice(-2000));
    const mark = marks();
    const run = await deploy('canary', 'v2', async function (this: ReturnType<typeof startCli>) {
      await this.waitFor((line) => line.includes('"type":"wait-start"'), 60_000);
      const promote = await runCli(
        ['promote', '-e', 'canary', '-c', config, '--state-dir', join(dir, 'state')],
        { env: env() },
      );
      assert.equal(promote.code, 0, promote.stdout + promote.stderr);
    });
    assert.equal(run.result.status, 'succeeded', run.stdout.slice(-2000));
    assertFailingChannelsWarnedOnce(run.warnings);
    assertEveryPayloadValid(mark);

    const audit = since(mark, 'audit');
    assert.deepEqual(
      audit.map((p) => p.body.event),
      ['started', 'waiting_for_approval', 'promoted', 'succeeded'],
    );
    assert.match(audit[1]!.body.facts.step, /50/);
    // A CLI run's rollout is steered by the command line, not a pull request's comment.
    assert.equal(audit[1]!.body.facts.reason, 'for deploy-action promote -e canary');
    const slack = since(mark, 'slack');
    const top = slack.filter((c) => c.method === 'chat.postMessage' && !c.args.thread_ts);
    assert.equal(top.length, 1);
    const updates = slack.filter((c) => c.method === 'chat.update');
    assert.equal(updates.length, 3);
    for (const u of updates) assert.equal(u.args.ts, top[0]!.ts);
    assert.deepEqual(
      since(mark, 'teams').map(
        (p) => p.body.attachments[0].content.body[0].text.replace(/\\/g, '').split(' ')[0],
      ),
      ['[Started]', '[Waiting]', '[Promoted]', 'Shipped'],
    );
  });

  it('the built CLI (dist/, npm run build) loads the Slack client and notifies the same way', async () => {
    const mark = marks();
    const run = await deploy('web', 'v3', undefined, CLI_BUNDLE);
    assert.equal(run.result.status, 'succeeded', run.stderr);
    assertFailingChannelsWarnedOnce(run.warnings);
    assertEveryPayloadValid(mark);
    const slack = since(mark, 'slack');
    assert.deepEqual(
      slack.filter((c) => !c.args.thread_ts).map((c) => c.method),
      ['chat.postMessage', 'chat.update'],
    );
    assert.deepEqual(
      since(mark, 'audit').map((p) => p.body.event),
      ['started', 'succeeded'],
    );
  });
});
