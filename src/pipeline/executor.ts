// Performs what the pipeline machine (machine.ts) asks for, through the existing step runner, runCommand and
// the gates, and feeds each result back as an event. It also keeps the environment record: every `persist`
// goes to the state store in order; a durable one is awaited before the run goes on (so the rollout record
// is stored before traffic moves), the rest are not; the rollback path never waits for the store, and
// whatever is still in flight at the end is awaited for a bounded time. `resumePipeline` drives the same
// machine from a rollout whose owner died (reconcile, `on_orphan: resume`), after reading its record again.
import { rolloutEnvironment, verifyCommand, type ResolvedEnvironment } from '../config/resolve.ts';
import { gateEntries } from '../gates/registry.ts';
import { FileStateStore } from '../state/file-store.ts';
import type { LockRunStatus } from '../util/lock-takeover.ts';
import { credentialRedactor, secretValueRedactor } from '../report/redact.ts';
import {
  redactRecordSecrets,
  rolloutNotifySchema,
  type EnvironmentRecord,
  type RefusalCode,
  type RolloutOwner,
} from '../state/record.ts';
import type { StateStore, WriteOptions } from '../state/store.ts';
import type { LiveState } from '../strategies/capabilities.ts';
import type { StepResult } from '../strategies/types.ts';
import { CommandFailed, runCommand, type OutputLine } from '../targets/run-command.ts';
import { abortableSleep } from '../util/sleep.ts';
import { stopClause, stoppedByOf, stoppedPhrase } from '../util/internal-error-stop.ts';
import { healthAnalyzer, type Analyzer } from './analyzer.ts';
import type { PipelineResult, Reporter } from './events.ts';
import { checkLiveHealth, liveHealthPolicy } from './live-health.ts';
import { teardownRefusal } from './machine/records.ts';
import { readLiveForRun } from './live-state.ts';
import { noPreviousVersion } from './no-previous-version.ts';
import { ClockSkewWarnings } from '../control/clock-skew.ts';
import { decideControl, requestsSince, withoutSupersededPresses } from '../control/decide.ts';
import type { ControlPoll, ControlRequest, ControlSource } from '../control/request.ts';
import {
  next,
  resume,
  start,
  type Handoff,
  type Action,
  type MachineEvent,
  type MachineInput,
  type MachineTransition,
  type StoredRecord,
  type TrackId,
} from './machine.ts';
import { metricsAnalyzer } from './metrics-analyzer.ts';
import { recordingFileFor } from '../analysis/recording.ts';
import { checkResumable } from './resume-check.ts';
import { createStepRunner, deploymentValues, type StepRunner } from './step-runner.ts';
import { gatesSummary, runValidate, type ValidateOptions } from './validate.ts';
import { thisProcessOwner } from '../reconcile/owner.ts';

/** How long the end of a run waits for record writes still in flight before it gives up on them. */
export const STATE_FLUSH_TIMEOUT_MS = 10_000;

/**
 * How long a hand-off waits for the Slack post still in flight, so the record can name the message reconcile
 * continues (docs/notifications.md "Reconcile"); past it, reconcile posts a new message.
 */
export const HANDOFF_MESSAGE_WAIT_MS = 3_000;

export interface PipelineInput {
  /** The environment, resolved once by the caller (strategy, state directory and parameters applied). */
  env: ResolvedEnvironment;
  /** The staging environment `env.staging` names, resolved (see resolveStaging); ignored when skipped. */
  staging?: ResolvedEnvironment;
  version: string;
  sha?: string;
  ref?: string;
  runId?: string;
  runAttempt?: string;
  runUrl?: string;
  deploymentId?: string;
  /** `owner/name` for the record (`local` when absent). */
  repository?: string;
  /** Hotfix: skip the staging environment (its own approvals are the App's concern). */
  skipStaging?: boolean;
  /** Deploy without the quality gates (the Action's `deploy` and `rollback` modes: gates ran elsewhere). */
  skipGates?: boolean;
  /** Record every metric sample read to this NDJSON file (replay with `deploy-action analyze`). */
  record?: string;
  /** Whether a long wait may end the run with the rollout handed off (see MachineInput.handOff). */
  handOff?: boolean;
  /** Whether a failed `on_failure: pause` batch stays held without hand-off (see MachineInput.holdOnFailure). */
  holdOnFailure?: boolean;
}

export interface PipelineDeps {
  reporter: Reporter;
  signal?: AbortSignal;
  /** Where gates run and what they compare against (the validate phase runs when gates are configured). */
  gates?: { cwd: string; baseRef?: string; pullRequest?: ValidateOptions['pullRequest'] };
  analyzerFor?: (env: ResolvedEnvironment) => Analyzer;
  /** Where the environment records are kept; a file per environment in its state_dir by default. */
  store?: StateStore;
  /**
   * For the default file store: asks GitHub whether the run attempt a record lock of another host names has
   * finished (a self-hosted runner that died holding it), so its lock is taken over at once (file-store.ts).
   * The Action gives it when it has a token; the CLI has no GitHub to ask.
   */
  lockRunStatus?: LockRunStatus;
  /**
   * The values the run keeps secret, the ones it masks in its log (the Action's token and state key, the
   * notification channels' secrets): each is replaced by `***` in every record written (its details and
   * reasons quote what commands printed), whatever the store. Values under 8 characters are left (they would
   * mask words).
   */
  secrets?: readonly string[];
  /**
   * Bound on the final wait for record writes (default STATE_FLUSH_TIMEOUT_MS); a function is asked when the
   * wait begins (the Action: what is left of its reporting time once the job is cancelled, else the default).
   */
  flushTimeoutMs?: number | (() => number | undefined);
  /** The clock, in ms since the epoch (tests). */
  now?: () => number;
  /**
   * Where /promote, /pause, /resume and /abort are read from (issue 14): polled at most once per
   * `env.control.pollIntervalMs` at checkpoints, during waits and (for /abort) while a step runs. Without
   * one, nobody can steer the rollout and a wait for people can only end by timing out (hand-off).
   */
  control?: ControlSource;
  /**
   * The control requests already warned of as dated ahead of this clock (`clock_skew`): each is said once.
   * Reconcile passes the one its own read of the requests used; a run starts with none.
   */
  clockSkew?: ClockSkewWarnings;
  /** The pause between polls of the control source (default: the environment's `control.poll_interval`). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

interface Runtime {
  env: ResolvedEnvironment;
  live: LiveState;
  runStep?: StepRunner;
}

export async function runPipeline(input: PipelineInput, deps: PipelineDeps): Promise<PipelineResult> {
  const { signal, env } = { ...deps, env: input.env };
  const ctx = contextOf(env, deps, input.staging);
  const startedAt = ctx.now();
  const stored = await readStored(ctx.store, env.name);
  const { live, problem: liveProblem } = await readLiveForRun(env, stored.ok ? stored.record : undefined, {
    signal,
    warn: ctx.warn,
  });
  // Seed 02: the live version is looked at once the gates passed, before anything is touched (not where the run
  // is refused anyway: a record it does not believe, another run's rollout, the slot it would deploy into being
  // torn down).
  const refusedAnyway =
    !!liveProblem ||
    !stored.ok ||
    (stored.record !== undefined &&
      (stored.record.rollout !== undefined || !!teardownRefusal(env, live.slot, stored.record)));
  const owner: RolloutOwner = input.runId
    ? { kind: 'workflow', runId: input.runId, runAttempt: input.runAttempt, runUrl: input.runUrl }
    : thisProcessOwner();
  const machineInput: MachineInput = {
    now: startedAt,
    env,
    staging: input.staging,
    version: input.version,
    sha: input.sha,
    deploymentId: input.deploymentId ?? input.runId ?? `cli-${process.pid}-${Math.round(startedAt)}`,
    repository: input.repository ?? 'local',
    owner,
    skipGates: !!input.skipGates,
    skipStaging: !!input.skipStaging,
    hasGates: gateEntries(env.gates ?? {}).length > 0,
    live,
    ...(liveProblem ? { liveProblem } : {}),
    ...(!refusedAnyway && liveHealthPolicy(env, live, { hotfix: !!input.skipStaging }).look
      ? { liveLook: true }
      : {}),
    stored,
    handOff: input.handOff === true,
    holdOnFailure: input.holdOnFailure === true,
  };
  return drive(ctx, input, live, start(machineInput), startedAt);
}

export interface ResumeInput {
  /** The environment as deploy.yml resolves it today (its target's commands run the remaining steps). */
  env: ResolvedEnvironment;
  /** The record's sequence number when its rollout was judged orphaned: nothing is done if it moved on. */
  seq: number;
  /** Who goes on with the rollout now (the reconcile run), written into the record before anything runs. */
  owner: RolloutOwner;
  /** Who the `orphan_resumed` history entry names (`reconcile:<run id>`). */
  actor: string;
  /** Why it is resumed (the dead owner and how its run ended), for the history entry. */
  reason: string;
  repository?: string;
  /**
   * A rollout the job handed off to wait (issue 14; `rollout.wait.handedOff`), not an orphan: what ends its
   * wait. `go` goes on from the step after the wait (a bake: its analysis first, over the time since it began);
   * `abort` rolls it back through the pipeline's rollback path. Absent for an orphan.
   */
  handoff?: Handoff;
  /** Whether a later long wait may hand the rollout off again (default: when `handoff` is given). */
  handOff?: boolean;
}

export type { Handoff } from './machine.ts';

/** A resume that went ahead (the pipeline's result), or why nothing was done. */
export type ResumeOutcome =
  | { started: true; result: PipelineResult }
  | {
      started: false;
      /** The record moved on (or lost its rollout) since it was judged; refused; or not resumable. */
      code: 'orphan_changed' | 'not_resumable' | RefusalCode;
      message: string;
    };

/**
 * Goes on with the rollout in `env`'s record from where it stopped (reconcile, `on_orphan: resume`): the
 * record is read again and must still be the one judged orphaned (same seq), then the pipeline machine is
 * started from it (machine.ts `resume`, machine/resume.ts) and driven exactly as a deployment is.
 */
export async function resumePipeline(input: ResumeInput, deps: PipelineDeps): Promise<ResumeOutcome> {
  const ctx = contextOf(input.env, deps, undefined);
  const stored = await readStored(ctx.store, input.env.name);
  if (!stored.ok)
    return { started: false, code: stored.code, message: `${stored.message} (${stored.source})` };
  const record = stored.record;
  if (!record?.rollout || record.seq !== input.seq || (input.handoff && !record.rollout.wait?.handedOff))
    return {
      started: false,
      code: 'orphan_changed',
      message: record?.rollout
        ? `the record moved on since the rollout was judged orphaned (write ${input.seq}, now ${record.seq}): someone else is acting on it`
        : 'the record no longer shows the rollout: someone else finished or undid it',
    };
  // A rollback's rollout goes on with the strategy it was planned with (fast-tracked).
  const env = rolloutEnvironment(input.env, record.rollout);
  const check = checkResumable(env, record);
  if (!check.ok) return { started: false, code: 'not_resumable', message: check.reason };
  const { rollout } = check;
  const runIdentity: PipelineInput = {
    env,
    version: rollout.version,
    sha: rollout.sha,
    deploymentId: rollout.deploymentId,
    runId: rollout.owner.kind === 'workflow' ? rollout.owner.runId : undefined,
  };
  const first = resume({
    now: ctx.now(),
    env,
    record,
    repository: input.repository ?? record.repository,
    owner: input.owner,
    actor: input.actor,
    reason: input.reason,
    ...(input.handoff ? { handoff: input.handoff } : {}),
    ...(input.handOff !== undefined ? { handOff: input.handOff } : {}),
  });
  // The rollout goes on: the requests made of it since it began still count.
  const since = Date.parse(rollout.startedAt);
  return {
    started: true,
    result: await drive(ctx, runIdentity, check.live, first, Number.isFinite(since) ? since : -Infinity),
  };
}

interface Context {
  env: ResolvedEnvironment;
  deps: PipelineDeps;
  now: () => number;
  store: StateStore;
  stagingStore: StateStore;
  warn: (message: string) => void;
}

function contextOf(
  env: ResolvedEnvironment,
  deps: PipelineDeps,
  staging: ResolvedEnvironment | undefined,
): Context {
  const fileOptions = deps.lockRunStatus ? { runStatus: deps.lockRunStatus } : {};
  const store = deps.store ?? new FileStateStore(env.stateDir, fileOptions);
  return {
    env,
    deps,
    now: deps.now ?? (() => performance.timeOrigin + performance.now()),
    store,
    stagingStore: deps.store ?? (staging ? new FileStateStore(staging.stateDir, fileOptions) : store),
    warn: (message) => deps.reporter.event({ type: 'log', level: 'warn', message }),
  };
}

/**
 * Performs the machine's actions from `first` on, feeding each result back, until it finishes. `since`: when
 * the rollout this run drives began; control requests made before it (an earlier attempt's) are not read.
 */
async function drive(
  ctx: Context,
  input: PipelineInput,
  live: LiveState,
  first: MachineTransition,
  since: number,
): Promise<PipelineResult> {
  const { env, deps, now, store, stagingStore, warn } = ctx;
  const { reporter, signal } = deps;
  const onOutput = (line: OutputLine) => reporter.event({ type: 'output', ...line });
  const writer = recordWriter(warn, secretValueRedactor(deps.secrets));
  const runtime: Partial<Record<TrackId, Runtime>> = { production: { env, live } };

  const baseValues = (r: Runtime) => deploymentValues(r.env, input, r.live);
  const aborted = () => signal?.aborted === true;
  const control = controlPoller(deps.control, env.control.pollIntervalMs, now, warn, since, deps.clockSkew);
  control.setDeployment(first.state.input.deploymentId);
  const sleep = deps.sleep ?? abortableSleep;

  async function perform(action: Action): Promise<MachineEvent> {
    switch (action.kind) {
      case 'checkpoint': {
        if (aborted()) return { type: 'cancelled', now: now() };
        // A poll GitHub never answers must not hold the rollback: the runner kills the job 10 s after cancelling.
        const requests = await unlessAborted(control.latest(false), signal);
        if (aborted()) return { type: 'cancelled', now: now() };
        return { type: 'resumed', now: now(), ...(requests ? { requests } : {}) };
      }
      case 'await_control': {
        // Poll until the requests end the wait, the job is cancelled, or the in-job wait runs out.
        const began = now();
        for (;;) {
          const requests = (await unlessAborted(control.latest(true), signal)) ?? [];
          const at = now();
          const d = decideControl({
            deploymentId: action.deploymentId,
            step: action.step,
            fromStep: action.fromStep,
            gate: action.gate,
            requests,
            now: at,
          });
          const timedOut = action.maxMs !== undefined && at - began >= action.maxMs;
          if (aborted() || d.action === 'go' || d.action === 'abort' || timedOut)
            return { type: 'control', requests, timedOut, now: at, cancelled: aborted() };
          const left = action.maxMs === undefined ? Infinity : action.maxMs - (at - began);
          await sleep(Math.max(0, Math.min(env.control.pollIntervalMs, left)), signal);
        }
      }
      case 'run_gates': {
        const report = await runValidate(env, {
          cwd: deps.gates?.cwd ?? process.cwd(),
          baseRef: deps.gates?.baseRef,
          headSha: input.sha,
          pullRequest: deps.gates?.pullRequest,
          reporter,
          signal,
        });
        return {
          type: 'gates_done',
          report,
          summary: gatesSummary(report),
          now: now(),
          cancelled: aborted(),
        };
      }
      case 'look_live': {
        const looked = await checkLiveHealth(env, input, live, {
          hotfix: !!input.skipStaging,
          ...(signal ? { signal } : {}),
          onOutput,
        });
        if (looked.kind === 'unchecked' || (looked.kind === 'unhealthy' && !looked.refuses))
          warn(looked.message);
        return {
          type: 'live_looked',
          ...(looked.kind === 'unhealthy' && looked.refuses ? { refuses: looked.message } : {}),
          now: now(),
          cancelled: aborted(),
        };
      }
      case 'read_state': {
        const staging = input.staging!;
        const read = await readStored(stagingStore, staging.name);
        const { live: stagingLive, problem } = await readLiveForRun(
          staging,
          read.ok ? read.record : undefined,
          { signal, warn },
        );
        runtime[action.track] = { env: staging, live: stagingLive };
        return {
          type: 'state_read',
          live: stagingLive,
          ...(problem ? { liveProblem: problem } : {}),
          stored: read,
          now: now(),
          cancelled: aborted(),
        };
      }
      case 'prepare': {
        const r = runtime[action.track]!;
        r.live = action.live;
        const recordTo =
          input.record === undefined ? undefined : recordingFileFor(input.record, action.track, r.env.name);
        if (recordTo !== input.record && r.env.analysis && !deps.analyzerFor)
          reporter.event({
            type: 'log',
            level: 'info',
            message: `analysis: ${r.env.name}'s analysis is recorded to ${recordTo} (${input.record} is ${input.env.name}'s)`,
          });
        const analyzer = deps.analyzerFor
          ? deps.analyzerFor(r.env)
          : r.env.analysis
            ? metricsAnalyzer(r.env, {
                version: input.version,
                previousVersion: r.live.version,
                // A provider's warnings (a command's output keys no metric reads) go to the job's warnings,
                // redacted like every log line, not to stderr beside them.
                deps: {
                  record: recordTo,
                  // The recording masks what the job log and check runs do: the run's secrets, and
                  // credentials by shape.
                  redactRecord: credentialRedactor(deps.secrets),
                  warn: (message) => warn(`analysis: ${message}`),
                },
                onInterval: (message) =>
                  reporter.event({ type: 'log', level: 'info', message: `analysis: ${message}` }),
                onWarning: (record) => reporter.event({ type: 'analysis-warning', record }),
              })
            : healthAnalyzer(r.env);
        r.runStep = createStepRunner({ env: r.env, values: baseValues(r), analyzer, onOutput });
        await analyzer.prepare?.(r.live, signal, action.before);
        return { type: 'prepared', now: now(), cancelled: aborted() };
      }
      case 'run_step': {
        // The job was cancelled before the step began (while the write-ahead record was being stored, say):
        // it is not started, only to be killed at once. Said so (not-started): the machine rolls back from what
        // the record says, unless nothing of the rollout ever ran (then there is nothing to undo).
        if (action.cancellable && aborted())
          return {
            type: 'step_done',
            result: { ok: false, reason: `not started: ${stopClause(signal)}`, untouched: 'not-started' },
            durationMs: 0,
            now: now(),
            cancelled: true,
          };
        const r = runtime[action.track]!;
        const begin = performance.now();
        // While the step runs, an /abort of this deployment stops it (within one poll interval).
        const watch = action.control ? control.watchForAbort(action.control.deploymentId, sleep) : undefined;
        const stepSignal = action.cancellable
          ? watch
            ? signal
              ? AbortSignal.any([signal, watch.signal])
              : watch.signal
            : signal
          : undefined;
        // A rollback begun before the strategy was prepared (a failed migrate hook) verifies a level with
        // health checks alone: no analysis runs there. They check the version still live, by its own
        // {{version}} (as pre_deploy_health's look): the new one was never deployed.
        r.runStep ??= createStepRunner({
          env: r.env,
          values: { ...baseValues(r), version: r.live.version },
          analyzer: healthAnalyzer(r.env),
          onOutput,
        });
        let result;
        try {
          const running = r.runStep(action.step, stepSignal, { waitForReady: action.cancellable });
          result = await (stepSignal && STOPPED_UNAWAITED.has(action.step.kind)
            ? untilStopped(running, stepSignal)
            : running);
        } catch (error) {
          result = { ok: false as const, reason: `internal error: ${(error as Error).message}` };
        } finally {
          watch?.stop();
        }
        const durationMs = performance.now() - begin;
        const abortedBy = watch?.request();
        return {
          type: 'step_done',
          result,
          durationMs,
          now: now(),
          cancelled: action.cancellable && aborted(),
          ...(!action.cancellable && aborted() ? { signalled: true } : {}),
          ...(abortedBy && action.cancellable ? { aborted: abortedBy } : {}),
        };
      }
      case 'run_command': {
        // The job was cancelled before the command began (while the record before a hook was being stored).
        if (action.cancellable && aborted())
          return { type: 'command_done', durationMs: 0, now: now(), cancelled: true, notBegun: true };
        const r = runtime[action.track]!;
        const hooks = r.env.hooks;
        const command =
          action.command === 'smoke'
            ? r.env.smoke
            : action.command === 'on_rollback'
              ? hooks.onRollback[action.index ?? 0]?.command
              : action.command === 'on_rollback_verify'
                ? verifyCommand(hooks.onRollback[action.index ?? 0]?.verify)
                : action.command === 'on_success'
                  ? hooks.onSuccess
                  : hooks[action.command];
        const begin = performance.now();
        let error: { message: string; text: string; commandFailed: boolean } | undefined;
        try {
          if (!command) throw new Error(`no ${action.label} command is configured`);
          await runCommand(command, baseValues(r), {
            signal: action.cancellable ? signal : undefined,
            onOutput,
            label: action.label,
          });
        } catch (e) {
          const before = action.command === 'backup' || action.command === 'migrate';
          const message = (e as Error).message + noPreviousVersion(e, baseValues(r), r.env.name, before);
          error = {
            message,
            text: e instanceof Error ? `${e.name}: ${message}` : String(e),
            commandFailed: e instanceof CommandFailed,
          };
        }
        return {
          type: 'command_done',
          durationMs: performance.now() - begin,
          error,
          now: now(),
          cancelled: action.cancellable && aborted(),
        };
      }
      case 'wait':
        await abortableSleep(action.ms, signal);
        return { type: 'waited', now: now(), cancelled: aborted() };
      default:
        throw new Error(`the executor cannot perform ${action.kind}`);
    }
  }

  let transition: MachineTransition = first;
  for (;;) {
    let event: MachineEvent | undefined;
    /** Why the record this transition waited for was not stored (undefined: it was, or none was waited for). */
    let notStored: string | undefined;
    /** Whether that is because the job was cancelled while it was being stored. */
    let storeCancelled = false;
    for (const action of transition.actions) {
      switch (action.kind) {
        case 'report':
          reporter.event(action.event);
          break;
        case 'persist': {
          const record = action.wait ? await withMessages(action.record, reporter) : action.record;
          const stored = writer.write(storeFor(record), record, {
            durable: action.durable,
            ...(action.settle ? { settle: true } : {}),
          });
          if (action.wait) {
            let answered = false;
            await unlessAborted(
              stored.then((failed) => {
                answered = true;
                notStored = failed;
              }),
              signal,
            );
            // A record the run acts on once stored (finalize's) is not taken as stored because the job was
            // cancelled while waiting: teardown and on_success would run on a record that may never land.
            if (action.settle && !answered) {
              notStored = `not confirmed: ${stopClause(signal)} while it was being stored`;
              storeCancelled = true;
            }
          }
          break;
        }
        case 'flush':
          await writer.flush(
            (typeof deps.flushTimeoutMs === 'function' ? deps.flushTimeoutMs() : deps.flushTimeoutMs) ??
              STATE_FLUSH_TIMEOUT_MS,
          );
          break;
        case 'finish':
          return action.result;
        case 'confirm_stored':
          // Whether the record waited for above was stored: finalize goes on only once it was
          // (machine/finalize.ts).
          event = {
            type: 'stored',
            now: now(),
            ...(notStored !== undefined ? { notStored } : {}),
            ...(storeCancelled ? { cancelled: true } : {}),
            ...(notStored === undefined && aborted() ? { signalled: true } : {}),
          };
          break;
        default:
          // The step after a write-ahead record that was not stored is not started (machine/strategy.ts).
          if (action.kind === 'run_step' && action.cancellable && notStored !== undefined) {
            event = {
              type: 'step_done',
              result: { ok: false, reason: `not started: the state record was not stored (${notStored})` },
              durationMs: 0,
              now: now(),
              notStored,
            };
            break;
          }
          // Nor is a backup or migrate hook after a rollout record that was not stored.
          if (
            action.kind === 'run_command' &&
            (action.command === 'backup' || action.command === 'migrate') &&
            notStored !== undefined
          ) {
            event = { type: 'command_done', durationMs: 0, now: now(), notStored };
            break;
          }
          try {
            event = await perform(action);
          } catch (error) {
            event = {
              type: 'error',
              message: (error as Error).message,
              stack: (error as Error).stack,
              now: now(),
            };
          }
      }
    }
    if (!event) throw new Error('internal error: the pipeline machine stopped without finishing');
    // A cancellation that an internal error caused (the process crashed) says so in the run's outcome.
    transition = next(transition.state, event, stoppedByOf(signal));
  }

  function storeFor(record: EnvironmentRecord): StateStore {
    return record.environment === env.name ? store : stagingStore;
  }
}

/**
 * The hand-off's record (its history's last entry is `handed_off`, written now) with the notification messages
 * the rollout's reporter posted, for reconcile to continue: waited for at most HANDOFF_MESSAGE_WAIT_MS. Only on
 * a hand-off (never a rollback); a message Slack did not name in time, or not as expected, is left out.
 */
async function withMessages(record: EnvironmentRecord, reporter: Reporter): Promise<EnvironmentRecord> {
  const { rollout } = record;
  const last = record.history.at(-1);
  if (!rollout?.wait?.handedOff || last?.event !== 'handed_off' || last.at !== record.updatedAt)
    return record;
  if (!reporter.messages) return record;
  const messages = await reporter.messages(HANDOFF_MESSAGE_WAIT_MS).catch(() => undefined);
  const checked = rolloutNotifySchema.safeParse(messages);
  return checked.success ? { ...record, rollout: { ...rollout, notify: checked.data } } : record;
}

/**
 * The control requests as last read, polled at most once per interval (a checkpoint between quick steps costs
 * nothing), or at once when a wait asks (`fresh`, still at most once per interval). GitHub answers an
 * unchanged list with 304, which costs nothing against the rate limit.
 */
function controlPoller(
  source: ControlSource | undefined,
  intervalMs: number,
  now: () => number,
  warn: (message: string) => void,
  since: number,
  clockSkew = new ClockSkewWarnings(),
) {
  let requests: readonly ControlRequest[] | undefined;
  let recordedIn: ReadonlyMap<string, number> | undefined;
  let polledAt = now();
  let lastError: string | undefined;
  let deploymentId = '';
  async function poll(): Promise<readonly ControlRequest[] | undefined> {
    if (!source) return undefined;
    polledAt = now();
    const polled: ControlPoll = await source.poll(deploymentId).catch((error: unknown) => ({
      changed: false,
      requests: [...(requests ?? [])],
      ...(recordedIn ? { recordedIn } : {}),
      error: (error as Error).message,
    }));
    if (polled.error && polled.error !== lastError)
      warn(`could not read /promote, /pause, /resume or /abort requests: ${polled.error}`);
    lastError = polled.error;
    for (const r of polled.refused ?? [])
      warn(`a control request was not trusted [${r.code}] (${r.where}): ${r.message}`);
    // Ordered by the time it carries, a request dated ahead outweighs those written after it: said once.
    for (const message of clockSkew.check(polled.requests, deploymentId, polledAt)) warn(message);
    // This rollout's requests (not an earlier attempt's), without a Promote or Resume press that a /pause
    // recorded after its check run supersedes: the App refuses one, and one it recorded at the same moment as
    // that /pause (two replicas) does not undo it here either (pauseSupersedingPress).
    recordedIn = polled.recordedIn;
    requests = withoutSupersededPresses(requestsSince(polled.requests, since), recordedIn);
    return requests;
  }
  return {
    setDeployment(id: string) {
      deploymentId = id;
    },
    async latest(fresh: boolean): Promise<readonly ControlRequest[] | undefined> {
      if (!source) return undefined;
      if (fresh || now() - polledAt >= intervalMs) return poll();
      return requests;
    },
    /** Polls every interval while a step runs; `signal` aborts when an /abort arrives. */
    watchForAbort(id: string, sleep: (ms: number, signal?: AbortSignal) => Promise<void>) {
      deploymentId = id;
      if (!source) return undefined;
      const stop = new AbortController();
      const abort = new AbortController();
      let found: ControlRequest | undefined;
      void (async () => {
        while (!stop.signal.aborted) {
          await sleep(intervalMs, stop.signal).catch(() => undefined);
          if (stop.signal.aborted) return;
          const latest = await poll();
          const d = decideControl({ deploymentId: id, step: -1, requests: latest ?? [], now: now() });
          if (d.action === 'abort') {
            found = d.request;
            abort.abort();
            return;
          }
        }
      })();
      return {
        signal: abort.signal,
        stop: () => stop.abort(),
        request: () => found,
      };
    },
  };
}

/** A store's read; a store that throws (it should not) is treated as one that could not vouch for the record. */
async function readStored(store: StateStore, environment: string): Promise<StoredRecord> {
  try {
    const read = await store.read(environment);
    return read.ok
      ? { ok: true, record: read.record }
      : {
          ok: false,
          code: read.code,
          message: read.message,
          source: read.source,
          ...(read.kept ? { kept: read.kept } : {}),
          ...(read.newer ? { newer: true as const } : {}),
        };
  } catch (error) {
    return {
      ok: false,
      code: 'state_unverifiable',
      message: `the state store failed: ${(error as Error).message}`,
      source: environment,
    };
  }
}

/**
 * Writes in order (each after the previous one settled), each with the run's secret values redacted
 * (`redact`); a failed write is reported, never thrown.
 */
function recordWriter(warn: (message: string) => void, redact: (text: string) => string) {
  let tail: Promise<void> = Promise.resolve();
  return {
    /** Resolves once stored (undefined) or failed (why); never rejects. */
    write(store: StateStore, record: EnvironmentRecord, options: WriteOptions): Promise<string | undefined> {
      const written = tail
        .then(() => store.write(redactRecordSecrets(record, redact), options))
        .then(
          () => undefined,
          (error: unknown) => {
            const why = (error as Error).message;
            warn(`the state record of ${record.environment} (write ${record.seq}) was not stored: ${why}`);
            return why;
          },
        );
      tail = written.then(() => undefined);
      return written;
    },
    async flush(ms: number): Promise<void> {
      let timer: NodeJS.Timeout | undefined;
      const stored = await Promise.race([
        tail.then(() => true),
        new Promise<false>((resolve) => {
          timer = setTimeout(() => resolve(false), ms);
        }),
      ]);
      clearTimeout(timer);
      if (!stored)
        warn(
          `the state record was not stored within ${Math.round(ms)} ms; not waiting longer (the last record stored is what the next run and reconcile will see)`,
        );
    },
  };
}

/**
 * Steps that change nothing (they look at the new version, or wait): once cancelled (or aborted) the rollback
 * does not wait for their commands to die. A check whose command ignores SIGTERM is killed 2 s later
 * (util/process-group.ts), and even one that dies at once took half a second to be reaped on a busy runner:
 * time taken from the rollback, which has until the runner's SIGKILL. A step that changes something (deploy,
 * set_weight, switch, teardown) is still waited for: the rollback must not race it.
 */
const STOPPED_UNAWAITED: ReadonlySet<string> = new Set(['analysis', 'health', 'smoke', 'warmup', 'pause']);

/**
 * The step's result, or `cancelled` (stoppedPhrase) as soon as `signal` aborts: the step was told to stop (its commands are
 * signalled and killed by their own watch) and ends unawaited, its failure ignored.
 */
function untilStopped(running: Promise<StepResult>, signal: AbortSignal): Promise<StepResult> {
  // Said once aborted: what aborted it (the job, or an internal error) is known only then.
  const stopped = (): StepResult => ({ ok: false, reason: stoppedPhrase(signal) });
  if (signal.aborted) {
    running.catch(() => undefined);
    return Promise.resolve(stopped());
  }
  let onAbort: (() => void) | undefined;
  return Promise.race([
    running,
    new Promise<StepResult>((resolve) => {
      onAbort = () => {
        running.catch(() => undefined);
        resolve(stopped());
      };
      signal.addEventListener('abort', onAbort, { once: true });
    }),
  ]).finally(() => signal.removeEventListener('abort', onAbort!));
}

/**
 * `promise`'s value, or undefined as soon as the job is cancelled: the request or write goes on, unawaited, and
 * the run stops waiting for it.
 */
async function unlessAborted<T>(
  promise: Promise<T>,
  signal: AbortSignal | undefined,
): Promise<T | undefined> {
  if (!signal) return promise;
  if (signal.aborted) return undefined;
  let onAbort: (() => void) | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<undefined>((resolve) => {
        onAbort = () => resolve(undefined);
        signal.addEventListener('abort', onAbort);
      }),
    ]);
  } finally {
    signal.removeEventListener('abort', onAbort!);
  }
}
