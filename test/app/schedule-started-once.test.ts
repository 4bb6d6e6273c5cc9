// A scheduled or queued request that started is told "Started" once and marked ended once, whatever fails after
// its deployment was created, against the fake GitHub (which checks every request against GitHub's OpenAPI
// description). A due check that fails there gives its claim back; the next one finds the request's deployment
// (its /deploy comment's key, made by the App) and does not decide it again: it posts the "Started" reply only
// if the App's comments do not hold it yet (its signed marker), then marks and removes it. Before, the next due
// check decided it again: a scheduled one was dropped as locked by its own deployment ("Not started" for what
// had started), a queued one waited for its own deployment to end and then said "Started" a second time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Api } from '../../app/facts/github.ts';
import { runDue } from '../../app/schedule/run-due.ts';
import type { DueDeps, DueOutcome } from '../../app/schedule/run-due.ts';
import { recordRequest } from '../../app/schedule/store.ts';
import { cancelDeploy } from '../../app/schedule/commands.ts';
import { loadConfig } from '../../app/facts/config.ts';
import { readPull } from '../../app/facts/pull-request.ts';
import type { ScheduleApi } from '../../app/schedule/store.ts';
import { scheduleRefName } from '../../app/schedule/record.ts';
import type { ScheduledRequest } from '../../app/schedule/record.ts';
import { lockRefName } from '../../app/locks.ts';
import type { FakeGitHub } from '../fake-github/index.ts';
import type { RecordedRequest } from '../fake-github/server.ts';
import { appReplies, BOT_LOGIN, PR, testMarkerKeys } from './helpers.ts';
import { CANCEL_WRITTEN_LAST, scheduledRequest, withDueFake } from './schedule-world.ts';

const where = { owner: 'acme', repo: 'web' };
const keys = testMarkerKeys();
const DUE = new Date('2026-12-01T09:31:00Z');

/** alice's `/deploy staging at 2026-12-01 09:30 UTC` (or `--queue`), comment 2. */
const asking = (mode: 'at' | 'queue'): ScheduledRequest => scheduledRequest(2, 'alice', { mode });

interface World {
  fake: FakeGitHub;
  api: Api;
  due: () => DueDeps;
  logged: string[];
}

async function withRequest(mode: 'at' | 'queue', run: (w: World) => Promise<void>): Promise<void> {
  await withDueFake({ environments: ['staging'], collaborators: ['alice'] }, async (d) => {
    assert.equal(await recordRequest(d.api as unknown as ScheduleApi, where, keys, asking(mode)), 'recorded');
    const logged: string[] = [];
    const due = (): DueDeps =>
      d.due({
        now: DUE,
        warn: (_fields, message) => logged.push(message),
        info: (_fields, message) => logged.push(message),
      });
    await run({ fake: d.fake, api: d.api, due, logged });
  });
}

/** Every request `accepts` answers a GitHub error while the returned switch is on. */
function failing(fake: FakeGitHub, accepts: (r: RecordedRequest) => boolean, afterWrite = false) {
  const state = { on: true, hits: 0 };
  fake.failNext({
    status: 500,
    times: 1000,
    ...(afterWrite ? { afterWrite } : {}),
    where: (r) => {
      const hit = state.on && accepts(r);
      if (hit) state.hits++;
      return hit;
    },
  });
  return state;
}

const isEndMark = (r: RecordedRequest) =>
  r.operationId === 'checks/create' && (r.body as { name?: string }).name === 'deploy schedule: c2';
const isStartedReply = (r: RecordedRequest) =>
  r.operationId === 'issues/create-comment' &&
  /^\*\*Started\*\*/.test(String((r.body as { body?: string }).body));
const endMarks = (fake: FakeGitHub) =>
  fake.requestsFor('checks/create').filter((r) => isEndMark(r) && r.status === 201);
const said = (fake: FakeGitHub, what: RegExp) => appReplies(fake).filter((r) => what.test(r));
const releaseLock = (fake: FakeGitHub) =>
  assert.ok(fake.repo().refs.delete(lockRefName({ scope: 'environment', environment: 'staging' }) as string));
const failedPass = (due: DueDeps) =>
  runDue(due, where).then(
    (outcomes) => outcomes,
    (error: unknown) => String(error),
  );

/** The request started once, told once, marked ended once as started, and removed. */
function startedOnce(w: World, outcomes: unknown): void {
  const deployments = [...w.fake.repo().deployments.values()];
  assert.equal(deployments.length, 1, JSON.stringify(outcomes));
  assert.equal(said(w.fake, /^\*\*Started\*\*/).length, 1, JSON.stringify(appReplies(w.fake)));
  assert.deepEqual(said(w.fake, /Not started/), [], 'never told it did not start');
  assert.equal(endMarks(w.fake).length, 1, 'marked ended once');
  assert.match(
    String((endMarks(w.fake)[0]!.body as { output: { title: string } }).output.title),
    /ended: (schedule|queue)_started$/,
  );
  assert.ok(!w.fake.repo().refs.has(scheduleRefName('staging', 'c2')!), 'removed');
  const started = (outcomes as DueOutcome[]).find((o) => o.id === 'c2');
  assert.equal(started?.status, 'started', JSON.stringify(outcomes));
  assert.equal(started.status === 'started' && started.deploymentId, deployments[0]!.id);
}

for (const mode of ['at', 'queue'] as const)
  test(`${mode}: its end mark fails after "Started": the next due check marks it, and says "Started" no more`, async () => {
    await withRequest(mode, async (w) => {
      const github = failing(w.fake, isEndMark);
      const first = await failedPass(w.due());
      assert.ok(github.hits > 0, JSON.stringify(first));
      assert.equal(endMarks(w.fake).length, 0);
      github.on = false;
      // A queued request's next due check comes once its lock is free (its deployment ended); a scheduled one
      // is looked at again on the next trigger, its deployment's lock still held.
      if (mode === 'queue') releaseLock(w.fake);
      const next = await runDue(w.due(), where);
      startedOnce(w, next);
      assert.deepEqual(await runDue(w.due(), where), [], 'nothing left to do');
    });
  });

test('its "Started" reply fails: the next due check posts it, once, and marks it', async () => {
  await withRequest('at', async (w) => {
    const github = failing(w.fake, isStartedReply);
    const first = await failedPass(w.due());
    assert.ok(github.hits > 0, JSON.stringify(first));
    assert.equal(said(w.fake, /^\*\*Started\*\*/).length, 0);
    github.on = false;
    startedOnce(w, await runDue(w.due(), where));
  });
});

test('its "Started" reply lands but its answer is lost: the next due check finds it and does not post it again', async () => {
  await withRequest('at', async (w) => {
    const github = failing(w.fake, isStartedReply, true);
    await failedPass(w.due());
    assert.ok(github.hits > 0);
    github.on = false;
    startedOnce(w, await runDue(w.due(), where));
  });
});

test('a /cancel-deploy after its end mark failed leaves it: it started; the next due check tells it once', async () => {
  await withRequest('queue', async (w) => {
    const github = failing(w.fake, isEndMark);
    await failedPass(w.due());
    assert.ok(github.hits > 0);
    github.on = false;
    const [pr, config] = await Promise.all([readPull(w.api, where, PR), loadConfig(w.api, where)]);
    const reply = await cancelDeploy(
      {
        api: w.api,
        now: () => DUE,
        markers: w.due().markers,
        appId: w.fake.state.appId,
        botLogin: BOT_LOGIN,
      },
      { where, pr, config, login: 'alice', environment: 'staging', commentId: CANCEL_WRITTEN_LAST },
    );
    assert.match(
      reply.body ?? '',
      /\*\*Not cancelled\*\* \(`already_ended`\): the deployment of .* has already started \(deployment \*\*\\#\u200D\d+\*\*\)/,
    );
    assert.equal(endMarks(w.fake).length, 0, 'not marked cancelled');
    assert.ok(w.fake.repo().refs.has(scheduleRefName('staging', 'c2')!), 'still listed, for the due check');
    assert.ok(!w.fake.repo().refs.has('deploy-schedule-claims/c2'), 'its claim given back');
    releaseLock(w.fake);
    startedOnce(w, await runDue(w.due(), where));
  });
});
