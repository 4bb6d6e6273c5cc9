// recordRunFailureTold (reconcile/failure-told.ts): what the deploying run records of its own failed rollback,
// and that a store that fails to take it is an answer, never a throw (the run's outcome must stand).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PipelineResult, RollbackRecord } from '../../../src/pipeline/events.ts';
import { recordRunFailureTold, rollbackFailureKey } from '../../../src/reconcile/failure-told.ts';
import { emptyRecord, type EnvironmentRecord } from '../../../src/state/record.ts';
import type { StateStore } from '../../../src/state/store.ts';

const NOW = new Date('2026-12-06T12:00:00Z');
const step = {
  environment: 'production',
  phase: 'rollback' as const,
  step: { kind: 'set_weight' as const, slot: 'green', stableSlot: 'blue', weight: 0 },
  description: 'set weight green=0% blue=100%',
  result: { ok: false as const, reason: 'set_weight exited with code 1 after 0.4s' },
  durationMs: 400,
};
const rollback: RollbackRecord = {
  reason: 'set weight failed',
  environment: 'production',
  steps: [step],
  ok: false,
  durationMs: 400,
  levels: [],
};
const record: EnvironmentRecord = {
  ...emptyRecord('o/r', 'production', NOW),
  seq: 7,
  rollout: {
    deploymentId: '12',
    version: 'v2',
    strategy: 'canary',
    phase: 'rollback',
    step: 1,
    steps: 3,
    owner: { kind: 'workflow', runId: '41' },
    startedAt: NOW.toISOString(),
    recovery: [step.step],
  },
};
// The fields recordRunFailureTold reads; the rest of a result is not looked at.
const result = (over: Partial<PipelineResult> = {}) =>
  ({
    code: 'rollback_failed',
    environment: 'production',
    rollbacks: [rollback],
    record,
    ...over,
  }) as PipelineResult;

function memoryStore(fail?: string): StateStore & { written: EnvironmentRecord[] } {
  const written: EnvironmentRecord[] = [];
  return {
    written,
    read: async () => ({ ok: true, record: written.at(-1), source: 'memory' }),
    write: async (r) => {
      if (fail) throw new Error(fail);
      written.push(r);
    },
  };
}

describe('recordRunFailureTold', () => {
  it("writes the run's record with the rollout's failureNotified: the key reconcile computes, by what told it", async () => {
    const key = rollbackFailureKey([step], [], true);
    for (const [told, expected] of [
      [{ notifications: true, status: true }, key],
      [{ notifications: true, status: false }, `${key}:notifications`],
      [{ notifications: false, status: true }, `${key}:status`],
    ] as const) {
      const store = memoryStore();
      assert.deepEqual(await recordRunFailureTold(store, result(), told, NOW, []), {
        kind: 'recorded',
        failureNotified: expected,
      });
      assert.equal(store.written.length, 1);
      assert.equal(store.written[0]!.rollout?.failureNotified, expected);
      assert.equal(store.written[0]!.seq, 8, 'a new record, after the run');
      assert.deepEqual(store.written[0]!.history, record.history, 'no history entry of its own');
    }
  });

  it('writes nothing when nothing told it, the rollback did not fail, or the rollout was dropped', async () => {
    const store = memoryStore();
    const told = { notifications: true, status: true };
    assert.deepEqual(
      await recordRunFailureTold(store, result(), { notifications: false, status: false }, NOW, []),
      {
        kind: 'nothing',
        reason: 'not_told',
      },
    );
    assert.deepEqual(
      await recordRunFailureTold(store, result({ code: 'rolled_back' as never }), told, NOW, []),
      {
        kind: 'nothing',
        reason: 'no_failed_rollback',
      },
    );
    assert.deepEqual(
      await recordRunFailureTold(store, result({ record: { ...record, rollout: undefined } }), told, NOW, []),
      { kind: 'nothing', reason: 'rollout_not_kept' },
    );
    assert.equal(store.written.length, 0);
  });

  it("keeps the run's secret values out of the record, as every record the run wrote (executor.ts)", async () => {
    // A value that looks like nothing in particular: only the run knows it is secret (a channel's secret, the
    // state key), as a failing command quoted it in a history entry's detail and a step's reason.
    const secret = 'plainLookingChannelSecret42';
    const quoted: EnvironmentRecord = {
      ...record,
      history: [
        {
          at: NOW.toISOString(),
          by: 'workflow:41',
          event: 'rollback_started',
          code: 'health_failed',
          version: 'v2',
          detail: `health check said ${secret}`,
        },
      ],
    };
    const store = memoryStore();
    const told = await recordRunFailureTold(
      store,
      result({ record: quoted }),
      { notifications: true, status: true },
      NOW,
      [secret],
    );
    assert.equal(told.kind, 'recorded');
    const text = JSON.stringify(store.written[0]);
    assert.ok(!text.includes(secret), text);
    assert.match(store.written[0]!.history[0]!.detail ?? '', /health check said \*\*\*/);
  });

  it('a store that fails: an answer saying why, not a throw', async () => {
    const told = await recordRunFailureTold(
      memoryStore('disk full'),
      result(),
      { notifications: true, status: false },
      NOW,
      [],
    );
    assert.deepEqual(told, { kind: 'not_stored', message: 'disk full' });
  });
});
