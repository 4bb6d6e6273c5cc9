import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  commandFailure,
  handleComment,
  ignoreReason,
  logFailure,
  writeOf,
} from '../../../app/handlers/comment.ts';
import type { CommentApi, CommentEvent, FailureReport } from '../../../app/handlers/comment.ts';

/** Records calls; GitHub answers 200 instead of 201 for a reaction the app already made. */
function recordingApi(): { api: CommentApi; calls: string[] } {
  const calls: string[] = [];
  const made = new Map<string, number>();
  const api: CommentApi = {
    reactions: {
      async createForIssueComment(p) {
        calls.push(`react ${p.comment_id} ${p.content}`);
        const key = `${p.comment_id} ${p.content}`;
        const existing = made.get(key);
        if (existing !== undefined) return { status: 200, data: { id: existing } };
        made.set(key, made.size + 500);
        return { status: 201, data: { id: made.get(key)! } };
      },
      async deleteForIssueComment(p) {
        calls.push(`unreact ${p.comment_id} ${p.reaction_id}`);
        for (const [key, id] of made) if (id === p.reaction_id) made.delete(key);
      },
    },
    issues: {
      async createComment(p) {
        calls.push(`comment #${p.issue_number}: ${p.body.split('\n')[0]}`);
        return { data: { id: 1 } };
      },
    },
  };
  return { api, calls };
}

const neverDispatch = async (): Promise<never> => {
  throw new Error('must not dispatch');
};

const event = (overrides: Partial<CommentEvent> = {}): CommentEvent => ({
  action: 'created',
  owner: 'acme',
  repo: 'web',
  number: 7,
  isPullRequest: true,
  commentId: 99,
  body: '/deploy production',
  author: { login: 'alice', type: 'User' },
  sender: { login: 'alice', type: 'User' },
  ...overrides,
});

test('ignore rules: only created comments on pull requests by people act', () => {
  assert.equal(ignoreReason(event()), undefined);
  assert.equal(ignoreReason(event({ action: 'edited' })), 'not_created');
  assert.equal(ignoreReason(event({ action: 'deleted' })), 'not_created');
  assert.equal(ignoreReason(event({ isPullRequest: false })), 'not_pull_request');
  assert.equal(ignoreReason(event({ author: { login: 'x', type: 'Bot' } })), 'bot');
  assert.equal(ignoreReason(event({ author: { login: 'dependabot[bot]', type: 'User' } })), 'bot');
  assert.equal(ignoreReason(event({ sender: { login: 'Deploy-Action[BOT]', type: 'User' } })), 'bot');
});

test('a valid command: eyes, then the dispatch reply; dispatch decides the final reaction', async () => {
  const { api, calls } = recordingApi();
  const seen: string[] = [];
  const outcome = await handleComment(api, event(), async (command) => {
    seen.push(command.kind);
    return { reaction: '+1', body: 'Deploying.' };
  });
  assert.equal(outcome.status, 'dispatched');
  assert.deepEqual(seen, ['deploy']);
  assert.deepEqual(calls, ['react 99 eyes', 'react 99 +1', 'comment #7: Deploying.']);
});

test('every reply names people other than the commenter without pinging them, whatever its reaction', async () => {
  // A Queued reply names the lock holder, a control reply whoever recorded a request since: shown, not called.
  for (const reaction of ['eyes', '+1', 'confused'] as const) {
    const { api, calls } = recordingApi();
    await handleComment(api, event({ body: '/deploy production --queue' }), async () => ({
      reaction,
      body: 'Queued for @alice: production is locked by @bob; @acme/ops and @Alice.\n<!-- deploy-action:x @bob -->',
    }));
    const reply = calls.find((c) => c.startsWith('comment #7: '))!;
    assert.equal(
      reply,
      'comment #7: Queued for @alice: production is locked by @\u200Dbob; @\u200Dacme/ops and @Alice.',
      reaction,
    );
  }
});

test('a refusal: confused and a reply with the code; dispatch is never called', async () => {
  const { api, calls } = recordingApi();
  const outcome = await handleComment(
    api,
    event({ body: '/deploy production --strategy yolo' }),
    async () => {
      throw new Error('must not dispatch');
    },
  );
  assert.deepEqual(outcome, { status: 'refused', code: 'invalid_strategy' });
  assert.equal(calls[0], 'react 99 confused');
  assert.match(calls[1]!, /^comment #7: \*\*Not accepted\*\* \(`invalid_strategy`\)/);
});

test('ignored comments and conversation make no API call', async () => {
  const { api, calls } = recordingApi();
  assert.deepEqual(await handleComment(api, event({ action: 'edited' }), neverDispatch), {
    status: 'ignored',
    reason: 'not_created',
  });
  assert.deepEqual(await handleComment(api, event({ body: 'LGTM' }), neverDispatch), {
    status: 'ignored',
    reason: 'not_a_command',
  });
  assert.deepEqual(calls, []);
});

test('a dispatch that answered on the PR itself (the status comment) gets no second reply', async () => {
  const { api, calls } = recordingApi();
  const outcome = await handleComment(api, event(), async () => ({ reaction: 'eyes' }));
  assert.equal(outcome.status, 'dispatched');
  assert.deepEqual(calls, ['react 99 eyes']);
});

test('the same comment again (its reaction already there) is ignored: no dispatch, no reply', async () => {
  const { api, calls } = recordingApi();
  let dispatched = 0;
  const dispatch = async (): Promise<{ reaction: 'eyes'; body: string }> => {
    dispatched += 1;
    return { reaction: 'eyes', body: 'Deploying.' };
  };
  await handleComment(api, event(), dispatch);
  assert.deepEqual(await handleComment(api, event(), dispatch), {
    status: 'ignored',
    reason: 'already_handled',
  });
  assert.equal(dispatched, 1);
  assert.deepEqual(calls, ['react 99 eyes', 'comment #7: Deploying.', 'react 99 eyes']);
  // An invalid command redelivered is not refused twice either.
  await handleComment(api, event({ commentId: 5, body: '/deploy' }), neverDispatch);
  await handleComment(api, event({ commentId: 5, body: '/deploy' }), neverDispatch);
  assert.equal(calls.filter((c) => c.startsWith('comment #7: **Not accepted**')).length, 1);
});

/** An error as Octokit throws it: its message quotes what was sent (here a URL with a token and a comment's text). */
const httpError = (status: number): Error =>
  Object.assign(
    new Error(`GET https://x-access-token:ghs_secret@api.github.example/?q=<b>@team</b> - ${status}\nstack…`),
    {
      status,
    },
  );

/** A dispatch that fails as GitHub answering `status` would make it fail. */
const failsWith = (status: number) => async (): Promise<never> => {
  throw httpError(status);
};

/** GitHub takes no `content` reaction from the App (it answers `status`); it takes the others. */
function reactionFails(api: CommentApi, content: string, status: number): void {
  const create = api.reactions.createForIssueComment.bind(api.reactions);
  api.reactions.createForIssueComment = async (p) => {
    if (p.content === content) throw httpError(status);
    return create(p);
  };
}

/** GitHub refuses the first comment the App posts (answering `status`) and takes every later one. */
function firstCommentFails(api: CommentApi, status: number): void {
  const createComment = api.issues.createComment.bind(api.issues);
  let posts = 0;
  api.issues.createComment = async (p) => {
    posts += 1;
    if (posts === 1) throw httpError(status);
    return createComment(p);
  };
}

test('a dispatch that throws having written nothing: the reaction is taken back, the PR is told once with a code and no error text', async () => {
  const { api, calls } = recordingApi();
  let attempts = 0;
  const flaky = async (): Promise<{ reaction: 'eyes'; body: string }> => {
    attempts += 1;
    if (attempts <= 2) throw httpError(502);
    return { reaction: 'eyes', body: 'Deploying.' };
  };
  await assert.rejects(handleComment(api, event(), flaky), /502/);
  // The 😕 goes on before the 👀 is taken back: a delivery that runs once the 👀 is gone finds it there.
  assert.deepEqual(calls, [
    'react 99 eyes',
    'react 99 confused',
    'unreact 99 500',
    'comment #7: **Failed** (`github_unavailable`): the App could not finish `/deploy`: GitHub did not answer one of its requests (HTTP 502). Nothing was started or recorded for it: comment it again (or redeliver the webhook) to try again.',
  ]);
  // Redelivered while GitHub still fails: it runs again (its reaction was taken back), and says nothing twice.
  await assert.rejects(handleComment(api, event(), flaky), /502/);
  assert.equal(calls.filter((c) => c.startsWith('comment')).length, 1);
  // Redelivered once GitHub is back: the command's own answer.
  const again = await handleComment(api, event(), flaky);
  assert.equal(again.status, 'dispatched');
  assert.equal(calls.at(-1), 'comment #7: Deploying.');
  assert.doesNotMatch(calls.join('\n'), /ghs_|<b>|@team|stack/, 'no error text reaches the PR');
});

test('a dispatch that throws after it wrote: the reaction stays (a redelivery does nothing twice), the PR is told what was done', async () => {
  const { api, calls } = recordingApi();
  let writes = { comments: 0, deployments: 0, other: 0 };
  const half = async (): Promise<never> => {
    writes = { comments: 1, deployments: 1, other: 2 };
    throw httpError(422);
  };
  await assert.rejects(handleComment(api, event(), half, { writes: () => writes }), /422/);
  assert.deepEqual(calls.slice(0, 2), ['react 99 eyes', 'react 99 confused']);
  assert.equal(
    calls[2],
    'comment #7: **Failed** (`github_refused`): the App could not finish `/deploy`: GitHub refused one of its requests (HTTP 422). It had begun: it asked GitHub for a deployment (the status comment on this pull request says whether one was made); it posted on this pull request (above); it wrote some of its records (a lock, an approval, a request). It is not tried again by itself: see where things stand (`/status`) before asking again.',
  );
  assert.deepEqual(await handleComment(api, event(), half, { writes: () => writes }), {
    status: 'ignored',
    reason: 'already_handled',
  });
  assert.equal(calls.length, 4, 'the redelivery only finds the reaction');
});

test('an error without an HTTP status is internal_error; writes counted before dispatch are not its own', async () => {
  const { api, calls } = recordingApi();
  const writes = { comments: 3, deployments: 0, other: 5 };
  await assert.rejects(
    handleComment(
      api,
      event({ body: '/status' }),
      async () => {
        throw new TypeError('x.y is undefined');
      },
      { writes: () => writes },
    ),
  );
  assert.equal(
    calls.at(-1),
    "comment #7: **Failed** (`internal_error`): the App could not finish `/status`: an unexpected error stopped it (the App's log says which). Nothing was started or recorded for it: comment it again (or redeliver the webhook) to try again.",
  );
  assert.ok(calls.includes('unreact 99 500'));
});

test('a reaction GitHub does not take: a command is not run but the PR is told; a refusal is still said', async () => {
  const { api, calls } = recordingApi();
  reactionFails(api, 'eyes', 503);
  await assert.rejects(handleComment(api, event(), neverDispatch), /503/);
  assert.match(
    calls.at(-1)!,
    /^comment #7: \*\*Failed\*\* \(`github_unavailable`\): .*\(HTTP 503\)\. Nothing was started/,
  );
  api.reactions.createForIssueComment = async () => {
    throw httpError(503);
  };
  const refused = await handleComment(api, event({ commentId: 5, body: '/deploy' }), neverDispatch);
  assert.equal(refused.status, 'refused');
  assert.match(calls.at(-1)!, /^comment #7: \*\*Not accepted\*\*/);
});

test('a refusal GitHub does not take: its reaction is taken back, so a redelivery says it', async () => {
  const { api, calls } = recordingApi();
  const createComment = api.issues.createComment.bind(api.issues);
  let down = true;
  api.issues.createComment = async (p) => {
    if (down) throw httpError(502);
    return createComment(p);
  };
  const reports: FailureReport[] = [];
  await assert.rejects(
    handleComment(api, event({ body: '/deploy' }), neverDispatch, { report: (r) => reports.push(r) }),
    /502/,
  );
  assert.deepEqual(calls, ['react 99 confused', 'unreact 99 500']);
  assert.deepEqual(reports, [{ code: 'github_unavailable', status: 502, told: 'nobody' }], 'logged');
  down = false;
  assert.equal((await handleComment(api, event({ body: '/deploy' }), neverDispatch)).status, 'refused');
  assert.match(calls.at(-1)!, /^comment #7: \*\*Not accepted\*\*/);
});

test('a final reaction GitHub does not take never keeps the answer from being posted', async () => {
  const { api, calls } = recordingApi();
  reactionFails(api, '+1', 502);
  const outcome = await handleComment(api, event(), async () => ({ reaction: '+1', body: 'Done.' }));
  assert.equal(outcome.status, 'dispatched');
  assert.equal(calls.at(-1), 'comment #7: Done.');
});

test('writeOf: what a request the App made changed; reads, reactions, tokens and GraphQL queries change nothing', () => {
  const api = 'https://api.github.com';
  const cases: Array<[string, string, unknown, string | undefined]> = [
    ['GET', `${api}/repos/a/b/issues/7/comments?per_page=100`, undefined, undefined],
    ['POST', `${api}/repos/a/b/issues/7/comments`, { body: 'x' }, 'comments'],
    ['PATCH', `${api}/repos/a/b/issues/comments/9`, { body: 'x' }, 'other'],
    ['POST', `${api}/repos/a/b/deployments`, {}, 'deployments'],
    ['POST', `${api}/repos/a/b/deployments/3/statuses`, {}, 'other'],
    ['POST', `${api}/repos/a/b/git/refs`, {}, 'other'],
    ['DELETE', `${api}/repos/a/b/git/refs/deploy-locks/x`, undefined, 'other'],
    ['POST', `${api}/repos/a/b/check-runs`, {}, 'other'],
    ['POST', `${api}/repos/a/b/issues/comments/9/reactions`, { content: 'eyes' }, undefined],
    ['DELETE', `${api}/repos/a/b/issues/comments/9/reactions/4`, undefined, undefined],
    ['POST', `${api}/app/installations/42/access_tokens`, {}, undefined],
    ['POST', `${api}/graphql`, { query: 'query { viewer { login } }' }, undefined],
    ['POST', `${api}/graphql`, { query: '{ repository { id } }' }, undefined],
    ['POST', `${api}/graphql`, { query: '\n  mutation($x: ID!) { updateRefs(input: $x) { x } }' }, 'other'],
    ['POST', 'https://ghe.example/api/graphql', { query: '# why\nmutation { x }' }, 'other'],
    ['POST', 'https://ghe.example/api/v3/repos/a/b/issues/7/comments', { body: 'x' }, 'comments'],
    ['POST', 'https://ghe.example/api/v3/repos/a/b/deployments', {}, 'deployments'],
  ];
  for (const [method, url, body, kind] of cases)
    assert.equal(writeOf(method, url, body), kind, `${method} ${url}`);
});

test('commandFailure: a stable code from the HTTP status alone', () => {
  const e = (status: unknown, message = 'x') => Object.assign(new Error(message), { status });
  assert.deepEqual(commandFailure(e(502)), { code: 'github_unavailable', status: 502 });
  assert.deepEqual(commandFailure(e(429)), { code: 'github_unavailable', status: 429 });
  assert.deepEqual(commandFailure(e(403, 'API rate limit exceeded')), {
    code: 'github_unavailable',
    status: 403,
  });
  assert.deepEqual(commandFailure(e(403, 'Resource not accessible')), {
    code: 'github_refused',
    status: 403,
  });
  assert.deepEqual(commandFailure(e(431)), { code: 'github_refused', status: 431 });
  for (const odd of [undefined, 200, 'x', 1e9, 404.5])
    assert.deepEqual(commandFailure(e(odd)), { code: 'internal_error' }, String(odd));
  assert.deepEqual(commandFailure('a string'), { code: 'internal_error' });
  assert.deepEqual(commandFailure(null), { code: 'internal_error' });
});

test('a failure GitHub would not let the App tell leaves no key: the next failure tells', async () => {
  const { api, calls } = recordingApi();
  firstCommentFails(api, 502);
  const failing = failsWith(502);
  await assert.rejects(handleComment(api, event(), failing), /502/);
  assert.equal(calls.filter((c) => c.startsWith('comment')).length, 0, 'GitHub took no comment');
  await assert.rejects(handleComment(api, event(), failing), /502/);
  assert.equal(calls.filter((c) => c.startsWith('comment #7: **Failed**')).length, 1, 'told the second time');
});

test('an answer GitHub does not take is a failure like any other: told once, and a command that wrote nothing runs again when redelivered', async () => {
  for (const reaction of ['eyes', 'confused'] as const) {
    const { api, calls } = recordingApi();
    firstCommentFails(api, 422);
    // /status (eyes), or a refusal dispatch made (confused: its own reaction is no sign the person was told).
    const answer = async () => ({ reaction, body: 'The answer.' });
    await assert.rejects(handleComment(api, event({ body: '/status' }), answer), /422/);
    assert.equal(
      calls.filter((c) => c.startsWith('comment')).join('\n'),
      'comment #7: **Failed** (`github_refused`): the App could not finish `/status`: GitHub refused one of its requests (HTTP 422). Nothing was started or recorded for it: comment it again (or redeliver the webhook) to try again.',
      reaction,
    );
    // Redelivered: answered, not found answered by a reaction left behind.
    assert.equal(
      (await handleComment(api, event({ body: '/status' }), answer)).status,
      'dispatched',
      reaction,
    );
    assert.equal(calls.at(-1), 'comment #7: The answer.', reaction);
  }
});

test('an answer GitHub does not take after the command wrote: the reaction stays, the PR is told what was done', async () => {
  const { api, calls } = recordingApi();
  firstCommentFails(api, 502);
  let writes = { comments: 0, deployments: 0, other: 0 };
  const approve = async () => {
    writes = { comments: 0, deployments: 0, other: 1 };
    return { reaction: '+1' as const, body: 'Approval recorded.' };
  };
  await assert.rejects(
    handleComment(api, event({ body: '/approve-deploy production' }), approve, { writes: () => writes }),
    /502/,
  );
  assert.match(
    calls.filter((c) => c.startsWith('comment')).join('\n'),
    /^comment #7: \*\*Failed\*\* \(`github_unavailable`\): .*\/approve-deploy.*It had begun: it wrote some of its records/,
  );
  assert.ok(!calls.some((c) => c.startsWith('unreact 99 500')), 'the eyes stay');
  assert.deepEqual(
    await handleComment(api, event({ body: '/approve-deploy production' }), approve, {
      writes: () => writes,
    }),
    { status: 'ignored', reason: 'already_handled' },
  );
});

test('an answer GitHub refuses, and the failure reply too: after the command wrote, its 😕 stays beside the 👀; having written nothing, both go (a redelivery tells)', async () => {
  for (const [wrote, told, left] of [
    [1, 'reaction', ['eyes', 'confused']],
    [0, 'nobody', []],
  ] as const) {
    const { api, calls } = recordingApi();
    api.issues.createComment = async () => {
      throw httpError(403);
    };
    const reports: FailureReport[] = [];
    let writes = { comments: 0, deployments: 0, other: 0 };
    const approve = async () => {
      writes = { comments: 0, deployments: 0, other: wrote };
      return { reaction: 'eyes' as const, body: 'Approval recorded.' };
    };
    await assert.rejects(
      handleComment(api, event({ body: '/approve-deploy production' }), approve, {
        writes: () => writes,
        report: (r) => reports.push(r),
      }),
      /403/,
    );
    assert.deepEqual(reports, [{ code: 'github_refused', status: 403, told }]);
    // What stays on the comment: the reactions made and not taken back (as recordingApi numbers them).
    const on = new Map<string, number>();
    for (const [verb, , x] of calls.map((c) => c.split(' '))) {
      if (verb === 'react' && !on.has(x!)) on.set(x!, on.size + 500);
      if (verb === 'unreact') for (const [content, id] of on) if (id === Number(x)) on.delete(content);
    }
    assert.deepEqual([...on.keys()], left);
  }
});

test('a failure whose reaction GitHub does not let the App take back does not say a redelivery runs it again', async () => {
  const { api, calls } = recordingApi();
  api.reactions.deleteForIssueComment = async () => {
    throw httpError(502);
  };
  const failing = failsWith(502);
  await assert.rejects(handleComment(api, event(), failing), /502/);
  assert.equal(
    calls.at(-1),
    'comment #7: **Failed** (`github_unavailable`): the App could not finish `/deploy`: GitHub did not answer one of its requests (HTTP 502). Nothing was started or recorded for it: comment it again to try again.',
  );
  // Indeed: the 👀 is still there, so a redelivery finds the comment handled.
  assert.deepEqual(await handleComment(api, event(), failing), {
    status: 'ignored',
    reason: 'already_handled',
  });
});

test('a redelivery that fails after it had begun is told, though an earlier failure that started nothing was', async () => {
  const { api, calls } = recordingApi();
  let writes = { comments: 0, deployments: 0, other: 0 };
  let attempt = 0;
  const dispatch = async (): Promise<never> => {
    attempt += 1;
    // The first run fails at its first read; the redelivery gets as far as asking for the deployment.
    if (attempt === 2) writes = { comments: 1, deployments: 1, other: 1 };
    throw httpError(502);
  };
  await assert.rejects(handleComment(api, event(), dispatch, { writes: () => writes }), /502/);
  assert.match(calls.at(-1)!, /Nothing was started/);
  await assert.rejects(handleComment(api, event(), dispatch, { writes: () => writes }), /502/);
  assert.match(
    calls.at(-1)!,
    /^comment #7: \*\*Failed\*\* \(`github_unavailable`\): .*It had begun: it asked GitHub for a deployment/,
    'the person, told nothing was started, hears that this time something was',
  );
  // And that is the last: the 👀 stays, so no redelivery runs it (or says anything) again.
  const said = calls.filter((c) => c.startsWith('comment')).length;
  assert.deepEqual(await handleComment(api, event(), dispatch, { writes: () => writes }), {
    status: 'ignored',
    reason: 'already_handled',
  });
  assert.equal(calls.filter((c) => c.startsWith('comment')).length, said);
});

test('logFailure: one line with the delivery id, code and status; at error level when told to nobody', () => {
  const lines: Array<[string, Record<string, unknown>, string]> = [];
  const log = {
    warn: (fields: Record<string, unknown>, message: string) => lines.push(['warn', fields, message]),
    error: (fields: Record<string, unknown>, message: string) => lines.push(['error', fields, message]),
  };
  logFailure(log, { delivery: 'd-1', code: 'github_refused', status: 403, told: 'reaction' });
  logFailure(log, { delivery: 'd-2', check_run: 5, code: 'internal_error', told: 'nobody' });
  assert.deepEqual(lines, [
    ['warn', { delivery: 'd-1', code: 'github_refused', status: 403, told: 'reaction' }, 'command failed'],
    [
      'error',
      { delivery: 'd-2', check_run: 5, code: 'internal_error', told: 'nobody' },
      'command failed, told to nobody',
    ],
  ]);
});

test("the App's 😕 is looked for once the command is answered unless every read of the comment counted none", async () => {
  for (const [seen, looked] of [
    [[0], false],
    [[0, 0], false],
    [[], true],
    [[undefined], true],
    [[0, 1], true],
    [[2], true],
  ] as const) {
    const { api, calls } = recordingApi();
    api.reactions.listForIssueComment = async (p) => {
      calls.push(`list ${p.comment_id} ${p.content}`);
      return { data: [] };
    };
    const answer = async (_command: unknown, ev: CommentEvent) => {
      for (const count of seen) ev.sawConfused?.(count);
      return { reaction: 'eyes' as const, body: 'The answer.' };
    };
    const outcome = await handleComment(api, event({ body: '/status' }), answer, {
      ownLogin: async () => 'deploy-action[bot]',
    });
    assert.equal(outcome.status, 'dispatched');
    assert.equal(calls.includes('list 99 confused'), looked, JSON.stringify(seen));
  }
});
