// deployment_status.created: the PR's status comment for the environment follows the deployment (the same
// comment the Action writes: found by its marker, updated in place, created only when there is none), and
// when the deployment ends its own environment lock is released (app/deploy/lock.ts), and its staging
// environment's too when the App took that for it (the payload's `staging`).
//
// One request when the comment's id is known (issue 16): a deployment the App made carries the id of the
// status comment the App wrote for it (app/deploy/start.ts), so a queued or in-progress status is written
// straight to it without reading it first. Only the App's own deployments are believed (GitHub's signed
// webhook names the creator): anyone with `deployments: write` can put any id in a payload, and the App may
// edit any comment of the repository. What such a write could lose (a newer state, the commit list or the
// waits the Action wrote moments before) is put back when GitHub reports the edit with the body it replaced
// (deployment-status-repair.ts). Final and waiting statuses, which the Action writes in full itself, are
// read first; a deleted comment (404) or an unknown id falls back to the search by marker. Writes of a known
// comment go one at a time per comment, the newest status winning, and a status older than one this process
// already wrote there is dropped (status-comment-lanes.ts).
import type { Probot } from 'probot';
import { registerStatusCommentRepair } from './deployment-status-repair.ts';
import { parseDeploymentPayload } from '../../src/github/deployment-payload.ts';
import {
  findStatusComment,
  parseStatusComment,
  renderStatusComment,
  statusCommentEnvironment,
  waitHolds,
} from '../../src/github/status-comment.ts';
import type { DeploymentState, StatusCommentState } from '../../src/github/status-comment.ts';
import { newerOwnDeployment, releaseDeploymentLock, reopenedAfter } from '../deploy/lock.ts';
import { httpStatus } from '../facts/github.ts';
import type { Octokit, Where } from '../facts/github.ts';
import { pullHasCommit, readPull } from '../facts/pull-request.ts';
import { createdByApp, FINAL_STATES, statusByRunner, WORKFLOW_BOT_LOGIN } from '../facts/deployments.ts';
import type { DeploymentMaker } from '../facts/deployments.ts';
import { ownBotLogin } from '../facts/own-comments.ts';
import { StatusCommentLanes } from './status-comment-lanes.ts';
import type { StatusOrder } from './status-comment-lanes.ts';

interface DeploymentStatusPayload {
  deployment_status: {
    id: number;
    state: string;
    description?: string | null;
    environment?: string;
    environment_url?: string | null;
    log_url?: string | null;
    target_url?: string | null;
    created_at: string;
    creator?: { login: string; type?: string } | null;
  };
  deployment: {
    id: number;
    sha: string;
    environment: string;
    payload?: unknown;
    creator?: { login: string; type?: string } | null;
    performed_via_github_app?: { id: number } | null;
  };
  repository: { name: string; owner: { login: string }; html_url?: string; node_id?: string };
}

const STATES: readonly DeploymentState[] = [
  'queued',
  'pending',
  'in_progress',
  'success',
  'failure',
  'error',
  'inactive',
];

/**
 * Pure: the comment's next state. Keeps what the Action wrote (version, strategy, commit list) when it is
 * about the same commit; returns undefined when the event is older than what the comment shows (webhooks
 * arrive out of order: an older deployment, or an earlier status of the same one).
 */
export function nextStatusState(
  previous: StatusCommentState | undefined,
  event: {
    environment: string;
    state: DeploymentState;
    sha: string;
    deploymentId: number;
    at: string;
    description?: string;
    environmentUrl?: string;
    runUrl?: string;
  },
): StatusCommentState | undefined {
  if (previous?.deploymentId !== undefined) {
    if (previous.deploymentId > event.deploymentId) return undefined;
    if (previous.deploymentId === event.deploymentId && previous.updatedAt > event.at) return undefined;
  }
  const sameCommit = previous?.sha.toLowerCase() === event.sha.toLowerCase();
  const base: Partial<StatusCommentState> = sameCommit ? { ...previous } : {};
  const next: StatusCommentState = {
    ...base,
    environment: event.environment,
    state: event.state,
    sha: event.sha,
    deploymentId: event.deploymentId,
    updatedAt: event.at,
  };
  // A wait the Action showed is over once the deployment moves on (src/github/status-comment.ts waitHolds).
  if (previous && next.wait && !waitHolds(previous, event)) delete next.wait;
  // The Action's analysis warnings are its deployment's: kept through that deployment's statuses (the
  // comment is all that holds them), never shown for another deployment of the same commit.
  if (next.warnings && previous?.deploymentId !== event.deploymentId) delete next.warnings;
  if (event.description) next.description = event.description;
  else delete next.description;
  if (event.environmentUrl) next.environmentUrl = event.environmentUrl;
  // The run link is the event's only (checked by repositoryRunUrl), never one read back from the comment.
  if (event.runUrl) next.runUrl = event.runUrl;
  else delete next.runUrl;
  return next;
}

/**
 * Pure: a status's log_url as the comment's run link, only when it is one of this repository's workflow runs
 * on its GitHub (`<repository html_url>/actions/runs/<id>...`), normalised as it was checked. Anyone who can
 * write a deployment status picks the URL; the App's comment must not lend its name to any other link.
 */
export function repositoryRunUrl(
  url: string | null | undefined,
  repositoryHtmlUrl: string | undefined,
): string | undefined {
  if (!url || !repositoryHtmlUrl) return undefined;
  let link: URL;
  let repository: URL;
  try {
    link = new URL(url);
    repository = new URL(repositoryHtmlUrl);
  } catch {
    return undefined;
  }
  if (link.protocol !== 'https:' && link.protocol !== 'http:') return undefined;
  if (link.origin !== repository.origin || link.username || link.password) return undefined;
  const runs = `${repository.pathname.replace(/\/+$/, '')}/actions/runs/`.toLowerCase();
  const path = link.pathname.toLowerCase();
  if (!path.startsWith(runs) || !/^\d+(\/|$)/.test(path.slice(runs.length))) return undefined;
  return link.href;
}

/**
 * Whether this final status may end the environment's deployment lock, with a stable reason. Only the App's
 * own deployment holds one, and only the two identities that legitimately end it may: the App itself, and
 * the workflow token the deployment runs under (the App creates the deployment, a workflow `on: deployment`
 * runs the Action with its GITHUB_TOKEN, which posts the statuses as github-actions[bot]). Anyone else is
 * refused: a person with `deployments: write` posting "failure" on a running deployment, another installed
 * App, a token of another kind; or a deployment of the same commit that is not the App's. Otherwise they
 * would free the environment under a rollout. The webhook is signed by GitHub, so its creator fields are
 * GitHub's word. (Any workflow of the repository posts as github-actions[bot]; who can push a workflow can
 * also run any deployment command with its secrets, so that identity is no narrower than the Action's.)
 */
export type LockReleaseDecision =
  | { release: true; by: 'app' | 'workflow' }
  | {
      release: false;
      /** not_app_deployment: the deployment holds no App lock; status_not_by_bot: a person's status;
       * status_by_other_bot: another App's or bot's status; status_without_creator: GitHub named nobody. */
      reason: 'not_app_deployment' | 'status_without_creator' | 'status_not_by_bot' | 'status_by_other_bot';
      creator?: string;
    };

export function mayReleaseLock(
  payload: Pick<DeploymentStatusPayload, 'deployment' | 'deployment_status'>,
  appLogin: string,
): LockReleaseDecision {
  if (!createdByApp(payload.deployment, { login: appLogin }))
    return { release: false, reason: 'not_app_deployment' };
  const creator = payload.deployment_status.creator;
  if (!creator?.login) return { release: false, reason: 'status_without_creator' };
  if (creator.type !== 'Bot') return { release: false, reason: 'status_not_by_bot', creator: creator.login };
  const login = creator.login.toLowerCase();
  if (login === appLogin.toLowerCase()) return { release: true, by: 'app' };
  if (login === WORKFLOW_BOT_LOGIN) return { release: true, by: 'workflow' };
  return { release: false, reason: 'status_by_other_bot', creator: creator.login };
}

/**
 * The status comment id a deployment's payload may be believed about: only in a deployment the App itself
 * created (GitHub's signed webhook names the creator). Undefined otherwise: the comment is searched for.
 */
export function trustedCommentId(
  deployment: DeploymentMaker,
  commentId: number | undefined,
  appLogin: string,
): number | undefined {
  if (commentId === undefined) return undefined;
  return createdByApp(deployment, { login: appLogin }) ? commentId : undefined;
}

/**
 * The pull request whose status comment a deployment's statuses update. The App's own deployment: the `pr` of
 * its payload (the App wrote it). Any other deployment's payload is anyone's text (deployments: write, a
 * workflow's token): its `pr` is believed only when the deployment's commit is that pull request's (its head,
 * or one of its commits). A pull request that does not exist names none. Undefined: no comment is written.
 */
export async function deploymentPullRequest(
  octokit: Octokit,
  where: Where,
  deployment: DeploymentMaker & { sha: string },
  pr: number | undefined,
  appLogin: () => Promise<string>,
): Promise<number | undefined> {
  if (pr === undefined) return undefined;
  if (createdByApp(deployment, { login: await appLogin() })) return pr;
  let pull;
  try {
    pull = await readPull(octokit.rest, where, pr);
  } catch (error) {
    if (httpStatus(error) === 404) return undefined;
    throw error;
  }
  if (pull.headSha === deployment.sha.toLowerCase()) return pr;
  return (await pullHasCommit(octokit.rest, where, pr, deployment.sha)) ? pr : undefined;
}

/**
 * Pure: whether the Action writes the comment in full for this status itself (a final status, a wait): the
 * App reads the comment first then, rather than write what it knows and have it put back.
 */
export function readBeforeWrite(state: DeploymentState, description: string | undefined): boolean {
  return FINAL_STATES.includes(state) || /^waiting\b/.test(description ?? '');
}

/** How the comment was found: its id written straight, read by id first, or searched for by marker. */
export type CommentPath = 'known_id' | 'read_by_id' | 'search';

export type DeploymentStatusOutcome =
  | { status: 'ignored'; reason: string }
  | {
      /**
       * stale: the comment already shows a newer event (or this process wrote one there); superseded: a newer
       * status of the comment came while this one waited to be written, and is written instead of it;
       * no_pull_request: the deployment names no PR; not_runner: the deployment is someone's other than the
       * App's or its run's (statusByRunner), which the comment does not follow.
       */
      status: 'updated' | 'created' | 'stale' | 'superseded' | 'no_pull_request' | 'not_runner';
      path?: CommentPath;
      commentId?: number;
      /** not_trusted: a final status the lock does not answer to (mayReleaseLock). */
      lock: 'released' | 'kept' | 'none' | 'not_final' | 'not_trusted';
      /** Why a final status on the App's own deployment did not end its lock (shown in the log as a warning). */
      lockRefused?: Extract<LockReleaseDecision, { release: false }>;
    };

async function readById(
  octokit: Octokit,
  where: Where,
  environment: string,
  id: number,
  appLogin: string,
): Promise<{ id: number; state?: StatusCommentState } | undefined> {
  try {
    const { data } = await octokit.rest.issues.getComment({ ...where, comment_id: id });
    // The App's own status comment for this environment (the Action edits it, the author stays the App's);
    // anything else (another app's, a workflow's, a person's) is not read back: searched for instead.
    const own = data.user?.login?.toLowerCase() === appLogin.toLowerCase();
    if (own && data.body && statusCommentEnvironment(data.body) === environment)
      return { id: data.id, state: parseStatusComment(data.body, environment) };
  } catch (error) {
    if ((error as { status?: number }).status !== 404) throw error;
  }
  return undefined;
}

/**
 * Creating the comment: one at a time per PR and environment in this process, since two deliveries at once
 * would each find none and create two. (Replicas do not share this: a second comment is possible there.)
 */
const searches = new Map<string, Promise<unknown>>();
function oneAtATime<T>(key: string, work: () => Promise<T>): Promise<T> {
  const previous = searches.get(key) ?? Promise.resolve();
  const mine = previous.then(work, work);
  const settled = mine.catch(() => undefined);
  searches.set(key, settled);
  void settled.then(() => {
    if (searches.get(key) === settled) searches.delete(key);
  });
  return mine;
}

type Event = Parameters<typeof nextStatusState>[1];

type WriteOutcome = {
  status: 'updated' | 'created' | 'stale' | 'superseded';
  path: CommentPath;
  commentId?: number;
};

async function writeFound(
  octokit: Octokit,
  where: Where,
  pullNumber: number,
  event: Event,
  found: { id: number; state?: StatusCommentState } | undefined,
  path: CommentPath,
): Promise<WriteOutcome & { status: 'updated' | 'created' | 'stale' }> {
  const next = nextStatusState(found?.state, event);
  if (!next) return { status: 'stale', path, ...(found ? { commentId: found.id } : {}) };
  const body = renderStatusComment(next);
  if (found) {
    await octokit.rest.issues.updateComment({ ...where, comment_id: found.id, body });
    return { status: 'updated', path, commentId: found.id };
  }
  const { data } = await octokit.rest.issues.createComment({ ...where, issue_number: pullNumber, body });
  return { status: 'created', path, commentId: data.id };
}

/**
 * Whose status comment the App may take for a deployment (findStatusComment's authors), one the App or the
 * workflow token made (handleDeploymentStatus shows no other): its own, and for the workflow token's, that
 * token's too, which is the token the Action of that run writes its comment with. That comment says no more
 * than the deployment's own statuses, which the same token writes. Never anyone else's (another app, a
 * person): for the App's own deployment only its own comment counts, and one by the Action on the same PR
 * earlier stays as it is (history).
 */
export function statusCommentAuthors(deployment: DeploymentMaker, appLogin: string): string[] {
  const creator = deployment.creator;
  if (createdByApp(deployment, { login: appLogin }) || creator?.type !== 'Bot') return [appLogin];
  return [appLogin, creator.login];
}

async function searchAndWrite(
  octokit: Octokit,
  where: Where,
  pullNumber: number,
  event: Event,
  authors: readonly string[],
  lanes: StatusCommentLanes,
  order: StatusOrder,
): Promise<WriteOutcome> {
  const target = { ...where, pullNumber, environment: event.environment };
  // A comment found is written in its lane, as one known by id is: two deliveries that found it at once
  // would each write what they read, and the older status could be written last (status-comment-lanes.ts).
  const inLane = async (found: { id: number; state?: StatusCommentState }): Promise<WriteOutcome> => {
    const laned = await lanes.submit(StatusCommentLanes.key(where, found.id), order, async () => {
      const result = await writeFound(octokit, where, pullNumber, event, found, 'search');
      return { wrote: result.status !== 'stale', result };
    });
    return laned.status === 'done'
      ? laned.result
      : { status: laned.status, path: 'search', commentId: found.id };
  };
  const found = await findStatusComment(octokit.rest, target, authors);
  if (found) return inLane(found);
  // None yet: searched again and created one at a time, so a delivery that waited finds the one just made.
  const key = JSON.stringify([
    where.owner.toLowerCase(),
    where.repo.toLowerCase(),
    pullNumber,
    event.environment,
  ]);
  return oneAtATime(key, async () => {
    const again = await findStatusComment(octokit.rest, target, authors);
    return again ? inLane(again) : writeFound(octokit, where, pullNumber, event, undefined, 'search');
  });
}

/** The lanes of a process that registers no app of its own (handleDeploymentStatus called directly). */
const processLanes = new StatusCommentLanes();

export async function handleDeploymentStatus(
  octokit: Octokit,
  payload: DeploymentStatusPayload,
  appLogin: () => Promise<string> = () => ownBotLogin(octokit),
  lanes: StatusCommentLanes = processLanes,
): Promise<DeploymentStatusOutcome> {
  const where = { owner: payload.repository.owner.login, repo: payload.repository.name };
  const { deployment, deployment_status: status } = payload;
  const state = status.state as DeploymentState;
  if (!STATES.includes(state)) return { status: 'ignored', reason: `unknown state ${status.state}` };
  let deploymentPayload;
  try {
    deploymentPayload = parseDeploymentPayload(deployment.payload);
  } catch {
    return { status: 'ignored', reason: 'invalid_payload' };
  }
  const environment = status.environment || deployment.environment;
  const final = FINAL_STATES.includes(state);
  // The deployment's own lock is a lightweight ref to its commit; a person's /lock stays.
  let lockRefused: Extract<LockReleaseDecision, { release: false }> | undefined;
  const releaseIfFinal = async (): Promise<'released' | 'kept' | 'none' | 'not_final' | 'not_trusted'> => {
    if (!final) return 'not_final';
    const decision = mayReleaseLock(payload, await appLogin());
    if (!decision.release) {
      // A deployment that is not the App's holds no lock of it: nothing worth a warning there.
      if (decision.reason !== 'not_app_deployment') lockRefused = decision;
      return 'not_trusted';
    }
    // The lock at this commit may be a newer deployment's of it (this status redelivered, or posted late), or
    // this very deployment's again: a re-run reopened it after this status ended its last run
    // (app/deploy/rerun.ts) and holds its locks anew. Its statuses are read once, only when a lock is still at
    // its commit.
    const botLogin = await appLogin();
    let reopened: Promise<boolean> | undefined;
    const runsAgain = (): Promise<boolean> =>
      (reopened ??= octokit.rest.repos
        .listDeploymentStatuses({ ...where, deployment_id: deployment.id, per_page: 100 })
        .then(({ data }) => reopenedAfter(data, status, botLogin)));
    const releaseOf = (locked: string) =>
      releaseDeploymentLock(
        octokit.rest.git,
        where,
        locked,
        deployment.sha,
        async () =>
          (await runsAgain()) ||
          newerOwnDeployment(octokit.rest.repos, where, {
            environment: locked,
            sha: deployment.sha,
            id: deployment.id,
            botLogin,
          }),
        // Deleted only if it is still this commit's lock (a --force release and a new /lock meanwhile stay).
        payload.repository.node_id
          ? {
              graphql: (query, variables) => octokit.graphql(query, variables),
              repositoryId: payload.repository.node_id,
            }
          : undefined,
      );
    // The staging environment its run changed first: the App took its lock for this deployment too
    // (app/deploy/start.ts, named in the App's own payload).
    const staging = deploymentPayload.staging;
    if (staging === undefined || staging.toLowerCase() === environment.toLowerCase())
      return releaseOf(environment);
    // Both are tried: a failure releasing one does not leave the other held too. Then the first failure is
    // thrown (the delivery fails; its redelivery releases what is left), as a failed start gives both back.
    const [own, stagingReleased] = await Promise.allSettled([releaseOf(environment), releaseOf(staging)]);
    if (own.status === 'rejected') throw own.reason;
    if (stagingReleased.status === 'rejected') throw stagingReleased.reason;
    return own.value === 'released' || stagingReleased.value === 'released' ? 'released' : own.value;
  };
  const withRefusal = () => (lockRefused ? { lockRefused } : {});

  // The App's status comment follows the deployments the App or its run made (statusByRunner: the App, the
  // workflow token). Anyone else with `deployments: write` (a person, another app) making a deployment of their
  // own of the PR's commit (a higher id) took the comment over, the App's own deployment's statuses then read
  // as older and dropped. A status on such a deployment ends no lock either. A status anyone posts on the App's
  // deployment is shown, as GitHub's Deployments tab shows it (display: no lock or decision takes it).
  const login = await appLogin();
  const own = createdByApp(deployment, { login });
  if (!(own || statusByRunner(deployment.creator, login)))
    return { status: 'not_runner', lock: await releaseIfFinal(), ...withRefusal() };
  const pullNumber = await deploymentPullRequest(octokit, where, deployment, deploymentPayload.pr, appLogin);
  if (pullNumber === undefined)
    return { status: 'no_pull_request', lock: await releaseIfFinal(), ...withRefusal() };
  const runUrl = repositoryRunUrl(status.log_url || status.target_url, payload.repository.html_url);
  const event: Event = {
    environment,
    state,
    sha: deployment.sha,
    deploymentId: deployment.id,
    at: status.created_at,
    ...(status.description ? { description: status.description } : {}),
    ...(status.environment_url ? { environmentUrl: status.environment_url } : {}),
    ...(runUrl ? { runUrl } : {}),
  };
  const knownId =
    deploymentPayload.comment_id === undefined
      ? undefined
      : trustedCommentId(deployment, deploymentPayload.comment_id, await appLogin());

  const order: StatusOrder = { deploymentId: deployment.id, at: status.created_at, statusId: status.id };
  let written: WriteOutcome | undefined;
  if (knownId !== undefined) {
    const straight = !readBeforeWrite(state, status.description ?? undefined);
    const path: CommentPath = straight ? 'known_id' : 'read_by_id';
    // One write of the comment at a time in this process, the newest status wins (status-comment-lanes.ts).
    const laned = await lanes.submit(
      StatusCommentLanes.key(where, knownId),
      order,
      async (): Promise<{ wrote: boolean; result: WriteOutcome | undefined }> => {
        if (straight) {
          // Written straight: what the App knows of the deployment (its payload), and the event.
          const next = nextStatusState(undefined, event)!;
          if (deploymentPayload.strategy) next.strategy = deploymentPayload.strategy;
          if (deploymentPayload.version) next.version = deploymentPayload.version;
          try {
            // Nothing of the answer is used: it is not parsed (GitHub's few KB through Octokit's bigint-safe
            // JSON parser: 5-10 µs), and its body is let go.
            const { data } = await octokit.rest.issues.updateComment({
              ...where,
              comment_id: knownId,
              body: renderStatusComment(next),
              request: { parseSuccessResponseBody: false },
            });
            if ((data as unknown) instanceof ReadableStream)
              await (data as unknown as ReadableStream).cancel();
            return { wrote: true, result: { status: 'updated', path, commentId: knownId } };
          } catch (error) {
            // Deleted: searched for (and written again) like an unknown one.
            if ((error as { status?: number }).status !== 404) throw error;
            return { wrote: false, result: undefined };
          }
        }
        const found = await readById(octokit, where, environment, knownId, await appLogin());
        if (!found) return { wrote: false, result: undefined };
        const result = await writeFound(octokit, where, pullNumber, event, found, path);
        return { wrote: result.status !== 'stale', result };
      },
    );
    written = laned.status === 'done' ? laned.result : { status: laned.status, path, commentId: knownId };
  }
  written ??= await searchAndWrite(
    octokit,
    where,
    pullNumber,
    event,
    statusCommentAuthors(deployment, await appLogin()),
    lanes,
    order,
  );
  const lock = await releaseIfFinal();
  return { ...written, lock, ...withRefusal() };
}

/**
 * The app's bot login, asked once per registered app: ownBotLogin signs a JWT on every call (about 3 ms of
 * CPU), which would be most of the cost of a delivery. A failure is not kept, so the next delivery asks again.
 */
export function onceLogin(): (octokit: Octokit) => Promise<string> {
  let login: Promise<string> | undefined;
  return (octokit) => {
    if (!login) {
      const asked = ownBotLogin(octokit);
      login = asked;
      asked.catch(() => {
        if (login === asked) login = undefined;
      });
    }
    return login;
  };
}

/** Called once a final status released the deployment's lock (the queue behind it starts: app/schedule/). */
export type OnLockReleased = (
  octokit: Octokit,
  payload: DeploymentStatusPayload,
  log: { warn: (fields: Record<string, unknown>, message: string) => void },
) => Promise<unknown>;

export function registerDeploymentStatus(app: Probot, onLockReleased?: OnLockReleased): void {
  const login = onceLogin();
  const lanes = new StatusCommentLanes();
  app.on('deployment_status.created', async (context) => {
    const payload = context.payload as unknown as DeploymentStatusPayload;
    const outcome = await handleDeploymentStatus(
      context.octokit,
      payload,
      () => login(context.octokit),
      lanes,
    );
    context.log.info({ delivery: context.id, ...outcome }, `deployment_status ${outcome.status}`);
    if ('lockRefused' in outcome && outcome.lockRefused)
      // Not dropped in silence: someone ended the App's deployment who may not end its lock (another App, a
      // person). The lock stays until the deployment's own run ends it or someone runs /unlock.
      context.log.warn(
        {
          delivery: context.id,
          deployment: payload.deployment.id,
          environment: payload.deployment_status.environment || payload.deployment.environment,
          state: payload.deployment_status.state,
          creator: outcome.lockRefused.creator ?? null,
          reason: outcome.lockRefused.reason,
        },
        'deployment_status: a final status the environment lock does not answer to; the lock is kept',
      );
    if ('lock' in outcome && outcome.lock === 'released')
      await onLockReleased?.(context.octokit, payload, context.log);
  });
  registerStatusCommentRepair(app, login);
}
