// bash builtins that run, load or expand a word, name a variable with it, or let it set how the shell runs the
// rest: compgen -W (expanded as a command's words), mapfile -C (a callback), alias, enable -f, hash -p, set
// and shopt options, ${v@P} (a prompt string), and a value naming the variable of unset, printf -v, read,
// [[ -v ]], test -v or declare -n. Each was accepted; each refused form is first run by real bash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { assertScriptAccepted, assertScriptRefused } from '../../helpers/command-checks.ts';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bashLeavesMarker, bashRunsInjectedCommand, referencesByHand } from '../../helpers/bash-injection.ts';

const NAMES = /names the variable of .*: its value would choose which variable, any one/;

test('a value naming the variable of a builtin is refused: bash runs the $(…) of a subscript in the name', () => {
  for (const script of [
    'unset {{x}}',
    'unset -v {{x}}',
    'v={{x}}; unset "$v"',
    'printf -v {{x}} %s 1',
    'printf -v{{x}} %s 1',
    'read {{x}} <<< 1',
    '[[ -v {{x}} ]]',
    'test -v {{x}}',
    '[ -v {{x}} ]',
    'declare -n r={{x}}; echo "$r"',
    'declare {{x}}=1',
  ]) {
    assert.ok(bashRunsInjectedCommand(script), `bash does not run the value of ${script}`);
    assertScriptRefused(script, script.startsWith('read') ? /variable/ : NAMES);
  }
});

test('a value a builtin runs, expands or loads is refused', () => {
  for (const [script, message] of [
    ['compgen -W {{x}}', /is in the word list compgen -W expands as the shell expands a command's words/],
    ['compgen -W "a {{x}}" -- a', /compgen -W/],
    ['echo x > f; mapfile -C {{x}} -c 1 lines < f', /is in the callback mapfile -C runs as code/],
    ['echo x > f; readarray -C{{x}} -c 1 lines < f', /readarray -C/],
    [
      'v={{x}}; echo "${v@P}"',
      /\$\{v@P\} \(character 16\) holds \{\{x\}\} and expands it as a prompt string/,
    ],
    ['echo "${DEPLOY_X@P}"', /\$\{DEPLOY_X@P\}/],
    ['shopt -s expand_aliases; alias run={{x}}\nrun', /is in an alias, whose text the shell runs as code/],
  ] as const) {
    assert.ok(bashRunsInjectedCommand(script), `bash does not run the value of ${script}`);
    assertScriptRefused(script, message);
  }
  // The file hash -p names is run for the name; enable -f loads a shared object into the shell.
  assertScriptRefused('hash -p {{x}} kubectl; kubectl get pods', /is in the file hash -p makes the program/);
  assertScriptRefused('enable -f {{x}} sleep', /is in the file enable -f loads into the shell as code/);
});

test("set's and shopt's options take no value: set -x would print every command with its values", () => {
  // A value xtrace, read as set's first word or as -o's, turns the trace on: the secrets in the commands after
  // it are printed to the log.
  const trace = spawnSync('bash', ['-c', 'set "${DEPLOY_X}"; echo "$TOKEN" > /dev/null'], {
    env: { PATH: process.env.PATH, DEPLOY_X: '-x', TOKEN: 'secret-value' },
    encoding: 'utf8',
    // Not a socket: Debian's bash on a socket stdin takes itself for a remote shell and sources ~/.bashrc.
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  assert.match(trace.stderr, /\+ echo secret-value/, 'bash does not read set {{x}} as options');
  for (const script of [
    'set {{x}}',
    'set -o {{x}}',
    'set +o {{x}}',
    'set -e {{x}}',
    'shopt -s {{x}}',
    'shopt -u {{x}}',
  ])
    assertScriptRefused(script, /(options of set|shell option shopt sets), which change/);
});

test('the same builtins with fixed words, and values as data, stay accepted', () => {
  for (const script of [
    'set -- {{x}}',
    'set -euo pipefail; ./deploy.sh {{x}}',
    'set -x -- {{x}}',
    'set a {{x}}',
    'shopt -s nullglob; ./deploy.sh {{x}}',
    'unset v; echo {{x}}',
    'unset -f {{x}}',
    'read -r v <<< {{x}}; echo "$v"',
    'printf -v v %s {{x}}; echo "$v"',
    'mapfile -t lines < <(echo {{x}})',
    'compgen -W "a b" -- {{x}}',
    'alias k=kubectl; echo {{x}}',
    'declare v={{x}}; echo "$v"',
    'declare -n r=v; v={{x}}; echo "$r"',
    'echo "${v@Q}" {{x}}',
    'v={{x}}; echo "${v@Q}"',
    '[[ -v v ]] && echo {{x}}',
  ]) {
    assert.equal(bashRunsInjectedCommand(script), false, `bash runs the value of ${script}`);
    assertScriptAccepted(script);
  }
});

test("a value in a declaration's word without a fixed = before it names the variable, and may set it", () => {
  // export {{x}} given PATH=/tmp/evil sets PATH: the word's `=` comes from the value. So does export PATH{{x}}
  // given =/tmp/evil, and export -p / readonly -p, which assign too (bash 5.2).
  for (const script of [
    'export {{x}}; ls',
    'export PATH{{x}}; ls',
    'declare -x {{x}}; ls',
    'declare -gx {{x}}; ls',
    'typeset {{x}}; ls',
    'readonly {{x}}; ls',
    'export -p {{x}} > /dev/null; ls',
    'readonly -p {{x}} > /dev/null; ls',
    'f() { local {{x}}; ls; }; f',
    'v={{x}}; export "$v"; ls',
  ]) {
    const runsProgram = bashLeavesMarker((dir, marker) => {
      const bin = join(dir, 'bin');
      mkdirSync(bin);
      writeFileSync(join(bin, 'ls'), `#!/bin/sh\n/usr/bin/touch ${marker}\n`);
      chmodSync(join(bin, 'ls'), 0o755);
      return {
        script: referencesByHand(script),
        env: { DEPLOY_X: script.includes('PATH{{x}}') ? `=${bin}` : `PATH=${bin}` },
      };
    });
    assert.ok(runsProgram, `bash does not set PATH from the value in ${script}`);
    assertScriptRefused(script, NAMES);
  }
  // declare -p prints the variable it names (a secret among them).
  assertScriptRefused('declare -p {{x}}', /names the variable of declare -p/);
  // A value after a fixed `=` is the variable's value; declare -f names a function, printing it.
  for (const script of [
    'export X={{x}}',
    'export X="v-{{x}}"',
    'declare -r X={{x}}',
    'f() { local -r V={{x}}; echo "$V"; }; f',
    'readonly X=a{{x}}b',
    'declare -f {{x}}',
    'export X; X={{x}}',
  ])
    assertScriptAccepted(script);
});
