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
// The ref decides nothing but who answers now: someone with push access who creates it only keeps the App
// from answering that event for a while (a notice, a press they could as well not have made).
import { createHash } from 'node:crypto';
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
 * little fast). Further ahead it is no time a replica wrote (anyone who can push can write such a tag, and
 * believed it would never age): it counts as old.
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
   * it a stale claim is never taken over (a delete then a create would let two takers both hold it) and the
   * claim is removed by a plain delete.
   */
  swap?: SwapRef;
}

/**
 * `{ swap }` for answerOnce from a delivery's Octokit and the webhook's repository node id (`repository.node_id`);
 * nothing without one (a stale claim is then never taken over).
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

/** The message of a claim's tag: which claim, since when. */
const claimMessage = (ref: string, at: Date): string => `deploy-answering ${ref} since ${at.toISOString()}`;
const claimedAt = /^deploy-answering (\S+) since ([0-9T:.Z-]+)$/;

/**
 * Pure: whether a claim found held is left behind: `message` is its tag's (undefined: it points at no tag the
 * App could read, so its age is unknown), read at `now`. An unknown age, or a time further ahead of `now`
 * than ANSWERING_CLOCK_SKEW_MS, is old: such a claim was not written by a replica answering now.
 */
export function claimStale(ref: string, message: string | undefined, now: Date): boolean {
  const read = message === undefined ? null : claimedAt.exec(message.trim());
  const since = read && read[1] === ref ? Date.parse(read[2]!) : Number.NaN;
  if (!Number.isFinite(since)) return true;
  const age = now.getTime() - since;
  return age >= ANSWERING_STALE_MS || age < -ANSWERING_CLOCK_SKEW_MS;
}

const gone = (error: unknown): boolean =>
  httpStatus(error) === 404 ||
  (httpStatus(error) === 422 && /does not exist/i.test((error as Error).message ?? ''));

/**
 * Runs `answer` while holding the claim `ref` (answeringRefName), pointed at a tag on `sha` (a commit of the
 * repository) that says since when. `{ claimed: false }` when another delivery holds it: that one answers. A
 * claim held past ANSWERING_STALE_MS is taken over (with `options.swap`) and answered here. The claim is
 * removed whatever `answer` does (an answer that failed is tried again by a redelivery); a removal that fails
 * leaves it to age, and is not the answer's failure.
 */
export async function answerOnce<T>(
  api: AnswerOnceApi,
  where: Where,
  claim: { ref: string; sha: string },
  answer: () => Promise<T>,
  options: AnswerOnceOptions = {},
): Promise<AnsweredOnce<T>> {
  const now = options.now ?? (() => new Date());
  const tag = (
    await api.git.createTag({
      ...where,
      tag: claim.ref.replace(/\//g, '-'),
      message: claimMessage(claim.ref, now()),
      object: claim.sha,
      type: 'commit',
    })
  ).data.sha;
  try {
    await api.git.createRef({ ...where, ref: `refs/${claim.ref}`, sha: tag });
  } catch (error) {
    if (!(httpStatus(error) === 422 && /already exists/i.test((error as Error).message ?? ''))) throw error;
    if (!(await tookOver(api, where, claim.ref, tag, now(), options.swap))) return { claimed: false };
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
 * Whether this delivery now holds the claim `ref`, found held by another: only when that one is stale and the
 * swap moves it from the tag read to `tag` (this delivery's). Gone by the time it is read: its holder removed
 * it, having answered (or failed, and its delivery is redelivered); the answer is not this delivery's.
 */
async function tookOver(
  api: AnswerOnceApi,
  where: Where,
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
  if (!claimStale(ref, message, now)) return false;
  return swap(`refs/${ref}`, held.sha, tag);
}
