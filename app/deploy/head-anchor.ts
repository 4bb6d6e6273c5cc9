// What the App can authenticate about a pull request's history of heads (head-history.ts) where nobody else
// can rewrite it: when it records a head, it first leaves a completed check run of its own on that commit,
// `deploy head: PR #<n>`, whose external id says GitHub's time the commit became the head. Nobody else can
// create a check run under the App's name, edit or delete it, and it stays on its commit. So a history ref that
// anyone who can push deleted, or pointed back at an older genuine history of the same pull request, is told
// apart from "never recorded": the head the pull request shows has the App's anchor, and the history has no
// entry for it as new as that (dispatch.ts, headAtComment).
import { checkRunsThroughSuites, TooManyCheckRuns } from '../../src/github/app-check-runs.ts';
import type { CheckSuitesApi, MarkCheckRun } from '../../src/github/app-check-runs.ts';
import type { Where } from '../facts/github.ts';
import type { HeadSeen } from './head-history.ts';

/** One name per pull request: a commit that is the head of two pull requests has one anchor for each. */
export const headAnchorName = (pr: number): string => `deploy head: PR #${pr}`;
const externalId = (pr: number, at: Date): string => `deploy-head:${pr}:${at.toISOString()}`;
const EXTERNAL_ID = /^deploy-head:(\d+):(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z)$/;
/** The App writes one per time a commit becomes the head: more than this is not read, never taken as none. */
const MAX_ANCHORS = 100;

interface AnchorRun {
  id: number;
  name?: string;
  external_id: string | null;
  app?: { id: number } | null;
}

export interface HeadAnchorApi {
  checks: CheckSuitesApi<AnchorRun>['checks'] & {
    create(params: MarkCheckRun): Promise<unknown>;
  };
}

/** Leaves the App's anchor of `seen` on its commit (before the history is written: see the file comment). */
export async function anchorHead(
  api: HeadAnchorApi,
  where: Where,
  pr: number,
  seen: HeadSeen,
): Promise<void> {
  await api.checks.create({
    ...where,
    name: headAnchorName(pr),
    head_sha: seen.sha,
    external_id: externalId(pr, seen.at),
    status: 'completed',
    conclusion: 'neutral',
    output: {
      title: `Head of pull request #${pr} since ${seen.at.toISOString()}`,
      summary: `The deploy App saw this commit become the head of pull request #${pr} at ${seen.at.toISOString()} (GitHub's time). A command written after that is for this commit.`,
    },
  });
}

/**
 * The newest time the App anchored `sha` as the head of `pr`: `none` when it never did (a head it has not
 * recorded yet, or a pull request from before it kept heads), `unreadable` past MAX_ANCHORS. Only check runs
 * GitHub says the App created are read (its own check suite).
 */
export async function newestAnchor(
  api: HeadAnchorApi,
  where: Where,
  pr: number,
  sha: string,
  appId: number,
): Promise<{ status: 'anchored'; at: Date } | { status: 'none' } | { status: 'unreadable' }> {
  let runs: AnchorRun[];
  try {
    ({ runs } = await checkRunsThroughSuites(api, where, {
      sha,
      name: headAnchorName(pr),
      appId,
      maxRuns: MAX_ANCHORS,
    }));
  } catch (error) {
    if (error instanceof TooManyCheckRuns) return { status: 'unreadable' };
    throw error;
  }
  const times = runs
    .map((r) => EXTERNAL_ID.exec(r.external_id ?? ''))
    .filter((m): m is RegExpExecArray => m !== null && Number(m[1]) === pr)
    .map((m) => new Date(m[2]!).getTime())
    .filter((t) => !Number.isNaN(t));
  return times.length ? { status: 'anchored', at: new Date(Math.max(...times)) } : { status: 'none' };
}

export type AnchoredHistory =
  | { status: 'trusted' }
  /** No history, and no anchor of the head: a pull request from before the App kept heads. */
  | { status: 'legacy' }
  | {
      status: 'tampered';
      /**
       * history_missing: the head has the App's anchor but the history is gone (deleted). history_stale: the
       * history has no entry for the head as new as its anchor (set back to an older one of the same pull
       * request). anchor_unreadable: more anchors than are read.
       */
      reason: 'history_missing' | 'history_stale' | 'anchor_unreadable';
    };

/**
 * Pure: whether a history read may be believed for the head `head`, given the App's newest anchor of that head.
 * A history the App did not write at all (refused) is the caller's; this is about genuine histories that are
 * not the newest, or none where one was written.
 */
export function historyAgainstAnchor(
  history: { status: 'none' } | { status: 'read'; heads: readonly HeadSeen[] },
  head: string,
  anchor: Awaited<ReturnType<typeof newestAnchor>>,
): AnchoredHistory {
  if (anchor.status === 'unreadable') return { status: 'tampered', reason: 'anchor_unreadable' };
  if (history.status === 'none')
    return anchor.status === 'anchored'
      ? { status: 'tampered', reason: 'history_missing' }
      : { status: 'legacy' };
  if (anchor.status === 'none') return { status: 'trusted' };
  const sha = head.toLowerCase();
  const recorded = history.heads.some((h) => h.sha === sha && h.at.getTime() >= anchor.at.getTime());
  return recorded ? { status: 'trusted' } : { status: 'tampered', reason: 'history_stale' };
}
