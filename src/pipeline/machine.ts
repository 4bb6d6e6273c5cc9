// One deployment as a pure state machine (DESIGN.md §1, §9a): `start(input)` and `next(state, event)` return
// the new state and the actions to perform; the executor (executor.ts) performs them and feeds the results
// back as events. Phases: validate → staging → production (backup/migrate hooks, then the strategy) → verify
// (smoke, analysis) → monitor → finalize. Any failure after the strategy started runs the rollback path: the
// strategy's rollback steps (traffic first), then the on_rollback levels. The strategies stay their own small
// machines (src/strategies), composed here. The outcome and its reason code come from this state, and so does
// the environment record (src/state/record.ts) written after every transition. No I/O and no clock in here:
// time comes in the input and in every event. `resume(input)` starts the machine from a persisted rollout
// whose owner died (reconcile, `on_orphan: resume`): see its section at the end.
import type { ResolvedEnvironment } from '../config/resolve.ts';
import type { GatesReport } from '../gates/runner.ts';
import { slotsFor } from '../strategies/blue-green.ts';
import type { LiveState } from '../strategies/capabilities.ts';
import { createStrategy, usesSlots, type AnyMachine } from '../strategies/index.ts';
import { advance, describeStep, heldBackInRollback, type SequenceState } from '../strategies/sequence.ts';
import { decideControl, type ControlDecision, type ControlGate } from '../control/decide.ts';
import { PAUSED_ON_FAILURE } from '../control/rollout.ts';
import type { ControlRequest } from '../control/request.ts';
import type { LookBack, Step, StepResult, Transition } from '../strategies/types.ts';
import {
  emptyRecord,
  withTransition,
  type EnvironmentRecord,
  type HistoryEntry,
  type RefusalCode,
  type Release,
  type RetiredSlot,
  type RolloutOwner,
  type RolloutWait,
} from '../state/record.ts';
import { deploymentExitCode } from '../util/exit-codes.ts';
import { rollbackShortfall, TRAFFIC_STEPS } from './rollback-shortfall.ts';
import type {
  DecisionRecord,
  OutcomeCode,
  PhaseId,
  PhaseRecord,
  PipelineEvent,
  PipelineResult,
  PipelineStatus,
  RollbackRecord,
  StepRecord,
  WaitRecord,
} from './events.ts';
import { checkResumable, type ResumePhase } from './resume-check.ts';
import { capabilitiesOf } from './step-runner.ts';

/** The longest scale-down delay the job itself waits out; longer ones keep the old slot and say so. */
export const MAX_IN_JOB_SCALE_DOWN_WAIT_MS = 10 * 60_000;

const CANCELLED = 'the job was cancelled';
/** Steps that move traffic: the rollout record must be stored before the first of them runs. */

export type TrackId = 'staging' | 'production';

/** The environment record as read: believed, or refused with its reason code. */
export type StoredRecord =
  | { ok: true; record: EnvironmentRecord | undefined }
  | { ok: false; code: RefusalCode; message: string; source: string; kept?: string };

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
  | ({ type: 'state_read'; live: LiveState; stored: StoredRecord } & Result)
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
    } & Result)
  | ({ type: 'waited' } & Result)
  /**
   * The answer to `confirm_stored`: whether the record the run waited for just before was stored (`notStored`:
   * why not). Undefined also when the job was cancelled during the wait (the write goes on).
   */
  | { type: 'stored'; now: number; notStored?: string }
  /** An action threw something unexpected (a bug, or a resource the run depends on is gone). */
  | { type: 'error'; message: string; stack?: string; now: number };

export type CommandName = 'backup' | 'migrate' | 'smoke' | 'on_success' | 'on_rollback';

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

type Task =
  | { do: 'phase'; phase: PhaseId; detail?: string }
  | { do: 'end'; phase: PhaseId; detail?: string }
  | { do: 'skip'; phase: PhaseId; detail: string }
  | { do: 'checkpoint' }
  | { do: 'gates' }
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
}

type Failure =
  | {
      kind:
        | 'blocked'
        | 'cancelled'
        | 'paused'
        | 'hook'
        | 'strategy'
        | 'refused'
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
  steps: Step[];
  index: number;
  records: StepRecord[];
  levels: RollbackRecord['levels'];
  startedAt: number;
  trafficRestoredMs?: number;
  stepsMs?: number;
}

/**
 * Where finalize is: confirming its record was stored, waiting out the scale-down delay, tearing down, the
 * on_success hook.
 */
type FinalizeStage = 'stored' | 'wait' | 'teardown' | 'on_success';

export interface PipelineState {
  input: MachineInput;
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
}

/** A wait in progress: at a `wait` step, or a hold (/pause, `on_failure: pause`) before the pending step. */
interface Waiting {
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

// ---- start ---------------------------------------------------------------------------------------------------

export function start(input: MachineInput): MachineTransition {
  const { env } = input;
  const out: Action[] = [];
  const s: PipelineState = {
    input,
    tasks: program(input),
    pc: 0,
    stage: 'validate',
    phases: [],
    steps: [],
    decisions: [],
    rollbacks: [],
    tracks: {},
    waits: [],
    requests: [],
    controlFrom: 0,
  };
  report(out, {
    type: 'start',
    environment: env.name,
    version: input.version,
    previousVersion: input.live.version,
    strategy: env.strategy.type,
    liveSlot: input.live.slot,
    staging: input.skipStaging ? undefined : env.staging,
  });
  if (env.staging && !input.skipStaging && !input.staging) {
    s.failure = {
      kind: 'internal',
      message: `the staging environment ${env.staging} was not resolved for this run`,
    };
    return { state: s, actions: finish(s, out, input.now) };
  }
  const record = believe(s, out, 'production', input.stored, input.now);
  if (isFailure(record)) {
    s.failure = record;
    return { state: s, actions: finish(s, out, input.now) };
  }
  s.tracks.production = newTrack('production', env.name, input.live, record);
  run(s, out, input.now);
  return { state: s, actions: out };
}

function program(input: MachineInput): Task[] {
  const { env, staging } = input;
  const tasks: Task[] = [];
  if (input.skipGates) tasks.push({ do: 'skip', phase: 'validate', detail: 'gates skipped for this run' });
  else if (input.hasGates)
    tasks.push({ do: 'phase', phase: 'validate' }, { do: 'gates' }, { do: 'end', phase: 'validate' });
  else tasks.push({ do: 'skip', phase: 'validate', detail: 'no gates configured' });
  tasks.push({ do: 'checkpoint' });

  if (env.staging && !input.skipStaging && staging) {
    tasks.push(
      { do: 'phase', phase: 'staging', detail: env.staging },
      { do: 'read', track: 'staging' },
      { do: 'rollout', track: 'staging' },
      { do: 'prepare', track: 'staging' },
      { do: 'strategy', track: 'staging', phase: 'staging' },
      ...(staging.smoke ? [{ do: 'smoke' as const, track: 'staging' as const }] : []),
      { do: 'watch', track: 'staging', phase: 'verify', windowMs: 0 },
      ...(staging.validationWindowMs > 0
        ? [
            {
              do: 'watch' as const,
              track: 'staging' as const,
              phase: 'staging' as const,
              windowMs: staging.validationWindowMs,
            },
          ]
        : []),
      { do: 'finalize', track: 'staging', quiet: true },
      { do: 'end', phase: 'staging', detail: `${staging.name} validated` },
    );
  } else {
    tasks.push({
      do: 'skip',
      phase: 'staging',
      detail: input.skipStaging && env.staging ? 'skipped (hotfix)' : 'no staging environment',
    });
  }
  tasks.push({ do: 'checkpoint' });

  tasks.push(
    { do: 'phase', phase: 'production', detail: env.strategy.type },
    { do: 'rollout', track: 'production' },
  );
  if (env.hooks.backup) tasks.push({ do: 'hook', track: 'production', name: 'backup' });
  if (env.hooks.migrate) tasks.push({ do: 'hook', track: 'production', name: 'migrate' });
  tasks.push(
    { do: 'prepare', track: 'production' },
    { do: 'strategy', track: 'production', phase: 'production' },
    { do: 'end', phase: 'production' },
    { do: 'phase', phase: 'verify' },
    ...(env.smoke ? [{ do: 'smoke' as const, track: 'production' as const }] : []),
    { do: 'watch', track: 'production', phase: 'verify', windowMs: 0 },
    { do: 'end', phase: 'verify' },
  );
  if (env.monitorMs > 0)
    tasks.push(
      { do: 'phase', phase: 'monitor' },
      { do: 'watch', track: 'production', phase: 'monitor', windowMs: env.monitorMs },
      { do: 'end', phase: 'monitor' },
    );
  else tasks.push({ do: 'skip', phase: 'monitor', detail: 'monitor window is 0' });
  tasks.push(
    { do: 'phase', phase: 'finalize' },
    { do: 'finalize', track: 'production', quiet: false },
    { do: 'end', phase: 'finalize' },
    { do: 'succeed' },
  );
  return tasks;
}

// ---- next ----------------------------------------------------------------------------------------------------

export function next(state: PipelineState, event: MachineEvent): MachineTransition {
  if (state.result) return { state, actions: [] };
  const s = copy(state);
  const out: Action[] = [];
  if (s.rollback) onRollbackEvent(s, out, event);
  else onEvent(s, out, event);
  return { state: s, actions: out };
}

/** A copy whose arrays and tracks may be changed without touching the state passed in. */
function copy(state: PipelineState): PipelineState {
  return {
    ...state,
    phases: [...state.phases],
    steps: [...state.steps],
    decisions: [...state.decisions],
    rollbacks: [...state.rollbacks],
    waits: [...state.waits],
    tracks: { ...state.tracks },
    rollback: state.rollback
      ? { ...state.rollback, records: [...state.rollback.records], levels: [...state.rollback.levels] }
      : undefined,
  };
}

function onEvent(s: PipelineState, out: Action[], event: MachineEvent): void {
  const task = s.tasks[s.pc]!;
  const now = event.now;
  if (event.type === 'error') return internalError(s, out, event, now);
  const cancelled = event.type === 'cancelled' || ('cancelled' in event && event.cancelled === true);
  switch (task.do) {
    case 'checkpoint':
      if (cancelled) return fail(s, out, { kind: 'cancelled', message: CANCELLED }, now);
      break;
    case 'gates': {
      if (event.type !== 'gates_done') return unexpected(s, out, task, event);
      s.gates = event.report;
      if (cancelled) return fail(s, out, { kind: 'cancelled', message: CANCELLED }, now);
      if (event.report.status === 'BLOCK')
        return fail(s, out, { kind: 'blocked', message: event.summary }, now);
      s.detail = `${event.report.status}: ${event.summary}`;
      break;
    }
    case 'read': {
      if (event.type !== 'state_read') return unexpected(s, out, task, event);
      if (cancelled) return fail(s, out, { kind: 'cancelled', message: CANCELLED }, now);
      const env = envOf(s, task.track);
      const record = believe(s, out, task.track, event.stored, now);
      if (isFailure(record)) return fail(s, out, record, now);
      s.tracks[task.track] = newTrack(task.track, env.name, event.live, record);
      break;
    }
    case 'hook': {
      if (event.type !== 'command_done') return unexpected(s, out, task, event);
      if (event.notStored !== undefined) {
        const name = envOf(s, task.track).name;
        return fail(
          s,
          out,
          {
            kind: 'refused',
            message: `the state record of ${name} could not be stored before the ${task.name} hook (${event.notStored}). Nothing was run: a hook never runs before the record says a rollout began`,
          },
          now,
        );
      }
      if (cancelled) return fail(s, out, { kind: 'cancelled', message: CANCELLED }, now);
      if (event.error)
        return fail(
          s,
          out,
          { kind: 'hook', message: `${task.name} hook failed: ${event.error.message}` },
          now,
        );
      break;
    }
    case 'prepare':
      if (event.type !== 'prepared') return unexpected(s, out, task, event);
      if (cancelled) return cancelAt(s, out, task.track, now);
      break;
    case 'strategy':
      return onStrategyEvent(s, out, task, event, cancelled);
    case 'smoke': {
      if (event.type !== 'command_done') return unexpected(s, out, task, event);
      if (cancelled)
        return failAndRollBack(s, out, task.track, { kind: 'cancelled', message: CANCELLED }, now);
      if (event.error) {
        const reason = event.error.commandFailed
          ? `smoke tests failed: ${event.error.message}`
          : event.error.text;
        return failAndRollBack(s, out, task.track, { kind: 'strategy', message: reason }, now);
      }
      break;
    }
    case 'watch': {
      if (event.type !== 'step_done') return unexpected(s, out, task, event);
      const step = watchStep(s, task);
      recordStep(s, out, task.track, task.phase, step, event.result, event.durationMs);
      if (event.aborted) return abortRollout(s, out, task.track, event.aborted, now);
      if (cancelled)
        return failAndRollBack(s, out, task.track, { kind: 'cancelled', message: CANCELLED }, now);
      if (!event.result.ok)
        return failAndRollBack(s, out, task.track, { kind: 'strategy', message: event.result.reason }, now);
      s.detail = event.result.detail ?? 'healthy';
      break;
    }
    case 'finalize':
      return onFinalizeEvent(s, out, task, event);
    default:
      return unexpected(s, out, task, event);
  }
  s.pc++;
  run(s, out, now);
}

/** Runs the tasks that need no I/O, up to the first that does (its action is the last one out). */
function run(s: PipelineState, out: Action[], now: number): void {
  for (;;) {
    const task = s.tasks[s.pc]!;
    switch (task.do) {
      case 'phase':
        s.stage = task.phase;
        s.openPhase = { phase: task.phase, at: now };
        s.detail = undefined;
        report(out, {
          type: 'phase-start',
          phase: task.phase,
          environment: s.input.env.name,
          detail: task.detail,
        });
        // The record says which phase the rollout is in (finalize writes its own record).
        if (task.phase === 'verify' || task.phase === 'monitor') {
          const rollout = track(s, 'production').record.rollout;
          if (rollout)
            persist(
              s,
              out,
              'production',
              { rollout: { ...rollout, phase: task.phase } },
              phaseEntry(s, task.phase),
              now,
              false,
            );
        }
        break;
      case 'end':
        endPhase(s, out, 'succeeded', task.detail ?? s.detail, now);
        break;
      case 'skip':
        s.stage = task.phase;
        recordPhase(s, out, {
          phase: task.phase,
          status: 'skipped',
          startedAt: iso(now),
          durationMs: 0,
          detail: task.detail,
        });
        break;
      case 'checkpoint':
        out.push({ kind: 'checkpoint' });
        return;
      case 'gates':
        out.push({ kind: 'run_gates' });
        return;
      case 'read':
        out.push({ kind: 'read_state', track: task.track });
        return;
      case 'rollout':
        startRollout(s, out, task.track, now);
        break;
      case 'hook':
        out.push({
          kind: 'run_command',
          track: task.track,
          command: task.name,
          label: task.name,
          cancellable: true,
        });
        return;
      case 'prepare':
        out.push({
          kind: 'prepare',
          track: task.track,
          live: track(s, task.track).live,
          ...(task.before !== undefined ? { before: task.before } : {}),
        });
        return;
      case 'strategy': {
        const begin = task.from ? resumedTransition(s, task, task.from) : machineOf(s, task.track).start();
        if (decide(s, out, task, begin, now)) return;
        break;
      }
      case 'smoke':
        out.push({
          kind: 'run_command',
          track: task.track,
          command: 'smoke',
          label: 'smoke',
          cancellable: true,
        });
        return;
      case 'watch': {
        if (isMonitorBake(s, task)) return handOffMonitor(s, out, task, now);
        const step = watchStep(s, task);
        stepStart(out, track(s, task.track).environment, task.phase, step);
        out.push({
          kind: 'run_step',
          track: task.track,
          step,
          cancellable: true,
          ...controlOf(s, task.track),
        });
        return;
      }
      case 'finalize':
        if (beginFinalize(s, out, task, now)) return;
        break;
      case 'succeed':
        s.failure = undefined;
        finishSuccess(s, out, now);
        return;
      case 'abort':
        failAndRollBack(s, out, task.track, { kind: task.kind, message: task.message }, now);
        return;
    }
    s.pc++;
  }
}

// ---- the strategy ----------------------------------------------------------------------------------------------

/** Reports the strategy's decision and acts on it; true when an action is out (the task goes on later). */
function decide(
  s: PipelineState,
  out: Action[],
  task: Extract<Task, { do: 'strategy' }>,
  transition: Transition<SequenceState>,
  now: number,
): boolean {
  const t = (s.tracks[task.track] = { ...track(s, task.track), strategy: transition.state });
  const m = machineOf(s, task.track);
  const { decision } = transition;
  const record: DecisionRecord = {
    at: iso(now),
    environment: t.environment,
    phase: task.phase,
    strategy: m.name,
    state: m.describe(transition.state),
    decision,
  };
  s.decisions.push(record);
  report(out, { type: 'decision', record });
  if (decision.type === 'done') {
    s.sub = undefined;
    return false;
  }
  if (decision.type === 'fail') {
    if (decision.pause) pauseOnFailure(s, out, task, decision.reason, now);
    else if (nothingStarted(s, task.track)) failUntouched(s, out, decision.reason, now);
    else failAndRollBack(s, out, task.track, { kind: 'strategy', message: decision.reason }, now);
    return true;
  }
  const step = decision.step;
  if (step.kind === 'wait') return atWaitStep(s, out, task, step, now);
  if (isBake(s, task, step)) return handOffBake(s, out, task, step, now);
  s.pendingStep = step;
  s.sub = 'checkpoint';
  out.push({ kind: 'checkpoint' });
  return true;
}

function onStrategyEvent(
  s: PipelineState,
  out: Action[],
  task: Extract<Task, { do: 'strategy' }>,
  event: MachineEvent,
  cancelled: boolean,
): void {
  const now = event.now;
  if (s.sub === 'wait') return onWaitEvent(s, out, task, event, cancelled);
  if (s.sub === 'checkpoint') {
    if (cancelled) return failAndRollBack(s, out, task.track, { kind: 'cancelled', message: CANCELLED }, now);
    if (event.type === 'resumed' && event.requests) s.requests = event.requests;
    if (controlled(s, task) && beforePendingStep(s, out, task, now)) return;
    runPending(s, out, task, now);
    return;
  }
  if (event.type !== 'step_done') return unexpected(s, out, task, event);
  const step = s.pendingStep!;
  s.pendingStep = undefined;
  recordStep(s, out, task.track, task.phase, step, event.result, event.durationMs);
  if (event.notStored !== undefined) return recoveryNotStored(s, out, task.track, event.notStored, now);
  if (event.aborted) return abortRollout(s, out, task.track, event.aborted, now);
  if (cancelled) return failAndRollBack(s, out, task.track, { kind: 'cancelled', message: CANCELLED }, now);
  const m = machineOf(s, task.track);
  if (decide(s, out, task, m.next(track(s, task.track).strategy!, event.result), now)) return;
  s.pc++;
  run(s, out, now);
}

/**
 * Before a step runs: the record says where the rollout is and how to undo it as if the step had started.
 * Only a write whose recovery changed (or the first before a step that touches the target) is durable: the
 * job waits for it, and on GitHub it is a request of its own.
 *
 * Blue-green and canary with a stable slot serving record the recovery of the whole plan (the rollback from its
 * last step) once, before the first step: their recovery only ever grows from [teardown new slot] to [route back
 * to stable, teardown new slot], and routing back to stable changes nothing while no traffic has moved, so the
 * full recovery is right at every step and no later step needs a durable write. Without a serving stable slot
 * (the first deployment) routing "back" would send traffic somewhere new, so the recovery grows as the steps
 * do. Rolling and direct keep the recovery of the steps started so far: rolling's grows a batch at a time (a
 * durable write per batch), and rolling back an instance that was never touched is not free.
 * In-process rollbacks always undo only what started (failAndRollBack).
 */
function writeAhead(s: PipelineState, out: Action[], id: TrackId, step: Step, now: number): void {
  const t = track(s, id);
  const rollout = t.record.rollout;
  if (!rollout) return;
  const strategyState = t.strategy!;
  const m = machineOf(s, id);
  const wholePlan = usesSlots(envOf(s, id).strategy) && t.live.slot !== undefined;
  const recovery = m.rollback(
    wholePlan ? { ...strategyState, index: Math.max(strategyState.index, m.plan.length - 1) } : strategyState,
  );
  const changed = JSON.stringify(recovery) !== JSON.stringify(rollout.recovery);
  // A rollback needs only the recovery; a resume (on_orphan: resume) also needs the position, or it would
  // go back to an earlier weight than the router has: there every traffic step is stored before it runs.
  const positionMatters = envOf(s, id).onOrphan === 'resume' && TRAFFIC_STEPS.has(step.kind);
  const durable = changed || positionMatters || (TRAFFIC_STEPS.has(step.kind) && !t.rolloutDurable);
  persist(
    s,
    out,
    id,
    {
      rollout: {
        ...rollout,
        step: strategyState.index,
        weight: step.kind === 'set_weight' ? step.weight : rollout.weight,
        recovery,
        strategyState,
      },
    },
    undefined,
    now,
    durable,
  );
}

// ---- control from the PR (issue 14) -----------------------------------------------------------------------------

/** People steer the production rollout only (a staging phase runs as configured). */
function controlled(s: PipelineState, task: Extract<Task, { do: 'strategy' }>): boolean {
  return task.track === 'production' && s.tracks.production?.rolloutStarted === true;
}

/** A step of the production rollout runs with the executor watching for an /abort of this deployment. */
function controlOf(s: PipelineState, id: TrackId): { control?: { deploymentId: string } } {
  return id === 'production' && s.tracks.production?.rolloutStarted
    ? { control: { deploymentId: s.input.deploymentId } }
    : {};
}

/**
 * The write-ahead record before a step could not be stored, so the step was not started. When no step of
 * this environment ran in this run, nothing this run did needs undoing: it stops there (`state_refused`),
 * and the record stays as stored, the other run's when two run at once (undoing the step that never ran
 * would undo that run's). Once a step of this run ran, its traffic may have moved: the rollback path.
 */
function recoveryNotStored(s: PipelineState, out: Action[], id: TrackId, why: string, now: number): void {
  const env = envOf(s, id);
  const message = `the state record of ${env.name} could not be stored before the next step (${why})`;
  // Every step recorded before this one (the last recorded, never started).
  const ran = s.steps.slice(0, -1).some((r) => r.environment === env.name && r.phase !== 'rollback');
  if (ran) return failAndRollBack(s, out, id, { kind: 'strategy', message: `${message}; rolling back` }, now);
  fail(
    s,
    out,
    {
      kind: 'refused',
      message: `${message}. Nothing was deployed: a rollout whose recovery is not stored is never started`,
    },
    now,
  );
}

/** Runs the step the strategy asked for: the write-ahead record first, then the step. */
function runPending(
  s: PipelineState,
  out: Action[],
  task: Extract<Task, { do: 'strategy' }>,
  now: number,
): void {
  const step = s.pendingStep!;
  writeAhead(s, out, task.track, step, now);
  stepStart(out, track(s, task.track).environment, task.phase, step);
  s.sub = 'step';
  out.push({ kind: 'run_step', track: task.track, step, cancellable: true, ...controlOf(s, task.track) });
}

/**
 * Between two steps: an /abort rolls back, a /pause holds before the pending step, a /promote --full jumps
 * to 100 % (once the step's analysis passed). True when it acted (the pending step does not run now).
 */
function beforePendingStep(
  s: PipelineState,
  out: Action[],
  task: Extract<Task, { do: 'strategy' }>,
  now: number,
): boolean {
  const index = track(s, task.track).strategy!.index;
  const d = decideControl({
    deploymentId: s.input.deploymentId,
    step: index,
    fromStep: s.controlFrom,
    requests: s.requests,
    now,
  });
  if (d.action === 'abort') {
    abortRollout(s, out, task.track, d.request, now);
    return true;
  }
  if (d.action === 'hold') {
    startWait(
      s,
      out,
      task,
      {
        kind: 'hold',
        step: index,
        since: now,
        at: machineOf(s, task.track).describe(track(s, task.track).strategy!),
        by: d.request.by,
      },
      now,
    );
    return true;
  }
  if (d.action === 'go' && d.full && !s.full) {
    s.full = true;
    log(out, 'info', `promoted to 100 % by ${d.requests.map((r) => r.by).join(', ')} (/promote --full)`);
  }
  return s.full === true && jumpToFull(s, out, task, now);
}

/** /promote --full: the next step is the canary's last weight (100 %), unless an analysis must pass first. */
function jumpToFull(
  s: PipelineState,
  out: Action[],
  task: Extract<Task, { do: 'strategy' }>,
  now: number,
): boolean {
  const state = track(s, task.track).strategy!;
  const pending = s.pendingStep;
  if (!pending || pending.kind === 'analysis') return false;
  let target = -1;
  state.plan.forEach((p, i) => {
    if (p.step.kind === 'set_weight' && p.step.weight >= 100) target = i;
  });
  if (target <= state.index) return false;
  // --full never passes an `approval: N` step: those people's say is not one deployer's (docs/control.md).
  // Until that step is behind, the rollout goes on step by step and waits there.
  const approval = state.plan.findIndex(
    (p, i) => i > state.index && i < target && p.step.kind === 'wait' && p.step.gate === 'approval',
  );
  if (approval >= 0) return false;
  const jumped = advance({ ...state, index: target - 1 });
  s.pendingStep = undefined;
  return decide(
    s,
    out,
    task,
    {
      state: jumped.state,
      decision:
        jumped.decision.type === 'run'
          ? { ...jumped.decision, reason: `promoted with --full: ${jumped.decision.reason}` }
          : jumped.decision,
    },
    now,
  );
}

/** A `wait` step: wait for people (or, after /promote --full, go straight on). */
function atWaitStep(
  s: PipelineState,
  out: Action[],
  task: Extract<Task, { do: 'strategy' }>,
  step: Extract<Step, { kind: 'wait' }>,
  now: number,
): boolean {
  const t = track(s, task.track);
  if ((s.full && step.gate !== 'approval') || task.track !== 'production') {
    log(
      out,
      'info',
      `${step.at}: no wait (${s.full ? 'promoted with --full' : 'people steer the production rollout only'})`,
    );
    return decide(s, out, task, machineOf(s, task.track).next(t.strategy!, { ok: true }), now);
  }
  const approvals = step.gate === 'approval' ? (step.approvals ?? 1) : undefined;
  startWait(
    s,
    out,
    task,
    {
      kind: step.gate,
      step: t.strategy!.index,
      gate: approvals !== undefined ? { kind: 'approval', approvals } : { kind: 'manual' },
      since: now,
      at: step.at,
      weight: step.weight,
      approvals,
    },
    now,
  );
  return true;
}

/** An analysis window longer than the job may wait: the job hands the rollout off (issue 14). */
function isBake(
  s: PipelineState,
  task: Extract<Task, { do: 'strategy' }>,
  step: Step,
): step is Extract<Step, { kind: 'analysis' }> {
  return (
    step.kind === 'analysis' &&
    // A window judged from its start in the past (a bake's final look) is bounded by its liveMs.
    step.lookBack === undefined &&
    task.track === 'production' &&
    s.input.handOff === true &&
    step.windowMs > s.input.env.control.maxWaitInJobMs
  );
}

function handOffBake(
  s: PipelineState,
  out: Action[],
  task: Extract<Task, { do: 'strategy' }>,
  step: Extract<Step, { kind: 'analysis' }>,
  now: number,
): true {
  const t = track(s, task.track);
  s.waiting = {
    kind: 'bake',
    step: t.strategy!.index,
    since: now,
    at: machineOf(s, task.track).describe(t.strategy!),
    weight: step.weight,
    gate: { kind: 'bake', until: now + step.windowMs },
  };
  report(out, { type: 'wait-start', record: waitRecord(s, s.input.env.name, s.waiting, now) });
  handOff(s, out, task.track, now);
  return true;
}

function startWait(
  s: PipelineState,
  out: Action[],
  task: Extract<Task, { do: 'strategy' }>,
  waiting: Waiting,
  now: number,
): void {
  const t = track(s, task.track);
  s.waiting = waiting;
  s.sub = 'wait';
  // Stored before anyone is told: the App reads the wait from the record when the deployment status says so.
  if (t.record.rollout)
    persist(
      s,
      out,
      task.track,
      {
        rollout: {
          ...t.record.rollout,
          step: waiting.step,
          weight: waiting.weight ?? t.record.rollout.weight,
          strategyState: t.strategy,
          wait: rolloutWait(waiting, false),
        },
      },
      {
        event: 'wait_started',
        code: waiting.kind,
        version: s.input.version,
        detail: describeWaiting(s, waiting).slice(0, 1000),
      },
      now,
      true,
    );
  report(out, { type: 'wait-start', record: waitRecord(s, t.environment, waiting, now) });
  log(out, 'info', describeWaiting(s, waiting));
  awaitControl(s, out, task.track);
}

function awaitControl(s: PipelineState, out: Action[], id: TrackId): void {
  const w = s.waiting!;
  out.push({
    kind: 'await_control',
    track: id,
    deploymentId: s.input.deploymentId,
    step: w.step,
    fromStep: Math.min(s.controlFrom, w.step),
    gate: w.gate,
    ...(s.input.handOff ? { maxMs: s.input.env.control.maxWaitInJobMs } : {}),
  });
}

function onWaitEvent(
  s: PipelineState,
  out: Action[],
  task: Extract<Task, { do: 'strategy' }>,
  event: MachineEvent,
  cancelled: boolean,
): void {
  const now = event.now;
  if (event.type !== 'control' && event.type !== 'cancelled') return unexpected(s, out, task, event);
  const w = s.waiting!;
  if (cancelled) {
    endWait(s, out, 'cancelled', [], now);
    return failAndRollBack(s, out, task.track, { kind: 'cancelled', message: CANCELLED }, now);
  }
  if (event.type !== 'control') return unexpected(s, out, task, event);
  s.requests = event.requests;
  const d = decideControl({
    deploymentId: s.input.deploymentId,
    step: w.step,
    fromStep: Math.min(s.controlFrom, w.step),
    gate: w.gate,
    requests: s.requests,
    now,
  });
  if (d.action === 'abort') {
    endWait(s, out, 'aborted', [d.request.by], now);
    return abortRollout(s, out, task.track, d.request, now);
  }
  if (d.action === 'go') return endWaitAndGoOn(s, out, task, d, now);
  if (event.timedOut && s.input.handOff) return handOff(s, out, task.track, now);
  awaitControl(s, out, task.track);
}

function endWaitAndGoOn(
  s: PipelineState,
  out: Action[],
  task: Extract<Task, { do: 'strategy' }>,
  d: Extract<ControlDecision, { action: 'go' }>,
  now: number,
): void {
  const w = s.waiting!;
  const resumer = [...s.requests].reverse().find((r) => r.verb === 'resume' || r.verb === 'promote');
  const how = w.kind === 'hold' || d.how === 'not_waiting' ? 'resumed' : d.how;
  const by = d.requests.length ? d.requests.map((r) => r.by) : resumer ? [resumer.by] : [];
  endWait(s, out, how, by, now);
  if (d.full) s.full = true;
  s.controlFrom = w.step + 1;
  const t = track(s, task.track);
  if (t.record.rollout)
    persist(
      s,
      out,
      task.track,
      { rollout: { ...t.record.rollout, wait: undefined } },
      {
        event: how,
        code: w.kind,
        version: s.input.version,
        detail: by.join(', ').slice(0, 1000) || undefined,
      },
      now,
      false,
    );
  if (w.kind === 'hold') {
    // The pending step runs now (or the jump to 100 % is taken first).
    if (s.full && jumpToFull(s, out, task, now)) return;
    return runPending(s, out, task, now);
  }
  if (decide(s, out, task, machineOf(s, task.track).next(t.strategy!, { ok: true }), now)) return;
  s.pc++;
  run(s, out, now);
}

function endWait(
  s: PipelineState,
  out: Action[],
  how: NonNullable<WaitRecord['ended']>['how'],
  by: string[],
  now: number,
): void {
  const w = s.waiting;
  if (!w) return;
  const record: WaitRecord = { ...waitRecord(s, s.input.env.name, w, now), ended: { at: iso(now), how, by } };
  s.waits.push(record);
  report(out, { type: 'wait-end', record });
  s.waiting = undefined;
  s.sub = undefined;
}

/** The job ends; the rollout stays where it is, waiting (reconcile or a /promote goes on with it). */
function handOff(s: PipelineState, out: Action[], id: TrackId, now: number): void {
  const w = s.waiting!;
  const t = track(s, id);
  const message = describeWaiting(s, w);
  if (t.record.rollout)
    persist(
      s,
      out,
      id,
      {
        rollout: {
          ...t.record.rollout,
          step: w.step,
          weight: w.weight ?? t.record.rollout.weight,
          strategyState: t.strategy,
          wait: rolloutWait(w, true),
        },
      },
      { event: 'handed_off', code: w.kind, version: s.input.version, detail: message.slice(0, 1000) },
      now,
      true,
    );
  endWait(s, out, 'handed_off', [], now);
  s.failure = { kind: 'handed_off', message };
  closeAndFinish(s, out, now);
}

/**
 * `on_failure: pause` (rolling): a batch failed and the batches done stay as they are. The production rollout
 * is handed off as a hold at the failed batch's first step, the way a /pause that outlasts the job is: not an
 * orphan, so reconcile leaves it alone; `/resume` (or a `/promote` for that step) runs the batch again and goes
 * on, `/abort` rolls back. The run still ends `paused` (exit 1): a batch failed, and a green job would let the
 * jobs that need it go on. Without hand-off (the CLI, the Action keeping its record in a state directory) the
 * rollout rolls back, saying why. A staging environment's batches roll back too, as any staging failure:
 * people steer the production rollout only (no wait, bake or hold in staging), and a hold there would be a
 * rollout in the staging record that nothing takes up (the run goes no further than staging), which the next
 * run refuses as unfinished and reconcile takes for an orphan.
 */
function pauseOnFailure(
  s: PipelineState,
  out: Action[],
  task: Extract<Task, { do: 'strategy' }>,
  reason: string,
  now: number,
): void {
  const t = track(s, task.track);
  if (!t.strategy) return fail(s, out, { kind: 'paused', message: reason }, now);
  if (task.track !== 'production' || !t.rolloutStarted || !t.record.rollout)
    return failAndRollBack(
      s,
      out,
      task.track,
      {
        kind: 'strategy',
        message:
          task.track !== 'production'
            ? `${reason}; on_failure: pause holds a failed batch of the production rollout only (people steer no other), so ${t.environment}'s batches are rolled back`
            : `${reason}; on_failure: pause holds a failed batch in the rollout's record, and this run has none to hold it in, so the batches are rolled back`,
      },
      now,
    );
  // Held only where something can take the hold up later: the record on GitHub (reconcile), or the CLI's state
  // directory (`deploy-action resume|abort`). Elsewhere nobody would ever /resume or /abort it: the rollout
  // would stay half done and its deployment in progress.
  if (!s.input.handOff && !s.input.holdOnFailure)
    return failAndRollBack(
      s,
      out,
      task.track,
      {
        kind: 'strategy',
        message: `${reason}; on_failure: pause holds a failed batch only where the rollout can be handed off (the Action with state-key, its record on GitHub) or taken up from the state directory (the CLI's resume and abort), and this run cannot hand it off, so the batches are rolled back`,
      },
      now,
    );
  // The batch runs again from its deploy (the failed step may be its health check or its analysis).
  const failed = t.strategy;
  let from = failed.index;
  while (from > 0 && failed.plan[from]!.step.kind !== 'deploy') from--;
  const strategy = { ...failed, index: from, holds: 0 };
  const m = machineOf(s, task.track);
  s.tracks[task.track] = { ...t, strategy };
  s.waiting = {
    kind: 'hold',
    step: from,
    since: now,
    at: m.describe(strategy),
    by: PAUSED_ON_FAILURE,
    failure: reason,
  };
  report(out, { type: 'wait-start', record: waitRecord(s, t.environment, s.waiting, now) });
  const message = describeWaiting(s, s.waiting);
  persist(
    s,
    out,
    task.track,
    {
      rollout: {
        ...t.record.rollout,
        step: from,
        recovery: m.rollback(strategy),
        strategyState: strategy,
        wait: rolloutWait(s.waiting, true),
      },
    },
    { event: 'handed_off', code: 'hold', version: s.input.version, detail: message.slice(0, 1000) },
    now,
    false,
  );
  endWait(s, out, 'handed_off', [], now);
  fail(s, out, { kind: 'paused', message }, now);
}

/** A person's /abort: traffic back to the stable version through the rollback path. */
function abortRollout(
  s: PipelineState,
  out: Action[],
  id: TrackId,
  request: ControlRequest,
  now: number,
): void {
  const reason = request.reason ? `: ${request.reason}` : '';
  const failure: Failure = { kind: 'aborted', message: `aborted by ${request.by}${reason}` };
  if (!s.tracks[id]?.strategy) return fail(s, out, failure, now);
  failAndRollBack(s, out, id, failure, now);
}

function rolloutWait(w: Waiting, handedOff: boolean): RolloutWait {
  return clean({
    kind: w.kind,
    step: w.step,
    since: iso(w.since),
    until: w.gate?.kind === 'bake' ? iso(w.gate.until) : undefined,
    approvals: w.approvals,
    by: w.by,
    handedOff,
  });
}

/** A fresh baseline's share beside the canary at this weight: the same share, at every step below 100 %. */
function baselineShare(env: ResolvedEnvironment, weight: number | undefined): number | undefined {
  const { strategy } = env;
  return strategy.type === 'canary' &&
    strategy.baseline !== undefined &&
    weight !== undefined &&
    weight > 0 &&
    weight < 100
    ? weight
    : undefined;
}

function waitRecord(s: PipelineState, environment: string, w: Waiting, now: number): WaitRecord {
  return clean({
    environment,
    kind: w.kind,
    step: w.step,
    at: w.at,
    weight: w.weight,
    baselineWeight: environment === s.input.env.name ? baselineShare(s.input.env, w.weight) : undefined,
    since: iso(w.since),
    until: w.gate?.kind === 'bake' ? iso(w.gate.until) : undefined,
    approvals: w.approvals,
    waitedMs: Math.max(0, now - w.since),
  });
}

function describeWaiting(s: PipelineState, w: Waiting): string {
  const env = s.input.env.name;
  switch (w.kind) {
    case 'manual':
      return `waiting at ${w.at} for /promote ${env} (or /abort ${env})`;
    case 'approval':
      return `waiting at ${w.at} for ${w.approvals ?? 1} approver(s) to /promote ${env} (or /abort ${env})`;
    case 'bake':
      return `baking at ${w.at} until ${w.gate?.kind === 'bake' ? iso(w.gate.until) : 'its window ends'}; reconcile goes on then (/promote ${env} goes on now, /abort ${env} rolls back)`;
    case 'hold':
      if (w.failure !== undefined)
        return `${w.failure}; paused at ${w.at} (on_failure: pause), the batches before it stay as they are: /resume ${env} runs ${w.at} again and goes on, /abort ${env} rolls back`;
      return `paused at ${w.at} by ${w.by ?? 'someone'}: /resume ${env} goes on, /abort ${env} rolls back`;
  }
}

function watchStep(s: PipelineState, task: Extract<Task, { do: 'watch' }>): Step {
  const t = track(s, task.track);
  // Checks run against what is live now: the new slot (blue-green, canary) or every instance (rolling).
  const liveSlot = machineOf(s, task.track).outcome(t.strategy!).liveSlot;
  return {
    kind: 'analysis',
    phase: task.phase,
    slot: liveSlot,
    windowMs: task.windowMs,
    ...(task.lookBack ? { lookBack: task.lookBack } : {}),
  };
}

/**
 * A monitor window longer than the job may wait (the seeds' hour, a day of "healthy for 24 h") is a bake
 * too: the job hands the rollout off at full traffic and reconcile watches and ends it (issue 14).
 */
function isMonitorBake(s: PipelineState, task: Extract<Task, { do: 'watch' }>): boolean {
  return (
    task.phase === 'monitor' &&
    task.track === 'production' &&
    task.lookBack === undefined &&
    s.input.handOff === true &&
    task.windowMs > s.input.env.control.maxWaitInJobMs
  );
}

function handOffMonitor(
  s: PipelineState,
  out: Action[],
  task: Extract<Task, { do: 'watch' }>,
  now: number,
): void {
  const t = track(s, task.track);
  s.waiting = {
    kind: 'bake',
    step: t.strategy!.index,
    since: now,
    at: MONITOR_WINDOW,
    gate: { kind: 'bake', until: now + task.windowMs },
  };
  report(out, { type: 'wait-start', record: waitRecord(s, s.input.env.name, s.waiting, now) });
  handOff(s, out, task.track, now);
}

/** Where a handed-off monitor window waits (its `at`, in the record and the reports). */
export const MONITOR_WINDOW = 'the monitor window';

// ---- finalize ---------------------------------------------------------------------------------------------------

/**
 * The new release goes live in the record first (so a job lost in the wait leaves a due teardown behind), and
 * nothing more happens until that record is confirmed stored (onFinalizeEvent): no scale-down, no teardown, no
 * on_success hook announcing a deployment whose record says it is still rolling out.
 */
function beginFinalize(
  s: PipelineState,
  out: Action[],
  task: Extract<Task, { do: 'finalize' }>,
  now: number,
): boolean {
  const t = track(s, task.track);
  const env = envOf(s, task.track);
  const outcome = machineOf(s, task.track).outcome(t.strategy!);
  const retiredSlot =
    outcome.retiredSlot && outcome.retiredSlot !== outcome.liveSlot ? outcome.retiredSlot : undefined;
  const delay = outcome.scaleDownDelayMs ?? 0;
  const retired: RetiredSlot[] = t.record.retired.filter((r) => r.slot !== outcome.liveSlot);
  s.retiring = undefined;
  if (retiredSlot && env.target.teardown) {
    const dueAt = iso(now + delay);
    retired.push({
      slot: retiredSlot,
      version: t.live.version,
      dueAt,
      deploymentId: t.record.live?.deploymentId,
    });
    if (delay <= MAX_IN_JOB_SCALE_DOWN_WAIT_MS) {
      s.retiring = { slot: retiredSlot, delayMs: delay };
      if (delay > 0)
        log(out, 'info', `keeping ${retiredSlot} for ${Math.round(delay / 1000)}s before decommissioning it`);
    } else {
      log(
        out,
        'info',
        `${retiredSlot} (${t.live.version ?? 'previous version'}) stays up as the instant rollback target until ${dueAt}; a reconcile run tears it down then, unless the next deployment reuses it first`,
      );
    }
  }
  const live: Release = {
    version: s.input.version,
    sha: s.input.sha,
    slot: usesSlots(env.strategy) ? outcome.liveSlot : undefined,
    since: iso(now),
    deploymentId: s.input.deploymentId,
  };
  persist(
    s,
    out,
    task.track,
    { live: clean(live), previous: previousRelease(s, t), retired, rollout: undefined },
    { event: 'succeeded', code: 'deployed', version: s.input.version },
    now,
    true,
    true,
  );
  return finalizeStep(s, out, task, 'stored');
}

/** Issues finalize's next action from `stage` on; false when finalize is done. */
function finalizeStep(
  s: PipelineState,
  out: Action[],
  task: Extract<Task, { do: 'finalize' }>,
  stage: FinalizeStage,
): boolean {
  const env = envOf(s, task.track);
  if (stage === 'stored') {
    s.sub = 'stored';
    out.push({ kind: 'confirm_stored' });
    return true;
  }
  if (stage === 'wait' && s.retiring) {
    s.sub = 'wait';
    out.push({ kind: 'wait', ms: s.retiring.delayMs });
    return true;
  }
  if ((stage === 'wait' || stage === 'teardown') && s.retiring) {
    s.sub = 'teardown';
    const step: Step = { kind: 'teardown', slot: s.retiring.slot };
    stepStart(out, env.name, 'finalize', step);
    out.push({ kind: 'run_step', track: task.track, step, cancellable: false });
    return true;
  }
  if (!task.quiet && env.hooks.onSuccess) {
    s.sub = 'on_success';
    out.push({
      kind: 'run_command',
      track: task.track,
      command: 'on_success',
      label: 'on_success',
      cancellable: false,
    });
    return true;
  }
  s.sub = undefined;
  return false;
}

function onFinalizeEvent(
  s: PipelineState,
  out: Action[],
  task: Extract<Task, { do: 'finalize' }>,
  event: MachineEvent,
): void {
  const now = event.now;
  let more: boolean;
  if (s.sub === 'stored') {
    if (event.type !== 'stored') return unexpected(s, out, task, event);
    if (event.notStored !== undefined) return finalRecordNotStored(s, out, task, event.notStored, now);
    more = finalizeStep(
      s,
      out,
      task,
      s.retiring ? (s.retiring.delayMs > 0 ? 'wait' : 'teardown') : 'on_success',
    );
  } else if (s.sub === 'wait') {
    if (event.type !== 'waited') return unexpected(s, out, task, event);
    // Cancelled in the wait: the slot stays in the record, due; a reconcile run tears it down. The release
    // stands (it is live in the record), but the run ends cancelled, not succeeded.
    if (event.cancelled) {
      const retired = track(s, task.track).record.retired.find((r) => r.slot === s.retiring!.slot);
      s.failure = {
        kind: 'cancelled',
        message:
          `${s.retiring!.slot} was not torn down` +
          (retired ? ` (due at ${retired.dueAt}; a reconcile run tears it down)` : ''),
      };
    }
    more = event.cancelled
      ? finalizeStep(s, out, task, 'on_success')
      : finalizeStep(s, out, task, 'teardown');
  } else if (s.sub === 'teardown') {
    if (event.type !== 'step_done') return unexpected(s, out, task, event);
    const step: Step = { kind: 'teardown', slot: s.retiring!.slot };
    recordStep(s, out, task.track, 'finalize', step, event.result, event.durationMs);
    if (event.result.ok) {
      const t = track(s, task.track);
      persist(
        s,
        out,
        task.track,
        { retired: t.record.retired.filter((r) => r.slot !== step.slot) },
        undefined,
        now,
        false,
      );
    }
    more = finalizeStep(s, out, task, 'on_success');
  } else if (s.sub === 'on_success') {
    if (event.type !== 'command_done') return unexpected(s, out, task, event);
    if (event.error)
      log(out, 'warn', `on_success hook failed (the deployment stands): ${event.error.message}`);
    s.sub = undefined;
    more = false;
  } else {
    return unexpected(s, out, task, event);
  }
  if (more) return;
  if (s.failure?.kind === 'cancelled') return closeAndFinish(s, out, now);
  s.pc++;
  run(s, out, now);
}

/**
 * The record saying the new release is live could not be stored: the stored record still shows the rollout in
 * progress, with its recovery. The run stops there, failed (`state_refused`) and saying so: traffic stays on
 * the new release (it passed verify), but nothing that counts on the record runs (the retired slot, still the
 * recovery's target, is not torn down; on_success does not announce it), and nothing more is written to a
 * store that just failed. The next deployment refuses the unfinished rollout; reconcile takes it up.
 */
function finalRecordNotStored(
  s: PipelineState,
  out: Action[],
  task: Extract<Task, { do: 'finalize' }>,
  why: string,
  now: number,
): void {
  const env = envOf(s, task.track);
  const kept = s.retiring ? `, ${s.retiring.slot} was not torn down` : '';
  const hook = !task.quiet && env.hooks.onSuccess ? ', the on_success hook was not run' : '';
  fail(
    s,
    out,
    {
      kind: 'refused',
      message:
        `${s.input.version} is live on ${env.name}, but the state record saying so could not be stored (${why}): ` +
        `the stored record still shows its rollout in progress${kept}${hook}. The next deployment of ${env.name} ` +
        'is refused until reconcile takes the rollout up (on_orphan: rollback rolls it back, resume finishes it)' +
        `${task.track === 'staging' ? `; production was not deployed` : ''}`,
    },
    now,
  );
}

function previousRelease(s: PipelineState, t: Track): Release | undefined {
  const recorded = t.record.live;
  // The same version again: what was live before it stays the previous one.
  if (recorded && recorded.version === s.input.version) return t.record.previous ?? recorded;
  if (recorded && (t.live.version === undefined || recorded.version === t.live.version)) return recorded;
  // Only the `current` command knew it: since when is unknown, so the record says when this run found it.
  if (t.live.version) return clean({ version: t.live.version, slot: t.live.slot, since: iso(s.input.now) });
  return recorded;
}

// ---- failure and the rollback path ------------------------------------------------------------------------------

/**
 * This run's own rollout of `id` failed before any of its steps started a command (the first one's values
 * were refused, or its program is not there): nothing changed, so there is nothing to roll back. Rolling back
 * would run the previous version's deploy over a target that never left it, and on a first deployment (no
 * previous version) it could not complete, leaving a rollout that no reconcile run could finish.
 */
function nothingStarted(s: PipelineState, id: TrackId): boolean {
  const t = track(s, id);
  if (!t.rolloutFresh) return false;
  const steps = s.steps.filter((r) => r.environment === t.environment && r.phase !== 'rollback');
  return steps.length > 0 && steps.every((r) => !r.result.ok && r.result.untouched === 'not-started');
}

/** Fails without a rollback (nothingStarted); finish() clears the rollout this run wrote. */
function failUntouched(s: PipelineState, out: Action[], reason: string, now: number): void {
  s.failure = {
    kind: 'strategy',
    message: `${reason}; nothing was changed (the command did not start), so nothing was rolled back`,
  };
  closeAndFinish(s, out, now);
}

/** The strategy of `id` has started: put traffic back first, then fail. */
function failAndRollBack(s: PipelineState, out: Action[], id: TrackId, failure: Failure, now: number): void {
  s.failure = failure;
  const t = track(s, id);
  const steps = machineOf(s, id).rollback(t.strategy!);
  const reason = failure.kind === 'cancelled' ? CANCELLED : failure.message;
  report(out, { type: 'rollback-start', environment: t.environment, reason, steps: steps.map(describeStep) });
  s.rollback = { track: id, reason, steps, index: 0, records: [], levels: [], startedAt: now };
  if (t.record.rollout)
    persist(
      s,
      out,
      id,
      { rollout: { ...t.record.rollout, phase: 'rollback', recovery: steps } },
      {
        event: 'rollback_started',
        code: failureCode(s, failure),
        version: s.input.version,
        detail: reason.slice(0, 1000),
      },
      now,
      true,
    );
  continueRollback(s, out, now);
}

function continueRollback(s: PipelineState, out: Action[], now: number): void {
  const rb = s.rollback!;
  const env = envOf(s, rb.track);
  while (rb.index < rb.steps.length) {
    const step = rb.steps[rb.index]!;
    stepStart(out, env.name, 'rollback', step);
    // A teardown of a slot that may still serve (its switch back failed) is recorded failed, not run.
    const held = heldBackInRollback(step, rb.records);
    if (!held) {
      out.push({ kind: 'run_step', track: rb.track, step, cancellable: false });
      return;
    }
    rb.records.push(recordStep(s, out, rb.track, 'rollback', step, { ok: false, reason: held }, 0));
    rb.index++;
  }
  rb.stepsMs ??= now - rb.startedAt;
  const level = env.hooks.onRollback[rb.levels.length];
  if (level) {
    out.push({
      kind: 'run_command',
      track: rb.track,
      command: 'on_rollback',
      index: rb.levels.length,
      label: `rollback:${level.name}`,
      cancellable: false,
    });
    return;
  }
  const stepsOk = rb.records.every((r) => r.result.ok);
  const record: RollbackRecord = {
    reason: rb.reason,
    environment: env.name,
    steps: rb.records,
    ok: stepsOk && rb.levels.every((l) => l.ok),
    trafficRestoredMs: rb.trafficRestoredMs,
    durationMs: rb.stepsMs ?? 0,
    levels: rb.levels,
  };
  s.rollbacks.push(record);
  report(out, { type: 'rollback-end', record });
  s.rollback = undefined;
  const t = track(s, rb.track);
  if (t.record.rollout) {
    // What still has to be undone: the rollback steps that failed (reconcile retries them). Not one that had
    // no earlier version to return to: a reconcile run would know no more, and the rollout would stay
    // unfinished for good, refusing every later deployment (the fix included).
    const left = rb.records
      .filter((r) => !r.result.ok && r.result.untouched !== 'nothing-to-restore')
      .map((r) => r.step);
    persist(
      s,
      out,
      rb.track,
      { rollout: left.length ? { ...t.record.rollout, recovery: left } : undefined },
      undefined,
      now,
      true,
    );
  }
  closeAndFinish(s, out, now);
}

function onRollbackEvent(s: PipelineState, out: Action[], event: MachineEvent): void {
  const rb = s.rollback!;
  const now = event.now;
  if (rb.index < rb.steps.length) {
    const step = rb.steps[rb.index]!;
    const result: StepResult =
      event.type === 'step_done'
        ? event.result
        : {
            ok: false,
            reason: event.type === 'error' ? `internal error: ${event.message}` : `unexpected ${event.type}`,
          };
    const record = recordStep(
      s,
      out,
      rb.track,
      'rollback',
      step,
      result,
      event.type === 'step_done' ? event.durationMs : 0,
    );
    rb.records.push(record);
    if (rb.trafficRestoredMs === undefined && TRAFFIC_STEPS.has(step.kind) && result.ok)
      rb.trafficRestoredMs = now - rb.startedAt;
    rb.index++;
    const t = track(s, rb.track);
    if (t.record.rollout) {
      const left = [
        ...rb.records.filter((r) => !r.result.ok).map((r) => r.step),
        ...rb.steps.slice(rb.index),
      ];
      persist(s, out, rb.track, { rollout: { ...t.record.rollout, recovery: left } }, undefined, now, true);
    }
  } else {
    const level = envOf(s, rb.track).hooks.onRollback[rb.levels.length]!;
    const error =
      event.type === 'command_done'
        ? event.error
        : { message: event.type === 'error' ? event.message : `unexpected ${event.type}` };
    rb.levels.push({
      name: level.name,
      ok: !error,
      detail: error ? error.message : 'done',
      durationMs: event.type === 'command_done' ? event.durationMs : 0,
    });
  }
  continueRollback(s, out, now);
}

/** A failure where nothing needs undoing (or before the strategy started). */
function fail(s: PipelineState, out: Action[], failure: Failure, now: number): void {
  s.failure = failure;
  closeAndFinish(s, out, now);
}

function internalError(
  s: PipelineState,
  out: Action[],
  event: Extract<MachineEvent, { type: 'error' }>,
  now: number,
): void {
  const failure: Failure = { kind: 'internal', message: event.message, stack: event.stack };
  const task = s.tasks[s.pc];
  const id = task && 'track' in task ? task.track : undefined;
  const started = id ? s.tracks[id]?.strategy : undefined;
  // After the strategy started, traffic may have moved: undo it like any other failure.
  if (id && started && started.index >= 0 && !(task?.do === 'finalize'))
    return failAndRollBack(s, out, id, failure, now);
  fail(s, out, failure, now);
}

function unexpected(s: PipelineState, out: Action[], task: Task, event: MachineEvent): void {
  internalError(
    s,
    out,
    { type: 'error', message: `unexpected ${event.type} while at ${task.do}`, now: event.now },
    event.now,
  );
}

function closeAndFinish(s: PipelineState, out: Action[], now: number): void {
  const failure = s.failure!;
  if (s.openPhase)
    endPhase(
      s,
      out,
      failure.kind === 'cancelled' ? 'cancelled' : failure.kind === 'handed_off' ? 'waiting' : 'failed',
      failure.message,
      now,
    );
  out.push(...finish(s, [], now));
}

/**
 * How the rollbacks ended, in words: whether traffic is on stable and, when only the cleanup did not finish,
 * what is left (the record keeps it for reconcile).
 */
function rollbackWords(rollbacks: readonly RollbackRecord[], incomplete = 'rollback incomplete'): string {
  const shortfalls = rollbacks.map(rollbackShortfall);
  if (shortfalls.every((f) => f.kind === 'complete')) return 'traffic on stable';
  const left = shortfalls.flatMap((f) => (f.kind === 'complete' ? [] : f.left)).join(', ');
  return shortfalls.some((f) => f.kind === 'incomplete')
    ? `${incomplete}: ${left}`
    : `traffic on stable; cleanup incomplete: ${left}, left for reconcile`;
}

/** The outcome from the state: status, reason code and message (the order of the checks matters). */
export function outcomeOf(s: Pick<PipelineState, 'failure' | 'rollbacks' | 'stage' | 'input'>): {
  status: PipelineStatus;
  code: OutcomeCode;
  message: string;
} {
  const failure = s.failure;
  const { input } = s;
  if (!failure)
    return {
      status: 'succeeded',
      code: 'deployed',
      message: `${input.version} is live on ${input.env.name}`,
    };
  const message = failure.message;
  const rolledBack = s.rollbacks.length > 0;
  const rollbackOk = s.rollbacks.every((r) => r.ok);
  switch (failure.kind) {
    case 'refused':
      return { status: 'failed', code: 'state_refused', message };
    case 'unfinished':
      return { status: 'failed', code: 'rollout_unfinished', message };
    case 'blocked':
      return { status: 'blocked', code: 'gates_blocked', message: `quality gates blocked: ${message}` };
    case 'cancelled':
      return {
        status: 'cancelled',
        code: 'cancelled',
        message: liveBeforeCancel(s)
          ? `cancelled in finalize, after ${input.version} went live on ${input.env.name}: ${message}`
          : rolledBack
            ? `cancelled; rolled back (${rollbackWords(s.rollbacks)})`
            : 'cancelled before anything changed',
      };
    case 'paused':
      return { status: 'paused', code: 'rollout_paused', message: `rollout paused: ${message}` };
    case 'handed_off':
      return { status: 'waiting', code: 'rollout_waiting', message };
  }
  if (rolledBack && !rollbackOk) {
    const where = s.rollbacks
      .filter((r) => !r.ok)
      .map((r) => r.environment)
      .join(', ');
    return {
      status: 'failed',
      code: 'rollback_failed',
      message: `${message}; the rollback did not complete (${rollbackWords(s.rollbacks, 'not finished')}): check ${where} now`,
    };
  }
  if (failure.kind === 'aborted')
    return {
      status: rolledBack ? 'rolled_back' : 'failed',
      code: 'rollout_aborted',
      message: rolledBack
        ? `${message}; rolled back to ${input.live.version ?? 'the previous state'}`
        : message,
    };
  if (failure.kind === 'hook') return { status: 'failed', code: 'hook_failed', message };
  if (failure.kind === 'internal')
    return { status: 'failed', code: 'internal_error', message: `internal error: ${message}` };
  const code: OutcomeCode =
    s.stage === 'staging'
      ? 'staging_failed'
      : s.stage === 'verify'
        ? 'verify_failed'
        : s.stage === 'monitor'
          ? 'monitor_failed'
          : s.stage === 'production'
            ? 'strategy_failed'
            : 'internal_error';
  return {
    status: rolledBack ? 'rolled_back' : 'failed',
    code,
    message: rolledBack
      ? `${message}; rolled back to ${input.live.version ?? 'the previous state'}`
      : message,
  };
}

const HISTORY_EVENT: Record<PipelineStatus, string> = {
  succeeded: 'succeeded',
  rolled_back: 'rolled_back',
  cancelled: 'cancelled',
  failed: 'failed',
  blocked: 'blocked',
  paused: 'paused',
  waiting: 'waiting',
};

/** Cancelled in finalize: the new release is live in the record already, and stands. */
function liveBeforeCancel(s: Pick<PipelineState, 'failure' | 'stage'>): boolean {
  return s.failure?.kind === 'cancelled' && s.stage === 'finalize';
}

function failureCode(s: PipelineState, failure: Failure): string {
  return outcomeOf({ ...s, failure, rollbacks: [] }).code;
}

/** The final records, the result, and the actions that end the run. */
function finish(s: PipelineState, out: Action[], now: number): Action[] {
  const outcome = outcomeOf(s);
  if (s.failure?.kind === 'internal')
    log(out, 'error', `internal error: ${s.failure.stack ?? s.failure.message}`);
  // A refused record and another run's unfinished rollout stay as they are: this run wrote nothing (or its
  // final record could not be stored, and nothing more is written to that store). A
  // handed-off rollout already wrote where it waits; one cancelled in finalize, its success and what is due.
  if (
    s.failure &&
    s.failure.kind !== 'refused' &&
    s.failure.kind !== 'unfinished' &&
    s.failure.kind !== 'handed_off' &&
    !liveBeforeCancel(s)
  ) {
    // Every environment this run touched (and production, always) says how it ended; a rollout this run
    // started is cleared unless it is paused or its rollback left something to undo.
    const entry = {
      event: outcome.code === 'rollback_failed' ? 'rollback_failed' : HISTORY_EVENT[outcome.status],
      code: outcome.code,
      version: s.input.version,
      detail: outcome.message.slice(0, 1000),
    };
    for (const id of ['staging', 'production'] as const) {
      const t = s.tracks[id];
      const rolledBack = t ? s.rollbacks.some((r) => r.environment === t.environment) : false;
      // A staging environment that was validated already wrote its own ending.
      if (!t || (id === 'staging' && !t.record.rollout && !rolledBack)) continue;
      // A rollback already cleared the rollout (or kept what is left to undo); a paused one stays as it is.
      const clear = t.rolloutStarted && !rolledBack && outcome.status !== 'paused';
      persist(s, out, id, clear ? { rollout: undefined } : {}, entry, now, outcome.status === 'paused');
    }
  }
  const result: PipelineResult = {
    status: outcome.status,
    code: outcome.code,
    message: outcome.message,
    environment: s.input.env.name,
    version: s.input.version,
    previousVersion: s.input.live.version,
    strategy: s.input.env.strategy.type,
    dryRun: false,
    phases: s.phases,
    steps: s.steps,
    decisions: s.decisions,
    rollbacks: s.rollbacks,
    ...(s.waits.length ? { waits: s.waits } : {}),
    gates: s.gates,
    ...(outcome.status === 'succeeded' || liveBeforeCancel(s) ? { live: liveOf(s) } : {}),
    record: s.tracks.production?.record,
    startedAt: iso(s.input.now),
    durationMs: now - s.input.now,
    exitCode: deploymentExitCode(
      outcome.status,
      s.rollbacks.some((r) => !r.ok),
    ),
  };
  s.result = result;
  out.push({ kind: 'flush' });
  report(out, { type: 'result', result });
  out.push({ kind: 'finish', result });
  return out;
}

function finishSuccess(s: PipelineState, out: Action[], now: number): void {
  finish(s, out, now);
}

function liveOf(s: PipelineState): { slot?: string; version: string } {
  const t = track(s, 'production');
  const outcome = machineOf(s, 'production').outcome(t.strategy!);
  return { slot: usesSlots(s.input.env.strategy) ? outcome.liveSlot : undefined, version: s.input.version };
}

// ---- records ---------------------------------------------------------------------------------------------------

function newTrack(id: TrackId, environment: string, live: LiveState, record: EnvironmentRecord): Track {
  return { id, environment, live, record, rolloutStarted: false, rolloutDurable: false };
}

/** The record to build on, or undefined when it was refused and nothing else says what is live. */
/** The record this run builds on, or why it does not deploy: a refused record, or an unfinished rollout. */
function believe(
  s: PipelineState,
  out: Action[],
  id: TrackId,
  stored: StoredRecord,
  now: number,
): EnvironmentRecord | Failure {
  const env = envOf(s, id);
  if (stored.ok) {
    const rollout = stored.record?.rollout;
    // Its traffic may still be split and its recovery is in the record: deploying on top would take the
    // half-done slot as if it were idle. Reconcile undoes (or resumes) it first.
    if (rollout?.wait)
      return {
        kind: 'unfinished',
        message:
          `${env.name} has a rollout of ${rollout.version} waiting (${rollout.wait.kind} at step ` +
          `${rollout.wait.step + 1}/${rollout.steps}, since ${rollout.wait.since}): finish it with ` +
          `/promote ${env.name} or undo it with /abort ${env.name} (or deploy-action promote|abort -e ${env.name}), ` +
          'then deploy again. Nothing was deployed. If the record is stale (the current command shows another ' +
          `release; reconcile refuses with current_disagrees), \`deploy-action reconcile -e ${env.name} ` +
          '--adopt-current` (`mode: reconcile` with `adopt-current: true`) makes what current reports the record',
      };
    if (rollout)
      return {
        kind: 'unfinished',
        message:
          `${env.name} has an unfinished rollout of ${rollout.version} (started ${rollout.startedAt}, ` +
          `${ownerText(rollout.owner)}, at ${rollout.phase} step ${rollout.step + 1}/${rollout.steps}): its ` +
          'traffic may still be split. Nothing was deployed; reconcile rolls it back or resumes it ' +
          '(docs/reconcile.md: the App starts it when that run ends, or run `deploy-action reconcile` / ' +
          '`mode: reconcile`), then deploy again. If the record is stale (the current command shows another ' +
          `release; reconcile refuses with current_disagrees), \`deploy-action reconcile -e ${env.name} ` +
          '--adopt-current` (`mode: reconcile` with `adopt-current: true`) makes what current reports the ' +
          'record, dropping the rollout',
      };
    return stored.record ?? emptyRecord(s.input.repository, env.name, new Date(now));
  }
  // A record that could not be read at all (GitHub failing) is not a bad one to replace: it may be valid and
  // name an unfinished rollout or slots due for teardown that a fresh record would drop. Try again later.
  if (!env.target.current || stored.code === 'state_unavailable') return refusal(env.name, stored);
  log(
    out,
    'warn',
    `the state record of ${env.name} was refused [${stored.code}]: ${stored.message} (${stored.source}); ` +
      'going on with what the current command reports. A new record takes its place with nothing of the ' +
      'refused one: its history, previous release, retired slots due for teardown (reconcile no longer knows ' +
      'them) and any rollout it names are not carried over. The refused record itself is kept ' +
      (stored.kept ? `as ${stored.kept}` : `at ${stored.source}`),
  );
  // Numbered from the clock (milliseconds), not from 0: readers refuse a record numbered below one they have
  // seen (the App remembers per process), so a fresh record numbered 1 would read as stale wherever the
  // replaced one had been seen, until a restart. Later writes count on from here, as always.
  return { ...emptyRecord(s.input.repository, env.name, new Date(now)), seq: Math.max(0, Math.floor(now)) };
}

const isFailure = (value: EnvironmentRecord | Failure): value is Failure => 'kind' in value;

function refusal(environment: string, stored: StoredRecord): Failure {
  if (stored.ok) return { kind: 'internal', message: 'refusal of a record that was believed' };
  return {
    kind: 'refused',
    message:
      stored.code === 'state_unavailable'
        ? `the state record of ${environment} could not be read [${stored.code}]: ${stored.message} ` +
          `(${stored.source}). Nothing was deployed: a record that may be valid (an unfinished rollout, slots ` +
          'due for teardown) is never replaced unread; run again when GitHub answers'
        : `the state record of ${environment} was refused [${stored.code}]: ${stored.message} (${stored.source}). ` +
          'Nothing was deployed on top of it: find out what is live, then remove or repair the record, ' +
          "or configure the target's current command so the infrastructure says what is live",
  };
}

function ownerText(owner: RolloutOwner): string {
  return owner.kind === 'workflow' ? `workflow run ${owner.runId}` : `process ${owner.pid} on ${owner.host}`;
}

function byOf(owner: RolloutOwner): string {
  return owner.kind === 'workflow' ? `workflow:${owner.runId}` : `cli:${owner.host}`;
}

function startRollout(s: PipelineState, out: Action[], id: TrackId, now: number): void {
  const t = track(s, id);
  const env = envOf(s, id);
  const m = machineOf(s, id);
  const slots = usesSlots(env.strategy) ? slotsFor(env.strategy.slots, t.live.slot) : undefined;
  // The slot this run deploys into is no longer retired: a reconcile must not tear it down under us.
  const retired = t.record.retired.filter((r) => r.slot !== slots?.idle);
  const retiredChanged = retired.length !== t.record.retired.length;
  // A backup or migrate hook runs next: the record says a rollout began (durably) before it changes anything,
  // so a run that dies in a migration leaves a record of it.
  const hooksNext = s.tasks.slice(s.pc + 1).some((task) => task.do === 'hook' && task.track === id);
  persist(
    s,
    out,
    id,
    {
      retired,
      rollout: {
        deploymentId: s.input.deploymentId,
        version: s.input.version,
        sha: s.input.sha,
        strategy: env.strategy.type,
        phase: id === 'staging' ? 'staging' : 'production',
        step: -1,
        steps: m.plan.length,
        startedAt: iso(now),
        owner: s.input.owner,
        stableSlot: slots?.from,
        newSlot: slots?.idle,
        recovery: [],
      },
    },
    { event: 'rollout_started', code: 'started', version: s.input.version },
    now,
    retiredChanged || hooksNext,
  );
  s.tracks[id] = { ...track(s, id), rolloutStarted: true, rolloutFresh: true };
}

function phaseEntry(s: PipelineState, phase: PhaseId): Omit<HistoryEntry, 'at' | 'by'> {
  return { event: 'phase', code: phase, version: s.input.version };
}

/** One write: the record after the change, one more in the sequence. */
function persist(
  s: PipelineState,
  out: Action[],
  id: TrackId,
  change: Parameters<typeof withTransition>[1],
  entry: Omit<HistoryEntry, 'at' | 'by'> | undefined,
  now: number,
  durable: boolean,
  settle = false,
): void {
  const t = track(s, id);
  // Every entry of a run names its commit: the `succeeded` one is what `requires` counts once superseded.
  const sha = s.input.sha ? { sha: s.input.sha } : {};
  const record = withTransition(
    t.record,
    change,
    entry && { by: byOf(s.input.owner), ...sha, ...entry },
    new Date(now),
  );
  const inRollback = s.rollback !== undefined || s.rollbacks.length > 0;
  s.tracks[id] = { ...t, record, rolloutDurable: t.rolloutDurable || (durable && !!record.rollout) };
  const wait = durable && !inRollback;
  out.push({ kind: 'persist', record, durable, wait, ...(settle && wait ? { settle: true } : {}) });
}

// ---- helpers -----------------------------------------------------------------------------------------------------

function track(s: PipelineState, id: TrackId): Track {
  const t = s.tracks[id];
  if (!t) throw new Error(`no ${id} track`);
  return t;
}

function envOf(s: PipelineState, id: TrackId): ResolvedEnvironment {
  return id === 'production' ? s.input.env : s.input.staging!;
}

/** The strategy machine of a track: rebuilt from plain data, so the state stays plain data. */
function machineOf(s: PipelineState, id: TrackId): AnyMachine {
  const env = envOf(s, id);
  return createStrategy(env.strategy, capabilitiesOf(env), track(s, id).live);
}

function recordStep(
  s: PipelineState,
  out: Action[],
  id: TrackId,
  phase: PhaseId | 'rollback',
  step: Step,
  result: StepResult,
  durationMs: number,
): StepRecord {
  const record: StepRecord = {
    environment: envOf(s, id).name,
    phase,
    step,
    description: describeStep(step),
    result,
    durationMs,
  };
  s.steps.push(record);
  report(out, { type: 'step-end', record });
  return record;
}

function stepStart(out: Action[], environment: string, phase: PhaseId | 'rollback', step: Step): void {
  report(out, { type: 'step-start', environment, phase, step, description: describeStep(step) });
}

function endPhase(
  s: PipelineState,
  out: Action[],
  status: PhaseRecord['status'],
  detail: string | undefined,
  now: number,
): void {
  const open = s.openPhase!;
  s.openPhase = undefined;
  recordPhase(s, out, {
    phase: open.phase,
    status,
    startedAt: iso(open.at),
    durationMs: now - open.at,
    detail,
  });
}

function recordPhase(s: PipelineState, out: Action[], record: PhaseRecord): void {
  s.phases.push(record);
  report(out, { type: 'phase-end', record });
}

function report(out: Action[], event: PipelineEvent): void {
  out.push({ kind: 'report', event });
}

function log(out: Action[], level: 'info' | 'warn' | 'error', message: string): void {
  report(out, { type: 'log', level, message });
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Drops undefined fields (the record's schema has optional fields, not undefined ones). */
function clean<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

// ---- resume: a rollout whose owner died goes on (reconcile, `on_orphan: resume`) -----------------------------

/**
 * A rollout the job handed off to wait (issue 14; `rollout.wait.handedOff`), not an orphan: what ends its
 * wait. `go` goes on from the step after the wait (a bake: its final analysis first); `abort` rolls it back
 * through the pipeline's rollback path.
 */
export type Handoff =
  | { kind: 'go'; how: 'promoted' | 'approved' | 'due' | 'resumed'; by: string[]; full: boolean }
  | {
      kind: 'abort';
      /** A login, or `reconcile` when a bake's metrics asked for the rollback. */
      by: string;
      reason: string;
      code: 'rollout_aborted' | 'bake_rolled_back';
    };

export interface ResumeMachineInput {
  /** When the resume started (ms since the epoch). */
  now: number;
  /** The environment as deploy.yml resolves it today. */
  env: ResolvedEnvironment;
  /** The record as read and believed; its rollout is the one resumed (see resume-check.ts). */
  record: EnvironmentRecord;
  repository: string;
  /** The new owner of the rollout (the reconcile run), written into the record before anything runs. */
  owner: RolloutOwner;
  /** Who the `orphan_resumed` history entry names. */
  actor: string;
  /** Why it is resumed, for that entry. */
  reason: string;
  /** A handed-off rollout's wait ended (issue 14); absent for an orphan. */
  handoff?: Handoff;
  /** Whether a later long wait may hand the rollout off again (see MachineInput.handOff). */
  handOff?: boolean;
}

/**
 * A state positioned where the record's rollout stopped: validate, staging, and the backup and migrate hooks
 * are done (the dead run did them before the strategy's first step was recorded); the strategy goes on from
 * its recorded state, re-running the step in progress (the write-ahead record was written as if it had
 * started), or verify / monitor run again when the strategy had finished; then finalize. From there on it is
 * the pipeline: the same rollback path, the same record writes and codes. Version, sha and deployment come
 * from the record.
 *
 * A handed-off rollout (`handoff`) goes on after its wait instead: a manual or approval step is passed, a
 * held step runs, a bake's analysis step runs once more as its final look (at most the in-job wait); or, on
 * `abort`, its traffic goes back to the stable version at once.
 */
export function resume(r: ResumeMachineInput): MachineTransition {
  const { env, record, handoff } = r;
  const rollout = record.rollout;
  const check = checkResumable(env, record);
  const input: MachineInput = {
    now: r.now,
    env,
    version: rollout?.version ?? 'none',
    sha: rollout?.sha,
    deploymentId: rollout?.deploymentId ?? 'none',
    repository: r.repository,
    owner: r.owner,
    skipGates: true,
    skipStaging: true,
    hasGates: false,
    live: check.ok ? check.live : { slot: record.live?.slot, version: record.live?.version },
    stored: { ok: true, record },
    handOff: r.handOff ?? handoff !== undefined,
  };
  const s: PipelineState = {
    input,
    tasks: [],
    pc: 0,
    stage: 'production',
    phases: [],
    steps: [],
    decisions: [],
    rollbacks: [],
    tracks: {},
    waits: [],
    requests: [],
    controlFrom: 0,
  };
  const out: Action[] = [];
  report(out, {
    type: 'start',
    environment: env.name,
    version: input.version,
    previousVersion: input.live.version,
    strategy: env.strategy.type,
    liveSlot: input.live.slot,
  });
  const wait = rollout?.wait;
  const problem = !check.ok
    ? check.reason
    : !rollout
      ? 'no rollout'
      : handoff && !wait
        ? 'it is not waiting (someone else went on with it)'
        : undefined;
  if (problem || !check.ok || !rollout) {
    // Nothing is touched: no track, so nothing is written either.
    s.failure = {
      kind: 'internal',
      message: `the rollout in the record of ${env.name} cannot be resumed: ${problem ?? 'no rollout'}`,
    };
    return { state: s, actions: finish(s, out, r.now) };
  }
  const strategy = check.rollout.strategyState;
  const as =
    !handoff || !wait
      ? 'rerun'
      : wait.kind === 'bake'
        ? 'final_look'
        : wait.kind === 'hold'
          ? 'rerun'
          : 'advance';
  const since = wait ? Date.parse(wait.since) : NaN;
  const until = wait?.until ? Date.parse(wait.until) : NaN;
  const bake =
    as === 'final_look' && Number.isFinite(since) && Number.isFinite(until)
      ? { since, until, now: r.now }
      : undefined;
  const started = Date.parse(rollout.startedAt);
  s.tasks = resumeProgram(
    input,
    check.phase,
    strategy,
    as,
    bake,
    Number.isFinite(started) ? started : undefined,
  );
  if (wait && handoff) {
    const ended: WaitRecord = {
      environment: env.name,
      kind: wait.kind,
      step: wait.step,
      at:
        check.phase === 'monitor'
          ? MONITOR_WINDOW
          : describeStep(strategy.plan[wait.step]?.step ?? { kind: 'pause', ms: 0 }),
      ...(rollout.weight !== undefined ? { weight: rollout.weight } : {}),
      ...(baselineShare(env, rollout.weight) !== undefined
        ? { baselineWeight: baselineShare(env, rollout.weight) }
        : {}),
      since: wait.since,
      ...(wait.until ? { until: wait.until } : {}),
      ...(wait.approvals ? { approvals: wait.approvals } : {}),
      ended: {
        at: iso(r.now),
        how: handoff.kind === 'abort' ? 'aborted' : handoff.how,
        by: handoff.kind === 'abort' ? [handoff.by] : handoff.by,
      },
      waitedMs: Math.max(0, r.now - Date.parse(wait.since)),
    };
    s.waits.push(ended);
    s.controlFrom = wait.step + 1;
    if (handoff.kind === 'go' && handoff.full) s.full = true;
  }
  // The claim: the rollout is this run's now (a reconcile that dies in turn leaves an orphan again).
  const about = rollout.sha ? { sha: rollout.sha } : {};
  const entry: Omit<HistoryEntry, 'at'> = !handoff
    ? {
        by: r.actor,
        event: 'orphan_resumed',
        code: 'orphan_resume',
        version: rollout.version,
        ...about,
        detail: r.reason.slice(0, 1000),
      }
    : handoff.kind === 'go'
      ? {
          by: handoff.by.length ? handoff.by.join(', ').slice(0, 200) : r.actor,
          event: handoff.how,
          code: wait?.kind ?? 'wait',
          version: rollout.version,
          ...about,
          detail: r.reason.slice(0, 1000),
        }
      : {
          by: handoff.by.slice(0, 200),
          event: 'abort_requested',
          code: handoff.code,
          version: rollout.version,
          ...about,
          detail: handoff.reason.slice(0, 1000),
        };
  const claimed = withTransition(
    record,
    { rollout: { ...rollout, owner: r.owner, ...(handoff?.kind === 'go' ? { wait: undefined } : {}) } },
    entry,
    new Date(r.now),
  );
  s.tracks.production = {
    ...newTrack('production', env.name, check.live, claimed),
    strategy,
    rolloutStarted: true,
    rolloutDurable: true,
  };
  out.push({ kind: 'persist', record: claimed, durable: true, wait: true });
  if (handoff?.kind === 'abort') {
    log(out, 'info', `rolling back the rollout of ${rollout.version} on ${env.name}: ${r.reason}`);
    const bake = handoff.code === 'bake_rolled_back';
    s.tasks = [
      { do: 'skip', phase: 'validate', detail: 'done by the run that started the rollout' },
      { do: 'skip', phase: 'staging', detail: 'done by the run that started the rollout' },
      {
        do: 'phase',
        phase: 'production',
        detail: `${env.strategy.type}, ${bake ? 'bake rolled back' : 'aborted'}`,
      },
      { do: 'prepare', track: 'production' },
      {
        do: 'abort',
        track: 'production',
        kind: bake ? 'strategy' : 'aborted',
        message: bake
          ? `the bake's metrics asked for a rollback: ${handoff.reason}`
          : `aborted by ${handoff.by}${handoff.reason ? `: ${handoff.reason}` : ''}`,
      },
    ];
  }
  for (const w of s.waits) report(out, { type: 'wait-end', record: w });
  if (handoff?.kind !== 'abort')
    log(out, 'info', `resuming the rollout of ${rollout.version} on ${env.name}: ${r.reason}`);
  run(s, out, r.now);
  return { state: s, actions: out };
}

/** The tasks of a resumed rollout: the pipeline's own program from verify (or monitor) on, after the strategy. */
function resumeProgram(
  input: MachineInput,
  phase: ResumePhase,
  strategy: SequenceState,
  as: 'rerun' | 'advance' | 'final_look' = 'rerun',
  bake?: { since: number; until: number; now: number },
  startedAt?: number,
): Task[] {
  const prepare: Task = {
    do: 'prepare',
    track: 'production',
    ...(startedAt !== undefined ? { before: startedAt } : {}),
  };
  const done = 'done by the run that started the rollout';
  const full = program(input);
  const tasks: Task[] = [
    { do: 'skip', phase: 'validate', detail: done },
    { do: 'skip', phase: 'staging', detail: done },
  ];
  if (phase === 'production')
    tasks.push(
      {
        do: 'phase',
        phase: 'production',
        detail: `${input.env.strategy.type}, resumed at step ${strategy.index + 1}/${strategy.plan.length}`,
      },
      prepare,
      {
        do: 'strategy',
        track: 'production',
        phase: 'production',
        from: strategy,
        as,
        ...(bake ? { bake } : {}),
      },
      { do: 'end', phase: 'production' },
    );
  else tasks.push({ do: 'skip', phase: 'production', detail: done }, prepare);
  if (phase === 'monitor') tasks.push({ do: 'skip', phase: 'verify', detail: done });
  const from = full.findIndex((t) =>
    phase === 'monitor'
      ? (t.do === 'phase' || t.do === 'skip') && t.phase === 'monitor'
      : t.do === 'phase' && t.phase === 'verify',
  );
  const rest = full.slice(from);
  if (phase !== 'monitor' || !bake) return [...tasks, ...rest];
  // A handed-off monitor window: judged from its start, like a strategy step's bake (resumedTransition).
  return [
    ...tasks,
    ...rest.map((t): Task =>
      t.do === 'watch' && t.phase === 'monitor'
        ? { ...t, ...finalLook(bake, bake.until - bake.since, input.env.control.maxWaitInJobMs) }
        : t,
    ),
  ];
}

/**
 * The last look at a handed-off bake (a strategy step's or the monitor window): the whole window from its
 * start where the metrics keep history (else a live window of at most the in-job wait); ended early by a
 * person, the evidence so far (midway: only a trigger that fired stops it).
 */
function finalLook(
  bake: { since: number; until: number; now: number },
  windowMs: number,
  maxWaitInJobMs: number,
): { windowMs: number; lookBack: LookBack } {
  const early = bake.now < bake.until;
  return {
    windowMs: early ? Math.max(0, bake.now - bake.since) : windowMs,
    lookBack: {
      since: bake.since,
      liveMs: Math.min(windowMs, maxWaitInJobMs),
      ...(early ? { midway: true } : {}),
    },
  };
}

/**
 * The strategy's decision on resuming: run again the step the record was at (an orphan, a held step), go on
 * after it (a manual or approval wait that ended), or the bake's final look: its analysis once more, for at
 * most the in-job wait (the bake itself was watched by reconcile while it lasted).
 */
function resumedTransition(
  s: PipelineState,
  task: Extract<Task, { do: 'strategy' }>,
  state: SequenceState,
): Transition<SequenceState> {
  const planned = state.plan[state.index]!;
  if (task.as === 'advance') return machineOf(s, task.track).next(state, { ok: true });
  if (task.as === 'final_look' && planned.step.kind === 'analysis') {
    const liveMs = Math.min(planned.step.windowMs, s.input.env.control.maxWaitInJobMs);
    const bake = task.bake;
    if (!bake)
      return {
        state,
        decision: {
          type: 'run',
          step: { ...planned.step, windowMs: liveMs },
          reason: `the bake ended: a final analysis of ${Math.round(liveMs / 1000)}s before going on`,
        },
      };
    const early = bake.now < bake.until;
    return {
      state,
      decision: {
        type: 'run',
        step: {
          ...planned.step,
          ...finalLook(bake, planned.step.windowMs, s.input.env.control.maxWaitInJobMs),
        },
        reason: early
          ? `the bake was ended early: its metrics since ${iso(bake.since)} are looked at before going on`
          : `the bake ended: its analysis covers the whole bake since ${iso(bake.since)} before going on`,
      },
    };
  }
  return {
    state,
    decision: { type: 'run', step: planned.step, reason: `resumed: ${planned.reason}` },
  };
}

/** Cancelled at a task with no rollback of its own: undo the strategy's traffic if it started (a resume). */
function cancelAt(s: PipelineState, out: Action[], id: TrackId, now: number): void {
  const failure: Failure = { kind: 'cancelled', message: CANCELLED };
  if (s.tracks[id]?.strategy) return failAndRollBack(s, out, id, failure, now);
  fail(s, out, failure, now);
}
