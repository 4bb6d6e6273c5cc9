// The templates and queries a tool evaluates to choose what it prints (print-templates.ts) are code of their
// language: kubectl's and oc's -o go-template=/jsonpath=/custom-columns= and --template, gh's --template and
// --jq (a jq filter), as a container runner's --format (compose-services.test.ts). A template of this tool is
// refused there; a fixed template or query, and a value elsewhere in the command, stay accepted.
import { test } from 'node:test';
import { assertAccepted, assertRefused } from '../../helpers/command-checks.ts';

test("kubectl's and oc's output templates and JSONPath take no template", () => {
  const GO =
    /is inside the code "(kubectl|oc) [a-z ]*(-o|--output|--template)" runs: .*a Go template chooses what/;
  const JSONPATH = /is inside the code "(kubectl|oc) [a-z ]*(-o|--output)" runs: .*a JSONPath chooses what/;
  for (const argv of [
    ['kubectl', 'get', 'pods', '-o', 'go-template={{x}}'],
    ['kubectl', 'get', 'pods', '-o', 'go-template', '--template', '{{x}}'],
    ['kubectl', 'get', 'pods', '-o', 'go-template', '--template={{x}}'],
    ['kubectl', 'get', 'pods', '-o', '{{x}}'],
    ['oc', 'get', 'pods', '--output=go-template={{x}}'],
  ])
    assertRefused(argv, GO);
  for (const argv of [
    ['kubectl', 'get', 'pods', '-o', 'jsonpath={.items[*].{{x}}}'],
    ['kubectl', 'get', 'secret', 'app', '-ojsonpath={{x}}'],
    ['kubectl', 'get', 'pods', '--output', 'custom-columns=NAME:{{x}}'],
    ['oc', 'get', 'pods', '-o', 'jsonpath={{x}}'],
  ])
    assertRefused(argv, JSONPATH);
  // Fixed templates, values elsewhere, and a container's command after `--` stay accepted.
  assertAccepted(['kubectl', 'get', 'pods', '-l', 'app={{x}}', '-o', 'jsonpath={.items[0].metadata.name}']);
  assertAccepted(['kubectl', 'get', 'pods', '-o', 'yaml', '-n', 'app-{{x}}']);
  assertAccepted(['kubectl', 'exec', 'pod', '--', 'tool', '-o', '{{x}}']);
});

test("gh's --template and --jq take no template", () => {
  const GO = /is inside the code "gh [a-z ]*(--template|-t)" runs: .*a Go template chooses what/;
  const JQ = /is inside the code "gh [a-z ]*(--jq|-q)" runs: .*a jq filter chooses what/;
  assertRefused(['gh', 'pr', 'view', '1', '--json', 'title', '--template', '{{x}}'], GO);
  assertRefused(['gh', 'api', '/repos/o/r', '-t', '{{x}}'], GO);
  assertRefused(['gh', 'api', '/repos/o/r', '--jq', '{{x}}'], JQ);
  assertRefused(['gh', 'run', 'list', '--json', 'name', '-q', '.[] | select(.name == "{{x}}")'], JQ);
  assertRefused(['gh', 'run', 'list', '--json', 'name', '--jq=.[].{{x}}'], JQ);
  // gh's -t elsewhere is a title; fixed filters and values elsewhere stay accepted.
  assertAccepted(['gh', 'issue', 'create', '-t', 'Deploy {{x}}', '-b', 'done']);
  assertAccepted([
    'gh',
    'run',
    'list',
    '--workflow',
    'deploy-{{x}}.yml',
    '--json',
    'name',
    '--jq',
    '.[].name',
  ]);
});

test('kubectl wait --for=jsonpath: the JSONPath chooses what is waited for and takes no template; the value compared may', () => {
  const WAIT =
    /is inside the code "(kubectl|oc) wait --for" runs: .*a JSONPath chooses what (kubectl|oc) wait waits for/;
  for (const argv of [
    ['kubectl', 'wait', '--for=jsonpath={.status.{{x}}}=Running', 'pod/app'],
    ['kubectl', 'wait', '--for', 'jsonpath={{x}}', 'pod/app'],
    ['kubectl', 'wait', '--for=jsonpath={{x}}=1', 'deploy/app'],
    // A whole --for may be jsonpath=… too.
    ['kubectl', 'wait', '--for={{x}}', 'pod/app'],
    ['oc', 'wait', '-n', 'app', '--for=jsonpath={.items[?(@.name=="{{x}}")].ready}=true', 'pods', '--all'],
  ])
    assertRefused(argv, WAIT);
  // The value compared with (a string), a condition's name, and what is waited on stay accepted.
  for (const argv of [
    ['kubectl', 'wait', '--for=jsonpath={.status.phase}={{x}}', 'pod/app'],
    ['kubectl', 'wait', '--for', 'jsonpath={.status.readyReplicas}={{x}}', 'deploy/app'],
    ['oc', 'wait', '--for=jsonpath={.status.phase}', 'pod/app-{{x}}'],
    ['kubectl', 'wait', '--for=condition=Available', 'deploy/app-{{x}}'],
    ['kubectl', 'wait', '--for=condition={{x}}', 'deploy/app'],
  ])
    assertAccepted(argv);
});

// kubectl wait --for=condition=NAME[=STATUS] (kubectl's cmd/wait: conditionFuncFor cuts the text after
// "condition=" at its first "=" into a name and a status, "true" by default; ConditionalWait.checkCondition
// compares each .status.conditions[].type with the name and its status with the status, both with
// strings.EqualFold). Nothing there is evaluated: a value in the name or the status is a string compared, which
// chooses a condition or a status as a value in the object's name (deploy/app-{{x}}) or in the value a JSONPath
// is compared with chooses what is waited on. A JSONPath is an expression (`{..metadata}` matches what any
// object has, so the wait passes at once); the name is one exact word. So a template in either is data,
// accepted as an argv and as a shell: true line alike; a template where the kind of wait is chosen (--for={{x}},
// which may be jsonpath=…) stays refused.
test('kubectl wait --for=condition=: the name and the status are strings kubectl compares, so a value there is data', () => {
  for (const argv of [
    ['kubectl', 'wait', '--for=condition={{x}}', 'deploy/app'],
    ['kubectl', 'wait', '--for', 'condition={{x}}', 'deploy/app'],
    ['kubectl', 'wait', '--for=condition=Available={{x}}', 'deploy/app'],
    ['kubectl', 'wait', '--for=condition={{x}}=True', '--timeout=5m', 'deploy/app'],
    ['oc', 'wait', '-n', 'app-{{x}}', '--for=condition=Ready', 'pod', '-l', 'app={{x}}'],
  ])
    assertAccepted(argv);
  for (const argv of [
    ['kubectl', 'wait', '--for={{x}}', 'deploy/app'],
    ['kubectl', 'wait', '--for', '{{x}}=Available', 'deploy/app'],
  ])
    assertRefused(argv, /a JSONPath chooses what kubectl wait waits for/);
});

test("helm get all's --template takes no template", () => {
  const GO =
    /is inside the code "helm get all [a-z-]* ?--template" runs: .*a Go template chooses what helm prints/;
  assertRefused(['helm', 'get', 'all', 'app', '--template', '{{x}}'], GO);
  assertRefused(['helm', 'get', 'all', '--template={{x}}', 'app'], GO);
  assertAccepted(['helm', 'get', 'all', 'app-{{x}}', '--template', '{{.Release.Name}}']);
  assertAccepted(['helm', 'get', 'values', 'app-{{x}}', '-o', 'json']);
});
