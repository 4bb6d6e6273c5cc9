// checkRunsThroughSuites with `partial`: past its bound a list is read at both ends, its first page and its
// last pages, so its newest check runs are read whichever order GitHub lists them in (GitHub does not say);
// without `partial` it throws as before.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkRunsThroughSuites,
  TooManyCheckRuns,
  type CheckSuitesApi,
} from '../../../src/github/app-check-runs.ts';

const where = { owner: 'acme', repo: 'web' };
const query = { sha: 'a'.repeat(40), name: 'rollout / production', maxRuns: 1000 };

/** One suite of `runs` check runs (ids 1..runs), listed oldest or newest first; the pages asked, in order. */
function github(runs: number, order: 'oldest' | 'newest'): { api: CheckSuitesApi; pages: number[] } {
  const pages: number[] = [];
  const all = Array.from({ length: runs }, (_, i) => ({ id: i + 1, name: query.name, app: { id: 5 } }));
  const listed = order === 'oldest' ? all : [...all].reverse();
  const api: CheckSuitesApi = {
    checks: {
      listSuitesForRef: async () => ({ data: { total_count: 1, check_suites: [{ id: 7, app: { id: 5 } }] } }),
      listForSuite: async ({ page, per_page }) => {
        pages.push(page);
        return {
          data: { total_count: runs, check_runs: listed.slice((page - 1) * per_page, page * per_page) },
        };
      },
    },
  };
  return { api, pages };
}

for (const order of ['oldest', 'newest'] as const)
  test(`past the bound, listed ${order} first: the newest check run is read, within the bound's pages`, async () => {
    const { api, pages } = github(1001, order);
    const read = await checkRunsThroughSuites(api, where, { ...query, partial: true });
    assert.ok(read.partial instanceof TooManyCheckRuns);
    assert.ok(
      read.runs.some((r) => r.id === 1001),
      'the newest check run is among those read',
    );
    assert.deepEqual(pages, [1, 11, 10, 9, 8, 7, 6, 5, 4, 3], 'the first page, then the last pages');
  });

test('without partial, past the bound it throws', async () => {
  const { api } = github(1001, 'oldest');
  await assert.rejects(checkRunsThroughSuites(api, where, query), TooManyCheckRuns);
});

test('within the bound a partial read is the whole list, not flagged', async () => {
  const { api } = github(250, 'oldest');
  const read = await checkRunsThroughSuites(api, where, { ...query, partial: true });
  assert.equal(read.partial, undefined);
  assert.equal(read.runs.length, 250);
});
