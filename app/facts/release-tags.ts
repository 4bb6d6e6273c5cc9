// The tags a `release_tags` decision needs (src/policy/release-tags.ts): the repository's tags under the
// patterns' literal prefix, each matching one taken to its commit (an annotated tag dereferenced, a tag of a
// tag too). Bounded: at most MAX_REFS refs and MAX_DEREFERENCES tag objects are read. A tag on the commit
// found within the bounds is an answer; "no such tag" is one only when every matching tag was read, else
// the reason it could not be told (fail closed). Errors are such reasons too, never "untagged".
import { releaseTagMatcher, releaseTagPrefix } from '../../src/policy/release-tags.ts';
import type { ReleaseTag, ReleaseTagFacts } from '../../src/policy/release-tags.ts';
import { httpStatus } from './github.ts';
import type { Where } from './github.ts';

/** Tag refs listed at most: matching-refs answers every ref under the prefix at once. */
export const MAX_REFS = 1000;
/** Annotated tag objects read at most (one request each, a tag of a tag is one more). */
export const MAX_DEREFERENCES = 50;
/** Tags of tags followed at most, per ref. */
const MAX_DEPTH = 4;

interface GitObject {
  sha: string;
  type: string;
}

// A type literal, not an interface: Octokit's parameters carry an index signature an interface lacks.
type RepoParams = { owner: string; repo: string };

/** The two calls read (`octokit.rest.git`), narrow so tests can hand in a fake. */
export interface ReleaseTagApi {
  git: {
    listMatchingRefs(
      params: RepoParams & { ref: string },
    ): Promise<{ data: Array<{ ref: string; object: GitObject }>; headers: { link?: string } }>;
    getTag(params: RepoParams & { tag_sha: string }): Promise<{ data: { object: GitObject } }>;
  };
}

/** Why a read failed, in words for the refusal: the HTTP status where GitHub gave one. */
function failure(what: string, error: unknown): string {
  const status = httpStatus(error);
  return `${what} failed${status !== undefined ? ` (HTTP ${status})` : ''}: ${(error as Error).message}`;
}

/**
 * The tags matching `patterns` with their commits, enough to tell whether one points at `sha`: every
 * matching lightweight tag, and the annotated ones dereferenced until one is on `sha` (newest by name first).
 */
export async function releaseTagsAt(
  api: ReleaseTagApi,
  where: Where,
  sha: string,
  patterns: readonly string[],
): Promise<ReleaseTagFacts> {
  const matches = releaseTagMatcher(patterns);
  const target = sha.toLowerCase();
  let listed;
  try {
    listed = await api.git.listMatchingRefs({ ...where, ref: `tags/${releaseTagPrefix(patterns)}` });
  } catch (error) {
    return { ok: false, reason: failure('listing the tags', error) };
  }
  // More than was read: a matching tag on the commit may be among the rest, so only a found one answers.
  const more = /\brel="next"/.test(listed.headers.link ?? '') || listed.data.length > MAX_REFS;
  const tags: ReleaseTag[] = [];
  const annotated: Array<{ name: string; object: GitObject }> = [];
  for (const { ref, object } of listed.data.slice(0, MAX_REFS)) {
    if (!ref.startsWith('refs/tags/')) continue;
    const name = ref.slice('refs/tags/'.length);
    if (!matches(name)) continue;
    if (object.type === 'commit') tags.push({ name, sha: object.sha });
    else if (object.type === 'tag') annotated.push({ name, object });
    // A tag of a tree or a blob is no commit's.
  }
  if (tags.some((tag) => tag.sha.toLowerCase() === target)) return { ok: true, tags };
  // The newest releases are the likeliest to be deployed: by name, v10 after v9.
  annotated.sort((a, b) => b.name.localeCompare(a.name, 'en', { numeric: true }));
  let reads = 0;
  const unfollowed: string[] = [];
  for (const { name, object } of annotated) {
    let current = object;
    for (let depth = 0; current.type === 'tag' && depth < MAX_DEPTH; depth++) {
      if (reads >= MAX_DEREFERENCES)
        return {
          ok: false,
          reason: `more than ${MAX_DEREFERENCES} annotated tags match and none read so far is on the commit; the rest were not read`,
        };
      reads++;
      try {
        current = (await api.git.getTag({ ...where, tag_sha: current.sha })).data.object;
      } catch (error) {
        return { ok: false, reason: failure(`reading the annotated tag "${name}"`, error) };
      }
    }
    // A chain of tags longer than followed: where it ends was not read, so "none on the commit" is not known.
    if (current.type === 'tag') unfollowed.push(name);
    if (current.type !== 'commit') continue;
    tags.push({ name, sha: current.sha });
    if (current.sha.toLowerCase() === target) return { ok: true, tags };
  }
  if (unfollowed.length > 0)
    return {
      ok: false,
      reason: `the annotated tag "${unfollowed[0]}" is a tag of a tag more than ${MAX_DEPTH} deep, which is not followed, and no tag read is on the commit`,
    };
  if (more)
    return {
      ok: false,
      reason: `more than ${MAX_REFS} tags start with "${releaseTagPrefix(patterns)}" and none read is on the commit; the rest were not read`,
    };
  return { ok: true, tags };
}
