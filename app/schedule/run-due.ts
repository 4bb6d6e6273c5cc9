// Starting the repository's scheduled and queued requests whose moment has come. The App has no timer: this
// runs when something happens that may make one due (app/schedule/triggers.ts): a workflow run completes
// (the scheduled reconcile workflow every 10 minutes, and any other), a deployment's lock is released, a
// person's /unlock, /status or /deploy. It costs one request (the listing) when nothing is kept.
//
// Each request acted on is claimed first (store.ts: an atomic ref creation), so two replicas, two triggers
// at once or a redelivery act on it once. Then the policy is checked AGAIN, at this moment, exactly as for a
// /deploy comment (app/deploy/dispatch.ts decide: the requester still a deployer, window, freeze, approvals
// and vetoes for this commit, checks, earlier environments), the pull request still open with the same head,
// and the lock taken by the one start path (app/deploy/start.ts). Refused: nothing starts, the PR is told
// why with the code, the request is removed. Nothing is half-done: a failure part-way gives the claim back
// so the next trigger tries again (the failure is that request's outcome; what was done before it is
// reported, and the other environments' requests go on), and a deployment already created for the request is
// never created twice (its de-duplication key is the /deploy comment's): a request whose deployment exists is
// not decided again but told "Started" once (its reply's marker is looked for first), marked ended and
// removed (settleStarted).
import type { Api, Where } from '../facts/github.ts';
import { FactsError, loadConfig } from '../facts/config.ts';
import { actorOf, changedTeams, readPull } from '../facts/pull-request.ts';
import { markerScope, readAppComments } from '../facts/own-comments.ts';
import type { MarkerTrust } from '../facts/own-comments.ts';
import type { RecordReader } from '../state.ts';
import { readLocks } from '../locks.ts';
import { decide } from '../deploy/decide.ts';
import type { Base } from '../deploy/decide.ts';
import { startDeployment } from '../deploy/start.ts';
import { askedOf, type PendingRequest } from '../deploy/pending.ts';
import { deploymentNumber, lockOwner, lockedMessage, releasedLockUnlock } from '../deploy/replies.ts';
import { explainRefusal, resolvePolicy, stagingChanged } from '../../src/policy/index.ts';
import { userText } from '../../src/github/user-text.ts';
import { appendMarkers } from '../../src/github/hidden-marker.ts';
import { fitComment } from '../../src/github/write-limits.ts';
import { DedupeLookupTooLong } from '../../src/github/deployments.ts';
import { quietMentions } from '../handlers/comment.ts';
import { claimIsStale, dueDecisions, startCheck, startedCode } from './decide.ts';
import type { DueDecision, StartCode } from './decide.ts';
import {
  claimRequest,
  endedCheckName,
  forgetRequest,
  keptForIdentical,
  listRequests,
  askHolding,
  markEnded,
  releaseClaim,
  removeRequest,
  requestDeployment as requestDeploymentOf,
  endedAs,
  withdrawnDuplicate,
  withdrawOnce,
} from './store.ts';
import type { Claimer, ScheduleList, SwapRef } from './store.ts';
import type { LeftClaim } from '../facts/claim-ref.ts';
import { askRefName } from './record.ts';
import { serializeStartedNotice } from './started-notice.ts';
import type { ScheduledRequest } from './record.ts';

export interface DueDeps {
  api: Api;
  now: () => Date;
  botLogin: string;
  /** The app's id: whose approvals ledger is read (facts/approval-ledger.ts). */
  appId: number;
  markers: MarkerTrust;
  /**
   * The App's one record reader (app/state.ts), for `requires`: it remembers the highest record number seen,
   * so a record older than one an earlier delivery read is refused (state_stale), not believed.
   */
  records: RecordReader;
  /** The app log's info, for what is worth a line but no alarm (a withdrawn duplicate removed). */
  info?: (fields: Record<string, unknown>, message: string) => void;
  /**
   * The conditional ref update (swap-ref.ts) a stale ask is taken over with before its request starts, as
   * recordRequest does; without it a stale ask is not taken over and the first asked request stands.
   */
  swap?: SwapRef;
}

export type DueOutcome =
  | { id: string; environment: string; status: 'started'; code: StartCode; deploymentId: number }
  | { id: string; environment: string; status: 'not_started'; code: StartCode | DueDecision['code'] }
  /** Its ref is back after it ended (started, refused, cancelled): a replay, removed without a word. */
  | { id: string; environment: string; status: 'replayed' }
  /** Whether it ended cannot be read (a flood of check runs named like the App's mark): skipped, kept. */
  | { id: string; environment: string; status: 'unverifiable' }
  /** Another replica or trigger claimed it first, or it was removed meanwhile. */
  | { id: string; environment: string; status: 'claimed_elsewhere' }
  /** A queued request that met a lock taken since the decision: its claim given back, it waits on. */
  | { id: string; environment: string; status: 'requeued' }
  /** Its ask names a request this pass cannot find, even listed again: not started, claim given back. */
  | { id: string; environment: string; status: 'ask_unsettled' }
  /**
   * Started, but its identical requests could not all be withdrawn (a GitHub error): kept, marked ended and
   * holding its ask so none of them starts, for the next due check to withdraw them and remove it.
   */
  | { id: string; environment: string; status: 'siblings_pending' }
  /**
   * A duplicate another caller began withdrawing and has not marked yet (withdrawOnce): left listed, its claim
   * given back; a due check after that withdrawal is stale takes it over if its caller died.
   */
  | { id: string; environment: string; status: 'withdrawal_pending' }
  /**
   * Acting on it met an error (`error`: a GitHub error, or `code`, a FactsError's: the config cannot be read):
   * its claim given back, it stays listed for the next trigger. The outcomes of the requests acted on before
   * it stand; the other requests of its environment wait for that trigger too.
   */
  | { id: string; environment: string; status: 'failed'; error: string; code?: string };

const env = (name: string): string => userText(name, { as: 'code' });
const short = (sha: string): string => userText(sha.slice(0, 12), { as: 'code' });

/** The fields of a log line about `request`. */
const about = (where: Where, request: ScheduledRequest) => ({
  repository: `${where.owner}/${where.repo}`,
  request: request.id,
  environment: request.environment,
});

/** What a request is, in one phrase for its replies. */
export function describeRequest(request: ScheduledRequest): string {
  const when =
    request.mode === 'at' ? `scheduled for ${userText(request.at!.toISOString(), { as: 'code' })}` : 'queued';
  return `the deployment of ${short(request.sha)} to ${env(request.environment)} ${when} by ${userText(request.requestedBy, { as: 'mention' })}`;
}

const DROP_TEXT: Record<Extract<DueDecision, { action: 'drop' }>['code'], string> = {
  schedule_missed:
    'it was found more than 2 hours after its time (the App or the reconcile workflow did not run); ask again',
  schedule_locked: 'the environment was locked at its time',
  schedule_behind: 'another scheduled deployment of the environment started at the same time',
};

/** Said when a duplicate is removed whose end someone else marked (and told its pull request of). */
const ALREADY_WITHDRAWN =
  'a withdrawn duplicate scheduled deployment (marked ended, its pull request told, by whoever withdrew it first): removed';

/** Says that a claim on `request` was taken over (store.ts claimRequest): its holder died, or it was forged. */
export function tookOverWarning(
  markers: Pick<MarkerTrust, 'warn'>,
  where: Where,
  request: ScheduledRequest,
  found: LeftClaim,
): void {
  markers.warn(
    {
      ...about(where, request),
      claim: found.reason,
      ...(found.status === 'left' ? { since: found.since.toISOString() } : {}),
    },
    found.status === 'left'
      ? 'a claim on a scheduled deployment was left behind (its holder died mid-start, or GitHub refused its removal): taken over'
      : 'a claim on a scheduled deployment that is not the App’s (tampering?) was taken over',
  );
}

/** The outcome of a request acting on which threw `error`. */
function failure(request: ScheduledRequest, error: unknown): DueOutcome {
  return {
    id: request.id,
    environment: request.environment,
    status: 'failed',
    error: error instanceof Error ? error.message : String(error),
    ...(error instanceof FactsError ? { code: error.code } : {}),
  };
}

/** Says that this pass starts nothing: the config, and so each request's staging environment, is unknown. */
function configUnreadable(
  deps: DueDeps,
  where: Where,
  error: unknown,
  held: readonly ScheduledRequest[],
): void {
  const fields = {
    repository: `${where.owner}/${where.repo}`,
    requests: held.map((r) => r.id),
    error: error instanceof Error ? error.message : String(error),
    ...(error instanceof FactsError ? { code: error.code } : {}),
  };
  const message =
    'the config could not be read, so the staging environment whose lock holds each scheduled or queued deployment is not known: none is started on this check; the next trigger tries again';
  // A missing or invalid config is the commands' to report (runDueQuietly): a line, not an alarm.
  if (error instanceof FactsError) deps.info?.(fields, message);
  else deps.markers.warn(fields, message);
}

/** How this due check claims requests: a claim left behind is taken over with the swap (store.ts). */
const claimer = (deps: DueDeps, where: Where): Claimer => ({
  keys: deps.markers.keys,
  now: deps.now,
  ...(deps.swap ? { swap: deps.swap } : {}),
  tookOver: (request, found) => tookOverWarning(deps.markers, where, request, found),
});

/** How withdrawOnce takes over a withdrawal left unmarked by a caller that died. */
const takeover = (deps: DueDeps) => ({ now: deps.now, ...(deps.swap ? { swap: deps.swap } : {}) });

/** Passes of one trigger: another follows a request removed unstarted at the head of its queue. */
const MAX_PASSES = 3;

/** Checks the repository's requests and starts or drops those whose moment has come. */
export async function runDue(
  deps: DueDeps,
  where: Where,
  listed?: ScheduleList,
  passes = MAX_PASSES,
): Promise<DueOutcome[]> {
  const list = listed ?? (await listRequests(deps.api, where, deps.markers.keys));
  // Said once per trigger: a later pass (below) lists the same refs again.
  for (const r of passes === MAX_PASSES ? list.refused : [])
    deps.markers.warn(
      { repository: `${where.owner}/${where.repo}`, ref: r.ref, code: r.code, reason: r.reason },
      r.code === 'schedule_corrupt'
        ? 'left a scheduled deployment this version cannot read, neither started nor dropped (a newer replica of the App wrote it? finish the upgrade)'
        : 'ignored a scheduled deployment the App did not write (tampering?)',
    );
  if (list.requests.length === 0) return [];
  // The staging environment each request's run changes first: its lock holds the request as its own does.
  // Fail closed: a config that cannot be read now (a GitHub error, or invalid) leaves that unknown, so this
  // pass starts nothing (decided without it, a start could pass a staging environment's lock, or one taken in
  // this same pass, and be refused for a policy it would have waited on). What needs no config goes on: a
  // schedule dropped as missed or under its own environment's lock.
  const config = await loadConfig(deps.api, where).then(
    (read) => ({ read }),
    (error: unknown) => ({ error }),
  );
  const decisions = dueDecisions(
    list.requests,
    await readLocks(deps.api, where, deps.markers.keys, { appId: deps.appId }),
    deps.now(),
    (request) =>
      'read' in config ? stagingChanged(config.read, request.environment, request.type) : undefined,
  );
  // Decided without the staging environments' locks: a start, or a drop behind a start in this pass, waits for
  // a trigger that can read the config. Said when it holds one (not on every trigger while nothing is due).
  const heldUnknown = (d: DueDecision): boolean =>
    'error' in config && (d.action === 'start' || d.code === 'schedule_behind');
  const held = decisions.filter(heldUnknown).map((d) => d.request);
  if ('error' in config && held.length > 0) configUnreadable(deps, where, config.error, held);
  const out: DueOutcome[] = [];
  /** A request started by an earlier due check was settled (told, marked, removed) only now. */
  let settledLate = false;
  /** Environments (lower case) where acting on a request failed: their others wait for the next trigger. */
  const failedIn = new Set<string>();
  // One at a time: each start takes a lock the next decision may meet. A failure gives its request's claim
  // back and is its outcome; what was done before it is reported, the other environments' requests go on, and
  // its own environment's wait for the next trigger (decided as if it had started, they could be dropped as
  // behind a start that did not happen).
  for (const d of decisions) {
    if (d.action === 'wait') continue;
    const { request } = d;
    if (failedIn.has(request.environment.toLowerCase())) continue;
    const base = { id: request.id, environment: request.environment };
    const failed = (error: unknown, done: readonly DueOutcome[] = []): void => {
      out.push(...done, failure(request, error));
      failedIn.add(request.environment.toLowerCase());
      // A config that cannot be read is the commands' to report (runDueQuietly): not an alarm here; nor one
      // this pass could not read, said once above (configUnreadable).
      if (!(error instanceof FactsError) && !('error' in config && error === config.error))
        deps.markers.warn(
          { ...about(where, request), error: error instanceof Error ? error.message : String(error) },
          'acting on a scheduled deployment failed: its claim is given back, the next trigger tries again',
        );
    };
    let claimed: boolean;
    try {
      // A claim left by a replica that died mid-start would skip the request on every trigger forever. With the
      // conditional update it is taken over once SCHEDULE_CLAIM_STALE_MS old (claimRequest); without one, only
      // a scheduled request's, hours past its time, is deleted here (a delete then a create is no takeover two
      // callers agree on, but a start cannot be under way that late).
      if (!deps.swap && claimIsStale(request, deps.now())) await releaseClaim(deps.api, where, request);
      claimed = await claimRequest(deps.api, where, request, claimer(deps, where));
    } catch (error) {
      // No claim of ours to give back.
      failed(error);
      continue;
    }
    if (!claimed) {
      out.push({ ...base, status: 'claimed_elsewhere' });
      continue;
    }
    // The outcomes of its identical requests, withdrawn once it started (withdrawSiblings): reported whatever
    // fails after.
    const withdrawn: DueOutcome[] = [];
    const onStarted = async (): Promise<DueOutcome[]> => {
      withdrawn.push(...(await withdrawSiblings(deps, where, request, list)));
      return withdrawn;
    };
    try {
      // The ref and its signed tag prove the App once recorded the request, not that it is still open.
      const ended = await endedAs(deps.api, where, request, deps.appId);
      if (ended === 'unreadable') {
        deps.markers.warn(
          about(where, request),
          `more than 500 check runs of the App named "${endedCheckName(request.id)}": whether the scheduled deployment ended cannot be read, so it is not acted on`,
        );
        await releaseClaim(deps.api, where, request);
        out.push({ ...base, status: 'unverifiable' });
        continue;
      }
      // Started on an earlier due check and kept, still holding its ask (or beside a stale one it could not take
      // over), because its identical requests could not all be withdrawn then: that is finished now.
      if (
        typeof ended === 'object' &&
        ended.outcomes.includes(startedCode(request)) &&
        (await keptForIdentical(deps.api, where, request, list))
      ) {
        out.push(...(await finishStarted(deps, where, request, list)));
        continue;
      }
      if (typeof ended === 'object') {
        const fields = {
          ...about(where, request),
          outcomes: ended.outcomes,
        };
        // A duplicate withdrawn while claimed elsewhere is marked ended and left listed on purpose
        // (commands.ts): removing it now is the plan, not a sign of tampering.
        if (withdrawnDuplicate(ended.outcomes))
          deps.info?.(
            fields,
            'a withdrawn duplicate scheduled deployment (marked ended when asked): removed',
          );
        else
          deps.markers.warn(
            fields,
            'a scheduled deployment that already ended is back (its ref recreated): not acted on, removed',
          );
        await forgetRequest(deps.api, where, request);
        out.push({ ...base, status: 'replayed' });
        continue;
      }
      // Its deployment is there already: an earlier due check started it and failed before marking it ended
      // (its end mark, its "Started" reply or a withdrawal met a GitHub error; its claim was given back). It
      // is not decided again (its own deployment's lock would drop or hold it, a policy changed since would
      // refuse what started): it is told once, if that reply was not posted, then marked and removed.
      const deployed = await requestDeployment(deps, where, request);
      if (deployed !== undefined) {
        const told = await toldStarted(deps, where, request);
        out.push(await settleStarted(deps, where, request, deployed, told, onStarted));
        out.push(...withdrawn);
        settledLate = true;
        continue;
      }
      // Its claim is given back (below), and it is kept for the next trigger.
      if ('error' in config && heldUnknown(d)) throw config.error;
      if (d.action === 'drop') {
        // The staging environment's lock (its run changes it first) is named as such.
        const locked = d.lock?.target.scope === 'environment' ? d.lock.target.environment : undefined;
        const staging = locked !== undefined && locked.toLowerCase() !== request.environment.toLowerCase();
        const lock = d.lock ? ` (${lockOwner(d.lock)})` : '';
        // A lock the App marked released has no holder whose /unlock ends it by itself: what does is named.
        const wayOut = d.lock?.releasedBefore
          ? ` Nobody deploys there until ${releasedLockUnlock(d.lock, locked ?? request.environment)}.`
          : '';
        const why = staging
          ? `the staging environment ${userText(locked, { as: 'code' })}, which this deployment changes first, was locked at its time`
          : DROP_TEXT[d.code];
        await reply(
          deps,
          where,
          request,
          `**Not started** (\`${d.code}\`): ${describeRequest(request)}: ${why}${lock}.${wayOut}`,
        );
        await removeRequest(deps.api, where, request, d.code);
        out.push({ ...base, status: 'not_started', code: d.code });
        continue;
      }
      // Two requests for one deployment recorded at the same instant, the second not withdrawn (its claim was
      // held elsewhere then, commands.ts): only the one holding the ask starts.
      const holding = await askHolding(deps.api, where, deps.markers.keys, request, list, deps.swap);
      if (holding.status === 'unknown') {
        // The ask went away between our create and our read: never started on a guess. The claim is given
        // back; the next trigger looks again.
        deps.info?.(
          {
            ...about(where, request),
            ask: holding.held,
          },
          'a scheduled deployment whose ask could not be read settled: not started now, looked at again on the next trigger',
        );
        await releaseClaim(deps.api, where, request);
        out.push({ ...base, status: 'ask_unsettled' });
        continue;
      }
      if (holding.status === 'stale')
        deps.info?.(
          {
            ...about(where, request),
            ask: holding.held,
          },
          'a scheduled deployment whose ask is held by a request that has ended (not listed when read again): started',
        );
      if (holding.status === 'other') {
        // The /deploy comment that recorded it may be withdrawing it at this moment too (commands.ts): the
        // one of the two that marks it tells the pull request, so it hears of it once.
        out.push(await withdrawDuplicate(deps, where, request, holding.holder, 'stands', true));
        continue;
      }
      out.push(await startNow(deps, where, request, onStarted));
      out.push(...withdrawn);
    } catch (error) {
      await releaseClaim(deps.api, where, request).catch(() => undefined);
      failed(error, withdrawn);
    }
  }
  // A request removed without starting (it had ended: a replay or a withdrawn duplicate) may have stood at
  // the head of its queue, where the one behind it was told to wait: decide again on a fresh listing, so the
  // queue does not wait for the next trigger. So may a start refused at its re-check (the policy, a closed pull
  // request) that held a queued request behind it: of its own environment, or of another whose run needs the
  // same lock (a staging environment). Bounded: each pass removes what it acts on.
  const decidedStart = new Set(decisions.filter((d) => d.action === 'start').map((d) => d.request.id));
  const heldBehind = decisions.some((d) => d.action === 'wait' && d.code === 'queue_behind');
  const removedUnstarted =
    settledLate ||
    out.some((o) => o.status === 'replayed' || (o.status === 'not_started' && /_duplicate$/.test(o.code))) ||
    (heldBehind && out.some((o) => o.status === 'not_started' && decidedStart.has(o.id)));
  // Not after a failure: the next trigger tries again.
  if (removedUnstarted && passes > 1 && failedIn.size === 0)
    out.push(...(await runDue(deps, where, undefined, passes - 1)));
  return out;
}

/**
 * Posts a reply to the request's pull request. Only the requester is notified: everyone else the reply names
 * (a lock's holder, read from a tag anyone with push access writes; the deployers or approvers a refusal
 * lists) is shown, not mentioned, as in the replies to commands (quietMentions).
 */
async function reply(
  deps: DueDeps,
  where: Where,
  request: ScheduledRequest,
  body: string,
  markers: readonly string[] = [],
): Promise<void> {
  await deps.api.issues.createComment({
    ...where,
    issue_number: request.pr,
    body: fitComment(appendMarkers(quietMentions(body, request.requestedBy), markers)),
  });
}

/** The claimed request, checked again now and started, or told why not. The claim is the caller's. */
async function startNow(
  deps: DueDeps,
  where: Where,
  request: ScheduledRequest,
  /**
   * Once it started, before it is removed (and its ask with it): withdraws every identical request, with the
   * outcome of each (settledAll: whether all are withdrawn).
   */
  onStarted: () => Promise<DueOutcome[]>,
): Promise<DueOutcome> {
  const base = { id: request.id, environment: request.environment };
  const [pr, config, comments] = await Promise.all([
    readPull(deps.api, where, request.pr),
    loadConfig(deps.api, where),
    // A PR with more comments than the App reads is this request's refusal, not a failure of the whole
    // pass (which would hold up every later request of the repository until this one was missed).
    readAppComments(deps.api, where, request.pr, deps.botLogin, deps.markers).catch((error: unknown) => {
      if (error instanceof FactsError && error.code === 'too_many_comments') return error;
      throw error;
    }),
  ]);
  const refuse = async (code: StartCode, why: string): Promise<DueOutcome> => {
    await reply(deps, where, request, `**Not started** (\`${code}\`): ${describeRequest(request)}: ${why}`);
    await removeRequest(deps.api, where, request, code);
    return { ...base, status: 'not_started', code };
  };
  if (comments instanceof FactsError)
    return refuse(
      `${request.mode === 'at' ? 'schedule' : 'queue'}_too_many_comments`,
      `${comments.message}.`,
    );
  if (!Object.hasOwn(config.environments, request.environment))
    return refuse(
      `${request.mode === 'at' ? 'schedule' : 'queue'}_unknown_environment`,
      'the config on the default branch no longer defines the environment.',
    );
  const policy = resolvePolicy(config, request.environment);
  const b: Base = { where, pr, config, comments };
  const pending: PendingRequest = { ...askedOf(request), at: deps.now() };
  let decided: Awaited<ReturnType<typeof decide>> | undefined;
  if (pr.open) {
    const actor = await actorOf(
      deps.api,
      where,
      request.requestedBy,
      changedTeams(config, request.environment, pending.type, ['deployers']),
    );
    // The SHA's deployments are read so a request whose deployment was already created (a start that lost
    // its answer) is not created again.
    try {
      decided = await decide(deps, b, policy, pending, actor, { readDeployments: true });
    } catch (error) {
      // A commit with more approval records than the App reads stays so: this request's refusal, not a
      // failure of the whole pass. One that cannot be read now (a GitHub error) fails the pass: tried again.
      if (!(error instanceof FactsError) || error.code !== 'approvals_ledger_full') throw error;
      return refuse(
        `${request.mode === 'at' ? 'schedule' : 'queue'}_approvals_ledger_full`,
        `${error.message}.`,
      );
    }
  }
  const decision = decided?.decision;
  const check = startCheck(request, {
    prOpen: pr.open,
    policy: decision ?? { ok: true },
  });
  if (!check.start) {
    const why =
      decision && !decision.ok
        ? `${explainRefusal(decision)} (checked again at its time; nothing was started).`
        : 'the pull request is closed.';
    return refuse(check.code, why);
  }
  // Read again now, after this request took its ask: a due check that started an identical request withdraws
  // the ones another caller had claimed by marking them ended (withdrawSiblings) before it frees the ask, so
  // one marked since our first read is seen here and never starts (the mark is the App's check run on GitHub).
  const endedSince = await endedAs(deps.api, where, request, deps.appId);
  if (endedSince === 'unreadable') {
    await releaseClaim(deps.api, where, request);
    return { ...base, status: 'unverifiable' };
  }
  if (typeof endedSince === 'object') {
    deps.info?.(
      {
        ...about(where, request),
        outcomes: endedSince.outcomes,
      },
      withdrawnDuplicate(endedSince.outcomes)
        ? ALREADY_WITHDRAWN
        : 'a scheduled deployment marked ended while it was being checked: not started, removed',
    );
    await forgetRequest(deps.api, where, request);
    return withdrawnDuplicate(endedSince.outcomes)
      ? { ...base, status: 'not_started', code: duplicateCode(request) }
      : { ...base, status: 'replayed' };
  }
  const statusCommentId = comments.statusCommentIds.get(request.environment.toLowerCase());
  const staging = stagingChanged(config, request.environment, pending.type);
  const outcome = await startDeployment(
    deps.api,
    where,
    {
      ...pending,
      pr: request.pr,
      approvedBy: decision?.ok ? decision.tally.approvedBy : [],
      production: policy.production,
      // Its lock stops the start too: the run changes it first.
      ...(staging !== undefined ? { staging } : {}),
    },
    {
      ...(decided?.deployments ? { deployments: decided.deployments } : {}),
      ...(statusCommentId !== undefined ? { statusCommentId } : {}),
      now: deps.now,
      botLogin: deps.botLogin,
      keys: deps.markers.keys,
      appId: deps.appId,
    },
  );
  const prefix = request.mode === 'at' ? 'schedule' : 'queue';
  switch (outcome.status) {
    case 'created':
    case 'already_deployed':
      return settleStarted(
        deps,
        where,
        request,
        outcome.deploymentId,
        comments.startedRequests.has(request.id),
        onStarted,
      );
    case 'sha_moved':
      return refuse(
        `${prefix}_sha_moved`,
        `the pull request moved to ${short(outcome.actual)}; ask again for the new commit.`,
      );
    case 'locked':
    case 'in_progress':
      // A lock taken between the decision and the start: a queued request keeps its place.
      if (request.mode === 'queue') {
        await releaseClaim(deps.api, where, request);
        return { ...base, status: 'requeued' };
      }
      return refuse('schedule_locked', `${lockedMessage(outcome.lock, request.environment)}.`);
  }
}

/**
 * A claimed request whose deployment exists (started just now, or by an earlier due check that failed before
 * marking it ended). Its pull request is told it started unless `told` (a "Started" reply of the App's carrying
 * the request's marker is there already): once, whichever step fails after the reply, and never lost, since a
 * failed reply leaves it unmarked for the next due check to tell. Then, whatever the withdrawal of its
 * identical requests (onStarted) meets, it is marked ended, or the next trigger would act on it again. If they
 * could not all be withdrawn it is kept, holding its ask, so none of them starts once this deployment ends (the
 * ask freed, the first would take it): a later due check withdraws them and removes it (finishStarted).
 */
async function settleStarted(
  deps: DueDeps,
  where: Where,
  request: ScheduledRequest,
  deploymentId: number,
  told: boolean,
  onStarted: () => Promise<DueOutcome[]>,
): Promise<DueOutcome> {
  const code = startedCode(request);
  if (!told)
    await reply(
      deps,
      where,
      request,
      `**Started** (\`${code}\`): ${describeRequest(request)}, checked again against the policy now: deployment **${deploymentNumber(deploymentId)}**. Progress is in the status comment.`,
      [serializeStartedNotice(request, deploymentId, deps.markers.keys, markerScope(where, request.pr))],
    );
  const settled = await onStarted().then(
    (withdrawn) => {
      const all = settledAll(withdrawn);
      if (!all) siblingsPending(deps, where, request, failures(withdrawn));
      return all;
    },
    (error: unknown) => {
      siblingsPending(deps, where, request, error);
      return false;
    },
  );
  if (settled) await removeRequest(deps.api, where, request, code);
  else {
    await markEnded(deps.api, where, request, code);
    await releaseClaim(deps.api, where, request);
  }
  return { id: request.id, environment: request.environment, status: 'started', code, deploymentId };
}

/**
 * The deployment the App created for `request` (its /deploy comment's de-duplication key, made by the App),
 * if there is one. More deployments of its commit and environment than are read: not known, said, and left
 * to the start's own check (startDeployment finds it among the commit's deployments it reads).
 */
async function requestDeployment(
  deps: DueDeps,
  where: Where,
  request: ScheduledRequest,
): Promise<number | undefined> {
  try {
    return await requestDeploymentOf(deps.api, where, request, { login: deps.botLogin, id: deps.appId });
  } catch (error) {
    if (!(error instanceof DedupeLookupTooLong)) throw error;
    deps.markers.warn(
      { ...about(where, request), error: error.message },
      'whether a scheduled deployment was started already cannot be read: checked as one that was not',
    );
    return undefined;
  }
}

/**
 * Whether the App's comments on the request's pull request hold its "Started" reply (its marker). A pull
 * request with more comments than the App reads: not known, so told (again, at worst) rather than not at all.
 */
async function toldStarted(deps: DueDeps, where: Where, request: ScheduledRequest): Promise<boolean> {
  try {
    const comments = await readAppComments(deps.api, where, request.pr, deps.botLogin, deps.markers);
    return comments.startedRequests.has(request.id);
  } catch (error) {
    if (error instanceof FactsError && error.code === 'too_many_comments') return false;
    throw error;
  }
}

/**
 * The other listed requests asking for the deployment `started` just started (recorded while its ask was
 * stale and could not be taken over, store.ts): each would deploy the same commit again once this one ends.
 * Called while `started` still holds the ask. One claimed by a due check elsewhere is marked ended here anyway,
 * before the ask is freed: that check finds the ask held and withdraws it itself, or reads the mark again just
 * before it would start it (startNow). Each is marked and its pull request told once (withdrawOnce).
 */
async function withdrawSiblings(
  deps: DueDeps,
  where: Where,
  started: ScheduledRequest,
  list: ScheduleList,
): Promise<DueOutcome[]> {
  const ask = askRefName(started);
  const out: DueOutcome[] = [];
  for (const sibling of list.requests) {
    if (sibling.id === started.id || askRefName(sibling) !== ask) continue;
    // Each on its own: one that fails (a GitHub error) is that one's outcome, its claim given back, and the
    // others are still withdrawn; `started` is then kept holding its ask until a later due check withdraws it.
    let claimed = false;
    try {
      // Not claimed: a due check elsewhere holds it, and may get the ask once `started` is removed. Marked ended
      // now, before the ask is freed, so that check reads the mark again just before it would start it
      // (startNow) and removes it unseen. Told once, by whoever marks it.
      claimed = await claimRequest(deps.api, where, sibling, claimer(deps, where));
      out.push(await withdrawDuplicate(deps, where, sibling, started, 'has started', claimed));
    } catch (error) {
      if (claimed) await releaseClaim(deps.api, where, sibling).catch(() => undefined);
      out.push(failure(sibling, error));
    }
  }
  return out;
}

/** What failed among `outcomes` (`<id>: <error>`, joined), or undefined when nothing did. */
function failures(outcomes: readonly DueOutcome[]): string | undefined {
  const failed = outcomes.flatMap((o) => (o.status === 'failed' ? [`${o.id}: ${o.error}`] : []));
  return failed.length > 0 ? failed.join('; ') : undefined;
}

/**
 * Says that the identical requests of a started request could not all be withdrawn (it is kept meanwhile):
 * a failure (`error`) as a warning; one still being withdrawn elsewhere, unmarked, as information.
 */
function siblingsPending(deps: DueDeps, where: Where, request: ScheduledRequest, error?: unknown): void {
  const fields = about(where, request);
  const kept =
    'it is kept, marked ended and holding its ask, so none of them starts; the next due check tries again';
  if (error === undefined)
    deps.info?.(
      fields,
      `a request identical to a started scheduled deployment is being withdrawn elsewhere and is not marked yet: ${kept}`,
    );
  else
    deps.markers.warn(
      { ...fields, error: error instanceof Error ? error.message : String(error) },
      `withdrawing the requests identical to a started scheduled deployment failed: ${kept}`,
    );
}

/** Whether none of `outcomes` is a withdrawal left pending (begun elsewhere, not marked yet) or failed. */
const settledAll = (outcomes: readonly DueOutcome[]): boolean =>
  outcomes.every((o) => o.status !== 'withdrawal_pending' && o.status !== 'failed');

/** The outcome a duplicate is withdrawn with. */
const duplicateCode = (request: ScheduledRequest) =>
  `${request.mode === 'at' ? 'schedule' : 'queue'}_duplicate` as const;

/**
 * Withdraws `request`, a duplicate of `holder` (which stands, or has started), once (withdrawOnce): marked ended
 * and its pull request told by whoever marks it. `claimed`: this caller holds its claim, so it is removed too,
 * or left listed with its claim given back while another caller's withdrawal of it is pending (leavePending).
 * Not claimed (a due check elsewhere holds it): only marked, for that check to find.
 */
async function withdrawDuplicate(
  deps: DueDeps,
  where: Where,
  request: ScheduledRequest,
  holder: ScheduledRequest,
  holderIs: 'stands' | 'has started',
  claimed: boolean,
): Promise<DueOutcome> {
  const base = { id: request.id, environment: request.environment };
  const code = duplicateCode(request);
  const withdrawal = await withdrawOnce(deps.api, where, request, code, deps.appId, takeover(deps));
  if (withdrawal === 'marked')
    await reply(
      deps,
      where,
      request,
      `**Not started** (\`${code}\`): ${describeRequest(request)}: ${describeRequest(holder)} asks for the same deployment and ${holderIs}; one deployment of it is enough.`,
    );
  if (!claimed)
    return { ...base, status: withdrawal === 'pending' ? 'withdrawal_pending' : 'claimed_elsewhere' };
  if (withdrawal === 'pending') return leavePending(deps, where, request, holder);
  if (withdrawal === 'already')
    deps.info?.(
      {
        ...about(where, request),
        holder: holder.id,
      },
      ALREADY_WITHDRAWN,
    );
  await forgetRequest(deps.api, where, request);
  return { ...base, status: 'not_started', code };
}

/**
 * A claimed duplicate whose withdrawal another caller began and has not marked (withdrawOnce: pending): neither
 * marked nor told here, and not forgotten either. Its claim is given back and it stays listed, so if that
 * caller died, a due check after WITHDRAWAL_STALE_MS takes the withdrawal over, marks it and tells.
 */
async function leavePending(
  deps: DueDeps,
  where: Where,
  request: ScheduledRequest,
  holder: ScheduledRequest,
): Promise<DueOutcome> {
  deps.info?.(
    {
      ...about(where, request),
      holder: holder.id,
    },
    'a duplicate scheduled deployment another caller began withdrawing and has not marked yet: left listed; a later due check marks and removes it if that caller died',
  );
  await releaseClaim(deps.api, where, request);
  return { id: request.id, environment: request.environment, status: 'withdrawal_pending' };
}

/**
 * A claimed request that started on an earlier due check and was kept because its identical requests could not
 * all be withdrawn then (startNow): they are withdrawn now, once each, and it is removed. Failing again, it is
 * kept (its claim given back) for the next due check: one try per due check, never a loop within one.
 */
async function finishStarted(
  deps: DueDeps,
  where: Where,
  request: ScheduledRequest,
  list: ScheduleList,
): Promise<DueOutcome[]> {
  const base = { id: request.id, environment: request.environment };
  let withdrawn: DueOutcome[];
  try {
    withdrawn = await withdrawSiblings(deps, where, request, list);
  } catch (error) {
    siblingsPending(deps, where, request, error);
    await releaseClaim(deps.api, where, request);
    return [{ ...base, status: 'siblings_pending' }];
  }
  if (!settledAll(withdrawn)) {
    siblingsPending(deps, where, request, failures(withdrawn));
    await releaseClaim(deps.api, where, request);
    return [...withdrawn, { ...base, status: 'siblings_pending' }];
  }
  deps.info?.(
    about(where, request),
    'a started scheduled deployment kept until its identical requests were withdrawn: they are, it is removed',
  );
  await forgetRequest(deps.api, where, request);
  return [...withdrawn, { ...base, status: 'replayed' }];
}

/** runDue for a trigger: never fails the event it rides on (a config problem is the commands' to report). */
export async function runDueQuietly(
  deps: DueDeps,
  where: Where,
  listed?: ScheduleList,
): Promise<DueOutcome[] | { error: string }> {
  try {
    return await runDue(deps, where, listed);
  } catch (error) {
    if (error instanceof FactsError) return { error: error.code };
    deps.markers.warn(
      {
        repository: `${where.owner}/${where.repo}`,
        error: error instanceof Error ? error.message : String(error),
      },
      'checking scheduled and queued deployments failed; the next trigger tries again',
    );
    return { error: 'failed' };
  }
}
