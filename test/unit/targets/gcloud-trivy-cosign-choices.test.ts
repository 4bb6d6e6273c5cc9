// What a review found accepted: a value choosing who what gcloud deploys acts as (--service-account), the rights
// an IAM binding grants, a secret read, a token's audience, the trigger that runs, a VM's boot image project, the
// function code that runs (--entry-point, --runtime), the VM directories a container gets; trivy's switches and
// options choosing what counts as a finding (--ignore-unfixed=, --distro) and the server of trivy client; cosign's
// OIDC client and redirect URL, and the key pair generate-key-pair writes. Each is refused when the config loads
// (or checked once rendered), and the neighbouring forms stay accepted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertAccepted, assertRefused, renderArgv } from '../../helpers/command-checks.ts';

const CLOUD =
  /\{\{x\}\}.* its value would choose who gcloud acts as, the servers it talks to or the flags it reads, or who what it deploys acts as, the rights it grants/;
const CLOUD_PROGRAM = /\{\{x\}\}.* its value would choose what the container runs/;
const RIGHTS =
  /\{\{x\}\}.* gives the container \([^)]*\): its value would choose the rights the container has/;
const SCANNER = /\{\{x\}\}.* its value would choose what the scan finds or trusts/;
const TRUST = /\{\{x\}\}.* its value would choose what cosign trusts or signs with/;

test('who what gcloud deploys or creates acts as is refused: any service account the credentials may attach', () => {
  for (const spec of [
    ['gcloud', 'run', 'deploy', 'svc', '--service-account={{x}}'],
    ['gcloud', 'run', 'deploy', 'svc', '--service-account', '{{x}}', '--image', 'gcr.io/p/a:1'],
    ['gcloud', 'run', 'deploy', 'svc', '--service-account=ci-{{x}}@p.iam.gserviceaccount.com'],
    ['gcloud', '--service-account={{x}}', 'run', 'deploy', 'svc'],
    ['gcloud', 'functions', 'deploy', 'fn', '--build-service-account', '{{x}}'],
    ['gcloud', 'functions', 'deploy', 'fn', '--run-service-account={{x}}'],
    ['gcloud', 'functions', 'deploy', 'fn', '--trigger-service-account={{x}}'],
    ['gcloud', 'compute', 'instances', 'create', 'vm', '--service-account={{x}}'],
    ['gcloud', 'builds', 'submit', '--service-account={{x}}', '--tag', 'gcr.io/p/a:1'],
    ['gcloud', 'scheduler', 'jobs', 'create', 'http', 'j', '--oidc-service-account-email={{x}}'],
    ['gcloud', 'iam', 'service-accounts', 'keys', 'create', 'k.json', '--iam-account={{x}}'],
  ])
    assertRefused(spec, /the service account it \(or what it deploys or creates\) acts as/);
  assertRefused(['gcloud', 'beta', 'run', 'deploy', 'svc', '--service-account={{x}}'], CLOUD);
  // A fixed account, and the values beside it.
  assertAccepted(['gcloud', 'run', 'deploy', 'svc-{{x}}', '--service-account=ci@p.iam.gserviceaccount.com']);
  assertAccepted([
    'gcloud',
    'run',
    'deploy',
    'svc',
    '--service-account',
    'ci@p.iam.gserviceaccount.com',
    '--image',
    'gcr.io/p/a:{{x}}',
  ]);
  assertAccepted([
    'gcloud',
    'functions',
    'deploy',
    'fn-{{x}}',
    '--build-service-account=b@p.iam.gserviceaccount.com',
  ]);
});

test('the grants of an IAM binding are refused: its member, role and condition', () => {
  for (const spec of [
    ['gcloud', 'projects', 'add-iam-policy-binding', 'p', '--member={{x}}', '--role=roles/viewer'],
    ['gcloud', 'projects', 'add-iam-policy-binding', 'p', '--member=user:a@b.c', '--role={{x}}'],
    ['gcloud', 'projects', 'add-iam-policy-binding', 'p', '--member', 'user:{{x}}', '--role', 'roles/viewer'],
    ['gcloud', 'run', 'services', 'add-iam-policy-binding', 'svc', '--member', 'allUsers', '--role', '{{x}}'],
    [
      'gcloud',
      'projects',
      'add-iam-policy-binding',
      'p',
      '--member=user:a@b.c',
      '--role=r',
      '--condition={{x}}',
    ],
    ['gcloud', 'projects', 'remove-iam-policy-binding', 'p', '--member={{x}}', '--role=roles/viewer'],
    [
      'gcloud',
      'beta',
      'iam',
      'service-accounts',
      'add-iam-policy-binding',
      'sa',
      '--member={{x}}',
      '--role=r',
    ],
  ])
    assertRefused(
      spec,
      /is in the (member|role|condition) of the IAM binding gcloud .*-iam-policy-binding (grants|removes)/,
    );
  assertRefused(['gcloud', 'projects', 'add-iam-policy-binding', 'p', '--member={{x}}', '--role=r'], CLOUD);
  // The resource bound (a name of the project) takes a value; a fixed member and role stay.
  assertAccepted([
    'gcloud',
    'run',
    'services',
    'add-iam-policy-binding',
    'svc-{{x}}',
    '--member=serviceAccount:ci@p.iam.gserviceaccount.com',
    '--role=roles/run.invoker',
  ]);
  assertAccepted(['gcloud', 'projects', 'get-iam-policy', '{{x}}']);
  assertAccepted(['gcloud', 'run', 'services', 'describe', 'svc', '--member={{x}}']);
});

test('the secret gcloud secrets versions access reads is refused, its version too (it may name any secret)', () => {
  for (const spec of [
    ['gcloud', 'secrets', 'versions', 'access', 'latest', '--secret={{x}}'],
    ['gcloud', 'secrets', 'versions', 'access', 'latest', '--secret', 'db-{{x}}'],
    ['gcloud', 'secrets', 'versions', 'access', '{{x}}', '--secret=db-pass'],
    ['gcloud', 'beta', 'secrets', 'versions', 'access', '{{x}}'],
  ])
    assertRefused(spec, /is in the secret \(or its version, [^)]*\) gcloud secrets versions access reads/);
  assertRefused(['gcloud', 'secrets', 'versions', 'access', 'latest', '--secret={{x}}'], CLOUD);
  assertAccepted(['gcloud', 'secrets', 'versions', 'access', 'latest', '--secret=db-pass']);
  assertAccepted(['gcloud', 'secrets', 'versions', 'list', '--secret={{x}}']);
  assertAccepted(['gcloud', 'secrets', 'describe', '{{x}}']);
});

test("the audience of gcloud auth print-identity-token's token is refused", () => {
  assertRefused(['gcloud', 'auth', 'print-identity-token', '--audiences={{x}}'], CLOUD);
  assertRefused(
    ['gcloud', 'auth', 'print-identity-token', '--audiences', '{{x}}'],
    /the audience of the identity token/,
  );
  assertRefused(
    ['gcloud', 'auth', 'print-identity-token', '--audiences=https://svc-{{x}}.a.run.app'],
    /the audience of the identity token/,
  );
  assertAccepted(['gcloud', 'auth', 'print-identity-token', '--audiences=https://svc.a.run.app']);
  assertAccepted([
    'gcloud',
    'auth',
    'print-identity-token',
    '--audiences',
    'https://svc.a.run.app',
    '--format={{x}}',
  ]);
});

test('the trigger gcloud builds triggers run starts is refused; its branch and region stay', () => {
  assertRefused(['gcloud', 'builds', 'triggers', 'run', '{{x}}'], CLOUD);
  assertRefused(
    ['gcloud', 'beta', 'builds', 'triggers', 'run', '{{x}}', '--branch=main'],
    /the trigger whose build/,
  );
  assertRefused(
    ['gcloud', 'builds', 'triggers', 'run', '--region', 'eu', 'deploy-{{x}}'],
    /the trigger whose build/,
  );
  assertAccepted(['gcloud', 'builds', 'triggers', 'run', 'deploy', '--branch={{x}}']);
  assertAccepted(['gcloud', 'builds', 'triggers', 'run', 'deploy', '--region', '{{x}}']);
  assertAccepted(['gcloud', 'builds', 'triggers', 'describe', '{{x}}']);
});

test("the project a VM's boot image comes from is refused", () => {
  for (const spec of [
    ['gcloud', 'compute', 'instances', 'create', 'vm', '--image-project={{x}}', '--image-family=debian-12'],
    ['gcloud', 'beta', 'compute', 'instance-templates', 'create', 't', '--image-project', '{{x}}'],
    ['gcloud', 'compute', 'images', 'create', 'img', '--source-image-project={{x}}', '--source-image=i'],
  ])
    assertRefused(spec, /the project the boot disk's image comes from/);
  assertAccepted([
    'gcloud',
    'compute',
    'instances',
    'create',
    'vm-{{x}}',
    '--image-project',
    'debian-cloud',
    '--image-family',
    'debian-12',
    '--zone',
    'europe-west1-b',
  ]);
});

test('the function code gcloud functions deploy runs is refused: --entry-point and --runtime', () => {
  for (const spec of [
    ['gcloud', 'functions', 'deploy', 'fn', '--entry-point={{x}}'],
    ['gcloud', 'functions', 'deploy', 'fn', '--entry-point', '{{x}}', '--trigger-http'],
    ['gcloud', 'functions', 'deploy', 'fn', '--runtime={{x}}'],
    ['gcloud', 'beta', 'functions', 'deploy', 'fn', '--runtime', 'python3{{x}}'],
  ])
    assertRefused(spec, CLOUD_PROGRAM);
  assertAccepted([
    'gcloud',
    'functions',
    'deploy',
    'fn-{{x}}',
    '--entry-point=main',
    '--runtime=python312',
    '--trigger-http',
  ]);
  assertAccepted(['gcloud', 'functions', 'deploy', 'fn', '--runtime', 'nodejs22', '--set-env-vars=V={{x}}']);
});

test("a Container-Optimized OS VM's mounts and --container-privileged= are refused", () => {
  for (const command of [
    ['compute', 'instances', 'create-with-container'],
    ['compute', 'instances', 'update-container'],
    ['compute', 'instance-templates', 'create-with-container'],
  ]) {
    for (const option of [
      '--container-mount-host-path=mount-path=/d,host-path={{x}}',
      '--container-mount-host-path=host-path=/srv/{{x}},mount-path=/d',
      '--container-mount-host-path=host-path=/srv/d,mount-path={{x}}',
      '--container-mount-disk=name=d,mount-path=/{{x}}',
      '--container-mount-tmpfs=mount-path={{x}}',
      '--container-privileged={{x}}',
    ])
      assertRefused(['gcloud', ...command, 'vm', option], RIGHTS);
    assertRefused(
      ['gcloud', ...command, 'vm', '--container-mount-host-path', 'host-path={{x}},mount-path=/d'],
      RIGHTS,
    );
    // The flag alone, fixed mounts, the VM's name and the image's tag stay.
    assertAccepted([
      'gcloud',
      ...command,
      'vm-{{x}}',
      '--container-privileged',
      '--container-image=gcr.io/p/a:1',
    ]);
    assertAccepted(['gcloud', ...command, 'vm', '--container-privileged', 'vm-{{x}}']);
    assertAccepted([
      'gcloud',
      ...command,
      'vm',
      '--container-mount-host-path=host-path=/srv/d,mount-path=/d',
      '--container-image=gcr.io/p/a:{{x}}',
    ]);
  }
});

test('gcloud config configurations activate takes no template: the configuration holds the account it acts as', () => {
  const message =
    /in the configuration gcloud config configurations activate makes active for every later gcloud command .*which of this machine's credentials/;
  assertRefused(['gcloud', 'config', 'configurations', 'activate', '{{x}}'], message);
  assertRefused(['gcloud', 'config', 'configurations', 'activate', 'app-{{x}}'], message);
  assert.doesNotThrow(() => renderArgv(['gcloud', 'config', 'configurations', 'describe', '{{x}}'], 'a/b'));
});

test('trivy: what counts as a finding is refused, in its switches too; the server of trivy client', () => {
  for (const spec of [
    ['trivy', 'image', '--ignore-unfixed={{x}}', 'app:1'],
    ['trivy', 'image', '--offline-scan={{x}}', 'app:1'],
    ['trivy', 'image', '--skip-db-update={{x}}', 'app:1'],
    ['trivy', '--skip-update={{x}}', 'image', 'app:1'],
    ['trivy', 'image', '--skip-java-db-update={{x}}', 'app:1'],
    ['trivy', 'image', '--skip-check-update={{x}}', 'app:1'],
    ['trivy', 'k8s', '--skip-images={{x}}', 'ctx'],
    ['trivy', 'image', '--distro', '{{x}}', 'app:1'],
    ['trivy', 'image', '--distro=alpine/3.{{x}}', 'app:1'],
    ['trivy', 'image', '--vuln-severity-source', '{{x}}', 'app:1'],
    ['trivy', 'image', '--exit-on-eol', '{{x}}', 'app:1'],
    ['trivy', 'image', '--detection-priority={{x}}', 'app:1'],
    ['trivy', 'client', '--remote', '{{x}}', 'app:1'],
    ['trivy', 'client', '--remote=http://{{x}}:4954', 'app:1'],
  ])
    assertRefused(spec, SCANNER);
  // The switches alone or with a fixed value, fixed values of the options, and the image's tag after them.
  for (const spec of [
    ['trivy', 'image', '--ignore-unfixed', '--exit-code', '1', 'reg/app:{{x}}'],
    ['trivy', 'image', '--ignore-unfixed=true', 'reg/app:{{x}}'],
    ['trivy', 'image', '--skip-db-update', 'reg/app:{{x}}'],
    ['trivy', 'image', '--distro', 'alpine/3.19', 'reg/app:{{x}}'],
    ['trivy', 'image', '--vuln-severity-source', 'nvd,auto', 'reg/app:{{x}}'],
    ['trivy', 'client', '--remote', 'http://scan:4954', 'reg/app:{{x}}'],
    ['trivy', 'image', '--format', '{{x}}', 'reg/app:1'],
  ])
    assertAccepted(spec);
});

test("cosign's OIDC client and redirect URL are refused; the key pair generate-key-pair writes takes the file rule", () => {
  assertRefused(['cosign', 'sign', '--oidc-client-id={{x}}', 'reg/app:1'], TRUST);
  assertRefused(
    ['cosign', 'sign', '--oidc-client-id', '{{x}}', 'reg/app:1'],
    /the OIDC client its identity token/,
  );
  assertRefused(['cosign', 'attest', '--oidc-redirect-url', '{{x}}', 'reg/app:1'], TRUST);
  assertAccepted(['cosign', 'sign', '--oidc-client-id=sigstore', 'reg/app@sha256:{{x}}']);
  assertRefused(
    ['cosign', 'generate-key-pair', '--output-key-prefix={{x}}'],
    /is in the name of the local file cosign --output-key-prefix writes/,
  );
  assertRefused(
    ['cosign', 'generate-key-pair', '--output-key-prefix', '{{x}}'],
    /the local file cosign --output-key-prefix writes/,
  );
  assertAccepted(['cosign', 'generate-key-pair', '--output-key-prefix', 'ci']);
  // Under a fixed directory: checked once rendered to stay one file name there.
  assertAccepted(['cosign', 'generate-key-pair', '--output-key-prefix', 'keys/{{x}}']);
  assert.throws(() =>
    renderArgv(['cosign', 'generate-key-pair', '--output-key-prefix', 'keys/{{x}}'], '../a'),
  );
  assert.doesNotThrow(() =>
    renderArgv(['cosign', 'generate-key-pair', '--output-key-prefix', 'keys/{{x}}'], 'ci'),
  );
});
