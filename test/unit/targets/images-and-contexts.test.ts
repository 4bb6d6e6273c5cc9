// A templated value in an image reference keeps the reference's shape: in the tag a tag, in a digest a digest, in
// a component of the name a lowercase component (`app:{{version}}` given `5000/evil` is the image evil of the
// registry app:5000); a template that is the whole image, starts it or is in its registry host (or a public
// registry's account) is refused when the config loads. The context docker, kubectl, oc or helm uses is one
// plain name once rendered. Options that let a value reach this machine (log driver and options, links, the
// cgroup parent, a volume driver, secrets) take no template.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeShellTemplate, renderShellScript } from '../../../src/targets/shell-script.ts';
import {
  assertAccepted,
  assertRefused,
  assertScriptAccepted,
  assertScriptRefused,
  checkedOnceRendered,
  renderArgv,
} from '../../helpers/command-checks.ts';

const DIGEST = 'sha256:' + 'a'.repeat(64);

test('a value in the tag of an image is checked once rendered to be a tag, for every command naming an image', () => {
  const tag =
    /is in the tag of the image [a-z -]+ (runs|pulls|pushes|names|sets) \(.*\), which is .* once rendered, making the image .*: a tag must be letters, digits and _ \. -/;
  for (const argv of [
    ['docker', 'run', 'app:{{x}}'],
    ['docker', 'run', '--rm', '-e', 'V=1', 'registry.example.com/app:{{x}}', './deploy'],
    ['docker', 'run', 'localhost:5000/app:v{{x}}'],
    ['docker', 'create', 'app:{{x}}-alpine'],
    ['docker', 'container', 'run', 'app:{{x}}'],
    ['podman', 'run', '--rm', 'app:{{x}}'],
    ['nerdctl', 'run', 'app:{{x}}'],
    ['sudo', 'docker', 'run', '-d', 'app:{{x}}'],
    ['docker', 'service', 'create', '--name', 'app', '--replicas', '2', 'app:{{x}}'],
    ['docker', 'service', 'update', '--image', 'app:{{x}}', 'app'],
    ['docker', 'service', 'update', '--image=registry/app:{{x}}', 'app'],
    ['docker', 'pull', 'app:{{x}}'],
    ['docker', 'pull', '--platform', 'linux/amd64', 'app:{{x}}'],
    ['docker', 'image', 'pull', 'app:{{x}}'],
    ['docker', 'push', 'registry.example.com/app:{{x}}'],
    ['docker', 'tag', 'app:build', 'registry.example.com/app:{{x}}'],
    ['podman', 'pull', 'docker://registry.example.com/app:{{x}}'],
    ['podman', 'push', 'app:1', 'docker://registry.example.com/app:{{x}}'],
    ['nerdctl', 'push', 'registry.example.com/app:{{x}}'],
    ['buildah', 'from', 'app:{{x}}'],
    ['kubectl', 'run', 'p', '--image=registry.example.com/app:{{x}}'],
    ['kubectl', '-n', 'prod', 'run', 'p', '--image', 'registry.example.com/app:{{x}}', '--', './deploy'],
    ['kubectl', 'create', 'deployment', 'app', '--image=registry.example.com/app:{{x}}'],
    ['kubectl', 'create', 'job', 'migrate', '--image', 'app:{{x}}'],
    ['kubectl', 'set', 'image', 'deploy/app', 'app=registry.example.com/app:{{x}}'],
    ['kubectl', 'set', 'image', '-n', 'prod', 'deployment', 'app', '*=app:{{x}}', '-l', 'tier=web'],
    ['oc', 'set', 'image', 'dc/app', 'app=app:{{x}}'],
    // A build's -t/--tag: the image it names, pushed there with --push or a later push.
    ['docker', 'build', '-t', 'registry.example.com/app:{{x}}', '.'],
    ['docker', 'buildx', 'build', '--push', '--tag=registry.example.com/app:{{x}}', '.'],
    ['podman', 'build', '-t', 'app:{{x}}', '-f', 'Containerfile', '.'],
    ['buildah', 'bud', '-t', 'app:{{x}}', '.'],
  ])
    checkedOnceRendered(
      argv,
      ['5000/evil', 'x:y', 'a@' + DIGEST, 'a b', 'v'.repeat(129), 'ä'],
      ['1.2.3', 'v1.2.3-rc.1', 'latest', '1_2'],
      tag,
    );
  // The whole tag may not be empty nor start with "." or "-".
  checkedOnceRendered(['docker', 'run', 'app:{{x}}'], ['', '-rc', '.1'], ['_1'], tag);
  // The message names the image the value would make.
  assert.throws(
    () => renderArgv(['docker', 'run', 'app:{{x}}'], '5000/evil'),
    /\{\{x\}\} is in the tag of the image docker run runs \(app:\{\{x\}\}\), which is "5000\/evil" once rendered, making the image "app:5000\/evil": .*app:5000\/evil is the image evil of the registry app:5000\); write other images in the config/,
  );
  assert.equal(
    renderArgv(['kubectl', 'run', 'p', '--image=app:{{x}}'], '1.2.3').argv.join(' '),
    'kubectl run p --image=app:1.2.3',
  );
});

test('a value in a digest must make a sha256 digest, and one in a component of the name a lowercase component', () => {
  const digest =
    /is in the digest of the image .*a digest must be sha256: and 64 lowercase hexadecimal digits/;
  checkedOnceRendered(
    ['docker', 'run', 'app@{{x}}'],
    ['latest', 'sha256:xyz', DIGEST + '/x'],
    [DIGEST],
    digest,
  );
  checkedOnceRendered(
    ['docker', 'pull', 'app@sha256:{{x}}'],
    ['abc', 'A'.repeat(64), 'a'.repeat(64) + '@x'],
    ['a'.repeat(64)],
    digest,
  );
  checkedOnceRendered(
    ['kubectl', 'set', 'image', 'deploy/app', 'app=registry.example.com/app:1@{{x}}'],
    ['sha256:1'],
    [DIGEST],
    digest,
  );
  const name = /is in a component of the name of the image .*a path component of the name must be lowercase/;
  for (const argv of [
    ['docker', 'run', 'registry.example.com/team/app-{{x}}:1'],
    ['docker', 'run', 'registry.example.com/{{x}}/app:1'],
    ['docker', 'run', 'app-{{x}}'],
    ['kubectl', 'run', 'p', '--image=registry.example.com/{{x}}:1'],
  ])
    checkedOnceRendered(
      argv,
      ['a/b', 'a:1', 'Prod', 'x@y', 'a..b', 'a b'],
      ['prod', 'staging-2', 'a.b'],
      name,
    );
  checkedOnceRendered(['docker', 'run', 'registry.example.com/{{x}}/app:1'], ['-a', '.a', ''], ['a'], name);
});

test("a build's cache image and the image its output or cache is pushed to keep their shape, as -t's does", () => {
  // --cache-from app:{{x}} given 5000/evil took the RUN steps' results from the registry app:5000.
  checkedOnceRendered(
    ['docker', 'build', '--cache-from', 'app:{{x}}', '-t', 'app:1', '.'],
    ['5000/evil', 'a:b'],
    ['main', 'pr-12'],
    /is in the tag of the image docker build --cache-from takes its cache from \(app:\{\{x\}\}\), which is "[^"]+" once rendered/,
  );
  for (const argv of [
    ['docker', 'build', '--cache-from', 'registry/app:{{x}}', '.'],
    ['docker', 'build', '-t', 'app:1', '.', '--cache-from=registry/app:{{x}}'],
  ])
    checkedOnceRendered(
      argv,
      ['x,type=local,dest=/home/runner', 'a=b', 'a b', 'a"b', '5000/evil'],
      ['production', '1.2.3'],
      /is in the tag of the image docker build --cache-from takes its cache from/,
    );
  checkedOnceRendered(
    ['podman', 'build', '--cache-from', 'registry/app-cache-{{x}}', '.'],
    ['x,type=local', 'a/b', 'A'],
    ['production'],
    /is in a component of the name of the image podman build --cache-from takes its cache from/,
  );
  for (const argv of [
    ['docker', 'buildx', 'build', '--output', 'type=image,name=app:{{x}},push=true', '.'],
    ['docker', 'buildx', 'build', '--output=name=app:{{x}},type=image,push=true', '.'],
    ['docker', 'buildx', 'build', '--cache-to', 'type=registry,ref=app:cache-{{x}}', '.'],
    ['docker', 'buildx', 'build', '--cache-from', 'type=registry,ref=app:cache-{{x}}', '.'],
  ])
    checkedOnceRendered(
      argv,
      ['5000/evil', 'a@b'],
      ['main', '1.2.3'],
      /is in the tag of the image docker buildx build/,
    );
  // Still no key added.
  checkedOnceRendered(
    ['docker', 'buildx', 'build', '--cache-to', 'type=gha,scope={{x}}', '.'],
    ['a,type=local', 'a=b'],
    ['main'],
    /its value holds "[,=]"/,
  );
  for (const spec of [
    ['docker', 'build', '--cache-from', '{{x}}', '.'],
    ['docker', 'build', '--cache-from', '{{x}}/app:cache', '.'],
    ['docker', 'buildx', 'build', '--output', 'type=image,name={{x}},push=true', '.'],
    ['docker', 'buildx', 'build', '--cache-to', 'type=registry,ref={{x}}/app:cache', '.'],
  ])
    assertRefused(spec, /where the value would be the whole image or the start of its name/);
});

test('a value through a variable set from fixed text and templates is checked in an image reference as well', () => {
  const script = 'TAG=v{{x}}; docker run --rm "registry.example.com/app:$TAG" ./deploy';
  assertScriptAccepted(script);
  assert.throws(
    () => renderShellScript(script, { x: '1/evil' }),
    /is in the image docker run runs through a variable, and its value "1\/evil" is not letters, digits and _ \. -/,
  );
  assert.throws(() => renderShellScript(script, { x: '1:2' }), /through a variable, and its value "1:2"/);
  assert.doesNotThrow(() => renderShellScript(script, { x: '1.2.3' }));
  assertScriptAccepted('T={{x}}; docker tag app:v1 app:"$T" && docker push app:"$T"');
  // A variable holding a whole reference set once from fixed text and templates is judged with its text in place.
  for (const script of [
    'IMG=registry.example.com/app:{{x}}; kubectl set image deploy/x app=$IMG',
    'IMG="registry.example.com/app:{{x}}"; docker pull "$IMG" && docker run --rm "$IMG" ./deploy',
  ]) {
    assertScriptAccepted(script);
    assert.throws(
      () => renderShellScript(script, { x: '5000/evil' }),
      /\{\{x\}\} is in the tag of the image .* \(registry\.example\.com\/app:\{\{x\}\}\), which is "5000\/evil" once rendered/,
    );
    assert.doesNotThrow(() => renderShellScript(script, { x: '1.2.3' }));
  }
  assertScriptRefused('IMG={{x}}/app:1; docker run "$IMG"', /its value would choose whose image it is/);
  assertScriptRefused(
    'if true; then IMG=app:{{x}}; else IMG={{x}}; fi; docker run "$IMG"',
    /its value would choose whose image it is/,
  );
  // A variable set otherwise, or one starting the reference, is refused.
  assertScriptRefused('TAG=$(echo {{x}}); docker run app:$TAG', /only a template written there/);
  assertScriptRefused('R={{x}}; docker run "$R/app:1"', /its value would choose whose image it is/);
  assertScriptRefused('T=a/{{x}}; docker run app:$T', /only a template written there/);
});

test('a template that is the whole image, starts it or is in its registry host or account is refused when the config loads', () => {
  const whole =
    /is in the image [a-z -]+ (runs|pulls|pushes|names|sets), where the value would be the whole image or the start of its name/;
  for (const spec of [
    ['docker', 'run', '{{x}}'],
    ['docker', 'run', '--rm', '-v', 'data:/data', '{{x}}', './deploy'],
    ['docker', 'run', '{{x}}:1'],
    ['docker', 'run', '{{x}}/app:1'],
    ['docker', 'create', '{{x}}'],
    ['podman', 'run', '{{x}}'],
    ['nerdctl', 'run', '-d', '{{x}}'],
    ['docker', 'service', 'create', '--name', 'app', '{{x}}'],
    ['docker', 'service', 'update', '--image', '{{x}}', 'app'],
    ['docker', 'pull', '{{x}}'],
    ['docker', 'push', '{{x}}'],
    ['docker', 'tag', 'app:1', '{{x}}'],
    ['docker', 'tag', '{{x}}', 'registry.example.com/app:1'],
    ['buildah', 'from', '{{x}}'],
    ['kubectl', 'run', 'p', '--image={{x}}'],
    ['kubectl', 'run', 'p', '--image', '{{x}}'],
    ['kubectl', 'create', 'deployment', 'app', '--image={{x}}'],
    ['kubectl', 'debug', 'pod/app', '-it', '--image={{x}}'],
    ['kubectl', 'set', 'image', 'deploy/app', 'app={{x}}'],
    ['oc', 'set', 'image', 'dc/app', 'app={{x}}/app:1'],
    ['docker', 'buildx', 'build', '--push', '-t', '{{x}}', '.'],
    ['docker', 'build', '-t', 'app:1', '--tag={{x}}/app:1', '.'],
  ])
    assertRefused(spec, whole);
  const registry = /where the value would be its registry host or the account of a public registry/;
  for (const spec of [
    ['docker', 'run', 'registry{{x}}/app:1'],
    ['docker', 'run', 'localhost:{{x}}/app:1'],
    ['docker', 'run', 'myorg{{x}}/app:1'],
    ['docker', 'run', 'docker.io/{{x}}/app:1'],
    ['docker', 'run', 'docker.io/{{x}}:1'],
    ['docker', 'pull', 'ghcr.io/{{x}}/app:1'],
    ['kubectl', 'run', 'p', '--image=quay.io/{{x}}/app:1'],
  ])
    assertRefused(spec, registry);
  for (const spec of [
    ['podman', 'pull', 'dir:{{x}}'],
    ['podman', 'pull', 'oci:/srv/images:{{x}}'],
  ])
    assertRefused(spec, /an image of a path of this machine/);
  assertRefused(
    ['docker', 'run', '{{x}}'],
    /\{\{x\}\}( \(character \d+\))? is in the image docker run runs, where the value would be the whole image or the start of its name: its registry \(\{\{x\}\}\): its value would choose whose image it is \(any image of any registry.*write the registry and the image's name in the config and template only the tag or the digest \(registry\.example\.com\/app:\{\{x\}\}, app@sha256:\{\{x\}\}\)/,
  );
  // What is not an image stays accepted: the program's arguments after it, compose's service, exec's container.
  for (const spec of [
    ['docker', 'run', 'app:1', '--tag', '{{x}}'],
    ['docker', 'compose', 'run', 'app-{{x}}', './deploy'],
    ['docker', 'exec', 'app-{{x}}', './deploy'],
    ['docker', 'image', 'rm', 'app:{{x}}'],
    ['kubectl', 'run', 'app-{{x}}', '--image=app:1'],
    ['kubectl', 'set', 'image', 'deploy/app-{{x}}', 'app=app:1'],
    ['kubectl', 'set', 'image', 'deploy/app', 'app=app:1', '-l', 'tier={{x}}'],
    ['helm', 'upgrade', 'app', './chart', '--set-string', 'image.tag={{x}}'],
  ])
    assertAccepted(spec);
});

test('the log driver and options, links, the cgroup parent, a volume driver and secrets take no template', () => {
  for (const [spec, message] of [
    [['docker', 'run', '--log-driver', '{{x}}', 'img'], /the log driver .*docker run --log-driver gives/],
    [['docker', 'run', '--log-driver={{x}}', 'img'], /the log driver/],
    [['docker', 'run', '--log-opt', 'syslog-address={{x}}', 'img'], /the log options .*docker run --log-opt/],
    [['docker', 'run', '--log-opt', '{{x}}', 'img'], /the log options/],
    [['docker', 'run', '--log-opt', 'env={{x}}', 'img'], /the log options/],
    [['docker', 'service', 'create', '--log-opt', 'gelf-address={{x}}', 'img'], /the log options/],
    [['docker', 'run', '--link', '{{x}}', 'img'], /the container linked .*docker run --link/],
    [['docker', 'run', '--link', 'app-{{x}}:db', 'img'], /the container linked/],
    [['docker', 'run', '--cgroup-parent', '{{x}}', 'img'], /the cgroup of this machine .*--cgroup-parent/],
    [['docker', 'build', '--cgroup-parent={{x}}', '-t', 'app:1', '.'], /the cgroup of this machine/],
    [['docker', 'run', '--volume-driver', '{{x}}', 'img'], /the volume plugin .*--volume-driver/],
    [
      ['docker', 'run', '--mount', 'type=volume,src=data,dst=/data,volume-driver={{x}}', 'img'],
      /the volume-driver of the mount docker run --mount makes/,
    ],
    [
      ['docker', 'run', '--mount', 'type=volume,src=data,dst=/data,volume-opt=device={{x}}', 'img'],
      /the volume-opt of the mount/,
    ],
    [
      ['podman', 'run', '--secret', '{{x}}', 'img'],
      /the secret \(any secret of the store.*podman run --secret/,
    ],
    [['podman', 'run', '--secret', 'token-{{x}},type=env,target=TOKEN', 'img'], /the secret/],
    [['docker', 'service', 'create', '--secret', '{{x}}', 'img'], /the secret/],
    [['docker', 'service', 'update', '--secret-add', '{{x}}', 'app'], /the secret \(any secret of the swarm/],
    [
      ['docker', 'service', 'create', '--config', 'source=app,target=/etc/{{x}}', 'img'],
      /the swarm config .*docker service create --config/,
    ],
    [['docker', 'service', 'update', '--config-add', '{{x}}', 'app'], /the swarm config/],
    [
      ['podman', 'secret', 'create', 'token', '{{x}}'],
      /the file of this machine podman secret create reads into the secret/,
    ],
    [['docker', 'secret', 'create', 'token', './{{x}}'], /the file of this machine docker secret create/],
    [
      ['podman', 'secret', 'create', '--env', 'token', '{{x}}'],
      /the variable of the job podman secret create reads into the secret/,
    ],
  ] as Array<[string[], RegExp]>)
    assertRefused(spec, message);
  // Files of this machine written (an id, a pid, the build's metadata) or read into the labels.
  for (const spec of [
    ['docker', 'run', '--cidfile', '/tmp/{{x}}', 'img'],
    ['podman', 'run', '--pidfile={{x}}', 'img'],
    ['podman', 'run', '--conmon-pidfile', '{{x}}', 'img'],
    ['docker', 'build', '--iidfile', '{{x}}', '.'],
    ['docker', 'buildx', 'build', '.', '--metadata-file={{x}}'],
  ])
    assertRefused(
      spec,
      /the file of this machine the [a-z ]+ is written to, which .* names \(.*\): its value would choose the file written/,
    );
  assertRefused(
    ['docker', 'run', '--label-file', '{{x}}', 'img'],
    /the file of labels docker run --label-file reads/,
  );
  assertAccepted(['docker', 'build', '--iidfile', 'image.id', '-t', 'app:{{x}}', '.']);
  // One refusal for one cause: not a second by the file rule, whose advice (a value after a fixed directory)
  // does not hold here.
  for (const script of [
    'podman build --iidfile {{x}} .',
    'docker buildx build --metadata-file={{x}} .',
    'docker image build --iidfile out/{{x}}.txt .',
    'nerdctl build . --iidfile {{x}}',
  ]) {
    const analysis = analyzeShellTemplate(script);
    assert.ok(!analysis.ok, script);
    assert.equal(analysis.problems.length, 1, JSON.stringify(analysis.problems, null, 1));
    assert.match(
      analysis.problems[0]!.message,
      /the file of this machine the (image id|build metadata) is written to/,
    );
  }
  assertRefused(
    ['docker', 'run', '--log-driver', '{{x}}', 'img'],
    /its value would choose the rights the container has over this machine.*write the option's value in the config/,
  );
  // Fixed values, and the secret's name, stay accepted.
  for (const spec of [
    ['docker', 'run', '--log-driver', 'json-file', '--log-opt', 'max-size=10m', 'app:{{x}}'],
    ['docker', 'run', '--link', 'db:db', '--cgroup-parent', 'ci.slice', '-e', 'V={{x}}', 'img'],
    ['docker', 'run', '--mount', 'type=volume,src=data-{{x}},dst=/data,volume-driver=local', 'img'],
    ['podman', 'run', '--secret', 'token,type=env,target=TOKEN', 'app:{{x}}'],
    ['podman', 'secret', 'create', 'token-{{x}}', './token'],
    ['docker', 'run', '--env-file', 'prod.env', 'app:{{x}}'],
  ])
    assertAccepted(spec);
  // A log tag takes a value, checked once rendered to be one plain name (a Go template otherwise).
  checkedOnceRendered(
    ['docker', 'run', '--log-opt', 'tag=app-{{x}}', 'img'],
    ['{{.ID}}', 'a b', 'a/b'],
    ['prod', 'staging-2'],
    /is in the tag of the log lines docker run --log-opt tag= sets, which is .* once rendered: a value there must make one plain name/,
  );
  checkedOnceRendered(
    ['docker', 'run', '--log-opt=tag={{x}}', 'img'],
    ['-x', '.a'],
    ['prod'],
    /one plain name/,
  );
});

test('a context (docker, kubectl, oc, helm) takes no template: even a plain name picks whose credentials act', () => {
  const context =
    /is in the (context|kubeconfig cluster|kubeconfig user) [a-z -]+ chooses: which of this machine's credentials it acts with and where they are sent/;
  for (const argv of [
    ['docker', '--context', '{{x}}', 'compose', 'up', '-d'],
    ['docker', '-c', '{{x}}', 'run', 'img'],
    ['docker', '--context={{x}}', 'ps'],
    ['docker', 'context', 'use', '{{x}}'],
    ['kubectl', '--context', '{{x}}', 'apply', '-f', 'k8s/'],
    ['kubectl', 'apply', '-f', 'k8s/', '--context={{x}}'],
    ['kubectl', '--context', 'cluster-{{x}}', 'rollout', 'status', 'deploy/app'],
    ['kubectl', 'config', 'use-context', '{{x}}'],
    ['kubectl', '--cluster', '{{x}}', '--user', 'ci', 'get', 'pods'],
    ['kubectl', '--user', '{{x}}', 'get', 'pods'],
    ['oc', '--context', '{{x}}', 'get', 'pods'],
    ['helm', 'upgrade', 'app', './chart', '--kube-context', '{{x}}'],
    ['helm', '--kube-context={{x}}', 'list'],
  ])
    assertRefused(argv, context);
  // Through a variable holding a template, too; a fixed context stays accepted.
  assertScriptRefused('CTX={{x}}; kubectl --context "$CTX" apply -f k8s/', /\$CTX .*holds \{\{x\}\}/);
  assertAccepted(['kubectl', '--context', 'production', 'apply', '-f', 'k8s/', '-n', 'app-{{x}}']);
  // A path or an address stays refused when the config loads.
  assertRefused(['docker', '-H', '{{x}}', 'ps'], /which docker -H chooses/);
  assertRefused(['kubectl', '--server', '{{x}}', 'get', 'pods'], /which kubectl --server chooses/);
  assertRefused(['kubectl', '--kubeconfig', '{{x}}', 'get', 'pods'], /kubectl --kubeconfig/);
});

test('a namespace (kubectl, oc, helm -n/--namespace) takes a value checked once rendered to be one DNS-1123 label', () => {
  const namespace =
    /is in the namespace (kubectl|oc|helm) (-n|--namespace) chooses, which is .* once rendered: a value there must make one DNS-1123 label \(lowercase letters, digits and -, at most 63, starting and ending with a letter or digit\), since anything else is no namespace/;
  const bad = ['a b', 'a/b', 'Prod', 'a_b', 'a.b', 'x-', 'a'.repeat(64), 'a,b'];
  const good = ['production', 'staging-2', 'ns1'];
  for (const argv of [
    ['kubectl', '-n', '{{x}}', 'apply', '-f', 'k8s/'],
    ['kubectl', 'apply', '-f', 'k8s/', '-n', '{{x}}'],
    ['kubectl', 'rollout', 'status', 'deploy/app', '--namespace={{x}}'],
    ['kubectl', 'get', 'pods', '-n{{x}}'],
    ['oc', '-n', '{{x}}', 'get', 'pods'],
    ['helm', 'upgrade', '--install', 'app', './chart', '-n', '{{x}}'],
    ['helm', '--namespace={{x}}', 'list'],
  ])
    checkedOnceRendered(argv, [...bad, '--all-namespaces', '-A', '', '-prod'], good, namespace);
  // After fixed text: the whole namespace is checked (app- and a value ending in "-", or too long).
  for (const argv of [
    ['kubectl', '--namespace', 'app-{{x}}', 'get', 'pods'],
    ['kubectl', 'get', 'pods', '-n=app-{{x}}'],
  ])
    checkedOnceRendered(argv, [...bad, '', 'a'.repeat(60)], good, namespace);
  // Through a variable set from fixed text and templates, each value is checked.
  const script = 'NS=app-{{x}}; kubectl -n "$NS" apply -f k8s/ && helm list --namespace "$NS"';
  assertScriptAccepted(script);
  for (const value of ['Prod', 'a b', '-A'])
    assert.throws(() => renderShellScript(script, { x: value }), /namespace .* through a variable/);
  assert.doesNotThrow(() => renderShellScript(script, { x: 'production' }));
  // A fixed namespace, and -n of another command, take no check.
  for (const argv of [
    ['kubectl', '-n', 'production', 'set', 'image', 'deploy/app', 'app=registry.example.com/app:{{x}}'],
    ['echo', '-n', '{{x}}'],
  ])
    assertAccepted(argv);
  assert.doesNotThrow(() =>
    renderArgv(
      ['kubectl', '-n', 'production', 'set', 'image', 'deploy/app', 'app=registry.example.com/app:{{x}}'],
      'v1.2.3',
    ),
  );
});

test("a swarm secret's or config's name after fixed text is checked once rendered to be one plain name", () => {
  // Rotated per release or per environment: the value chooses among the entries named so.
  for (const argv of [
    ['docker', 'service', 'update', '--config-add', 'source=app-cfg-{{x}},target=/etc/app.yml', 'app'],
    ['docker', 'service', 'update', '--secret-add', 'db-pass-{{x}}', 'app'],
    ['docker', 'service', 'update', '--secret-add=db-pass-{{x}}', 'app'],
    ['docker', 'service', 'create', '--secret', 'src=db-{{x}},target=db,mode=0400', '--name', 'app', 'img:1'],
    ['docker', 'service', 'create', '--config', 'source=cfg-{{x}},target=/etc/app.yml', 'img:1'],
  ])
    checkedOnceRendered(
      argv,
      ['x,target=/etc/passwd', 'a/b', 'a b', 'a=b'],
      ['prod', '1.2.3', 'v2_rc-1'],
      /is in the swarm (secret|config) docker service (update|create) --[a-z-]+ gives the container, which is .* once rendered: a value there must make one plain name/,
    );
  // The whole name, a template starting it, or one in another field (where it is laid, its owner or mode).
  for (const spec of [
    ['docker', 'service', 'update', '--config-add', '{{x}}', 'app'],
    ['docker', 'service', 'update', '--config-add', 'source={{x}},target=/etc/app.yml', 'app'],
    ['docker', 'service', 'update', '--config-add', 'source=cfg-{{x}},target=/etc/{{x}}', 'app'],
    ['docker', 'service', 'update', '--secret-add', 'source=db-{{x}},target=db,uid={{x}}', 'app'],
    ['docker', 'service', 'update', '--secret-add', '{{x}}-pass', 'app'],
  ])
    assertRefused(spec, /the swarm config|the secret \(any secret of the swarm/);
  // podman's and docker run's secrets stay refused (podman's store holds the job's files and variables).
  assertRefused(['podman', 'run', '--secret', 'db-{{x}}', 'img'], /the secret \(any secret of the store/);
});

test("a short option's value written after = is the value pflag reads: -t=app:1 names app:1", () => {
  checkedOnceRendered(
    ['docker', 'build', '-t=app-{{x}}:1', '.'],
    ['evil.example.com/x', 'a b'],
    ['prod'],
    /in a component of the name of the image docker build -t names \(app-\{\{x\}\}:1\)/,
  );
  assertRefused(['docker', 'build', '-t={{x}}', '.'], /the image docker build -t names/);
});

test('-n last in a cluster of flags is the namespace; --all-namespaces=/-A= take no template; oc project takes a namespace', () => {
  const namespace = (how: string) =>
    new RegExp(
      `is in the ${how} chooses, which is .* once rendered: a value there must make one DNS-1123 label .*since anything else is no namespace`,
    );
  const bad = ['a/b', 'a b', 'Prod', '--all-namespaces', '-A', ''];
  const good = ['production', 'staging-2'];
  for (const argv of [
    ['kubectl', 'exec', '-itn', '{{x}}', 'pod', '--', 'true'],
    ['kubectl', 'exec', '-itn{{x}}', 'pod', '--', 'true'],
    ['kubectl', 'logs', '-fn', '{{x}}', 'deploy/app'],
    ['oc', 'exec', '-in', '{{x}}', 'pod', '--', 'true'],
  ])
    checkedOnceRendered(argv, bad, good, namespace(`namespace ${argv[0]} -n \\(in -[a-z]+n\\)`));
  for (const argv of [
    ['oc', 'project', '{{x}}'],
    ['oc', '--context', 'ci', 'project', '{{x}}'],
  ])
    checkedOnceRendered(argv, bad, good, namespace('project oc project'));
  checkedOnceRendered(
    ['oc', 'project', 'app-{{x}}'],
    ['a/b', 'Prod', ''],
    good,
    namespace('project oc project'),
  );
  for (const [argv, message] of [
    [
      ['kubectl', 'delete', 'pods', '--all', '-A={{x}}'],
      /whether it acts in every namespace .*which kubectl -A chooses/,
    ],
    [
      ['kubectl', 'get', 'pods', '--all-namespaces={{x}}'],
      /whether it acts in every namespace .*which kubectl --all-namespaces chooses/,
    ],
    [['oc', 'get', 'pods', '-A={{x}}'], /which oc -A chooses/],
  ] as Array<[string[], RegExp]>)
    assertRefused(argv, message);
  for (const argv of [
    ['kubectl', '-n', '{{x}}', 'rollout', 'status', 'deploy/app'],
    ['kubectl', 'get', 'pods', '-A', '-l', 'app={{x}}'],
    ['kubectl', 'get', 'pods', '--all-namespaces', '-l', 'app={{x}}'],
    ['kubectl', 'exec', '-it', 'pod-{{x}}', '--', 'true'],
  ])
    assertAccepted(argv);
});

test('docker buildx b, the documented alias of buildx build, takes the build rules', () => {
  assertRefused(['docker', 'buildx', 'b', '--allow', '{{x}}', '.'], /the entitlements/);
  assertRefused(
    ['docker', 'buildx', 'b', '--output', 'type=local,dest={{x}}', '.'],
    /where its result is written \(dest=: any directory of this machine\)/,
  );
  checkedOnceRendered(
    ['docker', 'buildx', 'b', '-t', 'registry.example.com/app:{{x}}', '.'],
    ['5000/evil', 'x:y', 'a b'],
    ['1.2.3', 'latest'],
    /is in the tag of the image/,
  );
  // Neighbours: a build argument stays data.
  assertAccepted(['docker', 'buildx', 'b', '--build-arg', 'V={{x}}', '-t', 'reg/app:1', '.']);
});
