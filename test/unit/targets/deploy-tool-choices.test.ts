// The deploy tools' sources, servers and trust (deploy-sources.ts), as read by review: aws's option prefixes,
// Lambda's code, role and runtime, S3 buckets and aws configure set; the variables doing the same jobs; redis-cli's
// host whatever gives the password; argocd login, repocreds, --local, appset and --kustomize-image; fly deploy's
// working directory, build args and buildpacks options; docker buildx bake's proxy args; gcloud's images and
// scheduler tokens; helm push under a fixed registry.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { argvShellProblems } from '../../../src/targets/shell-script.ts';
import {
  assertAccepted,
  assertRefused,
  assertScriptAccepted,
  assertScriptRefused,
  checkedOnceRendered,
  SOURCE,
} from '../../helpers/command-checks.ts';

test('aws takes a unique prefix of a long option for it: the endpoint, CA bundle, bucket and image by prefix', () => {
  for (const argv of [
    ['aws', '--endpoint', '{{x}}', 's3', 'ls'],
    ['aws', 's3', 'ls', '--endpoint=https://{{x}}'],
    ['aws', 's3', 'ls', '--endp', 'https://{{x}}'],
    ['aws', 's3', 'ls', '--ca', '{{x}}'],
    ['aws', 'lambda', 'update-function-code', '--function-name', 'f', '--s3-buck', '{{x}}', '--s3-key', 'k'],
    // A global option written by prefix before the service still finds the service.
    [
      'aws',
      '--reg',
      'us-east-1',
      'lambda',
      'update-function-code',
      '--function-name',
      'f',
      '--s3-b',
      '{{x}}',
    ],
  ])
    assertRefused(
      argv,
      /is in the value of aws (--endpoint-url|--ca-bundle|lambda update-function-code --s3-bucket)/,
    );
  for (const argv of [
    ['aws', 'lambda', 'update-function-code', '--function-name', 'f', '--image', '{{x}}'],
    ['aws', 'lambda', 'update-function-code', '--function-name', 'f', '--image-u={{x}}/app:1'],
  ])
    assertRefused(argv, /is in the image aws lambda --image-uri deploys, where the value would be/);
  for (const argv of [
    ['aws', '--region', '{{x}}', 's3', 'ls'],
    [
      'aws',
      '--reg',
      'eu-west-1',
      'lambda',
      'update-function-code',
      '--function-name',
      'f-{{x}}',
      '--s3-bucket',
      'b',
      '--s3-key',
      '{{x}}.zip',
    ],
    ['aws', 'ecs', 'update-service', '--cluster', 'c', '--service', 's-{{x}}', '--no-sign', '--debug'],
    ['aws', 'lambda', 'update-function-configuration', '--function-name', 'f', '--description', '{{x}}'],
  ])
    assertAccepted(argv);
  checkedOnceRendered(
    [
      'aws',
      'lambda',
      'update-function-code',
      '--function-name',
      'f',
      '--image',
      '123456789012.dkr.ecr.us-east-1.amazonaws.com/app:{{x}}',
    ],
    ['5000/evil', 'a b'],
    ['1.2.3'],
    /\{\{x\}\} is in the tag of the image aws lambda --image-uri deploys/,
  );
});

test("aws lambda's role, handler, runtime and layers are refused; --code's S3Key is checked once rendered", () => {
  for (const verb of ['update-function-configuration', 'create-function'])
    for (const [option, value] of [
      ['--role', 'arn:aws:iam::123456789012:role/{{x}}'],
      ['--handler', '{{x}}'],
      ['--runtime', '{{x}}'],
      ['--layers', 'arn:aws:lambda:us-east-1:{{x}}:layer:l:1'],
      ['--lay', '{{x}}'],
    ] as const)
      assertRefused(['aws', 'lambda', verb, '--function-name', 'f', option, value], SOURCE);
  for (const argv of [
    ['aws', 'lambda', 'create-function', '--function-name', 'f', '--code', 'S3Bucket={{x}},S3Key=k'],
    ['aws', 'lambda', 'create-function', '--function-name', 'f', '--code', 'ZipFile={{x}}'],
    [
      'aws',
      'lambda',
      'create-function',
      '--function-name',
      'f',
      '--code',
      '{"S3Bucket":"b","S3Key":"{{x}}"}',
    ],
    ['aws', 'lambda', 'create-function', '--function-name', 'f', '--code', 'S3Bucket=b,{{x}}=k'],
    ['aws', 'lambda', 'publish-layer-version', '--layer-name', 'l', '--content', 'S3Bucket={{x}},S3Key=k'],
  ])
    assertRefused(
      argv,
      /is in the value of aws lambda (create-function --code|publish-layer-version --content), which chooses where the function's code is taken from/,
    );
  for (const argv of [
    ['aws', 'lambda', 'create-function', '--function-name', 'f', '--code', 'S3Bucket=code,S3Key={{x}}'],
    [
      'aws',
      'lambda',
      'create-function',
      '--function-name',
      'f',
      '--code',
      'S3Key=builds/{{x}}.zip,S3Bucket=code',
    ],
    [
      'aws',
      'lambda',
      'publish-layer-version',
      '--layer-name',
      'l',
      '--content',
      'S3Bucket=code,S3Key=l-{{x}}.zip',
    ],
  ])
    checkedOnceRendered(
      argv,
      ['k,S3Bucket=evil', 'a=b', 'a b', '"'],
      ['1.2.3', 'v1/app'],
      /is in the S3Key= or S3ObjectVersion= of aws lambda [a-z-]+ --(code|content), and its value holds/,
    );
  for (const argv of [
    ['aws', 'lambda', 'update-function-configuration', '--function-name', 'f-{{x}}', '--timeout', '30'],
    [
      'aws',
      'lambda',
      'update-function-configuration',
      '--function-name',
      'f',
      '--role',
      'arn:aws:iam::1:role/r',
      '--handler',
      'app.handler',
    ],
    ['aws', 'lambda', 'invoke', '--function-name', 'f', '--payload', '{{x}}', 'out.json'],
  ])
    assertAccepted(argv);
});

test('aws s3 buckets, s3api --bucket and aws configure set: the bucket and a setting other than data are refused', () => {
  for (const argv of [
    ['aws', 's3', 'cp', './x', 's3://{{x}}/'],
    ['aws', 's3', 'cp', 'dist/app.zip', 's3://artifacts-{{x}}/app.zip'],
    ['aws', 's3', 'sync', 's3://b{{x}}/', './dist'],
    ['aws', 's3', 'rm', 's3://{{x}}', '--recursive'],
    ['aws', 's3api', 'put-object', '--bucket', '{{x}}', '--key', 'k', '--body', 'f'],
  ])
    assertRefused(argv, SOURCE);
  assert.match(
    argvShellProblems(['aws', 's3', 'cp', './x', 's3://{{x}}/'])[0]!,
    /\); write that value in the config, or put the value in the key, after a fixed bucket/,
  );
  for (const argv of [
    ['aws', 'configure', 'set', 'endpoint_url', '{{x}}'],
    ['aws', 'configure', 'set', 'ca_bundle', '{{x}}'],
    ['aws', 'configure', 'set', 'profile.ci.credential_process', '/bin/{{x}}'],
    ['aws', 'configure', 'set', 'default.s3.endpoint_url', 'https://{{x}}'],
    ['aws', 'configure', 'set', '{{x}}', 'v'],
  ])
    assertRefused(argv, SOURCE);
  for (const argv of [
    ['aws', 's3', 'cp', 'dist/app.zip', 's3://artifacts/{{x}}/app.zip'],
    ['aws', 's3', 'ls', 's3://artifacts/{{x}}/'],
    ['aws', 's3', 'sync', './dist', 's3://site/releases/{{x}}/', '--delete'],
    ['aws', 'configure', 'set', 'region', '{{x}}'],
    ['aws', 'configure', 'set', 'aws_access_key_id', '{{x}}', '--profile', 'ci'],
    ['aws', 'configure', 'set', 'profile.ci.role_session_name', 'deploy-{{x}}'],
  ])
    assertAccepted(argv);
});

test('the variables doing the same jobs are refused: aws endpoints and CA bundle, argocd server, options, config, proxies', () => {
  for (const script of [
    'AWS_ENDPOINT_URL={{x}} aws s3 ls',
    'AWS_ENDPOINT_URL_S3=https://{{x}} aws s3 cp f s3://b/f',
    'env AWS_ENDPOINT_URL_LAMBDA={{x}} aws lambda list-functions',
    'export AWS_CA_BUNDLE={{x}}; aws s3 ls',
    'AWS_PAGER={{x}} aws s3 ls',
    'ARGOCD_SERVER={{x}} argocd app sync app',
    'ARGOCD_OPTS="--server {{x}}" argocd app sync app',
    'export ARGOCD_CONFIG_DIR={{x}}',
    'HTTP_PROXY={{x}} docker build --build-arg HTTP_PROXY .',
    'export https_proxy=http://{{x}}:3128; docker build --build-arg https_proxy -t app .',
  ])
    assertScriptRefused(script, /is in the value of the variable \w+, which programs read/);
  for (const script of [
    'AWS_REGION={{x}} aws s3 ls',
    'AWS_ENDPOINT_URL=https://s3.example.com aws s3 cp f s3://b/{{x}}',
    'ARGOCD_SERVER=argocd.example.com argocd app sync app-{{x}}',
    'docker build --build-arg HTTP_PROXY --build-arg VERSION={{x}} .',
  ])
    assertScriptAccepted(script);
});

test("redis-cli's host is refused whatever gives the password; a value in a host's first label after a prefix is checked", () => {
  for (const argv of [
    ['redis-cli', '-h', '{{x}}', 'ping'],
    ['redis-cli', '-u', 'redis://{{x}}', '-a', 'pw', 'ping'],
    ['redis-cli', '-u', 'redis://{{x}}:6379', 'ping'],
    ['redis-cli', '-u', '$URL', '-h', '{{x}}', 'ping'],
    ['redis-cli', '--askpass', '-h', '{{x}}'],
    ['redis-cli', '-h', 'redis-{{x}}.com', 'ping'],
    ['redis-cli', '-h', 'db.{{x}}.example.com', 'ping'],
    ['redis-cli', '-u', 'redis://h:{{x}}', 'ping'],
    ['redis-cli', '-u', 'redis://h/{{x}}', 'ping'],
    ['redis-cli', '-s', '/run/redis-{{x}}.sock', 'ping'],
    ['valkey-cli', '-h', '{{x}}', 'ping'],
  ])
    assertRefused(argv, SOURCE);
  assertScriptRefused('REDISCLI_AUTH="$PW" redis-cli -h {{x}} ping', SOURCE);
  // --sni and --askpass take their value, or none: the reason given is theirs, not the command's.
  for (const argv of [
    ['redis-cli', '--tls', '--sni', '{{x}}', '-h', 'r', 'ping'],
    ['redis-cli', '--askpass', '-h', '{{x}}'],
  ]) {
    const problems = argvShellProblems(argv);
    assert.equal(problems.length, 1, JSON.stringify(problems));
    assert.doesNotMatch(problems[0]!, /is in the command redis-cli sends/);
  }
  assertRefused(['redis-cli', '--tls', '{{x}}'], /is in the command redis-cli sends/);
  for (const argv of [
    ['redis-cli', '--pass', '$PW', '-h', 'redis-{{x}}.internal', 'ping'],
    ['redis-cli', '-h', 'redis-{{x}}', 'ping'],
    ['redis-cli', '-h', 'redis-{{x}}-0.cache.example.com', '-p', '6380', 'ping'],
    ['redis-cli', '-u', 'rediss://:pw@redis-{{x}}.internal:6380/0', 'ping'],
  ])
    checkedOnceRendered(
      argv,
      ['evil.com', 'a:1@evil', 'a/b', 'A B', ''],
      ['prod', 'blue-2'],
      /is in the host (redis|valkey)-cli (-h|-u) connects to .*: a value there must make one DNS-1123 label/,
    );
  for (const argv of [
    ['redis-cli', '--tls', '--insecure', '-h', 'redis', 'set', 'version', '{{x}}'],
    ['redis-cli', '--askpass', '-h', 'redis', 'get', '{{x}}'],
    ['redis-cli', '--tls', 'set', '{{x}}', '1'],
    ['redis-cli', '-h', 'redis', '-p', '{{port}}', '-n', '{{port}}', 'ping'],
  ])
    assertAccepted(argv);
});

test('argocd login, repocreds add, --local, appset create, --argocd-context, trust switches and source options are refused', () => {
  for (const argv of [
    ['argocd', 'login', '{{x}}', '--username', 'admin', '--password', '$PW'],
    ['argocd', 'login', '--username', 'admin', '--password', '$PW', '{{x}}'],
    ['argocd', 'repocreds', 'add', 'https://{{x}}', '--password', '$P'],
    ['argocd', 'repo', 'add', 'https://git.example.com/app', '--proxy', 'http://{{x}}:3128'],
    ['argocd', '--argocd-context', '{{x}}', 'app', 'sync', 'app'],
    ['argocd', 'app', 'sync', 'app', '--insecure={{x}}'],
    ['argocd', 'app', 'sync', 'app', '--plaintext={{x}}'],
    ['argocd', 'appset', 'create', '{{x}}'],
    ['argocd', 'app', 'set', 'app', '--jsonnet-ext-var-code', 'x={{x}}'],
    ['argocd', 'app', 'set', 'app', '--jsonnet-tla-code', 'x={{x}}'],
    ['argocd', 'app', 'set', 'app', '--values', 'https://{{x}}/v.yaml'],
    ['argocd', 'app', 'set', 'app', '--project', '{{x}}'],
  ])
    assertRefused(argv, SOURCE);
  for (const argv of [
    ['argocd', 'app', 'sync', 'app', '--local', '{{x}}'],
    ['argocd', 'app', 'sync', 'app', '--local-repo-root', 'k8s/{{x}}'],
  ])
    assertRefused(
      argv,
      /is in the value of argocd app sync --local(-repo-root)?, the directory whose manifests it applies/,
    );
  for (const argv of [
    ['argocd', 'app', 'set', 'app', '--kustomize-image', '{{x}}'],
    ['argocd', 'app', 'set', 'app', '--kustomize-image', 'app={{x}}/app:1'],
    ['argocd', 'app', 'set', 'app', '--kustomize-image', '{{x}}=registry.example.com/app:1'],
  ])
    assertRefused(argv, /is in the image argocd app --kustomize-image deploys, where the value would be/);
  // --path stays refused, the message saying what may be templated instead.
  assert.match(
    argvShellProblems([
      'argocd',
      'app',
      'create',
      'a',
      '--repo',
      'https://g.example.com/x',
      '--path',
      'apps/{{x}}',
    ])[0]!,
    /; write that value in the config, or pass the value where it is data \(argocd app set app --revision \{\{x\}\}/,
  );
  for (const argv of [
    ['argocd', 'app', 'sync', 'app-{{x}}', '--insecure', '--plaintext'],
    ['argocd', 'login', 'argocd.example.com', '--username', 'admin', '--password', '$PW', '--name', '{{x}}'],
    ['argocd', 'app', 'set', 'app', '--revision', '{{x}}', '--jsonnet-ext-var-str', 'v={{x}}'],
    ['argocd', 'app', 'sync', 'app-{{x}}', '--local', './k8s'],
    ['argocd', 'appset', 'create', 'appsets/prod.yaml', '--upsert'],
  ])
    assertAccepted(argv);
  checkedOnceRendered(
    ['argocd', 'app', 'set', 'app', '--kustomize-image', 'app=registry.example.com/app:{{x}}'],
    ['5000/evil', 'a b'],
    ['1.2.3'],
    /\{\{x\}\} is in the tag of the image argocd app --kustomize-image deploys/,
  );
});

test("fly deploy's working directory, proxy build args and buildpacks volume and daemon are refused", () => {
  for (const argv of [
    ['fly', 'deploy', '{{x}}'],
    ['flyctl', 'deploy', './services/{{x}}', '--remote-only'],
  ])
    assertRefused(argv, /is in the working directory fly(ctl)? deploy builds and deploys/);
  for (const argv of [
    ['fly', 'deploy', '--build-arg', 'HTTP_PROXY={{x}}'],
    ['fly', 'deploy', '--build-arg', 'https_proxy=http://{{x}}:3128'],
    ['fly', 'deploy', '--build-arg', 'BUILDKIT_SYNTAX={{x}}'],
    ['fly', 'deploy', '--build-arg', '{{x}}=1'],
    ['fly', 'deploy', '--buildpacks-volume', '{{x}}:/x'],
    ['fly', 'deploy', '--buildpacks-docker-host', '{{x}}'],
  ])
    assertRefused(argv, SOURCE);
  for (const argv of [
    ['fly', 'deploy', '--app', 'app-{{x}}', '--build-arg', 'VERSION={{x}}', '--env', 'VERSION={{x}}'],
    [
      'fly',
      'deploy',
      './services/api',
      '-a',
      'app-{{x}}',
      '--strategy',
      'rolling',
      '--image-label',
      'v-{{x}}',
    ],
    ['fly', 'deploy', '--build-arg', 'HTTP_PROXY=http://proxy:3128', '--build-arg', 'V={{x}}'],
  ])
    assertAccepted(argv);
});

test('docker buildx bake --set TARGET.args.HTTP_PROXY (and the other proxies, BUILDKIT_SYNTAX) is refused', () => {
  for (const argv of [
    ['docker', 'buildx', 'bake', '--set', '*.args.HTTP_PROXY={{x}}'],
    ['docker', 'buildx', 'bake', '--set', 'app.args.no_proxy={{x}}'],
    ['docker', 'buildx', 'bake', '--set', 'app.args.BUILDKIT_SYNTAX={{x}}'],
  ])
    assertRefused(argv, /which docker buildx bake --set [^ ]+ chooses/);
  assertAccepted(['docker', 'buildx', 'bake', 'app', '--set', 'app.args.VERSION={{x}}']);
});

test("gcloud compute's images by path or --create-disk, and a scheduler job's server with a token, are refused", () => {
  for (const argv of [
    [
      'gcloud',
      'compute',
      'instances',
      'create',
      'vm',
      '--create-disk',
      'image-project={{x}},image=i,boot=yes',
    ],
    [
      'gcloud',
      'compute',
      'instances',
      'create',
      'vm',
      '--create-disk',
      'image=projects/{{x}}/global/images/i',
    ],
    ['gcloud', 'compute', 'instances', 'create', 'vm', '--image', 'projects/{{x}}/global/images/i'],
    ['gcloud', 'compute', 'disks', 'create', 'd', '--image=projects/{{x}}/global/images/i'],
    [
      'gcloud',
      'scheduler',
      'jobs',
      'create',
      'http',
      'j',
      '--uri',
      'https://{{x}}',
      '--oauth-service-account-email',
      'sa@p.iam.gserviceaccount.com',
    ],
    [
      'gcloud',
      'scheduler',
      'jobs',
      'update',
      'http',
      'j',
      '--uri=https://api.example.com{{x}}',
      '--oidc-service-account-email',
      'sa@p.iam.gserviceaccount.com',
    ],
    [
      'gcloud',
      'scheduler',
      'jobs',
      'create',
      'http',
      'j',
      '--uri',
      'https://a.example.com/',
      '--oauth-service-account-email',
      '{{x}}',
    ],
  ])
    assertRefused(argv, /its value would choose who gcloud acts as/);
  for (const argv of [
    ['gcloud', 'compute', 'instances', 'create', 'vm', '--image', 'app-{{x}}'],
    ['gcloud', 'compute', 'instances', 'create', 'vm', '--image', 'projects/p/global/images/app-{{x}}'],
    ['gcloud', 'compute', 'instances', 'create', 'vm', '--image-family={{x}}', '--image-project', 'p'],
  ])
    checkedOnceRendered(
      argv,
      ['projects/evil/global/images/x', 'a b', '-x'],
      ['v1-2', 'debian-12'],
      /is in the image gcloud compute instances create --image(-family)? makes the boot disk from/,
    );
  for (const argv of [
    [
      'gcloud',
      'compute',
      'instances',
      'create',
      'vm-{{x}}',
      '--create-disk',
      'size={{port}},image=i,image-project=p',
    ],
    [
      'gcloud',
      'scheduler',
      'jobs',
      'create',
      'http',
      'j',
      '--uri',
      'https://api.example.com/{{x}}',
      '--oidc-service-account-email',
      'sa@p.iam.gserviceaccount.com',
    ],
    [
      'gcloud',
      'scheduler',
      'jobs',
      'create',
      'http',
      'j',
      '--uri',
      'https://{{x}}/hook',
      '--schedule',
      '0 * * * *',
    ],
  ])
    assertAccepted(argv);
});

test('helm push under a fixed registry follows the image rule; the registry itself stays refused', () => {
  for (const argv of [
    ['helm', 'push', './chart.tgz', 'oci://reg.example.com/charts/{{x}}'],
    ['helm', 'push', './chart.tgz', 'oci://reg.example.com:5000/{{x}}/charts'],
  ])
    checkedOnceRendered(argv, ['a b', 'x@y', 'A:B/c'], ['prod', 'team-1'], /helm push sends the chart to/);
  for (const argv of [
    ['helm', 'push', './chart.tgz', 'oci://{{x}}/charts'],
    ['helm', 'push', './chart.tgz', 'oci://reg.example.com:{{x}}/c'],
  ])
    assertRefused(argv, /in the registry helm push sends the chart to/);
  assertRefused(['helm', 'push', 'app-1.tgz', 'oci://ghcr.io/{{x}}'], /the account of a public registry/);
});
