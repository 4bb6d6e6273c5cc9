// A container runner's options read before and after its subcommand: the global ones choosing its engine (rights),
// the switches choosing what a tool trusts, and the reader of options (`options`) every tool's table goes by.
import { type ContainerMounts, templates } from './container-sites.ts';
import { contextName } from './context-names.ts';
import { lookupTable } from './lookup-table.ts';

/**
 * Options before a runner's subcommand (and compose's before its own) whose value chooses the engine that runs
 * the containers, what it trusts or the files it reads: a daemon elsewhere gets the registry credentials, the
 * build context and the -e values (an ssh:// address runs ssh); another runtime, conmon, storage root, hooks
 * directory or CNI plugin directory of this machine runs programs as root there. Refused like a right.
 */
export const GLOBAL_RIGHTS: Record<string, ReadonlyMap<string, string>> = lookupTable({
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
});

/**
 * Switches choosing what a tool trusts, per tool (a runner's for its global options, pull, push, run and create;
 * an image tool's anywhere before `--`): whether a registry's or daemon's certificate, the image's signature,
 * the transparency log or the trust policy is checked. They take no value, but may be written --switch=VALUE,
 * where a template would turn the check off (--tls-verify=false, --insecure-ignore-tlog=true): refused there, as
 * kubectl --insecure-skip-tls-verify=VALUE is. Written alone they are accepted.
 */
export const TRUST_SWITCHES: Record<string, ReadonlyMap<string, string>> = lookupTable({
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
});

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
export function trustSwitch(
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
export const GLOBAL_VALUES: Record<string, readonly string[]> = lookupTable({
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
});

/** Global options that take no value: the word after one is the subcommand. */
const GLOBAL_FLAGS = new Set(
  ['-D', '--debug', '--tls', '--tlsverify', '-v', '--version', '--help', '-r', '--remote', '--syslog'].concat(
    ['--noout', '--trace', '--insecure-registry', '--experimental', '--dry-run', '--compatibility'],
  ),
);

/** The words read as a subcommand after an unknown global option rather than as its value. */
const SUBCOMMAND = /^(run|create|update|exec|build|bud|from|compose|container|service|buildx|builder|image)$/;

/**
 * Reads the options from `from` on (their values written apart or attached: -v X, -vX, --volume=X, -itv X),
 * calling `check` with each option's value, up to the first operand (or --): returns its index. An option
 * among `values` takes the next word; so does an unknown long option before a word that is neither an option
 * nor a subcommand read here, when `unknownTakes` (global options: the word may be its value).
 */
export function options(
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
export function globalOptions(
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
