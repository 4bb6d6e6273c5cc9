// The pending deployment request the app records, as a hidden marker, in its "waiting for approvals" reply.
// When an approval completes the count, the app reads the request back from its own comments and deploys
// exactly what was asked. Only comments written by the app's own bot login are ever read.
import { z } from 'zod';
import { DEPLOYMENT_TYPES } from '../../src/github/deployment-payload.ts';
import { STRATEGIES } from '../commands/command.ts';
import type { Strategy } from '../commands/command.ts';
import type { DeploymentType } from '../../src/github/deployment-payload.ts';

export interface PendingRequest {
  environment: string;
  sha: string;
  type: DeploymentType;
  strategy?: Strategy;
  params: Record<string, string>;
  hotfixReason?: string;
  requestedBy: string;
  /** The `/deploy` or `/rollback` comment: the deployment's source_comment_id. */
  sourceCommentId: number;
  at: Date;
}

const PREFIX = '<!-- deploy-action:pending ';
const PATTERN = /<!-- deploy-action:pending (\{[^\n]*?\}) -->/g;

const markerSchema = z.strictObject({
  v: z.literal(1),
  env: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/),
  sha: z.string().regex(/^[0-9a-f]{40}$/),
  type: z.enum(DEPLOYMENT_TYPES),
  strategy: z.enum(STRATEGIES).optional(),
  params: z.record(z.string().regex(/^[a-z_][a-z0-9_]*$/), z.string().max(500)),
  hotfix_reason: z.string().max(500).optional(),
  by: z.string().regex(/^[A-Za-z0-9-]+$/),
  source: z.number().int().positive(),
  at: z.iso.datetime({ offset: true }),
});

export function serializePendingMarker(p: PendingRequest): string {
  const data: z.input<typeof markerSchema> = {
    v: 1,
    env: p.environment,
    sha: p.sha.toLowerCase(),
    type: p.type,
    ...(p.strategy ? { strategy: p.strategy } : {}),
    params: p.params,
    ...(p.hotfixReason !== undefined ? { hotfix_reason: p.hotfixReason } : {}),
    by: p.requestedBy,
    source: p.sourceCommentId,
    at: p.at.toISOString(),
  };
  // `<`, `>` and `&` escaped so no value can close the HTML comment early.
  const json = JSON.stringify(data).replace(
    /[<>&]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return `${PREFIX}${json} -->`;
}

/** Every well-formed pending marker in a body; anything malformed is skipped. */
export function parsePendingMarkers(body: unknown): PendingRequest[] {
  if (typeof body !== 'string' || body.length > 65_536) return [];
  const out: PendingRequest[] = [];
  for (const match of body.matchAll(PATTERN)) {
    let json: unknown;
    try {
      json = JSON.parse(match[1]!);
    } catch {
      continue;
    }
    const parsed = markerSchema.safeParse(json);
    if (!parsed.success) continue;
    const d = parsed.data;
    out.push({
      environment: d.env,
      sha: d.sha,
      type: d.type,
      ...(d.strategy ? { strategy: d.strategy } : {}),
      params: d.params,
      ...(d.hotfix_reason !== undefined ? { hotfixReason: d.hotfix_reason } : {}),
      requestedBy: d.by,
      sourceCommentId: d.source,
      at: new Date(d.at),
    });
  }
  return out;
}
