// A templated value never chooses the target a task runner or build tool runs: a make target
// (`make deploy-{{env}}` picks a recipe of the Makefile), a just, rake, task, gradle, maven, ant, gulp, invoke,
// mix, deno task or bazel target, a package script (npm run, yarn, pnpm, bun), the package `go run` builds and
// runs, the binary or package of `cargo run --bin/-p`, a tox or nox environment. Any plain word there picks any
// target, so it is refused whatever the value, naming the word and the safe form (a variable or an argument of
// a fixed target); the safe forms stay accepted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { argvShellProblems, renderShellScript } from '../../../src/targets/shell-script.ts';
import { TemplateError } from '../../../src/targets/template.ts';
import {
  assertAccepted,
  assertRefused,
  assertScriptAccepted,
  assertScriptRefused,
} from '../../helpers/command-checks.ts';

test('a template in a make target is refused, wherever the target is and however it is spelled', () => {
  for (const spec of [
    ['make', 'deploy-{{env}}'],
    ['make', '{{env}}'],
    ['make', '-C', 'infra', 'deploy-{{env}}'],
    ['make', '-j', '4', 'build', 'deploy-{{env}}'],
    ['make', '-j', '{{env}}'], // -j takes a number only when one follows: a value here is a target
    ['make', '-f', 'Makefile', '--', 'deploy.{{env}}'],
    ['make', 'VERSION=1', 'deploy_{{env}}'],
    ['gmake', 'deploy-{{env}}'],
    ['sudo', '-u', 'app', 'make', 'deploy-{{env}}'],
    ['make', '{{env}}=1'], // the value would name the variable (SHELL, MAKEFLAGS)
  ])
    assertRefused(spec, /is in the target (gmake|make) runs/);
  for (const script of [
    'cd infra && make "deploy-{{env}}"',
    "make 'deploy-{{env}}' VERSION=1",
    'make deploy-"{{env}}"',
    'timeout 600 make deploy-{{env}}',
  ])
    assertScriptRefused(script, /is in the target make runs/);
  // make --eval is makefile code.
  assertRefused(['make', '--eval={{env}}', 'deploy'], /the code make --eval runs/);
});

test('the message names the command, the word and the template, and says to pass the value as a make variable', () => {
  const [problem] = argvShellProblems(['make', 'deploy-{{env}}']);
  assert.match(
    problem!,
    /^\{\{env\}\} is in the target make runs \(deploy-\{\{env\}\}\): its value would choose which target or task runs/,
  );
  assert.match(problem!, /make deploy ENVIRONMENT=\{\{env\}\}/);
  assert.match(problem!, /environments\.<name>\.target/);
});

test('the targets, scripts and packages of other task runners and build tools are refused the same way', () => {
  const refused: Array<[string, RegExp]> = [
    ['just deploy-{{env}}', /the target just runs.*just deploy \{\{env\}\}, with a recipe that takes it/],
    ['just --justfile ci.just {{env}}', /the target just runs/],
    ['just --command {{env}}', /the program just --command runs/],
    ['rake deploy:{{env}}', /the target rake runs.*rake "deploy\[\{\{env\}\}\]"/],
    ['rake -f Rakefile {{env}}', /the target rake runs/],
    ['task deploy-{{env}}', /the target task runs.*task deploy -- \{\{env\}\}/],
    ['task -d infra deploy:{{env}}', /the target task runs/],
    ['./gradlew deploy{{env}}', /the target gradlew runs.*-Penv=\{\{env\}\}/],
    ['gradle -p app :{{env}}:deploy', /the target gradle runs/],
    ['mvn clean {{env}}', /the target mvn runs.*-Denv=\{\{env\}\}/],
    ['ant deploy-{{env}}', /the target ant runs/],
    ['gulp deploy-{{env}}', /the target gulp runs/],
    ['invoke deploy-{{env}}', /the target invoke runs/],
    ['mix deploy.{{env}}', /the target mix runs/],
    ['deno task deploy-{{env}}', /the target deno task runs/],
    ['bazel run //deploy:{{env}}', /the target bazel run runs/],
    ['bazelisk build //app/{{env}}/...', /the target bazelisk build runs/],
    ['go run {{env}}', /the code go run builds and runs.*go run \.\/cmd\/deploy \{\{env\}\}/],
    ['go run ./cmd/{{env}}', /the code go run builds and runs/],
    ['go run -tags prod ./cmd/deploy-{{env}} --now', /the code go run builds and runs/],
    ['go run main.go {{env}}.go', /the code go run builds and runs/],
    ['go test -exec {{env}} ./...', /the program go test -exec runs/],
    ['cargo run --bin {{env}}', /the target cargo run --bin runs.*cargo run --bin deploy -- \{\{env\}\}/],
    ['cargo run --bin=deploy-{{env}}', /the target cargo run --bin runs/],
    ['cargo run -p {{env}} --release', /the target cargo run -p runs/],
    ['cargo run --manifest-path {{env}}/Cargo.toml', /the code cargo run --manifest-path runs/],
    ['tox -e {{env}}', /the target tox -e runs/],
    ['nox -s deploy-{{env}}', /the target nox -s runs/],
    // Package scripts: the script is a command line of package.json.
    ['npm run deploy-{{env}}', /the program npm run runs/],
    ['npm run-script {{env}}', /the program npm run-script runs/],
    ['yarn deploy-{{env}}', /the subcommand yarn runs/],
    ['yarn run {{env}}', /the program yarn run runs/],
    ['pnpm --filter app run {{env}}', /the program pnpm run runs/],
    ['bun run deploy:{{env}}', /the program bun run runs/],
  ];
  for (const [script, message] of refused) assertScriptRefused(script, message);
});

test('a value passed to a fixed target, as a variable or an argument, stays accepted', () => {
  for (const spec of [
    ['make', 'deploy', 'ENVIRONMENT={{env}}'],
    ['make', '-C', 'infra', 'deploy', 'VERSION={{x}}'],
    ['make', '-j', '4', 'deploy', 'VERSION={{x}}'],
    ['just', 'deploy', '{{env}}'],
    ['rake', 'deploy[{{env}}]'],
    ['rake', 'deploy', 'ENVIRONMENT={{env}}'],
    ['task', 'deploy', 'ENVIRONMENT={{env}}'],
    ['task', 'deploy', '--', '{{env}}'],
    ['./gradlew', 'deploy', '-Penv={{env}}'],
    ['mvn', 'deploy', '-Denv={{env}}'],
    ['go', 'run', './cmd/deploy', '{{env}}'],
    ['go', 'run', '.', '--env', '{{env}}'],
    ['cargo', 'run', '--bin', 'deploy', '--', '{{env}}'],
    ['tox', '-e', 'deploy', '--', '{{env}}'],
    ['nox', '-s', 'deploy', '--', '{{env}}'],
    ['bazel', 'run', '//deploy', '--', '{{env}}'],
    ['deno', 'task', 'deploy', '{{env}}'],
    ['npm', 'run', 'deploy', '--', '{{env}}'],
  ])
    assertAccepted(spec);
  assertScriptAccepted('make deploy ENVIRONMENT="{{env}}" && ./notify.sh {{env}}');
});

test('an option value or an argument of the binary is not a target', () => {
  for (const spec of [
    ['gulp', 'deploy', '--env', '{{env}}'],
    ['gulp', '--env', '{{env}}', 'deploy'],
    ['fab', '-H', '{{x}}', 'deploy'],
    ['fab', '--hosts', '{{x}}', 'deploy'],
    ['fab', '-i', '{{x}}', '-t', '{{x}}', '-T', '{{x}}', 'deploy'],
    ['bazel', 'run', '//deploy:push', '{{x}}'],
    ['bazel', 'run', '//deploy:push', '--', '{{x}}'],
  ])
    assertAccepted(spec);
  // gulp's own flags take no value: the word after one is a task.
  assertRefused(['gulp', '--silent', '{{env}}'], /is in the target gulp runs/);
  assertRefused(['gulp', '-S', '{{env}}'], /is in the target gulp runs/);
  assertRefused(['gulp', '--color', '{{env}}'], /is in the target gulp runs/);
  assertRefused(['bazel', 'build', '//a', '{{x}}'], /is in the target bazel build runs/);
});

test('an option choosing the file or directory a task runner reads its tasks from takes no template', () => {
  const refused: Array<[string[], RegExp]> = [
    [['just', '-f', '{{x}}', 'deploy'], /the code just -f runs/],
    [['gulp', '-f', '{{x}}', 'deploy'], /the code gulp -f runs/],
    [['gulp', '--preload', '{{x}}', 'deploy'], /the code gulp --preload runs/],
    [['just', '--justfile', '{{x}}', 'deploy'], /the code just --justfile runs/],
    [['just', '--shell', '{{x}}', 'deploy'], /the program just --shell runs/],
    [['rake', '-f', '{{x}}', 'deploy'], /the code rake -f runs/],
    [['rake', '-R', '{{x}}', 'deploy'], /the code rake -R runs/],
    [['rake', '-I', '{{x}}', 'deploy'], /the code rake -I runs/],
    [['gradle', '-b', '{{x}}', 'deploy'], /the code gradle -b runs/],
    [['gradle', '-c', '{{x}}', 'deploy'], /the code gradle -c runs/],
    [['./gradlew', '-p', '{{x}}', 'deploy'], /the code gradlew -p runs/],
    [['task', '-t', '{{x}}', 'deploy'], /the code task -t runs/],
    [['task', '-d', '{{x}}', 'deploy'], /the code task -d runs/],
    [['mvn', '-f', '{{x}}', 'deploy'], /the code mvn -f runs/],
    [['mvn', '--file={{x}}', 'deploy'], /the code mvn --file runs/],
    [['make', '-C', '{{x}}', 'deploy'], /the code make -C runs/],
    [['make', '-C{{x}}', 'deploy'], /the code make -C runs/],
    [['fab', '-S', '{{x}}', 'deploy'], /the code fab -S runs/],
    [['invoke', '-c', '{{x}}', 'deploy'], /the code invoke -c runs/],
  ];
  for (const [spec, message] of refused) assertRefused(spec, message);
});

test('an option choosing the project a project tool runs the scripts of takes no template', () => {
  const refused: Array<[string[], RegExp]> = [
    [['poetry', '-C', '{{x}}', 'run', 'deploy'], /in the value of poetry -C, which chooses the project/],
    [['poetry', '--directory', '{{x}}', 'run', 'deploy'], /the value of poetry --directory/],
    [['poetry', '--directory={{x}}', 'run', 'deploy'], /the value of poetry --directory/],
    [['poetry', '-P', 'services/{{x}}', 'install'], /the value of poetry -P/],
    [['uv', '--directory', '{{x}}', 'run', 'deploy.py'], /the value of uv --directory/],
    [['uv', 'run', '--project', '{{x}}', 'deploy.py'], /the value of uv --project/],
    [['pdm', '-p', '{{x}}', 'run', 'deploy'], /the value of pdm -p, which chooses the project/],
    [['npm', '-C', '{{x}}', 'run', 'deploy'], /the value of npm -C/],
    [['npm', '--prefix', '{{x}}', 'run', 'deploy'], /the value of npm --prefix/],
    // npm reads its options after the script's name too, up to `--`.
    [['npm', 'run', 'deploy', '--prefix={{x}}'], /the value of npm --prefix/],
    [['npm', 'ci', '--prefix', 'services/{{x}}'], /the value of npm --prefix/],
    [['npm', 'run', 'deploy', '-w', '{{x}}'], /the value of npm -w/],
    [['pnpm', '-C', '{{x}}', 'run', 'deploy'], /the value of pnpm -C/],
    [['pnpm', '-C{{x}}', 'run', 'deploy'], /the value of pnpm -C/],
    [['pnpm', '--dir', '{{x}}', 'deploy'], /the value of pnpm --dir/],
    [['pnpm', '--filter', '{{x}}', 'run', 'deploy'], /the value of pnpm --filter/],
    [['yarn', '--cwd', '{{x}}', 'deploy'], /the value of yarn --cwd/],
    [['bun', '--cwd', '{{x}}', 'run', 'deploy'], /the value of bun --cwd/],
    [['composer', '-d', '{{x}}', 'run-script', 'deploy'], /the value of composer -d/],
    [['cargo', '-C', '{{x}}', 'build'], /the value of cargo -C/],
    [['go', '-C', '{{x}}', 'run', '.'], /the value of go -C/],
    [['go', 'run', '-C', '{{x}}', '.'], /the value of go -C/],
    [['hatch', '-e', '{{x}}', 'run', 'deploy'], /the value of hatch -e/],
    [['pixi', 'run', '--manifest-path', '{{x}}', 'deploy'], /the value of pixi --manifest-path/],
    [['turbo', 'run', 'deploy', '--filter', '{{x}}'], /the value of turbo --filter/],
    [['mise', '-C', '{{x}}', 'run', 'deploy'], /the value of mise -C/],
  ];
  for (const [spec, message] of refused) assertRefused(spec, message);
  // Through a variable, too.
  assertScriptRefused(
    'D={{x}}; npm --prefix "$D" run deploy',
    /\$D .*holds \{\{x\}\}.*the value of npm --prefix/,
  );
  // The message says what to write instead: the project in the config, the value as an argument.
  const [problem] = argvShellProblems(['poetry', '-C', '{{x}}', 'run', 'deploy']);
  assert.match(
    problem!,
    /its value would choose the project whose scripts, dependencies and build code run .*write the project in the config and pass the value as an argument \(poetry -C services\/api run deploy \{\{x\}\} .*environments\.<name>\.target/,
  );
  // A fixed project, and the value as an argument of the script or program (after its name or after --).
  for (const spec of [
    ['poetry', '-C', 'services/api', 'run', 'deploy', '{{x}}'],
    ['poetry', 'run', 'deploy', '-C', '{{x}}'],
    ['uv', '--directory', 'api', 'run', 'deploy.py', '--directory', '{{x}}'],
    ['npm', '--prefix', 'web', 'run', 'deploy', '--', '--prefix', '{{x}}'],
    ['pnpm', '--dir', 'web', 'run', 'deploy', '{{x}}'],
    ['yarn', '--cwd', 'web', 'deploy', '{{x}}'],
    ['go', 'run', '.', '-C', '{{x}}'],
  ])
    assertAccepted(spec);
});

test("capistrano's stage (its config/deploy/STAGE.rb runs) and tasks take no template", () => {
  assertRefused(
    ['cap', '{{env}}', 'deploy'],
    /is in the target cap runs.*cap production deploy VERSION=\{\{env\}\}/,
  );
  assertRefused(['bundle', 'exec', 'cap', '{{env}}', 'deploy'], /the target cap runs/);
  assertRefused(['cap', 'production', 'deploy:{{env}}'], /the target cap runs/);
  assertRefused(['cap', '-f', '{{env}}', 'production', 'deploy'], /the code cap -f runs/);
  assertAccepted(['cap', 'production', 'deploy', 'VERSION={{env}}']);
  assertAccepted(['bundle', 'exec', 'cap', 'production', 'deploy', 'BRANCH={{x}}']);
});

test('the workspace a monorepo tool runs the script of, and the packages go generate runs the commands of, take no template', () => {
  for (const [spec, message] of [
    [
      ['yarn', 'workspace', '{{x}}', 'run', 'deploy'],
      /is in the workspace yarn workspace runs the command of/,
    ],
    [['yarn', 'workspace', '{{x}}', 'deploy'], /the workspace yarn workspace runs the command of/],
    [['yarn', 'workspace', 'app-{{x}}', 'exec', 'node', 'deploy.js'], /the workspace yarn workspace/],
    [['yarn', 'workspaces', 'foreach', '--include', '{{x}}', 'run', 'deploy'], /the value of yarn --include/],
    [['yarn', 'workspaces', 'foreach', '--from={{x}}', 'run', 'deploy'], /the value of yarn --from/],
    [
      ['yarn', 'workspaces', 'foreach', '-A', '--exclude', '{{x}}', 'run', 'deploy'],
      /the value of yarn --exclude/,
    ],
    [['lerna', 'run', 'deploy', '--scope', '{{x}}'], /the value of lerna --scope/],
    [['lerna', 'exec', '--scope={{x}}', '--', './deploy.sh'], /the value of lerna --scope/],
    [['nx', 'run-many', '-t', 'deploy', '-p', '{{x}}'], /the value of nx -p/],
    [['nx', 'run-many', '-t', 'deploy', '--projects={{x}}'], /the value of nx --projects/],
    [['npm', 'run', 'deploy', '--workspace', '{{x}}'], /the value of npm --workspace/],
    [['pnpm', '--filter', '{{x}}', 'run', 'deploy'], /the value of pnpm --filter/],
    [['go', 'generate', './{{x}}'], /the code go generate builds and runs/],
    [['go', 'generate', './cmd/{{x}}/...'], /the code go generate builds and runs/],
    [['go', 'generate', '-x', './internal', './{{x}}'], /the code go generate builds and runs/],
    [['go', 'generate', '-run', '{{x}}', './...'], /the target go generate -run runs/],
    [['go', 'generate', '-skip={{x}}', './...'], /the target go generate -skip runs/],
    [['go', 'test', './internal/...', './{{x}}'], /the code go test builds and runs/],
  ] as Array<[string[], RegExp]>)
    assertRefused(spec, message);
  assert.match(
    argvShellProblems(['yarn', 'workspace', '{{x}}', 'run', 'deploy'])[0]!,
    /write the project in the config and pass the value as an argument \(yarn workspace api run deploy \{\{x\}\}/,
  );
  // The value as an argument of the script, or a flag of the test binary, stays accepted.
  for (const spec of [
    ['yarn', 'workspace', 'api', 'run', 'deploy', '{{x}}'],
    ['yarn', 'workspace', 'api', 'deploy', '--tag', '{{x}}'],
    ['lerna', 'run', 'deploy', '--scope', 'api', '--', '{{x}}'],
    ['nx', 'run-many', '-t', 'deploy', '-p', 'api', '--', '{{x}}'],
    ['go', 'generate', './...'],
    ['go', 'test', './...', '-run', 'TestSmoke', '-args', '{{x}}'],
    ['go', 'build', '-ldflags', '-X main.version={{x}}', './cmd/app'],
  ])
    assertAccepted(spec);
});

test('the configuration, playbook, inventory, context or file a deploy tool runs takes no template', () => {
  // Each refused as what it is: ansible's playbook and inventory, a build's context and Dockerfile, the compose,
  // helmfile or skaffold file deployed (tool-file-kinds.test.ts), none a package.json project.
  const chooses =
    /its value would choose (the playbook, inventory or modules that run|what is built \(the Dockerfile|what is deployed \(the manifests, chart, values, kustomization, compose, helmfile or skaffold file read)/;
  // The configuration an infrastructure tool applies (its resources, providers, provisioners), not a project's
  // scripts; cdk's app is a command line it runs.
  const applies =
    /which chooses the configuration it applies .*: its value would choose the configuration that is applied \(the resources it creates, changes or destroys/;
  for (const spec of [
    ['terraform', '-chdir={{x}}', 'apply', '-auto-approve'],
    ['tofu', '-chdir=infra/{{x}}', 'plan'],
    ['terragrunt', 'apply', '--terragrunt-working-dir', '{{x}}'],
    ['terragrunt', 'apply', '--terragrunt-config={{x}}'],
    ['pulumi', '-C', '{{x}}', 'up', '-y'],
    ['pulumi', 'up', '--cwd={{x}}'],
  ])
    assertRefused(spec, applies);
  for (const spec of [
    ['cdk', 'deploy', '--app', '{{x}}'],
    ['cdk', 'deploy', '-a', 'node bin/{{x}}.js'],
  ])
    assertRefused(spec, /the app cdk -(-app|a) runs .*: its value would choose which program runs/);
  for (const spec of [
    ['ansible-playbook', '{{x}}'],
    ['ansible-playbook', 'deploy-{{x}}.yml', '-e', 'v=1'],
    ['ansible-playbook', '-i', '{{x}}', 'site.yml'],
    ['ansible-playbook', '--inventory=inventory/{{x}}', 'site.yml'],
    ['ansible-playbook', 'site.yml', '--vault-password-file', '{{x}}'],
    ['ansible-playbook', 'site.yml', '-M', '{{x}}'],
    ['ansible', '-i', '{{x}}', 'all', '-m', 'ping'],
    ['docker', 'build', '{{x}}'],
    ['docker', 'build', '-t', 'app:1', 'services/{{x}}'],
    ['docker', 'build', '-f', '{{x}}', '.'],
    ['docker', 'build', '--file=docker/{{x}}.Dockerfile', '.'],
    ['docker', 'build', '--build-context', 'src={{x}}', '.'],
    ['docker', 'buildx', 'build', '{{x}}'],
    ['podman', 'build', '-f', '{{x}}', '.'],
    ['docker', 'compose', '-f', '{{x}}', 'up', '-d'],
    ['docker', 'compose', '--project-directory', '{{x}}', 'up'],
    ['docker-compose', '--file={{x}}', 'up'],
    ['helmfile', '-f', '{{x}}', 'apply'],
    ['skaffold', 'run', '--filename', '{{x}}'],
  ])
    assertRefused(spec, chooses);
  assert.match(
    argvShellProblems(['terraform', '-chdir={{x}}', 'apply'])[0]!,
    /\{\{x\}\} is in the value of terraform -chdir, which chooses the configuration it applies .*pass the value as a variable of the configuration \(terraform -chdir=infra\/production apply -var version=\{\{x\}\}/,
  );
  // Values given to a fixed configuration, playbook or image stay accepted.
  for (const spec of [
    ['terraform', 'apply', '-var', 'version={{x}}', '-auto-approve'],
    ['terraform', '-chdir=infra/production', 'apply', '-var=version={{x}}'],
    ['pulumi', 'up', '-s', '{{x}}', '-y'],
    ['pulumi', 'config', 'set', 'version', '{{x}}'],
    ['cdk', 'deploy', '-c', 'version={{x}}'],
    ['ansible-playbook', 'site.yml', '-e', 'version={{x}}', '-l', '{{x}}'],
    ['ansible', '{{x}}', '-i', 'inventory/production', '-m', 'ping'],
    ['docker', 'build', '-t', 'app:{{x}}', '.'],
    ['docker', 'build', '--build-arg', 'VERSION={{x}}', '-t', 'app', '.'],
    ['docker', 'push', 'app:{{x}}'],
    ['docker', 'tag', 'app:1', 'app:{{x}}'],
    ['docker', 'compose', '-f', 'compose.yml', 'run', 'web', './deploy.sh', '{{x}}'],
    ['helmfile', '-e', '{{x}}', 'apply'],
    ['skaffold', 'run', '-p', '{{x}}'],
  ])
    assertAccepted(spec);
});

test('the manifests kubectl applies, and the chart, values files, repository and post-renderer helm uses, take no template', () => {
  const chooses =
    /its value would choose what is deployed \(the manifests, chart, values, kustomization, compose, helmfile or skaffold file read/;
  for (const spec of [
    ['kubectl', 'apply', '-f', '{{x}}'],
    ['kubectl', 'apply', '-f', 'k8s/{{x}}.yaml'],
    ['kubectl', 'apply', '-f{{x}}'],
    ['kubectl', 'apply', '--filename={{x}}'],
    ['kubectl', 'apply', '-k', 'overlays/{{x}}'],
    ['kubectl', '-n', 'prod', 'create', '--kustomize', '{{x}}'],
    ['oc', 'apply', '-f', '{{x}}'],
    ['helm', 'upgrade', '--install', 'app', '{{x}}'],
    ['helm', 'upgrade', '-n', 'prod', '--install', 'app', 'charts/{{x}}'],
    ['helm', 'install', '-g', '{{x}}'],
    ['helm', 'template', 'app', '{{x}}'],
    ['helm', 'upgrade', 'app', './chart', '-f', 'values-{{x}}.yaml'],
    ['helm', 'upgrade', 'app', './chart', '--values={{x}}'],
    ['helm', 'upgrade', 'app', 'chart', '--repo', '{{x}}'],
    ['helm', 'upgrade', 'app', './chart', '--post-renderer', '{{x}}'],
  ])
    assertRefused(spec, chooses);
  assert.match(argvShellProblems(['helm', 'upgrade', 'app', '{{x}}'])[0]!, /the chart helm installs/);
  for (const spec of [
    ['helm', 'install', 'app', 'oci://registry/chart', '--version', '{{x}}'],
    ['helm', 'upgrade', '--install', '{{x}}', './chart'],
    ['helm', 'upgrade', '-n', '{{x}}', '--install', 'app', './chart', '--set', 'image.tag={{x}}'],
    ['helm', 'upgrade', 'app', './chart', '--wait', '--timeout', '5m', '--set-string', 'image.tag={{x}}'],
    ['helm', 'rollback', 'app', '{{x}}'],
    ['kubectl', 'set', 'image', 'deploy/app', 'app=img:{{x}}'],
    ['kubectl', 'rollout', 'status', 'deploy/{{x}}'],
    ['kubectl', '-n', '{{x}}', 'apply', '-f', 'k8s/app.yaml'],
  ])
    assertAccepted(spec);
  assertScriptAccepted('kubectl apply -f - <<EOF\nimage: app:{{x}}\nEOF');
});

test('kubectl -Rf, helm template CHART, a chart after an unknown helm option, kustomize build and buildx bake -f take no template', () => {
  // What kubectl, oc, helm and kustomize read is what is deployed; a bake file is what is built.
  const chooses =
    /its value would choose (what is deployed \(the manifests, chart, values, kustomization, compose, helmfile or skaffold file read|what is built \(the Dockerfile)/;
  for (const spec of [
    // pflag reads -Rf as -R and -f.
    ['kubectl', 'apply', '-Rf', '{{x}}'],
    ['kubectl', 'apply', '-Rf', 'k8s/{{x}}'],
    ['kubectl', 'apply', '-Rf{{x}}'],
    ['oc', 'apply', '-Rk', 'overlays/{{x}}'],
    ['kubectl', 'delete', '-wf', '{{x}}'],
    // helm template [NAME] CHART: one operand is the chart.
    ['helm', 'template', '{{x}}'],
    ['helm', 'template', 'charts/{{x}}', '--set', 'a=1'],
    // An option this tool does not know may or may not take the release name: any operand may be the chart.
    ['helm', 'upgrade', '--install', '--force-conflicts', 'app', '{{x}}'],
    ['helm', 'upgrade', '--frobnicate', 'app', 'charts/{{x}}'],
    ['kustomize', 'build', '{{x}}'],
    ['kustomize', 'build', 'overlays/{{x}}'],
    ['kustomize', 'build', '--load-restrictor', 'LoadRestrictionsNone', '{{x}}'],
    ['kubectl', 'kustomize', '{{x}}'],
    ['oc', 'kustomize', 'overlays/{{x}}'],
    ['docker', 'buildx', 'bake', '-f', '{{x}}'],
    ['docker', 'buildx', 'bake', '--file', 'bake-{{x}}.hcl'],
    ['docker', 'buildx', 'bake', '--file={{x}}'],
    ['docker', 'buildx', 'bake', '--set', 'app.context={{x}}'],
    ['docker', 'buildx', 'bake', '--set', '*.dockerfile={{x}}'],
  ])
    assertRefused(spec, chooses);
  for (const spec of [
    ['kubectl', 'get', 'pods', '-n{{x}}'],
    ['kubectl', 'apply', '-Rf', 'k8s/', '-n', '{{x}}'],
    ['helm', 'template', 'app', './chart', '--set', 'image.tag={{x}}'],
    ['helm', 'template', '{{x}}', './chart'],
    [
      'helm',
      'upgrade',
      '--install',
      '--force-conflicts',
      'app',
      './chart',
      '--set-string',
      'image.tag={{x}}',
    ],
    ['helm', 'upgrade', '--install', 'app', './chart', '-n', '{{x}}', '--history-max', '5'],
    ['kustomize', 'edit', 'set', 'image', 'app=registry/app:{{x}}'],
    ['docker', 'buildx', 'bake', '--set', '*.args.VERSION={{x}}', 'app'],
    ['docker', 'buildx', 'bake', '-f', 'docker-bake.hcl', '--set', '*.tags=app:{{x}}'],
    // kubectl logs -f is --follow, not a file.
    ['kubectl', 'logs', '-f', 'deploy/app-{{x}}'],
    ['kubectl', '-n', 'prod', 'logs', '-f', '{{x}}'],
  ])
    assertAccepted(spec);
});

test('wget --use-askpass and rclone --password-command run a program: a template there is refused', () => {
  for (const spec of [
    ['wget', '--use-askpass={{x}}', 'https://h.example.com/app.tgz'],
    ['wget', '--use-ask', '{{x}}', 'https://h.example.com/app.tgz'],
    ['rclone', 'copy', '--password-command', '{{x}}', 'dist/', 'remote:bucket/'],
    ['rclone', 'sync', '--password-command=pass show {{x}}', 'dist/', 'remote:bucket/'],
  ])
    assertRefused(
      spec,
      /is in the word naming the program (wget|rclone) --(use-ask|password-command)\S* runs/,
    );
  for (const spec of [
    ['wget', '--use-askpass=/usr/bin/ssh-askpass', 'https://h.example.com/app-{{x}}.tgz'],
    ['wget', '--user', '{{x}}', 'https://h.example.com/'],
    ['rclone', 'copy', '--password-command', 'pass show rclone', 'dist/', 'remote:bucket/{{x}}/'],
  ])
    assertAccepted(spec);
});

test("pulumi's stack is checked once rendered to be one plain name: org/project/stack names another's", () => {
  for (const script of [
    'pulumi up --stack {{x}} -y',
    'pulumi up -s myorg/app/{{x}} -y',
    'pulumi -C infra up -s{{x}}',
    'pulumi stack select {{x}}',
  ]) {
    assert.throws(
      () => renderShellScript(script, { x: 'otherorg/app/prod' }),
      (e: unknown) =>
        e instanceof TemplateError && /the stack pulumi .* must make one plain name/.test(e.message),
      script,
    );
    assert.doesNotThrow(() => renderShellScript(script, { x: 'prod' }), script);
  }
  assertRefused(
    ['pulumi', 'up', '-s', '{{x}}/app/prod'],
    /the stack pulumi -s deploys to, where a value before/,
  );
});

// podman, nerdctl and buildah build as docker build is read, their refusals naming them (not "docker build");
// buildah build/bud's context and -f were not read at all. A build's context after a flag (--no-cache, --pull,
// --layers) is its context, not the flag's value.
test("podman, nerdctl and buildah build: the context and Dockerfile take no template, said with the tool's name", () => {
  for (const [argv, tool] of [
    [['podman', 'build', '{{x}}'], 'podman'],
    [['podman', 'image', 'build', '-t', 'app:1', '{{x}}'], 'podman'],
    [['nerdctl', 'build', '{{x}}'], 'nerdctl'],
    [['buildah', 'build', '{{x}}'], 'buildah'],
    [['buildah', 'bud', '-t', 'app:1', '{{x}}'], 'buildah'],
    [['podman', 'build', '--pull', '{{x}}'], 'podman'],
    [['buildah', 'bud', '--layers', '{{x}}'], 'buildah'],
    [['docker', 'build', '--no-cache', '{{x}}'], 'docker'],
  ] as const) {
    const message = new RegExp(
      `the build context ${tool} build runs the Dockerfile of[^]*what is built[^]*\\(${tool} build -f Dockerfile --build-arg VERSION=\\{\\{x\\}\\}`,
    );
    assertRefused([...argv], message);
  }
  for (const argv of [
    ['buildah', 'build', '-f', '{{x}}', '.'],
    ['buildah', 'bud', '--file={{x}}', '.'],
  ])
    assertRefused(argv, /the value of buildah (-f|--file), which chooses the code or config that runs/);
  for (const argv of [
    ['podman', 'build', '--pull', '-t', 'app:{{x}}', '.'],
    ['buildah', 'bud', '--layers', '--build-arg', 'VERSION={{x}}', '-t', 'app:{{x}}', '.'],
    ['docker', 'build', '-qt', 'app:{{x}}', '.'],
    ['podman', 'build', '--dns', '10.0.0.2', '--build-arg', 'V={{x}}', '.'],
  ])
    assertAccepted(argv);
});
