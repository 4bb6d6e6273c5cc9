// What the tests of a run that ends without deploying share (run-ended.test.ts: a run the App let through;
// run-not-approved.test.ts: one it rejected or that waited): the repository, the App's deployment of production
// and its statuses, and the webhooks of a run's completion and of the App's own newest status.
import assert from 'node:assert/strict';
import type { Probot } from 'probot';
import { webhookPayload } from '../fake-github/index.ts';
import type { FakeGitHub } from '../fake-github/index.ts';
import { BOT_LOGIN, HEAD, PR, deployYml, repliesTo } from './helpers.ts';
import { deliveryTarget, receive } from './delivery-helpers.ts';

type Json = Record<string, unknown>;

export const OTHER_PR = 8;

export const CONFIG = deployYml(`
  production:
    approvals:
      deployers: [alice, bob]
      required: 0
`);

/** CONFIG with one approval, dave's, required for production: a gate waits for it, and dave may veto. */
export const WITH_APPROVAL = CONFIG.replace('required: 0', 'required: 1\n      approvers: [dave]');

/** alice, bob and dave with write access; carol's pull request PR and erin's OTHER_PR (head `otherHead`). */
export const runSeed = (otherHead: string) => ({
  config: CONFIG,
  collaborators: { alice: 'write', bob: 'write', dave: 'write' } as const,
  pulls: [
    { number: PR, head: HEAD, user: 'carol' },
    { number: OTHER_PR, head: otherHead, user: 'erin' },
  ],
});

export const lockOf = (fake: FakeGitHub) => fake.repo().refs.get('deploy-locks/production');
export const appDeployments = (fake: FakeGitHub): Json[] =>
  [...fake.repo().deployments.values()].filter(
    (d) => d.environment === 'production' && (d.creator as { login?: string }).login === BOT_LOGIN,
  );
export const statusesOf = (fake: FakeGitHub, d: Json): Json[] =>
  fake.repo().deploymentStatuses.get(d.id as number) ?? [];
const byApp = (s: Json) => (s.creator as { login?: string } | undefined)?.login === BOT_LOGIN;
/** The App's `error` statuses on `d` (what ending it writes). */
export const appErrors = (fake: FakeGitHub, d: Json): Json[] =>
  statusesOf(fake, d).filter((s) => s.state === 'error' && byApp(s));
/** The App's `pending` statuses on `d` (what naming a run it does not approve writes). */
export const appPending = (fake: FakeGitHub, d: Json): Json[] =>
  statusesOf(fake, d).filter((s) => s.state === 'pending' && byApp(s));

/** alice's /deploy production: the App's deployment, holding production's lock. */
export async function deployedByAlice(fake: FakeGitHub, probot: Probot): Promise<Json> {
  await repliesTo(fake, probot, '/deploy production', 'alice');
  const [own] = appDeployments(fake);
  assert.ok(own, "alice's deployment");
  assert.equal(lockOf(fake), HEAD, 'it holds production’s lock');
  return own;
}

/**
 * Attempt `attempt` of run `id` completes with `conclusion` (cancelled, by default: before its job started),
 * delivered as `delivery`: GitHub's workflow_run webhook of it.
 */
export async function completes(
  fake: FakeGitHub,
  probot: Probot,
  id: number,
  o: { attempt?: number; conclusion?: 'cancelled' | 'failure' | 'success'; delivery?: string } = {},
): Promise<void> {
  const run = fake.repo().workflowRuns.get(id)!;
  fake.updateWorkflowRun(id, {
    status: 'completed',
    conclusion: o.conclusion ?? 'cancelled',
    ...(o.attempt !== undefined && o.attempt >= run.runAttempt ? { runAttempt: o.attempt } : {}),
  });
  const payload = fake.workflowRunWebhook(id);
  // A late delivery of an earlier attempt's completion: GitHub's webhook names that attempt.
  if (o.attempt !== undefined) (payload.workflow_run as Json).run_attempt = o.attempt;
  await receive(probot, 'workflow_run', payload, o.delivery);
}

/** The deployment_status delivery of the App's own newest status on `deployment` (what GitHub sends for it). */
export async function deliverNewestAppStatus(
  fake: FakeGitHub,
  probot: Probot,
  deployment: Json,
): Promise<void> {
  const status = statusesOf(fake, deployment).at(-1)!;
  assert.equal((status.creator as { login: string }).login, BOT_LOGIN);
  await receive(
    probot,
    'deployment_status',
    webhookPayload(
      'deployment_status',
      'created',
      {
        repository: { default_branch: 'main' },
        deployment: {
          id: deployment.id,
          sha: deployment.sha,
          environment: 'production',
          payload: deployment.payload,
          creator: { login: BOT_LOGIN, type: 'Bot' },
        },
        deployment_status: {
          id: status.id,
          creator: { login: BOT_LOGIN, type: 'Bot' },
          state: status.state,
          environment: 'production',
          description: status.description,
          created_at: status.created_at,
        },
      },
      deliveryTarget(fake),
    ),
  );
}
