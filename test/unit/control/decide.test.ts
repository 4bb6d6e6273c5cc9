// decideControl and the rollout helpers (issue 14): what people's requests mean at a step. Plain values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CONTROL_CLOCK_SKEW_MS,
  decideControl,
  pauseSupersedingPress,
  pressedCheckRunOf,
  requestsSince,
  withoutSupersededPresses,
  type ControlInput,
} from '../../../src/control/decide.ts';
import {
  approvalsCounted,
  countedRequests,
  decideRollout,
  earliestRequestAt,
  firstCountedStep,
  gateOf,
  isHeld,
  PAUSED_ON_FAILURE,
  requestsOf,
} from '../../../src/control/rollout.ts';
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

test('approval: a revocation the App recorded counts an earlier approval out; only a later approval counts them again', () => {
  const gate = { kind: 'approval' as const, approvals: 2 };
  const ann = req('promote', 5, { by: 'ann', approver: true });
  const revokeAnn = req('revoke', 5, { by: 'ANN', reason: 'not_an_approver' });
  const ben = req('promote', 5, { by: 'ben', approver: true });
  const approvers = (requests: ControlRequest[]) => {
    const d = decideControl({ deploymentId: 'd1', step: 5, gate, requests, now: T0 });
    return d.action === 'wait' ? d.approvers : d.action === 'go' ? d.requests.map((r) => r.by) : d.action;
  };
  assert.equal(at({ gate, requests: [ann, ben] }), 'go', 'without a revocation: as before');
  assert.equal(at({ gate, requests: [ann, revokeAnn, ben] }), 'wait', 'revoked before the second approval');
  assert.deepEqual(approvers([ann, revokeAnn, ben]), ['ben']);
  // Read in any order, the signed `at` decides: a revocation dated after the approval removes it.
  assert.deepEqual(approvers([ben, revokeAnn, ann]), ['ben']);
  // Re-approved after the revocation: counts again, as of that approval.
  const again = req('promote', 5, { by: 'ann', approver: true });
  assert.equal(at({ gate, requests: [ann, revokeAnn, ben, again] }), 'go');
  assert.deepEqual(approvers([again, ann, revokeAnn, ben]), ['ben', 'ann']);
  // An approval dated before the revocation (read after it) stays counted out.
  const early = { ...again, id: 'comment:early', at: new Date(Date.parse(revokeAnn.at) - 1).toISOString() };
  assert.equal(at({ gate, requests: [ann, revokeAnn, ben, early] }), 'wait');
  // The same instant: by id. `comment:…` sorts before `revoke:…`, so the revocation is the latest word.
  const sameAt = { ...revokeAnn, id: 'revoke:ann:comment:9' };
  const tied = { ...again, id: 'comment:tied', at: sameAt.at };
  assert.equal(
    at({ gate, requests: [ann, tied, sameAt, ben] }),
    'wait',
    'tie: the revocation is later by id',
  );
  const tiedLater = { ...tied, id: 'zz:tied' };
  assert.equal(
    at({ gate, requests: [ann, sameAt, tiedLater, ben] }),
    'go',
    'tie: the approval is later by id',
  );
  // A revocation is for its wait: one made at an earlier step counts nobody out here.
  assert.equal(at({ gate, requests: [req('revoke', 4, { by: 'ann' }), ann, ben] }), 'go');
  // An approval that is none (approver false) after a revocation does not count them again.
  assert.equal(at({ gate, requests: [ann, revokeAnn, ben, req('promote', 5, { by: 'ann' })] }), 'wait');
  // A revocation is not a /promote: it ends no manual wait or bake, and undoes no /pause.
  assert.equal(at({ gate: { kind: 'manual' }, requests: [revokeAnn] }), 'wait');
  assert.equal(at({ requests: [req('pause', 5), req('revoke', 5, { by: 'ann' })] }), 'hold');
});

test('a revocation: the runner (fromStep), reconcile (decideRollout) and the App (approvalsCounted) count alike', () => {
  const rollout = {
    deploymentId: 'd1',
    step: 5,
    startedAt: new Date(T0).toISOString(),
    wait: { kind: 'approval', step: 5, approvals: 2, since: new Date(T0).toISOString() },
  } as Rollout;
  // The runner counts from the step after its previous wait (fromStep); reconcile from the wait's step.
  const ann = req('promote', 5, { by: 'ann', approver: true });
  const requests = [ann, req('revoke', 5, { by: 'ann' }), req('promote', 5, { by: 'ben', approver: true })];
  const runner = decideControl({
    deploymentId: 'd1',
    step: 5,
    fromStep: 4,
    gate: { kind: 'approval', approvals: 2 },
    requests,
    now: T0,
  });
  assert.deepEqual(runner, { action: 'wait', kind: 'approval', approvers: ['ben'], need: 2 });
  assert.deepEqual(decideRollout(rollout, requests, T0), runner);
  assert.deepEqual(
    approvalsCounted(rollout, requests).map((r) => r.by),
    ['ben'],
  );
  const cara = req('promote', 5, { by: 'cara', approver: true });
  assert.equal(decideRollout(rollout, [...requests, cara], T0).action, 'go');
});

test('the App re-checks the approvals the runner may count: from the step after the plan’s previous wait', () => {
  const plan = ['set_weight', 'wait', 'set_weight', 'set_weight', 'wait'].map((kind) => ({
    step: { kind } as never,
    reason: 'r',
  }));
  const rollout = {
    deploymentId: 'd1',
    step: 4,
    startedAt: new Date(T0).toISOString(),
    wait: { kind: 'approval', step: 4, approvals: 2, since: new Date(T0).toISOString() },
    strategyState: { plan, index: 4, holds: 0 },
  } as unknown as Rollout;
  assert.equal(firstCountedStep(rollout), 2);
  // ann approved while step 3 ran (the runner counts it at the wait at 4, from its fromStep 2); bo approved
  // the wait at step 1, which is not this one.
  const requests = [
    req('promote', 1, { by: 'bo', approver: true }),
    req('promote', 3, { by: 'ann', approver: true }),
  ];
  assert.deepEqual(
    approvalsCounted(rollout, requests).map((r) => r.by),
    ['ann'],
  );
  // Without a plan in the record: every step of the rollout up to the wait.
  const { strategyState: _, ...bare } = rollout;
  assert.equal(firstCountedStep(bare as Rollout), 0);
  assert.deepEqual(
    approvalsCounted(bare as Rollout, requests).map((r) => r.by),
    ['bo', 'ann'],
  );
});

test("a wait's fromStep an older version wrote as 0 (a resumed orphan): the App and reconcile count from the step after the plan's previous wait", () => {
  const plan = ['set_weight', 'wait', 'set_weight', 'set_weight', 'wait'].map((kind) => ({
    step: { kind } as never,
    reason: 'r',
  }));
  const rollout = {
    deploymentId: 'd1',
    step: 4,
    startedAt: new Date(T0).toISOString(),
    wait: { kind: 'manual', step: 4, since: new Date(T0).toISOString(), fromStep: 0 },
    strategyState: { plan, index: 4, holds: 0 },
  } as unknown as Rollout;
  assert.equal(firstCountedStep(rollout), 2);
  // alice's /promote ended the wait at step 1: it does not end the wait at step 4 too.
  const ended = req('promote', 1);
  assert.equal(decideRollout(rollout, [ended], T0).action, 'wait');
  assert.equal(decideRollout(rollout, [ended, req('promote', 4, { by: 'ben' })], T0).action, 'go');
  // A fromStep past the floor (the runner's, after a hold or bake it waited at) stands; never past the wait.
  const held = { ...rollout, wait: { ...rollout.wait, fromStep: 3 } } as Rollout;
  assert.equal(firstCountedStep(held), 3);
  assert.equal(decideRollout(held, [req('promote', 2)], T0).action, 'wait');
  const beyond = { ...rollout, wait: { ...rollout.wait, fromStep: 9 } } as Rollout;
  assert.equal(firstCountedStep(beyond), 4);
});

test('a /promote made a step before the wait: the runner, reconcile (decideRollout) and the App count it alike', () => {
  const plan = ['set_weight', 'wait', 'set_weight', 'analysis', 'wait'].map((kind) => ({
    step: { kind } as never,
    reason: 'r',
  }));
  const rollout = {
    deploymentId: 'd1',
    step: 4,
    startedAt: new Date(T0).toISOString(),
    wait: { kind: 'approval', step: 4, approvals: 2, since: new Date(T0).toISOString(), handedOff: true },
    strategyState: { plan, index: 4, holds: 0 },
  } as unknown as Rollout;
  // ann approved while step 3's analysis ran (after the wait at step 1), ben at the wait itself.
  const requests = [
    req('promote', 3, { by: 'ann', approver: true }),
    req('promote', 4, { by: 'ben', approver: true }),
  ];
  const gate = { kind: 'approval' as const, approvals: 2 };
  const runner = decideControl({ deploymentId: 'd1', step: 4, fromStep: 2, gate, requests, now: T0 });
  assert.equal(runner.action, 'go');
  assert.deepEqual(decideRollout(rollout, requests, T0), runner, 'from the plan (a record without fromStep)');
  assert.deepEqual(
    approvalsCounted(rollout, requests).map((r) => r.by),
    ['ann', 'ben'],
  );
  // The runner recorded its fromStep with the wait: a bake it waited at step 3 (ended by ann's /promote)
  // moved it to 4, so ann's /promote for the bake is not one for this wait; reconcile and the App agree.
  const afterBake = { ...rollout, wait: { ...rollout.wait!, fromStep: 4 } };
  const runnerAfterBake = decideControl({
    deploymentId: 'd1',
    step: 4,
    fromStep: 4,
    gate,
    requests,
    now: T0,
  });
  assert.deepEqual(runnerAfterBake, { action: 'wait', kind: 'approval', approvers: ['ben'], need: 2 });
  assert.deepEqual(decideRollout(afterBake, requests, T0), runnerAfterBake);
  assert.deepEqual(
    approvalsCounted(afterBake, requests).map((r) => r.by),
    ['ben'],
  );
  // A manual wait: a /promote made one step early ends it for every reader.
  const manual = { ...rollout, wait: { ...rollout.wait!, kind: 'manual' as const, approvals: undefined } };
  const early = [req('promote', 3)];
  assert.equal(
    decideControl({
      deploymentId: 'd1',
      step: 4,
      fromStep: 2,
      gate: { kind: 'manual' },
      requests: early,
      now: T0,
    }).action,
    'go',
  );
  assert.equal(decideRollout(manual, early, T0).action, 'go');
  assert.equal(decideRollout({ ...manual, wait: { ...manual.wait, fromStep: 4 } }, early, T0).action, 'wait');
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

test('earliestRequestAt: a request made now is dated no earlier than the rollout start and a failed batch hold start, so it counts', () => {
  const start = T0 + 3_600_000;
  const rollout = { deploymentId: 'd1', step: 5, startedAt: new Date(start).toISOString() } as Rollout;
  assert.equal(earliestRequestAt(rollout), start);
  const held: Rollout = {
    ...rollout,
    wait: {
      kind: 'hold',
      step: 5,
      since: new Date(start + 60_000).toISOString(),
      by: PAUSED_ON_FAILURE,
      handedOff: true,
    },
  };
  assert.equal(earliestRequestAt(held), start + 60_000);
  // Dated so, a /resume counts for the hold and an /abort for the rollout.
  const at = new Date(earliestRequestAt(held)).toISOString();
  assert.equal(isHeld(held, [req('resume', 5, { at })]), false);
  assert.deepEqual(
    countedRequests(held, [req('abort', 5, { at })]).map((r) => r.verb),
    ['abort'],
  );
  // A /pause's hold starts no floor (its own /pause may be dated by any clock); nor does an unreadable time.
  const paused: Rollout = { ...rollout, wait: { ...held.wait!, by: 'alice' } };
  assert.equal(earliestRequestAt(paused), start);
  assert.equal(earliestRequestAt({ ...rollout, startedAt: 'garbage' }), Number.NEGATIVE_INFINITY);
});

/** A press of `verb` on check run `run` at `ms` after T0 (the App's id for it). */
const press = (verb: 'promote' | 'resume', run: number, ms: number): ControlRequest =>
  req(verb, 5, {
    id: `button:${run}:alice:5:${verb}`,
    source: 'button',
    at: new Date(T0 + ms).toISOString(),
  });
const comment = (verb: ControlRequest['verb'], ms: number, by = 'bob'): ControlRequest =>
  req(verb, 5, { by, at: new Date(T0 + ms).toISOString() });

test('a press is read as pressed on the check run its id names; a comment, or an id not of that form, on none', () => {
  assert.equal(pressedCheckRunOf(press('promote', 42, 0)), 42);
  assert.equal(pressedCheckRunOf(comment('promote', 0)), undefined);
  assert.equal(pressedCheckRunOf({ id: 'button:x:alice:5:promote', source: 'button' }), undefined);
  // A comment's id never names a check run, whatever it looks like.
  assert.equal(pressedCheckRunOf({ id: 'button:42:alice:5:promote', source: 'comment' }), undefined);
});

test('button_superseded: a Promote or Resume press on a check run older than a /pause does not count when it comes after the /pause by check run or by date', () => {
  // Two replicas at once: the /pause and a press on notice 10 both read the requests before either was
  // written; the /pause lands in check run 30, the press in 40 or 20. The dates are the replicas' clocks:
  // the press may be dated after the /pause, or before it when the /pause's replica runs fast.
  for (const [pressAt, pressRun] of [
    [2_000, 40],
    [500, 40],
    [2_000, 20],
  ] as const) {
    for (const verb of ['promote', 'resume'] as const) {
      const pause = comment('pause', 1_000);
      const stale = press(verb, 10, pressAt);
      const recordedIn = new Map([
        [pause.id, 30],
        [stale.id, pressRun],
      ]);
      const label = `${verb} dated ${pressAt}, recorded in ${pressRun}`;
      assert.equal(
        pauseSupersedingPress(
          { verb, id: stale.id, at: stale.at, pressedCheckRun: pressedCheckRunOf(stale) },
          [pause, stale],
          recordedIn,
        ),
        pause,
        label,
      );
      // As the App judges a press before recording it: after every /pause it has read.
      assert.equal(
        pauseSupersedingPress({ verb, at: stale.at, pressedCheckRun: 10 }, [pause], recordedIn),
        pause,
        label,
      );
      assert.deepEqual(withoutSupersededPresses([pause, stale], recordedIn), [pause], label);
      // Without the rule the press, dated last, would end the hold (the rule also keeps a press dated first out,
      // which would count for its wait after a /resume though it was handled after the /pause).
      if (pressAt > 1_000)
        assert.equal(
          decideControl({ deploymentId: 'd1', step: 5, requests: [pause, stale], now: T0 }).action,
          'go',
          label,
        );
      const rollout = { deploymentId: 'd1', step: 5, wait: { kind: 'manual', step: 5 } } as Rollout;
      assert.equal(decideRollout(rollout, [pause, stale], T0, recordedIn).action, 'hold', label);
    }
  }
});

test('button_superseded keeps: a press on the /pause’s own check run or a newer one, a press before the /pause by check run and by date, a comment, an /abort; and nothing without recordedIn', () => {
  const pause = comment('pause', 1_000);
  const own = press('resume', 30, 2_000); // the /pause's own check run (30) carries Resume
  const newer = press('resume', 35, 2_000);
  // Recorded before the /pause (check run 20 < 30) and dated before it: the /pause, dated last, holds, and the
  // press is not dropped.
  const earlier = press('promote', 10, 500);
  const resume = comment('resume', 2_000);
  const recordedIn = new Map([
    [earlier.id, 20],
    [pause.id, 30],
    [own.id, 40],
    [newer.id, 41],
    [resume.id, 42],
  ]);
  const all = [earlier, pause, own, newer, resume];
  assert.deepEqual(withoutSupersededPresses(all, recordedIn), all);
  assert.deepEqual(withoutSupersededPresses([pause, press('promote', 10, 2_000)], undefined), [
    pause,
    press('promote', 10, 2_000),
  ]);
  // A /pause not read from a check run (another source) supersedes nothing.
  assert.deepEqual(withoutSupersededPresses([pause, newer], new Map([[newer.id, 41]])), [pause, newer]);
  // The press dated before the /pause still counts for its wait once a /resume ended the hold.
  const rollout = { deploymentId: 'd1', step: 5, wait: { kind: 'manual', step: 5 } } as Rollout;
  const d = decideRollout(rollout, [earlier, pause, resume], T0, recordedIn);
  assert.equal(d.action, 'go');
  assert.deepEqual(d.action === 'go' ? d.requests : [], [earlier]);
});

test("countedRequests: only this rollout's /pause supersedes a press; on a failed batch's hold, no /pause, /resume or /promote made before it began", () => {
  const start = T0 + 60_000;
  const pauseBefore = comment('pause', 0); // an earlier attempt's
  const late = press('resume', 10, 61_000);
  const recordedIn = new Map([
    [pauseBefore.id, 30],
    [late.id, 40],
  ]);
  const rollout = { deploymentId: 'd1', startedAt: new Date(start).toISOString() } as Rollout;
  assert.deepEqual(countedRequests(rollout, [pauseBefore, late], recordedIn), [late]);
  const failed = T0 + 120_000;
  const held = {
    ...rollout,
    wait: {
      kind: 'hold',
      step: 5,
      since: new Date(failed).toISOString(),
      by: PAUSED_ON_FAILURE,
      handedOff: true,
    },
  } as Rollout;
  const resumeBefore = comment('resume', 119_000);
  const abortBefore = comment('abort', 119_500);
  const resumeAfter = comment('resume', 121_000);
  assert.deepEqual(countedRequests(held, [late, resumeBefore, resumeAfter], recordedIn), [resumeAfter]);
  assert.deepEqual(
    countedRequests(held, [resumeBefore, abortBefore]),
    [abortBefore],
    'an /abort always counts',
  );
  // decideRollout: a hold the record shows stays held until a /resume made since (decideControl alone goes on).
  assert.equal(
    decideControl({ deploymentId: 'd1', step: 5, requests: [resumeBefore], now: failed }).action,
    'go',
  );
  assert.deepEqual(decideRollout(held, [resumeBefore], failed), { action: 'held', by: PAUSED_ON_FAILURE });
  assert.equal(decideRollout(held, [resumeBefore, resumeAfter], failed).action, 'go');
  assert.equal(decideRollout(held, [resumeBefore, abortBefore], failed).action, 'abort');
});
