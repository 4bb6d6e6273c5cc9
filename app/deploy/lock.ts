// A deployment's own lock on its environment: a lightweight ref to the commit being deployed (see
// app/locks.ts). The ref itself says only which commit; who asked for it is in the deployment's payload, read
// back here when a refusal must name them. The lock is released when the deployment ends.
import { UNKNOWN_HOLDER, lockRefName } from '../locks.ts';
import type { LockInfo } from '../locks.ts';
import { parseDeploymentPayload } from '../../src/github/deployment-payload.ts';
import type { Api, Where } from '../facts/github.ts';
import { createdByApp } from '../facts/deployments.ts';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * The deployment lock with its owner filled in from the deployment of `lock.sha` to its environment. The
 * holder may still be between taking the lock and creating the deployment (a few requests), so the lookup
 * is retried briefly; after that the lock is described by its commit alone. Who asked (`requested_by`) and
 * the pull request (`pr`) are believed only in a deployment the App created (`botLogin`, GitHub's creator):
 * anyone who can create a deployment writes any payload, and would make a refusal @-mention whoever they
 * name and print a pull request number of their choice. Any other deployment is named by its creator's
 * login, without a mention (holderUnverified).
 */
export async function deploymentLockOwner(
  api: Pick<Api['repos'], 'listDeployments'>,
  where: Where,
  lock: LockInfo,
  opts: { attempts?: number; delayMs?: number; botLogin?: string } = {},
): Promise<LockInfo> {
  if (!lock.deployment || lock.target.scope !== 'environment') return lock;
  const attempts = opts.attempts ?? 5;
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    const { data } = await api.listDeployments({
      ...where,
      environment: lock.target.environment,
      sha: lock.sha,
      per_page: 5,
    });
    // The App's own deployment first (it took the lock); newest first among the rest.
    for (const d of data) {
      if (opts.botLogin === undefined || !createdByApp(d, { login: opts.botLogin })) continue;
      let payload;
      try {
        payload = parseDeploymentPayload(d.payload);
      } catch {
        continue;
      }
      return {
        ...lock,
        holder: payload.requested_by ?? d.creator?.login ?? opts.botLogin,
        createdAt: d.created_at,
        reason: `deployment #${d.id} of ${lock.sha.slice(0, 12)}`,
        ...(payload.pr !== undefined ? { pullRequest: payload.pr } : {}),
      };
    }
    const other = data[0];
    if (other) {
      const { pullRequest: _unsaid, ...rest } = lock;
      return {
        ...rest,
        holder: other.creator?.login ?? UNKNOWN_HOLDER,
        holderUnverified: true,
        createdAt: other.created_at,
        reason: `deployment #${other.id} of ${lock.sha.slice(0, 12)}`,
      };
    }
    if (attempt < attempts) await sleep(opts.delayMs ?? 400);
  }
  return { ...lock, reason: `a deployment of ${lock.sha.slice(0, 12)} is being started` };
}

/**
 * Releases `environment`'s lock if it is the lock of a deployment of `sha` (a lightweight ref to that
 * commit). A person's /lock (an annotated tag) and another commit's deployment lock stay.
 */
export async function releaseDeploymentLock(
  api: Pick<Api['git'], 'getRef' | 'deleteRef'>,
  where: Where,
  environment: string,
  sha: string,
): Promise<'released' | 'kept' | 'none'> {
  const refName = lockRefName({ scope: 'environment', environment });
  if (typeof refName !== 'string') return 'none';
  let object: { sha: string; type: string };
  try {
    ({ object } = (await api.getRef({ ...where, ref: refName })).data);
  } catch (error) {
    if ((error as { status?: number }).status === 404) return 'none';
    throw error;
  }
  if (object.type !== 'commit' || object.sha.toLowerCase() !== sha.toLowerCase()) return 'kept';
  try {
    await api.deleteRef({ ...where, ref: refName });
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (status === 404 || status === 422) return 'none';
    throw error;
  }
  return 'released';
}
