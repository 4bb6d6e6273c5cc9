// The action's Octokit against the fake GitHub: every request sent is counted (retries included) and
// equals what GitHub received, rate limits retried, failures counted, the token never in a log line, no
// POST repeated blindly, and the run's time budget for GitHub failures: retries and timeouts stay inside
// it, and once spent nothing more is sent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createGitHubClient, describeRequests, type ClientOptions } from '../../../src/github/client.ts';
import { GitHubUnavailableError } from '../../../src/github/budget.ts';
import type { FakeGitHub } from '../../fake-github/index.ts';
import { productionDeployment, withFakeRepo } from '../../helpers/github.ts';

const TOKEN = 'ghs_client_test_token';

function client(gh: FakeGitHub, log: string[] = [], extra: Partial<ClientOptions> = {}) {
  return createGitHubClient({
    token: TOKEN,
    baseUrl: gh.url,
    retryBaseMs: 10,
    writeIntervalMs: 0,
    log: (m) => log.push(m),
    ...extra,
  });
}

test('every call is counted once by route', async () => {
  await withFakeRepo(async (gh, sha) => {
    const { octokit, counter } = client(gh);
    for (let i = 0; i < 3; i++)
      await octokit.rest.repos.listDeployments({ owner: 'acme', repo: 'web', environment: 'production' });
    await octokit.rest.repos.createDeployment(productionDeployment(sha));
    assert.equal(counter.total(), 4);
    assert.equal(counter.attempts, 4);
    assert.equal(counter.failed, 0);
    assert.equal(counter.byRoute.get('GET /repos/{owner}/{repo}/deployments'), 3);
    assert.equal(counter.byRoute.get('POST /repos/{owner}/{repo}/deployments'), 1);
    assert.equal(
      describeRequests(counter),
      '4 GitHub API requests sent: 3 × GET /repos/{owner}/{repo}/deployments, 1 × POST /repos/{owner}/{repo}/deployments',
    );
    assert.equal(gh.requests.length, 4);
  });
});

test('two 500s are retried: one call, three requests sent and counted', async () => {
  await withFakeRepo(async (gh) => {
    const log: string[] = [];
    const { octokit, counter } = client(gh, log);
    gh.failNext({ status: 500, times: 2 });
    const { status } = await octokit.rest.repos.listDeployments({ owner: 'acme', repo: 'web' });
    assert.equal(status, 200);
    assert.equal(counter.total(), 1);
    assert.equal(counter.attempts, 3);
    assert.equal(counter.failed, 0);
    assert.match(describeRequests(counter), /^3 GitHub API requests sent \(1 call, 2 retries\): 1 × GET/);
    assert.equal(counter.attempts, gh.requests.length);
    assert.ok(!log.join('\n').includes(TOKEN));
  });
});

test('a non-idempotent create can opt out of retries; the failure is counted', async () => {
  await withFakeRepo(async (gh, sha) => {
    const { octokit, counter } = client(gh);
    gh.failNext({ status: 502, operationId: 'repos/create-deployment' });
    await assert.rejects(
      octokit.rest.repos.createDeployment({ ...productionDeployment(sha), request: { retries: 0 } }),
      (error: { status?: number }) => error.status === 502,
    );
    assert.equal(counter.attempts, 1);
    assert.equal(counter.failed, 1);
    assert.match(describeRequests(counter), /^1 GitHub API request sent, 1 failed: /);
  });
});

test('a 4xx is not retried', async () => {
  await withFakeRepo(async (gh) => {
    const { octokit, counter } = client(gh);
    await assert.rejects(
      octokit.rest.repos.getDeployment({ owner: 'acme', repo: 'web', deployment_id: 424242 }),
    );
    assert.equal(counter.attempts, 1);
    assert.equal(counter.failed, 1);
  });
});

// The plugin's wait (60 "s" here) is scaled by retryBaseMs (10 ms a second in these tests): unscaled it would
// be a minute, past the test's own timeout, which is the backstop; no clock is read.
test(
  'a secondary rate limit is waited out and retried, and logged without the token',
  { timeout: 30_000 },
  async () => {
    await withFakeRepo(async (gh) => {
      const log: string[] = [];
      const { octokit, counter } = client(gh, log);
      gh.failNext({ status: 403, secondaryRateLimit: true, retryAfterSeconds: 0 });
      const { status } = await octokit.rest.repos.listDeployments({ owner: 'acme', repo: 'web' });
      assert.equal(status, 200);
      assert.equal(counter.total(), 1);
      assert.equal(counter.attempts, 2);
      assert.ok(
        log.some((m) => /secondary rate limit .*retrying/.test(m)),
        log.join('\n'),
      );
      assert.ok(!log.join('\n').includes(TOKEN));
    });
  },
);

test('a rate-limit wait longer than the run accepts is given up', async () => {
  await withFakeRepo(async (gh) => {
    const log: string[] = [];
    const { octokit, counter } = createGitHubClient({
      token: TOKEN,
      baseUrl: gh.url,
      retryBaseMs: 10,
      writeIntervalMs: 0,
      maxRateLimitWaitS: 5,
      log: (m) => log.push(m),
    });
    gh.failNext({ status: 403, secondaryRateLimit: true, retryAfterSeconds: 120 });
    await assert.rejects(octokit.rest.repos.listDeployments({ owner: 'acme', repo: 'web' }));
    assert.equal(counter.attempts, 1);
    assert.equal(counter.failed, 1);
    assert.ok(
      log.some((m) => /giving up \(wait 120 s/.test(m)),
      log.join('\n'),
    );
  });
});

test('describeRequests with nothing counted', () => {
  const { counter } = createGitHubClient({ token: TOKEN });
  assert.equal(describeRequests(counter), '0 GitHub API requests sent');
});

test('a POST is never repeated blindly: its 500 may hide a write that landed', async () => {
  await withFakeRepo(async (gh, sha) => {
    const { octokit, counter } = client(gh);
    gh.failNext({ status: 500, afterWrite: true, operationId: 'repos/create-deployment' });
    await assert.rejects(
      octokit.rest.repos.createDeployment(productionDeployment(sha)),
      (error: { status?: number }) => error.status === 500,
    );
    assert.equal(gh.requestsFor('repos/create-deployment').length, 1);
    assert.equal(gh.repo().deployments.size, 1, 'the write landed once');
    assert.equal(counter.attempts, 1);
  });
});

test('GitHub down: retries stop when their back-off no longer fits the budget, then nothing is sent', async () => {
  await withFakeRepo(async (gh) => {
    const log: string[] = [];
    // Back-off 1 s, 4 s, 9 s (the default); a 3 s budget affords the first wait only.
    const { octokit, counter, budget } = client(gh, log, {
      retryBaseMs: 1000,
      budget: { budgetMs: 3000, maxConsecutiveFailures: 100 },
    });
    gh.setDown(true);
    await assert.rejects(octokit.rest.repos.listDeployments({ owner: 'acme', repo: 'web' }), { status: 503 });
    assert.equal(counter.attempts, 2, 'the first attempt and one retry');
    // It gave up within the budget: had it waited the 4 s back-off that no longer fits, the retry would have
    // been refused there (the 3 s budget spent), not answered 503 by GitHub. No clock needed.
    assert.equal(counter.refused, 0, 'no retry waited only to be refused');
    // The next call spends what is left of the budget and then gives up for the rest of the run.
    await assert.rejects(octokit.rest.repos.listDeployments({ owner: 'acme', repo: 'web' }));
    for (let i = 0; i < 1000 && budget.verdict().ok; i++)
      await octokit.rest.repos.listDeployments({ owner: 'acme', repo: 'web' }).catch(() => {});
    assert.equal(budget.verdict().ok, false, 'the budget ran out');
    const sent = gh.requests.length;
    assert.equal(counter.attempts, sent, 'every request sent is counted, and only those');
    gh.setDown(false);
    const refusedBefore = counter.refused;
    await assert.rejects(
      octokit.rest.repos.listDeployments({ owner: 'acme', repo: 'web' }),
      (error) => error instanceof GitHubUnavailableError,
    );
    assert.equal(gh.requests.length, sent, 'nothing is sent after giving up, even when GitHub is back');
    assert.equal(counter.refused, refusedBefore + 1);
    assert.equal(log.filter((m) => /giving up for the rest of this run/.test(m)).length, 1, log.join('\n'));
    assert.match(describeRequests(counter), /\d+ not sent after giving up on GitHub/);
  });
});

test('GitHub down with fast failures: judged down after the failures in a row, long before the budget', async () => {
  await withFakeRepo(async (gh) => {
    const { octokit, counter, budget } = client(gh, [], { budget: { maxConsecutiveFailures: 4 } });
    gh.setDown({ status: 500 });
    for (let i = 0; i < 3; i++)
      await octokit.rest.repos.listDeployments({ owner: 'acme', repo: 'web' }).catch(() => {});
    const verdict = budget.verdict();
    assert.equal(verdict.ok === false && verdict.reason, 'github_down');
    assert.equal(counter.attempts, 4);
    assert.equal(gh.requests.length, 4);
  });
});

// GitHub never answers: the call can only end by the attempt timeout (the error names it) and the run only
// give up by the budget (the verdict says so); without them the test's own timeout is the backstop.
test(
  'GitHub hanging: each attempt times out within the budget, and the run gives up',
  { timeout: 60_000 },
  async () => {
    await withFakeRepo(async (gh) => {
      const { octokit, counter, budget } = client(gh, [], {
        budget: { budgetMs: 1500, attemptTimeoutMs: 1000, minAttemptMs: 200, maxConsecutiveFailures: 100 },
      });
      gh.setDown({ hang: true });
      await assert.rejects(
        octokit.rest.repos.listDeployments({ owner: 'acme', repo: 'web' }),
        /GitHub did not answer the GET within 1\.0 s/,
      );
      // The next attempt gets what is left of the budget (0.5 s, raised to the 0.2 s floor at least).
      for (let i = 0; i < 5 && budget.verdict().ok; i++)
        await octokit.rest.repos.listDeployments({ owner: 'acme', repo: 'web' }).catch(() => {});
      const verdict = budget.verdict();
      assert.equal(verdict.ok === false && verdict.reason, 'budget_spent');
      assert.equal(counter.attempts, gh.requests.length);
      assert.equal(counter.attempts, 2);
    });
  },
);

// A gate that times out, or a job that is cancelled, aborts its GitHub reads (src/gates/review.ts): its own
// signal, not GitHub failing. Retried and charged to the budget, two such reads judged GitHub down for the rest
// of the run (four attempts each, five failures in a row), and the deployment's reporting with it.
test('a call its caller aborts is neither retried nor charged to the budget: it ends with the reason', async () => {
  await withFakeRepo(async (gh) => {
    const { octokit, counter, budget } = client(gh, [], { budget: { maxConsecutiveFailures: 2 } });
    gh.setDown({ hang: true });
    const reason = new Error('the gate timed out');
    const reads = [1, 2, 3].map(() => {
      const caller = new AbortController();
      setTimeout(() => caller.abort(reason), 50);
      return octokit.rest.pulls.listReviews({
        owner: 'acme',
        repo: 'web',
        pull_number: 3,
        request: { signal: caller.signal },
      });
    });
    for (const read of reads) await assert.rejects(read, reason);
    assert.equal(counter.attempts, 3, 'one attempt each');
    assert.equal(budget.failures(), 0);
    assert.equal(budget.spentMs(), 0);
    assert.ok(budget.verdict().ok, 'GitHub is not judged down');
  });
});

test('a 500 that carried out the write, a rate limit and a 404: all counted as sent and received', async () => {
  await withFakeRepo(async (gh, sha) => {
    const { octokit, counter } = client(gh);
    gh.failNext({ status: 500, times: 2, operationId: 'repos/list-deployments' });
    gh.failNext({ status: 403, secondaryRateLimit: true, retryAfterSeconds: 0, operationId: 'repos/get' });
    await octokit.rest.repos.listDeployments({ owner: 'acme', repo: 'web' });
    await octokit.rest.repos.get({ owner: 'acme', repo: 'web' });
    await octokit.rest.repos.getDeployment({ owner: 'acme', repo: 'web', deployment_id: 9 }).catch(() => {});
    await octokit.rest.repos
      .createDeployment({
        owner: 'acme',
        repo: 'web',
        ref: sha,
        environment: 'x',
        required_contexts: [],
        auto_merge: false,
      })
      .catch(() => {});
    assert.equal(counter.attempts, gh.requests.length);
    assert.equal(counter.attempts, 3 + 2 + 1 + 1);
  });
});

test(
  'once the job is cancelled, writes go without the interval GitHub asks for between them',
  { timeout: 60_000 },
  async () => {
    await withFakeRepo(async (gh, sha) => {
      // An hour between writes: a write that still waited for it would never land in this test.
      const { octokit } = client(gh, [], { writeIntervalMs: 3_600_000 });
      const first = await octokit.rest.repos.createDeployment(productionDeployment(sha));
      const id = (first.data as { id: number }).id;
      await octokit.unspaceWrites();
      for (const state of ['in_progress', 'error'] as const)
        await octokit.rest.repos.createDeploymentStatus({
          owner: 'acme',
          repo: 'web',
          deployment_id: id,
          state,
        });
      assert.deepEqual(
        gh.requests.map((r) => `${r.method} ${r.status}`),
        ['POST 201', 'POST 201', 'POST 201'],
      );
    });
  },
);

// plugin-throttling spaces requests that notify people (a new comment) 3 s apart, in a queue every client of
// the process shared. Each client has its own, at the interval it is given, and once the job is cancelled
// its next comment does not wait for it either.
test(
  'a new comment waits for the notifying interval the client was given, until the job is cancelled',
  { timeout: 60_000 },
  async () => {
    await withFakeRepo(
      async (gh) => {
        const comments = () =>
          gh.requests
            .filter((r) => r.operationId === 'issues/create-comment')
            .map((r) => (r.body as { body: string }).body);
        const clientAt = (notifyIntervalMs: number) => {
          const { octokit } = client(gh, [], { notifyIntervalMs });
          return {
            octokit,
            comment: (body: string) =>
              octokit.rest.issues.createComment({ owner: 'acme', repo: 'web', issue_number: 7, body }),
          };
        };
        const waiting = clientAt(5_000);
        await waiting.comment('first');
        let landed = false;
        const second = waiting.comment('second').then(() => (landed = true));
        // Past the plugin's own 3 s: the comment still waits for the 5 s it was given.
        await new Promise((r) => setTimeout(r, 3_500));
        assert.equal(landed, false);
        assert.deepEqual(comments(), ['first']);
        await second;

        // An hour between comments: one that still waited for it would never land in this test.
        const cancelled = clientAt(3_600_000);
        await cancelled.comment('before the cancellation');
        await cancelled.octokit.unspaceWrites();
        await cancelled.comment('after the cancellation');
        assert.deepEqual(comments(), [
          'first',
          'second',
          'before the cancellation',
          'after the cancellation',
        ]);
      },
      { pulls: [{ number: 7, head: 'a'.repeat(40), user: 'alice' }] },
    );
  },
);
