import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pullRequestCommentPayload, validateWebhook, webhookPayload } from '../../fake-github/index.ts';
import { loadOpenApi, matchRoute, validateResponse } from '../../fake-github/openapi.ts';

test('payloads built from the real examples validate against the webhook schemas', () => {
  const target = { owner: 'acme', repo: 'web', baseUrl: 'http://127.0.0.1:9', installationId: 99 };
  for (const [event, action] of [
    ['issue_comment', 'created'],
    ['deployment', 'created'],
    ['deployment_status', 'created'],
    ['deployment_protection_rule', 'requested'],
    ['pull_request', 'synchronize'],
  ] as const) {
    const payload = webhookPayload(event, action, {}, target);
    assert.deepEqual(validateWebhook(event, payload), [], `${event}.${action}`);
    assert.equal((payload.repository as { full_name: string }).full_name, 'acme/web');
    assert.deepEqual((payload.installation as { id: number }).id, 99);
  }
  const rule = webhookPayload(
    'deployment_protection_rule',
    'requested',
    { environment: 'production' },
    target,
  );
  assert.equal(rule.environment, 'production');
  assert.equal(
    rule.deployment_callback_url,
    'http://127.0.0.1:9/repos/acme/web/actions/runs/1/deployment_protection_rule',
  );
});

test('a PR comment payload carries issue.pull_request and the command body', () => {
  const payload = pullRequestCommentPayload({
    owner: 'acme',
    repo: 'web',
    number: 7,
    body: '/deploy staging',
    user: 'alice',
  });
  const issue = payload.issue as { number: number; pull_request?: { url: string } };
  const comment = payload.comment as { body: string; user: { login: string } };
  assert.equal(issue.number, 7);
  assert.equal(issue.pull_request?.url, 'https://api.github.com/repos/acme/web/pulls/7');
  assert.equal(comment.body, '/deploy staging');
  assert.equal(comment.user.login, 'alice');
  assert.deepEqual(validateWebhook('issue_comment', payload), []);
});

test('an adapted payload that breaks the schema is refused with the offending field', () => {
  assert.throws(
    () => webhookPayload('deployment_status', 'created', { deployment_status: { state: 'exploded' } }),
    /deployment_status payload\/deployment_status\/state must be equal to one of the allowed values/,
  );
  assert.throws(
    () => webhookPayload('deployment', 'exploded'),
    /no example for deployment\.exploded \(examples exist for: created\)/,
  );
  assert.throws(() => validateWebhook('no_such_event', {}), /has no event 'no_such_event'/);
});

test('the OpenAPI description loads once; responses off-schema are caught', () => {
  const { loadMs } = loadOpenApi();
  console.log(`OpenAPI description index + route table: ${Math.round(loadMs)} ms (once per process)`);
  const match = matchRoute('POST', '/repos/acme/web/deployments');
  // The second read of an operation is served from memory: the same parsed piece, not a new parse.
  assert.equal(match?.operation.op, matchRoute('POST', '/repos/acme/web/deployments')?.operation.op);
  assert.equal(loadOpenApi().loadMs, loadMs);
  assert.equal(match?.operation.operationId, 'repos/create-deployment');
  assert.deepEqual(match?.params, { owner: 'acme', repo: 'web' });
  assert.equal(matchRoute('GET', '/repos/acme/web/contents/a/b/c.yml')?.params.path, 'a/b/c.yml');
  assert.equal(matchRoute('GET', '/repos/acme/web/nope'), undefined);
  const problems = validateResponse(match!.operation, 201, { id: 'not-a-number' });
  assert.match(problems.join(), /response 201 must have required property 'sha'/);
  assert.match(validateResponse(match!.operation, 418, {}).join(), /status 418 is not documented/);
});
