// The Action's inputs fed what a hostile or careless workflow could pass (an adversarial audit): each bad
// value is named with its input, shown escaped and cut short, with the likely value where there is one; a
// tag template that cannot work is refused before the deployment, not found after it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InputError, planRun, type ActionInputs } from '../../../src/action/inputs.ts';
import { tagTemplateProblem } from '../../../src/action/tag.ts';
import { inputProblems as problems, inputs } from '../../helpers/action-inputs.ts';

test('a value with control characters is shown escaped, on one line', () => {
  // Before: the newline and the escape sequence were echoed as they were.
  for (const [name, value, shown] of [
    ['environment', 'production\n::warning::injected', '"production\\n::warning::injected"'],
    ['version', 'v1.2.3\u001b[31m', '"v1.2.3\\u001b[31m"'],
    ['mode', 'full\r\nx', '"full\\r\\nx"'],
    ['strategy', 'canary\u009b2J', '"canary\\u009b2J"'],
    ['dry-run', 'yes\u2028no', '"yes\\u2028no"'],
  ] as const) {
    const [problem, ...rest] = problems({ [name]: value });
    assert.deepEqual(rest, []);
    assert.ok(problem!.startsWith(`input "${name}" is ${shown}`), problem);
    assert.doesNotMatch(problem!, /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
  }
});

test('a long value is cut short', () => {
  const [problem] = problems({ environment: `${'x'.repeat(5000)} y` });
  assert.ok(problem!.startsWith(`input "environment" is "${'x'.repeat(37)}..."; `), problem);
  assert.ok(problem!.length < 200, problem);
});

test('an environment name of allowed characters that starts with one no name starts with says so', () => {
  // Before: "-rf" and ".." were refused saying names use letters, digits, ".", "_" and "-", which they do.
  for (const [mode, name] of [
    ['deploy', '-rf'],
    ['deploy', '..'],
    ['deploy', '_x'],
    ['reconcile', 'production,--help'],
  ] as const) {
    const [problem, ...rest] = problems({ mode, environment: name });
    assert.deepEqual(rest, []);
    assert.match(problem!, /^input "environment" is .*starting with a letter or digit/, problem);
  }
});

test('a misspelt mode or strategy gets the likely value', () => {
  assert.match(problems({ mode: 'rollbak' })[0]!, /allowed: .*: did you mean "rollback"\?$/);
  assert.match(problems({ mode: 'FULL' })[0]!, /did you mean "full"\?$/);
  assert.match(problems({ strategy: 'bluegreen' })[0]!, /did you mean "blue-green"\?$/);
  assert.doesNotMatch(problems({ strategy: 'canary; rm -rf /' })[0]!, /did you mean/);
});

test('environment-url must be http or https, as the config’s url', () => {
  // Before: javascript:, file: and data: URLs were accepted and put on the deployment.
  for (const url of ['javascript:alert(1)', 'file:///etc/passwd', 'data:text/html,<script>', 'ftp://x/'])
    assert.deepEqual(problems({ 'environment-url': url }), [
      `input "environment-url" is ${JSON.stringify(url)}, not an http:// or https:// URL`,
    ]);
  assert.equal(
    inputs({ 'environment-url': 'https://app.example.com/x' }).environmentUrl,
    'https://app.example.com/x',
  );
  assert.equal(inputs({ 'environment-url': 'http://10.0.0.1:8080' }).environmentUrl, 'http://10.0.0.1:8080');
});

test('a credential pasted into an input is masked in the problem', () => {
  const token = 'ghp_abcdefghijklmnopqrstuvwxyz0123456789';
  for (const name of ['environment', 'version', 'mode', 'dry-run', 'environment-url', 'tag']) {
    const shown = problems({ [name]: `x ${token}` }).join('\n');
    assert.ok(!shown.includes(token.slice(4, 30)), `${name}: ${shown}`);
  }
  const url = 'https://deploy:hunter2-password@';
  assert.ok(!problems({ 'environment-url': url }).join('\n').includes('hunter2'));
});

test('a tag template that cannot make a tag is refused when the inputs are read', () => {
  // Before: accepted, then after a successful production deployment only a warning and no tag.
  assert.deepEqual(problems({ tag: 'deploy/{{enviroment}}/{{version}}' }), [
    'input "tag" is "deploy/{{enviroment}}/{{version}}": {{enviroment}} is not a tag variable: did you mean {{environment}}? (use {{environment}}, {{version}} and {{sha}})',
  ]);
  assert.deepEqual(problems({ tag: 'v{{version}}; rm -rf /' }), [
    'input "tag" is "v{{version}}; rm -rf /": it does not make a valid tag name: it contains a space, a control character or one of ~ ^ : ? * [ \\',
  ]);
  for (const tag of ['{{version}}.lock', 'a..{{sha}}', '/{{version}}', '{{version}}/', 'x@{{{sha}}'])
    assert.equal(problems({ tag }).length, 1, tag);
  for (const tag of ['deploy/{{environment}}/{{version}}', 'v{{ version }}', 'sha-{{sha}}', 'release'])
    assert.equal(inputs({ tag }).tag, tag);
});

test('tagTemplateProblem checks the template, not the values it will get', () => {
  assert.equal(tagTemplateProblem('{{environment}}-{{version}}-{{sha}}'), undefined);
  assert.match(tagTemplateProblem('{{ref}}')!, /^\{\{ref\}\} is not a tag variable/);
  assert.match(tagTemplateProblem('{{verison}}')!, /did you mean \{\{version\}\}\?/);
});

test('workflow_dispatch inputs and a deployment’s environment are shown escaped too, with the likely value', () => {
  const context = (dispatch: Record<string, string>, environment?: string) => ({
    owner: 'acme',
    repo: 'web',
    eventName: environment ? 'deployment' : 'workflow_dispatch',
    sha: 'a'.repeat(40),
    apiUrl: 'https://api.github.com',
    actor: 'octocat',
    dispatch,
    ...(environment
      ? {
          deployment: {
            id: 7,
            environment,
            sha: 'a'.repeat(40),
            ref: 'main',
            task: 'deploy',
            payload: {},
            creator: 'someone',
          },
        }
      : {}),
  });
  const planProblems = (i: ActionInputs, c: ReturnType<typeof context>): string[] => {
    try {
      planRun(i, c);
    } catch (error) {
      assert.ok(error instanceof InputError, String(error));
      return error.problems;
    }
    assert.fail('expected an InputError');
  };
  assert.deepEqual(
    planProblems(
      inputs({}),
      context({ environment: 'production', mode: 'rollbak\n', strategy: 'canari', version: 'v1\u001b[2J' }),
    ),
    [
      'workflow input "mode" is "rollbak\\n"; allowed: full, gates, deploy, rollback, reconcile, metrics: did you mean "rollback"?',
      'workflow input "strategy" is "canari"; allowed: direct, rolling, blue-green, canary: did you mean "canary"?',
      'workflow input "version" is "v1\\u001b[2J"; a version is 1-128 letters, digits, ".", "_", "+" or "-", and does not start with "-"',
    ],
  );
  // Where the bad name came from: the deployment or the workflow's inputs.
  assert.deepEqual(planProblems(inputs({}), context({}, 'prod\n::warning::x')), [
    'the environment of deployment 7 is "prod\\n::warning::x"; environment names use letters, digits, ".", "_" and "-", starting with a letter or digit',
  ]);
  assert.deepEqual(planProblems(inputs({}), context({ environment: 'prod/eu' })), [
    'workflow input "environment" is "prod/eu"; environment names use letters, digits, ".", "_" and "-", starting with a letter or digit',
  ]);
});

test('environment-url with a user name or password, or with a line break, is refused, the password not shown', () => {
  // Before: accepted, and put on the Deployments tab, the PR comment, the job summary and the output.
  for (const url of [
    'https://deploy:hunter2-password@staging.example.com/',
    'https://deploy@staging.example.com',
  ])
    assert.deepEqual(
      problems({ 'environment-url': url }).map((p) => p.replace(/ is ".*?", /, ' is …, ')),
      [
        'input "environment-url" is …, a URL with a user name or password: GitHub shows this URL to everyone who can read the repository; give it without credentials',
      ],
    );
  assert.ok(
    !problems({ 'environment-url': 'https://deploy:hunter2-password@x.example' })
      .join('\n')
      .includes('hunter2'),
  );
  // A URL parser drops tabs and line breaks without a word; what would be shown is not the URL given.
  for (const url of ['https://app.example.com/\n[x](https://evil.example)', 'https://app.example.com/a b'])
    assert.deepEqual(problems({ 'environment-url': url }).length, 1, url);
  assert.match(
    problems({ 'environment-url': 'https://app.example.com/\nx' })[0]!,
    /^input "environment-url" is .*, not one URL: it has a space or a line break$/,
  );
});
