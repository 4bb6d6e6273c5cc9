// A deployment's own lock on its environment: a lightweight ref to the commit being deployed (see
// app/locks.ts). The ref itself says only which commit; who asked for it is in the deployment's payload, read
// back here when a refusal must name them. The lock is released when the deployment ends.
import { UNKNOWN_HOLDER, acquireDeploymentLock, answerLost, deleteRefIfAt, lockRefName } from '../locks.ts';
import type { ConditionalDelete, LockInfo, LocksApi } from '../locks.ts';
import type { MarkerKeys } from '../../src/github/marker-keys.ts';
import { parseDeploymentPayload } from '../../src/github/deployment-payload.ts';
import type { Api, Where } from '../facts/github.ts';
import { createdByApp, FINAL_STATES, statusByRunner } from '../facts/deployments.ts';
import type { DeploymentState } from '../../src/github/status-comment.ts';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * The staging environment whose lock an App deployment holds besides its own environment's (its payload's
 * `staging`, which the App wrote: app/deploy/start.ts). Undefined for a payload that does not parse or names none.
 */
export function stagingHeld(payload: unknown): string | undefined {
  try {
    return parseDeploymentPayload(payload).staging;
  } catch {
    return undefined;
  }
}

/**
 * Pure: whether an App deployment (to `deployed`, its payload `payload`) holds `environment`'s lock: it is its
 * own environment, or the staging environment it changes first. GitHub compares environment names ignoring case.
 */
export function holdsLockOf(
  d: { environment?: string | null; payload?: unknown },
  environment: string,
): boolean {
  const env = environment.toLowerCase();
  return d.environment?.toLowerCase() === env || stagingHeld(d.payload)?.toLowerCase() === env;
}

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
  api: OwnerApi,
  where: Where,
  lock: LockInfo,
  opts: {
    attempts?: number;
    delayMs?: number;
    botLogin?: string;
    /**
     * The App deployment the caller knows (a protection rule's own): when no listing read shows it and none of
     * the App's running deployments listed holds the lock, it is read by its id (knownHolder). GitHub's
     * listings lag a deployment just made by seconds, and the rule is asked about it at once.
     */
    known?: number;
    /** What was read of `known` by an earlier call of the same decision (knownHolder reads it once). */
    knownReads?: KnownReads;
    /** How `known` is read again while GitHub answers 404 (LAGGING_READS when not given). */
    knownRetry?: { attempts: number; delayMs: number };
  } = {},
): Promise<LockInfo> {
  if (!lock.deployment || lock.target.scope !== 'environment') return lock;
  const attempts = opts.attempts ?? 5;
  // Every deployment id the listings showed: the known one among them was judged by them.
  const listed = new Set<number>();
  // Whether an App deployment ended (one request), the known one's read once for the caller's decision
  // (knownReads): its own environment's lock and its staging environment's find the same deployment.
  const endedOf = (d: { id: number }, botLogin: string): Promise<boolean> => {
    const reads = opts.knownReads;
    if (d.id !== opts.known || !reads) return runnerEnded(api, where, d.id, botLogin);
    let read = reads.get(d.id);
    if (!read) {
      read = { deployment: Promise.resolve(d as ListedDeployment) };
      reads.set(d.id, read);
    }
    return (read.ended ??= runnerEnded(api, where, d.id, botLogin));
  };
  let knownRead = false;
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    // A page of 100 (one request, as one of 5 was): each workflow job deploying the commit to the environment
    // (rejected under this lock, or re-run) adds a deployment of it, and anyone with deployments: write may;
    // five of them pushed the App's holder off a page of 5, and the lock read as another's (the protection rule
    // then rejected the very deployment holding it).
    const { data } = await api.listDeployments({
      ...where,
      environment: lock.target.environment,
      sha: lock.sha,
      per_page: 100,
    });
    for (const d of data) listed.add(d.id);
    // The App's own deployment first (it took the lock), the newest that has not ended (by its runner's
    // statuses: endedByRunner); newest first among the rest. An older one still running holds it when a later
    // deployment of the commit ended first (a person's lock handed to the older: runningUnderLock).
    let ended: number | undefined;
    for (const d of data) {
      if (opts.botLogin === undefined || !createdByApp(d, { login: opts.botLogin })) continue;
      let payload;
      try {
        payload = parseDeploymentPayload(d.payload);
      } catch {
        continue;
      }
      if (await endedOf(d, opts.botLogin)) {
        ended ??= d.id;
        continue;
      }
      return {
        ...lock,
        holder: payload.requested_by ?? d.creator?.login ?? opts.botLogin,
        createdAt: d.created_at,
        reason: `deployment #${d.id} of ${lock.sha.slice(0, 12)}`,
        heldByDeployment: d.id,
        ...(payload.pr !== undefined ? { pullRequest: payload.pr } : {}),
      };
    }
    // None of the environment's own runs: a running deployment of the commit to another environment that
    // deploys this one first (its staging environment) holds it (app/deploy/start.ts).
    if (opts.botLogin !== undefined) {
      const staging = await stagingHolder(api, where, lock, opts.botLogin, listed, endedOf);
      if (staging) return staging;
      if (opts.known !== undefined && !listed.has(opts.known) && !knownRead) {
        knownRead = true;
        const known = await knownHolder(
          api,
          where,
          lock,
          opts.known,
          opts.botLogin,
          opts.knownReads,
          opts.knownRetry,
        );
        if (known) return known;
      }
    }
    // The lock is released when its deployment ends: a ref at the commit of deployments that have all ended is
    // none of theirs (left behind, or pushed back by hand to name a requester, or to answer their next /deploy
    // of the commit "in progress"). Held still, by nobody anyone can name.
    if (ended !== undefined) {
      const { pullRequest: _unsaid, ...rest } = lock;
      return {
        ...rest,
        holder: UNKNOWN_HOLDER,
        holderUnverified: true,
        createdAt: '',
        endedDeployment: ended,
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
        heldByDeployment: other.id,
      };
    }
    if (attempt < attempts) await sleep(opts.delayMs ?? 400);
  }
  return { ...lock, noDeploymentSeen: true };
}

/**
 * The deployment lock `lock` (on a staging environment) with its owner filled in from the App's running
 * deployment of its commit to another environment whose payload names that environment as its staging one
 * (`heldFor`: that deployment's environment). Undefined when none runs.
 */
async function stagingHolder(
  api: Pick<Api['repos'], 'listDeployments' | 'listDeploymentStatuses'>,
  where: Where,
  lock: LockInfo,
  botLogin: string,
  listed: Set<number>,
  endedOf: (d: { id: number }, botLogin: string) => Promise<boolean>,
): Promise<LockInfo | undefined> {
  if (lock.target.scope !== 'environment') return undefined;
  const environment = lock.target.environment;
  // Pages of every environment's deployments of the commit, as runningOwnDeployment reads them: anyone with
  // deployments: write adds theirs of the commit, and would push the App's off a single page (the lock then
  // read as one nobody holds, which --force releases, while the deployment that changes it still runs).
  for (let page = 1; page <= NEWER_DEPLOYMENT_PAGES; page++) {
    const { data } = await api.listDeployments({ ...where, sha: lock.sha, per_page: 100, page });
    for (const d of data) listed.add(d.id);
    for (const d of data) {
      if (!createdByApp(d, { login: botLogin })) continue;
      if (d.environment?.toLowerCase() === environment.toLowerCase()) continue;
      if (stagingHeld(d.payload)?.toLowerCase() !== environment.toLowerCase()) continue;
      if (await endedOf(d, botLogin)) continue;
      const payload = parseDeploymentPayload(d.payload);
      return {
        ...lock,
        holder: payload.requested_by ?? d.creator?.login ?? botLogin,
        createdAt: d.created_at,
        reason: `deployment #${d.id} of ${lock.sha.slice(0, 12)} to ${d.environment}, which deploys ${environment} first`,
        heldByDeployment: d.id,
        heldFor: d.environment,
        ...(payload.pr !== undefined ? { pullRequest: payload.pr } : {}),
      };
    }
    if (data.length < 100) return undefined;
  }
  return undefined;
}

/**
 * How a deployment GitHub answers 404 for, read by its id, is read again before it counts as none: the App reads
 * it seconds after making it (a protection rule is asked at once), and GitHub's reads lag a deployment just made
 * (as its listings do). About a second in all.
 */
export const LAGGING_READS = { attempts: 4, delayMs: 400 };

/**
 * `read` (of a deployment by its id), read again while GitHub answers 404, `retry.attempts` times at most;
 * 'gone' when every answer was 404. Any other failure is thrown.
 */
export async function readById<T>(
  read: () => Promise<T>,
  retry: { attempts: number; delayMs: number } = LAGGING_READS,
): Promise<T | 'gone'> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await read();
    } catch (error) {
      if ((error as { status?: number }).status !== 404) throw error;
      if (attempt >= retry.attempts) return 'gone';
    }
    await sleep(retry.delayMs);
  }
}

/** What deploymentLockOwner reads: getDeployment only for a deployment it is told of (`known`). */
export type OwnerApi = Pick<Api['repos'], 'listDeployments' | 'listDeploymentStatuses'> &
  Partial<Pick<Api['repos'], 'getDeployment'>>;

/**
 * What a caller's several deploymentLockOwner calls (one decision: a lock and its staging environment's) read of
 * their `known` deployment, each read once: the deployment (undefined: GitHub has none), and whether it ended.
 */
export type KnownReads = Map<
  number,
  { deployment: Promise<ListedDeployment | undefined>; ended?: Promise<boolean> }
>;

/**
 * Deployment `id` read by itself (two requests: it, and its statuses; once per `reads`), as the holder of `lock`
 * when the listings have not shown it yet: by the listings' rules, it holds the lock when the App made it
 * (`botLogin`), of the lock's commit, to the lock's environment or to one deploying it first (holdsLockOf), and
 * it has not ended (endedByRunner). Undefined otherwise, and when GitHub has no such deployment.
 */
async function knownHolder(
  api: OwnerApi,
  where: Where,
  lock: LockInfo,
  id: number,
  botLogin: string,
  reads: KnownReads = new Map(),
  retry: { attempts: number; delayMs: number } = LAGGING_READS,
): Promise<LockInfo | undefined> {
  if (lock.target.scope !== 'environment') return undefined;
  const getDeployment = api.getDeployment;
  if (!getDeployment) throw new Error('deploymentLockOwner: `known` needs api.getDeployment');
  const environment = lock.target.environment;
  let read = reads.get(id);
  if (!read) {
    read = {
      // Read again while GitHub answers 404: the rule is asked about a deployment just made, and a holder not
      // seen would refuse the very deployment holding the lock (`locked`).
      deployment: readById(
        async () => (await getDeployment({ ...where, deployment_id: id })).data as ListedDeployment,
        retry,
      ).then((read) => (read === 'gone' ? undefined : read)),
    };
    reads.set(id, read);
  }
  const d = await read.deployment;
  if (!d || !createdByApp(d, { login: botLogin })) return undefined;
  if (d.sha.toLowerCase() !== lock.sha.toLowerCase() || !holdsLockOf(d, environment)) return undefined;
  let payload;
  try {
    payload = parseDeploymentPayload(d.payload);
  } catch {
    return undefined;
  }
  read.ended ??= runnerEnded(api, where, d.id, botLogin);
  if (await read.ended) return undefined;
  const heldFor = d.environment ?? environment;
  const own = heldFor.toLowerCase() === environment.toLowerCase();
  return {
    ...lock,
    holder: payload.requested_by ?? d.creator?.login ?? botLogin,
    createdAt: d.created_at,
    reason: own
      ? `deployment #${d.id} of ${lock.sha.slice(0, 12)}`
      : `deployment #${d.id} of ${lock.sha.slice(0, 12)} to ${heldFor}, which deploys ${environment} first`,
    heldByDeployment: d.id,
    ...(own ? {} : { heldFor }),
    ...(payload.pr !== undefined ? { pullRequest: payload.pr } : {}),
  };
}

/** A deployment's statuses read (newest first) for the newest one its runner posted. */
const RUNNER_STATUSES_READ = 100;

/**
 * Pure: whether a deployment has ended by its statuses (newest first, `read` of them asked for): by the newest
 * one posted by those who end the App's deployments (statusByRunner). Another's status, whatever state it
 * names, neither ends it nor brings it back. None of theirs yet: it runs. A full page without one of theirs
 * cannot be told and is taken as ended: a lock is then neither handed to it nor kept for it (as before
 * hand-overs), rather than held for a deployment that may never post a final status again.
 */
export function endedByRunner(
  statuses: ReadonlyArray<{ state: string; creator?: { login: string; type?: string } | null }>,
  appLogin: string,
  read = RUNNER_STATUSES_READ,
): boolean {
  const newest = statuses.find((s) => statusByRunner(s.creator, appLogin));
  if (!newest) return statuses.length >= read;
  return FINAL_STATES.includes(newest.state as DeploymentState);
}

/**
 * Pure: whether the deployment was reopened after its runner's final status `delivered` (a re-run of its
 * workflow run: app/deploy/rerun.ts writes a `queued` status of the App's, which holds its locks anew): the
 * newest of its runner's statuses (statusByRunner; `statuses` newest first) is not final, came after
 * `delivered` (listed before it; when the listing does not show it yet, made later), and the run had ended
 * before (a final status of the runner's below it). A first run whose final status the listing does not show
 * yet is not reopened, nor is one whose final status came after its last non-final one.
 */
export function reopenedAfter(
  statuses: ReadonlyArray<{
    id: number;
    state: string;
    created_at: string;
    creator?: { login: string; type?: string } | null;
  }>,
  delivered: { id: number; created_at: string },
  appLogin: string,
): boolean {
  const runner = statuses.filter((s) => statusByRunner(s.creator, appLogin));
  const newest = runner[0];
  if (!newest || FINAL_STATES.includes(newest.state as DeploymentState)) return false;
  if (!runner.some((s) => FINAL_STATES.includes(s.state as DeploymentState))) return false;
  const at = statuses.findIndex((s) => s.id === delivered.id);
  if (at >= 0) return statuses.indexOf(newest) < at;
  return Date.parse(newest.created_at) > Date.parse(delivered.created_at);
}

/** endedByRunner for deployment `id`: one request. */
async function runnerEnded(
  api: Pick<Api['repos'], 'listDeploymentStatuses'>,
  where: Where,
  id: number,
  appLogin: string,
): Promise<boolean> {
  const { data } = await api.listDeploymentStatuses({
    ...where,
    deployment_id: id,
    per_page: RUNNER_STATUSES_READ,
  });
  return endedByRunner(data, appLogin);
}

/** Pages of 100 of a commit's deployments read at most by runningOwnDeployment and stagingHolder. */
const NEWER_DEPLOYMENT_PAGES = 5;

/**
 * Whether the App made a deployment of `sha` to `environment` after deployment `id` (deployment ids grow) that
 * has not ended (endedByRunner). A deployment's lock names its commit only, and each deployment of the commit
 * takes it anew once the one before released it: the lock at that commit is then the newer deployment's, and
 * a final status of `id` arriving now (a redelivery, one posted late) must not release it. A newer one that has
 * ended holds nothing (its own final status released the lock), and `id` may hold it: a person's lock handed
 * to `id` (runningUnderLock) while a later deployment of the same commit under it had already ended. Beyond the
 * deployments read, none is known.
 */
export async function newerOwnDeployment(
  api: Pick<Api['repos'], 'listDeployments' | 'listDeploymentStatuses'>,
  where: Where,
  o: { environment: string; sha: string; id: number; botLogin: string },
): Promise<boolean> {
  return (await runningOwnDeployment(api, where, { ...o, after: o.id })) !== undefined;
}

/**
 * Releases `environment`'s lock if it is the lock of a deployment of `sha` (a lightweight ref to that
 * commit). A person's /lock (an annotated tag) and another commit's deployment lock stay, and so does this
 * commit's when `heldByNewer` (asked only then) says a newer deployment of it holds it (newerOwnDeployment).
 * With `conditional` the ref is deleted only if it still points at that commit: a lock released (by --force)
 * and taken again meanwhile, a person's /lock, stays. Without it, a REST delete, the window between the read
 * and the delete being the `heldByNewer` listing wide.
 */
export async function releaseDeploymentLock(
  api: Pick<LocksApi['git'], 'getRef' | 'deleteRef'>,
  where: Where,
  environment: string,
  sha: string,
  heldByNewer?: () => Promise<boolean>,
  conditional?: ConditionalDelete,
): Promise<'released' | 'kept' | 'none'> {
  const refName = lockRefName({ scope: 'environment', environment });
  if (typeof refName !== 'string') return 'none';
  const read = async (): Promise<{ sha: string; type: string } | undefined> => {
    try {
      return (await api.getRef({ ...where, ref: refName })).data.object;
    } catch (error) {
      if ((error as { status?: number }).status === 404) return undefined;
      throw error;
    }
  };
  const object = await read();
  if (!object) return 'none';
  if (object.type !== 'commit' || object.sha.toLowerCase() !== sha.toLowerCase()) return 'kept';
  if (heldByNewer && (await heldByNewer())) return 'kept';
  if (conditional) {
    try {
      await deleteRefIfAt(conditional, refName, object.sha.toLowerCase());
    } catch (error) {
      // Refused: gone, or another lock now (not this deployment's to delete); unchanged, a real failure. Gone
      // after an answer lost: released (by this delete, most likely), so the queue behind it is looked at.
      const now = await read();
      if (!now) return answerLost(error) ? 'released' : 'none';
      if (now.sha.toLowerCase() !== object.sha.toLowerCase()) return 'kept';
      throw error;
    }
    return 'released';
  }
  try {
    await api.deleteRef({ ...where, ref: refName });
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (status === 404 || status === 422) return 'none';
    throw error;
  }
  return 'released';
}

/**
 * The newest deployment of `sha` to `environment` the App made that has not ended (endedByRunner), if any: the
 * holder of a lock at that commit. Pages of the commit's deployments (NEWER_DEPLOYMENT_PAGES at most: anyone with
 * deployments: write adds theirs of the commit, and would push the App's off one page), and one status read per
 * App deployment until one runs.
 */
export async function runningOwnDeployment(
  api: Pick<Api['repos'], 'listDeployments' | 'listDeploymentStatuses'>,
  where: Where,
  /** Only deployments made after this one (deployment ids grow). */
  o: { environment: string; sha: string; botLogin: string; after?: number },
): Promise<number | undefined> {
  // Every environment's deployments of the commit: one to another environment that deploys this one first
  // (its payload's `staging`) holds this environment's lock too.
  for (let page = 1; page <= NEWER_DEPLOYMENT_PAGES; page++) {
    const { data } = await api.listDeployments({
      ...where,
      sha: o.sha,
      per_page: 100,
      page,
    });
    for (const d of data)
      if (
        (o.after === undefined || d.id > o.after) &&
        createdByApp(d, { login: o.botLogin }) &&
        holdsLockOf(d, o.environment) &&
        !(await runnerEnded(api, where, d.id, o.botLogin))
      )
        return d.id;
    if (data.length < 100) return undefined;
  }
  return undefined;
}

/**
 * How long before a person's lock was taken (by the App's clock) a deployment GitHub dates may have been made
 * under it: the two clocks differ by seconds, seldom more.
 */
const CLOCK_SLACK_MS = 5 * 60_000;
/** Pages of 100 of the environment's deployments read at most for those made under a lock being released. */
const UNDER_LOCK_PAGES = 5;

/** A deployment of the environment as GitHub lists it (newest first). */
export interface ListedDeployment {
  id: number;
  sha: string;
  environment?: string;
  payload?: unknown;
  created_at: string;
  creator?: { login: string; type?: string } | null;
  performed_via_github_app?: { id: number } | null;
}

/**
 * Pure: which deployments (newest first) may have been made under a person's lock taken at `lockedAt`: the
 * App's own, made since then (CLOCK_SLACK_MS before, for the clocks' difference). An older one ran under its
 * own lock, or none; a lock time that cannot be read leaves none (only --force releases such a lock anyway).
 */
export function madeUnderLock(
  lockedAt: string,
  listed: readonly ListedDeployment[],
  app: { login: string; id?: number },
): ListedDeployment[] {
  const since = Date.parse(lockedAt);
  if (!Number.isFinite(since)) return [];
  return listed.filter((d) => createdByApp(d, app) && Date.parse(d.created_at) >= since - CLOCK_SLACK_MS);
}

/**
 * The deployments made under person's lock `held` that have not ended (newest first): what releaseLock's
 * handOver moves the lock to when there is one, and keeps it for when there are several (its holder may
 * deploy twice under it). Reads the environment's deployments since the lock and the statuses of each made under
 * the lock (endedByRunner): a status anyone else posts neither makes an ended one take the lock (held until
 * --force) nor keeps it from a running one. Last, the newest App deployment made before the lock when a re-run
 * of its workflow run reopened it under the lock (reopenedUnderLock: one status read more): its holder re-ran
 * it, and it deploys under the lock with no lock of its own (app/deploy/rerun.ts).
 */
export async function runningUnderLock(
  api: Pick<Api['repos'], 'listDeployments' | 'listDeploymentStatuses'>,
  where: Where,
  held: LockInfo,
  app: { login: string; id?: number },
  stagedBy: readonly string[] = [],
): Promise<Array<{ deployment: number; sha: string }>> {
  const listed = await listedSinceLock(api, where, held, stagedBy, app);
  const running = await notEnded(api, where, madeUnderLock(held.createdAt, listed, app), app.login);
  const reopened = await reopenedUnderLock(api, where, held.createdAt, listed, app);
  return reopened ? [...running, reopened] : running;
}

/**
 * Pure: the newest of the App's deployments in `listed` (newest first) made before a person's lock taken at
 * `lockedAt` (madeUnderLock's complement): the one a re-run may have reopened under the lock. Only the newest:
 * a re-run of an older one is refused (`rerun_superseded`).
 */
export function newestBeforeLock(
  lockedAt: string,
  listed: readonly ListedDeployment[],
  app: { login: string; id?: number },
): ListedDeployment | undefined {
  const since = Date.parse(lockedAt);
  if (!Number.isFinite(since)) return undefined;
  return listed.find((d) => createdByApp(d, app) && Date.parse(d.created_at) < since - CLOCK_SLACK_MS);
}

/**
 * The newest App deployment made before the lock taken at `lockedAt` (newestBeforeLock), when a re-run reopened
 * it under the lock: its runner had ended it, and the newest of its runner's statuses is not final and was
 * written since the lock was taken, less the clocks' slack (reopenedAfter): the App's reopening `queued`, or the
 * Action's statuses after it. One status read. A deployment made before the
 * lock that never ended is not it: its run held its own lock then (the person's could not be taken over it),
 * and one that outlived that lock (released by --force) is not handed a lock it would keep until --force again.
 */
async function reopenedUnderLock(
  api: Pick<Api['repos'], 'listDeploymentStatuses'>,
  where: Where,
  lockedAt: string,
  listed: readonly ListedDeployment[],
  app: { login: string; id?: number },
): Promise<{ deployment: number; sha: string } | undefined> {
  const candidate = newestBeforeLock(lockedAt, listed, app);
  if (!candidate) return undefined;
  const { data } = await api.listDeploymentStatuses({
    ...where,
    deployment_id: candidate.id,
    per_page: RUNNER_STATUSES_READ,
  });
  const since = new Date(Date.parse(lockedAt) - CLOCK_SLACK_MS).toISOString();
  return reopenedAfter(data, { id: -1, created_at: since }, app.login)
    ? { deployment: candidate.id, sha: candidate.sha.toLowerCase() }
    : undefined;
}

/**
 * The App's deployments made under person's lock `held` (madeUnderLock), newest first, their statuses not read;
 * and the newest made before it when a re-run reopened it under the lock (reopenedUnderLock: one status read),
 * which deploys under the lock as they do. `stagedBy`: the environments whose deployments change held's first
 * (today's config: stagedThrough).
 */
export async function deploymentsUnderLock(
  api: Pick<Api['repos'], 'listDeployments' | 'listDeploymentStatuses'>,
  where: Where,
  held: LockInfo,
  app: { login: string; id?: number },
  stagedBy: readonly string[] = [],
): Promise<{ made: ListedDeployment[]; reopened?: { deployment: number; sha: string } }> {
  const listed = await listedSinceLock(api, where, held, stagedBy, app);
  const reopened = await reopenedUnderLock(api, where, held.createdAt, listed, app);
  return { made: madeUnderLock(held.createdAt, listed, app), ...(reopened ? { reopened } : {}) };
}

/**
 * Anyone's deployments that hold person's lock `held`'s environment (its own, and those of environments deploying
 * it first), newest first, listed back to the lock's time (and one page past it at least, when there is one).
 */
async function listedSinceLock(
  api: Pick<Api['repos'], 'listDeployments'>,
  where: Where,
  held: LockInfo,
  stagedBy: readonly string[],
  app?: { login: string; id?: number },
): Promise<ListedDeployment[]> {
  if (held.target.scope !== 'environment') return [];
  const environment = held.target.environment;
  // Pages until one reaches back past the lock's time: anyone's deployments of the environment (a workflow's,
  // rejected under the lock, or made with deployments: write) would push the holder's off a single page.
  const since = Date.parse(held.createdAt) - CLOCK_SLACK_MS;
  // `toAppBefore`: and on until one shows an App deployment made before the lock (newestBeforeLock's), within
  // the same pages: others' deployments just before the lock would hide a re-run's reopened one past the page.
  const pagesSince = async (
    filter: { environment?: string },
    toAppBefore = false,
  ): Promise<ListedDeployment[]> => {
    const listed: ListedDeployment[] = [];
    for (let page = 1; page <= UNDER_LOCK_PAGES; page++) {
      const { data } = await api.listDeployments({ ...where, ...filter, per_page: 100, page });
      listed.push(...data);
      const oldest = data.at(-1);
      if (data.length < 100 || !oldest) break;
      const past = !(Date.parse(oldest.created_at) >= since);
      if (past && !(toAppBefore && app && !newestBeforeLock(held.createdAt, listed, app))) break;
    }
    return listed;
  };
  // The environment's own, then those of each environment that deploys this one first (its payload's
  // `staging`): a deployment of preview whose run changes production runs under production's lock too. Each
  // is listed by its environment, so deployments made anywhere else in the repository (500 of them since the
  // lock, by a workflow or anyone with deployments: write) push none of these off the pages read.
  const through = (d: ListedDeployment): boolean =>
    d.environment?.toLowerCase() !== environment.toLowerCase() && holdsLockOf(d, environment);
  const own = await pagesSince({ environment }, true);
  const staging: ListedDeployment[] = [];
  const names = new Set(stagedBy.map((name) => name.toLowerCase()));
  names.delete(environment.toLowerCase());
  for (const name of names) staging.push(...(await pagesSince({ environment: name })).filter(through));
  // As before, every environment's since the lock (a flood pushes deployments off these pages): what finds a
  // deployment of an environment whose `staging` the config no longer names (changed since it started).
  staging.push(...(await pagesSince({})).filter(through));
  const byId = new Map([...own, ...staging].map((d) => [d.id, d]));
  return [...byId.values()].sort((a, b) => b.id - a.id);
}

/** Those of `deployments` the App's runner has not ended (endedByRunner): one status read each, in order. */
export async function notEnded(
  api: Pick<Api['repos'], 'listDeploymentStatuses'>,
  where: Where,
  deployments: readonly ListedDeployment[],
  appLogin: string,
): Promise<Array<{ deployment: number; sha: string }>> {
  const running: Array<{ deployment: number; sha: string }> = [];
  for (const d of deployments)
    if (!(await runnerEnded(api, where, d.id, appLogin)))
      running.push({ deployment: d.id, sha: d.sha.toLowerCase() });
  return running;
}

/**
 * After a person's lock was handed to deployment `to` (runningUnderLock): its final status may have come between
 * the check and the move, and its release then found the person's lock and left it. Its statuses are read
 * again (endedByRunner); ended, the lock is released as that status would have released it. 'running' when it
 * has not ended.
 */
export async function settleHandOver(
  api: {
    repos: Pick<Api['repos'], 'listDeploymentStatuses'>;
    git: Pick<LocksApi['git'], 'getRef' | 'deleteRef'>;
  },
  where: Where,
  environment: string,
  to: { deployment: number; sha: string },
  appLogin: string,
  conditional?: ConditionalDelete,
): Promise<'running' | 'released' | 'kept' | 'none'> {
  if (!(await runnerEnded(api.repos, where, to.deployment, appLogin))) return 'running';
  return releaseDeploymentLock(api.git, where, environment, to.sha, undefined, conditional);
}

/**
 * After its holder's /unlock deleted person's lock `held`: a deployment they started under it may have been made
 * after runningUnderLock looked (its start read the lock before the delete). Looked for again; one still
 * running takes the environment's lock as its own, as a hand-over would have given it (the newest, of several).
 * Its start checks the lock again after its create too (lockLateDeployment): of any interleaving, one of the two
 * sees the other. Undefined: none runs, or the environment is locked by another now.
 */
export async function lockAfterUnlock(
  api: Pick<LocksApi, 'git'> & { repos: Pick<Api['repos'], 'listDeployments' | 'listDeploymentStatuses'> },
  where: Where,
  keys: MarkerKeys,
  held: LockInfo,
  app: { login: string; id?: number },
  stagedBy: readonly string[] = [],
): Promise<{ deployment: number; sha: string } | undefined> {
  if (held.target.scope !== 'environment') return undefined;
  const [to] = await runningUnderLock(api.repos, where, held, app, stagedBy);
  if (!to) return undefined;
  const taken = await acquireDeploymentLock(api, where, keys, {
    environment: held.target.environment,
    sha: to.sha,
  });
  // Already there: its start took it (lockLateDeployment).
  const ours =
    taken.status === 'acquired' ||
    (taken.status === 'already_held' &&
      taken.lock.deployment === true &&
      taken.lock.sha.toLowerCase() === to.sha);
  return ours ? to : undefined;
}

/**
 * After a start under its requester's /lock created its deployment: their /unlock may have deleted the lock
 * after the start read it and before runningUnderLock could see the deployment. Gone now, the deployment takes
 * the environment's lock as its own (released by its final status). Still there, their /unlock's second look
 * (lockAfterUnlock) finds the deployment. A lock someone else took meanwhile stays theirs.
 */
export async function lockLateDeployment(
  api: Pick<LocksApi, 'git'>,
  where: Where,
  keys: MarkerKeys,
  environment: string,
  sha: string,
): Promise<'locked' | 'held'> {
  const refName = lockRefName({ scope: 'environment', environment });
  if (typeof refName !== 'string') return 'held';
  try {
    await api.git.getRef({ ...where, ref: refName });
    return 'held';
  } catch (error) {
    if ((error as { status?: number }).status !== 404) throw error;
  }
  const taken = await acquireDeploymentLock(api, where, keys, { environment, sha });
  return taken.status === 'acquired' ? 'locked' : 'held';
}
