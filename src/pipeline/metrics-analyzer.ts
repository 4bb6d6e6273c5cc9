// Metric analysis (src/analysis) behind the pipeline's Analyzer interface, together with the health checks:
// a step is promoted only when both agree; either one asking for a rollback stops the other at once.
// Metrics are judged only over a window with traffic (canary steps, after a switch, batches, the verify /
// monitor / staging windows, and the idle slot before a switch when analysis_before_switch gives it a window,
// for the HTTP prober's own traffic); a zero window is judged by health alone.
import { createAnalyzer, type AnalysisPhase as MetricsPhase, type AnalyzerDeps } from '../analysis/index.ts';
import type { ResolvedEnvironment } from '../config/resolve.ts';
import type { AnalysisPhase } from '../strategies/types.ts';
import type { StepResult } from '../strategies/types.ts';
import { healthAnalyzer, type Analyzer } from './analyzer.ts';

export interface MetricsAnalyzerOptions {
  /** The version deployed and the one serving before it. */
  version: string;
  previousVersion?: string;
  deps?: AnalyzerDeps;
  /** Called with each interval's decision, for live reports. */
  onInterval?: (line: string) => void;
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

export function metricsAnalyzer(env: ResolvedEnvironment, options: MetricsAnalyzerOptions): Analyzer {
  const health = healthAnalyzer(env);
  const metrics = createAnalyzer(env.analysis as never, options.deps);
  let baselineTaken = false;

  return {
    async prepare(live, signal) {
      if (baselineTaken || !live.version) return;
      baselineTaken = true;
      try {
        await metrics.captureBaseline({
          environment: env.name,
          version: live.version,
          slot: live.slot,
          signal: signal ?? new AbortController().signal,
        });
      } catch (error) {
        // No baseline means checks relative to the pre-deploy window fall back to stable, or fail closed.
        options.onInterval?.(`could not capture the pre-deploy baseline: ${(error as Error).message}`);
      }
    },
    async evaluate(request): Promise<StepResult> {
      const phase = PHASES[request.phase];
      if (!phase || request.windowMs <= 0) return health.evaluate(request);
      const stop = new AbortController();
      const signal = request.signal ? AbortSignal.any([request.signal, stop.signal]) : stop.signal;
      // The stable version is compared side by side only while it serves traffic at the same time.
      const sideBySide =
        request.phase === 'canary-step' && request.weight !== undefined && request.weight < 100;
      const metricsRun = metrics
        .evaluate({
          phase,
          environment: env.name,
          version: options.version,
          stableVersion: sideBySide ? options.previousVersion : undefined,
          slot: request.slot,
          stableSlot: sideBySide ? request.stableSlot : undefined,
          weight: request.weight,
          windowMs: request.windowMs,
          intervalMs: Math.min(request.intervalMs, request.windowMs),
          signal,
          onDecision: (interval) =>
            options.onInterval?.(`${interval.decision.kind}: ${interval.decision.reason}`),
        })
        .then((outcome): StepResult => {
          const d = outcome.decision;
          const metrics = readings(d.values);
          if (d.kind === 'rollback')
            return { ok: false, analysis: 'rollback', reason: `[${d.code}] ${d.reason}`, metrics };
          return { ok: true, analysis: d.kind, detail: `[${d.code}] ${d.reason}`, metrics };
        });
      const healthRun = health.evaluate({ ...request, signal });
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
          };
    },
  };
}

/** Finite numbers only (statistics like p-values stay in the detail text); a missing reading stays null. */
function readings(values: Record<string, number | null>): Record<string, number | null> | undefined {
  const out: Record<string, number | null> = {};
  for (const [name, value] of Object.entries(values)) {
    if (value === null || Number.isFinite(value)) out[name] = value;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}
