// Reconcile (issue 13 part 6): for each environment, read its record, decide what is due (decide.ts), do it
// through the target's commands, and write the record back with a history entry. A record that is refused
// is reported with its code and never acted on; one environment's trouble never stops the others. An orphan
// under `on_orphan: resume` goes on through the pipeline machine itself (executor.ts resumePipeline).
import type { RawConfig } from '../config/schema.ts';
import {
  resolveEnvironment,
  rolloutEnvironment,
  type ResolvedEnvironment,
  type RollbackVerify,
} from '../config/resolve.ts';
import { unknownEnvironmentMessage } from '../config/suggest.ts';
import { healthAnalyzer } from '../pipeline/analyzer.ts';
import {
  deliveredAll,
  fanOut,
  type PipelineEvent,
  type PipelineResult,
  type Reporter,
  type RollbackLevelRecord,
  type StepRecord,
  type WaitRecord,
} from '../pipeline/events.ts';
import { executeRollback, runStepRecorded, type ExecutionLog } from '../pipeline/execute-strategy.ts';
import {
  levelsLeft,
  levelsUndoneAdvice,
  skippedLevel,
  sufficedLevel,
  verifyHealthStep,
} from '../pipeline/rollback-levels.ts';
import { TRAFFIC_STEPS, undoLeft } from '../pipeline/rollback-shortfall.ts';
import { resumePipeline, type Handoff, type PipelineDeps, type ResumeOutcome } from '../pipeline/executor.ts';
import { checkResumable } from '../pipeline/resume-check.ts';
import {
  configuredSlots,
  createStepRunner,
  deploymentValues,
  returnable,
  type StepRunner,
} from '../pipeline/step-runner.ts';
import type { DeploymentState } from '../github/status-comment.ts';
import {
  redactRecordSecrets,
  versionBefore,
  waitsHandedOff,
  withTransition,
  type EnvironmentRecord,
  type HistoryEntry,
  type RefusalCode,
  type Release,
  type RetiredSlot,
  type Rollout,
  type RolloutOwner,
} from '../state/record.ts';
import type { StateStore } from '../state/store.ts';
import { credentialRedactor, secretValueRedactor } from '../report/redact.ts';
import { describeStep } from '../strategies/sequence.ts';
import { usesSlots } from '../strategies/index.ts';
import type { Step } from '../strategies/types.ts';
import { runCommand, type OutputLine } from '../targets/run-command.ts';
import { decide, type OwnerStatus, type ReconcileDecision } from './decide.ts';
import { ClockSkewWarnings } from '../control/clock-skew.ts';
import type { ControlRequest, ControlSource } from '../control/request.ts';
import type { Analyzer } from '../pipeline/analyzer.ts';
import { lookAtBake } from './bake-look.ts';
import {
  afterSuccessClaim,
  checkLive,
  currentText,
  rolloutClaim,
  teardownClaim,
  type RecordClaim,
} from './live-check.ts';
import { afterSuccessSkipText } from './after-success.ts';
import { CommandFailed } from '../targets/run-command.ts';
import { noPreviousVersion } from '../pipeline/no-previous-version.ts';
import { EXIT_CODES } from '../util/exit-codes.ts';
import { stoppedByOf, stoppedPhrase } from '../util/internal-error-stop.ts';
import { failureToldKey, rollbackFailureKey, toldOf } from './failure-told.ts';

export { failureToldKey, rollbackFailureKey, toldOf };
import { adoptCurrent, type Adoption } from './adopt.ts';
import { earlierAttemptOfThisRun } from './owner.ts';

/** Stable codes for what reconcile did (or why it did nothing) in one environment. */
export type ReconcileCode =
  | 'nothing_due'
  | 'slot_torn_down'
  | 'teardown_failed'
  | 'orphan_rolled_back'
  | 'orphan_rollback_failed'
  /** `on_orphan: resume`: the rollout went on from where it stopped and the new version is live. */
  | 'orphan_resumed'
  /** Resumed, then a step, verify or monitor failed and the pipeline's rollback put traffic on stable. */
  | 'orphan_resume_rolled_back'
  /** Resumed and ended otherwise (cancelled, an internal error): see the message. */
  | 'orphan_resume_failed'
  /** Between the decision and the resume the record moved on: someone else acts on it; nothing done. */
  | 'orphan_changed'
  | 'owner_running'
  | 'owner_unknown'
  | RefusalCode
  /** The environment's config cannot be resolved (no target, ...): nothing can be run there. */
  | 'config_invalid'
  /** What was done is done, but the record could not be stored (the next reconcile repeats it). */
  | 'state_write_failed'
  /** A bug: reported for that environment, the others are still reconciled. */
  | 'internal_error'
  /** Another reconcile holds the environment (`exclusive`): it acts, this one does nothing there. */
  | 'reconcile_busy'
  /**
   * A record (with a rollout in progress or retired slots) of an environment the config no longer defines:
   * nothing can be run for it without its target, so it is reported, never acted on.
   */
  | 'environment_not_in_config'
  /** Handed off by its job (issue 14) and still waiting for people or its bake: nothing done (a look taken). */
  | 'rollout_waiting'
  /** A handed-off rollout's wait ended; a new run went on with it and the new version is live. */
  | 'rollout_resumed'
  /** A person aborted a handed-off rollout: traffic is back on the stable version. */
  | 'rollout_aborted'
  /** A bake's metrics asked for a rollback while it was handed off: traffic is back on the stable version. */
  | 'bake_rolled_back'
  /** Went on, then a step, verify or monitor failed and the pipeline rolled back. */
  | 'rollout_resume_rolled_back'
  /** Went on and ended otherwise (the rollback did not complete, cancelled, an internal error). */
  | 'rollout_resume_failed'
  /**
   * The target's `current` command and the record disagree about what is live (a stale or rolled-back
   * record): nothing done, a failure (live-check.ts).
   */
  | 'current_disagrees'
  /** The `current` command failed or timed out, so the record could not be checked: nothing done, a failure. */
  | 'current_failed'
  /** `--adopt-current` (adopt.ts): the record now says what the `current` command reports. */
  | 'current_adopted'
  /** `--adopt-current`: record and `current` already agree (or current shows the record's rollout): unchanged. */
  | 'current_agrees'
  /** `--adopt-current`: current's answer cannot be a record's live release (empty, no slot, no version). */
  | 'current_unusable'
  /** `--adopt-current`: the target has no `current` command, so there is nothing to adopt. */
  | 'current_missing'
  /** `--adopt-current`: cancelled before the record was written; nothing written. */
  | 'adopt_cancelled'
  /**
   * Cancelled (SIGINT/SIGTERM) before acting on the record (a teardown, a rollout to roll back or go on with,
   * the delayed hook), its `current` check included: nothing run, nothing written; the next reconcile does it.
   */
  | 'reconcile_cancelled'
  /** `hooks.after_success` ran for the live release and exited 0 (recorded: never again for that release). */
  | 'after_success_ran'
  /** `hooks.after_success` ran and failed (recorded: not retried; a person looks, then reruns or redeploys). */
  | 'after_success_failed'
  /** `hooks.after_success` was started for the live release and never finished: not started again; a warning. */
  | 'after_success_interrupted'
  /**
   * Reconcile was cancelled after claiming `hooks.after_success` and before its command began: the claim is
   * taken back (the command never ran), so the next reconcile runs it.
   */
  | 'after_success_cancelled';

export interface ReconcileEntry {
  environment: string;
  code: ReconcileCode;
  /** Something that was due could not be done: the run exits non-zero. */
  failed: boolean;
  message: string;
  /** The commands run for it, in order. */
  steps: StepRecord[];
  /** The rollout or the slot it was about. */
  version?: string;
  slots?: string[];
  /** A handed-off rollout that went on here: its waits (who ended each, when, how long it waited). */
  waits?: WaitRecord[];
  /** `--adopt-current`: exactly what the new record replaced. */
  adopted?: Adoption;
}

export interface ReconcileSummary {
  entries: ReconcileEntry[];
  failed: boolean;
  /**
   * The internal error that stopped reconcile (its signal aborted by the crash guard): what was under way was
   * stopped as a cancellation stops it (a rollback goes on to the stable version), and the rest left as it was.
   */
  stoppedBy?: string;
}

export interface ReconcileOptions {
  config: RawConfig;
  /** The environments to look at; every one in the config when absent. Unknown names are refused first. */
  environments?: string[];
  /** The store holding `env`'s record (a file in its state dir for the CLI, GitHub for the Action). */
  storeFor(env: ResolvedEnvironment): StateStore;
  /**
   * The run's own secret values (its token, state key, notification channels' secrets; the caller may add to
   * the list as notifiers are made): each is replaced by `***` in every record this run writes, as a
   * deployment's records are (PipelineDeps.secrets). What a command printed or a look said reaches the record.
   */
  secrets?: readonly string[];
  /** Whether `owner` still runs; `env`, the rollout's, bounds the wait for a dead CLI owner's commands. */
  ownerStatus(owner: RolloutOwner, env?: ResolvedEnvironment): Promise<OwnerStatus>;
  /** Who the history says did it: `reconcile`, `reconcile:<run id>`. */
  actor: string;
  /**
   * Instead of reconciling, adopt what the `current` command reports as the record (adopt.ts, docs/reconcile.md
   * "Adopting what serves"): one environment, named in `environments`, only.
   */
  adoptCurrent?: boolean;
  /** Who asked for an adoption, for its history entry (`octocat via reconcile:123`); default `actor`. */
  requestedBy?: string;
  /**
   * This reconcile run as the owner of a rollout it resumes (its workflow run, or this process): written into
   * the record before the rollout goes on, so a reconcile that dies in turn leaves an orphan the next finds.
   */
  owner: RolloutOwner;
  /** Cancels a resumed rollout (the job was cancelled): the pipeline rolls it back, as in a deployment. */
  signal?: AbortSignal;
  /**
   * Bound on a resumed rollout's final wait for record writes (PipelineDeps.flushTimeoutMs): the Action
   * gives what is left of its reporting time once the job is cancelled, as for a deployment.
   */
  flushTimeoutMs?: PipelineDeps['flushTimeoutMs'];
  reporter: Reporter;
  now?: () => Date;
  /**
   * Judge due times as of this instant instead of now (the CLI's `--at`, later than now only); what is
   * done is still recorded at the real time.
   */
  dueBy?: Date;
  stateDir?: string;
  /**
   * Where the /promote, /pause, /resume and /abort requests of a handed-off rollout are read (issue 14): the
   * App's check runs on GitHub, the state directory's control file for the CLI. Without one, only a bake's
   * time can end a wait.
   */
  controlFor?(env: ResolvedEnvironment, rollout: Rollout): ControlSource | undefined;
  /**
   * The requests already warned of as dated ahead of this clock (`clock_skew`), so each is said once in a run
   * (its read of the requests, and the rollout it goes on with): one is made per run when none is given.
   */
  clockSkew?: ClockSkewWarnings;
  /**
   * Told when a rollout comes into its hands (it goes on with one or rolls one back: `true`) and when it lets
   * go (`false`), nested calls paired: what a crash says stopping it does (util/crash-guard.ts rolloutInHand).
   */
  rolloutInHand?(held: boolean): void;
  /**
   * Takes the environment for this run alone (the CLI: a lock file in its state dir), so two reconciles at
   * once never both roll back or go on with one rollout; `holder` says who has it. Without it nothing is
   * taken: on GitHub the reconcile workflow's concurrency group keeps runs of an environment apart.
   */
  exclusive?(env: ResolvedEnvironment): Promise<ExclusiveHold>;
  /** The analyzer of a bake's look (default: the environment's metrics and health checks). */
  analyzerFor?(env: ResolvedEnvironment, rollout: Rollout, record: EnvironmentRecord): Analyzer;
  /**
   * On GitHub: a status on the orphan's deployment, so the Deployments tab and (through the
   * deployment_status event) the App's PR comment say what happened. Its failure is only reported.
   */
  markDeployment?(
    deployment: { id: string; environment: string; sha?: string },
    state: DeploymentState,
    description: string,
  ): Promise<void>;
  /**
   * Slack, Teams and webhook notifications (docs/notifications.md) for what this run does to `env`'s rollout
   * (goes on with it, rolls it back): the reporter that takes those events, or undefined when the
   * environment notifies nobody. It only queues: it never delays a rollback.
   */
  notifierFor?(env: ResolvedEnvironment, rollout: Rollout): Promise<Reporter | undefined>;
  /**
   * The same channels for what this run does to `env`'s live release with no rollout in the record (its
   * delayed hook, `hooks.after_success`): messages of their own, continuing no deployment's. Undefined when the
   * environment notifies nobody. It only queues.
   */
  notifierForRelease?(env: ResolvedEnvironment, release: Release): Promise<Reporter | undefined>;
  /**
   * The records of environments the config no longer defines that need saying (stray.ts), looked for when
   * every environment is reconciled: reported and logged like the others, never acted on. Without it (the
   * records are on GitHub, which cannot list them by environment) none are looked for.
   */
  strayRecords?(): Promise<ReconcileEntry[]>;
  /**
   * Told of each entry as it is done (an environment's, once reconciled; the stray records'), before the
   * summary: what a crash deadline that comes meanwhile reports as done (util/crash-guard.ts).
   */
  entryDone?(entry: ReconcileEntry): void;
}

export type ExclusiveHold =
  | { ok: true; release(): Promise<void> }
  | { ok: false; holder: string; untrusted?: undefined }
  /** The lock, or a directory on its way, may be written by someone else (`state_untrusted`): not taken. */
  | { ok: false; untrusted: string; source: string; holder?: undefined };

/** A reconcile asked for wrongly (exit 2 on the CLI, an input problem in the Action). */
export class ReconcileUsageError extends Error {}

export class UnknownEnvironmentsError extends ReconcileUsageError {}

/** The environments asked for, checked against the config before anything is read. */
export function environmentsToReconcile(config: RawConfig, asked: string[] | undefined): string[] {
  const all = Object.keys(config.environments);
  if (!asked || asked.length === 0) return all;
  const unknown = asked.filter((name) => !Object.hasOwn(config.environments, name));
  if (unknown.length > 0)
    // The wording of every other command (config/suggest.ts), with its "did you mean".
    throw new UnknownEnvironmentsError(
      unknown.map((name) => unknownEnvironmentMessage(name, all)).join('; '),
    );
  return [...new Set(asked)];
}

/**
 * Whether a refused record (or lock) fails the run: one someone else may write (`state_untrusted`) does, unlike
 * the other refusals (warnings): no reconcile does anything there until a person fixes its owner or mode, and
 * reconcile runs from cron, where only the exit status is seen. The other environments are reconciled first.
 */
export const refusalFails = (code: RefusalCode): boolean => code === 'state_untrusted';

/** At most this many decisions per environment and run: an orphan rollback, then the teardowns it left due. */
const MAX_PASSES = 3;

export async function reconcile(given: ReconcileOptions): Promise<ReconcileSummary> {
  const options = {
    ...given,
    // A rollout this very run's earlier attempt owns is that attempt's, which has ended (owner.ts).
    ownerStatus: (owner: RolloutOwner, env?: ResolvedEnvironment) =>
      Promise.resolve(earlierAttemptOfThisRun(owner, given.owner) ?? given.ownerStatus(owner, env)),
    ...(given.secrets ? { storeFor: redactingStores(given.storeFor, given.secrets) } : {}),
    clockSkew: given.clockSkew ?? new ClockSkewWarnings(),
  };
  const names = environmentsToReconcile(options.config, options.environments);
  // Adopting is a decision about one environment someone looked at, never a sweep over all of them.
  if (options.adoptCurrent && (!options.environments?.length || names.length !== 1))
    throw new ReconcileUsageError(
      options.environments?.length
        ? `--adopt-current (input "adopt-current") takes one environment; ${names.length} were named (${names.join(', ')}): adopt each on its own`
        : '--adopt-current (input "adopt-current") needs the environment to adopt for, named with -e (input "environment"); it is never done for every environment',
    );
  // Adopting reads what serves now: a time to judge due times at had no part in it and was dropped unsaid.
  if (options.adoptCurrent && options.dueBy)
    throw new ReconcileUsageError(
      '--adopt-current and --at together: adopting writes what the current command reports now, and judges no due time; leave out --at',
    );
  const entries: ReconcileEntry[] = [];
  const done = (more: ReconcileEntry[]) => {
    entries.push(...more);
    for (const e of more) options.entryDone?.(e);
  };
  for (const name of names) {
    try {
      done(await reconcileEnvironment(name, options));
    } catch (error) {
      // A bug or an unexpected failure in one environment must not leave the others unreconciled.
      done([entry(name, 'internal_error', true, `internal error: ${(error as Error).message}`)]);
    }
  }
  // Every environment asked for: the records left behind by environments taken out of the config too. One
  // that cannot be trusted fails the run as a configured environment's would (refusalFails).
  if (!options.environments?.length && options.strayRecords) done(await options.strayRecords());
  for (const e of entries)
    options.reporter.event({
      type: 'log',
      level: e.failed ? 'error' : needsAttention(e) ? 'warn' : 'info',
      message: `reconcile ${e.environment}: ${e.code}: ${e.message}`,
    });
  // Stopped by a crash (util/crash-guard.ts): failed, whatever its entries say, and it says so.
  const stoppedBy = stoppedByOf(options.signal);
  return {
    entries,
    failed: entries.some((e) => e.failed) || stoppedBy !== undefined,
    ...(stoppedBy !== undefined ? { stoppedBy } : {}),
  };
}

/** Done, or nothing to do; every other code that did not fail still needs someone to look (a warning). */
const SETTLED = new Set<ReconcileCode>([
  'nothing_due',
  'owner_running',
  'reconcile_busy',
  'slot_torn_down',
  'orphan_rolled_back',
  'orphan_resumed',
  'orphan_changed',
  'rollout_waiting',
  'rollout_resumed',
  'rollout_aborted',
  'current_adopted',
  'current_agrees',
  'after_success_ran',
]);

/** Nothing failed, but nothing was done either where something may be wrong (a refused record, ...). */
export function needsAttention(e: ReconcileEntry): boolean {
  return !e.failed && !SETTLED.has(e.code);
}

function entry(
  environment: string,
  code: ReconcileCode,
  failed: boolean,
  message: string,
  extra: Partial<ReconcileEntry> = {},
): ReconcileEntry {
  return { environment, code, failed, message, steps: [], ...extra };
}

async function reconcileEnvironment(name: string, options: ReconcileOptions): Promise<ReconcileEntry[]> {
  let env: ResolvedEnvironment;
  try {
    env = resolveEnvironment(options.config, name, { stateDir: options.stateDir });
  } catch (error) {
    return [entry(name, 'config_invalid', true, (error as Error).message)];
  }
  // Taken before the record is read: what is decided on it is not decided by another reconcile meanwhile.
  const hold = await options.exclusive?.(env);
  // A lock others may write is refused as a record there would be (reconcileHeld): reported, nothing done, a
  // failure (refusalFails).
  if (hold && !hold.ok && hold.untrusted !== undefined)
    return [
      entry(
        name,
        'state_untrusted',
        refusalFails('state_untrusted'),
        `${hold.untrusted} (${hold.source}); not acted on`,
      ),
    ];
  if (hold && !hold.ok)
    return [
      entry(
        name,
        'reconcile_busy',
        false,
        `another reconcile is at work on ${name} (${hold.holder}); left to it`,
      ),
    ];
  try {
    if (options.adoptCurrent) return [await adoptCurrent(env, options.storeFor(env), options)];
    return await reconcileHeld(env, options);
  } finally {
    if (hold?.ok) await hold.release();
  }
}

async function reconcileHeld(env: ResolvedEnvironment, options: ReconcileOptions): Promise<ReconcileEntry[]> {
  const name = env.name;
  const store = options.storeFor(env);
  const read = await store.read(name);
  if (!read.ok)
    return [
      entry(name, read.code, refusalFails(read.code), `${read.message} (${read.source}); not acted on`),
    ];
  let record = read.record;
  if (!record) return [entry(name, 'nothing_due', false, 'no deployment recorded yet')];

  const entries: ReconcileEntry[] = [];
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const rollout = record.rollout;
    // A handed-off rollout is not an orphan: its owner is not asked; its requests are.
    const handedOff = rollout !== undefined && waitsHandedOff(rollout);
    const owner = rollout && !handedOff ? await options.ownerStatus(rollout.owner, env) : undefined;
    const control = handedOff ? await controlRequests(env, rollout!, options) : undefined;
    const requests = control?.requests;
    const now = (options.now ?? (() => new Date()))();
    const decision = decide({
      record,
      owner,
      now: options.dueBy ?? now,
      ...(options.dueBy ? { realNow: now } : {}),
      onOrphan: env.onOrphan,
      ...(requests ? { requests } : {}),
      ...(control?.recordedIn ? { recordedIn: control.recordedIn } : {}),
      ...(env.hooks.afterSuccess ? { afterSuccess: env.hooks.afterSuccess } : {}),
    });
    // Unread requests may hold an /abort or a /pause: a wait never goes on without having read them.
    const acted: Acted =
      control?.error && decision.code === 'handoff' && decision.handoff.kind === 'go'
        ? {
            entry: entry(
              name,
              'rollout_waiting',
              false,
              `the rollout of ${decision.rollout.version} would go on, but its requests could not be read (${control.error}): left waiting until they can`,
              { version: decision.rollout.version },
            ),
          }
        : await act(decision, record, env, store, options, now);
    // The closing "nothing due" after something was done says nothing new.
    if (!(pass > 0 && acted.entry.code === 'nothing_due')) entries.push(acted.entry);
    if (!acted.next || acted.entry.failed) break;
    record = acted.next;
  }
  return entries;
}

interface Acted {
  entry: ReconcileEntry;
  /** The record as written, when something was done and stored (decide again on it). */
  next?: EnvironmentRecord;
}

async function act(
  decision: ReconcileDecision,
  record: EnvironmentRecord,
  env: ResolvedEnvironment,
  store: StateStore,
  options: ReconcileOptions,
  now: Date,
): Promise<Acted> {
  const name = env.name;
  // Whatever touches the target on the record's word is checked against what serves first.
  const claim = claimOf(decision, record);
  if (claim) {
    // Cancelled before acting: nothing is started on the record's word. A `current` command the cancellation
    // stopped is no failure of it (`current_failed` would send someone to mend what works).
    if (options.signal?.aborted) return { entry: cancelledBefore(env.name, decision, claim, options.signal) };
    const refused = await crossCheck(env, claim, options, extraOf(decision));
    // Cancelled while it was asked, answering or not: acting now would start cancelled (a rollout taken up
    // so is rolled back, a teardown stopped half-way). A `current_disagrees` stands: it is no cancellation's.
    if ((!refused || refused.code === 'current_failed') && options.signal?.aborted)
      return { entry: cancelledBefore(env.name, decision, claim, options.signal) };
    if (refused) return { entry: refused };
  }
  switch (decision.code) {
    case 'nothing_due':
      return { entry: nothingDue(name, decision) };
    case 'after_success':
      return runAfterSuccess(decision, record, env, store, options, now);
    case 'owner_running':
      return {
        entry: entry(
          name,
          'owner_running',
          false,
          `the rollout of ${decision.rollout.version} is still running (${ownerText(decision.rollout.owner)})`,
          { version: decision.rollout.version },
        ),
      };
    case 'owner_unknown':
      return {
        entry: entry(
          name,
          'owner_unknown',
          false,
          // Its owner is known to have ended when commands it started are what is waited for: said as that.
          decision.commandsLeft
            ? `left alone: ${decision.reason}`
            : `left alone: cannot tell whether ${ownerText(decision.rollout.owner)} still runs: ${decision.reason}`,
          { version: decision.rollout.version },
        ),
      };
    case 'stale':
      return {
        entry: entry(
          name,
          'state_stale',
          false,
          `${ownerText(decision.rollout.owner)} succeeded, yet the record still shows its rollout of ` +
            `${decision.rollout.version}: a replayed or unfinished record; not rolled back`,
          { version: decision.rollout.version },
        ),
      };
    case 'orphan_resume':
      return inHand(options, () => orphanResume(decision, record, env, store, options, now));
    case 'orphan_rollback':
      return inHand(options, () => orphanRollback(decision, record, env, store, options, now));
    case 'teardown':
      return teardown(decision.slots, record, env, store, options, now);
    case 'waiting':
      return decision.look
        ? bakeLook(decision, record, env, store, options, now)
        : {
            entry: entry(
              name,
              'rollout_waiting',
              false,
              `the rollout of ${decision.rollout.version} is ${decision.why}`,
              {
                version: decision.rollout.version,
              },
            ),
          };
    case 'handoff':
      return inHand(options, () => goOn(decision, record, env, store, options, now));
  }
}

/** `act`, a rollout in reconcile's hands while it runs (ReconcileOptions.rolloutInHand told of it). */
async function inHand<T>(options: ReconcileOptions, act: () => Promise<T>): Promise<T> {
  options.rolloutInHand?.(true);
  try {
    return await act();
  } finally {
    options.rolloutInHand?.(false);
  }
}

/** What the record says that `decision` relies on, when it acts on the target (undefined: it does not). */
function claimOf(decision: ReconcileDecision, record: EnvironmentRecord): RecordClaim | undefined {
  switch (decision.code) {
    case 'teardown':
      return teardownClaim(record, decision.slots);
    case 'after_success':
      return afterSuccessClaim(record);
    case 'orphan_rollback':
      return rolloutClaim(
        record,
        decision.rollout,
        `rolling back the orphaned rollout of ${decision.rollout.version}`,
      );
    case 'orphan_resume':
      return rolloutClaim(
        record,
        decision.rollout,
        `resuming the orphaned rollout of ${decision.rollout.version}`,
      );
    case 'handoff':
      return rolloutClaim(
        record,
        decision.rollout,
        decision.handoff.kind === 'abort'
          ? `rolling back the rollout of ${decision.rollout.version}`
          : `going on with the rollout of ${decision.rollout.version}`,
      );
    default:
      return undefined;
  }
}

/**
 * Reconcile was cancelled (or an internal error stopped it: the message says which) before it acted on
 * `claim`: nothing was run and the record is as it was, so what was due stays due. A handed-off rollout keeps
 * waiting where it is, its traffic as it was: the request that ended its wait is still recorded, and the next
 * reconcile acts on it.
 */
function cancelledBefore(
  name: string,
  decision: ReconcileDecision,
  claim: RecordClaim,
  signal: AbortSignal | undefined,
): ReconcileEntry {
  const waiting =
    decision.code === 'handoff'
      ? `; the rollout of ${decision.rollout.version} waits where it was, its traffic as it was, and the ` +
        `${decision.handoff.kind === 'abort' ? 'abort' : 'request that ended its wait'} stays recorded` +
        (decision.handoff.kind === 'go' ? ' (an abort rolls it back instead)' : '')
      : '';
  return entry(
    name,
    'reconcile_cancelled',
    true,
    `not acted on: reconcile was ${stoppedPhrase(signal)} before ${claim.action}; nothing was run and the record is ` +
      `unchanged: the next reconcile does it${waiting}`,
    extraOf(decision),
  );
}

function extraOf(decision: ReconcileDecision): Partial<ReconcileEntry> {
  if (decision.code === 'teardown') return { slots: decision.slots.map((s) => s.slot) };
  if (decision.code === 'after_success') return { version: decision.release.version };
  return 'rollout' in decision ? { version: decision.rollout.version } : {};
}

/**
 * Asks the target's `current` command what serves before acting on `claim`: the entry that refuses when it
 * disagrees with the record or cannot be asked; undefined when it agrees, or when there is no such command
 * (then the record alone decides, as before, and the log says it was not cross-checked).
 */
async function crossCheck(
  env: ResolvedEnvironment,
  claim: RecordClaim,
  options: ReconcileOptions,
  extra: Partial<ReconcileEntry>,
): Promise<ReconcileEntry | undefined> {
  const check = await checkLive(env, claim, {
    signal: options.signal,
    onOutput: (line) => options.reporter.event({ type: 'output', ...line }),
  });
  if (!check.ok) return entry(env.name, check.code, true, check.message, extra);
  options.reporter.event(
    check.checked
      ? {
          type: 'log',
          level: 'info',
          message: `${env.name}: the current command reports ${currentText(check.current)}, which agrees with the record (${claim.says})`,
        }
      : {
          type: 'log',
          level: 'warn',
          message:
            `${env.name}: the record was not cross-checked: the target has no current command, so ` +
            `${claim.action} relies on the record alone, which may be stale or rolled back (docs/reconcile.md)`,
        },
  );
  return undefined;
}

async function controlRequests(
  env: ResolvedEnvironment,
  rollout: Rollout,
  options: ReconcileOptions,
): Promise<{
  requests: readonly ControlRequest[];
  recordedIn?: ReadonlyMap<string, number>;
  error?: string;
}> {
  const source = options.controlFor?.(env, rollout);
  if (!source) return { requests: [] };
  const polled = await source.poll(rollout.deploymentId);
  if (polled.error)
    options.reporter.event({
      type: 'log',
      level: 'warn',
      message: `could not read the requests for ${env.name}: ${polled.error}`,
    });
  // Ordered by the time it carries, a request dated ahead outweighs those written after it: said once.
  const nowMs = (options.now ?? (() => new Date()))().getTime();
  for (const message of options.clockSkew?.check(polled.requests, rollout.deploymentId, nowMs) ?? [])
    options.reporter.event({ type: 'log', level: 'warn', message: `${env.name}: ${message}` });
  return {
    requests: polled.requests,
    ...(polled.recordedIn ? { recordedIn: polled.recordedIn } : {}),
    ...(polled.error ? { error: polled.error } : {}),
  };
}

/**
 * A handed-off bake not yet due: one analysis interval of its step, so its metric triggers stay armed while
 * no runner waits. A rollback verdict rolls it back (through the pipeline); any other is counted in the record.
 */
async function bakeLook(
  decision: Extract<ReconcileDecision, { code: 'waiting' }>,
  record: EnvironmentRecord,
  env: ResolvedEnvironment,
  store: StateStore,
  options: ReconcileOptions,
  now: Date,
): Promise<Acted> {
  const { rollout } = decision;
  const result = await lookAtBake(env, record, rollout, {
    now: now.getTime(),
    analyzer: options.analyzerFor?.(env, rollout, record),
    signal: options.signal,
    onOutput: (line) => options.reporter.event({ type: 'output', ...line }),
    warn: (message) =>
      options.reporter.event({ type: 'log', level: 'warn', message: `analysis: ${message}` }),
  });
  if (!result.ok && result.analysis === 'rollback') {
    // The rollback moves traffic on the record's word: checked as a handed-off abort is.
    const claim = rolloutClaim(
      record,
      rollout,
      `rolling back the rollout of ${rollout.version} on its bake's metrics`,
    );
    const refused = await crossCheck(env, claim, options, { version: rollout.version });
    // A current command the cancellation stopped is no failure of it (as before any other action, above).
    if ((!refused || refused.code === 'current_failed') && options.signal?.aborted)
      return { entry: cancelledBefore(env.name, decision, claim, options.signal) };
    if (refused) return { entry: refused };
    return inHand(options, () =>
      goOn(
        {
          code: 'handoff',
          rollout,
          handoff: { kind: 'abort', by: 'reconcile', reason: result.reason, code: 'bake_rolled_back' },
        },
        record,
        env,
        store,
        options,
        now,
      ),
    );
  }
  // Cancelled while it looked (or stopped by an internal error): no look was made, so none is counted and the
  // record is left as it was; a failure, as any cancellation before reconcile did what was due, since the bake's
  // triggers went unchecked this run. It said rollout_waiting, exit 0, and stored a 'hold' nobody judged.
  if (options.signal?.aborted)
    return {
      entry: entry(
        env.name,
        'reconcile_cancelled',
        true,
        `not acted on: reconcile was ${stoppedPhrase(options.signal)} while it looked at the metrics of the rollout ` +
          `of ${rollout.version} (${decision.why}); no look is counted and the record is unchanged: the next ` +
          'reconcile looks again',
        { version: rollout.version },
      ),
    };
  const wait = rollout.wait!;
  const verdict = result.ok ? (result.analysis ?? 'promote') : 'hold';
  const detail = (result.ok ? result.detail : result.reason) ?? '';
  const next = withTransition(
    record,
    {
      rollout: {
        ...rollout,
        wait: {
          ...wait,
          looks: (wait.looks ?? 0) + 1,
          lastLook: {
            at: now.toISOString(),
            decision: verdict,
            ...(detail ? { detail: detail.slice(0, 1000) } : {}),
          },
        },
      },
    },
    undefined,
    now,
  );
  const message = `the rollout of ${rollout.version} is ${decision.why}; its metrics looked at (${verdict}${detail ? `: ${detail}` : ''})`;
  try {
    await store.write(next, { durable: true });
  } catch (error) {
    return {
      entry: entry(
        env.name,
        'state_write_failed',
        true,
        `${message}; but the record could not be stored: ${(error as Error).message}`,
        {
          version: rollout.version,
        },
      ),
    };
  }
  return { entry: entry(env.name, 'rollout_waiting', false, message, { version: rollout.version }) };
}

/** A handed-off rollout whose wait ended (or that was aborted): the pipeline goes on with it in this run. */
async function goOn(
  decision: Extract<ReconcileDecision, { code: 'handoff' }>,
  record: EnvironmentRecord,
  env: ResolvedEnvironment,
  store: StateStore,
  options: ReconcileOptions,
  now: Date,
): Promise<Acted> {
  const { rollout, handoff } = decision;
  const who = handoff.kind === 'go' ? handoff.by.join(', ') : handoff.by;
  const why =
    handoff.kind === 'abort'
      ? handoff.code === 'bake_rolled_back'
        ? `the bake's metrics asked for a rollback: ${handoff.reason}`
        : `aborted by ${who}${handoff.reason ? `: ${handoff.reason}` : ''}`
      : handoff.how === 'due'
        ? 'its bake is due'
        : `${handoff.how} by ${who || 'someone'}`;
  // An abort (or a bake's trigger) of a rollout today's deploy.yml cannot go on with (its strategy or steps
  // changed since it was handed off): the pipeline, which plans from today's config, would refuse it and leave
  // its traffic split for good. The steps its record planned put traffic back, as for an orphan.
  if (handoff.kind === 'abort') {
    const check = checkResumable(rolloutEnvironment(env, rollout), record);
    if (!check.ok)
      return orphanRollback(
        { code: 'orphan_rollback', rollout, steps: rollout.recovery },
        record,
        env,
        store,
        options,
        now,
        check.reason,
        { why, code: handoff.code },
      );
  }
  const { options: told } = await notifying(options, env, rollout);
  const outcome = await resumeHere(env, record, rollout, store, told, why, handoff);
  if (!outcome.started) return notStarted(env.name, rollout, outcome, 'rollout_resume_failed');
  const { result } = outcome;
  // Its claim not stored, nothing ran: the rollout still waits, and its deployment is marked nothing new.
  const refused = result.code === 'state_refused' && result.steps.length === 0;
  const code: ReconcileCode =
    result.status === 'succeeded'
      ? 'rollout_resumed'
      : result.status === 'waiting'
        ? 'rollout_waiting'
        : result.code === 'rollback_failed'
          ? 'rollout_resume_failed'
          : result.status === 'rolled_back'
            ? handoff.kind === 'abort'
              ? handoff.code
              : 'rollout_resume_rolled_back'
            : 'rollout_resume_failed';
  // An abort's outcome already says who aborted it and why ("aborted by bob: reason"): said once.
  const said = result.message.startsWith(why) ? result.message : `${why}: ${result.message}`;
  if (!refused)
    await mark(
      options,
      env.name,
      rollout,
      deploymentStateOf(result),
      handoff.kind === 'abort' && handoff.code === 'rollout_aborted'
        ? result.message.charAt(0).toUpperCase() + result.message.slice(1)
        : `${said.charAt(0).toUpperCase()}${said.slice(1)}`,
    );
  return {
    entry: entry(env.name, code, code === 'rollout_resume_failed', said, {
      steps: result.steps,
      version: rollout.version,
      ...(result.waits?.length ? { waits: result.waits } : {}),
    }),
  };
}

async function orphanRollback(
  decision: Extract<ReconcileDecision, { code: 'orphan_rollback' }>,
  record: EnvironmentRecord,
  env: ResolvedEnvironment,
  store: StateStore,
  options: ReconcileOptions,
  now: Date,
  /** Why an `on_orphan: resume` rollout is rolled back instead (with `aborted`: why it cannot go on). */
  notResumed?: string,
  /**
   * A handed-off rollout aborted (or its bake's trigger fired) that today's deploy.yml cannot go on with: its
   * recorded steps roll it back, said as the abort it is (`why`), not as an orphan.
   */
  aborted?: { why: string; code: 'rollout_aborted' | 'bake_rolled_back' },
): Promise<Acted> {
  const { rollout } = decision;
  // Kept by a rollback that left levels undone (its run's or an earlier reconcile's): not an orphan's first
  // rollback, and said so, not "the orphaned rollout" a second time.
  const undoneBefore = rollout.levelsUndone?.length ? rollout.levelsUndone : undefined;
  const why = aborted
    ? `${aborted.why}; deploy.yml no longer plans this rollout (${notResumed ?? 'changed'}), so the steps its record holds roll it back`
    : (undoneBefore
        ? `its rollback left ${undoneBefore.join(', ')} undone`
        : `its owner ${ownerText(rollout.owner)} ended${conclusionText(decision.conclusion)}`) +
      (notResumed && !undoneBefore ? `; not resumed: ${notResumed}` : '');
  const orphaned = aborted ? 'handed-off' : undoneBefore ? 'rolled-back' : 'orphaned';
  // Write-ahead, as the pipeline's own rollback does: once a rollback of the rollout begins the record says so
  // (phase rollback), so that neither a reconcile that dies mid-way nor one after a rollback that failed
  // resumes it under `on_orphan: resume` (checkResumable refuses phase rollback): a rollout part rolled back
  // (its canary torn down, its traffic back) is only ever finished by a rollback.
  // A slot the recovery tears down is the recovery's alone from here (a record of an earlier version may also
  // hold it as retired): torn down, it is gone; failed, the recovery keeps the teardown for the next reconcile.
  // Left retired beside it, the teardown pass after this rollback would tear it down a second time.
  const retired = notTornByRecovery(record.retired, decision.steps);
  if (rollout.phase !== 'rollback') {
    const ahead = withTransition(
      record,
      {
        // A handed-off rollout's rollback is this run's from here: one that dies mid-way leaves it to the next
        // reconcile once this run has ended (its first owner, the job that handed it off, may have succeeded).
        rollout: { ...rollout, phase: 'rollback', ...(aborted ? { owner: options.owner } : {}) },
        ...(retired.length !== record.retired.length ? { retired } : {}),
      },
      {
        by: options.actor,
        event: 'rollback_started',
        code: aborted?.code ?? 'orphan_rollback',
        version: rollout.version,
        // The commit whose rollout it undoes, as in every entry about one (`requires` reads it).
        ...(rollout.sha ? { sha: rollout.sha } : {}),
        detail: `${orphaned} rollout of ${rollout.version}: ${why}`.slice(0, 1000),
      },
      now,
    );
    // Traffic back on stable matters more than the mark: a store that cannot be written now is not a reason to
    // leave the orphan's traffic where it is (the final write reports it, the next reconcile runs again). Said
    // here, though: until a write succeeds the record does not show the rollback begun.
    try {
      await store.write(ahead, { durable: true });
      record = ahead;
    } catch (error) {
      options.reporter.event({
        type: 'log',
        level: 'warn',
        message:
          `${env.name}: the record could not be marked as being rolled back (phase rollback): ` +
          `${(error as Error).message}; the rollback goes on (traffic first), and its final write reports ` +
          'the store if it still fails',
      });
    }
  }
  const log: ExecutionLog = { decisions: [], steps: [] };
  const startedAt = performance.now();
  const { notifier: live } = await notifying(options, env, rollout);
  // A rollback that failed before and was notified (a scheduled reconcile retrying it every few minutes): what
  // this run would notify is held until its outcome is known, and dropped when it failed the same way again.
  const held = live && rollout.failureNotified ? holding(live) : undefined;
  const notifier = held?.reporter ?? live;
  const told = notifier ? { ...options, reporter: fanOut([options.reporter, notifier]) } : options;
  // Not the pipeline: the notifier is told what it would have said (the terminal needs none of it).
  notifier?.event({
    type: 'start',
    environment: env.name,
    version: rollout.version,
    ...(versionBefore(record, rollout) !== undefined
      ? { previousVersion: versionBefore(record, rollout) }
      : {}),
    strategy: env.strategy.type,
  });
  const values = rolloutValues(env, record, rollout);
  const runStep = stepRunner(env, values, told.reporter);
  // The write-ahead steps, in order, going on past a failed one (the pipeline's own rollback path).
  const rolledBack = await executeRollback(decision.steps, {
    environment: env.name,
    runStep,
    reporter: told.reporter,
    log,
    reason: `${orphaned} rollout of ${rollout.version}: ${why}`,
  });
  // Where the recovery moves no traffic (a failed migrate hook's rollback, before its strategy ran; a rollout
  // that never moved any), a `verify: health` checks the stable release where it still serves, by its own
  // {{version}}, as the run's own rollback does (machine/rollback.ts verifyLevel).
  const stableRelease = {
    slot: rollout.stableSlot ?? record.live?.slot,
    version: versionBefore(record, rollout),
  };
  const levels = await rollbackLevels(env, values, told.reporter, runStep, decision.steps, stableRelease);
  const levelsUndone = levelsLeft(levels);
  const ok = rolledBack.ok && levelsUndone.length === 0;
  const nothingToRestore = (s: (typeof rolledBack.steps)[number]) =>
    !s.result.ok && s.result.untouched === 'nothing-to-restore';
  const failedSteps = [
    ...rolledBack.steps
      .filter((s) => !s.result.ok)
      .map((s) =>
        nothingToRestore(s) ? `${s.description} (no earlier version is known to return to)` : s.description,
      ),
    ...levelsUndone.map((l) => `rollback ${l}`),
  ];
  // What a later reconcile could still do: not a step with no earlier version to return to (it would know no
  // more), so a rollout left with only those is dropped rather than refusing every deployment for good.
  // A record written before the health check after such a step was left out too holds that check alone.
  const left = undoLeft(rolledBack.steps, returnable(env, values));
  const keep = !ok && (left.length > 0 || levelsUndone.length > 0);
  // Every traffic step went back: the new version serves none, as the deployment run's rollback keeps it
  // (machine/rollback.ts); status read the orphan's weight as still on the new version.
  const back =
    rolledBack.trafficRestoredMs !== undefined &&
    !left.some((s) => TRAFFIC_STEPS.has(s.step.kind)) &&
    rollout.weight !== undefined
      ? { weight: 0 }
      : {};
  const stable = record.live
    ? `${record.live.version}${record.live.slot ? ` on ${record.live.slot}` : ''}`
    : (rollout.stableVersion ?? 'stable');
  const message = ok
    ? aborted
      ? `${why}: ${rolledBack.steps.length} recovery step(s), traffic on ${stable}`
      : undoneBefore
        ? `ran the rollback of the rolled-back rollout of ${rollout.version} again (${why}): ${rolledBack.steps.length} recovery step(s) and the on_rollback levels done, traffic on ${stable}; the rollout is dropped from the record`
        : `rolled back the orphaned rollout of ${rollout.version} (${why}): ${rolledBack.steps.length} recovery step(s), traffic on ${stable}`
    : `the rollback of the ${orphaned} rollout of ${rollout.version} (${why}) did not complete: ${failedSteps.join(', ')} failed; ` +
      (keep
        ? `check ${env.name} now` +
          (levelsUndone.length ? `; the rollout stays in the record: ${levelsUndoneAdvice(env.name)}` : '')
        : `the rollout is dropped from the record, since no later run could undo more: check ${env.name} now, then deploy again`);
  const rollback = { ...rolledBack, levels, ok };
  // Its end, as its start (executeRollback) was told: the notifier, and whoever follows this reconcile's
  // rollbacks (the crash deadline's words: pipeline/rollback-seen.ts), which saw it still going without it.
  told.reporter.event({ type: 'rollback-end', record: rollback });
  if (notifier) {
    notifier.event({
      type: 'result',
      result: {
        status: ok ? 'rolled_back' : 'failed',
        // The record showed a rollout its run never finished; a rollback that did not complete says so.
        // An abort's as the pipeline says it (a bake's trigger is its strategy step failing).
        code: ok
          ? aborted
            ? aborted.code === 'rollout_aborted'
              ? 'rollout_aborted'
              : 'strategy_failed'
            : 'rollout_unfinished'
          : 'rollback_failed',
        message,
        environment: env.name,
        version: rollout.version,
        ...(versionBefore(record, rollout) !== undefined
          ? { previousVersion: versionBefore(record, rollout) }
          : {}),
        strategy: env.strategy.type,
        dryRun: false,
        phases: [],
        steps: log.steps,
        decisions: [],
        rollbacks: [rollback],
        startedAt: rollout.startedAt,
        durationMs: performance.now() - startedAt,
        exitCode: ok ? EXIT_CODES.success : EXIT_CODES.failed,
      },
    });
  }
  // The same failure as the one last notified: told once, not on every run (the log and the record still
  // say each run's outcome). A changed failure, or a rollback that completes, is told.
  const failure = ok ? undefined : rollbackFailureKey(rolledBack.steps, levels, keep);
  // Which of the notifications and the deployment's status told it: a run may have had only one of them (the
  // CLI's reconcile sets no status; a notifier that could not be made), and the other is still owed.
  const toldBefore = toldOf(rollout.failureNotified, failure);
  if (held && toldBefore.notifications) {
    held.drop();
    options.reporter.event({
      type: 'log',
      level: 'info',
      message: `${env.name}: not notified again: the rollback failed as on the run that notified it`,
    });
  } else held?.release();

  // The deployment's status already says this failure (the run that notified it set it): a status per retry
  // would fill its statuses (a schedule retries every few minutes), and GitHub keeps only so many.
  const marked = toldBefore.status
    ? 'skipped'
    : await mark(
        options,
        env.name,
        rollout,
        ok ? 'failure' : 'error',
        ok
          ? undoneBefore && !aborted
            ? `Rollback finished by reconcile: ${why}, now done`
            : `Rolled back by reconcile: ${why}`
          : `Reconcile could not roll back: ${failedSteps.join(', ')} failed`,
      );

  const historyEntry: Omit<HistoryEntry, 'at'> = {
    by: options.actor,
    event: aborted
      ? ok
        ? 'rolled_back'
        : 'rollback_failed'
      : ok
        ? 'orphan_rolled_back'
        : 'orphan_rollback_failed',
    code: ok ? (aborted?.code ?? 'orphan_rollback') : 'rollback_failed',
    version: rollout.version,
    // The commit whose rollout was undone: `requires` no longer counts its earlier success there.
    ...(rollout.sha ? { sha: rollout.sha } : {}),
    detail: message.slice(0, 1000),
  };
  // A rollback that did not complete keeps the rollout in the record (the next reconcile tries again), unless
  // nothing of it could ever be retried (keep).
  // Kept, its recovery is what is left to undo (`left`), not the whole list, and it says which levels are still
  // undone, as the deployment run's rollback keeps them (machine/rollback.ts): the next reconcile does not run
  // the steps that went back again (a teardown of a slot already gone fails for good), and a rollout left with
  // levels only is refused as that, not as one whose traffic may still be split.
  const { levelsUndone: _, failureNotified: __, ...kept } = rollout;
  // This run's notifications told it once delivered, not because a notifier existed: one that failed, or was
  // cut at the reporting deadline, is told again by the next run. Once the job is cancelled they are not waited
  // for: the wait could run to the reporting deadline and leave the record (what is left to undo) unwritten
  // when the runner kills the job; told again by the next run instead, a duplicate at worst.
  const delivered =
    failure !== undefined && live !== undefined && !toldBefore.notifications && !options.signal?.aborted
      ? await deliveredAll(live)
      : false;
  // Which failure the notifications and the deployment's status have told, each (this run's, or an earlier
  // run's of the same failure). A status GitHub did not take is told again by the next run, notifications and
  // all, rather than left saying what it said before. Neither told, the key before is kept.
  const notified =
    marked === 'failed' || failure === undefined
      ? undefined
      : (failureToldKey(failure, {
          notifications: delivered || toldBefore.notifications,
          status: marked === 'posted' || marked === 'skipped',
        }) ?? rollout.failureNotified);
  // Read again from the record as it now stands (the write-ahead above may have replaced it).
  const retiredLeft = notTornByRecovery(record.retired, decision.steps);
  const next = withTransition(
    record,
    keep
      ? {
          retired: retiredLeft,
          rollout: {
            ...kept,
            ...back,
            ...(aborted ? { owner: options.owner } : {}),
            phase: 'rollback',
            recovery: left.map((r) => r.step),
            ...(levelsUndone.length ? { levelsUndone } : {}),
            ...(notified ? { failureNotified: notified } : {}),
          },
        }
      : { rollout: undefined, retired: retiredLeft },
    historyEntry,
    now,
  );
  const code: ReconcileCode = aborted
    ? ok
      ? aborted.code
      : 'rollout_resume_failed'
    : ok
      ? 'orphan_rolled_back'
      : 'orphan_rollback_failed';
  const written = await write(store, next, env.name, log.steps, message);
  if (written) return { entry: written };
  return {
    entry: entry(env.name, code, !ok, message, { steps: log.steps, version: rollout.version }),
    next: keep ? undefined : next,
  };
}

/** The retired slots but those a teardown among `steps` (a rollout's recovery) removes: theirs alone. */
function notTornByRecovery(retired: RetiredSlot[], steps: readonly Step[]): RetiredSlot[] {
  const torn = new Set(steps.flatMap((step) => (step.kind === 'teardown' && step.slot ? [step.slot] : [])));
  return retired.filter((r) => !torn.has(r.slot));
}

/**
 * `on_orphan: resume`: the pipeline goes on from the step the record was at (that step runs again: the
 * write-ahead record was written as if it had started), then verify, monitor and finalize, with the
 * pipeline's own rollback on failure or cancellation. What cannot be resumed is rolled back instead.
 */
async function orphanResume(
  decision: Extract<ReconcileDecision, { code: 'orphan_resume' }>,
  record: EnvironmentRecord,
  env: ResolvedEnvironment,
  store: StateStore,
  options: ReconcileOptions,
  now: Date,
): Promise<Acted> {
  const { rollout, conclusion } = decision;
  const check = checkResumable(rolloutEnvironment(env, record.rollout), record);
  if (!check.ok)
    return orphanRollback(
      { code: 'orphan_rollback', rollout, steps: rollout.recovery, conclusion },
      record,
      env,
      store,
      options,
      now,
      check.reason,
    );
  const state = check.rollout.strategyState;
  const where =
    check.phase === 'production'
      ? `step ${state.index + 1}/${state.plan.length} (${describeStep(state.plan[state.index]!.step)})`
      : `the ${check.phase} phase`;
  const why = `its owner ${ownerText(rollout.owner)} ended${conclusionText(conclusion)}`;
  const { options: told } = await notifying(options, env, rollout);
  const outcome = await resumeHere(env, record, rollout, store, told, `${why}; going on from ${where}`);
  if (!outcome.started) return notStarted(env.name, rollout, outcome, 'orphan_resume_failed');
  const { result } = outcome;
  const code = resumeCode(result);
  // Refused with no step run: its claim could not be stored. A refusal after steps ran (the final record not
  // stored, v2 live) did resume it.
  const refused = result.code === 'state_refused' && result.steps.length === 0;
  const message = `${refused ? 'did not resume' : 'resumed'} the orphaned rollout of ${rollout.version} (${why}) from ${where}: ${result.message}`;
  // Not resumed, nothing changed: the deployment's status stays as it was for the next reconcile to set.
  if (!refused)
    await mark(
      options,
      env.name,
      rollout,
      deploymentStateOf(result),
      `${result.status === 'succeeded' ? 'Resumed by reconcile' : 'Reconcile resumed it'}: ${result.message}`,
    );
  // The pipeline wrote the record as it went (history orphan_resumed, then its own codes). The next pass
  // (teardowns that fell due) is left to the next reconcile: what the store holds now is not known here.
  return {
    entry: entry(env.name, code, code !== 'orphan_resumed' && code !== 'orphan_resume_rolled_back', message, {
      steps: result.steps,
      version: rollout.version,
    }),
  };
}

/** Events held for `reporter`: given to it at `release`, or never (`drop`). */
function holding(reporter: Reporter): { reporter: Reporter; release(): void; drop(): void } {
  let events: PipelineEvent[] | undefined = [];
  return {
    reporter: {
      event(e) {
        if (events) events.push(e);
        else reporter.event(e);
      },
    },
    release() {
      const waiting = events ?? [];
      events = undefined;
      for (const e of waiting) reporter.event(e);
    },
    drop() {
      events = [];
    },
  };
}

/**
 * The options with `env`'s notifier (if any) taking the events of what is done to `rollout` besides the run's
 * own reporter. A notifier that cannot be made is only a warning: nothing is held up for it.
 */
async function notifying(
  options: ReconcileOptions,
  env: ResolvedEnvironment,
  rollout: Rollout,
): Promise<{ options: ReconcileOptions; notifier?: Reporter }> {
  const notifier = await notifierOf(options, env, () => options.notifierFor?.(env, rollout));
  // Through fanOut, so a notifier that throws never breaks the rollback.
  return notifier
    ? {
        options: { ...options, reporter: fanOut([options.reporter, notifier]) },
        notifier: fanOut([notifier]),
      }
    : { options };
}

/** A notifier from `make`, or undefined (with a warning when it could not be made). */
async function notifierOf(
  options: ReconcileOptions,
  env: ResolvedEnvironment,
  make: () => Promise<Reporter | undefined> | undefined,
): Promise<Reporter | undefined> {
  try {
    return await make();
  } catch (error) {
    options.reporter.event({
      type: 'log',
      level: 'warn',
      message: `notifications for ${env.name} are off: ${(error as Error).message}`,
    });
    return undefined;
  }
}

/**
 * The pipeline goes on with the record's rollout in this run (an orphan, or a handed-off rollout whose wait
 * ended), owned by this reconcile run: its requests are polled (an /abort still stops it) and its analysis
 * uses the analyzer the bake's looks used.
 */
function resumeHere(
  env: ResolvedEnvironment,
  record: EnvironmentRecord,
  rollout: Rollout,
  store: StateStore,
  options: ReconcileOptions,
  reason: string,
  handoff?: Handoff,
): Promise<ResumeOutcome> {
  const clock = options.now;
  const control = options.controlFor?.(env, rollout);
  return resumePipeline(
    {
      env,
      seq: record.seq,
      owner: options.owner,
      actor: options.actor,
      reason,
      repository: record.repository,
      ...(handoff ? { handoff } : {}),
    },
    {
      reporter: options.reporter,
      signal: options.signal,
      store,
      now: clock ? () => clock().getTime() : undefined,
      ...(options.flushTimeoutMs !== undefined ? { flushTimeoutMs: options.flushTimeoutMs } : {}),
      ...(control ? { control } : {}),
      ...(options.clockSkew ? { clockSkew: options.clockSkew } : {}),
      ...(options.analyzerFor
        ? { analyzerFor: (e: ResolvedEnvironment) => options.analyzerFor!(e, rollout, record) }
        : {}),
    },
  );
}

/**
 * `storeFor` whose stores write every record with `secrets` out of its free text (state/record.ts
 * redactRecordSecrets). The list is read at each write, so a secret added after the store was made counts.
 */
function redactingStores(
  storeFor: (env: ResolvedEnvironment) => StateStore,
  secrets: readonly string[],
): (env: ResolvedEnvironment) => StateStore {
  return (env) => {
    const store = storeFor(env);
    return {
      read: (environment) => store.read(environment),
      write: (record, writeOptions) =>
        store.write(redactRecordSecrets(record, secretValueRedactor(secrets)), writeOptions),
    };
  };
}

/** A resume that did not start: the record moved on (reported), or it cannot be resumed (failed). */
function notStarted(
  environment: string,
  rollout: Rollout,
  outcome: Extract<ResumeOutcome, { started: false }>,
  unresumable: ReconcileCode,
): Acted {
  const code: ReconcileCode = outcome.code === 'not_resumable' ? unresumable : outcome.code;
  return {
    entry: entry(environment, code, code === unresumable, `${outcome.message}; not acted on`, {
      version: rollout.version,
    }),
  };
}

/** What a resumed rollout's GitHub deployment says: live, still waiting, rolled back, or an error. */
function deploymentStateOf(result: PipelineResult): DeploymentState {
  if (result.status === 'succeeded') return 'success';
  if (result.status === 'waiting') return 'in_progress';
  return result.status === 'rolled_back' || result.status === 'cancelled' ? 'failure' : 'error';
}

function resumeCode(result: PipelineResult): ReconcileCode {
  if (result.status === 'succeeded') return 'orphan_resumed';
  if (result.code === 'rollback_failed') return 'orphan_rollback_failed';
  if (result.status === 'rolled_back') return 'orphan_resume_rolled_back';
  return 'orphan_resume_failed';
}

async function teardown(
  slots: RetiredSlot[],
  record: EnvironmentRecord,
  env: ResolvedEnvironment,
  store: StateStore,
  options: ReconcileOptions,
  now: Date,
): Promise<Acted> {
  const log: ExecutionLog = { decisions: [], steps: [] };
  const done: RetiredSlot[] = [];
  const dropped: RetiredSlot[] = [];
  const failed: Array<{ slot: RetiredSlot; reason: string }> = [];
  const unlisted: RetiredSlot[] = [];
  const listed = configuredSlots(env);
  const names = (list: RetiredSlot[]) =>
    list.map((s) => `${s.slot}${s.version ? ` (${s.version})` : ''}`).join(', ');
  // Never tear down what serves: a retired entry naming the live slot is dropped, not acted on. {{slot}} may
  // pick the file or script a teardown runs because it is a slot the config lists; a name only the record
  // holds (the slots renamed since, or a record someone else wrote) runs nothing.
  const toRun = slots.filter((s) => record.live?.slot !== s.slot && listed.includes(s.slot));
  if (toRun.length) {
    // The claim, stored before any command: a deployment that read the record before it and deploys into the
    // slot has written since (the file store then refuses this write: nothing runs); one that reads it after
    // refuses to deploy there. Without it, a deployment started while `current` was asked got its new slot
    // torn down under its traffic.
    const claimed = new Set(toRun.map((s) => s.slot));
    const claim = withTransition(
      record,
      {
        retired: record.retired.map((r) =>
          claimed.has(r.slot) ? { ...r, teardown: { startedAt: now.toISOString(), by: options.actor } } : r,
        ),
      },
      undefined,
      now,
    );
    const notClaimed = await write(
      store,
      claim,
      env.name,
      [],
      `did not tear down ${names(toRun)}: nothing was run, as the record saying it is being torn down could ` +
        'not be stored first (a deployment may be reusing the slot); the next reconcile looks again',
    );
    if (notClaimed) return { entry: notClaimed };
    record = claim;
  }
  for (const slot of slots) {
    if (record.live?.slot === slot.slot) {
      dropped.push(slot);
      continue;
    }
    if (!listed.includes(slot.slot)) {
      unlisted.push(slot);
      continue;
    }
    const values = deploymentValues(
      env,
      { version: slot.version ?? record.live?.version ?? '', deploymentId: slot.deploymentId },
      { slot: record.live?.slot, version: record.live?.version },
    );
    const step = await runStepRecorded(
      { kind: 'teardown', slot: slot.slot },
      {
        environment: env.name,
        phase: 'finalize',
        runStep: stepRunner(env, values, options.reporter),
        reporter: options.reporter,
        log,
      },
    );
    if (step.result.ok) done.push(slot);
    else failed.push({ slot, reason: step.result.reason });
  }
  const parts = [
    done.length ? `tore down ${names(done)}: the scale-down delay had passed` : '',
    dropped.length ? `kept ${names(dropped)}, which serves now, and dropped it from the retired slots` : '',
    unlisted.length
      ? `did not tear down ${names(unlisted)}: not one of ${env.name}'s slots (${listed.join(', ') || 'it has none'}), so no command runs for it; dropped from the retired slots: tear it down by hand`
      : '',
    failed.length
      ? `could not tear down ${failed.map((f) => `${f.slot.slot}: ${f.reason}`).join('; ')}; the next reconcile tries again`
      : '',
  ];
  const message = parts.filter(Boolean).join('; ');
  const gone = new Set([...done, ...dropped, ...unlisted].map((s) => s.slot));
  // A slot whose teardown failed stays retired for the next reconcile, claimed no more: a deployment may
  // reuse it meanwhile, as before.
  const retired = record.retired.filter((r) => !gone.has(r.slot)).map(({ teardown: _claim, ...r }) => r);
  if (done.length === 0 && dropped.length === 0 && unlisted.length === 0) {
    const released =
      toRun.length > 0
        ? await write(
            store,
            withTransition(record, { retired }, undefined, now),
            env.name,
            log.steps,
            message,
          )
        : undefined;
    return {
      entry:
        released ??
        entry(env.name, 'teardown_failed', true, message, {
          steps: log.steps,
          slots: slots.map((s) => s.slot),
        }),
    };
  }
  const next = withTransition(
    record,
    { retired },
    {
      by: options.actor,
      event: 'slot_torn_down',
      code: 'scale_down_delay_passed',
      version: done.length === 1 ? done[0]!.version : undefined,
      detail: message.slice(0, 1000),
    },
    now,
  );
  const written = await write(store, next, env.name, log.steps, message);
  if (written) return { entry: written };
  const ok = failed.length === 0 && unlisted.length === 0;
  return {
    entry: entry(env.name, ok ? 'slot_torn_down' : 'teardown_failed', !ok, message, {
      steps: log.steps,
      slots: slots.map((s) => s.slot),
    }),
    next: ok ? next : undefined,
  };
}

/** Nothing due: when the next teardown is, and what became of the delayed hook (if one is configured). */
function nothingDue(
  name: string,
  decision: Extract<ReconcileDecision, { code: 'nothing_due' }>,
): ReconcileEntry {
  const hook = decision.afterSuccess;
  const parts = [
    decision.nextDueAt ? `next teardown due at ${decision.nextDueAt}` : '',
    hook?.kind === 'wait'
      ? `hooks.after_success of ${hook.release.version} due at ${hook.until}`
      : hook
        ? afterSuccessSkipText(hook.reason, hook.release)
        : '',
  ].filter(Boolean);
  // Started and never finished: someone must look (a half-applied migration), every run says so until then.
  if (hook?.kind === 'skip' && hook.reason === 'interrupted')
    return entry(name, 'after_success_interrupted', false, parts.join('; '), {
      version: hook.release?.version,
    });
  return entry(name, 'nothing_due', false, parts.length ? parts.join('; ') : 'nothing to do');
}

/**
 * `hooks.after_success` for the live release: the start is stored first (so a reconcile that dies leaves it
 * recorded as started, never started twice), then the command runs, then its outcome is stored. A failure is
 * recorded and not retried: a half-applied contract migration needs a person.
 */
/** Takes back a claim of `hooks.after_success` whose command never began (cancelled in between). */
async function unclaimAfterSuccess(
  claimed: EnvironmentRecord,
  release: Extract<ReconcileDecision, { code: 'after_success' }>['release'],
  env: ResolvedEnvironment,
  store: StateStore,
  options: ReconcileOptions,
): Promise<ReconcileEntry> {
  const message = `hooks.after_success for ${release.version} was not started: reconcile was ${stoppedPhrase(options.signal)} before its command began; the next reconcile runs it`;
  const now = (options.now ?? (() => new Date()))();
  const unclaimed = withTransition(
    claimed,
    { live: release },
    {
      by: options.actor,
      event: 'after_success_not_started',
      code: 'after_success_cancelled',
      version: release.version,
      ...(release.sha ? { sha: release.sha } : {}),
      detail: message,
    },
    now,
  );
  const written = await write(store, unclaimed, env.name, [], message);
  return written ?? entry(env.name, 'after_success_cancelled', false, message, { version: release.version });
}

async function runAfterSuccess(
  decision: Extract<ReconcileDecision, { code: 'after_success' }>,
  record: EnvironmentRecord,
  env: ResolvedEnvironment,
  store: StateStore,
  options: ReconcileOptions,
  now: Date,
): Promise<Acted> {
  const hook = env.hooks.afterSuccess!;
  const release = decision.release;
  const sha = release.sha ? { sha: release.sha } : {};
  const started = {
    startedAt: now.toISOString(),
    by: options.actor,
  };
  const claimed = withTransition(
    record,
    { live: { ...release, afterSuccess: started } },
    {
      by: options.actor,
      event: 'after_success_started',
      code: 'after_success_due',
      version: release.version,
      ...sha,
      detail: `live since ${release.since}, due at ${decision.dueAt}`,
    },
    now,
  );
  // Stored before the command runs: in a state directory, a deployment that wrote meanwhile makes this write
  // fail (the file store refuses to write over a record it did not read), and then nothing is run.
  const notClaimed = await write(
    store,
    claimed,
    env.name,
    [],
    `hooks.after_success of ${release.version} was due at ${decision.dueAt} and was not started`,
  );
  if (notClaimed) return { entry: notClaimed };
  // Cancelled while the claim was written: the command has not begun, so nothing of it ran. Left claimed, the
  // hook would read as interrupted and never be run; taken back, the next reconcile runs it.
  if (options.signal?.aborted)
    return { entry: await unclaimAfterSuccess(claimed, release, env, store, options) };

  const values = deploymentValues(
    env,
    { version: release.version, sha: release.sha, deploymentId: release.deploymentId },
    { slot: release.slot, version: record.previous?.version },
  );
  let failure: { code: string; exitCode?: number; detail: string } | undefined;
  const ranFrom = performance.now();
  try {
    await runCommand(hook.command, values, {
      signal: options.signal,
      onOutput: (line) => options.reporter.event({ type: 'output', ...line }),
      label: 'after_success',
    });
  } catch (error) {
    // A first deployment's {{previous_version}}: why it has none and what to do, as the pipeline's hooks say.
    const why = noPreviousVersion(error, values, env.name, false);
    failure =
      error instanceof CommandFailed
        ? {
            code: error.reasonCode,
            ...(error.exitCode !== undefined ? { exitCode: error.exitCode } : {}),
            detail: error.message + why,
          }
        : { code: 'internal', detail: (error as Error).message + why };
  }
  const finishedAt = (options.now ?? (() => new Date()))();
  const ok = failure === undefined;
  const outcome = {
    ...started,
    finishedAt: finishedAt.toISOString(),
    ok,
    ...(ok ? { exitCode: 0 } : { code: failure!.code, detail: failure!.detail.slice(0, 1000) }),
    ...(failure?.exitCode !== undefined ? { exitCode: failure.exitCode } : {}),
  };
  const message = ok
    ? `ran hooks.after_success for ${release.version} (live since ${release.since}, due at ${decision.dueAt}): it exited 0`
    : `hooks.after_success for ${release.version} failed (${failure!.detail}); it is not retried: look at what it did, then run it by hand or deploy again`;
  await notifyAfterSuccess(
    options,
    env,
    release,
    record.previous?.version,
    failure,
    performance.now() - ranFrom,
  );
  const next = withTransition(
    claimed,
    { live: { ...release, afterSuccess: outcome } },
    {
      by: options.actor,
      event: ok ? 'after_success_ran' : 'after_success_failed',
      code: ok ? 'after_success_ok' : `after_success_${failure!.code}`,
      version: release.version,
      ...sha,
      detail: message.slice(0, 1000),
    },
    finishedAt,
  );
  const written = await write(store, next, env.name, [], message);
  if (written) return { entry: written };
  return {
    entry: entry(env.name, ok ? 'after_success_ran' : 'after_success_failed', !ok, message, {
      version: release.version,
    }),
    next: ok ? next : undefined,
  };
}

/**
 * Tells `env`'s channels what the delayed hook came to (`after_success_ran` / `after_success_failed`), stored or
 * not: it ran either way. The failure's words may quote the command's output: the run's own secrets are taken
 * out here, the channels' and credentials by shape by the notifier, as for every other command failure.
 */
async function notifyAfterSuccess(
  options: ReconcileOptions,
  env: ResolvedEnvironment,
  release: Release,
  previousVersion: string | undefined,
  failure: { code: string; exitCode?: number; detail: string } | undefined,
  durationMs: number,
): Promise<void> {
  const notifier = await notifierOf(options, env, () => options.notifierForRelease?.(env, release));
  if (!notifier) return;
  const redact = credentialRedactor(options.secrets);
  // Through fanOut: a notifier that throws is never the hook's problem.
  fanOut([notifier]).event({
    type: 'after-success',
    record: {
      environment: env.name,
      version: release.version,
      ...(release.sha ? { sha: release.sha } : {}),
      ...(previousVersion ? { previousVersion } : {}),
      // As the summary and the history name it; what failed (`detail`) names the config path.
      label: 'hooks.after_success',
      ok: failure === undefined,
      ...(failure
        ? {
            code: failure.code,
            detail: redact(failure.detail),
            ...(failure.exitCode !== undefined ? { exitCode: failure.exitCode } : {}),
          }
        : { exitCode: 0 }),
      durationMs,
    },
  });
}

/** Stores the record; on failure, the entry that says so (what was done stays done). */
async function write(
  store: StateStore,
  record: EnvironmentRecord,
  environment: string,
  steps: StepRecord[],
  message: string,
): Promise<ReconcileEntry | undefined> {
  try {
    await store.write(record, { durable: true });
    return undefined;
  } catch (error) {
    return entry(
      environment,
      'state_write_failed',
      true,
      `${message}; but the record could not be stored: ${(error as Error).message}`,
      { steps },
    );
  }
}

/** The template values of the rollout being undone: its version, the stable one as previous. */
function rolloutValues(env: ResolvedEnvironment, record: EnvironmentRecord, rollout: Rollout) {
  return deploymentValues(
    env,
    {
      version: rollout.version,
      sha: rollout.sha,
      deploymentId: rollout.deploymentId,
      runId: rollout.owner.kind === 'workflow' ? rollout.owner.runId : undefined,
    },
    { slot: rollout.stableSlot ?? record.live?.slot, version: versionBefore(record, rollout) },
  );
}

function stepRunner(
  env: ResolvedEnvironment,
  values: ReturnType<typeof deploymentValues>,
  reporter: Reporter,
): StepRunner {
  return createStepRunner({
    env,
    values,
    analyzer: healthAnalyzer(env),
    onOutput: (line) => reporter.event({ type: 'output', ...line }),
  });
}

/**
 * The configured rollback levels (feature flag, config, ...), after traffic is back, like the pipeline's: each
 * only while the ones before were not enough (a level whose verify passes skips the rest, rollback-levels.ts).
 */
async function rollbackLevels(
  env: ResolvedEnvironment,
  values: ReturnType<typeof deploymentValues>,
  reporter: Reporter,
  runStep: StepRunner,
  recovery: readonly Step[],
  stable: { slot?: string; version?: string },
): Promise<RollbackLevelRecord[]> {
  const levels: RollbackLevelRecord[] = [];
  const traffic = verifyHealthStep(recovery);
  // No traffic step to take the slot from: the stable one, checked as the version it serves; with no
  // stable release known (nothing was live) there is nothing to check.
  const fromStable = !('slot' in traffic && traffic.slot) && usesSlots(env.strategy);
  const nothingToCheck = fromStable && !stable.slot;
  const stableStep = fromStable
    ? stepRunner(env, { ...values, version: stable.version, stable_slot: stable.slot }, reporter)
    : runStep;
  const onOutput = (line: OutputLine) => reporter.event({ type: 'output', ...line });
  for (const level of env.hooks.onRollback) {
    const enough = sufficedLevel(levels);
    if (enough) {
      levels.push(skippedLevel(level.name, enough.name));
      continue;
    }
    const begin = performance.now();
    try {
      await runCommand(level.command, values, { onOutput, label: `rollback:${level.name}` });
    } catch (error) {
      const detail = (error as Error).message + noPreviousVersion(error, values, env.name, false);
      reporter.event({
        type: 'log',
        level: 'error',
        message: `rollback level ${level.name} failed: ${detail}`,
      });
      levels.push({
        name: level.name,
        ok: false,
        detail,
        durationMs: performance.now() - begin,
      });
      continue;
    }
    const done = { name: level.name, ok: true, detail: 'done', durationMs: performance.now() - begin };
    if (level.verify?.kind === 'health' && nothingToCheck) {
      levels.push({ ...done, detail: 'done; verify: health not run, no live version or slot to check' });
      continue;
    }
    levels.push(level.verify ? { ...done, verify: await verifyLevel(level.name, level.verify) } : done);
  }
  return levels;

  async function verifyLevel(
    name: string,
    verify: RollbackVerify,
  ): Promise<NonNullable<RollbackLevelRecord['verify']>> {
    const begin = performance.now();
    const took = () => performance.now() - begin;
    try {
      if (verify.kind === 'health') {
        const result = fromStable
          ? await stableStep({ kind: 'health', slot: stable.slot! })
          : await runStep(traffic);
        return result.ok
          ? { ok: true, detail: result.detail ?? 'healthy', durationMs: took() }
          : { ok: false, detail: result.reason, durationMs: took() };
      }
      await runCommand(verify.command, values, { onOutput, label: `rollback:${name}:verify` });
      return { ok: true, detail: 'passed', durationMs: took() };
    } catch (error) {
      return {
        ok: false,
        detail: (error as Error).message + noPreviousVersion(error, values, env.name, false),
        durationMs: took(),
      };
    }
  }
}

async function mark(
  options: ReconcileOptions,
  environment: string,
  rollout: Rollout,
  state: DeploymentState,
  description: string,
): Promise<'posted' | 'failed' | 'none'> {
  if (!options.markDeployment) return 'none';
  try {
    await options.markDeployment(
      { id: rollout.deploymentId, environment, ...(rollout.sha ? { sha: rollout.sha } : {}) },
      state,
      description.slice(0, 140),
    );
    return 'posted';
  } catch (error) {
    options.reporter.event({
      type: 'log',
      level: 'warn',
      message: `could not set the status of deployment ${rollout.deploymentId}: ${(error as Error).message}`,
    });
    return 'failed';
  }
}

function ownerText(owner: RolloutOwner): string {
  return owner.kind === 'workflow' ? `workflow run ${owner.runId}` : `process ${owner.pid} on ${owner.host}`;
}

function conclusionText(conclusion: string | undefined): string {
  return conclusion ? ` (${conclusion})` : '';
}
