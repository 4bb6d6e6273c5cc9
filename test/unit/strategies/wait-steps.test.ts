// Manual steps (issue 14): where each strategy plans its `wait` step, what it says, and that waiting changes
// no rollback rule (a wait step moves no traffic).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ResolvedStrategy, StepGate } from '../../../src/config/resolve.ts';
import { blueGreenStrategy } from '../../../src/strategies/blue-green.ts';
import { canaryStrategy } from '../../../src/strategies/canary.ts';
import type { TargetCapabilities } from '../../../src/strategies/capabilities.ts';
import { rollingStrategy } from '../../../src/strategies/rolling.ts';
import type { SequenceState } from '../../../src/strategies/sequence.ts';
import type { Step, StrategyMachine } from '../../../src/strategies/types.ts';

const caps: TargetCapabilities = {
  health: true,
  smoke: true,
  warmup: true,
  switch: true,
  setWeight: true,
  teardown: true,
};

const MANUAL: StepGate = { type: 'manual' };
const TWO: StepGate = { type: 'approval', approvals: 2 };

type Canary = Extract<ResolvedStrategy, { type: 'canary' }>;
type BlueGreen = Extract<ResolvedStrategy, { type: 'blue-green' }>;
type Rolling = Extract<ResolvedStrategy, { type: 'rolling' }>;

const canary = (steps: Canary['steps']): Canary => ({
  type: 'canary',
  slots: ['blue', 'green'],
  steps,
  maxHolds: 0,
  scaleDownDelayMs: 0,
});

const blueGreen = (preSwitchGate?: StepGate): BlueGreen => ({
  type: 'blue-green',
  slots: ['blue', 'green'],
  scaleDownDelayMs: 0,
  warmup: { requests: 10, intervalMs: 0 },
  analysisBeforeSwitchMs: 30_000,
  verifyAfterSwitchMs: 1000,
  ...(preSwitchGate ? { preSwitchGate } : {}),
});

const rolling = (pauseMs: number, batchGate?: StepGate): Rolling => ({
  type: 'rolling',
  instances: ['a', 'b', 'c'],
  maxSurge: 1,
  maxUnavailable: 0,
  batchSize: 1,
  pauseMs,
  onFailure: 'rollback',
  ...(batchGate ? { batchGate } : {}),
});

/** One short label per step, e.g. `analysis:canary-step:25`, `wait:manual@canary 25 %`. */
function label(step: Step): string {
  switch (step.kind) {
    case 'wait':
      return `wait:${step.gate}${step.approvals ? `x${step.approvals}` : ''}@${step.at}`;
    case 'analysis':
      return `analysis:${step.phase}${step.weight !== undefined ? `:${step.weight}` : ''}`;
    case 'set_weight':
      return `set_weight:${step.weight}`;
    case 'deploy':
    case 'rollback':
      return `${step.kind}${step.batch ? `:${step.batch}` : ''}`;
    default:
      return step.kind;
  }
}

/** Runs every step successfully, keeping the state in which each step was decided. */
function walk(machine: StrategyMachine<SequenceState>) {
  const seen: Array<{ step: Step; reason: string; state: SequenceState }> = [];
  let t = machine.start();
  for (let guard = 0; t.decision.type === 'run'; guard++) {
    assert.ok(guard < 100, 'the machine does not terminate');
    seen.push({ step: t.decision.step, reason: t.decision.reason, state: t.state });
    t = machine.next(t.state, { ok: true, analysis: 'promote' });
  }
  assert.equal(t.decision.type, 'done', 'a wait step answered ok lets the rollout go on');
  return seen;
}

/** Rolling back from each wait step is what rolling back from the step just before it was. */
function assertWaitsKeepRollback(machine: StrategyMachine<SequenceState>) {
  const seen = walk(machine);
  const waits = seen.flatMap((entry, index) => (entry.step.kind === 'wait' ? [index] : []));
  assert.ok(waits.length > 0, 'the plan has wait steps');
  for (const index of waits) {
    assert.deepEqual(
      machine.rollback(seen[index]!.state),
      machine.rollback(seen[index - 1]!.state),
      `rollback at ${label(seen[index]!.step)} equals rollback at ${label(seen[index - 1]!.step)}`,
    );
  }
}

describe('canary: a gated step waits right after its analysis', () => {
  const machine = () =>
    canaryStrategy(
      canary([
        { weight: 10, pauseMs: 1000 },
        { weight: 25, pauseMs: 1000, gate: MANUAL },
        { weight: 50, pauseMs: 2000, gate: TWO },
      ]),
      caps,
      { slot: 'blue' },
    );

  it('plans a manual wait at 25 % and a 2-approval wait at 50 %, with the traffic share', () => {
    const steps = walk(machine()).map((entry) => entry.step);
    assert.deepEqual(steps.map(label), [
      'deploy',
      'health',
      'smoke',
      'set_weight:10',
      'analysis:canary-step:10',
      'set_weight:25',
      'analysis:canary-step:25',
      'wait:manual@canary 25 %',
      'set_weight:50',
      'analysis:canary-step:50',
      'wait:approvalx2@canary 50 %',
      'set_weight:100',
      'analysis:canary-step:100',
    ]);
    const waits = steps.filter((step) => step.kind === 'wait');
    assert.deepEqual(waits, [
      { kind: 'wait', gate: 'manual', at: 'canary 25 %', weight: 25 },
      { kind: 'wait', gate: 'approval', approvals: 2, at: 'canary 50 %', weight: 50 },
    ]);
  });

  it('says what each wait is for', () => {
    const reasons = walk(machine())
      .filter((entry) => entry.step.kind === 'wait')
      .map((entry) => entry.reason);
    // The verbs, not the pull request's commands: a CLI run is steered by `deploy-action promote|abort`.
    assert.match(reasons[0]!, /^canary 25 %: wait for a promote by a deployer \(an abort rolls back\)$/);
    assert.match(reasons[1]!, /^canary 50 %: wait for a promote by 2 approvers/);
    for (const reason of reasons) assert.doesNotMatch(reason, /\/(promote|abort)/);
  });

  it('describes the rollout at a wait step as the canary weight', () => {
    const m = machine();
    const atWait = walk(m).find((entry) => entry.step.kind === 'wait')!;
    assert.equal(m.describe(atWait.state), 'canary 25 %');
  });

  it('rolls back from a wait step as from the analysis before it: weight 0, then teardown', () => {
    const m = machine();
    assertWaitsKeepRollback(m);
    const atWait = walk(m).find((entry) => entry.step.kind === 'wait')!;
    assert.deepEqual(m.rollback(atWait.state), [
      { kind: 'set_weight', slot: 'green', stableSlot: 'blue', weight: 0 },
      { kind: 'teardown', slot: 'green' },
    ]);
  });

  it('never waits at 100 %, where there is nothing left to promote to', () => {
    const m = canaryStrategy(
      canary([
        { weight: 50, pauseMs: 0 },
        { weight: 100, pauseMs: 0, gate: MANUAL },
      ]),
      caps,
      { slot: 'blue' },
    );
    assert.equal(
      walk(m).some((entry) => entry.step.kind === 'wait'),
      false,
    );
  });

  it('plans no wait step without a gate', () => {
    const m = canaryStrategy(canary([{ weight: 25, pauseMs: 0 }]), caps, { slot: 'blue' });
    assert.equal(
      m.plan.some((planned) => planned.step.kind === 'wait'),
      false,
    );
  });
});

describe('blue-green: pre_switch waits after the checks, analysis and warm-up, before the switch', () => {
  it('plans the wait between the warm-up and the switch', () => {
    const m = blueGreenStrategy(blueGreen(MANUAL), caps, { slot: 'blue' });
    assert.deepEqual(
      walk(m).map((entry) => label(entry.step)),
      [
        'deploy',
        'health',
        'smoke',
        'analysis:pre-switch',
        'warmup',
        'wait:manual@before the switch to green',
        'switch',
        'analysis:post-switch',
      ],
    );
  });

  it('waits for N approvals when pre_switch says so, and says so', () => {
    const m = blueGreenStrategy(blueGreen(TWO), caps, { slot: 'green' });
    const wait = walk(m).find((entry) => entry.step.kind === 'wait')!;
    assert.deepEqual(wait.step, {
      kind: 'wait',
      gate: 'approval',
      approvals: 2,
      at: 'before the switch to blue',
    });
    assert.match(wait.reason, /^before the switch to blue: wait for a promote by 2 approvers/);
    assert.equal(m.describe(wait.state), 'blue ready, waiting before the switch (live: green)');
  });

  it('rolls back from the wait without switching traffic: the live slot never changed', () => {
    const m = blueGreenStrategy(blueGreen(MANUAL), caps, { slot: 'blue' });
    assertWaitsKeepRollback(m);
    const wait = walk(m).find((entry) => entry.step.kind === 'wait')!;
    assert.deepEqual(m.rollback(wait.state), [{ kind: 'teardown', slot: 'green' }]);
    // After the switch the rollback still switches back first (the wait did not move the switch's index).
    const afterSwitch = walk(m).find((entry) => entry.step.kind === 'switch')!;
    assert.deepEqual(m.rollback(afterSwitch.state)[0], { kind: 'switch', slot: 'blue', from: 'green' });
  });
});

describe('rolling: a batch gate waits after every batch but the last', () => {
  it('with a timed pause: after each batch analysis', () => {
    const m = rollingStrategy(rolling(30_000, TWO), caps);
    assert.deepEqual(
      walk(m).map((entry) => label(entry.step)),
      [
        'deploy:1',
        'health',
        'analysis:batch',
        'wait:approvalx2@after batch 1/3',
        'deploy:2',
        'health',
        'analysis:batch',
        'wait:approvalx2@after batch 2/3',
        'deploy:3',
        'health',
      ],
    );
  });

  it('with pause: manual (no timed window): health only, then the wait', () => {
    const m = rollingStrategy(rolling(0, MANUAL), caps);
    const seen = walk(m);
    assert.deepEqual(
      seen.map((entry) => label(entry.step)),
      [
        'deploy:1',
        'health',
        'wait:manual@after batch 1/3',
        'deploy:2',
        'health',
        'wait:manual@after batch 2/3',
        'deploy:3',
        'health',
      ],
    );
    const wait = seen.find((entry) => entry.step.kind === 'wait')!;
    assert.match(wait.reason, /^after batch 1\/3: wait for a promote by a deployer/);
    assert.equal(m.describe(wait.state), 'after batch 1/3');
  });

  it('rolls back from a wait as from the health check before it: the done batches, in reverse', () => {
    const m = rollingStrategy(rolling(0, MANUAL), caps);
    assertWaitsKeepRollback(m);
    const second = walk(m).filter((entry) => entry.step.kind === 'wait')[1]!;
    assert.deepEqual(m.rollback(second.state).map(label), ['rollback:2', 'health', 'rollback:1', 'health']);
  });

  it('a single batch has no wait (there is no next batch to wait for)', () => {
    const m = rollingStrategy({ ...rolling(0, MANUAL), batchSize: 3 }, caps);
    assert.equal(
      m.plan.some((planned) => planned.step.kind === 'wait'),
      false,
    );
  });
});
