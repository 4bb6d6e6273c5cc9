// The deployment protection rule honours the locks as /deploy does (app/deploy/start.ts): a deployment started
// by a workflow is rejected under the global lock, someone's /lock (its holder excepted) or a running
// deployment's lock, with a comment naming the lock, its holder (escaped) and its reason. The lock the App
// took for its own /deploy deployment is that deployment's, not another's: it does not stop it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Probot } from 'probot';
import type { FakeGitHub } from '../fake-github/index.ts';
import {
  BOT_LOGIN,
  HEAD,
  PR,
  commentOnPull,
  deployYml,
  owner,
  repo,
  rest,
  testMarkerKeys,
  withSeededApp,
} from './helpers.ts';
import { acquireDeploymentLock, acquireLock } from '../../app/locks.ts';
import { markerKeys } from '../../src/github/marker-keys.ts';
import { holdsDeploymentLock, parseGateRef, serializeGateRef } from '../../app/handlers/protection-rule.ts';
import type { Octokit } from '../../app/facts/github.ts';
import { askProtectionRule, finalStatus, receive } from './delivery-helpers.ts';

type Receive = Parameters<Probot['receive']>[0];
type Json = Record<string, unknown>;

const CONFIG = deployYml(`
  production:
    approvals:
      deployers: [alice, bob]
      required: 0
`);

interface World {
  fake: FakeGitHub;
  probot: Probot;
  octokit: Octokit;
}

const run = (body: (w: World) => Promise<void>, config = CONFIG): Promise<void> =>
  withSeededApp(
    { config, collaborators: { alice: 'write', bob: 'write', dave: 'write' } },
    async (fake, probot) => {
      const octokit = (await probot.auth(fake.state.installationId)) as unknown as Octokit;
      await body({ fake, probot, octokit });
    },
  );

let nextRun = 300;

/**
 * GitHub asks the App about a production job of HEAD: its run started by `actor`, its deployment made by
 * `creator` (a workflow's token by default) with `payload`. The App's answer: [state, comment].
 */
async function gate(
  w: World,
  actor: string,
  deployment: { creator?: string; payload?: Json; id?: number; pr?: boolean; reRunBy?: string } = {},
): Promise<[string | undefined, string]> {
  const id = nextRun++;
  w.fake.addWorkflowRun({
    id,
    headSha: HEAD,
    actor,
    event: 'push',
    ...(deployment.reRunBy !== undefined ? { triggeringActor: deployment.reRunBy, runAttempt: 2 } : {}),
  });
  const review = await askProtectionRule(w.fake, w.probot, {
    run: id,
    event: 'push',
    creator: { login: deployment.creator ?? 'github-actions[bot]', type: 'Bot' },
    ...(deployment.payload ? { payload: deployment.payload } : {}),
    ...(deployment.id !== undefined ? { deploymentId: deployment.id } : {}),
    ...(deployment.pr ? { pullRequests: [PR] } : {}),
  });
  return [review.state, review.comment];
}

const where = { owner, repo };
const HOSTILE = 'release freeze <!-- x --> [click](https://evil.example) @everyone';

/** CONFIG with one approval, dave's, required for production: a gate waits for it. */
const WITH_APPROVAL = CONFIG.replace('required: 0', 'required: 1\n      approvers: [dave]');

/** bob's /lock of production for `reason` (taken on pull request `pullRequest`, when given). */
const bobLocksProduction = (w: World, reason: string, pullRequest?: number) =>
  acquireLock(w.octokit.rest, where, testMarkerKeys(), {
    target: { scope: 'environment', environment: 'production' },
    holder: 'bob',
    sha: HEAD,
    reason,
    ...(pullRequest !== undefined ? { pullRequest } : {}),
  });

/** `user` comments `body` on the pull request, and the App handles it. */
const commentAs = (w: World, user: string, body: string) =>
  w.probot.receive({
    id: crypto.randomUUID(),
    name: 'issue_comment',
    payload: commentOnPull(w.fake, body, { user }).payload,
  } as Receive);

test('protection rule: the global lock rejects a workflow deployment, its own holder’s too, naming it', async () => {
  await run(async (w) => {
    assert.deepEqual((await gate(w, 'alice'))[0], 'approved', 'no lock: approved');
    await acquireLock(w.octokit.rest, where, testMarkerKeys(), {
      target: { scope: 'global' },
      holder: 'bob',
      sha: HEAD,
      reason: HOSTILE,
    });
    for (const actor of ['alice', 'bob']) {
      const [state, comment] = await gate(w, actor);
      assert.equal(state, 'rejected', actor);
      assert.match(comment, /`locked`/);
      assert.match(comment, /every environment is locked by @bob/);
      assert.match(comment, /release freeze/);
      assert.match(comment, /\/unlock --global/);
      assert.doesNotMatch(comment, /<!--|\]\(https:\/\/evil/, 'the reason is escaped');
      assert.doesNotMatch(comment, /(?<!`)@everyone/, 'no raw mention from the reason');
    }
  });
});

test('protection rule: someone’s /lock rejects everyone else’s workflow deployment; its holder goes through', async () => {
  await run(async (w) => {
    await bobLocksProduction(w, 'incident 42', PR);
    const [state, comment] = await gate(w, 'alice');
    assert.equal(state, 'rejected');
    assert.match(comment, /`production` is locked by @bob \(PR #7\) since `[^`]+`: incident 42/);
    assert.match(comment, /only its holder deploys there until `\/unlock` `production`/);
    assert.equal((await gate(w, 'bob'))[0], 'approved', 'the holder deploys under their own lock');
    const other = await gate(w, 'BOB');
    assert.equal(other[0], 'approved', 'logins compare in any case');
  });
});

test('protection rule: a /lock whose record the App did not write stops everyone, the holder it names too', async () => {
  await run(async (w) => {
    // Written with push access and a key of someone else's: it names bob, but bob does not hold it.
    await acquireLock(w.octokit.rest, where, markerKeys({ secret: 'm'.repeat(40) }), {
      target: { scope: 'environment', environment: 'production' },
      holder: 'bob',
      sha: HEAD,
      reason: 'incident 42',
      pullRequest: PR,
    });
    for (const actor of ['bob', 'alice']) {
      const [state, comment] = await gate(w, actor);
      assert.equal(state, 'rejected', actor);
      assert.match(
        comment,
        /`production` is locked by `bob` \(unverified record\) since `[^`]+`: incident 42/,
      );
      assert.match(comment, /nobody deploys there until `\/unlock` `production` `--force`/);
      assert.doesNotMatch(comment, /@\u200D?bob|PR #/, 'neither a mention nor the PR the record names');
    }
  });
});

test('protection rule: a running deployment’s lock rejects a workflow deployment; the App’s own /deploy deployment goes through', async () => {
  await run(async (w) => {
    // alice's /deploy: the App takes production's lock for HEAD and creates the deployment.
    await commentAs(w, 'alice', '/deploy production');
    const own = [...w.fake.repo().deployments.values()].find((d) => d.environment === 'production');
    assert.ok(own, 'the App deployed');
    assert.equal(w.fake.repo().refs.has('deploy-locks/production'), true, 'its lock is held');
    // The protection rule for the App's own deployment: its own lock does not count against it.
    const [ownState, ownComment] = await gate(w, BOT_LOGIN, {
      creator: BOT_LOGIN,
      id: own.id as number,
      payload: own.payload as Json,
    });
    assert.equal(ownState, 'approved', ownComment);
    // Nor for the job's own deployment of a run the App's deployment event started.
    assert.equal((await gate(w, BOT_LOGIN))[0], 'approved');
    // A workflow deploying the same commit meanwhile, started by someone else: a second deployment.
    const [state, comment] = await gate(w, 'bob');
    assert.equal(state, 'rejected');
    assert.match(comment, /`locked`/);
    assert.match(comment, /locked by a running deployment of `[0-9a-f]{12}` for @alice/);
  });
  // A deployment lock of another commit stops the App's own deployment of HEAD.
  await run(async (w) => {
    w.fake.addCommit({ sha: 'f'.repeat(40), message: 'another release' });
    await acquireDeploymentLock(w.octokit.rest, where, testMarkerKeys(), {
      environment: 'production',
      sha: 'f'.repeat(40),
    });
    const [state, comment] = await gate(w, BOT_LOGIN, { creator: BOT_LOGIN });
    assert.equal(state, 'rejected');
    // No deployment of that commit exists: a start under way, or one that kept the lock not knowing.
    assert.match(comment, /locked for a deployment of `ffffffffffff` not made yet/);
  });
});

test("protection rule: the App's deployment still holds its lock after more deployments of the commit to the environment than a page of five (workflows' jobs)", async () => {
  await run(async (w) => {
    await commentAs(w, 'alice', '/deploy production');
    const [own] = productionDeployments(w);
    assert.ok(own, "alice's deployment");
    // Workflow jobs deploying the same commit to production meanwhile (each rejected under the lock), or anyone
    // with deployments: write: newer than the App's.
    for (let i = 0; i < 6; i++)
      await rest(w.fake, 'POST', '/deployments', { ref: HEAD, environment: 'production', auto_merge: false });
    const asOwn = { creator: BOT_LOGIN, id: own.id as number, payload: own.payload as Json };
    const [state, comment] = await gate(w, BOT_LOGIN, asOwn);
    assert.equal(state, 'approved', comment);
    assert.equal((await gate(w, BOT_LOGIN))[0], 'approved', 'a run the App started for it');
    // Someone else's workflow is still rejected, naming alice's deployment.
    const [other, named] = await gate(w, 'bob');
    assert.equal(other, 'rejected');
    assert.match(named, /locked by a running deployment of `[0-9a-f]{12}` for @alice/);
  });
});

test("protection rule: the App's deployment GitHub's listing does not show yet holds its lock (read by its id), while it runs only", async () => {
  await run(async (w) => {
    await commentAs(w, 'alice', '/deploy production');
    const [own] = productionDeployments(w);
    assert.ok(own, "alice's deployment");
    const asOwn = { creator: BOT_LOGIN, id: own.id as number, payload: own.payload as Json };
    // The rule is asked seconds after the deployment is made: GitHub's listings do not show it yet.
    const unlisted = new Set([own.id as number]);
    w.fake.repo().unlistedDeployments = unlisted;
    const reads = w.fake.requestsFor('repos/get-deployment').length;
    const [state, comment] = await gate(w, BOT_LOGIN, asOwn);
    assert.equal(state, 'approved', comment);
    assert.equal(w.fake.requestsFor('repos/get-deployment').length, reads + 1, 'read by its id, once');
    // Without its id (a run the App started for a deployment GitHub made), nothing to read: rejected.
    assert.equal((await gate(w, BOT_LOGIN))[0], 'rejected');
    // A gate waiting for an approval keeps the id (dep): answered later, it is read by it again.
    w.fake.setFile('.github/deploy.yml', WITH_APPROVAL);
    const waiting = nextRun;
    assert.equal((await gate(w, BOT_LOGIN, { ...asOwn, pr: true }))[0], undefined, 'waiting');
    await commentAs(w, 'dave', '/approve-deploy production');
    const answered = w.fake.repo().protectionRuleReviews.findLast((r) => r.runId === waiting);
    assert.equal(answered?.state, 'approved', answered?.comment);
    w.fake.setFile('.github/deploy.yml', CONFIG);

    // Once it has ended, a later /deploy of the commit holds the lock; neither is listed: the ended one, read by
    // its id, holds nothing.
    await ends(w, own);
    await commentAs(w, 'bob', '/deploy production');
    const [, later] = productionDeployments(w);
    assert.ok(later, "bob's deployment of the same commit");
    unlisted.add(later.id as number);
    const [again, named] = await gate(w, BOT_LOGIN, { ...asOwn, reRunBy: 'dave' });
    assert.equal(again, 'rejected', named);
    // bob's own, read by its id, holds it.
    const asLater = { creator: BOT_LOGIN, id: later.id as number, payload: later.payload as Json };
    assert.equal((await gate(w, BOT_LOGIN, asLater))[0], 'approved');
  });
});

test('protection rule: a gate waiting for approvals is rejected when the approval comes under a lock taken meanwhile', async () => {
  await run(async (w) => {
    const [waiting] = await gate(w, 'alice', { pr: true });
    assert.equal(waiting, undefined, 'waiting for an approval');
    await bobLocksProduction(w, 'incident 43');
    await commentAs(w, 'dave', '/approve-deploy production');
    const review = w.fake.repo().protectionRuleReviews.at(-1);
    assert.equal(review?.state, 'rejected');
    assert.match(review!.comment!, /`locked`.*locked by @bob.*incident 43/);
  }, WITH_APPROVAL);
  // What the gate keeps for that later answer: whose deployment it is.
  const ref = { run: 1, env: 'production', pr: PR, type: 'standard' as const, own: true, by: 'alice' };
  assert.deepEqual(parseGateRef(serializeGateRef(ref)), ref);
  // And which deployment of the App's it is, for the staging environment's lock (holdsStagingLock).
  assert.deepEqual(parseGateRef(serializeGateRef({ ...ref, dep: 1000 })), { ...ref, dep: 1000 });
  assert.deepEqual(parseGateRef(JSON.stringify({ v: 1, ...ref, dep: 'x' })), ref);
});

test("protection rule: a deployment lock of the commit is this deployment's only when the deployment found holding it is this one", () => {
  const MADE = '2026-12-07T10:00:00Z';
  const lock = {
    target: { scope: 'environment' as const, environment: 'production' },
    holder: 'alice',
    createdAt: MADE,
    sha: 'a'.repeat(40),
    deployment: true as const,
  };
  const later = { runCreatedAt: '2026-12-07T10:00:05Z' };
  // The staging environment's lock, held by a deployment of preview.
  const forPreview = { ...lock, heldByDeployment: 7, heldFor: 'preview' };
  assert.equal(holdsDeploymentLock(forPreview, 'preview', { id: 7 }), true);
  assert.equal(holdsDeploymentLock(forPreview, 'preview', { id: 8 }), false, 'another deployment of preview');
  assert.equal(holdsDeploymentLock(forPreview, 'Preview', later), true, 'no id: a deployment of preview');
  assert.equal(holdsDeploymentLock(forPreview, 'eu-west', later), false);
  // Held by a deployment of production itself, by nobody found, or by a deployment the App did not make.
  assert.equal(holdsDeploymentLock({ ...lock, heldByDeployment: 7 }, 'preview', later), false);
  assert.equal(holdsDeploymentLock({ ...lock, noDeploymentSeen: true }, 'preview', { id: 7 }), false);
  assert.equal(holdsDeploymentLock({ ...forPreview, holderUnverified: true }, 'preview', { id: 7 }), false);
  // production's own lock, held by a deployment of production.
  const own = { ...lock, heldByDeployment: 7 };
  assert.equal(holdsDeploymentLock(own, 'production', { id: 7 }), true);
  assert.equal(holdsDeploymentLock(own, 'production', { id: 6 }), false, 'an earlier deployment, re-run');
  assert.equal(holdsDeploymentLock(own, 'Production', later), true, 'no id: its run made after it');
  assert.equal(holdsDeploymentLock(own, 'production', { runCreatedAt: MADE }), true, 'in the same second');
  const earlier = { runCreatedAt: '2026-12-07T09:59:59Z' };
  assert.equal(holdsDeploymentLock(own, 'production', earlier), false, "an earlier deployment's run");
  assert.equal(holdsDeploymentLock(own, 'production', {}), false, 'the run not read');
  assert.equal(holdsDeploymentLock({ ...own, createdAt: '' }, 'production', later), false);
  // Held by a deployment of preview through production: not production's.
  assert.equal(holdsDeploymentLock(forPreview, 'production', later), false);
});

/** The App's `deployment` of production ends: its runner's final status, and its delivery to the App. */
async function ends(w: World, deployment: Json): Promise<void> {
  await rest(w.fake, 'POST', `/deployments/${String(deployment.id)}/statuses`, { state: 'success' });
  await receive(
    w.probot,
    'deployment_status',
    finalStatus(w.fake, deployment, 'success', new Date().toISOString(), 'production'),
  );
}

/** The App's deployments of production, oldest first. */
const productionDeployments = (w: World): Json[] =>
  [...w.fake.repo().deployments.values()].filter((d) => d.environment === 'production');

test("protection rule: production's lock at the commit, held by a later /deploy of it, passes neither the earlier deployment's run started again nor its gate answered later; the later one's runs go through", async () => {
  await run(async (w) => {
    await commentAs(w, 'alice', '/deploy production');
    const [first] = productionDeployments(w);
    assert.ok(first, "alice's deployment");
    const asFirst = { creator: BOT_LOGIN, id: first.id as number, payload: first.payload as Json };
    // While it holds the lock: its run, a run the App started for it (GitHub made the job's deployment), and
    // a re-run of either.
    const runOfFirst = nextRun;
    assert.equal((await gate(w, BOT_LOGIN, asFirst))[0], 'approved');
    const startedForFirst = nextRun;
    assert.equal((await gate(w, BOT_LOGIN))[0], 'approved');
    assert.equal((await gate(w, BOT_LOGIN, { ...asFirst, reRunBy: 'dave' }))[0], 'approved', 'a re-run');
    // Waiting for an approval under a config that now asks for one (answered below).
    w.fake.setFile('.github/deploy.yml', WITH_APPROVAL);
    const waitingFirst = nextRun;
    assert.equal((await gate(w, BOT_LOGIN, { ...asFirst, pr: true }))[0], undefined, 'waiting');
    w.fake.setFile('.github/deploy.yml', CONFIG);

    await ends(w, first);
    assert.equal(w.fake.repo().refs.has('deploy-locks/production'), false, 'released');
    await commentAs(w, 'bob', '/deploy production');
    const [, second] = productionDeployments(w);
    assert.ok(second, "bob's deployment of the same commit");
    assert.equal(
      w.fake.repo().refs.get('deploy-locks/production'),
      HEAD,
      'holds the lock at the same commit',
    );

    // alice's runs started again: the ref at the commit is bob's deployment's now.
    const reRun = async (id: number, deployment: Json): Promise<[string | undefined, string]> => {
      w.fake.updateWorkflowRun(id, { runAttempt: 2, triggeringActor: 'dave' });
      await askProtectionRule(w.fake, w.probot, {
        run: id,
        event: 'deployment',
        ...(deployment.id !== undefined
          ? { creator: { login: BOT_LOGIN, type: 'Bot' }, deploymentId: deployment.id as number }
          : {}),
        ...(deployment.payload ? { payload: deployment.payload as Json } : {}),
      });
      // Its newest answer (askProtectionRule reads a run's first).
      const review = w.fake.repo().protectionRuleReviews.findLast((r) => r.runId === id);
      return [review?.state, review?.comment ?? ''];
    };
    // GitHub dates a run by the second: the run the App started for alice's deployment, a second before bob's.
    const madeAt = (id: number, at: string) => void (w.fake.repo().workflowRuns.get(id)!.createdAt = at);
    madeAt(startedForFirst, new Date(Date.parse(second.created_at as string) - 1_000).toISOString());
    for (const [id, deployment] of [
      [runOfFirst, first],
      [startedForFirst, {}],
    ] as const) {
      const [state, comment] = await reRun(id, deployment);
      assert.equal(state, 'rejected', `run ${id}: ${comment}`);
      assert.match(
        comment,
        /`locked`.*`production` is locked by a running deployment of `[0-9a-f]{12}` for @bob/,
      );
    }

    // bob's deployment: its run, a run the App started for it, and a re-run of that one.
    const asSecond = { creator: BOT_LOGIN, id: second.id as number, payload: second.payload as Json };
    assert.equal((await gate(w, BOT_LOGIN, asSecond))[0], 'approved');
    const startedForSecond = nextRun;
    assert.equal((await gate(w, BOT_LOGIN))[0], 'approved');
    assert.equal((await reRun(startedForSecond, {}))[0], 'approved', 'a re-run of its run');

    // Gates waiting for an approval (the config asks for one again): alice's deployment's, and bob's
    // deployment's run and a run the App started for it. dave's approval answers them.
    w.fake.setFile('.github/deploy.yml', WITH_APPROVAL);
    const waitingSecond = [nextRun, nextRun + 1];
    assert.equal((await gate(w, BOT_LOGIN, { ...asSecond, pr: true }))[0], undefined, 'waiting');
    assert.equal((await gate(w, BOT_LOGIN, { pr: true }))[0], undefined, 'waiting');
    await commentAs(w, 'dave', '/approve-deploy production');
    const answer = (id: number) => w.fake.repo().protectionRuleReviews.findLast((r) => r.runId === id);
    assert.equal(answer(waitingFirst)?.state, 'rejected', answer(waitingFirst)?.comment);
    assert.match(
      answer(waitingFirst)!.comment!,
      /`production` is locked by a running deployment .* for @bob/,
    );
    for (const id of waitingSecond) assert.equal(answer(id)?.state, 'approved', answer(id)?.comment);
  });
});

test('protection rule: a /lock lets a run through only when whoever started it holds the lock, a re-run’s starter too', async () => {
  await run(async (w) => {
    await bobLocksProduction(w, 'incident 44');
    assert.equal(
      (await gate(w, 'bob', { reRunBy: 'bob' }))[0],
      'approved',
      'the holder re-runs their own run',
    );
    // bob's run re-run by alice: alice started this attempt, and she does not hold the lock.
    const [state, comment] = await gate(w, 'bob', { reRunBy: 'alice' });
    assert.equal(state, 'rejected');
    assert.match(comment, /`production` is locked by @bob.*incident 44/);
    // alice's run re-run by bob is still alice's deployment.
    assert.equal((await gate(w, 'alice', { reRunBy: 'bob' }))[0], 'rejected');
    // The App's deployment for bob, its run re-run by alice.
    await commentAs(w, 'bob', '/deploy production');
    const own = [...w.fake.repo().deployments.values()].find((d) => d.environment === 'production');
    assert.ok(own, 'the App deployed for bob under his lock');
    const app = { creator: BOT_LOGIN, id: own.id as number, payload: own.payload as Json };
    assert.equal((await gate(w, BOT_LOGIN, app))[0], 'approved', "bob's deployment, started by the App");
    assert.equal((await gate(w, BOT_LOGIN, { ...app, reRunBy: 'alice' }))[0], 'rejected');
  });
  // A gate waiting for approvals is judged the same way when the approval answers it.
  await run(async (w) => {
    const [waiting] = await gate(w, 'bob', { pr: true, reRunBy: 'alice' });
    assert.equal(waiting, undefined, 'waiting for an approval');
    await bobLocksProduction(w, 'incident 45');
    await commentAs(w, 'dave', '/approve-deploy production');
    const review = w.fake.repo().protectionRuleReviews.at(-1);
    assert.equal(review?.state, 'rejected');
    assert.match(review!.comment!, /`locked`.*locked by @bob.*incident 45/);
  }, WITH_APPROVAL);
});

test('protection rule: one approval answering several waiting gates lists the locks once', async () => {
  await run(async (w) => {
    const runs = [nextRun, nextRun + 1, nextRun + 2];
    for (const _ of runs) assert.equal((await gate(w, 'alice', { pr: true }))[0], undefined, 'waiting');
    const before = w.fake.requestsFor('git/list-matching-refs').length;
    await commentAs(w, 'dave', '/approve-deploy production');
    assert.deepEqual(
      w.fake
        .repo()
        .protectionRuleReviews.map((r) => [r.runId, r.state])
        .sort(),
      runs.map((id) => [id, 'approved']),
    );
    assert.equal(w.fake.requestsFor('git/list-matching-refs').length - before, 1, 'one listing of the locks');
  }, WITH_APPROVAL);
});

test('protection rule: a run the App started for "Production" finds who asked the App for its `production` deployment', async () => {
  await run(async (w) => {
    await bobLocksProduction(w, 'incident 46');
    await commentAs(w, 'bob', '/deploy production');
    assert.ok(
      [...w.fake.repo().deployments.values()].some((d) => d.environment === 'production'),
      'the App deployed for bob under his lock',
    );
    // The App's deployment event started the run; GitHub made the job's deployment, named as the workflow
    // names the environment.
    const id = nextRun++;
    w.fake.addWorkflowRun({ id, headSha: HEAD, actor: BOT_LOGIN, event: 'deployment' });
    const review = await askProtectionRule(w.fake, w.probot, {
      run: id,
      event: 'deployment',
      environment: 'Production',
    });
    assert.equal(review.state, 'approved', `bob's deployment goes through his lock: ${review.comment}`);
  });
});

test('protection rule: a /lock the App released, its ref pointed back at its tag by hand, stops its old holder too', async () => {
  await run(async (w) => {
    await commentAs(w, 'bob', '/lock production');
    const tag = w.fake.repo().refs.get('deploy-locks/production');
    assert.ok(tag, 'bob holds the lock');
    await commentAs(w, 'bob', '/unlock production');
    assert.equal(w.fake.repo().refs.has('deploy-locks/production'), false, 'released');
    // Someone with push access points the ref at bob's old tag: its record still verifies.
    w.fake.repo().refs.set('deploy-locks/production', tag);
    for (const actor of ['bob', 'alice']) {
      const [state, comment] = await gate(w, actor);
      assert.equal(state, 'rejected', actor);
      assert.match(comment, /locked by `bob` \(a lock the App marked released: nobody holds it\)/);
      assert.match(comment, /nobody deploys there until `\/unlock` `production` `--force`/);
      // The holder its record names may finish the release (mayRelease): the words say so.
      assert.match(comment, /, or `bob`'s `\/unlock` finishing the release the App began\./);
    }
  });
});
