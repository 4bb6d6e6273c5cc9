// A person's lock stops everyone but its holder, who deploys under it (the deployment takes no lock of its
// own). Its holder's /unlock while that deployment still runs must not leave the environment open: another
// /deploy (or the queue behind the lock) would start a second deployment beside the running one. The lock is
// handed over to the running deployment instead (the ref moved to its commit, its own lock), and its final
// status releases it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fakeSha } from '../fake-github/index.ts';
import type { FakeGitHub } from '../fake-github/index.ts';
import type { Probot } from 'probot';
import {
  HEAD,
  PR,
  appReplies,
  commentOnPull,
  deployYml,
  loadedProbot,
  repliesTo,
  rest,
  withSeededApp,
} from './helpers.ts';
import { finalStatus, receive } from './delivery-helpers.ts';

const SEED = {
  config: deployYml(`
  staging:
    approvals:
      deployers: [alice, bob]
      required: 0
`),
  collaborators: { alice: 'write' as const, bob: 'write' as const },
  pulls: [
    { number: PR, head: HEAD, user: 'bob' },
    { number: 8, head: fakeSha('pr-8-head'), user: 'alice' },
  ],
};

test('/unlock by the holder while the deployment they made under the lock runs: the lock goes to that deployment, and nobody deploys beside it', async () => {
  await withSeededApp(SEED, async (fake, probot) => {
    const lock = () => fake.repo().refs.get('deploy-locks/staging');
    const deployments = () => [...fake.repo().deployments.values()];
    assert.match(await repliesTo(fake, probot, '/lock staging', 'bob'), /^Locked `staging`/);
    await repliesTo(fake, probot, '/deploy staging', 'bob');
    assert.equal(deployments().length, 1, 'bob deploys under his lock');
    const [running] = deployments();

    assert.match(
      await repliesTo(fake, probot, '/unlock staging', 'bob'),
      /^Unlocked `staging` \(was held by `bob`\)\. Deployment \*\*\\#\u200D\d+\*\* made under that lock is still running: it keeps `staging` locked until it ends\.$/,
    );
    assert.equal(lock(), HEAD, "the ref is now the running deployment's own lock: its commit");
    assert.match(await repliesTo(fake, probot, '/deploy staging', 'alice', 8), /`locked`/);
    assert.equal(deployments().length, 1, 'no second deployment beside the running one');

    // Its final status releases the lock, as a deployment's own; then alice deploys.
    await rest(fake, 'POST', `/deployments/${running!.id}/statuses`, { state: 'success' });
    await receive(probot, 'deployment_status', finalStatus(fake, running!, 'success'));
    assert.equal(lock(), undefined);
    await repliesTo(fake, probot, '/deploy staging', 'alice', 8);
    assert.equal(deployments().length, 2);
  });
});

test('/unlock by the holder once the deployment made under the lock has ended: the lock is deleted, as before', async () => {
  await withSeededApp(SEED, async (fake, probot) => {
    await repliesTo(fake, probot, '/lock staging', 'bob');
    await repliesTo(fake, probot, '/deploy staging', 'bob');
    const [ended] = [...fake.repo().deployments.values()];
    await rest(fake, 'POST', `/deployments/${ended!.id}/statuses`, { state: 'success' });
    assert.match(
      await repliesTo(fake, probot, '/unlock staging', 'bob'),
      /^Unlocked `staging` \(was held by `bob`\)\.$/,
    );
    assert.equal(fake.repo().refs.get('deploy-locks/staging'), undefined);
  });
});

test('/unlock handing the lock over, GitHub moving the ref but answering 502: read back, the same answer, not lock_changed', async () => {
  await withSeededApp(SEED, async (fake, probot) => {
    await repliesTo(fake, probot, '/lock staging', 'bob');
    await repliesTo(fake, probot, '/deploy staging', 'bob');
    fake.failNext({ status: 502, afterWrite: true, operationId: 'graphql' });
    assert.match(
      await repliesTo(fake, probot, '/unlock staging', 'bob'),
      /^Unlocked `staging` \(was held by `bob`\)\. Deployment \*\*\\#\u200D\d+\*\* made under that lock is still running/,
    );
    assert.equal(fake.repo().refs.get('deploy-locks/staging'), HEAD);
  });
});

test("/unlock handing the lock over while the deployment's final status comes in (its release finds the person's lock and leaves it): the lock is released all the same", async () => {
  await withSeededApp(SEED, async (fake, probot) => {
    const other = await loadedProbot(fake);
    await repliesTo(fake, probot, '/lock staging', 'bob');
    await repliesTo(fake, probot, '/deploy staging', 'bob');
    const [running] = [...fake.repo().deployments.values()];
    // The move of the ref to the deployment's commit waits until the test lets it go (a query it sends).
    const query = (r: { body?: unknown }) => String((r.body as { query?: string } | undefined)?.query ?? '');
    fake.holdUntil({
      operationId: 'graphql',
      where: (r) => /MoveRefIfAt|LetGo/.test(query(r)),
      count: 2,
    });
    const unlock = repliesTo(fake, probot, '/unlock staging', 'bob');
    for (let i = 0; i < 500 && !fake.requests.some((r) => /MoveRefIfAt/.test(query(r))); i++)
      await new Promise((r) => setTimeout(r, 10));
    assert.ok(
      fake.requests.some((r) => /MoveRefIfAt/.test(query(r))),
      'the hand-over reached its move',
    );

    // Meanwhile the deployment ends; its final status, handled elsewhere, finds bob's lock and leaves it.
    await rest(fake, 'POST', `/deployments/${running!.id}/statuses`, { state: 'success' });
    await receive(other, 'deployment_status', finalStatus(fake, running!, 'success'));
    assert.ok(fake.repo().refs.get('deploy-locks/staging'), "bob's lock is still there");
    await fetch(`${fake.url}/graphql`, {
      method: 'POST',
      headers: { authorization: 'token workflow-token', 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'query LetGo { viewer { login } }' }),
    });

    assert.match(await unlock, /^Unlocked `staging` \(was held by `bob`\)\.$/);
    assert.equal(
      fake.repo().refs.get('deploy-locks/staging'),
      undefined,
      'no lock of an ended deployment left',
    );
    await repliesTo(fake, probot, '/deploy staging', 'alice', 8);
    assert.equal(fake.repo().deployments.size, 2);
  });
});

test("/unlock hands the lock to a running deployment whose later redeploy of the same commit has ended: that deployment's final status still releases it", async () => {
  await withSeededApp(SEED, async (fake, probot) => {
    await repliesTo(fake, probot, '/lock staging', 'bob');
    await repliesTo(fake, probot, '/deploy staging', 'bob');
    // bob asks again for the same commit; that second deployment ends at once (its run refused, say).
    await repliesTo(fake, probot, '/deploy staging', 'bob');
    const [first, second] = [...fake.repo().deployments.values()];
    assert.equal(second!.sha, first!.sha, 'the same commit twice');
    await rest(fake, 'POST', `/deployments/${second!.id}/statuses`, { state: 'failure' });
    await receive(probot, 'deployment_status', finalStatus(fake, second!, 'failure'));

    assert.match(
      await repliesTo(fake, probot, '/unlock staging', 'bob'),
      new RegExp(
        `Deployment \\*\\*\\\\#\u200D${String(first!.id)}\\*\\* made under that lock is still running`,
      ),
    );
    // Whoever finds the environment locked is told which deployment runs, not to --force a lock left behind.
    const refused = await repliesTo(fake, probot, '/deploy staging', 'alice', 8);
    assert.doesNotMatch(refused, /no running deployment|--force/);
    assert.match(refused, /is locked by a running deployment of `[0-9a-f]{12}` for @\u200dbob/);
    assert.ok(refused.includes(String(first!.id)), refused);
    await rest(fake, 'POST', `/deployments/${first!.id}/statuses`, { state: 'success' });
    await receive(probot, 'deployment_status', finalStatus(fake, first!, 'success'));
    assert.equal(
      fake.repo().refs.get('deploy-locks/staging'),
      undefined,
      'released by its final status, not held until --force',
    );
  });
});

const MALLORY_TOKEN = 'mallory-deployments-token';
const WITH_MALLORY = {
  ...SEED,
  collaborators: { ...SEED.collaborators, mallory: 'write' as const },
  fake: { tokens: { [MALLORY_TOKEN]: 'mallory' } },
};

test("/unlock: a status someone else posts on an ended deployment (not the App's, not its workflow's) does not make it one to hand the lock to", async () => {
  await withSeededApp(WITH_MALLORY, async (fake, probot) => {
    await repliesTo(fake, probot, '/lock staging', 'bob');
    await repliesTo(fake, probot, '/deploy staging', 'bob');
    const [ended] = [...fake.repo().deployments.values()];
    await rest(fake, 'POST', `/deployments/${ended!.id}/statuses`, { state: 'success' });
    // Anyone with deployments: write posts a status after its end; no final status of the workflow follows.
    await rest(fake, 'POST', `/deployments/${ended!.id}/statuses`, { state: 'in_progress' }, MALLORY_TOKEN);
    assert.match(
      await repliesTo(fake, probot, '/unlock staging', 'bob'),
      /^Unlocked `staging` \(was held by `bob`\)\.$/,
    );
    assert.equal(
      fake.repo().refs.get('deploy-locks/staging'),
      undefined,
      'not handed to a deployment that ended (its lock would stay until --force)',
    );
  });
});

test("/unlock: a final status someone else posts on a running deployment (not the App's, not its workflow's) does not open the environment beside it", async () => {
  await withSeededApp(WITH_MALLORY, async (fake, probot) => {
    await repliesTo(fake, probot, '/lock staging', 'bob');
    await repliesTo(fake, probot, '/deploy staging', 'bob');
    const [running] = [...fake.repo().deployments.values()];
    await rest(fake, 'POST', `/deployments/${running!.id}/statuses`, { state: 'in_progress' });
    await rest(fake, 'POST', `/deployments/${running!.id}/statuses`, { state: 'failure' }, MALLORY_TOKEN);
    assert.match(
      await repliesTo(fake, probot, '/unlock staging', 'bob'),
      /made under that lock is still running: it keeps `staging` locked until it ends\.$/,
    );
    assert.equal(fake.repo().refs.get('deploy-locks/staging'), HEAD);
  });
});

test('/unlock while two deployments its holder made under the lock both run: the lock stays theirs (a lock goes to one deployment only), and nobody deploys beside either', async () => {
  await withSeededApp(SEED, async (fake, probot) => {
    const lock = () => fake.repo().refs.get('deploy-locks/staging');
    await repliesTo(fake, probot, '/lock staging', 'bob');
    await repliesTo(fake, probot, '/deploy staging', 'bob');
    await repliesTo(fake, probot, '/deploy staging', 'bob');
    const [first, second] = [...fake.repo().deployments.values()];
    assert.ok(first && second, 'bob deploys twice under his lock');
    const held = lock();

    const reply = await repliesTo(fake, probot, '/unlock staging', 'bob');
    assert.match(reply, /`deployments_running`/);
    // The way out now, and what it costs: neither deployment keeps a lock.
    assert.match(
      reply,
      /`?\/unlock staging --force`? \(a maintainer, admin or global locker\) releases it now anyway, but then none of them holds a lock: another deployment may start beside them/,
    );
    assert.ok(
      reply.includes(`\\#\u200D${String(first.id)}`) && reply.includes(`\\#\u200D${String(second.id)}`),
      reply,
    );
    assert.equal(lock(), held, "bob's lock stays as it was");

    // One ends; before, its final status released the lock handed to it while the other still ran.
    await rest(fake, 'POST', `/deployments/${second.id}/statuses`, { state: 'success' });
    await receive(probot, 'deployment_status', finalStatus(fake, second, 'success'));
    assert.match(await repliesTo(fake, probot, '/deploy staging', 'alice', 8), /`locked`/);
    assert.equal(fake.repo().deployments.size, 2, 'no deployment beside the one still running');

    // bob's /unlock now hands the lock to the one left, which its final status releases.
    assert.match(
      await repliesTo(fake, probot, '/unlock staging', 'bob'),
      new RegExp(
        `Deployment \\*\\*\\\\#\u200D${String(first.id)}\\*\\* made under that lock is still running`,
      ),
    );
    assert.match(await repliesTo(fake, probot, '/deploy staging', 'alice', 8), /`locked`/);
    await rest(fake, 'POST', `/deployments/${first.id}/statuses`, { state: 'success' });
    await receive(probot, 'deployment_status', finalStatus(fake, first, 'success'));
    assert.equal(lock(), undefined);
  });
});

/** Lets go of the requests held with `letGo` (a query the hold counts as its last). */
async function letGo(fake: FakeGitHub, name: string): Promise<void> {
  await fetch(`${fake.url}/graphql`, {
    method: 'POST',
    headers: { authorization: 'token workflow-token', 'content-type': 'application/json' },
    body: JSON.stringify({ query: `query ${name} { viewer { login } }` }),
  });
}

const queryOf = (r: { body?: unknown }) => String((r.body as { query?: string } | undefined)?.query ?? '');

async function until(what: () => boolean, message: string): Promise<void> {
  for (let i = 0; i < 500 && !what(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(what(), message);
}

/** bob's /deploy under his lock, its create held (by the query `LetCreate`) until the test lets it go. */
function heldDeploy(fake: FakeGitHub, probot: Awaited<ReturnType<typeof loadedProbot>>) {
  fake.holdUntil({
    operationId: ['repos/create-deployment', 'graphql'],
    where: (r) => r.operationId === 'repos/create-deployment' || /LetCreate/.test(queryOf(r)),
    count: 2,
  });
  const { payload } = commentOnPull(fake, '/deploy staging', { user: 'bob' });
  return probot.receive({ id: crypto.randomUUID(), name: 'issue_comment', payload } as Parameters<
    typeof probot.receive
  >[0]);
}

test('/unlock by the holder handled (by another replica) while their /deploy under the lock is between reading it and creating the deployment: the deployment takes the lock, and nobody deploys beside it', async () => {
  await withSeededApp(SEED, async (fake, probot) => {
    const other = await loadedProbot(fake);
    await repliesTo(fake, probot, '/lock staging', 'bob');
    const deploy = heldDeploy(fake, probot);
    await until(
      () => fake.requestsFor('repos/create-deployment').length > 0,
      'the /deploy reached its create',
    );
    // The /unlock finds no deployment made under the lock yet, and deletes it.
    assert.match(await repliesTo(fake, other, '/unlock staging', 'bob'), /^Unlocked `staging`/);
    await letGo(fake, 'LetCreate');
    await deploy;
    assert.equal(fake.repo().deployments.size, 1, "bob's deployment was made");

    assert.equal(
      fake.repo().refs.get('deploy-locks/staging'),
      HEAD,
      "the deployment made after the lock went holds the environment's lock, as its own",
    );
    assert.match(await repliesTo(fake, probot, '/deploy staging', 'alice', 8), /`locked`/);
    assert.equal(fake.repo().deployments.size, 1, 'no second deployment beside it');
  });
});

test('/unlock by the holder that looked for deployments under the lock before their /deploy made one, and deleted the lock after that /deploy last read it: the deployment takes the lock, and nobody deploys beside it', async () => {
  await withSeededApp(SEED, async (fake, probot) => {
    const other = await loadedProbot(fake);
    await repliesTo(fake, probot, '/lock staging', 'bob');
    const deploy = heldDeploy(fake, probot);
    await until(
      () => fake.requestsFor('repos/create-deployment').length > 0,
      'the /deploy reached its create',
    );
    // The /unlock's delete waits until the deployment is made and its start has finished.
    fake.holdUntil({
      operationId: 'graphql',
      where: (r) => /DeleteRefIfAt|LetDelete/.test(queryOf(r)),
      count: 2,
    });
    const unlock = repliesTo(fake, other, '/unlock staging', 'bob');
    await until(
      () => fake.requests.some((r) => /DeleteRefIfAt/.test(queryOf(r))),
      'the /unlock reached its delete',
    );
    await letGo(fake, 'LetCreate');
    await deploy;
    assert.equal(fake.repo().deployments.size, 1, "bob's deployment was made");
    await letGo(fake, 'LetDelete');
    const [running] = [...fake.repo().deployments.values()];
    assert.match(
      await unlock,
      new RegExp(
        `^Unlocked \`staging\` \\(was held by \`bob\`\\)\\. Deployment \\*\\*\\\\#\u200D${String(running!.id)}\\*\\* made under that lock`,
      ),
    );

    assert.equal(fake.repo().refs.get('deploy-locks/staging'), HEAD, "the deployment's own lock");
    assert.match(await repliesTo(fake, probot, '/deploy staging', 'alice', 8), /`locked`/);
    assert.equal(fake.repo().deployments.size, 1, 'no second deployment beside it');
    await rest(fake, 'POST', `/deployments/${running!.id}/statuses`, { state: 'success' });
    await receive(probot, 'deployment_status', finalStatus(fake, running!, 'success'));
    assert.equal(fake.repo().refs.get('deploy-locks/staging'), undefined, 'released by its final status');
  });
});

test("/lock, /unlock and a queued /deploy under a deployment's lock left behind (its deployment ended, the release never came): told no deployment runs and that --force releases it, not to wait for its end", async () => {
  await withSeededApp(SEED, async (fake, probot) => {
    await repliesTo(fake, probot, '/deploy staging', 'bob');
    const [ended] = [...fake.repo().deployments.values()];
    // Its workflow posts the final status, but the App never gets (or fails to handle) its delivery.
    await rest(fake, 'POST', `/deployments/${ended!.id}/statuses`, { state: 'success' });
    assert.equal(fake.repo().refs.get('deploy-locks/staging'), HEAD, 'the lock is left behind');

    const locked = await repliesTo(fake, probot, '/lock staging', 'alice', 8);
    assert.match(locked, /\(`locked`\)/);
    assert.match(locked, /by no running deployment/);
    assert.match(locked, /`\/unlock staging --force` releases it/);

    const unlock = await repliesTo(fake, probot, '/unlock staging', 'alice', 8);
    assert.match(unlock, /\(`not_owner`\)/);
    assert.match(unlock, /by no running deployment/);
    assert.doesNotMatch(unlock, /when that deployment ends/);

    const queued = await repliesTo(fake, probot, '/deploy staging --queue', 'alice', 8);
    assert.match(queued, /by no running deployment/, queued);
    assert.doesNotMatch(queued, /locked by a running deployment/);
  });
});

test('/unlock whose conditional delete GitHub carried out but answered 502: read back gone, it says unlocked (not "not locked") and the queue behind the lock starts', async () => {
  await withSeededApp(SEED, async (fake, probot) => {
    await repliesTo(fake, probot, '/lock staging', 'bob');
    assert.match(await repliesTo(fake, probot, '/deploy staging --queue', 'alice', 8), /queue/i);
    assert.equal(fake.repo().deployments.size, 0);
    fake.failNext({
      status: 502,
      afterWrite: true,
      operationId: 'graphql',
      where: (r) => /DeleteRefIfAt/.test(queryOf(r)),
    });
    const replies = await repliesTo(fake, probot, '/unlock staging', 'bob');
    assert.match(replies, /^Unlocked `staging` \(was held by `bob`\)\.$/m);
    assert.doesNotMatch(replies, /is not locked/);
    assert.equal(
      fake.repo().deployments.size,
      1,
      "alice's queued deployment starts now, not at the next trigger",
    );
  });
});

test("/unlock --force of a person's lock while a deployment made under it runs: deleted, not handed over (the tag marked released); that deployment's final status later leaves the next deployment's lock alone", async () => {
  await withSeededApp(
    { ...SEED, collaborators: { ...SEED.collaborators, mia: 'maintain' as const } },
    async (fake, probot) => {
      await repliesTo(fake, probot, '/lock staging', 'bob');
      const tag = fake.repo().refs.get('deploy-locks/staging');
      await repliesTo(fake, probot, '/deploy staging', 'bob');
      const [running] = [...fake.repo().deployments.values()];
      // Released, and said that bob's deployment now runs with nothing keeping another out.
      assert.equal(
        await repliesTo(fake, probot, '/unlock staging --force', 'mia'),
        `Unlocked \`staging\` (was held by \`bob\`). Deployment **\\#\u200D${String(running!.id)}** made under that lock is still running, now without a lock: another deployment may start beside it.`,
      );
      assert.equal(fake.repo().refs.get('deploy-locks/staging'), undefined, '--force deletes whatever runs');
      assert.ok(
        [...fake.repo().checkRuns.values()].some((r) => r.external_id === `deploy-lock-released:${tag}`),
        "bob's tag is marked released",
      );

      // alice deploys (as --force allowed); bob's deployment then ends: alice's lock stays hers.
      await repliesTo(fake, probot, '/deploy staging', 'alice', 8);
      const alices = fake.repo().refs.get('deploy-locks/staging');
      assert.equal(alices, fakeSha('pr-8-head'));
      await rest(fake, 'POST', `/deployments/${running!.id}/statuses`, { state: 'success' });
      await receive(probot, 'deployment_status', finalStatus(fake, running!, 'success'));
      assert.equal(fake.repo().refs.get('deploy-locks/staging'), alices);
      assert.match(await repliesTo(fake, probot, '/deploy staging', 'bob'), /`locked`/);
    },
  );
});

test("/unlock --force of a person's lock while GitHub will not list the environment's deployments: released, and the reply says whether one still runs could not be read", async () => {
  await withSeededApp(
    { ...SEED, collaborators: { ...SEED.collaborators, mia: 'maintain' as const } },
    async (fake, probot) => {
      await repliesTo(fake, probot, '/lock staging', 'bob');
      await repliesTo(fake, probot, '/deploy staging', 'bob');
      fake.failNext({ status: 502, times: 10, operationId: 'repos/list-deployments' });
      assert.equal(
        await repliesTo(fake, probot, '/unlock staging --force', 'mia'),
        'Unlocked `staging` (was held by `bob`). Whether a deployment made under that lock still runs could not be read (GitHub answered HTTP 502).',
      );
      assert.equal(fake.repo().refs.get('deploy-locks/staging'), undefined);
    },
  );
});

/** `bob` locks staging, then `count` deployments are made under his lock with a token GitHub names as the
 * App's (none ended); `body` gets them, oldest first, for `mia` (maintain) to `/unlock --force`. */
async function withAppDeploymentsUnderLock(
  count: number,
  body: (fake: FakeGitHub, probot: Probot, made: number[], appToken: string) => Promise<void>,
): Promise<void> {
  const APP_LIKE = 'app-like-token';
  await withSeededApp(
    {
      ...SEED,
      collaborators: { ...SEED.collaborators, mia: 'maintain' as const },
      fake: { tokens: { [APP_LIKE]: 'deploy-action[bot]' } },
    },
    async (fake, probot) => {
      await repliesTo(fake, probot, '/lock staging', 'bob');
      const made: number[] = [];
      for (let i = 0; i < count; i++)
        made.push(
          (
            await rest(
              fake,
              'POST',
              '/deployments',
              { ref: HEAD, environment: 'staging', auto_merge: false, required_contexts: [] },
              APP_LIKE,
            )
          ).id,
        );
      await body(fake, probot, made, APP_LIKE);
    },
  );
}

test("/unlock --force of a person's lock with many App deployments made under it: its warning reads the statuses of the newest 10 only, not one per deployment since the lock", async () => {
  // A lock whose time is long past finds many deployments made under it, none ended.
  await withAppDeploymentsUnderLock(25, async (fake, probot, made) => {
    const before = fake.requestsFor('repos/list-deployment-statuses').length;
    const reply = await repliesTo(fake, probot, '/unlock staging --force', 'mia');
    assert.match(reply, /^Unlocked `staging` \(was held by `bob`\)\. Deployments \*\*\\#\u200D\d+\*\*, /);
    assert.match(
      reply,
      /made under that lock are still running \(of the newest 10; the statuses of 15 older deployments made under that lock were not read: there may be more\), now without a lock/,
    );
    const named = [...reply.matchAll(/\*\*\\#\u200D(\d+)\*\*/g)].map((m) => Number(m[1]));
    assert.deepEqual(named, made.slice(-10).reverse(), 'the newest ten');
    assert.ok(fake.requestsFor('repos/list-deployment-statuses').length - before <= 10);
  });
});

test("/unlock --force of a person's lock with the newest 10 deployments made under it ended and older ones not looked at: it says those may still run, not nothing", async () => {
  // 12 made under the lock: the oldest 2 still run, the newest 10 ended.
  await withAppDeploymentsUnderLock(12, async (fake, probot, made, appToken) => {
    for (const id of made.slice(2))
      await rest(fake, 'POST', `/deployments/${id}/statuses`, { state: 'success' }, appToken);
    const reply = await repliesTo(fake, probot, '/unlock staging --force', 'mia');
    // It said only "Unlocked `staging` (was held by `bob`)." as if nothing ran under the lock.
    assert.match(
      reply,
      /The newest 10 deployments made under that lock have ended; the statuses of 2 older deployments made under that lock were not read, and any of them may still be running, now without a lock/,
    );
  });
});

test('two /unlock by the holder at once (two replicas, or a comment redelivered) while their deployment runs: both hand it over, one moves the ref, and the deployment keeps the lock', async () => {
  await withSeededApp(SEED, async (fake, probot) => {
    const other = await loadedProbot(fake);
    await repliesTo(fake, probot, '/lock staging', 'bob');
    await repliesTo(fake, probot, '/deploy staging', 'bob');
    const [running] = [...fake.repo().deployments.values()];
    // Both moves wait for each other: each read bob's lock before either moved it.
    fake.holdUntil({ operationId: 'graphql', where: (r) => /MoveRefIfAt/.test(queryOf(r)), count: 2 });
    const answers = await Promise.all([
      repliesTo(fake, probot, '/unlock staging', 'bob'),
      repliesTo(fake, other, '/unlock staging', 'bob'),
    ]);
    const handed = new RegExp(
      `Deployment \\*\\*\\\\#\u200D${String(running!.id)}\\*\\* made under that lock is still running`,
    );
    assert.equal(appReplies(fake).filter((r) => handed.test(r)).length, 2, answers.join('\n---\n'));
    assert.equal(fake.repo().refs.get('deploy-locks/staging'), HEAD);
    assert.match(await repliesTo(fake, probot, '/deploy staging', 'alice', 8), /`locked`/);
    assert.equal(fake.repo().deployments.size, 1);
  });
});

test("/unlock by the holder while their deployment runs, after more than 20 deployments of the environment by others (a workflow's, anyone's with deployments: write): still handed over, not deleted beside it", async () => {
  await withSeededApp(WITH_MALLORY, async (fake, probot) => {
    await repliesTo(fake, probot, '/lock staging', 'bob');
    await repliesTo(fake, probot, '/deploy staging', 'bob');
    const [running] = [...fake.repo().deployments.values()];
    for (let i = 0; i < 25; i++)
      await rest(
        fake,
        'POST',
        '/deployments',
        { ref: HEAD, environment: 'staging', auto_merge: false, required_contexts: [] },
        MALLORY_TOKEN,
      );
    assert.match(
      await repliesTo(fake, probot, '/unlock staging', 'bob'),
      new RegExp(
        `Deployment \\*\\*\\\\#\u200D${String(running!.id)}\\*\\* made under that lock is still running`,
      ),
    );
    assert.equal(fake.repo().refs.get('deploy-locks/staging'), HEAD);
    assert.match(await repliesTo(fake, probot, '/deploy staging', 'alice', 8), /`locked`/);
  });
});

test("/unlock --force of a deployment's own lock names that deployment and its commit, not its placeholder holder `deployment`", async () => {
  await withSeededApp(
    { ...SEED, collaborators: { ...SEED.collaborators, mia: 'maintain' as const } },
    async (fake, probot) => {
      const short = HEAD.slice(0, 12);
      await repliesTo(fake, probot, '/deploy staging', 'bob');
      const [running] = [...fake.repo().deployments.values()];
      assert.equal(fake.repo().refs.get('deploy-locks/staging'), HEAD, "the deployment's lock");
      const forced = await repliesTo(fake, probot, '/unlock staging --force', 'mia');
      assert.equal(
        forced,
        `Unlocked \`staging\` (was held by the running deployment **\\#\u200D${String(running!.id)}** of \`${short}\` for \`bob\`). Deployment **\\#\u200D${String(running!.id)}** is still running, now without a lock: another deployment may start beside it.`,
      );
      assert.equal(fake.repo().refs.get('deploy-locks/staging'), undefined);

      // One left behind by a deployment that ended: named as ended, as the refusals name it.
      await rest(fake, 'POST', `/deployments/${running!.id}/statuses`, { state: 'success' });
      await rest(fake, 'POST', '/git/refs', { ref: 'refs/deploy-locks/staging', sha: HEAD });
      assert.equal(
        await repliesTo(fake, probot, '/unlock staging --force', 'mia'),
        `Unlocked \`staging\` (was held by no running deployment: deployment ${String(running!.id)} of \`${short}\` had ended).`,
      );

      // A lock at a commit whose deployment someone else made (a workflow's, anyone's with deployments: write):
      // its statuses are not the App's to read, so it is not said to be still running, only that it may be.
      const other = fakeSha('pr-8-head');
      const theirs = await rest(fake, 'POST', '/deployments', {
        ref: other,
        environment: 'staging',
        auto_merge: false,
        required_contexts: [],
      });
      await rest(fake, 'POST', `/deployments/${theirs.id}/statuses`, { state: 'success' });
      await rest(fake, 'POST', '/git/refs', { ref: 'refs/deploy-locks/staging', sha: other });
      const unverified = await repliesTo(fake, probot, '/unlock staging --force', 'mia');
      assert.match(
        unverified,
        new RegExp(
          `Deployment \\*\\*\\\\#\u200D${String(theirs.id)}\\*\\*, of that commit and not made by this App, may still be running \\(its statuses were not read\\), now without a lock`,
        ),
      );
      assert.doesNotMatch(unverified, /is still running/);
    },
  );
});
