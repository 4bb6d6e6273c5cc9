// What main.ts needs while it parses a command line, before any command runs: the option parsers, the
// limits its help text states and the usage errors its catch tells apart. Each command's own module
// (analyze.ts, reconcile.ts, control.ts, state-key.ts, ...) loads with import() when that command runs, so
// `deploy-action validate` compiles none of them (issue 16); they re-export these for their own callers.
import { InvalidArgumentError, type CommanderError } from 'commander';
import { ANALYZE_EXIT_CODES } from '../analysis/exit-codes.ts';

/** A command-line error in `analyze` (commander already printed it): exits with the bad-input code. */
export class AnalyzeUsageError extends Error {
  readonly exitCode = ANALYZE_EXIT_CODES['bad-input'];
}

/** commander's exitOverride for `analyze`: help stays exit 0, a usage error becomes AnalyzeUsageError. */
export function analyzeExitOverride(error: CommanderError): never {
  if (error.exitCode === 0) throw error;
  throw new AnalyzeUsageError(error.message);
}

/**
 * `--at <time>`: an ISO 8601 time later than now. Reconcile then tears down what will be due by then: a slot
 * retired on purpose ahead of its delay, or a rehearsal of what the scheduled run will do. An earlier time
 * is refused: it could only hide what is due now.
 */
export function parseReconcileTime(value: string, now: Date = new Date()): Date {
  const at = /^\d{4}-\d{2}-\d{2}T/.test(value) ? new Date(value) : new Date(Number.NaN);
  if (Number.isNaN(at.getTime()))
    throw new InvalidArgumentError(`"${value}" is not an ISO 8601 time such as 2026-12-01T10:00:00Z`);
  if (at.getTime() < now.getTime())
    throw new InvalidArgumentError(`${at.toISOString()} is in the past; --at only looks ahead`);
  return at;
}

/** commander's collector for `-e`: repeatable, and each value may be a comma list. */
export function collectEnvironments(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...value.split(',').map((name) => name.trim())];
}

/** The longest /abort reason a request carries (src/control/request.ts). */
export const MAX_REASON = 500;

/** A bad `state-key` command line (state-key.ts): printed as an error, exit 2. */
export class StateKeyUsageError extends Error {}
