// Writes of one status comment (app/handlers/status-comment-lanes.ts): one in flight, only the newest waiting
// one kept, nothing older than what was written, and no state lost; then through the App against the fake
// GitHub, with writes slowed as GitHub's write throttling slows them: a burst of statuses ends in the newest
// state with fewer writes, and a late, older delivery never overwrites a newer state.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Probot } from 'probot';
import type { FakeGitHub } from '../fake-github/index.ts';
import { webhookPayload } from '../fake-github/index.ts';
import { StatusCommentLanes, compareOrder } from '../../app/handlers/status-comment-lanes.ts';
import type { LaneResult, StatusOrder } from '../../app/handlers/status-comment-lanes.ts';
import { parseStatusComment, renderStatusComment } from '../../src/github/status-comment.ts';
import { HEAD, PR, TestOctokit, owner, repo, seededFake, testApp, testProbot } from './helpers.ts';

const at = (second: number, deploymentId = 1, statusId = second): StatusOrder => ({
  deploymentId,
  at: `2030-01-01T00:00:${String(second).padStart(2, '0')}Z`,
  statusId,
});

/** A write that waits until released, and records the order it was started in. */
function gate(): {
  started: StatusOrder[];
  write: (order: StatusOrder, wrote?: boolean) => () => Promise<{ wrote: boolean; result: StatusOrder }>;
  release: (error?: Error) => void;
} {
  const started: StatusOrder[] = [];
  const releases: Array<(error?: Error) => void> = [];
  return {
    started,
    write:
      (order, wrote = true) =>
      () => {
        started.push(order);
        return new Promise((resolve, reject) =>
          releases.push((error) => (error ? reject(error) : resolve({ wrote, result: order }))),
        );
      },
    release: (error) => {
      const next = releases.shift();
      assert.ok(next, 'no write in flight to release');
      next(error);
    },
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

test('compareOrder: the deployment first, then the time (not the text), then the status id', () => {
  assert.ok(compareOrder(at(1, 2), at(9, 1)) > 0, 'a newer deployment is newer whatever its time');
  assert.ok(compareOrder(at(1), at(2)) < 0);
  assert.ok(compareOrder(at(5, 1, 10), at(5, 1, 11)) < 0, 'the same second: the later status id');
  assert.equal(compareOrder(at(5), at(5)), 0);
  assert.equal(
    compareOrder(
      { deploymentId: 1, at: '2030-01-01T00:00:05Z', statusId: 3 },
      { deploymentId: 1, at: '2030-01-01T00:00:05.000+00:00', statusId: 3 },
    ),
    0,
  );
});

test(
  'a burst: the first is written at once, the waiting ones collapse to the newest, which is written next',
  { timeout: 5_000 },
  async () => {
    const lanes = new StatusCommentLanes();
    const g = gate();
    const results: Array<Promise<LaneResult<StatusOrder>>> = [];
    for (const second of [1, 2, 3, 4]) results.push(lanes.submit('c', at(second), g.write(at(second))));
    await tick();
    assert.deepEqual(g.started, [at(1)]);
    // 2 and 3 are answered as soon as something newer waits in their place.
    assert.deepEqual(await results[1], { status: 'superseded', by: at(3) });
    assert.deepEqual(await results[2], { status: 'superseded', by: at(4) });
    g.release();
    assert.deepEqual(await results[0], { status: 'done', result: at(1) });
    await tick();
    assert.deepEqual(g.started, [at(1), at(4)]);
    g.release();
    assert.deepEqual(await results[3], { status: 'done', result: at(4) });
  },
);

test(
  'out of order: an older status never waits in place of a newer one, and is dropped once a newer is written',
  { timeout: 5_000 },
  async () => {
    const lanes = new StatusCommentLanes();
    const g = gate();
    const first = lanes.submit('c', at(5), g.write(at(5)));
    const newer = lanes.submit('c', at(9), g.write(at(9)));
    const older = lanes.submit('c', at(7), g.write(at(7)));
    assert.deepEqual(await older, { status: 'superseded', by: at(9) });
    g.release();
    await first;
    await tick();
    g.release();
    await newer;
    // Delivered late (or redelivered): older than what was written, so no write at all.
    assert.deepEqual(await lanes.submit('c', at(6), g.write(at(6))), { status: 'stale', newest: at(9) });
    assert.deepEqual(await lanes.submit('c', at(1, 1), g.write(at(1, 1))), {
      status: 'stale',
      newest: at(9),
    });
    assert.deepEqual(g.started, [at(5), at(9)]);
    // The same status again (a redelivery) is written again; a newer deployment's status is newer.
    const again = lanes.submit('c', at(9), g.write(at(9)));
    await tick();
    g.release();
    assert.equal((await again).status, 'done');
    const next = lanes.submit('c', at(0, 2), g.write(at(0, 2)));
    await tick();
    g.release();
    assert.equal((await next).status, 'done');
    assert.deepEqual(g.started, [at(5), at(9), at(9), at(0, 2)]);
  },
);

test(
  'an older status waiting behind a newer write is written only if that write failed',
  { timeout: 5_000 },
  async () => {
    const lanes = new StatusCommentLanes();
    const g = gate();
    const newest = lanes.submit('c', at(9), g.write(at(9)));
    const older = lanes.submit('c', at(5), g.write(at(5)));
    g.release();
    await newest;
    assert.deepEqual(await older, { status: 'stale', newest: at(9) });

    const failing = lanes.submit('d', at(9), g.write(at(9)));
    const behind = lanes.submit('d', at(5), g.write(at(5)));
    g.release(new Error('GitHub said 502'));
    await assert.rejects(failing, /502/);
    await tick();
    g.release();
    // The failed delivery fails (GitHub shows it, it can be redelivered); what waited is still written.
    assert.deepEqual(await behind, { status: 'done', result: at(5) });
  },
);

test(
  'a write that wrote nothing (it read a newer state) does not count as written',
  { timeout: 5_000 },
  async () => {
    const lanes = new StatusCommentLanes();
    const g = gate();
    const read = lanes.submit('c', at(9), g.write(at(9), false));
    await tick();
    g.release();
    await read;
    const later = lanes.submit('c', at(5), g.write(at(5)));
    await tick();
    g.release();
    assert.equal((await later).status, 'done');
  },
);

test(
  'comments are independent, and only a bounded number of idle ones is remembered',
  { timeout: 5_000 },
  async () => {
    const lanes = new StatusCommentLanes(2);
    const g = gate();
    const a = lanes.submit('a', at(1), g.write(at(1)));
    const b = lanes.submit('b', at(1), g.write(at(1)));
    await tick();
    assert.equal(g.started.length, 2, 'two comments are written at the same time');
    g.release();
    g.release();
    await Promise.all([a, b]);
    await lanes.submit('c', at(1), async () => ({ wrote: true, result: at(1) }));
    assert.equal(lanes.size, 2);
    // 'a' (the least recently used) was forgotten: an older status for it is written again.
    assert.equal(
      (await lanes.submit('a', at(0), async () => ({ wrote: true, result: at(0) }))).status,
      'done',
    );
    assert.throws(() => new StatusCommentLanes(0), /max must be a positive integer/);
    assert.equal(
      StatusCommentLanes.key({ owner: 'Acme', repo: 'Web' }, 5),
      StatusCommentLanes.key({ owner: 'acme', repo: 'web' }, 5),
    );
  },
);

// ---- through the App ----------------------------------------------------------------------------------

const APP_BOT = 'deploy-action[bot]';
const ENV = 'production';

/** Writes take 400 ms, as GitHub's write throttling (a second apart) makes them wait in production. */
const SlowWrites = TestOctokit.plugin((octokit) => {
  octokit.hook.before('request', async (options) => {
    if (options.method === 'PATCH') await new Promise((resolve) => setTimeout(resolve, 400));
  });
});

async function withSlowApp(run: (fake: FakeGitHub, probot: Probot) => Promise<void>): Promise<void> {
  const fake = await seededFake();
  try {
    const probot = testProbot(fake, undefined, SlowWrites);
    await probot.load(testApp());
    await run(fake, probot);
    fake.assertNoViolations();
  } finally {
    await fake.stop();
  }
}

function status(fake: FakeGitHub, commentId: number, state: string, second: number, statusId: number) {
  return {
    id: crypto.randomUUID(),
    name: 'deployment_status',
    payload: webhookPayload(
      'deployment_status',
      'created',
      {
        deployment: {
          id: 600,
          sha: HEAD,
          environment: ENV,
          payload: { pr: PR, comment_id: commentId, version: 'v2' },
          creator: { login: APP_BOT, type: 'Bot' },
        },
        repository: { default_branch: 'main' },
        deployment_status: {
          id: statusId,
          // The run's (the workflow token's); only queued and in-progress here, so no lock requests.
          creator: { login: 'github-actions[bot]', type: 'Bot' },
          state,
          environment: ENV,
          description: `production: ${state}`,
          created_at: `2030-01-01T00:00:${String(second).padStart(2, '0')}Z`,
        },
      },
      { owner, repo, baseUrl: fake.url, installationId: fake.state.installationId },
    ),
  } as never;
}

/** The App's status comment for ENV on the PR, queued at the start of 2030; its id. */
const queuedComment = (fake: FakeGitHub): number =>
  fake.addComment(PR, {
    user: APP_BOT,
    body: renderStatusComment({
      environment: ENV,
      state: 'queued',
      sha: HEAD,
      updatedAt: '2030-01-01T00:00:00Z',
    }),
  }).id as number;

const shown = (fake: FakeGitHub, id: number) =>
  parseStatusComment(String(fake.repo().comments.get(id)!.body), ENV);

test(
  'through the App: a burst of statuses for one comment ends in the newest, with fewer writes than statuses',
  { timeout: 20_000 },
  async () => {
    await withSlowApp(async (fake, probot) => {
      const id = queuedComment(fake);
      // Warm: the bot login and the installation token, so the burst below is only the statuses.
      await probot.receive(status(fake, id, 'queued', 1, 1001));
      const before = fake.requestsFor('issues/update-comment').length;
      const states = ['in_progress', 'in_progress', 'in_progress', 'queued', 'in_progress'];
      await Promise.all(states.map((state, i) => probot.receive(status(fake, id, state, 2 + i, 1002 + i))));
      const writes = fake.requestsFor('issues/update-comment').slice(before);
      assert.ok(writes.length <= 2, `${writes.length} writes for ${states.length} statuses`);
      assert.equal(shown(fake, id)?.updatedAt, '2030-01-01T00:00:06Z', 'the newest status is shown');
      assert.equal(shown(fake, id)?.state, 'in_progress');
      // The last write is the newest status: nothing older was written after it.
      assert.match(String((writes.at(-1)!.body as { body: string }).body), /2030-01-01T00:00:06Z/);
    });
  },
);

test(
  'through the App: a status delivered late, or redelivered, never overwrites a newer one this process wrote',
  { timeout: 20_000 },
  async () => {
    await withSlowApp(async (fake, probot) => {
      const id = queuedComment(fake);
      await probot.receive(status(fake, id, 'in_progress', 9, 2009));
      const before = fake.requestsFor('issues/update-comment').length;
      const late = status(fake, id, 'queued', 3, 2003);
      await probot.receive(late);
      await probot.receive(late);
      assert.equal(fake.requestsFor('issues/update-comment').length, before, 'no write for an older status');
      assert.equal(shown(fake, id)?.updatedAt, '2030-01-01T00:00:09Z');
      // Concurrently: whichever order they reach the lane in, the newer one is what stays.
      await Promise.all([
        probot.receive(status(fake, id, 'queued', 20, 2020)),
        probot.receive(status(fake, id, 'in_progress', 21, 2021)),
        probot.receive(status(fake, id, 'queued', 19, 2019)),
      ]);
      assert.equal(shown(fake, id)?.updatedAt, '2030-01-01T00:00:21Z');
      assert.equal(shown(fake, id)?.state, 'in_progress');
    });
  },
);
