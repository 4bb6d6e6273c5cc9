// Canary: the new version runs beside the stable one and takes a growing share of traffic, step by step
// (seed default 5 → 10 → 25 → 50 → 100). Each step is followed by an analysis over the step's pause; only
// `promote` moves on, `hold` waits another window (bounded), `rollback` puts the weight back to 0. A step with a
// gate (`pause: manual`, `approval: N`) then waits for people before the next weight.
//
// A fresh baseline (`baseline: fresh`, issue 15; Kayenta's baseline cluster): before the first traffic step the
// STABLE version is deployed again on its own slot and gets the canary's share at every step (stable the rest),
// so the analysis compares two equally fresh processes. It gets 0 % with the last step (100 %) and is torn down
// right after; every rollback from the moment its deploy started removes it too (teardown is idempotent).
//
// A first deployment (nothing live: no slot, no version) goes straight to 100 % after the canary's checks, with
// the last step's analysis and no other step (Argo Rollouts and Flagger do the same): no stable version serves
// to compare the canary with, the other slot runs nothing, and a rollback has nowhere to send traffic back to,
// so it only tears the canary down.
import type { ResolvedStrategy } from '../config/resolve.ts';
import { formatDuration } from '../config/duration.ts';
import { isFirstDeployment, type LiveState, type TargetCapabilities } from './capabilities.ts';
import { slotsFor } from './blue-green.ts';
import { sequenceMachine } from './machine.ts';
import type { PlannedStep } from './sequence.ts';
import type { Step } from './types.ts';
import { plannedWait } from './wait.ts';

type Canary = Extract<ResolvedStrategy, { type: 'canary' }>;

export function canaryStrategy(params: Canary, caps: TargetCapabilities, live: LiveState) {
  // With a version live but no slot known, `stable` would be a guess (the other slot): the run and plan refuse
  // that before a strategy is made (pipeline/live-state.ts unslottedCanaryProblem).
  const { idle: canary, from: stable } = slotsFor(params.slots, live.slot);
  // A first deployment has no stable version to copy: the canary runs without a baseline (and says so).
  const firstDeployment = isFirstDeployment(live);
  const baseline = firstDeployment ? undefined : params.baseline?.slot;
  // The router is told the baseline's share at every change whenever one is configured (0 when none runs), so
  // a set_weight written for three backends always has its values.
  const routed = params.baseline?.slot;
  const noBaseline =
    params.baseline && firstDeployment ? ' (no fresh baseline: nothing serves yet to copy)' : '';
  const plan: PlannedStep[] = [
    { step: { kind: 'deploy', slot: canary }, reason: `deploy the canary on ${canary}` },
  ];
  if (caps.health)
    plan.push({
      step: { kind: 'health', slot: canary },
      reason: 'the canary must be healthy before any traffic',
    });
  if (caps.smoke) plan.push({ step: { kind: 'smoke', slot: canary }, reason: 'smoke tests on the canary' });
  const baselineDeployIndex = plan.length;
  if (baseline !== undefined) {
    plan.push({
      step: { kind: 'deploy', slot: baseline, version: 'previous' },
      reason: `fresh baseline: deploy the stable version again on ${baseline}, to take the canary's share`,
    });
    if (caps.health)
      plan.push({
        step: { kind: 'health', slot: baseline },
        reason: 'the baseline must be healthy before any traffic',
      });
  }
  const firstWeightIndex = plan.length;
  const configured = [...params.steps];
  // Every canary ends with all traffic on the new version.
  if ((configured.at(-1)?.weight ?? 0) < 100) configured.push({ weight: 100, pauseMs: 0 });
  // The last step (100 %) only, with its analysis: a share of traffic on an empty slot serves errors, and the
  // gates (pause: manual, approval) are for promoting past a stable version there is not.
  const steps = firstDeployment ? configured.slice(-1) : configured;
  const skipped = configured.length - steps.length;
  const skippedText = skipped
    ? `; the ${skipped} earlier step(s)${configured.some((c) => c.gate) ? ' and their waits for people' : ''} are skipped: nothing is live to compare the canary with`
    : '';
  steps.forEach(({ weight, pauseMs, gate }, i) => {
    // The baseline takes the canary's share while it is compared with it; at 100 % nothing is left for it.
    const beside = baseline !== undefined && weight < 100;
    plan.push({
      step: weightStep(canary, stable, weight, routed, beside ? weight : 0),
      reason: firstDeployment
        ? `first deployment: nothing live to compare with or return to: straight to 100 %${skippedText}${noBaseline}`
        : i === 0
          ? `first canary step: ${weight} % of traffic${noBaseline}`
          : `previous step promoted: ${weight} %`,
    });
    if (baseline !== undefined && weight >= 100)
      plan.push({
        step: { kind: 'teardown', slot: baseline },
        reason: `the fresh baseline on ${baseline} has no traffic left: remove it`,
      });
    plan.push({
      step: {
        kind: 'analysis',
        phase: 'canary-step',
        slot: canary,
        stableSlot: stable,
        ...(beside ? { baselineSlot: baseline } : {}),
        weight,
        windowMs: pauseMs,
      },
      reason:
        weight === 0
          ? `watch the canary with no user traffic${pauseMs ? ` for ${formatDuration(pauseMs)}` : ''}: its health checks, and its metrics only where all are the HTTP prober's (it sends its own requests)`
          : `analyse the canary at ${weight} %${beside ? ` against the baseline` : ''}${pauseMs ? ` for ${formatDuration(pauseMs)}` : ''}`,
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
      // All traffic back on stable first (the baseline's share too), in one router change. A first deployment
      // has no stable version serving: routing "back" would send every request to an empty slot.
      if (!firstDeployment && started.length > firstWeightIndex)
        steps.push(weightStep(canary, stable, 0, routed, 0));
      if (caps.teardown) steps.push({ kind: 'teardown', slot: canary });
      // Once its deploy started, the baseline may be running: remove it. Also when the plan's own teardown
      // already ran, since a recovery written ahead for the whole plan (pipeline/machine/strategy.ts writeAhead) must hold at
      // every step, and tearing down a slot that is already gone changes nothing.
      if (baseline !== undefined && started.length > baselineDeployIndex)
        steps.push({ kind: 'teardown', slot: baseline });
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
        return `canary ${step.weight} %${step.kind === 'set_weight' && step.baselineWeight ? ` (baseline ${step.baselineWeight} %)` : ''}`;
      if (step && 'slot' in step && baseline !== undefined && step.slot === baseline)
        return step.kind === 'teardown'
          ? `canary 100 %, removing the baseline on ${baseline}`
          : `preparing the baseline on ${baseline}`;
      return `preparing canary on ${canary}`;
    },
  });
}

function weightStep(
  canary: string,
  stable: string,
  weight: number,
  baseline: string | undefined,
  baselineWeight: number,
): Step {
  return baseline === undefined
    ? { kind: 'set_weight', slot: canary, stableSlot: stable, weight }
    : {
        kind: 'set_weight',
        slot: canary,
        stableSlot: stable,
        weight,
        baselineSlot: baseline,
        baselineWeight,
      };
}
