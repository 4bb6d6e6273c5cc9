// What a container runner mounts into the container it runs or creates (docker/podman/nerdctl run and create,
// docker compose run, docker service create and update): `-v SOURCE:TARGET[:OPTIONS]`, `--mount type=…,src=…,dst=…`, `--volumes-from`,
// `--device`, `--tmpfs`. A value in the host side of a bind mount chooses which directory of this machine the
// container gets (the docker socket, /etc, a directory laid over the code the container runs); a value in the
// container side chooses which of the container's own files the mount hides (its programs, its libraries, the
// code its entrypoint runs), and no check of a plain word under a fixed directory can tell a data directory from
// a code one. Both are refused when the config loads (launchers.ts). A named volume (`-v data-{{env}}:/data`,
// `--mount type=volume,src=…`) may take a value, checked once rendered: it must stay a volume name, since a
// value with a `/` (or starting with `.` or `~`) makes the source a host path, and one with `,` or `=` adds
// fields to `--mount`. Pure.
import { PLACEHOLDER } from './placeholder.ts';

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
];

/** docker service create and update (swarm): options that take a value written apart, besides run's. */
const SERVICE_VALUES: readonly string[] = [
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

const RUNNERS = new Set(['docker', 'podman', 'nerdctl', 'docker-compose']);

/** A part of a mount option's value that takes no template (refused when the config loads). */
export interface MountWord {
  index: number;
  /** The templates of the word in that part. */
  names: string[];
  /** What the part is, for messages ("the host path docker run -v mounts into the container"). */
  how: string;
  /** An option giving the container rights over this machine, or its environment (PRIVILEGE_OPTIONS). */
  rights?: boolean;
}

export interface ContainerMounts {
  refused: MountWord[];
  /** Words whose templates are in the name of a named volume: checked once rendered (volumeNameProblem). */
  volumes: number[];
}

/** The characters of a volume name's fixed text, and of a value in one. */
const VOLUME_NAME = /^[A-Za-z0-9_.-]*$/;

/**
 * The mounts of a container runner's command (`words[at]` is the runner, named `name`): the parts of its mount
 * options holding a template that are refused, and the words whose templates name a named volume.
 */
export function containerMounts(words: readonly string[], at: number, name: string): ContainerMounts {
  const found: ContainerMounts = { refused: [], volumes: [] };
  if (!RUNNERS.has(name)) return found;
  // The subcommand: run or create (docker container run, docker compose -f x run), or docker service create or
  // update (its mounts are made on the swarm's nodes), after global options (the word after an option may be its
  // value).
  let j = at + 1;
  while (j < words.length && !/^(run|create|update)$/.test(words[j]!)) {
    if (!/^(compose|container|service|-)/.test(words[j]!) && !/^-/.test(words[j - 1] ?? '')) return found;
    j++;
  }
  if (j >= words.length) return found;
  const group = words.slice(at + 1, j).filter((w) => /^(compose|container|service)$/.test(w));
  const service = group.includes('service');
  if (words[j] === 'update' && !service) return found;
  const values = service ? [...CONTAINER_RUN_VALUES, ...SERVICE_VALUES] : CONTAINER_RUN_VALUES;
  const command = [name, ...group, words[j]].join(' ');
  const check = (index: number, option: string, value: string) =>
    mountValue(found, index, option, value, command);
  for (let k = j + 1; k < words.length; k++) {
    const word = words[k]!;
    if (word === '--' || !word.startsWith('-') || word === '-') break;
    if (word.startsWith('--')) {
      const eq = word.indexOf('=');
      if (eq > 0) check(k, word.slice(0, eq), word.slice(eq + 1));
      else if (values.includes(word)) {
        if (k + 1 < words.length) check(k + 1, word, words[k + 1]!);
        k++;
      }
      continue;
    }
    // Short options, perhaps together: the first one that takes a value takes the rest or the next word.
    for (let c = 1; c < word.length; c++) {
      const flag = `-${word[c]}`;
      if (!values.includes(flag)) continue;
      if (c + 1 < word.length) check(k, flag, word.slice(c + 1));
      else {
        if (k + 1 < words.length) check(k + 1, flag, words[k + 1]!);
        k++;
      }
      break;
    }
  }
  return found;
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
): void {
  if (templates(value).length === 0) return;
  const refuse = (part: string, how: string, rights?: boolean) => {
    const names = templates(part);
    if (names.length) found.refused.push({ index, names, how, ...(rights ? { rights } : {}) });
  };
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
  if (option === '--volumes-from')
    return refuse(
      value,
      `the container whose mounts ${command} ${option} gives the new one (its host directories, a docker socket)`,
    );
  if (option === '--device')
    return refuse(value, `the device of this machine ${command} ${option} gives the container`);
  if (option === '--tmpfs')
    return refuse(value, `the path in the container ${command} ${option} mounts an empty directory at`);
  const rights = PRIVILEGE_OPTIONS.get(option);
  if (rights) return refuse(value, `${rights} ${command} ${option} gives the container`, true);
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
