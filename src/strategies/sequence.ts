// Most strategies are a sequence of steps with a few branches. This helper runs a list of planned steps and
// turns a failed step into a `fail` decision with its code; an analysis `hold` re-runs the analysis (with
// its pause) up to a bound. Strategies that need more (rolling batches, canary holds) build on it.
import { failureCodeFor, type Decision, type Step, type StepResult } from './types.ts';

export interface PlannedStep {
  step: Step;
  reason: string;
}

export interface SequenceState {
  plan: PlannedStep[];
  /** Index of the step that is running (or -1 before start). */
  index: number;
  holds: number;
}

export function startSequence(plan: PlannedStep[]): { state: SequenceState; decision: Decision } {
  return advance({ plan, index: -1, holds: 0 });
}

export function advance(state: SequenceState): { state: SequenceState; decision: Decision } {
  const index = state.index + 1;
  const planned = state.plan[index];
  const next = { ...state, index, holds: 0 };
  if (!planned) return { state: next, decision: { type: 'done', reason: 'every step succeeded' } };
  return { state: next, decision: { type: 'run', step: planned.step, reason: planned.reason } };
}

/** The common answer to a step result: fail, hold (re-run analysis), or go on. */
export function onResult(
  state: SequenceState,
  result: StepResult,
  maxHolds: number,
): { state: SequenceState; decision: Decision } {
  const current = state.plan[state.index];
  if (!current) return { state, decision: { type: 'done', reason: 'every step succeeded' } };
  if (!result.ok) {
    return {
      state,
      decision: {
        type: 'fail',
        code: failureCodeFor(current.step),
        reason: `${describeStep(current.step)}: ${result.reason}`,
      },
    };
  }
  if (current.step.kind === 'analysis' && result.analysis === 'hold') {
    if (state.holds >= maxHolds) {
      return {
        state,
        decision: {
          type: 'fail',
          code: 'analysis_inconclusive',
          reason: `analysis still inconclusive after ${maxHolds} extra window(s)${result.detail ? `: ${result.detail}` : ''}`,
        },
      };
    }
    return {
      state: { ...state, holds: state.holds + 1 },
      decision: {
        type: 'run',
        step: current.step,
        reason: `analysis inconclusive, holding (${state.holds + 1}/${maxHolds})${result.detail ? `: ${result.detail}` : ''}`,
      },
    };
  }
  return advance(state);
}

export function describeStep(step: Step): string {
  switch (step.kind) {
    case 'deploy':
      return `deploy${step.version === 'previous' ? ' previous version' : ''}${where(step)}`;
    case 'health':
      return `health check${where(step)}`;
    case 'smoke':
      return `smoke tests${where(step)}`;
    case 'warmup':
      return `warm-up of ${step.slot}`;
    case 'switch':
      return `switch traffic ${step.from} → ${step.slot}`;
    case 'set_weight':
      return step.baselineSlot === undefined
        ? `set weight ${step.slot}=${step.weight}% ${step.stableSlot}=${100 - step.weight}%`
        : `set weight ${step.slot}=${step.weight}% ${step.baselineSlot}=${step.baselineWeight ?? 0}% (baseline) ${step.stableSlot}=${stableShare(step)}%`;
    case 'pause':
      return `pause ${Math.round(step.ms / 100) / 10}s`;
    case 'analysis':
      return `analysis (${step.phase}${step.batch !== undefined ? ` ${step.batch}` : ''}${step.weight !== undefined ? ` at ${step.weight}%` : ''})`;
    case 'rollback':
      return `rollback${where(step)}`;
    case 'teardown':
      return `teardown${where(step)}`;
    case 'wait':
      return step.gate === 'approval'
        ? `wait for ${step.approvals ?? 1} approval(s) at ${step.at}`
        : `wait for a promote at ${step.at}`;
  }
}

/** What the stable slot keeps at a set_weight step: the rest after the canary (and a fresh baseline). */
export function stableShare(step: Extract<Step, { kind: 'set_weight' }>): number {
  return 100 - step.weight - (step.baselineWeight ?? 0);
}

function where(step: { slot?: string; instances?: string[]; batch?: number }): string {
  if (step.slot) return ` on ${step.slot}`;
  if (step.instances)
    return ` on ${step.instances.join(', ')}${step.batch !== undefined ? ` (batch ${step.batch})` : ''}`;
  return '';
}

/**
 * Why a rollback step must not run, given the rollback steps before it and their results; undefined when it
 * may. A teardown after a switch back or a weight change that failed is held back: the failed command may have
 * left traffic (all of it, after a blue-green switch) on the slot the teardown would remove. The step is
 * recorded as failed, so the record keeps it to undo once the traffic is back on stable. Pure.
 */
export function heldBackInRollback(
  step: Step,
  before: ReadonlyArray<{ step: Step; result: StepResult }>,
): string | undefined {
  if (step.kind !== 'teardown') return undefined;
  const failed = before.find(
    (r) => (r.step.kind === 'switch' || r.step.kind === 'set_weight') && !r.result.ok,
  );
  if (!failed) return undefined;
  const what = step.slot ?? step.instances?.join(', ') ?? 'the new version';
  return `not run: ${describeStep(failed.step)} failed, so ${what} may still take traffic; it is kept until the traffic is back on the stable version`;
}
