// Who may lock and unlock, pure. An environment's lock stops its deployments, so it is for the people who
// deploy there: the environment's deployers. The global lock stops every deployment, so it is for
// maintainers and admins, and for whoever the top-level `approvals.global_lockers` names. Releasing someone
// else's lock (--force) is the global lockers' too. The holder may release their own lock while they may
// still take it.
import type { RawConfig } from '../config/schema.ts';
import { unknownEnvironmentMessage } from '../config/suggest.ts';
import { eligibility, hasPermission, type Actor } from './actors.ts';
import { normalizePrincipal, resolvePolicy, type Principal } from './resolve.ts';

export type LockScope = { scope: 'environment'; environment: string } | { scope: 'global' };

export interface LockInput {
  config: RawConfig;
  target: LockScope;
  actor: Actor;
  /** `lock` and `unlock` of one's own lock follow the same rule; `force` releases someone else's. */
  action: 'lock' | 'unlock' | 'force';
}

export type LockDecision =
  | { ok: true; via: Principal | 'write_permission' | 'maintain_permission' }
  | { ok: false; code: 'unknown_environment'; message: string }
  /** Not among the environment's deployers (or without write permission). */
  | { ok: false; code: 'not_a_deployer'; login: string; environment: string; deployers: Principal[] }
  /** The global lock and --force: maintainers, admins and `global_lockers` only. */
  | {
      ok: false;
      code: 'not_a_global_locker';
      login: string;
      action: 'lock' | 'unlock' | 'force';
      lockers: Principal[];
    };

export const LOCK_REFUSAL_CODES = ['unknown_environment', 'not_a_deployer', 'not_a_global_locker'] as const;

/** The principals named by the top-level `approvals.global_lockers`. */
export function globalLockers(config: RawConfig): Principal[] {
  return [...new Set((config.approvals?.global_lockers ?? []).map(normalizePrincipal))];
}

/** Maintainers and admins always; a listed global locker needs write permission (locking writes refs). */
function globalLockerVia(config: RawConfig, actor: Actor): (LockDecision & { ok: true }) | undefined {
  if (hasPermission(actor.permission, 'maintain')) return { ok: true, via: 'maintain_permission' };
  const lockers = globalLockers(config);
  if (lockers.length === 0) return undefined;
  const listed = eligibility(actor, lockers, 'deployer');
  return listed.ok ? { ok: true, via: listed.via } : undefined;
}

export function mayLock(input: LockInput): LockDecision {
  const { config, target, actor, action } = input;
  // Taking a lock on an environment the config does not define locks nothing (a typo, or another case of
  // the name): refused for everyone. Releasing one left on an environment since removed stays possible.
  if (
    target.scope === 'environment' &&
    action === 'lock' &&
    !Object.hasOwn(config.environments, target.environment)
  )
    return unknownEnvironment(config, target.environment);
  const global = globalLockerVia(config, actor);
  if (global) return global;
  if (target.scope === 'global' || action === 'force')
    return {
      ok: false,
      code: 'not_a_global_locker',
      login: actor.login,
      action,
      lockers: globalLockers(config),
    };
  const { environment } = target;
  if (!Object.hasOwn(config.environments, environment)) return unknownEnvironment(config, environment);
  const deployers = resolvePolicy(config, environment).deployers;
  const allowed = eligibility(actor, deployers, 'deployer');
  if (allowed.ok) return { ok: true, via: allowed.via };
  return { ok: false, code: 'not_a_deployer', login: actor.login, environment, deployers };
}

function unknownEnvironment(config: RawConfig, environment: string): LockDecision {
  return {
    ok: false,
    code: 'unknown_environment',
    message: unknownEnvironmentMessage(environment, Object.keys(config.environments)),
  };
}
