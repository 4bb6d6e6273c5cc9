// A deployment's lock is a ref to its commit alone, and each deployment of a commit takes it anew once the one
// before released it. A final status of an earlier deployment of the same commit that arrives again (GitHub's
// redelivery of a delivery that failed after releasing, or a status posted late) must not release the lock the
// newer deployment now holds: another deployment (a queued one, the next /deploy) would start under it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HEAD, PR, deployYml, repliesTo, withSeededApp } from './helpers.ts';
import { finalStatus, receive } from './delivery-helpers.ts';

test("an earlier deployment's final status of the same commit, delivered again, leaves the newer deployment's lock", async () => {
  await withSeededApp(
    {
      config: deployYml('\n  staging: {}\n'),
      collaborators: { alice: 'write' },
      pulls: [{ number: PR, head: HEAD, user: 'alice' }],
    },
    async (fake, probot) => {
      const lock = () => fake.repo().refs.get('deploy-locks/staging');
      const newest = () => [...fake.repo().deployments.values()].at(-1)!;
      await repliesTo(fake, probot, '/deploy staging', 'alice');
      const first = newest();
      assert.equal(lock(), HEAD, 'the first deployment holds the lock');
      const failed = finalStatus(fake, first, 'failure', '2026-12-01T10:00:00Z');
      await receive(probot, 'deployment_status', failed);
      assert.equal(lock(), undefined, 'its failure released it');

      // The same commit again: a second deployment takes the lock.
      await repliesTo(fake, probot, '/deploy staging', 'alice');
      const second = newest();
      assert.notEqual(second.id, first.id);
      assert.equal(lock(), HEAD);

      // The first deployment's failure, delivered again: the second one's lock stays.
      await receive(probot, 'deployment_status', failed);
      assert.equal(lock(), HEAD, "the second deployment's lock is kept");
      assert.match(
        await repliesTo(fake, probot, '/deploy staging', 'alice'),
        /\(`in_progress`\)/,
        'a third /deploy of the commit does not start',
      );
      assert.equal(newest().id, second.id);

      // The second deployment's own final status releases it.
      await receive(
        probot,
        'deployment_status',
        finalStatus(fake, second, 'success', '2026-12-01T10:05:00Z'),
      );
      assert.equal(lock(), undefined);
    },
  );
});
