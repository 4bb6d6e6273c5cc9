// The Action under each event a deployment workflow is triggered by: GitHub's real example payloads (the fake
// GitHub's, validated against GitHub's schema) with the variables the runner sets for that event, read by
// readRunContext and planned by planRun with the inputs a user gives. Each run is about the right commit and
// version, or is refused once, saying what to change in the workflow.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readRunContext, type RunContext } from '../../../src/action/context.ts';
import { InputError, planRun, type RunPlan } from '../../../src/action/inputs.ts';
import { webhookPayload } from '../../fake-github/index.ts';
import { inputs } from '../../helpers/action-inputs.ts';

/** GITHUB_SHA: on most events the default branch's latest commit, not the event's. */
const GITHUB_SHA = '9'.repeat(40);

type Json = Record<string, unknown>;

function contextOf(eventName: string, event: Json, ref = 'refs/heads/main'): RunContext {
  return readRunContext(
    {
      GITHUB_REPOSITORY: 'acme/web',
      GITHUB_EVENT_NAME: eventName,
      GITHUB_SHA,
      GITHUB_REF: ref,
      GITHUB_ACTOR: 'octocat',
    },
    event,
  );
}

/**
 * The release example with its tag (its name and body are null there, which GitHub's schema no longer
 * allows).
 */
function release(action: string, extra: Json = {}): Json {
  return webhookPayload('release', action, { release: { name: 'the release', body: '', ...extra } });
}

function plan(context: RunContext, values: Record<string, string> = { environment: 'production' }): RunPlan {
  return planRun(inputs(values), context);
}

function refused(
  context: RunContext,
  values: Record<string, string> = { environment: 'production' },
): string[] {
  try {
    planRun(inputs(values), context);
  } catch (error) {
    assert.ok(error instanceof InputError, String(error));
    return error.problems;
  }
  assert.fail('expected the run to be refused');
}

test("release: the version is the release's tag, deployed at GITHUB_SHA (the tagged commit)", () => {
  for (const action of ['published', 'released', 'prereleased']) {
    const event = release(action, { tag_name: 'v1.4.0' });
    const context = contextOf('release', event, 'refs/tags/v1.4.0');
    assert.equal(context.sha, GITHUB_SHA, action);
    const p = plan(context);
    assert.equal(p.version, 'v1.4.0', action);
    assert.equal(p.environment, 'production');
    assert.equal(p.mode, 'full');
  }
  const published = contextOf('release', release('published', { tag_name: 'v1.4.0' }));
  // The input wins: a user who strips the "v" says so.
  assert.equal(plan(published, { environment: 'production', version: '1.4.0' }).version, '1.4.0');
});

test('release: a tag that is no version is refused once, naming the tag and the input to set', () => {
  const event = release('published', { tag_name: 'release/2026.1' });
  const problems = refused(contextOf('release', event, 'refs/tags/release/2026.1'));
  assert.equal(problems.length, 1, problems.join('\n'));
  assert.match(
    problems[0]!,
    /^the release event's tag "release\/2026\.1" is the version by default, and it is not one: /,
  );
  assert.match(problems[0]!, /set input "version"/);
  // Given a version, the tag is not needed.
  assert.equal(
    plan(contextOf('release', event), { environment: 'production', version: '2026.1' }).version,
    '2026.1',
  );
});

test('release: a deleted, unpublished or draft release is not deployed', () => {
  const deleted = contextOf('release', release('deleted'));
  const problems = refused(deleted);
  assert.equal(problems.length, 1, problems.join('\n'));
  assert.match(
    problems[0]!,
    /^release "0\.0\.1" is deleted \(release event "deleted"\): nothing is deployed \(mode "full"\)/,
  );
  assert.match(problems[0]!, /types: \[published\]/);
  const draft = contextOf('release', release('created', { draft: true }));
  assert.match(refused(draft)[0]!, /^release "0\.0\.1" is a draft/);
  // A dry run or the gates deploy nothing: allowed.
  assert.equal(plan(deleted, { environment: 'production', 'dry-run': 'true' }).dryRun, true);
  assert.equal(plan(deleted, { environment: 'production', mode: 'gates' }).mode, 'gates');
});

test("create of a tag and a push to a tag: the tag is the version; a branch's is the commit", () => {
  const created = webhookPayload('create', '', { ref: 'v2.0.0', ref_type: 'tag' });
  assert.equal(plan(contextOf('create', created, 'refs/tags/v2.0.0')).version, 'v2.0.0');
  const branch = webhookPayload('create', '', { ref: 'feature', ref_type: 'branch' });
  assert.equal(plan(contextOf('create', branch, 'refs/heads/feature')).version, GITHUB_SHA.slice(0, 12));

  const pushedTag = webhookPayload('push', '', { ref: 'refs/tags/v2.0.0', deleted: false });
  assert.equal(plan(contextOf('push', pushedTag, 'refs/tags/v2.0.0')).version, 'v2.0.0');
  const pushedBranch = webhookPayload('push', '', { ref: 'refs/heads/main', deleted: false });
  const p = plan(contextOf('push', pushedBranch));
  assert.equal(p.version, GITHUB_SHA.slice(0, 12));
  // A tag that names no version (a "deploy here" tag): refused, with the input that gives one.
  const label = contextOf(
    'push',
    webhookPayload('push', '', { ref: 'refs/tags/deploy/prod', deleted: false }),
    'refs/tags/deploy/prod',
  );
  const problems = refused(label);
  assert.equal(problems.length, 1, problems.join('\n'));
  assert.match(
    problems[0]!,
    /^the push event's tag "deploy\/prod" is the version by default, and it is not one: /,
  );
  assert.match(
    problems[0]!,
    /set input "version" \(the tag without its prefix, or \$\{\{ github\.sha \}\} for the commit\)/,
  );
  // GITHUB_REF is what the runner is on: an event file that says otherwise does not make a branch a tag.
  assert.equal(plan(contextOf('push', pushedTag, 'refs/heads/main')).version, GITHUB_SHA.slice(0, 12));
  // The version input wins over the tag.
  const dispatched = contextOf('push', pushedTag, 'refs/tags/v2.0.0');
  assert.equal(plan(dispatched, { environment: 'production', version: '2.0.0' }).version, '2.0.0');
});

test('push: a push that deleted its ref (a branch or a tag) deploys nothing, and says what to add', () => {
  const event = webhookPayload('push', '', { ref: 'refs/tags/simple-tag', deleted: true });
  const problems = refused(contextOf('push', event, 'refs/tags/simple-tag'));
  assert.equal(problems.length, 1, problems.join('\n'));
  assert.match(
    problems[0]!,
    /^this push event deleted "refs\/tags\/simple-tag": there is no commit to deploy/,
  );
  assert.match(problems[0]!, /if: \$\{\{ !github\.event\.deleted \}\}/);
  const branch = webhookPayload('push', '', { ref: 'refs/heads/topic', deleted: true });
  assert.match(
    refused(contextOf('push', branch, 'refs/heads/topic'), { environment: 'staging', mode: 'deploy' })[0]!,
    /deleted "refs\/heads\/topic"/,
  );
});

test('workflow_run: only a run that succeeded has its commit deployed', () => {
  const failed = webhookPayload('workflow_run', 'completed', {
    workflow_run: { id: 30433642, name: 'CI', status: 'completed', conclusion: 'failure' },
  });
  const context = contextOf('workflow_run', failed);
  assert.equal(context.sha, (failed.workflow_run as { head_sha: string }).head_sha);
  const problems = refused(context);
  assert.equal(problems.length, 1, problems.join('\n'));
  assert.match(
    problems[0]!,
    /^this workflow_run event is about run 30433642 of "CI", which concluded "failure", not "success": nothing is deployed/,
  );
  assert.match(problems[0]!, /if: github\.event\.workflow_run\.conclusion == 'success'/);
  // requested: not finished.
  const requested = webhookPayload('workflow_run', 'requested', {
    workflow_run: { conclusion: null, status: 'queued' },
  });
  assert.match(refused(contextOf('workflow_run', requested))[0]!, /which has not finished, not "success"/);
  // A rollback after a failed run (post-deploy tests) and the gates deploy nothing new: allowed.
  assert.equal(
    plan(context, { environment: 'production', mode: 'rollback', version: '1.2.2' }).mode,
    'rollback',
  );
  assert.equal(plan(context, { environment: 'production', mode: 'gates' }).mode, 'gates');
  const passed = webhookPayload('workflow_run', 'completed', { workflow_run: { conclusion: 'success' } });
  const p = plan(contextOf('workflow_run', passed));
  assert.equal(p.version, (passed.workflow_run as { head_sha: string }).head_sha.slice(0, 12));
});

test("deployment_status: a promotion deploys that deployment's commit to another environment once it succeeded", () => {
  const deploymentSha = 'd'.repeat(40);
  const staged = (state: string) =>
    webhookPayload('deployment_status', 'created', {
      deployment: { id: 145988746, environment: 'staging', sha: deploymentSha },
      deployment_status: { state, environment: 'staging' },
    });
  const context = contextOf('deployment_status', staged('success'));
  assert.equal(context.sha, deploymentSha);
  assert.equal(context.shaFrom, 'github.event.deployment.sha');
  // That deployment is not this run's: it makes its own for production.
  assert.equal(context.deployment, undefined);
  const p = plan(context);
  assert.equal(p.environment, 'production');
  assert.equal(p.version, deploymentSha.slice(0, 12));

  // The version staging deployed, when its payload names one: a promotion deploys the same version.
  const versioned = webhookPayload('deployment_status', 'created', {
    deployment: { id: 145988746, environment: 'staging', sha: deploymentSha, payload: { version: '1.2.3' } },
    deployment_status: { state: 'success', environment: 'staging' },
  });
  assert.equal(plan(contextOf('deployment_status', versioned)).version, '1.2.3');
  assert.equal(
    plan(contextOf('deployment_status', versioned), { environment: 'production', version: '1.2.4' }).version,
    '1.2.4',
  );
  // Another tool's payload the action cannot read gives no version, and no error: it is not this run's.
  const foreign = webhookPayload('deployment_status', 'created', {
    deployment: { id: 145988746, environment: 'staging', sha: deploymentSha, payload: { version: 'a b' } },
    deployment_status: { state: 'success', environment: 'staging' },
  });
  assert.equal(plan(contextOf('deployment_status', foreign)).version, deploymentSha.slice(0, 12));
  // Any other state: refused, naming the deployment and its state.
  const pending = refused(contextOf('deployment_status', staged('in_progress')));
  assert.equal(pending.length, 1, pending.join('\n'));
  assert.match(
    pending[0]!,
    /^this deployment_status event says deployment 145988746 to "staging" is "in_progress", not "success": nothing is deployed/,
  );
  assert.match(pending[0]!, /if: github\.event\.deployment_status\.state == 'success'/);
  // The same environment again: refused with both named (its own statuses would start it over).
  const again = refused(context, { environment: 'staging' });
  assert.equal(again.length, 1, again.join('\n'));
  assert.match(
    again[0]!,
    /^this deployment_status event reports on deployment 145988746 to "staging", and this run would deploy to "staging" again/,
  );
  // A rollback of a failed deployment there is what such a job is for.
  const failed = contextOf('deployment_status', staged('failure'));
  assert.equal(plan(failed, { environment: 'staging', mode: 'rollback', version: '1.2.2' }).mode, 'rollback');
});

// Checked and already right (they pass on the code before this file): kept so that they stay so.

test('deployment: the deployment names the commit and the environment; another environment in the input is refused', () => {
  const event = webhookPayload('deployment', 'created', {
    deployment: { id: 9, environment: 'github-pages' },
  });
  const context = contextOf('deployment', event);
  assert.equal(context.sha, (event.deployment as { sha: string }).sha);
  assert.equal(context.deployment?.id, 9);
  assert.equal(plan(context, {}).environment, 'github-pages');
  const problems = refused(context);
  assert.equal(problems.length, 1, problems.join('\n'));
  assert.match(problems[0]!, /input "environment" is "production" but deployment 9 is for "github-pages"/);
});

test('events that carry no commit, pull request or deployment of their own run on GITHUB_SHA', () => {
  const events: [string, Json][] = [
    // GitHub's schedule payload: the cron line (no example in the examples package).
    ['schedule', { schedule: '*/30 * * * *' }],
    [
      'repository_dispatch',
      webhookPayload('repository_dispatch', 'on-demand-test', {
        // Fields GitHub's schema now requires, which the example predates.
        repository: {
          is_template: false,
          web_commit_signoff_required: false,
          topics: [],
          visibility: 'public',
          custom_properties: {},
        },
      }),
    ],
    [
      'merge_group',
      webhookPayload('merge_group', 'checks_requested', { merge_group: { head_sha: GITHUB_SHA } }),
    ],
    // A status or check on the commit GITHUB_SHA names (the default branch's latest).
    ['status', webhookPayload('status', '', { sha: GITHUB_SHA })],
    ['check_run', webhookPayload('check_run', 'completed', { check_run: { head_sha: GITHUB_SHA } })],
    ['workflow_dispatch', webhookPayload('workflow_dispatch', '')],
  ];
  for (const [name, event] of events) {
    const context = contextOf(name, event);
    assert.equal(context.sha, GITHUB_SHA, name);
    assert.equal(context.pullNumber, undefined, `${name}: no pull request, so no PR comment`);
    assert.equal(context.deployment, undefined, name);
    const p = plan(context);
    assert.equal(p.version, GITHUB_SHA.slice(0, 12), name);
    assert.equal(p.mode, 'full', name);
    // Nothing names the environment: one problem that says which input.
    assert.deepEqual(
      refused(context, {}),
      ['input "environment" is required (for example: production)'],
      name,
    );
  }
});

test('workflow_dispatch: its inputs, when the action has none; without inputs, the environment input is asked for', () => {
  const event = webhookPayload('workflow_dispatch', '', {
    inputs: { environment: 'staging', version: '3.1.0', 'dry-run': 'true', mode: 'deploy' },
  });
  const p = plan(contextOf('workflow_dispatch', event), {});
  assert.deepEqual([p.environment, p.version, p.dryRun, p.mode], ['staging', '3.1.0', true, 'deploy']);
  const bare = contextOf('workflow_dispatch', webhookPayload('workflow_dispatch', ''));
  assert.deepEqual(refused(bare, {}), ['input "environment" is required (for example: production)']);
});

test('pull_request_target from a fork: its code is never deployed, and its gates run only with allow-fork-code', () => {
  const event = webhookPayload('pull_request', 'synchronize', { number: 8, pull_request: { number: 8 } });
  const pull = event.pull_request as { head: { repo: Json; sha: string }; base: { repo: { id: number } } };
  pull.head.repo = { ...pull.head.repo, id: pull.base.repo.id + 1, full_name: 'mallory/web' };
  const context = contextOf('pull_request_target', event, 'refs/heads/main');
  assert.equal(context.sha, pull.head.sha);
  assert.equal(context.pullNumber, 8);
  assert.match(
    refused(context)[0]!,
    /^pull request #8 comes from the fork "mallory\/web": a fork's code is never deployed/,
  );
  assert.match(refused(context, { environment: 'production', mode: 'gates' })[0]!, /allow-fork-code/);
  assert.equal(
    plan(context, { environment: 'production', mode: 'gates', 'allow-fork-code': 'true' }).mode,
    'gates',
  );
});

test('pull_request closed without merging: its head is not deployed; merged, its merge commit is', () => {
  const closed = webhookPayload('pull_request', 'closed', {
    number: 8,
    pull_request: { number: 8, state: 'closed', merged: false },
  });
  const context = contextOf('pull_request', closed, 'refs/pull/8/merge');
  assert.equal(context.pullNumber, 8);
  const problems = refused(context);
  assert.equal(problems.length, 1, problems.join('\n'));
  assert.match(problems[0]!, /^pull request #8 was closed without being merged: its head is not deployed/);
  assert.match(problems[0]!, /if: github\.event\.pull_request\.merged/);
  assert.equal(plan(context, { environment: 'production', mode: 'gates' }).mode, 'gates');
  const merge = 'c'.repeat(40);
  const merged = webhookPayload('pull_request', 'closed', {
    number: 8,
    pull_request: { number: 8, state: 'closed', merged: true, merge_commit_sha: merge },
  });
  const p = plan(contextOf('pull_request', merged, 'refs/heads/main'));
  assert.equal(p.version, merge.slice(0, 12));
});

test('workflow_dispatch run on a tag ("Use workflow from" a tag): the tag is the version, the form input wins', () => {
  const event = webhookPayload('workflow_dispatch', '', { ref: 'refs/tags/v3.0.0' });
  const context = contextOf('workflow_dispatch', event, 'refs/tags/v3.0.0');
  assert.equal(plan(context).version, 'v3.0.0');
  const withInput = webhookPayload('workflow_dispatch', '', {
    ref: 'refs/tags/v3.0.0',
    inputs: { version: '3.0.0' },
  });
  assert.equal(plan(contextOf('workflow_dispatch', withInput, 'refs/tags/v3.0.0')).version, '3.0.0');
  const onBranch = contextOf('workflow_dispatch', webhookPayload('workflow_dispatch', ''));
  assert.equal(plan(onBranch).version, GITHUB_SHA.slice(0, 12));
});

test("status, check_run, check_suite about another commit than GITHUB_SHA: the default branch's commit is not deployed on it", () => {
  const events: [string, Json, string][] = [
    ['status', webhookPayload('status', ''), 'github.event.sha'],
    ['check_run', webhookPayload('check_run', 'completed'), 'github.event.check_run.head_sha'],
    ['check_suite', webhookPayload('check_suite', 'completed'), 'github.event.check_suite.head_sha'],
  ];
  for (const [name, event, field] of events) {
    const context = contextOf(name, event);
    // The run stays about GITHUB_SHA: the event's commit may be a fork's, which it cannot tell.
    assert.equal(context.sha, GITHUB_SHA, name);
    const problems = refused(context);
    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(
      problems[0]!,
      new RegExp(
        `^this ${name} event is about commit [0-9a-f]{40} \\(${field.replaceAll('.', '\\.')}\\), but the run is about GITHUB_SHA ${GITHUB_SHA}`,
      ),
      name,
    );
    assert.ok(problems[0]!.includes(`if: ${field} == github.sha`), problems[0]);
    assert.equal(plan(context, { environment: 'production', mode: 'gates' }).mode, 'gates', name);
  }
});

test("deployment: another tool's task is not run as a whole deployment; a gates run or a dry run still is", () => {
  const event = (task: string) =>
    webhookPayload('deployment', 'created', { deployment: { id: 9, environment: 'production', task } });
  assert.equal(plan(contextOf('deployment', event('deploy')), {}).environment, 'production');
  const problems = refused(contextOf('deployment', event('deploy:migrations')), {});
  assert.deepEqual(problems, [
    'deployment 9 asks for the task "deploy:migrations", and this action runs only the task "deploy" (a whole ' +
      "deployment): run that task's own job on it, or add `if: github.event.deployment.task == 'deploy'` to this job",
  ]);
  // Nothing is deployed by these: they are let through.
  assert.equal(plan(contextOf('deployment', event('deploy:migrations')), { mode: 'gates' }).mode, 'gates');
  assert.equal(plan(contextOf('deployment', event('deploy:migrations')), { 'dry-run': 'true' }).dryRun, true);
});
