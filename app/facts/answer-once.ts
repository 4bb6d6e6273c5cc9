// One answer to one webhook event, however many deliveries of it are handled at once. A handler that looks for
// its earlier answer (a reply's tag, a ledger record of the delivery) and writes one when none is found answers
// twice when two deliveries of the event look before either writes: a redelivery GitHub sends while the first
// delivery is still at work (it counts one unanswered after 10 s as failed), or one delivery seen by two
// replicas. GitHub has no transactions, but creating a ref is atomic (of two creations exactly one gets 201,
// the other 422 "Reference already exists"), as the App's locks and claims use it: the handler claims the
// event's ref, looks and answers while it holds it, and removes it. A second delivery finds the ref (it stops,
// the first answers) or, once it is gone, the answer (it looks under the claim too). Nothing stays behind.
//
// The ref decides nothing but who answers now: someone with push access who creates it only keeps the App
// from answering that event (a notice, a press they could as well not have made). One left by a replica that
// died between its claim and its removal does so too, until it is deleted (README, Several replicas).
import { createHash } from 'node:crypto';
import type { GitRefCalls } from './git-refs.ts';
import { httpStatus } from './github.ts';
import type { Where } from './github.ts';

/** Where the claims are: refs/deploy-answering/<event>. */
export const ANSWERING_REF_PREFIX = 'deploy-answering/';

/**
 * The claim ref (without `refs/`) of an event: `kind` says what is answered (`review`, `press`, …), `identity`
 * is what every delivery of the event shares (hashed: a delivery GUID or a login never becomes a ref name).
 */
export const answeringRefName = (kind: string, identity: string): string =>
  `${ANSWERING_REF_PREFIX}${kind}-${createHash('sha256').update(identity).digest('hex').slice(0, 40)}`;

export type AnsweredOnce<T> = { claimed: true; value: T } | { claimed: false };

/**
 * Runs `answer` while holding the claim `ref` (answeringRefName), pointed at `sha` (a commit of the
 * repository). `{ claimed: false }` when another delivery holds it: that one answers. The claim is removed
 * whatever `answer` does (an answer that failed is tried again by a redelivery); a removal that fails leaves it
 * to be deleted by hand, and is not the answer's failure.
 */
export async function answerOnce<T>(
  api: { git: Pick<GitRefCalls, 'createRef' | 'deleteRef'> },
  where: Where,
  claim: { ref: string; sha: string },
  answer: () => Promise<T>,
): Promise<AnsweredOnce<T>> {
  try {
    await api.git.createRef({ ...where, ref: `refs/${claim.ref}`, sha: claim.sha });
  } catch (error) {
    if (httpStatus(error) === 422 && /already exists/i.test((error as Error).message ?? ''))
      return { claimed: false };
    throw error;
  }
  try {
    return { claimed: true, value: await answer() };
  } finally {
    await api.git.deleteRef({ ...where, ref: claim.ref }).catch(() => undefined);
  }
}
