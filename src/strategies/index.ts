import type { ResolvedStrategy } from '../config/resolve.ts';
import { blueGreenStrategy } from './blue-green.ts';
import { canaryStrategy } from './canary.ts';
import type { LiveState, TargetCapabilities } from './capabilities.ts';
import { directStrategy } from './direct.ts';
import { rollingStrategy } from './rolling.ts';
import type { PlannedStep, SequenceState } from './sequence.ts';
import type { StrategyMachine } from './types.ts';

export type AnyMachine = StrategyMachine<SequenceState> & { plan: PlannedStep[] };

export function createStrategy(
  strategy: ResolvedStrategy,
  caps: TargetCapabilities,
  live: LiveState,
): AnyMachine {
  switch (strategy.type) {
    case 'direct':
      return directStrategy(caps);
    case 'rolling':
      return rollingStrategy(strategy, caps);
    case 'blue-green':
      return blueGreenStrategy(strategy, caps, live);
    case 'canary':
      return canaryStrategy(strategy, caps, live);
  }
}

/** Whether the strategy routes traffic between two slots (and so needs to know the live one). */
export function usesSlots(
  strategy: ResolvedStrategy,
): strategy is Extract<ResolvedStrategy, { slots: [string, string] }> {
  return strategy.type === 'blue-green' || strategy.type === 'canary';
}
