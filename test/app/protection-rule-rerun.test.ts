// A re-run ("Re-run jobs") of the workflow run of an App deployment that has already ended: its final status
// released its locks, so the protection rule finds nobody holding the environment. The re-run of the newest App
// deployment of the environment goes only holding its locks again (its staging environment's too), its
// deployment reopened (a `queued` status of the App's) so that its next final status releases them; a lock
// held by anyone else refuses it (`locked`), and a re-run of an older one is refused (`rerun_superseded`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Probot } from 'probot';
import { fakeSha } from '../fake-github/index.ts';
import type { FakeGitHub } from '../fake-github/index.ts';
import {
  BOT_LOGIN,
  HEAD,
  PR,
  deployYml,
  handClock,
  previewThroughProduction,
  repliesTo,
  rest,
  restWith,
  withSeededApp,
} from './helpers.ts';
import { askProtectionRule, finalStatus, receive } from './delivery-helpers.ts';
import { newerAppDeployment, rerunStanding, runDeploymentIn } from '../../app/deploy/rerun.ts';

type Json = Record<string, unknown>;

const OTHER_PR = 8;
const OTHER_HEAD = fakeSha('rerun-pr-8-head');

const CONFIG = deployYml(`
  production:
    approvals:
      deployers: [alice, bob]
      required: 0
`);
/** CONFIG with one approval, dave's, required for production: a gate waits for it. */
const WITH_APPROVAL = CONFIG.replace('required: 0', 'required: 1\n      approvers: [dave]');

const seed = (config: string): Parameters<typeof withSeededApp>[0] => ({
  config,
  collaborators: { alice: 'write', bob: 'write', dave: 'write' },
  pulls: [
    { number: PR, head: HEAD, user: 'carol' },
    { number: OTHER_PR, head: OTHER_HEAD, user: 'erin' },
  ],
});

const lockOf = (fake: FakeGitHub, environment: string) => fake.repo().refs.get(`deploy-locks/${environment}`);
const deploymentsTo = (fake: FakeGitHub, environment: string): Json[] =>
  [...fake.repo().deployments.values()].filter((d) => d.environment === environment);
/** The newest status of deployment `d`: its state and who wrote it. */
const newestStatus = (fake: FakeGitHub, d: Json) => {
  const status = fake
    .repo()
    .deploymentStatuses.get(d.id as number)
    ?.at(-1);
  return { state: status?.state, by: (status?.creator as { login?: string } | undefined)?.login };
};

/** The App's `deployment` ends: its runner's final status, and its delivery to the App. */
async function ends(fake: FakeGitHub, probot: Probot, deployment: Json): Promise<void> {
  const environment = deployment.environment as string;
  await rest(fake, 'POST', `/deployments/${String(deployment.id)}/statuses`, { state: 'success' });
  await receive(
    probot,
    'deployment_status',
    finalStatus(fake, deployment, 'success', new Date().toISOString(), environment),
  );
}

/** The run the App's deployment event started for `deployment`, asked about and answered (its first attempt). */
async function firstRun(fake: FakeGitHub, probot: Probot, deployment: Json): Promise<number> {
  const run = fake.addWorkflowRun({
    headSha: deployment.sha as string,
    actor: BOT_LOGIN,
    event: 'deployment',
  });
  const review = await askProtectionRule(fake, probot, ruleAsk(run.id, deployment));
  assert.equal(review.state, 'approved', `its first run goes through: ${review.comment}`);
  return run.id;
}

/**
 * alice's /deploy production; the run its deployment event started asks the rule for the deployment GitHub made
 * for the job (github-actions[bot]'s: the rule knows no App deployment id, and finds the App's by the run), is
 * approved, and alice's deployment ends. The App deployment, the run and what GitHub asked.
 */
async function jobDeploymentRunEnded(fake: FakeGitHub, probot: Probot) {
  await repliesTo(fake, probot, '/deploy production', 'alice');
  const [own] = deploymentsTo(fake, 'production');
  assert.ok(own);
  const run = fake.addWorkflowRun({ headSha: HEAD, actor: BOT_LOGIN, event: 'deployment' });
  const ask = {
    run: run.id,
    event: 'deployment',
    sha: HEAD,
    environment: 'production',
    deploymentId: 990001,
  };
  assert.equal((await askProtectionRule(fake, probot, ask)).state, 'approved');
  await ends(fake, probot, own);
  return { own, run, ask };
}

/** alice's /deploy production, its first run approved, and its end: the ended App deployment and its run. */
async function deployedAndEnded(fake: FakeGitHub, probot: Probot): Promise<{ own: Json; run: number }> {
  await repliesTo(fake, probot, '/deploy production', 'alice');
  const [own] = deploymentsTo(fake, 'production');
  assert.ok(own, "alice's deployment");
  const run = await firstRun(fake, probot, own);
  await ends(fake, probot, own);
  return { own, run };
}

const ruleAsk = (run: number, deployment: Json) => ({
  run,
  event: 'deployment',
  sha: deployment.sha as string,
  environment: deployment.environment as string,
  creator: { login: BOT_LOGIN, type: 'Bot' },
  deploymentId: deployment.id as number,
  payload: deployment.payload as Json,
});

/**
 * `by` re-runs workflow run `run` of `deployment` (attempt `attempt`): GitHub asks the rule again. Its newest
 * answer: [state, comment], the state undefined while it waits.
 */
async function reRun(
  fake: FakeGitHub,
  probot: Probot,
  run: number,
  deployment: Json,
  attempt = 2,
  by = 'dave',
): Promise<[string | undefined, string]> {
  const before = fake.repo().protectionRuleReviews.filter((r) => r.runId === run).length;
  fake.updateWorkflowRun(run, { runAttempt: attempt, triggeringActor: by });
  await askProtectionRule(fake, probot, ruleAsk(run, deployment));
  const reviews = fake.repo().protectionRuleReviews.filter((r) => r.runId === run);
  if (reviews.length === before) return [undefined, ''];
  return [reviews.at(-1)?.state, reviews.at(-1)?.comment ?? ''];
}

test('a re-run of the newest ended App deployment holds its lock again until its next final status; /deploy meanwhile is refused', async () => {
  await withSeededApp(seed(CONFIG), async (fake, probot) => {
    const { own, run } = await deployedAndEnded(fake, probot);
    assert.equal(lockOf(fake, 'production'), undefined, 'released at its final status');

    const [state, comment] = await reRun(fake, probot, run, own);
    assert.equal(state, 'approved', comment);
    assert.equal(lockOf(fake, 'production'), HEAD, 'the re-run holds production’s lock');
    assert.deepEqual(newestStatus(fake, own), { state: 'queued', by: BOT_LOGIN }, 'reopened by the App');

    // bob's /deploy of another commit meanwhile: refused, naming the re-run's deployment; nothing deployed.
    const refused = await repliesTo(fake, probot, '/deploy production', 'bob', OTHER_PR);
    assert.match(refused, /`locked`.*locked by a running deployment of `[0-9a-f]{12}` for @\u200D?alice/);
    assert.equal(deploymentsTo(fake, 'production').length, 1);

    // The re-run's final status releases the lock; bob deploys.
    await ends(fake, probot, own);
    assert.equal(lockOf(fake, 'production'), undefined, 'released at its next final status');
    await repliesTo(fake, probot, '/deploy production', 'bob', OTHER_PR);
    assert.equal(deploymentsTo(fake, 'production').length, 2);
  });
});

test("a re-run of an ended deployment of preview (staging: production) holds both locks again; production's lock held by another deployment refuses it, nothing half-held", async () => {
  await withSeededApp(seed(previewThroughProduction('required: 0')), async (fake, probot) => {
    await repliesTo(fake, probot, '/deploy preview', 'alice');
    const [preview] = deploymentsTo(fake, 'preview');
    assert.ok(preview, "alice's deployment of preview");
    const run = await firstRun(fake, probot, preview);
    await ends(fake, probot, preview);
    assert.equal(lockOf(fake, 'preview'), undefined);
    assert.equal(lockOf(fake, 'production'), undefined);

    // bob deploys another commit to production: it holds production's lock.
    await repliesTo(fake, probot, '/deploy production', 'bob', OTHER_PR);
    const [production] = deploymentsTo(fake, 'production');
    assert.ok(production, "bob's deployment of production");
    const [refused, why] = await reRun(fake, probot, run, preview);
    assert.equal(refused, 'rejected');
    assert.match(
      why,
      /`locked`.*staging environment `production`.*locked by a running deployment .* for @\u200D?bob/,
    );
    assert.equal(lockOf(fake, 'preview'), undefined, "preview's lock is not left held");
    assert.equal(lockOf(fake, 'production'), OTHER_HEAD, "bob's stays");
    assert.equal(newestStatus(fake, preview).state, 'success', 'not reopened');

    // Once bob's has ended, a re-run would put alice's older commit back on production: refused.
    await ends(fake, probot, production);
    const [state, comment] = await reRun(fake, probot, run, preview, 3);
    assert.equal(state, 'rejected', comment);
    assert.match(comment, /`rerun_superseded`.*newer deployment of `production`/);
    assert.equal(lockOf(fake, 'preview'), undefined);
    assert.equal(lockOf(fake, 'production'), undefined);
  });
});

test('a re-run of an ended deployment of preview (staging: production), the newest of both, holds both locks again; its final status releases both', async () => {
  await withSeededApp(seed(previewThroughProduction('required: 0')), async (fake, probot) => {
    await repliesTo(fake, probot, '/deploy preview', 'alice');
    const [preview] = deploymentsTo(fake, 'preview');
    assert.ok(preview);
    const run = await firstRun(fake, probot, preview);
    await ends(fake, probot, preview);
    const [state, comment] = await reRun(fake, probot, run, preview);
    assert.equal(state, 'approved', comment);
    assert.equal(lockOf(fake, 'preview'), HEAD);
    assert.equal(lockOf(fake, 'production'), HEAD, "production's too: its run changes production first");
    assert.match(
      await repliesTo(fake, probot, '/deploy production', 'bob', OTHER_PR),
      /`locked`.*to preview, which deploys production first/,
    );
    await ends(fake, probot, preview);
    assert.equal(lockOf(fake, 'preview'), undefined);
    assert.equal(lockOf(fake, 'production'), undefined);
  });
});

test("a re-run under someone's /lock is refused `locked`; once it is released, the re-run holds the environment's lock", async () => {
  await withSeededApp(seed(CONFIG), async (fake, probot) => {
    const { own, run } = await deployedAndEnded(fake, probot);
    await repliesTo(fake, probot, '/lock production --reason "incident 9"', 'bob');
    const [refused, why] = await reRun(fake, probot, run, own);
    assert.equal(refused, 'rejected');
    assert.match(why, /`locked`.*`production` is locked by @\u200D?bob/);
    assert.equal(newestStatus(fake, own).state, 'success', 'not reopened');
    await repliesTo(fake, probot, '/unlock production', 'bob');
    assert.equal(lockOf(fake, 'production'), undefined);
    const [state, comment] = await reRun(fake, probot, run, own, 3);
    assert.equal(state, 'approved', comment);
    assert.equal(lockOf(fake, 'production'), HEAD);
  });
});

test("a re-run under its deployer's own /lock deploys under it; their /unlock while it runs hands the lock to it, and its final status releases it", async () => {
  const c = handClock('2026-12-01T10:00:00Z');
  await withSeededApp(
    { ...seed(CONFIG), fake: { now: c.now }, app: { now: c.now } },
    async (fake, probot) => {
      await repliesTo(fake, probot, '/deploy production', 'alice');
      const [own] = deploymentsTo(fake, 'production');
      assert.ok(own);
      const run = await firstRun(fake, probot, own);
      await ends(fake, probot, own);
      // An hour later: the deployment was made long before the lock.
      c.tick(3_600_000);
      await repliesTo(fake, probot, '/lock production --reason "hotfix"', 'alice');
      // alice re-runs her own deployment's run under her lock: it goes, reopened, with no lock of its own.
      const [state, comment] = await reRun(fake, probot, run, own, 2, 'alice');
      assert.equal(state, 'approved', comment);
      assert.deepEqual(newestStatus(fake, own), { state: 'queued', by: BOT_LOGIN });

      // Her /unlock while it deploys: made before her lock, reopened under it, it keeps production locked.
      const unlocked = await repliesTo(fake, probot, '/unlock production', 'alice');
      assert.match(
        unlocked,
        new RegExp(
          `Deployment \\*\\*\\\\#\u200D${String(own.id)}\\*\\* made under that lock is still running`,
        ),
      );
      assert.equal(lockOf(fake, 'production'), HEAD, 'handed to the re-run');
      const refused = await repliesTo(fake, probot, '/deploy production', 'bob', OTHER_PR);
      assert.match(refused, /`locked`/);

      await ends(fake, probot, own);
      assert.equal(lockOf(fake, 'production'), undefined, 'released at its final status');
    },
  );
});

test("a re-run under its deployer's own /lock is named running, now without a lock, when that lock is forced off", async () => {
  const c = handClock('2026-12-01T10:00:00Z');
  await withSeededApp(
    {
      ...seed(CONFIG),
      collaborators: { alice: 'maintain', bob: 'write', dave: 'write' },
      fake: { now: c.now },
      app: { now: c.now },
    },
    async (fake, probot) => {
      await repliesTo(fake, probot, '/deploy production', 'alice');
      const [own] = deploymentsTo(fake, 'production');
      assert.ok(own);
      const run = await firstRun(fake, probot, own);
      await ends(fake, probot, own);
      c.tick(3_600_000);
      await repliesTo(fake, probot, '/lock production', 'alice');
      const [state, comment] = await reRun(fake, probot, run, own, 2, 'alice');
      assert.equal(state, 'approved', comment);

      // Forced off while the re-run deploys under it: nothing keeps another deployment out, and the answer says so.
      const forced = await repliesTo(fake, probot, '/unlock production --force', 'alice');
      assert.equal(lockOf(fake, 'production'), undefined, forced);
      assert.match(
        forced,
        new RegExp(
          `Deployment \\*\\*\\\\#\u200D${String(own.id)}\\*\\* made under that lock is still running, now without a lock`,
        ),
      );
    },
  );
});

test("a deployment made before a person's /lock that never ended is not handed their lock at /unlock", async () => {
  const c = handClock('2026-12-01T10:00:00Z');
  await withSeededApp(
    {
      ...seed(CONFIG),
      collaborators: { alice: 'maintain', bob: 'write', dave: 'write' },
      fake: { now: c.now },
      app: { now: c.now },
    },
    async (fake, probot) => {
      await repliesTo(fake, probot, '/deploy production', 'alice');
      const [own] = deploymentsTo(fake, 'production');
      assert.ok(own);
      // Its run never posts a final status; its lock is forced off, then bob locks and unlocks production.
      const forced = await repliesTo(fake, probot, '/unlock production --force', 'alice');
      assert.equal(lockOf(fake, 'production'), undefined, forced);
      c.tick(3_600_000);
      await repliesTo(fake, probot, '/lock production', 'bob');
      const unlocked = await repliesTo(fake, probot, '/unlock production', 'bob');
      assert.doesNotMatch(unlocked, /still running/);
      assert.equal(lockOf(fake, 'production'), undefined, 'nothing keeps production locked');
    },
  );
});

test('a re-run of an older ended deployment after a newer one is refused `rerun_superseded`, naming the newer one; nothing is locked', async () => {
  await withSeededApp(seed(CONFIG), async (fake, probot) => {
    await repliesTo(fake, probot, '/deploy production', 'alice');
    const [first] = deploymentsTo(fake, 'production');
    assert.ok(first);
    const run = await firstRun(fake, probot, first);
    await ends(fake, probot, first);
    await repliesTo(fake, probot, '/deploy production', 'bob', OTHER_PR);
    const [, second] = deploymentsTo(fake, 'production');
    assert.ok(second, "bob's newer deployment");
    await ends(fake, probot, second);

    const [state, comment] = await reRun(fake, probot, run, first);
    assert.equal(state, 'rejected');
    assert.match(comment, /`rerun_superseded`/);
    assert.match(comment, new RegExp(`deployment #${String(second.id)}\\b`));
    assert.match(comment, /\/deploy production.*\/rollback production/);
    assert.equal(lockOf(fake, 'production'), undefined, 'nothing locked');
    // Not reopened (GitHub made it inactive when bob's succeeded).
    assert.equal(newestStatus(fake, first).state, 'inactive');
  });
});

test('a re-run of an ended deployment of production after a newer one of preview (staging: production) is refused `rerun_superseded`: that run put a newer version on production', async () => {
  await withSeededApp(seed(previewThroughProduction('required: 0')), async (fake, probot) => {
    await repliesTo(fake, probot, '/deploy production', 'alice');
    const [production] = deploymentsTo(fake, 'production');
    assert.ok(production, "alice's deployment of production");
    const run = await firstRun(fake, probot, production);
    await ends(fake, probot, production);
    // bob deploys preview, whose run deploys production first: production now runs bob's newer commit.
    await repliesTo(fake, probot, '/deploy preview', 'bob', OTHER_PR);
    const [preview] = deploymentsTo(fake, 'preview');
    assert.ok(preview, "bob's deployment of preview");
    await ends(fake, probot, preview);

    const [state, comment] = await reRun(fake, probot, run, production);
    assert.equal(state, 'rejected', comment);
    assert.match(comment, /`rerun_superseded`/);
    assert.match(
      comment,
      new RegExp(
        `newer deployment of \`preview\`, which deploys \`production\` first, since \\(deployment #${String(preview.id)}\\)`,
      ),
    );
    assert.equal(lockOf(fake, 'production'), undefined, 'nothing locked');
    assert.equal(newestStatus(fake, production).state, 'success', 'not reopened');
  });
});

test('a lock taken between the rule reading the locks and the re-run taking them refuses it; nothing is left locked by the re-run', async () => {
  await withSeededApp(seed(previewThroughProduction('required: 0')), async (fake, probot) => {
    await repliesTo(fake, probot, '/deploy preview', 'alice');
    const [preview] = deploymentsTo(fake, 'preview');
    assert.ok(preview);
    const run = await firstRun(fake, probot, preview);
    await ends(fake, probot, preview);
    // Another start takes production's lock (for OTHER_HEAD) just before the re-run's create of it arrives.
    let raced = false;
    fake.failNext({
      status: 500,
      operationId: 'git/create-ref',
      where: (request) => {
        if (!raced && (request.body as { ref?: string } | null)?.ref === 'refs/deploy-locks/production') {
          raced = true;
          fake.repo().refs.set('deploy-locks/production', OTHER_HEAD);
        }
        return false;
      },
    });
    const [state, comment] = await reRun(fake, probot, run, preview);
    assert.ok(raced, 'the race happened');
    assert.equal(state, 'rejected', comment);
    assert.match(comment, /`locked`.*`production`/);
    assert.equal(lockOf(fake, 'preview'), undefined, "the re-run gave preview's lock back");
    assert.equal(lockOf(fake, 'production'), OTHER_HEAD, 'the other start keeps its lock');
    assert.equal(newestStatus(fake, preview).state, 'success', 'not reopened');
  });
});

test('a reopening GitHub refuses gives the re-run’s locks back and leaves the run unanswered; one whose answer is lost keeps them', async () => {
  await withSeededApp(seed(previewThroughProduction('required: 0')), async (fake, probot) => {
    await repliesTo(fake, probot, '/deploy preview', 'alice');
    const [preview] = deploymentsTo(fake, 'preview');
    assert.ok(preview);
    const run = await firstRun(fake, probot, preview);
    await ends(fake, probot, preview);
    const reviews = () => fake.repo().protectionRuleReviews.filter((r) => r.runId === run).length;

    fake.failNext({ status: 422, operationId: 'repos/create-deployment-status' });
    await assert.rejects(reRun(fake, probot, run, preview), 'the delivery fails (GitHub redelivers it)');
    assert.equal(reviews(), 1, 'the re-run is not answered');
    assert.equal(lockOf(fake, 'preview'), undefined, 'both locks given back');
    assert.equal(lockOf(fake, 'production'), undefined);
    assert.equal(newestStatus(fake, preview).state, 'success');

    // Written, its answer lost, and reading it back fails too: the deployment may read as running, so it
    // keeps its locks (its final status, or --force, releases them).
    fake.failNext({
      status: 502,
      operationId: 'repos/create-deployment-status',
      afterWrite: true,
      times: 20,
    });
    fake.failNext({
      status: 502,
      operationId: 'repos/list-deployment-statuses',
      where: (request) => request.query.per_page === '1',
      times: 20,
    });
    await assert.rejects(reRun(fake, probot, run, preview, 3));
    assert.equal(lockOf(fake, 'preview'), HEAD);
    assert.equal(lockOf(fake, 'production'), HEAD);
    assert.equal(newestStatus(fake, preview).state, 'queued');
  });
});

test('a re-run waiting for approvals takes its lock when the approval answers it; one whose run ended meanwhile gives it back', async () => {
  const c = handClock('2026-12-01T10:00:00Z');
  const config = WITH_APPROVAL.replace('approvers: [dave]', 'approvers: [dave]\n      expires_after: 1h');
  await withSeededApp(
    { ...seed(CONFIG), fake: { now: c.now }, app: { now: c.now } },
    async (fake, probot) => {
      await repliesTo(fake, probot, '/deploy production', 'alice');
      const [own] = deploymentsTo(fake, 'production');
      assert.ok(own);
      const run = await firstRun(fake, probot, own);
      await ends(fake, probot, own);

      fake.setFile('.github/deploy.yml', config);
      // bob re-runs it (dave, who re-ran it, could not approve it himself).
      assert.deepEqual(
        await reRun(fake, probot, run, own, 2, 'bob'),
        [undefined, ''],
        'waits for an approval',
      );
      assert.equal(lockOf(fake, 'production'), undefined, 'nothing taken while it waits');
      await repliesTo(fake, probot, '/approve-deploy production', 'dave');
      const answer = fake.repo().protectionRuleReviews.findLast((r) => r.runId === run);
      assert.equal(answer?.state, 'approved', answer?.comment);
      assert.equal(lockOf(fake, 'production'), HEAD, 'the approved re-run holds the lock');
      assert.equal(newestStatus(fake, own).state, 'queued');
      await ends(fake, probot, own);
      assert.equal(lockOf(fake, 'production'), undefined);

      // Re-run again once dave's approval has expired: it waits; the run is cancelled before the next approval.
      c.tick(2 * 3_600_000);
      assert.deepEqual(await reRun(fake, probot, run, own, 3, 'bob'), [undefined, ''], 'waits again');
      fake.updateWorkflowRun(run, { status: 'completed', conclusion: 'cancelled' });
      await repliesTo(fake, probot, '/approve-deploy production', 'dave');
      assert.equal(lockOf(fake, 'production'), undefined, 'given back');
      assert.deepEqual(
        newestStatus(fake, own),
        { state: 'success', by: BOT_LOGIN },
        'ended again, as it had ended',
      );
    },
  );
});

test('rerunStanding: only an ended deployment is a re-run; a newer App deployment, or one the listing cannot rule out, supersedes it', () => {
  const deployment = { id: 10, environment: 'production', sha: 'a'.repeat(40) };
  const app = { login: BOT_LOGIN };
  const mine = { creator: { login: BOT_LOGIN, type: 'Bot' } };
  const theirs = { creator: { login: 'github-actions[bot]', type: 'Bot' } };
  assert.deepEqual(
    newerAppDeployment(
      [
        { id: 12, ...theirs },
        { id: 11, ...mine },
        { id: 10, ...mine },
      ],
      10,
      app,
    ),
    {
      newer: 11,
      reached: true,
    },
  );
  assert.deepEqual(
    newerAppDeployment(
      [
        { id: 12, ...theirs },
        { id: 10, ...mine },
      ],
      10,
      app,
    ),
    { reached: true },
  );
  assert.deepEqual(newerAppDeployment([{ id: 12, ...theirs }], 10, app), { reached: false });
  assert.deepEqual(rerunStanding({ deployment, ended: false, newer: { newer: 11, reached: true } }), {
    kind: 'running',
  });
  assert.deepEqual(rerunStanding({ deployment, ended: true, newer: { reached: true } }), {
    kind: 'rerun',
    deployment,
  });
  assert.deepEqual(rerunStanding({ deployment, ended: true, newer: { newer: 11, reached: true } }), {
    kind: 'superseded',
    deployment,
    newer: 11,
    of: 'production',
  });
  assert.deepEqual(rerunStanding({ deployment, ended: true, newer: { reached: false, of: 'preview' } }), {
    kind: 'superseded',
    deployment,
    of: 'preview',
  });
  // A deployment of an environment that deploys production first counts only when its payload says so.
  const staged = (id: number, staging?: string) => ({
    id,
    ...mine,
    environment: 'preview',
    payload: staging ? { staging } : {},
  });
  assert.deepEqual(newerAppDeployment([staged(12), staged(11, 'production')], 10, app, 'production'), {
    newer: 11,
    reached: true,
  });
  assert.deepEqual(newerAppDeployment([staged(12, 'qa')], 10, app, 'production'), { reached: false });
  assert.deepEqual(
    rerunStanding({
      deployment,
      ended: true,
      newer: { newer: 11, reached: true, of: 'production', through: 'preview' },
    }),
    { kind: 'superseded', deployment, newer: 11, of: 'production', through: 'preview' },
  );
});

test("the first run's final status delivered again (or late) after the re-run reopened the deployment leaves the re-run's locks held", async () => {
  await withSeededApp(seed(previewThroughProduction('required: 0')), async (fake, probot) => {
    await repliesTo(fake, probot, '/deploy preview', 'alice');
    const [preview] = deploymentsTo(fake, 'preview');
    assert.ok(preview);
    const run = await firstRun(fake, probot, preview);
    await rest(fake, 'POST', `/deployments/${String(preview.id)}/statuses`, { state: 'success' });
    const posted = fake
      .repo()
      .deploymentStatuses.get(preview.id as number)!
      .at(-1)!;
    const firstEnd = finalStatus(fake, preview, 'success', posted.created_at as string, 'preview');
    (firstEnd.deployment_status as Json).id = posted.id;
    await receive(probot, 'deployment_status', firstEnd);
    assert.equal(lockOf(fake, 'preview'), undefined);

    const [state, comment] = await reRun(fake, probot, run, preview);
    assert.equal(state, 'approved', comment);
    assert.equal(lockOf(fake, 'preview'), HEAD);
    assert.equal(lockOf(fake, 'production'), HEAD);

    // GitHub redelivers the first run's `success` (or its first delivery comes late): the deployment runs again.
    await receive(probot, 'deployment_status', firstEnd);
    assert.equal(lockOf(fake, 'preview'), HEAD, "the re-run keeps preview's lock");
    assert.equal(lockOf(fake, 'production'), HEAD, "and production's");

    // Its own final status releases both.
    await ends(fake, probot, preview);
    assert.equal(lockOf(fake, 'preview'), undefined);
    assert.equal(lockOf(fake, 'production'), undefined);
  });
});

test("a first run's gate whose deployment holds the lock reads its statuses once (the holder's lookup): judging it no re-run costs no request more", async () => {
  await withSeededApp(seed(previewThroughProduction('required: 0')), async (fake, probot) => {
    await repliesTo(fake, probot, '/deploy preview', 'alice');
    const [preview] = deploymentsTo(fake, 'preview');
    assert.ok(preview);
    const mark = fake.requests.length;
    await firstRun(fake, probot, preview);
    const asked = fake.requests.slice(mark).map((r) => r.operationId ?? '');
    // Until the approval's own status: one read, the holder's lookup. The approval reads them once more right
    // before it names the run (app/deploy/run-record.ts approvalNaming: whether another run is named there).
    const naming = asked.indexOf('repos/create-deployment-status');
    assert.ok(naming > 0, asked.join('\n'));
    const statusReads = asked.slice(0, naming).filter((r) => r === 'repos/list-deployment-statuses');
    assert.equal(statusReads.length, 2, asked.join('\n'));
    assert.equal(asked[naming - 1], 'repos/list-deployment-statuses', 'the second, right before the write');
  });
});

test("a re-run of a run the App's deployment event started, for a deployment GitHub made for the job, is judged by the App's deployment of the run: it holds its lock again, or is refused when superseded", async () => {
  await withSeededApp(seed(CONFIG), async (fake, probot) => {
    const { own, run, ask } = await jobDeploymentRunEnded(fake, probot);
    assert.equal(lockOf(fake, 'production'), undefined);

    fake.updateWorkflowRun(run.id, { runAttempt: 2, triggeringActor: 'dave' });
    await askProtectionRule(fake, probot, { ...ask, deploymentId: 990002 });
    const answer = fake.repo().protectionRuleReviews.findLast((r) => r.runId === run.id);
    assert.equal(answer?.state, 'approved', answer?.comment);
    assert.equal(lockOf(fake, 'production'), HEAD, "the re-run holds production's lock");
    assert.deepEqual(newestStatus(fake, own), { state: 'queued', by: BOT_LOGIN }, 'reopened by the App');
    await ends(fake, probot, own);
    assert.equal(lockOf(fake, 'production'), undefined);

    // bob deploys another commit; a re-run of alice's run now would put it back: refused.
    await repliesTo(fake, probot, '/deploy production', 'bob', OTHER_PR);
    const [, second] = deploymentsTo(fake, 'production');
    assert.ok(second);
    await ends(fake, probot, second);
    fake.updateWorkflowRun(run.id, { runAttempt: 3, triggeringActor: 'dave' });
    await askProtectionRule(fake, probot, { ...ask, deploymentId: 990003 });
    const refused = fake.repo().protectionRuleReviews.findLast((r) => r.runId === run.id);
    assert.equal(refused?.state, 'rejected');
    assert.match(
      refused?.comment ?? '',
      new RegExp(`\`rerun_superseded\`.*deployment #${String(second.id)}\\b`),
    );
    assert.equal(lockOf(fake, 'production'), undefined, 'nothing locked');
  });
});

test("runDeploymentIn: a run's App deployment is the App's newest made no later than the run; a listing short of it cannot tell", () => {
  const app = { login: BOT_LOGIN };
  const at = (m: number) => `2026-12-01T10:${String(m).padStart(2, '0')}:00Z`;
  const d = (id: number, m: number, login = BOT_LOGIN) => ({
    id,
    sha: 'a'.repeat(40),
    created_at: at(m),
    creator: { login, type: 'Bot' },
  });
  const listed = [d(5, 9), d(4, 6, 'github-actions[bot]'), d(3, 5), d(2, 1)];
  assert.equal(runDeploymentIn(listed, at(7), app).found?.id, 3, 'not the later one, not GitHub’s');
  assert.equal(runDeploymentIn(listed, at(5), app).found?.id, 3, 'made in the same second');
  assert.deepEqual(runDeploymentIn(listed.slice(0, 2), at(7), app), { reached: false });
  assert.deepEqual(runDeploymentIn(listed, 'not a time', app), { reached: true });
});

test('a re-run of preview (staging: production) after a newer App deployment of production is refused `rerun_superseded`: it would put the older version back on production first', async () => {
  await withSeededApp(seed(previewThroughProduction('required: 0')), async (fake, probot) => {
    await repliesTo(fake, probot, '/deploy preview', 'alice');
    const [preview] = deploymentsTo(fake, 'preview');
    assert.ok(preview);
    const run = await firstRun(fake, probot, preview);
    await ends(fake, probot, preview);
    await repliesTo(fake, probot, '/deploy production', 'bob', OTHER_PR);
    const [production] = deploymentsTo(fake, 'production');
    assert.ok(production, "bob's deployment of production");
    await ends(fake, probot, production);

    const [state, comment] = await reRun(fake, probot, run, preview);
    assert.equal(state, 'rejected', comment);
    assert.match(
      comment,
      new RegExp(
        `\`rerun_superseded\`.*newer deployment of \`production\` \\(the staging environment its run changes first\\) since \\(deployment #${String(production.id)}\\)`,
      ),
    );
    assert.equal(lockOf(fake, 'preview'), undefined, 'nothing locked');
    assert.equal(lockOf(fake, 'production'), undefined);
    assert.equal(newestStatus(fake, preview).state, 'success', 'not reopened');
  });
});

test('a re-run approved after its run ended gives its locks back even when ending the deployment again fails', async () => {
  const c = handClock('2026-12-01T10:00:00Z');
  await withSeededApp(
    { ...seed(CONFIG), fake: { now: c.now }, app: { now: c.now } },
    async (fake, probot) => {
      await repliesTo(fake, probot, '/deploy production', 'alice');
      const [own] = deploymentsTo(fake, 'production');
      assert.ok(own);
      const run = await firstRun(fake, probot, own);
      await ends(fake, probot, own);
      fake.setFile('.github/deploy.yml', WITH_APPROVAL);
      assert.deepEqual(await reRun(fake, probot, run, own, 2, 'bob'), [undefined, ''], 'waits');
      fake.updateWorkflowRun(run, { status: 'completed', conclusion: 'cancelled' });
      // The reopening is written; ending it again is refused.
      fake.failNext({
        status: 500,
        operationId: 'repos/create-deployment-status',
        where: (request) => (request.body as { state?: string } | null)?.state !== 'queued',
        times: 20,
      });
      await repliesTo(fake, probot, '/approve-deploy production', 'dave').catch(() => undefined);
      assert.equal(lockOf(fake, 'production'), undefined, 'nothing will deploy: the lock is given back');
    },
  );
});

/** Someone with write access deletes `deployment` (GitHub lets them: inactive, or the only one of its environment). */
async function deletes(fake: FakeGitHub, deployment: Json): Promise<void> {
  const res = await restWith(fake, 'workflow-token', 'DELETE', `/deployments/${String(deployment.id)}`);
  assert.equal(res.status, 204, await res.text());
}

test('a re-run of an ended App deployment someone has deleted since is refused `deployment_gone`; nothing is locked', async () => {
  await withSeededApp(seed(CONFIG), async (fake, probot) => {
    const { own, run } = await deployedAndEnded(fake, probot);
    // The only deployment of production: GitHub lets it be deleted although it is not inactive.
    await deletes(fake, own);

    const [state, comment] = await reRun(fake, probot, run, own);
    assert.equal(state, 'rejected', comment);
    assert.match(comment, new RegExp(`\`deployment_gone\`.*deployment #${String(own.id)}\\b.*deleted`));
    assert.match(comment, /Use `\/deploy production` instead/);
    assert.equal(lockOf(fake, 'production'), undefined, 'nothing locked');
  });
});

test('a re-run of an older App deployment deleted once it was inactive is refused `deployment_gone`, not let through past the newer one', async () => {
  await withSeededApp(seed(CONFIG), async (fake, probot) => {
    await repliesTo(fake, probot, '/deploy production', 'alice');
    const [first] = deploymentsTo(fake, 'production');
    assert.ok(first);
    const run = await firstRun(fake, probot, first);
    await ends(fake, probot, first);
    await repliesTo(fake, probot, '/deploy production', 'bob', OTHER_PR);
    const [, second] = deploymentsTo(fake, 'production');
    assert.ok(second);
    await ends(fake, probot, second);
    assert.equal(newestStatus(fake, first).state, 'inactive', "GitHub made it inactive at bob's success");
    await deletes(fake, first);

    const [state, comment] = await reRun(fake, probot, run, first);
    assert.equal(state, 'rejected', comment);
    assert.match(comment, /`deployment_gone`/);
    assert.equal(lockOf(fake, 'production'), undefined, 'nothing locked');
  });
});

test('a re-run waiting for approvals whose App deployment is deleted meanwhile is refused `deployment_gone` when the approval comes; nothing is locked', async () => {
  await withSeededApp(seed(CONFIG), async (fake, probot) => {
    const { own, run } = await deployedAndEnded(fake, probot);
    fake.setFile('.github/deploy.yml', WITH_APPROVAL);
    assert.deepEqual(await reRun(fake, probot, run, own, 2, 'bob'), [undefined, ''], 'waits');
    await deletes(fake, own);

    await repliesTo(fake, probot, '/approve-deploy production', 'dave');
    const answer = fake.repo().protectionRuleReviews.findLast((r) => r.runId === run);
    assert.equal(answer?.state, 'rejected', answer?.comment);
    assert.match(answer?.comment ?? '', new RegExp(`\`deployment_gone\`.*deployment #${String(own.id)}\\b`));
    assert.equal(lockOf(fake, 'production'), undefined, 'nothing locked');
  });
});

test("a re-run of a run the App's deployment event started, whose App deployment GitHub answers 404 for once found, is refused `deployment_gone`", async () => {
  await withSeededApp(seed(CONFIG), async (fake, probot) => {
    const { own, run, ask } = await jobDeploymentRunEnded(fake, probot);

    // Deleted between the listing that found it and the read of its statuses: every read by its id is a 404.
    const statusesOf = `/deployments/${String(own.id)}/statuses`;
    fake.failNext({
      status: 404,
      operationId: 'repos/list-deployment-statuses',
      where: (request) => request.path.endsWith(statusesOf),
      times: 20,
    });
    fake.updateWorkflowRun(run.id, { runAttempt: 2, triggeringActor: 'dave' });
    await askProtectionRule(fake, probot, { ...ask, deploymentId: 990002 });
    const answer = fake.repo().protectionRuleReviews.findLast((r) => r.runId === run.id);
    assert.equal(answer?.state, 'rejected', answer?.comment);
    assert.match(answer?.comment ?? '', new RegExp(`\`deployment_gone\`.*deployment #${String(own.id)}\\b`));
    assert.equal(lockOf(fake, 'production'), undefined, 'nothing locked');
  });
});

test('a deployment GitHub answers 404 for a few times (its reads lagging) is read again by its id: a re-run of it is judged a re-run and holds its lock', async () => {
  await withSeededApp(seed(CONFIG), async (fake, probot) => {
    const { own, run } = await deployedAndEnded(fake, probot);

    const statusesOf = `/deployments/${String(own.id)}/statuses`;
    fake.failNext({
      status: 404,
      operationId: 'repos/list-deployment-statuses',
      where: (request) => request.path.endsWith(statusesOf),
      times: 3,
    });
    const [state, comment] = await reRun(fake, probot, run, own);
    assert.equal(state, 'approved', comment);
    assert.equal(lockOf(fake, 'production'), HEAD, 'the re-run holds production’s lock');
    assert.deepEqual(newestStatus(fake, own), { state: 'queued', by: BOT_LOGIN }, 'reopened by the App');
  });
});

test("a first run under its deployer's /lock whose new App deployment GitHub answers 404 for at first (its reads lagging) is not refused as deleted", async () => {
  await withSeededApp(seed(CONFIG), async (fake, probot) => {
    await repliesTo(fake, probot, '/lock production --reason "release"', 'alice');
    await repliesTo(fake, probot, '/deploy production', 'alice');
    const [own] = deploymentsTo(fake, 'production');
    assert.ok(own, "alice's deployment under her /lock");
    const statusesOf = `/deployments/${String(own.id)}/statuses`;
    fake.failNext({
      status: 404,
      operationId: 'repos/list-deployment-statuses',
      where: (request) => request.path.endsWith(statusesOf),
      times: 2,
    });
    const runOf = fake.addWorkflowRun({ headSha: HEAD, actor: BOT_LOGIN, event: 'deployment' });
    const mark = fake.requests.length;
    const review = await askProtectionRule(fake, probot, ruleAsk(runOf.id, own));
    assert.equal(review.state, 'approved', review.comment);
    // Its reads: the App's approval then reads them once more and names the run on it (app/deploy/run-ended.ts).
    const reads = fake.requests
      .slice(mark)
      .filter((r) => r.path.endsWith(statusesOf) && r.operationId === 'repos/list-deployment-statuses');
    assert.deepEqual(
      reads.map((r) => r.status),
      [404, 404, 200, 200],
      'its statuses read again until GitHub has them',
    );
  });
});
