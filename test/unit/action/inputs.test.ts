// readInputs and planRun: every problem reported at once with the input's name, and how the inputs, a
// deployment event and workflow_dispatch inputs combine into one plan.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ignoredInputWarnings,
  InputError,
  planRun,
  readInputs,
  unknownInputs,
  reconcileRequested,
  rollbackModeNotice,
  type ActionInputs,
} from '../../../src/action/inputs.ts';
import type { RunContext } from '../../../src/action/context.ts';
import { inputProblems, inputs } from '../../helpers/action-inputs.ts';

const SHA = 'a'.repeat(40);

function context(extra: Partial<RunContext> = {}): RunContext {
  return {
    owner: 'acme',
    repo: 'web',
    eventName: 'push',
    sha: SHA,
    apiUrl: 'https://api.github.com',
    actor: 'octocat',
    ...extra,
  };
}

function deployment(
  environment: string,
  payload: NonNullable<RunContext['deployment']>['payload'] = {},
): RunContext['deployment'] {
  return { id: 77, environment, sha: SHA, ref: 'main', task: 'deploy', payload, creator: 'deploy-app[bot]' };
}

function planProblems(i: ActionInputs, c: RunContext): string[] {
  try {
    planRun(i, c);
  } catch (error) {
    assert.ok(error instanceof InputError, String(error));
    return error.problems;
  }
  assert.fail('expected an InputError');
}

test('defaults: nothing set gives the documented defaults', () => {
  const i = inputs();
  assert.equal(i.config, '.github/deploy.yml');
  assert.equal(i.recordDir, 'deploy-records');
  assert.equal(i.prComment, true);
  assert.equal(i.checkRuns, true);
  assert.equal(i.preview, false);
  assert.equal(i.dryRun, undefined, 'an unset dry-run leaves the choice to the event');
  assert.equal(i.environment, undefined);
  assert.equal(i.token, undefined);
});

test('booleans accept the usual spellings in any case and whitespace is trimmed', () => {
  for (const yes of ['true', 'TRUE', 'yes', 'On', '1', '  true  '])
    assert.equal(inputs({ preview: yes }).preview, true, yes);
  for (const no of ['false', 'No', 'off', '0'])
    assert.equal(inputs({ 'pr-comment': no }).prComment, false, no);
  assert.equal(inputs({ 'dry-run': 'false' }).dryRun, false);
  assert.equal(inputs({ 'dry-run': 'yes' }).dryRun, true);
});

test('every bad input is reported at once, each naming its input', () => {
  const problems = inputProblems({
    environment: 'prod env',
    strategy: 'yolo',
    version: 'v1;rm -rf /',
    mode: 'everything',
    'dry-run': 'maybe',
    'check-runs': 'sure',
    'environment-url': 'not a url',
  });
  assert.equal(problems.length, 7, problems.join('\n'));
  for (const name of [
    'environment',
    'strategy',
    'version',
    'mode',
    'dry-run',
    'check-runs',
    'environment-url',
  ])
    assert.ok(
      problems.some((p) => p.startsWith(`input "${name}"`)),
      `no problem names "${name}": ${problems.join('\n')}`,
    );
  assert.match(
    problems.find((p) => p.includes('"strategy"'))!,
    /allowed: .*canary/,
  );
  assert.match(
    problems.find((p) => p.includes('"mode"'))!,
    /allowed: full, gates, deploy, rollback/,
  );
});

test('the message of an InputError lists every problem', () => {
  try {
    inputs({ mode: 'x', strategy: 'y' });
    assert.fail('expected an error');
  } catch (error) {
    assert.match((error as Error).message, /"strategy".*; .*"mode"|"mode".*; .*"strategy"/);
  }
});

test('valid values are kept as given', () => {
  const i = inputs({
    environment: 'production',
    strategy: 'canary',
    version: 'v1.2.3+build_7',
    mode: 'deploy',
    'environment-url': 'https://example.com/app',
    'github-token': 'ghs_secret',
    tag: 'release/1.2.3',
  });
  assert.equal(i.environment, 'production');
  assert.equal(i.strategy, 'canary');
  assert.equal(i.version, 'v1.2.3+build_7');
  assert.equal(i.mode, 'deploy');
  assert.equal(i.environmentUrl, 'https://example.com/app');
  assert.equal(i.token, 'ghs_secret');
  assert.equal(i.tag, 'release/1.2.3');
});

test('environment names and versions: the edges of the rules', () => {
  assert.deepEqual(inputProblems({ environment: '-prod' }).length, 1);
  assert.deepEqual(inputProblems({ environment: 'prod/eu' }).length, 1);
  assert.equal(inputs({ environment: 'eu-west_1.prod' }).environment, 'eu-west_1.prod');
  assert.equal(inputs({ version: 'x'.repeat(128) }).version, 'x'.repeat(128));
  assert.equal(inputProblems({ version: 'x'.repeat(129) }).length, 1);
  assert.equal(inputProblems({ version: 'v1 2' }).length, 1);
});

test('a bad input never echoes the token', () => {
  const problems = inputProblems({ 'github-token': 'ghs_verysecret', mode: 'bad' });
  assert.ok(!problems.join('\n').includes('ghs_verysecret'));
});

test('planRun: a push uses the inputs and the commit as the version', () => {
  const plan = planRun(inputs({ environment: 'staging', strategy: 'rolling' }), context());
  assert.equal(plan.environment, 'staging');
  assert.equal(plan.mode, 'full');
  assert.equal(plan.type, 'standard');
  assert.equal(plan.version, SHA.slice(0, 12));
  assert.equal(plan.strategy, 'rolling');
  assert.equal(plan.dryRun, false);
  assert.equal(plan.skipStaging, false);
  assert.equal(plan.deployer, 'octocat');
});

test('planRun: no environment anywhere is an error naming the input', () => {
  assert.deepEqual(planProblems(inputs(), context()), [
    'input "environment" is required (for example: production)',
  ]);
});

test('planRun: the deployment event supplies environment, version, strategy and people', () => {
  const c = context({
    eventName: 'deployment',
    deployment: deployment('production', {
      version: '2.0.0',
      strategy: 'canary',
      params: { region: 'eu' },
      requested_by: 'alice',
      approved_by: ['bob'],
      dry_run: true,
    }),
  });
  const plan = planRun(inputs(), c);
  assert.equal(plan.environment, 'production');
  assert.equal(plan.version, '2.0.0');
  assert.equal(plan.strategy, 'canary');
  assert.deepEqual(plan.params, { region: 'eu' });
  assert.equal(plan.deployer, 'alice');
  assert.deepEqual(plan.approvers, ['bob']);
  assert.equal(plan.dryRun, true);
  // Inputs that say the same are fine.
  const same = planRun(inputs({ strategy: 'canary', version: '2.0.0', 'dry-run': 'true' }), c);
  assert.equal(same.version, '2.0.0');
  assert.equal(same.dryRun, true);
});

test('planRun: a version, strategy, dry-run or mode input that contradicts the deployment is an error naming both', () => {
  const c = context({
    eventName: 'deployment',
    deployment: deployment('production', { version: '2.0.0', strategy: 'canary', dry_run: true }),
  });
  const fix =
    "leave the input empty on deployment events to use the deployment's (an expression can give it on other events only)";
  // Before: the inputs won without a word: 2.0.1 deployed, for real, on a deployment of 2.0.0 asked as a dry run.
  assert.deepEqual(planProblems(inputs({ strategy: 'rolling', version: '2.0.1', 'dry-run': 'false' }), c), [
    `input "version" is "2.0.1" but deployment 77 is of version "2.0.0" (payload.version): ${fix}`,
    `input "strategy" is "rolling" but deployment 77 asks for "canary" (payload.strategy): ${fix}`,
    'input "dry-run" is false but deployment 77 was asked as a dry run (payload.dry_run true): it is not carried ' +
      'out for real; leave the input empty, and ask for a deployment that is not a dry run to deploy',
  ]);
  // A gates job on a rollback deployment would leave it undone.
  const rollback = context({
    eventName: 'deployment',
    deployment: deployment('production', { type: 'rollback', version: '1.9.0' }),
  });
  assert.deepEqual(planProblems(inputs({ mode: 'gates' }), rollback), [
    'input "mode" is "gates" but deployment 77 is a rollback (payload.type "rollback"), which mode "gates" does ' +
      'not carry out: leave the input empty on deployment events (the deployment decides), or set it to "rollback"',
  ]);
  assert.equal(planRun(inputs({ mode: 'rollback' }), rollback).mode, 'rollback');
  // A standard deployment carried out as a rollback skipped its gates and staging.
  const standard = context({
    eventName: 'deployment',
    deployment: deployment('production', { type: 'standard', version: '2.0.0' }),
  });
  assert.deepEqual(planProblems(inputs({ mode: 'rollback' }), standard), [
    'input "mode" is "rollback" but deployment 77 is a standard deployment (payload.type "standard"), which a ' +
      'rollback would carry out without its gates and staging: leave the input empty on deployment events, or ' +
      "run this job on rollback deployments only (`if: github.event.deployment.payload.type == 'rollback'`)",
  ]);
  // A hand-made deployment that says nothing of its type may be rolled back to, as before.
  assert.equal(
    planRun(
      inputs({ mode: 'rollback' }),
      context({ eventName: 'deployment', deployment: deployment('production') }),
    ).mode,
    'rollback',
  );
});

test('planRun: a deploy job carries out a rollback deployment as a rollback, and says so', () => {
  const rollback = context({
    eventName: 'deployment',
    deployment: deployment('production', { type: 'rollback', version: '1.9.0' }),
  });
  // Refused, every /rollback of a workflow whose deployment job says `mode: deploy` (or full) failed; before
  // that check, it went through staging (and the gates).
  for (const mode of ['deploy', 'full']) {
    const plan = planRun(inputs({ mode }), rollback);
    assert.equal(plan.mode, 'rollback', mode);
    assert.equal(plan.skipStaging, true, mode);
    assert.equal(plan.version, '1.9.0');
    assert.equal(
      rollbackModeNotice(inputs({ mode }), rollback),
      `deployment 77 is a rollback (payload.type "rollback"): carried out as mode "rollback" (no gates, no ` +
        `staging), although input "mode" is "${mode}"`,
    );
  }
  assert.equal(rollbackModeNotice(inputs(), rollback), undefined);
  assert.equal(rollbackModeNotice(inputs({ mode: 'rollback' }), rollback), undefined);
  // A standard deployment is deployed as the input says.
  const standard = context({ eventName: 'deployment', deployment: deployment('production') });
  assert.equal(planRun(inputs({ mode: 'deploy' }), standard).mode, 'deploy');
  assert.equal(rollbackModeNotice(inputs({ mode: 'deploy' }), standard), undefined);
});

test('planRun: a version input naming the same release as the deployment in another form is accepted', () => {
  const sha = '0123456789abcdef0123456789abcdef01234567';
  const on = (version: string) =>
    context({
      eventName: 'deployment',
      sha,
      deployment: { ...deployment('production', { version })!, sha },
    });
  // `version: ${{ github.sha }}` on a deployment whose version is the 12 characters a version defaults to (the
  // Action's own deployments, a /rollback to such a release), in either direction and either case.
  assert.equal(planRun(inputs({ version: sha }), on(sha.slice(0, 12))).version, sha);
  assert.equal(planRun(inputs({ version: sha.slice(0, 7) }), on(sha)).version, sha.slice(0, 7));
  assert.equal(
    planRun(inputs({ version: sha.toUpperCase() }), on(sha.slice(0, 12))).version,
    sha.toUpperCase(),
  );
  // A tag's "v": the workflow's form is used, as before inputs were checked against the deployment.
  assert.equal(planRun(inputs({ version: 'v1.2.3' }), on('1.2.3')).version, 'v1.2.3');
  assert.equal(planRun(inputs({ version: '1.2.3' }), on('v1.2.3')).version, '1.2.3');
  // The payload's own value, as `${{ github.event.deployment.payload.version }}` gives it.
  assert.equal(planRun(inputs({ version: '1.2.3-rc.1' }), on('1.2.3-rc.1')).version, '1.2.3-rc.1');
  // What is another release stays refused: another commit's SHA, a build number that only looks like one
  // (not this deployment's commit), another version, another case of a version that is no SHA.
  for (const [input, theirs] of [
    ['fedcba9876543210fedcba9876543210fedcba98', sha.slice(0, 12)] as const,
    ['1234567', '12345678'],
    ['v1.2.4', '1.2.3'],
    ['1.2.3-RC1', '1.2.3-rc1'],
    ['version1', 'ersion1'],
  ])
    assert.match(
      planProblems(inputs({ version: input }), on(theirs)).join('\n'),
      /\(payload\.version\)/,
      input,
    );
  // A payload without a version (the App's /deploy without one): the input is the version, as before.
  assert.equal(
    planRun(
      inputs({ version: '3.0.0' }),
      context({ eventName: 'deployment', deployment: deployment('production') }),
    ).version,
    '3.0.0',
  );
});

test('ignoredInputWarnings: an input the mode does not read is named with the mode', () => {
  assert.deepEqual(ignoredInputWarnings(inputs({ version: '1.2.3', strategy: 'canary' }), 'gates'), [
    'input "version" is "1.2.3", but mode "gates" deploys nothing: the input is not used',
    'input "strategy" is "canary", but mode "gates" deploys nothing: the input is not used',
  ]);
  assert.deepEqual(ignoredInputWarnings(inputs({ strategy: 'canary', since: '30d' }), 'metrics'), [
    'input "strategy" is "canary", but mode "metrics" deploys nothing: the input is not used',
  ]);
  assert.deepEqual(ignoredInputWarnings(inputs({ since: '30d' }), 'full'), [
    'input "since" is "30d", but only mode "metrics" reads it (this run is mode "full"): the input is not used',
  ]);
  // A deployment's tag, URL and PR comment: none of them made by gates, metrics or reconcile.
  const deploymentOnly = {
    tag: 'deploy/{{version}}',
    'environment-url': 'https://web.example.com',
    'pr-comment': 'false',
  };
  for (const mode of ['gates', 'metrics', 'reconcile'] as const)
    assert.deepEqual(ignoredInputWarnings(inputs(deploymentOnly), mode), [
      `input "environment-url" is "https://web.example.com", but mode "${mode}" deploys nothing: the input is not used`,
      `input "tag" is "deploy/{{version}}", but mode "${mode}" deploys nothing: the input is not used`,
      `input "pr-comment" is "false", but mode "${mode}" writes no PR comment (only a deployment does): the input is not used`,
    ]);
  // pr-comment's default (action.yml gives `true` when it is not set) is no input given.
  assert.deepEqual(ignoredInputWarnings(inputs({ 'pr-comment': 'true' }), 'gates'), []);
  for (const mode of ['full', 'deploy', 'rollback'] as const)
    assert.deepEqual(ignoredInputWarnings(inputs(deploymentOnly), mode), []);
  // Each read where it is given.
  assert.deepEqual(ignoredInputWarnings(inputs({ version: '1.2.3', strategy: 'canary' }), 'deploy'), []);
  assert.deepEqual(ignoredInputWarnings(inputs({ version: '1.2.3' }), 'rollback'), []);
  assert.deepEqual(ignoredInputWarnings(inputs(), 'gates'), []);
});

test('planRun: the deployment creator is the deployer when the payload does not say', () => {
  const plan = planRun(inputs(), context({ eventName: 'deployment', deployment: deployment('staging') }));
  assert.equal(plan.deployer, 'deploy-app[bot]');
});

test('planRun: an environment input that contradicts the deployment is an error naming both', () => {
  const problems = planProblems(
    inputs({ environment: 'staging' }),
    context({ eventName: 'deployment', deployment: deployment('production') }),
  );
  assert.equal(problems.length, 1);
  assert.match(problems[0]!, /input "environment" is "staging" but deployment 77 is for "production"/);
  // The same name is fine.
  assert.equal(
    planRun(inputs({ environment: 'production' }), context({ deployment: deployment('production') }))
      .environment,
    'production',
  );
});

test('planRun: a deployment environment that is not a valid name is refused', () => {
  const problems = planProblems(inputs(), context({ deployment: deployment('prod; rm') }));
  assert.deepEqual(problems, [
    'the environment of deployment 77 is "prod; rm"; environment names use letters, digits, ".", "_" and "-", starting with a letter or digit',
  ]);
});

test('planRun: rollback mode needs a version unless a deployment started it', () => {
  const problems = planProblems(inputs({ environment: 'production', mode: 'rollback' }), context());
  assert.equal(problems.length, 1);
  assert.match(problems[0]!, /mode "rollback" needs the version to go back to/);
  const withVersion = planRun(
    inputs({ environment: 'production', mode: 'rollback', version: '1.0.0' }),
    context(),
  );
  assert.equal(withVersion.mode, 'rollback');
  assert.equal(withVersion.type, 'rollback');
  assert.equal(withVersion.version, '1.0.0');
  assert.equal(withVersion.skipStaging, true);
  // A rollback deployment (from /rollback) carries its own version.
  const fromApp = planRun(
    inputs(),
    context({ deployment: deployment('production', { type: 'rollback', version: '0.9.0' }) }),
  );
  assert.equal(fromApp.mode, 'rollback');
  assert.equal(fromApp.version, '0.9.0');
});

test('planRun: a hotfix without a reason is refused; with one it skips staging', () => {
  const problems = planProblems(
    inputs(),
    context({ deployment: deployment('production', { type: 'hotfix' }) }),
  );
  assert.equal(problems.length, 1);
  assert.match(problems[0]!, /hotfix deployment needs a reason \(payload.hotfix_reason\)/);
  const plan = planRun(
    inputs(),
    context({ deployment: deployment('production', { type: 'hotfix', hotfix_reason: 'CVE fix' }) }),
  );
  assert.equal(plan.type, 'hotfix');
  assert.equal(plan.skipStaging, true);
  assert.equal(plan.hotfixReason, 'CVE fix');
  assert.equal(plan.mode, 'full');
});

test('planRun: workflow_dispatch inputs are fallbacks for the action inputs', () => {
  const dispatch = {
    environment: 'staging',
    strategy: 'blue-green',
    version: '3.1.0',
    mode: 'deploy',
    'dry-run': 'true',
  };
  const c = context({ eventName: 'workflow_dispatch', dispatch });
  const plan = planRun(inputs(), c);
  assert.equal(plan.environment, 'staging');
  assert.equal(plan.strategy, 'blue-green');
  assert.equal(plan.version, '3.1.0');
  assert.equal(plan.mode, 'deploy');
  assert.equal(plan.dryRun, true);
  const overridden = planRun(inputs({ environment: 'production', mode: 'gates', strategy: 'canary' }), c);
  assert.equal(overridden.environment, 'production');
  assert.equal(overridden.mode, 'gates');
  assert.equal(overridden.strategy, 'canary');
  // dry_run spelled with an underscore, and empty choices mean "not given".
  const other = planRun(
    inputs(),
    context({ dispatch: { environment: 'qa', dry_run: 'true', strategy: '', version: '' } }),
  );
  assert.equal(other.dryRun, true);
  assert.equal(other.strategy, undefined);
  assert.equal(other.version, SHA.slice(0, 12));
});

test('planRun: a dispatch rollback takes the dispatch version', () => {
  const plan = planRun(
    inputs(),
    context({ dispatch: { environment: 'production', mode: 'rollback', version: '1.4.2' } }),
  );
  assert.equal(plan.type, 'rollback');
  assert.equal(plan.mode, 'rollback');
  assert.equal(plan.version, '1.4.2');
});

test('planRun: bad dispatch inputs are all reported, naming the workflow input', () => {
  const problems = planProblems(
    inputs(),
    context({ dispatch: { environment: 'staging', mode: 'all', strategy: 'yolo', version: 'a b' } }),
  );
  assert.equal(problems.length, 3, problems.join('\n'));
  assert.ok(problems.some((p) => p.startsWith('workflow input "mode" is "all"')));
  assert.ok(problems.some((p) => p.startsWith('workflow input "strategy" is "yolo"')));
  assert.ok(problems.some((p) => p.startsWith('workflow input "version" is "a b"')));
});

test('planRun: a dispatch dry run is read as the dry-run input is; a value that is neither yes nor no is refused', () => {
  // A string-typed workflow input: "True" or "yes" asks for a dry run, and must never deploy for real.
  for (const value of ['True', 'TRUE', 'yes', ' true '])
    assert.equal(
      planRun(inputs(), context({ dispatch: { environment: 'qa', 'dry-run': value } })).dryRun,
      true,
      value,
    );
  for (const value of ['false', 'No', ''])
    assert.equal(
      planRun(inputs(), context({ dispatch: { environment: 'qa', dry_run: value } })).dryRun,
      false,
      value,
    );
  const problems = planProblems(inputs(), context({ dispatch: { environment: 'qa', 'dry-run': 'maybe' } }));
  assert.deepEqual(problems, ['workflow input "dry-run" is "maybe"; use true or false']);
  assert.deepEqual(planProblems(inputs(), context({ dispatch: { environment: 'qa', dry_run: 'plan' } })), [
    'workflow input "dry_run" is "plan"; use true or false',
  ]);
  // The action's input still wins over the workflow's.
  assert.equal(
    planRun(inputs({ 'dry-run': 'false' }), context({ dispatch: { environment: 'qa', 'dry-run': 'yes' } }))
      .dryRun,
    false,
  );
});

test("planRun: a fork's pull request is never deployed; its gates and a dry run are", () => {
  const fork = { repository: 'mallory/web', merged: false, readOnlyToken: false };
  const onFork = (extra: Partial<RunContext> = {}) =>
    context({ eventName: 'pull_request_target', pullNumber: 8, fork, ...extra });
  for (const mode of ['full', 'deploy'])
    assert.deepEqual(planProblems(inputs({ environment: 'preview', mode, version: '1.0.0' }), onFork()), [
      `pull request #8 comes from the fork "mallory/web": a fork's code is never deployed (mode "${mode}"); ` +
        'run mode "gates" or a dry run on it, or deploy once it is merged',
    ]);
  // Its gates run on pull_request (a read-only token, no secrets); on pull_request_target see below.
  assert.equal(
    planRun(
      inputs({ environment: 'preview', mode: 'gates' }),
      onFork({ eventName: 'pull_request', fork: { ...fork, readOnlyToken: true } }),
    ).mode,
    'gates',
  );
  // A rollback deploys an earlier version, not the fork's code.
  assert.equal(
    planRun(inputs({ environment: 'preview', mode: 'rollback', version: '1.0.0' }), onFork()).mode,
    'rollback',
  );
  assert.equal(planRun(inputs({ environment: 'preview', 'dry-run': 'true' }), onFork()).dryRun, true);
  // Merged, its code is the base branch's: deployed as any other.
  assert.equal(
    planRun(inputs({ environment: 'preview' }), onFork({ fork: { ...fork, merged: true } })).mode,
    'full',
  );
  assert.match(
    planProblems(
      inputs({ environment: 'preview' }),
      onFork({ fork: { ...fork, repository: 'a deleted fork' } }),
    )[0]!,
    /^pull request #8 comes from a deleted fork: /,
  );
});

test("planRun: a fork's gates with this repository's token and secrets (pull_request_target, workflow_run) only with allow-fork-code", () => {
  const fork = { repository: 'mallory/web', merged: false, readOnlyToken: false };
  const gates = (extra: Record<string, string> = {}) =>
    inputs({ environment: 'preview', mode: 'gates', ...extra });
  assert.deepEqual(
    planProblems(gates(), context({ eventName: 'pull_request_target', pullNumber: 8, fork })),
    [
      'pull request #8 comes from the fork "mallory/web", and this pull_request_target run has this ' +
        "repository's token and secrets: its gates would run the fork's code with them. Run the gates on " +
        'pull_request (read-only token, no secrets), or set input "allow-fork-code" to true to run them here anyway',
    ],
  );
  // A workflow_run of a fork's pull request carries no pull request number.
  assert.match(
    planProblems(gates(), context({ eventName: 'workflow_run', fork }))[0]!,
    /^the workflow_run event's commit comes from the fork "mallory\/web", and this workflow_run run has this repository's token and secrets: /,
  );
  assert.equal(inputs().allowForkCode, false);
  const allowed = planRun(
    gates({ 'allow-fork-code': 'true' }),
    context({ eventName: 'pull_request_target', pullNumber: 8, fork }),
  );
  assert.equal(allowed.mode, 'gates');
  // The opt-in is for gates: a fork's code is still never deployed.
  assert.match(
    planProblems(
      inputs({ environment: 'preview', 'allow-fork-code': 'true' }),
      context({ eventName: 'pull_request_target', pullNumber: 8, fork }),
    )[0]!,
    /a fork's code is never deployed \(mode "full"\)/,
  );
  // A dry run runs nothing; merged, the code is the base branch's.
  assert.equal(
    planRun(gates({ 'dry-run': 'true' }), context({ eventName: 'pull_request_target', pullNumber: 8, fork }))
      .dryRun,
    true,
  );
  assert.equal(
    planRun(
      gates(),
      context({ eventName: 'pull_request_target', pullNumber: 8, fork: { ...fork, merged: true } }),
    ).mode,
    'gates',
  );
  assert.deepEqual(inputProblems({ 'allow-fork-code': 'sure' }), [
    'input "allow-fork-code" is "sure"; use true or false',
  ]);
});

test('a github-token with a line break or a space inside is refused without showing it', () => {
  // Before: accepted, and every request failed with an error quoting the Authorization header.
  for (const token of ['ghs_first\nghs_second', 'token ghs_verysecret', 'ghs_a\tb'])
    assert.deepEqual(inputProblems({ 'github-token': token }), [
      'input "github-token" has a space or a line break inside it: give exactly one token (its value is not shown)',
    ]);
  // Around it, the runner's trimming applies as to every input.
  assert.equal(inputs({ 'github-token': '  ghs_verysecret\n' }).token, 'ghs_verysecret');
});

test('an environment list with the mode left to the workflow: reconcile takes it, a deployment refuses it naming the input', () => {
  // Before: refused when the inputs were read, though the workflow's `mode: reconcile` takes a list.
  const list = inputs({ environment: 'staging, production' });
  assert.equal(list.environment, 'staging, production');
  assert.equal(reconcileRequested(list, context({ dispatch: { mode: 'reconcile' } })), true);
  assert.deepEqual(planProblems(list, context()), [
    'input "environment" is "staging, production"; a deployment goes to one environment (a list is for mode "reconcile" or "metrics"); environment names use letters, digits, ".", "_" and "-", starting with a letter or digit',
  ]);
  // With a deploying mode given, the list is refused as the inputs are read.
  assert.equal(inputProblems({ environment: 'staging,production', mode: 'full' }).length, 1);
});

test('inputs are read in one place: nothing under src/ but run.ts hands core.getInput to anyone but readInputs', async () => {
  const { readdir, readFile } = await import('node:fs/promises');
  const root = new URL('../../../src/', import.meta.url);
  const files = (await readdir(root, { recursive: true })).filter((f) => f.endsWith('.ts'));
  const readers: string[] = [];
  for (const file of files) {
    const text = await readFile(new URL(file, root), 'utf8');
    for (const match of text.matchAll(/\bget(?:Boolean|Multiline)?Input\(/g)) {
      const line = text.slice(0, match.index).split('\n').length;
      readers.push(`${file}:${line}`);
    }
  }
  // readInputs' own reader and the one call that hands it core.getInput.
  assert.deepEqual(
    readers.filter((r) => !r.startsWith('action/inputs.ts:')),
    readers.filter((r) => r.startsWith('action/run.ts:')),
    `an input read outside readInputs: ${readers.join(', ')}`,
  );
  assert.ok(
    readers.some((r) => r.startsWith('action/run.ts:')),
    'run.ts hands core.getInput to readInputs',
  );
});

test("control-app-id: the deploy App's id, a positive whole number; anything else is refused by name", () => {
  assert.equal(inputs().controlAppId, undefined);
  assert.equal(inputs({ 'control-app-id': ' 123456 ' }).controlAppId, 123456);
  for (const bad of ['0', '-5', '12.5', 'deploy-action', '0x1f', '99999999999999999'])
    assert.deepEqual(
      inputProblems({ 'control-app-id': bad }),
      [`input "control-app-id" is "${bad}"; a GitHub App's id is a positive whole number`],
      bad,
    );
});

test('an input action.yml does not have: a near name refused with the input meant, any other warned of as the runner does', () => {
  const read = (variables: string[]) => {
    try {
      readInputs(() => '', variables);
      return [];
    } catch (error) {
      assert.ok(error instanceof InputError, String(error));
      return error.problems;
    }
  };
  // Every input of action.yml as the runner names it, and variables that are no input at all, are taken.
  const taken = [
    'INPUT_DRY-RUN',
    'INPUT_GITHUB-TOKEN',
    'INPUT_STATE-KEY-PREVIOUS',
    'PATH',
    'GITHUB_SHA',
    // A variable of another case is no `with:` key (the runner writes upper case) and nothing reads it.
    'INPUT_mode',
  ];
  assert.deepEqual(read(taken), []);
  assert.deepEqual(unknownInputs(taken), { problems: [], warnings: [] });
  // `dry_run: true` deployed for real; `mdoe: gates` ran the whole rollout.
  const variables = ['INPUT_DRY_RUN', 'INPUT_MDOE', 'INPUT_GITHUB_TOKEN', 'INPUT_FLAVOUR'];
  const problems = read(variables);
  assert.equal(problems.length, 3, problems.join('\n'));
  assert.match(
    problems[0]!,
    /^input "dry_run" is not an input of this action, and would be ignored: did you mean "dry-run"\?/,
  );
  assert.match(problems[1]!, /^input "mdoe" .*: did you mean "mode"\?/);
  assert.match(problems[2]!, /^input "github_token" .*: did you mean "github-token"\?/);
  // A name near none (a job's `env:` naming a variable INPUT_..., an input of another version): warned of, as
  // the runner warns, and the inputs listed.
  const { warnings } = unknownInputs(variables);
  assert.equal(warnings.length, 1, warnings.join('\n'));
  assert.match(
    warnings[0]!,
    /^input "flavour" is not an input of this action and is ignored; the inputs are /,
  );
  assert.ok(warnings[0]!.includes('dry-run'), 'the inputs are listed');
  // Two edits from an input (`stage` and `tag`) is more likely another action's: warned of, with the suggestion.
  const further = unknownInputs(['INPUT_STAGE', 'INPUT_TAGS', 'INPUT_MOED']);
  assert.deepEqual(
    further.problems.map((p) => p.replace(/, and would.*/, '')),
    ['input "tags" is not an input of this action', 'input "moed" is not an input of this action'],
  );
  assert.equal(further.warnings.length, 1);
  assert.match(
    further.warnings[0]!,
    /^input "stage" is not an input of this action and is ignored: did you mean "tag"\?;/,
  );
});
