// app/facts/answer-once.ts: the claim that makes one answer of two deliveries handled at once. The loser is
// the one GitHub answers 422 "Reference already exists"; any other refusal is no answer to give up on; the
// claim goes whatever the answer did, and a removal GitHub refuses does not turn an answer into a failure.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ANSWERING_CLOCK_SKEW_MS,
  ANSWERING_STALE_MS,
  answerOnce,
  answeringRefName,
  claimStale,
} from '../../../app/facts/answer-once.ts';
import type { SwapRef } from '../../../app/schedule/swap-ref.ts';

const where = { owner: 'acme', repo: 'web' };
const sha = 'a'.repeat(40);

function refs(options: { createFails?: { status: number; message: string }; deleteFails?: boolean } = {}) {
  /** Ref (with refs/) to the object it points at. */
  const held = new Map<string, string>();
  const tags = new Map<string, string>();
  const deleted: string[] = [];
  const notFound = () => Object.assign(new Error('Not Found'), { status: 404 });
  return {
    held,
    tags,
    deleted,
    git: {
      async createTag(p: { message: string; object: string }) {
        const tagSha = `${tags.size + 1}`.padStart(40, 't');
        tags.set(tagSha, p.message);
        return { data: { sha: tagSha } };
      },
      async getTag(p: { tag_sha: string }) {
        const message = tags.get(p.tag_sha);
        if (message === undefined) throw notFound();
        return { data: { message } };
      },
      async createRef(p: { ref: string; sha: string }) {
        if (options.createFails)
          throw Object.assign(new Error(options.createFails.message), { status: options.createFails.status });
        if (held.has(p.ref)) throw Object.assign(new Error('Reference already exists'), { status: 422 });
        held.set(p.ref, p.sha);
        return {};
      },
      async getRef(p: { ref: string }) {
        const sha = held.get(`refs/${p.ref}`);
        if (sha === undefined) throw notFound();
        return { data: { object: { sha, type: tags.has(sha) ? 'tag' : 'commit' } } };
      },
      async deleteRef(p: { ref: string }) {
        deleted.push(p.ref);
        if (options.deleteFails) throw Object.assign(new Error('Server Error'), { status: 502 });
        held.delete(`refs/${p.ref}`);
        return {};
      },
    },
    /** GitHub's conditional update (updateRefs with beforeOid): all zeros deletes. */
    swaps: [] as Array<[string, string, string]>,
    swap: undefined as unknown as SwapRef,
  };
}

/** refs() with its swap: moves (or with zeros, deletes) a ref only if it still names `before`. */
function withSwap(options: Parameters<typeof refs>[0] = {}) {
  const api = refs(options);
  api.swap = async (ref, before, after) => {
    api.swaps.push([ref, before, after]);
    if (api.held.get(ref) !== before) return false;
    if (/^0+$/.test(after)) api.held.delete(ref);
    else api.held.set(ref, after);
    return true;
  };
  return api;
}

test('the name says what is answered and hides the identity (a GUID, a login) behind a hash', () => {
  const name = answeringRefName('press', 'approve:0b7c-…');
  assert.match(name, /^deploy-answering\/press-[0-9a-f]{40}$/);
  assert.notEqual(name, answeringRefName('press', 'control:0b7c-…'));
});

test('one of two callers at once answers; the other is told it is not its to answer; the claim then goes', async () => {
  const api = refs();
  const claim = { ref: answeringRefName('review', 'review:1'), sha };
  let release!: () => void;
  const first = answerOnce(api, where, claim, () => new Promise<string>((r) => (release = () => r('first'))));
  // The second arrives while the first still answers.
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(await answerOnce(api, where, claim, async () => 'second'), { claimed: false });
  release();
  assert.deepEqual(await first, { claimed: true, value: 'first' });
  assert.equal(api.held.size, 0, 'removed');
  // Once it is gone, the next caller claims it again (and looks for the answer itself).
  assert.deepEqual(await answerOnce(api, where, claim, async () => 'later'), {
    claimed: true,
    value: 'later',
  });
});

test('an answer that fails gives the claim back and fails; a refused claim other than "already exists" fails', async () => {
  const api = refs();
  const claim = { ref: answeringRefName('press', 'x'), sha };
  await assert.rejects(
    answerOnce(api, where, claim, async () => {
      throw new Error('reply refused');
    }),
    /reply refused/,
  );
  assert.equal(api.held.size, 0);
  await assert.rejects(
    answerOnce(
      refs({ createFails: { status: 403, message: 'Resource not accessible by integration' } }),
      where,
      claim,
      async () => 'x',
    ),
    /Resource not accessible/,
  );
  await assert.rejects(
    answerOnce(
      refs({ createFails: { status: 422, message: 'Object does not exist' } }),
      where,
      claim,
      async () => 'x',
    ),
    /Object does not exist/,
  );
});

test('a removal GitHub refuses leaves the answer given', async () => {
  const api = refs({ deleteFails: true });
  const claim = { ref: answeringRefName('press', 'y'), sha };
  assert.deepEqual(await answerOnce(api, where, claim, async () => 42), { claimed: true, value: 42 });
  assert.deepEqual(api.deleted, [claim.ref]);
});

const at = (iso: string) => new Date(iso);
const NOW = at('2026-12-01T10:00:00Z');
const ago = (ms: number) => new Date(NOW.getTime() - ms);

test('the claim points at a tag that says since when; removed only while it is still this claim', async () => {
  const api = withSwap();
  const claim = { ref: answeringRefName('gate', '61:production'), sha };
  let during: string | undefined;
  const answered = await answerOnce(
    api,
    where,
    claim,
    async () => {
      during = api.tags.get(api.held.get(`refs/${claim.ref}`)!);
      return 'ok';
    },
    { now: () => NOW, swap: api.swap },
  );
  assert.deepEqual(answered, { claimed: true, value: 'ok' });
  assert.equal(during, `deploy-answering ${claim.ref} since 2026-12-01T10:00:00.000Z`);
  assert.equal(api.held.size, 0, 'removed by the conditional update');
  assert.deepEqual(api.deleted, [], 'not by a plain delete');
});

test('a stale claim is taken over and answered; a younger one is left to its holder; none without the swap', async () => {
  const claim = { ref: answeringRefName('gate', '62:production'), sha };
  const left = async (api: ReturnType<typeof refs>, since: Date) => {
    const { data } = await api.git.createTag({
      message: `deploy-answering ${claim.ref} since ${since.toISOString()}`,
      object: sha,
    });
    api.held.set(`refs/${claim.ref}`, data.sha);
    return data.sha;
  };
  // Younger than the bound: its holder may still be answering.
  const young = withSwap();
  const held = await left(young, ago(ANSWERING_STALE_MS - 1));
  assert.deepEqual(
    await answerOnce(young, where, claim, async () => 'answered', { now: () => NOW, swap: young.swap }),
    { claimed: false },
  );
  assert.equal(young.held.get(`refs/${claim.ref}`), held, 'left as it was');
  // As old as the bound: taken over, answered, removed.
  const old = withSwap();
  await left(old, ago(ANSWERING_STALE_MS));
  assert.deepEqual(
    await answerOnce(old, where, claim, async () => 'answered', { now: () => NOW, swap: old.swap }),
    { claimed: true, value: 'answered' },
  );
  assert.equal(old.held.size, 0);
  // Without the conditional update, never taken over (a delete then a create would let two takers in).
  const noSwap = refs();
  await left(noSwap, ago(ANSWERING_STALE_MS * 10));
  assert.deepEqual(await answerOnce(noSwap, where, claim, async () => 'answered', { now: () => NOW }), {
    claimed: false,
  });
  assert.equal(noSwap.held.size, 1);
});

test('of two deliveries taking over one stale claim at once, one answers', async () => {
  const api = withSwap();
  const claim = { ref: answeringRefName('gate', '63:production'), sha };
  const { data } = await api.git.createTag({
    message: `deploy-answering ${claim.ref} since ${ago(ANSWERING_STALE_MS * 2).toISOString()}`,
    object: sha,
  });
  api.held.set(`refs/${claim.ref}`, data.sha);
  let answers = 0;
  const take = () =>
    answerOnce(
      api,
      where,
      claim,
      async () => {
        answers++;
        // Still answering while the other tries.
        await new Promise((r) => setImmediate(r));
        return 'answered';
      },
      { now: () => NOW, swap: api.swap },
    );
  const results = await Promise.all([take(), take()]);
  assert.equal(answers, 1);
  assert.deepEqual(results.map((r) => r.claimed).sort(), [false, true]);
  assert.equal(api.held.size, 0);
});

test('a holder that outlived the bound does not remove the claim of the delivery that took it over', async () => {
  const api = withSwap();
  const claim = { ref: answeringRefName('gate', '64:production'), sha };
  let clock = NOW;
  let release!: () => void;
  const slow = answerOnce(api, where, claim, () => new Promise<string>((r) => (release = () => r('slow'))), {
    now: () => clock,
    swap: api.swap,
  });
  await new Promise((r) => setImmediate(r));
  clock = new Date(NOW.getTime() + ANSWERING_STALE_MS);
  let releaseTaker!: () => void;
  const taker = answerOnce(
    api,
    where,
    claim,
    () => new Promise<string>((r) => (releaseTaker = () => r('taker'))),
    { now: () => clock, swap: api.swap },
  );
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  const takersTag = api.held.get(`refs/${claim.ref}`);
  release();
  assert.deepEqual(await slow, { claimed: true, value: 'slow' });
  assert.equal(api.held.get(`refs/${claim.ref}`), takersTag, "the taker's claim stays while it answers");
  // A third delivery meanwhile finds it held (young) and leaves it.
  assert.deepEqual(
    await answerOnce(api, where, claim, async () => 'third', { now: () => clock, swap: api.swap }),
    { claimed: false },
  );
  releaseTaker();
  assert.deepEqual(await taker, { claimed: true, value: 'taker' });
  assert.equal(api.held.size, 0);
});

test("claimStale: an unknown age, another claim's tag or a time far ahead is old; within the skew it is young", () => {
  const ref = answeringRefName('gate', '65:production');
  const message = (since: Date, of = ref) => `deploy-answering ${of} since ${since.toISOString()}`;
  assert.equal(claimStale(ref, undefined, NOW), true, 'no tag of the App');
  assert.equal(claimStale(ref, 'a release note', NOW), true);
  assert.equal(claimStale(ref, message(ago(1_000), answeringRefName('gate', 'other')), NOW), true);
  assert.equal(claimStale(ref, message(ago(ANSWERING_STALE_MS - 1)), NOW), false);
  assert.equal(claimStale(ref, message(ago(ANSWERING_STALE_MS)), NOW), true);
  assert.equal(claimStale(ref, message(ago(-ANSWERING_CLOCK_SKEW_MS)), NOW), false, 'a fast clock');
  assert.equal(claimStale(ref, message(ago(-ANSWERING_CLOCK_SKEW_MS - 1)), NOW), true, 'never ages');
  assert.equal(
    claimStale(ref, `${message(ago(1_000))}\n`, NOW),
    false,
    'GitHub ends a message with a newline',
  );
});
