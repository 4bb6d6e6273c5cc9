// How far a run's rollback had come when the crash deadline stopped waiting for the run (crash-guard.ts), by the
// events it reported: the CLI's last result line (cli/deadline-result.ts) and the Action's job summary
// (action/deadline-outcome.ts) say what is true, not "its rollback had not ended" of a run stuck before one began.
import type { PipelineEvent, Reporter } from './events.ts';

/** `not_begun`: no rollback-start; `running`: one began and has not ended; `ended`: every one begun ended. */
export type RollbackSeen = 'not_begun' | 'running' | 'ended';

/** Pure: the next RollbackSeen after `event`. */
export function nextRollbackSeen(seen: RollbackSeen, event: PipelineEvent): RollbackSeen {
  if (event.type === 'rollback-start') return 'running';
  if (event.type === 'rollback-end') return 'ended';
  return seen;
}

/** A reporter that follows the run's rollback (nextRollbackSeen), for the crash deadline's words. */
export function rollbackWatch(): { reporter: Reporter; seen(): RollbackSeen } {
  let seen: RollbackSeen = 'not_begun';
  return {
    reporter: {
      event(e: PipelineEvent) {
        seen = nextRollbackSeen(seen, e);
      },
    },
    seen: () => seen,
  };
}

/**
 * Pure: what the run had not done `after` (the deadline's wait) since an internal error stopped it, for
 * "the run was stopped and …". A run stuck before its rollback began has not rolled back at all; one whose
 * rollback ended was stuck after it (its result, ok or not, is in its records).
 */
export function stoppedRunWords(seen: RollbackSeen, after: string): string {
  switch (seen) {
    case 'not_begun':
      return `had not ended ${after} later, and no rollback had begun`;
    case 'running':
      return `its rollback had not ended ${after} later`;
    case 'ended':
      return `had not ended ${after} later, after its rollback ended`;
  }
}
