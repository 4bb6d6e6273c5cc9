// What a review found accepted: a template in a group's word of a command tree (gcloud compute instances {{x}},
// kind delete {{x}}, docker image {{x}}, buildah {{x}}); gcloud's options choosing what the service runs, the
// secrets it gets, who gcloud acts as, the flags or properties it reads, the files it deploys; docker buildx's
// builder; and the registry a login sends the credentials to. Each is refused when the config loads, and the
// neighbouring forms stay accepted (or checked once rendered).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  assertAccepted,
  assertRefused,
  assertScriptAccepted,
  assertScriptRefused,
  renderArgv,
} from '../../helpers/command-checks.ts';

test("gcloud's settings as variables: every CLOUDSDK_* is refused, but those shaping its output", () => {
  for (const variable of [
    'CLOUDSDK_API_ENDPOINT_OVERRIDES_RUN',
    'CLOUDSDK_CORE_PROJECT',
    'CLOUDSDK_CORE_ACCOUNT',
    'CLOUDSDK_AUTH_IMPERSONATE_SERVICE_ACCOUNT',
    'CLOUDSDK_PROXY_ADDRESS',
    'CLOUDSDK_CORE_LOG_HTTP',
  ]) {
    const message = new RegExp(`is in the value of the variable ${variable}, which programs read`);
    assertScriptRefused(`${variable}={{x}} gcloud run deploy svc --image gcr.io/p/app:1`, message);
    assertScriptRefused(`export ${variable}="a{{x}}"; gcloud app deploy`, message);
  }
  for (const script of [
    'CLOUDSDK_CORE_DISABLE_PROMPTS=1 gcloud run deploy svc-{{x}} --image gcr.io/p/app:1',
    'CLOUDSDK_CORE_VERBOSITY={{x}} gcloud run deploy svc --image gcr.io/p/app:1',
    'CLOUDSDK_CORE_PROJECT=my-project gcloud run deploy svc-{{x}} --image gcr.io/p/app:1',
  ])
    assertScriptAccepted(script);
});

test("gcloud's files: run services|jobs replace YAML and --env-vars-file take the file rule", () => {
  for (const [spec, how] of [
    [
      ['gcloud', 'run', 'services', 'replace', '{{x}}'],
      'gcloud run services replace deploys the service described in',
    ],
    [
      ['gcloud', 'beta', 'run', 'jobs', 'replace', '{{x}}', '--region', 'eu'],
      'gcloud run jobs replace deploys the job described in',
    ],
    [
      ['gcloud', 'run', 'deploy', 'svc', '--image', 'gcr.io/p/app:1', '--env-vars-file', '{{x}}'],
      'gcloud --env-vars-file reads and sends',
    ],
    [
      ['gcloud', 'functions', 'deploy', 'fn', '--env-vars-file={{x}}.yaml'],
      'gcloud --env-vars-file reads and sends',
    ],
  ] as Array<[string[], string]>)
    assertRefused(spec, new RegExp(`is in the name of the local file ${how}`));
  for (const argv of [
    ['gcloud', 'run', 'services', 'replace', 'deploy/service-{{x}}.yaml'],
    ['gcloud', 'run', 'deploy', 'svc', '--image', 'gcr.io/p/app:1', '--env-vars-file', 'env/{{x}}.yaml'],
  ]) {
    assertAccepted(argv);
    assert.throws(() => renderArgv(argv, '../../etc/passwd'), /gcloud/);
    assert.doesNotThrow(() => renderArgv(argv, 'staging'));
  }
  assertAccepted(['gcloud', 'run', 'services', 'replace', 'service.yaml', '--region', 'eu']);
});
