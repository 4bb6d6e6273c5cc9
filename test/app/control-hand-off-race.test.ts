// A /promote (or /abort) handled while the job still polls, and the job's hand-off written after its last poll:
// the App found the rollout not handed off (the job would read the request) and started nothing, and the job
// ended without reading it. When that run completes, the App reads the requests of the rollout it handed off
// and starts the reconcile run the request needs, once, under the claim a /promote of a handed-off rollout
// takes (so the two never start two).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Probot } from 'probot';
import { fakeSha } from '../fake-github/index.ts';
import type { FakeGitHub } from '../fake-github/index.ts';
import {
  HEAD,
  PR,
  commentOnPull,
  owner,
  repo,
  rest,
  restWith,
  seededFake,
  testApp,
  testMarkerKeys,
  testProbot,
} from './helpers.ts';
import type { EnvironmentRecord, Rollout } from '../../src/state/record.ts';
import { signRecord } from '../../src/state/signed-record.ts';
import { stateKey } from '../../src/state/state-key.ts';

type Receive = Parameters<Probot['receive']>[0];

const NOW = new Date('2025-03-04T10:30:00Z');
const RUN_ID = 700;
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

interface World {
  fake: FakeGitHub;
  probot: Probot;
  /** Writes the rollout's record (the job's check run, updated in place as the Action does). */
  write(rollout: Partial<Rollout>, seq: number): Promise<void>;
  command(body: string, user?: string): Promise<void>;
  /** The run that owns the rollout completes (a delivery of workflow_run.completed). */
  complete(delivery?: string): Promise<void>;
}

async function world(body: (w: World) => Promise<void>): Promise<void> {
  const fake = await seededFake({});
  try {
    const r = fake.repo();
    fake.setFile('.github/deploy.yml', CONFIG);
    fake.setFile(`.github/workflows/${RECONCILE_FILE}`, RECONCILE_WORKFLOW);
    r.collaborators.set('alice', 'write');
    r.pulls.get(PR)!.user = 'bob';
    const { id } = await rest(fake, 'POST', '/deployments', {
      ref: HEAD,
      environment: 'production',
      task: 'deploy',
      payload: { type: 'standard', pr: PR, requested_by: 'alice' },
      required_contexts: [],
      auto_merge: false,
    });
    const deploymentId = String(id);
    const place = { repository: REPOSITORY, environment: 'production', deploymentId };
    const record = (rollout: Partial<Rollout>, seq: number): EnvironmentRecord => ({
      schema: 1,
      repository: REPOSITORY,
      environment: 'production',
      seq,
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
        owner: { kind: 'workflow', runId: String(RUN_ID), runAttempt: '1' },
        recovery: [],
        wait: { kind: 'manual', step: 2, since: '2025-03-04T10:20:00.000Z', handedOff: false },
        ...rollout,
      },
    });
    const key = stateKey(testMarkerKeys().current, REPOSITORY, 'production');
    let checkRun: number | undefined;
    const write = async (rollout: Partial<Rollout>, seq: number) => {
      const output = {
        title: 'deploy',
        summary: 'deploying',
        text: signRecord(record(rollout, seq), key, place),
      };
      if (checkRun === undefined)
        ({ id: checkRun } = await rest(fake, 'POST', '/check-runs', {
          name: 'deploy / production',
          head_sha: HEAD,
          status: 'in_progress',
          external_id: `deploy-action:${RUN_ID}:deploy / production:deployment-${deploymentId}`,
          output,
        }));
      else {
        const res = await restWith(fake, 'workflow-token', 'PATCH', `/check-runs/${checkRun}`, { output });
        assert.equal(res.status, 200);
      }
    };
    const probot = testProbot(fake);
    await probot.load(testApp({ now: () => NOW }));
    fake.addWorkflowRun({ id: RUN_ID, headSha: HEAD });
    await body({
      fake,
      probot,
      write,
      command: async (text, user = 'alice') => {
        const comment = commentOnPull(fake, text, { user });
        await probot.receive({
          id: crypto.randomUUID(),
          name: 'issue_comment',
          payload: comment.payload,
        } as Receive);
      },
      complete: async (delivery = crypto.randomUUID()) => {
        fake.updateWorkflowRun(RUN_ID, { status: 'completed', conclusion: 'success' });
        await probot.receive({
          id: delivery,
          name: 'workflow_run',
          payload: fake.workflowRunWebhook(RUN_ID),
        } as Receive);
      },
    });
    fake.assertNoViolations();
  } finally {
    await fake.stop();
  }
}

const dispatched = (fake: FakeGitHub) =>
  fake.repo().workflowDispatches.map((d) => ({ workflowId: d.workflowId, inputs: d.inputs }));
const RECONCILE = { workflowId: RECONCILE_FILE, inputs: { environment: 'production' } };
const HANDED_OFF = {
  wait: { kind: 'manual', step: 2, since: '2025-03-04T10:20:00.000Z', handedOff: true },
} as const;

for (const verb of ['promote', 'abort'] as const)
  test(`a /${verb} the job never read before its hand-off starts the reconcile run when its run completes, once`, async () => {
    await world(async (w) => {
      await w.write({}, 3);
      await w.command(`/${verb} production`);
      assert.deepEqual(dispatched(w.fake), [], 'the job still polls: the App starts nothing');
      // The job's last poll came before that request; it hands the rollout off and its run ends.
      await w.write(HANDED_OFF, 4);
      await w.complete('delivery-1');
      assert.deepEqual(dispatched(w.fake), [RECONCILE], 'the request goes on in a reconcile run');
      await w.complete('delivery-1');
      await w.complete('delivery-2');
      assert.equal(
        w.fake.requestsFor('actions/create-workflow-dispatch').length,
        1,
        'one run, whatever the deliveries',
      );
    });
  });

test('a hand-off with no request since, or one the job read (an earlier step), starts nothing', async () => {
  await world(async (w) => {
    await w.write(
      {
        step: 1,
        weight: 10,
        wait: { kind: 'manual', step: 1, since: '2025-03-04T10:12:00.000Z', handedOff: false },
      },
      2,
    );
    await w.command('/promote production');
    // The job read that /promote, went on to step 2 and handed off its wait there.
    await w.write(HANDED_OFF, 4);
    await w.complete();
    assert.deepEqual(dispatched(w.fake), [], 'step 2 waits for a /promote of its own');
  });
});

test('a /promote of the handed-off rollout and its run completing start one reconcile run between them', async () => {
  await world(async (w) => {
    await w.write(HANDED_OFF, 4);
    await w.command('/promote production');
    assert.deepEqual(dispatched(w.fake), [RECONCILE], 'the /promote starts it');
    await w.complete();
    assert.deepEqual(dispatched(w.fake), [RECONCILE], 'the completion finds it claimed');
  });
});

test('a run that did not hand the rollout off reads no requests at its completion', async () => {
  await world(async (w) => {
    await w.write(
      { ...HANDED_OFF, owner: { kind: 'workflow', runId: String(RUN_ID + 1), runAttempt: '1' } },
      4,
    );
    await w.command('/promote production');
    assert.deepEqual(dispatched(w.fake), [RECONCILE], 'the /promote of a handed-off rollout starts it');
    const reads = w.fake.requests.length;
    await w.complete();
    assert.deepEqual(dispatched(w.fake), [RECONCILE]);
    const after = w.fake.requests.slice(reads).map((r) => `${r.operationId} ${JSON.stringify(r.query)}`);
    assert.ok(
      !after.some((r) => r.startsWith('checks/list-for-suite') && r.includes('rollout')),
      `no control request read: ${after.join(', ')}`,
    );
  });
});
