// One delivery's cache of what it read about people: the contributors of a pull request are that pull
// request's. answerPendingProtectionRules decides every gate waiting at a commit with one cache, and a commit
// can be the head of two pull requests (one branch proposed to main and to a release branch): each gate
// must be judged on its own pull request's pushers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  cachedActorOf,
  cachedContributors,
  peopleCache,
  PUSH_ACTIVITY_PAGES,
} from '../../../app/facts/pull-request.ts';
import type { PullFacts } from '../../../app/facts/pull-request.ts';
import type { Api } from '../../../app/facts/github.ts';

const where = { owner: 'acme', repo: 'web' };

/** Pull request `number` as readPull reads it: a branch of this repository, its head `number` in hex. */
const pull = (number: number): PullFacts => ({
  number,
  author: 'alice',
  headSha: headOf(number),
  fromFork: false,
  open: true,
  head: { owner: 'acme', repo: 'web', fullName: 'acme/web', ref: `pr-${number}` },
  maintainerCanModify: false,
  baseRef: 'main',
  defaultBranch: 'main',
});
const headOf = (number: number) => number.toString(16).padStart(40, 'c');
const numberOf = (basehead: string) => parseInt(basehead.split('...')[1]!.replace(/^c+/, ''), 16);
/** Nobody else pushed. */
const noActivity = { listActivities: async () => ({ data: [], headers: {} }) };

/** A commit by `login`, author and committer; the first of each pull request is its head. */
const commitBy = (number: number, login: string, i: number) => ({
  sha: i === 0 ? headOf(number) : `${i}`.padStart(40, '0'),
  author: { login, type: 'User' },
  committer: { login, type: 'User' },
});

/** The head's commits the default branch lacks, by pull request (GitHub's compare of main with the head). */
function api(commitsByPull: Record<number, string[]>, calls: number[]): Api {
  return {
    repos: {
      ...noActivity,
      compareCommitsWithBasehead: async ({ basehead }: { basehead: string }) => {
        const number = numberOf(basehead);
        calls.push(number);
        const commits = (commitsByPull[number] ?? []).map((login, i) => commitBy(number, login, i));
        return { data: { total_commits: commits.length, commits } };
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
  const calls: number[] = [];
  const github = api({ 7: ['bob'] }, calls);
  const compare = github.repos.compareCommitsWithBasehead;
  Object.assign(github.repos, {
    compareCommitsWithBasehead: async (params: { basehead: string }) => {
      if (fail) throw Object.assign(new Error('Bad Gateway'), { status: 502 });
      return compare(params as Parameters<typeof compare>[0]);
    },
  });
  const people = peopleCache();
  await assert.rejects(cachedContributors(github, where, pull(7), people), /Bad Gateway/);
  fail = false;
  assert.deepEqual(await cachedContributors(github, where, pull(7), people), ['bob']);
});

// A veto and an approval in one delivery: the approval's read cannot tell who pushed (more changes than are
// read) and throws; the veto's takes the commits' people. One read of the commits and the activity serves both.
test("an approval's and a veto's contributors share one read", async () => {
  const calls: number[] = [];
  let activity = 0;
  const github = api({ 7: ['bob'] }, calls);
  Object.assign(github.repos, {
    listActivities: async ({ after }: { after?: string }) => {
      activity++;
      const next = Number(after ?? 0) + 1;
      return {
        data: [
          { after: headOf(7), before: 'b'.repeat(40), activity_type: 'push', actor: { login: 'mallory' } },
        ],
        headers: { link: `<https://api.github.com/repositories/1/activity?after=${next}>; rel="next"` },
      };
    },
  });
  const people = peopleCache();
  const [approval, veto] = await Promise.allSettled([
    cachedContributors(github, where, pull(7), people),
    cachedContributors(github, where, pull(7), people, { skipUnreadablePushers: true }),
  ]);
  assert.equal(approval.status, 'rejected');
  assert.match(String((approval as PromiseRejectedResult).reason), /more than 1000 changes/);
  assert.deepEqual(veto, { status: 'fulfilled', value: ['bob'] });
  assert.deepEqual(calls, [7]);
  assert.equal(activity, PUSH_ACTIVITY_PAGES);
});

// The compare of the default branch with the head, by page: more commits than are read, and every change of
// the branch counts (erin's push, to none of the commits read).
test("the head's commits the default branch lacks: all of them, or every change counts", async () => {
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
                sha: params.page === 1 && i === 0 ? headOf(7) : `${params.page}-${i}`.padStart(40, '0'),
                author: { login: params.page === 1 && i === 0 ? 'bob' : 'alice', type: 'User' },
                committer: null,
              })),
            },
          };
        },
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
    }) as unknown as Api;
  assert.deepEqual(await cachedContributors(github(150), where, pull(7), undefined), ['bob', 'alice']);
  assert.deepEqual(
    compared.map((c) => [c.basehead, c.page]),
    [
      [`main...${headOf(7)}`, 1],
      [`main...${headOf(7)}`, 2],
    ],
  );
  assert.deepEqual(await cachedContributors(github(400), where, pull(7), undefined), [
    'bob',
    'alice',
    'erin',
  ]);
});

// Proposed to another branch: the pull request's own commits count too. develop, the default branch, proposed
// to main: the compare lists none (main's default is develop itself), the pull request lists develop's.
test("another base: the pull request's own commits as well as the head's the default branch lacks", async () => {
  const calls: number[] = [];
  const github = api({}, calls);
  Object.assign(github, {
    pulls: {
      listCommits: async () => ({ data: [commitBy(7, 'dave', 0), commitBy(7, 'erin', 1)] }),
    },
  });
  const release = { ...pull(7), baseRef: 'main', defaultBranch: 'develop' };
  assert.deepEqual(await cachedContributors(github, where, release, undefined), ['dave', 'erin']);
  assert.deepEqual(calls, [7]);
});

// A head with no common ancestor with the default branch (a pull request to gh-pages): GitHub's compare answers
// 404; the pull request's own commits are read, and every change of the branch counts.
test('an orphan line: its own commits, and every change of the branch', async () => {
  const github = {
    repos: {
      compareCommitsWithBasehead: async () => {
        throw Object.assign(new Error('No common ancestor between main and cccc.'), { status: 404 });
      },
      listActivities: async () => ({
        data: [
          { after: 'e'.repeat(40), before: 'd'.repeat(40), activity_type: 'push', actor: { login: 'erin' } },
        ],
        headers: {},
      }),
    },
    pulls: { listCommits: async () => ({ data: [commitBy(7, 'dave', 0)] }) },
  } as unknown as Api;
  const pages = { ...pull(7), baseRef: 'gh-pages' };
  assert.deepEqual(await cachedContributors(github, where, pages, undefined), ['dave', 'erin']);
});

test('a person asked for with other teams is not asked for their permission again, nor for a team already read', async () => {
  const asked: string[] = [];
  const github = {
    repos: {
      getCollaboratorPermissionLevel: async ({ username }: { username: string }) => {
        asked.push(`permission ${username}`);
        // bob's first read fails: it is not kept, the next caller reads again.
        if (username === 'bob' && asked.filter((a) => a === 'permission bob').length === 1)
          throw Object.assign(new Error('Server Error'), { status: 502 });
        return { data: { permission: 'write', role_name: 'write' } };
      },
    },
    teams: {
      getMembershipForUserInOrg: async ({ team_slug, username }: { team_slug: string; username: string }) => {
        asked.push(`team ${team_slug} ${username}`);
        if (team_slug === 'sre') throw Object.assign(new Error('Not Found'), { status: 404 });
        return { data: { state: 'active' } };
      },
    },
  } as unknown as Api;
  const people = peopleCache();
  // As a deployer (the deployers' team), then as an approver (the approvers' team too), then in other case.
  const deployer = await cachedActorOf(github, where, 'Alice', ['acme/devs'], people);
  const approver = await cachedActorOf(github, where, 'alice', ['acme/sre', 'acme/devs'], people);
  const again = await cachedActorOf(github, where, 'ALICE', ['acme/devs'], people);
  assert.deepEqual(deployer, { login: 'Alice', permission: 'write', teams: ['acme/devs'] });
  assert.deepEqual(approver, { login: 'alice', permission: 'write', teams: ['acme/devs'] });
  assert.deepEqual(again.teams, ['acme/devs']);
  assert.deepEqual(asked, ['permission Alice', 'team devs Alice', 'team sre alice']);
  await assert.rejects(cachedActorOf(github, where, 'bob', [], people), /Server Error/);
  assert.equal((await cachedActorOf(github, where, 'bob', [], people)).permission, 'write');
  assert.deepEqual(asked.slice(3), ['permission bob', 'permission bob']);
});
