// A variable programs read to load code or choose what they run (LD_PRELOAD, PATH, NPM_CONFIG_REGISTRY when
// exported, …) takes no template however the script sets it: NAME+=…, NAME[0]=…, read, mapfile, printf -v,
// for, getopts, a nameref to it; and a template assigned to a variable whose name is an expansion (export
// $n={{x}}, declare "$n"=…, read "$n", printf -v "$n", export {A,B}=…) may set any of them. Each was accepted.
import { test } from 'node:test';
import { assertScriptAccepted, assertScriptRefused } from '../../helpers/command-checks.ts';

const CODE = (name: string) =>
  new RegExp(
    `is in the value of the variable ${name}, which programs read to load code or to choose the programs`,
  );
const UNNAMED = /is set by .* into a variable whose name is not fixed \(.*\): it may name PATH, LD_PRELOAD/;

test('every way a builtin sets a code variable from a value is refused', () => {
  for (const [script, name] of [
    ['NPM_CONFIG_REGISTRY+={{x}} npm ci', 'NPM_CONFIG_REGISTRY'],
    ['export NPM_CONFIG_REGISTRY; NPM_CONFIG_REGISTRY+={{x}}; npm ci', 'NPM_CONFIG_REGISTRY'],
    ['PATH+=:{{x}}; deploy', 'PATH'],
    ['LD_PRELOAD[0]={{x}}; ./app', 'LD_PRELOAD'],
    ['read LD_PRELOAD <<< {{x}}; ./app', 'LD_PRELOAD'],
    ['read -r PATH <<< {{x}}; deploy', 'PATH'],
    ['export PIP_INDEX_URL; read PIP_INDEX_URL <<< {{x}}; pip install app', 'PIP_INDEX_URL'],
    ['mapfile -t LD_PRELOAD <<< {{x}}; ./app', 'LD_PRELOAD'],
    ['printf -v LD_PRELOAD %s {{x}}; ./app', 'LD_PRELOAD'],
    ['printf -vLD_PRELOAD %s {{x}}; ./app', 'LD_PRELOAD'],
    ['export LD_PRELOAD; for LD_PRELOAD in {{x}}; do ./app; done', 'LD_PRELOAD'],
    ['getopts a LD_PRELOAD {{x}}; ./app', 'LD_PRELOAD'],
    ['declare -n r=LD_PRELOAD; r={{x}}; ./app', 'LD_PRELOAD'],
    ['v={{x}}; printf -v PATH %s "$v"; deploy', 'PATH'],
  ])
    assertScriptRefused(script!, CODE(name!));
});

test('a value assigned to a variable whose name is an expansion is refused', () => {
  for (const script of [
    'export $n={{x}}',
    'export "$n"={{x}}; ./app',
    'declare "$n"={{x}}',
    'export {LD_PRELOAD,A}={{x}}',
    'export LD_{PRELOAD,A}={{x}}',
    'printf -v "$n" %s {{x}}',
    'read "$n" <<< {{x}}',
    'declare -n r=$n; r={{x}}',
  ])
    assertScriptRefused(script, UNNAMED);
});

test('the same builtins setting variables no program reads stay accepted', () => {
  for (const script of [
    'read -r v <<< {{x}}; echo "$v"',
    'printf -v v %s {{x}}; echo "$v"',
    'for f in {{x}}; do echo "$f"; done',
    'declare -n r=v; r={{x}}; echo "$r"',
    'A+={{x}}; echo "$A"',
    'export A={{x}}',
    'export n; n={{x}}; echo "$n"',
    // PIP_INDEX_URL not exported: pip does not see it.
    'PIP_INDEX_URL+={{x}}; echo "$PIP_INDEX_URL"',
    // No value anywhere in the script: nothing to read.
    'read PATH < /etc/paths; deploy',
    'read "$n" < /etc/f',
  ])
    assertScriptAccepted(script);
});
