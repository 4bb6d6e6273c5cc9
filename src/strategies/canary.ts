// Canary: the new version runs beside the stable one and takes a growing share of traffic, step by step
// (seed default 5 → 10 → 25 → 50 → 100). Each step is followed by an analysis over the step's pause; only
// `promote` moves on, `hold` waits another window (bounded), `rollback` puts the weight back to 0. A step with a
// gate (`pause: manual`, `approval: N`) then waits for people before the next weight.
import type { ResolvedStrategy } from '../config/resolve.ts';
import type { LiveState, TargetCapabilities } from './capabilities.ts';
import { slotsFor } from './blue-green.ts';
import { sequenceMachine } from './machine.ts';
import type { PlannedStep } from './sequence.ts';
import type { Step } from './types.ts';
import { plannedWait } from './wait.ts';

type Canary = Extract<ResolvedStrategy, { type: 'canary' }>;

export function canaryStrategy(params: Canary, caps: TargetCapabilities, live: LiveState) {
  const { idle: canary, from: stable } = slotsFor(params.slots, live.slot);
  const plan: PlannedStep[] = [
    { step: { kind: 'deploy', slot: canary }, reason: `deploy the canary on ${canary}` },
  ];
  if (caps.health)
    plan.push({
      step: { kind: 'health', slot: canary },
      reason: 'the canary must be healthy before any traffic',
    });
  if (caps.smoke) plan.push({ step: { kind: 'smoke', slot: canary }, reason: 'smoke tests on the canary' });
  const firstWeightIndex = plan.length;
  const steps = [...params.steps];
  // Every canary ends with all traffic on the new version.
  if ((steps.at(-1)?.weight ?? 0) < 100) steps.push({ weight: 100, pauseMs: 0 });
  steps.forEach(({ weight, pauseMs, gate }, i) => {
    plan.push({
      step: { kind: 'set_weight', slot: canary, stableSlot: stable, weight },
      reason: i === 0 ? `first canary step: ${weight} % of traffic` : `previous step promoted: ${weight} %`,
    });
    plan.push({
      step: {
        kind: 'analysis',
        phase: 'canary-step',
        slot: canary,
        stableSlot: stable,
        weight,
        windowMs: pauseMs,
      },
      reason: `analyse the canary at ${weight} %${pauseMs ? ` for ${Math.round(pauseMs / 1000)}s` : ''}`,
    });
    // At 100 % there is nothing left to promote to (the config refuses such a gate).
    if (gate && weight < 100) plan.push(plannedWait(gate, `canary ${weight} %`, weight));
  });

  return sequenceMachine({
    name: 'canary',
    plan,
    maxHolds: params.maxHolds,
    rollback(started) {
      const steps: Step[] = [];
      if (started.length === 0) return steps;
      if (started.length > firstWeightIndex)
        steps.push({ kind: 'set_weight', slot: canary, stableSlot: stable, weight: 0 });
      if (caps.teardown) steps.push({ kind: 'teardown', slot: canary });
      return steps;
    },
    outcome: { liveSlot: canary, retiredSlot: live.slot, scaleDownDelayMs: params.scaleDownDelayMs },
    describe: (current) => {
      const step = current?.step;
      if (
        step &&
        (step.kind === 'set_weight' ||
          ((step.kind === 'analysis' || step.kind === 'wait') && step.weight !== undefined))
      )
        return `canary ${step.weight} %`;
      return `preparing canary on ${canary}`;
    },
  });
}
