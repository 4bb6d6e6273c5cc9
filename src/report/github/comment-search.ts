/**
 * Whether the status comment's first create may skip searching the pull request's comments again: the run
 * searched when it started and found none. Another run (a cancelled one, an overlapping push) may have created
 * the comment since, so the search is skipped only while it is fresh, or on a cancelled run's last write, which
 * must fit in the seconds before the runner's SIGKILL (a second comment is the lesser harm there).
 */
export type RepeatSearch =
  | { search: false; reason: 'searched_recently' | 'cancelled_run' }
  | { search: true; reason: 'not_searched' | 'search_stale' };

/** How long a search that found nothing is trusted: the time a write takes, not a rollout's length. */
export const SEARCH_FRESH_MS = 30_000;

export function repeatSearch(searchedAt: number | undefined, now: number, cancelled: boolean): RepeatSearch {
  if (searchedAt === undefined) return { search: true, reason: 'not_searched' };
  if (cancelled) return { search: false, reason: 'cancelled_run' };
  if (now - searchedAt < SEARCH_FRESH_MS) return { search: false, reason: 'searched_recently' };
  return { search: true, reason: 'search_stale' };
}
