// The policy decision for one deployment request: the facts it needs read from GitHub (the SHA's deployments
// and checks, only when the policy needs them), then the pure policy (src/policy). Shared by the commands
// (dispatch.ts) and a due schedule's re-check (app/schedule/run-due.ts).
import type { RawConfig } from '../../src/config/schema.ts';
import { approvalRule, changedPolicies, evaluatePolicy } from '../../src/policy/index.ts';
import type { Actor, DeploymentType, Policy, PolicyDecision } from '../../src/policy/index.ts';
import type { Api, Where } from '../facts/github.ts';
import { approverFactsOf, cachedContributors, teamsIn } from '../facts/pull-request.ts';
import type { PeopleCache, PullFacts } from '../facts/pull-request.ts';
import type { AppComments, MarkerTrust } from '../facts/own-comments.ts';
import { readLedger, startedDeployment, withLedger } from '../facts/approval-ledger.ts';
import { checksAt, deploymentsAt } from '../facts/deployments.ts';
import type { ShaDeployment } from '../facts/deployments.ts';
import { priorEnvironments } from '../facts/prior-environments.ts';
import { releaseTagsAt } from '../facts/release-tags.ts';
import type { RecordReader } from '../state.ts';

/** What every command reads first: the repository, the PR, the config and the App's own comments. */
export interface Base {
  where: Where;
  pr: PullFacts;
  config: RawConfig;
  comments: AppComments;
  /** What this delivery has read about people (approvers, contributors): each is read once. */
  people?: PeopleCache;
  /** The command's note on the commands below its first line, for its first answer (CommentEvent.laterNote). */
  laterNote?: () => string;
}

/** The policy input facts for a deployment of `sha` asked by `actor` (also a due schedule's re-check). */
export async function decide(
  deps: {
    api: Api;
    now: () => Date;
    appId: number;
    markers: MarkerTrust;
    /** The App's one record reader (app/state.ts): it remembers the record numbers it has seen. */
    records: RecordReader;
  },
  b: Base,
  policy: Policy,
  request: {
    environment: string;
    sha: string;
    type: DeploymentType;
    hotfixReason?: string;
    /** The `/deploy` comment of a waiting request: the ledger says whether it was started (startedAs). */
    sourceCommentId?: number;
  },
  actor: Actor,
  extra: { approvals?: AppComments['approvals']; readDeployments?: boolean } = {},
): Promise<{
  decision: PolicyDecision;
  /** With readDeployments, when the decision lets the request start (and the ledger has no start of it). */
  deployments: ShaDeployment[] | undefined;
  /** With readDeployments: the deployment the App's ledger says it started this request as. */
  startedAs?: number;
}> {
  // The SHA's deployments are read only for a request that may already have deployed (a pending one), and only
  // once the policy lets it start (below): they only ever stop a start, so a request still short of approvals,
  // or refused, pays nothing for them. Never for `requires` (below). A comment's own redelivery is caught
  // earlier, by its reaction (handlers/comment.ts), and concurrent requests by the lock.
  const needed = extra.readDeployments === true;
  // The App's comments and its ledger of the commit (approval-ledger.ts): a record whose comment was deleted
  // still counts. A ledger that cannot be read throws (FactsError): nothing is decided without it.
  // Read again even when the caller has just read it: an approval (dispatch.ts) reads the ledger before it
  // writes its record there, and this read comes after that write. A veto another replica recorded in between
  // then counts: of an approval and a veto written at once, either this decision sees the veto or the veto was
  // written after the decision was taken. Handing the first read over would let such a veto go unseen.
  const ledger = await readLedger(deps.api, b.where, request.sha, b.pr.number, deps.appId, deps.markers);
  const approvals = withLedger(extra.approvals ?? b.comments.approvals, ledger.records);
  // The approvals and vetoes of this deployment are judged on their authors' permission and teams now, and
  // whoever wrote the pull request's commits does not approve its deployment.
  const relevant = approvals.filter(
    (r) => r.environment === request.environment && r.sha.toLowerCase() === request.sha.toLowerCase(),
  );
  // The deployment is held to the policy of every environment it changes (its staging environment too:
  // src/policy/changed-environments.ts), so the facts are read for each of them.
  const policies = [
    policy,
    ...changedPolicies(b.config, request.environment, request.type).filter(
      (other) => other.environment !== policy.environment,
    ),
  ];
  const rules = policies.map((p) => ({ policy: p, rule: approvalRule(p, request.type) }));
  const approverTeams = [...new Set(rules.flatMap(({ rule }) => teamsIn(rule.approvers)))];
  // Contributors matter where an approval is needed and a self-approval would not count, and wherever there
  // is a veto: whoever pushed may always veto, approver or not, and the tally keeps that veto only if it
  // knows them (else it is dropped as not_an_approver and the deployment goes ahead).
  const selfMatters =
    rules.some(({ policy: p, rule }) => rule.required > 0 && !p.allowSelfApproval) ||
    relevant.some((r) => r.kind === 'reject');
  const requiredChecks = policies.flatMap((p) => p.requiredChecks);
  const releasePatterns = [...new Set(policies.flatMap((p) => p.releaseTags))];
  const requires = [...new Set(policies.flatMap((p) => p.requires))];
  // release_tags: read only when the environment has some, and not for a rollback (it goes back to what was
  // live). A read that fails is an answer the policy refuses on (release_tag_unreadable).
  const [checks, contributors, approverFacts, releaseTags] = await Promise.all([
    request.type === 'rollback' ? [] : checksAt(deps.api, b.where, request.sha, requiredChecks),
    selfMatters ? cachedContributors(deps.api, b.where, b.pr, b.people) : [],
    approverFactsOf(deps.api, b.where, relevant, approverTeams, b.people),
    request.type === 'rollback' || releasePatterns.length === 0
      ? undefined
      : releaseTagsAt(deps.api, b.where, request.sha, releasePatterns),
  ]);
  // `requires`: from each required environment's signed state record, never from deployments and their
  // statuses, which anyone with write permission makes (facts/prior-environments.ts).
  const prior =
    request.type === 'rollback' || requires.length === 0
      ? { successful: [], issues: [] }
      : await priorEnvironments(deps.records, deps.api, b.where, request.sha, requires);
  const decision = evaluatePolicy({
    config: b.config,
    environment: request.environment,
    actor,
    sha: request.sha,
    pullRequest: {
      number: b.pr.number,
      author: b.pr.author,
      headSha: b.pr.headSha,
      fromFork: b.pr.fromFork,
      contributors,
    },
    approvals,
    approverFacts,
    successfulDeployments: prior.successful,
    priorEnvironmentIssues: prior.issues,
    checks,
    ...(releaseTags ? { releaseTags } : {}),
    now: deps.now(),
    type: request.type,
    ...(request.hotfixReason !== undefined ? { hotfixReason: request.hotfixReason } : {}),
  });
  const startedAs =
    needed && request.sourceCommentId !== undefined
      ? startedDeployment(ledger, b.pr.number, request.sourceCommentId)
      : undefined;
  // Read after the decision, right before the start they guard: a request that is not to start (short, refused,
  // or started before by the ledger) has no use for them.
  const deployments =
    needed && decision.ok && startedAs === undefined
      ? await deploymentsAt(deps.api, b.where, request.sha)
      : undefined;
  return { decision, deployments, ...(startedAs !== undefined ? { startedAs } : {}) };
}
