// app/facts/claim-ref.ts: a claim taken over by a conditional update (GraphQL updateRefs) that GitHub made but
// whose answer was lost (a 502 from its edge, a connection cut after the mutation was done). The swap reads
// the ref again and finds it moved from the object it read, so it says "another caller's turn": the taker went
// away and its own tag held the claim, with nobody acting under it, for 15 minutes: an event nobody answered
// (an Approve press, a gate), a queued request nobody started, and every delivery in between turned away. The
// taker now reads the claim once more and finds its own tag. Its tag is its own alone: git objects are named by
// their content, so two takers at the same millisecond would otherwise make one tag and both "find" it.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { graphqlSwapRef } from '../../../app/schedule/swap-ref.ts';
import { answerOnce, answeringRefName } from '../../../app/facts/answer-once.ts';
import { takeClaim } from '../../../app/facts/claim-ref.ts';
import { markerKeys } from '../../../src/github/marker-keys.ts';

const where = { owner: 'acme', repo: 'web' };
const keys = markerKeys({ secret: 'k'.repeat(40) });
const reader = { keys, repository: 'acme/web' };
const COMMIT = 'c'.repeat(40);
const NOW = new Date('2026-12-01T09:30:00Z');

/**
 * GitHub's refs and tags (a tag named by its content, as git does), its REST calls and its GraphQL updateRefs,
 * which loses its answers when `lost` says so (after doing the update).
 */
function github() {
  const refs = new Map<string, string>();
  const tags = new Map<string, string>();
  const state = { lost: false };
  const notFound = () => Object.assign(new Error('Not Found'), { status: 404 });
  const git = {
    async createTag(p: { message: string; object: string; tag: string }) {
      const sha = createHash('sha1').update(`${p.object}\n${p.tag}\n${p.message}`).digest('hex');
      tags.set(sha, p.message);
      return { data: { sha } };
    },
    async getTag(p: { tag_sha: string }) {
      const message = tags.get(p.tag_sha);
      if (message === undefined) throw notFound();
      return { data: { message } };
    },
    async createRef(p: { ref: string; sha: string }) {
      if (refs.has(p.ref)) throw Object.assign(new Error('Reference already exists'), { status: 422 });
      refs.set(p.ref, p.sha);
      return {};
    },
    async getRef(p: { ref: string }) {
      const sha = refs.get(`refs/${p.ref}`);
      if (sha === undefined) throw notFound();
      return { data: { object: { sha, type: tags.has(sha) ? 'tag' : 'commit' } } };
    },
    async deleteRef(p: { ref: string }) {
      refs.delete(`refs/${p.ref}`);
      return {};
    },
  };
  const graphql = async (_query: string, v: Record<string, unknown>): Promise<unknown> => {
    const name = String(v.name);
    if (refs.get(name) !== v.before) throw new Error('A ref update was refused: it has moved');
    if (/^0+$/.test(String(v.after))) refs.delete(name);
    else refs.set(name, String(v.after));
    if (state.lost) throw Object.assign(new Error('Bad Gateway'), { status: 502 });
    return { updateRefs: { clientMutationId: null } };
  };
  const swap = graphqlSwapRef(graphql, 'R_1', async (ref) => refs.get(ref));
  return { refs, tags, state, git, swap };
}

test('a claim taken over by an update whose answer was lost is this caller’s: the event is answered', async () => {
  const gh = github();
  const ref = answeringRefName('press', 'approve:x');
  // Not the App's claim (someone who can push made it): taken over at once.
  gh.refs.set(`refs/${ref}`, COMMIT);
  gh.state.lost = true;
  const answered = await answerOnce(
    { git: gh.git },
    where,
    keys,
    { ref, sha: COMMIT },
    async () => 'answered',
    { swap: gh.swap, now: () => NOW },
  );
  assert.deepEqual(answered, { claimed: true, value: 'answered' });
});

test('a stale claim taken over that way is reported taken over, with what it was', async () => {
  const gh = github();
  const ref = 'deploy-schedule-claims/c7';
  const old = await takeClaim(gh.git, where, reader, {
    ref,
    sha: COMMIT,
    staleMs: 15 * 60_000,
    now: new Date(NOW.getTime() - 16 * 60_000),
    swap: gh.swap,
  });
  assert.equal(old.status, 'taken');
  gh.state.lost = true;
  const taken = await takeClaim(gh.git, where, reader, {
    ref,
    sha: COMMIT,
    staleMs: 15 * 60_000,
    now: NOW,
    swap: gh.swap,
  });
  assert.equal(taken.status, 'taken');
  assert.equal(taken.status === 'taken' && taken.tookOver?.status, 'left');
  assert.equal(gh.refs.get(`refs/${ref}`), taken.status === 'taken' ? taken.tag : undefined);
});

test('two takers at the same millisecond make two tags: of the two, one holds the claim', async () => {
  const gh = github();
  const ref = answeringRefName('press', 'approve:y');
  gh.refs.set(`refs/${ref}`, COMMIT);
  const claim = { ref, sha: COMMIT, staleMs: 15 * 60_000, now: NOW, swap: gh.swap };
  // Both read the claim before either moves it.
  let reads = 0;
  let go!: () => void;
  const both = new Promise<void>((resolve) => (go = resolve));
  const getRef = gh.git.getRef;
  const git = {
    ...gh.git,
    async getRef(p: { ref: string }) {
      const read = await getRef(p);
      if (++reads === 2) go();
      await both;
      return read;
    },
  };
  const [a, b] = await Promise.all([
    takeClaim(git, where, reader, claim),
    takeClaim(git, where, reader, claim),
  ]);
  assert.deepEqual([a.status, b.status].sort(), ['held_elsewhere', 'taken']);
  const winner = a.status === 'taken' ? a : b;
  assert.equal(gh.refs.get(`refs/${ref}`), winner.status === 'taken' ? winner.tag : undefined);
});

test('a claim GitHub created but whose answer was lost is this caller’s: the event is answered, not left held', async () => {
  const gh = github();
  const ref = answeringRefName('press', 'approve:z');
  const createRef = gh.git.createRef;
  const git = {
    ...gh.git,
    async createRef(p: { ref: string; sha: string }) {
      await createRef(p);
      throw Object.assign(new Error('Bad Gateway'), { status: 502 });
    },
  };
  const answered = await answerOnce({ git }, where, keys, { ref, sha: COMMIT }, async () => 'answered', {
    swap: gh.swap,
    now: () => NOW,
  });
  assert.deepEqual(answered, { claimed: true, value: 'answered' });
  assert.equal(gh.refs.has(`refs/${ref}`), false, 'and given back');
  // One that GitHub did not create fails as before: the caller tells it.
  const refused = {
    ...gh.git,
    async createRef() {
      throw Object.assign(new Error('Bad Gateway'), { status: 502 });
    },
  };
  await assert.rejects(
    answerOnce({ git: refused }, where, keys, { ref, sha: COMMIT }, async () => 'answered', {
      swap: gh.swap,
      now: () => NOW,
    }),
    /Bad Gateway/,
  );
});
