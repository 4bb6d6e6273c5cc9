// "Re-run" on the App's own `approval / <env>` gate (check_run.rerequested): the gate is decided again for its
// commit with the config, approvals, windows and locks as they are now, and updated; its run is answered when
// the answer is final. It was ignored without a word: a gate whose policy had changed (fewer approvals
// required) stayed waiting until someone approved again. Another app's check run of the same name is left
// alone, and a gate already answered says that GitHub took its answer and how to ask again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FakeGitHub } from '../fake-github/index.ts';
import { HEAD, PR, approvalsYml, handClock, sayOnPull, withSeededApp } from './helpers.ts';
import { deliveryTarget, protectionRulePayload, receive, reviewOf } from './delivery-helpers.ts';
import { webhookPayload } from '../fake-github/webhooks.ts';

type Json = Record<string, unknown>;

const gate = (fake: FakeGitHub) =>
  [...fake.repo().checkRuns.values()].find((r) => r.name === 'approval / production')! as unknown as Json;

/** The check_run.rerequested delivery of `login` asking to re-run check run `run` (its `app` as given). */
function rerunAsked(fake: FakeGitHub, run: Json, login: string, app = run.app): Json {
  // GitHub's example of this event dates its apps in a format its own schema refuses: dated here.
  const dated = { created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z' };
  const sample = webhookPayload(
    'check_run',
    'rerequested',
    { repository: { default_branch: 'main' }, check_run: { app: dated, check_suite: { app: dated } } },
    deliveryTarget(fake),
  );
  return {
    ...sample,
    check_run: {
      ...(sample.check_run as Json),
      id: run.id,
      name: run.name,
      head_sha: run.head_sha,
      external_id: run.external_id,
      app,
    },
    sender: { ...(sample.sender as Json), login, type: 'User' },
  };
}

test('Re-run on a waiting gate decides it again with the policy as it is now, and answers its run', async () => {
  const c = handClock('2026-12-01T10:00:00Z');
  await withSeededApp(
    {
      config: approvalsYml({ approvers: ['dave', 'erin'], required: 2 }),
      collaborators: { alice: 'write', dave: 'write', erin: 'write' },
      pulls: [{ number: PR, head: HEAD, user: 'alice' }],
      fake: { now: c.now },
      app: { now: c.now },
    },
    async (fake, probot) => {
      await receive(
        probot,
        'deployment_protection_rule',
        protectionRulePayload(fake, { run: 41, pullRequests: [PR] }),
      );
      await sayOnPull(fake, probot, '/approve-deploy production', 'dave');
      assert.equal(gate(fake).conclusion, 'action_required');
      assert.equal(reviewOf(fake, 41), undefined, 'one approval of two: the run waits');
      // The policy changes on the default branch: one approval is enough now.
      fake.setFile('.github/deploy.yml', approvalsYml({ approvers: ['dave', 'erin'], required: 1 }));
      c.tick(60_000);

      // Another app's check run under the gate's name and reference: not decided again, not written to.
      const other = gate(fake).app as Json;
      await receive(
        probot,
        'check_run',
        rerunAsked(fake, gate(fake), 'alice', { ...other, id: Number(other.id) + 1 }),
      );
      assert.equal(reviewOf(fake, 41), undefined);
      assert.equal(gate(fake).conclusion, 'action_required');

      await receive(probot, 'check_run', rerunAsked(fake, gate(fake), 'alice'));
      assert.equal(reviewOf(fake, 41)?.state, 'approved');
      assert.equal(gate(fake).conclusion, 'success');
      assert.match(String((gate(fake).output as Json).title), /^Approved: deploying to production/);

      // Once answered, a Re-run changes nothing of it and says how to ask again.
      await receive(probot, 'check_run', rerunAsked(fake, gate(fake), 'alice'));
      assert.equal(gate(fake).conclusion, 'success');
      assert.match(String((gate(fake).output as Json).title), /^Approved: deploying to production/);
      assert.match(
        String((gate(fake).output as Json).text),
        /already gave workflow run 41 its answer \(success\).*Re-run the workflow run/,
      );
      assert.equal(
        fake.repo().protectionRuleReviews.filter((r) => r.runId === 41).length,
        1,
        'answered once',
      );
      fake.assertNoViolations();
    },
  );
});
