// Fields of a container's spec (Kubernetes, Compose, the Docker Engine API, ECS) whose value chooses what the
// container may do or what it runs with, rather than what it runs: its rights (privileged, a user, capabilities,
// the host's network or processes, a service account, the whole securityContext), the host's files it sees (a
// hostPath, a bind mount's source, a device) and where a mount lands in it (a mount over /usr/bin or /etc
// changes what runs), the file of variables it starts with (LD_PRELOAD), and what Compose builds. A value there
// chooses these even inside its string (`privileged: {{x}}` given true, `- "{{x}}:/data"` given
// /var/run/docker.sock), which no check of its characters can make safe. Keys are compared ignoring case, "_"
// and "-" (working_dir is workingDir). Pure.
import type { JsonField } from './json-arguments.ts';

const normal = (key: string) => key.replace(/[_-]/g, '').toLowerCase();

/** Keys of a container's rights, wherever they are. */
const RIGHTS_KEYS = new Set([
  'privileged',
  'hostnetwork',
  'hostpid',
  'hostipc',
  'hostusers',
  'serviceaccountname',
  'serviceaccount',
  'automountserviceaccounttoken',
  'allowprivilegeescalation',
  'runasuser',
  'runasgroup',
  'runasnonroot',
  'capadd',
  'securityopt',
  'networkmode',
  'pidmode',
  'ipcmode',
  'usernsmode',
  'cgroupparent',
  'runtime',
  'shareprocessnamespace',
]);

/** Subtrees all of whose fields are the container's rights or the host's files it sees. */
const RIGHTS_TREES = new Set(['securitycontext', 'capabilities', 'linuxparameters', 'hostpath']);

/** Keys naming a path of the host a container sees, or where a mount lands in it, wherever they are. */
const MOUNT_KEYS = new Set(['mountpath', 'subpath', 'subpathexpr', 'sourcepath', 'containerpath', 'binds']);

/** Lists of a container's mounts, whose string items (SOURCE:TARGET) and source/target name paths. */
const MOUNT_LISTS = new Set(['volumes', 'mounts', 'volumemounts', 'mountpoints', 'devices', 'tmpfs']);

/** Fields of a mount or a volume naming a path (of the host, or in the container). */
const MOUNT_FIELDS = new Set(['source', 'target', 'device', 'path', 'destination']);

/** Where a container is specified: Compose's services, ECS's definitions, Docker's HostConfig, Kubernetes's lists. */
const CONTAINER_SPECS = new Set([
  'services',
  'containerdefinitions',
  'hostconfig',
  'containers',
  'initcontainers',
  'ephemeralcontainers',
]);

const BUILD_WHY = 'what Compose builds and runs (its context, Dockerfile, stage, secrets)';

/** Build args Docker gives every RUN step without an ARG (a proxy), or that choose the build's frontend. */
const BUILD_CODE_ARG = /^((https?|ftp|no|all)_proxy|BUILDKIT_SYNTAX)$/i;

/**
 * What a field's value chooses of a container's rights or inputs (why, for messages), or undefined. Keys too
 * general to read alone (user, pid, volumes, source, build) count inside a container's spec (CONTAINER_SPECS) or
 * a Compose file's top-level volumes, secrets and configs.
 */
export function trustFieldUse(field: JsonField): string | undefined {
  const key = normal(field.key);
  const path = field.path.map(normal);
  const within = (names: ReadonlySet<string>) => path.slice(0, -1).some((p) => names.has(p));
  if (RIGHTS_KEYS.has(key) || within(RIGHTS_TREES))
    return "the container's rights (privileged, its user, capabilities, the host's network or processes, the service account it acts as) or the host's files it sees";
  if (key === 'envfile' || key === 'envfiles')
    return 'the file of variables a container starts with (it can set LD_PRELOAD or NODE_OPTIONS)';
  if (MOUNT_KEYS.has(key))
    return 'a path of the host a container sees, or where a mount lands in it (over /usr/bin it changes what runs)';
  const container = within(CONTAINER_SPECS) || CONTAINER_SPECS.has(path[0] ?? '');
  const composeTop = ['volumes', 'secrets', 'configs'].includes(path[0] ?? '') && path.length > 1;
  if (!container && !composeTop) return undefined;
  if (key === 'user') return 'the user a container runs as';
  if (key === 'pid' || key === 'ipc' || key === 'userns')
    return "whether a container shares the host's processes (pid: host)";
  if ((MOUNT_LISTS.has(key) && field.item) || (within(MOUNT_LISTS) && MOUNT_FIELDS.has(key)))
    return 'a path of the host a container sees, or where a mount lands in it (a source of /var/run/docker.sock, a target over /usr/bin)';
  if (within(new Set(['driveropts'])) || (composeTop && key === 'file'))
    return 'the file or device of this machine a volume, secret or config gives the containers';
  const build = path.indexOf('build');
  if (build < 0 || build === path.length - 1) return key === 'build' ? BUILD_WHY : undefined;
  // A build's args and labels are data, but for the args that give its RUN steps a proxy or choose the
  // frontend that runs the build (as docker build --build-arg HTTP_PROXY= does).
  if (!['args', 'labels'].includes(path[build + 1]!)) return BUILD_WHY;
  const name = field.item ? (field.text ?? '').split('=')[0]! : field.key;
  if (path[build + 1] === 'args' && (/\{\{/.test(name) || BUILD_CODE_ARG.test(name)))
    return "a build argument giving the build's RUN steps a proxy, or choosing the frontend that runs the build (HTTP_PROXY, BUILDKIT_SYNTAX), or the name of one";
  return undefined;
}
