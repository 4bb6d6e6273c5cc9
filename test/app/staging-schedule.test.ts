// `/deploy X at <time>` where X's `staging: Y`: the run deploys Y first, so the time asked for is checked against
// Y's windows and freezes too when the request is made, not only when it is due (where the policy of both
// refuses it anyway). A schedule the App accepts only to refuse at its time would be a promise it cannot keep.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appReplies } from './helpers.ts';
import { comment, deployments, inWorld, runCompletes, scheduleRefs, type World } from './schedule-world.ts';

// Tuesday 1 December 2026, 08:00Z. Berlin is UTC+1; production's window is 10:00-12:00 Berlin (09:00-11:00Z).
const CONFIG = (extra = '') => `
target:
  commands:
    deploy: ./deploy.sh
approvals:
  timezone: Europe/Berlin
environments:
  preview:
    production: false
    staging: production
  production:
    approvals:
      required: 0
      windows:
        - { days: [tue, wed, thu], start: "10:00", end: "12:00" }
${extra}`;

const run = (body: (w: World) => Promise<void>, config = CONFIG()): Promise<void> =>
  inWorld(body, {
    config,
    collaborators: ['alice', 'bob'],
    start: new Date('2026-12-01T08:00:00Z'),
  });

test("/deploy preview at a time outside production's window (its staging environment) is refused when asked, naming production", async () => {
  await run(async (w) => {
    const { reply } = await comment(w, '/deploy preview at 2026-12-01 13:00', 'bob');
    assert.match(reply, /\(`outside_window`\)/, reply);
    assert.match(reply, /the staging environment `production`, which this deployment changes first/, reply);
    // The next time both allow: Wednesday 10:00 Berlin.
    assert.match(reply, /2026-12-02T09:00:00\.000Z/, reply);
    assert.deepEqual(scheduleRefs(w.fake), [], 'nothing is kept');
    // Inside production's window: recorded (preview has no window of its own).
    const inside = await comment(w, '/deploy preview at 2026-12-01 10:30', 'bob');
    assert.match(inside.reply, /\*\*Scheduled\*\* \(`schedule_recorded`\)/, inside.reply);
  });
});

test("/deploy preview at a time inside production's freeze is refused when asked, naming production", async () => {
  const frozen = CONFIG().replace(
    '      required: 0\n',
    '      required: 0\n      freezes:\n        - { from: "2026-12-01T00:00", to: "2026-12-02T00:00", reason: "incident review" }\n',
  );
  await run(async (w) => {
    const { reply } = await comment(w, '/deploy preview at 2026-12-01 10:30', 'bob');
    assert.match(reply, /\(`frozen`\)/, reply);
    assert.match(
      reply,
      /the staging environment `production`, which this deployment changes first, is frozen/,
      reply,
    );
    assert.deepEqual(scheduleRefs(w.fake), [], 'nothing is kept');
  }, frozen);
});

// The approvals each rule needs: preview's own and production's, whose approver counts only there (docs/policy.md).
const APPROVED = CONFIG()
  .replace(
    '    staging: production\n',
    '    staging: production\n    approvals:\n      required: 1\n      approvers: [alice]\n',
  )
  .replace('      required: 0\n', '      required: 1\n      approvers: [carol]\n');

test('the Scheduled and Queued replies name the approvals of both rules: the staging environment’s with its approvers', async () => {
  await run(async (w) => {
    const both =
      /1 approval\(s\) of this commit and 1 approval\(s\) for the staging environment `production`, which this deployment changes first, from @\u200Dcarol \(reply \/approve-deploy preview\)/;
    const scheduled = await comment(w, '/deploy preview at 2026-12-01 10:30', 'bob');
    assert.match(scheduled.reply, /`schedule_recorded`/, scheduled.reply);
    assert.match(scheduled.reply, both, scheduled.reply);
    // Queued behind production's lock (the run takes it too): the same words.
    assert.match((await comment(w, '/lock production', 'alice')).reply, /Locked/);
    const queued = await comment(w, '/deploy preview --queue | version=2', 'bob');
    assert.match(queued.reply, /`queue_recorded`/, queued.reply);
    assert.match(queued.reply, both, queued.reply);
    // A hotfix skips staging: preview's hotfix rule alone (inherited: 1 approval), production is not named.
    assert.match((await comment(w, '/lock preview', 'alice')).reply, /Locked/);
    const hotfix = await comment(w, '/deploy preview --queue --hotfix --reason "outage"', 'bob');
    assert.match(hotfix.reply, /`queue_recorded`/, hotfix.reply);
    assert.match(
      hotfix.reply,
      /1 approval\(s\) of this commit \(reply \/approve-deploy preview\)/,
      hotfix.reply,
    );
    assert.doesNotMatch(hotfix.reply, /staging environment/, hotfix.reply);
  }, APPROVED);
});

test('only the staging environment’s rule needs approvals: the reply names it, not "approvals" alone', async () => {
  const stagingOnly = CONFIG().replace(
    '      required: 0\n',
    '      required: 1\n      approvers: [carol]\n',
  );
  await run(async (w) => {
    const scheduled = await comment(w, '/deploy preview at 2026-12-01 10:30', 'bob');
    assert.match(
      scheduled.reply,
      /freeze, 1 approval\(s\) of this commit for the staging environment `production`, which this deployment changes first, from @\u200Dcarol \(reply \/approve-deploy preview\), required checks/,
      scheduled.reply,
    );
  }, stagingOnly);
});

test("due while production (its staging environment) is locked: /deploy preview at <time> is not started naming production, and a queued one waits, as under preview's own lock", async () => {
  await run(async (w) => {
    assert.match((await comment(w, '/lock production', 'alice')).reply, /Locked/);
    const scheduled = await comment(w, '/deploy preview at 2026-12-01 10:30', 'bob');
    assert.match(scheduled.reply, /`schedule_recorded`/, scheduled.reply);
    const queued = await comment(w, '/deploy preview --queue | version=2', 'bob');
    assert.match(queued.reply, /`queue_recorded`/, queued.reply);
    const before = appReplies(w.fake).length;
    w.clock.now = new Date('2026-12-01T09:31:00Z');
    await runCompletes(w);
    // Decided on the locks, as under preview's own lock: not started for a lock, not checked against the
    // approvals neither has (needs_approvals) nor claimed and put back.
    const said = appReplies(w.fake).slice(before);
    assert.equal(said.length, 1, said.join('\n---\n'));
    assert.match(
      said[0]!,
      /^\*\*Not started\*\* \(`schedule_locked`\): .*: the staging environment `production`, which this deployment changes first, was locked at its time \(`production` is locked by @\u200Dalice/,
      said[0],
    );
    assert.deepEqual(scheduleRefs(w.fake), [`deploy-schedule/preview/c${queued.id}`], 'the queued one waits');
    assert.equal(deployments(w.fake).length, 0);
  }, APPROVED);
});

test("queued /deploy production and /deploy preview (staging: production) when production's lock goes: production starts, preview waits behind it unchecked, not refused for approvals it may yet get", async () => {
  const previewNeedsCarol = CONFIG().replace(
    '    staging: production\n',
    '    staging: production\n    approvals:\n      required: 1\n      approvers: [carol]\n',
  );
  await run(async (w) => {
    w.clock.now = new Date('2026-12-01T09:31:00Z');
    assert.match((await comment(w, '/lock production', 'alice')).reply, /Locked/);
    const production = await comment(w, '/deploy production --queue', 'bob');
    assert.match(production.reply, /`queue_recorded`/, production.reply);
    const preview = await comment(w, '/deploy preview --queue', 'bob');
    assert.match(preview.reply, /`queue_recorded`/, preview.reply);
    const before = appReplies(w.fake).length;
    // alice's /unlock looks at the queues: production's request starts and takes production's lock, which
    // preview's run needs too. preview's request waits behind it, as behind any lock, unclaimed and unchecked.
    await comment(w, '/unlock production', 'alice');
    const said = appReplies(w.fake).slice(before);
    assert.ok(
      said.some((s) => /\*\*Started\*\* \(`queue_started`\)/.test(s)),
      said.join('\n---\n'),
    );
    assert.ok(!said.some((s) => /Not started/.test(s)), said.join('\n---\n'));
    assert.deepEqual(
      deployments(w.fake).map((d) => d.environment),
      ['production'],
    );
    assert.deepEqual(scheduleRefs(w.fake), [`deploy-schedule/preview/c${preview.id}`], 'preview waits');
  }, previewNeedsCarol);
});

test('queued /deploy preview (staging: production) refused at its re-check, /deploy production queued behind it: production starts on the same trigger', async () => {
  const previewNeedsCarol = CONFIG().replace(
    '    staging: production\n',
    '    staging: production\n    approvals:\n      required: 1\n      approvers: [carol]\n',
  );
  await run(async (w) => {
    w.clock.now = new Date('2026-12-01T09:31:00Z');
    assert.match((await comment(w, '/lock production', 'alice')).reply, /Locked/);
    const preview = await comment(w, '/deploy preview --queue', 'bob');
    assert.match(preview.reply, /`queue_recorded`/, preview.reply);
    const production = await comment(w, '/deploy production --queue', 'bob');
    assert.match(production.reply, /`queue_recorded`/, production.reply);
    const before = appReplies(w.fake).length;
    // preview's request, asked first, starts first and takes production's lock: production's waits behind it.
    // preview's is refused at its re-check (no approval of carol's), so the queue is looked at again at once.
    await comment(w, '/unlock production', 'alice');
    const said = appReplies(w.fake).slice(before).join('\n---\n');
    assert.match(said, /\*\*Not started\*\* \(`queue_needs_approvals`\): .* to `preview`/, said);
    assert.match(said, /\*\*Started\*\* \(`queue_started`\): .* to `production`/, said);
    assert.deepEqual(
      deployments(w.fake).map((d) => d.environment),
      ['production'],
    );
    assert.deepEqual(scheduleRefs(w.fake), []);
  }, previewNeedsCarol);
});
