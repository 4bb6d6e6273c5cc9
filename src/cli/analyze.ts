// `deploy-action analyze`: judges a recording offline. Its exit codes are its own (ANALYZE_EXIT_CODES, where
// 2 means "hold"), so every way the command can end, command-line and config errors included, maps to one of
// them here instead of to the exit code 2 the other commands give bad input.
import { ANALYZE_EXIT_CODES } from '../analysis/exit-codes.ts';
import { runAnalyzeCommand } from '../analysis/replay.ts';
import type { AnalysisConfigInput } from '../analysis/schema.ts';
import { resolveEnvironment, ResolveError } from '../config/resolve.ts';
import type { RawConfig } from '../config/schema.ts';

export interface AnalyzeCliOptions {
  recording: string;
  config?: string;
  environment?: string;
  json?: boolean;
}

export interface AnalyzeCliDeps {
  out(text: string): void;
  err(text: string): void;
  /** Loads and validates a config file, printing its problems; undefined when it is invalid. */
  loadConfig(path: string, json: boolean): Promise<RawConfig | undefined>;
}

// Parsing-time pieces live in usage.ts, which main.ts loads without this module.
export { AnalyzeUsageError, analyzeExitOverride } from './usage.ts';

export async function analyzeCli(opts: AnalyzeCliOptions, deps: AnalyzeCliDeps): Promise<number> {
  try {
    return await analyze(opts, deps);
  } catch (error) {
    // A crash must not exit 1, which reads as "roll back" to a script.
    const message = `unexpected error: ${error instanceof Error ? error.message : String(error)}`;
    if (opts.json) deps.out(`${JSON.stringify({ error: message })}\n`);
    else deps.err(`error: ${message}\n`);
    return ANALYZE_EXIT_CODES['internal-error'];
  }
}

async function analyze(opts: AnalyzeCliOptions, deps: AnalyzeCliDeps): Promise<number> {
  const badInput = (message: string): number => {
    if (opts.json) deps.out(`${JSON.stringify({ error: message })}\n`);
    else deps.err(`error: ${message}\n`);
    return ANALYZE_EXIT_CODES['bad-input'];
  };
  let analysis: AnalysisConfigInput | undefined;
  if (opts.environment !== undefined && opts.config === undefined)
    return badInput(
      `--environment ${opts.environment} needs --config: it picks that environment's analysis section of the config file`,
    );
  if (opts.config !== undefined) {
    const config = await deps.loadConfig(opts.config, !!opts.json);
    if (!config) return ANALYZE_EXIT_CODES['bad-input'];
    try {
      analysis = opts.environment
        ? (resolveEnvironment(config, opts.environment).analysis as AnalysisConfigInput | undefined)
        : (config.analysis as AnalysisConfigInput | undefined);
    } catch (error) {
      if (error instanceof ResolveError) return badInput(error.message);
      throw error;
    }
    if (!analysis)
      return badInput(
        `${opts.config} has no analysis section${opts.environment ? ` for ${opts.environment}` : ''}`,
      );
  }
  const result = runAnalyzeCommand({ recording: opts.recording, json: opts.json, config: analysis });
  const text = result.output.endsWith('\n') ? result.output : `${result.output}\n`;
  const failed =
    result.exitCode === ANALYZE_EXIT_CODES['bad-input'] ||
    result.exitCode === ANALYZE_EXIT_CODES['internal-error'];
  // A verdict (and anything in --json) goes to stdout; an error message in text mode to stderr.
  if (failed && !opts.json) deps.err(text);
  else deps.out(text);
  return result.exitCode;
}
