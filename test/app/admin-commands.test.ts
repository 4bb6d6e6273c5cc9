// /rollback, /lock, /unlock, /status and /help end to end through probot.receive against the fake GitHub.
// Success is read from what lands on the fake (deployments, refs); refusals from their stable reason codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Probot } from 'probot';
import { fakeSha } from '../fake-github/index.ts';
import type { FakeGitHub } from '../fake-github/index.ts';
import { HEAD, commentOnPull, PR, rest, restWith, seededFake, testApp, testProbot } from './helpers.ts';

import { parseDeploymentPayload } from '../../src/github/deployment-payload.ts';

type Receive = Parameters<Probot['receive']>[0];

/** A fixed clock: the config below has no windows or freezes, so any instant would do. */
const NOW = new Date('2025-03-04T10:30:00Z');
const LOCK_REF = 'deploy-locks/production';
const GLOBAL_REF = 'deploy-locks/_global';

// production: alice and bob deploy at once (no approvals), so a refusal there is the lock's, not the policy's.
// preprod: one approval from carol, so a /deploy leaves a pending request for /status. alice may also take
// the global lock (besides mia, a maintainer).
const CONFIG = `
target:
  commands:
    deploy: ./deploy.sh
approvals:
  global_lockers: [alice]
environments:
  staging: {}
  preprod:
    approvals:
      approvers: [carol]
      required: 1
  production:
    approvals:
      deployers: [alice, bob]
      required: 0
`;

async function setup(): Promise<{ fake: FakeGitHub; probot: Probot }> {
  const fake = await seededFake();
  const r = fake.repo();
  fake.setFile('.github/deploy.yml', CONFIG);
  for (const [login, role] of [
    ['alice', 'write'],
    ['bob', 'write'],
    ['carol', 'write'],
    ['erin', 'write'],
    ['mia', 'maintain'],
    ['rita', 'read'],
  ] as const)
    r.collaborators.set(login, role);
  const probot = testProbot(fake);
  await probot.load(testApp({ now: () => NOW }));
  return { fake, probot };
}

async function run(body: (fake: FakeGitHub, probot: Probot) => Promise<void>): Promise<void> {
  const { fake, probot } = await setup();
  try {
    await body(fake, probot);
    fake.assertNoViolations();
  } finally {
    await fake.stop();
  }
}

const botLogin = (fake: FakeGitHub): string => `${fake.state.appSlug}[bot]`;
const isStatusComment = (body: string): boolean => body.startsWith('<!-- deploy-action:status');

/** The app's comments other than the status comment, oldest first. */
function replies(fake: FakeGitHub): string[] {
  return [...fake.repo().comments.values()]
    .filter((c) => (c.user as { login: string }).login === botLogin(fake))
    .map((c) => String(c.body))
    .filter((b) => !isStatusComment(b));
}

const deployments = (fake: FakeGitHub) => [...fake.repo().deployments.values()];

/** Posts `body` as `user` on the pull request and delivers the issue_comment webhook. */
async function send(fake: FakeGitHub, probot: Probot, body: string, user: string): Promise<void> {
  const { payload } = commentOnPull(fake, body, { user });
  await probot.receive({ id: crypto.randomUUID(), name: 'issue_comment', payload } as Receive);
}

/** Sends a command that must be answered by exactly one reply (a refusal, a lock, /status, /help). */
async function say(fake: FakeGitHub, probot: Probot, body: string, user: string): Promise<string> {
  const before = replies(fake).length;
  await send(fake, probot, body, user);
  const after = replies(fake);
  assert.equal(after.length, before + 1, `exactly one reply to ${JSON.stringify(body)} by ${user}`);
  return after.at(-1)!;
}

/** Sends a /deploy or /rollback that must create one deployment; returns it (the reply may be the status comment). */
async function deploysOnce(fake: FakeGitHub, probot: Probot, body: string, user: string) {
  const before = deployments(fake).length;
  await send(fake, probot, body, user);
  const after = deployments(fake);
  assert.equal(
    after.length,
    before + 1,
    `${body} by ${user} creates one deployment: ${replies(fake).at(-1)}`,
  );
  return after.at(-1)!;
}

/**
 * A deployment of a commit on main that ran to `final`, the way the action reports it: in_progress, then
 * the final state with GitHub's default auto_inactive (an earlier success in the environment turns inactive).
 */
async function seedDeployment(
  fake: FakeGitHub,
  environment: string,
  label: string,
  final: 'success' | 'failure',
): Promise<{ id: number; sha: string }> {
  const sha = fake.addCommit({ sha: fakeSha(label), message: label });
  const { id } = await rest(fake, 'POST', '/deployments', {
    ref: sha,
    environment,
    task: 'deploy',
    payload: { type: 'standard', version: label },
    required_contexts: [],
    auto_merge: false,
    production_environment: environment === 'production',
  });
  await rest(fake, 'POST', `/deployments/${id}/statuses`, { state: 'in_progress' });
  await rest(fake, 'POST', `/deployments/${id}/statuses`, { state: final });
  return { id, sha };
}

/** Two successful production releases: v1 then v2 (live). */
async function twoReleases(fake: FakeGitHub): Promise<{ v1: string; v2: string }> {
  const v1 = (await seedDeployment(fake, 'production', 'release-1', 'success')).sha;
  const v2 = (await seedDeployment(fake, 'production', 'release-2', 'success')).sha;
  return { v1, v2 };
}

// ---- /rollback ---------------------------------------------------------------------------------------

// What /rollback deploys (the state record's previous release) and its refusals (state_forged, state_stale,
// no_previous_version, not_previous_version) are in test/app/state.test.ts.

test('/rollback by someone who may not deploy there is refused with not_a_deployer', async () => {
  await run(async (fake, probot) => {
    await twoReleases(fake);
    const before = deployments(fake).length;
    // erin has write permission but production names its deployers; mallory is no collaborator at all.
    assert.match(await say(fake, probot, '/rollback production', 'erin'), /`not_a_deployer`/);
    assert.match(await say(fake, probot, '/rollback production', 'mallory'), /`not_a_deployer`/);
    assert.equal(deployments(fake).length, before);
    assert.equal(fake.repo().refs.has(LOCK_REF), false, 'a refused rollback takes no lock');
  });
});

// ---- /lock and /unlock -------------------------------------------------------------------------------

test('/lock production: others are refused with locked naming the holder; the holder still deploys', async () => {
  await run(async (fake, probot) => {
    assert.match(
      await say(fake, probot, '/lock production --reason "db migration"', 'alice'),
      /Locked `production`/,
    );
    assert.ok(fake.repo().refs.has(LOCK_REF), 'refs/deploy-locks/production exists');

    const refused = await say(fake, probot, '/deploy production', 'bob');
    assert.match(refused, /`locked`/);
    assert.match(refused, /locked by @\u200Dalice/);
    assert.match(refused, /db migration/);
    assert.equal(deployments(fake).length, 0);
    // A second /lock by someone else does not take it over.
    assert.match(await say(fake, probot, '/lock production', 'bob'), /`locked`.*@\u200Dalice/s);

    // Her own /lock does not stop the holder.
    const d = await deploysOnce(fake, probot, '/deploy production', 'alice');
    assert.equal(d.sha, HEAD);
    assert.equal(d.environment, 'production');
    // ...and her deployment leaves her lock in place: bob is still refused.
    assert.ok(fake.repo().refs.has(LOCK_REF));
    assert.match(await say(fake, probot, '/deploy production', 'bob'), /`locked`.*@\u200Dalice/s);
    assert.equal(deployments(fake).length, 1);
  });
});

test("/unlock of a lock nobody holds by name (made by hand, or a running deployment's) says only --force works", async () => {
  await run(async (fake, probot) => {
    // A lock ref made by hand: a tag without the App's record, so its holder is not known.
    const tag = await restWith(fake, 'workflow-token', 'POST', '/git/tags', {
      tag: 'by-hand',
      message: 'locked by hand',
      object: HEAD,
      type: 'commit',
    });
    assert.equal(tag.status, 201, await tag.clone().text());
    const tagSha = ((await tag.json()) as { sha: string }).sha;
    await rest(fake, 'POST', '/git/refs', { ref: `refs/${LOCK_REF}`, sha: tagSha });
    const said = await say(fake, probot, '/unlock production', 'bob');
    assert.match(said, /`not_owner`.*locked by someone unknown/s);
    assert.match(
      said,
      /nobody holds it by name, so only a maintainer, admin or global locker with `?\/unlock production --force`? can unlock it\./,
    );
    assert.doesNotMatch(said, /only they/);
    assert.ok(fake.repo().refs.has(LOCK_REF));
    assert.match(await say(fake, probot, '/unlock production --force', 'mia'), /Unlocked `production`/);

    // A deployment's lock (a lightweight ref to its commit) with no deployment of it yet: its final status
    // releases it, or --force if none comes.
    await rest(fake, 'POST', '/git/refs', { ref: `refs/${LOCK_REF}`, sha: HEAD });
    const deploymentLock = await say(fake, probot, '/unlock production', 'bob');
    assert.match(deploymentLock, /`not_owner`.*locked for a deployment of `[0-9a-f]{12}` not made yet/s);
    assert.match(deploymentLock, /if none comes, only .*\/unlock production --force/);
    assert.doesNotMatch(deploymentLock, /only they/);
  });
});

test('/unlock: someone else gets not_owner, a writer forcing gets not_a_global_locker, a maintainer forcing releases', async () => {
  await run(async (fake, probot) => {
    await say(fake, probot, '/lock production', 'alice');
    assert.match(await say(fake, probot, '/unlock production', 'bob'), /`not_owner`.*@\u200Dalice/s);
    assert.ok(fake.repo().refs.has(LOCK_REF), 'still locked after not_owner');
    assert.match(await say(fake, probot, '/unlock production --force', 'erin'), /`not_a_global_locker`/);
    assert.ok(fake.repo().refs.has(LOCK_REF), 'still locked after a writer tried --force');

    assert.match(
      await say(fake, probot, '/unlock production --force', 'mia'),
      /Unlocked `production`.*alice/s,
    );
    assert.equal(fake.repo().refs.has(LOCK_REF), false, 'the ref is gone');
    // Released for real: bob now deploys.
    const d = await deploysOnce(fake, probot, '/deploy production', 'bob');
    assert.equal(d.environment, 'production');
    assert.equal(parseDeploymentPayload(d.payload).requested_by, 'bob');
  });
});

test('/unlock by the holder releases; unlocking what is not locked says so', async () => {
  await run(async (fake, probot) => {
    await say(fake, probot, '/lock production', 'alice');
    assert.match(await say(fake, probot, '/unlock production', 'alice'), /Unlocked `production`/);
    assert.equal(fake.repo().refs.has(LOCK_REF), false);
    // Deleted only if still the lock read: GraphQL updateRefs (beforeOid), the webhook naming the repository.
    const mutation = fake.requestsFor('graphql').map((r) => (r.body as { query: string }).query);
    assert.ok(
      mutation.some((q) => q.includes('updateRefs')),
      'the conditional delete was used',
    );
    assert.equal(fake.requestsFor('git/delete-ref').length, 0);
    assert.match(await say(fake, probot, '/unlock production', 'alice'), /not locked/);
  });
});

test('/lock --global freezes every environment, for its holder too', async () => {
  await run(async (fake, probot) => {
    await twoReleases(fake);
    const before = deployments(fake).length;
    assert.match(
      await say(fake, probot, '/lock --global --reason "incident"', 'alice'),
      /Locked every environment/,
    );
    assert.ok(fake.repo().refs.has(GLOBAL_REF));

    for (const [command, user] of [
      ['/deploy staging', 'alice'],
      ['/deploy production', 'alice'],
      ['/deploy production', 'bob'],
      ['/deploy staging', 'erin'],
    ] as const) {
      const reply = await say(fake, probot, command, user);
      assert.match(reply, /`locked`/, `${command} by ${user}`);
      // The commenter is notified; anyone else named in a refusal is not.
      assert.match(reply, user === 'alice' ? /locked by @alice\b/ : /locked by @\u200Dalice/);
    }
    assert.equal(deployments(fake).length, before, 'nothing deployed during the freeze');
    assert.equal(fake.repo().refs.has(LOCK_REF), false, 'no environment lock left behind');

    // Only the global unlock lifts it; then staging deploys again.
    // bob may not take the global lock, so he may not release it either.
    assert.match(await say(fake, probot, '/unlock --global', 'bob'), /`not_a_global_locker`/);
    assert.match(await say(fake, probot, '/unlock --global', 'alice'), /Unlocked every environment/);
    assert.equal(fake.repo().refs.has(GLOBAL_REF), false);
    await deploysOnce(fake, probot, '/deploy staging', 'erin');
  });
});

test('a reader, a triager or a stranger cannot lock', async () => {
  await run(async (fake, probot) => {
    fake.repo().collaborators.set('tia', 'triage');
    for (const user of ['rita', 'tia', 'mallory']) {
      assert.match(await say(fake, probot, '/lock production', user), /`not_a_deployer`/, user);
      assert.match(await say(fake, probot, '/lock staging', user), /`not_a_deployer`/, user);
      assert.match(await say(fake, probot, '/lock --global', user), /`not_a_global_locker`/, user);
    }
    assert.equal(fake.repo().refs.has(LOCK_REF), false);
    assert.equal(fake.repo().refs.has(GLOBAL_REF), false);
    await deploysOnce(fake, probot, '/deploy production', 'bob');
  });
});

test("an environment's lock is its deployers'; the global lock is maintainers', admins' and global_lockers'", async () => {
  await run(async (fake, probot) => {
    // erin has write permission, but production's deployers are alice and bob.
    const env = await say(fake, probot, '/lock production', 'erin');
    assert.match(env, /^\*\*Not accepted\*\* \(`not_a_deployer`\): @erin may not lock `production`/);
    assert.match(env, /@\u200Dalice, @\u200Dbob/, 'names who may');
    const global = await say(fake, probot, '/lock --global --reason "my release first"', 'erin');
    assert.match(global, /^\*\*Not accepted\*\* \(`not_a_global_locker`\): @erin/);
    assert.match(global, /maintainers and admins, and @\u200Dalice \(approvals\.global_lockers\)/);
    assert.equal(fake.repo().refs.has(LOCK_REF), false);
    assert.equal(fake.repo().refs.has(GLOBAL_REF), false);

    // staging names no deployers: anyone with write permission deploys there, so may lock it.
    assert.match(await say(fake, probot, '/lock staging', 'erin'), /Locked `staging`/);
    assert.match(await say(fake, probot, '/unlock staging', 'erin'), /Unlocked `staging`/);
    // A maintainer (not a production deployer) may take either lock; so may a global locker.
    assert.match(await say(fake, probot, '/lock production', 'mia'), /Locked `production`/);
    assert.match(await say(fake, probot, '/unlock production', 'mia'), /Unlocked `production`/);
    assert.match(await say(fake, probot, '/lock --global', 'mia'), /Locked every environment/);
    // Someone else's global lock: not_owner for a writer without --force, not_a_global_locker with it.
    assert.match(await say(fake, probot, '/unlock --global', 'erin'), /`not_a_global_locker`/);
    assert.match(await say(fake, probot, '/unlock --global --force', 'erin'), /`not_a_global_locker`/);
    assert.ok(fake.repo().refs.has(GLOBAL_REF));
    // A global locker may force it.
    assert.match(await say(fake, probot, '/unlock --global --force', 'alice'), /Unlocked every environment/);
    assert.equal(fake.repo().refs.has(GLOBAL_REF), false);
  });
});

// ---- /status -----------------------------------------------------------------------------------------

/** The section of one environment in a /status reply. */
function section(reply: string, environment: string): string {
  const start = reply.indexOf(`#### \`${environment}\``);
  assert.ok(start >= 0, `a section for ${environment} in:\n${reply}`);
  const end = reply.indexOf('\n\n', start);
  return reply.slice(start, end < 0 ? undefined : end);
}

// What /status shows from the environments' records is in test/app/state.test.ts; here, locks and approvals.
test('/status lists each environment, the locks with holders and pending approvals', async () => {
  await run(async (fake, probot) => {
    await say(fake, probot, '/lock production --reason "db migration"', 'alice');
    assert.match(await say(fake, probot, '/deploy preprod', 'bob'), /Waiting for 1 approval/);

    const reply = await say(fake, probot, '/status', 'erin');
    for (const env of ['staging', 'preprod', 'production'])
      assert.match(section(reply, env), /no deployment recorded yet/);
    const locks = reply.slice(reply.indexOf('**Locks**'), reply.indexOf('**Pending approvals**'));
    assert.match(locks, /`production` is locked by @\u200Dalice/);
    assert.match(locks, /db migration/);
    const pending = reply.slice(reply.indexOf('**Pending approvals**'));
    assert.match(pending, new RegExp(`\`preprod\` ← \`${HEAD.slice(0, 12)}\` asked by @\u200Dbob`));
    assert.doesNotMatch(pending, /production|staging/);
  });
});

test('/status with nothing locked or pending says none; /status <env> shows only that one', async () => {
  await run(async (fake, probot) => {
    const empty = await say(fake, probot, '/status', 'erin');
    assert.match(empty, /\*\*Locks\*\*: none/);
    assert.match(empty, /\*\*Pending approvals\*\*: none/);
    const one = await say(fake, probot, '/status staging', 'erin');
    assert.match(section(one, 'staging'), /no deployment recorded yet/);
    assert.equal(one.includes('`production`'), false);
  });
});

// ---- /help -------------------------------------------------------------------------------------------

test('/help lists every command and the live policy from the default branch, never the PR branch', async () => {
  await run(async (fake, probot) => {
    // The PR branch rewrites the policy in its own favour: /help must not show it.
    fake.setFile(
      '.github/deploy.yml',
      CONFIG.replace('deployers: [alice, bob]', 'deployers: [mallory]').replace(
        'environments:\n',
        'environments:\n  backdoor: {}\n',
      ),
      { branch: `pr-${PR}` },
    );
    const reply = await say(fake, probot, '/help', 'rita');
    for (const usage of [
      '/deploy',
      '/approve-deploy',
      '/reject-deploy',
      '/rollback <environment> [to <sha>]',
      '/lock <environment>|--global',
      '/unlock <environment>|--global [--force]',
      '/status [environment]',
      '/help',
    ])
      assert.ok(reply.includes(`\`${usage}`), `${usage} in:\n${reply}`);

    const policy = reply.slice(reply.indexOf('**Policy**'));
    assert.match(policy, /from the default branch/);
    const line = (env: string) => policy.split('\n').find((l) => l.startsWith(`- \`${env}\`:`)) ?? '';
    assert.match(line('production'), /deployers: @\u200Dalice, @\u200Dbob/);
    assert.match(line('production'), /0 approval\(s\)/);
    assert.match(line('preprod'), /1 approval\(s\) from @\u200Dcarol/);
    assert.match(line('staging'), /deployers: anyone with write permission/);
    assert.doesNotMatch(policy, /mallory|backdoor/);
  });
});

test('/help says under an environment with a staging environment that its deployments are held to that one’s rules and lock', async () => {
  await run(async (fake, probot) => {
    fake.setFile(
      '.github/deploy.yml',
      CONFIG.replace('      required: 1\n', '      required: 1\n    staging: production\n'),
    );
    const reply = await say(fake, probot, '/help', 'rita');
    const lines = reply.slice(reply.indexOf('**Policy**')).split('\n');
    const under = (env: string) => lines[lines.findIndex((l) => l.startsWith(`- \`${env}\`:`)) + 1] ?? '';
    assert.equal(
      under('preprod'),
      '  - a standard deployment deploys `production` first and is held to the rules and the lock of `production` too (a hotfix or a /rollback skips it)',
    );
    // Only there: production and staging have no staging environment.
    assert.equal(lines.filter((l) => l.includes('deploys `')).length, 1, reply);
  });
});

test('/help still lists the commands when the default branch has no config, and says so', async () => {
  await run(async (fake, probot) => {
    fake.repo().files.get(fake.repo().defaultBranch)!.delete('.github/deploy.yml');
    fake.setFile('.github/deploy.yml', CONFIG, { branch: `pr-${PR}` });
    const reply = await say(fake, probot, '/help', 'alice');
    assert.ok(reply.includes('`/rollback <environment> [to <sha>]`'));
    assert.match(reply, /\.github\/deploy\.yml does not exist on the default branch/);
    assert.doesNotMatch(reply, /- `production`:/);
  });
});
