// A value also travels through shell variables: `v={{x}}; $v`, `export X={{x}}; "$X" deploy`, `read`, `for`,
// `printf -v`, `set --`, `declare -n`, and the DEPLOY_* variable every value is exported as. A reference to a
// variable that holds a value is refused wherever the template would be (the program, a subcommand, a script or
// sourced file, a target, code, eval, what a shell reads on its standard input, ssh's remote command, a make
// variable), and `${!v}`, which reads the variable the value names, is refused anywhere. The message names the
// variable, where it was set and the template it holds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeShellTemplate, argvShellProblems } from '../../../src/targets/shell-script.ts';
import { assertScriptAccepted, assertScriptRefused } from '../../helpers/command-checks.ts';

// Ways of putting the value of {{x}} into a variable (named v, or the name given).
const SETTERS: Array<[string, string]> = [
  ['v={{x}}; ', 'v'],
  ['v="{{x}}"; ', 'v'],
  ["v='{{x}}'; ", 'v'],
  ['v=pre-{{x}}; ', 'v'],
  ['v="$(printf %s {{x}} | tr / -)"; ', 'v'],
  ['export v={{x}}; ', 'v'],
  ['local v="{{x}}"; ', 'v'],
  ['declare -r v={{x}}; ', 'v'],
  ['readonly v={{x}}; ', 'v'],
  ['w={{x}}; v="${w}-1"; ', 'v'],
  ['w={{x}}; v=${w%%.*}; ', 'v'],
  ['read -r v <<< {{x}}; ', 'v'],
  ['printf -v v %s {{x}}; ', 'v'],
  ['if true; then v={{x}}; else v=deploy; fi; ', 'v'],
  ['', 'DEPLOY_X'],
];

// Where a value must not be: a use of the variable there, and what the message says.
const USES: Array<[(v: string) => string, RegExp]> = [
  [(v) => `$${v}`, /is in the word naming the program/],
  [(v) => `"$${v}" --now`, /is in the word naming the program/],
  [(v) => `\${${v}} deploy`, /is in the word naming the program/],
  [(v) => `./"$${v}".sh`, /is in the word naming the program/],
  [(v) => `sudo -u app "$${v}"`, /is in the word naming the program sudo runs/],
  [(v) => `timeout 10 $${v}`, /is in the word naming the program timeout runs/],
  [(v) => `git "$${v}" main`, /is in the subcommand git runs/],
  [(v) => `source "$${v}"`, /is in the file source reads and runs/],
  [(v) => `. ./env-$${v}.sh`, /is in the file \. reads and runs/],
  [(v) => `bash "$${v}"`, /is in the file bash loads and runs as code/],
  [(v) => `python3 -m "$${v}"`, /is in the file python3 loads and runs as code/],
  [(v) => `make "deploy-$${v}"`, /is in the target make runs/],
  [(v) => `eval "$${v}"`, /is in the arguments of eval, which the shell runs as code/],
  [(v) => `eval deploy $${v}`, /is in the arguments of eval/],
  [(v) => `sh -c "deploy $${v}"`, /is inside the script of "sh -c"/],
  [(v) => `python3 -c "print('$${v}')"`, /is inside the code "python3 -c" runs/],
  [(v) => `echo "$${v}" | sh`, /is in the output of a command piped into sh, which runs it as code/],
  [(v) => `printf '%s\\n' "$${v}" | bash -s`, /piped into bash, which runs it as code/],
  [(v) => `bash <<< "$${v}"`, /is in a here-string fed to bash, which runs it as code/],
  [(v) => `bash <<EOF\necho $${v}\nEOF`, /is in a here-document fed to bash, which runs it as code/],
  [(v) => `PATH="$${v}:$PATH" deploy`, /in the value of the variable PATH/],
  [
    (v) => `ssh app1 ./deploy.sh "$${v}"`,
    /is in the command ssh runs through the remote host's shell, where a value must be one plain word.*write the template itself there \(\{\{x\}\}\)/,
  ],
  [(v) => `make deploy VERSION="$${v}"`, /is in a variable given to make.*write the template itself there/],
  [
    (v) => `echo "\${!${v}}"`,
    /is read through \$\{!\w+\}, which reads the variable its value names: the value would choose which variable is read \(a secret among them\)/,
  ],
];

test('a variable holding a value is refused where the value itself would be, however it was set', () => {
  for (const [setter, v] of SETTERS)
    for (const [use, message] of USES) {
      const script = `${setter}${use(v)}`;
      assertScriptRefused(script, message);
      const analysis = analyzeShellTemplate(script);
      if (analysis.ok) continue;
      // The message names the variable, where it is, and the template it holds.
      assert.ok(
        analysis.problems.some((p) =>
          new RegExp(`^\\$${v} \\(character \\d+\\) holds \\{\\{x\\}\\}`).test(p.message),
        ),
        `${script}: ${analysis.problems.map((p) => p.message).join('\n')}`,
      );
    }
});

test('read, for, set, printf -v and declare -n carry a value into the variables they set', () => {
  for (const script of [
    'echo {{x}} | while read -r cmd; do $cmd; done',
    'while IFS= read -r cmd; do "$cmd" --now; done <<< {{x}}',
    'read -r a b <<< "{{x}}"; "$b"',
    'mapfile -t lines <<< {{x}}; "${lines}"',
    'for c in a {{x}}; do "$c"; done',
    'for c in "$DEPLOY_X"; do bash "$c"; done',
    'set -- {{x}}; "$1" deploy',
    'set -- deploy {{x}}; "$@"',
    'declare -n ref=DEPLOY_X; $ref',
    'v={{x}}; declare -n ref=v; $ref',
  ])
    assertScriptRefused(script, /holds \{\{x\}\}/);
});

test('the same through a shell an argv command starts', () => {
  const [problem] = argvShellProblems(['bash', '-c', 'v={{x}}; $v']);
  assert.match(
    problem!,
    /\$v \(character \d+\) holds \{\{x\}\}, set at character 1; it is in the word naming the program/,
  );
});

test('a variable holding a value stays accepted as data, and a variable set from fixed words chooses freely', () => {
  for (const script of [
    'v={{x}}; ./deploy.sh "$v"',
    'v="$(printf %s {{x}} | tr / -)"; ./deploy.sh -- "$v"',
    'export VERSION={{x}}; ./deploy.sh',
    './deploy.sh "$DEPLOY_X"',
    'v={{x}}; echo "$v" > version.txt',
    'v={{x}}; python3 -c "import sys; print(sys.argv[1])" "$v"',
    'v={{x}}; sh -c \'./deploy.sh "$1"\' sh "$v"',
    'bash <<\'EOF\'\necho "$DEPLOY_X"\nEOF',
    'cmd=./deploy.sh; $cmd {{x}}',
    'for f in a b; do ./deploy.sh "$f" {{x}}; done',
    'read -r sha < .sha; git checkout "$sha"',
  ])
    assertScriptAccepted(script);
});
