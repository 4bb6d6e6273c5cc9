// A press of the App's Approve button replayed: GitHub's signature (X-Hub-Signature-256) covers the body only,
// never the X-GitHub-Delivery header, so whoever holds one signed press body (a webhook proxy, a proxy's log)
// can send it again under a delivery id of their choosing. What the App records of a press is keyed by the
// signed body, and an approval is dated when the App first recorded that body: sent again under a new id it
// records nothing and renews nothing; sent under someone else's id it keeps nobody's press from being
// answered. Through the real node server and Probot's signature check, with real HMAC signatures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunningServer } from '../../app/server.ts';
import { parseGateRef } from '../../app/handlers/protection-rule.ts';
import type { FakeGitHub } from '../fake-github/index.ts';
import {
  HEAD,
  PR,
  appReplies,
  approvalsYml,
  deliver,
  handClock,
  hookUrl,
  seededFake,
  testApp,
  testServer,
} from './helpers.ts';
import { approvalLedger, approvePress, protectionRulePayload, reviewOf } from './delivery-helpers.ts';

async function withServer(
  config: string,
  run: (fake: FakeGitHub, send: Send, c: ReturnType<typeof handClock>) => Promise<void>,
): Promise<void> {
  const c = handClock('2026-12-01T10:00:00Z');
  const fake = await seededFake({
    config,
    collaborators: { alice: 'write', dave: 'write', erin: 'write' },
    pulls: [{ number: PR, head: HEAD, user: 'alice' }],
    fake: { now: c.now },
  });
  let server: RunningServer | undefined;
  try {
    server = await testServer(fake, { appFn: testApp({ now: c.now }) });
    const hook = hookUrl(server);
    await run(
      fake,
      async (event, payload, delivery) => {
        const res = await deliver(hook, event, payload, delivery ? { delivery } : {});
        assert.equal(res.status, 200, res.text);
      },
      c,
    );
    fake.assertNoViolations();
  } finally {
    await server?.close();
    await fake.stop();
  }
}

/** POSTs `payload`, signed with the webhook secret, as event `event` under delivery id `delivery` (a new one). */
type Send = (event: string, payload: unknown, delivery?: string) => Promise<void>;

/** The App's gate check run for workflow run `run`. */
const gate = (fake: FakeGitHub, run: number) =>
  [...fake.repo().checkRuns.values()].find(
    (r) => r.name === 'approval / production' && parseGateRef(r.external_id as string)?.run === run,
  )!;

test('a signed Approve press sent again under a new delivery id records nothing: its approval is not renewed past expires_after, and it is told so once', async () => {
  const config = approvalsYml({ approvers: ['dave', 'erin'], required: 1, expiresAfter: '1h' });
  await withServer(config, async (fake, send, c) => {
    await send('deployment_protection_rule', protectionRulePayload(fake, { run: 51, pullRequests: [PR] }));
    const press = approvePress(fake, gate(fake, 51) as never, 'dave');
    const first = crypto.randomUUID();
    await send('check_run', press, first);
    assert.equal(reviewOf(fake, 51)?.state, 'approved');
    assert.equal(approvalLedger(fake).length, 1);
    const replies = appReplies(fake).length;
    // GitHub's redelivery of that press (same body, same GUID): nothing to say, nothing recorded.
    await send('check_run', press, first);
    assert.equal(appReplies(fake).length, replies, 'a redelivery says nothing');
    // 90 minutes later the same signed body comes again, under a delivery id GitHub never sent (or dave pressed
    // again with nothing changed, byte for byte the same body: the App cannot tell the two apart).
    c.tick(90 * 60_000);
    await send('check_run', press, crypto.randomUUID());
    assert.equal(approvalLedger(fake).length, 1, 'no second record');
    // Told once that it renewed nothing, and how to approve anew; the body again under more ids: nothing more.
    assert.equal(appReplies(fake).length, replies + 1);
    assert.match(
      appReplies(fake).at(-1)!,
      /^\*\*Approval by @dave not renewed\*\* \(`press_already_recorded`\).*comment `\/approve-deploy production`\./,
    );
    await send('check_run', press, crypto.randomUUID());
    await send('check_run', press, crypto.randomUUID());
    assert.equal(appReplies(fake).length, replies + 1, 'one notice per body');
    // A new run at the commit: dave's approval is still dated 90 minutes ago, past expires_after.
    await send('deployment_protection_rule', protectionRulePayload(fake, { run: 52, pullRequests: [PR] }));
    assert.equal(reviewOf(fake, 52), undefined, 'still waiting for an approval');
  });
});

test("a signed press sent under someone else's delivery id keeps neither their approval from being recorded nor their refusal from being said", async () => {
  const config = approvalsYml({ approvers: ['dave', 'erin'], required: 2 });
  await withServer(config, async (fake, send) => {
    await send('deployment_protection_rule', protectionRulePayload(fake, { run: 61, pullRequests: [PR] }));
    const daves = approvePress(fake, gate(fake, 61) as never, 'dave');
    await send('check_run', daves);
    // alice wrote the pull request: her press is refused (a self-approval), and the refusal is on the PR.
    const alices = approvePress(fake, gate(fake, 61) as never, 'alice');
    await send('check_run', alices);
    assert.match(appReplies(fake).at(-1)!, /\(`self_approval_refused`\)/);
    // Both bodies again, under the delivery ids GitHub is about to use for erin's press and for mallory's.
    const erinsDelivery = crypto.randomUUID();
    const mallorysDelivery = crypto.randomUUID();
    await send('check_run', daves, erinsDelivery);
    await send('check_run', alices, mallorysDelivery);
    const replies = appReplies(fake).length;
    // erin's own press, under its own delivery id: recorded, and with dave's the gate has its two approvals.
    await send('check_run', approvePress(fake, gate(fake, 61) as never, 'erin'), erinsDelivery);
    assert.match(appReplies(fake).at(-1)!, /@erin approved deploying/);
    assert.equal(reviewOf(fake, 61)?.state, 'approved', JSON.stringify(reviewOf(fake, 61)));
    // mallory may not approve: her press is refused, and told so.
    await send('check_run', approvePress(fake, gate(fake, 61) as never, 'mallory'), mallorysDelivery);
    assert.match(appReplies(fake).at(-1)!, /^\*\*Approval by @mallory not recorded\*\*/);
    assert.equal(appReplies(fake).length, replies + 2);
  });
});
