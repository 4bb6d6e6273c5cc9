// A due check that meets a GitHub error part-way reports what it did before it, and the failing request with
// its error, against the fake GitHub (which checks every request against GitHub's OpenAPI description). The
// failing request's claim is given back and it stays listed; the other environments' requests still run, and
// the identical requests of a started one are each withdrawn on their own. Before, the error was thrown out of
// the whole due check, and the outcomes of the requests already acted on (a deployment started, a duplicate
// withdrawn and its pull request told) were lost with it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runDue } from '../../app/schedule/run-due.ts';
import type { DueDeps, DueOutcome } from '../../app/schedule/run-due.ts';
import { recordRequest } from '../../app/schedule/store.ts';
import type { ScheduleApi } from '../../app/schedule/store.ts';
import { askRefName, claimRefName, scheduleRefName } from '../../app/schedule/record.ts';
import type { ScheduledRequest } from '../../app/schedule/record.ts';
import { lockRefName } from '../../app/locks.ts';
import type { FakeGitHub } from '../fake-github/index.ts';
import type { RecordedRequest } from '../fake-github/server.ts';
import { appReplies, testMarkerKeys } from './helpers.ts';
import { scheduledRequest, withDueFake } from './schedule-world.ts';

const where = { owner: 'acme', repo: 'web' };
const keys = testMarkerKeys();
const DUE = new Date('2026-12-01T09:31:00Z');

/** `/deploy <environment> --queue` by `by`, comment `n`. */
const queued = (n: number, by: string, environment = 'staging'): ScheduledRequest =>
  scheduledRequest(n, by, { environment });

interface World {
  fake: FakeGitHub;
  api: ScheduleApi;
  due: () => DueDeps;
  warned: string[];
}

async function withFake(run: (w: World) => Promise<void>, options = { swap: true }): Promise<void> {
  await withDueFake(
    { environments: ['qa', 'staging'], collaborators: ['alice', 'erin', 'bob'] },
    async (d) => {
      const warned: string[] = [];
      const due = (): DueDeps =>
        d.due({
          now: DUE,
          warn: (fields, message) => warned.push(`${message} ${JSON.stringify(fields)}`),
          // The conditional ref update a stale ask is taken over with (GraphQL), as the App has it.
          ...(options.swap ? { swap: d.swap } : {}),
        });
      await run({ fake: d.fake, api: d.api as unknown as ScheduleApi, due, warned });
    },
  );
}

/** Every request `accepts` answers a GitHub error while the returned switch is on. */
function failing(fake: FakeGitHub, accepts: (r: RecordedRequest) => boolean) {
  const state = { on: true, hits: 0 };
  fake.failNext({
    status: 500,
    times: 1000,
    where: (r) => {
      const hit = state.on && accepts(r);
      if (hit) state.hits++;
      return hit;
    },
  });
  return state;
}

/** A due check's outcomes, or the error it threw (as the old code did), as text. */
const outcomesOf = (due: DueDeps) =>
  runDue(due, where).then(
    (outcomes) => outcomes,
    (error: unknown) => `threw: ${String(error)}`,
  );
const byId = (outcomes: DueOutcome[] | string, id: string) => {
  assert.ok(Array.isArray(outcomes), String(outcomes));
  return outcomes.find((o) => o.id === id);
};
const deploymentsTo = (fake: FakeGitHub, environment: string) =>
  [...fake.repo().deployments.values()].filter((d) => d.environment === environment);
const releaseLock = (fake: FakeGitHub, environment: string) =>
  assert.ok(fake.repo().refs.delete(lockRefName({ scope: 'environment', environment }) as string));

test('one environment’s start fails: the other’s start is reported, the failing one with its error, and it stays due', async () => {
  await withFake(async (w) => {
    assert.equal(await recordRequest(w.api, where, keys, queued(2, 'alice', 'qa')), 'recorded');
    assert.equal(await recordRequest(w.api, where, keys, queued(3, 'alice', 'staging')), 'recorded');
    const github = failing(
      w.fake,
      (r) =>
        r.operationId === 'repos/create-deployment' &&
        (r.body as { environment?: string }).environment === 'qa',
    );
    const outcomes = await outcomesOf(w.due());
    assert.ok(github.hits > 0);
    const qa = byId(outcomes, 'c2');
    assert.equal(qa?.status, 'failed', JSON.stringify(outcomes));
    assert.match(qa.status === 'failed' ? qa.error : '', /./);
    assert.equal(byId(outcomes, 'c3')?.status, 'started', JSON.stringify(outcomes));
    assert.equal(deploymentsTo(w.fake, 'staging').length, 1);
    assert.ok(
      w.warned.some((l) => /acting on a scheduled deployment failed.*"request":"c2"/.test(l)),
      w.warned.join('\n'),
    );
    // It stays due, its claim given back: the next trigger starts it.
    assert.ok(w.fake.repo().refs.has(scheduleRefName('qa', 'c2')!));
    assert.ok(!w.fake.repo().refs.has(claimRefName('c2')));
    github.on = false;
    const next = await runDue(w.due(), where);
    assert.equal(byId(next, 'c2')?.status, 'started', JSON.stringify(next));
    assert.equal(deploymentsTo(w.fake, 'qa').length, 1);
  });
});

for (const swap of [true, false])
  test(`withdrawing one of a started request’s identical requests fails: the others are withdrawn and reported, the failing one with its error${swap ? '' : ' (no conditional ref update: the stale ask is not taken over)'}`, async () => {
    await withFake(
      async (w) => {
        // Three identical queued requests beside a stale ask (left by a request that ended): alice's was asked
        // first and starts; erin's and bob's are withdrawn as its duplicates.
        const gone = queued(1, 'alice');
        assert.equal(await recordRequest(w.api, where, keys, gone), 'recorded');
        w.fake.repo().refs.delete(scheduleRefName('staging', 'c1')!);
        assert.ok(w.fake.repo().refs.has(askRefName(gone)));
        for (const r of [queued(2, 'alice'), queued(3, 'erin'), queued(4, 'bob')])
          assert.equal(await recordRequest(w.api, where, keys, r), 'recorded_stale_ask');
        const github = failing(
          w.fake,
          (r) => (r.body as { ref?: string } | undefined)?.ref === 'refs/deploy-schedule-withdrawn/c4',
        );
        const outcomes = await outcomesOf(w.due());
        assert.ok(github.hits > 0);
        assert.equal(byId(outcomes, 'c2')?.status, 'started', JSON.stringify(outcomes));
        const erin = byId(outcomes, 'c3');
        assert.deepEqual(erin && { status: erin.status, code: 'code' in erin ? erin.code : '' }, {
          status: 'not_started',
          code: 'queue_duplicate',
        });
        const bob = byId(outcomes, 'c4');
        assert.equal(bob?.status, 'failed', JSON.stringify(outcomes));
        assert.ok(
          w.warned.some((l) => /withdrawing the requests identical.*c4: /.test(l)),
          w.warned.join('\n'),
        );
        assert.ok(
          !w.fake.repo().refs.has(scheduleRefName('staging', 'c3')!),
          'erin’s is withdrawn and removed',
        );
        assert.ok(
          w.fake.repo().refs.has(scheduleRefName('staging', 'c4')!),
          'bob’s stays, for the next due check',
        );
        assert.ok(!w.fake.repo().refs.has(claimRefName('c4')), 'its claim given back');

        // The next due check, once alice's deployment ended, withdraws bob's and removes alice's: one deployment.
        // Without the conditional ref update alice's started beside the stale ask, never holding it: still kept.
        github.on = false;
        releaseLock(w.fake, 'staging');
        const next = await runDue(w.due(), where);
        assert.equal(byId(next, 'c4')?.status, 'not_started', JSON.stringify(next));
        assert.equal(deploymentsTo(w.fake, 'staging').length, 1);
        const replies = appReplies(w.fake);
        assert.equal(replies.filter((r) => /^\*\*Started\*\*/.test(r)).length, 1, JSON.stringify(replies));
        assert.equal(replies.filter((r) => /`queue_duplicate`/.test(r)).length, 2, JSON.stringify(replies));
        assert.deepEqual(
          [...w.fake.repo().refs.keys()].filter((r) => r.startsWith('deploy-schedule/')),
          [],
        );
      },
      { swap },
    );
  });
