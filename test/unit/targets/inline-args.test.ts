// An argument becomes code when the inline script or the shell function it is passed to runs its positional
// parameter: `sh -c '$1' _ {{x}}`, `bash -c 'eval "$1"' sh {{x}}`, `f() { $1; }; f {{x}}`. The body is read
// again with $0, $1, … "$@" holding the values of the arguments, so the template is refused wherever its value
// would be through them, behind any wrapper, through xargs, through variables and other functions; a body that
// passes its parameter as data (`sh -c './deploy.sh -- "$1"' sh {{x}}`) stays the safe form.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { argvShellProblems, analyzeShellTemplate } from '../../../src/targets/shell-script.ts';
import {
  assertAccepted,
  assertRefused,
  assertScriptAccepted,
  assertScriptRefused,
} from '../../helpers/command-checks.ts';

// [argv, what the message says]: the inline script runs the argument as a program or as code.
const SCRIPTS: Array<[string[], RegExp]> = [
  [
    ['sh', '-c', '$1', '_', '{{x}}'],
    /\{\{x\}\}( \(character \d+\))? is passed to the script of "sh -c" as \$1, and there \$1 is in the word naming the program/,
  ],
  [['bash', '-c', 'eval "$1"', 'sh', '{{x}}'], /as \$1, and there \$1 is in the arguments of eval/],
  [['sh', '-c', '"$0" --now', '{{x}}'], /as \$0, and there \$0 is in the word naming the program/],
  [['sh', '-c', '"$@"', 'sh', '{{x}}'], /as \$@, and there \$@ is in the word naming the program/],
  [['sh', '-c', 'exec $*', 'sh', 'a', '{{x}}'], /as \$\*, and there/],
  [['bash', '-ec', '${1} deploy', '_', '{{x}}'], /the script of "bash -c" as \$1/],
  [
    ['bash', '-o', 'pipefail', '-xc', 'sudo "$2"', '_', 'a', '{{x}}'],
    /as \$2, and there \$2 is in the word naming the program sudo runs/,
  ],
  [['sh', '-c', 'shift; "$1"', '_', 'a', '{{x}}'], /as \$1, and there/],
  [
    ['sh', '-c', 'v=$1; bash "$v"', '_', '{{x}}'],
    /as \$v, and there \$v is in the file bash loads and runs as code/,
  ],
  [['sh', '-c', 'python3 -c "$1"', '_', '{{x}}'], /there \$1 is inside the code "python3 -c" runs/],
  [['sh', '-c', 'echo "$1" | sh', '_', '{{x}}'], /there .*piped into sh, which runs it as code/],
  [
    ['sh', '-c', 'sh -c "\\$1" _ "$1"', '_', '{{x}}'],
    /as \$1, and there \$1 is passed to the script of "sh -c" as \$1/,
  ],
  // Behind wrappers.
  [['env', 'A=1', 'sh', '-c', '$1', '_', '{{x}}'], /passed to the script of "sh -c" as \$1/],
  [
    ['sudo', '-u', 'app', 'bash', '-c', 'eval "$1"', 'bash', '{{x}}'],
    /passed to the script of "bash -c" as \$1/,
  ],
  [['nice', '-n', '5', 'sh', '-c', '$1', '_', '{{x}}'], /passed to the script of "sh -c" as \$1/],
  [['timeout', '10', 'dash', '-c', '$1', '_', '{{x}}'], /passed to the script of "dash -c" as \$1/],
  [['docker', 'exec', 'app', 'sh', '-c', '$1', '_', '{{x}}'], /passed to the script of "sh -c" as \$1/],
];

const SAFE_SCRIPTS: string[][] = [
  ['sh', '-c', './deploy.sh -- "$1"', 'sh', '{{x}}'],
  ['bash', '-ec', 'echo "deploying $1"; ./deploy.sh -- "$1"', 'bash', '{{x}}'],
  ['sudo', '-u', 'app', 'sh', '-c', 'cd /srv && ./deploy.sh -- "$@"', 'sh', '{{x}}'],
  ['sh', '-c', '"$1" -- "$2"', 'sh', './deploy.sh', '{{x}}'],
];

test('a value passed to an inline script that runs that parameter as a program or as code is refused', () => {
  for (const [spec, message] of SCRIPTS) assertRefused(spec, message);
});

test('an inline script that passes its parameters to a fixed program as data takes values', () => {
  for (const spec of SAFE_SCRIPTS) assertAccepted(spec);
});

test('what xargs appends to an inline script that runs it is code: a template piped into it is refused', () => {
  assertScriptRefused("echo {{x}} | xargs sh -c '$1' _", /piped into xargs/);
  assertScriptRefused('printf %s {{x}} | xargs -I{} sh -c \'eval "$1"\' _ {}', /piped into xargs/);
  assertScriptRefused('echo {{x}} | xargs -n1 bash -c \'"$0"\'', /piped into xargs/);
  assertScriptAccepted('echo {{x}} | xargs sh -c \'./deploy.sh -- "$1"\' _');
});

test('a value passed to a function of the script that runs that parameter is refused, naming the function', () => {
  const refused: Array<[string, RegExp]> = [
    [
      'f() { $1; }; f {{x}}',
      /\{\{x\}\} \(character 16\) is passed to the function f of this script as \$1, and there \$1 is in the word naming the program/,
    ],
    ['function f { "$@"; }; f {{x}}', /to the function f of this script as \$@/],
    ['function f() {\n  eval "$2"\n}\nf a "{{x}}"', /as \$2, and there \$2 is in the arguments of eval/],
    ['run() ( exec "$@" )\nrun {{x}} --now', /to the function run of this script as \$@/],
    [
      'f() { local v="$1"; sudo "$v"; }; f {{x}}',
      /as \$v, and there \$v is in the word naming the program sudo runs/,
    ],
    [
      'g() { bash "$1"; }; f() { g "$1"; }; f {{x}}',
      /to the function f of this script as \$1, and there \$1 is passed to the function g/,
    ],
    ['f() { [ -n "$2" ] && f "$2"; $1; }; f a {{x}}', /to the function f of this script/],
    ['f() { shift; "$1"; }; f a {{x}}', /to the function f of this script as \$1/],
    [
      'v={{x}}; f() { "$1"; }; f "$v"',
      /\$v \(character \d+\) holds \{\{x\}\}.* is passed to the function f of this script as \$1/,
    ],
    ['deploy() { ssh host "$1"; }; deploy {{x}}', /as \$1, and there .*on the remote host/],
  ];
  for (const [script, message] of refused) assertScriptRefused(script, message);
});

test('a function that passes its parameters to a fixed program as data takes values', () => {
  assertScriptAccepted('deploy() { ./deploy.sh -- "$1"; }; deploy {{x}}');
  assertScriptAccepted('log() { echo "[deploy] $*" >&2; }; log "starting {{x}}"; ./deploy.sh -- {{x}}');
  assertScriptAccepted('f() { f2 "$@"; }; f2() { printf "%s\\n" "$@"; }; f {{x}}');
  // A recursive function is read once, not forever.
  assertScriptAccepted('f() { [ "$#" -gt 0 ] || return 0; echo "$1"; shift; f "$@"; }; f {{x}} {{env}}');
});

test('the analysis of a body does not leak its stand-in names', () => {
  const analysis = analyzeShellTemplate('f() { $1; }; f {{x}}');
  assert.equal(analysis.ok, false);
  if (!analysis.ok) assert.doesNotMatch(analysis.problems.map((p) => p.message).join('\n'), /__arg_/);
  assert.doesNotMatch(argvShellProblems(['sh', '-c', 'eval "$1"', '_', '{{x}}']).join('\n'), /__arg_/);
});

test('a function called after time, time -p, coproc, ! or an assignment is read as when it is the first word', () => {
  for (const prefix of ['time', 'time -p', 'time -p --', 'coproc', '!', '! time', 'VAR=1', 'VAR=1 time -p'])
    assertScriptRefused(
      `f() { $1; }; ${prefix} f {{x}}`,
      /is passed to the function f of this script as \$1, and there \$1 is in the word naming the program/,
    );
  for (const prefix of ['time', 'time -p', 'coproc', '!', 'VAR=1'])
    assertScriptAccepted(`f() { ./deploy.sh -- "$1"; }; ${prefix} f {{x}}`);
  // A launcher that execs a program never runs a shell function: its word after is a program of the system.
  assertScriptAccepted('f() { $1; }; sudo f {{x}}');
});

test('a value passed to an inline script that is not written out (a variable, $(…), `…`) is refused', () => {
  const refused = [
    `X='$1'; sh -c "$X" _ {{x}}`,
    `X='$1'; sudo -u app sh -c "$X" _ {{x}}`,
    `sh -c "$(echo '$1')" _ {{x}}`,
    'sh -c "`cat script`" {{x}}',
    `bash -c "exec $CMD" bash a {{x}}`,
    `sh -c 'sh -c "$X" _ "$1"' _ {{x}}`,
  ];
  for (const script of refused)
    assertScriptRefused(script, /to the script of "(sh|bash) -c"(,| as \$1, and there)/);
  assertScriptRefused(`X='$1'; sh -c "$X" _ {{x}}`, /that script is not written out/);
  // The script written out, even in double quotes with its $ escaped, is read as before.
  assertScriptAccepted(`sh -c './deploy.sh -- "$1"' _ {{x}}`);
  assertScriptAccepted('sh -c "./deploy.sh -- \\"\\$1\\"" _ {{x}}');
  // A script from a variable with no value among its arguments runs nothing chosen by a value.
  assertScriptAccepted('sh -c "$SCRIPT" _ fixed; ./deploy.sh -- {{x}}');
});

test('a parameter read into a variable by read or getopts, or reached as ${!#}, is the value it holds', () => {
  const refused: Array<[string, RegExp]> = [
    [
      `bash -c 'read -r a <<< "$1"; $a' _ {{x}}`,
      /to the script of "bash -c" as \$a, and there \$a is in the word naming the program/,
    ],
    ['f() {\nwhile read a; do $a; done <<EOF\n$1\nEOF\n}\nf {{x}}', /\$a .*in the word naming the program/],
    [
      `sh -c 'exec "\${!#}"' _ {{x}}`,
      /as \$\{!#\}, and there \$\{!#\} is in the word naming the program exec runs/,
    ],
    ['f() { "${!#}"; }; f a {{x}}', /to the function f of this script as \$\{!#\}/],
    [
      'f() { while getopts a: o "$@"; do $OPTARG; done; }; f -a {{x}}',
      /as \$OPTARG, and there \$OPTARG is in the word naming the program/,
    ],
    [
      `sh -c 'getopts a: o; eval "$OPTARG"' _ -a {{x}}`,
      /as \$OPTARG, and there \$OPTARG is in the arguments of eval/,
    ],
  ];
  for (const [script, message] of refused) assertScriptRefused(script, message);
  assertScriptAccepted(`bash -c 'read -r a <<< "$1"; ./deploy.sh -- "$a"' _ {{x}}`);
  assertScriptAccepted(`sh -c './deploy.sh -- "\${!#}"' _ {{x}}`);
  assertScriptAccepted(`sh -c 'getopts a: o; ./deploy.sh -- "$OPTARG"' _ -a {{x}}`);
});

test('${!n} whose name variable holds no value reads a variable that may: refused where a value would be', () => {
  const refused: Array<[string, RegExp]> = [
    // n names a positional parameter that holds the value.
    [
      'set -- {{x}}; n=1; ${!n} deploy',
      /\$\{!n\} \(character 20\) reads the variable whose name \$n holds, which may hold \{\{x\}\}; it is in the word naming the program/,
    ],
    ['f() { n=1; ${!n}; }; f {{x}}', /reads the variable whose name \$n holds.*word naming the program/],
    ['f() { n=$#; "${!n}" go; }; f {{x}}', /reads the variable whose name \$n holds/],
    ['f() { for i in 1; do ${!i}; done; }; f {{x}}', /reads the variable whose name \$i holds/],
    ['bash -c \'n=1; eval "${!n}"\' _ {{x}}', /passed to the script of "bash -c"/],
    // or the DEPLOY_* variable of a value, in a script with no template at all.
    ['n=DEPLOY_X; ${!n} deploy', /may hold a DEPLOY_\* variable; it is in the word naming the program/],
    // ${!#}, the last positional parameter, after set -- at the top of the script.
    ['set -- a {{x}}; ${!#}', /\$\{!#\} \(character 17\) holds \{\{x\}\}.*word naming the program/],
  ];
  for (const [script, message] of refused) assertScriptRefused(script, message);
  // As data, what it reads is an argument like any other.
  for (const script of [
    'set -- {{x}}; n=1; ./deploy.sh -- "${!n}"',
    'for v in A B; do echo "${!v}"; done; ./deploy.sh {{x}}',
    'set -- a {{x}}; ./deploy.sh -- "${!#}"',
  ])
    assertScriptAccepted(script);
});
