import { test } from 'node:test';
import assert from 'node:assert/strict';
import { handleComment, ignoreReason } from '../../../app/handlers/comment.ts';
import type { CommentApi, CommentEvent } from '../../../app/handlers/comment.ts';

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

test('a dispatch that throws: the reaction is taken back (a redelivery runs again) and the PR is told', async () => {
  const { api, calls } = recordingApi();
  let attempts = 0;
  const flaky = async (): Promise<{ reaction: 'eyes'; body: string }> => {
    attempts += 1;
    if (attempts === 1) throw new Error('GitHub said 502 Bad Gateway\nstack…');
    return { reaction: 'eyes', body: 'Deploying.' };
  };
  await assert.rejects(handleComment(api, event(), flaky), /502/);
  assert.deepEqual(calls.slice(0, 2), ['react 99 eyes', 'unreact 99 500']);
  assert.match(
    calls[2]!,
    /^comment #7: \*\*Failed\*\* \(`internal_error`\): `\/deploy` could not be completed \(GitHub said 502 Bad Gateway\)/,
  );
  const again = await handleComment(api, event(), flaky);
  assert.equal(again.status, 'dispatched');
  assert.equal(calls.at(-1), 'comment #7: Deploying.');
});
