// A rollout in progress as the App finds it: the config on the default branch (and the reconcile workflow it
// names), an App-less deployment of HEAD to production, and the deploy job's signed state record on its
// `deploy / production` check run, written and updated in place as the Action does. Shared by the control
// tests that need one rollout and the App's answers to commands and to its run's completion.
import assert from 'node:assert/strict';
import type { Probot } from 'probot';
import { fakeSha } from '../fake-github/index.ts';
import type { FakeGitHub } from '../fake-github/index.ts';
import type { MarkerKeys } from '../../src/github/marker-keys.ts';
import type { ControlChannel } from '../../app/deploy/control.ts';
import type { EnvironmentRecord, Rollout } from '../../src/state/record.ts';
import { signRecord } from '../../src/state/signed-record.ts';
import { stateKey } from '../../src/state/state-key.ts';
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

type Receive = Parameters<Probot['receive']>[0];

export const ROLLOUT_NOW = new Date('2025-03-04T10:30:00Z');
export const RECONCILE_FILE = 'reconcile-now.yml';
export const REPOSITORY = `${owner}/${repo}`;
/** The workflow run whose deploy job owns the rollout. */
export const RUN_ID = 700;

/** alice deploys production; `approvers` approve it; the reconcile workflow when `reconcile`. */
export const controlConfig = (o: { approvers?: string[]; reconcile?: boolean } = {}): string => `
target:
  commands:
    deploy: ./deploy.sh
${o.reconcile === false ? '' : `reconcile:\n  workflow: ${RECONCILE_FILE}\n`}environments:
  production:
    approvals:
      deployers: [alice]
${o.approvers ? `      approvers: [${o.approvers.join(', ')}]\n` : ''}      required: 0
`;

const RECONCILE_WORKFLOW = `name: reconcile
on:
  workflow_dispatch:
    inputs:
      environment: { required: true, type: string }
jobs: {}
`;

export interface RolloutWorld {
  fake: FakeGitHub;
  r: ReturnType<FakeGitHub['repo']>;
  probot: Probot;
  deploymentId: string;
  /**
   * The job writes the environment's record (seq 3 unless given) with the rollout at canary step 2 of 5,
   * `rollout` laid over it, signed under `key` (the environment's state key from the test's marker key).
   */
  write(rollout?: Partial<Rollout>, o?: { seq?: number; key?: Buffer }): Promise<void>;
  /** `body` commented by `user` (alice) on pull request `number` (PR), delivered: the App's newest comment. */
  comment(body: string, user?: string, number?: number): Promise<string>;
  /** The run that owns the rollout completes (workflow_run.completed). */
  complete(delivery?: string): Promise<void>;
  /** The control requests the App wrote (not its wait notices). */
  requests(): number;
}

export async function rolloutWorld(
  o: {
    config: string;
    /** Who has write permission besides nobody. */
    writers: string[];
    /** The deployment's payload (who asked for it); a standard deployment of PR by default. */
    payload?: Record<string, unknown>;
    markerKeys?: MarkerKeys;
    /** Where control requests are read and written (GitHub check runs by default). */
    controlChannel?: ControlChannel;
  },
  body: (w: RolloutWorld) => Promise<void>,
): Promise<void> {
  const fake = await seededFake({});
  try {
    const r = fake.repo();
    fake.setFile('.github/deploy.yml', o.config);
    if (o.config.includes(RECONCILE_FILE))
      fake.setFile(`.github/workflows/${RECONCILE_FILE}`, RECONCILE_WORKFLOW);
    for (const login of o.writers) r.collaborators.set(login, 'write');
    r.pulls.get(PR)!.user = 'bob';
    const { id } = await rest(fake, 'POST', '/deployments', {
      ref: HEAD,
      environment: 'production',
      task: 'deploy',
      payload: o.payload ?? { type: 'standard', pr: PR, requested_by: 'alice' },
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
      updatedAt: ROLLOUT_NOW.toISOString(),
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
        ...rollout,
      },
    });
    let checkRun: number | undefined;
    const probot = testProbot(fake);
    await probot.load(
      testApp({
        now: () => ROLLOUT_NOW,
        ...(o.markerKeys ? { markerKeys: o.markerKeys } : {}),
        ...(o.controlChannel ? { controlChannel: o.controlChannel } : {}),
      }),
    );
    fake.addWorkflowRun({ id: RUN_ID, headSha: HEAD });
    await body({
      fake,
      r,
      probot,
      deploymentId,
      write: async (rollout = {}, w = {}) => {
        const key = w.key ?? stateKey(testMarkerKeys().current, REPOSITORY, 'production');
        const output = {
          title: 'deploy',
          summary: 'deploying',
          text: signRecord(record(rollout, w.seq ?? 3), key, place),
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
      },
      comment: async (text, user = 'alice', number = PR) => {
        const comment = commentOnPull(fake, text, { user, number });
        await probot.receive({
          id: crypto.randomUUID(),
          name: 'issue_comment',
          payload: comment.payload,
        } as Receive);
        return String([...r.comments.values()].at(-1)?.body ?? '');
      },
      complete: async (delivery = crypto.randomUUID()) => {
        fake.updateWorkflowRun(RUN_ID, { status: 'completed', conclusion: 'success' });
        await probot.receive({
          id: delivery,
          name: 'workflow_run',
          payload: fake.workflowRunWebhook(RUN_ID),
        } as Receive);
      },
      requests: () =>
        [...r.checkRuns.values()].filter(
          (c) => c.name === 'rollout / production' && !String(c.external_id).startsWith('wait:'),
        ).length,
    });
    fake.assertNoViolations();
  } finally {
    await fake.stop();
  }
}
