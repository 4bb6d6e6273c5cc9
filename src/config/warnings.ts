// What a config says that a run will not do as written. Most of it is accepted and said as a warning (by
// `validate`, at the start of a run and as annotations in the Action), so the author learns it from the tool
// rather than from a window that lasted longer than written. One finding is an error: an analysed window that
// can never reach min_samples where that fails every deployment (a rollback, or a step that cannot pass);
// such a config cannot deploy anything, so it is refused before it runs, not after each deployment's rollback.
// Pure: the config (past the schema and the semantic rules) in, the findings with their field paths out.
import { readMetrics, resolveAnalysisConfig, warnsOnly } from '../analysis/config.ts';
import { UNDECIDED_DEFAULTS, windowIntervals } from '../analysis/window.ts';
import { formatDuration } from './duration.ts';
import { STATE_FILE_NAME_MAX } from './limits.ts';
import { PRESETS, type Preset } from './presets.ts';
import { isProductionEnvironment, resolveStrategy, strategyType, type ResolvedStrategy } from './resolve.ts';
import type { RawConfig, RawEnvironment } from './schema.ts';
import { quotedNames } from './suggest.ts';
import type { SemanticIssue } from './semantics.ts';

type Path = (string | number)[];

/** A window of an environment that is watched every monitor_interval (step-runner.ts, analysis steps). */
interface Window {
  /** As the author would say it: `the monitor window`. */
  what: string;
  ms: number;
  /** Where it is written; undefined when it is the preset's. */
  path: Path | undefined;
  /**
   * What an inconclusive end does (analysis `on_undecided: hold`): a strategy's step is held and analysed
   * again, then fails (sequence.ts); a watch (monitor, staging) ends and the run goes on (machine/loop.ts).
   */
  kind: 'step' | 'watch';
}

/** A finding, and whether it fails every deployment (an error) or only says what a run will do. */
interface Finding extends SemanticIssue {
  failsEveryDeployment: boolean;
}

/** The findings of a config that passed the schema and semanticIssues: errors first checked, then warnings. */
export function configFindings(config: RawConfig): { errors: SemanticIssue[]; warnings: SemanticIssue[] } {
  const staging = new Set(Object.values(config.environments).flatMap((env) => env.staging ?? []));
  const findings = [
    ...Object.entries(config.environments).flatMap(([name, env]) =>
      intervalFindings(config, name, env, staging.has(name)),
    ),
    ...unreadValidationWindowFindings(config, staging),
    ...productionStagingFindings(config),
    ...Object.entries(config.environments).flatMap(([name, env]) => oneBatchFindings(config, name, env)),
    ...longNameFindings(config),
    ...perSecondCountFindings(config.analysis, ['analysis']),
    ...Object.entries(config.environments).flatMap(([name, env]) =>
      perSecondCountFindings(env.analysis, ['environments', name, 'analysis']),
    ),
    ...rawCounterFindings(config.analysis, ['analysis']),
    ...Object.entries(config.environments).flatMap(([name, env]) =>
      rawCounterFindings(env.analysis, ['environments', name, 'analysis']),
    ),
    ...errorsWithoutFallbackFindings(config.analysis, ['analysis']),
    ...Object.entries(config.environments).flatMap(([name, env]) =>
      errorsWithoutFallbackFindings(env.analysis, ['environments', name, 'analysis']),
    ),
    ...unreadMetricFindings(
      config.analysis,
      ['analysis'],
      Object.entries(config.environments)
        .filter(([, env]) => env.analysis === undefined)
        .map(([name]) => name),
    ),
    ...Object.entries(config.environments).flatMap(([name, env]) =>
      unreadMetricFindings(env.analysis, ['environments', name, 'analysis'], [name]),
    ),
    ...Object.entries(config.environments).flatMap(([name, env]) =>
      sideBySideOnlyFindings(config, name, env),
    ),
  ];
  // A shared value (strategies.blue-green) is said once, not once per environment using it.
  const unique = (list: Finding[]): SemanticIssue[] => [
    ...new Map(
      list.map(({ path, message }) => [JSON.stringify({ path, message }), { path, message }]),
    ).values(),
  ];
  return {
    errors: unique(findings.filter((f) => f.failsEveryDeployment)),
    warnings: unique(findings.filter((f) => !f.failsEveryDeployment)),
  };
}

/**
 * The deciding checks of `analysis` when every one compares side by side, else undefined. Resolved once per
 * section: the shared one is read by every environment without its own (a config of 5,000 environments).
 */
const sideBySideOnly = new WeakMap<object, string[] | undefined>();
function sideBySideDeciders(analysis: NonNullable<AnalysisSection>): string[] | undefined {
  if (sideBySideOnly.has(analysis)) return sideBySideOnly.get(analysis);
  let names: string[] | undefined;
  try {
    const deciding = resolveAnalysisConfig(analysis).checks.filter((c) => !warnsOnly(c));
    const sideBySide = deciding.every(
      (c) => c.kind === 'errors' || c.kind === 'values' || c.kind === 'histogram',
    );
    names = deciding.length > 0 && sideBySide ? deciding.map((c) => c.name) : undefined;
  } catch {
    names = undefined; // The load says why the section does not resolve.
  }
  sideBySideOnly.set(analysis, names);
  return names;
}

/**
 * An environment whose analysis decides by side-by-side comparisons alone (compare: errors | values | histogram,
 * the seeds preset's included), deployed by a strategy that never serves the stable version beside the new
 * one (blue-green, rolling, direct: only a canary's steps below 100 % do). Its analysis windows have nothing
 * to compare with, judge nothing, and fail closed (rollback no-data: analysis/judge.ts nothingJudged), so
 * every deployment of it would roll back, however healthy. A warning, said before the first deployment does
 * so; a threshold check (or a relative one, with a pre-deploy baseline) judges such windows.
 */
function sideBySideOnlyFindings(config: RawConfig, name: string, env: RawEnvironment): Finding[] {
  const analysis = env.analysis ?? config.analysis;
  if (!analysis?.metrics) return [];
  const strategy = resolvedStrategy(config, env, PRESETS[config.preset ?? 'seeds']);
  if (!strategy || strategy.type === 'canary') return [];
  const deciding = sideBySideDeciders(analysis);
  if (!deciding) return [];
  return [
    {
      path: ['environments', name, ...(env.analysis ? ['analysis'] : ['strategy'])],
      message:
        `environment "${name}" deploys ${strategy.type}, which never serves the stable version beside the new ` +
        `one, but every check of its analysis that decides compares the two side by side ` +
        `(${quotedNames(deciding)}): its analysis windows would judge nothing and roll back ` +
        `every deployment (no-data); add a check that needs no stable side, e.g. check: "error_rate < 1%"`,
      failsEveryDeployment: false,
    },
  ];
}

/**
 * An environment name too long for the CLI's files in state_dir (STATE_FILE_NAME_MAX): a valid name for GitHub,
 * but every run kept in a state directory is refused before it deploys. The Action with a state-key keeps its
 * record on GitHub, so it is a warning, not an error.
 */
function longNameFindings(config: RawConfig): Finding[] {
  return Object.keys(config.environments).flatMap((name) => {
    const length = encodeURIComponent(name).length;
    return length <= STATE_FILE_NAME_MAX
      ? []
      : [
          {
            path: ['environments', name],
            message: `the CLI (and the Action without state-key) keeps this environment's record in state_dir under its name, ${length} characters as a file name: past ${STATE_FILE_NAME_MAX} some of its files' names (the drafts of its record's lock and of reconcile's) pass the file system's 255 bytes, so a run kept there may be refused before it deploys (every run, past about 225); use a shorter name`,
            failsEveryDeployment: false,
          },
        ];
  });
}

/**
 * A validation_window written on an environment no other names as its staging: it is watched only when another
 * environment deploys this one first, so here it is read by nothing (usually a "staging: staging" forgotten on
 * production, which then deploys without staging).
 */
function unreadValidationWindowFindings(config: RawConfig, staging: ReadonlySet<string>): Finding[] {
  return Object.entries(config.environments).flatMap(([name, env]) =>
    env.validation_window === undefined || staging.has(name)
      ? []
      : [
          {
            path: ['environments', name, 'validation_window'],
            message: `no environment names ${JSON.stringify(name)} as its staging, so this window is never watched: it is read only when another environment deploys this one first (${JSON.stringify(`staging: ${name}`)} in that environment)`,
            failsEveryDeployment: false,
          },
        ],
  );
}

/**
 * A non-production environment whose staging is a production one: a deployment there changes production first,
 * in the same run. Allowed (the App holds it to production's rules too: src/policy/changed-environments.ts),
 * but rarely what was meant, and the author should know whose approvals, windows and locks then apply.
 * Production to production (one region before another) is the usual chain and says nothing.
 */
function productionStagingFindings(config: RawConfig): Finding[] {
  const production = (name: string): boolean =>
    Object.hasOwn(config.environments, name) &&
    isProductionEnvironment(name, config.environments[name]!.production);
  return Object.entries(config.environments).flatMap(([name, env]) =>
    env.staging === undefined || production(name) || !production(env.staging)
      ? []
      : [
          {
            path: ['environments', name, 'staging'],
            message: `deploying ${JSON.stringify(name)} deploys the production environment ${JSON.stringify(env.staging)} first, in the same run, so ${JSON.stringify(env.staging)}'s approvals, deployers, windows, freezes, checks and locks apply to every deployment of ${JSON.stringify(name)} too (a hotfix skips staging and is held to ${JSON.stringify(name)}'s alone); name a non-production environment as its staging, or mark ${JSON.stringify(name)} production`,
            failsEveryDeployment: false,
          },
        ],
  );
}

/**
 * A rolling environment whose instances all go in one batch, with a `pause` or an `approval` written: both are
 * between batches, so neither ever happens (an author who wrote `approval: 2` expects two people to promote
 * before the rest of the fleet moves, and nobody is asked). Said at what was written: the environment's own
 * strategy, or strategies.rolling.
 */
function oneBatchFindings(config: RawConfig, name: string, env: RawEnvironment): Finding[] {
  const strategy = resolvedStrategy(config, env, PRESETS[config.preset ?? 'seeds']);
  if (strategy?.type !== 'rolling' || strategy.instances.length > strategy.batchSize) return [];
  const own = typeof env.strategy === 'object' && env.strategy.type === 'rolling' ? env.strategy : undefined;
  const shared = config.strategies?.rolling;
  const count = strategy.instances.length;
  return (['approval', 'pause'] as const).flatMap((key) => {
    const path =
      own?.[key] !== undefined
        ? ['environments', name, 'strategy', key]
        : shared?.[key] !== undefined
          ? ['strategies', 'rolling', key]
          : undefined;
    if (!path) return [];
    const what =
      key === 'approval'
        ? 'no /promote is ever asked for'
        : 'it is never waited (the monitor window still watches the release)';
    const before =
      key === 'approval' ? ", or ask for approval before the deployment (the environment's approvals)" : '';
    return [
      {
        path,
        // One instance is one batch whatever max_surge and max_unavailable say: lowering them cannot help.
        message:
          count === 1
            ? `${key} is taken between batches, and environment ${JSON.stringify(name)} has a single instance, always one batch, so ${what}: ${own?.[key] !== undefined ? `remove ${key}` : `move ${key} from strategies.rolling to the strategy of each environment with several batches`}${before}`
            : `${key} is taken between batches, and environment ${JSON.stringify(name)} deploys all ${count} instances in one batch (max_surge + max_unavailable >= ${count}), so ${what}: lower max_surge / max_unavailable to deploy in several batches${before}`,
        failsEveryDeployment: false,
      },
    ];
  });
}

/**
 * The windows watched every `monitor_interval` (the monitor window; as a staging environment, its
 * validation_window; a blue-green switch's analysis_before_switch and verify_after_switch; a canary step's
 * analysis, its pause; a rolling batch's, its pause): one shorter than the interval is watched as one interval
 * of its own length (health checks at its start and end, one metrics reading over it), not every interval
 * written; and the metrics analysis reads whole intervals, so a window that is not a whole number of them lasts
 * to the end of its last one, longer than written. Said only where the author wrote one of the two (the
 * presets' own values agree), at the interval when it is written. With an analysis, a window too short for its
 * min_samples too (minSamplesWarnings).
 */
function intervalFindings(
  config: RawConfig,
  name: string,
  env: RawEnvironment,
  isStaging: boolean,
): Finding[] {
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
      kind: 'watch',
    },
  ];
  if (isStaging)
    windows.push({
      what: 'its validation_window (as a staging environment)',
      ms: env.validation_window ?? preset.validationWindowMs,
      path: env.validation_window === undefined ? undefined : [...base, 'validation_window'],
      kind: 'watch',
    });
  const strategy = resolvedStrategy(config, env, preset);
  windows.push(...blueGreenWindows(config, name, env, preset.blueGreen.verifyAfterSwitchMs));
  windows.push(...canaryWindows(config, name, env, strategy));
  windows.push(...rollingWindows(config, name, env, strategy));
  const analysed = (env.analysis ?? config.analysis) !== undefined;
  const warnings: Finding[] = [];
  if (analysed) warnings.push(...minSamplesFindings(config, name, env, windows, interval, intervalText));
  for (const window of windows) {
    if (window.ms <= 0 || (!intervalWritten && !window.path)) continue;
    const path = intervalWritten ? [...base, 'monitor_interval'] : window.path!;
    const windowText = `${window.what} (${formatDuration(window.ms)}${window.path ? '' : ', the default'})`;
    if (interval > window.ms)
      warnings.push({
        failsEveryDeployment: false,
        path,
        message:
          `${intervalText} is longer than ${windowText}: that window is watched as one interval of ` +
          `${formatDuration(window.ms)} (health checks at its start and end, one metrics reading over it), ` +
          `not every ${formatDuration(interval)}; make monitor_interval at most ${formatDuration(window.ms)}, or the window longer`,
      });
    else if (analysed && window.ms % interval !== 0) {
      const intervals = Math.ceil(window.ms / interval);
      warnings.push({
        failsEveryDeployment: false,
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

/**
 * A blue-green environment's analysed windows, where written (its own strategy, or strategies.blue-green): the
 * idle slot's analysis_before_switch (default 0: health checks only, no window) and verify_after_switch.
 */
function blueGreenWindows(
  config: RawConfig,
  name: string,
  env: RawEnvironment,
  verifyPresetMs: number,
): Window[] {
  if (strategyType(env) !== 'blue-green') return [];
  const own =
    typeof env.strategy === 'object' && env.strategy.type === 'blue-green' ? env.strategy : undefined;
  const shared = config.strategies?.['blue-green'];
  const at = (key: 'verify_after_switch' | 'analysis_before_switch'): Window | undefined => {
    const what =
      key === 'verify_after_switch' ? 'its verify_after_switch window' : 'its analysis_before_switch window';
    if (own?.[key] !== undefined)
      return { what, ms: own[key], path: ['environments', name, 'strategy', key], kind: 'step' };
    if (shared?.[key] !== undefined)
      return { what, ms: shared[key], path: ['strategies', 'blue-green', key], kind: 'step' };
    return key === 'verify_after_switch'
      ? { what, ms: verifyPresetMs, path: undefined, kind: 'step' }
      : undefined;
  };
  return [at('analysis_before_switch'), at('verify_after_switch')].filter((w) => w !== undefined);
}

/**
 * A canary's step analyses: a step's own `pause`, or the strategy's `pause` for the steps without one
 * (resolve.ts: own over strategies.canary), or else the preset's (said only with monitor_interval written, or as
 * too short for min_samples). A `pause: manual` step analyses for the latter.
 */
function canaryWindows(
  config: RawConfig,
  name: string,
  env: RawEnvironment,
  strategy: ResolvedStrategy | undefined,
): Window[] {
  if (strategy?.type !== 'canary') return [];
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
  const windows = strategy.steps.map((resolved, index): Window => {
    const step = steps?.[index];
    const stepPause = typeof step === 'object' ? step.pause : undefined;
    if (typeof stepPause === 'number' && stepsPath)
      return {
        what: `the analysis of canary step ${index + 1} (its pause)`,
        ms: stepPause,
        path: [...stepsPath, index, 'pause'],
        kind: 'step',
      };
    const what = 'the analysis of a canary step (its pause)';
    if (pausePath && typeof pause === 'number') return { what, ms: pause, path: pausePath, kind: 'step' };
    return { what, ms: resolved.pauseMs, path: undefined, kind: 'step' };
  });
  // The steps sharing a pause are one window (said once).
  return [...new Map(windows.map((w) => [JSON.stringify(w), w])).values()];
}

/**
 * A rolling environment's batch analysis (`pause`, own or strategies.rolling), watched after every batch but
 * the last: none with a single batch, where the pause is never used.
 */
function rollingWindows(
  config: RawConfig,
  name: string,
  env: RawEnvironment,
  strategy: ResolvedStrategy | undefined,
): Window[] {
  if (strategy?.type !== 'rolling' || strategy.instances.length <= strategy.batchSize) return [];
  const own = typeof env.strategy === 'object' && env.strategy.type === 'rolling' ? env.strategy : undefined;
  const what = 'the analysis of a rolling batch (its pause)';
  if (typeof own?.pause === 'number')
    return [{ what, ms: own.pause, path: ['environments', name, 'strategy', 'pause'], kind: 'step' }];
  const shared = config.strategies?.rolling?.pause;
  if (own?.pause === undefined && typeof shared === 'number')
    return [{ what, ms: shared, path: ['strategies', 'rolling', 'pause'], kind: 'step' }];
  return [];
}

/** The environment's strategy as a run resolves it; undefined when it cannot be (a run says why). */
function resolvedStrategy(
  config: RawConfig,
  env: RawEnvironment,
  preset: Preset,
): ResolvedStrategy | undefined {
  try {
    return resolveStrategy(config, env, preset);
  } catch {
    return undefined;
  }
}

/**
 * An analysed window with fewer intervals (its one extension included) than `min_samples`, the intervals with
 * data the analysis needs before it may promote (analysis/judge.ts): it can never pass on its metrics. With
 * `on_undecided: decide` (the default) it ends in a rollback `no-data` by rule min_samples (deadline.ts),
 * however healthy the deployment; with `hold` a strategy's step ends inconclusive each time it is analysed
 * (a hold analyses it again over as few intervals) and then fails (sequence.ts: analysis_inconclusive), and a
 * watch (monitor, staging) ends inconclusive with the run going on (machine/loop.ts). The first two fail every
 * deployment (errors); the last is a warning. The author wrote the analysis, so the presets' windows are judged too.
 */
function minSamplesFindings(
  config: RawConfig,
  name: string,
  env: RawEnvironment,
  windows: readonly Window[],
  interval: number,
  intervalText: string,
): Finding[] {
  const analysis = env.analysis ?? config.analysis;
  // The default asks no more than a window has (analysis/judge.ts): only a min_samples written can be too many.
  if (!analysis || analysis.min_samples === undefined) return [];
  const analysisPath: Path = env.analysis ? ['environments', name, 'analysis'] : ['analysis'];
  const minSamples = analysis.min_samples;
  const extend = analysis.extend_undecided ?? UNDECIDED_DEFAULTS.extendUndecided;
  const decide = (analysis.on_undecided ?? UNDECIDED_DEFAULTS.onUndecided) === 'decide';
  const samplesText = `min_samples (${minSamples})`;
  const findings: Finding[] = [];
  for (const window of windows) {
    if (window.ms <= 0) continue;
    // As the analysis counts them (pipeline/metrics-analyzer.ts, analysis/window.ts windowIntervals).
    const { base, extension } = windowIntervals(
      { extendUndecided: extend },
      window.ms,
      Math.min(interval, window.ms),
    );
    if (base + extension >= minSamples) continue;
    let enough = base;
    while (enough + Math.ceil(enough * extend) < minSamples) enough++;
    const windowText = `${window.what} (${formatDuration(window.ms)}${window.path ? '' : ', the default'})`;
    const counted =
      `${base} interval${base === 1 ? '' : 's'} of ${intervalText}` +
      (extension > 0 ? `, ${base + extension} with its one extension (extend_undecided)` : '');
    const outcome = decide
      ? 'its analysis ends in a rollback (no-data, rule min_samples) however healthy the deployment is, so every deployment fails there'
      : window.kind === 'step'
        ? 'it ends inconclusive (on_undecided: hold) every time it is analysed, so the step fails (analysis_inconclusive) however healthy the deployment is'
        : 'it ends inconclusive (on_undecided: hold) and the run goes on without its metrics ever finding the deployment healthy';
    findings.push({
      failsEveryDeployment: decide || window.kind === 'step',
      path:
        window.path ??
        (env.monitor_interval !== undefined
          ? ['environments', name, 'monitor_interval']
          : [...analysisPath, 'min_samples']),
      message:
        `${windowText} is ${counted}, fewer than the ${samplesText} intervals with data the analysis needs ` +
        `before it may promote: that window can never pass on its metrics; ${outcome}; make the window at ` +
        `least ${formatDuration(enough * interval)} (${enough} intervals), or min_samples at most ${base + extension}`,
    });
  }
  return findings;
}

type AnalysisSection = RawEnvironment['analysis'];

/** A PromQL query that answers a per-second rate and never an interval's count (no increase(), no scaling). */
const PER_SECOND = /\b(?:i?rate)\s*\(/;
const COUNTED = /\bincrease\s*\(|\*/;
/** PromQL's string literals: a label matcher's `".*"` multiplies nothing. */
const PROMQL_STRING = /"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g;

/**
 * The metrics the analysis reads as per-interval counts: the seeds preset's errors and requests, an errors
 * comparison's two, and a threshold's request count.
 */
function countedMetrics(analysis: NonNullable<AnalysisSection>): Set<string> {
  const counted = new Set<string>((analysis.preset ?? 'seeds') === 'seeds' ? ['errors', 'requests'] : []);
  for (const check of analysis.checks ?? []) {
    if ('compare' in check && check.compare === 'errors') {
      counted.add(check.errors);
      counted.add(check.requests);
    } else if ('check' in check && typeof check.requests === 'string') counted.add(check.requests);
  }
  return counted;
}

/**
 * A metric counted tests read as counts (the errors and requests of a `compare: errors`, a threshold's
 * `requests`, and the seeds preset's `errors` and `requests`) whose Prometheus query answers a per-second rate:
 * at 2 requests a second the test would see 2 requests an interval instead of 60 (at a 30 s interval) and be
 * far weaker than written; a 10 % error-rate rule on counts might never fire. Said as a warning: a query may
 * scale a rate by other means than those read here.
 */
function perSecondCountFindings(analysis: AnalysisSection, base: Path): Finding[] {
  if (!analysis?.metrics) return [];
  const counted = countedMetrics(analysis);
  const findings: Finding[] = [];
  for (const name of counted) {
    if (!Object.hasOwn(analysis.metrics, name)) continue;
    const metric = analysis.metrics[name]!;
    for (const key of ['query', 'stable_query'] as const) {
      const written = metric[key];
      if (typeof written !== 'string') continue;
      const query = written.replace(PROMQL_STRING, '""');
      if (!PER_SECOND.test(query) || COUNTED.test(query)) continue;
      findings.push({
        path: [...base, 'metrics', name, key],
        message:
          `metric "${name}" is read as a count per interval, but its query answers a per-second rate (rate()): ` +
          'the error tests would see far fewer requests than were served and be weaker than written; ' +
          'count the interval instead, with increase() over the monitor_interval, e.g. sum(increase(http_requests_total[30s]))',
        failsEveryDeployment: false,
      });
    }
  }
  return findings;
}

/** An `or` outside PromQL's strings: a fallback for a query that matches no series (`or vector(0)`). */
const FALLBACK = /\bor\b/i;
/**
 * A matcher on a status code (`code=~"5.."`, `status="500"`): a label whose series a client library creates
 * at the first request that has it, unlike a counter without labels, which exists at 0 from the start.
 */
const BY_STATUS =
  /\b(?:code|status|status_code|response_code|http_status)\s*(?:=~|!~|!=|=)|=~?\s*["'`]\^?[45]/i;
/** A matcher selecting 4xx or 5xx by its value (`=~"5.."`, `="503"`). */
const BY_ERROR_STATUS = /=~?\s*["'`]\^?[45]/;

/**
 * The errors count of an errors check (a `compare: errors`' `errors`, the seeds preset's `errors` beside
 * `requests`) read by a Prometheus query that selects by status code (BY_STATUS) with no `or` fallback. Such
 * error series do not exist before the first error, so for a version with no errors (the healthy case) the
 * query matches no series: no data, never 0, and after max_no_data the dead-man's switch rolls back every
 * deployment that had no errors. Said as a warning: a query may match a series that is always there.
 */
function errorsWithoutFallbackFindings(analysis: AnalysisSection, base: Path): Finding[] {
  if (!analysis?.metrics) return [];
  const metrics = analysis.metrics;
  const errors = new Set<string>();
  if (
    (analysis.preset ?? 'seeds') === 'seeds' &&
    Object.hasOwn(metrics, 'errors') &&
    Object.hasOwn(metrics, 'requests')
  )
    errors.add('errors');
  for (const check of analysis.checks ?? [])
    if ('compare' in check && check.compare === 'errors') errors.add(check.errors);
  // An error rate divided from such errors has no series either (`sum(...5..) / sum(...)`).
  const rates = Object.entries(metrics)
    .filter(([name, metric]) => (name === 'error_rate' || metric.field === 'error_rate') && !metric.histogram)
    .map(([name]) => name);
  const findings: Finding[] = [];
  for (const name of [...errors, ...rates]) {
    if (!Object.hasOwn(metrics, name)) continue;
    const metric = metrics[name]!;
    const provider = analysis.providers?.[metric.provider];
    if (provider?.type !== 'prometheus') continue;
    const rate = !errors.has(name);
    for (const key of ['query', 'stable_query'] as const) {
      const written = metric[key];
      // A rate selects its errors by a 4xx/5xx value: one selecting 2xx (1 - ok / all) has data whenever
      // there are requests.
      if (typeof written !== 'string' || !(rate ? BY_ERROR_STATUS : BY_STATUS).test(written)) continue;
      if (FALLBACK.test(written.replace(PROMQL_STRING, '""'))) continue;
      findings.push({
        path: [...base, 'metrics', name, key],
        message: rate
          ? `metric "${name}" is an error rate whose errors are selected by status code, and its query has no ` +
            "fallback for matching no series: before a version's first error its error series do not exist, so the " +
            'ratio has no series either, which is no data (never 0), and after max_no_data the analysis rolls a ' +
            'healthy version back; put `or vector(0)` on its errors, e.g. ' +
            `(sum(rate(http_requests_total{code=~"5.."}[1m])) or vector(0)) / sum(rate(http_requests_total[1m]))`
          : `metric "${name}" counts errors, and its query has no fallback for matching no series: before a ` +
            "version's first error its error series do not exist, so a healthy version answers no series, which is " +
            'no data (never 0), and after max_no_data the analysis rolls it back; end the query with `or vector(0)`, ' +
            `e.g. sum(increase(http_requests_total{code=~"5.."}[30s])) or vector(0)`,
        failsEveryDeployment: false,
      });
    }
  }
  return findings;
}

/** A counter's name as exported (no recording rule's `:`): `http_requests_total`, `..._bucket`, `..._count`. */
const COUNTER_NAME = /(?<![\w:])[A-Za-z_][A-Za-z0-9_]*_(?:total|count|bucket)(?![\w:])/;

/**
 * A metric read as an interval's counts (the counts of an errors comparison or a counted threshold, the seeds
 * preset's `errors` and `requests`, a histogram's buckets) whose Prometheus query reads a counter with no
 * range at all (`sum(http_requests_total{...})`, no `[1m]`): that is every request since each process started,
 * not the interval's, so each look counts the same requests again, a canary's few errors at its start are
 * evidence over and over, and a stable up for weeks outweighs it a million to one. Said as a warning: a query
 * may read per-interval counts by other means (a recording rule, whose name holds `:`, is not read as one).
 */
function rawCounterFindings(analysis: AnalysisSection, base: Path): Finding[] {
  if (!analysis?.metrics) return [];
  const metrics = analysis.metrics;
  const counted = countedMetrics(analysis);
  for (const [name, metric] of Object.entries(metrics)) if (metric.histogram === true) counted.add(name);
  const findings: Finding[] = [];
  for (const name of counted) {
    if (!Object.hasOwn(metrics, name)) continue;
    const metric = metrics[name]!;
    if (analysis.providers?.[metric.provider]?.type !== 'prometheus') continue;
    for (const key of ['query', 'stable_query'] as const) {
      const written = metric[key];
      if (typeof written !== 'string') continue;
      const query = written.replace(PROMQL_STRING, '""');
      const counter = COUNTER_NAME.exec(query)?.[0];
      // A range ([1m]) or an offset (x_total - x_total offset 30s, a count by hand) reads the interval.
      if (!counter || query.includes('[') || /\boffset\b/i.test(query)) continue;
      findings.push({
        path: [...base, 'metrics', name, key],
        message:
          `metric "${name}" is read as the interval's ${metric.histogram === true ? 'bucket counts' : 'count'}, but its query reads the counter ${counter} ` +
          'with no range ([1m]): that counts every request since each process started, again at every interval, so the ' +
          "tests judge the same requests over and over (a canary's first errors become evidence at each look); " +
          `count the interval with increase(), e.g. sum${metric.histogram === true ? ' by (le) ' : ''}(increase(${counter}[30s]))`,
        failsEveryDeployment: false,
      });
    }
  }
  return findings;
}

/**
 * A metric defined under an analysis section that no check of it reads (its own checks, or the seeds preset's:
 * analysis/analyzer.ts reads only those): it is never asked for and judges nothing, so a check written for it
 * was most likely left out or names another metric. `users`: the environments that use the section (an
 * environment's own, or the shared one those without their own use); none, nothing to say (no run reads it).
 * Said as a warning: a metric may be kept for later, or for `deploy-action alerts` of another config.
 */
function unreadMetricFindings(analysis: AnalysisSection, base: Path, users: readonly string[]): Finding[] {
  if (!analysis?.metrics || users.length === 0) return [];
  let read: Set<string>;
  try {
    read = new Set(resolveAnalysisConfig(analysis).checks.flatMap(readMetrics));
  } catch {
    return []; // The load says why the section does not resolve.
  }
  // At most ten names (quotedNames): every unread metric of a section shared by all environments named them
  // all, so the warnings grew as metrics times environments (88 MB of text for 2,000 metrics and 5,000 names).
  const who = `${users.length === 1 ? 'environment' : 'environments'} ${quotedNames(users)}`;
  const which = (analysis.preset ?? 'seeds') === 'seeds' ? " (neither its own nor the seeds preset's)" : '';
  return Object.keys(analysis.metrics)
    .filter((name) => !read.has(name))
    .map((name) => ({
      path: [...base, 'metrics', name],
      message:
        `metric "${name}" is defined in the analysis of ${who} but no check reads it${which}, so it is never ` +
        `read and judges nothing; name it in a check (e.g. check: "${name} < 2x baseline") or remove it`,
      failsEveryDeployment: false,
    }));
}
