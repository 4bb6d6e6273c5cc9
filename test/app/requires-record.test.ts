// `requires: staging` is met only by staging's signed state record showing the commit live there, through the
// real Probot app and the fake GitHub: the /deploy path (app/deploy/decide.ts, which schedules share) and the
// deployment protection rule. A deployment of the commit to staging with a `success` status, which anyone with
// write permission can make (their own token or any workflow's), is not evidence; a record rolled back from
// the commit does not count; a record that does not verify is refused with its reason code.
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Probot } from 'probot';
import { createFakeGitHub, fakeSha, webhookPayload } from '../fake-github/index.ts';
import type { FakeGitHub } from '../fake-github/index.ts';
import {
  HEAD,
  PR,
  appReplies,
  commentOnPull,
  owner,
  repo,
  testApp,
  testMarkerKeys,
  testProbot,
} from './helpers.ts';
import type { EnvironmentRecord } from '../../src/state/record.ts';
import { signRecord } from '../../src/state/signed-record.ts';
import { stateKey } from '../../src/state/state-key.ts';

type Receive = Parameters<Probot['receive']>[0];
type Json = Record<string, unknown>;

const BEFORE = fakeSha('release-before');
const WORKFLOW_TOKEN = 'workflow-token';
const MALLORY_TOKEN = 'mallory-token';
const CONFIG = `
target:
  commands:
    deploy: ./deploy.sh
environments:
  staging: {}
  production:
    approvals:
      requires: [staging]
      deployers: [alice]
      required: 0
`;

interface World {
  fake: FakeGitHub;
  probot: Probot;
  clock: { now: Date };
}

async function run(body: (w: World) => Promise<void>): Promise<void> {
  const fake = await createFakeGitHub({ tokens: { [MALLORY_TOKEN]: 'mallory' } });
  fake.seedRepo({
    owner,
    repo,
    files: { '.github/deploy.yml': CONFIG },
    collaborators: { alice: 'write', mallory: 'write' },
    pulls: [{ number: PR, head: HEAD, user: 'carol' }],
  });
  fake.addCommit({ sha: BEFORE, message: 'before' });
  const clock = { now: new Date('2026-12-01T08:00:00Z') };
  const probot = testProbot(fake);
  await probot.load(testApp({ now: () => clock.now }));
  try {
    await body({ fake, probot, clock });
    fake.assertNoViolations();
  } finally {
    await fake.stop();
  }
}

/** A REST call with a token other than the App's; expects 201. */
async function call(fake: FakeGitHub, token: string, path: string, body: unknown): Promise<Json> {
  const res = await fetch(`${fake.url}/repos/${owner}/${repo}${path}`, {
    method: 'POST',
    headers: {
      authorization: `token ${token}`,
      accept: 'application/vnd.github+json',
      'content-type': 'application/json',
    },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(5_000),
  });
  assert.equal(res.status, 201, `POST ${path}: ${await res.clone().text()}`);
  return (await res.json()) as Json;
}

/** What anyone with write permission can do: a staging deployment of `sha` and a `success` status on it. */
async function forgedSuccess(fake: FakeGitHub, token: string, sha = HEAD): Promise<number> {
  const { id } = (await call(fake, token, '/deployments', {
    ref: sha,
    environment: 'staging',
    task: 'deploy',
    payload: { type: 'standard' },
    required_contexts: [],
    auto_merge: false,
  })) as { id: number };
  await call(fake, token, `/deployments/${id}/statuses`, { state: 'success', description: 'deployed' });
  return id;
}

/** A staging record as the Action's pipeline leaves it. */
function stagingRecord(overrides: Partial<EnvironmentRecord> = {}): EnvironmentRecord {
  return {
    schema: 1,
    repository: `${owner}/${repo}`,
    environment: 'staging',
    seq: 4,
    updatedAt: '2025-03-04T10:00:00.000Z',
    live: { version: 'pr-7', sha: HEAD, since: '2025-03-04T10:00:00.000Z', deploymentId: '1' },
    previous: { version: 'v1', sha: BEFORE, since: '2025-03-01T09:00:00.000Z' },
    retired: [],
    history: [
      {
        at: '2025-03-04T09:50:00.000Z',
        by: 'workflow:1',
        event: 'rollout_started',
        code: 'started',
        version: 'pr-7',
      },
      {
        at: '2025-03-04T10:00:00.000Z',
        by: 'workflow:1',
        event: 'succeeded',
        code: 'deployed',
        version: 'pr-7',
      },
    ],
    ...overrides,
  };
}

let nextRun = 700;

/**
 * The record on GitHub as the Action keeps it (src/state/github-store.ts): a deployment of `sha` made with a
 * workflow token, and its `deploy / staging` check run carrying the record signed under `key` (by default
 * staging's state key, derived from the App's marker key).
 */
async function recordOnGitHub(
  fake: FakeGitHub,
  r: EnvironmentRecord,
  sha: string,
  key = stateKey(testMarkerKeys().current, `${owner}/${repo}`, 'staging'),
): Promise<number> {
  const { id } = (await call(fake, WORKFLOW_TOKEN, '/deployments', {
    ref: sha,
    environment: 'staging',
    task: 'deploy',
    payload: { type: 'standard' },
    required_contexts: [],
    auto_merge: false,
  })) as { id: number };
  const place = { repository: `${owner}/${repo}`, environment: 'staging', deploymentId: String(id) };
  await call(fake, WORKFLOW_TOKEN, '/check-runs', {
    name: 'deploy / staging',
    head_sha: sha,
    status: 'in_progress',
    external_id: `deploy-action:${nextRun++}:deploy / staging:deployment-${id}`,
    output: { title: 'deploy', summary: 'deploying', text: signRecord(r, key, place) },
  });
  return id;
}

const productionDeployments = (fake: FakeGitHub) =>
  [...fake.repo().deployments.values()].filter((d) => d.environment === 'production');

/** alice comments `body`; the App's replies to it. */
async function say(w: World, body: string): Promise<string> {
  const before = appReplies(w.fake).length;
  const { payload } = commentOnPull(w.fake, body, { user: 'alice' });
  await w.probot.receive({ id: crypto.randomUUID(), name: 'issue_comment', payload } as Receive);
  return appReplies(w.fake).slice(before).join('\n');
}

/** alice asks for production; the App's replies (none when it deployed: the status comment says so). */
const deployProduction = (w: World): Promise<string> => say(w, '/deploy production');

test('/deploy: a staging deployment of the commit with a success status, made by a workflow or a person, does not meet requires', async () => {
  await run(async (w) => {
    await forgedSuccess(w.fake, WORKFLOW_TOKEN);
    await forgedSuccess(w.fake, MALLORY_TOKEN);
    const reply = await deployProduction(w);
    assert.match(reply, /prior_environment_missing/);
    assert.match(reply, /state_not_kept/, 'says staging keeps no signed record');
    assert.match(reply, /state-key/, 'says what to configure');
    assert.equal(productionDeployments(w.fake).length, 0, 'nothing deployed to production');
  });
});

test("/deploy: staging's signed record with the commit live meets requires", async () => {
  await run(async (w) => {
    await recordOnGitHub(w.fake, stagingRecord(), HEAD);
    const reply = await deployProduction(w);
    assert.doesNotMatch(reply, /prior_environment_missing/);
    assert.equal(productionDeployments(w.fake).length, 1, 'deployed to production');
    assert.equal(productionDeployments(w.fake)[0]!.sha, HEAD);
  });
});

test('/deploy: a record in which the commit was rolled back does not meet requires, whatever statuses say', async () => {
  await run(async (w) => {
    // The commit went live in staging, then /rollback put the release before it back.
    const rolledBack = stagingRecord({
      seq: 6,
      live: { version: 'v1', sha: BEFORE, since: '2025-03-04T11:00:00.000Z', deploymentId: '3' },
      previous: { version: 'pr-7', sha: HEAD, since: '2025-03-04T10:00:00.000Z', deploymentId: '1' },
      history: [
        ...stagingRecord().history,
        {
          at: '2025-03-04T10:50:00.000Z',
          by: 'workflow:2',
          event: 'rollout_started',
          code: 'started',
          version: 'v1',
        },
        {
          at: '2025-03-04T11:00:00.000Z',
          by: 'workflow:2',
          event: 'succeeded',
          code: 'deployed',
          version: 'v1',
        },
      ],
    });
    await recordOnGitHub(w.fake, rolledBack, BEFORE);
    await forgedSuccess(w.fake, WORKFLOW_TOKEN);
    const reply = await deployProduction(w);
    assert.match(reply, /prior_environment_missing/);
    assert.match(reply, /not_live/);
    assert.equal(productionDeployments(w.fake).length, 0);
  });
});

test('/deploy: a rollout of the commit that failed and was rolled back does not meet requires', async () => {
  await run(async (w) => {
    const failed = stagingRecord({
      seq: 5,
      live: { version: 'v1', sha: BEFORE, since: '2025-03-01T09:00:00.000Z' },
      previous: undefined,
      history: [
        {
          at: '2025-03-04T09:50:00.000Z',
          by: 'workflow:1',
          event: 'rollout_started',
          code: 'started',
          version: 'pr-7',
        },
        {
          at: '2025-03-04T09:55:00.000Z',
          by: 'workflow:1',
          event: 'rolled_back',
          code: 'staging_failed',
          version: 'pr-7',
        },
      ],
    });
    await recordOnGitHub(w.fake, failed, HEAD);
    await forgedSuccess(w.fake, WORKFLOW_TOKEN);
    const reply = await deployProduction(w);
    assert.match(reply, /not_live/);
    assert.equal(productionDeployments(w.fake).length, 0);
  });
});

test('/deploy: a staging record signed under another key is refused with its code, not believed', async () => {
  await run(async (w) => {
    await recordOnGitHub(w.fake, stagingRecord(), HEAD, randomBytes(32));
    await forgedSuccess(w.fake, WORKFLOW_TOKEN);
    const reply = await deployProduction(w);
    assert.match(reply, /prior_environment_missing/);
    assert.match(reply, /state_forged/);
    assert.equal(productionDeployments(w.fake).length, 0);
  });
});

/** A protection rule call for a production run of HEAD, its deployment made by a workflow. */
function protectionRule(fake: FakeGitHub, run: number): Json {
  const target = { owner, repo, baseUrl: fake.url, installationId: fake.state.installationId };
  const base = webhookPayload(
    'deployment_protection_rule',
    'requested',
    { repository: { default_branch: 'main' } },
    target,
  );
  return {
    ...base,
    environment: 'production',
    event: 'push',
    deployment_callback_url: `${fake.url}/repos/${owner}/${repo}/actions/runs/${run}/deployment_protection_rule`,
    deployment: {
      ...(base.deployment as object),
      sha: HEAD,
      environment: 'production',
      payload: {},
      creator: { login: 'github-actions[bot]', type: 'Bot' },
    },
    pull_requests: [],
  };
}

const reviewOf = (fake: FakeGitHub, run: number) =>
  fake.repo().protectionRuleReviews.find((r) => r.runId === run);

test('protection rule: a forged staging success is rejected; a tampered record with its code; a genuine record is approved', async () => {
  await run(async (w) => {
    const receive = (run: number) =>
      w.probot.receive({
        id: crypto.randomUUID(),
        name: 'deployment_protection_rule',
        payload: protectionRule(w.fake, run),
      } as Receive);
    await forgedSuccess(w.fake, WORKFLOW_TOKEN);
    await receive(1);
    assert.equal(reviewOf(w.fake, 1)?.state, 'rejected');
    assert.match(reviewOf(w.fake, 1)!.comment!, /state_not_kept/);

    await recordOnGitHub(w.fake, stagingRecord(), HEAD, randomBytes(32));
    await forgedSuccess(w.fake, WORKFLOW_TOKEN);
    await receive(2);
    assert.equal(reviewOf(w.fake, 2)?.state, 'rejected');
    assert.match(reviewOf(w.fake, 2)!.comment!, /state_forged/);
  });
  await run(async (w) => {
    await recordOnGitHub(w.fake, stagingRecord(), HEAD);
    await w.probot.receive({
      id: crypto.randomUUID(),
      name: 'deployment_protection_rule',
      payload: protectionRule(w.fake, 3),
    } as Receive);
    assert.equal(reviewOf(w.fake, 3)?.state, 'approved', reviewOf(w.fake, 3)?.comment ?? undefined);
  });
});

let runs = 9100;
/** A workflow run completes: the App's trigger to start what is due (app/schedule/triggers.ts). */
async function runCompletes(w: World): Promise<string> {
  const before = appReplies(w.fake).length;
  const id = runs++;
  w.fake.addWorkflowRun({ id, headSha: HEAD });
  w.fake.updateWorkflowRun(id, { status: 'completed', conclusion: 'success' });
  await w.probot.receive({
    id: crypto.randomUUID(),
    name: 'workflow_run',
    payload: w.fake.workflowRunWebhook(id),
  } as Receive);
  return appReplies(w.fake).slice(before).join('\n');
}

test('a schedule at its time: a forged staging success does not meet requires; the signed record does', async () => {
  await run(async (w) => {
    await forgedSuccess(w.fake, WORKFLOW_TOKEN);
    assert.match(await say(w, '/deploy production at 2026-12-01 09:00'), /schedule_recorded/);
    w.clock.now = new Date('2026-12-01T09:01:00Z');
    const refused = await runCompletes(w);
    assert.match(refused, /schedule_prior_environment_missing/);
    assert.match(refused, /state_not_kept/);
    assert.equal(productionDeployments(w.fake).length, 0);

    await recordOnGitHub(w.fake, stagingRecord(), HEAD);
    assert.match(await say(w, '/deploy production at 2026-12-01 10:00'), /schedule_recorded/);
    w.clock.now = new Date('2026-12-01T10:01:00Z');
    assert.match(await runCompletes(w), /schedule_started/);
    assert.equal(productionDeployments(w.fake).length, 1);
  });
});
