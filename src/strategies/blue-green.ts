// Blue-green: the new version goes to the idle slot, is checked there while the live slot keeps all traffic,
// then traffic switches at once. The old slot stays as the instant rollback target for scale_down_delay.
import type { ResolvedStrategy } from '../config/resolve.ts';
import { isFirstDeployment, type LiveState, type TargetCapabilities } from './capabilities.ts';
import { sequenceMachine } from './machine.ts';
import type { PlannedStep } from './sequence.ts';
import type { Step } from './types.ts';
import { plannedWait } from './wait.ts';

type BlueGreen = Extract<ResolvedStrategy, { type: 'blue-green' }>;

/** The slot the new version goes to, and the one serving now (the other slot when nothing is recorded). */
export function slotsFor(slots: [string, string], live: string | undefined): { idle: string; from: string } {
  const [idle, other] = live === slots[0] ? [slots[1], slots[0]] : slots;
  return { idle, from: live ?? other };
}

export function blueGreenStrategy(params: BlueGreen, caps: TargetCapabilities, live: LiveState) {
  const { idle, from } = slotsFor(params.slots, live.slot);
  const first = isFirstDeployment(live);
  // A version served from no recorded slot (switched from direct, a current command naming a version only),
  // or nothing known (plan over a refused record): no first deployment, and no slot to switch back to.
  const unslotted = live.unknown
    ? 'what serves now is not known here'
    : `${live.version ?? ''} serves from no recorded slot`;
  const plan: PlannedStep[] = [
    { step: { kind: 'deploy', slot: idle }, reason: `${idle} is idle: deploy there` },
  ];
  if (caps.health)
    plan.push({
      step: { kind: 'health', slot: idle },
      reason: `${idle} must be healthy before it takes traffic`,
    });
  if (caps.smoke)
    plan.push({
      step: { kind: 'smoke', slot: idle },
      reason: `smoke tests on ${idle} before it takes traffic`,
    });
  plan.push({
    step: {
      kind: 'analysis',
      phase: 'pre-switch',
      slot: idle,
      stableSlot: from,
      windowMs: params.analysisBeforeSwitchMs,
    },
    reason: `analyse ${idle} before the switch`,
  });
  if (caps.warmup)
    plan.push({ step: { kind: 'warmup', slot: idle }, reason: `warm ${idle}'s caches before the switch` });
  // People decide once the idle slot is checked and warm; the live slot keeps all traffic meanwhile.
  if (params.preSwitchGate) plan.push(plannedWait(params.preSwitchGate, `before the switch to ${idle}`));
  const switchIndex = plan.length;
  plan.push({
    step: { kind: 'switch', slot: idle, from },
    reason: live.slot
      ? `${idle} passed its checks: switch traffic`
      : first
        ? `${idle} passed its checks: send traffic to it (a first deployment: ${from} serves nothing)`
        : `${idle} passed its checks: switch traffic to it (${unslotted})`,
  });
  plan.push({
    step: {
      kind: 'analysis',
      phase: 'post-switch',
      slot: idle,
      stableSlot: from,
      windowMs: params.verifyAfterSwitchMs,
    },
    reason: live.slot
      ? `watch ${idle} with live traffic; ${from} stays ready for an instant switch back`
      : first
        ? `watch ${idle} with live traffic (a first deployment: nothing to switch back to)`
        : `watch ${idle} with live traffic (${unslotted}: no slot to switch back to)`,
  });

  return sequenceMachine({
    name: 'blue-green',
    plan,
    maxHolds: 1,
    rollback(started) {
      const steps: Step[] = [];
      if (started.length === 0) return steps;
      // Traffic first: the switch back is the fast path (target under 1 s after the decision).
      if (started.length > switchIndex && live.slot)
        steps.push({ kind: 'switch', slot: live.slot, from: idle });
      if (caps.teardown) steps.push({ kind: 'teardown', slot: idle });
      return steps;
    },
    outcome: { liveSlot: idle, retiredSlot: live.slot, scaleDownDelayMs: params.scaleDownDelayMs },
    describe: (current) => {
      if (!current) return `blue-green ${from} → ${idle}`;
      const before = live.slot
        ? `live: ${from}`
        : first
          ? 'first deployment'
          : `live: ${live.version ?? 'not known'}`;
      if (current.step.kind === 'wait') return `${idle} ready, waiting before the switch (${before})`;
      // Without a live slot nothing is on the other slot: it is neither live nor on standby.
      if (!live.slot)
        return current.step.kind === 'analysis' && current.step.phase === 'post-switch'
          ? `live on ${idle}${first ? ' (first deployment)' : ''}`
          : `preparing ${idle} (${before})`;
      return current.step.kind === 'analysis' && current.step.phase === 'post-switch'
        ? `live on ${idle}, ${from} on standby`
        : `preparing ${idle} (live: ${from})`;
    },
  });
}
