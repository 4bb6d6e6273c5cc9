// Who pushed to a pull request's branch, from GitHub's repository activity (headPushers): every page, by
// GitHub's cursor; bots left out; and never an empty answer where it could not be read (a deleted or unreadable
// fork, more changes than are read), which would let a pusher's approval count.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { headPushers, PUSH_ACTIVITY_PAGES } from '../../../app/facts/pull-request.ts';
import { FactsError } from '../../../app/facts/config.ts';
import type { Api } from '../../../app/facts/github.ts';

const where = { owner: 'acme', repo: 'web' };
const FORK = { name: 'web', full_name: 'mallory/web', owner: { login: 'mallory' } };

interface Page {
  actors: Array<({ login: string; type?: string } & { after?: string }) | null>;
  next?: string;
}

function api(
  pages: Record<string, Page>,
  calls: Array<Record<string, unknown>>,
  head: { ref: string; repo: typeof FORK | null } = { ref: 'feature/x', repo: FORK },
): Api {
  return {
    pulls: { get: async () => ({ data: { head } }) },
    repos: {
      listActivities: async (params: Record<string, unknown>) => {
        calls.push(params);
        const page = pages[String(params.after ?? '')];
        if (!page) throw Object.assign(new Error('Not Found'), { status: 404 });
        return {
          data: page.actors.map((actor) => ({
            after: actor?.after ?? 'f'.repeat(40),
            actor: actor && { type: 'User', login: actor.login, ...(actor.type ? { type: actor.type } : {}) },
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
        '': { actors: [{ login: 'alice' }, { login: 'dependabot[bot]', type: 'Bot' }], next: 'Y3Vyc29y' },
        Y3Vyc29y: { actors: [{ login: 'carol' }, null, { login: 'ci-bot', type: 'Bot' }] },
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
  const mine = 'a'.repeat(40);
  const merged = 'b'.repeat(40);
  const pushers = await headPushers(
    api(
      {
        '': {
          actors: [
            { login: 'carol', after: mine.toUpperCase() },
            // dave's push is of a commit the base branch has since taken: not one of this pull request's.
            { login: 'dave', after: merged },
          ],
        },
      },
      [],
    ),
    where,
    7,
    new Set([mine]),
  );
  assert.deepEqual(pushers, ['carol']);
});

test('an unreadable fork, a deleted one, or more changes than are read: a FactsError, never an empty list', async () => {
  const unreadable = (error: unknown) =>
    error instanceof FactsError &&
    error.code === 'pushers_unreadable' &&
    /pull request #7/.test(error.message);
  await assert.rejects(headPushers(api({}, []), where, 7), unreadable);
  await assert.rejects(
    headPushers(api({ '': { actors: [] } }, [], { ref: 'x', repo: null }), where, 7),
    unreadable,
  );
  const endless: Record<string, Page> = {};
  for (let i = 0; i <= PUSH_ACTIVITY_PAGES; i++)
    endless[i === 0 ? '' : `c${i}`] = { actors: [{ login: 'alice' }], next: `c${i + 1}` };
  const calls: Array<Record<string, unknown>> = [];
  await assert.rejects(headPushers(api(endless, calls), where, 7), unreadable);
  assert.equal(calls.length, PUSH_ACTIVITY_PAGES, 'bounded');
});

test('a server error is thrown as it is (retried by the delivery), not taken for an answer', async () => {
  const github = {
    pulls: { get: async () => ({ data: { head: { ref: 'x', repo: FORK } } }) },
    repos: {
      listActivities: async () => {
        throw Object.assign(new Error('Bad Gateway'), { status: 502 });
      },
    },
  } as unknown as Api;
  await assert.rejects(headPushers(github, where, 7), (e: unknown) => !(e instanceof FactsError));
});
