// Which environments a completed workflow run leaves with an orphaned rollout, and the ref that makes the
// reconcile dispatch happen once. Pure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  controlRefName,
  dispatchRefName,
  orphanedBy,
  requestAfterHandOff,
} from '../../../app/reconcile/trigger.ts';
import type { ControlRequest } from '../../../src/control/request.ts';
import { emptyRecord } from '../../../src/state/record.ts';
import type { EnvironmentRecord, Rollout, RolloutOwner } from '../../../src/state/record.ts';
import type { StateRead } from '../../../src/state/store.ts';

const NOW = new Date('2025-03-04T10:00:00Z');

function withOwner(owner: RolloutOwner | undefined): StateRead {
  const base: EnvironmentRecord = emptyRecord('acme/web', 'production', NOW);
  const record: EnvironmentRecord = owner
    ? {
        ...base,
        rollout: {
          deploymentId: '1',
          version: 'v2',
          strategy: 'canary',
          phase: 'production',
          step: 1,
          steps: 5,
          startedAt: NOW.toISOString(),
          owner,
          recovery: [],
        },
      }
    : base;
  return { ok: true, record, source: 'test' };
}

const decide = (read: StateRead, run = { id: 42, attempt: 1 }) =>
  orphanedBy([{ environment: 'production', read }], run)[0];

test('only a trusted record whose rollout this run (this attempt or an earlier one) owns is orphaned', () => {
  assert.deepEqual(decide(withOwner({ kind: 'workflow', runId: '42' })), {
    environment: 'production',
    action: 'dispatch',
  });
  assert.equal(decide(withOwner({ kind: 'workflow', runId: '42', runAttempt: '1' }))?.action, 'dispatch');
  // attempt 2 completed while the record still names attempt 1: attempt 1 is long gone too.
  assert.equal(
    decide(withOwner({ kind: 'workflow', runId: '42', runAttempt: '1' }), { id: 42, attempt: 2 })?.action,
    'dispatch',
  );
  const none = (read: StateRead, run?: { id: number; attempt: number }) => {
    const d = decide(read, run);
    return d?.action === 'none' ? d.why : d?.action;
  };
  assert.equal(
    none(withOwner({ kind: 'workflow', runId: '42', runAttempt: '3' }), { id: 42, attempt: 2 }),
    'later_attempt_owns',
  );
  assert.equal(none(withOwner({ kind: 'workflow', runId: '420' })), 'other_owner', 'no prefix match');
  assert.equal(none(withOwner({ kind: 'process', pid: 42, host: 'ci' })), 'other_owner', 'a CLI process');
  assert.equal(none(withOwner(undefined)), 'no_rollout');
  assert.equal(none({ ok: true, record: undefined, source: 'test' }), 'no_record');
  for (const code of [
    'state_forged',
    'state_misplaced',
    'state_stale',
    'state_corrupt',
    'state_unverifiable',
  ] as const) {
    const d = decide({ ok: false, code, message: 'm', source: 'test' });
    assert.equal(d?.action, 'refused', code);
    assert.equal(d?.action === 'refused' && d.code, code);
  }
});

test('a rollout its job handed off (waiting for people or a bake) is not an orphan: no dispatch (handed_off)', () => {
  const owned = withOwner({ kind: 'workflow', runId: '42', runAttempt: '1' });
  const rollout = owned.ok ? owned.record!.rollout! : undefined;
  const wait = { kind: 'manual' as const, step: 2, since: NOW.toISOString() };
  const read = (handedOff: boolean): StateRead => ({
    ok: true,
    record: {
      ...(owned.ok ? owned.record! : emptyRecord('acme/web', 'production', NOW)),
      rollout: { ...rollout!, wait: { ...wait, handedOff } },
    },
    source: 'test',
  });
  const handedOff = read(true);
  // The run that handed it off: named, so its completion looks for a request it never read.
  assert.deepEqual(decide(handedOff), {
    environment: 'production',
    action: 'none',
    why: 'handed_off',
    handedOffBy: handedOff.ok && handedOff.record!.rollout,
  });
  // Another run's completion, or an earlier attempt's once a later one owns it, names none.
  assert.deepEqual(decide(handedOff, { id: 43, attempt: 1 }), {
    environment: 'production',
    action: 'none',
    why: 'handed_off',
  });
  const later = { ...rollout!, owner: { kind: 'workflow' as const, runId: '42', runAttempt: '2' } };
  assert.deepEqual(
    decide({
      ok: true,
      record: {
        ...emptyRecord('acme/web', 'production', NOW),
        rollout: { ...later, wait: { ...wait, handedOff: true } },
      },
      source: 'test',
    }),
    { environment: 'production', action: 'none', why: 'handed_off' },
  );
  // Waiting in the job (not handed off) when the run died: still an orphan.
  assert.equal(decide(read(false))?.action, 'dispatch');
});

test('a handed-off rollout whose rollback the completed run began (phase rollback, its wait kept) is its orphan: dispatch', () => {
  // A reconcile run that took up an /abort or a bake's trigger owns the rollout from its rollback's first write;
  // cancelled or killed mid-way, its completion starts the reconcile that finishes the rollback, as for any
  // orphan, instead of leaving it to the next scheduled run (or to none).
  const owned = withOwner({ kind: 'workflow', runId: '42', runAttempt: '1' });
  const rollout = owned.ok ? owned.record!.rollout! : undefined;
  const read: StateRead = {
    ok: true,
    record: {
      ...emptyRecord('acme/web', 'production', NOW),
      rollout: {
        ...rollout!,
        phase: 'rollback',
        wait: { kind: 'bake', step: 2, since: NOW.toISOString(), until: NOW.toISOString(), handedOff: true },
      },
    },
    source: 'test',
  };
  assert.deepEqual(decide(read), { environment: 'production', action: 'dispatch' });
  assert.deepEqual(decide(read, { id: 43, attempt: 1 }), {
    environment: 'production',
    action: 'none',
    why: 'other_owner',
  });
});

test('requestAfterHandOff: the request that lets a handed-off rollout go on or rolls it back, else none', () => {
  const at = (minute: number) => new Date(NOW.getTime() + minute * 60_000).toISOString();
  const rollout = (wait: Omit<NonNullable<Rollout['wait']>, 'handedOff'>, handedOff = true): Rollout => ({
    deploymentId: '1',
    version: 'v2',
    strategy: 'canary',
    phase: 'production',
    step: 2,
    steps: 5,
    startedAt: NOW.toISOString(),
    owner: { kind: 'workflow', runId: '42', runAttempt: '1' },
    recovery: [],
    wait: { ...wait, handedOff },
  });
  const request = (
    id: string,
    verb: ControlRequest['verb'],
    minute: number,
    o: Partial<ControlRequest> = {},
  ) =>
    ({
      id,
      verb,
      by: 'alice',
      at: at(minute),
      deploymentId: '1',
      step: 2,
      source: 'comment',
      ...o,
    }) as ControlRequest;
  const later = NOW.getTime() + 30 * 60_000;
  const manual = rollout({ kind: 'manual', step: 2, since: at(1) });
  assert.equal(requestAfterHandOff(manual, [], later), undefined, 'nothing asked');
  assert.equal(requestAfterHandOff(manual, [request('comment:1', 'promote', 2)], later)?.id, 'comment:1');
  assert.equal(requestAfterHandOff(manual, [request('comment:2', 'abort', 2)], later)?.id, 'comment:2');
  assert.equal(
    requestAfterHandOff(manual, [request('comment:3', 'promote', 2, { step: 1 })], later),
    undefined,
    "an earlier step's /promote, which the job read",
  );
  assert.equal(
    requestAfterHandOff(
      rollout({ kind: 'manual', step: 2, since: at(1) }, false),
      [request('comment:1', 'promote', 2)],
      later,
    ),
    undefined,
    'not handed off: the job reads it',
  );
  assert.equal(
    requestAfterHandOff({ ...manual, phase: 'rollback' }, [request('comment:2', 'abort', 2)], later),
    undefined,
    'already rolling back',
  );
  const two = rollout({ kind: 'approval', approvals: 2, step: 2, since: at(1) });
  const approve = (id: string, by: string, minute: number) =>
    request(id, 'promote', minute, { by, approver: true });
  assert.equal(requestAfterHandOff(two, [approve('comment:4', 'carol', 2)], later), undefined, 'one of two');
  assert.equal(
    requestAfterHandOff(two, [approve('comment:4', 'carol', 2), approve('comment:5', 'dave', 3)], later)?.id,
    'comment:5',
    'the approval that made two',
  );
  const hold = rollout({ kind: 'hold', step: 2, since: at(1), by: 'alice' });
  assert.equal(
    requestAfterHandOff(hold, [request('comment:6', 'pause', 1)], later),
    undefined,
    'still paused',
  );
  assert.equal(
    requestAfterHandOff(hold, [request('comment:6', 'pause', 1), request('comment:7', 'resume', 2)], later)
      ?.id,
    'comment:7',
  );
});

test('the control claim ref is per deployment and request, one ref component each', () => {
  assert.equal(controlRefName('1001', 'comment:77'), 'deploy-control/1001/comment_77');
  assert.equal(
    controlRefName('1001', 'button:5:alice:2:promote'),
    'deploy-control/1001/button_5_alice_2_promote',
  );
  assert.notEqual(controlRefName('1001', 'comment:77'), controlRefName('1002', 'comment:77'));
  assert.doesNotMatch(controlRefName('../x', 'a/../../b c~^:?*[\\')!, /\.\.|[ ~^:?*[\\]|\/\.|\/.*\/.*\//);
  assert.equal(controlRefName('', 'comment:1'), undefined);
});

test('the dispatch ref is per run, attempt and environment, and refuses names git cannot hold', () => {
  assert.equal(dispatchRefName({ id: 42, attempt: 2 }, 'Production'), 'deploy-reconcile/42-2/production');
  assert.notEqual(
    dispatchRefName({ id: 42, attempt: 1 }, 'production'),
    dispatchRefName({ id: 42, attempt: 2 }, 'production'),
  );
  for (const bad of ['a..b', 'prod.', 'prod.lock', '.hidden', 'a/b', 'a b', ''])
    assert.equal(dispatchRefName({ id: 1, attempt: 1 }, bad), undefined, bad);
});
