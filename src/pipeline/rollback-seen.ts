// How far a run's rollback had come when the crash deadline stopped waiting for the run (crash-guard.ts), by the
// events it reported: the CLI's last result line (cli/deadline-result.ts) and the Action's job summary
// (action/deadline-outcome.ts) say what is true, not "its rollback had not ended" of a run stuck before one began.
import type { PipelineEvent, Reporter, RollbackRecord } from './events.ts';
import { rollbackOutput } from './rollback-shortfall.ts';
import type { RollbackProgress } from '../util/crash-decision.ts';

/** `not_begun`: no rollback-start; `running`: one began and has not ended; `ended`: every one begun ended. */
export type RollbackSeen = 'not_begun' | 'running' | 'ended';

/** Pure: the next RollbackSeen after `event`. */
export function nextRollbackSeen(seen: RollbackSeen, event: PipelineEvent): RollbackSeen {
  if (event.type === 'rollback-start') return 'running';
  if (event.type === 'rollback-end') return 'ended';
  return seen;
}

/**
 * A reporter that follows the run's rollback (nextRollbackSeen) and keeps the records of the rollbacks that
 * ended, for the crash deadline's outcome (deadlineRollback).
 */
export function rollbackWatch(): {
  reporter: Reporter;
  seen(): RollbackSeen;
  ended(): RollbackRecord[];
  /** rollbackProgress of what it saw. */
  progress(): RollbackProgress;
} {
  let seen: RollbackSeen = 'not_begun';
  const ended: RollbackRecord[] = [];
  return {
    reporter: {
      event(e: PipelineEvent) {
        seen = nextRollbackSeen(seen, e);
        if (e.type === 'rollback-end') ended.push(e.record);
      },
    },
    seen: () => seen,
    ended: () => ended,
    progress: () => rollbackProgress(seen, ended),
  };
}

/**
 * What the crash deadline's outcome says of the rollback (the Action's `code`, `rolled-back` and `rollback`
 * outputs, the CLI's result code), by what the run reported. It said `rollback_failed`, rolled back, rollback
 * `incomplete` also of a run stuck before any rollback began: no rollback had failed, none had run.
 */
export interface DeadlineRollback {
  /**
   * `rollback_failed`: a rollback began and is not known to have put traffic back (one still going, or one that
   * ended unfinished); `internal_error`: none began, or every one begun completed (the run stuck after it).
   */
  code: 'rollback_failed' | 'internal_error';
  /** Whether a rollback began (the `rolled-back` output). */
  rolledBack: boolean;
  /** How the rollbacks begun ended (rollbackOutput), one still going `incomplete`; undefined when none began. */
  rollback: 'complete' | 'cleanup-incomplete' | 'incomplete' | undefined;
}

/** Pure: the crash deadline's DeadlineRollback, from how far the rollback came and the records of those ended. */
export function deadlineRollback(seen: RollbackSeen, ended: ReadonlyArray<RollbackRecord>): DeadlineRollback {
  switch (seen) {
    case 'not_begun':
      return { code: 'internal_error', rolledBack: false, rollback: undefined };
    case 'running':
      return { code: 'rollback_failed', rolledBack: true, rollback: 'incomplete' };
    case 'ended': {
      const rollback = (rollbackOutput(ended) ?? 'incomplete') as DeadlineRollback['rollback'];
      return {
        code: rollback === 'complete' ? 'internal_error' : 'rollback_failed',
        rolledBack: true,
        rollback,
      };
    }
  }
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

/**
 * Whether the rollbacks begun put traffic back on the stable version (`complete`, or `cleanup-incomplete`: only a
 * teardown was left), for the crash deadline's words; they said "traffic may not be back" of a cleanup left
 * undone, whose `rollback` output says traffic is back. Pure.
 */
export function trafficBackAtDeadline(verdict: DeadlineRollback): boolean {
  return verdict.rollback === 'complete' || verdict.rollback === 'cleanup-incomplete';
}

/** Pure: how far the rollback had come, for the crash deadline's exit words (crash-decision.ts deadlineExit). */
export function rollbackProgress(seen: RollbackSeen, ended: ReadonlyArray<RollbackRecord>): RollbackProgress {
  if (seen === 'not_begun') return 'none_begun';
  if (seen === 'running') return 'going';
  return trafficBackAtDeadline(deadlineRollback(seen, ended)) ? 'traffic_back' : 'not_completed';
}
