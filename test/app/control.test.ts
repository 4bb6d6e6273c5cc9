// /promote, /pause, /resume, /abort and the Promote / Resume / Abort buttons end to end through probot.receive
// and the fake GitHub (issue 14): the record the Action left on GitHub (signed under the environment's state
// key) says where the rollout is and whether its job handed it off; each allowed request becomes exactly one
// `rollout / <env>` check run of the App; a handed-off rollout that may go on (or must roll back) gets one
// reconcile run. Refusals carry their stable code and write nothing.
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Probot } from 'probot';
import { fakeSha, openCheckSuites, webhookPayload } from '../fake-github/index.ts';
import type { FakeGitHub } from '../fake-github/index.ts';
import {
  HEAD,
  PR,
  capturedLog,
  commentOnPull,
  owner,
  repo,
  rest,
  seededFake,
  testApp,
  testMarkerKeys,
  testProbot,
} from './helpers.ts';
import { storedDeploymentWebhook } from '../helpers/app-webhooks.ts';
import type { EnvironmentRecord, Rollout, RolloutWait } from '../../src/state/record.ts';
import { signRecord } from '../../src/state/signed-record.ts';
import { stateKey } from '../../src/state/state-key.ts';
import { verifyControlText } from '../../src/control/signed.ts';
import { isHeld } from '../../src/control/rollout.ts';
import { emptyRecord } from '../../src/state/record.ts';
import { decide as decideReconcile } from '../../src/reconcile/decide.ts';
import { githubChannel, githubRequests } from '../../app/deploy/control.ts';
import type { ControlChannel } from '../../app/deploy/control.ts';
import type { RequestFn } from '../../src/control/github-channel.ts';
import { Octokit } from '@octokit/rest';
import { answeringRefName } from '../../app/facts/answer-once.ts';
import { pressBody } from '../../app/deploy/press-answer.ts';
import { pushClaim, receive } from './delivery-helpers.ts';
import { assertInert, assertRecordInert, mentionsIn, otherWrites, renderedWrites } from './inert.ts';

type Receive = Parameters<Probot['receive']>[0];

const NOW = new Date('2025-03-04T10:30:00Z');
const RECONCILE_FILE = 'reconcile-now.yml';
// production: alice deploys; carol and dave approve (also the `approval: 2` steps). erin has write access but
// is neither. mallory is nobody.
const CONFIG = `
target:
  commands:
    deploy: ./deploy.sh
reconcile:
  workflow: ${RECONCILE_FILE}
environments:
  production:
    approvals:
      deployers: [alice]
      approvers: [carol, dave]
      required: 0
`;
const RECONCILE_WORKFLOW = `name: reconcile
on:
  workflow_dispatch:
    inputs:
      environment: { required: true, type: string }
jobs: {}
`;
const V2 = fakeSha('release-2');
const NAME = 'rollout / production';

interface World {
  fake: FakeGitHub;
  probot: Probot;
  /** The rollout's deployment (made from the PR, at its head). */
  deploymentId: number;
}

let nextRun = 700;

/** The record as the Action leaves it: a `deploy / <env>` check run on its deployment, signed. */
async function writeRecord(
  w: World,
  rollout: Partial<Rollout> | undefined,
  opts: { forged?: boolean; record?: Partial<EnvironmentRecord> } = {},
) {
  const record: EnvironmentRecord = {
    schema: 1,
    repository: `${owner}/${repo}`,
    environment: 'production',
    seq: nextRun,
    updatedAt: NOW.toISOString(),
    live: { version: 'v2.0.0', sha: V2, since: '2025-03-03T09:00:00.000Z' },
    retired: [],
    history: [],
    ...opts.record,
    ...(rollout
      ? {
          rollout: {
            deploymentId: String(w.deploymentId),
            version: 'v3.0.0',
            sha: HEAD,
            strategy: 'canary',
            phase: 'production',
            step: 2,
            steps: 5,
            weight: 25,
            startedAt: STARTED,
            owner: { kind: 'workflow', runId: String(nextRun), runAttempt: '1' },
            recovery: [],
            ...rollout,
          },
        }
      : {}),
  };
  const place = {
    repository: `${owner}/${repo}`,
    environment: 'production',
    deploymentId: String(w.deploymentId),
  };
  const key = opts.forged
    ? randomBytes(32)
    : stateKey(testMarkerKeys().current, `${owner}/${repo}`, 'production');
  await rest(w.fake, 'POST', '/check-runs', {
    name: 'deploy / production',
    head_sha: HEAD,
    status: 'in_progress',
    external_id: `deploy-action:${nextRun++}:deploy / production:deployment-${w.deploymentId}`,
    output: { title: 'deploy', summary: 'deploying', text: signRecord(record, key, place) },
  });
}

/** The rollout writeRecord writes began then: its wait notices and request check runs name it. */
const STARTED = '2025-03-04T10:10:00.000Z';
/** The external id of the wait notice at `step` of the rollout that began at `started`. */
const waitId = (w: World, step: number, started = STARTED): string =>
  `wait:${w.deploymentId}:${step}:rollout-${Date.parse(started)}`;

const waiting = (wait: Partial<RolloutWait> = {}): Partial<Rollout> => ({
  wait: { kind: 'manual', step: 2, since: '2025-03-04T10:20:00.000Z', handedOff: true, ...wait },
});

/**
 * `now`: the App's clock; with `shared`, the fake GitHub's too (when it dates the comments), else its own.
 */
async function run(
  body: (w: World) => Promise<void>,
  now: () => Date = () => NOW,
  shared = false,
  controlChannel?: ControlChannel,
  log?: Probot['log'],
): Promise<void> {
  const fake = await seededFake(shared ? { fake: { now } } : {});
  const r = fake.repo();
  fake.setFile('.github/deploy.yml', CONFIG);
  fake.setFile(`.github/workflows/${RECONCILE_FILE}`, RECONCILE_WORKFLOW);
  for (const login of ['alice', 'carol', 'dave', 'erin']) r.collaborators.set(login, 'write');
  fake.addCommit({ sha: V2, message: 'v2' });
  // The PR's author (and its commits', and who pushed its branch) is nobody below: carol and dave approve
  // without self-approval in the way.
  r.pulls.get(PR)!.user = 'bob';
  r.commits.get(HEAD)!.author = 'bob';
  for (const change of r.activities) change.actor = 'bob';
  const { id: deploymentId } = await rest(fake, 'POST', '/deployments', {
    ref: HEAD,
    environment: 'production',
    task: 'deploy',
    payload: { type: 'standard', pr: PR },
    required_contexts: [],
    auto_merge: false,
  });
  const probot = testProbot(fake, log);
  await probot.load(testApp({ now, ...(controlChannel ? { controlChannel } : {}) }));
  try {
    await body({ fake, probot, deploymentId });
    fake.assertNoViolations();
  } finally {
    await fake.stop();
  }
}

const botLogin = (fake: FakeGitHub): string => `${fake.state.appSlug}[bot]`;
const replies = (fake: FakeGitHub): string[] =>
  [...fake.repo().comments.values()]
    .filter((c) => (c.user as { login: string }).login === botLogin(fake))
    .map((c) => String(c.body));
/** The App's control check runs: requests and wait notices. */
const controlRuns = (fake: FakeGitHub) =>
  [...fake.repo().checkRuns.values()].filter((c) => c.name === NAME) as Array<Record<string, unknown>>;
const requestRuns = (fake: FakeGitHub) =>
  controlRuns(fake).filter((c) => !String(c.external_id).startsWith('wait:'));
const dispatches = (fake: FakeGitHub) => fake.repo().workflowDispatches;

async function send(w: World, body: string, user: string, delivery?: string) {
  const comment = commentOnPull(w.fake, body, { user });
  await w.probot.receive({
    id: delivery ?? crypto.randomUUID(),
    name: 'issue_comment',
    payload: comment.payload,
  } as Receive);
  return comment;
}

async function say(w: World, body: string, user: string): Promise<string> {
  const before = replies(w.fake).length;
  await send(w, body, user);
  const after = replies(w.fake);
  assert.equal(after.length, before + 1, `exactly one reply to ${body}`);
  return after.at(-1)!;
}

const VERBS = ['promote', 'pause', 'resume', 'abort'] as const;

test('/promote by a deployer on a handed-off manual step: one request, one reconcile run, and the reply says so', async () => {
  await run(async (w) => {
    await writeRecord(w, waiting());
    const before = replies(w.fake).length;
    const comment = await send(w, '/promote production', 'alice');
    assert.equal(replies(w.fake).length, before + 1);
    const reply = replies(w.fake).at(-1)!;
    assert.match(reply, /\*\*\/promote\*\* by @alice recorded for `production` at step 3\/5, 25 %/);
    assert.match(reply, /goes on from step 3\/5.*\(a new run was started\)/);
    const [request, ...more] = requestRuns(w.fake);
    assert.equal(more.length, 0, 'exactly one request');
    assert.equal(request!.head_sha, HEAD);
    assert.deepEqual(
      dispatches(w.fake).map((d) => ({ workflowId: d.workflowId, ref: d.ref, inputs: d.inputs })),
      [{ workflowId: RECONCILE_FILE, ref: 'main', inputs: { environment: 'production' } }],
    );
    const claims = [...w.fake.repo().refs.keys()].filter((r) => r.startsWith('deploy-control/'));
    assert.deepEqual(
      claims,
      [`deploy-control/${w.deploymentId}/comment_${comment.id}`],
      'claimed per request',
    );
  });
});

test('every command redelivered (same delivery, a new one, two at once): one request and at most one reconcile run each', async () => {
  await run(async (w) => {
    for (const verb of VERBS) {
      await writeRecord(w, waiting(verb === 'resume' ? { kind: 'hold' } : {}));
      const runsBefore = requestRuns(w.fake).length;
      const dispatchesBefore = dispatches(w.fake).length;
      const comment = await send(w, `/${verb} production`, 'alice', `${verb}-1`);
      const answered = replies(w.fake).length;
      const again = () =>
        w.probot.receive({ id: `${verb}-2`, name: 'issue_comment', payload: comment.payload } as Receive);
      await w.probot.receive({ id: `${verb}-1`, name: 'issue_comment', payload: comment.payload } as Receive);
      await Promise.all([again(), again()]);
      assert.equal(requestRuns(w.fake).length, runsBefore + 1, `/${verb}: one request`);
      assert.equal(replies(w.fake).length, answered, `/${verb}: answered once`);
      const started = dispatches(w.fake).length - dispatchesBefore;
      // pause holds a waiting rollout: nothing starts; the others let it go on, or roll it back.
      assert.equal(started, verb === 'pause' ? 0 : 1, `/${verb}: reconcile runs started`);
    }
  });
});

test('a handed-off rollout whose reconcile run GitHub failed to start: the same /abort or /resume again starts it, once, writing nothing more', async () => {
  await run(async (w) => {
    for (const verb of ['resume', 'abort'] as const) {
      await writeRecord(w, waiting(verb === 'resume' ? { kind: 'hold' } : {}));
      const runsBefore = requestRuns(w.fake).length;
      w.fake.failNext({ status: 500, operationId: 'actions/create-workflow-dispatch' });
      await send(w, `/${verb} production`, 'alice').catch(() => undefined);
      assert.match(replies(w.fake).at(-1)!, /\*\*Failed\*\*.*It had begun/s, `/${verb}: told it failed`);
      assert.equal(requestRuns(w.fake).length, runsBefore + 1, `/${verb}: the request was recorded`);
      const started = dispatches(w.fake).length;
      // Asked again, as the failure reply says to: the run is started now (not "already aborted" or "not
      // paused", which left the rollout waiting for a scheduled reconcile, or for nothing).
      // (An approver may /abort too: carol's /abort is answered as alice's, already recorded.)
      const again = await say(w, `/${verb} production`, verb === 'abort' ? 'carol' : 'alice');
      assert.equal(dispatches(w.fake).length, started + 1, `/${verb} again: the run is started`);
      assert.equal(requestRuns(w.fake).length, runsBefore + 1, `/${verb} again: nothing more recorded`);
      assert.match(again, /nothing more was recorded/, again);
      assert.match(again, /\(a new run was started\)/, again);
      // A third time: the run was started for that request already.
      const third = await say(w, `/${verb} production`, 'alice');
      assert.equal(dispatches(w.fake).length, started + 1, `/${verb} a third time: no second run`);
      assert.match(third, /a run was already started for this request/, third);
    }
  });
});

test('who may: a non-deployer is refused for every command (an approver may /abort); nothing is written', async () => {
  await run(async (w) => {
    await writeRecord(w, waiting());
    for (const verb of VERBS) {
      const code = verb === 'abort' ? 'not_allowed' : 'not_a_deployer';
      assert.match(
        await say(w, `/${verb} production`, 'erin'),
        new RegExp(`\\*\\*Not accepted\\*\\* \\(\`${code}\`\\)`),
      );
      assert.match(await say(w, `/${verb} production`, 'mallory'), /\(`not_(a_deployer|allowed)`\)/);
    }
    // An approver's /promote counts only at an `approval` step; this one is manual.
    for (const verb of ['promote', 'pause', 'resume'])
      assert.match(await say(w, `/${verb} production`, 'carol'), /\(`not_a_deployer`\)/);
    assert.equal(requestRuns(w.fake).length, 0, 'nothing written');
    assert.equal(dispatches(w.fake).length, 0);
    assert.match(
      await say(w, '/abort production --reason "error rate"', 'carol'),
      /\*\*\/abort\*\* by @carol recorded.*: error rate/,
    );
    assert.match(replies(w.fake).at(-1)!, /rolls back to the stable version \(a new run was started\)/);
    assert.equal(requestRuns(w.fake).length, 1);
    assert.equal(dispatches(w.fake).length, 1);
  });
});

test('after a push, /promote and /resume are refused with sha_moved naming both commits; /pause and /abort still stop the rollout of the earlier commit', async () => {
  await run(async (w) => {
    await writeRecord(w, waiting());
    const next = fakeSha('pr-7-next');
    w.fake.pushCommit(PR, next);
    for (const verb of ['promote', 'resume'] as const) {
      const reply = await say(w, `/${verb} production`, 'alice');
      assert.match(reply, /\(`sha_moved`\)/);
      assert.ok(reply.includes(next.slice(0, 12)) && reply.includes(HEAD.slice(0, 12)), reply);
    }
    assert.equal(requestRuns(w.fake).length, 0);
    // The rollout's commit is one of the PR's: a person stops a bad rollout after pushing its fix.
    assert.match(await say(w, '/pause production', 'alice'), /\*\*\/pause\*\* by @alice recorded/);
    assert.match(
      await say(w, '/abort production --reason "bad canary"', 'alice'),
      /\*\*\/abort\*\* by @alice recorded.*: bad canary/,
    );
    const requests = requestRuns(w.fake);
    assert.equal(requests.length, 2);
    for (const request of requests) assert.equal(request.head_sha, HEAD, 'bound to the rollout’s commit');
    assert.equal(dispatches(w.fake).length, 1, 'the handed-off rollout is rolled back by one reconcile run');
  });
});

test('after a force-push that dropped the rollout’s commit, /pause and /abort are refused with sha_moved too', async () => {
  await run(async (w) => {
    await writeRecord(w, waiting());
    const next = fakeSha('pr-7-rewritten');
    w.fake.pushCommit(PR, next);
    // A force-push: GitHub lists only the new history's commits for the PR.
    w.fake.repo().pulls.get(PR)!.commits = [next];
    for (const verb of VERBS) {
      const reply = await say(w, `/${verb} production`, 'alice');
      assert.match(reply, /\(`sha_moved`\)/);
      assert.ok(reply.includes(next.slice(0, 12)) && reply.includes(HEAD.slice(0, 12)), reply);
      if (verb === 'pause' || verb === 'abort') assert.match(reply, /not one of its commits/);
    }
    assert.equal(requestRuns(w.fake).length, 0);
    assert.equal(dispatches(w.fake).length, 0);
  });
});

test('a forged record, no record and no rollout: refused with their codes, nothing written or started', async () => {
  await run(async (w) => {
    for (const verb of VERBS) assert.match(await say(w, `/${verb} production`, 'alice'), /\(`no_rollout`\)/);
    await writeRecord(w, undefined);
    assert.match(await say(w, '/promote production', 'alice'), /\(`no_rollout`\)/);
    await writeRecord(w, waiting(), { forged: true });
    for (const verb of VERBS)
      assert.match(await say(w, `/${verb} production`, 'alice'), /\*\*Not accepted\*\* \(`state_forged`\)/);
    assert.equal(requestRuns(w.fake).length, 0);
    assert.equal(dispatches(w.fake).length, 0);
    assert.equal(w.fake.requestsFor('git/create-ref').length, 0, 'nothing claimed either');
  });
});

test('/pause and /resume of a running rollout: already_paused, not_paused, and no reconcile while its job runs', async () => {
  await run(async (w) => {
    await writeRecord(w, {});
    const notPaused = await say(w, '/resume production', 'alice');
    assert.match(notPaused, /\(`not_paused`\)/);
    // What to do instead, as every refusal says: a running rollout goes on by itself.
    assert.match(
      notPaused,
      /is not paused, so there is nothing to resume; nothing was recorded\. It goes on by itself; `\/status` shows where it is\./,
    );
    assert.match(
      await say(w, '/pause production', 'alice'),
      /held before its next step until `\/resume production`/,
    );
    assert.match(await say(w, '/pause production', 'alice'), /\(`already_paused`\)/);
    assert.match(
      await say(w, '/resume production', 'alice'),
      /running job acts on it within its poll interval/,
    );
    assert.match(await say(w, '/resume production', 'alice'), /\(`not_paused`\)/);
    assert.equal(requestRuns(w.fake).length, 2);
    assert.equal(dispatches(w.fake).length, 0, 'the job is running: it polls');
  });
});

test('approval: 2 handed off: the first approver’s /promote waits for one more; the second starts the run', async () => {
  await run(async (w) => {
    // The plan as the record keeps it: the approval step (2) is the last wait, so --full passes none.
    const plan = [
      { kind: 'set_weight', weight: 10 },
      { kind: 'set_weight', weight: 25 },
    ]
      .map((step) => ({ step, reason: 'r' }))
      .concat([
        { step: { kind: 'wait', gate: 'approval', approvals: 2, at: 'canary 25 %' } as never, reason: 'r' },
      ]);
    await writeRecord(w, {
      ...waiting({ kind: 'approval', approvals: 2 }),
      strategyState: { plan: plan as never, index: 2, holds: 0 },
    });
    // alice deploys but does not approve: her /promote is recorded and does not count.
    assert.match(
      await say(w, '/promote production', 'alice'),
      /Waiting for 2 more approval\(s\).*does not count as an approval/,
    );
    assert.match(
      await say(w, '/promote production', 'carol'),
      /Waiting for 1 more approval\(s\) \(so far: @carol\)/,
    );
    assert.equal(dispatches(w.fake).length, 0);
    assert.match(
      await say(w, '/promote production --full', 'dave'),
      /straight to 100 %.*\(a new run was started\)/,
    );
    assert.equal(dispatches(w.fake).length, 1);
  });
});

// production approved by a team: carol, dave and erin are in it (erin has write access, as the others).
const TEAM_CONFIG = CONFIG.replace('approvers: [carol, dave]', 'approvers: [acme/release]');

/** The approvers' team config and members; a rollout waiting (handed off) for 2 of them at step 3. */
async function teamGate(w: World): Promise<Map<string, 'member' | 'maintainer'>> {
  w.fake.setFile('.github/deploy.yml', TEAM_CONFIG);
  const members = new Map<string, 'member' | 'maintainer'>([
    ['carol', 'member'],
    ['dave', 'member'],
    ['erin', 'member'],
  ]);
  w.fake.state.teams.set('acme/release', members);
  await writeRecord(w, waiting({ kind: 'approval', approvals: 2 }));
  return members;
}

/** What reconcile decides for the waiting rollout on the requests read from GitHub as it reads them. */
async function reconcileSays(w: World, now: Date) {
  const poll = await readAsRunner(w);
  const rollout = {
    deploymentId: String(w.deploymentId),
    version: 'v3.0.0',
    sha: HEAD,
    startedAt: STARTED,
    step: 2,
    steps: 5,
    ...waiting({ kind: 'approval', approvals: 2 }),
  } as Rollout;
  const record = { ...emptyRecord(`${owner}/${repo}`, 'production', NOW), rollout };
  return decideReconcile({ record, now, requests: poll.requests });
}

test('approval: 2: an approver removed from the team after their /promote no longer counts when the next one arrives', async () => {
  await run(async (w) => {
    const members = await teamGate(w);
    assert.match(
      await say(w, '/promote production', 'carol'),
      /Waiting for 1 more approval\(s\) \(so far: @carol\)/,
    );
    members.delete('carol');
    const reply = await say(w, '/promote production', 'dave');
    assert.match(
      reply,
      /@\u200d?carol no longer counts: no longer an approver of `production` \(not among its approvers now\)\./,
    );
    assert.match(reply, /Waiting for 1 more approval\(s\) \(so far: @dave\)/);
    assert.equal(dispatches(w.fake).length, 0, 'carol and dave are not two approvers now');
    // The revocation is a signed request, written before dave's, that the runner and reconcile read.
    const poll = await readAsRunner(w);
    const revoke = poll.requests.find((r) => r.verb === 'revoke');
    assert.equal(revoke?.by, 'carol');
    assert.equal(revoke?.reason, 'not_an_approver');
    assert.deepEqual(
      poll.requests.map((r) => `${r.verb}:${r.by}`),
      ['promote:carol', 'revoke:carol', 'promote:dave'],
      'the revocation is written before the /promote that would have completed the count',
    );
    const carol = poll.requests.find((r) => r.verb === 'promote' && r.by === 'carol')!;
    assert.ok(Date.parse(revoke!.at) > Date.parse(carol.at), 'dated after the approval it withdraws');
    const waitingNow = await reconcileSays(w, NOW);
    assert.equal(waitingNow.code, 'waiting', JSON.stringify(waitingNow));
    assert.match(
      waitingNow.code === 'waiting' ? waitingNow.why : '',
      /1 more approval\(s\) of 2 \(so far: dave\)/,
    );
    // erin, still in the team, is the second approver: the gate opens.
    assert.match(
      await say(w, '/promote production', 'erin'),
      /goes on from step 3\/5.*\(a new run was started\)/,
    );
    assert.equal(dispatches(w.fake).length, 1);
    assert.notEqual((await reconcileSays(w, NOW)).code, 'waiting');
  });
});

test('approval: 2: an earlier promoter whose team membership cannot be read does not count (fails closed), and counts again on a new /promote', async () => {
  let t = NOW.getTime();
  await run(
    async (w) => {
      await teamGate(w);
      assert.match(await say(w, '/promote production', 'carol'), /so far: @carol/);
      t += 1_000;
      w.fake.failNext({
        status: 502,
        operationId: 'teams/get-membership-for-user-in-org',
        where: (r) => r.path.includes('/memberships/carol'),
      });
      const reply = await say(w, '/promote production', 'dave');
      assert.match(
        reply,
        /@\u200d?carol no longer counts: their permission and teams could not be read from GitHub just now, so whether they may still approve `production` is not known, and what cannot be read does not count\./,
      );
      assert.match(reply, /Waiting for 1 more approval\(s\) \(so far: @dave\)/);
      assert.equal(dispatches(w.fake).length, 0);
      // carol's own /promote made after the revocation counts her again: with dave's, the gate opens.
      t += 1_000;
      assert.match(
        await say(w, '/promote production', 'carol'),
        /goes on from step 3\/5.*\(a new run was started\)/,
      );
      assert.equal(dispatches(w.fake).length, 1);
    },
    () => new Date(t),
    true,
  );
});

test('approval: whoever pushed the commit does not approve its rollout with /promote, whatever its author', async () => {
  await run(async (w) => {
    const r = w.fake.repo();
    // carol pushed the rolled-out commit, which names an author GitHub links to nobody.
    r.commits.get(HEAD)!.unlinked = true;
    for (const change of r.activities) change.actor = 'carol';
    await writeRecord(w, waiting({ kind: 'approval', approvals: 1 }));
    assert.match(await say(w, '/promote production', 'carol'), /`self_approval_refused`/);
    assert.equal(dispatches(w.fake).length, 0);
  });
});

// ---- buttons ------------------------------------------------------------------------------------------

function click(
  fake: FakeGitHub,
  checkRun: Record<string, unknown>,
  login: string,
  identifier: string,
  app?: { id: number },
): Record<string, unknown> {
  const sample = webhookPayload(
    'check_run',
    'requested_action',
    { repository: { default_branch: 'main' } },
    {
      owner,
      repo,
      baseUrl: fake.url,
      installationId: fake.state.installationId,
    },
  );
  return {
    ...sample,
    check_run: {
      ...(sample.check_run as object),
      id: checkRun.id,
      name: checkRun.name,
      head_sha: checkRun.head_sha,
      external_id: checkRun.external_id,
      app: app ?? checkRun.app,
      completed_at: checkRun.completed_at ?? null,
      started_at: checkRun.started_at ?? null,
    },
    requested_action: { identifier },
    sender: { ...(sample.sender as object), login, type: 'User' },
  };
}

/** `login` presses the `identifier` button of `checkRun`; the App's last reply on the PR after it. */
async function pressAs(w: World, checkRun: Record<string, unknown>, login: string, identifier: string) {
  await w.probot.receive({
    id: crypto.randomUUID(),
    name: 'check_run',
    payload: click(w.fake, checkRun, login, identifier),
  } as Receive);
  return replies(w.fake).at(-1)!;
}

/** The newest request check run's request, verified as the runner and reconcile verify it. */
function lastRequest(w: World) {
  const key = stateKey(testMarkerKeys().current, `${owner}/${repo}`, 'production');
  const place = {
    repository: `${owner}/${repo}`,
    environment: 'production',
    deploymentId: String(w.deploymentId),
  };
  return verifyControlText((requestRuns(w.fake).at(-1)!.output as { text: string }).text, [key], place);
}

async function statusInProgress(w: World) {
  const payload = await inProgressPayload(w);
  await w.probot.receive({ id: crypto.randomUUID(), name: 'deployment_status', payload } as Receive);
}

/** A rollout waiting at a step, its in_progress status delivered: the wait notice the App made for it. */
async function waitNotice(w: World) {
  await writeRecord(w, waiting());
  await statusInProgress(w);
  const [notice] = controlRuns(w.fake);
  return notice;
}

/** A new in_progress status of the deployment, waiting, and its deployment_status delivery's payload. */
async function inProgressPayload(w: World) {
  const { id } = await rest(w.fake, 'POST', `/deployments/${w.deploymentId}/statuses`, {
    state: 'in_progress',
    description: 'waiting at canary 25 % for /promote',
    log_url: `${w.fake.url}/_html/${owner}/${repo}/actions/runs/99`,
  });
  const status = w.fake
    .repo()
    .deploymentStatuses.get(w.deploymentId)!
    .find((s) => s.id === id)!;
  return storedDeploymentWebhook(w.fake, { owner, repo }, 'deployment_status', w.deploymentId, status);
}

test('approval: 2: a /promote when the requests cannot be read is refused (requests_unreadable): an unread approval is not counted unchecked', async () => {
  await run(async (w) => {
    const members = await teamGate(w);
    assert.match(await say(w, '/promote production', 'carol'), /so far: @carol/);
    members.delete('carol');
    let failing = true;
    w.fake.failNext({
      status: 500,
      times: 1000,
      where: (q) => failing && JSON.stringify(q.query).includes('rollout'),
    });
    const recorded = requestRuns(w.fake).length;
    assert.match(
      await say(w, '/promote production', 'dave'),
      /\(`requests_unreadable`\).*whether the earlier approvals of its wait at step 3\/5.* still count cannot be checked/,
    );
    assert.equal(requestRuns(w.fake).length, recorded, 'nothing recorded');
    failing = false;
    assert.match(await say(w, '/promote production', 'dave'), /@\u200d?carol no longer counts/);
    assert.equal(dispatches(w.fake).length, 0);
  });
});

test('approval: 2 by buttons: a Promote press re-checks the earlier promoter as a /promote does', async () => {
  await run(async (w) => {
    const members = await teamGate(w);
    await statusInProgress(w);
    const notice = controlRuns(w.fake).find((c) => c.external_id === waitId(w, 2))!;
    assert.match(await pressAs(w, notice, 'carol', 'promote'), /so far: @carol/);
    members.delete('carol');
    const reply = await pressAs(w, notice, 'dave', 'promote');
    assert.match(reply, /@\u200d?carol no longer counts: no longer an approver of `production`/);
    assert.match(reply, /Waiting for 1 more approval\(s\) \(so far: @dave\)/);
    assert.equal(dispatches(w.fake).length, 0);
    // The revocation's check run offers no buttons; the press's own check run still does.
    const revocation = requestRuns(w.fake).find((c) => String(c.external_id).includes('revoke'))!;
    assert.equal(revocation.conclusion, 'neutral');
    assert.equal(revocation.actions, undefined);
    assert.match(
      await pressAs(w, notice, 'erin', 'promote'),
      /goes on from step 3\/5.*\(a new run was started\)/,
    );
    assert.equal(dispatches(w.fake).length, 1);
  });
});

test('wait notice: the in_progress status of a waiting rollout gets one `rollout / <env>` check run with Promote and Abort', async () => {
  await run(async (w) => {
    await writeRecord(w, {});
    await statusInProgress(w);
    assert.equal(controlRuns(w.fake).length, 0, 'not waiting: no notice');
    await writeRecord(w, waiting());
    await statusInProgress(w);
    await statusInProgress(w);
    const notices = controlRuns(w.fake).filter((c) => c.external_id === waitId(w, 2));
    assert.equal(notices.length, 1, 'once per deployment and step');
    await writeRecord(w, waiting({ step: 3, kind: 'hold', by: 'alice' }));
    await statusInProgress(w);
    assert.equal(controlRuns(w.fake).filter((c) => String(c.external_id).startsWith('wait:')).length, 2);
  });
});

test('wait notice: two deliveries of one status handled at once (a redelivery while the first is at work) make one notice', async () => {
  await run(async (w) => {
    await writeRecord(w, waiting());
    const payload = await inProgressPayload(w);
    // Neither delivery goes on from reading the App's `rollout` check runs, nor from claiming the wait, before
    // both have got that far.
    w.fake.holdUntil({
      operationId: 'checks/list-suites-for-ref',
      where: (r) => r.query.check_name === NAME,
      count: 2,
    });
    w.fake.holdUntil({
      operationId: 'git/create-ref',
      where: (r) => String((r.body as { ref?: string }).ref).startsWith('refs/deploy-answering/'),
      count: 2,
    });
    const delivery = crypto.randomUUID();
    const deliver = () => w.probot.receive({ id: delivery, name: 'deployment_status', payload } as Receive);
    await Promise.all([deliver(), deliver()]);
    const notices = controlRuns(w.fake).filter((c) => c.external_id === waitId(w, 2));
    assert.equal(notices.length, 1, 'one notice');
    const claims = w.fake
      .requestsFor('git/create-ref')
      .filter((r) => String((r.body as { ref?: string }).ref).startsWith('refs/deploy-answering/'));
    assert.deepEqual(claims.map((r) => r.status).sort(), [201, 422], 'both claimed it; one got it');
    assert.ok(
      w.fake.requestsFor('checks/list-suites-for-ref').filter((r) => r.query.check_name === NAME).length >= 2,
      'both looked for the notice',
    );
    assert.deepEqual(
      [...w.fake.repo().refs.keys()].filter((r) => r.startsWith('deploy-answering/')),
      [],
      'the claim is removed',
    );
  });
});

test('wait notice: made once even when over 1000 newer check suites leave the App’s out of the commit’s check-run list', async () => {
  await run(async (w) => {
    await writeRecord(w, waiting());
    await statusInProgress(w);
    openCheckSuites(w.fake.state, w.fake.repo(), HEAD, 1001, { id: 15368, slug: 'github-actions' });
    await statusInProgress(w);
    const notices = controlRuns(w.fake).filter((c) => c.external_id === waitId(w, 2));
    assert.equal(notices.length, 1);
  });
});

test('buttons: an allowed user’s Promote writes a request; a disallowed user and a stale or foreign check run write nothing', async () => {
  await run(async (w) => {
    const notice = await waitNotice(w);
    assert.ok(notice, 'the wait notice');
    await w.probot.receive({
      id: crypto.randomUUID(),
      name: 'check_run',
      payload: click(w.fake, notice!, 'mallory', 'promote'),
    } as Receive);
    assert.match(replies(w.fake).at(-1)!, /\/promote by @mallory not recorded\*\* \(`not_a_deployer`\)/);
    await w.probot.receive({
      id: crypto.randomUUID(),
      name: 'check_run',
      payload: click(w.fake, notice!, 'carol', 'promote'),
    } as Receive);
    assert.match(replies(w.fake).at(-1)!, /\(`not_a_deployer`\)/);
    const before = replies(w.fake).length;
    await w.probot.receive({
      id: crypto.randomUUID(),
      name: 'check_run',
      payload: click(w.fake, notice!, 'alice', 'promote', { id: 999_999 }),
    } as Receive);
    assert.equal(replies(w.fake).length, before, "another app's check run is ignored");
    assert.equal(requestRuns(w.fake).length, 0);

    const allowed = click(w.fake, notice!, 'alice', 'promote');
    await w.probot.receive({ id: 'click-1', name: 'check_run', payload: allowed } as Receive);
    await w.probot.receive({ id: 'click-1', name: 'check_run', payload: allowed } as Receive);
    assert.equal(requestRuns(w.fake).length, 1, 'one request, also for a redelivered click');
    assert.equal(dispatches(w.fake).length, 1);
    assert.match(replies(w.fake).at(-1)!, /\*\*\/promote\*\* by @alice recorded.*\(Promote button\)/);

    // After a push a Promote click is refused (the PR is not at the rollout's commit), but an approver's
    // Abort still stops the rollout: its commit is one of the PR's.
    w.fake.pushCommit(PR, fakeSha('pr-7-next'));
    await w.probot.receive({
      id: crypto.randomUUID(),
      name: 'check_run',
      payload: click(w.fake, notice!, 'alice', 'promote'),
    } as Receive);
    assert.match(replies(w.fake).at(-1)!, /\/promote by @alice not recorded\*\* \(`sha_moved`\)/);
    assert.equal(requestRuns(w.fake).length, 1);
    await w.probot.receive({
      id: crypto.randomUUID(),
      name: 'check_run',
      payload: click(w.fake, notice!, 'carol', 'abort'),
    } as Receive);
    assert.match(replies(w.fake).at(-1)!, /\*\*\/abort\*\* by @carol recorded/);
    assert.equal(requestRuns(w.fake).length, 2);
  });
});

test('buttons: a press delivered twice at once (a redelivery while the first is at work) is one refusal, or one request, one answer and one run', async () => {
  await run(async (w) => {
    const notice = await waitNotice(w);
    const deliverTwice = (id: string, payload: Record<string, unknown>) => {
      const deliver = () => receive(w.probot, 'check_run', payload, id);
      return Promise.all([deliver(), deliver()]);
    };
    // Refused: one refusal. Neither delivery answers (nor claims the press) before both have got that far.
    const refusedBefore = replies(w.fake).length;
    w.fake.holdUntil({ operationId: ['issues/create-comment', 'git/create-ref'], count: 2 });
    await deliverTwice('press-0', click(w.fake, notice!, 'mallory', 'promote'));
    const refusals = replies(w.fake).slice(refusedBefore);
    assert.equal(refusals.length, 1, refusals.join('\n---\n'));
    assert.match(refusals[0]!, /\/promote by @mallory not recorded\*\* \(`not_a_deployer`\)/);
    const before = replies(w.fake).length;
    // Neither delivery writes its request (nor claims the press) before both have got that far.
    w.fake.holdUntil({ operationId: ['checks/create', 'git/create-ref'], count: 2 });
    await deliverTwice('press-1', click(w.fake, notice!, 'alice', 'promote'));
    assert.equal(requestRuns(w.fake).length, 1, 'one request');
    const answers = replies(w.fake).slice(before);
    assert.equal(answers.length, 1, answers.join('\n---\n'));
    assert.match(answers[0]!, /\*\*\/promote\*\* by @alice recorded.*\(Promote button\)/s);
    assert.equal(dispatches(w.fake).length, 1, 'one reconcile run');
    assert.deepEqual(
      [...w.fake.repo().refs.keys()].filter((r) => r.startsWith('deploy-answering/')),
      [],
      'the claim is removed',
    );
  });
});

test('buttons: a press delivered again after its answer went out (one after the other) is answered once, refused or recorded', async () => {
  await run(async (w) => {
    const notice = await waitNotice(w);
    const refused = click(w.fake, notice!, 'mallory', 'promote');
    const before = replies(w.fake).length;
    await receive(w.probot, 'check_run', refused, 'press-8');
    await receive(w.probot, 'check_run', refused, 'press-8');
    const refusals = replies(w.fake).slice(before);
    assert.equal(refusals.length, 1, refusals.join('\n---\n'));
    assert.match(refusals[0]!, /\/promote by @mallory not recorded\*\* \(`not_a_deployer`\)/);
    const recorded = click(w.fake, notice!, 'alice', 'promote');
    await receive(w.probot, 'check_run', recorded, 'press-9');
    await receive(w.probot, 'check_run', recorded, 'press-9');
    const answers = replies(w.fake).slice(before + 1);
    assert.equal(answers.length, 1, answers.join('\n---\n'));
    assert.match(answers[0]!, /\*\*\/promote\*\* by @alice recorded.*\(Promote button\)/s);
    assert.equal(requestRuns(w.fake).length, 1, 'one request');
    assert.equal(dispatches(w.fake).length, 1, 'one reconcile run');
  });
});

test("buttons: a press's body sent under someone else's delivery id (the signature does not cover it) keeps neither their press from being answered nor records anything", async () => {
  await run(async (w) => {
    const notice = await waitNotice(w);
    const refused = click(w.fake, notice!, 'mallory', 'promote');
    await receive(w.probot, 'check_run', refused, 'press-10');
    assert.match(replies(w.fake).at(-1)!, /\/promote by @mallory not recorded\*\* \(`not_a_deployer`\)/);
    // mallory's signed body again, under the delivery id GitHub is about to use for alice's press.
    await receive(w.probot, 'check_run', refused, 'press-11');
    const before = replies(w.fake).length;
    await receive(w.probot, 'check_run', click(w.fake, notice!, 'alice', 'promote'), 'press-11');
    const answers = replies(w.fake).slice(before);
    assert.equal(answers.length, 1, answers.join('\n---\n'));
    assert.match(answers[0]!, /\*\*\/promote\*\* by @alice recorded.*\(Promote button\)/s);
    assert.equal(requestRuns(w.fake).length, 1, 'one request');
    assert.equal(dispatches(w.fake).length, 1, 'one reconcile run');
    // alice's body again under a new id: the same request, recorded once and not answered again.
    await receive(w.probot, 'check_run', click(w.fake, notice!, 'alice', 'promote'), 'press-12');
    assert.equal(replies(w.fake).length, before + 1, 'no second answer');
    assert.equal(requestRuns(w.fake).length, 1, 'one request');
    assert.equal(dispatches(w.fake).length, 1, 'one reconcile run');
  });
});

test('buttons: a press GitHub fails is told once on the pull request, with a code and no error text, and answered once GitHub is back', async () => {
  await run(async (w) => {
    const notice = await waitNotice(w);
    let down = true;
    w.fake.failNext({
      status: 502,
      times: 1_000_000,
      message: 'LEAK <b>@acme/everyone</b>',
      where: (r) => down && r.operationId === 'repos/get-content',
    });
    const press = click(w.fake, notice!, 'alice', 'promote');
    const deliver = () =>
      receive(w.probot, 'check_run', press, 'press-10').then(
        () => true,
        () => false,
      );
    const before = replies(w.fake).length;
    assert.equal(await deliver(), false);
    assert.equal(await deliver(), false);
    const told = replies(w.fake).slice(before);
    assert.deepEqual(
      told.map((r) => r.split('\n')[0]),
      [
        '**Promote press by `alice` not finished** (`github_unavailable`): GitHub did not answer one of its requests (HTTP 502); press it again or comment `/promote production` to try again: a request it may have recorded is not recorded twice.',
      ],
    );
    down = false;
    assert.equal(await deliver(), true);
    assert.match(replies(w.fake).at(-1)!, /\*\*\/promote\*\* by @alice recorded.*\(Promote button\)/s);
    assert.equal(await deliver(), true);
    assert.equal(replies(w.fake).length, before + 2, 'told once, answered once');
    assert.equal(requestRuns(w.fake).length, 1, 'one request');
    assert.ok(replies(w.fake).every((r) => !r.includes('LEAK')));
  });
});

/** The summary of check run `id` as the fake has it now. */
const summaryOf = (fake: FakeGitHub, id: unknown): string =>
  String((fake.repo().checkRuns.get(Number(id))!.output as { summary: unknown }).summary);

/** The JSON lines of a capturedLog that say a press failed. */
const failureLines = (text: string): Array<Record<string, unknown>> =>
  text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => /^command failed/.test(String(l.msg)));

// Before its pull request is known there is no pull request to tell: the check run pressed says it (its
// summary's top, the rest kept), once however often the press is delivered, and the log line says where.
for (const [what, operationId, status] of [
  ['its deployment', 'repos/get-deployment', 502],
  ['its claim ref', 'git/create-ref', 503],
] as const)
  test(`buttons: a press GitHub fails before its pull request is known (${what}) is told on the check run pressed, once, with a code and no error text`, async () => {
    const { log, text } = capturedLog('info');
    await run(
      async (w) => {
        const notice = await waitNotice(w);
        const original = summaryOf(w.fake, notice!.id);
        let down = true;
        w.fake.failNext({
          status,
          times: 1_000_000,
          message: 'LEAK <b>@acme/everyone</b>',
          where: (r) => down && r.operationId === operationId,
        });
        const press = click(w.fake, notice!, 'alice', 'promote');
        const deliver = () =>
          receive(w.probot, 'check_run', press, 'press-30').then(
            () => true,
            () => false,
          );
        const before = replies(w.fake).length;
        assert.equal(await deliver(), false);
        assert.equal(await deliver(), false);
        assert.equal(replies(w.fake).length, before, 'no pull request to tell');
        const summary = summaryOf(w.fake, notice!.id);
        const [note, ...rest] = summary.split('\n');
        assert.equal(
          note,
          `**Promote press by \`alice\` not finished** (\`github_unavailable\`): GitHub did not answer one of its requests (HTTP ${status}); press it again or comment \`/promote production\` to try again: a request it may have recorded is not recorded twice.`,
        );
        assert.ok(rest.join('\n').endsWith(`\n\n${original}`), 'the rest of the summary kept');
        assert.equal(summary.split('not finished').length, 2, 'said once');
        assert.ok(!summary.includes('LEAK'));
        assert.deepEqual(
          failureLines(text()).map((l) => [l.delivery, l.check_run, l.action, l.code, l.status, l.told]),
          [
            ['press-30', notice!.id, 'promote', 'github_unavailable', status, 'check_run'],
            ['press-30', notice!.id, 'promote', 'github_unavailable', status, 'already'],
          ],
        );
        down = false;
        assert.equal(await deliver(), true);
        assert.match(replies(w.fake).at(-1)!, /\*\*\/promote\*\* by @alice recorded.*\(Promote button\)/s);
        assert.equal(requestRuns(w.fake).length, 1, 'one request');
      },
      undefined,
      undefined,
      undefined,
      log,
    );
  });

test('buttons: a press on a rollout with no pull request to answer on (its deployment deleted) is answered on the check run pressed, once', async () => {
  await run(async (w) => {
    const notice = await waitNotice(w);
    const original = summaryOf(w.fake, notice!.id);
    w.fake.repo().deployments.delete(w.deploymentId);
    const before = replies(w.fake).length;
    const refused = click(w.fake, notice!, 'mallory', 'promote');
    await receive(w.probot, 'check_run', refused, 'press-32');
    await receive(w.probot, 'check_run', refused, 'press-32');
    const summary = summaryOf(w.fake, notice!.id);
    assert.match(summary, /^\*\*\/promote by @mallory not recorded\*\* \(`not_a_deployer`\)/);
    assert.ok(summary.endsWith(`\n\n${original}`), 'the rest of the summary kept');
    assert.equal(summary.split('not recorded').length, 2, 'said once');
    assert.equal(replies(w.fake).length, before, 'no pull request to answer on');
    assert.deepEqual(
      [...new Set(mentionsIn(summary.split('\n')[0]!))],
      ['mallory'],
      'the presser alone is called on',
    );
    // alice's press: the record is read through the deployment, so nothing is in progress; its answer
    // replaces mallory's.
    await receive(w.probot, 'check_run', click(w.fake, notice!, 'alice', 'promote'), 'press-33');
    const after = summaryOf(w.fake, notice!.id);
    assert.match(after, /^\*\*\/promote by @alice not recorded\*\* \(`no_rollout`\)/);
    assert.ok(!after.includes('mallory') && after.endsWith(`\n\n${original}`));
    assert.equal(requestRuns(w.fake).length, 0, 'nothing recorded');
  });
});

test('buttons: a recorded press whose answer GitHub refuses is told on the check run pressed, and the log says so', async () => {
  const { log, text } = capturedLog('info');
  await run(
    async (w) => {
      const notice = await waitNotice(w);
      const before = replies(w.fake).length;
      w.fake.failNext({
        status: 403,
        times: 1_000_000,
        message: 'LEAK <b>@acme/everyone</b>',
        operationId: 'issues/create-comment',
      });
      const press = click(w.fake, notice!, 'alice', 'promote');
      const deliver = () =>
        receive(w.probot, 'check_run', press, 'press-31').then(
          () => true,
          () => false,
        );
      assert.equal(await deliver(), false);
      assert.equal(requestRuns(w.fake).length, 1, 'the request was recorded');
      assert.equal(replies(w.fake).length, before, 'no answer could be posted');
      assert.match(
        summaryOf(w.fake, notice!.id),
        /^\*\*Promote press by `alice` not finished\*\* \(`github_refused`\): GitHub refused one of its requests \(HTTP 403\); press it again/,
      );
      assert.deepEqual(
        failureLines(text()).map((l) => [l.delivery, l.code, l.status, l.told]),
        [['press-31', 'github_refused', 403, 'check_run']],
      );
      // Redelivered: the request is not recorded twice, nor the note written twice.
      await deliver();
      assert.equal(requestRuns(w.fake).length, 1);
      assert.equal(summaryOf(w.fake, notice!.id).split('not finished').length, 2, 'said once');
      assert.ok(!summaryOf(w.fake, notice!.id).includes('LEAK'));
    },
    undefined,
    undefined,
    undefined,
    log,
  );
});

test('a claim ref a pusher made before a waiting status does not keep the wait notice from being made', async () => {
  await run(async (w) => {
    const claims = () => [...w.fake.repo().refs.keys()].filter((r) => r.startsWith('deploy-answering/'));
    await writeRecord(w, waiting());
    // The wait notice's claim is named by the deployment and the step: known to anyone who can read the
    // repository. Made this very second, as the App's claims said before they were signed.
    const payload = await inProgressPayload(w);
    await pushClaim(w.fake, answeringRefName('notice', waitId(w, 2)), HEAD, NOW);
    await w.probot.receive({ id: crypto.randomUUID(), name: 'deployment_status', payload } as Receive);
    const notices = controlRuns(w.fake).filter((c) => c.external_id === waitId(w, 2));
    assert.equal(notices.length, 1, 'the wait notice is made');
    assert.deepEqual(claims(), [], 'taken over, then removed');
  });
});

test('a claim ref a pusher made before a Promote press does not keep it from being answered', async () => {
  await run(async (w) => {
    const claims = () => [...w.fake.repo().refs.keys()].filter((r) => r.startsWith('deploy-answering/'));
    const notice = await waitNotice(w);
    // A press's claim is named by its signed body.
    const press = click(w.fake, notice!, 'alice', 'promote');
    await pushClaim(w.fake, answeringRefName('press', `control:${pressBody(press)}`), HEAD, NOW);
    await receive(w.probot, 'check_run', press, 'press-pushed');
    assert.equal(requestRuns(w.fake).length, 1, 'the request is written');
    assert.match(replies(w.fake).at(-1)!, /\*\*\/promote\*\* by @alice recorded.*\(Promote button\)/s);
    assert.deepEqual(claims(), [], 'taken over, then removed');
  });
});

test('a hostile /abort reason reaches neither the reply nor the request check run raw', async () => {
  await run(async (w) => {
    await writeRecord(w, waiting());
    // (A backtick never gets this far: the parser refuses it as command substitution.)
    const evil = '<!-- deploy-action:approval {} mac=00 --> @octocat [x](https://evil.example) **y** #1';
    const reply = await say(w, `/abort production --reason '${evil}'`, 'alice');
    const [request] = requestRuns(w.fake);
    const output = request!.output as { title: string; summary: string };
    for (const text of [reply, output.title, output.summary]) {
      if (text !== output.title) assert.match(text, /octocat/, 'the reason is shown');
      assert.doesNotMatch(text, /<!--|-->|@octocat|\]\(https:\/\/evil|(?<!\\)\*\*y|#1\b/, text);
    }
  });
});

// A state record is signed by the Action, but what is in it someone chose: a version, slot names, who paused
// or tore down, the history's words, the owning run. Every field of text in it, hostile, through every reply
// and check run that shows the record: /status, /promote, /pause, /resume, /abort.
const RECORD_HOSTILE: Record<string, string> = {
  'a forged marker line': `<!-- deploy-action:approval {"v":1,"by":"carol"} mac=${'f'.repeat(64)} -->`,
  'HTML and a comment': '--> <details><summary>x</summary><img src=x onerror=alert(1)></details> <!--',
  'links, images and autolinks':
    '[x](javascript:alert(1)) ![p](https://evil.example/p.png) https://evil.example www.evil.example',
  'mentions and references': '@octocat @acme/everyone #1 GH-2 acme/web#3',
  'a table row, emphasis and a fence': '| a | **bold** ~~gone~~ _em_ ``` `x`',
  'a line break, then a block': 'x\n# Heading\n- item\n```',
  'controls, bidi and zero-width': 'a\u0000b\u001b[31m\u202Eexe\u200B\u2028z',
  'a list item': '- item',
};

for (const [name, value] of Object.entries(RECORD_HOSTILE)) {
  test(`a signed state record whose every text is hostile is shown inert by every reply and check run: ${name}`, async () => {
    await run(async (w) => {
      const cut = (max: number) => [...value].slice(0, max).join('');
      const hostileRecord = async (kind: 'manual' | 'hold') =>
        writeRecord(
          w,
          {
            ...waiting({
              kind,
              by: cut(200),
              lastLook: { at: NOW.toISOString(), decision: 'hold', detail: cut(1000) },
            }),
            version: cut(200),
            stableSlot: cut(100),
            stableVersion: cut(200),
            newSlot: cut(100),
            levelsUndone: [cut(300)],
            // (A run URL is linked: it is the Action's own, in a record only the key's holder signs.)
            owner: { kind: 'workflow', runId: cut(40), runAttempt: cut(10) },
          },
          {
            record: {
              live: {
                version: cut(200),
                sha: V2,
                since: NOW.toISOString(),
                slot: cut(100),
                deploymentId: cut(100),
              },
              previous: { version: cut(200), sha: V2, since: NOW.toISOString(), slot: cut(100) },
              retired: [
                {
                  slot: cut(100),
                  version: cut(200),
                  dueAt: NOW.toISOString(),
                  teardown: { startedAt: NOW.toISOString(), by: cut(200) },
                },
              ],
              history: [
                {
                  at: NOW.toISOString(),
                  by: cut(200),
                  event: cut(60),
                  code: cut(60),
                  version: cut(200),
                  detail: cut(1000),
                },
              ],
            },
          },
        );
      const from = w.fake.requests.length;
      await hostileRecord('manual');
      for (const [user, comment] of [
        ['mallory', '/status'],
        ['mallory', '/status production'],
        ['alice', '/pause production'],
        ['alice', '/promote production'],
      ] as const)
        await send(w, comment, user);
      await hostileRecord('hold');
      for (const [user, comment] of [
        ['alice', '/resume production'],
        ['carol', `/abort production --reason 'stop'`],
        ['mallory', '/status'],
      ] as const)
        await send(w, comment, user);
      const requests = w.fake.requests
        .slice(from)
        .filter(
          (r) =>
            r.operationId !== 'checks/create' ||
            !String((r.body as { name?: string }).name).startsWith('deploy /'),
        );
      const writes = renderedWrites(requests);
      assert.ok(writes.length >= 7, `every command is answered: ${writes.length}`);
      for (const body of writes) assertInert(new Set(['alice', 'carol', 'dave', 'mallory']), body, name);
      for (const [field, text] of otherWrites(requests)) assertRecordInert(text, `${name}: ${field}`);
      // The record was believed and shown (not refused as damaged): its rollout and what the commands did.
      const all = writes.join('\n');
      assert.match(all, /\*\*rollout in progress\*\*/);
      assert.match(all, /\*\*retired slot\*\*/);
      assert.match(all, /\*\*recent history\*\*/);
      assert.match(all, /\*\*\/pause\*\* by @alice recorded/);
      assert.match(all, /\*\*\/abort\*\* by @carol recorded/);
    });
  });
}

test('a re-run of the deployment’s job is a new rollout: what people asked of the earlier attempt is not asked of it', async () => {
  let clock = NOW;
  await run(
    async (w) => {
      // Attempt 1 waits for two approvals: carol approves, alice pauses it.
      await writeRecord(w, waiting({ kind: 'approval', approvals: 2 }));
      assert.match(await say(w, '/promote production', 'carol'), /Waiting for 1 more approval/);
      assert.match(await say(w, '/pause production', 'alice'), /held before its next step/);
      // Its job failed and was re-run: the same deployment, a new rollout waiting for two approvals again.
      clock = new Date('2025-03-04T11:10:00Z');
      await writeRecord(w, {
        startedAt: '2025-03-04T11:00:00.000Z',
        owner: { kind: 'workflow', runId: '699', runAttempt: '2' },
        ...waiting({ kind: 'approval', approvals: 2, since: '2025-03-04T11:05:00.000Z' }),
      });
      const notPaused = await say(w, '/resume production', 'alice');
      assert.match(notPaused, /\(`not_paused`\)/);
      assert.match(
        notPaused,
        /nothing was recorded\. It waits for approval at .+: its approvers' `\/promote production` let it go on\./,
      );
      const reply = await say(w, '/promote production', 'dave');
      assert.match(reply, /Waiting for 1 more approval\(s\) \(so far: @dave\)/);
      assert.equal(dispatches(w.fake).length, 0, 'one approval of this rollout is not two');
      assert.match(await say(w, '/promote production', 'carol'), /goes on/);
      assert.equal(dispatches(w.fake).length, 1);
    },
    () => clock,
  );
});

test("the App's clock behind the runner's: an /abort made after the rollout began counts (dated at its start), and rolls it back", async () => {
  await run(async (w) => {
    // The runner's clock is 40 s ahead of the App's (NOW, 10:30:00): the rollout began at 10:30:40 by it.
    await writeRecord(w, {
      startedAt: '2025-03-04T10:30:40.000Z',
      ...waiting({ since: '2025-03-04T10:30:45.000Z' }),
    });
    const reply = await say(w, '/abort production', 'alice');
    assert.match(reply, /The rollout rolls back to the stable version \(a new run was started\)/, reply);
    assert.equal(dispatches(w.fake).length, 1);
    const [request] = requestRuns(w.fake);
    assert.ok(request);
    // As reconcile reads it: the /abort counts for this rollout.
    assert.match(await say(w, '/abort production', 'carol'), /was already aborted by the \/abort of/);
  });
});

test('a /promote written before the rollout began (a slow or repeated delivery across a re-run) is refused, not recorded to count for nothing', async () => {
  let clock = new Date('2025-03-04T10:05:00Z');
  await run(
    async (w) => {
      // Written at 10:05, while attempt 1 ran; its job failed and was re-run (10:10), and the comment is handled
      // at 10:30, when the new attempt waits.
      const comment = commentOnPull(w.fake, '/promote production', { user: 'alice' });
      clock = NOW;
      await writeRecord(w, waiting());
      const before = replies(w.fake).length;
      await w.probot.receive({ id: 'late-1', name: 'issue_comment', payload: comment.payload } as Receive);
      const reply = replies(w.fake).slice(before);
      assert.equal(reply.length, 1);
      assert.match(reply[0]!, /\(`before_rollout`\)/, reply[0]);
      assert.match(reply[0]!, /written at `2025-03-04T10:05:00\.000Z`, before the rollout of `production`/);
      assert.match(reply[0]!, /`\/promote production` again/);
      assert.equal(requestRuns(w.fake).length, 0, 'nothing recorded');
      assert.equal(dispatches(w.fake).length, 0);
    },
    () => clock,
    true,
  );
});

test('buttons: a pull request the deployment’s payload only names (its commit is not the PR’s) is neither answered on nor bound to', async () => {
  await run(async (w) => {
    const notice = await waitNotice(w);
    // Another pull request (another author, another head), and the deployment's payload (anyone's text)
    // rewritten to name it, then a pull request that does not exist.
    const r = w.fake.repo();
    const other = w.fake.addCommit({ sha: fakeSha('pr-8-head'), message: 'other', branch: 'other' });
    r.pulls.set(8, { ...r.pulls.get(PR)!, number: 8, headRef: 'other', headSha: other, commits: [other] });
    const onOther = () => [...r.comments.values()].filter((c) => c.issueNumber === 8).length;
    for (const pr of [8, 999]) {
      r.deployments.get(w.deploymentId)!.payload = { type: 'standard', pr };
      await w.probot.receive({
        id: crypto.randomUUID(),
        name: 'check_run',
        payload: click(w.fake, notice!, 'mallory', 'promote'),
      } as Receive);
      assert.equal(onOther(), 0, `pr ${pr}: no refusal posted on a pull request the deployment only names`);
      // A deployer's click is bound to the rollout's commit only, and recorded.
      await w.probot.receive({
        id: crypto.randomUUID(),
        name: 'check_run',
        payload: click(w.fake, notice!, 'alice', 'promote'),
      } as Receive);
      assert.equal(onOther(), 0);
    }
    assert.equal(requestRuns(w.fake).length, 1, 'the first click recorded; the second is the same request');
  });
});

test('approval: N of a push deployment (no pull request): who pushed or made the deployment does not approve their own rollout', async () => {
  await run(async (w) => {
    const r = w.fake.repo();
    // No pull request: the deployment names none, and the workflow run that owns the rollout was carol's push.
    r.deployments.get(w.deploymentId)!.payload = { type: 'standard' };
    const pushed = w.fake.addWorkflowRun({ actor: 'carol', headSha: HEAD });
    await writeRecord(w, {
      ...waiting({ kind: 'approval', approvals: 1 }),
      owner: { kind: 'workflow', runId: String(pushed.id), runAttempt: '1' },
    });
    await statusInProgress(w);
    const [notice] = controlRuns(w.fake);
    assert.ok(notice, 'the wait notice');
    const press = (login: string) =>
      w.probot.receive({
        id: crypto.randomUUID(),
        name: 'check_run',
        payload: click(w.fake, notice!, login, 'promote'),
      } as Receive);
    await press('carol');
    assert.equal(dispatches(w.fake).length, 0, 'carol pushed it: her Promote is not an approval');
    // requested_by names someone too (here dave): a name only narrows who may approve.
    r.deployments.get(w.deploymentId)!.payload = { type: 'standard', requested_by: 'dave' };
    await press('dave');
    assert.equal(dispatches(w.fake).length, 0, 'dave asked for it: not his to approve either');
    r.deployments.get(w.deploymentId)!.payload = { type: 'standard' };
    await press('dave');
    assert.equal(dispatches(w.fake).length, 1, 'another approver approves: the rollout goes on');
  });
});

test('approval: N from a pull request: who asked for the deployment or pushed to the pull request does not approve its rollout', async () => {
  await run(async (w) => {
    const r = w.fake.repo();
    // carol asked for this deployment (/deploy on the PR): her /promote is not an approval of it.
    r.deployments.get(w.deploymentId)!.payload = { type: 'standard', pr: PR, requested_by: 'carol' };
    await writeRecord(w, waiting({ kind: 'approval', approvals: 1 }));
    assert.match(
      await say(w, '/promote production', 'carol'),
      /^\*\*Not accepted\*\* \(`self_approval_refused`\)/,
    );
    assert.equal(dispatches(w.fake).length, 0, 'carol asked for it: not hers to approve');
    // dave wrote a commit of the pull request (before its head, which the rollout deploys): his neither.
    const earlier = fakeSha('dave-commit');
    const head = r.commits.get(HEAD)!;
    r.commits.set(earlier, { ...head, sha: earlier, message: 'by dave', author: 'dave' });
    head.parents = [earlier];
    r.pulls.get(PR)!.commits.unshift(earlier);
    assert.match(
      await say(w, '/promote production', 'dave'),
      /^\*\*Not accepted\*\* \(`self_approval_refused`\)/,
    );
    assert.equal(dispatches(w.fake).length, 0, 'dave pushed to it: not his to approve');
    assert.equal(requestRuns(w.fake).length, 0, 'nothing recorded');
    // Stopping it is still theirs, as a veto is.
    assert.match(await say(w, '/abort production', 'carol'), /\*\*\/abort\*\* by @carol recorded/);
  });
});

test('buttons: a Promote on the check run of an ended wait does not end a later one (the wait notice’s, and a request’s)', async () => {
  await run(async (w) => {
    await writeRecord(w, waiting({ handedOff: false }));
    await statusInProgress(w);
    const [notice] = controlRuns(w.fake);
    assert.equal(notice?.external_id, waitId(w, 2));
    // carol's approval at the `approval: 2` step 2 leaves a request check run with Promote and Abort.
    await writeRecord(w, waiting({ kind: 'approval', approvals: 2, handedOff: false }));
    await say(w, '/promote production', 'carol');
    const [first] = requestRuns(w.fake);
    assert.match(
      String(first?.external_id),
      new RegExp(`^control:${w.deploymentId}:2:rollout-${Date.parse(STARTED)}:comment:`),
    );
    // The wait at step 2 ended; the rollout now waits at step 3 for a /promote.
    await writeRecord(w, waiting({ step: 3, handedOff: false }));
    for (const stale of [notice!, first!]) {
      await w.probot.receive({
        id: crypto.randomUUID(),
        name: 'check_run',
        payload: click(w.fake, stale, 'alice', 'promote'),
      } as Receive);
      assert.match(
        replies(w.fake).at(-1)!,
        /\/promote by @alice not recorded\*\* \(`step_moved`\): .*step 3/,
      );
    }
    assert.equal(requestRuns(w.fake).length, 1, 'no request written for the wait at step 3');
    // Its Abort still stops the rollout: an /abort is for the deployment, whatever step it is at.
    await w.probot.receive({
      id: crypto.randomUUID(),
      name: 'check_run',
      payload: click(w.fake, notice!, 'alice', 'abort'),
    } as Receive);
    assert.match(replies(w.fake).at(-1)!, /\*\*\/abort\*\* by @alice recorded/);
  });
});

test('a second /promote (or Promote click) of a wait already ended writes nothing and starts no second run, and is answered', async () => {
  await run(async (w) => {
    await writeRecord(w, waiting());
    assert.match(await say(w, '/promote production', 'alice'), /\*\*\/promote\*\* by @alice recorded/);
    assert.equal(requestRuns(w.fake).length, 1);
    assert.equal(dispatches(w.fake).length, 1);
    const again = await say(w, '/promote production', 'alice');
    assert.match(
      again,
      /the wait of `production` at step 3\/5.* was already ended by the \/promote of @alice/,
    );
    assert.match(again, /a run was already started/);
    await statusInProgress(w);
    const [notice] = controlRuns(w.fake).filter((c) => String(c.external_id).startsWith('wait:'));
    await w.probot.receive({
      id: crypto.randomUUID(),
      name: 'check_run',
      payload: click(w.fake, notice!, 'alice', 'promote'),
    } as Receive);
    assert.match(replies(w.fake).at(-1)!, /already ended by the \/promote of @alice.*\(Promote button\)/);
    assert.equal(requestRuns(w.fake).length, 1, 'one request');
    assert.equal(dispatches(w.fake).length, 1, 'one reconcile run');
  });
});

/** More of the App's own `rollout / production` check runs on HEAD than a read covers: its wait notice, copied. */
async function floodOwnControlRuns(w: World) {
  await statusInProgress(w);
  const runs = w.fake.repo().checkRuns;
  const notice = [...runs.values()].find((c) => String(c.external_id).startsWith('wait:'))!;
  for (let i = 0; i < 1000; i++) {
    const id = w.fake.state.nextId++;
    runs.set(id, { ...notice, id, external_id: `${String(notice.external_id)}:${i}` });
  }
}

test('past 1000 of the App’s own control check runs: /promote and /resume are refused (the runner would not act on them), /pause and /abort are recorded and say so', async () => {
  await run(async (w) => {
    await writeRecord(w, waiting());
    await floodOwnControlRuns(w);
    const requestsBefore = requestRuns(w.fake).length;
    for (const verb of ['promote', 'resume'] as const) {
      const reply = await say(w, `/${verb} production`, 'alice');
      assert.match(reply, /\(`requests_partial`\)/, verb);
      assert.match(reply, /only part of the control requests of `production` can be read/);
      assert.match(reply, /Nothing was recorded\. `\/abort production` still stops the rollout/);
    }
    assert.equal(requestRuns(w.fake).length, requestsBefore, 'nothing written');
    assert.equal(dispatches(w.fake).length, 0, 'no reconcile run for a /promote it would not act on');

    const paused = await say(w, '/pause production', 'alice');
    assert.match(paused, /\*\*\/pause\*\* by @alice recorded/);
    assert.match(
      paused,
      /a `\/promote` or `\/resume` of this deployment is not; `\/abort production` stops it\./,
    );
    const pauseRun = requestRuns(w.fake).at(-1)!;
    assert.deepEqual(
      ((pauseRun._actions ?? []) as Array<{ identifier: string }>).map((a) => a.identifier),
      ['abort'],
      'no Resume button that would be refused',
    );
    // The Promote button of the wait notice: refused the same way.
    await w.probot.receive({
      id: crypto.randomUUID(),
      name: 'check_run',
      payload: click(
        w.fake,
        controlRuns(w.fake).find((c) => c.external_id === waitId(w, 2))!,
        'alice',
        'promote',
      ),
    } as Receive);
    assert.match(replies(w.fake).at(-1)!, /\(`requests_partial`\)/);

    const aborted = await say(w, '/abort production', 'alice');
    assert.match(aborted, /\*\*\/abort\*\* by @alice recorded/);
    assert.match(aborted, /rolls back to the stable version \(a new run was started\)/);
    assert.equal(requestRuns(w.fake).length, requestsBefore + 2, 'the /pause and the /abort');
    assert.equal(dispatches(w.fake).length, 1, 'reconcile acts on an /abort read in part');
  });
});

test('past 1000 of the App’s own control check runs: a new wait still gets one notice, with Abort only', async () => {
  await run(async (w) => {
    await writeRecord(w, waiting());
    await floodOwnControlRuns(w);
    // The rollout moves on to a wait at its next step.
    await writeRecord(w, { step: 3, ...waiting({ step: 3 }) });
    await statusInProgress(w);
    await statusInProgress(w);
    const notices = controlRuns(w.fake).filter((c) => c.external_id === waitId(w, 3));
    assert.equal(notices.length, 1, 'one notice for the new wait, found again by the second status');
    assert.deepEqual(
      ((notices[0]!._actions ?? []) as Array<{ identifier: string }>).map((a) => a.identifier),
      ['abort'],
      'no Promote button that would be refused',
    );
    assert.match(
      String((notices[0]!.output as { summary: string }).summary),
      /a `\/promote` or `\/resume` of this deployment is not acted on/,
    );
  });
});

test('a /pause written after a /promote holds the rollout, even when the /promote is handled last', async () => {
  let t = NOW.getTime();
  await run(
    async (w) => {
      await writeRecord(w, waiting());
      const promote = commentOnPull(w.fake, '/promote production', { user: 'alice' });
      t += 5_000;
      const pause = commentOnPull(w.fake, '/pause production', { user: 'alice' });
      t += 1_000;
      await w.probot.receive({
        id: crypto.randomUUID(),
        name: 'issue_comment',
        payload: pause.payload,
      } as Receive);
      assert.match(replies(w.fake).at(-1)!, /\*\*\/pause\*\* by @alice recorded/);
      t += 1_000;
      await w.probot.receive({
        id: crypto.randomUUID(),
        name: 'issue_comment',
        payload: promote.payload,
      } as Receive);
      assert.equal(dispatches(w.fake).length, 0, `alice's last word was /pause: ${replies(w.fake).at(-1)}`);
      assert.match(
        replies(w.fake).at(-1)!,
        /The rollout is held before its next step until `\/resume production`/,
      );
    },
    () => new Date(t),
    true,
  );
});

test('a Promote or Resume press on a check run written before a /pause is refused with button_superseded: GitHub dates no press, so a late delivery must not undo the /pause', async () => {
  await run(async (w) => {
    await writeRecord(w, waiting({ handedOff: false }));
    await statusInProgress(w);
    const [notice] = controlRuns(w.fake);
    // alice pauses; a Promote press made on the wait notice before it is delivered after it.
    assert.match(await say(w, '/pause production', 'alice'), /\*\*\/pause\*\* by @alice recorded/);
    const firstPause = requestRuns(w.fake).at(-1)!;
    const press = (checkRun: Record<string, unknown>, identifier: string) =>
      pressAs(w, checkRun, 'alice', identifier);
    const recorded = requestRuns(w.fake).length;
    assert.match(
      await press(notice!, 'promote'),
      /\/promote by @alice not recorded\*\* \(`button_superseded`\): this Promote button is on a `rollout` check run written before the `\/pause` @alice recorded since/,
    );
    assert.equal(requestRuns(w.fake).length, recorded, 'nothing recorded');
    assert.equal(dispatches(w.fake).length, 0, 'the rollout stays held');
    assert.match(await say(w, '/resume production', 'alice'), /\*\*\/resume\*\* by @alice recorded/);
    // Paused again: a Resume press on the first /pause's check run (made before, delivered late) is refused;
    // the one on the newest /pause's check run is taken.
    assert.match(await say(w, '/pause production', 'alice'), /\*\*\/pause\*\* by @alice recorded/);
    const secondPause = requestRuns(w.fake).at(-1)!;
    const before = requestRuns(w.fake).length;
    assert.match(await press(firstPause, 'resume'), /\(`button_superseded`\).*this Resume button/);
    assert.equal(requestRuns(w.fake).length, before, 'nothing recorded');
    // The newest /pause's own check run carries Resume: pressed there, it resumes. An Abort on an old check
    // run still stops the rollout: stopping is never in doubt.
    assert.match(await press(secondPause, 'resume'), /\*\*\/resume\*\* by @alice recorded/);
    assert.match(await press(notice!, 'abort'), /\*\*\/abort\*\* by @alice recorded/);
  });
});

test("button_superseded does not rest on the App replicas' clocks: a /pause recorded by a replica whose clock runs ahead still refuses a stale press handled after it", async () => {
  let t = NOW.getTime();
  await run(
    async (w) => {
      await writeRecord(w, waiting({ handedOff: false }));
      await statusInProgress(w);
      const [notice] = controlRuns(w.fake);
      // The /pause's replica runs 3 s ahead: its request is dated 3 s late.
      t += 3_000;
      assert.match(await say(w, '/pause production', 'alice'), /\*\*\/pause\*\* by @alice recorded/);
      // One second later by the true time, the other replica (clock right) handles a Promote press made on the
      // wait notice before the /pause: it reads the /pause, dated after its own "now".
      t -= 2_000;
      const recorded = requestRuns(w.fake).length;
      assert.match(await pressAs(w, notice!, 'alice', 'promote'), /\(`button_superseded`\)/);
      assert.equal(requestRuns(w.fake).length, recorded, 'nothing recorded');
      assert.equal(dispatches(w.fake).length, 0, 'the rollout stays held');
    },
    () => new Date(t),
    true,
  );
});

test('a hold on a failed batch (on_failure: pause): a /resume written in the second it began resumes it; a /promote written well before it is refused with before_failure_hold', async () => {
  // The clock the App and the fake GitHub share: 0.6 s into a second when the batch failed.
  let t = Date.parse('2026-12-03T10:00:00.600Z');
  await run(
    async (w) => {
      // Written 60 s before the batch failed, delivered only now.
      const stale = commentOnPull(w.fake, '/promote production', { user: 'alice' });
      t += 60_000;
      const failed = new Date(t).toISOString();
      await writeRecord(w, waiting({ kind: 'hold', by: 'on_failure: pause', since: failed }));
      await w.probot.receive({
        id: crypto.randomUUID(),
        name: 'issue_comment',
        payload: stale.payload,
      } as Receive);
      assert.match(
        replies(w.fake).at(-1)!,
        /^\*\*Not accepted\*\* \(`before_failure_hold`\): this \/promote was written at `2026-12-03T10:00:00.000Z`, before the rollout of `production` was held on a failed batch/,
      );
      assert.equal(requestRuns(w.fake).length, 0, 'nothing recorded');
      // GitHub dates this /resume 10:01:00 (its second), before the hold's 10:01:00.6: it still resumes it.
      t += 200;
      assert.match(await say(w, '/resume production', 'alice'), /\*\*\/resume\*\* by @alice recorded/);
      assert.equal(dispatches(w.fake).length, 1, 'the handed-off rollout goes on: reconcile started');
      // What reconcile and the runner read: the /resume ends the hold (it is dated at the hold's start).
      const read = lastRequest(w);
      assert.ok(read.ok, 'the request verifies');
      const held = {
        deploymentId: String(w.deploymentId),
        startedAt: '2025-03-04T10:10:00.000Z',
        wait: { kind: 'hold', step: 2, by: 'on_failure: pause', since: failed },
      } as Rollout;
      assert.equal(read.request.at, failed);
      assert.equal(isHeld(held, [read.request]), false, 'the hold is over for reconcile and the runner');
    },
    () => new Date(t),
    true,
  );
});

test("a press when the requests cannot be read is refused (requests_unreadable); a press of a re-run is not held to an earlier attempt's /pause", async () => {
  let clock = NOW;
  await run(
    async (w) => {
      await writeRecord(w, waiting({ handedOff: false }));
      await statusInProgress(w);
      const [notice] = controlRuns(w.fake);
      const press = (identifier: string) => pressAs(w, notice!, 'alice', identifier);
      assert.match(await say(w, '/pause production', 'alice'), /\*\*\/pause\*\* by @alice recorded/);
      const recorded = requestRuns(w.fake).length;
      // The list of control check runs fails: whether a /pause came after the notice is not known.
      let failing = true;
      w.fake.failNext({
        status: 500,
        times: 1000,
        where: (q) => failing && JSON.stringify(q.query).includes('rollout'),
      });
      assert.match(
        await press('promote'),
        /\/promote by @alice not recorded\*\* \(`requests_unreadable`\): the control requests of `production` could not be read/,
      );
      assert.equal(requestRuns(w.fake).length, recorded, 'nothing recorded');
      assert.equal(dispatches(w.fake).length, 0);
      failing = false;
      // The job is re-run (the same deployment, a new rollout): the earlier attempt's /pause holds nothing, so
      // the Promote of the new attempt's own notice ends its wait.
      clock = new Date('2025-03-04T11:10:00Z');
      await writeRecord(w, {
        startedAt: '2025-03-04T11:00:00.000Z',
        owner: { kind: 'workflow', runId: '699', runAttempt: '2' },
        ...waiting({ handedOff: false, since: '2025-03-04T11:05:00.000Z' }),
      });
      await statusInProgress(w);
      const fresh = controlRuns(w.fake).find(
        (c) => c.external_id === waitId(w, 2, '2025-03-04T11:00:00.000Z'),
      );
      assert.ok(fresh, 'the re-run has a notice of its own');
      assert.match(await pressAs(w, fresh, 'alice', 'promote'), /\*\*\/promote\*\* by @alice recorded/);
    },
    () => clock,
  );
});

test("a hold on a failed batch: a Resume press on a check run written before the batch failed is refused, one on a check run written since is taken; a /promote dated before the hold's second is refused", async () => {
  let t = Date.parse('2026-12-03T10:00:00.600Z');
  await run(
    async (w) => {
      // A wait notice from before the failure (its Promote), then the batch fails 2 minutes later.
      await writeRecord(w, waiting({ handedOff: false }));
      await statusInProgress(w);
      const [before] = controlRuns(w.fake);
      t += 120_000;
      const failed = new Date(t).toISOString();
      const step = 3;
      await writeRecord(
        w,
        waiting({ kind: 'hold', step, by: 'on_failure: pause', since: failed, handedOff: false }),
      );
      const press = (checkRun: Record<string, unknown>, identifier: string) =>
        pressAs(w, checkRun, 'alice', identifier);
      t += 1_000;
      assert.match(
        await press(before!, 'resume'),
        /\(`before_failure_hold`\): this Resume button is on a `rollout` check run written before the rollout of `production` was held on a failed batch/,
      );
      assert.equal(requestRuns(w.fake).length, 0, 'nothing recorded');
      // The hold's own notice (written since) carries Resume: taken, dated no earlier than the hold.
      await statusInProgress(w);
      const notice = controlRuns(w.fake).find(
        (c) => c.external_id === `${waitId(w, step)}:failed:${Date.parse(failed)}`,
      )!;
      assert.ok(notice, 'the hold has its own notice');
      assert.match(await press(notice, 'resume'), /\*\*\/resume\*\* by @alice recorded/);
      const read = lastRequest(w);
      assert.ok(read.ok && Date.parse(read.request.at) >= Date.parse(failed));
      // A /promote written 2 s before the batch failed (another second), delivered now: refused; a /resume
      // then would be taken (a /resume only ends a hold).
      const early = commentOnPull(w.fake, '/promote production', { user: 'alice' });
      (early.payload.comment as Record<string, unknown>).created_at = new Date(
        Date.parse(failed) - 2_000,
      ).toISOString();
      await w.probot.receive({
        id: crypto.randomUUID(),
        name: 'issue_comment',
        payload: early.payload,
      } as Receive);
      assert.match(replies(w.fake).at(-1)!, /\(`before_failure_hold`\): this \/promote was written at/);
    },
    () => new Date(t),
    true,
  );
});

/** The rollout's requests read from GitHub as the runner and reconcile read them (every app's but Actions'). */
async function readAsRunner(w: World) {
  const octokit = new Octokit({
    baseUrl: w.fake.url,
    auth: 'test-token',
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
  });
  const key = stateKey(testMarkerKeys().current, `${owner}/${repo}`, 'production');
  const place = {
    repository: `${owner}/${repo}`,
    environment: 'production',
    deploymentId: String(w.deploymentId),
  };
  return githubRequests(octokit.request as unknown as RequestFn)({ owner, repo }, place, HEAD, [key]);
}

test('a /pause and a stale Promote press handled at the same moment (two replicas): the press, dated later, does not undo the /pause for reconcile', async () => {
  let t = NOW.getTime();
  // The /pause is decided first (nothing to refuse) but written only after the press was read, decided and
  // written: neither read the other, so the App refused neither.
  let blocked!: () => void;
  const pauseDecided = new Promise<void>((resolve) => (blocked = resolve));
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const channel: ControlChannel = {
    ...githubChannel,
    write: async (api, where, args) => {
      if (args.request.verb === 'pause') {
        blocked();
        await released;
      }
      return githubChannel.write(api, where, args);
    },
  };
  await run(
    async (w) => {
      await writeRecord(w, waiting({ handedOff: true }));
      await statusInProgress(w);
      const [notice] = controlRuns(w.fake);
      const pausing = send(w, '/pause production', 'alice');
      await pauseDecided;
      t += 1_000;
      assert.match(await pressAs(w, notice!, 'alice', 'promote'), /\*\*\/promote\*\* by @alice recorded/);
      release();
      await pausing;
      const poll = await readAsRunner(w);
      const pause = poll.requests.find((r) => r.verb === 'pause')!;
      const press = poll.requests.find((r) => r.verb === 'promote')!;
      assert.ok(Date.parse(press.at) > Date.parse(pause.at), 'the press is dated after the /pause');
      assert.ok(
        poll.recordedIn!.get(pause.id)! > Number(notice!.id),
        'the /pause was recorded after the notice',
      );
      const rollout = {
        deploymentId: String(w.deploymentId),
        version: 'v3.0.0',
        sha: HEAD,
        startedAt: '2025-03-04T10:10:00.000Z',
        step: 2,
        steps: 5,
        ...waiting({ handedOff: true }),
      } as Rollout;
      const record = { ...emptyRecord(`${owner}/${repo}`, 'production', NOW), rollout };
      const d = decideReconcile({
        record,
        now: new Date(t),
        requests: poll.requests,
        ...(poll.recordedIn ? { recordedIn: poll.recordedIn } : {}),
      });
      assert.equal(d.code, 'waiting', JSON.stringify(d));
      assert.match(d.code === 'waiting' ? d.why : '', /paused by alice/);
      // The same press again: already recorded, and it does not count; the reply says so, and what to do.
      t += 1_000;
      const dispatched = dispatches(w.fake).length;
      assert.match(
        await pressAs(w, notice!, 'alice', 'promote'),
        /\(already recorded before, at `[^`]+`; it no longer counts: a `\/pause` was recorded after the check run its button was pressed on, .*press Resume on the newest `rollout` check run, or `\/resume production`\)\. The rollout is held before its next step/,
      );
      assert.equal(dispatches(w.fake).length, dispatched, 'no run started for it');
    },
    () => new Date(t),
    true,
    channel,
  );
});

test('a Resume press repeated on the same check run after a newer /pause is answered: already recorded, and what holds the rollout now', async () => {
  let t = NOW.getTime();
  await run(
    async (w) => {
      await writeRecord(w, waiting({ kind: 'hold', by: 'alice', handedOff: false }));
      await statusInProgress(w);
      const [notice] = controlRuns(w.fake);
      assert.match(await pressAs(w, notice!, 'alice', 'resume'), /\*\*\/resume\*\* by @alice recorded/);
      t += 1_000;
      assert.match(await say(w, '/pause production', 'alice'), /\*\*\/pause\*\* by @alice recorded/);
      t += 1_000;
      // The same person, check run, step and button: the same request, recorded before; nothing new is
      // written, and the reply says the /pause since holds the rollout.
      const before = { runs: requestRuns(w.fake).length, replies: replies(w.fake).length };
      const reply = await pressAs(w, notice!, 'alice', 'resume');
      assert.equal(requestRuns(w.fake).length, before.runs, 'nothing recorded');
      assert.equal(replies(w.fake).length, before.replies + 1, 'answered');
      assert.match(
        reply,
        /\*\*\/resume\*\* by @alice recorded .*\(already recorded before, at `2025-03-04T10:30:00.000Z`, and counted once; the `\/pause` of @alice recorded since holds the rollout: press Resume on the newest `rollout` check run, or `\/resume production`\)\. The rollout is held before its next step/,
      );
      assert.equal(dispatches(w.fake).length, 0);
    },
    () => new Date(t),
    true,
  );
});

test('a hold on a failed batch: a Resume press recorded before the batch failed, pressed again, is answered as held (not "goes on") and starts no run', async () => {
  let t = NOW.getTime();
  await run(
    async (w) => {
      // A /pause hold at step 3 with its notice; alice resumes it from the notice.
      await writeRecord(w, waiting({ kind: 'hold', by: 'alice', handedOff: false }));
      await statusInProgress(w);
      const [notice] = controlRuns(w.fake);
      assert.match(await pressAs(w, notice!, 'alice', 'resume'), /\*\*\/resume\*\* by @alice recorded/);
      // The batch runs again and fails: the rollout is held on it, handed off.
      t += 120_000;
      const failed = new Date(t).toISOString();
      await writeRecord(w, waiting({ kind: 'hold', by: 'on_failure: pause', since: failed }));
      t += 1_000;
      // The same press again (a redelivery, or alice pressing again): the request recorded before the batch
      // failed, which reconcile does not count: the rollout stays held.
      const reply = await pressAs(w, notice!, 'alice', 'resume');
      assert.equal(dispatches(w.fake).length, 0, 'no reconcile run: it would only wait');
      assert.match(
        reply,
        /\(already recorded before, at `2025-03-04T10:30:00.000Z`, before the rollout was held on a failed batch: it does not run that batch again\)\. The rollout stays held on a failed batch \(`on_failure: pause`\) until a `\/resume production` made since the batch failed/,
      );
      assert.equal(requestRuns(w.fake).length, 1, 'nothing new recorded');
    },
    () => new Date(t),
    true,
  );
});

test('a hold on a failed batch at a step that already had a notice gets a fresh notice, whose Resume is taken; the older one’s is still refused', async () => {
  let t = NOW.getTime();
  await run(
    async (w) => {
      // A wait at step 3 with its notice; then the batch there fails (the same step) and the rollout is held.
      await writeRecord(w, waiting({ handedOff: false }));
      await statusInProgress(w);
      const [older] = controlRuns(w.fake);
      t += 120_000;
      const failed = new Date(t).toISOString();
      await writeRecord(w, waiting({ kind: 'hold', by: 'on_failure: pause', since: failed }));
      t += 1_000;
      await statusInProgress(w);
      const notices = controlRuns(w.fake).filter((c) => String(c.external_id).startsWith('wait:'));
      assert.equal(notices.length, 2, 'a notice of its own for the hold');
      const fresh = notices.find((c) => c !== older)!;
      assert.equal(fresh.external_id, `${waitId(w, 2)}:failed:${Date.parse(failed)}`);
      assert.deepEqual(
        ((fresh._actions ?? []) as Array<{ identifier: string }>).map((a) => a.identifier),
        ['resume', 'abort'],
      );
      // Made once: the next status finds it.
      await statusInProgress(w);
      assert.equal(controlRuns(w.fake).length, 2);
      assert.match(await pressAs(w, older!, 'alice', 'resume'), /\(`before_failure_hold`\)/);
      assert.match(await pressAs(w, fresh, 'alice', 'resume'), /\*\*\/resume\*\* by @alice recorded/);
      assert.equal(dispatches(w.fake).length, 1, 'the handed-off rollout goes on: reconcile started');
    },
    () => new Date(t),
    true,
  );
});

test('buttons: an answer to a press @-mentions its presser alone (a refusal names the deployers quietly)', async () => {
  await run(async (w) => {
    const notice = await waitNotice(w);
    const refusal = await pressAs(w, notice!, 'mallory', 'promote');
    assert.match(refusal, /\/promote by @mallory not recorded\*\* \(`not_a_deployer`\)/);
    assert.match(refusal, /alice/, 'the deployers are named');
    assert.deepEqual(
      mentionsIn(refusal).filter((m) => m !== 'mallory'),
      [],
      refusal,
    );
  });
});

/** The rollout of a re-run of the job (attempt 2): the same deployment, a new start. */
const RERUN_STARTED = '2025-03-04T10:35:00.000Z';
const rerun = (wait: Partial<RolloutWait> = {}): Partial<Rollout> => ({
  startedAt: RERUN_STARTED,
  owner: { kind: 'workflow', runId: '699', runAttempt: '2' },
  ...waiting({ since: '2025-03-04T10:38:00.000Z', ...wait }),
});

test("a re-run of the job: a Promote pressed on the earlier attempt's wait notice, delivered after the re-run began, is refused (button_other_rollout) and records nothing; the re-run's own notice takes it", async () => {
  let t = NOW.getTime();
  await run(
    async (w) => {
      await writeRecord(w, waiting());
      await statusInProgress(w);
      const [earlier] = controlRuns(w.fake);
      // The job is re-run: the same deployment, waiting at the same step, handed off.
      t = Date.parse('2025-03-04T10:40:00Z');
      await writeRecord(w, rerun());
      const reply = await pressAs(w, earlier!, 'alice', 'promote');
      assert.match(
        reply,
        /\/promote by @alice not recorded\*\* \(`button_other_rollout`\): this Promote button is on a `rollout` check run of an earlier rollout .*the rollout of `production` in progress began at `2025-03-04T10:35:00.000Z` .*Nothing was recorded; press Promote on the current `rollout` check run of this rollout, or `\/promote production`/,
      );
      assert.equal(requestRuns(w.fake).length, 0, 'nothing recorded');
      assert.equal(dispatches(w.fake).length, 0, 'no run started');
      // The re-run's wait gets a notice of its own, whose Promote is taken.
      await statusInProgress(w);
      const fresh = controlRuns(w.fake).find((c) => c.external_id === waitId(w, 2, RERUN_STARTED));
      assert.ok(fresh, "the re-run's own notice");
      assert.notEqual(fresh.id, earlier!.id);
      assert.match(await pressAs(w, fresh, 'alice', 'promote'), /\*\*\/promote\*\* by @alice recorded/);
      assert.equal(requestRuns(w.fake).length, 1);
      assert.equal(dispatches(w.fake).length, 1, 'the handed-off rollout goes on: reconcile started');
    },
    () => new Date(t),
    true,
  );
});

test("a re-run of the job: a Resume pressed on a request check run of the earlier attempt (its /pause's) is refused (button_other_rollout) and records nothing; the re-run's notice takes it", async () => {
  let t = NOW.getTime();
  await run(
    async (w) => {
      await writeRecord(w, waiting());
      assert.match(await say(w, '/pause production', 'alice'), /\*\*\/pause\*\* by @alice recorded/);
      const [paused] = requestRuns(w.fake);
      assert.deepEqual(
        ((paused!._actions ?? []) as Array<{ identifier: string }>).map((a) => a.identifier),
        ['resume', 'abort'],
      );
      // The job is re-run, and the new rollout is held (its record says so) at the same step.
      t = Date.parse('2025-03-04T10:40:00Z');
      await writeRecord(w, rerun({ kind: 'hold', by: 'alice' }));
      assert.match(
        await pressAs(w, paused!, 'alice', 'resume'),
        /\/resume by @alice not recorded\*\* \(`button_other_rollout`\): this Resume button is on a `rollout` check run of an earlier rollout .*press Resume on the current `rollout` check run of this rollout, or `\/resume production`/,
      );
      assert.equal(requestRuns(w.fake).length, 1, 'nothing recorded');
      assert.equal(dispatches(w.fake).length, 0, 'no run started');
      await statusInProgress(w);
      const fresh = controlRuns(w.fake).find((c) => c.external_id === waitId(w, 2, RERUN_STARTED));
      assert.ok(fresh, "the re-run's own notice");
      assert.match(await pressAs(w, fresh, 'alice', 'resume'), /\*\*\/resume\*\* by @alice recorded/);
      assert.match(
        String(requestRuns(w.fake).at(-1)!.external_id),
        new RegExp(`^control:${w.deploymentId}:2:rollout-${Date.parse(RERUN_STARTED)}:button:`),
        'the request check run names the rollout it was made of',
      );
      assert.equal(dispatches(w.fake).length, 1, 'the handed-off rollout goes on: reconcile started');
    },
    () => new Date(t),
    true,
  );
});

test('wait notices a version before the rollout was named wrote (`wait:<deployment>:<step>`): one written since the rollout began stands and its Promote is taken; an earlier attempt’s is refused and a new one is made', async () => {
  let t = NOW.getTime();
  await run(
    async (w) => {
      const legacy = `wait:${w.deploymentId}:2`;
      // The previous version's notice of the first attempt (its external id as that version wrote it).
      await writeRecord(w, waiting());
      await statusInProgress(w);
      const [earlier] = controlRuns(w.fake);
      w.fake.repo().checkRuns.get(Number(earlier!.id))!.external_id = legacy;
      t = Date.parse('2025-03-04T10:40:00Z');
      await writeRecord(w, rerun());
      await statusInProgress(w);
      const notices = () => controlRuns(w.fake).filter((c) => String(c.external_id).startsWith('wait:'));
      assert.equal(notices().length, 2, "the earlier attempt's notice does not stand in for the re-run's");
      // The re-run's notice as the previous version wrote it: it stands (no third), and its Promote is taken.
      const current = notices().find((c) => c.id !== earlier!.id)!;
      w.fake.repo().checkRuns.get(Number(current.id))!.external_id = legacy;
      t += 1_000;
      await statusInProgress(w);
      assert.equal(notices().length, 2, 'made once');
      assert.match(await pressAs(w, earlier!, 'alice', 'promote'), /\(`button_other_rollout`\)/);
      assert.equal(requestRuns(w.fake).length, 0, 'nothing recorded');
      assert.match(await pressAs(w, current, 'alice', 'promote'), /\*\*\/promote\*\* by @alice recorded/);
    },
    () => new Date(t),
    true,
  );
});
