// The App reads every run of a required check's name, however many other check runs the commit has: every
// run of the name must pass (a green run posted under the name cannot hide the real one failing), so a
// failing run pushed off the first page by newer runs must still be seen. More runs of a name than the App
// reads are never taken as green.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checksAt } from '../../../app/facts/deployments.ts';
import type { Api } from '../../../app/facts/github.ts';

interface Run {
  name: string;
  status: string;
  conclusion: string | null;
  app: { slug: string };
}

const where = { owner: 'acme', repo: 'web' };
const SHA = 'a'.repeat(40);

/** GitHub's list of a commit's check runs: newest first, filtered by check_name, 100 a page at most. */
function github(oldestFirst: Run[]): Api {
  return {
    checks: {
      listForRef: async (p: { check_name?: string; per_page?: number; page?: number }) => {
        const runs = oldestFirst
          .filter((r) => p.check_name === undefined || r.name === p.check_name)
          .reverse();
        const per = Math.min(p.per_page ?? 30, 100);
        const page = p.page ?? 1;
        return {
          data: { total_count: runs.length, check_runs: runs.slice((page - 1) * per, page * per) },
        };
      },
    },
  } as unknown as Api;
}

const run = (name: string, conclusion: string, app = 'github-actions'): Run => ({
  name,
  status: 'completed',
  conclusion,
  app: { slug: app },
});

test('a failing required check is seen behind 100 newer check runs', async () => {
  const runs = [
    run('test', 'failure'),
    ...Array.from({ length: 100 }, (_, i) => run(`noise-${i}`, 'success', 'someone')),
    run('test', 'success', 'someone'),
  ];
  const checks = await checksAt(github(runs), where, SHA, [{ name: 'test' }]);
  assert.ok(
    checks.some((c) => c.name === 'test' && c.conclusion === 'failure'),
    JSON.stringify(checks.filter((c) => c.name === 'test')),
  );
  assert.ok(
    checks.every((c) => c.name === 'test'),
    'only the required names are read',
  );
});

test('more runs of a required name than are read are not green', async () => {
  const runs = Array.from({ length: 501 }, () => run('test', 'success'));
  const checks = await checksAt(github(runs), where, SHA, [{ name: 'test', app: 'github-actions' }]);
  assert.ok(checks.some((c) => c.status !== 'completed' && c.app === 'github-actions'));
});
