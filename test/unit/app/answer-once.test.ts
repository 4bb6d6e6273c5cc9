// app/facts/answer-once.ts: the claim that makes one answer of two deliveries handled at once. The loser is
// the one GitHub answers 422 "Reference already exists"; any other refusal is no answer to give up on; the
// claim goes whatever the answer did, and a removal GitHub refuses does not turn an answer into a failure.
// Only the App's own claim (its tag's marker verifies for the repository and the ref) holds an event: one
// anyone with push access made is taken over at once.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ANSWERING_CLOCK_SKEW_MS,
  ANSWERING_STALE_MS,
  answerOnce,
  answeringRefName,
  claimMessage,
  claimScope,
  judgeClaim,
} from '../../../app/facts/answer-once.ts';
import { appendMarkers, writeMarker } from '../../../src/github/hidden-marker.ts';
import type { SwapRef } from '../../../app/schedule/swap-ref.ts';
import { markerKeys } from '../../../src/github/marker-keys.ts';

const where = { owner: 'acme', repo: 'web' };
const sha = 'a'.repeat(40);
const keys = markerKeys({ secret: 'k'.repeat(40) });
const reader = { keys, repository: 'acme/web' };

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
  const first = answerOnce(
    api,
    where,
    keys,
    claim,
    () => new Promise<string>((r) => (release = () => r('first'))),
  );
  // The second arrives while the first still answers.
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(await answerOnce(api, where, keys, claim, async () => 'second'), { claimed: false });
  release();
  assert.deepEqual(await first, { claimed: true, value: 'first' });
  assert.equal(api.held.size, 0, 'removed');
  // Once it is gone, the next caller claims it again (and looks for the answer itself).
  assert.deepEqual(await answerOnce(api, where, keys, claim, async () => 'later'), {
    claimed: true,
    value: 'later',
  });
});

test('an answer that fails gives the claim back and fails; a refused claim other than "already exists" fails', async () => {
  const api = refs();
  const claim = { ref: answeringRefName('press', 'x'), sha };
  await assert.rejects(
    answerOnce(api, where, keys, claim, async () => {
      throw new Error('reply refused');
    }),
    /reply refused/,
  );
  assert.equal(api.held.size, 0);
  await assert.rejects(
    answerOnce(
      refs({ createFails: { status: 403, message: 'Resource not accessible by integration' } }),
      where,
      keys,
      claim,
      async () => 'x',
    ),
    /Resource not accessible/,
  );
  await assert.rejects(
    answerOnce(
      refs({ createFails: { status: 422, message: 'Object does not exist' } }),
      where,
      keys,
      claim,
      async () => 'x',
    ),
    /Object does not exist/,
  );
});

test('a removal GitHub refuses leaves the answer given', async () => {
  const api = refs({ deleteFails: true });
  const claim = { ref: answeringRefName('press', 'y'), sha };
  assert.deepEqual(await answerOnce(api, where, keys, claim, async () => 42), { claimed: true, value: 42 });
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
    keys,
    claim,
    async () => {
      during = api.tags.get(api.held.get(`refs/${claim.ref}`)!);
      return 'ok';
    },
    { now: () => NOW, swap: api.swap },
  );
  assert.deepEqual(answered, { claimed: true, value: 'ok' });
  // A line for `git show` (with a token that makes the tag this caller's alone), then the marker that is the
  // only part believed.
  const line = during?.split('\n')[0] ?? '';
  assert.ok(line.startsWith(`deploy-answering ${claim.ref} since 2026-12-01T10:00:00.000Z (`), line);
  assert.match(line, / \([0-9a-f]{16}\)$/);
  assert.match(during!, /\n<!-- deploy-action:answering \{.*\} mac=[0-9a-f]{64} -->\n$/);
  assert.deepEqual(judgeClaim(claim.ref, during, NOW, reader), { status: 'held', since: NOW });
  assert.equal(api.held.size, 0, 'removed by the conditional update');
  assert.deepEqual(api.deleted, [], 'not by a plain delete');
});

test('a stale claim is taken over and answered; a younger one is left to its holder; none without the swap', async () => {
  const claim = { ref: answeringRefName('gate', '62:production'), sha };
  const left = async (api: ReturnType<typeof refs>, since: Date) => {
    const { data } = await api.git.createTag({
      message: claimMessage(claim.ref, since, reader),
      object: sha,
    });
    api.held.set(`refs/${claim.ref}`, data.sha);
    return data.sha;
  };
  // Younger than the bound: its holder may still be answering.
  const young = withSwap();
  const held = await left(young, ago(ANSWERING_STALE_MS - 1));
  assert.deepEqual(
    await answerOnce(young, where, keys, claim, async () => 'answered', { now: () => NOW, swap: young.swap }),
    { claimed: false },
  );
  assert.equal(young.held.get(`refs/${claim.ref}`), held, 'left as it was');
  // As old as the bound: taken over, answered, removed.
  const old = withSwap();
  await left(old, ago(ANSWERING_STALE_MS));
  assert.deepEqual(
    await answerOnce(old, where, keys, claim, async () => 'answered', { now: () => NOW, swap: old.swap }),
    { claimed: true, value: 'answered' },
  );
  assert.equal(old.held.size, 0);
  // Without the conditional update, never taken over (a delete then a create would let two takers in).
  const noSwap = refs();
  await left(noSwap, ago(ANSWERING_STALE_MS * 10));
  assert.deepEqual(await answerOnce(noSwap, where, keys, claim, async () => 'answered', { now: () => NOW }), {
    claimed: false,
  });
  assert.equal(noSwap.held.size, 1);
});

test('of two deliveries taking over one stale claim at once, one answers', async () => {
  const api = withSwap();
  const claim = { ref: answeringRefName('gate', '63:production'), sha };
  const { data } = await api.git.createTag({
    message: claimMessage(claim.ref, ago(ANSWERING_STALE_MS * 2), reader),
    object: sha,
  });
  api.held.set(`refs/${claim.ref}`, data.sha);
  let answers = 0;
  const take = () =>
    answerOnce(
      api,
      where,
      keys,
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
  const slow = answerOnce(
    api,
    where,
    keys,
    claim,
    () => new Promise<string>((r) => (release = () => r('slow'))),
    {
      now: () => clock,
      swap: api.swap,
    },
  );
  await new Promise((r) => setImmediate(r));
  clock = new Date(NOW.getTime() + ANSWERING_STALE_MS);
  let releaseTaker!: () => void;
  const taker = answerOnce(
    api,
    where,
    keys,
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
    await answerOnce(api, where, keys, claim, async () => 'third', { now: () => clock, swap: api.swap }),
    { claimed: false },
  );
  releaseTaker();
  assert.deepEqual(await taker, { claimed: true, value: 'taker' });
  assert.equal(api.held.size, 0);
});

/** The App's claim of `ref`, a second old, written as `r` would. */
const fresh = (ref: string, r = reader) => claimMessage(ref, ago(1_000), r);

test("judgeClaim: only the App's own marker for this repository and ref gives a claim its time", () => {
  const ref = answeringRefName('gate', '65:production');
  const young = { status: 'held', since: ago(1_000) };
  assert.deepEqual(judgeClaim(ref, fresh(ref), NOW, reader), young);
  assert.deepEqual(judgeClaim(ref, undefined, NOW, reader), { status: 'foreign', reason: 'no_tag' });
  assert.deepEqual(judgeClaim(ref, 'a release note', NOW, reader), {
    status: 'foreign',
    reason: 'no_marker',
  });
  // The line versions before the MAC wrote (anyone can write it): not believed, however fresh.
  const unsigned = `deploy-answering ${ref} since ${ago(1_000).toISOString()}\n`;
  assert.deepEqual(judgeClaim(ref, unsigned, NOW, reader), { status: 'foreign', reason: 'no_marker' });
  // The marker's MAC changed by one digit.
  const genuine = fresh(ref);
  const mac = /mac=([0-9a-f]{64})/.exec(genuine)![1]!;
  const flipped = genuine.replace(mac, `${mac[0] === '0' ? '1' : '0'}${mac.slice(1)}`);
  assert.deepEqual(judgeClaim(ref, flipped, NOW, reader), { status: 'foreign', reason: 'bad_mac' });
  // Its time edited (a claim of the App's, made to look younger).
  const edited = genuine.replace(/"since":"[^"]+"/, `"since":"${NOW.toISOString()}"`);
  assert.notEqual(edited, genuine);
  assert.deepEqual(judgeClaim(ref, edited, NOW, reader), { status: 'foreign', reason: 'bad_mac' });
  // The App's claim of another repository, or of another event in this one, copied here.
  const elsewhere = fresh(ref, { keys, repository: 'acme/other' });
  assert.deepEqual(judgeClaim(ref, elsewhere, NOW, reader), { status: 'foreign', reason: 'bad_mac' });
  const otherRef = answeringRefName('gate', '66:production');
  assert.deepEqual(judgeClaim(ref, fresh(otherRef), NOW, reader), { status: 'foreign', reason: 'bad_mac' });
  // A marker of another kind over the same record and scope: not read, nor made into a claim's by its kind.
  const lockKind = appendMarkers(`deploy-answering ${ref}`, [
    writeMarker('lock', { v: 1, ref, since: ago(1_000).toISOString() }, keys, claimScope('acme/web', ref)),
  ]);
  assert.deepEqual(judgeClaim(ref, lockKind, NOW, reader), { status: 'foreign', reason: 'no_marker' });
  const relabelled = lockKind.replace('deploy-action:lock ', 'deploy-action:answering ');
  assert.deepEqual(judgeClaim(ref, relabelled, NOW, reader), { status: 'foreign', reason: 'bad_mac' });
  // Under a key the App does not accept.
  const stranger = { keys: markerKeys({ secret: 'x'.repeat(40) }), repository: 'acme/web' };
  assert.deepEqual(judgeClaim(ref, fresh(ref, stranger), NOW, reader), {
    status: 'foreign',
    reason: 'bad_mac',
  });
  // Under the previous key during a rotation: still the App's.
  const rotated = {
    keys: markerKeys({ secret: 'n'.repeat(40), previous: 'k'.repeat(40) }),
    repository: 'acme/web',
  };
  assert.deepEqual(judgeClaim(ref, fresh(ref), NOW, rotated), young);
  // Two markers, a marker above the text, or a signed record this version cannot read.
  const [, marker] = /\n(<!-- .* -->)\n$/.exec(genuine)!;
  const twice = appendMarkers(`deploy-answering ${ref}`, [marker!, marker!]);
  assert.deepEqual(judgeClaim(ref, twice, NOW, reader), { status: 'foreign', reason: 'several_markers' });
  assert.deepEqual(judgeClaim(ref, `${genuine}\nmore text\n`, NOW, reader), {
    status: 'foreign',
    reason: 'no_marker',
  });
  const signed = (data: unknown) =>
    appendMarkers('x', [writeMarker('answering', data, keys, claimScope('acme/web', ref))]);
  const since = ago(1_000).toISOString();
  for (const data of [
    { v: 2, ref, since },
    { v: 1, ref, since: 'yesterday' },
    { v: 1, ref: otherRef, since },
  ])
    assert.deepEqual(judgeClaim(ref, signed(data), NOW, reader), { status: 'foreign', reason: 'malformed' });
  // The repository is named in any case, as GitHub compares it.
  assert.deepEqual(judgeClaim(ref, genuine, NOW, { keys, repository: 'Acme/Web' }), young);
});

test("judgeClaim: the App's claim is left behind at ANSWERING_STALE_MS, and one dated far ahead never ages", () => {
  const ref = answeringRefName('gate', '65:production');
  const judged = (since: Date) => judgeClaim(ref, claimMessage(ref, since, reader), NOW, reader).status;
  assert.equal(judged(ago(ANSWERING_STALE_MS - 1)), 'held');
  assert.deepEqual(judgeClaim(ref, claimMessage(ref, ago(ANSWERING_STALE_MS), reader), NOW, reader), {
    status: 'left',
    reason: 'stale',
    since: ago(ANSWERING_STALE_MS),
  });
  assert.equal(judged(ago(-ANSWERING_CLOCK_SKEW_MS)), 'held', 'a fast clock');
  assert.deepEqual(
    judgeClaim(ref, claimMessage(ref, ago(-ANSWERING_CLOCK_SKEW_MS - 1), reader), NOW, reader),
    { status: 'left', reason: 'ahead', since: ago(-ANSWERING_CLOCK_SKEW_MS - 1) },
    'never ages',
  );
});

test('a fresh claim anyone with push access made is taken over at once and answered; the App’s own still stops a second delivery', async () => {
  const claim = { ref: answeringRefName('press', 'approve:0b7c'), sha };
  const made = async (api: ReturnType<typeof refs>, message: string | undefined) => {
    // undefined: the ref points straight at a commit.
    const object = message === undefined ? sha : (await api.git.createTag({ message, object: sha })).data.sha;
    api.held.set(`refs/${claim.ref}`, object);
  };
  const answer = (api: ReturnType<typeof refs>) =>
    answerOnce(api, where, keys, claim, async () => 'answered', { now: () => NOW, swap: api.swap });
  const pushed = [
    `deploy-answering ${claim.ref} since ${NOW.toISOString()}\n`,
    fresh(claim.ref, { keys, repository: 'acme/other' }),
    fresh(claim.ref, { keys: markerKeys({ secret: 'x'.repeat(40) }), repository: 'acme/web' }),
    fresh(answeringRefName('press', 'approve:other')),
    undefined,
  ];
  for (const message of pushed) {
    const api = withSwap();
    await made(api, message);
    assert.deepEqual(await answer(api), { claimed: true, value: 'answered' }, String(message));
    assert.equal(api.held.size, 0, 'removed once answered');
  }
  // A tag GitHub cannot show (gone since): not the App's claim either.
  const lost = withSwap();
  await made(lost, fresh(claim.ref));
  lost.git.getTag = async () => {
    throw Object.assign(new Error('Not Found'), { status: 404 });
  };
  assert.deepEqual(await answer(lost), { claimed: true, value: 'answered' });
  // The App's own claim, as young: its holder answers, this delivery stops and leaves it.
  const own = withSwap();
  await made(own, claimMessage(claim.ref, ago(1_000), reader));
  const held = own.held.get(`refs/${claim.ref}`);
  assert.deepEqual(await answer(own), { claimed: false });
  assert.equal(own.held.get(`refs/${claim.ref}`), held);
  // Its marker under the previous key of a rotation: still the App's.
  const rotating = withSwap();
  await made(rotating, claimMessage(claim.ref, ago(1_000), reader));
  assert.deepEqual(
    await answerOnce(
      rotating,
      where,
      markerKeys({ secret: 'n'.repeat(40), previous: 'k'.repeat(40) }),
      claim,
      async () => 'answered',
      { now: () => NOW, swap: rotating.swap },
    ),
    { claimed: false },
  );
});
