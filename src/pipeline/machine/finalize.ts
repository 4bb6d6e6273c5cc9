// Finalize: the new release goes live in the record (confirmed stored), then the old slot's scale-down wait and
// teardown, then the on_success hook. Its own stages and events; it goes on with the task loop through the
// `run` it is handed.
import { usesSlots } from '../../strategies/index.ts';
import type { Step } from '../../strategies/types.ts';
import type { Release, RetiredSlot } from '../../state/record.ts';
import type {
  MachineEvent,
  Action,
  Task,
  Track,
  TrackId,
  FinalizeStage,
  PipelineState,
  Run,
} from './state.ts';
import { track, envOf, machineOf, recordStep, stepStart, log, iso, clean } from './bookkeeping.ts';
import { byOf, persist } from './records.ts';
import { closeAndFinish } from './outcome.ts';
import { stoppedWords } from './state.ts';
import { fail, unexpected } from './rollback.ts';

/** The longest scale-down delay the job itself waits out; longer ones keep the old slot and say so. */
export const MAX_IN_JOB_SCALE_DOWN_WAIT_MS = 10 * 60_000;

/**
 * The new release goes live in the record first (so a job lost in the wait leaves a due teardown behind), and
 * nothing more happens until that record is confirmed stored (onFinalizeEvent): no scale-down, no teardown, no
 * on_success hook announcing a deployment whose record says it is still rolling out.
 */
export function beginFinalize(
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
    // A rollback deployment's release never runs hooks.after_success (reconcile/after-success.ts); another
    // runs it only when this deployment had it (a hook added to the config later is not this release's).
    ...(env.rollback ? { rollback: true as const } : {}),
    ...(env.hooks.afterSuccess && !env.rollback ? { afterSuccessPlanned: true as const } : {}),
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
  return finalizeStep(s, out, task, 'stored', now);
}

/** Issues finalize's next action from `stage` on; false when finalize is done. */
function finalizeStep(
  s: PipelineState,
  out: Action[],
  task: Extract<Task, { do: 'finalize' }>,
  stage: FinalizeStage,
  now: number,
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
  if (stage === 'claim' && s.retiring) {
    // The claim, stored before the command, as reconcile's (reconcile/run.ts teardown): a deployment started in
    // the wait deploys into this slot, and would have it torn down under its traffic. One that wrote since
    // makes this write fail (nothing runs); one that reads it refuses to deploy there.
    s.sub = 'claim';
    const t = track(s, task.track);
    const claim = { startedAt: iso(now), by: byOf(s.input.owner) };
    persist(
      s,
      out,
      task.track,
      { retired: t.record.retired.map((r) => (r.slot === s.retiring!.slot ? { ...r, teardown: claim } : r)) },
      undefined,
      now,
      true,
      true,
    );
    out.push({ kind: 'confirm_stored' });
    return true;
  }
  if (stage === 'teardown' && s.retiring) {
    s.sub = 'teardown';
    const step: Step = { kind: 'teardown', slot: s.retiring.slot };
    stepStart(out, env.name, 'finalize', step);
    out.push({ kind: 'run_step', track: task.track, step, cancellable: false });
    return true;
  }
  // A run that ends cancelled (the signal came in the old slot's wait or teardown) did not succeed: nothing
  // announces it, and no command starts after the signal.
  if (!task.quiet && env.hooks.onSuccess && s.failure?.kind === 'cancelled')
    log(
      out,
      'warn',
      s.stoppedBy === undefined
        ? 'on_success hook not run: the deployment was cancelled before it finished'
        : 'on_success hook not run: an internal error stopped the deployment before it finished',
    );
  else if (!task.quiet && env.hooks.onSuccess) {
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

export function onFinalizeEvent(
  s: PipelineState,
  out: Action[],
  task: Extract<Task, { do: 'finalize' }>,
  event: MachineEvent,
  run: Run,
): void {
  const now = event.now;
  let more: boolean;
  if (s.sub === 'stored') {
    if (event.type !== 'stored') return unexpected(s, out, task, event);
    if (event.notStored !== undefined)
      return finalRecordNotStored(s, out, task, event.notStored, now, event.cancelled === true);
    // The signal came while it was stored: the release stands, but nothing starts after the signal.
    if (event.signalled) {
      if (s.retiring) leftForReconcile(s, task.track, `${stoppedWords(s)} before its teardown began`);
      else onSuccessLeft(s, task);
      more = finalizeStep(s, out, task, 'on_success', now);
    } else
      more = finalizeStep(
        s,
        out,
        task,
        s.retiring ? (s.retiring.delayMs > 0 ? 'wait' : 'claim') : 'on_success',
        now,
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
    more = finalizeStep(s, out, task, event.cancelled ? 'on_success' : 'claim', now);
  } else if (s.sub === 'claim') {
    if (event.type !== 'stored') return unexpected(s, out, task, event);
    // Cancelled while the claim was stored (confirmed or not): the teardown is not started after the signal.
    // Released all the same: the claim may still land (a write the job was cancelled in goes on; GitHub's
    // carrier sends the last record it was given with the check run's next update), and with no teardown
    // behind it, it would hold every deployment off this slot until a reconcile.
    const signalled = event.signalled === true || event.cancelled === true;
    if (signalled) {
      releaseClaim(s, out, task.track, s.retiring!.slot, now);
      leftForReconcile(s, task.track, `${stoppedWords(s)} before its teardown began`);
    } else if (event.notStored !== undefined) {
      releaseClaim(s, out, task.track, s.retiring!.slot, now);
      const retired = track(s, task.track).record.retired.find((r) => r.slot === s.retiring!.slot);
      log(
        out,
        'warn',
        `${s.retiring!.slot} was not torn down: the record saying it is being torn down could not be stored ` +
          `first (${event.notStored}); a deployment may be reusing it` +
          (retired ? `. If not, a reconcile run tears it down (due at ${retired.dueAt})` : ''),
      );
    }
    more = finalizeStep(
      s,
      out,
      task,
      signalled || event.notStored !== undefined ? 'on_success' : 'teardown',
      now,
    );
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
      // Begun before the signal, it finished; what was to follow it is not started after the signal.
      if (event.signalled) onSuccessLeft(s, task);
    } else {
      // Failed: it stays retired for reconcile, claimed no more (a deployment may reuse it meanwhile).
      releaseClaim(s, out, task.track, s.retiring!.slot, now);
      // Cut short by a cancelled job (its deadline stopped the command) or failing after the signal: as when
      // cancelled in the wait, the release stands but the run ends cancelled, not succeeded.
      if (event.signalled) {
        const retired = track(s, task.track).record.retired.find((r) => r.slot === step.slot);
        s.failure = {
          kind: 'cancelled',
          message:
            `${step.slot} was not torn down (${event.result.reason})` +
            (retired ? `; a reconcile run tears it down (due at ${retired.dueAt})` : ''),
        };
      }
    }
    more = finalizeStep(s, out, task, 'on_success', now);
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
 * The signal came before the old slot's teardown began: it is not started (its entry stays, due), and the run
 * ends cancelled saying so, the release standing, as when cancelled in the scale-down wait.
 */
function leftForReconcile(s: PipelineState, id: TrackId, why: string): void {
  const slot = s.retiring!.slot;
  const retired = track(s, id).record.retired.find((r) => r.slot === slot);
  s.failure = {
    kind: 'cancelled',
    message:
      `${slot} was not torn down (${why})` +
      (retired ? `; a reconcile run tears it down (due at ${retired.dueAt})` : ''),
  };
}

/** The signal came before on_success began: it is not started, and the run ends cancelled saying so. */
function onSuccessLeft(s: PipelineState, task: Extract<Task, { do: 'finalize' }>): void {
  if (task.quiet || !envOf(s, task.track).hooks.onSuccess) return;
  s.failure = {
    kind: 'cancelled',
    message: `the on_success hook was not run (${stoppedWords(s)} before it began)`,
  };
}

/** The slot stays retired (due: a reconcile tears it down), its teardown claimed by nobody. */
function releaseClaim(s: PipelineState, out: Action[], id: TrackId, slot: string, now: number): void {
  const t = track(s, id);
  const retired = t.record.retired.map((r) => {
    if (r.slot !== slot) return r;
    const { teardown: _claim, ...rest } = r;
    return rest;
  });
  persist(s, out, id, { retired }, undefined, now, false);
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
  cancelled: boolean,
): void {
  const env = envOf(s, task.track);
  const kept = s.retiring ? `, ${s.retiring.slot} was not torn down` : '';
  const hook = !task.quiet && env.hooks.onSuccess ? ', the on_success hook was not run' : '';
  // Cancelled while production's was being stored: the release is live and stands (a cancellation in
  // finalize), and the write goes on; whether it landed is what is not known. (Staging's: as not stored.)
  if (cancelled && task.track === 'production')
    return fail(
      s,
      out,
      {
        kind: 'cancelled',
        message:
          `${stoppedWords(s)} while the state record saying so was being stored (the write goes on; it is not ` +
          `confirmed)${kept}${hook}. If it did not land, the stored record still shows the rollout in progress and ` +
          `the next deployment of ${env.name} is refused until reconcile takes it up`,
      },
      now,
    );
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
