// The Approve button and a veto by the same person. GitHub says no time of a click: a press handled after its
// presser's veto (a failed delivery redelivered, or one replayed) may have been made before it, so it never
// lifts that veto (`own_veto_stands`); an /approve-deploy comment, which GitHub dates, does. A veto written in
// the same second as a press the App already handled is dated after it, whatever second GitHub gives. A press
// GitHub delivers again (the same body: a delivery it counted as failed, redelivered) records nothing new: it
// would renew the approval past expires_after (press-replay.test.ts: the same body under another delivery id).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FakeGitHub } from '../fake-github/index.ts';
import {
  HEAD,
  PR,
  appReplies,
  approvalsYml,
  commentOnPull,
  handClock,
  recordApprovalComment,
  sayOnPull,
  withSeededApp,
} from './helpers.ts';
import {
  approvalLedger,
  approvePress,
  protectionRulePayload,
  receive,
  reviewOf,
} from './delivery-helpers.ts';
import { pressBody, pressId, serializeAnsweredPress } from '../../app/deploy/press-answer.ts';

const CONFIG = approvalsYml({ approvers: ['dave', 'erin'], required: 2 });

const gate = (fake: FakeGitHub) =>
  [...fake.repo().checkRuns.values()].find((r) => r.name === 'approval / production')!;

const ask = (fake: FakeGitHub, probot: Parameters<typeof receive>[0], run: number) =>
  receive(probot, 'deployment_protection_rule', protectionRulePayload(fake, { run, pullRequests: [PR] }));

function withApp(
  c: ReturnType<typeof handClock>,
  body: Parameters<typeof withSeededApp>[1],
  config = CONFIG,
): Promise<void> {
  return withSeededApp(
    {
      config,
      collaborators: { alice: 'write', dave: 'write', erin: 'write' },
      pulls: [{ number: PR, head: HEAD, user: 'alice' }],
      fake: { now: c.now },
      app: { now: c.now },
    },
    body,
  );
}

test('an Approve press delivered again after its presser vetoed does not lift the veto; a comment does', async () => {
  const c = handClock('2026-12-01T10:00:00.100Z');
  await withApp(c, async (fake, probot) => {
    await ask(fake, probot, 31);
    const press = approvePress(fake, gate(fake) as never, 'dave');
    await receive(probot, 'check_run', press);
    c.tick(5_000);
    assert.match(
      await sayOnPull(fake, probot, '/reject-deploy production not this one', 'dave'),
      /\*\*Veto\*\*/,
    );
    assert.equal(reviewOf(fake, 31)?.state, 'rejected');
    c.tick(5_000);
    await sayOnPull(fake, probot, '/approve-deploy production', 'erin');
    c.tick(5_000);
    // The first press's body again under another delivery id (anyone holding it may send it so; or dave
    // pressed again with nothing changed): recorded before the veto, so nothing new is recorded, and it is
    // told so, once (never an approval).
    const ledger = () => approvalLedger(fake).length;
    const before = { ledger: ledger(), replies: appReplies(fake).length };
    await receive(probot, 'check_run', press);
    assert.deepEqual(
      { ledger: ledger(), replies: appReplies(fake).length },
      { ...before, replies: before.replies + 1 },
    );
    assert.match(
      appReplies(fake).at(-1)!,
      /^\*\*Approval by @dave not renewed\*\* \(`press_already_recorded`\).*a veto since stands/,
    );
    assert.doesNotMatch(appReplies(fake).at(-1)!, /deploy-action:approval/);
    // The workflow is run again: a new request at the same commit, still held by dave's veto.
    await ask(fake, probot, 32);
    assert.equal(reviewOf(fake, 32)?.state, 'rejected', JSON.stringify(reviewOf(fake, 32)));
    // dave presses the button again (another press: its body differs, here in the repository's pushed_at):
    // it may have been made before the veto, as GitHub says no time of a click, so it is refused.
    const again = {
      ...press,
      repository: { ...(press.repository as object), pushed_at: '2026-12-01T10:00:20Z' },
    };
    await receive(probot, 'check_run', again);
    assert.match(appReplies(fake).at(-1)!, /^\*\*Approval by @dave not recorded\*\* \(`own_veto_stands`\)/);
    assert.doesNotMatch(appReplies(fake).at(-1)!, /deploy-action:approval/);
    assert.equal(reviewOf(fake, 32)?.state, 'rejected', JSON.stringify(reviewOf(fake, 32)));
    // dave lifts his veto by comment: the next run is approved (dave and erin).
    c.tick(5_000);
    assert.match(await sayOnPull(fake, probot, '/approve-deploy production', 'dave'), /Approval by @dave/);
    await ask(fake, probot, 33);
    assert.equal(reviewOf(fake, 33)?.state, 'approved', JSON.stringify(reviewOf(fake, 33)));
  });
});

test('a veto written in the same second as an Approve press the App handled before it stands', async () => {
  const c = handClock('2026-12-01T10:00:00.300Z');
  await withApp(c, async (fake, probot) => {
    await ask(fake, probot, 41);
    await receive(probot, 'check_run', approvePress(fake, gate(fake) as never, 'dave'));
    // Written 300 ms after the press: GitHub dates the comment 10:00:00, before the press.
    c.tick(300);
    assert.match(await sayOnPull(fake, probot, '/reject-deploy production wait', 'dave'), /\*\*Veto\*\*/);
    c.tick(1_000);
    await sayOnPull(fake, probot, '/approve-deploy production', 'erin');
    assert.equal(reviewOf(fake, 41)?.state, 'rejected', JSON.stringify(reviewOf(fake, 41)));
    await ask(fake, probot, 42);
    assert.equal(reviewOf(fake, 42)?.state, 'rejected', JSON.stringify(reviewOf(fake, 42)));
  });
});

test('a veto written before an Approve press the App handles first, and handled after it, still stands', async () => {
  const c = handClock('2026-12-01T10:00:00.100Z');
  await withApp(c, async (fake, probot) => {
    await ask(fake, probot, 61);
    // dave vetoes at 10:00:10; GitHub delivers the comment only at 10:01:00 (a backlog).
    c.tick(10_000);
    const { payload } = commentOnPull(fake, '/reject-deploy production not this one', { user: 'dave' });
    // Meanwhile the App handles a press of his (made before the veto, delivered late too) at 10:00:30.
    c.tick(20_000);
    await receive(probot, 'check_run', approvePress(fake, gate(fake) as never, 'dave'));
    assert.match(appReplies(fake).at(-1)!, /approved deploying/);
    c.tick(30_000);
    await receive(probot, 'issue_comment', payload);
    assert.match(appReplies(fake).at(-1)!, /\*\*Veto\*\* by @dave/);
    c.tick(5_000);
    await sayOnPull(fake, probot, '/approve-deploy production', 'erin');
    // His veto is his last word: not dated at 10:00:10, before the press the App handled at 10:00:30.
    await ask(fake, probot, 62);
    assert.equal(reviewOf(fake, 62)?.state, 'rejected', JSON.stringify(reviewOf(fake, 62)));
  });
});

test("a veto recorded in the App's comment only (before the ledger) is not lifted by an Approve press", async () => {
  const c = handClock('2026-12-01T10:00:00Z');
  await withApp(c, async (fake, probot) => {
    await ask(fake, probot, 71);
    // Then a veto the App recorded in its comment alone, as it did before the ledger existed.
    recordApprovalComment(
      fake,
      {
        kind: 'reject',
        by: { login: 'dave', permission: 'write', teams: [] },
        environment: 'production',
        sha: HEAD,
        at: new Date('2026-12-01T09:00:00Z'),
        source: 'comment',
        reason: 'not yet',
      },
      '**Veto** by @dave recorded.',
    );
    await receive(probot, 'check_run', approvePress(fake, gate(fake) as never, 'dave'));
    assert.match(appReplies(fake).at(-1)!, /^\*\*Approval by @dave not recorded\*\* \(`own_veto_stands`\)/);
  });
});

test('an Approve press delivered again (same delivery GUID) is not recorded anew: its approval still expires', async () => {
  const c = handClock('2026-12-01T10:00:00Z');
  await withApp(
    c,
    async (fake, probot) => {
      await ask(fake, probot, 51);
      const press = approvePress(fake, gate(fake) as never, 'dave');
      const deliver = () => receive(probot, 'check_run', press, 'press-1');
      await deliver();
      assert.equal(reviewOf(fake, 51)?.state, 'approved');
      const replies = appReplies(fake).length;
      const ledger = () => approvalLedger(fake).length;
      assert.equal(ledger(), 1);
      // 90 minutes later GitHub delivers the same press again.
      c.tick(90 * 60_000);
      await deliver();
      assert.equal(ledger(), 1, 'no second record');
      assert.equal(appReplies(fake).length, replies, 'no second reply');
      // A new run at the commit: dave's approval is 90 minutes old, past expires_after.
      await ask(fake, probot, 52);
      assert.equal(reviewOf(fake, 52), undefined, 'still waiting for an approval');
    },
    approvalsYml({ approvers: ['dave', 'erin'], required: 1, expiresAfter: '1h' }),
  );
});

test('an Approve press delivered twice at once (a redelivery while the first is at work) is recorded and answered once', async () => {
  const c = handClock('2026-12-01T10:00:00Z');
  await withApp(c, async (fake, probot) => {
    await ask(fake, probot, 81);
    const press = approvePress(fake, gate(fake) as never, 'dave');
    const replies = appReplies(fake).length;
    // Each delivery reads the ledger (or claims the press) only once both have got that far.
    fake.holdUntil({ operationId: ['checks/list-suites-for-ref', 'git/create-ref'], count: 2 });
    const deliver = () => receive(probot, 'check_run', press, 'press-2');
    await Promise.all([deliver(), deliver()]);
    assert.equal(approvalLedger(fake).length, 1, 'one record');
    const answers = appReplies(fake).slice(replies);
    assert.equal(answers.length, 1, answers.join('\n---\n'));
    assert.match(answers[0]!, /@dave approved deploying/);
    assert.deepEqual(
      [...fake.repo().refs.keys()].filter((r) => r.startsWith('deploy-answering/')),
      [],
      'the claim is removed',
    );
  });
});

test('an Approve press refused, delivered twice at once, is refused once', async () => {
  const c = handClock('2026-12-01T10:00:00Z');
  await withApp(c, async (fake, probot) => {
    await ask(fake, probot, 91);
    // alice wrote the pull request: her press is a self-approval.
    const press = approvePress(fake, gate(fake) as never, 'alice');
    const replies = appReplies(fake).length;
    // Neither delivery answers (nor claims the press) before both have got that far.
    fake.holdUntil({ operationId: ['issues/create-comment', 'git/create-ref'], count: 2 });
    const deliver = () => receive(probot, 'check_run', press, 'press-3');
    await Promise.all([deliver(), deliver()]);
    const answers = appReplies(fake).slice(replies);
    assert.equal(answers.length, 1, answers.join('\n---\n'));
    assert.match(answers[0]!, /^\*\*Approval by @alice not recorded\*\* \(`self_approval_refused`\)/);
  });
});

test('an Approve press refused, delivered again after its refusal went out, is refused once', async () => {
  const c = handClock('2026-12-01T10:00:00Z');
  await withApp(c, async (fake, probot) => {
    await ask(fake, probot, 93);
    // alice wrote the pull request: her press is a self-approval.
    const press = approvePress(fake, gate(fake) as never, 'alice');
    const deliver = (id: string) => receive(probot, 'check_run', press, id);
    const replies = appReplies(fake).length;
    await deliver('press-4');
    assert.match(
      appReplies(fake).at(-1)!,
      /^\*\*Approval by @alice not recorded\*\* \(`self_approval_refused`\)/,
    );
    // GitHub delivers it again, one after the other: a minute later, and an hour later.
    c.tick(60_000);
    await deliver('press-4');
    c.tick(60 * 60_000);
    await deliver('press-4');
    assert.equal(appReplies(fake).length, replies + 1, 'one refusal');
    // Another press of the button (another delivery) is answered.
    await deliver('press-5');
    assert.equal(appReplies(fake).length, replies + 2);
  });
});

test("a reader cannot keep the App from answering someone's press: an answered marker in a comment not the App's, or not its MAC, is not believed", async () => {
  const c = handClock('2026-12-01T10:00:00Z');
  await withApp(c, async (fake, probot) => {
    await ask(fake, probot, 94);
    const press = approvePress(fake, gate(fake) as never, 'alice');
    // The marker the App would write for this press, with a MAC under another key: in a comment of mallory's,
    // and (as if the App had written it) in a comment of the App's.
    const forged = serializeAnsweredPress(
      pressId('approve', { body: pressBody(press), delivery: 'press-6' }),
      { current: Buffer.alloc(32, 7), accepted: [Buffer.alloc(32, 7)] } as never,
      { repository: 'acme/web', pullRequest: PR },
    );
    commentOnPull(fake, `Answered.\n\n${forged}`, { user: 'mallory' });
    fake.addComment(PR, { user: 'deploy-action[bot]', body: `Answered.\n\n${forged}` });
    const replies = appReplies(fake).length;
    await receive(probot, 'check_run', press, 'press-6');
    assert.equal(appReplies(fake).length, replies + 1, 'answered');
    assert.match(appReplies(fake).at(-1)!, /\(`self_approval_refused`\)/);
  });
});

test('an Approve press GitHub fails is told once with a code and no error text, and answered when redelivered once GitHub is back', async () => {
  const c = handClock('2026-12-01T10:00:00Z');
  await withApp(c, async (fake, probot) => {
    await ask(fake, probot, 95);
    const press = approvePress(fake, gate(fake) as never, 'dave');
    let down = true;
    fake.failNext({
      status: 503,
      times: 1_000_000,
      message: 'LEAK <b>@acme/everyone</b>',
      where: (r) => down && r.operationId === 'pulls/get',
    });
    const deliver = () =>
      receive(probot, 'check_run', press, 'press-7').then(
        () => true,
        () => false,
      );
    const replies = appReplies(fake).length;
    assert.equal(await deliver(), false, 'the delivery fails');
    assert.deepEqual(
      appReplies(fake)
        .slice(replies)
        .map((r) => r.split('\n')[0]),
      [
        '**Approve press by `dave` not finished** (`github_unavailable`): GitHub did not answer one of its requests (HTTP 503); press the button again (or redeliver the webhook) to try again: an approval it may have recorded counts once.',
      ],
    );
    assert.equal(await deliver(), false);
    assert.equal(appReplies(fake).length, replies + 1, 'told once');
    down = false;
    assert.equal(await deliver(), true);
    assert.match(appReplies(fake).at(-1)!, /@dave approved deploying/);
    assert.equal(appReplies(fake).length, replies + 2);
    assert.ok(appReplies(fake).every((r) => !r.includes('LEAK')));
  });
});

test('an Approve press recorded whose reply GitHub refuses is told on the gate it pressed, once', async () => {
  const c = handClock('2026-12-01T10:00:00Z');
  await withApp(c, async (fake, probot) => {
    await ask(fake, probot, 96);
    const pressed = gate(fake);
    const press = approvePress(fake, pressed as never, 'dave');
    const summary = () => String((gate(fake).output as { summary: unknown }).summary);
    const original = summary();
    const replies = appReplies(fake).length;
    const ledger = approvalLedger(fake).length;
    // Every comment refused: the approval is recorded in the ledger, its reply and the failure's are not.
    fake.failNext({
      status: 403,
      times: 1_000_000,
      message: 'LEAK <b>@acme/everyone</b>',
      operationId: 'issues/create-comment',
    });
    const deliver = () =>
      receive(probot, 'check_run', press, 'press-8').then(
        () => true,
        () => false,
      );
    assert.equal(await deliver(), false, 'the delivery fails');
    assert.equal(approvalLedger(fake).length, ledger + 1, 'recorded');
    assert.equal(appReplies(fake).length, replies, 'nothing posted');
    const [note, ...rest] = summary().split('\n');
    assert.equal(
      note,
      '**Approve press by `dave` not finished** (`github_refused`): GitHub refused one of its requests (HTTP 403); press the button again (or redeliver the webhook) to try again: an approval it may have recorded counts once.',
    );
    assert.ok(rest.join('\n').endsWith(`\n\n${original}`), 'the rest of the summary kept');
    await deliver();
    assert.equal(summary().split('not finished').length, 2, 'said once');
    assert.equal(approvalLedger(fake).length, ledger + 1, 'recorded once');
    assert.ok(!summary().includes('LEAK'));
  });
});
