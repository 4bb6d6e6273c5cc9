// The value of a mount option (-v, --mount, --device, --tmpfs …) and the other options of a run that give a
// container rights or write a file here: refused at load, or a named volume, a network or a user checked once
// rendered.
import { type ContainerMounts, templates, type MountWord, PLAIN_NAME } from './container-sites.ts';
import { imageReference } from './image-references.ts';
import { PLACEHOLDER } from './placeholder.ts';

/** The characters of a volume name's fixed text, and of a value in one. */
const VOLUME_NAME = /^[A-Za-z0-9_.-]*$/;

/** Sorts the templates of one mount option's value (`value`, in the word `index`) into `found`. */
export function mountValue(
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
export const NETWORK_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

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
