// Failure and the rollback path: failing with nothing to undo, or putting traffic back first (the strategy's
// rollback steps, then the on_rollback levels, each only while the ones before were not enough: a level
// whose verify passes skips the rest), and the events of a rollback in progress. Every run it ends,
// it ends through outcome.ts: nothing here goes back into the task loop.
import { describeStep, heldBackInRollback } from '../../strategies/sequence.ts';
import type { Step } from '../../strategies/types.ts';
import type { StepResult } from '../../strategies/types.ts';
import { isFirstDeployment } from '../../strategies/capabilities.ts';
import { usesSlots } from '../../strategies/index.ts';
import { TRAFFIC_STEPS, undoLeft } from '../rollback-shortfall.ts';
import { levelsLeft, skippedLevel, sufficedLevel, verifyHealthStep } from '../rollback-levels.ts';
import type { RollbackLevelRecord, RollbackRecord } from '../events.ts';
import {
  cancelledFailure,
  type TrackId,
  type MachineEvent,
  type Action,
  type Task,
  type Failure,
  type PipelineState,
} from './state.ts';
import { track, envOf, machineOf, recordStep, stepStart, report } from './bookkeeping.ts';
import { persist } from './records.ts';
import { closeAndFinish, failureCode } from './outcome.ts';

/**
 * This run's own rollout of `id` failed before any of its steps started a command (the first one's values
 * were refused, or its program is not there): nothing changed, so there is nothing to roll back. Rolling back
 * would run the previous version's deploy over a target that never left it, and on a first deployment (no
 * previous version) it could not complete, leaving a rollout that no reconcile run could finish.
 */
export function nothingStarted(s: PipelineState, id: TrackId): boolean {
  const steps = freshRolloutSteps(s, id);
  return steps !== undefined && steps.length > 0 && noneStarted(steps);
}

/** The steps of this run's own rollout of `id` so far; undefined when it resumed an earlier run's rollout. */
function freshRolloutSteps(s: PipelineState, id: TrackId): PipelineState['steps'] | undefined {
  const t = track(s, id);
  if (!t.rolloutFresh) return undefined;
  return s.steps.filter((r) => r.environment === t.environment && r.phase !== 'rollback');
}

const noneStarted = (steps: PipelineState['steps']): boolean =>
  steps.every((r) => !r.result.ok && r.result.untouched === 'not-started');

/**
 * The job was cancelled during this run's rollout of `id`: rolled back, unless nothing of it ran (a fresh
 * rollout seen cancelled at the checkpoint before its first step, or that step not started): then it ends
 * cancelled with nothing undone (failUntouched), as a rollback would run the previous version's deploy over a
 * target that never left it, roll back instances never touched, and run the on_rollback levels.
 */
export function cancelRollout(s: PipelineState, out: Action[], id: TrackId, now: number): void {
  const steps = freshRolloutSteps(s, id);
  if (steps !== undefined && noneStarted(steps)) return failUntouched(s, out, id, { cancelled: true }, now);
  failAndRollBack(s, out, id, cancelledFailure(s), now);
}

/**
 * Fails without a rollback (nothingStarted); finish() clears the rollout this run wrote. The slot it would
 * have deployed into was never touched: it is retired again as it was, for reconcile to tear down when due
 * (carried into finish()'s write, as its recovery, which held that teardown, is dropped there). `why`: the
 * step's failure, or the job cancelled as the step was being started: the run ends cancelled ("cancelled
 * before anything changed"), never rolled back.
 */
export function failUntouched(
  s: PipelineState,
  out: Action[],
  id: TrackId,
  why: { failed: string } | { cancelled: true },
  now: number,
): void {
  const t = track(s, id);
  const back = t.retiredTakenOver;
  if (back && !t.record.retired.some((r) => r.slot === back.slot))
    s.tracks[id] = { ...t, record: { ...t.record, retired: [...t.record.retired, back] } };
  s.failure =
    'cancelled' in why
      ? cancelledFailure(s)
      : {
          kind: 'strategy',
          message: `${why.failed}; nothing was changed (the command did not start), so nothing was rolled back`,
        };
  closeAndFinish(s, out, now);
}

/** The strategy of `id` has started: put traffic back first, then fail. */
export function failAndRollBack(
  s: PipelineState,
  out: Action[],
  id: TrackId,
  failure: Failure,
  now: number,
): void {
  s.failure = failure;
  const t = track(s, id);
  // The slot the rollout deploys into, while still retired: the write-ahead before the deploy into it (which
  // takes the entry over, strategy.ts) was never stored, so nothing was deployed there and it still holds the
  // previous release, the instant rollback target until its due time. Reconcile tears it down then, not this.
  const stillRetired = t.record.retired.find((r) => r.slot === t.record.rollout?.newSlot)?.slot;
  // Before the strategy began (a failed migrate hook) nothing of it ran: only the rollback levels run.
  const steps = t.strategy
    ? machineOf(s, id)
        .rollback(t.strategy)
        .filter((step) => !(step.kind === 'teardown' && step.slot === stillRetired))
    : [];
  const reason = failure.kind === 'cancelled' ? cancelledFailure(s).message : failure.message;
  report(out, { type: 'rollback-start', environment: t.environment, reason, steps: steps.map(describeStep) });
  s.rollback = {
    track: id,
    reason,
    steps,
    index: 0,
    records: [],
    levels: [],
    startedAt: now,
    ...(t.strategy
      ? {}
      : {
          beforeStrategy: {
            ...(t.live.slot ? { liveSlot: t.live.slot } : {}),
            // Nothing to run a health check on: nothing live, or no live slot for a strategy whose checks
            // are of a slot (a record naming a version alone, as after `direct`).
            ...(isFirstDeployment(t.live) || (usesSlots(envOf(s, id).strategy) && !t.live.slot)
              ? { nothingLive: true as const }
              : {}),
          },
        }),
  };
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
  const levels = env.hooks.onRollback;
  if (rb.verifying) return verifyLevel(out, rb, rb.levels.length - 1, env);
  // A level was enough: the later ones are not run (seed 04: each only when the one before was not enough).
  const enough = sufficedLevel(rb.levels);
  if (enough)
    for (const skipped of levels.slice(rb.levels.length))
      rb.levels.push(skippedLevel(skipped.name, enough.name));
  const level = levels[rb.levels.length];
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
    ok: stepsOk && levelsLeft(rb.levels).length === 0,
    trafficRestoredMs: rb.trafficRestoredMs,
    durationMs: rb.stepsMs ?? 0,
    levels: rb.levels,
  };
  s.rollbacks.push(record);
  report(out, { type: 'rollback-end', record });
  s.rollback = undefined;
  const t = track(s, rb.track);
  if (t.record.rollout) {
    // What still has to be undone: the rollback steps that failed (reconcile retries them), not those no later
    // run could do (undoLeft: no earlier version to return to, and the health check of what it did not put back),
    // and the on_rollback levels left undone: the record keeps saying so until a reconcile has run them, as
    // reconcile's own rollback of an orphan keeps them (reconcile/run.ts).
    const left = undoLeft(rb.records).map((r) => r.step);
    const undone = levelsLeft(rb.levels);
    const { levelsUndone: _, ...rollout } = t.record.rollout;
    // Every traffic step went back: the new version serves none (status said "25 % on the new version").
    const back =
      rb.trafficRestoredMs !== undefined && !left.some((step) => TRAFFIC_STEPS.has(step.kind))
        ? { ...(rollout.weight !== undefined ? { weight: 0 } : {}) }
        : {};
    persist(
      s,
      out,
      rb.track,
      {
        rollout:
          left.length || undone.length
            ? { ...rollout, ...back, recovery: left, ...(undone.length ? { levelsUndone: undone } : {}) }
            : undefined,
      },
      undefined,
      now,
      true,
    );
  }
  closeAndFinish(s, out, now);
}

export function onRollbackEvent(s: PipelineState, out: Action[], event: MachineEvent): void {
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
      // A slot it tore down that was still retired is gone: reconcile does not tear it down again. (The slot
      // this rollout deploys into is not torn down while retired: failAndRollBack.)
      const torn = step.kind === 'teardown' && result.ok ? step.slot : undefined;
      const retired = torn ? t.record.retired.filter((r) => r.slot !== torn) : t.record.retired;
      persist(
        s,
        out,
        rb.track,
        {
          ...(retired.length !== t.record.retired.length ? { retired } : {}),
          rollout: { ...t.record.rollout, recovery: left },
        },
        undefined,
        now,
        true,
      );
    }
  } else if (rb.verifying) {
    rb.verifying = false;
    const last = rb.levels.length - 1;
    rb.levels[last] = { ...rb.levels[last]!, verify: verifyResult(event) };
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
    // A run that failed goes straight to the next level: there is nothing to verify. Nor is there for a
    // `verify: health` of a first deployment's failed migrate: nothing is live to check, so the level counts
    // as one without a verify (the next one runs), rather than failing the rollback on a check of nothing.
    const nothingToCheck = level.verify?.kind === 'health' && rb.beforeStrategy?.nothingLive === true;
    if (!error && level.verify && !nothingToCheck) rb.verifying = true;
    if (!error && nothingToCheck)
      rb.levels[rb.levels.length - 1]!.detail =
        'done; verify: health not run, no live version or slot to check';
  }
  continueRollback(s, out, now);
}

/**
 * Runs the verify of level `index`: its command, or the environment's health checks on the slot the rollback
 * put traffic back on (none for the strategies without slots). Not cancellable, like the rest of the rollback.
 */
function verifyLevel(
  out: Action[],
  rb: NonNullable<PipelineState['rollback']>,
  index: number,
  env: ReturnType<typeof envOf>,
): void {
  const level = env.hooks.onRollback[index]!;
  if (level.verify?.kind === 'health') {
    const step: Step = rb.beforeStrategy
      ? { kind: 'health', ...(rb.beforeStrategy.liveSlot ? { slot: rb.beforeStrategy.liveSlot } : {}) }
      : verifyHealthStep(rb.steps);
    out.push({ kind: 'run_step', track: rb.track, step, cancellable: false });
    return;
  }
  out.push({
    kind: 'run_command',
    track: rb.track,
    command: 'on_rollback_verify',
    index,
    label: `rollback:${level.name}:verify`,
    cancellable: false,
  });
}

function verifyResult(event: MachineEvent): NonNullable<RollbackLevelRecord['verify']> {
  switch (event.type) {
    case 'command_done':
      return event.error
        ? { ok: false, detail: event.error.message, durationMs: event.durationMs }
        : { ok: true, detail: 'passed', durationMs: event.durationMs };
    case 'step_done':
      return event.result.ok
        ? { ok: true, detail: event.result.detail ?? 'healthy', durationMs: event.durationMs }
        : { ok: false, detail: event.result.reason, durationMs: event.durationMs };
    case 'error':
      return { ok: false, detail: `internal error: ${event.message}`, durationMs: 0 };
    default:
      return { ok: false, detail: `unexpected ${event.type}`, durationMs: 0 };
  }
}

/** A failure where nothing needs undoing (or before the strategy started). */
export function fail(s: PipelineState, out: Action[], failure: Failure, now: number): void {
  s.failure = failure;
  closeAndFinish(s, out, now);
}

export function internalError(
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

export function unexpected(s: PipelineState, out: Action[], task: Task, event: MachineEvent): void {
  internalError(
    s,
    out,
    { type: 'error', message: `unexpected ${event.type} while at ${task.do}`, now: event.now },
    event.now,
  );
}

/** Cancelled at a task with no rollback of its own: undo the strategy's traffic if it started (a resume). */
export function cancelAt(s: PipelineState, out: Action[], id: TrackId, now: number): void {
  const failure: Failure = cancelledFailure(s);
  if (s.tracks[id]?.strategy) return failAndRollBack(s, out, id, failure, now);
  fail(s, out, failure, now);
}
