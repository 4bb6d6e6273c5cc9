// A wait of the production rollout (issue 14): a wait step, a hold (/pause, on_failure: pause), a bake; how it is
// stored, reported, described, ended, or handed off when the job may wait no longer, and a person's /abort. What
// decides to wait, and what goes on after one, is the strategy task's (strategy.ts).
import type { ResolvedEnvironment } from '../../config/resolve.ts';
import { approvalStepsAhead, PAUSED_ON_FAILURE } from '../../control/rollout.ts';
import type { ControlRequest } from '../../control/request.ts';
import type { Step } from '../../strategies/types.ts';
import type { RolloutWait } from '../../state/record.ts';
import type { WaitRecord } from '../events.ts';
import type { TrackId, Action, Task, Failure, PipelineState, Waiting } from './state.ts';
import { track, machineOf, report, log, iso, clean } from './bookkeeping.ts';
import { persist } from './records.ts';
import { closeAndFinish } from './outcome.ts';
import { failAndRollBack, fail } from './rollback.ts';

/** An analysis window longer than the job may wait: the job hands the rollout off (issue 14). */
export function isBake(
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

export function handOffBake(
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

export function startWait(
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
          ...controlKept(s),
          wait: rolloutWait(waiting, false, s.controlFrom),
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

export function awaitControl(s: PipelineState, out: Action[], id: TrackId): void {
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

export function endWait(
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
export function handOff(s: PipelineState, out: Action[], id: TrackId, now: number): void {
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
          ...controlKept(s),
          wait: rolloutWait(w, true, s.controlFrom),
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
export function pauseOnFailure(
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
        ...controlKept(s),
        wait: rolloutWait(s.waiting, true, s.controlFrom),
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
export function abortRollout(
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

/** `controlFrom`: the runner's, so reconcile and the App count the /promotes it counts (fromStep). */
/**
 * How the runner counts people's requests, written with every position of the production rollout: where its
 * /promotes count from (controlFrom) and whether a /promote --full counted (full). A resumed rollout (an
 * orphan, or a handed-off wait) goes on from them as this run would have.
 */
export function controlKept(s: PipelineState): { controlFrom: number; full?: true } {
  return { controlFrom: s.controlFrom, ...(s.full ? { full: true as const } : {}) };
}

function rolloutWait(w: Waiting, handedOff: boolean, controlFrom: number): RolloutWait {
  return clean({
    kind: w.kind,
    step: w.step,
    fromStep: Math.min(controlFrom, w.step),
    since: iso(w.since),
    until: w.gate?.kind === 'bake' ? iso(w.gate.until) : undefined,
    approvals: w.approvals,
    by: w.by,
    handedOff,
  });
}

/** A fresh baseline's share beside the canary at this weight: the same share, at every step below 100 %. */
export function baselineShare(env: ResolvedEnvironment, weight: number | undefined): number | undefined {
  const { strategy } = env;
  return strategy.type === 'canary' &&
    strategy.baseline !== undefined &&
    weight !== undefined &&
    weight > 0 &&
    weight < 100
    ? weight
    : undefined;
}

export function waitRecord(s: PipelineState, environment: string, w: Waiting, now: number): WaitRecord {
  // Waits are the production rollout's: its plan says which approval steps a `--full` would pass.
  const plan = environment === s.input.env.name ? s.tracks.production?.strategy?.plan : undefined;
  const ahead = plan ? approvalStepsAhead(plan, w.step, w.kind).map((a) => a.at) : [];
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
    approvalsAhead: ahead.length > 0 ? ahead : undefined,
    waitedMs: Math.max(0, now - w.since),
  });
}

function describeWaiting(s: PipelineState, w: Waiting): string {
  const env = s.input.env.name;
  // A rollout the CLI runs (its record in a state directory: repository `local`) is steered by the command
  // line's verbs, which append to that directory; the pull request's comments never reach it.
  const cli = s.input.repository === 'local';
  const say = (verb: 'promote' | 'abort' | 'resume') =>
    cli ? `deploy-action ${verb} -e ${env}` : `/${verb} ${env}`;
  switch (w.kind) {
    case 'manual':
      return `waiting at ${w.at} for ${say('promote')} (or ${say('abort')})`;
    case 'approval':
      return `waiting at ${w.at} for ${w.approvals ?? 1} approver(s) to ${say('promote')} (or ${say('abort')})`;
    case 'bake':
      return `baking at ${w.at} until ${w.gate?.kind === 'bake' ? iso(w.gate.until) : 'its window ends'}; reconcile goes on then (${say('promote')} goes on now, ${say('abort')} rolls back)`;
    case 'hold':
      if (w.failure !== undefined)
        return `${w.failure}; paused at ${w.at} (on_failure: pause), the batches before it stay as they are: ${say('resume')} runs ${w.at} again and goes on, ${say('abort')} rolls back`;
      return `paused at ${w.at} by ${w.by ?? 'someone'}: ${say('resume')} goes on, ${say('abort')} rolls back`;
  }
}
