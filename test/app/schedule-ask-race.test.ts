// A due check against two requests for one deployment recorded at the same instant, against the fake GitHub.
// The due check lists once at its start; a request of the same deployment recorded after that listing may take
// the ask before the listed one reaches it. The listed one must then not start (it is a duplicate), else one
// deployment is made twice. And a duplicate withdrawn while claimed (marked ended by design) is removed later
// with an info line, not the tampering warning of a replayed ref.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Api } from '../../app/facts/github.ts';
import { runDue } from '../../app/schedule/run-due.ts';
import type { DueDeps } from '../../app/schedule/run-due.ts';
import { askHolding, listRequests, markEnded, recordRequest } from '../../app/schedule/store.ts';
import type { ScheduleApi, ScheduleList } from '../../app/schedule/store.ts';
import { askRefName, scheduleRefName } from '../../app/schedule/record.ts';
import type { ScheduledRequest } from '../../app/schedule/record.ts';
import type { FakeGitHub } from '../fake-github/index.ts';
import { HEAD, testMarkerKeys } from './helpers.ts';
import { scheduledRequest, withDueFake } from './schedule-world.ts';

const where = { owner: 'acme', repo: 'web' };
const keys = testMarkerKeys();

const asking = (n: number, by: string): ScheduledRequest => scheduledRequest(n, by);

interface World {
  fake: FakeGitHub;
  api: Api;
  deps: DueDeps;
  logged: Array<{ level: 'info' | 'warn'; message: string }>;
}

async function withFake(run: (w: World) => Promise<void>): Promise<void> {
  await withDueFake({ environments: ['staging'], collaborators: ['alice', 'erin'] }, async (d) => {
    const logged: World['logged'] = [];
    const deps = d.due({
      now: new Date('2026-12-01T09:05:00Z'),
      warn: (_fields, message) => logged.push({ level: 'warn', message }),
      info: (_fields, message) => logged.push({ level: 'info', message }),
    });
    await run({ fake: d.fake, api: d.api, deps, logged });
  });
}

/**
 * erin's request (c3) writes its ref; the due check lists then (only c3); alice's identical request (c2) is
 * recorded whole and takes the ask; c3 then finds the ask held: a duplicate. The listing the due check holds.
 */
async function raced(w: World): Promise<ScheduleList> {
  const ask = `refs/${askRefName(asking(2, 'alice'))}`;
  let refWritten!: () => void;
  const erinsRef = new Promise<void>((resolve) => (refWritten = resolve));
  let aliceRecorded!: () => void;
  const aliceDone = new Promise<void>((resolve) => (aliceRecorded = resolve));
  const api = w.api as unknown as ScheduleApi;
  const erinApi: ScheduleApi = {
    ...api,
    git: {
      ...api.git,
      createRef: async (p) => {
        if (p.ref === ask) await aliceDone;
        const answer = await api.git.createRef(p);
        if (p.ref !== ask) refWritten();
        return answer;
      },
    },
  };
  const erin = recordRequest(erinApi, where, keys, asking(3, 'erin'));
  await erinsRef;
  const listed = await listRequests(api, where, keys);
  assert.deepEqual(
    listed.requests.map((r) => r.id),
    ['c3'],
    'the due check lists before alice’s ref exists',
  );
  assert.equal(await recordRequest(api, where, keys, asking(2, 'alice')), 'recorded');
  aliceRecorded();
  const result = await erin;
  assert.equal(typeof result === 'object' && result.of.id, 'c2', 'erin’s is the duplicate');
  return listed;
}

const deployments = (fake: FakeGitHub) => [...fake.repo().deployments.values()];

test('a request whose ask was taken after the due check listed is not started: one deployment, not two', async () => {
  await withFake(async (w) => {
    const listed = await raced(w);
    // The due check, with the listing it read before alice's request was written, reaches erin's.
    const outcomes = await runDue(w.deps, where, listed);
    // The duplicate is withdrawn, not started; the queue is then decided again on a fresh listing, and the
    // one that holds the ask starts in the same pass (not at the next trigger).
    assert.deepEqual(
      outcomes.map((o) => [o.id, o.status]),
      [
        ['c3', 'not_started'],
        ['c2', 'started'],
      ],
    );
    assert.equal(
      w.fake.repo().refs.get(scheduleRefName('staging', 'c3')!),
      undefined,
      'the duplicate is removed',
    );
    assert.ok(!w.fake.repo().refs.has('deploy-schedule-claims/c3'), 'its claim is given back');
    assert.equal(deployments(w.fake).length, 1, 'one deployment, not two');
    // A later due check starts nothing more.
    const next = await runDue(w.deps, where);
    assert.ok(!next.some((o) => o.status === 'started'), JSON.stringify(next));
    assert.equal(deployments(w.fake).length, 1);
  });
});

test('a request whose ask names a request that has ended (not listed even when read again) starts: a stale ask never holds the queue', async () => {
  await withFake(async (w) => {
    const listed = await raced(w);
    // Alice's request ended and its ref is gone, its ask left behind (a crash): nobody listed holds the ask.
    w.fake.repo().refs.delete(scheduleRefName('staging', 'c2')!);
    const outcomes = await runDue(w.deps, where, listed);
    assert.deepEqual(
      outcomes.map((o) => [o.id, o.status]),
      [['c3', 'started']],
    );
    assert.equal(deployments(w.fake).length, 1);
    assert.ok(
      w.logged.some((l) => l.level === 'info' && /held by a request that has ended/.test(l.message)),
      JSON.stringify(w.logged),
    );
  });
});

test('two listed requests under one stale ask: the first asked starts, the other is its duplicate (one deployment)', async () => {
  await withFake(async (w) => {
    const listed = await raced(w);
    // The ask now names a tag no listed request has (its request ended; a crash left the ask): both c2 and c3
    // are listed, neither holds it.
    const ask = askRefName(asking(2, 'alice'));
    w.fake.repo().refs.set(ask, w.fake.repo().refs.get(scheduleRefName('staging', 'c2')!)!.replace(/./, 'f'));
    void listed;
    // Every caller, on any replica, picks the same one to stand: the first asked (then the lower id).
    const api = w.api as unknown as ScheduleApi;
    const fresh = await listRequests(api, where, keys);
    const erin = await askHolding(api, where, keys, asking(3, 'erin'), fresh);
    assert.equal(erin.status === 'other' && erin.holder.id, 'c2', JSON.stringify(erin));
    assert.equal((await askHolding(api, where, keys, asking(2, 'alice'), fresh)).status, 'stale');
    const outcomes = await runDue(w.deps, where);
    const started = outcomes.filter((o) => o.status === 'started').map((o) => o.id);
    assert.deepEqual(started, ['c2'], JSON.stringify(outcomes));
    assert.equal(deployments(w.fake).length, 1);
  });
});

test('a duplicate withdrawn while claimed is removed later with an info line; a replayed ref is still warned about', async () => {
  await withFake(async (w) => {
    const listed = await raced(w);
    // Its comment could not remove it (claimed elsewhere): marked ended as a duplicate, left listed. Alice's
    // request is cancelled (marked ended), yet its ref is there (put back by someone).
    await markEnded(w.api as never, where, asking(3, 'erin'), 'queue_duplicate');
    await markEnded(w.api as never, where, asking(2, 'alice'), 'queue_cancelled');
    const outcomes = await runDue(w.deps, where, listed);
    assert.deepEqual(
      outcomes.map((o) => [o.id, o.status]),
      [
        ['c3', 'replayed'],
        ['c2', 'replayed'],
      ],
    );
    // The withdrawn duplicate: an info line, no tampering warning; the replayed ref: warned about.
    assert.deepEqual(
      w.logged.map((l) => l.level),
      ['info', 'warn'],
    );
    assert.match(w.logged[0]!.message, /withdrawn duplicate/);
    assert.match(w.logged[1]!.message, /already ended is back/);
    assert.ok(!w.fake.repo().refs.has(scheduleRefName('staging', 'c3')!), 'removed');
    assert.equal(deployments(w.fake).length, 0);
  });
});

test('a ref the App did not write is warned about once per trigger, not once per pass', async () => {
  await withFake(async (w) => {
    w.fake.repo().refs.set(scheduleRefName('staging', 'c9')!, HEAD);
    const listed = await raced(w);
    // The withdrawn duplicate at the head of the due check's listing makes it decide again (a second pass).
    await markEnded(w.api as never, where, asking(3, 'erin'), 'queue_duplicate');
    const outcomes = await runDue(w.deps, where, listed);
    assert.ok(
      outcomes.some((o) => o.id === 'c2' && o.status === 'started'),
      JSON.stringify(outcomes),
    );
    const tampering = w.logged.filter((l) => /did not write/.test(l.message));
    assert.equal(tampering.length, 1, JSON.stringify(w.logged));
  });
});
