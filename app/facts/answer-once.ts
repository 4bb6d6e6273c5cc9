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
import {
  CLAIM_CLOCK_SKEW_MS,
  CLAIM_KIND,
  claimMessage,
  claimScope,
  dropClaim,
  judgeClaim as judgeAnyClaim,
  takeClaim,
} from './claim-ref.ts';
import type { ClaimFound, ClaimGit, ClaimReader } from './claim-ref.ts';
import type { MarkerKeys } from '../../src/github/marker-keys.ts';
import type { GitRefCalls } from './git-refs.ts';
import type { Where } from './github.ts';
import { swapFor } from '../schedule/swap-ref.ts';
import type { SwapRef } from '../schedule/swap-ref.ts';

// The claim tag and its takeover are claim-ref.ts's (the schedule's claims are the same, with their own age).
export { claimMessage, claimScope };
export type { ClaimFound, ClaimReader };

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
/** How far ahead of our clock a claim's time may be and still be believed (claim-ref.ts). */
export const ANSWERING_CLOCK_SKEW_MS = CLAIM_CLOCK_SKEW_MS;

export type AnsweredOnce<T> = { claimed: true; value: T } | { claimed: false };

/** The git calls a claim takes (pass `octokit.rest`). */
export interface AnswerOnceApi {
  git: ClaimGit;
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
export const ANSWERING_KIND = CLAIM_KIND;

/** Pure: what the claim `ref`, found held, is (claim-ref.ts judgeClaim), left behind at ANSWERING_STALE_MS. */
export const judgeClaim = (
  ref: string,
  message: string | undefined,
  now: Date,
  reader: ClaimReader,
): ClaimFound => judgeAnyClaim(ref, message, now, reader, ANSWERING_STALE_MS);

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
  const taken = await takeClaim(api.git, where, reader, {
    ...claim,
    staleMs: ANSWERING_STALE_MS,
    now: now(),
    ...(options.swap ? { swap: options.swap } : {}),
  });
  if (taken.status !== 'taken') return { claimed: false };
  try {
    return { claimed: true, value: await answer() };
  } finally {
    // Only while it still names this claim's tag: taken over meanwhile, it is the taker's.
    await dropClaim(api.git, where, claim.ref, taken.tag, options.swap).catch(() => undefined);
  }
}
