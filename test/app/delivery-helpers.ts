// Webhook deliveries the app tests hand to the App directly (probot.receive): a deployment protection rule
// call, an Approve-button press and a review, built on the fake GitHub's sample payloads; and the claim ref a
// pusher can make before one is delivered.
import type { Probot } from 'probot';
import { webhookPayload } from '../fake-github/index.ts';
import type { FakeGitHub } from '../fake-github/index.ts';
import { HEAD, owner, repo, rest, restWith } from './helpers.ts';

type Json = Record<string, unknown>;

/** The repository and installation a delivery names: acme/web on `fake`. */
export const deliveryTarget = (fake: FakeGitHub) => ({
  owner,
  repo,
  baseUrl: fake.url,
  installationId: fake.state.installationId,
});

/**
 * The deployment_status delivery of the App's `deployment` (to `environment`, staging unless said) reaching its
 * final `state`, posted by the workflow's token (github-actions[bot]) at `at`.
 */
export function finalStatus(
  fake: FakeGitHub,
  deployment: Json,
  state: string,
  at = new Date().toISOString(),
  environment = 'staging',
): Json {
  return webhookPayload(
    'deployment_status',
    'created',
    {
      repository: { default_branch: 'main' },
      deployment: {
        id: deployment.id,
        sha: deployment.sha,
        environment,
        payload: deployment.payload,
        creator: { login: 'deploy-action[bot]', type: 'Bot' },
      },
      deployment_status: {
        creator: { login: 'github-actions[bot]', type: 'Bot' },
        state,
        environment,
        description: `deploy ${state}`,
        created_at: at,
        log_url: `${fake.url}/_html/acme/web/actions/runs/99`,
      },
    },
    deliveryTarget(fake),
  );
}

/** Hands `payload` to the App as one delivery of event `name`, under delivery id `id` (a new one). */
export const receive = (
  probot: Probot,
  name: string,
  payload: unknown,
  id: string = crypto.randomUUID(),
): Promise<void> => probot.receive({ id, name, payload } as unknown as Parameters<Probot['receive']>[0]);

/** A token the fake takes for one of the App's installation tokens (the App's bot writes with it). */
const APP_INSTALLATION_TOKEN = 'app-installation-token-of-the-tests';

/**
 * A deployment the App made (GitHub names the App's bot as its creator and the App as the app it was performed
 * via) of `sha` (HEAD) to `environment` with `payload`, written through the fake as the App writes one: what a
 * protection rule call naming the App's deployment by its id needs to exist on GitHub.
 */
export async function appDeployment(
  fake: FakeGitHub,
  o: { environment: string; sha?: string; payload?: Json },
): Promise<Json> {
  fake.state.installationTokens.add(APP_INSTALLATION_TOKEN);
  const { id } = await rest(
    fake,
    'POST',
    '/deployments',
    {
      ref: o.sha ?? HEAD,
      environment: o.environment,
      payload: o.payload ?? {},
      auto_merge: false,
      required_contexts: [],
    },
    APP_INSTALLATION_TOKEN,
  );
  const made = fake.repo().deployments.get(id);
  if (!made) throw new Error(`the fake holds no deployment #${id} just made`);
  return made;
}

/**
 * The deployment_protection_rule delivery for workflow run `run` deploying `sha` (HEAD) to `environment`
 * (production). Its deployment was made by github-actions[bot] unless `creator` says who, with `payload` ({}).
 * The run is a pull_request run of `pullRequests` (their pull_request objects in the payload) when there are
 * any, a push otherwise; `event` overrides that.
 */
export function protectionRulePayload(
  fake: FakeGitHub,
  o: {
    run: number;
    environment?: string;
    sha?: string;
    payload?: Json;
    creator?: Json;
    deploymentId?: number;
    pullRequests?: number[];
    event?: string;
  },
): Json {
  const environment = o.environment ?? 'production';
  const pullRequests = o.pullRequests ?? [];
  // GitHub asks only about a run that waits on the environment: the fake lists it as pending until answered.
  const waiting = fake.repo().waitingGates;
  waiting.set(o.run, new Set([...(waiting.get(o.run) ?? []), environment]));
  const base = webhookPayload(
    'deployment_protection_rule',
    'requested',
    { repository: { default_branch: 'main' } },
    deliveryTarget(fake),
  );
  return {
    ...base,
    environment,
    event: o.event ?? (pullRequests.length ? 'pull_request' : 'push'),
    deployment_callback_url: `${fake.url}/repos/${owner}/${repo}/actions/runs/${o.run}/deployment_protection_rule`,
    deployment: {
      ...(base.deployment as object),
      ...(o.deploymentId !== undefined ? { id: o.deploymentId } : {}),
      sha: o.sha ?? HEAD,
      environment,
      payload: o.payload ?? {},
      creator: o.creator ?? { login: 'github-actions[bot]', type: 'Bot' },
    },
    pull_requests: pullRequests.map((number) => ({
      ...(webhookPayload('pull_request', 'opened', {}, deliveryTarget(fake)).pull_request as Json),
      number,
    })),
  };
}

/** The App's approval ledger: its check runs named `deploy-action approvals`. */
export const approvalLedger = (fake: FakeGitHub) =>
  [...fake.repo().checkRuns.values()].filter((r) => r.name === 'deploy-action approvals');

/** The App's answer to run `run`'s protection rule, if it gave one (none: the run waits). */
export const reviewOf = (fake: FakeGitHub, run: number) =>
  fake.repo().protectionRuleReviews.find((r) => r.runId === run);

/**
 * GitHub asks the App's protection rule about run `o.run` (protectionRulePayload); the App's review of it:
 * its state (undefined: still waiting) and comment ('' when none).
 */
export async function askProtectionRule(
  fake: FakeGitHub,
  probot: Probot,
  o: Parameters<typeof protectionRulePayload>[1],
): Promise<{ state: string | undefined; comment: string }> {
  await receive(probot, 'deployment_protection_rule', protectionRulePayload(fake, o));
  const review = reviewOf(fake, o.run);
  return { state: review?.state, comment: review?.comment ?? '' };
}

/**
 * The check_run delivery of `login` pressing the Approve button on check run `gate` (as the fake keeps it: the
 * App's gate, or a forged one whose `app` is another's).
 */
export function approvePress(fake: FakeGitHub, gate: Json, login: string): Json {
  const sample = webhookPayload(
    'check_run',
    'requested_action',
    { repository: { default_branch: 'main' } },
    deliveryTarget(fake),
  );
  return {
    ...sample,
    requested_action: { identifier: 'approve' },
    check_run: {
      ...(sample.check_run as object),
      id: gate.id,
      name: gate.name,
      head_sha: gate.head_sha,
      external_id: gate.external_id,
      app: gate.app,
    },
    sender: { ...(sample.sender as Json), login, type: 'User' },
  };
}

/** The pull request's base, at a commit of the repository (the default branch's head). */
const baseOf = (fake: FakeGitHub, pull: Json) => ({
  ...(pull.base as Json),
  sha: fake.repo().refs.get('heads/main')!,
});

/** The pull_request_review delivery of `login` reviewing the pull request `pr` with `body`. */
export function reviewPayload(
  fake: FakeGitHub,
  o: { id: number; body: string; login: string; type?: string; action?: string; pr: number },
): Json {
  const base = webhookPayload('pull_request_review', o.action ?? 'submitted', {}, deliveryTarget(fake));
  const user = { ...((base.review as Json).user as Json), login: o.login, type: o.type ?? 'User' };
  return {
    ...base,
    pull_request: {
      ...(base.pull_request as Json),
      number: o.pr,
      base: baseOf(fake, base.pull_request as Json),
    },
    review: { ...(base.review as Json), id: o.id, body: o.body, user, submitted_at: '2025-03-04T10:00:00Z' },
    sender: { ...(base.sender as Json), login: o.login, type: o.type ?? 'User' },
  };
}

/** The pull_request_review_comment delivery of `login` commenting `body` on the diff of pull request `pr`. */
export function diffCommentPayload(
  fake: FakeGitHub,
  o: { id: number; body: string; login: string; pr: number },
): Json {
  const base = webhookPayload('pull_request_review_comment', 'created', {}, deliveryTarget(fake));
  const user = { ...((base.comment as Json).user as Json), login: o.login, type: 'User' };
  return {
    ...base,
    pull_request: {
      ...(base.pull_request as Json),
      number: o.pr,
      base: baseOf(fake, base.pull_request as Json),
    },
    comment: { ...(base.comment as Json), id: o.id, body: o.body, user, created_at: '2025-03-04T10:00:00Z' },
    sender: { ...(base.sender as Json), login: o.login, type: 'User' },
  };
}

/**
 * What anyone who can push (here a workflow's token) can do before an event is delivered: create its claim
 * ref `ref` (app/facts/answer-once.ts: the name is a hash of values the webhook shows) at a tag on `sha` that
 * says it is held since `since`, as versions before claims were signed wrote it. Returns the tag's sha.
 */
export async function pushClaim(fake: FakeGitHub, ref: string, sha: string, since: Date): Promise<string> {
  const created = async (path: string, body: unknown) => {
    const res = await restWith(fake, 'workflow-token', 'POST', path, body);
    if (res.status !== 201) throw new Error(`POST ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as { sha?: string };
  };
  const tag = await created('/git/tags', {
    tag: ref.replace(/\//g, '-'),
    message: `deploy-answering ${ref} since ${since.toISOString()}\n`,
    object: sha,
    type: 'commit',
  });
  await created('/git/refs', { ref: `refs/${ref}`, sha: tag.sha });
  return tag.sha!;
}
