// What a container runner mounts into the container it runs or creates (docker/podman/nerdctl run and create,
// docker compose run, docker service create and update; docker exec's rights and user): `-v SOURCE:TARGET[:OPTIONS]`, `--mount type=…,src=…,dst=…`, `--volumes-from`,
// `--device`, `--tmpfs`. A value in the host side of a bind mount chooses which directory of this machine the
// container gets (the docker socket, /etc, a directory laid over the code the container runs); a value in the
// container side chooses which of the container's own files the mount hides (its programs, its libraries, the
// code its entrypoint runs), and no check of a plain word under a fixed directory can tell a data directory from
// a code one. Both are refused when the config loads (launchers.ts). A named volume (`-v data-{{env}}:/data`,
// `--mount type=volume,src=…`) may take a value, checked once rendered: it must stay a volume name, since a
// value with a `/` (or starting with `.` or `~`) makes the source a host path, and one with `,` or `=` adds
// fields to `--mount`. Options giving the container rights over this machine (capabilities, namespaces, the
// network, groups, a runtime) and the runner's global options choosing its engine (the daemon, runtime, storage,
// hooks, a file it reads: docker -H, podman --runtime, compose --env-file) refuse a template as well, and so do
// kubectl's, oc's and helm's options choosing the API server, the user acted as or what is trusted, and the
// rights of a pod kubectl runs (run --overrides, debug --profile). An image reference (run, create, service
// create, pull, push, tag, buildah from, kubectl --image and set image) refuses a template that is the whole
// image, starts it or is in its registry host (or a public registry's account); one in its tag, digest or a
// component of its name is checked once rendered to keep that part's shape; the same for the other tools naming
// images (IMAGE_TOOLS: gcloud run deploy --image, skopeo, crane, kind load, cosign, trivy, crictl, ctr; oc
// new-app, docker buildx imagetools), where a path of this machine standing for an image (skopeo's dir:, crane
// pull's tarball) refuses a template. A context (docker --context, docker context use, podman -c/--connection,
// kubectl --context/--cluster/--user, config use-context, helm --kube-context, the context trivy k8s scans,
// gcloud --configuration) refuses a template: an entry of the runner's own config holding credentials, so even a
// plain name picks who acts (gcloud --project takes a value checked once rendered to be one DNS-1123 label, as a
// namespace). The builder docker buildx builds with (--builder,
// buildx use, buildx create) and the server a registry login sends the credentials to (docker login SERVER, crane
// auth login, helm registry login, gcloud auth configure-docker, …) refuse a template; so do gcloud's options
// choosing who it acts as or the flags it reads, and gcloud config set's property and value. Pure.
//
// This file is the public face, with the reading of a runner's command (containerMounts); the parts live in files
// of one concern each: container-sites.ts (what is found), container-options.ts (global options, rights, trust
// switches), mount-values.ts, image-references.ts, container-builds.ts, cluster-names.ts, context-names.ts,
// image-tools.ts with image-tool-types.ts, ctr-commands.ts and gcloud-commands.ts, image-tool-command.ts,
// tool-commands.ts, registry-logins.ts, and container-names.ts (the checks once rendered).
import { type ContainerMounts, templates } from './container-sites.ts';
import { registryLogin } from './registry-logins.ts';
import { clusterNames } from './cluster-names.ts';
import { IMAGE_TOOLS, IMAGETOOLS } from './image-tools.ts';
import { imageTool } from './image-tool-command.ts';
import { globalOptions, options, TRUST_SWITCHES, trustSwitch } from './container-options.ts';
import { buildxBuilder, buildOptions } from './container-builds.ts';
import { toolCommand } from './tool-commands.ts';
import { contextName } from './context-names.ts';
import type { ImageToolCommand } from './image-tool-types.ts';
import { mountValue } from './mount-values.ts';
import { imageReference } from './image-references.ts';
import {
  deploySources,
  environmentName,
  flyCommand,
  flyOperands,
  helmPushRegistry,
  awsOption,
} from './deploy-sources.ts';
import { composeServices, SERVICE_WHY } from './compose-services.ts';
import { lookupTable } from './lookup-table.ts';
export { type MountWord, type ContainerMounts, type CheckedName } from './container-sites.ts';
export { BUILD_VALUES, isBuildReference } from './container-builds.ts';
export { clusterOptions, kubectlPatchWords } from './cluster-names.ts';
export { containerNameProblem, containerLiteralFits, containerValueProblem } from './container-names.ts';
export {
  isVolumeNameText,
  volumeVariableMessage,
  volumeNameProblem,
  userIdProblem,
  userVariableMessage,
} from './mount-values.ts';
export {
  imageReference,
  buildReferenceRefusal,
  imageTextRefusal,
  imageTextProblem,
} from './image-references.ts';
export { namespaceName } from './context-names.ts';
export { TRIVY_VALUES } from './image-tools.ts';
export { GCLOUD_OPTIONAL } from './gcloud-commands.ts';

/** docker/podman/nerdctl run and create, and docker compose run: options that take a value written apart. */
export const CONTAINER_RUN_VALUES: readonly string[] = [
  ...['-a', '-c', '-e', '-h', '-l', '-m', '-p', '-u', '-v', '-w'],
  ...['--attach', '--add-host', '--annotation', '--blkio-weight', '--cap-add', '--cap-drop'],
  ...['--cgroup-parent', '--cgroupns', '--cidfile', '--cpu-period', '--cpu-quota', '--cpu-shares'],
  ...['--cpus', '--cpuset-cpus', '--cpuset-mems', '--device', '--dns', '--dns-option', '--dns-search'],
  ...['--domainname', '--entrypoint', '--env', '--env-file', '--expose', '--gpus', '--group-add'],
  ...['--health-cmd', '--health-interval', '--health-retries', '--health-timeout', '--hostname', '--ip'],
  ...['--ip6', '--ipc', '--isolation', '--label', '--label-file', '--link', '--log-driver', '--log-opt'],
  ...['--mac-address', '--memory', '--memory-swap', '--mount', '--name', '--network', '--net'],
  ...['--network-alias', '--pid', '--platform', '--publish', '--pull', '--restart', '--runtime'],
  ...['--security-opt', '--shm-size', '--stop-signal', '--stop-timeout', '--storage-opt', '--sysctl'],
  ...['--tmpfs', '--ulimit', '--user', '--userns', '--uts', '--volume', '--volume-driver'],
  ...['--volumes-from', '--workdir', '--detach-keys', '--index', '--project-name', '--file'],
  // docker run --help (Docker 27) besides those above.
  ...['--pids-limit', '--memory-reservation', '--oom-score-adj', '--health-start-period'],
  ...['--health-start-interval', '--memory-swappiness', '--device-read-bps', '--device-write-bps'],
  ...['--device-read-iops', '--device-write-iops', '--cpu-rt-period', '--cpu-rt-runtime', '--kernel-memory'],
  ...['--blkio-weight-device', '--link-local-ip', '--device-cgroup-rule', '--cpu-count', '--cpu-percent'],
  ...['--io-maxbandwidth', '--io-maxiops', '--credentialspec', '--health-start-period'],
  // docker compose run/exec.
  ...['--profile', '--project-directory', '--env-file', '--parallel', '--progress', '--ansi'],
  // podman run --help.
  ...['--pod', '--pod-id-file', '--arch', '--os', '--variant', '--authfile', '--cgroup-conf', '--cgroups'],
  ...['--chrootdirs', '--conmon-pidfile', '--creds', '--decryption-key', '--gidmap', '--uidmap'],
  ...['--subgidname', '--subuidname', '--group-entry', '--hooks-dir', '--hostuser', '--image-volume'],
  ...['--init-path', '--passwd-entry', '--personality', '--pidfile', '--preserve-fds', '--rdt-class'],
  ...['--requires', '--sdnotify', '--seccomp-policy', '--secret', '--timeout', '--tz', '--umask'],
  ...['--unsetenv', '--health-on-failure', '--health-startup-cmd', '--health-startup-interval'],
  ...['--health-startup-retries', '--health-startup-success', '--health-startup-timeout', '--mask'],
  ...['--health-log-destination', '--health-max-log-count', '--health-max-log-size', '--unmask'],
  ...['--cert-dir', '--signature-policy', '--retry', '--retry-delay', '--systemd', '--cpu-rt-period'],
  ...['--env-merge', '--log-level', '--mount', '--shm-size-systemd', '--preserve-fd', '--expose'],
  // nerdctl run: how the signature of the image it pulls is verified (as nerdctl pull's).
  ...['--verify', '--cosign-key', '--cosign-certificate-identity', '--cosign-certificate-identity-regexp'],
  ...['--cosign-certificate-oidc-issuer', '--cosign-certificate-oidc-issuer-regexp'],
  // nerdctl run: the IPFS API it pulls from, the SOCI index it lazily pulls by (IMAGE_COMMAND_TRUST).
  ...['--ipfs-address', '--soci-index-digest'],
];

/** docker service create and update (swarm): options that take a value written apart, besides run's. */
export const SERVICE_VALUES: readonly string[] = [
  ...[
    '--replicas',
    '--replicas-max-per-node',
    '--mode',
    '--constraint',
    '--constraint-add',
    '--constraint-rm',
  ],
  ...['--placement-pref', '--placement-pref-add', '--placement-pref-rm', '--update-delay', '--update-order'],
  ...['--update-parallelism', '--update-failure-action', '--update-monitor', '--update-max-failure-ratio'],
  ...['--rollback-delay', '--rollback-parallelism', '--rollback-failure-action', '--rollback-monitor'],
  ...['--rollback-max-failure-ratio', '--rollback-order', '--restart-condition', '--restart-delay'],
  ...['--restart-max-attempts', '--restart-window', '--stop-grace-period', '--limit-cpu', '--limit-memory'],
  ...['--limit-pids', '--reserve-cpu', '--reserve-memory', '--endpoint-mode', '--config', '--config-add'],
  ...['--config-rm', '--secret-add', '--secret-rm', '--env-add', '--env-rm', '--label-add', '--label-rm'],
  ...['--container-label', '--container-label-add', '--container-label-rm', '--mount-add', '--mount-rm'],
  ...['--publish-add', '--publish-rm', '--network-add', '--network-rm', '--dns-add', '--dns-rm', '--host'],
  ...['--host-add', '--host-rm', '--image', '--args', '--generic-resource', '--generic-resource-add'],
  ...['--generic-resource-rm', '--max-concurrent', '--group', '--group-add', '--group-rm', '--cap-add'],
  ...['--credential-spec', '--dns-option-add', '--dns-option-rm', '--dns-search-add', '--dns-search-rm'],
];

const RUNNERS = new Set(['docker', 'podman', 'nerdctl', 'docker-compose', 'buildah']);

/** The subcommands, per runner, whose options are read here (after docker's container or service). */
const RUN_SUBCOMMANDS: Record<string, RegExp> = lookupTable({
  buildah: /^(run|from)$/,
  other: /^(run|create|update|exec)$/,
});

/**
 * The mounts of a container runner's command (`words[at]` is the runner, named `name`): the parts of its mount
 * options holding a template that are refused, and the words whose templates name a named volume.
 */
export function containerMounts(words: readonly string[], at: number, name: string): ContainerMounts {
  const found: ContainerMounts = { refused: [], volumes: [], users: [], names: new Map() };
  registryLogin(found, words, at, name);
  deploySources(found, words, at, name);
  deployImages(found, words, at, name);
  if (name === 'kubectl' || name === 'oc' || name === 'helm') {
    clusterNames(found, words, at, name);
    return found;
  }
  if (Object.hasOwn(IMAGE_TOOLS, name)) {
    imageTool(found, words, at, name);
    return found;
  }
  if (!RUNNERS.has(name)) return found;
  // Its global options, then docker compose's (docker compose -f x --env-file y run), then the subcommand: run
  // or create (docker container run, docker compose run), docker service create or update (its mounts are made
  // on the swarm's nodes), buildah run or from.
  let j = globalOptions(found, words, at + 1, name === 'docker-compose' ? 'compose' : name, name);
  const group: string[] = [];
  if (words[j] === 'compose' && name !== 'docker-compose') {
    group.push('compose');
    j = globalOptions(found, words, j + 1, 'compose', `${name} compose`);
  } else if (/^(container|service|buildx|builder|image)$/.test(words[j] ?? '')) {
    group.push(words[j++]!);
    if (group[0] === 'buildx') j = options(words, j, ['--builder'], () => {});
  }
  if (group[0] === 'buildx')
    buildxBuilder(found, words, words.indexOf('buildx', at + 1) + 1, j, name, 'buildx');
  // docker build is buildx build (Docker 23 on), as are its aliases docker image build and docker builder build:
  // their --builder as well; and docker compose build --builder (compose builds with buildx's builders).
  else if (
    words[j] === 'build' &&
    ((name === 'docker' && (!group.length || group[0] === 'image' || group[0] === 'builder')) ||
      ((name === 'docker' || name === 'docker-compose') &&
        (group[0] === 'compose' || name === 'docker-compose')))
  )
    buildxBuilder(found, words, j + 1, j, name, group[0]);
  // docker compose build/up/pull/… SERVICE…: the services of the compose file, by their names.
  const compose = group[0] === 'compose' || name === 'docker-compose';
  if (compose)
    for (const k of composeServices(words, j)) serviceName(found, k, [name, ...group, words[j]].join(' '));
  // docker buildx imagetools create -t IMAGE SOURCE… and inspect IMAGE: image references, as pull's and tag's.
  const imagetools =
    group[0] === 'buildx' && words[j] === 'imagetools' ? IMAGETOOLS[words[j + 1] ?? ''] : undefined;
  if (imagetools) {
    toolCommand(found, words, j + 2, `${name} buildx imagetools ${words[j + 1]}`, name, [], imagetools);
    return found;
  }
  // docker buildx b: buildx's documented alias of build.
  if (
    words[j] === 'build' ||
    (name === 'buildah' && words[j] === 'bud') ||
    (group[0] === 'buildx' && words[j] === 'b')
  ) {
    buildOptions(found, words, j, [name, ...group, words[j]].join(' '));
    return found;
  }
  // docker context use NAME: the context later commands use, as docker --context NAME.
  if (words[j] === 'context' && !group.length && words[j + 1] === 'use' && j + 2 < words.length)
    contextName(found, j + 2, words[j + 2]!, words[j + 2]!, `the context ${name} context use chooses`);
  // pull, push and tag (image pull, …): their operands are image references (podman push's second operand too).
  if (/^(pull|push|tag)$/.test(words[j] ?? '') && (!group.length || group[0] === 'image')) {
    const command = [name, ...group, words[j]].join(' ');
    const does = { pull: 'pulls', push: 'pushes', tag: 'names' }[words[j] as 'pull' | 'push' | 'tag'];
    const grammar = {
      does,
      values: IMAGE_COMMAND_VALUES,
      flags: IMAGE_COMMAND_FLAGS,
      engine: IMAGE_COMMAND_TRUST,
      switches: TRUST_SWITCHES[name],
      operand: () => 'image' as const,
    };
    toolCommand(found, words, j + 1, command, name, [], grammar);
    return found;
  }
  // docker secret create NAME FILE (podman's, and --env: a variable's name): what the secret holds, which the
  // containers given it read.
  if (words[j] === 'secret' && words[j + 1] === 'create') {
    const operands: number[] = [];
    let env = false;
    for (let k = j + 2; k < words.length; k++)
      if (words[k]!.startsWith('-') && words[k] !== '-') {
        if (/^--env(=true)?$/.test(words[k]!)) env = true;
        if (/^(-d|--driver|-l|--label|--template-driver|--driver-opts)$/.test(words[k]!)) k++;
      } else operands.push(k);
    const source = operands[1];
    const names = source === undefined ? [] : templates(words[source]!);
    if (names.length)
      found.refused.push({
        index: source!,
        names,
        how: `${env ? 'the variable of the job' : 'the file of this machine'} ${[name, ...group].join(' ')} secret create reads into the secret (a token of the job, a key), which the containers given the secret read`,
        kind: 'rights',
      });
    return found;
  }
  // commit CONTAINER [IMAGE] (container commit too): the image it names, as tag's; the instructions -c/--change
  // applies (CMD, ENTRYPOINT: what the image runs) and the config podman's and buildah's --config read; the image
  // id --iidfile writes, as a build's.
  if (words[j] === 'commit' && (!group.length || group[0] === 'container')) {
    const command = [name, ...group, 'commit'].join(' ');
    const grammar: ImageToolCommand = {
      does: 'names',
      values: COMMIT_VALUES,
      flags: COMMIT_FLAGS,
      engine: IMAGE_COMMAND_TRUST,
      programs: COMMIT_PROGRAMS,
      mounts: ['--iidfile'],
      switches: TRUST_SWITCHES[name],
      operand: (p) => (p === 1 ? 'image' : undefined),
    };
    toolCommand(found, words, j + 1, command, name, [], grammar);
    return found;
  }
  // docker compose commit SERVICE [REPOSITORY[:TAG]]: the image it writes, as docker commit's (the service is
  // compose-services.ts'); docker compose publish REPOSITORY[:TAG]: the repository the application is pushed to,
  // as docker push's image.
  if (compose && (words[j] === 'commit' || words[j] === 'publish')) {
    const commit = words[j] === 'commit';
    const grammar: ImageToolCommand = commit
      ? {
          does: 'names',
          values: [...COMMIT_VALUES, '--index'],
          flags: COMMIT_FLAGS,
          programs: COMMIT_PROGRAMS,
          operand: (p) => (p === 1 ? 'image' : undefined),
        }
      : {
          does: 'pushes',
          values: ['--oci-version'],
          flags: ['--app', '--resolve-image-digests', '--with-env', '-y', '--yes', '--insecure-registry'],
          operand: (p) => (p === 0 ? 'image' : undefined),
        };
    toolCommand(found, words, j + 1, [name, ...group, words[j]].join(' '), name, [], grammar);
    return found;
  }
  if (/^(buildx|builder|image)$/.test(group[0] ?? '')) return found;
  // docker cp SRC DEST (container cp, podman and nerdctl cp): DEST is a path of this machine, or CONTAINER:PATH,
  // either written to (a file of this machine, the container's programs): a value in that path is refused. One
  // in the container's name is left to be a name (as in SRC, file-reads.ts reads what SRC reads).
  if (words[j] === 'cp' && !group.includes('service')) {
    const operands = words
      .slice(j + 1)
      .filter((w) => w !== '--' && !/^-[aLq]+$|^--(archive|follow-link|quiet|overwrite)$/.test(w));
    const dest = operands.length >= 2 ? operands[operands.length - 1]! : undefined;
    if (dest === undefined) return found;
    const colon = dest.indexOf(':');
    const container = colon > 0 && !/^[/.]/.test(dest) && !dest.slice(0, colon).includes('/');
    const names = templates(container ? dest.slice(colon + 1) : dest);
    if (names.length)
      found.refused.push({
        index: words.lastIndexOf(dest),
        names,
        how: `the destination ${[name, ...group, 'cp'].join(' ')} writes to`,
        kind: 'write',
      });
    return found;
  }
  if (j >= words.length || !(RUN_SUBCOMMANDS[name] ?? RUN_SUBCOMMANDS.other!).test(words[j]!)) return found;
  const service = group.includes('service');
  if (words[j] === 'update' && !service) return found;
  const values = service ? [...CONTAINER_RUN_VALUES, ...SERVICE_VALUES] : CONTAINER_RUN_VALUES;
  const command = [name, ...group, words[j]].join(' ');
  let entrypoint: { index: number; value: string } | undefined;
  let image = options(words, j + 1, values, (index, option, value) => {
    if (option === '--entrypoint') entrypoint = { index, value };
    // -e/--env NAME=VALUE (or NAME: the runner's own variable copied in), service update's --env-add: a value in
    // the name chooses the variable the container gets.
    if (option === '-e' || option === '--env' || (service && option === '--env-add')) {
      const where = service ? "the service's containers" : 'the container';
      const refusal = environmentName(index, value, `the variable ${command} ${option} sets in ${where}`);
      if (refusal) found.refused.push(refusal);
    }
    // podman run --tls-verify=VALUE, docker run --disable-content-trust=VALUE: the image it pulls.
    if (words[index] !== value && trustSwitch(found, index, option, value, TRUST_SWITCHES[name], command))
      return;
    // nerdctl run --verify none, --cosign-key FILE, --ipfs-address, --soci-index-digest: what is trusted of the
    // image it pulls, or where from, as pull's.
    const trust = IMAGE_COMMAND_TRUST[option];
    const names = templates(value);
    if (trust !== undefined && name === 'nerdctl') {
      if (names.length)
        found.refused.push({
          index,
          names,
          how: `${trust}, which ${command} ${option} chooses`,
          kind: 'trust',
        });
      return;
    }
    mountValue(found, index, option, value, command, words[index]!);
  });
  if (words[image] === '--') image++;
  // The image it runs (docker run/create, service create, buildah from; compose run's operand is a service).
  const runsImage =
    (name === 'buildah' ? words[j] === 'from' : words[j] !== 'exec' && words[j] !== 'update') &&
    !group.includes('compose') &&
    name !== 'docker-compose';
  // podman/nerdctl run --rootfs PATH: the operand is a directory of this machine, the container's whole root.
  const rootfs = words.slice(j + 1, image).some((w) => /^--rootfs(=true)?$/.test(w));
  const rootNames = rootfs && image < words.length ? templates(words[image]!) : [];
  if (rootNames.length)
    found.refused.push({
      index: image,
      names: rootNames,
      how: `the directory of this machine ${command} --rootfs runs as the root of the container`,
    });
  else if (runsImage && image < words.length)
    imageReference(found, image, words[image]!, '', name, `the image ${command} runs`);
  else if (compose && image < words.length && templates(words[image]!).length)
    serviceName(found, image, command);
  if (entrypoint?.value && name !== 'buildah' && words[j] !== 'update' && image < words.length)
    found.entrypoint = { ...entrypoint, from: image + 1 };
  return found;
}

/**
 * The image a deploy tool deploys, by the image rule: aws lambda update-function-code/create-function
 * --image-uri (or a prefix of it: awsOption), fly (flyctl) deploy and launch -i/--image, argocd app create/set
 * --kustomize-image [OLD=]NEW.
 */
function deployImages(found: ContainerMounts, words: readonly string[], at: number, name: string): void {
  const rest = words.slice(at + 1);
  const fly = name === 'fly' || name === 'flyctl' ? flyCommand(words, at) : undefined;
  const options =
    name === 'aws' && rest.includes('lambda')
      ? ['--image-uri']
      : fly === 'deploy' || fly === 'launch' || fly === 'console' || fly === 'machine update'
        ? ['-i', '--image']
        : name === 'argocd' && rest.includes('app')
          ? ['--kustomize-image']
          : [];
  // fly machine run/create IMAGE: the image the machine runs (one starting with "." or "/" is a directory it
  // builds: deploy-sources.ts).
  if (fly === 'machine run' || fly === 'machine create') {
    const image = flyOperands(words, at)[2];
    if (image !== undefined && !/^[./]/.test(words[image]!))
      imageReference(found, image, words[image]!, '', name, `the image ${name} ${fly} runs`);
  }
  // helm push CHART oci://REGISTRY/PATH: a value after the registry and a "/" follows the image rule.
  const remote = name === 'helm' ? helmPushRegistry(words, at) : undefined;
  if (remote !== undefined)
    imageReference(
      found,
      remote,
      words[remote]!,
      'oci://',
      name,
      'the repository helm push sends the chart to',
    );
  const command = name === 'aws' ? 'aws lambda' : name === 'argocd' ? 'argocd app' : `${name} ${fly}`;
  for (let k = at + 1; k < words.length && words[k] !== '--'; k++) {
    const word = words[k]!;
    const eq = word.indexOf('=');
    // aws takes a prefix of a long option for it (--image, --image-u=…: awsOption).
    const option = name === 'aws' ? awsOption(word, options) : eq > 0 ? word.slice(0, eq) : word;
    if (option === undefined || !options.includes(option)) continue;
    const index = eq > 0 ? k : k + 1;
    if (index >= words.length) continue;
    let prefix = eq > 0 ? word.slice(0, eq + 1) : '';
    // argocd --kustomize-image [OLD=]NEW: the image NEW stands for OLD (a fixed OLD= before it).
    const old = option === '--kustomize-image' ? /^[^={}]+=/.exec(words[index]!.slice(prefix.length)) : null;
    if (old) prefix += old[0];
    imageReference(found, index, words[index]!, prefix, name, `the image ${command} ${option} deploys`);
    if (eq < 0) k++;
  }
}

/** A compose service named with a value (`docker compose up app-{{x}}`): checked once rendered to be one name. */
function serviceName(found: ContainerMounts, index: number, command: string): void {
  found.names.set(index, {
    kind: 'plain',
    prefix: '',
    how: `the service ${command} names (a service of the compose file, by its name)`,
    why: SERVICE_WHY,
  });
}

/** docker/podman/nerdctl/buildah pull, push and tag: options that take a value written apart. */
const IMAGE_COMMAND_VALUES: readonly string[] = [
  ...['--platform', '--authfile', '--cert-dir', '--creds', '--arch', '--os', '--variant', '--retry'],
  ...['--retry-delay', '--decryption-key', '--encryption-key', '--sign-by', '--sign-by-sigstore', '--format'],
  ...['--digestfile', '--compression-format', '--compression-level', '--signature-policy', '--policy'],
  ...['--sign-passphrase-file', '--sign-by-sigstore-private-key', '--unpack', '--snapshotter', '-f'],
  ...['--sign-by-sq-fingerprint'],
  // nerdctl pull and push, buildah push.
  ...['--verify', '--cosign-key', '--sign', '--notation-key-name', '--cosign-certificate-identity'],
  ...['--cosign-certificate-identity-regexp', '--cosign-certificate-oidc-issuer', '--ipfs-address'],
  ...['--soci-span-size', '--soci-min-layer-size', '--estargz-compression-level', '--compression-format'],
  ...['--soci-index-digest'],
];

/**
 * docker/podman/nerdctl/buildah pull, push and tag: options choosing what is trusted (the signature policy, the
 * registry's certificates, whether and how nerdctl verifies the image's signature) or a key file read.
 */
const IMAGE_COMMAND_TRUST: Readonly<Record<string, string>> = lookupTable({
  '--signature-policy': 'the trust policy (insecureAcceptAnything: any image, unsigned)',
  '--cert-dir': 'the certificates trusted for the registry',
  '--verify': 'the way the signature of the image is verified (none: not at all)',
  '--cosign-key': 'the key the signature of the image is verified with',
  '--cosign-certificate-identity': 'the signer identity it trusts (any workflow or account)',
  '--cosign-certificate-identity-regexp': 'the signer identities it trusts (.*: anyone)',
  '--cosign-certificate-oidc-issuer': 'the issuer it trusts',
  '--cosign-certificate-oidc-issuer-regexp': 'the issuers it trusts (.*: any)',
  '--decryption-key': 'the key the image is decrypted with (a file of this machine)',
  '--sign-by-sigstore-private-key': 'the key the image is signed with (a file of this machine)',
  '--sign-passphrase-file': 'the passphrase of the signing key (a file of this machine)',
  // nerdctl pull and run: the IPFS API the image comes from (ipfs:// images), and the SOCI index it is lazily
  // pulled by (its table of the files of each layer, which the snapshotter serves them by).
  '--ipfs-address': 'the IPFS API the image is fetched from (a server elsewhere, which gives the image)',
  '--soci-index-digest':
    'the SOCI index the image is lazily pulled by (the table of its files the snapshotter serves them by: another index lays out other files)',
  '--sign-by': 'the GPG key the image is signed with (any key of the keyring, by its fingerprint)',
  '--sign-by-sq-fingerprint': 'the Sequoia key the image is signed with (any key, by its fingerprint)',
  '--sign-by-sigstore':
    'the sigstore signing parameters (a file of this machine: the key, Fulcio and Rekor it signs with)',
});

/**
 * docker/podman/nerdctl/buildah pull, push and tag: options that take no value (docker pull --help, podman-pull(1),
 * podman-push(1), nerdctl's pull and push, buildah-pull(1), buildah-push(1)).
 */
const IMAGE_COMMAND_FLAGS: readonly string[] = [
  ...['-a', '--all-tags', '-q', '--quiet', '--disable-content-trust', '--tls-verify', '--remove-signatures'],
  ...['--compress', '--force-compression', '--all', '--rm', '-D', '--disable-compression', '--all-platforms'],
  ...['--allow-nondistributable-artifacts', '--estargz', '--ipfs', '--ipfs-ensure-image', '--skip-existing'],
];

/** docker/podman/nerdctl/buildah commit: options that take a value written apart, and those taking none. */
const COMMIT_VALUES: readonly string[] = [
  ...['-a', '--author', '-m', '--message', '-f', '--format', '--authfile', '--cert-dir', '--creds'],
  ...['--encryption-key', '--encrypt-layer', '--manifest', '--sign-by', '--timestamp', '--unsetenv'],
  ...['--identity-label', '--source-date-epoch', '--add-file', '--cw', '--iidfile'],
  // How layers are compressed and retried (nerdctl, buildah): nothing a value could point elsewhere.
  ...['--compression', '--estargz-compression-level', '--estargz-chunk-size', '--estargz-min-chunk-size'],
  ...['--zstdchunked-compression-level', '--zstdchunked-chunk-size', '--compression-format'],
  ...['--compression-level', '--retry', '--retry-delay'],
];
const COMMIT_FLAGS: readonly string[] = [
  ...['-p', '--pause', '-q', '--quiet', '-s', '--squash', '--include-volumes', '--rm', '-D', '--tls-verify'],
  ...['--disable-compression', '--omit-history', '--rewrite-timestamp', '--estargz', '--zstdchunked'],
];
/** commit's options setting what the image runs: the instructions applied (CMD, ENTRYPOINT …), a config file. */
const COMMIT_PROGRAMS: Readonly<Record<string, string>> = lookupTable({
  '-c': 'the instruction applied to the image (CMD, ENTRYPOINT, ONBUILD: the program it runs; USER, WORKDIR, ENV)',
  '--change':
    'the instruction applied to the image (CMD, ENTRYPOINT, ONBUILD: the program it runs; USER, WORKDIR, ENV)',
  '--config': 'the image config read from a file (its entrypoint and command: the program it runs)',
});
