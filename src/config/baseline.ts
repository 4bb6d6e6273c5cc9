// The canary's fresh baseline (issue 15): `baseline: fresh` deploys the stable version again beside the canary
// and gives it the canary's share at every step, so the analysis compares two fresh processes. What it needs
// from the rest of the config, checked here so a config that cannot work is refused before anything runs:
// a router that can route to three backends (set_weight told the baseline's slot and weight), a teardown to
// remove the baseline, room for two equal shares at every step but the last, and a slot of its own.
import type { AnalysisConfigInput } from '../analysis/schema.ts';
import { placeholders } from '../targets/template.ts';
import { formatPath } from './errors.ts';
import { DEFAULT_BASELINE_SLOT, type CanaryParams, type RawConfig, type RawEnvironment } from './schema.ts';

type Path = (string | number)[];

export interface BaselineIssue {
  path: Path;
  message: string;
}

/** Variables only a canary with a fresh baseline sets. */
export const BASELINE_VARIABLES = ['baseline_slot', 'baseline_weight'] as const;

export interface CanaryBaseline {
  slot: string;
  /** Where `baseline: fresh` is written. */
  path: Path;
  /** Where `baseline_slot` is written (or would be). */
  slotPath: Path;
  slots?: readonly string[];
  slotsPath: Path;
  steps?: CanaryParams['steps'];
  stepsPath: Path;
}

/** The canary parameters an environment runs with: its own over `strategies.canary`, each with its path. */
function canaryParamsOf(config: RawConfig, name: string, env: RawEnvironment) {
  const own = typeof env.strategy === 'object' && env.strategy.type === 'canary' ? env.strategy : undefined;
  const shared = config.strategies?.canary;
  const ownPath: Path = ['environments', name, 'strategy'];
  const sharedPath: Path = ['strategies', 'canary'];
  const pick = <K extends keyof CanaryParams>(key: K): { value: CanaryParams[K]; path: Path } =>
    own?.[key] !== undefined
      ? { value: own[key], path: [...ownPath, key] }
      : { value: shared?.[key], path: [...(shared?.[key] !== undefined ? sharedPath : ownPath), key] };
  return pick;
}

/** The environment's fresh baseline, when its strategy is a canary with `baseline: fresh`. */
export function canaryBaselineOf(
  config: RawConfig,
  name: string,
  env: RawEnvironment,
  strategy: string,
): CanaryBaseline | undefined {
  if (strategy !== 'canary') return undefined;
  const pick = canaryParamsOf(config, name, env);
  const baseline = pick('baseline');
  if (baseline.value !== 'fresh') return undefined;
  const slot = pick('baseline_slot');
  const slots = pick('slots');
  const steps = pick('steps');
  return {
    slot: slot.value ?? DEFAULT_BASELINE_SLOT,
    path: baseline.path,
    slotPath: slot.path,
    slots: slots.value,
    slotsPath: slots.path,
    steps: steps.value,
    stepsPath: steps.path,
  };
}

/** The templates of one command as written (argv elements or a command line). */
export type CommandTemplates = readonly string[];

/**
 * What a fresh baseline needs. `setWeight` / `teardown`: the templates of those commands (undefined when the
 * target has none); `where`: how to name the target's commands in messages; `defaultSlots`: the slots used
 * when the canary names none.
 */
export function baselineIssues(
  baseline: CanaryBaseline,
  target: {
    setWeight?: CommandTemplates;
    teardown?: CommandTemplates;
    commandsPath: Path;
    where: string;
  },
  defaultSlots: readonly string[],
): BaselineIssue[] {
  const issues: BaselineIssue[] = [];
  const slots = baseline.slots ?? defaultSlots;
  if (slots.includes(baseline.slot))
    issues.push({
      path: baseline.slotPath,
      message: `the fresh baseline's slot "${baseline.slot}" is also one of the canary's slots (${slots.join(', ')}): the baseline needs a slot of its own (set baseline_slot)`,
    });
  if (target.setWeight) {
    const used = new Set(target.setWeight.flatMap((t) => placeholders(t)));
    const missing = BASELINE_VARIABLES.filter((v) => !used.has(v));
    if (missing.length > 0)
      issues.push({
        path: [...target.commandsPath, 'set_weight'],
        message: `with baseline: fresh (${formatPath(baseline.path)}) traffic is split three ways (canary, baseline, stable), but this set_weight command does not use ${missing.map((v) => `{{${v}}}`).join(' and ')}: a router that is not told the baseline's slot and share cannot route to three backends (e.g. add --baseline {{baseline_slot}} --baseline-weight {{baseline_weight}})`,
      });
  }
  if (!target.teardown)
    issues.push({
      path: baseline.path,
      message: `a fresh baseline is torn down at promotion and on every rollback, with a "teardown" command, which ${target.where} does not define`,
    });
  (baseline.steps ?? []).forEach((step, index) => {
    const weight = typeof step === 'number' ? step : step.weight;
    if (weight < 100 && weight > 50)
      issues.push({
        path: [...baseline.stepsPath, index],
        message: `weight ${weight} leaves no room for a baseline with the same share (${weight} % canary + ${weight} % baseline > 100 %): with baseline: fresh every step but the last (100) must be at most 50`,
      });
  });
  return issues;
}

/** A template that tells the baseline's slot from stable's: the baseline side renders {{slot}} as its slot. */
const selectsSlot = (template: string) =>
  placeholders(template).some((name) => name === 'slot' || name === 'baseline_slot');

/**
 * The baseline and stable run the same version, so a metric the comparison side reads by version alone would
 * mix the two: with a fresh baseline every Prometheus query and every prober URL the comparison side uses
 * must select by {{slot}} (rendered as the baseline's slot there) or {{baseline_slot}}.
 */
export function baselineAnalysisIssues(
  baseline: CanaryBaseline,
  analysis: AnalysisConfigInput | undefined,
  analysisPath: Path,
): BaselineIssue[] {
  if (!analysis) return [];
  const issues: BaselineIssue[] = [];
  const why = `with baseline: fresh (${formatPath(baseline.path)}) the baseline runs the stable version beside stable, so the side compared with the canary must be selected by slot, not by version alone: use {{slot}} (the baseline's slot on that side) or {{baseline_slot}}, e.g. slot="{{slot}}"`;
  const providers = analysis.providers ?? {};
  for (const [name, provider] of Object.entries(providers)) {
    if (provider.type !== 'http') continue;
    const [template, key] = provider.stable_url ? [provider.stable_url, 'stable_url'] : [provider.url, 'url'];
    if (!selectsSlot(template))
      issues.push({
        path: [...analysisPath, 'providers', name, key],
        message: `the prober's ${key} does not name a slot: ${why}`,
      });
  }
  for (const [name, metric] of Object.entries(analysis.metrics ?? {})) {
    if (providers[metric.provider]?.type !== 'prometheus') continue;
    const [template, key] = metric.stable_query
      ? [metric.stable_query, 'stable_query']
      : [metric.query, 'query'];
    if (template !== undefined && !selectsSlot(template))
      issues.push({
        path: [...analysisPath, 'metrics', name, key],
        message: `this ${key} does not select by slot: ${why}`,
      });
  }
  return issues;
}
