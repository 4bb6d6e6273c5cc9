// What the Deployments tab shows at each point: the state and a description (at most 140 characters,
// GitHub's limit) that says the phase. Pure.
import { formatDuration } from '../../config/duration.ts';
import type { PhaseId, PipelineResult } from '../../pipeline/events.ts';
import type { DeploymentState } from '../../github/status-comment.ts';
import { truncate } from '../markdown.ts';

export const DESCRIPTION_MAX = 140;

export interface StatusUpdate {
  state: DeploymentState;
  description: string;
}

export function startStatus(version: string, strategy: string): StatusUpdate {
  return { state: 'queued', description: truncate(`starting: ${strategy} to ${version}`, DESCRIPTION_MAX) };
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
    description: truncate(what[phase], DESCRIPTION_MAX),
  };
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
      case 'rolled_back':
        return { state: 'failure' as const, d: `rolled back: ${serving} [${result.code}] ${result.message}` };
      case 'blocked':
        return { state: 'failure' as const, d: `blocked before deploying: ${result.message}` };
      case 'cancelled':
        return { state: 'error' as const, d: cancelledDescription(result, serving) };
      case 'paused':
        return { state: 'failure' as const, d: `paused [${result.code}]: ${result.message}` };
      default:
        return {
          state: (result.code === 'rollback_failed' || result.code === 'internal_error'
            ? 'error'
            : 'failure') as DeploymentState,
          d: `failed [${result.code}]: ${result.message}`,
        };
    }
  })();
  return { state: text.state, description: truncate(text.d.replace(/\s+/g, ' '), DESCRIPTION_MAX) };
}

/** A cancelled run says first which version serves now, or that the rollback did not get there. */
function cancelledDescription(result: PipelineResult, serving: string): string {
  if (result.rollbacks.length === 0)
    return result.previousVersion
      ? `cancelled before anything changed: ${result.previousVersion} still serves`
      : 'cancelled before anything changed';
  if (result.rollbacks.every((r) => r.ok)) return `cancelled: ${serving}`;
  const where = [...new Set(result.rollbacks.filter((r) => !r.ok).map((r) => r.environment))].join(', ');
  return `cancelled: the rollback did not complete, check ${where} now`;
}

/** The deploy check run's conclusion for a finished run. */
export function deployConclusion(
  result: PipelineResult,
): 'success' | 'failure' | 'cancelled' | 'action_required' {
  if (result.status === 'succeeded') return 'success';
  if (result.status === 'cancelled') return 'cancelled';
  if (result.status === 'paused') return 'action_required';
  return 'failure';
}
