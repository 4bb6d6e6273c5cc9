// A /promote counted at an `approval: N` wait stops counting when its author may no longer approve. The App
// judged `approver` when it recorded each /promote; at a later /promote of the same wait (the one that would
// complete or change the count) it reads again the permission and teams of every earlier promoter counted
// there and judges them under the environment's current rule (mayApprove, as /approve-deploy re-checks its
// approvers at tally time). Whoever no longer qualifies, or whose facts cannot be read (fails closed), gets a
// signed `revoke` request written before the /promote: the runner and reconcile cannot read teams (the
// workflow's token), so they learn it from signed data only (decideControl's countedApprovals).
//
// `revocationsFor` and the words are pure; `recheckApprovers` reads the facts.
import { approvalsCounted, earliestRequestAt, stepOf } from '../../src/control/rollout.ts';
import type { ControlRequest, RevokeReason } from '../../src/control/request.ts';
import type { RawConfig } from '../../src/config/schema.ts';
import { userText } from '../../src/github/user-text.ts';
import { explainApprover, mayApprove, sameLogin } from '../../src/policy/index.ts';
import type { ApproverDecision } from '../../src/policy/index.ts';
import type { Rollout } from '../../src/state/record.ts';
import type { Api, Where } from '../facts/github.ts';
import { approverFactsByLogin } from '../facts/pull-request.ts';
import type { PersonFacts } from '../facts/pull-request.ts';

/** An earlier promoter who no longer counts, and why (`decision`: the refusal, where one was made). */
export interface RevokedApproval {
  login: string;
  reason: RevokeReason;
  decision?: Exclude<ApproverDecision, { ok: true }>;
}

/** Why mayApprove refused, as a revocation's stable reason. */
function reasonOf(decision: Exclude<ApproverDecision, { ok: true }>): RevokeReason {
  return decision.code === 'self_approval_refused' || decision.code === 'unknown_environment'
    ? decision.code
    : 'not_an_approver';
}

export interface RecheckInput {
  config: RawConfig;
  environment: string;
  /** The pull request's author, whose approval is a self-approval (none for a push deployment). */
  author?: string;
  /** The requester of this /promote and how they were judged for it (their facts are read already). */
  requester: { login: string; approver: ApproverDecision };
  /** The earlier promoters counted at the wait (approvalsCounted), besides the requester. */
  facts: readonly PersonFacts[];
}

/** Pure: who of the earlier promoters counted no longer does, in the order given. */
export function judgePromoters(input: RecheckInput, counted: readonly string[]): RevokedApproval[] {
  const revoked: RevokedApproval[] = [];
  for (const login of counted) {
    let decision: ApproverDecision;
    if (sameLogin(login, input.requester.login)) decision = input.requester.approver;
    else {
      const read = input.facts.find((f) => sameLogin(f.login, login));
      if (!read?.ok) {
        revoked.push({ login, reason: 'facts_unreadable' });
        continue;
      }
      decision = mayApprove({
        config: input.config,
        environment: input.environment,
        actor: read.actor,
        type: 'standard',
        scope: 'rollout',
        ...(input.author !== undefined ? { author: input.author } : {}),
        kind: 'approve',
      });
    }
    if (!decision.ok) revoked.push({ login, reason: reasonOf(decision), decision });
  }
  return revoked;
}

/**
 * Pure: the signed `revoke` requests for `revoked` at the rollout's wait, made as part of `trigger` (the
 * /promote being recorded: its id names theirs, so a redelivery writes the same). Each is dated after every
 * request of that person it withdraws (another replica's clock may be ahead of this one's) and no earlier than
 * the rollout may carry (earliestRequestAt), so every reader orders it after them.
 */
export function revocationsFor(
  rollout: Rollout & { sha: string },
  existing: readonly ControlRequest[],
  revoked: readonly RevokedApproval[],
  trigger: Pick<ControlRequest, 'id' | 'source'>,
  now: Date,
): ControlRequest[] {
  const step = stepOf(rollout);
  return revoked.map(({ login, reason }) => {
    const theirs = existing
      .filter(
        (r) => r.verb === 'promote' && r.deploymentId === rollout.deploymentId && sameLogin(r.by, login),
      )
      .map((r) => Date.parse(r.at) + 1)
      .filter((ms) => Number.isFinite(ms));
    const at = Math.max(now.getTime(), earliestRequestAt(rollout), ...theirs);
    return {
      id: `revoke:${login.toLowerCase()}:${trigger.id}`,
      verb: 'revoke',
      by: login,
      at: new Date(at).toISOString(),
      deploymentId: rollout.deploymentId,
      sha: rollout.sha,
      step,
      reason,
      source: trigger.source,
    };
  });
}

/**
 * The earlier promoters counted at the rollout's `approval: N` wait, read again and judged: those who no
 * longer count. No wait for approvals, or nobody counted yet: nobody, and nothing is read.
 */
export async function recheckApprovers(
  api: Api,
  where: Where,
  rollout: Rollout,
  existing: readonly ControlRequest[],
  recordedIn: ReadonlyMap<string, number> | undefined,
  input: Omit<RecheckInput, 'facts'> & { teams: readonly string[] },
): Promise<RevokedApproval[]> {
  const counted = approvalsCounted(rollout, existing, recordedIn).map((r) => r.by);
  if (counted.length === 0) return [];
  const others = counted.filter((login) => !sameLogin(login, input.requester.login));
  const facts = await approverFactsByLogin(api, where, others, input.teams, undefined);
  return judgePromoters({ ...input, facts }, counted);
}

const mention = (login: string): string => userText(login, { as: 'mention' });
const code = (value: string): string => userText(value, { as: 'code', max: 255 });

/** Why one earlier promoter no longer counts, for people (every value escaped). */
export function revokedText(revoked: RevokedApproval, environment: string): string {
  const who = mention(revoked.login);
  const env = code(environment);
  const decision = revoked.decision;
  switch (revoked.reason) {
    case 'facts_unreadable':
      return (
        `${who} no longer counts: their permission and teams could not be read from GitHub just now, so ` +
        `whether they may still approve ${env} is not known, and what cannot be read does not count`
      );
    case 'unknown_environment':
      return `${who} no longer counts: ${env} is no longer configured on the default branch`;
    case 'self_approval_refused':
      return `${who} no longer counts: ${decision ? explainApprover(decision).replace(/^[a-z_]+: /, '') : 'a self-approval'}`;
    case 'not_an_approver': {
      const why =
        decision?.code !== 'not_an_approver'
          ? ''
          : decision.why === 'insufficient_permission'
            ? ' (their repository permission is too low now)'
            : decision.why === 'bot'
              ? ' (a bot or app never approves)'
              : ' (not among its approvers now)';
      return `${who} no longer counts: no longer an approver of ${env}${why}`;
    }
  }
}

/** The sentence the /promote's reply carries for those who no longer count (empty for none). */
export function revokedNote(revoked: readonly RevokedApproval[], environment: string): string {
  if (revoked.length === 0) return '';
  const each = revoked.map((r) => revokedText(r, environment)).join('; ');
  return (
    ` ${each}. Their earlier /promote of this wait no longer counts (a revocation was recorded); a /promote ` +
    `of theirs made from now on counts if they may approve then.`
  );
}
