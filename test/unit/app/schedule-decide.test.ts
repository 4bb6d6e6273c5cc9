// The pure side of scheduled and queued deployments: which request to act on with an injected clock and
// locks, what a re-check means, who may cancel, and the signed record (what it binds).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  dueDecisions,
  mayCancel,
  MISSED_AFTER_MS,
  queueOrder,
  startCheck,
} from '../../../app/schedule/decide.ts';
import type { DueDecision } from '../../../app/schedule/decide.ts';
import {
  readScheduleMessage,
  refParts,
  scheduleMessage,
  scheduleRefName,
} from '../../../app/schedule/record.ts';
import type { ScheduledRequest } from '../../../app/schedule/record.ts';
import { scheduleStatus } from '../../../app/schedule/status.ts';
import type { LockInfo, Locks } from '../../../app/locks.ts';
import { markerKeys } from '../../../src/github/marker-keys.ts';

const SHA = 'a'.repeat(40);
const NOW = new Date('2026-12-01T10:00:00Z');
const keys = markerKeys({ secret: 'k'.repeat(40) });
const otherKeys = markerKeys({ secret: 'o'.repeat(40) });

let next = 100;
function request(over: Partial<ScheduledRequest> = {}): ScheduledRequest {
  const id = next++;
  return {
    id: `c${id}`,
    mode: 'at',
    environment: 'production',
    sha: SHA,
    pr: 7,
    type: 'standard',
    params: {},
    requestedBy: 'alice',
    sourceCommentId: id,
    requestedAt: new Date('2026-11-30T10:00:00Z'),
    at: NOW,
    ...over,
  };
}
const none: Locks = { environments: [] };
const envLock = (holder: string, environment = 'production'): LockInfo => ({
  target: { scope: 'environment', environment },
  holder,
  createdAt: '2026-12-01T09:00:00Z',
  sha: SHA,
});
const summary = (ds: DueDecision[]) => ds.map((d) => `${d.request.id}:${d.action}:${d.code}`);

test('a schedule is due at its time, not a millisecond before, and missed after the grace', () => {
  const r = request();
  assert.deepEqual(summary(dueDecisions([r], none, new Date(NOW.getTime() - 1))), [
    `${r.id}:wait:schedule_not_due`,
  ]);
  assert.deepEqual(summary(dueDecisions([r], none, NOW)), [`${r.id}:start:schedule_due`]);
  assert.deepEqual(summary(dueDecisions([r], none, new Date(NOW.getTime() + MISSED_AFTER_MS))), [
    `${r.id}:start:schedule_due`,
  ]);
  assert.deepEqual(summary(dueDecisions([r], none, new Date(NOW.getTime() + MISSED_AFTER_MS + 1))), [
    `${r.id}:drop:schedule_missed`,
  ]);
});

test('a due schedule meeting a lock is dropped (its time was the moment); the holder of a /lock is not blocked', () => {
  const r = request();
  const [d] = dueDecisions([r], { environments: [envLock('bob')] }, NOW);
  assert.equal(d!.action, 'drop');
  assert.equal(d!.code, 'schedule_locked');
  assert.equal(d!.action === 'drop' && d!.lock?.holder, 'bob');
  assert.equal(dueDecisions([r], { environments: [envLock('alice')] }, NOW)[0]!.action, 'start');
  const global: Locks = { global: { ...envLock('alice'), target: { scope: 'global' } }, environments: [] };
  assert.equal(
    dueDecisions([r], global, NOW)[0]!.code,
    'schedule_locked',
    'the global lock stops its holder too',
  );
  const deploying: Locks = { environments: [{ ...envLock('deployment'), deployment: true }] };
  assert.equal(dueDecisions([r], deploying, NOW)[0]!.code, 'schedule_locked');
  // Another environment's lock is none of its business.
  assert.equal(dueDecisions([r], { environments: [envLock('bob', 'staging')] }, NOW)[0]!.action, 'start');
});

test("a request whose run changes a staging environment first meets that environment's lock as its own: dropped when due, queued behind it, its holder let through", () => {
  // preview's run deploys production first (staging: production).
  const stagingOf = (r: ScheduledRequest) => (r.environment === 'preview' ? 'production' : undefined);
  const scheduled = request({ environment: 'preview' });
  const queued = request({ environment: 'preview', mode: 'queue' });
  const onProduction: Locks = { environments: [envLock('bob')] };
  const [drop, wait] = dueDecisions([scheduled, queued], onProduction, NOW, stagingOf);
  assert.equal(
    drop!.action === 'drop' && drop!.code === 'schedule_locked' && drop!.lock,
    onProduction.environments[0],
  );
  assert.equal(
    wait!.action === 'wait' && wait!.code === 'queue_locked' && wait!.lock,
    onProduction.environments[0],
  );
  // The holder of the /lock deploys under it, as under their lock on preview.
  assert.deepEqual(summary(dueDecisions([scheduled], { environments: [envLock('alice')] }, NOW, stagingOf)), [
    `${scheduled.id}:start:schedule_due`,
  ]);
  // A running deployment's lock on production stops it too; without a staging environment (a hotfix skips
  // it: stagingOf names none), production's lock is none of its business.
  const deploying: Locks = { environments: [{ ...envLock('deployment'), deployment: true }] };
  assert.equal(dueDecisions([queued], deploying, NOW, stagingOf)[0]!.code, 'queue_locked');
  assert.equal(dueDecisions([queued], onProduction, NOW)[0]!.code, 'queue_next');
});

test("a start in the same pass takes its staging environment's lock: a queued request that needs it waits behind it, the one asked first starts, and schedules go first", () => {
  // preview and eu-west deploy production first (staging: production).
  const stagingOf = (r: ScheduledRequest) => (r.environment === 'production' ? undefined : 'production');
  const asked = (minute: number) => new Date(`2026-12-01T09:0${minute}:00Z`);
  const preview = request({ environment: 'preview', mode: 'queue', requestedAt: asked(1) });
  const euWest = request({ environment: 'eu-west', mode: 'queue', requestedAt: asked(2) });
  const production = request({ environment: 'production', mode: 'queue', requestedAt: asked(3) });
  // Nothing locked when read: the first asked starts and takes production's lock; the others would meet it at
  // their start, after a policy check that could drop them, so they wait behind it, unclaimed.
  assert.deepEqual(summary(dueDecisions([preview, euWest, production], none, NOW, stagingOf)), [
    `${preview.id}:start:queue_next`,
    `${euWest.id}:wait:queue_behind`,
    `${production.id}:wait:queue_behind`,
  ]);
  // Asked first, listed last (the listing is by name): production's starts.
  const earlier = request({ environment: 'production', mode: 'queue', requestedAt: asked(0) });
  assert.deepEqual(summary(dueDecisions([preview, euWest, earlier], none, NOW, stagingOf)), [
    `${preview.id}:wait:queue_behind`,
    `${euWest.id}:wait:queue_behind`,
    `${earlier.id}:start:queue_next`,
  ]);
  // A hotfix of eu-west skips staging (stagingOf names none): it starts beside preview's.
  const hotfix = request({ environment: 'eu-west', mode: 'queue', type: 'hotfix', requestedAt: asked(2) });
  const hotfixStaging = (r: ScheduledRequest) => (r.type === 'hotfix' ? undefined : stagingOf(r));
  assert.deepEqual(summary(dueDecisions([preview, hotfix], none, NOW, hotfixStaging)), [
    `${preview.id}:start:queue_next`,
    `${hotfix.id}:start:queue_next`,
  ]);
  // A due schedule of production, listed after preview's queue: it starts (its time is the one moment), and
  // preview's queued request, asked before, waits behind it.
  const scheduled = request({ environment: 'production' });
  assert.deepEqual(summary(dueDecisions([preview, scheduled], none, NOW, stagingOf)), [
    `${scheduled.id}:start:schedule_due`,
    `${preview.id}:wait:queue_behind`,
  ]);
});

test('due schedules are started in time order across environments: of two that need one staging lock, the earlier one goes first', () => {
  // preview and eu-west deploy production first (staging: production); the listing is by name, not by time.
  const stagingOf = (r: ScheduledRequest) => (r.environment === 'production' ? undefined : 'production');
  const preview = request({ environment: 'preview', at: new Date(NOW.getTime() - 60_000) });
  const euWest = request({ environment: 'eu-west', at: new Date(NOW.getTime() - 300_000) });
  const later = request({ environment: 'eu-west', at: new Date(NOW.getTime() + 60_000) });
  // Decisions are acted on in order (app/schedule/run-due.ts): eu-west's, due first, starts first and takes
  // production's lock, which preview's start then meets (and names, schedule_locked).
  assert.deepEqual(summary(dueDecisions([preview, later, euWest], none, NOW, stagingOf)), [
    `${euWest.id}:start:schedule_due`,
    `${preview.id}:start:schedule_due`,
    `${later.id}:wait:schedule_not_due`,
  ]);
  // Same time: by request id, so every replica decides alike.
  const a = request({ environment: 'preview' });
  const b = request({ environment: 'eu-west' });
  assert.deepEqual(
    summary(dueDecisions([b, a], none, NOW, stagingOf)).map((line) => line.split(':')[0]),
    [a.id, b.id],
  );
});

test('the queue starts in the order asked, one per environment, after a due schedule, and only when free', () => {
  const q1 = request({ mode: 'queue', requestedAt: new Date('2026-12-01T09:01:00Z'), requestedBy: 'carol' });
  const q2 = request({ mode: 'queue', requestedAt: new Date('2026-12-01T09:00:00Z'), requestedBy: 'dave' });
  const q3 = request({ mode: 'queue', requestedAt: new Date('2026-12-01T09:00:00Z'), requestedBy: 'erin' });
  const s = request({ at: new Date('2026-12-01T09:59:00Z') });
  const other = request({ mode: 'queue', environment: 'staging' });
  // Same time: the lower comment id (asked first) goes first.
  assert.deepEqual(
    queueOrder([q1, q3, q2], 'PRODUCTION').map((r) => r.id),
    [q2.id, q3.id, q1.id],
  );
  assert.deepEqual(summary(dueDecisions([q1, q2, q3], { environments: [envLock('bob')] }, NOW)), [
    `${q2.id}:wait:queue_locked`,
    `${q3.id}:wait:queue_locked`,
    `${q1.id}:wait:queue_locked`,
  ]);
  assert.deepEqual(summary(dueDecisions([q1, q2, q3, other], none, NOW)), [
    `${q2.id}:start:queue_next`,
    `${q3.id}:wait:queue_behind`,
    `${q1.id}:wait:queue_behind`,
    `${other.id}:start:queue_next`,
  ]);
  assert.deepEqual(summary(dueDecisions([q1, s], none, NOW)), [
    `${s.id}:start:schedule_due`,
    `${q1.id}:wait:queue_behind`,
  ]);
  // Two schedules due at once on one environment: the earlier starts, the other is told.
  const s2 = request({ at: NOW });
  assert.deepEqual(summary(dueDecisions([s2, s], none, NOW)), [
    `${s.id}:start:schedule_due`,
    `${s2.id}:drop:schedule_behind`,
  ]);
});

test('the re-check at start: refusals carry the request’s own prefix; a closed PR never starts', () => {
  const at = request();
  const queued = request({ mode: 'queue' });
  assert.deepEqual(startCheck(at, { prOpen: true, policy: { ok: true } }), { start: true });
  assert.deepEqual(startCheck(at, { prOpen: true, policy: { ok: false, code: 'outside_window' } }), {
    start: false,
    code: 'schedule_outside_window',
  });
  assert.deepEqual(startCheck(at, { prOpen: true, policy: { ok: false, code: 'sha_moved' } }), {
    start: false,
    code: 'schedule_sha_moved',
  });
  assert.deepEqual(startCheck(queued, { prOpen: true, policy: { ok: false, code: 'needs_approvals' } }), {
    start: false,
    code: 'queue_needs_approvals',
  });
  assert.deepEqual(startCheck(queued, { prOpen: false, policy: { ok: true } }), {
    start: false,
    code: 'queue_pr_closed',
  });
});

test('who may cancel: the requester (any case), or a deployer; nobody else', () => {
  const r = request({ requestedBy: 'Alice' });
  assert.deepEqual(mayCancel(r, 'alice', false), { ok: true, as: 'requester' });
  assert.deepEqual(mayCancel(r, 'bob', true), { ok: true, as: 'deployer' });
  assert.deepEqual(mayCancel(r, 'mallory', false), { ok: false, code: 'not_allowed' });
});

test('the signed record binds the repository, the environment, the request id and the commit', () => {
  const r = request({ zone: 'Europe/Berlin', strategy: 'canary', params: { version: '1.2' } });
  const message = scheduleMessage(r, keys, 'acme/web');
  const where = { repository: 'acme/web', environment: 'production', id: r.id, taggedSha: SHA };
  const read = readScheduleMessage(message, keys, where);
  assert.deepEqual(read, { ok: true, request: r });
  const code = (w: Partial<typeof where>, text = message, k = keys) => {
    const x = readScheduleMessage(text, k, { ...where, ...w });
    return x.ok ? 'ok' : x.code;
  };
  assert.equal(code({ repository: 'ACME/WEB' }), 'ok', 'repository names compare without case');
  assert.equal(code({ repository: 'acme/other' }), 'schedule_forged');
  assert.equal(code({ environment: 'staging' }), 'schedule_forged');
  assert.equal(code({ id: 'c999' }), 'schedule_forged');
  assert.equal(code({ taggedSha: 'b'.repeat(40) }), 'schedule_forged', 'a genuine message on another commit');
  assert.equal(code({}, message, otherKeys), 'schedule_forged', 'another key');
  assert.equal(code({}, message.replace('"by":"alice"', '"by":"mallory"')), 'schedule_forged', 'edited');
  assert.equal(code({}, `${message}\n${message}`), 'schedule_forged', 'two markers');
  assert.equal(code({}, 'Deployment of production\n'), 'schedule_forged', 'no marker');
  // A marker written above the trailing block is never read.
  assert.equal(code({}, `${message}\nsome text after it\n`), 'schedule_forged');
});

test('ref names: lower-case environment and a comment id only; names git cannot hold give none', () => {
  assert.equal(scheduleRefName('Production', 'c42'), 'deploy-schedule/production/c42');
  assert.deepEqual(refParts('refs/deploy-schedule/production/c42'), { environment: 'production', id: 'c42' });
  assert.equal(scheduleRefName('prod..x', 'c42'), undefined);
  assert.equal(scheduleRefName('production', 'x42'), undefined);
  assert.equal(refParts('refs/deploy-schedule/production/../c42'), undefined);
  assert.equal(refParts('refs/deploy-schedule/production/evil'), undefined);
});

test('/status lines escape every stored value, even in a genuine record', () => {
  const hostile = request({ zone: '<img src=x onerror=1> @everyone [x](http://evil)', requestedBy: 'alice' });
  const q = request({ mode: 'queue', environment: 'staging' });
  const text = scheduleStatus([hostile, q], undefined);
  assert.match(text, /\*\*Scheduled\*\*: \n- `production` ← `aaaaaaaaaaaa` at `2026-12-01T10:00:00.000Z`/);
  assert.doesNotMatch(text, /<img|@everyone|\]\(http/);
  assert.match(text, /\*\*Queue\*\*: \n- `staging` 1\. `aaaaaaaaaaaa`, asked by @alice on PR #7/);
  assert.match(scheduleStatus([hostile, q], ['staging']), /\*\*Scheduled\*\*: none/);
  assert.match(scheduleStatus([], undefined), /\*\*Queue\*\*: none/);
});

test('/status: requests that will not start say why (closed pull request, moved head, environment gone); others are listed as before', () => {
  const scheduled = request({});
  const queued = request({ mode: 'queue', environment: 'staging' });
  const other = request({ mode: 'queue', environment: 'staging', pr: 8 });
  const all = [scheduled, queued, other];
  const pull = { number: 7, open: true, headSha: SHA };
  const environments = ['production', 'staging'];
  const closed = scheduleStatus(all, undefined, { pull: { ...pull, open: false }, environments });
  assert.match(
    closed,
    /- `production` ← `aaaaaaaaaaaa` at `[^`]+`, asked by @\S+ on PR #7: will not start, pull request #7 is closed\n/,
  );
  assert.match(
    closed,
    /- `staging` \d\. `aaaaaaaaaaaa`, asked by @\S+ on PR #7: will not start, pull request #7 is closed/,
  );
  assert.match(
    closed,
    /- `staging` \d\. `aaaaaaaaaaaa`, asked by @\S+ on PR #8$/m,
    "another pull request's is not known",
  );
  const moved = scheduleStatus(all, undefined, { pull: { ...pull, headSha: 'b'.repeat(40) }, environments });
  assert.match(moved, /on PR #7: will not start, the pull request's head is now `bbbbbbbbbbbb`\n/);
  assert.match(moved, /on PR #8$/m);
  const gone = scheduleStatus(all, undefined, { pull, environments: ['production'] });
  assert.match(
    gone,
    /- `staging` \d\. .* on PR #7: will not start, the config no longer defines the environment/,
  );
  assert.match(
    gone,
    /- `staging` \d\. .* on PR #8: will not start, the config no longer defines the environment/,
  );
  assert.doesNotMatch(scheduleStatus(all, undefined, { pull, environments }), /will not start/);
  assert.doesNotMatch(scheduleStatus(all, undefined), /will not start/);
});
