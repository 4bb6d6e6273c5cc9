// A first run of an App deployment that the App's rule does not approve: rejected (at once, or later on its
// waiting gate by a veto), or cancelled while its gate waits for approvals. The App names the run on its
// deployment (a `pending` status of its own) before it rejects it and when its gate starts waiting, so the run's
// completion ends the deployment (`error`, naming the run) and that status frees the environment's lock for the
// next /deploy. Left alone: a deployment another run of the same deployment event deploys, and the deployment
// holding the lock that rejected a run (`locked`). A redelivery writes nothing twice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Probot } from 'probot';
import { fakeSha } from '../fake-github/index.ts';
import type { FakeGitHub } from '../fake-github/index.ts';
import { BOT_LOGIN, HEAD, capturedLog, repliesTo, withSeededApp } from './helpers.ts';
import { askProtectionRule, protectionRulePayload, receive, reviewOf } from './delivery-helpers.ts';

import {
  appDeployments,
  appErrors,
  appPending,
  completes,
  CONFIG,
  deliverNewestAppStatus,
  deployedByAlice,
  lockOf,
  OTHER_PR,
  runSeed,
  statusesOf,
  WITH_APPROVAL,
} from './run-helpers.ts';

type Json = Record<string, unknown>;

const OTHER_HEAD = fakeSha('run-not-approved-pr-8-head');
const seed = runSeed(OTHER_HEAD);

/** alice's /deploy production: the App's deployment, holding production's lock; then dave's approval is required. */
async function deployed(fake: FakeGitHub, probot: Probot): Promise<Json> {
  const own = await deployedByAlice(fake, probot);
  fake.setFile('.github/deploy.yml', WITH_APPROVAL);
  return own;
}

/** A run the App's deployment event started for `deployment`, asking the rule (as delivery `delivery`). */
async function asks(
  fake: FakeGitHub,
  probot: Probot,
  deployment: Json,
  o: { run?: number; delivery?: string } = {},
): Promise<{ run: number; state: string | undefined }> {
  const run = o.run ?? fake.addWorkflowRun({ headSha: HEAD, actor: BOT_LOGIN, event: 'deployment' }).id;
  const payload = {
    run,
    event: 'deployment',
    sha: HEAD,
    environment: 'production',
    creator: { login: BOT_LOGIN, type: 'Bot' },
    deploymentId: deployment.id as number,
    payload: deployment.payload as Json,
  };
  if (o.delivery === undefined) return { run, state: (await askProtectionRule(fake, probot, payload)).state };
  await receive(probot, 'deployment_protection_rule', protectionRulePayload(fake, payload), o.delivery);
  return { run, state: reviewOf(fake, run)?.state };
}

/** `own` was ended for run `run`; its final status frees production, and bob's /deploy goes through. */
async function freed(fake: FakeGitHub, probot: Probot, own: Json, run: number, how: RegExp): Promise<void> {
  const [ended] = appErrors(fake, own);
  assert.ok(ended, 'the App ended the deployment');
  assert.equal(appErrors(fake, own).length, 1, 'once');
  assert.match(String(ended.description), new RegExp(`^workflow run ${run} .*${how.source}`));
  await deliverNewestAppStatus(fake, probot, own);
  assert.equal(lockOf(fake), undefined, 'its final status released production’s lock');
  fake.setFile('.github/deploy.yml', CONFIG);
  await repliesTo(fake, probot, '/deploy production', 'bob', OTHER_PR);
  assert.equal(appDeployments(fake).length, 2, "bob's deployment goes through");
  assert.equal(lockOf(fake), OTHER_HEAD);
}

test('a first run the rule rejects at once (a veto) is named on its deployment; its completion frees production for the next /deploy', async () => {
  await withSeededApp(seed, async (fake, probot) => {
    const own = await deployed(fake, probot);
    await repliesTo(fake, probot, '/reject-deploy production not this one', 'dave');
    const { run, state } = await asks(fake, probot, own);
    assert.equal(state, 'rejected');
    const [named] = appPending(fake, own);
    assert.match(
      String(named?.description),
      new RegExp(`^workflow run ${run} .*not let through \\(rejected\\)`),
    );
    assert.deepEqual(appErrors(fake, own), [], 'not ended at the rejection itself');

    await completes(fake, probot, run, { conclusion: 'failure' });
    await completes(fake, probot, run, { conclusion: 'failure', delivery: 'redelivered' });
    await freed(fake, probot, own, run, /ended \(failure\)/);
  });
});

test('a first run rejected on its waiting gate by /reject-deploy frees production at its completion', async () => {
  await withSeededApp(seed, async (fake, probot) => {
    const own = await deployed(fake, probot);
    const { run, state } = await asks(fake, probot, own);
    assert.equal(state, undefined, 'its gate waits for dave');
    assert.match(String(appPending(fake, own)[0]?.description), /waiting for approvals/);

    await repliesTo(fake, probot, '/reject-deploy production not this one', 'dave');
    assert.equal(reviewOf(fake, run)?.state, 'rejected');
    assert.match(String(statusesOf(fake, own).at(-1)?.description), /not let through \(rejected\)/);

    await completes(fake, probot, run, { conclusion: 'failure' });
    await freed(fake, probot, own, run, /ended \(failure\)/);
  });
});

test('a first run cancelled while its gate waits frees production at its completion; a later approval deploys nothing and keeps nothing', async () => {
  await withSeededApp(seed, async (fake, probot) => {
    const own = await deployed(fake, probot);
    const { run, state } = await asks(fake, probot, own);
    assert.equal(state, undefined, 'its gate waits for dave');
    await completes(fake, probot, run, { conclusion: 'cancelled' });
    const [ended] = appErrors(fake, own);
    assert.ok(ended, 'ended at the completion');
    assert.match(String(ended.description), /ended \(cancelled\) without the deployment finishing/);
    await deliverNewestAppStatus(fake, probot, own);
    assert.equal(lockOf(fake), undefined);

    // dave approves the gate of the run that is over: nothing deploys, and production stays free.
    await repliesTo(fake, probot, '/approve-deploy production', 'dave');
    assert.equal(reviewOf(fake, run), undefined, 'the run is not answered');
    assert.equal(lockOf(fake), undefined, 'no lock taken back for it');
    fake.setFile('.github/deploy.yml', CONFIG);
    await repliesTo(fake, probot, '/deploy production', 'bob', OTHER_PR);
    assert.equal(appDeployments(fake).length, 2, "bob's deployment goes through");
  });
});

test("a run rejected `locked` by another deployment's lock leaves that deployment and its lock alone", async () => {
  await withSeededApp(seed, async (fake, probot) => {
    const own = await deployed(fake, probot);
    const before = statusesOf(fake, own).length;
    // A run the App's bot started for another commit, for a deployment GitHub made for its job: alice's
    // deployment holds production's lock, so it is rejected `locked`.
    const other = fake.addWorkflowRun({ headSha: OTHER_HEAD, actor: BOT_LOGIN, event: 'deployment' });
    const asked = await askProtectionRule(fake, probot, {
      run: other.id,
      event: 'deployment',
      sha: OTHER_HEAD,
      environment: 'production',
    });
    assert.equal(asked.state, 'rejected');
    assert.match(asked.comment, /locked/);
    await completes(fake, probot, other.id, { conclusion: 'failure' });
    assert.equal(statusesOf(fake, own).length, before, "nothing written on alice's deployment");
    assert.equal(lockOf(fake), HEAD, 'production stays locked for it');

    // alice's own run, rejected (dave's veto), ends it at its completion: that run is the one named.
    await repliesTo(fake, probot, '/reject-deploy production not this one', 'dave');
    const { run } = await asks(fake, probot, own);
    await completes(fake, probot, run, { conclusion: 'failure' });
    await freed(fake, probot, own, run, /ended \(failure\)/);
  });
});

test('two runs of one deployment event: the one rejected while the other deploys names nothing, and its end leaves the deployment to the other', async () => {
  await withSeededApp(seed, async (fake, probot) => {
    const own = await deployed(fake, probot);
    await repliesTo(fake, probot, '/approve-deploy production', 'dave');
    const deploying = await asks(fake, probot, own);
    assert.equal(deploying.state, 'approved');
    const approved = statusesOf(fake, own).at(-1);
    assert.match(
      String(approved?.description),
      new RegExp(`workflow run ${deploying.run} .*approved: deploying`),
    );
    // dave withdraws (a veto) before the second workflow's run asks: it is rejected.
    await repliesTo(fake, probot, '/reject-deploy production not this one', 'dave');
    const second = await asks(fake, probot, own);
    assert.equal(second.state, 'rejected');
    assert.equal(statusesOf(fake, own).at(-1), approved, 'the approved run stays the one named');

    await completes(fake, probot, second.run, { conclusion: 'failure' });
    assert.deepEqual(appErrors(fake, own), [], 'not ended: the approved run deploys it');
    assert.equal(lockOf(fake), HEAD);

    // The approved run ends without the Action: its own completion ends the deployment.
    await completes(fake, probot, deploying.run, { conclusion: 'cancelled' });
    assert.equal(appErrors(fake, own).length, 1);
  });
});

test('a rejection redelivered after its answer failed names the run once', async () => {
  await withSeededApp(seed, async (fake, probot) => {
    const own = await deployed(fake, probot);
    await repliesTo(fake, probot, '/reject-deploy production not this one', 'dave');
    const run = fake.addWorkflowRun({ headSha: HEAD, actor: BOT_LOGIN, event: 'deployment' }).id;
    fake.failNext({ status: 500, operationId: 'actions/review-custom-gates-for-run' });
    await assert.rejects(asks(fake, probot, own, { run, delivery: 'first' }));
    assert.equal(appPending(fake, own).length, 1, 'named before the answer');
    const again = await asks(fake, probot, own, { run, delivery: 'first' });
    assert.equal(again.state, 'rejected');
    await asks(fake, probot, own, { run, delivery: 'second' });
    assert.equal(appPending(fake, own).length, 1, 'named once');

    await completes(fake, probot, run, { conclusion: 'failure' });
    await completes(fake, probot, run, { conclusion: 'failure', delivery: 'again' });
    assert.equal(appErrors(fake, own).length, 1, 'ended once');
  });
});

test('a rejection whose name GitHub does not take is answered all the same: the run is not left waiting', async () => {
  const { log, text } = capturedLog('warn');
  await withSeededApp({ ...seed, log }, async (fake, probot) => {
    const own = await deployed(fake, probot);
    await repliesTo(fake, probot, '/reject-deploy production not this one', 'dave');
    const run = fake.addWorkflowRun({ headSha: HEAD, actor: BOT_LOGIN, event: 'deployment' }).id;
    fake.failNext({ status: 502, operationId: 'repos/create-deployment-status', times: 5 });
    const answered = await asks(fake, probot, own, { run });
    assert.equal(answered.state, 'rejected', 'rejected although its name was not written');
    assert.equal(appPending(fake, own).length, 0);
    assert.match(text(), /a rejected run could not be named on its deployment/, 'said in the log');
    assert.match(text(), new RegExp(`"deployment":${String(own.id)}`));
  });
});

test('a waiting gate redelivered after posting it failed names the run once', async () => {
  await withSeededApp(seed, async (fake, probot) => {
    const own = await deployed(fake, probot);
    const run = fake.addWorkflowRun({ headSha: HEAD, actor: BOT_LOGIN, event: 'deployment' }).id;
    fake.failNext({ status: 500, operationId: 'checks/create' });
    await assert.rejects(asks(fake, probot, own, { run, delivery: 'first' }));
    await asks(fake, probot, own, { run, delivery: 'first' });
    await asks(fake, probot, own, { run, delivery: 'second' });
    assert.equal(appPending(fake, own).length, 1, 'named once');
    assert.match(String(appPending(fake, own)[0]!.description), /waiting for approvals/);
  });
});

test('a veto of a gate posted before waiting runs were named, whose run is already over, ends its deployment at once', async () => {
  await withSeededApp(seed, async (fake, probot) => {
    const own = await deployed(fake, probot);
    const { run, state } = await asks(fake, probot, own);
    assert.equal(state, undefined, 'its gate waits for dave');
    // A gate the App posted before it named a waiting run: the deployment shows nothing of the App's.
    const statuses = fake.repo().deploymentStatuses.get(own.id as number) ?? [];
    statuses.splice(0, statuses.length, ...statuses.filter((s) => s.state !== 'pending'));
    await completes(fake, probot, run, { conclusion: 'cancelled' });
    assert.deepEqual(appErrors(fake, own), [], 'its completion found nothing to end');

    // dave's veto names the run, finds it no longer waiting and over: ended at once.
    await repliesTo(fake, probot, '/reject-deploy production not this one', 'dave');
    assert.equal(reviewOf(fake, run), undefined, 'GitHub no longer takes an answer');
    await freed(fake, probot, own, run, /ended \(not_answered\)/);
  });
});
