// decideControl and the rollout helpers (issue 14): what people's requests mean at a step. Plain values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CONTROL_CLOCK_SKEW_MS,
  decideControl,
  requestsSince,
  type ControlInput,
} from '../../../src/control/decide.ts';
import { gateOf, isHeld, requestsOf } from '../../../src/control/rollout.ts';
import type { ControlRequest } from '../../../src/control/request.ts';
import type { Rollout } from '../../../src/state/record.ts';

const T0 = Date.parse('2026-12-01T10:00:00Z');
let n = 0;
const req = (
  verb: ControlRequest['verb'],
  step: number,
  over: Partial<ControlRequest> = {},
): ControlRequest => ({
  id: `comment:${++n}`,
  verb,
  by: 'alice',
  at: new Date(T0 + n * 1000).toISOString(),
  deploymentId: 'd1',
  step,
  source: 'comment',
  ...over,
});
const at = (input: Partial<ControlInput>) =>
  decideControl({ deploymentId: 'd1', step: 5, requests: [], now: T0, ...input }).action;

test('abort wins over everything, for this deployment only', () => {
  assert.equal(at({ gate: { kind: 'manual' }, requests: [req('promote', 5), req('abort', 1)] }), 'abort');
  assert.equal(at({ gate: { kind: 'manual' }, requests: [req('abort', 5, { deploymentId: 'd0' })] }), 'wait');
});

test('a promote counts from fromStep to the step, never for a later wait', () => {
  assert.equal(at({ gate: { kind: 'manual' }, fromStep: 3, requests: [req('promote', 4)] }), 'go');
  assert.equal(at({ gate: { kind: 'manual' }, fromStep: 5, requests: [req('promote', 4)] }), 'wait');
  assert.equal(at({ gate: { kind: 'manual' }, requests: [req('promote', 6)] }), 'wait');
});

test('the latest of pause, resume and promote decides a hold, whatever step the promote was for', () => {
  assert.equal(at({ requests: [req('pause', 2)] }), 'hold');
  assert.equal(at({ requests: [req('pause', 2), req('resume', 2)] }), 'go');
  assert.equal(at({ requests: [req('pause', 2), req('promote', 1)] }), 'go', 'a promote after the pause');
  assert.equal(
    at({ requests: [req('promote', 5), req('pause', 2)] }),
    'hold',
    'a promote before it does not undo it',
  );
});

test('approval: N counts distinct approvers, case-insensitively, and only approvers', () => {
  const gate = { kind: 'approval' as const, approvals: 2 };
  const a = req('promote', 5, { by: 'ann', approver: true });
  assert.equal(at({ gate, requests: [a, req('promote', 5, { by: 'ANN', approver: true })] }), 'wait');
  assert.equal(at({ gate, requests: [a, req('promote', 5, { by: 'dev' })] }), 'wait');
  assert.equal(at({ gate, requests: [a, req('promote', 5, { by: 'ben', approver: true })] }), 'go');
  // A redelivered request (same id) counts once.
  assert.equal(at({ gate, requests: [a, { ...a, by: 'ben' }] }), 'wait');
});

test('a bake goes on at its end, not a millisecond before, or earlier on a promote', () => {
  const gate = { kind: 'bake' as const, until: T0 + 86_400_000 };
  assert.equal(at({ gate, now: gate.until - 1 }), 'wait');
  assert.equal(at({ gate, now: gate.until }), 'go');
  assert.equal(at({ gate, now: T0, requests: [req('promote', 5)] }), 'go');
});

test('gateOf and isHeld read the record; a bake without a readable end waits for a person', () => {
  const rollout = (wait?: Rollout['wait']) => ({ deploymentId: 'd1', step: 5, wait }) as Rollout;
  assert.deepEqual(gateOf({ kind: 'bake', step: 5, since: 'x', handedOff: true }), {
    kind: 'bake',
    until: Number.POSITIVE_INFINITY,
  });
  assert.equal(gateOf({ kind: 'hold', step: 5, since: 'x', handedOff: true }), undefined);
  const hold = rollout({ kind: 'hold', step: 5, since: 'x', handedOff: true });
  assert.equal(isHeld(hold, []), true, 'the record says held and nothing says otherwise');
  assert.equal(isHeld(hold, [req('resume', 5)]), false);
  assert.equal(isHeld(rollout(), [req('pause', 5)]), true);
});

test("every verb made before a rollout began (an earlier attempt's) is left out; the clock skew allowed is kept", () => {
  const start = T0 + 3_600_000;
  const rollout = { deploymentId: 'd1', startedAt: new Date(start).toISOString() } as Rollout;
  for (const verb of ['promote', 'pause', 'resume', 'abort'] as const) {
    const old = req(verb, 1, { at: new Date(start - CONTROL_CLOCK_SKEW_MS - 1).toISOString() });
    const skewed = req(verb, 1, { at: new Date(start - CONTROL_CLOCK_SKEW_MS).toISOString() });
    const mine = req(verb, 1, { at: new Date(start + 1).toISOString() });
    assert.deepEqual(requestsSince([old, skewed, mine], start), [skewed, mine], verb);
    assert.deepEqual(requestsOf(rollout, [old, mine]), [mine], verb);
  }
  // /pause of the earlier attempt does not hold this one; its own does.
  assert.equal(isHeld(rollout, [req('pause', 1, { at: new Date(T0).toISOString() })]), false);
  assert.equal(isHeld(rollout, [req('pause', 1, { at: new Date(start + 5).toISOString() })]), true);
});
