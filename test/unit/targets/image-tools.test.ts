// The image rule of images-and-contexts.test.ts for the tools besides container runners and kubectl: gcloud run
// deploy --image, skopeo (docker://REF; dir:, oci:, docker-archive: a path of this machine), crane, kind load,
// oc new-app, cosign, trivy, crictl, ctr, docker buildx imagetools. A template that is the whole image, starts it
// or is in its registry is refused when the config loads; one in the tag, digest or a name component is checked
// once rendered. podman -c/--connection is a context; a bake's --set *.output=…name= and *.tags= are images.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderShellScript } from '../../../src/targets/shell-script.ts';
import {
  assertAccepted,
  assertRefused,
  assertScriptAccepted,
  checkedOnceRendered,
  renderArgv,
} from '../../helpers/command-checks.ts';

const DIGEST = 'sha256:' + 'a'.repeat(64);
const BAD_TAGS = ['5000/evil', 'x:y', 'a@' + DIGEST, 'a b', '-rc'];
const GOOD_TAGS = ['1.2.3', 'v1.2.3-rc.1', 'latest'];

test("an image tool's image keeps the tag's shape once rendered", () => {
  const tag =
    /\{\{x\}\} is in the tag of the image [a-z -]+ (--image |-t |--tag )?[a-z ]+ \(.*\), which is .* once rendered, making the (image|tag) .*: a tag must be letters, digits and _ \. -/;
  for (const argv of [
    ['gcloud', 'run', 'deploy', 'svc', '--image=gcr.io/proj/app:{{x}}'],
    [
      'gcloud',
      '--project',
      'p',
      'run',
      'deploy',
      'svc',
      '--image',
      'gcr.io/proj/app:{{x}}',
      '--region',
      'eu',
    ],
    ['gcloud', 'beta', 'run', 'jobs', 'update', 'migrate', '--image=europe-docker.pkg.dev/p/r/app:{{x}}'],
    ['skopeo', 'copy', 'docker://reg/app:{{x}}', 'docker://reg2/app:{{x}}'],
    ['skopeo', 'copy', '--dest-creds', 'u:p', 'docker://reg/app:{{x}}', 'docker://reg2/app:1'],
    ['skopeo', 'inspect', 'docker://reg/app:{{x}}'],
    ['skopeo', 'sync', '--src', 'docker', '--dest', 'dir', 'reg/app:{{x}}', '/srv/mirror'],
    ['crane', 'tag', 'reg/app:{{x}}', 'latest'],
    ['crane', 'tag', 'reg/app:1', '{{x}}'],
    ['crane', 'copy', 'reg/app:{{x}}', 'reg2/app:{{x}}'],
    ['crane', 'digest', 'reg/app:{{x}}'],
    ['crane', 'pull', 'reg/app:{{x}}', 'app.tar'],
    ['crane', 'push', 'app.tar', 'reg/app:{{x}}'],
    ['crane', 'mutate', 'reg/app:1', '--label', 'v=1', '-t', 'reg/app:{{x}}'],
    ['kind', 'load', 'docker-image', 'app:{{x}}'],
    ['kind', 'load', 'docker-image', '--name', 'ci', 'app:{{x}}'],
    ['kind', 'create', 'cluster', '--name', 'ci', '--image', 'kindest/node:{{x}}'],
    ['oc', 'new-app', 'reg/app:{{x}}'],
    ['oc', 'new-app', 'reg/app:{{x}}', 'VERSION={{x}}', '--name', 'app'],
    ['cosign', 'sign', '--key', 'cosign.key', 'reg/app:{{x}}'],
    ['cosign', 'verify', '--certificate-identity', 'ci@example.com', 'reg/app:{{x}}'],
    ['trivy', 'image', 'reg/app:{{x}}'],
    ['trivy', 'image', '--severity', 'HIGH,CRITICAL', '--exit-code', '1', 'reg/app:{{x}}'],
    ['crictl', 'pull', 'reg/app:{{x}}'],
    ['ctr', 'images', 'pull', 'docker.io/library/app:{{x}}'],
    ['ctr', '-n', 'k8s.io', 'run', '--rm', 'reg/app:{{x}}', 'job', './deploy'],
    ['docker', 'buildx', 'imagetools', 'create', '-t', 'reg/app:{{x}}', 'reg/app:sha-1'],
    ['docker', 'buildx', 'imagetools', 'inspect', 'reg/app:{{x}}'],
  ])
    checkedOnceRendered(argv, BAD_TAGS, GOOD_TAGS, tag);
  assert.throws(
    () => renderArgv(['skopeo', 'copy', 'docker://reg/app:{{x}}', 'docker://reg2/app:1'], '5000/evil'),
    /\{\{x\}\} is in the tag of the image skopeo copy copies \(reg\/app:\{\{x\}\}\), which is "5000\/evil" once rendered, making the image "reg\/app:5000\/evil"/,
  );
  assert.throws(
    () => renderArgv(['crane', 'tag', 'reg/app:1', '{{x}}'], 'x/y'),
    /\{\{x\}\} is in the tag of the image crane tag tags \(\{\{x\}\}\), which is "x\/y" once rendered, making the tag "x\/y"/,
  );
  // A digest, and a component of the name.
  for (const argv of [
    ['cosign', 'verify', 'reg/app@sha256:{{x}}'],
    ['crane', 'digest', 'reg/app@sha256:{{x}}'],
  ])
    checkedOnceRendered(
      argv,
      ['abc', 'a'.repeat(64) + '@x'],
      ['a'.repeat(64)],
      /is in the digest of the image/,
    );
  checkedOnceRendered(
    ['trivy', 'image', 'reg/team/app-{{x}}:1'],
    ['a/b', 'Prod'],
    ['prod'],
    /is in a component of the name of the image trivy image scans/,
  );
  // Through a variable set from fixed text and templates, as a runner's image.
  const script = 'TAG=v{{x}}; crane copy "reg/app:$TAG" "reg2/app:$TAG"';
  assertScriptAccepted(script);
  assert.throws(
    () => renderShellScript(script, { x: '1/evil' }),
    /the image crane copy copies through a variable/,
  );
  assert.doesNotThrow(() => renderShellScript(script, { x: '1.2.3' }));
});

test("a template that is an image tool's whole image, starts it or is in its registry is refused at load", () => {
  const whole = /is in the image [a-z -]+, where the value would be the whole image or the start of its name/;
  for (const spec of [
    ['gcloud', 'run', 'deploy', 'svc', '--image', '{{x}}'],
    ['gcloud', 'run', 'deploy', 'svc', '--image={{x}}/app:1'],
    ['gcloud', 'alpha', 'run', 'services', 'update', 'svc', '--image={{x}}'],
    ['skopeo', 'copy', 'docker://{{x}}', 'docker://reg2/app:1'],
    ['skopeo', 'copy', 'docker://reg/app:1', 'docker://{{x}}:1'],
    ['skopeo', 'inspect', 'docker://{{x}}'],
    ['crane', 'copy', '{{x}}', 'reg2/app:1'],
    ['crane', 'cp', 'reg/app:1', '{{x}}'],
    ['crane', 'tag', '{{x}}', 'latest'],
    ['crane', 'pull', '{{x}}', 'app.tar'],
    ['crane', 'push', 'app.tar', '{{x}}'],
    ['crane', 'digest', '{{x}}'],
    ['crane', 'mutate', 'reg/app:1', '-t', '{{x}}'],
    ['crane', 'mutate', '{{x}}', '--tag=reg/app:1'],
    ['kind', 'load', 'docker-image', '{{x}}'],
    ['kind', 'create', 'cluster', '--image={{x}}'],
    ['kind', 'load', 'docker-image', 'app:1', '{{x}}', '--name', 'ci'],
    ['oc', 'new-app', '{{x}}'],
    ['oc', 'new-app', '--docker-image={{x}}'],
    ['cosign', 'sign', '{{x}}'],
    ['cosign', 'verify', '--key', 'cosign.pub', '{{x}}@' + DIGEST],
    ['cosign', 'copy', 'reg/app:1', '{{x}}'],
    ['trivy', 'image', '{{x}}'],
    ['trivy', 'i', '--format', 'json', '{{x}}'],
    ['crictl', 'pull', '{{x}}'],
    ['ctr', 'images', 'pull', '{{x}}'],
    ['ctr', 'i', 'tag', 'reg/app:1', '{{x}}'],
    ['ctr', 'run', '--rm', '{{x}}', 'job'],
    ['docker', 'buildx', 'imagetools', 'create', '-t', '{{x}}', 'reg/app:1'],
    ['docker', 'buildx', 'imagetools', 'create', '-t', 'reg/app:1', '{{x}}'],
  ])
    assertRefused(spec, whole);
  const registry = /where the value would be its registry host or the account of a public registry/;
  for (const spec of [
    ['gcloud', 'run', 'deploy', 'svc', '--image=gcr.io/{{x}}/app:1'],
    ['skopeo', 'copy', 'docker://reg/app:1', 'docker://ghcr.io/{{x}}/app:1'],
    ['crane', 'copy', 'reg/app:1', 'reg{{x}}/app:1'],
    ['cosign', 'sign', 'docker.io/{{x}}/app:1'],
  ])
    assertRefused(spec, registry);
  assertRefused(
    ['cosign', 'sign', '{{x}}'],
    /\{\{x\}\}( \(character \d+\))? is in the image cosign sign signs, where the value would be the whole image or the start of its name: its registry \(\{\{x\}\}\): its value would choose whose image it is .*template only the tag or the digest/,
  );
  // What is not an image stays accepted: crane tag's fixed tag, oc new-app's variables, a service's name, a
  // compute instance's disk image, cosign's key and trivy's options.
  for (const spec of [
    ['crane', 'tag', 'reg/app:1', 'latest'],
    ['oc', 'new-app', 'reg/app:1', 'VERSION={{x}}'],
    ['gcloud', 'run', 'deploy', 'svc-{{x}}', '--image=gcr.io/proj/app:1'],
    ['gcloud', 'compute', 'instances', 'create', 'vm-{{x}}', '--image', 'debian-12'],
    ['trivy', 'image', '--severity', 'HIGH', '--timeout', '{{x}}m', 'reg/app:1'],
    ['kind', 'load', 'docker-image', 'app:1', '--name', 'ci-{{x}}'],
    ['ctr', 'run', '--rm', 'reg/app:1', 'job-{{x}}'],
  ])
    assertAccepted(spec);
});

test('skopeo takes its transport written first: a local one, or one a value chooses, is refused at load', () => {
  for (const spec of [
    ['skopeo', 'copy', 'docker://reg/app:1', 'dir:{{x}}'],
    ['skopeo', 'copy', 'docker://reg/app:1', 'dir:/srv/images/{{x}}'],
    ['skopeo', 'copy', 'oci:/srv/layout:{{x}}', 'docker://reg/app:1'],
    ['skopeo', 'copy', 'docker-archive:/tmp/{{x}}.tar', 'docker://reg/app:1'],
    ['skopeo', 'copy', 'oci-archive:{{x}}', 'docker://reg/app:1'],
  ])
    assertRefused(
      spec,
      /is in the image skopeo copy copies, where the value would be an image of a path of this machine/,
    );
  for (const spec of [
    ['skopeo', 'copy', 'docker://reg/app:1', '{{x}}'],
    ['skopeo', 'copy', 'docker://reg/app:1', 'oci{{x}}'],
    ['skopeo', 'inspect', 'reg/app:{{x}}'],
  ])
    assertRefused(spec, /where the value would be the transport, or in it \(docker:\/\/ written first/);
  assertRefused(
    ['skopeo', 'sync', '--src', 'docker', '--dest', 'dir', 'reg/app:1', '/srv/{{x}}'],
    /the file or directory of this machine skopeo sync names, written to/,
  );
  assertRefused(
    ['skopeo', 'sync', '--src', '{{x}}', '--dest', 'docker', 'reg/app', 'reg2/mirror'],
    /the transport skopeo sync --src chooses/,
  );
  assertRefused(
    ['skopeo', 'sync', '--src', 'docker', '--dest', 'docker', '{{x}}', 'reg2/m'],
    /the whole image/,
  );
  // podman's docker://{{x}} was accepted and rendered as any image of Docker Hub.
  assertRefused(['podman', 'pull', 'docker://{{x}}'], /the whole image or the start of its name/);
});

test('crane pull and push, kind load image-archive and crane mutate --append name a path of this machine', () => {
  for (const [spec, message] of [
    [
      ['crane', 'pull', 'reg/app:1', '{{x}}'],
      /the file or directory of this machine crane pull names, written to/,
    ],
    [['crane', 'pull', 'reg/app:1', '/tmp/{{x}}.tar'], /crane pull names, written to/],
    [['crane', 'export', 'reg/app:1', '{{x}}'], /crane export names, written to/],
    [
      ['crane', 'push', '{{x}}', 'reg/app:1'],
      /the file or directory of this machine crane push names, read as an image \(any file of this machine\)/,
    ],
    [['crane', 'push', './dist/{{x}}', 'reg/app:1'], /crane push names, read as an image/],
    [['crane', 'mutate', 'reg/app:1', '--append', '{{x}}', '-t', 'reg/app:2'], /crane mutate --append names/],
    [['kind', 'load', 'image-archive', '{{x}}'], /kind load image-archive names, read as an image/],
  ] as Array<[string[], RegExp]>)
    assertRefused(spec, message);
  assertAccepted(['crane', 'pull', 'reg/app:{{x}}', 'app.tar']);
});

test('podman -c/--connection takes a value checked once rendered to be one plain name, as a context', () => {
  for (const argv of [
    ['podman', '-c', '{{x}}', 'ps'],
    ['podman', '--connection', 'prod-{{x}}', 'run', '--rm', 'app:1'],
    ['podman', '--connection={{x}}', 'pull', 'reg/app:1'],
  ])
    checkedOnceRendered(
      argv,
      ['a/b', 'ssh://root@evil.example/run/podman.sock', 'a b', 'a:b'],
      ['production', 'staging-2'],
      /is in the connection podman (-c|--connection) chooses, which is .* once rendered: a value there must make one plain name .*the name of an entry the runner's own config already holds/,
    );
  for (const value of ['-x', '.a', ''])
    assert.throws(
      () => renderArgv(['podman', '-c', '{{x}}', 'ps'], value),
      /is in the connection podman -c chooses/,
    );
  // The service's address and the key read to reach it stay refused.
  assertRefused(['podman', '--url', '{{x}}', 'ps'], /which podman --url chooses/);
  assertRefused(['podman', '--identity', '{{x}}', 'ps'], /which podman --identity chooses/);
});

test("a bake's output name= and tags take the image rule: refused at load when the value is the whole image", () => {
  for (const spec of [
    ['docker', 'buildx', 'bake', '--set', '*.output=type=registry,name={{x}}'],
    ['docker', 'buildx', 'bake', 'app', '--set', 'app.output=type=image,name={{x}}/app:1,push=true'],
    ['docker', 'buildx', 'bake', '--set', 'app.cache-to=type=registry,ref={{x}}'],
    ['docker', 'buildx', 'bake', '--set', 'app.tags={{x}}'],
    ['docker', 'buildx', 'bake', '--set', 'app.tags={{x}}/app:1'],
    ['docker', 'buildx', 'bake', '--set', '*.tags=ghcr.io/{{x}}/app:1'],
    ['buildx', 'bake', '--set', '*.output=type=registry,name={{x}}'],
  ])
    assertRefused(
      spec,
      /is in the image (docker )?buildx bake --set [*a-z.-]+ (name=|ref=)?.*names, where the value would be/,
    );
  assertRefused(
    ['docker', 'buildx', 'bake', '--set', '*.output=type=registry,name={{x}}'],
    /\{\{x\}\}( \(character \d+\))? is in the image docker buildx bake --set \*\.output name= names, where the value would be the whole image or the start of its name: its registry .*: its value would choose whose image it is/,
  );
  for (const argv of [
    ['docker', 'buildx', 'bake', '--set', '*.output=type=registry,name=reg/app:{{x}}'],
    ['docker', 'buildx', 'bake', 'app', '--set', 'app.tags=registry.example.com/app:{{x}}'],
  ])
    checkedOnceRendered(
      argv,
      ['5000/evil', 'a@b', 'x,type=local,dest=/home/runner'],
      GOOD_TAGS,
      /is in the (tag of the image|image or cache reference)/,
    );
});

test("an image tool's options choosing its engine, what it trusts or a file it reads take no template", () => {
  for (const [spec, message] of [
    [['ctr', '-a', '{{x}}', 'images', 'pull', 'reg/app:1'], /the containerd address, which ctr -a chooses/],
    [
      ['ctr', '--namespace={{x}}', 'run', 'reg/app:1', 'job'],
      /the containerd namespace .*which ctr --namespace/,
    ],
    [['crictl', '-r', '{{x}}', 'pull', 'reg/app:1'], /the CRI endpoint .*which crictl -r chooses/],
    [['crictl', 'pull', '--image-endpoint', '{{x}}', 'reg/app:1'], /the CRI image endpoint/],
    [
      ['skopeo', '--policy', '{{x}}', 'copy', 'docker://reg/app:1', 'docker://reg2/app:1'],
      /the trust policy/,
    ],
    [
      ['skopeo', 'copy', '--src-daemon-host={{x}}', 'docker-daemon:app:1', 'docker://reg/app:1'],
      /the docker daemon/,
    ],
    [
      ['skopeo', 'inspect', '--registries-conf', '/etc/{{x}}', 'docker://reg/app:1'],
      /the registry configuration/,
    ],
    [
      ['cosign', 'verify', '--key', '{{x}}', 'reg/app:1'],
      /the key it signs or verifies with .*which cosign --key/,
    ],
    [['cosign', 'sign', '--key=env://{{x}}', 'reg/app:1'], /the key it signs or verifies with/],
    [
      ['cosign', 'verify', '--certificate-identity-regexp', '{{x}}', 'reg/app:1'],
      /the signer identities it trusts \(\.\*: anyone\), which cosign --certificate-identity-regexp chooses/,
    ],
    [['cosign', 'verify', '--certificate-oidc-issuer', '{{x}}', 'reg/app:1'], /the issuer it trusts/],
    [
      ['kind', 'create', 'cluster', '--config', '{{x}}'],
      /the cluster config \(extraMounts: .*which kind --config/,
    ],
    [['trivy', 'image', '--docker-host', '{{x}}', 'reg/app:1'], /the docker daemon the image is read from/],
  ] as Array<[string[], RegExp]>)
    assertRefused(
      spec,
      new RegExp(
        `${message.source}.*its value would choose the engine that runs the containers, what it trusts`,
      ),
    );
  // Fixed values stay accepted, and the tag beside them is checked.
  for (const spec of [
    ['ctr', '-n', 'k8s.io', 'images', 'pull', 'docker.io/library/app:{{x}}'],
    ['cosign', 'verify', '--key', 'cosign.pub', 'reg/app:{{x}}'],
    ['kind', 'create', 'cluster', '--name', 'ci-{{x}}', '--config', 'kind.yaml'],
    ['ctr', 'run', '--rm', 'reg/app:1', 'job', './deploy', '-n', '{{x}}'],
  ])
    assertAccepted(spec);
});
