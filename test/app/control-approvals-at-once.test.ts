// `approval: 2` on a handed-off rollout, its two approvers' /promote handled at the same moment (two
// replicas, or one replica's two deliveries at once): each reads the requests before the other's is written,
// so each alone counts one approval of two. Both are recorded and the wait is over; its reconcile run must
// start, once, without anyone having to /promote again.
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

test('approval: 2 handed off: two approvers’ /promote at the same moment start its reconcile run once', async () => {
  const fake = await seededFake({});
  try {
    const r = fake.repo();
    fake.setFile('.github/deploy.yml', CONFIG);
    fake.setFile(`.github/workflows/${RECONCILE_FILE}`, RECONCILE_WORKFLOW);
    for (const login of ['alice', 'carol', 'dave']) r.collaborators.set(login, 'write');
    r.pulls.get(PR)!.user = 'bob';
    r.commits.get(HEAD)!.author = 'bob';
    for (const change of r.activities) change.actor = 'bob';
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
        wait: { kind: 'approval', approvals: 2, step: 2, since: '2025-03-04T10:20:00.000Z', handedOff: true },
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
    const promote = (user: string) => {
      const comment = commentOnPull(fake, '/promote production', { user });
      return probot.receive({
        id: crypto.randomUUID(),
        name: 'issue_comment',
        payload: comment.payload,
      } as Receive);
    };
    await Promise.all([promote('carol'), promote('dave')]);
    const requests = [...r.checkRuns.values()].filter(
      (c) => c.name === 'rollout / production' && !String(c.external_id).startsWith('wait:'),
    );
    assert.equal(requests.length, 2, 'both approvals recorded');
    assert.equal(r.workflowDispatches.length, 1, 'the wait is over: its reconcile run started, once');
    const replies = [...r.comments.values()]
      .map((c) => String(c.body))
      .filter((b) => b.startsWith('**/promote**'));
    assert.equal(replies.length, 2);
    assert.ok(
      replies.some((b) => /\(a new run was started\)/.test(b)),
      `one reply says the run started: ${replies.join('\n')}`,
    );
    fake.assertNoViolations();
  } finally {
    await fake.stop();
  }
});
