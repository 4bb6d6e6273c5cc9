// `staging: production` on preview: a deployment of preview changes production first, in the same run, so it
// holds production's lock as well as preview's (app/deploy/start.ts), until its final status. /deploy production
// meanwhile is refused naming it, and the other way round; a start that fails leaves neither lock behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fakeSha } from '../fake-github/index.ts';
import {
  BOT_LOGIN,
  HEAD,
  PR,
  deployYml,
  previewThroughProduction,
  repliesTo,
  rest,
  withSeededApp,
} from './helpers.ts';
import { askProtectionRule, finalStatus, receive } from './delivery-helpers.ts';

const OTHER_PR = 8;
const OTHER_HEAD = fakeSha('pr-8-head');
const SEED: Parameters<typeof withSeededApp>[0] = {
  config: previewThroughProduction('required: 0'),
  collaborators: { alice: 'write', bob: 'write' },
  pulls: [
    { number: PR, head: HEAD, user: 'carol' },
    { number: OTHER_PR, head: OTHER_HEAD, user: 'dave' },
  ],
};

type Fake = Parameters<Parameters<typeof withSeededApp>[1]>[0];
const deployments = (fake: Fake) => [...fake.repo().deployments.values()];
const lockOf = (fake: Fake, environment: string) => fake.repo().refs.get(`deploy-locks/${environment}`);

/** The App's `deployment` ends: its runner's final status, and its delivery to the App. */
async function ends(
  fake: Fake,
  probot: Parameters<Parameters<typeof withSeededApp>[1]>[1],
  deployment: Record<string, unknown>,
  environment: string,
): Promise<void> {
  await rest(fake, 'POST', `/deployments/${String(deployment.id)}/statuses`, { state: 'success' });
  await receive(
    probot,
    'deployment_status',
    finalStatus(fake, deployment, 'success', new Date().toISOString(), environment),
  );
}

test("/deploy preview holds production's lock until its final status: /deploy production meanwhile is refused naming it, then accepted", async () => {
  await withSeededApp(SEED, async (fake, probot) => {
    await repliesTo(fake, probot, '/deploy preview', 'alice');
    const [preview] = deployments(fake);
    assert.equal(preview?.environment, 'preview');
    assert.equal(lockOf(fake, 'preview'), HEAD);
    assert.equal(lockOf(fake, 'production'), HEAD, "preview's deployment holds production's lock too");
    assert.equal((preview?.payload as { staging?: string }).staging, 'production');

    const refused = await repliesTo(fake, probot, '/deploy production', 'bob', OTHER_PR);
    assert.match(refused, /`locked`/);
    assert.match(
      refused,
      new RegExp(
        `\`production\` is locked by a running deployment of \`${HEAD.slice(0, 12)}\` for @\u200D?alice \\(PR #${PR}\\).*deployment \\\\#\u200D?${String(preview!.id)} of .* to preview, which deploys production first`,
      ),
    );
    assert.equal(deployments(fake).length, 1, 'no deployment of production beside the one changing it');

    // Listed as held by the deployment of preview.
    const listed = await repliesTo(fake, probot, '/status', 'bob', OTHER_PR);
    assert.match(listed, new RegExp(`\`production\` is locked by a running deployment .*to preview`));
    // Not its to release: its deployment's final status is.
    assert.match(
      await repliesTo(fake, probot, '/unlock production', 'alice'),
      /`not_owner`.*it goes when that deployment ends/,
    );

    await ends(fake, probot, preview!, 'preview');
    assert.equal(lockOf(fake, 'preview'), undefined);
    assert.equal(lockOf(fake, 'production'), undefined, "preview's final status releases production's lock");
    await repliesTo(fake, probot, '/deploy production', 'bob', OTHER_PR);
    const made = deployments(fake);
    assert.equal(made.length, 2);
    assert.equal(made[1]?.environment, 'production');
  });
});

test('/deploy production running: /deploy preview is refused naming it, and takes no lock of preview; accepted once it ends', async () => {
  await withSeededApp(SEED, async (fake, probot) => {
    await repliesTo(fake, probot, '/deploy production', 'bob', OTHER_PR);
    const [production] = deployments(fake);
    assert.equal(production?.environment, 'production');

    const refused = await repliesTo(fake, probot, '/deploy preview', 'alice');
    assert.match(refused, /`locked`/);
    assert.match(
      refused,
      new RegExp(
        `staging environment \`production\`, which this deployment changes first: \`production\` is locked by a running deployment of \`${OTHER_HEAD.slice(0, 12)}\` for @\u200D?bob`,
      ),
    );
    assert.equal(deployments(fake).length, 1);
    assert.equal(lockOf(fake, 'preview'), undefined, "preview's lock is given back: nothing half-held");
    assert.equal(lockOf(fake, 'production'), OTHER_HEAD);

    await ends(fake, probot, production!, 'production');
    assert.equal(lockOf(fake, 'production'), undefined);
    await repliesTo(fake, probot, '/deploy preview', 'alice');
    assert.equal(deployments(fake).length, 2);
    assert.equal(lockOf(fake, 'production'), HEAD);
  });
});

test("a /deploy preview whose deployment GitHub refuses to create leaves neither preview's nor production's lock", async () => {
  await withSeededApp(SEED, async (fake, probot) => {
    let down = true;
    fake.failNext({
      status: 502,
      times: 1_000_000,
      operationId: 'repos/create-deployment',
      where: () => down,
    });
    await repliesTo(fake, probot, '/deploy preview', 'alice').catch(() => undefined);
    assert.equal(deployments(fake).length, 0);
    assert.equal(lockOf(fake, 'preview'), undefined);
    assert.equal(lockOf(fake, 'production'), undefined, "production's lock is not left behind");
    // GitHub is back: the next /deploy preview takes both locks (a lock left behind would refuse it).
    down = false;
    await repliesTo(fake, probot, '/deploy preview', 'alice');
    assert.equal(deployments(fake).length, 1);
    assert.equal(lockOf(fake, 'preview'), HEAD);
    assert.equal(lockOf(fake, 'production'), HEAD);
  });
});

test("production's lock held by someone's /lock: /deploy preview by another is refused and leaves no lock of preview", async () => {
  await withSeededApp(SEED, async (fake, probot) => {
    assert.match(await repliesTo(fake, probot, '/lock production', 'bob', OTHER_PR), /^Locked `production`/);
    assert.match(
      await repliesTo(fake, probot, '/deploy preview', 'alice'),
      /`locked`.*locked by @\u200D?bob/,
    );
    assert.equal(lockOf(fake, 'preview'), undefined);
    assert.equal(deployments(fake).length, 0);
    // Released: /deploy preview goes, holding production's lock for its deployment.
    assert.match(
      await repliesTo(fake, probot, '/unlock production', 'bob', OTHER_PR),
      /^Unlocked `production`/,
    );
    await repliesTo(fake, probot, '/deploy preview', 'alice');
    assert.equal(deployments(fake).length, 1);
    assert.equal(lockOf(fake, 'production'), HEAD);
  });
});

test("/unlock production by its holder while their /deploy preview made under it runs: production's lock goes to that deployment, which its final status releases", async () => {
  await withSeededApp(SEED, async (fake, probot) => {
    assert.match(await repliesTo(fake, probot, '/lock production', 'alice'), /^Locked `production`/);
    await repliesTo(fake, probot, '/deploy preview', 'alice');
    const [preview] = deployments(fake);
    assert.equal(preview?.environment, 'preview', 'alice deploys preview under her lock on production');
    assert.match(
      await repliesTo(fake, probot, '/unlock production', 'alice'),
      new RegExp(
        `^Unlocked \`production\` \\(was held by \`alice\`\\)\\. Deployment \\*\\*\\\\#\u200D${String(preview!.id)}\\*\\* made under that lock is still running: it keeps \`production\` locked until it ends\\.$`,
      ),
    );
    assert.equal(lockOf(fake, 'production'), HEAD, "production's lock is now the deployment of preview's");
    assert.match(await repliesTo(fake, probot, '/deploy production', 'bob', OTHER_PR), /`locked`/);
    assert.equal(deployments(fake).length, 1);

    await ends(fake, probot, preview!, 'preview');
    assert.equal(lockOf(fake, 'production'), undefined);
    await repliesTo(fake, probot, '/deploy production', 'bob', OTHER_PR);
    assert.equal(deployments(fake).length, 2);
  });
});

test("/unlock production by its holder while their /deploy preview runs, after 500 deployments elsewhere in the repository: still handed over to preview's deployment, not deleted beside it", async () => {
  const token = 'mallory-deployments-token';
  await withSeededApp(
    {
      ...SEED,
      collaborators: { ...SEED.collaborators, mallory: 'write' },
      fake: { tokens: { [token]: 'mallory' } },
    },
    async (fake, probot) => {
      await repliesTo(fake, probot, '/lock production', 'alice');
      await repliesTo(fake, probot, '/deploy preview', 'alice');
      const [preview] = deployments(fake);
      // Made after the lock, in an environment that has nothing to do with it: every page of the repository's
      // deployments since the lock is theirs.
      for (let i = 0; i < 500; i++)
        await rest(
          fake,
          'POST',
          '/deployments',
          { ref: HEAD, environment: 'scratch', auto_merge: false, required_contexts: [] },
          token,
        );
      assert.match(
        await repliesTo(fake, probot, '/unlock production', 'alice'),
        new RegExp(
          `Deployment \\*\\*\\\\#\u200D${String(preview!.id)}\\*\\* made under that lock is still running`,
        ),
      );
      assert.equal(lockOf(fake, 'production'), HEAD, "production's lock is now preview's deployment's");
      assert.match(await repliesTo(fake, probot, '/deploy production', 'bob', OTHER_PR), /`locked`/);
    },
  );
});

test("protection rule: the App's deployment of preview passes its own lock on production; a workflow deploying production meanwhile is rejected naming it", async () => {
  await withSeededApp(SEED, async (fake, probot) => {
    await repliesTo(fake, probot, '/deploy preview', 'alice');
    const [preview] = deployments(fake);
    let run = 700;
    const gate = async (o: { actor: string; environment: string; own?: boolean }) => {
      const id = run++;
      fake.addWorkflowRun({ id, headSha: HEAD, actor: o.actor, event: 'push' });
      return askProtectionRule(fake, probot, {
        run: id,
        environment: o.environment,
        ...(o.own
          ? {
              creator: { login: BOT_LOGIN, type: 'Bot' },
              deploymentId: preview!.id as number,
              payload: preview!.payload as Record<string, unknown>,
            }
          : { creator: { login: 'github-actions[bot]', type: 'Bot' } }),
      });
    };
    const own = await gate({ actor: BOT_LOGIN, environment: 'preview', own: true });
    assert.equal(own.state, 'approved', own.comment);
    const other = await gate({ actor: 'bob', environment: 'production' });
    assert.equal(other.state, 'rejected');
    assert.match(
      other.comment,
      /`locked`.*`production` is locked by a running deployment of `[0-9a-f]{12}` for @alice.*to preview, which deploys production first/,
    );
  });
});

test("protection rule: production's lock at the commit held by another deployment (a /deploy production) does not pass the App's deployment of preview started again, nor a run the App started for preview", async () => {
  await withSeededApp(SEED, async (fake, probot) => {
    await repliesTo(fake, probot, '/deploy preview', 'alice');
    const [preview] = deployments(fake);
    let run = 700;
    const gate = async (o: { own: boolean }) => {
      const id = run++;
      fake.addWorkflowRun({ id, headSha: HEAD, actor: BOT_LOGIN, event: 'deployment' });
      return askProtectionRule(fake, probot, {
        run: id,
        environment: 'preview',
        ...(o.own
          ? {
              creator: { login: BOT_LOGIN, type: 'Bot' },
              deploymentId: preview!.id as number,
              payload: preview!.payload as Record<string, unknown>,
            }
          : { creator: { login: 'github-actions[bot]', type: 'Bot' } }),
      });
    };
    // While it runs, production's lock at the commit is its own: both pass.
    assert.equal((await gate({ own: true })).state, 'approved');
    assert.equal((await gate({ own: false })).state, 'approved');
    await ends(fake, probot, preview!, 'preview');
    await repliesTo(fake, probot, '/deploy production', 'bob');
    const [, production] = deployments(fake);
    assert.equal(production?.environment, 'production');
    assert.equal(lockOf(fake, 'production'), HEAD, "bob's deployment of the same commit holds production");
    // preview's run started again (a re-run): the ref at the commit is bob's deployment's, not preview's.
    for (const own of [true, false]) {
      const again = await gate({ own });
      assert.equal(again.state, 'rejected', `own: ${own}`);
      assert.match(
        again.comment,
        /`locked`.*`production` is locked by a running deployment .* for @bob/,
        again.comment,
      );
    }
  });
});

test("protection rule: the App's deployment of preview GitHub's listings do not show yet passes its own lock and production's (read by its id)", async () => {
  await withSeededApp(SEED, async (fake, probot) => {
    await repliesTo(fake, probot, '/deploy preview', 'alice');
    const [preview] = deployments(fake);
    assert.equal(lockOf(fake, 'production'), HEAD, "preview's deployment holds production's lock too");
    // The rule is asked seconds after the deployment is made: no listing shows it yet.
    fake.repo().unlistedDeployments = new Set([preview!.id as number]);
    let run = 800;
    const gate = async (o: { own: boolean }) => {
      const id = run++;
      fake.addWorkflowRun({ id, headSha: HEAD, actor: BOT_LOGIN, event: 'deployment' });
      return askProtectionRule(fake, probot, {
        run: id,
        environment: 'preview',
        ...(o.own
          ? {
              creator: { login: BOT_LOGIN, type: 'Bot' },
              deploymentId: preview!.id as number,
              payload: preview!.payload as Record<string, unknown>,
            }
          : { creator: { login: 'github-actions[bot]', type: 'Bot' } }),
      });
    };
    const reads = fake.requestsFor('repos/get-deployment').length;
    const own = await gate({ own: true });
    assert.equal(own.state, 'approved', own.comment);
    assert.equal(fake.requestsFor('repos/get-deployment').length, reads + 1, 'read once for both locks');
    // A run the App started for a deployment GitHub made has no id to read: the listing alone, which lags.
    assert.equal((await gate({ own: false })).state, 'rejected');
  });
});

test("/deploy production --queue while /deploy preview runs: queued behind production's lock, started once preview's deployment ends", async () => {
  await withSeededApp(SEED, async (fake, probot) => {
    await repliesTo(fake, probot, '/deploy preview', 'alice');
    const [preview] = deployments(fake);
    const queued = await repliesTo(fake, probot, '/deploy production --queue', 'bob', OTHER_PR);
    assert.match(queued, /\*\*Queued\*\* \(`queue_recorded`\)/);
    assert.match(
      queued,
      /`production` is locked by a running deployment .*to preview, which deploys production first/,
    );
    assert.equal(deployments(fake).length, 1);

    await ends(fake, probot, preview!, 'preview');
    const made = deployments(fake);
    assert.equal(made.length, 2, "the queued deployment starts once production's lock is released");
    assert.equal(made[1]?.environment, 'production');
    assert.equal(lockOf(fake, 'production'), OTHER_HEAD);
  });
});

// Two regions after one shared staging environment, whose name sorts first: its lock is taken first.
const REGIONS: Parameters<typeof withSeededApp>[0] = {
  ...SEED,
  config: deployYml(`
  canary:
    production: true
    approvals:
      required: 0
  eu-west:
    production: true
    staging: canary
    approvals:
      required: 0
  us-east:
    production: true
    staging: canary
    approvals:
      required: 0
`),
};

test('two environments with one staging environment: /deploy us-east while /deploy eu-west runs is refused naming it, nothing half-held; the same request again is in progress', async () => {
  await withSeededApp(REGIONS, async (fake, probot) => {
    await repliesTo(fake, probot, '/deploy eu-west', 'alice');
    const [eu] = deployments(fake);
    assert.equal(eu?.environment, 'eu-west');
    assert.equal(lockOf(fake, 'canary'), HEAD);
    assert.equal(lockOf(fake, 'eu-west'), HEAD);

    const refused = await repliesTo(fake, probot, '/deploy us-east', 'bob', OTHER_PR);
    assert.match(
      refused,
      /`locked`.*staging environment `canary`, which this deployment changes first: `canary` is locked by a running deployment .* for @\u200D?alice.*to eu-west, which deploys canary first/,
    );
    assert.equal(lockOf(fake, 'us-east'), undefined, "us-east's lock is never taken: canary's is first");
    assert.equal(deployments(fake).length, 1);
    // alice's /deploy eu-west again: canary's lock is her running deployment of eu-west's.
    assert.match(
      await repliesTo(fake, probot, '/deploy eu-west', 'alice'),
      /already being handled \(`in_progress`\)/,
    );
    assert.equal(deployments(fake).length, 1);

    await ends(fake, probot, eu!, 'eu-west');
    assert.equal(lockOf(fake, 'canary'), undefined);
    await repliesTo(fake, probot, '/deploy us-east', 'bob', OTHER_PR);
    assert.equal(deployments(fake).length, 2);
    assert.equal(lockOf(fake, 'canary'), OTHER_HEAD);
    assert.equal(lockOf(fake, 'us-east'), OTHER_HEAD);
  });
});

test('/deploy preview and /deploy production at the same instant: one of them deploys, the other is refused, and no lock is left half-held', async () => {
  await withSeededApp(SEED, async (fake, probot) => {
    // The first lock each start creates is held until both have asked: each then goes on as if alone.
    fake.holdUntil({
      operationId: 'git/create-ref',
      where: (r) => String((r.body as { ref?: string } | null)?.ref).startsWith('refs/deploy-locks/'),
      count: 2,
    });
    const [preview, production] = await Promise.all([
      repliesTo(fake, probot, '/deploy preview', 'alice'),
      repliesTo(fake, probot, '/deploy production', 'bob', OTHER_PR),
    ]);
    const made = deployments(fake);
    assert.equal(made.length, 1, `one deployment changes production: ${preview}\n---\n${production}`);
    assert.match(`${preview}\n${production}`, /`locked`/);
    const winner = made[0]!;
    const sha = winner.environment === 'preview' ? HEAD : OTHER_HEAD;
    assert.equal(lockOf(fake, 'production'), sha);
    assert.equal(lockOf(fake, 'preview'), winner.environment === 'preview' ? HEAD : undefined);
  });
});
