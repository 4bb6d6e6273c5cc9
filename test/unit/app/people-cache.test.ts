// One delivery's cache of what it read about people: the contributors of a pull request are that pull
// request's. answerPendingProtectionRules decides every gate waiting at a commit with one cache, and a commit
// can be the head of two pull requests (one branch proposed to main and to a release branch): each gate
// must be judged on its own pull request's pushers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cachedContributors, peopleCache } from '../../../app/facts/pull-request.ts';
import type { Api } from '../../../app/facts/github.ts';

const where = { owner: 'acme', repo: 'web' };

/** The pull request and its branch's activity as the contributors' read asks for them: nobody else pushed. */
const noOtherPushers = {
  get: async ({ pull_number }: { pull_number: number }) => ({
    data: {
      head: {
        ref: `pr-${pull_number}`,
        sha: 'c'.repeat(40),
        repo: { name: 'web', full_name: 'acme/web', owner: { login: 'acme' } },
      },
    },
  }),
};
const noActivity = { repos: { listActivities: async () => ({ data: [], headers: {} }) } };

function api(commitsByPull: Record<number, string[]>, calls: number[]): Api {
  return {
    ...noActivity,
    pulls: {
      ...noOtherPushers,
      listCommits: async ({ pull_number }: { pull_number: number }) => {
        calls.push(pull_number);
        return {
          data: (commitsByPull[pull_number] ?? []).map((login, i) => ({
            sha: `${i}`.padStart(40, '0'),
            author: { login, type: 'User' },
            committer: { login, type: 'User' },
          })),
        };
      },
    },
  } as unknown as Api;
}

test('contributors are cached per pull request, each read once', async () => {
  const calls: number[] = [];
  const github = api({ 7: ['alice'], 8: ['alice', 'mallory'] }, calls);
  const people = peopleCache();
  assert.deepEqual(await cachedContributors(github, where, 7, people), ['alice']);
  assert.deepEqual(await cachedContributors(github, where, 8, people), ['alice', 'mallory']);
  assert.deepEqual(await cachedContributors(github, where, 7, people), ['alice']);
  assert.deepEqual(calls, [7, 8]);
});

test('a failed read of contributors is not kept', async () => {
  let fail = true;
  const github = {
    ...noActivity,
    pulls: {
      ...noOtherPushers,
      listCommits: async () => {
        if (fail) throw new Error('502');
        return { data: [{ sha: 'a'.repeat(40), author: { login: 'bob', type: 'User' }, committer: null }] };
      },
    },
  } as unknown as Api;
  const people = peopleCache();
  await assert.rejects(cachedContributors(github, where, 7, people), /502/);
  fail = false;
  assert.deepEqual(await cachedContributors(github, where, 7, people), ['bob']);
});
