// Which status comment a deployment the App starts names (its payload's comment_id, which the App and the
// Action then write into and the App reads back): only one the App wrote itself. Another app's comment, or a
// workflow's (github-actions[bot]), with the same marker is never taken over.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Probot } from 'probot';
import { BOT_LOGIN, HEAD, PR, commentOnPull, deployYml, restWith, seededApp } from './helpers.ts';
import { parseDeploymentPayload } from '../../src/github/deployment-payload.ts';
import { renderStatusComment } from '../../src/github/status-comment.ts';

type Receive = Parameters<Probot['receive']>[0];
const OTHER_APP = { id: 31337, slug: 'other-app' };

const CONFIG = deployYml(`
  staging: {}
`);

const statusBody = (description: string) =>
  renderStatusComment({
    environment: 'staging',
    state: 'success',
    updatedAt: '2026-12-01T08:00:00.000Z',
    sha: HEAD,
    description,
  });

test('a status comment by another app or a workflow is never adopted: the App writes its own', async () => {
  const { fake, probot } = await seededApp({
    fake: { otherApps: { 'other-app-token': OTHER_APP } },
    config: CONFIG,
    pulls: [{ number: PR, head: HEAD, user: 'alice' }],
    app: { now: () => new Date('2026-12-01T09:00:00Z') },
  });
  try {
    const theirs: Array<{ id: number; body: string; by: string }> = [];
    for (const [token, by] of [
      ['other-app-token', 'other-app[bot]'],
      ['workflow-token', 'github-actions[bot]'],
    ] as const) {
      const body = statusBody(`written by ${by}`);
      const res = await restWith(fake, token, 'POST', `/issues/${PR}/comments`, { body });
      assert.equal(res.status, 201, await res.clone().text());
      const { id, user } = (await res.json()) as { id: number; user: { login: string } };
      assert.equal(user.login, by);
      theirs.push({ id, body, by });
    }

    const { payload } = commentOnPull(fake, '/deploy staging', { user: 'alice' });
    await probot.receive({ id: crypto.randomUUID(), name: 'issue_comment', payload } as Receive);

    const deployments = [...fake.repo().deployments.values()];
    assert.equal(deployments.length, 1, 'the deployment is created');
    const named = parseDeploymentPayload(deployments[0]!.payload).comment_id!;
    for (const t of theirs) assert.notEqual(named, t.id, `${t.by}'s comment is not the status comment`);
    const status = fake.repo().comments.get(named);
    assert.equal((status?.user as { login: string } | undefined)?.login, BOT_LOGIN, 'the App’s own comment');
    assert.match(String(status?.body), /^<!-- deploy-action:status environment="staging" -->/);
    for (const t of theirs)
      assert.equal(fake.repo().comments.get(t.id)?.body, t.body, `${t.by}'s comment is left as it was`);
    fake.assertNoViolations();
  } finally {
    await fake.stop();
  }
});
