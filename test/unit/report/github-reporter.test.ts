// The GitHub reporter with the action's client against the fake GitHub, failing: close() ends within the
// run's budget for GitHub failures, with ONE warning that says what was not reported; after giving up
// nothing more is sent (not even after close() returned); and everything is reported once when GitHub
// works. Small budgets keep these quick; the e2e tests run the built action with the real ones.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createGitHubClient, type ClientOptions } from '../../../src/github/client.ts';
import { githubReporter } from '../../../src/report/github/reporter.ts';
import type { DownMode, FakeGitHub } from '../../fake-github/index.ts';
import { productionDeployment, withFakeRepo } from '../../helpers/github.ts';
import { gate, succeeded } from './fixtures.ts';

interface Setup {
  gh: FakeGitHub;
  deploymentId: number;
  sha: string;
}

async function withFake(run: (s: Setup) => Promise<void>): Promise<void> {
  await withFakeRepo(
    async (gh, sha) => {
      const { octokit } = createGitHubClient({ token: 't', baseUrl: gh.url, writeIntervalMs: 0 });
      const { data } = await octokit.rest.repos.createDeployment(productionDeployment(sha));
      await run({ gh, sha, deploymentId: (data as { id: number }).id });
    },
    { pulls: [{ number: 7, head: 'a'.repeat(40), user: 'alice' }] },
  );
}

function reporterFor(s: Setup, client: Partial<ClientOptions>, closeTimeoutMs?: number) {
  const { octokit, counter, budget } = createGitHubClient({
    token: 't',
    baseUrl: s.gh.url,
    writeIntervalMs: 0,
    ...client,
  });
  const logs: Array<{ level: 'info' | 'warn'; message: string }> = [];
  const reporter = githubReporter({
    octokit,
    owner: 'acme',
    repo: 'web',
    sha: s.sha,
    environment: 'production',
    version: '1.2.3',
    strategy: 'canary',
    deployment: { id: s.deploymentId },
    pullNumber: 7,
    runUrl: 'https://github.example/run/1',
    log: (level, message) => logs.push({ level, message }),
    ...(closeTimeoutMs ? { closeTimeoutMs } : {}),
  });
  const runDeployment = () => {
    reporter.event({ type: 'start', environment: 'production', version: '1.2.3', strategy: 'canary' });
    reporter.event({ type: 'gate-end', result: gate({ name: 'lint', status: 'warn' }) });
    reporter.event({ type: 'phase-start', phase: 'production', environment: 'production' });
    reporter.event({ type: 'result', result: succeeded() });
  };
  return { reporter, logs, counter, budget, runDeployment };
}

for (const [how, mode] of [
  ['answers 500', { status: 500 }],
  ['does not answer', { hang: true }],
] as Array<[string, DownMode]>) {
  test(`GitHub ${how}: close() ends within the budget, one warning names what was not reported`, async () => {
    await withFake(async (s) => {
      const budgetMs = 1500;
      const { reporter, logs, counter, runDeployment } = reporterFor(s, {
        retryBaseMs: 200,
        budget: { budgetMs, attemptTimeoutMs: 1000, minAttemptMs: 200, maxConsecutiveFailures: 100 },
      });
      const before = s.gh.requests.length;
      s.gh.setDown(mode);
      const started = performance.now();
      runDeployment();
      await reporter.close!();
      const took = performance.now() - started;
      assert.ok(took < budgetMs + 200 + 1000, `close() took ${Math.round(took)} ms`);
      const warnings = logs.filter((l) => l.level === 'warn');
      assert.equal(warnings.length, 1, JSON.stringify(logs, null, 1));
      const warning = warnings[0]!.message;
      for (const item of [
        'the deployment status "queued"',
        'the deployment status "in_progress"',
        'the deployment status "success"',
        'the "gates / lint" check run',
        'the conclusion of the "deploy / production" check run',
        'the status comment on #7',
      ])
        assert.ok(warning.includes(item), `${item} missing from: ${warning}`);
      assert.match(warning, /The run gave up on GitHub: GitHub kept failing/);
      assert.equal(reporter.failures().length, 8);
      assert.equal(counter.attempts, s.gh.requests.length - before);
      // Nothing is sent after giving up.
      const sent = s.gh.requests.length;
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(s.gh.requests.length, sent);
    });
  });
}

test('a GitHub that answers too slowly: close() stops at its timeout and nothing is sent after', async () => {
  await withFake(async (s) => {
    // A budget far larger than the close timeout: the close timeout is what ends it.
    const { reporter, logs, budget, runDeployment } = reporterFor(
      s,
      { budget: { budgetMs: 60_000, attemptTimeoutMs: 30_000 } },
      700,
    );
    s.gh.setDown({ hang: true });
    const started = performance.now();
    runDeployment();
    await reporter.close!();
    const took = performance.now() - started;
    assert.ok(took < 700 + 1000, `close() took ${Math.round(took)} ms`);
    const verdict = budget.verdict();
    assert.equal(verdict.ok === false && verdict.reason, 'stopped');
    const warnings = logs.filter((l) => l.level === 'warn');
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!.message, /the run waited 1 s for GitHub to take the last updates/);
    // The queue behind the hanging request did not go on in the background.
    const sent = s.gh.requests.length;
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(s.gh.requests.length, sent, 'no request after close() returned');
  });
});

test('GitHub working: everything reported once, no warning', async () => {
  await withFake(async (s) => {
    const { reporter, logs, counter, runDeployment } = reporterFor(s, { retryBaseMs: 10 });
    const before = s.gh.requests.length;
    runDeployment();
    await reporter.close!();
    assert.deepEqual(
      logs.filter((l) => l.level === 'warn'),
      [],
    );
    assert.deepEqual(reporter.failures(), []);
    assert.deepEqual(
      s.gh
        .repo()
        .deploymentStatuses.get(s.deploymentId)!
        .map((x) => x.state),
      ['queued', 'in_progress', 'success'],
    );
    const runs = [...s.gh.repo().checkRuns.values()] as Array<{ name: string; conclusion: string | null }>;
    assert.deepEqual(runs.map((r) => [r.name, r.conclusion]).sort(), [
      ['deploy / production', 'success'],
      ['gates / lint', 'neutral'],
    ]);
    assert.equal(s.gh.repo().comments.size, 1);
    assert.equal(counter.attempts, s.gh.requests.length - before);
  });
});

test('the deploy check run whose create landed unanswered, and could not be looked up then, is updated later, not created again', async () => {
  await withFake(async (s) => {
    const { reporter, runDeployment } = reporterFor(s, { retries: 0, retryBaseMs: 10 });
    // The first create of the deploy check run lands but answers 500, and both lookups that createCheckRunOnce
    // tries fail too: it gives up not knowing. The next write to that check run must look again, find it,
    // and update it.
    s.gh.failNext({
      status: 500,
      afterWrite: true,
      operationId: 'checks/create',
      where: (r) => (r.body as { name?: string }).name === 'deploy / production',
    });
    s.gh.failNext({ status: 503, operationId: 'checks/list-for-ref', times: 2 });
    runDeployment();
    await reporter.close!();
    const runs = [...s.gh.repo().checkRuns.values()] as Array<{ name: string; conclusion: string | null }>;
    assert.deepEqual(
      runs.filter((r) => r.name === 'deploy / production').map((r) => r.conclusion),
      ['success'],
    );
    assert.deepEqual(reporter.failures().length, 1, reporter.failures().join('\n'));
    assert.match(reporter.failures()[0]!, /the progress of the "deploy \/ production" check run/);
  });
});
