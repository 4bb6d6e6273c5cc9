// After the runner cancels a job it kills the action 10 s after the first signal (SIGINT, then SIGTERM at
// 7.5 s, SIGKILL at 10 s). The rollback never waits on GitHub, but the final GitHub updates do: once
// cancelled, they get what is left of those 10 s minus a reserve for the outputs, the summary and the
// record, so a slow or hanging GitHub cannot cost the outputs.
import { FORCE_KILL_AFTER_MS, stopAllCommands, type StopOfAll } from '../util/process-group.ts';
import type { Cancellation, SignalNotice } from '../util/signals.ts';

/** From the runner's first signal to its SIGKILL. */
export const RUNNER_KILL_AFTER_MS = 10_000;
/**
 * Kept back for writing the outputs, the job summary and the record, and exiting. 1.5 s was measured too
 * little on a busy 2-core runner: the exit came 8.6-9.1 s after SIGINT alone and 10.0 s (killed) under load.
 */
export const OUTPUT_RESERVE_MS = 2_500;
/** How long after the first signal GitHub reporting must be over. */
export const REPORTING_GRACE_MS = RUNNER_KILL_AFTER_MS - OUTPUT_RESERVE_MS;
/**
 * How long after the first signal commands may still run, the rollback's included: then every command still
 * running is stopped (SIGTERM, SIGKILL FORCE_KILL_AFTER_MS later), so the run can still report a rollback
 * that did not finish and exit before the runner's SIGKILL, with nothing of it left running. 5.5 s: moving
 * traffic back takes seconds (the seeds ask for under 5 s).
 */
export const COMMAND_GRACE_MS = RUNNER_KILL_AFTER_MS - OUTPUT_RESERVE_MS - FORCE_KILL_AFTER_MS;

/**
 * At the first signal (a `cancel` notice), schedules the stop of every command COMMAND_GRACE_MS later. The
 * timer does not keep the process alive: a run that finished sooner exits as it would.
 */
export function stopCommandsBeforeKill(
  notice: SignalNotice,
  stopAll: () => unknown = () => stopAllCommands('deadline'),
  graceMs = COMMAND_GRACE_MS,
): void {
  if (notice.kind === 'cancel') setTimeout(stopAll, graceMs).unref();
}

/** The stop of every command a run's cancellation schedules (stopCommandsBeforeKill), ended with the run. */
export interface CommandsStopBeforeKill {
  /** Given each signal notice: the first signal schedules the stop. */
  onNotice(notice: SignalNotice): void;
  /**
   * The run has written its outcome: the stop, made or still to come, ends, so that a process that goes on (an
   * embedder calling run() again) starts its next commands as usual. It held for the process, and its timer
   * fired even after the run had ended: every command of the next run was stopped at once.
   */
  end(): void;
}

export function commandsStopBeforeKill(
  stopAll: () => StopOfAll = () => stopAllCommands('deadline'),
  graceMs = COMMAND_GRACE_MS,
): CommandsStopBeforeKill {
  let timer: NodeJS.Timeout | undefined;
  let made: StopOfAll | undefined;
  let ended = false;
  return {
    onNotice(notice) {
      if (ended || timer !== undefined || notice.kind !== 'cancel') return;
      timer = setTimeout(() => void (made = stopAll()), graceMs).unref();
    },
    end() {
      ended = true;
      clearTimeout(timer);
      made?.end();
    },
  };
}

/** Milliseconds left for GitHub reporting, `nowMs` after a cancellation received at `receivedAtMs`. Pure. */
export function reportingTimeLeft(receivedAtMs: number, nowMs: number, graceMs = REPORTING_GRACE_MS): number {
  return Math.max(0, receivedAtMs + graceMs - nowMs);
}

/**
 * Milliseconds left for the notifications' last messages (NotifierOptions.closeBy): once cancelled, what is
 * left of the reporting time, as for GitHub; before, undefined (their own bound).
 */
export function closeByDeadline(
  cancellation: Pick<Cancellation, 'received'>,
  now: () => number = () => performance.now(),
  graceMs = REPORTING_GRACE_MS,
): () => number | undefined {
  return () => {
    const received = cancellation.received();
    return received ? reportingTimeLeft(received.atMs, now(), graceMs) : undefined;
  };
}

/**
 * Kept back by the CLI in an Actions job from the reporting deadline for its notifications: the Action exits at
 * once after its reporting (exitsAtOnce), while the CLI writes its result line after them and exits when its
 * work is done. Cut at the deadline itself, that exit fell on the runner's SIGTERM (7.5 s) on a busy runner.
 */
export const CLI_EXIT_RESERVE_MS = 1_000;

/**
 * Kept back from GitHub's reporting time, once cancelled, for the run's own outcome (outputs, job summary,
 * record file: finishRun) that is written after the pipeline's last wait for its record writes.
 */
export const OUTCOME_RESERVE_MS = 2_000;
/**
 * How long after the first signal a deployment's final wait for its record writes may last (5.5 s). The
 * writes go on after it: on GitHub they ride the reporter, which is flushed until REPORTING_GRACE_MS. Waited
 * for until REPORTING_GRACE_MS, a record write that hung left the outputs only OUTPUT_RESERVE_MS.
 */
export const RECORD_FLUSH_GRACE_MS = REPORTING_GRACE_MS - OUTCOME_RESERVE_MS;

/**
 * The pipeline's bound on its final wait for record writes (PipelineDeps.flushTimeoutMs), asked when the
 * wait begins: once cancelled, what is left of `graceMs` since the first signal (the reporting time, as for
 * GitHub, unless said otherwise); before, the default.
 */
export function flushTimeoutOf(
  cancellation: Pick<Cancellation, 'received'>,
  now: () => number = () => performance.now(),
  graceMs = REPORTING_GRACE_MS,
): () => number | undefined {
  return () => {
    const received = cancellation.received();
    return received ? reportingTimeLeft(received.atMs, now(), graceMs) : undefined;
  };
}

export type Settled<T> = { done: true; value: T } | { done: false };

/**
 * Waits for `work`; once a signal cancelled the run (before or while waiting), no longer than the reporting
 * time left. `{ done: false }` means the deadline came first (`work` goes on, unawaited). Rejections pass through.
 * Its clock is the first signal's, not the run's abort: an internal error that stopped the run (util/crash-guard.ts)
 * has no runner killing the job, so `work` is waited for, until a signal comes after it (the runner cancels the
 * job while the crashed run rolls back or reports): from then on the runner's SIGKILL is 10 s away.
 */
export function untilCancelDeadline<T>(
  work: Promise<T>,
  cancellation: Pick<Cancellation, 'signalReceived' | 'received'>,
  options: { graceMs?: number; now?: () => number } = {},
): Promise<Settled<T>> {
  const now = options.now ?? (() => performance.now());
  return new Promise<Settled<T>>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const startDeadline = () => {
      const received = cancellation.received();
      if (!received) return;
      timer = setTimeout(
        () => finish({ done: false }),
        reportingTimeLeft(received.atMs, now(), options.graceMs),
      );
    };
    const settle = () => {
      clearTimeout(timer);
      cancellation.signalReceived.removeEventListener('abort', startDeadline);
    };
    const finish = (outcome: Settled<T>) => {
      settle();
      resolve(outcome);
    };
    work.then(
      (value) => finish({ done: true, value }),
      (error: unknown) => {
        settle();
        reject(error as Error);
      },
    );
    if (cancellation.signalReceived.aborted) startDeadline();
    else cancellation.signalReceived.addEventListener('abort', startDeadline, { once: true });
  });
}

/**
 * The end of a run: what the job itself keeps (`local`: the outputs, the job summary, the record file, the
 * failure annotation) and GitHub's last updates (`github`: flushing the reporter). Normally GitHub goes first:
 * the outputs and the record name the deployment it created and the commits it compared. Once the job is
 * cancelled the job's own outcome goes first, then GitHub gets what is left of its reporting time: written
 * after GitHub (at REPORTING_GRACE_MS), the outputs, summary and record had only OUTPUT_RESERVE_MS before the
 * runner's SIGKILL, and on a busy runner that was too little (killed before they were written).
 */
export async function finishRun(
  cancelled: boolean,
  steps: { local: () => Promise<void>; github: () => Promise<void> },
): Promise<void> {
  if (cancelled) {
    await steps.local();
    await steps.github();
  } else {
    await steps.github();
    await steps.local();
  }
}

/**
 * Whether the Action ends its process itself once the run is over, rather than waiting for Node to wind down:
 * when the run was cancelled (its outcome is written; the runner's SIGTERM, 7.5 s after SIGINT, landing while
 * a busy process still wound down killed it with the signal, so the job lost its exit code), or GitHub
 * requests were left behind at the reporting deadline (they would keep it alive until SIGKILL).
 */
export function exitsAtOnce(
  run: { githubCutShort: boolean } | undefined,
  cancellation: Pick<Cancellation, 'received'>,
): boolean {
  return run?.githubCutShort === true || cancellation.received() !== undefined;
}
