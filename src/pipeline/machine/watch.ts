// The verify, staging and monitor watches: the analysis step each runs against what is live, and a monitor
// window longer than the job may wait, handed off as a bake. Their events are handled in the loop (loop.ts).
import type { Step } from '../../strategies/types.ts';
import type { Action, Task, PipelineState } from './state.ts';
import { track, machineOf, report } from './bookkeeping.ts';
import { handOff, waitRecord } from './waits.ts';

export function watchStep(s: PipelineState, task: Extract<Task, { do: 'watch' }>): Step {
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
export function isMonitorBake(s: PipelineState, task: Extract<Task, { do: 'watch' }>): boolean {
  return (
    task.phase === 'monitor' &&
    task.track === 'production' &&
    task.lookBack === undefined &&
    s.input.handOff === true &&
    task.windowMs > s.input.env.control.maxWaitInJobMs
  );
}

export function handOffMonitor(
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
