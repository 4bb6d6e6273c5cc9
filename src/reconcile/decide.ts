// What reconcile should do for one environment, decided from its record alone (issue 13 part 6). Pure: the
// record, what became of the rollout's owner, the time and the environment's `on_orphan` in; one decision
// with a stable reason code out. run.ts performs it.
import { countedRequests, decideRollout, lastHoldOrGo, PAUSED_ON_FAILURE } from '../control/rollout.ts';
import type { OnOrphan } from '../config/schema.ts';
import {
  dueForTeardown,
  waitsHandedOff,
  type EnvironmentRecord,
  type Release,
  type RetiredSlot,
  type Rollout,
} from '../state/record.ts';
import type { Step } from '../strategies/types.ts';
import type { ControlRequest } from '../control/request.ts';
import type { Handoff } from '../pipeline/machine.ts';
import { decideAfterSuccess, type AfterSuccessDecision } from './after-success.ts';

/** What became of the workflow run (or CLI process) that owns a rollout. */
export type OwnerStatus =
  | { state: 'running' }
  /** `conclusion` is GitHub's (success, failure, cancelled, ...), `not_found`, or absent for a process. */
  | { state: 'ended'; conclusion?: string }
  /**
   * Could not be told (another host, the API failed): nothing is done on a guess. `commandsLeft`: a process
   * owner of this host that ended, with commands it started still running (reconcile/owner.ts).
   */
  | { state: 'unknown'; reason: string; commandsLeft?: number[] };

export type ReconcileDecision =
  /**
   * No rollout, no retired slot due, no delayed hook due; `nextDueAt` says when the next teardown falls due, if
   * any; `afterSuccess` what became of the delayed hook (waiting, or why it is not run) when one is configured.
   */
  | {
      code: 'nothing_due';
      nextDueAt?: string;
      afterSuccess?: Exclude<AfterSuccessDecision, { kind: 'run' }>;
    }
  /** Retired slots whose delay has passed (never one before its `dueAt`). */
  | { code: 'teardown'; slots: RetiredSlot[] }
  /** The live release has served `hooks.after_success.after` since it succeeded, and its hook never ran. */
  | { code: 'after_success'; release: Release; dueAt: string }
  /** The owner ended without finishing: run `rollout.recovery` to put all traffic back on stable. */
  | { code: 'orphan_rollback'; rollout: Rollout; steps: Step[]; conclusion?: string }
  /** The owner ended without finishing and the environment asks to go on from where it stopped. */
  | { code: 'orphan_resume'; rollout: Rollout; conclusion?: string }
  /** The owner is still at work: it, not reconcile, writes this record. */
  | { code: 'owner_running'; rollout: Rollout }
  | { code: 'owner_unknown'; rollout: Rollout; reason: string; commandsLeft?: number[] }
  /**
   * The owning run succeeded, yet the record still shows its rollout: an old record replayed (or a lost
   * final write). Rolling back would undo a good deployment, so nothing is done and it is reported.
   */
  | { code: 'stale'; rollout: Rollout; refusal: 'state_stale' }
  /**
   * The job handed the rollout off to wait (issue 14; `rollout.wait.handedOff`): not an orphan. It still waits
   * (for people, or a bake not yet due): nothing is done, except a look at a bake's metrics (`look`).
   */
  | { code: 'waiting'; rollout: Rollout; why: string; look: boolean }
  /** Its wait ended (promoted, approved, resumed, the bake is due) or it was aborted: a new run goes on. */
  | { code: 'handoff'; rollout: Rollout; handoff: Handoff };

export interface DecideInput {
  record: EnvironmentRecord;
  /** Required when the record has a rollout; ignored otherwise. Missing counts as unknown. */
  owner?: OwnerStatus;
  now: Date;
  onOrphan?: OnOrphan;
  /** The /promote, /pause, /resume and /abort requests read for a handed-off rollout (issue 14). */
  requests?: readonly ControlRequest[];
  /** The check run each request was read from (ControlPoll's `recordedIn`): see countedRequests. */
  recordedIn?: ReadonlyMap<string, number>;
  /** The environment's `hooks.after_success` (its delay), if any. */
  afterSuccess?: { afterMs: number };
  /**
   * The real time, when `now` is a later one (`--at`): the delayed hook is judged by it alone. `--at` retires
   * a slot early or rehearses a run; a contract migration (drop columns) must not run early by either.
   */
  realNow?: Date;
}

export function decide({
  record,
  owner,
  now,
  onOrphan = 'rollback',
  requests = [],
  recordedIn,
  afterSuccess,
  realNow,
}: DecideInput): ReconcileDecision {
  const rollout = record.rollout;
  if (rollout && waitsHandedOff(rollout)) {
    // A record in a state directory (repository `local`) is steered by the command line's verbs.
    const cli = record.repository === 'local';
    const say = (verb: 'promote' | 'resume') =>
      cli ? `deploy-action ${verb} -e ${record.environment}` : `/${verb}`;
    return handedOff(rollout, requests, now, recordedIn, say);
  }
  if (rollout) {
    // While a rollout is in the record, only its fate is decided: the owner writes the record while it runs,
    // and a retired slot may be the very slot the rollout deploys to. Teardowns wait for the next pass.
    const status = owner ?? { state: 'unknown', reason: 'the owner was not looked up' };
    if (status.state === 'running') return { code: 'owner_running', rollout };
    if (status.state === 'unknown')
      return {
        code: 'owner_unknown',
        rollout,
        reason: status.reason,
        ...(status.commandsLeft ? { commandsLeft: status.commandsLeft } : {}),
      };
    if (status.conclusion === 'success') return { code: 'stale', rollout, refusal: 'state_stale' };
    if (onOrphan === 'resume') return { code: 'orphan_resume', rollout, conclusion: status.conclusion };
    return { code: 'orphan_rollback', rollout, steps: rollout.recovery, conclusion: status.conclusion };
  }
  const due = dueForTeardown(record, now);
  if (due.length > 0) return { code: 'teardown', slots: due };
  // After the teardowns: the old slot goes first, the contract step once nothing else is due.
  const hook = decideAfterSuccess({ record, hook: afterSuccess, now: realNow ?? now });
  if (hook.kind === 'run') return { code: 'after_success', release: hook.release, dueAt: hook.dueAt };
  const next = record.retired
    .map((r) => r.dueAt)
    .sort((a, b) => Date.parse(a) - Date.parse(b))
    .at(0);
  return {
    code: 'nothing_due',
    ...(next ? { nextDueAt: next } : {}),
    ...(hook.kind === 'skip' && hook.reason === 'not_configured' ? {} : { afterSuccess: hook }),
  };
}

/** A handed-off rollout: what the requests and the time say about its wait. */
function handedOff(
  rollout: Rollout,
  read: readonly ControlRequest[],
  now: Date,
  recordedIn: ReadonlyMap<string, number> | undefined,
  /** The command that does `verb` for whoever steers the rollout ("/promote", "deploy-action promote -e x"). */
  say: (verb: 'promote' | 'resume') => string,
): ReconcileDecision {
  const wait = rollout.wait!;
  // The requests that count, as the App's reply counts them (countedRequests): this rollout's only (one an
  // earlier attempt of a re-run job made counts for nothing), without a press a later /pause supersedes, and
  // on a failed batch's hold only those made since it began.
  const requests = countedRequests(rollout, read, recordedIn);
  const d = decideRollout(rollout, read, now.getTime(), recordedIn);
  switch (d.action) {
    case 'abort':
      return {
        code: 'handoff',
        rollout,
        handoff: { kind: 'abort', by: d.request.by, reason: d.request.reason ?? '', code: 'rollout_aborted' },
      };
    case 'held':
      // A hold the record shows stays a hold until a /resume is seen (the requests could not be read, the
      // /pause is not among them, or it is a failed batch's, which only a request made since it began ends).
      return {
        code: 'waiting',
        rollout,
        why:
          wait.by === PAUSED_ON_FAILURE
            ? `paused at step ${wait.step + 1}, where a batch failed (on_failure: pause): /resume runs it again, /abort rolls back`
            : `paused${wait.by ? ` by ${wait.by}` : ''} at step ${wait.step + 1}: /resume goes on`,
        look: false,
      };
    case 'go': {
      // A hold ends with /resume (or a /promote for its step): whoever made the latest of those.
      const last = lastHoldOrGo(rollout, requests);
      const resumer = last && last.verb !== 'pause' ? last : undefined;
      const how = wait.kind === 'hold' || d.how === 'not_waiting' ? 'resumed' : d.how;
      const by = d.requests.length
        ? d.requests.map((r) => r.by)
        : how === 'resumed' && resumer
          ? [resumer.by]
          : [];
      return { code: 'handoff', rollout, handoff: { kind: 'go', how, by, full: d.full } };
    }
    case 'hold':
      return {
        code: 'waiting',
        rollout,
        why: `paused by ${d.request.by} at step ${wait.step + 1}: ${say('resume')} goes on`,
        look: wait.kind === 'bake',
      };
    case 'wait':
      return {
        code: 'waiting',
        rollout,
        why:
          d.kind === 'bake'
            ? `baking until ${wait.until}`
            : d.kind === 'approval'
              ? `waiting for ${(d.need ?? 1) - (d.approvers?.length ?? 0)} more approval(s) of ${d.need ?? 1}${d.approvers?.length ? ` (so far: ${d.approvers.join(', ')})` : ''}`
              : `waiting for ${say('promote')} at step ${wait.step + 1}`,
        look: wait.kind === 'bake',
      };
  }
}
