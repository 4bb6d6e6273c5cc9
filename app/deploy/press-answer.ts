// The hidden marker in the App's reply to a press of one of its buttons (a refused Approve; Promote, Resume or
// Abort, whatever the answer): this press was answered. A delivery of the press looks for it among the App's
// own comments first, so a redelivery that arrives after the answer went out (one after the other; two at once
// are one answer through facts/answer-once.ts) answers nothing twice. A press of the button leaves nothing else
// to find: a refused one records nothing, and a delivery id is not a comment the App could react to. MAC'd for
// the repository and the pull request like the App's other markers: a reader cannot mark someone else's press
// answered (only the App's own comments are read, and a marker there that does not verify is not believed).
//
// Which press is named by its signed body AND its X-GitHub-Delivery GUID. The GUID alone is no identity:
// GitHub's signature covers the body only, so whoever holds one signed press body (a webhook proxy, a proxy's
// log) can send it under any delivery id, and under someone else's it would mark their press answered before
// it arrives. GitHub's own redelivery sends the same body under the same GUID: the same press. The same body
// under another GUID is taken as another press of the same button (GitHub says no time of a click, so a second
// press with nothing changed may be byte for byte the first): what it may record is keyed by the body alone
// (pressBody), so it records nothing new, and it is answered as such a second press is.
import { createHash } from 'node:crypto';
import * as z from 'zod';
import { markersOf, writeMarker } from '../../src/github/hidden-marker.ts';
import type { MarkerScope, VerifiedMarker } from '../../src/github/hidden-marker.ts';
import type { MarkerKeys } from '../../src/github/marker-keys.ts';

const MARKER_KIND = 'answered';
export const ANSWERED_MARKER = MARKER_KIND;

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * Pure: a press's signed body, as what the App derives from it is keyed (a hash of the payload as parsed from
 * the body the signature covers): the same for every delivery of that body, whatever its delivery id.
 */
export const pressBody = (payload: unknown): string => sha256(JSON.stringify(payload)).slice(0, 40);

/**
 * Pure: which press a delivery is: the button (`approve`, `control`), its signed body (pressBody) and its
 * delivery's GUID. A redelivery (same body, same GUID) is the same press; the same GUID on another body is not.
 */
export const pressId = (button: 'approve' | 'control', press: { body: string; delivery: string }): string =>
  `${button}:${sha256(`${press.body}\n${press.delivery}`).slice(0, 40)}`;

/**
 * Pure: the mark an Approve press's approval carries (`press`: its pressId): that delivery recorded it, so
 * GitHub's redelivery of it (same body, same GUID) says nothing, and another press of that body is told it
 * renewed nothing (repeatedBody).
 */
export const recordedPress = (press: string): string => `${press}.recorded`;

/**
 * Pure: the mark of the notice that a press of an Approve body recorded before renews nothing: said once per
 * body, so a signed body sent again under many delivery ids is one notice, not one each.
 */
export const repeatedBody = (body: string): string => `approve:${body}.repeated`;

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
