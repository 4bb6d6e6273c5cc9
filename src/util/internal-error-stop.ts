// Why a run's cancellation came, when it was not the job's: the process crashed (an uncaught exception or an
// unhandled rejection) and its crash handler (crash-guard.ts) stopped the run so that traffic goes back on the
// stable version. The AbortSignal carries this as its reason; the pipeline reads it (stoppedByOf) so the run's
// outcome, summary and record say "stopped by an internal error", not "the job was cancelled".

import { inspect } from 'node:util';

/** The reason a run's signal is aborted with when an internal error stops it. */
export class InternalErrorStop extends Error {
  /** A brand, not `instanceof`: the CLI's and the Action's bundles each have their own copy of this class. */
  readonly stopsRun = 'internal_error' as const;
  constructor(cause: unknown) {
    super(firstLine(cause), { cause });
    this.name = 'InternalErrorStop';
  }
}

/** The internal error's message when `signal` was aborted by one (InternalErrorStop), else undefined. Pure. */
export function stoppedByOf(signal: AbortSignal | undefined): string | undefined {
  const reason: unknown = signal?.aborted ? signal.reason : undefined;
  return typeof reason === 'object' &&
    reason !== null &&
    (reason as { stopsRun?: unknown }).stopsRun === 'internal_error'
    ? (reason as Error).message
    : undefined;
}

/**
 * How a reason written where the run's signal stopped the work says so, by what aborted `signal`: "cancelled"
 * (the job: a signal, Ctrl-C) or "stopped by an internal error" (a crash). Chosen where the reason is written,
 * so no reason is reworded afterwards. Pure.
 */
export function stoppedPhrase(signal: AbortSignal | undefined): string {
  return stoppedByOf(signal) === undefined ? 'cancelled' : 'stopped by an internal error';
}

/** The same as a clause: "the job was cancelled" or "an internal error stopped the run". Pure. */
export function stopClause(signal: AbortSignal | undefined): string {
  return stoppedByOf(signal) === undefined ? 'the job was cancelled' : 'an internal error stopped the run';
}

/** An error's message (its first line, bounded), or the value as text: a record's detail, not a stack. */
function firstLine(error: unknown): string {
  const text =
    error instanceof Error
      ? `${error.name}: ${error.message}`
      : typeof error === 'string'
        ? error
        : inspect(error, { breakLength: Infinity, depth: 2 });
  const line = text.split('\n', 1)[0] ?? '';
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}
