// What the CLI and the Action say of a reconcile an internal error stopped that was still going at the crash
// deadline (util/crash-guard.ts): the process exits 3 with whatever it was doing unfinished.
import type { RollbackRecord } from '../pipeline/events.ts';
import { deadlineRollback, type RollbackSeen } from '../pipeline/rollback-seen.ts';

/**
 * What is known of a reconcile still going at the crash deadline (`after`: "15 min"), by how far the rollbacks
 * it reported had come (pipeline/rollback-seen.ts): one still going did not finish; none begun put nothing back
 * (it said "a rollback among it" of a reconcile that had begun none); one completed put traffic back. Pure.
 */
export function unfinishedAtDeadline(
  after: string,
  seen: RollbackSeen,
  ended: ReadonlyArray<RollbackRecord>,
): string {
  const stuck = `it had not ended ${after} after the internal error`;
  const next =
    'check the environments now, then run deploy-action reconcile again (the records keep what is unfinished)';
  switch (seen) {
    case 'running':
      return `${stuck}, so the rollback it was doing did not finish: traffic may not be back on the stable version; ${next}`;
    case 'not_begun':
      return `${stuck}, and no rollback had begun (traffic is where reconcile left it); ${next}`;
    case 'ended': {
      const { rollback } = deadlineRollback(seen, ended);
      if (rollback === 'complete')
        return `${stuck}, after its rollback completed (traffic back on the stable version); ${next}`;
      // Only a teardown left: traffic is back, as the `rollback` output `cleanup-incomplete` says.
      if (rollback === 'cleanup-incomplete')
        return `${stuck}, after its rollback put traffic back on the stable version (a teardown was left undone); ${next}`;
      return `${stuck}, after a rollback that did not complete: traffic may not be back on the stable version; ${next}`;
    }
  }
}
