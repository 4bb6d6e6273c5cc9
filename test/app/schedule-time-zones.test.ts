// Time zones through the App: `/deploy <env> at <date> <time> [zone]` on the night the clocks go back
// (the first occurrence of the repeated hour, said in the reply, and started then), a zone written in any
// case or under its current name (the reply names it as the tz database does today), and zones the platform
// does not know or offsets (refused, naming what was written).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FakeGitHub } from '../fake-github/index.ts';
import { appReplies } from './helpers.ts';
import {
  comment as commentAs,
  deployments,
  inWorld,
  runCompletes,
  scheduleRefs,
  type World,
} from './schedule-world.ts';

// Paris goes back from 03:00 CEST to 02:00 CET on Sunday 25 October 2026 (01:00Z): 02:30 happens twice.
const at = (iso: string): Date => new Date(iso);

const CONFIG = (extra = '') => `
target:
  commands:
    deploy: ./deploy.sh
approvals:
  timezone: Europe/Paris
environments:
  production:
    approvals:
      deployers: [alice]
      required: 0
      windows:
        - { days: [sun], start: "01:00", end: "04:00" }
${extra}`;

const run = (body: (w: World) => Promise<void>, config = CONFIG()): Promise<void> =>
  inWorld(body, { config, collaborators: ['alice'], start: at('2026-10-20T08:00:00Z') });

// The text as read: userText breaks `:` runs with a zero-width joiner and escapes Markdown (`\(`).
const replies = (fake: FakeGitHub): string[] =>
  appReplies(fake).map((r) => r.replace(/\u200D/g, '').replace(/\\([()])/g, '$1'));
const comment = (w: World, body: string, user: string, redeliver = 0) =>
  commentAs(w, body, user, redeliver, replies);

test('02:30 on the night the clocks go back is its first occurrence: said in the reply, and started then, once', async () => {
  await run(async (w) => {
    // No zone written: production's (Europe/Paris). 02:30 CEST is 00:30Z; 02:30 CET an hour later.
    const ask = await comment(w, '/deploy production at 2026-10-25 02:30', 'alice');
    assert.match(ask.reply, /\*\*Scheduled\*\* \(`schedule_recorded`\)/);
    assert.match(ask.reply, /`2026-10-25T00:30:00\.000Z`/);
    assert.match(
      ask.reply,
      /\(`schedule_time_repeated`\): 2026-10-25 02:30 happens twice in Europe\/Paris \(the clocks go back that night\): the first, 2026-10-25T00:30:00\.000Z, is taken; for the second write 2026-10-25 01:30 UTC/,
    );
    assert.deepEqual(scheduleRefs(w.fake), [`deploy-schedule/production/c${ask.id}`]);

    w.clock.now = at('2026-10-25T00:29:59Z');
    await runCompletes(w);
    assert.equal(deployments(w.fake).length, 0, 'not due before the first 02:30');
    w.clock.now = at('2026-10-25T00:31:00Z');
    await runCompletes(w);
    assert.equal(deployments(w.fake).length, 1, 'started at the first 02:30');
    w.clock.now = at('2026-10-25T01:31:00Z');
    await runCompletes(w);
    assert.equal(deployments(w.fake).length, 1, 'not again at the second 02:30');
  });
});

test('a zone in another case or by its current name is named as the tz database does; unknown zones and offsets are refused naming them', async () => {
  await run(async (w) => {
    const lower = await comment(w, '/deploy production at 2026-10-25 03:30 europe/paris', 'alice');
    assert.match(lower.reply, /`schedule_recorded`.*\(2026-10-25 03:30 Europe\/Paris\)/s);
    assert.doesNotMatch(lower.reply, /schedule_time_repeated/, '03:30 is shown once');
    // Kolkata (UTC+05:30, no DST) and Paris are 3½ hours apart that night: 07:00 in Kolkata is 03:30 in Paris.
    const kolkata = await comment(w, '/deploy production at 2026-10-25 07:00 Asia/Kolkata', 'alice');
    assert.match(kolkata.reply, /`2026-10-25T01:30:00\.000Z`/);
    assert.match(kolkata.reply, /\(2026-10-25 07:00 Asia\/Kolkata\)/);
    assert.doesNotMatch(kolkata.reply, /Calcutta/);
    for (const zone of ['Mars/Olympus', 'UTC+25', 'Etc/GMT+14', '+05:30', 'CEST']) {
      const { reply } = await comment(w, `/deploy production at 2026-10-25 03:00 ${zone}`, 'alice');
      assert.match(reply, /\(`schedule_zone_unknown`\)/, `${zone}: ${reply}`);
      assert.ok(reply.includes(`time zone ${zone} is not`), `${zone} named: ${reply}`);
    }
  });
});
