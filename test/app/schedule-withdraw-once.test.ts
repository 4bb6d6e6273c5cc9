// Identical scheduled or queued requests against the fake GitHub (which checks every request against GitHub's
// OpenAPI description): a duplicate is marked ended and its pull request told once, whoever finds it (its
// /deploy comment, a due check, on two replicas), and of identical requests exactly one ever starts, also when
// the ask they share was left stale by a request that ended.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Api } from '../../app/facts/github.ts';
import { runDue } from '../../app/schedule/run-due.ts';
import type { DueDeps } from '../../app/schedule/run-due.ts';
import { listRequests, markEnded, recordRequest, withdrawOnce } from '../../app/schedule/store.ts';
import type { ScheduleApi, SwapRef } from '../../app/schedule/store.ts';
import { cancelDeploy, scheduleDeploy } from '../../app/schedule/commands.ts';
import { askRefName, SCHEDULE_REF_PREFIX, scheduleRefName } from '../../app/schedule/record.ts';
import type { ScheduledRequest } from '../../app/schedule/record.ts';
import { loadConfig } from '../../app/facts/config.ts';
import { actorOf, readPull } from '../../app/facts/pull-request.ts';
import { lockRefName } from '../../app/locks.ts';
import { resolvePolicy } from '../../src/policy/index.ts';
import type { FakeGitHub } from '../fake-github/index.ts';
import {
  appReplies,
  BOT_LOGIN,
  capturedLog,
  commentOnPull,
  testApp,
  HEAD,
  PR,
  deployYml,
  seededFake,
  testMarkerKeys,
  testProbot,
} from './helpers.ts';
import { ASKED, CANCEL_WRITTEN_LAST, scheduledRequest, withDueFake } from './schedule-world.ts';

const where = { owner: 'acme', repo: 'web' };
const keys = testMarkerKeys();
const DUE = new Date('2026-12-01T09:31:00Z');

/** `/deploy staging at 2026-12-01 09:30 UTC | version=3` (or `--queue`) by `by`, comment `n`. */
const asking = (n: number, by: string, mode: 'at' | 'queue' = 'at'): ScheduledRequest =>
  scheduledRequest(n, by, { mode });

interface World {
  fake: FakeGitHub;
  api: Api;
  swap: SwapRef;
  due: (api?: Api) => DueDeps;
  logged: Array<{ level: 'info' | 'warn'; message: string }>;
}

async function withFake(run: (w: World) => Promise<void>): Promise<void> {
  await withDueFake({ environments: ['staging'], collaborators: ['alice', 'erin'] }, async (d) => {
    const logged: World['logged'] = [];
    const due = (over: Api = d.api): DueDeps =>
      d.due({
        api: over,
        now: DUE,
        warn: (_fields, message) => logged.push({ level: 'warn', message }),
        info: (_fields, message) => logged.push({ level: 'info', message }),
        swap: d.swap,
      });
    await run({ fake: d.fake, api: d.api, swap: d.swap, due, logged });
  });
}

const deployments = (fake: FakeGitHub) => [...fake.repo().deployments.values()];
/** The App's check runs marking `id` ended. */
const endMarks = (fake: FakeGitHub, id: string) =>
  fake
    .requestsFor('checks/create')
    .filter((r) => (r.body as { name?: string }).name === `deploy schedule: ${id}`);
/** The lock a started deployment holds, released as its final status would. */
function releaseLock(fake: FakeGitHub): void {
  assert.ok(fake.repo().refs.delete(lockRefName({ scope: 'environment', environment: 'staging' }) as string));
}

/** An api whose calls `hook` may hold up (it sees the method's name and its parameters). */
function gated(api: Api, hook: (call: string, params: Record<string, unknown>) => Promise<void>): Api {
  const wrap = <T extends object>(group: T, name: string): T =>
    new Proxy(group, {
      get(target, key) {
        const value = Reflect.get(target, key) as unknown;
        if (typeof value !== 'function') return value;
        return async (params: Record<string, unknown>) => {
          await hook(`${name}.${String(key)}`, params);
          return (value as (p: unknown) => Promise<unknown>).call(target, params);
        };
      },
    });
  return { ...api, git: wrap(api.git, 'git') } as Api;
}

const signal = () => {
  let done!: () => void;
  const promise = new Promise<void>((resolve) => (done = resolve));
  return { promise, done };
};

test('a duplicate its /deploy comment and a due check withdraw at the same moment: one end mark, one message', async () => {
  await withFake(async (w) => {
    const ask = `refs/${askRefName(asking(2, 'alice'))}`;
    const erinsRef = signal();
    const dueAtAsk = signal();
    const erinTriedClaim = signal();
    // erin's comment (c3): its request ref is written; its ask waits until the due check has claimed c3 and
    // reached its ask; its claim (refused: the due check holds it) lets the due check go on.
    const erinApi = gated(w.api, async (call, p) => {
      if (call === 'git.createRef' && p.ref === ask) await dueAtAsk.promise;
    });
    const erinGit = erinApi.git;
    erinApi.git = {
      ...erinGit,
      createRef: async (p: Parameters<Api['git']['createRef']>[0]) => {
        try {
          return await erinGit.createRef(p);
        } finally {
          if (p?.ref === `refs/${scheduleRefName('staging', 'c3')!}`) erinsRef.done();
          if (p?.ref === 'refs/deploy-schedule-claims/c3') erinTriedClaim.done();
        }
      },
    } as Api['git'];
    const dueApi = gated(w.api, async (call, p) => {
      if (call === 'git.getRef' && `refs/${String(p.ref)}` === ask) {
        dueAtAsk.done();
        await erinTriedClaim.promise;
      }
    });
    const [pr, config] = await Promise.all([readPull(w.api, where, PR), loadConfig(w.api, where)]);
    const policy = resolvePolicy(config, 'staging');
    const erin = scheduleDeploy(
      { api: erinApi, now: () => ASKED, markers: w.due().markers, appId: w.fake.state.appId },
      {
        where,
        pr,
        config,
        policy,
        request: { ...asking(3, 'erin'), at: ASKED },
        actor: await actorOf(w.api, where, 'erin', []),
        when: { kind: 'at', local: { date: '2026-12-01', time: '09:30', zone: 'UTC' } },
      } as Parameters<typeof scheduleDeploy>[1],
      () => Promise.reject(new Error('not deployed now')),
    );
    await erinsRef.promise;
    // The due check lists (only erin's); alice's identical request is recorded whole and holds the ask.
    const listed = await listRequests(w.api as unknown as ScheduleApi, where, keys);
    assert.deepEqual(
      listed.requests.map((r) => r.id),
      ['c3'],
    );
    assert.equal(
      await recordRequest(w.api as unknown as ScheduleApi, where, keys, asking(2, 'alice')),
      'recorded',
    );
    const [reply, outcomes] = await Promise.all([erin, runDue(w.due(dueApi), where, listed)]);
    assert.ok(
      outcomes.some((o) => o.id === 'c3' && o.status === 'not_started'),
      JSON.stringify(outcomes),
    );
    // Told once: either the comment's reply or the due check's message on the pull request, never both.
    const told = [
      ...(reply.body !== undefined ? [reply.body] : []),
      ...appReplies(w.fake).filter((r) => /_duplicate/.test(r)),
    ];
    assert.equal(told.length, 1, JSON.stringify(told));
    assert.equal(endMarks(w.fake, 'c3').length, 1, 'one end mark');
    assert.ok(!w.fake.repo().refs.has(scheduleRefName('staging', 'c3')!), 'the duplicate is removed');
    assert.ok(
      ![...w.fake.repo().refs.keys()].some((r) => /^deploy-schedule-(claims|withdrawn)\//.test(r)),
      'no claim or withdrawal ref is left',
    );
    // Alice's request starts, once.
    await runDue(w.due(), where);
    assert.equal(deployments(w.fake).length, 1);
  });
});

/**
 * An ask whose request ended and is gone (a crash left the ask), then `requests` recorded without taking it
 * over (no conditional update): each stands beside it. The stale tag.
 */
async function staleAskWith(
  w: World,
  mode: 'at' | 'queue',
  ...requests: ScheduledRequest[]
): Promise<string> {
  const api = w.api as unknown as ScheduleApi;
  const gone = asking(1, 'alice', mode);
  assert.equal(await recordRequest(api, where, keys, gone), 'recorded');
  w.fake.repo().refs.delete(scheduleRefName('staging', 'c1')!);
  const stale = w.fake.repo().refs.get(askRefName(gone))!;
  // Each stands beside the stale ask (none is told it is a duplicate).
  for (const r of requests) assert.equal(typeof (await recordRequest(api, where, keys, r)), 'string');
  return stale;
}

test('two queued requests under a stale ask, two due checks at once: exactly one deploys, then or later', async () => {
  await withFake(async (w) => {
    await staleAskWith(w, 'queue', asking(2, 'alice', 'queue'), asking(3, 'erin', 'queue'));
    await Promise.all([runDue(w.due(), where), runDue(w.due(), where)]);
    assert.equal(deployments(w.fake).length, 1);
    // The deployment ends and its lock goes: the other request is not deployed again after it.
    releaseLock(w.fake);
    await Promise.all([runDue(w.due(), where), runDue(w.due(), where)]);
    assert.equal(
      deployments(w.fake).length,
      1,
      'the same commit is not deployed twice, once after the other',
    );
    assert.deepEqual(
      [...w.fake.repo().refs.keys()].filter((r) => r.startsWith('deploy-schedule/')),
      [],
    );
    const duplicate = appReplies(w.fake).filter((r) => r.includes('`queue_duplicate`'));
    assert.equal(duplicate.length, 1, 'the one withdrawn is told once');
  });
});

test('a due check taking over a stale ask races a request recorded with the swap: exactly one of the two ever starts', async () => {
  await withFake(async (w) => {
    const stale = await staleAskWith(w, 'queue', asking(3, 'erin', 'queue'));
    const ask = askRefName(asking(3, 'erin', 'queue'));
    // The due check lists erin's request; its second listing of the requests (the ask's holder is not
    // listed) comes back before alice's identical request is recorded, which then takes the stale ask over
    // (compare-and-swap) before the due check acts on what it read.
    let lists = 0;
    const git = w.api.git;
    const dueApi = {
      ...w.api,
      git: {
        ...git,
        listMatchingRefs: async (p: Parameters<Api['git']['listMatchingRefs']>[0]) => {
          const answer = await git.listMatchingRefs(p);
          if (p?.ref === SCHEDULE_REF_PREFIX && ++lists === 2) {
            const alice = asking(2, 'alice', 'queue');
            const api = w.api as unknown as ScheduleApi;
            assert.equal(await recordRequest(api, where, keys, alice, w.swap), 'recorded');
          }
          return answer;
        },
      },
    } as Api;
    const first = await runDue(w.due(dueApi), where);
    assert.notEqual(w.fake.repo().refs.get(ask), stale, 'the ask was taken over');
    releaseLock(w.fake);
    const second = await runDue(w.due(), where);
    assert.equal(deployments(w.fake).length, 1, JSON.stringify([first, second]));
  });
});

test('without the conditional update a request over a stale ask is recorded and the reply says what that means', async () => {
  await withFake(async (w) => {
    await staleAskWith(w, 'at');
    const [pr, config] = await Promise.all([readPull(w.api, where, PR), loadConfig(w.api, where)]);
    const reply = await scheduleDeploy(
      { api: w.api, now: () => ASKED, markers: w.due().markers, appId: w.fake.state.appId },
      {
        where,
        pr,
        config,
        policy: resolvePolicy(config, 'staging'),
        request: { ...asking(4, 'erin'), at: ASKED },
        actor: await actorOf(w.api, where, 'erin', []),
        when: { kind: 'at', local: { date: '2026-12-01', time: '09:30', zone: 'UTC' } },
      } as Parameters<typeof scheduleDeploy>[1],
      () => Promise.reject(new Error('not deployed now')),
    );
    assert.match(reply.body ?? '', /`schedule_recorded`/);
    assert.match(reply.body ?? '', /`ask_not_taken_over`/);
    assert.match(reply.body ?? '', /no conditional ref update/);
  });
});

for (const trigger of ['/status', '/unlock staging'] as const)
  test(`a duplicate withdrawn while claimed, removed by the due check that ${trigger} runs: logged, and its pull request is not told again`, async () => {
    const fake = await seededFake({
      config: deployYml('\n  staging: {}\n'),
      collaborators: { alice: 'write', erin: 'write' },
      pulls: [{ number: PR, head: HEAD, user: 'alice' }],
    });
    try {
      const { log, text } = capturedLog('info');
      const clock = { now: ASKED };
      const probot = testProbot(fake, log);
      await probot.load(testApp({ now: () => clock.now, botLogin: BOT_LOGIN }));
      const say = async (body: string, user: string): Promise<void> => {
        const { payload } = commentOnPull(fake, body, { user });
        await probot.receive({ id: crypto.randomUUID(), name: 'issue_comment', payload } as never);
      };
      await say('/lock staging', 'alice');
      const octokit = await testProbot(fake).auth(fake.state.installationId);
      const api = octokit.rest as unknown as ScheduleApi;
      assert.equal(await recordRequest(api, where, keys, asking(2, 'alice')), 'recorded');
      assert.equal(typeof (await recordRequest(api, where, keys, asking(3, 'erin'))), 'object');
      // Its comment could not remove it (a due check held its claim): marked ended, left listed, and the pull
      // request was told so in the reply to that comment.
      await markEnded(api as never, where, asking(3, 'erin'), 'schedule_duplicate');
      const before = appReplies(fake).length;
      clock.now = DUE;
      await say(trigger, 'alice');
      assert.ok(!fake.repo().refs.has(scheduleRefName('staging', 'c3')!), 'removed');
      assert.match(text(), /a withdrawn duplicate scheduled deployment \(marked ended[^)]*\): removed/);
      const said = appReplies(fake).slice(before);
      assert.equal(said.filter((r) => /_duplicate/.test(r)).length, 0, JSON.stringify(said));
      assert.equal(endMarks(fake, 'c3').length, 1, 'marked once');
      fake.assertNoViolations();
    } finally {
      await fake.stop();
    }
  });

/**
 * Alice's and erin's identical queued requests under a stale ask, and a GitHub error for every try at writing
 * erin's withdrawal ref while `failing` holds (`tries` counts them).
 */
async function withdrawingErinFails(w: World): Promise<{ failing: boolean; tries: number }> {
  await staleAskWith(w, 'queue', asking(2, 'alice', 'queue'), asking(3, 'erin', 'queue'));
  const state = { failing: true, tries: 0 };
  w.fake.failNext({
    status: 500,
    times: 1000,
    where: (r) => {
      const hit =
        state.failing &&
        (r.body as { ref?: string } | undefined)?.ref === 'refs/deploy-schedule-withdrawn/c3';
      if (hit) state.tries++;
      return hit;
    },
  });
  return state;
}

test('withdrawing an identical request fails after a start: the started one is still marked and removed, never "Started" twice', async () => {
  await withFake(async (w) => {
    // During the first due check every try at withdrawing erin's identical request meets a GitHub error.
    const github = await withdrawingErinFails(w);
    const first = await runDue(w.due(), where).catch((error: unknown) => String(error));
    github.failing = false;
    // Its deployment ends and its lock goes; the next trigger must not start alice's request again.
    releaseLock(w.fake);
    await runDue(w.due(), where);
    const started = appReplies(w.fake).filter((r) => r.startsWith('**Started**') && r.includes('alice'));
    assert.equal(started.length, 1, JSON.stringify(started));
    assert.ok(
      typeof first === 'object' && first.some((o) => o.id === 'c2' && o.status === 'started'),
      JSON.stringify(first),
    );
    assert.ok(
      w.logged.some((l) => l.level === 'warn' && /withdrawing the requests identical/.test(l.message)),
      'the failure is logged',
    );
    assert.equal(endMarks(w.fake, 'c2').length, 1, 'the started request is marked ended');
    assert.ok(!w.fake.repo().refs.has(scheduleRefName('staging', 'c2')!), 'and removed');
  });
});

test('a due check elsewhere claimed an identical request while one started: it finds the mark before its start and never deploys the commit again', async () => {
  await withFake(async (w) => {
    await staleAskWith(w, 'queue', asking(2, 'alice', 'queue'), asking(3, 'erin', 'queue'));
    const ask = askRefName(asking(3, 'erin', 'queue'));
    // The slow due check (another replica) has claimed erin's request and is about to read its ask when the
    // other starts alice's, and reads it only after that one is done (and its ask freed).
    const slowAtAsk = signal();
    const otherDone = signal();
    const slowApi = gated(w.api, async (call, p) => {
      if (call === 'git.getRef' && String(p.ref) === ask) {
        slowAtAsk.done();
        await otherDone.promise;
      }
    });
    const listed = await listRequests(w.api as unknown as ScheduleApi, where, keys);
    const onlyErin = { ...listed, requests: listed.requests.filter((r) => r.id === 'c3') };
    const slow = runDue(w.due(slowApi), where, onlyErin, 1);
    await slowAtAsk.promise;
    const fast = await runDue(w.due(), where);
    otherDone.done();
    const late = await slow;
    assert.equal(deployments(w.fake).length, 1, JSON.stringify([fast, late]));
    // Alice's deployment ends and its lock goes: erin's identical request is not deployed after it.
    releaseLock(w.fake);
    const after = await runDue(w.due(), where);
    assert.equal(deployments(w.fake).length, 1, JSON.stringify([fast, late, after]));
    assert.ok(!w.fake.repo().refs.has(scheduleRefName('staging', 'c3')!), 'erin’s request is removed');
    const told = appReplies(w.fake).filter((r) => r.includes('`queue_duplicate`'));
    assert.equal(told.length, 1, JSON.stringify(told));
    assert.equal(endMarks(w.fake, 'c3').length, 1, 'marked once');
  });
});

/** erin's queued request c3, a duplicate of alice's c2, whose withdrawal a caller began at `since` and never marked. */
async function withdrawalBegun(w: World, since: Date, erinAskedFirst = false): Promise<void> {
  const api = w.api as unknown as ScheduleApi;
  const erin = asking(3, 'erin', 'queue');
  // Asked first, erin's request is the head of the queue: a due check finds it before alice's starts.
  if (erinAskedFirst) erin.requestedAt = new Date(ASKED.getTime() - 60_000);
  assert.equal(await recordRequest(api, where, keys, asking(2, 'alice', 'queue'), w.swap), 'recorded');
  assert.equal(typeof (await recordRequest(api, where, keys, erin, w.swap)), 'object');
  const tag = await w.api.git.createTag({
    ...where,
    tag: 'deploy-schedule-withdrawn-c3',
    message: `deploy-schedule withdrawing c3 since ${since.toISOString()}`,
    object: HEAD,
    type: 'commit',
  });
  await w.api.git.createRef({ ...where, ref: 'refs/deploy-schedule-withdrawn/c3', sha: tag.data.sha });
}

test('a withdrawal whose caller died before its end mark is taken over: the duplicate is marked and its pull request told, once', async () => {
  await withFake(async (w) => {
    // The comment that found erin's request a duplicate began withdrawing it (its ref, at the time it was
    // asked) and died before its end mark.
    await withdrawalBegun(w, ASKED);
    await Promise.all([runDue(w.due(), where), runDue(w.due(), where)]);
    assert.equal(endMarks(w.fake, 'c3').length, 1, 'marked once');
    const told = appReplies(w.fake).filter((r) => r.includes('`queue_duplicate`'));
    assert.equal(told.length, 1, JSON.stringify(told));
    assert.ok(!w.fake.repo().refs.has(scheduleRefName('staging', 'c3')!), 'removed');
    assert.equal(deployments(w.fake).length, 1);
  });
});

test('a withdrawal begun moments ago is left to the caller that began it: not marked nor told here', async () => {
  await withFake(async (w) => {
    await withdrawalBegun(w, new Date(DUE.getTime() - 5_000));
    await runDue(w.due(), where);
    assert.equal(endMarks(w.fake, 'c3').length, 0);
    assert.equal(appReplies(w.fake).filter((r) => r.includes('`queue_duplicate`')).length, 0);
  });
});

test('a withdrawal whose time is ahead of the clock by more than a skew is taken over, not young forever', async () => {
  await withFake(async (w) => {
    // A clock far ahead, or anyone who can push writing the tag: a year from now.
    await withdrawalBegun(w, new Date(DUE.getTime() + 365 * 86_400_000));
    await runDue(w.due(), where);
    assert.equal(endMarks(w.fake, 'c3').length, 1, 'marked once');
    const told = appReplies(w.fake).filter((r) => r.includes('`queue_duplicate`'));
    assert.equal(told.length, 1, JSON.stringify(told));
    assert.ok(!w.fake.repo().refs.has(scheduleRefName('staging', 'c3')!), 'removed');
  });
});

test('a withdrawal a little ahead of the clock (another replica’s clock running fast) is still young', async () => {
  await withFake(async (w) => {
    await withdrawalBegun(w, new Date(DUE.getTime() + 2 * 60_000));
    await runDue(w.due(), where);
    assert.equal(endMarks(w.fake, 'c3').length, 0);
    assert.equal(appReplies(w.fake).filter((r) => r.includes('`queue_duplicate`')).length, 0);
  });
});

test('a withdrawal another caller holds costs this caller no tag and no ref write; the one that begins it writes one each', async () => {
  await withFake(async (w) => {
    await withdrawalBegun(w, new Date(DUE.getTime() - 5_000));
    const writes = () =>
      w.fake.requestsFor('git/create-tag').length + w.fake.requestsFor('git/create-ref').length;
    const api = w.api as unknown as Parameters<typeof withdrawOnce>[0];
    const erin = asking(3, 'erin', 'queue');
    const before = writes();
    const held = await withdrawOnce(api, where, erin, 'queue_duplicate', w.fake.state.appId, {
      now: () => DUE,
      swap: w.swap,
    });
    assert.notEqual(held, 'marked');
    assert.equal(writes(), before, 'nothing written for a withdrawal begun elsewhere');
    // Marked since, its ref still there (a caller that marked it without a claim leaves it): still nothing.
    await markEnded(api, where, erin, 'queue_duplicate');
    await withdrawOnce(api, where, erin, 'queue_duplicate', w.fake.state.appId, {
      now: () => new Date(DUE.getTime() + 3_600_000),
      swap: w.swap,
    });
    assert.equal(writes(), before, 'nothing written for a request already marked');
    // Alice's request, withdrawn by nobody yet: one tag, one ref, one mark.
    const alice = asking(2, 'alice', 'queue');
    assert.equal(await withdrawOnce(api, where, alice, 'queue_duplicate', w.fake.state.appId), 'marked');
    assert.equal(writes(), before + 2);
    assert.equal(endMarks(w.fake, 'c2').length, 1);
  });
});

test('withdrawing the identical requests of a started one fails on two due checks: bounded, reported, and the commit is deployed once', async () => {
  await withFake(async (w) => {
    // Every try at withdrawing erin's identical request meets a GitHub error until `failing` ends.
    const github = await withdrawingErinFails(w);
    const first = await runDue(w.due(), where);
    assert.ok(
      first.some((o) => o.id === 'c2' && o.status === 'started'),
      JSON.stringify(first),
    );
    assert.ok(github.tries >= 1 && github.tries <= 3, `tried ${github.tries} times in one due check`);
    const warned = () =>
      w.logged.filter((l) => l.level === 'warn' && /withdrawing the requests identical/.test(l.message))
        .length;
    assert.equal(warned(), 1, 'the failure is reported');
    // Alice's deployment ends and its lock goes; the next due check fails again: reported again, nothing starts.
    releaseLock(w.fake);
    github.tries = 0;
    const second = await runDue(w.due(), where);
    assert.ok(github.tries <= 3, `tried ${github.tries} times in one due check`);
    assert.equal(warned(), 2, JSON.stringify(second));
    assert.equal(deployments(w.fake).length, 1, JSON.stringify(second));
    // GitHub answers again: erin's request is withdrawn and told once, alice's removed; nothing deploys again.
    github.failing = false;
    const third = await runDue(w.due(), where);
    await runDue(w.due(), where);
    assert.equal(deployments(w.fake).length, 1, JSON.stringify(third));
    const started = appReplies(w.fake).filter((r) => r.startsWith('**Started**'));
    assert.equal(started.length, 1, JSON.stringify(started));
    const told = appReplies(w.fake).filter((r) => r.includes('`queue_duplicate`'));
    assert.equal(told.length, 1, JSON.stringify(told));
    assert.equal(endMarks(w.fake, 'c2').length, 1, 'the started request is marked once');
    assert.equal(endMarks(w.fake, 'c3').length, 1, 'its duplicate is marked once');
    assert.deepEqual(
      [...w.fake.repo().refs.keys()].filter((r) => /^deploy-schedule/.test(r)),
      [],
      'nothing of either is left',
    );
  });
});

for (const erinAskedFirst of [false, true])
  test(`a duplicate whose withdrawal a crashed caller began moments ago is left listed, and a due check after the takeover age marks it and tells, once (${erinAskedFirst ? 'found at the head of its queue' : 'found beside the one that started'})`, async () => {
    await withFake(async (w) => {
      // The caller that began withdrawing erin's request 5 s ago died before its end mark.
      await withdrawalBegun(w, new Date(DUE.getTime() - 5_000), erinAskedFirst);
      const early = await runDue(w.due(), where);
      assert.ok(
        early.some((o) => o.id === 'c3' && o.status === 'withdrawal_pending'),
        JSON.stringify(early),
      );
      assert.equal(endMarks(w.fake, 'c3').length, 0, 'not marked while that caller may still mark it');
      assert.ok(w.fake.repo().refs.has(scheduleRefName('staging', 'c3')!), 'left listed, not forgotten');
      assert.ok(!w.fake.repo().refs.has('deploy-schedule-claims/c3'), 'its claim is given back');
      // Alice's request started meanwhile and is kept holding the ask, so erin's cannot start after it (or,
      // erin's at the head, it waits behind). Two minutes later, her deployment over, two due checks at once:
      // erin's is taken over, marked, told and removed, once; alice's deployment is the only one.
      const later = { ...w.due(), now: () => new Date(DUE.getTime() + 120_000) };
      if (!erinAskedFirst) releaseLock(w.fake);
      await Promise.all([runDue(later, where), runDue(later, where)]);
      if (erinAskedFirst) {
        releaseLock(w.fake);
        await runDue(later, where);
      }
      assert.equal(endMarks(w.fake, 'c3').length, 1, 'marked once');
      const told = appReplies(w.fake).filter((r) => r.includes('`queue_duplicate`'));
      assert.equal(told.length, 1, JSON.stringify(told));
      assert.ok(!w.fake.repo().refs.has(scheduleRefName('staging', 'c3')!), 'removed');
      assert.equal(deployments(w.fake).length, 1);
      assert.deepEqual(
        [...w.fake.repo().refs.keys()].filter((r) => /^deploy-schedule/.test(r)),
        [],
        'nothing of either is left',
      );
    });
  });

test('/cancel-deploy of a started request kept until its identical requests are withdrawn: not cancelled, not marked again, its ask kept', async () => {
  await withFake(async (w) => {
    const github = await withdrawingErinFails(w);
    await runDue(w.due(), where);
    github.failing = false;
    const ask = askRefName(asking(2, 'alice', 'queue'));
    const held = w.fake.repo().refs.get(ask);
    assert.ok(held !== undefined && held === w.fake.repo().refs.get(scheduleRefName('staging', 'c2')!));
    const [pr, config] = await Promise.all([readPull(w.api, where, PR), loadConfig(w.api, where)]);
    const reply = await cancelDeploy(
      { api: w.api, now: () => DUE, markers: w.due().markers, appId: w.fake.state.appId },
      { where, pr, config, login: 'alice', environment: 'staging', commentId: CANCEL_WRITTEN_LAST },
    );
    assert.match(
      reply.body ?? '',
      /\*\*Not cancelled\*\* \(`already_ended`\): the deployment of .* queued by @?alice/,
    );
    assert.equal(endMarks(w.fake, 'c2').length, 1, 'marked once: started');
    assert.equal(w.fake.repo().refs.get(ask), held, 'its ask is kept');
    assert.ok(!w.fake.repo().refs.has('deploy-schedule-claims/c2'), 'its claim given back');
    // Its deployment over, the next due check withdraws what is left and removes it: deployed once.
    releaseLock(w.fake);
    await runDue(w.due(), where);
    assert.equal(deployments(w.fake).length, 1);
    assert.ok(!w.fake.repo().refs.has(scheduleRefName('staging', 'c2')!));
  });
});

test('a /deploy comment that finds its request a duplicate whose withdrawal a crashed caller began leaves it listed for a due check to finish', async () => {
  await withFake(async (w) => {
    const api = w.api as unknown as ScheduleApi;
    // Alice's identical request is recorded after erin's comment listed the requests, before its ask.
    let alice: Promise<unknown> | undefined;
    const erinApi = gated(w.api, async (call, p) => {
      if (call === 'git.createRef' && p.ref === `refs/${scheduleRefName('staging', 'c3')!}`)
        await (alice ??= recordRequest(api, where, keys, asking(2, 'alice'), w.swap));
    });
    // A caller (a due check on a replica that died) began withdrawing erin's request c3 a moment ago.
    const tag = await w.api.git.createTag({
      ...where,
      tag: 'deploy-schedule-withdrawn-c3',
      message: `deploy-schedule withdrawing c3 since ${new Date(ASKED.getTime() - 5_000).toISOString()}`,
      object: HEAD,
      type: 'commit',
    });
    await w.api.git.createRef({ ...where, ref: 'refs/deploy-schedule-withdrawn/c3', sha: tag.data.sha });
    const [pr, config] = await Promise.all([readPull(w.api, where, PR), loadConfig(w.api, where)]);
    const reply = await scheduleDeploy(
      {
        api: erinApi,
        now: () => ASKED,
        markers: w.due().markers,
        appId: w.fake.state.appId,
      },
      {
        where,
        pr,
        config,
        policy: resolvePolicy(config, 'staging'),
        request: { ...asking(3, 'erin'), at: ASKED },
        actor: await actorOf(w.api, where, 'erin', []),
        when: { kind: 'at', local: { date: '2026-12-01', time: '09:30', zone: 'UTC' } },
      } as Parameters<typeof scheduleDeploy>[1],
      () => Promise.reject(new Error('not deployed now')),
    );
    assert.equal(reply.reaction, 'confused');
    assert.equal(await alice, 'recorded');
    assert.equal(reply.body, undefined, 'not told here: the caller that began it tells');
    assert.ok(w.fake.repo().refs.has(scheduleRefName('staging', 'c3')!), 'left listed, not forgotten');
    assert.ok(!w.fake.repo().refs.has('deploy-schedule-claims/c3'), 'its claim is given back');
    // At its time the caller that began it is long gone: the due check takes the withdrawal over.
    await runDue(w.due(), where);
    assert.equal(endMarks(w.fake, 'c3').length, 1, 'marked once');
    const told = appReplies(w.fake).filter((r) => r.includes('`schedule_duplicate`'));
    assert.equal(told.length, 1, JSON.stringify(told));
    assert.ok(!w.fake.repo().refs.has(scheduleRefName('staging', 'c3')!), 'removed');
    assert.equal(deployments(w.fake).length, 1);
  });
});
