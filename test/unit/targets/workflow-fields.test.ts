// Workflow engines on Kubernetes name their containers otherwise (an Argo Workflows template's `container` and
// `script`, Tekton's `steps`, `sidecars` and `stepTemplate`): a value in what such a container runs (its args, a
// script's source) is refused when the config loads, as a Pod's container's args are.
import { test } from 'node:test';
import { assertScriptAccepted, assertScriptRefused } from '../../helpers/command-checks.ts';

const argo = (template: string) =>
  `kubectl create -f - <<EOF\napiVersion: argoproj.io/v1alpha1\nkind: Workflow\nspec:\n  templates:\n  - name: main\n${template.replace(/^/gm, '    ')}\nEOF`;
const tekton = (step: string) =>
  `kubectl apply -f - <<EOF\napiVersion: tekton.dev/v1\nkind: Task\nspec:\n${step.replace(/^/gm, '  ')}\nEOF`;

test('a value in what a workflow container runs is refused', () => {
  assertScriptRefused(
    argo('container:\n  image: alpine:3\n  command: [sh, -c]\n  args: ["echo {{x}}"]'),
    /"args" field.*arguments of the command a container runs/,
  );
  assertScriptRefused(
    argo('script:\n  image: python:3\n  source: |\n    print({{x}})'),
    /"source" field.*script template/,
  );
  assertScriptRefused(tekton('steps:\n- name: s\n  image: alpine\n  args: ["{{x}}"]'), /"args" field/);
  assertScriptRefused(tekton('sidecars:\n- name: s\n  image: alpine\n  args: ["{{x}}"]'), /"args" field/);
});

test('their data stays accepted: parameters, an image tag, labels', () => {
  assertScriptAccepted(
    argo(
      'inputs:\n  parameters:\n  - name: v\n    value: "{{x}}"\ncontainer:\n  image: reg.example.com/app:{{x}}\n  args: [deploy]',
    ),
  );
  assertScriptAccepted(
    tekton('params:\n- name: v\n  default: "{{x}}"\nsteps:\n- name: s\n  image: alpine\n  args: [run]'),
  );
});
