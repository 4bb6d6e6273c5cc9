// The facts the policy decides on, read from GitHub: the config on the default branch, who someone is
// (permission and the teams the policy names), the approvals the app recorded in its own PR comments, the
// successful deployments and the checks at a commit. Each reader asks only for what the policy needs.
import type { ProbotOctokit } from 'probot';
import { formatConfigError } from '../src/config/errors.ts';
import { parseConfig } from '../src/config/load.ts';
import type { RawConfig } from '../src/config/schema.ts';
import { parseApprovalMarkers, PERMISSIONS, resolvePolicy } from '../src/policy/index.ts';
import type {
  Actor,
  ApprovalRecord,
  CheckResult,
  Permission,
  Policy,
  SuccessfulDeployment,
} from '../src/policy/index.ts';

export type Octokit = InstanceType<typeof ProbotOctokit>;

export interface RepoRef {
  owner: string;
  repo: string;
}

export const CONFIG_PATH = '.github/deploy.yml';

type HttpError = { status?: number };

export type ConfigResult = { ok: true; config: RawConfig } | { ok: false; message: string };

/** The config from the default branch, never from a pull request: that is where the policy lives. */
export async function loadDefaultBranchConfig(
  octokit: Octokit,
  where: RepoRef,
  defaultBranch: string,
): Promise<ConfigResult> {
  let text: string;
  try {
    const { data } = await octokit.rest.repos.getContent({ ...where, path: CONFIG_PATH, ref: defaultBranch });
    if (Array.isArray(data) || data.type !== 'file' || typeof data.content !== 'string')
      return { ok: false, message: `${CONFIG_PATH} on ${defaultBranch} is not a file` };
    text = Buffer.from(data.content, 'base64').toString('utf8');
  } catch (error) {
    if ((error as HttpError).status === 404)
      return { ok: false, message: `there is no ${CONFIG_PATH} on the default branch (${defaultBranch})` };
    throw error;
  }
  const parsed = parseConfig(text, `${CONFIG_PATH}@${defaultBranch}`);
  if (!parsed.ok) return { ok: false, message: parsed.errors.map(formatConfigError).join('\n') };
  return { ok: true, config: parsed.config };
}

/** Every team (org/slug) the policy of this environment names: only those memberships are looked up. */
export function teamsNamed(policy: Policy): string[] {
  const all = [
    ...policy.deployers,
    ...policy.approvers,
    ...policy.hotfix.approvers,
    ...policy.rollback.approvers,
  ];
  return [...new Set(all.filter((p) => p.includes('/')))];
}

// role_name carries maintain and triage, which `permission` folds into write and read.
function permissionOf(roleName: string | undefined, permission: string): Permission {
  if (roleName && (PERMISSIONS as readonly string[]).includes(roleName)) return roleName as Permission;
  return (PERMISSIONS as readonly string[]).includes(permission) ? (permission as Permission) : 'none';
}

/** Who `login` is for the policy of `environment`: their repository permission and the named teams they are in. */
export async function actorFacts(
  octokit: Octokit,
  where: RepoRef,
  login: string,
  config: RawConfig,
  environment: string,
): Promise<Actor> {
  const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({ ...where, username: login });
  const permission = permissionOf(data.role_name, data.permission);
  if (!Object.hasOwn(config.environments, environment)) return { login, permission, teams: [] };
  const teams: string[] = [];
  for (const team of teamsNamed(resolvePolicy(config, environment))) {
    const [org, slug] = team.split('/') as [string, string];
    try {
      const { data: membership } = await octokit.rest.teams.getMembershipForUserInOrg({
        org,
        team_slug: slug,
        username: login,
      });
      if (membership.state === 'active') teams.push(team);
    } catch (error) {
      if ((error as HttpError).status !== 404) throw error;
    }
  }
  return { login, permission, teams };
}

/** This app's id, from its own credentials (no request). */
export async function ownAppId(octokit: Octokit): Promise<number> {
  const auth = (await octokit.auth({ type: 'app' })) as { appId: number };
  return Number(auth.appId);
}

interface IssueComment {
  id: number;
  body?: string;
  user: { login: string; type?: string } | null;
  performed_via_github_app?: { id: number } | null;
}

/** True for a comment this app wrote: only those may carry approval markers. */
export function isOwnComment(comment: IssueComment, appId: number): boolean {
  return comment.user?.type === 'Bot' && comment.performed_via_github_app?.id === appId;
}

/** Every approval and veto the app recorded on this pull request (markers in its own comments only). */
export async function recordedApprovals(
  octokit: Octokit,
  where: RepoRef,
  pullNumber: number,
  appId: number,
): Promise<ApprovalRecord[]> {
  const comments = (await octokit.paginate(octokit.rest.issues.listComments, {
    ...where,
    issue_number: pullNumber,
    per_page: 100,
  })) as IssueComment[];
  return comments.filter((c) => isOwnComment(c, appId)).flatMap((c) => parseApprovalMarkers(c.body));
}

/** For each environment the policy requires first: does it have a successful deployment of `sha`? */
export async function successfulDeploymentsAt(
  octokit: Octokit,
  where: RepoRef,
  sha: string,
  environments: readonly string[],
): Promise<SuccessfulDeployment[]> {
  const found: SuccessfulDeployment[] = [];
  for (const environment of environments) {
    const { data: deployments } = await octokit.rest.repos.listDeployments({
      ...where,
      sha,
      environment,
      per_page: 10,
    });
    for (const deployment of deployments) {
      const { data: statuses } = await octokit.rest.repos.listDeploymentStatuses({
        ...where,
        deployment_id: deployment.id,
        per_page: 1,
      });
      if (statuses[0]?.state === 'success') {
        found.push({ environment, sha });
        break;
      }
    }
  }
  return found;
}

/** The check runs at `sha`, only when the policy names required checks. */
export async function checksAt(
  octokit: Octokit,
  where: RepoRef,
  sha: string,
  required: readonly string[],
): Promise<CheckResult[]> {
  if (required.length === 0) return [];
  const { data } = await octokit.rest.checks.listForRef({ ...where, ref: sha, per_page: 100 });
  // Newest first from GitHub: reverse so a later entry with the same name (the newest) wins.
  return data.check_runs
    .map((run) => ({ name: run.name, status: run.status, conclusion: run.conclusion }))
    .reverse();
}
