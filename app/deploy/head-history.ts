// The heads a pull request had, and when, as the App saw them (pull_request opened, reopened, synchronize),
// kept without a comment: the message of an annotated tag on the newest head, pointed at by the ref
// refs/deploy-heads/pr-<number>, ending with one marker MAC'd under the App's marker key for the repository and
// the pull request (src/github/hidden-marker.ts). Anyone who can push can move or delete the ref, but cannot
// write a history that verifies, nor move one to another pull request. Deleting it, or pointing it back at an
// older history of the same pull request, is told by the App's check run on each head it records
// (head-anchor.ts), written before the history.
//
// What it is for (dispatch.ts, headMovedSince): before the App has shown any head on a pull request (no
// request, no notice of a push), a command is bound to the head that was current when its comment was written
// (GitHub's created_at against GitHub's time of each head): a /deploy written at head A and handled after a
// push of B does not deploy B. The times are GitHub's both: the webhook's pull_request.created_at/updated_at
// and the comment's created_at.
import * as z from 'zod';
import { appendMarkers, markersOf, readMarkerBlock, writeMarker } from '../../src/github/hidden-marker.ts';
import type { MarkerScope } from '../../src/github/hidden-marker.ts';
import type { MarkerKeys } from '../../src/github/marker-keys.ts';
import type { GitRefCalls } from '../facts/git-refs.ts';
import type { Where } from '../facts/github.ts';
import type { SwapRef } from '../schedule/swap-ref.ts';

const KIND = 'heads';
/** Heads kept, newest: a comment older than all of them is not bound (never taken for the head). */
export const MAX_HEADS = 100;

export const headRefName = (pr: number): string => `deploy-heads/pr-${pr}`;

const SHA = /^[0-9a-f]{40}$/;
const schema = z.strictObject({
  v: z.literal(1),
  heads: z
    .array(z.strictObject({ sha: z.string().regex(SHA), at: z.iso.datetime({ offset: true }) }))
    .max(MAX_HEADS),
});

export interface HeadSeen {
  sha: string;
  /** GitHub's time from which it was the head. */
  at: Date;
}

/** The Octokit calls the history uses (pass `octokit.rest`), so tests can hand in a tiny fake. */
export interface HeadHistoryApi {
  git: Pick<GitRefCalls, 'createTag' | 'getTag' | 'getRef' | 'createRef' | 'updateRef'>;
}

const scope = (where: Where, pr: number): MarkerScope => ({
  repository: `${where.owner}/${where.repo}`,
  pullRequest: pr,
  subject: KIND,
});

const status = (error: unknown): number | undefined => (error as { status?: number }).status;

export type HeadHistory =
  | { status: 'none' }
  /** `oid`: the tag the ref points at (what a conditional update moves it from). */
  | { status: 'read'; heads: HeadSeen[]; oid: string }
  /** A ref that holds no history the App wrote (made up, edited, moved from another pull request). */
  | { status: 'refused'; reason: string; oid: string };

/** The pull request's history of heads, oldest first. */
export async function readHeadHistory(
  api: HeadHistoryApi,
  where: Where,
  keys: MarkerKeys,
  pr: number,
): Promise<HeadHistory> {
  let object;
  try {
    ({ object } = (await api.git.getRef({ ...where, ref: headRefName(pr) })).data);
  } catch (error) {
    if (status(error) === 404) return { status: 'none' };
    throw error;
  }
  if (object.type !== 'tag') return { status: 'refused', reason: 'not a tag', oid: object.sha };
  let message: string;
  try {
    ({ message } = (await api.git.getTag({ ...where, tag_sha: object.sha })).data);
  } catch (error) {
    if (status(error) === 404) return { status: 'refused', reason: 'its tag is gone', oid: object.sha };
    throw error;
  }
  let tampered = false;
  const markers = readMarkerBlock(message, [KIND], {
    keys,
    scope: scope(where, pr),
    onTamper: () => (tampered = true),
  });
  const found = markersOf(markers, KIND, schema);
  if (tampered || found.length !== 1)
    return { status: 'refused', reason: 'no history the App wrote', oid: object.sha };
  const heads = found[0]!.heads.map((h) => ({ sha: h.sha, at: new Date(h.at) }));
  return { status: 'read', heads: heads.sort((a, b) => a.at.getTime() - b.at.getTime()), oid: object.sha };
}

/**
 * Pure: `seen` added to `heads` (oldest first, at most MAX_HEADS, the oldest dropped). Undefined when it is
 * there already (a redelivery).
 */
export function withHead(heads: readonly HeadSeen[], seen: HeadSeen): HeadSeen[] | undefined {
  const sha = seen.sha.toLowerCase();
  if (heads.some((h) => h.sha === sha && h.at.getTime() === seen.at.getTime())) return undefined;
  return [...heads, { sha, at: seen.at }].sort((a, b) => a.at.getTime() - b.at.getTime()).slice(-MAX_HEADS);
}

export type RecordHeadOutcome = 'recorded' | 'already_recorded';

export interface RecordHeadOptions {
  /**
   * Moves the ref only if it still points at the history read (swap-ref.ts): one request, and a write of
   * another delivery at the same moment is never lost, so nothing needs reading again. Without it the ref is
   * forced and the history read again to check.
   */
  swap?: SwapRef;
  /** Leaves the App's anchor of the head (head-anchor.ts), once, before the history is written. */
  anchor?: (seen: HeadSeen) => Promise<void>;
}

/**
 * Adds a head to the history: read, add, write a new tag, move the ref to it (three tries: a write of another
 * delivery at the same moment may come first, and it is added to that). A history that is not the App's is
 * started anew. A head left out leaves a comment unbound: refused, not taken for another head.
 */
export async function recordHead(
  api: HeadHistoryApi,
  where: Where,
  keys: MarkerKeys,
  pr: number,
  seen: HeadSeen,
  options: RecordHeadOptions = {},
): Promise<RecordHeadOutcome> {
  let anchored = false;
  for (let attempt = 0; attempt < 3; attempt++) {
    const history = await readHeadHistory(api, where, keys, pr);
    const heads = withHead(history.status === 'read' ? history.heads : [], seen);
    if (!heads) return attempt === 0 ? 'already_recorded' : 'recorded';
    // The anchor first: a history written without one could later be swapped for an older one unnoticed.
    if (options.anchor && !anchored) {
      await options.anchor(seen);
      anchored = true;
    }
    const newest = heads.at(-1)!;
    const data = {
      v: 1 as const,
      heads: heads.map((h) => ({ sha: h.sha, at: h.at.toISOString() })),
    } satisfies z.input<typeof schema>;
    const line = `Heads of pull request #${pr} as the deploy App saw them`;
    const tag = await api.git.createTag({
      ...where,
      tag: headRefName(pr).replace(/\//g, '-'),
      message: `${appendMarkers(line, [writeMarker(KIND, data, keys, scope(where, pr))])}\n`,
      object: newest.sha,
      type: 'commit',
    });
    const ref = headRefName(pr);
    if (history.status === 'none') {
      try {
        await api.git.createRef({ ...where, ref: `refs/${ref}`, sha: tag.data.sha });
        if (options.swap) return 'recorded';
      } catch (error) {
        // Created meanwhile by another delivery: read again, and added to it.
        if (status(error) !== 422) throw error;
      }
    } else if (options.swap) {
      if (await options.swap(`refs/${ref}`, history.oid, tag.data.sha)) return 'recorded';
    } else {
      try {
        await api.git.updateRef({ ...where, ref, sha: tag.data.sha, force: true });
      } catch (error) {
        // Deleted meanwhile: read again, and written anew.
        if (status(error) !== 422) throw error;
      }
    }
  }
  const last = await readHeadHistory(api, where, keys, pr);
  if (last.status === 'read' && !withHead(last.heads, seen)) return 'recorded';
  throw new Error(
    `the head ${seen.sha} of pull request #${pr} could not be recorded (written over three times)`,
  );
}

/**
 * Pure: the head a comment written at `writtenAt` was written at. `bound`: the newest head from before it.
 * `unknown`: the history starts after it, or a head came in the same second (GitHub's times are whole
 * seconds): which one its author saw cannot be told.
 */
export type HeadWhenWritten =
  { status: 'bound'; sha: string } | { status: 'unknown'; reason: 'before_history' | 'same_second' };

export function headWhenWritten(heads: readonly HeadSeen[], writtenAt: Date): HeadWhenWritten {
  const second = (d: Date) => Math.floor(d.getTime() / 1000);
  const at = second(writtenAt);
  const before = heads.filter((h) => second(h.at) < at).at(-1);
  const same = heads.filter((h) => second(h.at) === at).map((h) => h.sha);
  if (same.length) {
    // Only when every head it may have been is one commit.
    const possible = new Set([...(before ? [before.sha] : []), ...same]);
    return possible.size === 1
      ? { status: 'bound', sha: same[0]! }
      : { status: 'unknown', reason: 'same_second' };
  }
  return before ? { status: 'bound', sha: before.sha } : { status: 'unknown', reason: 'before_history' };
}
