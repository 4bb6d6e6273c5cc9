// The App and the BUILT action on one repository of the fake GitHub, in front of the demo's services behind a
// real haproxy (test/helpers/demo.ts): what the end-to-end tests of issue 13 (orphans) and issue 14 (control
// from the PR) share. The repository has a deploy.yml the test chooses, the reconcile workflow of
// docs/reconcile.md, alice as a deployer with write access, and PR #7; the state key is the one the App
// derives for production from its marker key.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Octokit } from '@octokit/rest';
import type { Probot } from 'probot';
import { createFakeGitHub, fakeSha, webhookPayload, type FakeGitHub } from '../fake-github/index.ts';
import { PR, testApp, testMarkerKeys, testProbot } from '../app/helpers.ts';
import { storedDeploymentWebhook } from './app-webhooks.ts';
import { haproxyServers } from '../../examples/demo/lib/haproxy-runtime.ts';
import { HAPROXY_BACKEND } from '../../examples/demo/lib/traffic.ts';
import { setupDemo, type Demo } from './demo.ts';
import { readEnvironmentRecord, type StateReadApi } from '../../src/state/github-store.ts';
import { formatStateKey, stateKey } from '../../src/state/state-key.ts';

export type Receive = Parameters<Probot['receive']>[0];
export type Json = Record<string, unknown>;

export const OWNER = 'acme';
export const REPO = 'shop';
export const ENV = 'production';
export const ACTION_TOKEN = 'ghs_workflow_token';
export const CONFIG_PATH = '.github/deploy.yml';
export const RECONCILE_WORKFLOW = '.github/workflows/deploy-reconcile.yml';
/** The deploying workflow run; far above the fake's own ids (1_000_001 on). */
export const RUN_ID = 880_000_001;
export const RPS = 250;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The reconcile workflow of docs/reconcile.md (what the dispatch is checked against). */
export const RECONCILE_YML = `name: deploy-reconcile
on:
  schedule:
    - cron: '*/10 * * * *'
  workflow_dispatch:
    inputs:
      environment:
        description: The environment to reconcile (empty, all of them)
        required: false
jobs: {}
`;

export interface Story {
  fake: FakeGitHub;
  probot: Probot;
  demo: Demo;
  /** The state key the operator stored as production's secret: derived from the App's marker key. */
  stateKey: string;
  main: string;
  /** The repository's deploy.yml (the App reads it from the default branch, the action from the checkout). */
  deployYml: string;
}

export async function setup(t: { after(fn: () => unknown): void }, deployYml: string): Promise<Story> {
  // v1 serves on blue behind haproxy; green is empty.
  const demo = await setupDemo(t, 'haproxy', { blue: 100, green: 0 }, { check: 'tcp' });
  await demo.ctl('deploy', '--slot', 'blue', '--version', 'v1');
  await demo.ctl('switch', '--slot', 'blue');

  const fake = await createFakeGitHub({ tokens: { [ACTION_TOKEN]: 'github-actions[bot]' } });
  t.after(() => fake.stop());
  fake.seedRepo({
    owner: OWNER,
    repo: REPO,
    files: { [CONFIG_PATH]: deployYml, [RECONCILE_WORKFLOW]: RECONCILE_YML },
    collaborators: { alice: 'write' },
    pulls: [{ number: PR, head: fakeSha('pr-7-head'), user: 'alice' }],
  });
  const probot = testProbot(fake);
  await probot.load(testApp({ now: () => new Date() }));
  const key = formatStateKey(stateKey(testMarkerKeys().current, `${OWNER}/${REPO}`, ENV));
  return { fake, probot, demo, stateKey: key, main: fake.repo().refs.get('heads/main')!, deployYml };
}

/** A fresh checkout: its own directory with the config and nothing else (no state-dir of an earlier run). */
export function workspace(s: Story, t: { after(fn: () => unknown): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'rollout-story-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, '.github'));
  writeFileSync(join(dir, CONFIG_PATH), s.deployYml);
  return dir;
}

/**
 * What the runner sets for a job of this repository (the workflow token, this run's id). Writes to the fake
 * GitHub are not spaced the 1 s apart the action keeps from GitHub's servers: these stories are about who
 * does what, and each run's dozen writes would add a dozen seconds of nothing (the spacing is kept where it
 * matters: action-github's real-retry-timing tests and action-cancel's runner cancellations).
 */
export function runnerEnv(s: Story, runId: number): NodeJS.ProcessEnv {
  return {
    ...s.demo.env,
    GITHUB_API_URL: s.fake.url,
    GITHUB_REPOSITORY: `${OWNER}/${REPO}`,
    GITHUB_SHA: s.main,
    GITHUB_ACTOR: 'alice',
    GITHUB_RUN_ID: String(runId),
    GITHUB_RUN_ATTEMPT: '1',
    DEPLOY_ACTION_WRITE_INTERVAL_MS: '0',
  };
}

/** The webhook GitHub sends the App for a stored deployment (and one of its stored statuses). */
export const deploymentWebhook = (
  fake: FakeGitHub,
  event: 'deployment' | 'deployment_status',
  id: number,
  status?: Json,
) => storedDeploymentWebhook(fake, { owner: OWNER, repo: REPO }, event, id, status);

/** The workflow_dispatch event the dispatched run receives: the dispatch's inputs and branch. */
export function dispatchEvent(fake: FakeGitHub, inputs: Record<string, unknown>, ref: string) {
  return webhookPayload(
    'workflow_dispatch',
    '',
    { inputs, ref: `refs/heads/${ref}`, workflow: RECONCILE_WORKFLOW },
    { owner: OWNER, repo: REPO, baseUrl: fake.url },
  );
}

/** The environment's record as the action and the App read it from GitHub, under production's state key. */
export function readRecord(s: Story) {
  const api = new Octokit({ auth: ACTION_TOKEN, baseUrl: s.fake.url });
  return readEnvironmentRecord(api.rest as unknown as StateReadApi, { owner: OWNER, repo: REPO }, ENV, [
    Buffer.from(s.stateKey, 'hex'),
  ]);
}

export async function weights(demo: Demo): Promise<Record<string, number>> {
  const status = JSON.parse(await demo.ctl('status')) as { servers: Record<string, { weight: number }> };
  return Object.fromEntries(Object.entries(status.servers).map(([name, s]) => [name, s.weight]));
}

/**
 * The same weights read straight from haproxy's runtime API, the source `ctl status` reads them from: for
 * polling until traffic reaches a share, where a ctl process (a node start) every 250 ms cost more CPU
 * than anything the poll checks. What a test asserts still comes from ctl (weights above).
 */
export async function routerWeights(demo: Demo): Promise<Record<string, number>> {
  const socket = demo.env.DEMO_HAPROXY_SOCKET;
  if (!socket) throw new Error('routerWeights reads haproxy: the demo has no DEMO_HAPROXY_SOCKET');
  const stats = await haproxyServers(socket, HAPROXY_BACKEND);
  return Object.fromEntries(stats.map((s) => [s.name, s.weight]));
}
