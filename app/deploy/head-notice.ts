// The hidden marker in the app's "new commit pushed" notice on a PR (handlers/pull-request.ts): from that
// comment on, the pull request's head is this commit. An approval written after it was written with this
// commit as the head (dispatch.ts, askedBefore); one written before it, and before any request for it, was not.
import * as z from 'zod';
import { markersOf, writeMarker } from '../../src/github/hidden-marker.ts';
import type { MarkerScope, VerifiedMarker } from '../../src/github/hidden-marker.ts';
import type { MarkerKeys } from '../../src/github/marker-keys.ts';

const MARKER_KIND = 'head';
export const HEAD_MARKER = MARKER_KIND;

const markerSchema = z.strictObject({
  v: z.literal(1),
  sha: z.string().regex(/^[0-9a-f]{40}$/),
});

export function serializeHeadNotice(sha: string, keys: MarkerKeys, scope: MarkerScope): string {
  return writeMarker(
    MARKER_KIND,
    { v: 1, sha: sha.toLowerCase() } satisfies z.input<typeof markerSchema>,
    keys,
    scope,
  );
}

/** The head commit of every well-formed head notice among a comment's verified markers. */
export function parseHeadNotices(markers: readonly VerifiedMarker[]): string[] {
  return markersOf(markers, MARKER_KIND, markerSchema).map((d) => d.sha);
}
