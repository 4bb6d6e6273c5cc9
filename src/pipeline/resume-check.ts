// Can a rollout whose owner died be resumed (reconcile, `on_orphan: resume`)? Pure: the current environment
// config and the record in; where the rollout goes on from, or why it cannot, out. The version, sha and the
// planned steps come from the record (signed by the store); the target's commands from today's deploy.yml.
// The strategy machine is rebuilt from the config, and its rollback rule must mean the same steps the record
// planned, so the plan it builds today has to equal the recorded one: a config that changed since the
// rollout began is not resumed (reconcile rolls back instead).
import { isDeepStrictEqual } from 'node:util';
import type { ResolvedEnvironment } from '../config/resolve.ts';
import { versionBefore, type EnvironmentRecord, type Rollout } from '../state/record.ts';
import type { LiveState } from '../strategies/capabilities.ts';
import { createStrategy, usesSlots } from '../strategies/index.ts';
import { describeStep, type SequenceState } from '../strategies/sequence.ts';
import type { Step } from '../strategies/types.ts';
import { capabilitiesOf } from './step-runner.ts';

/** The pipeline phases a rollout is resumed in: the strategy, or after it. */
export type ResumePhase = 'production' | 'verify' | 'monitor';

export type ResumeCheck =
  | {
      ok: true;
      rollout: Rollout & { strategyState: SequenceState };
      phase: ResumePhase;
      /** What was live before the rollout: the slot it moves traffic away from, and its version. */
      live: LiveState;
    }
  | { ok: false; reason: string };

const PHASES = new Set<string>(['production', 'verify', 'monitor']);

export function checkResumable(env: ResolvedEnvironment, record: EnvironmentRecord): ResumeCheck {
  const rollout = record.rollout;
  if (!rollout) return { ok: false, reason: 'the record shows no rollout' };
  // Its run's rollback that ended half-way, or a reconcile's that did not complete (reconcile/run.ts writes
  // phase rollback ahead of one): either way part of it may be undone already.
  if (rollout.phase === 'rollback')
    return {
      ok: false,
      reason:
        "a rollback of it had already begun (its run's, or an earlier reconcile's that did not complete)",
    };
  if (rollout.phase === 'staging')
    return {
      ok: false,
      reason:
        'it is the staging phase of a deployment to another environment, which only its own run can go on with',
    };
  if (!PHASES.has(rollout.phase))
    return { ok: false, reason: `it was in phase "${rollout.phase}", which is not one reconcile resumes` };
  const state = rollout.strategyState;
  if (!state)
    return {
      ok: false,
      reason:
        'its run ended before the first strategy step, so the record says neither where to go on from nor whether its backup and migrate hooks ran',
    };
  if (rollout.strategy !== env.strategy.type)
    return {
      ok: false,
      reason: `it is a ${rollout.strategy} rollout and deploy.yml now says ${env.strategy.type}`,
    };
  // Past the last step only once the strategy finished (verify, monitor: a handed-off monitor window).
  const finished = rollout.phase !== 'production' && state.index === state.plan.length;
  if (state.index < 0 || (state.index >= state.plan.length && !finished))
    return {
      ok: false,
      reason: `its recorded step ${state.index} is outside its plan of ${state.plan.length} step(s)`,
    };
  // A first deployment is resumed as one: nothing was live, whatever slot `stableSlot` names (the other one).
  const live: LiveState =
    usesSlots(env.strategy) && rollout.firstDeployment
      ? {}
      : {
          slot: usesSlots(env.strategy) ? (rollout.stableSlot ?? record.live?.slot) : undefined,
          version: versionBefore(record, rollout),
        };
  if (usesSlots(env.strategy) && !live.slot && !rollout.firstDeployment)
    return { ok: false, reason: 'the record does not say which slot served before the rollout' };
  // A slot only the record names (an older version took any name current printed) would be the {{slot}} of
  // the switch back: the step runner refuses it, so the rollout would go on with no way back.
  if (usesSlots(env.strategy) && live.slot !== undefined && !env.strategy.slots.includes(live.slot))
    return {
      ok: false,
      reason: `the record says ${JSON.stringify(live.slot)} served before the rollout, which is not one of ${env.name}'s slots (${env.strategy.slots.join(', ')}): its rollback could not switch back there`,
    };
  // Strategies route traffic between the slots they pick from the live one; the same plan means the same
  // slots, the same step indexes (where traffic first moved) and the same rollback.
  const recorded = state.plan.map((p) => p.step);
  const today = createStrategy(env.strategy, capabilitiesOf(env), live).plan.map((p, i) =>
    asRecorded(p.step, recorded[i]),
  );
  if (!isDeepStrictEqual(today, recorded)) {
    const at = recorded.findIndex((step, i) => !isDeepStrictEqual(step, today[i]));
    const i = at < 0 ? recorded.length : at;
    return {
      ok: false,
      reason:
        `the ${env.strategy.type} strategy in deploy.yml no longer plans the steps the rollout started with ` +
        `(step ${i + 1}: recorded ${recorded[i] ? describeStep(recorded[i]) : 'none'}, ` +
        `now ${today[i] ? describeStep(today[i]) : 'none'})`,
    };
  }
  return {
    ok: true,
    rollout: { ...rollout, strategyState: state },
    phase: rollout.phase as ResumePhase,
    live,
  };
}

/**
 * Today's step as a record of the version before rolling batch watches carried their number would hold it: the
 * number is a label (reports tell the batches apart by it), not part of the plan, and a rollout recorded
 * without it is the same plan.
 */
function asRecorded(step: Step, recorded: Step | undefined): Step {
  if (step.kind !== 'analysis' || step.batch === undefined || recorded?.kind !== 'analysis') return step;
  if (recorded.batch !== undefined) return step;
  const { batch: _label, ...rest } = step;
  return rest;
}
