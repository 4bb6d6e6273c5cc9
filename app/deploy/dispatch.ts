// The real Dispatch: per command, gather the facts (app/facts/), ask the pure policy
// (src/policy), then act (app/deploy/start.ts, app/locks.ts) and answer with a reply.
import type { Command } from '../commands/command.ts';
import { helpText } from '../commands/help.ts';
import type { CommentEvent, Dispatch, Reply } from '../handlers/comment.ts';
import { UNKNOWN_HOLDER, acquireLock, readLocks, releaseLock } from '../locks.ts';
import type { LockInfo } from '../locks.ts';
import type { RawConfig } from '../../src/config/schema.ts';
import {
  evaluatePolicy,
  explainApprover,
  explainLockRefusal,
  globalLockers,
  mayApprove,
  mayDeploy,
  mayLock,
  sameLogin,
  tallyOrder,
  resolvePolicy,
  serializeApprovalMarker,
  approvalRule,
  explainApprovalScope,
  stagingChanged,
  stagedThrough,
  changedPolicies,
} from '../../src/policy/index.ts';
import type {
  Actor,
  ApprovalRecord,
  DeploymentType,
  Policy,
  PolicyDecision,
  PolicyRefusal,
} from '../../src/policy/index.ts';
import { addBeforeMarkers, appendMarkers } from '../../src/github/hidden-marker.ts';
import { fitComment } from '../../src/github/write-limits.ts';
import { userText } from '../../src/github/user-text.ts';
import { githubAnswered } from '../facts/github.ts';
import type { Api, Where } from '../facts/github.ts';
import { FactsError, loadConfig } from '../facts/config.ts';
import type { ConfigRead } from '../facts/config.ts';
import {
  actorOf,
  cachedActorOf,
  permissionOf,
  changedTeams,
  cachedContributors,
  peopleCache,
  readPull,
  teamsIn,
  withAccountType,
} from '../facts/pull-request.ts';
import type { PeopleCache } from '../facts/pull-request.ts';
import { markerScope, readAppComments } from '../facts/own-comments.ts';
import { readLedger, recordInLedger, recordStarted, withLedger } from '../facts/approval-ledger.ts';
import type { AppComments, AskedApproval, MarkerTrust } from '../facts/own-comments.ts';
import type { ShaDeployment } from '../facts/deployments.ts';
import { createdByApp, deploymentsAt } from '../facts/deployments.ts';
import { commentDedupeKey } from '../../src/github/deployments.ts';
import { unknownEnvironmentMessage } from '../../src/config/suggest.ts';
import { decide } from './decide.ts';
import type { Base } from './decide.ts';
import { serializePendingMarker } from './pending.ts';
import { serializeHeadNotice } from './head-notice.ts';
import { headRefName, headWhenWritten, readHeadHistory } from './head-history.ts';
import { historyAgainstAnchor, newestAnchor } from './head-anchor.ts';

import type { PendingRequest } from './pending.ts';
import {
  deploymentNumber,
  lockedMessage,
  lockHolder,
  lockOwner,
  policyRefusal,
  policySummary,
  refusal,
  stagingSummary,
  who,
} from './replies.ts';
import { startDeployment } from './start.ts';
import {
  deploymentLockOwner,
  deploymentsUnderLock,
  lockAfterUnlock,
  notEnded,
  runningUnderLock,
  settleHandOver,
} from './lock.ts';
import type { StartOutcome } from './start.ts';
import { recordStatus, rollbackTarget } from './state-replies.ts';
import { historyRefusal, historySection } from './history.ts';
import type { GraphqlFn } from '../../src/metrics/github-read.ts';
import type { RecordReader } from '../state.ts';
import type { ControlCommand } from '../commands/command.ts';
import { controlRollout } from './control.ts';
import type { ControlIO } from './control.ts';
import { cancelDeploy, scheduleDeploy } from '../schedule/commands.ts';
import { runDueQuietly } from '../schedule/run-due.ts';
import type { DueDeps } from '../schedule/run-due.ts';
import { swapFor } from '../schedule/swap-ref.ts';
import { listRequests } from '../schedule/store.ts';
import { scheduleStatus } from '../schedule/status.ts';

export interface DispatchDeps {
  api: Api;
  /** The app's own bot login (`<slug>[bot]`): the only author whose markers are trusted. */
  botLogin: string;
  /** The app's id: the only app whose approvals ledger check runs are read (facts/approval-ledger.ts). */
  appId: number;
  /** The clock, injected: the policy never reads it. */
  now: () => Date;
  /** The keys the app's markers are written and checked with, and where tampering is logged. */
  markers: MarkerTrust;
  /** The environments' state records (app/state.ts): what /status shows and /rollback goes back to. */
  records: RecordReader;
  /** Where /promote, /pause, /resume and /abort requests are read and written (app/deploy/control.ts). */
  control: ControlIO;
  /** GitHub's GraphQL API: /status --history reads the deployments with their statuses through it. */
  graphql?: GraphqlFn;
  /**
   * What the delivery has read about people (permissions, teams, contributors), shared with whatever else
   * answers the same delivery (the protection rules an approval answers); a fresh one per command otherwise.
   */
  people?: PeopleCache;
  /**
   * The delivery's read of the config (configOnce), shared with the protection rules an approval answers; a
   * read of its own per command otherwise.
   */
  config?: ConfigRead;
  /** The app log's info: what a due check run from a command has to say without alarm (run-due.ts). */
  info?: (fields: Record<string, unknown>, message: string) => void;
}

/** What a due check run from a command needs beyond DispatchDeps: the conditional ref update of its asks. */
function dueDeps(
  deps: DispatchDeps,
  where: { owner: string; repo: string },
  repositoryNodeId: string | undefined,
): DueDeps {
  const swap = swapFor(deps.graphql, deps.api, where, repositoryNodeId);
  return { ...deps, ...(swap ? { swap } : {}) };
}

/** Reasons a history of heads was refused because it is not the newest the App wrote (head-anchor.ts). */
const TAMPERED: ReadonlySet<string> = new Set(['history_missing', 'history_stale']);

/** A commit, short, as code: SHAs come from GitHub, but everything echoed goes through userText. */
const short = (sha: string): string => userText(sha.slice(0, 12), { as: 'code' });
const env = (name: string): string => userText(name, { as: 'code' });
const at = (login: string): string => userText(login, { as: 'mention' });

/** The policy of one environment, or undefined when the config does not define it (mayDeploy says so). */
function policyOf(config: RawConfig, environment: string): Policy | undefined {
  if (!Object.hasOwn(config.environments, environment)) return undefined;
  return resolvePolicy(config, environment);
}

async function base(deps: DispatchDeps, event: CommentEvent): Promise<Base> {
  const where = { owner: event.owner, repo: event.repo };
  const [pr, config, comments] = await Promise.all([
    readPull(deps.api, where, event.number),
    (deps.config ?? loadConfig)(deps.api, where),
    readAppComments(deps.api, where, event.number, deps.botLogin, deps.markers),
  ]);
  // The command's own comment was read with the rest: whether an earlier delivery's 😕 may be on it.
  event.sawConfused?.(comments.confused.get(event.commentId));
  return {
    where,
    pr,
    config,
    comments,
    people: deps.people ?? peopleCache(),
    ...(event.laterNote ? { laterNote: event.laterNote } : {}),
  };
}

/**
 * A closed (or merged) pull request's head is not deployed: /deploy on it, and an approval that could start
 * it, are refused, as a due schedule of a closed pull request is (app/schedule/decide.ts). Reopen it first.
 */
const closedRefusal = (pr: Base['pr'], what: string): Reply =>
  refusal(
    'pull_request_closed',
    `pull request #${pr.number} is closed, so ${what}; reopen it to deploy its head commit.`,
  );

/** The commenter as the policy sees them, with GitHub's account type (a Bot never approves). */
const withType = (actor: Actor, event: CommentEvent): Actor => withAccountType(actor, event.author.type);

function startedReply(outcome: StartOutcome, request: PendingRequest, prefix = ''): Reply {
  const lead = prefix ? `${prefix}\n\n` : '';
  switch (outcome.status) {
    case 'created':
      // The status comment this deployment just wrote is the answer: one comment, one request fewer.
      if (outcome.statusCommentCreated && !prefix) return { reaction: 'eyes' };
      // No second reaction: the reply itself says it started (one request fewer per deployment).
      return {
        reaction: 'eyes',
        body: `${lead}Deployment **${deploymentNumber(outcome.deploymentId)}** created: ${env(request.environment)} ← ${short(request.sha)} (${userText(request.type)}${request.strategy ? `, ${userText(request.strategy)}` : ''}). Progress is in the status comment.`,
      };
    case 'already_deployed':
      return {
        reaction: 'eyes',
        body: `${lead}This request already created deployment ${deploymentNumber(outcome.deploymentId)}; nothing more to do.`,
      };
    case 'in_progress':
      return { reaction: 'eyes', body: `${lead}This request is already being handled (\`in_progress\`).` };
    case 'locked': {
      const refused = refusal('locked', lockedMessage(outcome.lock, request.environment));
      return { ...refused, body: `${lead}${refused.body}` };
    }
    case 'sha_moved':
      return {
        reaction: 'confused',
        body: `${lead}**Not deployed** (\`sha_moved\`): the pull request moved from ${short(outcome.expected)} to ${short(outcome.actual)} while deciding; ask again for the new commit.`,
      };
  }
}

function dryRunReply(decision: PolicyDecision, request: PendingRequest): Reply {
  const what = `${env(request.environment)} ← ${short(request.sha)} (${userText(request.type)}${request.strategy ? `, ${userText(request.strategy)}` : ''})`;
  if (decision.ok)
    return {
      reaction: 'eyes',
      body: `**Dry run**: the policy allows deploying ${what}; nothing was created.`,
    };
  const refused = policyRefusal(decision, decision.also);
  return { reaction: 'eyes', body: `**Dry run** of ${what}; nothing was created.\n\n${refused.body}` };
}

/** " (per group: 1 from `Security` (`acme/security`))" for the approval groups still short, else "". */
function groupsShort(decision: Extract<PolicyRefusal, { code: 'needs_approvals' }>): string {
  const code = (value: string) => userText(value, { as: 'code', max: 100 });
  const groups = (decision.groupsMissing ?? []).map(
    (g) => `${g.missing} from ${code(g.name)} (${g.approvers.map(code).join(', ')})`,
  );
  return groups.length ? ` (per group: ${groups.join(', ')})` : '';
}

function waitingReply(
  deps: DispatchDeps,
  b: Base,
  decision: Extract<PolicyDecision, { code: 'needs_approvals' }>,
  request: PendingRequest,
): Reply {
  // Each environment the deployment changes that still needs approvals (the staging environment's rule is
  // judged on the same approvals): "1 approval(s) from @a and 1 approval(s) from @sre for the staging ...".
  const [first, ...rest] = approvalsNeeded(decision).map(({ refusal, count }) => {
    // Named without a mention: the reply should not call on the very people whose approval does not count.
    const selves = refusal.selfExcluded ?? (refusal.excluded ? [refusal.excluded] : []);
    const excluded = selves.length
      ? ` (not ${selves.map((login) => userText(login, { as: 'code', max: 100 })).join(', ')}: their own approval does not count)`
      : '';
    // A listed approver who is one of them is not called on either.
    const callable = refusal.approvers.filter((p) => !selves.some((login) => sameLogin(login, p)));
    const from =
      callable.length || !refusal.approvers.length
        ? who(callable)
        : refusal.approvers.map((p) => userText(p, { as: 'code', max: 100 })).join(', ');
    // The staging clause ends with a comma before "to deploy ...": it reads as an aside.
    const staging = stagingNeed(refusal);
    return { count, rest: ` from ${from}${excluded}${staging}${staging ? ',' : ''}` };
  });
  const others = rest.map(({ count, rest: tail }) => ` and ${count}${tail}`).join('');
  const text = `**Waiting for ${first!.count}**${first!.rest}${others} to deploy ${short(request.sha)} to ${env(request.environment)}. Reply ${userText(`/approve-deploy ${request.environment}`, { as: 'command' })}; a push resets approvals.`;
  const marker = serializePendingMarker(request, deps.markers.keys, markerScope(b.where, b.pr.number));
  return { reaction: 'eyes', body: appendMarkers(text, [marker]) };
}

type ApprovalsRefusal = Extract<PolicyRefusal, { code: 'needs_approvals' }>;

/** The needs_approvals of every environment the deployment changes, each with "N approval(s) (per group ...)". */
function approvalsNeeded(
  decision: Extract<PolicyDecision, { code: 'needs_approvals' }>,
): Array<{ refusal: ApprovalsRefusal; count: string }> {
  const all = [decision, ...decision.also].filter((r): r is ApprovalsRefusal => r.code === 'needs_approvals');
  return all.map((refusal) => ({ refusal, count: `${refusal.missing} approval(s)${groupsShort(refusal)}` }));
}

/** " for the staging environment `Y`, which this deployment changes first" where the rule is Y's, else "". */
const stagingNeed = (refusal: PolicyRefusal): string =>
  refusal.staging === undefined
    ? ''
    : ` for the staging environment ${env(refusal.staging)}, which this deployment changes first`;

/** What an approval leaves to wait for: "1 approval(s) (per group ...) and 1 approval(s) for the staging ...". */
function stillNeeded(decision: Extract<PolicyDecision, { code: 'needs_approvals' }>): string {
  return approvalsNeeded(decision)
    .map(({ refusal, count }) => `${count}${stagingNeed(refusal)}`)
    .join(' and ');
}

async function proceed(
  deps: DispatchDeps,
  b: Base,
  policy: Policy,
  request: PendingRequest,
  actor: Actor,
  opts: {
    dryRun?: boolean;
    approvals?: AppComments['approvals'];
    prefix?: string;
    /** Read the SHA's deployments so a request that already deployed is not deployed again. */
    readDeployments?: boolean;
    /** What an approval does when the request still waits (it writes its record, then settles). */
    onWaiting?: (needed: string) => Promise<Reply>;
  } = {},
): Promise<Reply> {
  const { decision, deployments, startedAs } = await decide(deps, b, policy, request, actor, opts);
  if (opts.dryRun) return dryRunReply(decision, request);
  const lead = opts.prefix ? `${opts.prefix}\n\n` : '';
  // A waiting request the App started before, by its ledger: whatever its deployment became since.
  if (startedAs !== undefined)
    return startedReply({ status: 'already_deployed', deploymentId: startedAs }, request, opts.prefix);
  if (!decision.ok) {
    if (decision.code === 'needs_approvals') {
      if (opts.onWaiting) return opts.onWaiting(stillNeeded(decision));
      // The request is written before the approvals are read again (settle): see there why.
      const waiting = waitingReply(deps, b, decision, request);
      return (await settle(deps, b, waiting.body!, request.environment)) ?? { reaction: 'eyes' };
    }
    const refused = policyRefusal(decision, decision.also);
    return { ...refused, body: `${lead}${refused.body}` };
  }
  const outcome = await start(deps, b, policy, request, decision, deployments);
  if (opts.readDeployments) await markStarted(deps, b, request, outcome);
  return startedReply(outcome, request, opts.prefix);
}

/**
 * Marks a waiting request started in the ledger (recordStarted), once its deployment is created: its marker
 * stays on the pull request, and only this mark keeps a later approval from starting it again. A mark that
 * cannot be written is logged: the request's deployment (its dedupe key) still stands for it, as before.
 */
async function markStarted(
  deps: DispatchDeps,
  b: Base,
  request: PendingRequest,
  outcome: StartOutcome,
): Promise<void> {
  if (outcome.status !== 'created') return;
  try {
    await recordStarted(deps.api, b.where, {
      sha: request.sha,
      pr: b.pr.number,
      commentId: request.sourceCommentId,
      deploymentId: outcome.deploymentId,
      environment: request.environment,
      at: deps.now(),
    });
  } catch (error) {
    deps.markers.warn(
      { pr: b.pr.number, deployment: outcome.deploymentId, error: githubAnswered(error) },
      'the started request could not be marked in the approvals ledger: a later approval may find it waiting',
    );
  }
}

function start(
  deps: DispatchDeps,
  b: Base,
  policy: Policy,
  request: PendingRequest,
  decision: Extract<PolicyDecision, { ok: true }>,
  deployments: ShaDeployment[] | undefined,
): Promise<StartOutcome> {
  const statusCommentId = b.comments.statusCommentIds.get(request.environment.toLowerCase());
  return startDeployment(
    deps.api,
    b.where,
    {
      ...request,
      pr: b.pr.number,
      approvedBy: decision.tally.approvedBy,
      production: policy.production,
      ...stagingOf(b.config, request),
    },
    {
      ...(deployments ? { deployments } : {}),
      ...(statusCommentId !== undefined ? { statusCommentId } : {}),
      now: deps.now,
      botLogin: deps.botLogin,
      keys: deps.markers.keys,
      appId: deps.appId,
    },
  );
}

/**
 * Write, then read again. On several replicas a /deploy that waits for approvals and the approvals that
 * complete it can be handled at the same moment, each seeing only the comments written before it read: each
 * would answer "still waiting" and nothing would deploy. So a reply that leaves a request waiting (the
 * request's marker, or an approval's) is posted first, then the app's comments are read again and the
 * newest pending request of `environment` is decided with every approval now on the PR. Of any two such
 * writers the later one sees both. When both see the count complete, the environment lock and the request's
 * dedupe key let one deployment through; the other stays silent. Undefined: nothing more to say.
 */
async function settle(
  deps: DispatchDeps,
  b: Base,
  body: string,
  environment: string,
): Promise<Reply | undefined> {
  // This is the command's first answer: the note on commands below its first line goes here, before the markers.
  const note = b.laterNote?.() ?? '';
  const answer = note ? addBeforeMarkers(body, note) : body;
  await deps.api.issues.createComment({ ...b.where, issue_number: b.pr.number, body: fitComment(answer) });
  const comments = await readAppComments(deps.api, b.where, b.pr.number, deps.botLogin, deps.markers);
  const fresh: Base = { ...b, comments };
  const pending = pendingFor(fresh, environment);
  const policy = pending && policyOf(b.config, pending.environment);
  if (!pending || !policy) return undefined;
  const requester = await requesterOf(deps, b, pending, policy);
  const { decision, deployments, startedAs } = await decide(deps, fresh, policy, pending, requester, {
    readDeployments: true,
  });
  // Still short, or refused: the request's own reply already said so. Started before: said then.
  if (!decision.ok || startedAs !== undefined) return undefined;
  const outcome = await start(deps, fresh, policy, pending, decision, deployments);
  await markStarted(deps, fresh, pending, outcome);
  // Another replica got there first: its reply says so.
  if (outcome.status === 'already_deployed' || outcome.status === 'in_progress') return undefined;
  return startedReply(outcome, pending);
}

async function deploy(
  deps: DispatchDeps,
  command: Extract<Command, { kind: 'deploy' }>,
  event: CommentEvent,
): Promise<Reply> {
  const b = await base(deps, event);
  if (!b.pr.open) return closedRefusal(b.pr, 'nothing of it is deployed');
  const type: DeploymentType = command.hotfix ? 'hotfix' : 'standard';
  const policy = policyOf(b.config, command.environment);
  const request: PendingRequest = {
    environment: command.environment,
    sha: b.pr.headSha,
    type,
    ...(command.strategy ? { strategy: command.strategy } : {}),
    params: command.params,
    ...(command.hotfix ? { hotfixReason: command.hotfix.reason } : {}),
    requestedBy: event.author.login,
    sourceCommentId: event.commentId,
    at: deps.now(),
  };
  // Through the delivery's cache: a request that waits is decided again for its requester (settle), who is
  // usually this commenter, and their permission read a moment ago is the one this delivery judges them on.
  const actor = withType(
    await cachedActorOf(
      deps.api,
      b.where,
      event.author.login,
      policy ? changedTeams(b.config, command.environment, type, ['deployers']) : [],
      b.people,
    ),
    event,
  );
  if (!policy) {
    const d = evaluatePolicy({
      config: b.config,
      environment: command.environment,
      actor,
      sha: b.pr.headSha,
      approvals: [],
      successfulDeployments: [],
      checks: [],
      now: deps.now(),
      type,
    });
    return d.ok ? refusal('unknown_environment', env(command.environment)) : policyRefusal(d, d.also);
  }
  // A /deploy written before a push asked for the commit its author saw, not the one pushed after it.
  if (!command.dryRun) {
    const moved = await headMovedSince(deps, b, { deploy: command.environment }, event);
    if (moved) return moved;
  }
  // `at <time>` and `--queue`: recorded for later (app/schedule/), or `--queue` on a free environment: now.
  if (command.when)
    return scheduleDeploy(
      deps,
      {
        where: b.where,
        pr: b.pr,
        config: b.config,
        policy,
        request,
        actor,
        when: command.when,
        ...(event.repositoryNodeId ? { repositoryNodeId: event.repositoryNodeId } : {}),
        ...(event.createdAt ? { writtenAt: event.createdAt } : {}),
      },
      () => proceed(deps, b, policy, request, actor),
    );
  return proceed(deps, b, policy, request, actor, { dryRun: command.dryRun });
}

/**
 * The newest pending request of `environment` (any, when undefined) still at the head SHA (a /rollback at its
 * own). With `writtenBefore`, only requests whose `/deploy` or `/rollback` comment was written before that
 * comment id (GitHub's ids grow): what the author of that comment could have seen.
 */
function pendingFor(
  b: Base,
  environment: string | undefined,
  writtenBefore?: number,
): PendingRequest | undefined {
  return b.comments.pending
    .filter(
      (p) =>
        (environment === undefined || p.environment === environment) &&
        (p.type === 'rollback' || p.sha === b.pr.headSha) &&
        (writtenBefore === undefined || p.sourceCommentId < writtenBefore),
    )
    .sort((x, y) => y.at.getTime() - x.at.getTime())[0];
}

/**
 * The request an approval or veto answers. Only a request written before the command counts: a delivery may be
 * handled after a later `/deploy` (a redelivery, a delivery that waited, another replica), and an approval must
 * never go to a request, an environment or a deployment type its author had not seen. Unnamed, it answers the
 * one environment waiting; with requests of several environments still waiting (not yet started) it is
 * ambiguous, and the author is asked to name one rather than have the newest chosen for them. One read of
 * deployments per commit, only then.
 */
async function answeredRequest(
  deps: DispatchDeps,
  b: Base,
  environment: string | undefined,
  commentId: number,
): Promise<{ ok: true; pending?: PendingRequest } | { ok: false; environments: string[] }> {
  if (environment !== undefined) return { ok: true, pending: pendingFor(b, environment, commentId) };
  const newest = pendingFor(b, undefined, commentId);
  const names = [...new Set(b.comments.pending.map((p) => p.environment))];
  const perEnvironment = names
    .map((name) => pendingFor(b, name, commentId))
    .filter((p): p is PendingRequest => p !== undefined);
  if (perEnvironment.length <= 1) return newest ? { ok: true, pending: newest } : { ok: true };
  const waiting = await stillWaiting(deps, b, perEnvironment);
  if (waiting.length > 1) return { ok: false, environments: waiting.map((p) => p.environment) };
  // One still waits: that is the one. None: each has started, and the newest answers as before.
  return { ok: true, pending: waiting[0] ?? newest };
}

/**
 * The commits the App had shown as the head before comment `commentId` was written, oldest first: its
 * requests and waiting protection rules (of `environment`, or any when undefined) and its notices of a push
 * or of a moved head (every environment), in GitHub's order (comment ids grow). /rollback requests do not count:
 * they ask for an earlier commit, never the head.
 *
 * The head is read when the App handles a comment, which may be after a push (one right before, a delivery
 * that waited, a redelivery). When the App had shown other commits before a /deploy or an approval was written
 * and never the head, the head came after it: the command was written for a commit that is no longer the
 * head, and is refused rather than acting on one nobody showed its author (headMovedSince). With nothing
 * shown before (the first command on the pull request), it is for the head the pull request shows.
 */
function askedBefore(b: Base, environment: string | undefined, commentId: number): AskedApproval[] {
  const wanted = environment?.toLowerCase();
  return b.comments.asked
    .filter(
      (a) =>
        !a.rollback &&
        a.commentId < commentId &&
        (wanted === undefined || a.environment === undefined || a.environment.toLowerCase() === wanted),
    )
    .sort((x, y) => x.commentId - y.commentId);
}

/**
 * The refusal of a /deploy or an approval written by comment `commentId` before the head it would act on;
 * undefined when its author saw the head. Two sources, GitHub's order in both:
 *
 * - The App has shown heads before the comment (askedBefore, over every environment): the newest one it
 *   showed must be the head. Not any one: after a force-push back to a commit shown earlier, a comment written
 *   while another commit was shown was not written for it.
 * - It has shown none (the first command on the pull request): the heads the App recorded without a comment
 *   (head-history.ts, at every opened, reopened and push) say which was the head when the comment was written
 *   (its created_at). A pull request with no history at all (opened before the App recorded heads) is taken
 *   as before: the command is for the head it shows.
 *
 * The refusal shows the head in a signed marker: written after it, the same command acts on that head.
 */
async function headMovedSince(
  deps: DispatchDeps,
  b: Base,
  what: { approval: string } | { deploy: string },
  event: Pick<CommentEvent, 'commentId' | 'createdAt'>,
): Promise<Reply | undefined> {
  const head = b.pr.headSha;
  const seen = askedBefore(b, undefined, event.commentId);
  let was: string;
  if (seen.length) {
    const shown = seen.at(-1)!.sha;
    if (shown === head) return undefined;
    was = `was written when the pull request's head, as the App last showed it, was ${short(shown)}; it is now ${short(head)}, pushed after that.`;
  } else {
    const bound = await headAtComment(deps, b, event.createdAt);
    if (bound.status === 'legacy' || (bound.status === 'bound' && bound.sha === head)) return undefined;
    was =
      bound.status === 'bound'
        ? `was written when the pull request's head was ${short(bound.sha)}; it is now ${short(head)}, pushed after that.`
        : TAMPERED.has(bound.reason)
          ? `cannot be matched to the head it was written at: the App's history of this pull request's heads (\`refs/${headRefName(b.pr.number)}\`) is not the newest the App recorded (\`${bound.reason}\`): its own check run on ${short(head)} says it recorded that head, and the history does not have it. Either someone who can push changed the history, or the App's last write of it failed; pushing again records it. The head is now ${short(head)}.`
          : `was written at a time the App cannot tell the pull request's head for (\`${bound.reason}\`); it is now ${short(head)}.`;
  }
  const text =
    'approval' in what
      ? `this approval of ${env(what.approval)} ${was} An approval counts only for the commit it was given for, so nothing was recorded; approve again if ${short(head)} should deploy.`
      : `this ${userText(`/deploy ${what.deploy}`, { as: 'command' })} ${was} A request deploys the commit it was written for, so nothing was asked or deployed; ask again if ${short(head)} should deploy.`;
  const marker = serializeHeadNotice(head, deps.markers.keys, markerScope(b.where, b.pr.number));
  const refused = refusal('head_moved', text);
  return { ...refused, body: appendMarkers(refused.body!, [marker]) };
}

/**
 * Whether the App anchored a parent of the head as a head of this pull request (head-anchor.ts; at most two
 * parents are read, a merge's). More anchors than are read count as anchored: never taken for none.
 */
async function parentAnchored(deps: DispatchDeps, b: Base): Promise<boolean> {
  const { data } = await deps.api.repos.getCommit({ ...b.where, ref: b.pr.headSha });
  const parents = data.parents.slice(0, 2).map((p) => p.sha);
  const anchors = await Promise.all(
    parents.map((sha) => newestAnchor(deps.api, b.where, b.pr.number, sha, deps.appId)),
  );
  return anchors.some((a) => a.status !== 'none');
}

/**
 * The head a comment was written at, from the App's history of heads, checked against the App's anchor of the
 * current head (head-anchor.ts). `legacy`: the pull request has no history and its head no anchor (it was
 * opened before the App kept them). `unknown`: a history the App did not write, one deleted or set back to an
 * older one (the head's anchor says it was recorded), a comment with no time, one older than the history, or
 * a push in the same second.
 */
async function headAtComment(
  deps: DispatchDeps,
  b: Base,
  createdAt: string | undefined,
): Promise<
  | { status: 'legacy' }
  | { status: 'bound'; sha: string }
  | {
      status: 'unknown';
      reason:
        | 'history_refused'
        | 'history_missing'
        | 'history_stale'
        | 'anchor_unreadable'
        | 'no_comment_time'
        | 'before_history'
        | 'same_second';
    }
> {
  const [history, anchor] = await Promise.all([
    readHeadHistory(deps.api, b.where, deps.markers.keys, b.pr.number),
    newestAnchor(deps.api, b.where, b.pr.number, b.pr.headSha, deps.appId),
  ]);
  const warn = (reason: string, message: string): void =>
    deps.markers.warn({ repository: `${b.where.owner}/${b.where.repo}`, pr: b.pr.number, reason }, message);
  if (history.status === 'refused') {
    warn(history.reason, "ignored a history of heads that is not the app's own (tampering?)");
    return { status: 'unknown', reason: 'history_refused' };
  }
  const checked = historyAgainstAnchor(history, b.pr.headSha, anchor);
  if (checked.status === 'legacy') {
    // No history, and no anchor on the head: a pull request from before the App kept heads, or one whose
    // history was deleted and whose last push the App has not handled yet. After an ordinary push the
    // previous head is a parent of this one, and the App's anchor on it says a history was kept.
    if (!(await parentAnchored(deps, b))) return { status: 'legacy' };
    warn(
      'history_missing',
      "the history of heads is gone and the head's parent has the app's anchor (changed by someone who can push, or the app's last write of it failed): the command is refused",
    );
    return { status: 'unknown', reason: 'history_missing' };
  }
  if (checked.status === 'tampered') {
    warn(
      checked.reason,
      "the history of heads is not the newest the app recorded (changed by someone who can push, or the app's last write of it failed): the command is refused",
    );
    return { status: 'unknown', reason: checked.reason };
  }
  if (history.status !== 'read') return { status: 'legacy' };
  const writtenAt = createdAt ? new Date(createdAt) : undefined;
  if (!writtenAt || Number.isNaN(writtenAt.getTime()))
    return { status: 'unknown', reason: 'no_comment_time' };
  return headWhenWritten(history.heads, writtenAt);
}

/**
 * When an approval or veto was given: when its comment was written (GitHub's created_at), never after now (the
 * App's clock, also when GitHub gives no time). Records replace each other in that order (tallyOrder), so an
 * approval handled after a veto its author wrote later (two replicas at once, a slow or repeated delivery)
 * never lifts it, and an approval's age counts from when it was written. GitHub gives the time to the second:
 * within it, an approval is dated at its start and a veto at its end (or now, if earlier), so an approval and a
 * veto written in the same second leave the veto standing. A veto is also dated after every Approve press of
 * its author that the App recorded before it (`recorded`): GitHub says no time of a click, so a press handled
 * before the veto, made before it or not, never outlasts it.
 */
function givenAt(
  event: Pick<CommentEvent, 'createdAt'>,
  kind: ApprovalRecord['kind'],
  now: Date,
  recorded: readonly ApprovalRecord[],
  own: { login: string; environment: string; sha: string },
): Date {
  const written = event.createdAt ? Date.parse(event.createdAt) : NaN;
  const second = Math.floor(written / 1000) * 1000;
  const at = Number.isNaN(written)
    ? now.getTime()
    : Math.min(kind === 'approve' ? second : second + 999, now.getTime());
  if (kind === 'approve') return new Date(at);
  const presses = recorded
    .filter(
      (r) =>
        r.source === 'check_run' &&
        r.environment === own.environment &&
        r.sha.toLowerCase() === own.sha.toLowerCase() &&
        sameLogin(r.by.login, own.login),
    )
    .map((r) => r.at.getTime() + 1);
  return new Date(Math.max(at, ...presses));
}

/** Whether `login`'s newest approval or veto of this environment at `sha`, before `at`, is a veto. */
function ownVetoStands(
  records: readonly ApprovalRecord[],
  login: string,
  environment: string,
  sha: string,
  at: Date,
): boolean {
  const own = records
    .filter(
      (r) =>
        r.environment === environment &&
        r.sha.toLowerCase() === sha.toLowerCase() &&
        sameLogin(r.by.login, login),
    )
    // Newest last, as the tally orders them.
    .sort(tallyOrder);
  // A veto given at the same instant or after stands (the tally puts it last): this approval cannot lift it.
  const newest = own.at(-1);
  return newest?.kind === 'reject' && newest.at < at;
}

async function approve(
  deps: DispatchDeps,
  command: Extract<Command, { kind: 'approve-deploy' | 'reject-deploy' }>,
  event: CommentEvent,
): Promise<Reply> {
  const b = await base(deps, event);
  const kind: ApprovalRecord['kind'] = command.kind === 'approve-deploy' ? 'approve' : 'reject';
  const answered = await answeredRequest(deps, b, command.environment, event.commentId);
  if (!answered.ok)
    return refusal(
      'environment_ambiguous',
      `deployments to ${answered.environments.map(env).join(', ')} are waiting for approval; name the one you mean: ${answered.environments.map((name) => userText(`/${command.kind} ${name}`, { as: 'command' })).join(' or ')}.`,
    );
  const pending = answered.pending;
  const environment = command.environment ?? pending?.environment;
  // Unnamed, and nothing waits at the head: the approver answered what the App asked before a push.
  if (!environment && kind === 'approve') {
    const last = askedBefore(b, undefined, event.commentId)
      .map((a) => a.environment)
      .filter((name) => name !== undefined)
      .at(-1);
    const moved = last === undefined ? undefined : await headMovedSince(deps, b, { approval: last }, event);
    if (moved) return moved;
  }
  if (!environment)
    return refusal(
      'no_pending_request',
      `no deployment of ${short(b.pr.headSha)} is waiting for approval; name the environment: \`/${command.kind} <environment>\`.`,
    );
  const type = pending?.type ?? 'standard';
  const policy = policyOf(b.config, environment);
  const rule = policy ? approvalRule(policy, type) : undefined;
  const sha = pending?.sha ?? b.pr.headSha;
  // An approval counts for the head only if the approver could have seen it (askedBefore). A veto only ever
  // stops a deployment: it stays recorded at the head whatever its author saw.
  if (kind === 'approve' && pending?.type !== 'rollback') {
    const moved = await headMovedSince(deps, b, { approval: environment }, event);
    if (moved) return moved;
  }
  // A workflow's protection rule waiting at this commit is answered once this record is on the PR.
  const gateWaiting = b.comments.gates.some(
    (g) => g.environment.toLowerCase() === environment.toLowerCase() && g.sha === sha.toLowerCase(),
  );
  // A closed (or merged) pull request's head is not deployed from it: an approval there only answers a
  // workflow's protection rule that waits at its commit (the job is the workflow's), and starts no waiting
  // /deploy. A veto only ever stops a deployment, and a waiting /rollback does not deploy the head: both stay.
  const closed = !b.pr.open && pending?.type !== 'rollback';
  if (closed && kind === 'approve' && !gateWaiting)
    return closedRefusal(b.pr, 'no approval is recorded on it');
  const [read, contributors] = await Promise.all([
    cachedActorOf(
      deps.api,
      b.where,
      event.author.login,
      rule ? changedTeams(b.config, environment, type, ['approvers']) : [],
      b.people,
    ),
    // A self-approval counts only with allow_self_approval; whoever pushed may always veto (approver or not).
    // Under the rule of every environment the deployment changes: its staging environment's may refuse it.
    policy &&
    (kind === 'reject' || changedPolicies(b.config, environment, type).some((p) => !p.allowSelfApproval))
      ? // A veto only ever stops a deployment: where who pushed cannot be read it is still taken, judged on
        // the commits' authors (an approver's counts; a pusher who approves nothing needs to be seen).
        cachedContributors(deps.api, b.where, b.pr, b.people, { skipUnreadablePushers: kind === 'reject' })
      : [],
  ]);
  const actor = withType(read, event);
  const allowed = mayApprove({
    config: b.config,
    environment,
    actor,
    type,
    author: b.pr.author,
    // Who asked for the waiting deployment, and whoever wrote the pull request's commits: their approval
    // would be a self-approval, as the author's.
    ...(pending ? { requester: pending.requestedBy } : {}),
    contributors,
    kind,
  });
  // Whoever may not approve or veto is refused before anything more is read.
  if (!allowed.ok && (allowed.code !== 'self_approval_refused' || kind !== 'approve'))
    return refusal(allowed.code, explainApprover(allowed).replace(/^[a-z_]+: /, ''));
  // What is recorded at this commit: the App's comments and its ledger (a veto whose comment was deleted
  // still stands, and its author may still lift it).
  const ledger = await readLedger(deps.api, b.where, sha, b.pr.number, deps.appId, deps.markers);
  const recorded = withLedger(b.comments.approvals, ledger.records);
  const given = givenAt(event, kind, deps.now(), recorded, { login: actor.login, environment, sha });
  // A self-approver who vetoed may lift their own veto: the approval is recorded (it supersedes the veto)
  // but does not count as one (the tally drops it as self_approval).
  const liftsOwnVeto =
    !allowed.ok &&
    allowed.code === 'self_approval_refused' &&
    kind === 'approve' &&
    ownVetoStands(recorded, actor.login, environment, sha, given);
  // The reply already leads with the code: the sentence without its own `code: ` prefix.
  if (!allowed.ok && !liftsOwnVeto)
    return refusal(allowed.code, explainApprover(allowed).replace(/^[a-z_]+: /, ''));

  const reason = command.kind === 'reject-deploy' ? command.reason : undefined;
  const record: ApprovalRecord = {
    kind,
    by: actor,
    environment,
    sha,
    at: given,
    source: 'comment' as const,
    ...(reason !== undefined ? { reason } : {}),
  };
  // First in the ledger, which nobody can delete, then in the reply: a record that could not be written there
  // is not recorded at all, and the reply says so (FactsError).
  await recordInLedger(deps.api, b.where, {
    record,
    pr: b.pr.number,
    appId: deps.appId,
    keys: deps.markers.keys,
    before: ledger,
  });
  const marker = serializeApprovalMarker(record, deps.markers.keys, markerScope(b.where, b.pr.number));
  const said = liftsOwnVeto
    ? `Veto by ${at(actor.login)} lifted for ${env(environment)} at ${short(record.sha)}. Their approval does not count (\`self_approval_refused\`): ${explainApprover(allowed).replace(/^[a-z_]+: /, '')}.`
    : kind === 'approve'
      ? [
          `Approval by ${at(actor.login)} recorded for ${env(environment)} at ${short(record.sha)}.`,
          policy && explainApprovalScope(policy, actor.login),
          allowed.ok && allowed.staging !== undefined
            ? `It counts under the rule of the staging environment ${env(allowed.staging)}, which this deployment changes first.`
            : undefined,
        ]
          .filter(Boolean)
          .join(' ')
      : `**Veto** by ${at(actor.login)} recorded for ${env(environment)} at ${short(record.sha)}${reason ? `: ${userText(reason)}` : ''}. No deployment of this commit starts until they approve.`;
  const answerGates = gateWaiting ? { answerGates: { environment, sha: record.sha } } : {};
  if (kind === 'reject' || !policy || closed)
    return {
      reaction: kind === 'approve' ? '+1' : 'eyes',
      body: appendMarkers(said, [marker]),
      ...answerGates,
    };
  // No request yet: it may be being written right now (another replica), so this record is written first and
  // the comments read again (settle): a request that is there by then, and complete, starts.
  if (!pending) {
    const settled = await settle(deps, b, appendMarkers(said, [marker]), environment);
    return { reaction: '+1', ...(settled?.body !== undefined ? { body: settled.body } : {}), ...answerGates };
  }

  // This approval may complete the count: decide again for the requester, with it included. When it does
  // not, the record is written and the request decided again with what is on the PR by then (settle).
  const requester = await requesterOf(deps, b, pending, policy);
  let written = false;
  const reply = await proceed(deps, b, policy, pending, requester, {
    approvals: [...recorded, record],
    prefix: said,
    // The pending request may have deployed already (an earlier approval completed it).
    readDeployments: true,
    onWaiting: async (needed) => {
      written = true;
      const body = appendMarkers(`${said}\n\nStill waiting for ${needed}.`, [marker]);
      return (await settle(deps, b, body, environment)) ?? { reaction: '+1' };
    },
  });
  if (written) return { ...reply, ...answerGates };
  return { ...reply, body: appendMarkers(reply.body ?? said, [marker]), ...answerGates };
}

async function rollback(
  deps: DispatchDeps,
  command: Extract<Command, { kind: 'rollback' }>,
  event: CommentEvent,
): Promise<Reply> {
  const b = await base(deps, event);
  const policy = policyOf(b.config, command.environment);
  if (!policy)
    return refusal(
      'unknown_environment',
      `the config on the default branch defines no environment ${env(command.environment)}.`,
    );
  // Through the delivery's cache: a /rollback that waits is decided again for its requester (settle).
  const actor = await cachedActorOf(
    deps.api,
    b.where,
    event.author.login,
    teamsIn(policy.deployers),
    b.people,
  );
  // Who may deploy is checked before the history is read: a stranger learns nothing about past releases.
  const allowed = mayDeploy({
    config: b.config,
    environment: command.environment,
    actor,
    type: 'rollback',
  });
  if (!allowed.ok) return policyRefusal(allowed, allowed.also);
  // The target is the record's previous release, never a lookup of old deployments (anyone with write
  // access can create a deployment); a record that is not trusted gives no target.
  const read = await deps.records(deps.api, b.where, command.environment);
  if (!read.ok)
    deps.markers.warn(
      { repository: `${b.where.owner}/${b.where.repo}`, environment: command.environment, code: read.code },
      `state record not trusted for /rollback: ${read.message}`,
    );
  const target = rollbackTarget(command.environment, read, command.toSha, event.createdAt);
  if (!target.ok) return refusal(target.code, target.message);
  const request: PendingRequest = {
    environment: command.environment,
    sha: target.sha,
    type: 'rollback',
    params: { version: target.version },
    requestedBy: event.author.login,
    sourceCommentId: event.commentId,
    at: deps.now(),
  };
  return proceed(deps, b, policy, request, actor);
}

async function lock(
  deps: DispatchDeps,
  command: Extract<Command, { kind: 'lock' | 'unlock' }>,
  event: CommentEvent,
): Promise<Reply> {
  const where = { owner: event.owner, repo: event.repo };
  const login = event.author.login;
  const { target } = command;
  const [config, pr] = await Promise.all([
    loadConfig(deps.api, where),
    readPull(deps.api, where, event.number),
  ]);
  // Only the teams the lock rule can name are looked up: the global lockers, and the environment's deployers.
  const deployers =
    target.scope === 'environment' && Object.hasOwn(config.environments, target.environment)
      ? resolvePolicy(config, target.environment).deployers
      : [];
  const actor = await actorOf(deps.api, where, login, teamsIn(globalLockers(config), deployers));
  const name = target.scope === 'global' ? 'every environment' : env(target.environment);
  const action = command.kind === 'lock' ? 'lock' : command.force ? 'force' : 'unlock';
  const allowed = mayLock({ config, target, actor, action });
  if (!allowed.ok) return refusal(allowed.code, explainLockRefusal(allowed));
  if (command.kind === 'lock') {
    const taken = await acquireLock(
      deps.api,
      where,
      deps.markers.keys,
      {
        target,
        holder: login,
        sha: pr.headSha,
        pullRequest: pr.number,
        now: deps.now,
        ...(command.reason !== undefined ? { reason: command.reason } : {}),
      },
      { appId: deps.appId },
    );
    if (taken.status === 'invalid_environment')
      return refusal('invalid_environment_name', userText(taken.message));
    if (taken.status === 'already_held')
      return taken.sameHolder
        ? { reaction: 'eyes', body: `You already hold the lock on ${name}.` }
        : refusal('locked', lockOwner(await describedLock(deps, where, taken.lock)));
    const release = userText(
      target.scope === 'global' ? '/unlock --global' : `/unlock ${target.environment}`,
      { as: 'command' },
    );
    return { reaction: '+1', body: `Locked ${name}; release with ${release}.` };
  }
  // The environments whose deployments change this one first, and hold its lock too: listed each by itself.
  const stagedBy = target.scope === 'environment' ? stagedThrough(config, target.environment) : [];
  // Deleted only if it is still the lock just read (GraphQL updateRefs), when the webhook names the repository.
  const conditional =
    deps.graphql && event.repositoryNodeId
      ? { graphql: deps.graphql, repositoryId: event.repositoryNodeId }
      : undefined;
  const released = await releaseLock(
    deps.api,
    where,
    deps.markers.keys,
    {
      target,
      requester: login,
      force: command.force,
      ...(conditional ? { conditional } : {}),
      // A deployment its holder made under it keeps the environment locked until it ends.
      handOver: (held) =>
        runningUnderLock(deps.api.repos, where, held, { login: deps.botLogin, id: deps.appId }, stagedBy),
    },
    { appId: deps.appId },
  );
  switch (released.status) {
    case 'released': {
      // A deployment's lock (only --force releases it) is named by its deployment, as the refusals name it.
      const held = released.lock.deployment ? await describedLock(deps, where, released.lock) : released.lock;
      const unlocked = `Unlocked ${name} (was held by ${lockHolder(held)}).`;
      // The holder's deployment under it may have been made after the hand-over looked: looked for again.
      const late = command.force
        ? undefined
        : await lockAfterUnlock(
            deps.api,
            where,
            deps.markers.keys,
            released.lock,
            { login: deps.botLogin, id: deps.appId },
            stagedBy,
          );
      const settled =
        late && target.scope === 'environment'
          ? await settleHandOver(deps.api, where, target.environment, late, deps.botLogin, conditional)
          : 'none';
      if (late && settled === 'running')
        return {
          reaction: '+1',
          body: `${unlocked} Deployment **${deploymentNumber(late.deployment)}** made under that lock is still running: it keeps ${name} locked until it ends.`,
        };
      // --force released it under a deployment that still runs: said, since nothing now keeps another out.
      const unlockedRunning = command.force
        ? await stillRunningAfterForce(deps, where, released.lock, held, stagedBy)
        : '';
      // The queue behind the lock (and anything else due) starts now, each with its own reply.
      await runDueQuietly(dueDeps(deps, where, event.repositoryNodeId), where);
      return { reaction: '+1', body: `${unlocked}${unlockedRunning}` };
    }
    case 'handed_over': {
      const holder = userText(released.lock.holder, { as: 'code' });
      // Ended meanwhile (its final status found the person's lock and left it): released now instead.
      const settled =
        target.scope === 'environment'
          ? await settleHandOver(deps.api, where, target.environment, released.to, deps.botLogin, conditional)
          : 'running';
      if (settled !== 'running') {
        await runDueQuietly(dueDeps(deps, where, event.repositoryNodeId), where);
        return { reaction: '+1', body: `Unlocked ${name} (was held by ${holder}).` };
      }
      return {
        reaction: '+1',
        body: `Unlocked ${name} (was held by ${holder}). Deployment **${deploymentNumber(released.to.deployment)}** made under that lock is still running: it keeps ${name} locked until it ends.`,
      };
    }
    case 'deployments_running': {
      // The lock can go to one of them only: the others would run unlocked once that one ended.
      const ids = released.deployments.map((id) => `**${deploymentNumber(id)}**`);
      const again = userText(
        target.scope === 'global' ? '/unlock --global' : `/unlock ${target.environment}`,
        { as: 'code' },
      );
      const forced = userText(
        target.scope === 'global' ? '/unlock --global --force' : `/unlock ${target.environment} --force`,
        { as: 'code' },
      );
      // --force deletes the lock, handed to none of them (releaseLock): the risk is said with the way out.
      return refusal(
        'deployments_running',
        `${name} stays locked by ${userText(released.lock.holder, { as: 'code' })}: deployments ${ids.slice(0, -1).join(', ')} and ${ids.at(-1)!} made under that lock are still running, and a lock can be handed to one deployment only. Run ${again} again once all but one have ended (that one then keeps ${name} locked until it ends). ${forced} (a maintainer, admin or global locker) releases it now anyway, but then none of them holds a lock: another deployment may start beside them, and the queue behind the lock starts.`,
      );
    }
    case 'not_held':
      return { reaction: 'eyes', body: `${name} is not locked.` };
    case 'changed':
      return refusal(
        'lock_changed',
        `${name} was unlocked and locked again while this /unlock ran: ${lockOwner(released.lock)}. That lock stays; run /unlock again if it should go.`,
      );
    case 'not_owner': {
      // Who can release it: its holder by name, or --force. A deployment's lock, one whose holder is not
      // known (UNKNOWN_HOLDER) and one whose record does not verify have no holder who could: only --force works.
      const lock = await describedLock(deps, where, released.lock);
      const forced = userText(
        target.scope === 'global' ? '/unlock --global --force' : `/unlock ${target.environment} --force`,
        { as: 'code' },
      );
      const forcers = `a maintainer, admin or global locker with ${forced}`;
      const whoMay = lock.deployment
        ? lock.endedDeployment !== undefined
          ? `no deployment's final status will release it, so only ${forcers} can unlock it`
          : lock.noDeploymentSeen
            ? `its deployment's final status releases it; if none comes, only ${forcers} can unlock it`
            : `it goes when that deployment ends; before that only ${forcers} can unlock it`
        : released.lock.holder === UNKNOWN_HOLDER
          ? `nobody holds it by name, so only ${forcers} can unlock it`
          : released.lock.releasedBefore
            ? `the App marked that lock released (an /unlock GitHub did not let finish, or its ref pointed back at it by hand), so nobody holds it by name: only ${userText(released.lock.holder, { as: 'code' })} (to finish that release) or ${forcers} can unlock it`
            : released.lock.holderUnverified
              ? `its record is not one the App wrote (or was written before lock records were signed), so nobody holds it by name: only ${forcers} can unlock it`
              : `only they (or ${forcers}) can unlock it`;
      return refusal('not_owner', `${lockOwner(lock)}; ${whoMay}.`);
    }
    case 'invalid_environment':
      return refusal('invalid_environment_name', userText(released.message));
  }
}

/** How many deployments made under a force-released lock are looked at for its warning (the newest). */
const FORCE_WARNING_LOOKS = 10;

/**
 * What a forced release leaves running unlocked, as a sentence for the reply ('' when nothing is known to run):
 * the deployment whose own lock it was, or deployments made under a person's lock. A lookup GitHub refuses is
 * said as such: the release itself is done.
 */
async function stillRunningAfterForce(
  deps: DispatchDeps,
  where: Where,
  released: LockInfo,
  described: LockInfo,
  stagedBy: readonly string[],
): Promise<string> {
  const unlocked = 'now without a lock: another deployment may start beside it.';
  if (described.deployment) {
    if (described.endedDeployment !== undefined || described.noDeploymentSeen) return '';
    const which =
      described.heldByDeployment !== undefined
        ? `Deployment **${deploymentNumber(described.heldByDeployment)}**`
        : 'That deployment';
    // A deployment the App did not make (holderUnverified): its statuses were not read (anyone may post one),
    // so it is not said to run, only that it may.
    if (described.holderUnverified)
      return ` ${which}, of that commit and not made by this App, may still be running (its statuses were not read), ${unlocked}`;
    return ` ${which} is still running, ${unlocked}`;
  }
  try {
    // A warning, not a decision: the newest few made under the lock are looked at, so a lock whose time is
    // long past (a ref pointed back at an old tag) does not cost a status read per deployment since then.
    // Those not looked at are said to be there: any of them may still run. A re-run its holder started under
    // it (an older deployment reopened) runs under it as they do: named too.
    const app = { login: deps.botLogin, id: deps.appId };
    const { made, reopened } = await deploymentsUnderLock(deps.api.repos, where, released, app, stagedBy);
    const looked = made.slice(0, FORCE_WARNING_LOOKS);
    const running = [
      ...(await notEnded(deps.api.repos, where, looked, app.login)),
      ...(reopened ? [reopened] : []),
    ];
    const notLooked = made.length - looked.length;
    const older = `${notLooked} older deployment${notLooked === 1 ? '' : 's'} made under that lock`;
    if (running.length === 0)
      return notLooked === 0
        ? ''
        : ` The newest ${looked.length} deployments made under that lock have ended; the statuses of ${older} were not read, and ${notLooked === 1 ? 'it' : 'any of them'} may still be running, now without a lock: another deployment may start beside ${notLooked === 1 ? 'it' : 'them'}.`;
    const ids = running.map((r) => `**${deploymentNumber(r.deployment)}**`);
    const unread = notLooked
      ? ` (of the newest ${looked.length}; the statuses of ${older} were not read: there may be more)`
      : '';
    return running.length === 1
      ? ` Deployment ${ids[0]!} made under that lock is still running${unread}, ${unlocked}`
      : ` Deployments ${ids.slice(0, -1).join(', ')} and ${ids.at(-1)!} made under that lock are still running${unread}, now without a lock: another deployment may start beside them.`;
  } catch (error) {
    return ` Whether a deployment made under that lock still runs could not be read (${githubAnswered(error)}).`;
  }
}

/**
 * A lock as a reply names it: a deployment's lock with its deployment looked up (one lookup, no waiting), so
 * one left behind by a deployment that ended says so, and that --force releases it, rather than "running".
 */
function describedLock(deps: DispatchDeps, where: Where, lock: LockInfo): Promise<LockInfo> {
  return deploymentLockOwner(deps.api.repos, where, lock, { attempts: 1, botLogin: deps.botLogin });
}

async function status(
  deps: DispatchDeps,
  command: Extract<Command, { kind: 'status' }>,
  event: CommentEvent,
): Promise<Reply> {
  const b = await base(deps, event);
  // An environment the config does not define is refused, as every other command refuses it: shown, it read
  // "no deployment recorded yet", as if it were one that has not deployed.
  const known = Object.keys(b.config.environments);
  if (command.environment !== undefined && !Object.hasOwn(b.config.environments, command.environment))
    return refusal('unknown_environment', userText(unknownEnvironmentMessage(command.environment, known)));
  const envs = command.environment ? [command.environment] : known.slice(0, 20);
  // Before anything is read: the history's cost is for those who may change things (history.ts).
  if (command.history) {
    const denied = historyRefusal(await permissionOf(deps.api, b.where, event.author.login));
    if (denied) return refusal(denied.code, denied.message);
  }
  // Whatever has fallen due starts first (the App has no timer), then what is left is shown: listed once,
  // and again only when something was started or dropped.
  const listed = await listRequests(deps.api, b.where, deps.markers.keys);
  const due = await runDueQuietly(dueDeps(deps, b.where, event.repositoryNodeId), b.where, listed);
  const changed = !Array.isArray(due) || due.length > 0;
  const [locks, sections, schedule] = await Promise.all([
    readLocks(deps.api, b.where, deps.markers.keys, { appId: deps.appId }),
    // What is live, before and rolling out comes from each environment's record, the one source of truth.
    Promise.all(
      envs.map(async (name) => {
        const read = await deps.records(deps.api, b.where, name);
        if (!read.ok)
          deps.markers.warn(
            { repository: `${b.where.owner}/${b.where.repo}`, environment: name, code: read.code },
            `state record not trusted for /status: ${read.message}`,
          );
        return recordStatus(name, read, deps.now());
      }),
    ),
    changed ? listRequests(deps.api, b.where, deps.markers.keys) : listed,
  ]);
  // A deployment's lock names only its commit; its deployment says who asked (one lookup, no waiting).
  const held = await Promise.all(
    [...(locks.global ? [locks.global] : []), ...locks.environments].map((l) =>
      deploymentLockOwner(deps.api.repos, b.where, l, { attempts: 1, botLogin: deps.botLogin }),
    ),
  );
  const lockLines = held.map((l) => `- ${lockOwner(l)}`);
  const pending = await stillWaiting(
    deps,
    b,
    envs.map((name) => pendingFor(b, name)).filter((p): p is PendingRequest => p !== undefined),
  );
  const history = command.history
    ? await historySection(deps.graphql, b.where, envs, command.history.since, deps.now())
    : undefined;
  return {
    reaction: 'eyes',
    body: [
      sections.join('\n\n'),
      '',
      `**Locks**: ${lockLines.length ? `\n${lockLines.join('\n')}` : 'none'}`,
      '',
      `**Pending approvals**: ${pending.length ? `\n${pending.map((p) => pendingLine(p, b.pr)).join('\n')}` : 'none'}`,
      '',
      scheduleStatus(schedule.requests, command.environment ? envs : undefined, {
        pull: { number: b.pr.number, open: b.pr.open, headSha: b.pr.headSha },
        environments: known,
      }),
      ...(history ? ['', history] : []),
    ].join('\n'),
  };
}

/**
 * One waiting request in /status. On a closed (or merged) pull request only a /rollback can still start (an
 * approval of any other request is refused: closedRefusal), so the others are said not to start, not shown as
 * waiting for an approval that cannot come.
 */
function pendingLine(p: PendingRequest, pr: Base['pr']): string {
  const line = `- ${env(p.environment)} ← ${short(p.sha)} asked by ${at(p.requestedBy)}`;
  return pr.open || p.type === 'rollback'
    ? line
    : `${line}: will not start, pull request #${pr.number} is closed (reopen it to deploy its head commit)`;
}

/**
 * The requests that still wait: a request's marker stays on the pull request after the approval that completed
 * it started its deployment (nothing rewrites the App's comments), so one the App has made a deployment for
 * (its comment's dedupe key, start.ts) is no longer pending. One read of deployments per commit.
 */
async function stillWaiting(
  deps: DispatchDeps,
  b: Base,
  requests: PendingRequest[],
): Promise<PendingRequest[]> {
  const shas = [...new Set(requests.map((p) => p.sha.toLowerCase()))];
  const listed = new Map(
    await Promise.all(shas.map(async (sha) => [sha, await deploymentsAt(deps.api, b.where, sha)] as const)),
  );
  const app = { login: deps.botLogin, id: deps.appId };
  return requests.filter(
    (p) =>
      !listed
        .get(p.sha.toLowerCase())!
        .some(
          (d) => d.payload?.dedupe_key === commentDedupeKey(p.sourceCommentId) && createdByApp(d.maker, app),
        ),
  );
}

/** /promote, /pause, /resume, /abort: app/deploy/control.ts decides, writes and starts reconcile. */
async function control(deps: DispatchDeps, command: ControlCommand, event: CommentEvent): Promise<Reply> {
  const where = { owner: event.owner, repo: event.repo };
  const [pr, config, defaultBranch] = await Promise.all([
    readPull(deps.api, where, event.number),
    loadConfig(deps.api, where, event.defaultBranch),
    event.defaultBranch ?? deps.api.repos.get(where).then(({ data }) => data.default_branch),
  ]);
  const outcome = await controlRollout(
    {
      api: deps.api,
      records: deps.records,
      keys: deps.markers.keys,
      now: deps.now,
      ...deps.control,
      warn: deps.markers.warn,
    },
    {
      where,
      defaultBranch,
      config,
      environment: command.environment,
      verb: command.kind,
      login: event.author.login,
      pr,
      bindings: [{ what: 'the pull request', sha: pr.headSha, pr: pr.number }],
      // One id per comment: a comment written twice (a redelivery that got past the reaction) counts once.
      id: () => `comment:${event.commentId}`,
      source: 'comment',
      ...(event.createdAt ? { writtenAt: event.createdAt } : {}),
      ...(command.kind === 'promote' ? { full: command.full } : {}),
      ...(command.kind === 'abort' && command.reason !== undefined ? { reason: command.reason } : {}),
    },
  );
  if (outcome.status === 'refused') return refusal(outcome.code, outcome.message);
  return { reaction: '+1', body: outcome.message };
}

async function help(deps: DispatchDeps, event: CommentEvent): Promise<Reply> {
  const where = { owner: event.owner, repo: event.repo };
  let summary: string;
  try {
    const config = await loadConfig(deps.api, where);
    summary = Object.keys(config.environments)
      .map((name) => {
        // A standard deployment of it changes its staging environment first: said under its own line.
        const staging = stagingChanged(config, name, 'standard');
        const line = policySummary(resolvePolicy(config, name));
        return staging === undefined ? line : `${line}\n${stagingSummary(staging)}`;
      })
      .join('\n');
  } catch (error) {
    if (!(error instanceof FactsError)) throw error;
    summary = `(${userText(error.message)})`;
  }
  return { reaction: 'eyes', body: `${helpText()}\n\n**Policy** (from the default branch):\n\n${summary}` };
}

export function commandDispatch(deps: DispatchDeps): Dispatch {
  return async (command, event) => {
    try {
      switch (command.kind) {
        case 'deploy':
          return await deploy(deps, command, event);
        case 'approve-deploy':
        case 'reject-deploy':
          return await approve(deps, command, event);
        case 'rollback':
          return await rollback(deps, command, event);
        case 'lock':
        case 'unlock':
          return await lock(deps, command, event);
        case 'status':
          return await status(deps, command, event);
        case 'promote':
        case 'pause':
        case 'resume':
        case 'abort':
          return await control(deps, command, event);
        case 'cancel-deploy': {
          const where = { owner: event.owner, repo: event.repo };
          const [pr, config] = await Promise.all([
            readPull(deps.api, where, event.number),
            loadConfig(deps.api, where),
          ]);
          return await cancelDeploy(deps, {
            where,
            pr,
            config,
            login: event.author.login,
            commentId: event.commentId,
            ...(command.environment !== undefined ? { environment: command.environment } : {}),
            ...(event.repositoryNodeId ? { repositoryNodeId: event.repositoryNodeId } : {}),
          });
        }
        case 'help':
          return await help(deps, event);
      }
    } catch (error) {
      // Both may quote the config file (a bad value, a name): echoed like any other text.
      if (error instanceof FactsError) return refusal(error.code, userText(error.message, { max: 1000 }));
      if (error instanceof Error && error.name === 'PolicyError')
        return refusal('config_invalid', userText(error.message, { max: 1000 }));
      throw error;
    }
  };
}

/** The staging environment a request's run deploys first, for startDeployment (its lock stops the request). */
function stagingOf(config: Base['config'], request: PendingRequest): { staging?: string } {
  const staging = stagingChanged(config, request.environment, request.type);
  return staging !== undefined ? { staging } : {};
}

/** Who asked for the pending request, as a deployer: their permission and the deployers' teams they are in. */
function requesterOf(
  deps: { api: Api },
  b: Pick<Base, 'where' | 'people' | 'config'>,
  pending: { requestedBy: string; type: DeploymentType },
  policy: Policy,
) {
  return cachedActorOf(
    deps.api,
    b.where,
    pending.requestedBy,
    changedTeams(b.config, policy.environment, pending.type, ['deployers']),
    b.people,
  );
}
