// heroku's variables (run -e's NAME=VALUE;… list, config:set), finch read as the nerdctl it hands its words to,
// and the tools mise exec and nix install, build and run: a value there chose a variable, a mount, the tool or
// the flake whose code runs, and was accepted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderShellScript } from '../../../src/targets/shell-script.ts';
import { TemplateError } from '../../../src/targets/template.ts';
import {
  assertAccepted,
  assertRefused,
  assertScriptAccepted,
  assertScriptRefused,
} from '../../helpers/command-checks.ts';

test("heroku run -e and config:set take no value in a variable's name, nor in one that loads code", () => {
  for (const [argv, what] of [
    [
      ['heroku', 'run', '-a', 'app', '-e', '{{x}}=1', './run.sh'],
      /the name of a variable heroku run -e sets/,
    ],
    [
      ['heroku', 'run', '-a', 'app', '-e', 'LD_PRELOAD={{x}}', './run.sh'],
      /the variable LD_PRELOAD heroku run -e sets/,
    ],
    [
      ['heroku', 'run:detached', '--env=A=1;NODE_OPTIONS={{x}}', './run.sh'],
      /the variable NODE_OPTIONS heroku run:detached/,
    ],
    // oclif reads its options among the command's words too.
    [
      ['heroku', 'run', '-a', 'app', './run.sh', '-e', 'BASH_ENV={{x}}'],
      /the variable BASH_ENV heroku run -e sets/,
    ],
    [['heroku', 'config:set', '{{x}}=1', '-a', 'app'], /the name of the config var heroku config:set sets/],
    [['heroku', 'config:set', 'LD_PRELOAD={{x}}', '-a', 'app'], /the variable LD_PRELOAD/],
  ] as const)
    assertRefused([...argv], what);
  assertAccepted(['heroku', 'config:set', 'VERSION={{x}}', '-a', 'app']);
});

test('a value in heroku run -e is checked once rendered to hold no ";", which adds a variable', () => {
  const script = 'heroku run -a app -e "VERSION={{x}}" ./run.sh';
  assertScriptAccepted(script);
  assert.throws(
    () => renderShellScript(script, { x: '1;LD_PRELOAD=/tmp/evil.so' }),
    (e: unknown) => e instanceof TemplateError && /heroku run -e sets in the dyno.*holds ";"/.test(e.message),
  );
  assert.doesNotThrow(() => renderShellScript(script, { x: 'v1.2.3' }));
});

test('finch (and nerdctl.lima) is read as nerdctl: its mounts, rights and subcommand', () => {
  assertRefused(['finch', 'run', '--privileged={{x}}', 'img'], /--privileged/);
  assertRefused(['finch', '{{x}}', 'ps'], /the subcommand nerdctl runs/);
  assertScriptRefused('finch run -e LD_PRELOAD={{x}} img', /the variable LD_PRELOAD/);
  for (const script of ['finch run -v {{x}}:/data img', 'nerdctl.lima run -v {{x}}:/data img'])
    assert.throws(
      () => renderShellScript(script, { x: '/etc' }),
      (e: unknown) => e instanceof TemplateError && /the name of a volume a container mounts/.test(e.message),
    );
  assertAccepted(['finch', 'run', '-e', 'VERSION={{x}}', 'registry.example.com/app:1']);
});

test('the tools mise exec installs and the flake or package nix runs, builds or puts on PATH take no template', () => {
  for (const [argv, what] of [
    [['mise', 'exec', '{{x}}', '--', 'node', 'app.js'], /the tool mise exec installs and runs/],
    [['mise', 'x', 'node@{{x}}', '--', 'node', 'app.js'], /the tool mise x installs and runs/],
    [['nix', 'run', '{{x}}'], /the app nix run runs .*its value would choose which program runs/],
    [['nix', 'run', 'github:{{x}}/tools#deploy', '--', 'prod'], /the app nix run runs/],
    [['nix', 'shell', 'nixpkgs#{{x}}', '-c', 'hello'], /the installable nix shell builds/],
    [['nix', 'build', '.#app-{{x}}'], /the installable nix build builds/],
    [['nix', 'run', '--expr', '{{x}}'], /the value of nix run --expr/],
    [['nix', 'run', '.#deploy', '--override-input', 'nixpkgs', '{{x}}'], /nix run --override-input/],
  ] as const)
    assertRefused([...argv], what);
  for (const argv of [
    ['mise', 'exec', 'node@20', '--', './deploy.sh', '{{x}}'],
    ['nix', 'run', '.#deploy', '--', '{{x}}'],
    ['nix', 'run', '.#deploy', '--argstr', 'version', '{{x}}'],
    ['nix', 'develop', '-c', './deploy.sh', '{{x}}'],
  ])
    assertAccepted(argv);
});

test('lima (limactl shell default) is a wrapper: the program it runs in the VM, its variables and workdir', () => {
  for (const [argv, what] of [
    [['lima', '{{x}}'], /the word naming the program lima runs/],
    [['lima', '{{x}}=1', './deploy.sh'], /the word naming the program lima runs/],
    [['lima', '--workdir', '{{x}}', './deploy.sh'], /the value of lima --workdir/],
    [['lima', 'nerdctl', '{{x}}'], /the subcommand nerdctl runs/],
  ] as const)
    assertRefused([...argv], what);
  assertScriptRefused('lima LD_PRELOAD={{x}} ./deploy.sh', /the variable LD_PRELOAD/);
  assert.throws(
    () => renderShellScript('lima nerdctl run -v {{x}}:/data img', { x: '/etc' }),
    (e: unknown) => e instanceof TemplateError && /the name of a volume a container mounts/.test(e.message),
  );
  assertAccepted(['lima', './deploy.sh', '{{x}}']);
});
