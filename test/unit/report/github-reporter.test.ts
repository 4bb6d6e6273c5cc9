// The GitHub reporter with the action's client against the fake GitHub, failing: close() ends within the
// run's budget for GitHub failures, with ONE warning that says what was not reported; after giving up
// nothing more is sent (not even after close() returned); and everything is reported once when GitHub
// works. Small budgets keep these quick; the e2e tests run the built action with the real ones.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createGitHubClient, type ClientOptions } from '../../../src/github/client.ts';
import { githubReporter, type GitHubReporterOptions } from '../../../src/report/github/reporter.ts';
import { readable } from './table-check.ts';
import { assertInert, BENIGN } from './markdown-check.ts';
import type { DownMode, FakeGitHub } from '../../fake-github/index.ts';
import { productionDeployment, withFakeRepo } from '../../helpers/github.ts';
import { parseStatusComment, renderStatusComment } from '../../../src/github/status-comment.ts';
import { createFakeGitHub } from '../../fake-github/index.ts';
import { analysisStep, gate, rolledBack, succeeded, waiting, waitRecord } from './fixtures.ts';
import type { AnalysisWarningRecord } from '../../../src/pipeline/events.ts';

interface Setup {
  gh: FakeGitHub;
  deploymentId: number;
  sha: string;
}

/** A production deployment of `sha`, created with `token`. */
async function deploymentOn(gh: FakeGitHub, sha: string, token = 't'): Promise<Setup> {
  const { octokit } = createGitHubClient({ token, baseUrl: gh.url, writeIntervalMs: 0 });
  const { data } = await octokit.rest.repos.createDeployment(productionDeployment(sha));
  return { gh, sha, deploymentId: (data as { id: number }).id };
}

async function withFake(run: (s: Setup) => Promise<void>): Promise<void> {
  await withFakeRepo(async (gh, sha) => run(await deploymentOn(gh, sha)), {
    pulls: [{ number: 7, head: 'a'.repeat(40), user: 'alice' }],
  });
}

interface CheckRun {
  name: string;
  conclusion: string | null;
  output: { title: string; summary: string; text: string | null };
}

const checkRuns = (s: Setup) => [...s.gh.repo().checkRuns.values()] as unknown as CheckRun[];
const deployCheckRun = (s: Setup) => checkRuns(s).find((r) => r.name === 'deploy / production')!;
const warningsIn = (logs: Array<{ level: 'info' | 'warn'; message: string }>) =>
  logs.filter((l) => l.level === 'warn');

/** A reporter for pull request #7 with the run's defaults; `options` replaces any of them. */
function reporterFor(s: Setup, client: Partial<ClientOptions>, options: Partial<GitHubReporterOptions> = {}) {
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
    ...options,
  });
  const runDeployment = () => {
    reporter.event({ type: 'start', environment: 'production', version: '1.2.3', strategy: 'canary' });
    reporter.event({ type: 'gate-end', result: gate({ name: 'lint', status: 'warn' }) });
    reporter.event({ type: 'phase-start', phase: 'production', environment: 'production' });
    reporter.event({ type: 'result', result: succeeded() });
  };
  return { reporter, logs, counter, budget, runDeployment };
}

/**
 * The deploy check run's summary once `send` has reported to a reporter with `options` (no pull request and
 * no run link: only the check runs and the deployment statuses are written) and it has closed.
 */
async function deploySummary(
  options: Partial<GitHubReporterOptions>,
  send: (reporter: ReturnType<typeof reporterFor>['reporter']) => void,
): Promise<string> {
  let summary = '';
  await withFake(async (s) => {
    const { reporter } = reporterFor(s, {}, { pullNumber: undefined, runUrl: undefined, ...options });
    send(reporter);
    await reporter.close!();
    summary = deployCheckRun(s).output.summary;
  });
  return summary;
}

for (const [how, mode] of [
  ['answers 500', { status: 500 }],
  ['does not answer', { hang: true }],
] as Array<[string, DownMode]>) {
  // What ends close() is checked by its reason, not by a clock: the close timeout (90 s by default) is beyond
  // the test's own timeout, which is only the backstop; without the budget the test would end there.
  test(
    `GitHub ${how}: close() ends within the budget, one warning names what was not reported`,
    { timeout: 60_000 },
    async () => {
      await withFake(async (s) => {
        const budgetMs = 1500;
        const { reporter, logs, counter, budget, runDeployment } = reporterFor(s, {
          retryBaseMs: 200,
          budget: { budgetMs, attemptTimeoutMs: 1000, minAttemptMs: 200, maxConsecutiveFailures: 100 },
        });
        const before = s.gh.requests.length;
        s.gh.setDown(mode);
        runDeployment();
        await reporter.close!();
        // The run gave up because the failure budget was spent (not the close timeout: that would be 'stopped').
        const verdict = budget.verdict();
        assert.equal(verdict.ok === false && verdict.reason, 'budget_spent');
        const warnings = warningsIn(logs);
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
    },
  );
}

// The budget (60 s) and each attempt's timeout (30 s) are beyond the test's own timeout: only the close
// timeout can end close() in time, and the verdict says it did ('stopped').
test(
  'a GitHub that answers too slowly: close() stops at its timeout and nothing is sent after',
  { timeout: 25_000 },
  async () => {
    await withFake(async (s) => {
      // A budget far larger than the close timeout: the close timeout is what ends it.
      const { reporter, logs, budget, runDeployment } = reporterFor(
        s,
        { budget: { budgetMs: 60_000, attemptTimeoutMs: 30_000 } },
        { closeTimeoutMs: 700 },
      );
      s.gh.setDown({ hang: true });
      runDeployment();
      await reporter.close!();
      const verdict = budget.verdict();
      assert.equal(verdict.ok === false && verdict.reason, 'stopped');
      const warnings = warningsIn(logs);
      assert.equal(warnings.length, 1);
      assert.match(warnings[0]!.message, /the run waited 1 s for GitHub to take the last updates/);
      // The queue behind the hanging request did not go on in the background.
      const sent = s.gh.requests.length;
      await new Promise((r) => setTimeout(r, 1000));
      assert.equal(s.gh.requests.length, sent, 'no request after close() returned');
    });
  },
);

test('GitHub working: everything reported once, no warning', async () => {
  await withFake(async (s) => {
    const { reporter, logs, counter, runDeployment } = reporterFor(s, { retryBaseMs: 10 });
    const before = s.gh.requests.length;
    runDeployment();
    await reporter.close!();
    assert.deepEqual(warningsIn(logs), []);
    assert.deepEqual(reporter.failures(), []);
    assert.deepEqual(
      s.gh
        .repo()
        .deploymentStatuses.get(s.deploymentId)!
        .map((x) => x.state),
      ['queued', 'in_progress', 'success'],
    );
    assert.deepEqual(
      checkRuns(s)
        .map((r) => [r.name, r.conclusion])
        .sort(),
      [
        ['deploy / production', 'success'],
        ['gates / lint', 'neutral'],
      ],
    );
    assert.equal(s.gh.repo().comments.size, 1);
    assert.equal(counter.attempts, s.gh.requests.length - before);
  });
});

test("the status comment: only one the token's own account wrote is taken, never another app's or another token's", async () => {
  const gh = await createFakeGitHub({ tokens: { 'app-token': 'deploy-bot[bot]' } });
  try {
    gh.seedRepo({ owner: 'acme', repo: 'web', pulls: [{ number: 7, head: 'a'.repeat(40), user: 'alice' }] });
    const sha = gh.addCommit({ message: 'x' });
    const marked = (by: string) =>
      renderStatusComment({
        environment: 'production',
        state: 'success',
        description: `by ${by}`,
        sha,
        updatedAt: '2026-01-01T00:00:00Z',
      });
    const theirs = ['other-app[bot]', 'dependabot[bot]'].map((by) => ({
      id: gh.addComment(7, { user: by, body: marked(by) }).id as number,
      body: marked(by),
    }));
    const run = async (token: string) => {
      const s = await deploymentOn(gh, sha, token);
      const { reporter, logs, runDeployment } = reporterFor(s, { token });
      runDeployment();
      await reporter.close!();
      assert.deepEqual(warningsIn(logs), []);
    };
    const mine = (login: string) =>
      [...gh.repo().comments.values()].filter((c) => (c.user as { login: string }).login === login);
    // A workflow's token (github-actions[bot]): writes its own comment, once, and keeps to it.
    await run('workflow-token');
    assert.equal(mine('github-actions[bot]').length, 1);
    // An app's installation token: the workflow's comment is not its own either.
    await run('app-token');
    assert.equal(mine('deploy-bot[bot]').length, 1);
    assert.match(String(mine('github-actions[bot]')[0]!.body), /Deployed|success/i);
    for (const t of theirs) assert.equal(gh.repo().comments.get(t.id)!.body, t.body, 'left as it was');
    // The next run with the same token finds its own comment again and updates it.
    await run('app-token');
    assert.equal(mine('deploy-bot[bot]').length, 1);
    assert.equal(gh.repo().comments.size, 4);
    gh.assertNoViolations();
  } finally {
    await gh.stop();
  }
});

test('the deploy check run whose create landed unanswered, and could not be looked up then, is updated later, not created again', async () => {
  await withFake(async (s) => {
    const { reporter, runDeployment } = reporterFor(s, { retries: 0, retryBaseMs: 10 });
    // The first create of the deploy check run lands but answers 500, and every lookup createCheckRunOnce
    // tries fails too (two before its tries again, one after its last): it gives up not knowing. The next
    // write to that check run must look again, find it, and update it.
    s.gh.failNext({
      status: 500,
      afterWrite: true,
      operationId: 'checks/create',
      where: (r) => (r.body as { name?: string }).name === 'deploy / production',
    });
    s.gh.failNext({ status: 503, operationId: 'checks/list-suites-for-ref', times: 3 });
    runDeployment();
    await reporter.close!();
    assert.deepEqual(
      checkRuns(s)
        .filter((r) => r.name === 'deploy / production')
        .map((r) => r.conclusion),
      ['success'],
    );
    assert.deepEqual(reporter.failures().length, 1, reporter.failures().join('\n'));
    assert.match(reporter.failures()[0]!, /the progress of the "deploy \/ production" check run/);
  });
});

test('a rollout that waits and is handed off: in progress on the Deployments tab, a neutral check run that still carries the record, the wait in the status comment', async () => {
  await withFake(async (s) => {
    const { reporter, logs } = reporterFor(s, { retryBaseMs: 10 });
    const first = waitRecord({ step: 1, at: 'canary 10 %', weight: 10, since: '2026-12-01T09:00:00.000Z' });
    const second = waitRecord({
      kind: 'approval',
      approvals: 2,
      since: '2026-12-01T09:10:00.000Z',
      ended: { at: '2026-12-01T09:12:00.000Z', how: 'handed_off', by: [] },
      waitedMs: 120_000,
    });
    const promoted = {
      ...first,
      ended: { at: '2026-12-01T09:05:00.000Z', how: 'promoted' as const, by: ['alice'] },
    };
    reporter.event({ type: 'start', environment: 'production', version: '1.2.3', strategy: 'canary' });
    reporter.event({ type: 'phase-start', phase: 'production', environment: 'production' });
    reporter.event({
      type: 'step-end',
      record: analysisStep(10, { error_rate: 0.4, 'stable.error_rate': 0.5 }),
    });
    reporter.event({ type: 'wait-start', record: first });
    // Another environment's wait (staging first) is not this deployment's.
    reporter.event({ type: 'wait-start', record: { ...first, environment: 'staging' } });
    reporter.event({ type: 'wait-end', record: promoted });
    await reporter.writeState('SIGNED-RECORD-TEXT', { now: true });
    reporter.event({ type: 'wait-start', record: second });
    const result = waiting();
    result.waits = [promoted, second];
    reporter.event({ type: 'result', result });
    await reporter.close!();
    assert.deepEqual(reporter.failures(), []);
    assert.deepEqual(warningsIn(logs), []);

    const statuses = s.gh.repo().deploymentStatuses.get(s.deploymentId)! as Array<{
      state: string;
      description: string;
    }>;
    assert.deepEqual(
      statuses.map((x) => [x.state, x.description]),
      [
        ['queued', 'starting: canary to 1.2.3'],
        ['in_progress', 'production: canary to 1.2.3'],
        ['in_progress', 'waiting at canary 10 % for /promote production'],
        ['in_progress', 'promoted by @alice at canary 10 %, going on'],
        ['in_progress', 'waiting at canary 25 % for 2 approvals'],
        ['in_progress', 'waiting at canary 25 % for 2 approvals'],
      ],
    );

    const deploy = deployCheckRun(s);
    assert.equal(deploy.conclusion, 'neutral');
    assert.equal(deploy.output.title, 'production: waiting');
    assert.equal(deploy.output.text, 'SIGNED-RECORD-TEXT', 'the state record is still in the check run');
    const summary = readable(deploy.output.summary);
    assert.match(summary, /- wait at canary 10 % \(step 2\): promoted by alice after 5m/);
    assert.match(
      summary,
      /⏳ \*\*Waiting at canary 25 % \(step 4\) for 2 approvals\*\* since 2026-12-01 09:10 UTC · traffic 25 % new \/ 75 % stable/,
    );
    assert.match(
      deploy.output.summary,
      /`\/promote production` · `\/promote production --full` · `\/abort production \[reason\]`/,
    );

    assert.equal(s.gh.repo().comments.size, 1);
    const [comment] = [...s.gh.repo().comments.values()] as unknown as Array<{ body: string }>;
    const state = parseStatusComment(comment!.body, 'production')!;
    assert.equal(state.state, 'in_progress');
    assert.deepEqual(state.wait, {
      kind: 'approval',
      step: 3,
      at: 'canary 25 %',
      weight: 25,
      since: '2026-12-01T09:10:00.000Z',
      approvals: 2,
      approvedBy: [],
      handedOff: true,
      metrics: {
        at: 'canary-step @ 50%',
        values: [
          { name: 'error_rate', value: 0.3, stable: 0.5 },
          { name: 'latency_p99', value: 190, stable: 175 },
        ],
      },
    });
    assert.deepEqual(state.waits, [
      {
        kind: 'manual',
        step: 1,
        at: 'canary 10 %',
        weight: 10,
        since: '2026-12-01T09:00:00.000Z',
        endedAt: '2026-12-01T09:05:00.000Z',
        how: 'promoted',
        by: ['alice'],
        waitedMs: 300_000,
      },
    ]);
  });
});

test('a wait in the job shows in the status comment while it waits, and goes once it ends', async () => {
  await withFake(async (s) => {
    const { reporter } = reporterFor(s, { retryBaseMs: 10 });
    const wait = waitRecord({ kind: 'hold', approvals: undefined });
    reporter.event({ type: 'start', environment: 'production', version: '1.2.3', strategy: 'canary' });
    reporter.event({ type: 'step-end', record: analysisStep(25, { error_rate: 0.2 }) });
    reporter.event({ type: 'wait-start', record: wait });
    const body = () =>
      ([...s.gh.repo().comments.values()] as unknown as Array<{ body: string }>)[0]?.body ?? '';
    // Let the queue send what the wait-start asked for before the wait ends (bounded: 10 s at most).
    for (let i = 0; i < 200 && !parseStatusComment(body(), 'production')?.wait; i++)
      await new Promise((r) => setTimeout(r, 50));
    assert.equal(parseStatusComment(body(), 'production')?.wait?.metrics?.values[0]?.value, 0.2);
    assert.match(body(), /`\/resume production`/);
    reporter.event({
      type: 'wait-end',
      record: { ...wait, ended: { at: '2024-05-01T10:06:00.000Z', how: 'resumed', by: ['dave'] } },
    });
    reporter.event({ type: 'result', result: succeeded() });
    await reporter.close!();
    const state = parseStatusComment(body(), 'production')!;
    assert.equal(state.state, 'success');
    assert.equal(state.wait, undefined);
    assert.equal(s.gh.repo().comments.size, 1);
    // The result of this run says nothing about its waits: the ones the run saw are kept.
    assert.deepEqual(
      state.waits?.map((w) => [w.how, w.by]),
      [['resumed', ['dave']]],
    );
  });
});

const warningRecord = (over: Partial<AnalysisWarningRecord> = {}): AnalysisWarningRecord => ({
  at: '2024-05-01T10:05:00.000Z',
  environment: 'production',
  phase: 'canary-step',
  weight: 25,
  check: 'error-rate-soft',
  code: 'threshold-warning',
  reason: 'error_rate 0.031 is above the warning limit 0.02',
  ...over,
});

/** The deploy check run's summary and the status comment after a run that warned with `records`. */
async function warnedRun(
  records: AnalysisWarningRecord[],
  result = succeeded(),
): Promise<{ summary: string; comment: string }> {
  let out = { summary: '', comment: '' };
  await withFake(async (s) => {
    const { reporter } = reporterFor(s, { retryBaseMs: 10 });
    reporter.event({ type: 'start', environment: 'production', version: '1.2.3', strategy: 'canary' });
    for (const record of records) reporter.event({ type: 'analysis-warning', record });
    reporter.event({ type: 'result', result });
    await reporter.close!();
    const comments = [...s.gh.repo().comments.values()] as unknown as Array<{ body: string }>;
    assert.equal(comments.length, 1);
    out = { summary: deployCheckRun(s).output.summary, comment: comments[0]!.body };
  });
  return out;
}

test("analysis warnings reach the deploy check run's summary and the status comment: the newest 10, the rest counted", async () => {
  const records = Array.from({ length: 12 }, (_, i) => warningRecord({ check: `check-${i}` }));
  records[11] = warningRecord({ check: 'check-11', phase: 'monitor', weight: undefined });
  const { summary, comment } = await warnedRun(records);
  assert.match(
    summary,
    /\*\*⚠️ Analysis warnings \(not rollbacks\)\*\*\n\n- … 2 earlier\n- check-2 in canary-step at 25 %: error\\_rate 0\.031 is above the warning limit 0\.02\n/,
  );
  assert.match(summary, /- check-11 in monitor: error\\_rate/);
  assert.doesNotMatch(summary, /check-1 /, 'an earlier one is counted, not listed');
  const state = parseStatusComment(comment, 'production')!;
  assert.equal(state.state, 'success', 'a warning never changes the outcome shown');
  assert.deepEqual(
    state.warnings?.latest.map((w) => [w.check, w.phase, w.weight]),
    [
      ...Array.from({ length: 9 }, (_, i) => [`check-${i + 2}`, 'canary-step', 25]),
      ['check-11', 'monitor', undefined],
    ],
  );
  assert.equal(state.warnings?.earlier, 2);
  assert.match(
    comment,
    /#### ⚠️ 12 analysis warnings \(not rollbacks\)\n\n- … 2 earlier\n- `check-2` in canary-step at 25 %/,
  );
  // A run without warnings shows none.
  const quiet = await warnedRun([]);
  assert.doesNotMatch(quiet.summary + quiet.comment, /nalysis warning/);
  assert.equal(parseStatusComment(quiet.comment, 'production')?.warnings, undefined);
});

test("what the analysis could not judge (providers' notes) reaches the deploy check run's summary, inert", async () => {
  // A promoted deploy whose logs provider stopped judging new error patterns for part of a window: the check
  // run (what a reviewer of the PR opens) says so, as the job summary does; the message quotes log text.
  const result = succeeded();
  const step = result.steps.find((x) => x.step.kind === 'analysis')!;
  step.result.evidence = {
    ...step.result.evidence!,
    notes: [
      {
        index: 0,
        at: Date.parse('2024-05-01T10:01:00Z'),
        provider: 'logs',
        code: 'logs-held-pattern',
        message: '1 error pattern held: "<img src=x> @org/team [x](https://e.example)"',
      },
    ],
  };
  const { summary } = await warnedRun([], result);
  assert.match(summary, /^\*\*Not judged\*\* /m);
  const line = summary.split('\n').find((l) => l.startsWith('- ℹ️ '));
  assert.ok(line, summary);
  assert.match(line, /`logs-held-pattern` \(logs\): 1 error pattern held/);
  assert.doesNotMatch(line, /<img|(?<!\\)\[x\]\(|(?<![\w`])@org\/team/, 'the log text is inert');
  // A run whose providers judged everything says nothing of it.
  assert.doesNotMatch((await warnedRun([])).summary, /Not judged/);
});

test("the result's list of warnings is the whole run's: the comment and the check run show it", async () => {
  const listed = [warningRecord({ check: 'from-the-result', phase: 'verify', weight: undefined })];
  const { summary, comment } = await warnedRun([warningRecord()], { ...succeeded(), warnings: listed });
  assert.deepEqual(
    parseStatusComment(comment, 'production')?.warnings?.latest.map((w) => w.check),
    ['from-the-result'],
  );
  assert.match(summary, /- from-the-result in verify: /);
});

test('a hostile check name or reason stays inert text in the deploy check run and the status comment', async () => {
  const hostile =
    '**x** @octocat #1 GH-2 <img src=x onerror=alert(1)> [l](https://evil.example) https://evil.example\n# h | ~~s~~ <!-- x --> `t`';
  const forged = `${hostile}\n<!-- deploy-action:data e30= -->`;
  const bad = await warnedRun([warningRecord({ check: hostile, reason: forged })]);
  const good = await warnedRun([warningRecord({ check: BENIGN, reason: BENIGN })]);
  assertInert(bad.summary, good.summary, 'deploy check run summary');
  assertInert(bad.comment, good.comment, 'status comment');
  assert.equal(bad.comment.split('-->').length - 1, 2, 'only the two hidden comments end');
  // The forged data line is text, not the state: the real one is read back, whole.
  const state = parseStatusComment(bad.comment, 'production')!;
  assert.equal(state.warnings?.latest[0]?.check, hostile);
  assert.equal(state.warnings?.latest[0]?.reason, forged);
});

test("the deploy check run's summary shows the version, the strategy and each phase's detail as inert text", async () => {
  const summaryFor = (v: string) =>
    deploySummary({ version: v, strategy: v }, (reporter) => {
      reporter.event({
        type: 'start',
        environment: 'production',
        version: v,
        strategy: 'canary',
        previousVersion: v,
      });
      reporter.event({ type: 'phase-start', phase: 'production', environment: 'production' });
      const phase = {
        phase: 'production' as const,
        status: 'failed' as const,
        startedAt: '2024-05-01T10:00:00Z',
        durationMs: 1,
      };
      reporter.event({ type: 'phase-end', record: { ...phase, detail: v } });
      reporter.event({ type: 'result', result: succeeded() });
    });
  const hostile = await summaryFor(
    '**x** @octocat #1 GH-2 <img src=x onerror=alert(1)> [l](https://evil.example) https://evil.example\n# h | ~~s~~ <!-- x',
  );
  assertInert(hostile, await summaryFor(BENIGN), 'deploy check run summary');
});

test("the deploy check run's conclusion shows the result's message (a command's error, a reason) as inert text", async () => {
  const summaryFor = (message: string) =>
    deploySummary({}, (reporter) => {
      reporter.event({ type: 'start', environment: 'production', version: '1.2.3', strategy: 'canary' });
      reporter.event({ type: 'result', result: { ...rolledBack(), message } });
    });
  const hostile = await summaryFor(
    'backup hook failed: **x** @octocat #1 GH-2 <img src=x onerror=alert(1)> [l](https://evil.example) https://evil.example\n# h | ~~s~~ <!-- x',
  );
  assertInert(hostile, await summaryFor(BENIGN), 'deploy check run conclusion');
  // A huge message (a command's whole output) is cut, so the summary stays within GitHub's limit.
  const huge = await summaryFor('x'.repeat(100_000));
  assert.ok(huge.length < 65_535 && huge.includes('x'.repeat(1000)), 'cut, not dropped');
});

test("a credential in a command's error never reaches GitHub: not the deployment status, the check run nor the comment", async () => {
  await withFake(async (s) => {
    const { reporter } = reporterFor(s, {}, { runUrl: undefined, secrets: ['s3cr3t-state-key-value'] });
    // What a failing `git push` or `curl` prints last, quoted by the pipeline in the result's message.
    const message =
      'deploy (./deploy.sh) exited with code 128: fatal: Authentication failed for ' +
      'https://x-access-token:ghs_16C7e42F292c6912E7710c838347Ae178B4a@github.com/acme/web.git ' +
      'key s3cr3t-state-key-value';
    reporter.event({ type: 'start', environment: 'production', version: '1.2.3', strategy: 'canary' });
    const phase = {
      phase: 'production' as const,
      status: 'failed' as const,
      startedAt: '2024-05-01T10:00:00Z',
    };
    reporter.event({ type: 'phase-end', record: { ...phase, durationMs: 1, detail: message } });
    reporter.event({ type: 'result', result: { ...rolledBack(), message } });
    await reporter.close!();
    // As read: Markdown's backslash escapes and the invisible joiners that break autolinks left out.
    const sent = JSON.stringify(s.gh.requests.map((r) => r.body)).replace(/[\\\u200D]/g, '');
    assert.ok(sent.includes('Authentication failed'), 'the error itself is reported');
    assert.doesNotMatch(sent, /ghs_16C7e42F292c6912E7710c838347Ae178B4a|s3cr3t-state-key-value/);
    // Every place it could have gone was written.
    assert.ok(
      s.gh
        .requestsFor('repos/create-deployment-status')
        .some((r) => (r.body as { state: string }).state === 'failure'),
    );
    assert.ok(s.gh.requestsFor('checks/create').length + s.gh.requestsFor('checks/update').length > 0);
    assert.ok(s.gh.requestsFor('issues/create-comment').length > 0);
  });
});

test('a deployment deleted during the run: one status is refused, the rest are not sent, and the warning says it is gone', async () => {
  await withFake(async (s) => {
    const { reporter, logs } = reporterFor(s, {});
    reporter.event({ type: 'start', environment: 'production', version: '1.2.3', strategy: 'canary' });
    // Someone deletes the deployment (GitHub then answers 404 for its statuses).
    s.gh.repo().deployments.delete(s.deploymentId);
    reporter.event({ type: 'phase-start', phase: 'production', environment: 'production' });
    reporter.event({ type: 'result', result: succeeded() });
    await reporter.close!();
    const refused = s.gh.requestsFor('repos/create-deployment-status').filter((r) => r.status === 404);
    assert.equal(refused.length, 1, 'once it is known gone, no more statuses are sent to it');
    const warnings = warningsIn(logs).map((l) => l.message);
    assert.equal(warnings.length, 1, warnings.join('\n'));
    assert.match(warnings[0]!, new RegExp(`deployment ${s.deploymentId} no longer exists on GitHub`));
    // The rest is still reported.
    assert.equal(deployCheckRun(s).conclusion, 'success');
  });
});

test('a token without a permission: the warning says which permission each refused write needs', async () => {
  await withFake(async (s) => {
    const { reporter, logs, runDeployment } = reporterFor(s, {});
    const refused = { status: 403, times: 10, message: 'Resource not accessible by integration' };
    s.gh.failNext({ ...refused, operationId: 'checks/create' });
    s.gh.failNext({ ...refused, operationId: 'issues/create-comment' });
    runDeployment();
    await reporter.close!();
    const warnings = warningsIn(logs).map((l) => l.message);
    assert.equal(warnings.length, 1, warnings.join('\n'));
    assert.match(
      warnings[0]!,
      /the "gates \/ lint" check run \(HTTP 403: Resource not accessible by integration; the token needs checks: write\)/,
    );
    assert.match(
      warnings[0]!,
      /the status comment on #7 \(HTTP 403: Resource not accessible by integration; the token needs pull-requests: write\)/,
    );
  });
});

// A cancelled run's last writes are due before the runner's SIGKILL: who the token is (a GraphQL query) and
// where the status comment is are asked when the run starts, so the end of the run only writes.
test('the status comment is looked up when the run starts: once the result is in, the comment is written without a query or a full search', async () => {
  const gh = await createFakeGitHub({ tokens: { 'workflow-token': 'github-actions[bot]' } });
  try {
    gh.seedRepo({ owner: 'acme', repo: 'web', pulls: [{ number: 7, head: 'a'.repeat(40), user: 'alice' }] });
    const sha = gh.addCommit({ message: 'x' });
    // The fake's first GraphQL query builds GitHub's whole schema: seconds on a busy machine, not the run's.
    const warm = await fetch(`${gh.url}/graphql`, {
      method: 'POST',
      headers: { authorization: 'token workflow-token', 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'query { viewer { login } }' }),
    });
    assert.equal(warm.status, 200, await warm.text());
    const run = async () => {
      const s = await deploymentOn(gh, sha, 'workflow-token');
      const { reporter, logs } = reporterFor(s, { token: 'workflow-token' });
      const before = gh.requests.length;
      reporter.event({ type: 'start', environment: 'production', version: '1.2.3', strategy: 'canary' });
      reporter.event({ type: 'phase-start', phase: 'production', environment: 'production' });
      reporter.event({ type: 'result', result: rolledBack() });
      await reporter.close!();
      assert.deepEqual(warningsIn(logs), []);
      const sent = gh.requests.slice(before).map((r) => r.operationId);
      // Everything after the final deployment status: the check run's conclusion and the comment's one write.
      const final = gh.requests
        .slice(before)
        .findIndex(
          (r) =>
            r.operationId === 'repos/create-deployment-status' &&
            (r.body as { state: string }).state === 'failure',
        );
      assert.ok(final >= 0, sent.join(', '));
      return { atStart: sent.slice(0, final), atEnd: sent.slice(final) };
    };
    // No comment yet: asked and searched at the start, created at the end.
    const first = await run();
    assert.deepEqual(
      first.atStart.filter((id) => id === 'graphql' || id === 'issues/list-comments'),
      ['graphql', 'issues/list-comments'],
    );
    // After the create, one look at the comments updated lately: another run's older comment would win.
    assert.deepEqual(first.atEnd, [
      'repos/create-deployment-status',
      'checks/update',
      'issues/create-comment',
      'issues/list-comments',
    ]);
    // The comment found at the start is the one updated at the end.
    const second = await run();
    assert.deepEqual(second.atEnd, [
      'repos/create-deployment-status',
      'checks/update',
      'issues/update-comment',
    ]);
    assert.equal(gh.repo().comments.size, 1);
    gh.assertNoViolations();
  } finally {
    await gh.stop();
  }
});

// Two runs of one pull request overlap (a push cancels the run before it, or two pushes run side by side):
// both search when they start and find no comment; the first creates it at its end. The second's end comes
// long after its search, so it searches again and updates that comment: one status comment per pull request
// and environment, as action.yml promises.
test('overlapping runs: the later run, whose start-up search is stale, updates the comment the earlier run created', async () => {
  const gh = await createFakeGitHub({ tokens: { 'workflow-token': 'github-actions[bot]' } });
  try {
    gh.seedRepo({ owner: 'acme', repo: 'web', pulls: [{ number: 7, head: 'a'.repeat(40), user: 'alice' }] });
    const sha = gh.addCommit({ message: 'x' });
    let clock = 1_000_000;
    const runOf = async () => {
      const s = await deploymentOn(gh, sha, 'workflow-token');
      return { s, ...reporterFor(s, { token: 'workflow-token' }, { now: () => clock }) };
    };
    const later = await runOf();
    later.reporter.event({ type: 'start', environment: 'production', version: '1.2.3', strategy: 'canary' });
    // Queued after the start's lookup: once its status is in, the search (which found nothing) is over.
    later.reporter.event({ type: 'phase-start', phase: 'production', environment: 'production' });
    await untilStatuses(gh, later.s.deploymentId, 2);
    assert.equal(gh.repo().comments.size, 0);

    const earlier = await runOf();
    earlier.runDeployment();
    await earlier.reporter.close!();
    assert.equal(gh.repo().comments.size, 1);

    clock += 20 * 60_000;
    later.reporter.event({ type: 'result', result: succeeded() });
    await later.reporter.close!();

    assert.deepEqual(warningsIn(earlier.logs), []);
    assert.deepEqual(warningsIn(later.logs), []);
    const comments = [...gh.repo().comments.values()] as unknown as Array<{ body: string }>;
    assert.equal(comments.length, 1, 'one status comment for the pull request and environment');
    assert.equal(parseStatusComment(comments[0]!.body, 'production')?.deploymentId, later.s.deploymentId);
    gh.assertNoViolations();
  } finally {
    await gh.stop();
  }
});

// Two runs start within the seconds a search is trusted: both find no comment and both create one at their end.
// The later create sees the earlier's comment and gives way, so the pull request keeps one status comment,
// showing the later run.
test('overlapping runs within the fresh window: the later create gives way to the earlier comment, one comment stays', async () => {
  const gh = await createFakeGitHub({ tokens: { 'workflow-token': 'github-actions[bot]' } });
  try {
    gh.seedRepo({ owner: 'acme', repo: 'web', pulls: [{ number: 7, head: 'a'.repeat(40), user: 'alice' }] });
    const sha = gh.addCommit({ message: 'x' });
    const clock = 1_000_000;
    const runOf = async () => {
      const s = await deploymentOn(gh, sha, 'workflow-token');
      return { s, ...reporterFor(s, { token: 'workflow-token' }, { now: () => clock }) };
    };
    const [earlier, later] = [await runOf(), await runOf()];
    for (const run of [earlier, later]) {
      run.reporter.event({ type: 'start', environment: 'production', version: '1.2.3', strategy: 'canary' });
      run.reporter.event({ type: 'phase-start', phase: 'production', environment: 'production' });
    }
    await untilStatuses(gh, earlier.s.deploymentId, 2);
    await untilStatuses(gh, later.s.deploymentId, 2);
    assert.equal(gh.repo().comments.size, 0);

    earlier.reporter.event({ type: 'result', result: succeeded() });
    await earlier.reporter.close!();
    const [created] = [...gh.repo().comments.keys()];
    later.reporter.event({ type: 'result', result: rolledBack() });
    await later.reporter.close!();

    assert.deepEqual(warningsIn(earlier.logs), []);
    assert.deepEqual(warningsIn(later.logs), []);
    assert.deepEqual([...gh.repo().comments.keys()], [created], "the earlier run's comment is the one left");
    const comments = [...gh.repo().comments.values()] as unknown as Array<{ body: string }>;
    assert.equal(parseStatusComment(comments[0]!.body, 'production')?.deploymentId, later.s.deploymentId);
    assert.equal(gh.requestsFor('issues/create-comment').length, 2);
    assert.equal(gh.requestsFor('issues/delete-comment').length, 1);
    // The look after each create reaches back the 30 s a search is trusted plus 5 minutes of clock skew.
    const since = new Date(clock - 30_000 - 5 * 60_000).toISOString();
    const looks = gh.requestsFor('issues/list-comments').filter((r) => r.query.since !== undefined);
    assert.deepEqual(
      looks.map((r) => r.query.since),
      [since, since],
    );
    gh.assertNoViolations();
  } finally {
    await gh.stop();
  }
});

/** Waits (polling, at most 30 s) until deployment `id` has `count` statuses. */
async function untilStatuses(gh: FakeGitHub, id: number, count: number) {
  for (let i = 0; i < 600; i++) {
    const sent = gh
      .requestsFor('repos/create-deployment-status')
      .filter((r) => r.path.includes(`/deployments/${id}/`) && r.status === 201).length;
    if (sent >= count) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`deployment ${id} never had ${count} statuses`);
}

// A cancelled run's last write must fit before the runner's SIGKILL (SIGTERM 7.5 s after SIGINT, SIGKILL
// 2.5 s later): long after its start's search, it asks GitHub no GraphQL question and searches one page of the
// comments updated since that search, not every page.
test('a cancelled run creates the comment at its end with one cheap search, even long after its start', async () => {
  const gh = await createFakeGitHub({ tokens: { 'workflow-token': 'github-actions[bot]' } });
  try {
    gh.seedRepo({ owner: 'acme', repo: 'web', pulls: [{ number: 7, head: 'a'.repeat(40), user: 'alice' }] });
    const sha = gh.addCommit({ message: 'x' });
    let clock = 1_000_000;
    const s = await deploymentOn(gh, sha, 'workflow-token');
    const { reporter, logs } = reporterFor(s, { token: 'workflow-token' }, { now: () => clock });
    reporter.event({ type: 'start', environment: 'production', version: '1.2.3', strategy: 'canary' });
    reporter.event({ type: 'phase-start', phase: 'production', environment: 'production' });
    await untilStatuses(gh, s.deploymentId, 2);
    const before = gh.requests.length;
    clock += 20 * 60_000;
    reporter.event({ type: 'result', result: { ...rolledBack(), status: 'cancelled', code: 'cancelled' } });
    await reporter.close!();
    assert.deepEqual(warningsIn(logs), []);
    const late = gh.requests
      .slice(before)
      .filter((r) => r.operationId === 'graphql' || r.operationId === 'issues/list-comments');
    assert.deepEqual(
      late.map((r) => [r.operationId, r.query.page, typeof r.query.since]),
      [['issues/list-comments', '1', 'string']],
    );
    assert.equal(gh.repo().comments.size, 1);
  } finally {
    await gh.stop();
  }
});

// The same, while another run of the pull request created the status comment after this run's search (a push
// cancels the run before it, and the new run writes first): the cancelled run's last write updates that
// comment instead of creating a second beside it, which the search-free create of before did.
test('a cancelled run whose start-up search is stale updates the comment another run created meanwhile', async () => {
  const gh = await createFakeGitHub({ tokens: { 'workflow-token': 'github-actions[bot]' } });
  try {
    gh.seedRepo({ owner: 'acme', repo: 'web', pulls: [{ number: 7, head: 'a'.repeat(40), user: 'alice' }] });
    const sha = gh.addCommit({ message: 'x' });
    let clock = 1_000_000;
    const runOf = async () => {
      const s = await deploymentOn(gh, sha, 'workflow-token');
      return { s, ...reporterFor(s, { token: 'workflow-token' }, { now: () => clock }) };
    };
    const cancelled = await runOf();
    cancelled.reporter.event({
      type: 'start',
      environment: 'production',
      version: '1.2.3',
      strategy: 'canary',
    });
    cancelled.reporter.event({ type: 'phase-start', phase: 'production', environment: 'production' });
    await untilStatuses(gh, cancelled.s.deploymentId, 2);
    assert.equal(gh.repo().comments.size, 0);

    // Another run writes the comment; other people comment after it.
    const other = await runOf();
    other.runDeployment();
    await other.reporter.close!();
    assert.equal(gh.repo().comments.size, 1);
    const { octokit: alice } = createGitHubClient({ token: 't', baseUrl: gh.url, writeIntervalMs: 0 });
    for (let i = 0; i < 3; i++)
      await alice.rest.issues.createComment({ owner: 'acme', repo: 'web', issue_number: 7, body: `+${i}` });

    clock += 20 * 60_000;
    cancelled.reporter.event({
      type: 'result',
      result: { ...rolledBack(), status: 'cancelled', code: 'cancelled' },
    });
    await cancelled.reporter.close!();
    assert.deepEqual(warningsIn(cancelled.logs), []);
    const status = ([...gh.repo().comments.values()] as unknown as Array<{ body: string }>).filter((c) =>
      c.body.startsWith('<!-- deploy-action:status'),
    );
    assert.equal(status.length, 1, 'one status comment for the pull request and environment');
    assert.equal(parseStatusComment(status[0]!.body, 'production')?.deploymentId, cancelled.s.deploymentId);
    gh.assertNoViolations();
  } finally {
    await gh.stop();
  }
});

// The run's dedupe key (run:<id>-<attempt>-<environment>) is known once the run starts: anyone with
// deployments: write can make a deployment carrying it. After a lost create answer, the run takes only a
// deployment its own token made carrying the create's nonce; when who the token is cannot be told, the nonce
// alone still tells the forgery apart.
test('a lost deployment create is not answered by a forged deployment carrying the run key', async () => {
  for (const graphqlDown of [false, true]) {
    const gh = await createFakeGitHub({
      tokens: { 'workflow-token': 'github-actions[bot]', 'm-token': 'mallory' },
    });
    try {
      gh.seedRepo({
        owner: 'acme',
        repo: 'web',
        collaborators: { mallory: 'write' },
        pulls: [{ number: 7, head: 'a'.repeat(40), user: 'alice' }],
      });
      const sha = gh.addCommit({ message: 'x' });
      const payload = {
        version: '1.2.3',
        strategy: 'canary' as const,
        pr: 7,
        dedupe_key: 'run:41-1-production',
      };
      const setup = await deploymentOn(gh, sha, 'm-token');
      // The setup's deployment is a plain one (not used: the reporter creates its own); mallory's forgery carries the run's key.
      const { octokit: mallory } = createGitHubClient({
        token: 'm-token',
        baseUrl: gh.url,
        writeIntervalMs: 0,
      });
      const { data } = await mallory.rest.repos.createDeployment({ ...productionDeployment(sha), payload });
      const forgedId = (data as { id: number }).id;

      gh.failNext({ status: 502, operationId: 'repos/create-deployment' });
      if (graphqlDown) gh.failNext({ status: 404, operationId: 'graphql' });
      const { reporter, logs } = reporterFor(
        setup,
        { token: 'workflow-token' },
        { deployment: { create: { production: true, transient: false, payload } } },
      );
      reporter.event({ type: 'start', environment: 'production', version: '1.2.3', strategy: 'canary' });
      const id = await reporter.deploymentId();
      await reporter.close!();
      assert.deepEqual(warningsIn(logs), []);
      assert.notEqual(id, forgedId, 'the run reported to the forged deployment');
      {
        const ours = await mallory.rest.repos.getDeployment({
          owner: 'acme',
          repo: 'web',
          deployment_id: id!,
        });
        assert.equal(ours.data.creator?.login, 'github-actions[bot]');
      }
    } finally {
      await gh.stop();
    }
  }
});
