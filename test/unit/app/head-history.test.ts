// The App's history of a pull request's heads (app/deploy/head-history.ts) through its narrow Octokit
// interface, against a tiny in-memory fake: written and read back, a redelivery adds nothing, a history that
// is not the App's (or is another pull request's) is refused, and which head a comment was written at.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  MAX_HEADS,
  headRefName,
  headWhenWritten,
  readHeadHistory,
  recordHead,
} from '../../../app/deploy/head-history.ts';
import type { HeadHistoryApi, HeadSeen } from '../../../app/deploy/head-history.ts';
import { historyAgainstAnchor } from '../../../app/deploy/head-anchor.ts';
import type { SwapRef } from '../../../app/schedule/swap-ref.ts';
import { markerKeys } from '../../../src/github/marker-keys.ts';

const where = { owner: 'acme', repo: 'web' };
const keys = markerKeys({ secret: 'k'.repeat(40) });
const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(40);
const t = (s: string) => new Date(`2026-12-01T09:${s}Z`);

function fakeGit() {
  const refs = new Map<string, { sha: string; type: string }>();
  const tags = new Map<string, string>();
  const err = (status: number, message: string) => Object.assign(new Error(message), { status });
  const name = (ref: string) => ref.replace(/^refs\//, '');
  let n = 0;
  const api: HeadHistoryApi = {
    git: {
      async createTag(p) {
        const sha = `tag${++n}`;
        tags.set(sha, p.message);
        return { data: { sha } };
      },
      async getTag(p) {
        const message = tags.get(p.tag_sha);
        if (message === undefined) throw err(404, 'Not Found');
        return { data: { message } };
      },
      async getRef(p) {
        const ref = refs.get(name(p.ref));
        if (!ref) throw err(404, 'Not Found');
        return { data: { object: ref } };
      },
      async createRef(p) {
        if (refs.has(name(p.ref))) throw err(422, 'Reference already exists');
        refs.set(name(p.ref), { sha: p.sha, type: tags.has(p.sha) ? 'tag' : 'commit' });
        return {};
      },
      async updateRef(p) {
        if (!refs.has(name(p.ref))) throw err(422, 'Reference does not exist');
        refs.set(name(p.ref), { sha: p.sha, type: tags.has(p.sha) ? 'tag' : 'commit' });
        return {};
      },
    },
  };
  return { api, refs, tags };
}

test('heads are kept in time order, a redelivery adds nothing, and the oldest go past MAX_HEADS', async () => {
  const { api } = fakeGit();
  assert.deepEqual(await readHeadHistory(api, where, keys, 7), { status: 'none' });
  assert.equal(await recordHead(api, where, keys, 7, { sha: A, at: t('00:00') }), 'recorded');
  // A late delivery of an earlier push is put in its place.
  assert.equal(await recordHead(api, where, keys, 7, { sha: C, at: t('05:00') }), 'recorded');
  assert.equal(await recordHead(api, where, keys, 7, { sha: B, at: t('02:00') }), 'recorded');
  assert.equal(await recordHead(api, where, keys, 7, { sha: B, at: t('02:00') }), 'already_recorded');
  const read = await readHeadHistory(api, where, keys, 7);
  assert.ok(read.status === 'read');
  assert.deepEqual(read.heads, [
    { sha: A, at: t('00:00') },
    { sha: B, at: t('02:00') },
    { sha: C, at: t('05:00') },
  ]);
  // Another pull request has its own.
  assert.deepEqual(await readHeadHistory(api, where, keys, 8), { status: 'none' });
  for (let i = 0; i < MAX_HEADS + 5; i++)
    await recordHead(api, where, keys, 9, { sha: i % 2 ? A : B, at: new Date(Date.UTC(2026, 0, 1, 0, i)) });
  const long = await readHeadHistory(api, where, keys, 9);
  assert.ok(long.status === 'read');
  assert.equal(long.heads.length, MAX_HEADS);
  assert.deepEqual(long.heads[0]!.at, new Date(Date.UTC(2026, 0, 1, 0, 5)));
});

test("a history that is not the App's, or another pull request's moved here, is refused; the App starts its own anew", async () => {
  const { api, refs, tags } = fakeGit();
  await recordHead(api, where, keys, 7, { sha: A, at: t('00:00') });
  // Someone with push access points PR 8's ref at PR 7's genuine tag: it does not verify for PR 8.
  refs.set(headRefName(8), refs.get(headRefName(7))!);
  const moved = await readHeadHistory(api, where, keys, 8);
  assert.equal(moved.status, 'refused');
  // A tag of their own making, or a ref at a commit.
  tags.set('forged', `Heads\n\n<!-- deploy-action:heads {"v":1,"heads":[]} mac=${'0'.repeat(64)} -->\n`);
  refs.set(headRefName(7), { sha: 'forged', type: 'tag' });
  assert.equal((await readHeadHistory(api, where, keys, 7)).status, 'refused');
  refs.set(headRefName(7), { sha: A, type: 'commit' });
  assert.equal((await readHeadHistory(api, where, keys, 7)).status, 'refused');
  // The next head the App sees starts a history it wrote (what the forged one said is not kept).
  assert.equal(await recordHead(api, where, keys, 7, { sha: B, at: t('03:00') }), 'recorded');
  const anew = await readHeadHistory(api, where, keys, 7);
  assert.ok(anew.status === 'read');
  assert.deepEqual(anew.heads, [{ sha: B, at: t('03:00') }]);
});

test('pure: the head a comment was written at is the newest from before it; the same second is unknown unless it is one commit', () => {
  const heads: HeadSeen[] = [
    { sha: A, at: t('00:00') },
    { sha: B, at: t('02:00') },
    { sha: A, at: t('04:00') },
  ];
  assert.deepEqual(headWhenWritten(heads, t('01:30')), { status: 'bound', sha: A });
  assert.deepEqual(headWhenWritten(heads, t('03:00')), { status: 'bound', sha: B });
  assert.deepEqual(headWhenWritten(heads, t('05:00')), { status: 'bound', sha: A });
  // GitHub's times are whole seconds: a comment in the second of a push may have seen either head.
  assert.deepEqual(headWhenWritten(heads, new Date('2026-12-01T09:02:00.900Z')), {
    status: 'unknown',
    reason: 'same_second',
  });
  assert.deepEqual(headWhenWritten(heads, t('00:00')), { status: 'bound', sha: A });
  assert.deepEqual(headWhenWritten(heads, new Date('2026-12-01T08:59:59Z')), {
    status: 'unknown',
    reason: 'before_history',
  });
  assert.deepEqual(headWhenWritten([], t('00:00')), { status: 'unknown', reason: 'before_history' });
});

test('pure: a history is believed for the head only if it has the head as new as the App\u2019s anchor of it', () => {
  const anchored = (at: string) => ({ status: 'anchored' as const, at: t(at) });
  const history = {
    status: 'read' as const,
    heads: [
      { sha: A, at: t('00:00') },
      { sha: B, at: t('02:00') },
    ],
  };
  // Never anchored: no history is a pull request from before the App kept heads; a history is believed.
  assert.deepEqual(historyAgainstAnchor({ status: 'none' }, B, { status: 'none' }), { status: 'legacy' });
  assert.deepEqual(historyAgainstAnchor(history, B, { status: 'none' }), { status: 'trusted' });
  // Anchored: gone is deleted; without the head as new as its anchor is set back.
  assert.deepEqual(historyAgainstAnchor({ status: 'none' }, B, anchored('02:00')), {
    status: 'tampered',
    reason: 'history_missing',
  });
  assert.deepEqual(historyAgainstAnchor(history, B, anchored('02:00')), { status: 'trusted' });
  assert.deepEqual(historyAgainstAnchor(history, A, anchored('04:00')), {
    status: 'tampered',
    reason: 'history_stale',
  });
  assert.deepEqual(historyAgainstAnchor(history, C, anchored('05:00')), {
    status: 'tampered',
    reason: 'history_stale',
  });
  assert.deepEqual(historyAgainstAnchor(history, B, { status: 'unreadable' }), {
    status: 'tampered',
    reason: 'anchor_unreadable',
  });
});

test('with a conditional update, the anchor comes first and two heads written at once are both kept', async () => {
  const { api, refs } = fakeGit();
  const order: string[] = [];
  const swap: SwapRef = async (ref, before, after) => {
    order.push('swap');
    const name = ref.replace(/^refs\//, '');
    if (refs.get(name)?.sha !== before) return false;
    refs.set(name, { sha: after, type: 'tag' });
    return true;
  };
  const anchor = async (seen: HeadSeen) => void order.push(`anchor ${seen.sha.slice(0, 1)}`);
  await recordHead(api, where, keys, 7, { sha: A, at: t('00:00') }, { swap, anchor });
  await Promise.all([
    recordHead(api, where, keys, 7, { sha: B, at: t('02:00') }, { swap, anchor }),
    recordHead(api, where, keys, 7, { sha: C, at: t('03:00') }, { swap, anchor }),
  ]);
  const read = await readHeadHistory(api, where, keys, 7);
  assert.ok(read.status === 'read');
  assert.deepEqual(
    read.heads.map((h) => h.sha),
    [A, B, C],
    'neither write lost the other',
  );
  assert.equal(order[0], 'anchor a');
  assert.equal(order.filter((o) => o.startsWith('anchor')).length, 3, 'one anchor per head');
});
