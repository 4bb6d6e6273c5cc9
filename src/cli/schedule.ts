// `deploy-action run --at <time>` records a run for later (src/schedule/file-schedule.ts) instead of running
// it; `deploy-action reconcile` (run it from cron, as the reconcile workflow runs on GitHub) starts the runs
// that are due, each after the config's policy is checked again at that moment (windows, freezes, a rollout
// in progress), exactly once: the run is claimed and removed from the schedule before it starts, so a second
// reconcile never starts it again and a process that dies mid-run leaves an orphan for reconcile, not a
// second deployment.
import { hostname } from 'node:os';
import { resolveEnvironment } from '../config/resolve.ts';
import type { RawConfig, StrategyName } from '../config/schema.ts';
import { FileControlChannel } from '../control/file-channel.ts';
import { resolveStaging, runPipeline } from '../pipeline/pipeline.ts';
import { unsetVariablesRefusal } from '../config/needed-variables.ts';
import { fanOut, resultLast, type PipelineResult, type Reporter } from '../pipeline/events.ts';
import { contextFromEnv, runNotifier } from '../notify/wiring.ts';
import { inZoneSuffix, resolvePolicy } from '../policy/index.ts';
import { FileStateStore } from '../state/file-store.ts';
import { EXIT_CODES } from '../util/exit-codes.ts';
import { cancelCliOnSignals, notifyCloseBy } from './cancellation.ts';
import { guardRun } from '../util/crash-guard.ts';
import { cliRunReporter } from './run-reporter.ts';
import {
  deadlineResult,
  progressSoFar,
  runSoFar,
  scheduledDeadlineMessage,
  type DeadlineRun,
  type RunSoFar,
} from './deadline-result.ts';
import { stoppedByOf } from '../util/internal-error-stop.ts';
import { configSecretValues } from '../config/env-secrets.ts';
import {
  FileSchedule,
  parseRunAt,
  runDecisions,
  ScheduleFileError,
  windowCheck,
} from '../schedule/file-schedule.ts';
import type { RunDecision, ScheduledRun } from '../schedule/file-schedule.ts';

export interface ScheduleRunOptions {
  environment: string;
  version: string;
  sha?: string;
  strategy?: StrategyName;
  skipStaging?: boolean;
  stateDir?: string;
  at: string;
  json?: boolean;
  /** `run`'s options a scheduled run does not keep: refused with --at rather than dropped unsaid. */
  record?: string;
  base?: string;
}

interface Out {
  out(text: string): void;
  err(text: string): void;
}

/** `run --at`: checks the time and the policy at that time, records the run; exit 0 recorded, 2 refused. */
export async function scheduleRunCli(
  config: RawConfig,
  opts: ScheduleRunOptions,
  io: Out,
  now: Date = new Date(),
): Promise<number> {
  // An unknown environment or a strategy the target cannot run fails here, as for a run now.
  const env = resolveEnvironment(config, opts.environment, {
    strategy: opts.strategy,
    stateDir: opts.stateDir,
  });
  const zone = Object.hasOwn(config.environments, env.name)
    ? resolvePolicy(config, env.name).timezone
    : 'UTC';
  const refuse = (code: string, message: string): number => {
    if (opts.json) io.out(`${JSON.stringify({ type: 'schedule', ok: false, code, message })}\n`);
    else io.err(`error: --at ${opts.at}: ${message} (${code})\n`);
    return EXIT_CODES.invalidOrBlocked;
  };
  // The schedule keeps what to deploy, not how this process would have run it: a samples file or a gates'
  // base named now would be silently dropped when reconcile starts the run.
  for (const [option, value] of [
    ['--record', opts.record],
    ['--base', opts.base],
  ] as const)
    if (value !== undefined)
      return refuse(
        'schedule_option_unsupported',
        `${option} does not go with --at: a scheduled run does not keep it; run without --at to use it`,
      );
  const time = parseRunAt(opts.at, zone, now);
  if (!time.ok) return refuse(time.code, time.message);
  const policy = windowCheck(config, env.name, time.at);
  if (!policy.ok)
    return refuse(
      policy.code,
      `${policy.message}${policy.next ? `; the next time it may start is ${policy.next.toISOString()}${inZoneSuffix(policy.next, zone)}` : ''}`,
    );
  const run: ScheduledRun = {
    id: `r${now.getTime().toString(36)}-${process.pid.toString(36)}`,
    environment: env.name,
    version: opts.version,
    ...(opts.sha ? { sha: opts.sha } : {}),
    ...(opts.strategy ? { strategy: opts.strategy } : {}),
    ...(opts.skipStaging ? { skipStaging: true } : {}),
    at: time.at,
    requestedAt: now,
  };
  try {
    await new FileSchedule(env.stateDir).add(run);
  } catch (error) {
    // The runs already recorded are not thrown away to make room: the file is the operator's to look at.
    if (error instanceof ScheduleFileError)
      return refuse(error.code, `${error.message}; nothing was recorded`);
    throw error;
  }
  // A wall time shown twice (the clocks go back) is its first occurrence, as cron reads it: said, not hidden.
  const repeated = time.repeated?.toISOString();
  if (opts.json)
    io.out(
      `${JSON.stringify({ type: 'schedule', ok: true, code: 'schedule_recorded', run, ...(repeated ? { repeated } : {}) })}\n`,
    );
  else
    io.out(
      `scheduled ${run.environment} ${run.version} for ${run.at.toISOString()} (${run.id}); \`deploy-action reconcile\` starts it at or after that time, after checking the policy again${repeated ? `; that wall time happens twice in ${time.zone} (the clocks go back): the first is taken, the second (${repeated}) is not` : ''}\n`,
    );
  return EXIT_CODES.success;
}

export interface DueRunResult {
  id: string;
  environment: string;
  code:
    | RunDecision['code']
    | 'schedule_started'
    | 'schedule_unknown_environment'
    | 'schedule_cancelled'
    | 'schedule_variables_unset'
    | ScheduleFileError['code'];
  message?: string;
  /** For a started run: the pipeline's outcome and exit code. */
  status?: string;
  exitCode?: number;
}

/** A scheduled run as it starts (startDueRuns' watchRun). */
export interface StartedRun extends DeadlineRun {
  id: string;
  /** Prints its result if the run ended and holds it while its channels close (--json); else nothing. */
  flush(): void;
}

/**
 * Starts the due scheduled runs of `environments` (all in the config when undefined): one per environment,
 * in time order, each checked again and claimed first. Exit code: 1 when a started run failed, a schedule
 * or claim was refused (schedule_unreadable, state_untrusted), or `signal` left due runs unstarted
 * (schedule_cancelled), else 0.
 */
export async function startDueRuns(
  config: RawConfig,
  opts: {
    environments?: string[];
    stateDir?: string;
    now: Date;
    /** `reconcile --at`: runs due by this later time start now (runDecisions). */
    dueBy?: Date;
    /** How long a change of a schedule file waits for another's lock (FileSchedule lockWaitMs; 10 s by default). */
    scheduleLockWaitMs?: number;
    reporter: Reporter;
    signal?: AbortSignal;
    /** Where the notification channels' secrets are read (process.env by default). */
    env?: NodeJS.ProcessEnv;
    /** The bound on a started run's notifications once cancelled (cancellation.ts, notifyCloseBy). */
    notifyCloseBy?: () => number | undefined;
    /** --json: a run's result is held until its channels closed, so it stays after their warnings. */
    resultLast?: boolean;
    /** Filled as the runs are decided (and returned): what is known of them at the crash deadline. */
    results?: DueRunResult[];
    /** Told as each run starts; its reporter hears the run's events (dueRunsCli: its result at the crash deadline). */
    watchRun?: (started: StartedRun) => Reporter;
  },
): Promise<{ results: DueRunResult[]; exitCode: number }> {
  const results: DueRunResult[] = opts.results ?? [];
  let exitCode: number = EXIT_CODES.success;
  for (const name of opts.environments ?? Object.keys(config.environments)) {
    const env = resolveEnvironment(config, name, { stateDir: opts.stateDir });
    const schedule = new FileSchedule(env.stateDir, { lockWaitMs: opts.scheduleLockWaitMs });
    let runs: ScheduledRun[];
    try {
      runs = schedule.read(env.name);
    } catch (error) {
      if (!(error instanceof ScheduleFileError)) throw error;
      // Its runs can neither start nor be dropped: reported and failed, and the other environments go on.
      results.push({ id: '', environment: env.name, code: error.code, message: error.message });
      opts.reporter.event({ type: 'log', level: 'error', message: `${env.name}: ${error.message}` });
      exitCode = EXIT_CODES.failed;
      continue;
    }
    if (runs.length === 0) continue;
    const read = await new FileStateStore(env.stateDir).read(env.name);
    // A record that cannot be read may hide a rollout: the same as one in progress, nothing starts on it.
    const rolloutInProgress = !read.ok || read.record?.rollout !== undefined;
    const ctx = { config, now: opts.now, ...(opts.dueBy ? { dueBy: opts.dueBy } : {}), rolloutInProgress };
    for (const d of runDecisions(runs, ctx)) {
      if (d.action === 'wait') continue;
      // Cancelled (SIGINT/SIGTERM): nothing more starts, and nothing is taken out of the schedule, where a run
      // claimed and removed but not started would be lost. It stays due for the next reconcile.
      const leftDue = () => {
        const message =
          'not started: reconcile was cancelled; it stays in the schedule for the next reconcile';
        results.push({ id: d.run.id, environment: env.name, code: 'schedule_cancelled', message });
        opts.reporter.event({
          type: 'log',
          level: 'warn',
          message: `scheduled run ${d.run.id} of ${env.name} ${message}`,
        });
        exitCode = EXIT_CODES.failed;
      };
      if (opts.signal?.aborted) {
        leftDue();
        continue;
      }
      // As `deploy-action run` refuses it (needed-variables.ts), before it is claimed or taken out of the
      // schedule: a reconcile whose step lacks a variable the analysis needs (a cron workflow without the
      // deploy workflow's env) would fail its first metric read mid-rollout and roll back. It stays, for a
      // reconcile that sets them; the environment's later runs wait behind it (decided as if it had started).
      const unset =
        d.action === 'start'
          ? unsetVariablesRefusal(
              [env, d.run.skipStaging ? undefined : resolveStaging(config, env, opts.stateDir)],
              opts.env ?? process.env,
            )
          : undefined;
      if (unset) {
        const message = `not started, ${unset}; it stays in the schedule for the next reconcile`;
        results.push({ id: d.run.id, environment: env.name, code: 'schedule_variables_unset', message });
        opts.reporter.event({
          type: 'log',
          level: 'error',
          message: `scheduled run ${d.run.id} of ${env.name} ${message}`,
        });
        exitCode = EXIT_CODES.failed;
        break;
      }
      let claimed: boolean;
      try {
        claimed = await schedule.claim(d.run);
      } catch (error) {
        if (!(error instanceof ScheduleFileError)) throw error;
        // A claim others may have written (state_untrusted): the run is neither started nor dropped, and stays
        // for a reconcile once mended; nor are the environment's later runs acted on, each decided as if this
        // one had started (schedule_behind).
        results.push({ id: d.run.id, environment: env.name, code: error.code, message: error.message });
        opts.reporter.event({ type: 'log', level: 'error', message: `${env.name}: ${error.message}` });
        exitCode = EXIT_CODES.failed;
        break;
      }
      if (!claimed) continue;
      // A signal while the claim was taken: given back, the run untouched.
      if (opts.signal?.aborted) {
        await schedule.release(d.run);
        leftDue();
        continue;
      }
      // Removed before it starts: exactly once, whatever happens to this process from here. The removal, under
      // the schedule's lock, decides: a run another process removed meanwhile (it took this claim over while
      // this process stalled) is that process's to start, never started here too.
      try {
        if (!(await schedule.finish(d.run))) continue;
        // A signal while it was removed: put back, not started (a run started now would only be cancelled,
        // and gone from the schedule).
        if (opts.signal?.aborted && d.action !== 'drop') {
          await schedule.add(d.run);
          leftDue();
          continue;
        }
      } catch (error) {
        if (!(error instanceof ScheduleFileError)) throw error;
        // Not removed, so not started: the claim is given back and the next reconcile tries again.
        await schedule.release(d.run);
        results.push({ id: d.run.id, environment: env.name, code: error.code, message: error.message });
        opts.reporter.event({ type: 'log', level: 'error', message: `${env.name}: ${error.message}` });
        exitCode = EXIT_CODES.failed;
        continue;
      }
      if (d.action === 'drop') {
        results.push({ id: d.run.id, environment: env.name, code: d.code, message: d.message });
        opts.reporter.event({
          type: 'log',
          level: 'warn',
          message: `scheduled run ${d.run.id} of ${env.name} not started (${d.code}): ${d.message}`,
        });
        continue;
      }
      const result = await startRun(config, d.run, opts);
      results.push({
        id: d.run.id,
        environment: env.name,
        code: 'schedule_started',
        status: result.status,
        exitCode: result.exitCode,
      });
      if (result.exitCode !== EXIT_CODES.success) exitCode = EXIT_CODES.failed;
    }
  }
  // Every environment asked for: the runs of environments taken out of the config are dropped at their
  // time, as the App drops its requests (nothing can be run without the environment's config).
  if (!opts.environments && !opts.signal?.aborted) {
    const dropped = await dropUnknown(config, opts);
    results.push(...dropped);
    // A schedule file that cannot be read or changed, or a claim not trusted, fails reconcile, as for a
    // configured environment.
    if (dropped.some((r) => r.code === 'schedule_unreadable' || r.code === 'state_untrusted'))
      exitCode = EXIT_CODES.failed;
  }
  return { results, exitCode };
}

async function dropUnknown(
  config: RawConfig,
  opts: { stateDir?: string; now: Date; scheduleLockWaitMs?: number; reporter: Reporter },
): Promise<DueRunResult[]> {
  const results: DueRunResult[] = [];
  const dirs = new Set(
    Object.keys(config.environments).map(
      (name) => resolveEnvironment(config, name, { stateDir: opts.stateDir }).stateDir,
    ),
  );
  for (const dir of dirs) {
    const schedule = new FileSchedule(dir, { lockWaitMs: opts.scheduleLockWaitMs });
    for (const name of schedule.environments()) {
      if (Object.hasOwn(config.environments, name)) continue;
      let runs: ScheduledRun[];
      try {
        runs = schedule.read(name);
      } catch (error) {
        if (!(error instanceof ScheduleFileError)) throw error;
        results.push({ id: '', environment: name, code: error.code, message: error.message });
        continue;
      }
      // Only at its time (the real clock): until then the environment may come back.
      for (const run of runs.filter((r) => r.at.getTime() <= opts.now.getTime())) {
        let claimed: boolean;
        try {
          claimed = await schedule.claim(run);
        } catch (error) {
          if (!(error instanceof ScheduleFileError)) throw error;
          // Not dropped: left for a reconcile once the claim (or the schedule) is mended.
          results.push({ id: run.id, environment: name, code: error.code, message: error.message });
          break;
        }
        if (!claimed) continue;
        try {
          if (!(await schedule.finish(run))) continue;
        } catch (error) {
          if (!(error instanceof ScheduleFileError)) throw error;
          // Not removed: the claim is given back and the next reconcile tries again.
          await schedule.release(run);
          results.push({ id: run.id, environment: name, code: error.code, message: error.message });
          continue;
        }
        const message = `the config no longer defines ${name}; not started`;
        results.push({ id: run.id, environment: name, code: 'schedule_unknown_environment', message });
        opts.reporter.event({
          type: 'log',
          level: 'warn',
          message: `scheduled run ${run.id} of ${name} not started (schedule_unknown_environment): ${message}`,
        });
      }
    }
  }
  return results;
}

async function startRun(
  config: RawConfig,
  run: ScheduledRun,
  opts: {
    stateDir?: string;
    reporter: Reporter;
    signal?: AbortSignal;
    env?: NodeJS.ProcessEnv;
    notifyCloseBy?: () => number | undefined;
    resultLast?: boolean;
    watchRun?: (started: StartedRun) => Reporter;
  },
): Promise<{ status: string; exitCode: number }> {
  const env = resolveEnvironment(config, run.environment, {
    strategy: run.strategy,
    stateDir: opts.stateDir,
  });
  opts.reporter.event({
    type: 'log',
    level: 'info',
    message: `starting scheduled run ${run.id} of ${env.name} (${run.version}, due ${run.at.toISOString()}) on ${hostname()}`,
  });
  // It is a `deploy-action run` at a later time: it tells the environment's channels as one now does
  // (docs/notifications.md), and their secrets stay out of the record it writes.
  // The run is out of the schedule already: nothing about its messages may keep it from starting.
  const processEnv = opts.env ?? process.env;
  const log = (level: 'info' | 'warn', message: string) =>
    opts.reporter.event({ type: 'log', level, message });
  const notify = await runNotifier(config, env.name, contextFromEnv(processEnv, run.sha), {
    env: processEnv,
    log,
    ...(opts.notifyCloseBy ? { closeBy: opts.notifyCloseBy } : {}),
  }).catch((error: unknown) => {
    log('warn', `notifications for ${env.name} are off: ${(error as Error).message}`);
    return undefined;
  });
  // --json: the run's result stays its last line, a channel's failure found while its messages close before it.
  // At a terminal it is printed at once, as `deploy-action run` prints it: held, it waited for a slow channel
  // (up to its 10 s bound) with nothing on the screen.
  const printed = opts.resultLast ? resultLast(opts.reporter) : { reporter: opts.reporter, flush() {} };
  const watcher = opts.watchRun?.({
    id: run.id,
    environment: env.name,
    version: run.version,
    strategy: env.strategy.type,
    startedAtMs: Date.now(),
    flush: () => printed.flush(),
  });
  try {
    return await runPipeline(
      {
        env,
        staging: resolveStaging(config, env, opts.stateDir),
        version: run.version,
        ...(run.sha ? { sha: run.sha } : {}),
        ...(run.skipStaging ? { skipStaging: true } : {}),
        // As `deploy-action run`: `deploy-action resume|abort` take up a failed batch's hold.
        holdOnFailure: true,
      },
      {
        reporter: fanOut([printed.reporter, notify?.reporter, watcher]),
        ...(opts.signal ? { signal: opts.signal } : {}),
        gates: { cwd: process.cwd() },
        control: new FileControlChannel(env.stateDir, env.name),
        // Every channel's, not only this environment's: a command may print any of them.
        secrets: [...configSecretValues(config, processEnv), ...(notify?.secrets ?? [])],
      },
    );
  } finally {
    // Only the notifier: the caller's reporter is the caller's to close, after the other runs.
    await notify?.reporter.close?.();
    printed.flush();
  }
}

/**
 * The reconcile command's second half: the due scheduled runs of the environments it was given, reported as
 * text or a JSON line (`{"type":"scheduled_runs",...}`). Exit code as startDueRuns.
 */
export async function dueRunsCli(
  opts: { environment?: string[]; config: string; stateDir?: string; json?: boolean; at?: Date },
  deps: Out & {
    loadConfig(path: string, json: boolean): Promise<RawConfig | undefined>;
    /** Aborted when the reconcile command was cancelled: no due run starts then (main.ts). */
    cancelled?: AbortSignal;
  },
): Promise<number> {
  const config = await deps.loadConfig(opts.config, !!opts.json);
  if (!config) return EXIT_CODES.invalidOrBlocked;
  const printer = cliRunReporter(opts.json, deps.out);
  // Once the crash deadline printed the last lines, what the runs still say is dropped: they stay the last.
  let lastPrinted = false;
  const reporter: Reporter = {
    event: (e) => void (lastPrinted || printer.event(e)),
    close: async () => printer.close?.(),
  };
  // A scheduled run is cancelled like any run: SIGINT/SIGTERM rolls it back before exit.
  const cancellation = cancelCliOnSignals((message) =>
    reporter.event({ type: 'log', level: 'warn', message }),
  );
  const results: DueRunResult[] = [];
  /** The run started last, what it reported so far, and its result once the pipeline gave it. */
  let current: { started: StartedRun; seen: () => RunSoFar; result?: PipelineResult } | undefined;
  const watchRun = (started: StartedRun): Reporter => {
    const known = runSoFar();
    const watched: NonNullable<typeof current> = { started, seen: known.seen };
    current = watched;
    return {
      event(e) {
        if (e.type === 'result') watched.result = e.result;
        known.reporter.event(e);
      },
    };
  };
  // A due run deploys as `deploy-action run` does: a crash meanwhile stops it through this cancellation (its
  // rollback puts traffic back on stable, and no further due run starts), and the process exits once it ends.
  // At the crash deadline, the run still going, the last lines are still the run's result and the
  // scheduled_runs line (as `run` prints its result then): what is known of it, failed (deadline-result.ts).
  const crashGuard = guardRun({
    abort: (reason) => cancellation.abort(reason),
    // How far the run started last had come with its rollback, for the deadline's words (as `run`'s); none
    // started: none begun. Unset, the words said "its rollback unfinished" of a run stuck before one began.
    rollbackProgress: () => (current ? progressSoFar(current.seen()) : 'none_begun'),
    atDeadline: (late) => {
      if (lastPrinted) return;
      const now = current;
      const ended = now !== undefined && results.some((r) => r.id === now.started.id);
      let unfinished: DueRunResult | undefined;
      if (now && !ended) {
        const { started } = now;
        const entry = { id: started.id, environment: started.environment, code: 'schedule_started' as const };
        if (now.result) {
          // Ended, its result held while its messages went out: that one is printed.
          started.flush();
          unfinished = { ...entry, status: now.result.status, exitCode: now.result.exitCode };
        } else {
          const result = deadlineResult(
            now.seen(),
            started,
            late,
            stoppedByOf(cancellation.signal),
            Date.now(),
          );
          printer.event({ type: 'result', result });
          unfinished = {
            ...entry,
            status: result.status,
            exitCode: result.exitCode,
            message: scheduledDeadlineMessage(now.seen(), late),
          };
        }
      }
      lastPrinted = true;
      sayResults(unfinished ? [...results, unfinished] : results, !!opts.json, deps.out);
    },
  });
  let exitCode: number | undefined;
  try {
    const started = await startDueRuns(config, {
      ...(opts.environment ? { environments: opts.environment } : {}),
      ...(opts.stateDir ? { stateDir: opts.stateDir } : {}),
      // `reconcile --at` rehearses a later time for scheduled runs too; only the real clock drops one.
      now: new Date(),
      ...(opts.at ? { dueBy: opts.at } : {}),
      reporter,
      notifyCloseBy: notifyCloseBy(cancellation),
      ...(opts.json ? { resultLast: true } : {}),
      signal: deps.cancelled ? AbortSignal.any([cancellation.signal, deps.cancelled]) : cancellation.signal,
      results,
      watchRun,
    });
    exitCode = started.exitCode;
    if (!lastPrinted) {
      lastPrinted = true;
      sayResults(started.results, !!opts.json, deps.out);
    }
    return exitCode;
  } finally {
    cancellation.release();
    await reporter.close?.();
    // After a crash stopped a due run: the process exits here, failed (3 if its rollback did not complete).
    crashGuard.end(exitCode);
  }
}

/** The due runs' outcomes: a `scheduled_runs` JSON line, or a text line each; nothing when there were none. */
function sayResults(results: readonly DueRunResult[], json: boolean, out: (text: string) => void): void {
  // Nothing scheduled says nothing: reconcile's own result stays the last line of its output.
  if (json) {
    if (results.length > 0) out(`${JSON.stringify({ type: 'scheduled_runs', results })}\n`);
    return;
  }
  for (const r of results)
    out(
      `scheduled run${r.id ? ` ${r.id}` : 's'} of ${r.environment}: ${r.code}${r.status ? ` (${r.status})` : ''}${r.message ? `: ${r.message}` : ''}\n`,
    );
}
