// The whole story across both runtimes (issue 6): a PR comment `/deploy production` and two
// `/approve-deploy` comments reach the GitHub App, which creates ONE deployment of the PR's head commit; the
// BUILT action receives that `deployment` event as the runner would and deploys the demo through a real
// router with a canary; every deployment status it reported goes back to the App as a `deployment_status`
// webhook, and the PR ends with one status comment saying success and the environment lock released.
// GitHub is the fake (every request checked against GitHub's OpenAPI description).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Probot } from 'probot';
import { createFakeGitHub, fakeSha, type FakeGitHub } from '../fake-github/index.ts';
import { commentOnPull, PR, testApp, testProbot } from '../app/helpers.ts';
import { runBuiltAction } from '../helpers/action.ts';
import { demoTargetYaml, servedVersions, setupDemo, type Demo } from '../helpers/demo.ts';
import { storedDeploymentWebhook } from '../helpers/app-webhooks.ts';
import { parseDeploymentPayload } from '../../src/github/deployment-payload.ts';
import { parseStatusComment, statusMarker } from '../../src/github/status-comment.ts';

type Receive = Parameters<Probot['receive']>[0];
type Json = Record<string, unknown>;

const OWNER = 'acme';
const REPO = 'shop';
const ENV = 'production';
const ACTION_TOKEN = 'ghs_workflow_token';
const CONFIG_PATH = '.github/deploy.yml';

/**
 * One deploy.yml, as the repository holds it: the App reads its approval policy from the default branch,
 * the Action reads the same file from the checkout. Commands drive the demo's ctl (absolute paths, so the
 * action can run from its own workspace). The environment's default is blue-green; the comment asks for a
 * canary, so the strategy provably travels App → payload → Action.
 */
function deployYml(): string {
  return `preset: fast
${demoTargetYaml()}strategies:
  canary: { steps: [25, 100], pause: 0 }
environments:
  ${ENV}:
    strategy: blue-green
    monitor: 0
    url: https://shop.example
    approvals:
      approvers: [carol, dave]
      required: 2
`;
}

interface Story {
  fake: FakeGitHub;
  probot: Probot;
  demo: Demo;
  workspace: string;
  head: string;
}

async function setup(t: { after(fn: () => unknown): void }): Promise<Story> {
  // v1 serves on blue behind the embedded router.
  const demo = await setupDemo(t, 'embedded', { blue: 100, green: 0 });
  await demo.ctl('deploy', '--slot', 'blue', '--version', 'v1');
  await demo.ctl('switch', '--slot', 'blue');

  const fake = await createFakeGitHub({ tokens: { [ACTION_TOKEN]: 'github-actions[bot]' } });
  const workspace = mkdtempSync(join(tmpdir(), 'app-action-'));
  t.after(async () => {
    await fake.stop();
    rmSync(workspace, { recursive: true, force: true });
  });
  const config = deployYml();
  fake.seedRepo({
    owner: OWNER,
    repo: REPO,
    files: { [CONFIG_PATH]: config },
    collaborators: { alice: 'write', carol: 'write', dave: 'write' },
    pulls: [{ number: PR, head: fakeSha('pr-7-first'), user: 'alice' }],
  });
  // The PR moves on after it was opened: what is deployed is its head commit at approval time.
  const head = fakeSha('pr-7-head');
  fake.pushCommit(PR, head, { message: 'Add the checkout button', author: 'alice' });
  mkdirSync(join(workspace, '.github'));
  writeFileSync(join(workspace, CONFIG_PATH), config);

  const probot = testProbot(fake);
  await probot.load(testApp({ now: () => new Date() }));
  return { fake, probot, demo, workspace, head };
}

/** A person's comment on the PR: it exists on the fake (the App reacts to it), then is delivered. */
async function say(s: Story, body: string, user: string): Promise<number> {
  const { id, payload } = commentOnPull(s.fake, body, { user, owner: OWNER, repo: REPO });
  await s.probot.receive({ id: crypto.randomUUID(), name: 'issue_comment', payload } as Receive);
  return id;
}

const deployments = (fake: FakeGitHub) => [...fake.repo().deployments.values()];

const statusComments = (fake: FakeGitHub) =>
  [...fake.repo().comments.values()].filter((c) => String(c.body).startsWith(statusMarker(ENV)));

/** The webhook GitHub sends the App for a stored deployment (and one of its stored statuses). */
const deploymentEvent = (
  fake: FakeGitHub,
  event: 'deployment' | 'deployment_status',
  id: number,
  status?: Json,
) => storedDeploymentWebhook(fake, { owner: OWNER, repo: REPO }, event, id, status);

test('/deploy + two /approve-deploy → one deployment → the built action deploys it → the PR shows success, the lock is released', async (t) => {
  const s = await setup(t);
  const { fake } = s;

  // 1. The App: a request, then two approvals from the allowed approvers.
  const ask = await say(s, `/deploy ${ENV} --strategy canary | version=v2`, 'alice');
  assert.equal(deployments(fake).length, 0, 'production waits for approvals');
  await say(s, `/approve-deploy ${ENV}`, 'carol');
  assert.equal(deployments(fake).length, 0, 'one approval of two is not enough');
  await say(s, `/approve-deploy ${ENV}`, 'dave');
  const created = deployments(fake);
  assert.equal(created.length, 1, 'the second approval creates exactly one deployment');
  const deployment = created[0]!;
  const deploymentId = deployment.id as number;
  assert.equal(deployment.sha, s.head);
  assert.equal(deployment.ref, s.head, 'the head SHA, never the branch name');
  assert.equal(deployment.environment, ENV);
  const payload = parseDeploymentPayload(deployment.payload);
  assert.equal(payload.strategy, 'canary');
  assert.equal(payload.version, 'v2');
  assert.equal(payload.type, 'standard');
  assert.equal(payload.pr, PR);
  assert.equal(payload.requested_by, 'alice');
  assert.deepEqual(payload.approved_by, ['carol', 'dave']);
  assert.equal(payload.source_comment_id, ask);
  assert.ok(fake.repo().refs.has(`deploy-locks/${ENV}`), 'the deployment holds the environment lock');

  // 2. The Action, run as the runner runs it for that deployment event.
  const run = await runBuiltAction({
    dir: s.workspace,
    inputs: { 'github-token': ACTION_TOKEN, config: CONFIG_PATH },
    event: { name: 'deployment', payload: deploymentEvent(fake, 'deployment', deploymentId) },
    env: {
      ...s.demo.env,
      GITHUB_API_URL: fake.url,
      GITHUB_REPOSITORY: `${OWNER}/${REPO}`,
      // The workflow of a deployment event runs on the default branch; the deployment's SHA is what ships.
      GITHUB_SHA: fake.repo().refs.get('heads/main')!,
      GITHUB_ACTOR: 'alice',
      DEPLOY_ACTION_RETRY_BASE_MS: '20',
      DEPLOY_ACTION_WRITE_INTERVAL_MS: '0',
    },
    timeoutMs: 60_000,
  });
  assert.equal(run.status, 0, run.stdout + run.stderr);
  assert.equal(run.outputs.status, 'succeeded');
  assert.equal(run.outputs['deployment-id'], String(deploymentId));
  assert.equal(run.outputs['previous-version'], 'v1');
  assert.equal(deployments(fake).length, 1, 'the action creates no deployment of its own');
  // The canary went all the way: v2 on green takes every request.
  assert.deepEqual(JSON.parse(await s.demo.ctl('current')), { slot: 'green', version: 'v2' });
  assert.deepEqual(await servedVersions(s.demo.url), ['v2']);

  const statuses = fake.repo().deploymentStatuses.get(deploymentId)!;
  assert.deepEqual(
    statuses.map((x) => x.state),
    ['queued', 'in_progress', 'success'],
  );
  assert.match(
    String(statuses[1]!.description),
    /^production: canary to v2/,
    'the strategy the comment asked for',
  );

  // 3. Every status the action created goes back to the App, in order.
  for (const status of statuses) {
    await s.probot.receive({
      id: crypto.randomUUID(),
      name: 'deployment_status',
      payload: deploymentEvent(fake, 'deployment_status', deploymentId, status),
    } as Receive);
  }

  // 4. One status comment, success, for that commit and that deployment; the lock is gone.
  const comments = statusComments(fake);
  assert.equal(comments.length, 1, `one status comment, found ${comments.length}`);
  const shown = parseStatusComment(String(comments[0]!.body), ENV);
  assert.ok(shown, 'the status comment parses');
  assert.equal(shown.state, 'success');
  assert.equal(shown.sha, s.head);
  assert.equal(shown.deploymentId, deploymentId);
  assert.equal(fake.repo().refs.has(`deploy-locks/${ENV}`), false, 'the environment lock is released');
  fake.assertNoViolations();
});
