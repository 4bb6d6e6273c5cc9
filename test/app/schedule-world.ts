// The world of the schedule tests (test/app/schedule*.test.ts): the App against a fake GitHub seeded with one
// pull request and a config, on a clock the test moves; a PR comment and its reply; a workflow run that
// completes (the App's trigger to look for schedules that are due).
import assert from 'node:assert/strict';
import type { Probot } from 'probot';
import { createFakeGitHub, fakeSha } from '../fake-github/index.ts';
import type { FakeGitHub } from '../fake-github/index.ts';
import { appReplies, commentOnPull, testApp, testProbot } from './helpers.ts';

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
