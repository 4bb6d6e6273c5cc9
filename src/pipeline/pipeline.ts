// One deployment, phase by phase (DESIGN.md §1): validate → staging → production → verify → monitor →
// finalize. Any failure after traffic has moved runs the rollback path: traffic back to the stable version
// first, then the configured rollback levels, then the report. Cancellation (SIGTERM / SIGINT from the
// runner, surfaced as an aborted signal) is a failure too: traffic goes back before the process exits.
import type { RawConfig } from '../config/schema.ts';
import { resolveEnvironment, type ResolvedEnvironment, type ResolveOverrides } from '../config/resolve.ts';
import { createStrategy, usesSlots, type AnyMachine } from '../strategies/index.ts';
import type { LiveState } from '../strategies/capabilities.ts';
import type { SequenceState } from '../strategies/sequence.ts';
import { CommandFailed, runCommand } from '../targets/run-command.ts';
import { abortableSleep } from '../util/sleep.ts';
import { healthAnalyzer, type Analyzer } from './analyzer.ts';
import { metricsAnalyzer } from './metrics-analyzer.ts';
import type {
  OutcomeCode,
  PhaseId,
  PhaseRecord,
  PipelineResult,
  PipelineStatus,
  Reporter,
  RollbackRecord,
} from './events.ts';
import { executeRollback, executeStrategy, runStepRecorded, type ExecutionLog } from './execute-strategy.ts';
import { readLiveState } from './live-state.ts';
import { gatesSummary, runValidate, type ValidateOptions } from './validate.ts';
import { gateEntries } from '../gates/registry.ts';
import type { GatesReport } from '../gates/runner.ts';
import { StateStore } from './state.ts';
import { capabilitiesOf, createStepRunner, deploymentValues, type StepRunner } from './step-runner.ts';
import { deploymentExitCode } from '../util/exit-codes.ts';

/** The longest scale-down delay the job itself waits out; longer ones keep the old slot and say so. */
export const MAX_IN_JOB_SCALE_DOWN_WAIT_MS = 10 * 60_000;

export interface PipelineInput {
  config: RawConfig;
  environment: string;
  version: string;
  sha?: string;
  ref?: string;
  runId?: string;
  deploymentId?: string;
  /** Hotfix: skip the staging environment (its own approvals are the App's concern). */
  skipStaging?: boolean;
  /** Deploy without the quality gates (the Action's `deploy` and `rollback` modes: gates ran elsewhere). */
  skipGates?: boolean;
  /** Record every metric sample read to this NDJSON file (replay with `deploy-action analyze`). */
  record?: string;
  /** Strategy and state directory chosen for this run (the staging environment keeps its own strategy). */
  overrides?: ResolveOverrides;
}

export interface PipelineDeps {
  reporter: Reporter;
  signal?: AbortSignal;
  /** Where gates run and what they compare against (the validate phase runs when gates are configured). */
  gates?: { cwd: string; baseRef?: string; pullRequest?: ValidateOptions['pullRequest'] };
  analyzerFor?: (env: ResolvedEnvironment) => Analyzer;
}

class Cancelled extends Error {}

interface DeploymentRun {
  env: ResolvedEnvironment;
  machine: AnyMachine;
  state: SequenceState;
  runStep: StepRunner;
  live: LiveState;
}

export async function runPipeline(input: PipelineInput, deps: PipelineDeps): Promise<PipelineResult> {
  const startedAt = new Date();
  const started = performance.now();
  const { reporter, signal } = deps;
  const env = resolveEnvironment(input.config, input.environment, input.overrides);
  const store = new StateStore(env.stateDir);
  const phases: PhaseRecord[] = [];
  const log: ExecutionLog = { decisions: [], steps: [] };
  const rollbacks: RollbackRecord[] = [];
  const onOutput = (line: { source: string; stream: 'stdout' | 'stderr'; line: string }) =>
    reporter.event({ type: 'output', ...line });

  let live: LiveState = {};
  let gates: GatesReport | undefined;
  try {
    live = await readLiveState(env, store, { signal, onOutput });
  } catch (error) {
    reporter.event({
      type: 'log',
      level: 'warn',
      message: `could not read what is live: ${(error as Error).message}`,
    });
  }
  const previousVersion = live.version;

  const finish = (
    status: PipelineStatus,
    code: OutcomeCode,
    message: string,
    extra: Partial<PipelineResult> = {},
  ) => {
    const result: PipelineResult = {
      status,
      code,
      message,
      environment: env.name,
      version: input.version,
      previousVersion,
      strategy: env.strategy.type,
      dryRun: false,
      phases,
      steps: log.steps,
      decisions: log.decisions,
      rollbacks,
      gates,
      startedAt: startedAt.toISOString(),
      durationMs: performance.now() - started,
      exitCode: deploymentExitCode(status),
      ...extra,
    };
    reporter.event({ type: 'result', result });
    return result;
  };

  reporter.event({
    type: 'start',
    environment: env.name,
    version: input.version,
    previousVersion,
    strategy: env.strategy.type,
    liveSlot: live.slot,
    staging: input.skipStaging ? undefined : env.staging,
  });

  async function phase<T>(id: PhaseId, body: () => Promise<T>, detail?: string): Promise<T> {
    reporter.event({ type: 'phase-start', phase: id, environment: env.name, detail });
    const begin = performance.now();
    const startedAtPhase = new Date().toISOString();
    try {
      const value = await body();
      end(id, 'succeeded', begin, startedAtPhase, typeof value === 'string' ? value : undefined);
      return value;
    } catch (error) {
      end(
        id,
        error instanceof Cancelled ? 'cancelled' : 'failed',
        begin,
        startedAtPhase,
        (error as Error).message,
      );
      throw error;
    }
  }
  function end(
    id: PhaseId,
    status: PhaseRecord['status'],
    begin: number,
    startedAtPhase: string,
    detail?: string,
  ) {
    recordPhase({
      phase: id,
      status,
      startedAt: startedAtPhase,
      durationMs: performance.now() - begin,
      detail,
    });
  }
  function skip(id: PhaseId, detail: string) {
    recordPhase({ phase: id, status: 'skipped', startedAt: new Date().toISOString(), durationMs: 0, detail });
  }
  function recordPhase(record: PhaseRecord) {
    phases.push(record);
    reporter.event({ type: 'phase-end', record });
  }
  const checkCancelled = () => {
    if (signal?.aborted) throw new Cancelled('the job was cancelled');
  };

  const baseValues = (e: ResolvedEnvironment, liveState: LiveState) => deploymentValues(e, input, liveState);

  /** Runs one environment's strategy; on failure rolls it back and throws. */
  async function deployTo(
    e: ResolvedEnvironment,
    liveState: LiveState,
    phaseId: PhaseId,
  ): Promise<DeploymentRun> {
    const values = baseValues(e, liveState);
    const analyzer = deps.analyzerFor
      ? deps.analyzerFor(e)
      : e.analysis
        ? metricsAnalyzer(e, {
            version: input.version,
            previousVersion: liveState.version,
            deps: { record: input.record },
            onInterval: (message) =>
              reporter.event({ type: 'log', level: 'info', message: `analysis: ${message}` }),
          })
        : healthAnalyzer(e);
    const runStep = createStepRunner({ env: e, values, analyzer, onOutput });
    const machine = createStrategy(e.strategy, capabilitiesOf(e), liveState);
    await analyzer.prepare?.(liveState, signal);
    const run = await executeStrategy(machine, {
      environment: e.name,
      phase: phaseId,
      runStep,
      reporter,
      log,
      signal,
    });
    const deployment: DeploymentRun = { env: e, machine, state: run.state, runStep, live: liveState };
    if (run.status === 'succeeded') return deployment;
    if (run.status === 'paused') throw new Paused(run.reason);
    await rollBack(deployment, run.status === 'cancelled' ? 'the job was cancelled' : run.reason);
    if (run.status === 'cancelled') throw new Cancelled(run.reason);
    throw new StrategyFailed(run.reason);
  }

  async function rollBack(d: DeploymentRun, reason: string): Promise<void> {
    const steps = d.machine.rollback(d.state);
    const record = await executeRollback(steps, {
      environment: d.env.name,
      runStep: d.runStep,
      reporter,
      log,
      reason,
    });
    const levels: RollbackRecord['levels'] = [];
    for (const level of d.env.hooks.onRollback) {
      const begin = performance.now();
      try {
        await runCommand(level.command, baseValues(d.env, d.live), {
          onOutput,
          label: `rollback:${level.name}`,
        });
        levels.push({ name: level.name, ok: true, detail: 'done', durationMs: performance.now() - begin });
      } catch (error) {
        levels.push({
          name: level.name,
          ok: false,
          detail: (error as Error).message,
          durationMs: performance.now() - begin,
        });
      }
    }
    const full: RollbackRecord = { ...record, levels, ok: record.ok && levels.every((l) => l.ok) };
    rollbacks.push(full);
    reporter.event({ type: 'rollback-end', record: full });
  }

  /** Verify or monitor: an analysis over the live environment; failure → rollback. */
  async function watch(
    d: DeploymentRun,
    phaseId: 'verify' | 'monitor' | 'staging',
    windowMs: number,
  ): Promise<string> {
    // Checks run against what is live now: the new slot (blue-green, canary) or every instance (rolling).
    const liveSlot = d.machine.outcome(d.state).liveSlot;
    const step = {
      kind: 'analysis' as const,
      phase: phaseId,
      slot: liveSlot,
      windowMs,
    };
    const record = await runStepRecorded(step, {
      environment: d.env.name,
      phase: phaseId,
      runStep: d.runStep,
      reporter,
      log,
      signal,
    });
    if (signal?.aborted) {
      await rollBack(d, 'the job was cancelled');
      throw new Cancelled('the job was cancelled');
    }
    if (!record.result.ok) {
      await rollBack(d, record.result.reason);
      throw new StrategyFailed(record.result.reason);
    }
    return record.result.detail ?? 'healthy';
  }

  async function verify(d: DeploymentRun): Promise<string> {
    const smoke = d.env.smoke;
    if (smoke) {
      try {
        await runCommand(smoke, baseValues(d.env, d.live), { signal, onOutput, label: 'smoke' });
      } catch (error) {
        const reason =
          error instanceof CommandFailed ? `smoke tests failed: ${error.message}` : String(error);
        await rollBack(d, signal?.aborted ? 'the job was cancelled' : reason);
        if (signal?.aborted) throw new Cancelled('the job was cancelled');
        throw new StrategyFailed(reason);
      }
    }
    return watch(d, 'verify', 0);
  }

  let stage: 'validate' | 'staging' | 'production' | 'verify' | 'monitor' | 'finalize' = 'validate';
  let production: DeploymentRun | undefined;
  try {
    // 1. Validate: nothing is touched when the gates block.
    if (input.skipGates) {
      skip('validate', 'gates skipped for this run');
    } else if (gateEntries(env.gates ?? {}).length > 0) {
      await phase('validate', async () => {
        gates = await runValidate(env, {
          cwd: deps.gates?.cwd ?? process.cwd(),
          baseRef: deps.gates?.baseRef,
          headSha: input.sha,
          pullRequest: deps.gates?.pullRequest,
          reporter,
          signal,
        });
        checkCancelled();
        if (gates.status === 'BLOCK') throw new Blocked(gatesSummary(gates));
        return `${gates.status}: ${gatesSummary(gates)}`;
      });
    } else {
      skip('validate', 'no gates configured');
    }
    checkCancelled();

    // 2. Staging: deployed and validated first, in the same run.
    stage = 'staging';
    if (env.staging && !input.skipStaging) {
      const stagingEnv = resolveEnvironment(input.config, env.staging, {
        stateDir: input.overrides?.stateDir,
      });
      const stagingStore = new StateStore(stagingEnv.stateDir);
      await phase(
        'staging',
        async () => {
          const stagingLive = await readLiveState(stagingEnv, stagingStore, { signal, onOutput });
          const d = await deployTo(stagingEnv, stagingLive, 'staging');
          await verify(d);
          if (stagingEnv.validationWindowMs > 0) await watch(d, 'staging', stagingEnv.validationWindowMs);
          await finalizeEnvironment(d, stagingStore, true);
          return `${stagingEnv.name} validated`;
        },
        env.staging,
      );
    } else {
      skip('staging', input.skipStaging && env.staging ? 'skipped (hotfix)' : 'no staging environment');
    }
    checkCancelled();

    // 3. Production: backup, migrations, then the strategy.
    stage = 'production';
    production = await phase(
      'production',
      async () => {
        for (const [name, hook] of [
          ['backup', env.hooks.backup],
          ['migrate', env.hooks.migrate],
        ] as const) {
          if (!hook) continue;
          try {
            await runCommand(hook, baseValues(env, live), { signal, onOutput, label: name });
          } catch (error) {
            checkCancelled();
            throw new HookFailed(`${name} hook failed: ${(error as Error).message}`);
          }
          checkCancelled();
        }
        return deployTo(env, live, 'production');
      },
      env.strategy.type,
    );

    // 4. Verify.
    stage = 'verify';
    await phase('verify', () => verify(production!));

    // 5. Monitor: triggers stay armed for the window.
    stage = 'monitor';
    if (env.monitorMs > 0) await phase('monitor', () => watch(production!, 'monitor', env.monitorMs));
    else skip('monitor', 'monitor window is 0');

    // 6. Finalize.
    stage = 'finalize';
    const liveNow = await phase('finalize', () => finalizeEnvironment(production!, store, false));
    return finish('succeeded', 'deployed', `${input.version} is live on ${env.name}`, { live: liveNow });
  } catch (error) {
    return failureResult(error);
  }

  function failureResult(error: unknown): PipelineResult {
    const message = (error as Error).message;
    const rolledBack = rollbacks.length > 0;
    const rollbackOk = rollbacks.every((r) => r.ok);
    if (error instanceof Blocked)
      return finish('blocked', 'gates_blocked', `quality gates blocked: ${message}`);
    if (error instanceof Cancelled) {
      return finish(
        'cancelled',
        'cancelled',
        rolledBack
          ? `cancelled; rolled back (${rollbackOk ? 'traffic on stable' : 'rollback incomplete'})`
          : 'cancelled before anything changed',
      );
    }
    if (error instanceof Paused) return finish('paused', 'rollout_paused', `rollout paused: ${message}`);
    if (rolledBack && !rollbackOk) {
      const where = rollbacks
        .filter((r) => !r.ok)
        .map((r) => r.environment)
        .join(', ');
      return finish(
        'failed',
        'rollback_failed',
        `${message}; the rollback did not complete: check ${where} now`,
      );
    }
    if (error instanceof HookFailed) return finish('failed', 'hook_failed', message);
    const code: OutcomeCode =
      stage === 'staging'
        ? 'staging_failed'
        : stage === 'verify'
          ? 'verify_failed'
          : stage === 'monitor'
            ? 'monitor_failed'
            : stage === 'production'
              ? 'strategy_failed'
              : 'internal_error';
    if (error instanceof StrategyFailed) {
      return finish(
        rolledBack ? 'rolled_back' : 'failed',
        code,
        rolledBack ? `${message}; rolled back to ${previousVersion ?? 'the previous state'}` : message,
      );
    }
    reporter.event({
      type: 'log',
      level: 'error',
      message: `internal error: ${(error as Error).stack ?? message}`,
    });
    return finish('failed', 'internal_error', `internal error: ${message}`);
  }

  async function finalizeEnvironment(
    d: DeploymentRun,
    stateStore: StateStore,
    quiet: boolean,
  ): Promise<{ slot?: string; version: string }> {
    const outcome = d.machine.outcome(d.state);
    const now = Date.now();
    const retiredSlot =
      outcome.retiredSlot && outcome.retiredSlot !== outcome.liveSlot ? outcome.retiredSlot : undefined;
    const delay = outcome.scaleDownDelayMs ?? 0;
    let retired: { slot: string; version?: string; until: string } | undefined;
    if (retiredSlot && d.env.target.teardown) {
      if (delay <= MAX_IN_JOB_SCALE_DOWN_WAIT_MS) {
        if (delay > 0)
          reporter.event({
            type: 'log',
            level: 'info',
            message: `keeping ${retiredSlot} for ${Math.round(delay / 1000)}s before decommissioning it`,
          });
        await abortableSleep(delay, signal);
        if (!signal?.aborted) {
          await runStepRecorded(
            { kind: 'teardown', slot: retiredSlot },
            { environment: d.env.name, phase: 'finalize', runStep: d.runStep, reporter, log },
          );
        }
      } else {
        retired = { slot: retiredSlot, version: d.live.version, until: new Date(now + delay).toISOString() };
        reporter.event({
          type: 'log',
          level: 'info',
          message: `${retiredSlot} (${d.live.version ?? 'previous version'}) stays up as the instant rollback target until ${retired.until}; the next deployment reuses it`,
        });
      }
    }
    stateStore.set(d.env.name, {
      version: input.version,
      previousVersion: d.live.version,
      sha: input.sha,
      slot: usesSlots(d.env.strategy) ? outcome.liveSlot : undefined,
      deployedAt: new Date(now).toISOString(),
      retired,
    });
    if (!quiet && d.env.hooks.onSuccess) {
      try {
        await runCommand(d.env.hooks.onSuccess, baseValues(d.env, d.live), { onOutput, label: 'on_success' });
      } catch (error) {
        reporter.event({
          type: 'log',
          level: 'warn',
          message: `on_success hook failed (the deployment stands): ${(error as Error).message}`,
        });
      }
    }
    return { slot: usesSlots(d.env.strategy) ? outcome.liveSlot : undefined, version: input.version };
  }
}

class Blocked extends Error {}
class Paused extends Error {}
class HookFailed extends Error {}
class StrategyFailed extends Error {}
