// The wiring of crash-decision.ts to the process: the CLI and the Action each install one guard at their entry
// (process.on, never once: a second crash must find the handler too), with their own way of saying an error
// (masked: the CLI's masking writer, the Action's core.error) and of exiting. A deployment run registers while
// it is in progress (guardRun): a crash then cancels it through its Cancellation, so the pipeline puts traffic
// back on the stable version, and the process exits once the run has ended.
import {
  CRASH_IDLE,
  deadlineExit,
  onCrash,
  onCrashDeadline,
  onRunEnd,
  onRunStart,
  type CrashDeadline,
  type CrashWatch,
  type RollbackProgress,
} from './crash-decision.ts';
import { InternalErrorStop } from './internal-error-stop.ts';

export interface CrashOutlet {
  /** Says `error` as an internal error, masked. */
  sayError(error: unknown): void;
  /** Says what happens next (a line, masked). */
  say(message: string): void;
  /**
   * At the crash deadline, before the exit: stops every command still running (each one's process group, the
   * rollback's included), waits until they have exited or their SIGKILL was due, then says the last words
   * (`lastWords`, resolving with what it gives), every command started until they are said stopped at once too;
   * then the stop ends (util/process-group.ts stopAllCommandsAndWait). Left to the exit's SIGKILL, a command
   * moving traffic got no SIGTERM to stop cleanly, and one started while the outcome was written ran.
   */
  stopCommands<T>(lastWords: () => Promise<T>): Promise<T>;
  exit(code: number): void;
}

/** What a run in progress gives the guard: how to stop it (util/signals.ts Cancellation.abort). */
export interface Stoppable {
  abort(reason: Error): void;
  /**
   * At the crash deadline, the run still going: writes what is known of it where the job keeps an outcome (the
   * Action's outputs and job summary, the CLI's result line), once its commands were stopped, before the process
   * exits with `late.code`. The stop and this are given LAST_WORDS_MS at most. Resolves with an exit code when
   * the run had begun saying its own outcome first (it was ending) and so this wrote nothing: the process exits
   * with that code, as at the run's end (crash-decision.ts deadlineExit), not with one its outcome belies.
   */
  atDeadline?(late: CrashDeadline): Promise<number | void> | number | void;
  /**
   * Whether it has a rollout in its hands now (goes on with one or rolls one back): what the crash says stopping
   * it does. Unset: yes (a deployment run). A reconcile at work on nothing of the kind says no.
   */
  rolloutInHand?(): boolean;
  /** How far its rollback had come (for the deadline's exit words); unset: not known (taken as going). */
  rollbackProgress?(): RollbackProgress;
}

/**
 * How long the stop of the commands still running (CrashOutlet.stopCommands, some 2.5 s) and the runs' last
 * words (Stoppable.atDeadline) may take at the crash deadline before the exit.
 */
export const LAST_WORDS_MS = 10_000;

export interface RunGuard {
  /** The run has ended (its outcome said) with `exitCode`: after a crash, the process exits now. */
  end(exitCode: number | undefined): void;
}

export interface CrashGuard {
  /** Handles one crash (what `process` calls on an uncaught exception or unhandled rejection). */
  crash(error: unknown): void;
  /** A deployment run begins: until `end`, a crash stops it rather than exiting at once. */
  guardRun(run: Stoppable): RunGuard;
}

export interface CrashGuardDeps {
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  deadlineMs?: number;
  lastWordsMs?: number;
}

export function createCrashGuard(outlet: CrashOutlet, deps: CrashGuardDeps = {}): CrashGuard {
  const now = deps.now ?? (() => performance.now());
  const setTimer = deps.setTimer ?? ((fn: () => void, ms: number) => setTimeout(fn, ms));
  let watch: CrashWatch = CRASH_IDLE;
  const runs = new Set<Stoppable>();
  // One exit: at the deadline a run may end on its own while its commands are stopped, and exit first.
  let exiting = false;
  const exit = (code: number) => {
    if (exiting) return;
    exiting = true;
    outlet.exit(code);
  };
  return {
    crash(error) {
      const inHand = [...runs].some((run) => run.rolloutInHand?.() ?? true);
      const step = onCrash(watch, now(), deps.deadlineMs, inHand);
      watch = step.watch;
      outlet.sayError(error);
      const decision = step.decision;
      if (decision.kind === 'exit_now') return outlet.exit(decision.code);
      outlet.say(decision.message);
      if (decision.kind === 'stop_goes_on') return;
      // Kept alive by this timer (not unref'd): the process ends by the run's end or by the deadline, never by
      // Node finding nothing left to wait for half-way through a rollback.
      // How far the rollbacks of `going` had come, in its order (the deadline's and the exit's words).
      const progress = (going: Stoppable[]) => going.map((run) => run.rollbackProgress?.());
      setTimer(() => {
        const late = onCrashDeadline(watch, decision.deadlineMs, progress([...runs]));
        if (!late) return;
        outlet.say(late.message);
        // The commands still running are stopped first (the rollback's too: it is unfinished and
        // must not move traffic after that), then what each run still going knows goes where the job keeps its
        // outcome, then the exit: when all is written, or after LAST_WORDS_MS whatever is still under way.
        // How it exits is said with the exit, once known: a run that had begun saying its own outcome exits as
        // that says, and "its rollback unfinished" would contradict it.
        const finish = (how: { code: number; message: string }) => {
          if (exiting) return;
          outlet.say(how.message);
          exit(how.code);
        };
        setTimer(() => {
          const going = [...runs];
          finish(
            deadlineExit(
              late,
              going.map(() => undefined),
              progress(going),
            ),
          );
        }, deps.lastWordsMs ?? LAST_WORDS_MS);
        // The runs still going: one that ended while its commands were stopped has said its own outcome.
        let own: Array<number | undefined> | undefined;
        let saidFor: Stoppable[] = [];
        const lastWords = async () =>
          (own = await Promise.all(
            (saidFor = [...runs]).map(async (run): Promise<number | undefined> => {
              try {
                const code = await run.atDeadline?.(late);
                return typeof code === 'number' ? code : undefined;
              } catch (error) {
                outlet.say(
                  `could not write what is known of the unfinished run: ${(error as Error).message}`,
                );
                return undefined;
              }
            }),
          ));
        void (async () => {
          try {
            await outlet.stopCommands(lastWords);
          } catch (error) {
            outlet.say(`could not stop the commands still running: ${(error as Error).message}`);
          }
          // The stop failed before the last words: they are said all the same.
          const words = own ?? (await lastWords());
          finish(deadlineExit(late, words, progress(saidFor)));
        })();
      }, decision.deadlineMs);
      const reason = new InternalErrorStop(error);
      for (const run of runs) run.abort(reason);
    },
    guardRun(run) {
      watch = onRunStart(watch);
      runs.add(run);
      // A run that begins after a crash stopped another is stopped at once.
      if (watch.phase === 'stopping') run.abort(new InternalErrorStop('an earlier internal error'));
      let ended = false;
      return {
        end(exitCode) {
          if (ended) return;
          ended = true;
          runs.delete(run);
          const step = onRunEnd(watch, exitCode);
          watch = step.watch;
          if (step.exit !== undefined) exit(step.exit);
        },
      };
    },
  };
}

let installed: CrashGuard | undefined;

/** Installs `outlet`'s guard on `process` (once per process: a second call replaces the outlet). */
export function installCrashGuard(outlet: CrashOutlet, deps: CrashGuardDeps = {}): CrashGuard {
  const first = installed === undefined;
  installed = createCrashGuard(outlet, deps);
  if (first) {
    const crash = (error: unknown) => installed!.crash(error);
    process.on('uncaughtException', crash);
    process.on('unhandledRejection', crash);
  }
  return installed;
}

/**
 * A deployment run in progress, stopped through `run` if the process crashes; a no-op where no guard is
 * installed (main() called in-process by a test or an embedding program: their crashes are their own).
 */
export function guardRun(run: Stoppable): RunGuard {
  return installed ? installed.guardRun(run) : { end() {} };
}
