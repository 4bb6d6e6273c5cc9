// Reading the tags for release_tags (app/facts/release-tags.ts) through its narrow interface: what is listed,
// which annotated tags are read to their commit, and the bounds, past which only a found tag answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_DEREFERENCES, MAX_REFS, releaseTagsAt } from '../../../app/facts/release-tags.ts';
import type { ReleaseTagApi } from '../../../app/facts/release-tags.ts';

const where = { owner: 'acme', repo: 'web' };
const SHA = 'a'.repeat(40);
const OTHER = 'b'.repeat(40);
const hex = (n: number) => n.toString(16).padStart(40, '0');

interface Ref {
  ref: string;
  object: { sha: string; type: string };
}

/** Refs and tag objects as GitHub serves them; records what was asked. */
function fakeApi(
  refs: Ref[],
  tags: Record<string, { sha: string; type: string }> = {},
  o: { link?: string; fail?: 'list' | 'tag' } = {},
) {
  const asked = { lists: [] as string[], tags: [] as string[] };
  const api: ReleaseTagApi = {
    git: {
      listMatchingRefs: async ({ ref }) => {
        asked.lists.push(ref);
        if (o.fail === 'list') throw Object.assign(new Error('Server Error'), { status: 502 });
        return { data: refs, headers: o.link ? { link: o.link } : {} };
      },
      getTag: async ({ tag_sha }) => {
        asked.tags.push(tag_sha);
        if (o.fail === 'tag') throw Object.assign(new Error('Not Found'), { status: 404 });
        const object = tags[tag_sha];
        if (!object) throw Object.assign(new Error('Not Found'), { status: 404 });
        return { data: { object } };
      },
    },
  };
  return { api, asked };
}

const light = (name: string, sha: string): Ref => ({
  ref: `refs/tags/${name}`,
  object: { sha, type: 'commit' },
});
const annotated = (name: string, tag: string): Ref => ({
  ref: `refs/tags/${name}`,
  object: { sha: tag, type: 'tag' },
});

test('lists under the literal prefix; a lightweight tag on the commit answers without reading tag objects', async () => {
  const { api, asked } = fakeApi([light('v1.0', OTHER), light('v1.1', SHA), annotated('v2.0', hex(1))]);
  const facts = await releaseTagsAt(api, where, SHA, ['v1.*', 'v2.*']);
  assert.deepEqual(asked.lists, ['tags/v']);
  assert.deepEqual(asked.tags, []);
  assert.deepEqual(facts, {
    ok: true,
    tags: [
      { name: 'v1.0', sha: OTHER },
      { name: 'v1.1', sha: SHA },
    ],
  });
});

test('annotated tags are read to their commit, newest name first, through tags of tags; a tag of a tree is none', async () => {
  const { api, asked } = fakeApi(
    [annotated('v1.9', hex(1)), annotated('v1.10', hex(2)), annotated('v1.2', hex(4)), light('other', SHA)],
    {
      [hex(1)]: { sha: OTHER, type: 'commit' },
      [hex(2)]: { sha: hex(3), type: 'tag' },
      [hex(3)]: { sha: 'c'.repeat(40), type: 'tree' },
      [hex(4)]: { sha: SHA, type: 'commit' },
    },
  );
  const facts = await releaseTagsAt(api, where, SHA, ['v*']);
  // v1.10 (a tag of a tag of a tree), then v1.9, then v1.2, which is on the commit: the answer.
  assert.deepEqual(asked.tags, [hex(2), hex(3), hex(1), hex(4)]);
  assert.deepEqual(facts, {
    ok: true,
    tags: [
      { name: 'v1.9', sha: OTHER },
      { name: 'v1.2', sha: SHA },
    ],
  });
});

test('over the bound of refs: a tag found answers, none found is unreadable, never "untagged"', async () => {
  const many = Array.from({ length: MAX_REFS + 1 }, (_, i) => light(`v${String(i).padStart(5, '0')}`, OTHER));
  const none = await releaseTagsAt(fakeApi(many).api, where, SHA, ['v*']);
  assert.equal(none.ok, false);
  assert.match(none.ok ? '' : none.reason, /more than 1000 tags start with "v"/);
  const found = await releaseTagsAt(fakeApi([light('v0', SHA), ...many]).api, where, SHA, ['v*']);
  assert.equal(found.ok, true);
  // A next page GitHub would send: the same.
  const paged = await releaseTagsAt(
    fakeApi([light('v1', OTHER)], {}, { link: '<https://example.invalid/x?page=2>; rel="next"' }).api,
    where,
    SHA,
    ['v*'],
  );
  assert.equal(paged.ok, false);
});

test('over the bound of tag objects read: unreadable, after reading exactly the bound', async () => {
  const refs: Ref[] = [];
  const tags: Record<string, { sha: string; type: string }> = {};
  for (let i = 0; i < MAX_DEREFERENCES + 5; i++) {
    refs.push(annotated(`v${i}`, hex(i + 1)));
    tags[hex(i + 1)] = { sha: OTHER, type: 'commit' };
  }
  const { api, asked } = fakeApi(refs, tags);
  const facts = await releaseTagsAt(api, where, SHA, ['v*']);
  assert.equal(facts.ok, false);
  assert.match(facts.ok ? '' : facts.reason, /more than 50 annotated tags match/);
  assert.equal(asked.tags.length, MAX_DEREFERENCES);
});

test('a failed read is a reason, with its HTTP status', async () => {
  const list = await releaseTagsAt(fakeApi([], {}, { fail: 'list' }).api, where, SHA, ['v*']);
  assert.deepEqual(list, { ok: false, reason: 'listing the tags failed (HTTP 502): Server Error' });
  const tag = await releaseTagsAt(fakeApi([annotated('v1', hex(1))], {}, { fail: 'tag' }).api, where, SHA, [
    'v*',
  ]);
  assert.deepEqual(tag, { ok: false, reason: 'reading the annotated tag "v1" failed (HTTP 404): Not Found' });
});

test('tags not matching are neither read nor returned; no tags at all is a complete "none"', async () => {
  const { api, asked } = fakeApi([annotated('nightly', hex(1)), light('v1/x', SHA)]);
  assert.deepEqual(await releaseTagsAt(api, where, SHA, ['v*', 'nightly-*']), { ok: true, tags: [] });
  assert.deepEqual(asked.lists, ['tags/']);
  assert.deepEqual(asked.tags, []);
});

test('a chain of tags deeper than followed is unreadable, unless a tag read is on the commit', async () => {
  // v2.0 -> tag -> tag -> tag -> tag -> tag -> the commit: five tag objects deep, one more than followed.
  const chain = {
    [hex(1)]: { sha: hex(2), type: 'tag' },
    [hex(2)]: { sha: hex(3), type: 'tag' },
    [hex(3)]: { sha: hex(4), type: 'tag' },
    [hex(4)]: { sha: hex(5), type: 'tag' },
    [hex(5)]: { sha: SHA, type: 'commit' },
  };
  const deep = fakeApi([annotated('v2.0', hex(1))], chain);
  const facts = await releaseTagsAt(deep.api, where, SHA, ['v*']);
  assert.deepEqual(deep.asked.tags, [hex(1), hex(2), hex(3), hex(4)]);
  assert.equal(facts.ok, false);
  assert.match(!facts.ok ? facts.reason : '', /"v2\.0" is a tag of a tag more than 4 deep/);
  // Another tag on the commit answers whatever the chain.
  const found = fakeApi([annotated('v2.0', hex(1)), light('v1.0', SHA)], chain);
  assert.deepEqual(await releaseTagsAt(found.api, where, SHA, ['v*']), {
    ok: true,
    tags: [{ name: 'v1.0', sha: SHA }],
  });
});
