// Deployments, statuses and comments the App did not write, driven through the real Probot app against the
// fake GitHub. Anyone with deployments: write (or a workflow's token) makes a deployment with any payload,
// environment, commit and statuses; the App believes a payload's pr, type, hotfix_reason and comment_id only in
// a deployment it created itself, or after checking them against GitHub.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Probot } from 'probot';
import {
  HEAD,
  PR,
  approvalRecord,
  deployYml,
  owner,
  recordApprovalComment,
  repo,
  withSeededApp,
} from './helpers.ts';
import {
  appDeployment,
  approvePress,
  deliveryTarget as target,
  protectionRulePayload,
  receive,
  reviewOf,
} from './delivery-helpers.ts';
import { fakeSha, webhookPayload } from '../fake-github/index.ts';
import type { FakeGitHub } from '../fake-github/index.ts';
import { renderStatusComment, statusMarker } from '../../src/github/status-comment.ts';
import type { StatusCommentState } from '../../src/github/status-comment.ts';

type Json = Record<string, unknown>;
const APP_BOT = 'deploy-action[bot]';
const OTHER_PR = 8;
const OTHER_HEAD = fakeSha('pr-8-head');
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
// A day that is neither today nor tomorrow in UTC, so "now" is outside the window whenever the test runs.
const OTHER_DAY = DAYS[(new Date().getUTCDay() + 3) % 7]!;

const CONFIG = deployYml(`
  staging: {}
  production:
    approvals:
      requires: [staging]
      approvers: [dave, erin]
      required: 2
  weekend:
    approvals:
      required: 0
      windows:
        - { days: [${OTHER_DAY}], start: "00:00", end: "24:00" }
`);

const withApp = (run: (fake: FakeGitHub, probot: Probot) => Promise<void>): Promise<void> =>
  withSeededApp(
    {
      config: CONFIG,
      collaborators: { alice: 'write', carol: 'write', dave: 'write', erin: 'write', mallory: 'write' },
      pulls: [
        { number: PR, head: HEAD, user: 'carol' },
        { number: OTHER_PR, head: OTHER_HEAD, user: 'erin' },
      ],
    },
    run,
  );

const MALLORY = { login: 'mallory', type: 'User' } as const;

/** A protection rule call for a run whose deployment someone else made (mallory, unless `creator`), with `payload`. */
const protectionRule = (
  fake: FakeGitHub,
  o: { environment: string; run: number; payload: Json; creator?: Json; pullRequests?: number[] },
): Json => protectionRulePayload(fake, { ...o, creator: o.creator ?? MALLORY });

const commentsOn = (fake: FakeGitHub, number: number) =>
  [...fake.repo().comments.values()].filter((c) => c.issueNumber === number);

test("protection rule: a deployment's own payload cannot make it a rollback or a hotfix (no approvals, no windows, no checks)", async () => {
  await withApp(async (fake, probot) => {
    // rollback: 0 approvals by default, skips the prior environment and the windows.
    await receive(
      probot,
      'deployment_protection_rule',
      protectionRule(fake, { environment: 'production', run: 1, payload: { type: 'rollback' } }),
    );
    // hotfix: outside the window would be allowed (bypass_windows defaults to true).
    await receive(
      probot,
      'deployment_protection_rule',
      protectionRule(fake, {
        environment: 'weekend',
        run: 2,
        payload: { type: 'hotfix', hotfix_reason: 'trust me' },
      }),
    );
    // The same from a workflow's token (github-actions[bot] made the deployment).
    await receive(
      probot,
      'deployment_protection_rule',
      protectionRule(fake, {
        environment: 'production',
        run: 3,
        payload: { type: 'rollback' },
        creator: { login: 'github-actions[bot]', type: 'Bot' },
      }),
    );
    assert.equal(reviewOf(fake, 1)?.state, 'rejected');
    assert.match(reviewOf(fake, 1)!.comment!, /staging/, 'judged as a standard deployment: staging first');
    assert.equal(reviewOf(fake, 2)?.state, 'rejected');
    assert.match(reviewOf(fake, 2)!.comment!, /outside_window/);
    assert.equal(reviewOf(fake, 3)?.state, 'rejected');
  });
});

test("protection rule: a deployment's payload.pr does not name the pull request (no comment there, no approvals read from it)", async () => {
  await withApp(async (fake, probot) => {
    await receive(
      probot,
      'deployment_protection_rule',
      protectionRule(fake, { environment: 'weekend', run: 4, payload: { pr: OTHER_PR } }),
    );
    await receive(
      probot,
      'deployment_protection_rule',
      protectionRule(fake, { environment: 'production', run: 5, payload: { pr: PR } }),
    );
    // Without a pull request from GitHub, approvals cannot be given: rejected, and no PR is read or written to.
    assert.equal(reviewOf(fake, 5)?.state, 'rejected');
    assert.equal(reviewOf(fake, 4)?.state, 'rejected');
    assert.match(reviewOf(fake, 4)!.comment!, /outside_window/);
    assert.equal(fake.requestsFor('pulls/get').length, 0, 'no pull request was read');
    assert.equal(fake.requestsFor('issues/create-comment').length, 0);
    assert.equal(commentsOn(fake, OTHER_PR).length + commentsOn(fake, PR).length, 0);
  });
});

test("protection rule: the App's own deployment keeps its payload (a /rollback the App checked)", async () => {
  await withApp(async (fake, probot) => {
    // The App's /rollback made it (GitHub names the App as its creator): the rule is asked about it by its id.
    const made = await appDeployment(fake, {
      environment: 'production',
      payload: { type: 'rollback', pr: PR },
    });
    const own = protectionRule(fake, {
      environment: 'production',
      run: 6,
      payload: made.payload as Json,
      creator: { login: APP_BOT, type: 'Bot' },
    });
    await receive(probot, 'deployment_protection_rule', {
      ...own,
      deployment: { ...(own.deployment as Json), id: made.id },
    });
    assert.equal(reviewOf(fake, 6)?.state, 'approved', reviewOf(fake, 6)?.comment);
    // The App's login, but made through another app (GitHub names the app a deployment was performed via):
    // not the App's deployment, so its payload is not believed.
    const base = protectionRule(fake, {
      environment: 'production',
      run: 7,
      payload: { type: 'rollback', pr: PR },
      creator: { login: APP_BOT, type: 'Bot' },
    });
    await receive(probot, 'deployment_protection_rule', {
      ...base,
      deployment: {
        ...(base.deployment as Json),
        performed_via_github_app: { id: fake.state.appId + 1, slug: 'deploy-action' },
      },
    });
    assert.equal(reviewOf(fake, 7)?.state, 'rejected');
    assert.match(reviewOf(fake, 7)!.comment!, /staging/, 'judged as a standard deployment: staging first');
  });
});

const WORKFLOW_BOT = { login: 'github-actions[bot]', type: 'Bot' } as const;

/** A deployment_status.created of a deployment of `sha` with `payload`, made by `creator`. */
function statusEvent(
  fake: FakeGitHub,
  o: {
    deploymentId: number;
    payload: Json;
    creator?: Json;
    sha?: string;
    state?: string;
    environment?: string;
    status?: Json;
  },
): Json {
  return webhookPayload(
    'deployment_status',
    'created',
    {
      deployment: {
        id: o.deploymentId,
        sha: o.sha ?? HEAD,
        environment: o.environment ?? 'production',
        payload: o.payload,
        creator: o.creator ?? MALLORY,
      },
      repository: { default_branch: 'main' },
      deployment_status: {
        creator: WORKFLOW_BOT,
        state: o.state ?? 'in_progress',
        environment: o.environment ?? 'production',
        description: 'deploying',
        created_at: '2030-01-01T00:00:05Z',
        ...o.status,
      },
    },
    target(fake),
  );
}

test('deployment_status: a deployment the App did not make comments only on a pull request its commit belongs to', async () => {
  await withApp(async (fake, probot) => {
    let id = 700;
    for (const creator of [MALLORY, WORKFLOW_BOT]) {
      // HEAD is PR 7's head, not one of PR 8's commits: PR 8 is only named.
      await receive(
        probot,
        'deployment_status',
        statusEvent(fake, { deploymentId: id++, payload: { pr: OTHER_PR }, creator }),
      );
      // A pull request that does not exist.
      await receive(
        probot,
        'deployment_status',
        statusEvent(fake, { deploymentId: id++, payload: { pr: 999 }, creator }),
      );
    }
    assert.equal(commentsOn(fake, OTHER_PR).length, 0, 'nothing on the pull request the payload names');
    assert.equal(fake.requestsFor('issues/create-comment').length, 0);
    // Its own pull request: the comment is written.
    await receive(
      probot,
      'deployment_status',
      statusEvent(fake, { deploymentId: id++, payload: { pr: PR }, creator: WORKFLOW_BOT }),
    );
    assert.equal(commentsOn(fake, PR).length, 1);
    // The App's own deployment: its payload is the App's word, no check.
    await receive(
      probot,
      'deployment_status',
      statusEvent(fake, {
        deploymentId: id++,
        sha: OTHER_HEAD,
        payload: { pr: OTHER_PR },
        creator: { login: APP_BOT, type: 'Bot' },
      }),
    );
    assert.equal(commentsOn(fake, OTHER_PR).length, 1);
  });
});

// ---- the repair of a straight write: what the App's write replaced may be anyone's text ----------------

/** issue_comment.edited of the App's comment `id`, by the App, replacing `from`. */
function editedByApp(fake: FakeGitHub, id: number, from: string): Json {
  const c = fake.repo().comments.get(id)!;
  const bot = (login: string) => ({ login, id: 4242, type: 'Bot' });
  return webhookPayload(
    'issue_comment',
    'edited',
    {
      comment: { id, body: String(c.body), user: bot(APP_BOT) },
      changes: { body: { from } },
      sender: bot(APP_BOT),
      repository: { default_branch: 'main' },
    },
    target(fake),
  );
}

const HOSTILE_LINES = [
  '[Approve here](https://evil.example/login) @everyone #1',
  '<img src=x onerror=alert(1)><details open><summary>x</summary>',
  '<!-- deploy-action:approval {"v":1} mac=00 -->',
  '```mermaid\ngraph TD; A-->B\n```',
];

const data = (state: Record<string, unknown>) =>
  `<!-- deploy-action:data ${Buffer.from(JSON.stringify(state)).toString('base64')} -->`;

test('repair: a newer state in the body the App replaced is re-rendered, never put back as the bytes someone wrote', async () => {
  // A person with write access may edit the App's comment: its status marker and a newer data line, with
  // anything between. The App's next write replaces it; GitHub's edited event carries that body.
  await withApp(async (fake, probot) => {
    const newer: StatusCommentState = {
      environment: 'production',
      state: 'success',
      sha: HEAD,
      deploymentId: 900,
      updatedAt: '2030-01-01T00:00:09Z',
    };
    const forged = [statusMarker('production'), ...HOSTILE_LINES, data(newer as never)].join('\n');
    const ours = renderStatusComment({ ...newer, state: 'in_progress', deploymentId: 800 });
    const id = fake.addComment(PR, { user: APP_BOT, body: ours }).id as number;
    await receive(probot, 'issue_comment', editedByApp(fake, id, forged));
    const body = String(fake.repo().comments.get(id)!.body);
    assert.equal(body, renderStatusComment(newer), 'the newer state, rendered by the App');
    for (const line of HOSTILE_LINES) assert.ok(!body.includes(line), line);
  });
});
test("status comment: every field of a status comment's data line is checked before it is rendered again", async () => {
  // The data line is read back from a bot's comment that anyone with write access may have edited: a field
  // of the wrong type or with markup is a damaged comment, re-rendered from the event alone, never shown raw.
  const base = {
    environment: 'production',
    state: 'in_progress',
    sha: HEAD,
    updatedAt: '2030-01-01T00:00:01Z',
  };
  const hostile: Array<Record<string, unknown>> = [
    { state: '<img src=x onerror=alert(1)> @everyone' },
    { updatedAt: '[click](javascript:alert(1)) @everyone' },
    { deploymentId: '<b>1</b> @everyone' },
    { commitsTotal: '[x](https://evil.example) @everyone', commits: [] },
    { commits: [{ sha: HEAD, message: 5 }] },
    { commits: [{ sha: '`](https://evil.example) @everyone', message: 'm' }] },
    { previousSha: '`[x](https://evil.example)`@everyone', commits: [] },
    { sha: '`[x](https://evil.example)`@everyone' },
    { version: 7 },
    { description: { toString: 1 } },
    { runUrl: 5 },
  ];
  await withApp(async (fake, probot) => {
    let deploymentId = 1000;
    for (const fields of hostile) {
      const id = fake.addComment(PR, {
        user: 'github-actions[bot]',
        body: [statusMarker('production'), 'old', data({ ...base, ...fields })].join('\n'),
      }).id as number;
      await receive(
        probot,
        'deployment_status',
        statusEvent(fake, { deploymentId: deploymentId++, payload: { pr: PR }, creator: WORKFLOW_BOT }),
      );
      const body = String(fake.repo().comments.get(id)!.body);
      assert.notEqual(body.split('\n')[1], 'old', `${JSON.stringify(fields)}: written`);
      assert.doesNotMatch(body, /@everyone|<img|<b>|\]\(javascript|evil\.example/, JSON.stringify(fields));
      fake.repo().comments.delete(id); // the next case's comment is the PR's only one
    }
  });
});

test('repair: a replaced body whose data line does not check out is not put back', async () => {
  await withApp(async (fake, probot) => {
    const newer = {
      environment: 'production',
      sha: HEAD,
      deploymentId: 900,
      updatedAt: '2030-01-01T00:00:09Z',
    };
    const ours = renderStatusComment({ ...newer, state: 'in_progress', deploymentId: 800 });
    for (const fields of [
      { state: '<img src=x onerror=alert(1)> @everyone' },
      { state: 'success', updatedAt: '2030-01-01T00:00:09Z [x](https://evil.example) @everyone' },
      { state: 'success', deploymentId: '900 <b>@everyone</b>' },
      { state: 'success', commitsTotal: '@everyone', commits: [] },
    ]) {
      const id = fake.addComment(PR, { user: APP_BOT, body: ours }).id as number;
      const forged = [statusMarker('production'), data({ ...newer, ...fields })].join('\n');
      await receive(probot, 'issue_comment', editedByApp(fake, id, forged));
      assert.equal(fake.repo().comments.get(id)!.body, ours, JSON.stringify(fields));
    }
  });
});

test("status comment: a status's log_url is linked only when it is one of this repository's workflow runs", async () => {
  // Anyone who can write a deployment status picks its log_url; the App's comment would lend it its name.
  await withApp(async (fake, probot) => {
    const html = `${fake.url}/_html/${owner}/${repo}`;
    const cases: Array<[string, boolean]> = [
      [`${html}/actions/runs/99`, true],
      [`${html}/actions/runs/99/job/5?pr=7#step:1`, true],
      ['https://evil.example/acme/web/actions/runs/99', false],
      [`https://github.com@evil.example/_html/${owner}/${repo}/actions/runs/99`, false],
      [`${html}/actions/runs/99/../../../../../evil`, false],
      [`${fake.url}/_html/${owner}/other/actions/runs/99`, false],
      [`${html}/issues/1`, false],
      ['javascript:alert(1)//actions/runs/1', false],
      [`${html}/actions/runs/x`, false],
    ];
    let deploymentId = 2000;
    for (const [logUrl, linked] of cases) {
      const event = statusEvent(fake, {
        deploymentId: deploymentId++,
        payload: { pr: PR },
        creator: { login: APP_BOT, type: 'Bot' },
        status: { log_url: logUrl, target_url: logUrl },
      });
      (event.repository as Json).html_url = html;
      await receive(probot, 'deployment_status', event);
      const [comment, ...more] = commentsOn(fake, PR);
      assert.equal(more.length, 0);
      const body = String(comment!.body);
      assert.equal(body.includes('[run]('), linked, `${logUrl}: ${body}`);
      if (!linked) assert.ok(!body.includes('evil'), body);
    }
  });
});

test("repair: a run link in the state put back is kept only when it is this repository's run", async () => {
  await withApp(async (fake, probot) => {
    const html = `${fake.url}/_html/${owner}/${repo}`;
    const newer = { environment: 'production', state: 'success' as const, sha: HEAD, deploymentId: 900 };
    const ours = renderStatusComment({
      ...newer,
      state: 'in_progress',
      deploymentId: 800,
      updatedAt: '2030-01-01T00:00:01Z',
    });
    for (const [runUrl, linked] of [
      ['https://evil.example/acme/web/actions/runs/1', false],
      [`${html}/actions/runs/1`, true],
    ] as const) {
      const id = fake.addComment(PR, { user: APP_BOT, body: ours }).id as number;
      const forged = renderStatusComment({ ...newer, runUrl, updatedAt: '2030-01-01T00:00:09Z' });
      const event = editedByApp(fake, id, forged);
      (event.repository as Json).html_url = html;
      await receive(probot, 'issue_comment', event);
      const body = String(fake.repo().comments.get(id)!.body);
      assert.match(body, /success/, 'put back');
      assert.equal(body.includes('[run]('), linked, body);
    }
  });
});

test('deployment_status and protection rule: a malformed or huge payload neither throws nor writes anywhere', async () => {
  const payloads: unknown[] = [
    'not json {',
    '[1,2,3]',
    JSON.stringify({ pr: PR, comment_id: 'x' }),
    [1, 2],
    { pr: '7' },
    { pr: -1 },
    { pr: 0.5 },
    { pr: 1e20 },
    { pr: 2 ** 31 },
    { pr: null },
    { type: 'yolo' },
    { params: { 'a b': '1' } },
    { version: '--help' },
    { hotfix_reason: 'x'.repeat(100_000), type: 'hotfix' },
    'x'.repeat(1_000_000),
  ];
  await withApp(async (fake, probot) => {
    let id = 3000;
    for (const payload of payloads) {
      const label = JSON.stringify(payload).slice(0, 60);
      // GitHub's deployment_status schema has the payload as an object; the protection rule takes any.
      if (typeof payload === 'object' && !Array.isArray(payload))
        await receive(
          probot,
          'deployment_status',
          statusEvent(fake, { deploymentId: id, payload: payload as Json, state: 'success' }),
        ).catch((error: unknown) => assert.fail(`${label}: ${String(error)}`));
      id++;
      await receive(
        probot,
        'deployment_protection_rule',
        protectionRule(fake, { environment: 'production', run: id, payload: payload as Json }),
      ).catch((error: unknown) => assert.fail(`${label}: ${String(error)}`));
      const review = reviewOf(fake, id);
      assert.equal(review?.state, 'rejected', label);
      assert.ok(review!.comment!.length <= 1000, label);
    }
    assert.equal(fake.requestsFor('issues/create-comment').length, 0);
  });
});

test('protection rule: a call naming no environment or no commit is answered rejected, not left waiting', async () => {
  await withApp(async (fake, probot) => {
    const noEnvironment = protectionRule(fake, { environment: 'production', run: 40, payload: {} });
    delete noEnvironment.environment;
    const noDeployment = protectionRule(fake, { environment: 'production', run: 41, payload: {} });
    noDeployment.deployment = null;
    for (const call of [noEnvironment, noDeployment])
      await receive(probot, 'deployment_protection_rule', call);
    assert.equal(reviewOf(fake, 41)?.state, 'rejected');
    assert.match(reviewOf(fake, 41)!.comment!, /names no environment or commit/);
    assert.equal(reviewOf(fake, 40)?.state, 'rejected');
  });
});

test("status comment: every text and URL of someone else's deployment status reaches the comment inert", async () => {
  const evil =
    '<img src=x onerror=alert(1)> [x](https://evil.example) @everyone #1 ```mermaid\ngraph TD\n```';
  const fields: Json[] = [
    { description: evil },
    { description: `<!-- deploy-action:data ${Buffer.from('{}').toString('base64')} -->` },
    { environment_url: 'javascript:alert(1)', state: 'success' },
    { environment_url: 'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==', state: 'success' },
    { environment_url: 'https://ok.example/a)(https://evil.example/', state: 'success' },
    { log_url: 'javascript:alert(1)', target_url: 'https://evil.example/' },
  ];
  await withApp(async (fake, probot) => {
    let id = 4000;
    for (const status of fields) {
      const environment = `env-${id}`;
      await receive(
        probot,
        'deployment_status',
        // Any workflow of the repository posts as the workflow token (a person's deployment is not shown).
        statusEvent(fake, {
          deploymentId: id++,
          payload: { pr: PR },
          creator: WORKFLOW_BOT,
          environment,
          ...(status.state ? { state: String(status.state) } : {}),
          status,
        }),
      );
      const body = String(
        commentsOn(fake, PR).find((c) => String(c.body).startsWith(statusMarker(environment)))?.body,
      );
      const label = JSON.stringify(status);
      assert.doesNotMatch(
        body,
        /<img|<b>|<script|@everyone|\]\(https:\/\/evil|\]\(javascript|\]\(data|^```/m,
        label,
      );
      assert.equal(body.match(/<!-- deploy-action:data /g)?.length, 1, label);
      assert.doesNotMatch(body, /\[open[^\]]*\]\((?!https:\/\/ok\.example\/a%29%28https:)/, label);
    }
  });
});

test('pull_request.synchronize on a PR flooded past the comments the App reads: the delivery does not fail, nothing is posted', async () => {
  await withApp(async (fake, probot) => {
    for (let i = 0; i < 1000; i++) fake.addComment(PR, { user: 'mallory', body: `spam ${i}` });
    const sample = webhookPayload(
      'pull_request',
      'synchronize',
      { repository: { default_branch: 'main' } },
      target(fake),
    );
    const next = fakeSha('pr-7-next');
    fake.pushCommit(PR, next);
    await receive(probot, 'pull_request', {
      ...sample,
      number: PR,
      before: HEAD,
      after: next,
      pull_request: { ...(sample.pull_request as object), number: PR },
    });
    assert.equal(fake.requestsFor('issues/create-comment').length, 0);
  });
});

/** An approval the App recorded on the PR (a marker in its own comment). */
const recordApproval = (fake: FakeGitHub, login: string): void =>
  recordApprovalComment(
    fake,
    approvalRecord(login, { environment: 'weekend-free', at: new Date(Date.now() - 60_000) }),
  );

test('protection rule: whoever started the held run (who pushed) does not approve it, by comment or button', async () => {
  await withApp(async (fake, probot) => {
    fake.setFile(
      '.github/deploy.yml',
      `${CONFIG}  weekend-free:\n    approvals:\n      approvers: [dave, erin]\n      required: 1\n`,
    );
    // dave pushed to carol's pull request: the run that deploys it is his.
    const run = fake.addWorkflowRun({ actor: 'dave', headSha: HEAD, event: 'pull_request' });
    recordApproval(fake, 'dave');
    const call = protectionRule(fake, {
      environment: 'weekend-free',
      run: run.id,
      payload: {},
      pullRequests: [PR],
    });
    await receive(probot, 'deployment_protection_rule', call);
    assert.equal(reviewOf(fake, run.id), undefined, "dave's own approval does not count: still waiting");
    const gate = [...fake.repo().checkRuns.values()].find((c) => c.name === 'approval / weekend-free')!;
    assert.ok(gate, 'the gate waits');
    const press = (login: string) => receive(probot, 'check_run', approvePress(fake, gate, login));
    await press('dave');
    assert.match(String(commentsOn(fake, PR).at(-1)!.body), /not recorded\*\* \(`self_approval_refused`\)/);
    assert.equal(reviewOf(fake, run.id), undefined);
    await press('erin');
    assert.equal(reviewOf(fake, run.id)?.state, 'approved', "another approver's button approves");
  });
});
