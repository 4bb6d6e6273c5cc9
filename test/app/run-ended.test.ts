// A workflow run the protection rule approved for an App deployment that ends without the Action ever writing
// a final status (cancelled before its job started, another rule rejected it, its job failed before the
// Action's step): on the run's completion the App ends the deployment (`error`, naming the run), and that
// status releases its locks, so the next /deploy goes through. Left alone: a deployment whose rollout the
// state record still holds (reconcile's), one of a later attempt, one the Action already ended; a redelivery
// writes nothing twice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Probot } from 'probot';
import { fakeSha } from '../fake-github/index.ts';
import type { FakeGitHub } from '../fake-github/index.ts';
import { BOT_LOGIN, HEAD, repliesTo, rest, testMarkerKeys, withSeededApp } from './helpers.ts';
import { askProtectionRule, finalStatus, receive } from './delivery-helpers.ts';
import type { EnvironmentRecord } from '../../src/state/record.ts';
import { signRecord } from '../../src/state/signed-record.ts';
import { stateKey } from '../../src/state/state-key.ts';

import {
  appDeployments,
  appErrors,
  completes,
  deliverNewestAppStatus,
  deployedByAlice,
  lockOf,
  OTHER_PR,
  runSeed,
  statusesOf,
  WITH_APPROVAL,
} from './run-helpers.ts';

type Json = Record<string, unknown>;

const OTHER_HEAD = fakeSha('run-ended-pr-8-head');
const seed = runSeed(OTHER_HEAD);

const deployed = deployedByAlice;

/** What GitHub asks the rule about run `run` the App's deployment event started for `deployment`. */
const ruleAsk = (run: number, deployment: Json) => ({
  run,
  event: 'deployment',
  sha: HEAD,
  environment: 'production',
  creator: { login: BOT_LOGIN, type: 'Bot' },
  deploymentId: deployment.id as number,
  payload: deployment.payload as Json,
});

/** The run the App's deployment event started for `deployment`, asked about (attempt `attempt`) and approved. */
async function approvedRun(
  fake: FakeGitHub,
  probot: Probot,
  deployment: Json,
  run?: number,
): Promise<number> {
  const id = run ?? fake.addWorkflowRun({ headSha: HEAD, actor: BOT_LOGIN, event: 'deployment' }).id;
  const review = await askProtectionRule(fake, probot, ruleAsk(id, deployment));
  assert.equal(review.state, 'approved', review.comment);
  return id;
}

test('an approved run cancelled before its job starts ends its deployment (naming the run); its status frees the environment for the next /deploy', async () => {
  await withSeededApp(seed, async (fake, probot) => {
    const own = await deployed(fake, probot);
    const run = await approvedRun(fake, probot, own);
    await completes(fake, probot, run);

    const [ended] = appErrors(fake, own);
    assert.ok(ended, 'the App ended the deployment');
    assert.match(
      String(ended.description),
      new RegExp(
        `^workflow run ${run} \\(attempt 1\\) ended \\(cancelled\\) without the deployment finishing`,
      ),
    );
    await deliverNewestAppStatus(fake, probot, own);
    assert.equal(lockOf(fake), undefined, 'its final status released production’s lock');

    await repliesTo(fake, probot, '/deploy production', 'bob', OTHER_PR);
    assert.equal(appDeployments(fake).length, 2, "bob's deployment goes through");
  });
});

test('a redelivered completion (and a second delivery of it) ends the deployment once', async () => {
  await withSeededApp(seed, async (fake, probot) => {
    const own = await deployed(fake, probot);
    const run = await approvedRun(fake, probot, own);
    await completes(fake, probot, run, { delivery: 'delivery-1' });
    await completes(fake, probot, run, { delivery: 'delivery-1' });
    await completes(fake, probot, run, { delivery: 'delivery-2' });
    assert.equal(appErrors(fake, own).length, 1, 'one error status');
    const claims = fake
      .requestsFor('git/create-ref')
      .filter((r) => String((r.body as Json).ref).startsWith('refs/deploy-orphan/'));
    assert.equal(claims.length, 1, 'claimed once; the redeliveries found it ended');
  });
});

test('two deliveries at once (two replicas) end the deployment once', async () => {
  await withSeededApp(seed, async (fake, probot) => {
    const own = await deployed(fake, probot);
    const run = await approvedRun(fake, probot, own);
    fake.updateWorkflowRun(run, { status: 'completed', conclusion: 'cancelled' });
    const payload = fake.workflowRunWebhook(run);
    await Promise.all([
      receive(probot, 'workflow_run', payload, 'replica-1'),
      receive(probot, 'workflow_run', payload, 'replica-2'),
    ]);
    assert.equal(appErrors(fake, own).length, 1, 'one error status');
  });
});

test("a late completion of an earlier attempt leaves the later attempt's deployment; that attempt's end ends it", async () => {
  await withSeededApp(seed, async (fake, probot) => {
    const own = await deployed(fake, probot);
    const run = await approvedRun(fake, probot, own);
    // Attempt 1 is cancelled before its job starts; its completion is not delivered yet. Re-run: attempt 2 is
    // approved while the deployment still holds its lock.
    fake.updateWorkflowRun(run, { status: 'completed', conclusion: 'cancelled' });
    const late = fake.workflowRunWebhook(run);
    fake.updateWorkflowRun(run, {
      status: 'in_progress',
      conclusion: null,
      runAttempt: 2,
      triggeringActor: 'bob',
    });
    await approvedRun(fake, probot, own, run);
    // Named again (the rule did not read the run: no attempt); the run as GitHub shows it decides.
    assert.equal(statusesOf(fake, own).at(-1)?.description, `workflow run ${run} approved: deploying`);

    await receive(probot, 'workflow_run', late);
    assert.deepEqual(appErrors(fake, own), [], 'attempt 1 ending does not end attempt 2’s deployment');
    assert.equal(lockOf(fake), HEAD);

    await completes(fake, probot, run, { attempt: 2, conclusion: 'failure' });
    assert.equal(appErrors(fake, own).length, 1, 'attempt 2 ended without the Action: ended');
    assert.match(String(appErrors(fake, own)[0]!.description), /\(attempt 2\) ended \(failure\)/);
  });
});

test('a deployment the Action already ended is left as it is', async () => {
  await withSeededApp(seed, async (fake, probot) => {
    const own = await deployed(fake, probot);
    const run = await approvedRun(fake, probot, own);
    await rest(fake, 'POST', `/deployments/${String(own.id)}/statuses`, { state: 'success' });
    await receive(probot, 'deployment_status', finalStatus(fake, own, 'success', undefined, 'production'));
    const before = statusesOf(fake, own).length;
    await completes(fake, probot, run, { conclusion: 'failure' });
    assert.equal(statusesOf(fake, own).length, before, 'nothing written');
    assert.deepEqual(appErrors(fake, own), []);
  });
});

test('a run that did not come from the App (another actor) costs no deployment read', async () => {
  await withSeededApp(seed, async (fake, probot) => {
    await deployed(fake, probot);
    const other = fake.addWorkflowRun({ headSha: HEAD, actor: 'alice', event: 'push' });
    const mark = fake.requests.length;
    await completes(fake, probot, other.id);
    const read = fake.requests.slice(mark);
    const names = read.map((r) => r.operationId).join(', ');
    // The record read lists production's deployments; none of the commit's is listed, no status read.
    assert.ok(!read.some((r) => r.query.sha !== undefined), names);
    assert.ok(!read.some((r) => r.operationId === 'repos/list-deployment-statuses'), names);
  });
});

test('a run the App started that no deployment event started (the reconcile it dispatches) costs no deployment read', async () => {
  await withSeededApp(seed, async (fake, probot) => {
    await deployed(fake, probot);
    const reconcile = fake.addWorkflowRun({ headSha: HEAD, actor: BOT_LOGIN, event: 'workflow_dispatch' });
    const mark = fake.requests.length;
    await completes(fake, probot, reconcile.id);
    const read = fake.requests.slice(mark);
    const names = read.map((r) => r.operationId).join(', ');
    assert.ok(!read.some((r) => r.query.sha !== undefined), names);
    assert.ok(!read.some((r) => r.operationId === 'repos/list-deployment-statuses'), names);
  });
});

/** Production's record, as the Action writes it, naming run `run` as the owner of a rollout of HEAD. */
async function rollingOut(fake: FakeGitHub, run: number): Promise<void> {
  const record: EnvironmentRecord = {
    schema: 1,
    repository: 'acme/web',
    environment: 'production',
    seq: 3,
    updatedAt: new Date().toISOString(),
    rollout: {
      deploymentId: '1',
      version: 'v3.0.0',
      sha: HEAD,
      strategy: 'canary',
      phase: 'production',
      step: 1,
      steps: 3,
      weight: 10,
      startedAt: new Date().toISOString(),
      owner: {
        kind: 'workflow',
        runId: String(run),
        runAttempt: '1',
        runUrl: `https://github.example/acme/web/actions/runs/${run}`,
      },
      recovery: [],
    },
    retired: [],
    history: [],
  };
  const { id } = await rest(fake, 'POST', '/deployments', {
    ref: HEAD,
    environment: 'production',
    task: 'deploy',
    payload: { type: 'standard' },
    required_contexts: [],
    auto_merge: false,
  });
  await rest(fake, 'POST', '/check-runs', {
    name: 'deploy / production',
    head_sha: HEAD,
    status: 'in_progress',
    external_id: `deploy-action:${run}:deploy / production:deployment-${id}`,
    output: {
      title: 'deploy',
      summary: 'deploying',
      text: signRecord(record, stateKey(testMarkerKeys().current, 'acme/web', 'production'), {
        repository: 'acme/web',
        environment: 'production',
        deploymentId: String(id),
      }),
    },
  });
}

test('a run whose rollout the state record still holds is left to reconcile: its deployment keeps its lock', async () => {
  await withSeededApp(seed, async (fake, probot) => {
    const own = await deployed(fake, probot);
    const run = await approvedRun(fake, probot, own);
    await rollingOut(fake, run);
    fake.setFile(
      '.github/workflows/deploy-reconcile.yml',
      'name: reconcile\non:\n  workflow_dispatch:\n    inputs:\n      environment: { required: true, type: string }\njobs: {}\n',
    );
    await completes(fake, probot, run, { conclusion: 'failure' });
    assert.equal(fake.repo().workflowDispatches.length, 1, 'reconcile started for it');
    assert.deepEqual(appErrors(fake, own), [], 'not ended: reconcile finishes the rollout and ends it');
    assert.equal(lockOf(fake), HEAD);
  });
});

test('a run cancelled while its gate waited (posted before the App named a waiting run), approved after its completion came, is ended at once', async () => {
  await withSeededApp(seed, async (fake, probot) => {
    const own = await deployed(fake, probot);
    fake.setFile('.github/deploy.yml', WITH_APPROVAL);
    const run = fake.addWorkflowRun({ headSha: HEAD, actor: BOT_LOGIN, event: 'deployment' });
    const asked = await askProtectionRule(fake, probot, ruleAsk(run.id, own));
    assert.equal(asked.state, undefined, 'its gate waits for dave');
    // A gate the App posted before it named a run whose gate waits (now its `pending` status does: see
    // run-not-approved.test.ts): the deployment shows nothing of the App's.
    const statuses = fake.repo().deploymentStatuses.get(own.id as number) ?? [];
    statuses.splice(0, statuses.length, ...statuses.filter((s) => s.state !== 'pending'));
    // Cancelled while it waits: its completion finds nothing of the App's on the deployment yet.
    await completes(fake, probot, run.id);
    assert.deepEqual(appErrors(fake, own), []);

    await repliesTo(fake, probot, '/approve-deploy production', 'dave');
    const [ended] = appErrors(fake, own);
    assert.ok(ended, 'ended when the approval found the run gone');
    assert.match(
      String(ended.description),
      new RegExp(`^workflow run ${run.id} \\(attempt 1\\) ended \\(not_answered\\)`),
    );
    // Claimed under the attempt GitHub showed over, as its completion claims it: the two never both end it.
    const claims = fake
      .requestsFor('git/create-ref')
      .map((r) => String((r.body as Json).ref))
      .filter((ref) => ref.startsWith('refs/deploy-orphan/'));
    assert.deepEqual(claims, [`refs/deploy-orphan/${run.id}-1/${String(own.id)}`]);
    await deliverNewestAppStatus(fake, probot, own);
    assert.equal(lockOf(fake), undefined, 'its final status released production’s lock');
  });
});

test('a run cancelled just before the rule approves it at once is ended under the attempt GitHub shows over, the claim its completion takes', async () => {
  await withSeededApp(seed, async (fake, probot) => {
    const own = await deployed(fake, probot);
    const run = fake.addWorkflowRun({ headSha: HEAD, actor: BOT_LOGIN, event: 'deployment' });
    // Cancelled between GitHub asking and the App answering: the answer is refused.
    fake.updateWorkflowRun(run.id, { status: 'completed', conclusion: 'cancelled' });
    await askProtectionRule(fake, probot, ruleAsk(run.id, own));
    const [ended] = appErrors(fake, own);
    assert.ok(ended, 'ended when the approval found the run over');
    const claims = fake
      .requestsFor('git/create-ref')
      .map((r) => String((r.body as Json).ref))
      .filter((ref) => ref.startsWith('refs/deploy-orphan/'));
    assert.deepEqual(claims, [`refs/deploy-orphan/${run.id}-1/${String(own.id)}`]);
    // Its completion, delivered now, finds it ended: one final status.
    await receive(probot, 'workflow_run', fake.workflowRunWebhook(run.id));
    assert.equal(appErrors(fake, own).length, 1);
  });
});

test('an approval that finds the run no longer waiting because another answer let it through leaves its deployment running and locked', async () => {
  await withSeededApp(seed, async (fake, probot) => {
    const own = await deployed(fake, probot);
    fake.setFile('.github/deploy.yml', WITH_APPROVAL);
    const run = fake.addWorkflowRun({ headSha: HEAD, actor: BOT_LOGIN, event: 'deployment' });
    const asked = await askProtectionRule(fake, probot, ruleAsk(run.id, own));
    assert.equal(asked.state, undefined, 'its gate waits for dave');
    // Another answer (a second approval handled at the same moment) let the run through: it no longer waits on
    // production and runs; GitHub refuses dave's answer.
    fake.repo().waitingGates.get(run.id)?.clear();
    fake.updateWorkflowRun(run.id, { status: 'in_progress' });
    fake.failNext({ status: 422, operationId: 'actions/review-custom-gates-for-run' });

    await repliesTo(fake, probot, '/approve-deploy production', 'dave');
    assert.deepEqual(appErrors(fake, own), [], 'not ended: its run deploys');
    assert.equal(lockOf(fake), HEAD, 'production stays locked for it');

    // Once the run completes with nothing of the Action's on the deployment, its completion ends it.
    await completes(fake, probot, run.id);
    assert.equal(appErrors(fake, own).length, 1);
  });
});

test("two workflows of one deployment event, both approved: the second's end leaves the deployment the first is about to deploy", async () => {
  await withSeededApp(seed, async (fake, probot) => {
    const own = await deployed(fake, probot);
    // The deploying workflow's run is approved; its job waits for a runner (nothing of the Action's yet).
    await approvedRun(fake, probot, own);
    // A second workflow on the same deployment event (a notification job in production) is approved after it,
    // and completes first without the Action.
    const second = await approvedRun(fake, probot, own);
    await completes(fake, probot, second, { conclusion: 'failure' });
    assert.deepEqual(appErrors(fake, own), [], 'not ended: the first run is about to deploy it');
    assert.equal(lockOf(fake), HEAD, 'production stays locked for it');
    // A third approved run's end leaves it too.
    const third = await approvedRun(fake, probot, own);
    await completes(fake, probot, third);
    assert.deepEqual(appErrors(fake, own), []);
  });
});

test('a run approved after the Action took the deployment over is not named: its end leaves the rollout under way', async () => {
  await withSeededApp(seed, async (fake, probot) => {
    const own = await deployed(fake, probot);
    await approvedRun(fake, probot, own);
    // The first run's job reached the Action, which writes its own status (the workflow token's).
    await rest(fake, 'POST', `/deployments/${String(own.id)}/statuses`, { state: 'in_progress' });
    const before = statusesOf(fake, own).length;
    const second = await approvedRun(fake, probot, own);
    assert.equal(statusesOf(fake, own).length, before, 'nothing of the App’s written over the Action’s');
    await completes(fake, probot, second);
    assert.deepEqual(appErrors(fake, own), [], 'not ended: the Action deploys it');
    assert.equal(lockOf(fake), HEAD);
  });
});

test("a deployment the Action reported with another app's token (its own github-token) is not marked `error` over its success when the run completes", async () => {
  const otherApps = { 'release-app-token': { id: 4711, slug: 'release-app' } };
  await withSeededApp({ ...seed, fake: { otherApps } }, async (fake, probot) => {
    const own = await deployed(fake, probot);
    const run = await approvedRun(fake, probot, own);
    // The Action runs with a GitHub App token of the repository's own (`github-token`): its statuses are that
    // app's, which the App does not take as its runner's (the lock stays until --force, as documented).
    const statuses = `/deployments/${String(own.id)}/statuses`;
    await rest(fake, 'POST', statuses, { state: 'in_progress' }, 'release-app-token');
    await rest(fake, 'POST', statuses, { state: 'success' }, 'release-app-token');
    await completes(fake, probot, run, { conclusion: 'success' });
    assert.deepEqual(appErrors(fake, own), [], 'no "nothing deployed" over a deployment that succeeded');
    assert.equal(statusesOf(fake, own).at(-1)?.state, 'success', 'it stays the live deployment');
  });
});

test('a re-run of a deployment that succeeded, cancelled before the Action, leaves it standing as it was: live, not `error`', async () => {
  await withSeededApp(seed, async (fake, probot) => {
    const own = await deployed(fake, probot);
    const run = await approvedRun(fake, probot, own);
    // Attempt 1 deploys: the Action's success releases the lock.
    await rest(fake, 'POST', `/deployments/${String(own.id)}/statuses`, { state: 'success' });
    await receive(probot, 'deployment_status', finalStatus(fake, own, 'success', undefined, 'production'));
    await completes(fake, probot, run, { conclusion: 'success' });
    assert.equal(lockOf(fake), undefined);
    // Re-run: attempt 2 is admitted (its locks taken again, the deployment reopened), then cancelled before its
    // job starts.
    fake.updateWorkflowRun(run, {
      status: 'in_progress',
      conclusion: null,
      runAttempt: 2,
      triggeringActor: 'bob',
    });
    await approvedRun(fake, probot, own, run);
    assert.match(String(statusesOf(fake, own).at(-1)?.description), /^re-run of workflow run/);
    assert.equal(lockOf(fake), HEAD, 'the re-run holds the lock');
    await completes(fake, probot, run, { attempt: 2, conclusion: 'cancelled' });

    const newest = statusesOf(fake, own).at(-1)!;
    assert.equal((newest.creator as { login?: string }).login, BOT_LOGIN, 'the App ended the re-run');
    assert.equal(newest.state, 'success', 'nothing deployed: it stands as it had ended, the live deployment');
    assert.match(String(newest.description), /\(attempt 2\) ended \(cancelled\)/);
    await deliverNewestAppStatus(fake, probot, own);
    assert.equal(lockOf(fake), undefined, 'its locks released');
  });
});

test('two runs approved at the same moment, each named over a read taken before the other wrote: neither end ends the deployment while the other run goes on', async () => {
  await withSeededApp(seed, async (fake, probot) => {
    const own = await deployed(fake, probot);
    const first = await approvedRun(fake, probot, own);
    fake.updateWorkflowRun(first, { status: 'in_progress' });
    // The second workflow's approval read the statuses before the first's naming landed, and named its run
    // right after it: what two approvals handled at the same moment leave (GitHub writes no status conditionally).
    const second = fake.addWorkflowRun({ headSha: HEAD, actor: BOT_LOGIN, event: 'deployment' }).id;
    const list = statusesOf(fake, own);
    const named = list.at(-1)!;
    list.push({ ...named, id: 9_000_001, description: `workflow run ${second} approved: deploying` });

    await completes(fake, probot, second, { conclusion: 'failure' });
    assert.deepEqual(appErrors(fake, own), [], 'not ended: the first run goes on');
    assert.equal(lockOf(fake), HEAD);

    // The first one ends without the Action too: now nothing deploys it, and its completion ends it.
    await completes(fake, probot, first);
    assert.equal(appErrors(fake, own).length, 1);
    assert.match(String(appErrors(fake, own)[0]!.description), new RegExp(`^workflow run ${first} `));
  });
});

test('a rejected run named at the same moment as another run is approved, over its approval: the rejected run’s end leaves the deployment the other is about to deploy', async () => {
  await withSeededApp(seed, async (fake, probot) => {
    const own = await deployed(fake, probot);
    const first = await approvedRun(fake, probot, own);
    fake.updateWorkflowRun(first, { status: 'in_progress' });
    // A second workflow's run was rejected: its naming read the statuses before the first's approval landed,
    // and landed right after it (GitHub writes no status conditionally).
    const second = fake.addWorkflowRun({ headSha: HEAD, actor: BOT_LOGIN, event: 'deployment' }).id;
    const list = statusesOf(fake, own);
    const named = list.at(-1)!;
    list.push({
      ...named,
      id: 9_000_002,
      state: 'pending',
      description: `workflow run ${second} not let through (rejected): nothing deploys`,
    });

    await completes(fake, probot, second, { conclusion: 'failure' });
    assert.deepEqual(appErrors(fake, own), [], 'not ended: the first run is about to deploy it');
    assert.equal(lockOf(fake), HEAD, 'production stays locked for it');

    // The first one is cancelled before its job: nothing deploys, and its completion ends the deployment.
    await completes(fake, probot, first, { conclusion: 'cancelled' });
    assert.equal(appErrors(fake, own).length, 1);
    assert.match(String(appErrors(fake, own)[0]!.description), new RegExp(`^workflow run ${first} `));
    await deliverNewestAppStatus(fake, probot, own);
    assert.equal(lockOf(fake), undefined, 'its final status freed production');
  });
});
