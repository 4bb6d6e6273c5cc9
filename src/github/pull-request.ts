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

export function pullRequestContext(
  api: ReviewsApi,
  graphql: GraphqlFn,
  where: { owner: string; repo: string; number: number; headSha?: string },
): NonNullable<GateContext['pullRequest']> {
  return {
    number: where.number,
    ...(where.headSha ? { headSha: where.headSha } : {}),
    reviewThreads: (signal) => readReviewThreads(graphql, where, { signal }),
    async labels(signal) {
      const names: string[] = [];
      for (let page = 1; page <= MAX_LABEL_PAGES; page++) {
        signal?.throwIfAborted();
        const { data } = await api.issues.listLabelsOnIssue({
          owner: where.owner,
          repo: where.repo,
          issue_number: where.number,
          per_page: 100,
          page,
          ...(signal ? { request: { signal } } : {}),
        });
        for (const label of data) names.push(label.name);
        if (data.length < 100) return names;
      }
      throw new Error(
        `it has more than ${MAX_LABEL_PAGES * 100} labels, and the check reads at most ${MAX_LABEL_PAGES} pages of 100`,
      );
    },
    async reviews(signal) {
      const reviews: Array<{ user: string; state: string; commitId?: string; association?: string }> = [];
      for (let page = 1; page <= MAX_REVIEW_PAGES; page++) {
        // A cancelled gate asks for no further page, even when the last one answered despite the abort.
        signal?.throwIfAborted();
        const { data } = await api.pulls.listReviews({
          owner: where.owner,
          repo: where.repo,
          pull_number: where.number,
          per_page: 100,
          page,
          ...(signal ? { request: { signal } } : {}),
        });
        for (const r of data) {
          // A review by a deleted account has no user; it cannot count as anyone's approval.
          if (r.user)
            reviews.push({
              user: r.user.login,
              state: r.state,
              commitId: r.commit_id ?? undefined,
              association: r.author_association,
            });
        }
        if (data.length < 100) return reviews;
      }
      // A later page may hold an approver's latest review (a change request after an approval): not decided.
      throw new Error(
        `it has more than ${MAX_REVIEW_PAGES * 100} reviews, and the check reads at most ${MAX_REVIEW_PAGES} pages of 100`,
      );
    },
  };
}
