// tagName is checked against git itself (git check-ref-format), and createTag's answers for each outcome.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { createTag, tagName, type TagApi } from '../../../src/action/tag.ts';

const NAMES = [
  'v1.2.3',
  'release/2024-01-01',
  'prod-v1.2.3+build.7',
  'deploy_production_42',
  'a@b',
  'ünïcode',
  '',
  '@',
  'v1..2',
  'v1 2',
  'v1~2',
  'v1^2',
  'v1:2',
  'v1?',
  'v1*',
  'v1[2',
  'v1\\2',
  'v1@{2',
  '.hidden',
  'release/.hidden',
  'v1.lock',
  'release.lock/v1',
  '/v1',
  'v1/',
  'release//v1',
  'v1.',
  'tab\there',
  'nul\x01',
  'del\x7f',
];

async function gitAccepts(name: string): Promise<boolean> {
  const { exitCode } = await execa('git', ['check-ref-format', `refs/tags/${name}`], { reject: false });
  return exitCode === 0;
}

function ourRuleAccepts(name: string): boolean {
  try {
    return tagName(name) === name;
  } catch {
    return false;
  }
}

// Git accepts a tag named "@", but "@" alone means HEAD to git, so such a tag could never be named back.
const STRICTER_THAN_GIT = new Set(['@']);

test('tagName agrees with git check-ref-format on every sample name', async () => {
  const disagreements: string[] = [];
  for (const name of NAMES) {
    const git = (await gitAccepts(name)) && !STRICTER_THAN_GIT.has(name);
    if (git !== ourRuleAccepts(name))
      disagreements.push(`${JSON.stringify(name)}: git ${git ? 'accepts' : 'refuses'}`);
  }
  assert.deepEqual(disagreements, []);
  // The sample has both kinds, so agreement means something.
  assert.ok(NAMES.filter(ourRuleAccepts).length >= 5);
  assert.ok(NAMES.filter((n) => !ourRuleAccepts(n)).length >= 15);
});

test('a refused tag name says why', () => {
  assert.throws(() => tagName('v1..2'), /"v1\.\.2" is not a valid tag name: it contains "\.\."/);
  assert.throws(() => tagName('v1.lock'), /ends with "\.lock"/);
  assert.throws(() => tagName(''), /it is empty/);
});

function fakeApi(
  answer: () => Promise<unknown>,
  ref: () => Promise<{ data: { object: { sha: string; type: string } } }> = () =>
    Promise.reject(httpError(404)),
): TagApi & { calls: unknown[]; lookups: number } {
  const calls: unknown[] = [];
  const api = {
    calls,
    lookups: 0,
    git: {
      createRef: async (p: unknown) => {
        calls.push(p);
        return answer();
      },
      getRef: async () => {
        api.lookups++;
        return ref();
      },
    },
  };
  return api;
}

function httpError(status: number, message = `HTTP ${status}`): Error & { status: number } {
  return Object.assign(new Error(message), { status });
}

test('createTag creates refs/tags/<name> at the SHA', async () => {
  const api = fakeApi(async () => ({ status: 201 }));
  const sha = 'c'.repeat(40);
  assert.deepEqual(await createTag(api, { owner: 'acme', repo: 'web', name: 'v1.0.0', sha }), { ok: true });
  assert.deepEqual(api.calls, [{ owner: 'acme', repo: 'web', ref: 'refs/tags/v1.0.0', sha }]);
});

test('createTag reports an existing tag, missing permission and other errors without throwing', async () => {
  const where = { owner: 'acme', repo: 'web', name: 'v1', sha: 'c'.repeat(40) };
  assert.deepEqual(
    await createTag(
      fakeApi(() => Promise.reject(httpError(422))),
      where,
    ),
    {
      ok: false,
      reason: 'the tag already exists (it is never moved)',
    },
  );
  for (const status of [403, 404]) {
    const r = await createTag(
      fakeApi(() => Promise.reject(httpError(status))),
      where,
    );
    assert.equal(r.ok, false);
    assert.match((r as { reason: string }).reason, new RegExp(`HTTP ${status}.*contents: write`));
  }
  const r = await createTag(
    fakeApi(() => Promise.reject(httpError(502, 'Bad gateway'))),
    where,
  );
  assert.deepEqual(r, { ok: false, reason: 'Bad gateway' });
});

test("createTag: a tag already at the SHA (a re-run) is this run's; one elsewhere is named and left alone", async () => {
  const where = { owner: 'acme', repo: 'web', name: 'deploy/production/v3', sha: 'c'.repeat(40) };
  const at =
    (sha: string, type = 'commit') =>
    () =>
      Promise.resolve({ data: { object: { sha, type } } });
  // Before: a re-run of a successful deployment warned that the tag exists, and set no tag output.
  assert.deepEqual(
    await createTag(
      fakeApi(() => Promise.reject(httpError(422)), at(where.sha)),
      where,
    ),
    {
      ok: true,
      existed: true,
    },
  );
  assert.deepEqual(
    await createTag(
      fakeApi(() => Promise.reject(httpError(422)), at('d'.repeat(40))),
      where,
    ),
    { ok: false, reason: `the tag already exists on ${'d'.repeat(12)} (it is never moved)` },
  );
  // An annotated tag names a tag object, not the commit: not taken for this run's.
  assert.equal(
    (
      await createTag(
        fakeApi(() => Promise.reject(httpError(422)), at(where.sha, 'tag')),
        where,
      )
    ).ok,
    false,
  );
});

test('createTag: a create whose answer was lost is looked up, not sent again', async () => {
  const where = { owner: 'acme', repo: 'web', name: 'v1', sha: 'c'.repeat(40) };
  // The create landed; GitHub answered 502. The lookup finds the tag at the SHA: done, one create.
  const api = fakeApi(
    () => Promise.reject(httpError(502, 'Bad gateway')),
    () => Promise.resolve({ data: { object: { sha: where.sha, type: 'commit' } } }),
  );
  assert.deepEqual(await createTag(api, where), { ok: true });
  assert.equal(api.calls.length, 1);
  assert.equal(api.lookups, 1);
});
