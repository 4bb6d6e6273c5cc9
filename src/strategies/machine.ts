// Builds a StrategyMachine from a planned sequence of steps plus the strategy's own rollback rule.
import { onResult, startSequence, type PlannedStep, type SequenceState } from './sequence.ts';
import type { Step, StrategyMachine, StrategyOutcome } from './types.ts';

export interface SequenceMachineSpec {
  name: string;
  plan: PlannedStep[];
  maxHolds: number;
  /** Given the steps already started (plan[0..index]), the steps that restore the stable version. */
  rollback(started: PlannedStep[]): Step[];
  outcome: StrategyOutcome;
  describe(current: PlannedStep | undefined): string;
}

export function sequenceMachine(
  spec: SequenceMachineSpec,
): StrategyMachine<SequenceState> & { plan: PlannedStep[] } {
  return {
    name: spec.name,
    plan: spec.plan,
    start: () => startSequence(spec.plan),
    next: (state, result) => onResult(state, result, spec.maxHolds),
    rollback: (state) => spec.rollback(state.plan.slice(0, Math.max(0, state.index + 1))),
    outcome: () => spec.outcome,
    describe: (state) => spec.describe(state.plan[state.index]),
  };
}
