// The App reads every state record through one reader (app/index.ts), which remembers the highest record
// number it has trusted: a record older than one any earlier delivery read is refused as state_stale. The
// protection rule and scheduled deployments built a reader of their own per decision, so after a write user
// deleted the newer deployment (its record on another commit), they believed the older record.
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
const TOKEN = 'workflow-token';
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
  const fake = await createFakeGitHub();
  fake.seedRepo({
    owner,
    repo,
    files: { '.github/deploy.yml': CONFIG },
    collaborators: { alice: 'write' },
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

async function call(fake: FakeGitHub, method: string, path: string, body?: unknown): Promise<Json> {
  const res = await fetch(`${fake.url}/repos/${owner}/${repo}${path}`, {
    method,
    headers: {
      authorization: `token ${TOKEN}`,
      accept: 'application/vnd.github+json',
      'content-type': 'application/json',
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    signal: AbortSignal.timeout(5_000),
  });
  assert.ok(res.status === 201 || res.status === 204, `${method} ${path}: ${await res.clone().text()}`);
  return res.status === 204 ? {} : ((await res.json()) as Json);
}

/** A staging record numbered `seq` with `live` live, kept as the Action keeps it, on a deployment of `live`. */
let nextRun = 800;
async function stagingRecord(fake: FakeGitHub, seq: number, live: string): Promise<number> {
  const record: EnvironmentRecord = {
    schema: 1,
    repository: `${owner}/${repo}`,
    environment: 'staging',
    seq,
    updatedAt: '2025-03-04T10:00:00.000Z',
    live: { version: `v${seq}`, sha: live, since: '2025-03-04T10:00:00.000Z' },
    retired: [],
    history: [],
  };
  const { id } = (await call(fake, 'POST', '/deployments', {
    ref: live,
    environment: 'staging',
    task: 'deploy',
    payload: { type: 'standard' },
    required_contexts: [],
    auto_merge: false,
  })) as { id: number };
  const key = stateKey(testMarkerKeys().current, `${owner}/${repo}`, 'staging');
  const place = { repository: `${owner}/${repo}`, environment: 'staging', deploymentId: String(id) };
  await call(fake, 'POST', '/check-runs', {
    name: 'deploy / staging',
    head_sha: live,
    status: 'in_progress',
    external_id: `deploy-action:${nextRun++}:deploy / staging:deployment-${id}`,
    output: { title: 'deploy', summary: 'deploying', text: signRecord(record, key, place) },
  });
  return id;
}

/** What a write user can do: mark a deployment inactive and delete it. */
async function deleteDeployment(fake: FakeGitHub, id: number): Promise<void> {
  await call(fake, 'POST', `/deployments/${id}/statuses`, { state: 'inactive' });
  await call(fake, 'DELETE', `/deployments/${id}`);
}

/**
 * Staging: record #4 shows HEAD live; then record #6, on a deployment of BEFORE, shows BEFORE live. `read`
 * reads #6 through one path; the #6 deployment is deleted, so GitHub shows #4 as staging's newest record.
 */
async function staleAfter(w: World, read: () => Promise<void>): Promise<void> {
  await stagingRecord(w.fake, 4, HEAD);
  const newer = await stagingRecord(w.fake, 6, BEFORE);
  await read();
  await deleteDeployment(w.fake, newer);
}

let runs = 500;
async function protectionRule(w: World): Promise<{ state?: string; comment: string }> {
  const id = runs++;
  const target = { owner, repo, baseUrl: w.fake.url, installationId: w.fake.state.installationId };
  const base = webhookPayload(
    'deployment_protection_rule',
    'requested',
    { repository: { default_branch: 'main' } },
    target,
  );
  const payload = {
    ...base,
    environment: 'production',
    event: 'push',
    deployment_callback_url: `${w.fake.url}/repos/${owner}/${repo}/actions/runs/${id}/deployment_protection_rule`,
    deployment: {
      ...(base.deployment as object),
      sha: HEAD,
      environment: 'production',
      payload: {},
      creator: { login: 'github-actions[bot]', type: 'Bot' },
    },
    pull_requests: [],
  };
  await w.probot.receive({
    id: crypto.randomUUID(),
    name: 'deployment_protection_rule',
    payload,
  } as unknown as Receive);
  const review = w.fake.repo().protectionRuleReviews.find((r) => r.runId === id);
  return { ...(review?.state ? { state: review.state } : {}), comment: review?.comment ?? '' };
}

async function say(w: World, body: string): Promise<string> {
  const before = appReplies(w.fake).length;
  const { payload } = commentOnPull(w.fake, body, { user: 'alice' });
  await w.probot.receive({ id: crypto.randomUUID(), name: 'issue_comment', payload } as Receive);
  return appReplies(w.fake).slice(before).join('\n');
}

const production = (fake: FakeGitHub) =>
  [...fake.repo().deployments.values()].filter((d) => d.environment === 'production');

test('protection rule: a record older than one /deploy read is refused as state_stale, not believed', async () => {
  await run(async (w) => {
    await staleAfter(w, async () => {
      const refused = await say(w, '/deploy production');
      assert.match(refused, /prior_environment_missing/);
      assert.match(refused, /not_live/);
    });
    const answer = await protectionRule(w);
    assert.equal(answer.state, 'rejected', 'record #4 after #6 is not believed');
    assert.match(answer.comment, /state_stale/);
  });
});

test('schedule: a record older than one the protection rule read is refused as state_stale at its time', async () => {
  await run(async (w) => {
    await stagingRecord(w.fake, 4, HEAD);
    assert.match(await say(w, '/deploy production at 2026-12-01 09:00'), /schedule_recorded/);
    const newer = await stagingRecord(w.fake, 6, BEFORE);
    assert.equal((await protectionRule(w)).state, 'rejected', 'record #6: HEAD not live');
    await deleteDeployment(w.fake, newer);
    w.clock.now = new Date('2026-12-01T09:01:00Z');
    const id = runs++;
    w.fake.addWorkflowRun({ id, headSha: HEAD });
    w.fake.updateWorkflowRun(id, { status: 'completed', conclusion: 'success' });
    const before = appReplies(w.fake).length;
    await w.probot.receive({
      id: crypto.randomUUID(),
      name: 'workflow_run',
      payload: w.fake.workflowRunWebhook(id),
    } as Receive);
    const replies = appReplies(w.fake).slice(before).join('\n');
    assert.match(replies, /schedule_prior_environment_missing/);
    assert.match(replies, /state_stale/);
    assert.equal(production(w.fake).length, 0, 'nothing deployed on the older record');
  });
});
