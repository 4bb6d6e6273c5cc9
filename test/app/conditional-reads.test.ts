// The App's reads are conditional (app/conditional-reads.ts on the kept per-installation Octokit): a command
// on a pull request with hundreds of comments reads their pages again, and GitHub (the fake, as GitHub does)
// answers the unchanged ones 304, at no rate-limit cost. The answer is the same as from a full reading, and an
// edit GitHub made meanwhile is read (its page's ETag changed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RecordedRequest } from '../fake-github/index.ts';
import { BOT_LOGIN, HEAD, PR, approvalsYml, capturedLog, sayOnPull, seededApp } from './helpers.ts';

const listings = (requests: RecordedRequest[]) =>
  requests
    .filter((r) => r.operationId === 'issues/list-comments')
    .map((r) => ({ page: Number(r.query.page ?? 1), status: r.status, body: r.responseBody }));

test('a command read twice on a pull request with 250 comments: unchanged pages are answered 304, the answer is the same, an edit is seen', async () => {
  const log = capturedLog('warn');
  const { fake, probot } = await seededApp({
    log: log.log,
    config: approvalsYml({ approvers: ['carol', 'dave'], required: 2, deployers: ['alice'] }),
    collaborators: { alice: 'write', carol: 'write', dave: 'write' },
    pulls: [{ number: PR, head: HEAD, user: 'erin' }],
    kept: true,
  });
  try {
    assert.match(await sayOnPull(fake, probot, '/deploy production', 'alice'), /Waiting for 2 approval/);
    assert.match(await sayOnPull(fake, probot, '/approve-deploy production', 'carol'), /carol/);
    for (let i = 0; i < 250; i++) fake.addComment(PR, { user: 'bob', body: `looks fine ${i}` });

    const reading = async () => {
      const from = fake.requests.length;
      const reply = await sayOnPull(fake, probot, '/deploy production --dry-run', 'alice');
      return { reply, pages: listings(fake.requests.slice(from)) };
    };
    const first = await reading();
    const second = await reading();
    assert.equal(second.reply, first.reply);
    assert.match(first.reply, /1 of 2|needs 1 more|Waiting for 1/);
    // Pages 1 and 2 (comments 1-200) did not change: each reading of them was answered 304, with no body.
    const unchanged = second.pages.filter((p) => p.page <= 2);
    assert.ok(unchanged.length >= 2, JSON.stringify(second.pages));
    assert.deepEqual(
      unchanged.map((p) => [p.page, p.status, p.body]),
      unchanged.map((p) => [p.page, 304, undefined]),
    );
    // Page 3 gained the command and its reply: read in full the first time in the delivery.
    assert.equal(second.pages.find((p) => p.page === 3)?.status, 200);

    // Someone who may edit any comment (an admin) changes the App's approval on page 1: its MAC no longer
    // holds, and the next reading sees the edit rather than the remembered page (the App warns of it).
    const approval = [...fake.repo().comments.values()].find(
      (c) =>
        (c.user as { login: string }).login === BOT_LOGIN &&
        String(c.body).includes('deploy-action:approval'),
    );
    assert.ok(approval, 'the App wrote an approval comment');
    assert.doesNotMatch(log.text(), /tampering/);
    approval.body = String(approval.body).replace('"by":"carol"', '"by":"dave"');
    const third = await reading();
    const page1 = third.pages.find((p) => p.page === 1)!;
    assert.equal(page1.status, 200);
    assert.ok(JSON.stringify(page1.body).includes('\\"by\\":\\"dave\\"'), 'the edited page was sent');
    assert.match(log.text(), new RegExp(`"comment":${approval.id as number}.*tampering`));
    fake.assertNoViolations();
  } finally {
    await fake.stop();
  }
});
