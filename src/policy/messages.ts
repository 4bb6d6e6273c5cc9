// One plain sentence per decision and per dropped approval, for the app's replies and status reports. The
// code is in the decision; these only word it. Every value that is not the app's own words (logins, veto
// and freeze reasons, environment and check names) goes through userText: these sentences end up in PR
// comments, check runs and protection-rule reviews, all Markdown.
import { userText } from '../github/user-text.ts';
import { sameLogin } from './actors.ts';
import type { DroppedRecord } from './approvals.ts';
import { approvalRule } from './evaluate.ts';
import type { ApproverDecision, PolicyDecision, PolicyRefusal } from './evaluate.ts';
import type { Policy } from './resolve.ts';
import type { LockDecision } from './locks.ts';
import { formatClockTime, wallClockText } from './windows.ts';

const short = (sha: string) => sha.slice(0, 7);
const at = (login: string) => userText(login, { as: 'mention' });
const text = (value: string) => userText(value, { max: 300 });
/** A commit's short SHA as GitHub links it (hex digits only, nothing to escape); anything else as user text. */
const commit = (sha: string) => (/^[0-9a-f]{7,40}$/.test(short(sha)) ? short(sha) : text(short(sha)));
const who = (principals: readonly string[]) =>
  principals.length === 0 ? 'anyone with write permission' : principals.map(at).join(', ');
/** Globs from the config, quoted: "v*" (escaped, so a `*` shows as itself). */
const patterns = (list: readonly string[]) => list.map((p) => `"${userText(p, { max: 100 })}"`).join(', ');
const when = (date: Date) => date.toISOString().replace(/\.000Z$/, 'Z');
/** " (Tue 2026-12-08 10:00 Europe/Berlin)": an instant as the policy zone's wall clock too, where that is not UTC. */
const inZone = (date: Date, timezone: string) => {
  let local: string | undefined;
  try {
    local = wallClockText(date, timezone);
  } catch {
    local = undefined; // not a zone Intl knows (the config refuses those): the UTC time alone
  }
  return local ? ` (${text(local)})` : '';
};

/** "staging environment `prod-eu`, which this deployment changes first: ": where a refusal comes from its rules. */
export function stagingPrefix(staging: string | undefined): string {
  return staging === undefined
    ? ''
    : `staging environment ${userText(staging, { as: 'code' })}, which this deployment changes first: `;
}

export function explainRefusal(refusal: PolicyRefusal): string {
  return `${stagingPrefix(refusal.staging)}${refusalReason(refusal)}`;
}

function refusalReason(refusal: PolicyRefusal): string {
  switch (refusal.code) {
    case 'unknown_environment':
      return text(refusal.message);
    case 'fork_pull_request':
      return 'pull requests from forks are never deployed';
    case 'not_a_deployer':
      return refusal.why === 'not_listed'
        ? `${at(refusal.login)} may not deploy here: deployers are ${who(refusal.deployers)}`
        : `${at(refusal.login)} has ${refusal.permission} permission; deploying needs write`;
    case 'hotfix_needs_reason':
      return 'a hotfix needs a reason: /deploy <env> --hotfix --reason "..."';
    case 'sha_moved':
      return `the pull request moved from ${commit(refusal.expected)} to ${commit(refusal.actual)}: decide again on the new commit`;
    case 'frozen': {
      // The freeze's end may fall outside every window (a Friday-evening end, windows on weekdays): then the
      // next time a deployment may start is said too, or the reader would try at the freeze's end and be refused.
      const { until, nextAllowed, timezone } = refusal;
      const next =
        nextAllowed && nextAllowed.getTime() > until.getTime()
          ? `; next opening ${when(nextAllowed)}${inZone(nextAllowed, timezone)}`
          : '';
      return `deployments are frozen until ${when(until)}${inZone(until, timezone)}${next}: ${text(refusal.reason)}`;
    }
    case 'outside_window': {
      const windows = refusal.windows
        .map((w) => `${w.days.join(', ')} ${formatClockTime(w.startMinute)}-${formatClockTime(w.endMinute)}`)
        .join('; ');
      const next = refusal.nextOpening
        ? `; next opening ${when(refusal.nextOpening)}${inZone(refusal.nextOpening, refusal.timezone)}`
        : '';
      return `outside the deploy windows (${windows}, ${text(refusal.timezone)})${next}`;
    }
    case 'prior_environment_missing': {
      const head = `${refusal.missing.map(text).join(', ')} must first have a successful deployment of ${commit(refusal.sha)}`;
      const why = (refusal.why ?? []).map(
        (w) =>
          `${text(w.environment)}: ${userText(w.code, { as: 'code', max: 60 })} ${userText(w.message, { max: 500 })}`,
      );
      return why.length > 0 ? `${head} (${why.join('; ')})` : head;
    }
    case 'checks_not_green': {
      const parts = [
        ...refusal.failing.map((c) => `${text(c.name)} (${text(c.conclusion)})`),
        ...refusal.pending.map((name) => `${text(name)} (still running)`),
        ...refusal.missing.map((name) => `${text(name)} (not run)`),
      ];
      return `required checks are not green: ${parts.join(', ')}`;
    }
    case 'release_tag_missing': {
      // Tag names are anyone's who may push tags: user text, like the patterns from the config.
      const elsewhere = refusal.elsewhere.map(
        (tag) => `${userText(tag.name, { as: 'code', max: 100 })} (${commit(tag.sha)})`,
      );
      const hint =
        elsewhere.length > 0 ? `; matching tags are on other commits: ${elsewhere.join(', ')}` : '';
      return `${commit(refusal.sha)} is not a tagged release: no tag matching ${patterns(refusal.patterns)} points at it (release_tags); tag the commit with a matching tag, or deploy the commit a release tag points at${hint}`;
    }
    case 'release_tag_unreadable':
      return `whether ${commit(refusal.sha)} is a tagged release (${patterns(refusal.patterns)}) cannot be told: ${userText(refusal.reason, { max: 500 })}; nothing is deployed until the tags can be read`;
    case 'rejected':
      return `vetoed by ${refusal.vetoes.map((v) => `${at(v.login)}${v.reason ? ` (${text(v.reason)})` : ''}`).join(', ')}`;
    case 'needs_approvals': {
      const others = refusal.selfExcluded ?? (refusal.excluded ? [refusal.excluded] : []);
      // Named without a mention, as in the App's waiting reply: this sentence is posted on the pull request
      // (a protection rule's notice) and must not call on the people whose approval does not count.
      const isSelf = (p: string) => others.some((login) => sameLogin(login, p));
      const named = (p: string) => userText(p, { as: 'code' });
      const callOn = (principals: readonly string[]) =>
        principals.length === 0
          ? who(principals)
          : principals.map((p) => (isSelf(p) ? named(p) : at(p))).join(', ');
      const from = callOn(refusal.approvers);
      const excluded = others.length > 0 ? ` other than ${others.map(named).join(', ')}` : '';
      const groups = (refusal.groupsMissing ?? []).map(
        (g) =>
          `${g.missing} more approval${g.missing === 1 ? '' : 's'} from group ${text(g.name)} (${g.required - g.missing}/${g.required}, ${callOn(g.approvers)})`,
      );
      // Without groups (or with the groups satisfied) the overall shortfall is the whole story.
      const overall = groups.length === 0 ? refusal.missing : refusal.tally.missing;
      if (overall === 0) return `needs ${groups.join(' and ')}${excluded}`;
      const perGroup = groups.length > 0 ? `; per group: ${groups.join(', ')}` : '';
      return `needs ${overall} more approval${overall === 1 ? '' : 's'} (${refusal.tally.approvedBy.length}/${refusal.required}) from ${from}${excluded}${perGroup}`;
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
    case 'self_approval_refused': {
      const role = {
        author: 'opened this pull request and may not approve its deployment',
        requester: 'asked for this deployment and may not approve it',
        contributor: 'pushed to or authored commits of this pull request and may not approve its deployment',
      }[decision.as ?? 'author'];
      return `self_approval_refused: ${stagingPrefix(decision.staging)}${at(decision.login)} ${role} (allow_self_approval is off)`;
    }
    case 'not_an_approver': {
      // Refused under the staging environment's rule too: who may approve there is said as well.
      const staging = decision.stagingApprovers
        ? `; ${stagingPrefix(decision.stagingApprovers.environment)}approvers are ${who(decision.stagingApprovers.approvers)}`
        : '';
      return decision.why === 'not_listed'
        ? `not_an_approver: ${at(decision.login)} may not approve here: approvers are ${who(decision.approvers)}${staging}`
        : decision.why === 'bot'
          ? `not_an_approver: ${at(decision.login)} is a bot or app, and bots never approve or veto a deployment`
          : `not_an_approver: ${at(decision.login)} lacks the repository permission to approve${staging}`;
    }
    default:
      return `${decision.code}: ${explainRefusal(decision)}`;
  }
}

const DROP_WORDING: Record<DroppedRecord['reason'], (d: DroppedRecord) => string> = {
  other_environment: (d) => `was for ${text(d.record.environment)}`,
  stale_sha: (d) => `was for an older commit (${commit(d.record.sha)})`,
  future: () => 'is dated in the future',
  expired: (d) => `has expired (given ${when(d.record.at)})`,
  self_approval: () =>
    'is a self-approval (by the pull request author, the one who asked for the deployment or someone who pushed to it)',
  not_an_approver: () => 'is by someone who may not approve',
  superseded: () => 'was replaced by a later one',
};

/** "the approval by @x was for an older commit (abc1234)". */
export function explainDropped(dropped: DroppedRecord): string {
  const what = dropped.record.kind === 'approve' ? 'approval' : 'veto';
  return `the ${what} by ${at(dropped.record.by.login)} ${DROP_WORDING[dropped.reason](dropped)}`;
}

/** Why a /lock or /unlock is refused (src/policy/locks.ts), one sentence after its code. */
export function explainLockRefusal(decision: Exclude<LockDecision, { ok: true }>): string {
  switch (decision.code) {
    case 'unknown_environment':
      return text(decision.message);
    case 'not_a_deployer':
      return `${at(decision.login)} may not lock ${userText(decision.environment, { as: 'code' })}: an environment's lock is for its deployers, ${who(decision.deployers)} (and maintainers, admins and global lockers)`;
    case 'not_a_global_locker': {
      const what =
        decision.action === 'force'
          ? "releasing someone else's lock (`--force`)"
          : decision.action === 'lock'
            ? 'the global lock'
            : 'releasing the global lock';
      const listed = decision.lockers.length
        ? `, and ${who(decision.lockers)} (approvals.global_lockers)`
        : '';
      return `${at(decision.login)} may not do this: ${what} is for maintainers and admins${listed}`;
    }
  }
}

const KIND_LABELS = [
  ['standard', '`/deploy`'],
  ['hotfix', '`/deploy --hotfix`'],
  ['rollback', '`/rollback`'],
] as const;

/**
 * What an approval covers, for its reply: the commit and the environment, not one kind of deployment
 * (docs/policy.md, Approvals). Said only where it matters, when more than one kind needs approvals there;
 * undefined otherwise.
 */
export function explainApprovalScope(policy: Policy, login: string): string | undefined {
  const kinds = KIND_LABELS.filter(([type]) => approvalRule(policy, type).required > 0).map(
    ([, label]) => label,
  );
  if (kinds.length < 2) return undefined;
  const listed = `${kinds.slice(0, -1).join(', ')} or ${kinds.at(-1)!}`;
  return (
    'An approval is for the commit and the environment, not for one kind of deployment: this one counts ' +
    `for any ${listed} of this commit to ${userText(policy.environment, { as: 'code' })} that ${at(login)} may approve.`
  );
}
