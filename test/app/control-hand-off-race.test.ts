// A /promote (or /abort) handled while the job still polls, and the job's hand-off written after its last poll:
// the App found the rollout not handed off (the job would read the request) and started nothing, and the job
// ended without reading it. When that run completes, the App reads the requests of the rollout it handed off
// and starts the reconcile run the request needs, once, under the claim a /promote of a handed-off rollout
// takes (so the two never start two).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FakeGitHub } from '../fake-github/index.ts';
import { githubChannel } from '../../app/deploy/control.ts';
import { RECONCILE_FILE, RUN_ID, controlConfig, rolloutWorld } from './rollout-world.ts';
import type { RolloutWorld } from './rollout-world.ts';

const world = (body: (w: RolloutWorld) => Promise<void>) =>
  rolloutWorld({ config: controlConfig(), writers: ['alice'] }, body);

const dispatched = (fake: FakeGitHub) =>
  fake.repo().workflowDispatches.map((d) => ({ workflowId: d.workflowId, inputs: d.inputs }));
const RECONCILE = { workflowId: RECONCILE_FILE, inputs: { environment: 'production' } };
const WAIT = { kind: 'manual', step: 2, since: '2025-03-04T10:20:00.000Z' } as const;
const NOT_HANDED_OFF = { wait: { ...WAIT, handedOff: false } };
const HANDED_OFF = { wait: { ...WAIT, handedOff: true } };

for (const verb of ['promote', 'abort'] as const)
  test(`a /${verb} the job never read before its hand-off starts the reconcile run when its run completes, once`, async () => {
    await world(async (w) => {
      await w.write(NOT_HANDED_OFF);
      await w.comment(`/${verb} production`);
      assert.deepEqual(dispatched(w.fake), [], 'the job still polls: the App starts nothing');
      // The job's last poll came before that request; it hands the rollout off and its run ends.
      await w.write(HANDED_OFF, { seq: 4 });
      await w.complete('delivery-1');
      assert.deepEqual(dispatched(w.fake), [RECONCILE], 'the request goes on in a reconcile run');
      await w.complete('delivery-1');
      await w.complete('delivery-2');
      assert.equal(
        w.fake.requestsFor('actions/create-workflow-dispatch').length,
        1,
        'one run, whatever the deliveries',
      );
    });
  });

test('a hand-off with no request since, or one the job read (an earlier step), starts nothing', async () => {
  await world(async (w) => {
    await w.write(
      {
        step: 1,
        weight: 10,
        wait: { kind: 'manual', step: 1, since: '2025-03-04T10:12:00.000Z', handedOff: false },
      },
      { seq: 2 },
    );
    await w.comment('/promote production');
    // The job read that /promote, went on to step 2 and handed off its wait there.
    await w.write(HANDED_OFF, { seq: 4 });
    await w.complete();
    assert.deepEqual(dispatched(w.fake), [], 'step 2 waits for a /promote of its own');
  });
});

test('a /promote of the handed-off rollout and its run completing start one reconcile run between them', async () => {
  await world(async (w) => {
    await w.write(HANDED_OFF, { seq: 4 });
    await w.comment('/promote production');
    assert.deepEqual(dispatched(w.fake), [RECONCILE], 'the /promote starts it');
    await w.complete();
    assert.deepEqual(dispatched(w.fake), [RECONCILE], 'the completion finds it claimed');
  });
});

test('a run that did not hand the rollout off reads no requests at its completion', async () => {
  await world(async (w) => {
    await w.write(
      { ...HANDED_OFF, owner: { kind: 'workflow', runId: String(RUN_ID + 1), runAttempt: '1' } },
      { seq: 4 },
    );
    await w.comment('/promote production');
    assert.deepEqual(dispatched(w.fake), [RECONCILE], 'the /promote of a handed-off rollout starts it');
    const reads = w.fake.requests.length;
    await w.complete();
    assert.deepEqual(dispatched(w.fake), [RECONCILE]);
    const after = w.fake.requests.slice(reads).map((r) => `${r.operationId} ${JSON.stringify(r.query)}`);
    assert.ok(
      !after.some((r) => r.startsWith('checks/list-for-suite') && r.includes('rollout')),
      `no control request read: ${after.join(', ')}`,
    );
  });
});

test('control requests that cannot be read at the completion leave the rollout to the scheduled reconcile, and the delivery succeeds', async () => {
  let failing = false;
  const channel = {
    ...githubChannel,
    readRequests: (...args: Parameters<typeof githubChannel.readRequests>) => {
      const read = githubChannel.readRequests(...args);
      return async (...poll: Parameters<typeof read>) => {
        if (failing) throw new Error('GitHub answered 502');
        return read(...poll);
      };
    },
  };
  await rolloutWorld({ config: controlConfig(), writers: ['alice'], controlChannel: channel }, async (w) => {
    await w.write(NOT_HANDED_OFF);
    await w.comment('/promote production');
    await w.write(HANDED_OFF, { seq: 4 });
    failing = true;
    await w.complete();
    assert.deepEqual(dispatched(w.fake), [], 'not read: nothing started, nothing thrown');
    failing = false;
    await w.complete();
    assert.deepEqual(
      dispatched(w.fake),
      [RECONCILE],
      "a redelivery reads them and starts the /promote's run",
    );
  });
});
