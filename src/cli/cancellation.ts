// How the CLI's long-running commands (run, promote|resume|abort, reconcile, schedule) are cancelled: the
// first SIGINT/SIGTERM rolls back, a later one only says the rollback goes on (util/signals.ts). Inside a
// GitHub Actions job the runner kills the job 10 s after its first signal, so there, as in the Action, the
// commands still running 5.5 s after it are stopped (action/cancel-deadline.ts): the run still reports and
// records an unfinished rollback, which reconcile finishes from the record, and exits with nothing of it
// left running. At a terminal nobody kills the CLI, so its rollback runs to its end.
import {
  CLI_EXIT_RESERVE_MS,
  closeByDeadline,
  commandsStopBeforeKill,
  REPORTING_GRACE_MS,
} from '../action/cancel-deadline.ts';
import { cancelOnSignals, type Cancellation } from '../util/signals.ts';

/** Whether this process runs as a step of a GitHub Actions job (the runner sets GITHUB_ACTIONS=true). */
export function inActionsJob(env: NodeJS.ProcessEnv): boolean {
  return env.GITHUB_ACTIONS === 'true';
}

/**
 * Cancels on SIGINT/SIGTERM, each notice passed to `warn`; in an Actions job, commands stop before the kill. That
 * stop (made, or its timer still to fire) ends with the command: on its way out (release, once its outcome is
 * said) or dispose. It held for the process, and its timer fired after the command had ended: a process that
 * goes on (an embedder calling main() again, which alone ended it) had every command of the next stopped at once.
 */
export function cancelCliOnSignals(
  warn: (message: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): Cancellation {
  const beforeKill = inActionsJob(env) ? commandsStopBeforeKill() : undefined;
  const cancellation = cancelOnSignals((notice) => {
    warn(notice.message);
    beforeKill?.onNotice(notice);
  });
  return {
    ...cancellation,
    release() {
      beforeKill?.end();
      cancellation.release();
    },
    dispose() {
      beforeKill?.end();
      cancellation.dispose();
    },
  };
}

/**
 * How long the run's notifications may still be waited for at its end (NotifierOptions.closeBy): in an Actions
 * job, once cancelled, what is left until a second before the reporting deadline (7.5 s after the first
 * signal; the second is for its result and exit, CLI_EXIT_RESERVE_MS), as in the
 * Action; at a terminal undefined (their own 10 s bound). Waited for longer, slow channels held the CLI until
 * the runner's SIGTERM ended it (the exit code lost) or its SIGKILL.
 */
export function notifyCloseBy(
  cancellation: Pick<Cancellation, 'received'>,
  env: NodeJS.ProcessEnv = process.env,
): (() => number | undefined) | undefined {
  return inActionsJob(env)
    ? closeByDeadline(cancellation, undefined, REPORTING_GRACE_MS - CLI_EXIT_RESERVE_MS)
    : undefined;
}
