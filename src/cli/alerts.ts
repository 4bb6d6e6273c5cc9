// `deploy-action alerts -e ENV [--version V] [--slot S] [--output FILE]` (docs/alerts.md): the environment's
// analysis checks as Prometheus alerting rules for ongoing monitoring of the live release. The version (and
// slot) the queries are written for default to what the environment's state record says is live. Loaded by
// main.ts with import() only when the command runs.
import { alertRulesYaml, deriveAlertRules } from '../analysis/alert-rules.ts';
import { resolveAnalysisConfig, type AnalysisConfig } from '../analysis/config.ts';
import type { AnalysisConfigInput } from '../analysis/schema.ts';
import { oneLine } from '../config/shown.ts';
import { didYouMean } from '../config/suggest.ts';
import { resolveEnvironment, ResolveError } from '../config/resolve.ts';
import type { RawConfig } from '../config/schema.ts';
import { FileStateStore } from '../state/file-store.ts';
import { EXIT_CODES } from '../util/exit-codes.ts';
import { writeWhole } from '../util/write-whole.ts';

export interface AlertsCliOptions {
  environment: string;
  version?: string;
  slot?: string;
  output?: string;
  /** The group's evaluation interval (ms); default 30 s. */
  interval?: number;
  config: string;
  stateDir?: string;
}

export interface AlertsCliDeps {
  out(text: string): void;
  err(text: string): void;
  loadConfig(path: string, json: boolean): Promise<RawConfig | undefined>;
}

export async function alertsCli(opts: AlertsCliOptions, deps: AlertsCliDeps): Promise<number> {
  const fail = (code: string, message: string) => {
    deps.err(`error: ${code}: ${oneLine(message)}\n`);
    return EXIT_CODES.invalidOrBlocked;
  };
  const config = await deps.loadConfig(opts.config, false);
  if (!config) return EXIT_CODES.invalidOrBlocked;
  let env;
  try {
    env = resolveEnvironment(config, opts.environment, { stateDir: opts.stateDir });
  } catch (error) {
    if (error instanceof ResolveError) return fail('unknown_environment', error.message);
    throw error;
  }
  const where = `${opts.config}, environment ${JSON.stringify(env.name)}`;
  if (!env.analysis)
    return fail(
      'no_analysis',
      `${where}: no analysis section (neither the environment's nor a top-level one): there are no checks to write alerts for`,
    );
  let analysis: AnalysisConfig;
  try {
    analysis = resolveAnalysisConfig(env.analysis as AnalysisConfigInput);
  } catch (error) {
    return fail('invalid_analysis', `${where}: analysis: ${(error as Error).message}`);
  }

  // A blue-green or canary environment serves from its slots only: a rule written for another ("grren") would
  // match no series and never fire, monitoring nothing without a word.
  const slots =
    env.strategy.type === 'blue-green' || env.strategy.type === 'canary'
      ? [
          ...env.strategy.slots,
          ...(env.strategy.type === 'canary' && env.strategy.baseline ? [env.strategy.baseline.slot] : []),
        ]
      : undefined;
  if (opts.slot !== undefined && slots && !slots.includes(opts.slot))
    return fail(
      'unknown_slot',
      `${where}: --slot is ${JSON.stringify(opts.slot)}, not one of the environment's slots (${slots.map((n) => JSON.stringify(n)).join(', ')})${didYouMean(opts.slot, slots)}`,
    );

  // What is live: the version and slot the queries are written for, unless both are given.
  let version = opts.version;
  let slot = opts.slot;
  if (version === undefined || slot === undefined) {
    const read = await new FileStateStore(env.stateDir).read(env.name);
    const live = read.ok ? read.record?.live : undefined;
    if (version === undefined) {
      if (!live)
        return fail(
          'version_required',
          `${where}: give --version: the state record in ${env.stateDir} ${read.ok ? 'says nothing is live there' : `cannot be read (${read.message})`}`,
        );
      version = live.version;
    }
    slot ??= live?.slot;
  }

  const result = deriveAlertRules({
    environment: env.name,
    config: analysis,
    // As the monitor window after a deployment renders them: the live version on its slot.
    vars: { environment: env.name, phase: 'monitor', version, ...(slot === undefined ? {} : { slot }) },
    ...(opts.interval === undefined ? {} : { intervalMs: opts.interval }),
  });
  for (const skipped of result.skipped)
    deps.err(
      `warning: ${oneLine(`no alert for check ${JSON.stringify(skipped.check)} (${skipped.code}): ${skipped.reason}`)}\n`,
    );
  if (!result.ok) return fail(result.code.replaceAll('-', '_'), `${where}: ${result.message}`);
  const text = alertRulesYaml(result, {
    environment: env.name,
    version,
    ...(slot === undefined ? {} : { slot }),
  });
  if (opts.output === undefined) deps.out(text);
  else {
    try {
      // Whole or not at all: a failed write leaves the rules it held before.
      await writeWhole(opts.output, text);
    } catch (error) {
      return fail('output_unwritable', `${opts.output}: ${(error as Error).message}`);
    }
    deps.err(`${result.group.rules.length} rule(s) written to ${oneLine(opts.output)}\n`);
  }
  return EXIT_CODES.success;
}
