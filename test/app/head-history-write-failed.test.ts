// The App's anchor of a head (head-anchor.ts) is written before the history of heads. If writing the history
// fails after that, the history is not the newest the App recorded and commands are refused (history_stale),
// as for a history someone set back. That refusal must not blame a person, and the failed write is logged
// loudly with its cause.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Probot } from 'probot';
import { fakeSha, webhookPayload } from '../fake-github/index.ts';
import type { FakeGitHub } from '../fake-github/index.ts';
import {
  HEAD,
  PR,
  appReplies,
  capturedLog,
  commentOnPull,
  deployYml,
  seededFake,
  synchronizePayload,
  testApp,
  testProbot,
} from './helpers.ts';

type Receive = Parameters<Probot['receive']>[0];

const B = fakeSha('pr-7-second-head');

async function run(
  body: (fake: FakeGitHub, probot: Probot, log: () => string) => Promise<void>,
): Promise<void> {
  const fake = await seededFake({
    config: deployYml(`\n  staging: {}\n`),
    pulls: [{ number: PR, head: HEAD, user: 'alice' }],
  });
  try {
    const { log, text } = capturedLog('info');
    const probot = testProbot(fake, log);
    await probot.load(testApp());
    await body(fake, probot, text);
    fake.assertNoViolations();
  } finally {
    await fake.stop();
  }
}

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
      { owner: 'acme', repo: 'web', baseUrl: fake.url, installationId: fake.state.installationId },
    ),
  } as Receive);

async function pushedAt(fake: FakeGitHub, probot: Probot, sha: string, at: string): Promise<void> {
  const before = fake.repo().pulls.get(PR)!.headSha;
  fake.pushCommit(PR, sha, { author: 'alice' });
  const payload = synchronizePayload(fake, before, sha);
  payload.pull_request = { ...(payload.pull_request as object), updated_at: at };
  await probot.receive({ id: crypto.randomUUID(), name: 'pull_request', payload } as Receive);
}

async function deployWrittenAt(fake: FakeGitHub, probot: Probot, at: string): Promise<string> {
  const { payload } = commentOnPull(fake, '/deploy staging', { user: 'alice' });
  (payload.comment as Record<string, unknown>).created_at = at;
  const before = appReplies(fake).length;
  await probot.receive({ id: crypto.randomUUID(), name: 'issue_comment', payload } as Receive);
  return appReplies(fake).slice(before).join('\n');
}

const lines = (text: string): Array<{ level: number; msg: string; error?: string }> =>
  text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { level: number; msg: string; error?: string });

test('the history write failing after the anchor: the command is refused without blaming anyone, the failure logged as an error', async () => {
  await run(async (fake, probot, log) => {
    await opened(fake, probot, '2026-12-01T09:00:00Z');
    // The push's anchor is written; the history's new tag is not (GitHub fails it).
    fake.failNext({ status: 500, operationId: 'git/create-tag', message: 'Server Error' });
    await pushedAt(fake, probot, B, '2026-12-01T09:02:00Z');
    const failed = lines(log()).filter((l) => /could not be recorded after its anchor/.test(l.msg));
    assert.equal(failed.length, 1, log());
    assert.equal(failed[0]!.level, 50, 'logged at error level');
    assert.match(failed[0]!.error ?? '', /Server Error/, 'with its cause');
    const reply = await deployWrittenAt(fake, probot, '2026-12-01T09:03:00Z');
    assert.match(reply, /\*\*Not accepted\*\* \(`head_moved`\)/);
    assert.match(reply, /`history_stale`/);
    assert.match(reply, /or the App's last write of it failed/);
    assert.doesNotMatch(reply, /deleted or set back/);
    assert.equal([...fake.repo().deployments.values()].length, 0, 'nothing deployed');
    const logged = lines(log());
    assert.ok(!logged.some((l) => /tampering/.test(l.msg)), 'no tampering in the log');
    assert.ok(logged.some((l) => /last write of it failed/.test(l.msg)));
  });
});
