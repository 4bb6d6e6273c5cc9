// readRunContext against real webhook payloads (the fake GitHub's examples, validated against GitHub's
// schema) and the environment variables the runner sets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ContextError, readRunContext } from '../../../src/action/context.ts';
import { webhookPayload } from '../../fake-github/index.ts';

const PUSH_SHA = '1'.repeat(40);

function env(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  return {
    GITHUB_REPOSITORY: 'acme/web',
    GITHUB_EVENT_NAME: 'push',
    GITHUB_SHA: PUSH_SHA,
    GITHUB_REF: 'refs/heads/main',
    GITHUB_ACTOR: 'octocat',
    GITHUB_RUN_ID: '4242',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_SERVER_URL: 'https://github.example.com',
    GITHUB_API_URL: 'http://127.0.0.1:9/api',
    ...extra,
  };
}

function contextError(e: NodeJS.ProcessEnv, event: Record<string, unknown> | undefined): string {
  try {
    readRunContext(e, event);
  } catch (error) {
    assert.ok(error instanceof ContextError, String(error));
    return error.message;
  }
  assert.fail('expected a ContextError');
}

test('a push: repository, commit, ref, actor, run URL and API URL from the environment', () => {
  const c = readRunContext(env(), { ref: 'refs/heads/main', after: PUSH_SHA });
  assert.equal(c.owner, 'acme');
  assert.equal(c.repo, 'web');
  assert.equal(c.eventName, 'push');
  assert.equal(c.sha, PUSH_SHA);
  assert.equal(c.ref, 'refs/heads/main');
  assert.equal(c.actor, 'octocat');
  assert.equal(c.runUrl, 'https://github.example.com/acme/web/actions/runs/4242');
  assert.equal(c.apiUrl, 'http://127.0.0.1:9/api');
  assert.equal(c.deployment, undefined);
  assert.equal(c.pullNumber, undefined);
  assert.equal(c.dispatch, undefined);
});

test('defaults: github.com URLs, and no run URL without a run id', () => {
  const c = readRunContext(
    env({ GITHUB_SERVER_URL: undefined, GITHUB_API_URL: undefined, GITHUB_RUN_ID: undefined }),
    undefined,
  );
  assert.equal(c.apiUrl, 'https://api.github.com');
  assert.equal(c.runUrl, undefined);
  const withRun = readRunContext(env({ GITHUB_SERVER_URL: undefined }), undefined);
  assert.equal(withRun.runUrl, 'https://github.com/acme/web/actions/runs/4242');
});

test('a re-run attempt links to its attempt', () => {
  const c = readRunContext(env({ GITHUB_RUN_ATTEMPT: '3' }), undefined);
  assert.equal(c.runUrl, 'https://github.example.com/acme/web/actions/runs/4242/attempts/3');
});

test('a bad GITHUB_REPOSITORY is refused with what it was', () => {
  for (const repository of [undefined, '', 'acme', '/web', 'acme/'])
    assert.match(
      contextError(env({ GITHUB_REPOSITORY: repository }), undefined),
      /GITHUB_REPOSITORY is ".*"; the action needs "owner\/repo"/,
      String(repository),
    );
});

test('a commit that is not a 40-character SHA is refused', () => {
  for (const sha of [undefined, 'main', 'abc123', 'A'.repeat(40), `${PUSH_SHA}0`])
    assert.match(
      contextError(env({ GITHUB_SHA: sha }), undefined),
      /the commit to deploy is ".*", not a 40-character SHA/,
      String(sha),
    );
});

test('a deployment event: the deployment, its SHA, payload, PR and creator', () => {
  const event = webhookPayload('deployment', 'created', {
    deployment: {
      id: 555,
      environment: 'production',
      task: 'deploy',
      production_environment: true,
      transient_environment: false,
      payload: { version: '1.2.3', strategy: 'canary', pr: 12, requested_by: 'alice', extra: 'kept' },
    },
  });
  const deploymentSha = (event.deployment as { sha: string }).sha;
  assert.notEqual(deploymentSha, PUSH_SHA);
  const c = readRunContext(env({ GITHUB_EVENT_NAME: 'deployment' }), event);
  assert.equal(c.sha, deploymentSha, "the deployment's commit wins over GITHUB_SHA");
  assert.equal(c.deployment?.id, 555);
  assert.equal(c.deployment?.environment, 'production');
  assert.equal(c.deployment?.sha, deploymentSha);
  assert.equal(c.deployment?.task, 'deploy');
  assert.equal(c.deployment?.production, true);
  assert.equal(c.deployment?.transient, false);
  assert.equal(c.deployment?.creator, (event.deployment as { creator: { login: string } }).creator.login);
  assert.equal(c.deployment?.payload.version, '1.2.3');
  assert.equal(c.deployment?.payload.strategy, 'canary');
  assert.equal(c.pullNumber, 12);
});

test('a deployment payload given as a JSON string is parsed', () => {
  const event = webhookPayload('deployment', 'created', { deployment: { id: 9, environment: 'staging' } });
  (event.deployment as Record<string, unknown>).payload = JSON.stringify({
    version: '7.0.0',
    type: 'hotfix',
  });
  const c = readRunContext(env({ GITHUB_EVENT_NAME: 'deployment' }), event);
  assert.equal(c.deployment?.payload.version, '7.0.0');
  assert.equal(c.deployment?.payload.type, 'hotfix');
});

test('an invalid deployment payload is a clear error naming the deployment and the field', () => {
  const event = webhookPayload('deployment', 'created', {
    deployment: { id: 31337, environment: 'production', payload: { strategy: 'yolo', version: 'a b' } },
  });
  const message = contextError(env({ GITHUB_EVENT_NAME: 'deployment' }), event);
  assert.match(message, /^deployment 31337: invalid deployment payload: /);
  assert.match(message, /payload\.strategy/);
  assert.match(message, /payload\.version/);

  (event.deployment as Record<string, unknown>).payload = '{not json';
  assert.match(
    contextError(env({ GITHUB_EVENT_NAME: 'deployment' }), event),
    /^deployment 31337: the deployment payload is a string that is not JSON/,
  );
});

test('a deployment event without a usable deployment is refused', () => {
  assert.match(
    contextError(env({ GITHUB_EVENT_NAME: 'deployment' }), {}),
    /the deployment event has no deployment with an id, a sha and an environment/,
  );
  assert.match(
    contextError(env({ GITHUB_EVENT_NAME: 'deployment' }), { deployment: { id: '5', sha: PUSH_SHA } }),
    /no deployment with an id/,
  );
});

test('a pull_request event: the head commit is deployed, not the merge commit', () => {
  const event = webhookPayload('pull_request', 'synchronize', {
    number: 8,
    pull_request: { number: 8, title: 'Add the <b>checkout</b>' },
  });
  const head = (event.pull_request as { head: { sha: string } }).head.sha;
  const c = readRunContext(
    env({ GITHUB_EVENT_NAME: 'pull_request', GITHUB_REF: 'refs/pull/8/merge' }),
    event,
  );
  assert.equal(c.pullNumber, 8);
  assert.equal(c.pullTitle, 'Add the <b>checkout</b>', 'kept as data: whoever shows it escapes it');
  assert.equal(c.sha, head);
  assert.notEqual(c.sha, PUSH_SHA);
});

test('workflow_dispatch inputs are kept as strings, nulls dropped', () => {
  const event = {
    ref: 'refs/heads/main',
    workflow: '.github/workflows/deploy.yml',
    inputs: { environment: 'staging', 'dry-run': true, replicas: 3, note: null },
  };
  const c = readRunContext(env({ GITHUB_EVENT_NAME: 'workflow_dispatch' }), event);
  assert.deepEqual(c.dispatch, { environment: 'staging', 'dry-run': 'true', replicas: '3' });
  // Trimmed, as the runner trims the action's own inputs: a string input typed "production " names production.
  const spaced = readRunContext(env({ GITHUB_EVENT_NAME: 'workflow_dispatch' }), {
    ...event,
    inputs: { environment: ' production\n', mode: 'deploy ' },
  });
  assert.deepEqual(spaced.dispatch, { environment: 'production', mode: 'deploy' });
  // Inputs of other events are not dispatch inputs.
  assert.equal(readRunContext(env(), event).dispatch, undefined);
});

/** A pull_request payload whose head is in `headRepo` (null: a deleted fork); the base is the example's. */
function pullFrom(headRepo: { id: number; full_name: string } | null, extra: Record<string, unknown> = {}) {
  const event = webhookPayload('pull_request', 'synchronize', {
    number: 8,
    pull_request: { number: 8, ...extra },
  });
  const pull = event.pull_request as { head: { repo: unknown } };
  pull.head.repo = headRepo && { ...(pull.head.repo as object), ...headRepo };
  return event;
}

test("a fork's pull request is known as one, and which events give it a read-only token", () => {
  const base = (
    webhookPayload('pull_request', 'synchronize').pull_request as { base: { repo: { id: number } } }
  ).base.repo;
  const fork = { id: base.id + 1, full_name: 'mallory/web' };
  const onPr = readRunContext(env({ GITHUB_EVENT_NAME: 'pull_request' }), pullFrom(fork));
  assert.deepEqual(onPr.fork, { repository: 'mallory/web', merged: false, readOnlyToken: true });
  // pull_request_target runs with the base's token, which can write.
  const onTarget = readRunContext(env({ GITHUB_EVENT_NAME: 'pull_request_target' }), pullFrom(fork));
  assert.deepEqual(onTarget.fork, { repository: 'mallory/web', merged: false, readOnlyToken: false });
  // A fork deleted since: GitHub sends no head repository.
  assert.equal(
    readRunContext(env({ GITHUB_EVENT_NAME: 'pull_request' }), pullFrom(null)).fork?.repository,
    'a deleted fork',
  );
  // A branch of the repository itself is no fork, whatever GITHUB_REPOSITORY spells (the payload's base is
  // what the pull request is against), and a renamed repository keeps its id.
  const same = readRunContext(
    env({ GITHUB_EVENT_NAME: 'pull_request' }),
    pullFrom({ id: base.id, full_name: 'acme/old-name' }),
  );
  assert.equal(same.fork, undefined);
  assert.equal(readRunContext(env(), { ref: 'refs/heads/main' }).fork, undefined);
});

test('a merged pull request: the merge commit is what the base branch has, not the head', () => {
  const merge = 'c'.repeat(40);
  const event = webhookPayload('pull_request', 'closed', {
    number: 8,
    pull_request: { number: 8, merged: true, merge_commit_sha: merge },
  });
  const c = readRunContext(env({ GITHUB_EVENT_NAME: 'pull_request', GITHUB_SHA: merge }), event);
  assert.equal(c.sha, merge);
  // Its reviews are on its head, which the review gate's approval check needs.
  assert.equal(c.pullHeadSha, (event.pull_request as { head: { sha: string } }).head.sha);
  assert.notEqual(c.pullHeadSha, merge);
  // Closed without merging: still the head that was reviewed.
  const closed = webhookPayload('pull_request', 'closed', {
    number: 8,
    pull_request: { number: 8, merged: false, merge_commit_sha: merge },
  });
  const head = (closed.pull_request as { head: { sha: string } }).head.sha;
  assert.equal(readRunContext(env({ GITHUB_EVENT_NAME: 'pull_request' }), closed).sha, head);
});

test('shaFrom: the workflow expression that gives the commit the run is about, for what to check out', () => {
  assert.equal(readRunContext(env(), undefined).shaFrom, 'github.sha');
  assert.equal(readRunContext(env(), undefined).defaultCheckout, PUSH_SHA);
  const pr = readRunContext(env({ GITHUB_EVENT_NAME: 'pull_request_target' }), pullFrom(null));
  assert.equal(pr.shaFrom, 'github.event.pull_request.head.sha');
  assert.equal(pr.defaultCheckout, PUSH_SHA, "GITHUB_SHA, the base's on pull_request_target");
  const merged = webhookPayload('pull_request', 'closed', {
    number: 8,
    pull_request: { number: 8, merged: true, merge_commit_sha: 'c'.repeat(40) },
  });
  assert.equal(
    readRunContext(env({ GITHUB_EVENT_NAME: 'pull_request' }), merged).shaFrom,
    'github.event.pull_request.merge_commit_sha',
  );
  const deployment = webhookPayload('deployment', 'created', {
    deployment: { id: 9, environment: 'staging' },
  });
  assert.equal(
    readRunContext(env({ GITHUB_EVENT_NAME: 'deployment' }), deployment).shaFrom,
    'github.event.deployment.sha',
  );
  // workflow_run: the other workflow's commit, not GITHUB_SHA (the default branch's latest).
  const run = webhookPayload('workflow_run', 'completed', { workflow_run: { conclusion: 'success' } });
  const c = readRunContext(env({ GITHUB_EVENT_NAME: 'workflow_run' }), run);
  assert.equal(c.sha, (run.workflow_run as { head_sha: string }).head_sha);
  assert.notEqual(c.sha, PUSH_SHA);
  assert.equal(c.shaFrom, 'github.event.workflow_run.head_sha');
});
