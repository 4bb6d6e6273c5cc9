// The longest a command of an environment may run: what its runner would wait before stopping it (the
// command's timeout, and the SIGKILL after the SIGTERM). Reconcile waits for the commands of an owner that
// died no longer than that (reconcile/owner.ts): a process of it still running later is one the owner would
// have stopped, or a service a command started on purpose, which never ends.
import type { ResolvedEnvironment } from './resolve.ts';

/** Whether `value` is a resolved command (resolve.ts ResolvedCommand): argv or script, and a timeout. */
function isCommand(value: object): value is { timeoutMs: number } {
  const v = value as { timeoutMs?: unknown; argv?: unknown; script?: unknown; source?: unknown };
  return (
    typeof v.timeoutMs === 'number' &&
    Array.isArray(v.argv) &&
    typeof v.script === 'string' &&
    typeof v.source === 'string'
  );
}

/**
 * The longest timeout of any command `env` resolves (target commands, hooks, rollback levels and their
 * verifies, command health checks), in ms; undefined when one has none (0: no timeout), so there is no
 * bound. Pure.
 */
export function longestCommandTimeoutMs(env: ResolvedEnvironment): number | undefined {
  let longest = 0;
  const seen = new Set<object>();
  const visit = (value: unknown): boolean => {
    if (value === null || typeof value !== 'object' || seen.has(value)) return true;
    seen.add(value);
    if (isCommand(value)) {
      if (!(value.timeoutMs > 0)) return false;
      longest = Math.max(longest, value.timeoutMs);
      return true;
    }
    return Object.values(value).every(visit);
  };
  return visit(env) && longest > 0 ? longest : undefined;
}
