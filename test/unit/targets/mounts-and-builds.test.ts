// A templated value never chooses what a container mounts, what a build builds, or what reaches a manifest
// unescaped: the host side of a bind mount (docker/podman run and create -v, --mount, compose run -v), the path in
// the container a mount lands at, --volumes-from, --device and --tmpfs; docker buildx bake's targets and the
// target or field of its --set, and its --set TARGET.target (the stage); mock's source package, spec and config;
// envsubst writing the script's DEPLOY_* variables into a manifest; and a cd in inline code that may not run (or
// whose || branch runs in the directory the value chose).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderArgvCommand, renderShellScript } from '../../../src/targets/shell-script.ts';
import {
  assertAccepted,
  assertRefused,
  assertScriptAccepted,
  assertScriptRefused,
  checkedOnceRendered,
  scriptCheckedOnceRendered,
} from '../../helpers/command-checks.ts';

const renderArgv = (argv: string[], v: string) =>
  renderArgvCommand(argv, { x: v }, (word) => word.replaceAll('{{x}}', v));

test('a template in the host side of a bind mount is refused, in every spelling of the mount', () => {
  const host =
    /is in the host path (docker|docker-compose|podman|nerdctl)[a-z ]* (-v|--volume|--mount) mounts into the container/;
  for (const spec of [
    ['docker', 'run', '-v', '/srv/{{x}}:/app', 'img'],
    ['docker', 'run', '-v', '/{{x}}:/data:ro', 'img'],
    ['docker', 'run', '--volume', '/home/{{x}}:/app', 'img'],
    ['docker', 'run', '--volume=/srv/{{x}}:/app', 'img'],
    ['docker', 'run', '-itv', '/srv/{{x}}:/app', 'img'],
    ['docker', 'run', '--rm', '-e', 'A=1', '-v', './{{x}}:/app', 'img'],
    ['docker', 'run', '--mount', 'type=volume,src=/srv/{{x}},dst=/app', 'img'],
    ['docker', 'create', '-v', '/srv/{{x}}:/app', 'img'],
    ['docker', 'container', 'run', '-v', '/srv/{{x}}:/app', 'img'],
    ['docker', 'compose', 'run', '-v', '/srv/{{x}}:/app', 'web'],
    ['docker', 'compose', '-f', 'compose.yml', 'run', '--rm', '-v', './{{x}}:/app', 'web'],
    ['docker-compose', 'run', '-v', '/srv/{{x}}:/app', 'web'],
    ['podman', 'run', '-v', '/srv/{{x}}:/app:Z', 'img'],
    ['podman', 'create', '--volume', '/srv/{{x}}:/app', 'img'],
    ['nerdctl', 'run', '-v', '/srv/{{x}}:/app', 'img'],
    ['sudo', 'docker', 'run', '-v', '/{{x}}:/app', 'img'],
    // A swarm service's mounts are made on its nodes.
    ['docker', 'service', 'create', '--replicas', '3', '--mount', 'type=volume,src=/{{x}},dst=/app', 'img'],
  ])
    assertRefused(spec, host);
  assertRefused(
    ['docker', 'service', 'update', '--mount-add', 'type=bind,source={{x}},target=/app', 'app'],
    /is in the source docker service update --mount-add type=bind mounts into the container/,
  );
  // --mount type=bind (src or source), and any source of a mount that is no volume.
  for (const spec of [
    ['docker', 'run', '--mount', 'type=bind,src={{x}},dst=/app', 'img'],
    ['docker', 'run', '--mount', 'type=bind,source=/srv/{{x}},target=/app', 'img'],
    ['docker', 'run', '--mount=type=bind,src={{x}},dst=/app', 'img'],
    ['podman', 'run', '--mount', 'type=image,source={{x}},destination=/app', 'img'],
  ])
    assertRefused(
      spec,
      /is in the source (docker|podman) run --mount type=(bind|image) mounts into the container/,
    );
  assertScriptRefused('docker run -v "$PWD/{{x}}:/app" img', /is in the host path docker run -v/);
  // A variable holding a path: its fixed text holds a "/".
  assertScriptRefused(
    'V=/srv/{{x}}; docker run -v "$V:/app" img',
    /a "\/" in it would make the source a directory/,
  );
  assertScriptRefused(
    'V=$(echo {{x}}); docker run -v "$V:/app" img',
    /the name of a volume a container mounts/,
  );
});

test('the message says what the value would choose and the safe way', () => {
  assertRefused(
    ['docker', 'run', '-v', '/srv/{{x}}:/app', 'img'],
    /\{\{x\}\}( \(character 21\))? is in the host path docker run -v mounts into the container \(\/srv\/\{\{x\}\}:\/app\): its value would choose what of this machine the container gets \(a host directory such as \/etc or the docker socket.*write the mount in the config \(docker run -v \/srv\/app\/data:\/data …, or a named volume -v data-\{\{x\}\}:\/data\) and pass the value to the container as data \(-e VERSION=\{\{x\}\}\)/,
  );
});

test('a template in the container side of a mount, its options, --volumes-from, --device or --tmpfs is refused', () => {
  for (const [spec, message] of [
    [['docker', 'run', '-v', 'data:/app/{{x}}', 'img'], /the path in the container docker run -v mounts at/],
    [['docker', 'run', '-v', '/srv/data:/{{x}}', 'img'], /the path in the container docker run -v mounts at/],
    [
      ['docker', 'run', '-v', '/app/{{x}}', 'img'],
      /the path in the container docker run -v mounts a volume at/,
    ],
    [['docker', 'run', '-v', 'data:/app:{{x}}', 'img'], /the options of the mount docker run -v makes/],
    [
      ['docker', 'run', '--mount', 'src=data,dst=/app/{{x}}', 'img'],
      /the path in the container docker run --mount/,
    ],
    [
      ['docker', 'run', '--mount', 'type={{x}},src=data,dst=/app', 'img'],
      /the type of the mount docker run --mount/,
    ],
    [
      ['docker', 'run', '--mount', 'src=data,dst=/d,volume-opt=device={{x}}', 'img'],
      /the volume-opt of the mount/,
    ],
    [['docker', 'run', '--mount', 'src=data,{{x}}=/d', 'img'], /a key of docker run --mount/],
    [
      ['docker', 'run', '--volumes-from', '{{x}}', 'img'],
      /the container whose mounts docker run --volumes-from/,
    ],
    [['docker', 'run', '--device', '/dev/{{x}}', 'img'], /the device of this machine docker run --device/],
    [['docker', 'run', '--tmpfs', '/app/{{x}}', 'img'], /the path in the container docker run --tmpfs/],
    // docker create's command runs at docker start: it is the program, as docker run's is.
    [['docker', 'create', 'img', '{{x}}'], /the word naming the program docker create runs/],
  ] as Array<[string[], RegExp]>)
    assertRefused(spec, message);
});

test('a named volume takes a value, checked once rendered to stay a volume name', () => {
  const forms: string[][] = [
    ['docker', 'run', '-v', '{{x}}:/data', 'img'],
    ['docker', 'run', '-v', 'data-{{x}}:/data', 'img'],
    ['docker', 'run', '--volume=cache-{{x}}:/cache:ro', 'img'],
    ['docker', 'run', '--mount', 'type=volume,src=data-{{x}},dst=/data', 'img'],
    ['docker', 'run', '--mount', 'source={{x}},target=/data', 'img'],
    ['podman', 'run', '-v', 'data-{{x}}:/data:Z', 'img'],
    ['docker', 'service', 'update', '--image', 'app:1', '--mount-add', 'src=data-{{x}},dst=/data', 'app'],
  ];
  for (const argv of forms) {
    assertAccepted(argv);
    // A "/" makes the source a host path; "," "=" ":" add to the mount; a leading "." is a relative path.
    for (const value of ['/etc', '../../etc', 'a/b', 'x,type=bind,src=/etc', 'x:/app', '.', '-x', 'a b'])
      assert.throws(
        () => renderArgv(argv, value),
        /is in the name of a volume a container mounts, and its value holds/,
        `${argv.join(' ')} with ${value}`,
      );
    assert.equal(
      renderArgv(argv, 'prod-1.2_3').argv.join(' '),
      argv.join(' ').replace('{{x}}', 'prod-1.2_3'),
    );
  }
  assert.throws(
    () => renderShellScript('docker run -v "{{x}}:/data" img', { x: '/var/run/docker.sock' }),
    /name of a volume a container mounts, and its value holds "\/".*\(character 16\)/,
  );
  assert.throws(
    () => renderShellScript('V=data-{{x}}; docker run -v "$V:/data" img', { x: '/../etc' }),
    /name of a volume a container mounts/,
  );
  assert.equal(renderShellScript('docker run -v "{{x}}:/data" img', { x: 'data' }).env.DEPLOY_X, 'data');
  assertScriptAccepted('V=data-{{x}}; docker run -v "$V:/data" img');
});

test('values elsewhere in a container command stay accepted', () => {
  for (const spec of [
    ['docker', 'run', '-v', '/srv/data:/data', 'app:{{x}}'],
    ['docker', 'run', '-e', 'VERSION={{x}}', '-v', '/srv/data:/data', 'app'],
    ['docker', 'run', '--mount', 'type=bind,src=/srv/data,dst=/data', 'app:{{x}}', './deploy', '{{x}}'],
    ['docker', 'run', 'app', 'ls', '-v', '{{x}}'], // the container's program's -v, after the image
    ['docker', 'run', '--name', 'app-{{x}}', '-v', '/srv/data:/data', 'app'],
    ['docker', 'network', 'create', '{{x}}'],
    ['docker', 'volume', 'create', 'data-{{x}}'],
    ['docker', 'exec', 'app', './deploy', '{{x}}'],
    ['docker', 'service', 'update', '--image', 'registry/app:{{x}}', 'app'],
    ['docker', 'update', '--cpus', '2', 'app-{{x}}'],
  ])
    assertAccepted(spec);
});

test('docker buildx bake: a template in a target, in the target or field of --set, or in --allow is refused', () => {
  for (const [spec, message] of [
    [['docker', 'buildx', 'bake', '{{x}}'], /is in the target docker buildx bake builds/],
    [['docker', 'buildx', 'bake', 'app-{{x}}'], /is in the target docker buildx bake builds/],
    [
      ['docker', 'buildx', 'bake', '-f', 'docker-bake.hcl', '--push', 'api', '{{x}}'],
      /the target docker buildx bake builds/,
    ],
    [['docker', 'buildx', 'bake', '--', '{{x}}'], /the target docker buildx bake builds/],
    [['docker', 'buildx', '--builder', 'ci', 'bake', '{{x}}'], /the target docker buildx bake builds/],
    [['docker-buildx', 'bake', '{{x}}'], /the target docker-buildx bake builds/],
    [
      ['docker', 'buildx', 'bake', '--set', '{{x}}.tags=app:1'],
      /the target or the field docker buildx bake --set overrides/,
    ],
    [
      ['docker', 'buildx', 'bake', '--set', 'app-{{x}}.args.A=1'],
      /the target or the field docker buildx bake --set/,
    ],
    [
      ['docker', 'buildx', 'bake', '--set', 'app.{{x}}=1'],
      /the target or the field docker buildx bake --set/,
    ],
    [
      ['docker', 'buildx', 'bake', '--set={{x}}.output=type=docker'],
      /the target or the field docker buildx bake --set/,
    ],
    [
      ['docker', 'buildx', 'bake', '--set', 'app.target={{x}}'],
      /the stage of the Dockerfile docker buildx bake --set app.target builds/,
    ],
    [
      ['docker', 'buildx', 'bake', '--set', 'app.cache-from=type=local,src={{x}}'],
      /the cache-from docker buildx bake --set/,
    ],
    [
      ['docker', 'buildx', 'bake', '--allow', 'fs.read={{x}}'],
      /the entitlement docker buildx bake --allow grants/,
    ],
    // An option this tool does not know may take the next word, or leave it a target.
    [
      ['docker', 'buildx', 'bake', '--frobnicate', '{{x}}'],
      /or the value of --frobnicate, an option this tool does not know/,
    ],
    // docker build --target: the stage built.
    [['docker', 'build', '--target', '{{x}}', '.'], /the value of docker --target/],
  ] as Array<[string[], RegExp]>)
    assertRefused(spec, message);
  assertRefused(
    ['docker', 'buildx', 'bake', '{{x}}'],
    /which target or task runs.*docker buildx bake app --set app\.args\.VERSION=\{\{x\}\}/,
  );
  for (const spec of [
    ['docker', 'buildx', 'bake', '--set', 'app.tags=registry/app:{{x}}'],
    ['docker', 'buildx', 'bake', '--set', 'app.tags+=registry/app:{{x}}', 'app'],
    ['docker', 'buildx', 'bake', '--set', '*.args.VERSION={{x}}', 'app'],
    ['docker', 'buildx', 'bake', '--set=app.labels.version={{x}}', 'app'],
    ['docker', 'buildx', 'bake', '--progress', 'plain', '--set', '*.platform=linux/{{x}}', 'app'],
    ['docker', 'buildx', 'bake', '--metadata-file', 'meta.json', 'app'],
    ['docker', 'build', '--target', 'prod', '-t', 'app:{{x}}', '.'],
  ])
    assertAccepted(spec);
  // The metadata file it writes takes no template, as docker build's --metadata-file (image-tools.test.ts).
  assertRefused(
    ['docker', 'buildx', 'bake', '--metadata-file', 'meta-{{x}}.json', 'app'],
    /the file of this machine the build metadata is written to, which docker buildx bake --metadata-file names/,
  );
  // A fixed stage is not a file read from the directory a cd chose.
  assertScriptAccepted('cd {{x}} && docker build --target prod /srv/app');
  assertScriptRefused('T={{x}}; docker build --target "$T" /srv/app', /the value of docker --target/);
});

test('mock: a template in the source package, the spec, the sources or the chroot config is refused', () => {
  for (const [spec, message] of [
    [['mock', '--rebuild', '{{x}}.src.rpm'], /is in the source package or spec mock builds/],
    [
      ['mock', '-r', 'fedora-40-x86_64', '--rebuild', '/tmp/app-{{x}}.src.rpm'],
      /the source package or spec mock builds/,
    ],
    [['mock', 'app-{{x}}.src.rpm'], /the source package or spec mock builds/],
    [['mock', '--chain', 'a.src.rpm', '{{x}}.src.rpm'], /the source package or spec mock builds/],
    [['mock', '--buildsrpm', '--spec', '{{x}}', '--sources', 'src'], /the code mock --spec runs/],
    [['mock', '--buildsrpm', '--spec=app-{{x}}.spec', '--sources', 'src'], /the code mock --spec runs/],
    [['mock', '--buildsrpm', '--spec', 'app.spec', '--sources', '{{x}}'], /the code mock --sources runs/],
    [['mock', '-r', '{{x}}', '--rebuild', 'app.src.rpm'], /the code mock -r runs/],
    [['mock', '--configdir', '{{x}}', '--rebuild', 'app.src.rpm'], /the code mock --configdir runs/],
    [['rpmbuild', '--rebuild', '{{x}}.src.rpm'], /the file rpmbuild loads and runs as code/],
    [['rpmbuild', '-ba', '{{x}}.spec'], /the file rpmbuild loads and runs as code/],
  ] as Array<[string[], RegExp]>)
    assertRefused(spec, message);
  assertRefused(
    ['mock', '--rebuild', '{{x}}.src.rpm'],
    /mock -r fedora-40-x86_64 --rebuild app\.src\.rpm --define "version \{\{x\}\}"/,
  );
  for (const spec of [
    ['mock', '-r', 'fedora-40-x86_64', '--rebuild', 'app.src.rpm', '--define', 'version {{x}}'],
    ['mock', '-r', 'fedora-40-x86_64', '-D', 'version {{x}}', '--rebuild', 'app.src.rpm'],
    ['mock', '--resultdir', '/tmp/out-{{x}}', '--rebuild', 'app.src.rpm'],
  ])
    assertAccepted(spec);
});

test('envsubst writing the DEPLOY_* variables into a manifest is refused', () => {
  const manifest =
    /substitutes it unescaped into what "(kubectl apply -f -|kubectl apply -f m\.yaml, once written to m\.yaml|helm upgrade app \.\/chart --values -)" reads as a manifest/;
  for (const script of [
    './build.sh {{x}}; envsubst < k8s.tmpl | kubectl apply -f -',
    'envsubst < k8s.tmpl | kubectl apply -f - # {{x}}',
    './build.sh {{x}}\nenvsubst < k8s.tmpl > m.yaml\nkubectl apply -f m.yaml',
    './build.sh {{x}}; envsubst < k8s.tmpl | tee m.yaml >/dev/null; kubectl apply -f m.yaml',
    './build.sh {{x}}; cat k8s.tmpl | envsubst | kubectl apply -f -',
    './build.sh {{x}}; envsubst < values.tmpl | helm upgrade app ./chart --values -',
    // A SHELL-FORMAT naming a DEPLOY_* variable, or one holding a value, or holding a value itself.
    "./build.sh {{x}}; envsubst '$DEPLOY_X' < k8s.tmpl | kubectl apply -f -",
    "export IMAGE={{x}}; envsubst '$IMAGE' < k8s.tmpl | kubectl apply -f -",
    "export IMAGE={{x}}; envsubst '${IMAGE} $TAG' < k8s.tmpl > m.yaml && kubectl apply -f m.yaml",
    './build.sh {{x}}; envsubst {{x}} < k8s.tmpl | kubectl apply -f -',
  ])
    assertScriptRefused(script, manifest);
  // Through a substitution: a word of a manifest reader's command, or of one piped into it.
  for (const script of [
    './build.sh {{x}}; kubectl apply -f <(envsubst < k8s.tmpl)',
    './build.sh {{x}}; sudo kubectl apply -f <(cat k8s.tmpl | envsubst)',
    './build.sh {{x}}; kubectl apply -f - <<< "$(envsubst < k8s.tmpl)"',
    './build.sh {{x}}; echo "$(envsubst < k8s.tmpl)" | kubectl apply -f -',
  ])
    assertScriptRefused(script, /"envsubst" substitutes it unescaped into what "(sudo )?kubectl apply -f/);
  assertScriptRefused(
    './build.sh {{x}}; envsubst < k8s.tmpl | kubectl apply -f -',
    /\{\{x\}\} \(character 12\) is exported to the script as DEPLOY_X, and "envsubst" substitutes it.*kubectl set image deploy\/app app=registry\/app:\{\{x\}\}, helm … --set-string image\.tag=\{\{x\}\}.*envsubst '\$IMAGE_REPO' < k8s\.tmpl/,
  );
  for (const script of [
    "./build.sh {{x}}; envsubst '$IMAGE' < k8s.tmpl | kubectl apply -f -",
    "export IMAGE=registry/app; ./build.sh {{x}}; envsubst '$IMAGE' < k8s.tmpl | kubectl apply -f -",
    './build.sh {{x}}; envsubst < notes.tmpl > notes.txt; cat notes.txt',
    './build.sh {{x}}; envsubst < k8s.tmpl > m.yaml; kubectl apply -f other.yaml',
    'envsubst < k8s.tmpl | kubectl apply -f -', // no value in the script: no DEPLOY_* variable
    "./build.sh {{x}}; envsubst -v '$A' | kubectl apply -f -",
    'kubectl set image deploy/app app=registry/app:{{x}}',
    './build.sh {{x}}; diff <(envsubst < k8s.tmpl) old.yaml',
    "./build.sh {{x}}; kubectl apply -f <(envsubst '$IMAGE' < k8s.tmpl)",
    './build.sh {{x}}; echo "$(envsubst < notes.tmpl)" > notes.txt',
  ])
    assertScriptAccepted(script);
});

test('a cd in inline code ends the search only when it surely runs, and not for its || branch', () => {
  for (const script of [
    "cd {{x}}; bash -c 'cd /x || ./deploy.sh'",
    "cd {{x}}; bash -c 'cd /x || echo no && ./deploy.sh'",
    "cd {{x}}; bash -c 'cd /x || { ./deploy.sh; }'",
    "cd {{x}}; bash -c 'true && cd /x; ./deploy.sh'",
    "cd {{x}}; bash -c 'true || cd /x; ./deploy.sh'",
    "cd {{x}}; bash -c 'while false; do cd /x; done; ./deploy.sh'",
    "cd {{x}}; bash -c 'f() { cd /x; }; ./deploy.sh'",
    "cd {{x}}; bash -c '( cd /x ); ./deploy.sh'",
    "cd {{x}}; bash -c 'cd /x & ./deploy.sh'",
    "cd {{x}}; bash -c 'cd /x | cat; ./deploy.sh'",
    "cd {{x}}; bash -c 'case a in a) cd /x;; esac; ./deploy.sh'",
    "cd {{x}}; sudo sh -c 'cd /x || make deploy'",
    // The same in the script itself.
    'cd {{x}}; cd /x || ./deploy.sh',
    'cd {{x}}; cd /x || echo no && ./deploy.sh',
    'cd {{x}}; cd /x || ( ./deploy.sh )',
    'cd {{x}}; cd /x | cat; ./deploy.sh',
    'cd {{x}}; cd /x & ./deploy.sh',
    'cd {{x}}; echo | cd /x; ./deploy.sh',
    // A compound command on its || branch is that branch to its end.
    'cd {{x}}; cd /x || if true; then ./deploy.sh; fi',
    'cd {{x}}; cd /x || while true; do ./deploy.sh; done',
    'cd {{x}}; cd /x || { echo; ./deploy.sh; }',
    'cd {{x}}; cd /x || true && { a; ./deploy.sh; }',
    "cd {{x}}; bash -c 'cd /x || if true; then ./deploy.sh; fi'",
    // A reader after a reserved word of inline code.
    "cd {{x}}; bash -c 'if ./deploy.sh; then echo; fi'",
  ])
    assertScriptRefused(script, /is in the directory cd changes to, and a later command/);
  for (const script of [
    "cd {{x}}; bash -c 'cd /x; ./deploy.sh'",
    "cd {{x}}; bash -c 'cd /x && ./deploy.sh'",
    "cd {{x}}; bash -c 'cd /x || exit 1; ./deploy.sh'",
    "cd {{x}}; bash -c 'cd /x && { ./a.sh; ./b.sh; }'",
    "cd {{x}}; bash -c 'cd /x && make deploy | tee log'",
    "cd {{x}}; bash -c 'builtin cd -P /x; ./deploy.sh'",
    "cd {{x}}; bash -c 'f() { echo; }; cd /x; ./deploy.sh'",
    "cd {{x}}; bash -c 'case a in a) echo;; esac; cd /x; ./deploy.sh'",
    "cd {{x}}; bash -c 'if true; then echo; fi; cd /x; ./deploy.sh'",
    'cd {{x}}; cd /x; ./deploy.sh',
    'cd {{x}}; cd /x && ./deploy.sh',
    'cd {{x}}; cd /x || exit 1; ./deploy.sh',
    'cd {{x}}; cd /x 2>/dev/null || exit 1\n./deploy.sh',
    'cd {{x}}; cd /x && make deploy | tee log',
    'cd {{x}}; cd /x || if true; then exit 1; fi; ./deploy.sh',
    "cd {{x}}; bash -c 'cd /x || if true; then exit 1; fi; ./deploy.sh'",
    'cd {{x}}; cd /x && if true; then ./deploy.sh; fi',
    'cd {{x}}; cd /x; ( true || ./deploy.sh )',
    'cd {{x}}; cd /x && { a; ./deploy.sh; }',
  ])
    assertScriptAccepted(script);
});

test('a template in an option that gives the container rights over this machine, or its env file, is refused', () => {
  for (const [spec, message] of [
    [
      ['docker', 'run', '--cap-add', '{{x}}', 'img'],
      /the kernel capabilities docker run --cap-add gives the container .*rights the container has over this machine/,
    ],
    [['docker', 'run', '--cap-add={{x}}', 'img'], /the kernel capabilities/],
    [
      ['docker', 'run', '--security-opt', 'seccomp={{x}}', 'img'],
      /the security profile .* docker run --security-opt/,
    ],
    [['docker', 'run', '--pid', '{{x}}', 'img'], /the process namespace \(host/],
    [['podman', 'run', '--userns={{x}}', 'img'], /the user namespace .* podman run --userns/],
    [['docker', 'run', '--ipc', '{{x}}', 'img'], /the IPC namespace/],
    [
      ['docker', 'create', '--runtime', '{{x}}', 'img'],
      /the runtime that runs it .* docker create --runtime/,
    ],
    [
      ['docker', 'run', '--env-file', 'env/{{x}}.env', 'img'],
      /the file of variables docker run --env-file gives the container .*LD_PRELOAD/,
    ],
    [['docker', 'compose', 'run', '--env-file', '{{x}}', 'app'], /the file of variables docker compose run/],
    [['docker', 'run', '-d', '--device-cgroup-rule', '{{x}}', 'img'], /the devices of this machine/],
  ] as Array<[string[], RegExp]>)
    assertRefused(spec, message);
  // The same options with fixed values, and templates elsewhere, stay accepted.
  assertAccepted(['docker', 'run', '--cap-add', 'NET_BIND_SERVICE', '--env-file', 'prod.env', 'app:{{x}}']);
  assertScriptRefused('P={{x}}; docker run --security-opt "seccomp=$P" img', /the security profile/);
  assertScriptRefused('docker run --cap-add "{{x}}" img', /the kernel capabilities/);
});

test('the other options that give a container rights over this machine are refused too', () => {
  for (const [spec, message] of [
    [['docker', 'run', '--privileged={{x}}', 'img'], /every right of this machine/],
    [['podman', 'run', '--unmask', '{{x}}', 'img'], /the kernel paths unmasked/],
    [['podman', 'run', '--hooks-dir', '{{x}}', 'img'], /the OCI hooks/],
    [['podman', 'run', '--uidmap', '0:{{x}}:1', 'img'], /the user mapping/],
    [['podman', 'run', '--gidmap={{x}}', 'img'], /the group mapping/],
    [['docker', 'run', '--init-path', '{{x}}', 'img'], /the init program/],
  ] as Array<[string[], RegExp]>)
    assertRefused(spec, message);
});

test('docker buildx bake --set: a template in the value of secrets, ssh, output, cache-to, entitlements or network is refused', () => {
  // secrets name local files the build reads (id=x,src=FILE) and its RUN steps can send; ssh a key or agent
  // socket; output and cache-to a directory written (type=local,dest=DIR); entitlements and network rights.
  const host =
    /\{\{x\}\}.* is in the (secrets|ssh|output|cache-to|entitlements|network) docker(-| )buildx bake --set .*what of this machine the build gets/;
  for (const spec of [
    ['docker', 'buildx', 'bake', '--set', 'app.secrets=id=npm,src={{x}}'],
    ['docker', 'buildx', 'bake', '--set', '*.secrets=id={{x}}'],
    ['docker', 'buildx', 'bake', '--set', 'app.secrets+=id=npm,src=secrets/{{x}}.npmrc'],
    ['docker', 'buildx', 'bake', '--set=*.ssh={{x}}'],
    ['docker', 'buildx', 'bake', '--set', '*.ssh=default=keys/{{x}}'],
    ['docker', 'buildx', 'bake', '--set', 'app.output={{x}}'],
    ['docker', 'buildx', 'bake', '--set', 'app.output=type={{x}},name=registry/app:1'],
    ['docker', 'buildx', 'bake', '--set', '*.cache-to=type=registry,ref=r/app:1,{{x}}=1'],
    ['docker', 'buildx', 'bake', '--set', '*.cache-to=type=local,dest=cache/{{x}}'],
    ['docker', 'buildx', 'bake', '--set', 'app.entitlements={{x}}'],
    ['docker', 'buildx', 'bake', '--set', 'app.network={{x}}'],
    ['docker-buildx', 'bake', '--set', 'app.secrets=id=npm,src={{x}}'],
  ])
    assertRefused(spec, host);
  // Written whole in the config they take no value; the value goes in a build argument or a tag.
  for (const spec of [
    [
      'docker',
      'buildx',
      'bake',
      '--set',
      '*.secrets=id=npm,src=.npmrc',
      '--set',
      '*.args.VERSION={{x}}',
      'app',
    ],
    ['docker', 'buildx', 'bake', '--set', '*.ssh=default', '--set', 'app.tags=registry/app:{{x}}', 'app'],
    ['docker', 'buildx', 'bake', '--set', 'app.output=type=registry', '--set', 'app.labels.v={{x}}', 'app'],
  ])
    assertAccepted(spec);
});

test('docker build --secret, --ssh, -o/--output, --cache-to and --allow take no template, as bake --set does not', () => {
  const host =
    /\{\{x\}\}.* is in .*(docker|podman) .*(--secret|--ssh|-o|--output|--cache-to|--allow)\b.*what of this machine the build gets/;
  for (const spec of [
    ['docker', 'build', '--secret', 'id=npm,src={{x}}', '.'],
    ['docker', 'build', '--secret', 'id=token,env={{x}}', '.'],
    ['docker', 'buildx', 'build', '--secret=id={{x}}', '.'],
    ['docker', 'buildx', 'build', '--ssh', 'default={{x}}', '.'],
    ['docker', 'buildx', 'build', '-o', 'type=local,dest={{x}}', '.'],
    ['docker', 'buildx', 'build', '-otype=local,dest=out/{{x}}', '.'],
    ['docker', 'buildx', 'build', '--output={{x}}', '.'], // a whole value: type=local,dest=
    ['docker', 'buildx', 'build', '-o', 'out-{{x}}', '.'], // a local directory
    ['docker', 'buildx', 'build', '--output=type={{x}},name=registry/app:1', '.'],
    ['docker', 'buildx', 'build', '--output', 'type=registry,name=r/app:1,{{x}}', '.'], // a key
    ['docker', 'buildx', 'build', '--output', 'type=image,name=r/app:1,push-by-digest={{x}}', '.'],
    ['docker', 'buildx', 'build', '--output', 'type=image,"name=r/app:{{x}}"', '.'], // a quoted field
    ['docker', 'buildx', 'build', '--cache-to', 'type=local,dest={{x}}', '.'],
    ['docker', 'buildx', 'build', '--cache-to', 'type=registry,ref=r/app:1,{{x}}=max', '.'],
    ['docker', 'buildx', 'build', '--allow', '{{x}}', '.'],
    ['docker', 'image', 'build', '--secret', 'id=npm,src=secrets/{{x}}', '.'],
    ['docker', 'compose', 'build', '--ssh', 'default={{x}}'],
    ['podman', 'build', '--secret', 'id=npm,src={{x}}', '.'],
  ])
    assertRefused(spec, host);
  assertScriptRefused(
    'S={{x}}; docker build --secret "id=npm,src=$S" .',
    /docker build --secret .*pass the value where it is data \(docker build --build-arg VERSION=\$S -t app:\$S \.\)/,
  );
  for (const spec of [
    ['docker', 'build', '--secret', 'id=npm,src=.npmrc', '-t', 'registry/app:{{x}}', '.'],
    [
      'docker',
      'buildx',
      'build',
      '--ssh',
      'default',
      '--build-arg',
      'VERSION={{x}}',
      '--push',
      '-t',
      'app:{{x}}',
      '.',
    ],
    ['docker', 'buildx', 'build', '-o', 'type=registry', '--label', 'v={{x}}', '.'],
  ])
    assertAccepted(spec);
});

test('a build output or cache named by a value in name=, ref=, scope= or tag= is checked once rendered to add no key', () => {
  const reference =
    /is in the image or cache reference (docker|podman)[a-z ]* (-o|--output|--cache-to|--cache-from) names, and its value holds/;
  for (const argv of [
    ['docker', 'buildx', 'build', '--output', 'type=image,name=registry/app:{{x}},push=true', '.'],
    ['docker', 'buildx', 'build', '-o', 'type=registry,name=registry/app:{{x}}', '.'],
    ['docker', 'buildx', 'build', '--output=type=registry,name=registry/app:{{x}}', '.'],
    ['docker', 'buildx', 'build', '--cache-to', 'type=registry,ref=registry/app:cache-{{x}},mode=max', '.'],
    ['docker', 'buildx', 'build', '--cache-from', 'type=gha,scope={{x}}', '.'],
    ['docker', 'buildx', 'build', '--cache-to', 'type=gha,scope={{x}},mode=max', '.'],
    // (--cache-from IMAGE is an image reference: images-and-contexts.test.ts.)
  ])
    checkedOnceRendered(
      argv,
      ['x,type=local,dest=/home/runner', 'a=b', 'a b', 'a"b', "a'b", 'a\tb'],
      ['production', 'staging-2', '1.2.3'],
      reference,
    );
  for (const argv of [
    ['docker', 'buildx', 'bake', '--set', 'app.output=type=registry,name=registry/app:{{x}}'],
    ['docker', 'buildx', 'bake', '--set', '*.cache-to=type=registry,ref=registry/app:cache-{{x}}'],
    ['docker-buildx', 'bake', '--set', '*.output=type=image,name=registry/app:{{x}},push=true'],
  ])
    checkedOnceRendered(
      argv,
      ['x,type=local,dest=/home/runner', 'a=b', 'a b'],
      ['production', '1.2.3'],
      /is in the image or cache reference docker(-| )buildx bake --set \S+ names, and its value holds/,
    );
  assertScriptRefused(
    'T={{x}}; docker buildx build --cache-from "type=gha,scope=$T" .',
    /the image or cache reference docker buildx build --cache-from names/,
  );
  // The cache's place (src=, dest=, type=), or a --cache-from that is the value alone, stay refused.
  for (const spec of [
    ['docker', 'image', 'build', '--cache-from', 'type=local,src={{x}}', '.'],
    ['docker', 'buildx', 'build', '--cache-from', 'type={{x}},ref=r/app:1', '.'],
    ['docker', 'buildx', 'build', '--cache-to', 'type=local,dest=cache-{{x}}', '.'],
  ])
    assertRefused(spec, /the cache whose layers stand for|where its cache is written/);
});

test('a template in a global option choosing the engine, what it trusts or a file it reads is refused', () => {
  for (const [spec, message] of [
    [['docker', '-H', '{{x}}', 'run', 'img'], /the daemon .*which docker -H chooses/],
    [['docker', '--host={{x}}', 'run', 'img'], /the daemon .*which docker --host chooses/],
    [['docker', '--host', 'tcp://{{x}}:2376', 'ps'], /the daemon .*which docker --host chooses/],
    [['docker', '--debug', '-H', '{{x}}', 'pull', 'img'], /which docker -H chooses/],
    [['docker', '-l', 'debug', '--tlscacert', 'ca-{{x}}.pem', 'ps'], /the certificate authority/],
    [['sudo', 'docker', '-H', '{{x}}', 'service', 'create', 'img'], /which docker -H chooses/],
    [['podman', '--runtime={{x}}', 'run', 'img'], /the OCI runtime .*which podman --runtime chooses/],
    [['podman', '--runtime', '{{x}}', 'run', 'img'], /the OCI runtime/],
    [['podman', '--root', '/var/lib/{{x}}', 'run', 'img'], /the storage root .*podman --root/],
    [['podman', '--runroot', '{{x}}', 'run', 'img'], /the state directory, which podman --runroot/],
    [['podman', '--storage-opt', 'overlay.mount_program={{x}}', 'ps'], /the storage options/],
    [['podman', '--hooks-dir', '{{x}}', 'run', 'img'], /the OCI hooks .*podman --hooks-dir chooses/],
    [['podman', '--module', '{{x}}', 'run', 'img'], /the containers\.conf module/],
    [['podman', '--url', '{{x}}', 'run', 'img'], /the service .*podman --url/],
    [['podman', '--identity', '{{x}}', 'run', 'img'], /the ssh key file/],
    [['podman', '--conmon', '{{x}}', 'run', 'img'], /the container monitor/],
    [['podman', '--volumepath', '/{{x}}', 'run', '-v', 'data:/d', 'img'], /named volumes are made in/],
    [['nerdctl', '-H', '{{x}}', 'run', 'img'], /the containerd address, which nerdctl -H/],
    [['nerdctl', '--namespace', '{{x}}', 'rm', '-f', 'app'], /the containerd namespace/],
    [['nerdctl', '--cni-path', '{{x}}', 'run', 'img'], /the CNI plugins/],
    [['buildah', '--root', '{{x}}', 'bud', '.'], /the storage root .*buildah --root/],
    [['buildah', '--registries-conf', '{{x}}', 'from', 'img'], /the registry configuration/],
    // compose's own global options: the env file fills the compose file (its images, mounts, privileged:).
    [['docker', 'compose', '--env-file', '{{x}}', 'up', '-d'], /the file of variables the compose file/],
    [
      ['docker', 'compose', '-f', 'compose.yml', '--env-file=env/{{x}}', 'run', 'app'],
      /which docker compose --env-file chooses/,
    ],
    [['docker-compose', '--env-file', '{{x}}', 'up'], /which docker-compose --env-file chooses/],
    [['nerdctl', 'compose', '--env-file', '{{x}}', 'up'], /which nerdctl compose --env-file chooses/],
    [['docker', '-H', 'ssh://deploy@host', 'compose', '--env-file', '{{x}}', 'up'], /compose --env-file/],
  ] as Array<[string[], RegExp]>)
    assertRefused(spec, message);
  assertRefused(
    ['docker', '-H', '{{x}}', 'run', 'img'],
    /\{\{x\}\}( \(character \d+\))? is in the daemon .*: its value would choose the engine that runs the containers.*write the option's value in the config, or write a command per environment/,
  );
  assertScriptRefused('H={{x}}; docker -H "$H" run img', /which docker -H chooses/);
  // An unknown global option before a subcommand does not take it as its value.
  assertRefused(
    ['docker-compose', '--verbose', 'run', '-v', '/{{x}}:/app', 'web'],
    /the host path docker-compose run -v/,
  );
  assertRefused(['podman', '--frobnicate', 'run', '--cap-add', '{{x}}', 'img'], /podman run --cap-add/);
  assertRefused(['docker', '--frobnicate', 'value', '-H', '{{x}}', 'ps'], /which docker -H chooses/);
  // Fixed engines, and options of run after the subcommand (docker run -c is --cpu-shares), stay accepted.
  for (const spec of [
    ['docker', '-H', 'ssh://deploy@prod', 'run', '-e', 'V={{x}}', 'app:{{x}}'],
    ['docker', '--context', 'prod', 'compose', '-p', 'app-{{x}}', 'up', '-d'],
    ['docker', 'run', '-c', '512', '--name', 'app-{{x}}', 'img'],
    ['docker', 'compose', '--env-file', 'prod.env', '-p', 'app-{{x}}', 'up'],
    ['podman', '--runtime', 'crun', 'run', '--name', 'app-{{x}}', 'img'],
    ['podman', '--log-level', 'debug', 'run', '--name', '{{x}}', 'img'],
    ['nerdctl', '-n', 'default', 'run', '--name', '{{x}}', 'img'],
  ])
    assertAccepted(spec);
});

test('a template in --network, --net or --group-add of a container is refused', () => {
  const network =
    /the network namespace \(host: the network of this machine.*(docker|podman|nerdctl)[a-z ]* --net(work)? gives the container/;
  for (const spec of [
    ['docker', 'run', '--network', '{{x}}', 'img'],
    ['docker', 'run', '--network={{x}}', 'img'],
    ['docker', 'run', '--net', '{{x}}', 'img'],
    ['docker', 'run', '-itd', '--net=container:{{x}}', 'img'],
    ['docker', 'create', '--network', '{{x}}{{x}}', 'img'], // no fixed text: the value is the whole network
    ['docker', 'run', '--network', 'name=net-{{x}},alias=app', 'img'], // the long form: "=" and ","
    ['docker', 'compose', 'run', '--network', '{{x}}', 'app'],
    ['docker', 'service', 'create', '--network', '{{x}}', 'img'],
    ['podman', 'run', '--network=ns:/proc/{{x}}/ns/net', 'img'],
    ['nerdctl', 'run', '--net', '{{x}}', 'img'],
  ])
    assertRefused(spec, network);
  assertRefused(
    ['docker', 'service', 'update', '--network-add', '{{x}}', 'app'],
    /the network \(host: the network of the node\)/,
  );
  assertRefused(
    ['docker', 'run', '--group-add', '{{x}}', 'img'],
    /the groups of its processes .*docker run --group-add/,
  );
  assertRefused(['podman', 'run', '--group-add={{x}}', 'img'], /the groups of its processes/);
  assertScriptRefused('N={{x}}; docker run --network "$N" img', /the network namespace/);
  // A fixed network, and what is harmless: --add-host (a line of /etc/hosts), --cap-drop (fewer rights).
  for (const spec of [
    ['docker', 'run', '--network', 'app-net', '--name', 'app-{{x}}', 'img'],
    ['docker', 'run', '--add-host', 'api:{{x}}', 'img'],
    ['docker', 'run', '--cap-drop', '{{x}}', 'img'],
    ['docker', 'network', 'create', 'net-{{x}}'],
  ])
    assertAccepted(spec);
});

test('a network named with fixed text beside the value is checked once rendered to be a network name, not host', () => {
  const network =
    /is in the network (docker|podman|nerdctl)[a-z ]* --net(work)?(-add)? joins, and the network is/;
  for (const argv of [
    ['docker', 'run', '--network', '{{x}}_default', 'img'],
    ['docker', 'run', '--network', 'app-{{x}}', 'img'],
    ['docker', 'run', '--rm', '--network=net_{{x}}', 'img'],
    ['docker', 'create', '--net', '{{x}}_default', 'img'],
    ['docker', 'compose', 'run', '--network', '{{x}}_default', 'app'],
    ['docker', 'service', 'create', '--network', 'overlay-{{x}}', 'img'],
    ['docker', 'service', 'update', '--network-add', 'overlay-{{x}}', 'app'],
    ['docker', 'build', '--network', '{{x}}_default', '-t', 'app:1', '.'],
    ['docker', 'build', '-t', 'app:1', '.', '--network=net_{{x}}'],
    ['podman', 'run', '--network', 'pod-{{x}}', 'img'],
  ])
    checkedOnceRendered(
      argv,
      ['x:y', '../a', 'a b', 'a/b', 'x,y'],
      ['production', 'staging-2', 'none'],
      network,
    );
  // The whole value may not be host (any case), nor start with "-" or "." once rendered.
  checkedOnceRendered(['docker', 'run', '--network', 'ho{{x}}', 'img'], ['st', 'ST'], ['stname'], network);
  checkedOnceRendered(['docker', 'run', '--network', '{{x}}ost', 'img'], ['h', 'H'], ['g'], network);
  checkedOnceRendered(['docker', 'run', '--network', '{{x}}_default', 'img'], ['-x', '.a'], ['a'], network);
  assert.equal(
    renderArgv(['docker', 'run', '--network={{x}}_default', 'img'], 'production').argv.join(' '),
    'docker run --network=production_default img',
  );
  // A variable there is not rendered whole: refused.
  assertScriptRefused('N={{x}}; docker run --network "net-$N" img', /the network docker run --network joins/);
  // A variable holding the whole network, fixed text and the value, is: the network it makes is checked.
  scriptCheckedOnceRendered(
    'N={{x}}_default; docker run --network "$N" img',
    ['x:y', '../a', 'a b'].map((v) => [v, network] as const),
    ['production'],
  );
});

test('docker service create: a template in the command its tasks run, or in --args, is refused', () => {
  for (const [spec, message] of [
    [
      ['docker', 'service', 'create', 'img', '{{x}}'],
      /the word naming the program docker service create runs/,
    ],
    [
      ['docker', 'service', 'create', '--replicas', '3', '--name', 'app', 'img', '{{x}}', '--flag'],
      /the program docker service create runs/,
    ],
    [
      ['docker', '-H', 'ssh://deploy@prod', 'service', 'create', '--mode', 'global', 'img', '{{x}}'],
      /the program docker service create runs/,
    ],
    [['docker', 'service', 'create', '--entrypoint', '{{x}}', 'img'], /the program docker --entrypoint runs/],
    [['docker', 'service', 'create', 'img', 'sh', '-c', 'echo {{x}}'], /inside the script of "sh -c"/],
    [
      ['docker', 'service', 'update', '--args', '{{x}}', 'app'],
      /the program docker service update --args runs \(split into a command and its arguments\)/,
    ],
    [
      ['docker', 'service', 'update', '--args=./deploy {{x}}', 'app'],
      /the program docker service update --args runs/,
    ],
    [
      ['docker', 'service', 'create', '--frobnicate', '1', 'img', '{{x}}'],
      /comes after docker service create's option --frobnicate/,
    ],
  ] as Array<[string[], RegExp]>)
    assertRefused(spec, message);
  // Its arguments after a fixed program, and the options of a service, take values as docker run's do.
  for (const spec of [
    ['docker', 'service', 'create', '--replicas', '3', '--name', 'app-{{x}}', 'img', './deploy', '{{x}}'],
    ['docker', 'service', 'create', '--with-registry-auth', '--env', 'V={{x}}', 'img:{{x}}'],
    ['docker', 'service', 'create', '--constraint', 'node.labels.env=={{x}}', 'img', './run'],
    ['docker', 'service', 'update', '--image', 'registry/app:{{x}}', 'app'],
    ['docker', 'service', 'ls', '--filter', 'name={{x}}'],
  ])
    assertAccepted(spec);
});

test('docker service --args: a value in a long option of a fixed program is checked once rendered to stay one argument', () => {
  for (const argv of [
    ['docker', 'service', 'update', '--args', 'serve --version={{x}}', 'app'],
    ['docker', 'service', 'update', '--args=./deploy --env={{x}} --verbose', 'app'],
  ])
    checkedOnceRendered(
      argv,
      ['1 --config=/etc/x', 'a"b', "a'b", 'a\\b', 'a#b', 'a\tb'],
      ['production', '1.2.3', 'a=b'],
      /is in the arguments docker service update --args gives, and its value holds/,
    );
  // The program, a value as a word of its own, quotes, and a shell or interpreter there stay refused.
  for (const [spec, message] of [
    [
      ['docker', 'service', 'update', '--args', '{{x}} serve', 'app'],
      /the program docker service update --args runs/,
    ],
    [
      ['docker', 'service', 'update', '--args', 'serve {{x}}', 'app'],
      /the program docker service update --args runs/,
    ],
    [
      ['docker', 'service', 'update', '--args', 'serve "--v={{x}}"', 'app'],
      /the program docker service update --args runs/,
    ],
    [
      ['docker', 'service', 'update', '--args', 'sh -c {{x}}', 'app'],
      /the program docker service update --args runs/,
    ],
    [['docker', 'service', 'update', '--args', 'node --eval={{x}}', 'app'], /node/],
    [['docker', 'service', 'update', '--args', 'env --split-string={{x}}', 'app'], /env/],
    [['docker', 'service', 'update', '--args', 'sudo node --eval={{x}}', 'app'], /node --eval/],
    [['docker', 'service', 'update', '--args', 'timeout 5 env --split-string={{x}}', 'app'], /env -S/],
  ] as Array<[string[], RegExp]>)
    assertRefused(spec, message);
});

test('docker stops reading its options at the image: the first word after it is the program, the rest its arguments', () => {
  for (const spec of [
    ['docker', 'service', 'create', '--name', 'app', 'registry/app:1', '--version', '{{x}}'],
    ['docker', 'run', '--rm', 'registry/app:1', '--tag', '{{x}}'],
    ['docker', 'run', '--rm', 'registry/app:1', '-v', '{{x}}'],
    ['docker', 'create', 'registry/app:1', '--env', 'production', '--release={{x}}'],
    ['docker', 'exec', 'app', '--version', '{{x}}'],
    ['podman', 'run', 'registry/app:1', '--tag', '{{x}}'],
    ['docker', 'compose', 'run', '--rm', 'app', '--tag', '{{x}}'],
  ])
    assertAccepted(spec);
  // The first word after the image stays the program, and an inline script stays code.
  for (const [spec, message] of [
    [['docker', 'run', '--rm', 'img', '{{x}}', '--tag', '1'], /the program docker run runs/],
    [['docker', 'run', 'img', 'sh', '-c', '{{x}}'], /inside the script of "sh -c"/],
    [['docker', 'run', 'img', 'sh', '-c', 'echo {{x}}'], /inside the script of "sh -c"/],
    [['docker', 'service', 'create', 'img', 'env', '{{x}}'], /the program env runs/],
  ] as Array<[string[], RegExp]>)
    assertRefused(spec, message);
});

test('--entrypoint naming a shell or an interpreter runs the words after the image as its command', () => {
  for (const [spec, message] of [
    [
      ['docker', 'run', '--entrypoint', 'sh', 'img', '-c', 'echo {{x}}'],
      /inside the script of "sh -c", which docker starts/,
    ],
    [['docker', 'run', '--entrypoint=/bin/sh', 'img', '-c', '{{x}}'], /inside the script of "\/bin\/sh -c"/],
    [
      ['docker', 'run', '--rm', '--entrypoint', 'bash', 'img', '-lc', './deploy {{x}}'],
      /the script of "bash -c"/,
    ],
    [['docker', 'create', '--entrypoint', 'sh', '--', 'img', '-c', '{{x}}'], /the script of "sh -c"/],
    [['docker', 'compose', 'run', '--entrypoint', 'sh', 'app', '-c', '{{x}}'], /the script of "sh -c"/],
    [['docker', 'service', 'create', '--entrypoint', 'sh', 'img', '-c', '{{x}}'], /the script of "sh -c"/],
    [['podman', 'run', '--entrypoint', 'python3', 'img', '-c', 'print({{x}})'], /the code "python3 -c" runs/],
    [['sudo', 'nerdctl', 'run', '--entrypoint', 'node', 'img', '-e', '{{x}}'], /the code "node -e" runs/],
  ] as Array<[string[], RegExp]>)
    assertRefused(spec, message);
  assertScriptRefused("docker run --entrypoint sh img -c 'deploy {{x}}'", /the script of "sh -c"/);
  // An empty entrypoint resets the image's: the word after the image is the program again.
  assertRefused(['docker', 'run', '--entrypoint', '', 'img', '{{x}}'], /the program docker run runs/);
  assertRefused(['docker', 'run', '--entrypoint=', 'img', '{{x}}'], /the program docker run runs/);
  // What the entrypoint runs of its arguments: bash's script, sudo's program.
  assertRefused(
    ['docker', 'run', '--entrypoint', 'bash', 'img', '{{x}}'],
    /the file bash loads and runs as code/,
  );
  assertRefused(
    ['docker', 'run', '--entrypoint', 'sudo', 'img', '-u', 'app', '{{x}}'],
    /the program sudo runs/,
  );
  // The value as an argument of the inline script, or of a fixed script, stays accepted.
  for (const spec of [
    ['docker', 'run', '--entrypoint', 'sh', 'img', '-c', './deploy.sh "$1"', 'sh', '{{x}}'],
    ['docker', 'run', '--entrypoint', 'sh', 'img', './deploy.sh', '{{x}}'],
    ['docker', 'run', '--entrypoint', 'python3', 'img', 'deploy.py', '{{x}}'],
    // The words after the image are the fixed entrypoint's arguments, not a program (nor docker's -c).
    ['docker', 'run', '--entrypoint', '/app/deploy', 'img', '{{x}}'],
    ['docker', 'run', '--entrypoint', '/app/deploy', 'img', '-c', 'prod', '{{x}}'],
  ])
    assertAccepted(spec);
});

test('kubectl, oc and helm: a template in the API server, the user acted as, what is trusted or the rights of a pod is refused', () => {
  for (const [spec, message] of [
    [['kubectl', '--server', '{{x}}', 'get', 'pods'], /the API server .*which kubectl --server chooses/],
    [['kubectl', '-s', 'https://{{x}}:6443', 'apply', '-f', 'k8s/'], /the API server .*kubectl -s/],
    [['kubectl', 'apply', '-f', 'k8s/', '--server={{x}}'], /which kubectl --server chooses/],
    [['kubectl', '--as', '{{x}}', 'apply', '-f', 'k8s/'], /the user acted as .*kubectl --as chooses/],
    [['oc', '--as-group=system:{{x}}', 'get', 'pods'], /the group acted as .*oc --as-group/],
    [['kubectl', '--certificate-authority', '{{x}}', 'get', 'pods'], /the certificate authority trusted/],
    [['kubectl', '--insecure-skip-tls-verify={{x}}', 'get', 'pods'], /whether the API server certificate/],
    [['helm', '--kube-apiserver', '{{x}}', 'list'], /the API server .*helm --kube-apiserver/],
    [
      ['helm', 'upgrade', 'app', './chart', '--kube-as-user={{x}}'],
      /the user acted as .*helm --kube-as-user/,
    ],
    // The rights of the pod that runs.
    [
      ['kubectl', 'run', 'p', '--image=busybox', '--overrides={{x}}'],
      /the pod spec merged in \(privileged, hostPath mounts, hostPID: the node\), which kubectl run --overrides/,
    ],
    [
      ['kubectl', '-n', 'prod', 'run', 'p', '--image', 'a', '--overrides', '{{x}}'],
      /kubectl run --overrides/,
    ],
    [['kubectl', 'run', 'p', '--image=a', '--privileged={{x}}'], /every right of the node/],
    [
      ['kubectl', 'debug', 'node/n', '-it', '--image=busybox', '--profile={{x}}'],
      /the profile \(sysadmin: a privileged container on the node\), which kubectl debug --profile/,
    ],
    [['oc', 'debug', 'pod/app', '--profile', '{{x}}'], /which oc debug --profile chooses/],
    [
      ['kubectl', 'debug', 'pod/app', '--custom={{x}}', '--image=busybox'],
      /the container spec read from a file/,
    ],
    // A program written into the kubeconfig, which kubectl runs from then on.
    [
      ['kubectl', 'config', 'set-credentials', 'ci', '--exec-command={{x}}'],
      /the word naming the credential plugin written into the kubeconfig, which kubectl config set-credentials --exec-command chooses/,
    ],
    [
      ['kubectl', 'config', 'set-credentials', 'ci', '--auth-provider-arg', 'cmd-path={{x}}'],
      /the auth provider settings \(cmd-path: a program it runs\)/,
    ],
  ] as Array<[string[], RegExp]>)
    assertRefused(spec, message);
  assertRefused(
    ['kubectl', 'run', 'p', '--image=a', '--overrides={{x}}'],
    /its value would choose the rights the container has .*write the option's value in the config/,
  );
  assertScriptRefused('S={{x}}; kubectl --server "$S" apply -f k8s/', /the API server/);
  // The namespace and the context (entries of the runner's own kubeconfig), the image's tag, fixed overrides,
  // the program's arguments after --, and the global --profile (pprof) of other subcommands stay accepted.
  for (const spec of [
    ['kubectl', '-n', '{{x}}', 'apply', '-f', 'k8s/'],
    ['kubectl', '--context', 'prod', 'rollout', 'status', 'deploy/app', '-n', '{{x}}'],
    ['kubectl', 'run', 'p', '--image=registry/app:{{x}}', '--overrides={"spec":{}}'],
    ['kubectl', 'run', 'p', '--image=a', '--privileged', '--', './deploy', '{{x}}'],
    ['kubectl', 'exec', 'pod', '--', './x', '--server', '{{x}}'],
    ['kubectl', 'config', 'set-credentials', 'ci', '--exec-command=aws', '--exec-arg=--region={{x}}'],
    ['kubectl', 'get', 'pods', '-l', 'app={{x}}', '--profile=none'],
    ['helm', 'upgrade', 'app', './chart', '--kube-context', 'prod', '--set-string', 'image.tag={{x}}'],
  ])
    assertAccepted(spec);
});

test('a value in the user a container runs as must be a number other than 0, checked once rendered', () => {
  const user =
    /is in the user or group a container runs as \(--user\), and its value .* is not a number other than 0/;
  for (const argv of [
    ['docker', 'run', '--user', '{{x}}', 'img'],
    ['docker', 'run', '-u', '{{x}}:{{x}}', 'img'],
    ['docker', 'run', '--user={{x}}', 'img'],
    ['docker', 'run', '-itu', '{{x}}', 'img'],
    ['docker', 'exec', '-u', '{{x}}', 'app', './deploy'],
    ['docker', 'compose', 'run', '--user', '{{x}}', 'app'],
    ['docker', 'service', 'create', '--user', '{{x}}', 'img'],
    ['podman', 'run', '--user', '{{x}}', 'img'],
  ])
    checkedOnceRendered(
      argv,
      ['0', 'root', '00', '', '0:0', '1000:0', 'app', '-1', '1 ', '1000:1000'],
      ['1000', '65534', '1'],
      user,
    );
  assert.throws(() => renderShellScript('U={{x}}; docker run --user "$U" img', { x: '0' }), user);
  assert.doesNotThrow(() => renderShellScript('U={{x}}; docker run --user "$U" img', { x: '1000' }));
  assertScriptRefused(
    'U=$(echo {{x}}); docker run --user "$U" img',
    /where only a template written there, or a variable set from fixed text and templates alone/,
  );
  // A fixed user, and a template elsewhere, are not checked.
  assert.doesNotThrow(() => renderArgv(['docker', 'run', '--user', '1000', '-e', 'V={{x}}', 'img'], 'root'));
});

test('kubectl patch: a value in the patch is checked once rendered to add no structure, and --patch-file is refused', () => {
  const patch = '{"spec":{"template":{"spec":{"containers":[{"name":"app","image":"registry/app:{{x}}"}]}}}}';
  const structure =
    /is in the patch (kubectl|oc) patch applies, which it reads as JSON or YAML, and its value holds/;
  for (const argv of [
    ['kubectl', 'patch', 'deploy', 'app', '-p', patch],
    ['kubectl', 'patch', 'deploy/app', '--type', 'merge', '--patch', patch],
    ['kubectl', '-n', 'prod', 'patch', 'deploy', 'app', `--patch=${patch}`],
    ['oc', 'patch', 'dc/app', '-p', patch],
    ['kubectl', 'patch', 'deploy', 'app', '-p', '{{x}}'],
  ])
    checkedOnceRendered(
      argv,
      ['1","securityContext":{"privileged":true},"a":"', '{"spec":{"hostPID":true}}', 'a\nb: c'],
      ['1.2.3', 'v1.2.3-rc.1'],
      structure,
    );
  assertRefused(
    ['kubectl', 'patch', 'deploy', 'app', '-p', '{"{{x}}":1}'],
    /is in a key of the patch kubectl patch applies/,
  );
  assertRefused(
    ['kubectl', 'patch', 'deploy', 'app', '--patch-file', '{{x}}'],
    /the patch read from a file .*which kubectl patch --patch-file chooses/,
  );
  // -p of other subcommands is not a patch (kubectl logs -p: the previous container).
  assertAccepted(['kubectl', 'logs', '-p', 'app-{{x}}']);
});

test('argocd app patch --patch: a value in the patch is checked once rendered to add no structure, as kubectl patch', () => {
  const merge = '{"spec":{"source":{"targetRevision":"{{x}}"}}}';
  const json = '[{"op":"replace","path":"/spec/source/targetRevision","value":"{{x}}"}]';
  for (const argv of [
    ['argocd', 'app', 'patch', 'app', '--patch', merge, '--type', 'merge'],
    ['argocd', 'app', 'patch', 'app', `--patch=${json}`, '--type', 'json'],
    ['argocd', '--grpc-web', 'app', 'patch', 'app', '--patch', '{{x}}'],
    ['argocd', 'app', 'patch-resource', 'app', '--kind', 'Deployment', '--patch', merge],
  ])
    checkedOnceRendered(
      argv,
      // The source's repository, or the destination cluster, added by a quote.
      ['v1","repoURL":"https://evil.example/r.git', '{"spec":{"project":"admin"}}', 'a\nb: c'],
      ['v1.2.3', 'main', 'release-1.2'],
      /is in the patch argocd app patch(-resource)? applies, which it reads as JSON or YAML, and its value holds/,
    );
  assertRefused(
    ['argocd', 'app', 'patch', 'app', '--patch', '{"spec":{"{{x}}":1}}'],
    /is in a key of the patch argocd app patch applies/,
  );
  // --patch of another command is not read so.
  assertAccepted(['argocd', 'app', 'set', 'app', '--revision', '{{x}}']);
});

test('the variables naming a container engine, its config or the API server are code variables, as the options are', () => {
  const message = (variable: string) =>
    new RegExp(`is in the value of the variable ${variable}, which programs read`);
  for (const [variable, program] of [
    ['DOCKER_HOST', 'docker run img'],
    ['DOCKER_CONTEXT', 'docker compose up -d'],
    ['DOCKER_CERT_PATH', 'docker ps'],
    ['BUILDKIT_HOST', 'buildctl build'],
    ['CONTAINER_HOST', 'podman run img'],
    ['CONTAINERS_CONF', 'podman run img'],
    ['CONTAINERS_STORAGE_CONF', 'buildah from img'],
    ['REGISTRY_AUTH_FILE', 'podman pull img'],
    ['CONTAINERD_ADDRESS', 'nerdctl run img'],
    ['COMPOSE_FILE', 'docker compose up -d'],
    ['COMPOSE_ENV_FILES', 'docker compose up -d'],
    ['HELM_KUBEAPISERVER', 'helm list'],
    ['HELM_KUBEASGROUPS', 'helm upgrade app ./chart'],
  ]) {
    assertRefused(['env', `${variable}={{x}}`, ...program!.split(' ')], message(variable!));
    assertScriptRefused(`export ${variable}="tcp://{{x}}"; ${program}`, message(variable!));
  }
  assertAccepted(['env', 'IMAGE_TAG={{x}}', 'docker', 'compose', 'up', '-d']);
});

test('a build: a template in the rights of its RUN steps, or in a file or directory of this machine it reads or writes, is refused', () => {
  for (const [spec, message] of [
    [['docker', 'build', '--network', '{{x}}', '.'], /the network namespace .*docker build --network/],
    [['docker', 'build', '-t', 'app:1', '.', '--network={{x}}'], /docker build --network/], // options after the context
    [['docker', 'build', '--network=container:{{x}}', '.'], /docker build --network/],
    [
      ['docker', 'build', '--security-opt', '{{x}}', '.'],
      /the security profile .*docker build --security-opt/,
    ],
    [
      ['docker', 'buildx', 'build', '--allow', '{{x}}', '.'],
      /the entitlements .*docker buildx build --allow/,
    ],
    [
      ['docker', 'buildx', '--builder', 'ci', 'build', '--secret', 'id=npm,src={{x}}', '.'],
      /the secret its RUN steps read .*docker buildx build --secret/,
    ],
    [['docker', 'build', '--secret', 'id=npm,src=/run/{{x}}', '.'], /docker build --secret/],
    [['docker', 'buildx', 'build', '--ssh', 'default={{x}}', '.'], /the ssh agent socket or key/],
    [['docker', 'buildx', 'build', '-o', 'type=local,dest={{x}}', '.'], /where its result is written/],
    [['docker', 'buildx', 'build', '--cache-to', 'type=local,dest={{x}}', '.'], /where its cache is written/],
    [
      ['docker', 'image', 'build', '--cache-from', 'type=local,src={{x}}', '.'],
      /the cache whose layers stand for/,
    ],
    [['podman', 'build', '--cap-add', '{{x}}', '.'], /the kernel capabilities podman build --cap-add/],
    [
      ['podman', 'build', '-v', '/srv/{{x}}:/src', '.'],
      /the host path podman build -v mounts into the container/,
    ],
    [['buildah', 'bud', '--device', '{{x}}', '.'], /the device of this machine buildah bud --device/],
    [['nerdctl', 'build', '--network', '{{x}}', '.'], /nerdctl build --network/],
  ] as Array<[string[], RegExp]>)
    assertRefused(spec, message);
  for (const spec of [
    ['docker', 'build', '-t', 'app:{{x}}', '--build-arg', 'VERSION={{x}}', '--label', 'v={{x}}', '.'],
    ['docker', 'build', '-c', '512', '--network', 'host', '-t', 'app:{{x}}', '.'],
    ['docker', 'buildx', 'build', '--platform', 'linux/{{x}}', '--push', '-t', 'registry/app:{{x}}', '.'],
    ['docker', 'buildx', 'build', '--secret', 'id=npm,src=.npmrc', '-t', 'app:{{x}}', '.'],
  ])
    assertAccepted(spec);
});

test('docker cp: a template in the destination, a file of this machine or of the container, is refused', () => {
  const write =
    /is in the destination (docker|podman|nerdctl)( container)? cp writes to \(.*\): its value would choose the file written, of this machine .* or of the container/;
  for (const spec of [
    ['docker', 'cp', 'app:/srv/report.txt', '/tmp/{{x}}'],
    ['docker', 'cp', 'app:/srv/report.txt', '{{x}}'],
    ['docker', 'cp', './dist/.', 'app:/srv/{{x}}'],
    ['docker', 'cp', '--', './dist', 'app:{{x}}'],
    ['docker', 'container', 'cp', '-a', 'app:/x', '/out/{{x}}'],
    ['podman', 'cp', 'app:/x', '{{x}}'],
    ['nerdctl', 'cp', './dist', 'app:/srv/{{x}}'],
  ])
    assertRefused(spec, write);
  // What is copied out of the container, and fixed destinations.
  for (const spec of [
    ['docker', 'cp', 'app:/srv/{{x}}.log', './logs'],
    ['docker', 'cp', 'app-prod:/srv/report.txt', './out'],
    ['docker', 'cp', './dist', 'app-{{x}}:/srv'], // the container's name
  ])
    assertAccepted(spec);
});
