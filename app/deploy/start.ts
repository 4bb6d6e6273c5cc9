// Starting a deployment once the policy said yes: the one code path for /deploy, the approval that completes
// a pending /deploy, and /rollback. Order matters: refuse if the request already produced a deployment
// (when the caller knows the SHA's deployments), refuse under the global lock, take the environment lock (the
// arbiter between concurrent requests), re-read the head SHA, write the status comment (its id goes in the
// payload, so the Action and the app keep one comment), then create the deployment for the SHA.
import { acquireDeploymentLock, blockingLock, readGlobalLock } from '../locks.ts';
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
  // The run changes its staging environment first: it holds that environment's lock as well as its own, taken
  // the same way (a person's /lock there, or a deployment running there, stops it), in a fixed order (by name),
  // so two starts never each hold one of the two. One not taken gives back what was taken: nothing half-held.
  const sha = request.sha.toLowerCase();
  const environments = lockOrder(request.environment, request.staging);
  const held: TakenLock[] = [];
  const release = async (): Promise<void> => {
    // Both are tried: a failure on one leaves the other released, then the first failure is thrown.
    const failures: unknown[] = [];
    for (const taken of [...held].reverse())
      if (taken.own)
        await releaseDeploymentLock(api.git, where, taken.environment, sha).catch((error: unknown) => {
          failures.push(error);
          return 'none' as const;
        });
    if (failures.length > 0) throw failures[0];
  };
  try {
    for (const environment of environments) {
      const taken = await takeLock(api, where, request, environment, sha, known, marks);
      if (taken.status !== 'taken') {
        await release();
        return taken;
      }
      held.push(taken.lock);
    }
  } catch (error) {
    await release().catch(() => undefined);
    throw error;
  }
  const ownLock = held.some((l) => l.own && l.environment === request.environment);
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
      // Its final status releases the staging environment's lock too (app/handlers/deployment-status.ts).
      ...(request.staging !== undefined ? { staging: request.staging } : {}),
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
    for (const under of held.filter((l) => !l.own))
      await lockLateDeployment(api, where, known.keys, under.environment, sha).catch(() => undefined);
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
            : `whether the deployment was created is not known (${githubAnswered(error)}): ${unknownLock(ownLock, request)}${stagingKept(held, request)}`,
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

/** Pure: what keeps the staging environment locked after a start that may have made its deployment. */
function stagingKept(
  held: readonly TakenLock[],
  request: { environment: string; requestedBy: string },
): string {
  const staging = held.find((l) => l.environment !== request.environment);
  if (!staging) return '';
  return staging.own
    ? `; its staging environment ${staging.environment} stays locked with it (or /unlock ${staging.environment} --force, if no final status comes)`
    : `; on its staging environment ${staging.environment} it would run under ${request.requestedBy}'s lock, which stays`;
}

/** Pure: the environments whose locks a start takes, in the one order every start takes them (by name). */
export function lockOrder(environment: string, staging: string | undefined): string[] {
  if (staging === undefined || staging.toLowerCase() === environment.toLowerCase()) return [environment];
  return [environment, staging].sort((a, b) => {
    const x = a.toLowerCase();
    const y = b.toLowerCase();
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

/** A lock a start holds: its own (`own`, released at the deployment's end), or its requester's /lock it deploys under. */
interface TakenLock {
  environment: string;
  own: boolean;
}

type TakeOutcome =
  { status: 'taken'; lock: TakenLock } | Extract<StartOutcome, { status: 'in_progress' | 'locked' }>;

/**
 * Takes `environment`'s lock for a deployment of `sha` (the request's own environment, or its staging one). A
 * running deployment's lock stops it (the same person's of the same commit to the same environment: in
 * progress); a person's /lock stops everyone but its holder, who deploys under it (no lock of its own then).
 */
async function takeLock(
  api: Api,
  where: Where,
  request: StartRequest,
  environment: string,
  sha: string,
  known: { botLogin?: string; keys: MarkerKeys },
  marks: { appId: number } | undefined,
): Promise<TakeOutcome> {
  let taken = await acquireDeploymentLock(api, where, known.keys, { environment, sha }, marks);
  if (taken.status === 'invalid_environment') throw new Error(taken.message);
  // A lock read back after a lost answer may be another deployment's of this commit (the ref names the commit
  // only): one of the App's that still runs holds it, and this start must not deploy beside it.
  if (
    taken.status === 'acquired' &&
    taken.readBack &&
    known.botLogin !== undefined &&
    (await runningOwnDeployment(api.repos, where, { environment, sha, botLogin: known.botLogin })) !==
      undefined
  )
    taken = {
      status: 'already_held',
      lock: {
        target: { scope: 'environment', environment },
        holder: 'deployment',
        createdAt: '',
        sha,
        deployment: true,
      },
    };
  if (taken.status === 'acquired') return { status: 'taken', lock: { environment, own: true } };
  if (taken.lock.deployment) {
    const lock = await deploymentLockOwner(api.repos, where, taken.lock, {
      ...(known.botLogin !== undefined ? { botLogin: known.botLogin } : {}),
    });
    // The same person's deployment of the same commit to the same environment: a duplicate request, or it is
    // still running. (Its staging lock is named by the environment whose deployment holds it: heldFor.)
    const heldFor = lock.heldFor ?? environment;
    const same =
      !lock.holderUnverified &&
      lock.sha.toLowerCase() === sha &&
      heldFor.toLowerCase() === request.environment.toLowerCase() &&
      lock.holder.toLowerCase() === request.requestedBy.toLowerCase();
    return { status: same ? 'in_progress' : 'locked', lock };
  }
  // A person's /lock stops everyone but them (DESIGN §6): they deploy under it, and it stays in place.
  if (blockingLock({ environments: [taken.lock] }, environment, request.requestedBy))
    return { status: 'locked', lock: taken.lock };
  return { status: 'taken', lock: { environment, own: false } };
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
