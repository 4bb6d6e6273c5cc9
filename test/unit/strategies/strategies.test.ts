import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blueGreenStrategy } from '../../../src/strategies/blue-green.ts';
import { canaryStrategy } from '../../../src/strategies/canary.ts';
import { rollingStrategy, batchesOf } from '../../../src/strategies/rolling.ts';
import { directStrategy } from '../../../src/strategies/direct.ts';
import type { TargetCapabilities } from '../../../src/strategies/capabilities.ts';
import type { Step, StepResult, StrategyMachine, Decision } from '../../../src/strategies/types.ts';
import type { StepGate } from '../../../src/config/resolve.ts';

const all: TargetCapabilities = {
  health: true,
  smoke: true,
  warmup: false,
  switch: true,
  setWeight: true,
  teardown: true,
};

/** Drives a machine with scripted results; returns the steps it asked for and its final decision. */
function drive<S>(
  machine: StrategyMachine<S>,
  answer: (step: Step, n: number) => StepResult = () => ({ ok: true, analysis: 'promote' }),
) {
  const steps: Step[] = [];
  let t = machine.start();
  for (let guard = 0; t.decision.type === 'run'; guard++) {
    assert.ok(guard < 200, 'machine does not terminate');
    steps.push(t.decision.step);
    t = machine.next(t.state, answer(t.decision.step, steps.length));
  }
  return { steps, final: t.decision as Exclude<Decision, { type: 'run' }>, state: t.state };
}

/** Blue-green parameters; each test states only what it is about. */
const blueGreen = (overrides: { analysisBeforeSwitchMs?: number; verifyAfterSwitchMs?: number } = {}) => ({
  type: 'blue-green' as const,
  slots: ['blue', 'green'] as [string, string],
  scaleDownDelayMs: 0,
  warmup: { requests: 0, intervalMs: 0 },
  analysisBeforeSwitchMs: 0,
  verifyAfterSwitchMs: 1000,
  ...overrides,
});

/** Canary parameters on slots blue and green; each test states its steps (and holds when it uses them). */
const canary = (steps: Array<{ weight: number; pauseMs: number; gate?: StepGate }>, maxHolds = 0) => ({
  type: 'canary' as const,
  slots: ['blue', 'green'] as [string, string],
  steps,
  maxHolds,
  scaleDownDelayMs: 0,
});

const kinds = (steps: Step[]) =>
  steps.map(
    (s) => s.kind + ('weight' in s ? `:${s.weight}` : '') + ('slot' in s && s.slot ? `@${s.slot}` : ''),
  );

test('canary walks every weight step, analysing each, and ends at 100 %', () => {
  const m = canaryStrategy(
    canary(
      [5, 10, 25, 50, 100].map((weight) => ({ weight, pauseMs: 10 })),
      2,
    ),
    all,
    { slot: 'blue' },
  );
  const { steps, final } = drive(m);
  assert.equal(final.type, 'done');
  const weights = steps.filter((s) => s.kind === 'set_weight').map((s) => (s as { weight: number }).weight);
  assert.deepEqual(weights, [5, 10, 25, 50, 100]);
  assert.ok(
    steps.every((s) => !('slot' in s) || s.slot === 'green'),
    'the canary runs on the idle slot',
  );
  assert.deepEqual(m.outcome(m.start().state), {
    liveSlot: 'green',
    retiredSlot: 'blue',
    scaleDownDelayMs: 0,
  });
});

test('canary appends a 100 % step when the configured steps stop short', () => {
  const m = canaryStrategy(canary([{ weight: 20, pauseMs: 0 }]), all, { slot: 'green' });
  const weights = drive(m)
    .steps.filter((s) => s.kind === 'set_weight')
    .map((s) => (s as { weight: number }).weight);
  assert.deepEqual(weights, [20, 100]);
});

test('canary rollback at 25 % sets the weight to 0 first, then removes the canary', () => {
  const m = canaryStrategy(canary([5, 10, 25, 50].map((weight) => ({ weight, pauseMs: 0 }))), all, {
    slot: 'blue',
  });
  const { final, state } = drive(m, (step) =>
    step.kind === 'analysis' && step.weight === 25
      ? { ok: false, analysis: 'rollback', reason: 'error rate 4 %' }
      : { ok: true, analysis: 'promote' },
  );
  assert.equal(final.type, 'fail');
  assert.equal(final.type === 'fail' && final.code, 'analysis_rollback');
  assert.deepEqual(kinds(m.rollback(state)), ['set_weight:0@green', 'teardown@green']);
});

test('canary hold re-runs the analysis up to max_holds, then fails as inconclusive', () => {
  const m = canaryStrategy(canary([{ weight: 5, pauseMs: 0 }], 2), all, { slot: 'blue' });
  const { steps, final } = drive(m, (step) =>
    step.kind === 'analysis' ? { ok: true, analysis: 'hold' } : { ok: true },
  );
  assert.equal(steps.filter((s) => s.kind === 'analysis').length, 3);
  assert.equal(final.type === 'fail' && final.code, 'analysis_inconclusive');
});

test('canary that fails before any traffic only removes the canary', () => {
  const m = canaryStrategy(canary([{ weight: 5, pauseMs: 0 }]), all, { slot: 'blue' });
  const { state, final } = drive(m, (step) =>
    step.kind === 'health' ? { ok: false, reason: '503' } : { ok: true },
  );
  assert.equal(final.type === 'fail' && final.code, 'health_failed');
  assert.deepEqual(kinds(m.rollback(state)), ['teardown@green']);
});

// Argo Rollouts' and Flagger's rule: with no stable version there is nothing to compare the canary with and
// nothing to return to, so a first deployment goes straight to 100 %.
test('canary first deployment (nothing live): straight to 100 % with the last analysis, no steps, no waits', () => {
  const m = canaryStrategy(
    canary([
      { weight: 10, pauseMs: 10, gate: { type: 'manual' } },
      { weight: 50, pauseMs: 20, gate: { type: 'approval', approvals: 2 } },
      { weight: 100, pauseMs: 30 },
    ]),
    all,
    {},
  );
  const { steps, final, state } = drive(m);
  assert.equal(final.type, 'done');
  assert.deepEqual(kinds(steps), [
    'deploy@blue',
    'health@blue',
    'smoke@blue',
    'set_weight:100@blue',
    'analysis:100@blue',
  ]);
  assert.deepEqual(steps[3], { kind: 'set_weight', slot: 'blue', stableSlot: 'green', weight: 100 });
  assert.equal(steps[4]!.kind === 'analysis' && steps[4].windowMs, 30);
  const reason = m.plan.find((p) => p.step.kind === 'set_weight')!.reason;
  assert.match(reason, /first deployment: nothing live to compare with or return to: straight to 100 %/);
  assert.match(reason, /2 earlier step\(s\) and their waits for people are skipped/);
  // Nothing served before: the rollback never routes to the empty slot, from any step; it removes the canary.
  assert.deepEqual(kinds(m.rollback(state)), ['teardown@blue']);
  for (let index = 0; index < m.plan.length; index++)
    assert.deepEqual(kinds(m.rollback({ ...state, index })), ['teardown@blue'], `from step ${index + 1}`);
  assert.deepEqual(m.outcome(state), { liveSlot: 'blue', retiredSlot: undefined, scaleDownDelayMs: 0 });
});

test('canary first deployment on a target without teardown rolls back with no step at all', () => {
  const m = canaryStrategy(canary([{ weight: 25, pauseMs: 0 }]), { ...all, teardown: false }, {});
  const { state } = drive(m, (step) =>
    step.kind === 'analysis' ? { ok: false, reason: 'error rate' } : { ok: true },
  );
  assert.deepEqual(kinds(state.plan.map((p) => p.step)).slice(-2), [
    'set_weight:100@blue',
    'analysis:100@blue',
  ]);
  assert.deepEqual(m.rollback(state), []);
});

test('blue-green deploys to the idle slot, checks it, switches, and watches after the switch', () => {
  const m = blueGreenStrategy(blueGreen(), { ...all, warmup: true }, { slot: 'green' });
  const { steps } = drive(m);
  assert.deepEqual(kinds(steps), [
    'deploy@blue',
    'health@blue',
    'smoke@blue',
    'analysis@blue',
    'warmup@blue',
    'switch@blue',
    'analysis@blue',
  ]);
});

test('blue-green failing after the switch switches back to the old slot first', () => {
  const m = blueGreenStrategy(blueGreen(), all, { slot: 'blue' });
  const { state } = drive(m, (step) =>
    step.kind === 'analysis' && step.phase === 'post-switch'
      ? { ok: false, reason: 'unhealthy' }
      : { ok: true },
  );
  const rollback = m.rollback(state);
  assert.deepEqual(kinds(rollback), ['switch@blue', 'teardown@green']);
});

test('blue-green with nothing recorded as live deploys to the first slot and switches from the other', () => {
  const m = blueGreenStrategy(blueGreen(), all, {});
  const { steps, state } = drive(m, (step) =>
    step.kind === 'analysis' && step.phase === 'post-switch'
      ? { ok: false, reason: 'unhealthy' }
      : { ok: true },
  );
  assert.deepEqual(
    steps.find((s) => s.kind === 'switch'),
    { kind: 'switch', slot: 'blue', from: 'green' },
  );
  // No slot is known to have served before, so there is nothing to switch back to.
  assert.deepEqual(kinds(m.rollback(state)), ['teardown@blue']);
  // ... nor is green on standby, as a deployment over a live slot says (before: "live on blue, green on standby").
  assert.equal(m.describe(state), 'live on blue (first deployment)');
});

test('blue-green with a version live but no slot recorded is no first deployment, in any of its words', () => {
  // An environment switched from direct, or a current command that names a version only: it said "a first
  // deployment: green serves nothing" while v1 served. The canary already took this as no first deployment.
  const texts = (live: { version?: string; unknown?: true }) => {
    const m = blueGreenStrategy({ ...blueGreen(), preSwitchGate: { type: 'manual' } }, all, live);
    const { state } = drive(m);
    // Every step's reason, and the status at every step (the wait before the switch included).
    return [
      ...m.plan.map((p) => p.reason ?? ''),
      ...m.plan.map((_, index) => m.describe({ ...state, index })),
    ].join('\n');
  };
  for (const live of [{ version: 'v1' }, { unknown: true as const }]) {
    const text = texts(live);
    assert.doesNotMatch(text, /first deployment|serves nothing/, JSON.stringify(live));
    assert.match(text, /blue passed its checks: switch traffic to it/, JSON.stringify(live));
  }
  assert.match(texts({ version: 'v1' }), /v1 serves from no recorded slot: no slot to switch back to/);
  assert.match(texts({ unknown: true }), /what serves now is not known here/);
  // Nothing live at all is still a first deployment.
  assert.match(texts({}), /a first deployment: green serves nothing/);
});

test('blue-green failing before the switch never touches traffic', () => {
  const m = blueGreenStrategy(blueGreen({ verifyAfterSwitchMs: 0 }), all, { slot: 'blue' });
  const { state } = drive(m, (step) =>
    step.kind === 'smoke' ? { ok: false, reason: 'smoke failed' } : { ok: true },
  );
  assert.deepEqual(kinds(m.rollback(state)), ['teardown@green']);
});

test('rolling batches follow max_surge + max_unavailable, and undo done batches in reverse', () => {
  assert.deepEqual(batchesOf([1, 2, 3, 4, 5], 2), [[1, 2], [3, 4], [5]]);
  const m = rollingStrategy(
    {
      type: 'rolling',
      instances: ['a', 'b', 'c', 'd'],
      maxSurge: 1,
      maxUnavailable: 1,
      batchSize: 2,
      pauseMs: 0,
      onFailure: 'rollback',
    },
    all,
  );
  const { state, final } = drive(m, (step, n) =>
    step.kind === 'health' && n > 2 ? { ok: false, reason: 'c is down' } : { ok: true },
  );
  assert.equal(final.type === 'fail' && final.pause, undefined);
  const undo = m.rollback(state).filter((s) => s.kind === 'rollback') as Array<{ instances: string[] }>;
  assert.deepEqual(
    undo.map((s) => s.instances),
    [
      ['c', 'd'],
      ['a', 'b'],
    ],
  );
});

test('rolling with on_failure: pause stops without undoing', () => {
  const m = rollingStrategy(
    {
      type: 'rolling',
      instances: ['a', 'b'],
      maxSurge: 1,
      maxUnavailable: 0,
      batchSize: 1,
      pauseMs: 0,
      onFailure: 'pause',
    },
    all,
  );
  const { final } = drive(m, (step) =>
    step.kind === 'deploy' && step.batch === 2 ? { ok: false, reason: 'x' } : { ok: true },
  );
  assert.equal(final.type === 'fail' && final.pause, true);
});

test('direct deploys then checks health; rollback redeploys and re-checks', () => {
  const m = directStrategy(all);
  const { steps, state } = drive(m);
  assert.deepEqual(kinds(steps), ['deploy', 'health']);
  assert.deepEqual(kinds(m.rollback(state)), ['rollback', 'health']);
  assert.deepEqual(m.rollback(m.start().state).length, 2);
});

test('blue-green analyses the idle slot over analysis_before_switch before the switch, and the live one after', () => {
  const m = blueGreenStrategy(
    blueGreen({ analysisBeforeSwitchMs: 30_000, verifyAfterSwitchMs: 60_000 }),
    all,
    { slot: 'blue' },
  );
  const analyses = drive(m).steps.filter((s) => s.kind === 'analysis') as Array<{
    phase: string;
    slot: string;
    windowMs: number;
  }>;
  assert.deepEqual(
    analyses.map((a) => [a.phase, a.slot, a.windowMs]),
    [
      ['pre-switch', 'green', 30_000],
      ['post-switch', 'green', 60_000],
    ],
  );
});

test("rolling: each batch's watch carries its batch's number, so reports can tell the batches apart", () => {
  const m = rollingStrategy(
    {
      type: 'rolling',
      instances: ['a', 'b', 'c'],
      maxSurge: 1,
      maxUnavailable: 0,
      batchSize: 1,
      pauseMs: 60_000,
      onFailure: 'rollback',
    },
    all,
  );
  const { steps } = drive(m);
  const watches = steps.filter((s) => s.kind === 'analysis');
  // The last batch has no watch of its own: what follows the strategy (verify, monitor) watches it.
  assert.deepEqual(
    watches.map((s) => s.kind === 'analysis' && [s.phase, s.batch]),
    [
      ['batch', 1],
      ['batch', 2],
    ],
  );
});
