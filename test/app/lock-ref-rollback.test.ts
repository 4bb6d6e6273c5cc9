// A person's lock is a ref to a tag whose record the App signs. Anyone with push access can point the ref back
// at a tag the App wrote for an earlier lock, and that record still verifies (same repository, environment and
// commit). When the App releases a lock it first leaves a check run of its own on the tag's commit naming the
// tag (only the App can write one): a ref pointed back at a released tag is held by nobody, whoever it names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FakeGitHub } from '../fake-github/index.ts';
import { HEAD, PR, deployYml, rest, repliesTo, withSeededApp } from './helpers.ts';

const MALLORY = 'mallory-token';
const seed = {
  config: deployYml(`
  production:
    approvals:
      deployers: [alice, victim]
      required: 0
`),
  collaborators: { alice: 'write', victim: 'write', mallory: 'write', maint: 'maintain' } as const,
  pulls: [{ number: PR, head: HEAD, user: 'alice' }],
  fake: { tokens: { [MALLORY]: 'mallory' } },
};

const NAMES_VICTIM = /@\u200D?victim\b/;
const lockRef = (fake: FakeGitHub) => fake.repo().refs.get('deploy-locks/production');

/** mallory points the lock ref at `sha` again (it was deleted by the release). */
async function pointBack(fake: FakeGitHub, sha: string): Promise<void> {
  await rest(fake, 'POST', '/git/refs', { ref: 'refs/deploy-locks/production', sha }, MALLORY);
}

test("a lock ref pointed back at a tag the App released is nobody's: its old holder does not deploy through it, and nobody else releases it without --force", async () => {
  await withSeededApp(seed, async (fake, probot) => {
    assert.match(await repliesTo(fake, probot, '/lock production', 'victim'), /Locked `production`/);
    const released = lockRef(fake)!;
    assert.match(
      await repliesTo(fake, probot, '/unlock production', 'victim'),
      /Unlocked `production` \(was held by `victim`\)/,
    );
    assert.equal(lockRef(fake), undefined);

    await pointBack(fake, released);
    const refused = await repliesTo(fake, probot, '/deploy production', 'alice');
    assert.match(refused, /\(`locked`\)/, 'the ref still holds the lock');
    assert.match(refused, /locked by `victim` \(a lock the App marked released: nobody holds it\)/);
    // What releases it, in the protection rule's words: --force, or victim's /unlock finishing the release.
    assert.match(
      refused,
      /Nobody deploys there until `\/unlock` `production` `--force`, or `victim`'s `\/unlock` finishing the release the App began/,
    );
    assert.doesNotMatch(refused, NAMES_VICTIM, 'victim is not notified of a lock they released');

    // victim released it: it is not theirs again.
    assert.match(await repliesTo(fake, probot, '/deploy production', 'victim'), /\(`locked`\)/);
    assert.doesNotMatch(await repliesTo(fake, probot, '/lock production', 'victim'), /already hold/);
    const unlock = await repliesTo(fake, probot, '/unlock production', 'alice');
    assert.match(unlock, /\(`not_owner`\)/);
    assert.match(unlock, /the App marked that lock released/);
    assert.equal(lockRef(fake), released, 'the lock stays');
    assert.equal(fake.repo().deployments.size, 0, 'nothing deployed under it');

    assert.match(
      await repliesTo(fake, probot, '/unlock production --force', 'maint'),
      /Unlocked `production` \(was held by `victim`/,
    );
    assert.equal(lockRef(fake), undefined);

    // Only the released tag is marked: victim's next lock is theirs.
    assert.match(await repliesTo(fake, probot, '/lock production', 'victim'), /Locked `production`/);
    assert.notEqual(lockRef(fake), released, 'a new tag');
    assert.match(await repliesTo(fake, probot, '/lock production', 'victim'), /You already hold the lock/);
    assert.match(
      await repliesTo(fake, probot, '/deploy production', 'alice'),
      /locked by @\u200D?victim \(PR #\d+\) since/,
    );
  });
});

test("an /unlock whose mark GitHub took but whose delete it failed: told so, and the holder's next /unlock finishes it (not a lock only --force removes)", async () => {
  await withSeededApp(seed, async (fake, probot) => {
    assert.match(await repliesTo(fake, probot, '/lock production', 'victim'), /Locked `production`/);
    // The release's mark is written; GitHub fails the ref's delete (the conditional one, and a REST one alike).
    fake.failNext({
      status: 502,
      where: (r) => r.operationId === 'graphql' || r.operationId === 'git/delete-ref',
    });
    const failed = await repliesTo(fake, probot, '/unlock production', 'victim').catch(() => '');
    assert.ok(lockRef(fake), 'the lock is still there');
    assert.match(
      [...fake.repo().comments.values()].map((c) => String(c.body)).join('\n'),
      /\*\*Failed\*\* \(`github_unavailable`\): the App could not finish `\/unlock`/,
      failed,
    );
    assert.match(
      await repliesTo(fake, probot, '/deploy production', 'alice'),
      /locked by `victim` \(a lock the App marked released: nobody holds it\)/,
      'still held, by nobody: nobody deploys through it',
    );
    assert.match(
      await repliesTo(fake, probot, '/unlock production', 'victim'),
      /^Unlocked `production` \(was held by `victim`\)\.$/,
    );
    assert.equal(lockRef(fake), undefined);
  });
});

test('a queued /deploy under a lock pointed back at a released tag: its reply names what releases that lock, since no /unlock of its holder ends it by itself', async () => {
  await withSeededApp(seed, async (fake, probot) => {
    await repliesTo(fake, probot, '/lock production', 'victim');
    const released = lockRef(fake)!;
    await repliesTo(fake, probot, '/unlock production', 'victim');
    await pointBack(fake, released);

    const queued = await repliesTo(fake, probot, '/deploy production --queue', 'alice');
    assert.match(queued, /`queue_recorded`/);
    assert.match(
      queued,
      /locked by `victim` \(a lock the App marked released: nobody holds it\)[^]*\. Nobody deploys there until `\/unlock` `production` `--force`, or `victim`'s `\/unlock` finishing the release the App began\. It starts when the lock is released/,
    );
    assert.doesNotMatch(queued, NAMES_VICTIM);
    assert.equal(fake.repo().deployments.size, 0);
  });
});
