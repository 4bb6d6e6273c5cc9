// Who is asking, about what: the pull request (its head, whether it comes from a fork), the actor's
// permission, and team memberships only for the teams a policy names.
import { PERMISSIONS } from '../../src/policy/index.ts';
import type { Actor, Permission, Policy } from '../../src/policy/index.ts';
import { httpStatus } from './github.ts';
import type { Api, Where } from './github.ts';

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

/** GitHub lists at most this many of a pull request's commits. */
const PULL_COMMITS_LISTED = 250;

/**
 * Whether `sha` is one of the pull request's commits (GitHub lists up to 250; a commit a force-push dropped is
 * not one of them).
 */
export async function pullHasCommit(api: Api, where: Where, number: number, sha: string): Promise<boolean> {
  const wanted = sha.toLowerCase();
  for (let page = 1; page <= Math.ceil(PULL_COMMITS_LISTED / 100); page++) {
    const { data } = await api.pulls.listCommits({ ...where, pull_number: number, per_page: 100, page });
    if (data.some((commit) => commit.sha.toLowerCase() === wanted)) return true;
    if (data.length < 100) return false;
  }
  return false;
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
    if (httpStatus(error) === 404) return 'none';
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
          if (httpStatus(error) === 404) return undefined;
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
