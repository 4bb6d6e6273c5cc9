// How the CLI's long-running commands (run, promote|resume|abort, reconcile, schedule) are cancelled: the
// first SIGINT/SIGTERM rolls back, a later one only says the rollback goes on (util/signals.ts). Inside a
// GitHub Actions job the runner kills the job 10 s after its first signal, so there, as in the Action, the
// commands still running 5.5 s after it are stopped (action/cancel-deadline.ts): the run still reports and
// records an unfinished rollback, which reconcile finishes from the record, and exits with nothing of it
// left running. At a terminal nobody kills the CLI, so its rollback runs to its end.
import { stopCommandsBeforeKill } from '../action/cancel-deadline.ts';
import { cancelOnSignals, type Cancellation } from '../util/signals.ts';

/** Whether this process runs as a step of a GitHub Actions job (the runner sets GITHUB_ACTIONS=true). */
export function inActionsJob(env: NodeJS.ProcessEnv): boolean {
  return env.GITHUB_ACTIONS === 'true';
}

/** Cancels on SIGINT/SIGTERM, each notice passed to `warn`; in an Actions job, commands stop before the kill. */
export function cancelCliOnSignals(
  warn: (message: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): Cancellation {
  const beforeKill = inActionsJob(env);
  return cancelOnSignals((notice) => {
    warn(notice.message);
    if (beforeKill) stopCommandsBeforeKill(notice);
  });
}
