import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decide, type OwnerStatus } from '../../../src/reconcile/decide.ts';
import { emptyRecord, type EnvironmentRecord, type Rollout } from '../../../src/state/record.ts';

const T0 = new Date('2026-03-01T12:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

const rollout: Rollout = {
  deploymentId: '77',
  version: 'v2',
  strategy: 'canary',
  phase: 'production',
  step: 6,
  steps: 12,
  weight: 50,
  startedAt: T0.toISOString(),
  owner: { kind: 'workflow', runId: '123' },
  stableSlot: 'blue',
  newSlot: 'green',
  recovery: [
    { kind: 'set_weight', slot: 'green', stableSlot: 'blue', weight: 0 },
    { kind: 'teardown', slot: 'green' },
  ],
};

function record(change: Partial<EnvironmentRecord> = {}): EnvironmentRecord {
  return { ...emptyRecord('o/r', 'production', T0), ...change };
}

describe('decide: a rollout in the record', () => {
  const ended = (conclusion?: string): OwnerStatus => ({ state: 'ended', conclusion });

  for (const conclusion of ['failure', 'cancelled', 'timed_out', 'not_found', undefined]) {
    it(`owner ended (${conclusion ?? 'a process'}) → orphan_rollback with the recovery steps in order`, () => {
      const d = decide({ record: record({ rollout }), owner: ended(conclusion), now: T0 });
      assert.equal(d.code, 'orphan_rollback');
      assert.ok(d.code === 'orphan_rollback');
      assert.deepEqual(d.steps, rollout.recovery);
      assert.equal(d.conclusion, conclusion);
    });
  }

  it('on_orphan: resume → orphan_resume, not a rollback', () => {
    const d = decide({ record: record({ rollout }), owner: ended('failure'), now: T0, onOrphan: 'resume' });
    assert.equal(d.code, 'orphan_resume');
  });

  it('on_orphan: rollback is the default', () => {
    const explicit = decide({
      record: record({ rollout }),
      owner: ended('failure'),
      now: T0,
      onOrphan: 'rollback',
    });
    assert.deepEqual(decide({ record: record({ rollout }), owner: ended('failure'), now: T0 }), explicit);
  });

  it('owner still running → left alone', () => {
    assert.equal(
      decide({ record: record({ rollout }), owner: { state: 'running' }, now: T0 }).code,
      'owner_running',
    );
  });

  it('owner unknown → left alone with the reason', () => {
    const d = decide({
      record: record({ rollout }),
      owner: { state: 'unknown', reason: 'another host' },
      now: T0,
    });
    assert.deepEqual(d, { code: 'owner_unknown', rollout, reason: 'another host' });
  });

  it('owner not looked up counts as unknown, never as ended', () => {
    assert.equal(decide({ record: record({ rollout }), now: T0 }).code, 'owner_unknown');
  });

  it('owner SUCCEEDED but the record still shows its rollout → stale, not rolled back (either on_orphan)', () => {
    for (const onOrphan of ['rollback', 'resume'] as const) {
      const d = decide({ record: record({ rollout }), owner: ended('success'), now: T0, onOrphan });
      assert.deepEqual(d, { code: 'stale', rollout, refusal: 'state_stale' });
    }
  });

  it('a due retired slot waits while a rollout is in the record (the rollout may be deploying to it)', () => {
    const r = record({ rollout, retired: [{ slot: 'green', dueAt: at(-1000).toISOString() }] });
    assert.equal(decide({ record: r, owner: { state: 'running' }, now: T0 }).code, 'owner_running');
    assert.equal(decide({ record: r, owner: ended('failure'), now: T0 }).code, 'orphan_rollback');
  });
});

describe('decide: retired slots', () => {
  const dueAt = at(60_000).toISOString();

  it('one ms before dueAt → nothing_due, saying when', () => {
    const d = decide({ record: record({ retired: [{ slot: 'blue', dueAt }] }), now: at(59_999) });
    assert.deepEqual(d, { code: 'nothing_due', nextDueAt: dueAt });
  });

  it('exactly at dueAt → teardown', () => {
    const d = decide({
      record: record({ retired: [{ slot: 'blue', dueAt, version: 'v1' }] }),
      now: at(60_000),
    });
    assert.deepEqual(d, { code: 'teardown', slots: [{ slot: 'blue', dueAt, version: 'v1' }] });
  });

  it('after dueAt → teardown', () => {
    assert.equal(
      decide({ record: record({ retired: [{ slot: 'blue', dueAt }] }), now: at(3_600_000) }).code,
      'teardown',
    );
  });

  it('only the slots that are due, not the others', () => {
    const later = at(120_000).toISOString();
    const d = decide({
      record: record({
        retired: [
          { slot: 'blue', dueAt },
          { slot: 'green', dueAt: later },
        ],
      }),
      now: at(90_000),
    });
    assert.ok(d.code === 'teardown');
    assert.deepEqual(
      d.slots.map((s) => s.slot),
      ['blue'],
    );
  });

  it('nothing_due names the earliest due time among several', () => {
    const later = at(120_000).toISOString();
    const d = decide({
      record: record({
        retired: [
          { slot: 'green', dueAt: later },
          { slot: 'blue', dueAt },
        ],
      }),
      now: T0,
    });
    assert.deepEqual(d, { code: 'nothing_due', nextDueAt: dueAt });
  });

  it('an empty record → nothing_due without a due time', () => {
    assert.deepEqual(decide({ record: record(), now: T0 }), { code: 'nothing_due' });
  });
});
