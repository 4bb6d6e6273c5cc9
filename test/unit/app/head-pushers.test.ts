// Who pushed to a pull request's branch, from GitHub's repository activity (headPushers): every page, by
// GitHub's cursor; bots left out; with the pull request's commits known, only a change to one of them, and the
// reading stops where a fast-forward chain from the head reaches the base's commits. Not known (undefined)
// where GitHub does not show it (a deleted fork, one the App cannot see); never an empty answer where the
// branch has more changes than are read, which would let a pusher's approval count.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { headPushers, PUSH_ACTIVITY_PAGES } from '../../../app/facts/pull-request.ts';
import { FactsError } from '../../../app/facts/config.ts';
import type { Api } from '../../../app/facts/github.ts';

const where = { owner: 'acme', repo: 'web' };
const FORK = { name: 'web', full_name: 'mallory/web', owner: { login: 'mallory' } };
const sha = (c: string) => c.repeat(40);
const HEAD = sha('a');

interface Change {
  login?: string;
  type?: string;
  after?: string;
  before?: string;
  kind?: string;
}
interface Page {
  changes: Change[];
  next?: string;
}

function api(
  pages: Record<string, Page>,
  calls: Array<Record<string, unknown>>,
  head: { ref: string; sha?: string; repo: typeof FORK | null } = { ref: 'feature/x', repo: FORK },
  maintainerCanModify = false,
): Api {
  return {
    pulls: {
      get: async () => ({
        data: { head: { sha: HEAD, ...head }, maintainer_can_modify: maintainerCanModify },
      }),
    },
    repos: {
      listActivities: async (params: Record<string, unknown>) => {
        calls.push(params);
        const page = pages[String(params.after ?? '')];
        if (!page) throw Object.assign(new Error('Not Found'), { status: 404 });
        return {
          data: page.changes.map((c) => ({
            after: c.after ?? sha('f'),
            before: c.before ?? sha('e'),
            activity_type: c.kind ?? 'push',
            actor: c.login === undefined ? null : { login: c.login, type: c.type ?? 'User' },
          })),
          headers: page.next
            ? {
                link: `<https://api.github.com/repositories/1/activity?ref=x&per_page=100&after=${page.next}>; rel="next"`,
              }
            : {},
        };
      },
    },
  } as unknown as Api;
}

test("every page of the head branch's activity is read, in the head's repository, by cursor", async () => {
  const calls: Array<Record<string, unknown>> = [];
  const pushers = await headPushers(
    api(
      {
        '': { changes: [{ login: 'alice' }, { login: 'dependabot[bot]', type: 'Bot' }], next: 'Y3Vyc29y' },
        Y3Vyc29y: { changes: [{ login: 'carol' }, {}, { login: 'ci-bot', type: 'Bot' }] },
      },
      calls,
    ),
    where,
    7,
  );
  assert.deepEqual(pushers, ['alice', 'carol']);
  assert.deepEqual(
    calls.map((c) => [c.owner, c.repo, c.ref, c.after]),
    [
      ['mallory', 'web', 'refs/heads/feature/x', undefined],
      ['mallory', 'web', 'refs/heads/feature/x', 'Y3Vyc29y'],
    ],
  );
});

test("with the pull request's commits known, only a change to one of them counts", async () => {
  const pushers = await headPushers(
    api(
      {
        '': {
          changes: [
            // A force push: what came before it need not be the head's ancestor, so the reading goes on.
            { login: 'alice', after: HEAD, before: sha('9'), kind: 'force_push' },
            { login: 'carol', after: sha('b').toUpperCase(), before: sha('8') },
            // dave's push is of a commit the base branch has since taken: not one of this pull request's.
            { login: 'dave', after: sha('c') },
          ],
        },
      },
      [],
    ),
    where,
    7,
    new Set([HEAD, sha('b')]),
  );
  assert.deepEqual(pushers, ['alice', 'carol']);
});

test('the reading stops where a fast-forward chain from the head reaches a commit the base has', async () => {
  const calls: Array<Record<string, unknown>> = [];
  const pushers = await headPushers(
    api(
      {
        '': {
          changes: [
            { login: 'alice', after: HEAD, before: sha('b') },
            { login: 'erin', after: sha('b'), before: sha('c'), kind: 'pr_merge' },
            // Left the branch at c, the head's ancestor and not the pull request's: the base's, as is all older.
            { login: 'dave', after: sha('c'), before: sha('d') },
          ],
          next: 'bW9yZQ',
        },
        bW9yZQ: { changes: [{ login: 'frank', after: HEAD }] },
      },
      calls,
    ),
    where,
    7,
    new Set([HEAD, sha('b')]),
  );
  assert.deepEqual(pushers, ['alice', 'erin']);
  assert.equal(calls.length, 1, 'the older changes are not read');
});

test('a gap in the chain (a change not recorded) reads on', async () => {
  const calls: Array<Record<string, unknown>> = [];
  const pushers = await headPushers(
    api(
      {
        '': {
          changes: [
            { login: 'alice', after: HEAD, before: sha('b') },
            // Not where alice's push found the branch: this c is no known ancestor of the head.
            { login: 'dave', after: sha('c'), before: sha('d') },
          ],
          next: 'bW9yZQ',
        },
        bW9yZQ: { changes: [{ login: 'carol', after: sha('b') }] },
      },
      calls,
    ),
    where,
    7,
    new Set([HEAD, sha('b')]),
  );
  assert.deepEqual(pushers, ['alice', 'carol']);
  assert.equal(calls.length, 2);
});

test('a fork GitHub does not show or a deleted one: not known (undefined); more changes than are read: a FactsError, never a shorter list', async () => {
  const unreadable = (error: unknown) =>
    error instanceof FactsError &&
    error.code === 'pushers_unreadable' &&
    /pull request #7/.test(error.message);
  assert.equal(await headPushers(api({}, []), where, 7), undefined);
  assert.equal(
    await headPushers(api({ '': { changes: [] } }, [], { ref: 'x', repo: null }), where, 7),
    undefined,
  );
  const endless: Record<string, Page> = {};
  for (let i = 0; i <= PUSH_ACTIVITY_PAGES; i++)
    endless[i === 0 ? '' : `c${i}`] = { changes: [{ login: 'alice' }], next: `c${i + 1}` };
  const calls: Array<Record<string, unknown>> = [];
  await assert.rejects(headPushers(api(endless, calls), where, 7), unreadable);
  assert.equal(calls.length, PUSH_ACTIVITY_PAGES, 'bounded');
});

test('a server error is thrown as it is (retried by the delivery), not taken for an answer', async () => {
  const github = {
    pulls: { get: async () => ({ data: { head: { ref: 'x', sha: HEAD, repo: FORK } } }) },
    repos: {
      listActivities: async () => {
        throw Object.assign(new Error('Bad Gateway'), { status: 502 });
      },
    },
  } as unknown as Api;
  await assert.rejects(headPushers(github, where, 7), (e: unknown) => !(e instanceof FactsError));
});

// The pull request's commits are listed before its head is read: a push in between (mallory's M over the listed
// X) must not make the stop rule end the reading at M, dropping mallory's earlier push of X.
test('a push after the commits were listed: every change of the branch counts', async () => {
  const M = sha('m');
  const X = sha('9');
  const A = sha('8');
  const pushers = await headPushers(
    api(
      {
        '': {
          changes: [
            { login: 'mallory', after: M, before: X },
            { login: 'mallory', after: X, before: A },
            { login: 'alice', after: A, before: sha('7'), kind: 'branch_creation' },
          ],
        },
      },
      [],
      { ref: 'feature/x', sha: M, repo: FORK },
    ),
    where,
    7,
    new Set([A, X]),
  );
  assert.deepEqual(pushers, ['mallory', 'mallory', 'alice']);
});

// "Allow edits by maintainers": an approver with write access may push to the fork, whose activity the App
// cannot read: no approval is decided, rather than one decided on what the commits claim.
test('a fork maintainers may push to, whose activity is not shown: a FactsError', async () => {
  await assert.rejects(
    headPushers(api({}, [], { ref: 'feature/x', repo: FORK }, true), where, 7),
    (error: unknown) =>
      error instanceof FactsError &&
      error.code === 'pushers_unreadable' &&
      /lets maintainers push/.test(error.message),
  );
});
