// What a recorded rollout means for control requests (issue 14), shared by the App, the CLI verbs and
// reconcile: the gate its wait is, the step a new request is for, and whether a /pause holds it. Pure.
import type { Rollout, RolloutWait } from '../state/record.ts';
import {
  countedApprovals,
  decideControl,
  requestsFor,
  requestsSince,
  withoutSupersededPresses,
  type ControlDecision,
  type ControlGate,
} from './decide.ts';
import type { ControlRequest, ControlVerb, RequestVerb } from './request.ts';
import { countingFrom } from './counting-from.ts';

/** What the record's wait waits for, as decideControl takes it; a hold (a /pause) is no gate of its own. */
export function gateOf(wait: RolloutWait | undefined): ControlGate | undefined {
  switch (wait?.kind) {
    case 'manual':
      return { kind: 'manual' };
    case 'approval':
      return { kind: 'approval', approvals: wait.approvals ?? 1 };
    case 'bake': {
      const until = wait.until ? Date.parse(wait.until) : Number.NaN;
      // A bake without a readable end never goes on by itself: only a person ends it.
      return { kind: 'bake', until: Number.isFinite(until) ? until : Number.POSITIVE_INFINITY };
    }
    default:
      return undefined;
  }
}

/** The strategy step a request is for: the one the rollout waits at, else the one it runs. */
export const stepOf = (rollout: Rollout): number => rollout.wait?.step ?? rollout.step;

/**
 * The requests made of this rollout: for its deployment, since it began (a re-run of the deployment's job is a
 * new rollout; what people asked of the earlier attempt is not asked of it).
 */
export function requestsOf(rollout: Rollout, requests: readonly ControlRequest[]): ControlRequest[] {
  const since = Date.parse(rollout.startedAt);
  return requestsFor(
    rollout.deploymentId,
    Number.isFinite(since) ? requestsSince(requests, since) : requests,
  );
}

/** `by` of the hold the rolling strategy's `on_failure: pause` takes up when a batch fails (no /pause made it). */
export const PAUSED_ON_FAILURE = 'on_failure: pause';

/** When the hold taken up on a failed batch (`on_failure: pause`) began, in ms; NaN when there is none. */
export function failureHoldSince(rollout: Rollout): number {
  const wait = rollout.wait;
  return wait?.kind === 'hold' && wait.by === PAUSED_ON_FAILURE ? Date.parse(wait.since) : Number.NaN;
}

/**
 * The earliest time a request made of this rollout now may carry, in ms (-Infinity: any): its start and, held
 * on a failed batch, the hold's start. Whoever reads the rollout to make a request makes it after both; dated
 * before either (its machine's clock behind the one that recorded them) it would count for nothing
 * (requestsOf, countedRequests), an /abort included.
 */
export function earliestRequestAt(rollout: Rollout): number {
  return Math.max(
    ...[Date.parse(rollout.startedAt), failureHoldSince(rollout)].filter((ms) => Number.isFinite(ms)),
    Number.NEGATIVE_INFINITY,
  );
}

/**
 * The latest /pause, /resume or /promote of this rollout: it decides whether it is held. A hold taken up on a
 * failed batch (`on_failure: pause`) is ended only by a request made after it began: a /promote or /resume
 * made before the batch failed does not run it again.
 */
export function lastHoldOrGo(
  rollout: Rollout,
  requests: readonly ControlRequest[],
): ControlRequest | undefined {
  const since = failureHoldSince(rollout);
  return requestsOf(rollout, requests)
    .filter((r) => r.verb === 'pause' || r.verb === 'resume' || r.verb === 'promote')
    .filter((r) => !(Date.parse(r.at) < since))
    .at(-1);
}

const HOLD_OR_GO: ReadonlySet<RequestVerb> = new Set(['pause', 'resume', 'promote']);

/**
 * The requests that count for this rollout, as the App's reply, the runner and reconcile count them: its own
 * (requestsOf), without a Promote or Resume press that a /pause recorded after its check run supersedes
 * (withoutSupersededPresses; `recordedIn` is the poll's), and while it is held on a failed batch
 * (`on_failure: pause`) without a /pause, /resume or /promote made before the hold began (lastHoldOrGo).
 */
export function countedRequests(
  rollout: Rollout,
  requests: readonly ControlRequest[],
  recordedIn?: ReadonlyMap<string, number>,
): ControlRequest[] {
  const since = failureHoldSince(rollout);
  return withoutSupersededPresses(requestsOf(rollout, requests), recordedIn).filter(
    (r) => !(HOLD_OR_GO.has(r.verb) && Date.parse(r.at) < since),
  );
}

/**
 * The first step whose /promote counts at the wait the rollout is at, as the runner counts it: the one the
 * runner recorded with the wait (its fromStep), never before the step after the plan's previous wait
 * (countingFrom: a record an older version wrote may carry 0, or none), nor after the step itself.
 */
export function firstCountedStep(rollout: Rollout): number {
  const step = stepOf(rollout);
  return Math.min(countingFrom(rollout.wait?.fromStep, rollout.strategyState?.plan ?? [], step), step);
}

/**
 * The approvals any reader may count now at the `approval: N` wait the rollout waits at (countedApprovals over
 * its counted requests from firstCountedStep to that step): none when it waits for no approvals.
 */
export function approvalsCounted(
  rollout: Rollout,
  requests: readonly ControlRequest[],
  recordedIn?: ReadonlyMap<string, number>,
): ControlRequest[] {
  if (rollout.wait?.kind !== 'approval') return [];
  const step = stepOf(rollout);
  const from = firstCountedStep(rollout);
  return countedApprovals(
    countedRequests(rollout, requests, recordedIn).filter((r) => r.step >= from && r.step <= step),
  );
}

/**
 * What the requests do to a recorded rollout: decideControl over its counted requests at the step it is at,
 * counting a /promote from the step the runner counts from (firstCountedStep), and `held` for a hold the record shows (a failed batch's, or a /pause not among the requests read) that no
 * counted /resume or /promote ended: decideControl alone would say it goes on. The App answers with it and
 * reconcile acts on it, so the reply says what reconcile does.
 */
export type RolloutDecision = ControlDecision | { action: 'held'; by?: string };

export function decideRollout(
  rollout: Rollout,
  requests: readonly ControlRequest[],
  now: number,
  recordedIn?: ReadonlyMap<string, number>,
): RolloutDecision {
  const counted = countedRequests(rollout, requests, recordedIn);
  const wait = rollout.wait;
  const d = decideControl({
    deploymentId: rollout.deploymentId,
    step: stepOf(rollout),
    // A record showing neither (none the runner writes): only the wait's own step, never a /promote that may
    // have ended an earlier wait.
    ...(wait?.fromStep !== undefined || rollout.strategyState?.plan
      ? { fromStep: firstCountedStep(rollout) }
      : {}),
    gate: gateOf(wait),
    requests: counted,
    now,
  });
  if (d.action === 'go' && wait?.kind === 'hold' && !lastHoldOrGo(rollout, counted))
    return { action: 'held', ...(wait.by !== undefined ? { by: wait.by } : {}) };
  return d;
}

/**
 * The request that ended the wait a decision lets go on: its /promote, or at an `approval: N` wait the
 * approval that made N (in the signed order every reader uses). Undefined for any other decision.
 */
export function waitEndedBy(rollout: Rollout, decision: RolloutDecision): ControlRequest | undefined {
  if (decision.action !== 'go' || (decision.how !== 'promoted' && decision.how !== 'approved'))
    return undefined;
  const wait = rollout.wait;
  const n = wait?.kind === 'approval' ? (wait.approvals ?? 1) : 1;
  return decision.requests[Math.min(n, decision.requests.length) - 1];
}

/**
 * Whether a /pause holds the rollout: the latest of /pause, /resume and /promote decides (a /promote made
 * after a /pause goes on); with none of them, the record's own wait (a hold the runner already took up).
 */
export function isHeld(rollout: Rollout, requests: readonly ControlRequest[]): boolean {
  const last = lastHoldOrGo(rollout, requests);
  return last ? last.verb === 'pause' : rollout.wait?.kind === 'hold';
}

/** Why a verb has nothing to act on where the rollout is (see `idleFor`). */
export type IdleRollout =
  | { code: 'rolling_back' }
  | { code: 'already_aborted'; request: ControlRequest }
  | { code: 'staging_rollout' }
  | { code: 'past_last_step'; phase: 'verify' | 'monitor' };

/**
 * Where the rollout is leaves nothing for `verb` to act on: it rolls back already (its phase, or an /abort of
 * it recorded), it is the staging phase of a deployment (only the production rollout reads its requests), or
 * it is past its last step (verify, monitor) and waits for nobody, so only /abort still acts. A request there
 * would be recorded and never read.
 */
export function idleFor(
  verb: ControlVerb,
  rollout: Rollout,
  requests: readonly ControlRequest[],
): IdleRollout | undefined {
  if (rollout.phase === 'rollback') return { code: 'rolling_back' };
  const aborted = requestsOf(rollout, requests).find((r) => r.verb === 'abort');
  if (aborted) return { code: 'already_aborted', request: aborted };
  if (rollout.phase === 'staging') return { code: 'staging_rollout' };
  if ((rollout.phase === 'verify' || rollout.phase === 'monitor') && !rollout.wait && verb !== 'abort')
    return { code: 'past_last_step', phase: rollout.phase };
  return undefined;
}

/**
 * The `approval: N` waits a /promote --full made now would pass: every one ahead of where the rollout is
 * (the one it waits at is decided by its own approvers). `undefined` when the record does not show the plan.
 */
export function approvalWaitsAhead(rollout: Rollout): Array<{ index: number; at: string }> | undefined {
  const plan = rollout.strategyState?.plan;
  if (!plan) return undefined;
  return approvalStepsAhead(plan, stepOf(rollout), rollout.wait?.kind);
}

/**
 * approvalWaitsAhead over a plan: the `approval: N` wait steps after step `here`, and `here` itself unless
 * the rollout waits there for those approvers. The pipeline's own wait reports use it too, so the commands
 * they offer (no `--full` then) are the ones the App and the CLI accept.
 */
export function approvalStepsAhead(
  plan: ReadonlyArray<{ step: unknown }>,
  here: number,
  waiting: RolloutWait['kind'] | undefined,
): Array<{ index: number; at: string }> {
  const ahead: Array<{ index: number; at: string }> = [];
  plan.forEach((p, index) => {
    const step = p.step as { kind: string; gate?: unknown; at?: unknown };
    if (step.kind !== 'wait' || step.gate !== 'approval') return;
    if (index > here || (index === here && waiting !== 'approval'))
      ahead.push({ index, at: typeof step.at === 'string' ? step.at : `step ${index + 1}` });
  });
  return ahead;
}
