/**
 * How the status comment's first create searches the pull request's comments again: the run searched when it
 * started and found none, and another run (a cancelled one, an overlapping push) may have created the comment
 * since. While that search is fresh the create trusts it (`none`). A cancelled run's last write must fit in the
 * seconds before the runner's SIGKILL (SIGTERM 7.5 s after SIGINT, SIGKILL 2.5 s later): a stale search is
 * then repeated cheaply (`recent`: one page of the comments updated since the start's search, where a
 * comment created since is), not through every page. Otherwise the whole search again (`all`).
 */
export type RepeatSearch =
  | { search: 'none'; reason: 'searched_recently' }
  | { search: 'recent'; reason: 'cancelled_run' }
  | { search: 'all'; reason: 'not_searched' | 'search_stale' };

/** How long a search that found nothing is trusted: the time a write takes, not a rollout's length. */
export const SEARCH_FRESH_MS = 30_000;

/**
 * How far before the start's search (runner's clock) the cheap search reaches back: GitHub's clock, which
 * dates the comments, may be behind the runner's. An earlier comment it also lists was there at the search.
 */
export const SEARCH_SKEW_MS = 5 * 60_000;

export function repeatSearch(searchedAt: number | undefined, now: number, cancelled: boolean): RepeatSearch {
  if (searchedAt === undefined) return { search: 'all', reason: 'not_searched' };
  if (now - searchedAt < SEARCH_FRESH_MS) return { search: 'none', reason: 'searched_recently' };
  if (cancelled) return { search: 'recent', reason: 'cancelled_run' };
  return { search: 'all', reason: 'search_stale' };
}
