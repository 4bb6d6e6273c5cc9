// The image rule of images-and-contexts.test.ts for the tools besides container runners and kubectl: gcloud run
// deploy --image, skopeo (docker://REF; dir:, oci:, docker-archive: a path of this machine), crane, kind load,
// oc new-app, cosign, trivy, crictl, ctr, docker buildx imagetools. A template that is the whole image, starts it
// or is in its registry is refused when the config loads; one in the tag, digest or a name component is checked
// once rendered. podman -c/--connection is a context; a bake's --set *.output=…name= and *.tags= are images.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { argvShellProblems, renderShellScript } from '../../../src/targets/shell-script.ts';
import {
  assertAccepted,
  assertRefused,
  assertScriptAccepted,
  assertScriptRefused,
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

test('podman -c/--connection takes no template, as a context: even a plain name picks whose service and key', () => {
  for (const argv of [
    ['podman', '-c', '{{x}}', 'ps'],
    ['podman', '--connection', 'prod-{{x}}', 'run', '--rm', 'app:1'],
    ['podman', '--connection={{x}}', 'pull', 'reg/app:1'],
  ])
    assertRefused(
      argv,
      /is in the connection podman (-c|--connection) chooses: which of this machine's credentials/,
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
      ['skopeo', 'copy', '--src-daemon-host={{x}}', 'docker-daemon:app:1', 'docker://reg/app:1'],
      /the docker daemon/,
    ],
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
  // What the tool trusts or signs with, in its own words (skopeo and cosign are no engine).
  for (const [spec, message] of [
    [
      ['skopeo', '--policy', '{{x}}', 'copy', 'docker://reg/app:1', 'docker://reg2/app:1'],
      /the trust policy/,
    ],
    [
      ['skopeo', 'inspect', '--registries-conf', '/etc/{{x}}', 'docker://reg/app:1'],
      /the registry configuration/,
    ],
    [
      ['cosign', 'verify', '--key', 'k8s://{{x}}/cosign', 'reg/app:1'],
      /the key it signs or verifies with .*which cosign --key/,
    ],
    [['cosign', 'sign', '--key=env://{{x}}', 'reg/app:1'], /the key it signs or verifies with/],
    [
      ['cosign', 'verify', '--certificate-identity-regexp', '{{x}}', 'reg/app:1'],
      /the signer identities it trusts \(\.\*: anyone\), which cosign --certificate-identity-regexp chooses/,
    ],
    [['cosign', 'verify', '--certificate-oidc-issuer', '{{x}}', 'reg/app:1'], /the issuer it trusts/],
  ] as Array<[string[], RegExp]>)
    assertRefused(
      spec,
      new RegExp(`${message.source}.*its value would choose what ${spec[0]} trusts or signs with`),
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

test("an image tool's option known neither to take a value nor to take none refuses a template after it, naming it", () => {
  // Read as the option's value or as an operand, the word is something else each way.
  for (const [spec, option] of [
    [['crane', 'copy', '--frob', '{{x}}', 'reg/app:1', 'reg2/app:1'], 'crane copy'],
    [['cosign', 'sign', '--frob', 'reg/app:{{x}}'], 'cosign sign'],
    [['trivy', 'image', '--frob', 'reg/app:{{x}}'], 'trivy image'],
    [['skopeo', 'copy', '--frob', 'docker://reg/app:{{x}}', 'docker://reg2/app:1'], 'skopeo copy'],
    [['crictl', 'pull', '--frob', 'reg/app:{{x}}'], 'crictl pull'],
    [['kind', 'load', 'docker-image', '--frob', 'app:{{x}}'], 'kind load docker-image'],
    // ctr run IMAGE ID: were --frob to take IMAGE, the id would be the image.
    [['ctr', 'run', '--frob', 'reg/app:1', '{{x}}'], 'ctr run'],
    [
      ['gcloud', 'container', 'images', 'add-tag', '--frob', 'gcr.io/p/app:{{x}}', 'gcr.io/p/app:2'],
      'gcloud container images add-tag',
    ],
    [
      ['docker', 'buildx', 'imagetools', 'inspect', '--frob', 'reg/app:{{x}}'],
      'docker buildx imagetools inspect',
    ],
    [['podman', 'pull', '--frob', 'reg/app:{{x}}'], 'podman pull'],
    [['nerdctl', 'push', '--frob', 'reg/app:{{x}}'], 'nerdctl push'],
    [['buildah', 'push', '--frob', 'reg/app:{{x}}'], 'buildah push'],
    // Each unknown option counts, not only the first; pflag gives one taking a value the next word, whatever it is.
    [['cosign', 'sign', '--frob', 'x', '--grob', 'reg/app:{{x}}'], 'cosign sign'],
    [['crane', 'copy', '--frob', '-j', '{{x}}', 'reg/app:1', 'reg2/app:1'], 'crane copy'],
  ] as Array<[string[], string]>)
    assertRefused(
      spec,
      new RegExp(
        `\\{\\{x\\}\\}( \\(character \\d+\\))? \\([^)]*\\) comes after ${option}'s option --[fg]rob, which is not known here: .*write the option with its value attached \\(--[fg]rob=VALUE, or --[fg]rob=true for a flag that takes none\\)`,
      ),
    );
  // Each tool's own options, from its documentation: the image beside them is checked once rendered.
  for (const argv of [
    ['crane', 'copy', '--platform', 'linux/amd64', 'reg/app:{{x}}', 'reg2/app:{{x}}'],
    ['crane', 'copy', '-a', '-n', '--insecure', 'reg/app:{{x}}', 'reg2/app:1'],
    ['crane', 'append', '-f', 'layer.tar', '-b', 'reg/app:1', '-t', 'reg/app:{{x}}'],
    ['cosign', 'sign', '-y', '--recursive', '--tlog-upload=false', 'reg/app:{{x}}'],
    // --sk and kind's --retain take no value (they were read as taking the next word).
    ['cosign', 'sign', '--sk', 'reg/app:{{x}}'],
    ['kind', 'create', 'cluster', '--retain', '--image', 'kindest/node:{{x}}'],
    ['cosign', 'verify', '--insecure-ignore-tlog', '--key', 'cosign.pub', 'reg/app:{{x}}'],
    ['trivy', 'image', '--ignore-unfixed', '--no-progress', '-q', 'reg/app:{{x}}'],
    ['skopeo', 'copy', '--all', '--preserve-digests', 'docker://reg/app:{{x}}', 'docker://reg2/app:1'],
    ['skopeo', 'inspect', '--raw', '--no-tags', 'docker://reg/app:{{x}}'],
    ['ctr', 'images', 'pull', '--plain-http', '--all-platforms', 'docker.io/library/app:{{x}}'],
    ['ctr', 'run', '--rm', '-t', '--net-host', 'reg/app:{{x}}', 'job'],
    ['crictl', 'rmi', '--prune', 'reg/app:{{x}}'],
    ['podman', 'pull', '-q', '--tls-verify=false', 'reg/app:{{x}}'],
    ['docker', 'push', '--all-tags', 'reg/app:{{x}}'],
    ['docker', 'buildx', 'imagetools', 'create', '--dry-run', '-t', 'reg/app:{{x}}', 'reg/app:sha-1'],
  ])
    checkedOnceRendered(argv, BAD_TAGS, GOOD_TAGS, /is in the tag of the image/);
  // An unknown option's value attached, or a word neither reading makes an image, file or program.
  for (const spec of [
    ['cosign', 'sign', '--frob={{x}}', 'reg/app:1'],
    ['crane', 'copy', '--frob=1', 'reg/app:1', 'reg2/app:1'],
    ['ctr', 'run', '--frob', 'reg/app:1', 'job', './deploy', 'a', '{{x}}'],
  ])
    assertAccepted(spec);
});

test("an image tool's files take the file rule: a template naming the file or starting it is refused", () => {
  for (const [spec, message] of [
    [
      ['skopeo', 'copy', '--digestfile', '{{x}}', 'docker://a/b:1', 'docker://c/d:1'],
      /skopeo --digestfile writes/,
    ],
    [['podman', 'push', '--digestfile={{x}}', 'reg/app:1'], /podman --digestfile writes/],
    [['cosign', 'sign', '--output-file', '{{x}}', 'reg/app:1'], /cosign --output-file writes/],
    [['cosign', 'sign', '--output-signature', '{{x}}.sig', 'reg/app:1'], /cosign --output-signature writes/],
    [['cosign', 'sign', '--output-certificate={{x}}', 'reg/app:1'], /cosign --output-certificate writes/],
    [['cosign', 'sign', '--bundle', '{{x}}', 'reg/app:1'], /cosign --bundle writes/],
    [['cosign', 'save', 'reg/app:1', '--dir', '{{x}}'], /cosign --dir writes/],
    [['trivy', 'image', '-o', '{{x}}', 'reg/app:1'], /trivy -o writes/],
    [['trivy', 'image', '--output={{x}}', 'reg/app:1'], /trivy --output writes/],
    [['podman', 'pull', '--authfile', '{{x}}', 'reg/app:1'], /podman --authfile reads and sends/],
    [['buildah', 'push', '--authfile={{x}}', 'reg/app:1'], /buildah --authfile reads and sends/],
    [
      ['skopeo', 'inspect', '--src-authfile', '{{x}}', 'docker://reg/app:1'],
      /skopeo --src-authfile reads and sends/,
    ],
    [['trivy', 'image', '--input', '{{x}}'], /trivy --input scans \(an image archive/],
    // trivy --template @FILE: a file with no template actions is printed whole; its config, ignore, VEX and
    // policy files; the path trivy fs, rootfs, config, repo scan; --cache-dir, written.
    [
      ['trivy', 'image', '--format', 'template', '--template', '@{{x}}', 'reg/app:1'],
      /trivy --template prints as the report/,
    ],
    [['trivy', 'image', '--template=@{{x}}', 'reg/app:1'], /trivy --template prints as the report/],
    [['trivy', 'image', '-f', 'template', '-t', '@/{{x}}', 'reg/app:1'], /trivy -t prints as the report/],
    ...['-c', '--config', '--ignorefile', '--ignore-policy', '--vex', '--secret-config', '--policy'].map(
      (option) => [
        ['trivy', 'image', option, '{{x}}', 'reg/app:1'],
        new RegExp(`trivy ${option} reads its settings`),
      ],
    ),
    ...['--config-policy', '--config-data'].map((option) => [
      ['trivy', 'config', `${option}={{x}}`, 'k8s/'],
      new RegExp(`trivy ${option} reads its settings`),
    ]),
    [['trivy', 'fs', '{{x}}'], /trivy fs scans \(its contents in the report\)/],
    [['trivy', 'fs', '--scanners', 'secret', '/{{x}}'], /trivy fs scans/],
    [['trivy', 'rootfs', '{{x}}'], /trivy rootfs scans/],
    [['trivy', 'config', '--severity', 'HIGH', '{{x}}'], /trivy config scans/],
    [['trivy', 'repo', '{{x}}'], /trivy repo scans/],
    [['trivy', 'image', '--cache-dir', '{{x}}', 'reg/app:1'], /trivy --cache-dir writes/],
    [['cosign', 'sign', '--key', '{{x}}', 'reg/app:1'], /cosign --key signs or verifies with the key in/],
    // What cosign uploads or sends: an attestation's predicate, an SBOM, a signature, a certificate, a token.
    [
      ['cosign', 'attest', '--predicate', '{{x}}', '--key', 'k', 'reg/app:1'],
      /cosign --predicate reads and sends/,
    ],
    [['cosign', 'attach', 'sbom', '--sbom={{x}}', 'reg/app:1'], /cosign --sbom reads and sends/],
    [['cosign', 'sign', '--certificate', '{{x}}', 'reg/app:1'], /cosign --certificate reads and sends/],
    [['cosign', 'sign', '--identity-token', '{{x}}', 'reg/app:1'], /cosign --identity-token reads and sends/],
    // cosign upload blob -f/--files and upload wasm -f/--file: the file it uploads to the registry.
    [['cosign', 'upload', 'blob', '-f', '{{x}}', 'reg/b'], /cosign upload blob -f reads and sends/],
    [['cosign', 'upload', 'blob', '-f{{x}}', 'reg/b'], /cosign upload blob -f reads and sends/],
    [['cosign', 'upload', 'blob', '--files={{x}}', 'reg/b'], /cosign upload blob --files reads and sends/],
    [
      ['cosign', 'upload', 'blob', '--files', '/{{x}}', 'reg/b'],
      /cosign upload blob --files reads and sends/,
    ],
    [['cosign', 'upload', 'wasm', '-f', '{{x}}', 'reg/b'], /cosign upload wasm -f reads and sends/],
    [['cosign', 'upload', 'wasm', '--file={{x}}', 'reg/b'], /cosign upload wasm --file reads and sends/],
  ] as Array<[string[], RegExp]>)
    assertRefused(spec, new RegExp(`is in the name of the local file ${message.source}`));
  // After a fixed directory, one plain name once rendered.
  for (const argv of [
    ['skopeo', 'copy', '--digestfile', 'digests/{{x}}.txt', 'docker://a/b:1', 'docker://c/d:1'],
    ['cosign', 'sign', '--output-signature', 'out/app-{{x}}.sig', 'reg/app:1'],
    ['trivy', 'image', '-o', 'reports/{{x}}.json', 'reg/app:1'],
    ['podman', 'pull', '--authfile', 'auth/{{x}}.json', 'reg/app:1'],
    ['trivy', 'image', '--input', 'dist/app-{{x}}.tar'],
    ['trivy', 'image', '-f', 'template', '--template', '@contrib/{{x}}.tpl', 'reg/app:1'],
    ['trivy', 'image', '--ignorefile', 'policies/{{x}}.trivyignore', 'reg/app:1'],
    ['trivy', 'fs', '--scanners', 'vuln', 'services/{{x}}'],
    ['cosign', 'upload', 'blob', '-f', 'dist/app-{{x}}.tgz', 'reg/b:1'],
    ['cosign', 'verify', '--key', 'keys/{{x}}.pub', 'reg/app:1'],
  ])
    checkedOnceRendered(
      argv,
      ['../../x', 'a/b'],
      ['prod', 'v1.2.3'],
      /is part of the name of the local file/,
    );
  // A key reference other than a file (env://, k8s://, a KMS) takes no template.
  for (const spec of [
    ['cosign', 'sign', '--key', 'env://{{x}}', 'reg/app:1'],
    ['cosign', 'sign', '--key=awskms:///alias/{{x}}', 'reg/app:1'],
  ])
    assertRefused(
      spec,
      /the key it signs or verifies with \(an env:\/\/ variable of the job, a KMS or k8s:\/\/ key\), which cosign --key chooses/,
    );
  // trivy's -f/-s/-t and cosign's -o take a value that is no file.
  assertAccepted(['trivy', 'image', '-f', 'json', '-s', 'HIGH', 'reg/app:1', '--timeout', '{{x}}m']);
  for (const argv of [
    ['trivy', 'image', '--exit-code', '1', 'reg/app:{{x}}'],
    ['trivy', 'image', '--ignorefile', '.trivyignore', '--cache-dir', '.cache/trivy', 'reg/app:{{x}}'],
    ['trivy', 'image', '-f', 'template', '--template', '@contrib/html.tpl', '-o', 'r.html', 'reg/app:{{x}}'],
    ['trivy', 'repo', 'https://github.com/org/{{x}}'],
    ['trivy', 'fs', '.', '--timeout', '{{x}}m'],
    // Elsewhere cosign's -f is --force, which takes no value.
    ['cosign', 'sign', '-f', 'reg/app:{{x}}'],
    ['cosign', 'upload', 'blob', '-f', 'dist/app.tgz', 'reg/b:{{x}}'],
  ])
    assertAccepted(argv);
});

test('ctr run and task exec, nerdctl and podman --rootfs, crane mutate: the rights and the program refuse a template', () => {
  for (const [spec, message] of [
    [
      ['ctr', 'run', '--cap-add', '{{x}}', 'reg/app:1', 'job'],
      /the kernel capabilities ctr run --cap-add gives the container/,
    ],
    [
      ['ctr', 'run', '--privileged={{x}}', 'reg/app:1', 'job'],
      /every right of this machine .*ctr run --privileged gives/,
    ],
    [
      ['ctr', 'run', '--net-host={{x}}', 'reg/app:1', 'job'],
      /the network of this machine .*ctr run --net-host gives/,
    ],
    [
      ['ctr', 'run', '--with-ns', 'network:/proc/{{x}}/ns/net', 'reg/app:1', 'job'],
      /the namespaces it joins/,
    ],
    [
      ['ctr', 'run', '--runtime', '{{x}}', 'reg/app:1', 'job'],
      /the runtime that runs it .*ctr run --runtime gives/,
    ],
    [['ctr', 'run', '--config', '{{x}}.json', 'reg/app:1', 'job'], /the OCI spec read from a file/],
    [['ctr', 'run', '--log-uri', 'binary:///{{x}}', 'reg/app:1', 'job'], /where its output goes/],
    [
      ['ctr', 'task', 'exec', '--privileged={{x}}', '--exec-id', 'e', 'job', 'sh'],
      /ctr task exec --privileged gives/,
    ],
    [
      ['ctr', 'run', '--mount', 'type=bind,src={{x}},dst=/data', 'reg/app:1', 'job'],
      /the source ctr run --mount type=bind mounts into the container/,
    ],
    [
      ['ctr', 'run', '--device', '{{x}}', 'reg/app:1', 'job'],
      /the device of this machine ctr run --device gives/,
    ],
    [['ctr', 'run', '--rootfs', '/srv/{{x}}', 'job'], /the file or directory of this machine ctr run names/],
    [
      ['nerdctl', 'run', '--rootfs', '/srv/{{x}}', 'sh'],
      /the directory of this machine nerdctl run --rootfs runs as the root/,
    ],
    [
      ['podman', 'run', '--rootfs', '{{x}}', 'sh'],
      /the directory of this machine podman run --rootfs runs as the root/,
    ],
    [['nerdctl', 'run', '--cap-add', '{{x}}', 'reg/app:1'], /the kernel capabilities nerdctl run --cap-add/],
    [['nerdctl', 'run', '--privileged={{x}}', 'reg/app:1'], /every right of this machine/],
    // What runs: ctr run IMAGE ID PROGRAM, ctr task exec CONTAINER PROGRAM, the image's entrypoint and command.
    [['ctr', 'run', '--rm', 'reg/app:1', 'job', '{{x}}'], /the program ctr run runs \(in the container\)/],
    [['ctr', 'task', 'exec', '--exec-id', 'e', 'job', '{{x}}'], /the program ctr task exec runs/],
    [['ctr', 't', 'exec', '--exec-id', 'e', 'job', './{{x}}.sh'], /the program ctr t exec runs/],
    [
      ['crane', 'mutate', '--entrypoint', '{{x}}', 'reg/app:1'],
      /the entrypoint of the image .*which crane mutate --entrypoint sets/,
    ],
    [
      ['crane', 'mutate', 'reg/app:1', '--cmd=./{{x}}'],
      /the command of the image .*which crane mutate --cmd sets/,
    ],
    [
      ['crane', 'mutate', '--workdir', '/srv/{{x}}', '--entrypoint', './run.sh', 'reg/app:1'],
      /the working directory of the image .*which crane mutate --workdir sets .*what runs is read from there/,
    ],
  ] as Array<[string[], RegExp]>)
    assertRefused(spec, message);
  // The user it runs as: a number other than 0.
  checkedOnceRendered(
    ['ctr', 'run', '--user', '{{x}}', 'reg/app:1', 'job'],
    ['0', 'root'],
    ['1000'],
    /is in the user or group a container runs as/,
  );
  // Fixed rights, and values where they are data.
  for (const spec of [
    ['ctr', 'run', '--rm', '--privileged', '--net-host', 'reg/app:1', 'job-{{x}}'],
    ['ctr', 'run', '--env', 'VERSION={{x}}', 'reg/app:1', 'job', './deploy'],
    ['ctr', 'task', 'exec', '--exec-id', 'e-{{x}}', 'job', './deploy', '{{x}}'],
    ['crane', 'mutate', '--env', 'VERSION={{x}}', '--label', 'v={{x}}', 'reg/app:1'],
  ])
    assertAccepted(spec);
});

test("cosign's signer identity takes a value in a workflow's ref, checked once rendered; elsewhere it is refused", () => {
  const workflow = 'https://github.com/org/repo/.github/workflows/release.yml';
  for (const argv of [
    ['cosign', 'verify', '--certificate-identity', `${workflow}@refs/heads/{{x}}`, 'reg/app:1'],
    ['cosign', 'verify', `--certificate-identity=${workflow}@refs/tags/v{{x}}`, 'reg/app:1'],
    ['cosign', 'verify-attestation', '--certificate-identity', `${workflow}@refs/heads/{{x}}`, 'reg/app:1'],
  ])
    checkedOnceRendered(
      argv,
      ['a b', '../main', '.x/../main', 'x@refs/heads/main', 'a\nb', 'main/', 'a//b', 'a:b', 'x.lock'],
      ['main', 'release/1.2', '1.2.3'],
      /is in the ref of the signer identity cosign --certificate-identity trusts, which is .* once rendered: a value there must keep it one ref's path/,
    );
  for (const spec of [
    ['cosign', 'verify', '--certificate-identity', '{{x}}', 'reg/app:1'],
    [
      'cosign',
      'verify',
      '--certificate-identity',
      'https://github.com/{{x}}/repo/.github/workflows/r.yml@refs/heads/main',
      'reg/app:1',
    ],
    ['cosign', 'verify', '--certificate-identity', `${workflow}@{{x}}`, 'reg/app:1'],
    ['cosign', 'verify', '--certificate-identity', `${workflow}@refs/{{x}}`, 'reg/app:1'],
    ['cosign', 'verify', '--certificate-identity', 'ci-{{x}}@example.com', 'reg/app:1'],
  ])
    assertRefused(
      spec,
      /is in the signer identity it trusts \(any workflow or account\), which cosign --certificate-identity chooses/,
    );
});

test('gcloud container images and artifacts docker, crane rebase, flatten and index, crictl rmi: the image rule', () => {
  for (const argv of [
    ['gcloud', 'container', 'images', 'add-tag', 'gcr.io/p/app:1', 'gcr.io/p/app:{{x}}'],
    ['gcloud', 'container', 'images', 'add-tag', '-q', 'gcr.io/p/app:{{x}}', 'gcr.io/p/app:latest'],
    ['gcloud', 'artifacts', 'docker', 'images', 'delete', '--delete-tags', 'eu-docker.pkg.dev/p/r/app:{{x}}'],
    [
      'gcloud',
      'artifacts',
      'docker',
      'tags',
      'add',
      'eu-docker.pkg.dev/p/r/app:1',
      'eu-docker.pkg.dev/p/r/app:{{x}}',
    ],
    [
      'gcloud',
      'beta',
      'artifacts',
      'docker',
      'tags',
      'add',
      'eu-docker.pkg.dev/p/r/app:{{x}}',
      'eu-docker.pkg.dev/p/r/app:2',
    ],
    [
      'crane',
      'rebase',
      'reg/app:{{x}}',
      '--old_base',
      'base:1',
      '--new_base',
      'base:2',
      '-t',
      'reg/app:{{x}}',
    ],
    ['crane', 'rebase', 'reg/app:1', '--new_base', 'reg/base:{{x}}'],
    ['crane', 'flatten', 'reg/app:{{x}}', '-t', 'reg/app:{{x}}-flat'],
    ['crane', 'index', 'append', 'reg/app:1', '-m', 'reg/app:{{x}}', '-t', 'reg/app:multi'],
    ['crane', 'index', 'filter', 'reg/app:{{x}}', '--platform', 'linux/amd64', '-t', 'reg/app:amd64'],
    ['crictl', 'rmi', 'reg/app:{{x}}'],
    ['crictl', 'pull', 'reg/app:{{x}}'],
  ])
    checkedOnceRendered(argv, BAD_TAGS, GOOD_TAGS, /is in the tag of the image/);
  for (const spec of [
    ['gcloud', 'container', 'images', 'add-tag', '{{x}}', 'gcr.io/p/app:1'],
    ['gcloud', 'container', 'images', 'add-tag', 'gcr.io/p/app:1', '{{x}}'],
    ['gcloud', 'artifacts', 'docker', 'images', 'delete', '{{x}}'],
    ['gcloud', 'artifacts', 'docker', 'tags', 'add', 'eu-docker.pkg.dev/p/r/app:1', '{{x}}:2'],
    ['crane', 'rebase', '{{x}}'],
    ['crane', 'rebase', 'reg/app:1', '--new_base={{x}}'],
    ['crane', 'rebase', 'reg/app:1', '-t', '{{x}}'],
    ['crane', 'flatten', '{{x}}'],
    ['crane', 'flatten', 'reg/app:1', '--tag', '{{x}}'],
    ['crane', 'index', 'append', '-m', '{{x}}', '-t', 'reg/app:1'],
    ['crane', 'index', 'append', '{{x}}', '-t', 'reg/app:1'],
    ['crane', 'index', 'filter', 'reg/app:1', '-t', '{{x}}'],
    ['crictl', 'rmi', '{{x}}'],
    ['crictl', 'pull', '{{x}}'],
  ])
    assertRefused(
      spec,
      /is in the image [a-z -]+ (-[a-z] |--[a-z_]+ )?[a-z ]+, where the value would be the whole image or the start of its name/,
    );
  assertRefused(
    ['gcloud', 'container', 'images', 'add-tag', 'gcr.io/p/app:1', 'gcr.io/{{x}}/app:1'],
    /where the value would be its registry host or the account of a public registry/,
  );
});

test('pull and push: what the runner trusts or the key file it reads takes no template', () => {
  for (const [spec, message] of [
    [
      ['nerdctl', 'pull', '--verify', '{{x}}', 'reg/app:1'],
      /the way the signature of the image is verified \(none: not at all\), which nerdctl pull --verify chooses/,
    ],
    [
      ['nerdctl', 'pull', '--verify=cosign', '--cosign-key', '{{x}}.pub', 'reg/app:1'],
      /the key the signature of the image is verified with/,
    ],
    [
      ['podman', 'pull', '--signature-policy', '/etc/{{x}}.json', 'reg/app:1'],
      /the trust policy .*which podman pull --signature-policy chooses/,
    ],
    [['podman', 'push', '--cert-dir={{x}}', 'reg/app:1'], /the certificates trusted for the registry/],
    [
      ['buildah', 'push', '--sign-by-sigstore-private-key', '{{x}}', 'reg/app:1'],
      /the key the image is signed with/,
    ],
  ] as Array<[string[], RegExp]>)
    assertRefused(
      spec,
      new RegExp(`${message.source}.*its value would choose what ${spec[0]} trusts or signs with`),
    );
  checkedOnceRendered(
    ['nerdctl', 'pull', '--verify', 'cosign', '--cosign-key', 'cosign.pub', 'reg/app:{{x}}'],
    BAD_TAGS,
    GOOD_TAGS,
    /is in the tag of the image nerdctl pull pulls/,
  );
});

test("a trust switch written --switch=VALUE takes no template, as kubectl's --insecure-skip-tls-verify=VALUE", () => {
  const trust = (tool: string) => `its value would choose what ${tool} trusts or signs with`;
  for (const [spec, message] of [
    [
      ['cosign', 'verify', '--insecure-ignore-tlog={{x}}', '--key', 'cosign.pub', 'reg/app:1'],
      /whether the transparency log entry of the signature is checked, which cosign --insecure-ignore-tlog= chooses/,
    ],
    [['cosign', 'verify', '--insecure-ignore-sct={{x}}', 'reg/app:1'], /cosign --insecure-ignore-sct=/],
    [['cosign', 'verify', '--check-claims={{x}}', 'reg/app:1'], /cosign --check-claims=/],
    [['cosign', 'sign', '--allow-insecure-registry={{x}}', 'reg/app:1'], /cosign --allow-insecure-registry=/],
    [['cosign', 'sign', '--tlog-upload={{x}}', 'reg/app:1'], /cosign --tlog-upload=/],
    [['cosign', 'sign', '--allow-http-registry={{x}}', 'reg/app:1'], /cosign --allow-http-registry=/],
    [
      ['skopeo', 'copy', '--src-tls-verify={{x}}', 'docker://reg/app:1', 'docker://reg2/app:1'],
      /whether the certificate of the source registry is checked, which skopeo --src-tls-verify= chooses/,
    ],
    [
      ['skopeo', 'copy', '--dest-tls-verify={{x}}', 'docker://reg/app:1', 'docker://reg2/app:1'],
      /skopeo --dest-tls-verify=/,
    ],
    [['skopeo', 'inspect', '--tls-verify={{x}}', 'docker://reg/app:1'], /skopeo --tls-verify=/],
    [
      ['skopeo', '--insecure-policy={{x}}', 'copy', 'docker://reg/app:1', 'docker://reg2/app:1'],
      /whether the trust policy .* is read at all, which skopeo --insecure-policy= chooses/,
    ],
    [['podman', 'pull', '--tls-verify={{x}}', 'reg/app:1'], /podman pull --tls-verify=/],
    [['buildah', 'pull', '--tls-verify={{x}}', 'reg/app:1'], /buildah pull --tls-verify=/],
    [['podman', 'run', '--tls-verify={{x}}', 'reg/app:1'], /podman run --tls-verify=/],
    [
      ['docker', 'pull', '--disable-content-trust={{x}}', 'reg/app:1'],
      /whether the signature of the image is checked \(Docker Content Trust\), which docker pull --disable-content-trust= chooses/,
    ],
    [['docker', '--tlsverify={{x}}', '-H', 'tcp://h:2376', 'ps'], /docker --tlsverify=/],
    [['nerdctl', 'pull', '--insecure-registry={{x}}', 'reg/app:1'], /nerdctl pull --insecure-registry=/],
    [['trivy', 'image', '--insecure={{x}}', 'reg/app:1'], /trivy --insecure=/],
    [['trivy', '--insecure={{x}}', 'image', 'reg/app:1'], /trivy --insecure=/],
    [['crane', '--insecure={{x}}', 'copy', 'reg/app:1', 'reg2/app:1'], /crane --insecure=/],
    [['crane', 'copy', '--insecure={{x}}', 'reg/app:1', 'reg2/app:1'], /crane --insecure=/],
    [['ctr', 'images', 'pull', '--skip-verify={{x}}', 'reg/app:1'], /ctr images pull --skip-verify=/],
    [['ctr', 'i', 'pull', '-k={{x}}', 'reg/app:1'], /ctr i pull -k=/],
    // skopeo's key files, as podman push's: refused, not left to the leading check.
    [
      [
        'skopeo',
        'copy',
        '--sign-by-sigstore-private-key',
        '{{x}}',
        'docker://reg/app:1',
        'docker://r2/app:1',
      ],
      /the key the image is signed with .*which skopeo --sign-by-sigstore-private-key chooses/,
    ],
    [
      ['skopeo', 'copy', '--sign-passphrase-file={{x}}', 'docker://reg/app:1', 'docker://r2/app:1'],
      /the passphrase of the signing key/,
    ],
    [
      ['skopeo', 'copy', '--encryption-key', 'jwe:{{x}}.pem', 'docker://reg/app:1', 'docker://r2/app:1'],
      /the key the image is encrypted with/,
    ],
    [
      ['skopeo', 'copy', '--decryption-key', '{{x}}', 'docker://reg/app:1', 'docker://r2/app:1'],
      /the key the image is decrypted with/,
    ],
  ] as Array<[string[], RegExp]>)
    assertRefused(spec, new RegExp(`${message.source}.*${trust(spec[0]!)}`));
  // helm's, as kubectl's: the engine's words (the cluster it talks to).
  assertRefused(
    ['helm', 'upgrade', '--install', '--insecure-skip-tls-verify={{x}}', 'app', 'oci://reg/charts/app'],
    /whether the certificate of the chart repository is checked, which helm --insecure-skip-tls-verify chooses .*its value would choose the engine that runs the containers, what it trusts/,
  );
  // Written alone (or with a fixed value) they stay switches, and the image beside them is checked.
  for (const spec of [
    ['cosign', 'verify', '--insecure-ignore-tlog', '--key', 'cosign.pub', 'reg/app@sha256:{{x}}'],
    ['cosign', 'sign', '--tlog-upload=false', '--key', 'cosign.key', 'reg/app:{{x}}'],
    ['skopeo', '--insecure-policy', 'copy', '--src-tls-verify', 'docker://a/b:{{x}}', 'docker://c/b:{{x}}'],
    ['skopeo', 'copy', '--dest-tls-verify=false', 'docker://a/b:{{x}}', 'docker://c/b:{{x}}'],
    ['podman', 'pull', '--tls-verify', 'reg/app:{{x}}'],
    ['docker', 'pull', '--disable-content-trust', 'reg/app:{{x}}'],
    ['trivy', 'image', '--insecure', 'reg/app:{{x}}'],
    ['crane', 'copy', '--insecure', 'reg/app:{{x}}', 'reg2/app:{{x}}'],
    ['ctr', 'i', 'pull', '-k', 'reg/app:{{x}}'],
    ['docker', '--tlsverify', '-H', 'tcp://h:2376', 'pull', 'reg/app:{{x}}'],
    ['skopeo', 'copy', '--sign-by-sigstore-private-key', 'k.key', 'docker://a/b:{{x}}', 'docker://c/b:{{x}}'],
  ])
    assertAccepted(spec);
  checkedOnceRendered(
    ['cosign', 'verify', '--insecure-ignore-tlog', '--key', 'cosign.pub', 'reg/app:{{x}}'],
    BAD_TAGS,
    GOOD_TAGS,
    /is in the tag of the image cosign verify verifies/,
  );
});

test("ctr containers create (container, c) takes ctr run's rules: its image, rights, mounts, user and program", () => {
  for (const [spec, message] of [
    [
      ['ctr', 'c', 'create', '--mount', 'type=bind,src={{x}},dst=/x', 'reg/app:1', 'job'],
      /the source ctr c create --mount type=bind mounts into the container/,
    ],
    [
      ['ctr', 'containers', 'create', '--privileged', '{{x}}', 'job'],
      /the image ctr containers create runs, where the value would be the whole image/,
    ],
    [
      ['ctr', 'containers', 'create', '--cap-add', '{{x}}', 'reg/app:1', 'job'],
      /the kernel capabilities ctr containers create --cap-add gives the container/,
    ],
    [
      ['ctr', 'container', 'create', '--privileged={{x}}', 'reg/app:1', 'job'],
      /every right of this machine .*ctr container create --privileged gives/,
    ],
    [
      ['ctr', '-n', 'k8s.io', 'c', 'create', '--config', '{{x}}.json', 'reg/app:1', 'job'],
      /the OCI spec read from a file/,
    ],
    [
      ['ctr', 'c', 'create', '--device', '/dev/{{x}}', 'reg/app:1', 'job'],
      /the device of this machine ctr c create --device gives/,
    ],
    [
      ['ctr', 'c', 'create', '--rootfs', '/srv/{{x}}', 'job'],
      /the file or directory of this machine ctr c create names/,
    ],
    [['ctr', 'container', 'create', 'reg/app:1', 'job', '{{x}}'], /the program ctr container create runs/],
  ] as Array<[string[], RegExp]>)
    assertRefused(spec, message);
  checkedOnceRendered(
    ['ctr', 'containers', 'create', '--privileged', 'reg/app:{{x}}', 'job'],
    BAD_TAGS,
    GOOD_TAGS,
    /is in the tag of the image ctr containers create runs/,
  );
  checkedOnceRendered(
    ['ctr', 'c', 'create', '-u', '{{x}}', 'reg/app:1', 'job'],
    ['0', 'root'],
    ['1000'],
    /is in the user or group a container runs as/,
  );
  for (const spec of [
    ['ctr', 'run', '--rm', 'reg/app:{{x}}', 'job1'],
    ['ctr', 'c', 'create', '--env', 'VERSION={{x}}', 'reg/app:{{x}}', 'job-{{x}}', './deploy', '{{x}}'],
  ])
    assertAccepted(spec);
});

test("crictl run, runp and create read their config files by the file rule; exec's command is not read as crictl's options", () => {
  const config =
    /is in the name of the local file crictl (run|runp) runs the container or pod described in .*read as a container or pod config, which chooses what runs/;
  for (const [spec, message] of [
    [['crictl', 'run', '{{x}}', 'pod.json'], config],
    [['crictl', 'run', 'container.json', '{{x}}'], config],
    [['crictl', 'run', '--no-pull', '-T', '30s', '{{x}}.json', 'pod.json'], config],
    [['crictl', 'runp', '{{x}}'], config],
    [['crictl', '-r', 'unix:///run/containerd/containerd.sock', 'runp', '{{x}}'], config],
    [
      ['crictl', 'create', 'p', '{{x}}', 'pod.json'],
      /the local file crictl create creates the container described in/,
    ],
    [['crictl', 'create', 'p', 'container.json', '{{x}}'], /crictl create/],
    [
      ['crictl', 'runp', '--runtime', '{{x}}', 'pod.json'],
      /the runtime handler .*which crictl runp --runtime/,
    ],
    [['crictl', 'run', '-r={{x}}', 'c.json', 'pod.json'], /the runtime handler .*which crictl run -r/],
    // Its global options, before the subcommand.
    [['crictl', '--timeout', '5', '-c', '{{x}}', 'ps'], /the crictl config .*which crictl -c chooses/],
    // After another global option's value (ctr's were read up to it only).
    [
      ['ctr', '--timeout', '5s', '-a', '{{x}}', 'images', 'pull', 'reg/app:1'],
      /the containerd address, which ctr -a chooses/,
    ],
  ] as Array<[string[], RegExp]>)
    assertRefused(spec, message);
  for (const spec of [
    ['crictl', 'exec', 'c', './run.sh', '--flag', '{{x}}'],
    // exec's command is the container's: its -c and -r are not crictl's global -c/-r.
    ['crictl', 'exec', 'c', './run.sh', '-c', '{{x}}'],
    ['crictl', 'exec', 'c', './run.sh', '-r', '{{x}}'],
    ['crictl', 'exec', '-it', 'c', './run.sh', '-i', '{{x}}'],
    ['crictl', 'run', 'k8s/container.json', 'k8s/pod.json'],
    ['crictl', 'runp', '-r', 'runc', 'k8s/pod.json'],
    ['crictl', 'pull', 'reg/app:{{x}}'],
  ])
    assertAccepted(spec);
  // A value after a fixed directory takes the file rule's check once rendered.
  assert.throws(
    () => renderArgv(['crictl', 'run', 'k8s/container-{{x}}.json', 'k8s/pod.json'], '../../etc/x'),
    /crictl run/,
  );
  assert.doesNotThrow(() =>
    renderArgv(['crictl', 'run', 'k8s/container-{{x}}.json', 'k8s/pod.json'], 'production'),
  );
});

test('crictl exec: the program it runs in the container takes no template, as ctr task exec; its arguments are data', () => {
  for (const [spec, message] of [
    [['crictl', 'exec', 'c', '{{x}}'], /the program crictl exec runs \(in the container\)/],
    [['crictl', 'exec', '-it', 'c', './{{x}}.sh'], /the program crictl exec runs/],
    [['crictl', '-r', 'unix:///run/c.sock', 'exec', '-s', 'c', '{{x}}'], /the program crictl exec runs/],
    // With a filter option it takes no container: the first operand is the program.
    [['crictl', 'exec', '--name', 'app', '{{x}}'], /the program crictl exec runs/],
    [['crictl', 'exec', '--latest', '{{x}}', 'a'], /the program crictl exec runs/],
    [
      ['crictl', 'exec', '--tls-ca', '{{x}}', 'c', 'ls'],
      /the certificate authority trusted for the stream .*which crictl exec --tls-ca chooses/,
    ],
  ] as Array<[string[], RegExp]>)
    assertRefused(spec, message);
  for (const spec of [
    ['crictl', 'exec', 'c', './run.sh', '--flag', '{{x}}'],
    ['crictl', 'exec', '-s', '--timeout', '5', 'c', './run.sh', '{{x}}'],
    ['crictl', 'exec', 'app-{{x}}', './run.sh'],
  ])
    assertAccepted(spec);
});

test("trivy repo's and vm's own options take their value, not the path scanned; cosign upload's -f is cosign's alone", () => {
  for (const script of [
    'trivy repo --branch {{x}} https://github.com/org/app',
    'trivy repo --tag {{x}} --commit {{x}} https://github.com/org/app',
    'trivy vm --aws-region {{x}} ebs:snap-1',
    'podman run reg/a:1 upload blob -f {{x}}',
  ])
    assertScriptAccepted(script);
  assertScriptRefused('trivy repo --branch main {{x}}', /trivy repo/);
  assertScriptRefused('cosign upload blob -f {{x}} reg/b', /cosign upload blob -f/);
});

test('an option of an image tool not known here before its subcommand: a template after it is refused, naming it', () => {
  // cosign --frob sign IMAGE: sign is --frob's value, or the subcommand; the image is one or the other.
  for (const argv of [
    ['cosign', '--frob', 'sign', 'reg/app:{{x}}'],
    ['cosign', '--frob', '{{x}}', 'sign', 'reg/app:1'],
    ['crane', '--frob', 'copy', 'reg/app:{{x}}', 'reg2/app:1'],
    ['skopeo', '--frob', 'inspect', 'docker://reg/app:{{x}}'],
  ])
    assertRefused(argv, /comes after [a-z]+'s option --frob, which is not known here/);
  for (const argv of [
    ['cosign', '-d', 'sign', 'reg/app:{{x}}'],
    ['cosign', '--verbose', 'sign', '--key', 'cosign.key', 'reg/app:{{x}}'],
    ['cosign', '--frob=1', 'sign', 'reg/app:{{x}}'],
    ['skopeo', '--debug', 'inspect', 'docker://reg/app:{{x}}'],
    ['crane', '--insecure', 'digest', 'reg/app:{{x}}'],
  ])
    assertAccepted(argv);
});

test('image tools: the directories, trust files and keys their options name take no template', () => {
  for (const [argv, message] of [
    [
      ['skopeo', 'copy', '--src-shared-blob-dir', '{{x}}', 'docker://a/b:1', 'oci:out'],
      /the layers are read from/,
    ],
    [
      ['skopeo', 'copy', '--dest-shared-blob-dir', 'blobs/{{x}}', 'docker://a/b:1', 'oci:out'],
      /the layers are written to/,
    ],
    [
      ['skopeo', '--tmpdir', '{{x}}', 'copy', 'docker://a/b:1', 'docker://c/d:1'],
      /its temporary files are written to/,
    ],
    [
      ['crane', 'pull', '--cache_path', '{{x}}', 'reg/app:1', 'app.tar'],
      /the layer cache .*crane pull --cache_path/,
    ],
    [['crane', 'pull', '-c', 'cache/{{x}}', 'reg/app:1', 'app.tar'], /the layer cache .*crane pull -c/],
    [
      ['ctr', 'images', 'pull', '--tlscacert', '{{x}}', 'reg/app:1'],
      /the certificate authority trusted for the registry/,
    ],
    [['ctr', 'i', 'pull', '--tlscert', '{{x}}', '--tlskey', 'k.pem', 'reg/app:1'], /the client certificate/],
    [['ctr', 'images', 'push', '--tlskey={{x}}', 'reg/app:1'], /the client key presented/],
    [['ctr', 'images', 'pull', '--hosts-dir', '{{x}}', 'reg/app:1'], /the registry configuration/],
    [
      ['nerdctl', 'run', '--cosign-key', '{{x}}', 'reg/app:1'],
      /the key the signature of the image is verified with, which nerdctl run --cosign-key/,
    ],
    [
      ['nerdctl', 'run', '--verify', '{{x}}', 'reg/app:1'],
      /verified \(none: not at all\), which nerdctl run --verify chooses/,
    ],
    [
      ['nerdctl', 'run', '--verify=cosign', '--cosign-certificate-identity={{x}}', 'reg/app:1'],
      /the signer identity it trusts/,
    ],
  ] as const)
    assertRefused([...argv], message);
  for (const argv of [
    ['skopeo', 'copy', '--src-shared-blob-dir', 'blobs', 'docker://reg/app:{{x}}', 'oci:out'],
    ['crane', 'pull', '--cache_path', '/tmp/cache', 'reg/app:{{x}}', 'app.tar'],
    [
      'ctr',
      'images',
      'pull',
      '--tlscacert',
      'ca.pem',
      '--hosts-dir',
      '/etc/containerd/certs.d',
      'reg/app:{{x}}',
    ],
    ['nerdctl', 'run', '--verify', 'cosign', '--cosign-key', 'cosign.pub', 'reg/app:{{x}}'],
  ])
    assertAccepted(argv);
});

test("cosign's workflow claims: a name or trigger takes no template; a ref's name and a commit are checked once rendered", () => {
  for (const [argv, message] of [
    [
      ['cosign', 'verify', '--certificate-github-workflow-name', '{{x}}', 'reg/app:1'],
      /the workflow whose signature it trusts/,
    ],
    [
      ['cosign', 'verify', '--certificate-github-workflow-trigger', '{{x}}', 'reg/app:1'],
      /the event whose workflow runs it trusts/,
    ],
    [
      ['cosign', 'verify', '--certificate-github-workflow-ref', '{{x}}', 'reg/app:1'],
      /the ref whose workflow runs it trusts/,
    ],
    [
      ['cosign', 'verify', '--certificate-github-workflow-ref', 'refs/{{x}}', 'reg/app:1'],
      /the ref whose workflow runs it trusts/,
    ],
    [
      ['cosign', 'verify', '--certificate-github-workflow-sha', 'a{{x}}', 'reg/app:1'],
      /the commit whose workflow runs it trusts/,
    ],
  ] as const)
    assertRefused([...argv], message);
  const sha = 'a'.repeat(40);
  checkedOnceRendered(
    ['cosign', 'verify', '--certificate-github-workflow-ref', 'refs/heads/{{x}}', 'reg/app:1'],
    ['', 'a b', 'main@x', '../x', '-x'],
    ['main', 'release/1.2'],
    /the ref of the workflow cosign --certificate-github-workflow-ref trusts/,
  );
  checkedOnceRendered(
    ['cosign', 'verify', '--certificate-github-workflow-sha={{x}}', 'reg/app:1'],
    ['', 'main', 'A'.repeat(40), `${sha} `],
    [sha, 'b'.repeat(64)],
    /the commit of the workflow cosign --certificate-github-workflow-sha trusts, which is .*: a value there must make one commit's SHA/,
  );
});

test('ctr --snapshotter is checked once rendered', () => {
  for (const argv of [
    ['ctr', 'run', '--snapshotter', '{{x}}', 'reg/app:1', 'web'],
    ['ctr', 'images', 'pull', '--snapshotter={{x}}', 'reg/app:1'],
  ])
    checkedOnceRendered(
      argv,
      ['', '/x', '-x', 'a b', 'a/b'],
      ['overlayfs', 'stargz'],
      /the snapshotter ctr --snapshotter chooses/,
    );
});

test('trivy -s/--severity takes no template: even a known severity (LOW) turns a HIGH or CRITICAL gate off', () => {
  for (const argv of [
    ['trivy', 'image', '--severity', '{{x}}', 'reg/app:1'],
    ['trivy', 'image', '-s', '{{x}}', 'reg/app:1'],
    ['trivy', '--severity={{x}}', 'image', 'reg/app:1'],
    ['trivy', 'image', '-s', 'HIGH,{{x}}', 'reg/app:1'],
    ['trivy', 'image', '-qs{{x}}', 'reg/app:1'],
  ])
    assertRefused(
      argv,
      /the severities it reports and fails on .*, which trivy (-s|--severity) chooses .*: its value would choose what the scan finds or trusts/,
    );
  assertAccepted(['trivy', 'image', '--severity', 'HIGH,CRITICAL', '--exit-code', '1', 'reg/app:{{x}}']);
});

test('crictl exec --name is a regular expression: it takes no template', () => {
  for (const argv of [
    ['crictl', 'exec', '--name', '{{x}}', './run.sh'],
    ['crictl', 'exec', '--name=web-{{x}}', './run.sh'],
  ])
    assertRefused(
      argv,
      /the pattern crictl exec --name matches container names with .*: its value would choose which containers the command runs in \(a regular expression: \.\* matches every container/,
    );
  assertAccepted(['crictl', 'exec', '--name', 'web', './run.sh', '{{x}}']);
});

test('cosign upload blob and wasm: the image the files are uploaded to keeps its shape once rendered', () => {
  assertRefused(
    ['cosign', 'upload', 'blob', '-f', 'app.tgz', '{{x}}'],
    /the image cosign upload blob uploads to/,
  );
  assertRefused(
    ['cosign', 'upload', 'wasm', '-f', 'app.wasm', '{{x}}/app:1'],
    /the image cosign upload wasm uploads to/,
  );
  checkedOnceRendered(
    ['cosign', 'upload', 'blob', '-f', 'app.tgz', 'reg/b:{{x}}'],
    BAD_TAGS,
    GOOD_TAGS,
    /\{\{x\}\} is in the tag of the image cosign upload blob uploads to/,
  );
  assertAccepted([
    'cosign',
    'upload',
    'blob',
    '--files',
    'app.tgz',
    '--ct',
    'application/gzip',
    'reg/b:{{x}}',
  ]);
});

test("trivy's options choosing what it finds, trusts or fails on are refused in trivy's own words", () => {
  for (const [spec, message] of [
    // trivy: the server it asks, where its databases come from, the exit code of its gate, a template's code.
    [['trivy', '--server', '{{x}}', 'image', 'reg/app:1'], /the trivy server it asks/],
    [['trivy', 'image', '--server={{x}}', 'reg/app:1'], /the trivy server it asks/],
    [['trivy', 'image', '--db-repository', '{{x}}', 'reg/app:1'], /its vulnerability database is downloaded/],
    [['trivy', 'image', '--java-db-repository', 'ghcr.io/{{x}}', 'reg/app:1'], /its Java database/],
    [['trivy', 'image', '--exit-code', '{{x}}', 'reg/app:1'], /\(0: the gate never fails\)/],
    [
      ['trivy', 'image', '--format', 'template', '--template', '{{x}}', 'reg/app:1'],
      /the Go template code of its report, which trivy --template chooses/,
    ],
    [['trivy', 'image', '-f', 'template', '-t', '{{x}}', 'reg/app:1'], /which trivy -t chooses/],
  ] as Array<[string[], RegExp]>)
    assertRefused(
      spec,
      new RegExp(
        `${message.source}.*its value would choose what the scan finds or trusts, or whether a finding fails the step`,
      ),
    );
});

test('trivy -s and -t glued to their value or in a cluster of short flags are read as written apart', () => {
  for (const argv of [
    ['trivy', 'image', '-s{{x}}', 'reg/app:1'],
    ['trivy', 'image', '-qs', '{{x}}', 'reg/app:1'],
    ['trivy', 'image', '-qs{{x}}', 'reg/app:1'],
    ['trivy', 'image', '-s=HIGH,{{x}}', 'reg/app:1'],
  ])
    assertRefused(argv, /the severities it reports and fails on .*, which trivy -s chooses/);
  for (const argv of [
    ['trivy', 'image', '-qt', '{{x}}', '--format', 'template', 'reg/app:1'],
    ['trivy', 'image', '-t{{x}}', '--format', 'template', 'reg/app:1'],
    ['trivy', 'image', '-f', 'template', '-dqt={{x}}', 'reg/app:1'],
  ])
    assertRefused(argv, /the Go template code of its report, which trivy -t chooses/);
  // Neighbours: a cluster of flags alone, and a template file, keep their readings.
  assertAccepted(['trivy', 'image', '-dq', '--severity', 'HIGH', 'reg/app:{{x}}']);
  assertAccepted(['trivy', 'image', '-qs', 'HIGH', 'reg/app:{{x}}']);
});

test('crictl exec -n/--last, --label, -p/--pod, --image and --state choose the containers it runs in', () => {
  for (const argv of [
    ['crictl', 'exec', '--last', '{{x}}', 'ls'],
    ['crictl', 'exec', '-n', '{{x}}', 'ls'],
    ['crictl', 'exec', '-n{{x}}', 'ls'],
    ['crictl', 'exec', '--last={{x}}', 'ls'],
    ['crictl', 'exec', '--label', 'app={{x}}', 'ls'],
    ['crictl', 'exec', '-p', '{{x}}', 'ls'],
    ['crictl', 'exec', '--pod', '{{x}}', 'ls'],
    ['crictl', 'exec', '--image', 'reg/app:{{x}}', 'ls'],
    ['crictl', 'exec', '--state', '{{x}}', 'ls'],
  ])
    assertRefused(argv, /crictl exec .*: its value would choose which containers the command runs in/);
  // Neighbours: fixed selectors, a value in the program's arguments.
  assertAccepted(['crictl', 'exec', '--last', '1', 'ls', '{{x}}']);
  assertAccepted(['crictl', 'exec', '--label', 'app=web', '--state', 'running', 'ls', '{{x}}']);
});

test("an image tool's settings given as variables take no template, as its options: TRIVY_*, COSIGN_*, SIGSTORE_*, …", () => {
  const message = (variable: string) =>
    new RegExp(`is in the value of the variable ${variable}, which programs read`);
  for (const [variable, program] of [
    // trivy reads every option of its as TRIVY_NAME: its server, config, ignore file, cache, gate, template.
    ['TRIVY_SERVER', 'trivy image app:1'],
    ['TRIVY_TOKEN', 'trivy image app:1'],
    ['TRIVY_SEVERITY', 'trivy image app:1'],
    ['TRIVY_CACHE_DIR', 'trivy image app:1'],
    ['TRIVY_CONFIG', 'trivy fs .'],
    ['TRIVY_IGNOREFILE', 'trivy fs .'],
    ['TRIVY_EXIT_CODE', 'trivy image app:1'],
    ['TRIVY_TEMPLATE', 'trivy image -f template app:1'],
    ['TRIVY_DB_REPOSITORY', 'trivy image app:1'],
    // cosign's and sigstore's: where signatures are kept, the library it loads, the roots and keys it trusts.
    ['COSIGN_REPOSITORY', 'cosign sign reg/app:1'],
    ['COSIGN_PKCS11_MODULE_PATH', 'cosign sign reg/app:1'],
    ['COSIGN_PASSWORD', 'cosign sign --key k reg/app:1'],
    ['SIGSTORE_ROOT_FILE', 'cosign verify reg/app:1'],
    ['SIGSTORE_REKOR_PUBLIC_KEY', 'cosign verify reg/app:1'],
    ['SIGSTORE_CT_LOG_PUBLIC_KEY_FILE', 'cosign sign reg/app:1'],
    ['SIGSTORE_TSA_CERTIFICATE_FILE', 'cosign verify reg/app:1'],
    ['SIGSTORE_ID_TOKEN', 'cosign sign reg/app:1'],
    ['TUF_ROOT', 'cosign verify reg/app:1'],
    ['TUF_MIRROR', 'cosign initialize'],
    ['ACTIONS_ID_TOKEN_REQUEST_URL', 'cosign sign reg/app:1'],
    // crictl's endpoints and config, ctr's snapshotter, nerdctl's config, podman's key and storage options,
    // buildah's runtime, what docker trusts and the buildx builder.
    ['CONTAINER_RUNTIME_ENDPOINT', 'crictl pull reg/app:1'],
    ['IMAGE_SERVICE_ENDPOINT', 'crictl pull reg/app:1'],
    ['CRI_CONFIG_FILE', 'crictl ps'],
    ['CONTAINERD_SNAPSHOTTER', 'ctr images pull reg/app:1'],
    ['NERDCTL_TOML', 'nerdctl run reg/app:1'],
    ['CONTAINER_SSHKEY', 'podman --remote ps'],
    ['STORAGE_OPTS', 'podman run reg/app:1'],
    ['BUILDAH_RUNTIME', 'buildah run c ls'],
    ['DOCKER_CONTENT_TRUST_SERVER', 'docker pull reg/app:1'],
    ['DOCKER_TLS_VERIFY', 'docker ps'],
    ['BUILDX_BUILDER', 'docker buildx build .'],
  ]) {
    assertRefused(['env', `${variable}={{x}}`, ...program!.split(' ')], message(variable!));
    assertScriptRefused(`${variable}={{x}} ${program}`, message(variable!));
    assertScriptRefused(`export ${variable}="a{{x}}"; ${program}`, message(variable!));
  }
  // What shapes only trivy's output or how long it waits, and a variable the script alone reads.
  for (const script of [
    'TRIVY_FORMAT={{x}} trivy image app:1',
    'TRIVY_TIMEOUT={{x}}m trivy image app:1',
    'TRIVY_QUIET={{x}} TRIVY_NO_PROGRESS=true trivy image app:1',
    'TAG={{x}}; trivy image "reg/app:$TAG"',
  ])
    assertScriptAccepted(script);
  // The options stay as they were: trivy's severity checked once rendered.
  checkedOnceRendered(
    ['trivy', 'image', '--severity', 'HIGH', 'app:{{x}}'],
    BAD_TAGS,
    GOOD_TAGS,
    /is in the tag of the image trivy image scans/,
  );
});

test("an image tool's subcommand takes no template, nor a word of it after a group: the value would choose what it does", () => {
  for (const [spec, label] of [
    [['skopeo', '{{x}}', 'docker://a/b'], 'skopeo'],
    [['trivy', '{{x}}', 'fs', '.'], 'trivy'],
    [['trivy', 'image{{x}}', 'app:1'], 'trivy'],
    [['trivy', '--cache-dir', '.cache', '{{x}}', 'app:1'], 'trivy'],
    [['trivy', '-q', '{{x}}', 'app:1'], 'trivy'],
    [['cosign', '-d', '{{x}}', 'verify', 'reg/app:1'], 'cosign'],
    [['cosign', '--verbose', '{{x}}', 'reg/app:1'], 'cosign'],
    [['crane', '{{x}}', 'reg/app:1'], 'crane'],
    [['crane', '--insecure', '{{x}}', 'reg/app:1'], 'crane'],
    [['crictl', '{{x}}'], 'crictl'],
    [['crictl', '-r', 'unix:///run/c.sock', '{{x}}', 'reg/app:1'], 'crictl'],
    [['ctr', '-n', 'k8s.io', '{{x}}'], 'ctr'],
    [['kind', '{{x}}', 'cluster'], 'kind'],
    [['gcloud', '{{x}}', 'deploy', 'svc'], 'gcloud'],
    // A word after a group: ctr images rm as well as pull, cosign upload blob or wasm.
    [['ctr', 'images', '{{x}}', 'reg/app:1'], 'ctr images'],
    [['ctr', '--timeout', '5s', 'i', '{{x}}', 'reg/app:1'], 'ctr i'],
    [['cosign', 'upload', '{{x}}', '-f', 'a.tgz', 'reg/b:1'], 'cosign upload'],
    [['kind', 'load', '{{x}}', 'app:1'], 'kind load'],
    [['crane', 'index', '{{x}}', 'reg/app:1'], 'crane index'],
    [['gcloud', 'run', '{{x}}', 'svc'], 'gcloud run'],
  ] as Array<[string[], string]>)
    assertRefused(
      spec,
      new RegExp(
        `\\{\\{x\\}\\}( \\(character \\d+\\))? is in the subcommand ${label} runs \\([^)]*\\): its value would choose what ${label.split(' ')[0]} does`,
      ),
    );
  // The words after the subcommand keep their readings.
  for (const argv of [
    ['skopeo', 'copy', 'docker://a/b:{{x}}', 'docker://c/d:{{x}}'],
    ['trivy', 'image', '--severity', 'HIGH', 'app:{{x}}'],
    ['cosign', '-d', 'verify', '--key', 'cosign.pub', 'reg/app:{{x}}'],
    ['ctr', 'images', 'pull', 'reg/app:{{x}}'],
    ['gcloud', 'run', 'deploy', 'svc', '--image=gcr.io/p/app:{{x}}'],
  ])
    checkedOnceRendered(argv, BAD_TAGS, GOOD_TAGS, /is in the tag of the image/);
  for (const spec of [
    ['gcloud', 'run', 'deploy', 'svc-{{x}}', '--image=gcr.io/p/app:1'],
    ['gcloud', 'compute', 'instances', 'create', 'vm-{{x}}', '--image', 'debian-12'],
    ['crictl', 'exec', 'c', './run.sh', '{{x}}'],
    ['ctr', 'run', '--rm', 'reg/app:1', 'job-{{x}}'],
    ['kind', 'load', 'docker-image', '--name', 'ci-{{x}}', 'app:1'],
  ])
    assertAccepted(spec);
  // An option not known here before it keeps its own message.
  assertRefused(['cosign', '--frob', '{{x}}', 'sign', 'reg/app:1'], /comes after cosign's option --frob/);
});

test("what skopeo and podman push sign with, ctr content fetch's and images import's options, and the files commit and bake write", () => {
  for (const [spec, message] of [
    // The key or the signing parameters skopeo (podman and buildah push too) signs with, as its private key file.
    [
      ['skopeo', 'copy', '--sign-by-sigstore', '{{x}}', 'docker://a/b:1', 'docker://c/d:1'],
      /the sigstore signing parameters .*which skopeo --sign-by-sigstore chooses/,
    ],
    [
      ['skopeo', 'copy', '--sign-by-sigstore=params/{{x}}.yaml', 'docker://a/b:1', 'docker://c/d:1'],
      /which skopeo --sign-by-sigstore chooses/,
    ],
    [
      ['skopeo', 'copy', '--sign-by', '{{x}}', 'docker://a/b:1', 'docker://c/d:1'],
      /the GPG key the image is signed with .*which skopeo --sign-by chooses/,
    ],
    [['skopeo', 'copy', '--sign-by={{x}}', 'docker://a/b:1', 'docker://c/d:1'], /skopeo --sign-by chooses/],
    [
      [
        'skopeo',
        'sync',
        '--src',
        'docker',
        '--dest',
        'docker',
        '--sign-by-sq-fingerprint',
        '{{x}}',
        'a/b',
        'c/d',
      ],
      /the Sequoia key .*which skopeo --sign-by-sq-fingerprint chooses/,
    ],
    [
      ['skopeo', 'copy', '--sign-by-sigstore-private-key', '{{x}}', 'docker://a/b:1', 'docker://c/d:1'],
      /the key the image is signed with .*which skopeo --sign-by-sigstore-private-key chooses/,
    ],
    [
      ['skopeo', 'copy', '--sign-passphrase-file={{x}}', 'docker://a/b:1', 'docker://c/d:1'],
      /the passphrase of the signing key/,
    ],
    [['podman', 'push', '--sign-by', '{{x}}', 'reg/app:1'], /which podman push --sign-by chooses/],
    [
      ['buildah', 'push', '--sign-by-sigstore={{x}}', 'reg/app:1'],
      /which buildah push --sign-by-sigstore chooses/,
    ],
    // The identity the signature names: an image, whole or its registry refused.
    [
      ['skopeo', 'copy', '--sign-identity', '{{x}}', 'docker://a/b:1', 'docker://c/d:1'],
      /is in the image skopeo copy --sign-identity names, where the value would be the whole image/,
    ],
    [
      ['skopeo', 'copy', '--sign-identity=ghcr.io/{{x}}/app:1', 'docker://a/b:1', 'docker://c/d:1'],
      /where the value would be its registry host or the account of a public registry/,
    ],
    // ctr content fetch: what it trusts for the registry, as ctr images pull's.
    [
      ['ctr', 'content', 'fetch', '--tlscacert', '{{x}}', 'reg/app:1'],
      /the certificate authority trusted for the registry .*which ctr content fetch --tlscacert chooses/,
    ],
    [['ctr', 'content', 'fetch', '--tlscert={{x}}', 'reg/app:1'], /the client certificate presented/],
    [['ctr', 'content', 'fetch', '--tlskey', 'keys/{{x}}', 'reg/app:1'], /the client key presented/],
    [['ctr', 'content', 'fetch', '--hosts-dir', '{{x}}', 'reg/app:1'], /the registry configuration/],
    [['ctr', 'content', 'fetch', '-k={{x}}', 'reg/app:1'], /ctr content fetch -k=/],
    [
      ['ctr', 'content', 'fetch', '{{x}}'],
      /the image ctr content fetch fetches, where the value would be the whole/,
    ],
    // ctr images import: the archive read, and the names its images take.
    [
      ['ctr', 'images', 'import', '{{x}}'],
      /the file or directory of this machine ctr images import names, read as an image/,
    ],
    [['ctr', 'i', 'import', '--base-name', '{{x}}', 'app.tar'], /the image ctr i import --base-name names/],
    [
      ['ctr', 'image', 'import', '--index-name={{x}}', 'app.tar'],
      /the image ctr image import --index-name names/,
    ],
    // The files of this machine written, as docker build's --iidfile and --metadata-file.
    [
      ['buildah', 'commit', '--iidfile', '{{x}}', 'c', 'reg/app:1'],
      /the file of this machine the image id is written to, which buildah commit --iidfile names/,
    ],
    [['podman', 'commit', '--iidfile={{x}}', 'c', 'reg/app:1'], /which podman commit --iidfile names/],
    [
      ['podman', 'container', 'commit', '--iidfile', 'ids/{{x}}', 'c'],
      /which podman container commit --iidfile names/,
    ],
    [
      ['docker', 'buildx', 'bake', '--metadata-file', '{{x}}'],
      /the file of this machine the build metadata is written to, which docker buildx bake --metadata-file names/,
    ],
    [
      ['docker', 'buildx', 'bake', 'app', '--metadata-file=out/{{x}}.json'],
      /docker buildx bake --metadata-file names/,
    ],
    [['buildx', 'bake', '--metadata-file', '{{x}}'], /buildx bake --metadata-file names/],
    [
      [
        'docker',
        'buildx',
        'imagetools',
        'create',
        '--metadata-file',
        '{{x}}',
        '-t',
        'reg/app:1',
        'reg/app:2',
      ],
      /the file or directory of this machine docker buildx imagetools create --metadata-file names, written to/,
    ],
  ] as Array<[string[], RegExp]>)
    assertRefused(spec, message);
  // Checked once rendered: the identity's tag, the image fetched, the snapshotter, a name after a fixed base.
  checkedOnceRendered(
    ['skopeo', 'copy', '--sign-identity', 'reg/app:{{x}}', 'docker://a/b:1', 'docker://c/d:1'],
    BAD_TAGS,
    GOOD_TAGS,
    /is in the tag of the image skopeo copy --sign-identity names/,
  );
  checkedOnceRendered(
    ['ctr', 'content', 'fetch', '--tlscacert', 'ca.pem', 'reg/app:{{x}}'],
    BAD_TAGS,
    GOOD_TAGS,
    /is in the tag of the image ctr content fetch fetches/,
  );
  checkedOnceRendered(
    ['ctr', 'images', 'import', '--snapshotter', '{{x}}', 'app.tar'],
    ['', '/x', '-x', 'a b', 'a/b'],
    ['overlayfs', 'stargz'],
    /the snapshotter ctr --snapshotter chooses/,
  );
  checkedOnceRendered(
    ['ctr', 'images', 'import', '--base-name', 'reg/app-{{x}}', 'app.tar'],
    ['a/b', 'Prod'],
    ['prod'],
    /is in a component of the name of the image ctr images import --base-name names/,
  );
  // Fixed keys, files and identities stay accepted.
  for (const spec of [
    ['skopeo', 'copy', '--sign-by', 'ABCD1234', 'docker://a/b:{{x}}', 'docker://c/d:{{x}}'],
    ['skopeo', 'copy', '--sign-by-sigstore', 'sigstore.yaml', 'docker://a/b:1', 'docker://c/d:{{x}}'],
    ['podman', 'push', '--sign-by', 'ABCD1234', 'reg/app:{{x}}'],
    ['buildah', 'commit', '--iidfile', 'iid.txt', 'c', 'reg/app:{{x}}'],
    ['podman', 'commit', '-m', 'release {{x}}', 'c', 'reg/app:1'],
    ['docker', 'buildx', 'bake', '--metadata-file', 'meta.json', '--set', 'app.args.V={{x}}', 'app'],
    ['ctr', 'images', 'import', '--all-platforms', 'dist/app.tar'],
  ])
    assertAccepted(spec);
});

test('nerdctl run and pull --ipfs-address and --soci-index-digest are refused for what they choose, not as the image', () => {
  for (const [spec, message] of [
    [
      ['nerdctl', 'run', '--ipfs-address', '{{x}}', 'reg/app:1'],
      /the IPFS API the image is fetched from \(a server elsewhere, which gives the image\), which nerdctl run --ipfs-address chooses/,
    ],
    [
      ['nerdctl', 'run', '--ipfs-address=/ip4/{{x}}/tcp/5001', 'reg/app:1'],
      /which nerdctl run --ipfs-address chooses/,
    ],
    [
      ['nerdctl', 'pull', '--ipfs-address', '{{x}}', 'ipfs://bafy1'],
      /which nerdctl pull --ipfs-address chooses/,
    ],
    [
      ['nerdctl', 'run', '--soci-index-digest', '{{x}}', 'reg/app:1'],
      /the SOCI index the image is lazily pulled by .*which nerdctl run --soci-index-digest chooses/,
    ],
    [
      ['nerdctl', 'run', '--soci-index-digest', 'sha256:{{x}}', 'reg/app:1'],
      /which nerdctl run --soci-index-digest chooses/,
    ],
    [
      ['nerdctl', 'pull', '--soci-index-digest={{x}}', 'reg/app:1'],
      /which nerdctl pull --soci-index-digest chooses/,
    ],
  ] as Array<[string[], RegExp]>) {
    assertRefused(spec, message);
    assert.doesNotMatch(
      argvShellProblems(spec).join('\n'),
      /is in the image nerdctl (run|pull) (runs|pulls)/,
    );
  }
  // Their value fixed, the image after them is read as the image.
  for (const argv of [
    ['nerdctl', 'run', '--soci-index-digest', 'sha256:' + 'a'.repeat(64), 'reg/app:{{x}}'],
    ['nerdctl', 'run', '--ipfs-address', '/ip4/127.0.0.1/tcp/5001', 'reg/app:{{x}}'],
  ])
    checkedOnceRendered(argv, BAD_TAGS, GOOD_TAGS, /is in the tag of the image nerdctl run runs/);
});

test("crictl's global options are read as crictl documents them: --profile-cpu/--profile-mem write a file, --tracing-endpoint is a server", () => {
  // Its profile files take the file rule (written), before the subcommand.
  for (const spec of [
    ['crictl', '--profile-cpu', '{{x}}', 'pull', 'reg/app:1'],
    ['crictl', '--profile-mem={{x}}', 'ps'],
    ['crictl', '-D', '--profile-cpu', '/{{x}}', 'exec', 'c', 'ls'],
  ])
    assertRefused(spec, /is in the name of the local file crictl --profile-(cpu|mem) writes/);
  checkedOnceRendered(
    ['crictl', '--profile-mem', 'prof/{{x}}.mem', 'ps'],
    ['../../x', 'a/b'],
    ['prod', 'v1.2.3'],
    /is part of the name of the local file/,
  );
  // The collector its spans are sent to takes no template, as its endpoints.
  for (const spec of [
    ['crictl', '--tracing-endpoint', '{{x}}', 'ps'],
    ['crictl', '--enable-tracing', '--tracing-endpoint=collector:{{x}}', 'pull', 'reg/app:1'],
  ])
    assertRefused(
      spec,
      /the tracing collector its spans are sent to .*which crictl --tracing-endpoint chooses/,
    );
  // A fixed profile file is a value, not the subcommand: what follows keeps its reading.
  checkedOnceRendered(
    ['crictl', '--profile-cpu', 'cpu.prof', 'pull', 'reg/app:{{x}}'],
    BAD_TAGS,
    GOOD_TAGS,
    /is in the tag of the image crictl pull pulls/,
  );
  for (const spec of [
    ['crictl', '--profile-mem', 'mem.prof', '--tracing-sampling-rate-per-million', '10', 'ps'],
    ['crictl', '--profile-cpu', 'cpu.prof', 'exec', 'c', './run.sh', '-c', '{{x}}'],
    ['crictl', 'exec', 'c', './run.sh', '--profile-cpu', '{{x}}'],
  ])
    assertAccepted(spec);
  assertRefused(
    ['crictl', '--profile-cpu', 'cpu.prof', 'exec', 'c', '{{x}}'],
    /the program crictl exec runs/,
  );
});

test("what an image tool trusts, signs with or keeps of its own is refused in the tool's words, not the container engine's", () => {
  for (const spec of [
    ['cosign', 'verify', '--certificate-github-workflow-name', '{{x}}', 'reg/app:1'],
    ['cosign', 'verify', '--certificate-github-workflow-trigger', '{{x}}', 'reg/app:1'],
    ['cosign', 'verify', '--certificate-github-workflow-ref', '{{x}}', 'reg/app:1'],
    ['cosign', 'verify', '--certificate-github-workflow-sha', 'a{{x}}', 'reg/app:1'],
    ['cosign', 'verify', '--insecure-ignore-tlog={{x}}', 'reg/app:1'],
    ['skopeo', 'copy', '--src-shared-blob-dir', '{{x}}', 'docker://a/b:1', 'oci:out'],
    ['skopeo', 'copy', '--dest-shared-blob-dir', 'blobs/{{x}}', 'docker://a/b:1', 'oci:out'],
    ['skopeo', 'inspect', '--shared-blob-dir={{x}}', 'docker://a/b:1'],
    ['skopeo', '--tmpdir', '{{x}}', 'copy', 'docker://a/b:1', 'docker://c/d:1'],
    ['crane', 'pull', '-c', '{{x}}', 'reg/app:1', 'app.tar'],
    ['crane', 'pull', '--cache_path={{x}}', 'reg/app:1', 'app.tar'],
    ['crane', '--mtls-key', '{{x}}', 'copy', 'reg/app:1', 'reg2/app:1'],
    ['ctr', 'images', 'pull', '--tlscacert', '{{x}}', 'reg/app:1'],
    ['ctr', 'i', 'push', '--tlscert={{x}}', 'reg/app:1'],
    ['ctr', 'images', 'pull', '--tlskey', '{{x}}', 'reg/app:1'],
    ['ctr', 'images', 'pull', '--hosts-dir', '{{x}}', 'reg/app:1'],
    ['nerdctl', 'run', '--verify', '{{x}}', 'reg/app:1'],
    ['nerdctl', 'run', '--cosign-key', '{{x}}', 'reg/app:1'],
    ['nerdctl', 'pull', '--ipfs-address', '{{x}}', 'reg/app:1'],
    ['crictl', 'exec', '--tls-ca', '{{x}}', 'c', 'ls'],
    ['crictl', '--tracing-endpoint', '{{x}}', 'ps'],
  ]) {
    const tool = spec[0]!;
    const option = spec.find((w) => w.includes('{{x}}'))!.replace(/=.*/, '');
    const previous = spec[spec.indexOf(option) - 1] ?? '';
    const named = previous.startsWith('-') && !previous.includes('=') ? previous : option;
    assertRefused(
      spec,
      new RegExp(
        `which ${tool} [a-z ]*${named.replace(/[-]/g, '\\-')}=? chooses .*its value would choose what ${tool} trusts or signs with, or a file, directory or server of its own`,
      ),
    );
    assert.doesNotMatch(argvShellProblems(spec).join('\n'), /the engine that runs the containers/);
  }
  // The engines themselves keep the engine's words.
  for (const spec of [
    ['ctr', '-a', '{{x}}', 'images', 'pull', 'reg/app:1'],
    ['crictl', '-r', '{{x}}', 'ps'],
    ['skopeo', 'copy', '--src-daemon-host', '{{x}}', 'docker-daemon:app:1', 'docker://reg/app:1'],
    ['trivy', 'image', '--docker-host', '{{x}}', 'reg/app:1'],
  ])
    assertRefused(spec, /its value would choose the engine that runs the containers/);
  // A file it sends: the safe form says once to name the file in the config.
  for (const spec of [
    ['cosign', 'upload', 'blob', '-f', '{{x}}', 'reg/b:1'],
    ['cosign', 'attest', '--predicate', '{{x}}', '--key', 'k', 'reg/app:1'],
    ['podman', 'pull', '--authfile', '{{x}}', 'reg/app:1'],
    ['rsync', '--files-from={{x}}', '.', 'host:/srv/'],
  ]) {
    const problems = argvShellProblems(spec).join('\n');
    assert.match(problems, /name the (file|credentials file|list) in the config/, problems);
    assert.doesNotMatch(problems, /in the config.*name the [a-z ]+ in the config/, problems);
  }
});

test('commit: the image it names takes the image rule, and the instructions it applies take no template', () => {
  for (const [spec, message] of [
    [
      ['docker', 'commit', 'c', '{{x}}'],
      /is in the image docker commit names, where the value would be the whole image/,
    ],
    [
      ['podman', 'commit', 'c', 'docker.io/{{x}}/app:1'],
      /is in the image podman commit names, where the value would be its registry/,
    ],
    [['buildah', 'commit', '--rm', 'c', '{{x}}:1'], /is in the image buildah commit names/],
    [['docker', 'container', 'commit', 'c', '{{x}}'], /is in the image docker container commit names/],
    [['nerdctl', 'commit', 'c', '{{x}}'], /is in the image nerdctl commit names/],
    // What the image runs from then on: CMD, ENTRYPOINT, ONBUILD (USER, WORKDIR, ENV too).
    [
      ['docker', 'commit', '-c', 'CMD {{x}}', 'c', 'app:1'],
      /the instruction applied to the image .*which docker commit -c sets/,
    ],
    [
      ['docker', 'commit', '--change', 'ENTRYPOINT ["/{{x}}"]', 'c', 'app:1'],
      /which docker commit --change sets/,
    ],
    [['podman', 'commit', '--change=CMD={{x}}', 'c', 'app:1'], /which podman commit --change sets/],
    [
      ['buildah', 'commit', '--config', '{{x}}.json', 'c', 'app:1'],
      /the image config read from a file .*which buildah commit --config sets/,
    ],
    [['podman', 'commit', '--tls-verify={{x}}', 'c', 'app:1'], /which podman commit --tls-verify= chooses/],
  ] as Array<[string[], RegExp]>)
    assertRefused(spec, message);
  for (const argv of [
    ['docker', 'commit', 'c', 'reg/app:{{x}}'],
    ['podman', 'commit', '-m', 'release {{x}}', '--author', 'ci', 'c', 'reg/app:{{x}}'],
    ['buildah', 'commit', '--iidfile', 'iid.txt', 'c', 'reg/app:{{x}}'],
  ])
    checkedOnceRendered(argv, BAD_TAGS, GOOD_TAGS, /is in the tag of the image [a-z]+ commit names/);
  for (const spec of [
    ['docker', 'commit', '-m', 'release {{x}}', 'app-{{x}}', 'reg/app:1'],
    ['podman', 'commit', '-c', 'CMD ["./run.sh"]', 'c', 'reg/app:1'],
    // Compression and retry options of nerdctl and buildah commit (refused as unknown options before).
    ['nerdctl', 'commit', '--compression', 'zstd', 'ctr', 'reg/app:{{x}}'],
    ['nerdctl', 'commit', '--estargz', '--estargz-compression-level', '9', 'ctr', 'reg/app:{{x}}'],
    ['nerdctl', 'commit', '--zstdchunked', '--zstdchunked-chunk-size', '4', 'ctr', 'reg/app:{{x}}'],
    ['buildah', 'commit', '--compression-format', 'zstd', '--retry', '3', 'ctr', 'reg/app:{{x}}'],
  ])
    assertAccepted(spec);
});

test('trivy plugin install/run and module install: the plugin fetched, whose code runs, takes no template', () => {
  for (const [spec, message] of [
    [
      ['trivy', 'plugin', 'install', '{{x}}'],
      /the plugin trivy plugin install fetches, whose code then runs/,
    ],
    [['trivy', 'plugin', 'run', '{{x}}', 'image', 'app:1'], /the plugin trivy plugin run fetches/],
    [['trivy', 'plugin', 'upgrade', '{{x}}'], /the plugin trivy plugin upgrade fetches/],
    [['trivy', 'module', 'install', 'ghcr.io/{{x}}/module'], /the plugin trivy module install fetches/],
    [['trivy', '-q', 'plugin', '{{x}}', 'referrer'], /the subcommand trivy plugin runs/],
    // trivy's own aliases: plugin p, module m, install i, run r.
    [['trivy', 'plugin', 'i', '{{x}}'], /the plugin trivy plugin i fetches/],
    [['trivy', 'plugin', 'r', '{{x}}', 'image', 'app:1'], /the plugin trivy plugin r fetches/],
    [['trivy', 'p', 'install', '{{x}}'], /the plugin trivy p install fetches/],
    [['trivy', 'p', 'run', '{{x}}'], /the plugin trivy p run fetches/],
    [['trivy', 'm', 'install', '{{x}}'], /the plugin trivy m install fetches/],
    [['trivy', 'm', 'i', '{{x}}'], /the plugin trivy m i fetches/],
  ] as Array<[string[], RegExp]>)
    assertRefused(spec, message);
  for (const spec of [
    ['trivy', 'plugin', 'list'],
    ['trivy', 'plugin', 'run', 'kubectl', 'deploy/app-{{x}}'],
    ['trivy', '--cache-dir', '.cache/trivy', 'image', 'reg/app:{{x}}'],
  ])
    assertAccepted(spec);
});

test("cosign's TUF root and mirror, policies, predicate type, signing issuer and timestamp authority take no template", () => {
  for (const [argv, what, option] of [
    // cosign initialize: the TUF repository and root it trusts from then on (doc/cosign_initialize.md).
    [
      ['cosign', 'initialize', '--mirror', '{{x}}'],
      'the TUF repository its trusted roots are updated from',
      '--mirror',
    ],
    [
      ['cosign', 'initialize', '--mirror=https://{{x}}', '--root', 'root.json'],
      'the TUF repository',
      '--mirror',
    ],
    [['cosign', 'initialize', '--root', '{{x}}'], 'the TUF root it trusts from then on', '--root'],
    [['cosign', 'initialize', '--root=https://tuf.example.com/{{x}}.json'], 'the TUF root', '--root'],
    [
      ['cosign', 'initialize', '--root', 'https://tuf.example.com/root.json', '--root-checksum', '{{x}}'],
      'the checksum the TUF root',
      '--root-checksum',
    ],
    [
      ['cosign', 'initialize', '--staging={{x}}'],
      'whether the staging TUF repository is trusted',
      '--staging=',
    ],
    // verify-attestation --policy (CUE or Rego files) and --type (the predicate type checked).
    [
      ['cosign', 'verify-attestation', '--key', 'k.pub', '--policy', '{{x}}', 'reg/app:1'],
      'the CUE or Rego policies the attestations must pass',
      '--policy',
    ],
    [
      ['cosign', 'verify', '--policy=policies/{{x}}.rego', 'reg/app:1'],
      'the CUE or Rego policies',
      '--policy',
    ],
    [
      ['cosign', 'verify-attestation', '--key', 'k.pub', '--type', '{{x}}', 'reg/app:1'],
      'the predicate type it verifies or attests',
      '--type',
    ],
    [
      ['cosign', 'attest', '--predicate', 'p.json', '--type={{x}}', 'reg/app:1'],
      'the predicate type',
      '--type',
    ],
    // Who vouches for the signer (sign's OIDC issuer and provider), the timestamp authority.
    [
      ['cosign', 'sign', '--oidc-issuer', '{{x}}', 'reg/app:1'],
      'the OIDC issuer of the identity token it signs with',
      '--oidc-issuer',
    ],
    [
      ['cosign', 'sign', '--oidc-provider={{x}}', 'reg/app:1'],
      'the provider its identity token comes from',
      '--oidc-provider',
    ],
    [
      ['cosign', 'sign', '--timestamp-server-url', '{{x}}', 'reg/app:1'],
      'the timestamp authority it asks',
      '--timestamp-server-url',
    ],
    [
      ['cosign', 'sign', '--tsa-server-url', 'https://{{x}}/api', 'reg/app:1'],
      'the timestamp authority it asks',
      '--tsa-server-url',
    ],
    [
      ['cosign', 'verify', '--timestamp-certificate-chain', '{{x}}', 'reg/app:1'],
      'the timestamp authority it trusts',
      '--timestamp-certificate-chain',
    ],
    [
      ['cosign', 'verify-attestation', '--timestamp-cert-chain', '{{x}}', 'reg/app:1'],
      'the timestamp authority it trusts',
      '--timestamp-cert-chain',
    ],
    [
      ['cosign', 'verify', '--insecure-skip-tlog-verify={{x}}', 'reg/app:1'],
      'whether the transparency log entry',
      '--insecure-skip-tlog-verify=',
    ],
    // Already refused: the identity and issuer trusted, the log, the certificate authority, the roots.
    [
      ['cosign', 'verify', '--certificate-identity', '{{x}}', 'reg/app:1'],
      'the signer identity it trusts',
      '--certificate-identity',
    ],
    [
      ['cosign', 'verify', '--certificate-oidc-issuer', 'https://{{x}}', 'reg/app:1'],
      'the issuer it trusts',
      '--certificate-oidc-issuer',
    ],
    [
      ['cosign', 'sign', '--rekor-url', '{{x}}', 'reg/app:1'],
      'the transparency log it trusts',
      '--rekor-url',
    ],
    [
      ['cosign', 'sign', '--fulcio-url', '{{x}}', 'reg/app:1'],
      'the certificate authority it trusts',
      '--fulcio-url',
    ],
    [['cosign', 'verify', '--trusted-root', '{{x}}', 'reg/app:1'], 'the roots it trusts', '--trusted-root'],
    [
      ['cosign', 'verify', '--ca-roots', '{{x}}', 'reg/app:1'],
      'the certificate authorities it trusts',
      '--ca-roots',
    ],
    [
      ['cosign', 'verify', '--ca-intermediates', '{{x}}', 'reg/app:1'],
      'the certificate authorities it trusts',
      '--ca-intermediates',
    ],
  ] as Array<[string[], string, string]>)
    assertRefused(
      argv,
      new RegExp(
        `${what}.*, which cosign ${option} chooses .*its value would choose what cosign trusts or signs with`,
      ),
    );
  // Fixed values are accepted, and the image beside them is read as before.
  for (const argv of [
    [
      'cosign',
      'verify-attestation',
      '--key',
      'k.pub',
      '--type',
      'slsaprovenance',
      '--policy',
      'policy.rego',
      'reg/app:{{x}}',
    ],
    [
      'cosign',
      'sign',
      '--oidc-issuer',
      'https://token.actions.githubusercontent.com',
      '--oidc-provider',
      'github',
      'reg/app:{{x}}',
    ],
    ['cosign', 'sign', '--timestamp-server-url', 'https://tsa.example.com', '--yes', 'reg/app:{{x}}'],
    [
      'cosign',
      'attest',
      '--predicate',
      'p.json',
      '--type',
      'https://slsa.dev/provenance/v1',
      'reg/app:{{x}}',
    ],
    ['cosign', 'verify', '--insecure-skip-tlog-verify', '--key', 'k.pub', 'reg/app:{{x}}'],
  ])
    checkedOnceRendered(
      argv,
      BAD_TAGS,
      GOOD_TAGS,
      /the image cosign (verify-attestation|sign|attest|verify) (verifies|signs|attests)/,
    );
  for (const argv of [
    [
      'cosign',
      'initialize',
      '--mirror',
      'https://tuf.example.com',
      '--root',
      'root.json',
      '--timeout',
      '{{x}}s',
    ],
    ['cosign', 'initialize', '--staging', '-d', '--timeout={{x}}s'],
  ])
    assertAccepted(argv);
});

test("trivy's options choosing the code it runs, its cache, the SBOM it scans or what it looks at take no template", () => {
  const scanner = (what: string, option: string) =>
    new RegExp(
      `${what}.*, which trivy ${option} chooses \\(.*\\): its value would choose what the scan finds or trusts`,
    );
  for (const [argv, what, option] of [
    // WASM modules it loads and runs (docs/…/cli/trivy_image.md: --module-dir, --enable-modules).
    [
      ['trivy', 'image', '--module-dir', '{{x}}', 'reg/app:1'],
      'the directory of the WASM modules it loads and runs',
      '--module-dir',
    ],
    [
      ['trivy', 'image', '--enable-modules={{x}}', 'reg/app:1'],
      'the WASM modules it runs',
      '--enable-modules',
    ],
    [['trivy', '--module-dir', '/opt/{{x}}', 'image', 'reg/app:1'], 'the WASM modules', '--module-dir'],
    // Its cache of analysed layers: redis:// a server elsewhere, or any backend a value picks.
    [
      ['trivy', 'image', '--cache-backend', 'redis://{{x}}', 'reg/app:1'],
      'the cache its analysis of the image is read back from',
      '--cache-backend',
    ],
    [['trivy', 'image', '--cache-backend={{x}}', 'reg/app:1'], 'the cache its analysis', '--cache-backend'],
    [
      ['trivy', 'k8s', '--cache-backend', 'redis://cache:6379/{{x}}'],
      'the cache its analysis',
      '--cache-backend',
    ],
    // The SBOM it scans instead of the image: from rekor, where anyone may log one.
    [
      ['trivy', 'image', '--sbom-sources', '{{x}}', 'reg/app:1'],
      'where the SBOM it scans instead of the image comes from',
      '--sbom-sources',
    ],
    [
      ['trivy', 'image', '--sbom-sources', 'rekor', '--rekor-url', 'https://{{x}}', 'reg/app:1'],
      'the transparency log the SBOM',
      '--rekor-url',
    ],
    // What it looks at and reports.
    [
      ['trivy', 'image', '--scanners', '{{x}}', 'reg/app:1'],
      'the scanners it runs \\(secret alone',
      '--scanners',
    ],
    [['trivy', 'image', '--scanners=vuln,{{x}}', 'reg/app:1'], 'the scanners it runs', '--scanners'],
    [['trivy', 'fs', '--pkg-types', '{{x}}', '.'], 'the package types it scans', '--pkg-types'],
    [['trivy', 'image', '--vuln-type', '{{x}}', 'reg/app:1'], 'the package types it scans', '--vuln-type'],
    [
      ['trivy', 'image', '--skip-dirs', '{{x}}', 'reg/app:1'],
      'the directories it does not scan',
      '--skip-dirs',
    ],
    [
      ['trivy', 'fs', '--skip-dirs', 'services/{{x}}', '.'],
      'the directories it does not scan',
      '--skip-dirs',
    ],
    [['trivy', 'image', '--skip-files={{x}}', 'reg/app:1'], 'the files it does not scan', '--skip-files'],
    [
      ['trivy', 'image', '--ignore-status', '{{x}}', 'reg/app:1'],
      'the vulnerability statuses it ignores',
      '--ignore-status',
    ],
    // A compliance spec: a built-in name, or @FILE.
    [
      ['trivy', 'image', '--compliance', '{{x}}', 'reg/app:1'],
      'the compliance spec its report checks',
      '--compliance',
    ],
    [
      ['trivy', 'image', '--compliance', '@{{x}}', 'reg/app:1'],
      'the compliance spec its report checks',
      '--compliance',
    ],
    [['trivy', 'k8s', '--compliance=k8s-cis-{{x}}'], 'the compliance spec', '--compliance'],
    [
      ['trivy', 'config', '--policy-namespaces', '{{x}}', 'k8s/'],
      'the Rego namespaces whose checks it runs',
      '--policy-namespaces',
    ],
    [['trivy', 'config', '--check-namespaces', '{{x}}', 'k8s/'], 'the Rego namespaces', '--check-namespaces'],
    [
      ['trivy', 'image', '--policy-bundle-repository', '{{x}}', 'reg/app:1'],
      'the registry its checks are downloaded from',
      '--policy-bundle-repository',
    ],
  ] as Array<[string[], string, string]>)
    assertRefused(argv, scanner(what, option));
  // What it trusts or sends: its redis cache's TLS, the headers sent to its server.
  for (const [argv, message] of [
    [
      ['trivy', 'image', '--redis-ca', '{{x}}', 'reg/app:1'],
      /the certificate authority trusted for its redis cache, which trivy --redis-ca chooses/,
    ],
    [
      ['trivy', 'image', '--redis-cert', 'certs/{{x}}.pem', 'reg/app:1'],
      /the certificate presented to its redis cache, which trivy --redis-cert/,
    ],
    [
      ['trivy', 'image', '--redis-key={{x}}', 'reg/app:1'],
      /the key presented to its redis cache, which trivy --redis-key/,
    ],
    [
      ['trivy', 'image', '--redis-tls={{x}}', 'reg/app:1'],
      /whether its redis cache is reached over TLS, which trivy --redis-tls= chooses/,
    ],
    [
      ['trivy', 'image', '--server', 'https://trivy.example.com', '--custom-headers', '{{x}}', 'reg/app:1'],
      /the headers sent to the trivy server .*which trivy --custom-headers chooses/,
    ],
  ] as Array<[string[], RegExp]>)
    assertRefused(
      argv,
      new RegExp(`${message.source}.*its value would choose what trivy trusts or signs with`),
    );
  // Fixed values are accepted, and a value elsewhere (the image's tag) is read as before: an option's value is
  // not taken for the image.
  for (const argv of [
    ['trivy', 'image', '--module-dir', '/opt/m', 'reg/app:{{x}}'],
    ['trivy', 'image', '--enable-modules', 'spring4shell', 'reg/app:{{x}}'],
    ['trivy', 'image', '--cache-backend', 'redis://cache:6379', '--redis-tls', 'reg/app:{{x}}'],
    [
      'trivy',
      'image',
      '--cache-backend',
      'redis://cache:6379',
      '--redis-ca',
      'ca.pem',
      '--redis-cert',
      'c.pem',
      '--redis-key',
      'k.pem',
      'reg/app:{{x}}',
    ],
    ['trivy', 'image', '--cache-backend=memory', 'reg/app:{{x}}'],
    ['trivy', 'image', '--sbom-sources', 'oci', '--rekor-url', 'https://rekor.example.com', 'reg/app:{{x}}'],
    ['trivy', 'image', '--scanners', 'vuln,secret', '--pkg-types', 'os,library', 'reg/app:{{x}}'],
    ['trivy', 'image', '--skip-dirs', 'docs', '--skip-files', 'README.md', 'reg/app:{{x}}'],
    ['trivy', 'image', '--ignore-status', 'will_not_fix', 'reg/app:{{x}}'],
    ['trivy', 'image', '--compliance', 'docker-cis-1.6.0', 'reg/app:{{x}}'],
    ['trivy', 'image', '--compliance', '@specs/custom.yaml', 'reg/app:{{x}}'],
    [
      'trivy',
      'image',
      '--custom-headers',
      'X-Team:web',
      '--server',
      'https://trivy.example.com',
      'reg/app:{{x}}',
    ],
  ])
    checkedOnceRendered(argv, BAD_TAGS, GOOD_TAGS, /the image trivy image scans/);
  assertAccepted(['trivy', 'config', '--policy-namespaces', 'user', 'k8s/', '--timeout', '{{x}}m']);
});

test('trivy k8s: its context, its kubeconfig, what it scans and its node-collector job take no template', () => {
  // trivy k8s [CONTEXT] (kubernetes too), and an older trivy's --context: an entry of the kubeconfig, whose
  // credentials it acts with, refused as kubectl --context's.
  for (const argv of [
    ['trivy', 'k8s', '{{x}}'],
    ['trivy', 'kubernetes', '--report', 'summary', '{{x}}'],
    ['trivy', 'k8s', '--context', '{{x}}', 'cluster'],
    ['trivy', 'k8s', '--context={{x}}', '--report=summary', 'all'],
  ])
    assertRefused(
      argv,
      /the context trivy (k8s|kubernetes)( --context names| scans) \(an entry of the kubeconfig\): which of this machine's credentials it acts with/,
    );
  // The kubeconfig: the cluster, the credentials sent and the exec plugins that run (as kubectl's).
  for (const argv of [
    ['trivy', 'k8s', '--kubeconfig', '{{x}}', 'kind-kind'],
    ['trivy', 'k8s', '--kubeconfig=kube/{{x}}.yaml', '--report', 'summary'],
  ])
    assertRefused(
      argv,
      /\{\{x\}\}( \(character \d+\))? is in the value of trivy --kubeconfig, which chooses the directory, root or config what runs is read from/,
    );
  // What of the cluster it scans.
  for (const [argv, what] of [
    [['trivy', 'k8s', '--include-namespaces', '{{x}}'], 'the namespaces it scans'],
    [['trivy', 'k8s', '--exclude-namespaces=kube-system,{{x}}'], 'the namespaces it does not scan'],
    [['trivy', 'kubernetes', '-n', '{{x}}', 'all'], 'the namespace it scans'],
    [['trivy', 'k8s', '--namespace={{x}}', 'all'], 'the namespace it scans'],
    [['trivy', 'k8s', '--include-kinds', '{{x}}'], 'the kinds of resource it scans'],
    [['trivy', 'k8s', '--exclude-kinds', '{{x}}'], 'the kinds of resource it does not scan'],
    [['trivy', 'k8s', '--exclude-nodes', 'team:{{x}}'], 'the nodes it does not scan'],
    [['trivy', 'k8s', '--components', '{{x}}', 'cluster'], 'the components it scans'],
    [
      ['trivy', 'k8s', '--k8s-version', '{{x}}'],
      'the Kubernetes version its outdated APIs are checked against',
    ],
    [['trivy', 'k8s', '--skip-dirs', '{{x}}'], 'the directories it does not scan'],
    [['trivy', 'k8s', '--scanners', '{{x}}'], 'the scanners it runs'],
  ] as Array<[string[], string]>)
    assertRefused(
      argv,
      new RegExp(
        `${what}.*, which trivy( k8s| kubernetes)? -.*chooses .*its value would choose what the scan finds or trusts`,
      ),
    );
  // The node-collector job, which reads each node's files as root: its namespace and tolerations.
  for (const [argv, what] of [
    [['trivy', 'k8s', '--node-collector-namespace', '{{x}}'], 'the namespace its node-collector job'],
    [
      ['trivy', 'k8s', '--tolerations', 'key1={{x}}:NoExecute'],
      'the taints its node-collector job tolerates',
    ],
  ] as Array<[string[], string]>)
    assertRefused(
      argv,
      new RegExp(`${what}.*, which trivy k8s --.* chooses .*its value would choose what trivy trusts`),
    );
  // Its image takes the image rule: a value in its registry is refused, one in its tag checked.
  assertRefused(
    ['trivy', 'k8s', '--node-collector-imageref', '{{x}}'],
    /the image trivy k8s --node-collector-imageref names, where the value would be the whole image/,
  );
  checkedOnceRendered(
    ['trivy', 'k8s', '--node-collector-imageref', 'ghcr.io/aquasecurity/node-collector:{{x}}', 'kind-kind'],
    BAD_TAGS,
    GOOD_TAGS,
    /is in the tag of the image trivy k8s --node-collector-imageref names/,
  );
  // An option's value is not taken for the context: the operand still is.
  for (const argv of [
    [
      'trivy',
      'k8s',
      '--kubeconfig',
      'kube/ci.yaml',
      '--include-namespaces',
      'web',
      '--report',
      'summary',
      '{{x}}',
    ],
    ['trivy', 'k8s', '--node-collector-namespace', 'trivy-temp', '--tolerations', 'k=v:NoSchedule', '{{x}}'],
    ['trivy', 'k8s', '--k8s-version', '1.30.0', '--exclude-kinds', 'node', '--burst', '20', '{{x}}'],
    ['trivy', 'k8s', '--disable-node-collector', '--skip-images', '-A', '{{x}}'],
  ])
    assertRefused(argv, /the context trivy k8s scans/);
  assertAccepted(['trivy', 'k8s', '--report', 'summary', '--timeout', '{{x}}m', 'kind-kind']);
});
