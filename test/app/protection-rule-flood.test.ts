// The protection rule reads its waiting gates (`approval / <env>` check runs) through the App's own check
// suites: GitHub's list of a commit's check runs holds only its 1000 newest check suites, and anyone who can run
// workflows adds suites (and check runs of any name). A gate hidden there would wait until it timed out after
// the approval that completes it, and a redelivered protection rule event would post a second gate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Probot } from 'probot';
import { openCheckSuites } from '../fake-github/index.ts';
import type { FakeGitHub } from '../fake-github/index.ts';
import { HEAD, PR, commentOnPull, deployYml, owner, repo, withSeededApp } from './helpers.ts';
import { askProtectionRule, receive, reviewOf } from './delivery-helpers.ts';
import { gateName } from '../../app/handlers/protection-rule.ts';
import { createGitHubClient } from '../../src/github/client.ts';

type Json = Record<string, unknown>;

const ACTIONS = { id: 15368, slug: 'github-actions' };

const CONFIG = deployYml(`
  production:
    approvals:
      deployers: [alice, bob]
      approvers: [dave]
      required: 1
`);

const run = (body: (fake: FakeGitHub, probot: Probot) => Promise<void>): Promise<void> =>
  withSeededApp(
    {
      fake: { otherApps: { 'actions-token': ACTIONS } },
      config: CONFIG,
      collaborators: { alice: 'write', bob: 'write', dave: 'write' },
    },
    body,
  );

/** alice's workflow run `id` asks the protection rule about production: it waits for dave's approval. */
async function waitingGate(fake: FakeGitHub, probot: Probot, id: number): Promise<void> {
  fake.addWorkflowRun({ id, headSha: HEAD, actor: 'alice', event: 'pull_request' });
  const { state } = await askProtectionRule(fake, probot, { run: id, pullRequests: [PR] });
  assert.equal(state, undefined, 'waiting for an approval');
}

const gates = (fake: FakeGitHub): Json[] =>
  [...fake.repo().checkRuns.values()].filter(
    (r) => r.name === gateName('production') && (r.app as Json).id === fake.state.appId,
  );

const approve = (fake: FakeGitHub, probot: Probot) =>
  receive(
    probot,
    'issue_comment',
    commentOnPull(fake, '/approve-deploy production', { user: 'dave' }).payload,
  );

test('protection rule: a waiting gate behind 1001 newer check suites of another app is answered by the approval', async () => {
  await run(async (fake, probot) => {
    await waitingGate(fake, probot, 501);
    // A flood of workflow runs on the commit: the gate's suite is no longer among the 1000 newest.
    openCheckSuites(fake.state, fake.repo(), HEAD, 1001, ACTIONS);
    await approve(fake, probot);
    assert.equal(reviewOf(fake, 501)?.state, 'approved');
    assert.equal(gates(fake)[0]?.conclusion, 'success');
  });
});

test('protection rule: a waiting gate behind 100 newer check runs of its name from a workflow is answered', async () => {
  await run(async (fake, probot) => {
    await waitingGate(fake, probot, 502);
    // A workflow's token names 100 check runs after the gate: they fill the first page of the commit's list.
    const { octokit } = createGitHubClient({ token: 'actions-token', baseUrl: fake.url, writeIntervalMs: 0 });
    for (let i = 0; i < 100; i++)
      await octokit.rest.checks.create({
        owner,
        repo,
        name: gateName('production'),
        head_sha: HEAD,
        status: 'completed',
        conclusion: 'action_required',
        external_id: `decoy-${i}`,
      });
    await approve(fake, probot);
    assert.equal(reviewOf(fake, 502)?.state, 'approved');
    assert.equal(gates(fake)[0]?.conclusion, 'success');
  });
});

test('protection rule: a redelivered request finds its gate behind 1001 newer check suites: one gate, one comment', async () => {
  await run(async (fake, probot) => {
    await waitingGate(fake, probot, 503);
    const notices = () =>
      [...fake.repo().comments.values()].filter((c) => /waiting for approval/.test(String(c.body))).length;
    assert.equal(notices(), 1);
    openCheckSuites(fake.state, fake.repo(), HEAD, 1001, ACTIONS);
    const again = await askProtectionRule(fake, probot, { run: 503, pullRequests: [PR] });
    assert.equal(again.state, undefined, 'still waiting');
    assert.equal(gates(fake).length, 1, 'no second gate');
    assert.equal(notices(), 1, 'no second waiting comment');
  });
});
