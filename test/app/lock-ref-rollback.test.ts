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

test("a lock ref pointed back at a tag the App released is nobody's: its old holder neither deploys through it nor releases it", async () => {
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
    assert.match(
      refused,
      /locked by `victim` \(a lock the App released, put back by hand: nobody holds it\)/,
    );
    assert.doesNotMatch(refused, NAMES_VICTIM, 'victim is not notified of a lock they released');

    // victim released it: it is not theirs again.
    assert.match(await repliesTo(fake, probot, '/deploy production', 'victim'), /\(`locked`\)/);
    assert.doesNotMatch(await repliesTo(fake, probot, '/lock production', 'victim'), /already hold/);
    const unlock = await repliesTo(fake, probot, '/unlock production', 'victim');
    assert.match(unlock, /\(`not_owner`\)/);
    assert.match(unlock, /released that lock before/);
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
