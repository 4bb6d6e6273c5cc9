// What a valid config says that a run will not do as written: accepted (these are never errors, and a config
// that passed before still passes), but said by `validate`, at the start of a run and as annotations in the
// Action, so the author learns it from the tool rather than from a window that lasted longer than written.
// Pure: the config (past the schema and the semantic rules) in, the warnings with their field paths out.
import { formatDuration } from './duration.ts';
import { PRESETS } from './presets.ts';
import { strategyType } from './resolve.ts';
import type { RawConfig, RawEnvironment } from './schema.ts';
import type { SemanticIssue } from './semantics.ts';

type Path = (string | number)[];

/** A window of an environment that is watched every monitor_interval (step-runner.ts, analysis steps). */
interface Window {
  /** As the author would say it: `the monitor window`. */
  what: string;
  ms: number;
  /** Where it is written; undefined when it is the preset's. */
  path: Path | undefined;
}

/** Every warning of a config that passed the schema and semanticIssues. */
export function configWarnings(config: RawConfig): SemanticIssue[] {
  const staging = new Set(Object.values(config.environments).flatMap((env) => env.staging ?? []));
  const warnings = Object.entries(config.environments).flatMap(([name, env]) =>
    intervalWarnings(config, name, env, staging.has(name)),
  );
  // A shared value (strategies.blue-green) is said once, not once per environment using it.
  return [...new Map(warnings.map((w) => [JSON.stringify(w), w])).values()];
}

/**
 * The windows watched every `monitor_interval` (the monitor window; as a staging environment, its
 * validation_window; a blue-green switch's verify_after_switch; a canary step's analysis, its pause): one shorter than the interval is watched as
 * one interval of its own length (health checks at its start and end, one metrics reading over it), not every
 * interval written; and the metrics analysis reads whole intervals, so a window that is not a whole number of
 * them lasts to the end of its last one, longer than written. Said only where the author wrote one of the two
 * (the presets' own values agree), at the interval when it is written.
 */
function intervalWarnings(
  config: RawConfig,
  name: string,
  env: RawEnvironment,
  isStaging: boolean,
): SemanticIssue[] {
  const base: Path = ['environments', name];
  const preset = PRESETS[config.preset ?? 'seeds'];
  const intervalWritten = env.monitor_interval !== undefined;
  const interval = env.monitor_interval ?? preset.monitorIntervalMs;
  const intervalText = `monitor_interval (${formatDuration(interval)}${intervalWritten ? '' : ', the default'})`;
  const windows: Window[] = [
    {
      what: 'the monitor window',
      ms: env.monitor ?? preset.monitorMs,
      path: env.monitor === undefined ? undefined : [...base, 'monitor'],
    },
  ];
  if (isStaging)
    windows.push({
      what: 'its validation_window (as a staging environment)',
      ms: env.validation_window ?? preset.validationWindowMs,
      path: env.validation_window === undefined ? undefined : [...base, 'validation_window'],
    });
  const verify = verifyWindow(config, name, env, preset.blueGreen.verifyAfterSwitchMs);
  if (verify) windows.push(verify);
  windows.push(...canaryWindows(config, name, env));
  const analysed = (env.analysis ?? config.analysis) !== undefined;
  const warnings: SemanticIssue[] = [];
  for (const window of windows) {
    if (window.ms <= 0 || (!intervalWritten && !window.path)) continue;
    const path = intervalWritten ? [...base, 'monitor_interval'] : window.path!;
    const windowText = `${window.what} (${formatDuration(window.ms)}${window.path ? '' : ', the default'})`;
    if (interval > window.ms)
      warnings.push({
        path,
        message:
          `${intervalText} is longer than ${windowText}: that window is watched as one interval of ` +
          `${formatDuration(window.ms)} (health checks at its start and end, one metrics reading over it), ` +
          `not every ${formatDuration(interval)}; make monitor_interval at most ${formatDuration(window.ms)}, or the window longer`,
      });
    else if (analysed && window.ms % interval !== 0) {
      const intervals = Math.ceil(window.ms / interval);
      warnings.push({
        path,
        message:
          `${windowText} is not a whole number of ${intervalText}: the analysis reads whole intervals, so ` +
          `it lasts ${intervals} intervals (${formatDuration(intervals * interval)}), longer than written; ` +
          'make the window a multiple of the interval',
      });
    }
  }
  return warnings;
}

/** A blue-green environment's verify_after_switch, where it is written (its own strategy, or strategies.blue-green). */
function verifyWindow(
  config: RawConfig,
  name: string,
  env: RawEnvironment,
  presetMs: number,
): Window | undefined {
  if (strategyType(env) !== 'blue-green') return undefined;
  const own =
    typeof env.strategy === 'object' && env.strategy.type === 'blue-green'
      ? env.strategy.verify_after_switch
      : undefined;
  const shared = config.strategies?.['blue-green']?.verify_after_switch;
  const what = 'its verify_after_switch window';
  if (own !== undefined)
    return { what, ms: own, path: ['environments', name, 'strategy', 'verify_after_switch'] };
  if (shared !== undefined)
    return { what, ms: shared, path: ['strategies', 'blue-green', 'verify_after_switch'] };
  return { what, ms: presetMs, path: undefined };
}

/**
 * A canary's step analyses whose length is written: a step's own `pause`, or the strategy's `pause` for the
 * steps without one (resolve.ts: own over strategies.canary). A `pause: manual` step analyses for the latter.
 */
function canaryWindows(config: RawConfig, name: string, env: RawEnvironment): Window[] {
  if (strategyType(env) !== 'canary') return [];
  const own = typeof env.strategy === 'object' && env.strategy.type === 'canary' ? env.strategy : undefined;
  const shared = config.strategies?.canary;
  const at = (key: 'steps' | 'pause'): Path | undefined =>
    own?.[key] !== undefined
      ? ['environments', name, 'strategy', key]
      : shared?.[key] !== undefined
        ? ['strategies', 'canary', key]
        : undefined;
  const stepsPath = at('steps');
  const pausePath = at('pause');
  const steps = own?.steps ?? shared?.steps;
  const pause = own?.pause ?? shared?.pause;
  const byDefault: Window | undefined =
    pausePath && typeof pause === 'number'
      ? { what: 'the analysis of a canary step (its pause)', ms: pause, path: pausePath }
      : undefined;
  if (!steps) return byDefault ? [byDefault] : [];
  return steps.flatMap((step, index): Window[] => {
    const stepPause = typeof step === 'object' ? step.pause : undefined;
    if (typeof stepPause === 'number' && stepsPath)
      return [
        {
          what: `the analysis of canary step ${index + 1} (its pause)`,
          ms: stepPause,
          path: [...stepsPath, index, 'pause'],
        },
      ];
    return byDefault ? [byDefault] : [];
  });
}
