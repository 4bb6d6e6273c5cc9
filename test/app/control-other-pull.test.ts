// The self-approval rule at an `approval: N` step, asked from ANOTHER pull request whose head is the rollout's
// commit (a backport, a second branch at the same commit): the rollout's own pull request's author (named by
// its deployment) does not approve it there either. The rule is about the rollout, not the thread the
// comment is in: on the other pull request its author is someone else, and the rollout's author, who wrote
// no commit of it, was counted as an approver of their own rollout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Probot } from 'probot';
import { fakeSha } from '../fake-github/index.ts';
import {
  HEAD,
  PR,
  commentOnPull,
  owner,
  repo,
  rest,
  seededFake,
  testApp,
  testMarkerKeys,
  testProbot,
} from './helpers.ts';
import type { EnvironmentRecord } from '../../src/state/record.ts';
import { signRecord } from '../../src/state/signed-record.ts';
import { stateKey } from '../../src/state/state-key.ts';

type Receive = Parameters<Probot['receive']>[0];

const NOW = new Date('2025-03-04T10:30:00Z');
const RECONCILE_FILE = 'reconcile-now.yml';
// alice deploys; carol and dave approve, one approval lets the rollout go on.
const CONFIG = `
target:
  commands:
    deploy: ./deploy.sh
reconcile:
  workflow: ${RECONCILE_FILE}
environments:
  production:
    approvals:
      deployers: [alice]
      approvers: [carol, dave]
      required: 0
`;
const RECONCILE_WORKFLOW = `name: reconcile
on:
  workflow_dispatch:
    inputs:
      environment: { required: true, type: string }
jobs: {}
`;
const REPOSITORY = `${owner}/${repo}`;
const OTHER_PR = PR + 1;

test("approval: the rollout's pull request author does not approve it with a /promote on another pull request at the same commit", async () => {
  const fake = await seededFake({});
  try {
    const r = fake.repo();
    fake.setFile('.github/deploy.yml', CONFIG);
    fake.setFile(`.github/workflows/${RECONCILE_FILE}`, RECONCILE_WORKFLOW);
    for (const login of ['alice', 'carol', 'dave', 'erin']) r.collaborators.set(login, 'write');
    // The rollout's pull request is dave's; bob wrote and pushed its commit; alice asked for the deployment.
    r.pulls.get(PR)!.user = 'dave';
    r.commits.get(HEAD)!.author = 'bob';
    for (const change of r.activities) change.actor = 'bob';
    // erin's pull request at the same commit (another base: a backport), nothing of dave's in it.
    const mine = r.pulls.get(PR)!;
    r.pulls.set(OTHER_PR, {
      ...mine,
      number: OTHER_PR,
      user: 'erin',
      headRef: mine.headRef,
      baseRef: 'release',
    });
    const { id } = await rest(fake, 'POST', '/deployments', {
      ref: HEAD,
      environment: 'production',
      task: 'deploy',
      payload: { type: 'standard', pr: PR, requested_by: 'alice' },
      required_contexts: [],
      auto_merge: false,
    });
    const deploymentId = String(id);
    const record: EnvironmentRecord = {
      schema: 1,
      repository: REPOSITORY,
      environment: 'production',
      seq: 3,
      updatedAt: NOW.toISOString(),
      live: { version: 'v2.0.0', sha: fakeSha('release-2'), since: '2025-03-03T09:00:00.000Z' },
      retired: [],
      history: [],
      rollout: {
        deploymentId,
        version: 'v3.0.0',
        sha: HEAD,
        strategy: 'canary',
        phase: 'production',
        step: 2,
        steps: 5,
        weight: 25,
        startedAt: '2025-03-04T10:10:00.000Z',
        owner: { kind: 'workflow', runId: '700', runAttempt: '1' },
        recovery: [],
        wait: { kind: 'approval', approvals: 1, step: 2, since: '2025-03-04T10:20:00.000Z', handedOff: true },
      },
    };
    const place = { repository: REPOSITORY, environment: 'production', deploymentId };
    await rest(fake, 'POST', '/check-runs', {
      name: 'deploy / production',
      head_sha: HEAD,
      status: 'in_progress',
      external_id: `deploy-action:700:deploy / production:deployment-${deploymentId}`,
      output: {
        title: 'deploy',
        summary: 'deploying',
        text: signRecord(record, stateKey(testMarkerKeys().current, REPOSITORY, 'production'), place),
      },
    });
    const probot = testProbot(fake);
    await probot.load(testApp({ now: () => NOW }));
    const say = async (body: string, user: string, number: number): Promise<string> => {
      const comment = commentOnPull(fake, body, { user, number });
      await probot.receive({
        id: crypto.randomUUID(),
        name: 'issue_comment',
        payload: comment.payload,
      } as Receive);
      return String([...r.comments.values()].at(-1)?.body ?? '');
    };
    const requests = () =>
      [...r.checkRuns.values()].filter(
        (c) => c.name === 'rollout / production' && !String(c.external_id).startsWith('wait:'),
      ).length;
    // On the rollout's own pull request: refused, as the rule says.
    assert.match(await say('/promote production', 'dave', PR), /\(`self_approval_refused`\)/);
    // On erin's, at the same commit: the same person, the same rollout.
    const reply = await say('/promote production', 'dave', OTHER_PR);
    assert.match(reply, /\(`self_approval_refused`\)/, reply);
    assert.equal(requests(), 0, 'nothing recorded');
    assert.equal(r.workflowDispatches.length, 0, 'no run started');
    // Another approver's /promote on either lets it go on.
    assert.match(await say('/promote production', 'carol', OTHER_PR), /\*\*\/promote\*\* by @carol recorded/);
    assert.equal(r.workflowDispatches.length, 1);
    fake.assertNoViolations();
  } finally {
    await fake.stop();
  }
});
