// The Action's `mode: metrics` as the runner runs it (the sources, inputs as INPUT_*), against the fake GitHub:
// one GraphQL request validated against GitHub's schema, the `metrics` output, and a job summary with the
// table and charts in which a hostile environment name stays inert. Without a token it fails saying so.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../../helpers/cli.ts';
import { runBuiltAction, runnerGitHubEnv } from '../../helpers/action.ts';
import { DAY, HOUR, historyFake, makeHistory, OWNER, REPO } from '../../helpers/deployment-history.ts';
import { assertTablesIntact } from '../report/table-check.ts';

const ENTRY = join(repoRoot, 'src/action/index.ts');
const HOSTILE = 'prod|<img src=x onerror=alert(1)> @admin';

test('mode: metrics writes the table and charts to the job summary and the report to the output', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'metrics-mode-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const start = Date.now() - 10 * DAY;
  const h = await historyFake(start);
  t.after(() => h.fake.stop());
  await makeHistory(h, [
    {
      environment: 'production',
      committedAt: start,
      createdAt: start + HOUR,
      statuses: [{ state: 'success', at: start + 2 * HOUR }],
    },
    {
      environment: HOSTILE,
      committedAt: start + DAY,
      createdAt: start + DAY + HOUR,
      statuses: [{ state: 'error', at: start + DAY + 2 * HOUR }],
    },
  ]);
  const [ok, missing, dispatched] = await Promise.all([
    runBuiltAction({
      dir,
      entry: ENTRY,
      inputs: { mode: 'metrics', 'github-token': 'test-token', since: '30d' },
      env: runnerGitHubEnv(h.fake.url, OWNER, REPO),
    }),
    runBuiltAction({
      dir: await mkdtemp(join(dir, 'no-token-')),
      entry: ENTRY,
      inputs: { mode: 'metrics', since: 'yesterday' },
      env: runnerGitHubEnv(h.fake.url, OWNER, REPO),
    }),
    // A workflow_dispatch whose `mode` input asks for metrics: metrics, never a deployment.
    runBuiltAction({
      dir: await mkdtemp(join(dir, 'dispatch-')),
      entry: ENTRY,
      inputs: { 'github-token': 'test-token', environment: 'production' },
      event: { name: 'workflow_dispatch', payload: { inputs: { mode: 'metrics' } } },
      env: runnerGitHubEnv(h.fake.url, OWNER, REPO),
    }),
  ]);
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
  assert.equal(ok.outputs.status, 'succeeded');
  assert.equal(ok.outputs.code, 'metrics');
  const report = JSON.parse(ok.outputs.metrics!);
  assert.equal(report.requests, 1);
  assert.deepEqual(
    report.environments.map((e: { environment: string }) => e.environment).sort(),
    [HOSTILE, 'production'].sort(),
  );
  const hostile = report.environments.find((e: { environment: string }) => e.environment === HOSTILE);
  assert.equal(hostile.changeFailureRate.byCode.error, 1);
  assert.ok(hostile.timeToRestore.openSince, 'the failure is not restored yet');

  assert.match(ok.summary, /^## Delivery metrics$/m);
  assertTablesIntact(ok.summary);
  assert.equal(ok.summary.split('\n').filter((l) => l.startsWith('|')).length, 4);
  assert.match(ok.summary, /```mermaid\nxychart-beta/);
  assert.doesNotMatch(ok.summary, /<img/);
  assert.match(ok.summary, /open since/);
  assert.equal(ok.outputs['github-requests'], '1');
  h.fake.assertNoViolations();

  assert.equal(dispatched.status, 0, dispatched.stdout + dispatched.stderr);
  assert.deepEqual(
    JSON.parse(dispatched.outputs.metrics!).environments.map((e: { environment: string }) => e.environment),
    ['production'],
  );
  assert.equal(h.fake.requestsFor('repos/create-deployment').length, 2, 'only the two seeded deployments');

  assert.notEqual(missing.status, 0);
  assert.match(missing.stdout, /input "github-token" is required/);
  assert.match(missing.stdout, /input "since" is "yesterday"/);
});
