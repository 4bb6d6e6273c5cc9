// The app's event handlers driven with probot.receive against the fake GitHub: deployment protection rules
// (approved at once, rejected at once, pending until two approvals), the Approve button, deployment_status
// updating the one status comment and releasing the deployment's lock, and the notice after a push.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Probot } from 'probot';
import {
  BOT_LOGIN,
  HEAD,
  PR,
  approvalRecord,
  capturedLog,
  commentOnPull,
  deployYml,
  loadedProbot,
  owner,
  recordApprovalComment,
  repo,
  seededFake,
  testApp,
  testMarkerKeys,
  testProbot,
  testTrust,
  withSeededApp,
} from './helpers.ts';
import type { Seed } from './helpers.ts';
import { approvePress, deliveryTarget as target, receive } from './delivery-helpers.ts';
import { fakeSha, webhookPayload } from '../fake-github/index.ts';
import type { FakeGitHub } from '../fake-github/index.ts';
import { serializeApprovalMarker } from '../../src/policy/index.ts';
import type { ApprovalRecord } from '../../src/policy/index.ts';
import { renderStatusComment, parseStatusComment, statusMarker } from '../../src/github/status-comment.ts';
import { acquireDeploymentLock, acquireLock } from '../../app/locks.ts';
import {
  answerPendingProtectionRules,
  gateName,
  parseGateRef,
  runIdFromCallbackUrl,
  serializeGateRef,
} from '../../app/handlers/protection-rule.ts';
import { nextStatusState } from '../../app/handlers/deployment-status.ts';
import type { Octokit } from '../../app/facts/github.ts';
import { appRecordReader } from '../../app/state.ts';
import { readEnvironmentRecord } from '../../src/state/github-store.ts';

const APP_BOT = 'deploy-action[bot]';
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
// A day that is neither today nor tomorrow in UTC, so "now" is outside the window whenever the test runs.
const OTHER_DAY = DAYS[(new Date().getUTCDay() + 3) % 7]!;

const CONFIG = deployYml(`
  staging: {}
  production:
    approvals:
      approvers: [dave, erin, acme/sre]
      required: 2
  weekend:
    approvals:
      required: 0
      windows:
        - { days: [${OTHER_DAY}], start: "00:00", end: "24:00" }
`);

const SEED: Seed = {
  config: CONFIG,
  collaborators: { alice: 'write', carol: 'write', dave: 'write', erin: 'read', mallory: 'read' },
  teams: { sre: ['erin'] },
};

const withApp = (run: (fake: FakeGitHub, probot: Probot) => Promise<void>): Promise<void> =>
  withSeededApp(SEED, run);

/** Every payload's repository names the fake's default branch (the examples say "master"). */
const onMain = { repository: { default_branch: 'main' } };

const appComments = (fake: FakeGitHub): string[] =>
  [...fake.repo().comments.values()]
    .filter((c) => (c.user as { login: string }).login === APP_BOT)
    .map((c) => String(c.body));

/** An approval the comment handler would have recorded: a marker in a comment written by the app. */
const recordApproval = (
  fake: FakeGitHub,
  login: string,
  overrides: Partial<Omit<ApprovalRecord, 'by'>> = {},
): void =>
  recordApprovalComment(
    fake,
    approvalRecord(login, {
      teams: login === 'erin' ? ['acme/sre'] : [],
      at: new Date(Date.now() - 60_000),
      ...overrides,
    }),
  );

function protectionRule(fake: FakeGitHub, environment: string, opts: { run?: number; pr?: boolean } = {}) {
  const run = opts.run ?? 4711;
  const base = webhookPayload('deployment_protection_rule', 'requested', onMain, target(fake));
  const withPull = opts.pr ?? true;
  return {
    ...base,
    environment,
    event: withPull ? 'pull_request' : 'push',
    deployment_callback_url: `${fake.url}/repos/${owner}/${repo}/actions/runs/${run}/deployment_protection_rule`,
    deployment: { ...(base.deployment as object), sha: HEAD, environment, payload: {} },
    pull_requests: withPull
      ? [
          webhookPayload('pull_request', 'opened', {}, target(fake)).pull_request as Record<string, unknown>,
        ].map((p) => ({ ...p, number: PR }))
      : [],
  };
}

const reviews = (fake: FakeGitHub) => fake.repo().protectionRuleReviews;
const gateRuns = (fake: FakeGitHub, environment: string) =>
  [...fake.repo().checkRuns.values()].filter((r) => r.name === gateName(environment));

test('protection rule: an environment without approvals is approved at once through the callback', async () => {
  await withApp(async (fake, probot) => {
    await receive(probot, 'deployment_protection_rule', protectionRule(fake, 'staging'));
    assert.deepEqual(
      reviews(fake).map((r) => [r.runId, r.environmentName, r.state]),
      [[4711, 'staging', 'approved']],
    );
    assert.equal(gateRuns(fake, 'staging').length, 0, 'no gate check run when nothing is awaited');
    assert.deepEqual(appComments(fake), []);
    const config = fake.requestsFor('repos/get-content')[0]!;
    assert.equal(config.query.ref, fake.repo().defaultBranch, 'the policy is read from the default branch');
  });
});

test('protection rule: outside the deploy window it is rejected at once, with the reason', async () => {
  await withApp(async (fake, probot) => {
    await receive(probot, 'deployment_protection_rule', protectionRule(fake, 'weekend'));
    const [review] = reviews(fake);
    assert.equal(review?.state, 'rejected');
    assert.match(review!.comment!, /outside_window: outside the deploy windows/);
    assert.equal(gateRuns(fake, 'weekend').length, 0);
  });
});

test("protection rule: the window is judged by the app's clock (deployApp's now), not the machine's", async () => {
  const fake = await seededFake(SEED);
  try {
    const onWindowDay = new Date(Date.now() + 3 * 86_400_000); // its UTC day is OTHER_DAY
    const probot = await loadedProbot(fake, { now: () => onWindowDay });
    await receive(probot, 'deployment_protection_rule', protectionRule(fake, 'weekend'));
    assert.deepEqual(
      reviews(fake).map((r) => r.state),
      ['approved'],
    );
  } finally {
    await fake.stop();
  }
});

test('protection rule: a veto, an unknown environment, or approvals without a pull request are rejected at once', async () => {
  await withApp(async (fake, probot) => {
    recordApproval(fake, 'dave', { kind: 'reject', reason: 'not today' });
    await receive(probot, 'deployment_protection_rule', protectionRule(fake, 'production', { run: 1 }));
    await receive(probot, 'deployment_protection_rule', protectionRule(fake, 'qa', { run: 2 }));
    await receive(
      probot,
      'deployment_protection_rule',
      protectionRule(fake, 'production', { run: 3, pr: false }),
    );
    const byRun = new Map(reviews(fake).map((r) => [r.runId, r]));
    assert.equal(byRun.get(1)?.state, 'rejected');
    assert.match(byRun.get(1)!.comment!, /rejected: vetoed by @dave \(not today\)/);
    assert.equal(byRun.get(2)?.state, 'rejected');
    assert.match(byRun.get(2)!.comment!, /environment "qa" is not in/);
    assert.equal(byRun.get(3)?.state, 'rejected');
    assert.match(byRun.get(3)!.comment!, /approvals can only be given on a pull request/);
    assert.equal(gateRuns(fake, 'production').length, 0);
  });
});

test('protection rule: pending with an Approve gate, then approved after two approvals (button and comment)', async () => {
  await withApp(async (fake, probot) => {
    const rule = protectionRule(fake, 'production');
    await receive(probot, 'deployment_protection_rule', rule);
    // A redelivery must not post a second gate or reply.
    await receive(probot, 'deployment_protection_rule', rule);
    assert.deepEqual(reviews(fake), [], 'not answered while approvals are missing');
    const [gate, ...more] = gateRuns(fake, 'production');
    assert.equal(more.length, 0);
    assert.equal(gate?.conclusion, 'action_required');
    assert.equal(gate?.head_sha, HEAD);
    const created = fake.requestsFor('checks/create')[0]!.body as { actions: unknown[] };
    assert.deepEqual(created.actions, [
      { label: 'Approve', description: 'Approve deploying to production', identifier: 'approve' },
    ]);
    const waiting = appComments(fake);
    assert.equal(waiting.length, 1);
    assert.match(waiting[0]!, /waiting for approval.*run 4711/);
    assert.match(
      waiting[0]!,
      /needs 2 more approvals \(0\/2\) from @dave, @erin, @acme\/sre other than `carol`/,
    );

    // dave clicks Approve: recorded, one approval is not enough, the gate stays.
    await receive(probot, 'check_run', approvePress(fake, gate!, 'dave'));
    assert.deepEqual(reviews(fake), []);
    assert.match(appComments(fake).at(-1)!, /@dave approved deploying .* \(Approve button\)/);
    assert.match(
      String(
        gateRuns(fake, 'production')[0]!.output &&
          (gateRuns(fake, 'production')[0]!.output as { summary: string }).summary,
      ),
      /needs 1 more approval \(1\/2\)/,
    );

    // erin approves with /approve-deploy (the comment handler records the marker, then calls this).
    recordApproval(fake, 'erin');
    const octokit = (await probot.auth(fake.state.installationId)) as unknown as Octokit;
    const answers = await answerPendingProtectionRules(octokit, {
      where: { owner, repo },
      defaultBranch: 'main',
      sha: HEAD,
      environment: 'production',
      markers: testTrust(),
      records: appRecordReader(testMarkerKeys(), readEnvironmentRecord),
    });
    assert.deepEqual(
      answers.map((a) => [a.run, a.environment, a.answer]),
      [[4711, 'production', 'approved']],
    );
    assert.deepEqual(
      reviews(fake).map((r) => [r.runId, r.environmentName, r.state]),
      [[4711, 'production', 'approved']],
    );
    assert.match(reviews(fake)[0]!.comment!, /approvals from (@erin, @dave|@dave, @erin)\./);
    assert.equal(gateRuns(fake, 'production')[0]!.conclusion, 'success');
    // Answered once: asking again finds nothing pending.
    assert.deepEqual(
      await answerPendingProtectionRules(octokit, {
        where: { owner, repo },
        defaultBranch: 'main',
        sha: HEAD,
        environment: 'production',
        markers: testTrust(),
        records: appRecordReader(testMarkerKeys(), readEnvironmentRecord),
      }),
      [],
    );
    assert.equal(reviews(fake).length, 1);
  });
});

test('protection rule: /approve-deploy comments answer the waiting rule once the count is reached', async () => {
  await withApp(async (fake, probot) => {
    await receive(probot, 'deployment_protection_rule', protectionRule(fake, 'production', { run: 11 }));
    const say = (body: string, user: string) =>
      receive(probot, 'issue_comment', commentOnPull(fake, body, { user }).payload);

    await say('/approve-deploy production', 'dave');
    assert.deepEqual(reviews(fake), [], 'one approval of two: still waiting');
    const gate = gateRuns(fake, 'production')[0]!;
    assert.match((gate.output as { summary: string }).summary, /needs 1 more approval \(1\/2\)/);
    // An approval of another environment does not touch this gate (and costs no gate lookup).
    const gateLookups = () =>
      fake.requests.filter((r) => /^approval \//.test(r.query.check_name ?? '')).length;
    const lookups = gateLookups();
    assert.ok(lookups > 0, 'the gates were looked up');
    await say('/approve-deploy staging', 'alice');
    assert.equal(gateLookups(), lookups);

    await say('/approve-deploy production', 'erin');
    assert.deepEqual(
      reviews(fake).map((r) => [r.runId, r.environmentName, r.state]),
      [[11, 'production', 'approved']],
    );
    assert.equal(gateRuns(fake, 'production')[0]!.conclusion, 'success');
  });
});

test('protection rule: two runs waiting on one commit each keep one gate, and both are answered', async () => {
  await withApp(async (fake, probot) => {
    const first = protectionRule(fake, 'production', { run: 21 });
    await receive(probot, 'deployment_protection_rule', first);
    await receive(probot, 'deployment_protection_rule', protectionRule(fake, 'production', { run: 22 }));
    // The first run's event redelivered after the second gate exists: GitHub's default listing (`latest`)
    // shows only the newest check run of the name, so the first run's gate must be looked up among all.
    await receive(probot, 'deployment_protection_rule', first);
    assert.equal(gateRuns(fake, 'production').length, 2, 'one gate per run, none duplicated');

    const say = (body: string, user: string) =>
      receive(probot, 'issue_comment', commentOnPull(fake, body, { user }).payload);
    await say('/approve-deploy production', 'dave');
    await say('/approve-deploy production', 'erin');
    assert.deepEqual(
      reviews(fake)
        .map((r) => [r.runId, r.environmentName, r.state])
        .sort(),
      [
        [21, 'production', 'approved'],
        [22, 'production', 'approved'],
      ],
      'the older run waits as much as the newer one',
    );
  });
});

test('protection rule: /reject-deploy rejects the waiting rule at once, with the reason', async () => {
  await withApp(async (fake, probot) => {
    await receive(probot, 'deployment_protection_rule', protectionRule(fake, 'production', { run: 12 }));
    await receive(
      probot,
      'issue_comment',
      commentOnPull(fake, '/reject-deploy production breaks checkout', { user: 'dave' }).payload,
    );
    const [review, ...more] = reviews(fake);
    assert.equal(more.length, 0);
    assert.deepEqual([review?.runId, review?.state], [12, 'rejected']);
    assert.match(review!.comment!, /dave/);
    assert.equal(gateRuns(fake, 'production')[0]!.conclusion, 'failure');
  });
});

test('Approve button: an allowed approver is recorded as an approval marker bound to the head SHA', async () => {
  await withApp(async (fake, probot) => {
    await receive(probot, 'deployment_protection_rule', protectionRule(fake, 'production'));
    const gate = gateRuns(fake, 'production')[0]!;
    // erin approves through the acme/sre team membership (read permission is enough for a listed approver).
    await receive(probot, 'check_run', approvePress(fake, gate, 'erin'));
    const reply = appComments(fake).at(-1)!;
    assert.match(reply, /@erin approved/);
    assert.match(reply, new RegExp(`"sha":"${HEAD}"`));
    assert.match(reply, /"by":"erin","perm":"read","teams":\["acme\/sre"\]/);
    assert.match(reply, /"src":"check_run"/);
  });
});

test('Approve button: a disallowed user, the author (self-approval) and a stale commit are refused and record nothing', async () => {
  await withApp(async (fake, probot) => {
    await receive(probot, 'deployment_protection_rule', protectionRule(fake, 'production'));
    const gate = gateRuns(fake, 'production')[0]!;
    await receive(probot, 'check_run', approvePress(fake, gate, 'mallory'));
    assert.match(appComments(fake).at(-1)!, /Approval by @mallory not recorded\*\* \(`not_an_approver`\)/);
    await receive(probot, 'check_run', approvePress(fake, gate, 'carol'));
    assert.match(
      appComments(fake).at(-1)!,
      /Approval by @carol not recorded\*\* \(`self_approval_refused`\)/,
    );
    fake.pushCommit(PR, fakeSha('pr-7-second'));
    await receive(probot, 'check_run', approvePress(fake, gate, 'dave'));
    assert.match(appComments(fake).at(-1)!, /Approval by @dave not recorded\*\* \(`sha_moved`\)/);
    assert.ok(
      appComments(fake).every((c) => !c.includes('deploy-action:approval')),
      'no marker written',
    );
    assert.deepEqual(reviews(fake), []);
  });
});

// ---- deployment_status ------------------------------------------------------------------------------

async function deploymentOnFake(probot: Probot, fake: FakeGitHub, requestedBy: string) {
  const octokit = (await probot.auth(fake.state.installationId)) as unknown as Octokit;
  const { data } = await octokit.rest.repos.createDeployment({
    owner,
    repo,
    ref: HEAD,
    environment: 'production',
    auto_merge: false,
    required_contexts: [],
    payload: { pr: PR, requested_by: requestedBy, strategy: 'canary' },
  });
  return { octokit, deployment: data as { id: number; sha: string; payload: unknown } };
}

/** Who made the deployment and who posted the status, as GitHub's signed webhook says (merged over the
 * example's user objects, which already have the webhook's shape). */
interface Creators {
  deployment?: { login: string; type: 'Bot' | 'User' };
  status?: { login: string; type: 'Bot' | 'User' };
}
const WORKFLOW_BOT = { login: 'github-actions[bot]', type: 'Bot' } as const;

function statusEvent(
  fake: FakeGitHub,
  deployment: { id: number; sha: string; payload: unknown },
  state: string,
  at: string,
  creators: Creators = {},
) {
  return webhookPayload(
    'deployment_status',
    'created',
    {
      deployment: {
        id: deployment.id,
        sha: deployment.sha,
        environment: 'production',
        payload: deployment.payload,
        creator: creators.deployment ?? { login: APP_BOT, type: 'Bot' },
      },
      ...onMain,
      deployment_status: {
        creator: creators.status ?? WORKFLOW_BOT,
        state,
        environment: 'production',
        description: `deploy ${state}`,
        created_at: at,
        log_url: `${fake.url}/_html/${owner}/${repo}/actions/runs/99`,
      },
    },
    target(fake),
  );
}

const statusComments = (fake: FakeGitHub) =>
  [...fake.repo().comments.values()].filter((c) => String(c.body).startsWith(statusMarker('production')));

for (const final of ['success', 'failure'] as const) {
  test(`deployment_status ${final}: updates the one status comment, keeps its commits, releases the lock`, async () => {
    await withApp(async (fake, probot) => {
      const { octokit, deployment } = await deploymentOnFake(probot, fake, 'alice');
      // The App's status comment (only its own counts for its deployment), into which the Action wrote the
      // commit list the app cannot know.
      fake.addComment(PR, {
        user: BOT_LOGIN,
        body: renderStatusComment({
          environment: 'production',
          state: 'queued',
          sha: HEAD,
          version: 'v1.2.3',
          commits: [{ sha: HEAD, message: 'Add the canary' }],
          updatedAt: '2020-01-01T00:00:00Z',
        }),
      });
      const lock = await acquireDeploymentLock(octokit.rest, { owner, repo }, testMarkerKeys(), {
        environment: 'production',
        sha: HEAD,
      });
      assert.equal(lock.status, 'acquired');

      await receive(
        probot,
        'deployment_status',
        statusEvent(fake, deployment, 'in_progress', '2030-01-01T00:00:01Z'),
      );
      assert.ok(fake.repo().refs.has('deploy-locks/production'), 'a running deployment keeps its lock');
      await receive(
        probot,
        'deployment_status',
        statusEvent(fake, deployment, final, '2030-01-01T00:00:02Z'),
      );
      // An older status arriving late does not overwrite the final one.
      await receive(
        probot,
        'deployment_status',
        statusEvent(fake, deployment, 'in_progress', '2030-01-01T00:00:01Z'),
      );

      const comments = statusComments(fake);
      assert.equal(comments.length, 1, 'one status comment, never a second');
      const state = parseStatusComment(String(comments[0]!.body), 'production')!;
      assert.equal(state.state, final);
      assert.equal(state.deploymentId, deployment.id);
      assert.equal(state.version, 'v1.2.3');
      assert.deepEqual(state.commits, [{ sha: HEAD, message: 'Add the canary' }]);
      assert.equal(state.description, `deploy ${final}`);
      assert.equal(fake.requestsFor('issues/create-comment').length, 0);
      assert.equal(fake.repo().refs.has('deploy-locks/production'), false, 'the lock is released');
    });
  });
}

// A person with deployments: write must not free the environment under a running rollout: not by posting a
// final status on the App's deployment, nor by making their own deployment of the commit and ending it.
for (const [name, creators] of [
  ['a person posts "failure" on the App\'s deployment', { status: { login: 'mallory', type: 'User' } }],
  ["a person's own deployment of the commit ends", { deployment: { login: 'mallory', type: 'User' } }],
  ["a workflow's deployment of the commit ends", { deployment: WORKFLOW_BOT }],
  // Another App installed on the repository (deployments: write) is a Bot too, but not one that runs the
  // App's deployment: only the App and the workflow token the deployment runs under end it.
  [
    'another App posts "failure" on the App\'s deployment',
    { status: { login: 'other-app[bot]', type: 'Bot' } },
  ],
  ["a bot named like the App's workflow but not it", { status: { login: 'github-actions', type: 'Bot' } }],
] as Array<[string, Creators]>) {
  test(`deployment_status: the deployment lock is kept when ${name}`, async () => {
    await withApp(async (fake, probot) => {
      const { octokit, deployment } = await deploymentOnFake(probot, fake, 'alice');
      const lock = await acquireDeploymentLock(octokit.rest, { owner, repo }, testMarkerKeys(), {
        environment: 'production',
        sha: HEAD,
      });
      assert.equal(lock.status, 'acquired');
      await receive(
        probot,
        'deployment_status',
        statusEvent(fake, deployment, 'failure', '2030-01-01T00:00:02Z', creators),
      );
      assert.ok(fake.repo().refs.has('deploy-locks/production'), 'the running deployment keeps its lock');
      // The comment follows the App's and the workflow token's deployments, whoever posted the status (display:
      // what GitHub's Deployments tab shows); a person's own deployment is not shown
      // (test/app/foreign-statuses.test.ts).
      assert.equal(
        statusComments(fake).length,
        creators.deployment === undefined || creators.deployment === WORKFLOW_BOT ? 1 : 0,
      );
    });
  });
}

test("deployment_status: another App's final status is refused with a warning; the App's own ends the lock", async () => {
  const fake = await seededFake(SEED);
  try {
    const captured = capturedLog('info');
    const probot = testProbot(fake, captured.log);
    await probot.load(testApp());
    const { octokit, deployment } = await deploymentOnFake(probot, fake, 'alice');
    const where = { owner, repo };
    assert.equal(
      (
        await acquireDeploymentLock(octokit.rest, where, testMarkerKeys(), {
          environment: 'production',
          sha: HEAD,
        })
      ).status,
      'acquired',
    );
    const other = { status: { login: 'other-app[bot]', type: 'Bot' as const } };
    await receive(
      probot,
      'deployment_status',
      statusEvent(fake, deployment, 'failure', '2030-01-01T00:00:02Z', other),
    );
    assert.ok(fake.repo().refs.has('deploy-locks/production'), 'the lock is kept');
    const warnings = captured
      .text()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { level: number; msg: string; reason?: string; creator?: string })
      .filter((l) => l.level === 40);
    assert.deepEqual(
      warnings.map((l) => [l.reason, l.creator]),
      [['status_by_other_bot', 'other-app[bot]']],
      'the refusal is in the log, naming who and why',
    );
    // The App's own final status (it ends deployments it could not start, for one) does end it.
    await receive(
      probot,
      'deployment_status',
      statusEvent(fake, deployment, 'error', '2030-01-01T00:00:03Z', {
        status: { login: APP_BOT, type: 'Bot' },
      }),
    );
    assert.equal(fake.repo().refs.has('deploy-locks/production'), false, 'the lock is released');
    fake.assertNoViolations();
  } finally {
    await fake.stop();
  }
});

test('deployment_status: without a comment one is created; a /lock someone else holds is kept', async () => {
  await withApp(async (fake, probot) => {
    const { octokit, deployment } = await deploymentOnFake(probot, fake, 'alice');
    await acquireLock(octokit.rest, { owner, repo }, testMarkerKeys(), {
      target: { scope: 'environment', environment: 'production' },
      holder: 'bob',
      sha: HEAD,
      reason: 'incident',
    });
    await receive(
      probot,
      'deployment_status',
      statusEvent(fake, deployment, 'success', '2030-01-01T00:00:02Z'),
    );
    await receive(
      probot,
      'deployment_status',
      statusEvent(fake, deployment, 'error', '2030-01-01T00:00:03Z'),
    );
    const comments = statusComments(fake);
    assert.equal(comments.length, 1);
    assert.equal(parseStatusComment(String(comments[0]!.body), 'production')?.state, 'error');
    assert.ok(fake.repo().refs.has('deploy-locks/production'), "bob's lock is not the deployment's");
  });
});

// ---- pull_request.synchronize -----------------------------------------------------------------------

function synchronize(fake: FakeGitHub, before: string, after: string) {
  const sample = webhookPayload('pull_request', 'synchronize', onMain, target(fake));
  return {
    ...sample,
    number: PR,
    before,
    after,
    pull_request: { ...(sample.pull_request as object), number: PR },
  };
}

test('a push to a PR with approvals says they no longer count; without approvals it says nothing', async () => {
  await withApp(async (fake, probot) => {
    const next = fakeSha('pr-7-next');
    await receive(probot, 'pull_request', synchronize(fake, HEAD, next));
    assert.deepEqual(appComments(fake), [], 'no approvals: no notice');

    recordApproval(fake, 'dave');
    recordApproval(fake, 'erin', { environment: 'staging' });
    recordApproval(fake, 'alice', { sha: fakeSha('older') });
    // A comment by someone else carrying a marker is not an approval.
    fake.addComment(PR, {
      user: 'mallory',
      body: serializeApprovalMarker(
        {
          kind: 'approve',
          by: { login: 'mallory', permission: 'admin', teams: [] },
          environment: 'production',
          sha: HEAD,
          at: new Date(),
        },
        testMarkerKeys(),
        { repository: `${owner}/${repo}`, pullRequest: PR },
      ),
    });
    fake.pushCommit(PR, next);
    await receive(probot, 'pull_request', synchronize(fake, HEAD, next));
    const notice = appComments(fake).at(-1)!;
    assert.match(notice, new RegExp(`New commit \`${next.slice(0, 7)}\` was pushed`));
    assert.match(notice, /\*\*production\*\*: @dave\n/);
    assert.match(notice, /\*\*staging\*\*: @erin/);
    assert.doesNotMatch(notice, /@alice|@mallory/);
  });
});

// ---- the pure parts ---------------------------------------------------------------------------------

test('gate references and callback URLs: only well-formed ones are read, nothing throws', () => {
  const ref = { run: 42, env: 'production', pr: 7, type: 'hotfix' as const };
  assert.deepEqual(parseGateRef(serializeGateRef(ref)), ref);
  // GitHub's name of the environment, kept to answer under it: only a spelling of the same name.
  const spelt = { ...ref, github: 'Production' };
  assert.deepEqual(parseGateRef(serializeGateRef(spelt)), spelt);
  assert.deepEqual(parseGateRef(serializeGateRef({ ...ref, github: 'staging' })), ref);
  for (const bad of [
    null,
    '',
    'not json',
    '{"v":2,"run":1,"env":"x","pr":1,"type":"standard"}',
    '{"v":1,"run":"1","env":"x","pr":1,"type":"standard"}',
    '{"v":1,"run":1,"env":"x","pr":1,"type":"yolo"}',
  ])
    assert.equal(parseGateRef(bad), undefined, String(bad));
  assert.equal(
    runIdFromCallbackUrl('https://api.github.com/repos/o/r/actions/runs/123/deployment_protection_rule'),
    123,
  );
  assert.equal(
    runIdFromCallbackUrl('https://api.github.com/repos/o/r/actions/runs/abc/deployment_protection_rule'),
    undefined,
  );
  assert.equal(
    runIdFromCallbackUrl('https://api.github.com/repos/o/r/actions/runs/0/deployment_protection_rule'),
    undefined,
  );
});

test('status comment state: later events win, older ones are dropped, the commit list survives only for its commit', () => {
  const previous = {
    environment: 'production',
    state: 'in_progress' as const,
    sha: HEAD,
    deploymentId: 10,
    version: 'v2',
    commits: [{ sha: HEAD, message: 'x' }],
    updatedAt: '2030-01-01T00:00:05Z',
  };
  const event = {
    environment: 'production',
    state: 'success' as const,
    sha: HEAD,
    deploymentId: 10,
    at: '2030-01-01T00:00:06Z',
  };
  assert.deepEqual(nextStatusState(previous, event), { ...previous, state: 'success', updatedAt: event.at });
  assert.equal(
    nextStatusState(previous, { ...event, at: '2030-01-01T00:00:04Z' }),
    undefined,
    'an earlier status',
  );
  assert.equal(nextStatusState(previous, { ...event, deploymentId: 9 }), undefined, 'an older deployment');
  const other = nextStatusState(previous, { ...event, deploymentId: 11, sha: fakeSha('other') })!;
  assert.equal(other.commits, undefined, 'commits of another SHA are not carried over');
  assert.equal(other.version, undefined);
});

test('an Approve click on a check run that is not our gate is ignored without a word', async () => {
  await withApp(async (fake, probot) => {
    await receive(probot, 'deployment_protection_rule', protectionRule(fake, 'production'));
    const gate = gateRuns(fake, 'production')[0]!;
    const before = appComments(fake).length;
    const pullReads = fake.requestsFor('pulls/get').length;
    const forged = { ...gate, external_id: 'x' };
    await receive(probot, 'check_run', approvePress(fake, forged, 'dave'));
    const otherApp = { ...gate, app: { ...(gate.app as object), id: 1 } };
    await receive(probot, 'check_run', approvePress(fake, otherApp, 'dave'));
    assert.equal(appComments(fake).length, before);
    assert.equal(fake.requestsFor('pulls/get').length, pullReads, 'not even the pull request was read');
  });
});
