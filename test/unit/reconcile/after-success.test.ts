// hooks.after_success, decided from the record alone (reconcile/after-success.ts): run, wait until, or skip
// with a stable reason, and where it falls among reconcile's other decisions (decide.ts).
import assert from 'node:assert/strict';
import { describe, it, test } from 'node:test';
import { afterSuccessSkipText, decideAfterSuccess } from '../../../src/reconcile/after-success.ts';
import { decide } from '../../../src/reconcile/decide.ts';
import {
  emptyRecord,
  type EnvironmentRecord,
  type Release,
  type Rollout,
} from '../../../src/state/record.ts';

const T0 = new Date('2026-03-01T12:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const DAY = 24 * 3_600_000;
const hook = { afterMs: DAY };

/** Deployed with the hook configured: finalize marks the release so (afterSuccessPlanned). */
const v2: Release = {
  version: 'v2',
  sha: 'b'.repeat(40),
  slot: 'green',
  since: T0.toISOString(),
  afterSuccessPlanned: true,
};

/** v2 put live at T0 by a deployment that succeeded (finalize writes both at one time). */
function deployed(change: Partial<EnvironmentRecord> = {}, release: Release = v2): EnvironmentRecord {
  return {
    ...emptyRecord('o/r', 'production', at(-DAY)),
    seq: 7,
    live: release,
    history: [
      {
        at: release.since,
        by: 'workflow:1',
        event: 'succeeded',
        code: 'deployed',
        version: release.version,
        ...(release.sha ? { sha: release.sha } : {}),
      },
    ],
    ...change,
  };
}

const rollout: Rollout = {
  deploymentId: '78',
  version: 'v3',
  strategy: 'blue-green',
  phase: 'production',
  step: 0,
  steps: 3,
  startedAt: at(DAY).toISOString(),
  owner: { kind: 'workflow', runId: '124' },
  recovery: [],
};

describe('decideAfterSuccess', () => {
  it('waits until the release has been live for `after`, and runs then: not one millisecond before', () => {
    const until = at(DAY).toISOString();
    assert.deepEqual(decideAfterSuccess({ record: deployed(), hook, now: at(DAY - 1) }), {
      kind: 'wait',
      release: v2,
      until,
    });
    assert.deepEqual(decideAfterSuccess({ record: deployed(), hook, now: at(DAY) }), {
      kind: 'run',
      release: v2,
      dueAt: until,
    });
  });

  /** v2 live with its hook started a day in, and finished with `outcome` when given. */
  const ranFor = (outcome?: { ok: boolean; exitCode: number; code?: string }) =>
    deployed(
      {},
      {
        ...v2,
        afterSuccess: {
          startedAt: at(DAY).toISOString(),
          by: 'r',
          ...(outcome ? { finishedAt: at(DAY).toISOString(), ...outcome } : {}),
        },
      },
    );
  const skips: Array<[string, EnvironmentRecord, string]> = [
    ['nothing live', { ...emptyRecord('o/r', 'production', T0) }, 'nothing_live'],
    ['a rollout in the record (a deployment in progress)', deployed({ rollout }), 'deploy_in_progress'],
    [
      'a waiting (handed-off) rollout',
      deployed({
        rollout: {
          ...rollout,
          wait: { kind: 'manual', step: 1, since: T0.toISOString(), handedOff: true },
        },
      }),
      'deploy_in_progress',
    ],
    ['it ran and succeeded for this release', ranFor({ ok: true, exitCode: 0 }), 'already_ran'],
    [
      'it ran and failed for this release (never retried)',
      ranFor({ ok: false, exitCode: 3, code: 'exit' }),
      'failed',
    ],
    ['it was started and never finished (its reconcile died)', ranFor(), 'interrupted'],
    [
      'a rollback deployment put the release live',
      deployed({}, { ...v2, rollback: true }),
      'rollback_release',
    ],
    [
      'an adopted release (no succeeded entry for it)',
      deployed({
        history: [
          { at: T0.toISOString(), by: 'x', event: 'adopted_current', code: 'current_adopted', version: 'v2' },
        ],
      }),
      'not_deployed',
    ],
    [
      // Config read by reconcile gained the hook after v2 went out (a contract step merged before its own
      // release is deployed): run now, it would contract under the release still using what it removes.
      'the deployment that put it live had no hooks.after_success (added to the config since)',
      deployed({}, { version: 'v2', sha: 'b'.repeat(40), slot: 'green', since: T0.toISOString() }),
      'not_planned',
    ],
    [
      'the succeeded entry is of an earlier release of the same version',
      deployed({ live: { ...v2, since: at(1000).toISOString() } }),
      'not_deployed',
    ],
  ];
  for (const [name, record, reason] of skips)
    it(`skips: ${name} → ${reason}`, () => {
      const d = decideAfterSuccess({ record, hook, now: at(30 * DAY) });
      assert.equal(d.kind, 'skip');
      assert.equal(d.kind === 'skip' && d.reason, reason);
    });

  it('no hook configured → not_configured, whatever the record', () => {
    assert.deepEqual(decideAfterSuccess({ record: deployed(), hook: undefined, now: at(30 * DAY) }), {
      kind: 'skip',
      reason: 'not_configured',
    });
  });

  it('a redeploy of the same commit is a new release: its hook runs, the old run stays with the old release', () => {
    const again: Release = { ...v2, since: at(2 * DAY).toISOString() };
    const old = {
      ...v2,
      afterSuccess: {
        startedAt: at(DAY).toISOString(),
        by: 'r',
        finishedAt: at(DAY).toISOString(),
        ok: true,
      },
    };
    const record = deployed(
      {
        previous: old,
        history: [
          ...deployed().history,
          {
            at: again.since,
            by: 'workflow:2',
            event: 'succeeded',
            code: 'deployed',
            version: 'v2',
            sha: v2.sha,
          },
        ],
      },
      again,
    );
    assert.equal(decideAfterSuccess({ record, hook, now: at(3 * DAY - 1) }).kind, 'wait');
    assert.equal(decideAfterSuccess({ record, hook, now: at(3 * DAY) }).kind, 'run');
  });
});

describe('decide: the delayed hook among the other decisions', () => {
  it('due → after_success with the release and when it fell due', () => {
    assert.deepEqual(decide({ record: deployed(), now: at(DAY), afterSuccess: hook }), {
      code: 'after_success',
      release: v2,
      dueAt: at(DAY).toISOString(),
    });
  });

  it('a retired slot due goes first; the hook on the next pass', () => {
    const record = deployed({ retired: [{ slot: 'blue', version: 'v1', dueAt: T0.toISOString() }] });
    assert.equal(decide({ record, now: at(DAY), afterSuccess: hook }).code, 'teardown');
    assert.equal(
      decide({ record: { ...record, retired: [] }, now: at(DAY), afterSuccess: hook }).code,
      'after_success',
    );
  });

  it('a rollout in the record decides alone: an orphan is rolled back, the hook is not run', () => {
    const d = decide({
      record: deployed({ rollout }),
      owner: { state: 'ended', conclusion: 'failure' },
      now: at(2 * DAY),
      afterSuccess: hook,
    });
    assert.equal(d.code, 'orphan_rollback');
  });

  it('not due: nothing_due says when it falls due; without a hook, nothing_due as before', () => {
    assert.deepEqual(decide({ record: deployed(), now: at(1), afterSuccess: hook }), {
      code: 'nothing_due',
      afterSuccess: { kind: 'wait', release: v2, until: at(DAY).toISOString() },
    });
    assert.deepEqual(decide({ record: deployed(), now: at(2 * DAY) }), { code: 'nothing_due' });
  });
});

test('not_planned says a release an older deploy-action deployed reads the same, and what to do', () => {
  // Versions before live.afterSuccessPlanned (138c94dd) ran the hook for any release; their records never say
  // it was planned. Skipped without a word about them, an upgrade mid-delay dropped the contract step unseen.
  const text = afterSuccessSkipText('not_planned', { version: 'v2', since: T0.toISOString() });
  assert.match(text, /^hooks\.after_success is not run for the live release of v2: /);
  assert.match(text, /or an older deploy-action, which did not record it, deployed the release/);
  assert.match(text, /run it by hand if this one needs it$/);
});
