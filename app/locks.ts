// Environment locks and the global lock, stored on GitHub so every replica of the app agrees without a
// database. A lock is the ref refs/deploy-locks/<environment> (refs/deploy-locks/_global for the global
// one). Creating a ref is atomic on GitHub: of two concurrent creations exactly one gets 201, the other 422
// "Reference already exists". A lock a person takes with /lock points at an annotated tag object whose
// message records who holds it, why and since when. A deployment's own lock is a lightweight ref to the
// commit being deployed (one request instead of two on every deployment); who asked for it is in the
// deployment's payload (app/deploy/lock.ts reads it back when someone needs to be told).
//
// A person's lock record is authenticated as the App's other records kept in refs (app/schedule/record.ts):
// the tag message ends with one hidden marker (`<!-- deploy-action:lock {...} mac=... -->`) MAC'd under the
// App's marker key (src/github/hidden-marker.ts) for the repository and the lock's target (an environment or
// the global lock), over the record itself (holder, reason, time, commit, pull request). Anyone who can push
// can create the ref and a tag naming anyone: such a lock is still held (the ref exists), but its holder is
// unverified (holderUnverified): named as text, never mentioned, and nobody's own lock (nobody deploys through
// it or releases it without --force).
//
// A genuine tag outlives its ref, and its record still verifies: a ref pointed back at the tag of a lock the
// App released would bring back that holder's lock. So a release marks the tag first, with a check run of the
// App's own on its commit (LOCK_RELEASED_NAME; nobody else can write one, edit or delete it), and a verified
// lock whose tag is marked is nobody's (releasedBefore). A tag whose ref was deleted by hand, never released
// through the App, is not marked: pointed at again, it is still its holder's (docs/policy.md says so).
import * as z from 'zod';
import {
  appendMarkers,
  inertJson,
  trailingMarkers,
  verifyMarker,
  writeMarker,
} from '../src/github/hidden-marker.ts';
import type { MarkerScope } from '../src/github/hidden-marker.ts';
import type { MarkerKeys } from '../src/github/marker-keys.ts';
import type { LockTarget } from './commands/command.ts';
import type { GraphqlFn } from '../src/metrics/github-read.ts';
import type { GitRefCalls } from './facts/git-refs.ts';
import { checkRunsThroughSuites, TooManyCheckRuns } from '../src/github/app-check-runs.ts';
import type { CheckSuitesApi, MarkCheckRun } from '../src/github/app-check-runs.ts';
import { jsonOrUndefined } from '../src/util/json-or-undefined.ts';

export const LOCK_REF_PREFIX = 'deploy-locks/';
const GLOBAL_REF = `${LOCK_REF_PREFIX}_global`;
/**
 * The record line versions before the MAC wrote (and this one still writes, for `git show` and for a replica
 * of an older version during an upgrade). Never believed: only the marker is.
 */
const RECORD_MARKER = 'deploy-lock-record: ';
export const LOCK_KIND = 'lock';

/**
 * The check runs that mark a person's lock tag as released by the App (`octokit.rest.checks`): read and
 * written only when the caller names the App (LockMarks).
 */
export interface LockMarksApi {
  checks: CheckSuitesApi<{ id: number; name?: string; external_id: string | null }>['checks'] & {
    create(params: MarkCheckRun): Promise<unknown>;
  };
}

/**
 * The App whose marks of released locks are believed (only it can create a check run under its name). Given,
 * a person's lock whose tag the App marked released reads as put back by hand (releasedBefore), and a release
 * marks the tag before the ref goes.
 */
export interface LockMarks {
  appId: number;
}

/** The Octokit calls locks use (pass `octokit.rest`), so tests can hand in a tiny fake. */
export interface LocksApi {
  /** Needed with LockMarks only. */
  checks?: LockMarksApi['checks'];
  git: Pick<GitRefCalls, 'createTag' | 'createRef' | 'deleteRef' | 'listMatchingRefs'> &
    Partial<Pick<GitRefCalls, 'updateRef'>> & {
      getRef(params: {
        owner: string;
        repo: string;
        ref: string;
      }): Promise<{ data: { ref: string; object: { sha: string; type: string } } }>;
      /** The tag's message, and the commit it points at (a record names it). */
      getTag(params: {
        owner: string;
        repo: string;
        tag_sha: string;
      }): Promise<{ data: { message: string; object?: { sha: string; type: string } } }>;
    };
}

export interface RepoRef {
  owner: string;
  repo: string;
}

/** What a lock records. `holder` is a GitHub login, `deployment` for a deployment's lock, or UNKNOWN_HOLDER. */
export interface LockInfo {
  target: LockTarget;
  holder: string;
  reason?: string;
  /** ISO time the lock was taken (the app's clock; never a commit date). */
  createdAt: string;
  /** Commit the lock's tag points at (e.g. the head commit being deployed). */
  sha: string;
  pullRequest?: number;
  /** A deployment's own lock (a lightweight ref to `sha`), not a person's /lock. */
  deployment?: true;
  /**
   * `holder` is not vouched for: the login of whoever created a deployment the App did not make, or the name
   * in a lock record whose MAC does not verify (written by hand, by a version before records were signed,
   * under a key no longer accepted, or for another repository or target). Named, never mentioned, and nobody
   * holds it: nobody deploys through it or releases it without --force.
   */
  holderUnverified?: true;
  /** A deployment's lock whose deployment (this id) has ended: left behind, or put back by hand. Nobody holds it. */
  endedDeployment?: number;
  /** A deployment's lock with the deployment of its commit that holds it found (deploymentLockOwner): its id. */
  heldByDeployment?: number;
  /**
   * A staging environment's lock held by a deployment to another environment that deploys it first: that
   * environment (its deployment is heldByDeployment).
   */
  heldFor?: string;
  /**
   * A deployment's lock with no deployment of its commit to be found: one being started, or kept by a start that
   * could not tell whether GitHub made its deployment (app/deploy/start.ts), which --force releases if none comes.
   */
  noDeploymentSeen?: true;
  /**
   * A person's lock whose tag the App released before (its mark, lockReleasedName): the ref was pointed back
   * at it by hand. Its record verifies, but nobody holds it (holderUnverified is set too).
   */
  releasedBefore?: true;
}

export type AcquireResult =
  | { status: 'acquired'; lock: LockInfo }
  /** Someone holds it; `sameHolder` is true when it is the requester itself (e.g. a redelivered webhook). */
  | { status: 'already_held'; lock: LockInfo; sameHolder: boolean }
  | { status: 'invalid_environment'; message: string };

export type ReleaseResult =
  | { status: 'released'; lock: LockInfo }
  /**
   * The holder's lock is gone, but a deployment made under it is still running: the ref now points at that
   * deployment's commit, its own lock, which its final status releases (ReleaseOptions.handOver).
   */
  | { status: 'handed_over'; lock: LockInfo; to: { deployment: number; sha: string } }
  /**
   * Nothing written: several deployments made under the holder's lock still run (ReleaseOptions.handOver), and
   * a lock (a ref) can be handed to one of them only: the others would run unlocked once it ended.
   */
  | { status: 'deployments_running'; lock: LockInfo; deployments: number[] }
  | { status: 'not_held' }
  /** Released and taken again by someone else between the read and the delete: the new lock stays. */
  | { status: 'changed'; lock: LockInfo }
  | { status: 'not_owner'; lock: LockInfo }
  | { status: 'invalid_environment'; message: string };

export interface Locks {
  global?: LockInfo;
  /** Environment locks sorted by environment name. */
  environments: LockInfo[];
}

interface HttpError {
  status?: number;
  message?: string;
}

const sameLogin = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/**
 * The holder of a lock whose holder is not known (a ref made by hand, without a record; a lock released
 * before it could be read). It has a space, so no GitHub login (letters, digits and single hyphens) is ever
 * it: nobody holds such a lock, deploys through it or releases it as its holder (only `--force` does), however
 * a user is named. Shown as it is in a message ("locked by someone unknown").
 */
export const UNKNOWN_HOLDER = 'someone unknown';

/**
 * The ref name (without refs/) of a lock. GitHub environment names are case-insensitive, so the ref is
 * lowercase: `Production` and `production` are one lock. Names git cannot store as a ref are refused.
 */
export function lockRefName(target: LockTarget): string | { invalid: string } {
  if (target.scope === 'global') return GLOBAL_REF;
  const env = target.environment.toLowerCase();
  if (
    !/^[a-z0-9][a-z0-9._-]*$/.test(env) ||
    env.includes('..') ||
    env.endsWith('.') ||
    env.endsWith('.lock')
  ) {
    return {
      invalid: `environment name ${JSON.stringify(target.environment)} cannot be locked: git refs cannot hold it (no '..', no trailing '.' or '.lock')`,
    };
  }
  return `${LOCK_REF_PREFIX}${env}`;
}

function targetOfRef(ref: string): LockTarget | undefined {
  const name = ref.replace(/^refs\//, '');
  if (name === GLOBAL_REF) return { scope: 'global' };
  if (!name.startsWith(LOCK_REF_PREFIX)) return undefined;
  return { scope: 'environment', environment: name.slice(LOCK_REF_PREFIX.length) };
}

/** What a lock's MAC binds besides its record: the repository and the lock's target (as GitHub compares it). */
export function lockScope(repository: string, target: LockTarget): MarkerScope {
  return {
    repository,
    subject: JSON.stringify(
      target.scope === 'global'
        ? [LOCK_KIND, 'global']
        : [LOCK_KIND, 'environment', target.environment.toLowerCase()],
    ),
  };
}

/** The record a lock's marker carries. */
const recordSchema = z.strictObject({
  v: z.literal(1),
  holder: z.string().min(1),
  reason: z.string().optional(),
  createdAt: z.string(),
  sha: z.string(),
  pullRequest: z.number().int().positive().optional(),
});

/** Who reads a lock back: the App's marker keys and the repository (`owner/name`) the lock is in. */
export interface LockReader {
  keys: MarkerKeys;
  repository: string;
}

const repositoryOf = (where: RepoRef): string => `${where.owner}/${where.repo}`;

/**
 * The tag message: a human line, the record as JSON (read by versions before the MAC, and by `git show`),
 * then the record again as the marker MAC'd for the repository and the target: the only part believed.
 */
export function lockMessage(lock: LockInfo, reader: LockReader): string {
  const where = lock.target.scope === 'global' ? 'all environments' : lock.target.environment;
  const record: z.input<typeof recordSchema> = {
    v: 1,
    holder: lock.holder,
    ...(lock.reason !== undefined ? { reason: lock.reason } : {}),
    createdAt: lock.createdAt,
    sha: lock.sha.toLowerCase(),
    ...(lock.pullRequest !== undefined ? { pullRequest: lock.pullRequest } : {}),
  };
  const legacy = { ...lock, target: lock.target };
  // Escaped as the marker's JSON (older versions parse it the same): a reason holding `<!-- ... -->`, a whole
  // marker line say, is never in the tag raw.
  const text = `Deploy lock on ${where}, held by ${lock.holder}\n\n${RECORD_MARKER}${inertJson(legacy)}`;
  const marker = writeMarker(LOCK_KIND, record, reader.keys, lockScope(reader.repository, lock.target));
  return `${appendMarkers(text, [marker])}\n`;
}

/** The fields of a record that does not verify, as written; its commit is the one the tag points at. */
function recordFields(raw: unknown, target: LockTarget, sha: string): LockInfo | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const r = raw as Record<string, unknown>;
  const lock: LockInfo = {
    target,
    holder: typeof r.holder === 'string' && r.holder ? r.holder : UNKNOWN_HOLDER,
    createdAt: typeof r.createdAt === 'string' ? r.createdAt : new Date(0).toISOString(),
    sha,
  };
  if (typeof r.reason === 'string') lock.reason = r.reason;
  if (typeof r.pullRequest === 'number') lock.pullRequest = r.pullRequest;
  return lock;
}

/**
 * Reads a lock record back, `sha` being the commit its tag points at. Believed only when its marker verifies
 * under the App's keys for this repository and target, and names that commit. Any other record (no marker, a
 * wrong or moved one, only the unsigned line of an older version) still holds the lock: its holder is named
 * as written but unverified (holderUnverified), and a pull request it names is not repeated. A ref made by
 * hand (no record at all) reads as held by UNKNOWN_HOLDER.
 */
export function parseLockMessage(
  message: string,
  target: LockTarget,
  sha: string,
  reader: LockReader,
): LockInfo {
  const fallback: LockInfo = { target, holder: UNKNOWN_HOLDER, createdAt: new Date(0).toISOString(), sha };
  const markers = trailingMarkers(message, [LOCK_KIND]);
  const scope = lockScope(reader.repository, target);
  if (markers.length === 1 && verifyMarker(markers[0]!, reader.keys.accepted, scope)) {
    const parsed = recordSchema.safeParse(jsonOrUndefined(markers[0]!.json));
    if (parsed.success && parsed.data.sha === sha.toLowerCase()) {
      const d = parsed.data;
      const lock: LockInfo = { target, holder: d.holder, createdAt: d.createdAt, sha: d.sha };
      if (d.reason !== undefined) lock.reason = d.reason;
      if (d.pullRequest !== undefined) lock.pullRequest = d.pullRequest;
      return lock;
    }
  }
  // Not the App's record for this lock: what it says is shown, never believed.
  const line = message.split('\n').find((l) => l.startsWith(RECORD_MARKER));
  const written =
    markers.length > 0
      ? recordFields(jsonOrUndefined(markers[markers.length - 1]!.json), target, sha)
      : line
        ? recordFields(jsonOrUndefined(line.slice(RECORD_MARKER.length)), target, sha)
        : undefined;
  if (!written) return fallback;
  const { pullRequest: _unsaid, ...rest } = written;
  return { ...rest, holderUnverified: true };
}

/** The lock at `refName` and the object its ref points at (what a conditional delete compares with). */
async function readLockRef(
  api: LocksApi,
  where: RepoRef,
  keys: MarkerKeys,
  refName: string,
  target: LockTarget,
  marks?: LockMarks,
): Promise<{ lock: LockInfo; oid: string } | undefined> {
  let object: { sha: string; type: string };
  try {
    ({ object } = (await api.git.getRef({ ...where, ref: refName })).data);
  } catch (error) {
    if ((error as HttpError).status === 404) return undefined;
    throw error;
  }
  return {
    lock: await lockFromObject(api, where, keys, target, object, marks),
    oid: object.sha.toLowerCase(),
  };
}

async function readLock(
  api: LocksApi,
  where: RepoRef,
  keys: MarkerKeys,
  refName: string,
  target: LockTarget,
  marks?: LockMarks,
): Promise<LockInfo | undefined> {
  return (await readLockRef(api, where, keys, refName, target, marks))?.lock;
}

/** The check run the App leaves on a lock tag's commit as it releases that tag (one name for every lock). */
export const LOCK_RELEASED_NAME = 'deploy lock released';
const releasedId = (tag: string): string => `deploy-lock-released:${tag.toLowerCase()}`;
/** Marks read at most on one commit: more is not read, and the lock is then believed by nobody. */
const MAX_RELEASED_MARKS = 100;

function marksApi(api: LocksApi): LockMarksApi {
  if (!api.checks) throw new Error('reading lock marks needs the checks API');
  return { checks: api.checks };
}

/**
 * Whether the App marked the lock tag `tag` (on `sha`) released: anyone who can push can point the ref back
 * at a tag the App wrote, and its record still verifies, so a lock the App released would come back as its
 * holder's. Only check runs GitHub says the App created are read. Past MAX_RELEASED_MARKS: taken as marked.
 */
async function releasedByApp(
  api: LocksApi,
  where: RepoRef,
  marks: LockMarks,
  sha: string,
  tag: string,
): Promise<boolean> {
  try {
    const { runs } = await checkRunsThroughSuites(marksApi(api), where, {
      sha,
      name: LOCK_RELEASED_NAME,
      appId: marks.appId,
      maxRuns: MAX_RELEASED_MARKS,
    });
    return runs.some((r) => r.external_id === releasedId(tag));
  } catch (error) {
    if (error instanceof TooManyCheckRuns) return true;
    throw error;
  }
}

/** Leaves the App's mark that lock tag `tag` (on `sha`) is released: written before its ref is deleted. */
async function markReleased(api: LocksApi, where: RepoRef, lock: LockInfo, tag: string): Promise<void> {
  const on = lock.target.scope === 'global' ? 'all environments' : lock.target.environment;
  await marksApi(api).checks.create({
    ...where,
    name: LOCK_RELEASED_NAME,
    head_sha: lock.sha,
    external_id: releasedId(tag),
    status: 'completed',
    conclusion: 'neutral',
    output: {
      title: `Lock on ${on} released`,
      summary: `The deploy App released the lock on ${on} held by ${lock.holder} (tag ${tag.toLowerCase()}). A lock ref pointed at that tag again is nobody's.`,
    },
  });
}

async function lockFromObject(
  api: LocksApi,
  where: RepoRef,
  keys: MarkerKeys,
  target: LockTarget,
  object: { sha: string; type: string },
  marks?: LockMarks,
): Promise<LockInfo> {
  if (object.type === 'commit')
    return { target, holder: 'deployment', createdAt: '', sha: object.sha, deployment: true };
  if (object.type !== 'tag')
    return parseLockMessage('', target, object.sha, { keys, repository: repositoryOf(where) });
  const { data } = await api.git.getTag({ ...where, tag_sha: object.sha });
  // The commit the tag points at: a record naming another was moved here. (A tag of a tag names none.)
  const commit = data.object?.type === 'commit' ? data.object.sha : '';
  const lock = parseLockMessage(data.message, target, commit, { keys, repository: repositoryOf(where) });
  if (lock.holderUnverified || !marks || !(await releasedByApp(api, where, marks, commit, object.sha)))
    return lock;
  const { pullRequest: _unsaid, ...rest } = lock;
  return { ...rest, holderUnverified: true, releasedBefore: true };
}

const isAlreadyExists = (error: unknown): boolean =>
  (error as HttpError).status === 422 && /already exists/i.test((error as HttpError).message ?? '');

/** A failed request GitHub may have carried out all the same: its answer lost (a 5xx, or no answer). */
export const answerLost = (error: unknown): boolean => ((error as HttpError).status ?? 0) >= 500;

/** Where `refName` points now; undefined when it does not exist. */
async function refObject(
  api: LocksApi,
  where: RepoRef,
  refName: string,
): Promise<{ sha: string; type: string } | undefined> {
  try {
    return (await api.git.getRef({ ...where, ref: refName })).data.object;
  } catch (error) {
    if ((error as HttpError).status === 404) return undefined;
    throw error;
  }
}

/**
 * Pure: what a lock ref create whose answer was lost left, read back (`now`: where the ref points, undefined
 * when it is not there): `made` when it points at what the create wrote, `not_made` when it is not there,
 * `other` when it points elsewhere (someone else's lock, taken meanwhile).
 */
export function lostCreate(
  now: { sha: string; type: string } | undefined,
  wrote: { sha: string; type: 'tag' | 'commit' },
): 'made' | 'not_made' | 'other' {
  if (!now) return 'not_made';
  return now.type === wrote.type && now.sha.toLowerCase() === wrote.sha.toLowerCase() ? 'made' : 'other';
}

const isMissingRef = (error: unknown): boolean =>
  (error as HttpError).status === 422 && /does not exist/i.test((error as HttpError).message ?? '');

export interface AcquireOptions {
  target: LockTarget;
  holder: string;
  /** An existing commit for the lock's tag to point at (the head being deployed, or the default branch's head). */
  sha: string;
  reason?: string;
  pullRequest?: number;
  now?: () => Date;
}

/** Takes a lock: two requests (tag object, ref); on contention, two more to say who holds it. */
export async function acquireLock(
  api: LocksApi,
  where: RepoRef,
  keys: MarkerKeys,
  options: AcquireOptions,
  marks?: LockMarks,
): Promise<AcquireResult> {
  const refName = lockRefName(options.target);
  if (typeof refName !== 'string') return { status: 'invalid_environment', message: refName.invalid };
  const lock: LockInfo = {
    target: options.target,
    holder: options.holder,
    createdAt: (options.now ?? (() => new Date()))().toISOString(),
    sha: options.sha,
  };
  if (options.reason !== undefined) lock.reason = options.reason;
  if (options.pullRequest !== undefined) lock.pullRequest = options.pullRequest;
  const tag = await api.git.createTag({
    ...where,
    tag: refName.replace(/\//g, '-'),
    message: lockMessage(lock, { keys, repository: repositoryOf(where) }),
    object: options.sha,
    type: 'commit',
  });
  try {
    await api.git.createRef({ ...where, ref: `refs/${refName}`, sha: tag.data.sha });
    return { status: 'acquired', lock };
  } catch (error) {
    // A create whose answer was lost is read back: the tag is this call's own, so the ref at it is ours.
    const left = answerLost(error)
      ? lostCreate(await refObject(api, where, refName), { sha: tag.data.sha, type: 'tag' })
      : undefined;
    if (left === 'made') return { status: 'acquired', lock };
    if (left === 'not_made' || (left === undefined && !isAlreadyExists(error))) throw error;
  }
  const held = await readLock(api, where, keys, refName, options.target, marks);
  // Released between our create and read: report it as held by nobody we can name rather than retry forever.
  if (!held) return { status: 'already_held', lock: { ...lock, holder: UNKNOWN_HOLDER }, sameHolder: false };
  return {
    status: 'already_held',
    lock: held,
    // A deployment's lock is nobody's, whatever a person's login is (`deployment`); nor is one whose record
    // does not verify, whoever it names.
    sameHolder: !held.deployment && !held.holderUnverified && sameLogin(held.holder, options.holder),
  };
}

export type DeploymentLockResult =
  /**
   * `readBack`: GitHub's answer to the create was lost and the ref was found at the commit: this call's, or a
   * lock another start of the same commit holds (the ref names the commit only). The caller tells them apart.
   */
  | { status: 'acquired'; readBack?: true }
  | { status: 'already_held'; lock: LockInfo }
  | { status: 'invalid_environment'; message: string };

/**
 * Takes an environment's lock for a deployment of `sha`: one request, a lightweight ref to the commit. On
 * contention one more request says what holds it.
 */
export async function acquireDeploymentLock(
  api: LocksApi,
  where: RepoRef,
  keys: MarkerKeys,
  options: { environment: string; sha: string },
  marks?: LockMarks,
): Promise<DeploymentLockResult> {
  const target: LockTarget = { scope: 'environment', environment: options.environment };
  const refName = lockRefName(target);
  if (typeof refName !== 'string') return { status: 'invalid_environment', message: refName.invalid };
  try {
    await api.git.createRef({ ...where, ref: `refs/${refName}`, sha: options.sha });
    return { status: 'acquired' };
  } catch (error) {
    // A create whose answer was lost is read back. Taken for anything else, a ref GitHub made for this call
    // would hold the environment for a deployment never made, until --force. The ref names the commit only,
    // so the lock of another deployment of the same commit reads as ours too: `readBack` asks the caller to
    // look for one that runs (startDeployment).
    const left = answerLost(error)
      ? lostCreate(await refObject(api, where, refName), { sha: options.sha, type: 'commit' })
      : undefined;
    if (left === 'made') return { status: 'acquired', readBack: true };
    if (left === 'not_made' || (left === undefined && !isAlreadyExists(error))) throw error;
  }
  const held = await readLock(api, where, keys, refName, target, marks);
  return {
    status: 'already_held',
    lock: held ?? { target, holder: UNKNOWN_HOLDER, createdAt: '', sha: options.sha },
  };
}

export interface ReleaseOptions {
  target: LockTarget;
  /** Who asks; only the holder may release unless `force` (the caller decides who may force). */
  requester: string;
  force?: boolean;
  /**
   * GitHub's GraphQL API and the repository's node id: the ref is then deleted only if it still points at
   * the lock that was read (updateRefs with beforeOid). Without them, a REST delete.
   */
  conditional?: { graphql: GraphqlFn; repositoryId: string };
  /**
   * A person's lock is theirs to deploy under (blockingLock): released while such a deployment still runs, the
   * environment would be open to a second deployment beside it. Asked, for a lock its holder (not --force)
   * releases, which deployments made under it still run (newest first). One: the ref is moved to its commit,
   * as its own lock, instead of deleted. Several: nothing is written (deployments_running).
   */
  handOver?: (held: LockInfo) => Promise<Array<{ deployment: number; sha: string }>>;
}

const MOVE_REF_IF_AT = `mutation MoveRefIfAt($repositoryId: ID!, $name: GitRefname!, $before: GitObjectID!, $after: GitObjectID!) {
  updateRefs(input: { repositoryId: $repositoryId, refUpdates: [{ name: $name, beforeOid: $before, afterOid: $after, force: true }] }) {
    clientMutationId
  }
}`;

const ZERO_OID = '0'.repeat(40);
const DELETE_REF_IF_AT = `mutation DeleteRefIfAt($repositoryId: ID!, $name: GitRefname!, $before: GitObjectID!) {
  updateRefs(input: { repositoryId: $repositoryId, refUpdates: [{ name: $name, beforeOid: $before, afterOid: "${ZERO_OID}" }] }) {
    clientMutationId
  }
}`;

/** GitHub's GraphQL API and the repository's node id: what a conditional ref delete needs. */
export type ConditionalDelete = NonNullable<ReleaseOptions['conditional']>;

/**
 * Deletes `refs/<refName>` only if it still points at `oid` (updateRefs with beforeOid: GitHub's REST API has
 * no conditional delete). Throws when GitHub refuses, whatever the reason: the caller reads the ref again to
 * tell a ref gone or moved on from a real failure.
 */
export async function deleteRefIfAt(
  conditional: ConditionalDelete,
  refName: string,
  oid: string,
): Promise<void> {
  await conditional.graphql(DELETE_REF_IF_AT, {
    repositoryId: conditional.repositoryId,
    name: `refs/${refName}`,
    before: oid,
  });
}

/**
 * Pure: whether `requester` may release `held` without --force. Its holder by name may: a running deployment's
 * lock and a record that does not verify name nobody. So may the holder a lock the App marked released still
 * names (releasedBefore): an /unlock whose mark was written but whose delete GitHub failed leaves it so, and
 * its holder must be able to finish it; a ref pointed back at the tag by hand gives them nothing more by it
 * (they neither deploy through it nor are named its holder), and anyone who can push could delete it anyway.
 */
export function mayRelease(held: LockInfo, requester: string): boolean {
  if (held.deployment || !sameLogin(held.holder, requester)) return false;
  return !held.holderUnverified || held.releasedBefore === true;
}

/**
 * Releases a lock. With `conditional`, the ref is deleted only if it still points at the lock read (the holder
 * was checked on it): a lock released and taken again by someone else meanwhile stays, and the answer says
 * who holds it now. Without it (GitHub's REST API has no conditional delete), the window between the read
 * and the delete is two requests wide.
 */
export async function releaseLock(
  api: LocksApi,
  where: RepoRef,
  keys: MarkerKeys,
  options: ReleaseOptions,
  marks?: LockMarks,
): Promise<ReleaseResult> {
  const refName = lockRefName(options.target);
  if (typeof refName !== 'string') return { status: 'invalid_environment', message: refName.invalid };
  const read = await readLockRef(api, where, keys, refName, options.target, marks);
  if (!read) return { status: 'not_held' };
  const held = read.lock;
  // A running deployment's lock is released by its final status, or with --force: its holder `deployment`
  // is no login, even when someone's login is that word (as blockingLock). Nor is a holder whose record does
  // not verify anyone's: only --force releases that lock (mayRelease).
  if (!options.force && !mayRelease(held, options.requester)) return { status: 'not_owner', lock: held };
  // Asked before anything is written: a deployment made under the lock that still runs keeps it, as its own.
  // Of several, whichever took it would release it at its end beside the others, still running: it stays.
  const running = options.handOver && !options.force ? await options.handOver(held) : [];
  if (running.length > 1)
    return { status: 'deployments_running', lock: held, deployments: running.map((r) => r.deployment) };
  const to = running[0];
  // A lock that names its holder is marked released first: its tag pointed at again is then nobody's. (Marked
  // and not deleted, it still holds, by nobody: its holder's next /unlock, or --force, releases it.)
  if (marks && !held.deployment && !held.holderUnverified) await markReleased(api, where, held, read.oid);
  if (to) {
    if (options.conditional) {
      try {
        await options.conditional.graphql(MOVE_REF_IF_AT, {
          repositoryId: options.conditional.repositoryId,
          name: `refs/${refName}`,
          before: read.oid,
          after: to.sha,
        });
      } catch (error) {
        const now = await readLockRef(api, where, keys, refName, options.target, marks);
        if (!now) return { status: 'not_held' };
        // Moved as asked, the answer lost.
        if (now.oid === to.sha.toLowerCase()) return { status: 'handed_over', lock: held, to };
        if (now.oid !== read.oid) return { status: 'changed', lock: now.lock };
        throw error;
      }
    } else {
      if (!api.git.updateRef) throw new Error('handing a lock over needs the git updateRef call');
      // force: from the tag to a commit is no fast-forward.
      await api.git.updateRef({ ...where, ref: refName, sha: to.sha, force: true });
    }
    return { status: 'handed_over', lock: held, to };
  }
  if (options.conditional) {
    try {
      await deleteRefIfAt(options.conditional, refName, read.oid);
    } catch (error) {
      // Refused: find out why. Gone, or another lock now: not ours to delete. Unchanged: a real failure. Gone
      // after an answer lost: this delete's, most likely, and released either way (the queue behind it may go).
      const now = await readLockRef(api, where, keys, refName, options.target, marks);
      if (!now) return answerLost(error) ? { status: 'released', lock: held } : { status: 'not_held' };
      if (now.oid !== read.oid) return { status: 'changed', lock: now.lock };
      throw error;
    }
    return { status: 'released', lock: held };
  }
  try {
    await api.git.deleteRef({ ...where, ref: refName });
  } catch (error) {
    if (isMissingRef(error) || (error as HttpError).status === 404) return { status: 'not_held' };
    throw error;
  }
  return { status: 'released', lock: held };
}

/** The global lock, if held: one request, and one more for its record when it is. */
export async function readGlobalLock(
  api: LocksApi,
  where: RepoRef,
  keys: MarkerKeys,
  marks?: LockMarks,
): Promise<LockInfo | undefined> {
  return readLock(api, where, keys, GLOBAL_REF, { scope: 'global' }, marks);
}

/** Every lock of the repository: one listing plus one read per lock. */
export async function readLocks(
  api: LocksApi,
  where: RepoRef,
  keys: MarkerKeys,
  marks?: LockMarks,
): Promise<Locks> {
  const out = await locksWhere(api, where, keys, () => true, marks);
  out.environments.sort((a, b) => envOf(a).localeCompare(envOf(b)));
  return out;
}

/** The locks whose ref name (without `refs/`) `keep` takes: one listing plus one read per lock taken. */
async function locksWhere(
  api: LocksApi,
  where: RepoRef,
  keys: MarkerKeys,
  keep: (name: string) => boolean,
  marks?: LockMarks,
): Promise<Locks> {
  // matching-refs is not paginated: GitHub returns every matching ref at once.
  const { data: refs } = await api.git.listMatchingRefs({ ...where, ref: LOCK_REF_PREFIX });
  const out: Locks = { environments: [] };
  for (const { ref, object } of refs) {
    const target = targetOfRef(ref);
    if (!target || !keep(ref.replace(/^refs\//, ''))) continue;
    const lock = await lockFromObject(api, where, keys, target, object, marks);
    if (target.scope === 'global') out.global = lock;
    else out.environments.push(lock);
  }
  return out;
}

/**
 * The locks that bear on deploying to `environment`: the global lock and that environment's own. One listing,
 * and one more read for each of those two held by a person (a tag); other environments' locks are not read.
 */
export async function readLocksFor(
  api: LocksApi,
  where: RepoRef,
  keys: MarkerKeys,
  environment: string,
  marks?: LockMarks,
): Promise<Locks> {
  const own = lockRefName({ scope: 'environment', environment });
  return locksWhere(api, where, keys, (name) => name === GLOBAL_REF || name === own, marks);
}

const envOf = (lock: LockInfo): string =>
  lock.target.scope === 'environment' ? lock.target.environment : '';

/**
 * Pure: the lock that stops `holder` from deploying to `environment`, if any. The global lock stops
 * everyone, its own holder included (it is a freeze); an environment lock stops everyone but its holder (one
 * whose holder is unverified stops everyone, whoever it names); a running deployment's lock stops everyone.
 */
export function blockingLock(locks: Locks, environment: string, holder: string): LockInfo | undefined {
  if (locks.global) return locks.global;
  const env = environment.toLowerCase();
  const lock = locks.environments.find((l) => envOf(l) === env);
  return lock && (lock.deployment || lock.holderUnverified || !sameLogin(lock.holder, holder))
    ? lock
    : undefined;
}
