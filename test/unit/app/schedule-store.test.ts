// The request store through its narrow Octokit interface, against a tiny in-memory fake: one write per request
// id, the claim is exclusive, a claim made after another caller finished finds the request gone and gives
// itself back, and a tag that is not the App's is listed as refused, never as a request.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  claimRequest,
  listRequests,
  askHolding,
  recordRequest,
  releaseClaim,
  removeRequest,
  requestEnded,
} from '../../../app/schedule/store.ts';
import type { EndedApi, ScheduleApi, SwapRef } from '../../../app/schedule/store.ts';
import { askRefName, scheduleScope } from '../../../app/schedule/record.ts';
import { appendMarkers, writeMarker } from '../../../src/github/hidden-marker.ts';
import type { ScheduledRequest } from '../../../app/schedule/record.ts';
import { markerKeys } from '../../../src/github/marker-keys.ts';

const where = { owner: 'acme', repo: 'web' };
const keys = markerKeys({ secret: 'k'.repeat(40) });
const SHA = 'c'.repeat(40);
const APP_ID = 77;
const ACTIONS_ID = 15368;
/** A caller without the conditional update: a claim found held is never taken over. */
const claimer = { keys, now: () => new Date('2026-12-01T09:30:00Z') };

function fakeGit() {
  const refs = new Map<string, { sha: string; type: string }>();
  const tags = new Map<string, { message: string; object: { sha: string; type: string } }>();
  const err = (status: number, message: string) => Object.assign(new Error(message), { status });
  const name = (ref: string) => ref.replace(/^refs\//, '');
  let n = 0;
  const checkRuns: Array<{
    id: number;
    name: string;
    head_sha: string;
    external_id: string;
    app: { id: number };
  }> = [];
  // One check suite per app and commit, its id the app's.
  const api: ScheduleApi & EndedApi = {
    checks: {
      async create(p) {
        checkRuns.push({
          id: checkRuns.length + 1,
          name: p.name,
          head_sha: p.head_sha,
          external_id: p.external_id,
          app: { id: APP_ID },
        });
        return {};
      },
      async listSuitesForRef(p) {
        const apps = new Set(
          checkRuns
            .filter((r) => r.head_sha === p.ref && r.name === p.check_name)
            .filter((r) => p.app_id === undefined || r.app.id === p.app_id)
            .map((r) => r.app.id),
        );
        const suites = [...apps].map((id) => ({ id, app: { id } }));
        return { data: { total_count: suites.length, check_suites: suites } };
      },
      async listForSuite(p) {
        const runs = checkRuns.filter((r) => r.app.id === p.check_suite_id && r.name === p.check_name);
        return { data: { total_count: runs.length, check_runs: runs } };
      },
    },
    git: {
      async createTag(p) {
        const sha = `tag${++n}`;
        tags.set(sha, { message: p.message, object: { sha: p.object, type: p.type } });
        return { data: { sha } };
      },
      async getTag(p) {
        const tag = tags.get(p.tag_sha);
        if (!tag) throw err(404, 'Not Found');
        return { data: tag };
      },
      async createRef(p) {
        if (refs.has(name(p.ref))) throw err(422, 'Reference already exists');
        refs.set(name(p.ref), { sha: p.sha, type: tags.has(p.sha) ? 'tag' : 'commit' });
        return {};
      },
      async getRef(p) {
        const ref = refs.get(name(p.ref));
        if (!ref) throw err(404, 'Not Found');
        return { data: { ref: p.ref, object: ref } };
      },
      async deleteRef(p) {
        if (!refs.delete(name(p.ref))) throw err(422, 'Reference does not exist');
        return {};
      },
      async listMatchingRefs(p) {
        return {
          data: [...refs]
            .filter(([r]) => r.startsWith(p.ref))
            .map(([ref, object]) => ({ ref: `refs/${ref}`, object })),
        };
      },
    },
  };
  return { api, refs, tags, checkRuns };
}

/** The ask ref of `request` (and of any request asking the same). */
const ASK_OF = (r: ScheduledRequest) => askRefName(r).replace('deploy-schedule-asks/', '');

const request: ScheduledRequest = {
  id: 'c42',
  mode: 'queue',
  environment: 'Production',
  sha: SHA,
  pr: 7,
  type: 'standard',
  params: {},
  requestedBy: 'alice',
  sourceCommentId: 42,
  requestedAt: new Date('2026-12-01T09:00:00Z'),
};
const ASK = ASK_OF(request);

test('a request is written once per id and listed back as written', async () => {
  const { api, refs } = fakeGit();
  assert.equal(await recordRequest(api, where, keys, request), 'recorded');
  assert.equal(await recordRequest(api, where, keys, request), 'already_recorded');
  assert.deepEqual([...refs.keys()], ['deploy-schedule/production/c42', `deploy-schedule-asks/${ASK}`]);
  const list = await listRequests(api, where, keys);
  const tag = refs.get('deploy-schedule/production/c42')!.sha;
  assert.deepEqual(list, { requests: [request], tags: new Map([['c42', tag]]), refused: [] });
  assert.equal(refs.get(`deploy-schedule-asks/${ASK}`)!.sha, tag, 'the ask names the request');
  assert.equal(
    await recordRequest(api, where, keys, { ...request, environment: 'prod..x' }),
    'invalid_environment',
  );
});

test('the same deployment asked by another request id: the one that holds the ask stands; an ask left by one that ended is taken over', async () => {
  const { api, refs } = fakeGit();
  const other = { ...request, id: 'c43', sourceCommentId: 43, requestedBy: 'erin' };
  assert.equal(await recordRequest(api, where, keys, request), 'recorded');
  const second = await recordRequest(api, where, keys, other);
  assert.ok(typeof second === 'object' && second.status === 'duplicate');
  assert.equal(second.of.id, 'c42', 'names the one that stands');
  // Another deployment (other parameters) is another ask.
  assert.equal(
    await recordRequest(api, where, keys, { ...other, id: 'c44', params: { version: '4' } }),
    'recorded',
  );
  // The first ends (its ref is removed): its ask goes with it.
  assert.ok(await claimRequest(api, where, request, claimer));
  await removeRequest(api, where, request, 'queue_cancelled');
  assert.equal(refs.has(`deploy-schedule-asks/${ASK}`), false);
  // An ask whose request is gone without it (a crash between the two) does not block the same ask again: it
  // is moved from the tag read to the new request's, only if it still names that tag (a compare-and-swap).
  refs.set(`deploy-schedule-asks/${ASK}`, { sha: 'tag-of-nobody', type: 'tag' });
  const swap: SwapRef = async (ref, before, after) => {
    const held = refs.get(ref.replace(/^refs\//, ''));
    if (held?.sha !== before) return false;
    refs.set(ref.replace(/^refs\//, ''), { sha: after, type: 'tag' });
    return true;
  };
  assert.equal(
    await recordRequest(api, where, keys, { ...other, id: 'c45', sourceCommentId: 45 }, swap),
    'recorded',
  );
  assert.equal(refs.get(`deploy-schedule-asks/${ASK}`)!.sha, refs.get('deploy-schedule/production/c45')!.sha);
});

test('the claim is exclusive; after the request is removed a late claim gives itself back', async () => {
  const { api, refs } = fakeGit();
  await recordRequest(api, where, keys, request);
  assert.equal(await claimRequest(api, where, request, claimer), true);
  assert.equal(await claimRequest(api, where, request, claimer), false, 'held');
  await releaseClaim(api, where, request);
  assert.equal(await claimRequest(api, where, request, claimer), true, 'given back, claimable again');
  await removeRequest(api, where, request, 'queue_cancelled');
  assert.deepEqual([...refs.keys()], [], 'request and claim gone');
  // A caller that listed the request before it was removed claims now: the request is gone, so it backs off.
  assert.equal(await claimRequest(api, where, request, claimer), false);
  assert.deepEqual([...refs.keys()], [], 'and leaves no claim behind');
});

test('a removed request is marked ended by the App’s own check run; one of the same name by anyone else is not that mark', async () => {
  const { api, checkRuns } = fakeGit();
  await recordRequest(api, where, keys, request);
  assert.equal(await requestEnded(api, where, request, APP_ID), 'open');
  // A workflow token names a check run like the mark: GitHub says which app made it.
  checkRuns.push({
    id: 99,
    name: 'deploy schedule: c42',
    head_sha: SHA,
    external_id: 'deploy-schedule-ended:c42',
    app: { id: ACTIONS_ID },
  });
  assert.equal(await requestEnded(api, where, request, APP_ID), 'open', 'not the App’s');
  assert.equal(await claimRequest(api, where, request, claimer), true);
  await removeRequest(api, where, request, 'queue_cancelled');
  assert.equal(await requestEnded(api, where, request, APP_ID), 'ended');
  assert.equal(await requestEnded(api, where, { ...request, id: 'c43' }, APP_ID), 'open', 'per request');
});

test('more of the App’s check runs named like the mark than are read: unreadable, never open', async () => {
  const { api, checkRuns } = fakeGit();
  const listed: number[] = [];
  const pages: EndedApi['checks']['listForSuite'] = async (p) => {
    listed.push(p.page);
    const runs = Array.from({ length: 100 }, (_, i) => ({
      id: p.page * 100 + i,
      name: p.check_name,
      external_id: 'deploy-schedule-ended:other',
      app: { id: APP_ID },
    }));
    return { data: { total_count: 900, check_runs: runs } };
  };
  const suites: EndedApi['checks']['listSuitesForRef'] = async () => ({
    data: { total_count: 1, check_suites: [{ id: APP_ID, app: { id: APP_ID } }] },
  });
  assert.equal(checkRuns.length, 0);
  assert.equal(
    await requestEnded(
      { checks: { ...api.checks, listSuitesForRef: suites, listForSuite: pages } },
      where,
      request,
      APP_ID,
    ),
    'unreadable',
  );
  assert.deepEqual(listed, [1, 2, 3, 4, 5], 'five pages of 100, then no more');
});

test('refs that are not the App’s requests are refused, never listed as requests', async () => {
  const { api, refs, tags } = fakeGit();
  await recordRequest(api, where, keys, request);
  // Another key (a forger's), a lightweight ref, and a genuine tag copied under another request id.
  const other = markerKeys({ secret: 'x'.repeat(40) });
  await recordRequest(api, where, other, { ...request, id: 'c43', sourceCommentId: 43 });
  refs.set('deploy-schedule/production/c44', { sha: SHA, type: 'commit' });
  const genuine = [...tags.keys()][0]!;
  refs.set('deploy-schedule/production/c45', { sha: genuine, type: 'tag' });
  const list = await listRequests(api, where, keys);
  assert.deepEqual(
    list.requests.map((r) => r.id),
    ['c42'],
  );
  assert.deepEqual(list.refused.map((r) => [r.ref.split('/').at(-1), r.code]).sort(), [
    ['c43', 'schedule_forged'],
    ['c44', 'schedule_forged'],
    ['c45', 'schedule_forged'],
  ]);
});

test("a genuine request in a newer replica's format is left, said to be one, never taken for a forgery", async () => {
  // A rolling upgrade of the App: the newer replica queued a request with a field this version does not know.
  // It was logged as "the App did not write (tampering?)" with the reason "not a request this version reads".
  const { api, refs, tags } = fakeGit();
  const data = {
    v: 2,
    id: 'c46',
    mode: 'queue',
    env: 'production',
    sha: SHA,
    type: 'standard',
    params: {},
    by: 'alice',
    source: 46,
    pr: 7,
    asked: '2026-12-01T09:00:00.000Z',
    region: 'eu',
  };
  const marker = writeMarker('schedule', data, keys, scheduleScope('acme/web', 'production', 'c46'));
  tags.set('t-newer', {
    message: appendMarkers('Deployment of production queued', [marker]),
    object: { sha: SHA, type: 'commit' },
  });
  refs.set('deploy-schedule/production/c46', { sha: 't-newer', type: 'tag' });
  const list = await listRequests(api, where, keys);
  assert.deepEqual(list.requests, []);
  assert.deepEqual(list.refused, [
    {
      ref: 'refs/deploy-schedule/production/c46',
      code: 'schedule_corrupt',
      reason:
        'not a request this version reads (format v2; this version reads v1): written by a newer version of the App?',
    },
  ]);
  assert.ok(refs.has('deploy-schedule/production/c46'), 'left where it is');
});

test('before a start: the request holding the ask is found; an ask nobody holds is taken for the request first', async () => {
  const { api, refs } = fakeGit();
  const other = { ...request, id: 'c43', sourceCommentId: 43, requestedBy: 'erin' };
  assert.equal(await recordRequest(api, where, keys, request), 'recorded');
  // A second request of the same deployment that was not withdrawn (its claim was held elsewhere).
  assert.equal(typeof (await recordRequest(api, where, keys, other)), 'object');
  let list = await listRequests(api, where, keys);
  const holderOf = async (r: ScheduledRequest) => {
    const holding = await askHolding(api, where, keys, r, list);
    return holding.status === 'other' ? holding.holder.id : holding.status;
  };
  assert.equal(await holderOf(other), 'c42', 'the one that stands');
  assert.equal(await holderOf(request), 'own', 'its own');
  // The ask is gone (its holder listed between writing its ref and its ask, say): the first to start takes it.
  refs.delete(`deploy-schedule-asks/${ASK}`);
  list = await listRequests(api, where, keys);
  assert.equal(await holderOf(other), 'own');
  assert.equal(refs.get(`deploy-schedule-asks/${ASK}`)!.sha, list.tags.get('c43'));
  assert.equal(await holderOf(request), 'c43', 'so the other does not start');
});
