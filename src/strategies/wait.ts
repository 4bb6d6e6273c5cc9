// The planned step where a rollout waits for people (issue 14): `pause: manual` or `approval: N` on a canary
// step, a blue-green pre-switch point or a rolling batch. It moves no traffic, so it changes no rollback rule.
import type { StepGate } from '../config/resolve.ts';
import type { PlannedStep } from './sequence.ts';

/** `at`: where the rollout stands, for people ("canary 25 %"); `weight`: the new version's traffic share. */
export function plannedWait(gate: StepGate, at: string, weight?: number): PlannedStep {
  const share = weight === undefined ? {} : { weight };
  if (gate.type === 'manual')
    return {
      step: { kind: 'wait', gate: 'manual', at, ...share },
      reason: `${at}: wait for /promote by a deployer (/abort rolls back)`,
    };
  const who = gate.approvals === 1 ? 'one approver' : `${gate.approvals} approvers`;
  return {
    step: { kind: 'wait', gate: 'approval', approvals: gate.approvals, at, ...share },
    reason: `${at}: wait for /promote by ${who} of the environment, for this commit (/abort rolls back)`,
  };
}
