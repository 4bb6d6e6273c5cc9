// deployment_status with the status comment's id known (issue 16): one request for the App's own deployment,
// the search by marker when the id is unknown, deleted or not the App's word, one comment under concurrent
// deliveries, and the repair of what a straight write replaced (issue_comment.edited's changes.body.from).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Probot } from 'probot';
import {
  HEAD,
  PR,
  capturedLog,
  loadedProbot,
  owner,
  repo,
  seededFake,
  testApp,
  restWith,
  testProbot,
} from './helpers.ts';
import { createFakeGitHub, webhookPayload } from '../fake-github/index.ts';
import type { FakeGitHub } from '../fake-github/index.ts';
import { parseStatusComment, renderStatusComment, statusMarker } from '../../src/github/status-comment.ts';
import type { StatusCommentState } from '../../src/github/status-comment.ts';
import { readBeforeWrite, trustedCommentId } from '../../app/handlers/deployment-status.ts';
import { repairedState } from '../../app/handlers/deployment-status-repair.ts';

type Receive = Parameters<Probot['receive']>[0];
type Json = Record<string, unknown>;
const APP_BOT = 'deploy-action[bot]';
const WORKFLOW_BOT = { login: 'github-actions[bot]', type: 'Bot' } as const;
const ENV = 'production';

async function withApp(run: (fake: FakeGitHub, probot: Probot) => Promise<void>): Promise<void> {
  const fake = await seededFake();
  try {
    await run(fake, await loadedProbot(fake));
    fake.assertNoViolations();
  } finally {
    await fake.stop();
  }
}

const receive = (probot: Probot, name: string, payload: Json) =>
  probot.receive({ id: crypto.randomUUID(), name, payload } as Receive);

const queued = (over: Partial<StatusCommentState> = {}): StatusCommentState => ({
  environment: ENV,
  state: 'queued',
  sha: HEAD,
  updatedAt: '2030-01-01T00:00:00Z',
  ...over,
});

function statusEvent(
  fake: FakeGitHub,
  o: {
    deploymentId?: number;
    payload: Json;
    creator?: { login: string; type: 'Bot' | 'User' };
    state?: string;
    description?: string;
    at?: string;
    environment?: string;
  },
): Json {
  return webhookPayload(
    'deployment_status',
    'created',
    {
      deployment: {
        id: o.deploymentId ?? 500,
        sha: HEAD,
        environment: o.environment ?? ENV,
        payload: o.payload,
        creator: o.creator ?? { login: APP_BOT, type: 'Bot' },
      },
      repository: { default_branch: 'main' },
      deployment_status: {
        creator: WORKFLOW_BOT,
        state: o.state ?? 'in_progress',
        environment: o.environment ?? ENV,
        description: o.description ?? 'production: canary to v2',
        created_at: o.at ?? '2030-01-01T00:00:05Z',
      },
    },
    { owner, repo, baseUrl: fake.url, installationId: fake.state.installationId },
  );
}

/** The requests a step made on the fake, leaving out the app's own token and GET /app. */
async function requestsOf(fake: FakeGitHub, step: () => Promise<unknown>): Promise<string[]> {
  const before = fake.requests.length;
  await step();
  return fake.requests
    .slice(before)
    .map((r) => r.operationId ?? r.path)
    .filter((op) => !op.startsWith('apps/'));
}

const statusComments = (fake: FakeGitHub) =>
  [...fake.repo().comments.values()].filter((c) => String(c.body).startsWith(statusMarker(ENV)));

const stateOf = (fake: FakeGitHub, id: number) =>
  parseStatusComment(String(fake.repo().comments.get(id)!.body), ENV);

/** An Action run's analysis warnings in a status comment's state: one listed, one counted. */
const WARNINGS = {
  latest: [
    {
      check: 'error-rate-soft',
      reason: 'above 0.02',
      phase: 'canary-step' as const,
      weight: 25,
      at: '2030-01-01T00:00:03Z',
    },
  ],
  earlier: 1,
};

test("known id: a queued or in-progress status of the App's deployment is one request, the comment updated", async () => {
  await withApp(async (fake, probot) => {
    const comment = fake.addComment(PR, { user: APP_BOT, body: renderStatusComment(queued()) });
    const id = comment.id as number;
    const payload = { pr: PR, comment_id: id, strategy: 'canary', version: 'v2' };
    // The first delivery may ask GET /app once for the bot login; later ones ask nothing but the write.
    await receive(
      probot,
      'deployment_status',
      statusEvent(fake, { payload, state: 'queued', at: '2030-01-01T00:00:01Z' }),
    );
    for (const [state, at] of [
      ['in_progress', '2030-01-01T00:00:02Z'],
      ['queued', '2030-01-01T00:00:03Z'],
    ] as const) {
      const made = await requestsOf(fake, () =>
        receive(probot, 'deployment_status', statusEvent(fake, { payload, state, at })),
      );
      assert.deepEqual(made, ['issues/update-comment'], `${state}: one request`);
      const shown = stateOf(fake, id)!;
      assert.equal(shown.state, state);
      assert.equal(shown.deploymentId, 500);
      assert.equal(shown.strategy, 'canary');
      assert.equal(shown.version, 'v2');
    }
    assert.equal(statusComments(fake).length, 1);
  });
});

test('known id: a final or waiting status reads the comment first and keeps what the Action wrote', async () => {
  await withApp(async (fake, probot) => {
    const rich = queued({
      state: 'in_progress',
      deploymentId: 500,
      version: 'v2',
      commits: [{ sha: HEAD, message: 'Fix' }],
      warnings: WARNINGS,
    });
    // The App wrote the comment (its id is in the payload); the Action edited it (the author stays the App).
    const id = fake.addComment(PR, { user: APP_BOT, body: renderStatusComment(rich) }).id as number;
    const payload = { pr: PR, comment_id: id };
    await receive(
      probot,
      'deployment_status',
      statusEvent(fake, { payload, state: 'in_progress', at: '2030-01-01T00:00:01Z' }),
    );
    // (The straight write above dropped the commits; GitHub's edit webhook would put them back, see below.)
    fake.repo().comments.get(id)!.body = renderStatusComment(rich);
    const made = await requestsOf(fake, () =>
      receive(
        probot,
        'deployment_status',
        statusEvent(fake, {
          payload,
          state: 'success',
          description: 'deployed v2',
          at: '2030-01-01T00:00:09Z',
        }),
      ),
    );
    assert.deepEqual(made, ['issues/get-comment', 'issues/update-comment', 'git/get-ref']);
    const shown = stateOf(fake, id)!;
    assert.equal(shown.state, 'success');
    assert.deepEqual(shown.commits, [{ sha: HEAD, message: 'Fix' }]);
    assert.deepEqual(shown.warnings, rich.warnings, "the Action's analysis warnings stay");
    assert.match(String(fake.repo().comments.get(id)!.body), /2 analysis warnings \(not rollbacks\)/);
    assert.equal(readBeforeWrite('in_progress', 'waiting at canary 25 % for /promote production'), true);
    assert.equal(readBeforeWrite('in_progress', 'production: canary to v2'), false);
    assert.equal(readBeforeWrite('failure', undefined), true);
  });
});

test('known id of a deleted comment (404): the comment is searched for, and written again once', async () => {
  await withApp(async (fake, probot) => {
    const id = fake.addComment(PR, { user: APP_BOT, body: renderStatusComment(queued()) }).id as number;
    fake.repo().comments.delete(id);
    const made = await requestsOf(fake, () =>
      receive(probot, 'deployment_status', statusEvent(fake, { payload: { pr: PR, comment_id: id } })),
    );
    assert.deepEqual(made, [
      'issues/update-comment',
      'issues/list-comments',
      'issues/list-comments',
      'issues/create-comment',
    ]);
    const [comment] = statusComments(fake);
    assert.equal(statusComments(fake).length, 1);
    assert.equal(parseStatusComment(String(comment!.body), ENV)?.state, 'in_progress');
  });
});

test('unknown id (a push deployment names only the PR): the PR is checked, the comment found by its marker and updated', async () => {
  await withApp(async (fake, probot) => {
    const id = fake.addComment(PR, { user: 'github-actions[bot]', body: renderStatusComment(queued()) })
      .id as number;
    const made = await requestsOf(fake, () =>
      receive(probot, 'deployment_status', statusEvent(fake, { payload: { pr: PR }, creator: WORKFLOW_BOT })),
    );
    // Not the App's deployment: its commit must be the PR's (deploymentPullRequest) before the PR is written.
    assert.deepEqual(made, ['pulls/get', 'issues/list-comments', 'issues/update-comment']);
    assert.equal(stateOf(fake, id)?.state, 'in_progress');
  });
});

test('a comment id in a deployment the App did not create is not believed: that comment is never written', async () => {
  await withApp(async (fake, probot) => {
    const theirs = fake.addComment(PR, { user: 'alice', body: 'LGTM, ship it' });
    const status = fake.addComment(PR, { user: APP_BOT, body: renderStatusComment(queued()) });
    for (const creator of [{ login: 'mallory', type: 'User' }, WORKFLOW_BOT] as const) {
      const made = await requestsOf(fake, () =>
        receive(
          probot,
          'deployment_status',
          statusEvent(fake, { payload: { pr: PR, comment_id: theirs.id as number }, creator }),
        ),
      );
      // A person's deployment is not shown at all (the App repeats only what it or its run say).
      const expected =
        creator.type === 'User' ? [] : ['pulls/get', 'issues/list-comments', 'issues/update-comment'];
      assert.deepEqual(made, expected, creator.login);
      assert.equal(fake.repo().comments.get(theirs.id as number)!.body, 'LGTM, ship it');
    }
    assert.equal(stateOf(fake, status.id as number)?.state, 'in_progress');
    assert.equal(trustedCommentId({ creator: { login: 'Deploy-Action[bot]' } }, 9, APP_BOT), 9);
    assert.equal(trustedCommentId({ creator: { login: 'mallory' } }, 9, APP_BOT), undefined);
    assert.equal(trustedCommentId({ creator: null }, 9, APP_BOT), undefined);
  });
});

test("the App's own deployment: another app's or a workflow's status comment is neither read by id nor found, nor written", async () => {
  const fake = await createFakeGitHub({ otherApps: { 'other-app-token': { id: 31337, slug: 'other-app' } } });
  fake.seedRepo({ owner, repo, pulls: [{ number: PR, head: HEAD, user: 'carol' }] });
  try {
    const probot = await loadedProbot(fake);
    const newer = (by: string) =>
      renderStatusComment(
        queued({ state: 'success', description: `by ${by}`, updatedAt: '2031-01-01T00:00:00Z' }),
      );
    const theirs: Array<{ id: number; body: string }> = [];
    for (const [token, by] of [
      ['other-app-token', 'other-app[bot]'],
      ['workflow-token', 'github-actions[bot]'],
    ] as const) {
      const body = newer(by);
      const res = await restWith(fake, token, 'POST', `/issues/${PR}/comments`, { body });
      const made = (await res.json()) as { id: number; user: { login: string } };
      assert.equal(made.user.login, by);
      theirs.push({ id: made.id, body });
    }
    // A payload naming their comment (as one adopted before only the App's own counted): not read back, so
    // its newer state does not make this status stale, and it is not written; nor found by the search.
    for (const t of theirs) {
      const made = await requestsOf(fake, () =>
        receive(
          probot,
          'deployment_status',
          statusEvent(fake, {
            payload: { pr: PR, comment_id: t.id },
            state: 'success',
            description: 'deployed v2',
          }),
        ),
      );
      assert.ok(made.includes('issues/get-comment'), made.join());
    }
    // No id at all: found by the search only if the App wrote it.
    await receive(
      probot,
      'deployment_status',
      statusEvent(fake, { payload: { pr: PR }, state: 'in_progress' }),
    );
    for (const t of theirs) assert.equal(fake.repo().comments.get(t.id)!.body, t.body, 'left as it was');
    const own = statusComments(fake).filter((c) => (c.user as { login: string }).login === APP_BOT);
    assert.equal(own.length, 1, 'the App wrote one comment of its own, and kept to it');
    assert.doesNotMatch(
      String(own[0]!.body),
      /by (other-app|github-actions)/,
      'nothing of theirs carried over',
    );
    fake.assertNoViolations();
  } finally {
    await fake.stop();
  }
});

test("a deployment the App did not make: the comment of the bot that made it or the App's own, no other", async () => {
  await withApp(async (fake, probot) => {
    const other = fake.addComment(PR, { user: 'other-app[bot]', body: renderStatusComment(queued()) });
    const workflows = fake.addComment(PR, {
      user: 'github-actions[bot]',
      body: renderStatusComment(queued()),
    });
    await receive(
      probot,
      'deployment_status',
      statusEvent(fake, { payload: { pr: PR }, creator: WORKFLOW_BOT }),
    );
    assert.equal(
      stateOf(fake, workflows.id as number)?.state,
      'in_progress',
      "the workflow's deployment: its comment",
    );
    assert.equal(stateOf(fake, other.id as number)?.state, 'queued', "another app's is left alone");
    const byApp = { login: 'third-app[bot]', type: 'Bot' } as const;
    await receive(probot, 'deployment_status', statusEvent(fake, { payload: { pr: PR }, creator: byApp }));
    assert.equal(stateOf(fake, workflows.id as number)?.state, 'in_progress');
    assert.equal(stateOf(fake, other.id as number)?.state, 'queued');
    const own = statusComments(fake).filter((c) => (c.user as { login: string }).login === APP_BOT);
    assert.equal(own.length, 0, "third-app's deployment is not the App's or its run's: nothing is written");
  });
});

test("a deployment's environment name (any string in GitHub's API) cannot end the status comment's hidden first line", async () => {
  // Any workflow of the repository picks the name and the PR; the App writes the comment under its own name.
  await withApp(async (fake, probot) => {
    const hostile = [
      'x --> <img src=x onerror=alert(1)> @everyone',
      'p --!><h1>owned</h1>',
      'q" --> <b>bold</b> <!-- "',
      'a\\" -->\n# heading',
      'r & s <!-- deploy-action:approval {} mac=00 -->',
    ];
    for (const [i, environment] of hostile.entries()) {
      const made = await requestsOf(fake, () =>
        receive(
          probot,
          'deployment_status',
          statusEvent(fake, {
            deploymentId: 600 + i,
            environment,
            payload: { pr: PR },
            creator: WORKFLOW_BOT,
          }),
        ),
      );
      assert.equal(made.at(-1), 'issues/create-comment', environment);
      const body = String(
        [...fake.repo().comments.values()].find((c) => String(c.body).startsWith(statusMarker(environment)))
          ?.body,
      );
      const first = body.split('\n')[0]!;
      // The hidden comment ends at the end of its line, and nothing in it is markup.
      assert.equal(first.indexOf('-->'), first.length - 3, first);
      assert.doesNotMatch(first.slice(4, -3), /[<>]/, first);
      assert.doesNotMatch(body, /<img|<h1|<b>|^# /m, body);
      assert.equal(parseStatusComment(body, environment)?.environment, environment);
    }
  });
});

test('concurrent deliveries for a PR without a status comment create one comment, not one each', async () => {
  await withApp(async (fake, probot) => {
    const deleted = fake.addComment(PR, { user: APP_BOT, body: renderStatusComment(queued()) }).id as number;
    fake.repo().comments.delete(deleted);
    const deliveries = Array.from({ length: 6 }, (_, i) =>
      statusEvent(fake, {
        // Half know a (deleted) id, half know none: both fall back to the search.
        payload: i % 2 ? { pr: PR, comment_id: deleted } : { pr: PR },
        at: `2030-01-01T00:00:0${i}Z`,
      }),
    );
    await Promise.all(deliveries.map((p) => receive(probot, 'deployment_status', p)));
    assert.equal(statusComments(fake).length, 1, 'one status comment');
    assert.equal(fake.requestsFor('issues/create-comment').length, 1);
    assert.equal(
      parseStatusComment(String(statusComments(fake)[0]!.body), ENV)?.updatedAt,
      '2030-01-01T00:00:05Z',
    );
  });
});

// ---- the repair of a straight write -----------------------------------------------------------------

function edited(fake: FakeGitHub, id: number, from: string, sender: string): Json {
  const c = fake.repo().comments.get(id)!;
  const user = (login: string) => ({ login, id: 4242, type: 'Bot' });
  return webhookPayload(
    'issue_comment',
    'edited',
    {
      comment: { id, body: String(c.body), user: user(String((c.user as Json).login)) },
      changes: { body: { from } },
      sender: user(sender),
      repository: { default_branch: 'main' },
    },
    { owner, repo, baseUrl: fake.url, installationId: fake.state.installationId },
  );
}

test('repair: a straight write over a newer state or over the commit list is put back, and the repair ends there', async () => {
  await withApp(async (fake, probot) => {
    const richer = queued({
      state: 'in_progress',
      deploymentId: 500,
      updatedAt: '2030-01-01T00:00:04Z',
      version: 'v2',
      commits: [{ sha: HEAD, message: 'Fix' }],
      waits: [],
      warnings: WARNINGS,
    });
    const newer = queued({
      state: 'success',
      deploymentId: 500,
      updatedAt: '2030-01-01T00:00:09Z',
      description: 'deployed',
    });
    for (const [before, expect] of [
      [richer, 'completed'],
      [newer, 'restored'],
    ] as const) {
      const fromBody = renderStatusComment(before);
      const id = fake.addComment(PR, { user: APP_BOT, body: fromBody }).id as number;
      // The App's straight write of an older in-progress status lands after it.
      await receive(
        probot,
        'deployment_status',
        statusEvent(fake, { payload: { pr: PR, comment_id: id }, at: '2030-01-01T00:00:05Z' }),
      );
      const written = String(fake.repo().comments.get(id)!.body);
      assert.notEqual(written, fromBody);
      const made = await requestsOf(fake, () =>
        receive(probot, 'issue_comment', edited(fake, id, fromBody, APP_BOT)),
      );
      assert.deepEqual(made, ['issues/update-comment'], expect);
      const shown = stateOf(fake, id)!;
      if (expect === 'restored')
        assert.equal(fake.repo().comments.get(id)!.body, fromBody, 'put back as it was');
      else {
        assert.equal(shown.state, 'in_progress');
        assert.equal(shown.updatedAt, '2030-01-01T00:00:05Z', 'the newer status stays');
        assert.deepEqual(shown.commits, [{ sha: HEAD, message: 'Fix' }], 'the commit list is back');
        assert.deepEqual(shown.warnings, richer.warnings, 'the analysis warnings are back');
        assert.equal(shown.version, 'v2');
      }
      // The repair's own edit loses nothing: no further write.
      const again = await requestsOf(fake, () =>
        receive(probot, 'issue_comment', edited(fake, id, written, APP_BOT)),
      );
      assert.deepEqual(again, [], `${expect}: the repair ends`);
    }
  });
});

test("repair: another writer's edit, a person's comment or a write that lost nothing is left alone", async () => {
  await withApp(async (fake, probot) => {
    const older = renderStatusComment(
      queued({ state: 'success', deploymentId: 500, updatedAt: '2030-01-01T00:00:09Z' }),
    );
    const id = fake.addComment(PR, {
      user: APP_BOT,
      body: renderStatusComment(queued({ deploymentId: 500 })),
    }).id as number;
    const human = fake.addComment(PR, {
      user: 'alice',
      body: renderStatusComment(queued({ deploymentId: 500 })),
    }).id as number;
    const made = await requestsOf(fake, async () => {
      await receive(probot, 'issue_comment', edited(fake, id, older, 'github-actions[bot]'));
      const payload = edited(fake, human, older, APP_BOT);
      ((payload.comment as Json).user as Json).type = 'User';
      await receive(probot, 'issue_comment', payload);
    });
    assert.deepEqual(made, []);
  });
  // An edited command, even the App's own or a bot's, is not a command: nothing is asked or written.
  await withApp(async (fake, probot) => {
    const id = fake.addComment(PR, { user: 'alice', body: '/deploy production' }).id as number;
    const made = await requestsOf(fake, async () => {
      for (const sender of ['alice', APP_BOT])
        await receive(probot, 'issue_comment', edited(fake, id, '/status', sender));
    });
    assert.deepEqual(made, []);
  });
  // Pure: what a write loses.
  const base = queued({ state: 'in_progress', deploymentId: 5, updatedAt: '2030-01-01T00:00:02Z' });
  assert.equal(repairedState(undefined, base), undefined);
  assert.equal(repairedState(base, { ...base, updatedAt: '2030-01-01T00:00:03Z' }), undefined);
  const later = queued({ state: 'success', deploymentId: 6, updatedAt: '2030-01-01T00:00:01Z' });
  assert.equal(repairedState(later, base), later, 'a newer deployment is put back');
  const otherCommit = {
    ...base,
    sha: 'f'.repeat(40),
    commits: [{ sha: 'x', message: 'y' }],
    deploymentId: 4,
  };
  assert.equal(repairedState(otherCommit, base), undefined, "another commit's list is not carried over");
  // The warnings are their deployment's: a straight write of another deployment of the commit does not get them.
  const warned = {
    ...base,
    deploymentId: 4,
    warnings: {
      latest: [{ check: 'c', reason: 'r', phase: 'monitor' as const, at: '2030-01-01T00:00:01Z' }],
      earlier: 0,
    },
  };
  assert.equal(repairedState(warned, base), undefined, "another deployment's warnings are not carried over");
  assert.deepEqual(repairedState({ ...warned, deploymentId: 5 }, base)?.warnings, warned.warnings);
});

test('at info, a status that waits for nothing logs one line (the comment); the wait notice says why at debug', async () => {
  for (const level of ['info', 'debug'] as const) {
    const fake = await seededFake();
    try {
      const captured = capturedLog(level);
      const probot = testProbot(fake, captured.log);
      await probot.load(testApp());
      const id = fake.addComment(PR, { user: APP_BOT, body: renderStatusComment(queued()) }).id as number;
      const payload = { pr: PR, comment_id: id, strategy: 'canary', version: 'v2' };
      for (const state of ['queued', 'in_progress', 'success'])
        await receive(probot, 'deployment_status', statusEvent(fake, { payload, state }));
      const lines = captured
        .text()
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { level: number; msg: string; reason?: string });
      const info = lines.filter((l) => l.level >= 30);
      assert.deepEqual(
        info.map((l) => l.msg).filter((m) => /^(deployment_status|wait notice)/.test(m)),
        ['deployment_status updated', 'deployment_status updated', 'deployment_status updated'],
        `${level}: one info line per status`,
      );
      const notices = lines.filter((l) => l.msg === 'wait notice ignored');
      assert.deepEqual(
        notices.map((l) => [l.level, l.reason]),
        level === 'debug'
          ? [
              [20, 'not_in_progress'],
              [20, 'not_waiting'],
              [20, 'not_in_progress'],
            ]
          : [],
      );
      fake.assertNoViolations();
    } finally {
      await fake.stop();
    }
  }
});

test('repair: the edit of a status comment delivered after the comment was deleted (404 on the repair) is nothing to repair, not a failed delivery', async () => {
  await withApp(async (fake, probot) => {
    const fromBody = renderStatusComment(
      queued({ state: 'success', deploymentId: 500, updatedAt: '2030-01-01T00:00:09Z' }),
    );
    const id = fake.addComment(PR, { user: APP_BOT, body: fromBody }).id as number;
    await receive(
      probot,
      'deployment_status',
      statusEvent(fake, { payload: { pr: PR, comment_id: id }, at: '2030-01-01T00:00:05Z' }),
    );
    const payload = edited(fake, id, fromBody, APP_BOT);
    // Someone deletes the comment before the edit's delivery is handled.
    fake.repo().comments.delete(id);
    await receive(probot, 'issue_comment', payload);
    assert.equal(fake.repo().comments.has(id), false, 'not written again');
  });
});
