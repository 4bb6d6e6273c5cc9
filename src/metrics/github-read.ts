// Reads the facts for the delivery metrics from GitHub's GraphQL API in pages of 100 deployments, each with
// its statuses and the first commit of its pull request in the same page, newest first, until the window's
// start. Requests: floor(N / 100) + 1 for N deployments in the window (one page more only when the window
// ends exactly on a page boundary and older deployments exist), never more than `maxPages`. docs/metrics.md.
import { oneLine } from '../github/user-text.ts';
import type { DeploymentFact, StatusFact, StatusState } from './types.ts';

/** octokit.graphql, or anything that posts a query with variables and returns `data`. */
export type GraphqlFn = (query: string, variables: Record<string, unknown>) => Promise<unknown>;

export const PAGE_SIZE = 100;
/** Statuses read per deployment (its latest status is read besides, so the final one is never cut off). */
export const STATUSES_PER_DEPLOYMENT = 30;
/** 50 pages: 5,000 deployments. */
export const DEFAULT_MAX_PAGES = 50;

export const DEPLOYMENTS_QUERY = `query DeploymentMetrics($owner: String!, $name: String!, $environments: [String!], $after: String) {
  repository(owner: $owner, name: $name) {
    deployments(environments: $environments, first: ${PAGE_SIZE}, after: $after, orderBy: {field: CREATED_AT, direction: DESC}) {
      pageInfo { hasNextPage endCursor }
      nodes {
        databaseId
        createdAt
        environment
        commitOid
        payload
        latestStatus { state createdAt description }
        statuses(first: ${STATUSES_PER_DEPLOYMENT}) { nodes { state createdAt description } }
        commit {
          committedDate
          associatedPullRequests(first: 1) {
            nodes { number commits(first: 1) { nodes { commit { committedDate } } } }
          }
        }
      }
    }
  }
}`;

/** Why the reading stopped: GitHub could not be read, or the caller cancelled it (its signal aborted). */
export type MetricsReadCode = 'github_unreadable' | 'cancelled';

export class MetricsReadError extends Error {
  readonly code: MetricsReadCode;
  constructor(message: string, code: MetricsReadCode = 'github_unreadable') {
    super(message);
    this.code = code;
  }
}

/** The permissions the reading needs, as docs/metrics.md names them. */
const READ_PERMISSION = 'deployments: read and metadata: read';

/** The request was ended by the caller's signal (a cancelled run), not by GitHub or the network. */
export function isCancellation(error: unknown): boolean {
  const e = error as { name?: unknown; cause?: { name?: unknown } } | null | undefined;
  return e?.name === 'AbortError' || e?.cause?.name === 'AbortError';
}

/** When a rate limit ends, from the answer's headers (x-ratelimit-reset, retry-after), or '' when not said. */
function rateLimitEnd(headers: Record<string, unknown> | undefined): string {
  const reset = Number(headers?.['x-ratelimit-reset']);
  if (Number.isFinite(reset) && reset > 0) return `, until ${new Date(reset * 1000).toISOString()}`;
  const after = Number(headers?.['retry-after']);
  if (Number.isFinite(after) && after >= 0) return `, for ${after} s`;
  return '';
}

/**
 * Why a page could not be read, short and one line, saying what to do where a person can: for an HTTP error
 * its status and what it means (the token refused, rate limited and until when, a permission missing, the
 * repository not visible), GraphQL's own error messages, or the network's reason. Never the body of an HTTP
 * error, which Octokit makes the message: GitHub's 502 is an HTML page.
 */
export function readFailure(error: unknown): string {
  const e = (error ?? {}) as { status?: unknown; response?: unknown; errors?: unknown; message?: unknown };
  const short = (text: string) => {
    const line = oneLine(text).replace(/\s+/g, ' ').trim();
    return line.length > 200 ? `${line.slice(0, 199)}…` : line;
  };
  if (isCancellation(error)) return 'cancelled: the run was cancelled before GitHub answered';
  if (Array.isArray(e.errors) && e.errors.length) {
    const said = e.errors
      .map((x: unknown) => (x as { message?: unknown } | null)?.message)
      .filter((m): m is string => typeof m === 'string');
    return `GitHub answered: ${short(said.join('; ') || 'an error')}`;
  }
  if (typeof e.status === 'number' && e.response !== undefined) {
    const headers = (e.response as { headers?: Record<string, unknown> } | null)?.headers;
    const message = typeof e.message === 'string' ? e.message : '';
    if (e.status === 401) return 'HTTP 401: GitHub refused the token (expired or revoked)';
    if (
      e.status === 429 ||
      (e.status === 403 &&
        (String(headers?.['x-ratelimit-remaining']) === '0' || /secondary rate/i.test(message)))
    )
      return `HTTP ${e.status}: rate limited by GitHub${rateLimitEnd(headers)}`;
    if (e.status === 403)
      return `HTTP 403: the token lacks the permission to read deployments (it needs ${READ_PERMISSION})`;
    if (e.status === 404) return 'HTTP 404: the repository or its deployments cannot be seen with this token';
    return `HTTP ${e.status}`;
  }
  if (error === undefined || error === null) return 'no answer, and no reason given';
  return `no answer: ${short(typeof e.message === 'string' ? e.message : String(error))}`;
}

export interface ReadOptions {
  owner: string;
  repo: string;
  /** Only these environments (GitHub filters); none: every environment. */
  environments?: readonly string[];
  /** Stop once a page reaches deployments created before this (epoch ms). */
  since: number;
  maxPages?: number;
}

export interface ReadResult {
  deployments: DeploymentFact[];
  /** GraphQL requests made. */
  requests: number;
  /** The page limit stopped the reading before the window's start. */
  truncated: boolean;
}

interface StatusNode {
  state?: unknown;
  createdAt?: unknown;
  description?: unknown;
}

interface DeploymentNode {
  databaseId?: unknown;
  createdAt?: unknown;
  environment?: unknown;
  commitOid?: unknown;
  payload?: unknown;
  latestStatus?: StatusNode | null;
  statuses?: { nodes?: Array<StatusNode | null> } | null;
  commit?: {
    committedDate?: unknown;
    associatedPullRequests?: {
      nodes?: Array<{
        number?: unknown;
        commits?: { nodes?: Array<{ commit?: { committedDate?: unknown } } | null> };
      } | null>;
    } | null;
  } | null;
}

const STATES = new Set([
  'queued',
  'pending',
  'in_progress',
  'waiting',
  'success',
  'failure',
  'error',
  'inactive',
]);

const time = (value: unknown): number | undefined => {
  if (typeof value !== 'string') return undefined;
  const at = Date.parse(value);
  return Number.isFinite(at) ? at : undefined;
};

function status(node: StatusNode | null | undefined): StatusFact | undefined {
  const state = typeof node?.state === 'string' ? node.state.toLowerCase() : undefined;
  const at = time(node?.createdAt);
  if (!state || !STATES.has(state) || at === undefined) return undefined;
  return {
    state: state as StatusState,
    at,
    ...(typeof node!.description === 'string' ? { description: node!.description } : {}),
  };
}

function payloadType(payload: unknown): string | undefined {
  if (typeof payload !== 'string' || payload === '') return undefined;
  try {
    const type = (JSON.parse(payload) as { type?: unknown } | null)?.type;
    return typeof type === 'string' ? type : undefined;
  } catch {
    return undefined;
  }
}

/** One deployment node as a fact; undefined for a node without an id or a creation time. */
export function deploymentFact(node: DeploymentNode, environment?: string): DeploymentFact | undefined {
  const createdAt = time(node.createdAt);
  const env = typeof node.environment === 'string' ? node.environment : environment;
  // GitHub's schema makes the id an Int: anything else (a mapping whose toString is a key, which String()
  // cannot turn into text) names no deployment.
  const id =
    Number.isSafeInteger(node.databaseId) || (typeof node.databaseId === 'string' && node.databaseId !== '')
      ? String(node.databaseId as number | string)
      : undefined;
  if (createdAt === undefined || id === undefined || !env) return undefined;
  const statuses: StatusFact[] = [];
  const listed = node.statuses?.nodes;
  for (const s of [...(Array.isArray(listed) ? listed : []), node.latestStatus]) {
    const fact = status(s);
    if (fact && !statuses.some((x) => x.at === fact.at && x.state === fact.state)) statuses.push(fact);
  }
  const pr = node.commit?.associatedPullRequests?.nodes?.[0];
  const firstCommit = time(pr?.commits?.nodes?.[0]?.commit?.committedDate);
  const own = time(node.commit?.committedDate);
  const changeAt = firstCommit ?? own;
  const type = payloadType(node.payload);
  return {
    id,
    environment: env,
    createdAt,
    ...(typeof node.commitOid === 'string' ? { sha: node.commitOid } : {}),
    ...(type ? { type } : {}),
    statuses,
    ...(changeAt !== undefined
      ? { changeAt, changeFrom: firstCommit !== undefined ? ('pull_request' as const) : ('commit' as const) }
      : {}),
    ...(typeof pr?.number === 'number' ? { pullRequest: pr.number } : {}),
  };
}

export async function readDeploymentFacts(graphql: GraphqlFn, options: ReadOptions): Promise<ReadResult> {
  const maxPages = options.maxPages ?? DEFAULT_MAX_PAGES;
  const deployments: DeploymentFact[] = [];
  let after: string | null = null;
  let requests = 0;
  const environments = options.environments?.length ? [...options.environments] : null;
  for (;;) {
    if (requests >= maxPages) return { deployments, requests, truncated: true };
    requests++;
    let answer: { repository?: { deployments?: unknown } | null } | null;
    try {
      answer = (await graphql(DEPLOYMENTS_QUERY, {
        owner: options.owner,
        name: options.repo,
        environments,
        after,
      })) as typeof answer;
    } catch (error) {
      // The caller's cancellation is no failure of GitHub's: said as what it is, with its own code.
      if (isCancellation(error))
        throw new MetricsReadError(
          `the run was cancelled while reading page ${requests} of the deployments`,
          'cancelled',
        );
      throw new MetricsReadError(
        `GitHub could not be read (${readFailure(error)} on page ${requests} of the deployments)`,
      );
    }
    if (!answer?.repository)
      throw new MetricsReadError(
        `GitHub has no repository ${options.owner}/${options.repo} (or the token cannot read it)`,
      );
    const connection = answer.repository.deployments as
      | { nodes?: Array<DeploymentNode | null>; pageInfo?: { hasNextPage?: unknown; endCursor?: unknown } }
      | null
      | undefined;
    if (!connection || !Array.isArray(connection.nodes) || !connection.pageInfo)
      throw new MetricsReadError('GitHub answered the deployments query without deployments or pageInfo');
    let older = false;
    for (const node of connection.nodes) {
      if (!node) continue;
      const fact = deploymentFact(node, environments?.length === 1 ? environments[0] : undefined);
      if (!fact) continue;
      // Newest first: the first one before the window ends the reading (it is kept: outcomes may need it).
      if (fact.createdAt < options.since) older = true;
      deployments.push(fact);
    }
    const { hasNextPage, endCursor } = connection.pageInfo;
    if (older || hasNextPage !== true || typeof endCursor !== 'string')
      return { deployments, requests, truncated: false };
    after = endCursor;
  }
}
