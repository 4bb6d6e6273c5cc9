// Deploy tools' words whose value chooses where what is deployed comes from or goes, what is trusted, or the
// program that runs (deploy-sources.ts): helm repo add's URL and helm push's registry, argocd's server and an
// application's source, aws --endpoint-url and a Lambda function's bucket and image, fly deploy's image and
// config, systemctl's units, terraform init's backend settings, redis-cli's host with a password, openssl's
// config and engine, gpg's imported keys, man's pager; and docker build's proxy build arguments.
import { test } from 'node:test';
import { assertAccepted, assertRefused, checkedOnceRendered, SOURCE } from '../../helpers/command-checks.ts';

test('helm repo add and helm push: the repository or registry is refused, the name and the chart accepted', () => {
  for (const argv of [
    ['helm', 'repo', 'add', 'r', '{{x}}'],
    ['helm', 'repo', 'add', 'r', 'https://charts.example.com/{{x}}'],
    ['helm', 'repo', 'add', '--username', 'u', '--password', 'p', 'r', 'https://{{x}}.example.com'],
    ['helm', '--kube-context', 'ci', 'repo', 'add', '--force-update', 'r', '{{x}}'],
    ['helm', 'push', 'app-1.tgz', 'oci://{{x}}/charts'],
    ['helm', 'push', 'app-1.tgz', 'oci://ghcr{{x}}.io/charts'],
  ])
    assertRefused(
      argv,
      /\{\{x\}\}( \(character \d+\))? is in the (chart repository helm repo add|registry helm push)/,
    );
  assertRefused(['helm', 'repo', 'add', 'r', '{{x}}'], SOURCE);
  for (const argv of [
    ['helm', 'repo', 'add', 'r-{{x}}', 'https://charts.example.com'],
    ['helm', 'repo', 'add', 'r', 'https://charts.example.com', '--username', '{{x}}'],
    ['helm', 'push', 'app-{{x}}.tgz', 'oci://ghcr.io/org/charts'],
    ['helm', 'install', 'r', 'oci://reg.example.com/charts/app', '--version', '{{x}}'],
    ['helm', 'repo', 'update'],
  ])
    assertAccepted(argv);
});

test("argocd's server and an application's source and destination are refused; its revision and name accepted", () => {
  for (const argv of [
    ['argocd', '--server', '{{x}}', 'app', 'sync', 'app'],
    ['argocd', 'app', 'sync', 'app', '--server={{x}}'],
    ['argocd', 'app', 'set', 'app', '--repo', '{{x}}'],
    ['argocd', 'app', 'create', 'app', '--repo', 'https://github.com/{{x}}/app.git', '--path', 'k8s'],
    ['argocd', 'app', 'create', 'app', '--repo=https://git.example.com/{{x}}'],
    ['argocd', 'app', 'create', 'app', '--repo', 'https://git.example.com/app', '--path', 'overlays/{{x}}'],
    ['argocd', 'app', 'set', 'app', '--helm-chart', '{{x}}'],
    ['argocd', 'app', 'set', 'app', '--config-management-plugin', '{{x}}'],
    ['argocd', 'app', 'create', 'app', '-f', 'apps/{{x}}.yaml'],
    ['argocd', 'app', 'set', 'app', '--dest-server', 'https://{{x}}'],
    ['argocd', 'repo', 'add', 'https://git.example.com/{{x}}', '--username', 'u', '--password', 'p'],
  ])
    assertRefused(argv, SOURCE);
  for (const argv of [
    ['argocd', 'app', 'set', 'app', '--revision', '{{x}}'],
    ['argocd', 'app', 'create', 'app-{{x}}', '--repo', 'https://git.example.com/app', '--path', 'k8s'],
    ['argocd', 'app', 'set', 'app', '--helm-set-string', 'image.tag={{x}}'],
    ['argocd', 'app', 'sync', 'app-{{x}}', '--server', 'argocd.example.com'],
    ['argocd', 'app', 'wait', 'app', '--timeout', '{{port}}'],
  ])
    assertAccepted(argv);
});

test("aws: the endpoint and a Lambda function's bucket are refused, its image by the image rule; the key accepted", () => {
  for (const argv of [
    ['aws', '--endpoint-url', 'https://{{x}}', 's3', 'cp', 'dist/', 's3://bucket/', '--recursive'],
    ['aws', 's3', 'ls', '--endpoint-url={{x}}'],
    [
      'aws',
      'lambda',
      'update-function-code',
      '--function-name',
      'f',
      '--s3-bucket',
      '{{x}}',
      '--s3-key',
      'k',
    ],
    [
      'aws',
      'lambda',
      'update-function-code',
      '--function-name',
      'f',
      '--s3-bucket=code-{{x}}',
      '--s3-key',
      'k',
    ],
    [
      'aws',
      '--region',
      'eu-west-1',
      'lambda',
      'create-function',
      '--function-name',
      'f',
      '--code',
      'S3Bucket={{x}},S3Key=k',
    ],
  ])
    assertRefused(argv, SOURCE);
  for (const argv of [
    ['aws', 'lambda', 'update-function-code', '--function-name', 'f', '--image-uri', '{{x}}'],
    ['aws', 'lambda', 'update-function-code', '--function-name', 'f', '--image-uri={{x}}/app:1'],
    [
      'aws',
      'lambda',
      'update-function-code',
      '--function-name',
      'f',
      '--image-uri',
      '{{x}}.dkr.ecr.us-east-1.amazonaws.com/app:1',
    ],
  ])
    assertRefused(argv, /is in the image aws lambda --image-uri deploys, where the value would be/);
  for (const argv of [
    [
      'aws',
      'lambda',
      'update-function-code',
      '--function-name',
      'f',
      '--s3-bucket',
      'code',
      '--s3-key',
      'builds/{{x}}.zip',
    ],
    [
      'aws',
      'lambda',
      'update-function-code',
      '--function-name',
      'f-{{x}}',
      '--zip-file',
      'fileb://dist/f.zip',
    ],
    [
      'aws',
      'lambda',
      'update-function-code',
      '--function-name',
      'f',
      '--s3-bucket',
      'b',
      '--s3-key',
      'k',
      '--s3-object-version',
      '{{x}}',
    ],
    ['aws', 's3', 'cp', 'dist/app.zip', 's3://code/{{x}}/app.zip'],
    ['aws', 'ecs', 'update-service', '--cluster', 'c', '--service', 's-{{x}}'],
  ])
    assertAccepted(argv);
  checkedOnceRendered(
    [
      'aws',
      'lambda',
      'update-function-code',
      '--function-name',
      'f',
      '--image-uri',
      '123456789012.dkr.ecr.us-east-1.amazonaws.com/app:{{x}}',
    ],
    ['5000/evil', 'a b', 'x:y'],
    ['1.2.3', 'v1'],
    /\{\{x\}\} is in the tag of the image aws lambda --image-uri deploys/,
  );
});

test('fly deploy: the image by the image rule, its config and Dockerfile refused; the app and build args accepted', () => {
  for (const argv of [
    ['fly', 'deploy', '--image', '{{x}}'],
    ['flyctl', 'deploy', '-i', '{{x}}/app:1'],
    ['fly', 'deploy', '--image={{x}}'],
  ])
    assertRefused(argv, /is in the image fly(ctl)? deploy (-i|--image) deploys, where the value would be/);
  for (const argv of [
    ['fly', 'deploy', '-c', 'fly.{{x}}.toml'],
    ['fly', 'deploy', '--config', '{{x}}'],
    ['flyctl', 'deploy', '--dockerfile', 'Dockerfile.{{x}}'],
  ])
    assertRefused(
      argv,
      /is in the value of fly(ctl)? deploy (-c|--config|--dockerfile), the file that says what is built/,
    );
  for (const argv of [
    ['fly', 'deploy', '--app', 'app-{{x}}', '--image', 'registry.fly.io/app:1'],
    ['fly', 'deploy', '--build-arg', 'VERSION={{x}}'],
    ['fly', 'status', '-c', '{{x}}'],
  ])
    assertAccepted(argv);
  checkedOnceRendered(
    ['fly', 'deploy', '--image', 'registry.fly.io/app:{{x}}'],
    ['5000/evil', 'x@y'],
    ['deployment-1'],
    /\{\{x\}\} is in the tag of the image fly deploy --image deploys/,
  );
});

test('fly launch deploys too: its image by the image rule, --from, --path, its config and Dockerfile refused; its name and region accepted', () => {
  for (const argv of [
    ['fly', 'launch', '--image', '{{x}}'],
    ['flyctl', 'launch', '-i', '{{x}}/app:1', '--now'],
    ['fly', 'launch', '--org', 'o', '--image={{x}}'],
  ])
    assertRefused(argv, /is in the image fly(ctl)? launch (-i|--image) deploys, where the value would be/);
  for (const argv of [
    ['fly', 'launch', '--from', '{{x}}'],
    ['fly', 'launch', '--from=https://github.com/{{x}}/app', '--now'],
    ['fly', 'launch', '--from', 'https://github.com/org/app-{{x}}'],
  ])
    assertRefused(argv, /is in the repository fly launch --from makes the app from/);
  for (const [argv, message] of [
    [
      ['fly', 'launch', '--path', '{{x}}'],
      /is in the value of fly launch --path, the directory it builds and deploys/,
    ],
    [['fly', 'launch', '--from-manifest', 'plans/{{x}}.json'], /fly launch --from-manifest, the launch plan/],
    [
      ['fly', 'launch', '-c', 'fly.{{x}}.toml'],
      /is in the value of fly launch -c, the file that says what is built/,
    ],
    [['fly', 'launch', '--dockerfile', 'Dockerfile.{{x}}'], /fly launch --dockerfile, the file that says/],
    [['fly', 'launch', '-e', '{{x}}=1'], /the name of the variable fly launch -e sets in the app's machines/],
    [['fly', 'launch', '--build-arg', 'HTTP_PROXY={{x}}'], /fly launch --build-arg HTTP_PROXY= chooses/],
  ] as Array<[string[], RegExp]>)
    assertRefused(argv, message);
  for (const argv of [
    ['fly', 'launch', '--name', 'app-{{x}}', '--no-deploy'],
    ['fly', 'launch', '--region', '{{x}}', '--now', '--image', 'registry.fly.io/app:1'],
    ['fly', 'launch', '-e', 'VERSION={{x}}', '--from', 'https://github.com/org/app'],
    ['fly', 'launch', '--build-arg', 'VERSION={{x}}'],
  ])
    assertAccepted(argv);
  checkedOnceRendered(
    ['fly', 'launch', '--image', 'registry.fly.io/app:{{x}}'],
    ['5000/evil', 'x@y'],
    ['deployment-1'],
    /\{\{x\}\} is in the tag of the image fly launch --image deploys/,
  );
});

test("fly machine run/create IMAGE [COMMAND…]: the image by the image rule, the command read as docker run's; update's and console's image too", () => {
  for (const [argv, message] of [
    [['fly', 'machine', 'run', '{{x}}'], /is in the image fly machine run runs, where the value would be/],
    [['fly', 'm', 'create', '-a', 'app', '{{x}}/app:1'], /is in the image fly machine create runs/],
    [
      ['flyctl', 'machines', 'run', '--region', 'ams', '{{x}}', 'serve'],
      /is in the image flyctl machine run runs/,
    ],
    [
      ['fly', 'machine', 'update', '148e', '--image', '{{x}}'],
      /is in the image fly machine update --image deploys/,
    ],
    [['fly', 'machine', 'update', '148e', '-i', '{{x}}:1'], /is in the image fly machine update -i deploys/],
    [['fly', 'console', '--image={{x}}'], /is in the image fly console --image deploys/],
    // A path is a directory fly builds the image from.
    [
      ['fly', 'machine', 'run', './{{x}}'],
      /is in the directory fly machine run builds the machine's image from/,
    ],
    [
      ['fly', 'machine', 'run', '--dockerfile', 'Dockerfile.{{x}}', '.'],
      /is in the value of fly machine run --dockerfile/,
    ],
    [
      ['fly', 'machine', 'update', '148e', '--machine-config', '{"image":"{{x}}"}'],
      /fly machine update --machine-config, the machine's whole config/,
    ],
    // The command after the image: its program (fly reads its own options after the image too).
    [
      ['fly', 'machine', 'run', 'registry.fly.io/app:1', '{{x}}'],
      /is in the word naming the program fly machine run runs/,
    ],
    [
      ['fly', 'machine', 'run', '-e', 'A=1', 'registry.fly.io/app:1', '--rm', '{{x}}', 'serve'],
      /the program fly machine run runs/,
    ],
    [
      ['fly', '-a', 'app', 'm', 'create', 'registry.fly.io/app:1', '--', '{{x}}'],
      /the program fly m create runs/,
    ],
    [
      ['fly', 'machine', 'run', '--entrypoint', '/app {{x}}', 'registry.fly.io/app:1'],
      /the program fly --entrypoint runs/,
    ],
    [
      ['fly', 'machine', 'run', 'registry.fly.io/app:1', '--', 'sh', '-c', 'deploy {{x}}'],
      /inside the script of "sh -c"/,
    ],
    // An option not known here may take the next word: the image and the program would move.
    [
      ['fly', 'machine', 'run', '--frob', 'registry.fly.io/app:1', 'echo', '{{x}}'],
      /comes after fly machine run's option --frob/,
    ],
  ] as Array<[string[], RegExp]>)
    assertRefused(argv, message);
  for (const argv of [
    ['fly', 'machine', 'run', 'registry.fly.io/app:1', 'echo', '{{x}}'],
    [
      'fly',
      'machine',
      'run',
      '--rm',
      '--autostart',
      '-r',
      '{{x}}',
      '-e',
      'VERSION={{x}}',
      'registry.fly.io/app:1',
    ],
    ['fly', 'machine', 'run', '.', 'serve', '--port={{x}}'],
    ['fly', 'm', 'create', '-a', 'app-{{x}}', '--name', 'worker-{{x}}', 'registry.fly.io/app:1', 'worker'],
    ['fly', 'machine', 'update', '{{x}}', '--image', 'registry.fly.io/app:1', '--vm-memory', '512'],
    ['fly', 'machine', 'update', '148e', '--machine-config', 'machine.json'],
  ])
    assertAccepted(argv);
  for (const argv of [
    ['fly', 'machine', 'run', 'registry.fly.io/app:{{x}}', 'serve'],
    ['fly', 'machine', 'update', '148e', '--image', 'registry.fly.io/app:{{x}}'],
  ])
    checkedOnceRendered(
      argv,
      ['5000/evil', 'x@y'],
      ['deployment-1'],
      /\{\{x\}\} is in the tag of the image fly machine (run runs|update --image deploys)/,
    );
});

test('fly -e/--env NAME=VALUE and fly secrets set NAME=VALUE: a template in the name is refused, one in the value accepted (but for a variable that loads code)', () => {
  for (const [argv, message] of [
    [
      ['fly', 'deploy', '-e', '{{x}}=1'],
      /is in the name of the variable fly deploy -e sets in the app's machines/,
    ],
    [['fly', 'deploy', '--env={{x}}=1'], /the name of the variable fly deploy --env sets/],
    [['fly', 'deploy', '-eAPP_{{x}}=1'], /the name of the variable fly deploy -e sets/],
    [
      ['flyctl', 'machine', 'run', 'registry.fly.io/app:1', '-e', '{{x}}'],
      /the name of the variable flyctl machine run -e sets/,
    ],
    [
      ['fly', 'm', 'update', '148e', '--env', 'A{{x}}=1'],
      /the name of the variable fly machine update --env sets/,
    ],
    [['fly', 'console', '-e', '{{x}}=1'], /the name of the variable fly console -e sets/],
    [['fly', 'secrets', 'set', '{{x}}=1'], /is in the name of the secret fly secrets set sets/],
    [
      ['fly', 'secrets', 'set', '-a', 'app', 'VERSION=1', 'K_{{x}}=v'],
      /the name of the secret fly secrets set sets/,
    ],
  ] as Array<[string[], RegExp]>)
    assertRefused(argv, message);
  // A variable that loads code takes no template in its value, as docker run -e's.
  for (const argv of [
    ['fly', 'deploy', '-e', 'LD_PRELOAD={{x}}'],
    ['fly', 'machine', 'run', 'registry.fly.io/app:1', '-e', 'NODE_OPTIONS={{x}}'],
    ['fly', 'secrets', 'set', 'VERSION=1', 'LD_PRELOAD={{x}}'],
  ])
    assertRefused(argv, /is in the value of the variable (LD_PRELOAD|NODE_OPTIONS), which programs read/);
  for (const argv of [
    ['fly', 'deploy', '-e', 'VERSION={{x}}', '-a', 'app-{{x}}'],
    ['fly', 'deploy', '--env=RELEASE={{x}}'],
    ['fly', 'machine', 'update', '{{x}}', '-e', 'VERSION={{x}}'],
    ['fly', 'secrets', 'set', '-a', 'app-{{x}}', 'VERSION={{x}}', 'SHA={{x}}'],
    ['fly', 'secrets', 'list', '-a', '{{x}}'],
  ])
    assertAccepted(argv);
});

test('the name of a variable a runner gives the program it starts takes no template (docker, podman, nerdctl, compose, service, systemd-run, kubectl); a value after a fixed NAME= stays accepted', () => {
  for (const [argv, message] of [
    [
      ['docker', 'run', '-e', '{{x}}=1', 'img'],
      /the name of the variable docker run -e sets in the container/,
    ],
    // NAME alone copies the runner's own variable (a secret of the job) in; given NAME=VALUE it sets one.
    [
      ['docker', 'run', '--env={{x}}', 'img'],
      /the name of the variable docker run --env sets.*a name alone copies the runner's own variable/,
    ],
    [
      ['docker', 'run', '-e', '{{x}}', 'img'],
      /a name alone copies the runner's own variable of that name, a secret/,
    ],
    [['docker', 'run', '-e{{x}}=1', 'img'], /the name of the variable docker run -e sets/],
    [['docker', 'run', '-it', '-e', 'APP_{{x}}=1', 'img'], /the name of the variable docker run -e sets/],
    [['docker', 'create', '-e', '{{x}}=1', 'img'], /the name of the variable docker create -e sets/],
    [['docker', 'exec', '-e', '{{x}}=1', 'app', 'ls'], /the name of the variable docker exec -e sets/],
    [['docker', 'container', 'run', '--env', '{{x}}=1', 'img'], /docker container run --env sets/],
    [['podman', 'run', '-e', '{{x}}=1', 'img'], /the name of the variable podman run -e sets/],
    [['nerdctl', 'run', '--env', '{{x}}=1', 'img'], /the name of the variable nerdctl run --env sets/],
    [['docker', 'compose', 'run', '-e', '{{x}}=1', 'web'], /docker compose run -e sets/],
    [['docker-compose', 'run', '-e', '{{x}}=1', 'web'], /docker-compose run -e sets/],
    [
      ['docker', 'service', 'create', '--env', '{{x}}=1', 'img'],
      /docker service create --env sets in the service's containers/,
    ],
    [['docker', 'service', 'update', '--env-add', '{{x}}=1', 'web'], /docker service update --env-add sets/],
    [
      ['systemd-run', '-E', '{{x}}=1', './run.sh'],
      /the name of the variable systemd-run -E sets in the unit/,
    ],
    [['systemd-run', '--setenv={{x}}=1', './run.sh'], /systemd-run --setenv sets in the unit/],
    [['systemd-run', '-qE{{x}}', './run.sh'], /systemd-run -E sets in the unit/],
    [['systemd-run', '-p', 'User=app', '--setenv', '{{x}}', './run.sh'], /systemd-run --setenv sets/],
    [
      ['kubectl', 'set', 'env', 'deploy/app', '{{x}}=1'],
      /the name of the variable kubectl set env sets in the containers of the object/,
    ],
    [['kubectl', 'set', 'env', 'deploy/app', 'A=1', '{{x}}-'], /kubectl set env sets/],
    [['kubectl', 'set', 'env', 'deploy/app', '-e', '{{x}}=1'], /kubectl set env sets/],
    [['kubectl', 'set', 'env', 'deploy/app', '--env={{x}}'], /kubectl set env sets/],
    // kubectl reads any operand holding a "=" as a variable: a value in the object's name may make one.
    [['kubectl', 'set', 'env', 'deployment', '{{x}}', 'A=1'], /kubectl set env sets/],
    [['oc', 'set', 'env', 'dc/app', '{{x}}=1'], /oc set env sets/],
    [
      ['kubectl', 'set', 'env', '--from=secret/{{x}}', 'deploy/app'],
      /the secret or config map whose keys kubectl set env --from imports/,
    ],
    [
      ['kubectl', 'set', 'env', '--from', 'secret/s', '--prefix', '{{x}}', 'deploy/app'],
      /the prefix of the names of the variables/,
    ],
    [['kubectl', 'run', 'app', '--image=img', '--env={{x}}=1'], /the name of the variable kubectl run sets/],
    [
      ['kubectl', 'run', 'app', '--image=img', '--env', '{{x}}=1'],
      /the name of the variable kubectl run sets/,
    ],
  ] as Array<[string[], RegExp]>)
    assertRefused(argv, message);
  // docker service update --env-add's value is checked as --env's: a variable that loads code takes none.
  assertRefused(
    ['docker', 'service', 'update', '--env-add', 'LD_PRELOAD={{x}}', 'web'],
    /is in the value of the variable LD_PRELOAD, which programs read/,
  );
  for (const argv of [
    ['docker', 'run', '-e', 'VERSION={{x}}', 'img'],
    ['docker', 'run', '--env=VERSION={{x}}', '-eSHA={{x}}', 'img'],
    ['docker', 'run', 'img', 'printenv', '-e', '{{x}}'],
    ['docker', 'exec', '-e', 'VERSION={{x}}', 'app', 'ls'],
    ['docker', 'compose', 'run', '-e', 'VERSION={{x}}', 'web'],
    ['docker', 'service', 'update', '--env-add', 'VERSION={{x}}', 'web'],
    ['systemd-run', '-E', 'VERSION={{x}}', './run.sh'],
    ['systemd-run', './run.sh', '-E', '{{x}}'],
    ['kubectl', 'set', 'env', 'deploy/app', 'VERSION={{x}}'],
    ['kubectl', 'set', 'env', 'deploy/app-{{x}}', 'VERSION=1'],
    ['kubectl', 'set', 'env', 'deploy/app', '-c', '{{x}}', 'VERSION=1'],
    ['kubectl', 'set', 'env', '-l', 'app={{x}}', 'deploy', 'VERSION=1'],
    ['kubectl', 'run', 'app-{{x}}', '--image=img', '--env', 'VERSION={{x}}'],
  ])
    assertAccepted(argv);
});

test("kubectl set env: a variable that loads code takes no template in its value, as the object's containers' variable", () => {
  const message =
    /is in the value of the variable (LD_PRELOAD|NODE_OPTIONS|PATH|PYTHONPATH) (kubectl|oc) set env sets in the containers of the object \(which programs read to load code .*: the object's containers would run code of the value's choosing\)/;
  for (const argv of [
    ['kubectl', 'set', 'env', 'deploy/app', 'LD_PRELOAD={{x}}'],
    ['kubectl', 'set', 'env', 'deploy/app', 'VERSION={{x}}', 'NODE_OPTIONS=--require=/tmp/{{x}}.js'],
    ['kubectl', '-n', 'prod', 'set', 'env', 'deploy/app', '-e', 'PATH=/opt/{{x}}:/usr/bin'],
    ['kubectl', 'set', 'env', 'deploy/app', '-eLD_PRELOAD={{x}}'],
    ['kubectl', 'set', 'env', 'deploy/app', '--env=PYTHONPATH={{x}}'],
    ['oc', 'set', 'env', 'dc/app', 'LD_PRELOAD=/lib/{{x}}.so'],
  ])
    assertRefused(argv, message);
  for (const argv of [
    ['kubectl', 'set', 'env', 'deploy/app', 'VERSION={{x}}', 'LD_PRELOAD-'],
    ['kubectl', 'set', 'env', 'deploy/app-{{x}}', 'NODE_OPTIONS=--max-old-space-size=512'],
    ['kubectl', 'set', 'env', 'deploy/app', '-c', 'app-{{x}}', 'PATH=/usr/local/bin:/usr/bin'],
  ])
    assertAccepted(argv);
});

test("fly --file-local's local file follows the file rule, the machine's path and --file-secret's secret are refused; registry.fly.io's app follows the image rule", () => {
  for (const [argv, message] of [
    // The runner's file fly uploads into the machines.
    [
      ['fly', 'deploy', '--file-local', '/app/cfg={{x}}'],
      /is in the name of the local file fly --file-local reads and sends/,
    ],
    [
      ['fly', 'machine', 'run', 'registry.fly.io/app:1', '--file-local=/app/cfg=/{{x}}'],
      /the local file fly --file-local reads and sends/,
    ],
    // The file of the machines written.
    [
      ['fly', 'deploy', '--file-literal', '/app/{{x}}=aGk='],
      /is in the path in the app's machines fly deploy --file-literal writes the file to/,
    ],
    [
      ['fly', 'machine', 'update', '148e', '--file-local', '/etc/{{x}}=./a'],
      /fly machine update --file-local writes the file to/,
    ],
    [['fly', 'console', '--file-secret', '{{x}}=TLS_KEY'], /fly console --file-secret writes the file to/],
    // Which secret of the app is written there.
    [
      ['fly', 'deploy', '--file-secret', '/app/key.pem={{x}}'],
      /is in the secret of the app fly deploy --file-secret writes/,
    ],
    [
      ['fly', 'deploy', '--file-secret=/app/key.pem=TLS_{{x}}'],
      /the secret of the app fly deploy --file-secret writes/,
    ],
    // registry.fly.io/APP: the app whose image it is.
    [['fly', 'deploy', '--image', 'registry.fly.io/{{x}}:1'], /the account of a public registry/],
    [['fly', 'machine', 'run', 'registry.fly.io/app-{{x}}:1'], /the account of a public registry/],
    [['docker', 'pull', 'registry.fly.io/{{x}}:1'], /the account of a public registry/],
  ] as Array<[string[], RegExp]>)
    assertRefused(argv, message);
  for (const argv of [
    ['fly', 'deploy', '--file-local', '/app/cfg=./conf/app.json', '-e', 'VERSION={{x}}'],
    ['fly', 'deploy', '--file-literal', '/app/version={{x}}'],
    ['fly', 'deploy', '--file-secret', '/app/key.pem=TLS_KEY', '-a', 'app-{{x}}'],
    ['fly', 'deploy', '--image', 'registry.fly.io/app:{{x}}'],
    ['fly', 'deploy', '--image', 'registry.fly.io/app/web:{{x}}'],
  ])
    assertAccepted(argv);
  // A value in the local file's name after a fixed directory is checked once rendered to stay one name there.
  checkedOnceRendered(
    ['fly', 'deploy', '--file-local', '/app/cfg=./conf/{{x}}.json'],
    ['../../home/runner/.ssh/id_rsa', 'a/b'],
    ['production'],
    /holds "\/": it could name another file of the runner/,
  );
});

test("argocd proj add-source's repository, add-destination's cluster and app create/set --jsonnet-libs are refused; the project and namespace accepted", () => {
  for (const [argv, message] of [
    [
      ['argocd', 'proj', 'add-source', 'apps', '{{x}}'],
      /is in the repository argocd proj add-source lets the project's applications deploy from/,
    ],
    [
      ['argocd', '--grpc-web', 'proj', 'add-source', 'apps', 'https://github.com/org/{{x}}.git'],
      /argocd proj add-source/,
    ],
    [
      ['argocd', 'proj', 'add-destination', 'apps', '{{x}}', 'prod'],
      /is in the cluster argocd proj add-destination lets the project's applications deploy to/,
    ],
    [
      ['argocd', 'app', 'create', 'app', '--jsonnet-libs', '{{x}}'],
      /is in the value of argocd app create --jsonnet-libs/,
    ],
    [
      ['argocd', 'app', 'set', 'app', '--jsonnet-libs=vendor/{{x}}'],
      /is in the value of argocd app set --jsonnet-libs/,
    ],
  ] as Array<[string[], RegExp]>)
    assertRefused(argv, message);
  for (const argv of [
    ['argocd', 'proj', 'add-source', 'apps-{{x}}', 'https://github.com/org/deploy.git'],
    ['argocd', 'proj', 'add-destination', 'apps', 'https://kubernetes.default.svc', 'app-{{x}}'],
    ['argocd', 'app', 'set', 'app', '--jsonnet-libs', 'vendor', '--jsonnet-tla-str', 'version={{x}}'],
  ])
    assertAccepted(argv);
});

test("argocd proj add-destination's namespace is checked once rendered to be one namespace: * opens every one", () => {
  const namespace =
    /is in the namespace argocd proj add-destination lets the project's applications deploy to, which is .* once rendered: a value there must make one DNS-1123 label/;
  for (const argv of [
    ['argocd', 'proj', 'add-destination', 'apps', 'https://kubernetes.default.svc', '{{x}}'],
    ['argocd', 'proj', 'add-destination', 'apps', 'https://kubernetes.default.svc', 'app-{{x}}'],
    ['argocd', 'proj', 'add-destination', 'apps', 'in-cluster', '{{x}}', '--name'],
  ])
    checkedOnceRendered(
      argv,
      ['*', 'a*', 'kube-*', '!prod', 'a,b', 'Prod', 'x-'],
      ['production', 'staging-2'],
      namespace,
    );
  // Its project stays accepted, as a fixed namespace.
  for (const argv of [
    ['argocd', 'proj', 'add-destination', 'apps-{{x}}', 'https://kubernetes.default.svc', 'prod'],
    ['argocd', 'proj', 'add-destination', 'apps', 'https://kubernetes.default.svc', '*'],
  ])
    assertAccepted(argv);
});

test('fly deploy --buildkit-addr and --buildkit-image are refused as the builder they choose, not as the working directory', () => {
  for (const [argv, message] of [
    [
      ['fly', 'deploy', '--buildkit-addr', '{{x}}'],
      /is in the buildkit daemon fly deploy --buildkit-addr builds the image on/,
    ],
    [['fly', 'deploy', '--buildkit-addr=tcp://{{x}}:1234'], /the buildkit daemon fly deploy --buildkit-addr/],
    [
      ['flyctl', 'deploy', '--buildkit-image', 'registry.example.com/{{x}}'],
      /is in the image of the builder flyctl deploy --buildkit-image starts/,
    ],
  ] as Array<[string[], RegExp]>)
    assertRefused(argv, message);
  // Its value is no operand: what follows is read as fly reads it.
  assertAccepted(['fly', 'deploy', '--buildkit-addr', 'tcp://builder.internal:1234', '-e', 'VERSION={{x}}']);
});

test('systemctl: a unit named by the value or starting with it is refused; after a fixed prefix checked once rendered', () => {
  for (const argv of [
    ['systemctl', 'restart', '{{x}}'],
    ['sudo', 'systemctl', 'restart', '{{x}}'],
    ['systemctl', 'start', '{{x}}.service'],
    ['systemctl', '--no-block', 'stop', 'app.service', '{{x}}'],
    ['systemctl', 'enable', '--now', 'a{{x}}'],
    ['systemctl', 'isolate', '{{x}}.target'],
    ['systemctl', '-H', 'host', 'mask', '{{x}}'],
  ])
    assertRefused(
      argv,
      /is in the unit systemctl [a-z]+ acts on, where the value would be the whole name or its start/,
    );
  for (const argv of [
    ['systemctl', 'status', '{{x}}'],
    ['systemctl', 'show', '-p', 'ActiveState', '{{x}}'],
    ['systemctl', 'set-environment', 'VERSION={{x}}'],
  ])
    assertAccepted(argv);
  for (const argv of [
    ['systemctl', 'restart', 'app-{{x}}.service'],
    ['sudo', 'systemctl', 'restart', 'app@{{x}}'],
    ['systemctl', '--no-block', 'reload-or-restart', 'worker_{{x}}.timer'],
  ])
    checkedOnceRendered(
      argv,
      ['*', 'a b', 'x/y', 'a?'],
      ['blue', 'v1.2', 'green-2'],
      /is in the unit systemctl [a-z-]+ acts on/,
    );
});

test('terraform init -backend-config: a setting other than the state key is refused; key=, prefix= accepted', () => {
  for (const argv of [
    ['terraform', 'init', '-backend-config=bucket=tf-{{env}}'],
    ['terraform', 'init', '-backend-config', 'bucket={{x}}'],
    ['tofu', 'init', '--backend-config=endpoint=https://{{x}}'],
    ['terraform', 'init', '-backend-config=region={{x}}', '-backend-config=key=app.tfstate'],
    ['terraform', 'init', '-backend-config={{x}}=tf-state'],
    ['terraform', 'init', '-backend-config=role_arn=arn:aws:iam::{{x}}:role/tf'],
  ])
    assertRefused(argv, /is in the (backend setting [a-z_]+|setting terraform|setting tofu)/);
  for (const argv of [
    ['terraform', 'init', '-backend-config=key={{env}}/terraform.tfstate'],
    ['terraform', 'init', '-backend-config', 'prefix=app/{{env}}'],
    ['terraform', 'init', '-backend-config=bucket=tf-state', '-backend-config=workspace_key_prefix={{x}}'],
    ['terraform', 'workspace', 'select', '{{env}}'],
    ['terraform', 'apply', '-var', 'version={{x}}'],
  ])
    assertAccepted(argv);
});

test("docker build's proxy build arguments and a build argument's name are refused; other values accepted", () => {
  for (const argv of [
    ['docker', 'buildx', 'build', '--build-arg', 'HTTP_PROXY={{x}}', '.'],
    ['docker', 'build', '--build-arg', 'https_proxy=http://{{x}}:3128', '.'],
    ['docker', 'build', '--build-arg=FTP_PROXY={{x}}', '.'],
    ['podman', 'build', '--build-arg', 'no_proxy={{x}}', '.'],
    ['docker', 'build', '--build-arg', 'All_Proxy={{x}}', '.'],
  ])
    assertRefused(argv, /is in the proxy every download of the build's RUN steps goes through/);
  for (const argv of [
    ['docker', 'build', '--build-arg', '{{x}}=1', '.'],
    ['docker', 'build', '--build-arg', '{{x}}', '.'],
    ['docker', 'build', '--build-arg', 'V{{x}}=1', '.'],
  ])
    assertRefused(argv, /is in the name of the build argument docker build --build-arg sets/);
  for (const argv of [
    ['docker', 'build', '--build-arg', 'VERSION={{x}}', '-t', 'app:{{x}}', '.'],
    ['docker', 'build', '--build-arg', 'PROXY_NAME={{x}}', '.'],
    ['docker', 'build', '--build-arg', 'HTTP_PROXY=http://proxy:3128', '--build-arg', 'VERSION={{x}}', '.'],
  ])
    assertAccepted(argv);
});

test("redis-cli's host with a password, openssl's config and engine, gpg's imports, man's pager are refused", () => {
  for (const argv of [
    ['redis-cli', '-h', '{{x}}', '-a', 'secret', 'ping'],
    ['redis-cli', '-a', 'secret', '-h', 'redis{{x}}.com', 'ping'],
    ['redis-cli', '--user', 'deploy', '--pass', 'p', '-h', '{{x}}', 'ping'],
    ['redis-cli', '-u', 'redis://:pw@{{x}}:6379', 'ping'],
    ['redis-cli', '-s', '/run/{{x}}.sock', '-a', 'secret', 'ping'],
    ['redis-cli', '-h', 'redis', '--tls', '--cacert', '{{x}}', 'ping'],
    ['gpg', '--import', '{{x}}'],
    ['gpg', '--batch', '--import', 'keys/{{x}}.asc'],
    ['gpg', '--recv-keys', '{{x}}'],
    ['gpg', '--keyserver', '{{x}}', '--recv-keys', 'ABCDEF'],
    ['gpg', '--homedir', '{{x}}', '--verify', 'a.sig', 'a'],
  ])
    assertRefused(argv, SOURCE);
  for (const argv of [
    ['openssl', 'req', '-new', '-config', '{{x}}'],
    ['openssl', 'req', '-new', '-config', 'conf/{{x}}.cnf'],
    ['man', '-C', '{{x}}', 'ls'],
  ])
    assertRefused(argv, /what runs is read from there/);
  assertRefused(['openssl', 'req', '-engine', '{{x}}'], /a shared library it runs in its own process/);
  for (const argv of [
    ['man', '-P', '{{x}}', 'ls'],
    ['man', '--pager={{x}}', 'ls'],
    ['man', '-Pless{{x}}', 'ls'],
    ['man', '-H{{x}}', 'ls'],
  ])
    assertRefused(argv, /which program runs/);
  for (const argv of [
    ['redis-cli', '-h', 'redis', '-p', '{{port}}', '-a', 'secret', 'ping'],
    ['redis-cli', '-h', 'redis', '-a', 'secret', 'set', 'version', '{{x}}'],
    ['openssl', 'req', '-new', '-subj', '/CN={{x}}', '-config', 'openssl.cnf'],
    ['openssl', 'dgst', '-sha256', 'dist/app-{{x}}.tgz'],
    ['gpg', '--verify', 'app.sig', 'dist/app-{{x}}.tgz'],
    ['gpg', '--batch', '--import', 'keys/release.asc'],
    ['man', '-H', '{{x}}'],
    ['man', '-Hfirefox', 'ls'],
  ])
    assertAccepted(argv);
});
