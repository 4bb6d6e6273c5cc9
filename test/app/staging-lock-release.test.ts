// A deployment of preview (`staging: production`) holds both locks until its final status, which releases
// both: a failure releasing preview's lock (GitHub's 5xx) does not leave production's behind too. Each is tried,
// then the delivery fails (GitHub shows it failed; a redelivery releases what is left), as a failed start does.
// And production's lock is named as held by that deployment however many deployments of the commit others make
// (a workflow's token, deployments: write): read as a lock nobody holds, it would be said to be --force's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fakeSha } from '../fake-github/index.ts';
import { HEAD, PR, previewThroughProduction, repliesTo, rest, withSeededApp } from './helpers.ts';
import { finalStatus, receive } from './delivery-helpers.ts';

const SEED: Parameters<typeof withSeededApp>[0] = {
  config: previewThroughProduction('required: 0'),
  collaborators: { alice: 'write' },
};

const OTHER_HEAD = fakeSha('staging-lock-release-pr-8');

type Fake = Parameters<Parameters<typeof withSeededApp>[1]>[0];
const lockOf = (fake: Fake, environment: string) => fake.repo().refs.get(`deploy-locks/${environment}`);

test("a final status whose release of preview's lock fails still releases production's (its staging environment)", async () => {
  await withSeededApp(SEED, async (fake, probot) => {
    await repliesTo(fake, probot, '/deploy preview', 'alice');
    const [preview] = [...fake.repo().deployments.values()];
    assert.equal(lockOf(fake, 'preview'), HEAD);
    assert.equal(lockOf(fake, 'production'), HEAD);
    await rest(fake, 'POST', `/deployments/${String(preview!.id)}/statuses`, { state: 'success' });
    // The read of preview's lock fails.
    fake.failNext({
      status: 500,
      times: 1,
      where: (r) => r.operationId === 'git/get-ref' && r.path.endsWith('deploy-locks%2Fpreview'),
    });
    await assert.rejects(
      receive(probot, 'deployment_status', finalStatus(fake, preview!, 'success', undefined, 'preview')),
    );
    assert.equal(lockOf(fake, 'production'), undefined, "production's lock is released all the same");
    assert.equal(lockOf(fake, 'preview'), HEAD, "preview's stays, for a redelivery (or --force)");
    // The delivery again: preview's is released too.
    await receive(probot, 'deployment_status', finalStatus(fake, preview!, 'success', undefined, 'preview'));
    assert.equal(lockOf(fake, 'preview'), undefined);
  });
});

test("production's lock held by the deployment of preview is named as such however many deployments of the commit others make after it", async () => {
  await withSeededApp(
    {
      ...SEED,
      collaborators: { alice: 'write', bob: 'write' },
      pulls: [
        { number: PR, head: HEAD, user: 'carol' },
        { number: 8, head: OTHER_HEAD, user: 'dave' },
      ],
    },
    async (fake, probot) => {
      await repliesTo(fake, probot, '/deploy preview', 'alice');
      const [preview] = [...fake.repo().deployments.values()];
      // Anyone with deployments: write (a workflow's token) makes deployments of the same commit elsewhere.
      for (let i = 1; i <= 40; i++)
        await rest(fake, 'POST', '/deployments', {
          ref: HEAD,
          environment: `review-${i}`,
          auto_merge: false,
          required_contexts: [],
        });
      const refused = await repliesTo(fake, probot, '/deploy production', 'bob', 8);
      assert.match(refused, /`locked`/, refused);
      assert.match(
        refused,
        new RegExp(
          `deployment \\\\#\u200D?${String(preview!.id)} of .* to preview, which deploys production first`,
        ),
        refused,
      );
      assert.doesNotMatch(refused, /--force/, 'not said to be a lock nobody holds, for --force to release');
    },
  );
});
