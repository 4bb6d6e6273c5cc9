// A templated value never chooses what runs: the program of a command, the program a wrapper runs (sudo,
// timeout, env, nice, xargs, find -exec, docker/kubectl exec), the file `source`/`.` reads, the script or module
// a shell or an interpreter loads, and the same words of the command ssh runs on the remote host. A plain word
// there still picks any program on PATH or any file of the checkout, so a template there is refused whatever its
// value: by the config at its field, before the command starts, in argv commands and `shell: true` scripts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../../../src/config/load.ts';
import { resolveCommand } from '../../../src/config/resolve.ts';
import { shellCommandLine } from '../../../src/targets/command-line.ts';
import { chosenWords } from '../../../src/targets/launchers.ts';
import { runCommand, type CommandFailed } from '../../../src/targets/run-command.ts';
import { analyzeShellTemplate, argvShellProblems } from '../../../src/targets/shell-script.ts';
import { workdir, commandDefaults as defaults } from '../../helpers/command-workdir.ts';
import { assertScriptAccepted, assertScriptRefused } from '../../helpers/command-checks.ts';

// [command, what the message names]
const CHOSEN: Array<[string[], RegExp]> = [
  [
    ['{{x}}', 'deploy'],
    /in the word naming the program \(\{\{x\}\}\): its value would choose which program runs/,
  ],
  [['./{{x}}'], /the word naming the program \(\.\/\{\{x\}\}\)/],
  [['/opt/{{x}}/bin/run', 'deploy'], /the word naming the program \(\/opt\/\{\{x\}\}\/bin\/run\)/],
  [
    ['source', '{{x}}'],
    /the file source reads and runs \(\{\{x\}\}\): its value would choose the code that runs/,
  ],
  [['.', './env-{{x}}.sh'], /the file \. reads and runs/],
  [['bash', '{{x}}'], /the file bash loads and runs as code \(\{\{x\}\}\).*\(bash FILE \{\{x\}\}\)/],
  [['sh', 'deploy-{{x}}.sh'], /the file sh loads and runs as code \(deploy-\{\{x\}\}\.sh\)/],
  [['bash', '-e', '--', '{{x}}'], /the file bash loads and runs as code/],
  [['python3', '{{x}}.py'], /the file python3 loads and runs as code/],
  [['python3', '-u', '-m', '{{x}}'], /the file python3 loads and runs as code/],
  [['node', '{{x}}'], /the file node loads and runs as code/],
  [['node', '--require', '{{x}}', 'app.js'], /the file node loads and runs as code/],
  [['perl', '{{x}}'], /the file perl loads and runs as code/],
  [['ruby', '-r{{x}}', 'app.rb'], /the file ruby loads and runs as code/],
  [['awk', '-f', '{{x}}', 'data'], /the file awk loads and runs as code/],
  [['make', '-f', '{{x}}', 'deploy'], /the file make loads and runs as code/],
  [['psql', '-f', '{{x}}'], /the file psql loads and runs as code/],
  [['java', '-Xmx1g', '-jar', 'app-{{x}}.jar'], /the file java loads and runs as code/],
  [['deno', 'run', '--allow-net', '{{x}}.ts'], /the file deno loads and runs as code/],
  [['tsx', '{{x}}'], /the file tsx loads and runs as code/],
  // Behind wrappers.
  [['sudo', '{{x}}'], /the word naming the program sudo runs/],
  [['command', '-p', '{{x}}', 'deploy'], /the word naming the program command runs/],
  [['sudo', '-u', 'app', '-E', '{{x}}', 'deploy'], /the word naming the program sudo runs/],
  [['sudo', '-u', 'app', 'bash', '{{x}}'], /the file bash loads and runs as code/],
  [['timeout', '10', '{{x}}'], /the word naming the program timeout runs/],
  [['timeout', '-k', '5', '10', 'python3', '{{x}}'], /the file python3 loads and runs as code/],
  [['env', 'A=1', '{{x}}'], /the word naming the program env runs/],
  [['env', '-u', 'HOME', '--', '{{x}}'], /the word naming the program env runs/],
  [['nice', '-n', '5', '{{x}}'], /the word naming the program nice runs/],
  [['nohup', 'setsid', 'stdbuf', '-oL', '{{x}}'], /the word naming the program stdbuf runs/],
  [['xargs', '-n', '1', '{{x}}'], /the word naming the program xargs runs/],
  [
    ['find', '.', '-name', '*.tgz', '-exec', '{{x}}', '{}', ';'],
    /the word naming the program find -exec runs/,
  ],
  [['docker', 'exec', '-u', 'app', 'web', '{{x}}'], /the word naming the program docker exec runs/],
  [['docker', 'run', '--rm', '-e', 'A=1', 'app:v1', '{{x}}'], /the word naming the program docker run runs/],
  [
    ['docker', 'run', '--entrypoint', '{{x}}', 'app:v1'],
    /the word naming the program docker --entrypoint runs/,
  ],
  [['docker', 'compose', 'exec', 'web', 'sh', '{{x}}'], /the file sh loads and runs as code/],
  [['kubectl', 'exec', 'web-0', '-c', 'app', '--', '{{x}}'], /the word naming the program kubectl exec runs/],
  [['npx', '{{x}}'], /the word naming the program npx runs/],
  [['scp', '-S', '{{x}}', 'a', 'host:/srv/'], /the word naming the program scp -S runs/],
  // sftp -S: the program for the connection; sftp -D: the sftp server it runs instead of connecting.
  [['sftp', '-S', '{{x}}', 'host'], /the word naming the program sftp -S runs/],
  [['sftp', '-D', '{{x}}'], /the word naming the program sftp -D runs/],
  // Read as getopt reads them: glued (-S{{x}}), or last of a cluster (-qS {{x}}, -vD {{x}}).
  [['sftp', '-D{{x}}', 'host'], /the word naming the program sftp -D runs \(-D\{\{x\}\}\)/],
  [['sftp', '-vD', '{{x}}', 'host'], /the word naming the program sftp -D runs/],
  [['sftp', '-S{{x}}', 'host'], /the word naming the program sftp -S runs/],
  [['scp', '-S{{x}}', 'a', 'host:/srv/'], /the word naming the program scp -S runs/],
  [['scp', '-qS', '{{x}}', 'a', 'host:/srv/'], /the word naming the program scp -S runs/],
  [['scp', '-q', '-S{{x}}', 'a', 'host:/srv/'], /the word naming the program scp -S runs/],
  // A subcommand may be a program of its own (git-*, kubectl-* on PATH, aliases, package scripts).
  [
    ['git', '-C', '/srv', '{{x}}', 'main'],
    /the subcommand git runs \(\{\{x\}\}\): its value would choose what git does/,
  ],
  [['kubectl', '-n', 'prod', '{{x}}', 'deploy/app'], /the subcommand kubectl runs/],
  [['npm', 'run', '{{x}}'], /the program npm run runs/],
  // The command ssh runs on the remote host: the same words there.
  [
    ['ssh', 'app1', '{{x}}'],
    /the program, on the remote host \(\{\{x\}\}\): its value would choose what runs there/,
  ],
  [['ssh', 'app1', 'cd /srv && ./{{x}} now'], /the program, on the remote host/],
  [['ssh', 'app1', 'bash {{x}}'], /the file bash loads and runs as code, on the remote host/],
  [['ssh', 'app1', 'sudo {{x}}'], /the program sudo runs, on the remote host/],
  [['ssh', 'app1', 'printf %s {{x}} | sh'], /is in what the remote line feeds to sh, which runs it as code/],
  [
    ['ssh', 'app1', 'sh -c {{x}}'],
    /the code "sh -c" runs on the remote host .*: the remote host would run its value as code/,
  ],
];

// Plain words, none of which may pick what runs: a program on PATH, a file of the checkout, a module.
const PLAIN = ['touch', 'README.md', 'pwned', 'http.server'];

test('a template in a word that chooses what runs is refused, whatever its value, before anything runs', async (t) => {
  const dir = workdir(t, 'chosen-program');
  for (const [spec, message] of CHOSEN) {
    const problems = argvShellProblems(spec);
    assert.ok(problems.length > 0, `${JSON.stringify(spec)} was accepted`);
    assert.match(problems[0]!, /^\{\{x\}\} is in /, JSON.stringify(spec));
    assert.match(problems[0]!, message, JSON.stringify(spec));
    for (const x of PLAIN) {
      const error = await runCommand(resolveCommand(spec, 'deploy', defaults(dir)), { x }).then(
        () => assert.fail(`${JSON.stringify(spec)} ran with ${x}`),
        (e: unknown) => e as CommandFailed,
      );
      assert.equal(error.reasonCode, 'template', error.message);
      assert.equal(error.message, `deploy: ${problems[0]!}`);
    }
    // The same command as a `shell: true` script.
    const script = shellCommandLine(spec);
    const analysis = analyzeShellTemplate(script);
    assert.equal(analysis.ok, false, script);
    if (!analysis.ok) {
      assert.ok(['chooses', 'code'].includes(analysis.problems[0]!.reason), script);
      assert.match(analysis.problems[0]!.message, /^\{\{x\}\} \(character \d+\) is in /, script);
      assert.match(analysis.problems[0]!.message, message, script);
    }
    // The config names it at its field, for an argv list and a script alike.
    for (const deploy of [JSON.stringify(spec), JSON.stringify({ run: script, shell: true })]) {
      const parsed = parseConfig(
        `target:\n  commands:\n    deploy: ${deploy}\nenvironments:\n  production:\n    variables: { x: a }\n`,
        'deploy.yml',
      );
      assert.equal(parsed.ok, false, deploy);
      if (!parsed.ok)
        assert.ok(
          parsed.errors.some((e) => e.path.startsWith('target.commands.deploy') && message.test(e.message)),
          JSON.stringify(parsed.errors),
        );
    }
  }
  assert.deepEqual(readdirSync(dir), [], 'a command ran');
});

test('what xargs reads must not choose what it runs: a template piped into it there is refused', () => {
  for (const script of [
    'printf %s {{x}} | xargs -I{} {} --now',
    'printf %s {{x}} | xargs sudo',
    'printf %s {{x}} | xargs -r kubectl',
    'printf %s {{x}} | xargs -I{} bash {}',
  ]) {
    const analysis = analyzeShellTemplate(script);
    assert.equal(analysis.ok, false, script);
    if (!analysis.ok)
      assert.match(
        analysis.problems[0]!.message,
        /^\{\{x\}\} \(character 11\) is in the output of a command piped into xargs, which would make it the program, subcommand or script xargs runs, or its code: name what runs after xargs and let the value be its argument \(xargs -I\{\} \.\/deploy\.sh \{\}\)/,
        script,
      );
  }
  for (const script of [
    'printf %s {{x}} | xargs',
    'printf %s {{x}} | xargs -I{} ./deploy.sh {}',
    'printf %s {{x}} | xargs -n1 kubectl delete pod',
  ])
    assert.ok(analyzeShellTemplate(script).ok, script);
});

test('the message says why no value is safe there and names the safe form', () => {
  const [program] = argvShellProblems(['{{x}}', 'deploy']);
  assert.match(program!, /even a plain word picks any program on PATH/);
  assert.match(
    program!,
    /name the program in the config and pass the value as an argument \(\.\/deploy\.sh \{\{x\}\}\)/,
  );
  assert.match(program!, /environments\.<name>\.target/);
  const [script] = argvShellProblems(['python3', '{{x}}.py']);
  assert.match(script!, /even a plain word picks any file of the checkout/);
  assert.match(script!, /\(python3 FILE \{\{x\}\}\)/);
});

test('a template where a wrapper takes an option value, an operand or the program its argument is accepted', async (t) => {
  const dir = workdir(t, 'chosen-program');
  writeFileSync(join(dir, 'show.sh'), '#!/bin/sh\nprintf "%s\\n" "$@"\n');
  chmodSync(join(dir, 'show.sh'), 0o755);
  const accepted: string[][] = [
    ['./show.sh', '{{x}}'],
    ['sh', 'show.sh', '{{x}}'],
    ['bash', '-e', 'show.sh', '--', '{{x}}'],
    ['sh', '-c', './show.sh "$1"', 'sh', '{{x}}'],
    ['sudo', '-u', '{{x}}', 'deploy'],
    ['timeout', '{{x}}', './show.sh'],
    ['env', 'VERSION={{x}}', './show.sh'],
    ['nice', '-n', '{{x}}', './show.sh'],
    ['docker', 'run', '--rm', '-e', 'V={{x}}', 'app:{{x}}', 'deploy'],
    ['docker', 'exec', '{{x}}', 'deploy'],
    ['kubectl', 'exec', '{{x}}', '--', 'deploy', '{{x}}'],
    ['kubectl', 'get', 'node', '{{x}}'],
    ['kubectl', '-n', '{{x}}', 'get', 'pods'],
    ['git', '-c', 'user.name={{x}}', 'commit', '-m', 'release'],
    ['helm', 'upgrade', '--install', '{{x}}', './chart'],
    // A pattern of find's after fixed text (starting it, the value would choose what rm gets: file-writes.ts).
    ['find', '.', '-name', 'app-{{x}}.tgz', '-exec', 'rm', '{}', ';'],
    ['ssh', 'app1', 'deploy {{x}}'],
    ['ssh', 'app1', 'cd /srv && ./deploy.sh {{x}}'],
    ['ssh', 'app1', 'cd /srv; VERSION={{x}} ./deploy.sh'],
    ['python3', '-m', 'deploy', '{{x}}'],
    ['node', 'dist/cli.js', '{{x}}'],
    ['java', '-jar', 'app.jar', '{{x}}'],
    ['deno', 'run', '--allow-net', 'deploy.ts', '{{x}}'],
    ['make', 'deploy', 'VERSION={{x}}'],
    ['psql', '{{x}}', '-f', 'migrate.sql'],
    ['mysql', '{{x}}'],
    // command -v / -V looks a name up and runs nothing.
    ['command', '-v', '{{x}}'],
    ['command', '-V', '{{x}}'],
  ];
  for (const spec of accepted) {
    assert.deepEqual(argvShellProblems(spec), [], JSON.stringify(spec));
    assert.ok(analyzeShellTemplate(shellCommandLine(spec)).ok, JSON.stringify(spec));
  }
  // And it runs with the value as an argument.
  const result = await runCommand(resolveCommand(['sh', 'show.sh', '{{x}}'], 'deploy', defaults(dir)), {
    x: 'README.md',
  });
  assert.equal(result.stdout, 'README.md');
});

test('chosenWords: the remote command names only its own templates, not the word ssh got', () => {
  const word = chosenWords(['ssh', 'app1', '{{cmd}} {{version}}']).find((w) => w.index === 2);
  assert.deepEqual(word, {
    index: 2,
    program: 0,
    kind: 'remote-program',
    how: 'the program, on the remote host',
    names: ['cmd'],
  });
  assert.deepEqual(
    chosenWords(['ssh', 'app1', 'deploy {{version}}']).filter((w) => w.index === 2),
    [],
  );
});

test('cd or pushd to a value, then a command reading what it runs from there, is refused naming both', () => {
  const message = /is in the directory (cd|pushd) changes to, and a later command/;
  for (const script of [
    'cd {{x}} && ./deploy.sh',
    'cd /srv/{{x}} && ./deploy.sh',
    'cd {{x}}\n./deploy.sh --env prod',
    'pushd {{x}} && ./deploy.sh && popd',
    'cd -P -- /srv/{{x}} && bin/deploy',
    'cd "releases/{{x}}"; sudo ./deploy.sh',
    'cd {{x}} && bash deploy.sh',
    'cd {{x}} && python3 deploy.py',
    'cd {{x}} && source env.sh',
    'cd {{x}} && make',
    'cd {{x}} && make deploy',
    'cd {{x}} && npm ci && npm run deploy',
    'cd {{x}} && git pull',
    'cd {{x}} && terraform apply -auto-approve',
    'cd {{x}} && docker compose up -d',
    'cd {{x}} && docker build -t app:1 .',
    'cd {{x}} && kubectl apply -f k8s/',
    'cd {{x}} && helm upgrade app ./chart',
    'cd {{x}} && bundle exec cap production deploy',
    'd=/srv/{{x}}; cd "$d" && ./deploy.sh',
    'cd "$DEPLOY_X" && ./deploy.sh',
    'if true; then cd {{x}}; fi; ./deploy.sh',
  ])
    assertScriptRefused(script, message);
  const [problem] = problemsOf('cd /srv/{{x}} && ./deploy.sh {{env}}').split('\n');
  assert.match(
    problem!,
    /^\{\{x\}\} \(character 9\) is in the directory cd changes to, and a later command \(\.\/deploy\.sh \{\{env\}\}\) runs \.\/deploy\.sh, a path from there: its value would choose the code that runs .*write the directory in the config \(cd services\/api && \.\/deploy\.sh \{\{x\}\}\)/,
  );
  // A function of the script called after the cd runs its body there.
  assertScriptRefused(
    'f() { ./deploy.sh; }; cd {{x}}; f',
    /a later command \(f\) calls the function f, which runs \.\/deploy\.sh/,
  );
  assertScriptRefused(
    'deploy() { make deploy; }\ncd {{x}} && deploy',
    /calls the function deploy, which runs make/,
  );
  assertScriptRefused('function g { echo a; bash run.sh; }; cd /srv/{{x}}; g', /calls the function g/);
  assertScriptAccepted('f() { ls -la; }; cd {{x}}; f');
  // Through a function's or an inline script's parameter, and on ssh's remote line.
  assert.match(
    problemsOf('f() { cd "$1" && ./deploy.sh; }; f {{x}}'),
    /there \$1 is in the directory cd changes to/,
  );
  assert.match(
    problemsOf("ssh host 'cd /srv/{{x}} && ./deploy.sh'"),
    /the directory cd changes to on the remote host/,
  );
  assert.match(
    problemsOf('ssh host cd /srv/{{x}} "&&" make'),
    /the directory cd changes to on the remote host/,
  );
  // A directory the value chose, where nothing run is read from it, stays accepted; so does a fixed cd.
  for (const script of [
    'cd /srv/releases/{{x}} && tar xzf /tmp/app.tgz && ln -sfn /srv/releases/{{x}} /srv/current',
    'mkdir -p /srv/{{x}} && cd /srv/{{x}} && ls -la',
    'cd {{x}} && /opt/deploy/bin/deploy',
    'cd {{x}} && python3 /opt/deploy.py',
    'cd {{x}} && kubectl rollout status deploy/app && echo done',
    'cd /srv/app && ./deploy.sh {{x}}',
    'cd /srv/app && make deploy VERSION={{x}}',
    "ssh host 'cd /srv/{{x}} && tar xzf /tmp/app.tgz'",
  ])
    assertScriptAccepted(script);
});

test("cd to a value: builtin cd, code a shell, eval or a wrapper runs there, and functions called to any depth are followed; a fixed cd, popd or a subshell's end clears it", () => {
  const message = /is in the directory (cd|pushd) changes to, and a later command/;
  for (const script of [
    'builtin cd {{x}}; ./deploy.sh',
    'command cd /srv/{{x}} && make deploy',
    'cd {{x}} && bash -c ./deploy.sh',
    "cd {{x}}; sh -c 'make deploy'",
    'cd {{x}} && sudo bash -c ./deploy.sh',
    "cd {{x}} && sudo -u app sh -c 'npm ci && npm run deploy'",
    'cd {{x}}; eval ./deploy.sh',
    "cd {{x}}; script -qc './deploy.sh' /dev/null",
    'cd {{x}}; watch ./status.sh',
    'g() { ./deploy.sh; }; f() { g; }; h() { f; }; cd {{x}}; h',
    // A fixed cd on another branch, or after && or ||, may not run: the value's directory may still be the one.
    'cd /srv/{{x}} || cd /opt/app; ./deploy.sh',
    'cd /srv/{{x}}; if [ -d x ]; then cd /opt/app; fi; ./deploy.sh',
    // popd returns to the directory before the fixed pushd: the value's.
    'cd {{x}}; pushd /opt; popd; ./deploy.sh',
    // A cd to a relative directory stays under the value's.
    'cd {{x}}; cd app; ./deploy.sh',
  ])
    assertScriptRefused(script, message);
  assertScriptRefused(
    'g() { ./deploy.sh; }; f() { g; }; cd {{x}}; f',
    /calls the function f, which calls the function g, which runs \.\/deploy\.sh/,
  );
  assertScriptRefused('cd {{x}}; bash -c ./deploy.sh', /runs code \(bash -c\) that runs \.\/deploy\.sh/);
  assert.match(
    problemsOf("ssh host 'builtin cd /srv/{{x}} && ./deploy.sh'"),
    /the directory cd changes to on the remote host/,
  );
  assert.match(
    problemsOf("ssh host 'cd /srv/{{x}} && bash -c ./deploy.sh'"),
    /the directory cd changes to on the remote host/,
  );
  for (const script of [
    'cd /srv/releases/{{x}} && tar xzf /tmp/app.tgz; cd /opt/app; ./deploy.sh',
    'pushd /srv/releases/{{x}} && tar xzf /tmp/app.tgz; popd; ./deploy.sh',
    '(cd /srv/releases/{{x}} && tar xzf /tmp/app.tgz); ./deploy.sh',
    'd=$(cd /srv/releases/{{x}} && pwd); ./deploy.sh',
    'cd {{x}}; pushd /opt/app; ./deploy.sh',
    "cd {{x}} && bash -c 'cd /opt/app && ./deploy.sh'",
    "cd {{x}} && bash -c 'echo done'",
    'f() { ls; }; g() { f; }; cd {{x}}; g',
  ])
    assertScriptAccepted(script);
});

function problemsOf(script: string): string {
  const analysis = analyzeShellTemplate(script);
  return analysis.ok ? '' : analysis.problems.map((p) => p.message).join('\n');
}
