// One gate per protection-rule request, however many deliveries of it: two handled at once (a redelivery GitHub
// sends while the first is still at work, or one delivery seen by two replicas) would each find no gate for
// the run and each post one, with its "waiting" comment. They decide and answer under the request's claim
// (app/facts/answer-once.ts). A claim left behind (a replica that died holding it) is taken over once it is
// ANSWERING_STALE_MS old, so the gate approvals need is still made; a younger one is left to its holder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Probot } from 'probot';
import type { FakeGitHub } from '../fake-github/index.ts';
import { ANSWERING_STALE_MS, answeringRefName, claimMessage } from '../../app/facts/answer-once.ts';
import {
  HEAD,
  PR,
  appReplies,
  deployYml,
  handClock,
  testMarkerKeys,
  testProbot,
  withSeededApp,
} from './helpers.ts';
import { protectionRulePayload, reviewOf } from './delivery-helpers.ts';

const CONFIG = deployYml(`
  production:
    approvals:
      approvers: [dave, erin]
      required: 2
`);

const gates = (fake: FakeGitHub) =>
  [...fake.repo().checkRuns.values()].filter((r) => r.name === 'approval / production');
const waitingComments = (fake: FakeGitHub) =>
  appReplies(fake).filter((body) => body.includes('is waiting for approval'));
const claimRefs = (fake: FakeGitHub) =>
  [...fake.repo().refs.keys()].filter((r) => r.startsWith('deploy-answering/'));

function withApp(c: ReturnType<typeof handClock>, body: Parameters<typeof withSeededApp>[1]) {
  return withSeededApp(
    {
      config: CONFIG,
      collaborators: { alice: 'write', dave: 'write', erin: 'write' },
      pulls: [{ number: PR, head: HEAD, user: 'alice' }],
      fake: { now: c.now },
      app: { now: c.now },
    },
    body,
  );
}

const deliver = (probot: Probot, id: string, payload: unknown) =>
  probot.receive({ id, name: 'deployment_protection_rule', payload } as unknown as Parameters<
    Probot['receive']
  >[0]);

/** A claim of run `run`'s request as a replica that died would leave it: its tag says since `since`, signed. */
async function leaveClaim(fake: FakeGitHub, run: number, since: Date | undefined): Promise<string> {
  const octokit = await testProbot(fake).auth(fake.state.installationId);
  const where = { owner: 'acme', repo: 'web' };
  const ref = answeringRefName('gate', `${run}:production`);
  const sha =
    since === undefined
      ? HEAD
      : (
          await octokit.rest.git.createTag({
            ...where,
            tag: ref.replace(/\//g, '-'),
            message: claimMessage(ref, since, { keys: testMarkerKeys(), repository: 'acme/web' }),
            object: HEAD,
            type: 'commit',
          })
        ).data.sha;
  await octokit.rest.git.createRef({ ...where, ref: `refs/${ref}`, sha });
  return sha;
}

test('two deliveries of one protection-rule request handled at once make one gate and one "waiting" comment', async () => {
  const c = handClock('2026-12-01T10:00:00Z');
  await withApp(c, async (fake, probot) => {
    const payload = protectionRulePayload(fake, { run: 61, pullRequests: [PR] });
    // Neither delivery writes its gate (nor claims the request) before both have got that far.
    fake.holdUntil({
      operationId: ['checks/create', 'git/create-ref'],
      where: (r) =>
        r.operationId === 'git/create-ref'
          ? String((r.body as { ref?: string }).ref).startsWith('refs/deploy-answering/')
          : (r.body as { name?: string }).name === 'approval / production',
      count: 2,
    });
    await Promise.all([deliver(probot, 'rule-1', payload), deliver(probot, 'rule-1', payload)]);
    assert.equal(gates(fake).length, 1, 'one gate');
    assert.equal(waitingComments(fake).length, 1, waitingComments(fake).join('\n---\n'));
    assert.equal(reviewOf(fake, 61), undefined, 'the run waits for approvals');
    const claims = fake
      .requestsFor('git/create-ref')
      .filter((r) => String((r.body as { ref?: string }).ref).startsWith('refs/deploy-answering/'));
    assert.deepEqual(claims.map((r) => r.status).sort(), [201, 422], 'both claimed it; one got it');
    assert.deepEqual(claimRefs(fake), [], 'the claim is removed');
    // A redelivery later finds the gate.
    await deliver(probot, 'rule-1', payload);
    assert.equal(gates(fake).length, 1);
    assert.equal(waitingComments(fake).length, 1);
    fake.assertNoViolations();
  });
});

test('a claim left behind is taken over once it is stale, and the request answered; a younger one is left to its holder', async () => {
  const c = handClock('2026-12-01T10:00:00Z');
  await withApp(c, async (fake, probot) => {
    const payload = protectionRulePayload(fake, { run: 62, pullRequests: [PR] });
    // A replica claimed the request a minute ago and has not answered yet (or died): left to it for now.
    const held = await leaveClaim(fake, 62, new Date(c.now().getTime() - 60_000));
    await deliver(probot, 'rule-2', payload);
    assert.equal(gates(fake).length, 0, 'no gate while another delivery may still make it');
    assert.equal(waitingComments(fake).length, 0);
    assert.equal(fake.repo().refs.get(claimRefs(fake)[0]!), held, 'the claim is left as it was');
    // Once it is older than ANSWERING_STALE_MS, its holder is taken to be gone: the redelivery answers.
    c.tick(ANSWERING_STALE_MS);
    await deliver(probot, 'rule-2', payload);
    assert.equal(gates(fake).length, 1, 'the gate approvals need');
    assert.equal(waitingComments(fake).length, 1);
    assert.deepEqual(claimRefs(fake), [], 'the claim is removed');
    fake.assertNoViolations();
  });
});

test('a claim whose age cannot be read (no tag of the App, or a time far ahead) counts as stale', async () => {
  const c = handClock('2026-12-01T10:00:00Z');
  await withApp(c, async (fake, probot) => {
    // A ref straight at a commit (not the App's tag: no time).
    await leaveClaim(fake, 63, undefined);
    await deliver(probot, 'rule-3', protectionRulePayload(fake, { run: 63, pullRequests: [PR] }));
    // A time a day ahead: believed, it would never age.
    await leaveClaim(fake, 64, new Date(c.now().getTime() + 24 * 3_600_000));
    await deliver(probot, 'rule-4', protectionRulePayload(fake, { run: 64, pullRequests: [PR] }));
    assert.deepEqual(
      gates(fake).map((g) => JSON.parse(String(g.external_id)).run),
      [63, 64],
    );
    assert.deepEqual(claimRefs(fake), []);
    fake.assertNoViolations();
  });
});
