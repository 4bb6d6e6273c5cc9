// `deploy-action`: the same pipeline outside GitHub (DESIGN.md §7). Reports go to the terminal, or as JSON
// lines with --json. Exit codes (util/exit-codes.ts): 0 success, 1 failed or rolled back, 2 invalid input or
// blocked (by `run` and `gates` alike), 130/143 cancelled by SIGINT/SIGTERM. `analyze` has its own
// (analysis/exit-codes.ts: 2 is "hold" there).
//
// Statically imported: what parsing a command line and `validate` need (commander, the config loader,
// usage.ts). Each other command imports its code with import() when it runs, so a start compiles only what
// its command uses (issue 16; test/unit/build/start-graph.test.ts guards it).
import { didYouMean } from '../config/suggest.ts';
import { CommanderError, Help, InvalidArgumentError, Option, type Command } from 'commander';
import { CliCommand } from './command.ts';
import { ConfigLoadError, formatConfigError, quoted, type ConfigError } from '../config/errors.ts';
import { loadConfigWithWarnings } from '../config/load.ts';
import { configSecretValues } from '../config/env-secrets.ts';
import { secretValueRedactor } from '../util/secret-values.ts';
import { commandEnv } from '../util/child-env.ts';
import { resolveEnvironment, ResolveError, type ResolvedEnvironment } from '../config/resolve.ts';
import { unsetVariablesList, unsetVariablesRefusal } from '../config/needed-variables.ts';
import type { RawConfig } from '../config/schema.ts';
import { STRATEGY_NAMES, type StrategyName } from '../config/strategy-names.ts';
import type { AnalyzeCliOptions } from './analyze.ts';
import { UnknownGateError } from '../gates/registry.ts';
import type { DeploymentPlan } from '../pipeline/plan.ts';
import type { PipelineResult, Reporter } from '../pipeline/events.ts';
import { VERSION_RULE, VERSION_RULE_TEXT } from '../github/version-rule.ts';
import { EXIT_CODES, gatesExitCode } from '../util/exit-codes.ts';
import { endKeptListeners } from '../util/signals.ts';
import { endStopAllCommands } from '../util/process-group.ts';
import { errorText } from '../util/error-text.ts';
import type { StateKeyOptions } from './state-key.ts';
import type { ControlCliOptions } from './control.ts';
import type { StatusCliOptions } from './status.ts';
import type { MetricsCliOptions } from './metrics.ts';
import type { AlertsCliOptions } from './alerts.ts';
import type { ControlVerb } from '../control/request.ts';
import type { ReconcileCliOptions } from './reconcile.ts';
import {
  analyzeExitOverride,
  AnalyzeUsageError,
  collectEnvironments,
  existingDirectoryOrNone,
  MAX_REASON,
  oneValue,
  parseInterval,
  parseReconcileTime,
  parseSha,
  recordingFile,
  StateKeyUsageError,
  visibleName,
} from './usage.ts';

export const DEFAULT_CONFIG = '.github/deploy.yml';

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  /** From now on, mask `secrets` (any form of each) in what `out` and `err` write. */
  mask?: (secrets: readonly string[]) => void;
  /**
   * A command's outcome is written and its exit code known, before its signal listeners go: the process may
   * still linger (a notification's socket the deadline cut), and the entry point makes a signal from then on
   * end it with this code (src/cli/index.ts) rather than kill it by signal. The code main() returns: a command
   * that threw is settled with the code of its error. An embedder may leave it out.
   */
  settled?: (exitCode: number) => void;
}

export const processIo: Io = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
};

/** The writers maskingIo made: main() uses one it is given as it is, so its caller's mask is the one filled. */
const maskingWriters = new WeakSet<Io>();

/**
 * `io` with each secret it is told of (`mask`) replaced by `***` in what it writes, in every form
 * (secretValueRedactor: its lines, URL-encoded, as JSON writes it), so `--json` lines stay JSON.
 */
export function maskingIo(io: Io): Io & { mask: (secrets: readonly string[]) => void } {
  const secrets = new Set<string>();
  let hide = (text: string) => text;
  const masking = {
    out: (text: string) => io.out(hide(text)),
    err: (text: string) => io.err(hide(text)),
    // Passed on: dropped here, the `settled` of an Io given to main() was never called.
    ...(io.settled ? { settled: io.settled } : {}),
    mask(more: readonly string[]) {
      const before = secrets.size;
      for (const secret of more) secrets.add(secret);
      if (secrets.size !== before) hide = secretValueRedactor([...secrets]);
    },
  };
  maskingWriters.add(masking);
  return masking;
}

class UsageError extends Error {}

/** Keys of a `gates:` section that configure the runner, not a gate. */
const RUNNER_KEYS: ReadonlySet<string> = new Set(['concurrency', 'timeout']);

/** `run`'s own options; `--at` records the run for `reconcile` to start (src/cli/schedule.ts). */
type RunOptions = { skipStaging?: boolean; record?: string; base?: string; at?: string };

interface DeploymentOptions {
  environment: string;
  version?: string;
  sha?: string;
  strategy?: StrategyName;
  stateDir?: string;
  config: string;
  json?: boolean;
}

/**
 * The config, or undefined when it is invalid (its problems printed). Its warnings (config/warnings.ts) go to
 * `warnings` where the command says them (validate, plan and run); every other command leaves them unsaid.
 */
async function loadConfig(
  path: string,
  json: boolean,
  io: Io,
  warnings?: (found: readonly ConfigError[]) => void,
): Promise<RawConfig | undefined> {
  try {
    const loaded = await loadConfigWithWarnings(path);
    // Before anything of the run is printed: the values of the variables its `*_env` keys name.
    io.mask?.(configSecretValues(loaded.config, process.env));
    if (loaded.warnings.length > 0) warnings?.(loaded.warnings);
    return loaded.config;
  } catch (error) {
    if (!(error instanceof ConfigLoadError)) throw error;
    if (json) io.out(`${JSON.stringify({ ok: false, file: path, errors: error.errors })}\n`);
    else
      io.err(
        `${error.errors.map(formatConfigError).join('\n')}\n${error.errors.length} error(s) in ${path}\n`,
      );
    return undefined;
  }
}

/** A config's warnings on standard error, `warning: <file:line:column>: <path>: <what>` each. */
function warnConfig(warnings: readonly ConfigError[], io: Io): void {
  for (const warning of warnings) io.err(`warning: ${formatConfigError(warning)}\n`);
}

/** On a pull request the runner names the base branch; changed-line checks compare against it. */
function defaultBase(): string | undefined {
  return process.env.GITHUB_BASE_REF ? `origin/${process.env.GITHUB_BASE_REF}` : undefined;
}

function defaultVersion(): string {
  const sha = process.env.GITHUB_SHA;
  if (sha) return sha.slice(0, 12);
  try {
    // node:child_process on first use: only a plan or run without --version and GITHUB_SHA asks git.
    return process
      .getBuiltinModule('node:child_process')
      .execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
        env: commandEnv(),
      })
      .trim();
  } catch {
    throw new UsageError('--version is required here: there is no GITHUB_SHA and this is not a git checkout');
  }
}

export async function main(argv: string[], given: Io = processIo): Promise<number> {
  // The one place the CLI's output (text, --json, errors) is written: the secrets the config names are
  // masked here, whichever command, reporter or message carries them.
  const io = maskingWriters.has(given) ? given : maskingIo(given);
  // A process that embeds the CLI runs another command: the signal listeners an earlier, cancelled one kept
  // for its exit go (left, they said "received again" of a command that had ended, one more per cancel).
  endKeptListeners();
  // Nor are its commands stopped at once because that one's job was about to be killed.
  endStopAllCommands();
  let exitCode = 0;
  /**
   * The `type` of a command's --json lines where it is not the command's name: a refusal the command throws
   * says the type its own lines say (docs/control.md), not another one for the same command.
   */
  const jsonTypes = new Map<string, string>();
  const program = new CliCommand('deploy-action')
    .description('Quality gates, blue-green / rolling / canary deployments, analysis and automatic rollback.')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .exitOverride();
  // `--version` alone is answered before commander parses (below: a command's --version is the version it
  // deploys), so commander does not know it; listed by hand, the top-level help shows it as README does.
  const ownVersion = new Option('-V, --version', "print deploy-action's own version (given alone)");
  program.configureHelp({
    visibleOptions(this: Help, command: Command) {
      const options = Help.prototype.visibleOptions.call(this, command);
      return command.parent ? options : [ownVersion, ...options];
    },
  });

  // Every option that takes a value takes one (oneValue): not empty, not another option, not given twice.
  const configOption = () =>
    new Option('-c, --config <file>', 'the config file').default(DEFAULT_CONFIG).argParser(oneValue());
  const strategyOption = () => {
    const names: readonly string[] = STRATEGY_NAMES;
    // .choices() lists the names in --help; the parser (which replaces its check) checks them.
    return new Option('-s, --strategy <name>', "use this strategy instead of the environment's")
      .choices(STRATEGY_NAMES)
      .argParser(
        oneValue((value) => {
          if (!names.includes(value))
            throw new InvalidArgumentError(
              `Allowed choices are ${STRATEGY_NAMES.join(', ')}${didYouMean(value, names).replace(/^:/, ';') || '.'}`,
            );
          return value as StrategyName;
        }),
      );
  };
  const stateDirOption = () =>
    new Option(
      '--state-dir <dir>',
      'where what is live is recorded (default: state_dir in the config, or .deploy-action)',
    ).argParser(oneValue(existingDirectoryOrNone));
  const jsonOption = () => new Option('--json', 'machine-readable output (JSON)');

  program
    .command('validate')
    .description('check the config file: every problem with file:line:column, field path and what is allowed')
    .addOption(configOption())
    .addOption(jsonOption())
    .action(async (opts: { config: string; json?: boolean }) => {
      let warnings: readonly ConfigError[] = [];
      const config = await loadConfig(opts.config, !!opts.json, io, (found) => (warnings = found));
      if (!config) return void (exitCode = EXIT_CODES.invalidOrBlocked);
      const environments = [];
      for (const name of Object.keys(config.environments)) {
        const env = resolveEnvironment(config, name);
        environments.push({
          name,
          strategy: env.strategy.type,
          staging: env.staging ?? null,
          production: env.production,
        });
      }
      // Valid all the same (exit 0): each warning on standard error, or in the JSON line.
      if (opts.json) io.out(`${JSON.stringify({ ok: true, file: opts.config, environments, warnings })}\n`);
      else {
        warnConfig(warnings, io);
        io.out(`✔ ${opts.config} is valid\n`);
        for (const e of environments)
          io.out(
            `  ${e.name}: ${e.strategy}${e.staging ? `, after ${e.staging}` : ''}${e.production ? ' (production)' : ''}\n`,
          );
      }
    });

  /** The options plan and run share: they describe one deployment. */
  const deploymentCommand = (name: string, description: string) =>
    program
      .command(name)
      .description(description)
      .requiredOption(
        '-e, --environment <name>',
        'the environment to deploy to',
        oneValue(visibleName('environment name')),
      )
      .option(
        '-v, --version <version>',
        'the version to deploy (default: the current commit)',
        oneValue((value) => {
          // The Action's and App's rule: an empty version or one read as an option is refused before anything runs.
          if (!VERSION_RULE.test(value)) throw new InvalidArgumentError(`${VERSION_RULE_TEXT}.`);
          return value;
        }),
      )
      .option('--sha <sha>', 'the commit being deployed', oneValue(parseSha))
      .addOption(strategyOption())
      .addOption(stateDirOption())
      .addOption(configOption())
      .addOption(jsonOption());

  deploymentCommand('plan', 'print exactly what a run would do, every command as it would run; runs nothing')
    .option('--skip-staging', "a hotfix's plan: the run would not deploy to the staging environment first")
    .action(async (opts: DeploymentOptions & { skipStaging?: boolean }) => {
      // Its warnings on standard error: the plan (text or JSON) stays alone on standard output.
      const config = await loadConfig(opts.config, !!opts.json, io, (found) => warnConfig(found, io));
      if (!config) return void (exitCode = EXIT_CODES.invalidOrBlocked);
      const { planDeployment } = await import('../pipeline/plan.ts');
      const plan = planDeployment(config, opts.environment, opts.version ?? defaultVersion(), opts.sha, {
        strategy: opts.strategy,
        stateDir: opts.stateDir,
        ...(opts.skipStaging ? { skipStaging: true } : {}),
      });
      io.out(opts.json ? `${JSON.stringify(plan)}\n` : formatPlan(plan));
      // The run would deploy nothing and fail with that code: the plan says so, and so does its exit.
      if (plan.refused) exitCode = EXIT_CODES.failed;
      // What `run` would refuse for, where the plan is made (a laptop may lack the job's secrets: a warning).
      const unset = unsetVariablesList(environmentsOfRun(config, opts), process.env);
      if (unset) io.err(`deploy-action: warning: run refuses here until they are set: ${unset}\n`);
    });

  deploymentCommand(
    'run',
    'run a deployment: validate, staging, production (strategy), verify, monitor, finalize',
  )
    .option('--skip-staging', 'hotfix: do not deploy to the staging environment first')
    .option(
      '--record <file>',
      'record every metric sample read to this file (replay it with `analyze`); a staging environment to FILE with its name before the extension',
      oneValue(recordingFile),
    )
    .option(
      '--base <ref>',
      "base commit for the gates' changed-line checks (default: origin/$GITHUB_BASE_REF)",
      oneValue(),
    )
    .option(
      '--at <time>',
      'record the run for later instead (ISO 8601 with offset, or "YYYY-MM-DD HH:MM [Area/City]"); `reconcile` starts it',
      oneValue(),
    )
    .action(async (opts: DeploymentOptions & RunOptions) => {
      let warnings: readonly ConfigError[] = [];
      const config = await loadConfig(opts.config, !!opts.json, io, (found) => (warnings = found));
      if (!config) return void (exitCode = EXIT_CODES.invalidOrBlocked);
      const version = opts.version ?? defaultVersion();
      if (opts.at !== undefined) {
        warnConfig(warnings, io);
        // Scheduled: recorded in the state directory, started by `deploy-action reconcile` (docs/schedule.md).
        const { scheduleRunCli } = await import('./schedule.ts');
        const sha = opts.sha ?? process.env.GITHUB_SHA;
        exitCode = await scheduleRunCli(
          config,
          { ...opts, at: opts.at, version, ...(sha ? { sha } : {}) },
          io,
        );
        return;
      }
      // Fails here, with a clear message, for an unknown environment or a strategy the target cannot run.
      const [env, staging] = environmentsOfRun(config, opts);
      // Before anything deploys: a variable the analysis needs, found missing at its first read, failed the
      // rollout half done.
      const unset = unsetVariablesRefusal([env, staging], process.env);
      if (unset) throw new UsageError(unset);
      const [
        { resolveStaging, runPipeline },
        { deliveredAll, fanOut, resultLast },
        { contextFromEnv, runNotifier },
        { cliRunReporter },
        { runExitCode },
        { FileControlChannel },
        { cancelCliOnSignals, notifyCloseBy },
        { guardRun },
        { deadlineResult, progressSoFar, runSoFar },
        { stoppedByOf },
      ] = await Promise.all([
        import('../pipeline/pipeline.ts'),
        import('../pipeline/events.ts'),
        import('../notify/wiring.ts'),
        import('./run-reporter.ts'),
        import('../util/signals.ts'),
        import('../control/file-channel.ts'),
        import('./cancellation.ts'),
        import('../util/crash-guard.ts'),
        import('./deadline-result.ts'),
        import('../util/internal-error-stop.ts'),
      ]);
      const output = cliRunReporter(opts.json, io.out);
      // The config's warnings once, before anything runs (a `log` event each with --json).
      for (const warning of warnings)
        output.event({ type: 'log', level: 'warn', message: `config: ${formatConfigError(warning)}` });
      // Before the notifier, whose close is bounded by it (notifications map no log event).
      // Once the result is printed (the last line), a later signal's notice (the runner's SIGTERM) goes to
      // standard error.
      let resultPrinted = false;
      const cancellation = cancelCliOnSignals((message) =>
        resultPrinted
          ? io.err(`warning: ${message}\n`)
          : output.event({ type: 'log', level: 'warn', message }),
      );
      // What the run reported so far, for its result at the crash deadline.
      const known = runSoFar();
      const startedAtMs = Date.now();
      let printed: { reporter: Reporter; flush(): void } | undefined;
      let finished: PipelineResult | undefined;
      // Until the run's outcome is said: an uncaught error stops it through this cancellation (its rollback
      // puts traffic back on stable), and the process exits once it ends (util/crash-guard.ts). At the crash
      // deadline, the run still going, the last line is still a result (`--json` readers wait for one): the
      // run's own when it had ended (held while its messages went out), else what is known of it.
      const crashGuard = guardRun({
        abort: (reason) => cancellation.abort(reason),
        rollbackProgress: () => progressSoFar(known.seen()),
        atDeadline: (late) => {
          // The run's own result, printed or held: the process exits with the code it says, not one it belies.
          if (resultPrinted) return finished ? exitCode : undefined;
          resultPrinted = true;
          if (finished && printed) {
            printed.flush();
            return exitCode;
          }
          const result = deadlineResult(
            known.seen(),
            { environment: env.name, version, strategy: env.strategy.type, startedAtMs },
            late,
            stoppedByOf(cancellation.signal),
            Date.now(),
          );
          output.event({ type: 'result', result });
        },
      });
      try {
        // Slack, Teams and webhooks (docs/notifications.md): in the background, never on the rollback path.
        const notify = await runNotifier(
          config,
          env.name,
          contextFromEnv(process.env, opts.sha ?? process.env.GITHUB_SHA),
          {
            env: process.env,
            log: (level, message) => output.event({ type: 'log', level, message }),
            closeBy: notifyCloseBy(cancellation),
          },
        );
        // --json: the result is held until the messages went out, so it stays the last line (a channel's failure
        // found meanwhile is printed before it). At a terminal the summary is printed at once: held, it waited
        // for a slow channel (up to its 10 s bound) with nothing on the screen.
        printed = opts.json ? resultLast(output) : { reporter: output, flush() {} };
        const reporter = fanOut([printed.reporter, notify?.reporter, known.reporter]);
        // The config's `*_env` secrets (every channel's) stay out of the record in the state directory.
        const secrets = [...configSecretValues(config, process.env), ...(notify?.secrets ?? [])];
        try {
          const result = await runPipeline(
            {
              env,
              staging: resolveStaging(config, env, opts.stateDir),
              version,
              sha: opts.sha ?? process.env.GITHUB_SHA,
              skipStaging: opts.skipStaging,
              record: opts.record,
              // The state directory outlives the run: `deploy-action resume|abort` take up a failed batch's hold.
              holdOnFailure: true,
            },
            {
              reporter,
              signal: cancellation.signal,
              gates: { cwd: process.cwd(), baseRef: opts.base ?? defaultBase() },
              // `deploy-action promote|pause|resume|abort` append to this file; the run polls it.
              control: new FileControlChannel(env.stateDir, env.name),
              secrets,
            },
          );
          exitCode = runExitCode(result, cancellation.received()?.signal);
          finished = result;
        } finally {
          // Still listening while the messages go out, and once cancelled until the exit (as the Action): the
          // runner's SIGTERM is then a notice, not the end of the process (with no listener it would end it and
          // lose the exit code). The listeners keep no process alive.
          try {
            await reporter.close?.();
          } finally {
            // Not once the crash deadline printed one (the process is exiting).
            if (!resultPrinted) printed.flush();
            resultPrinted = true;
          }
        }
        // The run's own rollback_failed, recorded as told once its messages went out (docs/notifications.md);
        // the CLI sets no deployment status. Its outcome (printed, and the exit code) stands whatever happens.
        if (finished?.code === 'rollback_failed' && !cancellation.received()) {
          const { failureToldNotRecorded, recordRunFailureTold } =
            await import('../reconcile/failure-told.ts');
          const { FileStateStore } = await import('../state/file-store.ts');
          const notifications = await deliveredAll(notify?.reporter);
          const told = await recordRunFailureTold(
            new FileStateStore(env.stateDir),
            finished,
            { notifications, status: false },
            new Date(),
            secrets,
          );
          if (told.kind === 'not_stored') io.err(`warning: ${failureToldNotRecorded(told.message)}\n`);
        }
      } catch (error) {
        // The code main() exits with for it (1 for a defect of the CLI), whatever the result said: settled with
        // the result's, a later signal ended a command that failed with 0.
        exitCode = thrownExitCode(error);
        throw error;
      } finally {
        // Only now, on every way out (a run that throws too: left, they swallowed a later SIGINT of a process
        // that embeds the CLI): a SIGTERM during the write above is a notice, not a signal death that loses the
        // exit code. Once cancelled they stay until the exit, as the Action's do.
        io.settled?.(exitCode);
        cancellation.release();
        // After a crash stopped the run, the process exits here, failed (3 if its rollback did not complete).
        crashGuard.end(exitCode);
      }
    });

  program
    .command('gates')
    .description('run the quality gates in parallel and print PASS / WARN / BLOCK with every finding')
    .option(
      '-e, --environment <name>',
      "use this environment's gates section (default: the top-level one)",
      oneValue(visibleName('environment name')),
    )
    .option(
      '--only <names>',
      'only these gates, comma-separated (for example tests,audit)',
      oneValue(visibleName('gate name')),
    )
    .option(
      '--base <ref>',
      'base commit for changed-line checks (default: origin/$GITHUB_BASE_REF on a pull request)',
      oneValue(),
    )
    .option('--sha <sha>', 'the commit being checked', oneValue(parseSha))
    .addOption(configOption())
    .addOption(jsonOption())
    .action(
      async (opts: {
        environment?: string;
        only?: string;
        base?: string;
        sha?: string;
        config: string;
        json?: boolean;
      }) => {
        const config = await loadConfig(opts.config, !!opts.json, io);
        if (!config) return void (exitCode = EXIT_CODES.invalidOrBlocked);
        const section = opts.environment ? resolveEnvironment(config, opts.environment).gates : config.gates;
        // A section of only the runner's options (timeout, concurrency), or `gates: {}`, runs no gate: a PASS
        // of 0 gates would say the checks passed when none ran.
        if (!section || !Object.entries(section).some(([key, value]) => !RUNNER_KEYS.has(key) && value))
          throw new UsageError(
            `${opts.config} configures no gates${opts.environment ? ` for ${opts.environment}` : ''}`,
          );
        const only = opts.only
          ?.split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        // "--only ," named no gate, and would run none.
        if (only?.length === 0)
          throw new UsageError('--only names no gate: list gates by name, for example tests,audit');
        const [{ terminalReporter }, { runValidate }, { redactCredentials, redactDeep, redactingReporter }] =
          await Promise.all([
            import('../report/terminal.ts'),
            import('../pipeline/validate.ts'),
            import('../report/redact.ts'),
          ]);
        // Credentials a gate's command printed are redacted, as in a run's report (run-reporter.ts).
        const reporter = opts.json ? { event() {} } : redactingReporter(terminalReporter({ write: io.out }));
        const report = await runValidate(
          { gates: section },
          {
            cwd: process.cwd(),
            baseRef: opts.base ?? defaultBase(),
            headSha: opts.sha ?? process.env.GITHUB_SHA,
            only,
            reporter,
          },
        );
        if (opts.json) io.out(`${JSON.stringify(redactDeep(report, redactCredentials))}\n`);
        exitCode = gatesExitCode(report.status);
      },
    );

  program
    .command('analyze')
    .description('judge a recorded analysis offline and print the decision at each interval')
    .requiredOption('-r, --recording <file>', 'a recording made with `run --record`', oneValue())
    .option(
      '-c, --config <file>',
      'judge with the analysis section of this config instead of the recorded one',
      oneValue(),
    )
    .option(
      '-e, --environment <name>',
      'with --config: the environment whose analysis section to use',
      oneValue(visibleName('environment name')),
    )
    .addOption(jsonOption())
    .exitOverride(analyzeExitOverride)
    .action(async (opts: AnalyzeCliOptions) => {
      const { analyzeCli } = await import('./analyze.ts');
      exitCode = await analyzeCli(opts, { ...io, loadConfig: (path, json) => loadConfig(path, json, io) });
    });

  program
    .command('reconcile')
    .description(
      'roll back rollouts whose process died, tear down retired slots that are due, run a due hooks.after_success and start due `run --at` runs (docs/reconcile.md)',
    )
    .option(
      '-e, --environment <names>',
      'only this environment (repeat, or a comma list; default: every one in the config)',
      collectEnvironments,
    )
    .option(
      '--at <time>',
      'judge due times as of this later ISO 8601 time (tear down a retired slot early, or rehearse); never a hooks.after_success, which waits for the real time',
      oneValue((value) => parseReconcileTime(value)),
    )
    .option(
      '--adopt-current',
      "instead: make the record of the one environment named with -e say what its target's current command reports (a stale record; nothing but current is run; docs/reconcile.md)",
    )
    .addOption(stateDirOption())
    .addOption(configOption())
    .addOption(jsonOption())
    .action(async (opts: ReconcileCliOptions) => {
      const [{ reconcileCli }, { dueRunsCli }, { cancelOnSignals }] = await Promise.all([
        import('./reconcile.ts'),
        import('./schedule.ts'),
        import('../util/signals.ts'),
      ]);
      // Heard through the whole command (each part says what a signal does to it): once cancelled, during
      // reconcile's own work or after it, no scheduled run starts; a deployment begun after the signal (it
      // started one, from cron or a Ctrl-C at a terminal) is the opposite of what was asked.
      const cancelled = cancelOnSignals(() => undefined);
      try {
        exitCode = await reconcileCli(opts, {
          ...io,
          loadConfig: (path, json) => loadConfig(path, json, io),
          cancelled: cancelled.signal,
        });
        // Adopting does that alone: no scheduled run is started with it.
        if (exitCode === EXIT_CODES.invalidOrBlocked || opts.adoptCurrent) return;
        // Then the scheduled runs (`run --at`) that are due, each checked again (src/cli/schedule.ts).
        const due = await dueRunsCli(opts, {
          ...io,
          loadConfig: (path, json) => loadConfig(path, json, io),
          cancelled: cancelled.signal,
        });
        if (due !== EXIT_CODES.success) exitCode = due;
      } finally {
        cancelled.release();
      }
    });

  // The PR's /promote, /pause, /resume and /abort for a rollout kept in the state_dir (docs/control.md).
  const controlCommand = (verb: ControlVerb, description: string) => {
    // Its --json lines, its refusals among them, say `"type": "control"` (control.ts), whichever verb.
    jsonTypes.set(verb, 'control');
    return program
      .command(verb)
      .description(description)
      .requiredOption(
        '-e, --environment <name>',
        'the environment whose rollout it is',
        oneValue(visibleName('environment name')),
      )
      .addOption(stateDirOption())
      .addOption(configOption())
      .addOption(jsonOption());
  };
  const controlAction = (verb: ControlVerb) => async (opts: ControlCliOptions) => {
    const { controlCli } = await import('./control.ts');
    exitCode = await controlCli(verb, opts, {
      ...io,
      loadConfig: (path, json) => loadConfig(path, json, io),
    });
  };
  controlCommand('promote', 'end the wait the rollout is at and go on to its next step')
    .option('--full', "after the current step's analysis, go straight to 100 %")
    .action(controlAction('promote'));
  controlCommand('pause', 'hold the rollout before its next step (traffic stays as it is)').action(
    controlAction('pause'),
  );
  controlCommand('resume', 'end a pause').action(controlAction('resume'));
  controlCommand('abort', 'roll the rollout back now: all traffic to the stable version')
    .option(
      '--reason <text>',
      `why, for the history (at most ${MAX_REASON} characters)`,
      oneValue(undefined, { text: true }),
    )
    .action(controlAction('abort'));
  program
    .command('status')
    .description("what is live, the rollout in progress and where it waits, and the environment's history")
    .requiredOption('-e, --environment <name>', 'the environment', oneValue(visibleName('environment name')))
    .addOption(stateDirOption())
    .addOption(configOption())
    .addOption(jsonOption())
    .action(async (opts: StatusCliOptions) => {
      const { statusCli } = await import('./status.ts');
      exitCode = await statusCli(opts, { ...io, loadConfig: (path, json) => loadConfig(path, json, io) });
    });

  program
    .command('metrics')
    .description(
      'delivery metrics per environment: deployment frequency, lead time, change failure rate, time to restore ' +
        '(from GitHub with GITHUB_TOKEN, else from the state records; docs/metrics.md)',
    )
    .option(
      '--since <duration|date>',
      'the window: a duration back from now (90d) or a date',
      oneValue(),
      '90d',
    )
    .option(
      '-e, --environment <names>',
      'only this environment (repeat, or a comma list)',
      collectEnvironments,
    )
    .option('--repository <owner/name>', 'the GitHub repository (default: $GITHUB_REPOSITORY)', oneValue())
    .addOption(stateDirOption())
    .addOption(configOption())
    .addOption(jsonOption())
    .action(async (opts: MetricsCliOptions) => {
      const { metricsCli } = await import('./metrics.ts');
      exitCode = await metricsCli(opts, {
        ...io,
        loadConfig: (path, json) => loadConfig(path, json, io),
        env: process.env,
        now: Date.now,
      });
    });

  program
    .command('alerts')
    .description(
      "the environment's analysis checks as Prometheus alerting rules for the live release (docs/alerts.md)",
    )
    .requiredOption('-e, --environment <name>', 'the environment', oneValue(visibleName('environment name')))
    .option(
      '-v, --version <version>',
      'the version the queries are written for (default: the live one in the state record)',
      oneValue((value) => {
        if (!VERSION_RULE.test(value)) throw new InvalidArgumentError(`${VERSION_RULE_TEXT}.`);
        return value;
      }),
    )
    .option(
      '--slot <name>',
      'the slot it serves from (default: the live one in the state record)',
      oneValue(),
    )
    .option(
      '--interval <duration>',
      "how often Prometheus evaluates the group (default 30s, seed 01's)",
      oneValue(parseInterval),
    )
    .option('-o, --output <file>', 'write the rule file here instead of to standard output', oneValue())
    .addOption(stateDirOption())
    .addOption(configOption())
    .action(async (opts: AlertsCliOptions) => {
      const { alertsCli } = await import('./alerts.ts');
      exitCode = await alertsCli(opts, { ...io, loadConfig: (path, json) => loadConfig(path, json, io) });
    });

  program
    .command('state-key')
    .description(
      "print an environment's state key (the action's `state-key` input, stored as that environment's secret), " +
        'derived from DEPLOY_ACTION_MARKER_KEY or the App private key',
    )
    .requiredOption('--repository <owner/name>', 'the repository', oneValue())
    // -e as every other command's: "-e production" was named an option of plan, which state-key is not.
    .requiredOption('-e, --environment <name>', 'the environment', oneValue(visibleName('environment name')))
    .option(
      '--private-key-file <file>',
      'the App private key (PEM), when DEPLOY_ACTION_MARKER_KEY is not set',
      oneValue(),
    )
    .action(async (opts: StateKeyOptions) => {
      const { stateKeyLine } = await import('./state-key.ts');
      io.out(stateKeyLine(opts, process.env));
    });

  checkRequiredOptionsLast(program);
  // The command about to run and whether it was asked for --json: a refusal it throws (below) is said on
  // standard output too, as a JSON line, where a --json reader looks (it found nothing there, exit 2 alone).
  let running: { name: string; json: boolean } | undefined;
  program.hook('preAction', (_program, command) => {
    const opts = command.opts<{ json?: boolean; at?: string }>();
    // `run --at` records a run for later: its lines are `"type": "schedule"` (schedule.ts).
    const scheduled = command.name() === 'run' && opts.at !== undefined;
    running = {
      name: scheduled ? 'schedule' : (jsonTypes.get(command.name()) ?? command.name()),
      json: opts.json === true,
    };
  });
  // `deploy-action --version` (what a bug report asks for) was an unknown option. Read here, before commander:
  // as a program option it would also take the `--version` of plan, run and alerts (`run --version v2`).
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
    io.out(`deploy-action ${packageVersion()}\n`);
    return EXIT_CODES.success;
  }
  // Not alone, commander said "unknown option '--version'" and suggested --version itself.
  const ownVersionFirst = argv[0] === '--version' || argv[0] === '-V' || argv[0]?.startsWith('--version=');
  if (ownVersionFirst) {
    const after = argv[0]!.startsWith('--version=') ? argv[0]!.slice('--version='.length) : argv[1]!;
    io.err(
      `error: deploy-action --version is given alone (it prints deploy-action's own version), got ${quoted(after)} ` +
        `after it; a version to deploy is an option of plan, run and alerts: deploy-action run -e <environment> --version <version>\n` +
        '(run with --help for usage)\n',
    );
    return EXIT_CODES.invalidOrBlocked;
  }
  // `help NAME` for no command of that name printed the general help as an error, never naming what was wrong.
  const asked = argv[0] === 'help' ? argv[1] : undefined;
  if (asked !== undefined && !asked.startsWith('-') && !program.commands.some((c) => c.name() === asked)) {
    const names = program.commands.map((c) => c.name());
    const meant = didYouMean(asked, names).replace(/^: did you mean "(.*)"\?$/, '\n(Did you mean $1?)');
    io.err(`error: unknown command ${quoted(asked)}${meant}\n(run with --help for usage)\n`);
    return EXIT_CODES.invalidOrBlocked;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    // Printed already (commander's usage errors, analyze's own), or nothing to print (--help, --version).
    if (error instanceof AnalyzeUsageError || error instanceof CommanderError) return thrownExitCode(error);
    if (isUsageError(error)) {
      // With --json on standard output too, as the commands' own refusals are (status, control, `run --at`);
      // the line on standard error stays for whoever reads the terminal.
      if (running?.json)
        io.out(
          `${JSON.stringify({ type: running.name, ok: false, code: 'invalid_input', message: error.message })}\n`,
        );
      io.err(`error: ${error.message}\n`);
      return thrownExitCode(error);
    }
    // Anything else is a defect of the CLI, said through the masking writer: its message can quote a URL or
    // a config value holding a secret, which Node's own report of the uncaught error printed as it was.
    sayInternalError(io, error);
    return thrownExitCode(error);
  }
  return exitCode;
}

/** A refusal of what was asked (said as `error: ...`), not a defect of the CLI. */
function isUsageError(error: unknown): error is Error {
  return (
    error instanceof UsageError ||
    error instanceof ResolveError ||
    error instanceof UnknownGateError ||
    error instanceof StateKeyUsageError
  );
}

/** The exit code of a command that threw `error`, as main() returns it. */
function thrownExitCode(error: unknown): number {
  // analyze has its own exit codes (2 is "hold" there): its usage errors exit with its bad-input code.
  if (error instanceof AnalyzeUsageError) return error.exitCode;
  // --help and --version exit 0; usage errors were already printed by commander.
  if (error instanceof CommanderError)
    return error.exitCode === 0 ? EXIT_CODES.success : EXIT_CODES.invalidOrBlocked;
  return isUsageError(error) ? EXIT_CODES.invalidOrBlocked : EXIT_CODES.failed;
}

/**
 * An unexpected error, as Node reports an uncaught one (its stack, message included; a value that is not an
 * Error inspected, where String() said "[object Object]"), through `io`.
 */
export function sayInternalError(io: Io, error: unknown): void {
  io.err(`deploy-action: internal error: ${errorText(error)}\n`);
}

/**
 * The version in package.json: two directories up from this module, in the sources (src/cli/) and in the
 * bundle (dist/cli/, dist/chunks/) alike.
 */
function packageVersion(): string {
  try {
    const read = process.getBuiltinModule('node:fs').readFileSync;
    const pkg = JSON.parse(read(new URL('../../package.json', import.meta.url), 'utf8')) as {
      name?: unknown;
      version?: unknown;
    };
    if (pkg.name === 'deploy-action' && typeof pkg.version === 'string') return pkg.version;
  } catch {
    // Not beside its package.json (copied out of it): said as unknown below.
  }
  return '(version unknown: no package.json of deploy-action two directories up)';
}

/**
 * commander checks required options before unknown ones, so a misspelt required option (`run --enviroment
 * production`) was reported as "required option '-e, --environment <name>' not specified", the typo never
 * named. Each command's required options are checked once its unknown options have been (commander's own
 * message and exit, in a preAction hook), so the typo is named with commander's "Did you mean".
 */
function checkRequiredOptionsLast(program: Command): void {
  for (const command of program.commands) {
    const required = command.options.filter((option) => option.mandatory);
    if (required.length === 0) continue;
    for (const option of required) {
      option.makeOptionMandatory(false);
      // commander says nothing of it in --help: "-e, --environment <name>" read as optional.
      option.description += ' (required)';
    }
    command.hook('preAction', (self) => {
      for (const option of required)
        if (self.getOptionValue(option.attributeName()) === undefined)
          self.error(`error: required option '${option.flags}' not specified`, {
            code: 'commander.missingMandatoryOptionValue',
          });
    });
  }
}

export function formatPlan(plan: DeploymentPlan): string {
  const lines = [
    `Plan: deploy ${plan.version} to ${plan.environment} with ${plan.strategy}`,
    // Nothing recorded is a first deployment (as the run takes it), not a version plan could not tell; a
    // record plan did not believe, or a current command the run asks, says nothing either way.
    `Live now: ${plan.live.version ?? (plan.live.slot ? 'unknown version' : plan.live.unread || plan.live.currentNotAsked ? 'unknown' : 'none recorded')}${plan.live.slot ? ` on ${plan.live.slot}` : ''} (from ${plan.live.source})`,
    ...(plan.liveNote ? [`What the run does: ${plan.liveNote}.`] : []),
    '',
  ];
  if (plan.refused)
    lines.push(
      `Refused [${plan.refused.code}]: a run now would deploy nothing and fail: ${plan.refused.message}`,
      'What it would do once that is resolved:',
      '',
    );
  for (const phase of plan.phases) {
    lines.push(`${phase.phase}${phase.environment !== plan.environment ? ` (${phase.environment})` : ''}:`);
    phase.actions.forEach((a, i) => {
      lines.push(`  ${i + 1}. ${a.description}${a.reason ? ` — ${a.reason}` : ''}`);
      if (a.run) lines.push(`       $ ${a.run}`);
    });
  }
  const rollbackLines = (actions: DeploymentPlan['rollback']) => {
    if (actions.length === 0) lines.push('  (nothing to undo)');
    actions.forEach((a, i) => {
      lines.push(`  ${i + 1}. ${a.description}`);
      if (a.run) lines.push(`       $ ${a.run}`);
    });
  };
  if (plan.stagingRollback) {
    lines.push('', `on failure in staging (${plan.stagingRollback.environment}), its rollback:`);
    rollbackLines(plan.stagingRollback.actions);
  }
  lines.push(
    '',
    plan.stagingRollback ? `on failure in ${plan.environment}, rollback:` : 'on failure, rollback:',
  );
  rollbackLines(plan.rollback);
  lines.push('', 'Nothing was run.', '');
  return lines.join('\n');
}

/** The environment a `run` (or its `plan`) deploys, and the staging environment it goes through first. */
function environmentsOfRun(
  config: RawConfig,
  opts: { environment: string; strategy?: StrategyName; stateDir?: string; skipStaging?: boolean },
): [ResolvedEnvironment, ResolvedEnvironment | undefined] {
  const env = resolveEnvironment(config, opts.environment, {
    strategy: opts.strategy,
    stateDir: opts.stateDir,
  });
  const staging =
    env.staging && !opts.skipStaging
      ? resolveEnvironment(config, env.staging, { stateDir: opts.stateDir })
      : undefined;
  return [env, staging];
}
