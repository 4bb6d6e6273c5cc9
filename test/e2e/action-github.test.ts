// The built action on GitHub: a `deployment` event created the way the App creates it, run as the runner
// runs the action, against the fake GitHub (every request checked against GitHub's OpenAPI description).
// Success, a gate block and a rollback: statuses in order, check runs and annotations, the job summary, the
// PR comment updated in place, the record and the outputs. Then GitHub failing: retries, a rollback that
// completes while GitHub stays down, and GitHub down in each way it fails (errors, no answer, answers lost
// after the write landed): the step ends within the run's GitHub budget after the deployment, with one
// warning, counts every request GitHub received, and writes nothing twice.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Octokit } from '@octokit/rest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_BUDGET_MS } from '../../src/github/budget.ts';
import { isGraphqlMutation } from '../../src/github/graphql-kind.ts';
import { createFakeGitHub, fakeSha, webhookPayload, type FakeGitHub } from '../fake-github/index.ts';
import type { RecordedRequest } from '../fake-github/server.ts';
import {
  createAppDeployment,
  runBuiltAction,
  runnerGitHubEnv,
  type ActionEvent,
  type ActionRun,
} from '../helpers/action.ts';
import { recordedTarget } from '../helpers/recorded-target.ts';

const OWNER = 'acme';
const REPO = 'shop';
const PR = 7;
const APP_TOKEN = 'ghs_app_installation_token';
const ACTION_TOKEN = 'ghs_workflow_token';

interface Scenario {
  fake: FakeGitHub;
  dir: string;
  head: string;
  previous: string;
  deploymentId: number;
  event: ActionEvent;
  calls(): string[];
}

/** 60 SARIF results: more than one annotation request holds. */
function sarif(level: 'warning' | 'error', count = 60): string {
  return JSON.stringify({
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'lint', rules: [{ id: 'no-unsafe' }] } },
        results: Array.from({ length: count }, (_, i) => ({
          ruleId: 'no-unsafe',
          level,
          message: { text: `unsafe call number ${i + 1}` },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: `src/file${i % 3}.ts` },
                region: { startLine: i + 1 },
              },
            },
          ],
        })),
      },
    ],
  });
}

async function scenario(
  t: { after(fn: () => unknown): void },
  opts: { gateRequired: boolean; payload?: Record<string, unknown> },
): Promise<Scenario> {
  const fake = await createFakeGitHub({
    tokens: { [APP_TOKEN]: 'deploy-action[bot]', [ACTION_TOKEN]: 'github-actions[bot]' },
  });
  const dir = mkdtempSync(join(tmpdir(), 'action-gh-'));
  t.after(async () => {
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const head = fakeSha('pr-7-head');
  fake.seedRepo({ owner: OWNER, repo: REPO, pulls: [{ number: PR, head, user: 'alice' }] });
  // The PR gets two more commits; main's head was deployed before.
  const previous = fake.repo().refs.get('heads/main')!;
  fake.pushCommit(PR, fakeSha('pr-7-second'), { message: 'Add the checkout button', author: 'alice' });
  fake.pushCommit(PR, fakeSha('pr-7-third'), { message: 'Fix the | pipe <b>escaping</b>', author: 'alice' });
  const finalHead = fakeSha('pr-7-third');

  const app = new Octokit({ auth: APP_TOKEN, baseUrl: fake.url });
  // The previous production deployment, successful.
  const prior = await app.rest.repos.createDeployment({
    owner: OWNER,
    repo: REPO,
    ref: previous,
    environment: 'production',
    required_contexts: [],
    auto_merge: false,
  });
  await app.rest.repos.createDeploymentStatus({
    owner: OWNER,
    repo: REPO,
    deployment_id: (prior.data as { id: number }).id,
    state: 'success',
  });
  // The App's deployment for the PR's head, as it creates it after the approvals.
  const { deployment, event } = await createAppDeployment(fake, {
    token: APP_TOKEN,
    owner: OWNER,
    repo: REPO,
    ref: finalHead,
    payload: opts.payload ?? {
      strategy: 'canary',
      version: 'v2',
      pr: PR,
      requested_by: 'alice',
      approved_by: ['bob', 'carol'],
    },
  });

  const target = recordedTarget(dir);
  writeFileSync(join(dir, 'lint.sarif'), sarif('error'));
  writeFileSync(
    join(dir, 'deploy.yml'),
    `preset: fast
gates:
  sarif: { files: lint.sarif, required: ${opts.gateRequired} }
${target.targetYaml}environments:
  production:
    url: https://shop.example
    strategy: { type: canary, steps: [5, 10, 25, 50, 100], pause: 0 }
`,
  );
  return {
    fake,
    dir,
    head: finalHead,
    previous,
    deploymentId: deployment.id,
    event,
    calls: target.calls,
  };
}

const baseEnv = (fake: FakeGitHub, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  ...runnerGitHubEnv(fake.url, OWNER, REPO),
  CURRENT: JSON.stringify({ slot: 'blue', version: 'v1' }),
  DEPLOY_ACTION_RETRY_BASE_MS: '20',
  DEPLOY_ACTION_WRITE_INTERVAL_MS: '0',
  ...extra,
});

const inputs = { 'github-token': ACTION_TOKEN, config: 'deploy.yml' };

function statuses(s: Scenario) {
  return s.fake
    .requestsFor('repos/create-deployment-status')
    .filter((r) => r.path.includes(`/deployments/${s.deploymentId}/`) && r.status === 201)
    .map((r) => r.body as { state: string; description: string; log_url?: string; environment_url?: string });
}

function checkRuns(s: Scenario) {
  return [...s.fake.repo().checkRuns.values()] as Array<{
    id: number;
    name: string;
    status: string;
    conclusion: string | null;
    head_sha: string;
    output: { title: string; summary: string; annotations_count: number };
    _annotations?: unknown[];
  }>;
}

function statusComments(s: Scenario) {
  return ([...s.fake.repo().comments.values()] as unknown as Array<{ id: number; body: string }>).filter(
    (c) => String(c.body).startsWith('<!-- deploy-action:status environment="production" -->'),
  );
}

test('a deployment event that succeeds: statuses, check runs, summary, PR comment, record, outputs', async (t) => {
  const s = await scenario(t, { gateRequired: false });
  const run = await runBuiltAction({ dir: s.dir, inputs, event: s.event, env: baseEnv(s.fake) });
  assert.equal(run.status, 0, run.stdout + run.stderr);
  s.fake.assertNoViolations();

  // The deployment the App created is the one reported to: queued → in_progress → success.
  const states = statuses(s);
  assert.deepEqual(
    states.map((x) => x.state),
    ['queued', 'in_progress', 'success'],
  );
  for (const st of states) {
    assert.ok(st.description.length <= 140);
    assert.equal(st.log_url, 'https://github.example/acme/shop/actions/runs/4242');
  }
  assert.match(states[1]!.description, /^production: canary to v2/);
  assert.match(states[2]!.description, /deployed v2 with canary/);
  assert.equal(states[2]!.environment_url, 'https://shop.example');
  assert.equal(
    s.fake.requestsFor('repos/create-deployment').length,
    2,
    'the action creates no deployment of its own',
  );

  // One check run per gate with its 60 findings as annotations in two batches, and the deploy check run.
  const runs = checkRuns(s);
  const gate = runs.find((r) => r.name === 'gates / sarif')!;
  assert.equal(gate.conclusion, 'neutral');
  assert.equal(gate.head_sha, s.head);
  assert.equal(gate.output.annotations_count, 60);
  const annotationBodies = s.fake
    .requestsFor('checks/create')
    .concat(s.fake.requestsFor('checks/update'))
    .map((r) => ((r.body as { output?: { annotations?: unknown[] } }).output?.annotations ?? []).length)
    .filter((n) => n > 0);
  assert.deepEqual(annotationBodies.sort(), [10, 50]);
  const deploy = runs.find((r) => r.name === 'deploy / production')!;
  assert.equal(deploy.conclusion, 'success');
  assert.match(deploy.output.summary, /production: succeeded/);
  assert.match(deploy.output.summary, /verify: succeeded/);

  // The job summary: gates table, timeline, analysis steps, decision.
  assert.match(run.summary, /## ✅ Deploy production: succeeded/);
  assert.match(run.summary, /### Quality gates: ⚠️ WARN/);
  assert.match(run.summary, /\| sarif \| ⚠️ WARN \| advisory \|/);
  assert.match(run.summary, /### Timeline/);
  assert.match(run.summary, /\| production \| ✅ succeeded \|/);
  assert.match(run.summary, /### Analysis\b/);
  assert.match(run.summary, /canary-step @ 25%/);
  assert.match(run.summary, /\*\*deployed\*\*/);

  // The PR comment: one, with the commits since the previous deployment, pipes escaped.
  const comments = statusComments(s);
  assert.equal(comments.length, 1);
  assert.match(comments[0]!.body, /✅ production: success/);
  assert.match(comments[0]!.body, /3 commits since `[0-9a-f]{12}`/);
  assert.match(comments[0]!.body, /Fix the \\\| pipe &lt;b&gt;escaping&lt;\/b&gt;/);

  // Outputs and the record.
  assert.equal(run.outputs.status, 'succeeded');
  assert.equal(run.outputs.code, 'deployed');
  assert.equal(run.outputs['deployment-id'], String(s.deploymentId));
  assert.equal(run.outputs['environment-url'], 'https://shop.example');
  assert.equal(run.outputs['rolled-back'], 'false');
  assert.equal(run.outputs['previous-version'], 'v1');
  assert.equal(JSON.parse(run.outputs.gates!).status, 'WARN');
  const record = readFileSync(run.outputs['record-path']!, 'utf8');
  assert.match(record, /^## Deployment Record/);
  assert.match(record, /- Version: v2/);
  assert.match(record, /- Approver: @bob, @carol/);
  assert.match(record, /- Deployer: @alice/);
  assert.match(record, /Add the checkout button/);
  assert.match(record, /### Status: SUCCESS/);
  assert.match(run.stdout, /\d+ GitHub API requests/);
  assert.ok(Number(run.outputs['github-requests']) > 0);

  // A second run for the same PR updates the same comment instead of adding one.
  const again = await runBuiltAction({ dir: s.dir, inputs, event: s.event, env: baseEnv(s.fake) });
  assert.equal(again.status, 0, again.stdout);
  assert.equal(statusComments(s).length, 1);
  assert.equal(s.fake.requestsFor('issues/create-comment').length, 1);
  assert.ok(s.fake.requestsFor('issues/update-comment').length >= 1);
  s.fake.assertNoViolations();
});

test('a deployment event blocked by a gate: no target command runs, failure status, annotations', async (t) => {
  const s = await scenario(t, { gateRequired: true });
  const run = await runBuiltAction({ dir: s.dir, inputs, event: s.event, env: baseEnv(s.fake) });
  assert.equal(run.status, 1);
  s.fake.assertNoViolations();
  // The live state was read (`current`); nothing was deployed and no traffic moved.
  assert.deepEqual(
    s.calls().filter((c) => !c.startsWith('current')),
    [],
  );
  assert.deepEqual(
    statuses(s).map((x) => x.state),
    ['queued', 'failure'],
  );
  assert.match(statuses(s)[1]!.description, /^blocked before deploying/);
  const runs = checkRuns(s);
  const gate = runs.find((r) => r.name === 'gates / sarif')!;
  assert.equal(gate.conclusion, 'failure');
  assert.equal(gate.output.annotations_count, 60);
  assert.equal(runs.find((r) => r.name === 'deploy / production')!.conclusion, 'failure');
  assert.match(run.summary, /## ⛔ Deploy production: blocked/);
  assert.match(run.summary, /\| sarif \| ⛔ BLOCK \| required \|/);
  assert.equal(run.outputs.status, 'blocked');
  assert.equal(run.outputs.code, 'gates_blocked');
  assert.equal(JSON.parse(run.outputs.gates!).status, 'BLOCK');
  assert.equal(statusComments(s).length, 1);
  assert.match(statusComments(s)[0]!.body, /❌ production: failure/);
  assert.match(readFileSync(run.outputs['record-path']!, 'utf8'), /### Status: BLOCKED/);
  assert.match(run.stdout, /::error::blocked \[gates_blocked\]/);
});

test('a deployment event that rolls back: failure status naming the version that serves again', async (t) => {
  const s = await scenario(t, { gateRequired: false });
  const run = await runBuiltAction({
    dir: s.dir,
    inputs,
    event: s.event,
    // The canary degrades once it takes 25 % of the traffic.
    env: baseEnv(s.fake, { FAIL_AFTER: 'set_weight green 25', FAIL_LATER: 'health:green' }),
  });
  assert.equal(run.status, 1);
  s.fake.assertNoViolations();
  const calls = s.calls();
  assert.ok(calls.includes('set_weight green 25'));
  assert.ok(!calls.includes('set_weight green 50'), 'the rollout stops at the failing step');
  assert.equal(calls.filter((c) => c.startsWith('set_weight')).at(-1), 'set_weight green 0');
  const states = statuses(s);
  assert.deepEqual(
    states.map((x) => x.state),
    ['queued', 'in_progress', 'failure'],
  );
  assert.match(states[2]!.description, /^rolled back: v1 serves again/);
  assert.equal(states[2]!.environment_url, undefined);
  assert.equal(checkRuns(s).find((r) => r.name === 'deploy / production')!.conclusion, 'failure');
  assert.match(run.summary, /## ↩️ Deploy production: rolled back/);
  assert.match(run.summary, /### ↩️ Rolled back: production/);
  assert.match(run.summary, /Serving again: `v1`/);
  assert.equal(run.outputs.status, 'rolled_back');
  assert.equal(run.outputs['rolled-back'], 'true');
  assert.equal(statusComments(s).length, 1);
  const record = readFileSync(run.outputs['record-path']!, 'utf8');
  assert.match(record, /### Rollback Log/);
  assert.match(record, /- Previous Version: v1/);
  assert.match(record, /### Status: ROLLBACK/);
});

test('a rollback deployment (/rollback) on a canary environment goes straight back: no gates, no canary steps, all traffic at once', async (t) => {
  const s = await scenario(t, {
    // The gate would block a normal deployment; a rollback goes back to a version that passed it.
    gateRequired: true,
    payload: { type: 'rollback', version: 'v0', pr: PR, requested_by: 'alice', approved_by: ['bob'] },
  });
  const run = await runBuiltAction({ dir: s.dir, inputs, event: s.event, env: baseEnv(s.fake) });
  assert.equal(run.status, 0, run.stderr);
  s.fake.assertNoViolations();
  const weights = s.calls().filter((c) => c.startsWith('set_weight'));
  assert.deepEqual(weights, ['set_weight green 100'], 'the canary steps 5, 10, 25 and 50 are skipped');
  assert.ok(
    s.calls().some((c) => /^deploy green v0\b/.test(c)),
    s.calls().join(' | '),
  );
  assert.equal(run.outputs.status, 'succeeded');
  assert.equal(run.outputs.version, 'v0');
  assert.deepEqual(
    statuses(s).map((x) => x.state),
    ['queued', 'in_progress', 'success'],
  );
});

test('GitHub answering 500s and rate limits: the run retries and still reports everything', async (t) => {
  const s = await scenario(t, { gateRequired: false });
  s.fake.failNext({ status: 500, times: 2, operationId: 'repos/create-deployment-status' });
  s.fake.failNext({ status: 403, rateLimit: true, times: 1, operationId: 'checks/create' });
  s.fake.failNext({
    status: 403,
    secondaryRateLimit: true,
    retryAfterSeconds: 1,
    times: 1,
    operationId: 'issues/list-comments',
  });
  const run = await runBuiltAction({ dir: s.dir, inputs, event: s.event, env: baseEnv(s.fake) });
  assert.equal(run.status, 0, run.stdout);
  s.fake.assertNoViolations();
  assert.deepEqual(
    statuses(s).map((x) => x.state),
    ['queued', 'in_progress', 'success'],
  );
  assert.equal(statusComments(s).length, 1);
  assert.ok(checkRuns(s).some((r) => r.name === 'gates / sarif'));
  assert.match(run.stdout, /\d+ GitHub API requests sent \(\d+ calls, \d+ retr(y|ies)\)/);
  assert.equal(Number(run.outputs['github-requests']), s.fake.requests.length - setUpRequests(s));
  assert.doesNotMatch(run.stdout, /::warning::/, 'everything was reported in the end: nothing to warn about');
});

test('GitHub down for good: the rollback completes, the run ends, the failures are reported', async (t) => {
  const s = await scenario(t, { gateRequired: false });
  s.fake.setDown(true);
  const run = await runBuiltAction({
    dir: s.dir,
    inputs,
    event: s.event,
    env: baseEnv(s.fake, {
      FAIL_AFTER: 'set_weight green 25',
      FAIL_LATER: 'health:green',
      DEPLOY_ACTION_GITHUB_CLOSE_TIMEOUT_MS: '20000',
    }),
  });
  assert.equal(run.status, 1);
  // Traffic went back to stable although no GitHub call succeeded.
  assert.equal(
    s
      .calls()
      .filter((c) => c.startsWith('set_weight'))
      .at(-1),
    'set_weight green 0',
  );
  assert.equal(run.outputs.status, 'rolled_back');
  assertOneWarning(run);
  assert.match(run.summary, /rolled back/);
  assert.ok(run.outputs['record-path']);
});

/** Requests the scenario itself made before the action ran (seeding the two deployments). */
function setUpRequests(s: Scenario): number {
  return s.fake.requests.filter((r) => r.actor === 'deploy-action[bot]').length;
}

/** Exactly one warning, and it names what was not reported. */
function assertOneWarning(run: ActionRun): string {
  const warnings = run.stdout.split('\n').filter((l) => l.startsWith('::warning'));
  assert.equal(warnings.length, 1, `one warning, not one per failure:\n${warnings.join('\n')}`);
  const warning = warnings[0]!;
  assert.match(warning, /GitHub: not reported: /);
  assert.match(warning, /the deployment status "(failure|success)"/);
  assert.match(warning, /"deploy \/ production" check run/);
  assert.match(warning, /the status comment on #7/);
  assert.match(warning, /The run gave up on GitHub: /);
  return warning;
}

/**
 * How long the step went on after GitHub went down: from the first request the fake failed or left without an
 * answer until the process exited, both on the test process's clock (the fake runs in it). Not from the
 * deployment's summary: the writes still queued behind it, 1 s apart as GitHub asks, are reported after a
 * deployment of a fraction of a second, so the faster the machine, the longer that tail (16.8 s on an idle
 * one, past the bound, against 14 s under load), though the step ended within its budget of the outage.
 */
function tailAfterOutage(run: ActionRun, requests: readonly RecordedRequest[]): number {
  const first = requests.find((r) => r.injected);
  assert.ok(first, 'GitHub failed a request');
  return run.exitedAt - first.at;
}

const TAIL_BOUND_MS = DEFAULT_BUDGET_MS + 1000 + 5000;

const DOWN_MODES = [
  ['every request answered 500', { status: 500 }],
  ['every request left without an answer', { hang: true }],
] as const;

// Each of the four waits out the real back-off and the run's GitHub budget in real time, on its own fake
// GitHub and workspace, mostly idle: run side by side, the four waits overlap instead of adding up.
describe('GitHub down, real retry timing', { concurrency: true }, () => {
  for (const [how, mode] of DOWN_MODES)
    for (const when of ['from the start', 'as the deployment ends'] as const) {
      test(`GitHub down ${when} (${how}), real retry timing: the step ends within the budget after the deployment`, async (t) => {
        const s = await scenario(t, { gateRequired: false });
        const before = s.fake.requests.length;
        if (when === 'from the start') s.fake.setDown(mode);
        else
          // Down from the deployment's final status on: the whole budget is left for the end of the run.
          s.fake.failNext({
            status: 503,
            ...mode,
            where: (r) => {
              const final =
                r.operationId === 'repos/create-deployment-status' &&
                ['success', 'failure'].includes((r.body as { state?: string }).state ?? '');
              if (final) s.fake.setDown(mode);
              return final;
            },
          });
        const env = baseEnv(s.fake);
        // The real back-off (1 s, 4 s, 9 s) and spacing of writes, as on a runner.
        delete env.DEPLOY_ACTION_RETRY_BASE_MS;
        delete env.DEPLOY_ACTION_WRITE_INTERVAL_MS;
        const run = await runBuiltAction({ dir: s.dir, inputs, event: s.event, env });
        assert.equal(run.status, 0, run.stdout + run.stderr);
        assert.equal(run.outputs.status, 'succeeded', 'GitHub is reporting, never the deployment');
        const tail = tailAfterOutage(run, s.fake.requests.slice(before));
        const warning = assertOneWarning(run);
        t.diagnostic(`the step went on ${Math.round(tail)} ms after GitHub went down; ${warning}`);
        assert.ok(tail <= TAIL_BOUND_MS, `the step went on ${Math.round(tail)} ms after GitHub went down`);
        assert.match(warning, /the deployment status "success"/);
        // Every request sent is counted, retries included: exactly what GitHub received.
        const received = s.fake.requests.length - before;
        assert.ok(received > 0);
        assert.equal(Number(run.outputs['github-requests']), received);
        assert.match(run.stdout, new RegExp(`^${received} GitHub API requests? sent`, 'm'));
        // The log says once that it gave up, and nothing is sent after that.
        const gaveUp = run.lines.filter((l) => /GitHub: giving up for the rest of this run/.test(l.text));
        assert.equal(gaveUp.length, 1, run.stdout);
        const last = Math.max(...s.fake.requests.map((r) => r.at));
        assert.ok(last < gaveUp[0]!.at, 'every request GitHub received came before the log said it gave up');
        s.fake.assertNoViolations();
      });
    }
});

test('a status POST that lands but answers 500 is looked up, not repeated: no duplicate in_progress', async (t) => {
  const s = await scenario(t, { gateRequired: false });
  s.fake.failNext({
    status: 500,
    afterWrite: true,
    operationId: 'repos/create-deployment-status',
    where: (r) => (r.body as { state?: string }).state === 'in_progress',
  });
  const run = await runBuiltAction({ dir: s.dir, inputs, event: s.event, env: baseEnv(s.fake) });
  assert.equal(run.status, 0, run.stdout);
  s.fake.assertNoViolations();
  const landed = s.fake
    .repo()
    .deploymentStatuses.get(s.deploymentId)!
    .map((x) => x.state);
  assert.deepEqual(landed, ['queued', 'in_progress', 'success']);
  assert.equal(
    s.fake.requestsFor('repos/create-deployment-status').filter((r) => r.actor !== 'deploy-action[bot]')
      .length,
    3,
  );
  assert.ok(s.fake.requestsFor('repos/list-deployment-statuses').length > 0, 'the lost answer was looked up');
  assert.doesNotMatch(run.stdout, /::warning::/);
});

test('every write that is not safe to repeat lands but answers 500: each exists once', async (t) => {
  const s = await scenario(t, { gateRequired: false });
  const before = s.fake.requests.length;
  // Every POST (statuses, check runs, the comment) and every PATCH that adds annotations (GitHub appends
  // them): the writes a blind repeat would duplicate. Not a GraphQL query: a POST that only reads, asked
  // again after a 5xx as a GET is (one answering 500 every time is GitHub down, with its own tests).
  s.fake.failNext({
    status: 500,
    afterWrite: true,
    times: 1000,
    where: (r) =>
      r.actor === 'github-actions[bot]' &&
      ((r.method === 'POST' &&
        !(r.operationId === 'graphql' && !isGraphqlMutation((r.body as { query?: unknown }).query))) ||
        (r.method === 'PATCH' &&
          ((r.body as { output?: { annotations?: unknown[] } }).output?.annotations?.length ?? 0) > 0)),
  });
  // What is checked is that each write is looked up, not repeated: the budget for GitHub failures (10 s of
  // wall time, spent by each write's failed answer until its lookup) is widened, so a busy machine's slower
  // answers do not use it up (the budget has its own tests above).
  const run = await runBuiltAction({
    dir: s.dir,
    inputs,
    event: s.event,
    env: baseEnv(s.fake, { DEPLOY_ACTION_GITHUB_BUDGET_MS: '120000' }),
  });
  assert.equal(run.status, 0, run.stdout);
  s.fake.assertNoViolations();
  assert.deepEqual(
    s.fake
      .repo()
      .deploymentStatuses.get(s.deploymentId)!
      .map((x) => x.state),
    ['queued', 'in_progress', 'success'],
  );
  const runs = checkRuns(s);
  assert.deepEqual(runs.map((r) => r.name).sort(), ['deploy / production', 'gates / sarif']);
  assert.equal(runs.find((r) => r.name === 'deploy / production')!.conclusion, 'success');
  const gate = runs.find((r) => r.name === 'gates / sarif')!;
  assert.equal(gate.output.annotations_count, 60, 'each annotation once');
  assert.equal(statusComments(s).length, 1);
  assert.match(statusComments(s)[0]!.body, /✅ production: success/);
  assert.doesNotMatch(run.stdout, /::warning::/, 'everything was reported: the lookups found every write');
  assert.equal(Number(run.outputs['github-requests']), s.fake.requests.length - before);
});

test('a push run creates its own deployment for the SHA and reports to it; no PR, no comment', async (t) => {
  const s = await scenario(t, { gateRequired: false });
  const main = s.fake.addCommit({ message: 'Merge #7', author: 'alice' });
  const run = await runBuiltAction({
    dir: s.dir,
    inputs: {
      ...inputs,
      environment: 'production',
      version: 'v3',
      tag: 'deploy/{{environment}}/{{version}}',
    },
    event: {
      name: 'push',
      payload: webhookPayload('push', '', { after: main }, { owner: OWNER, repo: REPO }),
    },
    env: baseEnv(s.fake, { GITHUB_SHA: main, GITHUB_REF: 'refs/heads/main' }),
  });
  assert.equal(run.status, 0, run.stdout);
  s.fake.assertNoViolations();
  const creates = s.fake.requestsFor('repos/create-deployment');
  assert.equal(creates.length, 3, 'the two set up by the test, and the action’s');
  const body = creates.at(-1)!.body as Record<string, unknown>;
  assert.equal(body.ref, main, 'a deployment of the SHA, never a branch name');
  assert.deepEqual(body.required_contexts, []);
  assert.equal(body.auto_merge, false);
  assert.equal(body.production_environment, true);
  assert.equal(body.transient_environment, false);
  assert.equal((body.payload as { version: string }).version, 'v3');
  const id = Number(run.outputs['deployment-id']);
  const states = s.fake
    .requestsFor('repos/create-deployment-status')
    .filter((r) => r.path.endsWith(`/deployments/${id}/statuses`))
    .map((r) => (r.body as { state: string }).state);
  assert.deepEqual(states, ['queued', 'in_progress', 'success']);
  assert.equal(statusComments(s).length, 0);
  assert.equal(s.fake.requestsFor('issues/list-comments').length, 0);
  // The optional tag on a successful production deployment, on the deployed commit.
  assert.equal(run.outputs.tag, 'deploy/production/v3');
  assert.equal(s.fake.repo().refs.get('tags/deploy/production/v3'), main);
});

test('workflow_dispatch inputs choose the environment and strategy; dry-run runs nothing', async (t) => {
  const s = await scenario(t, { gateRequired: false });
  const dispatch = (inputsOfRun: Record<string, string>) => ({
    name: 'workflow_dispatch',
    payload: webhookPayload('workflow_dispatch', '', { inputs: inputsOfRun }, { owner: OWNER, repo: REPO }),
  });
  const main = s.fake.repo().refs.get('heads/main')!;
  const planned = await runBuiltAction({
    dir: s.dir,
    inputs,
    event: dispatch({ environment: 'production', strategy: 'blue-green', 'dry-run': 'true' }),
    env: baseEnv(s.fake, { GITHUB_SHA: main }),
  });
  assert.equal(planned.status, 0, planned.stdout);
  assert.equal(planned.outputs.status, 'planned');
  assert.match(planned.summary, /## 📝 Deploy production: dry run/);
  assert.match(planned.summary, /strategy \*\*blue-green\*\*/);
  assert.equal(s.fake.requestsFor('repos/create-deployment').length, 2, 'a dry run creates no deployment');
  assert.deepEqual(s.calls(), [], 'a dry run runs no command');

  const bad = await runBuiltAction({
    dir: s.dir,
    inputs,
    event: dispatch({ environment: 'production', strategy: 'yolo' }),
    env: baseEnv(s.fake, { GITHUB_SHA: main }),
  });
  assert.equal(bad.status, 1);
  assert.match(
    bad.stdout,
    /::error::workflow input "strategy" is "yolo"; allowed: direct, rolling, blue-green, canary/,
  );
  s.fake.assertNoViolations();
});

test("a hotfix's dry run plans no staging deployment, as the hotfix's run skips it", async (t) => {
  // The run of a hotfix skips staging (inputs.ts planRun); its dry run's plan listed staging's migrate hook and
  // deploy all the same.
  const s = await scenario(t, {
    gateRequired: false,
    payload: { version: 'v2', type: 'hotfix', hotfix_reason: 'outage', dry_run: true, requested_by: 'alice' },
  });
  const config = readFileSync(join(s.dir, 'deploy.yml'), 'utf8');
  writeFileSync(
    join(s.dir, 'deploy.yml'),
    `${config.replace('  production:\n', '  staging:\n    strategy: blue-green\n    hooks: { migrate: ./migrate-staging.sh }\n  production:\n    staging: staging\n')}`,
  );
  const planned = await runBuiltAction({
    dir: s.dir,
    inputs,
    event: s.event,
    env: baseEnv(s.fake),
    entry: join(import.meta.dirname, '../../src/action/index.ts'),
  });
  assert.equal(planned.status, 0, planned.stdout + planned.stderr);
  assert.equal(planned.outputs.status, 'planned');
  assert.doesNotMatch(planned.summary, /migrate-staging/);
  assert.match(planned.summary, /### staging \(staging\)\n\n- skipped \\\(hotfix\\\)\n/);
  assert.deepEqual(s.calls(), [], 'a dry run runs no command');
});

test('mode gates: the gate check runs and the gates output, no deployment', async (t) => {
  const s = await scenario(t, { gateRequired: true });
  const run = await runBuiltAction({
    dir: s.dir,
    inputs: { ...inputs, environment: 'production', mode: 'gates' },
    event: {
      name: 'pull_request',
      payload: webhookPayload(
        'pull_request',
        'synchronize',
        { number: PR, pull_request: { number: PR, head: { sha: s.head } } },
        { owner: OWNER, repo: REPO },
      ),
    },
    env: baseEnv(s.fake, { GITHUB_SHA: fakeSha('merge-commit') }),
  });
  assert.equal(run.status, 1);
  s.fake.assertNoViolations();
  assert.equal(run.outputs.status, 'blocked');
  assert.equal(JSON.parse(run.outputs.gates!).gates[0].name, 'sarif');
  const gate = checkRuns(s).find((r) => r.name === 'gates / sarif')!;
  assert.equal(gate.head_sha, s.head, 'check runs go on the PR head, where the PR shows them');
  assert.equal(gate.output.annotations_count, 60);
  assert.equal(s.fake.requestsFor('repos/create-deployment').length, 2);
  assert.match(run.summary, /### Quality gates: ⛔ BLOCK/);
});
