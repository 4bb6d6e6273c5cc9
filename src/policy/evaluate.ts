// The deployment policy decision, pure: plain facts in (who asks, which commit, the approvals, deployments
// and checks the app collected, the time), a decision out with a stable code for every outcome. Nothing here
// reads the clock, the network or the environment, so the same facts always give the same answer.
import type { RawConfig } from '../config/schema.ts';
import type { DeploymentType } from '../github/deployment-payload.ts';
import { eligibility, sameLogin, type Actor, type Permission } from './actors.ts';
import { tallyApprovals, type ApprovalRecord, type ApprovalTally } from './approvals.ts';
import { unknownEnvironmentMessage } from '../config/suggest.ts';
import { countGroups } from './groups.ts';
import {
  PolicyError,
  requiredCheckLabel,
  resolvePolicy,
  type ApprovalRule,
  type Policy,
  type Principal,
  type RequiredCheck,
} from './resolve.ts';
import { activeFreeze, isWithinWindows, nextDeployableInstant, type DeployWindow } from './windows.ts';
import { releaseTagMatcher, type ReleaseTag, type ReleaseTagFacts } from './release-tags.ts';
import { stagingChanged } from './changed-environments.ts';

export interface PullRequestFacts {
  number?: number;
  author: string;
  /** The head SHA as re-read right before the decision. */
  headSha: string;
  /** True when the head branch lives in another repository. */
  fromFork: boolean;
  /**
   * Logins of whoever pushed to the pull request or authored or committed its commits (as GitHub links
   * them): their approval is a self-approval, like the author's.
   */
  contributors?: readonly string[];
}

/** One check at the commit: the latest run for its name (a later entry with the same name wins). */
export interface CheckResult {
  name: string;
  status: string;
  conclusion?: string | null;
  /** Slug of the GitHub App that posted the check run (GitHub's check_run.app.slug). */
  app?: string | null;
}

export interface SuccessfulDeployment {
  environment: string;
  sha: string;
}

/**
 * Why a `requires` environment does not show the commit deployed, as the caller found it (the App: from the
 * environment's signed state record). `code` is a state refusal code (`state_forged`, `state_stale`, ...),
 * `state_not_kept` (the environment keeps no signed record) or `not_live` (the record shows another commit).
 */
export interface PriorEnvironmentIssue {
  environment: string;
  code: string;
  message: string;
}

export interface PolicyInput {
  /** The config from the default branch, never from the pull request. */
  config: RawConfig;
  environment: string;
  actor: Actor;
  /** The commit to deploy: the pull request head, or for a rollback the SHA to go back to. */
  sha: string;
  pullRequest?: PullRequestFacts;
  approvals: readonly ApprovalRecord[];
  successfulDeployments: readonly SuccessfulDeployment[];
  /** Why each `requires` environment missing from successfulDeployments is missing, where the caller knows. */
  priorEnvironmentIssues?: readonly PriorEnvironmentIssue[];
  checks: readonly CheckResult[];
  /**
   * The tags matching the environment's release_tags, as the caller read them (only needed when it has
   * some). Absent or unreadable there: refused (release_tag_unreadable), never taken as tagged.
   */
  releaseTags?: ReleaseTagFacts;
  now: Date;
  type: DeploymentType;
  hotfixReason?: string;
  /**
   * The permission and teams of the people who approved or vetoed, read right before this decision. When
   * given, approvals are judged on these rather than on what was seen when they were given; an approval by
   * someone missing here does not count (a veto stands on what was recorded).
   */
  approverFacts?: readonly Actor[];
}

export const PASSING_CONCLUSIONS = ['success', 'neutral', 'skipped'] as const;

/**
 * Every refusal may come from the rules of the staging environment the deployment changes first
 * (changed-environments.ts): `staging` names it then. Absent: from the environment named in the command.
 */
export type PolicyRefusal = RefusalReason & { staging?: string };

type RefusalReason =
  | { code: 'unknown_environment'; environment: string; known: string[]; message: string }
  | { code: 'fork_pull_request'; pullRequest?: number }
  | {
      code: 'not_a_deployer';
      login: string;
      why: 'not_listed' | 'insufficient_permission';
      permission: Permission;
      /** Empty: anyone with write permission may deploy. */
      deployers: Principal[];
    }
  | { code: 'hotfix_needs_reason' }
  | { code: 'sha_moved'; expected: string; actual: string }
  | {
      code: 'frozen';
      reason: string;
      from: Date;
      until: Date;
      /** The policy's time zone (its windows are written in it): the times are also said as its wall clock. */
      timezone: string;
      /** The first instant after the freeze that is inside a window and no other freeze. */
      nextAllowed?: Date;
    }
  | {
      code: 'outside_window';
      timezone: string;
      windows: DeployWindow[];
      /** The next instant inside a window and outside any freeze that applies (within a year). */
      nextOpening?: Date;
    }
  | {
      code: 'prior_environment_missing';
      missing: string[];
      sha: string;
      /** Why, per missing environment, where known (a refused or absent state record, another commit live). */
      why?: PriorEnvironmentIssue[];
    }
  | {
      code: 'checks_not_green';
      failing: Array<{ name: string; conclusion: string }>;
      pending: string[];
      missing: string[];
    }
  | {
      code: 'release_tag_missing';
      /** The environment's release_tags. */
      patterns: string[];
      sha: string;
      /** Some tags matching the patterns on other commits, as read (at most RELEASE_TAGS_SHOWN). */
      elsewhere: ReleaseTag[];
    }
  | { code: 'release_tag_unreadable'; patterns: string[]; sha: string; reason: string }
  | { code: 'rejected'; vetoes: ApprovalTally['rejectedBy']; tally: ApprovalTally }
  | {
      code: 'needs_approvals';
      required: number;
      /**
       * Approvals still needed: the overall shortfall, or, when more, the groups' shortfalls added up (as if
       * nobody were in two groups). At least 1.
       */
      missing: number;
      approvedBy: string[];
      /** Who may approve; empty means anyone with write permission. */
      approvers: Principal[];
      /** The author, when their own approval would not count. */
      excluded?: string;
      /**
       * Everyone whose approval would be a self-approval (author, requester, contributors), when
       * allow_self_approval is off.
       */
      selfExcluded?: string[];
      /** The approval groups still short of approvals, in config order (absent: none is). */
      groupsMissing?: Array<{ name: string; missing: number; required: number; approvers: Principal[] }>;
      tally: ApprovalTally;
    };

export type PolicyRefusalCode = PolicyRefusal['code'];

export type Refused<R extends PolicyRefusal = PolicyRefusal> = R & {
  ok: false;
  /** Every other reason the deployment is refused, in the same priority order. */
  also: PolicyRefusal[];
};

export type PolicyDecision =
  { ok: true; code: 'allowed'; policy: Policy; type: DeploymentType; tally: ApprovalTally } | Refused;

export type DeployerDecision =
  | { ok: true; code: 'allowed'; policy: Policy; via: Principal | 'write_permission' }
  | Refused<Extract<PolicyRefusal, { code: 'unknown_environment' | 'fork_pull_request' | 'not_a_deployer' }>>;

export type ApproverDecision =
  | {
      ok: true;
      code: 'allowed';
      /** The policy of the environment named in the command. */
      policy: Policy;
      via: Principal | 'write_permission' | 'author';
      /** Allowed only under the rule of this staging environment, which the deployment changes first. */
      staging?: string;
    }
  | Refused<Extract<PolicyRefusal, { code: 'unknown_environment' }>>
  | {
      ok: false;
      code: 'not_an_approver';
      login: string;
      why: 'not_listed' | 'insufficient_permission' | 'bot';
      approvers: Principal[];
      /** Who approves under the staging environment's rule, which refused this actor too. */
      stagingApprovers?: { environment: string; approvers: Principal[] };
      also: PolicyRefusal[];
    }
  | {
      ok: false;
      code: 'self_approval_refused';
      login: string;
      /** Why it would approve itself: opened the pull request (absent: also that), asked for the deployment, pushed to it. */
      as?: 'author' | 'requester' | 'contributor';
      /** Refused under the rule of this staging environment (the only rule that lists the actor). */
      staging?: string;
      also: PolicyRefusal[];
    };

/** All codes a caller may see from evaluatePolicy, mayDeploy and mayApprove. */
export const DECISION_CODES = [
  'allowed',
  'unknown_environment',
  'fork_pull_request',
  'not_a_deployer',
  'hotfix_needs_reason',
  'sha_moved',
  'frozen',
  'outside_window',
  'prior_environment_missing',
  'checks_not_green',
  'release_tag_missing',
  'release_tag_unreadable',
  'rejected',
  'needs_approvals',
  'not_an_approver',
  'self_approval_refused',
] as const;

type Lookup = { ok: true; policy: Policy } | Refused<Extract<PolicyRefusal, { code: 'unknown_environment' }>>;

/** Throws PolicyError only for a config whose approvals sections policyIssues() rejects. */
function lookup(config: RawConfig, environment: string): Lookup {
  if (!Object.hasOwn(config.environments, environment)) {
    const known = Object.keys(config.environments);
    return {
      ok: false,
      code: 'unknown_environment',
      environment,
      known,
      message: unknownEnvironmentMessage(environment, known),
      also: [],
    };
  }
  return { ok: true, policy: resolvePolicy(config, environment) };
}

function refused<R extends PolicyRefusal>(refusals: readonly [R, ...PolicyRefusal[]]): Refused<R> {
  const [first, ...also] = refusals;
  return { ...first, ok: false, also };
}

/** The approval rule for a deployment type: hotfixes and rollbacks may have their own approvers and count. */
export function approvalRule(policy: Policy, type: DeploymentType): ApprovalRule {
  const { approvers, required, groups } =
    type === 'hotfix' ? policy.hotfix : type === 'rollback' ? policy.rollback : policy;
  return { approvers, required, ...(groups && groups.length > 0 ? { groups } : {}) };
}

type DeployerInput = Pick<PolicyInput, 'config' | 'environment' | 'actor' | 'pullRequest' | 'type'> & {
  /**
   * rollout: the question is about steering the rollout of the environment named (/pause, /promote, /abort
   * and a step's approval gate), which changes that environment alone, so only its own rules answer it.
   * deployment (default): a deployment, held to every environment it changes (changed-environments.ts).
   */
  scope?: 'deployment' | 'rollout';
};

/** May this actor deploy this pull request to this environment at all (before approvals, windows...)? */
export function mayDeploy(input: DeployerInput): DeployerDecision {
  const found = lookup(input.config, input.environment);
  if (!found.ok) return found;
  const refusals: Array<Extract<PolicyRefusal, { code: DeployerRefusalCode }>> = deployerRefusals(
    found.policy,
    input,
  );
  const staging = stagingLookup(input);
  if (staging && !staging.found.ok) refusals.push(stagingUnknown(staging.name, staging.found));
  else if (staging?.found.ok)
    refusals.push(...ofStaging(staging.name, deployerRefusals(staging.found.policy, input), refusals));
  if (refusals.length > 0) return refused(refusals as [(typeof refusals)[number], ...PolicyRefusal[]]);
  const admitted = eligibility(input.actor, found.policy.deployers, 'deployer');
  return {
    ok: true,
    code: 'allowed',
    policy: found.policy,
    via: admitted.ok ? admitted.via : 'write_permission',
  };
}

type DeployerRefusalCode = 'unknown_environment' | 'fork_pull_request' | 'not_a_deployer';

/** The staging environment this deployment changes first (changed-environments.ts), looked up; undefined: none. */
function stagingLookup(
  input: Pick<PolicyInput, 'config' | 'environment' | 'type'> & { scope?: 'deployment' | 'rollout' },
): { name: string; found: Lookup } | undefined {
  if (input.scope === 'rollout') return undefined;
  const name = stagingChanged(input.config, input.environment, input.type);
  return name === undefined ? undefined : { name, found: lookup(input.config, name) };
}

/** A staging environment the config does not define: refused, naming it, never passed over. */
function stagingUnknown(
  name: string,
  found: Extract<Lookup, { ok: false }>,
): Extract<PolicyRefusal, { code: 'unknown_environment' }> {
  const { ok: _ok, also: _also, ...reason } = found;
  return { ...reason, staging: name };
}

/**
 * Refusals that are about the commit or the pull request, not the environment: said once, for the environment
 * named in the command, never again for its staging environment.
 */
const COMMIT_REFUSALS: ReadonlySet<PolicyRefusalCode> = new Set([
  'fork_pull_request',
  'sha_moved',
  'hotfix_needs_reason',
]);

/** A refusal without its environment and tally: two that read the same are one. */
const sameReason = (a: PolicyRefusal, b: PolicyRefusal): boolean => {
  const bare = ({ staging: _s, ...rest }: PolicyRefusal) =>
    JSON.stringify('tally' in rest ? { ...rest, tally: undefined } : rest);
  return bare(a) === bare(b);
};

/** The staging environment's refusals, named after it; those the command's environment already says are left out. */
function ofStaging<R extends PolicyRefusal>(
  staging: string,
  own: readonly R[],
  already: readonly PolicyRefusal[],
): R[] {
  return own
    .filter((r) => !COMMIT_REFUSALS.has(r.code) && !already.some((other) => sameReason(other, r)))
    .map((r) => ({ ...r, staging }));
}

function deployerRefusals(
  policy: Policy,
  input: DeployerInput,
): Array<Extract<PolicyRefusal, { code: 'fork_pull_request' | 'not_a_deployer' }>> {
  const refusals: Array<Extract<PolicyRefusal, { code: 'fork_pull_request' | 'not_a_deployer' }>> = [];
  // A rollback deploys a commit that was live before, not the pull request's code.
  if (input.pullRequest?.fromFork && input.type !== 'rollback')
    refusals.push({
      code: 'fork_pull_request',
      ...(input.pullRequest.number !== undefined ? { pullRequest: input.pullRequest.number } : {}),
    });
  const admitted = eligibility(input.actor, policy.deployers, 'deployer');
  if (!admitted.ok)
    refusals.push({
      code: 'not_a_deployer',
      login: input.actor.login,
      why: admitted.why === 'bot' ? 'not_listed' : admitted.why,
      permission: input.actor.permission,
      deployers: policy.deployers,
    });
  return refusals;
}

type ApproverInput = Pick<PolicyInput, 'config' | 'environment' | 'actor' | 'type'> & {
  /** As mayDeploy's: rollout for a step's approval gate, which only the environment's own approvers pass. */
  scope?: 'deployment' | 'rollout';
  /** The pull request's author, if there is a pull request. */
  author?: string;
  /** Who asked for the deployment waiting for this approval (one login, or each of several). */
  requester?: string | readonly string[];
  /** Who pushed to the pull request or authored its commits (PullRequestFacts.contributors). */
  contributors?: readonly string[];
  kind?: 'approve' | 'reject';
};

/**
 * May this actor approve (or, with kind "reject", veto) this environment's deployment? The pull request's
 * author, the one who asked for the deployment and whoever pushed to the pull request may always veto it,
 * and approve it only when allow_self_approval is set.
 */
export function mayApprove(input: ApproverInput): ApproverDecision {
  const found = lookup(input.config, input.environment);
  if (!found.ok) return found;
  const own = approverUnder(found.policy, input);
  // An approval of the deployment approves all it changes: whoever may approve under the staging
  // environment's rule approves it too (and counts there only: evaluate.ts tallies each rule on its own).
  const staging = own.ok ? undefined : stagingLookup(input);
  if (!staging?.found.ok) return own;
  const theirs = approverUnder(staging.found.policy, input);
  if (theirs.ok) return { ...theirs, policy: found.policy, staging: staging.name };
  // Not listed under X's rule, listed under Y's but a self-approval there: that is why (Y's rule, named).
  if (own.code === 'not_an_approver' && theirs.code === 'self_approval_refused')
    return { ...theirs, staging: staging.name };
  if (own.code !== 'not_an_approver' || theirs.code !== 'not_an_approver') return own;
  return { ...own, stagingApprovers: { environment: staging.name, approvers: theirs.approvers } };
}

/** mayApprove under one environment's policy. */
function approverUnder(
  policy: Policy,
  input: ApproverInput,
): Exclude<ApproverDecision, { code: 'unknown_environment' }> {
  const is = (login: string | undefined) => login !== undefined && sameLogin(input.actor.login, login);
  const self: 'author' | 'requester' | 'contributor' | undefined = is(input.author)
    ? 'author'
    : [input.requester ?? []].flat().some(is)
      ? 'requester'
      : (input.contributors ?? []).some(is)
        ? 'contributor'
        : undefined;
  if (self && input.kind === 'reject') return { ok: true, code: 'allowed', policy, via: 'author' };
  if (self && !policy.allowSelfApproval)
    return { ok: false, code: 'self_approval_refused', login: input.actor.login, as: self, also: [] };
  const rule = approvalRule(policy, input.type);
  const admitted = eligibility(input.actor, rule.approvers, 'approver');
  if (!admitted.ok)
    return {
      ok: false,
      code: 'not_an_approver',
      login: input.actor.login,
      why: admitted.why,
      approvers: rule.approvers,
      also: [],
    };
  return { ok: true, code: 'allowed', policy, via: admitted.via };
}

type ApprovedInput = Omit<PolicyInput, 'actor'> & {
  /**
   * Who asked for this deployment, when known (for a protection rule: the workflow run's actor and, for a
   * re-run, who re-ran it): their approval is a self-approval. evaluatePolicy takes its actor as the requester.
   */
  requester?: string | readonly string[];
};

/**
 * Is this deployment approved: hotfix reason, commit unchanged, no freeze, inside a window, prior environment
 * deployed, checks green, no veto, enough approvals? Says nothing about who asked (see mayDeploy).
 */
export function isDeploymentApproved(input: ApprovedInput): PolicyDecision {
  return decideAll(input, [input.requester ?? []].flat(), false);
}

/** The whole decision: mayDeploy, then isDeploymentApproved; the first refusal wins, the rest are in `also`. */
export function evaluatePolicy(input: PolicyInput): PolicyDecision {
  // Who asks for the deployment does not approve it too (unless allow_self_approval).
  return decideAll(input, [input.actor.login], true);
}

/**
 * The decision under the policy of every environment the deployment changes (changed-environments.ts): the
 * one named in the command, then its staging environment, which the run deploys first. Allowed only when
 * each allows. The approvals are the command's (its environment, its commit): each rule is judged on them.
 */
function decideAll(
  input: ApprovedInput & { actor?: Actor },
  requester: string[],
  withDeployers: boolean,
): PolicyDecision {
  validNow(input.now);
  const found = lookup(input.config, input.environment);
  if (!found.ok) return found;
  const refusalsUnder = (policy: Policy, counted: ApprovalTally): PolicyRefusal[] => [
    ...(withDeployers && input.actor ? deployerRefusals(policy, { ...input, actor: input.actor }) : []),
    ...approvalRefusals(policy, input, counted, requester),
  ];
  const counted = tally(found.policy, input, requester);
  const refusals = refusalsUnder(found.policy, counted);
  const staging = stagingLookup(input);
  let approvedBy = counted.approvedBy;
  if (staging && !staging.found.ok) refusals.push(stagingUnknown(staging.name, staging.found));
  else if (staging?.found.ok) {
    const theirs = tally(staging.found.policy, input, requester);
    refusals.push(...ofStaging(staging.name, refusalsUnder(staging.found.policy, theirs), refusals));
    approvedBy = [
      ...approvedBy,
      ...theirs.approvedBy.filter((login) => !approvedBy.some((other) => sameLogin(other, login))),
    ];
  }
  // The priority order of DECISION_CODES across both environments: a needs_approvals first means nothing else
  // refuses (the App then waits for approvals rather than refusing).
  const order = (r: PolicyRefusal) => DECISION_CODES.indexOf(r.code);
  refusals.sort((a, b) => order(a) - order(b));
  // Who approved the deployment: counted under any of the rules (the payload's approved_by).
  return decide(found.policy, refusals, input.type, { ...counted, approvedBy });
}

/** An invalid time compares false with every freeze and expiry: it would allow everything. */
function validNow(now: Date): void {
  if (!(now instanceof Date) || Number.isNaN(now.getTime()))
    throw new PolicyError('the evaluation time is not a valid date: nothing is decided on it');
}

function decide(
  policy: Policy,
  refusals: PolicyRefusal[],
  type: DeploymentType,
  counted: ApprovalTally,
): PolicyDecision {
  if (refusals.length > 0) return refused(refusals as [PolicyRefusal, ...PolicyRefusal[]]);
  return { ok: true, code: 'allowed', policy, type, tally: counted };
}

function tally(policy: Policy, input: ApprovedInput, requester: string[] = []): ApprovalTally {
  return tallyApprovals({
    records: input.approvals,
    // The command's environment, also under its staging environment's policy: an approval is given for the
    // deployment named in the command, and approves everything it changes.
    environment: input.environment,
    sha: input.sha,
    ...(input.pullRequest ? { author: input.pullRequest.author } : {}),
    selfApprovers: [...requester, ...(input.pullRequest?.contributors ?? [])],
    ...(input.approverFacts ? { approverFacts: input.approverFacts } : {}),
    rule: approvalRule(policy, input.type),
    allowSelfApproval: policy.allowSelfApproval,
    ...(policy.expiresAfterMs !== undefined ? { expiresAfterMs: policy.expiresAfterMs } : {}),
    now: input.now,
  });
}

/** `counted` is the tally of input.approvals under this policy: counted once, by the caller. */
function approvalRefusals(
  policy: Policy,
  input: ApprovedInput,
  counted: ApprovalTally,
  requester: string[],
): PolicyRefusal[] {
  const refusals: PolicyRefusal[] = [];
  const { type, now } = input;
  const rollback = type === 'rollback';

  if (type === 'hotfix' && policy.hotfix.requiresReason && !hasVisibleText(input.hotfixReason))
    refusals.push({ code: 'hotfix_needs_reason' });

  if (!rollback && input.pullRequest && input.pullRequest.headSha.toLowerCase() !== input.sha.toLowerCase())
    refusals.push({ code: 'sha_moved', expected: input.sha, actual: input.pullRequest.headSha });

  const bypassFreezes =
    (type === 'hotfix' && policy.hotfix.bypassFreezes) || (rollback && policy.rollback.bypassFreezes);
  const bypassWindows =
    (type === 'hotfix' && policy.hotfix.bypassWindows) || (rollback && policy.rollback.bypassWindows);
  const freezes = bypassFreezes ? [] : policy.freezes;
  const windows = bypassWindows ? [] : policy.windows;
  const freeze = activeFreeze(now, freezes);
  if (freeze) {
    const nextAllowed = nextDeployableInstant(freeze.to, windows, policy.timezone, freezes);
    refusals.push({
      code: 'frozen',
      reason: freeze.reason,
      from: freeze.from,
      until: freeze.to,
      timezone: policy.timezone,
      ...(nextAllowed ? { nextAllowed } : {}),
    });
  }
  if (!isWithinWindows(now, windows, policy.timezone)) {
    const nextOpening = nextDeployableInstant(now, windows, policy.timezone, freezes);
    refusals.push({
      code: 'outside_window',
      timezone: policy.timezone,
      windows,
      ...(nextOpening ? { nextOpening } : {}),
    });
  }

  if (!rollback) {
    const sha = input.sha.toLowerCase();
    const missing = policy.requires.filter(
      (environment) =>
        !input.successfulDeployments.some(
          (d) => d.environment === environment && d.sha.toLowerCase() === sha,
        ),
    );
    if (missing.length > 0) {
      const why = (input.priorEnvironmentIssues ?? []).filter((issue) => missing.includes(issue.environment));
      refusals.push({
        code: 'prior_environment_missing',
        missing,
        sha: input.sha,
        ...(why.length > 0 ? { why } : {}),
      });
    }

    const checks = checkRefusal(policy.requiredChecks, input.checks);
    if (checks) refusals.push(checks);

    // A hotfix too: it is a new commit going out, and a release tag is what says it is a release.
    const tags = releaseTagRefusal(policy.releaseTags, input.sha, input.releaseTags);
    if (tags) refusals.push(tags);
  }

  // A group counts only what the tally counted: vetoes, self-approvals, bots, stale or expired approvals are
  // settled before.
  const rule = approvalRule(policy, type);
  const groupsMissing = countGroups(rule.groups ?? [], input.approvals, counted, input.approverFacts)
    .filter((group) => group.missing > 0)
    .map(({ name, missing, required, approvers }) => ({ name, missing, required, approvers }));
  if (counted.state === 'rejected')
    refusals.push({ code: 'rejected', vetoes: counted.rejectedBy, tally: counted });
  else if (counted.state === 'pending' || groupsMissing.length > 0) {
    const author = input.pullRequest?.author;
    const selves = [author, ...requester, ...(input.pullRequest?.contributors ?? [])].filter(
      (login): login is string => login !== undefined,
    );
    const selfExcluded = selves.filter(
      (login, index) => selves.findIndex((other) => sameLogin(other, login)) === index,
    );
    refusals.push({
      code: 'needs_approvals',
      required: counted.required,
      missing: Math.max(
        counted.missing,
        groupsMissing.reduce((sum, group) => sum + group.missing, 0),
      ),
      approvedBy: counted.approvedBy,
      approvers: rule.approvers,
      ...(author !== undefined && !policy.allowSelfApproval ? { excluded: author } : {}),
      ...(selfExcluded.length > 0 && !policy.allowSelfApproval ? { selfExcluded } : {}),
      ...(groupsMissing.length > 0 ? { groupsMissing } : {}),
      tally: counted,
    });
  }
  return refusals;
}

/** Some character one can see: not only spaces, invisible format characters (zero-width, bidi) or controls. */
function hasVisibleText(text: string | undefined): boolean {
  return text !== undefined && /[^\s\p{Cc}\p{Cf}]/u.test(text);
}

/** How many tags on other commits a release_tag_missing names (the newest by name first). */
export const RELEASE_TAGS_SHOWN = 3;

/**
 * release_tags: the commit must be the commit of a tag matching one of the patterns. Facts not read, or not
 * readable, refuse: an unknown answer is never taken as a tagged release.
 */
function releaseTagRefusal(
  patterns: readonly string[],
  sha: string,
  facts: ReleaseTagFacts | undefined,
): Extract<PolicyRefusal, { code: 'release_tag_missing' | 'release_tag_unreadable' }> | undefined {
  if (patterns.length === 0) return undefined;
  if (!facts || !facts.ok)
    return {
      code: 'release_tag_unreadable',
      patterns: [...patterns],
      sha,
      reason: facts ? facts.reason : 'the tags were not read',
    };
  const matches = releaseTagMatcher(patterns);
  const matching = facts.tags.filter((tag) => matches(tag.name));
  if (matching.some((tag) => tag.sha.toLowerCase() === sha.toLowerCase())) return undefined;
  const elsewhere = [...matching]
    .sort((a, b) => b.name.localeCompare(a.name, 'en', { numeric: true }))
    .slice(0, RELEASE_TAGS_SHOWN)
    .map(({ name, sha }) => ({ name, sha }));
  return { code: 'release_tag_missing', patterns: [...patterns], sha, elsewhere };
}

function checkRefusal(
  required: readonly RequiredCheck[],
  checks: readonly CheckResult[],
): Extract<PolicyRefusal, { code: 'checks_not_green' }> | undefined {
  const failing: Array<{ name: string; conclusion: string }> = [];
  const pending: string[] = [];
  const missing: string[] = [];
  for (const rule of required) {
    // EVERY run of the name counts, not the last one listed: anyone whose workflow can write checks can post
    // a green run named like a required one, and it must not hide the real one failing or still running. A
    // rule bound to an app counts only that app's runs, so such a run cannot stand in for a check that
    // never ran either.
    const runs = checks.filter(
      (check) => check.name === rule.name && (!rule.app || (check.app ?? '').toLowerCase() === rule.app),
    );
    const label = requiredCheckLabel(rule);
    const failed = runs.find(
      (check) =>
        check.status === 'completed' &&
        !(PASSING_CONCLUSIONS as readonly string[]).includes(check.conclusion ?? ''),
    );
    if (runs.length === 0) missing.push(label);
    else if (failed) failing.push({ name: label, conclusion: failed.conclusion ?? 'none' });
    else if (runs.some((check) => check.status !== 'completed')) pending.push(label);
  }
  if (failing.length + pending.length + missing.length === 0) return undefined;
  return { code: 'checks_not_green', failing, pending, missing };
}
