// Selectors of this machine's credentials take no template, whichever tool: an aws profile, a kubeconfig context,
// cluster or user, a docker context, a podman connection, a gcloud account or configuration, and the variables
// standing for them (AWS_PROFILE, DOCKER_CONTEXT, CLOUDSDK_*). Even a plain name picks who acts and where
// (`--profile prod-admin`); the target inside them (a project, a namespace, a region) stays a checked value.
import { test } from 'node:test';
import { assertAccepted, assertRefused, assertScriptRefused } from '../../helpers/command-checks.ts';

const WHOSE =
  /which of this machine's credentials it acts with|account it acts as|the variable (AWS_PROFILE|AWS_DEFAULT_PROFILE|DOCKER_CONTEXT|CLOUDSDK_\w+)/;

test('a template in a credential selector is refused, in every tool alike', () => {
  for (const argv of [
    ['aws', '--profile', '{{x}}', 's3', 'ls'],
    ['aws', 's3', 'cp', 'a', 's3://b/a', '--profile=prod-{{x}}'],
    [
      'aws',
      'sts',
      'assume-role',
      '--role-arn',
      'arn:aws:iam::1:role/r',
      '--role-session-name',
      's',
      '--profile',
      '{{x}}',
    ],
    ['gcloud', '--account', '{{x}}', 'run', 'deploy', 'svc'],
    ['gcloud', '--configuration', '{{x}}', 'run', 'deploy', 'svc'],
    ['gcloud', 'config', 'configurations', 'activate', '{{x}}'],
    ['kubectl', '--context', '{{x}}', 'apply', '-f', 'k8s/'],
    ['kubectl', '--user={{x}}', 'get', 'pods'],
    ['kubectl', 'config', 'use-context', '{{x}}'],
    ['helm', 'upgrade', 'app', './chart', '--kube-context', '{{x}}'],
    ['docker', '--context', '{{x}}', 'ps'],
    ['podman', '--connection', '{{x}}', 'ps'],
  ])
    assertRefused(argv, WHOSE);
  for (const script of [
    'AWS_PROFILE={{x}} aws s3 ls',
    'export AWS_DEFAULT_PROFILE={{x}}; aws s3 ls',
    'DOCKER_CONTEXT={{x}} docker ps',
    'CLOUDSDK_ACTIVE_CONFIG_NAME={{x}} gcloud run deploy svc',
  ])
    assertScriptRefused(script, WHOSE);
});

test('the target inside the credentials stays a value: a project, a namespace, a region; fixed selectors', () => {
  assertAccepted(['aws', '--profile', 'prod', '--region', '{{x}}', 's3', 'ls']);
  assertAccepted(['kubectl', '--context', 'prod', '-n', 'app-{{x}}', 'get', 'pods']);
  assertAccepted(['gcloud', 'run', 'deploy', 'svc', '--project', '{{x}}']);
});
