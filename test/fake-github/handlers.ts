// Behaviour per documented operation (keyed by OpenAPI operationId, so a handler can only exist for a
// real endpoint). Each returns the status and body GitHub would; the server validates both.
import { randomBytes } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import { build } from './sample.ts';
import { APP_EVENTS, APP_PERMISSIONS, nodeId, nowIso } from './render.ts';
import type { Json, Renderer } from './render.ts';
import { branchOf, fakeSha, history, nextId, resolveRef, userId } from './state.ts';
import type { FakeState, RepoState } from './state.ts';

export interface HandlerContext {
  params: Record<string, unknown>;
  query: Record<string, unknown>;
  body: Json;
  /** Set when the path has {owner}/{repo} and the repository is seeded. */
  repo: RepoState;
  state: FakeState;
  render: Renderer;
  /** Login the request acts as (the app's bot for installation tokens). */
  actor: string;
  now: () => Date;
  /** The request URL, for Link headers. */
  url: URL;
  /** The Accept header, for media types like application/vnd.github.raw. */
  accept: string;
}

export interface HandlerResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** A raw (non-JSON) body, e.g. file contents for Accept: application/vnd.github.raw. */
  raw?: string;
  /** A GitHub rule the client broke (e.g. a description over 140 characters): recorded as a violation. */
  violation?: string;
}

export type Handler = (ctx: HandlerContext) => HandlerResult;

const DOCS = 'https://docs.github.com/rest';

export const notFound = (): HandlerResult => ({
  status: 404,
  body: { message: 'Not Found', documentation_url: DOCS, status: '404' },
});

export function unprocessable(message: string, violation?: string, field?: string): HandlerResult {
  const errors = field ? [{ resource: 'Request', code: 'invalid', field, message }] : undefined;
  return { status: 422, body: { message, documentation_url: DOCS, errors }, violation };
}

/** page/per_page slicing with a Link header, so octokit.paginate works. */
function paginate(ctx: HandlerContext, items: unknown[]): HandlerResult {
  const perPage = Math.min(Number(ctx.query.per_page ?? 30), 100);
  const page = Number(ctx.query.page ?? 1);
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const links: string[] = [];
  const link = (p: number, rel: string): void => {
    const u = new URL(ctx.url);
    u.searchParams.set('page', String(p));
    u.searchParams.set('per_page', String(perPage));
    links.push(`<${u.toString()}>; rel="${rel}"`);
  };
  if (page < last) link(page + 1, 'next');
  if (page < last) link(last, 'last');
  if (page > 1) link(page - 1, 'prev');
  return {
    status: 200,
    body: items.slice((page - 1) * perPage, page * perPage),
    headers: links.length ? { link: links.join(', ') } : {},
  };
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

// ---- repository, contents, commits ---------------------------------------------------------------

const getRepo: Handler = (ctx) => ({ status: 200, body: ctx.render.repository(ctx.repo, 'full-repository') });

const getContent: Handler = (ctx) => {
  const { repo, render } = ctx;
  const ref = str(ctx.query.ref) ?? repo.defaultBranch;
  const branch = branchOf(repo, ref);
  if (!branch)
    return { status: 404, body: { message: `No commit found for the ref ${ref}`, documentation_url: DOCS } };
  const files = repo.files.get(branch) ?? new Map<string, string>();
  const path = String(ctx.params.path).replace(/^\/+|\/+$/g, '');
  const entry = (p: string, content?: string): Json => {
    const sha = fakeSha(`${p}:${content ?? ''}`);
    const url = `${render.repoUrl(repo)}/contents/${p}?ref=${encodeURIComponent(branch)}`;
    const html = render.html(`/${repo.owner}/${repo.name}/blob/${branch}/${p}`);
    const git = `${render.repoUrl(repo)}/git/blobs/${sha}`;
    return {
      type: content === undefined ? 'dir' : 'file',
      size: content === undefined ? 0 : Buffer.byteLength(content),
      name: p.split('/').pop(),
      path: p,
      sha,
      url,
      git_url: git,
      html_url: html,
      download_url:
        content === undefined ? null : `${render.base}/_raw/${repo.owner}/${repo.name}/${branch}/${p}`,
      _links: { self: url, git, html },
    };
  };
  const content = files.get(path);
  if (content !== undefined && /vnd\.github(\.v3)?\.raw/.test(ctx.accept))
    return { status: 200, raw: content };
  if (content !== undefined) {
    return {
      status: 200,
      body: { ...entry(path, content), encoding: 'base64', content: Buffer.from(content).toString('base64') },
    };
  }
  const prefix = path ? `${path}/` : '';
  const children = new Map<string, string | undefined>();
  for (const [p, c] of files) {
    if (!p.startsWith(prefix)) continue;
    const [head, ...rest] = p.slice(prefix.length).split('/');
    children.set(`${prefix}${head}`, rest.length ? undefined : c);
  }
  if (!children.size) return notFound();
  return { status: 200, body: [...children].map(([p, c]) => entry(p, c)) };
};

const getCommit: Handler = (ctx) => {
  const sha = resolveRef(ctx.repo, String(ctx.params.ref));
  const c = sha ? ctx.repo.commits.get(sha) : undefined;
  if (!c) return unprocessable(`No commit found for SHA: ${String(ctx.params.ref)}`);
  return { status: 200, body: { ...ctx.render.commit(ctx.repo, c), files: [], stats: { total: 0 } } };
};

const compareCommits: Handler = (ctx) => {
  const { repo, render } = ctx;
  const baseSha = resolveRef(repo, String(ctx.params.base));
  const headSha = resolveRef(repo, String(ctx.params.head));
  if (!baseSha || !headSha) return notFound();
  const headHistory = history(repo, headSha);
  const baseHistory = history(repo, baseSha);
  const mergeBase = headHistory.find((c) => baseHistory.some((b) => b.sha === c.sha));
  // GitHub answers 404 for two histories with no common ancestor (an orphan branch such as gh-pages).
  if (!mergeBase) return notFound();
  const ahead = headHistory.slice(0, headHistory.indexOf(mergeBase));
  const behind = baseHistory.findIndex((c) => c.sha === mergeBase.sha);
  const status =
    baseSha === headSha
      ? 'identical'
      : ahead.length && behind > 0
        ? 'diverged'
        : ahead.length
          ? 'ahead'
          : 'behind';
  const path = `/${repo.owner}/${repo.name}/compare/${String(ctx.params.base)}...${String(ctx.params.head)}`;
  // Oldest first. Without page or per_page GitHub lists the first 250; with them, that page (30 by default).
  const listed = ahead.reverse();
  const paged = ctx.query.page !== undefined || ctx.query.per_page !== undefined;
  const perPage = Math.min(Number(ctx.query.per_page ?? 30), 100);
  const shown = paged
    ? listed.slice((Number(ctx.query.page ?? 1) - 1) * perPage, Number(ctx.query.page ?? 1) * perPage)
    : listed.slice(0, 250);
  return {
    status: 200,
    body: build('commit-comparison', render.base, {
      url: `${render.repoUrl(repo)}/compare/${String(ctx.params.base)}...${String(ctx.params.head)}`,
      html_url: render.html(path),
      permalink_url: render.html(path),
      diff_url: render.html(`${path}.diff`),
      patch_url: render.html(`${path}.patch`),
      base_commit: render.commit(repo, repo.commits.get(baseSha)!),
      merge_base_commit: render.commit(repo, mergeBase),
      status,
      ahead_by: ahead.length,
      behind_by: Math.max(behind, 0),
      total_commits: listed.length,
      commits: shown.map((c) => render.commit(repo, c)),
      files: [],
    }),
  };
};

// ---- git refs and tags -------------------------------------------------------------------------

const validRefName = (ref: string): boolean =>
  /^refs\/[^/]+\/.+/.test(ref) && !/(\.\.|[\s~^:?*[\\]|\/\/|\/$|\.lock$|@\{)/.test(ref);

const knownObject = (repo: RepoState, sha: string): boolean =>
  repo.commits.has(sha) || repo.tagObjects.has(sha);

const getRef: Handler = (ctx) => {
  const name = String(ctx.params.ref).replace(/^refs\//, '');
  const sha = ctx.repo.refs.get(name);
  return sha ? { status: 200, body: ctx.render.gitRef(ctx.repo, name, sha) } : notFound();
};

// Every matching ref at once, as GitHub answers it: the operation takes no page or per_page.
const listMatchingRefs: Handler = (ctx) => {
  const prefix = String(ctx.params.ref).replace(/^refs\//, '');
  const refs = [...ctx.repo.refs]
    .filter(([name]) => name.startsWith(prefix))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, sha]) => ctx.render.gitRef(ctx.repo, name, sha));
  return { status: 200, body: refs };
};

const createRef: Handler = (ctx) => {
  const ref = String(ctx.body.ref);
  const sha = String(ctx.body.sha);
  if (!validRefName(ref)) {
    return unprocessable(
      `${ref} is not a valid ref name.`,
      `invalid ref name '${ref}' (must be refs/<kind>/<name>)`,
    );
  }
  const name = ref.slice('refs/'.length);
  // The check-and-set is synchronous, so concurrent creates are atomic: exactly one wins.
  if (ctx.repo.refs.has(name)) return unprocessable('Reference already exists');
  if (!knownObject(ctx.repo, sha)) return unprocessable('Object does not exist');
  ctx.repo.refs.set(name, sha);
  const body = ctx.render.gitRef(ctx.repo, name, sha);
  return { status: 201, body, headers: { location: String(body.url) } };
};

const updateRef: Handler = (ctx) => {
  const name = String(ctx.params.ref).replace(/^refs\//, '');
  const sha = String(ctx.body.sha);
  const current = ctx.repo.refs.get(name);
  if (!current) return unprocessable('Reference does not exist');
  if (!knownObject(ctx.repo, sha)) return unprocessable('Object does not exist');
  const fastForward = history(ctx.repo, sha).some((c) => c.sha === current);
  if (!fastForward && ctx.body.force !== true) return unprocessable('Update is not a fast forward');
  ctx.repo.refs.set(name, sha);
  return { status: 200, body: ctx.render.gitRef(ctx.repo, name, sha) };
};

const deleteRef: Handler = (ctx) => {
  const name = String(ctx.params.ref).replace(/^refs\//, '');
  if (!ctx.repo.refs.delete(name)) return unprocessable('Reference does not exist');
  return { status: 204 };
};

const createTag: Handler = (ctx) => {
  const { repo, render, body } = ctx;
  const target = String(body.object);
  if (!knownObject(repo, target)) return unprocessable('Object does not exist');
  const sha = fakeSha(`tag:${String(body.tag)}:${target}:${nextId(ctx.state)}`);
  const tagger = (body.tagger as Json | undefined) ?? { name: ctx.actor, email: `${ctx.actor}@example.com` };
  const tag = render.gitTag(repo, {
    sha,
    name: String(body.tag),
    message: String(body.message),
    tagger: { date: nowIso(ctx.now()), ...tagger },
    object: { sha: target, type: String(body.type) },
  });
  repo.tagObjects.set(sha, tag);
  return { status: 201, body: tag };
};

const getTag: Handler = (ctx) => {
  const tag = ctx.repo.tagObjects.get(String(ctx.params.tag_sha));
  return tag ? { status: 200, body: tag } : notFound();
};

// ---- pulls -------------------------------------------------------------------------------------

const getPull: Handler = (ctx) => {
  const pr = ctx.repo.pulls.get(Number(ctx.params.pull_number));
  return pr ? { status: 200, body: ctx.render.pullRequest(ctx.repo, pr) } : notFound();
};

const listPullReviews: Handler = (ctx) => {
  const { repo, render } = ctx;
  const pr = repo.pulls.get(Number(ctx.params.pull_number));
  if (!pr) return notFound();
  const prUrl = `${render.repoUrl(repo)}/pulls/${pr.number}`;
  const html = render.html(`/${repo.owner}/${repo.name}/pull/${pr.number}`);
  const reviews = pr.reviews.map((r) =>
    build('pull-request-review', render.base, {
      id: r.id,
      node_id: nodeId('PRR', r.id),
      user: render.user(r.user),
      body: r.body,
      state: r.state,
      html_url: `${html}#pullrequestreview-${r.id}`,
      pull_request_url: prUrl,
      _links: { html: { href: html }, pull_request: { href: prUrl } },
      submitted_at: r.submittedAt,
      commit_id: r.commitId,
      author_association: render.association(repo, r.user),
    }),
  );
  return paginate(ctx, reviews);
};

/** GET /repos/{o}/{r}/issues/{n}/labels: a pull request's labels (the fake holds no plain issues). */
const listLabelsOnIssue: Handler = (ctx) => {
  const { repo, render } = ctx;
  const pr = repo.pulls.get(Number(ctx.params.issue_number));
  if (!pr) return notFound();
  const labels = (pr.labels ?? []).map((name, i) =>
    build('label', render.base, {
      id: pr.number * 1000 + i + 1,
      node_id: nodeId('LA', pr.number * 1000 + i + 1),
      url: `${render.repoUrl(repo)}/labels/${encodeURIComponent(name)}`,
      name,
      description: null,
      color: 'ededed',
      default: false,
    }),
  );
  return paginate(ctx, labels);
};

const listPullCommits: Handler = (ctx) => {
  const pr = ctx.repo.pulls.get(Number(ctx.params.pull_number));
  if (!pr) return notFound();
  return paginate(
    ctx,
    pr.commits.map((sha) => ctx.render.commit(ctx.repo, ctx.repo.commits.get(sha)!)),
  );
};

/**
 * GET /repos/{o}/{r}/activity: the changes of a branch (ref: refs/heads/X or X) or of every branch, newest
 * first unless direction=asc, paged by cursor (after/before, as GitHub does: no page number).
 */
const listActivities: Handler = (ctx) => {
  const { repo, render } = ctx;
  const wanted = str(ctx.query.ref)?.replace(/^refs\//, '');
  const name = wanted === undefined ? undefined : wanted.startsWith('heads/') ? wanted : `heads/${wanted}`;
  const actor = str(ctx.query.actor)?.toLowerCase();
  const type = str(ctx.query.activity_type);
  let items = repo.activities.filter(
    (a) =>
      (name === undefined || a.ref === name) &&
      (actor === undefined || a.actor.toLowerCase() === actor) &&
      (type === undefined || a.type === type),
  );
  if (ctx.query.direction !== 'asc') items = [...items].reverse();
  const perPage = Math.min(Number(ctx.query.per_page ?? 30), 100);
  const after = str(ctx.query.after);
  const start = after === undefined ? 0 : Number(Buffer.from(after, 'base64url').toString('utf8'));
  if (!Number.isSafeInteger(start) || start < 0) return unprocessable('invalid cursor', undefined, 'after');
  const page = items.slice(start, start + perPage);
  const headers: Record<string, string> = {};
  if (start + perPage < items.length) {
    const u = new URL(ctx.url);
    u.searchParams.delete('page');
    u.searchParams.set('after', Buffer.from(String(start + perPage)).toString('base64url'));
    headers.link = `<${u.toString()}>; rel="next"`;
  }
  return {
    status: 200,
    body: page.map((a) =>
      build('activity', render.base, {
        id: a.id,
        node_id: nodeId('AC', a.id),
        before: a.before,
        after: a.after,
        ref: `refs/${a.ref}`,
        timestamp: a.timestamp,
        activity_type: a.type,
        actor: render.user(a.actor),
      }),
    ),
    headers,
  };
};

// ---- deployments -------------------------------------------------------------------------------

function latestState(ctx: HandlerContext, deploymentId: number): string | undefined {
  return ctx.repo.deploymentStatuses.get(deploymentId)?.at(-1)?.state as string | undefined;
}

/** GitHub refuses a deployment while any commit status or check run on the commit is not green. */
function failingContexts(ctx: HandlerContext, sha: string, required: string[] | undefined): string[] {
  const latest = new Map<string, string>();
  for (const s of ctx.repo.commitStatuses) if (s.sha === sha) latest.set(String(s.context), String(s.state));
  for (const run of ctx.repo.checkRuns.values()) {
    if (run.head_sha !== sha) continue;
    const ok =
      run.status === 'completed' && ['success', 'neutral', 'skipped'].includes(String(run.conclusion));
    latest.set(String(run.name), ok ? 'success' : String(run.conclusion ?? run.status));
  }
  const contexts = required ?? [...latest.keys()];
  return contexts.filter((c) => latest.get(c) !== 'success');
}

const createDeployment: Handler = (ctx) => {
  const { repo, render, body } = ctx;
  const ref = String(body.ref);
  const sha = resolveRef(repo, ref);
  if (!sha) return unprocessable(`No ref found for: ${ref}`, undefined, 'ref');
  const failing = failingContexts(ctx, sha, body.required_contexts as string[] | undefined);
  if (failing.length) {
    return {
      status: 409,
      body: { message: `Conflict: Commit status checks failed for ${ref}.`, documentation_url: DOCS },
    };
  }
  const id = nextId(ctx.state);
  const url = `${render.repoUrl(repo)}/deployments/${id}`;
  const environment = str(body.environment) ?? 'production';
  const at = nowIso(ctx.now());
  const deployment = build('deployment', render.base, {
    url,
    id,
    node_id: nodeId('DE', id),
    sha,
    ref,
    task: str(body.task) ?? 'deploy',
    payload: typeof body.payload === 'string' ? JSON.parse(body.payload || '{}') : (body.payload ?? {}),
    original_environment: environment,
    environment,
    description: str(body.description) ?? null,
    creator: render.user(ctx.actor),
    created_at: at,
    updated_at: at,
    statuses_url: `${url}/statuses`,
    repository_url: render.repoUrl(repo),
    transient_environment: body.transient_environment === true,
    production_environment: body.production_environment ?? environment === 'production',
    performed_via_github_app: ctx.actor === `${ctx.state.appSlug}[bot]` ? render.app() : null,
  });
  repo.deployments.set(id, deployment);
  repo.deploymentStatuses.set(id, []);
  return { status: 201, body: deployment };
};

const listDeployments: Handler = (ctx) => {
  const filters = ['sha', 'ref', 'task', 'environment'] as const;
  const list = [...ctx.repo.deployments.values()]
    .filter((d) => !ctx.repo.unlistedDeployments?.has(d.id as number))
    .filter((d) => filters.every((f) => ctx.query[f] === undefined || d[f] === ctx.query[f]))
    .reverse();
  return paginate(ctx, list);
};

const getDeployment: Handler = (ctx) => {
  const d = ctx.repo.deployments.get(Number(ctx.params.deployment_id));
  return d ? { status: 200, body: d } : notFound();
};

const deleteDeployment: Handler = (ctx) => {
  const id = Number(ctx.params.deployment_id);
  const d = ctx.repo.deployments.get(id);
  if (!d) return notFound();
  const sameEnv = [...ctx.repo.deployments.values()].filter((x) => x.environment === d.environment);
  if (latestState(ctx, id) !== 'inactive' && sameEnv.length > 1) {
    return unprocessable(
      'We cannot delete an active deployment unless it is the only deployment in a given environment.',
    );
  }
  ctx.repo.deployments.delete(id);
  ctx.repo.deploymentStatuses.delete(id);
  return { status: 204 };
};

const createDeploymentStatus: Handler = (ctx) => {
  const { repo, render, body } = ctx;
  const deploymentId = Number(ctx.params.deployment_id);
  const deployment = repo.deployments.get(deploymentId);
  if (!deployment) return notFound();
  const description = str(body.description) ?? '';
  if (description.length > 140) {
    return unprocessable(
      'Validation Failed',
      `deployment status description is ${description.length} characters; GitHub allows at most 140`,
      'description',
    );
  }
  const list = repo.deploymentStatuses.get(deploymentId)!;
  const environment = str(body.environment) ?? (list.at(-1)?.environment as string) ?? deployment.environment;
  const logUrl = str(body.log_url) ?? str(body.target_url) ?? '';
  const id = nextId(ctx.state);
  const at = nowIso(ctx.now());
  const status = build('deployment-status', render.base, {
    url: `${deployment.url as string}/statuses/${id}`,
    id,
    node_id: nodeId('DES', id),
    state: body.state,
    creator: render.user(ctx.actor),
    description,
    environment,
    target_url: logUrl,
    log_url: logUrl,
    environment_url: str(body.environment_url) ?? '',
    created_at: at,
    updated_at: at,
    deployment_url: deployment.url,
    repository_url: render.repoUrl(repo),
    performed_via_github_app: deployment.performed_via_github_app,
  });
  list.push(status);
  deployment.updated_at = at;
  if (body.state === 'success' && body.auto_inactive !== false && !deployment.transient_environment) {
    // Older successful deployments to the same environment become inactive, as on GitHub.
    for (const [otherId, other] of repo.deployments) {
      if (otherId === deploymentId || other.environment !== environment) continue;
      const statuses = repo.deploymentStatuses.get(otherId)!;
      const last = statuses.at(-1);
      if (last?.state === 'success')
        statuses.push({ ...last, id: nextId(ctx.state), state: 'inactive', created_at: at });
    }
  }
  return { status: 201, body: status };
};

const listDeploymentStatuses: Handler = (ctx) => {
  const list = ctx.repo.deploymentStatuses.get(Number(ctx.params.deployment_id));
  return list ? paginate(ctx, [...list].reverse()) : notFound();
};

// ---- check runs and statuses -------------------------------------------------------------------

/** GitHub refuses a check run's output.summary or output.text longer than this many bytes of UTF-8. */
const CHECK_TEXT_MAX_BYTES = 65_535;

function applyCheckRunBody(ctx: HandlerContext, run: Json): HandlerResult | undefined {
  const { body } = ctx;
  // Its documentation says characters; GitHub counts bytes ("exceeds a maximum bytesize of 65535").
  const given = (body.output ?? {}) as Json;
  for (const field of ['summary', 'text'] as const) {
    const size = typeof given[field] === 'string' ? Buffer.byteLength(given[field]) : 0;
    if (size > CHECK_TEXT_MAX_BYTES)
      return unprocessable(
        'Validation Failed',
        `check run ${field} is ${size} bytes; GitHub allows at most ${CHECK_TEXT_MAX_BYTES}`,
        field,
      );
  }
  for (const key of ['name', 'details_url', 'external_id', 'started_at', 'completed_at'] as const) {
    if (body[key] !== undefined) run[key] = body[key];
  }
  if (body.status !== undefined) run.status = body.status;
  if (body.conclusion !== undefined) {
    run.conclusion = body.conclusion;
    run.status = 'completed';
  }
  if (run.status === 'completed' && !run.conclusion) {
    return unprocessable('Validation Failed', 'check run completed without a conclusion', 'conclusion');
  }
  if (run.status === 'completed' && !run.completed_at) run.completed_at = nowIso(ctx.now());
  // Requested-action buttons: not part of the check run GitHub returns, kept aside for tests. GitHub allows
  // three, with a label of at most 20, a description of at most 40 and an identifier of at most 20 characters.
  const actions = body.actions as
    Array<{ label: string; description: string; identifier: string }> | undefined;
  if (actions !== undefined) {
    if (actions.length > 3) return unprocessable('Validation Failed', 'at most 3 actions', 'actions');
    for (const a of actions)
      if (a.label.length > 20 || a.description.length > 40 || a.identifier.length > 20)
        return unprocessable('Validation Failed', `action ${a.identifier} exceeds a length limit`, 'actions');
    Object.defineProperty(run, '_actions', { value: actions, enumerable: false, writable: true });
  }
  const output = body.output as Json | undefined;
  if (output) {
    const current = run.output as Json;
    const annotations = (output.annotations as unknown[] | undefined) ?? [];
    run.output = {
      ...current,
      title: output.title ?? current.title,
      summary: output.summary ?? current.summary,
      text: output.text ?? current.text,
      // Annotations append across updates, as on GitHub.
      annotations_count: Number(current.annotations_count) + annotations.length,
    };
    const stored = (run._annotations as unknown[] | undefined) ?? [];
    Object.defineProperty(run, '_annotations', {
      value: [...stored, ...annotations],
      enumerable: false,
      writable: true,
    });
  }
  return undefined;
}

/** The app a request acts for when it creates a check run: another app's token, else the app under test. */
const otherAppOf = (ctx: HandlerContext) => ctx.state.otherApps.get(ctx.actor);

/** Who may update a check run: the app that created it (GitHub: only that app); undefined: anyone (a plain token's run). */
const ownerOf = (run: Json): string | undefined => run._owner as string | undefined;

/**
 * A check run's suite: the newest one its app opened on the commit (openCheckSuites, a workflow run's), else
 * the app's first suite there, one per app and commit.
 */
function checkSuiteId(repo: RepoState, headSha: string, app: { id: number } | undefined): number {
  const opened = (repo.checkSuites ?? []).filter((s) => s.headSha === headSha && s.app?.id === app?.id);
  if (opened.length) return opened.at(-1)!.id;
  const index = [...repo.commits.keys()].indexOf(headSha);
  return (app ? 5_000_000 + (app.id % 1000) * 10_000 : 2_000_000) + Math.max(0, index);
}

/** GitHub lists a commit's check runs from its 1000 newest check suites only. */
const REF_LIST_SUITES = 1000;

interface SuiteView {
  id: number;
  app: Json;
  runs: Json[];
  /** Creation order: an opened suite's id, a first suite's first check run's id. */
  order: number;
}

/** Every check suite of a commit, oldest first: the first suites (made with their runs) and opened ones. */
function suitesOf(ctx: HandlerContext, sha: string | undefined): SuiteView[] {
  const { repo, render } = ctx;
  if (sha === undefined) return [];
  const byId = new Map<number, SuiteView>();
  for (const s of repo.checkSuites ?? [])
    if (s.headSha === sha) byId.set(s.id, { id: s.id, app: render.app(s.app), runs: [], order: s.id });
  for (const r of repo.checkRuns.values()) {
    if (r.head_sha !== sha) continue;
    const id = (r.check_suite as Json).id as number;
    const suite = byId.get(id) ?? { id, app: r.app as Json, runs: [], order: r.id as number };
    suite.runs.push(r);
    byId.set(id, suite);
  }
  return [...byId.values()].sort((a, b) => a.order - b.order);
}

const createCheckRun: Handler = (ctx) => {
  const { repo, render, body } = ctx;
  const headSha = String(body.head_sha);
  if (!repo.commits.has(headSha))
    return unprocessable(`No commit found for SHA: ${headSha}`, undefined, 'head_sha');
  const other = otherAppOf(ctx);
  const id = nextId(ctx.state);
  const url = `${render.repoUrl(repo)}/check-runs/${id}`;
  const run: Json = build('check-run', render.base, {
    id,
    node_id: nodeId('CR', id),
    head_sha: headSha,
    external_id: '',
    url,
    html_url: render.html(`/${repo.owner}/${repo.name}/runs/${id}`),
    details_url: render.html(`/${repo.owner}/${repo.name}/runs/${id}`),
    status: 'queued',
    conclusion: null,
    started_at: nowIso(ctx.now()),
    completed_at: null,
    output: {
      title: null,
      summary: null,
      text: null,
      annotations_count: 0,
      annotations_url: `${url}/annotations`,
    },
    name: body.name,
    check_suite: { id: checkSuiteId(repo, headSha, other) },
    app: render.app(other),
    pull_requests: [],
  });
  const problem = applyCheckRunBody(ctx, run);
  if (problem) return problem;
  // An app's installation owns the check runs it creates; a plain token's are left open to any token.
  const byApp = other !== undefined || ctx.actor === `${ctx.state.appSlug}[bot]`;
  Object.defineProperty(run, '_owner', { value: byApp ? ctx.actor : undefined, enumerable: false });
  repo.checkRuns.set(id, run);
  return { status: 201, body: run };
};

const updateCheckRun: Handler = (ctx) => {
  const run = ctx.repo.checkRuns.get(Number(ctx.params.check_run_id));
  if (!run) return notFound();
  // As on GitHub: only the app that created a check run may change it.
  const owner = ownerOf(run);
  if (owner !== undefined && owner !== ctx.actor)
    return {
      status: 403,
      body: { message: 'Resource not accessible by integration', documentation_url: DOCS, status: '403' },
    };
  const copy = structuredClone(run);
  Object.defineProperty(copy, '_annotations', { value: run._annotations, enumerable: false, writable: true });
  Object.defineProperty(copy, '_actions', { value: run._actions, enumerable: false, writable: true });
  Object.defineProperty(copy, '_owner', { value: owner, enumerable: false });
  const problem = applyCheckRunBody(ctx, copy);
  if (problem) return problem;
  ctx.repo.checkRuns.set(Number(ctx.params.check_run_id), copy);
  return { status: 200, body: copy };
};

const getCheckRun: Handler = (ctx) => {
  const run = ctx.repo.checkRuns.get(Number(ctx.params.check_run_id));
  return run ? { status: 200, body: run } : notFound();
};

const listCheckRunsForRef: Handler = (ctx) => {
  const sha = resolveRef(ctx.repo, String(ctx.params.ref));
  const appOf = (r: Json) => (r.app as Json | null | undefined)?.id;
  const listed = new Set(
    suitesOf(ctx, sha)
      .slice(-REF_LIST_SUITES)
      .map((s) => s.id),
  );
  let runs = [...ctx.repo.checkRuns.values()].filter(
    (r) =>
      r.head_sha === sha &&
      listed.has((r.check_suite as Json).id as number) &&
      (ctx.query.check_name === undefined || r.name === ctx.query.check_name) &&
      (ctx.query.status === undefined || r.status === ctx.query.status) &&
      (ctx.query.app_id === undefined || appOf(r) === Number(ctx.query.app_id)),
  );
  // filter=latest (GitHub's default): only the most recent check run of each name in each check suite.
  if ((ctx.query.filter ?? 'latest') === 'latest') {
    const newest = new Map<string, Json>();
    for (const r of runs) newest.set(JSON.stringify([(r.check_suite as Json).id, appOf(r), r.name]), r);
    const kept = new Set(newest.values());
    runs = runs.filter((r) => kept.has(r));
  }
  const page = paginate(ctx, runs.reverse());
  return { ...page, body: { total_count: runs.length, check_runs: page.body } };
};

/** The check suites of a commit: one per app that made check runs on it, and those opened (workflow runs). */
const listCheckSuitesForRef: Handler = (ctx) => {
  const { repo, render } = ctx;
  const sha = resolveRef(repo, String(ctx.params.ref));
  const listed = suitesOf(ctx, sha)
    .filter(
      ({ app, runs }) =>
        (ctx.query.app_id === undefined || app.id === Number(ctx.query.app_id)) &&
        (ctx.query.check_name === undefined || runs.some((r) => r.name === ctx.query.check_name)),
    )
    .map(({ id, app, runs }) => {
      const url = `${render.repoUrl(repo)}/check-suites/${id}`;
      return build('check-suite', render.base, {
        id,
        node_id: nodeId('CS', id),
        head_sha: sha,
        status: 'completed',
        url,
        check_runs_url: `${url}/check-runs`,
        app,
        repository: render.repository(repo, 'minimal-repository'),
        latest_check_runs_count: runs.length,
        created_at: runs[0]?.started_at ?? nowIso(ctx.now()),
        updated_at: runs.at(-1)?.started_at ?? nowIso(ctx.now()),
      });
    });
  const page = paginate(ctx, listed);
  return { ...page, body: { total_count: listed.length, check_suites: page.body } };
};

const listCheckRunsForSuite: Handler = (ctx) => {
  const suite = Number(ctx.params.check_suite_id);
  let runs = [...ctx.repo.checkRuns.values()].filter(
    (r) =>
      (r.check_suite as Json).id === suite &&
      (ctx.query.check_name === undefined || r.name === ctx.query.check_name) &&
      (ctx.query.status === undefined || r.status === ctx.query.status),
  );
  if ((ctx.query.filter ?? 'latest') === 'latest') {
    const newest = new Map<unknown, Json>();
    for (const r of runs) newest.set(r.name, r);
    const kept = new Set(newest.values());
    runs = runs.filter((r) => kept.has(r));
  }
  const page = paginate(ctx, runs.reverse());
  return { ...page, body: { total_count: runs.length, check_runs: page.body } };
};

const createCommitStatus: Handler = (ctx) => {
  const { repo, render, body } = ctx;
  const sha = String(ctx.params.sha);
  if (!repo.commits.has(sha)) return unprocessable(`No commit found for SHA: ${sha}`);
  const id = nextId(ctx.state);
  const at = nowIso(ctx.now());
  const status = build('status', render.base, {
    url: `${render.repoUrl(repo)}/statuses/${sha}`,
    avatar_url: null,
    id,
    node_id: nodeId('SC', id),
    state: body.state,
    description: str(body.description) ?? null,
    target_url: str(body.target_url) ?? null,
    context: str(body.context) ?? 'default',
    created_at: at,
    updated_at: at,
    creator: render.user(ctx.actor),
  });
  repo.commitStatuses.push({ ...status, sha });
  return { status: 201, body: status };
};

const combinedStatus: Handler = (ctx) => {
  const { repo, render } = ctx;
  const sha = resolveRef(repo, String(ctx.params.ref));
  if (!sha) return notFound();
  const latest = new Map<string, Json>();
  for (const s of repo.commitStatuses) if (s.sha === sha) latest.set(String(s.context), s);
  const statuses = [...latest.values()].map(({ sha: _sha, ...s }) => s);
  const states = statuses.map((s) => s.state);
  const state = states.some((s) => s === 'failure' || s === 'error')
    ? 'failure'
    : !states.length || states.some((s) => s === 'pending')
      ? 'pending'
      : 'success';
  return {
    status: 200,
    body: build('combined-commit-status', render.base, {
      state,
      statuses,
      sha,
      total_count: statuses.length,
      repository: render.repository(repo, 'minimal-repository'),
      commit_url: `${render.repoUrl(repo)}/commits/${sha}`,
      url: `${render.repoUrl(repo)}/commits/${sha}/status`,
    }),
  };
};

// ---- issue comments and reactions --------------------------------------------------------------

function issueExists(ctx: HandlerContext, n: number): boolean {
  return ctx.repo.pulls.has(n);
}

/** GitHub refuses an issue comment body longer than this many characters. */
const COMMENT_BODY_MAX = 65_536;

/** GitHub's refusal of a comment body over its limit (counted in characters, as GitHub counts them). */
function bodyTooLong(body: unknown): HandlerResult | undefined {
  const length = [...String(body)].length;
  if (length <= COMMENT_BODY_MAX) return undefined;
  return unprocessable(
    'Validation Failed',
    `comment body is ${length} characters; GitHub allows at most ${COMMENT_BODY_MAX}`,
    'body',
  );
}

const createComment: Handler = (ctx) => {
  const issueNumber = Number(ctx.params.issue_number);
  if (!issueExists(ctx, issueNumber)) return notFound();
  const tooLong = bodyTooLong(ctx.body.body);
  if (tooLong) return tooLong;
  const comment = newComment(ctx, issueNumber, String(ctx.body.body), ctx.actor);
  return { status: 201, body: publicComment(comment, ctx.repo), headers: { location: String(comment.url) } };
};

/** Creates and stores an issue comment; also used by the seed helper for comments from people. */
export function newComment(
  ctx: Pick<HandlerContext, 'repo' | 'render' | 'state' | 'now' | 'actor'>,
  issueNumber: number,
  body: string,
  login: string,
): Json & { issueNumber: number } {
  const { repo, render } = ctx;
  const id = nextId(ctx.state);
  const at = nowIso(ctx.now());
  const comment = build('issue-comment', render.base, {
    id,
    node_id: nodeId('IC', id),
    url: `${render.repoUrl(repo)}/issues/comments/${id}`,
    html_url: render.html(`/${repo.owner}/${repo.name}/pull/${issueNumber}#issuecomment-${id}`),
    body,
    user: render.user(login),
    created_at: at,
    updated_at: at,
    issue_url: `${render.repoUrl(repo)}/issues/${issueNumber}`,
    author_association: render.association(repo, login),
    performed_via_github_app: login === `${ctx.state.appSlug}[bot]` ? render.app() : null,
  });
  const stored = Object.assign(comment, { issueNumber });
  Object.defineProperty(stored, 'issueNumber', { enumerable: false });
  repo.comments.set(id, stored);
  return stored;
}

const REACTION_CONTENTS = ['+1', '-1', 'laugh', 'confused', 'heart', 'hooray', 'rocket', 'eyes'] as const;

/**
 * A comment as GitHub answers it: with its reaction counts (the reaction rollup GitHub puts on every issue
 * comment it returns), as they are now.
 */
const publicComment = (c: Json, repo: HandlerContext['repo']): Json => {
  const reactions = repo.reactions.get(Number(c.id)) ?? [];
  const counts = Object.fromEntries(
    REACTION_CONTENTS.map((content) => [content, reactions.filter((r) => r.content === content).length]),
  );
  return {
    ...c,
    reactions: { url: `${String(c.url)}/reactions`, total_count: reactions.length, ...counts },
  };
};

const getComment: Handler = (ctx) => {
  const c = ctx.repo.comments.get(Number(ctx.params.comment_id));
  return c ? { status: 200, body: publicComment(c, ctx.repo) } : notFound();
};

const updateComment: Handler = (ctx) => {
  const c = ctx.repo.comments.get(Number(ctx.params.comment_id));
  if (!c) return notFound();
  const tooLong = bodyTooLong(ctx.body.body);
  if (tooLong) return tooLong;
  c.body = ctx.body.body;
  c.updated_at = nowIso(ctx.now());
  return { status: 200, body: publicComment(c, ctx.repo) };
};

const deleteComment: Handler = (ctx) => {
  const id = Number(ctx.params.comment_id);
  if (!ctx.repo.comments.delete(id)) return notFound();
  ctx.repo.reactions.delete(id);
  return { status: 204 };
};

const listComments: Handler = (ctx) => {
  const n = Number(ctx.params.issue_number);
  if (!issueExists(ctx, n)) return notFound();
  const since = str(ctx.query.since);
  const list = [...ctx.repo.comments.values()]
    .filter((c) => c.issueNumber === n && (!since || String(c.updated_at) >= since))
    .map((c) => publicComment(c, ctx.repo));
  return paginate(ctx, list);
};

const createReaction: Handler = (ctx) => {
  const { repo, render } = ctx;
  const commentId = Number(ctx.params.comment_id);
  if (!repo.comments.has(commentId)) return notFound();
  const list = repo.reactions.get(commentId) ?? [];
  repo.reactions.set(commentId, list);
  const existing = list.find((r) => (r.user as Json).login === ctx.actor && r.content === ctx.body.content);
  if (existing) return { status: 200, body: existing };
  const id = nextId(ctx.state);
  const reaction = build('reaction', render.base, {
    id,
    node_id: nodeId('REA', id),
    user: render.user(ctx.actor),
    content: ctx.body.content,
    created_at: nowIso(ctx.now()),
  });
  list.push(reaction);
  return { status: 201, body: reaction };
};

const deleteReaction: Handler = (ctx) => {
  const commentId = Number(ctx.params.comment_id);
  const list = ctx.repo.reactions.get(commentId) ?? [];
  // Only the reaction's own author deletes it (GitHub answers 404 to anyone else, as for one that is gone).
  const at = list.findIndex(
    (r) => r.id === Number(ctx.params.reaction_id) && (r.user as Json).login === ctx.actor,
  );
  if (!ctx.repo.comments.has(commentId) || at < 0) return notFound();
  list.splice(at, 1);
  return { status: 204 };
};

const listReactions: Handler = (ctx) => {
  const commentId = Number(ctx.params.comment_id);
  if (!ctx.repo.comments.has(commentId)) return notFound();
  const list = (ctx.repo.reactions.get(commentId) ?? []).filter(
    (r) => ctx.query.content === undefined || r.content === ctx.query.content,
  );
  return paginate(ctx, list);
};

// ---- people and permissions --------------------------------------------------------------------

const collaboratorPermission: Handler = (ctx) => {
  const { repo, render } = ctx;
  const login = String(ctx.params.username);
  const role = login.toLowerCase() === repo.owner.toLowerCase() ? 'admin' : repo.collaborators.get(login);
  // GitHub folds maintain→write and triage→read into `permission`; role_name keeps the real role.
  const permission = role === 'maintain' ? 'write' : role === 'triage' ? 'read' : (role ?? 'none');
  const perms = {
    admin: permission === 'admin',
    maintain: role === 'admin' || role === 'maintain',
    push: permission === 'admin' || permission === 'write',
    triage: role !== undefined && role !== 'read',
    pull: role !== undefined,
  };
  return {
    status: 200,
    body: build('repository-collaborator-permission', render.base, {
      permission,
      role_name: role ?? 'none',
      user: role ? { ...render.user(login), permissions: perms, role_name: role } : null,
    }),
  };
};

const teamMembership: Handler = (ctx) => {
  const org = String(ctx.params.org);
  const slug = String(ctx.params.team_slug);
  const login = String(ctx.params.username);
  const role = ctx.state.teams.get(`${org}/${slug}`.toLowerCase())?.get(login);
  if (!role) return notFound();
  return {
    status: 200,
    body: build('team-membership', ctx.render.base, {
      url: `${ctx.render.base}/organizations/${org}/team/${slug}/memberships/${login}`,
      role,
      state: 'active',
    }),
  };
};

// ---- deployment protection rules, app installation ---------------------------------------------

/**
 * GitHub's description documents only the 204 of this answer. For a run that holds no deployment to answer
 * it refuses; the fake says 422 (undocumented, so the App must not rely on the status: it reads the pending
 * deployments, below, to know whether the run still waits).
 */
const reviewCustomGates: Handler = (ctx) => {
  const { body } = ctx;
  const runId = Number(ctx.params.run_id);
  // A run that has ended (cancelled, timed out after 30 days of waiting) holds no deployment to answer.
  if (ctx.repo.workflowRuns.get(runId)?.status === 'completed')
    return unprocessable('No pending deployment requests to approve or reject');
  const name = String(body.environment_name).toLowerCase();
  const waiting = ctx.repo.waitingGates.get(runId);
  for (const environment of waiting ?? [])
    if (environment.toLowerCase() === name) waiting!.delete(environment);
  ctx.repo.protectionRuleReviews.push({
    runId: Number(ctx.params.run_id),
    environmentName: String(body.environment_name),
    state: body.state as 'approved' | 'rejected',
    comment: str(body.comment),
  });
  return { status: 204 };
};

/**
 * The environments run `run_id` waits on (the protection rules GitHub asked about and no review answered); none
 * once the run has completed. Documented: 200 and a list of pending deployments.
 */
const pendingDeployments: Handler = (ctx) => {
  const runId = Number(ctx.params.run_id);
  const run = ctx.repo.workflowRuns.get(runId);
  if (!run) return notFound();
  const waiting = run.status === 'completed' ? [] : [...(ctx.repo.waitingGates.get(runId) ?? [])];
  const { owner, name: repoName } = ctx.repo;
  return {
    status: 200,
    body: waiting.map((environment, index) => ({
      environment: {
        id: 5000 + index,
        node_id: `EN_fake${index}`,
        name: environment,
        url: `${ctx.render.base}/repos/${owner}/${repoName}/environments/${encodeURIComponent(environment)}`,
        html_url: ctx.render.html(
          `/${owner}/${repoName}/deployments/activity_log?environments_filter=${encodeURIComponent(environment)}`,
        ),
      },
      wait_timer: 0,
      wait_timer_started_at: null,
      current_user_can_approve: false,
      reviewers: [],
    })),
  };
};

// ---- actions: workflow runs and workflow_dispatch -----------------------------------------------------

const getWorkflowRun: Handler = (ctx) => {
  const run = ctx.repo.workflowRuns.get(Number(ctx.params.run_id));
  return run ? { status: 200, body: ctx.render.workflowRun(ctx.repo, run) } : notFound();
};

/** The `workflow_dispatch` trigger of a workflow file: its declared inputs, or undefined when it has none. */
function dispatchTrigger(text: string): { inputs: Record<string, { required?: boolean }> } | undefined {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch {
    return undefined;
  }
  const on = (doc as Json | null)?.on;
  if (on === 'workflow_dispatch') return { inputs: {} };
  if (Array.isArray(on)) return on.includes('workflow_dispatch') ? { inputs: {} } : undefined;
  if (typeof on !== 'object' || on === null || !('workflow_dispatch' in on)) return undefined;
  const trigger = (on as Json).workflow_dispatch as Json | null;
  return { inputs: (trigger?.inputs ?? {}) as Record<string, { required?: boolean }> };
}

/**
 * As GitHub does: the workflow file must exist at the ref and have a workflow_dispatch trigger, the inputs
 * must be ones it declares, and the required ones must be there. The fake records the dispatch and a queued
 * run for it (returned with return_run_details, as GitHub does).
 */
const createWorkflowDispatch: Handler = (ctx) => {
  const { repo, body } = ctx;
  const workflowId = String(ctx.params.workflow_id);
  const ref = String(body.ref);
  const branch = branchOf(repo, ref);
  const sha = resolveRef(repo, ref);
  if (!branch || !sha) return unprocessable(`No ref found for: ${ref}`);
  const path = `.github/workflows/${workflowId}`;
  const text = repo.files.get(branch)?.get(path);
  if (text === undefined) return notFound();
  const trigger = dispatchTrigger(text);
  if (!trigger) return unprocessable("Workflow does not have 'workflow_dispatch' trigger");
  const inputs = (body.inputs ?? {}) as Record<string, unknown>;
  const unexpected = Object.keys(inputs).filter((k) => !Object.hasOwn(trigger.inputs, k));
  if (unexpected.length) return unprocessable(`Unexpected inputs provided: ${JSON.stringify(unexpected)}`);
  const missing = Object.entries(trigger.inputs).find(
    ([k, spec]) => spec?.required && inputs[k] === undefined,
  );
  if (missing) return unprocessable(`Required input '${missing[0]}' not provided`);
  const at = nowIso(ctx.now());
  const runId = nextId(ctx.state);
  repo.workflowRuns.set(runId, {
    id: runId,
    name: workflowId,
    path,
    headSha: sha,
    headBranch: branch,
    event: 'workflow_dispatch',
    status: 'queued',
    conclusion: null,
    runAttempt: 1,
    runNumber: repo.workflowRuns.size + 1,
    actor: ctx.actor,
    createdAt: at,
    updatedAt: at,
  });
  repo.workflowDispatches.push({ workflowId, ref, inputs, actor: ctx.actor, at, runId });
  if (body.return_run_details !== true) return { status: 204 };
  const run = ctx.render.workflowRun(repo, repo.workflowRuns.get(runId)!);
  return {
    status: 200,
    body: { workflow_run_id: runId, run_url: run.url, html_url: run.html_url },
  };
};

function installation(ctx: HandlerContext, account: string): Json {
  const { state, render } = ctx;
  const id = state.installationId;
  return build('installation', render.base, {
    id,
    account: render.user(account),
    repository_selection: 'selected',
    access_tokens_url: `${render.base}/app/installations/${id}/access_tokens`,
    repositories_url: `${render.base}/installation/repositories`,
    html_url: render.html(`/settings/installations/${id}`),
    app_id: state.appId,
    app_slug: state.appSlug,
    target_id: userId(account),
    target_type: 'Organization',
    permissions: { ...APP_PERMISSIONS },
    events: [...APP_EVENTS],
    created_at: '2024-01-01T00:00:00Z',
    updated_at: '2024-01-01T00:00:00Z',
    single_file_name: null,
    suspended_by: null,
    suspended_at: null,
  });
}

/** GET /app (JWT): the app itself, as check runs and comments show it; its slug names its bot, `<slug>[bot]`. */
const getAuthenticatedApp: Handler = (ctx) => ({ status: 200, body: ctx.render.app() });

const getRepoInstallation: Handler = (ctx) => ({ status: 200, body: installation(ctx, ctx.repo.owner) });

const createInstallationToken: Handler = (ctx) => {
  if (Number(ctx.params.installation_id) !== ctx.state.installationId) return notFound();
  const token = `ghs_${randomBytes(18).toString('hex')}`;
  ctx.state.installationTokens.add(token);
  const expires = new Date(ctx.now().getTime() + 3_600_000);
  return {
    status: 201,
    body: build('installation-token', ctx.render.base, {
      token,
      expires_at: nowIso(expires),
      permissions: { ...APP_PERMISSIONS },
      repository_selection: 'selected',
    }),
  };
};

/** operationId → handler. Operations absent here answer 501 and are recorded as a gap of the fake. */
export const handlers: Record<string, Handler> = {
  'repos/get': getRepo,
  'repos/get-content': getContent,
  'repos/get-commit': getCommit,
  'repos/compare-commits': compareCommits,
  'git/get-ref': getRef,
  'git/list-matching-refs': listMatchingRefs,
  'git/create-ref': createRef,
  'git/update-ref': updateRef,
  'git/delete-ref': deleteRef,
  'git/create-tag': createTag,
  'git/get-tag': getTag,
  'pulls/get': getPull,
  'pulls/list-reviews': listPullReviews,
  'pulls/list-commits': listPullCommits,
  'issues/list-labels-on-issue': listLabelsOnIssue,
  'repos/list-activities': listActivities,
  'repos/create-deployment': createDeployment,
  'repos/list-deployments': listDeployments,
  'repos/get-deployment': getDeployment,
  'repos/delete-deployment': deleteDeployment,
  'repos/create-deployment-status': createDeploymentStatus,
  'repos/list-deployment-statuses': listDeploymentStatuses,
  'checks/create': createCheckRun,
  'checks/update': updateCheckRun,
  'checks/get': getCheckRun,
  'checks/list-for-ref': listCheckRunsForRef,
  'checks/list-suites-for-ref': listCheckSuitesForRef,
  'checks/list-for-suite': listCheckRunsForSuite,
  'repos/create-commit-status': createCommitStatus,
  'repos/get-combined-status-for-ref': combinedStatus,
  'issues/create-comment': createComment,
  'issues/get-comment': getComment,
  'issues/update-comment': updateComment,
  'issues/delete-comment': deleteComment,
  'issues/list-comments': listComments,
  'reactions/create-for-issue-comment': createReaction,
  'reactions/list-for-issue-comment': listReactions,
  'reactions/delete-for-issue-comment': deleteReaction,
  'repos/get-collaborator-permission-level': collaboratorPermission,
  'teams/get-membership-for-user-in-org': teamMembership,
  'actions/review-custom-gates-for-run': reviewCustomGates,
  'actions/get-pending-deployments-for-run': pendingDeployments,
  'actions/get-workflow-run': getWorkflowRun,
  'actions/create-workflow-dispatch': createWorkflowDispatch,
  'apps/get-repo-installation': getRepoInstallation,
  'apps/get-authenticated': getAuthenticatedApp,
  'apps/create-installation-access-token': createInstallationToken,
};
