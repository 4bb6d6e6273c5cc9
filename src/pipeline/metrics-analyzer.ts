// Metric analysis (src/analysis) behind the pipeline's Analyzer interface, together with the health checks:
// a step is promoted only when both agree; either one asking for a rollback stops the other at once.
// Metrics are judged only over a window with traffic (canary steps, after a switch, batches, the verify /
// monitor / staging windows, and the idle slot before a switch when analysis_before_switch gives it a window,
// for the HTTP prober's own traffic, and a canary step at 0 % only where every metric is the prober's); a
// zero window is judged by health alone.
import { isFirstDeployment } from '../strategies/capabilities.ts';
import { createAnalyzer, type AnalysisPhase as MetricsPhase, type AnalyzerDeps } from '../analysis/index.ts';
import { readMetrics } from '../analysis/config.ts';
import type { ResolvedEnvironment } from '../config/resolve.ts';
import type { AnalysisPhase } from '../strategies/types.ts';
import type { StepResult } from '../strategies/types.ts';
import { healthAnalyzer, type Analyzer } from './analyzer.ts';
import { windowEvidence } from '../analysis/evidence.ts';
import type { AnalysisWarningRecord } from './events.ts';
import { warningRecord } from './analysis-warnings.ts';
import { usesSlots } from '../strategies/index.ts';

export interface MetricsAnalyzerOptions {
  /** The version deployed and the one serving before it. */
  version: string;
  previousVersion?: string;
  deps?: AnalyzerDeps;
  /** Called with each interval's decision, for live reports. */
  onInterval?: (line: string) => void;
  /** Called with each warning a warning check (`on_breach: warn`) gives, as it fires. Never a rollback. */
  onWarning?: (record: AnalysisWarningRecord) => void;
}

const PHASES: Record<AnalysisPhase, MetricsPhase | undefined> = {
  'canary-step': 'canary-step',
  'post-switch': 'post-switch',
  batch: 'monitor',
  verify: 'verify',
  monitor: 'monitor',
  staging: 'staging',
  'pre-switch': 'pre-switch',
};

/** What a window of a first deployment compared with, where the others name stable (docs/analysis.md). */
export const NO_STABLE_VERSION = 'no stable version (first deployment)';

export function metricsAnalyzer(env: ResolvedEnvironment, options: MetricsAnalyzerOptions): Analyzer {
  const health = healthAnalyzer(env);
  const metrics = createAnalyzer(env.analysis as never, options.deps);
  const { config: analysisConfig } = metrics;
  const readByChecks = [...new Set(analysisConfig.checks.flatMap(readMetrics))];
  const proberOnly =
    readByChecks.length > 0 &&
    readByChecks.every((name) => {
      const provider = analysisConfig.metrics[name]?.provider;
      return provider !== undefined && analysisConfig.providers[provider]?.type === 'http';
    });
  const now = options.deps?.now ?? Date.now;
  let baselineTaken = false;
  // Nothing live before this deployment (a first deployment): no stable side and no pre-deploy reading, so a
  // window without a canary's stable side beside it compares with nothing, and says so rather than "stable".
  // Only where the run takes it as one (a slot strategy with no live slot or version): direct and rolling have
  // no slot, and a version not known (no record) does not say that nothing served.
  let nothingLive = false;
  // The comparisons that judged this version beside stable in a promoted step below 100 %: a later window
  // without a stable side (the 100 % step, verify, monitor) cannot compare, which is no missing evidence there.
  const comparedBefore = new Set<string>();

  return {
    async prepare(live, signal, before) {
      nothingLive = usesSlots(env.strategy) && isFirstDeployment(live);
      if (baselineTaken || !live.version) return;
      baselineTaken = true;
      try {
        await metrics.captureBaseline({
          environment: env.name,
          version: live.version,
          slot: live.slot,
          signal: signal ?? new AbortController().signal,
          ...(before !== undefined ? { at: before } : {}),
        });
      } catch (error) {
        // No baseline means checks relative to the pre-deploy window fall back to stable, or fail closed.
        options.onInterval?.(`could not capture the pre-deploy baseline: ${(error as Error).message}`);
      }
    },
    async evaluate(original): Promise<StepResult> {
      // A window begun in the past (a bake, issue 14) is judged from its start when every provider can read
      // the past; otherwise it is watched live for `liveMs`, and the detail says the bake was not covered.
      const { lookBack } = original;
      const lookingBack = lookBack !== undefined && metrics.history;
      const request =
        lookBack && !lookingBack ? { ...original, windowMs: lookBack.liveMs, lookBack: undefined } : original;
      const phase = PHASES[request.phase];
      if (!phase || request.windowMs <= 0) return health.evaluate(request);
      // A canary step at 0 % (seed 04's first stage: deployed, no traffic yet; Argo Rollouts' setWeight: 0) gives
      // its metrics nothing to read: its own health checks watch it, and the next step's analysis judges it.
      // Not where every metric is the HTTP prober's: it sends its own requests to the canary, at 0 % as at any
      // weight, and is what judges a version before users reach it.
      if (request.phase === 'canary-step' && request.weight === 0 && !proberOnly) {
        const watched = await health.evaluate(request);
        return watched.ok
          ? {
              ...watched,
              detail: `at 0 % the canary has no traffic to judge: its health only${watched.detail ? `; ${watched.detail}` : ''}`,
            }
          : watched;
      }
      const stop = new AbortController();
      const signal = request.signal ? AbortSignal.any([request.signal, stop.signal]) : stop.signal;
      // The stable version is compared side by side only while it serves traffic at the same time.
      const sideBySide =
        request.phase === 'canary-step' && request.weight !== undefined && request.weight < 100;
      // A fresh baseline serving beside the canary is what it is compared with (issue 15), and named so.
      const baselineSlot = sideBySide ? request.baselineSlot : undefined;
      const reference = baselineSlot === undefined ? 'stable' : 'baseline';
      const metricsRun = metrics
        .evaluate({
          phase,
          environment: env.name,
          version: options.version,
          stableVersion: sideBySide ? options.previousVersion : undefined,
          slot: request.slot,
          stableSlot: sideBySide ? request.stableSlot : undefined,
          ...(baselineSlot === undefined ? {} : { baselineSlot }),
          weight: request.weight,
          windowMs: request.windowMs,
          intervalMs: Math.min(request.intervalMs, request.windowMs),
          ...(lookingBack ? { since: lookBack.since, midway: lookBack.midway } : {}),
          ...(!sideBySide && comparedBefore.size > 0 ? { comparedBefore: [...comparedBefore] } : {}),
          signal,
          onDecision: (interval) => {
            options.onInterval?.(`${interval.decision.kind}: ${interval.decision.reason}`);
            for (const warning of interval.warnings ?? [])
              options.onWarning?.(
                warningRecord(warning, {
                  at: interval.at,
                  environment: env.name,
                  phase: request.phase,
                  ...(request.weight !== undefined ? { weight: request.weight } : {}),
                }),
              );
          },
        })
        .then((outcome): StepResult => {
          const d = outcome.decision;
          if (sideBySide && d.kind === 'promote')
            for (const name of outcome.compared ?? []) comparedBefore.add(name);
          const metrics = readings(d.values, reference);
          // What the judge saw, interval by interval, for the job summary's chart and table.
          const evidence = windowEvidence(
            analysisConfig,
            outcome.intervals,
            d,
            Math.min(request.intervalMs, request.windowMs),
            !sideBySide && nothingLive ? NO_STABLE_VERSION : reference,
          );
          if (d.kind === 'rollback')
            return {
              ok: false,
              analysis: 'rollback',
              reason: `[${d.code}] ${d.reason}`,
              metrics,
              evidence,
            };
          // A look at part of a window (a bake that goes on, or ended early by a person): nothing fired, so
          // nothing stops it; the bake's own end decides the rest.
          const verdict = lookingBack && lookBack.midway ? 'promote' : d.kind;
          const covered = lookBack
            ? lookingBack
              ? `; judged from ${new Date(lookBack.since).toISOString()} on (${outcome.intervals.length} intervals)`
              : '; the metrics cannot be read back in time, so only this live window was judged, not the whole bake'
            : '';
          return {
            ok: true,
            analysis: verdict,
            detail: `[${d.code}] ${d.reason}${covered}`,
            metrics,
            evidence,
          };
        });
      // Health checks see only the present: over a window judged from history they watch what is left of it.
      const healthRun = health.evaluate(
        lookingBack
          ? {
              ...request,
              lookBack: {
                ...lookBack,
                liveMs: lookBack.midway ? 0 : Math.max(0, lookBack.since + request.windowMs - now()),
              },
              signal,
            }
          : { ...request, signal },
      );
      const first = await Promise.race([metricsRun, healthRun]);
      if (!first.ok) {
        stop.abort();
        return first;
      }
      const [m, h] = await Promise.all([metricsRun, healthRun]);
      if (!h.ok) return h;
      if (!m.ok) return m;
      return m.analysis === 'hold'
        ? m
        : {
            ok: true,
            analysis: 'promote',
            detail: `${m.detail}; ${h.detail ?? ''}`.trim(),
            metrics: m.metrics,
            evidence: m.evidence,
          };
    },
  };
}

/**
 * Finite numbers only (statistics like p-values stay in the detail text); a missing reading stays null.
 * The judge's values name the sample's reference side by its key, `stable`; with a fresh baseline that side is
 * the baseline, so its readings are `baseline.<metric>` (and `<check>.baseline_<count>`). The judge's words
 * already name it (its `reference` option).
 */
function readings(
  values: Record<string, number | null>,
  reference: 'stable' | 'baseline',
): Record<string, number | null> | undefined {
  const out: Record<string, number | null> = {};
  for (const [name, value] of Object.entries(values)) {
    if (value === null || Number.isFinite(value)) out[referenceKey(name, reference)] = value;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * A value key of the judge's with its reference side renamed: the `stable.` prefix of a metric's reading, or
 * the last segment's `stable_` of a check's count (`<check>.stable_errors`, `<check>.cut1.stable_slow`).
 * Names people chose (metrics, checks such as `seeds.errors-vs-stable`) are never touched.
 */
export function referenceKey(key: string, reference: 'stable' | 'baseline'): string {
  if (reference === 'stable') return key;
  if (key.startsWith('stable.')) return `${reference}.${key.slice('stable.'.length)}`;
  const dot = key.lastIndexOf('.');
  return dot >= 0 && key.startsWith('stable_', dot + 1)
    ? `${key.slice(0, dot + 1)}${reference}_${key.slice(dot + 1 + 'stable_'.length)}`
    : key;
}
