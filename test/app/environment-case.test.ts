// GitHub's environment names ignore case: a workflow's job for the GitHub environment "Production" is the
// config's `production` (the config refuses two keys that differ only in case, so the match is one key).
// The protection rule decides it by that key's policy, waits under it, and is answered by approvals of it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Probot } from 'probot';
import { fakeSha, type FakeGitHub } from '../fake-github/index.ts';
import { PR, appReplies, deployYml, sayOnPull, withSeededApp } from './helpers.ts';
import { approvePress, askProtectionRule, receive, reviewOf } from './delivery-helpers.ts';

const HEAD = fakeSha('env-case-head');
const CONFIG = deployYml(`
  staging: {}
  production:
    approvals:
      approvers: [carol]
      required: 1
`);

const seed: Parameters<typeof withSeededApp>[0] = {
  config: CONFIG,
  collaborators: { alice: 'write', carol: 'write' },
  pulls: [{ number: PR, head: HEAD, user: 'bob' }],
  app: { now: () => new Date('2025-03-04T10:30:00Z') },
};

/** A workflow run of the PR's head held by the protection rule of GitHub's environment `environment`. */
async function holdRun(fake: FakeGitHub, probot: Probot, environment: string) {
  const held = fake.addWorkflowRun({ actor: 'alice', headSha: HEAD, event: 'pull_request' });
  const asked = await askProtectionRule(fake, probot, {
    run: held.id,
    sha: HEAD,
    environment,
    pullRequests: [PR],
  });
  return { held, asked };
}

test('a protection rule for "Production" is decided by the config\'s production and waits for its approvers', async () => {
  await withSeededApp(seed, async (fake, probot) => {
    const { held, asked } = await holdRun(fake, probot, 'Production');
    assert.equal(asked.state, undefined, `the run waits for an approval: ${asked.comment}`);
    assert.match(
      appReplies(fake).at(-1)!,
      /waiting for approval[\s\S]*Approve with `\/approve-deploy production` or/,
    );
    await sayOnPull(fake, probot, '/approve-deploy production', 'carol');
    const review = reviewOf(fake, held.id);
    assert.equal(review?.state, 'approved', 'the approval of production answers the run');
    assert.equal(review?.environmentName, 'Production', "answered under GitHub's name of the environment");
  });
});

test('the Approve button on a "Production" gate approves it', async () => {
  await withSeededApp(seed, async (fake, probot) => {
    const { held } = await holdRun(fake, probot, 'PRODUCTION');
    const gate = [...fake.repo().checkRuns.values()].find((r) => /^approval \//.test(String(r.name)));
    assert.ok(gate, 'a gate check run');
    assert.equal(gate.name, 'approval / production', "named by the config's key, as approvals find it");
    await receive(probot, 'check_run', approvePress(fake, gate as never, 'carol'));
    assert.equal(reviewOf(fake, held.id)?.state, 'approved');
    assert.equal(reviewOf(fake, held.id)?.environmentName, 'PRODUCTION');
  });
});

test('a protection rule for "Staging" follows the config\'s staging (no approvals): approved at once', async () => {
  await withSeededApp(seed, async (fake, probot) => {
    const { asked } = await holdRun(fake, probot, 'Staging');
    assert.equal(asked.state, 'approved', asked.comment);
  });
});

test('an environment no key matches in any case is still refused', async () => {
  await withSeededApp(seed, async (fake, probot) => {
    const { asked } = await holdRun(fake, probot, 'Prod');
    assert.equal(asked.state, 'rejected');
    assert.match(asked.comment, /not in \.github\/deploy\.yml/);
  });
});

test('a command names the environment as the config writes it: another case is refused, naming the key', async () => {
  await withSeededApp(seed, async (fake, probot) => {
    const reply = await sayOnPull(fake, probot, '/deploy Production', 'alice');
    assert.match(reply, /`unknown_environment`[\s\S]*"Production"[\s\S]*did you mean "production"/);
  });
});
