// The commands end to end through probot.receive against the fake GitHub: policy from the default branch,
// approvals bound to the head SHA, the lock as arbiter, idempotent deployment creation. None of the hostile
// cases deploys.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Probot } from 'probot';
import { createFakeGitHub, fakeSha } from '../fake-github/index.ts';
import type { FakeGitHub } from '../fake-github/index.ts';
import { appReplies, commentOnPull, pushToPull, restWith, testApp, testProbot } from './helpers.ts';

import { parseDeploymentPayload } from '../../src/github/deployment-payload.ts';
import { parseStatusComment } from '../../src/github/status-comment.ts';

type Receive = Parameters<Probot['receive']>[0];
const owner = 'acme';
const repo = 'web';
const PR = 7;
const HEAD = fakeSha('pr-7-head');
const BOT = 'deploy-action[bot]';
/** Tuesday 2025-03-04 10:30 UTC: inside the staging window below. */
const TUESDAY = new Date('2025-03-04T10:30:00Z');
const FRIDAY = new Date('2025-03-07T10:30:00Z');

const CONFIG = `
target:
  commands:
    deploy: ./deploy.sh
environments:
  staging:
    approvals:
      windows:
        - { days: [tue], start: "09:00", end: "17:00" }
  production:
    approvals:
      deployers: [alice]
      approvers: [carol, dave]
      required: 2
`;

async function setup(
  opts: { now?: Date; fork?: boolean } = {},
): Promise<{ fake: FakeGitHub; probot: Probot }> {
  const fake = await createFakeGitHub();
  fake.seedRepo({
    owner,
    repo,
    files: { '.github/deploy.yml': CONFIG },
    collaborators: { alice: 'write', carol: 'write', dave: 'write' },
    pulls: [{ number: PR, head: HEAD, user: 'alice', ...(opts.fork ? { headOwner: 'mallory' } : {}) }],
  });
  const probot = testProbot(fake);
  await probot.load(testApp({ now: () => opts.now ?? TUESDAY }));
  return { fake, probot };
}

const comment = (fake: FakeGitHub, body: string, user: string, action: 'created' | 'edited' = 'created') =>
  commentOnPull(fake, body, { user, action });

const receive = (probot: Probot, payload: unknown, id: string = crypto.randomUUID()): Promise<void> =>
  probot.receive({ id, name: 'issue_comment', payload } as Receive);

async function say(fake: FakeGitHub, probot: Probot, body: string, user: string): Promise<string> {
  const before = replies(fake).length;
  await receive(probot, comment(fake, body, user).payload);
  const after = replies(fake);
  assert.equal(after.length, before + 1, `one reply to ${body}`);
  return after.at(-1)!;
}

const replies = appReplies;

const deployments = (fake: FakeGitHub) => [...fake.repo().deployments.values()];

async function run(
  opts: Parameters<typeof setup>[0],
  body: (fake: FakeGitHub, probot: Probot) => Promise<void>,
) {
  const { fake, probot } = await setup(opts);
  try {
    await body(fake, probot);
    fake.assertNoViolations();
  } finally {
    await fake.stop();
  }
}

const countSince = (fake: FakeGitHub, from: number): number =>
  fake.requests.slice(from).filter((r) => !(r.operationId ?? '').startsWith('apps/')).length;

test('happy path: /deploy production waits, two approvals create exactly one deployment of the head SHA', async () => {
  await run({}, async (fake, probot) => {
    let mark = fake.requests.length;
    const ask = comment(fake, '/deploy production --strategy canary | version=1.2.3', 'alice');
    await receive(probot, ask.payload);
    const deployRequests = countSince(fake, mark);
    assert.match(replies(fake).at(-1)!, /Waiting for 2 approval/);
    assert.match(replies(fake).at(-1)!, /deploy-action:pending/);
    assert.equal(deployments(fake).length, 0);

    mark = fake.requests.length;
    assert.match(await say(fake, probot, '/approve-deploy', 'carol'), /Still waiting for 1/);
    const approveRequests = countSince(fake, mark);
    mark = fake.requests.length;
    assert.match(
      await say(fake, probot, '/approve-deploy production', 'dave'),
      /Deployment \*\*\\#\u200D\d+\*\* created/,
    );
    const finalApproveRequests = countSince(fake, mark);

    const [d] = deployments(fake);
    assert.equal(deployments(fake).length, 1);
    assert.equal(d!.sha, HEAD);
    assert.equal(d!.ref, HEAD, 'the SHA, never the branch name');
    assert.equal(d!.environment, 'production');
    const payload = parseDeploymentPayload(d!.payload);
    assert.equal(payload.strategy, 'canary');
    assert.equal(payload.version, '1.2.3');
    assert.equal(payload.type, 'standard');
    assert.equal(payload.pr, PR);
    assert.equal(payload.requested_by, 'alice');
    assert.deepEqual(payload.approved_by, ['carol', 'dave']);
    assert.equal(payload.source_comment_id, ask.id);
    assert.equal(payload.dedupe_key, `comment:${ask.id}`, 'the one de-duplication key');
    const status = fake.repo().comments.get(payload.comment_id!);
    assert.match(String(status?.body), /^<!-- deploy-action:status environment="production" -->/);
    const create = fake.requestsFor('repos/create-deployment')[0]!;
    const sent = create.body as { required_contexts: unknown; auto_merge: unknown };
    assert.deepEqual(sent.required_contexts, []);
    assert.equal(sent.auto_merge, false);
    // Reported to the lead: API requests per command (GET /app and the token excluded: once per process).
    console.log(
      `requests: /deploy (waiting) ${deployRequests}, /approve-deploy ${approveRequests}, final /approve-deploy (creates) ${finalApproveRequests}`,
    );
  });
});

/** The requests of `operationId` since `from`, and for GitHub's path (a login), those whose path has it. */
const madeSince = (fake: FakeGitHub, from: number, operationId: string, pathHas = ''): number =>
  fake.requests.slice(from).filter((r) => r.operationId === operationId && r.path.includes(pathHas)).length;

test('a request that still waits reads no deployments, and its requester once: the start that follows reads them', async () => {
  await run({}, async (fake, probot) => {
    // The /deploy waits: decided, its reply written, decided again (settle), for alice both times.
    let mark = fake.requests.length;
    await receive(probot, comment(fake, '/deploy production', 'alice').payload);
    assert.match(replies(fake).at(-1)!, /Waiting for 2 approval/);
    assert.equal(madeSince(fake, mark, 'repos/list-deployments'), 0, 'nothing to start: no deployments read');
    assert.equal(
      madeSince(fake, mark, 'repos/get-collaborator-permission-level', '/alice/'),
      1,
      "the requester's permission, once for the delivery",
    );
    // The first approval leaves it waiting: decided twice (before and after its reply), neither starts.
    mark = fake.requests.length;
    assert.match(await say(fake, probot, '/approve-deploy production', 'carol'), /Still waiting for 1/);
    assert.equal(madeSince(fake, mark, 'repos/list-deployments'), 0);
    // The second completes it: the deployments are read before the start they guard, and it starts once.
    mark = fake.requests.length;
    assert.match(
      await say(fake, probot, '/approve-deploy production', 'dave'),
      /Deployment \*\*\\#\u200D\d+\*\* created/,
    );
    assert.equal(madeSince(fake, mark, 'repos/list-deployments'), 1);
    assert.equal(deployments(fake).length, 1);
  });
});

const statusComments = (fake: FakeGitHub) =>
  [...fake.repo().comments.values()].filter(
    (c) =>
      (c.user as { login: string }).login === BOT && String(c.body).startsWith('<!-- deploy-action:status'),
  );

test('a /deploy allowed at once: its answer is the status comment, the lock is taken, at most 15 requests', async () => {
  await run({}, async (fake, probot) => {
    const mark = fake.requests.length;
    const ask = comment(fake, '/deploy staging', 'alice');
    await receive(probot, ask.payload);
    const n = countSince(fake, mark);
    console.log(
      `requests: /deploy staging ending in a deployment ${n}: ${fake.requests
        .slice(mark)
        .map((r) => r.operationId)
        .join(', ')}`,
    );
    // 13: one of them reads the commit's approvals ledger (a veto holds any deployment, approvals or not), one
    // the pull request's history of heads (app/deploy/head-history.ts: which head the comment was written at,
    // while the App has shown none on the pull request), and one the App's anchor of the head (head-anchor.ts:
    // a history deleted or set back by someone who can push is told from one never written). Two more on a pull
    // request with no history and no anchor on its head (this one): the head's parents and the App's anchor on
    // them, so a history deleted before a push the App has not handled is not taken for none kept. The comment's
    // 😕 reactions are not read: GitHub counted none on it when the App read the pull request's comments.
    assert.ok(n <= 15, `${n} requests`);
    assert.equal(replies(fake).length, 0, 'no second comment besides the status comment');
    const [status] = statusComments(fake);
    assert.equal(statusComments(fake).length, 1);
    const state = parseStatusComment(String(status!.body), 'staging')!;
    assert.equal(state.state, 'queued');
    assert.equal(state.sha, HEAD);
    assert.match(state.description ?? '', /standard deployment asked by @alice/);
    const [d] = deployments(fake);
    assert.equal(parseDeploymentPayload(d!.payload).comment_id, status!.id);
    assert.equal(
      fake.repo().refs.get('deploy-locks/staging'),
      HEAD,
      'the lock is a ref to the deployed commit',
    );

    // A second /deploy of the same environment from this PR (after the first ended) updates nothing by hand:
    // the existing status comment is passed on, and the answer is a reply.
    fake.repo().refs.delete('deploy-locks/staging');
    const mark2 = fake.requests.length;
    const created = await say(fake, probot, '/deploy staging', 'alice');
    assert.match(created, /Deployment \*\*\\#\u200D\d+\*\* created/);
    // A deployment's id is no issue number: GitHub would link #<id> to that issue of the repository.
    assert.doesNotMatch(created, /#\d/, 'no issue reference');
    // As the first: the App's status comment shows no head, so the history and the anchors are read again.
    assert.ok(countSince(fake, mark2) <= 15);
    assert.equal(statusComments(fake).length, 1);
    assert.equal(parseDeploymentPayload(deployments(fake)[1]!.payload).comment_id, status!.id);
  });
});

test('hostile: a non-collaborator cannot deploy', async () => {
  await run({}, async (fake, probot) => {
    assert.match(await say(fake, probot, '/deploy staging', 'mallory'), /`not_a_deployer`/);
    assert.equal(deployments(fake).length, 0);
  });
});

test('hostile: the author approving their own deployment does not count', async () => {
  await run({}, async (fake, probot) => {
    fake.repo().collaborators.set('carol', 'write');
    fake.repo().pulls.get(PR)!.user = 'carol';
    fake.repo().collaborators.set('alice', 'write');
    await say(fake, probot, '/deploy production', 'alice');
    assert.match(await say(fake, probot, '/approve-deploy production', 'carol'), /`self_approval_refused`/);
    assert.match(await say(fake, probot, '/approve-deploy production', 'dave'), /Still waiting for 1/);
    assert.equal(deployments(fake).length, 0);
  });
});

test('hostile: an approval given before a push no longer counts', async () => {
  await run({}, async (fake, probot) => {
    await say(fake, probot, '/deploy production', 'alice');
    await say(fake, probot, '/approve-deploy production', 'carol');
    // GitHub tells the App of the push: its notice names the new head.
    await pushToPull(fake, probot, fakeSha('pr-7-second'));
    assert.match(replies(fake).at(-1)!, /New commit `[0-9a-f]{7}` was pushed/);
    // The pending request was for the old head: naming the env after the notice records an approval on the
    // new head only.
    assert.match(
      await say(fake, probot, '/approve-deploy production', 'dave'),
      new RegExp(
        `Approval by @dave recorded for \`production\` at \`${fakeSha('pr-7-second').slice(0, 12)}\``,
      ),
    );
    assert.equal(deployments(fake).length, 0);
    await say(fake, probot, '/deploy production', 'alice');
    assert.match(replies(fake).at(-1)!, /Waiting for 1 approval/, "carol's old approval is stale");
    assert.equal(deployments(fake).length, 0);
  });
});

test('hostile: an edited comment turned into /approve-deploy, and a bot comment, never act', async () => {
  await run({}, async (fake, probot) => {
    await say(fake, probot, '/deploy production', 'alice');
    const edited = comment(fake, '/approve-deploy production', 'carol', 'edited');
    await receive(probot, edited.payload);
    const bot = comment(fake, '/approve-deploy production', 'dave[bot]');
    await receive(probot, bot.payload);
    assert.equal(replies(fake).length, 1);
    assert.equal(deployments(fake).length, 0);
  });
});

test('hostile: a fork pull request is never deployed', async () => {
  await run({ fork: true }, async (fake, probot) => {
    assert.match(await say(fake, probot, '/deploy staging', 'alice'), /`fork_pull_request`/);
    assert.equal(deployments(fake).length, 0);
  });
});

test('hostile: outside the deploy window (injected clock) nothing deploys', async () => {
  await run({ now: FRIDAY }, async (fake, probot) => {
    assert.match(await say(fake, probot, '/deploy staging', 'alice'), /`outside_window`/);
    assert.equal(deployments(fake).length, 0);
  });
});

test('hostile: a hotfix without a reason, shell metacharacters and look-alikes are refused', async () => {
  await run({}, async (fake, probot) => {
    assert.match(await say(fake, probot, '/deploy staging --hotfix', 'alice'), /`hotfix_reason_required`/);
    assert.match(await say(fake, probot, '/deploy staging $(curl evil)', 'alice'), /`shell_metacharacters`/);
    assert.match(await say(fake, probot, '/deploy st\u0430ging', 'alice'), /`lookalike_characters`/);
    assert.equal(deployments(fake).length, 0);
  });
});

test('two /deploy for one environment at once: one deploys, the other is refused with the lock owner', async () => {
  await run({}, async (fake, probot) => {
    fake.repo().collaborators.set('bob', 'write');
    const a = comment(fake, '/deploy staging', 'alice');
    const b = comment(fake, '/deploy staging', 'bob');
    await Promise.all([receive(probot, a.payload), receive(probot, b.payload)]);
    assert.equal(deployments(fake).length, 1);
    const refused = replies(fake).filter((r) => /`locked`/.test(r));
    assert.equal(refused.length, 1);
    // The winner's lock is a ref to the commit; the refusal names who asked for that deployment.
    assert.match(
      refused[0]!,
      /locked by a running deployment of `[0-9a-f]{12}` for @\u200D(alice|bob) \(PR #7\)/,
    );
  });
});

test('a redelivered webhook (same delivery id or a new one) and the same comment twice create one deployment', async () => {
  await run({}, async (fake, probot) => {
    const a = comment(fake, '/deploy staging', 'alice');
    await receive(probot, a.payload, 'delivery-1');
    const answered = fake.repo().comments.size;
    await receive(probot, a.payload, 'delivery-1');
    await receive(probot, a.payload, 'delivery-2');
    await Promise.all([receive(probot, a.payload, 'delivery-3'), receive(probot, a.payload, 'delivery-4')]);
    assert.equal(deployments(fake).length, 1);
    assert.equal(fake.repo().comments.size, answered, 'a redelivery is not answered again');
    // A second comment with the same words while the first deployment runs: refused, it is in progress.
    assert.match(await say(fake, probot, '/deploy staging', 'alice'), /already being handled/);
    assert.equal(deployments(fake).length, 1);
  });
});

test("a deployment someone else made carrying a request's key does not stand in for it: the approvals deploy it", async () => {
  await run({}, async (fake, probot) => {
    const ask = comment(fake, '/deploy production', 'alice');
    await receive(probot, ask.payload);
    assert.match(replies(fake).at(-1)!, /Waiting for 2 approval/);
    // While it waits, a workflow's token (anyone with deployments: write) makes a deployment of the head whose
    // payload carries the request's de-duplication key: the App must not take it as its own and stay silent.
    const forged = await restWith(fake, 'workflow-token', 'POST', '/deployments', {
      ref: HEAD,
      environment: 'production',
      auto_merge: false,
      required_contexts: [],
      payload: { dedupe_key: `comment:${ask.id}`, pr: PR, requested_by: 'alice' },
    });
    assert.equal(forged.status, 201);
    const forgedId = ((await forged.json()) as { id: number }).id;
    assert.match(await say(fake, probot, '/approve-deploy', 'carol'), /Still waiting for 1/);
    assert.match(
      await say(fake, probot, '/approve-deploy', 'dave'),
      /Deployment \*\*\\#\u200D\d+\*\* created/,
    );
    const made = deployments(fake).filter((d) => (d.creator as { login: string }).login === BOT);
    assert.equal(made.length, 1, 'the App made its own deployment for the request');
    assert.notEqual(made[0]!.id, forgedId);
    // A redelivered approval finds the App's own deployment: still one.
    await receive(probot, comment(fake, '/approve-deploy', 'carol').payload);
    assert.equal(deployments(fake).filter((d) => (d.creator as { login: string }).login === BOT).length, 1);
  });
});

test('hostile: the author adding themselves as approver on the PR branch changes nothing', async () => {
  await run({}, async (fake, probot) => {
    fake.setFile(
      '.github/deploy.yml',
      CONFIG.replace(
        'approvers: [carol, dave]',
        'approvers: [alice, mallory]\n      allow_self_approval: true\n      required: 1',
      ).replace('      required: 2\n', ''),
      { branch: `pr-${PR}` },
    );
    await say(fake, probot, '/deploy production', 'alice');
    assert.match(await say(fake, probot, '/approve-deploy production', 'alice'), /`self_approval_refused`/);
    assert.equal(deployments(fake).length, 0);
  });
});
