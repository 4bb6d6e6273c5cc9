// A gate whose workflow run has ended (cancelled, or timed out after GitHub's 30 days) can no longer be
// answered: GitHub refuses the answer. An approval then closes that gate's check run, saying the run no longer
// waits, and still answers every other gate waiting at the commit (they were left waiting before: the refusal
// stopped the round at the ended run's gate).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fakeSha } from '../fake-github/index.ts';
import { PR, deployYml, sayOnPull, withSeededApp } from './helpers.ts';
import { askProtectionRule, reviewOf } from './delivery-helpers.ts';

const HEAD = fakeSha('gate-run-ended-head');
const seed: Parameters<typeof withSeededApp>[0] = {
  config: deployYml(`
  production:
    approvals:
      approvers: [carol]
      required: 1
`),
  collaborators: { alice: 'write', carol: 'write' },
  pulls: [{ number: PR, head: HEAD, user: 'bob' }],
  app: { now: () => new Date('2025-03-04T10:30:00Z') },
};

test('an approval closes the gate of a run that ended and answers the gates still waiting', async () => {
  await withSeededApp(seed, async (fake, probot) => {
    const ended = fake.addWorkflowRun({ actor: 'alice', headSha: HEAD, event: 'pull_request' });
    const live = fake.addWorkflowRun({ actor: 'alice', headSha: HEAD, event: 'pull_request' });
    for (const run of [ended, live])
      assert.equal(
        (await askProtectionRule(fake, probot, { run: run.id, sha: HEAD, pullRequests: [PR] })).state,
        undefined,
      );
    fake.updateWorkflowRun(ended.id, { status: 'completed', conclusion: 'cancelled' });
    assert.match(
      await sayOnPull(fake, probot, '/approve-deploy production', 'carol'),
      /Approval by @carol recorded/,
    );
    assert.equal(reviewOf(fake, live.id)?.state, 'approved', 'the waiting run is answered');
    assert.equal(reviewOf(fake, ended.id), undefined);
    const gates = [...fake.repo().checkRuns.values()].filter((r) => r.name === 'approval / production');
    const gateOf = (run: number) => gates.find((g) => JSON.parse(String(g.external_id)).run === run)!;
    assert.equal(gateOf(live.id).conclusion, 'success');
    assert.equal(
      gateOf(ended.id).conclusion,
      'cancelled',
      'no Approve button left on a run that cannot deploy',
    );
    assert.match(String((gateOf(ended.id).output as { title?: string }).title), /no longer waits/);
  });
});

// GitHub documents only the 204 of answering a protection rule, not what it answers for a run that no longer
// waits: the App asks GitHub whether the run still waits (its pending deployments) instead of trusting a status.
const gateAt = (fake: Parameters<Parameters<typeof withSeededApp>[1]>[0], run: number) =>
  [...fake.repo().checkRuns.values()].find(
    (r) => r.name === 'approval / production' && JSON.parse(String(r.external_id)).run === run,
  )!;

test('a refused answer for a run that still waits leaves its gate waiting instead of closing it', async () => {
  await withSeededApp(seed, async (fake, probot) => {
    const live = fake.addWorkflowRun({ actor: 'alice', headSha: HEAD, event: 'pull_request' });
    await askProtectionRule(fake, probot, { run: live.id, sha: HEAD, pullRequests: [PR] });
    // A refusal for another reason than the run having ended (GitHub's 422 is not documented to mean that).
    fake.failNext({
      status: 422,
      operationId: 'actions/review-custom-gates-for-run',
      message: 'Validation Failed',
    });
    await sayOnPull(fake, probot, '/approve-deploy production', 'carol').catch(() => '');
    assert.equal(reviewOf(fake, live.id), undefined);
    const gate = gateAt(fake, live.id);
    assert.notEqual(gate.conclusion, 'cancelled', 'the run still waits: its gate is not closed as ended');
    assert.doesNotMatch(String((gate.output as { title?: string }).title), /no longer waits/);
    // The next approval round answers it.
    assert.match(await sayOnPull(fake, probot, '/approve-deploy production', 'carol'), /recorded|already/i);
    assert.equal(reviewOf(fake, live.id)?.state, 'approved');
  });
});

test('the gate of a run that ended is closed whatever status GitHub refuses the answer with', async () => {
  await withSeededApp(seed, async (fake, probot) => {
    const ended = fake.addWorkflowRun({ actor: 'alice', headSha: HEAD, event: 'pull_request' });
    await askProtectionRule(fake, probot, { run: ended.id, sha: HEAD, pullRequests: [PR] });
    fake.updateWorkflowRun(ended.id, { status: 'completed', conclusion: 'cancelled' });
    fake.failNext({ status: 409, operationId: 'actions/review-custom-gates-for-run', message: 'Conflict' });
    assert.match(
      await sayOnPull(fake, probot, '/approve-deploy production', 'carol'),
      /Approval by @carol recorded/,
    );
    const gate = gateAt(fake, ended.id);
    assert.equal(gate.conclusion, 'cancelled');
    assert.match(String((gate.output as { title?: string }).title), /no longer waits/);
  });
});
