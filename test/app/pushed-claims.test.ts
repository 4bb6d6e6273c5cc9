// An event is answered once under its claim ref (app/facts/answer-once.ts), whose name is a hash of values the
// webhook shows. Anyone who can push used to be able to create it before the event was delivered, at a tag
// saying it was held since now, and so keep the App from answering (a protection rule's gate, an Approve press,
// a command in a review) for 15 minutes at a time, renewed forever. Only a claim whose marker verifies under
// the App's key for this repository and ref holds an event now: a pushed one is taken over at once, and the
// event answered. (The Promote / Resume / Abort buttons and the wait notice: test/app/control.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Probot } from 'probot';
import type { FakeGitHub } from '../fake-github/index.ts';
import { answeringRefName } from '../../app/facts/answer-once.ts';
import { pressBody } from '../../app/deploy/press-answer.ts';
import { HEAD, PR, appReplies, deployYml, handClock, withSeededApp } from './helpers.ts';
import {
  approvePress,
  diffCommentPayload,
  protectionRulePayload,
  pushClaim,
  receive,
  reviewOf,
  reviewPayload,
} from './delivery-helpers.ts';

const CONFIG = deployYml(`
  production:
    approvals:
      approvers: [dave, erin]
      required: 2
`);

const deliver = (probot: Probot, id: string, name: string, payload: unknown) =>
  probot.receive({ id, name, payload } as unknown as Parameters<Probot['receive']>[0]);

const claimRefs = (fake: FakeGitHub) =>
  [...fake.repo().refs.keys()].filter((r) => r.startsWith('deploy-answering/'));
const gates = (fake: FakeGitHub) =>
  [...fake.repo().checkRuns.values()].filter((r) => r.name === 'approval / production');

interface Caller {
  name: string;
  /**
   * Brings the world to the event, and says its claim ref, the commit its tag goes on, how it is delivered and
   * what its answer is.
   */
  before: (
    fake: FakeGitHub,
    probot: Probot,
  ) => Promise<{
    ref: string;
    sha: string;
    deliver: () => Promise<void>;
    answered: () => void;
  }>;
}

const callers: Caller[] = [
  {
    name: 'a protection rule’s gate',
    before: async (fake, probot) => ({
      ref: answeringRefName('gate', '71:production'),
      sha: HEAD,
      deliver: () =>
        deliver(
          probot,
          'rule-71',
          'deployment_protection_rule',
          protectionRulePayload(fake, { run: 71, pullRequests: [PR] }),
        ),
      answered: () => {
        assert.equal(gates(fake).length, 1, 'the gate approvals need');
        assert.equal(appReplies(fake).filter((b) => b.includes('is waiting for approval')).length, 1);
      },
    }),
  },
  {
    name: 'an Approve press',
    before: async (fake, probot) => {
      await receive(
        probot,
        'deployment_protection_rule',
        protectionRulePayload(fake, { run: 72, pullRequests: [PR] }),
      );
      const press = approvePress(fake, gates(fake)[0] as never, 'dave');
      return {
        ref: answeringRefName('press', `approve:${pressBody(press)}`),
        sha: HEAD,
        deliver: () => deliver(probot, 'press-72', 'check_run', press),
        answered: () => {
          assert.match(appReplies(fake).at(-1)!, /@dave approved deploying/);
          const ledger = [...fake.repo().checkRuns.values()].filter(
            (r) => r.name === 'deploy-action approvals',
          );
          assert.equal(ledger.length, 1, 'the approval recorded');
          assert.equal(reviewOf(fake, 72), undefined, 'one approval of two');
        },
      };
    },
  },
  {
    name: 'a command in a review',
    before: async (fake, probot) => {
      const payload = reviewPayload(fake, { id: 973, body: '/deploy production', login: 'erin', pr: PR });
      return {
        ref: answeringRefName('review', 'review:973'),
        sha: fake.repo().refs.get('heads/main')!,
        deliver: () => deliver(probot, 'review-973', 'pull_request_review', payload),
        answered: () => assert.match(appReplies(fake).at(-1)!, /^@erin: .* was written in a review/),
      };
    },
  },
  {
    name: 'a command on the diff',
    before: async (fake, probot) => {
      const payload = diffCommentPayload(fake, {
        id: 974,
        body: '/deploy production',
        login: 'erin',
        pr: PR,
      });
      return {
        ref: answeringRefName('diff', 'diff:974'),
        sha: fake.repo().refs.get('heads/main')!,
        deliver: () => deliver(probot, 'diff-974', 'pull_request_review_comment', payload),
        answered: () =>
          assert.match(appReplies(fake).at(-1)!, /^@erin: .* was written in a comment on the diff/),
      };
    },
  },
];

for (const caller of callers)
  test(`${caller.name}: a claim ref a pusher made before the event does not keep the App from answering it`, async () => {
    const c = handClock('2026-12-01T10:00:00Z');
    await withSeededApp(
      {
        config: CONFIG,
        collaborators: { alice: 'write', dave: 'write', erin: 'write' },
        pulls: [{ number: PR, head: HEAD, user: 'alice' }],
        fake: { now: c.now },
        app: { now: c.now },
      },
      async (fake, probot) => {
        const event = await caller.before(fake, probot);
        // Made this very second, as the App's claims said before they were signed.
        await pushClaim(fake, event.ref, event.sha, c.now());
        assert.deepEqual(claimRefs(fake), [event.ref]);
        await event.deliver();
        event.answered();
        assert.deepEqual(claimRefs(fake), [], 'taken over, then removed');
        fake.assertNoViolations();
      },
    );
  });
