// A lock is a ref to a tag, and anyone with push access (or a workflow's GITHUB_TOKEN with contents: write)
// can create both, naming any holder in the tag's message. The App believes a lock's holder only when the
// record carries its MAC for this repository and environment: a forged record still holds the lock (the ref
// exists), but nobody holds it by name. Its holder is never @-mentioned (the queue reply included), cannot
// deploy through it nor release it without --force, and every reply says the record is unverified.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FakeGitHub } from '../fake-github/index.ts';
import { HEAD, PR, deployYml, rest, restWith, repliesTo, withSeededApp } from './helpers.ts';

const MALLORY = 'mallory-token';
const seed = {
  config: deployYml(`
  production:
    approvals:
      deployers: [alice, bob, victim]
      required: 0
  staging:
    approvals:
      deployers: [alice, bob, victim]
      required: 0
`),
  collaborators: {
    alice: 'write',
    bob: 'write',
    victim: 'write',
    mallory: 'write',
    maint: 'maintain',
  } as const,
  pulls: [{ number: PR, head: HEAD, user: 'alice' }],
  fake: { tokens: { [MALLORY]: 'mallory' } },
};

/** mallory, with push access and no command, makes `ref` point at a new tag carrying `message`. */
async function pushLock(fake: FakeGitHub, ref: string, message: string): Promise<void> {
  const tag = await rest(
    fake,
    'POST',
    '/git/tags',
    { tag: 'lock', object: HEAD, type: 'commit', message },
    MALLORY,
  );
  await rest(fake, 'POST', '/git/refs', { ref, sha: (tag as unknown as { sha: string }).sha }, MALLORY);
}

const deployments = (fake: FakeGitHub) => [...fake.repo().deployments.values()];
const held = (fake: FakeGitHub, env: string) => fake.repo().refs.has(`deploy-locks/${env}`);
const NAMES_VICTIM = /@\u200D?victim\b/;

test('a lock tag pushed by hand naming victim: victim is never mentioned, holds nothing, and the lock still stops deployments', async () => {
  await withSeededApp(seed, async (fake, probot) => {
    // The record as versions before the MAC wrote it, naming someone else: what anyone with push access can write.
    const record = {
      target: { scope: 'environment', environment: 'production' },
      holder: 'victim',
      reason: 'maintenance',
      createdAt: '2026-01-01T00:00:00.000Z',
      sha: HEAD,
      pullRequest: PR,
    };
    await pushLock(
      fake,
      'refs/deploy-locks/production',
      `Deploy lock on production, held by victim\n\ndeploy-lock-record: ${JSON.stringify(record)}\n`,
    );
    const unverified = /`production` is locked by `victim` \(unverified record\) since/;

    const refused = await repliesTo(fake, probot, '/deploy production', 'alice');
    assert.match(refused, /\(`locked`\)/, "alice's /deploy is refused");
    assert.match(refused, unverified);
    assert.doesNotMatch(refused, NAMES_VICTIM);

    const queued = await repliesTo(fake, probot, '/deploy production --queue', 'alice');
    assert.match(queued, /`queue_recorded`/);
    assert.match(queued, unverified);
    assert.doesNotMatch(queued, NAMES_VICTIM, 'the queue reply does not notify victim');
    assert.doesNotMatch(queued, /PR #/, 'nor repeats the pull request the record names');

    // victim does not hold it: no deploying through it, no "you already hold it", no /unlock without --force.
    assert.match(await repliesTo(fake, probot, '/deploy production', 'victim'), /\(`locked`\)/);
    assert.doesNotMatch(await repliesTo(fake, probot, '/lock production', 'victim'), /already hold/);
    const unlock = await repliesTo(fake, probot, '/unlock production', 'victim');
    assert.match(unlock, /\(`not_owner`\)/);
    assert.match(unlock, /not one the App wrote/);
    assert.doesNotMatch(unlock, NAMES_VICTIM);
    assert.ok(held(fake, 'production'), 'the lock stays');
    assert.equal(deployments(fake).length, 0, 'nothing deployed under it');

    // A maintainer releases it with --force; alice's queued request then starts.
    const forced = await repliesTo(fake, probot, '/unlock production --force', 'maint');
    assert.match(forced, /Unlocked `production` \(was held by `victim`, unverified record\)/);
    assert.doesNotMatch(forced, NAMES_VICTIM);
    assert.equal(deployments(fake).length, 1, "alice's queued deployment starts");
  });
});

test("a genuine lock names its holder; its record copied onto another environment's ref is unverified", async () => {
  await withSeededApp(seed, async (fake, probot) => {
    assert.match(await repliesTo(fake, probot, '/lock staging', 'bob'), /Locked `staging`/);
    const queued = await repliesTo(fake, probot, '/deploy staging --queue', 'alice');
    assert.match(queued, /`queue_recorded`/);
    assert.match(
      queued,
      /`staging` is locked by @\u200D?bob \(PR #\d+\) since/,
      'the holder named as a login',
    );
    assert.doesNotMatch(queued, /unverified/);
    assert.match(await repliesTo(fake, probot, '/lock staging', 'bob'), /You already hold the lock/);

    // mallory copies bob's genuine record onto production: it was signed for staging, not for production.
    const sha = fake.repo().refs.get('deploy-locks/staging')!;
    const message = String(fake.repo().tagObjects.get(sha)!.message);
    assert.match(message, /<!-- deploy-action:lock \{.*\} mac=[0-9a-f]{64} -->/);
    await pushLock(fake, 'refs/deploy-locks/production', message);
    const refused = await repliesTo(fake, probot, '/deploy production', 'bob');
    assert.match(refused, /\(`locked`\)/, 'bob does not deploy through the copy');
    assert.match(refused, /`production` is locked by `bob` \(unverified record\)/);
    assert.match(await repliesTo(fake, probot, '/unlock production', 'bob'), /\(`not_owner`\)/);
    assert.ok(held(fake, 'production'));

    // bob's own lock is still his.
    assert.match(
      await repliesTo(fake, probot, '/unlock staging', 'bob'),
      /Unlocked `staging` \(was held by `bob`\)/,
    );
  });
});

test("a deployment's lock left behind or pushed back after its deployment ended names nobody, and answers nobody 'in progress'", async () => {
  await withSeededApp(seed, async (fake, probot) => {
    await repliesTo(fake, probot, '/deploy staging', 'victim');
    const [deployment] = [...fake.repo().deployments.values()];
    assert.ok(deployment, 'the App made the deployment');
    // The deployment ends (the workflow posts its final status) and its lock is released; later mallory
    // points the lock ref at that commit again: a lightweight ref says nothing of who holds it.
    await rest(fake, 'POST', `/deployments/${deployment.id}/statuses`, { state: 'success' });
    const deleted = await restWith(fake, MALLORY, 'DELETE', '/git/refs/deploy-locks/staging');
    assert.ok(deleted.status === 204, `delete: ${deleted.status}`);
    await rest(fake, 'POST', '/git/refs', { ref: 'refs/deploy-locks/staging', sha: HEAD }, MALLORY);

    const refused = await repliesTo(fake, probot, '/deploy staging', 'alice');
    assert.match(refused, /locked at `[0-9a-f]{12}` by no running deployment/);
    assert.match(refused, /`\/unlock staging --force` releases it/);
    assert.doesNotMatch(refused, /victim|#7\b/);
    // The requester of the ended deployment is not told their request "is already being handled".
    const own = await repliesTo(fake, probot, '/deploy staging', 'victim');
    assert.match(own, /by no running deployment/);
    assert.doesNotMatch(own, /in_progress|already being handled/);
    assert.doesNotMatch(await repliesTo(fake, probot, '/deploy staging --queue', 'alice'), /victim/);
    assert.equal(fake.repo().deployments.size, 1, 'nothing else was deployed');
  });
});
