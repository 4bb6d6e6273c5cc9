// What the requests people made mean for a rollout at a given step (issue 14). Pure: the rollout's position
// and what it waits for, the verified requests and the time in; one decision out. The pipeline machine asks
// it at every wait and between steps; reconcile asks it for a handed-off rollout.
//
// - /abort wins over everything, whenever it was made for this deployment.
// - /pause holds the rollout before its next step until a later /resume or /promote.
// - A manual step goes on after one /promote for that step; an `approval: N` step after N distinct approvers'
//   /promote for that step, less those a later `revoke` the App recorded counts out (countedApprovals); a
//   bake when its time is up, or earlier on a /promote for that step.
// - A /promote counts for the first wait at or after the step it was made at (fromStep), never a later one.
import type { ControlRequest } from './request.ts';

export type ControlGate =
  | { kind: 'manual' }
  | { kind: 'approval'; approvals: number }
  /** The step's analysis window, longer than the job waits: goes on at `until` (ms since the epoch). */
  | { kind: 'bake'; until: number };

export interface ControlInput {
  deploymentId: string;
  /** The strategy step index the rollout is at. */
  step: number;
  /**
   * The first step a /promote made earlier still counts for (default `step`): the step after the previous
   * wait, so a /promote made while the canary was still analysing 25 % ends the wait at 25 %, but never a
   * later one.
   */
  fromStep?: number;
  /** What it waits for at that step; undefined while it runs a step (only /abort and /pause matter). */
  gate?: ControlGate;
  requests: readonly ControlRequest[];
  now: number;
}

export type ControlDecision =
  | { action: 'abort'; request: ControlRequest }
  | { action: 'hold'; request: ControlRequest }
  | {
      action: 'go';
      how: 'promoted' | 'approved' | 'due' | 'not_waiting';
      /** The requests that ended the wait (the promoters), oldest first. */
      requests: ControlRequest[];
      /** A /promote --full for this step: go straight to 100 % from here. */
      full: boolean;
    }
  | {
      action: 'wait';
      kind: ControlGate['kind'];
      /** approval: the distinct approvers who promoted this step so far, and how many are needed. */
      approvers?: string[];
      need?: number;
      until?: number;
    };

/** The requests for this deployment, each id once (a redelivery counts once), oldest first. */
export function requestsFor(deploymentId: string, requests: readonly ControlRequest[]): ControlRequest[] {
  const seen = new Set<string>();
  const mine: ControlRequest[] = [];
  for (const r of requests) {
    if (r.deploymentId !== deploymentId || seen.has(r.id)) continue;
    seen.add(r.id);
    mine.push(r);
  }
  return mine.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}

/** How far the App's clock (a request's `at`) may be behind the runner's (a run's start). */
export const CONTROL_CLOCK_SKEW_MS = 5_000;

/**
 * The requests made since this run's rollout began (`since`, ms since the epoch). A re-run of a job keeps its
 * deployment, so it reads the requests people made of the earlier attempt: their /promote would end its waits
 * unasked, their approvals count again, their /abort end it at once. A resumed rollout (reconcile) passes
 * the start of the rollout it goes on with, whose requests still count.
 */
export function requestsSince(requests: readonly ControlRequest[], since: number): ControlRequest[] {
  return requests.filter((r) => !(Date.parse(r.at) < since - CONTROL_CLOCK_SKEW_MS));
}

/** The check run a button's request was pressed on (its id is `button:<check run id>:…`); none for another. */
export function pressedCheckRunOf(request: Pick<ControlRequest, 'id' | 'source'>): number | undefined {
  if (request.source !== 'button') return undefined;
  const m = /^button:([1-9][0-9]{0,19}):/.exec(request.id);
  return m ? Number(m[1]) : undefined;
}

/**
 * The /pause that supersedes a Promote or Resume press (`button_superseded`, docs/control.md): one recorded
 * in a check run newer than the one the button was pressed on, and that comes before the press in either
 * order a reader may use: recorded in an older check run than the press (a press not recorded yet, as the
 * App judges it, comes after every request it has read), or dated no later than it (the latest of /pause,
 * /resume and /promote by date decides). GitHub dates no press, so a press is only known to come after its
 * own check run was written: one made before that /pause and handled after it (two App replicas reading the
 * requests at once, a slow or repeated delivery) would otherwise undo it. Check run ids grow with creation,
 * so the first order is GitHub's whatever the replicas' clocks say; the second keeps a press recorded first
 * but dated later by its replica from being read as the latest. A press before the /pause in both orders does
 * not undo it, and still counts for its wait once the rollout is resumed. The App refuses such a press, and
 * the runner, reconcile and the App's reply leave one recorded anyway out (withoutSupersededPresses), so
 * none of them can disagree. `requests`: the rollout's own (a /pause of an earlier attempt holds nothing);
 * `recordedIn`: the poll's (request id → the check run it was read from).
 */
export function pauseSupersedingPress(
  press: Pick<ControlRequest, 'verb'> & { id?: string; at?: string; pressedCheckRun: number | undefined },
  requests: readonly ControlRequest[],
  recordedIn: ReadonlyMap<string, number> | undefined,
): ControlRequest | undefined {
  const pressed = press.pressedCheckRun;
  if ((press.verb !== 'promote' && press.verb !== 'resume') || pressed === undefined || !recordedIn)
    return undefined;
  // A press not recorded yet (the App judging it) comes after every request read, by check run and by date.
  const recorded = (press.id === undefined ? undefined : recordedIn.get(press.id)) ?? Infinity;
  const at = press.at === undefined ? Infinity : Date.parse(press.at);
  return requests.find((r) => {
    const pauseRun = r.verb === 'pause' ? recordedIn.get(r.id) : undefined;
    if (pauseRun === undefined || pauseRun <= pressed) return false;
    return pauseRun < recorded || !(Date.parse(r.at) > at);
  });
}

/** The requests without the Promote and Resume presses a later /pause supersedes (pauseSupersedingPress). */
export function withoutSupersededPresses(
  requests: readonly ControlRequest[],
  recordedIn: ReadonlyMap<string, number> | undefined,
): ControlRequest[] {
  if (!recordedIn) return [...requests];
  return requests.filter(
    (r) =>
      !pauseSupersedingPress(
        { verb: r.verb, id: r.id, at: r.at, pressedCheckRun: pressedCheckRunOf(r) },
        requests,
        recordedIn,
      ),
  );
}

/** The order the signed words of one wait are read in: by their signed `at`, at the same instant by id. */
export function signedOrder(a: ControlRequest, b: ControlRequest): number {
  return Date.parse(a.at) - Date.parse(b.at) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * The approvals that count at an `approval: N` wait, from its requests (each id once): per person (login,
 * case-insensitively), the latest signed word decides. An approver's /promote counts them in; a `revoke` the
 * App recorded when it found them no longer qualified counts them out, until a /promote of theirs recorded
 * after it. A /promote that is no approval (`approver` not true) changes nothing. Each counted person's
 * request is the first approving /promote since their last revocation; oldest first.
 */
export function countedApprovals(requests: readonly ControlRequest[]): ControlRequest[] {
  const counted = new Map<string, ControlRequest>();
  for (const r of [...requests].sort(signedOrder)) {
    const who = r.by.toLowerCase();
    if (r.verb === 'revoke') counted.delete(who);
    else if (r.verb === 'promote' && r.approver === true && !counted.has(who)) counted.set(who, r);
  }
  return [...counted.values()].sort(signedOrder);
}

export function decideControl(input: ControlInput): ControlDecision {
  const requests = requestsFor(input.deploymentId, input.requests);
  const abort = requests.find((r) => r.verb === 'abort');
  if (abort) return { action: 'abort', request: abort };

  const from = Math.min(input.fromStep ?? input.step, input.step);
  const forThisWait = (r: ControlRequest) => r.step >= from && r.step <= input.step;
  const promotes = requests.filter((r) => r.verb === 'promote' && forThisWait(r));
  // The latest of /pause, /resume and /promote decides whether the rollout is held: a /promote made after a
  // /pause goes on (whatever step it was for), one made before it does not undo it.
  const holdOrGo = requests.filter((r) => r.verb === 'pause' || r.verb === 'resume' || r.verb === 'promote');
  const last = holdOrGo.at(-1);
  if (last?.verb === 'pause') return { action: 'hold', request: last };

  const full = promotes.some((r) => r.full === true);
  const gate = input.gate;
  if (!gate) return { action: 'go', how: 'not_waiting', requests: promotes, full };
  switch (gate.kind) {
    case 'manual':
      return promotes.length > 0
        ? { action: 'go', how: 'promoted', requests: promotes.slice(0, 1), full }
        : { action: 'wait', kind: 'manual' };
    case 'approval': {
      const approvers = countedApprovals(requests.filter(forThisWait));
      return approvers.length >= gate.approvals
        ? { action: 'go', how: 'approved', requests: approvers, full }
        : {
            action: 'wait',
            kind: 'approval',
            approvers: approvers.map((r) => r.by),
            need: gate.approvals,
          };
    }
    case 'bake':
      if (promotes.length > 0) return { action: 'go', how: 'promoted', requests: promotes.slice(0, 1), full };
      return input.now >= gate.until
        ? { action: 'go', how: 'due', requests: [], full }
        : { action: 'wait', kind: 'bake', until: gate.until };
  }
}
