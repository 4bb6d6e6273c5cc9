// ctr's (containerd's) commands read here: run and task exec with their rights, and the image subcommands under
// each of their names. A table of IMAGE_TOOLS, separate for its size.
import { type PlainCheck, type ImageToolCommand, image } from './image-tool-types.ts';
import { lookupTable } from './lookup-table.ts';

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
const CTR_RIGHTS: Readonly<Record<string, string>> = lookupTable({
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
});

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
const CTR_SNAPSHOTTER: Readonly<Record<string, PlainCheck>> = lookupTable({
  '--snapshotter': {
    how: 'the snapshotter ctr --snapshotter chooses (the layers the container starts from)',
    why: "the name of a snapshotter containerd's config already has, since anything else is no such name (a path, an option); write other snapshotters in the config",
  },
});

/** ctr images pull/push/tag's options choosing what it trusts for the registry (files and directories). */
const CTR_IMAGE_TRUST: Readonly<Record<string, string>> = lookupTable({
  '--tlscacert': 'the certificate authority trusted for the registry (a file of this machine)',
  '--tlscert': 'the client certificate presented to the registry (a file of this machine)',
  '--tlskey': 'the client key presented to the registry (a file of this machine)',
  '--hosts-dir': 'the registry configuration (mirrors, certificates: the images that run)',
});

/** ctr's image subcommands, under each name of images, and run and task exec. */
export const CTR_COMMANDS: Record<string, ImageToolCommand> = lookupTable({
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
});
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
