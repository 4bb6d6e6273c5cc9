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
import {
  awsOption,
  deploySources,
  environmentName,
  flyCommand,
  flyOperands,
  helmPushRegistry,
} from './deploy-sources.ts';
import { composeServices, SERVICE_WHY } from './compose-services.ts';
import { PLACEHOLDER } from './placeholder.ts';
import { shorthandBreaker } from './aws-shorthand.ts';
import { isCodeVariable } from './programs.ts';

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

/** A part of a mount option's value that takes no template (refused when the config loads). */
export interface MountWord {
  index: number;
  /** The templates of the word in that part. */
  names: string[];
  /** What the part is, for messages ("the host path docker run -v mounts into the container"). */
  how: string;
  /** The safe form the message offers instead, when there is one: a whole clause, VALUE where the template goes. */
  safe?: string;
  /**
   * An option giving the container rights over this machine, or its environment (PRIVILEGE_OPTIONS): 'rights';
   * a global option choosing the engine, what it trusts or a file it reads (GLOBAL_RIGHTS): 'engine';
   * a build's option giving it something of this machine (BUILD_RIGHTS): 'build'; an image reference whose
   * registry, owner or whole name the template chooses (imageReferenceRefusal): 'image'; an image tool's (or a
   * pull's or push's) option choosing what it trusts or signs with, or a file, directory or server of its own
   * (cosign --certificate-identity, skopeo --tmpdir, crane pull -c, ctr --tlscacert, a --switch=VALUE): 'trust';
   * an image tool's subcommand, or a word of it after a group (trivy {{x}} fs ., ctr images {{x}}): 'subcommand'.
   */
  kind?:
    | 'rights'
    | 'engine'
    | 'build'
    | 'program'
    | 'directory'
    | 'write'
    | 'image'
    | 'unknown'
    | 'scanner'
    | 'selector'
    | 'subcommand'
    | 'pairs'
    | 'entrypoint'
    | 'cloud'
    | 'login'
    | 'deletes'
    | 'trust'
    // Where what is deployed comes from or goes, or what a deploy tool trusts (deploy-sources.ts): 'source'.
    | 'source'
    // Code a tool loads or starts, named by a path or a module's name (openssl -engine, gpg --agent-program): 'code'.
    | 'code'
    // Who a tool acts as or where it sends its credentials (kubectl --token, vault -address): 'credential'.
    | 'credential'
    // Who is granted rights, or which (aws iam attach-role-policy --role-name, --policy-arn): 'grant'.
    | 'grant';
}

export interface ContainerMounts {
  refused: MountWord[];
  /** Words whose templates are in the name of a named volume: checked once rendered (volumeNameProblem). */
  volumes: number[];
  /** Words whose templates are in the user a container runs as (--user): checked once rendered (userIdProblem). */
  users: number[];
  /**
   * Words whose templates are in a name checked once rendered (containerNameProblem): the network a container or
   * build joins (`--network app-{{env}}`), the image or cache reference of a build's output or cache.
   */
  names: Map<number, CheckedName>;
  /**
   * run/create/service create --entrypoint PROGRAM IMAGE ARGS: the word holding the program (`index`, `value` its
   * text) and the first of the arguments it gets (`from`), read as that program's command (sh … -c CODE).
   */
  entrypoint?: { index: number; value: string; from: number };
  /** docker service --args with a value in a long option: the word, and the words docker splits it into. */
  args?: { index: number; words: string[] };
}

/** A value checked once rendered to be one plain name (see CheckedName's `plain`), after `prefix`. */
interface PlainNameCheck {
  prefix: string;
  how: string;
  why: string;
  suffix?: string;
  label?: true;
  sha?: true;
}

/**
 * A name with a template checked once rendered. 'network': the whole value (the word after `prefix`, as
 * `--network=`) must be a network name other than host; 'reference': each value in it must hold no "," "=" quote
 * or space (which would add keys to a build's --output or --cache-to: dest=, src=, type=local); 'args': each
 * value in docker service --args must hold no space, quote, backslash or # (which would add arguments).
 */
export type CheckedName =
  | { kind: 'network'; prefix: string; how: string }
  | { kind: 'reference'; how: string }
  | { kind: 'args'; how: string }
  // The image reference after `prefix` (imageReferenceProblem): each part holding a template keeps its shape.
  // (`tag`: the word is a tag alone, as crane tag's second operand.)
  | { kind: 'image'; prefix: string; how: string; tag?: true }
  // The whole value after `prefix` one plain name (a context of the runner's own config, a log tag); `why` says
  // what else a value there could do.
  // (`label`: a DNS-1123 label instead, as a Kubernetes namespace: lowercase letters, digits and '-'; `sha`: a
  // commit's SHA, 40 or 64 hex digits.)
  | ({ kind: 'plain' } & PlainNameCheck)

  // The ref of a workflow identity cosign trusts (certificateRefProblem), after `prefix`; `why` says what else a
  // value there could do (another identity, by default).
  | { kind: 'ref'; prefix: string; how: string; why?: string }
  // gcloud's KEY=VALUE,… list after `prefix` (--set-env-vars), its keys fixed: each value must keep its pair
  // (gcloudPairsProblem).
  | { kind: 'pairs'; prefix: string; how: string }
  // A value in a field of aws's shorthand (KEY=VALUE,…: aws lambda --code S3Key=): it must hold no "," "=" space,
  // quote or bracket, which would add a field (S3Bucket=).
  | { kind: 'shorthand'; how: string }
  // A value in a list split on `separator` (heroku run -e A=1;B=2), its keys fixed: it must hold no separator,
  // which would add entries of its own (LD_PRELOAD=…).
  | { kind: 'separated'; how: string; separator: string };

/** The characters of a volume name's fixed text, and of a value in one. */
const VOLUME_NAME = /^[A-Za-z0-9_.-]*$/;

/**
 * Options before a runner's subcommand (and compose's before its own) whose value chooses the engine that runs
 * the containers, what it trusts or the files it reads: a daemon elsewhere gets the registry credentials, the
 * build context and the -e values (an ssh:// address runs ssh); another runtime, conmon, storage root, hooks
 * directory or CNI plugin directory of this machine runs programs as root there. Refused like a right.
 */
const GLOBAL_RIGHTS: Record<string, ReadonlyMap<string, string>> = {
  docker: new Map([
    [
      '-H',
      'the daemon (an address elsewhere gets the registry credentials, the build context, the -e values)',
    ],
    [
      '--host',
      'the daemon (an address elsewhere gets the registry credentials, the build context, the -e values)',
    ],
    ['--tlscacert', 'the certificate authority trusted for the daemon'],
    ['--tlscert', 'the certificate presented to the daemon'],
    ['--tlskey', 'the key presented to the daemon'],
  ]),
  podman: new Map([
    ['--runtime', 'the OCI runtime (a program of this machine run as root)'],
    ['--runtime-flag', 'the flags of the OCI runtime (its root, its criu program)'],
    ['--conmon', 'the container monitor (a program of this machine)'],
    ['--network-cmd-path', 'the network program (a program of this machine)'],
    ['--network-config-dir', 'the network configuration (the plugins that run)'],
    ['--cni-config-dir', 'the network configuration (the plugins that run)'],
    ['--root', 'the storage root (the images and layers containers start from)'],
    ['--runroot', 'the state directory'],
    ['--imagestore', 'the image store (the layers containers start from)'],
    ['--volumepath', 'the directory named volumes are made in (a directory of this machine)'],
    ['--tmpdir', 'the temporary state directory'],
    ['--storage-opt', 'the storage options (mount_program: a program of this machine)'],
    ['--hooks-dir', 'the OCI hooks (programs of this machine run as root)'],
    ['--module', 'the containers.conf module (its runtimes, hooks and mounts)'],
    ['--config', 'the configuration directory (its credentials)'],
    ['--url', 'the service (an address elsewhere gets the credentials and the -e values)'],
    ['--identity', 'the ssh key file read to reach the service'],
    ['--out', 'the file the output is written to (any file of this machine)'],
  ]),
  nerdctl: new Map([
    ['-H', 'the containerd address'],
    ['-a', 'the containerd address'],
    ['--address', 'the containerd address'],
    ['--host', 'the containerd address'],
    ['-n', 'the containerd namespace (k8s.io: the containers of the cluster)'],
    ['--namespace', 'the containerd namespace (k8s.io: the containers of the cluster)'],
    ['--data-root', 'the state directory'],
    ['--cni-path', 'the CNI plugins (programs of this machine run as root)'],
    ['--cni-netconfpath', 'the network configuration (the plugins that run)'],
    ['--hosts-dir', 'the registry configuration (mirrors, certificates: the images that run)'],
    ['--snapshotter', 'the snapshotter (the layers containers start from)'],
    ['--storage-driver', 'the snapshotter (the layers containers start from)'],
  ]),
  buildah: new Map([
    ['--root', 'the storage root (the images and layers containers start from)'],
    ['--runroot', 'the state directory'],
    ['--storage-opt', 'the storage options (mount_program: a program of this machine)'],
    ['--registries-conf', 'the registry configuration (the registries images come from)'],
    ['--registries-conf-dir', 'the registry configuration (the registries images come from)'],
    ['--short-name-alias-conf', 'the short-name aliases (the images names stand for)'],
    ['--userns-uid-map', 'the user mapping (as --userns)'],
    ['--userns-gid-map', 'the group mapping (as --userns)'],
  ]),
  // docker compose / docker-compose / nerdctl compose, before the compose subcommand. -f/--file and
  // --project-directory (the compose file, and where its relative paths resolve) are refused in launchers.ts.
  compose: new Map([
    ['--env-file', 'the file of variables the compose file is filled from (its images, mounts, privileged:)'],
  ]),
};

/**
 * Switches choosing what a tool trusts, per tool (a runner's for its global options, pull, push, run and create;
 * an image tool's anywhere before `--`): whether a registry's or daemon's certificate, the image's signature,
 * the transparency log or the trust policy is checked. They take no value, but may be written --switch=VALUE,
 * where a template would turn the check off (--tls-verify=false, --insecure-ignore-tlog=true): refused there, as
 * kubectl --insecure-skip-tls-verify=VALUE is. Written alone they are accepted.
 */
const TRUST_SWITCHES: Record<string, ReadonlyMap<string, string>> = {
  docker: new Map([
    ['--tlsverify', 'whether the certificate of the daemon is checked'],
    ['--tls', 'whether the daemon is reached over TLS'],
    ['--disable-content-trust', 'whether the signature of the image is checked (Docker Content Trust)'],
  ]),
  podman: new Map([['--tls-verify', 'whether the certificate of the registry is checked']]),
  buildah: new Map([['--tls-verify', 'whether the certificate of the registry is checked']]),
  nerdctl: new Map([
    ['--insecure-registry', 'whether the registry may be reached without TLS or a checked certificate'],
  ]),
  cosign: new Map([
    ['--insecure-ignore-tlog', 'whether the transparency log entry of the signature is checked'],
    ['--insecure-ignore-sct', 'whether the certificate transparency proof of the signer is checked'],
    ['--insecure-skip-verify', 'whether the signature is checked at all'],
    ['--private-infrastructure', 'whether the transparency log entry of the signature is checked'],
    ['--check-claims', 'whether the claims of the signature (the image digest it signs) are checked'],
    ['--allow-insecure-registry', 'whether the certificate of the registry is checked'],
    ['--allow-http-registry', 'whether the registry may be reached without TLS'],
    ['--tlog-upload', 'whether the signature is written to the transparency log (checked by verify)'],
    ['--insecure-skip-tlog-verify', 'whether the transparency log entry of the signature is checked'],
    // cosign initialize --staging: the staging TUF repository (its roots trusted from then on).
    ['--staging', 'whether the staging TUF repository is trusted (its roots, from then on)'],
  ]),
  skopeo: new Map([
    ['--tls-verify', 'whether the certificate of the registry is checked'],
    ['--src-tls-verify', 'whether the certificate of the source registry is checked'],
    ['--dest-tls-verify', 'whether the certificate of the destination registry is checked'],
    ['--insecure-policy', 'whether the trust policy (the signatures an image needs) is read at all'],
  ]),
  trivy: new Map([
    ['--insecure', 'whether the certificate of the registry or server is checked'],
    ['--redis-tls', 'whether its redis cache is reached over TLS'],
    // What counts as a finding, and the database it is looked up in (SCANNER_SWITCHES).
    ['--ignore-unfixed', 'whether a vulnerability with no fix is reported (true: every unfixed one passes)'],
    ['--offline-scan', 'whether it looks up what it cannot find locally (true: those packages go unchecked)'],
    [
      '--skip-db-update',
      'whether its vulnerability database is updated (true: a stale one, or none, decides)',
    ],
    ['--skip-update', 'whether its vulnerability database is updated (true: a stale one, or none, decides)'],
    ['--skip-java-db-update', 'whether its Java database is updated (true: a stale one, or none, decides)'],
    ['--skip-check-update', 'whether its checks are updated (true: stale ones decide)'],
    ['--skip-policy-update', 'whether its checks are updated (true: stale ones decide)'],
    ['--skip-images', 'whether trivy k8s scans the images of the workloads (true: none is)'],
    [
      '--skip-vex-repo-update',
      'whether its VEX repositories are updated (true: stale statements that a vulnerability does not apply decide)',
    ],
    ['--include-dev-deps', 'whether development dependencies are scanned (false: none is)'],
  ]),
  crane: new Map([
    ['--insecure', 'whether the registry may be reached without TLS or a checked certificate'],
  ]),
};

/** trivy's switches of TRUST_SWITCHES choosing what counts as a finding: refused as its scanner options are. */
const SCANNER_SWITCHES: ReadonlySet<string> = new Set([
  ...['--ignore-unfixed', '--offline-scan', '--skip-db-update', '--skip-update', '--skip-java-db-update'],
  ...['--skip-check-update', '--skip-policy-update', '--skip-images', '--skip-vex-repo-update'],
  '--include-dev-deps',
]);

/**
 * A trust switch of `table` (TRUST_SWITCHES) written `option=value` in the word `index`: a template in its value
 * is refused into `found`. Whether `option` is such a switch (its word then needs no other reading).
 */
function trustSwitch(
  found: ContainerMounts,
  index: number,
  option: string,
  value: string,
  switches: ReadonlyMap<string, string> | undefined,
  command: string,
): boolean {
  const what = switches?.get(option);
  if (what === undefined) return false;
  const names = templates(value);
  if (names.length)
    found.refused.push({
      index,
      names,
      how: `${what}, which ${command} ${option}= chooses`,
      kind: command === 'trivy' && SCANNER_SWITCHES.has(option) ? 'scanner' : 'trust',
    });
  return true;
}

/** Global options that take a value but give no rights (to find the subcommand after them). */
const GLOBAL_VALUES: Record<string, readonly string[]> = {
  docker: ['-l', '--log-level', '--config', '-c', '--context'],
  podman: [
    '--log-level',
    '--cgroup-manager',
    '--storage-driver',
    '--events-backend',
    '--db-backend',
    '--ssh',
    // A named connection of podman's own config (podman system connection list): a context (contextName).
    '-c',
    '--connection',
  ],
  nerdctl: ['--log-level', '--cgroup-manager', '--config', '--bridge-ip', '--host-gateway-ip'],
  buildah: ['--log-level', '--cgroup-manager', '--storage-driver'],
  compose: [
    ...['-f', '--file', '-p', '--project-name', '--project-directory', '--profile', '--ansi', '--parallel'],
    '--progress',
  ],
};

/** Global options that take no value: the word after one is the subcommand. */
const GLOBAL_FLAGS = new Set(
  ['-D', '--debug', '--tls', '--tlsverify', '-v', '--version', '--help', '-r', '--remote', '--syslog'].concat(
    ['--noout', '--trace', '--insecure-registry', '--experimental', '--dry-run', '--compatibility'],
  ),
);

/** The words read as a subcommand after an unknown global option rather than as its value. */
const SUBCOMMAND = /^(run|create|update|exec|build|bud|from|compose|container|service|buildx|builder|image)$/;

/** The subcommands, per runner, whose options are read here (after docker's container or service). */
const RUN_SUBCOMMANDS: Record<string, RegExp> = {
  buildah: /^(run|from)$/,
  other: /^(run|create|update|exec)$/,
};

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
 * docker build (buildx build, image build), podman and nerdctl build, buildah bud/build: options that take a
 * value written apart (the others are skipped as operands: their options may follow the context).
 */
export const BUILD_VALUES: readonly string[] = [
  ...['-t', '--tag', '-f', '--file', '--build-arg', '--label', '--target', '--platform', '-o', '--output'],
  ...['--cache-from', '--cache-to', '--secret', '--ssh', '--allow', '--network', '--add-host', '--iidfile'],
  ...['--security-opt', '--metadata-file', '--progress', '--builder', '--build-context', '--annotation'],
  ...['--attest', '--shm-size', '--ulimit', '--cgroup-parent', '-m', '--memory', '--memory-swap', '-c'],
  ...['--cpu-shares', '--cpu-period', '--cpu-quota', '--cpuset-cpus', '--cpuset-mems', '--isolation'],
  ...['-v', '--volume', '--device', '--cap-add', '--cap-drop', '--runtime', '--userns', '--userns-uid-map'],
  ...['--userns-gid-map', '--format', '--authfile', '--creds', '--sign-by', '--jobs', '--pid', '--ipc'],
  ...['--uts', '--cgroupns', '--os', '--arch', '--variant', '--from', '--env', '--unsetenv', '--timestamp'],
  ...['--decryption-key', '--retry', '--manifest', '--hooks-dir', '--runtime-flag', '--cache-ttl', '--call'],
  // podman's and buildah's own (podman-build(1), buildah-build(1)).
  ...['--dns', '--dns-option', '--dns-search', '--group-add', '--logfile', '--cert-dir', '--retry-delay'],
  ...['--source-date-epoch', '--unsetlabel', '--cpp-flag', '--os-version', '--os-feature', '--cw'],
  ...['--sbom', '--sbom-output', '--sbom-image-output', '--sbom-purl-output', '--sbom-scanner-image'],
  ...['--sbom-scanner-command', '--sbom-merge-strategy', '--sbom-image-purl-output', '--no-cache-filter'],
];

/** Build options whose value gives the build's RUN steps rights, or names a file read or written here. */
const BUILD_RIGHTS: ReadonlyMap<string, string> = new Map([
  ['--allow', 'the entitlements (security.insecure: privileged RUN steps; network.host)'],
  ['--secret', 'the secret its RUN steps read (src=: any file of this machine; env=: any variable)'],
  ['--ssh', 'the ssh agent socket or key its RUN steps use'],
  ['-o', 'where its result is written (dest=: any directory of this machine)'],
  ['--output', 'where its result is written (dest=: any directory of this machine)'],
  ['--cache-to', 'where its cache is written (dest=: any directory of this machine)'],
  ['--cache-from', 'the cache whose layers stand for the results of its RUN steps (src=: a directory)'],
  ['--runtime-flag', 'the flags of the OCI runtime (its root, its criu program)'],
]);

/** The keys of a build's --output, --cache-to or --cache-from that name an image or cache, not a place here. */
const REFERENCE_KEYS = new Set(['name', 'ref', 'scope', 'tag']);

/**
 * Whether the templates of a build's -o/--output, --cache-to or --cache-from value (unrendered) are all in the
 * value of a name=, ref=, scope= or tag= key (`type=registry,ref=registry/app:cache-{{env}}`), or after fixed
 * text in --cache-from's image reference (`registry/app:{{env}}`): checked once rendered to add no key
 * (containerNameProblem). A template in type=, dest=, src=, another key or a whole value chooses a place of
 * this machine (type=local,dest=DIR): refused.
 */
export function isBuildReference(option: string, value: string): boolean {
  if (!['-o', '--output', '--cache-to', '--cache-from'].includes(option)) return false;
  if (/["'\s]/.test(value.replace(PLACEHOLDER, ''))) return false;
  if (!value.includes('='))
    return option === '--cache-from' && !value.startsWith('{{') && !value.includes(',');
  return value.split(',').every((field) => {
    const eq = field.indexOf('=');
    if (eq < 0) return templates(field).length === 0;
    return (
      templates(field.slice(0, eq)).length === 0 &&
      (templates(field.slice(eq + 1)).length === 0 || REFERENCE_KEYS.has(field.slice(0, eq).toLowerCase()))
    );
  });
}

/** Whether a template of a build's cache value is in a field naming its server (url=, endpoint_url=, account_url=). */
function cacheServer(value: string): boolean {
  return value
    .split(',')
    .some((field) => /^(url|url_v2|endpoint_url|account_url)=/i.test(field) && templates(field).length > 0);
}

/** A build's options anywhere after the subcommand (`words[at]`) up to `--`, sorted into `found`. */
function buildOptions(found: ContainerMounts, words: readonly string[], at: number, command: string): void {
  const check = (index: number, option: string, value: string) => {
    const rights = BUILD_RIGHTS.get(option);
    const names = templates(value);
    // --build-arg BUILDKIT_SYNTAX=IMAGE: the frontend image that runs the build (as a Dockerfile's # syntax=).
    if (option === '--build-arg' && /^BUILDKIT_SYNTAX=/.test(value) && names.length)
      found.refused.push({
        index,
        names,
        how: `the frontend image that runs the build (it reads the Dockerfile, the context, and the secrets and ssh keys the build is given), which ${command} --build-arg BUILDKIT_SYNTAX= chooses`,
        kind: 'build',
      });
    // --build-arg HTTP_PROXY=… (HTTPS_, FTP_, NO_, ALL_PROXY, in any case): Docker's predefined proxy args,
    // given to every RUN step without an ARG: the proxy each download of the build goes through (or bypasses).
    else if (
      option === '--build-arg' &&
      names.length &&
      (/^(https?|ftp|no|all)_proxy=/i.test(value) ||
        !/^[^=]*=/.test(value.replace(PLACEHOLDER, '')) ||
        value.search(PLACEHOLDER) < value.indexOf('='))
    )
      found.refused.push({
        index,
        names,
        how:
          value.search(PLACEHOLDER) < value.indexOf('=') || !value.includes('=')
            ? `the name of the build argument ${command} --build-arg sets, which could be a proxy every download of the build's RUN steps goes through (HTTP_PROXY=…) or the frontend that runs the build (BUILDKIT_SYNTAX=…)`
            : `the proxy every download of the build's RUN steps goes through (Docker gives HTTP_PROXY, HTTPS_PROXY, FTP_PROXY, NO_PROXY and ALL_PROXY to them without an ARG: a proxy of its choosing sees and changes what they fetch), which ${command} --build-arg ${value.slice(0, value.indexOf('='))}= chooses`,
        kind: 'source',
      });
    // -t/--tag: the image it names, pushed there with --push (or a later docker push).
    else if (option === '-t' || option === '--tag') {
      const word = words[index]!;
      const prefix = word.slice(0, word.length - value.length);
      imageReference(
        found,
        index,
        word,
        prefix,
        command.split(' ')[0]!,
        `the image ${command} ${option} names`,
      );
    } else if (!rights) mountValue(found, index, option, value, command, words[index]!);
    else if (names.length && option === '--cache-from' && !value.includes('=')) {
      // An image whose layers stand for the results of the RUN steps: its registry and name fixed.
      const word = words[index]!;
      const prefix = word.slice(0, word.length - value.length);
      const how = `the image ${command} ${option} takes its cache from`;
      imageReference(found, index, word, prefix, command.split(' ')[0]!, how);
    } else if (names.length && isBuildReference(option, value)) {
      // name= and ref= are images (where the result or cache is pushed, or read from): as for -t.
      const image = buildReferenceRefusal(value);
      if (image) {
        const how = `the image ${command} ${option} ${image.key}= names`;
        imageReference(found, index, image.field, `${image.key}=`, '', how);
      } else
        found.names.set(index, {
          kind: 'reference',
          how: `the image or cache reference ${command} ${option} names`,
        });
    } else if (names.length && (option === '--cache-from' || option === '--cache-to') && cacheServer(value))
      // type=gha,url=…, type=s3,endpoint_url=…, type=azblob,account_url=…: a cache server elsewhere.
      found.refused.push({
        index,
        names,
        how: `the cache server ${command} ${option} chooses (url=, endpoint_url=, account_url=: a server elsewhere, which gets the token or keys sent to it and, read from, gives the layers that stand for the results of the RUN steps)`,
        kind: 'trust',
      });
    else if (names.length)
      found.refused.push({
        index,
        names,
        how: `${rights}, which ${command} ${option} chooses`,
        kind: 'build',
      });
  };
  for (let k = at + 1; k < words.length && words[k] !== '--'; k++)
    if (words[k]!.startsWith('-') && words[k] !== '-') k = options(words, k, BUILD_VALUES, check) - 1;
}

/**
 * Reads the options from `from` on (their values written apart or attached: -v X, -vX, --volume=X, -itv X),
 * calling `check` with each option's value, up to the first operand (or --): returns its index. An option
 * among `values` takes the next word; so does an unknown long option before a word that is neither an option
 * nor a subcommand read here, when `unknownTakes` (global options: the word may be its value).
 */
function options(
  words: readonly string[],
  from: number,
  values: readonly string[],
  check: (index: number, option: string, value: string) => void,
  unknownTakes = false,
): number {
  let k = from;
  for (; k < words.length; k++) {
    const word = words[k]!;
    if (word === '--' || !word.startsWith('-') || word === '-') break;
    if (word.startsWith('--')) {
      const eq = word.indexOf('=');
      if (eq > 0) check(k, word.slice(0, eq), word.slice(eq + 1));
      else if (values.includes(word) || (unknownTakes && !GLOBAL_FLAGS.has(word))) {
        const next = words[k + 1] ?? '';
        if (
          k + 1 < words.length &&
          (values.includes(word) || !(next.startsWith('-') || SUBCOMMAND.test(next)))
        ) {
          check(k + 1, word, words[k + 1]!);
          k++;
        }
      }
      continue;
    }
    // Short options, perhaps together: the first one that takes a value takes the rest or the next word.
    for (let c = 1; c < word.length; c++) {
      const flag = `-${word[c]}`;
      if (!values.includes(flag)) continue;
      // -t=app:1: the flag parser (pflag) drops the "=" after a short option's letter.
      if (c + 1 < word.length) check(k, flag, word.slice(word[c + 1] === '=' ? c + 2 : c + 1));
      else {
        if (k + 1 < words.length) check(k + 1, flag, words[k + 1]!);
        k++;
      }
      break;
    }
  }
  return k;
}

/**
 * Reads a runner's global options (`table`: docker, podman, nerdctl, buildah or compose) from `from` on, sorting
 * a template in one that gives rights (GLOBAL_RIGHTS) into `found`: returns the index of the subcommand.
 */
function globalOptions(
  found: ContainerMounts,
  words: readonly string[],
  from: number,
  table: string,
  command: string,
): number {
  const rights = GLOBAL_RIGHTS[table] ?? new Map<string, string>();
  const values = [...rights.keys(), ...(GLOBAL_VALUES[table] ?? [])];
  return options(
    words,
    from,
    values,
    (index, option, value) => {
      const what = rights.get(option);
      const names = templates(value);
      if (words[index] !== value && trustSwitch(found, index, option, value, TRUST_SWITCHES[table], command))
        return;
      if (table === 'docker' && (option === '-c' || option === '--context') && names.length)
        contextName(found, index, words[index]!, value, `the context ${command} ${option} chooses`);
      else if (table === 'podman' && (option === '-c' || option === '--connection') && names.length)
        contextName(found, index, words[index]!, value, `the connection ${command} ${option} chooses`);
      else if (what && names.length)
        found.refused.push({
          index,
          names,
          how: `${what}, which ${command} ${option} chooses`,
          kind: 'engine',
        });
    },
    true,
  );
}

/**
 * kubectl's and oc's options (anywhere before `--`: global ones may follow the subcommand) and helm's global ones
 * whose value chooses the API server the credentials go to, the user acted as, what is trusted or a file read,
 * or the rights of the pod that runs: kubectl run --overrides (a pod spec merged in: privileged, hostPath,
 * hostPID) and --privileged=, kubectl debug --profile (sysadmin: privileged) and --custom (a container spec
 * read from a file). Kind 'engine' or 'rights', as a container runner's.
 */
const CLUSTER_OPTIONS: Record<
  string,
  ReadonlyMap<string, [string, NonNullable<MountWord['kind']>, RegExp?]>
> = {
  kubectl: new Map([
    ['-s', ['the API server (a server elsewhere gets the token or client certificate)', 'engine']],
    ['--server', ['the API server (a server elsewhere gets the token or client certificate)', 'engine']],
    ['--as', ['the user acted as (system:admin, a cluster administrator)', 'engine']],
    ['--as-group', ['the group acted as (system:masters: every right of the cluster)', 'engine']],
    ['--as-uid', ['the user acted as', 'engine']],
    // The credentials themselves, as the selectors above: whoever's token (or basic-auth user and password) it
    // is acts, with the rights of that identity, on the API server this runner reaches (a private one too), and
    // config set-credentials writes it into the kubeconfig for every later command.
    ['--token', ['the bearer token presented to the API server (whose it is: who acts)', 'credential']],
    ['--username', ['the user name presented to the API server (who acts)', 'credential']],
    ['--password', ['the password presented to the API server (whose it is: who acts)', 'credential']],
    ['--certificate-authority', ['the certificate authority trusted for the API server', 'engine']],
    ['--client-certificate', ['the client certificate presented to the API server', 'engine']],
    ['--client-key', ['the client key presented to the API server', 'engine']],
    ['--tls-server-name', ['the name the API server certificate is checked for', 'engine']],
    ['--insecure-skip-tls-verify', ['whether the API server certificate is checked', 'engine']],
    ['--cache-dir', ['the cache of the API discovery it trusts', 'engine']],
    // A switch: --all-namespaces=VALUE (true: what it gets, changes or deletes, in every namespace).
    ['--all-namespaces', ['whether it acts in every namespace (a delete in all of them)', 'engine']],
    ['-A', ['whether it acts in every namespace (a delete in all of them)', 'engine']],
    ['--profile-output', ['the file the profile is written to (any file of this machine)', 'engine']],
    [
      '--overrides',
      ['the pod spec merged in (privileged, hostPath mounts, hostPID: the node)', 'rights', /^run$/],
    ],
    ['--privileged', ['every right of the node (--privileged=true)', 'rights', /^run$/]],
    ['--profile', ['the profile (sysadmin: a privileged container on the node)', 'rights', /^debug$/]],
    ['--custom', ['the container spec read from a file (privileged, the node)', 'rights', /^debug$/]],
    ['--patch-file', ['the patch read from a file (privileged, hostPath: the node)', 'rights', /^patch$/]],
    // kubectl config set-credentials: a program written into the kubeconfig, which kubectl runs from then on.
    ['--exec-command', ['the credential plugin written into the kubeconfig', 'program', /^set-credentials$/]],
    [
      '--auth-provider-arg',
      ['the auth provider settings (cmd-path: a program it runs)', 'program', /^set-credentials$/],
    ],
  ]),
  helm: new Map([
    ['--kube-apiserver', ['the API server (a server elsewhere gets the token)', 'engine']],
    ['--kube-as-user', ['the user acted as (a cluster administrator)', 'engine']],
    ['--kube-token', ['the bearer token presented to the API server (whose it is: who acts)', 'credential']],
    ['--kube-as-group', ['the group acted as (system:masters: every right of the cluster)', 'engine']],
    ['--kube-ca-file', ['the certificate authority trusted for the API server', 'engine']],
    ['--kube-tls-server-name', ['the name the API server certificate is checked for', 'engine']],
    ['--kube-insecure-skip-tls-verify', ['whether the API server certificate is checked', 'engine']],
    // helm install, upgrade, pull, push, repo add: the chart repository or registry.
    ['--insecure-skip-tls-verify', ['whether the certificate of the chart repository is checked', 'engine']],
    ['--plain-http', ['whether the chart registry is reached without TLS', 'engine']],
  ]),
};

/** Options of CLUSTER_OPTIONS that take no value written apart, only --option=VALUE (a switch). */
const CLUSTER_SWITCHES = new Set([
  '--all-namespaces',
  '-A',
  '--privileged',
  '--insecure-skip-tls-verify',
  '--kube-insecure-skip-tls-verify',
  '--plain-http',
]);
CLUSTER_OPTIONS.oc = CLUSTER_OPTIONS.kubectl!;

/**
 * The words of a kubectl, oc or helm command (`words[at]`, named `name`) holding a template in an option of
 * CLUSTER_OPTIONS: refused when the config loads.
 */
export function clusterOptions(words: readonly string[], at: number, name: string): MountWord[] {
  const table = CLUSTER_OPTIONS[name];
  if (!table) return [];
  const found: MountWord[] = [];
  // The subcommand: one of the first two words that are no option (the first may be an option's value).
  const operands = words.slice(at + 1).filter((w) => !w.startsWith('-'));
  const scoped = (only: RegExp) => {
    const k = operands.slice(0, 2).findIndex((w) => only.test(w));
    if (k < 0) return undefined;
    return k === 1 && operands[0] === 'config' ? `config ${operands[1]}` : operands[k];
  };
  for (let k = at + 1; k < words.length && words[k] !== '--'; k++) {
    const word = words[k]!;
    const eq = word.indexOf('=');
    const option = eq > 0 ? word.slice(0, eq) : /^-[a-zA-Z]./.test(word) ? word.slice(0, 2) : word;
    const entry = table.get(option);
    const subcommand = entry?.[2] && scoped(entry[2]);
    if (!entry || (entry[2] && !subcommand)) continue;
    // --opt=VALUE, -sVALUE, or the next word (not for a flag that may stand alone: --privileged).
    const index = eq > 0 || option !== word ? k : CLUSTER_SWITCHES.has(option) ? -1 : k + 1;
    if (index < 0 || index >= words.length) continue;
    const value = index === k ? word.slice(eq > 0 ? eq + 1 : 2) : words[index]!;
    const names = templates(value);
    if (names.length)
      found.push({
        index,
        names,
        how: `${entry[0]}, which ${name}${subcommand ? ` ${subcommand}` : ''} ${option} chooses`,
        kind: entry[1],
      });
    if (index > k) k++;
  }
  return found;
}

/**
 * kubectl/oc patch -p/--patch PATCH and argocd app patch/patch-resource --patch PATCH (`words[at]`, named
 * `name`): the words holding the patch, read as JSON or YAML (argocd app patch's, a JSON patch or a merge patch
 * of the Application: its source, destination and project; patch-resource's, of a resource it manages). A value
 * in it is checked once rendered to add no structure (`"image":"app:{{x}}"` given
 * `1","securityContext":{"privileged":true},"x":"` would make the pod privileged).
 */
export function kubectlPatchWords(words: readonly string[], at: number, name: string): number[] {
  const operands = words.slice(at + 1).filter((w) => !w.startsWith('-'));
  // argocd app patch APP --patch PATCH (argocd app patch --help: --patch, no short form); kubectl's -p/--patch.
  const options =
    name === 'kubectl' || name === 'oc'
      ? operands.slice(0, 2).includes('patch') && ['-p', '--patch']
      : name === 'argocd' &&
        operands.some((w, k) => w === 'app' && /^patch(-resource)?$/.test(operands[k + 1] ?? '')) && [
          '--patch',
        ];
  if (!options) return [];
  const found: number[] = [];
  for (let k = at + 1; k < words.length && words[k] !== '--'; k++)
    if (options.includes(words[k]!) && k + 1 < words.length) found.push(++k);
    else if (options.some((o) => words[k]!.startsWith(`${o}=`))) found.push(k);
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

/** A value in a field of aws's shorthand (CheckedName's 'shorthand'): one that would add a field. */
function shorthandProblem(
  how: string,
  names: readonly string[],
  values: Readonly<Record<string, string | undefined>>,
): string | undefined {
  for (const name of names) {
    const bad = shorthandBreaker(values[name]!);
    if (bad !== undefined)
      return `{{${name}}} is in ${how}, and its value holds ${JSON.stringify(bad)}: a value there must hold no "," "=" space, quote or bracket, since aws would read another field (S3Bucket=: any account's bucket); write other fields in the config`;
  }
  return undefined;
}

/** The templates in `text`. */
function templates(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

/** Sorts the templates of one mount option's value (`value`, in the word `index`) into `found`. */
function mountValue(
  found: ContainerMounts,
  index: number,
  option: string,
  value: string,
  command: string,
  word: string,
): void {
  if (templates(value).length === 0) return;
  const refuse = (part: string, how: string, kind?: MountWord['kind']) => {
    const names = templates(part);
    if (names.length) found.refused.push({ index, names, how, ...(kind ? { kind } : {}) });
  };
  // docker service create/update --args: a string split into the command its tasks run and its arguments (the
  // first word is the program when the image has no entrypoint).
  if (option === '--args' && / service /.test(command)) {
    // A value only in a long option of a fixed program (`serve --version={{v}}`), the string holding no quote,
    // backslash or # (shlex's): checked once rendered to stay inside its word; the program is read in programs.ts.
    const split = value
      .replace(PLACEHOLDER, (_, n: string) => `{{${n}}}`)
      .trim()
      .split(/\s+/);
    if (
      !/["'\\#]/.test(value.replace(PLACEHOLDER, '')) &&
      templates(split[0]!).length === 0 &&
      split.slice(1).every((w) => templates(w).length === 0 || /^--[A-Za-z0-9][\w-]*=/.test(w))
    ) {
      found.names.set(index, { kind: 'args', how: `the arguments ${command} ${option} gives` });
      found.args = { index, words: split };
      return;
    }
    return refuse(
      value,
      `the program ${command} ${option} runs (split into a command and its arguments)`,
      'program',
    );
  }
  if (option === '-v' || option === '--volume') {
    // SOURCE:TARGET[:OPTIONS], or TARGET alone (an anonymous volume).
    const fields = value.split(':');
    if (fields.length === 1)
      return refuse(value, `the path in the container ${command} ${option} mounts a volume at`);
    const [source, target] = [fields[0]!, fields[1]!];
    refuse(target, `the path in the container ${command} ${option} mounts at`);
    refuse(fields.slice(2).join(':'), `the options of the mount ${command} ${option} makes`);
    if (isVolumeName(source)) {
      if (templates(source).length) found.volumes.push(index);
    } else refuse(source, `the host path ${command} ${option} mounts into the container`);
    return;
  }
  if (option === '--mount' || option === '--mount-add') {
    // type=bind,source=/srv,target=/app,readonly: comma-separated key=value fields (read as CSV).
    const fields = value.split(',');
    const field = (key: RegExp) =>
      fields.find((f) => key.test(f.slice(0, f.includes('=') ? f.indexOf('=') : f.length).toLowerCase()));
    const type = field(/^type$/)?.split('=')[1] ?? 'volume';
    for (const f of fields) {
      const eq = f.indexOf('=');
      const key = eq < 0 ? f : f.slice(0, eq);
      const val = eq < 0 ? '' : f.slice(eq + 1);
      refuse(key, `a key of ${command} ${option}, which chooses what it sets`);
      const lower = key.toLowerCase();
      if (/^(source|src)$/.test(lower)) {
        if (type === 'volume' && isVolumeName(val)) {
          if (templates(val).length) found.volumes.push(index);
        } else
          refuse(
            val,
            type === 'volume'
              ? `the host path ${command} ${option} mounts into the container`
              : `the source ${command} ${option} type=${type} mounts into the container (a host path, an image)`,
          );
      } else if (/^(target|destination|dst)$/.test(lower))
        refuse(val, `the path in the container ${command} ${option} mounts at`);
      else refuse(val, `the ${key} of the mount ${command} ${option} makes`);
    }
    return;
  }
  // The user it runs as: 0 (or a name such as root) is root, who owns what its mounts hold (a setuid program
  // written to a mounted directory, a mounted docker socket); a value there must be a uid or gid other than 0.
  if (option === '-u' || option === '--user') {
    found.users.push(index);
    return;
  }
  if (option === '--image')
    return imageReference(
      found,
      index,
      word,
      word.slice(0, word.length - value.length),
      '',
      `the image ${command} ${option} runs`,
    );
  // --log-opt tag=NAME: the tag of the log lines, checked once rendered to be one plain name (no Go template).
  if (option === '--log-opt' && value.startsWith('tag=')) {
    const how = `the tag of the log lines ${command} ${option} tag= sets`;
    found.names.set(index, {
      kind: 'plain',
      prefix: word.slice(0, word.length - value.length) + 'tag=',
      how,
      why: 'since anything else could be a Go template docker fills from the container, or another option; write other log options in the config',
    });
    return;
  }
  // Files of this machine the runner writes (the container's or image's id, a pid, the build's metadata) or
  // reads into the container's labels.
  const written = WRITTEN_FILES.get(option);
  if (written) return refuse(value, `${written} ${command} ${option} names`, 'write');
  if (option === '--label-file')
    return refuse(
      value,
      `the file of labels ${command} ${option} reads (any file of this machine)`,
      'rights',
    );
  if (option === '--volumes-from')
    return refuse(
      value,
      `the container whose mounts ${command} ${option} gives the new one (its host directories, a docker socket)`,
    );
  if (option === '--device')
    return refuse(value, `the device of this machine ${command} ${option} gives the container`);
  if (option === '--tmpfs')
    return refuse(value, `the path in the container ${command} ${option} mounts an empty directory at`);
  // A network named with fixed text beside the value (`--network {{env}}_default`, `--network=app-{{env}}`):
  // checked once rendered to be a network name, not host (nor container:NAME, ns:PATH: fixed text has no ":").
  if (NETWORK_OPTIONS.has(option) && isNetworkName(value)) {
    const how = `the network ${command} ${option} joins`;
    found.names.set(index, { kind: 'network', prefix: word.slice(0, word.length - value.length), how });
    return;
  }
  // A swarm's secret or config (docker service create --secret/--config, update --secret-add/--config-add):
  // NAME, or source=NAME with fixed fields (target=, uid=, gid=, mode=). A template after fixed text in the name
  // chooses among the swarm's entries named so (app-cfg-{{version}}, rotated per release): checked once rendered
  // to be one plain name. A template starting it, or anywhere else, chooses any entry or where it is laid.
  const swarm = /^--(secret|config)(-add)?$/.test(option) && /\bservice\b/.test(command);
  if (
    swarm &&
    swarmEntryName(
      found,
      index,
      word,
      value,
      `the swarm ${option.includes('secret') ? 'secret' : 'config'} ${command} ${option} gives the container`,
    )
  )
    return;
  const rights = PRIVILEGE_OPTIONS.get(option);
  if (rights) return refuse(value, `${rights} ${command} ${option} gives the container`, 'rights');
}

/**
 * A swarm secret's or config's name with a template after fixed text (`db-pass-{{env}}`,
 * `source=app-cfg-{{version}},target=/etc/app.yml`): its check once rendered, one plain name, set in `found`.
 * False when a template is anywhere else, starts the name, or the fixed text is not a name's.
 */
function swarmEntryName(
  found: ContainerMounts,
  index: number,
  word: string,
  value: string,
  how: string,
): boolean {
  if (templates(value).length === 0) return false;
  const fields = value.split(',');
  const short = fields.length === 1 && !fields[0]!.includes('=');
  const at = short ? 0 : fields.findIndex((field) => /^(source|src)=/i.test(field));
  if (at < 0 || fields.some((field, k) => k !== at && templates(field).length > 0)) return false;
  const field = fields[at]!;
  const name = short ? field : field.slice(field.indexOf('=') + 1);
  const fixed = name.replace(PLACEHOLDER, '');
  if (/^\{\{/.test(name) || !PLAIN_NAME.test(fixed) || /["'\s\\]/.test(value.replace(PLACEHOLDER, '')))
    return false;
  const before = [...fields.slice(0, at), field.slice(0, field.length - name.length)].join(',');
  const after = fields.slice(at + 1);
  found.names.set(index, {
    kind: 'plain',
    prefix: word.slice(0, word.length - value.length) + before,
    ...(after.length > 0 && { suffix: `,${after.join(',')}` }),
    how,
    why: 'since anything else could add a field (target=, a path in the container) or name another kind of entry; write other secrets or configs in the config, a command per environment',
  });
  return true;
}

/** Options naming a file of this machine a container runner or a build writes, and what it writes there. */
const WRITTEN_FILES: ReadonlyMap<string, string> = new Map([
  ['--cidfile', 'the file of this machine the container id is written to, which'],
  ['--pidfile', 'the file of this machine the pid is written to, which'],
  ['--conmon-pidfile', 'the file of this machine the pid of conmon is written to, which'],
  ['--iidfile', 'the file of this machine the image id is written to, which'],
  ['--metadata-file', 'the file of this machine the build metadata is written to, which'],
]);

/** The options naming the network a container (or a build's RUN steps) joins. */
const NETWORK_OPTIONS = new Set(['--network', '--net', '--network-add']);

/**
 * Whether a network option's value (templates unrendered) is a network name with a value in it, checked once
 * rendered (containerNameProblem): fixed text beside its templates, holding only a network name's characters
 * (so no container:NAME, ns:PATH, slirp4netns:…, nor the long form name=…,alias=…). A template alone is refused:
 * the value would choose host, another container's network, or a namespace.
 */
function isNetworkName(value: string): boolean {
  const fixed = value.replace(PLACEHOLDER, '');
  return fixed !== '' && VOLUME_NAME.test(fixed) && !/^[.-]/.test(value);
}

/** A network name (docker's: letters, digits, _ . -, not starting with "." or "-"). */
const NETWORK_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/**
 * Why a name checked once rendered (`check`, in the word `word`, templates unrendered) is refused with these
 * values, or undefined: a network must be a plain network name other than host; a value in a build's output or
 * cache reference must hold no "," "=" quote or space, which would add keys (dest=, src=, type=local).
 */
export function containerNameProblem(
  check: CheckedName,
  word: string,
  values: Readonly<Record<string, string | undefined>>,
): string | undefined {
  const names = [...word.matchAll(PLACEHOLDER)].map((m) => m[1]!);
  if (names.some((name) => values[name] === undefined)) return undefined; // said elsewhere
  if (check.kind === 'image') return imageReferenceProblem(check, word, values);
  if (check.kind === 'plain') return plainNameProblem(check, word, values);
  if (check.kind === 'ref') return certificateRefProblem(check, word, values);
  if (check.kind === 'pairs') return gcloudPairsProblem(check, word, values);
  if (check.kind === 'shorthand') return shorthandProblem(check.how, names, values);
  if (check.kind === 'separated') {
    const name = names.find((n) => values[n]!.includes(check.separator));
    return name === undefined
      ? undefined
      : `{{${name}}} is in ${check.how}, and its value holds ${JSON.stringify(check.separator)}: the list is split there, so the value would add entries of its own (LD_PRELOAD=…, NODE_OPTIONS=…: code the program runs); a value there may hold no ${JSON.stringify(check.separator)}, so write other entries in the config`;
  }
  const list = names.map((n) => `{{${n}}}`).join(', ');
  if (check.kind === 'network') {
    const rendered = word.slice(check.prefix.length).replace(PLACEHOLDER, (_, name: string) => values[name]!);
    if (NETWORK_NAME.test(rendered) && rendered.toLowerCase() !== 'host') return undefined;
    return `${list} is in ${check.how}, and the network is ${JSON.stringify(rendered)} once rendered: it must be a network name (letters, digits and _ . -, not starting with "." or "-") other than host, since host gives the container the network of this machine and container:NAME or ns:PATH another's; write such a network in the config`;
  }
  if (check.kind === 'args')
    for (const name of names) {
      const bad = [...values[name]!].find((c) => /[\s"'`\\#]/.test(c));
      if (bad !== undefined)
        return `{{${name}}} is in ${check.how}, and its value holds ${JSON.stringify(bad)}: a value there must hold no space, quote, backslash or #, since docker splits the string into words and a value would add arguments; write them in the config`;
    }
  if (check.kind === 'args') return undefined;
  for (const name of names) {
    const bad = [...values[name]!].find((c) => /[\s,="'`\\]/.test(c));
    if (bad !== undefined)
      return `{{${name}}} is in ${check.how}, and its value holds ${JSON.stringify(bad)}: a value there must hold no "," "=" quote or space, since they would add keys (dest=, src=, type=local: a directory of this machine); write other outputs or caches in the config`;
  }
  // name= and ref= name an image: each part holding a value keeps its shape (imageReferenceProblem).
  const fields = word.split(',');
  if (/^-/.test(fields[0]!)) fields[0] = fields[0]!.replace(/^-[^=]*=/, '');
  for (const field of fields) {
    const key = /^(name|ref)=/i.exec(field)?.[0];
    if (key === undefined || templates(field).length === 0) continue;
    const problem = imageReferenceProblem(
      { prefix: key, how: `the image ${check.how.replace(/^the image or cache reference /, '')}` },
      field,
      values,
    );
    if (problem) return problem;
  }
  return undefined;
}

/**
 * Options whose value gives the container rights over this machine or its kernel, or sets its environment from
 * a file: a value there could ask for `ALL` capabilities, `seccomp=unconfined`, the host's PID or user
 * namespace, another runtime, or an env file of its choosing (LD_PRELOAD=…). Refused like a mount's source.
 */
const PRIVILEGE_OPTIONS: ReadonlyMap<string, string> = new Map([
  ['--cap-add', 'the kernel capabilities'],
  ['--security-opt', 'the security profile (seccomp, AppArmor, SELinux, no-new-privileges)'],
  ['--pid', 'the process namespace (host: every process of this machine)'],
  ['--ipc', 'the IPC namespace (host: the shared memory of this machine)'],
  ['--uts', 'the UTS namespace (host)'],
  ['--userns', 'the user namespace (host: root of the container is root of this machine)'],
  ['--cgroupns', 'the cgroup namespace (host)'],
  ['--runtime', 'the runtime that runs it (a program of this machine)'],
  ['--device-cgroup-rule', 'the devices of this machine'],
  ['--env-file', 'the file of variables'],
  ['--privileged', 'every right of this machine (--privileged=true)'],
  ['--unmask', 'the kernel paths unmasked (ALL)'],
  ['--hooks-dir', 'the OCI hooks (programs of this machine run as root)'],
  ['--uidmap', 'the user mapping (as --userns)'],
  ['--gidmap', 'the group mapping (as --userns)'],
  ['--init-path', 'the init program (a program of this machine)'],
  // host: this machine's network namespace (its loopback services, its interfaces); container:NAME another
  // container's, podman's ns:PATH any. A network of a fixed list is written in the config.
  [
    '--network',
    'the network namespace (host: the network of this machine; container:NAME that of another container)',
  ],
  [
    '--net',
    'the network namespace (host: the network of this machine; container:NAME that of another container)',
  ],
  ['--network-add', 'the network (host: the network of the node)'],
  // The group of a mounted docker socket or device (its gid), podman's keep-groups (the caller's groups).
  ['--group-add', 'the groups of its processes (the gid of a mounted docker socket or device, keep-groups)'],
  // Where its logs go (syslog, gelf, fluentd, splunk: an address elsewhere gets what it prints), and how.
  ['--log-driver', 'the log driver (syslog, gelf, splunk, a plugin: where what it prints is sent)'],
  [
    '--log-opt',
    'the log options (syslog-address=, splunk-url=, env=: where its logs and variables are sent)',
  ],
  // Another container's network and variables (legacy links copy its environment into this one's).
  ['--link', 'the container linked (its network, and its variables copied into this one)'],
  ['--cgroup-parent', 'the cgroup of this machine it runs under (its limits, the devices it may use)'],
  ['--volume-driver', 'the volume plugin (a program of this machine) that makes its volumes'],
  // A secret of the store (podman's from a file or a variable of the job, swarm's): which one the container reads.
  ['--secret', 'the secret (any secret of the store: a file or a variable of the job put there)'],
  ['--secret-add', 'the secret (any secret of the swarm)'],
  // A swarm config (a file of the swarm's, laid at a path of the container: target=).
  ['--config', 'the swarm config (any config of the swarm, and the path in the container it is laid at)'],
  ['--config-add', 'the swarm config (any config of the swarm, and the path in the container it is laid at)'],
]);

/**
 * Whether a mount's source (templates unrendered) names a volume, not a host path: its fixed text holds only a
 * volume name's characters and does not start with "." (a path relative to the working directory). Templates
 * in it are then checked once rendered (volumeNameProblem).
 */
function isVolumeName(source: string): boolean {
  const fixed = source.replace(PLACEHOLDER, '');
  return VOLUME_NAME.test(fixed) && !/^[.~-]/.test(source);
}

/** Whether fixed text may be in a volume name where a value goes (a variable's text: `V=data-{{env}}`). */
export function isVolumeNameText(text: string): boolean {
  return VOLUME_NAME.test(text) && !/^[.-]/.test(text);
}

/** Why a variable in the name of a named volume is refused at load: one not set from fixed text and templates. */
export function volumeVariableMessage(name: string): string {
  return `{{${name}}} is in the name of a volume a container mounts, where only a template written there, or a variable set from a volume name's letters, digits and _ . - and templates alone (V=data-{{…}}), is checked: a "/" in it would make the source a directory of this machine; write the template itself there, or the host path in the config`;
}

/**
 * Why a value in the name of a named volume (`-v data-{{env}}:/data`, `--mount type=volume,src={{x}},…`) is
 * refused once rendered, or undefined: a `/` (or a leading "." or "~") would make the source a path of this
 * machine, bind-mounted into the container, and a `,`, `=` or `:` would add fields to the mount.
 */
export function volumeNameProblem(name: string, value: string): string | undefined {
  if (isVolumeNameText(value)) return undefined;
  const bad = /^[.-]/.test(value) ? value[0]! : [...value].find((c) => !VOLUME_NAME.test(c))!;
  return `{{${name}}} is in the name of a volume a container mounts, and its value holds ${JSON.stringify(bad)}: a value there must be letters, digits and _ . - (not starting with "." or "-"), since a "/" would make it a directory of this machine mounted into the container, and ":" "," or "=" would add to the mount; write other mounts in the config`;
}

/**
 * Why a value in the user or group a container runs as (`docker run --user {{uid}}:{{gid}}`, `docker exec -u`)
 * is refused once rendered, or undefined: it must be a number other than 0, since 0 or a name (root, or any
 * name the image maps to 0) would run it as root, who owns what its mounts hold.
 */
export function userIdProblem(name: string, value: string): string | undefined {
  if (/^[1-9][0-9]*$/.test(value)) return undefined;
  return `{{${name}}} is in the user or group a container runs as (--user), and its value ${JSON.stringify(value)} is not a number other than 0: a value there must be a uid or gid from 1 up, since 0 or a name (root, or one the image maps to 0) would run the container as root, who owns what its mounts hold; write a root or named user in the config, a command per environment`;
}

/** Why a variable in the user a container runs as is refused at load: one not set from fixed text and templates. */
export function userVariableMessage(name: string): string {
  return `{{${name}}} is in the user or group a container runs as (--user), where only a template written there, or a variable set from fixed text and templates alone (U={{…}}), is checked to be a number other than 0; write the template itself there`;
}

/**
 * The registries where the first path component after the host is an account anyone can make (Docker Hub's,
 * GitHub's, Quay's, …; Fly's app): a value there chooses whose image it is.
 */
const PUBLIC_REGISTRIES = new Set(
  ['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com', 'ghcr.io'].concat([
    'quay.io',
    'gcr.io',
    'public.ecr.aws',
    'registry.gitlab.com',
    'mcr.microsoft.com',
    'lscr.io',
    'cgr.dev',
    'docker.pkg.github.com',
    'nvcr.io',
    // Fly's registry: registry.fly.io/APP, the first component the Fly app whose image it is (any app the
    // token reaches, or one anyone can make).
    'registry.fly.io',
  ]),
);

/**
 * Google's registries named by region, where the first path component is a project anyone can create (and make
 * public): Container Registry's regional hosts (us.gcr.io, eu.gcr.io, asia.gcr.io, mirror.gcr.io) and Artifact
 * Registry's (us-central1-docker.pkg.dev/PROJECT/REPOSITORY/IMAGE).
 */
const PUBLIC_REGISTRY_HOSTS = /^(?:[a-z0-9-]+\.gcr\.io|[a-z0-9-]+-docker\.pkg\.dev)$/;

/** Whether the first path component after `host` is an account anyone can make (PUBLIC_REGISTRIES). */
function publicRegistry(host: string): boolean {
  const lower = host.toLowerCase();
  return PUBLIC_REGISTRIES.has(lower) || PUBLIC_REGISTRY_HOSTS.test(lower);
}

/** podman's and buildah's transports other than docker://, reading or writing a path of this machine. */
const LOCAL_TRANSPORTS =
  /^(dir|oci|oci-archive|docker-archive|containers-storage|docker-daemon|sif|ostree|tarball):/;

/** A part of an image reference: the registry host (or Docker Hub account), an account, a name, tag or digest. */
interface ImagePart {
  part: 'registry' | 'owner' | 'name' | 'tag' | 'digest';
  text: string;
}

/**
 * The parts of an image reference (templates unrendered), cut at its fixed `/`, `:` and `@` only:
 * [REGISTRY/][OWNER/]NAME/…[:TAG][@DIGEST]. The first of several components is the registry host (or, on
 * Docker Hub, the account), the one after a public registry's host the account (docker.io/NAME alone: any of
 * Docker Hub's official images).
 */
function imageParts(reference: string): ImagePart[] {
  const masked = reference.replace(PLACEHOLDER, (m) => '\0'.repeat(m.length));
  const at = masked.indexOf('@');
  const end = at < 0 ? reference.length : at;
  const slash = masked.lastIndexOf('/', end - 1);
  const colon = masked.indexOf(':', slash + 1);
  const nameEnd = colon >= 0 && colon < end ? colon : end;
  const cuts: number[] = [];
  for (let k = 0; k < nameEnd; k++) if (masked[k] === '/') cuts.push(k);
  const components = [...cuts, nameEnd].map((cut, i) => reference.slice(i === 0 ? 0 : cuts[i - 1]! + 1, cut));
  const parts: ImagePart[] = components.map((text, i) => ({
    part:
      components.length > 1 && i === 0
        ? 'registry'
        : i === 1 && publicRegistry(components[0]!)
          ? 'owner'
          : 'name',
    text,
  }));
  if (nameEnd < end) parts.push({ part: 'tag', text: reference.slice(nameEnd + 1, end) });
  if (at >= 0) parts.push({ part: 'digest', text: reference.slice(at + 1) });
  return parts;
}

/** The reference without podman's docker:// transport. */
function withoutTransport(reference: string): string {
  return reference.startsWith('docker://') ? reference.slice('docker://'.length) : reference;
}

/**
 * Why a template in an image reference (`value`, of the runner `name`) is refused when the config loads, or
 * undefined when it is checked once rendered (imageReferenceProblem) or holds none: a template that is the whole
 * reference or starts it, or is in its registry host or a public registry's account, chooses whose image it is;
 * podman's dir:, oci:, docker-archive: … transports name a path of this machine.
 */
function imageReferenceRefusal(value: string, name: string): string | undefined {
  if (templates(value).length === 0) return undefined;
  // skopeo's transport is written first: a value there or before it chooses it (oci{{x}} given :/home/runner).
  if (name === 'skopeo' && !value.startsWith('docker://'))
    return LOCAL_TRANSPORTS.test(value) ? 'transport' : 'scheme';
  // docker://{{x}} is the whole image as much as {{x}} is.
  if (withoutTransport(value).search(PLACEHOLDER) === 0) return 'whole';
  const fixed = value.replace(PLACEHOLDER, '');
  if ((name === 'podman' || name === 'buildah') && LOCAL_TRANSPORTS.test(fixed)) return 'transport';
  const parts = imageParts(withoutTransport(value));
  if (parts.some((p) => (p.part === 'registry' || p.part === 'owner') && templates(p.text).length))
    return 'registry';
  return undefined;
}

/** Sorts a template in an image reference (the word `index`, its reference after `prefix`) into `found`. */
export function imageReference(
  found: ContainerMounts,
  index: number,
  word: string,
  prefix: string,
  name: string,
  how: string,
): void {
  const value = word.slice(prefix.length);
  const names = templates(value);
  if (names.length === 0) return;
  const refusal = imageReferenceRefusal(value, name);
  if (refusal === undefined) {
    found.names.set(index, { kind: 'image', prefix, how });
    return;
  }
  found.refused.push({
    index,
    names,
    how: `${how}, where the value would be ${refusalText(refusal)}`,
    kind: 'image',
  });
}

/** What a template refused in an image reference would be (imageReferenceRefusal's answer), for messages. */
function refusalText(refusal: string): string {
  return refusal === 'whole'
    ? 'the whole image or the start of its name: its registry'
    : refusal === 'transport'
      ? 'an image of a path of this machine (a dir:, oci: or docker-archive: transport)'
      : refusal === 'scheme'
        ? 'the transport, or in it (docker:// written first; dir:, oci:, docker-archive: name a path of this machine)'
        : 'its registry host or the account of a public registry';
}

/**
 * The name= or ref= field of a build's output or cache value (`type=image,name={{x}}`) whose image a template
 * chooses (imageReferenceRefusal): the field, its key, and what the value would be, for messages.
 */
export function buildReferenceRefusal(
  value: string,
): { field: string; key: string; what: string } | undefined {
  for (const field of value.split(',')) {
    const key = /^(name|ref)=/i.exec(field)?.[1];
    if (key === undefined || templates(field).length === 0) continue;
    const refusal = imageReferenceRefusal(field.slice(key.length + 1), '');
    if (refusal !== undefined) return { field, key, what: refusalText(refusal) };
  }
  return undefined;
}

/** A name path component of an image, a tag and a digest (the distribution reference grammar's). */
const IMAGE_PART: Record<'name' | 'tag' | 'digest', [RegExp, string]> = {
  name: [
    /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/,
    'a path component of the name must be lowercase letters and digits, joined by single . or _, __ or -, and hold no "/", ":" or "@"',
  ],
  tag: [
    /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/,
    'a tag must be letters, digits and _ . - (not starting with "." or "-", at most 128), with no "/", ":" or "@"',
  ],
  digest: [/^sha256:[0-9a-f]{64}$/, 'a digest must be sha256: and 64 lowercase hexadecimal digits'],
};

/**
 * Why an image reference with a template (`word` after `prefix`, templates unrendered) is refused with these
 * values, or undefined: each part holding a template must keep its shape once rendered, since a "/", ":" or "@"
 * would make the text before it a registry host and the rest another image (`app:{{version}}` given
 * `5000/evil` is the image evil of the registry app:5000).
 */
function imageReferenceProblem(
  check: { prefix: string; how: string; tag?: true },
  word: string,
  values: Readonly<Record<string, string | undefined>>,
): string | undefined {
  const reference = withoutTransport(word.slice(check.prefix.length));
  const render = (text: string) => text.replace(PLACEHOLDER, (_, n: string) => values[n]!);
  const parts: ImagePart[] = check.tag ? [{ part: 'tag', text: reference }] : imageParts(reference);
  for (const part of parts) {
    const names = templates(part.text);
    if (names.length === 0) continue;
    const list = names.map((n) => `{{${n}}}`).join(', ');
    const rendered = render(part.text);
    const shape = part.part === 'registry' || part.part === 'owner' ? undefined : IMAGE_PART[part.part];
    if (shape?.[0].test(rendered)) continue;
    const what = part.part === 'name' ? 'a component of the name' : `the ${part.part}`;
    return `${list} is in ${what} of ${check.how} (${reference}), which is ${JSON.stringify(rendered)} once rendered, making the ${check.tag ? 'tag' : 'image'} ${JSON.stringify(render(reference))}: ${shape?.[1] ?? 'the registry and account are written in the config'}, since a "/", ":" or "@" would make the text before it a registry host and the rest another image (app:5000/evil is the image evil of the registry app:5000); write other images in the config, a command per environment`;
  }
  return undefined;
}

/**
 * The image rule on an image reference's text alone (an "image" field of a JSON argument): what a template there
 * would be when it is refused at config load (the whole image, its registry or account), or undefined.
 */
export function imageTextRefusal(text: string): string | undefined {
  const refusal = imageReferenceRefusal(text, '');
  return refusal === undefined ? undefined : refusalText(refusal);
}

/** Why an image reference's text (`how` it is used), rendered with `values`, is refused, or undefined. */
export function imageTextProblem(
  text: string,
  how: string,
  values: Readonly<Record<string, string | undefined>>,
): string | undefined {
  if (templates(text).some((name) => values[name] === undefined)) return undefined; // said elsewhere
  return imageReferenceProblem({ prefix: '', how }, text, values);
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

/** A plain name: letters, digits and _ . -, not starting with "." or "-". */
const PLAIN_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/** Why a value checked to be one plain name (a context, a log tag; a namespace: one DNS-1123 label) is refused, or undefined. */
function plainNameProblem(
  check: PlainNameCheck,
  word: string,
  values: Readonly<Record<string, string | undefined>>,
): string | undefined {
  const own = word.slice(check.prefix.length, word.length - (check.suffix?.length ?? 0));
  const rendered = own.replace(PLACEHOLDER, (_, n: string) => values[n]!);
  const list = templates(own)
    .map((n) => `{{${n}}}`)
    .join(', ');
  if (check.sha)
    return /^([0-9a-f]{40}|[0-9a-f]{64})$/.test(rendered)
      ? undefined
      : `${list} is in ${check.how}, which is ${JSON.stringify(rendered)} once rendered: a value there must make one commit's SHA (40 or 64 lowercase hex digits), ${check.why}`;
  if (check.label)
    return DNS_LABEL.test(rendered)
      ? undefined
      : `${list} is in ${check.how}, which is ${JSON.stringify(rendered)} once rendered: a value there must make one DNS-1123 label (lowercase letters, digits and -, at most 63, starting and ending with a letter or digit), ${check.why}`;
  if (PLAIN_NAME.test(rendered)) return undefined;
  return `${list} is in ${check.how}, which is ${JSON.stringify(rendered)} once rendered: a value there must make one plain name (letters, digits and _ . -, not starting with "." or "-"), ${check.why}`;
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
const IMAGE_COMMAND_TRUST: Readonly<Record<string, string>> = {
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
};

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
const COMMIT_PROGRAMS: Readonly<Record<string, string>> = {
  '-c': 'the instruction applied to the image (CMD, ENTRYPOINT, ONBUILD: the program it runs; USER, WORKDIR, ENV)',
  '--change':
    'the instruction applied to the image (CMD, ENTRYPOINT, ONBUILD: the program it runs; USER, WORKDIR, ENV)',
  '--config': 'the image config read from a file (its entrypoint and command: the program it runs)',
};

/** A DNS-1123 label (a Kubernetes namespace's name): lowercase letters, digits and '-', ≤ 63, not starting or ending with '-'. */
const DNS_LABEL = /^(?=.{1,63}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

/** Why a value in a namespace must be one DNS-1123 label (plainNameProblem), for messages. */
const NAMESPACE_WHY =
  'since anything else is no namespace (an option such as --all-namespaces, a list, a path); write such a namespace in the config, a command per environment';

/** What choosing a context, profile, account or configuration chooses, for messages. */
const WHOSE_CREDENTIALS =
  "which of this machine's credentials it acts with and where they are sent (an entry of its own config: a prod context, an admin profile, another account), even by a plain name";

/**
 * A template in the context, profile, account or configuration a command chooses (the word `index`, its value
 * `value`): refused when the config loads. Each entry of the runner's own config holds credentials (a kubeconfig
 * context its user and cluster, an aws profile its keys or role), so even a plain name picks who acts and
 * where, as gcloud --account, kubectl --as and a DOCKER_CONTEXT or AWS_PROFILE assignment do.
 */
function contextName(found: ContainerMounts, index: number, word: string, value: string, how: string): void {
  const names = templates(value);
  if (names.length === 0) return;
  found.refused.push({ index, names, how: `${how}: ${WHOSE_CREDENTIALS}`, kind: 'engine' });
}

/**
 * A template in the namespace a command works in (kubectl/oc/helm -n, --namespace): checked once rendered to be
 * one DNS-1123 label, as Kubernetes names a namespace.
 */
export function namespaceName(
  found: ContainerMounts,
  index: number,
  word: string,
  value: string,
  how: string,
): void {
  if (templates(value).length === 0) return;
  found.names.set(index, {
    kind: 'plain',
    prefix: word.slice(0, word.length - value.length),
    how,
    why: NAMESPACE_WHY,
    label: true,
  });
}

/** kubectl's and oc's options choosing an entry of the kubeconfig, helm's; what they are, for messages. */
const CONTEXT_OPTIONS: Record<string, ReadonlyMap<string, string>> = {
  kubectl: new Map([
    ['--context', 'the context'],
    ['--cluster', 'the kubeconfig cluster'],
    ['--user', 'the kubeconfig user'],
  ]),
  helm: new Map([['--kube-context', 'the context']]),
};
CONTEXT_OPTIONS.oc = CONTEXT_OPTIONS.kubectl!;

/** kubectl and oc options that take a value written apart, before the words of kubectl set image. */
const SET_IMAGE_VALUES = new Set(
  ['-l', '--selector', '-f', '--filename', '-k', '--kustomize', '-n', '--namespace', '-o', '--output'].concat(
    ['--template', '--field-manager', '--context', '--cluster', '--user', '--kubeconfig', '-s', '--server'],
    ['--as', '--as-group', '--as-uid', '--token', '--request-timeout', '--cache-dir'],
    ['--username', '--password'],
  ),
);

/**
 * kubectl's, oc's and helm's names checked once rendered, and their image references: the context (cluster,
 * user) an option or `config use-context` chooses, one plain name; the image of `--image` (run, create
 * deployment|job|cronjob, debug) and of `set image … CONTAINER=IMAGE`.
 */
function clusterNames(found: ContainerMounts, words: readonly string[], at: number, name: string): void {
  const contexts = CONTEXT_OPTIONS[name]!;
  const end = words.indexOf('--', at + 1) < 0 ? words.length : words.indexOf('--', at + 1);
  const operands = words
    .slice(at + 1, end)
    .map((w, k) => [w, at + 1 + k] as const)
    .filter(([w]) => !w.startsWith('-'));
  const verb = operands.find(([w]) => /^(run|create|debug|set|config)$/.test(w));
  const sub = verb
    ? words.slice(verb[1], verb[1] + (verb[0] === 'run' || verb[0] === 'debug' ? 1 : 2)).join(' ')
    : '';
  const command = [name, sub].filter(Boolean).join(' ');
  for (let k = at + 1; k < end; k++) {
    const word = words[k]!;
    // -n NAMESPACE, -nNAMESPACE, -n=NAMESPACE (pflag drops a short option's "="), --namespace[=]NAMESPACE; also
    // last of a cluster of flags (-itn NAMESPACE, -itnNAMESPACE: the flags before it take no value; logs' -f and
    // -p too, but elsewhere they take one, so -fnVALUE is read as -f's).
    const cluster = /^-([itqAwRhfp]+)n/.exec(word);
    if (cluster && (cluster[0].length === word.length || !/[fp]/.test(cluster[1]!))) {
      const option = cluster[0];
      const index = option.length < word.length ? k : k + 1;
      if (index >= end) continue;
      const value =
        index === k ? word.slice(option.length + (word[option.length] === '=' ? 1 : 0)) : words[index]!;
      namespaceName(found, index, words[index]!, value, `the namespace ${name} -n (in ${option}) chooses`);
      if (index > k) k++;
      continue;
    }
    const attached = /^-n(?!=)./.test(word) ? 2 : -1;
    const eq = attached > 0 ? 1 : word.indexOf('=');
    const option = attached > 0 ? '-n' : eq > 0 ? word.slice(0, eq) : word;
    const index = eq > 0 ? k : k + 1;
    if (index >= end) continue;
    const value = attached > 0 ? word.slice(2) : eq > 0 ? word.slice(eq + 1) : words[index]!;
    const what = contexts.get(option);
    if (what) contextName(found, index, words[index]!, value, `${what} ${name} ${option} chooses`);
    else if (option === '-n' || option === '--namespace')
      namespaceName(found, index, words[index]!, value, `the namespace ${name} ${option} chooses`);
    else if (option === '--image' && name !== 'helm')
      imageReference(
        found,
        index,
        words[index]!,
        eq > 0 ? '--image=' : '',
        name,
        `the image ${command} runs`,
      );
  }
  // oc project NAME: the project (a namespace) later commands work in.
  const project = operands.slice(0, 2).find(([w]) => w === 'project');
  const projectName = project && operands[operands.indexOf(project) + 1];
  if (name === 'oc' && projectName)
    namespaceName(
      found,
      projectName[1],
      projectName[0],
      projectName[0],
      `the project ${name} project chooses`,
    );
  // oc new-app IMAGE…: each operand an image (its --image is read above).
  const newApp = operands.slice(0, 2).find(([w]) => w === 'new-app');
  if (name === 'oc' && newApp) toolCommand(found, words, newApp[1] + 1, 'oc new-app', name, [], OC_NEW_APP);
  if (name === 'helm' || !verb) return;
  const next = operands[operands.indexOf(verb) + 1];
  // kubectl config use-context NAME (use): the context later commands use.
  if (verb[0] === 'config' && next && /^(use-context|use)$/.test(next[0])) {
    const target = operands[operands.indexOf(next) + 1];
    if (target)
      contextName(found, target[1], target[0], target[0], `the context ${name} config ${next[0]} chooses`);
  }
  // kubectl set image RESOURCE CONTAINER=IMAGE …: each image after a fixed "=".
  if (verb[0] === 'set' && next?.[0] === 'image')
    for (let k = next[1] + 1; k < end; k++) {
      const word = words[k]!;
      if (word.startsWith('-')) {
        if (!word.includes('=') && SET_IMAGE_VALUES.has(word)) k++;
        continue;
      }
      const eq = word.replace(PLACEHOLDER, (m) => '\0'.repeat(m.length)).indexOf('=');
      if (eq > 0)
        imageReference(found, k, word, word.slice(0, eq + 1), name, `the image ${name} set image sets`);
    }
  // kubectl run --env NAME=VALUE, kubectl set env … -e/--env NAME=VALUE and its operands RESOURCE… NAME=VALUE…
  // (NAME- removes one): a value in a name chooses the variable the object's containers get (LD_PRELOAD). kubectl
  // reads every operand holding a "=" (or ending in "-") from the first such on as a variable, so a value in
  // any operand but after a fixed TYPE/ (a name holding "/" is no variable's) may make one: deployment {{x}}
  // given LD_PRELOAD=/x sets it. --from (the secret or config map whose keys it imports) and --prefix (put
  // before their names) choose the variables too.
  const setEnv = verb[0] === 'set' && next?.[0] === 'env';
  if (verb[0] !== 'run' && !setEnv) return;
  const envCommand = `${name} ${setEnv ? 'set env' : 'run'}`;
  const refuse = (index: number, text: string) => {
    const refusal = environmentName(
      index,
      text,
      `the variable ${envCommand} sets in the containers of the object`,
    );
    if (refusal) found.refused.push(refusal);
  };
  const codeValue = (index: number, text: string) => {
    // kubectl set env OBJECT LD_PRELOAD={{x}}: the value of a variable that loads code (isCodeVariable) in the
    // object's containers, which then run code of the value's choosing, as docker run -e LD_PRELOAD={{x}}'s
    // container does. (kubectl run --env's is refused where the runner's -e is: programs.ts.)
    const variable = /^([A-Za-z_][\w.-]*)=/.exec(text)?.[1];
    const names = variable === undefined ? [] : templates(text.slice(variable.length + 1));
    if (setEnv && variable !== undefined && isCodeVariable(variable) && names.length)
      found.refused.push({
        index,
        names,
        how: `the value of the variable ${variable} ${envCommand} sets in the containers of the object (which programs read to load code or to choose the programs they run, or the config, packages or repository they use: the object's containers would run code of the value's choosing)`,
        kind: 'code',
      });
  };
  for (let k = (setEnv ? next[1] : verb[1]) + 1; k < end; k++) {
    const word = words[k]!;
    const eq = word.indexOf('=');
    const option = word.startsWith('--') && eq > 0 ? word.slice(0, eq) : /^-e./.test(word) ? '-e' : word;
    const value = option === word ? k + 1 : k;
    const text =
      option === word
        ? (words[k + 1] ?? '')
        : word.slice(option === '-e' ? (word[2] === '=' ? 3 : 2) : eq + 1);
    if (!word.startsWith('-') || word === '-') {
      if (setEnv && !/\//.test(word.slice(0, Math.max(0, word.search(PLACEHOLDER))))) refuse(k, word);
      codeValue(k, word);
      continue;
    }
    if (option === '--env' || (setEnv && option === '-e')) {
      refuse(value, text);
      codeValue(value, text);
    } else if (setEnv && (option === '--from' || option === '--prefix')) {
      const names = templates(text);
      if (names.length)
        found.refused.push({
          index: value,
          names,
          how: `${option === '--from' ? 'the secret or config map whose keys' : 'the prefix of the names of the variables'} ${envCommand} --from imports into the containers of the object, which ${envCommand} ${option} chooses (so the variables they get: LD_PRELOAD, NODE_OPTIONS or PATH make them load or run other code)`,
          kind: 'code',
        });
    } else if (!SET_IMAGE_VALUES.has(word) && !/^(-c|--containers|--keys|--resource-version)$/.test(word))
      continue;
    if (option === word) k++;
  }
}

/**
 * What an operand or an option's value of an image tool is: an image reference (with skopeo's transport, or
 * 'repository': one without a transport), a tag alone, a path of this machine read or written, the transport
 * skopeo sync reads or writes, oc new-app's IMAGE~SOURCE (a source built on an image), or nothing read here.
 */
type ToolRole =
  | 'image'
  | 'repository'
  | 'tag'
  | 'read'
  | 'write'
  | 'transport'
  | 'source'
  | 'program'
  // A context of the runner's kubeconfig (trivy k8s CONTEXT): checked once rendered as kubectl --context's.
  | 'context'
  | undefined;

/** A subcommand of an image tool (IMAGE_TOOLS). */
interface ImageToolCommand {
  /** What it does with its images, for messages ("copies": "the image skopeo copy copies"). */
  does: string;
  /** Options that take a value written apart, besides the tool's global ones and `options`. */
  values?: readonly string[];
  /** Options that take no value (besides the tool's own and --help): any other option is not known here. */
  flags?: readonly string[];
  /** Options giving the container rights over this machine, and what they give (refused as docker run's). */
  rights?: Readonly<Record<string, string>>;
  /** Options choosing what it trusts or a file it uses, and what they choose: refused in the tool's own words. */
  engine?: Readonly<Record<string, string>>;
  /** Options choosing what a scanner looks at (trivy k8s --exclude-namespaces), and what they choose: refused. */
  scanner?: Readonly<Record<string, string>>;
  /** Options choosing what the image runs (crane mutate --entrypoint), and what they are: refused. */
  programs?: Readonly<Record<string, string>>;
  /** Options choosing the directory its program runs in (crane mutate --workdir): refused. */
  directories?: Readonly<Record<string, string>>;
  /** Options naming the user the container runs as: checked once rendered (userIdProblem). */
  users?: readonly string[];
  /** Options whose value is checked once rendered to be a plain name (ctr run --snapshotter). */
  names?: Readonly<Record<string, PlainCheck>>;
  /** Options choosing which containers it acts in by a pattern (crictl exec --name REGEX): refused. */
  selectors?: Readonly<Record<string, string>>;
  /** Options mounting something into the container (ctr run --mount, --device): read as docker run's. */
  mounts?: readonly string[];
  /** Options whose value is an image reference, a tag or a path. */
  options?: Readonly<Record<string, ToolRole>>;
  /** The role of the operand `word` at `position` of `count`, given the options written (a flag's is ""). */
  operand: (position: number, count: number, given: ReadonlyMap<string, string>, word: string) => ToolRole;
  /** Its options come before its operands only (ctr's): the words from the first operand on are operands. */
  leading?: true;
  /** Its switches choosing what it trusts (TRUST_SWITCHES): a template in --switch=VALUE is refused. */
  switches?: ReadonlyMap<string, string>;
}

/** A tool reading image references: its options that take a value (anywhere), and its subcommands read here. */
interface ImageTool {
  globals: readonly string[];
  /** Its options taking no value, whatever the subcommand. */
  flags?: readonly string[];
  commands: Readonly<Record<string, ImageToolCommand>>;
  /**
   * Options (anywhere before `--`; before the subcommand only when `leading`) choosing the engine the tool talks
   * to, what it trusts or a file it reads, and what they choose: a template there is refused like docker -H.
   */
  engine?: ReadonlyMap<string, string>;
  /** Options of `engine` choosing what a scanner finds, trusts or fails on: refused in its own words. */
  scanner?: readonly string[];
  /**
   * Options of `engine` choosing the engine or daemon it talks to (crictl -r, skopeo --daemon-host): refused as
   * docker -H. The others (all of them when this is not given: ctr's, kind's are the engine's) choose what the
   * tool trusts or signs with, or a file, directory or server of its own: refused in the tool's words.
   */
  engines?: readonly string[];
  /** Options (anywhere before `--`) whose value is checked once rendered to be a plain name or a list of words. */
  names?: Readonly<Record<string, PlainCheck>>;
  leading?: true;
  /**
   * Its groups besides those of `commands` (kind delete, crane auth): command paths whose next word is a command
   * word again, so a template there would choose what the tool does.
   */
  groups?: readonly string[];
  /**
   * A tree too large to list (gcloud's): its leading bare words are groups until a verb, after the first word
   * (gcloud compute instances create: the words after create are its operands); `tracks` are the words that may
   * come first and choose no group (gcloud beta).
   */
  verbs?: (word: string) => boolean;
  tracks?: readonly string[];
  /** Its options are read as Python's argparse reads them (gcloud): no option takes a word starting with "-". */
  argparse?: true;
  /** Its options taking an optional value, and the values they take (a word that is none is not theirs). */
  optional?: ReadonlyMap<string, readonly string[]>;
}

/** An option's value checked once rendered (CheckedName 'plain'): what it is, and why a check is needed. */
interface PlainCheck {
  how: string;
  why: string;
  label?: true;
}

/** cosign's options choosing the key or the signer it signs or verifies with, or what it trusts. */
const COSIGN_TRUST = new Map([
  // A key file takes the file rule (file-reads.ts); an env://, k8s:// or KMS reference takes no template.
  ['--key', 'the key it signs or verifies with (an env:// variable of the job, a KMS or k8s:// key)'],
  ['--certificate-identity', 'the signer identity it trusts (any workflow or account)'],
  ['--certificate-identity-regexp', 'the signer identities it trusts (.*: anyone)'],
  ['--certificate-oidc-issuer', 'the issuer it trusts'],
  ['--certificate-oidc-issuer-regexp', 'the issuers it trusts (.*: any)'],
  ['--certificate-github-workflow-repository', 'the repository whose workflow it trusts'],
  // The other claims of the workflow that signed: its name, the event that ran it (pull_request: a fork's), its
  // ref (a value after a fixed refs/heads/ or refs/tags/ is checked once rendered, as --certificate-identity's)
  // and its commit (checked once rendered to be a SHA: an empty value checks no claim).
  ['--certificate-github-workflow-name', 'the workflow whose signature it trusts'],
  [
    '--certificate-github-workflow-trigger',
    'the event whose workflow runs it trusts (pull_request_target: any fork)',
  ],
  ['--certificate-github-workflow-ref', 'the ref whose workflow runs it trusts (an empty value: any)'],
  ['--certificate-github-workflow-sha', 'the commit whose workflow runs it trusts (an empty value: any)'],
  ['--certificate-chain', 'the certificate chain it trusts (verify) or attaches (sign)'],
  ['--cert-chain', 'the certificate chain it trusts (verify) or attaches (sign)'],
  ['--trusted-root', 'the roots it trusts'],
  ['--ca-roots', 'the certificate authorities it trusts'],
  ['--ca-intermediates', 'the certificate authorities it trusts'],
  ['--rekor-url', 'the transparency log it trusts'],
  ['--fulcio-url', 'the certificate authority it trusts'],
  ['--signing-config', 'the signing services it trusts (a file: its certificate authority, log, timestamps)'],
  ['--registry-cacert', 'the certificate authority trusted for the registry'],
  ['--tsa-certificate-chain', 'the timestamp authority it trusts'],
  ['--timestamp-certificate-chain', 'the timestamp authority it trusts'],
  ['--timestamp-cert-chain', 'the timestamp authority it trusts'],
  // sign and attest: the timestamp authority it asks (verify trusts its timestamps), and who vouches for the
  // signer: the OIDC issuer, or the provider the identity token comes from (doc/cosign_sign.md).
  ['--timestamp-server-url', 'the timestamp authority it asks (whose timestamps verify trusts)'],
  ['--tsa-server-url', 'the timestamp authority it asks (whose timestamps verify trusts)'],
  ['--oidc-issuer', 'the OIDC issuer of the identity token it signs with (who vouches for the signer)'],
  // The OIDC client it asks the token as, and where the issuer sends the authorization code (a server elsewhere
  // gets it, and so a token to sign as the signer).
  ['--oidc-client-id', 'the OIDC client its identity token is asked for (whose token it signs with)'],
  [
    '--oidc-redirect-url',
    'the URL the OIDC issuer sends the authorization code to (a server elsewhere gets the signer token)',
  ],
  [
    '--oidc-provider',
    'the provider its identity token comes from (spiffe, google, github, filesystem: who vouches for the signer)',
  ],
  // verify-attestation --policy: the CUE or Rego policies the attestations must pass; --type: the predicate
  // type it verifies or attests (attach sbom's: the SBOM's type) (doc/cosign_verify-attestation.md).
  ['--policy', 'the CUE or Rego policies the attestations must pass (one of its choosing passes any)'],
  [
    '--type',
    'the predicate type it verifies or attests, or the type of the SBOM it attaches (another: an attestation of another kind passes, or is signed)',
  ],
  // cosign initialize: the TUF repository and root it trusts from then on (doc/cosign_initialize.md).
  ['--mirror', 'the TUF repository its trusted roots are updated from (and trusted from then on)'],
  ['--root', 'the TUF root it trusts from then on (a file or URL of its choosing)'],
  ['--root-checksum', 'the checksum the TUF root it downloads must have (any root, by its checksum)'],
]);

const image = (): ToolRole => 'image';

/** --help, which every tool here takes. */
const HELP_FLAGS = ['-h', '--help'];

/** skopeo's options that take a value written apart (copy, inspect, sync, delete, list-tags). */
const SKOPEO_VALUES: readonly string[] = [
  ...['--authfile', '--src-authfile', '--dest-authfile', '--creds', '--src-creds', '--dest-creds'],
  ...['--cert-dir', '--src-cert-dir', '--dest-cert-dir', '--registry-token', '--src-registry-token'],
  ...['--dest-registry-token', '--username', '--password', '--src-username', '--src-password', '-f'],
  ...['--dest-username', '--dest-password', '--format', '--sign-by', '--sign-by-sigstore', '--sign-identity'],
  ...['--sign-by-sigstore-private-key', '--sign-passphrase-file', '--additional-tag', '--encryption-key'],
  ...['--decryption-key', '--encrypt-layer', '--multi-arch', '--dest-compress-format', '--retry-times'],
  ...['--dest-compress-level', '--retry-delay', '--image-parallel-copies', '--src-shared-blob-dir'],
  ...['--dest-shared-blob-dir', '--src-daemon-host', '--dest-daemon-host', '--digestfile', '--append-suffix'],
  // skopeo inspect, delete and list-tags (skopeo-inspect(1) …), and sync's --sign-by-sq-fingerprint.
  ...['--daemon-host', '--shared-blob-dir', '--sign-by-sq-fingerprint', '--image-parallel-copies'],
];

/** skopeo's options that take no value (skopeo(1), skopeo-copy(1), -inspect, -delete, -list-tags, -sync). */
const SKOPEO_FLAGS: readonly string[] = [
  ...['--debug', '--insecure-policy', '-v', '--version', '--tls-verify', '--no-creds', '-a', '--all'],
  ...['--dest-compress', '--dest-decompress', '--dest-no-creds', '--dest-oci-accept-uncompressed-layers'],
  ...['--dest-precompute-digests', '--dest-tls-verify', '--src-tls-verify', '--src-no-creds', '-q'],
  ...['--quiet', '--preserve-digests', '--remove-signatures', '--force-compression', '--config', '--raw'],
  ...['-n', '--no-tags', '--dry-run', '--keep-going', '--scoped'],
];

/** skopeo sync --src/--dest TRANSPORT: what its operand at `position` is. */
function syncOperand(position: number, _count: number, given: ReadonlyMap<string, string>): ToolRole {
  const transport = given.get(position === 0 ? '--src' : '--dest') ?? given.get(position === 0 ? '-s' : '-d');
  if (position > 1) return undefined;
  if (transport === 'docker') return 'repository';
  return position === 0 ? 'read' : 'write';
}

/** cosign's options that take a value written apart (sign, verify, attest, copy, download, …). */
const COSIGN_VALUES: readonly string[] = [
  ...['--key', '--cert', '--cert-chain', '--certificate', '--certificate-chain', '--certificate-identity'],
  ...['--certificate-identity-regexp', '--certificate-oidc-issuer', '--certificate-oidc-issuer-regexp'],
  ...['--certificate-github-workflow-name', '--certificate-github-workflow-ref', '-a', '--annotations'],
  ...['--certificate-github-workflow-repository', '--certificate-github-workflow-sha', '--attachment'],
  ...[
    '--certificate-github-workflow-trigger',
    '-o',
    '--output',
    '--output-signature',
    '--output-certificate',
  ],
  ...[
    '--output-payload',
    '--output-attestation',
    '--payload',
    '--rekor-url',
    '--fulcio-url',
    '--oidc-issuer',
  ],
  ...['--oidc-client-id', '--oidc-client-secret-file', '--oidc-provider', '--oidc-redirect-url'],
  ...['--identity-token', '--slot', '--registry-username', '--registry-password', '--registry-token'],
  ...['--signature', '--signature-digest-algorithm', '--attachment-tag-prefix', '--ca-roots', '--bundle'],
  ...['--ca-intermediates', '--trusted-root', '--max-workers', '--type', '--predicate', '--policy'],
  ...['--rekor-entry-type', '--registry-referrers-mode', '--platform', '--sbom', '--sbom-type', '--dir'],
  ...['--output-file', '-t', '--timeout', '--k8s-keychain-namespace', '--tsa-server-url', '--key-ref'],
  // cosign sign's and verify's (doc/cosign_sign.md, cosign_verify.md) besides those above.
  ...['--fulcio-auth-flow', '--registry-cacert', '--registry-client-cert', '--registry-client-key'],
  ...['--registry-server-name', '--signing-config', '--timestamp-client-cacert', '--timestamp-client-cert'],
  ...['--timestamp-client-key', '--timestamp-server-name', '--sct', '--tsa-certificate-chain', '--only'],
  ...['--rfc3161-timestamp', '--timestamp-certificate-chain', '--attachment-tag-prefix'],
  // cosign initialize (doc/cosign_initialize.md), sign's timestamp authority, an older verify's chain.
  ...['--mirror', '--root', '--root-checksum', '--timestamp-server-url', '--timestamp-cert-chain'],
];

/** cosign upload blob and upload wasm (doc/cosign_upload_blob.md, cosign_upload_wasm.md). */
const COSIGN_UPLOAD: ImageToolCommand = {
  does: 'uploads to',
  values: ['-f', '--files', '--file', '--ct', '--annotation'],
  operand: () => 'image',
};

/** cosign's options that take no value (doc/cosign_sign.md, cosign_verify.md, cosign_copy.md, …). */
const COSIGN_FLAGS: readonly string[] = [
  ...['-d', '--verbose', '-y', '--yes', '-r', '--recursive', '--upload', '--tlog-upload', '--sk', '-f'],
  ...['--force', '--allow-http-registry', '--allow-insecure-registry', '--k8s-keychain', '--local-image'],
  ...['--check-claims', '--experimental-oci11', '--insecure-ignore-sct', '--insecure-ignore-tlog'],
  ...['--new-bundle-format', '--private-infrastructure', '--use-signed-timestamps', '--offline'],
  ...['--oidc-disable-ambient-providers', '--record-creation-timestamp', '--issue-certificate', '--replace'],
  ...['--sig-only', '--no-upload', '--insecure-skip-verify', '--use-signing-config', '--include-payload'],
  ...['--staging', '--insecure-skip-tlog-verify'],
];

/** trivy image's options that take a value written apart. */
export const TRIVY_VALUES: readonly string[] = [
  ...['-f', '--format', '-o', '--output', '-s', '--severity', '--exit-code', '--timeout', '--cache-dir'],
  ...['--skip-dirs', '--skip-files', '--ignorefile', '--scanners', '--vuln-type', '--pkg-types', '-t'],
  ...['--template', '--input', '--platform', '--username', '--password', '--registry-token', '-c'],
  ...['--db-repository', '--java-db-repository', '--image-src', '--docker-host', '--podman-host', '--config'],
  ...['--ignore-policy', '--cache-backend', '--cache-ttl', '--server', '--token', '--token-header'],
  ...['--custom-headers', '--vex', '--sbom-sources', '--rekor-url', '--compliance', '--secret-config'],
  ...['--license-confidence-level', '--ignored-licenses', '--detection-priority', '--distro', '--parallel'],
  ...['--max-image-size', '--checks-bundle-repository', '--image-config-scanners', '--exit-on-eol'],
  ...['--misconfig-scanners', '--file-patterns', '--module-dir', '--enable-modules', '--report'],
  // trivy image (docs/…/cli/trivy_image.md) besides those above.
  ...['--config-check', '--config-data', '--config-file-schemas', '--helm-api-versions', '--helm-set'],
  ...['--helm-kube-version', '--helm-set-file', '--helm-set-string', '--helm-values', '--ignore-status'],
  ...['--output-plugin-arg', '--pkg-relationships', '--redis-ca', '--redis-cert', '--redis-key'],
  ...['--policy', '--config-policy', '--namespaces', '--policy-namespaces', '--trace-http'],
  // trivy repo and trivy vm.
  ...['--branch', '--tag', '--commit', '--aws-region', '--aws-endpoint'],
  // Newer and older names (--check-namespaces for --policy-namespaces, --policy-bundle-repository for
  // --checks-bundle-repository).
  ...['--check-namespaces', '--policy-bundle-repository'],
  // trivy client (its server), the severity sources.
  ...['--remote', '--vuln-severity-source'],
];

/** trivy's options that take no value (trivy image and the global ones). */
const TRIVY_FLAGS: readonly string[] = [
  ...['-d', '--debug', '-q', '--quiet', '-v', '--version', '--insecure', '--generate-default-config'],
  ...['--dependency-tree', '--download-db-only', '--download-java-db-only', '--ignore-unfixed'],
  ...['--include-deprecated-checks', '--include-non-failures', '--license-full', '--list-all-pkgs'],
  ...['--no-progress', '--offline-scan', '--password-stdin', '--redis-tls', '--removed-pkgs', '--reset'],
  ...['--show-suppressed', '--skip-check-update', '--skip-db-update', '--skip-java-db-update', '--trace'],
  ...['--skip-vex-repo-update', '--tf-exclude-downloaded-modules', '--skip-update', '--skip-policy-update'],
  ...['--clear-cache', '--skip-version-check', '--disable-telemetry', '--include-dev-deps'],
];

/**
 * trivy k8s (kubernetes) [CONTEXT] (docs/…/cli/trivy_kubernetes.md; before 0.50: a resource, cluster or all, and
 * --context, -n): the context of the kubeconfig it scans (checked once rendered as kubectl --context's; its
 * --kubeconfig is refused in launchers.ts), what of the cluster it scans, and the node-collector job it runs on
 * the nodes (an image reading each node's files as root: its image takes the image rule, its namespace and
 * tolerations no template).
 */
const TRIVY_K8S: ImageToolCommand = {
  does: 'scans',
  values: [
    ...[
      '--burst',
      '--qps',
      '--report',
      '--tf-vars',
      '--kubeconfig',
      '--node-collector-imageref',
      '--context',
    ],
  ],
  flags: [
    ...['-A', '--all-namespaces', '--disable-node-collector', '--exclude-owned', '--skip-images', '--slow'],
    ...['--show-ignored', '--reset-policy-bundle'],
  ],
  engine: {
    '--node-collector-namespace':
      "the namespace its node-collector job (which reads each node's files as root) is made in",
    '--tolerations':
      "the taints its node-collector job tolerates (the nodes it reads as root: the control plane's too)",
  },
  scanner: {
    '-n': 'the namespace it scans (another: none of the vulnerable workloads)',
    '--namespace': 'the namespace it scans (another: none of the vulnerable workloads)',
    '--include-namespaces': 'the namespaces it scans (another: none of the vulnerable workloads)',
    '--exclude-namespaces': 'the namespaces it does not scan (those of the vulnerable workloads)',
    '--include-kinds': 'the kinds of resource it scans (another: none of the vulnerable ones)',
    '--exclude-kinds': 'the kinds of resource it does not scan (the vulnerable ones)',
    '--exclude-nodes': 'the nodes it does not scan (by their labels)',
    '--components': 'the components it scans (infra alone: no workload)',
    '--k8s-version': 'the Kubernetes version its outdated APIs are checked against (an old one: none are)',
  },
  options: { '--node-collector-imageref': 'image', '--context': 'context' },
  operand: () => 'context',
};

/** ctr run's options that take a value written apart (read before its image only). */
const CTR_RUN_VALUES: readonly string[] = [
  ...['--snapshotter', '--snapshotter-label', '--cwd', '--env', '--label', '--sandbox', '--platform'],
  ...['--cpus', '--cpu-shares', '--cpu-quota', '--cpu-period', '--cpuset-cpus', '--cpuset-mems'],
  ...['--memory-limit', '--cap-drop', '--gpus', '--hostname', '--rlimit-nofile', '--annotation'],
  ...['--blockio-class', '--rdt-class', '--cpu-rt-runtime', '--cpu-rt-period', '--cni-config', '--exec-id'],
  ...['--image-config', '--checkpoint', '--seccomp-profile', '--apparmor-profile'],
];

/** ctr run's (and ctr task exec's) options that take no value (cmd/ctr/commands: ContainerFlags, TaskFlags). */
const CTR_RUN_FLAGS: readonly string[] = [
  ...['--rm', '--null-io', '-d', '--detach', '-t', '--tty', '--read-only', '--readonly', '--rootfs'],
  ...['--seccomp', '--no-pivot', '--cni', '--remap-labels', '--sync-fs', '--privileged', '--net-host'],
  ...['--allow-new-privs', '--privileged-without-host-devices', '--runc-systemd-cgroup'],
];

/**
 * ctr run's options giving the container rights over this machine (as docker run's --privileged, --cap-add,
 * --runtime): a value there is refused. `--privileged`, `--net-host` and `--allow-new-privs` take none, but may
 * be written `--privileged=VALUE`.
 */
const CTR_RIGHTS: Readonly<Record<string, string>> = {
  '--privileged': 'every right of this machine (--privileged=true)',
  '--net-host': 'the network of this machine (--net-host=true)',
  '--allow-new-privs': 'new privileges for its processes (--allow-new-privs=true: set-user-ID programs)',
  '--privileged-without-host-devices': 'every right of this machine but its devices',
  '--cap-add': 'the kernel capabilities',
  '--with-ns':
    'the namespaces it joins (a path of this machine: the network, processes or mounts of another)',
  '--runtime': 'the runtime that runs it (a name, or a program of this machine)',
  '--runtime-config-path': 'the configuration of the runtime (its binary, its root)',
  '--runc-binary': 'the runc program (a program of this machine)',
  '--runc-root': 'the state directory of runc',
  '-c': 'the OCI spec read from a file (privileged, mounts, namespaces)',
  '--config': 'the OCI spec read from a file (privileged, mounts, namespaces)',
  '--seccomp-profile': 'the seccomp profile (a file: none at all)',
  '--apparmor-profile': 'the AppArmor profile',
  '--apparmor-default-profile': 'the AppArmor profile',
  '--uidmap': 'the user mapping (root of the container as a user of this machine)',
  '--gidmap': 'the group mapping',
  '--cgroup': 'the cgroup of this machine it runs under (its limits, the devices it may use)',
  '--env-file': 'the file of variables',
  '--log-uri': 'where its output goes (binary://: a program of this machine run with it)',
  '--blockio-config-file': 'the block I/O classes read from a file',
};

/** ctr images pull/push/tag's options that take a value written apart. */
const CTR_IMAGE_VALUES: readonly string[] = [
  ...['-u', '--user', '--platform', '--hosts-dir', '--tlscacert', '--tlscert', '--tlskey', '--snapshotter'],
  ...['--label', '--max-concurrent-downloads', '--max-concurrent-uploaded-layers', '--refresh', '--manifest'],
  ...['--manifest-type'],
];

/** ctr images pull/push/tag's options that take no value (RegistryFlags and their own). */
const CTR_IMAGE_FLAGS: readonly string[] = [
  ...['-k', '--skip-verify', '--plain-http', '--http-dump', '--http-trace', '--all-platforms', '--local'],
  ...[
    '--all-metadata',
    '--print-chainid',
    '--skip-metadata',
    '--unpack',
    '--force',
    '--skip-reference-check',
  ],
  ...['--allow-non-distributable-blobs', '--sync-fs'],
];

/** ctr images pull/push's switches choosing what it trusts (TRUST_SWITCHES), refused written -k=VALUE. */
const CTR_IMAGE_SWITCHES: ReadonlyMap<string, string> = new Map([
  ['-k', 'whether the certificate of the registry is checked'],
  ['--skip-verify', 'whether the certificate of the registry is checked'],
  ['--plain-http', 'whether the registry is reached without TLS'],
]);

/** ctr run's and images pull's --snapshotter: one plain name, a snapshotter of containerd's config. */
const CTR_SNAPSHOTTER: Readonly<Record<string, PlainCheck>> = {
  '--snapshotter': {
    how: 'the snapshotter ctr --snapshotter chooses (the layers the container starts from)',
    why: "the name of a snapshotter containerd's config already has, since anything else is no such name (a path, an option); write other snapshotters in the config",
  },
};

/** ctr images pull/push/tag's options choosing what it trusts for the registry (files and directories). */
const CTR_IMAGE_TRUST: Readonly<Record<string, string>> = {
  '--tlscacert': 'the certificate authority trusted for the registry (a file of this machine)',
  '--tlscert': 'the client certificate presented to the registry (a file of this machine)',
  '--tlskey': 'the client key presented to the registry (a file of this machine)',
  '--hosts-dir': 'the registry configuration (mirrors, certificates: the images that run)',
};

/** ctr's image subcommands, under each name of images, and run and task exec. */
const CTR_COMMANDS: Record<string, ImageToolCommand> = {
  // ctr run [flags] IMAGE ID [COMMAND] [ARG...]: with --rootfs, IMAGE is a directory of this machine.
  run: {
    does: 'runs',
    values: CTR_RUN_VALUES,
    flags: CTR_RUN_FLAGS,
    rights: CTR_RIGHTS,
    users: ['-u', '--user'],
    mounts: ['--mount', '--device'],
    names: CTR_SNAPSHOTTER,
    options: { '--pid-file': 'write', '--fifo-dir': 'write' },
    leading: true,
    operand: (p, _c, given) =>
      p === 0 ? (given.has('--rootfs') ? 'read' : 'image') : p === 2 ? 'program' : undefined,
  },
};
for (const group of ['images', 'image', 'i'])
  for (const [sub, does] of [
    ['pull', 'pulls'],
    ['push', 'pushes'],
    ['tag', 'names'],
  ] as const)
    CTR_COMMANDS[`${group} ${sub}`] = {
      does,
      values: CTR_IMAGE_VALUES,
      flags: CTR_IMAGE_FLAGS,
      switches: CTR_IMAGE_SWITCHES,
      engine: CTR_IMAGE_TRUST,
      names: CTR_SNAPSHOTTER,
      leading: true,
      operand: image,
    };
// ctr content fetch [flags] REF [OBJECT...]: the image it fetches, with pull's registry options.
CTR_COMMANDS['content fetch'] = {
  does: 'fetches',
  values: CTR_IMAGE_VALUES,
  flags: [...CTR_IMAGE_FLAGS, '--metadata-only'],
  switches: CTR_IMAGE_SWITCHES,
  engine: CTR_IMAGE_TRUST,
  leading: true,
  operand: (p) => (p === 0 ? 'image' : undefined),
};
// ctr images import [flags] FILE: the archive read as images, named after --base-name (and --index-name), and
// unpacked with --snapshotter.
for (const group of ['images', 'image', 'i'])
  CTR_COMMANDS[`${group} import`] = {
    does: 'imports',
    values: ['--platform'],
    flags: ['--digests', '--skip-digest-for-named', '--all-platforms', '--no-unpack', '--local'].concat([
      '--compress-blobs',
      '--discard-unpacked-layers',
    ]),
    names: CTR_SNAPSHOTTER,
    options: { '--base-name': 'image', '--index-name': 'image' },
    leading: true,
    operand: (p) => (p === 0 ? 'read' : undefined),
  };
// ctr containers create [flags] IMAGE ID [COMMAND] [ARG...] (container, c): the container ctr task start runs
// later, made with run's options (ContainerFlags): its image, rights, mounts, user and program as run's.
for (const group of ['containers', 'container', 'c']) CTR_COMMANDS[`${group} create`] = CTR_COMMANDS.run!;
// ctr task exec [flags] CONTAINER COMMAND [ARG...] (tasks, t): the program it runs in the container.
for (const group of ['task', 'tasks', 't'])
  CTR_COMMANDS[`${group} exec`] = {
    does: 'runs',
    values: ['--cwd', '--exec-id'],
    flags: ['-t', '--tty', '-d', '--detach'],
    rights: { '--privileged': CTR_RIGHTS['--privileged']! },
    users: ['-u', '--user'],
    options: { '--fifo-dir': 'write' },
    leading: true,
    operand: (p) => (p === 1 ? 'program' : undefined),
  };

/** gcloud's global options that take a value written apart. */
const GCLOUD_VALUES: readonly string[] = [
  ...['--project', '--account', '--configuration', '--region', '--impersonate-service-account', '--format'],
  ...[
    '--verbosity',
    '--billing-project',
    '--flags-file',
    '--access-token-file',
    '--trace-token',
    '--flatten',
  ],
  ...['--location', '--repository', '--filter', '--limit', '--page-size', '--sort-by', '--key-file'],
];

/** gcloud's options that take no value, for the commands read here. */
const GCLOUD_FLAGS: readonly string[] = [
  ...['-q', '--quiet', '--log-http', '--user-output-enabled', '--no-user-output-enabled', '--async'],
  ...['--delete-tags', '--include-tags', '--force-delete-tags', '-h', '--help'],
];

/**
 * gcloud's global options taking an optional value (calliope: --user-output-enabled is nargs='?' with the choices
 * true and false): the next word is its value when it is one of them, else the option stands alone.
 */
export const GCLOUD_OPTIONAL: ReadonlyMap<string, readonly string[]> = new Map([
  ['--user-output-enabled', ['true', 'false']],
]);

/**
 * gcloud's options (anywhere: gcloud reads its global flags after the command too) choosing who it acts as, or
 * the flags it reads from a file (gcloud topic flags-file: any flag of the command, as YAML): a template there is
 * refused as docker -H is. auth activate-service-account --key-file: the key of the account it then acts as.
 */
const GCLOUD_ENGINE = new Map([
  [
    '--impersonate-service-account',
    'the service account it acts as (any one the credentials may impersonate, with its rights)',
  ],
  ['--access-token-file', 'the access token it acts with (a file of this machine: whose token it sends)'],
  ['--account', "the account it acts as (any account of this machine's credentials, with its rights)"],
  ['--configuration', `the configuration it uses (its account and properties): ${WHOSE_CREDENTIALS}`],
  [
    '--flags-file',
    'the flags it reads from a file (YAML: any flag of the command, and so what it deploys and as whom)',
  ],
  ['--key-file', 'the service account key it authenticates with (a file of this machine: who it acts as)'],
  // auth login --cred-file: a service account key, or a workload identity federation config (which names the
  // token URL and the file or URL its subject token comes from).
  [
    '--cred-file',
    'the credential file it logs in with (a key, or a workload identity config naming a token server: who it acts as)',
  ],
  // The service account what it deploys or creates acts as (run deploy, functions deploy and its build and
  // trigger, compute instances create, builds submit, container clusters create, scheduler jobs' OIDC tokens),
  // and the one iam service-accounts keys create makes a key for: any account the credentials may attach.
  ...[
    '--service-account',
    '--build-service-account',
    '--run-service-account',
    '--trigger-service-account',
    '--service-account-email',
    '--oidc-service-account-email',
    '--oauth-service-account-email',
    '--iam-account',
  ].map(
    (option) =>
      [
        option,
        'the service account it (or what it deploys or creates) acts as, or makes a key for (any one the credentials may attach, with its rights)',
      ] as const,
  ),
  // compute instances create, instance-templates create, disks create: the project whose image the boot disk is
  // made from (any project's image: its code boots the VM).
  ...['--image-project', '--source-image-project'].map(
    (option) =>
      [
        option,
        "the project the boot disk's image comes from (another project's image: code of its choosing boots the VM)",
      ] as const,
  ),
]);

/** Why a gcloud project must be one project ID (plainNameProblem), for messages. */
const PROJECT_WHY =
  'since anything else is no project ID (an option, a list, a path); write such a project in the config, a command per environment';

/**
 * The words of a gcloud command after its groups (gcloud reference: each group's commands), for the subcommand
 * rule: a word before one of these (after the first) is a group, whose next word chooses the command.
 */
const GCLOUD_VERBS: ReadonlySet<string> = new Set([
  ...['create', 'delete', 'describe', 'list', 'update', 'deploy', 'get', 'set', 'unset', 'add', 'remove'],
  ...['ssh', 'scp', 'submit', 'replace', 'cancel', 'start', 'stop', 'restart', 'reset', 'resize'],
  ...['get-credentials', 'get-iam-policy', 'set-iam-policy', 'add-iam-policy-binding', 'login', 'revoke'],
  ...['remove-iam-policy-binding', 'activate-service-account', 'print-access-token', 'print-identity-token'],
  ...['configure-docker', 'cp', 'mv', 'rm', 'ls', 'cat', 'rsync', 'du', 'read', 'publish', 'pull', 'tail'],
  ...['enable', 'disable', 'rollback', 'promote', 'approve', 'reject', 'execute', 'call', 'wait', 'attach'],
  ...['detach', 'move', 'clone', 'patch', 'failover', 'connect', 'add-tag', 'untag', 'list-tags', 'access'],
  ...['run', 'upload', 'download', 'apply', 'import', 'export', 'undelete', 'restore', 'activate', 'browse'],
  ...['migrate', 'suspend', 'resume', 'recreate', 'abandon', 'rename', 'generate', 'deactivate'],
]);

/** Whether a gcloud word is a command: a verb, or a verb and a hyphenated object (add-metadata, update-traffic). */
const gcloudVerb = (word: string): boolean => GCLOUD_VERBS.has(word) || GCLOUD_VERBS.has(word.split('-')[0]!);

/**
 * gcloud run's commands setting the image a service or job runs (--image), what it runs (--command, --args) and
 * the secrets it gets (--set-secrets, --update-secrets: any secret of the project, as a variable or a file);
 * gcloud app deploy --image-url and builds submit --tag (the image it deploys or builds); and the commands naming
 * images of Container Registry or Artifact Registry (container images add-tag SRC DEST…, delete; artifacts
 * docker images delete, docker tags add IMAGE TAG and delete), also under beta and alpha.
 */
const GCLOUD_COMMANDS: Record<string, ImageToolCommand> = {};
const GCLOUD_SECRETS = 'the secrets (any secret of the project, as a variable or a file of the container)';
const GCLOUD_VM_MOUNT =
  "the VM's directory or disk mounted into the container, or where (a host path such as / or the docker socket; a mount path laid over the container's programs)";
for (const track of ['', 'beta ', 'alpha ']) {
  for (const command of [
    'run deploy',
    'run services update',
    'run services replace',
    'run jobs create',
  ].concat(['run jobs update', 'run jobs deploy', 'run worker-pools deploy', 'run worker-pools update']))
    GCLOUD_COMMANDS[track + command] = {
      does: 'runs',
      options: { '--image': 'image' },
      programs: {
        '--command': 'the entrypoint of the container (the program it runs)',
        '--args': "the arguments of the container's entrypoint (the code a shell or interpreter there runs)",
      },
      rights: { '--set-secrets': GCLOUD_SECRETS, '--update-secrets': GCLOUD_SECRETS },
      operand: () => undefined,
    };
  // run jobs execute --args: the arguments of this execution's container (--update-env-vars: gcloudPairs).
  GCLOUD_COMMANDS[`${track}run jobs execute`] = {
    does: 'runs',
    programs: {
      '--args': "the arguments of the container's entrypoint (the code a shell or interpreter there runs)",
    },
    operand: () => undefined,
  };
  // Cloud Functions (2nd gen) --set-secrets, --update-secrets: any secret of the project, as run deploy's.
  // --entry-point: the function of the source that runs; --runtime: the language it runs in (which file of the
  // source is its code, and how it is built).
  GCLOUD_COMMANDS[`${track}functions deploy`] = {
    does: 'deploys',
    rights: { '--set-secrets': GCLOUD_SECRETS, '--update-secrets': GCLOUD_SECRETS },
    programs: {
      '--entry-point': 'the function of the source that runs (any function or class the source holds)',
      '--runtime':
        'the runtime the function runs in (nodejs22, python312, go123: which files of the source are its code)',
    },
    operand: () => undefined,
  };
  // Container-Optimized OS VMs (and templates of them) running --container-image, its command and arguments.
  for (const command of [
    'compute instances create-with-container',
    'compute instances update-container',
    'compute instance-templates create-with-container',
  ])
    GCLOUD_COMMANDS[track + command] = {
      does: 'runs',
      options: { '--container-image': 'image' },
      // The VM's directories the container gets (host-path=: / or the docker socket; mount-path=: which of the
      // container's own files a mount hides, as docker run -v's), and --container-privileged=VALUE.
      rights: {
        '--container-mount-host-path': GCLOUD_VM_MOUNT,
        '--container-mount-disk': GCLOUD_VM_MOUNT,
        '--container-mount-tmpfs': GCLOUD_VM_MOUNT,
        '--container-privileged':
          "every right over the VM (a privileged container: its devices, the host's root)",
      },
      flags: ['--container-privileged', '--container-stdin', '--container-tty'],
      programs: {
        '--container-command': 'the entrypoint of the container (the program it runs)',
        '--container-arg':
          "an argument of the container's entrypoint (the code a shell or interpreter there runs)",
      },
      operand: () => undefined,
    };
  GCLOUD_COMMANDS[`${track}app deploy`] = {
    does: 'deploys',
    options: { '--image-url': 'image' },
    operand: () => undefined,
  };
  GCLOUD_COMMANDS[`${track}builds submit`] = {
    does: 'builds',
    options: { '--tag': 'image', '-t': 'image' },
    operand: () => undefined,
  };
  for (const [command, does] of [
    ['container images add-tag', 'tags'],
    ['container images untag', 'untags'],
    ['container images delete', 'deletes'],
    ['artifacts docker images delete', 'deletes'],
    ['artifacts docker tags add', 'tags'],
    ['artifacts docker tags delete', 'untags'],
  ] as const)
    GCLOUD_COMMANDS[track + command] = { does, flags: [], operand: image };
}

/** crictl exec's options that take a value (exec.go). */
const CRICTL_EXEC_VALUES: readonly string[] = [
  ...['--timeout', '-r', '--transport', '--name', '-p', '--pod', '--image', '--state', '--label', '-n'],
  ...['--last', '--tls-sni', '--tls-server-name', '--tls-ca', '--tls-cert', '--tls-key'],
];

/** crictl exec's filter options: with one, it takes no container, and its first operand is the program. */
const CRICTL_EXEC_FILTERS = [
  '--name',
  '-p',
  '--pod',
  '--image',
  '--state',
  '--label',
  '-l',
  '--latest',
].concat(['-n', '--last']);

/** crane's options that take no value, whatever the subcommand (doc/crane.md). */
const CRANE_FLAGS: readonly string[] = [
  '--insecure',
  '-v',
  '--verbose',
  '--allow-nondistributable-artifacts',
];

/** crane index append and filter: -m the manifests it adds, -t the image it names, its operand the base. */
const CRANE_INDEX: Record<string, ImageToolCommand> = {
  'index append': {
    does: 'appends to',
    flags: ['--docker-empty-base'],
    options: { '-m': 'image', '--manifest': 'image', '-t': 'image', '--tag': 'image' },
    operand: image,
  },
  'index filter': {
    does: 'filters',
    options: { '-t': 'image', '--tag': 'image' },
    flags: [],
    operand: image,
  },
};

/**
 * Tools other than a container runner that read, copy, sign or scan images, and the images they name: skopeo
 * (a transport first: docker://REF is an image, dir:/oci:/docker-archive: a path of this machine), crane (pull
 * writes a tarball, push reads one), kind load, cosign, trivy, crictl and ctr, gcloud run deploy --image and
 * gcloud's Container Registry and Artifact Registry commands. Their options taking a value and those taking none
 * are listed (from each tool's documentation): a template after any other option is refused, naming it.
 */
const IMAGE_TOOLS: Readonly<Record<string, ImageTool>> = {
  skopeo: {
    engine: new Map([
      ['--policy', 'the trust policy (insecureAcceptAnything: any image, unsigned)'],
      ['--registries.d', 'the signature storage configuration (where signatures are read from)'],
      ['--registries-conf', 'the registry configuration (mirrors: the images that come)'],
      ['--src-daemon-host', 'the docker daemon (an address elsewhere gets or gives the image)'],
      ['--dest-daemon-host', 'the docker daemon (an address elsewhere gets or gives the image)'],
      ['--daemon-host', 'the docker daemon (an address elsewhere gets or gives the image)'],
      ['--cert-dir', 'the certificates trusted for the registry'],
      ['--src-cert-dir', 'the certificates trusted for the registry'],
      ['--dest-cert-dir', 'the certificates trusted for the registry'],
      // Key files it reads (as podman push's): the key the image is signed or encrypted with, its passphrase.
      ['--sign-by-sigstore-private-key', 'the key the image is signed with (a file of this machine)'],
      ['--sign-passphrase-file', 'the passphrase of the signing key (a file of this machine)'],
      // What it signs with: a GPG or Sequoia key (by its fingerprint: any key of the keyring), the sigstore
      // signing parameters (a file of this machine naming the key, the Fulcio and the Rekor it uses).
      ['--sign-by', 'the GPG key the image is signed with (any key of the keyring, by its fingerprint)'],
      ['--sign-by-sq-fingerprint', 'the Sequoia key the image is signed with (any key, by its fingerprint)'],
      [
        '--sign-by-sigstore',
        'the sigstore signing parameters (a file of this machine: the key, Fulcio and Rekor it signs with)',
      ],
      ['--encryption-key', 'the key the image is encrypted with (a file of this machine, or its protocol)'],
      ['--decryption-key', 'the key the image is decrypted with (a file of this machine)'],
      // Directories of this machine: the layers read from, or written to, and its temporary files.
      [
        '--src-shared-blob-dir',
        'the directory of this machine the layers are read from (the image it copies)',
      ],
      ['--dest-shared-blob-dir', 'the directory of this machine the layers are written to'],
      ['--shared-blob-dir', 'the directory of this machine the layers are read from'],
      ['--tmpdir', 'the directory of this machine its temporary files are written to'],
    ]),
    engines: ['--src-daemon-host', '--dest-daemon-host', '--daemon-host'],
    globals: [
      '--command-timeout',
      '--override-arch',
      '--override-os',
      '--override-variant',
      '--policy',
    ].concat(['--registries.d', '--tmpdir', '--registries-conf', '--user-agent-prefix']),
    flags: SKOPEO_FLAGS,
    commands: {
      // --sign-identity: the image the signature names (the destination's by default), written without a transport.
      copy: {
        does: 'copies',
        values: SKOPEO_VALUES,
        options: { '--sign-identity': 'repository' },
        operand: image,
      },
      inspect: { does: 'inspects', values: SKOPEO_VALUES, operand: image },
      delete: { does: 'deletes', values: SKOPEO_VALUES, operand: image },
      'list-tags': { does: 'lists', values: SKOPEO_VALUES, operand: image },
      sync: {
        does: 'copies',
        values: SKOPEO_VALUES,
        options: {
          '-s': 'transport',
          '--src': 'transport',
          '-d': 'transport',
          '--dest': 'transport',
          '--sign-identity': 'repository',
        },
        operand: syncOperand,
      },
    },
  },
  crane: {
    engine: new Map([
      ['--mtls-certificate', 'the client certificate presented to the registry (a file of this machine)'],
      ['--mtls-key', 'the client key presented to the registry (a file of this machine)'],
    ]),
    engines: [],
    globals: ['--platform', '--mtls-certificate', '--mtls-key'],
    flags: CRANE_FLAGS,
    // crane auth get|login|logout|token, index append|filter, registry serve (doc/crane.md).
    groups: ['auth', 'index', 'registry'],
    commands: {
      copy: {
        does: 'copies',
        values: ['-j', '--jobs'],
        flags: ['-a', '--all-tags', '-n', '--no-clobber'],
        operand: image,
      },
      cp: {
        does: 'copies',
        values: ['-j', '--jobs'],
        flags: ['-a', '--all-tags', '-n', '--no-clobber'],
        operand: image,
      },
      pull: {
        does: 'pulls',
        values: ['--format'],
        // The directory of this machine layers are cached in, and read back from: they make the image it writes.
        engine: {
          '-c': 'the layer cache (a directory of this machine the layers are written to and read back from)',
          '--cache_path':
            'the layer cache (a directory of this machine the layers are written to and read back from)',
        },
        flags: ['--annotate-ref'],
        operand: (p, count) => (p < count - 1 || count === 1 ? 'image' : 'write'),
      },
      push: {
        does: 'pushes',
        flags: ['--index'],
        options: { '--image-refs': 'write' },
        operand: (p) => (p === 0 ? 'read' : 'image'),
      },
      tag: { does: 'tags', flags: [], operand: (p) => (p === 0 ? 'image' : 'tag') },
      digest: {
        does: 'reads the digest of',
        flags: ['--full-ref'],
        options: { '--tarball': 'read' },
        operand: image,
      },
      manifest: { does: 'reads', flags: [], operand: image },
      config: { does: 'reads', flags: [], operand: image },
      delete: { does: 'deletes', flags: [], operand: image },
      ls: { does: 'lists', flags: ['--full-ref', '-O', '--omit-digest-tags'], operand: image },
      export: { does: 'exports', flags: [], operand: (p) => (p === 0 ? 'image' : 'write') },
      mutate: {
        does: 'changes',
        values: ['-a', '--annotation', '-e', '--env', '--exposed-ports', '-l', '--label', '-u'].concat([
          '--user',
          '--set-platform',
        ]),
        // The directory the image's program runs in: a relative entrypoint or command is found there.
        directories: {
          '-w': 'the working directory of the image (where a relative entrypoint or command is found)',
          '--workdir': 'the working directory of the image (where a relative entrypoint or command is found)',
        },
        flags: ['--non-distributable'],
        // The program the image runs from then on, wherever it runs.
        programs: {
          '--entrypoint': 'the entrypoint of the image (the program it runs)',
          '--cmd': "the command of the image (the program it runs, or its entrypoint's arguments)",
        },
        options: {
          '-t': 'image',
          '--tag': 'image',
          '-r': 'image',
          '--repo': 'image',
          '--append': 'read',
          '-o': 'write',
          '--output': 'write',
        },
        operand: image,
      },
      append: {
        does: 'appends to',
        flags: ['--annotate', '--oci-empty-base'],
        options: {
          '-b': 'image',
          '--base': 'image',
          '-t': 'image',
          '--new_tag': 'image',
          '-f': 'read',
          '--new_layer': 'read',
          '-o': 'write',
          '--output': 'write',
        },
        operand: () => undefined,
      },
      // crane rebase IMAGE --old_base OLD --new_base NEW -t TAG; crane flatten IMAGE -t TAG.
      rebase: {
        does: 'rebases',
        flags: [],
        options: {
          '--new_base': 'image',
          '--old_base': 'image',
          '--original': 'image',
          '--rebased': 'image',
          '-t': 'image',
          '--tag': 'image',
        },
        operand: image,
      },
      flatten: { does: 'flattens', flags: [], options: { '-t': 'image', '--tag': 'image' }, operand: image },
      ...CRANE_INDEX,
    },
  },
  kind: {
    engine: new Map([
      ['--config', 'the cluster config (extraMounts: directories of this machine in the nodes)'],
      ['--kubeconfig', 'the kubeconfig written (a file of this machine)'],
    ]),
    globals: ['--loglevel', '-v', '--verbosity'],
    flags: ['-q', '--quiet'],
    // kind build node-image, create cluster, delete cluster(s), export kubeconfig|logs, get clusters|nodes|…
    groups: ['build', 'create', 'delete', 'export', 'get', 'load', 'completion'],
    commands: {
      'load docker-image': {
        does: 'loads into the cluster',
        values: ['-n', '--name', '--nodes'],
        flags: [],
        operand: image,
      },
      // The node image the cluster's nodes run.
      'create cluster': {
        does: 'runs',
        values: ['-n', '--name', '--config', '--kubeconfig', '--wait'],
        flags: ['--retain'],
        options: { '--image': 'image' },
        operand: () => undefined,
      },
      'load image-archive': {
        does: 'loads into the cluster',
        values: ['-n', '--name', '--nodes'],
        flags: [],
        operand: () => 'read',
      },
    },
  },
  cosign: {
    engine: COSIGN_TRUST,
    engines: [],
    globals: COSIGN_VALUES,
    flags: COSIGN_FLAGS,
    // cosign's groups (doc/cosign.md): their next word is a command of theirs.
    groups: [
      'attach',
      'download',
      'upload',
      'dockerfile',
      'manifest',
      'policy',
      'bundle',
      'trusted-root',
    ].concat(['piv-tool', 'pkcs11-tool', 'completion']),
    commands: {
      // cosign upload blob -f FILES IMAGE and upload wasm -f FILE IMAGE: the image the files are pushed as (the
      // files take the file rule, file-reads.ts).
      'upload blob': COSIGN_UPLOAD,
      'upload wasm': COSIGN_UPLOAD,
      ...Object.fromEntries(
        [
          ...[
            ['sign', 'signs'],
            ['verify', 'verifies'],
            ['attest', 'attests'],
            ['verify-attestation', 'verifies'],
          ],
          ...[
            ['copy', 'copies'],
            ['triangulate', 'reads'],
            ['tree', 'reads'],
            ['clean', 'cleans'],
            ['save', 'saves'],
          ],
          ...[
            ['download signature', 'downloads'],
            ['download sbom', 'downloads'],
            ['download attestation', 'downloads'],
          ],
          ...[
            ['attach signature', 'attaches to'],
            ['attach sbom', 'attaches to'],
            ['attach attestation', 'attaches to'],
          ],
        ].map(([sub, does]) => [
          sub,
          {
            does: does!,
            // verify --local-image DIR: a directory cosign save wrote, not an image.
            operand: (_p, _c, given) => (given.has('--local-image') ? 'read' : 'image'),
          } satisfies ImageToolCommand,
        ]),
      ),
    },
  },
  trivy: {
    engine: new Map([
      ['--docker-host', 'the docker daemon the image is read from (an address elsewhere)'],
      ['--podman-host', 'the podman socket the image is read from'],
      ['--server', 'the trivy server it asks (a server elsewhere, which decides what is found)'],
      ['--db-repository', 'the registry its vulnerability database is downloaded from (and trusted)'],
      ['--java-db-repository', 'the registry its Java database is downloaded from (and trusted)'],
      ['--checks-bundle-repository', 'the registry its checks are downloaded from (and trusted)'],
      ['--policy-bundle-repository', 'the registry its checks are downloaded from (and trusted)'],
      ['--exit-code', 'the exit code it fails with on a finding (0: the gate never fails)'],
      // -s/--severity: even a list of known severities turns the gate off (LOW: a HIGH or CRITICAL finding
      // is not reported, and the scan passes), as --scanners secret does.
      ['--severity', 'the severities it reports and fails on (LOW alone: a HIGH or CRITICAL finding passes)'],
      ['-s', 'the severities it reports and fails on (LOW alone: a HIGH or CRITICAL finding passes)'],
      // -t/--template @FILE takes the file rule (file-reads.ts); any other value is Go template code.
      ['--template', 'the Go template code of its report'],
      ['-t', 'the Go template code of its report'],
      // Code it runs: WASM modules (a post-scan module rewrites the findings).
      [
        '--module-dir',
        'the directory of the WASM modules it loads and runs (which may rewrite the findings)',
      ],
      ['--enable-modules', 'the WASM modules it runs (which may rewrite the findings)'],
      // Where what it scans comes from: its cache of analysed layers, the SBOM it scans instead of the image.
      [
        '--cache-backend',
        'the cache its analysis of the image is read back from (redis://: a server elsewhere, whose entries decide what is found)',
      ],
      [
        '--sbom-sources',
        "where the SBOM it scans instead of the image comes from (rekor: one anyone may have logged for the image's digest)",
      ],
      ['--rekor-url', 'the transparency log the SBOM it scans instead of the image comes from'],
      // What it looks at and reports (docs/…/cli/trivy_image.md): a value there turns the scan of the
      // vulnerable part off (--scanners secret, --pkg-types os, --skip-dirs app, --ignore-status affected).
      ['--scanners', 'the scanners it runs (secret alone: no vulnerability is looked for)'],
      ['--pkg-types', 'the package types it scans (os alone: no library is looked at)'],
      ['--vuln-type', 'the package types it scans (os alone: no library is looked at)'],
      ['--skip-dirs', 'the directories it does not scan (those holding the vulnerable files)'],
      ['--skip-files', 'the files it does not scan (the vulnerable ones)'],
      ['--ignore-status', 'the vulnerability statuses it ignores (affected: every unfixed finding)'],
      [
        '--compliance',
        'the compliance spec its report checks (a built-in name, or @FILE: a spec of its choosing, with no check)',
      ],
      ['--policy-namespaces', 'the Rego namespaces whose checks it runs'],
      ['--check-namespaces', 'the Rego namespaces whose checks it runs'],
      ['--namespaces', 'the Rego namespaces whose checks it runs'],
      // What it trusts or sends: its redis cache's TLS files, the headers sent to its server.
      ['--redis-ca', 'the certificate authority trusted for its redis cache'],
      ['--redis-cert', 'the certificate presented to its redis cache'],
      ['--redis-key', 'the key presented to its redis cache'],
      ['--custom-headers', 'the headers sent to the trivy server (its token: who the scan runs as)'],
      // trivy client --remote (its server before --server): the server that decides what is found.
      ['--remote', 'the trivy server it asks (a server elsewhere, which decides what is found)'],
      // What counts as a finding: the distribution whose advisories apply (--distro alpine/3.10: another's),
      // the source a severity is read from (a lower one passes --severity's gate), the exit code on an
      // end-of-life OS (0: no failure), and how wide the detection is (precise: fewer findings).
      ['--distro', 'the distribution whose advisories it checks the packages against (another: no finding)'],
      [
        '--vuln-severity-source',
        "the sources a vulnerability's severity is read from (one rating it lower: it passes the gate)",
      ],
      ['--exit-on-eol', 'the exit code it fails with on an end-of-life OS (0: the gate never fails)'],
      ['--detection-priority', 'how wide its detection is (precise: fewer findings)'],
      // Where the image scanned is taken from (docker, containerd, podman, remote): another image of that name
      // than the one deployed (an engine's local one, or the registry's).
      [
        '--image-src',
        'where the image scanned is taken from (an engine or the registry: another image of that name)',
      ],
    ]),
    engines: ['--docker-host', '--podman-host'],
    scanner: [
      ...['--server', '--db-repository', '--java-db-repository', '--checks-bundle-repository', '--exit-code'],
      ...[
        '--policy-bundle-repository',
        '--template',
        '-t',
        '--module-dir',
        '--enable-modules',
        '--cache-backend',
      ],
      ...['--sbom-sources', '--rekor-url', '--scanners', '--pkg-types', '--vuln-type', '--skip-dirs'],
      ...['--severity', '-s', '--remote', '--distro', '--vuln-severity-source', '--exit-on-eol'],
      ...['--detection-priority', '--image-src'],
      ...['--skip-files', '--ignore-status', '--compliance', '--policy-namespaces', '--check-namespaces'],
      '--namespaces',
    ],
    globals: TRIVY_VALUES,
    flags: TRIVY_FLAGS,
    // trivy plugin|module (and their aliases p, m), registry login|logout, vex repo.
    groups: ['plugin', 'p', 'module', 'm', 'registry', 'vex', 'vex repo', 'completion'],
    commands: {
      image: { does: 'scans', operand: image },
      i: { does: 'scans', operand: image },
      k8s: TRIVY_K8S,
      kubernetes: TRIVY_K8S,
    },
  },
  crictl: {
    engine: new Map([
      ['-r', 'the CRI endpoint (the runtime that runs the containers)'],
      ['--runtime-endpoint', 'the CRI endpoint (the runtime that runs the containers)'],
      ['-i', 'the CRI image endpoint'],
      ['--image-endpoint', 'the CRI image endpoint'],
      ['-c', 'the crictl config (its endpoints)'],
      ['--config', 'the crictl config (its endpoints)'],
      ['--tracing-endpoint', 'the tracing collector its spans are sent to (a server elsewhere)'],
    ]),
    engines: ['-r', '--runtime-endpoint', '-i', '--image-endpoint', '-c', '--config'],
    globals: [
      '-r',
      '--runtime-endpoint',
      '-i',
      '--image-endpoint',
      '-t',
      '--timeout',
      '-c',
      '--config',
      // The files its CPU and memory profiles are written to (file-writes.ts).
    ].concat(['--tracing-endpoint', '--tracing-sampling-rate-per-million', '--profile-cpu', '--profile-mem']),
    flags: ['-D', '--debug', '--enable-tracing', '-v', '--version'],
    commands: {
      pull: {
        does: 'pulls',
        values: ['--creds', '--auth', '-u', '--username', '-p', '--pod-config', '-a', '--annotation'].concat([
          '--platform',
          '--pull-timeout',
        ]),
        flags: [],
        operand: image,
      },
      // crictl exec [flags] CONTAINER COMMAND [ARG...] (with a filter flag, no CONTAINER): the program it runs in
      // the container, as ctr task exec's; its options come before the container only (exec.go).
      exec: {
        does: 'runs',
        values: CRICTL_EXEC_VALUES,
        flags: [
          '-s',
          '--sync',
          '-t',
          '--tty',
          '-i',
          '--interactive',
          '-l',
          '--latest',
          '-q',
          '--quiet',
        ].concat(['-e', '--ignore-errors', '-x', '--parallel']),
        // --name REGEX: the containers it runs in are those whose name matches (.*: every container of the node);
        // -n/--last N: the N latest (0: every one); --label, -p/--pod, --image, --state: those matching.
        selectors: {
          '--name': 'the pattern crictl exec --name matches container names with',
          '-n': 'the number of latest containers crictl exec -n runs in (0: every one)',
          '--last': 'the number of latest containers crictl exec --last runs in (0: every one)',
          '--label': 'the label crictl exec --label picks the containers it runs in by',
          '-p': 'the pod crictl exec -p picks the containers it runs in by',
          '--pod': 'the pod crictl exec --pod picks the containers it runs in by',
          '--image': 'the image crictl exec --image picks the containers it runs in by',
          '--state': 'the state crictl exec --state picks the containers it runs in by',
        },
        engine: {
          '--tls-ca': 'the certificate authority trusted for the stream (a file of this machine)',
          '--tls-cert': 'the certificate presented for the stream (a file of this machine)',
          '--tls-key': 'the key presented for the stream (a file of this machine)',
        },
        leading: true,
        operand: (p, _c, given) =>
          p === (CRICTL_EXEC_FILTERS.some((o) => given.has(o)) ? 0 : 1) ? 'program' : undefined,
      },
      // crictl rmi [-a|--all] [-q|--prune] IMAGE…: an image id or reference.
      rmi: { does: 'removes', flags: ['-a', '--all', '-q', '--prune'], operand: image },
    },
  },
  ctr: {
    leading: true,
    engine: new Map(['-a', '--address', '-n', '--namespace'].map((o) => [o, GLOBAL_RIGHTS.nerdctl!.get(o)!])),
    globals: ['-a', '--address', '-n', '--namespace', '--timeout', '--connect-timeout'],
    flags: ['--debug', '-v', '--version'],
    // ctr's groups (and their aliases), whose next word is a command of theirs.
    groups: [
      ...['containers', 'container', 'c', 'content', 'images', 'image', 'i', 'leases', 'namespaces'],
      ...['namespace', 'ns', 'plugins', 'plugin', 'snapshots', 'snapshot', 'tasks', 'task', 't', 'oci'],
      ...['sandboxes', 'sandbox', 'sb', 'shim', 'pprof', 'deprecations'],
    ],
    commands: CTR_COMMANDS,
  },
  gcloud: {
    globals: GCLOUD_VALUES,
    flags: GCLOUD_FLAGS,
    commands: GCLOUD_COMMANDS,
    engine: GCLOUD_ENGINE,
    names: {
      '--project': { how: 'the project gcloud --project acts in', why: PROJECT_WHY, label: true },
      '--billing-project': {
        how: 'the project gcloud --billing-project bills',
        why: PROJECT_WHY,
        label: true,
      },
    },
    verbs: gcloudVerb,
    tracks: ['alpha', 'beta', 'preview'],
    argparse: true,
    optional: GCLOUD_OPTIONAL,
    // gcloud sql import|export sql|csv|bak: groups named as verbs.
    groups: ['sql import', 'sql export'],
  },
};

/** docker buildx imagetools create (-t the image it names, its operands the sources) and inspect. */
const IMAGETOOLS: Readonly<Record<string, ImageToolCommand>> = {
  create: {
    does: 'names',
    values: ['--annotation', '--builder', '--platform', '--progress'],
    flags: ['--append', '--dry-run', '--prefer-index', '-D', '--debug'],
    // --metadata-file: a file of this machine written, as a build's (WRITTEN_FILES).
    options: { '-t': 'image', '--tag': 'image', '-f': 'read', '--file': 'read', '--metadata-file': 'write' },
    operand: image,
  },
  inspect: {
    does: 'reads',
    values: ['--format', '--builder'],
    flags: ['--raw', '-D', '--debug'],
    operand: image,
  },
};

/** oc new-app: its operands are images (NAME=VALUE a variable, IMAGE~SOURCE a source built on an image). */
const OC_NEW_APP: ImageToolCommand = {
  does: 'deploys',
  values: [
    ...['--name', '-l', '--labels', '-e', '--env', '-p', '--param', '--env-file', '--param-file', '-i'],
    ...['--image-stream', '--image', '--template', '--code', '--context-dir', '--strategy', '-o', '--output'],
    ...['--build-env', '--build-env-file', '--source-secret', '--import-mode', '-f', '--file', '--sort-by'],
    ...SET_IMAGE_VALUES,
  ],
  options: { '--docker-image': 'image' },
  operand: (_p, _c, _given, word) => {
    const fixed = word.replace(PLACEHOLDER, '');
    return fixed.includes('=') ? undefined : fixed.includes('~') ? 'source' : 'image';
  },
};

/** A cosign key reference other than a file (env://VAR, k8s://NS/NAME, awskms://, gcpkms://, hashivault://, …). */
const KEY_REFERENCE = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;

/**
 * Where the ref starts in a signer identity naming a workflow's ref (`https://HOST/…@refs/heads/{{branch}}`,
 * templates unrendered), when every template of the value is in that ref after its fixed `refs/heads/` or
 * `refs/tags/`, and the fixed text there has a ref's characters only; otherwise undefined (refused: a value in
 * the host, the account, the repository or the workflow chooses whose signature is trusted).
 */
function certificateRefStart(value: string): number | undefined {
  const masked = value.replace(PLACEHOLDER, (m) => '\0'.repeat(m.length));
  const match = /^https:\/\/[^\0@]+@refs\/(heads|tags)\//.exec(masked);
  if (!match) return undefined;
  const ref = value.slice(match[0].length);
  if (!/^[A-Za-z0-9_./-]*$/.test(ref.replace(PLACEHOLDER, '')) || ref.search(PLACEHOLDER) < 0)
    return undefined;
  return match[0].length;
}

/** A ref's path: plain names (letters, digits and _ . -, not starting with "." or "-") joined by single "/". */
const REF_PATH = /^[A-Za-z0-9_][A-Za-z0-9_.-]*(\/[A-Za-z0-9_][A-Za-z0-9_.-]*)*$/;

/**
 * Why the ref of a signer identity (`word` after `check.prefix`, templates unrendered) is refused rendered with
 * these values, or undefined: it must stay a ref's path, with no space, "@", ":" or empty or dot part, which
 * would make another identity.
 */
function certificateRefProblem(
  check: { prefix: string; how: string; why?: string },
  word: string,
  values: Readonly<Record<string, string | undefined>>,
): string | undefined {
  const ref = word.slice(check.prefix.length);
  const rendered = ref.replace(PLACEHOLDER, (_, n: string) => values[n]!);
  if (REF_PATH.test(rendered) && !rendered.includes('..') && !rendered.endsWith('.lock')) return undefined;
  const list = templates(ref)
    .map((n) => `{{${n}}}`)
    .join(', ');
  return `${list} is in ${check.how}, which is ${JSON.stringify(rendered)} once rendered: a value there must keep it one ref's path (letters, digits and _ . -, parts joined by single "/", none starting with "." or "-"), ${check.why ?? 'since anything else would name another identity or none; write other identities in the config'}`;
}

/**
 * A single-dash word read as pflag reads it (-s{{x}}, -qs, -qt=…): its flags, then the first letter taking a value
 * (`values`), as [that option, the index of the last character before its value in the word, or -1 when its
 * value is the next word]; undefined when the word is one option as written, or a letter is not known.
 */
function shortCluster(
  word: string,
  values: readonly string[],
  flags: readonly string[] | undefined,
): [string, number] | undefined {
  if (!/^-[A-Za-z]./.test(word) || word.startsWith('--')) return undefined;
  for (let c = 1; c < word.length; c++) {
    const option = `-${word[c]!}`;
    if (values.includes(option)) {
      if (c + 1 === word.length) return [option, -1];
      return [option, word[c + 1] === '=' ? c + 1 : c];
    }
    if (!flags?.includes(option)) return undefined;
  }
  return undefined;
}

/** The images of an image tool's command (`words[at]`, named `name`, in IMAGE_TOOLS), sorted into `found`. */
function imageTool(found: ContainerMounts, words: readonly string[], at: number, name: string): void {
  const tool = IMAGE_TOOLS[name]!;
  // Its options choosing the engine, what it trusts or a file it reads, whatever the subcommand; its switches
  // choosing what it trusts, written --switch=VALUE.
  const switches = TRUST_SWITCHES[name];
  const end = name === 'crictl' ? crictlGlobalsEnd(words, at) : words.length;
  for (let k = at + 1; (tool.engine || switches) && k < end && words[k] !== '--'; k++) {
    const word = words[k]!;
    if (!word.startsWith('-')) {
      if (tool.leading) break;
      continue;
    }
    let eq = word.indexOf('=');
    let option = eq > 0 ? word.slice(0, eq) : word;
    // trivy -s{{x}}, -qs {{x}}, -qt{{x}}: short flags, up to the first letter taking a value, which is the rest
    // of the word (pflag drops an "=" after the letter) or the next word, as toolWords reads crane's -vc.
    const cluster = name === 'trivy' ? shortCluster(word, tool.globals, tool.flags) : undefined;
    if (cluster) [option, eq] = cluster;
    if (switches?.has(option)) {
      if (eq > 0) trustSwitch(found, k, option, word.slice(eq + 1), switches, name);
      continue;
    }
    const what = tool.engine?.get(option);
    const plain = tool.names?.[option];
    if (plain !== undefined) {
      const index = eq > 0 ? k : ++k;
      if (index < words.length && templates(words[index]!.slice(eq > 0 ? eq + 1 : 0)).length)
        found.names.set(index, { kind: 'plain', prefix: eq > 0 ? word.slice(0, eq + 1) : '', ...plain });
      continue;
    }
    if (what === undefined) {
      // Another global option's value (ctr --timeout 5 -a …): not the subcommand.
      if (eq < 0 && tool.globals.includes(option)) k++;
      continue;
    }
    const index = eq > 0 ? k : ++k;
    const value = index < words.length ? (eq > 0 ? word.slice(eq + 1) : words[index]!) : '';
    const names = templates(value);
    // cosign --key FILE: a key file takes the file rule (file-reads.ts); a reference (env://, k8s://, a KMS)
    // takes no template.
    if (name === 'cosign' && option === '--key' && !KEY_REFERENCE.test(value)) continue;
    // cosign clean --type: what it deletes from the registry, not a type it verifies or attests.
    if (name === 'cosign' && option === '--type' && cosignSubcommand(words, at, tool) === 'clean') {
      if (names.length)
        found.refused.push({
          index,
          names,
          how: `what cosign clean --type deletes from the registry (signature, attestation, sbom or all)`,
          kind: 'deletes',
        });
      continue;
    }
    if (name === 'trivy' && (option === '--template' || option === '-t') && value.startsWith('@')) continue;
    // cosign --certificate-identity https://github.com/ORG/REPO/.github/workflows/F.yml@refs/heads/{{branch}}:
    // the ref of a fixed workflow, checked once rendered (certificateRefProblem).
    // --certificate-github-workflow-ref refs/heads/{{branch}}: the same, the claim being the ref alone.
    const claim = /^refs\/(heads|tags)\//.exec(value)?.[0];
    if (name === 'cosign' && option === '--certificate-github-workflow-ref' && claim && names.length) {
      const ref = value.slice(claim.length);
      if (/^[A-Za-z0-9_./-]*$/.test(ref.replace(PLACEHOLDER, ''))) {
        const prefix = words[index]!.slice(0, words[index]!.length - ref.length);
        found.names.set(index, {
          kind: 'ref',
          prefix,
          how: `the ref of the workflow ${name} ${option} trusts`,
        });
        continue;
      }
    }
    // --certificate-github-workflow-sha {{sha}}: checked once rendered to be a commit's SHA.
    if (
      name === 'cosign' &&
      option === '--certificate-github-workflow-sha' &&
      value === names.map((n) => `{{${n}}}`).join('') &&
      names.length === 1
    ) {
      found.names.set(index, {
        kind: 'plain',
        prefix: words[index]!.slice(0, words[index]!.length - value.length),
        how: `the commit of the workflow ${name} ${option} trusts`,
        why: 'since anything else names no commit (an empty value checks none at all); write other claims in the config',
        sha: true,
      });
      continue;
    }
    if (name === 'cosign' && option === '--certificate-identity' && names.length) {
      const at = certificateRefStart(value);
      if (at !== undefined) {
        const prefix = words[index]!.slice(0, words[index]!.length - value.length + at);
        found.names.set(index, {
          kind: 'ref',
          prefix,
          how: `the ref of the signer identity ${name} ${option} trusts`,
        });
        continue;
      }
    }
    if (names.length)
      found.refused.push({
        index,
        names,
        how: `${what}, which ${name} ${option} chooses`,
        kind: tool.scanner?.includes(option)
          ? 'scanner'
          : name === 'gcloud'
            ? 'cloud'
            : !tool.engines || tool.engines.includes(option)
              ? 'engine'
              : 'trust',
      });
  }
  // crictl run/runp -r/--runtime HANDLER: the runtime handler the runtime's config defines (kata, runc, gVisor,
  // a privileged one), before the config files.
  if (name === 'crictl') crictlRuntime(found, words, at);
  // The subcommand: its first words that are no option (global options may come before). An option before it
  // known neither to take a value nor to take none (`takes`: read as taking the next word) is noted in `unknown`.
  const known = new Set([...HELP_FLAGS, ...(tool.flags ?? []), ...(switches?.keys() ?? [])]);
  const takesValue = (option: string) =>
    tool.globals.includes(option) ||
    tool.engine?.has(option) === true ||
    Object.hasOwn(tool.names ?? {}, option);
  const subcommand = (takes?: number, unknown: number[] = []) => {
    const subWords: number[] = [];
    for (let k = at + 1; k < words.length && subWords.length < 8 && words[k] !== '--'; k++) {
      const word = words[k]!;
      if (!word.startsWith('-') || word === '-') subWords.push(k);
      else if (word.includes('=')) continue;
      else if (takesValue(word) || k === takes || tool.optional?.get(word)?.includes(words[k + 1] ?? '')) k++;
      else if (
        !known.has(word) &&
        !(/^-[^-]/.test(word) && [...word.slice(1)].every((c) => known.has(`-${c}`)))
      )
        unknown.push(k);
    }
    for (let n = subWords.length; n > 0; n--) {
      const sub = subWords.slice(0, n).map((k) => words[k]!);
      if (tool.commands[sub.join(' ')]) return { sub, from: subWords[n - 1]! + 1, subWords };
    }
    return { subWords };
  };
  const unknown: number[] = [];
  const first = subcommand(undefined, unknown);
  // Read both ways, the subcommand differs (cosign --frob sign IMAGE: sign is --frob's value, or the subcommand):
  // a template after that option may be an image, a file or the option's value.
  const moved = unknown.find((u) => {
    if (first.from !== undefined && u >= first.from) return false;
    const other = subcommand(u);
    return other.from !== first.from || other.sub?.join(' ') !== first.sub?.join(' ');
  });
  if (moved !== undefined) {
    for (let k = moved + 1; k < words.length; k++) {
      const names = templates(words[k]!);
      if (names.length)
        found.refused.push({ index: k, names, how: `${name}'s option ${words[moved]}`, kind: 'unknown' });
    }
    return;
  }
  // A template in the subcommand (trivy {{x}} fs ., cosign -d {{x}} verify …), or in a word of it after a group
  // (ctr images {{x}} reg/app:1, cosign upload {{x}}, kind delete {{x}}, gcloud compute instances {{x}}): its
  // value would choose what the tool does (trivy runs a plugin of that name; ctr images rm as well as pull). A
  // group is a path some command read here starts with, one of the tool's `groups`, or, for gcloud, any path
  // of leading words (up to an option not known here) with no verb after its first word.
  const commands = Object.keys(tool.commands);
  const optionsFrom = Math.min(...unknown, words.length);
  const isGroup = (path: string[], index: number) => {
    const text = path.join(' ');
    if (commands.some((command) => command.startsWith(`${text} `))) return true;
    if (tool.commands[text] || index > optionsFrom) return false;
    if (tool.groups?.includes(text)) return true;
    if (tool.verbs === undefined) return false;
    // gcloud beta {{x}}: the words after a track are the path's own.
    const lead = path.findIndex((word) => !tool.tracks?.includes(word));
    return lead < 0 || !path.slice(lead + 1).some(tool.verbs);
  };
  for (let n = 0; n < first.subWords.length; n++) {
    const group = first.subWords.slice(0, n).map((k) => words[k]!);
    if (n > 0 && !isGroup(group, first.subWords[n]!)) break;
    const index = first.subWords[n]!;
    const names = templates(words[index]!);
    if (names.length) {
      found.refused.push({
        index,
        names,
        how: `the subcommand ${[name, ...group].join(' ')} runs`,
        kind: 'subcommand',
      });
      return;
    }
  }
  if (name === 'gcloud') gcloudCommand(found, words, at, first.subWords);
  if (first.sub && first.from !== undefined)
    toolCommand(
      found,
      words,
      first.from,
      [name, ...first.sub].join(' '),
      name,
      tool.globals,
      tool.commands[first.sub.join(' ')]!,
      tool.flags,
      tool.argparse === true,
    );
}

/**
 * The commands logging in to a registry (docker login [SERVER], podman, buildah, nerdctl, skopeo, cosign and oras
 * login, crane auth login, trivy, helm and regctl registry login; gcloud auth configure-docker REGISTRIES, which
 * has docker send gcloud's token to them): their path, and the options taking a value besides the tool's global
 * ones. The username they send may take a value (the registry is fixed, and checks it against the password);
 * the password comes from --password-stdin or a secret.
 */
const LOGINS: Readonly<Record<string, { path: readonly string[]; values: readonly string[] }>> = {
  docker: { path: ['login'], values: ['-u', '--username', '-p', '--password'] },
  nerdctl: { path: ['login'], values: ['-u', '--username', '-p', '--password'] },
  podman: {
    path: ['login'],
    values: ['-u', '--username', '-p', '--password', '--authfile', '--cert-dir', '--compat-auth-file'].concat(
      '--secret',
    ),
  },
  buildah: {
    path: ['login'],
    values: ['-u', '--username', '-p', '--password', '--authfile', '--cert-dir', '--compat-auth-file'],
  },
  skopeo: {
    path: ['login'],
    values: ['-u', '--username', '-p', '--password', '--authfile', '--cert-dir', '--compat-auth-file'],
  },
  cosign: { path: ['login'], values: ['-u', '--username', '-p', '--password'] },
  crane: { path: ['auth', 'login'], values: ['-u', '--username', '-p', '--password'] },
  oras: {
    path: ['login'],
    values: [
      '-u',
      '--username',
      '-p',
      '--password',
      '--identity-token',
      '--registry-config',
      '--ca-file',
    ].concat(['--cert-file', '--key-file', '--resolve']),
  },
  trivy: { path: ['registry', 'login'], values: ['-u', '--username', '-p', '--password'] },
  helm: {
    path: ['registry', 'login'],
    values: ['-u', '--username', '-p', '--password', '--cert-file', '--key-file', '--ca-file'].concat([
      '-n',
      '--namespace',
      '--kube-context',
      '--kubeconfig',
      '--registry-config',
      '--repository-config',
      '--repository-cache',
    ]),
  },
  regctl: {
    path: ['registry', 'login'],
    values: ['-u', '--user', '-p', '--pass', '--host', '-v', '--verbosity'],
  },
  gcloud: { path: ['auth', 'configure-docker'], values: [] },
};

/**
 * A registry login's server (`words[at]`, named `name`, in LOGINS): the registry the credentials are sent to. A
 * template there is refused into `found`: a value could send the password (or gcloud's token) to a server of its
 * own. A word after an option not known here is read as the server too (a false refusal rather than a miss).
 */
function registryLogin(found: ContainerMounts, words: readonly string[], at: number, name: string): void {
  const login = LOGINS[name];
  if (!login) return;
  const tool = IMAGE_TOOLS[name];
  const values = [
    ...login.values,
    ...(tool ? [...tool.globals, ...(tool.engine?.keys() ?? [])] : []),
    ...(GLOBAL_RIGHTS[name]?.keys() ?? []),
    ...(GLOBAL_VALUES[name] ?? []),
  ];
  let matched = 0;
  for (let k = at + 1; k < words.length; k++) {
    const word = words[k]!;
    if (word === '--') continue;
    if (word.startsWith('-') && word !== '-') {
      if (
        !word.includes('=') &&
        (values.includes(word) || tool?.optional?.get(word)?.includes(words[k + 1] ?? ''))
      )
        k++;
      continue;
    }
    if (matched < login.path.length) {
      if (word === login.path[matched]) matched++;
      else if (!(name === 'gcloud' && matched === 0 && ['alpha', 'beta', 'preview'].includes(word))) return;
      continue;
    }
    const names = templates(word);
    if (names.length)
      found.refused.push({
        index: k,
        names,
        how: `the registry ${[name, ...login.path].join(' ')} ${name === 'gcloud' ? "has docker send gcloud's access token to" : 'sends the credentials to'}`,
        kind: 'login',
      });
    return;
  }
}

/** cosign's subcommand: its first word that is no option (or global option's value) after `at`. */
function cosignSubcommand(words: readonly string[], at: number, tool: ImageTool): string | undefined {
  for (let k = at + 1; k < words.length && words[k] !== '--'; k++) {
    const word = words[k]!;
    if (!word.startsWith('-')) return word;
    if (!word.includes('=') && tool.globals.includes(word)) k++;
  }
  return undefined;
}

/** What a buildx builder is, for messages: the engine that builds. */
const BUILDER_HOW =
  'the buildx builder (a BuildKit daemon, on another machine with the remote, kubernetes or docker-container driver, which gets the build context, its secrets and the registry credentials, and makes the image)';

/** docker buildx create's options choosing where and how its builder runs, and what they choose. */
const BUILDX_CREATE: Readonly<Record<string, string>> = {
  '--driver':
    'the driver of the builder (remote: a BuildKit daemon elsewhere; kubernetes: pods of a cluster)',
  '--driver-opt':
    "the driver's options (its image, network=host, the certificates and key it presents, the cluster it runs in)",
  '--buildkitd-config':
    'the config of the BuildKit daemon (a file of this machine: its registries, mirrors, insecure entitlements)',
  '--config':
    'the config of the BuildKit daemon (a file of this machine: its registries, mirrors, insecure entitlements)',
  '--buildkitd-flags':
    "the BuildKit daemon's flags (--allow-insecure-entitlement security.insecure: privileged steps)",
};

/**
 * docker buildx's builder (`words[j]` is its subcommand, `from` the word after buildx): --builder NAME anywhere (before `--`), buildx use NAME
 * (the builder later builds use), buildx create [CONTEXT|ENDPOINT] and its options choosing the driver and the
 * daemon's config: a template there is refused as docker -H is, since the builder gets the context, the
 * build's secrets and the credentials of the registries it pushes to, and makes the image.
 */
function buildxBuilder(
  found: ContainerMounts,
  words: readonly string[],
  from: number,
  j: number,
  name: string,
  group?: string,
): void {
  const command = `${name} ${group ? `${group} ` : ''}${words[j] ?? ''}`.trim();
  const refuse = (index: number, value: string, how: string) => {
    const names = templates(value);
    if (names.length) found.refused.push({ index, names, how, kind: 'engine' });
  };
  const create = words[j] === 'create';
  for (let k = from; k < words.length && words[k] !== '--'; k++) {
    const word = words[k]!;
    const eq = word.startsWith('--') ? word.indexOf('=') : -1;
    const option = eq > 0 ? word.slice(0, eq) : word;
    const what = option === '--builder' ? BUILDER_HOW : create ? BUILDX_CREATE[option] : undefined;
    if (what === undefined) continue;
    if (eq > 0) refuse(k, word.slice(eq + 1), `${what}, which ${command} ${option} chooses`);
    else if (k + 1 < words.length) {
      refuse(k + 1, words[k + 1]!, `${what}, which ${command} ${option} chooses`);
      k++;
    }
  }
  // buildx use NAME, buildx create [CONTEXT|ENDPOINT]: their operands.
  if (words[j] !== 'use' && !create) return;
  const values = create ? ['--name', '--node', '--platform', ...Object.keys(BUILDX_CREATE)] : [];
  for (let k = j + 1; k < words.length; k++) {
    const word = words[k]!;
    if (word === '--') continue;
    if (word.startsWith('-')) {
      if (values.includes(word)) k++;
      continue;
    }
    refuse(
      k,
      word,
      words[j] === 'use'
        ? `${BUILDER_HOW}, which ${command} chooses for later builds`
        : `the docker context or endpoint ${command} runs the builder on (tcp://, ssh://: a machine elsewhere)`,
    );
  }
}

/**
 * gcloud's commands read here besides GCLOUD_COMMANDS (`path`: the indexes of its leading words): config set and
 * unset, whose property (api_endpoint_overrides/run, core/account, proxy/address, auth/…) chooses the endpoint,
 * account or proxy later gcloud commands use, and whose value is that endpoint, account or proxy: a template in
 * either is refused; deploy releases create --images NAME=IMAGE,…: the image after a fixed NAME= (of the last
 * pair) takes the image rule, and a template elsewhere there is refused.
 */
function gcloudCommand(
  found: ContainerMounts,
  words: readonly string[],
  at: number,
  path: readonly number[],
): void {
  gcloudPairs(found, words, at);
  const lead = path.findIndex((k) => !['alpha', 'beta', 'preview'].includes(words[k]!));
  if (lead < 0) return;
  const command = path.slice(lead).map((k) => words[k]!);
  if (command[0] === 'config' && (command[1] === 'set' || command[1] === 'unset')) {
    const label = `gcloud config ${command[1]}`;
    for (let k = path[lead + 1]! + 1; k < words.length; k++) {
      const names = templates(words[k]!);
      if (names.length)
        found.refused.push({
          index: k,
          names,
          how: `the property (or its value) ${label} sets, which chooses the endpoint, account, project or proxy later gcloud commands use (api_endpoint_overrides/*, core/account, proxy/*)`,
          kind: 'cloud',
        });
    }
    return;
  }
  if (command[0] === 'builds' && command[1] === 'submit') gcloudPack(found, words, path[lead + 1]! + 1);
  // auth print-access-token [ACCOUNT], print-identity-token [ACCOUNT]: the token of any account of this machine's
  // credentials (given to docker login, curl, a deploy tool).
  if (command[0] === 'auth' && /^print-(access|identity)-token$/.test(command[1] ?? '')) {
    const values = [...GCLOUD_VALUES, ...GCLOUD_ENGINE.keys()].concat(
      ...['--lifetime', '--scopes', '--audiences', '--token-format'],
    );
    for (let k = path[lead + 1]! + 1; k < words.length && words[k] !== '--'; k++) {
      const word = words[k]!;
      if (word.startsWith('-')) {
        if (
          !word.includes('=') &&
          (values.includes(word) || GCLOUD_OPTIONAL.get(word)?.includes(words[k + 1] ?? ''))
        )
          k++;
        continue;
      }
      const names = templates(word);
      if (names.length)
        found.refused.push({
          index: k,
          names,
          how: `the account whose token gcloud auth ${command[1]} prints (any account of this machine's credentials, with its rights)`,
          kind: 'cloud',
        });
    }
  }
  // The command's own words end at its verb (the words after it are its operands).
  const verb = command.findIndex((word, n) => n > 0 && gcloudVerb(word));
  if (verb > 0) gcloudGrants(found, words, command.slice(0, verb + 1), path[lead + verb]! + 1);
  if (verb > 0) gcloudImagesAndTokens(found, words, command.slice(0, verb + 1), path[lead + verb]! + 1);
  if (command.slice(0, 3).join(' ') !== 'deploy releases create') return;
  const label = 'gcloud deploy releases create --images';
  for (let k = path[lead + 2]! + 1; k < words.length && words[k] !== '--'; k++) {
    const attached = words[k]!.startsWith('--images=');
    if (!attached && words[k] !== '--images') continue;
    const index = attached ? k : ++k;
    if (index >= words.length) return;
    const word = words[index]!;
    const start = attached ? '--images='.length : 0;
    const value = word.slice(start);
    const names = templates(value);
    if (names.length === 0) continue;
    // The last NAME=IMAGE pair's image, after a fixed text: the image rule.
    const eq = value.lastIndexOf('=');
    const head = word.slice(0, start + eq + 1);
    if (eq > 0 && templates(head).length === 0)
      imageReference(found, index, word, head, 'gcloud', `the image ${label} names`);
    else
      found.refused.push({
        index,
        names,
        how: `the images ${label} names (NAME=IMAGE,…: a value in a name, or before another pair, chooses which image each container of the release runs, or adds pairs)`,
        kind: 'image',
      });
  }
}

/** Why a value in a compute image's name must be one plain name (plainNameProblem), for messages. */
const IMAGE_NAME_WHY =
  "since anything else could name another project's image (projects/P/global/images/I, a URL: its code boots the VM); write other projects' images in the config";

/**
 * gcloud compute instances create (instance-templates create, disks create, images create) --image,
 * --image-family, --source-image, --source-image-family: the image the boot disk is made from, which may be a
 * full path (projects/P/global/images/I, a URL) naming any project's image: a value there is checked once
 * rendered to be one plain name after a fixed text with no "/" or after a fixed .../images/ (or .../family/),
 * and refused elsewhere. --create-disk's image=, image-family=, image-project= (and source-image=…) likewise.
 * scheduler jobs create/update http --uri with --oauth- or --oidc-service-account-email: the server that gets
 * the account's token, which a value in the URI's scheme or host chooses (one after a fixed "/" is its path).
 */
function gcloudImagesAndTokens(
  found: ContainerMounts,
  words: readonly string[],
  command: string[],
  from: number,
): void {
  const label = `gcloud ${command.join(' ')}`;
  const joined = command.join(' ');
  const images = ['--image', '--image-family', '--source-image', '--source-image-family'];
  const imageCommand =
    /^compute (instances|instance-templates|disks|images) create$/.test(joined) ||
    /^compute instances create-with-container$/.test(joined);
  if (imageCommand)
    for (const read of gcloudWords(words, from, [...images, '--create-disk']))
      if (read.option !== undefined && images.includes(read.option)) {
        const word = words[read.index]!;
        const value = word.slice(read.prefix.length);
        const names = templates(value);
        if (!names.length) continue;
        const head = value.slice(0, value.search(PLACEHOLDER));
        const tail = value.slice(value.search(PLACEHOLDER)).replace(PLACEHOLDER, '');
        if (
          names.length === 1 &&
          (!head.includes('/') || /\/(images|family)\/[^/]*$/.test(head)) &&
          !head.includes(':') &&
          !tail.includes('/')
        )
          found.names.set(read.index, {
            kind: 'plain',
            prefix: read.prefix + head,
            suffix: tail,
            how: `the image ${label} ${read.option} makes the boot disk from (${word})`,
            why: IMAGE_NAME_WHY,
          });
        else
          found.refused.push({
            index: read.index,
            names,
            how: `the image ${label} ${read.option} makes the boot disk from, where the value would be in its project or path (projects/P/global/images/I: another project's image, whose code boots the VM)`,
            kind: 'cloud',
          });
      } else if (read.option === '--create-disk') {
        const fields = words[read.index]!.slice(read.prefix.length).split(',');
        const names = fields
          .filter(
            (f) =>
              /^(image|image-family|image-project|source-image|source-image-family|source-snapshot)=/.test(
                f,
              ) || !f.includes('='),
          )
          .flatMap(templates);
        if (names.length)
          found.refused.push({
            index: read.index,
            names,
            how: `the image ${label} --create-disk makes a disk from (image=, image-family=, image-project=: another project's image, whose code boots the VM)`,
            kind: 'cloud',
          });
      }
  if (/^scheduler jobs (create|update)$/.test(joined)) {
    const read = gcloudWords(words, from, [
      '--uri',
      '--oauth-service-account-email',
      '--oidc-service-account-email',
    ]);
    if (
      !read.some(
        (r) => r.option === '--oauth-service-account-email' || r.option === '--oidc-service-account-email',
      )
    )
      return;
    for (const r of read) {
      if (r.option !== '--uri') continue;
      const value = words[r.index]!.slice(r.prefix.length);
      const authority = /^[a-z]+:\/\/[^/{}]*\//i.exec(value.replace(PLACEHOLDER, '{}'))?.[0] ?? value;
      const names = templates(value.slice(0, authority.length));
      if (names.length)
        found.refused.push({
          index: r.index,
          names,
          how: `the server ${label} --uri sends the job's requests to, with the token of its --oauth- or --oidc-service-account-email (any server: it gets a token of that account)`,
          kind: 'cloud',
        });
    }
  }
}

/** The words of a gcloud command from `from` (before `--`): each option's value (`option`), or an operand. */
function gcloudWords(
  words: readonly string[],
  from: number,
  values: readonly string[],
): Array<{ index: number; option?: string; prefix: string }> {
  const takes = [...GCLOUD_VALUES, ...GCLOUD_ENGINE.keys(), ...values];
  const read: Array<{ index: number; option?: string; prefix: string }> = [];
  for (let k = from; k < words.length && words[k] !== '--'; k++) {
    const word = words[k]!;
    if (!word.startsWith('-') || word === '-') read.push({ index: k, prefix: '' });
    else if (word.startsWith('--') && word.includes('=')) {
      const option = word.slice(0, word.indexOf('='));
      read.push({ index: k, option, prefix: `${option}=` });
    } else if (takes.includes(word) || GCLOUD_OPTIONAL.get(word)?.includes(words[k + 1] ?? '')) {
      if (k + 1 < words.length) read.push({ index: ++k, option: word, prefix: '' });
    }
  }
  return read;
}

/**
 * gcloud's commands whose values choose a grant, a secret, a token or what runs (`command`: its words after the
 * track; its options and operands from `from`), refused into `found`: *-iam-policy-binding --member, --role and
 * --condition (who gets which rights: allUsers, roles/owner); secrets versions access (any secret of the project,
 * printed to the job's log or piped on); auth print-identity-token --audiences (a token for any service, sent
 * where the line sends it); builds triggers run TRIGGER (which trigger's build runs, with its service account);
 * config configurations activate NAME, checked once rendered as --configuration's (one plain name).
 */
function gcloudGrants(
  found: ContainerMounts,
  words: readonly string[],
  command: string[],
  from: number,
): void {
  const label = `gcloud ${command.join(' ')}`;
  const refuse = (index: number, prefix: string, how: string) => {
    const names = templates(words[index]!.slice(prefix.length));
    if (names.length) found.refused.push({ index, names, how, kind: 'cloud' });
  };
  const verb = command[command.length - 1] ?? '';
  if (/^(add|remove)-iam-policy-binding$/.test(verb)) {
    const grants = ['--member', '--role', '--condition', '--condition-from-file'];
    for (const read of gcloudWords(words, from, grants))
      if (read.option !== undefined && grants.includes(read.option))
        refuse(
          read.index,
          read.prefix,
          `the ${read.option.slice(2)} of the IAM binding ${label} ${verb.startsWith('add') ? 'grants' : 'removes'} (allUsers, any account; roles/owner, any role: who gets which rights)`,
        );
    return;
  }
  if (command.join(' ') === 'secrets versions access') {
    for (const read of gcloudWords(words, from, ['--secret', '--location', '--out-file']))
      if (read.option === undefined || read.option === '--secret')
        refuse(
          read.index,
          read.prefix,
          `the secret (or its version, which may name any secret, as projects/P/secrets/S/versions/1 does) ${label} reads (any secret of the project, printed to the job's log or piped on)`,
        );
    return;
  }
  if (command.join(' ') === 'auth print-identity-token') {
    for (const read of gcloudWords(words, from, ['--audiences', '--token-format']))
      if (read.option === '--audiences')
        refuse(
          read.index,
          read.prefix,
          `the audience of the identity token ${label} prints (any service or server: the token lets whoever gets it act as the account there)`,
        );
    return;
  }
  if (command.join(' ') === 'builds triggers run') {
    for (const read of gcloudWords(words, from, ['--branch', '--tag', '--sha', '--substitutions']))
      if (read.option === undefined)
        refuse(
          read.index,
          read.prefix,
          `the trigger whose build ${label} starts (any trigger of the project: its build config runs, with its service account)`,
        );
    return;
  }
  if (command.join(' ') === 'config configurations activate') {
    for (const read of gcloudWords(words, from, []))
      if (read.option === undefined && templates(words[read.index]!).length)
        refuse(
          read.index,
          read.prefix,
          `the configuration ${label} makes active for every later gcloud command (its account and properties): ${WHOSE_CREDENTIALS}`,
        );
  }
}

/**
 * gcloud builds submit --pack image=IMAGE,builder=BUILDER,env=…: the image it builds and pushes (as --tag), and
 * the buildpacks builder image that runs the build. The image after a fixed image= or builder= (of the last
 * field) takes the image rule; a template elsewhere there (a key, env=, a field before another) is refused.
 */
function gcloudPack(found: ContainerMounts, words: readonly string[], from: number): void {
  const label = 'gcloud builds submit --pack';
  for (let k = from; k < words.length && words[k] !== '--'; k++) {
    const attached = words[k]!.startsWith('--pack=');
    if (!attached && words[k] !== '--pack') continue;
    const index = attached ? k : ++k;
    if (index >= words.length) return;
    const word = words[index]!;
    const start = attached ? '--pack='.length : 0;
    const value = word.slice(start);
    const names = templates(value);
    if (names.length === 0) continue;
    const comma = value.replace(PLACEHOLDER, (m) => '\0'.repeat(m.length)).lastIndexOf(',');
    const field = /^(image|builder)=/.exec(value.slice(comma + 1))?.[0];
    const head = word.slice(0, start + comma + 1 + (field?.length ?? 0));
    if (field !== undefined && templates(head).length === 0)
      imageReference(
        found,
        index,
        word,
        head,
        'gcloud',
        field === 'image='
          ? `${label} builds and pushes`
          : `${label} builds with (its builder runs the build)`,
      );
    else
      found.refused.push({
        index,
        names,
        how: `the fields of ${label} (image=, builder=, env=: the image built, the builder that runs the build, its variables), where the value would be a key, or before another field`,
        kind: 'image',
      });
  }
}

/**
 * gcloud's options taking a list of KEY=VALUE pairs (calliope's ArgDict): the variables of a Cloud Run service or
 * job, of a function or of its build, of a VM's container; labels; a build's substitutions. gcloud splits the
 * list on "," (or on the delimiter X of a list written ^X^…, gcloud topic escaping), and each pair at its first
 * "=".
 */
const GCLOUD_PAIRS: readonly string[] = [
  ...['--set-env-vars', '--update-env-vars', '--set-build-env-vars', '--update-build-env-vars'],
  ...['--set-labels', '--update-labels', '--labels', '--substitutions', '--container-env'],
  '--update-container-env',
];

/** The delimiter of a gcloud list (`^X^` at its start chooses X) and where its pairs start. */
function gcloudDelimiter(list: string): { delimiter: string; start: number } {
  const custom = /^\^([^^]+)\^/.exec(list);
  return custom ? { delimiter: custom[1]!, start: custom[0].length } : { delimiter: ',', start: 0 };
}

/**
 * gcloud's KEY=VALUE lists (GCLOUD_PAIRS), anywhere before `--`: a template in a key, or in the delimiter
 * (^X^), is refused into `found` (it would choose the variable: BASH_ENV, NODE_OPTIONS, LD_PRELOAD); one in a
 * value is checked once rendered (gcloudPairsProblem), since a value holding the delimiter would add pairs.
 */
function gcloudPairs(found: ContainerMounts, words: readonly string[], at: number): void {
  for (let k = at + 1; k < words.length && words[k] !== '--'; k++) {
    const word = words[k]!;
    const eq = word.startsWith('--') ? word.indexOf('=') : -1;
    const option = eq > 0 ? word.slice(0, eq) : word;
    if (!GCLOUD_PAIRS.includes(option)) continue;
    const index = eq > 0 ? k : ++k;
    if (index >= words.length) return;
    const prefix = eq > 0 ? word.slice(0, eq + 1) : '';
    const list = words[index]!.slice(prefix.length);
    const names = templates(list);
    if (names.length === 0) continue;
    const how = `the pairs gcloud ${option} sets (KEY=VALUE,…: the variables or labels of the service, job, function, build or container)`;
    const masked = list.replace(PLACEHOLDER, (m) => '\0'.repeat(m.length));
    const { delimiter, start } = gcloudDelimiter(masked);
    // Each pair's key: the text before its first "=", which must be fixed (as the delimiter).
    let keyed = templates(list.slice(0, start)).length === 0 && !masked.startsWith('\0');
    for (let from = start; keyed && from <= masked.length;) {
      const end = masked.indexOf(delimiter, from);
      const pair = masked.slice(from, end < 0 ? masked.length : end);
      const equals = pair.indexOf('=');
      if (pair.includes('\0') && (equals < 0 || pair.slice(0, equals).includes('\0'))) keyed = false;
      if (end < 0) break;
      from = end + delimiter.length;
    }
    if (keyed) found.names.set(index, { kind: 'pairs', prefix, how });
    else
      found.refused.push({
        index,
        names,
        how: `${how}, where the value would be a key, or the delimiter`,
        kind: 'pairs',
      });
  }
}

/**
 * Why values in a gcloud KEY=VALUE list (`check`, in `word`, templates unrendered) are refused, or undefined:
 * rendered, the list must split into the same pairs (no value holding the delimiter, "," unless ^X^ chose
 * another, which would add a pair: BASH_ENV=…), and keep its delimiter (a list starting with ^ chooses one).
 */
function gcloudPairsProblem(
  check: { prefix: string; how: string },
  word: string,
  values: Readonly<Record<string, string | undefined>>,
): string | undefined {
  const list = word.slice(check.prefix.length);
  const { delimiter } = gcloudDelimiter(list);
  const why = `gcloud splits the list on ${JSON.stringify(delimiter)} (a list starting with ^X^ on X), so the value would add pairs of its own (BASH_ENV=… or NODE_OPTIONS=…: code the service or build runs); write other pairs in the config`;
  for (const match of list.matchAll(PLACEHOLDER))
    if (values[match[1]!]!.includes(delimiter))
      return `{{${match[1]}}} is in ${check.how}, and its value holds ${JSON.stringify(delimiter)}: ${why}`;
  // A delimiter of several characters made of a value's end and the text after it (^::^A={{x}}::B=1, x ending in ":").
  const rendered = list.replace(PLACEHOLDER, (_, name: string) => values[name]!);
  const masked = list.replace(PLACEHOLDER, (m) => '\0'.repeat(m.length));
  if (rendered.split(delimiter).length !== masked.split(delimiter).length)
    return `${[...list.matchAll(PLACEHOLDER)].map((m) => m[0]).join(', ')} is in ${check.how}, and the list holds another ${JSON.stringify(delimiter)} once rendered: ${why}`;
  return undefined;
}

/** crictl run's and runp's options that take a value written apart (container.go runPullFlags, sandbox.go). */
const CRICTL_RUN_VALUES = new Set([
  '-r',
  '--runtime',
  '-T',
  '--cancel-timeout',
  '--pull-timeout',
  '--creds',
  '--auth',
  '--username',
]);

/**
 * Where crictl's global options end when its subcommand is exec, run or runp (`words[at]` is crictl): at the
 * subcommand, whose own options are no global ones (exec's -r transport and -i stdin, run's -r runtime handler)
 * and, for exec, whose command is the container's (`crictl exec c ./run.sh -c {{x}}`: -c is run.sh's).
 * words.length for another subcommand (a global option after it is refused as one).
 */
function crictlGlobalsEnd(words: readonly string[], at: number): number {
  let j = at + 1;
  for (; j < words.length && words[j]!.startsWith('-'); j++)
    if (IMAGE_TOOLS.crictl!.globals.includes(words[j]!)) j++;
  return /^(exec|run|runp)$/.test(words[j] ?? '') ? j : words.length;
}

/** crictl run/runp -r/--runtime HANDLER (`words[at]` is crictl): a template there is refused into `found`. */
function crictlRuntime(found: ContainerMounts, words: readonly string[], at: number): void {
  let j = at + 1;
  for (; j < words.length && words[j]!.startsWith('-'); j++)
    if (IMAGE_TOOLS.crictl!.globals.includes(words[j]!)) j++;
  const sub = words[j];
  if (sub !== 'run' && sub !== 'runp') return;
  // Its options, up to the first config file (urfave/cli reads none after it).
  for (let k = j + 1; k < words.length && words[k]!.startsWith('-') && words[k] !== '--'; k++) {
    const word = words[k]!;
    const eq = word.indexOf('=');
    const option = eq > 0 ? word.slice(0, eq) : /^-r./.test(word) ? '-r' : word;
    const index = eq > 0 || option !== word ? k : k + 1;
    if (option === '-r' || option === '--runtime') {
      const value = index === k ? word.slice(eq > 0 ? eq + 1 : 2) : (words[index] ?? '');
      const names = templates(value);
      if (names.length)
        found.refused.push({
          index,
          names,
          how: `the runtime handler (kata, runc, gVisor: one the runtime's config defines, privileged or not), which crictl ${sub} ${option} chooses`,
          kind: 'engine',
        });
    }
    if (index > k || (eq < 0 && CRICTL_RUN_VALUES.has(word) && option === word)) k++;
  }
}

/** An image tool's command line read from `from` on: its operands, the options given, and the valued ones. */
interface ToolWords {
  operands: number[];
  /** Each option given and its value ("" for a flag). */
  given: Map<string, string>;
  /** The words holding an option's value: the word, the option, and the text before the value in the word. */
  valued: Array<[index: number, option: string, prefix: string]>;
  /** The options known neither to take a value nor to take none (not written --option=VALUE): their words. */
  unknown: number[];
}

/**
 * Reads an image tool's words from `from` on: `values` take a value (written apart, attached, or after "="),
 * `flags` take none; an option among neither takes the next word only when it is `takes` (the other reading).
 */
function toolWords(
  words: readonly string[],
  from: number,
  values: readonly string[],
  flags: ReadonlySet<string>,
  leading: boolean,
  takes?: number,
  argparse = false,
): ToolWords {
  const read: ToolWords = { operands: [], given: new Map(), valued: [], unknown: [] };
  let ended = false;
  for (let k = from; k < words.length; k++) {
    const word = words[k]!;
    if (ended || !word.startsWith('-') || word === '-') {
      read.operands.push(k);
      ended ||= leading;
      continue;
    }
    if (word === '--') {
      ended = true;
      continue;
    }
    const eq = word.startsWith('--') ? word.indexOf('=') : -1;
    if (eq > 0) {
      // --option=VALUE.
      read.given.set(word.slice(0, eq), word.slice(eq + 1));
      read.valued.push([k, word.slice(0, eq), word.slice(0, eq + 1)]);
      continue;
    }
    // -abc: flags, up to the first letter taking a value (the rest of the word, or the next word).
    const letters = word.startsWith('--') ? [word] : [...word.slice(1)].map((c) => `-${c}`);
    for (let c = 0; c < letters.length; c++) {
      const option = letters[c]!;
      const known = values.includes(option);
      if (!known && flags.has(option)) {
        read.given.set(option, '');
        continue;
      }
      if (!known && !read.unknown.includes(k)) read.unknown.push(k);
      if (!known && takes !== k) {
        read.given.set(option, '');
        continue;
      }
      if (c + 1 < letters.length) {
        // -t=app:1 is -t app:1 (pflag drops the "=" after a short option's letter).
        const prefix = word.slice(0, word[c + 2] === '=' ? c + 3 : c + 2);
        read.given.set(option, word.slice(prefix.length));
        read.valued.push([k, option, prefix]);
      } else if (
        k + 1 < words.length &&
        (known || words[k + 1] !== '--') &&
        !(argparse && /^-./.test(words[k + 1]!))
      ) {
        read.given.set(option, words[++k]!);
        read.valued.push([k, option, '']);
      } else read.given.set(option, '');
      break;
    }
  }
  return read;
}

/**
 * The images of a tool's command (`label`: "skopeo copy") whose options and operands start at `from`: each word
 * holding a template sorted by its role (ImageToolCommand) into `found`. After an option known neither to take a
 * value nor to take none, the words are read both ways: a template in a word whose role differs between the two
 * (the option's value, or an operand moved one place) is refused, naming the option.
 */
function toolCommand(
  found: ContainerMounts,
  words: readonly string[],
  from: number,
  label: string,
  name: string,
  globals: readonly string[],
  command: ImageToolCommand,
  toolFlags?: readonly string[],
  argparse = false,
): void {
  const roles = command.options ?? {};
  const special = [
    ...Object.keys(command.rights ?? {}),
    ...Object.keys(command.engine ?? {}),
    ...Object.keys(command.scanner ?? {}),
    ...Object.keys(command.programs ?? {}),
    ...Object.keys(command.directories ?? {}),
    ...(command.users ?? []),
    ...(command.mounts ?? []),
    ...Object.keys(command.names ?? {}),
    ...Object.keys(command.selectors ?? {}),
  ];
  // A subcommand's own option taking a value is one there (cosign upload blob -f FILES; elsewhere -f is --force).
  const own = new Set([...(command.values ?? []), ...Object.keys(roles)]);
  const flags = new Set([
    ...HELP_FLAGS,
    ...(toolFlags ?? []).filter((flag) => !own.has(flag)),
    ...(command.flags ?? []),
  ]);
  // A right that is a flag (ctr run --privileged) is one only written --privileged=VALUE.
  const values = [...globals, ...(command.values ?? []), ...Object.keys(roles), ...special].filter(
    (option) => !flags.has(option),
  );
  const leading = command.leading === true;
  const read = toolWords(words, from, values, flags, leading, undefined, argparse);
  // A grammar that lists no flags (oc new-app's) reads every option as a flag, as before.
  if (toolFlags === undefined && command.flags === undefined) read.unknown = [];
  // What each word is under a reading: an option's value (`option`), or an operand and its role.
  const rolesOf = (r: ToolWords) => {
    const map = new Map<number, { role: ToolRole; option?: string; prefix: string }>();
    for (const [index, option, prefix] of r.valued) map.set(index, { role: roles[option], option, prefix });
    r.operands.forEach((index, position) =>
      map.set(index, {
        role: command.operand(position, r.operands.length, r.given, words[index]!),
        prefix: '',
      }),
    );
    return map;
  };
  const first = rolesOf(read);
  // Its switches choosing what it trusts written --switch=VALUE (or -k=VALUE, Go's flag package reads both), up
  // to its first operand when its options come first.
  const switched = new Set<number>();
  const optionsEnd = leading && read.operands.length ? read.operands[0]! : words.length;
  for (let k = from; command.switches && k < optionsEnd && words[k] !== '--'; k++) {
    const eq = words[k]!.indexOf('=');
    const option = words[k]!.slice(0, eq);
    if (eq > 1 && words[k]!.startsWith('-') && command.switches.has(option)) {
      trustSwitch(found, k, option, words[k]!.slice(eq + 1), command.switches, label);
      switched.add(k);
    }
  }
  // Each unknown option read as taking a value (the others not), beside the first reading.
  const others = read.unknown.map(
    (unknown) =>
      [unknown, rolesOf(toolWords(words, from, values, flags, leading, unknown, argparse))] as const,
  );
  const sort = (index: number, prefix: string, role: ToolRole, how: string) => {
    const word = words[index]!;
    const value = word.slice(prefix.length);
    const names = templates(value);
    if (names.length === 0 || role === undefined) return;
    if (role === 'image' || role === 'repository')
      return imageReference(found, index, word, prefix, role === 'image' ? name : '', `the image ${how}`);
    if (role === 'tag')
      return void found.names.set(index, { kind: 'image', prefix, how: `the image ${how}`, tag: true });
    if (role === 'context')
      return void found.refused.push({
        index,
        names,
        how: `the context ${how} (an entry of the kubeconfig): ${WHOSE_CREDENTIALS}`,
        kind: 'engine',
      });
    const what =
      role === 'read'
        ? `the file or directory of this machine ${how}, read as an image (any file of this machine)`
        : role === 'write'
          ? `the file or directory of this machine ${how}, written to`
          : role === 'program'
            ? `the program ${how} (in the container)`
            : role === 'source'
              ? `the image and the source ${how} (IMAGE~SOURCE: the code built and run)`
              : `the transport ${how} (dir: a path of this machine)`;
    const kind = role === 'write' ? 'write' : role === 'program' ? 'program' : 'image';
    found.refused.push({ index, names, how: what, kind });
  };
  for (const [index, entry] of first) {
    const names = templates(words[index]!.slice(entry.prefix.length));
    if (names.length === 0 || switched.has(index)) continue;
    // Read both ways, the word is this option's value or an operand, or another operand: a value there would
    // be what the other reading makes it (an image, a file, a program), which is not known here.
    const moved = others.find(([, other]) => {
      const alternative = other.get(index);
      return (
        (alternative?.role !== entry.role || alternative?.option !== entry.option) &&
        (entry.role !== undefined || alternative?.role !== undefined)
      );
    });
    if (moved) {
      found.refused.push({ index, names, how: `${label}'s option ${words[moved[0]]}`, kind: 'unknown' });
      continue;
    }
    const option = entry.option;
    if (option !== undefined) {
      const value = words[index]!.slice(entry.prefix.length);
      const right = command.rights?.[option];
      const program = command.programs?.[option];
      const trust = command.engine?.[option];
      const scanned = command.scanner?.[option];
      const directory = command.directories?.[option];
      const selector = command.selectors?.[option];
      const plain = command.names?.[option];
      if (selector !== undefined) {
        found.refused.push({ index, names, how: selector, kind: 'selector' });
        continue;
      }
      if (plain !== undefined) {
        found.names.set(index, { kind: 'plain', prefix: entry.prefix, ...plain });
        continue;
      }
      if (directory !== undefined) {
        found.refused.push({
          index,
          names,
          how: `${directory}, which ${label} ${option} sets`,
          kind: 'directory',
        });
        continue;
      }
      if (trust !== undefined) {
        found.refused.push({
          index,
          names,
          how: `${trust}, which ${label} ${option} chooses`,
          kind: 'trust',
        });
        continue;
      }
      if (scanned !== undefined) {
        found.refused.push({
          index,
          names,
          how: `${scanned}, which ${label} ${option} chooses`,
          kind: 'scanner',
        });
        continue;
      }
      if (right !== undefined) {
        found.refused.push({
          index,
          names,
          how: `${right} ${label} ${option} gives the container`,
          kind: 'rights',
        });
        continue;
      }
      if (program !== undefined) {
        found.refused.push({
          index,
          names,
          how: `${program}, which ${label} ${option} sets`,
          // A cloud service's container (gcloud run deploy --command, --args): what it runs there.
          kind: name === 'gcloud' ? 'entrypoint' : 'program',
        });
        continue;
      }
      if (command.users?.includes(option)) {
        found.users.push(index);
        continue;
      }
      if (command.mounts?.includes(option)) {
        mountValue(found, index, option, value, label, words[index]!);
        continue;
      }
      const role = entry.role;
      const does = role === 'transport' ? 'chooses' : 'names';
      sort(index, entry.prefix, role, `${label} ${option} ${does}`);
      continue;
    }
    const role = entry.role;
    const does = role === 'write' || role === 'read' ? 'names' : role === 'program' ? 'runs' : command.does;
    sort(index, '', role, `${label} ${does}`);
  }
}

/** The characters of a part of an image reference or a plain name that a variable may stand in (no / : @). */
const NAME_CHARACTERS = /^[A-Za-z0-9_.-]*$/;

/**
 * Whether a variable set from this text (templates unrendered) may stand in a checked image reference or
 * context (`TAG=v{{version}}; docker run app:$TAG`): its fixed text holds no "/", ":" or "@", so the word's
 * shape is its own fixed text's; each value in it is then checked (containerValueProblem).
 */
export function containerLiteralFits(check: CheckedName, literal: string): boolean {
  return (
    (check.kind === 'image' || (check.kind === 'plain' && !check.sha)) &&
    NAME_CHARACTERS.test(literal.replace(PLACEHOLDER, ''))
  );
}

/**
 * Why a value reaching a checked image reference or context through a variable is refused, or undefined: the
 * whole word is not rendered here, so each value must hold only letters, digits and _ . - and not start with "."
 * or "-", which keeps the reference's parts and a name's one word.
 */
export function containerValueProblem(check: CheckedName, name: string, value: string): string | undefined {
  if (check.kind !== 'image' && check.kind !== 'plain') return undefined;
  if (check.kind === 'plain' && check.label)
    return /^[a-z0-9][a-z0-9-]{0,62}$/.test(value)
      ? undefined
      : `{{${name}}} is in ${check.how} through a variable, and its value ${JSON.stringify(value)} is not lowercase letters, digits and - (not starting with "-"), which a namespace is made of: ${check.why}`;
  if (PLAIN_NAME.test(value)) return undefined;
  return `{{${name}}} is in ${check.how} through a variable, and its value ${JSON.stringify(value)} is not letters, digits and _ . - (not starting with "." or "-"): a "/", ":" or "@" would make another image (app:5000/evil is the image evil of the registry app:5000) and anything else another name; write a digest or other images in the config, or write the template itself in the word`;
}
