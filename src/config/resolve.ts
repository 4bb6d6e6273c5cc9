// Turns a validated config into what the pipeline runs for one environment: every default filled from the
// preset, every command split into its argv template, every duration in milliseconds. Pure.
import { PRESETS, type Preset } from './presets.ts';
import type {
  AfterSuccessHook,
  CommandSpec,
  CommandTargetConfig,
  HealthCheck,
  OnOrphan,
  RawConfig,
  RawEnvironment,
  RollingParams,
  StrategyName,
} from './schema.ts';
import { DEFAULT_BASELINE_SLOT, MANUAL, TEMPLATE_VARIABLES } from './schema.ts';
import { baselineIssues, canaryBaselineOf } from './baseline.ts';
import { slotlessStrategy, analysisTemplateIssues } from './analysis-templates.ts';
import { analysedWindows, unsetInWindows } from './analysis-windows.ts';
import { formatPath, quoted } from './errors.ts';
import { splitCommand } from '../targets/command-line.ts';
import { unknownEnvironmentMessage } from './suggest.ts';

export interface ResolvedCommand {
  /** Where it came from in the config, for messages ("target.commands.deploy"). */
  source: string;
  shell: boolean;
  /** argv template (when !shell). */
  argv: string[];
  /** script template (when shell). */
  script: string;
  timeoutMs: number;
  cwd?: string;
  env: Record<string, string>;
}

/**
 * What says a rollback level was enough (the later levels are then skipped): a command that exits 0, or the
 * environment's health checks passing.
 */
export type RollbackVerify = { kind: 'health' } | { kind: 'command'; command: ResolvedCommand };

/** The command of a verify (none for `health`, which runs as a health step). */
export function verifyCommand(verify: RollbackVerify | undefined): ResolvedCommand | undefined {
  return verify?.kind === 'command' ? verify.command : undefined;
}

/** A rollback level (seed 04): its command, and what says it was enough (none: the next level always runs). */
export interface RollbackLevel {
  name: string;
  command: ResolvedCommand;
  verify?: RollbackVerify;
}

export type ResolvedHealthCheck =
  | {
      kind: 'http';
      source: string;
      url: string;
      method: 'GET' | 'HEAD' | 'POST';
      expectStatus: number[];
      body?: string;
      timeoutMs: number;
      retries: number;
      intervalMs: number;
    }
  | { kind: 'command'; source: string; command: ResolvedCommand; retries: number; intervalMs: number };

export interface ResolvedTarget {
  deploy: ResolvedCommand;
  switch?: ResolvedCommand;
  setWeight?: ResolvedCommand;
  health: ResolvedHealthCheck[];
  smoke?: ResolvedCommand;
  rollback?: ResolvedCommand;
  teardown?: ResolvedCommand;
  current?: ResolvedCommand;
}

/** A point in a strategy that waits for people (`pause: manual`, `approval: N`): issue 14. */
export type StepGate = { type: 'manual' } | { type: 'approval'; approvals: number };

export type ResolvedStrategy =
  | { type: 'direct' }
  | {
      type: 'rolling';
      instances: string[];
      maxSurge: number;
      maxUnavailable: number;
      batchSize: number;
      pauseMs: number;
      onFailure: 'rollback' | 'pause';
      /** Wait for people after each batch but the last (`pause: manual` / `approval: N`). */
      batchGate?: StepGate;
    }
  | {
      type: 'blue-green';
      slots: [string, string];
      scaleDownDelayMs: number;
      warmup: { url?: string; requests: number; intervalMs: number };
      analysisBeforeSwitchMs: number;
      verifyAfterSwitchMs: number;
      /** Wait for people before the switch (`pre_switch: manual` / `{ approval: N }`). */
      preSwitchGate?: StepGate;
    }
  | {
      type: 'canary';
      slots: [string, string];
      /** `gate`: after the step's analysis, wait for people (`pause: manual`, `approval: N`). */
      steps: Array<{ weight: number; pauseMs: number; gate?: StepGate }>;
      maxHolds: number;
      scaleDownDelayMs: number;
      /** `baseline: fresh`: the stable version deployed again on this slot, at the canary's share (issue 15). */
      baseline?: { slot: string };
    };

export interface ResolvedEnvironment {
  name: string;
  url?: string;
  production: boolean;
  strategy: ResolvedStrategy;
  staging?: string;
  target: ResolvedTarget;
  /** Checks for verify and monitor: the environment's own, else the target's. */
  health: ResolvedHealthCheck[];
  smoke?: ResolvedCommand;
  validationWindowMs: number;
  /** How long a strategy's health step tries the checks again for the new version to become ready (0: once). */
  readyTimeoutMs: number;
  /**
   * The health checks run once against what is live before anything is touched (seed 02): `block` refuses an
   * unhealthy one (a hotfix or a rollback goes on, warned), `warn` warns, `off` does not look.
   */
  /**
   * `auto`: not written, so warn, with the HTTP GET/HEAD checks only (no command runs against the target
   * before the deployment unless asked for: a health command may do more than read).
   */
  preDeployHealth: 'block' | 'warn' | 'off' | 'auto';
  monitorMs: number;
  monitorIntervalMs: number;
  /**
   * Control from the PR (issue 14): how long the job itself waits at a manual step, an approval or a bake
   * before it hands the rollout off (the job ends, reconcile or a /promote starts a new run), and how often
   * it polls for /promote, /pause, /resume and /abort while it runs.
   */
  control: { maxWaitInJobMs: number; pollIntervalMs: number };
  hooks: {
    backup?: ResolvedCommand;
    migrate?: ResolvedCommand;
    onRollback: RollbackLevel[];
    onSuccess?: ResolvedCommand;
    /** Run by reconcile once the live release has served `afterMs` since its deployment succeeded. */
    afterSuccess?: { afterMs: number; command: ResolvedCommand };
  };
  variables: Record<string, string>;
  stateDir: string;
  gates?: RawConfig['gates'];
  analysis?: RawConfig['analysis'];
  /**
   * Where `analysis` is written, for messages that name one of its fields: the environment's own
   * (`environments.<name>.analysis`) or the shared one (`analysis`). Undefined without an analysis.
   */
  analysisPath?: (string | number)[];
  approvals?: Record<string, unknown>;
  /** What reconcile does with an orphaned rollout (default rollback). */
  onOrphan: OnOrphan;
  /** Resolved for a rollback deployment: `strategy` is the configured one fast-tracked (fastTracked). */
  rollback?: true;
}

export class ResolveError extends Error {}

interface CommandDefaults {
  shell: boolean;
  timeoutMs: number;
  cwd?: string;
  env: Record<string, string>;
}

export function resolveCommand(
  spec: CommandSpec,
  source: string,
  defaults: CommandDefaults,
): ResolvedCommand {
  const options = typeof spec === 'object' && !Array.isArray(spec) ? spec : { run: spec };
  const shell = options.shell ?? defaults.shell;
  const run = options.run;
  let argv: string[] = [];
  let script = '';
  if (shell) {
    script = Array.isArray(run) ? run.join(' ') : run;
  } else if (Array.isArray(run)) {
    argv = [...run];
  } else {
    const split = splitCommand(run);
    // The config checks report this with a file position; this is the last line of defence.
    if (!split.ok) throw new ResolveError(`${source}: ${split.message}`);
    argv = split.argv;
  }
  return {
    source,
    shell,
    argv,
    script,
    timeoutMs: ('timeout' in options && options.timeout) || defaults.timeoutMs,
    cwd: ('cwd' in options && options.cwd) || defaults.cwd,
    env: { ...defaults.env, ...(('env' in options && options.env) || {}) },
  };
}

function resolveHealth(
  checks: HealthCheck | HealthCheck[] | undefined,
  source: string,
  preset: Preset,
  defaults: CommandDefaults,
): ResolvedHealthCheck[] {
  if (checks === undefined) return [];
  const list = Array.isArray(checks) && !isArgvList(checks) ? checks : [checks as HealthCheck];
  return list.map((check, index) => {
    const where = list.length > 1 ? `${source}[${index}]` : source;
    if (typeof check === 'string' && /^https?:\/\//.test(check)) {
      return httpDefaults({ url: check }, where, preset);
    }
    if (typeof check === 'object' && !Array.isArray(check) && 'url' in check) {
      return httpDefaults(check, where, preset);
    }
    // A command check's own `retries` and `interval` (schema.ts healthCheck); the rest is the command.
    let command = check as CommandSpec;
    let tries: { retries?: number; interval?: number } = {};
    if (typeof check === 'object' && !Array.isArray(check)) {
      const { retries, interval, ...spec } = check as { run: string; retries?: number; interval?: number };
      command = spec as CommandSpec;
      tries = { retries, interval };
    }
    return {
      kind: 'command',
      source: where,
      command: resolveCommand(command, where, defaults),
      retries: tries.retries ?? preset.http.retries,
      intervalMs: tries.interval ?? preset.http.intervalMs,
    };
  });
}

/** A health value that is an array of strings is one argv command, not a list of checks. */
function isArgvList(value: unknown[]): boolean {
  return value.every((v) => typeof v === 'string') && !value.some((v) => /^https?:\/\//.test(v as string));
}

function httpDefaults(
  check: {
    url: string;
    method?: 'GET' | 'HEAD' | 'POST';
    expect_status?: number | number[];
    body?: string;
    timeout?: number;
    retries?: number;
    interval?: number;
  },
  source: string,
  preset: Preset,
): ResolvedHealthCheck {
  const expect = check.expect_status ?? 200;
  return {
    kind: 'http',
    source,
    url: check.url,
    method: check.method ?? 'GET',
    expectStatus: Array.isArray(expect) ? expect : [expect],
    body: check.body,
    timeoutMs: check.timeout ?? preset.http.timeoutMs,
    retries: check.retries ?? preset.http.retries,
    intervalMs: check.interval ?? preset.http.intervalMs,
  };
}

/** What a target gives every command that does not say otherwise: shell, timeout, cwd and env. */
function commandDefaults(target: CommandTargetConfig, preset: Preset): CommandDefaults {
  return {
    shell: target.shell ?? false,
    timeoutMs: target.timeout ?? preset.commandTimeoutMs,
    cwd: target.cwd,
    env: target.env ?? {},
  };
}

function resolveTarget(target: CommandTargetConfig, source: string, preset: Preset): ResolvedTarget {
  const defaults = commandDefaults(target, preset);
  const c = target.commands;
  const cmd = (spec: CommandSpec | undefined, name: string) =>
    spec === undefined ? undefined : resolveCommand(spec, `${source}.commands.${name}`, defaults);
  return {
    deploy: cmd(c.deploy, 'deploy')!,
    switch: cmd(c.switch, 'switch'),
    setWeight: cmd(c.set_weight, 'set_weight'),
    health: resolveHealth(c.health, `${source}.commands.health`, preset, defaults),
    smoke: cmd(c.smoke, 'smoke'),
    rollback: cmd(c.rollback, 'rollback'),
    teardown: cmd(c.teardown, 'teardown'),
    current: cmd(c.current, 'current'),
  };
}

/** k8s semantics: a percentage of the instance count, surge rounded up, unavailable rounded down. */
export function countOf(value: number | string, total: number, round: 'up' | 'down'): number {
  if (typeof value === 'number') return value;
  const percent = Number(value.slice(0, -1));
  const exact = (percent / 100) * total;
  return round === 'up' ? Math.ceil(exact) : Math.floor(exact);
}

/** The strategy an environment names; none written means direct. */
export function strategyType(env: RawEnvironment): StrategyName {
  if (env.strategy === undefined) return 'direct';
  return typeof env.strategy === 'string' ? env.strategy : env.strategy.type;
}

export function resolveStrategy(config: RawConfig, env: RawEnvironment, preset: Preset): ResolvedStrategy {
  const type = strategyType(env);
  const inline = typeof env.strategy === 'object' ? env.strategy : {};
  switch (type) {
    case 'direct':
      return { type };
    case 'rolling': {
      const shared = config.strategies?.rolling ?? {};
      const own = inline as RollingParams;
      const p = { ...shared, ...own };
      const raw = p.instances;
      if (raw === undefined) throw new ResolveError('rolling needs "instances"');
      const instances = typeof raw === 'number' ? Array.from({ length: raw }, (_, i) => String(i + 1)) : raw;
      const maxSurge = countOf(p.max_surge ?? preset.rolling.maxSurge, instances.length, 'up');
      const maxUnavailable = countOf(
        p.max_unavailable ?? preset.rolling.maxUnavailable,
        instances.length,
        'down',
      );
      if (maxSurge === 0 && maxUnavailable === 0)
        throw new ResolveError('max_surge and max_unavailable are both 0');
      return {
        type,
        instances,
        maxSurge,
        maxUnavailable,
        batchSize: Math.min(instances.length, Math.max(1, maxSurge + maxUnavailable)),
        // `pause: manual` is no timed window: health only, then the wait.
        pauseMs:
          p.pause === MANUAL
            ? 0
            : (p.pause ??
              (preset.rolling.pauseMs === 'monitor-interval'
                ? (env.monitor_interval ?? preset.monitorIntervalMs)
                : preset.rolling.pauseMs)),
        onFailure: p.on_failure ?? 'rollback',
        // Keys merge as usual, but a gate the environment writes replaces a shared one rather than adding to
        // it. No key without a gate, so a rollout without gates resolves (and is recorded) exactly as before.
        ...withKey('batchGate', gateOf(own) ?? gateOf(p)),
      };
    }
    case 'blue-green': {
      const p = { ...config.strategies?.['blue-green'], ...(inline as object) } as NonNullable<
        NonNullable<RawConfig['strategies']>['blue-green']
      >;
      return {
        type,
        slots: p.slots ?? preset.blueGreen.slots,
        scaleDownDelayMs: p.scale_down_delay ?? preset.blueGreen.scaleDownDelayMs,
        warmup: {
          url: p.warmup?.url,
          requests: p.warmup?.requests ?? (p.warmup?.url ? preset.blueGreen.warmup.requests : 0),
          intervalMs: p.warmup?.interval ?? preset.blueGreen.warmup.intervalMs,
        },
        analysisBeforeSwitchMs: p.analysis_before_switch ?? 0,
        verifyAfterSwitchMs: p.verify_after_switch ?? preset.blueGreen.verifyAfterSwitchMs,
        ...withKey(
          'preSwitchGate',
          p.pre_switch === undefined
            ? undefined
            : gateOf(p.pre_switch === MANUAL ? { pause: MANUAL } : { approval: p.pre_switch.approval }),
        ),
      };
    }
    case 'canary': {
      const p = { ...config.strategies?.canary, ...(inline as object) } as NonNullable<
        NonNullable<RawConfig['strategies']>['canary']
      >;
      const defaultPause = p.pause;
      const steps = p.steps
        ? p.steps.map((s) => {
            const weight = typeof s === 'number' ? s : s.weight;
            // `pause: manual` analyses for the default pause, then waits for people.
            const own = typeof s === 'number' ? undefined : timedPause(s.pause);
            return {
              weight,
              pauseMs: own ?? defaultPause ?? (weight >= 100 ? 0 : preset.canary.steps[1]!.pauseMs),
              ...withKey('gate', typeof s === 'number' ? undefined : gateOf(s)),
            };
          })
        : preset.canary.steps.map((s) => ({ ...s, pauseMs: defaultPause ?? s.pauseMs }));
      return {
        type,
        slots: p.slots ?? preset.blueGreen.slots,
        steps,
        maxHolds: p.max_holds ?? preset.canary.maxHolds,
        scaleDownDelayMs: p.scale_down_delay ?? preset.canary.scaleDownDelayMs,
        ...(p.baseline === 'fresh' ? { baseline: { slot: p.baseline_slot ?? DEFAULT_BASELINE_SLOT } } : {}),
      };
    }
  }
}

/** The duration of a pause that is not `manual`. */
function timedPause(pause: number | typeof MANUAL | undefined): number | undefined {
  return pause === MANUAL ? undefined : pause;
}

/** The gate a step, batch or pre-switch point writes: `pause: manual` or `approval: N`. */
function gateOf(params: { pause?: number | typeof MANUAL; approval?: number }): StepGate | undefined {
  if (params.pause === MANUAL) return { type: 'manual' };
  if (params.approval !== undefined) return { type: 'approval', approvals: params.approval };
  return undefined;
}

/** `{ [key]: gate }`, or nothing when there is no gate. */
function withKey<K extends string>(key: K, gate: StepGate | undefined): { [P in K]?: StepGate } {
  return (gate === undefined ? {} : { [key]: gate }) as { [P in K]?: StepGate };
}

export interface ResolveOverrides {
  /** Use this strategy instead of the environment's (its parameters come from `strategies.<name>`). */
  strategy?: StrategyName;
  stateDir?: string;
  /** Values for variables the environment declares (a deployment's parameters); unknown names are refused. */
  variables?: Record<string, string>;
  /** A rollback deployment (`type: rollback`, `mode: rollback`): its strategy is fast-tracked (fastTracked). */
  rollback?: boolean;
}

/**
 * Pure: the strategy a rollback deployment runs (DESIGN §1: a rollback redeploys a previous good version and
 * skips canary steps; Argo Rollouts' rollback window does the same). The version going back served before; the
 * one it replaces is the version that failed, so comparing the two step by step, and holding the rollback at
 * 5 % while it is judged, only keeps users on the failing version longer. A canary goes to 100 % at once after
 * its health and smoke checks (no traffic steps, no step analysis, no fresh baseline); blue-green switches
 * after health, smoke and warm-up without the analysis before the switch; nobody is waited for at a step, a
 * batch or before the switch (whether a rollback may start at all is decided before: the App's rollback
 * approvals). Rolling keeps its batches (how instances are replaced, each healthy before the next) but not
 * their watch (`pause`, the seeds' one monitor interval per batch): a test of the version, like a canary
 * step's analysis. The verify phase, the window after a blue-green switch and the monitor window stay.
 */
export function fastTracked(strategy: ResolvedStrategy): ResolvedStrategy {
  switch (strategy.type) {
    case 'direct':
      return strategy;
    case 'rolling': {
      // Batch by batch still (each healthy before the next), but no batch watched or waited for.
      const { batchGate: _gate, ...rest } = strategy;
      return { ...rest, pauseMs: 0 };
    }
    case 'blue-green': {
      const { preSwitchGate: _gate, ...rest } = strategy;
      return { ...rest, analysisBeforeSwitchMs: 0 };
    }
    case 'canary': {
      const { baseline: _baseline, ...rest } = strategy;
      return { ...rest, steps: [{ weight: 100, pauseMs: 0 }] };
    }
  }
}

/**
 * The environment a recorded rollout goes on in (reconcile's resume, a handed-off wait): a rollback's rollout
 * (`fastTracked` in the record) with its fast-tracked strategy, so its recorded plan is the one planned today.
 */
export function rolloutEnvironment(
  env: ResolvedEnvironment,
  rollout: { fastTracked?: true } | undefined,
): ResolvedEnvironment {
  if (!rollout?.fastTracked || env.rollback) return env;
  return { ...env, strategy: fastTracked(env.strategy), rollback: true };
}

/**
 * Where the records are kept (every environment shares the config's state dir): known without resolving an
 * environment, which may fail for one whose config is invalid.
 */
export function stateDirOf(config: RawConfig, override?: string): string {
  return override ?? config.state_dir ?? '.deploy-action';
}

/** `production: true`, or named production in any case (GitHub's environment names ignore case). */
export function isProductionEnvironment(name: string, flag: boolean | undefined): boolean {
  return flag ?? name.toLowerCase() === 'production';
}

export function resolveEnvironment(
  config: RawConfig,
  name: string,
  overrides: ResolveOverrides = {},
): ResolvedEnvironment {
  // Own keys only: "constructor" or "toString" would otherwise find Object.prototype's and deploy there.
  const configured = Object.hasOwn(config.environments, name) ? config.environments[name] : undefined;
  const env =
    configured && overrides.strategy && strategyType(configured) !== overrides.strategy
      ? { ...configured, strategy: overrides.strategy }
      : configured;
  if (!env) throw new ResolveError(unknownEnvironmentMessage(name, Object.keys(config.environments)));
  const preset = PRESETS[config.preset ?? 'seeds'];
  const targetConfig = env.target ?? config.target;
  if (!targetConfig)
    throw new ResolveError(`environment "${name}" has no target (and there is no top-level target)`);
  const targetSource = env.target ? `environments.${name}.target` : 'target';
  const target = resolveTarget(targetConfig, targetSource, preset);
  const asConfigured = resolveStrategy(config, env, preset);
  const strategy = overrides.rollback ? fastTracked(asConfigured) : asConfigured;
  // The config checks cover configured strategies; an override is checked here, before anything runs.
  if (strategy.type === 'canary' && !target.setWeight)
    throw new ResolveError(
      `the canary strategy needs ${targetSource}.commands.set_weight, which ${name} does not define`,
    );
  if (strategy.type === 'canary' && strategy.baseline) {
    // Checked by the config checks too; a --strategy canary override meets strategies.canary here.
    const baseline = canaryBaselineOf(config, name, env, 'canary')!;
    const templates = (c: ResolvedCommand | undefined) =>
      c === undefined ? undefined : c.shell ? [c.script] : c.argv;
    const problem = baselineIssues(
      baseline,
      {
        setWeight: templates(target.setWeight),
        teardown: templates(target.teardown),
        commandsPath: [...targetSource.split('.'), 'commands'],
        where: `${targetSource}.commands`,
      },
      preset.blueGreen.slots,
    )[0];
    if (problem) throw new ResolveError(`${formatPath(problem.path)}: ${problem.message}`);
  }
  // An analysis written for the configured strategy's windows: {{slot}} has none under a direct or rolling
  // override, {{weight}} and the stable side's names none in a window the override adds (a blue-green switch's,
  // a canary's step at 100 %), and each such window would fail and roll the release back (the config checks
  // cover the configured strategy).
  const analysis = env.analysis ?? config.analysis;
  if (analysis && env !== configured) {
    const slotless = slotlessStrategy(strategy.type);
    const windows = analysedWindows(strategy, env.monitor ?? preset.monitorMs);
    const problem = analysisTemplateIssues(
      analysis,
      env.analysis ? ['environments', name, 'analysis'] : ['analysis'],
      {
        name,
        freshBaseline: strategy.type === 'canary' && strategy.baseline !== undefined,
        canary: strategy.type === 'canary',
        slotless,
        unsetIn: unsetInWindows(windows),
        variables: [],
      },
    ).find((issue) => issue.code !== undefined);
    if (problem?.code === 'no-slot')
      throw new ResolveError(
        `${formatPath(problem.path)}: {{slot}} has no value with strategy "${slotless}", asked for this deployment ` +
          `instead of environment "${name}"'s own: a ${slotless} deployment has no slots, so every analysis window ` +
          'would fail and roll the release back; deploy with the configured strategy, or give the environment an ' +
          'analysis without {{slot}}',
      );
    if (problem) {
      const variable = problem.variable!;
      const window = windows.find((w) => (w.unset as readonly string[]).includes(variable))!.what;
      throw new ResolveError(
        `${formatPath(problem.path)}: {{${variable}}} has no value in ${window} of strategy "${strategy.type}", ` +
          `asked for this deployment instead of environment "${name}"'s own, so that window would fail at every ` +
          'interval and roll the release back; deploy with the configured strategy, or give the environment an ' +
          `analysis without {{${variable}}}`,
      );
    }
  }
  if (strategy.type === 'blue-green' && !target.switch && !target.setWeight)
    throw new ResolveError(
      `the blue-green strategy needs ${targetSource}.commands.switch (or set_weight), which ${name} does not define`,
    );
  const defaults = commandDefaults(targetConfig, preset);
  const at = `environments.${name}`;
  const cmd = (spec: CommandSpec | undefined, path: string) =>
    spec === undefined ? undefined : resolveCommand(spec, `${at}.${path}`, defaults);
  const envHealth = resolveHealth(env.health, `${at}.health`, preset, defaults);
  return {
    name,
    url: env.url,
    production: isProductionEnvironment(name, env.production),
    strategy,
    control: {
      maxWaitInJobMs: env.control?.max_wait_in_job ?? preset.control.maxWaitInJobMs,
      pollIntervalMs: env.control?.poll_interval ?? preset.control.pollIntervalMs,
    },
    staging: env.staging,
    target,
    health: envHealth.length > 0 ? envHealth : target.health,
    smoke: cmd(env.smoke, 'smoke'),
    validationWindowMs: env.validation_window ?? preset.validationWindowMs,
    readyTimeoutMs: env.ready_timeout ?? preset.readyTimeoutMs,
    preDeployHealth: env.pre_deploy_health ?? 'auto',
    monitorMs: env.monitor ?? preset.monitorMs,
    monitorIntervalMs: env.monitor_interval ?? preset.monitorIntervalMs,
    hooks: {
      backup: cmd(env.hooks?.backup, 'hooks.backup'),
      migrate: cmd(env.hooks?.migrate, 'hooks.migrate'),
      onRollback: (env.hooks?.on_rollback ?? []).map((level, i) => {
        const where = `${at}.hooks.on_rollback[${i}]`;
        const verify: RollbackVerify | undefined =
          level.verify === undefined
            ? undefined
            : level.verify === 'health'
              ? { kind: 'health' }
              : { kind: 'command', command: resolveCommand(level.verify, `${where}.verify`, defaults) };
        return {
          name: level.name,
          command: resolveCommand(level.run, where, defaults),
          ...(verify ? { verify } : {}),
        };
      }),
      onSuccess: cmd(env.hooks?.on_success, 'hooks.on_success'),
      ...(env.hooks?.after_success
        ? {
            afterSuccess: {
              afterMs: env.hooks.after_success.after,
              command: cmd(afterSuccessCommand(env.hooks.after_success), 'hooks.after_success')!,
            },
          }
        : {}),
    },
    variables: withOverrides(name, env.variables ?? {}, overrides.variables),
    stateDir: stateDirOf(config, overrides.stateDir),
    gates: env.gates ?? config.gates,
    analysis: env.analysis ?? config.analysis,
    ...(env.analysis
      ? { analysisPath: ['environments', name, 'analysis'] }
      : config.analysis
        ? { analysisPath: ['analysis'] }
        : {}),
    approvals: env.approvals ?? config.approvals,
    onOrphan: env.on_orphan ?? 'rollback',
    ...(overrides.rollback ? { rollback: true as const } : {}),
  };
}

/** A deployment's parameters may only set variables the config declares, so a request cannot invent inputs. */
function withOverrides(
  environment: string,
  declared: Record<string, string>,
  overrides: Record<string, string> | undefined,
): Record<string, string> {
  if (!overrides) return declared;
  // A variable named like a built-in fills in for it where the deployment sets none ({{slot}} in a direct
  // environment's hook): written in the config, it is the author's; a parameter would make it outside text where
  // only the names the config lists may choose a file or directory (targets/placeholder.ts).
  const builtIn = Object.keys(overrides).filter((key) =>
    (TEMPLATE_VARIABLES as readonly string[]).includes(key),
  );
  if (builtIn.length > 0)
    throw new ResolveError(
      `parameter${builtIn.length > 1 ? 's' : ''} ${builtIn.map((k) => quoted(k)).join(', ')} ` +
        `${builtIn.length > 1 ? 'name built-in template variables' : 'names a built-in template variable'}, ` +
        "which a deployment's parameters may not set, even where the config declares a variable so named: " +
        `use another name in environment "${environment}"'s variables`,
    );
  const unknown = Object.keys(overrides).filter((key) => !Object.hasOwn(declared, key));
  if (unknown.length > 0) {
    const known = Object.keys(declared);
    throw new ResolveError(
      `parameter${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => quoted(k)).join(', ')} ` +
        `${unknown.length > 1 ? 'are not variables' : 'is not a variable'} of environment "${environment}" ` +
        `(${known.length ? `it declares ${known.join(', ')}` : 'it declares no variables'})`,
    );
  }
  return { ...declared, ...overrides };
}

/** The command of `hooks.after_success`: its object form without `after`, as any other hook's. */
export function afterSuccessCommand(hook: AfterSuccessHook): CommandSpec {
  const { after: _after, ...command } = hook;
  return command;
}
