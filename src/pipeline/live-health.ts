// Seed 02's first pre-deployment step, "Health Check Current System: verify current system is healthy": the
// environment's health checks, run once against what is live before anything is touched. A deployment onto a
// version that is already failing would be judged against a broken baseline, and its rollback would go back to
// a version that does not work. A hotfix or a rollback is usually the answer to exactly that, so it goes on.
// Warned of by default, refused with `block`: the checks in deploy.yml are written for the version being
// deployed (a health endpoint it adds, a response it now gives), the live one may not answer them, and a
// deployment is often the fix for an unhealthy system (after a rollback that did not complete, the next
// deployment is not refused: README, rollback_failed).
import type { ResolvedEnvironment, ResolvedHealthCheck } from '../config/resolve.ts';
import type { LiveState } from '../strategies/capabilities.ts';
import type { OutputLine } from '../targets/run-command.ts';
import { runHealthChecks } from './health.ts';
import { deploymentValues, type RunIdentity } from './step-runner.ts';

/** What the check found, and what the run does with it. */
export type LiveHealth =
  /** `cancelled`: the job was cancelled while it looked; the run's first checkpoint ends it as cancelled. */
  | { kind: 'not_checked'; why: 'off' | 'nothing_live' | 'no_health_checks' | 'cancelled' }
  | { kind: 'healthy'; detail: string }
  /** `refuses`: the run stops here, nothing touched; otherwise it goes on with `message` as a warning. */
  | { kind: 'unhealthy'; refuses: boolean; message: string }
  /** The checks could not run against it (a value with none, such as `{{version}}` of an unknown version). */
  | { kind: 'unchecked'; message: string };

/**
 * The checks the look runs: every health check where pre_deploy_health is written; not written (`auto`), the
 * HTTP GET and HEAD ones alone, which only read. A health command may do more than read (a script, kubectl
 * exec), and nothing but a read runs against the target before the deployment unless the config asks for it.
 */
export function liveHealthChecks(env: ResolvedEnvironment): ResolvedHealthCheck[] {
  if (env.preDeployHealth !== 'auto') return env.health;
  return env.health.filter((check) => check.kind === 'http' && check.method !== 'POST');
}

/** Whether the run looks, and what an unhealthy answer does (pure: the policy). */
export function liveHealthPolicy(
  env: ResolvedEnvironment,
  live: LiveState,
  run: { hotfix: boolean },
): { look: false; why: 'off' | 'nothing_live' | 'no_health_checks' } | { look: true; refuses: boolean } {
  if (env.preDeployHealth === 'off') return { look: false, why: 'off' };
  if (live.version === undefined && live.slot === undefined) return { look: false, why: 'nothing_live' };
  if (liveHealthChecks(env).length === 0) return { look: false, why: 'no_health_checks' };
  // A slot with no version known for it (a current command that prints the slot alone, a router that points at
  // blue before anything was deployed, and no record of it) may hold nothing yet: a first deployment. Looked at,
  // warned of, never refused: nothing may refuse a first deployment.
  const known = live.version !== undefined;
  return { look: true, refuses: env.preDeployHealth === 'block' && !run.hotfix && !env.rollback && known };
}

/** The live version's own values: its version and slot, not the new one's. */
function liveValues(env: ResolvedEnvironment, run: RunIdentity, live: LiveState) {
  return { ...deploymentValues(env, run, live), version: live.version, slot: live.slot };
}

export async function checkLiveHealth(
  env: ResolvedEnvironment,
  run: RunIdentity,
  live: LiveState,
  options: { hotfix: boolean; signal?: AbortSignal; onOutput?: (line: OutputLine) => void },
): Promise<LiveHealth> {
  const policy = liveHealthPolicy(env, live, options);
  if (!policy.look) return { kind: 'not_checked', why: policy.why };
  const what = describeLive(env, live);
  // Warned of only (pre_deploy_health: warn, or a hotfix or rollback that goes on): one try of each check, so
  // a live version that is down costs the run no retries. Where it refuses, each check has its retries.
  const checks = policy.refuses
    ? liveHealthChecks(env)
    : liveHealthChecks(env).map((check) => ({ ...check, retries: 0 }));
  const result = await runHealthChecks(checks, liveValues(env, run, live), options);
  if (options.signal?.aborted) return { kind: 'not_checked', why: 'cancelled' };
  if (result.ok)
    return { kind: 'healthy', detail: `${what} is healthy before the deployment: ${result.detail}` };
  if (result.final)
    return {
      kind: 'unchecked',
      message: `the health checks could not be run against ${what} before the deployment: ${result.detail}`,
    };
  const why = `${what} is unhealthy before the deployment (seed 02: the current system must be healthy first): ${result.detail}`;
  if (policy.refuses)
    return {
      kind: 'unhealthy',
      refuses: true,
      message: `${why}. Nothing was touched; fix it, or deploy the fix as a hotfix (which goes on), or set pre_deploy_health: warn`,
    };
  if (live.version === undefined)
    return {
      kind: 'unhealthy',
      refuses: false,
      message:
        `${env.name}'s ${live.slot} slot, named live with no version known for it, did not pass the health checks ` +
        `before the deployment: ${result.detail}; going on (if nothing was ` +
        'deployed there yet, a first deployment, this is expected; otherwise make the current command print the ' +
        'version too)',
    };
  const because =
    env.preDeployHealth === 'warn' || env.preDeployHealth === 'auto'
      ? 'pre_deploy_health: warn'
      : env.rollback
        ? 'a rollback goes on'
        : 'a hotfix goes on';
  return { kind: 'unhealthy', refuses: false, message: `${why}; going on (${because})` };
}

function describeLive(env: ResolvedEnvironment, live: LiveState): string {
  const version = live.version ?? 'the live version';
  return live.slot ? `${version} on ${env.name}'s ${live.slot} slot` : `${version} on ${env.name}`;
}
