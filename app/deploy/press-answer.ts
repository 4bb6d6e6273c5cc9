// The hidden marker in the App's reply to a press of one of its buttons (a refused Approve; Promote, Resume or
// Abort, whatever the answer): this press (its delivery's X-GitHub-Delivery GUID, the same for every
// redelivery) was answered. A delivery of the press looks for it among the App's own comments first, so a
// redelivery that arrives after the answer went out (one after the other; two at once are one answer through
// facts/answer-once.ts) answers nothing twice. A press of the button leaves nothing else to find: a refused
// one records nothing, and a delivery id is not a comment the App could react to. MAC'd for the repository and
// the pull request like the App's other markers: a reader cannot mark someone else's press answered (only the
// App's own comments are read, and a marker there that does not verify is not believed).
import * as z from 'zod';
import { markersOf, writeMarker } from '../../src/github/hidden-marker.ts';
import type { MarkerScope, VerifiedMarker } from '../../src/github/hidden-marker.ts';
import type { MarkerKeys } from '../../src/github/marker-keys.ts';

const MARKER_KIND = 'answered';
export const ANSWERED_MARKER = MARKER_KIND;

/** Which press: the button (`approve`, `control`) and the delivery's id. */
export const pressId = (button: 'approve' | 'control', deliveryId: string): string =>
  `${button}:${deliveryId}`;

const markerSchema = z.strictObject({
  v: z.literal(1),
  press: z.string().regex(/^(?:approve|control):[A-Za-z0-9._-]{1,100}$/),
  /** The reply only said the press could not be finished: a delivery that gets through still answers it. */
  failed: z.literal(true).optional(),
});

/**
 * The marker saying `press` (pressId) was answered, bound to the pull request the answer is on; `failed`: only
 * told that it could not be finished (said once however often its deliveries fail, and no answer).
 */
export function serializeAnsweredPress(
  press: string,
  keys: MarkerKeys,
  scope: MarkerScope,
  failed = false,
): string {
  const data: z.input<typeof markerSchema> = failed ? { v: 1, press, failed } : { v: 1, press };
  return writeMarker(MARKER_KIND, data, keys, scope);
}

/** The presses the well-formed "answered" markers among a comment's verified markers name: answered, or told failed. */
export function parseAnsweredPresses(markers: readonly VerifiedMarker[]): {
  answered: string[];
  failed: string[];
} {
  const all = markersOf(markers, MARKER_KIND, markerSchema);
  return {
    answered: all.filter((d) => !d.failed).map((d) => d.press),
    failed: all.filter((d) => d.failed).map((d) => d.press),
  };
}
