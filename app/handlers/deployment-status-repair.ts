// issue_comment.edited of a status comment the App itself just wrote: GitHub's signed webhook carries the body
// the edit replaced (`changes.body.from`). The App writes queued and in-progress statuses to a known comment
// without reading it first (deployment-status.ts); when that write replaced something newer (a delivery out of
// order) or dropped what only the Action knows (the commit list, the waits, the analysis warnings), this puts
// it back. Nothing here acts on a command: it only restores a comment the App's own write damaged, from the
// state it showed (never the replaced bytes, which anyone with write access may have written). No state is
// kept: every replica sees the edit.
import type { Probot } from 'probot';
import {
  parseStatusComment,
  renderStatusComment,
  statusCommentEnvironment,
  waitHolds,
} from '../../src/github/status-comment.ts';
import type { StatusCommentState } from '../../src/github/status-comment.ts';
import type { Octokit } from '../facts/github.ts';
import { httpStatus } from '../facts/github.ts';
import { ownBotLogin } from '../facts/own-comments.ts';
import { nextStatusState, repositoryRunUrl } from './deployment-status.ts';

/**
 * What a status comment keeps from its previous state for the same commit (nextStatusState's `base`); the
 * warnings are kept for the same deployment only (repairedState).
 */
const KEPT = ['version', 'strategy', 'previousSha', 'commits', 'commitsTotal', 'waits'] as const;

/**
 * Pure: the state to write back after `after` replaced `before`, or undefined when the write lost nothing.
 * - `before` was newer (another deployment, or a later status of the same one): it is put back as it was.
 * - Same commit: the fields `after` dropped (and a wait that still holds) are added to `after`.
 * Writing the result back loses nothing in turn, so the edit that result makes ends the repairs.
 */
export function repairedState(
  before: StatusCommentState | undefined,
  after: StatusCommentState,
): StatusCommentState | undefined {
  if (!before || after.deploymentId === undefined) return undefined;
  const event = {
    environment: after.environment,
    state: after.state,
    sha: after.sha,
    deploymentId: after.deploymentId,
    at: after.updatedAt,
    ...(after.description ? { description: after.description } : {}),
  };
  if (!nextStatusState(before, event)) return before;
  if (before.sha.toLowerCase() !== after.sha.toLowerCase()) return undefined;
  const lost = KEPT.filter((k) => before[k] !== undefined && after[k] === undefined);
  const waitLost = before.wait !== undefined && after.wait === undefined && waitHolds(before, event);
  // The warnings are their deployment's (nextStatusState): put back for a status of the same one only.
  const warningsLost =
    before.warnings !== undefined &&
    after.warnings === undefined &&
    before.deploymentId === after.deploymentId;
  if (!lost.length && !waitLost && !warningsLost) return undefined;
  const repaired: StatusCommentState = { ...after };
  for (const k of lost) (repaired as unknown as Record<string, unknown>)[k] = before[k];
  if (waitLost) repaired.wait = before.wait;
  if (warningsLost) repaired.warnings = before.warnings;
  return repaired;
}

interface EditedPayload {
  comment: { id: number; body?: string | null; user?: { login: string; type?: string } | null };
  changes?: { body?: { from?: string } };
  sender: { login: string; type?: string };
  repository: { name: string; owner: { login: string }; html_url?: string };
}

export type RepairOutcome =
  | {
      status: 'ignored';
      reason: 'not_a_status_comment' | 'not_own_edit' | 'nothing_lost' | 'comment_deleted';
    }
  | { status: 'restored' | 'completed'; commentId: number };

export async function handleStatusCommentEdit(
  octokit: Octokit,
  payload: EditedPayload,
  appLogin: () => Promise<string> = () => ownBotLogin(octokit),
): Promise<RepairOutcome> {
  const body = payload.comment.body ?? '';
  const from = payload.changes?.body?.from;
  const environment = statusCommentEnvironment(body);
  // A bot's status comment only (the App's or the Action's), and its body before the edit.
  if (environment === undefined || from === undefined || payload.comment.user?.type !== 'Bot')
    return { status: 'ignored', reason: 'not_a_status_comment' };
  // Only the App's own edits: the Action's writes carry the whole state already.
  if (payload.sender.login.toLowerCase() !== (await appLogin()).toLowerCase())
    return { status: 'ignored', reason: 'not_own_edit' };
  const after = parseStatusComment(body, environment);
  const before = parseStatusComment(from, environment);
  if (!after) return { status: 'ignored', reason: 'nothing_lost' };
  const repaired = repairedState(before, after);
  if (!repaired) return { status: 'ignored', reason: 'nothing_lost' };
  if (repaired === before) {
    // Put back from a body anyone may have edited: its run link only when it is this repository's run.
    const runUrl = repositoryRunUrl(before.runUrl, payload.repository.html_url);
    if (runUrl) before.runUrl = runUrl;
    else delete before.runUrl;
  }
  try {
    await octokit.rest.issues.updateComment({
      owner: payload.repository.owner.login,
      repo: payload.repository.name,
      comment_id: payload.comment.id,
      // Rendered from the state, also when the replaced body is put back: that body is anyone's text (a person
      // with write access may edit the App's comment and keep its marker and data line), and only its state,
      // checked field by field (parseStatusComment), is taken from it.
      body: renderStatusComment(repaired),
    });
  } catch (error) {
    // Deleted since the edit (its delivery came late): nothing left to repair; the next status finds or
    // makes the environment's comment (deployment-status.ts).
    if (httpStatus(error) === 404) return { status: 'ignored', reason: 'comment_deleted' };
    throw error;
  }
  return { status: repaired === before ? 'restored' : 'completed', commentId: payload.comment.id };
}

export function registerStatusCommentRepair(app: Probot, login: (octokit: Octokit) => Promise<string>): void {
  app.on('issue_comment.edited', async (context) => {
    const outcome = await handleStatusCommentEdit(
      context.octokit,
      context.payload as unknown as EditedPayload,
      () => login(context.octokit),
    );
    if (outcome.status !== 'ignored')
      context.log.info({ delivery: context.id, ...outcome }, `status comment ${outcome.status}`);
  });
}
