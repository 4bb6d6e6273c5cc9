// What people ask of a rollout in progress (issue 14): /promote, /pause, /resume, /abort from the PR, the
// check run's Promote and Abort buttons, or the CLI's verbs. A request is data, bound to the deployment it
// is for, the commit that was approved and the strategy step the requester saw, and signed like the
// environment record (src/control/signed.ts) so whoever reads it back knows the App (or a holder of the
// state key) wrote it. The pipeline machine (waits in the job) and reconcile (a handed-off rollout) read the
// requests and decide with `decideControl` (decide.ts).
import * as z from 'zod';
import { quoted } from '../config/shown.ts';

export const CONTROL_VERBS = ['promote', 'pause', 'resume', 'abort'] as const;
export type ControlVerb = (typeof CONTROL_VERBS)[number];

/**
 * What a recorded request may say: a person's verb, or `revoke`, which no person asks: the App records it when
 * it re-checks, at a later /promote of an `approval: N` wait, an earlier promoter counted for that wait and
 * finds they no longer qualify (or cannot read whether they do). `by` is then the person whose approval no
 * longer counts, `step` the wait's, `reason` why (a stable code: RevokeReason). Their approval counts again
 * only on a /promote of theirs recorded after it (decideControl).
 */
export const REQUEST_VERBS = [...CONTROL_VERBS, 'revoke'] as const;
export type RequestVerb = (typeof REQUEST_VERBS)[number];

/** Why a revocation was recorded: no longer an approver, their own deployment, or their facts unreadable. */
export const REVOKE_REASONS = [
  'not_an_approver',
  'self_approval_refused',
  'unknown_environment',
  'facts_unreadable',
] as const;
export type RevokeReason = (typeof REVOKE_REASONS)[number];

export interface ControlRequest {
  /**
   * Unique per request, and the same for a redelivery of it: `comment:<comment id>`, `button:<check run
   * id>:<sender>:<step>`, `cli:<host>:<pid>:<ms>`. Two requests with one id count once.
   */
  id: string;
  verb: RequestVerb;
  /** Who asked: a GitHub login, or `cli:<user>@<host>`; for a `revoke`, whose approval no longer counts. */
  by: string;
  at: string;
  /** The deployment (record `rollout.deploymentId`) it is for; a request for another one is ignored. */
  deploymentId: string;
  /** The commit the rollout deploys; the App refuses a request whose PR moved away from it. */
  sha?: string;
  /** The strategy step index the requester saw the rollout at: a /promote ends the wait at that step only. */
  step: number;
  /** /promote --full: after the current step's analysis, go straight to 100 %. */
  full?: boolean;
  /**
   * /abort's reason, shown in the history (user text: rendered escaped wherever it is shown); a `revoke`'s
   * RevokeReason.
   */
  reason?: string;
  /** The App checked that the requester may approve this environment: counts for `approval: N`. */
  approver?: boolean;
  /** Where it came from, for reports. */
  source: 'comment' | 'button' | 'cli';
}

/** Unknown keys named in a refusal, each cut short (quoted): the rest are counted. */
const SHOWN_KEYS = 3;

const text = (max: number) => z.string().min(1).max(max);

export const controlRequestSchema = z.strictObject({
  id: text(200),
  verb: z.enum(REQUEST_VERBS),
  by: text(200),
  at: z.string().datetime({ offset: true }),
  deploymentId: text(100),
  sha: z
    .string()
    .regex(/^[0-9a-f]{7,64}$/)
    .optional(),
  step: z.number().int().min(-1).max(10_000),
  full: z.boolean().optional(),
  reason: z.string().max(500).optional(),
  approver: z.boolean().optional(),
  source: z.enum(['comment', 'button', 'cli']),
});

export type ParsedRequest = { ok: true; request: ControlRequest } | { ok: false; message: string };

/** Checks a request read back (after its MAC verified) field by field. */
export function parseControlRequest(value: unknown): ParsedRequest {
  const parsed = controlRequestSchema.safeParse(value);
  if (parsed.success) return { ok: true, request: parsed.data as ControlRequest };
  const issue = parsed.error.issues[0]!;
  // Zod's message for unknown keys quotes every one whole: a key is whatever the line held, of any length.
  const message =
    issue.code === 'unrecognized_keys'
      ? `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.slice(0, SHOWN_KEYS).map(quoted).join(', ')}` +
        (issue.keys.length > SHOWN_KEYS ? ` and ${issue.keys.length - SHOWN_KEYS} more` : '')
      : issue.message;
  // The path names a known key (the schema is flat and strict): nothing from the line.
  const path = issue.path.join('.') || '(root)';
  return { ok: false, message: `not a deploy-action control request: ${path}: ${message}` };
}

/**
 * The verbs that only ever make a rollout safer: it stops moving forward, goes back to what served before, or
 * counts an approval less.
 */
const SAFER_VERBS: ReadonlySet<string> = new Set<RequestVerb>(['abort', 'pause', 'revoke']);

/** The request's known fields, any others dropped: for an /abort, /pause or revocation a newer version wrote. */
const knownFieldsSchema = z.object(controlRequestSchema.shape);

/**
 * A request read back (its MAC verified, or from the CLI's trusted file), as parseControlRequest checks it, but
 * an /abort, /pause or revocation holding fields this version does not know (a newer version's App or CLI
 * wrote it while this one's rollout runs: a rolling upgrade) is acted on by the fields it knows: refused, the
 * abort would be lost and the rollout would go on (or the approval it withdraws counted). A /promote or /resume with such fields is still refused (it could mean
 * less than it says), and so is any field of a known name that does not check.
 */
export function readControlRequest(value: unknown): ParsedRequest {
  const strict = parseControlRequest(value);
  if (strict.ok) return strict;
  const known = knownFieldsSchema.safeParse(value);
  return known.success && SAFER_VERBS.has(known.data.verb)
    ? { ok: true, request: known.data as ControlRequest }
    : strict;
}

/** Where requests are read from while a rollout runs or waits (GitHub check runs, or a file for the CLI). */
export interface ControlSource {
  /**
   * The verified requests for `deploymentId`, oldest first. `changed: false` when nothing changed since the
   * last poll (GitHub answered 304 to the conditional request: no cost). Never throws: a failing read comes
   * back as `error` with the requests last seen.
   */
  poll(deploymentId: string): Promise<ControlPoll>;
}

export interface ControlPoll {
  changed: boolean;
  requests: ControlRequest[];
  /** Requests that did not verify or parse, reported once each (never acted on). */
  refused?: Array<{ where: string; code: string; message: string }>;
  error?: string;
  /**
   * Only part of the requests could be read (GitHub: more check runs than a poll reads). `requests` then holds
   * only those that make the rollout safer (/abort, /pause): a /promote or /resume read in part of the list may
   * be undone by one not read, so it is left out; `error` says so and what to do.
   */
  partial?: true;
  /**
   * The check run each request was first read from (request id → check run id), where the source reads
   * check runs: their ids grow with creation, so it tells what was recorded after a given check run.
   */
  recordedIn?: ReadonlyMap<string, number>;
}

/** Where requests are written (the App: its own check run; the CLI: the state directory). */
export interface ControlSink {
  append(environment: string, request: ControlRequest): Promise<void>;
}
