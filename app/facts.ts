// The facts every handler decides on, read from GitHub with as few requests as possible: the pull request,
// the config from the DEFAULT branch (never the PR's head), the actor's permission (and team memberships only
// when the policy names teams), the app's own comments (approval markers, pending requests, the status
// comment), the SHA's deployments, and check runs only when the policy requires checks. One module for the
// commands and the event handlers, so "the app's own comment" means the same thing everywhere.
import type { ProbotOctokit } from 'probot';
import { parseConfig } from '../src/config/load.ts';
import { formatConfigError } from '../src/config/errors.ts';
import type { RawConfig } from '../src/config/schema.ts';
import { parseDeploymentPayload } from '../src/github/deployment-payload.ts';
import type { DeploymentPayload } from '../src/github/deployment-payload.ts';
import { statusCommentEnvironment } from '../src/github/status-comment.ts';
import { readMarkerBlock } from '../src/github/hidden-marker.ts';
import type { MarkerScope } from '../src/github/hidden-marker.ts';
import type { MarkerKeys } from '../src/github/marker-keys.ts';
import { APPROVAL_MARKER, parseApprovalMarkers, PERMISSIONS } from '../src/policy/index.ts';
import type { Actor, ApprovalRecord, CheckResult, Permission, Policy } from '../src/policy/index.ts';
import { parsePendingMarkers, PENDING_MARKER } from './deploy/pending.ts';
import { GATE_MARKER, parseGateNotices } from './deploy/gate-notice.ts';
import type { GateNotice } from './deploy/gate-notice.ts';
import type { PendingRequest } from './deploy/pending.ts';

export type Octokit = InstanceType<typeof ProbotOctokit>;
export type Api = Octokit['rest'];

export interface Where {
  owner: string;
  repo: string;
}

export const CONFIG_PATH = '.github/deploy.yml';

export class FactsError extends Error {
  readonly code: 'config_missing' | 'config_invalid' | 'pull_request_closed';
  constructor(code: FactsError['code'], message: string) {
    super(message);
    this.code = code;
  }
}

const status = (error: unknown): number | undefined => (error as { status?: number }).status;

/**
 * `.github/deploy.yml` from the default branch: named when the event says which it is, else no `ref`, which
 * GitHub reads as the default branch.
 */
export async function loadConfig(api: Api, where: Where, defaultBranch?: string): Promise<RawConfig> {
  let text: string;
  try {
    const res = await api.repos.getContent({
      ...where,
      path: CONFIG_PATH,
      ...(defaultBranch ? { ref: defaultBranch } : {}),
      mediaType: { format: 'raw' },
    });
    text = res.data as unknown as string;
  } catch (error) {
    if (status(error) === 404)
      throw new FactsError('config_missing', `${CONFIG_PATH} does not exist on the default branch`);
    throw error;
  }
  const parsed = parseConfig(String(text), CONFIG_PATH);
  if (!parsed.ok)
    throw new FactsError(
      'config_invalid',
      `${CONFIG_PATH} on the default branch is invalid:\n${parsed.errors.map(formatConfigError).join('\n')}`,
    );
  return parsed.config;
}

export interface PullFacts {
  number: number;
  author: string;
  headSha: string;
  fromFork: boolean;
  open: boolean;
}

export async function readPull(api: Api, where: Where, number: number): Promise<PullFacts> {
  const { data } = await api.pulls.get({ ...where, pull_number: number });
  const headRepo = data.head.repo?.full_name;
  return {
    number,
    author: data.user.login,
    headSha: data.head.sha.toLowerCase(),
    // A deleted fork has no repo: never treat it as ours.
    fromFork: headRepo === undefined || headRepo.toLowerCase() !== data.base.repo.full_name.toLowerCase(),
    open: data.state === 'open',
  };
}

/** Permission as the policy knows it: role_name keeps maintain/triage, which `permission` folds away. */
export async function permissionOf(api: Api, where: Where, login: string): Promise<Permission> {
  try {
    const { data } = await api.repos.getCollaboratorPermissionLevel({ ...where, username: login });
    const role = (data.role_name ?? '') as Permission;
    if ((PERMISSIONS as readonly string[]).includes(role)) return role;
    return (PERMISSIONS as readonly string[]).includes(data.permission)
      ? (data.permission as Permission)
      : 'none';
  } catch (error) {
    // Not a collaborator (or not a user at all): no permission.
    if (status(error) === 404) return 'none';
    throw error;
  }
}

/** The actor with the teams among `teams` ("org/slug") they actively belong to: one request per team. */
export async function actorOf(
  api: Api,
  where: Where,
  login: string,
  teams: readonly string[],
): Promise<Actor> {
  const [permission, memberships] = await Promise.all([
    permissionOf(api, where, login),
    Promise.all(
      teams.map(async (team) => {
        const [org, slug] = team.split('/') as [string, string];
        try {
          const { data } = await api.teams.getMembershipForUserInOrg({
            org,
            team_slug: slug,
            username: login,
          });
          return data.state === 'active' ? team : undefined;
        } catch (error) {
          if (status(error) === 404) return undefined;
          throw error;
        }
      }),
    ),
  ]);
  return { login, permission, teams: memberships.filter((t): t is string => t !== undefined) };
}

/** The teams ("org/slug") among principal lists: only those memberships are looked up. */
export const teamsIn = (...lists: Array<readonly string[]>): string[] => [
  ...new Set(lists.flat().filter((p) => p.includes('/'))),
];

/** Every team a policy names. */
export const teamsNamed = (policy: Policy): string[] =>
  teamsIn(policy.deployers, policy.approvers, policy.hotfix.approvers, policy.rollback.approvers);

/** This app's id, from its own credentials (no request): check runs carry it as `app.id`. */
export async function ownAppId(octokit: Octokit): Promise<number> {
  const auth = (await octokit.auth({ type: 'app' })) as { appId: number };
  return Number(auth.appId);
}

const botLogins = new Map<number, Promise<string>>();

/**
 * This app's bot login (`<slug>[bot]`), the author of its comments: asked once per process with the app's
 * JWT (GET /app). A failure is not cached, so the next event asks again.
 */
export async function ownBotLogin(octokit: Octokit): Promise<string> {
  const auth = (await octokit.auth({ type: 'app' })) as { appId: number; token: string };
  let login = botLogins.get(auth.appId);
  if (!login) {
    login = octokit
      .request('GET /app', { headers: { authorization: `bearer ${auth.token}` } })
      .then(({ data }) => `${(data as { slug: string }).slug}[bot]`);
    botLogins.set(auth.appId, login);
    login.catch(() => botLogins.delete(auth.appId));
  }
  return login;
}

export interface AppComments {
  approvals: ApprovalRecord[];
  pending: PendingRequest[];
  /** The status comment per environment (lower-case name), if the app or the action wrote one. */
  statusCommentIds: Map<string, number>;
  /** Protection rules the app said are waiting for approval on this PR (they may have been answered since). */
  gates: GateNotice[];
}

const MAX_COMMENT_PAGES = 10;

/** How the app writes and checks its own markers: its keys, and where an ignored marker is reported. */
export interface MarkerTrust {
  keys: MarkerKeys;
  /** The app log's warn (pino's signature): a marker that fails its MAC is tampering, worth a look. */
  warn: (fields: Record<string, unknown>, message: string) => void;
}

/** The trust of one event: the app's keys, tampering warned about in the event's log. */
export function markerTrust(
  keys: MarkerKeys,
  log: { warn: (fields: Record<string, unknown>, message: string) => void },
): MarkerTrust {
  return { keys, warn: (fields, message) => log.warn(fields, message) };
}

/** What markers on this pull request are bound to. */
export const markerScope = (where: Where, pullRequest: number): MarkerScope => ({
  repository: `${where.owner}/${where.repo}`,
  pullRequest,
});

const STATE_MARKERS = [APPROVAL_MARKER, PENDING_MARKER, GATE_MARKER];

/** The PR's comments written by the app itself: the only ones whose markers are read, and only if they verify. */
export async function readAppComments(
  api: Api,
  where: Where,
  number: number,
  botLogin: string,
  trust: MarkerTrust,
): Promise<AppComments> {
  const out: AppComments = { approvals: [], pending: [], statusCommentIds: new Map(), gates: [] };
  const bot = botLogin.toLowerCase();
  const scope = markerScope(where, number);
  for (let page = 1; page <= MAX_COMMENT_PAGES; page++) {
    const { data } = await api.issues.listComments({ ...where, issue_number: number, per_page: 100, page });
    for (const c of data) {
      const login = c.user?.login.toLowerCase() ?? '';
      const body = c.body ?? '';
      if (login === bot) {
        const markers = readMarkerBlock(body, STATE_MARKERS, {
          keys: trust.keys,
          scope,
          onTamper: (t) =>
            trust.warn(
              { repository: scope.repository, pr: number, comment: c.id, marker: t.kind, reason: t.reason },
              "ignored a marker that is not the app's own (tampering?)",
            ),
        });
        out.approvals.push(...parseApprovalMarkers(markers));
        out.pending.push(...parsePendingMarkers(markers));
        out.gates.push(...parseGateNotices(markers));
      }
      // The status comment is shared with the action, which writes it as github-actions[bot].
      const env = statusCommentEnvironment(body);
      if (env && (login === bot || login.endsWith('[bot]')) && !out.statusCommentIds.has(env.toLowerCase()))
        out.statusCommentIds.set(env.toLowerCase(), c.id);
    }
    if (data.length < 100) break;
  }
  return out;
}

export interface ShaDeployment {
  id: number;
  environment: string;
  sha: string;
  payload: DeploymentPayload | undefined;
}

/** Every deployment of one SHA (newest first, at most 100): for `requires` and for idempotency. */
export async function deploymentsAt(api: Api, where: Where, sha: string): Promise<ShaDeployment[]> {
  const { data } = await api.repos.listDeployments({ ...where, sha, per_page: 100 });
  return data.map((d) => {
    let payload: DeploymentPayload | undefined;
    try {
      payload = parseDeploymentPayload(d.payload);
    } catch {
      payload = undefined;
    }
    return { id: d.id, environment: d.environment ?? '', sha: d.sha, payload };
  });
}

/**
 * Whether a deployment succeeded and is still its environment's record of that: one request. The newest
 * status is success, or inactive after a success (GitHub marks earlier successful deployments inactive
 * when a newer one in the environment succeeds; that release still passed).
 */
export async function succeeded(api: Api, where: Where, deploymentId: number): Promise<boolean> {
  const { data } = await api.repos.listDeploymentStatuses({
    ...where,
    deployment_id: deploymentId,
    per_page: 10,
  });
  const newest = data[0]?.state;
  return newest === 'success' || (newest === 'inactive' && data.some((s) => s.state === 'success'));
}

/** Environments among `needed` whose newest deployment of the SHA succeeded: one request per such env. */
export async function successfulEnvironments(
  api: Api,
  where: Where,
  deployments: readonly ShaDeployment[],
  needed: readonly string[],
): Promise<Array<{ environment: string; sha: string }>> {
  const found = await Promise.all(
    needed.map(async (env) => {
      const newest = deployments.find((d) => d.environment === env);
      return newest && (await succeeded(api, where, newest.id))
        ? { environment: env, sha: newest.sha }
        : undefined;
    }),
  );
  return found.filter((x): x is { environment: string; sha: string } => x !== undefined);
}

export async function checksAt(
  api: Api,
  where: Where,
  sha: string,
  names: readonly string[],
): Promise<CheckResult[]> {
  if (names.length === 0) return [];
  const { data } = await api.checks.listForRef({ ...where, ref: sha, per_page: 100, filter: 'latest' });
  return data.check_runs.map((r) => ({ name: r.name, status: r.status, conclusion: r.conclusion }));
}
