// A cancelled job, as the runner cancels it: the BUILT action (dist/action/index.js) runs a canary through a
// real haproxy in front of real demo services under steady loopback load, reporting to the fake GitHub.
// Once the canary takes traffic the job is cancelled with the runner's exact sequence (SIGINT, SIGTERM
// 7.5 s later, SIGKILL 2.5 s after that, each only while the process lives). The action must put traffic
// back on the stable version, finish its GitHub reporting and outputs, and exit by itself before SIGKILL.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFakeGitHub, fakeSha, type FakeGitHub } from '../fake-github/index.ts';
import {
  cancelLikeRunner,
  createAppDeployment,
  deploymentEvent,
  runnerGitHubEnv,
  startBuiltAction,
  type ActionEvent,
  type StartedAction,
} from '../helpers/action.ts';
import { demoTargetYaml, setupDemo } from '../helpers/demo.ts';
import { describeLoad, lastFullBucket, startLoad } from '../helpers/load.ts';
import { recordedTarget } from '../helpers/recorded-target.ts';
import { formatStateKey, stateKey } from '../../src/state/state-key.ts';
import { pidsFile, pidsIn, running, STUBBORN, untilEnded } from '../helpers/process-tree.ts';

const OWNER = 'acme';
const REPO = 'shop';
const PR = 7;
const APP_TOKEN = 'ghs_app_installation_token';
const ACTION_TOKEN = 'ghs_workflow_token';
const RPS = 300;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface GitHubSide {
  fake: FakeGitHub;
  dir: string;
  deploymentId: number;
  event: ActionEvent;
  env: NodeJS.ProcessEnv;
}

/** The fake GitHub with a PR and the deployment the App created for it (canary of v2), and a work dir. */
async function github(t: { after(fn: () => unknown): void }): Promise<GitHubSide> {
  const fake = await createFakeGitHub({
    tokens: { [APP_TOKEN]: 'deploy-action[bot]', [ACTION_TOKEN]: 'github-actions[bot]' },
  });
  const dir = mkdtempSync(join(tmpdir(), 'action-cancel-'));
  t.after(async () => {
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const head = fakeSha('pr-7-head');
  fake.seedRepo({ owner: OWNER, repo: REPO, pulls: [{ number: PR, head, user: 'alice' }] });
  const { deployment, event } = await createAppDeployment(fake, {
    token: APP_TOKEN,
    owner: OWNER,
    repo: REPO,
    ref: head,
    payload: { strategy: 'canary', version: 'v2', pr: PR, requested_by: 'alice', approved_by: ['bob'] },
  });
  const env = runnerGitHubEnv(fake.url, OWNER, REPO);
  // The fake builds and first validates against GitHub's whole GraphQL schema on its first query: about 0.6 s
  // of CPU, several seconds on a busy machine, in this process that also runs the load. That query is the
  // action's status-comment lookup when the run starts (never after the cancellation: see
  // assertNoLookupAfterCancel), so the fake's start-up would slow the canary it must take part in. Done now,
  // before the action runs.
  const warm = await fetch(`${fake.url}/graphql`, {
    method: 'POST',
    headers: { authorization: `token ${APP_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ query: 'query { viewer { login } }' }),
  });
  assert.equal(warm.status, 200, await warm.text());
  return { fake, dir, deploymentId: deployment.id, event, env };
}

function deploymentStates(g: GitHubSide) {
  return g.fake
    .requestsFor('repos/create-deployment-status')
    .filter((r) => r.path.includes(`/deployments/${g.deploymentId}/`) && r.status === 201)
    .map((r) => r.body as { state: string; description: string });
}

function deployCheck(g: GitHubSide) {
  const runs = [...g.fake.repo().checkRuns.values()] as Array<{
    name: string;
    status: string;
    conclusion: string | null;
  }>;
  return runs.find((r) => r.name === 'deploy / production');
}

function statusComment(g: GitHubSide): string | undefined {
  const comments = [...g.fake.repo().comments.values()] as unknown as Array<{ body: string }>;
  return comments.find((c) => c.body.startsWith('<!-- deploy-action:status environment="production" -->'))
    ?.body;
}

/** Polls `probe` every 50 ms until it holds, failing with `what` after `timeoutMs` or if the action exits. */
async function until(action: StartedAction, what: string, probe: () => boolean, timeoutMs = 60_000) {
  const deadline = performance.now() + timeoutMs;
  while (!probe()) {
    if (action.exited()) throw new Error(`the action exited before ${what}: ${(await action.done).stdout}`);
    if (performance.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(50);
  }
}

/**
 * Once cancelled, the run only writes: who the token is (GraphQL) and where the status comment is were asked
 * when it started, so its few seconds before SIGKILL are not spent on them. The one exception is the
 * status comment's cheap re-search (one page of comments updated since the start's search), made only when
 * that search is older than its 30 s freshness (src/report/github/comment-search.ts): a loaded machine can
 * take that long to reach the canary.
 */
function assertNoLookupAfterCancel(g: GitHubSide, cancelledAt: number) {
  const lookups = g.fake.requests.filter(
    (r) => r.operationId === 'graphql' || r.operationId === 'issues/list-comments',
  );
  const late = lookups.filter((r) => r.at >= cancelledAt);
  // The latest search before the cancel: the 30 s freshness counts from it.
  const startSearch = lookups
    .filter((r) => r.at < cancelledAt && r.operationId === 'issues/list-comments')
    .at(-1);
  const allowed = late.filter(
    (r, i) =>
      i === late.findIndex((x) => x.operationId === 'issues/list-comments') &&
      r.operationId === 'issues/list-comments' &&
      startSearch !== undefined &&
      r.at - startSearch.at >= 30_000 &&
      typeof r.query.since === 'string',
  );
  assert.deepEqual(
    late.filter((r) => !allowed.includes(r)).map((r) => `${r.method} ${r.path}`),
    [],
    'looked up after the cancellation',
  );
}

/** The finished run's GitHub side and outputs, as a cancelled run must leave them. */
/** The last weight the target was given (the rollback puts the canary's back to 0). */
const lastSetWeight = (target: ReturnType<typeof recordedTarget>) =>
  target
    .calls()
    .filter((c) => c.startsWith('set_weight'))
    .at(-1);

/** The built Action started on `g`'s deploy.yml with blue serving v1, killed at the test's end if still running. */
function startOnBlue(t: TestContext, g: GitHubSide, inputs: Record<string, string> = {}): StartedAction {
  const action = startBuiltAction({
    dir: g.dir,
    inputs: { 'github-token': ACTION_TOKEN, config: 'deploy.yml', ...inputs },
    event: g.event,
    env: { ...g.env, CURRENT: JSON.stringify({ slot: 'blue', version: 'v1' }) },
  });
  t.after(() => void (action.exited() || action.child.kill('SIGKILL')));
  return action;
}

function assertReportedCancelled(g: GitHubSide, run: Awaited<StartedAction['done']>) {
  g.fake.assertNoViolations();
  const states = deploymentStates(g);
  const final = states.at(-1);
  assert.ok(final, 'no deployment status was written');
  assert.ok(
    ['error', 'failure', 'inactive'].includes(final.state),
    `final state ${final.state}: ${JSON.stringify(states)}`,
  );
  assert.match(final.description, /^cancelled: v1 serves again/);
  assert.deepEqual(
    states.filter((s) => s.state === 'in_progress' || s.state === 'queued').length,
    states.length - 1,
    'the cancelled status is the last one',
  );
  const check = deployCheck(g);
  assert.equal(check?.status, 'completed', JSON.stringify(check));
  assert.equal(check?.conclusion, 'cancelled');
  // The comment shows the description as escaped text (userText puts an invisible joiner before ":").
  assert.match((statusComment(g) ?? '').replaceAll('\u200D', ''), /> cancelled: v1 serves again/);

  assert.equal(run.outputs.status, 'cancelled', run.stdout);
  assert.equal(run.outputs.code, 'cancelled');
  assert.equal(run.outputs['rolled-back'], 'true');
  assert.equal(run.outputs['previous-version'], 'v1');
  assert.equal(run.outputs['deployment-id'], String(g.deploymentId));
  assert.ok(Number(run.outputs['github-requests']) > 0);
  assert.ok(run.outputs['record-path'] && existsSync(run.outputs['record-path']));
  assert.match(run.summary, /Deploy production: cancelled/);
  assert.match(run.stdout, /::error::cancelled \[cancelled\]/);
}

test('the runner cancels a canary through haproxy: traffic back on v1 before exit, zero failed requests, cancellation reported', async (t) => {
  const g = await github(t);
  const demo = await setupDemo(t, 'haproxy', { blue: 100, green: 0 }, { check: 'tcp' });
  await demo.ctl('deploy', '--slot', 'blue', '--version', 'v1');
  await demo.ctl('switch', '--slot', 'blue');
  writeFileSync(
    join(g.dir, 'deploy.yml'),
    `preset: fast
${demoTargetYaml()}environments:
  production:
    strategy: { type: canary, steps: [5, 10, 25, 50, 100], pause: 2s }
    monitor: 2s
`,
  );

  const load = await startLoad({ url: demo.url, rps: RPS, maxDurationMs: 90_000 });
  t.after(() => load.stop());
  const action = startBuiltAction({
    dir: g.dir,
    inputs: { 'github-token': ACTION_TOKEN, config: 'deploy.yml' },
    event: g.event,
    // The runner's defaults for GitHub (1 s between writes, 1 s retry base): nothing tuned for speed.
    env: { ...g.env, ...demo.env },
  });
  t.after(() => void (action.exited() || action.child.kill('SIGKILL')));

  // The canary has weight: the router sends it a share of the traffic.
  await until(action, 'v2 answered through the router', () => (load.snapshot().byVersion.v2 ?? 0) > 0);
  // And the run has made its start's lookups (queued behind its first writes, 1 s apart: on a loaded machine
  // the canary can take traffic first). What is checked is that none is made after the cancellation.
  await until(action, "the start's status comment lookup", () =>
    g.fake.requests.some((r) => r.operationId === 'issues/list-comments'),
  );
  const cancelledAt = performance.now();
  const { sent, exitedAfterMs } = await cancelLikeRunner(action);
  // Right after exit, before anything else could touch the router: where are the weights, who answers?
  const status = JSON.parse(await demo.ctl('status')) as { servers: Record<string, { weight: number }> };
  const after = await startLoad({ url: demo.url, rps: RPS, maxDurationMs: 1500 });
  await sleep(1200);
  const check = await after.stop();
  const report = await load.stop();
  const run = await action.done;

  assert.ok(!sent.includes('SIGKILL'), `the action had to be killed (${sent.join(', ')}):\n${run.stdout}`);
  assert.equal(run.signal, null);
  assert.notEqual(run.status, 0, run.stdout);
  assert.equal(run.status, 130, 'SIGINT came first: 128 + 2');
  t.diagnostic(`exited ${exitedAfterMs} ms after SIGINT; signals sent: ${sent.join(', ')}`);

  assert.equal(status.servers.green?.weight, 0, JSON.stringify(status.servers));
  assert.ok((status.servers.blue?.weight ?? 0) > 0, JSON.stringify(status.servers));
  assert.deepEqual(Object.keys(check.byVersion), ['v1'], describeLoad(check));
  assert.equal(check.failed, 0, describeLoad(check));
  assert.deepEqual(Object.keys(lastFullBucket(check).byVersion), ['v1']);

  assert.equal(report.failed, 0, `requests failed: ${describeLoad(report)}`);
  assert.ok(
    (report.byVersion.v1 ?? 0) > RPS,
    `too little load on v1 to mean anything: ${describeLoad(report)}`,
  );
  assert.ok((report.byVersion.v2 ?? 0) > 0, 'the canary had taken its share before the cancellation');

  assertReportedCancelled(g, run);
  assertNoLookupAfterCancel(g, cancelledAt);
  assert.match(run.stdout, /SIGINT received: cancelling/);
});

test('a second signal while the rollback runs does not stop it: the rollback finishes and is reported', async (t) => {
  const g = await github(t);
  const target = recordedTarget(g.dir);
  writeFileSync(
    join(g.dir, 'deploy.yml'),
    `preset: fast
${target.targetYaml}environments:
  production:
    strategy: { type: canary, steps: [5, 10, 25, 50, 100], pause: 2s }
`,
  );
  const action = startBuiltAction({
    dir: g.dir,
    inputs: { 'github-token': ACTION_TOKEN, config: 'deploy.yml' },
    event: g.event,
    env: {
      ...g.env,
      CURRENT: JSON.stringify({ slot: 'blue', version: 'v1' }),
      // Traffic going back to stable takes 3 s: long enough for the signals that follow to land in it.
      SLEEP_ON: 'set_weight green 0=3000',
    },
  });
  t.after(() => void (action.exited() || action.child.kill('SIGKILL')));
  await until(action, 'the canary took 5 %', () => target.calls().includes('set_weight green 5'));
  await sleep(300);
  const { sent } = await cancelLikeRunner(action, [
    { signal: 'SIGINT', afterMs: 0 },
    { signal: 'SIGTERM', afterMs: 1000 },
    { signal: 'SIGINT', afterMs: 500 },
    { signal: 'SIGKILL', afterMs: 8000 },
  ]);
  const run = await action.done;
  assert.deepEqual(sent, ['SIGINT', 'SIGTERM', 'SIGINT'], run.stdout);
  assert.equal(run.status, 130, run.stdout + run.stderr);
  assert.match(run.stdout, /SIGTERM received again: the cancellation is already under way and will finish/);
  assert.match(run.stdout, /set_weight green 0: ok/, 'the rollback command ran to its end');
  assert.equal(lastSetWeight(target), 'set_weight green 0');
  assertReportedCancelled(g, run);
});

test('GitHub hanging when the job is cancelled: the action still writes its outputs and exits before SIGKILL', async (t) => {
  // A GitHub that accepts every connection and never answers.
  const hanging = createServer(() => {});
  await new Promise<void>((r) => hanging.listen(0, '127.0.0.1', r));
  t.after(() => {
    hanging.closeAllConnections();
    hanging.close();
  });
  const apiUrl = `http://127.0.0.1:${(hanging.address() as { port: number }).port}`;
  const dir = mkdtempSync(join(tmpdir(), 'action-cancel-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const target = recordedTarget(dir);
  writeFileSync(
    join(dir, 'deploy.yml'),
    `preset: fast
${target.targetYaml}environments:
  production:
    strategy: { type: canary, steps: [5, 10, 25, 50, 100], pause: 2s }
`,
  );
  const head = fakeSha('head');
  const event = deploymentEvent(
    {
      id: 31,
      sha: head,
      ref: head,
      task: 'deploy',
      environment: 'production',
      payload: { strategy: 'canary', version: 'v2', pr: PR, requested_by: 'alice' },
      production_environment: true,
    },
    { owner: OWNER, repo: REPO, baseUrl: apiUrl },
  );
  const action = startBuiltAction({
    dir,
    inputs: { 'github-token': ACTION_TOKEN, config: 'deploy.yml' },
    event,
    env: {
      GITHUB_API_URL: apiUrl,
      GITHUB_REPOSITORY: `${OWNER}/${REPO}`,
      GITHUB_SHA: fakeSha('workflow-checkout'),
      CURRENT: JSON.stringify({ slot: 'blue', version: 'v1' }),
    },
  });
  t.after(() => void (action.exited() || action.child.kill('SIGKILL')));
  await until(action, 'the canary took 5 %', () => target.calls().includes('set_weight green 5'));
  const { sent, exitedAfterMs } = await cancelLikeRunner(action);
  const run = await action.done;
  t.diagnostic(`exited ${exitedAfterMs} ms after SIGINT; signals sent: ${sent.join(', ')}`);
  assert.ok(!sent.includes('SIGKILL'), `the action had to be killed (${sent.join(', ')}):\n${run.stdout}`);
  assert.equal(run.status, 130, run.stdout + run.stderr);
  assert.equal(
    lastSetWeight(target),
    'set_weight green 0',
    'traffic went back to stable although GitHub never answered',
  );
  assert.equal(run.outputs.status, 'cancelled', run.stdout);
  assert.equal(run.outputs.code, 'cancelled');
  assert.equal(run.outputs['rolled-back'], 'true');
  assert.equal(run.outputs['deployment-id'], '31');
  // Written although GitHub never answered, and counting the requests that were sent into the hang.
  assert.match(run.outputs['github-requests'] ?? '', /^[1-9]\d*$/, run.stdout);
  assert.ok(run.outputs['record-path'] && existsSync(run.outputs['record-path']));
  assert.match(run.summary, /Deploy production: cancelled/);
  // Which ends GitHub's reporting first depends on timing: the cancellation deadline (7.5 s after SIGINT) or
  // the run's GitHub budget (10 s of failures, running since the first request hung). Either way a warning
  // says that the updates did not reach GitHub.
  assert.match(
    run.stdout,
    /^::warning::(cancelled: GitHub reporting stopped|GitHub: not reported: .*the deployment status "error")/m,
  );
});

test('cancelled during a migrate hook whose child ignores SIGTERM and holds its output: the hook is stopped with its child, nothing moved, the action exits 130 by itself', async (t) => {
  const g = await github(t);
  const target = recordedTarget(g.dir);
  const pidsFile = join(g.dir, 'migrate-pids.json');
  // Starts a child that ignores SIGTERM and shares its stdout, writes both pids, then "migrates" for a minute.
  writeFileSync(
    join(g.dir, 'migrate.cjs'),
    `const { spawn } = require('node:child_process');
const child = spawn(process.execPath, ['-e', 'process.on("SIGTERM", () => {}); setTimeout(() => {}, 60000)'], { stdio: 'inherit' });
require('node:fs').writeFileSync(process.argv[2], JSON.stringify([process.pid, child.pid]));
console.log('migrating');
setTimeout(() => {}, 60000);
`,
  );
  let pids: number[] = [];
  t.after(() => {
    for (const pid of pids) if (running(pid)) process.kill(pid, 'SIGKILL');
  });
  writeFileSync(
    join(g.dir, 'deploy.yml'),
    `preset: fast
${target.targetYaml}environments:
  production:
    strategy: { type: canary, steps: [5, 10, 25, 50, 100], pause: 2s }
    hooks:
      migrate: ${JSON.stringify([process.execPath, join(g.dir, 'migrate.cjs'), pidsFile])}
`,
  );
  const action = startOnBlue(t, g);
  await until(action, 'the migrate hook started its child', () => {
    try {
      pids = JSON.parse(readFileSync(pidsFile, 'utf8')) as number[];
      return pids.length === 2;
    } catch {
      return false;
    }
  });
  const { sent, exitedAfterMs } = await cancelLikeRunner(action);
  const run = await action.done;
  t.diagnostic(`exited ${exitedAfterMs} ms after SIGINT; signals sent: ${sent.join(', ')}`);
  assert.ok(!sent.includes('SIGKILL'), `the action had to be killed (${sent.join(', ')}):\n${run.stdout}`);
  assert.equal(run.status, 130, run.stdout + run.stderr);
  for (let i = 0; i < 40 && pids.some(running); i++) await sleep(50);
  assert.deepEqual(pids.filter(running), [], 'processes of the migrate hook still running');
  assert.deepEqual(
    target.calls().filter((c) => !c.startsWith('current')),
    [],
    'nothing was deployed or moved',
  );
  assert.equal(run.outputs.status, 'cancelled', run.stdout);
  assert.equal(run.outputs.code, 'cancelled');
  assert.equal(run.outputs['rolled-back'], 'false');
  assert.equal(deployCheck(g)?.conclusion, 'cancelled');
});

test('the record kept on GitHub, and GitHub hanging once the canary began: the job cancelled still rolls back and exits before SIGKILL', async (t) => {
  const g = await github(t);
  const target = recordedTarget(g.dir);
  writeFileSync(
    join(g.dir, 'deploy.yml'),
    `preset: fast
${target.targetYaml}environments:
  production:
    strategy: { type: canary, steps: [5, 10, 25, 50, 100], pause: 2s }
`,
  );
  const key = formatStateKey(stateKey(Buffer.alloc(32, 7), `${OWNER}/${REPO}`, 'production'));
  const action = startOnBlue(t, g, { 'state-key': key });
  await until(action, 'the canary took 5 %', () => target.calls().includes('set_weight green 5'));
  g.fake.setDown({ hang: true });
  const { sent, exitedAfterMs } = await cancelLikeRunner(action);
  const run = await action.done;
  t.diagnostic(`exited ${exitedAfterMs} ms after SIGINT; signals sent: ${sent.join(', ')}`);
  assert.ok(!sent.includes('SIGKILL'), `the action had to be killed (${sent.join(', ')}):\n${run.stdout}`);
  assert.equal(run.status, 130, run.stdout + run.stderr);
  assert.equal(lastSetWeight(target), 'set_weight green 0');
  assert.equal(run.outputs.status, 'cancelled', run.stdout);
  assert.equal(run.outputs['rolled-back'], 'true');
  // The record's last writes did not reach GitHub: said, not waited for past the reporting deadline.
  assert.match(run.stdout, /the state record was not stored within \d+ ms/, run.stdout);
});

test("cancelled while the canary's logs command hangs, ignoring SIGTERM, with children holding its output: traffic back, the command and all it started gone, exit 130 before SIGKILL", async (t) => {
  const g = await github(t);
  const target = recordedTarget(g.dir);
  const pids = pidsFile(t, 'action-cancel-logs-');
  // Prints a line and exits, but for the canary's read once it takes traffic: that one hangs as STUBBORN does,
  // ignoring SIGTERM, with a child that ignores it too on its output and a background sleep.
  writeFileSync(
    join(g.dir, 'logs.cjs'),
    `if (process.env.DEPLOY_SIDE !== 'canary' || !require('node:fs').readFileSync(process.argv[2], 'utf8').includes('set_weight')) {
  console.log('info ready');
  process.exit(0);
}
process.argv.splice(1, 2);
${STUBBORN}`,
  );
  writeFileSync(
    join(g.dir, 'deploy.yml'),
    `preset: fast
${target.targetYaml}environments:
  production:
    strategy: { type: canary, steps: [5, 10, 25, 50, 100], pause: 30s }
    monitor_interval: 1s
    analysis:
      preset: none
      providers:
        logs:
          type: logs
          run: ${JSON.stringify([process.execPath, join(g.dir, 'logs.cjs'), target.log, pids])}
          timeout: 60s
          retries: 0
      metrics:
        new_error_patterns: { provider: logs }
      checks:
        - check: new_error_patterns < 1
`,
  );
  const action = startOnBlue(t, g);
  await until(action, "the canary's logs command started its children", () => pidsIn(pids).length === 3);
  const { sent, exitedAfterMs } = await cancelLikeRunner(action);
  const run = await action.done;
  t.diagnostic(`exited ${exitedAfterMs} ms after SIGINT; signals sent: ${sent.join(', ')}`);
  assert.ok(!sent.includes('SIGKILL'), `the action had to be killed (${sent.join(', ')}):\n${run.stdout}`);
  assert.equal(run.status, 130, run.stdout + run.stderr);
  assert.deepEqual(await untilEnded(pidsIn(pids)), [], 'processes of the logs command still running');
  assert.equal(lastSetWeight(target), 'set_weight green 0');
  assertReportedCancelled(g, run);
});
