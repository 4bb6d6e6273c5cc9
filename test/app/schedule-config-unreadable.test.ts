// A due check that cannot read the config does not know which staging environment's lock holds each request
// (app/schedule/run-due.ts): it fails closed. Nothing starts on that check, nothing is refused or dropped for a
// decision made without it, the log says why, and the next check that reads the config decides as usual.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Api } from '../../app/facts/github.ts';
import { runDue } from '../../app/schedule/run-due.ts';
import type { DueOutcome } from '../../app/schedule/run-due.ts';
import { recordRequest } from '../../app/schedule/store.ts';
import type { ScheduleApi } from '../../app/schedule/store.ts';
import { appReplies, deployYml, testMarkerKeys } from './helpers.ts';
import { ASKED, deployments, scheduleRefs, scheduledRequest, withDueFake } from './schedule-world.ts';

const where = { owner: 'acme', repo: 'web' };
const keys = testMarkerKeys();
const NOW = new Date('2026-12-01T09:31:00Z');

// preview deploys production first (its staging environment) and needs carol's approval, which it does not have
// yet: started in the same pass as production's request, it would be refused for it and its request removed.
const CONFIG = deployYml(`
  preview:
    production: false
    staging: production
    approvals:
      required: 1
      approvers: [carol]
  production:
    production: true
    approvals:
      required: 0
`);

/** bob's queued request of comment `n` to `environment`, asked `n` seconds after ASKED. */
const queued = (n: number, environment: string) =>
  scheduledRequest(n, 'bob', { environment, requestedAt: new Date(ASKED.getTime() + n * 1000) });
const PRODUCTION = queued(2, 'production');
const PREVIEW = queued(3, 'preview');

/** `api`, whose first read of the config answers a server error (after its retries), or `status`. */
function configFailsOnce(api: Api, status = 502): { api: Api; failed: () => boolean } {
  let failed = false;
  const getContent = (params: { path?: string }) => {
    if (!failed && params.path === '.github/deploy.yml') {
      failed = true;
      return Promise.reject(
        Object.assign(new Error(status === 404 ? 'Not Found' : 'Server Error'), { status }),
      );
    }
    return (api.repos.getContent as (p: unknown) => Promise<unknown>)(params);
  };
  const repos = new Proxy(api.repos, {
    get: (target, key, receiver) => (key === 'getContent' ? getContent : Reflect.get(target, key, receiver)),
  });
  const flaky = new Proxy(api, {
    get: (target, key, receiver) => (key === 'repos' ? repos : Reflect.get(target, key, receiver)),
  });
  return { api: flaky, failed: () => failed };
}

const statusOf = (outcomes: DueOutcome[], id: string) => outcomes.find((o) => o.id === id);

test('the config unreadable at a due check (a GitHub error): nothing starts or is refused on it, the log says why; the next check starts production and holds preview behind its lock', async () => {
  await withDueFake(
    { environments: [], collaborators: ['alice', 'bob', 'carol'], config: CONFIG },
    async (d) => {
      for (const r of [PRODUCTION, PREVIEW])
        assert.equal(
          await recordRequest(d.api as unknown as ScheduleApi, where, keys, r, d.swap),
          'recorded',
        );
      const warned: string[] = [];
      const warn = (fields: Record<string, unknown>, message: string) =>
        void warned.push(`${message} ${JSON.stringify(fields)}`);
      const flaky = configFailsOnce(d.api);

      const first = await runDue(d.due({ now: NOW, warn, swap: d.swap, api: flaky.api }), where);
      assert.ok(flaky.failed(), 'the due check read the config');
      // Decided without preview's staging environment, both would start: production, then preview refused
      // for carol's approval (queue_needs_approvals) and its request removed. Neither is acted on.
      assert.deepEqual(deployments(d.fake), [], JSON.stringify(first));
      assert.equal(statusOf(first, PRODUCTION.id)?.status, 'failed', JSON.stringify(first));
      assert.equal(statusOf(first, PREVIEW.id)?.status, 'failed', JSON.stringify(first));
      assert.deepEqual(scheduleRefs(d.fake), [
        `deploy-schedule/preview/${PREVIEW.id}`,
        `deploy-schedule/production/${PRODUCTION.id}`,
      ]);
      assert.deepEqual(
        appReplies(d.fake).filter((r) => /Not started|Started/.test(r)),
        [],
        'nobody is told anything',
      );
      // Said once, with the error, as an alarm (a GitHub error, not a config its owners must fix).
      const said = warned.filter((w) => /the config could not be read/.test(w));
      assert.equal(said.length, 1, warned.join('\n'));
      assert.match(said[0]!, /none is started on this check; the next trigger tries again.*Server Error/);
      // Naming the requests it holds.
      assert.match(said[0]!, /"requests":\["c3","c2"\]/, said[0]);
      assert.equal(warned.length, 1, warned.join('\n'));

      // The next check reads it: production starts and takes its lock, which preview's run needs too, so
      // preview waits behind it, unclaimed and unchecked.
      const next = await runDue(d.due({ now: NOW, warn, swap: d.swap }), where);
      assert.equal(statusOf(next, PRODUCTION.id)?.status, 'started', JSON.stringify(next));
      assert.equal(statusOf(next, PREVIEW.id), undefined, JSON.stringify(next));
      assert.deepEqual(
        deployments(d.fake).map((x) => x.environment),
        ['production'],
      );
      assert.deepEqual(scheduleRefs(d.fake), [`deploy-schedule/preview/${PREVIEW.id}`]);
    },
  );
});

test('a due scheduled request is not dropped on a check that cannot read the config: nothing starts until one can', async () => {
  const at = (n: number, environment: string) =>
    scheduledRequest(n, 'bob', {
      mode: 'at',
      environment,
      at: new Date('2026-12-01T09:30:00Z'),
      requestedAt: new Date(ASKED.getTime() + n * 1000),
    });
  const PREVIEW_AT = at(4, 'preview');
  const PREVIEW_AT_LATER = { ...at(5, 'preview'), params: { version: '4' } };
  await withDueFake(
    { environments: [], collaborators: ['alice', 'bob', 'carol'], config: CONFIG },
    async (d) => {
      for (const r of [PREVIEW_AT, PREVIEW_AT_LATER])
        assert.equal(
          await recordRequest(d.api as unknown as ScheduleApi, where, keys, r, d.swap),
          'recorded',
        );
      const warned: string[] = [];
      const warn = (fields: Record<string, unknown>, message: string) =>
        void warned.push(`${message} ${JSON.stringify(fields)}`);
      const flaky = configFailsOnce(d.api);
      const first = await runDue(d.due({ now: NOW, warn, swap: d.swap, api: flaky.api }), where);
      assert.ok(flaky.failed());
      // The first is not started; the second is not dropped as behind a start that did not happen.
      assert.deepEqual(deployments(d.fake), [], JSON.stringify(first));
      assert.equal(statusOf(first, PREVIEW_AT.id)?.status, 'failed', JSON.stringify(first));
      assert.deepEqual(scheduleRefs(d.fake), [
        `deploy-schedule/preview/${PREVIEW_AT.id}`,
        `deploy-schedule/preview/${PREVIEW_AT_LATER.id}`,
      ]);
    },
  );
});

test('a config that is not there at a due check: nothing starts, and the log has an info line, not an alarm', async () => {
  await withDueFake(
    { environments: [], collaborators: ['alice', 'bob', 'carol'], config: CONFIG },
    async (d) => {
      for (const r of [PRODUCTION, PREVIEW])
        assert.equal(
          await recordRequest(d.api as unknown as ScheduleApi, where, keys, r, d.swap),
          'recorded',
        );
      const warned: string[] = [];
      const told: string[] = [];
      const flaky = configFailsOnce(d.api, 404);
      const first = await runDue(
        d.due({
          now: NOW,
          warn: (fields, message) => void warned.push(`${message} ${JSON.stringify(fields)}`),
          info: (fields, message) => void told.push(`${message} ${JSON.stringify(fields)}`),
          swap: d.swap,
          api: flaky.api,
        }),
        where,
      );
      assert.ok(flaky.failed());
      assert.deepEqual(deployments(d.fake), [], JSON.stringify(first));
      assert.deepEqual(first.map((o) => `${o.id}:${o.status}:${'code' in o ? o.code : ''}`).sort(), [
        `${PRODUCTION.id}:failed:config_missing`,
        `${PREVIEW.id}:failed:config_missing`,
      ]);
      assert.deepEqual(warned, []);
      assert.equal(
        told.filter((t) => /the config could not be read.*config_missing/.test(t)).length,
        1,
        told.join('\n'),
      );
    },
  );
});
