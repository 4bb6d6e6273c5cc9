// A pull request's review threads, read through GitHub's GraphQL API (REST has no resolution state), in pages
// of 100, never more than `maxPages` pages: what the review gate needs to tell whether every review comment
// was addressed. Only where each thread is and who started it are read, never what anyone wrote.

/**
 * octokit.graphql, or anything that posts a query with variables and returns `data` (throws on `errors`).
 * `variables.request`, when given, is Octokit's request option, not a variable: its `signal` aborts the request.
 */
export type GraphqlFn = (query: string, variables: Record<string, unknown>) => Promise<unknown>;

export const THREADS_PER_PAGE = 100;
/** 10 pages: 1,000 threads, far more than a reviewable pull request has. */
export const DEFAULT_MAX_THREAD_PAGES = 10;

export const REVIEW_THREADS_QUERY = `query ReviewThreads($owner: String!, $name: String!, $number: Int!, $after: String) {
  repository(owner: $owner, name: $name) {
    pullRequest(number: $number) {
      reviewThreads(first: ${THREADS_PER_PAGE}, after: $after) {
        pageInfo { hasNextPage endCursor }
        nodes {
          isResolved
          isOutdated
          path
          line
          comments(first: 1) { nodes { author { login } url } }
        }
      }
    }
  }
}`;

export interface ReviewThread {
  /** The file the thread is on, as GitHub gives it. */
  path: string;
  /** Its line in the head version; none when it is outdated or on the whole file. */
  line?: number;
  /** The lines it was on changed since (GitHub still shows it unresolved). */
  outdated: boolean;
  /** Who wrote its first comment; none for a deleted account. */
  author?: string;
  /** Its first comment's web address. */
  url?: string;
}

export interface ReviewThreadsRead {
  /** The unresolved threads, in GitHub's order. */
  unresolved: ReviewThread[];
  /** Threads read, resolved or not. */
  read: number;
  /** Pages (requests) read. */
  pages: number;
  /** The page bound stopped the reading: more threads exist than were read. */
  truncated: boolean;
}

/** GitHub answered something the reading cannot use: the message says what. */
export class ReviewThreadsError extends Error {}

interface ThreadNode {
  isResolved?: unknown;
  isOutdated?: unknown;
  path?: unknown;
  line?: unknown;
  comments?: { nodes?: Array<{ author?: { login?: unknown } | null; url?: unknown } | null> } | null;
}

function threadOf(node: ThreadNode | null, index: number): ReviewThread & { resolved: boolean } {
  // A thread GitHub could not show has no resolution state to judge: it is not taken as resolved.
  if (!node || typeof node.isResolved !== 'boolean' || typeof node.path !== 'string')
    throw new ReviewThreadsError(
      `GitHub answered review thread ${index + 1} without its resolution state or path`,
    );
  const first = node.comments?.nodes?.[0];
  const login = first?.author?.login;
  return {
    resolved: node.isResolved,
    path: node.path,
    ...(typeof node.line === 'number' ? { line: node.line } : {}),
    outdated: node.isOutdated === true,
    ...(typeof login === 'string' && login ? { author: login } : {}),
    ...(typeof first?.url === 'string' ? { url: first.url } : {}),
  };
}

export async function readReviewThreads(
  graphql: GraphqlFn,
  where: { owner: string; repo: string; number: number },
  options: { maxPages?: number; signal?: AbortSignal | undefined } = {},
): Promise<ReviewThreadsRead> {
  const { maxPages = DEFAULT_MAX_THREAD_PAGES, signal } = options;
  const unresolved: ReviewThread[] = [];
  let read = 0;
  let after: string | null = null;
  for (let pages = 0; ;) {
    if (pages >= maxPages) return { unresolved, read, pages, truncated: true };
    // A cancelled gate asks for no further page, even when the last one answered despite the abort.
    signal?.throwIfAborted();
    pages++;
    const answer = (await graphql(REVIEW_THREADS_QUERY, {
      owner: where.owner,
      name: where.repo,
      number: where.number,
      after,
      ...(signal ? { request: { signal } } : {}),
    })) as { repository?: { pullRequest?: { reviewThreads?: unknown } | null } | null } | null;
    if (!answer?.repository)
      throw new ReviewThreadsError(
        `GitHub has no repository ${where.owner}/${where.repo} (or the token cannot read it)`,
      );
    if (!answer.repository.pullRequest)
      throw new ReviewThreadsError(
        `GitHub has no pull request #${where.number} in ${where.owner}/${where.repo}`,
      );
    const connection = answer.repository.pullRequest.reviewThreads as
      | { nodes?: Array<ThreadNode | null>; pageInfo?: { hasNextPage?: unknown; endCursor?: unknown } }
      | null
      | undefined;
    if (!connection || !Array.isArray(connection.nodes) || !connection.pageInfo)
      throw new ReviewThreadsError('GitHub answered the review threads query without threads or pageInfo');
    for (const node of connection.nodes) {
      const { resolved, ...thread } = threadOf(node, read);
      read++;
      if (!resolved) unresolved.push(thread);
    }
    const { hasNextPage, endCursor } = connection.pageInfo;
    if (hasNextPage !== true) return { unresolved, read, pages, truncated: false };
    // More threads follow: without a new cursor they cannot be read, and must not be taken as resolved.
    if (typeof endCursor !== 'string' || endCursor === after)
      throw new ReviewThreadsError(
        `GitHub said more review threads follow after ${read} but gave no new cursor to read them`,
      );
    after = endCursor;
  }
}
