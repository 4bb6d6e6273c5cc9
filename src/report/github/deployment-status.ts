// What the Deployments tab shows at each point: the state and a description (at most 140 characters,
// GitHub's limit) that says the phase. Pure.
import { rollbackShortfall } from '../../pipeline/rollback-shortfall.ts';
import { hookList } from '../../pipeline/cancelled-after-hooks.ts';
import { formatDuration } from '../../config/duration.ts';
import type { PhaseId, PipelineResult, WaitRecord } from '../../pipeline/events.ts';
import type { DeploymentState } from '../../github/status-comment.ts';
import { truncate } from '../markdown.ts';
import { oneLine as plainLine } from '../../github/user-text.ts';
import { abortedWait, currentWait, endedBy, holdBy, WAIT_END_TEXT, waitingFor } from '../waits.ts';

export const DESCRIPTION_MAX = 140;

export interface StatusUpdate {
  state: DeploymentState;
  description: string;
}

export function startStatus(version: string, strategy: string): StatusUpdate {
  return { state: 'queued', description: oneLine(`starting: ${strategy} to ${version}`) };
}

export function phaseStatus(
  phase: PhaseId,
  environment: string,
  version: string,
  strategy: string,
): StatusUpdate {
  const what: Record<PhaseId, string> = {
    validate: `validate: quality gates for ${version}`,
    staging: `staging: deploying ${version} to staging first`,
    production: `production: ${strategy} to ${version}`,
    verify: `verify: smoke tests and validation window on ${environment}`,
    monitor: `monitor: watching ${version} on ${environment}`,
    finalize: `finalize: ${version} is live`,
  };
  return {
    state: phase === 'validate' || phase === 'staging' ? 'queued' : 'in_progress',
    description: oneLine(what[phase]),
  };
}

/**
 * A rollout waiting for people or a bake: still `in_progress` (it is not finished), the description says
 * where and what for: "waiting at canary 25 % for /promote production". `by`: who paused a hold.
 */
export function waitStatus(wait: WaitRecord, environment: string, by?: string): StatusUpdate {
  return {
    state: 'in_progress',
    description: oneLine(`waiting at ${wait.at} ${waitingFor(wait, environment, by && `@${by}`)}`),
  };
}

/** How a wait ends that rolls the rollout back: an /abort, the job's cancellation, an internal error's stop. */
const ROLLS_BACK: ReadonlySet<string> = new Set(['aborted', 'cancelled', 'stopped']);

/** A wait that ended and the rollout goes on: "promoted by @alice at canary 25 %, going on". */
export function waitEndStatus(wait: WaitRecord): StatusUpdate {
  const how = wait.ended?.how ?? 'promoted';
  const by = wait.ended?.by.length ? ` by ${wait.ended.by.map((l) => `@${l}`).join(', ')}` : '';
  return {
    state: 'in_progress',
    description: oneLine(
      `${WAIT_END_TEXT[how]}${by} at ${wait.at}${ROLLS_BACK.has(how) ? ', rolling back' : ', going on'}`,
    ),
  };
}

/**
 * A description GitHub shows as it is: one line, without controls or invisible format characters (a
 * bidirectional override in a gate's reason reordered the Deployments tab), then cut to its 140 characters.
 */
function oneLine(text: string): string {
  return truncate(plainLine(text).replace(/\s+/g, ' '), DESCRIPTION_MAX);
}

/** The final state: a rollback leaves this deployment as failure and names the version that serves again. */
export function finalStatus(result: PipelineResult): StatusUpdate {
  const took = formatDuration(result.durationMs);
  const serving = result.previousVersion
    ? `${result.previousVersion} serves again`
    : 'the previous version serves again';
  const text = (() => {
    switch (result.status) {
      case 'succeeded':
        return {
          state: 'success' as const,
          d: `deployed ${result.version} with ${result.strategy} in ${took}`,
        };
      case 'waiting': {
        // Not final: the rollout goes on in a later run, so the deployment stays in progress.
        const wait = currentWait(result);
        return wait
          ? {
              state: 'in_progress' as const,
              d: waitStatus(wait, result.environment, holdBy(result)).description,
            }
          : { state: 'in_progress' as const, d: `waiting [${result.code}]: ${result.message}` };
      }
      case 'rolled_back':
        if (result.code === 'rollout_aborted') {
          const wait = abortedWait(result);
          const by = wait && endedBy(wait) ? ` by ${wait.ended!.by.map((l) => `@${l}`).join(', ')}` : '';
          return { state: 'failure' as const, d: `aborted${by}: ${serving}: ${result.message}` };
        }
        return { state: 'failure' as const, d: `rolled back: ${serving} [${result.code}] ${result.message}` };
      case 'blocked':
        return { state: 'failure' as const, d: `blocked before deploying: ${result.message}` };
      case 'cancelled':
        // Cancelled in finalize: the new version is live (the result says what serves), so the deployment
        // is a success; the run, and its check run, are cancelled.
        if (result.live)
          return {
            state: 'success' as const,
            d: `deployed ${result.version} with ${result.strategy} in ${took}; ${result.message}`,
          };
        return { state: 'error' as const, d: cancelledDescription(result, serving) };
      case 'paused':
        // A batch failed and the rollout is held for people (on_failure: pause): not over, so the deployment
        // stays in progress (the App then offers Resume and Abort, and its lock stays).
        return {
          state: result.record?.rollout?.wait?.handedOff ? ('in_progress' as const) : ('failure' as const),
          d: `paused [${result.code}]: ${result.message}`,
        };
      default:
        // Stopped by an internal error in finalize, the new version already live (the result says what
        // serves): as a run cancelled there, the deployment is a success; the run, and its check run, failed.
        if (result.live)
          return {
            state: 'success' as const,
            d: `deployed ${result.version} with ${result.strategy} in ${took}; ${result.message}`,
          };
        return {
          state: (result.code === 'rollback_failed' || result.code === 'internal_error'
            ? 'error'
            : 'failure') as DeploymentState,
          d: `failed [${result.code}]: ${result.message}`,
        };
    }
  })();
  return { state: text.state, description: oneLine(text.d) };
}

/** A cancelled run says first which version serves now, or that the rollback did not get there. */
function cancelledDescription(result: PipelineResult, serving: string): string {
  if (result.rollbacks.length === 0) {
    // Short (a status description is at most 140 characters): what serves first, then the hooks not undone.
    if (result.hooksBegun?.length)
      return `cancelled${result.previousVersion ? `: ${result.previousVersion} still serves` : ''}, but ${hookList(result.hooksBegun)} ${result.hooksBegun.length === 1 ? 'hook had begun and is' : 'hooks had begun and are'} not undone`;
    return result.previousVersion
      ? `cancelled before anything changed: ${result.previousVersion} still serves`
      : 'cancelled before anything changed';
  }
  if (result.rollbacks.every((r) => r.ok)) return `cancelled: ${serving}`;
  const where = [...new Set(result.rollbacks.filter((r) => !r.ok).map((r) => r.environment))].join(', ');
  // Traffic is back on stable and only a teardown did not finish: what serves is known, the rest is reconcile's.
  if (result.rollbacks.every((r) => rollbackShortfall(r).kind !== 'incomplete'))
    return `cancelled: ${serving}; cleanup did not finish on ${where}, left for reconcile`;
  return `cancelled: the rollback did not complete, check ${where} now`;
}

/** The deploy check run's conclusion for a finished run. */
export function deployConclusion(
  result: PipelineResult,
): 'success' | 'failure' | 'cancelled' | 'action_required' | 'neutral' {
  if (result.status === 'succeeded') return 'success';
  // The job handed the rollout off: nothing failed, and it is not done either.
  if (result.status === 'waiting') return 'neutral';
  if (result.status === 'cancelled') return 'cancelled';
  if (result.status === 'paused') return 'action_required';
  return 'failure';
}
