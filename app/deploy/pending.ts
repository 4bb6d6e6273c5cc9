// The pending deployment request the app records, as a hidden marker, in its "waiting for approvals" reply.
// When an approval completes the count, the app reads the request back from its own comments and deploys
// exactly what was asked. Only comments written by the app's own bot login are ever read.
import * as z from 'zod';
import { markersOf, writeMarker } from '../../src/github/hidden-marker.ts';
import type { MarkerScope, VerifiedMarker } from '../../src/github/hidden-marker.ts';
import type { MarkerKeys } from '../../src/github/marker-keys.ts';
import { DEPLOYMENT_TYPES, PARAMETER_NAME } from '../../src/github/deployment-payload.ts';
import type { DeploymentType } from '../../src/github/deployment-payload.ts';
import { ENVIRONMENT_NAME, STRATEGY_NAMES } from '../../src/config/schema.ts';
import type { StrategyName } from '../../src/config/schema.ts';

export interface PendingRequest {
  environment: string;
  sha: string;
  type: DeploymentType;
  strategy?: StrategyName;
  params: Record<string, string>;
  hotfixReason?: string;
  requestedBy: string;
  /** The `/deploy` or `/rollback` comment: the deployment's source_comment_id. */
  sourceCommentId: number;
  at: Date;
}

const MARKER_KIND = 'pending';
export const PENDING_MARKER = MARKER_KIND;

/** What a deployment request asks, as the app's signed markers keep it (this reply's, a schedule's tag). */
export type AskedRequest = Omit<PendingRequest, 'at'>;

/** The marker fields of an AskedRequest; a marker kind adds its own (`type` may be narrowed there). */
export const askedFields = {
  env: z.string().regex(ENVIRONMENT_NAME).max(255),
  sha: z.string().regex(/^[0-9a-f]{40}$/),
  type: z.enum(DEPLOYMENT_TYPES),
  strategy: z.enum(STRATEGY_NAMES).optional(),
  params: z.record(z.string().regex(PARAMETER_NAME), z.string().max(500)),
  hotfix_reason: z.string().max(500).optional(),
  by: z.string().regex(/^[A-Za-z0-9-]+$/),
  source: z.number().int().positive(),
};
type AskedWire = z.input<z.ZodObject<typeof askedFields>>;

export function askedToWire(p: AskedRequest): AskedWire {
  return {
    env: p.environment,
    sha: p.sha.toLowerCase(),
    type: p.type,
    ...(p.strategy ? { strategy: p.strategy } : {}),
    params: p.params,
    ...(p.hotfixReason !== undefined ? { hotfix_reason: p.hotfixReason } : {}),
    by: p.requestedBy,
    source: p.sourceCommentId,
  };
}

export function askedFromWire<T extends DeploymentType>(
  d: Omit<AskedWire, 'type'> & { type: T },
): AskedRequest & { type: T } {
  return {
    environment: d.env,
    sha: d.sha,
    type: d.type,
    ...(d.strategy ? { strategy: d.strategy } : {}),
    params: d.params,
    ...(d.hotfix_reason !== undefined ? { hotfixReason: d.hotfix_reason } : {}),
    requestedBy: d.by,
    sourceCommentId: d.source,
  };
}

/** Only the asked fields of a larger request (a schedule's), sha in lower case as markers keep it. */
export const askedOf = (r: AskedRequest): AskedRequest => askedFromWire(askedToWire(r));

const markerSchema = z.strictObject({
  v: z.literal(1),
  ...askedFields,
  at: z.iso.datetime({ offset: true }),
});

export function serializePendingMarker(p: PendingRequest, keys: MarkerKeys, scope: MarkerScope): string {
  const data: z.input<typeof markerSchema> = { v: 1, ...askedToWire(p), at: p.at.toISOString() };
  return writeMarker(MARKER_KIND, data, keys, scope);
}

/** Every well-formed pending request among a comment's verified markers; anything malformed is skipped. */
export function parsePendingMarkers(markers: readonly VerifiedMarker[]): PendingRequest[] {
  return markersOf(markers, MARKER_KIND, markerSchema).map((d) => ({
    ...askedFromWire(d),
    at: new Date(d.at),
  }));
}
