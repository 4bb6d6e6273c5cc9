// How a stopped command says why, the same wherever it is written (a deploy step's or health check's command, a
// gate's command, a gate's git call, an analysis command provider): by how its process group was stopped
// (util/process-group.ts StopReason). Before, a git call or a provider stopped by the process's own stop of every
// command (the cancel deadline's, the crash deadline's) fell through to a generic failure ("killed with SIGTERM").
import type { StopReason } from './process-group.ts';

/**
 * The process's stop of every command still running (stopAllCommands) as a clause: "the job was cancelled and is
 * about to be killed" (`deadline`), "an internal error stopped the run, which did not end within its deadline,
 * and the process is exiting" (`crash_deadline`). Undefined for a stop of the command's own (its timeout, its
 * signal, its output), which its caller words with what it knows (the timeout, the limit). Pure.
 */
export function processStopClause(stopped: StopReason | undefined): string | undefined {
  switch (stopped) {
    case 'deadline':
      return 'the job was cancelled and is about to be killed';
    case 'crash_deadline':
      return 'an internal error stopped the run, which did not end within its deadline, and the process is exiting';
    case 'timeout':
    case 'cancelled':
    case 'output':
    case undefined:
      return undefined;
    default:
      // A StopReason added without a wording here does not compile.
      return unworded(stopped);
  }
}

function unworded(stopped: never): never {
  throw new Error(`no wording for the command stop ${String(stopped)}`);
}
