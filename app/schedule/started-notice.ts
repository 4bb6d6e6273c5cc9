// The hidden marker in the App's "Started" reply to a scheduled or queued request (run-due.ts): this request
// started, and its pull request was told so. A due check that must tell it (the first one, or one after a
// check that started it failed before marking it ended) looks for it among the App's own comments first, so
// the pull request hears of the start once, whatever fails after the reply.
import * as z from 'zod';
import { markersOf, writeMarker } from '../../src/github/hidden-marker.ts';
import type { MarkerScope, VerifiedMarker } from '../../src/github/hidden-marker.ts';
import type { MarkerKeys } from '../../src/github/marker-keys.ts';

const MARKER_KIND = 'started';
export const STARTED_MARKER = MARKER_KIND;

const markerSchema = z.strictObject({
  v: z.literal(1),
  /** The request's id (record.ts: `c<comment id>`). */
  id: z.string().regex(/^c[0-9]{1,20}$/),
  deployment: z.number().int().positive(),
});

export function serializeStartedNotice(
  request: { id: string },
  deploymentId: number,
  keys: MarkerKeys,
  scope: MarkerScope,
): string {
  return writeMarker(
    MARKER_KIND,
    { v: 1, id: request.id, deployment: deploymentId } satisfies z.input<typeof markerSchema>,
    keys,
    scope,
  );
}

/** The request ids of every well-formed "Started" marker among a comment's verified markers. */
export function parseStartedNotices(markers: readonly VerifiedMarker[]): string[] {
  return markersOf(markers, MARKER_KIND, markerSchema).map((d) => d.id);
}
