// The comment side of scheduled and queued deployments: `/deploy <env> at <time> [zone]` and
// `/deploy <env> --queue` record a request (store.ts); `/cancel-deploy [env]` removes one. What is checked
// when asking: the requester may deploy to the environment, and for a time: in the future, at most 30 days
// ahead, a wall time the zone shows once, inside a window and outside a freeze at that time. Everything else
// (approvals, checks, the lock, the head) is checked when it is due (run-due.ts), because it can change.
import type { DeployWhen } from '../commands/command.ts';
import type { Reply } from '../handlers/comment.ts';
import type { Api, Where } from '../facts/github.ts';
import { actorOf, changedTeams } from '../facts/pull-request.ts';
import type { PullFacts } from '../facts/pull-request.ts';
import type { MarkerTrust } from '../facts/own-comments.ts';
import { blockingLock, readLocks } from '../locks.ts';
import type { PendingRequest } from '../deploy/pending.ts';
import {
  approvalsNeededText,
  deploymentNumber,
  lockedMessage,
  policyRefusal,
  refusal,
} from '../deploy/replies.ts';
import { deploymentLockOwner } from '../deploy/lock.ts';
import type { RawConfig } from '../../src/config/schema.ts';
import {
  activeFreeze,
  approvalRule,
  isWithinWindows,
  mayDeploy,
  nextDeployableInstant,
  resolvePolicy,
  changedPolicies,
  stagingChanged,
  wallClockText,
} from '../../src/policy/index.ts';
import type { Actor, Policy } from '../../src/policy/index.ts';
import { userText } from '../../src/github/user-text.ts';
import { repeatedNote, scheduleInstant } from '../../src/schedule/time.ts';
import { mayCancel, queueOrder } from './decide.ts';
import { askKey, requestId } from './record.ts';
import type { ScheduledRequest } from './record.ts';
import {
  claimRequest,
  forgetRequest,
  listRequests,
  recordRequest,
  releaseClaim,
  requestDeployment,
  requestEnded,
  removeRequest,
  withdrawOnce,
} from './store.ts';
import { DedupeLookupTooLong } from '../../src/github/deployments.ts';
import type { Claimer, SwapRef } from './store.ts';
import { swapFor } from './swap-ref.ts';
import { describeRequest, tookOverWarning } from './run-due.ts';
import type { GraphqlFn } from '../../src/metrics/github-read.ts';

export interface ScheduleCommandDeps {
  api: Api;
  now: () => Date;
  markers: MarkerTrust;
  /** The app's id: only its check runs mark a request ended (store.ts endedAs). */
  appId: number;
  /** GitHub's GraphQL API: a stale ask is taken over only with its conditional ref update (swap-ref.ts). */
  graphql?: GraphqlFn;
  /**
   * The App's bot login: /cancel-deploy leaves a request whose deployment the App created (store.ts
   * requestDeployment). Without it that is not looked for.
   */
  botLogin?: string;
}

const env = (name: string): string => userText(name, { as: 'code' });

/** How a command claims a request: a claim left behind is taken over with `swap` (store.ts claimRequest). */
const claimer = (deps: ScheduleCommandDeps, where: Where, swap: SwapRef | undefined): Claimer => ({
  keys: deps.markers.keys,
  now: deps.now,
  ...(swap ? { swap } : {}),
  tookOver: (request, found) => tookOverWarning(deps.markers, where, request, found),
});
const code = (text: string): string => userText(text, { as: 'code' });

/**
 * `/deploy` with `at` or `--queue`. `deployNow` is the ordinary /deploy, used by `--queue` when nothing
 * holds the environment (there is nothing to wait for).
 */
export async function scheduleDeploy(
  deps: ScheduleCommandDeps,
  args: {
    where: Where;
    pr: PullFacts;
    config: RawConfig;
    policy: Policy;
    request: PendingRequest;
    actor: Actor;
    when: DeployWhen;
    /** The repository's GraphQL node id (the webhook's), for the conditional ref update. */
    repositoryNodeId?: string;
    /** When GitHub says the /deploy comment was written (its created_at): the queue's order. */
    writtenAt?: string;
  },
  deployNow: () => Promise<Reply>,
): Promise<Reply> {
  const { where, pr, config, policy, request, actor, when } = args;
  const swap = swapFor(deps.graphql, deps.api, where, args.repositoryNodeId);
  const allowed = mayDeploy({
    config,
    environment: request.environment,
    actor,
    type: request.type,
    pullRequest: { number: pr.number, author: pr.author, headSha: pr.headSha, fromFork: pr.fromFork },
  });
  if (!allowed.ok) return policyRefusal(allowed, allowed.also);
  const changed = changedPolicies(config, request.environment, request.type);
  const record: ScheduledRequest = {
    id: requestId(request.sourceCommentId),
    mode: when.kind,
    environment: request.environment,
    sha: request.sha,
    pr: pr.number,
    type: request.type === 'hotfix' ? 'hotfix' : 'standard',
    ...(request.strategy ? { strategy: request.strategy } : {}),
    params: request.params,
    ...(request.hotfixReason !== undefined ? { hotfixReason: request.hotfixReason } : {}),
    requestedBy: request.requestedBy,
    sourceCommentId: request.sourceCommentId,
    requestedAt: askedAt(args.writtenAt, deps.now()),
  };
  if (when.kind === 'at') {
    // Without a written zone, the environment's (`approvals.timezone`, UTC by default): the zone its windows
    // are read in, so "at 10:00" means what the window "10:00-12:00" means.
    const time = scheduleInstant(when.local, policy.timezone, deps.now());
    if (!time.ok) return refusal(time.code, `${userText(time.message)}.`);
    // Every environment the run changes (its staging environment too, deployed first): a time one of them
    // refuses is refused now, not recorded only to be refused when it is due.
    const problem = changed
      .map((changed) => windowProblem(changed, time.at, changed.environment !== policy.environment))
      .find((found) => found !== undefined);
    if (problem) return problem;
    record.at = time.at;
    record.zone = time.zone;
    // A wall time shown twice (the clocks go back) is its first occurrence, as cron reads it: said, not hidden.
    const repeated = time.repeated ? repeatedNote(when.local, time.at, time.repeated, time.zone) : undefined;
    return (
      (await duplicate(deps, where, record)) ??
      recorded(deps, where, swap, record, policy, changed, undefined, when.local.zone === undefined, repeated)
    );
  }
  const locks = await readLocks(deps.api, where, deps.markers.keys, { appId: deps.appId });
  // The staging environment the run changes first: its lock holds the queue too (app/deploy/start.ts).
  const staging = stagingChanged(config, request.environment, request.type);
  const lock =
    blockingLock(locks, request.environment, request.requestedBy) ??
    (staging !== undefined ? blockingLock(locks, staging, request.requestedBy) : undefined);
  if (!lock) return deployNow();
  // A deployment's lock is named by its deployment: one left behind by a deployment that ended says so (and
  // that --force releases it), rather than "running", for a queue that waits for it.
  const named =
    lock.deployment && deps.botLogin !== undefined
      ? await deploymentLockOwner(deps.api.repos, where, lock, { attempts: 1, botLogin: deps.botLogin })
      : lock;
  return (
    (await duplicate(deps, where, record)) ??
    recorded(deps, where, swap, record, policy, changed, lockedMessage(named, record.environment))
  );
}

/**
 * When a request was asked, which orders the queue ("in the order asked"): when its comment was written, as
 * GitHub says (to the second; within one, the comment ids GitHub gives in order decide, decide.ts byAsked). Not
 * when a replica handled it: GitHub delivers webhooks in no set order, late or again, so a comment whose delivery
 * came late (or went to a replica whose clock is ahead) took its place behind one written after it. Nor capped
 * at the replica's now: one whose clock is behind GitHub's would put its own time on the comments it handles,
 * and order them by when they reached it again. The replica's now only when GitHub gives no date.
 */
function askedAt(writtenAt: string | undefined, now: Date): Date {
  const written = writtenAt ? Date.parse(writtenAt) : Number.NaN;
  return Number.isFinite(written) ? new Date(written) : now;
}

/**
 * A request already recorded (another comment: the same person again, or someone who did not see it) that
 * asks for the same deployment at the same time (record.ts askKey): recording this one too would deploy the
 * same commit twice, once after the other. Refused, naming the one that stands. The same comment again is its
 * own request id (recordRequest answers already_recorded). Undefined: nothing like it is waiting. Two such
 * comments handled at the same instant both find nothing here: recordRequest keeps one of them (its ask ref).
 */
async function duplicate(
  deps: ScheduleCommandDeps,
  where: Where,
  record: ScheduledRequest,
): Promise<Reply | undefined> {
  const list = await listRequests(deps.api, where, deps.markers.keys);
  const key = askKey(record);
  const same = list.requests.find((r) => r.id !== record.id && askKey(r) === key);
  return same ? duplicateReply(list.requests, same, record) : undefined;
}

function duplicateReply(
  requests: readonly ScheduledRequest[],
  same: ScheduledRequest,
  record: ScheduledRequest,
): Reply {
  const cancel = code(`/cancel-deploy ${record.environment}`);
  const order = queueOrder(requests, same.environment).findIndex((r) => r.id === same.id) + 1;
  const place = same.mode === 'queue' && order > 0 ? `, place ${order} in the queue` : '';
  const [title, what] =
    same.mode === 'queue' ? ['Not queued again', 'queue'] : ['Not scheduled again', 'schedule'];
  return {
    reaction: 'confused',
    body: `**${title}** (\`${what}_duplicate\`): ${describeRequest(same)}${place} asks for the same deployment (commit, type, strategy and parameters${same.mode === 'at' ? ', at the same time' : ''}); one deployment of it is enough. Cancel that one with ${cancel} to ask anew.`,
  };
}

/**
 * A request recorded at the same instant as another asking the same deployment, which could not be withdrawn
 * at once: the reply says it is still recorded, and what becomes of it.
 */
function notWithdrawnReply(same: ScheduledRequest, record: ScheduledRequest): Reply {
  const what = record.mode === 'queue' ? 'queue' : 'schedule';
  return {
    reaction: 'confused',
    body: `**Withdrawn, not yet removed** (\`${what}_duplicate_pending\`): ${describeRequest(same)} asks for the same deployment (commit, type, strategy and parameters${same.mode === 'at' ? ', at the same time' : ''}) and was recorded at the same instant as this one, ${describeRequest(record)}. This one could not be removed now (it is being started or cancelled elsewhere at this moment), so it is still listed for a while; it is marked withdrawn (\`${what}_duplicate\`) and never starts, and the one that stands is not affected.`,
  };
}

/** A time outside every window or inside a freeze can never start: refused now, with the next good time. */
function windowProblem(policy: Policy, at: Date, staging = false): Reply | undefined {
  const local = `${code(at.toISOString())}`;
  // The staging environment the run deploys first is named as such (its windows and freezes hold the run too).
  const name = staging
    ? `the staging environment ${env(policy.environment)}, which this deployment changes first,`
    : env(policy.environment);
  const next = nextDeployableInstant(at, policy.windows, policy.timezone, policy.freezes);
  const nextLocal = next && wallClockText(next, policy.timezone);
  const hint = next
    ? ` The next time it may start is ${code(next.toISOString())}${nextLocal ? ` (${userText(nextLocal)})` : ''}.`
    : '';
  const freeze = activeFreeze(at, policy.freezes);
  const freezeEnd = freeze && wallClockText(freeze.to, policy.timezone);
  if (freeze)
    return refusal(
      'frozen',
      `${name} is frozen at ${local} (${userText(freeze.reason)}, until ${code(freeze.to.toISOString())}${freezeEnd ? `, ${userText(freezeEnd)}` : ''}).${hint}`,
    );
  if (!isWithinWindows(at, policy.windows, policy.timezone))
    return refusal(
      'outside_window',
      `${local} is outside the deploy windows of ${name} (time zone ${userText(policy.timezone)}).${hint}`,
    );
  return undefined;
}

async function recorded(
  deps: ScheduleCommandDeps,
  where: Where,
  swap: SwapRef | undefined,
  record: ScheduledRequest,
  policy: Policy,
  /** The policies of every environment the run changes (changedPolicies), the command's first. */
  changed: readonly Policy[],
  lockedBy?: string,
  /** mode `at`: the comment wrote no zone, so the environment's was taken (said in the reply). */
  zoneDefaulted = false,
  /** mode `at`: the wall time is shown twice that day; which occurrence was taken (repeatedNote). */
  repeated?: string,
): Promise<Reply> {
  const written = await recordRequest(deps.api, where, deps.markers.keys, record, swap);
  if (written === 'invalid_environment')
    return refusal(
      'invalid_environment_name',
      `${env(record.environment)} cannot be scheduled: git refs cannot hold the name.`,
    );
  if (written === 'already_recorded')
    return { reaction: 'eyes', body: `This request is already recorded: ${describeRequest(record)}.` };
  if (typeof written === 'object') {
    // The same deployment asked at the same instant by another comment, which holds the ask: this one is
    // withdrawn before anyone was told of it (claimed first, so a due check cannot start it meanwhile).
    const outcome = `${record.mode === 'at' ? 'schedule' : 'queue'}_duplicate`;
    // Marked once (withdrawOnce): a due check that claimed it may be withdrawing it at this very moment, and
    // only the one that marks it tells the pull request; the other answers with a reaction alone.
    if (await claimRequest(deps.api, where, record, claimer(deps, where, swap))) {
      const marked = await withdrawOnce(deps.api, where, record, outcome, deps.appId, {
        now: deps.now,
        ...(swap ? { swap } : {}),
      }).catch(async (error: unknown) => {
        await releaseClaim(deps.api, where, record).catch(() => undefined);
        throw error;
      });
      // Another caller began withdrawing it and has not marked it yet: theirs to mark and tell. It stays listed
      // (never forgotten unmarked), so if that caller died a due check takes the withdrawal over once it is stale.
      if (marked === 'pending') {
        await releaseClaim(deps.api, where, record);
        return { reaction: 'confused' };
      }
      await forgetRequest(deps.api, where, record).catch(async (error: unknown) => {
        await releaseClaim(deps.api, where, record).catch(() => undefined);
        throw error;
      });
      if (marked === 'already') return { reaction: 'confused' };
      const list = await listRequests(deps.api, where, deps.markers.keys);
      return duplicateReply(list.requests, written.of, record);
    }
    // Its claim is held elsewhere (a due check starting it, a /cancel-deploy, a claim left by a crash not yet
    // SCHEDULE_CLAIM_STALE_MS old, or without the swap to take it over): it stays recorded, next to the one
    // that holds the ask, until whoever holds the claim is done. It never starts: it is marked ended now (a due
    // check that claims it later removes it unseen), and a due check that claimed it already finds the other
    // holding the ask and withdraws it (run-due.ts).
    if (
      (await withdrawOnce(deps.api, where, record, outcome, deps.appId, {
        now: deps.now,
        ...(swap ? { swap } : {}),
      })) !== 'marked'
    )
      return { reaction: 'confused' };
    return notWithdrawnReply(written.of, record);
  }
  const cancel = code(`/cancel-deploy ${record.environment}`);
  // The rule of the request's type (a queued hotfix has its own), with its approval groups, as /help says it.
  // Under the rule of each environment the run changes: its staging environment's needs its own approvals.
  const needed = approvalsNeededText(
    changed.map((p) => ({
      environment: p.environment,
      rule: approvalRule(p, record.type),
      staging: p.environment !== policy.environment,
    })),
  );
  const approvals = needed
    ? `${needed} (reply ${code(`/approve-deploy ${record.environment}`)})`
    : 'approvals';
  // Said, not hidden: without the conditional update the ask stays with the request that ended (store.ts).
  const staleAsk =
    written === 'recorded_stale_ask'
      ? ` Note (\`ask_not_taken_over\`): an identical request that ended left its claim on this deployment behind, and the App cannot take it over safely here (GitHub's REST API has no conditional ref update, and GitHub's GraphQL API was not available to it), so an identical request recorded at the same moment is not refused now; when they are due only the first asked of them starts.`
      : '';
  const rechecked = `the policy is checked again then (who may deploy, deploy window, freeze, ${approvals}, required checks, the lock, this commit still the head); if anything stands in the way it does not start and this pull request is told why`;
  if (record.mode === 'at') {
    const wrote =
      record.zone && record.zone !== 'UTC'
        ? ` (${userText(localText(record.at!, record.zone))} ${userText(record.zone)})`
        : '';
    // Never the server's zone: without one written, the environment's, and the reply says which.
    const defaulted = zoneDefaulted
      ? ` (no time zone was written: read in the time zone of ${env(policy.environment)}, ${userText(record.zone ?? policy.timezone, { as: 'code' })})`
      : '';
    const twice = repeated ? ` Note (\`schedule_time_repeated\`): ${userText(repeated)}.` : '';
    return {
      reaction: '+1',
      body: `**Scheduled** (\`schedule_recorded\`): ${describeRequest(record)}${wrote}${defaulted}.${twice} At that time ${rechecked}. Cancel with ${cancel}.${staleAsk}`,
    };
  }
  const list = await listRequests(deps.api, where, deps.markers.keys);
  const place = queueOrder(list.requests, record.environment).findIndex((r) => r.id === record.id) + 1;
  return {
    reaction: '+1',
    body: `**Queued** (\`queue_recorded\`): ${describeRequest(record)}${place > 0 ? `, place ${place} in the queue` : ''}. ${lockedBy ?? ''}. It starts when the lock is released and the requests before it have started; ${rechecked}. Cancel with ${cancel}.${staleAsk}`,
  };
}

/** The wall time of an instant in a zone, `YYYY-MM-DD HH:MM`, as a person wrote it. */
function localText(at: Date, zone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).formatToParts(at);
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}`;
}

/**
 * `/cancel-deploy [env]`: removes this pull request's scheduled and queued requests (of `environment`, or of
 * every environment when it names none) that the commenter may cancel: their own, or any as a deployer of the
 * environment (the policy on the default branch says who). A request being started at this moment is not
 * cancelled: the claim decides which of the two happens.
 */
export async function cancelDeploy(
  deps: ScheduleCommandDeps,
  args: {
    where: Where;
    pr: PullFacts;
    config: RawConfig;
    login: string;
    environment?: string;
    /**
     * The `/cancel-deploy` comment: only requests asked in comments written before it are its to cancel (GitHub's
     * ids grow). Its delivery may be handled after a later `/deploy ... at` or `--queue` (one that waited, a
     * redelivery, another replica), which nobody asked to cancel.
     */
    commentId: number;
    /** The repository's GraphQL node id (the webhook's): a claim left behind is taken over only with it. */
    repositoryNodeId?: string;
  },
): Promise<Reply> {
  const { where, pr, config, login, environment, commentId } = args;
  const swap = swapFor(deps.graphql, deps.api, where, args.repositoryNodeId);
  const list = await listRequests(deps.api, where, deps.markers.keys);
  const mine = list.requests.filter(
    (r) =>
      r.pr === pr.number &&
      r.sourceCommentId < commentId &&
      (environment === undefined || r.environment.toLowerCase() === environment.toLowerCase()),
  );
  if (mine.length === 0)
    return refusal(
      'no_scheduled_request',
      `this pull request has no scheduled or queued deployment${environment ? ` to ${env(environment)}` : ''}.`,
    );
  const lines: string[] = [];
  let refused = 0;
  for (const request of mine) {
    const known = Object.hasOwn(config.environments, request.environment);
    const policy = known ? resolvePolicy(config, request.environment) : undefined;
    const actor = await actorOf(
      deps.api,
      where,
      login,
      policy ? changedTeams(config, request.environment, request.type, ['deployers']) : [],
    );
    const deployer =
      known && mayDeploy({ config, environment: request.environment, actor, type: request.type }).ok;
    const may = mayCancel(request, login, deployer);
    if (!may.ok) {
      refused++;
      lines.push(
        `- **Not accepted** (\`not_allowed\`): ${describeRequest(request)}: only they or a deployer of ${env(request.environment)} may cancel it.`,
      );
      continue;
    }
    if (!(await claimRequest(deps.api, where, request, claimer(deps, where, swap)))) {
      lines.push(
        `- **Not cancelled** (\`already_starting\`): ${describeRequest(request)} is being started or cancelled right now.`,
      );
      continue;
    }
    // Listed, yet ended: a request kept after it started until its identical requests are withdrawn (run-due.ts),
    // or a duplicate marked withdrawn and left listed. Cancelling it would mark it a second time and free its
    // ask, so an identical request could start after it; the due check removes it.
    const ended = await requestEnded(deps.api, where, request, deps.appId).catch(async (error: unknown) => {
      await releaseClaim(deps.api, where, request).catch(() => undefined);
      throw error;
    });
    if (ended !== 'open') {
      await releaseClaim(deps.api, where, request);
      lines.push(
        ended === 'ended'
          ? `- **Not cancelled** (\`already_ended\`): ${describeRequest(request)} has already started or been withdrawn; the App removes it from the list when it next looks.`
          : `- **Not cancelled** (\`schedule_unverifiable\`): whether ${describeRequest(request)} has ended cannot be read (more check runs named like the App's mark than it reads).`,
      );
      continue;
    }
    // Started, though not marked yet: a due check created its deployment and failed before its end mark (the
    // next due check tells it and marks it, run-due.ts). Cancelling it would say "Cancelled" of a deployment
    // that runs, mark it a second time and free its ask.
    if (deps.botLogin !== undefined) {
      const app = { login: deps.botLogin, id: deps.appId };
      const deployed = await requestDeployment(deps.api, where, request, app).catch(
        async (error: unknown) => {
          // More deployments of its commit than are read: not known, so cancelled as one that did not start.
          if (error instanceof DedupeLookupTooLong) return undefined;
          await releaseClaim(deps.api, where, request).catch(() => undefined);
          throw error;
        },
      );
      if (deployed !== undefined) {
        await releaseClaim(deps.api, where, request);
        lines.push(
          `- **Not cancelled** (\`already_ended\`): ${describeRequest(request)} has already started (deployment **${deploymentNumber(deployed)}**); the App removes it from the list when it next looks.`,
        );
        continue;
      }
    }
    const codeOf = request.mode === 'at' ? 'schedule_cancelled' : 'queue_cancelled';
    // A failure gives the claim back: the request stays as it was, to be cancelled (or started) later.
    await removeRequest(deps.api, where, request, codeOf).catch(async (error: unknown) => {
      await releaseClaim(deps.api, where, request).catch(() => undefined);
      throw error;
    });
    lines.push(`- **Cancelled** (\`${codeOf}\`): ${describeRequest(request)}.`);
  }
  return { reaction: refused === mine.length ? 'confused' : '+1', body: lines.join('\n') };
}
