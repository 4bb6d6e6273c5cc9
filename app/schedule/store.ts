// Where scheduled and queued requests live on GitHub (record.ts says what is in them): one ref per request,
// listed with one request for the whole repository, so checking for due requests on every trigger costs one
// request when there are none. Claims are refs too: creating a ref is atomic on GitHub, so of two replicas
// (or a redelivery, or a /cancel-deploy racing the start) exactly one starts or cancels a request.
//
// Refs are no record that a request ENDED: anyone who can push can delete a ref, or create one again pointing
// at the signed tag of a request that was started, refused or cancelled (the tag object outlives its ref, and
// its MAC still verifies: same repository, environment, id and commit). So a request that ends leaves a check
// run of the App's own on its commit (`deploy schedule: <id>`, completed): nobody else can create one under
// the App's name, edit it or delete it, and a request found with one is never acted on again (run-due.ts).
import { checkRunsThroughSuites, TooManyCheckRuns } from '../../src/github/app-check-runs.ts';
import type { CheckSuitesApi, MarkCheckRun } from '../../src/github/app-check-runs.ts';
import type { MarkerKeys } from '../../src/github/marker-keys.ts';
import {
  askRefName,
  claimRefName,
  readScheduleMessage,
  refParts,
  SCHEDULE_REF_PREFIX,
  scheduleMessage,
  scheduleRefName,
} from './record.ts';
import type { ScheduledRequest } from './record.ts';
import type { GitRefCalls } from '../facts/git-refs.ts';
import { createdByApp, type OwnApp } from '../facts/deployments.ts';
import { commentDedupeKey, findByDedupeKey } from '../../src/github/deployments.ts';
import type { DeploymentsApi } from '../../src/github/deployments.ts';
import type { SwapRef } from './swap-ref.ts';
import { dropClaim, takeClaim } from '../facts/claim-ref.ts';
import type { LeftClaim } from '../facts/claim-ref.ts';

export type { SwapRef };

/** The Octokit calls the store uses (pass `octokit.rest`), so tests can hand in a tiny fake. */
export interface ScheduleApi {
  git: Pick<GitRefCalls, 'createTag' | 'createRef' | 'getRef' | 'deleteRef' | 'listMatchingRefs'> & {
    getTag(params: {
      owner: string;
      repo: string;
      tag_sha: string;
    }): Promise<{ data: { message: string; object: { sha: string; type: string } } }>;
  };
}

/** The check runs that mark a request as ended (`octokit.rest.checks`). */
export interface EndedApi {
  checks: CheckSuitesApi<EndedRun>['checks'] & {
    create(params: MarkCheckRun): Promise<unknown>;
  };
}

interface EndedRun {
  id: number;
  name: string;
  external_id: string | null;
  app: { id: number } | null;
  output?: { title?: string | null } | null;
}

interface Where {
  owner: string;
  repo: string;
}

const status = (error: unknown): number | undefined => (error as { status?: number }).status;
const message = (error: unknown): string => (error as { message?: string }).message ?? '';
const alreadyExists = (error: unknown): boolean =>
  status(error) === 422 && /already exists/i.test(message(error));
const gone = (error: unknown): boolean =>
  status(error) === 404 || (status(error) === 422 && /does not exist/i.test(message(error)));

export interface RefusedRecord {
  ref: string;
  code: 'schedule_forged' | 'schedule_corrupt';
  reason: string;
}

export interface ScheduleList {
  requests: ScheduledRequest[];
  /** The tag each listed request is stored in, by request id. */
  tags: Map<string, string>;
  /** Refs under refs/deploy-schedule/ that are not a request the App wrote: never acted on, reported. */
  refused: RefusedRecord[];
}

/** Every request of the repository: one listing, and one read per request. */
export async function listRequests(api: ScheduleApi, where: Where, keys: MarkerKeys): Promise<ScheduleList> {
  // matching-refs is not paginated: GitHub returns every matching ref at once.
  const { data: refs } = await api.git.listMatchingRefs({ ...where, ref: SCHEDULE_REF_PREFIX });
  const out: ScheduleList = { requests: [], tags: new Map(), refused: [] };
  const repository = `${where.owner}/${where.repo}`;
  await Promise.all(
    refs.map(async ({ ref, object }) => {
      const parts = refParts(ref);
      if (!parts || object.type !== 'tag') {
        out.refused.push({ ref, code: 'schedule_forged', reason: 'not a request the App wrote' });
        return;
      }
      let tag;
      try {
        ({ data: tag } = await api.git.getTag({ ...where, tag_sha: object.sha }));
      } catch (error) {
        if (gone(error)) return;
        throw error;
      }
      const read = readScheduleMessage(tag.message, keys, {
        repository,
        ...parts,
        taggedSha: tag.object.type === 'commit' ? tag.object.sha : '',
      });
      if (read.ok) {
        out.requests.push(read.request);
        out.tags.set(read.request.id, object.sha);
      } else out.refused.push({ ref, code: read.code, reason: read.reason });
    }),
  );
  return out;
}

/**
 * recorded: written, and it is the one request asking for its deployment. duplicate: written, but another
 * request asking for the same deployment holds the ask (written at the same instant by another delivery or
 * replica): the caller withdraws this one. already_recorded: this request id was written before (a
 * redelivered comment).
 */
export type RecordResult =
  | 'recorded'
  /**
   * Written, but its ask is held by a request that has ended, and without `swap` it cannot be taken over
   * safely (GitHub's REST API has no conditional update, swap-ref.ts): this request stands without it.
   */
  | 'recorded_stale_ask'
  | 'already_recorded'
  | 'invalid_environment'
  | { status: 'duplicate'; of: ScheduledRequest };

/**
 * Writes a request: its signed tag on the commit, then its ref (a request id is written once), then the ref
 * of what it asks for (askRefName), which only one request at a time holds. Listing the requests before
 * writing finds one written earlier; this finds one written at the same instant, which a listing cannot
 * (each of two deliveries lists before the other writes). An ask ref whose request is gone (it ended and the
 * ref was left: a crash) is taken over with `swap`, from the tag read to this request's: of two requests
 * taking over the same stale ask at once, one moves it and the other finds it moved, held by the first.
 * Without `swap` (no conditional ref update available) a stale ask is left as it is and the request stands:
 * a delete then a create would let both of two such requests hold it, one after the other.
 */
export async function recordRequest(
  api: ScheduleApi,
  where: Where,
  keys: MarkerKeys,
  request: ScheduledRequest,
  swap?: SwapRef,
): Promise<RecordResult> {
  const ref = scheduleRefName(request.environment, request.id);
  if (!ref) return 'invalid_environment';
  const tag = await api.git.createTag({
    ...where,
    tag: ref.replace(/\//g, '-'),
    message: scheduleMessage(request, keys, `${where.owner}/${where.repo}`),
    object: request.sha,
    type: 'commit',
  });
  try {
    await api.git.createRef({ ...where, ref: `refs/${ref}`, sha: tag.data.sha });
  } catch (error) {
    if (alreadyExists(error)) return 'already_recorded';
    throw error;
  }
  for (let attempt = 0; attempt < 3; attempt++) {
    const holder = await holdAsk(api, where, keys, request, tag.data.sha);
    if (holder.status === 'held') return 'recorded';
    if (holder.status === 'other') return { status: 'duplicate', of: holder.request };
    // Gone between the create and the read: created again on the next turn.
    if (holder.sha === undefined) continue;
    if (!swap) return 'recorded_stale_ask';
    // Stale: the ref names no request that is still there. Taken over only if it still names that tag.
    if (await swap(`refs/${askRefName(request)}`, holder.sha, tag.data.sha)) return 'recorded';
  }
  // Moved under it three times (someone keeps writing it): the request stands; the listing before writing
  // still holds.
  return 'recorded';
}

type AskHolder =
  | { status: 'held' }
  | { status: 'other'; request: ScheduledRequest }
  /** The tag the ask names, whose request is no longer listed; undefined: the ask is gone. */
  | { status: 'stale'; sha: string | undefined };

async function holdAsk(
  api: ScheduleApi,
  where: Where,
  keys: MarkerKeys,
  request: ScheduledRequest,
  tagSha: string,
): Promise<AskHolder> {
  const ask = askRefName(request);
  try {
    await api.git.createRef({ ...where, ref: `refs/${ask}`, sha: tagSha });
    return { status: 'held' };
  } catch (error) {
    if (!alreadyExists(error)) throw error;
  }
  let held: string;
  try {
    held = (await api.git.getRef({ ...where, ref: ask })).data.object.sha;
  } catch (error) {
    if (gone(error)) return { status: 'stale', sha: undefined };
    throw error;
  }
  if (held === tagSha) return { status: 'held' };
  // Whose it is: a request still listed, verified, stored in that very tag. Its ref is written before its
  // ask, so a holder that is not listed has ended.
  const list = await listRequests(api, where, keys);
  const holder = list.requests.find((r) => list.tags.get(r.id) === held);
  if (!holder) return { status: 'stale', sha: held };
  return holder.id === request.id ? { status: 'held' } : { status: 'other', request: holder };
}
/**
 * Who holds `request`'s ask (the one request of its deployment that may start). own: `request` does, so it
 * may start. other: another request, listed and verified, does: `request` is a duplicate. unknown: the ask
 * names a tag of no request listed, even listed again now (a holder recorded after `list` was read and gone
 * since, or an ask left by a request that ended): `request` is not started now, the next trigger looks again.
 * An ask nobody holds is taken for `request` first (a request listed between writing its ref and its ask,
 * say), so of two requests for one deployment only one ever gets past this. stale: the ask names a request
 * that has ended and `request` is the first asked of those listed under it; with `swap` it is taken over
 * first (own), so stale is only answered without one.
 */
export type AskHolding =
  | { status: 'own' }
  | { status: 'other'; holder: ScheduledRequest }
  /** The ask names a request that is not listed even when read again: it ended (a crash left its ask). */
  | { status: 'stale'; held: string }
  | { status: 'unknown'; held: string | undefined };

export async function askHolding(
  api: ScheduleApi,
  where: Where,
  keys: MarkerKeys,
  request: ScheduledRequest,
  list: ScheduleList,
  swap?: SwapRef,
): Promise<AskHolding> {
  const holding = await askHoldingOnce(api, where, keys, request, list);
  const own = list.tags.get(request.id);
  if (holding.status !== 'stale' || !swap || own === undefined) return holding;
  // A stale ask is taken over before the request starts, by the same compare-and-swap as recordRequest's:
  // from the tag read to this request's. Of a due check and a request being recorded (or two due checks)
  // taking it over at once exactly one moves it; the other reads it again and finds who holds it now.
  if (await swap(`refs/${askRefName(request)}`, holding.held, own)) return { status: 'own' };
  const again = await askHoldingOnce(api, where, keys, request, await listRequests(api, where, keys));
  // Moved to another stale tag meanwhile (a takeover that ended already): never started on a guess.
  return again.status === 'stale' ? { status: 'unknown', held: again.held } : again;
}

async function askHoldingOnce(
  api: ScheduleApi,
  where: Where,
  keys: MarkerKeys,
  request: ScheduledRequest,
  list: ScheduleList,
): Promise<AskHolding> {
  const ask = askRefName(request);
  const own = list.tags.get(request.id);
  const read = async (): Promise<string | undefined> => {
    try {
      return (await api.git.getRef({ ...where, ref: ask })).data.object.sha;
    } catch (error) {
      if (gone(error)) return undefined;
      throw error;
    }
  };
  let held = await read();
  if (held === undefined && own !== undefined) {
    try {
      await api.git.createRef({ ...where, ref: `refs/${ask}`, sha: own });
      return { status: 'own' };
    } catch (error) {
      if (!alreadyExists(error)) throw error;
    }
    held = await read();
  }
  // Written and deleted again between our create and read: whoever it was, look again on the next trigger.
  if (held === undefined) return { status: 'unknown', held };
  if (held === own) return { status: 'own' };
  const holderIn = (l: ScheduleList): ScheduledRequest | undefined =>
    l.requests.find((r) => l.tags.get(r.id) === held);
  // `list` was read before this request was claimed: a request of the same deployment recorded at the same
  // instant may have taken the ask since, its ref written after that listing. Listed again, it is found.
  // Not listed when read again: a request's ref is written before its ask, so a holder that is not listed
  // now has ended and its ask was left behind (a crash). Stale: it must not keep the queue waiting forever.
  const fresh = holderIn(list) ? list : await listRequests(api, where, keys);
  const holder = holderIn(fresh);
  if (holder) return holder.id === request.id ? { status: 'own' } : { status: 'other', holder };
  // Of several listed requests under one stale ask, only the first asked stands (every caller picks the same
  // one; its claim lets one caller start it): the others are duplicates of it, not starts of their own.
  const first = fresh.requests
    .filter((r) => askRefName(r) === ask)
    .sort(
      (a, b) =>
        a.requestedAt.getTime() - b.requestedAt.getTime() ||
        a.id.localeCompare(b.id, 'en', { numeric: true }),
    )[0];
  return first && first.id !== request.id ? { status: 'other', holder: first } : { status: 'stale', held };
}

/**
 * Whether `request`, marked as started, was kept listed by its due check until its identical requests are
 * withdrawn (run-due.ts), rather than its ref being put back after it ended: its ask names its own tag (in
 * `list`), or, started beside a stale ask it could not take over (no `swap`: askHolding answered stale), the ask
 * names no other listed request and identical requests are listed (each would deploy the same commit again).
 * An ask another listed request holds says this one ended before that was asked. Reads only, never takes it.
 */
export async function keptForIdentical(
  api: ScheduleApi,
  where: Where,
  request: ScheduledRequest,
  list: ScheduleList,
): Promise<boolean> {
  const own = list.tags.get(request.id);
  if (own === undefined) return false;
  const held = await refSha(api, where, askRefName(request));
  if (held === own) return true;
  const others = list.requests.filter((r) => r.id !== request.id);
  if (held !== undefined && others.some((r) => list.tags.get(r.id) === held)) return false;
  return others.some((r) => askRefName(r) === askRefName(request));
}

/**
 * A claim held this long is taken to be left behind (its holder died mid-start or mid-cancel, or GitHub refused
 * its removal) and is taken over by the next caller that finds it. Starting a request is a handful of requests
 * to GitHub (seconds); cancelling one, fewer. But nothing bounds a caller hard: a request is cut only after 5
 * minutes without a byte (http-fetch.ts), and a rate limit is waited out. 15 minutes is past any start not held
 * up twice that way, past the longest an AWS Lambda invocation runs (so a Lambda holder is surely gone) and far
 * past a replica's stop grace (25 s); the reconcile workflow runs every 10 minutes, so a queue held up by a
 * claim left behind moves on within about 25 minutes instead of never. A start slower still may meet its taker:
 * neither starts the request twice (the taker finds its deployment by its de-duplication key before deciding,
 * startDeployment looks again, and the environment lock lets one of two starts through).
 */
export const SCHEDULE_CLAIM_STALE_MS = 15 * 60_000;

/** How a caller claims requests (claimRequest). */
export interface Claimer {
  /** The App's marker keys: the claim's tag is MAC'd with them, and only such a claim holds a request. */
  keys: MarkerKeys;
  /** The claim's time, and a found claim's age. */
  now: () => Date;
  /**
   * The conditional ref update (swap-ref.ts) a claim left behind is taken over with. Without it a claim found
   * held is never taken over (as before claims aged: a delete then a create would let two callers both hold it).
   */
  swap?: SwapRef;
  /** Told of a claim taken over: left behind (`stale`, `ahead`) or not the App's (its reason). */
  tookOver?: (request: ScheduledRequest, found: LeftClaim) => void;
}

/**
 * The claims this process holds, by the request object each was made for (the one the caller then passes to
 * releaseClaim, removeRequest or forgetRequest): its tag, so a claim is given back only while it still names it.
 * A holder that outlived SCHEDULE_CLAIM_STALE_MS never frees the claim of the caller that took it over.
 */
const heldClaims = new WeakMap<ScheduledRequest, { tag: string; swap?: SwapRef }>();

/**
 * Claims a request so this caller alone starts or cancels it: true when this call holds the claim. The claim
 * ref points at a tag of the App's that says since when (facts/claim-ref.ts); one found held longer than
 * SCHEDULE_CLAIM_STALE_MS, or not the App's (anyone with push access can create the ref), is taken over with
 * `claimer.swap`: of two callers taking it over at once one holds it. An older version's claim (a lightweight
 * ref straight at the request's commit, no tag) is not taken over at once: a replica of that version may be
 * starting the request under it during a rolling upgrade. It is moved to a claim of the App's dated now, which
 * nobody acts under, and taken over once that is stale. The claim is then checked against the request's ref: a
 * claim made after another caller finished (it removes the request, then its claim) finds the request gone,
 * gives the claim back and returns false.
 */
export async function claimRequest(
  api: ScheduleApi,
  where: Where,
  request: ScheduledRequest,
  claimer: Claimer,
): Promise<boolean> {
  const taken = await takeClaim(
    api.git,
    where,
    { keys: claimer.keys, repository: `${where.owner}/${where.repo}` },
    {
      ref: claimRefName(request.id),
      sha: request.sha,
      staleMs: SCHEDULE_CLAIM_STALE_MS,
      label: 'deploy-schedule claim',
      now: claimer.now(),
      ...(claimer.swap ? { swap: claimer.swap } : {}),
      adopt: (held) => held.type === 'commit' && held.sha.toLowerCase() === request.sha.toLowerCase(),
    },
  );
  if (taken.status !== 'taken') return false;
  if (taken.tookOver) claimer.tookOver?.(request, taken.tookOver);
  heldClaims.set(request, { tag: taken.tag, ...(claimer.swap ? { swap: claimer.swap } : {}) });
  const ref = scheduleRefName(request.environment, request.id)!;
  try {
    await api.git.getRef({ ...where, ref });
    return true;
  } catch (error) {
    if (!gone(error)) throw error;
  }
  await releaseClaim(api, where, request);
  return false;
}

/** The refs that say a request is being withdrawn as a duplicate: refs/deploy-schedule-withdrawn/<id>. */
export const WITHDRAWN_REF_PREFIX = 'deploy-schedule-withdrawn/';
const withdrawnRefName = (id: string): string => `${WITHDRAWN_REF_PREFIX}${id}`;

/**
 * Marks `request` ended as a withdrawn duplicate (`outcome`) once, whoever finds it: the /deploy comment that
 * recorded it (store.recordRequest answered duplicate) and a due check that finds another request holding
 * its ask may both get there, on two replicas. Creating the ref refs/deploy-schedule-withdrawn/<id> is atomic,
 * so one caller writes the mark and tells the pull request (`marked`); every other one does neither
 * (`already`). The ref goes with the request (forgetRequest); a caller that creates it after that finds the
 * mark the first one wrote before leaving (it is written before the ref is removed) and gives it back.
 * `pending`: another caller began withdrawing it and has not marked it yet (less than WITHDRAWAL_STALE_MS ago,
 * or it took the withdrawal over at this moment): neither marked nor told here, and the caller must leave the
 * request listed, not forget it: if that other caller died, a later due check takes the withdrawal over.
 */
export async function withdrawOnce(
  api: ScheduleApi & EndedApi,
  where: Where,
  request: ScheduledRequest,
  outcome: string,
  appId: number,
  /** With `swap`, a withdrawal left unmarked by a caller that died is taken over (takeOverWithdrawal). */
  takeover?: { now: () => Date; swap?: SwapRef },
): Promise<'marked' | 'already' | 'pending'> {
  const now = takeover?.now ?? (() => new Date());
  const ref = withdrawnRefName(request.id);
  // Read before writing: a withdrawal another caller began (the usual way a second caller gets here) is theirs
  // to mark, or this caller's to take over, and costs this caller no tag and no ref. The create below still
  // decides between callers that both found none.
  let held = await refSha(api, where, ref);
  if (held === undefined)
    try {
      await api.git.createRef({
        ...where,
        ref: `refs/${ref}`,
        sha: await withdrawalTag(api, where, request, now()),
      });
    } catch (error) {
      if (!alreadyExists(error)) throw error;
      // Created at the same instant by another caller, and removed again at once: marked and removed by it, or
      // given back by it failing. Left to a later due check, which finds which.
      held = await refSha(api, where, ref);
      if (held === undefined) return 'pending';
    }
  if (held !== undefined) {
    const taken = await takeOverWithdrawal(api, where, request, appId, held, now(), takeover?.swap);
    if (taken !== 'taken') return taken;
  }
  const ended = await endedAs(api, where, request, appId).catch(async (error: unknown) => {
    await dropWithdrawn(api, where, request).catch(() => undefined);
    throw error;
  });
  if (ended !== 'open') {
    // Marked by a caller that has removed it already ('unreadable': never marked twice on a guess).
    await dropWithdrawn(api, where, request);
    return 'already';
  }
  await markEnded(api, where, request, outcome).catch(async (error: unknown) => {
    await dropWithdrawn(api, where, request).catch(() => undefined);
    throw error;
  });
  return 'marked';
}

/** A withdrawal unmarked for this long is taken to be left by a caller that died between its ref and its mark. */
export const WITHDRAWAL_STALE_MS = 60_000;
/**
 * How far ahead of our clock a withdrawal's time may be and still be believed (another replica's clock may run
 * a little fast). Further ahead it is no time a caller could have written: anyone who can push can write such a
 * tag, and believed it would never age, so the withdrawal it marks would never be taken over. It counts as old.
 */
export const WITHDRAWAL_CLOCK_SKEW_MS = 5 * 60_000;
const withdrawnAt = /^deploy-schedule withdrawing (c[0-9]+) since ([0-9T:.Z-]+)$/;

/** The tag a withdrawal ref points at: it says since when (its message), so a withdrawal left behind ages. */
async function withdrawalTag(
  api: ScheduleApi,
  where: Where,
  request: ScheduledRequest,
  at: Date,
): Promise<string> {
  const tag = await api.git.createTag({
    ...where,
    tag: withdrawnRefName(request.id).replace(/\//g, '-'),
    message: `deploy-schedule withdrawing ${request.id} since ${at.toISOString()}`,
    object: request.sha,
    type: 'commit',
  });
  return tag.data.sha;
}

/**
 * Whether this caller now owns (`taken`) a withdrawal another caller began (its ref exists) but never marked:
 * the request is still open by the App's own check runs and the ref is older than WITHDRAWAL_STALE_MS (that
 * caller died between the two; otherwise its pull request would never hear why). Of several callers taking over
 * at once, the compare-and-swap of the ref lets one through. A ref whose age cannot be read (not the App's tag),
 * or whose time is more than WITHDRAWAL_CLOCK_SKEW_MS ahead of now, counts as old: every caller that gets here
 * has found the request a duplicate itself, so marking it is right; only who tells is decided here. `already`:
 * it is marked (or whether it is cannot be read), or it is old and there is no `swap` to take it over with
 * (never taken over then). `pending`: young, or taken over by another caller at this moment.
 */
async function takeOverWithdrawal(
  api: ScheduleApi & EndedApi,
  where: Where,
  request: ScheduledRequest,
  appId: number,
  /** The tag the withdrawal ref was read at: the swap moves it only from there. */
  held: string,
  now: Date,
  swap: SwapRef | undefined,
): Promise<'taken' | 'already' | 'pending'> {
  if ((await endedAs(api, where, request, appId)) !== 'open') return 'already';
  const since = await api.git
    .getTag({ ...where, tag_sha: held })
    .then(({ data }) => withdrawnAt.exec(data.message.trim()))
    .catch((error: unknown) => {
      if (gone(error) || status(error) === 422) return null;
      throw error;
    });
  const began = since && since[1] === request.id ? Date.parse(since[2]!) : Number.NaN;
  const age = now.getTime() - began;
  // Young: begun less than WITHDRAWAL_STALE_MS ago, or ahead of our clock by no more than a skew would explain.
  if (Number.isFinite(began) && age < WITHDRAWAL_STALE_MS && age >= -WITHDRAWAL_CLOCK_SKEW_MS)
    return 'pending';
  if (!swap) return 'already';
  if (
    !(await swap(`refs/${withdrawnRefName(request.id)}`, held, await withdrawalTag(api, where, request, now)))
  )
    return 'pending';
  // The caller that began it may have marked it at last meanwhile: withdrawOnce reads the mark again next.
  return 'taken';
}

/** The object a ref points at; undefined when there is no such ref. */
async function refSha(api: ScheduleApi, where: Where, ref: string): Promise<string | undefined> {
  try {
    return (await api.git.getRef({ ...where, ref })).data.object.sha;
  } catch (error) {
    if (gone(error)) return undefined;
    throw error;
  }
}

async function dropWithdrawn(api: ScheduleApi, where: Where, request: ScheduledRequest): Promise<void> {
  // Most requests never had one. GitHub answers a delete of a missing ref 422 (its message is not always
  // passed on for a DELETE): nothing else makes this delete 422.
  await api.git.deleteRef({ ...where, ref: withdrawnRefName(request.id) }).catch((error: unknown) => {
    if (!gone(error) && status(error) !== 422) throw error;
  });
}

/**
 * Gives a claim back (the start failed part-way and should be tried again by the next trigger). A claim this
 * process made for `request` with a conditional update is removed only while it still names its tag (taken
 * over meanwhile, it is the taker's); otherwise (no conditional update, or a claim found left behind by a
 * scheduled request hours past its time) by a plain delete.
 */
export async function releaseClaim(api: ScheduleApi, where: Where, request: ScheduledRequest): Promise<void> {
  const held = heldClaims.get(request);
  const ref = claimRefName(request.id);
  const removal = held
    ? dropClaim(api.git, where, ref, held.tag, held.swap)
    : api.git.deleteRef({ ...where, ref });
  await removal.catch((error: unknown) => {
    if (!gone(error)) throw error;
  });
  heldClaims.delete(request);
}

/**
 * The deployment the App (`app`) created for `request`, by its /deploy comment's de-duplication key, if there
 * is one: it started, even when no end mark says so yet (a due check failed between creating the deployment
 * and marking it). Throws DedupeLookupTooLong when there are more deployments of its commit and environment
 * than are read.
 */
export async function requestDeployment(
  api: DeploymentsApi,
  where: Where,
  request: ScheduledRequest,
  app: OwnApp,
): Promise<number | undefined> {
  const found = await findByDedupeKey(api, {
    ...where,
    sha: request.sha,
    environment: request.environment,
    payload: { dedupe_key: commentDedupeKey(request.sourceCommentId) },
    madeByCaller: (d) => createdByApp(d, app),
  });
  return found?.id;
}

/** The name of the check run that marks `id` as ended: one name per request, so listing it is one request. */
export const endedCheckName = (id: string): string => `deploy schedule: ${id}`;
const endedExternalId = (id: string): string => `deploy-schedule-ended:${id}`;
/** The App's check runs of one request's name read at most: the App makes one; more is refused, never "open". */
const MAX_ENDED_RUNS = 500;

/**
 * Whether `request` has ended (started, refused or cancelled) according to the App's own check run on its
 * commit. `appId` is the App's: only a check run GitHub says the App created counts, not one of the same name
 * by a workflow token. Read through the App's own check suites of the commit, not the commit's check-run list:
 * that list leaves out all but the 1000 newest suites, and anyone who can run workflows can add suites until
 * the App's mark is left out, and a cancelled request would start again. `unreadable` when more of the App's
 * check runs of the name exist than are read: never taken as open.
 */
export async function requestEnded(
  api: EndedApi,
  where: Where,
  request: ScheduledRequest,
  appId: number,
): Promise<'ended' | 'open' | 'unreadable'> {
  const read = await endedAs(api, where, request, appId);
  return typeof read === 'string' ? read : 'ended';
}

/**
 * requestEnded with how it ended: the outcome codes of the App's marks (markEnded writes it in the title).
 * A duplicate withdrawn while it was claimed elsewhere is marked ended on purpose and left listed; the
 * caller tells that apart from a ref put back after its request ended.
 */
export async function endedAs(
  api: EndedApi,
  where: Where,
  request: ScheduledRequest,
  appId: number,
): Promise<'open' | 'unreadable' | { outcomes: string[] }> {
  let runs: EndedRun[];
  try {
    ({ runs } = await checkRunsThroughSuites(api, where, {
      sha: request.sha,
      name: endedCheckName(request.id),
      appId,
      maxRuns: MAX_ENDED_RUNS,
    }));
  } catch (error) {
    if (error instanceof TooManyCheckRuns) return 'unreadable';
    throw error;
  }
  const marks = runs.filter((r) => r.external_id === endedExternalId(request.id));
  if (marks.length === 0) return 'open';
  return { outcomes: marks.map((r) => endedTitle.exec(r.output?.title ?? '')?.[1] ?? 'unknown') };
}

const endedTitlePrefix = (id: string): string => `Scheduled deployment ${id} ended: `;
const endedTitle = /^Scheduled deployment c[0-9]+ ended: ([a-z_]+)$/;

/** Whether every mark says the request was withdrawn as a duplicate (and none that it started or ended else). */
export const withdrawnDuplicate = (outcomes: readonly string[]): boolean =>
  outcomes.length > 0 && outcomes.every((o) => o === 'schedule_duplicate' || o === 'queue_duplicate');

/**
 * Removes a claimed request: first the App's check run saying it ended (`outcome`, a reason code), then its
 * ref, then the claim. If anything fails the claim stays, so nobody starts the request again meanwhile; the
 * next caller to list it cannot claim it either.
 */
export async function removeRequest(
  api: ScheduleApi & EndedApi,
  where: Where,
  request: ScheduledRequest,
  outcome: string,
): Promise<void> {
  await markEnded(api, where, request, outcome);
  await forgetRequest(api, where, request);
}

/**
 * The App's check run saying `request` ended (`outcome`): from then on it is never started, whoever lists it
 * (run-due.ts removes it unseen). Written alone when the request cannot be claimed to be removed now.
 */
export async function markEnded(
  api: EndedApi,
  where: Where,
  request: ScheduledRequest,
  outcome: string,
): Promise<void> {
  await api.checks.create({
    ...where,
    name: endedCheckName(request.id),
    head_sha: request.sha,
    external_id: endedExternalId(request.id),
    status: 'completed',
    conclusion: 'neutral',
    output: {
      title: `${endedTitlePrefix(request.id)}${outcome}`,
      summary: `The ${request.mode === 'at' ? 'scheduled' : 'queued'} deployment request ${request.id} of this commit ended (\`${outcome}\`). It is never started again, even if its ref comes back.`,
    },
  });
}

/** Deletes a request's ref and claim without marking it ended (it already is: a replayed ref). */
export async function forgetRequest(
  api: ScheduleApi,
  where: Where,
  request: ScheduledRequest,
): Promise<void> {
  const ref = scheduleRefName(request.environment, request.id)!;
  // Its ask first, while the request is still listed (a request asking the same meanwhile is told of it),
  // and only when the ask is this request's (the tag its ref points at): another's is never freed.
  const tag = await refSha(api, where, ref);
  const ask = askRefName(request);
  if (tag !== undefined && (await refSha(api, where, ask)) === tag)
    await api.git.deleteRef({ ...where, ref: ask }).catch((error: unknown) => {
      if (!gone(error)) throw error;
    });
  try {
    await api.git.deleteRef({ ...where, ref });
  } catch (error) {
    if (!gone(error)) throw error;
  }
  await dropWithdrawn(api, where, request);
  await releaseClaim(api, where, request);
}
