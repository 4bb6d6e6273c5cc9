// The analysis hook strategies consult (canary steps, before/after a blue-green switch, batches, verify,
// monitor, the staging window). This default analyzer judges by health checks alone: over the window it
// checks at each interval and asks for a rollback at the first failure (each check has its own retries, so
// one dropped request is not a failure). Metric analysis (src/analysis) plugs in behind the same interface.
import type { ResolvedEnvironment } from '../config/resolve.ts';
import type { AnalysisPhase, LookBack, StepResult } from '../strategies/types.ts';
import type { OutputLine } from '../targets/run-command.ts';
import type { TemplateValues } from '../targets/template.ts';
import { abortableSleep } from '../util/sleep.ts';
import { stoppedPhrase } from '../util/internal-error-stop.ts';
import { runHealthChecks } from './health.ts';

export interface AnalysisRequest {
  phase: AnalysisPhase;
  slot?: string;
  stableSlot?: string;
  /** A fresh baseline (the stable version, freshly deployed) at the canary's share: compared instead of stable. */
  baselineSlot?: string;
  weight?: number;
  instances?: string[];
  windowMs: number;
  intervalMs: number;
  /** The window began before this run (see LookBack). */
  lookBack?: LookBack;
  values: TemplateValues;
  signal?: AbortSignal;
  onOutput?: (line: OutputLine) => void;
}

export interface Analyzer {
  /** Called once before traffic moves, with what is live (a metric analyzer reads its baseline here). */
  /**
   * `before`: read what was live as it was at this time (a resumed rollout's start), not now, when the
   * metrics can be read back: by now the new version may be serving in its place.
   */
  prepare?(live: { slot?: string; version?: string }, signal?: AbortSignal, before?: number): Promise<void>;
  evaluate(request: AnalysisRequest): Promise<StepResult>;
}

export function healthAnalyzer(env: ResolvedEnvironment): Analyzer {
  return {
    async evaluate(request) {
      // Verify, monitor and staging windows use the environment's own checks when it has some (they look at
      // the environment as users see it); every other analysis checks the slot or batch under analysis.
      const environmentWide =
        request.phase === 'verify' || request.phase === 'monitor' || request.phase === 'staging';
      const checks = environmentWide ? env.health : env.target.health;
      if (checks.length === 0)
        return { ok: true, analysis: 'promote', detail: 'no health checks configured' };
      // Health checks see only the present: a window begun in the past is watched live for `liveMs`.
      const windowMs = request.lookBack ? request.lookBack.liveMs : request.windowMs;
      const deadline = Date.now() + windowMs;
      let rounds = 0;
      do {
        if (rounds > 0)
          await abortableSleep(
            Math.min(request.intervalMs, Math.max(0, deadline - Date.now())),
            request.signal,
          );
        if (request.signal?.aborted) return { ok: false, reason: stoppedPhrase(request.signal) };
        const result = await runHealthChecks(checks, request.values, {
          signal: request.signal,
          onOutput: request.onOutput,
        });
        rounds++;
        if (!result.ok)
          return { ok: false, analysis: 'rollback', reason: `health check failed: ${result.detail}` };
      } while (Date.now() < deadline);
      return { ok: true, analysis: 'promote', detail: `healthy in ${rounds} check round(s)` };
    },
  };
}
