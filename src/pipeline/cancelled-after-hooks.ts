// The words for a run cancelled after its backup or migrate hooks began (machine/outcome.ts, the deployment's status).
/**
 * A run cancelled after its backup or migrate hooks began, before any traffic or slot of `environment` changed:
 * not "before anything changed", since what a hook did (a migration half run) is not undone. Shared with the
 * deployment's status (report/github/deployment-status.ts).
 */
export function cancelledAfterHooks(hooks: readonly string[], environment: string): string {
  const list = hookList(hooks);
  // Of the deployment's environment: staging's phase may have switched staging's traffic before production's
  // hooks began.
  return `cancelled before any traffic or slot of ${environment} changed, but after ${list} hook${hooks.length === 1 ? '' : 's'} began: what ${hooks.length === 1 ? 'it' : 'they'} changed is not undone; check it`;
}

/** "staging's migrate", "staging's migrate and production's backup". */
export function hookList(hooks: readonly string[]): string {
  return hooks.length === 1 ? hooks[0]! : `${hooks.slice(0, -1).join(', ')} and ${hooks.at(-1)!}`;
}

/** After a rollback's words: the backup and migrate hooks that began, which no rollback undoes ('' when none). */
export function hooksNotUndone(hooks: readonly string[] | undefined): string {
  if (!hooks?.length) return '';
  return `; ${hookList(hooks)} hook${hooks.length === 1 ? ' had begun and is' : 's had begun and are'} not undone by it`;
}
