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
  checkedOnceRendered,
  renderArgv,
} from '../../helpers/command-checks.ts';

const BAD_TAGS = ['5000/evil', 'x:y', 'a b', '-rc'];
const GOOD_TAGS = ['1.2.3', 'v1.2.3-rc.1', 'latest'];

test("a template in a word of a command tree's groups is refused: its value would choose the command", () => {
  for (const [spec, label] of [
    // gcloud: its leading words are groups until a verb.
    [['gcloud', 'compute', 'instances', '{{x}}'], 'gcloud compute instances'],
    [['gcloud', 'compute', 'instances', '{{x}}', 'vm-1'], 'gcloud compute instances'],
    [['gcloud', 'beta', 'compute', 'instances', '{{x}}'], 'gcloud beta compute instances'],
    [['gcloud', '--project', 'p', 'compute', '{{x}}', 'list'], 'gcloud compute'],
    [['gcloud', 'beta', '{{x}}', 'deploy', 'svc'], 'gcloud beta'],
    [
      ['gcloud', 'alpha', 'container', 'clusters', 'node-pools', '{{x}}'],
      'gcloud alpha container clusters node-pools',
    ],
    [['gcloud', 'sql', 'import', '{{x}}', 'db', 'gs://b/d.sql'], 'gcloud sql import'],
    // The image tools' groups not read here otherwise.
    [['kind', 'delete', '{{x}}'], 'kind delete'],
    [['kind', 'get', '{{x}}'], 'kind get'],
    [['crane', 'auth', '{{x}}'], 'crane auth'],
    [['crane', 'registry', '{{x}}'], 'crane registry'],
    [['cosign', 'dockerfile', '{{x}}', 'Dockerfile'], 'cosign dockerfile'],
    [['trivy', 'registry', '{{x}}', 'ghcr.io'], 'trivy registry'],
    [['ctr', 'snapshots', '{{x}}', 'k'], 'ctr snapshots'],
    // Container runners' management commands and their groups.
    [['docker', 'image', '{{x}}'], 'docker image'],
    [['docker', 'image', '{{x}}', 'app:1'], 'docker image'],
    [['docker', 'buildx', '{{x}}'], 'docker buildx'],
    [['docker', 'buildx', 'imagetools', '{{x}}', 'reg/app:1'], 'docker buildx imagetools'],
    [['docker', 'compose', '--env-file', '.env', '{{x}}'], 'docker compose'],
    [['docker', 'trust', 'signer', '{{x}}', 'ci'], 'docker trust signer'],
    [['docker', 'volume', '{{x}}', 'data'], 'docker volume'],
    [['podman', 'system', 'connection', '{{x}}'], 'podman system connection'],
    [['nerdctl', 'image', '{{x}}'], 'nerdctl image'],
    [['buildah', '{{x}}'], 'buildah'],
    [['buildah', '--root', '/srv/storage', '{{x}}', 'c'], 'buildah'],
    [['buildah', 'manifest', '{{x}}', 'app'], 'buildah manifest'],
  ] as Array<[string[], string]>)
    assertRefused(
      spec,
      new RegExp(
        `\\{\\{x\\}\\}( \\(character \\d+\\))? is in the subcommand ${label} runs \\([^)]*\\): its value would choose what ${label.split(' ')[0]} does`,
      ),
    );
  // The operands after a command, and the values of options before one, keep their readings.
  for (const spec of [
    ['gcloud', 'compute', 'instances', 'create', 'vm-{{x}}', '--image', 'debian-12'],
    ['gcloud', 'beta', 'compute', 'instances', 'delete', 'vm-{{x}}', '--quiet'],
    ['gcloud', 'storage', 'cp', 'dist/app.tgz', 'gs://bucket/{{x}}/'],
    ['gcloud', 'functions', 'deploy', 'fn-{{x}}', '--runtime', 'nodejs22', '--trigger-http'],
    // (versions access --secret {{x}}: the secret read, refused: gcloud-trivy-cosign-choices.)
    ['gcloud', 'secrets', 'versions', 'list', '--secret', 'app-{{x}}'],
    ['gcloud', 'sql', 'import', 'sql', 'db', 'gs://b/{{x}}.sql'],
    ['gcloud', 'run', 'services', 'describe', 'svc-{{x}}'],
    // A verb and its object, hyphenated: a command too.
    ['gcloud', 'run', 'services', 'update-traffic', 'svc-{{x}}', '--to-latest'],
    ['gcloud', 'compute', 'instances', 'add-metadata', 'vm-{{x}}', '--metadata', 'env=prod'],
    ['gcloud', 'compute', 'instance-groups', 'managed', 'rolling-action', 'start-update', 'g-{{x}}'],
    ['gcloud', 'app', 'versions', 'migrate', 'v{{x}}'],
    ['kind', 'delete', 'cluster', '--name', 'ci-{{x}}'],
    ['kind', 'get', 'kubeconfig', '--name', 'ci-{{x}}'],
    ['ctr', 'snapshots', 'rm', 'snap-{{x}}'],
    ['docker', 'image', 'rm', 'app:{{x}}'],
    ['docker', 'network', 'create', 'net-{{x}}'],
    ['docker', 'volume', 'rm', 'data-{{x}}'],
    ['docker', 'compose', '-p', 'app-{{x}}', 'up', '-d'],
    ['docker', 'compose', '--project-name=app-{{x}}', 'up', '-d'],
    ['docker', 'buildx', 'rm', 'ci-{{x}}'],
    ['podman', 'system', 'connection', 'remove', 'c-{{x}}'],
    ['buildah', 'rm', 'c-{{x}}'],
    ['buildah', 'manifest', 'create', 'app-{{x}}'],
  ])
    assertAccepted(spec);
  for (const argv of [
    ['buildah', 'from', 'reg/app:{{x}}'],
    ['docker', 'image', 'pull', 'reg/app:{{x}}'],
    ['gcloud', 'run', 'deploy', 'svc', '--allow-unauthenticated', '--image', 'gcr.io/p/app:{{x}}'],
  ])
    checkedOnceRendered(argv, BAD_TAGS, GOOD_TAGS, /is in the tag of the image/);
});

test('gcloud: what the service runs and the secrets it gets, the images it deploys or builds', () => {
  for (const [spec, message] of [
    [
      ['gcloud', 'run', 'deploy', 'svc', '--image', 'gcr.io/p/app:1', '--command', '{{x}}'],
      /the entrypoint of the container \(the program it runs\), which gcloud run deploy --command sets \(\{\{x\}\}\): its value would choose what the container runs/,
    ],
    [
      ['gcloud', 'run', 'jobs', 'update', 'job', '--args={{x}}'],
      /the arguments of the container's entrypoint .*, which gcloud run jobs update --args sets/,
    ],
    [
      ['gcloud', 'run', 'deploy', 'svc', '--image', 'gcr.io/p/app:1', '--set-secrets', 'KEY={{x}}:latest'],
      /the secrets \(any secret of the project, as a variable or a file of the container\) gcloud run deploy --set-secrets gives the container/,
    ],
    [
      ['gcloud', 'beta', 'run', 'services', 'update', 'svc', '--update-secrets=/etc/key=k:{{x}}'],
      /gcloud beta run services update --update-secrets gives the container/,
    ],
    [
      ['gcloud', 'app', 'deploy', '--image-url', '{{x}}'],
      /the image gcloud app deploy --image-url names, where the value would be the whole image/,
    ],
    [
      ['gcloud', 'builds', 'submit', '--tag', '{{x}}', '.'],
      /the image gcloud builds submit --tag names, where the value would be the whole image/,
    ],
    [
      ['gcloud', 'builds', 'submit', '-t', 'gcr.io/{{x}}/app:1', '.'],
      /the image gcloud builds submit -t names, where the value would be/,
    ],
    [
      ['gcloud', 'deploy', 'releases', 'create', 'r1', '--images', 'app={{x}}'],
      /the image gcloud deploy releases create --images names, where the value would be the whole image/,
    ],
    [
      ['gcloud', 'deploy', 'releases', 'create', 'r1', '--images={{x}}=reg/app:1'],
      /the images gcloud deploy releases create --images names \(NAME=IMAGE,…: a value in a name, or before another pair/,
    ],
    [
      ['gcloud', 'deploy', 'releases', 'create', 'r1', '--images', 'app=reg/app:{{x}},db=reg/db:1'],
      /the images gcloud deploy releases create --images names/,
    ],
  ] as Array<[string[], RegExp]>)
    assertRefused(spec, message);
  for (const argv of [
    ['gcloud', 'app', 'deploy', 'app.yaml', '--image-url', 'gcr.io/p/app:{{x}}'],
    ['gcloud', 'builds', 'submit', '--no-cache', '--tag', 'gcr.io/p/app:{{x}}', '.'],
    ['gcloud', 'deploy', 'releases', 'create', 'r-{{x}}', '--images', 'app=reg/app:{{x}}'],
    ['gcloud', 'deploy', 'releases', 'create', 'r1', '--images=db=reg/db:1,app=reg/app:{{x}}'],
  ])
    checkedOnceRendered(argv, BAD_TAGS, GOOD_TAGS, /is in the tag of the image gcloud/);
  for (const spec of [
    ['gcloud', 'run', 'deploy', 'svc', '--image', 'gcr.io/p/app:1', '--set-env-vars', 'VERSION={{x}}'],
    ['gcloud', 'run', 'deploy', 'svc', '--image', 'gcr.io/p/app:1', '--set-secrets', 'KEY=api-key:latest'],
    [
      'gcloud',
      'run',
      'deploy',
      'svc',
      '--image',
      'gcr.io/p/app:1',
      '--command',
      'node',
      '--args',
      'server.js',
    ],
    ['gcloud', 'run', 'deploy', 'svc', '--image', 'gcr.io/p/app:1', '--tag', 'v{{x}}'],
    ['gcloud', 'builds', 'submit', '--config', 'cloudbuild.yaml', '--substitutions', '_VERSION={{x}}', '.'],
  ])
    assertAccepted(spec);
});

test('gcloud: who it acts as, the flags and properties it reads, its project and configuration', () => {
  const engine = (option: string) =>
    new RegExp(`which gcloud ${option} chooses \\([^)]*\\): its value would choose who gcloud acts as`);
  for (const [spec, option] of [
    [
      [
        'gcloud',
        'run',
        'deploy',
        'svc',
        '--image',
        'gcr.io/p/app:1',
        '--impersonate-service-account',
        '{{x}}',
      ],
      '--impersonate-service-account',
    ],
    [
      [
        'gcloud',
        '--impersonate-service-account=deployer-{{x}}@p.iam.gserviceaccount.com',
        'run',
        'deploy',
        'svc',
      ],
      '--impersonate-service-account',
    ],
    [['gcloud', 'run', 'deploy', 'svc', '--access-token-file', '{{x}}'], '--access-token-file'],
    [['gcloud', 'run', 'deploy', 'svc', '--account', '{{x}}'], '--account'],
    [['gcloud', '--account=ci-{{x}}@p.iam.gserviceaccount.com', 'app', 'deploy'], '--account'],
    [['gcloud', 'run', 'deploy', 'svc', '--flags-file', 'flags/{{x}}.yaml'], '--flags-file'],
    [['gcloud', 'auth', 'activate-service-account', '--key-file', '{{x}}'], '--key-file'],
    [['gcloud', 'auth', 'activate-service-account', '--key-file=keys/{{x}}.json'], '--key-file'],
  ] as Array<[string[], string]>)
    assertRefused(spec, engine(option));
  // config set and unset: the property chooses an endpoint, account, project or proxy, and so does its value.
  for (const spec of [
    ['gcloud', 'config', 'set', 'api_endpoint_overrides/run', '{{x}}'],
    ['gcloud', 'config', 'set', 'project', '{{x}}'],
    ['gcloud', 'config', 'set', 'core/account', 'ci-{{x}}@p.iam.gserviceaccount.com'],
    ['gcloud', 'config', 'set', '{{x}}', 'https://example.com/'],
    ['gcloud', 'beta', 'config', 'set', 'run/region', '{{x}}'],
    ['gcloud', 'config', 'unset', '{{x}}'],
  ])
    assertRefused(
      spec,
      /is in the property \(or its value\) gcloud config (un)?set sets, which chooses the endpoint, account, project or proxy later gcloud commands use/,
    );
  // The project (as kubectl's namespace): checked once rendered.
  checkedOnceRendered(
    ['gcloud', 'run', 'deploy', 'svc', '--image', 'gcr.io/p/app:1', '--project', '{{x}}'],
    ['--impersonate-service-account=a', 'a b', 'P', 'a,b', ''],
    ['my-project-1', 'staging'],
    /\{\{x\}\} is in the project gcloud --project acts in, which is .* once rendered: a value there must make one DNS-1123 label/,
  );
  checkedOnceRendered(
    ['gcloud', '--project=app-{{x}}', 'app', 'deploy', 'app.yaml'],
    ['a/b', 'x y'],
    ['staging'],
    /is in the project gcloud --project acts in/,
  );
  // The configuration holds the account gcloud acts as: refused, as --account is.
  assertRefused(
    ['gcloud', '--configuration', '{{x}}', 'run', 'deploy', 'svc'],
    /is in the configuration it uses .*which of this machine's credentials it acts with/,
  );
  for (const spec of [
    ['gcloud', 'config', 'set', 'project', 'my-project'],
    ['gcloud', 'config', 'get', 'project'],
    ['gcloud', 'auth', 'activate-service-account', '--key-file', 'key.json'],
    ['gcloud', 'run', 'deploy', 'svc-{{x}}', '--account', 'ci@p.iam.gserviceaccount.com'],
  ])
    assertAccepted(spec);
});

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

test("docker buildx's builder, buildx use and create take no template: the builder gets the build's secrets", () => {
  const builder =
    /the buildx builder \(a BuildKit daemon, .*\), which docker (buildx )?[a-z]+ --builder chooses/;
  for (const spec of [
    ['docker', 'buildx', 'build', '--builder', '{{x}}', '.'],
    ['docker', 'buildx', '--builder', '{{x}}', 'build', '.'],
    ['docker', 'buildx', 'build', '--builder=ci-{{x}}', '-t', 'app:1', '.'],
    ['docker', 'buildx', 'bake', '--builder', '{{x}}'],
    ['docker', 'buildx', 'imagetools', 'inspect', '--builder', '{{x}}', 'reg/app:1'],
    ['docker', 'build', '--builder', '{{x}}', '.'],
  ])
    assertRefused(spec, builder);
  assertRefused(
    ['docker', 'buildx', 'use', '{{x}}'],
    /the buildx builder .*, which docker buildx use chooses for later builds/,
  );
  assertRefused(
    ['docker', 'buildx', 'use', '--default', 'ci-{{x}}'],
    /which docker buildx use chooses for later builds/,
  );
  for (const [spec, message] of [
    [
      ['docker', 'buildx', 'create', '--driver-opt', '{{x}}'],
      /the driver's options .*, which docker buildx create --driver-opt chooses/,
    ],
    [
      ['docker', 'buildx', 'create', '--driver-opt', 'image=moby/buildkit:{{x}}'],
      /which docker buildx create --driver-opt chooses/,
    ],
    [
      ['docker', 'buildx', 'create', '--config', '{{x}}'],
      /the config of the BuildKit daemon .*, which docker buildx create --config chooses/,
    ],
    [
      ['docker', 'buildx', 'create', '--buildkitd-config=cfg/{{x}}.toml'],
      /which docker buildx create --buildkitd-config chooses/,
    ],
    [
      ['docker', 'buildx', 'create', '--buildkitd-flags', '{{x}}'],
      /which docker buildx create --buildkitd-flags chooses/,
    ],
    [
      ['docker', 'buildx', 'create', '--driver', '{{x}}'],
      /the driver of the builder .*, which docker buildx create --driver chooses/,
    ],
    [
      ['docker', 'buildx', 'create', '--name', 'ci', '--driver', 'remote', 'tcp://{{x}}:1234'],
      /the docker context or endpoint docker buildx create runs the builder on/,
    ],
  ] as Array<[string[], RegExp]>)
    assertRefused(spec, message);
  // BUILDX_CONFIG and BUILDX_BUILDER, as DOCKER_HOST.
  assertScriptRefused('BUILDX_CONFIG={{x}} docker buildx build .', /the variable BUILDX_CONFIG/);
  for (const spec of [
    ['docker', 'buildx', 'build', '--builder', 'ci', '-t', 'reg/app:{{x}}', '.'],
    ['docker', 'buildx', 'create', '--name', 'ci-{{x}}', '--driver', 'docker-container', '--use'],
    ['docker', 'buildx', 'use', 'ci'],
    ['docker', 'buildx', 'rm', 'ci-{{x}}'],
    ['docker', 'build', '--build-arg', 'VERSION={{x}}', '.'],
  ])
    assertAccepted(spec);
});

test('a registry login sends the credentials to its server: the server takes no template, the username may', () => {
  for (const [spec, command] of [
    [['docker', 'login', '{{x}}'], 'docker login'],
    [
      ['docker', '-H', 'unix:///run/docker.sock', 'login', '-u', 'bot', '--password-stdin', '{{x}}'],
      'docker login',
    ],
    [['docker', 'login', 'ghcr.io/{{x}}'], 'docker login'],
    [['podman', 'login', '--authfile', 'auth.json', '{{x}}'], 'podman login'],
    [['buildah', 'login', '{{x}}'], 'buildah login'],
    [['nerdctl', 'login', '{{x}}.example.com'], 'nerdctl login'],
    [['skopeo', 'login', '{{x}}'], 'skopeo login'],
    [['cosign', 'login', '{{x}}', '-u', 'bot', '-p', 'secret'], 'cosign login'],
    [['crane', 'auth', 'login', '{{x}}', '-u', 'bot', '--password-stdin'], 'crane auth login'],
    [['oras', 'login', '--username', 'bot', '{{x}}'], 'oras login'],
    [['trivy', 'registry', 'login', '{{x}}'], 'trivy registry login'],
    [['helm', 'registry', 'login', '{{x}}', '--username', 'bot', '--password-stdin'], 'helm registry login'],
    [['regctl', 'registry', 'login', '{{x}}'], 'regctl registry login'],
  ] as Array<[string[], string]>)
    assertRefused(
      spec,
      new RegExp(
        `is in the registry ${command} sends the credentials to \\(.*\\): its value would choose the server the credentials are sent to .*; write the registry in the config \\(${command} registry\\.example\\.com -u \\{\\{x\\}\\} --password-stdin\\)`,
      ),
    );
  for (const spec of [
    ['gcloud', 'auth', 'configure-docker', '{{x}}'],
    ['gcloud', 'auth', 'configure-docker', 'europe-docker.pkg.dev,{{x}}'],
  ])
    assertRefused(
      spec,
      /is in the registry gcloud auth configure-docker has docker send gcloud's access token to .*its value would choose the server the credentials are sent to .*\(gcloud auth configure-docker us-docker\.pkg\.dev\)/,
    );
  // A fixed server: the username (checked there against the password) and the password may take a value.
  for (const spec of [
    ['docker', 'login', '-u', '{{x}}', '--password-stdin', 'ghcr.io'],
    ['docker', 'login', '--username={{x}}', '--password-stdin', 'ghcr.io'],
    ['podman', 'login', '-u', '{{x}}', '--password-stdin', 'quay.io'],
    ['cosign', 'login', 'ghcr.io', '-u', '{{x}}', '--password-stdin'],
    ['crane', 'auth', 'login', 'ghcr.io', '-u', '{{x}}', '--password-stdin'],
    ['helm', 'registry', 'login', 'ghcr.io', '--username', '{{x}}', '--password-stdin'],
    ['gcloud', 'auth', 'configure-docker', 'europe-docker.pkg.dev', '--quiet'],
    ['docker', 'logout', 'ghcr.io'],
  ])
    assertAccepted(spec);
  assertScriptAccepted('echo "{{x}}" | docker login -u bot --password-stdin ghcr.io');
});
