// A word a program of the command reads as a name of its own (its subcommand, a make/just/rake/task target, a
// package.json or composer.json script, a mise/turbo/nx task) is not a program, whatever it is called: `gh run
// watch {{id}}` is gh's, `make watch ARG={{x}}` make's, `npm run env -- {{x}}` runs the script "env". Such words
// are not judged by the rules of the program they are named after (launchers.ts' nameWords). Where the word may
// be a program (after a wrapper not known here, npx, npm exec, poetry run, a bare pnpm NAME, after `--`), and
// for cargo watch, which has rules of its own (-s runs a shell), the refusals hold.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { argvShellProblems } from '../../../src/targets/shell-script.ts';
import {
  assertAccepted,
  assertRefused,
  assertScriptAccepted,
  assertScriptRefused,
  renderArgv,
} from '../../helpers/command-checks.ts';

const WATCH = /inside the command "watch" hands to a shell/;

test('a program name that is a task runner target, a script or task name is no program: accepted', () => {
  for (const spec of [
    ['make', 'watch', 'ARG={{x}}'],
    ['make', '-C', 'web', 'watch', 'ARG={{x}}'],
    ['npm', 'run', 'watch', '--', '{{x}}'],
    ['npm', 'run-script', 'watch', '--', '{{x}}'],
    ['yarn', 'watch', '{{x}}'],
    ['yarn', 'run', 'watch', '{{x}}'],
    ['pnpm', 'run', 'watch', '{{x}}'],
    ['pnpm', '--filter', 'web', 'run', 'watch', '{{x}}'],
    ['just', 'watch', '{{x}}'],
    ['task', 'watch', '--', '{{x}}'],
    ['rake', 'watch', 'V={{x}}'],
    ['invoke', 'watch', '--env', '{{x}}'],
    ['mage', 'watch', '{{x}}'],
    ['deno', 'task', 'watch', '{{x}}'],
    ['composer', 'run', 'watch', '{{x}}'],
    ['mise', 'run', 'watch', '{{x}}'],
    ['turbo', 'run', 'watch', '--', '{{x}}'],
    ['nx', 'run', 'watch', '{{x}}'],
    ['sudo', '-u', 'app', 'make', 'watch', 'ARG={{x}}'],
    // Other programs with rules of their own, as names: code (eval, trap, sed, awk, jq, parallel, sg), what
    // runs a program (env, sudo, nice, nohup, time), a shell or interpreter's script file, ssh's host, a file
    // read (sort, cat, find).
    ['make', 'trap', 'ARG={{x}}'],
    ['just', 'jq', '{{x}}'],
    ['task', 'eval', '--', '{{x}}'],
    ['npm', 'run', 'sed', '--', '{{x}}'],
    ['yarn', 'awk', '{{x}}'],
    ['rake', 'parallel', 'V={{x}}'],
    ['invoke', 'sg', '--env', '{{x}}'],
    ['npm', 'run', 'env', '--', '{{x}}'],
    ['pnpm', 'run', 'sudo', '{{x}}'],
    ['mise', 'run', 'nice', '{{x}}'],
    ['composer', 'run', 'nohup', '{{x}}'],
    ['npm', 'run', 'time', '--', '{{x}}'],
    ['npm', 'run', 'sh', '--', '{{x}}'],
    ['yarn', 'run', 'python', '{{x}}'],
    ['npm', 'run', 'ssh', '--', '{{x}}'],
    ['npm', 'run', 'sort', '--', '{{x}}'],
    ['pnpm', 'run', 'cat', '{{x}}'],
    ['composer', 'run', 'find', '{{x}}'],
    // xargs' rules (its options choose where what it reads lands) are the program xargs', not a script's.
    ['composer', 'run', 'xargs', '{{x}}'],
    ['npm', 'run', 'xargs', '--', '-I', '{{x}}'],
    ['make', 'xargs', 'ARG={{x}}'],
    // An editor's -c runs ex commands; a script or subcommand named after it runs none (gh codespace view).
    ['npm', 'run', 'vim', '--', '-c', '{{x}}'],
    ['gh', 'codespace', 'view', '-c', '{{x}}'],
  ])
    assertAccepted(spec);
  assertScriptAccepted('make watch ARG="{{x}}" && npm run watch -- "{{x}}"');
});

test("a program name that is a known tool's subcommand is no program: accepted", () => {
  for (const spec of [
    ['gh', 'run', 'watch', '{{x}}'],
    ['gh', 'run', 'watch', '{{x}}', '--exit-status'],
    ['gh', '-R', 'org/app', 'run', 'watch', '{{x}}'],
    ['gh', 'run', 'watch', '-R', 'org/app', '{{x}}'],
    ['git', 'watch', '{{x}}'],
    ['kubectl', 'watch', '{{x}}'],
    ['kubectl', 'rollout', 'watch', '{{x}}'],
    ['helm', 'watch', '{{x}}'],
    ['docker', 'watch', '{{x}}'],
    ['docker', 'compose', 'watch', 'web'],
    ['git', 'remote', 'eval', '{{x}}'],
    ['helm', 'repo', 'trap', '{{x}}'],
  ])
    assertAccepted(spec);
});

test("a make target's variable keeps make's check once rendered", () => {
  // make expands a "$" in a variable's value: still refused when the command runs.
  assert.throws(() => renderArgv(['make', 'watch', 'ARG={{x}}'], '$(shell id)'), /make/);
  assert.doesNotThrow(() => renderArgv(['make', 'watch', 'ARG={{x}}'], 'v1.2.3'));
});

test('where the word may be a program, its rules hold: still refused', () => {
  for (const spec of [
    // A wrapper not known here may run it; the wrappers known run it.
    ['my-wrapper', 'watch', '{{x}}'],
    ['my-wrapper', 'make', 'watch', '{{x}}'],
    ['sudo', 'watch', '{{x}}'],
    ['timeout', '60', 'watch', '{{x}}'],
    ['env', 'A=1', 'watch', '{{x}}'],
    ['nice', 'watch', '{{x}}'],
    ['xargs', 'watch', '{{x}}'],
    // Package runners run the package's program; a bare pnpm NAME runs a program when no script has the name.
    ['npx', 'watch', '{{x}}'],
    ['npm', 'exec', 'watch', '{{x}}'],
    ['yarn', 'exec', 'watch', '{{x}}'],
    ['pnpm', 'watch', '{{x}}'],
    ['pnpm', 'exec', 'watch', '{{x}}'],
    ['bun', 'run', 'watch', '{{x}}'],
    ['poetry', 'run', 'watch', '{{x}}'],
    ['uv', 'run', 'watch', '{{x}}'],
    ['bundle', 'exec', 'watch', '{{x}}'],
    // The command a container runs, the words after a `--` a tool hands on, a subcommand's operand.
    ['kubectl', 'exec', 'pod', '--', 'watch', '{{x}}'],
    ['docker', 'run', 'alpine', 'watch', '{{x}}'],
    ['docker', 'compose', 'exec', 'web', 'watch', '{{x}}'],
    ['npm', 'run', 'deploy', '--', 'watch', '{{x}}'],
  ])
    assertRefused(spec, WATCH);
  assertRefused(['poetry', 'run', 'env', '{{x}}'], /the program env runs/);
  assertRefused(['pnpm', 'run', 'deploy', '&&', 'sh', '-c', '{{x}}'], /sh -c/);
  assertScriptRefused('echo a | sudo xargs -I {{x}} echo', /is in an option of xargs/);
  assertRefused(['sudo', 'vim', '-c', '{{x}}'], /the ex command vim -c runs/);
  assertScriptRefused('echo a | npx xargs -I {{x}} echo', /is in an option of xargs/);
  // A tool's subcommand named after ssh, scp or rsync does what they do: oc rsync sends the local directory.
  assertRefused(['oc', 'rsync', '{{x}}', 'pod:/srv'], /the local file rsync reads and sends/);
});

test('a templated target, script or subcommand keeps its refusal', () => {
  assertRefused(['make', '{{x}}'], /the target make runs/);
  assertRefused(['make', 'watch', '{{x}}'], /the target make runs/);
  assertRefused(['npm', 'run', '{{x}}'], /the program npm run runs/);
  assertRefused(['yarn', 'run', '{{x}}'], /the program yarn run runs/);
  assertRefused(['composer', 'run', '{{x}}'], /the program composer run runs/);
  assertRefused(['mise', 'run', '{{x}}'], /the program mise run runs/);
  assertRefused(['just', '{{x}}'], /the target just runs/);
  assertRefused(['mage', '{{x}}'], /the target mage runs/);
  assertRefused(['mage', '-d', '{{x}}', 'deploy'], /mage -d/);
  assertRefused(['gh', '{{x}}', 'watch'], /the subcommand gh runs/);
  assertRefused(['cargo', '{{x}}'], /the subcommand cargo runs/);
});

test('cargo watch is judged by its own rules: -s runs a shell, -x a cargo command it splits into words', () => {
  const SHELL = /inside the command "cargo watch (-s|--shell|--)" hands to a shell/;
  for (const spec of [
    ['cargo', 'watch', '-s', '{{x}}'],
    ['cargo', 'watch', '--shell', './deploy.sh {{x}}'],
    ['cargo', 'watch', '--shell=./deploy.sh {{x}}'],
    ['cargo', 'watch', '-qcs', '{{x}}'],
    ['cargo', '-Z', 'unstable-options', 'watch', '-s', '{{x}}'],
    ['cargo', 'watch', '-w', 'src', '-x', 'check', '--', './deploy.sh', '{{x}}'],
    ['cargo-watch', '-s', '{{x}}'],
    ['cargo-watch', 'watch', '-s', '{{x}}'],
  ])
    assertRefused(spec, SHELL);
  const SPLIT = /inside the string "cargo watch (-x|--exec)" splits into words/;
  for (const spec of [
    ['cargo', 'watch', '-x', '{{x}}'],
    ['cargo', 'watch', '-x', 'run -- {{x}}'],
    ['cargo', 'watch', '-qcx', '{{x}}'],
    ['cargo', 'watch', '-x{{x}}'],
    ['cargo', 'watch', '--exec={{x}}'],
    ['cargo', 'watch', '-w', 'src', '--exec', '{{x}}'],
  ])
    assertRefused(spec, SPLIT);
  assertRefused(
    ['cargo', 'watch', '--use-shell', '{{x}}', '-s', 'make'],
    /the shell cargo watch --use-shell runs/,
  );
  // -C/--workdir: the directory its commands run in, the project they build.
  assertRefused(['cargo', 'watch', '--workdir', '{{x}}', '-x', 'check'], /the value of cargo --workdir/);
  assertRefused(['cargo', 'watch', '-C', '{{x}}', '-x', 'check'], /the value of cargo -C/);
  // Its own options' values that run nothing, and commands without a template, stay accepted.
  assertAccepted(['cargo', 'watch', '-x', 'check', '-w', 'src/{{x}}']);
  assertAccepted(['cargo', 'watch', '-x', 'check', '-s', './notify.sh']);
  // cargo +TOOLCHAIN (rustup's toolchain selector) is no subcommand: watch is still cargo's, and said once.
  const once = argvShellProblems(['cargo', '+nightly', 'watch', '-s', '{{x}}']);
  assert.equal(once.length, 1, once.join('\n'));
  assert.match(once[0]!, SHELL);
  assertRefused(['cargo', '+nightly', 'watch', '-x', 'run -- {{x}}'], SPLIT);
  assertRefused(['cargo', '+{{x}}', 'build'], /the toolchain cargo \+TOOLCHAIN runs/);
  assertRefused(['cargo', '+nightly', '{{x}}'], /the subcommand cargo runs/);
  assertAccepted(['cargo', '+nightly', 'watch', '-x', 'check', '-w', 'src/{{x}}']);
  assertAccepted(['cargo', '+nightly', 'run', '--bin', 'deploy', '--', '{{x}}']);
  // cargo's other subcommands keep their rules.
  assertAccepted(['cargo', 'run', '--bin', 'deploy', '--', '{{x}}']);
  assertRefused(['cargo', 'run', '--bin', '{{x}}'], /the target cargo run --bin runs/);
});
