// An orphaned rollout, end to end (issue 13): the App creates a canary deployment of v2 from a PR comment; the
// BUILT action (dist/action/index.js) runs it through a real haproxy in front of the demo's services under
// steady loopback load, keeping the environment record on GitHub (signed under the state key the App derives
// for production). At 50 % the action is killed with SIGKILL: no rollback, no final report, traffic split.
// The runner reports the run completed; the App, on that workflow_run event, dispatches the reconcile
// workflow once; the BUILT action in `mode: reconcile`, on a fresh workspace and a new run, finds the orphan
// from the record on GitHub alone, runs its recovery and puts all traffic back on v1. GitHub is the fake
// (every request checked against GitHub's OpenAPI description).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateWebhook } from '../fake-github/index.ts';
import { commentOnPull } from '../app/helpers.ts';
import { runBuiltAction, startBuiltAction, type StartedAction } from '../helpers/action.ts';
import { demoTargetYaml, type Demo } from '../helpers/demo.ts';
import { assertZeroDowntime, describeLoad, lastFullBucket, startLoad } from '../helpers/load.ts';
import {
  ACTION_TOKEN,
  CONFIG_PATH,
  deploymentWebhook,
  dispatchEvent,
  ENV,
  OWNER,
  readRecord,
  REPO,
  RPS,
  RUN_ID,
  routerWeights,
  runnerEnv,
  setup,
  sleep,
  weights,
  workspace,
  type Receive,
} from '../helpers/rollout-story.ts';
import { parseStatusComment, statusMarker } from '../../src/github/status-comment.ts';

/**
 * The repository's deploy.yml (the App reads it from the default branch, the action from the checkout): a
 * canary with short pauses up to 25 % and a long one at 50 %, so the test can catch it there. Production
 * needs no approval from its deployer, so `/deploy` creates the deployment at once. `reconcile.workflow` is
 * left out: the App dispatches the documented default, deploy-reconcile.yml.
 */
const DEPLOY_YML = (() => {
  return `preset: fast
${demoTargetYaml()}environments:
  ${ENV}:
    strategy:
      type: canary
      steps: [5, 10, 25, { weight: 50, pause: 60s }, 100]
      pause: 1s
    monitor: 0
    approvals:
      deployers: [alice]
      required: 0
`;
})();

/** Polls the router until green carries 50 % of the weight, failing if the action exits first. */
async function untilCanaryAt50(demo: Demo, action: StartedAction, timeoutMs = 40_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const w = await routerWeights(demo);
    if (w.green === 50 && w.blue === 50) return;
    if (action.exited())
      throw new Error(`the action exited before the canary reached 50 %: ${(await action.done).stdout}`);
    if (performance.now() > deadline) throw new Error(`the canary did not reach 50 % (${JSON.stringify(w)})`);
    await sleep(250);
  }
}

test("kill -9 of the action mid-canary at 50 %: the App starts reconcile on the run's completion, reconcile puts all traffic on stable, zero failed requests, the deployment and the PR say what happened", async (t) => {
  const s = await setup(t, DEPLOY_YML);
  const { fake, demo } = s;
  // 1. The App creates the deployment from the deployer's comment; the deploying run exists on GitHub.
  const { payload } = commentOnPull(fake, `/deploy ${ENV} | version=v2`, {
    user: 'alice',
    owner: OWNER,
    repo: REPO,
  });
  await s.probot.receive({ id: crypto.randomUUID(), name: 'issue_comment', payload } as Receive);
  const created = [...fake.repo().deployments.values()];
  assert.equal(created.length, 1, 'the App created the deployment');
  const deploymentId = created[0]!.id as number;
  fake.addWorkflowRun({ id: RUN_ID, event: 'deployment', headSha: s.main, status: 'in_progress' });
  const deploymentEvent = deploymentWebhook(fake, 'deployment', deploymentId);
  // The webhook validators compile on first use (the test process stalls for a second or two): before the
  // load starts, so the load's client keeps its rate.
  for (const event of ['workflow_run', 'workflow_dispatch', 'deployment_status']) validateWebhook(event, {});

  const load = await startLoad({ url: demo.url, rps: RPS, maxDurationMs: 60_000 });
  t.after(() => load.stop());

  const action = startBuiltAction({
    dir: workspace(s, t),
    inputs: { 'github-token': ACTION_TOKEN, config: CONFIG_PATH, 'state-key': s.stateKey },
    event: { name: 'deployment', payload: deploymentEvent },
    env: runnerEnv(s, RUN_ID),
    timeoutMs: 60_000,
  });
  t.after(() => void (action.exited() || action.child.kill('SIGKILL')));

  // 2. At 50 %: kill -9. Nothing of the job runs after this.
  await untilCanaryAt50(demo, action);
  action.child.kill('SIGKILL');
  const killed = await action.done;
  assert.equal(killed.signal, 'SIGKILL', killed.stdout);
  await sleep(500);
  assert.deepEqual(await weights(demo), { blue: 50, green: 50 }, 'traffic stays split after the kill');
  // What reconcile will go by: the record the killed run left on GitHub, owned by its run, with the
  // write-ahead recovery (the record's step and weight may lag: only the write-ahead is durable).
  const orphan = await readRecord(s);
  assert.ok(orphan.ok && orphan.record?.rollout, JSON.stringify(orphan));
  assert.deepEqual(orphan.record.rollout.owner, {
    kind: 'workflow',
    runId: String(RUN_ID),
    runAttempt: '1',
    runUrl: `https://github.example/${OWNER}/${REPO}/actions/runs/${RUN_ID}`,
  });
  assert.deepEqual(
    orphan.record.rollout.recovery.map((step) => step.kind),
    ['set_weight', 'teardown'],
  );
  const splitSeen = load.snapshot().byVersion.v2 ?? 0;
  assert.ok(splitSeen > 0, 'the canary took its share of the traffic');

  // 3. The runner reports the run completed (a killed step fails the job); the App hears of it.
  fake.updateWorkflowRun(RUN_ID, { status: 'completed', conclusion: 'failure' });
  const completed = fake.workflowRunWebhook(RUN_ID);
  await s.probot.receive({ id: 'delivery-1', name: 'workflow_run', payload: completed } as Receive);
  // GitHub's redelivery of the same event, and a second delivery of it: still one dispatch.
  await s.probot.receive({ id: 'delivery-1', name: 'workflow_run', payload: completed } as Receive);
  await s.probot.receive({ id: 'delivery-2', name: 'workflow_run', payload: completed } as Receive);
  const dispatches = fake.repo().workflowDispatches;
  assert.deepEqual(
    dispatches.map((d) => ({ workflowId: d.workflowId, ref: d.ref, inputs: d.inputs })),
    [{ workflowId: 'deploy-reconcile.yml', ref: 'main', inputs: { environment: ENV } }],
  );
  assert.equal(fake.requestsFor('actions/create-workflow-dispatch').length, 1, 'exactly one dispatch');
  assert.ok(fake.repo().refs.has(`deploy-reconcile/${RUN_ID}-1/${ENV}`), 'the claim of this run attempt');
  assert.deepEqual(await weights(demo), { blue: 50, green: 50 }, 'the App itself moves no traffic');

  // 4. The dispatched run: a fresh workspace, its own run id, the dispatch's inputs, the workflow token.
  const dispatch = dispatches[0]!;
  fake.updateWorkflowRun(dispatch.runId, { status: 'in_progress' });
  const reconcile = await runBuiltAction({
    dir: workspace(s, t),
    inputs: {
      mode: 'reconcile',
      environment: String(dispatch.inputs.environment),
      'github-token': ACTION_TOKEN,
      config: CONFIG_PATH,
      'state-key': s.stateKey,
    },
    event: { name: 'workflow_dispatch', payload: dispatchEvent(fake, dispatch.inputs, dispatch.ref) },
    env: runnerEnv(s, dispatch.runId),
    timeoutMs: 30_000,
  });
  fake.updateWorkflowRun(dispatch.runId, {
    status: 'completed',
    conclusion: reconcile.status === 0 ? 'success' : 'failure',
  });
  assert.equal(reconcile.status, 0, reconcile.stdout + reconcile.stderr);
  assert.equal(reconcile.outputs.status, 'succeeded', reconcile.stdout);
  const entries = (
    JSON.parse(reconcile.outputs.reconcile ?? '{}') as {
      entries: Array<{ environment: string; code: string }>;
    }
  ).entries;
  assert.deepEqual(
    entries.map((e) => [e.environment, e.code]),
    [[ENV, 'orphan_rolled_back']],
    reconcile.stdout,
  );

  // 5. Only v1 answers now, and nothing failed on the way.
  const w = await weights(demo);
  assert.equal(w.green, 0, JSON.stringify(w));
  assert.ok((w.blue ?? 0) > 0, JSON.stringify(w));
  const after = await startLoad({ url: demo.url, rps: RPS, maxDurationMs: 1500 });
  await sleep(1200);
  const check = await after.stop();
  const report = await load.stop();
  assert.deepEqual(Object.keys(check.byVersion), ['v1'], describeLoad(check));
  assert.equal(check.failed, 0, describeLoad(check));
  assert.deepEqual(Object.keys(lastFullBucket(check).byVersion), ['v1']);
  assertZeroDowntime(t, report);
  assert.ok((report.byVersion.v2 ?? 0) > 0, describeLoad(report));
  assert.ok((report.byVersion.v1 ?? 0) > RPS, describeLoad(report));

  // The deployment ends saying what happened, written by the reconcile run.
  const statuses = fake.repo().deploymentStatuses.get(deploymentId)!;
  const final = statuses.at(-1)!;
  assert.equal(final.state, 'failure', JSON.stringify(statuses.map((x) => x.state)));
  assert.match(
    String(final.description),
    new RegExp(`^Rolled back by reconcile: its owner workflow run ${RUN_ID} ended \\(failure\\)`),
  );
  assert.ok(String(final.log_url).endsWith(`/actions/runs/${dispatch.runId}`), String(final.log_url));
  assert.deepEqual(
    statuses.slice(0, -1).filter((x) => !['queued', 'in_progress'].includes(String(x.state))),
    [],
    'the killed run left its deployment in progress',
  );

  // Every status goes back to the App, in order: the PR's status comment ends saying it.
  for (const status of statuses)
    await s.probot.receive({
      id: crypto.randomUUID(),
      name: 'deployment_status',
      payload: deploymentWebhook(fake, 'deployment_status', deploymentId, status),
    } as Receive);
  const comments = [...fake.repo().comments.values()].filter((c) =>
    String(c.body).startsWith(statusMarker(ENV)),
  );
  assert.equal(comments.length, 1, 'one status comment');
  const body = String(comments[0]!.body);
  const shown = parseStatusComment(body, ENV);
  assert.equal(shown?.state, 'failure');
  assert.equal(shown?.deploymentId, deploymentId);
  // Escaped text: an invisible joiner before ":" and backslashes before markdown punctuation.
  assert.doesNotMatch(body, /Rolled back by reconcile: /, 'the description is never put in raw');
  const plain = body.replaceAll('\u200D', '').replace(/\\(.)/g, '$1');
  assert.match(
    plain,
    new RegExp(`> Rolled back by reconcile: its owner workflow run ${RUN_ID} ended \\(failure\\)`),
  );
  assert.equal(fake.repo().refs.has(`deploy-locks/${ENV}`), false, 'the environment lock is released');

  // The record on GitHub: the rollout is gone, the history ends with the orphan's rollback by that run.
  const read = await readRecord(s);
  assert.ok(read.ok && read.record, JSON.stringify(read));
  assert.equal(read.record.rollout, undefined, 'no rollout left in the record');
  const last = read.record.history.at(-1)!;
  assert.equal(last.event, 'orphan_rolled_back', JSON.stringify(read.record.history));
  assert.equal(last.by, `reconcile:${dispatch.runId}`);
  assert.equal(last.version, 'v2');

  // The dead run's deploy check run does not stay "in progress" forever: reconcile ended it.
  const deployCheck = [...fake.repo().checkRuns.values()].find((r) => r.name === `deploy / ${ENV}`) as
    { status: string; conclusion: string | null; output: { title?: string; summary?: string } } | undefined;
  assert.equal(deployCheck?.status, 'completed', JSON.stringify(deployCheck));
  assert.equal(deployCheck?.conclusion, 'failure');
  assert.match(deployCheck?.output.title ?? '', /orphan rolled back by reconcile/);
  assert.match(deployCheck?.output.summary ?? '', /rollout of \*\*v2\*\* ended; reconcile took over/);

  fake.assertNoViolations();
});
