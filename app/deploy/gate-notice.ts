// The hidden marker in the app's "deployment is waiting for approval" notice on a PR: which environment's
// protection rule waits at which commit. An /approve-deploy or /reject-deploy that finds one answers the
// waiting rule at once (handlers/protection-rule.ts); without one it costs no request to look for gates.
import * as z from 'zod';
import { ENVIRONMENT_NAME } from '../../src/config/schema.ts';
import { markersOf, writeMarker } from '../../src/github/hidden-marker.ts';
import type { MarkerScope, VerifiedMarker } from '../../src/github/hidden-marker.ts';
import type { MarkerKeys } from '../../src/github/marker-keys.ts';

export interface GateNotice {
  environment: string;
  sha: string;
  run: number;
}

const MARKER_KIND = 'gate';
export const GATE_MARKER = MARKER_KIND;

const markerSchema = z.strictObject({
  v: z.literal(1),
  env: z.string().regex(ENVIRONMENT_NAME),
  sha: z.string().regex(/^[0-9a-f]{40}$/),
  run: z.number().int().positive(),
});

export function serializeGateNotice(notice: GateNotice, keys: MarkerKeys, scope: MarkerScope): string {
  return writeMarker(
    MARKER_KIND,
    {
      v: 1,
      env: notice.environment,
      sha: notice.sha.toLowerCase(),
      run: notice.run,
    } satisfies z.input<typeof markerSchema>,
    keys,
    scope,
  );
}

/** Every well-formed gate notice among a comment's verified markers; anything malformed is skipped. */
export function parseGateNotices(markers: readonly VerifiedMarker[]): GateNotice[] {
  return markersOf(markers, MARKER_KIND, markerSchema).map((d) => ({
    environment: d.env,
    sha: d.sha,
    run: d.run,
  }));
}
