// Templated values never reach a shell or an interpreter as code, and never become an option:
// - a value that fills an argument from its first character and starts with "-" is refused (`ssh {{host}}` with
//   `-oProxyCommand=…` would run a command), unless the program stopped reading options before it;
// - a template in a word some program runs as code (python -c, node -e, perl/ruby -e, awk/sed/jq programs,
//   su/runuser/flock/script -c, watch, env -S, rsync -e, ssh's ProxyCommand, a shell another program starts)
//   is refused, in an argv command, in a `shell: true` script and in the analysis command provider;
// - in a `shell: true` script, the command ssh sends to the remote shell takes only plain values, and a
//   here-document, here-string or pipe that a shell, an interpreter or ssh reads as code takes no template.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCommandProvider } from '../../../src/analysis/providers/command.ts';
import { parseConfig } from '../../../src/config/load.ts';
import { resolveCommand } from '../../../src/config/resolve.ts';
import { shellCommandLine } from '../../../src/targets/command-line.ts';
import { describeCommand, runCommand, type CommandFailed } from '../../../src/targets/run-command.ts';
import {
  analyzeShellTemplate,
  argvShellProblems,
  renderArgvCommand,
} from '../../../src/targets/shell-script.ts';
import { render, type TemplateValues } from '../../../src/targets/template.ts';
import { workdir } from '../../helpers/command-workdir.ts';

const argvCommand = (spec: string | string[], cwd: string, env: Record<string, string> = {}) =>
  resolveCommand(spec, 'deploy', { shell: false, timeoutMs: 20_000, env, cwd });
const scriptCommand = (run: string, cwd: string, env: Record<string, string> = {}) =>
  resolveCommand({ run, shell: true }, 'deploy', { shell: false, timeoutMs: 20_000, env, cwd });

async function refusal(
  command: ReturnType<typeof argvCommand>,
  values: TemplateValues,
): Promise<CommandFailed> {
  return runCommand(command, values).then(
    () => assert.fail(`${command.shell ? command.script : JSON.stringify(command.argv)} ran`),
    (e: unknown) => e as CommandFailed,
  );
}

const renderAll = (argv: string[], values: TemplateValues) =>
  renderArgvCommand(argv, values, (arg) => render(arg, values));

// Option look-alikes a value may hold (a ref, a host or a variable from elsewhere), each harmful somewhere.
const OPTION_VALUES = [
  '-oProxyCommand=touch PWNED',
  '--upload-pack=touch PWNED',
  '-e',
  '--output=PWNED',
  '--kubeconfig=/tmp/evil',
  '-',
  '-rf',
];

// Commands of the programs deployments use, with a template where a positional argument belongs.
const POSITIONAL: Array<[string[], string]> = [
  // (ssh {{host}} and scp/rsync {{host}}:path are refused when the config loads: the value would choose the
  // host, which gets the commands and the runner's ssh keys: ssh-destinations.test.ts.)
  [['git', 'checkout', '{{host}}'], 'git'],
  [['git', 'fetch', 'origin', '{{host}}'], 'git'],
  [['kubectl', 'rollout', 'restart', '{{host}}'], 'kubectl'],
  [['helm', 'upgrade', '--install', '{{host}}', './chart'], 'helm'],
  // (docker pull {{host}} is refused when the config loads: the value would be the whole image.)
  [['docker', 'logs', '{{host}}'], 'docker'],
  [['curl', '-fsS', '{{host}}'], 'curl'],
  [['./deploy.sh', '{{host}}'], 'deploy.sh'],
  [['sudo', '-u', 'app', 'git', 'checkout', '{{host}}'], 'sudo'],
  // A wrapper's `--` ends the wrapper's options, not those of the program it runs.
  [['kubectl', 'exec', 'app-0', '--', 'git', 'checkout', '{{host}}'], 'kubectl'],
  [['sudo', '-u', 'app', '--', 'git', 'checkout', '{{host}}'], 'sudo'],
  // A wrapper's long option with its value written apart, or short options together: the -- is still the wrapper's.
  [['sudo', '--user', 'app', '--', 'git', 'checkout', '{{host}}'], 'sudo'],
  [
    ['sudo', '--preserve-env', '--group', 'app', '--chdir', '/srv', '--', 'git', 'checkout', '{{host}}'],
    'sudo',
  ],
  [['sudo', '-Eu', 'app', '--', 'git', 'checkout', '{{host}}'], 'sudo'],
  [['env', '--unset', 'GIT_DIR', '--chdir', '/srv', '--', 'git', 'checkout', '{{host}}'], 'env'],
  [
    ['timeout', '--signal', 'KILL', '--kill-after', '5', '--', '10', 'git', 'checkout', '{{host}}'],
    'timeout',
  ],
  [['nice', '--adjustment', '5', '--', 'git', 'checkout', '{{host}}'], 'nice'],
  [['ionice', '--class', '3', '--', 'git', 'checkout', '{{host}}'], 'ionice'],
  [['docker', 'compose', 'run', 'app', 'git', 'checkout', '{{host}}'], 'docker'],
  [['ssh', '--', 'app1', 'deploy', '{{host}}'], 'ssh'],
];

test('a value that would start an argument with "-" is refused, for every program and option look-alike, before anything runs', async (t) => {
  const dir = workdir(t, 'code-operands');
  for (const [spec, program] of POSITIONAL) {
    for (const host of OPTION_VALUES) {
      for (const command of [argvCommand(spec, dir), scriptCommand(shellCommandLine(spec), dir)]) {
        const error = await refusal(command, { host });
        assert.equal(error.reasonCode, 'template', error.message);
        assert.match(
          error.message,
          new RegExp(
            `^deploy: (the value of \\{\\{host\\}\\} starts with "-" and is a whole argument of ${program.replace('.', '\\.')}, which would read it as an option: a value is never passed as an option; write the option and the value as one word \\(--name=\\{\\{host\\}\\}\\), or put -- before it|\\{\\{host\\}\\} is in the command ssh runs through the remote host's shell|\\{\\{host\\}\\} is in the name of the local file (scp|rsync) writes)`,
          ),
          `${JSON.stringify(spec)} ${command.shell ? '(shell)' : '(argv)'} with ${JSON.stringify(host)}`,
        );
        assert.throws(() => describeCommand(command, { host }), /"-"|remote host's shell|(scp|rsync) writes/);
      }
    }
    // A value that does not start with "-" is one argument as before.
    assert.deepEqual(
      renderAll(spec, { host: 'app-1.example.com' }).argv,
      spec.map((arg) => arg.replace('{{host}}', 'app-1.example.com')),
    );
  }
  // ssh would have run the ProxyCommand here (no network: ssh never got as far as connecting).
  assert.deepEqual(readdirSync(dir), [], 'a value became an option');
  // Templates that start an argument together: an empty one does not hide the "-" of the next.
  const values = { ref: '', host: '-oProxyCommand=x' };
  for (const command of [
    argvCommand(['git', 'checkout', '{{ref}}{{host}}'], dir),
    scriptCommand('git checkout "{{ref}}"{{host}}', dir),
    scriptCommand("git checkout '{{ref}}{{host}}'", dir),
  ])
    assert.match((await refusal(command, values)).message, /the value of \{\{host\}\} starts with "-"/);
  assert.doesNotThrow(() => describeCommand(scriptCommand('git checkout x{{ref}}{{host}}', dir), values));
});

test('where the program no longer reads options, a value starting with "-" is an argument', () => {
  const values = { ref: '-x', host: '--kubeconfig=/tmp/evil' };
  const accepted: string[][] = [
    ['git', 'checkout', '--', '{{ref}}'],
    ['git', 'log', '--format=%H', '--grep={{ref}}'],
    ['kubectl', 'exec', 'app-0', '--', 'git', 'checkout', '--', '{{ref}}'],
    ['sudo', '-u', 'app', 'git', 'checkout', '--', '{{ref}}'],
    ['sudo', '-u', 'app', '--', 'git', 'checkout', '--', '{{ref}}'],
    ['sudo', '--user', 'app', '--', 'git', 'checkout', '--', '{{ref}}'],
    ['sudo', '--user', 'app', 'git', 'checkout', '--', '{{ref}}'],
    ['sudo', '-E', 'git', 'checkout', '--', '{{ref}}'],
    ['nice', '--adjustment', '5', 'git', 'checkout', '--', '{{ref}}'],
    ['timeout', '10', 'git', 'checkout', '--', '{{ref}}'],
    ['helm', 'upgrade', '--set', 'image.tag={{ref}}', 'app', './chart'],
    ['sh', '-c', 'deploy -- "$1"', 'sh', '{{ref}}'],
    ['/usr/bin/env', 'bash', '-c', 'deploy -- "$1"', 'bash', '{{ref}}'],
    ['python3', '-c', 'import sys; print(sys.argv[1])', '{{ref}}'],
    ['printf', '%s\\n', '{{ref}}'],
    ['test', '{{ref}}', '=', '-x'],
    ['./deploy.sh', '--slot={{host}}', '--', '{{ref}}'],
  ];
  for (const argv of accepted) assert.doesNotThrow(() => renderAll(argv, values), JSON.stringify(argv));
  for (const script of [
    'git checkout -- {{ref}}',
    'deploy "--ref={{ref}}"',
    'echo "deploying {{ref}}"',
    '[ "$X" = {{ref}} ] || exit 1',
    'case {{ref}} in -*) exit 1;; esac',
    "printf '%s' {{ref}}",
    'deploy --target=x{{host}}',
  ]) {
    const analysis = analyzeShellTemplate(script);
    assert.ok(analysis.ok, script);
    assert.ok(
      analysis.sites.every((site) => site.leading === undefined),
      `${script}: ${JSON.stringify(analysis.sites)}`,
    );
  }
});

// ssh {{host}} is refused whatever the value (the host takes no template); given -oProxyCommand, ssh is never
// started either way.
test('ssh {{host}} with -oProxyCommand runs nothing: ssh is never started', async (t) => {
  const dir = workdir(t, 'code-operands');
  const command = argvCommand(['ssh', '-F', '/dev/null', '-o', 'BatchMode=yes', '{{host}}', 'true'], dir);
  const error = await refusal(command, { host: `-oProxyCommand=touch ${join(dir, 'PWNED')}` });
  assert.equal(error.reasonCode, 'template');
  assert.equal(existsSync(join(dir, 'PWNED')), false);
  // The analysis command provider renders argv the same way.
  const read = await createCommandProvider('cmd', {
    type: 'command',
    run: ['ssh', '-F', '/dev/null', '{{version}}', 'metrics'],
    cwd: dir,
    retries: 0,
  }).read({
    side: 'canary',
    vars: { version: `-oProxyCommand=touch ${join(dir, 'PWNED')}` },
    metrics: [{ name: 'ok', config: { provider: 'cmd' } }],
    intervalMs: 1000,
    signal: AbortSignal.timeout(10_000),
  });
  assert.equal(read.errors[0]?.code, 'template');
  assert.match(read.errors[0]?.message ?? '', /\{\{version\}\} is in the host ssh logs in to/);
  assert.equal(existsSync(join(dir, 'PWNED')), false);
});

// Programs that run a word as code, by how they are called (directly, or started by a wrapper).
const CODE: Array<[string[], RegExp]> = [
  [['python3', '-c', 'print("{{ref}}")'], /inside the code "python3 -c" runs: .*sys\.argv\[1\]/],
  [['/usr/bin/python3.12', '-Ic', 'import os; os.system("{{ref}}")'], /"python3\.12 -c"/],
  [['python', '-W', 'ignore', '-c', 'x = "{{ref}}"'], /"python -c"/],
  [['node', '-e', 'console.log("{{ref}}")'], /"node -e" runs: .*process\.argv\[1\]/],
  [['node', '--eval', 'run("{{ref}}")'], /"node --eval"/],
  [['node', '--eval=run("{{ref}}")'], /"node --eval"/],
  [['node', '-p', '"{{ref}}"'], /"node -p"/],
  [['perl', '-e', 'print "{{ref}}"'], /"perl -e" runs: .*\$ARGV\[0\]/],
  [['perl', '-ne', 'print if /{{ref}}/', 'file'], /"perl -e"/],
  [['perl', '-MFile::Temp', '-E', 'say "{{ref}}"'], /"perl -E"/],
  [['ruby', '-e', 'puts "{{ref}}"'], /"ruby -e" runs: .*ARGV\[0\]/],
  [['php', '-r', 'echo "{{ref}}";'], /"php -r" runs: .*\$argv\[1\]/],
  [['lua', '-e', 'print("{{ref}}")'], /"lua -e"/],
  [['awk', '{ print "{{ref}}" }', 'file'], /"awk program" runs: .*ENVIRON\["DEPLOY_REF"\]/],
  [['gawk', '-F:', '-v', 'x=1', 'BEGIN { print "{{ref}}" }'], /"gawk program"/],
  [['mawk', '--', '{ print "{{ref}}" }'], /"mawk program"/],
  [
    ['sed', '-i', 's/old/{{ref}}/e', 'app.conf'],
    /"sed script" runs: sed would run code in its value; sed runs commands from its script.*ENVIRON\["DEPLOY_REF"\]/,
  ],
  [['sed', '-ne', 's/a/{{ref}}/w out', 'f'], /"sed script"/],
  [['sed', '--expression=1i {{ref}}', 'f'], /"sed script"/],
  // Only one script that is a single s command, with a delimiter no value holds, may take a template.
  [['sed', '-i', 's/a/{{ref}}/;s/b/c/', 'f'], /"sed script"/],
  [['sed', '-e', 's/a/{{ref}}/', '-e', 's/b/c/e', 'f'], /"sed script"/],
  [['sed', '-f', 'extra.sed', '-e', 's/a/{{ref}}/', 'f'], /"sed script"/],
  [['sed', 's,a,{{ref}},', 'f'], /"sed script"/],
  [['sed', 's.a.{{ref}}.', 'f'], /"sed script"/],
  [['sed', 'sxax{{ref}}x', 'f'], /"sed script"/],
  [['sed', 's a {{ref}} ', 'f'], /"sed script"/],
  [['sed', 's/a/\\{{ref}}/', 'f'], /"sed script"/],
  [['sed', 's/a/{{ref}}', 'f'], /"sed script"/],
  [['sed', 's/a/b/{{ref}}', 'f'], /"sed script"/],
  [['jq', '.version = "{{ref}}"', 'f.json'], /"jq filter" runs: .*--arg value \{\{ref\}\}/],
  [['yq', 'eval', '.version = "{{ref}}"', 'f.yml'], /"yq filter" runs: .*strenv\(DEPLOY_REF\)/],
  [['psql', '-h', 'db', '-c', "update t set v = '{{ref}}'"], /"psql -c" runs/],
  [['mysql', '-uroot', '-e', "select '{{ref}}'"], /"mysql -e" runs/],
  [['su', 'deploy', '-c', 'deploy {{ref}}'], /inside the command "su -c" hands to a shell/],
  [['su', '-', 'deploy', '--command=deploy {{ref}}'], /"su --command" hands to a shell/],
  [['runuser', '-l', 'app', '-c', 'deploy {{ref}}'], /"runuser -c" hands to a shell/],
  [['flock', '/tmp/deploy.lock', '-c', 'deploy {{ref}}'], /"flock -c" hands to a shell: .*flock FILE sh -c/],
  [['flock', '-w', '10', '/tmp/l', '--command', 'deploy {{ref}}'], /"flock --command"/],
  [['script', '-q', '-c', 'deploy {{ref}}', '/dev/null'], /"script -c"/],
  [
    ['watch', '-n', '5', 'curl -s {{ref}}'],
    /"watch" hands to a shell: that shell would run code in its value; use watch -x/,
  ],
  [['watch', 'deploy', '{{ref}}'], /"watch" hands to a shell/],
  [['parallel', 'deploy {{ref}} {}', ':::', 'a', 'b'], /"parallel" hands to a shell/],
  [['env', '-S', 'deploy {{ref}}'], /inside the string "env -S" splits into words/],
  [['rsync', '-e', 'ssh -p {{ref}}', 'a', 'b:c'], /inside the string "rsync -e" splits into words/],
  [['rsync', '--rsync-path=sudo {{ref}}', 'a', 'b:c'], /"rsync --rsync-path", a command that is run/],
  [['ssh', '-o', 'ProxyCommand=nc {{ref}} 22', 'app1'], /"ssh -o ProxyCommand", a command that is run/],
  [['ssh', '-oLocalCommand=echo {{ref}}', 'app1', 'true'], /"ssh -o LocalCommand"/],
  [['scp', '-o', 'ProxyCommand=nc {{ref}} 22', 'a', 'b:'], /"scp -o ProxyCommand"/],
  [['git', '-c', 'core.sshCommand=ssh -i {{ref}}', 'fetch'], /"git -c", a command that is run/],
  [['git', 'clone', '--upload-pack=cd {{ref}} && git-upload-pack', 'u'], /"git --upload-pack"/],
  [['tar', '-I', 'zstd -{{ref}}', '-cf', 'a.tar', 'dir'], /"tar -I", a command that is run/],
  [['tar', '--to-command=deploy {{ref}}', '-xf', 'a.tar'], /"tar --to-command"/],
  [['tar', '-cf', 'a.tar', '--checkpoint-action=exec=deploy {{ref}}', 'dir'], /"tar --checkpoint-action"/],
  // split --filter runs its command through $SHELL for each piece; sort --compress-program runs a program.
  [
    ['split', '-b', '1M', '--filter=gzip > $FILE.{{ref}}', 'dist/app.tgz'],
    /"split --filter", a command that is run/,
  ],
  [['split', '--filter', 'deploy {{ref}}', 'dist/app.tgz'], /"split --filter"/],
  [
    ['sort', '--compress-program=zstd{{ref}}', 'list.txt'],
    /"sort --compress-program", a command that is run/,
  ],
  [['sort', '--compress', '{{ref}}', 'list.txt'], /"sort --compress-program"/],
  // Wrappers that exec their argument: the interpreter or shell they start is found past them.
  [['timeout', '10', 'bash', '-c', 'deploy {{ref}}'], /"bash -c", which timeout starts/],
  [['nice', '-n', '5', 'sh', '-c', 'deploy {{ref}}'], /"sh -c", which nice starts/],
  [['setsid', 'sh', '-c', 'deploy {{ref}}'], /"sh -c", which setsid starts/],
  [['nohup', 'bash', '-c', 'deploy {{ref}}'], /"bash -c", which nohup starts/],
  [['stdbuf', '-oL', 'sh', '-c', 'deploy {{ref}}'], /"sh -c", which stdbuf starts/],
  [['sudo', '-u', 'app', 'bash', '-c', 'deploy {{ref}}'], /"bash -c", which sudo starts/],
  [['env', 'A=1', 'python3', '-c', 'print("{{ref}}")'], /"python3 -c"/],
  [['xargs', '-I{}', 'sh', '-c', 'deploy {} {{ref}}'], /"sh -c", which xargs starts/],
  [
    ['find', '.', '-name', '*.tgz', '-exec', 'sh', '-c', 'deploy "$1" {{ref}}', 'sh', '{}', ';'],
    /"sh -c", which find starts/,
  ],
  [['docker', 'exec', 'app', 'python3', '-c', 'run("{{ref}}")'], /"python3 -c"/],
  [['kubectl', 'exec', 'app-0', '--', 'perl', '-e', 'run("{{ref}}")'], /"perl -e"/],
  [['sudo', '-u', 'postgres', 'psql', '-c', "select '{{ref}}'"], /"psql -c"/],
];

test('a template in a word a program runs as code is refused: by config, at run time, in a shell script and in the analysis provider', async (t) => {
  const dir = workdir(t, 'code-operands');
  for (const [spec, message] of CODE) {
    const problems = argvShellProblems(spec);
    assert.ok(problems.length > 0, `${JSON.stringify(spec)} was accepted`);
    assert.match(problems[0]!, /^\{\{ref\}\} is (inside|in) /, JSON.stringify(spec));
    assert.match(problems[0]!, message, JSON.stringify(spec));
    for (const ref of ['main', '"); touch PWNED; ("', "'; touch PWNED #"]) {
      const error = await refusal(argvCommand(spec, dir), { ref });
      assert.equal(error.reasonCode, 'template', error.message);
      assert.equal(error.message, `deploy: ${problems[0]!}`);
    }
    // The same command in a `shell: true` script: the reference would be expanded into the code.
    const script = shellCommandLine(spec);
    const analysis = analyzeShellTemplate(script);
    assert.equal(analysis.ok, false, script);
    if (!analysis.ok) {
      assert.equal(analysis.problems[0]!.reason, 'code', script);
      assert.match(analysis.problems[0]!.message, /^\{\{ref\}\} \(character \d+\) is (inside|in) /, script);
      assert.match(analysis.problems[0]!.message, message, script);
    }
    // The config names it at its field.
    const parsed = parseConfig(
      `target:\n  commands:\n    deploy: ${JSON.stringify(spec)}\nenvironments:\n  production: {}\n`,
      'deploy.yml',
    );
    assert.equal(parsed.ok, false, JSON.stringify(spec));
    if (!parsed.ok)
      assert.ok(
        parsed.errors.some((e) => e.path === 'target.commands.deploy' && message.test(e.message)),
        JSON.stringify(parsed.errors),
      );
  }
  const read = await createCommandProvider('cmd', {
    type: 'command',
    run: ['python3', '-c', 'import json; print(json.dumps({"ok": "{{version}}" == "v1"}))'],
    cwd: dir,
    retries: 0,
  }).read({
    side: 'canary',
    vars: { version: 'v1' },
    metrics: [{ name: 'ok', config: { provider: 'cmd' } }],
    intervalMs: 1000,
    signal: AbortSignal.timeout(10_000),
  });
  assert.equal(read.errors[0]?.code, 'template');
  assert.match(read.errors[0]?.message ?? '', /\{\{version\}\} is inside the code "python3 -c" runs/);
  // The safe form there: every value is in the provider's environment as its DEPLOY_* variable.
  const fromEnv = await createCommandProvider('cmd', {
    type: 'command',
    run: [
      'awk',
      'BEGIN { printf "{\\"ok\\": %d}", ENVIRON["DEPLOY_SLOT"] == "blue;$(x)" && ENVIRON["DEPLOY_PHASE"] == "baseline" }',
    ],
    cwd: dir,
    retries: 0,
  }).read({
    side: 'canary',
    vars: { version: 'v1', slot: 'blue;$(x)', phase: 'baseline' },
    metrics: [{ name: 'ok', config: { provider: 'cmd' } }],
    intervalMs: 1000,
    signal: AbortSignal.timeout(10_000),
  });
  assert.deepEqual(fromEnv, { values: { ok: 1 }, errors: [] });
  assert.deepEqual(readdirSync(dir), []);
});

// Values that are code in some language: a payload that leaves a file behind if any of them runs it.
const CODE_VALUES = [
  '"); import os; os.system("touch PWNED"); ("',
  '"; system("touch PWNED"); "',
  "'; touch PWNED; '",
  '$(touch PWNED)',
  '`touch PWNED`',
  '"+require("fs").writeFileSync("PWNED","")+"',
  '} BEGIN { system("touch PWNED") } {',
  '-e',
  'plain-1.2',
];

test('the safe forms the messages name pass each value as data', async (t) => {
  const dir = workdir(t, 'code-operands');
  const safe: Array<string | string[]> = [
    ['python3', '-c', 'import sys; sys.stdout.write(sys.argv[1])', '{{ref}}'],
    [process.execPath, '-e', 'process.stdout.write(process.argv[1])', '--', '{{ref}}'],
    ['perl', '-e', 'print $ARGV[0]', '--', '{{ref}}'],
    ['awk', 'BEGIN { printf "%s", ENVIRON["DEPLOY_REF"] }'],
    ['jq', '-j', '-n', '--arg', 'value', '{{ref}}', '$value'],
    ['flock', join(dir, 'lock'), 'sh', '-c', 'printf %s "$1"', 'sh', '{{ref}}'],
    ['timeout', '10', 'sh', '-c', 'printf %s "$1"', 'sh', '{{ref}}'],
  ];
  for (const spec of safe) {
    assert.deepEqual(argvShellProblems(typeof spec === 'string' ? [spec] : spec), [], JSON.stringify(spec));
    // Payloads and an option look-alike (python only the python payload: its start-up can be slow).
    const values = spec[0] === 'python3' ? [0, 7] : [0, 1, 2, 3, 5, 6, 7];
    for (const ref of values.map((index) => CODE_VALUES[index]!)) {
      const result = await runCommand(argvCommand(spec, dir), { ref });
      assert.equal(result.stdout, ref, `${JSON.stringify(spec)} with ${JSON.stringify(ref)}`);
    }
  }
  assert.deepEqual(
    readdirSync(dir).filter((name) => name !== 'lock'),
    [],
    'a value was run as code',
  );
});

test('in a shell script, a program that runs a word as code gets no template there, and nothing runs', async (t) => {
  const dir = workdir(t, 'code-operands');
  const scripts: Array<[string, RegExp]> = [
    [
      'sh -c "printf %s {{ref}}"',
      /inside the script of "sh -c": that shell would run code in its value; pass the value as an argument instead: sh -c '… "\$1" …' sh \{\{ref\}\}/,
    ],
    ["bash -c 'printf %s {{ref}}'", /inside the script of "bash -c"/],
    ['eval "printf %s {{ref}}"', /is in the arguments of eval, which the shell runs as code/],
    ['eval printf %s {{ref}}', /arguments of eval/],
    ['trap "printf %s {{ref}}" EXIT', /arguments of trap.*trap '… "\$DEPLOY_REF" …' EXIT/],
    ['python3 -c "print(\'{{ref}}\')"', /"python3 -c"/],
    ['x=$(perl -e "print q({{ref}})"); echo "$x"', /"perl -e"/],
    ['cd /tmp && timeout 5 bash -c "printf %s {{ref}}" | cat', /"bash -c", which timeout starts/],
    ['A=1 env B=2 sh -c "printf %s {{ref}}"', /"sh -c", which env starts/],
    ['if true; then su app -c "deploy {{ref}}"; fi', /"su -c"/],
    ['awk "BEGIN { print \\"{{ref}}\\" }"', /"awk program"/],
    ["sed -i 's/^version=.*/version={{ref}}/e' app.conf", /"sed script"/],
    ["sed -i -e 's/^version=.*/version={{ref}}/' -e '$ a x' app.conf", /"sed script"/],
    ['docker exec app sh -c "deploy {{ref}}"', /"sh -c", which docker starts/],
  ];
  for (const [script, message] of scripts) {
    const analysis = analyzeShellTemplate(script);
    assert.equal(analysis.ok, false, script);
    if (!analysis.ok) {
      assert.equal(analysis.problems[0]!.reason, 'code', script);
      assert.match(analysis.problems[0]!.message, message, script);
    }
    for (const ref of CODE_VALUES) {
      const error = await refusal(scriptCommand(script, dir), { ref });
      assert.equal(error.reasonCode, 'template', error.message);
    }
  }
  assert.deepEqual(readdirSync(dir), [], 'a value was run as code');
  // Data, not code: the value reaches these programs as an argument or on standard input.
  for (const script of [
    'sh -c \'printf %s "$1"\' sh {{ref}}',
    'python3 -c "import sys; print(sys.argv[1])" {{ref}}',
    "jq -n --arg v {{ref}} '$v'",
    "awk -f report.awk 'x{{ref}}'",
    'cat <<EOF > version.txt\n{{ref}}\nEOF',
    'printf "%s\\n" {{ref}} | ssh app1 \'read -r ref; deploy "$ref"\'',
    'ssh app1 "cat > /srv/version" <<EOF\n{{ref}}\nEOF',
    'git -c user.name={{ref}} commit -m "deploy {{ref}}"',
    'ssh -o ConnectTimeout={{weight}} app1 true',
    'cat <<< "{{ref}}"',
    'cat <<EOF | ssh app1 "cat > /srv/version"\n{{ref}}\nEOF',
    // Not in the pipeline that feeds the shell.
    '{ printf %s {{ref}}; echo true | sh; }',
    'if printf %s {{ref}}; then echo true | sh; fi',
    'printf %s {{ref}} && echo true | sh',
    '(printf %s {{ref}}); echo true | sh',
    'case {{ref}} in a) echo true | sh;; esac',
    'echo {{ref}} | { read -r x; printf %s "$x"; }',
    'echo {{ref}} | xargs -I{} sh -c \'printf %s "$1"\' sh {}',
    'echo {{ref}} | xargs printf %s',
  ])
    assert.ok(analyzeShellTemplate(script).ok, script);
});

/** A stand-in for ssh that runs the remote command with a local shell, as the remote host would. */
function fakeSsh(dir: string): string {
  writeFileSync(
    join(dir, 'ssh'),
    '#!/bin/sh\nwhile :; do case "$1" in -[pioFlJ]) shift 2;; -*) shift;; *) break;; esac; done\nshift\nif [ $# -eq 0 ]; then exec /bin/sh; fi\nexec /bin/sh -c "$*"\n',
  );
  chmodSync(join(dir, 'ssh'), 0o755);
  return dir;
}

test('ssh in a shell script: the remote command takes plain values only; what ssh sends as code takes none', async (t) => {
  const tools = workdir(t, 'code-operands');
  const work = workdir(t, 'code-operands');
  const env = { PATH: `${fakeSsh(tools)}:${process.env.PATH}` };
  const remote = [
    'ssh app1 "printf %s {{ref}}"',
    "ssh -p 2222 app1 'printf %s {{ref}}'",
    'ssh app1 printf %s {{ref}}',
    'for h in app1; do ssh "$h" "printf %s {{ref}}"; done',
    'if ssh app1 "printf %s /srv/{{ref}}"; then :; fi',
    'env A=1 ssh app1 "printf %s {{ref}}"',
  ];
  const HOSTILE = [
    '$(touch PWNED)',
    '`touch PWNED`',
    "'; touch PWNED; '",
    'a;touch PWNED',
    'a b',
    '*',
    '-rf',
  ];
  for (const script of remote) {
    for (const ref of HOSTILE) {
      const error = await refusal(scriptCommand(script, work, env), { ref });
      assert.equal(error.reasonCode, 'template', error.message);
      assert.match(
        error.message,
        /^deploy: \{\{ref\}\} is in the command ssh runs through the remote host's shell, and its value (holds ".+", which that shell would read|starts with "-")/,
        `${script} with ${JSON.stringify(ref)}`,
      );
      assert.match(error.message, /\(character \d+\)$/);
    }
    // A plain value reaches the remote command as that word.
    const result = await runCommand(scriptCommand(script, work, env), { ref: 'release-1.2+build_7' });
    assert.match(result.stdout, /release-1\.2\+build_7$/, script);
  }
  // Here-documents, here-strings and pipes that ssh, a shell or an interpreter reads as code.
  const stdin: Array<[string, RegExp]> = [
    [
      'ssh app1 <<EOF\nprintf %s {{ref}}\nEOF',
      /here-document fed to ssh, which the remote host's shell runs as code: .*ssh HOST bash -s \{\{ref\}\}/,
    ],
    ['ssh app1 bash -s <<EOF\nprintf %s {{ref}}\nEOF', /here-document fed to ssh/],
    ['ssh -T app1 sh <<-EOF\n\tprintf %s "{{ref}}"\n\tEOF', /here-document fed to ssh/],
    [
      'sh <<EOF\nprintf %s {{ref}}\nEOF',
      /here-document fed to sh, which runs it as code: use a quoted here-document \(<<'EOF'\) and read the value from the environment variable DEPLOY_REF/,
    ],
    ['python3 - <<EOF\nprint("{{ref}}")\nEOF', /here-document fed to python3/],
    ['bash <<< "printf %s {{ref}}"', /here-string fed to bash/],
    ['echo "printf %s {{ref}}" | sh', /output of a command piped into sh/],
    ['printf "%s\\n" {{ref}} | ssh app1', /piped into ssh/],
    ['echo "deploy {{ref}}" | at now + 1 minute', /piped into at/],
    ['cat <<EOF | ssh app1\nprintf %s {{ref}}\nEOF', /piped into ssh/],
    ['cat <<EOF | sudo -u app bash\nprintf %s {{ref}}\nEOF', /piped into bash/],
    ['batch <<EOF\ndeploy {{ref}}\nEOF', /here-document fed to batch/],
    ['printf "* * * * * deploy %s\\n" {{ref}} | crontab -', /piped into crontab/],
    // Through other commands of the pipeline: what the first writes still reaches the reader.
    ['cat <<EOF | tee /dev/null | ssh app1\nprintf %s {{ref}}\nEOF', /piped into ssh/],
    ['echo "printf %s {{ref}}" | cat | sh', /piped into sh/],
    ['printf "%s\\n" "{{ref}}" | tee "$(printf %s /dev/null)" | sed s/x/x/ | bash', /piped into bash/],
    ['cat <<< "printf %s {{ref}}" | cat | sh', /piped into sh/],
    // Through compound commands: their commands' output is piped as one, and their standard input is the pipe.
    ['( echo "printf %s {{ref}}" ) | bash', /piped into bash/],
    ['{ echo "printf %s {{ref}}"; } | bash', /piped into bash/],
    ['if true; then echo "printf %s {{ref}}"; fi | sh', /piped into sh/],
    ['for x in 1; do echo "printf %s {{ref}}"; done | sh', /piped into sh/],
    ['echo "printf %s {{ref}}" | (cd . && sh)', /piped into sh/],
    ['echo "printf %s {{ref}}" | while read -r l; do sh; done', /piped into sh/],
    ['cat <<EOF | { cat; } | ssh app1\nprintf %s {{ref}}\nEOF', /piped into ssh/],
    // xargs runs what it reads as the code of a shell or interpreter given none, or in place of -I's string.
    ['echo "printf %s {{ref}}" | xargs -0 sh -c', /piped into xargs/],
    ['echo "{{ref}}" | xargs -I{} sh -c "printf %s {}"', /piped into xargs/],
    ['printf %s "{{ref}}" | xargs -0 -I % python3 -c "print(\'%\')"', /piped into xargs/],
    ['echo "printf %s {{ref}}" |\n  grep . |\n  sudo -u app bash', /piped into bash/],
  ];
  for (const [script, message] of stdin) {
    const analysis = analyzeShellTemplate(script);
    assert.equal(analysis.ok, false, script);
    if (!analysis.ok) {
      assert.equal(analysis.problems[0]!.reason, 'stdin_code', script);
      assert.match(analysis.problems[0]!.message, /^\{\{ref\}\} \(character \d+\) is in /, script);
      assert.match(analysis.problems[0]!.message, message, script);
    }
    for (const ref of HOSTILE) {
      const error = await refusal(scriptCommand(script, work, env), { ref });
      assert.equal(error.reasonCode, 'template', error.message);
    }
  }
  assert.deepEqual(readdirSync(work), [], 'the remote shell ran a value');
});

test('make expands "$" and pastes a variable given on its command line into recipe lines: only plain words go there', async (t) => {
  const dir = workdir(t, 'code-operands');
  writeFileSync(join(dir, 'Makefile'), 'deploy:\n\t@printf %s "$(VERSION)"\n');
  const commands = [
    argvCommand(['make', 'deploy', 'VERSION={{ref}}'], dir),
    argvCommand('make -C . deploy VERSION=v{{ref}}', dir),
    argvCommand(['sudo', '-u', 'app', 'make', 'deploy', 'VERSION:={{ref}}'], dir),
    scriptCommand('make deploy VERSION="{{ref}}"', dir),
    scriptCommand("cd . && make -j2 deploy 'VERSION={{ref}}'", dir),
  ];
  const hostile: Array<[string, string]> = [
    ['$(shell touch PWNED)', '$'],
    ['$$(touch PWNED)', '$'],
    ['${shell touch PWNED}', '$'],
    ['a$b', '$'],
    // No "$", but the recipe's shell runs it once make pastes it into "$(VERSION)".
    ['x`touch PWNED`;id', '`'],
    ['"; touch PWNED; "', '"'],
    ['a;touch PWNED', ';'],
    ['a b', ' '],
  ];
  for (const command of commands)
    for (const [ref, bad] of hostile) {
      const error = await refusal(command, { ref });
      assert.equal(error.reasonCode, 'template', error.message);
      assert.ok(
        error.message.startsWith(
          `deploy: {{ref}} is in a variable assignment given to make, and its value holds ${JSON.stringify(bad)}, which make expands or pastes into the recipe lines the shell runs`,
        ),
        error.message,
      );
      assert.match(
        error.message,
        /only letters, digits and _ \. , : \/ @ % \+ = - may be given to make; read the value as "\$\$DEPLOY_REF" in the recipe/,
      );
    }
  assert.deepEqual(readdirSync(dir), ['Makefile'], 'make ran a value');
  // Plain values reach the recipe as they are; templates elsewhere in a make command are as before.
  for (const command of commands) {
    const ref = 'release-1.2+build_7:a/b@c%d,e=f';
    assert.doesNotThrow(() => describeCommand(command, { ref }));
    if (command.argv?.[0] === 'sudo') continue; // not installed here
    const result = await runCommand(command, { ref });
    assert.ok(result.stdout.includes('release-1.2+build_7:a/b@c%d,e=f'), result.stdout);
  }
  // A target is not a variable: a value there picks the recipe (chosen-program.test.ts).
  assert.throws(() => renderAll(['make', '{{ref}}'], { ref: 'release' }), /is in the target make runs/);
});

test('sed: a script that is one s command takes a plain value in its pattern or replacement, and only that', async (t) => {
  const dir = workdir(t, 'code-operands');
  const manifest = 'image: IMAGE\nversion: VERSION\n';
  const commands = [
    argvCommand(['sed', '-i', 's/VERSION/{{ref}}/', 'k8s.yaml'], dir),
    argvCommand(['sed', '-i', '-e', 's|IMAGE|{{ref}}|g', '-e', 's|VERSION|{{ref}}|g', 'k8s.yaml'], dir),
    argvCommand('sed -i -e "s|IMAGE|app:{{ref}}|g" k8s.yaml', dir),
    argvCommand(['sed', '-i', '--', ' s#{{ref}}#x#2I ', 'k8s.yaml'], dir),
    scriptCommand("sed -i 's/VERSION/{{ref}}/' k8s.yaml", dir),
    scriptCommand('sed -i -e "s|IMAGE|app:{{ref}}|g" k8s.yaml && cat k8s.yaml', dir),
  ];
  // The two -e scripts of the second command are refused: only one script may take a template.
  assert.throws(() => describeCommand(commands[1]!, { ref: 'v1' }), /"sed script"/);
  const usable = commands.filter((_, index) => index !== 1);
  for (const command of usable) {
    writeFileSync(join(dir, 'k8s.yaml'), manifest);
    await runCommand(command, { ref: 'v1.2.3+build_7' });
  }
  const results: string[] = [];
  for (const command of [usable[0]!, usable[1]!]) {
    writeFileSync(join(dir, 'k8s.yaml'), manifest);
    await runCommand(command, { ref: 'v1.2.3+build_7:a@b%c=d,e-f' });
    results.push(readFileSync(join(dir, 'k8s.yaml'), 'utf8'));
  }
  assert.deepEqual(results, [
    'image: IMAGE\nversion: v1.2.3+build_7:a@b%c=d,e-f\n',
    'image: app:v1.2.3+build_7:a@b%c=d,e-f\nversion: VERSION\n',
  ]);
  // Anything sed could read as part of its script is refused before sed runs, naming the character.
  const hostile: Array<[string, string]> = [
    ['x/e touch PWNED', '/'],
    ['x|e touch PWNED', '|'],
    ['x#e touch PWNED', '#'],
    ['x\ne touch PWNED', '\n'],
    ['x\\', '\\'],
    ['$(touch PWNED)', '$'],
    ['a b', ' '],
    ['a&b', '&'],
  ];
  for (const command of usable)
    for (const [ref, bad] of hostile) {
      writeFileSync(join(dir, 'k8s.yaml'), manifest);
      const error = await refusal(command, { ref });
      assert.equal(error.reasonCode, 'template', error.message);
      assert.ok(
        error.message.startsWith(
          `deploy: {{ref}} is in a sed script, and its value holds ${JSON.stringify(bad)}, which sed would read as part of the script`,
        ),
        error.message,
      );
      assert.match(
        error.message,
        /write the file with awk instead, reading the value as ENVIRON\["DEPLOY_REF"\]/,
      );
      assert.equal(readFileSync(join(dir, 'k8s.yaml'), 'utf8'), manifest);
    }
  assert.deepEqual(readdirSync(dir), ['k8s.yaml'], 'sed ran a value');
  // The config accepts the safe form.
  for (const spec of [
    ['sed', '-i', 's/VERSION/{{version}}/', 'k8s.yaml'],
    ['sed', '-i', '-e', 's|IMAGE|{{version}}|g', 'k8s.yaml'],
  ]) {
    const parsed = parseConfig(
      `target:\n  commands:\n    deploy: ${JSON.stringify(spec)}\nenvironments:\n  production: {}\n`,
      'deploy.yml',
    );
    assert.ok(parsed.ok, JSON.stringify(parsed));
  }
});

test('a shell or interpreter given no code after its flag is not a crash: its code comes from elsewhere', () => {
  assert.deepEqual(argvShellProblems(['python3', '-c']), []);
  assert.deepEqual(argvShellProblems(['xargs', 'sh', '-c']), []);
  assert.ok(analyzeShellTemplate('printf %s {{ref}}; xargs sh -c </dev/null').ok);
});
