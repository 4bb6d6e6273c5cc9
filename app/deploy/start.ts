// Starting a deployment once the policy said yes: the one code path for /deploy, the approval that completes
// a pending /deploy, and /rollback. Order matters: refuse if the comment already produced a deployment
// (redelivery), take the environment lock (the arbiter between concurrent requests), re-read the head SHA,
// write the status comment (its id goes in the payload), then create the deployment for the SHA.
import { acquireLock, readLocks, releaseLock } from '../locks.ts';
import type { LockInfo } from '../locks.ts';
import { renderStatusComment } from '../../src/github/status-comment.ts';
import type { StatusCommentState } from '../../src/github/status-comment.ts';
import type { DeploymentPayload } from '../../src/github/deployment-payload.ts';
import { deploymentLockReason, isDeploymentLock } from './lock.ts';
import { readPull } from '../facts.ts';
import type { Api, ShaDeployment, Where } from '../facts.ts';
import type { PendingRequest } from './pending.ts';

export interface StartRequest extends PendingRequest {
  pr: number;
  approvedBy: string[];
  production: boolean;
}

export type StartOutcome =
  | { status: 'created'; deploymentId: number; statusCommentId: number }
  | { status: 'already_deployed'; deploymentId: number }
  | { status: 'in_progress'; lock: LockInfo }
  | { status: 'locked'; lock: LockInfo }
  | { status: 'sha_moved'; expected: string; actual: string };

const GLOBAL_REF = 'deploy-locks/_global';

async function globalLock(api: Api, where: Where): Promise<LockInfo | undefined> {
  let tagSha: string;
  try {
    const { data } = await api.git.getRef({ ...where, ref: GLOBAL_REF });
    tagSha = data.object.sha;
  } catch (error) {
    if ((error as { status?: number }).status === 404) return undefined;
    throw error;
  }
  // Who holds it matters only for the refusal, so the tag is read only then.
  const locks = await readLocks(api, where);
  return locks.global ?? { target: { scope: 'global' }, holder: 'unknown', createdAt: '', sha: tagSha };
}

export async function startDeployment(
  api: Api,
  where: Where,
  request: StartRequest,
  known: { deployments: readonly ShaDeployment[]; statusCommentId?: number; now: () => Date },
): Promise<StartOutcome> {
  const existing = known.deployments.find((d) => d.payload?.source_comment_id === request.sourceCommentId);
  if (existing) return { status: 'already_deployed', deploymentId: existing.id };

  const frozen = await globalLock(api, where);
  if (frozen) return { status: 'locked', lock: frozen };

  const target = { scope: 'environment' as const, environment: request.environment };
  const holder = request.requestedBy;
  const taken = await acquireLock(api, where, {
    target,
    holder,
    sha: request.sha,
    reason: deploymentLockReason(
      request.sourceCommentId,
      `${request.type} deployment of ${request.sha.slice(0, 12)} asked by @${request.requestedBy}`,
    ),
    pullRequest: request.pr,
    now: known.now,
  });
  if (taken.status === 'invalid_environment') {
    throw new Error(taken.message);
  }
  let ownLock = taken.status === 'acquired';
  if (taken.status === 'already_held') {
    if (!taken.sameHolder) return { status: 'locked', lock: taken.lock };
    // The same person's deployment holds it: a redelivery, a duplicate, or their other request is running.
    if (isDeploymentLock(taken.lock)) return { status: 'in_progress', lock: taken.lock };
    // Their own /lock does not stop them (DESIGN §6): deploy under it, and leave it in place.
    ownLock = false;
  }
  const release = async (): Promise<void> => {
    if (ownLock) await releaseLock(api, where, { target, requester: holder });
  };

  try {
    // A rollback deploys an earlier commit: the PR's head moving does not change what it deploys.
    if (request.type !== 'rollback') {
      const now = await readPull(api, where, request.pr);
      if (now.headSha !== request.sha.toLowerCase()) {
        await release();
        return { status: 'sha_moved', expected: request.sha, actual: now.headSha };
      }
    }
    const statusState: StatusCommentState = {
      environment: request.environment,
      state: 'queued',
      updatedAt: known.now().toISOString(),
      sha: request.sha,
      description: `${request.type} deployment asked by @${request.requestedBy}`,
      ...(request.strategy ? { strategy: request.strategy } : {}),
    };
    const body = renderStatusComment(statusState);
    const statusCommentId =
      known.statusCommentId !== undefined
        ? (await api.issues.updateComment({ ...where, comment_id: known.statusCommentId, body })).data.id
        : (await api.issues.createComment({ ...where, issue_number: request.pr, body })).data.id;

    const payload: DeploymentPayload = {
      ...(request.strategy ? { strategy: request.strategy } : {}),
      params: request.params,
      type: request.type,
      pr: request.pr,
      comment_id: statusCommentId,
      source_comment_id: request.sourceCommentId,
      requested_by: request.requestedBy,
      approved_by: request.approvedBy,
      ...(request.hotfixReason !== undefined ? { hotfix_reason: request.hotfixReason } : {}),
    };
    const version = request.params.version;
    if (version !== undefined && /^[\w.+-]{1,128}$/.test(version)) payload.version = version;
    const { data } = await api.repos.createDeployment({
      ...where,
      ref: request.sha, // the commit, never the branch name
      environment: request.environment,
      task: 'deploy',
      description: `${request.type} via PR #${request.pr}`.slice(0, 140),
      payload: payload as Record<string, unknown>,
      required_contexts: [],
      auto_merge: false,
      production_environment: request.production,
      transient_environment: false,
    });
    if (!('id' in data)) throw new Error(`GitHub did not create the deployment: ${String(data.message)}`);
    return { status: 'created', deploymentId: data.id, statusCommentId };
  } catch (error) {
    await release();
    throw error;
  }
}
