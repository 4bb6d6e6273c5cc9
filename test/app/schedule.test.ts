// Scheduled and queued deployments end to end through probot.receive against the fake GitHub (which checks
// every request against GitHub's OpenAPI description): a schedule starts once at its time however many
// triggers race, the policy is checked again then (window, freeze, approvals, the head), /cancel-deploy is
// the requester's or a deployer's, the queue starts in order as locks are released, and neither redeliveries
// nor forged refs add or start anything.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Probot } from 'probot';
import { fakeSha, openCheckSuites, webhookPayload } from '../fake-github/index.ts';
import { appReplies, commentOnPull, rest, testApp, testMarkerKeys, testProbot } from './helpers.ts';
import { parseDeploymentPayload } from '../../src/github/deployment-payload.ts';
import {
  BOT,
  HEAD,
  PR,
  comment,
  deployments,
  inWorld,
  owner,
  repo,
  runCompletes,
  scheduleRefs,
  type World,
} from './schedule-world.ts';

type Receive = Parameters<Probot['receive']>[0];
type Json = Record<string, unknown>;

// Tuesday 1 December 2026. Berlin is UTC+1 then; production's window is 10:00-12:00 Berlin (09:00-11:00Z).
const at = (iso: string): Date => new Date(iso);

const CONFIG = (extra = '') => `
target:
  commands:
    deploy: ./deploy.sh
approvals:
  timezone: Europe/Berlin
environments:
  staging: {}
  production:
    approvals:
      deployers: [alice, bob, erin]
      approvers: [carol, dave]
      required: 1
      windows:
        - { days: [tue, wed, thu], start: "10:00", end: "12:00" }
${extra}`;

const run = (body: (w: World) => Promise<void>, config = CONFIG()): Promise<void> =>
  inWorld(body, {
    config,
    collaborators: ['alice', 'bob', 'carol', 'dave', 'erin', 'mallory'],
    start: at('2026-12-01T08:00:00Z'),
  });
const replies = appReplies;

test('a schedule starts once at its time, after the policy is checked again, even when two triggers race', async () => {
  await run(async (w) => {
    const ask = await comment(
      w,
      '/deploy production at 2026-12-01 10:30 --strategy canary | version=2.0',
      'alice',
    );
    assert.match(ask.reply, /\*\*Scheduled\*\* \(`schedule_recorded`\)/);
    // No zone written: production's (Europe/Berlin), so 10:30 there is 09:30Z.
    assert.match(ask.reply, /`2026-12-01T09:30:00\.000Z`/);
    assert.match(ask.reply, /1 approval\(s\)/);
    assert.deepEqual(scheduleRefs(w.fake), [`deploy-schedule/production/c${ask.id}`]);
    assert.match((await comment(w, '/approve-deploy production', 'carol')).reply, /Approval by @carol/);
    assert.equal(deployments(w.fake).length, 0, 'an approval does not start a schedule early');

    w.clock.now = at('2026-12-01T09:29:59Z');
    await runCompletes(w);
    assert.equal(deployments(w.fake).length, 0, 'not due one second before');

    w.clock.now = at('2026-12-01T09:31:00Z');
    // A second replica of the App (its own process state, the same GitHub) gets triggers at the same moment.
    const replica = testProbot(w.fake);
    await replica.load(testApp({ now: () => w.clock.now, botLogin: BOT }));
    await Promise.all([runCompletes(w), runCompletes(w, replica), runCompletes(w), runCompletes(w, replica)]);
    assert.equal(deployments(w.fake).length, 1, 'four triggers on two replicas at once: one deployment');
    const [d] = deployments(w.fake);
    assert.equal(d!.sha, HEAD);
    assert.equal(d!.environment, 'production');
    const payload = parseDeploymentPayload(d!.payload);
    assert.equal(payload.requested_by, 'alice');
    assert.deepEqual(payload.approved_by, ['carol']);
    assert.equal(payload.strategy, 'canary');
    assert.equal(payload.version, '2.0');
    assert.equal(payload.source_comment_id, ask.id);
    const started = replies(w.fake).filter((r) => r.includes('`schedule_started`'));
    assert.equal(started.length, 1, 'one reply');
    assert.deepEqual(
      replies(w.fake).filter((r) => r.startsWith('**Not started**')),
      [],
      'the others found it claimed and said nothing',
    );
    assert.match(started[0]!, new RegExp(`deployment \\*\\*\\\\#\u200D${d!.id}\\*\\*`));
    assert.deepEqual(scheduleRefs(w.fake), [], 'the request is gone');
    await runCompletes(w);
    assert.equal(deployments(w.fake).length, 1);
  });
});

test('at its time the policy is checked again: a closed window, a freeze, a moved head or a missing approval start nothing', async () => {
  const cases: Array<{
    name: string;
    code: string;
    change: (w: World) => void;
    approve?: boolean;
    says?: RegExp;
  }> = [
    {
      name: 'the window was changed',
      code: 'schedule_outside_window',
      approve: true,
      change: (w) =>
        w.fake.setFile('.github/deploy.yml', CONFIG().replace('start: "10:00"', 'start: "11:00"')),
    },
    {
      name: 'a freeze was added',
      code: 'schedule_frozen',
      approve: true,
      change: (w) =>
        w.fake.setFile(
          '.github/deploy.yml',
          CONFIG().replace(
            'timezone: Europe/Berlin',
            'timezone: Europe/Berlin\n  freezes:\n    - { from: "2026-12-01T00:00", to: "2026-12-02T00:00", reason: "incident <b>review</b> @everyone" }',
          ),
        ),
      // The freeze's end in UTC and as Berlin's wall clock, and the next window after it (Wednesday 10:00).
      says: /frozen until 2026-12-01T23:00:00Z \(Wed 2026-12-02 00\u200D?:00 Europe\/Berlin\); next opening 2026-12-02T09:00:00Z \(Wed 2026-12-02 10\u200D?:00 Europe\/Berlin\)/,
    },
    {
      name: 'the head moved',
      code: 'schedule_sha_moved',
      approve: true,
      change: (w) => w.fake.pushCommit(PR, fakeSha('pr-7-pushed')),
    },
    { name: 'nobody approved', code: 'schedule_needs_approvals', change: () => undefined },
    {
      name: 'a veto',
      code: 'schedule_rejected',
      approve: true,
      change: () => undefined,
    },
  ];
  for (const c of cases) {
    await run(async (w) => {
      await comment(w, '/deploy production at 2026-12-01 10:30 Europe/Berlin', 'alice');
      if (c.approve) await comment(w, '/approve-deploy production', 'carol');
      if (c.code === 'schedule_rejected') await comment(w, '/reject-deploy production not today', 'dave');
      c.change(w);
      w.clock.now = at('2026-12-01T09:30:00Z');
      await runCompletes(w);
      assert.equal(deployments(w.fake).length, 0, `${c.name}: nothing started`);
      const told = replies(w.fake).filter((r) => r.startsWith('**Not started**'));
      assert.equal(told.length, 1, `${c.name}: one reply`);
      assert.match(told[0]!, new RegExp(`\\(\`${c.code}\`\\)`), `${c.name}: ${told[0]}`);
      assert.doesNotMatch(told[0]!, /<b>|@everyone/, 'config text escaped');
      if (c.says) assert.match(told[0]!, c.says, c.name);
      assert.deepEqual(scheduleRefs(w.fake), [], `${c.name}: the request is removed`);
      assert.equal(
        w.fake.repo().refs.has('deploy-locks/production'),
        false,
        `${c.name}: no lock left behind`,
      );
      await runCompletes(w);
      assert.equal(replies(w.fake).filter((r) => r.startsWith('**Not started**')).length, 1, 'told once');
    });
  }
});

test('asking for a time inside a freeze is refused with when the freeze ends and the next time it may start, in UTC and as the zone wall clock', async () => {
  const frozen = CONFIG().replace(
    'timezone: Europe/Berlin',
    'timezone: Europe/Berlin\n  freezes:\n    - { from: "2026-12-01T00:00", to: "2026-12-02T00:00", reason: "incident review" }',
  );
  await run(async (w) => {
    const { reply } = await comment(w, '/deploy production at 2026-12-01 10:30', 'alice');
    assert.match(reply, /\(`frozen`\)/, reply);
    assert.match(
      reply,
      /is frozen at `2026-12-01T09:30:00\.000Z` \(incident review, until `2026-12-01T23:00:00\.000Z`, Wed 2026-12-02 00\u200D?:00 Europe\/Berlin\)\. The next time it may start is `2026-12-02T09:00:00\.000Z` \(Wed 2026-12-02 10\u200D?:00 Europe\/Berlin\)/,
    );
    assert.deepEqual(scheduleRefs(w.fake), [], 'nothing is kept');
  }, frozen);
});

test('asking: past, too far, a DST gap in the default zone, outside the window or by a non-deployer is refused and nothing is kept', async () => {
  await run(async (w) => {
    const cases: Array<[string, string, string]> = [
      ['/deploy production at 2026-12-01 08:59 Europe/Berlin', 'alice', 'schedule_time_past'],
      ['/deploy production at 2027-01-05 10:30', 'alice', 'schedule_time_too_far'],
      ['/deploy production at 2026-12-01 13:00', 'alice', 'outside_window'],
      ['/deploy production at 2026-12-04 10:30', 'alice', 'outside_window'],
      ['/deploy production at 2026-12-01 10:30', 'mallory', 'not_a_deployer'],
      ['/deploy production at 2026-12-01 10:30 Not/AZone', 'alice', 'schedule_zone_unknown'],
      ['/deploy nowhere at 2026-12-01 10:30', 'alice', 'unknown_environment'],
    ];
    for (const [body, user, code] of cases) {
      const { reply } = await comment(w, body, user);
      assert.match(reply, new RegExp(`\\(\`${code}\`\\)`), `${body}: ${reply}`);
    }
    // Friday is outside the window: the reply names the next time it may start (Tuesday 8 Dec, 10:00 Berlin).
    assert.match(
      replies(w.fake).find((r) => r.includes('2026-12-04'))!,
      /2026-12-08T09:00:00\.000Z` \(Tue 2026-12-08 10\u200D?:00 Europe\/Berlin\)/,
    );
    assert.deepEqual(scheduleRefs(w.fake), []);
  });
  // A zone with DST: staging's windows are none, its zone Europe/Berlin (top level); 2027-03-28 02:30 is skipped.
  await run(async (w) => {
    w.clock.now = at('2027-03-20T00:00:00Z');
    const { reply } = await comment(w, '/deploy staging at 2027-03-28 02:30', 'alice');
    assert.match(reply, /\(`schedule_time_nonexistent`\)/);
  });
});

test('/cancel-deploy cancels only requests asked before it: one asked after it, whose delivery came first, stands', async () => {
  await run(async (w) => {
    const first = await comment(w, '/deploy production at 2026-12-01 10:30', 'alice');
    assert.match(first.reply, /`schedule_recorded`/);
    // alice cancels it, then asks for the next day; the cancel's delivery waits behind the new request.
    const cancel = commentOnPull(w.fake, '/cancel-deploy', { user: 'alice' });
    const second = await comment(w, '/deploy production at 2026-12-02 10:30', 'alice');
    assert.match(second.reply, /`schedule_recorded`/);
    await w.probot.receive({
      id: crypto.randomUUID(),
      name: 'issue_comment',
      payload: cancel.payload,
    } as Receive);
    assert.match(replies(w.fake).at(-1)!, /`schedule_cancelled`/);
    assert.deepEqual(scheduleRefs(w.fake), [`deploy-schedule/production/c${second.id}`]);
  });
});

test('/cancel-deploy: refused for someone who neither asked nor may deploy; the requester or a deployer cancels', async () => {
  await run(async (w) => {
    const first = await comment(w, '/deploy production at 2026-12-01 10:30', 'alice');
    assert.match((await comment(w, '/cancel-deploy production', 'mallory')).reply, /\(`not_allowed`\)/);
    assert.match(
      (await comment(w, '/cancel-deploy', 'carol')).reply,
      /\(`not_allowed`\)/,
      'an approver is no deployer',
    );
    assert.deepEqual(scheduleRefs(w.fake), [`deploy-schedule/production/c${first.id}`], 'still kept');
    assert.match(
      (await comment(w, '/cancel-deploy production', 'bob')).reply,
      /\*\*Cancelled\*\* \(`schedule_cancelled`\)/,
    );
    assert.deepEqual(scheduleRefs(w.fake), []);
    assert.match((await comment(w, '/cancel-deploy production', 'bob')).reply, /\(`no_scheduled_request`\)/);

    await comment(w, '/deploy production at 2026-12-01 10:45', 'alice');
    assert.match(
      (await comment(w, '/cancel-deploy', 'alice')).reply,
      /`schedule_cancelled`/,
      'the requester',
    );
    await comment(w, '/approve-deploy production', 'carol');
    w.clock.now = at('2026-12-01T10:00:00Z');
    await runCompletes(w);
    assert.equal(deployments(w.fake).length, 0, 'a cancelled schedule never starts');
    assert.equal(
      w.fake.requestsFor('git/create-ref').filter((r) => String((r.body as Json).ref).includes('claims'))
        .length,
      2,
      'the two cancels claimed; nothing else',
    );
  });
});

/** A request for 10:30 Berlin, approved, then cancelled: its ref and the signed tag it pointed at. */
async function cancelledRequest(w: World): Promise<{ ref: string; tag: string }> {
  const ask = await comment(w, '/deploy production at 2026-12-01 10:30', 'alice');
  const ref = `deploy-schedule/production/c${ask.id}`;
  const tag = w.fake.repo().refs.get(ref)!;
  await comment(w, '/approve-deploy production', 'carol');
  assert.match((await comment(w, '/cancel-deploy production', 'bob')).reply, /`schedule_cancelled`/);
  return { ref, tag };
}

test('a request that ended is never started again when a writer puts its ref back on the old signed tag', async () => {
  await run(async (w) => {
    const { ref, tag } = await cancelledRequest(w);
    assert.deepEqual(scheduleRefs(w.fake), []);
    // Anyone who can push: the tag object outlives its ref and its MAC still verifies.
    await rest(w.fake, 'POST', '/git/refs', { ref: `refs/${ref}`, sha: tag });
    w.clock.now = at('2026-12-01T09:31:00Z');
    await runCompletes(w);
    assert.equal(deployments(w.fake).length, 0, 'the cancelled request stays cancelled');
    assert.deepEqual(scheduleRefs(w.fake), [], 'the replayed ref is removed');
    assert.deepEqual(
      replies(w.fake).filter((r) => r.includes('Started') || r.includes('Not started')),
      [],
      'and nothing is said for it',
    );

    // A started request's ref put back after its deployment was deleted: not started twice either.
    const again = await comment(w, '/deploy production at 2026-12-01 10:45', 'alice');
    const ref2 = `deploy-schedule/production/c${again.id}`;
    const tag2 = w.fake.repo().refs.get(ref2)!;
    w.clock.now = at('2026-12-01T09:46:00Z');
    await runCompletes(w);
    assert.equal(deployments(w.fake).length, 1);
    w.fake.repo().deployments.clear();
    w.fake.repo().refs.delete('deploy-locks/production');
    await rest(w.fake, 'POST', '/git/refs', { ref: `refs/${ref2}`, sha: tag2 });
    await runCompletes(w);
    assert.equal(deployments(w.fake).length, 0, 'started once');
  });
});

test('a cancelled request stays cancelled when over 1000 newer check suites push the App’s end mark off the commit’s check-run list', async () => {
  await run(async (w) => {
    const { ref, tag } = await cancelledRequest(w);
    // A writer runs workflows on the commit (each run is a check suite of GitHub Actions), then puts the
    // ref back: GitHub's list of the commit's check runs now leaves out the App's suite and its end mark.
    openCheckSuites(w.fake.state, w.fake.repo(), HEAD, 1001, { id: 15368, slug: 'github-actions' });
    await rest(w.fake, 'POST', '/git/refs', { ref: `refs/${ref}`, sha: tag });
    w.clock.now = at('2026-12-01T09:31:00Z');
    await runCompletes(w);
    assert.equal(deployments(w.fake).length, 0, 'the cancelled request stays cancelled');
    assert.deepEqual(scheduleRefs(w.fake), [], 'the replayed ref is removed');
  });
});

test('the queue starts in order across an /unlock and a deployment ending; /status shows it; redeliveries queue once', async () => {
  await run(async (w) => {
    w.clock.now = at('2026-12-01T09:15:00Z');
    await comment(w, '/approve-deploy production', 'carol');
    assert.match((await comment(w, '/lock production --reason "db migration"', 'bob')).reply, /Locked/);
    // Without --queue: refused as before.
    assert.match((await comment(w, '/deploy production', 'alice')).reply, /\(`locked`\)/);
    const a = await comment(w, '/deploy production --queue', 'alice', 1);
    assert.match(a.reply, /\*\*Queued\*\* \(`queue_recorded`\).*place 1/s);
    // The lock holder is named, not pinged each time someone queues behind the lock (as the refusals name them).
    assert.match(a.reply, /locked by @\u200Dbob/);
    assert.doesNotMatch(a.reply, /@bob/);
    const e = await comment(w, '/deploy production --queue | version=3', 'erin');
    assert.match(e.reply, /place 2/);
    assert.equal(scheduleRefs(w.fake).length, 2, 'a redelivered comment is one request');
    assert.equal(replies(w.fake).filter((r) => r.includes('`queue_recorded`')).length, 2);

    const scheduleListings = () =>
      w.fake.requestsFor('git/list-matching-refs').filter((r) => r.path.includes('deploy-schedule')).length;
    const listedBefore = scheduleListings();
    const status = (await comment(w, '/status production', 'carol')).reply;
    assert.equal(scheduleListings() - listedBefore, 1, 'nothing fell due: the schedule is listed once');
    assert.match(
      status,
      /\*\*Queue\*\*: \n- `production` 1\. `[0-9a-f]{12}`, asked by @\u200Dalice on PR #7\n- `production` 2\. `[0-9a-f]{12}`, asked by @\u200Derin/,
    );
    assert.match(status, /\*\*Scheduled\*\*: none/);
    assert.equal(deployments(w.fake).length, 0);

    // The queue's start is told in its own reply (posted while /unlock is handled, so before its answer).
    await comment(w, '/unlock production', 'bob');
    assert.ok(replies(w.fake).some((r) => /^Unlocked `production`/.test(r)));
    assert.equal(deployments(w.fake).length, 1, 'the first in the queue started');
    assert.equal(parseDeploymentPayload(deployments(w.fake)[0]!.payload).requested_by, 'alice');
    assert.equal(w.fake.repo().refs.get('deploy-locks/production'), HEAD, 'its own lock holds the rest');
    await runCompletes(w);
    assert.equal(deployments(w.fake).length, 1, 'erin waits behind the running deployment');

    // The first deployment ends: its final status releases its lock, and erin's starts.
    const first = deployments(w.fake)[0]!;
    const ended = webhookPayload(
      'deployment_status',
      'created',
      {
        deployment: {
          id: first.id,
          sha: HEAD,
          environment: 'production',
          payload: first.payload,
          creator: { login: BOT, type: 'Bot' },
        },
        repository: { default_branch: 'main' },
        deployment_status: {
          creator: { login: 'github-actions[bot]', type: 'Bot' },
          state: 'success',
          environment: 'production',
          description: 'done',
          created_at: '2026-12-01T09:40:00Z',
        },
      },
      { owner, repo, baseUrl: w.fake.url, installationId: w.fake.state.installationId },
    );
    await w.probot.receive({ id: crypto.randomUUID(), name: 'deployment_status', payload: ended } as Receive);
    assert.equal(deployments(w.fake).length, 2);
    const second = parseDeploymentPayload(deployments(w.fake)[1]!.payload);
    assert.equal(second.requested_by, 'erin');
    assert.equal(second.version, '3');
    assert.equal(second.source_comment_id, e.id);
    assert.equal(replies(w.fake).filter((r) => r.includes('`queue_started`')).length, 2);
    assert.deepEqual(scheduleRefs(w.fake), []);
  });
});

// alice asks first, erin five seconds later; erin's delivery comes first and alice's after it (webhooks come in
// no set order, late or again), handled by a replica whose clock is ahead of GitHub's, or behind it (both
// comments then dated after its now).
for (const [replica, erinHandledAt, aliceHandledAt] of [
  ['a replica whose clock is ahead', '2026-12-01T09:20:06Z', '2026-12-01T09:21:10Z'],
  ['a replica whose clock is two minutes behind GitHub’s', '2026-12-01T09:18:06Z', '2026-12-01T09:18:36Z'],
] as const)
  test(`the queue is in the order the comments were written, not the order their deliveries came in (${replica})`, async () => {
    await run(async (w) => {
      w.clock.now = at('2026-12-01T09:15:00Z');
      await comment(w, '/approve-deploy production', 'carol');
      await comment(w, '/lock production --reason "db migration"', 'bob');
      const written = (made: { id: number; payload: Record<string, unknown> }, iso: string) => {
        (made.payload.comment as Record<string, unknown>).created_at = iso;
        return made;
      };
      const alice = written(
        commentOnPull(w.fake, '/deploy production --queue', { user: 'alice' }),
        '2026-12-01T09:20:00Z',
      );
      const erin = written(
        commentOnPull(w.fake, '/deploy production --queue | version=3', { user: 'erin' }),
        '2026-12-01T09:20:05Z',
      );
      const deliver = (payload: Record<string, unknown>) =>
        w.probot.receive({ id: crypto.randomUUID(), name: 'issue_comment', payload } as Receive);
      w.clock.now = at(erinHandledAt);
      await deliver(erin.payload);
      w.clock.now = at(aliceHandledAt);
      await deliver(alice.payload);
      assert.match(replies(w.fake).at(-1)!, /\*\*Queued\*\*.*queued by @alice, place 1/s);
      const status = (await comment(w, '/status production', 'carol')).reply;
      assert.match(
        status,
        /`production` 1\. `[0-9a-f]{12}`, asked by @\u200Dalice on PR #7\n- `production` 2\. .*@\u200Derin/,
      );

      w.clock.now = at('2026-12-01T09:21:30Z');
      await comment(w, '/unlock production', 'bob');
      assert.equal(deployments(w.fake).length, 1);
      assert.equal(
        parseDeploymentPayload(deployments(w.fake)[0]!.payload).source_comment_id,
        alice.id,
        'the comment written first starts first',
      );
    });
  });

test('--queue on a free environment deploys now; a forged request ref is never started', async () => {
  await run(async (w) => {
    w.clock.now = at('2026-12-01T09:15:00Z');
    await comment(w, '/approve-deploy production', 'carol');
    // A workflow token (push access, no key) writes a request that looks like the App's.
    const tag = await rest(w.fake, 'POST', '/git/tags', {
      tag: 'deploy-schedule-staging-c1',
      message: `Deployment of staging queued\n\n<!-- deploy-action:schedule {"v":1,"id":"c1","mode":"queue","env":"staging","sha":"${HEAD}","pr":7,"type":"standard","params":{},"by":"alice","source":1,"asked":"2026-12-01T09:00:00.000Z"} mac=${'0'.repeat(64)} -->\n`,
      object: HEAD,
      type: 'commit',
    });
    await rest(w.fake, 'POST', '/git/refs', {
      ref: 'refs/deploy-schedule/staging/c1',
      sha: (tag as unknown as { sha: string }).sha,
    });
    await runCompletes(w);
    assert.equal(deployments(w.fake).length, 0, 'the forged request started nothing');

    const { payload } = commentOnPull(w.fake, '/deploy production --queue', { user: 'alice' });
    await w.probot.receive({ id: crypto.randomUUID(), name: 'issue_comment', payload } as Receive);
    assert.equal(replies(w.fake).filter((r) => /Queued/.test(r)).length, 0);
    assert.equal(deployments(w.fake).length, 1, 'nothing to wait for: deployed at once');
    assert.deepEqual(scheduleRefs(w.fake), ['deploy-schedule/staging/c1'], 'only the forged ref, untouched');
  });
});

test('the same /deploy --queue at once on two deliveries, or again after its reaction was lost, is one request', async () => {
  await run(async (w) => {
    w.clock.now = at('2026-12-01T09:15:00Z');
    await comment(w, '/lock production --reason "<b>db</b> migration @everyone"', 'bob');
    const { id, payload } = commentOnPull(w.fake, '/deploy production --queue', { user: 'alice' });
    const deliver = () =>
      w.probot.receive({ id: crypto.randomUUID(), name: 'issue_comment', payload } as Receive);
    await Promise.all([deliver(), deliver()]);
    assert.deepEqual(scheduleRefs(w.fake), [`deploy-schedule/production/c${id}`]);
    const queued = replies(w.fake).filter((r) => r.includes('`queue_recorded`'));
    assert.equal(queued.length, 1);
    // The lock's reason is someone's text: escaped in the reply.
    assert.doesNotMatch(queued[0]!, /<b>|@everyone/);
    // The reaction that marks the comment as handled is gone (deleted by hand): the request is still one.
    w.fake.repo().reactions.delete(id);
    await deliver();
    assert.deepEqual(scheduleRefs(w.fake), [`deploy-schedule/production/c${id}`]);
    assert.match(replies(w.fake).at(-1)!, /already recorded/);
    // Cancelled by the requester: the queue is empty, and the unlock starts nothing.
    assert.match((await comment(w, '/cancel-deploy production', 'alice')).reply, /\(`queue_cancelled`\)/);
    await comment(w, '/unlock production', 'bob');
    assert.equal(deployments(w.fake).length, 0);
  });
});

test('two identical /deploy --queue (or at) in two comments handled at the same instant: one is kept, the other told so', async () => {
  await run(async (w) => {
    w.clock.now = at('2026-12-01T09:15:00Z');
    await comment(w, '/approve-deploy production', 'carol');
    await comment(w, '/lock production', 'bob');
    const asks = (): string[] =>
      [...w.fake.repo().refs.keys()].filter((r) => r.startsWith('deploy-schedule-asks/'));
    for (const [body, recorded, duplicate, env] of [
      ['/deploy production --queue | version=3', '`queue_recorded`', '`queue_duplicate`', 'production'],
      ['/deploy staging at 2026-12-01 11:00', '`schedule_recorded`', '`schedule_duplicate`', 'staging'],
    ] as const) {
      const before = replies(w.fake).length;
      const a = commentOnPull(w.fake, body, { user: 'alice' });
      const e = commentOnPull(w.fake, body, { user: 'erin' });
      await Promise.all(
        [a, e].map(({ payload }) =>
          w.probot.receive({ id: crypto.randomUUID(), name: 'issue_comment', payload } as Receive),
        ),
      );
      const kept = scheduleRefs(w.fake).filter((r) => r.startsWith(`deploy-schedule/${env}/`));
      assert.equal(kept.length, 1, `${body}: one request kept, not two`);
      const answers = replies(w.fake).slice(before);
      assert.equal(answers.filter((r) => r.includes(recorded)).length, 1, `${body}: one recorded`);
      assert.equal(answers.filter((r) => r.includes(duplicate)).length, 1, `${body}: the other told why`);
      // The reply of the one recorded names the comment kept.
      const keptId = Number(kept[0]!.split('/c')[1]);
      assert.ok([a.id, e.id].includes(keptId));
    }
    assert.equal(asks().length, 2, 'one ask per kept request');
    // Cancelled: its ask goes with it, so the same deployment can be asked anew.
    assert.match((await comment(w, '/cancel-deploy production', 'alice')).reply, /`queue_cancelled`/);
    assert.equal(asks().length, 1);
    assert.match(
      (await comment(w, '/deploy production --queue | version=3', 'alice')).reply,
      /`queue_recorded`/,
    );
    await comment(w, '/unlock production', 'bob');
    assert.equal(deployments(w.fake).length, 1, 'the one queued request started, once');
    assert.equal(asks().length, 1, 'the started request freed its ask; the schedule keeps its own');
  });
});

test('a claim left by a replica that died mid-start does not keep a schedule forever: once it is hours late it is dropped and said so', async () => {
  await run(async (w) => {
    const ask = await comment(w, '/deploy production at 2026-12-01 10:30', 'alice');
    assert.match(ask.reply, /`schedule_recorded`/);
    // A replica claimed it at its time and died before it started or gave the claim back.
    w.fake.repo().refs.set(`deploy-schedule-claims/c${ask.id}`, HEAD);
    w.clock.now = at('2026-12-01T09:31:00Z');
    await runCompletes(w);
    assert.equal(deployments(w.fake).length, 0);
    assert.deepEqual(
      scheduleRefs(w.fake),
      [`deploy-schedule/production/c${ask.id}`],
      'claimed: left alone for now',
    );
    // Hours later the claim cannot be a start still under way (a start takes seconds).
    w.clock.now = at('2026-12-01T13:00:00Z');
    await runCompletes(w);
    assert.equal(deployments(w.fake).length, 0, 'never started late');
    assert.deepEqual(scheduleRefs(w.fake), [], 'the request is gone');
    assert.ok(
      ![...w.fake.repo().refs.keys()].some((r) => r.startsWith('deploy-schedule-claims/')),
      'and its claim',
    );
    assert.equal(replies(w.fake).filter((r) => r.includes('`schedule_missed`')).length, 1, 'the PR is told');
  });
});

test('pure: only a scheduled request an hour past being missed has a claim that can only be stale', async () => {
  const { claimIsStale, MISSED_AFTER_MS, STALE_CLAIM_AFTER_MS } =
    await import('../../app/schedule/decide.ts');
  assert.ok(STALE_CLAIM_AFTER_MS >= MISSED_AFTER_MS + 3_600_000);
  const due = at('2026-12-01T09:30:00Z');
  const request = (mode: 'at' | 'queue') => ({
    id: 'c1',
    mode,
    environment: 'production',
    sha: HEAD,
    pr: PR,
    type: 'standard' as const,
    params: {},
    requestedBy: 'alice',
    sourceCommentId: 1,
    requestedAt: at('2026-11-30T09:30:00Z'),
    ...(mode === 'at' ? { at: due } : {}),
  });
  const after = (ms: number) => new Date(due.getTime() + ms);
  assert.equal(claimIsStale(request('at'), after(MISSED_AFTER_MS)), false, 'a start may be under way');
  assert.equal(claimIsStale(request('at'), after(STALE_CLAIM_AFTER_MS)), false);
  assert.equal(claimIsStale(request('at'), after(STALE_CLAIM_AFTER_MS + 1)), true);
  assert.equal(claimIsStale(request('queue'), after(30 * 86_400_000)), false, 'a queued request has no time');
});

test('the /schedule and --queue replies name the approvals of the request’s own rule, with its approval groups', async () => {
  const config = CONFIG(
    [
      '      groups: [{ name: Security, approvers: [dave] }]',
      '      hotfix:',
      '        approvers: [carol, dave, erin]',
      '        required: 2',
      '        groups: [{ name: Managers, approvers: [erin] }]',
      '        bypass_windows: false',
      '',
    ].join('\n'),
  );
  await run(async (w) => {
    const scheduled = await comment(w, '/deploy production at 2026-12-01 10:30', 'alice');
    assert.match(scheduled.reply, /`schedule_recorded`/);
    // As /help and the waiting reply say it: the count, and how many of it each group must give.
    assert.match(
      scheduled.reply,
      /1 approval\(s\) of this commit, of which 1 from `Security` \(dave\) \(reply \/approve-deploy production\)/,
    );
    w.clock.now = at('2026-12-01T09:15:00Z');
    assert.match((await comment(w, '/lock production', 'bob')).reply, /Locked/);
    const hotfix = await comment(w, '/deploy production --queue --hotfix --reason "outage"', 'alice');
    assert.match(hotfix.reply, /`queue_recorded`/);
    // A hotfix waits for the hotfix rule: 2 approvals, 1 of them from its own group, not the normal one's.
    assert.match(hotfix.reply, /2 approval\(s\) of this commit, of which 1 from `Managers` \(erin\) \(reply/);
    assert.doesNotMatch(hotfix.reply, /Security/);
  }, config);
});

test('a schedule dropped for a lock notifies its requester only: the lock holder is shown, never mentioned', async () => {
  const { lockMessage } = await import('../../app/locks.ts');
  const { markerKeys } = await import('../../src/github/marker-keys.ts');
  // A lock tag is written by anyone with push access: its holder can be any text. A login is shown without
  // a notification; a team or anything else that is no login is named as text. A record the App did not
  // write (its MAC made with another key) names its holder as text, unverified.
  const forged = markerKeys({ secret: 'm'.repeat(40) });
  const holders: Array<{ holder: string; shown: RegExp; keys?: typeof forged }> = [
    { holder: 'bob', shown: /locked by @\u200Dbob since/ },
    { holder: 'acme/everyone', shown: /locked by `acme\/everyone` since/ },
    { holder: 'acme/everyone @dave', shown: /locked by acme\/everyone @\u200Ddave since/ },
    { holder: 'bob', shown: /locked by `bob` \(unverified record\) since/, keys: forged },
    {
      holder: 'acme/everyone @dave',
      shown: /locked by acme\/everyone @\u200Ddave \(unverified record\) since/,
      keys: forged,
    },
  ];
  for (const { holder, shown, keys } of holders) {
    await run(async (w) => {
      const ask = await comment(w, '/deploy production at 2026-12-01 10:30', 'alice');
      assert.match(ask.reply, /`schedule_recorded`/);
      await comment(w, '/approve-deploy production', 'carol');
      const message = lockMessage(
        {
          target: { scope: 'environment', environment: 'production' },
          holder,
          createdAt: '2026-12-01T09:00:00.000Z',
          sha: HEAD,
        },
        { keys: keys ?? testMarkerKeys(), repository: `${owner}/${repo}` },
      );
      const tag = await rest(w.fake, 'POST', '/git/tags', {
        tag: 'deploy-lock-production',
        message,
        object: HEAD,
        type: 'commit',
      });
      await rest(w.fake, 'POST', '/git/refs', {
        ref: 'refs/deploy-locks/production',
        sha: (tag as unknown as { sha: string }).sha,
      });
      w.clock.now = at('2026-12-01T09:31:00Z');
      await runCompletes(w);
      assert.equal(deployments(w.fake).length, 0, holder);
      const dropped = replies(w.fake).filter((r) => r.includes('`schedule_locked`'));
      assert.equal(dropped.length, 1, `${holder}: the PR is told`);
      assert.match(dropped[0]!, /by @alice/, `${holder}: the requester is notified`);
      assert.match(dropped[0]!, shown, holder);
      const mentioned = [...dropped[0]!.matchAll(/@(?!\u200D)([A-Za-z0-9][\w/-]*)/g)].map((m) => m[1]);
      assert.deepEqual(mentioned, ['alice'], `${holder}: nobody else is mentioned`);
    });
  }
});

test('a schedule dropped under a lock the App marked released (its ref pointed back at a released tag) names what releases that lock', async () => {
  await run(async (w) => {
    assert.match(
      (await comment(w, '/deploy production at 2026-12-01 10:30', 'alice')).reply,
      /`schedule_recorded`/,
    );
    await comment(w, '/approve-deploy production', 'carol');
    w.clock.now = at('2026-12-01T09:00:00Z');
    assert.match((await comment(w, '/lock production', 'bob')).reply, /Locked/);
    const released = w.fake.repo().refs.get('deploy-locks/production')!;
    assert.match((await comment(w, '/unlock production', 'bob')).reply, /Unlocked/);
    await rest(w.fake, 'POST', '/git/refs', { ref: 'refs/deploy-locks/production', sha: released });
    w.clock.now = at('2026-12-01T09:31:00Z');
    await runCompletes(w);
    assert.equal(deployments(w.fake).length, 0);
    const [dropped, ...more] = replies(w.fake).filter((r) => r.includes('`schedule_locked`'));
    assert.equal(more.length, 0);
    assert.match(
      dropped!,
      /\(`production` is locked by `bob` \(a lock the App marked released: nobody holds it\)[^]*\)\. Nobody deploys there until `\/unlock` `production` `--force`, or `bob`'s `\/unlock` finishing the release the App began\./,
    );
  });
});

test('a second /deploy --queue asking the same as one already queued (another comment) is not queued again, and says so', async () => {
  await run(async (w) => {
    w.clock.now = at('2026-12-01T09:15:00Z');
    await comment(w, '/approve-deploy production', 'carol');
    await comment(w, '/lock production', 'bob');
    const first = await comment(w, '/deploy production --queue --strategy canary | version=3', 'alice');
    assert.match(first.reply, /`queue_recorded`/);
    // The same request again, in a new comment (by alice, or by erin who did not see hers): one request.
    for (const [user, options] of [
      ['alice', '--strategy canary | version=3'],
      ['erin', '--strategy canary | version=3'],
    ] as const) {
      const again = await comment(w, `/deploy production --queue ${options}`, user);
      assert.match(again.reply, /\*\*Not queued again\*\* \(`queue_duplicate`\)/);
      assert.match(again.reply, /`production` queued by @\u200D?alice, place 1 in the queue/);
      assert.match(again.reply, /\/cancel-deploy production/);
    }
    assert.deepEqual(scheduleRefs(w.fake), [`deploy-schedule/production/c${first.id}`]);
    // Other parameters, or another strategy, are another request.
    assert.match(
      (await comment(w, '/deploy production --queue | version=4', 'erin')).reply,
      /`queue_recorded`/,
    );
    assert.equal(scheduleRefs(w.fake).length, 2);
    // Two identical schedules at the same time are one; at another time they are two.
    const at1 = await comment(w, '/deploy staging at 2026-12-01 11:00', 'alice');
    assert.match(at1.reply, /`schedule_recorded`/);
    // No zone written: never the server's; the environment's, and the reply says so.
    assert.match(at1.reply, /`2026-12-01T10:00:00\.000Z`/);
    assert.match(
      at1.reply,
      /no time zone was written: read in the time zone of `staging`, `?Europe\/Berlin`?\)/,
    );
    const zoned = await comment(w, '/deploy staging at 2026-12-01 11:00 UTC', 'alice');
    assert.match(zoned.reply, /`2026-12-01T11:00:00\.000Z`/);
    assert.doesNotMatch(zoned.reply, /no time zone was written/);
    assert.match(
      (await comment(w, '/deploy staging at 2026-12-01 11:00', 'bob')).reply,
      /`schedule_duplicate`/,
    );
    assert.match(
      (await comment(w, '/deploy staging at 2026-12-01 11:30', 'bob')).reply,
      /`schedule_recorded`/,
    );
    assert.equal(scheduleRefs(w.fake).length, 5);
    await comment(w, '/unlock production', 'bob');
    assert.equal(deployments(w.fake).length, 1, 'the first in the queue started');
  });
});

test('two identical /deploy --queue at the same instant, the duplicate claimed elsewhere: the reply says it is still recorded, and it never starts', async () => {
  await run(async (w) => {
    w.clock.now = at('2026-12-01T09:15:00Z');
    await comment(w, '/approve-deploy production', 'carol');
    await comment(w, '/lock production', 'bob');
    const body = '/deploy production --queue | version=3';
    const a = commentOnPull(w.fake, body, { user: 'alice' });
    const e = commentOnPull(w.fake, body, { user: 'erin' });
    // Both requests are claimed elsewhere at this moment (a due check of another replica, say), so the one
    // that loses the ask cannot be withdrawn by the comment that asked for it.
    for (const c of [a, e]) w.fake.repo().refs.set(`deploy-schedule-claims/c${c.id}`, HEAD);
    // Neither records its request before both have read the queue: both are recorded, one loses the ask
    // (left to the event loop, the second delivery often read the first's request and was refused outright).
    w.fake.holdUntil({
      operationId: 'git/create-ref',
      where: (r) => String((r.body as { ref?: string }).ref).startsWith('refs/deploy-schedule/'),
      count: 2,
    });
    const before = replies(w.fake).length;
    await Promise.all(
      [a, e].map(({ payload }) =>
        w.probot.receive({ id: crypto.randomUUID(), name: 'issue_comment', payload } as Receive),
      ),
    );
    const answers = replies(w.fake).slice(before);
    assert.equal(answers.filter((r) => r.includes('`queue_recorded`')).length, 1);
    const pending = answers.filter((r) => r.includes('`queue_duplicate_pending`'));
    assert.equal(pending.length, 1, 'the other is told it is still recorded');
    assert.doesNotMatch(pending[0]!, /Not queued again/);
    assert.match(pending[0]!, /\*\*Withdrawn, not yet removed\*\*/);
    assert.equal(scheduleRefs(w.fake).length, 2, 'both are still listed: the reply says so');
    // It is marked ended by the App's own check run, so whoever lists it later never starts it.
    const marked = (id: number) =>
      [...w.fake.repo().checkRuns.values()].filter((r) => r.name === `deploy schedule: c${id}`).length;
    assert.deepEqual([marked(a.id), marked(e.id)].sort(), [0, 1], 'exactly the withdrawn one is marked');
    const kept = marked(a.id) ? e.id : a.id;
    // The claims are given back; the queue runs, and the kept one deploys; the other never does.
    for (const c of [a, e]) w.fake.repo().refs.delete(`deploy-schedule-claims/c${c.id}`);
    await comment(w, '/unlock production', 'bob');
    assert.equal(deployments(w.fake).length, 1);
    const first = deployments(w.fake)[0]!;
    const ended = webhookPayload(
      'deployment_status',
      'created',
      {
        deployment: {
          id: first.id,
          sha: HEAD,
          environment: 'production',
          payload: first.payload,
          creator: { login: BOT, type: 'Bot' },
        },
        repository: { default_branch: 'main' },
        deployment_status: {
          creator: { login: 'github-actions[bot]', type: 'Bot' },
          state: 'success',
          environment: 'production',
          description: 'done',
          created_at: '2026-12-01T09:40:00Z',
        },
      },
      { owner, repo, baseUrl: w.fake.url, installationId: w.fake.state.installationId },
    );
    await w.probot.receive({ id: crypto.randomUUID(), name: 'deployment_status', payload: ended } as Receive);
    await runCompletes(w);
    assert.equal(deployments(w.fake).length, 1, 'one deployment of it, not two');
    assert.equal(parseDeploymentPayload(first.payload).source_comment_id, kept, 'the one that stands');
    assert.deepEqual(scheduleRefs(w.fake), [], 'the withdrawn one is removed once its claim is free');
  });
});
