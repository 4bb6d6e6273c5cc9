// Starting a deployment once the policy said yes: the one code path for /deploy, the approval that completes
// a pending /deploy, and /rollback. Order matters: refuse if the request already produced a deployment
// (when the caller knows the SHA's deployments), refuse under the global lock, take the environment lock (the
// arbiter between concurrent requests), re-read the head SHA, write the status comment (its id goes in the
// payload, so the Action and the app keep one comment), then create the deployment for the SHA.
import { acquireDeploymentLock, blockingLock, readGlobalLock, readLocksFor } from '../locks.ts';
import type { LockInfo } from '../locks.ts';
import type { MarkerKeys } from '../../src/github/marker-keys.ts';
import { renderStatusComment } from '../../src/github/status-comment.ts';
import type { StatusCommentState } from '../../src/github/status-comment.ts';
import type { DeploymentPayload } from '../../src/github/deployment-payload.ts';
import { commentDedupeKey, createDeploymentOnce } from '../../src/github/deployments.ts';
import { mayHaveLanded } from '../../src/github/write-once.ts';
import {
  deploymentLockOwner,
  lockLateDeployment,
  releaseDeploymentLock,
  runningOwnDeployment,
} from './lock.ts';
import type { Api, Where } from '../facts/github.ts';
import { githubAnswered } from '../facts/github.ts';
import { readPull } from '../facts/pull-request.ts';
import { createdByApp, type DeploymentMaker, type ShaDeployment } from '../facts/deployments.ts';
import type { PendingRequest } from './pending.ts';

export interface StartRequest extends PendingRequest {
  pr: number;
  approvedBy: string[];
  production: boolean;
  /**
   * The staging environment the run deploys first (src/policy/changed-environments.ts): its lock stops this
   * deployment as its own environment's does.
   */
  staging?: string;
}

export type StartOutcome =
  | {
      status: 'created';
      deploymentId: number;
      statusCommentId: number;
      /** True when this call wrote the PR's first status comment for the environment. */
      statusCommentCreated: boolean;
    }
  | { status: 'already_deployed'; deploymentId: number }
  | { status: 'in_progress'; lock: LockInfo }
  | { status: 'locked'; lock: LockInfo }
  | { status: 'sha_moved'; expected: string; actual: string };

export async function startDeployment(
  api: Api,
  where: Where,
  request: StartRequest,
  known: {
    /** The SHA's deployments when the caller read them: a request that already deployed is not repeated. */
    deployments?: readonly ShaDeployment[];
    /** The PR's status comment for the environment, if it has one (found among the app's comments). */
    statusCommentId?: number;
    now: () => Date;
    /** The App's bot login: a lock's deployment names who asked only when the App created it. */
    botLogin?: string;
    /** The App's marker keys: a person's lock names its holder only when its record verifies. */
    keys: MarkerKeys;
    /** The App's id: a person's lock whose tag it marked released is nobody's (app/locks.ts). */
    appId?: number;
  },
): Promise<StartOutcome> {
  const dedupeKey = commentDedupeKey(request.sourceCommentId);
  // Only a deployment the App made is the one a redelivered comment asked for: anyone with `deployments:
  // write` can create one at the SHA carrying the comment's key, to have a real request answered "already done".
  const madeByApp = (d: DeploymentMaker): boolean =>
    known.botLogin !== undefined && createdByApp(d, { login: known.botLogin });
  const existing = known.deployments?.find((d) => d.payload?.dedupe_key === dedupeKey && madeByApp(d.maker));
  if (existing) return { status: 'already_deployed', deploymentId: existing.id };

  const marks = known.appId !== undefined ? { appId: known.appId } : undefined;
  const frozen = await readGlobalLock(api, where, known.keys, marks);
  if (frozen) return { status: 'locked', lock: frozen };
  // The run changes the staging environment first: a person's /lock there, or a deployment running there,
  // stops it as one on the environment itself would. Read only: the run's own lock is on its environment.
  if (request.staging !== undefined) {
    const there = await readLocksFor(api, where, known.keys, request.staging, marks);
    const held = blockingLock({ environments: there.environments }, request.staging, request.requestedBy);
    if (held)
      return {
        status: 'locked',
        lock: held.deployment
          ? await deploymentLockOwner(api.repos, where, held, {
              ...(known.botLogin !== undefined ? { botLogin: known.botLogin } : {}),
            })
          : held,
      };
  }

  const sha = request.sha.toLowerCase();
  let taken = await acquireDeploymentLock(
    api,
    where,
    known.keys,
    {
      environment: request.environment,
      sha,
    },
    marks,
  );
  if (taken.status === 'invalid_environment') throw new Error(taken.message);
  // A lock read back after a lost answer may be another deployment's of this commit (the ref names the commit
  // only): one of the App's that still runs holds it, and this start must not deploy beside it.
  if (
    taken.status === 'acquired' &&
    taken.readBack &&
    known.botLogin !== undefined &&
    (await runningOwnDeployment(api.repos, where, {
      environment: request.environment,
      sha,
      botLogin: known.botLogin,
    })) !== undefined
  )
    taken = {
      status: 'already_held',
      lock: {
        target: { scope: 'environment', environment: request.environment },
        holder: 'deployment',
        createdAt: '',
        sha,
        deployment: true,
      },
    };
  let ownLock = taken.status === 'acquired';
  if (taken.status === 'already_held') {
    if (taken.lock.deployment) {
      const lock = await deploymentLockOwner(api.repos, where, taken.lock, {
        ...(known.botLogin !== undefined ? { botLogin: known.botLogin } : {}),
      });
      // The same person's deployment of the same commit: a duplicate request, or it is still running.
      const same =
        !lock.holderUnverified &&
        lock.sha.toLowerCase() === sha &&
        lock.holder.toLowerCase() === request.requestedBy.toLowerCase();
      return { status: same ? 'in_progress' : 'locked', lock };
    }
    // A person's /lock stops everyone but them (DESIGN §6): they deploy under it, and it stays in place.
    if (blockingLock({ environments: [taken.lock] }, request.environment, request.requestedBy))
      return { status: 'locked', lock: taken.lock };
    ownLock = false;
  }
  // Deployed under the requester's /lock: it takes no lock of its own, unless that lock goes meanwhile.
  const underPersonLock = taken.status === 'already_held';
  const release = async (): Promise<void> => {
    if (ownLock) await releaseDeploymentLock(api.git, where, request.environment, sha);
  };

  let writtenCommentId: number | undefined;
  let askedToCreate = false;
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
    // An existing status comment is left as it is: the deployment's first status rewrites it moments later.
    let statusCommentId = known.statusCommentId;
    if (statusCommentId === undefined) {
      statusCommentId = (await api.issues.createComment({ ...where, issue_number: request.pr, body })).data
        .id;
      writtenCommentId = statusCommentId;
    }

    // `version` is the payload's own field, not a variable of the environment (the Action would refuse it).
    const { version, ...params } = request.params;
    const payload: DeploymentPayload = {
      ...(request.strategy ? { strategy: request.strategy } : {}),
      params,
      type: request.type,
      pr: request.pr,
      comment_id: statusCommentId,
      source_comment_id: request.sourceCommentId,
      requested_by: request.requestedBy,
      approved_by: request.approvedBy,
      ...(request.hotfixReason !== undefined ? { hotfix_reason: request.hotfixReason } : {}),
    };
    if (version !== undefined) payload.version = version;
    // The one creation path (src/github/deployments.ts): a create whose answer was lost is looked up by its
    // key before it is repeated, like the Action's own.
    askedToCreate = true;
    const created = await createDeploymentOnce(api, {
      ...where,
      sha: request.sha, // the commit, never the branch name
      environment: request.environment,
      description: `${request.type} via PR #${request.pr}`.slice(0, 140),
      payload: { ...payload, dedupe_key: dedupeKey },
      production: request.production,
      transient: false,
      ...(known.botLogin !== undefined ? { madeByCaller: madeByApp } : {}),
    });
    // Their /unlock may have deleted the lock since it was read, before the deployment existed for it to see.
    // Failing to look is not the start's failure (the deployment was made): the /unlock's second look remains.
    if (underPersonLock)
      await lockLateDeployment(api, where, known.keys, request.environment, sha).catch(() => undefined);
    return {
      status: 'created',
      deploymentId: created.id,
      statusCommentId,
      statusCommentCreated: writtenCommentId !== undefined,
    };
  } catch (error) {
    const fate = createFailure({ askedToCreate, mayHaveLanded: mayHaveLanded(error) });
    if (fate === 'not_created') await release();
    // The comment this call wrote must not promise a deployment that never came, nor deny one that may run.
    // Once the create was asked, the PR's existing status comment says it too: the failure's reply sends the
    // reader there to learn whether one was made, and it still showed an earlier deployment's state.
    const commentId = writtenCommentId ?? (askedToCreate ? known.statusCommentId : undefined);
    if (commentId !== undefined) {
      const failed: StatusCommentState = {
        environment: request.environment,
        state: 'error',
        updatedAt: known.now().toISOString(),
        sha: request.sha,
        // By GitHub's status only: an error's text may quote what was sent (the payload) or a credential.
        description:
          fate === 'not_created'
            ? `the deployment could not be created (${githubAnswered(error)})`
            : `whether the deployment was created is not known (${githubAnswered(error)}): ${unknownLock(ownLock, request)}`,
      };
      await api.issues
        .updateComment({ ...where, comment_id: commentId, body: renderStatusComment(failed) })
        .catch(() => undefined);
    }
    throw error;
  }
}

/**
 * Pure: what keeps the environment locked after a start that may have made its deployment. Its own lock, until
 * the deployment's final status (or --force, when none comes); or the requester's /lock they deployed under,
 * which stays theirs: their /unlock hands it to the deployment if one was made and runs, or releases it.
 */
export function unknownLock(ownLock: boolean, request: { environment: string; requestedBy: string }): string {
  return ownLock
    ? `the environment stays locked until its final status (or /unlock ${request.environment} --force, if none comes)`
    : `it would run under ${request.requestedBy}'s lock on ${request.environment}, which stays; their /unlock ${request.environment} hands it to the deployment if one runs`;
}

/**
 * What a failed start leaves: `not_created` when nothing was asked of GitHub, or GitHub's answer (or a lookup
 * after a lost one) says no deployment was made; `unknown` when the create's answer was lost and no lookup
 * could tell. Only a start known to have made nothing releases its lock: a deployment made under a released
 * lock could run beside the next /deploy's.
 */
export function createFailure(o: {
  askedToCreate: boolean;
  mayHaveLanded: boolean;
}): 'not_created' | 'unknown' {
  return o.askedToCreate && o.mayHaveLanded ? 'unknown' : 'not_created';
}
