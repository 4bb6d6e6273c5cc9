// One delivery's cache of what it read about people: the contributors of a pull request are that pull
// request's. answerPendingProtectionRules decides every gate waiting at a commit with one cache, and a commit
// can be the head of two pull requests (one branch proposed to main and to a release branch): each gate
// must be judged on its own pull request's pushers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cachedContributors, peopleCache, PUSH_ACTIVITY_PAGES } from '../../../app/facts/pull-request.ts';
import type { PullFacts } from '../../../app/facts/pull-request.ts';
import type { Api } from '../../../app/facts/github.ts';

const where = { owner: 'acme', repo: 'web' };

/** Pull request `number` as readPull reads it: a branch of this repository. */
const pull = (number: number): PullFacts => ({
  number,
  author: 'alice',
  headSha: 'c'.repeat(40),
  fromFork: false,
  open: true,
  head: { owner: 'acme', repo: 'web', fullName: 'acme/web', ref: `pr-${number}` },
  maintainerCanModify: false,
  baseRef: 'main',
  defaultBranch: 'main',
});
/** Nobody else pushed. */
const noActivity = { repos: { listActivities: async () => ({ data: [], headers: {} }) } };

function api(commitsByPull: Record<number, string[]>, calls: number[]): Api {
  return {
    ...noActivity,
    pulls: {
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
  assert.deepEqual(await cachedContributors(github, where, pull(7), people), ['alice']);
  assert.deepEqual(await cachedContributors(github, where, pull(8), people), ['alice', 'mallory']);
  assert.deepEqual(await cachedContributors(github, where, pull(7), people), ['alice']);
  assert.deepEqual(calls, [7, 8]);
});

test('a failed read of contributors is not kept', async () => {
  let fail = true;
  const github = {
    ...noActivity,
    pulls: {
      listCommits: async () => {
        if (fail) throw new Error('502');
        return { data: [{ sha: 'a'.repeat(40), author: { login: 'bob', type: 'User' }, committer: null }] };
      },
    },
  } as unknown as Api;
  const people = peopleCache();
  await assert.rejects(cachedContributors(github, where, pull(7), people), /502/);
  fail = false;
  assert.deepEqual(await cachedContributors(github, where, pull(7), people), ['bob']);
});

// A veto and an approval in one delivery: the approval's read cannot tell who pushed (more changes than are
// read) and throws; the veto's takes the commits' people. One read of the commits and the activity serves both.
test("an approval's and a veto's contributors share one read", async () => {
  let listed = 0;
  let activity = 0;
  const github = {
    repos: {
      listActivities: async ({ after }: { after?: string }) => {
        activity++;
        const next = Number(after ?? 0) + 1;
        return {
          data: [
            {
              after: 'c'.repeat(40),
              before: 'b'.repeat(40),
              activity_type: 'push',
              actor: { login: 'mallory' },
            },
          ],
          headers: { link: `<https://api.github.com/repositories/1/activity?after=${next}>; rel="next"` },
        };
      },
    },
    pulls: {
      listCommits: async () => {
        listed++;
        return { data: [{ sha: 'c'.repeat(40), author: { login: 'bob', type: 'User' }, committer: null }] };
      },
    },
  } as unknown as Api;
  const people = peopleCache();
  const [approval, veto] = await Promise.allSettled([
    cachedContributors(github, where, pull(7), people),
    cachedContributors(github, where, pull(7), people, { skipUnreadablePushers: true }),
  ]);
  assert.equal(approval.status, 'rejected');
  assert.match(String((approval as PromiseRejectedResult).reason), /more than 1000 changes/);
  assert.deepEqual(veto, { status: 'fulfilled', value: ['bob'] });
  assert.equal(listed, 1);
  assert.equal(activity, PUSH_ACTIVITY_PAGES);
});

// Proposed to another branch than the default one: the commits judged are the head's the default branch lacks
// (compare, by page); when more are there than are read, every change of the branch counts.
test("another base: the head's commits the default branch lacks, all of them or every change counts", async () => {
  const compared: Array<Record<string, unknown>> = [];
  const github = (total: number) =>
    ({
      repos: {
        compareCommitsWithBasehead: async (params: { page: number }) => {
          compared.push(params);
          const count = Math.max(0, Math.min(100, total - (params.page - 1) * 100));
          return {
            data: {
              total_commits: total,
              commits: Array.from({ length: count }, (_, i) => ({
                // The head is among them.
                sha: params.page === 1 && i === 0 ? 'c'.repeat(40) : `${params.page}-${i}`.padStart(40, '0'),
                author: { login: params.page === 1 && i === 0 ? 'bob' : 'alice', type: 'User' },
                committer: null,
              })),
            },
          };
        },
        // erin pushed the branch to a commit none of the listed ones.
        listActivities: async () => ({
          data: [
            {
              after: 'e'.repeat(40),
              before: 'd'.repeat(40),
              activity_type: 'push',
              actor: { login: 'erin' },
            },
          ],
          headers: {},
        }),
      },
      pulls: {
        listCommits: async () => {
          throw new Error('the pull request is proposed to another branch: its own commits list is not used');
        },
      },
    }) as unknown as Api;
  const stacked = { ...pull(7), baseRef: 'feature/base' };
  assert.deepEqual(await cachedContributors(github(150), where, stacked, undefined), ['bob', 'alice']);
  assert.deepEqual(
    compared.map((c) => [c.basehead, c.page]),
    [
      [`main...${'c'.repeat(40)}`, 1],
      [`main...${'c'.repeat(40)}`, 2],
    ],
  );
  assert.deepEqual(await cachedContributors(github(400), where, stacked, undefined), [
    'bob',
    'alice',
    'erin',
  ]);
});
