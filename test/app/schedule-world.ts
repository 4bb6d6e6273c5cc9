// The world of the schedule tests (test/app/schedule*.test.ts): the App against a fake GitHub seeded with one
// pull request and a config, on a clock the test moves; a PR comment and its reply; a workflow run that
// completes (the App's trigger to look for schedules that are due). And for the tests that drive a due check
// (runDue) and the request store directly: a request as recorded, and the fake with the App's Octokit calls.
import assert from 'node:assert/strict';
import type { Probot } from 'probot';
import type { Api } from '../../app/facts/github.ts';
import type { MarkerTrust } from '../../app/facts/own-comments.ts';
import type { ScheduledRequest } from '../../app/schedule/record.ts';
import type { DueDeps } from '../../app/schedule/run-due.ts';
import type { SwapRef } from '../../app/schedule/store.ts';
import { graphqlSwapRef, refReader } from '../../app/schedule/swap-ref.ts';
import { appRecordReader } from '../../app/state.ts';
import { readEnvironmentRecord } from '../../src/state/github-store.ts';
import { createFakeGitHub, fakeSha } from '../fake-github/index.ts';
import type { FakeGitHub } from '../fake-github/index.ts';
import { repoNodeId } from '../fake-github/state.ts';
import {
  appReplies,
  BOT_LOGIN,
  commentOnPull,
  deployYml,
  seededFake,
  testApp,
  testMarkerKeys,
  testProbot,
} from './helpers.ts';

type Receive = Parameters<Probot['receive']>[0];
export const owner = 'acme';
export const repo = 'web';
export const PR = 7;
export const HEAD = fakeSha('pr-7-head');
export const BOT = 'deploy-action[bot]';

export interface World {
  fake: FakeGitHub;
  probot: Probot;
  clock: { now: Date };
}

/** Runs `body` in a fresh world: `config` as .github/deploy.yml, `collaborators` with write, the clock at `start`. */
export async function inWorld(
  body: (w: World) => Promise<void>,
  o: { config: string; collaborators: string[]; start: Date },
): Promise<void> {
  const fake = await createFakeGitHub();
  fake.seedRepo({
    owner,
    repo,
    files: { '.github/deploy.yml': o.config },
    collaborators: Object.fromEntries(o.collaborators.map((login) => [login, 'write' as const])),
    pulls: [{ number: PR, head: HEAD, user: 'alice' }],
  });
  const clock = { now: o.start };
  const probot = testProbot(fake);
  await probot.load(testApp({ now: () => clock.now, botLogin: BOT }));
  try {
    await body({ fake, probot, clock });
    fake.assertNoViolations();
  } finally {
    await fake.stop();
  }
}

export const deployments = (fake: FakeGitHub) => [...fake.repo().deployments.values()];
export const scheduleRefs = (fake: FakeGitHub): string[] =>
  [...fake.repo().refs.keys()].filter((r) => r.startsWith('deploy-schedule/')).sort();

/**
 * `user` comments `body` on the pull request (delivered `redeliver` more times); its id and the App's first
 * reply, as `replies` reads the App's comments (default: as written).
 */
export async function comment(
  w: World,
  body: string,
  user: string,
  redeliver = 0,
  replies: (fake: FakeGitHub) => string[] = appReplies,
): Promise<{ id: number; reply: string }> {
  const before = replies(w.fake).length;
  const { id, payload } = commentOnPull(w.fake, body, { user });
  for (let i = 0; i <= redeliver; i++)
    await w.probot.receive({ id: crypto.randomUUID(), name: 'issue_comment', payload } as Receive);
  const after = replies(w.fake);
  assert.ok(after.length > before, `a reply to ${body}`);
  return { id, reply: after[before]! };
}

let runs = 9000;
/** A workflow run completes (the scheduled reconcile workflow, say): the App's trigger to look. */
export async function runCompletes(w: World, probot: Probot = w.probot): Promise<void> {
  const id = runs++;
  w.fake.addWorkflowRun({ id, headSha: HEAD });
  w.fake.updateWorkflowRun(id, { status: 'completed', conclusion: 'success' });
  await probot.receive({
    id: crypto.randomUUID(),
    name: 'workflow_run',
    payload: w.fake.workflowRunWebhook(id),
  } as Receive);
}

/** When the requests of the due-check tests were asked (scheduledRequest). */
export const ASKED = new Date('2026-12-01T09:00:00Z');
/** The id of a /cancel-deploy comment written after every request a test makes (ids grow): each is its to cancel. */
export const CANCEL_WRITTEN_LAST = Number.MAX_SAFE_INTEGER;

/**
 * The request of `by`'s /deploy comment `n` as recorded: `/deploy staging --queue | version=3` asked at ASKED,
 * or with `mode: 'at'`, `/deploy staging at 2026-12-01 09:30 UTC | version=3`; `over` sets any other field.
 */
export function scheduledRequest(
  n: number,
  by: string,
  over: Partial<ScheduledRequest> = {},
): ScheduledRequest {
  const mode = over.mode ?? 'queue';
  return {
    id: `c${n}`,
    mode,
    environment: 'staging',
    sha: HEAD,
    pr: PR,
    type: 'standard',
    params: { version: '3' },
    requestedBy: by,
    sourceCommentId: n,
    requestedAt: ASKED,
    ...(mode === 'at' ? { at: new Date('2026-12-01T09:30:00Z'), zone: 'UTC' } : {}),
    ...over,
  };
}

/** A fake GitHub and the App's calls to it, as a due check makes them (withDueFake). */
export interface DueFake {
  fake: FakeGitHub;
  /** The App's Octokit REST calls. */
  api: Api;
  graphql: (query: string, variables: Record<string, unknown>) => Promise<unknown>;
  /** The conditional ref update (GraphQL), as the App has it. */
  swap: SwapRef;
  /**
   * A due check's deps as the App makes them (its bot, its app id, the test marker keys, a fresh record
   * reader): at `now`, against `api` (default: the App's calls), tampering warnings to `warn`, info lines to
   * `info`, and stale asks taken over with `swap` where given.
   */
  due(o: {
    now: Date;
    warn: MarkerTrust['warn'];
    info?: DueDeps['info'];
    swap?: SwapRef;
    api?: Api;
  }): DueDeps;
}

/**
 * Runs `body` against a fake GitHub whose config has `environments` (each `{}`; or is `config`), `collaborators` with write
 * and alice's pull request PR at HEAD; checks the fake saw no violations, and stops it.
 */
export async function withDueFake(
  seed: { environments: string[]; collaborators: string[]; config?: string },
  body: (d: DueFake) => Promise<void>,
): Promise<void> {
  const fake = await seededFake({
    config: seed.config ?? deployYml(`${seed.environments.map((e) => `\n  ${e}: {}`).join('')}\n`),
    collaborators: Object.fromEntries(seed.collaborators.map((login) => [login, 'write' as const])),
    pulls: [{ number: PR, head: HEAD, user: 'alice' }],
  });
  try {
    const octokit = await testProbot(fake).auth(fake.state.installationId);
    const api = octokit.rest as unknown as Api;
    const graphql = (query: string, variables: Record<string, unknown>) => octokit.graphql(query, variables);
    const swap = graphqlSwapRef(graphql, repoNodeId(owner, repo), refReader(api.git, { owner, repo }));
    const keys = testMarkerKeys();
    const due: DueFake['due'] = (o) => ({
      api: o.api ?? api,
      now: () => o.now,
      botLogin: BOT_LOGIN,
      appId: fake.state.appId,
      markers: { keys, warn: o.warn },
      records: appRecordReader(keys, readEnvironmentRecord),
      ...(o.info ? { info: o.info } : {}),
      ...(o.swap ? { swap: o.swap } : {}),
    });
    await body({ fake, api, graphql, swap, due });
    fake.assertNoViolations();
  } finally {
    await fake.stop();
  }
}
