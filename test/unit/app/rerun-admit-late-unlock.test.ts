// A re-run admitted under its deployer's own /lock (no lock of its own) while their /unlock deletes that lock:
// the /unlock's hand-over reads the deployment before its reopening `queued` is written, sees it ended and
// releases the environment. The re-run must then take the environment's lock as its own, as a /deploy started
// under the lock does (lockLateDeployment), or it deploys with nothing keeping another deployment out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Octokit } from '@octokit/rest';
import { createFakeGitHub, fakeSha } from '../../fake-github/index.ts';
import { acquireLock, readLocks, releaseLock } from '../../../app/locks.ts';
import { admitRerun } from '../../../app/deploy/rerun.ts';
import { markerKeys } from '../../../src/github/marker-keys.ts';

const where = { owner: 'acme', repo: 'web' };
const HEAD = fakeSha('pr-7-head');
const production = { scope: 'environment', environment: 'production' } as const;
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const keys = markerKeys({ secret: 'k'.repeat(40) });

test("a re-run admitted under its deployer's /lock that their /unlock deletes before the reopening lands takes the environment's lock as its own", async () => {
  const fake = await createFakeGitHub();
  fake.seedRepo({ ...where, pulls: [{ number: 7, head: HEAD, user: 'carol' }] });
  try {
    const octokit = new Octokit({ baseUrl: fake.url, auth: 'test-token', log: quiet });
    const api = octokit.rest;
    const { data: made } = await api.repos.createDeployment({
      ...where,
      ref: HEAD,
      environment: 'production',
      auto_merge: false,
      required_contexts: [],
    });
    assert.ok('id' in made);
    await api.repos.createDeploymentStatus({ ...where, deployment_id: made.id, state: 'success' });
    const locked = await acquireLock(api, where, keys, { target: production, holder: 'alice', sha: HEAD });
    assert.equal(locked.status, 'acquired');

    // alice's /unlock lands between the re-run's lock check and its reopening status: the hand-over, reading
    // the deployment then, saw it ended and released production.
    let unlocked = false;
    const racing = {
      git: api.git,
      repos: {
        ...api.repos,
        createDeploymentStatus: (async (params) => {
          if (!unlocked) {
            unlocked = true;
            const released = await releaseLock(api, where, keys, { target: production, requester: 'alice' });
            assert.equal(released.status, 'released');
          }
          return api.repos.createDeploymentStatus(params);
        }) as typeof api.repos.createDeploymentStatus,
      },
    };
    const admitted = await admitRerun(
      racing,
      where,
      { id: made.id, environment: 'production', sha: HEAD },
      { keys, botLogin: 'deploy-action[bot]', deployers: async () => ['alice'], run: 41 },
    );
    assert.equal(admitted.status, 'admitted');
    assert.ok(unlocked, 'the /unlock raced the reopening');

    const now = await readLocks(api, where, keys);
    const held = now.environments.find((l) => l.target.scope === 'environment');
    assert.ok(held, 'production is locked while the re-run deploys');
    assert.equal(held.deployment, true, "by the re-run's deployment");
    assert.equal(held.sha.toLowerCase(), HEAD.toLowerCase());
    assert.deepEqual(
      admitted.status === 'admitted' ? admitted.held : [],
      [{ environment: 'production', own: true }],
      'its own now: given back if its run turns out not to wait (closeRerun)',
    );
    fake.assertNoViolations();
  } finally {
    await fake.stop();
  }
});
