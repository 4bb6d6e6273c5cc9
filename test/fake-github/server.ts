// A loopback GitHub REST API for tests. Every request is matched against GitHub's OpenAPI description and
// validated; every response the fake sends is validated too. Anything off is a violation that
// assertNoViolations() reports, so neither the code under test nor the fake can drift from the real API.
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handlers, newComment } from './handlers.ts';
import type { HandlerContext, HandlerResult } from './handlers.ts';
import { loadOpenApi, matchRoute, validateParams, validateRequestBody, validateResponse } from './openapi.ts';
import { Renderer, nowIso } from './render.ts';
import { createState, fakeSha, history, nextId, repoKey, userId } from './state.ts';
import type {
  ActivityRecord,
  FakeState,
  Permission,
  PullRecord,
  RepoState,
  ReviewRecord,
  ReviewThreadRecord,
  WorkflowRunRecord,
} from './state.ts';
import { workflowRunPayload } from './webhooks.ts';

type Json = Record<string, unknown>;

export interface RecordedRequest {
  method: string;
  /** URL path without the query string, e.g. /repos/acme/web/deployments. */
  path: string;
  query: Record<string, string>;
  /** OpenAPI operationId (e.g. 'repos/create-deployment'); undefined for unknown endpoints. */
  operationId: string | undefined;
  params: Record<string, unknown>;
  body: unknown;
  /** How the request authenticated; the credential itself is never recorded. */
  auth: 'none' | 'token' | 'bearer' | 'basic';
  actor: string;
  status: number;
  responseBody: unknown;
  /** True when the response came from failNext/setDown rather than the fake's behaviour (with
   * afterWrite, the request was carried out all the same). A hang is recorded with status 0. */
  injected: boolean;
  /** When it arrived (performance.now() of the process the fake runs in). */
  at: number;
}

export type ViolationKind =
  | 'unknown-endpoint'
  | 'invalid-request'
  | 'invalid-response'
  | 'github-rule'
  | 'unimplemented'
  | 'unauthenticated';

export interface Violation {
  kind: ViolationKind;
  method: string;
  path: string;
  operationId: string | undefined;
  message: string;
}

export interface FailNextOptions {
  /** 500 / 502 / 503 for server errors, 403 or 429 for rate limits, any other status as given. */
  status: number;
  /** How many consecutive requests fail; default 1. */
  times?: number;
  /** Primary rate limit: 403 with x-ratelimit-remaining: 0 and x-ratelimit-reset one second ahead. */
  rateLimit?: boolean;
  /** Secondary rate limit: 403 with retry-after (seconds, default 1) and GitHub's "secondary rate limit" message. */
  secondaryRateLimit?: boolean;
  retryAfterSeconds?: number;
  headers?: Record<string, string>;
  message?: string;
  /** Only fail requests whose operationId matches (e.g. 'repos/create-deployment'). */
  operationId?: string;
  /** Only fail the requests this accepts (it sees the method, path, operationId and body). */
  where?: (request: RecordedRequest) => boolean;
  /** Carry the request out first, then fail: a write that landed although its answer says it did not. */
  afterWrite?: boolean;
  /** Never answer (until stop()): a client's timeout is all that ends the request. */
  hang?: boolean;
}

export interface HoldOptions {
  operationId: string | readonly string[];
  where?: (request: RecordedRequest) => boolean;
  count: number;
}

/** A sustained outage for setDown: 503s by default, or the given status, after the write, or no answer. */
export interface DownMode {
  status?: number;
  afterWrite?: boolean;
  hang?: boolean;
}

export interface SeedPull {
  number: number;
  /** Head commit sha (use fakeSha('label') for a realistic one). */
  head: string;
  headRef?: string;
  /** The head branch lives in this owner's fork (a fork pull request). */
  headOwner?: string;
  /** The fork's owner lets the base repository's maintainers push to the branch ("Allow edits by maintainers"). */
  maintainerCanModify?: boolean;
  base?: string;
  user: string;
  title?: string;
  body?: string;
  draft?: boolean;
  state?: 'open' | 'closed';
  reviews?: SeedReview[];
  reviewThreads?: SeedReviewThread[];
  /** Its label names. */
  labels?: string[];
}

export interface SeedReviewThread {
  path: string;
  /** Default: 1; null: on the whole file (or outdated). */
  line?: number | null;
  resolved?: boolean;
  outdated?: boolean;
  /** Who started it; null: a deleted account. */
  author: string | null;
}

export interface SeedReview {
  user: string;
  state: ReviewRecord['state'];
  /** Commit reviewed; defaults to the PR's current head. */
  commitId?: string;
  body?: string;
}

export interface SeedRepoOptions {
  owner: string;
  repo: string;
  defaultBranch?: string;
  private?: boolean;
  /** Files on the default branch: path → text. */
  files?: Record<string, string>;
  /** login → role. The owner is always admin. */
  collaborators?: Record<string, Permission>;
  /** Teams of the owner organisation: slug → members (logins, or login → role). */
  teams?: Record<string, string[] | Record<string, 'member' | 'maintainer'>>;
  pulls?: SeedPull[];
}

export interface RepoSelector {
  owner?: string;
  repo?: string;
}

export interface FakeGitHubOptions {
  /** Installation id of the fake GitHub App (default 4242). */
  installationId?: number;
  appId?: number;
  /** App slug: installation-token calls act as `${appSlug}[bot]` (default 'deploy-action'). */
  appSlug?: string;
  /** Who a non-installation token acts as: token → login. */
  tokens?: Record<string, string>;
  /**
   * Installation tokens of other GitHub Apps: token → app. Such a token acts as `<slug>[bot]`, and the check
   * runs it creates belong to that app (a plain token's check runs are shown as the app under test's).
   */
  otherApps?: Record<string, { id: number; slug: string }>;
  /** Actor for unknown tokens (default 'github-actions[bot]', as a workflow's GITHUB_TOKEN). */
  defaultActor?: string;
  /** Clock for timestamps (default: real time). */
  now?: () => Date;
}

export interface FakeGitHub {
  url: string;
  state: FakeState;
  requests: RecordedRequest[];
  violations: Violation[];
  /** Milliseconds spent parsing the OpenAPI description (0 when an earlier fake already loaded it). */
  openApiLoadMs: number;
  stop(): Promise<void>;
  failNext(opts: FailNextOptions): void;
  /**
   * Holds the next `count` requests for `operationId` (any of them, when several; those `where` accepts)
   * unanswered until all `count` have arrived, then carries them out: two deliveries that each read (or
   * claim) before they write are made to do so at the same time, whatever order the event loop gives them.
   */
  holdUntil(opts: HoldOptions): void;
  /** Every request fails until setDown(false): true is 503s; a DownMode says how. */
  setDown(down: boolean | DownMode): void;
  assertNoViolations(): void;
  /** Requests for one operation, e.g. requestsFor('checks/create'). */
  requestsFor(operationId: string): RecordedRequest[];
  seedRepo(opts: SeedRepoOptions): RepoState;
  repo(sel?: RepoSelector): RepoState;
  /** Adds a commit on top of a branch (default: the default branch) and returns its sha. */
  addCommit(
    opts?: RepoSelector & {
      branch?: string;
      sha?: string;
      message?: string;
      author?: string;
      files?: Record<string, string>;
    },
  ): string;
  /**
   * Someone pushes a tag `name` (refs/tags/<name>) on `target`, a commit's SHA: a lightweight tag, or with
   * `annotated` an annotated tag object (`annotated: 2`: a tag of a tag of the commit). Returns the SHA the ref
   * points at (the outermost tag object's, for an annotated tag).
   */
  addTag(
    name: string,
    target: string,
    opts?: RepoSelector & { annotated?: boolean | number; tagger?: string },
  ): string;
  /**
   * A push to a PR: new head commit, reviews stay bound to their old commit. `pusher` (default: the author)
   * is who the activity list says pushed; `unlinked`: the commit's author and committer are an e-mail GitHub
   * links to no account.
   */
  pushCommit(
    pr: number,
    sha: string,
    opts?: RepoSelector & { message?: string; author?: string; pusher?: string; unlinked?: boolean },
  ): void;
  /**
   * Someone with write access changes the PR's base to `base` (an existing branch): its commits are then the
   * head's commits that branch lacks, oldest first, as GitHub lists them.
   */
  changeBase(pr: number, base: string, sel?: RepoSelector): void;
  addReview(pr: number, review: SeedReview, sel?: RepoSelector): ReviewRecord;
  /** A review thread on the PR's diff (its first comment's author and address); GraphQL reads it. */
  addReviewThread(pr: number, thread: SeedReviewThread, sel?: RepoSelector): ReviewThreadRecord;
  /** A comment written by a person (not through the API), e.g. a `/deploy` command. */
  addComment(pr: number, comment: { user: string; body: string }, sel?: RepoSelector): Json;
  setFile(path: string, content: string, opts?: RepoSelector & { branch?: string }): void;
  /** A workflow run the Actions API knows (e.g. the run that deploys); in_progress unless said otherwise. */
  addWorkflowRun(
    run?: RepoSelector & Partial<Omit<WorkflowRunRecord, 'createdAt' | 'updatedAt'>>,
  ): WorkflowRunRecord;
  /** Changes a run (e.g. completes it: { status: 'completed', conclusion: 'failure' }). */
  updateWorkflowRun(
    id: number,
    patch: Partial<Pick<WorkflowRunRecord, 'status' | 'conclusion' | 'runAttempt' | 'triggeringActor'>>,
    sel?: RepoSelector,
  ): WorkflowRunRecord;
  /** The workflow_run webhook GitHub would send for a stored run now (built from the real example). */
  workflowRunWebhook(
    id: number,
    opts?: RepoSelector & { action?: 'completed' | 'in_progress' | 'requested' },
  ): Json;
}

const readBody = async (req: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

export async function createFakeGitHub(opts: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const before = performance.now();
  const { loadMs } = loadOpenApi();
  const openApiLoadMs = performance.now() - before > 1 ? loadMs : 0;
  const state = createState(opts);
  const now = opts.now ?? (() => new Date());
  const requests: RecordedRequest[] = [];
  const violations: Violation[] = [];
  const failures: FailNextOptions[] = [];
  const holds: Array<HoldOptions & { waiting: Array<() => void> }> = [];
  let down: DownMode | undefined;
  let used = 0;

  const actorFor = (req: IncomingMessage): { auth: RecordedRequest['auth']; actor: string } => {
    const header = req.headers.authorization ?? '';
    const [scheme = '', credential = ''] = header.split(/\s+/, 2);
    const auth = (
      ['token', 'bearer', 'basic'].includes(scheme.toLowerCase()) ? scheme.toLowerCase() : 'none'
    ) as RecordedRequest['auth'];
    if (state.installationTokens.has(credential)) return { auth, actor: `${state.appSlug}[bot]` };
    const other = opts.otherApps?.[credential];
    if (other) return { auth, actor: `${other.slug}[bot]` };
    return { auth, actor: opts.tokens?.[credential] ?? opts.defaultActor ?? 'github-actions[bot]' };
  };

  const rateHeaders = (remaining?: number, reset?: number): Record<string, string> => ({
    'x-ratelimit-limit': '5000',
    'x-ratelimit-remaining': String(remaining ?? Math.max(0, 5000 - used)),
    'x-ratelimit-used': String(used),
    'x-ratelimit-reset': String(reset ?? Math.ceil(now().getTime() / 1000) + 3600),
    'x-ratelimit-resource': 'core',
    'x-github-request-id': `FAKE:${used.toString(16).toUpperCase()}`,
    'x-github-api-version-selected': '2022-11-28',
  });

  function injected(failure: FailNextOptions): HandlerResult {
    if (failure.rateLimit) {
      const reset = Math.ceil(Date.now() / 1000) + 1;
      return {
        status: failure.status,
        body: {
          message: failure.message ?? `API rate limit exceeded for installation ID ${state.installationId}.`,
          documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api',
        },
        headers: { ...rateHeaders(0, reset), ...failure.headers },
      };
    }
    if (failure.secondaryRateLimit) {
      return {
        status: failure.status,
        body: {
          message:
            failure.message ??
            'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
          documentation_url:
            'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
        },
        headers: { 'retry-after': String(failure.retryAfterSeconds ?? 1), ...failure.headers },
      };
    }
    return {
      status: failure.status,
      body: { message: failure.message ?? 'Server Error' },
      headers: failure.headers,
    };
  }

  /** `json`: the body as sent, when it was already serialized (for its ETag), so it is not serialized twice. */
  type Handled = (HandlerResult & { hang?: boolean; json?: string }) & { record: RecordedRequest };

  /**
   * Conditional GETs, as GitHub answers them: a 200 JSON answer carries an ETag of its body; the same request
   * with that ETag in If-None-Match is answered 304 with no body, and does not count against the rate limit.
   */
  function conditional(req: IncomingMessage, handled: Handled): Handled {
    if (handled.record.method !== 'GET' || handled.record.injected || handled.status !== 200) return handled;
    if (handled.body === undefined || handled.raw !== undefined) return handled;
    const json = JSON.stringify(handled.body);
    const etag = `W/"${createHash('sha256')
      .update(req.headers.accept ?? '')
      .update('\n')
      .update(json)
      .digest('hex')}"`;
    const headers = { ...handled.headers, etag };
    const asked = req.headers['if-none-match'];
    const strip = (tag: string) => tag.trim().replace(/^W\//, '');
    const matches =
      asked !== undefined && asked.split(',').some((t) => t.trim() === '*' || strip(t) === strip(etag));
    if (!matches) return { ...handled, headers, json };
    used -= 1;
    return { status: 304, headers, record: handled.record };
  }

  /** The injected failure for this request, if any (consumes a failNext). */
  function injectionFor(record: RecordedRequest): FailNextOptions | undefined {
    if (down) return { status: down.status ?? 503, message: 'Service Unavailable', ...down };
    const index = failures.findIndex(
      (f) => (!f.operationId || f.operationId === record.operationId) && (!f.where || f.where(record)),
    );
    if (index < 0) return undefined;
    const failure = failures[index]!;
    failure.times = (failure.times ?? 1) - 1;
    if (failure.times <= 0) failures.splice(index, 1);
    return failure;
  }

  async function handle(req: IncomingMessage): Promise<Handled> {
    const handled = await handleNormally(req);
    const { record, injection } = handled;
    if (!injection?.afterWrite) return conditional(req, handled);
    // The request was carried out; its answer is replaced by the failure.
    record.injected = true;
    return { ...(injection.hang ? { status: 0, hang: true } : injected(injection)), record };
  }

  async function handleNormally(req: IncomingMessage): Promise<Handled & { injection?: FailNextOptions }> {
    const url = new URL(req.url ?? '/', render.base);
    const method = (req.method ?? 'GET').toUpperCase();
    const query = Object.fromEntries(url.searchParams);
    const { auth, actor } = actorFor(req);
    const raw = await readBody(req);
    used += 1;
    const record: RecordedRequest = {
      method,
      path: url.pathname,
      query,
      operationId: undefined,
      params: {},
      body: undefined,
      auth,
      actor,
      status: 0,
      responseBody: undefined,
      injected: false,
      at: performance.now(),
    };
    requests.push(record);
    const violate = (kind: ViolationKind, message: string): void => {
      violations.push({ kind, method, path: url.pathname, operationId: record.operationId, message });
    };
    // Set once the route is known; every answer from then on carries it (an afterWrite failure applies late).
    const chosen: { injection?: FailNextOptions } = {};
    const done = (result: HandlerResult & { hang?: boolean }): Handled & { injection?: FailNextOptions } => ({
      ...result,
      record,
      injection: chosen.injection,
    });

    if (raw) {
      try {
        record.body = JSON.parse(raw);
      } catch {
        violate('invalid-request', 'request body is not valid JSON');
        return done({ status: 400, body: { message: 'Problems parsing JSON' } });
      }
    }
    const match = matchRoute(method, url.pathname);
    // GitHub's GraphQL endpoint is not in the REST description: graphql.ts checks it against the GraphQL schema.
    const graphql = method === 'POST' && url.pathname === '/graphql';
    record.operationId = graphql ? 'graphql' : match?.operation.operationId;

    const hold = holds.find(
      (h) => [h.operationId].flat().includes(record.operationId ?? '') && (!h.where || h.where(record)),
    );
    if (hold)
      await new Promise<void>((resolve) => {
        hold.waiting.push(resolve);
        if (hold.waiting.length < hold.count) return;
        holds.splice(holds.indexOf(hold), 1);
        for (const go of hold.waiting) go();
      });
    const injection = (chosen.injection = injectionFor(record));
    if (injection && !injection.afterWrite) {
      record.injected = true;
      return done(injection.hang ? { status: 0, hang: true } : injected(injection));
    }
    if (graphql) {
      // Loaded on the first query: parsing GitHub's GraphQL schema would slow every other test's start.
      const { answerGraphql } = await import('./graphql.ts');
      const answer = answerGraphql(state, record.body, auth, actor);
      for (const v of answer.violations) violate(v.kind, v.message);
      return done({ status: answer.status, body: answer.body });
    }
    if (!match) {
      violate('unknown-endpoint', `${method} ${url.pathname} is not in GitHub's OpenAPI description`);
      return done({
        status: 404,
        body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' },
      });
    }
    const { operation } = match;
    const params: Record<string, unknown> = { ...match.params };
    const coercedQuery: Record<string, unknown> = { ...query };
    const problems = [
      ...validateParams(operation, params, coercedQuery),
      ...validateRequestBody(operation, record.body),
    ];
    record.params = params;
    if (problems.length) {
      violate('invalid-request', problems.join('; '));
      return done({
        status: 422,
        body: {
          message: 'Validation Failed',
          documentation_url: 'https://docs.github.com/rest',
          errors: problems.map((p) => ({ resource: operation.operationId, code: 'invalid', message: p })),
        },
      });
    }
    if (
      operation.operationId === 'apps/create-installation-access-token' &&
      !(auth === 'bearer' && (req.headers.authorization ?? '').split('.').length === 3)
    ) {
      violate('unauthenticated', 'creating an installation token needs the app JWT as a Bearer token');
      return done({
        status: 401,
        body: {
          message: 'A JSON web token could not be decoded',
          documentation_url: 'https://docs.github.com/rest',
        },
      });
    }
    const handler = handlers[operation.operationId];
    if (!handler) {
      violate(
        'unimplemented',
        `${operation.operationId} (${operation.method} ${operation.template}) is real but the fake does not implement it`,
      );
      return done({
        status: 501,
        body: { message: `fake-github does not implement ${operation.operationId}` },
      });
    }
    let repo: RepoState | undefined;
    if (typeof params.owner === 'string' && typeof params.repo === 'string') {
      repo = state.repos.get(repoKey(params.owner, params.repo));
      if (!repo)
        return done({
          status: 404,
          body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' },
        });
    }
    const ctx: HandlerContext = {
      params,
      query: coercedQuery,
      body: (record.body ?? {}) as Json,
      repo: repo as RepoState,
      state,
      render,
      actor,
      now,
      url,
      accept: req.headers.accept ?? '',
    };
    const result = handler(ctx);
    if (result.violation) violate('github-rule', result.violation);
    if (result.raw === undefined) {
      const declared = (operation.op.responses as Record<string, Json>)[String(result.status)];
      const documented = declared !== undefined;
      // Where the description documents an error without a body (e.g. 404 on team membership), send none.
      if (result.status >= 400 && declared && !declared.$ref && !declared.content) delete result.body;
      if (result.status < 400 || documented) {
        const responseProblems = validateResponse(operation, result.status, result.body);
        if (responseProblems.length)
          violate('invalid-response', `the fake answered off-schema: ${responseProblems.join('; ')}`);
      }
    }
    return done(result);
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    handle(req)
      .then((result) => {
        const { record } = result;
        record.status = result.status;
        // No answer at all: the socket stays open until the client gives up or stop() closes it.
        if (result.hang) return;
        record.responseBody = result.raw ?? result.body;
        const headers: Record<string, string> = { ...rateHeaders(), ...result.headers };
        if (result.raw !== undefined) {
          res.writeHead(result.status, {
            ...headers,
            'content-type': 'application/vnd.github.raw; charset=utf-8',
          });
          res.end(result.raw);
        } else if (result.body === undefined || result.status === 204 || result.status === 304) {
          res.writeHead(result.status, headers);
          res.end();
        } else {
          res.writeHead(result.status, { ...headers, 'content-type': 'application/json; charset=utf-8' });
          res.end(result.json ?? JSON.stringify(result.body));
        }
      })
      .catch((error: unknown) => {
        violations.push({
          kind: 'invalid-response',
          method: req.method ?? '',
          path: req.url ?? '',
          operationId: undefined,
          message: `fake crashed: ${(error as Error).stack ?? String(error)}`,
        });
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: 'fake-github internal error' }));
      });
  });
  // Idle keep-alive connections are closed by the client only. Node's server closed them after 5 s, and a
  // client whose timer ran late on a busy machine sent its next request on one as it closed: ECONNRESET, a
  // failure no test asked for. stop() closes every connection.
  server.keepAliveTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const render = new Renderer(url, state);

  const pickRepo = (sel: RepoSelector = {}): RepoState => {
    if (sel.owner && sel.repo) {
      const r = state.repos.get(repoKey(sel.owner, sel.repo));
      if (!r) throw new Error(`fake-github: repository ${sel.owner}/${sel.repo} was not seeded`);
      return r;
    }
    if (state.repos.size !== 1)
      throw new Error(`fake-github: ${state.repos.size} repositories seeded; pass { owner, repo }`);
    return [...state.repos.values()][0]!;
  };

  const addCommitTo = (
    repo: RepoState,
    sha: string,
    parent: string | undefined,
    message: string,
    author: string,
  ): void => {
    if (repo.commits.has(sha)) return;
    repo.commits.set(sha, { sha, message, parents: parent ? [parent] : [], author, date: nowIso(now()) });
  };

  const addActivity = (
    repo: RepoState,
    ref: string,
    before: string,
    after: string,
    type: ActivityRecord['type'],
    actor: string,
  ): void => {
    repo.activities.push({ id: nextId(state), ref, before, after, type, actor, timestamp: nowIso(now()) });
  };

  const pullOf = (pr: number, sel?: RepoSelector): { repo: RepoState; pull: PullRecord } => {
    const repo = pickRepo(sel);
    const pull = repo.pulls.get(pr);
    if (!pull)
      throw new Error(`fake-github: pull request #${pr} was not seeded in ${repo.owner}/${repo.name}`);
    return { repo, pull };
  };

  const addReviewTo = (pull: PullRecord, review: SeedReview): ReviewRecord => {
    const record: ReviewRecord = {
      id: nextId(state),
      user: review.user,
      state: review.state,
      commitId: review.commitId ?? pull.headSha,
      body: review.body ?? '',
      submittedAt: nowIso(now()),
    };
    pull.reviews.push(record);
    return record;
  };

  const addReviewThreadTo = (
    repo: RepoState,
    pull: PullRecord,
    thread: SeedReviewThread,
  ): ReviewThreadRecord => {
    const id = nextId(state);
    const record: ReviewThreadRecord = {
      id,
      path: thread.path,
      line: thread.line === undefined ? 1 : thread.line,
      resolved: thread.resolved ?? false,
      outdated: thread.outdated ?? false,
      author: thread.author,
      url: render.html(`/${repo.owner}/${repo.name}/pull/${pull.number}#discussion_r${id}`),
    };
    pull.reviewThreads.push(record);
    return record;
  };

  const fake: FakeGitHub = {
    url,
    state,
    requests,
    violations,
    openApiLoadMs,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
    holdUntil(hold) {
      if (!Number.isInteger(hold.count) || hold.count < 2)
        throw new Error(`fake-github holdUntil: count must be an integer of 2 or more, got ${hold.count}`);
      holds.push({ ...hold, waiting: [] });
    },
    failNext(failure) {
      if (failure.times !== undefined && (!Number.isInteger(failure.times) || failure.times < 1)) {
        throw new Error(`fake-github failNext: times must be a positive integer, got ${failure.times}`);
      }
      failures.push({ ...failure });
    },
    setDown(value) {
      down = value === true ? {} : value === false ? undefined : { ...value };
    },
    assertNoViolations() {
      if (!violations.length) return;
      const lines = violations.map(
        (v) =>
          `- [${v.kind}] ${v.method} ${v.path}${v.operationId ? ` (${v.operationId})` : ''}: ${v.message}`,
      );
      throw new Error(`fake-github recorded ${violations.length} violation(s):\n${lines.join('\n')}`);
    },
    requestsFor: (operationId) => requests.filter((r) => r.operationId === operationId),
    seedRepo(seed) {
      const defaultBranch = seed.defaultBranch ?? 'main';
      const repo: RepoState = {
        id: userId(`${seed.owner}/${seed.repo}`),
        owner: seed.owner,
        name: seed.repo,
        defaultBranch,
        private: seed.private ?? false,
        files: new Map([[defaultBranch, new Map(Object.entries(seed.files ?? {}))]]),
        refs: new Map(),
        commits: new Map(),
        activities: [],
        tagObjects: new Map(),
        collaborators: new Map(Object.entries(seed.collaborators ?? {})),
        pulls: new Map(),
        deployments: new Map(),
        deploymentStatuses: new Map(),
        checkRuns: new Map(),
        comments: new Map(),
        reactions: new Map(),
        commitStatuses: [],
        protectionRuleReviews: [],
        waitingGates: new Map(),
        workflowRuns: new Map(),
        workflowDispatches: [],
      };
      const root = fakeSha(`${seed.owner}/${seed.repo}:${defaultBranch}:initial`);
      addCommitTo(repo, root, undefined, 'Initial commit', seed.owner);
      repo.refs.set(`heads/${defaultBranch}`, root);
      for (const [slug, members] of Object.entries(seed.teams ?? {})) {
        const roles = Array.isArray(members)
          ? Object.fromEntries(members.map((m) => [m, 'member' as const]))
          : members;
        state.teams.set(`${seed.owner}/${slug}`.toLowerCase(), new Map(Object.entries(roles)));
      }
      state.repos.set(repoKey(seed.owner, seed.repo), repo);
      for (const p of seed.pulls ?? []) {
        const headRef = p.headRef ?? `pr-${p.number}`;
        const base = p.base ?? defaultBranch;
        addCommitTo(repo, p.head, repo.refs.get(`heads/${base}`), `PR #${p.number}`, p.user);
        repo.refs.set(`heads/${headRef}`, p.head);
        // The author pushed the branch (a fork's branch changes in the fork, which the fake does not hold).
        if (!p.headOwner)
          addActivity(repo, `heads/${headRef}`, '0'.repeat(40), p.head, 'branch_creation', p.user);
        const pull: PullRecord = {
          number: p.number,
          title: p.title ?? `Pull request #${p.number}`,
          body: p.body ?? '',
          user: p.user,
          headRef,
          headSha: p.head,
          baseRef: base,
          state: p.state ?? 'open',
          draft: p.draft ?? false,
          commits: [p.head],
          ...(p.headOwner ? { headOwner: p.headOwner } : {}),
          maintainerCanModify: p.maintainerCanModify ?? false,
          reviews: [],
          reviewThreads: [],
          ...(p.labels ? { labels: [...p.labels] } : {}),
          createdAt: nowIso(now()),
        };
        repo.pulls.set(p.number, pull);
        for (const r of p.reviews ?? []) addReviewTo(pull, r);
        for (const t of p.reviewThreads ?? []) addReviewThreadTo(repo, pull, t);
      }
      return repo;
    },
    repo: pickRepo,
    addCommit(o = {}) {
      const repo = pickRepo(o);
      const branch = o.branch ?? repo.defaultBranch;
      const parent = repo.refs.get(`heads/${branch}`);
      const sha = o.sha ?? fakeSha(`${repo.owner}/${repo.name}:${branch}:${repo.commits.size}`);
      addCommitTo(repo, sha, parent, o.message ?? `commit on ${branch}`, o.author ?? repo.owner);
      repo.refs.set(`heads/${branch}`, sha);
      if (o.files) {
        const files = repo.files.get(branch) ?? new Map<string, string>();
        for (const [p, c] of Object.entries(o.files)) files.set(p, c);
        repo.files.set(branch, files);
      }
      return sha;
    },
    addTag(name, target, o = {}) {
      const repo = pickRepo(o);
      if (!repo.commits.has(target)) throw new Error(`fake GitHub: no commit ${target} to tag ${name}`);
      if (repo.refs.has(`tags/${name}`)) throw new Error(`fake GitHub: tag ${name} exists`);
      const levels = o.annotated === true ? 1 : o.annotated === false ? 0 : (o.annotated ?? 0);
      let object = { sha: target, type: 'commit' };
      for (let level = 0; level < levels; level++) {
        const sha = fakeSha(`tag:${name}:${object.sha}:${nextId(state)}`);
        const tagger = o.tagger ?? repo.owner;
        repo.tagObjects.set(
          sha,
          render.gitTag(repo, {
            sha,
            name,
            message: `release ${name}`,
            tagger: { name: tagger, email: `${tagger}@example.com`, date: nowIso(now()) },
            object,
          }),
        );
        object = { sha, type: 'tag' };
      }
      repo.refs.set(`tags/${name}`, object.sha);
      return object.sha;
    },
    pushCommit(pr, sha, o = {}) {
      const { repo, pull } = pullOf(pr, o);
      addCommitTo(repo, sha, pull.headSha, o.message ?? `push to #${pr}`, o.author ?? pull.user);
      if (o.unlinked) repo.commits.get(sha)!.unlinked = true;
      if (!pull.headOwner)
        addActivity(
          repo,
          `heads/${pull.headRef}`,
          pull.headSha,
          sha,
          'push',
          o.pusher ?? o.author ?? pull.user,
        );
      pull.headSha = sha;
      pull.commits.push(sha);
      repo.refs.set(`heads/${pull.headRef}`, sha);
    },
    changeBase(pr, base, sel) {
      const { repo, pull } = pullOf(pr, sel);
      const tip = repo.refs.get(`heads/${base}`);
      if (!tip) throw new Error(`fake GitHub: no branch ${base} to change pull request #${pr}'s base to`);
      const inBase = new Set(history(repo, tip).map((c) => c.sha));
      pull.baseRef = base;
      pull.commits = history(repo, pull.headSha)
        .filter((c) => !inBase.has(c.sha))
        .map((c) => c.sha)
        .reverse();
    },
    addReview(pr, review, sel) {
      return addReviewTo(pullOf(pr, sel).pull, review);
    },
    addReviewThread(pr, thread, sel) {
      const { repo, pull } = pullOf(pr, sel);
      return addReviewThreadTo(repo, pull, thread);
    },
    addComment(pr, comment, sel) {
      const { repo } = pullOf(pr, sel);
      const stored = newComment(
        { repo, render, state, now, actor: comment.user },
        pr,
        comment.body,
        comment.user,
      );
      return { ...stored };
    },
    addWorkflowRun(o = {}) {
      const repo = pickRepo(o);
      const at = nowIso(now());
      const id = o.id ?? nextId(state);
      const run: WorkflowRunRecord = {
        id,
        name: o.name ?? 'deploy',
        path: o.path ?? '.github/workflows/deploy.yml',
        headSha: o.headSha ?? repo.refs.get(`heads/${repo.defaultBranch}`)!,
        headBranch: o.headBranch ?? repo.defaultBranch,
        event: o.event ?? 'push',
        status: o.status ?? 'in_progress',
        conclusion: o.conclusion ?? null,
        runAttempt: o.runAttempt ?? 1,
        runNumber: o.runNumber ?? repo.workflowRuns.size + 1,
        actor: o.actor ?? repo.owner,
        ...(o.triggeringActor !== undefined ? { triggeringActor: o.triggeringActor } : {}),
        createdAt: at,
        updatedAt: at,
      };
      repo.workflowRuns.set(id, run);
      return run;
    },
    updateWorkflowRun(id, patch, sel) {
      const run = pickRepo(sel).workflowRuns.get(id);
      if (!run) throw new Error(`fake-github: workflow run ${id} was not added`);
      Object.assign(run, patch, { updatedAt: nowIso(now()) });
      return run;
    },
    workflowRunWebhook(id, o = {}) {
      const repo = pickRepo(o);
      const run = repo.workflowRuns.get(id);
      if (!run) throw new Error(`fake-github: workflow run ${id} was not added`);
      return workflowRunPayload(render.workflowRun(repo, run), {
        owner: repo.owner,
        repo: repo.name,
        baseUrl: url,
        installationId: state.installationId,
        defaultBranch: repo.defaultBranch,
        ...(o.action ? { action: o.action } : {}),
      });
    },
    setFile(path, content, o = {}) {
      const repo = pickRepo(o);
      const branch = o.branch ?? repo.defaultBranch;
      const files = repo.files.get(branch) ?? new Map<string, string>();
      files.set(path, content);
      repo.files.set(branch, files);
    },
  };
  return fake;
}
