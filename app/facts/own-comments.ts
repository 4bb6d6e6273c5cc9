// The app's own identity and what it wrote: its app id and bot login (from its credentials), and the PR's
// comments written by the app (approval markers, pending requests, gate notices, the status comment). One
// module for the commands and the event handlers, so "the app's own comment" means the same thing everywhere.
import { statusCommentEnvironment } from '../../src/github/status-comment.ts';
import { readMarkerBlock } from '../../src/github/hidden-marker.ts';
import type { MarkerScope } from '../../src/github/hidden-marker.ts';
import type { MarkerKeys } from '../../src/github/marker-keys.ts';
import { APPROVAL_MARKER, parseApprovalMarkers } from '../../src/policy/index.ts';
import type { ApprovalRecord } from '../../src/policy/index.ts';
import { parsePendingMarkers, PENDING_MARKER } from '../deploy/pending.ts';
import type { PendingRequest } from '../deploy/pending.ts';
import { GATE_MARKER, parseGateNotices } from '../deploy/gate-notice.ts';
import type { GateNotice } from '../deploy/gate-notice.ts';
import { HEAD_MARKER, parseHeadNotices } from '../deploy/head-notice.ts';
import { parseStartedNotices, STARTED_MARKER } from '../schedule/started-notice.ts';
import { ANSWERED_MARKER, parseAnsweredPresses } from '../deploy/press-answer.ts';
import { FactsError } from './config.ts';
import type { Api, Octokit, Where } from './github.ts';

/**
 * This app's id, from its own credentials (no request): check runs carry it as `app.id`. Asking the client
 * for it signs a fresh App JWT (an RSA signature and a key import, a few ms of CPU), and one event asked
 * up to four times, so it is kept per client (one per event): the same credentials always name the same app.
 * A failure is not kept, so the next ask tries again.
 */
export function ownAppId(octokit: Octokit): Promise<number> {
  let id = appIds.get(octokit);
  if (!id) {
    id = octokit.auth({ type: 'app' }).then((auth) => Number((auth as { appId: number | string }).appId));
    appIds.set(octokit, id);
    id.catch(() => appIds.delete(octokit));
  }
  return id;
}

const appIds = new WeakMap<Octokit, Promise<number>>();
const botLogins = new Map<number, Promise<string>>();

/**
 * This app's bot login (`<slug>[bot]`), the author of its comments: asked once per process with the app's
 * JWT (GET /app), a JWT signed only then. A failure is not cached, so the next event asks again.
 */
export async function ownBotLogin(octokit: Octokit): Promise<string> {
  const appId = await ownAppId(octokit);
  let login = botLogins.get(appId);
  if (!login) {
    login = octokit
      .auth({ type: 'app' })
      .then((auth) =>
        octokit.request('GET /app', {
          headers: { authorization: `bearer ${(auth as { token: string }).token}` },
        }),
      )
      .then(({ data }) => `${(data as { slug: string }).slug}[bot]`);
    botLogins.set(appId, login);
    login.catch(() => botLogins.delete(appId));
  }
  return login;
}

export interface AppComments {
  approvals: ApprovalRecord[];
  pending: PendingRequest[];
  /** The status comment per environment (lower-case name), if the app wrote one. */
  statusCommentIds: Map<string, number>;
  /** Protection rules the app said are waiting for approval on this PR (they may have been answered since). */
  gates: GateNotice[];
  /**
   * Every commit the app's comments asked approvals for (its pending requests, its waiting protection rules)
   * or said is the new head (its notice of a push), with the comment that said so: what an approver could
   * have seen, in GitHub's order (comment ids grow).
   */
  asked: AskedApproval[];
  /** The scheduled and queued requests (their ids) the App's "Started" replies here say started (run-due.ts). */
  startedRequests: Set<string>;
  /** The presses of the App's buttons its replies here say were answered (press-answer.ts: pressId). */
  answeredPresses: Set<string>;
  /** The presses its replies here say could not be finished (not answered: a later delivery answers them). */
  failedPresses: Set<string>;
  /**
   * How many 😕 reactions (anyone's) each comment read carried, by comment id, as GitHub counts them on the
   * comments it lists; a comment GitHub listed without its counts is not here.
   */
  confused: Map<number, number>;
}

/** One commit a comment of the app asked approvals for, or said is the head (AppComments.asked). */
export interface AskedApproval {
  /** Undefined: every environment (a notice of a push names the head, not an environment). */
  environment: string | undefined;
  sha: string;
  /** The app's comment that asked. */
  commentId: number;
  /** A /rollback request: it asks for an earlier commit, never the head. */
  rollback: boolean;
}

const MAX_COMMENT_PAGES = 10;

/** How the app writes and checks its own markers: its keys, and where an ignored marker is reported. */
export interface MarkerTrust {
  keys: MarkerKeys;
  /** The app log's warn (pino's signature): a marker that fails its MAC is tampering, worth a look. */
  warn: (fields: Record<string, unknown>, message: string) => void;
}

/** The trust of one event: the app's keys, tampering warned about in the event's log. */
export function markerTrust(
  keys: MarkerKeys,
  log: { warn: (fields: Record<string, unknown>, message: string) => void },
): MarkerTrust {
  return { keys, warn: (fields, message) => log.warn(fields, message) };
}

/** What markers on this pull request are bound to. */
export const markerScope = (where: Where, pullRequest: number): MarkerScope => ({
  repository: `${where.owner}/${where.repo}`,
  pullRequest,
});

const STATE_MARKERS = [
  APPROVAL_MARKER,
  PENDING_MARKER,
  GATE_MARKER,
  HEAD_MARKER,
  STARTED_MARKER,
  ANSWERED_MARKER,
];

/** The PR's comments written by the app itself: the only ones whose markers are read, and only if they verify. */
export async function readAppComments(
  api: Api,
  where: Where,
  number: number,
  botLogin: string,
  trust: MarkerTrust,
): Promise<AppComments> {
  const out: AppComments = {
    approvals: [],
    pending: [],
    statusCommentIds: new Map(),
    gates: [],
    asked: [],
    startedRequests: new Set(),
    answeredPresses: new Set(),
    failedPresses: new Set(),
    confused: new Map(),
  };
  const bot = botLogin.toLowerCase();
  const scope = markerScope(where, number);
  for (let page = 1; page <= MAX_COMMENT_PAGES; page++) {
    const { data } = await api.issues.listComments({ ...where, issue_number: number, per_page: 100, page });
    for (const c of data) {
      const login = c.user?.login.toLowerCase() ?? '';
      const body = c.body ?? '';
      if (typeof c.reactions?.confused === 'number') out.confused.set(c.id, c.reactions.confused);
      if (login === bot) {
        const markers = readMarkerBlock(body, STATE_MARKERS, {
          keys: trust.keys,
          scope,
          onTamper: (t) =>
            trust.warn(
              { repository: scope.repository, pr: number, comment: c.id, marker: t.kind, reason: t.reason },
              "ignored a marker that is not the app's own (tampering?)",
            ),
        });
        const pending = parsePendingMarkers(markers);
        const gates = parseGateNotices(markers);
        out.approvals.push(...parseApprovalMarkers(markers));
        out.pending.push(...pending);
        out.gates.push(...gates);
        for (const p of pending)
          out.asked.push({
            environment: p.environment,
            sha: p.sha,
            commentId: c.id,
            rollback: p.type === 'rollback',
          });
        for (const g of gates)
          out.asked.push({ environment: g.environment, sha: g.sha, commentId: c.id, rollback: false });
        for (const sha of parseHeadNotices(markers))
          out.asked.push({ environment: undefined, sha, commentId: c.id, rollback: false });
        for (const id of parseStartedNotices(markers)) out.startedRequests.add(id);
        const presses = parseAnsweredPresses(markers);
        for (const press of presses.answered) out.answeredPresses.add(press);
        for (const press of presses.failed) out.failedPresses.add(press);
      }
      // The status comment a deployment the App starts names (its payload's comment_id): the App and the
      // Action write into it, and the App reads its state back. Only the App's own counts: another app's
      // comment, or github-actions[bot]'s (any workflow with a token that writes to the repository posts as
      // it), would be taken over and believed. Without one of its own the App writes a new one.
      const env = statusCommentEnvironment(body);
      if (env && login === bot && !out.statusCommentIds.has(env.toLowerCase()))
        out.statusCommentIds.set(env.toLowerCase(), c.id);
    }
    if (data.length < 100) return out;
  }
  // Read on, and every command would make one more request per 100 comments; stop, and a veto (or a pending
  // request) the App wrote after the comments read would go unseen while the approvals before it count.
  throw new FactsError(
    'too_many_comments',
    `pull request #${number} has more than ${MAX_COMMENT_PAGES * 100} comments, the most the app reads for ` +
      'its approvals and vetoes: nothing is decided on them here (continue in a new pull request)',
  );
}
