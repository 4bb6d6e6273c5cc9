// What the process does about an uncaught exception or an unhandled rejection (a crash), shared by the CLI and
// the Action (crash-guard.ts wires it to `process`). With no deployment run in progress there is no traffic to
// undo: it exits at once, failed. The first crash while a run is in progress stops the run as a cancellation
// would (its rollback puts traffic back on the stable version) and the process exits, failed, once the run has
// ended; a further crash is said but does not stop that rollback. A deadline bounds it all: a rollback that
// never ends cannot keep the process forever. Pure: the wiring does the saying, the aborting and the exit.
import { EXIT_CODES } from './exit-codes.ts';

/**
 * How long after the first crash the stopped run may take to end: generous (its rollback's commands have their
 * own timeouts, and on_rollback levels may take minutes), yet finite.
 */
export const CRASH_DEADLINE_MS = 15 * 60_000;

/**
 * The crash deadline: DEPLOY_ACTION_CRASH_DEADLINE_MS when it is whole milliseconds from 1 to a day (tests
 * shorten it), else CRASH_DEADLINE_MS. Pure.
 */
export function crashDeadlineFrom(env: Readonly<Record<string, string | undefined>>): number {
  const ms = Number(env.DEPLOY_ACTION_CRASH_DEADLINE_MS);
  return Number.isInteger(ms) && ms >= 1 && ms <= 86_400_000 ? ms : CRASH_DEADLINE_MS;
}

export type CrashWatch =
  /** No deployment run in progress, and no crash stopped one. */
  | { phase: 'idle' }
  /** A run is in progress (`runs`: how many, a process that embeds the CLI may run more than one). */
  | { phase: 'running'; runs: number }
  /** A crash stopped the run(s): waiting for them to end, `since` the first crash (ms). */
  | { phase: 'stopping'; runs: number; since: number };

export type CrashDecision =
  /** Say the error and exit with `code` now. */
  | { kind: 'exit_now'; code: number; reason: 'no_run' | 'after_stop' }
  /** Say the error, cancel the run(s) in progress, and exit when they end or at `deadlineMs` after now. */
  | { kind: 'stop_runs'; deadlineMs: number; message: string }
  /** Say the error; the stop under way (its rollback) goes on. */
  | { kind: 'stop_goes_on'; message: string };

export const CRASH_IDLE: CrashWatch = { phase: 'idle' };

/**
 * The exit code of a process that a crash stopped: failed, but a rollback that did not complete keeps its own,
 * and so does a run a signal cancelled before the crash (130 / 143: its outcome, in the JSON and the summary, is
 * "cancelled", which the crash's abort, coming second, did not change). Pure.
 */
export function crashExitCode(runExitCode: number | undefined): number {
  switch (runExitCode) {
    case EXIT_CODES.rollbackFailed:
    case EXIT_CODES.interrupted:
    case EXIT_CODES.terminated:
      return runExitCode;
    default:
      return EXIT_CODES.failed;
  }
}

/**
 * A crash at `nowMs`: what to do, and the watch after it. `rolloutInHand`: whether a run in progress has a
 * rollout in its hands (going on with it or rolling it back), so that stopping it puts traffic back; a reconcile
 * at work on nothing of the kind has none, and the words said "a rollout in progress goes back" of it. Pure.
 */
export function onCrash(
  watch: CrashWatch,
  nowMs: number,
  deadlineMs = CRASH_DEADLINE_MS,
  rolloutInHand = true,
): { watch: CrashWatch; decision: CrashDecision } {
  switch (watch.phase) {
    case 'idle':
      return { watch, decision: { kind: 'exit_now', code: EXIT_CODES.failed, reason: 'no_run' } };
    case 'running':
      return {
        watch: { phase: 'stopping', runs: watch.runs, since: nowMs },
        decision: {
          kind: 'stop_runs',
          deadlineMs,
          message: rolloutInHand
            ? `stopping the run after this internal error: a rollout in progress goes back to the stable version before exit (at most ${minutes(deadlineMs)} more)`
            : `stopping the run after this internal error: no rollout is in progress (nothing to put back on the stable version) and none is started; it exits once stopped (at most ${minutes(deadlineMs)} more)`,
        },
      };
    case 'stopping':
      return watch.runs > 0
        ? {
            watch,
            decision: {
              kind: 'stop_goes_on',
              message: 'another internal error while the run is being stopped: its rollback goes on',
            },
          }
        : // Every stopped run has ended (it is reporting, or the process winds down): nothing left to undo.
          { watch, decision: { kind: 'exit_now', code: EXIT_CODES.failed, reason: 'after_stop' } };
  }
}

/** A deployment run begins. Pure. */
export function onRunStart(watch: CrashWatch): CrashWatch {
  if (watch.phase === 'idle') return { phase: 'running', runs: 1 };
  return { ...watch, runs: watch.runs + 1 };
}

/**
 * A run ended with `exitCode`: the process exits now (with crashExitCode) when a crash stopped it and no other
 * run is left; otherwise it goes on. Pure.
 */
export function onRunEnd(
  watch: CrashWatch,
  exitCode: number | undefined,
): { watch: CrashWatch; exit?: number } {
  if (watch.phase === 'idle') return { watch };
  const runs = Math.max(0, watch.runs - 1);
  if (watch.phase === 'running') return { watch: runs === 0 ? CRASH_IDLE : { phase: 'running', runs } };
  return runs === 0
    ? { watch: { ...watch, runs }, exit: crashExitCode(exitCode) }
    : { watch: { ...watch, runs } };
}

/** The crash deadline with a stopped run still going: the exit code, and what to say. */
export interface CrashDeadline {
  code: number;
  /**
   * What is said as the deadline comes: the commands still running are being stopped. Not yet how the process
   * exits: a run that had begun saying its own outcome, or that ends while its commands are stopped, exits as
   * its outcome says (deadlineExit says which, once the runs have answered).
   */
  message: string;
  /** The deadline, as "15 min". */
  after: string;
}

/**
 * The deadline came with a stopped run still going: exit with EXIT_CODES.rollbackFailed (traffic may not be
 * back on stable) unless the run says its own outcome first (deadlineExit); undefined when every run ended
 * already. `progress`: how far each run still going had come with its rollback (undefined: not known, taken as
 * going); "its rollback's too" was said also of a run stuck before any rollback began. Pure.
 */
export function onCrashDeadline(
  watch: CrashWatch,
  deadlineMs = CRASH_DEADLINE_MS,
  progress: ReadonlyArray<RollbackProgress | undefined> = [],
): CrashDeadline | undefined {
  if (watch.phase !== 'stopping' || watch.runs === 0) return undefined;
  return {
    code: EXIT_CODES.rollbackFailed,
    after: minutes(deadlineMs),
    message:
      `the run stopped by the internal error did not end within ${minutes(deadlineMs)}: stopping the commands ` +
      `still running (${rollbackStopWords(progress)}) before the process exits`,
  };
}

/** Pure: whose commands the deadline's stop takes, by how far the runs' rollbacks had come (onCrashDeadline). */
function rollbackStopWords(progress: ReadonlyArray<RollbackProgress | undefined>): string {
  if (progress.length === 0 || progress.some((p) => p === undefined || p === 'going'))
    return "its rollback's too";
  if (progress.every((p) => p === 'none_begun')) return 'no rollback had begun';
  if (progress.every((p) => p !== 'none_begun')) return 'its rollback had ended';
  return 'no rollback is still running';
}

/**
 * How far a stopped run's rollback had come at the crash deadline (pipeline/rollback-seen.ts rollbackProgress),
 * for the exit's words: `none_begun`, `going` (begun, not ended), `traffic_back` (ended with traffic on the
 * stable version, a teardown left or not), `not_completed` (ended, traffic maybe not back).
 */
export type RollbackProgress = 'none_begun' | 'going' | 'traffic_back' | 'not_completed';

/** How the process exits at the crash deadline, and what it says of it. */
export type DeadlineExit =
  /** A run still going said nothing of its own (the deadline wrote what is known of it): `late.code`. */
  | { kind: 'unfinished'; code: number; message: string }
  /** Every run still going had begun saying its own outcome (the deadline wrote nothing): as at a run's end. */
  | { kind: 'own_outcome'; code: number; message: string };

/**
 * The exit at the crash deadline, once the runs still going have answered (`own`: the exit code each says,
 * undefined for one that did not): `late.code` with the rollback unfinished, unless every run had begun saying
 * its own outcome (it was ending, or it ended while its commands were stopped); then the code the process exits
 * with at a run's end (crashExitCode), 3 when any says its rollback did not complete. Said after the stop of the
 * commands, not as the deadline comes: "exiting with its rollback unfinished" above a run's own "rolled back"
 * (exit 1) contradicted it. Pure.
 */
export function deadlineExit(
  late: CrashDeadline,
  own: ReadonlyArray<number | undefined>,
  /**
   * Each run's rollback (RollbackProgress; undefined: not known, taken as going), in `own`'s order: the words
   * said "its rollback unfinished, traffic may not be back" also of a run stuck before any rollback began,
   * whose outputs said no rollback ran.
   */
  progress: ReadonlyArray<RollbackProgress | undefined> = [],
): DeadlineExit {
  if (own.length === 0 || own.some((code) => code === undefined)) {
    // The runs that said nothing of their own: the deadline spoke for them.
    const left =
      own.length === 0 ? [undefined] : own.flatMap((code, i) => (code === undefined ? [progress[i]] : []));
    const reconcile = '(deploy-action reconcile, or the action in reconcile mode)';
    const message = left.every((p) => p === 'none_begun')
      ? `exiting with the stopped run unfinished (exit ${late.code}); no rollback had begun, so traffic is where ` +
        `the run left it: check the environment now. What its state record keeps, reconcile ${reconcile} takes up`
      : left.every((p) => p === 'none_begun' || p === 'traffic_back')
        ? `exiting with the stopped run unfinished (exit ${late.code}) after its rollback put traffic back on the ` +
          `stable version: check the environment now. Its state record keeps the rollout: reconcile ${reconcile} ` +
          'finishes it'
        : `exiting with the stopped run's rollback unfinished (exit ${late.code}), so traffic may not be back on ` +
          `the stable version; check the environment now. Its state record keeps the rollout: reconcile ` +
          `${reconcile} rolls it back`;
    return { kind: 'unfinished', code: late.code, message };
  }
  const codes = own.map((code) => crashExitCode(code));
  const code = codes.includes(EXIT_CODES.rollbackFailed) ? EXIT_CODES.rollbackFailed : codes[0]!;
  return {
    kind: 'own_outcome',
    code,
    message: `the stopped run had begun saying its own outcome: exiting as it says (exit ${code})`,
  };
}

function minutes(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000} min` : `${Math.round(ms / 1000)} s`;
}
