// The fake's in-memory GitHub: repositories, refs, commits, pulls and everything the reporter and the app
// create. API objects created through the API (deployments, check runs, comments...) are stored already
// rendered, and patched in place by later calls.
import { createHash } from 'node:crypto';

type Json = Record<string, unknown>;

export type Permission = 'admin' | 'maintain' | 'write' | 'triage' | 'read';

export interface CommitRecord {
  sha: string;
  message: string;
  parents: string[];
  author: string;
  date: string;
  /** The commit names an author and committer GitHub links to no account (an e-mail of nobody's). */
  unlinked?: true;
}

/** A change of a branch as GET /repos/{o}/{r}/activity lists it: who pushed, created or deleted it. */
export interface ActivityRecord {
  id: number;
  /** 'heads/<branch>' */
  ref: string;
  before: string;
  after: string;
  type: 'push' | 'force_push' | 'branch_creation' | 'branch_deletion';
  actor: string;
  timestamp: string;
}

export interface ReviewRecord {
  id: number;
  user: string;
  state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED' | 'PENDING';
  commitId: string;
  body: string;
  submittedAt: string;
}

/** A review thread on a pull request's diff, as GitHub's GraphQL PullRequestReviewThread shows it. */
export interface ReviewThreadRecord {
  id: number;
  path: string;
  /** Its line in the head version; null when outdated or on the whole file, as GitHub answers. */
  line: number | null;
  resolved: boolean;
  outdated: boolean;
  /** Who wrote its first comment; null: a deleted account. */
  author: string | null;
  /** Its first comment's web address. */
  url: string;
}

export interface PullRecord {
  number: number;
  title: string;
  body: string;
  user: string;
  headRef: string;
  headSha: string;
  /** Owner of the fork the head branch lives in; undefined: the same repository. */
  headOwner?: string;
  /** maintainer_can_modify: the base repository's maintainers may push to the fork's branch. */
  maintainerCanModify?: boolean;
  baseRef: string;
  state: 'open' | 'closed';
  draft: boolean;
  /** Commit shas on the PR branch, oldest first. */
  commits: string[];
  reviews: ReviewRecord[];
  /** Review threads, oldest first (GitHub's order). */
  reviewThreads: ReviewThreadRecord[];
  /** Label names (a pull request's labels are its issue's); undefined: none. */
  labels?: string[];
  createdAt: string;
}

export interface ProtectionRuleReview {
  runId: number;
  environmentName: string;
  state: 'approved' | 'rejected';
  comment: string | undefined;
}

/** A workflow run as the Actions API shows it (GET /repos/{o}/{r}/actions/runs/{run_id}). */
export interface WorkflowRunRecord {
  id: number;
  name: string;
  /** The workflow file, e.g. .github/workflows/deploy.yml. */
  path: string;
  headSha: string;
  headBranch: string;
  event: string;
  status: 'queued' | 'in_progress' | 'completed' | 'waiting' | 'requested' | 'pending';
  conclusion: 'success' | 'failure' | 'cancelled' | 'timed_out' | 'skipped' | 'neutral' | null;
  runAttempt: number;
  runNumber: number;
  actor: string;
  /** Who started this attempt (a re-run by someone else); the actor when unset. */
  triggeringActor?: string;
  createdAt: string;
  updatedAt: string;
}

/** A workflow_dispatch request the fake accepted. */
export interface WorkflowDispatch {
  /** The workflow file name (or id) as asked for. */
  workflowId: string;
  ref: string;
  inputs: Record<string, unknown>;
  actor: string;
  at: string;
  /** The run it started (the fake records one, queued). */
  runId: number;
}

export interface RepoState {
  id: number;
  owner: string;
  name: string;
  defaultBranch: string;
  private: boolean;
  /** Files per branch name. */
  files: Map<string, Map<string, string>>;
  /** 'heads/main' → sha (or a tag object sha for annotated tags). */
  refs: Map<string, string>;
  commits: Map<string, CommitRecord>;
  /** The changes of its branches, oldest first (the activity list). */
  activities: ActivityRecord[];
  tagObjects: Map<string, Json>;
  collaborators: Map<string, Permission>;
  pulls: Map<number, PullRecord>;
  deployments: Map<number, Json>;
  deploymentStatuses: Map<number, Json[]>;
  /**
   * Deployments GitHub's listings do not show yet (its listing lags a deployment just made by seconds): GET of
   * the deployment and of its statuses finds them. Tests add ids here; taking one out shows it again.
   */
  unlistedDeployments?: Set<number>;
  checkRuns: Map<number, Json>;
  /**
   * Check suites opened besides each app's first one on a commit (openCheckSuites: a workflow run's), oldest
   * first. An app's check runs go into its newest suite on their commit.
   */
  checkSuites?: CheckSuiteRecord[];
  comments: Map<number, Json & { issueNumber: number }>;
  reactions: Map<number, Json[]>;
  commitStatuses: Json[];
  protectionRuleReviews: ProtectionRuleReview[];
  /**
   * Run id → environments (as GitHub named them) whose custom protection rule the run waits for: what
   * GET .../pending_deployments lists while the run has not completed. A review takes its environment out.
   */
  waitingGates: Map<number, Set<string>>;
  workflowRuns: Map<number, WorkflowRunRecord>;
  workflowDispatches: WorkflowDispatch[];
}

export interface CheckSuiteRecord {
  id: number;
  headSha: string;
  /** The app that owns it; undefined: the app under test (and plain tokens, as their check runs). */
  app: OtherApp | undefined;
}

export interface FakeState {
  repos: Map<string, RepoState>;
  /** 'org/team-slug' → login → role. */
  teams: Map<string, Map<string, 'member' | 'maintainer'>>;
  installationId: number;
  appId: number;
  appSlug: string;
  /** Tokens handed out by the installation endpoint; their calls act as the app's bot. */
  installationTokens: Set<string>;
  /** Other GitHub Apps installed on the repositories: their bot login (`<slug>[bot]`) → the app. */
  otherApps: Map<string, OtherApp>;
  nextId: number;
}

/** Another GitHub App than the one under test, acting through an installation token of its own. */
export interface OtherApp {
  id: number;
  slug: string;
}

export function createState(opts: {
  installationId?: number;
  appId?: number;
  appSlug?: string;
  otherApps?: Record<string, OtherApp>;
}): FakeState {
  return {
    repos: new Map(),
    teams: new Map(),
    installationId: opts.installationId ?? 4242,
    appId: opts.appId ?? 777,
    appSlug: opts.appSlug ?? 'deploy-action',
    installationTokens: new Set(),
    otherApps: new Map(Object.values(opts.otherApps ?? {}).map((app) => [`${app.slug}[bot]`, app])),
    nextId: 1_000_001,
  };
}

export const repoKey = (owner: string, repo: string): string => `${owner}/${repo}`.toLowerCase();

/** The repository's GraphQL node id (opaque on GitHub; here derived from its name, so payloads can carry it). */
export const repoNodeId = (owner: string, repo: string): string =>
  `R_${Buffer.from(repoKey(owner, repo)).toString('base64url')}`;

/** A stable 40-hex sha for a seed label, so tests can name commits ('main-1') and still look real. */
export const fakeSha = (label: string): string => createHash('sha1').update(label).digest('hex');

/** A stable positive id for a login, so the same user always has the same id. */
export function userId(login: string): number {
  return (createHash('sha1').update(login).digest().readUInt32BE(0) % 90_000_000) + 1_000;
}

export function nextId(state: FakeState): number {
  return state.nextId++;
}

/** Resolves a branch name, tag name, full ref or commit sha to a commit sha. */
export function resolveRef(repo: RepoState, ref: string): string | undefined {
  const candidates = [ref.replace(/^refs\//, ''), `heads/${ref}`, `tags/${ref}`];
  for (const name of candidates) {
    const sha = repo.refs.get(name);
    if (sha) return peelTag(repo, sha);
  }
  if (/^[0-9a-f]{7,40}$/.test(ref)) {
    for (const sha of repo.commits.keys()) if (sha.startsWith(ref)) return sha;
  }
  return undefined;
}

/** The commit under a tag object, through tags of tags. */
function peelTag(repo: RepoState, sha: string): string {
  let current = sha;
  for (let tag = repo.tagObjects.get(current); tag; tag = repo.tagObjects.get(current))
    current = (tag.object as Json).sha as string;
  return current;
}

/** Commits reachable from `sha` walking first parents, newest first. */
export function history(repo: RepoState, sha: string): CommitRecord[] {
  const out: CommitRecord[] = [];
  let current = repo.commits.get(sha);
  while (current && out.length < 10_000) {
    out.push(current);
    current = current.parents[0] ? repo.commits.get(current.parents[0]) : undefined;
  }
  return out;
}

/** The branch whose files a ref shows; an older commit shows the default branch's files (approximation). */
export function branchOf(repo: RepoState, ref: string): string | undefined {
  if (repo.files.has(ref)) return ref;
  const sha = resolveRef(repo, ref);
  if (!sha) return undefined;
  for (const [name, head] of repo.refs) {
    if (name.startsWith('heads/') && head === sha && repo.files.has(name.slice(6))) return name.slice(6);
  }
  return repo.defaultBranch;
}

/**
 * Opens `count` new check suites of `app` (default: the app under test) on `sha`, as `count` workflow runs do
 * for GitHub Actions: each newer than every suite before it. Later check runs of that app on the commit go into
 * the newest. Suite ids come from the shared id counter, so they grow with creation.
 */
export function openCheckSuites(
  state: FakeState,
  repo: RepoState,
  sha: string,
  count: number,
  app?: OtherApp,
): CheckSuiteRecord[] {
  if (!repo.commits.has(sha)) throw new Error(`openCheckSuites: no commit ${sha}`);
  repo.checkSuites ??= [];
  const opened: CheckSuiteRecord[] = [];
  for (let i = 0; i < count; i++) {
    const suite = { id: state.nextId++, headSha: sha, app };
    repo.checkSuites.push(suite);
    opened.push(suite);
  }
  return opened;
}
