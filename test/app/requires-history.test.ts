// `requires: staging` through the real App and the fake GitHub, from staging's signed record: a commit that
// succeeded in staging and was then superseded by a newer release still meets it (its `succeeded` history
// entry names the commit); one rolled back by /rollback (the next release went back to the one before it)
// does not, with the reason in the reply.
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
  rest,
  testApp,
  testMarkerKeys,
  testProbot,
} from './helpers.ts';
import type { EnvironmentRecord, HistoryEntry } from '../../src/state/record.ts';
import { signRecord } from '../../src/state/signed-record.ts';
import { stateKey } from '../../src/state/state-key.ts';

type Receive = Parameters<Probot['receive']>[0];

const BEFORE = fakeSha('release-before');
const NEWER = fakeSha('release-newer');
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

async function run(body: (fake: FakeGitHub, probot: Probot) => Promise<void>): Promise<void> {
  const fake = await createFakeGitHub();
  fake.seedRepo({
    owner,
    repo,
    files: { '.github/deploy.yml': CONFIG },
    collaborators: { alice: 'write' },
    pulls: [{ number: PR, head: HEAD, user: 'carol' }],
  });
  fake.addCommit({ sha: BEFORE, message: 'before' });
  fake.addCommit({ sha: NEWER, message: 'newer' });
  const probot = testProbot(fake);
  await probot.load(testApp());
  try {
    await body(fake, probot);
    fake.assertNoViolations();
  } finally {
    await fake.stop();
  }
}

let minute = 0;
/** One successful run of `sha` as the pipeline records it: started, verify, succeeded, each naming the commit. */
function release(sha: string, version: string): HistoryEntry[] {
  return (['rollout_started:started', 'phase:verify', 'succeeded:deployed'] as const).map((ec) => {
    const [event, code] = ec.split(':') as [string, string];
    minute += 1;
    return {
      at: new Date(Date.UTC(2026, 10, 30, 8, minute)).toISOString(),
      by: 'workflow:1',
      event,
      code,
      version,
      sha,
    };
  });
}

let nextRun = 900;
/** Staging's record, signed under staging's state key, on a workflow's deployment of what is live. */
async function stagingRecord(
  fake: FakeGitHub,
  history: HistoryEntry[],
  live: [string, string],
): Promise<void> {
  const record: EnvironmentRecord = {
    schema: 1,
    repository: `${owner}/${repo}`,
    environment: 'staging',
    seq: 9,
    updatedAt: history.at(-1)!.at,
    live: { sha: live[0], version: live[1], since: history.at(-1)!.at },
    retired: [],
    history,
  };
  const { id } = await rest(fake, 'POST', '/deployments', {
    ref: live[0],
    environment: 'staging',
    task: 'deploy',
    payload: { type: 'standard' },
    required_contexts: [],
    auto_merge: false,
  });
  const key = stateKey(testMarkerKeys().current, `${owner}/${repo}`, 'staging');
  const place = { repository: `${owner}/${repo}`, environment: 'staging', deploymentId: String(id) };
  await rest(fake, 'POST', '/check-runs', {
    name: 'deploy / staging',
    head_sha: live[0],
    status: 'in_progress',
    external_id: `deploy-action:${nextRun++}:deploy / staging:deployment-${id}`,
    output: { title: 'deploy', summary: 'deploying', text: signRecord(record, key, place) },
  });
}

async function deployProduction(fake: FakeGitHub, probot: Probot): Promise<string> {
  const before = appReplies(fake).length;
  const { payload } = commentOnPull(fake, '/deploy production', { user: 'alice' });
  await probot.receive({ id: crypto.randomUUID(), name: 'issue_comment', payload } as Receive);
  return appReplies(fake).slice(before).join('\n');
}

async function protectionRule(fake: FakeGitHub, probot: Probot): Promise<string | undefined> {
  const id = nextRun++;
  const target = { owner, repo, baseUrl: fake.url, installationId: fake.state.installationId };
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
    deployment_callback_url: `${fake.url}/repos/${owner}/${repo}/actions/runs/${id}/deployment_protection_rule`,
    deployment: {
      ...(base.deployment as object),
      sha: HEAD,
      environment: 'production',
      payload: {},
      creator: { login: 'github-actions[bot]', type: 'Bot' },
    },
    pull_requests: [],
  };
  await probot.receive({
    id: crypto.randomUUID(),
    name: 'deployment_protection_rule',
    payload,
  } as unknown as Receive);
  return fake.repo().protectionRuleReviews.find((r) => r.runId === id)?.state;
}

const production = (fake: FakeGitHub) =>
  [...fake.repo().deployments.values()].filter((d) => d.environment === 'production');

test('requires: a commit that succeeded in staging and was superseded by a newer release meets it', async () => {
  await run(async (fake, probot) => {
    await stagingRecord(
      fake,
      [...release(BEFORE, 'v1'), ...release(HEAD, 'pr-7'), ...release(NEWER, 'v3')],
      [NEWER, 'v3'],
    );
    assert.equal(await protectionRule(fake, probot), 'approved');
    const reply = await deployProduction(fake, probot);
    assert.doesNotMatch(reply, /prior_environment_missing/);
    assert.equal(production(fake).length, 1, reply);
  });
});

test('requires: a commit rolled back in staging by /rollback (the release before it put back) does not meet it', async () => {
  await run(async (fake, probot) => {
    await stagingRecord(
      fake,
      [...release(BEFORE, 'v1'), ...release(HEAD, 'pr-7'), ...release(BEFORE, 'v1')],
      [BEFORE, 'v1'],
    );
    assert.equal(await protectionRule(fake, probot), 'rejected');
    const reply = await deployProduction(fake, probot);
    assert.match(reply, /prior_environment_missing/);
    assert.match(reply, /not_live/);
    assert.match(reply, /rolled back/);
    assert.equal(production(fake).length, 0);
  });
});
