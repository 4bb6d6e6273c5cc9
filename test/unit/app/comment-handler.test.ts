import { test } from 'node:test';
import assert from 'node:assert/strict';
import { handleComment, ignoreReason } from '../../../app/handlers/comment.ts';
import type { CommentApi, CommentEvent } from '../../../app/handlers/comment.ts';

function recordingApi(): { api: CommentApi; calls: string[] } {
  const calls: string[] = [];
  const api: CommentApi = {
    reactions: {
      async createForIssueComment(p) {
        calls.push(`react ${p.comment_id} ${p.content}`);
        return {};
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
  assert.deepEqual(await handleComment(api, event({ action: 'edited' })), {
    status: 'ignored',
    reason: 'not_created',
  });
  assert.deepEqual(await handleComment(api, event({ body: 'LGTM' })), {
    status: 'ignored',
    reason: 'not_a_command',
  });
  assert.deepEqual(calls, []);
});
