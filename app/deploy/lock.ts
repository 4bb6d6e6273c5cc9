// The lock a deployment holds on its environment while it runs. Its holder is the person who asked for the
// deployment (payload.requested_by) and its reason starts with `deploy-request <comment id>`, which tells it
// apart from a lock the same person took by hand with /lock.
import { releaseLock } from '../locks.ts';
import type { LockInfo, LocksApi, ReleaseResult, RepoRef } from '../locks.ts';

export function deploymentLockReason(sourceCommentId: number, what: string): string {
  return `deploy-request ${sourceCommentId}: ${what}`;
}

/** True when the lock was taken for a deployment (by any request), not by a person's /lock. */
export function isDeploymentLock(lock: LockInfo): boolean {
  return /^deploy-request \d+: /.test(lock.reason ?? '');
}

/**
 * Releases a deployment's own lock on `environment` when it ends; `holder` is the deployment's
 * payload.requested_by. A lock held by anyone else is left alone.
 */
export async function releaseDeploymentLock(
  api: LocksApi,
  repo: RepoRef,
  environment: string,
  holder: string,
): Promise<ReleaseResult> {
  return releaseLock(api, repo, { target: { scope: 'environment', environment }, requester: holder });
}
