// The task loop: start() and next(), the task program of a deployment, and run(), which works through the tasks
// until one needs I/O. Each task's events go to the part that owns it (strategy, watch, finalize, rollback).
import {
  cancelledFailure,
  initialState,
  type MachineInput,
  type MachineEvent,
  type Action,
  type Task,
  type PipelineState,
  type MachineTransition,
} from './state.ts';
import {
  track,
  envOf,
  machineOf,
  recordStep,
  stepStart,
  stoppedResult,
  endPhase,
  recordPhase,
  report,
  iso,
} from './bookkeeping.ts';
import {
  newTrack,
  believe,
  isFailure,
  startRollout,
  phaseEntry,
  persist,
  slotTearingDown,
} from './records.ts';
import { finish, finishSuccess } from './outcome.ts';
import { failAndRollBack, onRollbackEvent, fail, internalError, unexpected, cancelAt } from './rollback.ts';
import { abortRollout } from './waits.ts';
import { watchStep, isMonitorBake, handOffMonitor } from './watch.ts';
import { beginFinalize, onFinalizeEvent } from './finalize.ts';
import { decide, onStrategyEvent, controlOf, resumedTransition } from './strategy.ts';

export function start(input: MachineInput): MachineTransition {
  const { env } = input;
  const out: Action[] = [];
  const s = initialState(input, program(input), 'validate');
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
  const record = input.liveProblem
    ? ({ kind: 'refused', message: input.liveProblem } as const)
    : believe(s, out, 'production', input.stored, input.now);
  if (isFailure(record)) {
    s.failure = record;
    return { state: s, actions: finish(s, out, input.now) };
  }
  s.tracks.production = newTrack('production', env.name, input.live, record);
  run(s, out, input.now);
  return { state: s, actions: out };
}

export function program(input: MachineInput): Task[] {
  const { env, staging } = input;
  const tasks: Task[] = [];
  if (input.skipGates) tasks.push({ do: 'skip', phase: 'validate', detail: 'gates skipped for this run' });
  else if (input.hasGates)
    tasks.push({ do: 'phase', phase: 'validate' }, { do: 'gates' }, { do: 'end', phase: 'validate' });
  else tasks.push({ do: 'skip', phase: 'validate', detail: 'no gates configured' });
  tasks.push({ do: 'checkpoint' });
  // Seed 02's look at what is live, once the gates passed and before anything is touched.
  if (input.liveLook) tasks.push({ do: 'live_health' }, { do: 'checkpoint' });

  if (env.staging && !input.skipStaging && staging) {
    tasks.push(
      { do: 'phase', phase: 'staging', detail: env.staging },
      { do: 'read', track: 'staging' },
      { do: 'rollout', track: 'staging' },
      // The staging environment's own hooks, as when it is deployed alone: seed 01 applies the migrations on
      // staging before deploying there, and a staging validated against a schema it never got proves nothing.
      ...(staging.hooks.backup
        ? [{ do: 'hook' as const, track: 'staging' as const, name: 'backup' as const }]
        : []),
      ...(staging.hooks.migrate
        ? [{ do: 'hook' as const, track: 'staging' as const, name: 'migrate' as const }]
        : []),
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

/**
 * The state after `event`. `stoppedBy`: the internal error (its message) the run's cancellation came from, once
 * the process crashed (the executor reads it off the aborted signal): a cancellation from then on says so.
 */
export function next(state: PipelineState, event: MachineEvent, stoppedBy?: string): MachineTransition {
  if (state.result) return { state, actions: [] };
  const s = copy(state);
  if (stoppedBy !== undefined && s.stoppedBy === undefined) s.stoppedBy = stoppedBy;
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
      if (cancelled) return fail(s, out, cancelledFailure(s), now);
      break;
    case 'live_health':
      if (cancelled) return fail(s, out, cancelledFailure(s), now);
      if (event.type !== 'live_looked') return unexpected(s, out, task, event);
      if (event.refuses !== undefined)
        return fail(s, out, { kind: 'live_unhealthy', message: event.refuses }, now);
      break;
    case 'claim':
      if (event.type !== 'stored') return unexpected(s, out, task, event);
      // Refused, not failed: nothing ran and nothing is written, so the record stays as it was read.
      if (event.notStored !== undefined)
        return fail(
          s,
          out,
          {
            kind: 'refused',
            message:
              `the state record taking up the rollout of ${s.input.version} on ${s.input.env.name} could not ` +
              `be stored (${event.notStored}); nothing was run and the record is as it was, so the next ` +
              'reconcile takes it up again',
          },
          now,
        );
      break;
    case 'gates': {
      if (event.type !== 'gates_done') return unexpected(s, out, task, event);
      s.gates = event.report;
      if (cancelled) return fail(s, out, cancelledFailure(s), now);
      if (event.report.status === 'BLOCK')
        return fail(s, out, { kind: 'blocked', message: event.summary }, now);
      s.detail = `${event.report.status}: ${event.summary}`;
      break;
    }
    case 'read': {
      if (event.type !== 'state_read') return unexpected(s, out, task, event);
      if (cancelled) return fail(s, out, cancelledFailure(s), now);
      const env = envOf(s, task.track);
      const record = event.liveProblem
        ? ({ kind: 'refused', message: event.liveProblem } as const)
        : believe(s, out, task.track, event.stored, now);
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
      // A new list: the state given to next() is never changed (a shallow copy shares its arrays).
      if (!event.notBegun)
        s.hooksBegun = [...(s.hooksBegun ?? []), `${envOf(s, task.track).name}'s ${task.name}`];
      if (cancelled) return fail(s, out, cancelledFailure(s), now);
      if (event.error) {
        const failure = {
          kind: 'hook' as const,
          message:
            task.track === 'staging'
              ? `the ${task.name} hook of ${envOf(s, task.track).name} (the staging environment) failed: ${event.error.message}`
              : `${task.name} hook failed: ${event.error.message}`,
        };
        // Seed 04's stage 1, "Rollback trigger: Migration failures": no traffic has moved, but what the failed
        // migration began (a schema half changed, the flags and config set up beside it) is the rollback
        // levels' to undo. A failed backup changed nothing.
        if (task.name === 'migrate' && envOf(s, task.track).hooks.onRollback.length > 0)
          return failAndRollBack(s, out, task.track, failure, now);
        return fail(s, out, failure, now);
      }
      break;
    }
    case 'prepare':
      if (event.type !== 'prepared') return unexpected(s, out, task, event);
      if (cancelled) return cancelAt(s, out, task.track, now);
      break;
    case 'strategy':
      return onStrategyEvent(s, out, task, event, cancelled, run);
    case 'smoke': {
      if (event.type !== 'command_done') return unexpected(s, out, task, event);
      if (cancelled) return failAndRollBack(s, out, task.track, cancelledFailure(s), now);
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
      recordStep(
        s,
        out,
        task.track,
        task.phase,
        step,
        stoppedResult(event.result, cancelled, !!event.aborted, s.stoppedBy),
        event.durationMs,
      );
      if (event.aborted) return abortRollout(s, out, task.track, event.aborted, now);
      if (cancelled) return failAndRollBack(s, out, task.track, cancelledFailure(s), now);
      if (!event.result.ok)
        return failAndRollBack(s, out, task.track, { kind: 'strategy', message: event.result.reason }, now);
      s.detail = event.result.detail ?? 'healthy';
      break;
    }
    case 'finalize':
      return onFinalizeEvent(s, out, task, event, run);
    default:
      return unexpected(s, out, task, event);
  }
  s.pc++;
  run(s, out, now);
}

/** Runs the tasks that need no I/O, up to the first that does (its action is the last one out). */
export function run(s: PipelineState, out: Action[], now: number): void {
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
      case 'claim':
        out.push({ kind: 'confirm_stored' });
        return;
      case 'gates':
        out.push({ kind: 'run_gates' });
        return;
      case 'live_health':
        out.push({ kind: 'look_live' });
        return;
      case 'read':
        out.push({ kind: 'read_state', track: task.track });
        return;
      case 'rollout': {
        const tearingDown = slotTearingDown(s, task.track);
        if (tearingDown) return fail(s, out, { kind: 'refused', message: tearingDown }, now);
        startRollout(s, out, task.track, now);
        break;
      }
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
