// Approval groups ("one manager AND one security engineer"): how many of the approvals that count come
// from each group's members. Pure, and on top of the tally: what the tally dropped (vetoed, self-approval,
// bot, older commit, expired, no longer an approver) never counts for a group either.
import { eligibility, sameLogin, type Actor } from './actors.ts';
import type { ApprovalRecord, ApprovalTally } from './approvals.ts';
import type { ApprovalGroup, Principal } from './resolve.ts';

export interface GroupCount {
  name: string;
  required: number;
  /** Who of the counted approvers belongs to the group. */
  approvedBy: string[];
  /** Approvals still needed from the group (0 when it has enough). */
  missing: number;
  approvers: Principal[];
}

/**
 * Each group's counted approvals. `records` are the records the tally was given and `tally` its result: a
 * record counts when the tally kept it (every record it did not keep is in `dropped`). Membership is judged
 * on the same facts as the tally's: `approverFacts` when given, else what the record says was seen. A person
 * in two groups counts for both.
 */
export function countGroups(
  groups: readonly ApprovalGroup[],
  records: readonly ApprovalRecord[],
  tally: ApprovalTally,
  approverFacts?: readonly Actor[],
): GroupCount[] {
  if (groups.length === 0) return [];
  const dropped = new Set(tally.dropped.map((d) => d.record));
  const approvers: Actor[] = [];
  for (const record of records) {
    if (record.kind !== 'approve' || dropped.has(record)) continue;
    if (!tally.approvedBy.some((login) => sameLogin(login, record.by.login))) continue;
    if (approvers.some((actor) => sameLogin(actor.login, record.by.login))) continue;
    const actor =
      approverFacts === undefined
        ? record.by
        : approverFacts.find((facts) => sameLogin(facts.login, record.by.login));
    if (actor) approvers.push(actor);
  }
  return groups.map((group) => {
    const approvedBy = approvers
      .filter((actor) => eligibility(actor, group.approvers, 'approver').ok)
      .map((actor) => actor.login);
    return {
      name: group.name,
      required: group.required,
      approvedBy,
      missing: Math.max(0, group.required - approvedBy.length),
      approvers: group.approvers,
    };
  });
}
