// A scheduled (`/deploy <env> at <time>`) or queued (`/deploy <env> --queue`) request, as the App keeps it on
// GitHub: the message of an annotated tag on the requested commit, pointed at by the ref
// refs/deploy-schedule/<environment>/<id>. The message ends with one hidden marker MAC'd under the App's
// marker key for the repository, the environment and the request id (src/github/hidden-marker.ts), and the
// marker's JSON names the commit. Anyone who can push can create such a ref and tag, but cannot make one that
// verifies, nor move a genuine one to another environment, request id or commit: a record that fails is
// never acted on. Pure: no I/O.
import { createHash } from 'node:crypto';
import * as z from 'zod';
import {
  appendMarkers,
  readMarkerBlock,
  unreadableMarkers,
  writeMarker,
} from '../../src/github/hidden-marker.ts';
import type { MarkerKeys } from '../../src/github/marker-keys.ts';
import type { MarkerScope, TamperReason } from '../../src/github/hidden-marker.ts';
import type { StrategyName } from '../../src/config/schema.ts';
import { askedFields, askedFromWire, askedToWire } from '../deploy/pending.ts';
import { lockRefName } from '../locks.ts';

export const SCHEDULE_KIND = 'schedule';
/** The refs that hold the requests: refs/deploy-schedule/<environment>/<id>. */
export const SCHEDULE_REF_PREFIX = 'deploy-schedule/';
/** The refs that claim a request (to start it, or cancel it): refs/deploy-schedule-claims/<id>. */
export const CLAIM_REF_PREFIX = 'deploy-schedule-claims/';

export interface ScheduledRequest {
  /** `c<comment id>`: one request per `/deploy` comment, so a redelivered comment is one request. */
  id: string;
  mode: 'at' | 'queue';
  environment: string;
  /** The pull request's head when it was asked: only this commit is ever started. */
  sha: string;
  pr: number;
  type: 'standard' | 'hotfix';
  strategy?: StrategyName;
  params: Record<string, string>;
  hotfixReason?: string;
  requestedBy: string;
  sourceCommentId: number;
  requestedAt: Date;
  /** mode `at`: when it is due. */
  at?: Date;
  /** mode `at`: the zone it was written in, to show it back as the person wrote it. */
  zone?: string;
}

const ID = /^c[1-9][0-9]{0,19}$/;

const schema = z.strictObject({
  v: z.literal(1),
  id: z.string().regex(ID),
  mode: z.enum(['at', 'queue']),
  ...askedFields,
  pr: z.number().int().positive(),
  // Only a deployment is scheduled or queued, never a rollback.
  type: z.enum(['standard', 'hotfix']),
  asked: z.iso.datetime({ offset: true }),
  at: z.iso.datetime({ offset: true }).optional(),
  zone: z.string().max(64).optional(),
});

export const requestId = (commentId: number): string => `c${commentId}`;

/** What the MAC binds besides the repository: the environment (as GitHub compares it) and the request id. */
export function scheduleScope(repository: string, environment: string, id: string): MarkerScope {
  return { repository, subject: JSON.stringify([SCHEDULE_KIND, environment.toLowerCase(), id]) };
}

/** The ref (without refs/) of a request, or undefined for an environment name git cannot hold as a ref. */
export function scheduleRefName(environment: string, id: string): string | undefined {
  const lock = lockRefName({ scope: 'environment', environment });
  if (typeof lock !== 'string' || !ID.test(id)) return undefined;
  return `${SCHEDULE_REF_PREFIX}${environment.toLowerCase()}/${id}`;
}

export const claimRefName = (id: string): string => `${CLAIM_REF_PREFIX}${id}`;

/** The refs that hold one request per deployment asked: refs/deploy-schedule-asks/<askKey hash>. */
export const ASK_REF_PREFIX = 'deploy-schedule-asks/';

/**
 * What a request asks for, as one string: mode, environment (as GitHub compares it), commit, type, strategy,
 * parameters (in name order) and, for a schedule, the instant. Two requests with the same key would deploy the
 * same thing twice, once after the other.
 */
export function askKey(r: ScheduledRequest): string {
  const params = Object.entries(r.params).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
  return JSON.stringify([
    r.mode,
    r.environment.toLowerCase(),
    r.sha.toLowerCase(),
    r.type,
    r.strategy ?? null,
    params,
    r.mode === 'at' ? (r.at?.getTime() ?? null) : null,
  ]);
}

/**
 * The ref (without refs/) that the one request asking for `askKey(r)` holds, pointing at its tag: created
 * atomically, so of two identical requests written at the same instant exactly one holds it. It carries no
 * trust (anyone who can push can make one): the request it points at is read and verified like any other.
 */
export const askRefName = (r: ScheduledRequest): string =>
  `${ASK_REF_PREFIX}${createHash('sha256').update(askKey(r)).digest('hex').slice(0, 40)}`;

/** The environment and id a request ref names, or undefined for any other ref. */
export function refParts(ref: string): { environment: string; id: string } | undefined {
  const m = /^(?:refs\/)?deploy-schedule\/([^/]+)\/([^/]+)$/.exec(ref);
  return m && ID.test(m[2]!) ? { environment: m[1]!, id: m[2]! } : undefined;
}

/** The tag message: a line for people (`git show`), then the signed marker as the trailing line. */
export function scheduleMessage(request: ScheduledRequest, keys: MarkerKeys, repository: string): string {
  const data: z.input<typeof schema> = {
    v: 1,
    id: request.id,
    mode: request.mode,
    ...askedToWire(request),
    type: request.type,
    pr: request.pr,
    asked: request.requestedAt.toISOString(),
    ...(request.at ? { at: request.at.toISOString() } : {}),
    ...(request.zone ? { zone: request.zone } : {}),
  };
  const what = request.mode === 'at' ? `scheduled for ${request.at?.toISOString()}` : 'queued';
  const line = `Deployment of ${request.environment} ${what}, asked by ${request.requestedBy} on PR #${request.pr}`;
  const marker = writeMarker(
    SCHEDULE_KIND,
    data,
    keys,
    scheduleScope(repository, request.environment, request.id),
  );
  return `${appendMarkers(line, [marker])}\n`;
}

export type ScheduleRead =
  | { ok: true; request: ScheduledRequest }
  | { ok: false; code: 'schedule_forged' | 'schedule_corrupt'; reason: string };

/**
 * The request a tag message carries for the ref's environment and id, pointing at `taggedSha`. Refused:
 * no marker, several, one that does not verify for this repository, environment and id (made up, edited,
 * moved), or one naming another id, environment or commit than where it is stored. Never throws.
 */
export function readScheduleMessage(
  message: unknown,
  keys: MarkerKeys,
  where: { repository: string; environment: string; id: string; taggedSha: string },
): ScheduleRead {
  const tampered: TamperReason[] = [];
  const markers = readMarkerBlock(message, [SCHEDULE_KIND], {
    keys,
    scope: scheduleScope(where.repository, where.environment, where.id),
    onTamper: (t) => tampered.push(t.reason),
  });
  if (markers.length !== 1 || tampered.length)
    return {
      ok: false,
      code: 'schedule_forged',
      reason: tampered.length ? tampered.join(', ') : markers.length ? 'more than one marker' : 'no marker',
    };
  const parsed = schema.safeParse(markers[0]!.data);
  if (!parsed.success) {
    // Signed by the App, so most likely a newer replica's format (a rolling upgrade): said so, left in place.
    const [unreadable] = unreadableMarkers(markers, SCHEDULE_KIND, schema, 1);
    return {
      ok: false,
      code: 'schedule_corrupt',
      reason: `not a request this version reads (${unreadable?.why ?? 'refused'}): written by a newer version of the App?`,
    };
  }
  const d = parsed.data;
  // Signed for this place, yet naming another: only a writer with the key could, so a bug; refuse it anyway.
  if (d.id !== where.id || d.env.toLowerCase() !== where.environment.toLowerCase())
    return { ok: false, code: 'schedule_corrupt', reason: 'names another request' };
  if (d.sha !== where.taggedSha.toLowerCase())
    return {
      ok: false,
      code: 'schedule_forged',
      reason: 'the tag points at another commit than the request',
    };
  if (d.mode === 'at' && d.at === undefined)
    return { ok: false, code: 'schedule_corrupt', reason: 'a scheduled request without its time' };
  return {
    ok: true,
    request: {
      id: d.id,
      mode: d.mode,
      ...askedFromWire(d),
      pr: d.pr,
      requestedAt: new Date(d.asked),
      ...(d.at !== undefined ? { at: new Date(d.at) } : {}),
      ...(d.zone !== undefined ? { zone: d.zone } : {}),
    },
  };
}
