// The pipeline machine's data (DESIGN.md §9a): its input, the events it is fed, the actions it asks for, and
// the state it carries from one event to the next. Plain types (and one message) only: every other part of the
// machine imports them, and this file imports none of those parts.
import type { ResolvedEnvironment } from '../../config/resolve.ts';
import type { GatesReport } from '../../gates/runner.ts';
import type { LiveState } from '../../strategies/capabilities.ts';
import type { SequenceState } from '../../strategies/sequence.ts';
import type { ControlGate } from '../../control/decide.ts';
import type { ControlRequest } from '../../control/request.ts';
import type { LookBack, Step, StepResult } from '../../strategies/types.ts';
import type {
  EnvironmentRecord,
  RefusalCode,
  RetiredSlot,
  RolloutOwner,
  RolloutWait,
} from '../../state/record.ts';
import type {
  DecisionRecord,
  PhaseId,
  PhaseRecord,
  PipelineEvent,
  PipelineResult,
  RollbackRecord,
  StepRecord,
  WaitRecord,
} from '../events.ts';

/** The failure message of a run whose job was cancelled. */
export const CANCELLED = 'the job was cancelled';

/**
 * The failure of a run whose cancellation came: the job's (a signal), or an internal error that stopped the run
 * (the process crashed and its crash handler cancelled the run, util/crash-guard.ts) — said as that, not as a
 * cancelled job.
 */
export function cancelledFailure(s: Pick<PipelineState, 'stoppedBy'>): Failure {
  return {
    kind: 'cancelled',
    message: s.stoppedBy === undefined ? CANCELLED : `stopped by an internal error: ${s.stoppedBy}`,
  };
}

/** Who stopped the run, in a message's words: the job (a signal) or the crash handler (an internal error). */
export function stoppedWords(s: Pick<PipelineState, 'stoppedBy'>): string {
  return s.stoppedBy === undefined ? 'the job was cancelled' : 'the run was stopped';
}

export type TrackId = 'staging' | 'production';

/** The environment record as read: believed, or refused with its reason code. */
export type StoredRecord =
  | { ok: true; record: EnvironmentRecord | undefined }
  | { ok: false; code: RefusalCode; message: string; source: string; kept?: string; newer?: true };

export interface MachineInput {
  /** When the run started (ms since the epoch). */
  now: number;
  env: ResolvedEnvironment;
  /** The staging environment, resolved, when `env.staging` names one and it is not skipped. */
  staging?: ResolvedEnvironment;
  version: string;
  sha?: string;
  /** The GitHub deployment id, or the run's own id: what the record says put a release there. */
  deploymentId: string;
  /** `owner/name`, or `local` for the CLI's file. */
  repository: string;
  owner: RolloutOwner;
  skipGates: boolean;
  skipStaging: boolean;
  /** Whether any gate is configured (the validate phase runs then). */
  hasGates: boolean;
  /** What is live on the production environment before the run (`current` command or record). */
  live: LiveState;
  /** Why the run cannot deploy on what it read as live (live-state.ts readLiveForRun): it is refused. */
  liveProblem?: string;
  /**
   * Whether the run looks at the live version's health (live-health.ts, seed 02) once the gates have passed,
   * before anything is touched: an unhealthy one refuses the run there (pre_deploy_health: block) or is warned
   * of. After the gates, so that a run its gates block runs no target command at all.
   */
  liveLook?: boolean;
  stored: StoredRecord;
  /**
   * Whether a long wait may end the job with the rollout handed off (issue 14): only where the record outlives
   * the job and something resumes it (the Action with the record on GitHub, reconcile). Otherwise (the CLI,
   * the Action keeping state in a runner's directory) the run waits in process however long it takes.
   */
  handOff?: boolean;
  /**
   * Whether a batch that failed under `on_failure: pause` may be left held in the record although the run
   * cannot hand off: the CLI, whose state directory outlives the run and whose `resume` and `abort` take the
   * hold up (src/cli/control.ts). Not the Action keeping its record in a runner's directory, which nobody reads
   * after the job: there the batches roll back.
   */
  holdOnFailure?: boolean;
}

// ---- events (results) and actions (things to do) -----------------------------------------------------------

/** Set on a result when the job was cancelled while the action ran. */
interface Result {
  now: number;
  cancelled?: boolean;
}

export type MachineEvent =
  /** The answer to a checkpoint: go on, or the job was cancelled (then the next action never ran). */
  | { type: 'resumed'; now: number; requests?: readonly ControlRequest[] }
  | { type: 'cancelled'; now: number }
  | ({ type: 'gates_done'; report: GatesReport; summary: string } & Result)
  /** The live version's health looked at: `refuses`, why the run stops there (nothing touched). */
  | ({ type: 'live_looked'; refuses?: string } & Result)
  | ({ type: 'state_read'; live: LiveState; liveProblem?: string; stored: StoredRecord } & Result)
  | ({ type: 'prepared' } & Result)
  | ({
      type: 'step_done';
      result: StepResult;
      durationMs: number;
      /** An /abort arrived while the step ran and the executor stopped it (issue 14). */
      aborted?: ControlRequest;
      /**
       * The step was not started: the record the run waited for before it (the write-ahead recovery) could
       * not be stored, and why. Traffic never moves on a recovery that is not stored.
       */
      notStored?: string;
      /**
       * The job was cancelled by the time the step ended, even though the step was not cancellable (it ran on,
       * or the cancelled job's deadline stopped it): finalize's teardown says whether it was cut short.
       */
      signalled?: boolean;
    } & Result)
  /** The answer to `await_control`: the requests as last read; `timedOut` when the in-job wait ran out. */
  | ({ type: 'control'; requests: readonly ControlRequest[]; timedOut: boolean } & Result)
  | ({
      type: 'command_done';
      durationMs: number;
      /** The command's failure, when it failed: `commandFailed` when it ran and failed (exit code, timeout). */
      error?: { message: string; text: string; commandFailed: boolean };
      /**
       * A backup or migrate hook was not started: the rollout record the run waited for before it could not be
       * stored, and why. A hook with side effects never runs unless the record says a rollout began.
       */
      notStored?: string;
      /** The job was cancelled before the command began: it never ran. */
      notBegun?: boolean;
    } & Result)
  | ({ type: 'waited' } & Result)
  /**
   * The answer to `confirm_stored`: whether the record the run waited for just before was stored (`notStored`:
   * why not). Undefined also when the job was cancelled during the wait (the write goes on).
   */
  | {
      type: 'stored';
      now: number;
      notStored?: string;
      /** Not confirmed because the job was cancelled while the record was being stored (the write goes on). */
      cancelled?: boolean;
      /**
       * Stored, but the job was cancelled by the time the write answered: finalize starts nothing after it
       * (no teardown, no on_success), as after a signal in its wait.
       */
      signalled?: boolean;
    }
  /** An action threw something unexpected (a bug, or a resource the run depends on is gone). */
  | { type: 'error'; message: string; stack?: string; now: number };

export type CommandName =
  | 'backup'
  | 'migrate'
  | 'smoke'
  | 'on_success'
  | 'on_rollback'
  /** The verify command of on_rollback level `index`: whether that level was enough. */
  | 'on_rollback_verify';

export type Action =
  | { kind: 'report'; event: PipelineEvent }
  /** Store the record; `wait`: go on only once stored (never on the rollback path). */
  | {
      kind: 'persist';
      record: EnvironmentRecord;
      durable: boolean;
      wait: boolean;
      /**
       * Wait for the store's final answer, however long its own retries take (WriteOptions.settle): the
       * record finalize confirms before on_success and the old slot's teardown.
       */
      settle?: boolean;
    }
  /** A cancellation point: answer `cancelled` if the job was cancelled, else `resumed`. */
  | { kind: 'checkpoint' }
  | { kind: 'run_gates' }
  /** Look at the live version's health (pre_deploy_health): answer `live_looked`. */
  | { kind: 'look_live' }
  | { kind: 'read_state'; track: TrackId }
  | { kind: 'prepare'; track: TrackId; live: LiveState; before?: number }
  /**
   * `cancellable`: runs under the job's signal (rollback and finalize steps do not: they must finish).
   * `control`: while it runs, watch for an /abort of this deployment (the executor stops the step).
   */
  | { kind: 'run_step'; track: TrackId; step: Step; cancellable: boolean; control?: { deploymentId: string } }
  /**
   * Wait in the job for people (issue 14): poll the control requests until `decideControl` says go or abort
   * for this wait, the job is cancelled, or `maxMs` ran out (then the machine hands the rollout off).
   */
  | {
      kind: 'await_control';
      track: TrackId;
      deploymentId: string;
      step: number;
      fromStep: number;
      gate?: ControlGate;
      /** Absent: wait as long as it takes (no hand-off possible). */
      maxMs?: number;
    }
  | {
      kind: 'run_command';
      track: TrackId;
      command: CommandName;
      index?: number;
      label: string;
      cancellable: boolean;
    }
  | { kind: 'wait'; ms: number }
  /** Answer `stored`: whether the waited-for record written just before (the `persist` before it) was stored. */
  | { kind: 'confirm_stored' }
  /** Wait (bounded) for every record write still in flight. */
  | { kind: 'flush' }
  | { kind: 'finish'; result: PipelineResult };

// ---- state ---------------------------------------------------------------------------------------------------

export type Task =
  | { do: 'phase'; phase: PhaseId; detail?: string }
  | { do: 'end'; phase: PhaseId; detail?: string }
  | { do: 'skip'; phase: PhaseId; detail: string }
  | { do: 'checkpoint' }
  /**
   * A resumed rollout's claim (its first record, this run as its owner) must be stored before anything runs:
   * otherwise every later reconcile would take the rollout up again from the record's older position.
   */
  | { do: 'claim' }
  | { do: 'gates' }
  | { do: 'live_health' }
  | { do: 'read'; track: TrackId }
  | { do: 'rollout'; track: TrackId }
  | { do: 'hook'; track: TrackId; name: 'backup' | 'migrate' }
  /** `before`: a resumed rollout's start: the serving version's pre-deploy reading is taken as of then. */
  | { do: 'prepare'; track: TrackId; before?: number }
  /**
   * `from`: the strategy's state restored from the record (a resume), instead of its start. `as`: run the
   * recorded step again (an orphan), go on after it (a handed-off wait that ended), or take the final look of
   * a bake (its analysis, bounded by the in-job wait).
   */
  | {
      do: 'strategy';
      track: TrackId;
      phase: PhaseId;
      from?: SequenceState;
      as?: 'rerun' | 'advance' | 'final_look';
      /** final_look: the bake's window [since, until], and when the resume started. */
      bake?: { since: number; until: number; now: number };
    }
  | { do: 'smoke'; track: TrackId }
  | {
      do: 'watch';
      track: TrackId;
      phase: 'verify' | 'monitor' | 'staging';
      windowMs: number;
      /** A handed-off monitor window that resumed: judged from its start (see LookBack). */
      lookBack?: LookBack;
    }
  | { do: 'finalize'; track: TrackId; quiet: boolean }
  | { do: 'succeed' }
  /** A handed-off rollout aborted (issue 14): after `prepare` (the step runner exists), roll back. */
  | { do: 'abort'; track: TrackId; kind: 'aborted' | 'strategy'; message: string };

export interface Track {
  id: TrackId;
  environment: string;
  live: LiveState;
  record: EnvironmentRecord;
  /** The strategy's state once it started. */
  strategy?: SequenceState;
  /** This run wrote a rollout into the record. */
  rolloutStarted: boolean;
  /** That rollout is this run's own from its first step (not one taken over or resumed from another run). */
  rolloutFresh?: boolean;
  /** The rollout record has been stored durably (before the first traffic-moving step). */
  rolloutDurable: boolean;
  /**
   * The retired entry of the slot this rollout deploys into, taken out of the record when its recovery took
   * that teardown over (strategy.ts writeAhead): put back when the rollout ends with nothing started.
   */
  retiredTakenOver?: RetiredSlot;
}

export type Failure =
  | {
      kind:
        | 'blocked'
        | 'cancelled'
        | 'paused'
        | 'hook'
        | 'strategy'
        | 'refused'
        /** The live version was unhealthy before anything was touched (seed 02). */
        | 'live_unhealthy'
        | 'unfinished'
        /** A person aborted the rollout (issue 14). */
        | 'aborted'
        /** The job ended with the rollout waiting for people or a bake (issue 14). */
        | 'handed_off';
      message: string;
    }
  | { kind: 'internal'; message: string; stack?: string };

interface RollbackRun {
  track: TrackId;
  reason: string;
  /**
   * Begun before the strategy ran (a failed migrate hook, seed 04's stage-1 trigger): no traffic steps, and a
   * `verify: health` checks the slot still live (`liveSlot`; none for the strategies without slots), or is
   * not run where there is nothing to check (`nothingLive`: a first deployment, or no live slot known).
   */
  beforeStrategy?: { liveSlot?: string; nothingLive?: true };
  steps: Step[];
  index: number;
  records: StepRecord[];
  levels: RollbackRecord['levels'];
  /** The verify of the last level in `levels` is running (its run succeeded). */
  verifying?: boolean;
  startedAt: number;
  trafficRestoredMs?: number;
  stepsMs?: number;
}

/**
 * Where finalize is: confirming its record was stored, waiting out the scale-down delay, tearing down, the
 * on_success hook.
 */
export type FinalizeStage = 'stored' | 'wait' | 'claim' | 'teardown' | 'on_success';

export interface PipelineState {
  input: MachineInput;
  /**
   * The internal error (its message) that stopped the run, when its cancellation was not the job's but the
   * process's crash handler's (next()'s `stoppedBy`): the run rolls back as if cancelled and says why.
   */
  stoppedBy?: string;
  tasks: Task[];
  pc: number;
  /**
   * Sub-step of the current task: strategy (`checkpoint` before a step, `step` while it runs, `wait` while it
   * waits for people), finalize.
   */
  sub?: 'checkpoint' | 'step' | 'wait' | FinalizeStage;
  /** The wait in progress (issue 14). */
  waiting?: Waiting;
  /** Every wait of this rollout: earlier runs' (a resume) and this run's. */
  waits: WaitRecord[];
  /** The latest control requests the executor read (checkpoints and waits). */
  requests: readonly ControlRequest[];
  /** A /promote counts for the first wait at or after this step (the one after the previous wait). */
  controlFrom: number;
  /** /promote --full: straight to 100 %, no more waits. */
  full?: boolean;
  stage: PhaseId;
  openPhase?: { phase: PhaseId; at: number };
  /** Detail of the last gates or watch result, for the phase's end. */
  detail?: string;
  phases: PhaseRecord[];
  steps: StepRecord[];
  decisions: DecisionRecord[];
  rollbacks: RollbackRecord[];
  gates?: GatesReport;
  tracks: Partial<Record<TrackId, Track>>;
  /** The step the strategy asked for, awaiting its checkpoint. */
  pendingStep?: Step;
  retiring?: { slot: string; delayMs: number };
  rollback?: RollbackRun;
  failure?: Failure;
  result?: PipelineResult;
  /**
   * The backup and migrate hooks that began (ran, failed, or were stopped while running), as `<environment>'s
   * <hook>`: what they changed is not undone by a rollback, so a cancellation after them is not "before anything
   * changed".
   */
  hooksBegun?: string[];
}

/** The state a run starts from: nothing done yet, at `stage`, with `tasks` to do (a deployment's or a resume's). */
export function initialState(input: MachineInput, tasks: Task[], stage: PhaseId): PipelineState {
  return {
    input,
    tasks,
    pc: 0,
    stage,
    phases: [],
    steps: [],
    decisions: [],
    rollbacks: [],
    tracks: {},
    waits: [],
    requests: [],
    controlFrom: 0,
  };
}

/** A wait in progress: at a `wait` step, or a hold (/pause, `on_failure: pause`) before the pending step. */
export interface Waiting {
  kind: RolloutWait['kind'];
  /** The strategy step index the wait belongs to. */
  step: number;
  gate?: ControlGate;
  since: number;
  at: string;
  weight?: number;
  approvals?: number;
  by?: string;
  /** A hold `on_failure: pause` took up: why the step failed. */
  failure?: string;
}

export interface MachineTransition {
  state: PipelineState;
  actions: Action[];
}

/**
 * The task loop (loop.ts `run`), handed to the parts that go on with it after their event (the strategy's
 * steps and waits, finalize): they continue the loop without importing the module that imports them.
 */
export type Run = (s: PipelineState, out: Action[], now: number) => void;
