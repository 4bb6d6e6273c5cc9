// Who someone is as far as the policy cares: their login, their permission on the repository and the teams
// they belong to (as "org/team-slug"). The app looks these up; the policy only compares them.
import { isTeam, normalizePrincipal, type Principal } from './resolve.ts';

/** GitHub's repository roles, weakest first. */
export const PERMISSIONS = ['none', 'read', 'triage', 'write', 'maintain', 'admin'] as const;
export type Permission = (typeof PERMISSIONS)[number];

export interface Actor {
  login: string;
  permission: Permission;
  /** Teams as "org/team-slug". Only needed when the policy names teams. */
  teams: readonly string[];
  /** GitHub's account type, when known ("Bot" for GitHub Apps). */
  type?: 'User' | 'Bot' | 'Organization';
}

/** A GitHub App or other bot account: never an approver, whatever its permission or a list says. */
export function isBot(actor: { login: string; type?: string | undefined }): boolean {
  return actor.type === 'Bot' || /\[bot\]$/i.test(actor.login);
}

export function hasPermission(actual: Permission, needed: Permission): boolean {
  return PERMISSIONS.indexOf(actual) >= PERMISSIONS.indexOf(needed);
}

export function sameLogin(a: string, b: string): boolean {
  return normalizePrincipal(a) === normalizePrincipal(b);
}

/** The listed user or team that admits this actor, if any. */
export function matchingPrincipal(actor: Actor, listed: readonly Principal[]): Principal | undefined {
  const login = normalizePrincipal(actor.login);
  const teams = new Set(actor.teams.map(normalizePrincipal));
  return listed.find((principal) => (isTeam(principal) ? teams.has(principal) : principal === login));
}

export type Eligibility =
  | { ok: true; via: Principal | 'write_permission' }
  | { ok: false; why: 'not_listed' | 'bot' }
  | { ok: false; why: 'insufficient_permission'; needed: Permission };

/**
 * Deployers and approvers follow one rule: an empty list admits anyone with write permission; a list
 * admits the users and team members it names. Deploying always needs write permission (it creates a
 * deployment); a listed approver needs at least read (a reviewer may have no write access). A bot or app is
 * never an approver.
 */
export function eligibility(
  actor: Actor,
  listed: readonly Principal[],
  role: 'deployer' | 'approver',
): Eligibility {
  if (role === 'approver' && isBot(actor)) return { ok: false, why: 'bot' };
  if (listed.length === 0)
    return hasPermission(actor.permission, 'write')
      ? { ok: true, via: 'write_permission' }
      : { ok: false, why: 'insufficient_permission', needed: 'write' };
  const via = matchingPrincipal(actor, listed);
  if (via === undefined) return { ok: false, why: 'not_listed' };
  const needed: Permission = role === 'deployer' ? 'write' : 'read';
  return hasPermission(actor.permission, needed)
    ? { ok: true, via }
    : { ok: false, why: 'insufficient_permission', needed };
}
