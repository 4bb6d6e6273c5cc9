// One look at a handed-off bake's metrics (issue 14): while a canary bakes for longer than a job, its
// triggers stay armed because every reconcile run judges the bake's analysis step (the new slot against the
// stable one at the bake's weight) through the pipeline's own analyzer over the whole bake so far: every
// interval since the bake began, read from the metrics' history (Prometheus), so the sequential tests see
// all the evidence at every look. Providers that cannot read the past (the prober, commands) and health
// checks take one live interval instead. A look that says rollback ends the bake (run.ts rolls it back through
// the pipeline); any other is counted in the record (`wait.looks`, `wait.lastLook`).
import type { ResolvedEnvironment } from '../config/resolve.ts';
import { healthAnalyzer, type Analyzer } from '../pipeline/analyzer.ts';
import { metricsAnalyzer } from '../pipeline/metrics-analyzer.ts';
import { createStepRunner, deploymentValues } from '../pipeline/step-runner.ts';
import { versionBefore, type EnvironmentRecord, type Rollout } from '../state/record.ts';
import type { Step, StepResult } from '../strategies/types.ts';
import type { OutputLine } from '../targets/run-command.ts';

export interface BakeLookOptions {
  /** The time of the look (reconcile's clock; default now). */
  now?: number;
  /** The analyzer to judge with (tests); by default the pipeline's: metrics when configured, else health. */
  analyzer?: Analyzer;
  signal?: AbortSignal;
  onOutput?: (line: OutputLine) => void;
  /** Where the metric providers' warnings go (the run's log). */
  warn?: (message: string) => void;
}

/**
 * The analysis step the bake waits at, judged from the bake's start to now (or one live `monitor_interval`
 * where the metrics cannot be read back). A record whose plan has no analysis step there, a cancelled look
 * and a look that could not be taken come back as not ok without a rollback: they say nothing either way,
 * and the next reconcile looks again.
 */
export async function lookAtBake(
  env: ResolvedEnvironment,
  record: EnvironmentRecord,
  rollout: Rollout,
  options: BakeLookOptions = {},
): Promise<StepResult> {
  const { signal } = options;
  const step = rollout.wait?.step ?? rollout.step;
  // A handed-off monitor window watches what is live after the strategy: its new slot (every instance when
  // rolling), as the pipeline's monitor phase does.
  const planned: Step | undefined =
    rollout.phase === 'monitor'
      ? {
          kind: 'analysis',
          phase: 'monitor',
          ...(rollout.newSlot ? { slot: rollout.newSlot } : {}),
          windowMs: env.monitorMs,
        }
      : rollout.strategyState?.plan[step]?.step;
  if (planned?.kind !== 'analysis')
    return {
      ok: false,
      reason: `the record plans no analysis step at step ${step + 1}, so there is nothing to look at`,
    };
  const live = { slot: rollout.stableSlot ?? record.live?.slot, version: versionBefore(record, rollout) };
  const analyzer =
    options.analyzer ??
    (env.analysis
      ? metricsAnalyzer(env, {
          version: rollout.version,
          previousVersion: live.version,
          deps: options.warn ? { warn: options.warn } : {},
        })
      : healthAnalyzer(env));
  const values = deploymentValues(
    env,
    {
      version: rollout.version,
      sha: rollout.sha,
      deploymentId: rollout.deploymentId,
      runId: rollout.owner.kind === 'workflow' ? rollout.owner.runId : undefined,
    },
    live,
  );
  const runStep = createStepRunner({ env, values, analyzer, onOutput: options.onOutput });
  try {
    // What was live is read as it was when the rollout began: by now the new version serves beside it.
    const started = Date.parse(rollout.startedAt);
    await analyzer.prepare?.(live, signal, Number.isFinite(started) ? started : undefined);
    // The bake's own analysis (same phase, slots and weight) over the part of it that is over.
    const since = Date.parse(rollout.wait?.since ?? '');
    const now = options.now ?? Date.now();
    const result = await runStep(
      Number.isFinite(since)
        ? {
            ...planned,
            windowMs: Math.max(env.monitorIntervalMs, now - since),
            lookBack: { since, liveMs: env.monitorIntervalMs, midway: true },
          }
        : { ...planned, windowMs: env.monitorIntervalMs },
      signal,
    );
    if (signal?.aborted) return { ok: false, reason: 'the look was cancelled' };
    return result;
  } catch (error) {
    return { ok: false, reason: `the look could not be taken: ${(error as Error).message}` };
  }
}
