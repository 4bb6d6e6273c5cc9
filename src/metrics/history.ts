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

export function historyFacts(record: EnvironmentRecord): DeploymentFact[] {
  const facts: DeploymentFact[] = [];
  let open: DeploymentFact | undefined;
  const history = [...record.history].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  history.forEach((entry, index) => {
    const at = Date.parse(entry.at);
    if (entry.event === 'rollout_started') {
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
        ? // A cancelled run that had started its rollout moved traffic (and was rolled back); one that had not
          // changed nothing.
          { state: 'error' as const, description: open ? 'cancelled' : 'cancelled before anything changed' }
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
