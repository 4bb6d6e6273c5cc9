// A claim left on a scheduled or queued request, against the fake GitHub (which checks every request against
// GitHub's OpenAPI description). Before a start or a cancel the request is claimed (store.ts claimRequest); a
// claim whose holder died (a replica, a Lambda invocation) or whose removal GitHub refused used to stay: every
// later due check skipped the request, the queue behind it never moved, and /cancel-deploy answered
// `already_starting` forever. Now the claim points at a tag of the App's saying since when, and one 15 minutes
// old (or not the App's at all) is taken over with the conditional ref update, one taker of several at once;
// the taker never starts the request twice (its deployment is looked for by its de-duplication key first).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Api } from '../../app/facts/github.ts';
import { runDue } from '../../app/schedule/run-due.ts';
import type { DueDeps, DueOutcome } from '../../app/schedule/run-due.ts';
import {
  claimRequest,
  recordRequest,
  releaseClaim,
  SCHEDULE_CLAIM_STALE_MS,
} from '../../app/schedule/store.ts';
import type { ScheduleApi, SwapRef } from '../../app/schedule/store.ts';
import { cancelDeploy } from '../../app/schedule/commands.ts';
import { claimRefName, scheduleRefName } from '../../app/schedule/record.ts';
import type { ScheduledRequest } from '../../app/schedule/record.ts';
import { claimMessage } from '../../app/facts/claim-ref.ts';
import { loadConfig } from '../../app/facts/config.ts';
import { readPull } from '../../app/facts/pull-request.ts';
import { lockRefName } from '../../app/locks.ts';
import type { FakeGitHub } from '../fake-github/index.ts';
import { repoNodeId } from '../fake-github/state.ts';
import { appReplies, BOT_LOGIN, HEAD, PR, testMarkerKeys } from './helpers.ts';
import { ASKED, CANCEL_WRITTEN_LAST, scheduledRequest, withDueFake } from './schedule-world.ts';

const where = { owner: 'acme', repo: 'web' };
const keys = testMarkerKeys();
/** When the holder that died claimed the first request. */
const CLAIMED = new Date('2026-12-01T09:10:00Z');
const minutes = (n: number): Date => new Date(CLAIMED.getTime() + n * 60_000);

/** A queued request of comment `n` by `by` to staging, `version` its parameter, asked `n` seconds after ASKED. */
const asking = (n: number, by: string, version: string): ScheduledRequest =>
  scheduledRequest(n, by, { params: { version }, requestedAt: new Date(ASKED.getTime() + n * 1000) });
/** The queue: alice's request first, erin's (another deployment) behind it. */
const FIRST = asking(2, 'alice', '3');
const BEHIND = asking(3, 'erin', '4');

interface World {
  fake: FakeGitHub;
  api: Api;
  swap: SwapRef;
  graphql: (query: string, variables: Record<string, unknown>) => Promise<unknown>;
  /** A due check at `now`, with the conditional update unless `swap` is false; `over` its Octokit calls. */
  due: (now: Date, options?: { swap?: SwapRef | false; api?: Api }) => DueDeps;
  /** The due checks' warnings. */
  warned: string[];
}

async function withQueue(run: (w: World) => Promise<void>): Promise<void> {
  await withDueFake({ environments: ['staging'], collaborators: ['alice', 'erin'] }, async (d) => {
    for (const r of [FIRST, BEHIND])
      assert.equal(await recordRequest(d.api as unknown as ScheduleApi, where, keys, r, d.swap), 'recorded');
    const warned: string[] = [];
    const due = (now: Date, options: { swap?: SwapRef | false; api?: Api } = {}): DueDeps =>
      d.due({
        now,
        warn: (fields, message) => warned.push(`${message} ${JSON.stringify(fields)}`),
        ...(options.api ? { api: options.api } : {}),
        ...(options.swap === false ? {} : { swap: options.swap ?? d.swap }),
      });
    await run({ fake: d.fake, api: d.api, swap: d.swap, graphql: d.graphql, due, warned });
  });
}

const store = (w: World): ScheduleApi => w.api as unknown as ScheduleApi;
const deployments = (fake: FakeGitHub) => [...fake.repo().deployments.values()];
const deployed = (fake: FakeGitHub): string[] =>
  deployments(fake).map((d) => String((d.payload as { dedupe_key?: string }).dedupe_key));
const listed = (fake: FakeGitHub, r: ScheduledRequest) =>
  fake.repo().refs.has(scheduleRefName('staging', r.id)!);
const statusOf = (outcomes: DueOutcome[], r: ScheduledRequest) => outcomes.find((o) => o.id === r.id)?.status;
const releaseLock = (fake: FakeGitHub) =>
  assert.ok(fake.repo().refs.delete(lockRefName({ scope: 'environment', environment: 'staging' }) as string));

/** A replica claims `request` at `at` and dies before it starts it or gives the claim back. */
const diedHolding = async (w: World, request: ScheduledRequest, at: Date) =>
  assert.equal(await claimRequest(store(w), where, request, { keys, now: () => at, swap: w.swap }), true);

test('a claim left by a holder that died is taken over once 15 minutes old, and the queue behind it moves on', async () => {
  await withQueue(async (w) => {
    await diedHolding(w, FIRST, CLAIMED);
    // Younger than the bound: its holder may still be starting it; nothing starts, the queue waits behind it.
    const young = await runDue(w.due(minutes(SCHEDULE_CLAIM_STALE_MS / 60_000 - 1)), where);
    assert.equal(statusOf(young, FIRST), 'claimed_elsewhere', JSON.stringify(young));
    assert.deepEqual(deployments(w.fake), []);
    // Without the conditional update it is never taken over, however old (a delete then a create would let
    // two callers both hold it): as before.
    const unswapped = await runDue(w.due(minutes(60), { swap: false }), where);
    assert.equal(statusOf(unswapped, FIRST), 'claimed_elsewhere', JSON.stringify(unswapped));
    assert.deepEqual(deployments(w.fake), []);
    // 15 minutes old: taken over, started, removed; its claim goes with it.
    const stale = await runDue(w.due(minutes(SCHEDULE_CLAIM_STALE_MS / 60_000)), where);
    assert.equal(statusOf(stale, FIRST), 'started', JSON.stringify(stale));
    assert.equal(deployments(w.fake).length, 1);
    assert.ok(!listed(w.fake, FIRST), 'removed');
    assert.ok(!w.fake.repo().refs.has(claimRefName(FIRST.id)), 'its claim removed');
    assert.deepEqual(
      w.warned.filter((m) => /taken over/.test(m)),
      [
        `a claim on a scheduled deployment was left behind (its holder died mid-start, or GitHub refused its removal): taken over {"repository":"acme/web","request":"c2","environment":"staging","claim":"stale","since":"${CLAIMED.toISOString()}"}`,
      ],
    );
    // The deployment ends: the one behind it starts.
    releaseLock(w.fake);
    const next = await runDue(w.due(minutes(30)), where);
    assert.equal(statusOf(next, BEHIND), 'started', JSON.stringify(next));
    assert.equal(deployments(w.fake).length, 2);
    assert.equal(new Set(deployed(w.fake)).size, 2, 'each request deployed once');
  });
});

test('the holder that died had created the deployment: the taker does not start it again, tells it once and removes it', async () => {
  await withQueue(async (w) => {
    // A due check creates the deployment, then GitHub fails every request (its "Started" reply, its end mark,
    // the removal of its claim): it stops there, its claim left behind.
    const down = { on: true };
    w.fake.failNext({ status: 500, times: 10_000, where: () => down.on && deployments(w.fake).length > 0 });
    const first = await runDue(w.due(CLAIMED), where);
    down.on = false;
    assert.equal(statusOf(first, FIRST), 'failed', JSON.stringify(first));
    assert.equal(deployments(w.fake).length, 1);
    assert.ok(w.fake.repo().refs.has(claimRefName(FIRST.id)), 'its claim was left behind');
    assert.deepEqual(appReplies(w.fake), [], 'nobody told yet');
    // A queued request waits while its environment is locked (here by its own deployment): looked at once that
    // deployment ends.
    releaseLock(w.fake);
    const young = await runDue(w.due(minutes(SCHEDULE_CLAIM_STALE_MS / 60_000 - 1)), where);
    assert.equal(statusOf(young, FIRST), 'claimed_elsewhere', JSON.stringify(young));
    // Taken over: its deployment is found by its de-duplication key before anything is decided, so it is not
    // started again: told "Started" once, marked ended and removed.
    const stale = await runDue(w.due(minutes(SCHEDULE_CLAIM_STALE_MS / 60_000)), where);
    const started = stale.find((o) => o.id === FIRST.id);
    assert.equal(started?.status, 'started', JSON.stringify(stale));
    assert.deepEqual(
      deployed(w.fake).filter((k) => k === 'comment:2'),
      ['comment:2'],
      'one deployment of it, not two',
    );
    assert.equal(started.status === 'started' && started.deploymentId, deployments(w.fake)[0]!.id);
    // The queue behind it moves on in the same due check (its lock was free).
    assert.equal(statusOf(stale, BEHIND), 'started', JSON.stringify(stale));
    const startedReplies = appReplies(w.fake).filter((r) => /^\*\*Started\*\*/.test(r));
    assert.equal(startedReplies.filter((r) => r.includes('@alice')).length, 1, 'its start told once');
    assert.deepEqual(
      appReplies(w.fake).filter((r) => /Not started/.test(r)),
      [],
      'never told it did not start',
    );
    assert.ok(!listed(w.fake, FIRST), 'removed');
    assert.ok(!w.fake.repo().refs.has(claimRefName(FIRST.id)), 'its claim removed');
  });
});

test('two due checks taking over one stale claim at the same instant: one holds it, and the request starts once', async () => {
  await withQueue(async (w) => {
    await diedHolding(w, FIRST, CLAIMED);
    // Both have read the stale claim before either moves it: each swap of the claim waits for the other's.
    let arrived = 0;
    let both!: () => void;
    const met = new Promise<void>((resolve) => (both = resolve));
    const racing: SwapRef = async (ref, before, after) => {
      if (ref === `refs/${claimRefName(FIRST.id)}` && !/^0+$/.test(after) && arrived < 2) {
        if (++arrived === 2) both();
        await met;
      }
      return w.swap(ref, before, after);
    };
    const at = minutes(SCHEDULE_CLAIM_STALE_MS / 60_000);
    const outcomes = await Promise.all([
      runDue(w.due(at, { swap: racing }), where),
      runDue(w.due(at, { swap: racing }), where),
    ]);
    assert.equal(arrived, 2, 'both took it for stale');
    assert.equal(deployments(w.fake).length, 1, JSON.stringify(outcomes));
    assert.deepEqual(outcomes.map((o) => statusOf(o, FIRST)).sort(), ['claimed_elsewhere', 'started']);
    assert.equal(appReplies(w.fake).filter((r) => /^\*\*Started\*\*/.test(r)).length, 1, 'told once');
  });
});

for (const forged of ['a tag without the App’s marker', 'the App’s claim tag of another request'] as const)
  test(`a fresh claim that is not the App's (${forged}) is taken over at once`, async () => {
    await withQueue(async (w) => {
      const ref = claimRefName(FIRST.id);
      const message =
        forged === 'a tag without the App’s marker'
          ? `deploy-schedule claim ${ref} since ${CLAIMED.toISOString()}\n`
          : claimMessage(claimRefName('c9'), CLAIMED, { keys, repository: 'acme/web' });
      const tag = await w.api.git.createTag({
        ...where,
        tag: 'claim',
        message,
        object: HEAD,
        type: 'commit',
      });
      await w.api.git.createRef({ ...where, ref: `refs/${ref}`, sha: tag.data.sha });
      const outcomes = await runDue(w.due(minutes(1)), where);
      assert.equal(statusOf(outcomes, FIRST), 'started', JSON.stringify(outcomes));
      assert.equal(deployments(w.fake).length, 1);
      assert.equal(
        w.warned.filter((m) => /^a claim on a scheduled deployment that is not the App’s/.test(m)).length,
        1,
        JSON.stringify(w.warned),
      );
    });
  });

test('a claim of the version before (a ref straight at the commit) is not taken over at once: it ages from when it is first found', async () => {
  await withQueue(async (w) => {
    // A replica of the older version claimed it and died (or is starting it at this moment: a rolling upgrade).
    w.fake.repo().refs.set(claimRefName(FIRST.id), HEAD);
    const found = await runDue(w.due(minutes(0)), where);
    assert.equal(statusOf(found, FIRST), 'claimed_elsewhere', JSON.stringify(found));
    const moved = w.fake.repo().refs.get(claimRefName(FIRST.id));
    assert.notEqual(moved, HEAD, 'now a claim of the App’s dated when it was found');
    const later = await runDue(w.due(minutes(SCHEDULE_CLAIM_STALE_MS / 60_000 - 1)), where);
    assert.equal(statusOf(later, FIRST), 'claimed_elsewhere', JSON.stringify(later));
    assert.deepEqual(deployments(w.fake), []);
    const stale = await runDue(w.due(minutes(SCHEDULE_CLAIM_STALE_MS / 60_000)), where);
    assert.equal(statusOf(stale, FIRST), 'started', JSON.stringify(stale));
    assert.equal(deployments(w.fake).length, 1);
  });
});

test('/cancel-deploy takes over a stale claim and cancels; a fresh one is still `already_starting`', async () => {
  await withQueue(async (w) => {
    await diedHolding(w, FIRST, CLAIMED);
    const cancel = async (now: Date) => {
      const [pr, config] = await Promise.all([readPull(w.api, where, PR), loadConfig(w.api, where)]);
      return cancelDeploy(
        {
          api: w.api,
          now: () => now,
          markers: { keys, warn: () => undefined },
          appId: w.fake.state.appId,
          botLogin: BOT_LOGIN,
          graphql: w.graphql,
        },
        {
          where,
          pr,
          config,
          login: 'alice',
          environment: 'staging',
          commentId: CANCEL_WRITTEN_LAST,
          repositoryNodeId: repoNodeId(where.owner, where.repo),
        },
      );
    };
    const fresh = await cancel(minutes(5));
    assert.match(fresh.body ?? '', /`already_starting`/);
    assert.ok(listed(w.fake, FIRST));
    const stale = await cancel(minutes(SCHEDULE_CLAIM_STALE_MS / 60_000));
    assert.match(stale.body ?? '', /\*\*Cancelled\*\* \(`queue_cancelled`\)/);
    assert.doesNotMatch(stale.body ?? '', /already_starting/);
    assert.ok(!listed(w.fake, FIRST), 'removed');
    assert.ok(!w.fake.repo().refs.has(claimRefName(FIRST.id)), 'and its claim');
  });
});

test('a holder that outlived the bound gives back only its own claim, never its taker’s', async () => {
  await withQueue(async (w) => {
    const slow = { ...FIRST };
    assert.equal(await claimRequest(store(w), where, slow, { keys, now: () => CLAIMED, swap: w.swap }), true);
    const taker = { ...FIRST };
    const at = minutes(SCHEDULE_CLAIM_STALE_MS / 60_000);
    assert.equal(await claimRequest(store(w), where, taker, { keys, now: () => at, swap: w.swap }), true);
    const taken = w.fake.repo().refs.get(claimRefName(FIRST.id));
    await releaseClaim(store(w), where, slow);
    assert.equal(w.fake.repo().refs.get(claimRefName(FIRST.id)), taken, 'still the taker’s');
    await releaseClaim(store(w), where, taker);
    assert.ok(!w.fake.repo().refs.has(claimRefName(FIRST.id)), 'the taker gives it back');
  });
});
