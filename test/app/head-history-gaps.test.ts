// The history of heads (refs/deploy-heads/pr-<n>) where the App cannot read the pull request's comments, and
// where it was deleted before a push the App has not handled yet. Against the fake GitHub.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Probot } from 'probot';
import { fakeSha, webhookPayload } from '../fake-github/index.ts';
import type { FakeGitHub } from '../fake-github/index.ts';
import { readHeadHistory } from '../../app/deploy/head-history.ts';
import {
  HEAD,
  PR,
  appReplies,
  commentOnPull,
  deployYml,
  synchronizePayload,
  testMarkerKeys,
  testProbot,
  withSeededApp,
} from './helpers.ts';

type Receive = Parameters<Probot['receive']>[0];

const B = fakeSha('pr-7-second-head');
const REF = `deploy-heads/pr-${PR}`;
const where = { owner: 'acme', repo: 'web' };
const seed = { config: deployYml(`\n  staging: {}\n`), pulls: [{ number: PR, head: HEAD, user: 'alice' }] };

const opened = (fake: FakeGitHub, probot: Probot, at: string) =>
  probot.receive({
    id: crypto.randomUUID(),
    name: 'pull_request',
    payload: webhookPayload(
      'pull_request',
      'opened',
      {
        number: PR,
        pull_request: { number: PR, head: { sha: HEAD }, created_at: at, updated_at: at },
        repository: { default_branch: 'main' },
      },
      { ...where, baseUrl: fake.url, installationId: fake.state.installationId },
    ),
  } as Receive);

/** A push of `sha` at `at`; `handled`: GitHub's pull_request.synchronize reaches the App. */
async function pushed(fake: FakeGitHub, probot: Probot, sha: string, at: string, handled = true) {
  const before = fake.repo().pulls.get(PR)!.headSha;
  fake.pushCommit(PR, sha, { author: 'alice' });
  if (!handled) return;
  const payload = synchronizePayload(fake, before, sha);
  payload.pull_request = { ...(payload.pull_request as object), updated_at: at };
  await probot.receive({ id: crypto.randomUUID(), name: 'pull_request', payload } as Receive);
}

const deployed = (fake: FakeGitHub) => [...fake.repo().deployments.values()].map((d) => d.sha as string);

test('a push to a pull request flooded past the comments the App reads still records the head', async () => {
  await withSeededApp(seed, async (fake, probot) => {
    await opened(fake, probot, '2026-12-01T09:00:00Z');
    for (let i = 0; i < 1000; i++) fake.addComment(PR, { user: 'mallory', body: `spam ${i}` });
    await pushed(fake, probot, B, '2026-12-01T09:02:00Z');
    assert.equal(fake.requestsFor('issues/create-comment').length, 0, 'nothing posted');
    const octokit = await testProbot(fake).auth(fake.state.installationId);
    const history = await readHeadHistory(octokit.rest as never, where, testMarkerKeys(), PR);
    assert.equal(history.status, 'read');
    assert.deepEqual(history.status === 'read' ? history.heads.map((h) => [h.sha, h.at.toISOString()]) : [], [
      [HEAD, '2026-12-01T09:00:00.000Z'],
      [B, '2026-12-01T09:02:00.000Z'],
    ]);
    const anchors = [...fake.repo().checkRuns.values()].filter(
      (c) => c.name === `deploy head: PR #${PR}` && c.head_sha === B,
    );
    assert.equal(anchors.length, 1, 'the pushed head has the App’s anchor');
  });
});

test('the history deleted and a push the App has not handled yet: a /deploy written before it is refused (history_missing)', async () => {
  await withSeededApp(seed, async (fake, probot) => {
    await opened(fake, probot, '2026-12-01T09:00:00Z');
    const { payload } = commentOnPull(fake, '/deploy staging', { user: 'alice' });
    (payload.comment as Record<string, unknown>).created_at = '2026-12-01T09:01:00Z';
    fake.repo().refs.delete(REF);
    await pushed(fake, probot, B, '2026-12-01T09:02:00Z', false);
    await probot.receive({ id: crypto.randomUUID(), name: 'issue_comment', payload } as Receive);
    const reply = appReplies(fake).join('\n');
    assert.match(reply, /\*\*Not accepted\*\* \(`head_moved`\)/);
    assert.match(reply, /`history_missing`/);
    assert.deepEqual(deployed(fake), [], 'B is not deployed for a comment written at the opening head');
  });
});

test('a pull request from before the App kept heads, pushed: still for the head it shows', async () => {
  await withSeededApp(seed, async (fake, probot) => {
    await pushed(fake, probot, B, '2026-12-01T09:02:00Z', false);
    const { payload } = commentOnPull(fake, '/deploy staging', { user: 'alice' });
    await probot.receive({ id: crypto.randomUUID(), name: 'issue_comment', payload } as Receive);
    assert.deepEqual(deployed(fake), [B]);
  });
});
