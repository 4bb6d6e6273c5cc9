// deployment_status events the App's run did not post: a person's (or another app's) status on the App's own
// deployment is shown as GitHub's Deployments tab shows it, and, as before, it releases no lock; the App's
// run's own statuses go on showing there after it. A deployment someone else made of the PR's commit does not
// take the App's status comment over.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Probot } from 'probot';
import { HEAD, PR, loadedProbot, owner, repo, seededFake } from './helpers.ts';
import { webhookPayload } from '../fake-github/index.ts';
import type { FakeGitHub } from '../fake-github/index.ts';
import { parseStatusComment, renderStatusComment, statusMarker } from '../../src/github/status-comment.ts';

type Receive = Parameters<Probot['receive']>[0];
type Json = Record<string, unknown>;
type Creator = { login: string; type: 'Bot' | 'User' };
const APP_BOT: Creator = { login: 'deploy-action[bot]', type: 'Bot' };
const WORKFLOW_BOT: Creator = { login: 'github-actions[bot]', type: 'Bot' };
const ENV = 'production';

const receive = (probot: Probot, payload: Json) =>
  probot.receive({ id: crypto.randomUUID(), name: 'deployment_status', payload } as Receive);

function statusEvent(
  fake: FakeGitHub,
  o: {
    by: Creator;
    state: string;
    at: string;
    commentId: number;
    description?: string;
    deployment?: { id: number; creator: Creator };
  },
): Json {
  return webhookPayload(
    'deployment_status',
    'created',
    {
      deployment: {
        id: o.deployment?.id ?? 500,
        sha: HEAD,
        environment: ENV,
        payload: { pr: PR, comment_id: o.commentId, version: 'v2' },
        creator: o.deployment?.creator ?? APP_BOT,
      },
      repository: { default_branch: 'main' },
      deployment_status: {
        creator: o.by,
        state: o.state,
        environment: ENV,
        description: o.description ?? `${o.state} by ${o.by.login}`,
        created_at: o.at,
      },
    },
    { owner, repo, baseUrl: fake.url, installationId: fake.state.installationId },
  );
}

const shown = (fake: FakeGitHub, id: number) =>
  parseStatusComment(String(fake.repo().comments.get(id)!.body), ENV);

/**
 * The App's status comment for its deployment 500, with the run's own `in_progress` shown in it; `body` is
 * given the fake, the Probot and the comment's id.
 */
async function withRunningDeployment(
  body: (fake: FakeGitHub, probot: Probot, commentId: number) => Promise<void>,
): Promise<void> {
  const fake = await seededFake();
  try {
    const probot = await loadedProbot(fake);
    const start = {
      environment: ENV,
      state: 'queued' as const,
      sha: HEAD,
      updatedAt: '2030-01-01T00:00:00Z',
    };
    const id = fake.addComment(PR, { user: APP_BOT.login, body: renderStatusComment(start) }).id as number;
    await receive(
      probot,
      statusEvent(fake, {
        by: WORKFLOW_BOT,
        state: 'in_progress',
        at: '2030-01-01T00:00:01Z',
        commentId: id,
      }),
    );
    assert.equal(shown(fake, id)?.state, 'in_progress');
    await body(fake, probot, id);
  } finally {
    await fake.stop();
  }
}

test("a status the App's run did not post on the App's deployment is shown as the Deployments tab shows it; the run's own statuses follow", async () => {
  await withRunningDeployment(async (fake, probot, id) => {
    const mallory: Creator = { login: 'mallory', type: 'User' };
    const otherApp: Creator = { login: 'other-app[bot]', type: 'Bot' };
    let second = 2;
    for (const by of [mallory, otherApp])
      for (const state of ['success', 'failure', 'error', 'in_progress', 'queued']) {
        const at = `2030-01-01T00:00:${String(second++).padStart(2, '0')}Z`;
        await receive(probot, statusEvent(fake, { by, state, at, commentId: id }));
        assert.equal(shown(fake, id)!.state, state, `${by.login} ${state}: shown, as GitHub shows it`);
      }
    // The run's own final status is shown, after all of that.
    await receive(
      probot,
      statusEvent(fake, {
        by: WORKFLOW_BOT,
        state: 'success',
        at: '2030-01-01T00:01:00Z',
        commentId: id,
        description: 'deployed v2',
      }),
    );
    assert.equal(shown(fake, id)?.state, 'success');
    assert.equal(
      [...fake.repo().comments.values()].filter((c) => String(c.body).startsWith(statusMarker(ENV))).length,
      1,
    );
    fake.assertNoViolations();
  });
});

test("someone else's deployment of the PR's commit (a person's, another app's) does not take over the App's status comment", async () => {
  await withRunningDeployment(async (fake, probot, id) => {
    // Made after the App's (a higher id), by someone with deployments: write, naming the PR, then ended.
    let next = 600;
    for (const maker of [
      { login: 'mallory', type: 'User' },
      { login: 'other-app[bot]', type: 'Bot' },
    ] as Creator[]) {
      const deployment = { id: next++, creator: maker };
      await receive(
        probot,
        statusEvent(fake, {
          by: maker,
          state: 'success',
          at: '2030-01-01T00:00:02Z',
          commentId: id,
          deployment,
        }),
      );
      assert.equal(
        shown(fake, id)?.deploymentId,
        500,
        `${maker.login}: the App's deployment is still the one shown`,
      );
      assert.equal(shown(fake, id)?.state, 'in_progress');
    }
    // The run's own final status still reaches the comment (not dropped as older than theirs).
    await receive(
      probot,
      statusEvent(fake, {
        by: WORKFLOW_BOT,
        state: 'failure',
        at: '2030-01-01T00:01:00Z',
        commentId: id,
        description: 'rolled back',
      }),
    );
    assert.equal(shown(fake, id)?.state, 'failure');
    const comments = [...fake.repo().comments.values()].filter((c) =>
      String(c.body).startsWith(statusMarker(ENV)),
    );
    assert.equal(comments.length, 1, 'no comment of the App made for their deployments');
    fake.assertNoViolations();
  });
});
