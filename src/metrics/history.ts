// The facts for the metrics from an environment's state record (src/state/record.ts history[]), for the CLI
// without GitHub: each run is a `rollout_started` (or an ending with no start: gates blocked it) up to its
// ending. The record keeps the last 50 transitions (a run writes several), and no commit dates: lead time
// cannot be told from it, and only the newest runs are there. docs/metrics.md says so. Pure.
import type { EnvironmentRecord } from '../state/record.ts';
import type { DeploymentFact, StatusFact } from './types.ts';

/** How a history event ends a run, as the deployment status GitHub would have shown (descriptions as ours). */
const ENDINGS: Record<string, Omit<StatusFact, 'at'>> = {
  succeeded: { state: 'success' },
  rolled_back: { state: 'failure', description: 'rolled back' },
  orphan_rolled_back: { state: 'failure', description: 'Rolled back by reconcile' },
  failed: { state: 'failure' },
  paused: { state: 'failure' },
  rollback_failed: { state: 'error' },
  orphan_rollback_failed: { state: 'error' },
  blocked: { state: 'failure', description: 'blocked before deploying' },
};

/**
 * A cancelled run's ending detail (the run's own message) that says nothing changed: "cancelled before anything
 * changed", or "before anything of <environment> changed" when its staging keeps the new version. The words the
 * GitHub status uses for it (report/github/deployment-status.ts cancelledDescription); a run whose backup or
 * migrate hook had begun says "before any traffic or slot ... changed, but after ...": a change that failed.
 */
const UNCHANGED_DETAIL = /^cancelled before anything( of .+?)? changed\b/;

export function historyFacts(record: EnvironmentRecord): DeploymentFact[] {
  const facts: DeploymentFact[] = [];
  let open: DeploymentFact | undefined;
  /** The open run began a rollback: its traffic or slots had changed. */
  let rollingBack = false;
  const history = [...record.history].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  history.forEach((entry, index) => {
    const at = Date.parse(entry.at);
    if (entry.event === 'rollback_started') rollingBack = true;
    if (entry.event === 'rollout_started') {
      rollingBack = false;
      open = {
        id: `${record.environment}#${index}`,
        environment: record.environment,
        createdAt: at,
        statuses: [{ state: 'in_progress', at }],
      };
      facts.push(open);
      return;
    }
    const ending =
      entry.event === 'cancelled'
        ? // `rollout_started` is written before the backup / migrate hooks and the strategy: a run cancelled
          // after it changed nothing unless its rollback began or its detail says a hook had begun, as the
          // GitHub status tells them apart (metrics/outcome.ts). One without a detail counts as a change.
          {
            state: 'error' as const,
            description:
              !open || (!rollingBack && UNCHANGED_DETAIL.test(entry.detail ?? ''))
                ? 'cancelled before anything changed'
                : 'cancelled',
          }
        : // Own keys only: an event named "constructor" (a newer version's, or edited) is no ending.
          Object.hasOwn(ENDINGS, entry.event)
          ? ENDINGS[entry.event]
          : undefined;
    if (!ending) return;
    const run: DeploymentFact = open ?? {
      id: `${record.environment}#${index}`,
      environment: record.environment,
      createdAt: at,
      statuses: [],
    };
    if (!open) facts.push(run);
    run.statuses.push({ ...ending, at });
    // A pause leaves the rollout in place: a later resume may still end it.
    if (entry.event !== 'paused') open = undefined;
  });
  return facts;
}
