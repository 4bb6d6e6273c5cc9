// A value also travels through shell variables: `v={{x}}; $v`, `export X={{x}}; "$X" deploy`, `read`, `for`,
// `printf -v`, `set --`, `declare -n`, and the DEPLOY_* variable every value is exported as. A reference to a
// variable that holds a value is refused wherever the template would be (the program, a subcommand, a script or
// sourced file, a target, code, eval, what a shell reads on its standard input, ssh's remote command, a make
// variable), and `${!v}`, which reads the variable the value names, is refused anywhere. The message names the
// variable, where it was set and the template it holds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  analyzeShellTemplate,
  argvShellProblems,
  renderShellScript,
} from '../../../src/targets/shell-script.ts';
import { TemplateError } from '../../../src/targets/template.ts';
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

// Sites that check a value once rendered (ssh's remote line, a make variable, a sed s command): a variable set
// from fixed text and templates alone is checked there as its templates are, not refused at load.
const PLAIN_SITES: Array<[(v: string) => string, RegExp]> = [
  [(v) => `ssh app1 ./deploy.sh "$${v}"`, /is in the command ssh runs through the remote host's shell/],
  [(v) => `ssh app1 ./deploy.sh \${${v}}`, /is in the command ssh runs through the remote host's shell/],
  [(v) => `make deploy VERSION="$${v}"`, /is in a variable assignment given to make/],
  [(v) => `sed -i "s/x/$${v}/" f`, /is in a sed script/],
];

test('ordinary scripts that carry a value through a variable to ssh, make or sed are accepted', () => {
  for (const script of [
    'TAG={{version}}; docker build -t app:$TAG . && ssh host ./deploy "$TAG"',
    'TAG={{version}}; make deploy TAG=$TAG',
    'V={{version}}; sed -i "s/x/$V/" f',
    'IMG=registry/app:{{version}}; kubectl set image deploy/x app=$IMG',
    'V={{version}}; helm upgrade --install x chart --set image.tag=$V',
    'export VERSION={{version}}; ./deploy.sh',
    'export VERSION={{version}}; ssh host ./deploy "$VERSION"',
    'W={{version}}; V="app-$W"; ssh host ./deploy $V',
    'if true; then V={{version}}; else V={{environment}}; fi; make deploy V=$V',
  ])
    assertScriptAccepted(script);
});

test('such a variable gets the check of the site: its templates are checked once rendered', () => {
  for (const setter of [
    'v={{x}}; ',
    'v="{{x}}"; ',
    "v='{{x}}'; ",
    'v=pre-{{x}}; ',
    'export v={{x}}; ',
    'w={{x}}; v="${w}1"; ',
  ])
    for (const [use, message] of PLAIN_SITES) {
      const script = `${setter}${use('v')}`;
      assertScriptAccepted(script);
      assert.doesNotThrow(() => renderShellScript(script, { x: '1.2.3' }), script);
      for (const hostile of ['1;touch${IFS}x', '$(id)', '1 2', '`id`'])
        assert.throws(
          () => renderShellScript(script, { x: hostile }),
          (e: unknown) => e instanceof TemplateError && message.test(e.message),
          `${script} with ${hostile}`,
        );
    }
});

test('a variable holding more than fixed text and templates is still refused where a value must be plain', () => {
  const setters = [
    'v="$(printf %s {{x}} | tr / -)"; ',
    'w={{x}}; v=${w%%.*}; ',
    'read -r v <<< {{x}}; ',
    'printf -v v %s {{x}}; ',
    'v={{x}}; v+=";x"; ',
    'v="{{x}};x"; ',
    'v="{{x}} x"; ',
    '',
  ];
  for (const setter of setters) {
    const v = setter === '' ? 'DEPLOY_X' : 'v';
    assertScriptRefused(
      `${setter}ssh app1 ./deploy.sh "$${v}"`,
      /is in the command ssh runs through the remote host's shell, where a value must be one plain word/,
    );
    assertScriptRefused(`${setter}make deploy VERSION="$${v}"`, /is in a variable given to make/);
    assertScriptRefused(`${setter}sed -i "s/x/$${v}/" f`, /sed would run code in its value/);
  }
  // Fixed text the site would refuse, and a reference that edits the value.
  assertScriptRefused('v=a/{{x}}; sed -i "s/x/$v/" f', /sed would run code in its value/);
  assertScriptRefused('v={{x}}; ssh h ./d "${v//a/;}"', /where a value must be one plain word/);
});
