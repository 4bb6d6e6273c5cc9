// The words for a run cancelled after its backup or migrate hooks began (machine/outcome.ts, the deployment's status).
/**
 * A run cancelled after its backup or migrate hooks began, before any traffic or slot changed: not "before
 * anything changed", since what a hook did (a migration half run) is not undone. Shared with the deployment's
 * status (report/github/deployment-status.ts).
 */
export function cancelledAfterHooks(hooks: readonly string[]): string {
  const list = hookList(hooks);
  return `cancelled before any traffic or slot changed, but after ${list} hook${hooks.length === 1 ? '' : 's'} began: what ${hooks.length === 1 ? 'it' : 'they'} changed is not undone; check it`;
}

/** "staging's migrate", "staging's migrate and production's backup". */
export function hookList(hooks: readonly string[]): string {
  return hooks.length === 1 ? hooks[0]! : `${hooks.slice(0, -1).join(', ')} and ${hooks.at(-1)!}`;
}
