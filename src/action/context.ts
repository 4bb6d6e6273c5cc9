// What the runner tells the action about this run: the repository, the commit, the event (a `deployment`
// created by the App, `workflow_dispatch` inputs, a `push` or a pull request) and where the run's log is.
// Pure: the caller reads the environment and the event file.
import { parseDeploymentPayload, type DeploymentPayload } from '../github/deployment-payload.ts';
import { textOf } from '../util/text-of.ts';

export interface RunContext {
  owner: string;
  repo: string;
  eventName: string;
  sha: string;
  /**
   * Where `sha` comes from, as the workflow expression that gives it (`github.sha`,
   * `github.event.pull_request.head.sha`...): what to check out when the workspace holds another commit.
   * Absent: `github.sha`.
   */
  shaFrom?: string;
  /**
   * GITHUB_SHA: the commit actions/checkout takes without a `ref` (on pull_request_target, issue_comment and
   * workflow_run, the base or default branch's latest commit, not the event's).
   */
  defaultCheckout?: string;
  ref?: string;
  actor?: string;
  runId?: string;
  runUrl?: string;
  apiUrl: string;
  /** Present when the run was started by a `deployment` event. */
  deployment?: {
    id: number;
    environment: string;
    sha: string;
    ref: string;
    task: string;
    payload: DeploymentPayload;
    production?: boolean;
    transient?: boolean;
    creator?: string;
  };
  /** The pull request this run is about: the deployment payload's, or the pull_request event's. */
  pullNumber?: number;
  /** Its title, when the event carries it (pull_request and pull_request_target): for people only. */
  pullTitle?: string;
  /**
   * Its head commit, when the event carries it: what its reviews were given on. Not `sha` once it is merged
   * (then `sha` is its merge commit).
   */
  pullHeadSha?: string;
  /** workflow_dispatch inputs, as strings. */
  dispatch?: Record<string, string>;
  /**
   * The tag the event is about: a release's tag, a tag's `create`, a push to a tag, a workflow_dispatch run on
   * a tag. The run's version when no input or payload gives one (a release of v1.4.0 deploys version v1.4.0,
   * not a SHA).
   */
  tag?: { name: string; event: 'release' | 'create' | 'push' | 'workflow_dispatch' };
  /**
   * The event says its commit is not one to deploy (planRun refuses modes full and deploy on it): a deleted
   * ref, a pull request closed without merging, a release deleted, unpublished or still a draft, another
   * workflow's run that did not succeed, a deployment status other than success, a status or check about
   * another commit than GITHUB_SHA.
   */
  undeployable?: Undeployable;
  /**
   * deployment_status: the deployment the status is about (another run's; this run makes its own), and the
   * version its payload names (the run's version when no input gives one).
   */
  statusOf?: { id: number; environment: string; state: string; version?: string };
  /**
   * The pull request's head is in another repository than its base (a fork): its code is not this
   * repository's. Absent for every other run.
   */
  fork?: {
    /** The fork, owner/name ('a deleted fork' when GitHub no longer knows it). */
    repository: string;
    /** The pull request was merged: its code is now the base branch's, merged by someone who could. */
    merged: boolean;
    /**
     * GitHub gives this run a read-only token and no secrets (pull_request and its review events from a
     * fork): any write to GitHub would be refused.
     */
    readOnlyToken: boolean;
    /**
     * issue_comment: the pull request the comment is on (the event names no head repository, so it was read
     * from GitHub, commentPull). Its number is not the run's pullNumber: the run is still about GITHUB_SHA.
     */
    commentOn?: number;
    /**
     * issue_comment: the pull request could not be read, so whether its head is a fork is unknown; taken as a
     * fork (fail closed). Why, for the messages.
     */
    unknown?: string;
  };
}

/** Why an event's commit is not deployed, with a stable reason code (see RunContext.undeployable). */
export type Undeployable =
  | { reason: 'ref_deleted'; ref: string }
  | { reason: 'pull_request_closed'; pullNumber: number }
  | { reason: 'event_commit_elsewhere'; commit: string; field: string }
  | { reason: 'release_not_published'; tag: string; action: string; draft: boolean }
  | { reason: 'run_not_succeeded'; runId?: number; workflow?: string; conclusion?: string }
  | { reason: 'deployment_not_succeeded'; deploymentId: number; environment: string; state: string };

/** The events whose runs for a fork's pull request get a read-only GITHUB_TOKEN and no secrets. */
const READ_ONLY_FOR_FORKS = new Set(['pull_request', 'pull_request_review', 'pull_request_review_comment']);

export class ContextError extends Error {}

type Json = Record<string, unknown>;

export function readRunContext(env: NodeJS.ProcessEnv, event: Json | undefined): RunContext {
  const repository = env.GITHUB_REPOSITORY ?? '';
  const [owner, repo] = repository.split('/');
  if (!owner || !repo)
    throw new ContextError(
      `GITHUB_REPOSITORY is "${repository}"; the action needs "owner/repo" (it runs inside a GitHub Actions job)`,
    );
  const eventName = env.GITHUB_EVENT_NAME ?? 'unknown';
  const serverUrl = env.GITHUB_SERVER_URL ?? 'https://github.com';
  const runId = env.GITHUB_RUN_ID;
  const attempt = env.GITHUB_RUN_ATTEMPT;
  const runUrl = runId
    ? `${serverUrl}/${owner}/${repo}/actions/runs/${runId}${attempt && attempt !== '1' ? `/attempts/${attempt}` : ''}`
    : undefined;

  const context: RunContext = {
    owner,
    repo,
    eventName,
    sha: env.GITHUB_SHA ?? '',
    shaFrom: 'github.sha',
    defaultCheckout: env.GITHUB_SHA,
    ref: env.GITHUB_REF,
    actor: env.GITHUB_ACTOR,
    runId,
    runUrl,
    apiUrl: env.GITHUB_API_URL ?? 'https://api.github.com',
  };

  const d = event?.deployment as Json | undefined;
  if (eventName === 'deployment') {
    if (!d || typeof d.id !== 'number' || typeof d.sha !== 'string' || typeof d.environment !== 'string')
      throw new ContextError('the deployment event has no deployment with an id, a sha and an environment');
    let payload: DeploymentPayload;
    try {
      payload = parseDeploymentPayload(d.payload);
    } catch (error) {
      throw new ContextError(`deployment ${d.id}: ${(error as Error).message}`);
    }
    const creator = (d.creator as Json | null | undefined)?.login;
    context.deployment = {
      id: d.id,
      environment: d.environment,
      sha: d.sha,
      ref: optionalText(d.ref, `deployment ${d.id}: its ref`) ?? d.sha,
      task: optionalText(d.task, `deployment ${d.id}: its task`) ?? 'deploy',
      payload,
      production: typeof d.production_environment === 'boolean' ? d.production_environment : undefined,
      transient: typeof d.transient_environment === 'boolean' ? d.transient_environment : undefined,
      creator: typeof creator === 'string' ? creator : undefined,
    };
    // The deployment's commit is what is deployed, whatever the workflow was checked out at.
    context.sha = d.sha;
    context.shaFrom = 'github.event.deployment.sha';
    context.pullNumber = payload.pr;
  }

  const pull = event?.pull_request as Json | undefined;
  if (context.pullNumber === undefined && pull && typeof pull.number === 'number') {
    context.pullNumber = pull.number;
    if (typeof pull.title === 'string') context.pullTitle = pull.title;
    // On a pull request, GITHUB_SHA is a merge commit; the head is what was reviewed. Once merged, the
    // merge commit is what the base branch has (a squash or rebase leaves the head on no branch at all).
    const head = (pull.head as Json | undefined)?.sha;
    if (typeof head === 'string') context.pullHeadSha = head;
    const merged = pull.merged === true && typeof pull.merge_commit_sha === 'string';
    if (merged) {
      context.sha = pull.merge_commit_sha as string;
      context.shaFrom = 'github.event.pull_request.merge_commit_sha';
    } else if (typeof head === 'string') {
      context.sha = head;
      context.shaFrom = 'github.event.pull_request.head.sha';
    }
    // Closed without merging: its head was turned down (the App refuses /deploy there too).
    if (pull.state === 'closed' && !merged)
      context.undeployable = { reason: 'pull_request_closed', pullNumber: pull.number };
    const repository = forkOf(pull);
    if (repository !== undefined)
      context.fork = {
        repository,
        merged: pull.merged === true,
        readOnlyToken: READ_ONLY_FOR_FORKS.has(eventName),
      };
  }

  // A workflow_run event is about the commit the other workflow ran on (its CI passed there); GITHUB_SHA is
  // the default branch's latest commit, which that workflow may never have seen. A run of a fork's pull
  // request (the only way a fork's commit starts a workflow here) gets this repository's token and secrets.
  const workflowRun = event?.workflow_run as Json | undefined;
  if (eventName === 'workflow_run' && workflowRun && typeof workflowRun.head_sha === 'string') {
    context.sha = workflowRun.head_sha;
    context.shaFrom = 'github.event.workflow_run.head_sha';
    const repository = forkOfRun(workflowRun);
    if (repository !== undefined) context.fork = { repository, merged: false, readOnlyToken: false };
  }

  readEventSubject(context, event);

  if (eventName === 'workflow_dispatch' && event?.inputs && typeof event.inputs === 'object') {
    context.dispatch = Object.fromEntries(
      Object.entries(event.inputs as Json)
        .filter(([, v]) => v !== null && v !== undefined)
        // Trimmed as the runner trims the action's own inputs: "production " names production.
        .map(([k, v]) => [k, dispatchInput(k, v).trim()]),
    );
  }

  if (!/^[0-9a-f]{40}$/.test(context.sha))
    throw new ContextError(
      `the commit to deploy is "${context.sha}", not a 40-character SHA (GITHUB_SHA is not set?)`,
    );
  return context;
}

/**
 * What the event says of its own commit: the tag it is about, and whether it is one to deploy at all. A job
 * on `release` without `types: [published]`, on `workflow_run` or `deployment_status` without an `if:` on the
 * outcome, or on `push` without `if: !github.event.deleted`, runs for events whose commit nobody meant to
 * deploy.
 */
function readEventSubject(context: RunContext, event: Json | undefined): void {
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
  switch (context.eventName) {
    case 'release': {
      const release = event?.release as Json | undefined;
      const tag = text(release?.tag_name);
      if (tag === undefined) return;
      context.tag = { name: tag, event: 'release' };
      const action = text(event?.action) ?? '';
      if (action === 'deleted' || action === 'unpublished' || release?.draft === true)
        context.undeployable = {
          reason: 'release_not_published',
          tag,
          action,
          draft: release?.draft === true,
        };
      return;
    }
    case 'create': {
      const ref = text(event?.ref);
      if (event?.ref_type === 'tag' && ref !== undefined) context.tag = { name: ref, event: 'create' };
      return;
    }
    case 'workflow_dispatch':
    case 'push': {
      // GITHUB_REF, what the runner checked out (workflow_dispatch: the branch or tag picked in "Use workflow
      // from"); the event's own only without it.
      const ref = text(context.ref) ?? text(event?.ref);
      if (context.eventName === 'push' && event?.deleted === true) {
        context.undeployable = { reason: 'ref_deleted', ref: ref ?? 'the ref' };
        return;
      }
      if (ref?.startsWith('refs/tags/') && ref.length > 'refs/tags/'.length)
        context.tag = { name: ref.slice('refs/tags/'.length), event: context.eventName };
      return;
    }
    case 'workflow_run': {
      const run = event?.workflow_run as Json | undefined;
      if (!run || run.conclusion === 'success') return;
      context.undeployable = {
        reason: 'run_not_succeeded',
        runId: typeof run.id === 'number' ? run.id : undefined,
        workflow: text(run.name),
        conclusion: text(run.conclusion),
      };
      return;
    }
    // About one commit, while GITHUB_SHA (what the run deploys) is the default branch's latest: deploying it
    // on another commit's status or check would deploy what they say nothing of. Not taken as the commit
    // (as workflow_run's is): the event cannot tell a fork's commit from this repository's.
    case 'status':
    case 'check_run':
    case 'check_suite': {
      const field = context.eventName === 'status' ? 'sha' : `${context.eventName}.head_sha`;
      const holder =
        context.eventName === 'status' ? event : (event?.[context.eventName] as Json | undefined);
      const commit = text(holder?.[context.eventName === 'status' ? 'sha' : 'head_sha']);
      if (commit !== undefined && /^[0-9a-f]{40}$/i.test(commit) && commit.toLowerCase() !== context.sha)
        context.undeployable = { reason: 'event_commit_elsewhere', commit, field: `github.event.${field}` };
      return;
    }
    case 'deployment_status': {
      const deployment = event?.deployment as Json | undefined;
      const state = text((event?.deployment_status as Json | undefined)?.state);
      const environment = text(deployment?.environment);
      if (typeof deployment?.id !== 'number' || state === undefined || environment === undefined) return;
      // GITHUB_SHA is that deployment's commit too; named here so a checkout mismatch says where it is.
      if (typeof deployment.sha === 'string') {
        context.sha = deployment.sha;
        context.shaFrom = 'github.event.deployment.sha';
      }
      // A promotion deploys the version that deployment deployed, when its payload names one (the App's
      // and this action's do); another tool's payload that is not ours to read gives none.
      let version: string | undefined;
      try {
        version = parseDeploymentPayload(deployment.payload).version;
      } catch {
        version = undefined;
      }
      context.statusOf = { id: deployment.id, environment, state, ...(version !== undefined && { version }) };
      if (state !== 'success')
        context.undeployable = {
          reason: 'deployment_not_succeeded',
          deploymentId: deployment.id,
          environment,
          state,
        };
      return;
    }
  }
}

// The event file is JSON: a field GitHub writes as text may hold a mapping there (an event file not written by
// GitHub, a runner of another make), and String() of a mapping with a toString key throws a TypeError.

/** A field that is text or absent (null too); anything else is refused, naming `what`. */
function optionalText(value: unknown, what: string): string | undefined {
  if (value === undefined || value === null || typeof value === 'string') return value ?? undefined;
  throw new ContextError(`${what} is ${clipped(textOf(value))}, not text`);
}

/** A workflow_dispatch input as text: GitHub sends strings, booleans and numbers; a list or mapping is refused. */
function dispatchInput(name: string, value: unknown): string {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return String(value);
  throw new ContextError(
    `workflow_dispatch input ${JSON.stringify(name)} is ${clipped(textOf(value))}, not a string, number or boolean`,
  );
}

const clipped = (text: string) => (text.length > 80 ? `${text.slice(0, 79)}…` : text);

/**
 * The head repository of a pull request from a fork (owner/name), or undefined when head and base are one
 * repository. Compared with the pull request's own base (not GITHUB_REPOSITORY): ids where the payload has
 * them, as a repository keeps its id through a rename.
 */
function forkOf(pull: Json): string | undefined {
  const head = pull.head as Json | undefined;
  const base = pull.base as Json | undefined;
  if (!head || !base || typeof base.repo !== 'object' || base.repo === null) return undefined;
  const headRepo = head.repo as Json | null | undefined;
  const baseRepo = base.repo as Json;
  // GitHub sends null for the head repository of a fork that was deleted since.
  if (headRepo === null) return 'a deleted fork';
  if (typeof headRepo !== 'object') return undefined;
  const same =
    typeof headRepo.id === 'number' && typeof baseRepo.id === 'number'
      ? headRepo.id === baseRepo.id
      : textOf(headRepo.full_name ?? '').toLowerCase() === textOf(baseRepo.full_name ?? '').toLowerCase();
  return same ? undefined : typeof headRepo.full_name === 'string' ? headRepo.full_name : 'a fork';
}

/** The head repository of a workflow_run event's run when it is not the run's own repository (a fork). */
function forkOfRun(run: Json): string | undefined {
  const base = run.repository as Json | null | undefined;
  if (typeof base !== 'object' || base === null) return undefined;
  return forkOf({ head: { repo: run.head_repository }, base: { repo: base } });
}

/** The one call commentPull makes (pass `octokit.rest`), so tests hand in a tiny fake. */
export interface PullReader {
  pulls: {
    get(params: {
      owner: string;
      repo: string;
      pull_number: number;
    }): Promise<{ data: { head: { repo: unknown }; base: { repo: unknown }; merged?: boolean | null } }>;
  };
}

/**
 * What an issue_comment run learns of the pull request the comment is on. not_pull_request: another event,
 * or a comment on an issue. same_repository / fork: read from GitHub. unknown (no_token, unreadable): it could
 * not be read; the caller takes it as a fork.
 */
export type CommentPull =
  | { status: 'not_pull_request' }
  | { status: 'same_repository'; pullNumber: number }
  | { status: 'fork'; pullNumber: number; repository: string; merged: boolean }
  | { status: 'unknown'; pullNumber: number; reason: 'no_token' | 'unreadable'; detail: string };

/** Pure: the pull request an issue_comment event's comment is on (GitHub marks its issue as one), if any. */
export function commentPullNumber(eventName: string, event: Json | undefined): number | undefined {
  if (eventName !== 'issue_comment') return undefined;
  const issue = event?.issue as Json | undefined;
  if (!issue || typeof issue.number !== 'number' || !issue.pull_request) return undefined;
  return issue.number;
}

/**
 * issue_comment carries no pull request, so no head repository: a fork's pull request cannot be told from the
 * event, and rollback or reconcile there would run whatever was checked out (a fork's head, its config's
 * commands) with this repository's token and secrets. The pull request is read from GitHub (one request).
 * Never throws: a pull request that cannot be read is `unknown`.
 */
export async function commentPull(
  context: Pick<RunContext, 'owner' | 'repo' | 'eventName'>,
  event: Json | undefined,
  api: PullReader | undefined,
): Promise<CommentPull> {
  const pullNumber = commentPullNumber(context.eventName, event);
  if (pullNumber === undefined) return { status: 'not_pull_request' };
  if (!api) return { status: 'unknown', pullNumber, reason: 'no_token', detail: 'no github-token' };
  let pull;
  try {
    ({ data: pull } = await api.pulls.get({
      owner: context.owner,
      repo: context.repo,
      pull_number: pullNumber,
    }));
  } catch (error) {
    const status = (error as { status?: unknown }).status;
    return {
      status: 'unknown',
      pullNumber,
      reason: 'unreadable',
      detail: `GET pulls/${pullNumber} failed${typeof status === 'number' ? ` with HTTP ${status}` : ''}`,
    };
  }
  // A head and a base with no repository object at all is no answer GitHub gives: not taken as "same".
  if (typeof pull.base?.repo !== 'object' || pull.base.repo === null)
    return { status: 'unknown', pullNumber, reason: 'unreadable', detail: 'the pull request names no base' };
  const repository = forkOf(pull as unknown as Json);
  if (repository === undefined) {
    if (typeof pull.head?.repo !== 'object')
      return {
        status: 'unknown',
        pullNumber,
        reason: 'unreadable',
        detail: 'the pull request names no head',
      };
    return { status: 'same_repository', pullNumber };
  }
  return { status: 'fork', pullNumber, repository, merged: pull.merged === true };
}

/**
 * Pure: the context with what commentPull found. A fork's (or an unknown) pull request is a fork as on
 * pull_request_target: this repository's token and secrets, and the base's code for what is not the fork's
 * deployment (checkout.ts). The run stays about GITHUB_SHA.
 */
export function withCommentPull(context: RunContext, found: CommentPull): RunContext {
  switch (found.status) {
    case 'not_pull_request':
    case 'same_repository':
      return context;
    case 'fork':
      return {
        ...context,
        fork: {
          repository: found.repository,
          merged: found.merged,
          readOnlyToken: false,
          commentOn: found.pullNumber,
        },
      };
    case 'unknown':
      return {
        ...context,
        fork: {
          repository: 'a repository that could not be read',
          merged: false,
          readOnlyToken: false,
          commentOn: found.pullNumber,
          unknown: found.detail,
        },
      };
  }
}

/**
 * What a fork's code reached this run through, for messages: `pull request #8`, or the workflow_run
 * event's commit (GitHub leaves a fork's pull requests out of that event).
 */
export function forkSubject(context: Pick<RunContext, 'pullNumber' | 'eventName' | 'fork'>): string {
  if (context.pullNumber !== undefined) return `pull request #${context.pullNumber}`;
  if (context.fork?.commentOn !== undefined)
    return `the comment's pull request #${context.fork.commentOn}${context.fork.unknown ? ` (${context.fork.unknown})` : ''}`;
  return `the ${context.eventName} event's commit`;
}
