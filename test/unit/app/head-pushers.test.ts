// Who pushed to a pull request's branch, from GitHub's repository activity (headPushers): every page, by
// GitHub's cursor; bots left out; with the pull request's commits known, only a change to one of them, and the
// reading stops where a fast-forward chain from the head reaches the base's commits. Not known (undefined)
// where GitHub does not show it (a deleted fork, one the App cannot see); never an empty answer where the
// branch has more changes than are read, which would let a pusher's approval count.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { headPushers, PUSH_ACTIVITY_PAGES, readPull } from '../../../app/facts/pull-request.ts';
import { FactsError } from '../../../app/facts/config.ts';
import type { Api } from '../../../app/facts/github.ts';

const where = { owner: 'acme', repo: 'web' };
const FORK = { name: 'web', full_name: 'mallory/web', owner: { login: 'mallory' } };
const sha = (c: string) => c.repeat(40);
const HEAD = sha('a');
/** The rest of GET /pulls/7 that readPull reads. */
const PULL = {
  user: { login: 'alice' },
  base: { ref: 'main', repo: { full_name: 'acme/web', default_branch: 'main' } },
  state: 'open',
};

/** headPushers of pull request #7 as readPull reads it from `github`. */
async function pushersOf(github: Api, commits?: ReadonlySet<string>): Promise<string[] | undefined> {
  return headPushers(github, await readPull(github, where, 7), commits);
}

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
        data: { ...PULL, head: { sha: HEAD, ...head }, maintainer_can_modify: maintainerCanModify },
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
  const pushers = await pushersOf(
    api(
      {
        '': { changes: [{ login: 'alice' }, { login: 'dependabot[bot]', type: 'Bot' }], next: 'Y3Vyc29y' },
        Y3Vyc29y: { changes: [{ login: 'carol' }, {}, { login: 'ci-bot', type: 'Bot' }] },
      },
      calls,
    ),
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
  const pushers = await pushersOf(
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
    new Set([HEAD, sha('b')]),
  );
  assert.deepEqual(pushers, ['alice', 'carol']);
});

test('the reading stops where a fast-forward chain from the head reaches a commit the base has', async () => {
  const calls: Array<Record<string, unknown>> = [];
  const pushers = await pushersOf(
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
    new Set([HEAD, sha('b')]),
  );
  assert.deepEqual(pushers, ['alice', 'erin']);
  assert.equal(calls.length, 1, 'the older changes are not read');
});

test('a gap in the chain (a change not recorded) reads on', async () => {
  const calls: Array<Record<string, unknown>> = [];
  const pushers = await pushersOf(
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
  assert.equal(await pushersOf(api({}, [])), undefined);
  assert.equal(await pushersOf(api({ '': { changes: [] } }, [], { ref: 'x', repo: null })), undefined);
  const endless: Record<string, Page> = {};
  for (let i = 0; i <= PUSH_ACTIVITY_PAGES; i++)
    endless[i === 0 ? '' : `c${i}`] = { changes: [{ login: 'alice' }], next: `c${i + 1}` };
  const calls: Array<Record<string, unknown>> = [];
  await assert.rejects(pushersOf(api(endless, calls)), unreadable);
  assert.equal(calls.length, PUSH_ACTIVITY_PAGES, 'bounded');
});

test('a server error is thrown as it is (retried by the delivery), not taken for an answer', async () => {
  const github = {
    pulls: { get: async () => ({ data: { ...PULL, head: { ref: 'x', sha: HEAD, repo: FORK } } }) },
    repos: {
      listActivities: async () => {
        throw Object.assign(new Error('Bad Gateway'), { status: 502 });
      },
    },
  } as unknown as Api;
  await assert.rejects(pushersOf(github), (e: unknown) => !(e instanceof FactsError));
});

// The head read (M) is none of the commits listed after it (a force push in between went back to X): the stop
// rule must not end the reading at M, dropping mallory's earlier push of X.
test('a head that is none of the listed commits: every change of the branch counts', async () => {
  const M = sha('m');
  const X = sha('9');
  const A = sha('8');
  const pushers = await pushersOf(
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
    new Set([A, X]),
  );
  assert.deepEqual(pushers, ['mallory', 'mallory', 'alice']);
});

// The pull request is read before its commits are listed: mallory's push of M over the head read (X) lands in
// between. M is among the listed commits, so mallory's push counts, and so does alice's older one.
test('a push after the head was read and before the commits were listed counts', async () => {
  const M = sha('d');
  const X = sha('9');
  const A = sha('8');
  const pushers = await pushersOf(
    api(
      {
        '': {
          changes: [
            { login: 'mallory', after: M, before: X },
            { login: 'alice', after: X, before: A },
            { login: 'dave', after: A, before: sha('7') },
          ],
        },
      },
      [],
      { ref: 'feature/x', sha: X, repo: FORK },
    ),
    new Set([X, M]),
  );
  assert.deepEqual(pushers, ['mallory', 'alice']);
});

test('the pull request as its caller read it: headPushers does not read it again', async () => {
  const calls: Array<Record<string, unknown>> = [];
  const github = api({ '': { changes: [{ login: 'carol', after: HEAD }] } }, calls);
  const pull = await readPull(github, where, 7);
  Object.assign(github.pulls, {
    get: async () => {
      throw new Error('the pull request was read again');
    },
  });
  assert.deepEqual(await headPushers(github, pull, new Set([HEAD])), ['carol']);
  assert.equal(calls.length, 1);
});

// "Allow edits by maintainers": an approver with write access may push to the fork, whose activity the App
// cannot read: no approval is decided, rather than one decided on what the commits claim.
test('a fork maintainers may push to, whose activity is not shown: a FactsError', async () => {
  await assert.rejects(
    pushersOf(api({}, [], { ref: 'feature/x', repo: FORK }, true)),
    (error: unknown) =>
      error instanceof FactsError &&
      error.code === 'pushers_unreadable' &&
      /lets maintainers push/.test(error.message),
  );
});
