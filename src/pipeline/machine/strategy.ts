// The strategy task: the strategy machine's decisions, the write-ahead record before each step, and people's
// control at and between its steps (/pause, /promote, /abort, wait steps). One file because decide() and the
// control around it call each other; it goes on with the task loop through the `run` it is handed.
import { usesSlots } from '../../strategies/index.ts';
import { advance, type SequenceState } from '../../strategies/sequence.ts';
import { decideControl, type ControlDecision } from '../../control/decide.ts';
import type { LookBack, Step, Transition } from '../../strategies/types.ts';
import { TRAFFIC_STEPS } from '../rollback-shortfall.ts';
import type { DecisionRecord } from '../events.ts';
import {
  cancelledFailure,
  type TrackId,
  type MachineEvent,
  type Action,
  type Task,
  type PipelineState,
  type Run,
} from './state.ts';
import {
  track,
  envOf,
  machineOf,
  recordStep,
  stepStart,
  stoppedResult,
  report,
  log,
  iso,
} from './bookkeeping.ts';
import { persist } from './records.ts';
import {
  nothingStarted,
  failUntouched,
  failAndRollBack,
  cancelRollout,
  fail,
  unexpected,
} from './rollback.ts';
import {
  isBake,
  handOffBake,
  startWait,
  awaitControl,
  endWait,
  handOff,
  pauseOnFailure,
  abortRollout,
  controlKept,
} from './waits.ts';

/** Reports the strategy's decision and acts on it; true when an action is out (the task goes on later). */
export function decide(
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
    else if (nothingStarted(s, task.track))
      failUntouched(s, out, task.track, { failed: decision.reason }, now);
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

export function onStrategyEvent(
  s: PipelineState,
  out: Action[],
  task: Extract<Task, { do: 'strategy' }>,
  event: MachineEvent,
  cancelled: boolean,
  run: Run,
): void {
  const now = event.now;
  if (s.sub === 'wait') return onWaitEvent(s, out, task, event, cancelled, run);
  if (s.sub === 'checkpoint') {
    if (cancelled) return cancelRollout(s, out, task.track, now);
    if (event.type === 'resumed' && event.requests) s.requests = event.requests;
    if (controlled(s, task) && beforePendingStep(s, out, task, now)) return;
    runPending(s, out, task, now);
    return;
  }
  if (event.type !== 'step_done') return unexpected(s, out, task, event);
  const step = s.pendingStep!;
  s.pendingStep = undefined;
  const result = stoppedResult(event.result, cancelled, !!event.aborted, s.stoppedBy);
  recordStep(s, out, task.track, task.phase, step, result, event.durationMs);
  if (event.notStored !== undefined) return recoveryNotStored(s, out, task.track, event.notStored, now);
  if (event.aborted) return abortRollout(s, out, task.track, event.aborted, now);
  // Cancelled as the first step was being started, and it never ran (not-started): nothing to undo, and a
  // rollback would tear down a retired slot the write-ahead took over though nothing was deployed into it.
  if (cancelled) return cancelRollout(s, out, task.track, now);
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
 * (a first deployment, or a version served from no recorded slot) routing "back" would send traffic somewhere
 * new, so the recovery grows as the steps do. Rolling and direct keep the recovery of the steps started so far: rolling's grows a batch at a time (a
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
  // The slot the rollout deploys into leaves `retired` once the recovery tears it down: from here a rollback
  // (this run's, or reconcile's of the orphan) removes it, and a reconcile must not tear it down under the
  // new version. Until then the entry stayed, so a run that failed before this left the old slot due.
  const takenOver = t.record.retired.find(
    (r) => r.slot === rollout.newSlot && recovery.some((x) => x.kind === 'teardown' && x.slot === r.slot),
  );
  if (takenOver) s.tracks[id] = { ...t, retiredTakenOver: takenOver };
  persist(
    s,
    out,
    id,
    {
      ...(takenOver ? { retired: t.record.retired.filter((r) => r !== takenOver) } : {}),
      rollout: {
        ...rollout,
        step: strategyState.index,
        weight: step.kind === 'set_weight' ? step.weight : rollout.weight,
        recovery,
        strategyState,
        // Where a rerun of this step counts /promotes from (a resumed orphan), and whether a /promote --full
        // counted: as this run does now.
        ...(id === 'production' ? controlKept(s) : {}),
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
export function controlOf(s: PipelineState, id: TrackId): { control?: { deploymentId: string } } {
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

function onWaitEvent(
  s: PipelineState,
  out: Action[],
  task: Extract<Task, { do: 'strategy' }>,
  event: MachineEvent,
  cancelled: boolean,
  run: Run,
): void {
  const now = event.now;
  if (event.type !== 'control' && event.type !== 'cancelled') return unexpected(s, out, task, event);
  const w = s.waiting!;
  if (cancelled) {
    endWait(s, out, s.stoppedBy === undefined ? 'cancelled' : 'stopped', [], now);
    return failAndRollBack(s, out, task.track, cancelledFailure(s), now);
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
  if (d.action === 'go') return endWaitAndGoOn(s, out, task, d, now, run);
  if (event.timedOut && s.input.handOff) return handOff(s, out, task.track, now);
  awaitControl(s, out, task.track);
}

function endWaitAndGoOn(
  s: PipelineState,
  out: Action[],
  task: Extract<Task, { do: 'strategy' }>,
  d: Extract<ControlDecision, { action: 'go' }>,
  now: number,
  run: Run,
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
      { rollout: { ...t.record.rollout, wait: undefined, ...(s.full ? { full: true as const } : {}) } },
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

// ---- the strategy of a resumed rollout (resume.ts) ---------------------------------------------------------------

/**
 * The last look at a handed-off bake (a strategy step's or the monitor window): the whole window from its
 * start where the metrics keep history (else a live window of at most the in-job wait); ended early by a
 * person, the evidence so far (midway: only a trigger that fired stops it).
 */
export function finalLook(
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
export function resumedTransition(
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
