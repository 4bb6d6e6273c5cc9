// Values that choose a config or image a tool runs code from, found by review: a kubeconfig (its users' exec
// plugins run) given anywhere among the options of kubectl, oc, helm, helmfile and the other tools reading one,
// helm's registry and repository configs, and the frontend image a build runs (--build-arg BUILDKIT_SYNTAX=).
// Refused when the config loads, naming the field; the usual forms stay accepted.
import { test } from 'node:test';
import { assertAccepted, assertRefused } from '../../helpers/command-checks.ts';

test('a kubeconfig given after the subcommand takes no template, as before it', () => {
  const forms: Array<[string[], string]> = [
    [['helm', 'upgrade', '--install', 'app', './chart', '--kubeconfig', '{{x}}'], 'helm --kubeconfig'],
    [['helm', 'upgrade', 'app', './chart', '--kubeconfig={{x}}'], 'helm --kubeconfig'],
    [['helm', 'upgrade', 'app', './chart', '--registry-config', '{{x}}'], 'helm --registry-config'],
    [['helm', 'repo', 'update', '--repository-config', 'repos/{{x}}.yaml'], 'helm --repository-config'],
    [['kubectl', 'get', 'pods', '--kubeconfig', '{{x}}'], 'kubectl --kubeconfig'],
    [['kubectl', 'apply', '-f', 'k8s/', '--kubeconfig=kube/{{x}}'], 'kubectl --kubeconfig'],
    [['oc', 'get', 'pods', '--kubeconfig', '{{x}}'], 'oc --kubeconfig'],
    [['helmfile', 'apply', '--kubeconfig', '{{x}}'], 'helmfile --kubeconfig'],
    [['helmfile', '--kubeconfig', '{{x}}', 'sync'], 'helmfile --kubeconfig'],
    [['skaffold', 'run', '--kubeconfig', '{{x}}'], 'skaffold --kubeconfig'],
    [['flux', 'reconcile', 'kustomization', 'app', '--kubeconfig', '{{x}}'], 'flux --kubeconfig'],
    [['sudo', 'kubectl', 'get', 'pods', '--kubeconfig', '{{x}}'], 'kubectl --kubeconfig'],
  ];
  for (const [argv, option] of forms)
    assertRefused(
      argv,
      new RegExp(
        `is in the value of ${option}, which chooses the directory, root or config what runs is read from .*a kubeconfig's exec plugin`,
      ),
    );
});

test('a fixed kube context, a fixed kubeconfig and a templated release stay accepted', () => {
  for (const argv of [
    ['helm', 'upgrade', '--install', 'app', './chart', '--kube-context', 'production'],
    [
      'helm',
      'upgrade',
      '--install',
      'app',
      './chart',
      '--kubeconfig',
      './kube/config',
      '--set',
      'image.tag={{x}}',
    ],
    ['kubectl', 'get', 'pods', '--kubeconfig', '/home/runner/.kube/config', '-n', '{{env}}'],
    ['helmfile', '-e', '{{env}}', 'apply'],
    ['kubectl', 'exec', 'web-1', '--', 'echo', '--kubeconfig', '{{x}}'],
  ])
    assertAccepted(argv);
});

test("a build's frontend image (--build-arg BUILDKIT_SYNTAX=) takes no template; other build args do", () => {
  const message =
    /is in the frontend image that runs the build \(it reads the Dockerfile, the context, and the secrets and ssh keys the build is given\), which (docker build|docker buildx build) --build-arg BUILDKIT_SYNTAX= chooses/;
  for (const argv of [
    ['docker', 'build', '--build-arg', 'BUILDKIT_SYNTAX={{x}}', '.'],
    ['docker', 'build', '--build-arg=BUILDKIT_SYNTAX=docker/dockerfile:{{x}}', '.'],
    ['docker', 'buildx', 'build', '--build-arg', 'BUILDKIT_SYNTAX={{x}}', '-t', 'app:1', '.'],
  ])
    assertRefused(argv, message);
  for (const argv of [
    ['docker', 'build', '--build-arg', 'VERSION={{x}}', '.'],
    [
      'docker',
      'build',
      '--build-arg',
      'BUILDKIT_SYNTAX=docker/dockerfile:1',
      '--build-arg',
      'VERSION={{x}}',
      '.',
    ],
  ])
    assertAccepted(argv);
});
