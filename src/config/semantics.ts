// Rules the schema cannot express because they relate one part of the config to another: every environment
// can reach a target, staging references are sound, the strategy's needs are met by the target's commands,
// commands split without a shell, and templates only use variables that will have a value.
import { splitCommand } from '../targets/command-line.ts';
import { commandChecks, type CommandChecks } from './command-checks.ts';
import { isKnownVariable, placeholders } from '../targets/template.ts';
import type {
  CanaryParams,
  CommandSpec,
  CommandTargetConfig,
  HealthCheck,
  RawConfig,
  RawEnvironment,
  RollingParams,
  StrategyName,
} from './schema.ts';
import { BOTH_GATES, MANUAL, TEMPLATE_VARIABLES } from './schema.ts';
import { formatPath } from './errors.ts';
import { didYouMean, listOf, quotedNames, unknownEnvironmentMessage } from './suggest.ts';
import { invisibleCharacter } from './invisible.ts';
import { policyIssues } from '../policy/resolve.ts';
import { notificationIssues } from '../notify/resolve.ts';
import { afterSuccessCommand, countOf, resolveStrategy, strategyType } from './resolve.ts';
import { BASELINE_VARIABLES, baselineAnalysisIssues, baselineIssues, canaryBaselineOf } from './baseline.ts';
import { PRESETS, type Preset } from './presets.ts';
import { malformedTemplateIssues } from './malformed-template.ts';
import { untemplatedFieldIssues } from './untemplated-fields.ts';
import {
  analysisChecks,
  analysisTemplateIssues,
  slotlessStrategy,
  type AnalysisChecks,
} from './analysis-templates.ts';
import { analysedWindows, unsetInWindows } from './analysis-windows.ts';

export interface SemanticIssue {
  path: (string | number)[];
  message: string;
  /** Where in the string value at `path` the problem is (0-based), when the check knows it. */
  offset?: number;
}

type Path = (string | number)[];

/** Every cross-field problem in a config that already passed the schema. */
export function semanticIssues(config: RawConfig): SemanticIssue[] {
  const issues: SemanticIssue[] = [...stagingIssues(config), ...sharedStrategyIssues(config)];
  const unknown: UnknownVariable[] = [];
  const checks = commandChecks();
  const shared: SharedWork = {
    checks,
    analysis: analysisChecks(checks),
    stagingNames: new Set(Object.values(config.environments).flatMap((env) => env.staging ?? [])),
    baselinesSaid: new Set(),
  };
  for (const [name, env] of Object.entries(config.environments)) {
    const found = environmentIssues(config, name, env, shared);
    issues.push(...found.issues);
    unknown.push(...found.unknown);
  }
  issues.push(...unknownVariableIssues(config, unknown));
  // A top-level analysis every environment replaces with its own is checked alone: no environment to name.
  const analysis = config.analysis;
  if (analysis && Object.values(config.environments).every((env) => env.analysis))
    issues.push(
      ...analysisTemplateIssues(
        analysis,
        ['analysis'],
        { name: '', freshBaseline: true, canary: true, variables: [] },
        checks,
      ),
    );
  // Who may deploy and approve, windows and required environments (src/policy).
  issues.push(...policyIssues(config));
  issues.push(...requiresIssues(config));
  issues.push(...notificationIssues(config));
  issues.push(...untemplatedFieldIssues(config));
  const unique = new Map(issues.map((issue) => [JSON.stringify(issue), issue]));
  return [...unique.values()];
}

interface ResolvedTarget {
  target: CommandTargetConfig;
  path: Path;
}

function targetOf(config: RawConfig, env: RawEnvironment, name: string): ResolvedTarget | undefined {
  if (env.target) return { target: env.target, path: ['environments', name, 'target'] };
  if (config.target) return { target: config.target, path: ['target'] };
  return undefined;
}

/**
 * What the environments' checks share, made once per validation: each environment's work is its own size, not
 * the size of the sections it shares (a top-level analysis, the other environments).
 */
interface SharedWork {
  checks: CommandChecks;
  analysis: AnalysisChecks;
  /** The environments another names as its staging. */
  stagingNames: ReadonlySet<string>;
  /** The baseline analysis checks already made, by the section's path and the baseline's (all they depend on). */
  baselinesSaid: Set<string>;
}

function environmentIssues(
  config: RawConfig,
  name: string,
  env: RawEnvironment,
  shared: SharedWork,
): { issues: SemanticIssue[]; unknown: UnknownVariable[] } {
  const { checks } = shared;
  const base: Path = ['environments', name];
  const resolved = targetOf(config, env, name);
  const issues: SemanticIssue[] = [];
  if (!resolved) {
    issues.push({
      path: base,
      message:
        'has no target: add a "target" to this environment, or a top-level "target" shared by all of them',
    });
  } else {
    issues.push(...strategyNeeds(config, name, env, resolved));
    const baseline = canaryBaselineOf(config, name, env, strategyType(env));
    if (baseline) {
      const commands = resolved.target.commands;
      issues.push(
        ...baselineIssues(
          baseline,
          {
            setWeight: commandTemplates(commands.set_weight),
            teardown: commandTemplates(commands.teardown),
            commandsPath: [...resolved.path, 'commands'],
            where: formatPath([...resolved.path, 'commands']),
          },
          PRESETS[config.preset ?? 'seeds'].blueGreen.slots,
        ),
        ...sharedBaselineAnalysisIssues(config, name, env, baseline, shared.baselinesSaid),
      );
    }
  }
  issues.push(...strategyParamIssues(config, name, env));
  const analysis = env.analysis ?? config.analysis;
  if (analysis)
    issues.push(
      ...shared.analysis.issues(analysis, env.analysis ? [...base, 'analysis'] : ['analysis'], {
        name,
        freshBaseline: canaryBaselineOf(config, name, env, strategyType(env)) !== undefined,
        canary: strategyType(env) === 'canary',
        slotless: slotlessStrategy(strategyType(env)),
        shared: !env.analysis,
        unsetIn: windowsUnset(config, name, env, shared.stagingNames.has(name)),
        variables: Object.keys(env.variables ?? {}),
      }),
    );
  const templates = templateIssues(config, name, env, resolved, checks);
  issues.push(...templates.issues);
  return { issues, unknown: templates.unknown };
}

/**
 * The variables a metrics window of the environment leaves without a value (analysis-windows.ts), each with
 * the window: its strategy's, the monitor window, and as another's staging environment its validation_window.
 * Undefined when the strategy does not resolve (the run says why).
 */
function windowsUnset(config: RawConfig, name: string, env: RawEnvironment, staging: boolean) {
  const preset = PRESETS[config.preset ?? 'seeds'];
  let strategy;
  try {
    strategy = resolveStrategy(config, env, preset);
  } catch {
    return undefined;
  }
  return unsetInWindows(
    analysedWindows(
      strategy,
      env.monitor ?? preset.monitorMs,
      staging ? (env.validation_window ?? preset.validationWindowMs) : undefined,
    ),
  );
}

/**
 * baselineAnalysisIssues for an environment whose canary compares with a fresh baseline. Its findings depend on
 * the analysis section, its path and the baseline's path alone, so environments sharing all three (a top-level
 * analysis and strategies.canary's baseline) are checked once: each found the same issues in every metric.
 */
function sharedBaselineAnalysisIssues(
  config: RawConfig,
  name: string,
  env: RawEnvironment,
  baseline: NonNullable<ReturnType<typeof canaryBaselineOf>>,
  said: Set<string>,
): SemanticIssue[] {
  const analysisPath = env.analysis ? ['environments', name, 'analysis'] : ['analysis'];
  // The section's path names the section: an environment's own sits at its own path.
  const key = JSON.stringify([analysisPath, baseline.path]);
  if (said.has(key)) return [];
  said.add(key);
  return baselineAnalysisIssues(baseline, env.analysis ?? config.analysis, analysisPath);
}

/** The templates a command is written with (argv elements, or its one command line). */
function commandTemplates(spec: CommandSpec | undefined): string[] | undefined {
  if (spec === undefined) return undefined;
  const line = typeof spec === 'object' && !Array.isArray(spec) ? spec.run : spec;
  return typeof line === 'string' ? [line] : [...line];
}

// ---------------------------------------------------------------------------------------------------------
// staging

function stagingIssues(config: RawConfig): SemanticIssue[] {
  const names = Object.keys(config.environments);
  const issues: SemanticIssue[] = [];
  for (const [name, env] of Object.entries(config.environments)) {
    if (env.staging === undefined) continue;
    const path = ['environments', name, 'staging'];
    if (env.staging === name) {
      issues.push({ path, message: `"${name}" cannot be its own staging environment` });
    } else if (invisibleCharacter(env.staging)) {
      issues.push({ path, message: unknownEnvironmentMessage(env.staging, names) });
    } else if (!Object.hasOwn(config.environments, env.staging)) {
      const others = names.filter((other) => other !== name);
      const hint = didYouMean(env.staging, others);
      const known = others.length > 0 ? ` (environments: ${quotedNames(others)})` : '';
      issues.push({ path, message: `unknown environment "${env.staging}"${hint}${known}` });
    }
  }
  // A cycle is reported once, at the member that comes first in the file. Each environment is walked once
  // (a chain of thousands was walked again from each of its members, with a list search at every step).
  const order = new Map(names.map((name, index) => [name, index]));
  const state = new Map<string, 'walking' | 'done'>();
  for (const start of names) {
    const chain: string[] = [];
    let current: string | undefined = start;
    while (current !== undefined && !state.has(current)) {
      state.set(current, 'walking');
      chain.push(current);
      const next: string | undefined = config.environments[current]?.staging;
      current = next !== undefined && next !== current && order.has(next) ? next : undefined;
    }
    if (current !== undefined && state.get(current) === 'walking') {
      const cycle = chain.slice(chain.indexOf(current));
      const first = cycle.reduce((a, b) => (order.get(a)! <= order.get(b)! ? a : b));
      const at = cycle.indexOf(first);
      const rotated = [...cycle.slice(at), ...cycle.slice(0, at)];
      issues.push({
        path: ['environments', first, 'staging'],
        message: `staging environments form a cycle: ${cycleText([...rotated, first])}`,
      });
    }
    for (const name of chain) state.set(name, 'done');
  }
  return issues;
}

/** `a -> b -> a`; a long cycle by its start and end, so the message stays one readable line. */
function cycleText(names: readonly string[]): string {
  if (names.length <= 10) return names.join(' -> ');
  const inCycle = names.length - 1;
  return `${[...names.slice(0, 5), '...', ...names.slice(-3)].join(' -> ')} (${inCycle} environments)`;
}

// ---------------------------------------------------------------------------------------------------------
// approvals.requires: prior environments that could never be met

/** Where an environment's `requires` come from: its own approvals, else the top level's. */
function requiresOf(config: RawConfig, name: string): { names: string[]; path: Path } | undefined {
  const own = config.environments[name]?.approvals?.requires;
  const written = own ?? config.approvals?.requires;
  if (written === undefined) return undefined;
  const path =
    own !== undefined ? ['environments', name, 'approvals', 'requires'] : ['approvals', 'requires'];
  return { names: [written].flat(), path };
}

/** The path of one entry of a `requires` (a single name is the key itself). */
function requiresEntry(config: RawConfig, from: { names: string[]; path: Path }, target: string): Path {
  const written =
    from.path[0] === 'approvals'
      ? config.approvals?.requires
      : config.environments[String(from.path[1])]?.approvals?.requires;
  return typeof written === 'string' ? from.path : [...from.path, from.names.indexOf(target)];
}

/**
 * `requires` that no deployment could ever satisfy: environments that require each other (a -> b -> a), each
 * waiting for the other forever. The top level's `requires` is taken by every environment without its own,
 * except by the environments it names (src/policy/resolve.ts), so it can be part of a cycle (requires:
 * [staging, qa] there: staging waits for qa and qa for staging) but never makes one wait for itself. A name
 * that is not an environment, or an environment's own name in its own `requires`, is reported by
 * policyIssues.
 */
function requiresIssues(config: RawConfig): SemanticIssue[] {
  const issues: SemanticIssue[] = [];
  const names = Object.keys(config.environments);
  const edges = new Map<string, string[]>();
  for (const name of names) {
    const from = requiresOf(config, name);
    if (!from) continue;
    edges.set(
      name,
      from.names.filter((other) => other !== name && Object.hasOwn(config.environments, other)),
    );
  }
  // One cycle per group of environments requiring each other, reported at its first member in the file.
  const state = new Map<string, 'walking' | 'done'>();
  const reported = new Set<string>();
  for (const start of names) {
    if (state.has(start)) continue;
    const stack: Array<{ name: string; next: number }> = [{ name: start, next: 0 }];
    state.set(start, 'walking');
    while (stack.length > 0) {
      const top = stack.at(-1)!;
      const targets = edges.get(top.name) ?? [];
      if (top.next >= targets.length) {
        state.set(top.name, 'done');
        stack.pop();
        continue;
      }
      const target = targets[top.next++]!;
      if (!state.has(target)) {
        state.set(target, 'walking');
        stack.push({ name: target, next: 0 });
      } else if (state.get(target) === 'walking') {
        const cycle = stack.slice(stack.findIndex((entry) => entry.name === target)).map((e) => e.name);
        const first = names.find((name) => cycle.includes(name))!;
        const at = cycle.indexOf(first);
        const rotated = [...cycle.slice(at), ...cycle.slice(0, at)];
        const key = [...rotated].sort().join('\n');
        if (reported.has(key)) continue;
        reported.add(key);
        const next = rotated[1] ?? first;
        issues.push({
          path: requiresEntry(config, requiresOf(config, first)!, next),
          message: `environments require each other's prior deployment in a cycle: ${cycleText([...rotated, first])}; none of them could ever deploy a new commit`,
        });
      }
    }
  }
  return issues;
}

// ---------------------------------------------------------------------------------------------------------
// strategies

function strategyNeeds(
  config: RawConfig,
  name: string,
  env: RawEnvironment,
  resolved: ResolvedTarget,
): SemanticIssue[] {
  const strategy = strategyType(env);
  const path = ['environments', name, 'strategy'];
  const commands = resolved.target.commands;
  const where = formatPath([...resolved.path, 'commands']);
  switch (strategy) {
    case 'canary':
      return commands.set_weight
        ? []
        : [
            {
              path,
              message: `the canary strategy shifts traffic with a "set_weight" command, which ${where} does not define`,
            },
          ];
    case 'blue-green':
      return commands.switch || commands.set_weight
        ? []
        : [
            {
              path,
              message: `the blue-green strategy moves traffic with a "switch" (or "set_weight") command, which ${where} does not define`,
            },
          ];
    case 'rolling': {
      const own =
        typeof env.strategy === 'object' && env.strategy.type === 'rolling' ? env.strategy : undefined;
      if (own?.instances !== undefined || config.strategies?.rolling?.instances !== undefined) return [];
      return [
        {
          path,
          message: 'the rolling strategy needs "instances" (names or a count), here or in strategies.rolling',
        },
      ];
    }
    default:
      return [];
  }
}

/** An environment's rolling strategy as the run merges it: its own values over strategies.rolling over the preset. */
function rollingIssues(config: RawConfig, name: string, env: RawEnvironment): SemanticIssue[] {
  const own = typeof env.strategy === 'object' && env.strategy.type === 'rolling' ? env.strategy : undefined;
  const path = ['environments', name, 'strategy'];
  const shared = config.strategies?.rolling;
  const sharedLayer = shared ? [{ params: shared, path: ['strategies', 'rolling'] }] : [];
  // strategies.rolling's own both-0 is reported once, there (sharedStrategyIssues), unless this one overrides it.
  const overrides = own?.max_surge !== undefined || own?.max_unavailable !== undefined;
  const sharedReported = !overrides && surgeIssues(sharedLayer).length > 0;
  const presetName = config.preset ?? 'seeds';
  return [
    ...(sharedReported
      ? []
      : surgeIssues([...(own ? [{ params: own, path }] : []), ...sharedLayer], {
          name: presetName,
          defaults: PRESETS[presetName].rolling,
        })),
    ...(own ? rollingGateIssues(own, path) : []),
  ];
}

/** Rolling and canary parameters written in an environment's strategy (merged over `strategies.*`). */
function strategyParamIssues(config: RawConfig, name: string, env: RawEnvironment): SemanticIssue[] {
  if (strategyType(env) === 'rolling') return rollingIssues(config, name, env);
  if (typeof env.strategy !== 'object') return [];
  const path = ['environments', name, 'strategy'];
  if (env.strategy.type === 'canary') return canaryStepIssues(env.strategy, path);
  return [];
}

function sharedStrategyIssues(config: RawConfig): SemanticIssue[] {
  const issues: SemanticIssue[] = [];
  if (config.strategies?.rolling) {
    issues.push(...surgeIssues([{ params: config.strategies.rolling, path: ['strategies', 'rolling'] }]));
    issues.push(...rollingGateIssues(config.strategies.rolling, ['strategies', 'rolling']));
  }
  if (config.strategies?.canary)
    issues.push(...canaryStepIssues(config.strategies.canary, ['strategies', 'canary']));
  return issues;
}

function isZero(amount: number | string | undefined): boolean {
  return amount === 0 || (typeof amount === 'string' && Number.parseInt(amount, 10) === 0);
}

type AmountName = 'max_surge' | 'max_unavailable';

/** One place rolling parameters are written, most specific first (the environment, then strategies.rolling). */
interface RollingLayer {
  params: RollingParams;
  path: Path;
}

/**
 * max_surge and max_unavailable as the run resolves them (resolve.ts: the most specific written value, else
 * the preset's; a percentage of the instances, surge rounded up and unavailable down). Both 0 replace nothing,
 * and the run would stop with no place named: so it is reported here, at the value written, also when a
 * percentage rounds down to 0 ("10%" of 3) or the other value is the preset's.
 */
function surgeIssues(
  layers: RollingLayer[],
  preset?: { name: string; defaults: Preset['rolling'] },
): SemanticIssue[] {
  const amount = (name: AmountName, key: 'maxSurge' | 'maxUnavailable') => {
    const layer = layers.find((l) => l.params[name] !== undefined);
    if (layer)
      return { name, value: layer.params[name]!, path: [...layer.path, name], layer: layers.indexOf(layer) };
    return preset ? { name, value: preset.defaults[key], fromPreset: preset.name } : undefined;
  };
  const surge = amount('max_surge', 'maxSurge');
  const unavailable = amount('max_unavailable', 'maxUnavailable');
  if (!surge || !unavailable) return [];
  const instances = layers.find((l) => l.params.instances !== undefined)?.params.instances;
  const count = typeof instances === 'number' ? instances : instances?.length;
  // Without a count a percentage other than 0% cannot be judged (the missing instances are reported apart).
  const resolved = (value: number | string, round: 'up' | 'down') =>
    count === undefined ? (isZero(value) ? 0 : 1) : countOf(value, count, round);
  if (resolved(surge.value, 'up') > 0 || resolved(unavailable.value, 'down') > 0) return [];
  const written = [surge, unavailable].filter((a) => 'path' in a);
  const at = written.sort((a, b) => a.layer! - b.layer!)[0];
  if (!at?.path) return [];
  const literal = written.length === 2 && isZero(surge.value) && isZero(unavailable.value);
  const describe = (a: typeof surge) => {
    const preset = 'fromPreset' in a && a.fromPreset ? ` (the ${a.fromPreset} preset's default)` : '';
    if (isZero(a.value)) return `${a.name} is ${a.value}${preset}`;
    return `${a.name} ${JSON.stringify(a.value)} of ${count} instance(s) rounds down to 0${preset}`;
  };
  return [
    {
      path: at.path,
      message: `${literal ? 'max_surge and max_unavailable are both 0' : `${describe(surge)} and ${describe(unavailable)}`}: no instance could ever be replaced; let one of them be at least 1`,
    },
  ];
}

/** A batch waits for one /promote (`pause: manual`) or for N approvers (`approval: N`), not both. */
function rollingGateIssues(params: RollingParams, path: Path): SemanticIssue[] {
  if (params.pause !== MANUAL || params.approval === undefined) return [];
  return [
    {
      path: [...path, 'approval'],
      message: BOTH_GATES,
    },
  ];
}

function canaryStepIssues(params: CanaryParams, path: Path): SemanticIssue[] {
  const issues: SemanticIssue[] = [];
  const weights = (params.steps ?? []).map((step) => (typeof step === 'number' ? step : step.weight));
  // [0.01, 0.1, 0.5, 1] is fractions written for percentages: read as written, the canary would take 1% of
  // traffic at most and then jump to all of it.
  const fraction = weights.findIndex((weight) => !Number.isInteger(weight));
  if (fraction >= 0 && weights.every((weight) => weight <= 1)) {
    const weight = weights[fraction]!;
    const percent = (w: number) => Number((w * 100).toPrecision(6));
    const stepPath = [...path, 'steps', fraction];
    issues.push({
      path: typeof params.steps?.[fraction] === 'number' ? stepPath : [...stepPath, 'weight'],
      message: `weights are percentages of traffic (0 to 100), and no step here is above 1: ${weight} is ${weight}% of traffic, not ${percent(weight)}%; write the percentages (${weights.map(percent).join(', ')})`,
    });
  }
  // A canary is a share of traffic on the new version, analysed before all of it goes there. Steps with none
  // between 0 and 100 ([100]: everything at once; [0]: no traffic, then everything) analyse no such share,
  // and promote as a blue-green switch would, with none of its checks of the idle slot. One step is enough.
  if (weights.length > 0 && !weights.some((weight) => weight > 0 && weight < 100)) {
    issues.push({
      path: [...path, 'steps'],
      message: `no step gives the canary a share of traffic (a weight between 0 and 100): [${weights.join(', ')}] moves all traffic to the new version without analysing it on part of the traffic first; start with a small step (steps: [5] or [5, 25, 50], promotion to 100 follows), or use the blue-green strategy to switch all traffic at once`,
    });
  }
  for (let index = 1; index < weights.length; index++) {
    const previous = weights[index - 1]!;
    const weight = weights[index]!;
    if (weight <= previous) {
      issues.push({
        path: [...path, 'steps', index],
        message: `weight ${weight} is not above the previous step's ${previous}: canary weights must increase strictly`,
      });
    }
  }
  return issues;
}

// ---------------------------------------------------------------------------------------------------------
// commands and templates

interface CommandSite {
  path: Path;
  spec: CommandSpec;
  shell: boolean;
}

interface UrlSite {
  path: Path;
  url: string;
}

function commandSites(spec: CommandSpec | undefined, path: Path, defaultShell: boolean): CommandSite[] {
  if (spec === undefined) return [];
  const shell =
    typeof spec === 'object' && !Array.isArray(spec) ? (spec.shell ?? defaultShell) : defaultShell;
  return [{ path, spec, shell }];
}

const URL_PATTERN = /^https?:\/\//;

/**
 * Health checks: one check or a list of them. A list of strings matches the schema's first branch, a single
 * argv command, so `[url, url]` would run the first URL as a program: that is reported instead.
 */
function healthSites(health: HealthCheck | HealthCheck[] | undefined, path: Path, shell: boolean) {
  const sites = { commands: [] as CommandSite[], urls: [] as UrlSite[], issues: [] as SemanticIssue[] };
  if (health === undefined) return sites;
  const isCheckList = Array.isArray(health) && !health.every((item) => typeof item === 'string');
  const checks = isCheckList
    ? (health as HealthCheck[]).map((check, index) => ({ check, path: [...path, index] }))
    : [{ check: health as HealthCheck, path }];
  for (const { check, path: checkPath } of checks) {
    if (typeof check === 'string' && URL_PATTERN.test(check)) {
      sites.urls.push({ path: checkPath, url: check });
    } else if (typeof check === 'object' && !Array.isArray(check) && 'url' in check) {
      sites.urls.push({ path: [...checkPath, 'url'], url: check.url });
    } else if (Array.isArray(check) && URL_PATTERN.test(check[0] ?? '')) {
      sites.issues.push({
        path: checkPath,
        message:
          'a list of strings is one command (program and arguments); for several URL checks write each as "- url: ..."',
      });
    } else {
      sites.commands.push(...commandSites(check as CommandSpec, checkPath, shell));
    }
  }
  return sites;
}

function targetSites(resolved: ResolvedTarget) {
  const { target, path } = resolved;
  const shell = target.shell ?? false;
  const commands = target.commands;
  const at = (key: string): Path => [...path, 'commands', key];
  const health = healthSites(commands.health, at('health'), shell);
  return {
    commands: [
      ...commandSites(commands.deploy, at('deploy'), shell),
      ...commandSites(commands.switch, at('switch'), shell),
      ...commandSites(commands.set_weight, at('set_weight'), shell),
      ...commandSites(commands.smoke, at('smoke'), shell),
      ...commandSites(commands.rollback, at('rollback'), shell),
      ...commandSites(commands.teardown, at('teardown'), shell),
      ...commandSites(commands.current, at('current'), shell),
      ...health.commands,
    ],
    urls: health.urls,
    issues: health.issues,
  };
}

function environmentSites(
  config: RawConfig,
  name: string,
  env: RawEnvironment,
  resolved: ResolvedTarget | undefined,
) {
  const base: Path = ['environments', name];
  const shell = resolved?.target.shell ?? false;
  const fromTarget = resolved ? targetSites(resolved) : { commands: [], urls: [], issues: [] };
  const health = healthSites(env.health, [...base, 'health'], shell);
  const hooks = env.hooks;
  const commands: CommandSite[] = [
    ...fromTarget.commands,
    ...health.commands,
    ...commandSites(env.smoke, [...base, 'smoke'], shell),
    ...commandSites(hooks?.backup, [...base, 'hooks', 'backup'], shell),
    ...commandSites(hooks?.migrate, [...base, 'hooks', 'migrate'], shell),
    ...commandSites(hooks?.on_success, [...base, 'hooks', 'on_success'], shell),
    ...commandSites(
      hooks?.after_success && afterSuccessCommand(hooks.after_success),
      [...base, 'hooks', 'after_success'],
      shell,
    ),
    ...(hooks?.on_rollback ?? []).flatMap((level, index) => [
      ...commandSites(level.run, [...base, 'hooks', 'on_rollback', index, 'run'], shell),
      ...(level.verify === 'health'
        ? []
        : commandSites(level.verify, [...base, 'hooks', 'on_rollback', index, 'verify'], shell)),
    ]),
  ];
  // "verify: health" checks the environment's health checks: with none, it would check nothing.
  const issues: SemanticIssue[] = [];
  if (resolved && env.health === undefined && resolved.target.commands.health === undefined)
    (hooks?.on_rollback ?? []).forEach((level, index) => {
      if (level.verify === 'health')
        issues.push({
          path: [...base, 'hooks', 'on_rollback', index, 'verify'],
          message:
            '"health" checks the environment\'s health checks, and there are none: add "health" to the environment or its target, or verify with a command',
        });
    });
  const urls = [...fromTarget.urls, ...health.urls];
  if (strategyType(env) === 'blue-green') {
    const own =
      typeof env.strategy === 'object' && env.strategy.type === 'blue-green'
        ? env.strategy.warmup?.url
        : undefined;
    const shared = config.strategies?.['blue-green']?.warmup?.url;
    if (own !== undefined) urls.push({ path: [...base, 'strategy', 'warmup', 'url'], url: own });
    else if (shared !== undefined)
      urls.push({ path: ['strategies', 'blue-green', 'warmup', 'url'], url: shared });
  }
  return { commands, urls, issues: [...fromTarget.issues, ...health.issues, ...issues] };
}

/** Variables that only some strategies set; anywhere else they would have no value at run time. */
const STRATEGY_VARIABLES: Record<string, readonly StrategyName[]> = {
  slot: ['blue-green', 'canary'],
  stable_slot: ['blue-green', 'canary'],
  weight: ['blue-green', 'canary'],
  stable_weight: ['blue-green', 'canary'],
  batch: ['rolling'],
  batches: ['rolling'],
  instances: ['rolling'],
  instance_count: ['rolling'],
  surge: ['rolling'],
};

/**
 * Values set for one step of the strategy only (the target's commands run for it: stepValues). Hooks and the
 * smoke command run outside the steps, with the deployment's values (deploymentValues): one of these there
 * failed only when the hook ran, a delayed hook a day later, never retried.
 */
const STEP_VARIABLES = ['slot', 'weight', 'stable_weight', 'batch', 'instance_count'];

/** A `{{name}}` that has no value in one environment using that template. */
interface UnknownVariable {
  path: Path;
  variable: string;
  environment: string;
}

/** Templates in a `shell: true` script placed where no quoting could protect their value (shell-script.ts). */
function shellTemplateIssues(
  checks: CommandChecks,
  script: string,
  path: Path,
  placed = true,
): SemanticIssue[] {
  return checks
    .shellProblems(script)
    .map(({ message, offset }) => (placed ? { path, message, offset } : { path, message }));
}

/** Templates in the script of a shell an argv command starts (`bash -c "…"`) that it cannot run safely. */
function argvShellIssues(checks: CommandChecks, argv: readonly string[], path: Path): SemanticIssue[] {
  return checks.argvProblems(argv).map((message) => ({ path, message }));
}

/** Commands that cannot be split without a shell, and template variables unknown to this environment. */
function templateIssues(
  config: RawConfig,
  name: string,
  env: RawEnvironment,
  resolved: ResolvedTarget | undefined,
  checks: CommandChecks,
): { issues: SemanticIssue[]; unknown: UnknownVariable[] } {
  const sites = environmentSites(config, name, env, resolved);
  const issues: SemanticIssue[] = [...sites.issues];
  const unknown: UnknownVariable[] = [];
  const variables = Object.keys(env.variables ?? {});
  const strategy = strategyType(env);
  const baseline = canaryBaselineOf(config, name, env, strategy);
  const checkTemplate = (template: string, path: Path) => {
    issues.push(...malformedTemplateIssues(template, path, (v) => isKnownVariable(v, variables)));
    // Traffic commands only run under strategies that move traffic between slots.
    const command = path[path.indexOf('commands') + 1];
    const runs =
      !(command === 'switch' || command === 'set_weight') ||
      strategy === 'blue-green' ||
      strategy === 'canary';
    // The one a strategy runs: a canary's set_weight; blue-green's switch, or its set_weight without one.
    const traffic = command === 'switch' || command === 'set_weight';
    const rendered =
      !traffic ||
      (strategy === 'canary' && command === 'set_weight') ||
      (strategy === 'blue-green' && (command === 'switch' || resolved?.target.commands.switch === undefined));
    const outsideSteps = path[0] === 'environments' && (path[2] === 'hooks' || path[2] === 'smoke');
    for (const variable of placeholders(template)) {
      if (!isKnownVariable(variable, variables)) unknown.push({ path, variable, environment: name });
      else if (outsideSteps && STEP_VARIABLES.includes(variable) && !variables.includes(variable)) {
        issues.push({
          path,
          message:
            `{{${variable}}} has no value in ${path[2] === 'smoke' ? 'the smoke command' : `hooks.${String(path[3])}`}: ` +
            "it is set for each step of the strategy (the target's commands), and hooks and smoke run outside them, " +
            "with the deployment's values ({{version}}, {{previous_version}}, {{environment}}, {{stable_slot}}: the live slot, …)",
        });
      } else if (
        (BASELINE_VARIABLES as readonly string[]).includes(variable) &&
        !variables.includes(variable)
      ) {
        // baseline_slot: every command of a canary with a fresh baseline; baseline_weight: its set_weight. A
        // traffic command the environment's strategy never runs (a shared target's set_weight under direct,
        // rolling, or blue-green with a switch) renders neither.
        if (rendered && (!baseline || (variable === 'baseline_weight' && command !== 'set_weight')))
          issues.push({
            path,
            message: `{{${variable}}} has no value here in environment "${name}": it is set ${variable === 'baseline_weight' ? 'for the set_weight command ' : ''}by the canary strategy with baseline: fresh`,
          });
      } else if (runs && !variables.includes(variable)) {
        const setBy = STRATEGY_VARIABLES[variable];
        if (setBy && !setBy.includes(strategy)) {
          issues.push({
            path,
            message:
              `{{${variable}}} has no value with the ${strategy} strategy of environment "${name}": ` +
              `it is set by ${listOf(setBy, 'and')}`,
          });
        }
      }
    }
  };

  for (const site of sites.commands) {
    const line = typeof site.spec === 'object' && !Array.isArray(site.spec) ? site.spec.run : site.spec;
    const linePath = line === site.spec ? site.path : [...site.path, 'run'];
    if (typeof line === 'string') {
      if (!site.shell) {
        const split = splitCommand(line);
        if (!split.ok) issues.push({ path: linePath, message: split.message, offset: split.offset });
        else issues.push(...argvShellIssues(checks, split.argv, linePath));
      } else issues.push(...shellTemplateIssues(checks, line, linePath));
      checkTemplate(line, linePath);
    } else {
      // The words joined: an offset in that text is no place in the file.
      if (site.shell) issues.push(...shellTemplateIssues(checks, line.join(' '), linePath, false));
      else issues.push(...argvShellIssues(checks, line, linePath));
      line.forEach((arg, index) => checkTemplate(arg, [...linePath, index]));
    }
  }
  for (const site of sites.urls) checkTemplate(site.url, site.path);
  if (strategy === 'rolling') {
    // The environment's own health checks replace the target's (resolve.ts): a target URL it never checks is
    // judged by the environments that do.
    const targetHealth = resolved ? [...resolved.path, 'commands', 'health'] : [];
    const checked =
      env.health === undefined || !resolved
        ? sites.urls
        : sites.urls.filter((site) => !targetHealth.every((key, i) => site.path[i] === key));
    issues.push(...instancesHostIssues(config, name, env, checked));
  }
  return { issues, unknown };
}

const INSTANCES_TEMPLATE = /\{\{[ \t]*instances[ \t]*\}\}/;

/**
 * {{instances}} in the host of a rolling environment's URL: it is the batch's instances joined by commas, and in
 * verify and the monitor window every instance, so with more than one instance the URL names no server
 * (http://web-1%2Cweb-2.fleet/health) and every deployment fails its checks and is rolled back.
 */
function instancesHostIssues(
  config: RawConfig,
  name: string,
  env: RawEnvironment,
  urls: ReadonlyArray<{ path: Path; url: string }>,
): SemanticIssue[] {
  const own =
    typeof env.strategy === 'object' && env.strategy.type === 'rolling' ? env.strategy.instances : undefined;
  const instances = own ?? config.strategies?.rolling?.instances;
  const names =
    typeof instances === 'number'
      ? Array.from({ length: Math.min(instances, 3) }, (_, i) => String(i + 1))
      : (instances ?? []).slice(0, 3);
  const count = typeof instances === 'number' ? instances : (instances?.length ?? 0);
  if (count < 2) return [];
  const joined = `${names.join(',')}${count > names.length ? ',…' : ''}`;
  return urls
    .filter((site) => INSTANCES_TEMPLATE.test(/^[^:]*:\/\/([^/?#]*)/.exec(site.url)?.[1] ?? ''))
    .map((site) => ({
      path: site.path,
      message:
        // A shared target's URL is judged once per environment using it: each says which one it is.
        `{{instances}} is the instances joined by commas (${joined}${site.path[0] === 'environments' ? '' : ` of environment "${name}"`} in verify and the monitor window, every instance): ` +
        'in the host of a URL it names no server, so every check would fail; check each instance with a command ' +
        '(health: ./check.sh {{instances}}), or put {{instances}} in the path or query of one address',
    }));
}

/**
 * One issue per template variable and place. A template shared by several environments (the top-level
 * target, strategies.*) names the environments lacking the variable, unless none of them has it.
 */
function unknownVariableIssues(config: RawConfig, unknown: readonly UnknownVariable[]): SemanticIssue[] {
  // Each group grows in place and each variable's definers are found once: a shared target's unknown variable
  // copied its group at every environment and scanned every environment for each place, so 20,000 environments
  // took 7 s to say three unknown variables.
  const groups = new Map<string, UnknownVariable[]>();
  for (const entry of unknown) {
    const key = JSON.stringify([entry.path, entry.variable]);
    const group = groups.get(key);
    if (group) group.push(entry);
    else groups.set(key, [entry]);
  }
  const definers = new Map<string, string[]>();
  const definedBy = (variable: string): string[] => {
    let names = definers.get(variable);
    if (!names) {
      names = Object.entries(config.environments)
        .filter(([, env]) => env.variables && Object.hasOwn(env.variables, variable))
        .map(([name]) => name);
      definers.set(variable, names);
    }
    return names;
  };
  return [...groups.values()].map((group) => {
    const { path, variable } = group[0]!;
    const lacking = group.map((entry) => entry.environment);
    const shared = path[0] !== 'environments';
    const defined = shared ? definedBy(variable) : [];
    if (shared && defined.length > 0) {
      const names = quotedNames(lacking);
      return {
        path,
        message:
          `{{${variable}}} has no value in environment${lacking.length > 1 ? 's' : ''} ${names}: ` +
          `define it in their "variables" as ${quotedNames(defined)} do${defined.length > 1 ? '' : 'es'}`,
      };
    }
    const known = [
      ...TEMPLATE_VARIABLES,
      ...new Set(lacking.flatMap((n) => Object.keys(config.environments[n]?.variables ?? {}))),
    ];
    // {{step}} was listed (and accepted) for commands but never given a value, so such a command failed only
    // when it ran: it is a notification template's value (notify/template.ts), not a command's.
    const hint =
      variable === 'step'
        ? `: commands have no {{step}} (that is a notification template's value); a canary step's share is {{weight}}, a rolling step's batch {{batch}}`
        : didYouMean(variable, known, (v) => `{{${v}}}`);
    const help =
      hint || `: use one of ${TEMPLATE_VARIABLES.join(', ')}, or a key of the environment's "variables"`;
    return { path, message: `unknown template variable {{${variable}}}${help}` };
  });
}
