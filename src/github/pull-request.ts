// The pull request as the review gate sees it: its reviews, review threads and labels, read lazily and only
// if the gate asks.
import type { GateContext } from '../gates/types.ts';
import { readReviewThreads, type GraphqlFn } from './review-threads.ts';

/** The Octokit calls this needs, so tests can pass a tiny fake. */
export interface ReviewsApi {
  issues: {
    /** A pull request's labels are its issue's. */
    listLabelsOnIssue(params: {
      owner: string;
      repo: string;
      issue_number: number;
      per_page: number;
      page: number;
      request?: { signal?: AbortSignal };
    }): Promise<{ data: Array<{ name: string }> }>;
  };
  pulls: {
    listReviews(params: {
      owner: string;
      repo: string;
      pull_number: number;
      per_page: number;
      page: number;
      /** Octokit aborts the request when this signal does. */
      request?: { signal?: AbortSignal };
    }): Promise<{
      data: Array<{
        user: { login: string } | null;
        state: string;
        commit_id?: string | null;
        author_association?: string;
      }>;
    }>;
  };
}

/** Pages of 100 reviews read at most: past them the latest review of each approver is not known. */
export const MAX_REVIEW_PAGES = 30;

/** Pages of 100 labels read at most (GitHub allows 100 labels on an issue): past them a skip label is not known. */
export const MAX_LABEL_PAGES = 3;

/**
 * Every item of a list GitHub answers in pages of 100, reading at most `maxPages`: past them the list is not
 * known whole, which is an error, never a part taken for the whole. A cancelled gate asks for no further
 * page, even when the last one answered despite the abort.
 */
async function readPages<T>(
  maxPages: number,
  what: string,
  signal: AbortSignal | undefined,
  read: (
    page: { per_page: number; page: number },
    request: { request?: { signal?: AbortSignal } },
  ) => Promise<{ data: T[] }>,
): Promise<T[]> {
  const items: T[] = [];
  for (let page = 1; page <= maxPages; page++) {
    signal?.throwIfAborted();
    const { data } = await read({ per_page: 100, page }, signal ? { request: { signal } } : {});
    items.push(...data);
    if (data.length < 100) return items;
  }
  throw new Error(
    `it has more than ${maxPages * 100} ${what}, and the check reads at most ${maxPages} pages of 100`,
  );
}

export function pullRequestContext(
  api: ReviewsApi,
  graphql: GraphqlFn,
  where: { owner: string; repo: string; number: number; headSha?: string },
): NonNullable<GateContext['pullRequest']> {
  const repository = { owner: where.owner, repo: where.repo };
  return {
    number: where.number,
    ...(where.headSha ? { headSha: where.headSha } : {}),
    reviewThreads: (signal) => readReviewThreads(graphql, where, { signal }),
    async labels(signal) {
      const pages = await readPages(MAX_LABEL_PAGES, 'labels', signal, (page, request) =>
        api.issues.listLabelsOnIssue({ ...repository, issue_number: where.number, ...page, ...request }),
      );
      return pages.map((label) => label.name);
    },
    async reviews(signal) {
      // A later page may hold an approver's latest review (a change request after an approval): not decided.
      const pages = await readPages(MAX_REVIEW_PAGES, 'reviews', signal, (page, request) =>
        api.pulls.listReviews({ ...repository, pull_number: where.number, ...page, ...request }),
      );
      // A review by a deleted account has no user; it cannot count as anyone's approval.
      return pages.flatMap((r) =>
        r.user
          ? [
              {
                user: r.user.login,
                state: r.state,
                commitId: r.commit_id ?? undefined,
                association: r.author_association,
              },
            ]
          : [],
      );
    },
  };
}
