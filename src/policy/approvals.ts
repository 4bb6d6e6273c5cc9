// Counting approvals and vetoes. Every record is bound to an environment and a commit: a push makes the
// earlier ones stale. What does not count is kept with its reason, so the app can tell people ("the approval
// by @x was for an older commit"). Also the hidden marker the app writes into its own reply comments to
// record an approval; the app must only read markers from comments it wrote itself, and only those whose
// MAC verifies (src/github/hidden-marker.ts).
import * as z from 'zod';
import { ENVIRONMENT_NAME, ENVIRONMENT_NAME_MAX } from '../config/schema.ts';
import { markersOf, unreadableMarkers, writeMarker } from '../github/hidden-marker.ts';
import type { MarkerScope, VerifiedMarker } from '../github/hidden-marker.ts';
import type { MarkerKeys } from '../github/marker-keys.ts';
import { eligibility, isBot, PERMISSIONS, sameLogin, type Actor } from './actors.ts';
import { normalizePrincipal, type ApprovalRule } from './resolve.ts';
import { PRINCIPAL_PATTERN } from './schema.ts';

export type ApprovalKind = 'approve' | 'reject';

export interface ApprovalRecord {
  kind: ApprovalKind;
  /** Who approved, with the permission and teams the app saw when recording it (re-checked here). */
  by: Actor;
  environment: string;
  sha: string;
  at: Date;
  /** A veto's reason, as given. */
  reason?: string;
  source?: 'comment' | 'check_run';
}

export const DROP_REASONS = [
  'other_environment',
  'stale_sha',
  'future',
  'expired',
  'self_approval',
  'not_an_approver',
  'superseded',
] as const;
/**
 * Why a record does not count: for another environment; for another (older) commit; dated after `now`;
 * older than expires_after; the pull request author approving their own deployment; not (or no longer) an
 * approver; replaced by the same person's later record.
 */
export type DropReason = (typeof DROP_REASONS)[number];

export interface DroppedRecord {
  record: ApprovalRecord;
  reason: DropReason;
}

export interface TallyInput {
  records: readonly ApprovalRecord[];
  environment: string;
  sha: string;
  /** The pull request's author, whose approval needs allowSelfApproval. Their veto always counts. */
  author?: string;
  /**
   * Others whose approval is a self-approval, like the author's: who asked for the deployment, who pushed
   * to the pull request or authored its commits. Their veto counts too.
   */
  selfApprovers?: readonly string[];
  /**
   * The approvers' permission and teams as read at decision time. When given, a record is judged on these
   * (someone who left the team or lost access no longer counts); an approval by a login missing here does
   * not count, a veto is judged on what was recorded. Without it, on what the record says was seen when
   * it was given.
   */
  approverFacts?: readonly Actor[];
  rule: ApprovalRule;
  allowSelfApproval: boolean;
  expiresAfterMs?: number;
  now: Date;
}

export interface ApprovalTally {
  /** rejected: at least one veto counts (a veto wins); approved: enough approvals; else pending. */
  state: 'approved' | 'rejected' | 'pending';
  required: number;
  approvedBy: string[];
  rejectedBy: Array<{ login: string; at: Date; reason?: string }>;
  /** Approvals still needed (0 when approved). */
  missing: number;
  dropped: DroppedRecord[];
}

function dropReason(record: ApprovalRecord, input: TallyInput): DropReason | undefined {
  if (record.environment !== input.environment) return 'other_environment';
  if (record.sha.toLowerCase() !== input.sha.toLowerCase()) return 'stale_sha';
  if (isBot(record.by)) return 'not_an_approver';
  // A veto stops the deployment until its author lifts it: it neither lapses with expires_after nor is lost
  // to a clock running ahead on the replica that recorded it. Only approvals fail on age.
  if (record.kind === 'approve') {
    const age = input.now.getTime() - record.at.getTime();
    if (age < 0) return 'future';
    if (input.expiresAfterMs !== undefined && age > input.expiresAfterMs) return 'expired';
  }
  const self = [input.author, ...(input.selfApprovers ?? [])].some(
    (login) => login !== undefined && sameLogin(record.by.login, login),
  );
  if (record.kind === 'reject' && self) return undefined;
  if (record.kind === 'approve' && self && !input.allowSelfApproval) return 'self_approval';
  // Missing current facts: an approval does not count, a veto stands on what was recorded (fails closed).
  const current =
    input.approverFacts?.find((actor) => sameLogin(actor.login, record.by.login)) ??
    (input.approverFacts === undefined || record.kind === 'reject' ? record.by : undefined);
  if (!current || !eligibility(current, input.rule.approvers, 'approver').ok) return 'not_an_approver';
  return undefined;
}

/**
 * The order in which records replace each other: oldest first; at the same instant a veto comes last, so it
 * is the one that stands.
 */
export function tallyOrder(a: ApprovalRecord, b: ApprovalRecord): number {
  return a.at.getTime() - b.at.getTime() || Number(a.kind === 'reject') - Number(b.kind === 'reject');
}

/** Pure: which approvals and vetoes count for this environment at this commit, now. */
export function tallyApprovals(input: TallyInput): ApprovalTally {
  const dropped: DroppedRecord[] = [];
  const latest = new Map<string, ApprovalRecord>();
  const ordered = [...input.records].sort(tallyOrder);
  for (const record of ordered) {
    const reason = dropReason(record, input);
    const key = normalizePrincipal(record.by.login);
    const previous = latest.get(key);
    if (reason) {
      // An approval that lifted its author's veto lifted it for good: its expiry does not bring the veto back.
      // A self-approver (author, requester, contributor) lifts their own veto the same way: their approval
      // does not count, but it is their word that the veto no longer stands.
      if ((reason === 'expired' || reason === 'self_approval') && previous?.kind === 'reject') {
        dropped.push({ record: previous, reason: 'superseded' });
        latest.delete(key);
      }
      dropped.push({ record, reason });
      continue;
    }
    // One per person: a later approval replaces an earlier veto and the other way round.
    if (previous) dropped.push({ record: previous, reason: 'superseded' });
    latest.set(key, record);
  }
  const counted = [...latest.values()];
  const approvedBy = counted.filter((r) => r.kind === 'approve').map((r) => r.by.login);
  const rejectedBy = counted
    .filter((r) => r.kind === 'reject')
    .map((r) => ({ login: r.by.login, at: r.at, ...(r.reason ? { reason: r.reason } : {}) }));
  const missing = Math.max(0, input.rule.required - approvedBy.length);
  const state = rejectedBy.length > 0 ? 'rejected' : missing === 0 ? 'approved' : 'pending';
  return { state, required: input.rule.required, approvedBy, rejectedBy, missing, dropped };
}

// ---------------------------------------------------------------------------------------------------------
// The hidden marker in the app's reply comments

const MARKER_KIND = 'approval';

const markerSchema = z.strictObject({
  v: z.literal(1),
  kind: z.enum(['approve', 'reject']),
  env: z.string().regex(ENVIRONMENT_NAME).max(ENVIRONMENT_NAME_MAX),
  sha: z.string().regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/i),
  by: z
    .string()
    .regex(PRINCIPAL_PATTERN)
    .refine((login) => !login.includes('/')),
  perm: z.enum(PERMISSIONS),
  teams: z.array(z.string().regex(PRINCIPAL_PATTERN)).max(1000),
  at: z.iso.datetime({ offset: true }),
  reason: z.string().max(2000).optional(),
  src: z.enum(['comment', 'check_run']).optional(),
});

/**
 * The marker recording one approval or veto, authenticated for one pull request of one repository. Post it
 * with appendMarkers (the trailing block of the reply).
 */
export function serializeApprovalMarker(
  record: ApprovalRecord,
  keys: MarkerKeys,
  scope: MarkerScope,
): string {
  const data: z.input<typeof markerSchema> = {
    v: 1,
    kind: record.kind,
    env: record.environment,
    sha: record.sha,
    by: record.by.login,
    perm: record.by.permission,
    teams: [...record.by.teams],
    at: record.at.toISOString(),
    ...(record.reason !== undefined ? { reason: record.reason } : {}),
    ...(record.source !== undefined ? { src: record.source } : {}),
  };
  return writeMarker(MARKER_KIND, data, keys, scope);
}

export const APPROVAL_MARKER = MARKER_KIND;

/** Every well-formed approval among a comment's verified markers; malformed ones are skipped, never thrown on. */
export function parseApprovalMarkers(markers: readonly VerifiedMarker[]): ApprovalRecord[] {
  return markersOf(markers, MARKER_KIND, markerSchema).map((data) => ({
    kind: data.kind,
    by: { login: data.by, permission: data.perm, teams: data.teams },
    environment: data.env,
    sha: data.sha.toLowerCase(),
    at: new Date(data.at),
    ...(data.reason !== undefined ? { reason: data.reason } : {}),
    ...(data.src !== undefined ? { source: data.src } : {}),
  }));
}

/**
 * The approval markers among `markers` that verified (the App wrote them) but that this version cannot read:
 * a newer version's records (another format version, or a field added since). Skipped, one could be a veto, so
 * the ledger refuses to decide on a commit holding one (app/facts/approval-ledger.ts) rather than miss it.
 */
export function unreadableApprovalMarkers(
  markers: readonly VerifiedMarker[],
): { sha?: string; why: string }[] {
  return unreadableMarkers(markers, MARKER_KIND, markerSchema, 1).map(({ data, why }) => {
    const sha = (data as { sha?: unknown } | null)?.sha;
    return typeof sha === 'string' ? { sha: sha.toLowerCase(), why } : { why };
  });
}
