// One plain sentence per decision and per dropped approval, for the app's replies and status reports. The
// code is in the decision; these only word it. Free text (veto and freeze reasons) is passed through as
// written: the caller escapes it for where it goes (Markdown, check run text).
import type { DroppedRecord } from './approvals.ts';
import type { ApproverDecision, PolicyDecision, PolicyRefusal } from './evaluate.ts';
import { formatClockTime } from './windows.ts';

const short = (sha: string) => sha.slice(0, 7);
const who = (principals: readonly string[]) =>
  principals.length === 0 ? 'anyone with write permission' : principals.map((p) => `@${p}`).join(', ');
const when = (date: Date) => date.toISOString().replace(/\.000Z$/, 'Z');

export function explainRefusal(refusal: PolicyRefusal): string {
  switch (refusal.code) {
    case 'unknown_environment':
      return refusal.message;
    case 'fork_pull_request':
      return 'pull requests from forks are never deployed';
    case 'not_a_deployer':
      return refusal.why === 'not_listed'
        ? `@${refusal.login} may not deploy here: deployers are ${who(refusal.deployers)}`
        : `@${refusal.login} has ${refusal.permission} permission; deploying needs write`;
    case 'hotfix_needs_reason':
      return 'a hotfix needs a reason: /deploy <env> --hotfix --reason "..."';
    case 'sha_moved':
      return `the pull request moved from ${short(refusal.expected)} to ${short(refusal.actual)}: decide again on the new commit`;
    case 'frozen':
      return `deployments are frozen until ${when(refusal.until)}: ${refusal.reason}`;
    case 'outside_window': {
      const windows = refusal.windows
        .map((w) => `${w.days.join(', ')} ${formatClockTime(w.startMinute)}-${formatClockTime(w.endMinute)}`)
        .join('; ');
      const next = refusal.nextOpening ? `; next opening ${when(refusal.nextOpening)}` : '';
      return `outside the deploy windows (${windows}, ${refusal.timezone})${next}`;
    }
    case 'prior_environment_missing':
      return `${refusal.missing.join(', ')} must first have a successful deployment of ${short(refusal.sha)}`;
    case 'checks_not_green': {
      const parts = [
        ...refusal.failing.map((c) => `${c.name} (${c.conclusion})`),
        ...refusal.pending.map((name) => `${name} (still running)`),
        ...refusal.missing.map((name) => `${name} (not run)`),
      ];
      return `required checks are not green: ${parts.join(', ')}`;
    }
    case 'rejected':
      return `vetoed by ${refusal.vetoes.map((v) => `@${v.login}${v.reason ? ` (${v.reason})` : ''}`).join(', ')}`;
    case 'needs_approvals': {
      const excluded = refusal.excluded ? ` other than @${refusal.excluded}` : '';
      return `needs ${refusal.missing} more approval${refusal.missing === 1 ? '' : 's'} (${refusal.tally.approvedBy.length}/${refusal.required}) from ${who(refusal.approvers)}${excluded}`;
    }
  }
}

export function explainDecision(decision: PolicyDecision): string {
  if (decision.ok) return 'allowed';
  return [decision, ...decision.also]
    .map((refusal) => `${refusal.code}: ${explainRefusal(refusal)}`)
    .join('\n');
}

export function explainApprover(decision: ApproverDecision): string {
  switch (decision.code) {
    case 'allowed':
      return 'allowed';
    case 'self_approval_refused':
      return `self_approval_refused: @${decision.login} opened this pull request and may not approve its deployment`;
    case 'not_an_approver':
      return decision.why === 'not_listed'
        ? `not_an_approver: @${decision.login} may not approve here: approvers are ${who(decision.approvers)}`
        : `not_an_approver: @${decision.login} lacks the repository permission to approve`;
    default:
      return `${decision.code}: ${explainRefusal(decision)}`;
  }
}

const DROP_WORDING: Record<DroppedRecord['reason'], (d: DroppedRecord) => string> = {
  other_environment: (d) => `was for ${d.record.environment}`,
  stale_sha: (d) => `was for an older commit (${short(d.record.sha)})`,
  future: () => 'is dated in the future',
  expired: (d) => `has expired (given ${when(d.record.at)})`,
  self_approval: () => 'is by the pull request author',
  not_an_approver: () => 'is by someone who may not approve',
  superseded: () => 'was replaced by a later one',
};

/** "the approval by @x was for an older commit (abc1234)". */
export function explainDropped(dropped: DroppedRecord): string {
  const what = dropped.record.kind === 'approve' ? 'approval' : 'veto';
  return `the ${what} by @${dropped.record.by.login} ${DROP_WORDING[dropped.reason](dropped)}`;
}
