// Rolling: instances are replaced in batches; each batch must be healthy before the next starts. Batch size
// follows Kubernetes' rule: max_surge new instances may be added and max_unavailable old ones removed at once.
// On failure the batches already done are undone in reverse order, or (on_failure: pause) left as they are
// and the rollout stops, like `kubectl rollout pause`. A batch gate (`pause: manual`, `approval: N`) waits for
// people after every batch but the last.
import type { ResolvedStrategy } from '../config/resolve.ts';
import type { TargetCapabilities } from './capabilities.ts';
import { sequenceMachine } from './machine.ts';
import type { PlannedStep } from './sequence.ts';
import type { Step } from './types.ts';
import { plannedWait } from './wait.ts';

type Rolling = Extract<ResolvedStrategy, { type: 'rolling' }>;

export function batchesOf<T>(items: T[], size: number): T[][] {
  const batches: T[][] = [];
  for (let i = 0; i < items.length; i += size) batches.push(items.slice(i, i + size));
  return batches;
}

export function rollingStrategy(params: Rolling, caps: TargetCapabilities) {
  const batches = batchesOf(params.instances, params.batchSize);
  const plan: PlannedStep[] = [];
  batches.forEach((instances, i) => {
    const batch = i + 1;
    plan.push({
      step: { kind: 'deploy', instances, batch },
      reason: `batch ${batch}/${batches.length}: ${instances.length} instance(s), max surge ${params.maxSurge}, max unavailable ${params.maxUnavailable}`,
    });
    if (caps.health)
      plan.push({
        step: { kind: 'health', instances },
        reason: `batch ${batch} must be healthy before the next`,
      });
    if (params.pauseMs > 0 && batch < batches.length)
      plan.push({
        step: { kind: 'analysis', phase: 'batch', batch, windowMs: params.pauseMs },
        reason: `watch batch ${batch} before going on`,
      });
    if (params.batchGate && batch < batches.length)
      plan.push(plannedWait(params.batchGate, `after batch ${batch}/${batches.length}`));
  });

  const machine = sequenceMachine({
    name: 'rolling',
    plan,
    maxHolds: 1,
    rollback(started) {
      const touched = started.flatMap((p) => (p.step.kind === 'deploy' && p.step.instances ? [p.step] : []));
      const steps: Step[] = [];
      for (const batch of touched.reverse()) {
        steps.push({ kind: 'rollback', instances: batch.instances!, batch: batch.batch });
        if (caps.health) steps.push({ kind: 'health', instances: batch.instances!, version: 'previous' });
      }
      return steps;
    },
    outcome: {},
    describe: (current) => {
      const step = current?.step;
      if (step?.kind === 'wait') return step.at;
      const batch = step && 'batch' in step && step.batch ? step.batch : undefined;
      return batch ? `batch ${batch}/${batches.length}` : `rolling ${params.instances.length} instance(s)`;
    },
  });
  if (params.onFailure === 'rollback') return machine;
  return {
    ...machine,
    next: (state: Parameters<typeof machine.next>[0], result: Parameters<typeof machine.next>[1]) => {
      const transition = machine.next(state, result);
      return transition.decision.type === 'fail'
        ? { ...transition, decision: { ...transition.decision, pause: true } }
        : transition;
    },
  };
}
