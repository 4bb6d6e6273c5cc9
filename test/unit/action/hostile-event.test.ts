// The event file (GITHUB_EVENT_PATH) is JSON the Action reads: GitHub writes its fields as their kinds, but a
// file not written by GitHub may give any of them a mapping whose toString or valueOf is a key, which String()
// and template literals cannot turn into text (a TypeError). Every field of each event the Action reads is
// given other kinds of values, one at a time: the run's context and plan are read (readRunContext, planRun),
// or refused with a ContextError or InputError that says what was wrong, never a TypeError.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ContextError,
  commentPullNumber,
  readRunContext,
  type RunContext,
} from '../../../src/action/context.ts';
import { InputError, planRun } from '../../../src/action/inputs.ts';
import { webhookPayload } from '../../fake-github/index.ts';
import { inputs } from '../../helpers/action-inputs.ts';
import { valuePaths, withValueAt } from '../../helpers/value-paths.ts';

const HOSTILE: unknown[] = [{ toString: 'x', valueOf: 'y' }, ['a'], { nested: { toString: 1 } }, 7, null];

function env(eventName: string): NodeJS.ProcessEnv {
  return {
    GITHUB_REPOSITORY: 'acme/web',
    GITHUB_EVENT_NAME: eventName,
    GITHUB_SHA: '1'.repeat(40),
    GITHUB_REF: 'refs/heads/main',
    GITHUB_RUN_ID: '4242',
  };
}

/** Every path to a value (mapping values and list items). */

/** The context's fields that become text (messages, the job summary, comments) are text, or absent. */
function assertTextFields(c: RunContext, where: string) {
  const text = (value: unknown, name: string) =>
    assert.ok(value === undefined || typeof value === 'string', `${where}: ${name} is ${typeof value}`);
  text(c.deployment?.environment, 'deployment.environment');
  text(c.deployment?.ref, 'deployment.ref');
  text(c.deployment?.task, 'deployment.task');
  text(c.deployment?.creator, 'deployment.creator');
  text(c.pullTitle, 'pullTitle');
  text(c.pullHeadSha, 'pullHeadSha');
  text(c.fork?.repository, 'fork.repository');
  for (const [name, value] of Object.entries(c.dispatch ?? {})) text(value, `dispatch.${name}`);
  text(c.tag?.name, 'tag.name');
  text(c.statusOf?.environment, 'statusOf.environment');
  text(c.statusOf?.state, 'statusOf.state');
  text(c.statusOf?.version, 'statusOf.version');
  assert.equal(typeof c.sha, 'string');
}

const fork = { id: 999, full_name: 'mallory/web' };

const EVENTS: { name: string; event: Record<string, unknown> }[] = [
  {
    name: 'deployment',
    event: webhookPayload('deployment', 'created', {
      deployment: {
        id: 555,
        environment: 'production',
        ref: 'main',
        task: 'deploy',
        payload: { version: '1.2.3', strategy: 'canary', pr: 12, requested_by: 'alice', params: { a: 'b' } },
      },
    }),
  },
  {
    name: 'pull_request',
    event: (() => {
      const event = webhookPayload('pull_request', 'closed', {
        pull_request: { number: 8, title: 'Fix', merged: true, merge_commit_sha: 'c'.repeat(40) },
      });
      const pull = event.pull_request as { head: { repo: object } };
      pull.head.repo = { ...pull.head.repo, ...fork };
      return event;
    })(),
  },
  {
    name: 'workflow_run',
    event: (() => {
      const event = webhookPayload('workflow_run', 'completed', { workflow_run: { conclusion: 'success' } });
      const run = event.workflow_run as { head_repository: object };
      run.head_repository = { ...run.head_repository, ...fork };
      return event;
    })(),
  },
  {
    name: 'workflow_dispatch',
    event: {
      ref: 'refs/heads/main',
      workflow: '.github/workflows/deploy.yml',
      inputs: { environment: 'staging', version: '1.2.3', mode: 'full', strategy: 'canary', 'dry-run': true },
    },
  },
  // A tag (the version), a ref deleted, another deployment's outcome.
  {
    name: 'release',
    event: webhookPayload('release', 'published', { release: { name: 'v1.0.0', body: '' } }),
  },
  { name: 'create', event: webhookPayload('create', '', { ref_type: 'tag' }) },
  { name: 'status', event: webhookPayload('status', '') },
  { name: 'push', event: webhookPayload('push', '', { ref: 'refs/tags/v1.0.0', deleted: false }) },
  {
    name: 'deployment_status',
    event: webhookPayload('deployment_status', 'created', {
      deployment: { environment: 'staging' },
      deployment_status: { state: 'failure' },
    }),
  },
  {
    name: 'issue_comment',
    event: { issue: { number: 4, pull_request: { url: 'x' } }, comment: { body: '/deploy' } },
  },
];

for (const { name, event } of EVENTS)
  test(`${name}: any field of the event given another kind of value is read or refused with what was wrong, never a TypeError`, () => {
    const read = readRunContext(env(name), event);
    assertTextFields(read, `${name} as it is`);
    let refused = 0;
    let checked = 0;
    for (const path of valuePaths(event))
      for (const value of HOSTILE) {
        const where = `${name} ${path.join('.')} = ${JSON.stringify(value)}`;
        const hostile = withValueAt(event, path, value);
        checked++;
        let context: RunContext;
        try {
          context = readRunContext(env(name), hostile);
        } catch (error) {
          assert.ok(error instanceof ContextError, `${where}: ${(error as Error).stack}`);
          assert.ok(error.message.length > 0 && error.message.length < 400, `${where}: ${error.message}`);
          refused++;
          continue;
        }
        assertTextFields(context, where);
        commentPullNumber(name, hostile);
        try {
          JSON.stringify(planRun(inputs({ environment: 'staging' }), context));
        } catch (error) {
          assert.ok(error instanceof InputError, `${where}: ${(error as Error).stack}`);
        }
      }
    assert.ok(checked > 20, `${checked} checked`);
    if (name === 'deployment' || name === 'workflow_dispatch')
      assert.ok(refused > 0, `${name}: none refused`);
  });

test('a deployment whose ref or task is not text, or a dispatch input that is a mapping, is refused by name', () => {
  const deployment = EVENTS[0]!.event;
  for (const field of ['ref', 'task'])
    assert.throws(
      () =>
        readRunContext(env('deployment'), withValueAt(deployment, ['deployment', field], { toString: 'x' })),
      (error: Error) =>
        error instanceof ContextError &&
        error.message === `deployment 555: its ${field} is {"toString":"x"}, not text`,
    );
  // Absent or null: the deployment's commit, and the task GitHub defaults to.
  const bare = readRunContext(env('deployment'), withValueAt(deployment, ['deployment', 'ref'], null));
  assert.equal(bare.deployment?.ref, bare.deployment?.sha);
  assert.equal(
    readRunContext(env('deployment'), withValueAt(deployment, ['deployment', 'task'], null)).deployment?.task,
    'deploy',
  );

  assert.throws(
    () =>
      readRunContext(
        env('workflow_dispatch'),
        withValueAt(EVENTS[3]!.event, ['inputs', 'version'], { valueOf: 'y' }),
      ),
    (error: Error) =>
      error instanceof ContextError &&
      error.message ===
        'workflow_dispatch input "version" is {"valueOf":"y"}, not a string, number or boolean',
  );
});

test("a fork's name that is not text is still a fork, named as one", () => {
  const event = withValueAt(EVENTS[1]!.event, ['pull_request', 'head', 'repo', 'full_name'], {
    toString: 'x',
  });
  const c = readRunContext(env('pull_request'), event);
  assert.equal(c.fork?.repository, 'a fork');
});
