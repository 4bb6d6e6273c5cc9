// The canary's fresh baseline (issue 15): the stable version deployed again beside the canary, at the canary's
// share at every step, removed at promotion and on every way out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canaryStrategy } from '../../../src/strategies/canary.ts';
import type { TargetCapabilities } from '../../../src/strategies/capabilities.ts';
import { describeStep, stableShare } from '../../../src/strategies/sequence.ts';
import type { Step, StepResult } from '../../../src/strategies/types.ts';
import { stepValues } from '../../../src/pipeline/step-runner.ts';

const all: TargetCapabilities = {
  health: true,
  smoke: true,
  warmup: false,
  switch: true,
  setWeight: true,
  teardown: true,
};

type SetWeight = Extract<Step, { kind: 'set_weight' }>;

const canary = (
  weights: number[],
  baseline: string | null = 'baseline',
  live: { slot?: string; version?: string } = { slot: 'blue', version: 'v1' },
) =>
  canaryStrategy(
    {
      type: 'canary',
      slots: ['blue', 'green'],
      steps: weights.map((weight) => ({ weight, pauseMs: 10 })),
      maxHolds: 0,
      scaleDownDelayMs: 0,
      ...(baseline ? { baseline: { slot: baseline } } : {}),
    },
    all,
    live,
  );

const label = (s: Step) =>
  s.kind === 'set_weight'
    ? `set_weight ${s.slot}=${s.weight} ${s.baselineSlot ?? '-'}=${s.baselineWeight ?? '-'} ${s.stableSlot}=${stableShare(s)}`
    : `${s.kind}${'slot' in s && s.slot ? `@${s.slot}` : ''}${s.kind === 'deploy' && s.version ? `(${s.version})` : ''}${s.kind === 'analysis' && s.baselineSlot ? ` vs ${s.baselineSlot}` : ''}`;

/** Runs the machine, answering every step with `answer`; returns the steps asked for and the last state. */
function drive(m: ReturnType<typeof canary>, answer: (step: Step, n: number) => StepResult) {
  const steps: Step[] = [];
  let t = m.start();
  for (let guard = 0; t.decision.type === 'run'; guard++) {
    assert.ok(guard < 200, 'machine does not terminate');
    steps.push(t.decision.step);
    t = m.next(t.state, answer(t.decision.step, steps.length - 1));
  }
  return { steps, final: t.decision, state: t.state };
}
const promote = (): StepResult => ({ ok: true, analysis: 'promote' });

test('a fresh baseline runs the stable version before any traffic, takes the canary share, and goes at 100 %', () => {
  const { steps, final } = drive(canary([5, 10, 25, 50]), promote);
  assert.equal(final.type, 'done');
  assert.deepEqual(steps.map(label), [
    'deploy@green',
    'health@green',
    'smoke@green',
    'deploy@baseline(previous)',
    'health@baseline',
    'set_weight green=5 baseline=5 blue=90',
    'analysis@green vs baseline',
    'set_weight green=10 baseline=10 blue=80',
    'analysis@green vs baseline',
    'set_weight green=25 baseline=25 blue=50',
    'analysis@green vs baseline',
    'set_weight green=50 baseline=50 blue=0',
    'analysis@green vs baseline',
    'set_weight green=100 baseline=0 blue=0',
    'teardown@baseline',
    'analysis@green',
  ]);
});

test('every traffic step gives the baseline exactly the canary share (stable the rest), whatever the steps', () => {
  for (const weights of [[1], [5, 10, 25, 50], [2, 3, 50, 100], [0, 50], [33, 49]]) {
    const { steps } = drive(canary(weights), promote);
    const traffic = steps.filter((s): s is SetWeight => s.kind === 'set_weight');
    for (const s of traffic) {
      assert.equal(s.baselineSlot, 'baseline');
      assert.equal(s.baselineWeight, s.weight < 100 ? s.weight : 0, label(s));
      assert.equal(s.weight + s.baselineWeight! + stableShare(s), 100, label(s));
      assert.ok(stableShare(s) >= 0, label(s));
    }
    // The baseline is deployed (the stable version) before the first traffic step and removed after the last.
    const firstTraffic = steps.findIndex((s) => s.kind === 'set_weight');
    const deploy = steps.findIndex((s) => s.kind === 'deploy' && s.slot === 'baseline');
    assert.ok(deploy >= 0 && deploy < firstTraffic);
    assert.equal((steps[deploy] as Extract<Step, { kind: 'deploy' }>).version, 'previous');
    const teardown = steps.findLastIndex((s) => s.kind === 'teardown' && s.slot === 'baseline');
    assert.ok(teardown > steps.findLastIndex((s) => s.kind === 'set_weight'), String(weights));
  }
});

test('a rollback from any step removes the baseline once its deploy started, and takes its traffic first', () => {
  const plan = canary([5, 25, 50]).plan;
  const baselineDeploy = plan.findIndex((p) => p.step.kind === 'deploy' && p.step.slot === 'baseline');
  const firstTraffic = plan.findIndex((p) => p.step.kind === 'set_weight');
  for (let failAt = 0; failAt < plan.length; failAt++) {
    const m = canary([5, 25, 50]);
    const { final, state, steps } = drive(m, (step, n) =>
      n === failAt
        ? {
            ok: false,
            reason: 'boom',
            ...(step.kind === 'analysis' ? { analysis: 'rollback' as const } : {}),
          }
        : promote(),
    );
    assert.equal(final.type, 'fail', `step ${failAt} (${label(steps[failAt]!)})`);
    const rollback = m.rollback(state).map(label);
    const at = `failing at ${failAt} (${label(steps[failAt]!)})`;
    assert.equal(rollback.includes('teardown@baseline'), failAt >= baselineDeploy, at);
    assert.equal(rollback.includes('teardown@green'), true, at);
    if (failAt >= firstTraffic)
      assert.equal(rollback[0], 'set_weight green=0 baseline=0 blue=100', `traffic first, ${at}`);
    else assert.ok(!rollback.some((s) => s.startsWith('set_weight')), `no traffic moved yet, ${at}`);
  }
});

test('cancelled while the baseline deploy runs: its rollback still removes the baseline', () => {
  const m = canary([10]);
  let t = m.start();
  while (
    t.decision.type === 'run' &&
    !(t.decision.step.kind === 'deploy' && t.decision.step.slot === 'baseline')
  )
    t = m.next(t.state, promote());
  // The baseline's deploy is the running step: a cancellation now rolls back from this state.
  assert.deepEqual(m.rollback(t.state).map(label), ['teardown@green', 'teardown@baseline']);
});

test('the recovery written ahead for the whole plan holds the baseline teardown, even past its own teardown', () => {
  const m = canary([5, 50]);
  const whole = m.rollback({ ...m.start().state, index: m.plan.length - 1 }).map(label);
  assert.deepEqual(whole, ['set_weight green=0 baseline=0 blue=100', 'teardown@green', 'teardown@baseline']);
});

test('without a baseline the canary is unchanged: two slots, no baseline steps or weights', () => {
  const m = canary([5, 50], null);
  const { steps } = drive(m, promote);
  assert.ok(steps.every((s) => !('slot' in s) || s.slot !== 'baseline'));
  for (const s of steps) {
    if (s.kind === 'set_weight')
      assert.deepEqual(Object.keys(s).sort(), ['kind', 'slot', 'stableSlot', 'weight']);
    if (s.kind === 'analysis') assert.equal(s.baselineSlot, undefined);
  }
  assert.deepEqual(m.rollback({ ...m.start().state, index: m.plan.length - 1 }).map(label), [
    'set_weight green=0 -=- blue=100',
    'teardown@green',
  ]);
});

test('set_weight tells the target all three shares; the description names the baseline', () => {
  const step: SetWeight = {
    kind: 'set_weight',
    slot: 'green',
    stableSlot: 'blue',
    weight: 10,
    baselineSlot: 'baseline',
    baselineWeight: 10,
  };
  const values = stepValues(step, { version: 'v2' });
  assert.equal(values.weight, '10');
  assert.equal(values.baseline_weight, '10');
  assert.equal(values.baseline_slot, 'baseline');
  assert.equal(values.stable_weight, '80');
  assert.equal(values.stable_slot, 'blue');
  assert.equal(describeStep(step), 'set weight green=10% baseline=10% (baseline) blue=80%');
  // Without a baseline, the old values and no baseline ones.
  const plain = stepValues({ kind: 'set_weight', slot: 'green', stableSlot: 'blue', weight: 10 }, {});
  assert.equal(plain.stable_weight, '90');
  assert.equal(plain.baseline_weight, undefined);
  // The baseline's deploy runs the stable version.
  const deploy = stepValues(
    { kind: 'deploy', slot: 'baseline', version: 'previous' },
    {
      version: 'v2',
      previous_version: 'v1',
    },
  );
  assert.equal(deploy.version, 'v1');
  assert.equal(deploy.slot, 'baseline');
});

test('a first deployment (nothing serves yet) has no stable version to copy: no baseline, and the plan says so', () => {
  const m = canary([10, 50], 'baseline', {});
  const { steps, final } = drive(m, promote);
  assert.equal(final.type, 'done');
  assert.ok(
    steps.every((s) => !('slot' in s) || s.slot !== 'baseline'),
    steps.map(label).join(' | '),
  );
  // The router is still told the (zero) share, so a set_weight written for three backends has its values.
  for (const s of steps.filter((s): s is SetWeight => s.kind === 'set_weight')) {
    assert.equal(s.baselineSlot, 'baseline');
    assert.equal(s.baselineWeight, 0);
  }
  assert.ok(steps.every((s) => s.kind !== 'analysis' || s.baselineSlot === undefined));
  assert.match(
    m.plan.find((p) => p.step.kind === 'set_weight')!.reason,
    /no fresh baseline: nothing serves yet/,
  );
  // With a stable slot serving but its version unknown, the baseline is planned: its deploy fails clearly.
  const unknown = canary([10], 'baseline', { slot: 'blue' });
  assert.ok(unknown.plan.some((p) => p.step.kind === 'deploy' && p.step.slot === 'baseline'));
});

test('progress lines say what happens to the baseline', () => {
  const m = canary([10]);
  let t = m.start();
  const seen: string[] = [];
  while (t.decision.type === 'run') {
    seen.push(m.describe(t.state));
    t = m.next(t.state, promote());
  }
  assert.deepEqual(
    [...new Set(seen)],
    [
      'preparing canary on green',
      'preparing the baseline on baseline',
      'canary 10 % (baseline 10 %)',
      'canary 10 %',
      'canary 100 %',
      'canary 100 %, removing the baseline on baseline',
    ],
  );
});
