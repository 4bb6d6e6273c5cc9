// How one deployment ended, for the delivery metrics, from its statuses alone (docs/metrics.md "What
// counts"). Pure. The descriptions matched are the ones this product writes (report/github/deployment-status.ts
// finalStatus, reconcile's marks); a deployment another tool made is judged by its states only.
import type { DeploymentFact, DeploymentOutcome, StatusFact } from './types.ts';

// Our final descriptions that say nothing was changed, or that the change was taken back.
const BLOCKED = /^blocked before deploying\b/i;
const CANCELLED_UNCHANGED = /^cancelled before anything changed\b/i;
const ROLLED_BACK = /^(rolled back\b|aborted\b)/i;

const FINAL = new Set(['success', 'failure', 'error']);

/** Statuses oldest first; equal times keep the order read (GitHub stamps whole seconds). */
export function chronological(statuses: readonly StatusFact[]): StatusFact[] {
  return statuses
    .map((s, i) => ({ s, i }))
    .sort((a, b) => a.s.at - b.s.at || a.i - b.i)
    .map(({ s }) => s);
}

/**
 * The outcome of one deployment:
 * - the last final status (success, failure, error) decides: a success followed by a failure failed;
 * - `inactive` is never a failure: GitHub sets it on the previous success when a newer one succeeds, and
 *   tools set it on deployments they supersede; one that is inactive without a final status was superseded;
 * - a failure our Action wrote before touching anything (gates blocked, cancelled before a change) is no
 *   change at all;
 * - no final status yet: in progress.
 */
export function outcomeOf(deployment: DeploymentFact): DeploymentOutcome {
  const statuses = chronological(deployment.statuses);
  const final = statuses.filter((s) => FINAL.has(s.state));
  const last = final.at(-1);
  if (!last) {
    const inactive = statuses.find((s) => s.state === 'inactive');
    return inactive ? { kind: 'superseded', at: inactive.at } : { kind: 'in_progress' };
  }
  if (last.state === 'success') {
    // It went live at the first of the successes it ends with (a later one is a repeat, e.g. a re-run's).
    let first = final.length - 1;
    while (first > 0 && final[first - 1]!.state === 'success') first--;
    return { kind: 'succeeded', at: final[first]!.at };
  }
  const description = (last.description ?? '').trim();
  if (BLOCKED.test(description)) return { kind: 'no_change', at: last.at, code: 'blocked' };
  if (CANCELLED_UNCHANGED.test(description))
    return { kind: 'no_change', at: last.at, code: 'cancelled_before_change' };
  if (ROLLED_BACK.test(description)) return { kind: 'failed', at: last.at, code: 'rolled_back' };
  return { kind: 'failed', at: last.at, code: last.state === 'error' ? 'error' : 'failure' };
}
