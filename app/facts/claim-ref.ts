// A claim ref that ages: one caller at a time holds it, and one its holder left behind (a replica or a Lambda
// invocation that died between claiming and giving it back, a removal GitHub refused) is taken over instead of
// stopping every later caller for good. Creating a ref is atomic on GitHub (of two creations one gets 201, the
// other 422 "Reference already exists"); the ref points at a tag object whose message says since when it is
// held, and a caller that finds it held longer than the claim's stale age takes it over with the conditional
// ref update of schedule/swap-ref.ts (GraphQL updateRefs with beforeOid): of two taking it over at once one
// moves it, the other finds it moved. The holder removes it only while it still names its own tag, through the
// same update: a holder that outlived the bound never frees its taker's.
//
// The time is believed only from the App's own claim: the tag's message ends with a hidden marker MAC'd under
// the App's marker key for the repository and the claim ref, over the ref and the time (src/github/
// hidden-marker.ts, as locks.ts and schedule/record.ts do). Anyone with push access can create the ref; a claim
// that is not the App's (no tag, no marker, a wrong MAC, another repository's or another ref's) is taken over
// at once. Used by answer-once.ts (one answer per webhook event) and schedule/store.ts (one caller starts or
// cancels a scheduled or queued request), each with its own stale age.
import { randomBytes } from 'node:crypto';
import * as z from 'zod';
import { appendMarkers, trailingMarkers, verifyMarker, writeMarker } from '../../src/github/hidden-marker.ts';
import type { MarkerScope } from '../../src/github/hidden-marker.ts';
import type { MarkerKeys } from '../../src/github/marker-keys.ts';
import type { GitRefCalls } from './git-refs.ts';
import { httpStatus } from './github.ts';
import type { Where } from './github.ts';
import type { SwapRef } from '../schedule/swap-ref.ts';
import { jsonOrUndefined } from '../../src/util/json-or-undefined.ts';

/**
 * How far ahead of our clock a claim's time may be and still be believed (another replica's clock may run a
 * little fast). Further ahead it is no time a caller holding it now wrote (a replica whose clock was far off,
 * believed, would never let its claim age): it counts as old.
 */
export const CLAIM_CLOCK_SKEW_MS = 5 * 60_000;

const ZERO_OID = '0'.repeat(40);

/** The kind of a claim's marker (hidden-marker.ts); the ref it is MAC'd for tells one claim from another. */
export const CLAIM_KIND = 'answering';

/** What a claim's MAC binds besides its record: the repository (`owner/name`) and the claim ref. */
export const claimScope = (repository: string, ref: string): MarkerScope => ({ repository, subject: ref });

/** The record a claim's marker carries. */
const claimSchema = z.strictObject({
  v: z.literal(1),
  ref: z.string(),
  since: z.iso.datetime(),
});

/** Who reads a claim back: the App's marker keys and the repository (`owner/name`) the claim is in. */
export interface ClaimReader {
  keys: MarkerKeys;
  repository: string;
}

/** The git calls a claim takes (pass `octokit.rest.git`). */
export type ClaimGit = Pick<GitRefCalls, 'createTag' | 'getTag' | 'createRef' | 'getRef' | 'deleteRef'>;

/**
 * The message of a claim's tag: a line for people (`git show`: `label`, which claim, since when, and a random
 * token; never believed), then the same as the marker MAC'd for the repository and the ref, the only part
 * believed. The token makes each caller's tag its own: git names an object by its content, so two callers
 * claiming at the same millisecond would otherwise make one tag, and a taker that reads its own tag back
 * (tookOver) could not tell its update from the other's.
 */
export function claimMessage(ref: string, at: Date, reader: ClaimReader, label = 'deploy-answering'): string {
  const since = at.toISOString();
  const marker = writeMarker(
    CLAIM_KIND,
    { v: 1, ref, since },
    reader.keys,
    claimScope(reader.repository, ref),
  );
  return `${appendMarkers(`${label} ${ref} since ${since} (${randomBytes(8).toString('hex')})`, [marker])}\n`;
}

/**
 * What a claim found held is. `held`: the App's, younger than the stale age; its holder acts. `left`: the App's
 * but left behind (`stale`), or dated further ahead than CLAIM_CLOCK_SKEW_MS (`ahead`: it would never age).
 * `foreign`: not the App's claim: no tag to read (`no_tag`), no marker of a claim (`no_marker`, also an older
 * version's unsigned claim), more than one (`several_markers`), one that does not verify for this repository and
 * ref under an accepted key (`bad_mac`), or a verified one this version cannot read (`malformed`). Whatever is
 * not `held` is taken over.
 */
export type ClaimFound =
  | { status: 'held'; since: Date }
  | { status: 'left'; reason: 'stale' | 'ahead'; since: Date }
  | { status: 'foreign'; reason: 'no_tag' | 'no_marker' | 'several_markers' | 'bad_mac' | 'malformed' };

/**
 * Pure: what the claim `ref`, found held, is: `message` is its tag's (undefined: it points at no tag the App
 * could read), read at `now` by `reader`; held `staleMs` or longer it is left behind. Never throws.
 */
export function judgeClaim(
  ref: string,
  message: string | undefined,
  now: Date,
  reader: ClaimReader,
  staleMs: number,
): ClaimFound {
  if (message === undefined) return { status: 'foreign', reason: 'no_tag' };
  const markers = trailingMarkers(message, [CLAIM_KIND]);
  if (markers.length === 0) return { status: 'foreign', reason: 'no_marker' };
  if (markers.length > 1) return { status: 'foreign', reason: 'several_markers' };
  if (!verifyMarker(markers[0]!, reader.keys.accepted, claimScope(reader.repository, ref)))
    return { status: 'foreign', reason: 'bad_mac' };
  const parsed = claimSchema.safeParse(jsonOrUndefined(markers[0]!.json));
  // Signed for this ref yet naming another: only a writer with the key could, so a bug; not believed either.
  if (!parsed.success || parsed.data.ref !== ref) return { status: 'foreign', reason: 'malformed' };
  const since = new Date(parsed.data.since);
  const age = now.getTime() - since.getTime();
  if (age >= staleMs) return { status: 'left', reason: 'stale', since };
  if (age < -CLAIM_CLOCK_SKEW_MS) return { status: 'left', reason: 'ahead', since };
  return { status: 'held', since };
}

const gone = (error: unknown): boolean =>
  httpStatus(error) === 404 ||
  (httpStatus(error) === 422 && /does not exist/i.test((error as Error).message ?? ''));

export interface TakeClaim {
  /** The claim ref, without `refs/`. */
  ref: string;
  /** A commit of the repository the claim's tag is made on. */
  sha: string;
  /** Held this long, a claim is left behind and taken over. */
  staleMs: number;
  /** The tag message's line for people (claimMessage). */
  label?: string;
  /** The App's clock: the claim's time, and a found claim's age. */
  now: Date;
  /**
   * The conditional ref update (swap-ref.ts). Without it a claim found held is never taken over, stale or not
   * the App's (a delete then a create would let two takers both hold it).
   */
  swap?: SwapRef;
  /**
   * A claim found held that is not the App's yet must not be taken over at once (an older version's, which
   * wrote no tag: a caller may be at work under it): `adopt` says so of where it points. It is then moved to a
   * claim of the App's dated now, which is not this caller's to act under (`held_elsewhere`): it ages from
   * now, and is taken over once stale like any other. The old holder's own removal still removes it.
   */
  adopt?: (held: { sha: string; type: string }) => boolean;
}

/**
 * `taken`: this caller holds the claim now (created, or taken over from one left behind or not the App's), its
 * ref pointing at `tag`. `held_elsewhere`: another caller holds it (or did a moment ago: it went, or was taken
 * over by another at this instant).
 */
export type ClaimTaken =
  { status: 'taken'; tag: string; tookOver?: LeftClaim } | { status: 'held_elsewhere' };

/** What a claim taken over was (judgeClaim): left behind, or not the App's. */
export type LeftClaim = Exclude<ClaimFound, { status: 'held' }>;

/** Creates the claim `ref` (its tag first), or takes it over when it was left behind (judgeClaim). */
export async function takeClaim(
  git: ClaimGit,
  where: Where,
  reader: ClaimReader,
  claim: TakeClaim,
): Promise<ClaimTaken> {
  const tag = (
    await git.createTag({
      ...where,
      tag: claim.ref.replace(/\//g, '-'),
      message: claimMessage(claim.ref, claim.now, reader, claim.label),
      object: claim.sha,
      type: 'commit',
    })
  ).data.sha;
  try {
    await git.createRef({ ...where, ref: `refs/${claim.ref}`, sha: tag });
    return { status: 'taken', tag };
  } catch (error) {
    if (!(httpStatus(error) === 422 && /already exists/i.test((error as Error).message ?? ''))) {
      // GitHub may have created it and lost its answer (a 502, a cut connection): only this caller's create
      // names its tag. Left so, it would turn every delivery away for 15 minutes, the press again or the
      // redelivery a failure reply asks for too.
      if ((await pointsAt(git, where, claim.ref).catch(() => undefined)) === tag)
        return { status: 'taken', tag };
      throw error;
    }
  }
  const left = await tookOver(git, where, reader, claim, tag);
  return left ? { status: 'taken', tag, tookOver: left } : { status: 'held_elsewhere' };
}

/**
 * Gives the claim `ref` back, only while it still names `tag` (this caller's) when there is a `swap`: taken
 * over meanwhile, it is the taker's. Without one, a plain delete.
 */
export async function dropClaim(
  git: Pick<GitRefCalls, 'deleteRef'>,
  where: Where,
  ref: string,
  tag: string,
  swap: SwapRef | undefined,
): Promise<void> {
  if (swap) await swap(`refs/${ref}`, tag, ZERO_OID);
  else await git.deleteRef({ ...where, ref });
}

/**
 * What the claim found held was, when this caller now holds it (undefined otherwise): only when that one is not
 * the App's claim held now (judgeClaim: left behind, or not the App's at all) and the swap moves it from the
 * object read to `tag` (this caller's). Gone by the time it is read: its holder removed it, having acted; not
 * this caller's.
 */
async function tookOver(
  git: ClaimGit,
  where: Where,
  reader: ClaimReader,
  claim: TakeClaim,
  tag: string,
): Promise<LeftClaim | undefined> {
  if (!claim.swap) return undefined;
  let held: { sha: string; type: string };
  try {
    held = (await git.getRef({ ...where, ref: claim.ref })).data.object;
  } catch (error) {
    if (gone(error)) return undefined;
    throw error;
  }
  const message =
    held.type === 'tag'
      ? await git
          .getTag({ ...where, tag_sha: held.sha })
          .then(({ data }) => data.message)
          .catch((error: unknown) => {
            if (gone(error) || httpStatus(error) === 422) return undefined;
            throw error;
          })
      : undefined;
  const found = judgeClaim(claim.ref, message, claim.now, reader, claim.staleMs);
  if (found.status === 'held') return undefined;
  if (found.status === 'foreign' && claim.adopt?.(held)) {
    // Dated now by this caller's own tag, which nobody acts under: it ages like a claim of the App's.
    await claim.swap(`refs/${claim.ref}`, held.sha, tag);
    return undefined;
  }
  if (await claim.swap(`refs/${claim.ref}`, held.sha, tag)) return found;
  // Moved from what was read, by another caller; or by this one, GitHub having made the update and lost its
  // answer (the swap reads the ref again and finds it moved). Only this caller's update names its tag (its
  // own alone: claimMessage): left so, nobody would act under it until it is stale.
  return (await pointsAt(git, where, claim.ref)) === tag ? found : undefined;
}

/** The object the ref `ref` (without `refs/`) points at now; undefined when it is gone. */
async function pointsAt(git: ClaimGit, where: Where, ref: string): Promise<string | undefined> {
  try {
    return (await git.getRef({ ...where, ref })).data.object.sha;
  } catch (error) {
    if (gone(error)) return undefined;
    throw error;
  }
}
