// One answer to one webhook event, however many deliveries of it are handled at once. A handler that looks for
// its earlier answer (a reply's tag, a ledger record of the delivery) and writes one when none is found answers
// twice when two deliveries of the event look before either writes: a redelivery GitHub sends while the first
// delivery is still at work (it counts one unanswered after 10 s as failed), or one delivery seen by two
// replicas. GitHub has no transactions, but creating a ref is atomic (of two creations exactly one gets 201,
// the other 422 "Reference already exists"), as the App's locks and claims use it: the handler claims the
// event's ref, looks and answers while it holds it, and removes it. A second delivery finds the ref (it stops,
// the first answers) or, once it is gone, the answer (it looks under the claim too). Nothing stays behind.
//
// A claim left behind (a replica that died between its claim and its removal, a removal GitHub refused) would
// keep every later delivery of the event from answering. So the claim points at a tag object that says since
// when it is held, and one held longer than ANSWERING_STALE_MS is taken over by the delivery that finds it,
// with the conditional ref update the schedule's stale asks are taken over with (schedule/swap-ref.ts): of two
// deliveries taking it over at once one moves it, the other finds it moved. The holder removes it only if it
// still names its own tag, through the same update: a holder that outlived the bound never frees its taker's.
//
// The ref decides nothing but who answers now, and only a claim the App made holds it. Anyone with push access
// can create the ref (its name is a hash of values the webhook shows), pointing at a tag with a fresh time:
// believed, it would keep the App from answering the event (an Approve press, a protection rule's gate, a
// command) for 15 minutes at a time, renewed forever. So the tag's message ends with a hidden marker MAC'd
// under the App's marker key for the repository and the claim ref, over the ref and the time
// (src/github/hidden-marker.ts, as locks.ts and schedule/record.ts do): only a marker that verifies under an
// accepted key (the current one, or the previous during a rotation) gives the claim a time. Any other claim
// (no marker, a wrong MAC, another repository's or another event's, no tag at all) is not the App's and is
// taken over at once, through the same conditional update as a stale one. (The App's own tag of this claim,
// pointed at again by hand, is believed until its time is 15 minutes old: once per tag, never renewed.) During
// a rolling upgrade a replica of an older version writes an unsigned claim, which a newer one takes over at
// once: an event delivered to both at the same instant may then be answered twice, only during the upgrade.
import { createHash } from 'node:crypto';
import * as z from 'zod';
import { appendMarkers, trailingMarkers, verifyMarker, writeMarker } from '../../src/github/hidden-marker.ts';
import type { MarkerScope } from '../../src/github/hidden-marker.ts';
import type { MarkerKeys } from '../../src/github/marker-keys.ts';
import type { GitRefCalls } from './git-refs.ts';
import { httpStatus } from './github.ts';
import type { Where } from './github.ts';
import { swapFor } from '../schedule/swap-ref.ts';
import type { SwapRef } from '../schedule/swap-ref.ts';

/** Where the claims are: refs/deploy-answering/<event>. */
export const ANSWERING_REF_PREFIX = 'deploy-answering/';

/**
 * The claim ref (without `refs/`) of an event: `kind` says what is answered (`review`, `press`, …), `identity`
 * is what every delivery of the event shares (hashed: a delivery GUID or a login never becomes a ref name).
 */
export const answeringRefName = (kind: string, identity: string): string =>
  `${ANSWERING_REF_PREFIX}${kind}-${createHash('sha256').update(identity).digest('hex').slice(0, 40)}`;

/**
 * A claim held this long is taken to be left behind. An answer takes seconds (a few dozen requests at most), but
 * nothing bounds it hard: a request is cut only after 5 minutes without a byte (http-fetch.ts), and a primary
 * rate limit is waited out. 15 minutes is past any answer not held up that way, past the longest an AWS Lambda
 * invocation runs and far past a replica's stop grace (25 s); and short beside what a claim left behind costs (a
 * protection rule's run waits for a gate nobody made; GitHub holds it up to 30 days). An answer slower still may
 * be given twice: the harm the claim prevents, no worse.
 */
export const ANSWERING_STALE_MS = 15 * 60_000;
/**
 * How far ahead of our clock a claim's time may be and still be believed (another replica's clock may run a
 * little fast). Further ahead it is no time a replica answering now wrote (a replica whose clock was far off,
 * believed, would never let its claim age): it counts as old.
 */
export const ANSWERING_CLOCK_SKEW_MS = 5 * 60_000;

const ZERO_OID = '0'.repeat(40);

export type AnsweredOnce<T> = { claimed: true; value: T } | { claimed: false };

/** The git calls a claim takes (pass `octokit.rest`). */
export interface AnswerOnceApi {
  git: Pick<GitRefCalls, 'createTag' | 'getTag' | 'createRef' | 'getRef' | 'deleteRef'>;
}

export interface AnswerOnceOptions {
  /** The App's clock: the claim's time, and a found claim's age. */
  now?: () => Date;
  /**
   * The conditional ref update (swap-ref.ts; swapFor builds it from the webhook's repository node id). Without
   * it a claim found held is never taken over, stale or not the App's (a delete then a create would let two
   * takers both hold it), and the claim is removed by a plain delete.
   */
  swap?: SwapRef;
}

/**
 * `{ swap }` for answerOnce from a delivery's Octokit and the webhook's repository node id (`repository.node_id`);
 * nothing without one (a claim found held is then never taken over).
 */
export function swapOption(
  octokit: {
    graphql: (query: string, variables: Record<string, unknown>) => Promise<unknown>;
    rest: { git: Pick<GitRefCalls, 'getRef'> };
  },
  where: Where,
  repositoryNodeId: string | undefined,
): { swap?: SwapRef } {
  const swap = swapFor(
    (query, variables) => octokit.graphql(query, variables),
    octokit.rest,
    where,
    repositoryNodeId,
  );
  return swap ? { swap } : {};
}

/** The kind of a claim's marker (hidden-marker.ts). */
export const ANSWERING_KIND = 'answering';

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

/**
 * The message of a claim's tag: a line for people (`git show`: which claim, since when; never believed), then
 * the same as the marker MAC'd for the repository and the ref, the only part believed.
 */
export function claimMessage(ref: string, at: Date, reader: ClaimReader): string {
  const since = at.toISOString();
  const marker = writeMarker(
    ANSWERING_KIND,
    { v: 1, ref, since },
    reader.keys,
    claimScope(reader.repository, ref),
  );
  return `${appendMarkers(`deploy-answering ${ref} since ${since}`, [marker])}\n`;
}

/**
 * What a claim found held is. `held`: the App's, younger than ANSWERING_STALE_MS; its holder answers. `left`:
 * the App's but left behind (`stale`), or dated further ahead than ANSWERING_CLOCK_SKEW_MS (`ahead`: it would
 * never age). `foreign`: not the App's claim: no tag to read (`no_tag`), no marker of a claim (`no_marker`,
 * also an older version's unsigned claim), more than one (`several_markers`), one that does not verify for this
 * repository and ref under an accepted key (`bad_mac`), or a verified one this version cannot read
 * (`malformed`). Whatever is not `held` is taken over.
 */
export type ClaimFound =
  | { status: 'held'; since: Date }
  | { status: 'left'; reason: 'stale' | 'ahead'; since: Date }
  | { status: 'foreign'; reason: 'no_tag' | 'no_marker' | 'several_markers' | 'bad_mac' | 'malformed' };

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
};

/**
 * Pure: what the claim `ref`, found held, is: `message` is its tag's (undefined: it points at no tag the App
 * could read), read at `now` by `reader`. Never throws.
 */
export function judgeClaim(
  ref: string,
  message: string | undefined,
  now: Date,
  reader: ClaimReader,
): ClaimFound {
  if (message === undefined) return { status: 'foreign', reason: 'no_tag' };
  const markers = trailingMarkers(message, [ANSWERING_KIND]);
  if (markers.length === 0) return { status: 'foreign', reason: 'no_marker' };
  if (markers.length > 1) return { status: 'foreign', reason: 'several_markers' };
  if (!verifyMarker(markers[0]!, reader.keys.accepted, claimScope(reader.repository, ref)))
    return { status: 'foreign', reason: 'bad_mac' };
  const parsed = claimSchema.safeParse(parseJson(markers[0]!.json));
  // Signed for this ref yet naming another: only a writer with the key could, so a bug; not believed either.
  if (!parsed.success || parsed.data.ref !== ref) return { status: 'foreign', reason: 'malformed' };
  const since = new Date(parsed.data.since);
  const age = now.getTime() - since.getTime();
  if (age >= ANSWERING_STALE_MS) return { status: 'left', reason: 'stale', since };
  if (age < -ANSWERING_CLOCK_SKEW_MS) return { status: 'left', reason: 'ahead', since };
  return { status: 'held', since };
}

const gone = (error: unknown): boolean =>
  httpStatus(error) === 404 ||
  (httpStatus(error) === 422 && /does not exist/i.test((error as Error).message ?? ''));

/**
 * Runs `answer` while holding the claim `ref` (answeringRefName), pointed at a tag on `sha` (a commit of the
 * repository) that says since when, MAC'd under `keys`. `{ claimed: false }` when another delivery holds it:
 * that one answers. A claim held past ANSWERING_STALE_MS, or one that is not the App's (judgeClaim), is taken
 * over (with `options.swap`) and answered here. The claim is
 * removed whatever `answer` does (an answer that failed is tried again by a redelivery); a removal that fails
 * leaves it to age, and is not the answer's failure.
 */
export async function answerOnce<T>(
  api: AnswerOnceApi,
  where: Where,
  keys: MarkerKeys,
  claim: { ref: string; sha: string },
  answer: () => Promise<T>,
  options: AnswerOnceOptions = {},
): Promise<AnsweredOnce<T>> {
  const now = options.now ?? (() => new Date());
  const reader: ClaimReader = { keys, repository: `${where.owner}/${where.repo}` };
  const tag = (
    await api.git.createTag({
      ...where,
      tag: claim.ref.replace(/\//g, '-'),
      message: claimMessage(claim.ref, now(), reader),
      object: claim.sha,
      type: 'commit',
    })
  ).data.sha;
  try {
    await api.git.createRef({ ...where, ref: `refs/${claim.ref}`, sha: tag });
  } catch (error) {
    if (!(httpStatus(error) === 422 && /already exists/i.test((error as Error).message ?? ''))) throw error;
    if (!(await tookOver(api, where, reader, claim.ref, tag, now(), options.swap))) return { claimed: false };
  }
  try {
    return { claimed: true, value: await answer() };
  } finally {
    // Only while it still names this claim's tag: taken over meanwhile, it is the taker's.
    const removal = options.swap
      ? options.swap(`refs/${claim.ref}`, tag, ZERO_OID)
      : api.git.deleteRef({ ...where, ref: claim.ref });
    await removal.catch(() => undefined);
  }
}

/**
 * Whether this delivery now holds the claim `ref`, found held by another: only when that one is not the App's
 * claim held now (judgeClaim: left behind, or not the App's at all) and the swap moves it from the object read
 * to `tag` (this delivery's). Gone by the time it is read: its holder removed
 * it, having answered (or failed, and its delivery is redelivered); the answer is not this delivery's.
 */
async function tookOver(
  api: AnswerOnceApi,
  where: Where,
  reader: ClaimReader,
  ref: string,
  tag: string,
  now: Date,
  swap: SwapRef | undefined,
): Promise<boolean> {
  if (!swap) return false;
  let held: { sha: string; type: string };
  try {
    held = (await api.git.getRef({ ...where, ref })).data.object;
  } catch (error) {
    if (gone(error)) return false;
    throw error;
  }
  const message =
    held.type === 'tag'
      ? await api.git
          .getTag({ ...where, tag_sha: held.sha })
          .then(({ data }) => data.message)
          .catch((error: unknown) => {
            if (gone(error) || httpStatus(error) === 422) return undefined;
            throw error;
          })
      : undefined;
  if (judgeClaim(ref, message, now, reader).status === 'held') return false;
  return swap(`refs/${ref}`, held.sha, tag);
}
