// deployment_status.created: the PR's status comment for the environment follows the deployment (the same
// comment the Action writes: found by its marker, updated in place, created only when there is none), and
// when the deployment ends its own environment lock is released (app/deploy/lock.ts).
import type { Probot } from 'probot';
import { parseDeploymentPayload } from '../../src/github/deployment-payload.ts';
import {
  findStatusComment,
  parseStatusComment,
  renderStatusComment,
  waitHolds,
} from '../../src/github/status-comment.ts';
import type { DeploymentState, StatusCommentState } from '../../src/github/status-comment.ts';
import { releaseDeploymentLock } from '../deploy/lock.ts';
import type { Octokit, Where } from '../facts/github.ts';
import { ownBotLogin } from '../facts/own-comments.ts';

export const FINAL_STATES: readonly DeploymentState[] = ['success', 'failure', 'error', 'inactive'];

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
  };
  repository: { name: string; owner: { login: string } };
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
  if (event.description) next.description = event.description;
  else delete next.description;
  if (event.environmentUrl) next.environmentUrl = event.environmentUrl;
  if (event.runUrl) next.runUrl = event.runUrl;
  return next;
}

/**
 * Whether this final status may end the environment's deployment lock. Only the App's own deployment holds
 * one, and only a bot ends it (the App, or the workflow token the deployment runs under): otherwise a person
 * with `deployments: write` could post "failure" on a running deployment, or make a deployment of the same
 * commit and end it, and free the environment under a rollout. The webhook is signed by GitHub, so its
 * creator fields are GitHub's word.
 */
export function mayReleaseLock(
  payload: Pick<DeploymentStatusPayload, 'deployment' | 'deployment_status'>,
  appLogin: string,
): boolean {
  const createdByApp = payload.deployment.creator?.login.toLowerCase() === appLogin.toLowerCase();
  const endedByBot = payload.deployment_status.creator?.type === 'Bot';
  return createdByApp && endedByBot;
}

export type DeploymentStatusOutcome =
  | { status: 'ignored'; reason: string }
  | {
      /** stale: the comment already shows a newer event; no_pull_request: the deployment names no PR. */
      status: 'updated' | 'created' | 'stale' | 'no_pull_request';
      commentId?: number;
      /** not_trusted: a final status the lock does not answer to (mayReleaseLock). */
      lock: 'released' | 'kept' | 'none' | 'not_final' | 'not_trusted';
    };

async function existingComment(
  octokit: Octokit,
  where: Where,
  pullNumber: number,
  environment: string,
  knownId: number | undefined,
): Promise<{ id: number; state?: StatusCommentState } | undefined> {
  if (knownId !== undefined) {
    try {
      const { data } = await octokit.rest.issues.getComment({ ...where, comment_id: knownId });
      const isBot = data.user?.type === 'Bot';
      if (isBot && data.body) {
        const state = parseStatusComment(data.body, environment);
        if (state) return { id: data.id, state };
      }
    } catch (error) {
      if ((error as { status?: number }).status !== 404) throw error;
    }
  }
  return findStatusComment(octokit.rest, { ...where, pullNumber, environment });
}

export async function handleDeploymentStatus(
  octokit: Octokit,
  payload: DeploymentStatusPayload,
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
  const releaseIfFinal = async (): Promise<'released' | 'kept' | 'none' | 'not_final' | 'not_trusted'> => {
    if (!final) return 'not_final';
    if (!mayReleaseLock(payload, await ownBotLogin(octokit))) return 'not_trusted';
    return releaseDeploymentLock(octokit.rest.git, where, environment, deployment.sha);
  };

  const pullNumber = deploymentPayload.pr;
  if (pullNumber === undefined) return { status: 'no_pull_request', lock: await releaseIfFinal() };
  const found = await existingComment(octokit, where, pullNumber, environment, deploymentPayload.comment_id);
  const runUrl = status.log_url || status.target_url || undefined;
  const next = nextStatusState(found?.state, {
    environment,
    state,
    sha: deployment.sha,
    deploymentId: deployment.id,
    at: status.created_at,
    ...(status.description ? { description: status.description } : {}),
    ...(status.environment_url ? { environmentUrl: status.environment_url } : {}),
    ...(runUrl ? { runUrl } : {}),
  });
  let commentId = found?.id;
  let outcome: 'updated' | 'created' | 'stale' = 'stale';
  if (next && found) {
    await octokit.rest.issues.updateComment({
      ...where,
      comment_id: found.id,
      body: renderStatusComment(next),
    });
    outcome = 'updated';
  } else if (next) {
    const { data } = await octokit.rest.issues.createComment({
      ...where,
      issue_number: pullNumber,
      body: renderStatusComment(next),
    });
    commentId = data.id;
    outcome = 'created';
  }
  const lock = await releaseIfFinal();
  return { status: outcome, ...(commentId !== undefined ? { commentId } : {}), lock };
}

export function registerDeploymentStatus(app: Probot): void {
  app.on('deployment_status.created', async (context) => {
    const outcome = await handleDeploymentStatus(
      context.octokit,
      context.payload as unknown as DeploymentStatusPayload,
    );
    context.log.info({ delivery: context.id, ...outcome }, `deployment_status ${outcome.status}`);
  });
}
