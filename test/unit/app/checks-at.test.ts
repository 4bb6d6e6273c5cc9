// The App reads every run of a required check's name, however many other check runs the commit has: every
// run of the name must pass (a green run posted under the name cannot hide the real one failing), so a
// failing run pushed off the first page by newer runs must still be seen. More runs of a name than the App
// reads are never taken as green. Nor can a failing run be hidden by running workflows on the commit until its
// check suite is older than the 1000 newest, all that GitHub's list of a commit's check runs covers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Octokit } from '@octokit/rest';
import { checksAt } from '../../../app/facts/deployments.ts';
import type { Api } from '../../../app/facts/github.ts';
import { createFakeGitHub, openCheckSuites } from '../../fake-github/index.ts';

interface Run {
  id: number;
  name: string;
  status: string;
  conclusion: string | null;
  app: { id: number; slug: string };
}

const where = { owner: 'acme', repo: 'web' };
const SHA = 'a'.repeat(40);

/** GitHub's check suites of a commit (one per app here) and a suite's check runs: newest first, 100 a page. */
function github(oldestFirst: Run[]): Api {
  const page = <T>(items: T[], p: { per_page?: number; page?: number }) => {
    const per = Math.min(p.per_page ?? 30, 100);
    const at = p.page ?? 1;
    return items.slice((at - 1) * per, at * per);
  };
  return {
    checks: {
      listSuitesForRef: async (p: { check_name?: string; per_page?: number; page?: number }) => {
        const apps = new Map<number, Run['app']>();
        for (const r of oldestFirst)
          if (p.check_name === undefined || r.name === p.check_name) apps.set(r.app.id, r.app);
        const suites = [...apps.values()].map((app) => ({ id: app.id, app }));
        return { data: { total_count: suites.length, check_suites: page(suites, p) } };
      },
      listForSuite: async (p: {
        check_suite_id: number;
        check_name?: string;
        per_page?: number;
        page?: number;
      }) => {
        const runs = oldestFirst
          .filter(
            (r) => r.app.id === p.check_suite_id && (p.check_name === undefined || r.name === p.check_name),
          )
          .reverse();
        return { data: { total_count: runs.length, check_runs: page(runs, p) } };
      },
    },
  } as unknown as Api;
}

let ids = 1;
const APPS: Record<string, number> = { 'github-actions': 15368, someone: 42 };
const run = (name: string, conclusion: string, app = 'github-actions'): Run => ({
  id: ids++,
  name,
  status: 'completed',
  conclusion,
  app: { id: APPS[app]!, slug: app },
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

test('a failing required check stays seen when over 1000 newer check suites push it off the commit’s check-run list', async () => {
  const actions = { id: 15368, slug: 'github-actions' };
  const gh = await createFakeGitHub({ otherApps: { 'workflow-token': actions } });
  try {
    gh.seedRepo({ ...where });
    const sha = gh.addCommit({ message: 'change' });
    const octokit = new Octokit({ auth: 'workflow-token', baseUrl: gh.url });
    const check = async (conclusion: 'failure' | 'success') =>
      octokit.rest.checks.create({ ...where, name: 'test', head_sha: sha, status: 'completed', conclusion });
    // The CI workflow's run fails; a writer then runs workflows on the commit (a check suite each), the last
    // of them posting a green `test`.
    await check('failure');
    openCheckSuites(gh.state, gh.repo(), sha, 1000, actions);
    await check('success');
    for (const required of [{ name: 'test' }, { name: 'test', app: 'github-actions' }]) {
      const checks = await checksAt(octokit.rest as unknown as Api, where, sha, [required]);
      assert.deepEqual(
        checks.map((c) => c.conclusion).sort(),
        ['failure', 'success'],
        JSON.stringify(required),
      );
    }
    gh.assertNoViolations();
  } finally {
    await gh.stop();
  }
});
