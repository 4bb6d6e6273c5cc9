// Reconcile runs notify (docs/notifications.md "Reconcile"): what a reconcile run does to a handed-off or
// orphaned rollout reaches the environment's Slack / webhook channels, with the same config, templates and
// guarantees as a deployment's run. Real reconcile runs (in process, through the same wiring as the CLI and
// the Action, and once through `deploy-action reconcile`) against loopback receivers: a fake Slack Web API,
// a webhook receiver that verifies each signature and the schema, and a channel that never answers.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, beforeEach, describe, it } from 'node:test';
import { loadConfigFile } from '../../../src/config/load.ts';
import { resolveEnvironment } from '../../../src/config/resolve.ts';
import type { RawConfig } from '../../../src/config/schema.ts';
import type { ControlRequest, ControlSource } from '../../../src/control/request.ts';
import { reconcileNotifiers, runNotifier } from '../../../src/notify/wiring.ts';
import type { Analyzer } from '../../../src/pipeline/analyzer.ts';
import type { Reporter } from '../../../src/pipeline/events.ts';
import { HANDOFF_MESSAGE_WAIT_MS } from '../../../src/pipeline/executor.ts';
import { runPipeline } from '../../../src/pipeline/pipeline.ts';
import { failureToldKey, reconcile, toldOf, type ReconcileOptions } from '../../../src/reconcile/run.ts';
import { FileStateStore } from '../../../src/state/file-store.ts';
import { emptyRecord, type EnvironmentRecord } from '../../../src/state/record.ts';
import { repoRoot, runCli } from '../../helpers/cli.ts';
import { runBuiltAction } from '../../helpers/action.ts';
import { fakeSlack, hangingReceiver, webhookReceiver } from '../../helpers/notify-receivers.ts';
import { recordedTarget, recorder, type RecordedTarget } from '../../helpers/recorded-target.ts';

const TOKEN = 'xoxb-111-222-RECONCILESECRETTOKEN';
const HMAC = 'hmac-RECONCILESECRET-key';
const AUDIT_PATH = 'RECONCILESECRETAUDITPATH';
const SECRETS = [TOKEN, HMAC, AUDIT_PATH];
const CLOSE_MS = 1500;

const receivers = {
  slack: await fakeSlack(),
  audit: await webhookReceiver(HMAC),
  hang: await hangingReceiver(),
};
after(() => Promise.all(Object.values(receivers).map((r) => r.close())));

let dir: string;
let target: RecordedTarget;
let logs: Array<{ level: string; message: string }>;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'reconcile-notify-'));
  target = recordedTarget(dir);
  logs = [];
  receivers.slack.received.length = 0;
  receivers.audit.received.length = 0;
  receivers.hang.received.length = 0;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const processEnv = (): NodeJS.ProcessEnv => ({
  R_SLACK_TOKEN: TOKEN,
  R_AUDIT_URL: `${receivers.audit.url}/hook/${AUDIT_PATH}`,
  R_AUDIT_SECRET: HMAC,
  R_HANG_URL: `${receivers.hang.url}/hang`,
  DEPLOY_ACTION_SLACK_API_URL: receivers.slack.apiUrl,
  // A request may take long; the close bound is what ends a hanging channel's wait.
  DEPLOY_ACTION_NOTIFY_TIMEOUT_MS: '60000',
  DEPLOY_ACTION_NOTIFY_CLOSE_TIMEOUT_MS: String(CLOSE_MS),
});

/**
 * production notifies Slack and the signed webhook (and, with `hang`, a channel that never answers); staging,
 * the same canary, notifies nobody. Each waits at its 25 % step (`step`), handed off at once.
 */
async function config(step: string, { hang = false, failOn = '', hooks = '' } = {}): Promise<RawConfig> {
  const path = join(dir, 'deploy.yml');
  const strategy = `    strategy:
      type: canary
      slots: [blue, green]
      pause: 0
      steps: [${step}, 50, 100]
    control: { max_wait_in_job: 0 }
`;
  writeFileSync(
    path,
    `preset: fast
state_dir: ${JSON.stringify(join(dir, 'state'))}
${target.targetYaml}  env:
    CURRENT: '{"slot":"blue","version":"v1"}'
${failOn ? `    FAIL_ON: ${JSON.stringify(failOn)}\n` : ''}environments:
  production:
${strategy}${hooks}    notifications:
      contact: "#ops"
      channels:
        slack: { type: slack, token_env: R_SLACK_TOKEN, channel: C0123 }
        audit: { type: webhook, url_env: R_AUDIT_URL, secret_env: R_AUDIT_SECRET }
${hang ? '        hang: { type: webhook, url_env: R_HANG_URL, secret_env: R_AUDIT_SECRET }\n' : ''}  staging:
${strategy}`,
  );
  return loadConfigFile(path);
}

/** v1 live on blue; the pipeline rolls v2 out to its 25 % wait in `environment` and hands it off. */
async function handOff(
  cfg: RawConfig,
  store: FileStateStore,
  environment = 'production',
  reporter: Reporter = { event() {} },
): Promise<EnvironmentRecord> {
  await store.write({
    ...emptyRecord('o/r', environment, new Date()),
    seq: 1,
    live: { version: 'v1', slot: 'blue', since: new Date().toISOString() },
  });
  const result = await runPipeline(
    {
      env: resolveEnvironment(cfg, environment),
      version: 'v2',
      sha: 'abcdef1234567',
      deploymentId: `d-${environment}`,
      runId: '41',
      handOff: true,
    },
    { reporter, store },
  );
  assert.equal(result.status, 'waiting', result.message);
  const read = await store.read(environment);
  assert.ok(read.ok && read.record?.rollout?.wait?.handedOff);
  return read.record;
}

function request(
  verb: ControlRequest['verb'],
  step: number,
  deploymentId: string,
  by = 'carol',
): ControlRequest {
  const at = new Date().toISOString();
  return { id: `comment:${verb}:${deploymentId}`, verb, by, at, deploymentId, step, source: 'comment' };
}

function source(requests: ControlRequest[]): ControlSource {
  return { poll: async () => ({ changed: true, requests }) };
}

/** Reconcile with the notifiers the CLI and the Action build, closed at the end like theirs. */
async function reconcileNotifying(cfg: RawConfig, store: FileStateStore, extra: Partial<ReconcileOptions>) {
  const notifiers = reconcileNotifiers(
    cfg,
    { repository: 'o/r', runUrl: 'https://github.com/o/r/actions/runs/99', by: 'reconcile run 99' },
    { env: processEnv(), log: (level, message) => logs.push({ level, message }) },
  );
  assert.ok(notifiers, 'production has notifications');
  const summary = await reconcile({
    config: cfg,
    storeFor: () => store,
    ownerStatus: async () => ({ state: 'ended', conclusion: 'failure' }),
    actor: 'reconcile:99',
    owner: { kind: 'workflow', runId: '99' },
    reporter: { event() {} },
    notifierFor: (env, rollout) => notifiers.forRollout(env.name, rollout),
    ...extra,
  });
  await notifiers.close();
  return { summary };
}

/** Reconcile production alone, with these control requests (none unless given) and `extra` options. */
const reconcileProduction = (
  cfg: RawConfig,
  store: FileStateStore,
  requests: ControlRequest[] = [],
  extra: Partial<ReconcileOptions> = {},
) =>
  reconcileNotifying(cfg, store, {
    environments: ['production'],
    controlFor: () => source(requests),
    ...extra,
  });

/** A request on the wait `record` is at, on deployment d-production (carol's unless `by`). */
const onWait = (verb: ControlRequest['verb'], record: EnvironmentRecord, by?: string) =>
  request(verb, record.rollout!.wait!.step, 'd-production', by);

/**
 * Reconcile production an hour before the bake `record` waits in ends, its metrics asking for a rollback
 * (`reason`): the bake is rolled back and traffic is back on blue.
 */
async function rollBackBake(
  cfg: RawConfig,
  store: FileStateStore,
  record: EnvironmentRecord,
  reason: string,
) {
  const bad: Analyzer = { evaluate: async () => ({ ok: false, analysis: 'rollback', reason }) };
  const { summary } = await reconcileProduction(cfg, store, [], {
    now: () => new Date(Date.parse(record.rollout!.wait!.until!) - 3_600_000),
    analyzerFor: () => bad,
  });
  assert.equal(summary.entries[0]!.code, 'bake_rolled_back', summary.entries[0]!.message);
  assert.ok(target.calls().includes('set_weight green 0'), 'traffic is back on blue');
}

const hookEvents = () => receivers.audit.received.map((p) => `${p.body.facts.environment}:${p.body.event}`);

function assertSound() {
  for (const post of receivers.audit.received) {
    assert.ok(post.verified, 'the signature verifies');
    assert.deepEqual(post.problems, [], 'the body follows the schema');
  }
  for (const call of receivers.slack.received) assert.deepEqual(call.problems, [], call.method);
  const everything = JSON.stringify([
    receivers.audit.received.map((p) => p.raw),
    receivers.slack.received.map((c) => c.args),
    logs,
  ]);
  for (const secret of SECRETS) assert.ok(!everything.includes(secret), 'no secret is sent or logged');
}

describe('reconcile notifies', () => {
  it('a 24 h bake its metrics roll back: rolled_back to the webhook and Slack, saying which deployment it continues', async () => {
    const { cfg, store, record } = await waitingAt('{ weight: 25, pause: 24h }');
    await rollBackBake(cfg, store, record, 'error rate 9 % > 1 % (canary)');

    // Not a new `started`: only what happened.
    assert.deepEqual(hookEvents(), ['production:rolled_back']);
    const { facts, text } = receivers.audit.received[0]!.body;
    assert.equal(facts.version, 'v2');
    assert.equal(facts.previous_version, 'v1');
    assert.equal(facts.impact, 'traffic is back on v1');
    assert.match(facts.reason, /bake's metrics asked for a rollback: error rate 9 % > 1 %/);
    assert.match(text, /was rolled back: .*error rate 9 %.*; traffic is back on v1\.$/);
    assert.match(facts.what, /continued by reconcile run 99 \(deployment d-production\)/);
    assert.equal(facts.sha, 'abcdef1234567', "the rollout's commit");
    assert.equal(facts.run_url, 'https://github.com/o/r/actions/runs/99');

    // Slack: a message for the rollback (a new one: see the docs), the steps in its thread.
    const posts = receivers.slack.received.filter((c) => !c.args.thread_ts);
    assert.equal(posts.length, 1);
    assert.match(posts[0]!.args.text, /\[Rolled back\] v2 to production/);
    assert.match(JSON.stringify(posts[0]!.args.blocks), /continued by reconcile run 99/);
    const replies = receivers.slack.received.filter((c) => c.args.thread_ts === posts[0]!.ts);
    assert.ok(
      replies.some((r) =>
        /reconcile run 99 takes over the rollout of v2 \(deployment d-production\)/.test(r.args.text),
      ),
    );
    assert.ok(replies.some((r) => /rollback done/.test(r.args.text)));
    assertSound();
    assert.deepEqual(logs, []);
  });

  it('a /promote that ends a handed-off wait: promoted (by who promoted) then succeeded, one Slack message updated', async () => {
    const { cfg, store, record } = await waitingAt('{ weight: 25, pause: manual }');
    const { summary } = await reconcileProduction(cfg, store, [onWait('promote', record)]);
    assert.equal(summary.entries[0]!.code, 'rollout_resumed', summary.entries[0]!.message);
    assert.deepEqual(hookEvents(), ['production:promoted', 'production:succeeded']);
    const [promoted, succeeded] = receivers.audit.received.map((p) => p.body);
    assert.equal(promoted.facts.who, 'carol');
    assert.match(promoted.facts.reason, /^promoted by carol$/);
    assert.match(promoted.facts.step, /25 %/);
    assert.equal(succeeded.facts.impact, 'all traffic on v2');
    const posts = receivers.slack.received.filter((c) => !c.args.thread_ts);
    assert.deepEqual(
      receivers.slack.received
        .filter((c) => !c.args.thread_ts || c.method === 'chat.update')
        .map((c) => c.method),
      ['chat.postMessage', 'chat.update'],
    );
    assert.match(posts[0]!.args.text, /\[Promoted\]/);
    assert.match(receivers.slack.received.find((c) => c.method === 'chat.update')!.args.text, /\[Complete\]/);
    assertSound();
  });

  it('a bake that ends on time and succeeds: succeeded only (a bake ending is no promotion)', async () => {
    const { cfg, store, record } = await waitingAt('{ weight: 25, pause: 24h }');
    const fine: Analyzer = { evaluate: async () => ({ ok: true, analysis: 'promote', detail: 'fine' }) };
    const { summary } = await reconcileProduction(cfg, store, [], {
      now: () => new Date(Date.parse(record.rollout!.wait!.until!) + 1),
      analyzerFor: () => fine,
    });
    assert.equal(summary.entries[0]!.code, 'rollout_resumed', summary.entries[0]!.message);
    assert.deepEqual(hookEvents(), ['production:succeeded']);
    assertSound();
  });

  it('an /abort: rolled_back, naming who aborted', async () => {
    const { cfg, store, record } = await waitingAt('{ weight: 25, pause: manual }');
    const { summary } = await reconcileProduction(cfg, store, [onWait('abort', record, 'bob')]);
    assert.equal(summary.entries[0]!.code, 'rollout_aborted', summary.entries[0]!.message);
    assert.deepEqual(hookEvents(), ['production:rolled_back']);
    assert.match(receivers.audit.received[0]!.body.facts.reason, /aborted by bob/);
    assertSound();
  });

  it('a promote that reaches the next wait: promoted, then waiting_for_approval again', async () => {
    const { cfg, store, record } = await waitingAt(
      '{ weight: 25, pause: manual }, { weight: 40, pause: manual }',
    );
    const { summary } = await reconcileProduction(cfg, store, [onWait('promote', record)]);
    assert.equal(summary.entries[0]!.code, 'rollout_waiting', summary.entries[0]!.message);
    assert.deepEqual(hookEvents(), ['production:promoted', 'production:waiting_for_approval']);
    assert.match(receivers.audit.received[1]!.body.facts.step, /40 %/);
    assertSound();
  });

  it('the reconcile job cancelled while the promoted rollout goes on: promoted, then cancelled', async () => {
    const { cfg, store, record } = await waitingAt('{ weight: 25, pause: manual }');
    // Cancelled as the rollout goes on (its claim stored).
    const cancel = new AbortController();
    const { summary } = await reconcileProduction(cfg, store, [onWait('promote', record)], {
      signal: cancel.signal,
      reporter: {
        event: (e) => {
          if (e.type === 'log' && /^resuming the rollout of/.test(e.message)) cancel.abort();
        },
      },
    });
    assert.equal(summary.entries[0]!.code, 'rollout_resume_failed', summary.entries[0]!.message);
    assert.deepEqual(hookEvents(), ['production:promoted', 'production:cancelled']);
    assert.equal(receivers.audit.received[1]!.body.facts.impact, 'traffic is back on v1');
    assertSound();
  });

  it('an environment without notifications sends nothing; the one with them, its own events only', async () => {
    const cfg = await config('{ weight: 25, pause: manual }');
    const store = new FileStateStore(join(dir, 'state'));
    const prod = await handOff(cfg, store, 'production');
    const staging = await handOff(cfg, store, 'staging');
    const { summary } = await reconcileNotifying(cfg, store, {
      controlFor: () =>
        source([
          request('abort', staging.rollout!.wait!.step, 'd-staging'),
          request('promote', prod.rollout!.wait!.step, 'd-production'),
        ]),
    });
    assert.deepEqual(
      summary.entries.map((e) => `${e.environment}:${e.code}`),
      ['production:rollout_resumed', 'staging:rollout_aborted'],
    );
    assert.deepEqual(hookEvents(), ['production:promoted', 'production:succeeded']);
    assert.ok(!JSON.stringify(receivers.slack.received).includes('staging'));
    assertSound();
  });

  it('a config without notifications builds no notifier', async () => {
    const path = join(dir, 'plain.yml');
    writeFileSync(
      path,
      `${target.targetYaml}environments:\n  production:\n    strategy: { type: canary, slots: [blue, green] }\n`,
    );
    const cfg = await loadConfigFile(path);
    assert.equal(reconcileNotifiers(cfg, { by: 'x' }, { env: processEnv(), log: () => {} }), undefined);
  });

  // No clock: a request may take 60 s (DEPLOY_ACTION_NOTIFY_TIMEOUT_MS), beyond this test's own 45 s timeout, so
  // the reconcile and the close can only end in time by not waiting on the channel and by the close bound.
  it(
    'a channel that never answers delays neither the rollback nor the run beyond the close bound; one warning',
    {
      timeout: 45_000,
    },
    async () => {
      const { cfg, store, record } = await waitingAt('{ weight: 25, pause: 24h }', { hang: true });
      await rollBackBake(cfg, store, record, 'p95 2.4 s');
      assert.equal(receivers.hang.received.length, 1, 'the hanging channel was asked');
      // The other channels were told all the same.
      assert.deepEqual(hookEvents(), ['production:rolled_back']);
      const warnings = logs.filter((l) => l.level === 'warn');
      assert.equal(warnings.length, 1, JSON.stringify(logs));
      // The close ended the channel's wait at its bound (1.5 s), not the request's timeout.
      assert.match(warnings[0]!.message, /webhook channel "hang" failed: not delivered within 1.5 s/);
      assertSound();
    },
  );
});

/** A config with these canary steps, its state dir, and the record of a job that handed off at the first wait. */
async function waitingAt(steps: string, options: { hang?: boolean } = {}) {
  const cfg = await config(steps, options);
  const store = new FileStateStore(join(dir, 'state'));
  return { cfg, store, record: await handOff(cfg, store) };
}

/**
 * The deploying job, notifying as the CLI and the Action do (through runNotifier), hands its rollout off;
 * its notifier is closed at the end of the job like theirs. `env` overrides the job's variables.
 */
async function handOffNotifying(cfg: RawConfig, store: FileStateStore, env: NodeJS.ProcessEnv = {}) {
  const notify = await runNotifier(
    cfg,
    'production',
    { repository: 'o/r', runUrl: 'https://github.com/o/r/actions/runs/41', who: 'alice' },
    { env: { ...processEnv(), ...env }, log: (level, message) => logs.push({ level, message }) },
  );
  assert.ok(notify);
  const started = performance.now();
  const record = await handOff(cfg, store, 'production', notify.reporter);
  const handOffMs = performance.now() - started;
  await notify.reporter.close?.();
  return { record, handOffMs };
}

/** As waitingAt, with the job notifying (handOffNotifying). */
async function notifiedWaitingAt(steps: string, env: NodeJS.ProcessEnv = {}) {
  const cfg = await config(steps);
  const store = new FileStateStore(join(dir, 'state'));
  return { cfg, store, ...(await handOffNotifying(cfg, store, env)) };
}

const topLevel = () =>
  receivers.slack.received.filter((c) => c.method === 'chat.postMessage' && !c.args.thread_ts);
const replies = () => receivers.slack.received.filter((c) => c.args.thread_ts);
const updates = () => receivers.slack.received.filter((c) => c.method === 'chat.update');

describe("reconcile continues the deploying job's Slack message", () => {
  it('a hand-off then a /promote: one message, updated in place to Complete, every step in its thread', async () => {
    const { cfg, store, record } = await notifiedWaitingAt('{ weight: 25, pause: manual }');
    const [job] = topLevel();
    assert.ok(job, 'the job posted its message');
    assert.match(job.args.text, /\[Started\]|\[Waiting/);
    // The record names that message (the one the job posted), by channel name, channel ID and ts.
    assert.deepEqual(record.rollout!.notify, { slack: [{ name: 'slack', channel: 'C0123', ts: job.ts }] });
    const jobCalls = receivers.slack.received.length;

    const { summary } = await reconcileProduction(cfg, store, [onWait('promote', record)]);
    assert.equal(summary.entries[0]!.code, 'rollout_resumed', summary.entries[0]!.message);
    const reconciled = receivers.slack.received.slice(jobCalls);
    assert.ok(reconciled.length > 0, 'reconcile told Slack');
    // No new top-level message: every call of the reconcile run is an update of, or a reply under, the job's.
    assert.deepEqual(topLevel(), [job]);
    for (const call of reconciled)
      assert.equal(call.method === 'chat.update' ? call.args.ts : call.args.thread_ts, job.ts, call.method);
    assert.deepEqual(
      reconciled.filter((c) => c.method === 'chat.update').map((c) => c.args.text.match(/^\[(\w+)/)?.[1]),
      ['Promoted', 'Complete'],
    );
    const lines = reconciled.filter((c) => c.args.thread_ts).map((c) => c.args.text);
    assert.ok(
      lines.some((t) => /reconcile run 99 takes over the rollout of v2 \(deployment d-production\)/.test(t)),
      lines.join('\n'),
    );
    assert.equal(updates().at(-1)!.args.channel, 'C0123');
    // The webhook channel is told as before.
    assert.deepEqual(hookEvents().slice(-2), ['production:promoted', 'production:succeeded']);
    assertSound();
    assert.deepEqual(logs, []);
  });

  it('a resumed rollout that waits again hands the same message on; the next reconcile goes on in it', async () => {
    const { cfg, store, record } = await notifiedWaitingAt(
      '{ weight: 25, pause: manual }, { weight: 40, pause: manual }',
    );
    const handle = record.rollout!.notify;
    assert.ok(handle);
    const first = await reconcileProduction(cfg, store, [onWait('promote', record)]);
    assert.equal(first.summary.entries[0]!.code, 'rollout_waiting', first.summary.entries[0]!.message);
    const again = await store.read('production');
    assert.ok(again.ok && again.record?.rollout?.wait?.handedOff);
    assert.deepEqual(again.record.rollout.notify, handle, 'the same message is handed on');
    assert.ok(again.record.seq > record.seq);

    const second = await reconcileProduction(cfg, store, [onWait('promote', again.record!, 'dave')]);
    assert.equal(second.summary.entries[0]!.code, 'rollout_resumed', second.summary.entries[0]!.message);
    assert.equal(topLevel().length, 1, 'one Slack message for the whole deployment');
    assert.ok(updates().every((c) => c.args.ts === handle.slack[0]!.ts));
    assert.ok(replies().every((c) => c.args.thread_ts === handle.slack[0]!.ts));
    assert.match(updates().at(-1)!.args.text, /^\[Complete\]/);
    assertSound();
    assert.deepEqual(logs, []);
  });

  it('a message that is gone (deleted in Slack): reconcile posts a new one, with one warning', async () => {
    const { cfg, store, record } = await notifiedWaitingAt('{ weight: 25, pause: manual }');
    const stale = record.rollout!.notify!.slack[0]!.ts;
    // The fake Slack forgets what the job posted: an update of it answers message_not_found, as Slack does.
    receivers.slack.received.length = 0;
    const { summary } = await reconcileProduction(cfg, store, [onWait('promote', record)]);
    assert.equal(summary.entries[0]!.code, 'rollout_resumed', summary.entries[0]!.message);
    const [refused, ...rest] = receivers.slack.received;
    assert.equal(refused!.method, 'chat.update');
    assert.equal(refused!.args.ts, stale);
    const posts = topLevel();
    assert.equal(posts.length, 1, 'one new message');
    assert.match(posts[0]!.args.text, /^\[Promoted\]/);
    assert.match(JSON.stringify(posts[0]!.args.blocks), /continued by reconcile run 99/);
    // Everything after it is in the new message: its update, its thread (the take-over line included).
    for (const call of rest.filter((c) => c !== posts[0]))
      assert.equal(call.method === 'chat.update' ? call.args.ts : call.args.thread_ts, posts[0]!.ts);
    assert.ok(replies().some((c) => /takes over the rollout of v2/.test(c.args.text)));
    assert.match(updates().at(-1)!.args.text, /^\[Complete\]/);
    for (const call of rest) assert.deepEqual(call.problems, [], call.method);
    const warnings = logs.filter((l) => l.level === 'warn');
    assert.equal(warnings.length, 1, JSON.stringify(logs));
    assert.match(
      warnings[0]!.message,
      /slack channel "slack": the deployment's message is gone \(message_not_found\); posting a new one/,
    );
  });

  // No clock for 'no longer than the bound': the request timeout is 60 s, beyond this test's own 45 s timeout.
  it(
    'a hand-off whose Slack post is not answered waits for it only a bounded time, then hands off without it',
    {
      timeout: 45_000,
    },
    async () => {
      const { cfg, store, record, handOffMs } = await notifiedWaitingAt('{ weight: 25, pause: manual }', {
        DEPLOY_ACTION_SLACK_API_URL: `${receivers.hang.url}/api/`,
      });
      assert.ok(receivers.hang.received.length >= 1, 'the job asked Slack');
      assert.equal(record.rollout!.notify, undefined, 'no message to continue');
      // It waited for the post (the bound); a timer never fires early, so this lower bound holds on a busy machine.
      assert.ok(handOffMs >= HANDOFF_MESSAGE_WAIT_MS - 50, `the hand-off took ${handOffMs} ms`);
      // Reconcile then posts a new message, as for a record written before messages were kept.
      logs = [];
      await reconcileProduction(cfg, store, [onWait('promote', record)]);
      assert.equal(topLevel().length, 1);
      assert.match(topLevel()[0]!.args.text, /^\[Promoted\]/);
      assertSound();
    },
  );

  it('the job asks for its messages only when it hands off (never on a rollback) and keeps only Slack identifiers', async () => {
    const asked: number[] = [];
    const spy = (answer: unknown): Reporter => ({
      event() {},
      messages: async (waitMs) => {
        asked.push(waitMs);
        return answer as never;
      },
    });
    // A rollout that fails and rolls back: the rollback never waits on a notification.
    const failing = await config('{ weight: 25, pause: manual }', { failOn: 'set_weight:green' });
    const failStore = new FileStateStore(join(dir, 'state'));
    await failStore.write({ ...emptyRecord('o/r', 'production', new Date()), seq: 1 });
    const failed = await runPipeline(
      { env: resolveEnvironment(failing, 'production'), version: 'v2', deploymentId: 'd-f', handOff: true },
      { reporter: spy(undefined), store: failStore },
    );
    assert.notEqual(failed.status, 'waiting', failed.message);
    assert.notEqual(failed.status, 'succeeded', failed.message);
    assert.deepEqual(asked, []);

    // A hand-off asks once, bounded; what the reporter answers is checked before it is signed into the record.
    rmSync(join(dir, 'state'), { recursive: true, force: true });
    const cfg = await config('{ weight: 25, pause: manual }');
    const store = new FileStateStore(join(dir, 'state'));
    const forged = await handOff(
      cfg,
      store,
      'production',
      spy({ slack: [{ name: 'slack', channel: '#ops', ts: '1700000000.000001' }] }),
    );
    assert.deepEqual(asked, [HANDOFF_MESSAGE_WAIT_MS]);
    assert.equal(
      forged.rollout!.notify,
      undefined,
      'not a Slack channel ID: left out, the record still reads',
    );
  });

  it('a config that now names another channel ID gets a new message there, not an update of the old one', async () => {
    const { cfg, store, record } = await notifiedWaitingAt('{ weight: 25, pause: manual }');
    const moved = structuredClone(cfg);
    const channels = moved.environments.production!.notifications!.channels!;
    channels.slack = { ...(channels.slack as object), channel: 'C0999' } as (typeof channels)['slack'];
    const jobCalls = receivers.slack.received.length;
    await reconcileProduction(moved, store, [onWait('promote', record)]);
    const reconciled = receivers.slack.received.slice(jobCalls);
    assert.equal(reconciled[0]!.method, 'chat.postMessage');
    assert.equal(reconciled[0]!.args.channel, 'C0999');
    assert.equal(reconciled[0]!.args.thread_ts, undefined);
    assertSound();
  });
});

/** A command of the recorded target that logs `action` (and fails when FAIL_ON names it). */
const recorderCall = (action: string) => [...recorder, target.log, action];

/** A rollout of v2 at 25 % in production whose owner, a process on this host, is gone: an orphan. */
async function orphan(store: FileStateStore): Promise<void> {
  const child = spawn('true');
  await new Promise((r) => child.on('close', r));
  await store.write({
    ...emptyRecord('local', 'production', new Date()),
    seq: 3,
    live: { version: 'v1', slot: 'blue', since: new Date().toISOString() },
    rollout: {
      deploymentId: 'cli-1',
      version: 'v2',
      strategy: 'canary',
      phase: 'production',
      step: 1,
      steps: 6,
      weight: 25,
      startedAt: new Date(Date.now() - 120_000).toISOString(),
      owner: { kind: 'process', pid: child.pid!, host: hostname() },
      stableSlot: 'blue',
      newSlot: 'green',
      recovery: [{ kind: 'set_weight', slot: 'green', stableSlot: 'blue', weight: 0 }],
    },
  });
}

describe('reconcile notifies an orphan', () => {
  it('a rollback that did not complete: failed, saying so (the rolled-back orphan: below, CLI and Action)', async () => {
    const store = new FileStateStore(join(dir, 'state'));
    await orphan(store);
    const cfg = await config('{ weight: 25, pause: manual }', { failOn: 'set_weight:green' });
    const { summary } = await reconcileNotifying(cfg, store, { environments: ['production'] });
    assert.equal(summary.entries[0]!.code, 'orphan_rollback_failed', summary.entries[0]!.message);
    assert.deepEqual(hookEvents(), ['production:failed']);
    const { facts } = receivers.audit.received[0]!.body;
    assert.equal(facts.code, 'rollback_failed');
    assert.match(facts.impact, /the rollback FAILED/);
    assert.match(facts.message, /did not complete: set weight .* failed/);
    assertSound();
  });
});

describe('a scheduled reconcile whose rollback keeps failing', () => {
  it('notifies a failure once, not on every run; again when it changes, and when the rollback completes', async () => {
    // Every 5 minutes, forever: a rollback_failed each run for the same step failing the same way.
    const store = new FileStateStore(join(dir, 'state'));
    await orphan(store);
    const failing = await config('{ weight: 25, pause: manual }', { failOn: 'set_weight:green' });
    // The deployment's statuses: one per failure too (GitHub keeps only so many per deployment).
    const statuses: string[] = [];
    const run = async (cfg: RawConfig) =>
      (
        await reconcileNotifying(cfg, store, {
          environments: ['production'],
          markDeployment: async (_deployment, state, description) => {
            statuses.push(`${state}: ${description}`);
          },
        })
      ).summary.entries[0]!;
    assert.equal((await run(failing)).code, 'orphan_rollback_failed');
    assert.deepEqual(hookEvents(), ['production:failed']);
    assert.deepEqual(statuses, [
      'error: Reconcile could not roll back: set weight green=0% blue=100% failed',
    ]);
    const slackCalls = receivers.slack.received.length;

    // The same failure again: the run says so in its summary and its record, and notifies nobody.
    const again = await run(failing);
    assert.equal(again.code, 'orphan_rollback_failed');
    assert.match(again.message, /did not complete: set weight .* failed/);
    assert.deepEqual(hookEvents(), ['production:failed']);
    assert.equal(
      receivers.slack.received.length,
      slackCalls,
      'nothing to Slack either, not even a thread line',
    );
    const history = async () => {
      const read = await store.read('production');
      assert.ok(read.ok && read.record);
      return read.record.history.map((h) => h.event).filter((e) => e === 'orphan_rollback_failed');
    };
    assert.equal((await history()).length, 2, 'the record says each run');
    assert.equal(statuses.length, 1, 'the status set by the run that told it stays');

    // A level fails too: another failure, told once.
    const fail = JSON.stringify([...recorderCall('flag')]);
    const worse = await config('{ weight: 25, pause: manual }', {
      failOn: 'set_weight:green,flag',
      hooks: `    hooks:\n      on_rollback:\n        - { name: flag, run: ${fail} }\n`,
    });
    assert.equal((await run(worse)).code, 'orphan_rollback_failed');
    assert.equal((await run(worse)).code, 'orphan_rollback_failed');
    assert.deepEqual(hookEvents(), ['production:failed', 'production:failed']);
    const second = receivers.audit.received[1]!.body.facts;
    assert.match(second.message, /set weight .*, rollback level flag failed/);
    assert.equal(statuses.length, 2, statuses.join('\n'));

    // Fixed: the rollback completes, and that is told.
    const fixed = await config('{ weight: 25, pause: manual }');
    assert.equal((await run(fixed)).code, 'orphan_rolled_back');
    assert.deepEqual(hookEvents(), ['production:failed', 'production:failed', 'production:rolled_back']);
    assert.equal(statuses.length, 3);
    assert.match(statuses[2]!, /^failure: Rollback finished by reconcile/);
    assertSound();
  });

  it("sets the deployment's status again when GitHub did not take it on the run that told the failure", async () => {
    const store = new FileStateStore(join(dir, 'state'));
    await orphan(store);
    const failing = await config('{ weight: 25, pause: manual }', { failOn: 'set_weight:green' });
    let down = true;
    const statuses: string[] = [];
    const run = async () =>
      (
        await reconcileNotifying(failing, store, {
          environments: ['production'],
          markDeployment: async (_deployment, state) => {
            if (down) throw new Error('GitHub answered HTTP 502');
            statuses.push(state);
          },
        })
      ).summary.entries[0]!;
    assert.equal((await run()).code, 'orphan_rollback_failed');
    down = false;
    assert.equal((await run()).code, 'orphan_rollback_failed');
    assert.deepEqual(statuses, ['error'], 'set by the retry');
    // Told again with it (the key was not kept): a second notification rather than a status left stale.
    assert.deepEqual(hookEvents(), ['production:failed', 'production:failed']);
    assert.equal((await run()).code, 'orphan_rollback_failed');
    assert.deepEqual(statuses, ['error']);
    assert.deepEqual(hookEvents(), ['production:failed', 'production:failed']);
  });

  it("sets the deployment's status on the first run that can, when the run that notified the failure set none (the CLI's reconcile)", async () => {
    // The CLI's reconcile notifies but never sets a deployment's status; the scheduled Action's retry, failing the
    // same way, must still set it: left in progress, the App counts the deployment as running (its lock held).
    const store = new FileStateStore(join(dir, 'state'));
    await orphan(store);
    const failing = await config('{ weight: 25, pause: manual }', { failOn: 'set_weight:green' });
    const cli = await reconcileNotifying(failing, store, { environments: ['production'] });
    assert.equal(cli.summary.entries[0]!.code, 'orphan_rollback_failed');
    assert.deepEqual(hookEvents(), ['production:failed']);
    const statuses: string[] = [];
    const action = async () =>
      (
        await reconcileNotifying(failing, store, {
          environments: ['production'],
          markDeployment: async (_deployment, state) => {
            statuses.push(state);
          },
        })
      ).summary.entries[0]!;
    assert.equal((await action()).code, 'orphan_rollback_failed');
    assert.deepEqual(statuses, ['error'], 'set by the first run that can');
    assert.deepEqual(hookEvents(), ['production:failed'], 'not notified again');
    assert.equal((await action()).code, 'orphan_rollback_failed');
    assert.deepEqual(statuses, ['error'], 'and not again');
    assert.deepEqual(hookEvents(), ['production:failed']);
  });

  it('notifies the failure on the next run when its notifications were off on the run that set the status', async () => {
    // production has notifications, but this run could not make its notifier (a secret missing from the
    // scheduled job: "notifications for production are off", and the wiring answers undefined): the status
    // alone told the failure, nobody was notified of it.
    const store = new FileStateStore(join(dir, 'state'));
    await orphan(store);
    const failing = await config('{ weight: 25, pause: manual }', { failOn: 'set_weight:green' });
    const statuses: string[] = [];
    const markDeployment: ReconcileOptions['markDeployment'] = async (_deployment, state) => {
      statuses.push(state);
    };
    const off = await reconcileNotifying(failing, store, {
      environments: ['production'],
      markDeployment,
      notifierFor: async () => undefined,
    });
    assert.equal(off.summary.entries[0]!.code, 'orphan_rollback_failed');
    assert.deepEqual(hookEvents(), []);
    assert.deepEqual(statuses, ['error']);
    // The secret is back: the same failure is told now, then not again; its status, set already, not again.
    const run = async () =>
      (await reconcileNotifying(failing, store, { environments: ['production'], markDeployment })).summary
        .entries[0]!;
    assert.equal((await run()).code, 'orphan_rollback_failed');
    assert.deepEqual(hookEvents(), ['production:failed'], 'told once its notifications are on');
    assert.equal((await run()).code, 'orphan_rollback_failed');
    assert.deepEqual(hookEvents(), ['production:failed']);
    assert.deepEqual(statuses, ['error']);
  });
});

describe('a failure notification that was not delivered', () => {
  it('is not recorded as told: the next reconcile that fails the same way tells it again', async () => {
    const store = new FileStateStore(join(dir, 'state'));
    await orphan(store);
    const failing = await config('{ weight: 25, pause: manual }', { failOn: 'set_weight:green' });
    // The channel: what it was given, and whether it got it through (cut at the deadline on the first run).
    const told: string[] = [];
    const deliveries = [false, true, true];
    const channel = async (): Promise<Reporter> => {
      const delivered = deliveries.shift()!;
      return {
        event(e) {
          if (e.type === 'result') told.push(`${e.result.code}${delivered ? '' : ' (cut)'}`);
        },
        delivered: async () => delivered,
      };
    };
    const run = async () =>
      (await reconcileNotifying(failing, store, { environments: ['production'], notifierFor: channel }))
        .summary.entries[0]!;
    assert.equal((await run()).code, 'orphan_rollback_failed');
    assert.equal((await run()).code, 'orphan_rollback_failed');
    assert.equal((await run()).code, 'orphan_rollback_failed');
    assert.deepEqual(told, ['rollback_failed (cut)', 'rollback_failed'], 'told again, then not');
  });
});

describe('a reconcile cancelled while its failure notification is still going out', () => {
  it('writes what is left to undo at once, and the next reconcile tells the failure again', async () => {
    const store = new FileStateStore(join(dir, 'state'));
    await orphan(store);
    const failing = await config('{ weight: 25, pause: manual }', { failOn: 'set_weight:green' });
    const cancel = new AbortController();
    const told: string[] = [];
    let first = true;
    // The first run's channel is slow: the job is cancelled as its failure message goes out, and it would be
    // delivered only after the record's time to be written (the reporting deadline) has passed.
    const channel = async (): Promise<Reporter> => {
      const slow = first;
      first = false;
      return {
        event(e) {
          if (e.type !== 'result') return;
          told.push(e.result.code);
          if (slow) cancel.abort();
        },
        delivered: () => new Promise((resolve) => setTimeout(() => resolve(true), slow ? 4_000 : 0)),
      };
    };
    const began = performance.now();
    const cancelled = await reconcileNotifying(failing, store, {
      environments: ['production'],
      notifierFor: channel,
      signal: cancel.signal,
    });
    assert.equal(cancelled.summary.entries[0]!.code, 'orphan_rollback_failed');
    assert.ok(performance.now() - began < 3_000, 'the record was not held for the slow channel');
    const read = await store.read('production');
    assert.ok(read.ok && read.record?.rollout?.phase === 'rollback', 'what is left to undo is recorded');
    const again = await reconcileNotifying(failing, store, {
      environments: ['production'],
      notifierFor: channel,
    });
    assert.equal(again.summary.entries[0]!.code, 'orphan_rollback_failed');
    assert.deepEqual(told, ['rollback_failed', 'rollback_failed'], 'not recorded as told: told again');
  });
});

describe('the Action in mode: reconcile notifies', () => {
  it('an orphan it rolls back: rolled_back to the signed webhook and Slack, every secret masked', async () => {
    await config('{ weight: 25, pause: manual }');
    await orphan(new FileStateStore(join(dir, 'state')));
    const run = await runBuiltAction({
      dir,
      entry: join(repoRoot, 'src/action/index.ts'),
      inputs: {
        mode: 'reconcile',
        environment: 'production',
        config: join(dir, 'deploy.yml'),
        'state-dir': join(dir, 'state'),
      },
      env: { ...processEnv(), GITHUB_REPOSITORY: 'acme/web', GITHUB_SHA: 'f'.repeat(40) },
    });
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.equal(run.outputs.status, 'succeeded');
    assert.deepEqual(target.calls(), ['current', 'set_weight green 0']);
    assert.deepEqual(hookEvents(), ['production:rolled_back']);
    const { facts } = receivers.audit.received[0]!.body;
    assert.equal(facts.code, 'rollout_unfinished');
    assert.match(facts.what, /continued by reconcile run 4242 \(deployment cli-1\)/);
    assert.equal(facts.run_url, 'https://github.example/acme/web/actions/runs/4242');
    assert.equal(receivers.slack.received.filter((c) => !c.args.thread_ts).length, 1);
    assertSound();
    // Masked before anything could print them; printed nowhere else.
    const masked = run.stdout.split('\n').filter((l) => l.startsWith('::add-mask::'));
    for (const secret of SECRETS.filter((x) => x !== AUDIT_PATH))
      assert.ok(masked.includes(`::add-mask::${secret}`), 'masked');
    const rest =
      run.stdout
        .split('\n')
        .filter((l) => !l.startsWith('::add-mask::'))
        .join('\n') + run.stderr;
    for (const secret of SECRETS) assert.ok(!rest.includes(secret));
  });
});

describe('deploy-action reconcile notifies', () => {
  it('an orphan it rolls back: rolled_back to the signed webhook', async () => {
    await config('{ weight: 25, pause: manual }');
    await orphan(new FileStateStore(join(dir, 'state')));
    const { code, stderr, stdout } = await runCli(
      ['reconcile', '-e', 'production', '--config', join(dir, 'deploy.yml'), '--json'],
      { env: { ...processEnv(), GITHUB_ACTOR: 'someone' } },
    );
    assert.equal(code, 0, stderr + stdout);
    assert.deepEqual(target.calls(), ['current', 'set_weight green 0']);
    assert.deepEqual(hookEvents(), ['production:rolled_back']);
    const { facts } = receivers.audit.received[0]!.body;
    assert.equal(facts.code, 'rollout_unfinished');
    assert.equal(facts.impact, 'traffic is back on v1');
    assert.match(facts.reason, /orphaned rollout of v2: its owner process \d+ on .* ended/);
    assert.match(facts.what, /continued by deploy-action reconcile on .* \(deployment cli-1\)/);
    assert.equal(facts.who, undefined, 'reconcile does not know who deployed');
    assert.match(facts.duration, /^2m/);
    assert.equal(receivers.slack.received.filter((c) => !c.args.thread_ts).length, 1);
    assertSound();
    for (const secret of SECRETS) assert.ok(!stdout.includes(secret) && !stderr.includes(secret));
  });
});

describe("a rollout's failureNotified says which of the notifications and the status told the failure", () => {
  it('reads back what it wrote; another failure, or a key of another form, told nothing', () => {
    const key = 'a'.repeat(32);
    for (const notifications of [true, false])
      for (const status of [true, false]) {
        const stored = failureToldKey(key, { notifications, status });
        assert.deepEqual(toldOf(stored, key), { notifications, status });
        assert.deepEqual(toldOf(stored, 'b'.repeat(32)), { notifications: false, status: false });
      }
    assert.equal(failureToldKey(key, { notifications: false, status: false }), undefined);
    // A key of the version before (both told), and one of a newer form: read, compared, never trusted beyond.
    assert.deepEqual(toldOf(key, key), { notifications: true, status: true });
    assert.deepEqual(toldOf('v2:sha256:0f3c', key), { notifications: false, status: false });
    assert.deepEqual(toldOf(key, undefined), { notifications: false, status: false });
  });
});
