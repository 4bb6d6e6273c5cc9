// The planned step where a rollout waits for people (issue 14): `pause: manual` or `approval: N` on a canary
// step, a blue-green pre-switch point or a rolling batch. It moves no traffic, so it changes no rollback rule.
// Its words name the verbs, not a channel's command: the same plan is steered by the pull request's comments
// (/promote) or by the command line (deploy-action promote), and the wait's own report names the right one.
import type { StepGate } from '../config/resolve.ts';
import type { PlannedStep } from './sequence.ts';

/** `at`: where the rollout stands, for people ("canary 25 %"); `weight`: the new version's traffic share. */
export function plannedWait(gate: StepGate, at: string, weight?: number): PlannedStep {
  const share = weight === undefined ? {} : { weight };
  if (gate.type === 'manual')
    return {
      step: { kind: 'wait', gate: 'manual', at, ...share },
      reason: `${at}: wait for a promote by a deployer (an abort rolls back)`,
    };
  const who = gate.approvals === 1 ? 'one approver' : `${gate.approvals} approvers`;
  return {
    step: { kind: 'wait', gate: 'approval', approvals: gate.approvals, at, ...share },
    reason: `${at}: wait for a promote by ${who} of the environment, for this commit (an abort rolls back)`,
  };
}
