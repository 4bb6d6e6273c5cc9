// GNU parallel's options are known from its manual: one not known before a template where it decides whether
// there is a command (parallel --unknown 4 ::: {{x}}: if it takes 4, each argument runs as a command) is refused
// naming it. Tools that run code or choose what runs and were missing (helm plugin, gh extension, terraform's and
// go's subcommands, Rscript/julia -e, secret injectors running a command). And two false refusals: a template
// before "$(…)" at an argument's start is checked once rendered, and kubectl set env sets a Kubernetes object's
// variable, not the local program's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderShellScript } from '../../../src/targets/shell-script.ts';
import {
  assertAccepted,
  assertRefused,
  assertScriptAccepted,
  assertScriptRefused,
} from '../../helpers/command-checks.ts';

test('parallel: an option not known here before the only word of the command makes the arguments after ::: commands', () => {
  for (const option of ['--unknown', '--pids', '-Z', '-W', '--frobnicate']) {
    for (const spec of [
      ['parallel', option, '4', ':::', '{{x}}'],
      ['parallel', '-k', option, './deploy.sh', ':::', 'a', '{{x}}'],
      ['parallel', option, '4', '::::', '{{x}}'],
    ])
      assertRefused(
        spec,
        new RegExp(
          `parallel's option ${option} is not known to this tool: if it takes a value, \\S+ is that value, there is no command, and each argument after ::: runs as a command; attach the option's value \\(${option}=VALUE\\)`,
        ),
      );
    assertScriptRefused(
      `echo {{x}} | parallel ${option} ./deploy.sh`,
      /piped into parallel, which runs it as code/,
    );
  }
});

test('parallel: the options of its manual are known, those taking a value and those taking none', () => {
  for (const options of [
    ['-j', '4'],
    ['--jobs', '4'],
    ['--halt', 'now,fail=1'],
    ['--delay', '2'],
    ['--joblog', 'jobs.log'],
    ['--retries', '3'],
    ['--timeout', '600'],
    ['--memfree', '1G'],
    ['--sshdelay', '0.1'],
    ['--block', '10M'],
    ['--tmpdir', '/tmp'],
    ['-k'],
    ['--keep-order', '--tag', '--line-buffer'],
    ['-X'],
    ['--bar', '--eta', '--progress'],
    ['--unknown=4'],
    ['-j4', '--halt=soon,fail=1'],
  ]) {
    assertAccepted(['parallel', ...options, './deploy.sh', ':::', '{{x}}']);
    assertAccepted(['parallel', ...options, './deploy.sh', '{}', ':::', '{{x}}']);
  }
  // With a known value-taking option and no command, the arguments run as commands.
  assertRefused(
    ['parallel', '-j', '4', ':::', '{{x}}'],
    /name the command before ::: and give the value after it/,
  );
});

test('tools that run code or choose what runs: plugins, subcommands, -e code and command runners', () => {
  const refused: Array<[string, RegExp]> = [
    ['helm plugin {{x}}', /the subcommand helm plugin runs/],
    ['helm plugin install {{x}}', /the plugin helm plugin install fetches, whose code then runs/],
    ['helm plugin install https://github.com/org/{{x}}', /the plugin helm plugin install fetches/],
    ['gh extension install owner/{{x}}', /the plugin gh extension install fetches/],
    ['gh ext exec {{x}}', /the plugin gh ext exec fetches/],
    ['terraform {{x}}', /the subcommand terraform runs/],
    ['terraform -chdir=infra {{x}} -auto-approve', /the subcommand terraform runs/],
    ['tofu {{x}}', /the subcommand tofu runs/],
    ['go {{x}} ./...', /the subcommand go runs/],
    ['deno {{x}}', /the subcommand deno runs/],
    ['composer {{x}}', /the subcommand composer runs/],
    ['composer run-script {{x}}', /the program composer run-script runs/],
    ['Rscript -e {{x}}', /inside the code "Rscript -e" runs/],
    ['julia -e "deploy({{x}})"', /inside the code "julia -e" runs/],
    ['op run -- {{x}}', /the program op run runs/],
    ['op run --env-file .env -- {{x}} deploy', /the program op run runs/],
    ['doppler run -- {{x}}', /the program doppler run runs/],
    ['aws-vault exec prod -- {{x}}', /the program aws-vault exec runs/],
    ['conda run -n base {{x}}', /the program conda run runs/],
    ['pipx run {{x}}', /the program pipx run runs/],
    ['direnv exec . {{x}}', /the program direnv exec runs/],
  ];
  for (const [script, message] of refused) assertScriptRefused(script, message);
  for (const script of [
    'helm plugin list',
    'helm upgrade --install {{x}} ./chart',
    'terraform apply -var env={{x}} -auto-approve',
    'terraform -chdir=infra plan -var "version={{x}}"',
    'go run ./cmd/deploy {{x}}',
    'Rscript deploy.R {{x}}',
    'op run --env-file .env -- ./deploy.sh {{x}}',
    'aws-vault exec prod -- ./deploy.sh {{x}}',
  ])
    assertScriptAccepted(script);
});

test('a wrapper\'s "--" of the new runners is theirs: a value after the program\'s own words is still checked for "-"', () => {
  assert.throws(
    () => renderShellScript('op run -- git checkout {{x}}', { x: '--orphan=pwned' }),
    /starts with "-" and is a whole argument/,
  );
});

test('a template before "$(…)" at the start of an argument is accepted, and refused once rendered only if empty', () => {
  for (const script of [
    'deploy "{{a}}$(printf %s {{b}})"',
    'deploy {{a}}"$(printf %s {{b}})"',
    'git checkout "{{a}}{{c}}$(echo {{b}} | tr / -)"',
  ]) {
    const analysis = renderShellScript(script, { a: 'v', b: '-x', c: '' });
    assert.ok(analysis.script.includes('$(printf %s') || analysis.script.includes('$(echo'), script);
    assert.throws(
      () => renderShellScript(script, { a: '', b: 'x', c: '' }),
      /\{\{(a|c)\}\} is empty, so the output of the \$\(…\) after it starts an argument of (deploy|git)/,
      script,
    );
    assert.throws(() => renderShellScript(script, { a: '-rf', b: 'x', c: '' }), /starts with "-"/, script);
  }
  // With nothing before it, or another $(…) that may be empty, it is still refused.
  assertScriptRefused(
    'deploy "$(printf %s {{b}})"',
    /is inside \$\(…\) at the start of an argument of deploy/,
  );
  assertScriptRefused('deploy "$(printf a)$(printf %s {{b}})"', /at the start of an argument of deploy/);
});

test("kubectl set env sets a variable of a Kubernetes object's containers: a code variable's value is refused as theirs", () => {
  for (const spec of [
    ['kubectl', 'set', 'env', 'deploy/app', 'PATH={{x}}'],
    ['kubectl', '-n', 'prod', 'set', 'env', 'deployment/app', 'NODE_OPTIONS={{x}}', 'LD_PRELOAD={{x}}'],
    ['oc', 'set', 'env', 'dc/app', 'PYTHONPATH={{x}}'],
    ['kubectl', 'set', 'env', 'deploy/app', '--env=PATH={{x}}'],
  ])
    assertRefused(spec, /sets in the containers of the object \(which programs read to load code/);
  assertAccepted(['kubectl', 'set', 'env', 'deploy/app', 'VERSION={{x}}']);
  // Where the local program's environment is set, it is still refused.
  for (const spec of [
    ['env', 'PATH={{x}}', 'kubectl', 'set', 'env', 'deploy/app', 'A=1'],
    ['sudo', 'LD_PRELOAD={{x}}', 'kubectl', 'set', 'env', 'deploy/app', 'A=1'],
    ['docker', 'run', '-e', 'NODE_OPTIONS={{x}}', 'app:v1'],
  ])
    assertRefused(spec, /in the value of the variable (PATH|LD_PRELOAD|NODE_OPTIONS), which programs read/);
  assertScriptRefused('PATH={{x}} kubectl set env deploy/app A=1', /in the value of the variable PATH/);
});
