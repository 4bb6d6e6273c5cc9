// A /deploy whose deployment GitHub creates although it answers 5xx (its answer lost) must not be taken for
// one that was never made: the App would release the environment's lock under a running deployment (a second
// /deploy could then start another at once) and tell the pull request that nothing was created.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseStatusComment } from '../../src/github/status-comment.ts';
import { fakeSha } from '../fake-github/index.ts';
import type { FakeGitHub } from '../fake-github/index.ts';
import {
  BOT_LOGIN,
  HEAD,
  PR,
  appReplies,
  commentOnPull,
  deployYml,
  repliesTo,
  rest,
  withSeededApp,
} from './helpers.ts';
import { receive } from './delivery-helpers.ts';

const SEED = {
  config: deployYml(`
  staging:
    approvals:
      deployers: [alice]
      required: 0
`),
  collaborators: { alice: 'write' as const },
  pulls: [{ number: PR, head: HEAD, user: 'alice' }],
};

/** Alice and bob both deploy staging; bob's pull request is #8. */
const TWO_DEPLOYERS = {
  ...SEED,
  collaborators: { alice: 'write' as const, bob: 'write' as const },
  pulls: [...SEED.pulls, { number: 8, head: fakeSha('pr-8-head'), user: 'bob' }],
  config: deployYml(`
  staging:
    approvals:
      deployers: [alice, bob]
      required: 0
`),
};

test('/deploy: the last try at creating the deployment lands with its answer lost: found, the lock kept, nobody told it failed', async () => {
  await withSeededApp(SEED, async (fake, probot) => {
    // Two tries GitHub fails before creating anything; the third creates the deployment and answers 502.
    fake.failNext({ status: 502, times: 2, operationId: 'repos/create-deployment' });
    fake.failNext({ status: 502, operationId: 'repos/create-deployment', afterWrite: true });
    const { payload } = commentOnPull(fake, '/deploy staging', { user: 'alice' });
    // The delivery succeeds: nothing failed that anyone need be told of.
    await receive(probot, 'issue_comment', payload);

    const deployments = [...fake.repo().deployments.values()];
    assert.equal(deployments.length, 1, 'one deployment');
    assert.equal(
      fake.repo().refs.get('deploy-locks/staging'),
      HEAD,
      'the environment stays locked while the deployment runs (its final status releases it)',
    );
    assert.deepEqual(
      appReplies(fake).filter((r) => r.startsWith('**Failed**')),
      [],
      'nobody is told it failed',
    );
    const status = [...fake.repo().comments.values()].find(
      (c) =>
        (c.user as { login: string }).login === BOT_LOGIN &&
        String(c.body).startsWith('<!-- deploy-action:status'),
    );
    assert.equal(parseStatusComment(String(status?.body), 'staging')?.state, 'queued');
  });
});

test('/deploy: the deployment made with its answer lost while GitHub fails every lookup: the lock stays, so no second deployment starts beside it', async () => {
  await withSeededApp(TWO_DEPLOYERS, async (fake, probot) => {
    // GitHub makes the deployment and answers 502; from then on it fails every listing of deployments, so
    // whether it was made cannot be told.
    fake.failNext({ status: 502, operationId: 'repos/create-deployment', afterWrite: true });
    let down = true;
    fake.failNext({
      status: 502,
      times: 1_000_000,
      operationId: 'repos/list-deployments',
      where: () => down && fake.requestsFor('repos/create-deployment').length > 0,
    });
    const { payload } = commentOnPull(fake, '/deploy staging', { user: 'alice' });
    await assert.rejects(
      receive(probot, 'issue_comment', payload),
      'the delivery fails, for GitHub to show it',
    );
    assert.equal(fake.repo().deployments.size, 1, 'GitHub made it');
    assert.equal(fake.repo().refs.get('deploy-locks/staging'), HEAD, 'the lock stays with its commit');
    const status = [...fake.repo().comments.values()].find(
      (c) =>
        (c.user as { login: string }).login === BOT_LOGIN &&
        String(c.body).startsWith('<!-- deploy-action:status'),
    );
    const state = parseStatusComment(String(status?.body), 'staging');
    assert.equal(state?.state, 'error');
    assert.match(
      state?.description ?? '',
      /^whether the deployment was created is not known \(GitHub answered HTTP 502\): the environment stays locked until its final status/,
    );
    const [failed] = appReplies(fake).filter((r) => r.startsWith('**Failed**'));
    assert.match(
      failed ?? '',
      /it asked GitHub for a deployment \(the status comment on this pull request says whether one was made\)/,
    );

    // GitHub is back: bob's /deploy of the same environment from another pull request waits its turn.
    down = false;
    const other = commentOnPull(fake, '/deploy staging', { user: 'bob', number: 8 });
    await receive(probot, 'issue_comment', other.payload);
    assert.equal(fake.repo().deployments.size, 1, 'no second deployment beside the first');
    assert.ok(
      appReplies(fake).some((r) => /`locked`/.test(r)),
      appReplies(fake).join('\n---\n'),
    );
  });
});

test('/deploy: the deployment made with its answer lost while GitHub rate-limits the lookup (403, secondary): the lock stays, not released under it', async () => {
  await withSeededApp(SEED, async (fake, probot) => {
    fake.failNext({ status: 502, operationId: 'repos/create-deployment', afterWrite: true });
    fake.failNext({
      status: 403,
      secondaryRateLimit: true,
      retryAfterSeconds: 0,
      times: 1_000,
      operationId: 'repos/list-deployments',
      where: () => fake.requestsFor('repos/create-deployment').length > 0,
    });
    const { payload } = commentOnPull(fake, '/deploy staging', { user: 'alice' });
    await assert.rejects(receive(probot, 'issue_comment', payload));
    assert.equal(fake.repo().deployments.size, 1, 'GitHub made it');
    assert.equal(
      fake.repo().refs.get('deploy-locks/staging'),
      HEAD,
      'the lock stays: a deployment may run under it',
    );
    const status = [...fake.repo().comments.values()].find(
      (c) =>
        (c.user as { login: string }).login === BOT_LOGIN &&
        String(c.body).startsWith('<!-- deploy-action:status'),
    );
    assert.match(
      parseStatusComment(String(status?.body), 'staging')?.description ?? '',
      /^whether the deployment was created is not known/,
    );
  });
});

/** Fails the create of `ref` once with a 502 after GitHub made it. */
const lostRefCreate = (fake: FakeGitHub, ref: string) =>
  fake.failNext({
    status: 502,
    afterWrite: true,
    operationId: 'git/create-ref',
    where: (r) => (r.body as { ref?: string } | undefined)?.ref === ref,
  });

test("/deploy: GitHub makes the environment's lock and answers 502: read back, the lock is this start's, and it deploys (not a lock held for a deployment never made)", async () => {
  await withSeededApp(SEED, async (fake, probot) => {
    lostRefCreate(fake, 'refs/deploy-locks/staging');
    const { payload } = commentOnPull(fake, '/deploy staging', { user: 'alice' });
    await receive(probot, 'issue_comment', payload);
    assert.equal(fake.repo().deployments.size, 1);
    assert.equal(fake.repo().refs.get('deploy-locks/staging'), HEAD);
    assert.deepEqual(
      appReplies(fake).filter((r) => r.startsWith('**Failed**')),
      [],
    );
  });
});

test("/lock: GitHub makes the lock and answers 502: read back (its tag is this call's own), it is locked and says so", async () => {
  await withSeededApp(SEED, async (fake, probot) => {
    lostRefCreate(fake, 'refs/deploy-locks/staging');
    assert.match(await repliesTo(fake, probot, '/lock staging', 'alice'), /^Locked `staging`/);
    assert.match(
      await repliesTo(fake, probot, '/unlock staging', 'alice'),
      /^Unlocked `staging` \(was held by `alice`\)\.$/,
    );
  });
});

test("/deploy under the requester's own /lock, made with its answer lost and no lookup telling: the status comment names their lock, not --force, and their /unlock hands it to the deployment", async () => {
  await withSeededApp(SEED, async (fake, probot) => {
    assert.match(await repliesTo(fake, probot, '/lock staging', 'alice'), /^Locked `staging`/);
    fake.failNext({ status: 502, operationId: 'repos/create-deployment', afterWrite: true });
    let down = true;
    fake.failNext({
      status: 502,
      times: 1_000,
      operationId: 'repos/list-deployments',
      where: () => down && fake.requestsFor('repos/create-deployment').length > 0,
    });
    const { payload } = commentOnPull(fake, '/deploy staging', { user: 'alice' });
    await assert.rejects(receive(probot, 'issue_comment', payload));
    const status = [...fake.repo().comments.values()].find(
      (c) =>
        (c.user as { login: string }).login === BOT_LOGIN &&
        String(c.body).startsWith('<!-- deploy-action:status'),
    );
    const description = parseStatusComment(String(status?.body), 'staging')?.description ?? '';
    assert.match(
      description,
      /^whether the deployment was created is not known \(GitHub answered HTTP 502\)/,
    );
    assert.doesNotMatch(description, /--force/, "nobody need force a lock that is alice's own");
    assert.match(description, /alice's lock on staging/);

    down = false;
    const [made] = [...fake.repo().deployments.values()];
    assert.match(
      await repliesTo(fake, probot, '/unlock staging', 'alice'),
      new RegExp(
        `Deployment \\*\\*\\\\#\u200D${String(made!.id)}\\*\\* made under that lock is still running`,
      ),
    );
  });
});

test('/deploy on a pull request whose status comment shows an earlier deployment, the create made with its answer lost and no lookup telling: that comment says so too', async () => {
  await withSeededApp(SEED, async (fake, probot) => {
    await repliesTo(fake, probot, '/lock staging', 'alice');
    await repliesTo(fake, probot, '/deploy staging', 'alice');
    const statusComments = () =>
      [...fake.repo().comments.values()].filter(
        (c) =>
          (c.user as { login: string }).login === BOT_LOGIN &&
          String(c.body).startsWith('<!-- deploy-action:status'),
      );
    assert.equal(statusComments().length, 1, 'the first deployment wrote the status comment');

    fake.failNext({ status: 502, operationId: 'repos/create-deployment', afterWrite: true });
    fake.failNext({
      status: 502,
      times: 1_000,
      operationId: 'repos/list-deployments',
      where: () => fake.requestsFor('repos/create-deployment').length > 1,
    });
    const { payload } = commentOnPull(fake, '/deploy staging', { user: 'alice' });
    await assert.rejects(receive(probot, 'issue_comment', payload));
    const [failed] = appReplies(fake).filter((r) => r.startsWith('**Failed**'));
    assert.match(failed ?? '', /the status comment on this pull request says whether one was made/);
    const [status] = statusComments();
    assert.match(
      parseStatusComment(String(status?.body), 'staging')?.description ?? '',
      /^whether the deployment was created is not known \(GitHub answered HTTP 502\)/,
      "the comment the reply points at says it, not the earlier deployment's state",
    );
  });
});

test("/deploy whose lock create GitHub fails (502, nothing made) while another person's deployment of the same commit runs under that commit's lock: read back, the lock is not taken for this start's, and nothing deploys beside it", async () => {
  await withSeededApp(
    {
      ...SEED,
      collaborators: { alice: 'write' as const, bob: 'write' as const },
      config: deployYml(`
  staging:
    approvals:
      deployers: [alice, bob]
      required: 0
`),
    },
    async (fake, probot) => {
      await repliesTo(fake, probot, '/deploy staging', 'bob');
      const [running] = [...fake.repo().deployments.values()];
      await rest(fake, 'POST', `/deployments/${running!.id}/statuses`, { state: 'in_progress' });
      assert.equal(
        fake.repo().refs.get('deploy-locks/staging'),
        HEAD,
        "bob's deployment holds its commit's lock",
      );

      // alice asks for the same commit a while later; GitHub fails her lock's create before making anything.
      fake.failNext({
        status: 502,
        operationId: 'git/create-ref',
        where: (r) => (r.body as { ref?: string } | undefined)?.ref === 'refs/deploy-locks/staging',
      });
      const refused = await repliesTo(fake, probot, '/deploy staging', 'alice');
      assert.equal(fake.repo().deployments.size, 1, "no second deployment beside bob's");
      assert.match(refused, /`locked`/);
      assert.equal(fake.repo().refs.get('deploy-locks/staging'), HEAD, "bob's lock stays");
    },
  );
});

test('/deploy under a lock kept by a start that could not tell whether GitHub made its deployment (none was): the refusal says --force releases it if none comes, not only that one is being started', async () => {
  await withSeededApp(TWO_DEPLOYERS, async (fake, probot) => {
    // GitHub answers 502 without making the deployment, then fails every lookup: the start cannot tell.
    fake.failNext({ status: 502, operationId: 'repos/create-deployment', times: 3 });
    let down = true;
    fake.failNext({
      status: 502,
      times: 1_000_000,
      operationId: 'repos/list-deployments',
      where: () => down && fake.requestsFor('repos/create-deployment').length > 0,
    });
    const { payload } = commentOnPull(fake, '/deploy staging', { user: 'alice' });
    await assert.rejects(receive(probot, 'issue_comment', payload));
    assert.equal(fake.repo().deployments.size, 0, 'nothing was made');
    assert.equal(fake.repo().refs.get('deploy-locks/staging'), HEAD, 'the lock stays, as it must');

    down = false;
    const refused = await repliesTo(fake, probot, '/deploy staging', 'bob', 8);
    assert.match(refused, /`locked`/);
    assert.match(refused, /`\/unlock staging --force`/, refused);
  });
});

test("/deploy whose lock create GitHub fails (502) while another's deployment of the commit runs under its lock, behind 20 deployments of that commit by someone else: still found, nothing deploys beside it", async () => {
  const token = 'mallory-deployments-token';
  await withSeededApp(
    {
      ...SEED,
      collaborators: { alice: 'write' as const, bob: 'write' as const, mallory: 'write' as const },
      fake: { tokens: { [token]: 'mallory' } },
      config: deployYml(`
  staging:
    approvals:
      deployers: [alice, bob]
      required: 0
`),
    },
    async (fake, probot) => {
      await repliesTo(fake, probot, '/deploy staging', 'bob');
      const [running] = [...fake.repo().deployments.values()];
      await rest(fake, 'POST', `/deployments/${running!.id}/statuses`, { state: 'in_progress' });
      // Anyone with deployments: write makes deployments of the same commit to the environment.
      for (let i = 0; i < 21; i++)
        await rest(
          fake,
          'POST',
          '/deployments',
          { ref: HEAD, environment: 'staging', auto_merge: false, required_contexts: [] },
          token,
        );
      fake.failNext({
        status: 502,
        operationId: 'git/create-ref',
        where: (r) => (r.body as { ref?: string } | undefined)?.ref === 'refs/deploy-locks/staging',
      });
      const refused = await repliesTo(fake, probot, '/deploy staging', 'alice');
      assert.match(refused, /`locked`/);
      assert.equal(
        [...fake.repo().deployments.values()].filter(
          (d) => (d.creator as { login: string }).login === BOT_LOGIN,
        ).length,
        1,
        "no second deployment of the App's beside bob's",
      );
    },
  );
});
