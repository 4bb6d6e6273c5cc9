// Which scheduled and queued requests to act on now, and what a re-check of the policy at that moment means
// for one. Pure: the clock, the locks and the policy's answer come in as values.
//
// Per environment, in this order: a scheduled request whose time has come (the earliest first), then the
// queue (the oldest request first); every environment's schedules before any queue, the schedules in time
// order and the queues in the order asked across environments. At most one request per
// environment is started per pass: starting it takes the environment's lock, so the next one waits for that
// deployment to end. A request whose run changes a staging environment first is held by that environment's
// lock as by its own (app/deploy/start.ts), one a start in the same pass takes included.
import { blockingLock } from '../locks.ts';
import type { LockInfo, Locks } from '../locks.ts';
import type { PolicyRefusalCode } from '../../src/policy/index.ts';
import type { ScheduledRequest } from './record.ts';

/**
 * A scheduled request found this long after its time is not started: a deployment hours after the time
 * people were told surprises them (the App was down, the reconcile workflow did not run). Scheduled
 * workflows on GitHub can be late by tens of minutes, so the bound is generous.
 */
export const MISSED_AFTER_MS = 2 * 3_600_000;

/**
 * A claim on a scheduled request this long after its time is left by a replica that died mid-start (a start
 * takes seconds; by MISSED_AFTER_MS the request is dropped anyway): it is taken back, so the request is
 * dropped and the PR told instead of the request being skipped as claimed on every trigger forever. The hour
 * past MISSED_AFTER_MS keeps it clear of a start that really is under way.
 */
export const STALE_CLAIM_AFTER_MS = MISSED_AFTER_MS + 3_600_000;

/** Whether a claim on `request` can only be one left by a replica that died (see STALE_CLAIM_AFTER_MS). */
export function claimIsStale(request: ScheduledRequest, now: Date): boolean {
  return request.mode === 'at' && now.getTime() - request.at!.getTime() > STALE_CLAIM_AFTER_MS;
}

export type DueDecision =
  | {
      action: 'wait';
      request: ScheduledRequest;
      /** not due yet; queued behind a lock; queued behind an earlier request or a due schedule. */
      code: 'schedule_not_due' | 'queue_locked' | 'queue_behind';
      lock?: LockInfo;
    }
  /** Claim it, check the policy again now, and start it if allowed (startCheck says what a refusal means). */
  | { action: 'start'; request: ScheduledRequest; code: 'schedule_due' | 'queue_next' }
  | {
      action: 'drop';
      request: ScheduledRequest;
      /** Too late (MISSED_AFTER_MS); its environment locked at its time; another request was started first. */
      code: 'schedule_missed' | 'schedule_locked' | 'schedule_behind';
      lock?: LockInfo;
    };

const byTime = (a: ScheduledRequest, b: ScheduledRequest): number =>
  a.at!.getTime() - b.at!.getTime() || a.id.localeCompare(b.id, 'en', { numeric: true });
const byAsked = (a: ScheduledRequest, b: ScheduledRequest): number =>
  a.requestedAt.getTime() - b.requestedAt.getTime() || a.id.localeCompare(b.id, 'en', { numeric: true });

/**
 * What to do with every request now. `locks` as read just before; the global lock holds every environment.
 * `stagingOf`: the staging environment a request's run changes first (config's `staging`, for its type), whose
 * lock stops it as its own environment's does.
 */
export function dueDecisions(
  requests: readonly ScheduledRequest[],
  locks: Locks,
  now: Date,
  stagingOf: (request: ScheduledRequest) => string | undefined = () => undefined,
): DueDecision[] {
  const lockFor = (request: ScheduledRequest): LockInfo | undefined => {
    const staging = stagingOf(request);
    return (
      blockingLock(locks, request.environment, request.requestedBy) ??
      (staging !== undefined ? blockingLock(locks, staging, request.requestedBy) : undefined)
    );
  };
  const out: DueDecision[] = [];
  const byEnvironment = new Map<string, ScheduledRequest[]>();
  for (const r of requests) {
    const key = r.environment.toLowerCase();
    byEnvironment.set(key, [...(byEnvironment.get(key) ?? []), r]);
  }
  // The environments whose locks the starts decided in this pass take (each one's own and its staging
  // environment's): a queued request that would meet one of them at its start waits behind it, unclaimed and
  // unchecked, as it waits under a lock already held, not checked against the policy now and dropped.
  const taken = new Set<string>();
  const locksOf = (request: ScheduledRequest): string[] =>
    [request.environment, stagingOf(request)].flatMap((e) => (e === undefined ? [] : [e.toLowerCase()]));
  const take = (request: ScheduledRequest): void => locksOf(request).forEach((e) => taken.add(e));
  // Every environment's due schedules first (their time is the one moment they may start), then the queues.
  // The schedules in time order across environments, as they are started: of two due in one pass that need one
  // lock (a staging environment), the earlier one's start takes it and the later one's start meets it.
  const started = new Set<string>();
  for (const request of requests.filter((r) => r.mode === 'at').sort(byTime)) {
    const key = request.environment.toLowerCase();
    const due = request.at!.getTime() <= now.getTime();
    if (!due) {
      out.push({ action: 'wait', request, code: 'schedule_not_due' });
      continue;
    }
    if (now.getTime() - request.at!.getTime() > MISSED_AFTER_MS) {
      out.push({ action: 'drop', request, code: 'schedule_missed' });
      continue;
    }
    // Its time is the one moment it may start: a lock then is a refusal, not a reason to wait for later. One
    // taken by another environment's start in this pass (their staging environment) is met by its own start,
    // which names it.
    const lock = lockFor(request);
    if (lock) out.push({ action: 'drop', request, code: 'schedule_locked', lock });
    else if (started.has(key)) out.push({ action: 'drop', request, code: 'schedule_behind' });
    else {
      out.push({ action: 'start', request, code: 'schedule_due' });
      started.add(key);
      take(request);
    }
  }
  // The queues in the order asked across environments: of two that need one lock (a staging environment),
  // the one asked first starts. Listed per environment, as the queue of each starts.
  const queued = requests.filter((r) => r.mode === 'queue');
  const decided = new Map<ScheduledRequest, DueDecision>();
  for (const request of [...queued].sort(byAsked)) {
    const lock = lockFor(request);
    if (locksOf(request).some((e) => taken.has(e)))
      decided.set(request, { action: 'wait', request, code: 'queue_behind' });
    else if (lock) decided.set(request, { action: 'wait', request, code: 'queue_locked', lock });
    else {
      decided.set(request, { action: 'start', request, code: 'queue_next' });
      take(request);
    }
  }
  for (const list of byEnvironment.values())
    for (const request of list.filter((r) => r.mode === 'queue').sort(byAsked))
      out.push(decided.get(request)!);
  return out;
}

/** The queue of one environment in the order it starts (what /status shows and a new place is counted in). */
export function queueOrder(requests: readonly ScheduledRequest[], environment: string): ScheduledRequest[] {
  return requests
    .filter((r) => r.mode === 'queue' && r.environment.toLowerCase() === environment.toLowerCase())
    .sort(byAsked);
}

/** What the start of a due request came to, with its stable code (`<mode>_<what>`). */
export type StartCode =
  | 'schedule_started'
  | 'queue_started'
  | `schedule_${PolicyRefusalCode}`
  | `queue_${PolicyRefusalCode}`
  | 'schedule_pr_closed'
  | 'queue_pr_closed'
  | 'schedule_locked'
  | 'queue_locked'
  | 'schedule_too_many_comments'
  | 'queue_too_many_comments'
  | 'schedule_approvals_ledger_full'
  | 'queue_approvals_ledger_full'
  /** Another request asking the same deployment holds its ask (store.ts): one of them is enough. */
  | 'schedule_duplicate'
  | 'queue_duplicate';

const prefix = (request: ScheduledRequest): 'schedule' | 'queue' =>
  request.mode === 'at' ? 'schedule' : 'queue';

/**
 * The policy's answer at the moment of starting, as this request's outcome: `start` when allowed, else the
 * refusal under the request's own prefix (`schedule_outside_window`, `queue_needs_approvals`, ...). A request
 * whose pull request is closed is never started. Pure.
 */
export function startCheck(
  request: ScheduledRequest,
  facts: { prOpen: boolean; policy: { ok: true } | { ok: false; code: PolicyRefusalCode } },
): { start: true } | { start: false; code: StartCode } {
  if (!facts.prOpen) return { start: false, code: `${prefix(request)}_pr_closed` };
  if (!facts.policy.ok) return { start: false, code: `${prefix(request)}_${facts.policy.code}` };
  return { start: true };
}

export const startedCode = (request: ScheduledRequest): StartCode => `${prefix(request)}_started`;

/** Who may cancel a request: the person who asked, or a deployer of its environment (decided by the caller). */
export function mayCancel(
  request: ScheduledRequest,
  login: string,
  isDeployer: boolean,
): { ok: true; as: 'requester' | 'deployer' } | { ok: false; code: 'not_allowed' } {
  if (request.requestedBy.toLowerCase() === login.toLowerCase()) return { ok: true, as: 'requester' };
  return isDeployer ? { ok: true, as: 'deployer' } : { ok: false, code: 'not_allowed' };
}
