// Direct: deploy in place, check health. Rollback redeploys the previous version (or runs the target's own
// rollback command). Seed 03's strategy for low-traffic, non-critical services.
import type { TargetCapabilities } from './capabilities.ts';
import { sequenceMachine } from './machine.ts';
import type { PlannedStep } from './sequence.ts';

export function directStrategy(caps: TargetCapabilities) {
  const plan: PlannedStep[] = [{ step: { kind: 'deploy' }, reason: 'deploy the new version in place' }];
  if (caps.health) plan.push({ step: { kind: 'health' }, reason: 'the new version must be healthy' });
  return sequenceMachine({
    name: 'direct',
    plan,
    maxHolds: 0,
    rollback: (started) =>
      started.length > 0
        ? [
            { kind: 'rollback' },
            ...(caps.health ? [{ kind: 'health' as const, version: 'previous' as const }] : []),
          ]
        : [],
    outcome: {},
    describe: (current) => (current?.step.kind === 'health' ? 'checking health' : 'deploying'),
  });
}
