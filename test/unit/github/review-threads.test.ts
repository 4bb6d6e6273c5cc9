// Reading a pull request's review threads page by page with a tiny GraphQL fake: every page read, the page
// bound said, and whatever GitHub answers that cannot be used refused with what was wrong (never a pass).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readReviewThreads, ReviewThreadsError, type GraphqlFn } from '../../../src/github/review-threads.ts';

const WHERE = { owner: 'acme', repo: 'web', number: 7 };

const node = (i: number, resolved: boolean) => ({
  isResolved: resolved,
  isOutdated: i % 2 === 1,
  path: `src/f${i}.ts`,
  line: i % 2 === 1 ? null : i,
  comments: {
    nodes: [{ author: { login: `user${i}` }, url: `https://github.com/acme/web/pull/7#discussion_r${i}` }],
  },
});

/** Pages of nodes; each page's cursor is its index. Records the variables of every call. */
function paged(pages: unknown[][], calls: Array<Record<string, unknown>>): GraphqlFn {
  return async (_query, variables) => {
    calls.push(variables);
    const index = variables.after === null ? 0 : Number(variables.after) + 1;
    return {
      repository: {
        pullRequest: {
          reviewThreads: {
            pageInfo: { hasNextPage: index + 1 < pages.length, endCursor: String(index) },
            nodes: pages[index],
          },
        },
      },
    };
  };
}

describe('reading review threads', () => {
  it('reads every page with the cursor GitHub gave, keeping the unresolved threads', async () => {
    const calls: Array<Record<string, unknown>> = [];
    const pages = [[node(0, true), node(1, false)], [node(2, false), node(3, true)], [node(4, true)]];
    const read = await readReviewThreads(paged(pages, calls), WHERE);
    assert.deepEqual(
      calls.map((c) => c.after),
      [null, '0', '1'],
    );
    assert.deepEqual(calls[0], { owner: 'acme', name: 'web', number: 7, after: null });
    assert.equal(read.read, 5);
    assert.equal(read.pages, 3);
    assert.equal(read.truncated, false);
    assert.deepEqual(read.unresolved, [
      {
        path: 'src/f1.ts',
        outdated: true,
        author: 'user1',
        url: 'https://github.com/acme/web/pull/7#discussion_r1',
      },
      {
        path: 'src/f2.ts',
        line: 2,
        outdated: false,
        author: 'user2',
        url: 'https://github.com/acme/web/pull/7#discussion_r2',
      },
    ]);
  });

  it('stops at the page bound and says so, with how many were read', async () => {
    const calls: Array<Record<string, unknown>> = [];
    const pages = Array.from({ length: 5 }, (_, p) => [node(2 * p, false), node(2 * p + 1, true)]);
    const read = await readReviewThreads(paged(pages, calls), WHERE, { maxPages: 2 });
    assert.equal(calls.length, 2);
    assert.deepEqual(
      { read: read.read, pages: read.pages, truncated: read.truncated, unresolved: read.unresolved.length },
      { read: 4, pages: 2, truncated: true, unresolved: 2 },
    );
  });

  it('a deleted account and a thread with no comment shown are still unresolved threads', async () => {
    const bare = { isResolved: false, isOutdated: false, path: 'a.ts', line: 3, comments: { nodes: [] } };
    const ghost = { ...node(0, false), comments: { nodes: [{ author: null, url: 'https://x.test/1' }] } };
    const read = await readReviewThreads(paged([[bare, ghost]], []), WHERE);
    assert.deepEqual(read.unresolved, [
      { path: 'a.ts', line: 3, outdated: false },
      { path: 'src/f0.ts', line: 0, outdated: false, url: 'https://x.test/1' },
    ]);
  });

  const refused: Array<[string, unknown, RegExp]> = [
    [
      'no repository',
      { repository: null },
      /GitHub has no repository acme\/web \(or the token cannot read it\)/,
    ],
    ['no pull request', { repository: { pullRequest: null } }, /GitHub has no pull request #7 in acme\/web/],
    [
      'no connection',
      { repository: { pullRequest: { reviewThreads: null } } },
      /without threads or pageInfo/,
    ],
    [
      'a thread GitHub could not show',
      {
        repository: {
          pullRequest: {
            reviewThreads: {
              pageInfo: { hasNextPage: false, endCursor: null },
              nodes: [node(0, true), null],
            },
          },
        },
      },
      /review thread 2 without its resolution state or path/,
    ],
    [
      'a thread without its resolution state',
      {
        repository: {
          pullRequest: {
            reviewThreads: {
              pageInfo: { hasNextPage: false, endCursor: null },
              nodes: [{ ...node(0, true), isResolved: null }],
            },
          },
        },
      },
      /review thread 1 without its resolution state or path/,
    ],
    [
      'more pages without a cursor',
      {
        repository: {
          pullRequest: {
            reviewThreads: { pageInfo: { hasNextPage: true, endCursor: null }, nodes: [node(0, true)] },
          },
        },
      },
      /more review threads follow after 1 but gave no new cursor/,
    ],
  ];
  for (const [what, answer, message] of refused)
    it(`refuses an answer with ${what}`, async () => {
      await assert.rejects(
        readReviewThreads(async () => answer, WHERE),
        (error: Error) => error instanceof ReviewThreadsError && message.test(error.message),
      );
    });

  it('a cursor that does not move is refused, not read again until the bound', async () => {
    let calls = 0;
    const stuck: GraphqlFn = async () => {
      calls++;
      return {
        repository: {
          pullRequest: {
            reviewThreads: { pageInfo: { hasNextPage: true, endCursor: 'same' }, nodes: [node(0, true)] },
          },
        },
      };
    };
    await assert.rejects(readReviewThreads(stuck, WHERE), /gave no new cursor to read them/);
    assert.equal(calls, 2);
  });
});
