// Options and wrappers a templated value could use to run code or choose the program, found by review: ssh's
// options after the destination, xargs' replace string in a remote command, runners and wrappers (parallel,
// docker-compose, script, tini, …), variables that load code (BASH_ENV, LD_PRELOAD, NODE_OPTIONS, PATH, …) and
// docker run's options. Each is refused at config load, naming the field; the accepted forms stay accepted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../../src/config/load.ts';
import { shellCommandLine } from '../../../src/targets/command-line.ts';
import { analyzeShellTemplate, argvShellProblems } from '../../../src/targets/shell-script.ts';

const ENVIRONMENTS = 'environments:\n  production:\n    variables: { x: a, port: "22" }\n';

function configErrors(spec: string[] | string): string[] {
  const parsed = parseConfig(
    typeof spec === 'string'
      ? `target:\n  shell: true\n  commands:\n    deploy: ${JSON.stringify(spec)}\n${ENVIRONMENTS}`
      : `target:\n  commands:\n    deploy: ${JSON.stringify(spec)}\n${ENVIRONMENTS}`,
    'deploy.yml',
  );
  return parsed.ok ? [] : parsed.errors.map((e) => `${e.path}: ${e.message}`);
}

/** Refused as an argv command, as the same `shell: true` line, and by the config at its field. */
function assertRefused(spec: string[], message: RegExp) {
  const problems = argvShellProblems(spec);
  assert.ok(problems.length > 0, `${JSON.stringify(spec)} was accepted`);
  assert.match(problems.join('\n'), message, JSON.stringify(spec));
  const line = shellCommandLine(spec);
  const analysis = analyzeShellTemplate(line);
  assert.equal(analysis.ok, false, line);
  if (!analysis.ok) assert.match(analysis.problems.map((p) => p.message).join('\n'), message, line);
  const errors = configErrors(spec);
  assert.ok(
    errors.some((e) => e.startsWith('target.commands.deploy: ') && message.test(e)),
    `${JSON.stringify(spec)}: ${JSON.stringify(errors)}`,
  );
}

function assertAccepted(spec: string[]) {
  assert.deepEqual(argvShellProblems(spec), [], JSON.stringify(spec));
  const line = shellCommandLine(spec);
  const analysis = analyzeShellTemplate(line);
  assert.equal(analysis.ok, true, `${line}: ${JSON.stringify(analysis)}`);
  assert.deepEqual(configErrors(spec), [], JSON.stringify(spec));
}

test('ssh reads options after the destination too: their command options and the remote command after them are checked', () => {
  const refused: Array<[string[], RegExp]> = [
    [['ssh', 'host', '-o', 'ProxyCommand={{x}}', 'true'], /"ssh -o ProxyCommand", a command that is run/],
    [
      ['ssh', 'host', '-o', 'LocalCommand={{x}}', '-o', 'PermitLocalCommand=yes', 'true'],
      /"ssh -o LocalCommand", a command that is run/,
    ],
    [['ssh', 'host', '-oProxyCommand=nc {{x}} 22', 'true'], /"ssh -o ProxyCommand"/],
    [['ssh', 'host', '-tto', 'ProxyCommand=nc {{x}} 22', 'true'], /"ssh -o ProxyCommand"/],
    [['ssh', '-o', '{{x}}', 'host', 'true'], /"ssh -o".*would name the option/],
    [['ssh', 'host', '-o', '{{x}}=yes', 'true'], /"ssh -o".*would name the option/],
    [['ssh', 'host', '--', '{{x}}'], /the program, on the remote host/],
    [['ssh', 'host', '--', 'bash', '{{x}}'], /the file bash loads and runs as code, on the remote host/],
    [['ssh', 'host', '-t', '{{x}}'], /the program, on the remote host/],
    [['ssh', 'host', '-p', '22', '-l', 'deploy', '{{x}}'], /the program, on the remote host/],
    [['ssh', 'host', '-t{{x}}', 'true'], /"ssh -t".*read its value as more options/],
    [['ssh', '-A{{x}}', 'host', 'true'], /"ssh -A".*read its value as more options/],
  ];
  for (const [spec, message] of refused) assertRefused(spec, message);
  // A `--` before the destination ends ssh's options: the words after the destination are the command.
  assert.deepEqual(argvShellProblems(['ssh', '--', 'host', 'deploy', '-o', '{{x}}']), []);
  for (const spec of [
    ['ssh', 'host', '-p', '22', 'deploy', '{{x}}'],
    ['ssh', 'host', '-tt', 'deploy {{x}}'],
    ['ssh', '-p', '{{port}}', 'host', 'deploy'],
    ['ssh', '-p{{port}}', 'host', 'deploy'],
    ['ssh', 'host', '-o', 'StrictHostKeyChecking=yes', 'deploy', '{{x}}'],
    ['ssh', 'host', 'deploy', '-o', '{{x}}'],
  ])
    assertAccepted(spec);
});

function assertScriptRefused(script: string, message: RegExp) {
  const analysis = analyzeShellTemplate(script);
  assert.equal(analysis.ok, false, `${script} was accepted`);
  if (!analysis.ok) assert.match(analysis.problems.map((p) => p.message).join('\n'), message, script);
  const errors = configErrors(script);
  assert.ok(
    errors.some((e) => e.startsWith('target.commands.deploy: ') && message.test(e)),
    `${script}: ${JSON.stringify(errors)}`,
  );
}

function assertScriptAccepted(script: string) {
  const analysis = analyzeShellTemplate(script);
  assert.equal(analysis.ok, true, `${script}: ${JSON.stringify(analysis)}`);
  assert.deepEqual(configErrors(script), [], script);
}

test('what xargs reads is counted where ssh joins it into the remote command: its replace string, or the word appended', () => {
  for (const script of [
    'echo {{x}} | xargs -I{} ssh host {}',
    'echo {{x}} | xargs -I {} ssh host {}',
    'echo {{x}} | xargs -I{} ssh host "bash {}"',
    // The remote shell reads what xargs put in the line unquoted: code there, wherever it lands.
    'echo {{x}} | xargs -I{} ssh host deploy {}',
    'echo {{x}} | xargs ssh host deploy',
  ])
    assertScriptRefused(script, /piped into xargs/);
  assertScriptAccepted('echo {{x}} | xargs -I{} ./deploy.sh {}');
  assertScriptAccepted('echo {{x}} | xargs -n1 ./deploy.sh');
});

test('runners and wrappers: parallel without a command, docker-compose, script -qc, tini, dumb-init, strace, valgrind, gdb --args, sg, firejail, unbuffer', () => {
  const refused: Array<[string, RegExp]> = [
    ['parallel ::: {{x}}', /inside the command "parallel" hands to a shell/],
    ['parallel -j 4 ::: {{x}}', /inside the command "parallel" hands to a shell/],
    ['echo {{x}} | parallel', /piped into parallel, which runs it as code/],
    ['docker-compose exec web {{x}}', /the program docker-compose exec runs/],
    ['docker-compose run --rm web {{x}}', /the program docker-compose run runs/],
    ['script -qc {{x}} /dev/null', /inside the command "script -c" hands to a shell/],
    ['su -lc {{x}} app', /inside the command "su -c" hands to a shell/],
    ['tini -- {{x}}', /the program tini runs/],
    ['dumb-init {{x}}', /the program dumb-init runs/],
    ['strace -f -o trace.out {{x}}', /the program strace runs/],
    ['valgrind --leak-check=full {{x}}', /the program valgrind runs/],
    ['gdb --args {{x}}', /the program gdb runs/],
    ['gdb -batch -ex "shell deploy {{x}}" ./app', /inside the code "gdb -ex" runs/],
    ['gdb --eval-command={{x}} ./app', /inside the code "gdb --eval-command" runs/],
    ['sg deploy {{x}}', /inside the command "sg" hands to a shell/],
    ['sg deploy -c "./deploy.sh {{x}}"', /inside the command "sg" hands to a shell/],
    ['firejail --net=none {{x}}', /the program firejail runs/],
    ['unbuffer {{x}}', /the program unbuffer runs/],
  ];
  for (const [script, message] of refused) assertScriptRefused(script, message);
  for (const script of [
    'parallel ./deploy.sh ::: {{x}}',
    'parallel -j 4 ./deploy.sh {} ::: {{x}}',
    'docker-compose exec web ./deploy.sh {{x}}',
    'tini -s -- ./app {{x}}',
    'dumb-init ./app {{x}}',
    'strace -f -o trace.out ./app {{x}}',
    'valgrind --leak-check=full ./app {{x}}',
    'gdb --args ./app {{x}}',
    'firejail --net=none ./app {{x}}',
    'unbuffer ./app {{x}}',
  ])
    assertScriptAccepted(script);
  // moreutils' chronic, eatmydata, numactl and setuidgid run the command after their options (and user) too.
  const launchers: Array<[string, string]> = [
    ['chronic {{x}}', 'chronic'],
    ['chronic -ev {{x}}', 'chronic'],
    ['eatmydata {{x}}', 'eatmydata'],
    ['numactl -N 0 {{x}}', 'numactl'],
    ['numactl --cpunodebind=0 --membind 0 {{x}}', 'numactl'],
    ['setuidgid app {{x}}', 'setuidgid'],
  ];
  for (const [script, program] of launchers)
    assertScriptRefused(script, new RegExp(`the program ${program} runs`));
  // What they run is read as itself.
  assertScriptRefused(
    'chronic helm repo add r https://{{x}}',
    /the chart repository helm repo add registers/,
  );
  for (const script of [
    'chronic ./deploy.sh {{x}}',
    'eatmydata ./migrate {{x}}',
    'numactl -N 0 ./app {{x}}',
    'setuidgid app ./run {{x}}',
  ])
    assertScriptAccepted(script);
  // The same in argv commands.
  assertRefused(['tini', '--', '{{x}}'], /the program tini runs/);
  assertRefused(['script', '-qc', '{{x}}', '/dev/null'], /"script -c" hands to a shell/);
});

test('a template in a variable that loads code or chooses programs is refused: env, sudo, docker -e and plain assignments', () => {
  const message = (variable: string) =>
    new RegExp(`in the value of the variable ${variable}, which programs read to load code`);
  assertRefused(['env', 'BASH_ENV={{x}}', 'bash', '-c', 'true'], message('BASH_ENV'));
  assertRefused(['env', 'LD_PRELOAD={{x}}', 'true'], message('LD_PRELOAD'));
  assertRefused(['sudo', 'PATH=/opt/{{x}}:/usr/bin', 'deploy'], message('PATH'));
  assertRefused(['docker', 'run', '-e', 'NODE_OPTIONS={{x}}', 'app:v1'], message('NODE_OPTIONS'));
  for (const [script, variable] of [
    ['NODE_OPTIONS={{x}} node app.js', 'NODE_OPTIONS'],
    ['PATH={{x}} deploy', 'PATH'],
    ['FOO=1 PYTHONPATH="{{x}}" python3 app.py', 'PYTHONPATH'],
    ['export GIT_SSH_COMMAND="ssh -i {{x}}"; git fetch', 'GIT_SSH_COMMAND'],
    ['PERL5OPT={{x}}; export PERL5OPT; ./deploy.pl', 'PERL5OPT'],
  ] as const)
    assertScriptRefused(script, message(variable));
  // Other variables carry values: the program reads them as data.
  assertAccepted(['env', 'VERSION={{x}}', './deploy.sh']);
  assertScriptAccepted('VERSION={{x}} ./deploy.sh');
  assertScriptAccepted('echo PATH={{x}}');
});

test('a template in a variable a tool reads its config, packages, repository or project from is refused, each of them', () => {
  const message = (variable: string) =>
    new RegExp(`in the value of the variable ${variable}, which programs read to load code`);
  // Every one chooses code: a registry or index the packages come from, a config file naming programs (npm's
  // script-shell, git's core.fsmonitor, kubeconfig's exec, aws's credential_process), a Gemfile, a repository
  // whose hooks run, a toolchain or compiler, or flags that add one (GOFLAGS=-toolexec=…, MAKEFLAGS).
  for (const variable of [
    ...['npm_config_registry', 'npm_config_userconfig', 'npm_config_script_shell', 'NPM_CONFIG_NODE_OPTIONS'],
    ...[
      'YARN_RC_FILENAME',
      'YARN_NPM_REGISTRY_SERVER',
      'PIP_INDEX_URL',
      'PIP_EXTRA_INDEX_URL',
      'PIP_CONFIG_FILE',
    ],
    ...['UV_INDEX_URL', 'UV_PROJECT', 'POETRY_REPOSITORIES_X_URL', 'PIPX_DEFAULT_PYTHON', 'BUNDLE_GEMFILE'],
    ...['BUNDLE_PATH', 'CARGO_HOME', 'CARGO_BUILD_RUSTC_WRAPPER', 'COMPOSER_HOME', 'COREPACK_NPM_REGISTRY'],
    ...[
      'ANSIBLE_SSH_ARGS',
      'ANSIBLE_CONFIG',
      'GIT_DIR',
      'GIT_WORK_TREE',
      'GIT_CONFIG_GLOBAL',
      'GIT_CONFIG_KEY_0',
    ],
    ...['GIT_CONFIG_VALUE_0', 'GIT_CONFIG_PARAMETERS', 'GIT_TEMPLATE_DIR', 'GIT_EXTERNAL_DIFF', 'HOME'],
    ...['XDG_CONFIG_HOME', 'PYTHONWARNINGS', 'PYTHONBREAKPOINT', 'PERL5DB', 'GEM_HOME', 'PHPRC', 'LUA_INIT'],
    ...[
      'CLASSPATH',
      'JAVA_HOME',
      'MAVEN_OPTS',
      'GRADLE_OPTS',
      'CC',
      'MAKEFLAGS',
      'MAKEFILES',
      'RUSTC_WRAPPER',
    ],
    ...[
      'GOFLAGS',
      'GOPROXY',
      'GOTOOLCHAIN',
      'OPENSSL_CONF',
      'KUBECONFIG',
      'DOCKER_CONFIG',
      'AWS_CONFIG_FILE',
    ],
    ...['TF_CLI_CONFIG_FILE', 'TF_CLI_ARGS_apply', 'HELM_PLUGINS', 'LD_BIND_NOW', 'DYLD_FRAMEWORK_PATH'],
  ]) {
    assertRefused(['env', `${variable}={{x}}`, './deploy.sh'], message(variable));
    assertRefused(['sudo', `${variable}=/srv/{{x}}`, './deploy.sh'], message(variable));
    assertScriptRefused(`${variable}={{x}} ./deploy.sh`, message(variable));
    assertScriptRefused(`export ${variable}="{{x}}"; ./deploy.sh`, message(variable));
  }
  assertScriptRefused('npm_config_registry={{x}} npm ci && npm run deploy', message('npm_config_registry'));
  assertScriptRefused('BUNDLE_GEMFILE=gemfiles/{{x}} bundle exec cap deploy', message('BUNDLE_GEMFILE'));
  assertScriptRefused('GIT_DIR={{x}} git pull', message('GIT_DIR'));
  assertScriptRefused('PIP_INDEX_URL={{x}} pip install -r requirements.txt', message('PIP_INDEX_URL'));
  // The profile aws acts with (an entry of ~/.aws/config: its keys or role), as aws --profile: refused as
  // choosing who acts (credential-options.test.ts).
  assertScriptRefused(
    'AWS_PROFILE={{x}} aws s3 ls',
    /the variable AWS_PROFILE, which programs read as the profile aws acts with/,
  );
  // Variables that carry data stay accepted: the program reads them as values.
  for (const script of [
    'TF_VAR_version={{x}} terraform apply -auto-approve',
    'GIT_AUTHOR_NAME={{x}} git commit -m release',
    'AWS_REGION={{x}} aws s3 ls',
    'HELM_NAMESPACE={{x}} helm list',
    'IMAGE_TAG={{x}} ./deploy.sh',
    'export NPM_TAG={{x}}; ./publish.sh',
  ])
    assertScriptAccepted(script);
  // A variable set on a Kubernetes object is its containers' programs': refused as theirs.
  assertRefused(
    ['kubectl', 'set', 'env', 'deploy/app', 'PIP_INDEX_URL={{x}}', 'HOME={{x}}'],
    /the variable (PIP_INDEX_URL|HOME) kubectl set env sets in the containers of the object/,
  );
});

test("a NAME=VALUE word counts as a variable only where it sets a program's environment, in the case the tools read it", () => {
  const message = (variable: string) =>
    new RegExp(`in the value of the variable ${variable}, which programs read to load code`);
  // Arguments a program reads as its own data, and plain shell variables never exported: no environment is set.
  for (const spec of [
    ['ansible-playbook', 'site.yml', '-e', 'ansible_host={{x}}'],
    ['curl', '-d', 'pip_version={{x}}', 'https://example.com/hook'],
    ['curl', '-d', 'PIP_INDEX_URL={{x}}', 'https://example.com/hook'],
    ['git', 'commit', '-m', 'bundle_version={{x}}'],
    ['./deploy.sh', '--set', 'cargo_version={{x}}'],
    ['./deploy.sh', '--set', 'CARGO_HOME={{x}}'],
    ['helm', 'upgrade', 'app', './chart', '--set', 'ansible_x={{x}}'],
    ['helm', 'upgrade', 'app', './chart', '--set', 'HOME={{x}}'],
  ])
    assertAccepted(spec);
  for (const script of [
    'ansible-playbook site.yml -e ansible_host={{x}}',
    'git commit -m "bundle_version={{x}}"',
    'yarn_tag={{x}}; docker tag app:v1 app:"$yarn_tag"',
    'YARN_TAG={{x}}; docker tag app:v1 app:"$YARN_TAG"',
    'yarn_tag={{x}}; export yarn_tag; ./deploy.sh',
    'pip_version={{x}} ./deploy.sh',
    'env cargo_home={{x}} ./deploy.sh',
  ])
    assertScriptAccepted(script);
  // npm reads npm_config_* in any case; the others in the case they are written.
  assertScriptRefused('NPM_CONFIG_REGISTRY={{x}} npm ci', message('NPM_CONFIG_REGISTRY'));
  assertScriptRefused('Npm_Config_Registry={{x}} npm ci', message('Npm_Config_Registry'));
  // Where a word does set the environment, it is still refused: env, sudo (past its options), make, declarations,
  // a container's -e, systemd-run -E, --env=, and a tool's variable the script exports or sets under set -a.
  assertRefused(
    ['sudo', '-u', 'app', 'PIP_INDEX_URL={{x}}', 'pip', 'install', 'app'],
    message('PIP_INDEX_URL'),
  );
  assertRefused(
    ['env', '-u', 'X', 'BUNDLE_GEMFILE={{x}}', 'bundle', 'exec', 'cap'],
    message('BUNDLE_GEMFILE'),
  );
  assertRefused(['make', 'deploy', 'MAKEFLAGS={{x}}'], message('MAKEFLAGS'));
  assertRefused(['docker', 'run', '-ePIP_INDEX_URL={{x}}', 'app:v1'], message('PIP_INDEX_URL'));
  assertRefused(['podman', 'run', '--env', 'LD_PRELOAD={{x}}', 'app:v1'], message('LD_PRELOAD'));
  assertRefused(['systemd-run', '-E', 'NODE_OPTIONS={{x}}', './deploy.sh'], message('NODE_OPTIONS'));
  assertRefused(['kubectl', 'run', 'job', '--env=LD_PRELOAD={{x}}', '--image=app:v1'], message('LD_PRELOAD'));
  // systemctl set-environment: the environment of the units systemd starts later.
  assertRefused(['systemctl', 'set-environment', 'LD_PRELOAD={{x}}'], message('LD_PRELOAD'));
  assertAccepted(['systemctl', 'set-environment', 'VERSION={{x}}']);
  for (const [script, variable] of [
    ['PIP_INDEX_URL={{x}}; export PIP_INDEX_URL; pip install app', 'PIP_INDEX_URL'],
    ['declare -x BUNDLE_GEMFILE; BUNDLE_GEMFILE={{x}}; bundle exec cap deploy', 'BUNDLE_GEMFILE'],
    ['set -a; YARN_RC_FILENAME={{x}}; yarn deploy', 'YARN_RC_FILENAME'],
    ['HOME={{x}}; npm ci', 'HOME'],
    ['PATH={{x}}; deploy', 'PATH'],
    ['declare -x CARGO_HOME={{x}}; cargo run', 'CARGO_HOME'],
  ] as const)
    assertScriptRefused(script, message(variable));
});

test("ansible's connection variables take no template: their value is a command line, a program or a plugin that runs", () => {
  const message = (variable: string) =>
    new RegExp(`in the value of ${variable}, an ansible connection variable`);
  for (const [spec, variable] of [
    [['ansible-playbook', 'site.yml', '-e', 'ansible_ssh_common_args={{x}}'], 'ansible_ssh_common_args'],
    [['ansible-playbook', 'site.yml', '-e', 'ansible_ssh_extra_args=-o{{x}}'], 'ansible_ssh_extra_args'],
    [
      ['ansible-playbook', 'site.yml', '-e', 'a=1 ansible_python_interpreter=/usr/bin/{{x}}'],
      'ansible_python_interpreter',
    ],
    [['ansible-playbook', 'site.yml', '--extra-vars=ansible_become_exe={{x}}'], 'ansible_become_exe'],
    [['ansible', 'all', '-m', 'ping', '-e', 'ansible_connection={{x}}'], 'ansible_connection'],
    [['ansible-playbook', 'site.yml', '-e', 'ansible_shell_executable={{x}}'], 'ansible_shell_executable'],
    [['ansible-playbook', 'site.yml', '-e', '{"ansible_become_flags": "{{x}}"}'], 'ansible_become_flags'],
  ] as const)
    assertRefused([...spec], message(variable));
  // Data variables stay accepted, ansible_host and ansible_user among them.
  assertAccepted(['ansible-playbook', 'site.yml', '-e', 'ansible_host={{x}}', '-e', 'ansible_user={{x}}']);
  assertAccepted(['ansible-playbook', 'site.yml', '-e', '{"version": "{{x}}"}']);
});

test('docker/podman run: options that take a value are known, and an unknown one before a template is refused by name', () => {
  // --pids-limit takes a value: the image is after it, and the template is in the image.
  assertAccepted(['docker', 'run', '-d', '--pids-limit', '100', 'registry/app:{{x}}']);
  assertAccepted([
    'docker',
    'run',
    '--memory-reservation',
    '1g',
    '--oom-score-adj',
    '5',
    'app:v1',
    'deploy',
    '{{x}}',
  ]);
  assertAccepted(['podman', 'run', '--pod', 'p1', '--rm', 'app:v1', 'deploy', '{{x}}']);
  assertAccepted(['docker', 'run', '-itd', '--rm', 'app:v1', 'deploy', '{{x}}']);
  // An unknown option with no template after it stays accepted; attached values are never ambiguous.
  assertAccepted(['docker', 'run', '--frobnicate', 'app:v1', 'deploy']);
  assertAccepted(['docker', 'run', '--frobnicate=1', 'app:v1', 'deploy', '{{x}}']);
  // 100 is --pids-limit's value, so {{x}} names the program.
  assertRefused(['docker', 'run', '--pids-limit', '100', 'app:v1', '{{x}}'], /the program docker run runs/);
  assertRefused(['podman', 'run', '--pod', 'p1', 'app:v1', '{{x}}'], /the program podman run runs/);
  assertRefused(
    ['docker', 'run', '--frobnicate', '100', 'app:v1', '{{x}}'],
    /comes after docker run's option --frobnicate, which this tool does not know/,
  );
  assertRefused(
    ['docker', 'run', '-Z', 'app:v1', 'deploy', '{{x}}'],
    /docker run's option -Z, which this tool does not know/,
  );
});

test('a template in the directory, root or config a wrapper or tool reads what runs from is refused, each option', () => {
  const message = (option: string) =>
    new RegExp(`the value of ${option}, which chooses the directory, root or config what runs is read from`);
  for (const [spec, option] of [
    [['env', '-C', '{{x}}', './deploy.sh'], 'env -C'],
    [['env', '-C{{x}}', './deploy.sh'], 'env -C'],
    [['env', '--chdir', '/srv/{{x}}', 'make', 'deploy'], 'env --chdir'],
    [['env', 'A=1', '--chdir={{x}}', './deploy.sh'], 'env --chdir'],
    [['sudo', '-D', '{{x}}', './deploy.sh'], 'sudo -D'],
    [['sudo', '-u', 'app', '--chdir={{x}}', './deploy.sh'], 'sudo --chdir'],
    [['sudo', '-R', '/srv/{{x}}', '/deploy.sh'], 'sudo -R'],
    [['sudo', '--chroot', '{{x}}', '/deploy.sh'], 'sudo --chroot'],
    [['systemd-run', '--working-directory={{x}}', './deploy.sh'], 'systemd-run --working-directory'],
    [['unshare', '-w', '{{x}}', './deploy.sh'], 'unshare -w'],
    [['unshare', '--root={{x}}', '/deploy.sh'], 'unshare --root'],
    [['nsenter', '-t', '1', '--wd={{x}}', './deploy.sh'], 'nsenter --wd'],
    [['nsenter', '-t', '1', '-r', '{{x}}', '/deploy.sh'], 'nsenter -r'],
    [['uvx', '--directory', '{{x}}', 'deploy-tool'], 'uvx --directory'],
    [['uvx', '--project={{x}}', 'deploy-tool'], 'uvx --project'],
    [['uvx', '--config-file', '{{x}}', 'deploy-tool'], 'uvx --config-file'],
    [['conda', 'run', '--cwd', '{{x}}', '-n', 'prod', 'python', 'deploy.py'], 'conda --cwd'],
    [['conda', 'run', '-n', '{{x}}', 'python', 'deploy.py'], 'conda -n'],
    [['micromamba', 'run', '--prefix', '/opt/{{x}}', 'python', 'deploy.py'], 'micromamba --prefix'],
    [['git', '-C', '{{x}}', 'pull'], 'git -C'],
    [['git', '-C', '/srv/{{x}}', 'status'], 'git -C'],
    [['git', '--git-dir={{x}}', 'fetch'], 'git --git-dir'],
    [['git', '--work-tree', '{{x}}', 'checkout', 'main'], 'git --work-tree'],
    [['git', '--exec-path={{x}}', 'pull'], 'git --exec-path'],
    [['kubectl', '--kubeconfig', '{{x}}', 'get', 'pods'], 'kubectl --kubeconfig'],
    [['oc', '--kubeconfig={{x}}', 'get', 'pods'], 'oc --kubeconfig'],
    [['helm', '--kubeconfig', '{{x}}', 'list'], 'helm --kubeconfig'],
    [['helm', '--repository-config={{x}}', 'repo', 'update'], 'helm --repository-config'],
    [['docker', '--config', '{{x}}', 'pull', 'app:1'], 'docker --config'],
    [['cargo', '--config', '{{x}}', 'build'], 'cargo --config'],
    [['docker', 'run', '-w', '{{x}}', 'app:1', './deploy.sh'], 'docker -w'],
    [['docker', 'exec', '--workdir={{x}}', 'app', './deploy.sh'], 'docker --workdir'],
  ] as Array<[string[], string]>)
    assertRefused(spec, message(option));
  assertRefused(['chroot', '{{x}}', '/deploy.sh'], /the root directory chroot runs the program in/);
  assertScriptRefused('ssh host env -C {{x}} ./deploy.sh', /env -C, which chooses the directory/);
  assert.match(
    argvShellProblems(['env', '-C', '{{x}}', './deploy.sh'])[0]!,
    /^\{\{x\}\} is in the value of env -C, .*: what runs is read from there .*write the directory or file in the config and pass the value as an argument/,
  );
  // Other option values, and the value as an argument of the program run there, stay accepted.
  for (const spec of [
    ['env', '-C', '/srv/app', './deploy.sh', '{{x}}'],
    ['env', '-C', '/srv/app', './deploy.sh', '-C', '{{x}}'],
    ['sudo', '-u', '{{x}}', './deploy.sh'],
    ['git', '-C', '/srv/app', 'commit', '-C', '{{x}}'],
    ['git', '-C', '/srv/app', 'tag', '{{x}}'],
    ['kubectl', '-n', '{{x}}', 'get', 'pods'],
    ['conda', 'run', '-n', 'prod', 'python', 'deploy.py', '{{x}}'],
    ['docker', 'run', '-e', 'V={{x}}', 'app:1', './deploy.sh'],
  ])
    assertAccepted(spec);
});

test("git's settings: a template in the key of -c, --config-env or git config, or in the value of a key git runs, is refused", () => {
  for (const [spec, option] of [
    [['git', '-c', '{{x}}', 'pull'], 'git -c'],
    [['git', '-c', '{{x}}=1', 'pull'], 'git -c'],
    [['git', '-c', 'alias.{{x}}=!sh', 'deploy'], 'git -c'],
    [['git', '-c', 'core.sshCommand={{x}}', 'fetch'], 'git -c'],
    [['git', '--config-env={{x}}', 'pull'], 'git --config-env'],
    [['git', '--config-env', 'core.sshCommand={{x}}', 'pull'], 'git --config-env'],
    [['git', 'config', '{{x}}', 'true'], 'git config'],
    [['git', 'config', '--global', 'core.{{x}}', '/tmp/x'], 'git config'],
    [['git', 'config', 'core.sshCommand', '{{x}}'], 'git config core.sshCommand'],
    [['git', 'config', '--global', 'core.hooksPath', '{{x}}'], 'git config core.hooksPath'],
    [['git', 'config', 'set', 'alias.deploy', '!{{x}}'], 'git config alias.deploy'],
    [
      ['git', '-C', '/srv/app', 'config', '--file', '.git/config', 'core.fsmonitor', '{{x}}'],
      'git config core.fsmonitor',
    ],
    [['git', 'config', 'credential.helper', '{{x}}'], 'git config credential.helper'],
    [['git', 'config', 'diff.x.textconv', '{{x}}'], 'git config diff.x.textconv'],
    // Config files included, drivers, editors, remote programs and helpers: each runs or names what runs.
    [['git', '-c', 'include.path={{x}}', 'pull'], 'git -c'],
    [['git', '-c', 'includeIf.onbranch:main.path={{x}}', 'pull'], 'git -c'],
    [['git', 'config', 'include.path', '/srv/{{x}}.gitconfig'], 'git config include.path'],
    [['git', 'config', 'includeIf.gitdir:/srv/.path', '{{x}}'], 'git config includeIf.gitdir:/srv/.path'],
    [['git', 'config', 'merge.ours.driver', '{{x}} %A'], 'git config merge.ours.driver'],
    [['git', '-c', 'sequence.editor={{x}}', 'rebase', '-i', 'main'], 'git -c'],
    [['git', '-c', 'remote.origin.uploadpack={{x}}', 'fetch'], 'git -c'],
    [['git', 'config', 'remote.origin.receivepack', '{{x}}'], 'git config remote.origin.receivepack'],
    [['git', 'config', 'remote.origin.vcs', '{{x}}'], 'git config remote.origin.vcs'],
    [['git', 'config', 'diff.x.command', '{{x}}'], 'git config diff.x.command'],
    [['git', 'config', 'filter.lfs.smudge', '{{x}}'], 'git config filter.lfs.smudge'],
    [['git', 'config', 'filter.lfs.process', '{{x}}'], 'git config filter.lfs.process'],
    [['git', 'config', 'core.pager', '{{x}}'], 'git config core.pager'],
    [['git', 'config', 'core.editor', '{{x}}'], 'git config core.editor'],
    [['git', 'config', 'core.alternateRefsCommand', '{{x}}'], 'git config core.alternateRefsCommand'],
    [['git', 'config', 'mergetool.x.path', '{{x}}'], 'git config mergetool.x.path'],
    [['git', '-c', 'protocol.ext.allow={{x}}', 'fetch'], 'git -c'],
  ] as Array<[string[], string]>)
    assertRefused(spec, new RegExp(`"${option.replace(/\./g, '\\.')}", a command that is run`));
  for (const spec of [
    ['git', '-c', 'user.name={{x}}', 'commit', '-m', 'release'],
    ['git', 'config', 'user.email', '{{x}}'],
    ['git', 'config', '--global', 'user.name', '{{x}}'],
    ['git', 'commit', '-m', 'config', '--', '{{x}}'],
    ['git', 'tag', '-a', 'v{{x}}', '-m', 'config'],
    ['git', '-C', '/srv/app', 'config', 'user.name', '{{x}}'],
    ['git', 'config', 'submodule.lib.path', '{{x}}'],
    ['git', '-c', 'merge.ours.name={{x}}', 'merge', 'main'],
  ])
    assertAccepted(spec);
  // --upload-pack after the subcommand is still read.
  assertRefused(['git', 'clone', '--upload-pack={{x}}', 'u'], /"git --upload-pack"/);
});

test('ssh -o options choosing whether the host key is checked or what the host gets take no template', () => {
  const trust =
    /"ssh -o StrictHostKeyChecking", which chooses what ssh trusts or gives the host: .*whether the host's key is checked/;
  for (const [spec, message] of [
    [['ssh', '-o', 'StrictHostKeyChecking={{x}}', 'host', 'true'], trust],
    [['ssh', '-oStrictHostKeyChecking={{x}}', 'host', 'true'], trust],
    [['ssh', '-o', 'StrictHostKeyChecking {{x}}', 'host', 'true'], trust],
    [['ssh', 'host', '-o', 'stricthostkeychecking={{x}}', 'true'], /"ssh -o stricthostkeychecking"/],
    [['ssh', '-o', 'ForwardAgent={{x}}', 'host', 'true'], /"ssh -o ForwardAgent".*the agent and its keys/],
    [['ssh', '-o', 'CheckHostIP={{x}}', 'host', 'true'], /"ssh -o CheckHostIP"/],
    [['ssh', '-o', 'VerifyHostKeyDNS={{x}}', 'host', 'true'], /"ssh -o VerifyHostKeyDNS"/],
    [['ssh', '-o', 'UpdateHostKeys={{x}}', 'host', 'true'], /"ssh -o UpdateHostKeys"/],
    [['ssh', '-o', 'ForwardX11={{x}}', 'host', 'true'], /"ssh -o ForwardX11"/],
    [['ssh', '-o', 'PermitLocalCommand={{x}}', 'host', 'true'], /"ssh -o PermitLocalCommand"/],
    [['scp', '-o', 'StrictHostKeyChecking={{x}}', 'a', 'host:b'], /"scp -o StrictHostKeyChecking"/],
    [['sftp', '-oForwardAgent={{x}}', 'host'], /"sftp -o ForwardAgent"/],
    // LocalCommand runs a command: refused as ProxyCommand is.
    [['ssh', '-o', 'LocalCommand={{x}}', 'host', 'true'], /"ssh -o LocalCommand", a command that is run/],
  ] as Array<[string[], RegExp]>)
    assertRefused(spec, message);
  for (const spec of [
    [
      'ssh',
      '-o',
      'StrictHostKeyChecking=accept-new',
      '-o',
      'ForwardAgent=no',
      'host',
      './deploy.sh',
      '{{x}}',
    ],
    ['ssh', '-o', 'StrictHostKeyCheckingX={{x}}', 'host', 'true'],
    ['scp', '-o', 'StrictHostKeyChecking=yes', 'dist/app.tgz', 'host:/srv/app-{{x}}.tgz'],
  ])
    assertAccepted(spec);
});

test('prlimit, envdir, mise exec, nix develop/shell -c and nix-shell --run run a program or a command line: a template there is refused, and envdir DIR too', () => {
  for (const [script, message] of [
    ['prlimit {{x}}', /the program prlimit runs/],
    ['prlimit --nofile=1024 -n1024 {{x}}', /the program prlimit runs/],
    ['prlimit -p 1 --cpu=10 {{x}} a', /the program prlimit runs/],
    ['envdir ./env {{x}}', /the program envdir runs/],
    // envdir DIR: each file of DIR sets a variable of the program (LD_PRELOAD, PATH).
    ['envdir {{x}} ./run.sh', /the directory envdir reads the program's variables from/],
    ['envdir ./env-{{x}} ./run.sh', /the directory envdir reads the program's variables from/],
    ['mise exec node@20 -- {{x}}', /the program mise exec runs/],
    ['mise x -- {{x}} arg', /the program mise x runs/],
    ['mise exec node@20 -c "node {{x}}"', /inside the command "mise exec -c" hands to a shell/],
    ['mise x --command={{x}}', /"mise x -c" hands to a shell/],
    ['nix develop -c {{x}}', /the program nix develop -c runs/],
    ['nix develop .#ci --command {{x}} a', /the program nix develop --command runs/],
    ['nix shell nixpkgs#hello -c {{x}}', /the program nix shell -c runs/],
    ['nix-shell --run {{x}}', /inside the command "nix-shell --run" hands to a shell/],
    ['nix-shell -p hello --command "echo {{x}}"', /"nix-shell --command" hands to a shell/],
  ] as Array<[string, RegExp]>)
    assertScriptRefused(script, message);
  // What they run is read as itself.
  assertScriptRefused('prlimit --cpu=10 helm repo add r https://{{x}}', /the chart repository helm repo add/);
  assertScriptRefused('nix develop -c sh -c "deploy {{x}}"', /inside the script of "sh -c"/);
  for (const script of [
    'prlimit --nofile=1024 ./run {{x}}',
    'envdir ./env ./run.sh {{x}}',
    'mise exec node@20 -- ./deploy.sh {{x}}',
    'mise exec -- ./deploy.sh --version={{x}}',
    'mise run deploy {{x}}',
    'nix develop -c ./deploy.sh {{x}}',
    'nix develop .#ci --command ./deploy.sh --version={{x}}',
    'nix-shell --run ./deploy.sh --argstr version {{x}}',
  ])
    assertScriptAccepted(script);
});
