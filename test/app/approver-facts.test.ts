// Who counts as an approver is decided on what GitHub says now, and nobody approves their own work: an
// approver who left the team or lost access since approving no longer counts, whoever pushed to the pull
// request cannot approve its deployment, a Bot account never approves, a self-approver may lift their own
// veto (without their approval counting), and the waiting reply names everyone whose approval will not count
// without calling on them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Probot } from 'probot';
import { createFakeGitHub, fakeSha } from '../fake-github/index.ts';
import type { FakeGitHub } from '../fake-github/index.ts';
import {
  BOT_LOGIN,
  HEAD,
  PR,
  appReplies,
  approvalRecord,
  owner,
  recordApprovalComment,
  repo,
  sayOnPull,
  testApp,
  testProbot,
  testTrust,
} from './helpers.ts';
import { appDeployment, approvePress, protectionRulePayload, receive, reviewOf } from './delivery-helpers.ts';
import { commandDispatch } from '../../app/deploy/dispatch.ts';
import type { DispatchDeps } from '../../app/deploy/dispatch.ts';
import type { CommentEvent } from '../../app/handlers/comment.ts';
import type { Octokit } from '../../app/facts/github.ts';

type Json = Record<string, unknown>;
const NOW = new Date('2025-03-04T10:30:00Z');

const CONFIG = `
target:
  commands:
    deploy: ./deploy.sh
environments:
  production:
    approvals:
      deployers: [alice]
      approvers: [acme/sre]
      required: 2
  staging:
    approvals:
      required: 2
`;

/** The App's clock: a test moves it on where the order of records matters. */
let clock = NOW;
const tick = (minutes: number): void => {
  clock = new Date(clock.getTime() + minutes * 60_000);
};

async function run(body: (fake: FakeGitHub, probot: Probot) => Promise<void>): Promise<void> {
  clock = NOW;
  const fake = await createFakeGitHub();
  fake.seedRepo({
    owner,
    repo,
    files: { '.github/deploy.yml': CONFIG },
    collaborators: { alice: 'write', carol: 'write', dave: 'write', erin: 'write', frank: 'write' },
    teams: { sre: ['carol', 'dave', 'erin', 'frank'] },
    pulls: [{ number: PR, head: HEAD, user: 'alice' }],
  });
  const probot = testProbot(fake);
  await probot.load(testApp({ now: () => clock }));
  try {
    await body(fake, probot);
    fake.assertNoViolations();
  } finally {
    await fake.stop();
  }
}

const replies = appReplies;

const say = sayOnPull;

const deployments = (fake: FakeGitHub) => [...fake.repo().deployments.values()];

test('an approver who left the approvers’ team after approving no longer counts', async () => {
  await run(async (fake, probot) => {
    assert.match(await say(fake, probot, '/deploy production', 'alice'), /Waiting for 2 approval/);
    assert.match(await say(fake, probot, '/approve-deploy production', 'carol'), /Still waiting for 1/);
    fake.state.teams.get('acme/sre')!.delete('carol');
    // dave's approval would complete the count with carol's, recorded while she was in the team.
    assert.match(await say(fake, probot, '/approve-deploy production', 'dave'), /Still waiting for 1/);
    assert.equal(deployments(fake).length, 0);
    // With a second approver who is still in the team, it deploys.
    assert.match(
      await say(fake, probot, '/approve-deploy production', 'erin'),
      /Deployment \*\*\\#\u200D\d+\*\* created/,
    );
    assert.equal(deployments(fake).length, 1);
  });
});

test('an approver who lost write access after approving no longer counts', async () => {
  await run(async (fake, probot) => {
    assert.match(await say(fake, probot, '/deploy staging', 'alice'), /Waiting for 2 approval/);
    assert.match(await say(fake, probot, '/approve-deploy staging', 'carol'), /Still waiting for 1/);
    fake.repo().collaborators.set('carol', 'read');
    assert.match(await say(fake, probot, '/approve-deploy staging', 'dave'), /Still waiting for 1/);
    assert.equal(deployments(fake).length, 0);
  });
});

test('whoever pushed to the pull request cannot approve its deployment, and the waiting reply names them without a mention', async () => {
  await run(async (fake, probot) => {
    // carol, an approver, pushed a commit to alice's pull request.
    const pushed = fakeSha('pr-7-carol');
    fake.pushCommit(PR, pushed, { author: 'carol' });
    const waiting = await say(fake, probot, '/deploy production', 'alice');
    assert.match(waiting, /Waiting for 2 approval/);
    assert.match(waiting, /not `alice`, `carol`: their own approval does not count/);
    assert.doesNotMatch(waiting, /@alice|@carol/, 'nobody whose approval does not count is called on');
    const refused = await say(fake, probot, '/approve-deploy production', 'carol');
    assert.match(refused, /`self_approval_refused`/);
    assert.match(refused, /pushed to or authored commits of this pull request/);
    assert.match(await say(fake, probot, '/approve-deploy production', 'dave'), /Still waiting for 1/);
    assert.equal(deployments(fake).length, 0);
    // Her veto still counts.
    assert.match(await say(fake, probot, '/reject-deploy production', 'carol'), /\*\*Veto\*\* by/);
  });
});

test('a self-approver lifts their own veto by approving; the approval does not count', async () => {
  await run(async (fake, probot) => {
    fake.pushCommit(PR, fakeSha('pr-7-carol'), { author: 'carol' });
    await say(fake, probot, '/deploy production', 'alice');
    assert.match(await say(fake, probot, '/reject-deploy production', 'carol'), /\*\*Veto\*\* by/);
    tick(1);
    assert.match(await say(fake, probot, '/approve-deploy production', 'dave'), /`rejected`/);
    tick(1);
    const lifted = await say(fake, probot, '/approve-deploy production', 'carol');
    assert.match(lifted, /Veto by @carol lifted/);
    assert.match(lifted, /does not count \(`self_approval_refused`\)/);
    assert.match(lifted, /Still waiting for 1 approval/, 'only dave counts');
    assert.equal(deployments(fake).length, 0);
    // Without a veto of her own to lift, her approval is refused as before (nothing recorded).
    assert.match(await say(fake, probot, '/approve-deploy production', 'carol'), /\*\*Not accepted\*\*/);
    assert.match(
      await say(fake, probot, '/approve-deploy production', 'erin'),
      /Deployment \*\*\\#\u200D\d+\*\* created/,
    );
    assert.deepEqual((deployments(fake)[0]!.payload as { approved_by: string[] }).approved_by.toSorted(), [
      'dave',
      'erin',
    ]);
  });
});

test('a Bot account’s /approve-deploy is refused by the command itself, whatever its permission and teams', async () => {
  await run(async (fake, probot) => {
    fake.repo().collaborators.set('ci-helper', 'admin');
    fake.state.teams.get('acme/sre')!.set('ci-helper', 'member');
    await say(fake, probot, '/deploy production', 'alice');
    const octokit = (await probot.auth(fake.state.installationId)) as unknown as Octokit;
    const deps: DispatchDeps = {
      api: octokit.rest,
      botLogin: BOT_LOGIN,
      appId: fake.state.appId,
      now: () => NOW,
      markers: testTrust(),
      records: (() => {
        throw new Error('not read by an approval');
      }) as unknown as DispatchDeps['records'],
      control: {} as DispatchDeps['control'],
    };
    const stored = fake.addComment(PR, { user: 'ci-helper', body: '/approve-deploy production' });
    const event: CommentEvent = {
      action: 'created',
      owner,
      repo,
      number: PR,
      isPullRequest: true,
      commentId: stored.id as number,
      body: '/approve-deploy production',
      // A GitHub App acting through a user-like login: only its account type says it is a bot.
      author: { login: 'ci-helper', type: 'Bot' },
      sender: { login: 'ci-helper', type: 'Bot' },
    };
    const reply = await commandDispatch(deps)(
      { kind: 'approve-deploy', environment: 'production' } as never,
      event,
    );
    assert.equal(reply.reaction, 'confused');
    assert.match(reply.body ?? '', /`not_an_approver`/);
    assert.match(reply.body ?? '', /bots never approve/);
  });
});

// ---- the same facts for a deployment protection rule and its Approve button ----------------------------

/** An approval of `production` at `sha` by `login` (seen in acme/sre then), on the PR as the App writes it. */
const recordApproval = (fake: FakeGitHub, login: string, sha: string): void =>
  recordApprovalComment(
    fake,
    approvalRecord(login, { teams: ['acme/sre'], sha, at: new Date(clock.getTime() - 60_000) }),
  );

/** The protection rule call for workflow run `run` deploying `sha` of the pull request to production. */
const protectionRule = (fake: FakeGitHub, run: number, sha: string) =>
  protectionRulePayload(fake, { run, sha, pullRequests: [PR] });

const GATED = CONFIG.replace('required: 2\n  staging', 'required: 1\n  staging');

test('protection rule: an approval by someone who has left the approvers’ team since does not pass the gate', async () => {
  await run(async (fake, probot) => {
    fake.setFile('.github/deploy.yml', GATED);
    const held = fake.addWorkflowRun({ actor: 'alice', headSha: HEAD, event: 'pull_request' });
    recordApproval(fake, 'carol', HEAD);
    fake.state.teams.get('acme/sre')!.delete('carol');
    await receive(probot, 'deployment_protection_rule', protectionRule(fake, held.id, HEAD));
    assert.equal(reviewOf(fake, held.id), undefined, 'still waiting: carol no longer counts');
    const second = fake.addWorkflowRun({ actor: 'alice', headSha: HEAD, event: 'pull_request' });
    recordApproval(fake, 'dave', HEAD);
    await receive(probot, 'deployment_protection_rule', protectionRule(fake, second.id, HEAD));
    assert.equal(reviewOf(fake, second.id)?.state, 'approved', 'dave, still in the team, does');
  });
});

test('protection rule and Approve button: whoever pushed a commit to the pull request does not approve its deployment', async () => {
  await run(async (fake, probot) => {
    fake.setFile('.github/deploy.yml', GATED);
    // frank, an approver, pushed to alice's pull request; alice's push started the held run.
    const pushed = fakeSha('pr-7-frank');
    fake.pushCommit(PR, pushed, { author: 'frank' });
    const held = fake.addWorkflowRun({ actor: 'alice', headSha: pushed, event: 'pull_request' });
    recordApproval(fake, 'frank', pushed);
    await receive(probot, 'deployment_protection_rule', protectionRule(fake, held.id, pushed));
    assert.equal(reviewOf(fake, held.id), undefined, "frank's own approval does not count: still waiting");
    const gate = [...fake.repo().checkRuns.values()].find((c) => c.name === 'approval / production')!;
    assert.ok(gate, 'the gate waits');
    const press = (login: string) => pressApprove(fake, probot, gate, login);
    await press('frank');
    const said = String(replies(fake).at(-1));
    assert.match(said, /not recorded\*\* \(`self_approval_refused`\)/);
    assert.equal(reviewOf(fake, held.id), undefined);
    await press('erin');
    assert.equal(reviewOf(fake, held.id)?.state, 'approved', "another approver's button approves");
  });
});

test('Approve button: the held workflow run is read once for the whole delivery (the press and the gate it answers)', async () => {
  await run(async (fake, probot) => {
    fake.setFile('.github/deploy.yml', GATED);
    const held = fake.addWorkflowRun({ actor: 'alice', headSha: HEAD, event: 'pull_request' });
    await receive(probot, 'deployment_protection_rule', protectionRule(fake, held.id, HEAD));
    const gate = [...fake.repo().checkRuns.values()].find((c) => c.name === 'approval / production')!;
    assert.ok(gate, 'the gate waits');
    const before = fake.requestsFor('actions/get-workflow-run').length;
    await pressApprove(fake, probot, gate, 'erin');
    assert.equal(reviewOf(fake, held.id)?.state, 'approved', "erin's button approves");
    assert.equal(
      fake.requestsFor('actions/get-workflow-run').length - before,
      1,
      'the press and the gate it answers share one read of who started the run',
    );
  });
});

/** Presses the Approve button of `gate` as `login`. */
const pressApprove = (fake: FakeGitHub, probot: Probot, gate: Json, login: string): Promise<void> =>
  receive(probot, 'check_run', approvePress(fake, gate, login));

/** The newest `approval / production` gate and its summary. */
function productionGate(fake: FakeGitHub) {
  const gate = [...fake.repo().checkRuns.values()].filter((c) => c.name === 'approval / production').at(-1);
  return gate && { ...gate, summary: String((gate.output as { summary?: string } | undefined)?.summary) };
}

test('a run re-run by someone else: whoever started it and whoever re-ran it are both requesters (rule and button)', async () => {
  await run(async (fake, probot) => {
    fake.setFile('.github/deploy.yml', GATED);
    // carol's push started the run; erin re-ran the held attempt. Both approvers, both asked for this run.
    const held = fake.addWorkflowRun({
      actor: 'carol',
      triggeringActor: 'erin',
      runAttempt: 2,
      headSha: HEAD,
      event: 'pull_request',
    });
    recordApproval(fake, 'carol', HEAD);
    recordApproval(fake, 'erin', HEAD);
    await receive(probot, 'deployment_protection_rule', protectionRule(fake, held.id, HEAD));
    assert.equal(reviewOf(fake, held.id), undefined, 'waiting: neither approval counts');
    const gate = productionGate(fake)!;
    assert.ok(gate, 'the gate waits');
    // Named as people whose approval does not count, without a mention.
    assert.match(gate.summary, /other than `alice`, `carol`, `erin`/);
    await pressApprove(fake, probot, gate, 'erin');
    assert.match(
      String(replies(fake).at(-1)),
      /not recorded\*\* \(`self_approval_refused`\).*asked for this deployment/s,
    );
    assert.equal(reviewOf(fake, held.id), undefined);
    await pressApprove(fake, probot, gate, 'dave');
    assert.equal(reviewOf(fake, held.id)?.state, 'approved', 'dave asked for nothing: his approval counts');
  });
});

test('a run started and re-run by the same person names them once; a bot that started a run is not named', async () => {
  await run(async (fake, probot) => {
    fake.setFile('.github/deploy.yml', GATED);
    const same = fake.addWorkflowRun({
      actor: 'carol',
      triggeringActor: 'Carol',
      headSha: HEAD,
      event: 'pull_request',
    });
    await receive(probot, 'deployment_protection_rule', protectionRule(fake, same.id, HEAD));
    assert.match(productionGate(fake)!.summary, /other than `alice`, `carol`$/);
    const bot = fake.addWorkflowRun({
      actor: 'github-actions[bot]',
      triggeringActor: 'dave',
      headSha: HEAD,
      event: 'pull_request',
    });
    await receive(probot, 'deployment_protection_rule', protectionRule(fake, bot.id, HEAD));
    assert.match(productionGate(fake)!.summary, /other than `alice`, `dave`$/);
  });
});

test('an approval comment and the gate it answers share one delivery’s reads of people', async () => {
  await run(async (fake, probot) => {
    fake.setFile('.github/deploy.yml', GATED);
    const held = fake.addWorkflowRun({ actor: 'alice', headSha: HEAD, event: 'pull_request' });
    await receive(probot, 'deployment_protection_rule', protectionRule(fake, held.id, HEAD));
    assert.equal(reviewOf(fake, held.id), undefined, 'the gate waits');
    const reads = () => ({
      contributors: fake.requestsFor('repos/compare-commits').length,
      permissions: fake.requestsFor('repos/get-collaborator-permission-level').length,
    });
    const before = reads();
    assert.match(await say(fake, probot, '/approve-deploy production', 'erin'), /Approval by @erin/);
    assert.equal(reviewOf(fake, held.id)?.state, 'approved', 'the gate is answered in the same delivery');
    const after = reads();
    // The command read who pushed to the pull request and erin's permission; deciding the gate again with
    // her approval reads neither a second time.
    assert.deepEqual(
      {
        contributors: after.contributors - before.contributors,
        permissions: after.permissions - before.permissions,
      },
      { contributors: 1, permissions: 1 },
    );
  });
});

test('protection rule: who started the run of the App’s own deployment is read only when approvals can turn on it', async () => {
  await run(async (fake, probot) => {
    fake.setFile(
      '.github/deploy.yml',
      `${GATED}  preview:\n    approvals:\n      approvers: [acme/sre]\n      required: 0\n  sandbox:\n    approvals:\n      approvers: [acme/sre]\n      required: 1\n      allow_self_approval: true\n`,
    );
    // The App made the deployment (a /deploy it allowed): it names who asked, so the locks need no run.
    const appsRule = async (held: number, environment: string): Promise<Json> => {
      const rule = protectionRule(fake, held, HEAD);
      const made = await appDeployment(fake, { environment, payload: { pr: PR, requested_by: 'alice' } });
      return {
        ...rule,
        environment,
        deployment: {
          ...(rule.deployment as Json),
          id: made.id,
          environment,
          payload: made.payload,
          creator: { login: BOT_LOGIN, type: 'Bot' },
        },
      };
    };
    const runReads = () => fake.requestsFor('actions/get-workflow-run').length;
    const preview = fake.addWorkflowRun({ actor: BOT_LOGIN, headSha: HEAD, event: 'deployment' });
    await receive(probot, 'deployment_protection_rule', await appsRule(preview.id, 'preview'));
    assert.equal(reviewOf(fake, preview.id)?.state, 'approved', 'no approval needed');
    // Self-approval allowed: whoever asked may approve, so who that is does not matter.
    const sandbox = fake.addWorkflowRun({
      actor: BOT_LOGIN,
      triggeringActor: 'carol',
      headSha: HEAD,
      event: 'deployment',
    });
    await receive(probot, 'deployment_protection_rule', await appsRule(sandbox.id, 'sandbox'));
    assert.equal(runReads(), 0, 'the answers could not depend on who started the runs');
    // Where it can: carol re-ran the run, so her approval of it does not count.
    recordApproval(fake, 'carol', HEAD);
    const production = fake.addWorkflowRun({
      actor: BOT_LOGIN,
      triggeringActor: 'carol',
      headSha: HEAD,
      event: 'deployment',
    });
    await receive(probot, 'deployment_protection_rule', await appsRule(production.id, 'production'));
    assert.equal(reviewOf(fake, production.id), undefined, 'waiting: her own approval does not count');
    assert.equal(runReads(), 1);
  });
});

test('the App’s own deployment: whoever asked the App for it (/deploy) does not approve it at its gate, by approval or button', async () => {
  await run(async (fake, probot) => {
    fake.setFile('.github/deploy.yml', GATED);
    // erin, an approver who neither wrote nor pushed to the pull request, asked the App for the deployment;
    // the App's deployment event started the run in the App's name.
    const appsRule = async (held: number): Promise<Json> => {
      const rule = protectionRule(fake, held, HEAD);
      const made = await appDeployment(fake, {
        environment: 'production',
        payload: { pr: PR, requested_by: 'erin' },
      });
      return {
        ...rule,
        deployment: {
          ...(rule.deployment as Json),
          id: made.id,
          payload: made.payload,
          creator: { login: BOT_LOGIN, type: 'Bot' },
        },
      };
    };
    recordApproval(fake, 'erin', HEAD);
    const held = fake.addWorkflowRun({ actor: BOT_LOGIN, headSha: HEAD, event: 'deployment' });
    await receive(probot, 'deployment_protection_rule', await appsRule(held.id));
    assert.equal(reviewOf(fake, held.id), undefined, 'waiting: her own approval does not count');
    const gate = productionGate(fake)!;
    assert.match(gate.summary, /other than `alice`, `erin`|other than `erin`, `alice`/);
    await pressApprove(fake, probot, gate, 'erin');
    assert.match(String(replies(fake).at(-1)), /not recorded\*\* \(`self_approval_refused`\)/);
    assert.equal(reviewOf(fake, held.id), undefined);
    await pressApprove(fake, probot, gate, 'dave');
    assert.equal(reviewOf(fake, held.id)?.state, 'approved', 'dave asked for nothing: his approval counts');
  });
});
