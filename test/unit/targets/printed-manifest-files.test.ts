// A template naming the file a command prints into a manifest reader (cat k8s/{{env}}.yaml | kubectl apply -f -)
// chooses which file of the checkout is deployed, as kubectl apply -f k8s/{{env}}.yaml does: refused when the
// config loads with a message saying so, not as text fed to the reader; a value in the text printed (echo, a sed
// script) keeps the text message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { printsFileAt } from '../../../src/targets/printed-files.ts';
import { assertScriptRefused } from '../../helpers/command-checks.ts';

const FILE =
  /is in the name of the file (\w+) prints into .*\(k8s\/\{\{x\}\}\.yaml\).*would choose what is deployed.*name the file in the config/;
const TEXT = /reaches kubectl apply -f - as text/;

test('a value naming the file printed into a manifest reader is refused as choosing the file', () => {
  for (const script of [
    'cat k8s/{{x}}.yaml | kubectl apply -f -',
    'cat k8s/base.yaml k8s/{{x}}.yaml | kubectl apply -f -',
    'cat -n -- k8s/{{x}}.yaml | kubectl apply -f -',
    'cat < k8s/{{x}}.yaml | kubectl apply -f -',
    'head -n 100 k8s/{{x}}.yaml | kubectl apply -f -',
    'sed -e s/a/b/ k8s/{{x}}.yaml | kubectl apply -f -',
    'grep -v "^#" k8s/{{x}}.yaml | helm upgrade app ./chart -f -',
    'cat k8s/{{x}}.yaml > m.yaml\nkubectl apply -f m.yaml',
  ])
    assertScriptRefused(script, FILE);
});

test('a value in the text printed keeps the text message', () => {
  assertScriptRefused('echo "image: {{x}}" | kubectl apply -f -', TEXT);
  assertScriptRefused('sed "s/TAG/{{x}}/" k8s/app.yaml | kubectl apply -f -', TEXT);
  assertScriptRefused('head -n {{x}} k8s/app.yaml | kubectl apply -f -', TEXT);
});

test('printsFileAt: operands, not options, their values, nor a filter script', () => {
  assert.equal(printsFileAt(['cat', 'a', 'b'], 2), true);
  assert.equal(printsFileAt(['head', '-n', '5', 'a'], 2), false);
  assert.equal(printsFileAt(['head', '-n', '5', 'a'], 3), true);
  assert.equal(printsFileAt(['sed', 's/a/b/', 'f'], 1), false);
  assert.equal(printsFileAt(['sed', '-e', 's/a/b/', 'f'], 3), true);
  assert.equal(printsFileAt(['awk', '-f', 'prog.awk', 'f'], 3), true);
  assert.equal(printsFileAt(['echo', 'f'], 1), false);
});

test('a value in the file, chart or directory kubectl, oc, helm or kustomize reads says it chooses what is deployed, not a project', () => {
  const DEPLOYED =
    /would choose what is deployed \(the manifests, chart, values, kustomization, compose, helmfile or skaffold file read.*write the file in the config/;
  for (const script of [
    'kubectl apply -f k8s/{{x}}.yaml',
    'kubectl apply -f=k8s/{{x}}.yaml',
    'oc apply -k overlays/{{x}}',
    'kubectl apply -k overlays/{{x}}',
    'helm upgrade --install app ./charts/{{x}}',
    'helm upgrade --install app ./chart -f values/{{x}}.yaml',
    'kustomize build overlays/{{x}} | kubectl apply -f -',
  ]) {
    assertScriptRefused(script, DEPLOYED);
    assertScriptRefused(script, /^(?![\s\S]*package\.json)/);
  }
  // A project tool keeps the project's message.
  assertScriptRefused(
    'npm --prefix {{x}} run deploy',
    /the project whose scripts, dependencies and build code run/,
  );
});
