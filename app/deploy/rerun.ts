// A re-run ("Re-run jobs") of the workflow run of an App deployment that has already ended. Its lock was
// released at its final status (app/handlers/deployment-status.ts), so without this the protection rule would
// find nobody holding the environment and let the run deploy beside the next /deploy. A re-run of the newest
// App deployment of the environment takes the locks its start took (app/deploy/start.ts: the environment's
// and its staging environment's, in the same order, given back on failure) and reopens the deployment (a
// `queued` status of the App's: its runner's statuses say it runs again, endedByRunner), so its next final
// status releases them. That status names the run: if the run ends before the Action writes a final status
// (another rule rejects it, it is cancelled before its job starts), its completion ends the deployment
// (app/deploy/run-ended.ts). A re-run of an older one would put back a version nobody asked for: refused.
import { acquireDeploymentLock, blockingLock, readGlobalLock } from '../locks.ts';
import type { LockInfo } from '../locks.ts';
import type { MarkerKeys } from '../../src/github/marker-keys.ts';
import { parseDeploymentPayload } from '../../src/github/deployment-payload.ts';
import { userText } from '../../src/github/user-text.ts';
import { createDeploymentStatusOnce } from '../../src/github/deployments.ts';
import { mayHaveLanded } from '../../src/github/write-once.ts';
import { createdByApp, FINAL_STATES, statusByRunner } from '../facts/deployments.ts';
import type { DeploymentState } from '../../src/github/status-comment.ts';
import type { Api, Where } from '../facts/github.ts';
import {
  deploymentLockOwner,
  endedByRunner,
  holdsLockOf,
  LAGGING_READS,
  lockLateDeployment,
  readById,
  releaseDeploymentLock,
  runningOwnDeployment,
} from './lock.ts';
import type { ListedDeployment } from './lock.ts';
import { lockOrder } from './start.ts';
import { rerunRunDescription } from './run-record.ts';

/** The App's deployment a re-run deploys again, as the App made it (its payload is the App's word). */
export interface RerunDeployment {
  id: number;
  /** The deployment's environment (the config's key the App made it with). */
  environment: string;
  sha: string;
  /** The staging environment whose lock it held too (its payload's `staging`): its final status releases it. */
  staging?: string;
}

/** What the App deployment a protection rule holds is to the rule. */
export type RerunStanding =
  /** Its runner has not ended it: its first run (or a run of it still going), judged as before. */
  | { kind: 'running' }
  /** Ended, and the newest App deployment of its environment: it may run again, holding its locks. */
  | { kind: 'rerun'; deployment: RerunDeployment }
  /**
   * Ended, and the App made a newer deployment since (`newer`; undefined when more deployments were made since
   * than the App reads, none of them the App's, so it cannot tell) of `of`: its environment, or the staging
   * environment its run changes first; or a newer deployment of `through`, an environment that deploys its
   * environment (`of`) first, which put a newer version there.
   */
  | { kind: 'superseded'; deployment: RerunDeployment; newer?: number; of: string; through?: string }
  /**
   * GitHub has no deployment `id` (deleted: anyone with write access deletes an inactive deployment, or the only
   * one of an environment), read again by its id before this is said (GONE_READS): its statuses and its lock
   * cannot be told, and its run would deploy holding nothing.
   */
  | { kind: 'gone'; id: number };

/** Pages of 100 of the environment's deployments read at most to find a newer App deployment. */
const NEWER_PAGES = 5;

/**
 * Pure: the App's deployments of the environment made after deployment `id`, from `listed` (newest first, as
 * GitHub lists them; deployment ids grow): the newest such one, and whether the listing reached `id` (or past
 * it): short of it, an App deployment further down may be newer still. With `changes`, only those that change
 * that environment (holdsLockOf: of it, or deploying it first as their staging environment).
 */
export function newerAppDeployment(
  listed: readonly Pick<
    ListedDeployment,
    'id' | 'creator' | 'performed_via_github_app' | 'environment' | 'payload'
  >[],
  id: number,
  app: { login: string },
  changes?: string,
): { newer?: number; reached: boolean } {
  for (const d of listed) {
    if (d.id <= id) return { reached: true };
    if (createdByApp(d, app) && (changes === undefined || holdsLockOf(d, changes)))
      return { newer: d.id, reached: true };
  }
  return { reached: false };
}

/** Pure: the standing of an App deployment from what was read (see RerunStanding). */
export function rerunStanding(read: {
  deployment: RerunDeployment;
  ended: boolean;
  newer: { newer?: number; reached: boolean; of?: string; through?: string };
}): RerunStanding {
  if (!read.ended) return { kind: 'running' };
  const of = read.newer.of ?? read.deployment.environment;
  const through = read.newer.through !== undefined ? { through: read.newer.through } : {};
  if (read.newer.newer !== undefined)
    return { kind: 'superseded', deployment: read.deployment, newer: read.newer.newer, of, ...through };
  if (!read.newer.reached) return { kind: 'superseded', deployment: read.deployment, of, ...through };
  return { kind: 'rerun', deployment: read.deployment };
}

/** Pure: the App deployment a protection rule holds, from GitHub's deployment (the App's payload). */
export function rerunDeployment(d: {
  id: number;
  environment?: string | null;
  sha: string;
  payload?: unknown;
}): RerunDeployment | undefined {
  if (!d.environment) return undefined;
  let staging: string | undefined;
  try {
    staging = parseDeploymentPayload(d.payload).staging;
  } catch {
    staging = undefined;
  }
  return {
    id: d.id,
    environment: d.environment,
    sha: d.sha.toLowerCase(),
    ...(staging !== undefined && staging.toLowerCase() !== d.environment.toLowerCase() ? { staging } : {}),
  };
}

type RerunApi = Pick<Api['repos'], 'listDeployments' | 'listDeploymentStatuses' | 'getDeployment'>;

/**
 * How a deployment GitHub answers 404 for is read again before it is taken as deleted (LAGGING_READS: the rule
 * is asked seconds after the App made it, and GitHub's reads lag a deployment just made).
 */
export const GONE_READS = LAGGING_READS;

/**
 * Reads the standing of the App's deployment `id` (RerunStanding): its statuses (one request); only when its
 * runner ended it, the deployment itself (`made`, or read by its id) and the deployments made since of its
 * environment, its staging environment and each environment in `stagedBy` (pages of 100, newest first, until one
 * reaches it). A deployment GitHub answers 404 for, read again (GONE_READS), is `gone`.
 */
export async function readRerunStanding(
  api: RerunApi,
  where: Where,
  o: {
    id: number;
    botLogin: string;
    /** The deployment as GitHub's webhook showed it; read by its id when not given. */
    made?: { environment?: string | null; sha: string; payload?: unknown };
    /** Reads again after a 404 (GONE_READS when not given). */
    retry?: { attempts: number; delayMs: number };
    /**
     * The environments whose deployments change its environment first (their `staging`; today's config:
     * stagedThrough): a newer App deployment of one of them that did put a newer version on its environment.
     */
    stagedBy?: readonly string[];
  },
): Promise<RerunStanding> {
  const retry = o.retry ?? GONE_READS;
  // Deleted (its statuses answer 404 too): nothing says whether it ended, and its run would deploy its commit
  // holding no lock, past the superseded check.
  const statuses = await readById(
    async () => (await api.listDeploymentStatuses({ ...where, deployment_id: o.id, per_page: 100 })).data,
    retry,
  );
  if (statuses === 'gone') return { kind: 'gone', id: o.id };
  if (!endedByRunner(statuses, o.botLogin)) return { kind: 'running' };
  let made = o.made;
  if (!made) {
    const read = await readById(
      async () => (await api.getDeployment({ ...where, deployment_id: o.id })).data,
      retry,
    );
    if (read === 'gone') return { kind: 'gone', id: o.id };
    made = read;
  }
  const deployment = rerunDeployment({ id: o.id, ...made });
  if (!deployment) return { kind: 'running' };
  // Its environment's, then its staging environment's (its run changes that first), then those of each
  // environment that deploys its environment first (a newer run of one put a newer version on it): a newer App
  // deployment of any is what the re-run would put an older version back over.
  const mine = [deployment.environment, deployment.staging].flatMap((e) => (e ? [e.toLowerCase()] : []));
  const lookups: Array<{ list: string; of: string; through?: string }> = [
    { list: deployment.environment, of: deployment.environment },
    ...(deployment.staging !== undefined ? [{ list: deployment.staging, of: deployment.staging }] : []),
    ...[...new Set(o.stagedBy ?? [])]
      .filter((w) => !mine.includes(w.toLowerCase()))
      .map((w) => ({ list: w, of: deployment.environment, through: w })),
  ];
  let newer: { newer?: number; reached: boolean; of?: string; through?: string } = { reached: true };
  for (const { list, of, through } of lookups) {
    const named = { of, ...(through !== undefined ? { through } : {}) };
    newer = { reached: false, ...named };
    for (let page = 1; page <= NEWER_PAGES && !newer.reached; page++) {
      const { data } = await api.listDeployments({ ...where, environment: list, per_page: 100, page });
      newer = { ...newerAppDeployment(data, o.id, { login: o.botLogin }, through && of), ...named };
      if (data.length < 100) newer = { ...newer, reached: true };
    }
    if (newer.newer !== undefined || !newer.reached) break;
  }
  return rerunStanding({ deployment, ended: true, newer });
}

/**
 * Pure: the App's deployment a workflow run its deployment event started deploys, when GitHub made the job's own
 * deployment (the rule is told no App deployment id): the newest App deployment of the environment at the
 * commit (`listed`, newest first) made no later than the run (the event starts the run after the deployment is
 * made; GitHub keeps a run's creation time across re-runs). `reached`: the listing went past the run's time, or
 * ended; short of it, the App's may be further down.
 */
export function runDeploymentIn(
  listed: readonly ListedDeployment[],
  runCreatedAt: string,
  app: { login: string },
): { found?: ListedDeployment; reached: boolean } {
  const run = Date.parse(runCreatedAt);
  if (!Number.isFinite(run)) return { reached: true };
  for (const d of listed) {
    const made = Date.parse(d.created_at);
    if (made <= run && createdByApp(d, app)) return { found: d, reached: true };
  }
  return { reached: false };
}

/** What readRunDeployment found: the App's deployment of the run, none, or more than the App reads. */
export type RunDeployment =
  { kind: 'found'; deployment: ListedDeployment } | { kind: 'none' } | { kind: 'unknown' };

/**
 * The App's deployment a run its deployment event started deploys (runDeploymentIn): pages of 100 of the
 * environment's deployments of the commit, newest first, until one holds it (NEWER_PAGES at most: anyone with
 * deployments: write, and every workflow job deploying the commit there, adds one of theirs).
 */
export async function readRunDeployment(
  api: Pick<Api['repos'], 'listDeployments'>,
  where: Where,
  o: { environment: string; sha: string; runCreatedAt: string; botLogin: string },
): Promise<RunDeployment> {
  for (let page = 1; page <= NEWER_PAGES; page++) {
    const { data } = await api.listDeployments({
      ...where,
      environment: o.environment,
      sha: o.sha,
      per_page: 100,
      page,
    });
    const { found } = runDeploymentIn(data as ListedDeployment[], o.runCreatedAt, { login: o.botLogin });
    if (found) return { kind: 'found', deployment: found };
    if (data.length < 100) return { kind: 'none' };
  }
  return { kind: 'unknown' };
}

/** Pure: the rejection of a run whose App deployment is past the deployments the App reads (fail closed). */
export function runDeploymentUnknownSummary(environment: string, sha: string): string {
  const env = userText(environment, { as: 'code' });
  return [
    `Rejected (\`rerun_superseded\`): this run was started by the App's deployment of ${userText(sha.slice(0, 12), { as: 'code' })} to ${env}, and more deployments of that commit to ${env} were made since than the App reads, so it cannot tell whether this is a re-run of one that has ended, nor that it is the newest.`,
    `Use ${userText(`/deploy ${environment}`, { as: 'command' })} instead.`,
  ].join(' ');
}

/**
 * Pure: the rejection of a run whose App deployment (#`id`, of `environment`: the gate's) GitHub no longer has:
 * deleted, nothing tells whether it ended, nor whether it is the newest, and no final status of it will release
 * a lock; nothing is locked for it.
 */
export function deploymentGoneSummary(id: number, environment: string): string {
  return [
    `Rejected (\`deployment_gone\`): this run deploys the App's deployment #${id} to ${userText(environment, { as: 'code' })}, which GitHub no longer has (it was deleted), so the App cannot tell whether it has ended or is still the newest, and a run of it would deploy holding no lock.`,
    `Use ${userText(`/deploy ${environment}`, { as: 'command' })} instead.`,
  ].join(' ');
}

/** Pure: the rejection of a re-run of a deployment the App has made a newer one of its environment since. */
export function rerunSupersededSummary(standing: Extract<RerunStanding, { kind: 'superseded' }>): string {
  const { deployment, newer } = standing;
  const env = userText(deployment.environment, { as: 'code' });
  const of = userText(standing.of, { as: 'code' });
  const staged =
    standing.of.toLowerCase() !== deployment.environment.toLowerCase()
      ? ` (the staging environment its run changes first)`
      : '';
  const where =
    standing.through !== undefined
      ? `${userText(standing.through, { as: 'code' })}, which deploys ${of} first,`
      : `${of}${staged}`;
  const since =
    newer !== undefined
      ? `the App has made a newer deployment of ${where} since (deployment #${newer})`
      : `more deployments of ${where} were made since than the App reads, so it cannot tell that none of them is newer of its own`;
  return [
    `Rejected (\`rerun_superseded\`): this run is a re-run of deployment #${deployment.id} of ${userText(deployment.sha.slice(0, 12), { as: 'code' })} to ${env}, which has ended, and ${since}.`,
    `Re-running it would put an older version back on ${of} that nobody asked for: use ${userText(`/deploy ${deployment.environment}`, { as: 'command' })} or ${userText(`/rollback ${deployment.environment}`, { as: 'command' })} instead.`,
  ].join(' ');
}

/** A lock a re-run holds: its own (released at its deployment's final status), or a /lock its deployers hold. */
export interface HeldLock {
  environment: string;
  own: boolean;
}

export type AdmitOutcome =
  | { status: 'admitted'; held: HeldLock[] }
  /** A lock stops it (the global lock, a person's /lock, another deployment's; one taken meanwhile too). */
  | { status: 'locked'; lock: LockInfo };

export interface AdmitContext {
  keys: MarkerKeys;
  appId?: number;
  botLogin: string;
  /** Who deploys (lockDeployers): a person's /lock lets the re-run through only when each of them holds it. */
  deployers: () => Promise<readonly string[]>;
  /** The workflow run re-run, named in the reopening status. */
  run: number;
  /**
   * Its attempt, when the rule read the run: named there too. The run's end ends the deployment when the Action
   * never did (app/deploy/run-ended.ts), judged by the run as GitHub shows it then.
   */
  attempt?: number;
}

type AdmitApi = Pick<Api, 'git' | 'repos'>;

/**
 * Takes the locks of a re-run of `deployment` (RerunStanding `rerun`), as its start took them: the global lock
 * refuses it, then its environment's and its staging environment's locks in lockOrder, each one not taken
 * giving back those taken. Then reopens the deployment (a `queued` status of the App's), so that the holders'
 * lookups (deploymentLockOwner, runningOwnDeployment) find it running and its next final status releases
 * them. A reopening that fails gives the locks back unless it may have been written (an answer lost): the
 * deployment then reads as running, and must hold its locks. A person's /lock it goes under that is gone once it
 * is reopened (their /unlock meanwhile) is taken as its own (`held` says so).
 */
export async function admitRerun(
  api: AdmitApi,
  where: Where,
  deployment: RerunDeployment,
  ctx: AdmitContext,
): Promise<AdmitOutcome> {
  const marks = ctx.appId !== undefined ? { appId: ctx.appId } : undefined;
  const frozen = await readGlobalLock(api, where, ctx.keys, marks);
  if (frozen) return { status: 'locked', lock: frozen };
  const held: HeldLock[] = [];
  const giveBack = () => releaseHeld(api, where, deployment, held);
  try {
    for (const environment of lockOrder(deployment.environment, deployment.staging)) {
      const taken = await takeRerunLock(api, where, deployment, environment, ctx, marks);
      if (taken.status === 'locked') {
        await giveBack();
        return taken;
      }
      held.push(taken.lock);
    }
  } catch (error) {
    await giveBack().catch(() => undefined);
    throw error;
  }
  try {
    // Written once (src/github/deployments.ts): a lost answer is settled by reading the newest status back.
    await createDeploymentStatusOnce(api, {
      ...where,
      deploymentId: deployment.id,
      state: 'queued',
      description: rerunRunDescription({
        id: ctx.run,
        ...(ctx.attempt !== undefined ? { attempt: ctx.attempt } : {}),
      }),
    });
  } catch (error) {
    // Not written: the locks go back. Perhaps written (an answer lost, unsettled): the deployment may read as
    // running, and must not run holding nothing: they stay (released by its final status, or --force).
    if (!mayHaveLanded(error)) await giveBack().catch(() => undefined);
    throw error;
  }
  // Their /unlock may have deleted a /lock it goes under since it was read, its hand-over reading the deployment
  // before the reopening landed (ended: released). Gone now, the lock is taken as the deployment's own, as a start
  // under a /lock does (lockLateDeployment); still there, the /unlock's second look finds it reopened. Failing to
  // look is not the admission's failure (reopened): the /unlock's second look remains.
  for (const [index, lock] of held.entries()) {
    if (lock.own) continue;
    const late = await lockLateDeployment(api, where, ctx.keys, lock.environment, deployment.sha).catch(
      () => 'held' as const,
    );
    if (late === 'locked') held[index] = { environment: lock.environment, own: true };
  }
  return { status: 'admitted', held };
}

/** Releases the re-run's own locks (both tried; the first failure thrown), as a failed start does. */
async function releaseHeld(
  api: AdmitApi,
  where: Where,
  deployment: RerunDeployment,
  held: readonly HeldLock[],
): Promise<void> {
  const failures: unknown[] = [];
  for (const taken of [...held].reverse())
    if (taken.own)
      await releaseDeploymentLock(api.git, where, taken.environment, deployment.sha).catch(
        (error: unknown) => {
          failures.push(error);
          return 'none' as const;
        },
      );
  if (failures.length > 0) throw failures[0];
}

/**
 * Takes `environment`'s lock for the re-run (app/deploy/start.ts takeLock's rules): a lock held by any running
 * deployment stops it (the deployment re-run has ended: none of its commit is its own); a person's /lock stops
 * it unless every one who deploys holds it (then it deploys under it, with no lock of its own).
 */
async function takeRerunLock(
  api: AdmitApi,
  where: Where,
  deployment: RerunDeployment,
  environment: string,
  ctx: AdmitContext,
  marks: { appId: number } | undefined,
): Promise<{ status: 'taken'; lock: HeldLock } | { status: 'locked'; lock: LockInfo }> {
  const sha = deployment.sha;
  const taken = await acquireDeploymentLock(api, where, ctx.keys, { environment, sha }, marks);
  if (taken.status === 'invalid_environment') throw new Error(taken.message);
  if (taken.status === 'acquired') {
    // Read back after a lost answer, the ref at the commit may be another running deployment's of it.
    const other =
      taken.readBack === true
        ? await runningOwnDeployment(api.repos, where, { environment, sha, botLogin: ctx.botLogin })
        : undefined;
    if (other === undefined) return { status: 'taken', lock: { environment, own: true } };
    return {
      status: 'locked',
      lock: await deploymentLockOwner(
        api.repos,
        where,
        {
          target: { scope: 'environment', environment },
          holder: 'deployment',
          createdAt: '',
          sha,
          deployment: true,
        },
        { attempts: 1, botLogin: ctx.botLogin },
      ),
    };
  }
  if (taken.lock.deployment)
    return {
      status: 'locked',
      lock: await deploymentLockOwner(api.repos, where, taken.lock, { attempts: 1, botLogin: ctx.botLogin }),
    };
  const deployers = await ctx.deployers();
  const through =
    deployers.length > 0 &&
    deployers.every((login) => !blockingLock({ environments: [taken.lock] }, environment, login));
  return through
    ? { status: 'taken', lock: { environment, own: false } }
    : { status: 'locked', lock: taken.lock };
}

/**
 * After an admitted re-run's workflow run turned out no longer to wait (cancelled, timed out) when answered:
 * nothing will deploy, and no final status will come. The deployment is ended again in the state it had ended
 * in (the newest final status its runner or the App wrote before the reopening `queued`; `inactive` when none
 * is read), so the Deployments tab, the PR's status comment and what reads the last successful deployment see
 * it as before the re-run; `auto_inactive` off, as it changes nothing live. Its own locks are then released,
 * that status written or not (its failure thrown after).
 */
export async function closeRerun(
  api: AdmitApi,
  where: Where,
  deployment: RerunDeployment,
  held: readonly HeldLock[],
  o: { run: number; botLogin: string },
): Promise<void> {
  const ended = await api.repos
    .listDeploymentStatuses({ ...where, deployment_id: deployment.id, per_page: 100 })
    .then(
      ({ data }) =>
        data.find(
          (s) => statusByRunner(s.creator, o.botLogin) && FINAL_STATES.includes(s.state as DeploymentState),
        )?.state as DeploymentState | undefined,
      () => undefined,
    );
  // The locks go back even when the status is not written: nothing deploys, and a deployment left `queued`
  // holding no lock stops nobody, while locks kept for it would stay until --force (its run never ends it).
  const written = await api.repos
    .createDeploymentStatus({
      ...where,
      deployment_id: deployment.id,
      state: ended ?? 'inactive',
      auto_inactive: false,
      description:
        `re-run of workflow run ${o.run} ended before it was answered: nothing deployed, it stands as before`.slice(
          0,
          140,
        ),
    })
    .then(
      () => ({ ok: true as const }),
      (error: unknown) => ({ ok: false as const, error }),
    );
  await releaseHeld(api, where, deployment, held);
  if (!written.ok) throw written.error;
}
