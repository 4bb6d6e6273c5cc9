// The hidden marker in the app's "deployment is waiting for approval" notice on a PR: which environment's
// protection rule waits at which commit. An /approve-deploy or /reject-deploy that finds one answers the
// waiting rule at once (handlers/protection-rule.ts); without one it costs no request to look for gates.
import { z } from 'zod';
import { readMarkers, writeMarker } from '../../src/github/hidden-marker.ts';

export interface GateNotice {
  environment: string;
  sha: string;
  run: number;
}

const MARKER_KIND = 'gate';

const markerSchema = z.strictObject({
  v: z.literal(1),
  env: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/),
  sha: z.string().regex(/^[0-9a-f]{40}$/),
  run: z.number().int().positive(),
});

export function serializeGateNotice(notice: GateNotice): string {
  return writeMarker(MARKER_KIND, {
    v: 1,
    env: notice.environment,
    sha: notice.sha.toLowerCase(),
    run: notice.run,
  } satisfies z.input<typeof markerSchema>);
}

/** Every well-formed gate marker in a body; anything malformed is skipped. */
export function parseGateNotices(body: unknown): GateNotice[] {
  return readMarkers(body, MARKER_KIND, markerSchema).map((d) => ({
    environment: d.env,
    sha: d.sha,
    run: d.run,
  }));
}
