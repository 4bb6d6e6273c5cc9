// What a review found accepted: a template in a group's word of a command tree (gcloud compute instances {{x}},
// kind delete {{x}}, docker image {{x}}, buildah {{x}}); gcloud's options choosing what the service runs, the
// secrets it gets, who gcloud acts as, the flags or properties it reads, the files it deploys; docker buildx's
// builder; and the registry a login sends the credentials to. Each is refused when the config loads, and the
// neighbouring forms stay accepted (or checked once rendered).
import { test } from 'node:test';
import { assertScriptAccepted, assertScriptRefused } from '../../helpers/command-checks.ts';

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
