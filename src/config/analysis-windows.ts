// The windows an environment's metrics analysis reads (a window of 0 is judged by health checks alone:
// pipeline/metrics-analyzer.ts), and which template variables have no value in each: the analyzer sets
// {{stable_version}}, {{stable_slot}} and {{baseline_slot}} only in a canary's steps below 100 % (the stable
// side serving beside the canary) and {{weight}} only in canary steps, while `query`, `url` and `run` are read
// in every window. A use of one in a window that runs failed there at every interval and rolled the release
// back. Pure: docs/analysis.md has the same table
// (test/unit/config/docs-windows.test.ts compares the two).
import type { AnalysisTemplateVariable } from './analysis-template-variables.ts';
import type { ResolvedStrategy } from './resolve.ts';

/** The variables only some windows set ({{slot}}: a strategy's slots, analysis-templates.ts). */
export type WindowVariable = Extract<
  AnalysisTemplateVariable,
  'stable_version' | 'stable_slot' | 'baseline_slot' | 'weight'
>;

export interface AnalysedWindow {
  /** As the author would say it: `the monitor window`. */
  what: string;
  /** What has no value in the canary side's templates there. */
  unset: readonly WindowVariable[];
}

const STABLE: readonly WindowVariable[] = ['stable_version', 'stable_slot', 'baseline_slot'];
/** A watch (monitor, staging validation), a blue-green switch's windows, a rolling batch: no share, no stable side. */
const WATCH: readonly WindowVariable[] = ['weight', ...STABLE];

/**
 * The windows with metrics a deployment of this strategy runs (a rollback deployment runs fewer of them:
 * resolve.ts fastTracked), `validationMs` when the environment is another's staging environment.
 */
export function analysedWindows(
  strategy: ResolvedStrategy,
  monitorMs: number,
  validationMs?: number,
): AnalysedWindow[] {
  const windows: AnalysedWindow[] = [];
  switch (strategy.type) {
    case 'canary':
      for (const step of strategy.steps)
        if (step.pauseMs > 0 && step.weight >= 100)
          windows.push({ what: 'the analysis of the canary step at 100 %', unset: STABLE });
      break;
    case 'blue-green':
      if (strategy.analysisBeforeSwitchMs > 0)
        windows.push({ what: 'the analysis_before_switch window', unset: WATCH });
      if (strategy.verifyAfterSwitchMs > 0)
        windows.push({ what: 'the verify_after_switch window', unset: WATCH });
      break;
    case 'rolling':
      // Every batch but the last is watched: none with a single batch.
      if (strategy.pauseMs > 0 && strategy.instances.length > strategy.batchSize)
        windows.push({ what: 'the analysis of a rolling batch', unset: WATCH });
      break;
    case 'direct':
      break;
  }
  if (monitorMs > 0) windows.push({ what: 'the monitor window', unset: WATCH });
  if (validationMs !== undefined && validationMs > 0)
    windows.push({ what: 'the validation_window (as a staging environment)', unset: WATCH });
  return windows;
}

/** Each variable some window leaves without a value, with the first such window. */
export function unsetInWindows(windows: readonly AnalysedWindow[]): Partial<Record<WindowVariable, string>> {
  const out: Partial<Record<WindowVariable, string>> = {};
  for (const window of windows) for (const name of window.unset) out[name] ??= window.what;
  return out;
}
