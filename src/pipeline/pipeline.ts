// One deployment, phase by phase (DESIGN.md §1): validate → staging → production → verify → monitor →
// finalize. The decisions are a pure state machine (machine.ts); the executor (executor.ts) performs them and
// keeps the environment record. This module is the entry point callers import.
import type { RawConfig } from '../config/schema.ts';
import { resolveEnvironment, type ResolvedEnvironment } from '../config/resolve.ts';

export { runPipeline, type PipelineDeps, type PipelineInput } from './executor.ts';
export { MAX_IN_JOB_SCALE_DOWN_WAIT_MS } from './machine.ts';

/**
 * The staging environment `env` names, resolved once for the run (it keeps its own strategy and parameters;
 * only the state directory is shared), or undefined when there is none.
 */
export function resolveStaging(
  config: RawConfig,
  env: ResolvedEnvironment,
  stateDir?: string,
): ResolvedEnvironment | undefined {
  return env.staging ? resolveEnvironment(config, env.staging, { stateDir }) : undefined;
}
