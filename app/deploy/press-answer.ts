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
});

/** The marker saying `press` (pressId) was answered, bound to the pull request the answer is on. */
export function serializeAnsweredPress(press: string, keys: MarkerKeys, scope: MarkerScope): string {
  return writeMarker(MARKER_KIND, { v: 1, press } satisfies z.input<typeof markerSchema>, keys, scope);
}

/** The presses every well-formed "answered" marker among a comment's verified markers names. */
export function parseAnsweredPresses(markers: readonly VerifiedMarker[]): string[] {
  return markersOf(markers, MARKER_KIND, markerSchema).map((d) => d.press);
}
