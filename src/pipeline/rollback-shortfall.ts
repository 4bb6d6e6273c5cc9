// What a rollback left undone, for the outcome's words, the job summary and the `rollback` output. A rollback
// puts traffic back first (the steps that move it), then cleans up (tearing the new slot down) and runs its
// on_rollback levels. When only the cleanup did not finish (a teardown failed, or was cut by the cancelled
// job's deadline), traffic is back on the stable version: the run still ends as a rollback that did not
// complete (exit 3: what was left still runs, a canary may still take work that is not routed traffic, such
// as a queue's), but it says that traffic is safe and that the record keeps the rest for reconcile. Pure.
import type { Step, StepResult } from '../strategies/types.ts';
import type { RollbackRecord } from './events.ts';
import { levelsLeft } from './rollback-levels.ts';

/** The step kinds that move traffic (the rollback's first steps). */
export const TRAFFIC_STEPS: ReadonlySet<Step['kind']> = new Set([
  'switch',
  'set_weight',
  'rollback',
  'deploy',
]);

/**
 * The step kinds that only clean up once traffic is back. Listed, not taken as "whatever does not move
 * traffic": a health check of the version put back (direct and rolling roll back as rollback, then health)
 * that fails means production is unhealthy, not that cleanup is left.
 */
const CLEANUP_STEPS: ReadonlySet<Step['kind']> = new Set(['teardown']);

/** Steps left to undo that only clean up: traffic is back on the stable version (none: taken as not). */
export function cleanupOnly(steps: readonly Step[]): boolean {
  return steps.length > 0 && steps.every((step) => CLEANUP_STEPS.has(step.kind));
}

export type RollbackShortfall =
  /** Everything was undone. */
  | { kind: 'complete' }
  /** Traffic is back on the stable version; `left` (step descriptions) did not finish. */
  | { kind: 'cleanup'; left: string[] }
  /**
   * A step that moves traffic, or an on_rollback level, did not finish (or the last level's verify failed):
   * traffic may not be on stable.
   */
  | { kind: 'incomplete'; left: string[] };

export function rollbackShortfall(
  rollback: Pick<RollbackRecord, 'ok' | 'steps' | 'levels'>,
): RollbackShortfall {
  if (rollback.ok) return { kind: 'complete' };
  const failedSteps = rollback.steps.filter((r) => !r.result.ok);
  // A level that failed before a later one was enough left nothing undone (rollback-levels.ts).
  const failedLevels = levelsLeft(rollback.levels);
  const left = [
    ...failedSteps.map((r) =>
      !r.result.ok && r.result.untouched === 'nothing-to-restore'
        ? `${r.description} (no earlier version is known to return to)`
        : r.description,
    ),
    ...failedLevels,
  ];
  // Not ok with nothing failed on record cannot be told apart: taken as the worse.
  const trafficBack = failedLevels.length === 0 && cleanupOnly(failedSteps.map((r) => r.step));
  return trafficBack ? { kind: 'cleanup', left } : { kind: 'incomplete', left };
}

/**
 * The failed rollback steps a later run (reconcile) could still do: not one with no earlier version to return to
 * (no later run would know one), nor a health check of what such a step was to put back (it checks the version
 * that failed, which never left: kept, it would keep the rollout unfinished for good, refusing every later
 * deployment, the fix included). `returnable: false`: the steps begin after such a step, which a record written
 * before it was left out kept only the health check of. Pure.
 */
export function undoLeft<R extends { step: Step; result: StepResult }>(
  records: readonly R[],
  returnable = true,
): R[] {
  let restored = returnable;
  return records.filter((r) => {
    const nothing = !r.result.ok && r.result.untouched === 'nothing-to-restore';
    if (r.step.kind !== 'health') restored = !nothing;
    return !r.result.ok && !nothing && (r.step.kind !== 'health' || restored);
  });
}

/** The `rollback` output: `complete`, `cleanup-incomplete` or `incomplete` (none when no rollback ran). */
export function rollbackOutput(
  rollbacks: ReadonlyArray<Pick<RollbackRecord, 'ok' | 'steps' | 'levels'>>,
): string | undefined {
  if (rollbacks.length === 0) return undefined;
  const kinds = rollbacks.map((r) => rollbackShortfall(r).kind);
  if (kinds.includes('incomplete')) return 'incomplete';
  return kinds.includes('cleanup') ? 'cleanup-incomplete' : 'complete';
}
