// Control from the PR, end to end (issue 14): the App creates a canary deployment of v2 from a PR comment; the
// BUILT action runs it through a real haproxy in front of the demo's services under steady loopback load,
// with the record on GitHub. At 25 % the canary step says `pause: manual`: the job waits (polling the App's
// control check runs, conditionally) for its in-job limit, then hands the rollout off and ends green with
// 75/25 left in place. The App shows the wait (status comment, a check run with Promote and Abort). A
// non-deployer's /promote is refused; the deployer's /promote (delivered three times) starts the reconcile
// workflow once; the BUILT action in `mode: reconcile`, a new run, goes on from 25 % to 100 %. The same story
// with /abort ends with all traffic on v1. Zero failed requests either way; one status comment.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { validateWebhook } from '../fake-github/index.ts';
import { commentOnPull } from '../app/helpers.ts';
import { runBuiltAction, type ActionRun } from '../helpers/action.ts';
import { demoTargetYaml } from '../helpers/demo.ts';
import { assertZeroDowntime, describeLoad, startLoad, type Load } from '../helpers/load.ts';
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
  runnerEnv,
  setup,
  sleep,
  weights,
  workspace,
  type Receive,
  type Story,
} from '../helpers/rollout-story.ts';
import { parseStatusComment, statusMarker } from '../../src/github/status-comment.ts';
import { controlCheckName } from '../../src/control/github-channel.ts';

const DEPLOY_YML = `preset: fast
${demoTargetYaml()}environments:
  ${ENV}:
    strategy:
      type: canary
      steps: [10, { weight: 25, pause: manual }, 50, 100]
      pause: 1s
    control:
      max_wait_in_job: 3s
      poll_interval: 2s
    monitor: 0
    approvals:
      deployers: [alice]
      approvers: [carol]
      required: 0
`;

async function comment(s: Story, body: string, user: string, id?: string): Promise<string> {
  const { payload } = commentOnPull(s.fake, body, { user, owner: OWNER, repo: REPO });
  const delivery = id ?? crypto.randomUUID();
  await s.probot.receive({ id: delivery, name: 'issue_comment', payload } as Receive);
  return JSON.stringify(payload);
}

/** Every status of the deployment so far goes to the App, in order (as GitHub delivers them). */
async function deliverStatuses(s: Story, deploymentId: number, from = 0): Promise<number> {
  const statuses = s.fake.repo().deploymentStatuses.get(deploymentId) ?? [];
  for (const status of statuses.slice(from))
    await s.probot.receive({
      id: crypto.randomUUID(),
      name: 'deployment_status',
      payload: deploymentWebhook(s.fake, 'deployment_status', deploymentId, status),
    } as Receive);
  return statuses.length;
}

const controlRuns = (s: Story) =>
  [...s.fake.repo().checkRuns.values()].filter((r) => r.name === controlCheckName(ENV)) as Array<{
    external_id?: string;
    output: { title?: string; summary?: string };
    _actions?: Array<{ identifier: string }>;
  }>;

/** Up to the hand-off: the deployment, the built action waiting at 25 % and ending, the App's notice. */
async function deployUntilHandedOff(t: Parameters<typeof setup>[0]) {
  const s = await setup(t, DEPLOY_YML);
  const { fake, demo } = s;
  // carol approves production (and may /abort it); mallory may write but is neither deployer nor approver.
  fake.repo().collaborators.set('carol', 'write');
  fake.repo().collaborators.set('mallory', 'write');
  await comment(s, `/deploy ${ENV} | version=v2`, 'alice');
  const created = [...fake.repo().deployments.values()];
  assert.equal(created.length, 1, 'the App created the deployment');
  const deploymentId = created[0]!.id as number;
  fake.addWorkflowRun({ id: RUN_ID, event: 'deployment', headSha: s.main, status: 'in_progress' });
  for (const event of ['workflow_run', 'workflow_dispatch', 'deployment_status', 'check_run'])
    validateWebhook(event, {});

  const load = await startLoad({ url: demo.url, rps: RPS, maxDurationMs: 280_000 });
  t.after(() => load.stop());
  const conditionalBefore = fake.requestsFor('checks/list-suites-for-ref').length;
  const first = await runBuiltAction({
    dir: workspace(s, t),
    inputs: { 'github-token': ACTION_TOKEN, config: CONFIG_PATH, 'state-key': s.stateKey },
    event: { name: 'deployment', payload: deploymentWebhook(fake, 'deployment', deploymentId) },
    env: runnerEnv(s, RUN_ID),
    // A bound on a hung run, not a speed target: on a busy 2-core machine one run took over 60 s (each ctl
    // command ~9 s) and was killed mid-rollout.
    timeoutMs: 120_000,
  });
  fake.updateWorkflowRun(RUN_ID, {
    status: 'completed',
    conclusion: first.status === 0 ? 'success' : 'failure',
  });
  assert.equal(first.status, 0, first.stdout + first.stderr);
  assert.equal(first.outputs.status, 'waiting', first.stdout);
  assert.equal(first.outputs.code, 'rollout_waiting', first.stdout);
  // The job polled the control check runs while it waited: conditional requests, nothing new, so 304s.
  const polls = fake
    .requestsFor('checks/list-suites-for-ref')
    .slice(conditionalBefore)
    .filter((r) => String(r.query.check_name).startsWith('rollout / '));
  assert.ok(polls.length >= 1, 'the job polled for /promote while it waited');

  await sleep(500);
  assert.deepEqual(await weights(demo), { blue: 75, green: 25 }, '75/25 stays after the job ended');
  const record = await readRecord(s);
  assert.ok(record.ok && record.record?.rollout?.wait, JSON.stringify(record));
  assert.equal(record.record.rollout.wait.kind, 'manual');
  assert.equal(record.record.rollout.wait.handedOff, true);
  assert.equal(record.record.rollout.weight, 25);

  // The run completing is no orphan for the App: nothing dispatched for it.
  await s.probot.receive({
    id: crypto.randomUUID(),
    name: 'workflow_run',
    payload: fake.workflowRunWebhook(RUN_ID),
  } as Receive);
  assert.equal(fake.repo().workflowDispatches.length, 0, 'a handed-off rollout is not an orphan');

  // The statuses reach the App: the PR shows the wait, and a check run offers Promote and Abort.
  const seen = await deliverStatuses(s, deploymentId);
  const notices = controlRuns(s);
  assert.equal(notices.length, 1, JSON.stringify(notices));
  assert.deepEqual((notices[0]!._actions ?? []).map((a) => a.identifier).sort(), ['abort', 'promote']);
  const waitingComment = statusComments(s);
  assert.equal(waitingComment.length, 1, describeComments(waitingComment));
  assert.match(String(waitingComment[0]!.body), /\/promote production/);
  return { s, deploymentId, load, seen, first };
}

/** Who wrote each comment, when, and how it begins: what a failed count needs to be understood. */
const describeComments = (comments: Array<Record<string, unknown>>) =>
  JSON.stringify(
    comments.map((c) => ({
      id: c.id,
      user: (c.user as { login?: string } | undefined)?.login,
      created_at: c.created_at,
      updated_at: c.updated_at,
      body: String(c.body).slice(0, 300),
    })),
  );

const statusComments = (s: Story) =>
  [...s.fake.repo().comments.values()].filter((c) => String(c.body).startsWith(statusMarker(ENV)));

/** The dispatched reconcile run: a fresh workspace, its own run id, the dispatch's inputs. */
async function runDispatched(s: Story, t: Parameters<typeof setup>[0]): Promise<ActionRun> {
  const dispatches = s.fake.repo().workflowDispatches;
  assert.equal(dispatches.length, 1, JSON.stringify(dispatches));
  const dispatch = dispatches[0]!;
  assert.deepEqual(
    { workflowId: dispatch.workflowId, ref: dispatch.ref, inputs: dispatch.inputs },
    { workflowId: 'deploy-reconcile.yml', ref: 'main', inputs: { environment: ENV } },
  );
  s.fake.updateWorkflowRun(dispatch.runId, { status: 'in_progress' });
  const run = await runBuiltAction({
    dir: workspace(s, t),
    inputs: {
      mode: 'reconcile',
      environment: ENV,
      'github-token': ACTION_TOKEN,
      config: CONFIG_PATH,
      'state-key': s.stateKey,
    },
    event: { name: 'workflow_dispatch', payload: dispatchEvent(s.fake, dispatch.inputs, dispatch.ref) },
    env: runnerEnv(s, dispatch.runId),
    timeoutMs: 120_000,
  });
  s.fake.updateWorkflowRun(dispatch.runId, {
    status: 'completed',
    conclusion: run.status === 0 ? 'success' : 'failure',
  });
  return run;
}

async function finalLoad(s: Story, load: Load, t: Parameters<typeof assertZeroDowntime>[0], only: string) {
  const after = await startLoad({ url: s.demo.url, rps: RPS, maxDurationMs: 1500 });
  await sleep(1200);
  const check = await after.stop();
  const report = await load.stop();
  assert.deepEqual(Object.keys(check.byVersion), [only], describeLoad(check));
  assert.equal(check.failed, 0, describeLoad(check));
  assertZeroDowntime(t, report);
  assert.ok((report.byVersion.v2 ?? 0) > 0, describeLoad(report));
}

// The two stories are independent (each its own haproxy, services, fake GitHub, App and load) and mostly
// wait on the built action's runs and the in-job wait: run side by side.
describe('pause: manual at 25 %, then /promote or /abort', { concurrency: true }, () => {
  test('pause: manual at 25 %: the job hands off at 75/25, /promote by a deployer resumes it in a new run to 100 %, zero failed requests', async (t) => {
    const { s, deploymentId, load, seen } = await deployUntilHandedOff(t);
    const { fake } = s;

    // A non-deployer's /promote is refused: no request, no dispatch.
    await comment(s, `/promote ${ENV}`, 'mallory');
    assert.equal(controlRuns(s).length, 1, 'nothing written for mallory');
    assert.equal(fake.repo().workflowDispatches.length, 0);

    // The deployer's /promote, delivered three times (a redelivery, and a second delivery of it).
    const { payload } = commentOnPull(fake, `/promote ${ENV}`, { user: 'alice', owner: OWNER, repo: REPO });
    await s.probot.receive({ id: 'promote-1', name: 'issue_comment', payload } as Receive);
    await s.probot.receive({ id: 'promote-1', name: 'issue_comment', payload } as Receive);
    await s.probot.receive({ id: 'promote-2', name: 'issue_comment', payload } as Receive);
    assert.equal(controlRuns(s).length, 2, 'one request check run for the promote');
    assert.equal(fake.requestsFor('actions/create-workflow-dispatch').length, 1, 'one resume');
    assert.deepEqual(await weights(s.demo), { blue: 75, green: 25 }, 'the App itself moves no traffic');

    const resumed = await runDispatched(s, t);
    assert.equal(resumed.status, 0, resumed.stdout + resumed.stderr);
    const entries = (JSON.parse(resumed.outputs.reconcile ?? '{}') as { entries: Array<{ code: string }> })
      .entries;
    assert.ok(
      entries.some((e) => e.code === 'rollout_resumed' || e.code === 'deployed'),
      resumed.stdout,
    );
    assert.deepEqual(await weights(s.demo), { blue: 0, green: 100 });
    await finalLoad(s, load, t, 'v2');

    const read = await readRecord(s);
    assert.ok(read.ok && read.record, JSON.stringify(read));
    assert.equal(read.record.rollout, undefined);
    assert.equal(read.record.live?.version, 'v2');
    const events = read.record.history.map((h) => `${h.event}:${h.by}`);
    assert.ok(events.includes('promoted:alice'), events.join(' '));

    // The deployment ends in success, written by the resumed run; one status comment says so.
    const statuses = fake.repo().deploymentStatuses.get(deploymentId)!;
    assert.equal(statuses.at(-1)!.state, 'success', JSON.stringify(statuses.map((x) => x.state)));
    await deliverStatuses(s, deploymentId, seen);
    const comments = statusComments(s);
    assert.equal(comments.length, 1, 'one status comment');
    assert.equal(parseStatusComment(String(comments[0]!.body), ENV)?.state, 'success');
    fake.assertNoViolations();
  });

  test('pause: manual at 25 %: /abort by an approver puts all traffic back on v1 in a new run, zero failed requests', async (t) => {
    const { s, deploymentId, load, seen } = await deployUntilHandedOff(t);
    const { fake } = s;
    await comment(s, `/abort ${ENV} error budget burning`, 'carol');
    assert.equal(fake.requestsFor('actions/create-workflow-dispatch').length, 1);
    const aborted = await runDispatched(s, t);
    assert.equal(aborted.status, 0, aborted.stdout + aborted.stderr);
    const w = await weights(s.demo);
    assert.equal(w.green, 0, JSON.stringify(w));
    await finalLoad(s, load, t, 'v1');

    const read = await readRecord(s);
    assert.ok(read.ok && read.record, JSON.stringify(read));
    assert.equal(read.record.rollout, undefined);
    assert.notEqual(read.record.live?.version, 'v2', 'v2 never went live');
    const events = read.record.history.map((h) => `${h.event}:${h.code}:${h.by}`);
    assert.ok(events.includes('abort_requested:rollout_aborted:carol'), events.join(' '));
    assert.equal(read.record.history.at(-1)?.code, 'rollout_aborted', events.join(' '));
    const statuses = fake.repo().deploymentStatuses.get(deploymentId)!;
    assert.equal(statuses.at(-1)!.state, 'failure', JSON.stringify(statuses.map((x) => x.state)));
    assert.match(String(statuses.at(-1)!.description), /aborted by @?carol/i);
    await deliverStatuses(s, deploymentId, seen);
    assert.equal(statusComments(s).length, 1, `one status comment: ${describeComments(statusComments(s))}`);
    fake.assertNoViolations();
  });
});
