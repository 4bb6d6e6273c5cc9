// Words that choose what runs: the program of a command (`{{cmd}} arg`, `./{{script}}`), the program a wrapper
// runs (`sudo {{cmd}}`, `timeout 10 {{cmd}}`, `find . -exec {{cmd}} {} ;`, `docker exec app {{cmd}}`), the file
// `source`/`.` reads, the script or module a shell or interpreter loads (`bash {{file}}`, `python {{x}}.py`,
// `python -m {{mod}}`, `node -r {{x}}`, `awk -f {{file}}`), and the same words of the command ssh hands to the
// remote host's shell (`ssh host {{cmd}}`, `ssh host "sh -c {{x}}"`). Pure.
//
// A template is never accepted there, whatever its value: a plain word still picks a program on PATH (rm), a
// file of the checkout (`bash {{file}}` given README.md runs it line by line), or a module; no check of the
// value can tell a program that was meant from one that was not. The choice stays in the config: a command per
// environment, or a fixed script that takes the value as an argument and maps it itself.
import { credentialOptions } from './credential-options.ts';
import { PLACEHOLDER } from './placeholder.ts';
import { STDIN_FILES } from './stdin-readers.ts';
import {
  codeVariableIn,
  commandModel,
  emptyModel,
  isCodespaceSsh,
  OTHER_SHELLS,
  parserFor,
  POSIX_SHELLS,
  programName,
  shortOptions,
  SSH_SHORT,
  sshCommandStart,
  xargsJoinString,
  xargsLongOption,
  xargsReplaceString,
} from './programs.ts';
import { remoteCommands, type RemoteWord } from './remote-line.ts';
import { deployToolWords, projectWords, taskWords } from './task-runners.ts';
import { FLY_OPTION_VALUES, SYSTEMD_RUN_VALUES } from './deploy-sources.ts';
import { installWords } from './package-installs.ts';
import type { FileRead } from './file-reads.ts';
import {
  clusterOptions,
  CONTAINER_RUN_VALUES,
  containerMounts,
  SERVICE_VALUES,
  TRIVY_VALUES,
  type CheckedName,
} from './container-mounts.ts';
import { lookupTable } from './lookup-table.ts';

export type ChosenKind =
  | 'program'
  | 'subcommand'
  | 'script'
  | 'target' // a make, rake, just, task, gradle, … target: the recipe that runs
  | 'project' // the project directory (or workspace) of npm, poetry, uv, …: its scripts and dependencies run
  | 'deployed' // the manifests, chart, values, kustomization, compose, helmfile or skaffold file a deploy tool applies
  | 'configuration' // the configuration terraform, tofu, terragrunt or pulumi applies (-chdir, -C)
  | 'playbook' // the playbook, inventory, vault password file or modules ansible runs
  | 'build' // the context, Dockerfile, stage or bake file a container build runs
  | 'directory' // the directory a program runs in, or the root or config it reads (env -C, sudo -D, git -C)
  | 'remote-program'
  | 'remote-code'
  | 'package' // the package an install fetches, whose install or build scripts run
  | 'mount' // what a container runner mounts (a host path, a device), or the path in the container it lands at
  | 'container-rights' // the capabilities, namespaces, runtime or env file a container runner gives the container
  | 'build-host' // what of this machine a build gets: secrets and ssh keys it reads, where it writes, its rights
  | 'container-engine' // the daemon, runtime, storage or config a container runner's global options choose
  | 'deploy-source' // where a deploy tool's code, chart, image or state comes from or goes, or what it trusts
  | 'tool-code' // code a tool loads or starts, by a path or a module's name (openssl -engine, gpg --agent-program)
  | 'tool-trust' // what an image tool (or a pull) trusts or signs with, or a file, directory or server of its own
  | 'cloud-pairs' // a key of gcloud's KEY=VALUE lists (--set-env-vars): which variable a service or build gets
  | 'cloud-program' // what a cloud service's container runs (gcloud run deploy --command, --args)
  | 'tool-deletes' // what an image tool deletes (cosign clean --type)
  | 'login-server' // the server a registry login sends the credentials to
  | 'credential' // who a tool acts as (a token, password or key) or the server it sends its credentials to
  | 'rights-grant' // who a tool grants rights to, or which rights (aws iam attach-role-policy)
  | 'cloud-identity' // who gcloud (or what it deploys) acts as, the endpoint or proxy it talks to, the flags it reads from a file, a grant, secret, token audience, trigger or boot image
  | 'container-write' // where docker cp writes: a file of this machine, or of the container
  | 'container-image' // the whole image a container runner or kubectl runs, pulls or pushes, or its registry
  | 'scanner-option' // what a scanner (trivy) checks, trusts or fails on: its exit code, report template, databases
  | 'container-selector' // the containers a command acts in, by a pattern (crictl exec --name REGEX)
  | 'after-unknown-option' // after a docker/podman option not known here: maybe the image or the program
  | 'unknown-option'; // after an image tool's option not known here: its value, or an image, file or program

export interface ChosenWord {
  /** The word a value must not be in. */
  index: number;
  kind: ChosenKind;
  /** The word naming the program it is for (the wrapper, the interpreter, ssh). */
  program: number;
  /** What the word is, for messages ("the program sudo runs", "the code bash loads and runs"). */
  how: string;
  /** The templates of the word that are in that part of it (ssh's remote command), when not all of them. */
  names?: string[];
  /** The safe way to write this program's command, with VALUE where the template goes (task runners). */
  safe?: string;
}

interface WrapperSyntax {
  /** Options whose value is the next word (or attached: -uapp, --user=app). */
  values: readonly string[];
  /** Operands before the program (timeout's duration, chroot's directory, flock's file). */
  operands?: number;
  /** NAME=VALUE words before the program are assignments (env, sudo). */
  assignments?: boolean;
  /**
   * Options (among `values`) whose value is the directory the program runs in, the root it is found in, or a
   * config naming programs (env -C, sudo -D, unshare --wd, git -C, kubectl --kubeconfig): what runs is read from
   * there (./deploy.sh, a Makefile, package.json, the repository's config and hooks, a kubeconfig's exec).
   */
  directories?: readonly string[];
  /** Its operands are the root directory the program is found in (chroot DIR). */
  rootOperand?: boolean;
  /** Its operands are a directory whose files are the program's variables, one a file (envdir DIR). */
  environmentOperand?: boolean;
  /** The full name of a long option word (--repl=@ is --replace: getopt_long's unique prefixes), if any. */
  longName?: (word: string) => string | undefined;
}

/** Programs that run the command given after their own options and operands. */
const WRAPPERS: Record<string, WrapperSyntax> = lookupTable({
  env: {
    values: ['-u', '--unset', '-C', '--chdir', '-a', '--argv0'],
    assignments: true,
    directories: ['-C', '--chdir'],
  },
  sudo: {
    values: [
      ...['-u', '-g', '-C', '-D', '-h', '-p', '-r', '-t', '-T', '-U', '-R'],
      ...['--user', '--group', '--close-from', '--chdir', '--host', '--prompt', '--role', '--type'],
      ...['--command-timeout', '--other-user', '--chroot'],
    ],
    assignments: true,
    directories: ['-D', '--chdir', '-R', '--chroot'],
  },
  doas: { values: ['-u', '-C'] },
  // lima CMD… (limactl shell default CMD…): runs CMD in the Lima VM, its leading NAME=VALUE words its variables
  // (their names unquoted in the line ssh hands the VM's shell).
  lima: { values: ['--workdir', '--shell'], assignments: true, directories: ['--workdir'] },
  runuser: {
    values: ['-u', '--user', '-g', '--group', '-G', '--supp-group', '-w', '--whitelist-environment'],
  },
  nice: { values: ['-n', '--adjustment'] },
  nohup: { values: [] },
  setsid: { values: [] },
  stdbuf: { values: ['-i', '-o', '-e', '--input', '--output', '--error'] },
  time: { values: ['-f', '--format', '-o', '--output'] },
  timeout: { values: ['-s', '--signal', '-k', '--kill-after'], operands: 1 },
  chrt: { values: ['-T', '--sched-runtime', '-P', '--sched-period', '-D', '--sched-deadline'], operands: 1 },
  ionice: { values: ['-c', '--class', '-n', '--classdata', '-p', '--pid', '-P', '--pgid', '-u', '--uid'] },
  taskset: { values: [], operands: 1 },
  chroot: { values: ['--userspec', '--groups'], operands: 1, rootOperand: true },
  flock: { values: ['-w', '--timeout', '-E', '--conflict-exit-code'], operands: 1 },
  xargs: {
    values: [
      ...['-a', '-d', '-E', '-I', '-L', '-n', '-P', '-s'],
      // BSD's: -J's string takes all it reads, -R and -S bound -I's replacements.
      ...['-J', '-R', '-S'],
      // GNU's long ones by any unique prefix (--del , is --delimiter ,); --eof, --max-lines and --replace take
      // theirs attached only.
      ...['--arg-file', '--delimiter', '--max-args', '--max-procs', '--max-chars', '--process-slot-var'],
    ],
    longName: (word) => xargsLongOption(word)?.name,
  },
  exec: { values: ['-a'] },
  // sshpass [-f FILE|-d FD|-p PASSWORD|-e] [-P PROMPT] [-v] PROGRAM ARGS: runs ssh (or any program) with a password.
  sshpass: { values: ['-f', '-d', '-p', '-P'] },
  command: { values: [] },
  builtin: { values: [] },
  'systemd-run': {
    // Read when used, not at load: programs.ts imports this module (nameWords) before deploy-sources.ts may
    // have finished loading (module-load-order.test.ts). So are the other modules' tables below.
    get values() {
      return SYSTEMD_RUN_VALUES;
    },
    directories: ['--working-directory'],
  },
  unshare: {
    values: ['-S', '--setuid', '-G', '--setgid', '-R', '--root', '-w', '--wd', '--propagation'],
    directories: ['-R', '--root', '-w', '--wd'],
  },
  nsenter: {
    values: ['-t', '--target', '-S', '--setuid', '-G', '--setgid', '-r', '--root', '-w', '--wd'],
    directories: ['-r', '--root', '-w', '--wd'],
  },
  // watch -x runs the command itself (without -x, it hands it to sh -c: code, see programs.ts).
  watch: { values: ['-n', '--interval', '-q', '--equexit'] },
  // Init processes, tracers and sandboxes that start the program given after their options.
  tini: { values: ['-p', '-e'] },
  'dumb-init': { values: ['-r', '--rewrite'] },
  strace: {
    values: [
      ...['-a', '-b', '-e', '-E', '-I', '-o', '-O', '-p', '-P', '-s', '-S', '-u', '-U', '-X'],
      ...['--output', '--trace', '--signal', '--status', '--string-limit', '--user', '--env'],
    ],
  },
  valgrind: { values: [] },
  firejail: { values: [] },
  unbuffer: { values: [] },
  // moreutils' chronic (runs the command, prints its output only if it fails: -e, -v take no value),
  // libeatmydata's eatmydata, numactl (its policy options, apart or attached), daemontools' setuidgid USER.
  chronic: { values: [] },
  eatmydata: { values: [] },
  numactl: {
    values: [
      ...['-C', '--physcpubind', '-N', '--cpunodebind', '-m', '--membind', '-p', '--preferred'],
      ...['-P', '--preferred-many', '-i', '--interleave', '-w', '--weighted-interleave', '-b', '--balancing'],
    ],
  },
  setuidgid: { values: [], operands: 1 },
  // util-linux prlimit: its resource options take their limits attached only (--nofile=1024, -n1024); -p and -o
  // a value. daemontools' envdir DIR: each file of DIR sets a variable of the program (prlimit(1), envdir(8)).
  prlimit: { values: ['-p', '--pid', '-o', '--output'] },
  envdir: { values: [], operands: 1, environmentOperand: true },
  // Package runners: the package or program they run.
  npx: { values: ['--package', '-p', '-c', '--call'] },
  bunx: { values: [] },
  // uvx (uv tool run): the package's command; --from and --with choose the packages (uv's manual).
  uvx: {
    values: [
      ...['--from', '--with', '-w', '--with-editable', '--with-requirements', '--python', '-p', '--index'],
      ...['--default-index', '--index-url', '-i', '--extra-index-url', '--find-links', '-f', '--directory'],
      ...['--project', '--config-file', '--cache-dir', '--color', '--env-file', '--constraints', '-c'],
    ],
    directories: ['--directory', '--project', '--config-file'],
  },
  // Privilege droppers that run the program after the user (gosu, su-exec, s6-setuidgid) or their options.
  gosu: { values: [], operands: 1 },
  'su-exec': { values: [], operands: 1 },
  's6-setuidgid': { values: [], operands: 1 },
  // chpst(8): every option but -v, -P, -0, -1 and -2 takes a value.
  chpst: {
    values: ['-u', '-U', '-b', '-e', '-/', '-n', '-l', '-L', '-m', '-d', '-o', '-p', '-f', '-c', '-r', '-t'],
  },
  // setpriv(1): its options with a value are written --opt=VALUE or --opt VALUE.
  setpriv: {
    values: [
      ...['--reuid', '--regid', '--ruid', '--rgid', '--euid', '--egid', '--groups', '--inh-caps'],
      ...['--ambient-caps', '--bounding-set', '--securebits', '--pdeathsig', '--selinux-label'],
      ...['--apparmor-profile', '--landlock-access', '--landlock-rule', '--seccomp-filter'],
    ],
  },
  pkexec: { values: ['--user', '-u'] },
  // busybox APPLET: the applet is the program that runs.
  busybox: { values: [] },
  // dbus-run-session(1): --dbus-daemon names a program it runs too.
  'dbus-run-session': { values: ['--config-file', '--dbus-daemon'] },
  // xvfb-run(1).
  'xvfb-run': {
    values: [
      ...['-e', '--error-file', '-f', '--auth-file', '-n', '--server-num', '-p', '--xauth-protocol'],
      ...['-s', '--server-args', '-w', '--wait'],
    ],
  },
  // bash's coproc COMMAND (coproc NAME { … } is read as a compound command, shell-script.ts).
  coproc: { values: [] },
});

/** Programs whose subcommand runs another program: the subcommand, and where the program is after it. */
const SUBCOMMANDS: Record<
  string,
  { subcommands: readonly string[]; values: readonly string[]; operands: number }
> = lookupTable({
  // docker exec [OPTIONS] CONTAINER COMMAND, docker run/create [OPTIONS] IMAGE [COMMAND] (create's command runs
  // at docker start), compose exec/run SERVICE COMMAND
  docker: {
    subcommands: ['exec', 'run', 'create'],
    get values() {
      return CONTAINER_RUN_VALUES;
    },
    operands: 1,
  },
  // kubectl exec POD [-c C] -- COMMAND, kubectl debug … -- COMMAND: after the first `--` only.
  kubectl: { subcommands: ['exec', 'debug', 'run'], values: [], operands: -1 },
  // npm exec / pnpm dlx / yarn dlx / bun x / uv run / poetry run / pipenv run / bundle exec: the next word.
  npm: {
    subcommands: ['exec', 'x', 'run', 'run-script'],
    values: ['--package', '-c', '--call', '-w', '--workspace'],
    operands: 0,
  },
  pnpm: {
    subcommands: ['exec', 'dlx', 'run'],
    values: ['--package', '-C', '--dir', '--filter', '-F'],
    operands: 0,
  },
  yarn: { subcommands: ['exec', 'dlx', 'run'], values: ['--package', '-p'], operands: 0 },
  bun: { subcommands: ['x', 'run'], values: ['--cwd'], operands: 0 },
  // uv run CMD, uv tool run PKG, uv tool uvx PKG (`tool` is a level of subcommands: see below).
  uv: {
    subcommands: ['run', 'tool'],
    values: ['--with', '--python', '-p', '--directory', '--project'],
    operands: 0,
  },
  poetry: { subcommands: ['run'], values: ['--directory', '-C'], operands: 0 },
  pipenv: { subcommands: ['run'], values: [], operands: 0 },
  bundle: { subcommands: ['exec'], values: ['--gemfile'], operands: 0 },
  composer: {
    subcommands: ['run-script', 'run', 'exec'],
    values: ['-d', '--working-dir', '--timeout'],
    operands: 0,
  },
  pdm: { subcommands: ['run'], values: ['-p', '--project'], operands: 0 },
  hatch: { subcommands: ['run'], values: [], operands: 0 },
  rye: { subcommands: ['run'], values: [], operands: 0 },
  pixi: { subcommands: ['run', 'exec'], values: ['-e', '--environment', '--manifest-path'], operands: 0 },
  pipx: { subcommands: ['run'], values: ['--spec', '--python', '--index-url'], operands: 0 },
  turbo: { subcommands: ['run'], values: ['--filter', '-F', '--cwd'], operands: 0 },
  nx: { subcommands: ['run', 'run-many'], values: [], operands: 0 },
  lerna: { subcommands: ['run', 'exec'], values: ['--scope'], operands: 0 },
  swift: { subcommands: ['run'], values: ['-c', '--configuration', '--package-path'], operands: 0 },
  cabal: { subcommands: ['run', 'exec'], values: [], operands: 0 },
  stack: { subcommands: ['run', 'exec'], values: [], operands: 0 },
  dune: { subcommands: ['exec'], values: [], operands: 0 },
  conda: { subcommands: ['run'], values: ['-n', '--name', '-p', '--prefix', '--cwd'], operands: 0 },
  mise: { subcommands: ['run', 'r'], values: ['-C', '--cd', '-E', '--env', '-j', '--jobs'], operands: 0 },
  // Secret injectors that run a command with the secrets in its environment.
  op: { subcommands: ['run'], values: ['--env-file', '--account'], operands: 0 },
  doppler: { subcommands: ['run'], values: ['-p', '--project', '-c', '--config', '--token'], operands: 0 },
  infisical: { subcommands: ['run'], values: ['--env', '--path', '--projectId', '--token'], operands: 0 },
  'aws-vault': {
    subcommands: ['exec'],
    values: ['-d', '--duration', '--region', '-t', '--mfa-token'],
    operands: 1,
  },
  direnv: { subcommands: ['exec'], values: [], operands: 1 },
  // fly machine run/create IMAGE [COMMAND…]: the machine's command (fly machine run --help); fly reads its
  // options after the image too (cobra), up to a `--`.
  fly: {
    subcommands: ['run', 'create'],
    get values() {
      return FLY_OPTION_VALUES;
    },
    operands: 1,
  },
});
for (const name of ['podman', 'nerdctl', 'docker-compose']) SUBCOMMANDS[name] = SUBCOMMANDS.docker!;
SUBCOMMANDS['oc'] = SUBCOMMANDS.kubectl!;
SUBCOMMANDS['flyctl'] = SUBCOMMANDS.fly!;

/** Options of SUBCOMMANDS' run subcommands choosing the directory or environment the program is found in. */
const SUBCOMMAND_DIRECTORIES: Record<string, readonly string[]> = lookupTable({
  // docker run/exec -w: the directory a relative program is found in, in the container.
  docker: ['-w', '--workdir'],
  // conda run: the directory, and the environment whose programs run.
  conda: ['--cwd', '-n', '--name', '-p', '--prefix'],
});
for (const name of ['podman', 'nerdctl', 'docker-compose'])
  SUBCOMMAND_DIRECTORIES[name] = SUBCOMMAND_DIRECTORIES.docker!;
for (const name of ['mamba', 'micromamba']) SUBCOMMAND_DIRECTORIES[name] = SUBCOMMAND_DIRECTORIES.conda!;
for (const name of ['mamba', 'micromamba']) SUBCOMMANDS[name] = SUBCOMMANDS.conda!;

/**
 * Plugin managers of tools: the plugin subcommand runs a plugin by name (`helm plugin {{x}}`), and installing one
 * (`helm plugin install {{x}}`) fetches code whose hooks and commands then run.
 */
const PLUGINS: Record<string, { word: readonly string[]; installs: readonly string[] }> = lookupTable({
  helm: { word: ['plugin'], installs: ['install', 'update'] },
  gh: { word: ['extension', 'extensions', 'ext'], installs: ['install', 'upgrade', 'exec'] },
  kubectl: { word: ['krew'], installs: ['install', 'upgrade'] },
  docker: { word: ['plugin'], installs: ['install', 'upgrade', 'enable'] },
  // trivy plugin install/run NAME|URL (run installs it first), and its WASM modules; with the aliases trivy
  // defines (plugin p, module m, install i, run r).
  trivy: { word: ['plugin', 'p', 'module', 'm'], installs: ['install', 'i', 'run', 'r', 'upgrade'] },
});

/**
 * Tools whose first operand is a subcommand that may be a program of its own (git-*, kubectl-* and cargo-* on
 * PATH, docker and helm plugins, gh extensions, git aliases with "!", package.json scripts): their options
 * before it that take a value.
 */
const SUBCOMMAND_TOOLS: Record<string, readonly string[]> = lookupTable({
  git: ['-C', '-c', '--git-dir', '--work-tree', '--namespace', '--super-prefix', '--config-env'],
  kubectl: [
    ...['-n', '-s', '-v', '--namespace', '--context', '--kubeconfig', '--cluster', '--user', '--server'],
    ...['--token', '--as', '--as-group', '--as-uid', '--request-timeout', '--cache-dir', '--profile'],
    ...['--certificate-authority', '--client-certificate', '--client-key', '--tls-server-name'],
    ...['--username', '--password', '--profile-output'],
  ],
  docker: [
    '-H',
    '-c',
    '-l',
    '--host',
    '--context',
    '--config',
    '--log-level',
    '--tlscacert',
    '--tlscert',
    '--tlskey',
  ],
  podman: ['-c', '--url', '--connection', '--root', '--runroot', '--log-level', '--identity'],
  helm: [
    ...['-n', '--namespace', '--kube-context', '--kubeconfig', '--registry-config', '--repository-cache'],
    ...['--repository-config', '--burst-limit', '--kube-apiserver', '--kube-as-user', '--kube-as-group'],
    ...['--kube-token', '--kube-ca-file', '--kube-tls-server-name', '--qps'],
  ],
  cargo: ['-C', '-Z', '--config', '--color'],
  gh: ['-R', '--repo'],
  go: ['-C'],
  terraform: [],
  tofu: [],
  deno: ['-c', '--config'],
  composer: ['-d', '--working-dir'],
  turbo: ['--cwd'],
  nx: [],
  npm: ['-w', '-C', '--workspace', '--prefix'],
  yarn: ['--cwd'],
  pnpm: ['-C', '-F', '--dir', '--filter'],
  bun: ['--cwd'],
  // Their `run` (uv's `tool run` too) runs the program after it, so a value choosing the subcommand
  // chooses whether the next words run.
  uv: ['--directory', '--project', '--config-file', '--cache-dir', '-p', '--python', '--color'],
  poetry: ['-C', '--directory', '-P', '--project'],
  pipenv: [],
  pdm: ['-p', '--project'],
  hatch: ['-e', '--env'],
  rye: [],
  pixi: ['--manifest-path'],
  pipx: [],
  bundle: [],
  // trivy NAME runs the plugin NAME (its image tool rules are container-mounts.ts's).
  get trivy() {
    return TRIVY_VALUES;
  },
  // buildah's global options (buildah(1)).
  buildah: [
    ...[
      '--cgroup-manager',
      '--log-level',
      '--registries-conf',
      '--registries-conf-dir',
      '--root',
      '--runroot',
    ],
    ...[
      '--short-name-alias-conf',
      '--storage-driver',
      '--storage-opt',
      '--userns-uid-map',
      '--userns-gid-map',
    ],
    ...['--userns-uid-map-user', '--userns-gid-map-group', '--default-mounts-file', '--cpu-profile'],
    '--memory-profile',
  ],
});
SUBCOMMAND_TOOLS['oc'] = SUBCOMMAND_TOOLS.kubectl!;

/**
 * The groups of SUBCOMMAND_TOOLS whose next word is a subcommand again (docker image rm as well as ls, docker
 * buildx's commands, podman system connection's): a template there chooses what the tool does as the first
 * subcommand would. Each group's options before that word that take a value, and its own groups.
 */
interface CommandGroup {
  values: readonly string[];
  groups?: Readonly<Record<string, CommandGroup>>;
}
const LEAF_GROUP: CommandGroup = { values: [] };
const groupsOf = (names: readonly string[]): Record<string, CommandGroup> =>
  Object.fromEntries(names.map((name) => [name, LEAF_GROUP]));
/** docker compose's options before its subcommand that take a value. */
const COMPOSE_GROUP: CommandGroup = {
  values: [
    ...['-f', '--file', '-p', '--project-name', '--project-directory', '--profile', '--env-file', '--ansi'],
    ...['--parallel', '--progress'],
  ],
};
const COMMAND_GROUPS: Record<string, Readonly<Record<string, CommandGroup>>> = lookupTable({
  // docker's management commands (docker --help), buildx's and trust's groups; plugin is PLUGINS'.
  docker: {
    ...groupsOf(['builder', 'checkpoint', 'config', 'container', 'context', 'image', 'manifest', 'network']),
    ...groupsOf(['node', 'secret', 'service', 'stack', 'swarm', 'system', 'volume', 'scout', 'model']),
    buildx: { values: ['--builder'], groups: groupsOf(['imagetools', 'history']) },
    trust: { values: [], groups: groupsOf(['key', 'signer']) },
    compose: COMPOSE_GROUP,
  },
  // podman's (podman --help), and their own groups.
  podman: {
    ...groupsOf(['container', 'image', 'pod', 'volume', 'network', 'manifest', 'secret', 'generate', 'play']),
    ...groupsOf(['kube', 'healthcheck', 'farm', 'artifact', 'quadlet', 'compose']),
    system: { values: [], groups: groupsOf(['connection']) },
    machine: { values: [], groups: groupsOf(['os']) },
  },
  // nerdctl's (nerdctl --help).
  nerdctl: {
    ...groupsOf(['container', 'image', 'network', 'volume', 'system', 'namespace', 'builder', 'apparmor']),
    ...groupsOf(['ipfs', 'manifest']),
    compose: COMPOSE_GROUP,
  },
  // buildah manifest and source (buildah(1)).
  buildah: groupsOf(['manifest', 'source']),
});

/**
 * Options of SUBCOMMAND_TOOLS choosing the repository, directory or config the tool reads what it runs from:
 * git's repository (its config's core.fsmonitor, core.sshCommand, aliases and its hooks run), the kubeconfig
 * (its users' exec plugins run), docker's config (its credsStore names a program), cargo's config
 * (build.rustc-wrapper; also inline KEY=VALUE).
 */
const TOOL_DIRECTORIES: Record<string, readonly string[]> = lookupTable({
  git: ['-C', '--git-dir', '--work-tree', '--exec-path'],
  kubectl: ['--kubeconfig'],
  oc: ['--kubeconfig'],
  helm: ['--kubeconfig', '--registry-config', '--repository-config'],
  docker: ['--config'],
  nerdctl: ['--config'],
  cargo: ['--config'],
});
SUBCOMMAND_TOOLS['nerdctl'] = SUBCOMMAND_TOOLS.docker!;

/**
 * Tools that read a kubeconfig named by --kubeconfig, whatever their subcommand (client-go runs its users' exec
 * plugins), and helm's configs naming programs (a registry config's credsStore): a value there is refused
 * wherever the option is among their words, before `--`.
 */
const KUBECONFIG_OPTIONS: Record<string, readonly string[]> = lookupTable({
  helm: ['--kubeconfig', '--registry-config', '--repository-config'],
});
const KUBECONFIG_TOOLS = new Set([
  ...['kubectl', 'oc', 'helm', 'helmfile', 'skaffold', 'flux', 'argocd', 'stern', 'k9s', 'kubeseal'],
  ...['velero', 'istioctl', 'linkerd', 'kapp', 'clusterctl', 'vcluster', 'telepresence', 'eksctl'],
  ...['kubectl-argo-rollouts', 'popeye', 'kubent', 'trivy'],
]);

/**
 * Other programs that run a script or a program file they are given (programs.ts knows the shells and the
 * interpreters with an eval option): the options before it that take a value, and the subcommand it follows.
 */
const SCRIPT_RUNNERS: Record<string, { values: readonly string[]; after?: string }> = lookupTable({
  tsx: { values: ['--tsconfig', '--import', '--require'] },
  'ts-node': { values: ['-r', '--require', '-P', '--project', '-C', '--compiler'] },
  Rscript: { values: [] },
  deno: { values: ['--config', '-c', '--import-map', '--location', '--cert'], after: 'run' },
  java: { values: ['-cp', '-classpath', '--class-path', '-p', '--module-path', '--add-modules'] },
  dotnet: { values: [] },
});

/** gdb options that take the next word. */
const GDB_OPTIONS = ['-ex', '-iex', '-x', '-ix', '-p', '-c', '-cd', '-d', '-s', '-e', '-se', '-tty', '-D'];

/**
 * docker/podman run, exec and compose run/exec options that take no value (with the short ones of SUBCOMMANDS'
 * values, what an option word may be there): another option word could take a value, and then the image and
 * the program are one word further than read.
 */
const CONTAINER_FLAGS = new Set([
  ...['-d', '-i', '-t', '-P', '-q', '-T', '--detach', '--interactive', '--tty', '--rm', '--init'],
  ...[
    '--privileged',
    '--read-only',
    '--publish-all',
    '--no-healthcheck',
    '--oom-kill-disable',
    '--sig-proxy',
  ],
  ...['--disable-content-trust', '--quiet', '--help', '--no-deps', '--service-ports', '--use-aliases'],
  ...['--build', '--remove-orphans', '--no-TTY', '--replace', '--rootfs', '--read-only-tmpfs', '--no-hosts'],
  ...['--env-host', '--http-proxy', '--tls-verify', '--dry-run', '--compatibility', '--latest', '-l'],
  // docker service create.
  ...['--no-resolve-image', '--with-registry-auth'],
]);

/** The first option word from `from` on that is neither known to take a value nor known to take none. */
function unknownContainerOption(
  words: readonly string[],
  from: number,
  values: readonly string[],
  flags: ReadonlySet<string> = CONTAINER_FLAGS,
) {
  for (let j = from; j < words.length; j++) {
    const word = words[j]!;
    if (word === '--' || !word.startsWith('-') || word === '-') return undefined;
    if (word.startsWith('--')) {
      if (word.includes('=') || flags.has(word)) continue;
      if (!values.includes(word)) return j;
      j++;
      continue;
    }
    for (let k = 1; k < word.length; k++) {
      const flag = `-${word[k]}`;
      if (values.includes(flag)) {
        if (k + 1 === word.length) j++;
        break;
      }
      if (!flags.has(flag)) return j;
    }
  }
  return undefined;
}

/**
 * fly machine run/create's options that take no value (fly machine run --help, with fly's global ones): each
 * other option but those taking a value (FLY_OPTION_VALUES) is not known here.
 */
const FLY_FLAGS = new Set([
  ...['--autostart', '--autostop', '--build-depot', '--build-nixpacks', '--buildkit', '--detach', '-h'],
  ...['--help', '--rm', '--shell', '--skip-dns-registration', '--skip-health-checks', '--skip-start'],
  ...['--use-zstd', '--wg', '-y', '--yes', '--auto-confirm', '--debug', '--verbose', '--build-only'],
  ...['--build-remote-only', '--build-local-only', '--no-build-cache', '-j', '--json'],
]);

/** How a directory option's value is described in messages (ChosenKind 'directory'). */
const DIRECTORY_HOW = 'which chooses the directory, root or config what runs is read from';

/** docker/podman options that name the program run in the container. */
const ENTRYPOINT = new Set(['--entrypoint', '--dbus-daemon']);
/** Options of a package runner that name the package to run. */
const PACKAGE_OPTIONS = new Set(['--package', '-p', '--with', '-w', '--from', '--spec', '--with-editable']);

/**
 * After a wrapper's options (and its operands), the word of the program it runs, if any. An option from
 * `values` takes the next word unless its value is attached (-uapp, --user=app, -Eu app: the last letter's).
 */
function afterOptions(
  words: readonly string[],
  from: number,
  syntax: {
    values: readonly string[];
    operands?: number;
    assignments?: boolean;
    directories?: readonly string[];
    rootOperand?: boolean;
    environmentOperand?: boolean;
    /** Options end at the first operand (docker run IMAGE: the words after it are the container's command). */
    operandEndsOptions?: boolean;
    longName?: (word: string) => string | undefined;
  },
  chosen: (index: number, how: string) => void,
  program: string,
  directory?: (index: number, how: string) => void,
): number | undefined {
  let operands = syntax.operands ?? 0;
  let options = true;
  const inDirectory = (option: string) => `the value of ${program} ${option}, ${DIRECTORY_HOW}`;
  const isDirectory = (option: string) => directory !== undefined && syntax.directories?.includes(option);
  for (let j = from; j < words.length; j++) {
    const word = words[j]!;
    if (options && word === '--') {
      options = false;
      continue;
    }
    if (options && word.startsWith('-') && word.length > 1) {
      const long = word.startsWith('--');
      const name = long ? word.split('=')[0]! : word.slice(0, 2);
      if (long && word.includes('=')) {
        if (isDirectory(name)) directory!(j, inDirectory(name));
        else if (ENTRYPOINT.has(name) || PACKAGE_OPTIONS.has(name))
          chosen(j, `the program ${program} ${name} runs`);
        continue;
      }
      if (long) {
        if (syntax.values.includes(word) || syntax.values.includes(syntax.longName?.(word) ?? word)) {
          if (isDirectory(word)) directory!(j + 1, inDirectory(word));
          else if (ENTRYPOINT.has(word) || PACKAGE_OPTIONS.has(word))
            chosen(j + 1, `the program ${program} ${word} runs`);
          j++;
        }
        continue;
      }
      // Short options, perhaps together: the first one that takes a value takes the rest or the next word.
      for (let k = 1; k < word.length; k++) {
        const flag = `-${word[k]}`;
        if (!syntax.values.includes(flag)) continue;
        if (k + 1 === word.length) {
          if (isDirectory(flag)) directory!(j + 1, inDirectory(flag));
          else if (PACKAGE_OPTIONS.has(flag)) chosen(j + 1, `the program ${program} ${flag} runs`);
          j++;
        } else if (isDirectory(flag)) directory!(j, inDirectory(flag)); // -C{{dir}}: attached
        break;
      }
      continue;
    }
    if (syntax.assignments && /^[A-Za-z_]\w*=/.test(word)) continue;
    if (operands > 0) {
      if (syntax.rootOperand && directory) directory(j, `the root directory ${program} runs the program in`);
      if (syntax.environmentOperand && directory)
        directory(
          j,
          `the directory ${program} reads the program's variables from (a file of it named LD_PRELOAD, PATH or NODE_OPTIONS sets that variable, and the program then loads or runs other code)`,
        );
      if (syntax.operandEndsOptions) options = false;
      operands--;
      continue;
    }
    return j;
  }
  return undefined;
}

/** The kind of a refused word of a container runner (container-mounts.ts). */
const MOUNT_KINDS = {
  mount: 'mount',
  rights: 'container-rights',
  engine: 'container-engine',
  build: 'build-host',
  program: 'program',
  write: 'container-write',
  image: 'container-image',
  unknown: 'unknown-option',
  directory: 'directory',
  scanner: 'scanner-option',
  selector: 'container-selector',
  subcommand: 'subcommand',
  trust: 'tool-trust',
  pairs: 'cloud-pairs',
  entrypoint: 'cloud-program',
  cloud: 'cloud-identity',
  login: 'login-server',
  deletes: 'tool-deletes',
  source: 'deploy-source',
  code: 'tool-code',
  credential: 'credential',
  grant: 'rights-grant',
} as const;

/** The words of a command (templates unrendered; `words[0]` the program) that choose what runs. */
export function chosenWords(words: readonly string[]): ChosenWord[] {
  return [...walk(words).values()].sort((a, b) => a.index - b.index);
}

/**
 * The words of a command that a program it surely runs reads as a name of its own: its subcommand (gh run
 * watch, kubectl rollout status, git remote add, a plugin's name: cargo watch), a make, just, rake or task
 * target, a package.json or composer.json script (npm run watch, yarn watch), a mise, turbo or nx task. Such a
 * word is not a program, whatever it is called: programs.ts judges the rules of a program named there (watch
 * hands its words to sh -c, trap's are code) only at other words. The programs are those the command surely
 * runs (its first word, what a known wrapper runs): after a program not known here (my-wrapper watch {{x}}),
 * every word may still be one. Pure.
 */
export function nameWords(words: readonly string[]): ReadonlyMap<number, NameKind> {
  const names = new Map<number, NameKind>();
  walk(words, names);
  return names;
}

// POSIX's regular built-ins are also files on some systems, each `builtin NAME "$@"` run by /bin/sh, which is
// bash there (macOS's /usr/bin/command, /usr/bin/read, …; Fedora's and RHEL's the same): a command naming one
// runs that line, and bash does what it does in a script: `command let n=VALUE` evaluates VALUE as arithmetic,
// running any $(…) in an array subscript; `read NAME` assigns the variable NAME chooses.
const BUILTIN_FILES = new Set([
  'alias',
  'bg',
  'cd',
  'command',
  'fc',
  'fg',
  'getopts',
  'hash',
  'jobs',
  'read',
  'type',
  'ulimit',
  'umask',
  'unalias',
  'wait',
]);

/**
 * The word of a command that is the program, or the program a wrapper of it runs (sudo command …), when that
 * is such a built-in's file, or undefined. Its words from there are checked as the same `shell: true` line. Pure.
 */
export function builtinFileAt(words: readonly string[]): number | undefined {
  // Most commands name none: no walk of their words then.
  if (!words.some((word) => BUILTIN_FILES.has(programName(word)))) return undefined;
  return chosenWords(words).find(
    (word) => word.kind === 'program' && BUILTIN_FILES.has(programName(words[word.index]!)),
  )?.index;
}

/**
 * The first word of a command that is the program xargs, or -1: not a word a program reads as a name of its own
 * (composer run xargs, make xargs: a script's or target's name, nameWords), which runs no xargs. Pure.
 */
export function xargsWord(words: readonly string[]): number {
  let names: ReadonlyMap<number, NameKind> | undefined;
  return words.findIndex(
    (word, i) => programName(word) === 'xargs' && !(i > 0 && (names ??= nameWords(words)).has(i)),
  );
}

/**
 * What a word read as a name is (nameWords): a tool's subcommand, or a target, task or script of the project
 * (make's, npm run's), which names no program at all.
 */
export type NameKind = 'subcommand' | 'target';

/**
 * bare `pnpm NAME` runs a program on PATH when the project has no script NAME (pnpm exec), `bun NAME` and
 * `deno NAME` a file or a program: their subcommand's word may be a program.
 */
const PROGRAM_FALLBACKS = new Set(['pnpm', 'bun', 'deno']);

/**
 * SUBCOMMANDS' subcommands whose operand names a script or task of the project (package.json's, composer.json's,
 * mise's, turbo's, nx's, lerna's: npm run watch runs the script "watch"), not a program on PATH: a template
 * there still chooses what runs, but the word is no program with rules of its own. yarn run falls back to a
 * binary of the project's dependencies, never a program found on PATH. (bun run, pnpm's bare NAME, poetry, uv
 * and pdm run may run a program: theirs stay programs.)
 */
const SCRIPT_SUBCOMMANDS: Readonly<Record<string, readonly string[]>> = lookupTable({
  npm: ['run', 'run-script'],
  pnpm: ['run'],
  yarn: ['run'],
  composer: ['run-script', 'run'],
  mise: ['run', 'r'],
  turbo: ['run'],
  nx: ['run'],
  lerna: ['run'],
});

/**
 * Groups of SUBCOMMAND_TOOLS' subcommands whose next word is a subcommand of theirs, read as a name (nameWords):
 * gh run watch, kubectl rollout status, git remote add, helm repo add. (docker's, podman's, nerdctl's and
 * buildah's are COMMAND_GROUPS'.) gh codespace's too (view, logs: no vi, no tail), its ssh and cp keeping the rules
 * of ssh and scp (programs.ts' NAMESAKES, codespaceSshWords); not the plugin groups (PLUGINS'), whose next word
 * names code to run.
 */
const NAME_GROUPS: Record<string, ReadonlySet<string>> = lookupTable({
  gh: new Set([
    ...['auth', 'gist', 'issue', 'org', 'pr', 'project', 'release', 'repo', 'cache', 'run', 'workflow'],
    ...['alias', 'attestation', 'config', 'gpg-key', 'label', 'ruleset', 'search', 'secret', 'ssh-key'],
    ...['variable', 'codespace', 'cs'],
  ]),
  kubectl: new Set(['rollout', 'config', 'set', 'create', 'auth', 'certificate', 'top', 'apply', 'alpha']),
  git: new Set([
    ...['remote', 'stash', 'submodule', 'worktree', 'notes', 'bisect', 'sparse-checkout', 'lfs'],
    ...['maintenance', 'bundle', 'reflog', 'config'],
  ]),
  helm: new Set(['repo', 'dependency', 'dep', 'registry', 'get', 'show', 'inspect', 'search']),
});
NAME_GROUPS['oc'] = NAME_GROUPS.kubectl!;

/**
 * The chosen words of a command, by index; with `names`, also the words its programs read as names (nameWords),
 * without ssh's remote command (programs.ts reads that as a command of its own).
 */
function walk(words: readonly string[], names?: Map<number, NameKind>): Map<number, ChosenWord> {
  const found = new Map<number, ChosenWord>();
  const add = (
    index: number,
    kind: ChosenKind,
    how: string,
    names?: string[],
    program = index,
    safe?: string,
  ) => {
    if (index >= words.length) return;
    const known = found.get(index);
    if (!known)
      found.set(index, { index, program, kind, how, ...(names && { names }), ...(safe && { safe }) });
    else if (known.names && names) known.names.push(...names);
    else delete known.names; // the whole word
  };
  const templatesIn = (text: string) => [...text.matchAll(PLACEHOLDER)].map((m) => m[1]!);
  const visited = new Set<number>();
  const visit = (at: number, how: string) => {
    if (at >= words.length || visited.has(at)) return;
    visited.add(at);
    add(at, 'program', how);
    const name = programName(words[at]!);
    const chosen = (index: number, what: string) => add(index, 'program', what);
    const directory = (index: number, what: string) => add(index, 'directory', what, undefined, at);
    // The script or module a shell or an interpreter loads; the file source and . read.
    if (name === 'source' || name === '.') {
      const file = words[at + 1] === '--' ? at + 2 : at + 1;
      add(file, 'script', `the file ${name} reads and runs`, undefined, at);
      return;
    }
    const parser = parserFor(name);
    if (parser) {
      const model = emptyModel();
      parser(words, at, model);
      for (const index of model.scriptFiles)
        add(index, 'script', `the file ${name} loads and runs as code`, undefined, at);
    }
    // A task runner's target, or the package, binary or environment it builds and runs.
    for (const task of [
      ...taskWords(words, at, name),
      ...projectWords(words, at, name),
      ...deployToolWords(words, at, name),
    ]) {
      add(task.index, task.kind, task.how, undefined, at, task.safe);
      if (task.kind === 'target') names?.set(task.index, 'target');
    }
    for (const install of installWords(words, at, name))
      if (!install.pinned) add(install.index, 'package', install.how, undefined, at);
    for (const mount of [
      ...containerMounts(words, at, name).refused,
      ...clusterOptions(words, at, name),
      ...credentialOptions(words, at, name),
    ])
      add(mount.index, MOUNT_KINDS[mount.kind ?? 'mount'], mount.how, mount.names, at, mount.safe);
    // A kubeconfig (or helm's registry and repository configs) given anywhere among the options of a tool that
    // reads it (pflag reads global options after the subcommand too: helm upgrade … --kubeconfig FILE).
    const configs = KUBECONFIG_OPTIONS[name] ?? (KUBECONFIG_TOOLS.has(name) ? ['--kubeconfig'] : []);
    for (let j = at + 1; j < words.length && words[j] !== '--'; j++) {
      const option = words[j]!.split('=')[0]!;
      if (!configs.includes(option)) continue;
      const value = words[j]!.includes('=') ? j : j + 1;
      add(value, 'directory', `the value of ${name} ${option}, ${DIRECTORY_HOW}`, undefined, at);
    }
    // scp -S and sftp -S: the program run for the connection (ssh); sftp -D: the sftp server it runs instead.
    // Read as getopt does: -qS PROG, -SPROG, -vD PROG (shortOptions).
    if (name === 'scp' || name === 'sftp') {
      for (const { letter, index } of shortOptions(words, at + 1, words.length, SSH_SHORT[name]!).values)
        if (letter === 'S' || (name === 'sftp' && letter === 'D'))
          add(index, 'program', `the program ${name} -${letter} runs`, undefined, at);
      return;
    }
    // mise exec/x [TOOL@VERSION…] -- COMMAND (mise x too): the program after its `--`, its tools before; nix
    // develop and nix shell [INSTALLABLE…] -c/--command PROGRAM ARGS…: the program after it (nix3-develop(1)).
    if (name === 'mise') {
      let k = at + 1;
      while (k < words.length && words[k]!.startsWith('-'))
        k += /^(-[CEj]|--cd|--env|--jobs)$/.test(words[k]!) ? 2 : 1;
      if (words[k] === 'exec' || words[k] === 'x') {
        const dashes = words.indexOf('--', k + 1);
        // Its tools (TOOL@VERSION): what it installs and puts first on PATH (a plugin's code runs; a version may
        // be ref:… built from source, or path:… any directory).
        for (let j = k + 1; j < (dashes > 0 ? dashes : words.length); j++)
          if (/^(-[Ccj]|--cd|--command|--jobs)$/.test(words[j]!)) j++;
          else if (!words[j]!.startsWith('-'))
            add(j, 'package', `the tool mise ${words[k]} installs and runs (TOOL@VERSION)`, undefined, at);
        if (dashes > 0) visit(dashes + 1, `the program mise ${words[k]} runs`);
        return;
      }
    }
    if (name === 'nix') {
      const verb = words.slice(at + 1).find((w) => !w.startsWith('-'));
      const from = words.indexOf(verb ?? '', at + 1);
      // nix run/shell/develop/build/profile install INSTALLABLE…: the flake or package it builds and runs (or
      // puts on PATH); its options choosing what it evaluates (--expr, -f/--file, -I, --override-input,
      // --option, --arg: nix code, a search path, a flake input, a setting such as substituters).
      const command = words.findIndex((w, k) => k > from && (w === '-c' || w === '--command'));
      if (verb !== undefined && /^(run|shell|develop|build|profile|bundle)$/.test(verb)) {
        const end = verb === 'run' ? words.indexOf('--', from) : command;
        for (let j = from + 1; j < (end > 0 ? end : words.length); j++) {
          const word = words[j]!;
          if (/^(--expr|-f|--file|-I|--include|--override-input|--option|--arg|--inputs-from)$/.test(word)) {
            const count = /^(--override-input|--option|--arg)$/.test(word) ? 2 : 1;
            for (let v = 1; v <= count && j + v < words.length; v++)
              add(
                j + v,
                'package',
                `the value of nix ${verb} ${word}, which chooses what it builds and runs`,
                undefined,
                at,
              );
            j += count;
          } else if (/^(--argstr)$/.test(word)) j += 2;
          else if (word.startsWith('-')) continue;
          else if (verb === 'profile' && word === words[from + 1] && word === 'install') continue;
          else
            add(
              j,
              verb === 'run' ? 'program' : 'package',
              verb === 'run'
                ? `the app nix run runs (INSTALLABLE: a flake's app or package)`
                : `the installable nix ${verb} builds (a flake or package: its build runs, its programs on PATH)`,
              undefined,
              at,
            );
        }
      }
      if (verb === 'develop' || verb === 'shell') {
        if (command > 0) visit(command + 1, `the program nix ${verb} ${words[command]} runs`);
        return;
      }
    }
    if (name === 'find') {
      for (let j = at + 1; j < words.length; j++)
        if (/^-(exec|execdir|ok|okdir)$/.test(words[j]!)) visit(j + 1, `the program find ${words[j]} runs`);
      return;
    }
    if (name === 'ssh') {
      if (names) return;
      // Read in the whole command: gh codespace ssh's words are gh's (codespaceSshWords).
      const from = sshCommandStart(words, at);
      if (from >= words.length) return;
      const line = words.slice(from).join(' ');
      const commands = remoteCommands(words, from, words.length);
      // The remote line's cd or pushd to a value (cd /srv/{{x}} && ./deploy.sh), as in a script.
      let remoteDirectory: { token: RemoteWord; program: string } | undefined;
      commands.forEach((command, position) => {
        const texts = command.words.map((word) => word.text);
        // A template counts at the word of ssh's it is in (a remote variable's, where it was set).
        const remoteAdd = (token: RemoteWord, kind: ChosenKind, how: string) => {
          const via = token.via?.length
            ? ` (through the remote variable ${token.via.map((v) => `$${v}`).join(', ')}, set from it)`
            : '';
          for (const [k, text] of token.parts) {
            const names = templatesIn(text);
            if (names.length) add(k, kind, how + via, names, at);
          }
        };
        for (const assignment of command.assignments) {
          const variable = codeVariableIn(assignment.text);
          if (variable !== undefined)
            remoteAdd(
              assignment,
              'remote-code',
              `the variable ${variable} set on the remote host, which programs read to load code or choose programs`,
            );
        }
        for (const token of [...command.words, ...command.assignments])
          if (token.expansion)
            remoteAdd(
              token,
              'remote-code',
              'a ${…} of the remote line, which reads the variable the value names',
            );
        const reads = remoteDirectory && readsWorkingDirectory(texts);
        if (remoteDirectory && reads) {
          remoteAdd(
            remoteDirectory.token,
            'remote-program',
            `the directory ${remoteDirectory.program} changes to on the remote host, where a later command ${reads}`,
          );
          remoteDirectory = undefined;
        }
        // cd, pushd (also builtin cd, command cd).
        const cdAt = texts[0] === 'builtin' || texts[0] === 'command' ? 1 : 0;
        if (texts[cdAt] === 'cd' || texts[cdAt] === 'pushd') {
          let k = cdAt + 1;
          while (k < texts.length && /^-[LPe@n]+$/.test(texts[k]!)) k++;
          if (texts[k] === '--') k++;
          const token = command.words[k];
          if (token && token.parts.some(([, text]) => templatesIn(text).length > 0))
            remoteDirectory = { token, program: texts[cdAt]! };
        }
        for (const inner of chosenWords(texts))
          remoteAdd(
            command.words[inner.index]!,
            inner.kind === 'program' ||
              inner.kind === 'script' ||
              inner.kind === 'project' ||
              inner.kind === 'deployed' ||
              inner.kind === 'configuration' ||
              inner.kind === 'playbook' ||
              inner.kind === 'build' ||
              inner.kind === 'directory'
              ? 'remote-program'
              : inner.kind,
            `${inner.how}, on the remote host`,
          );
        const model = commandModel(texts);
        for (const operand of model.code)
          if (operand.index < command.words.length)
            remoteAdd(
              command.words[operand.index]!,
              'remote-code',
              `the code "${operand.how}" runs on the remote host`,
            );
        // A remote shell or interpreter reading code on its standard input, from a pipe or a here-document
        // of the remote line: every other word of the line may be that code.
        if (model.stdinCode === undefined) return;
        const reader = texts[model.stdinCode]!;
        // Its own here-strings and < <(…) (sh <<< {{x}}, bash < <(echo {{x}})).
        for (const token of command.stdin)
          remoteAdd(token, 'remote-code', `what the remote line feeds to ${reader}, which runs it as code`);
        if (!(command.piped || line.includes('<<'))) return;
        commands.forEach((other, index) => {
          if (index !== position)
            for (const token of other.words)
              remoteAdd(
                token,
                'remote-code',
                `what the remote line feeds to ${reader}, which runs it as code`,
              );
        });
      });
      return;
    }
    if (POSIX_SHELLS.has(name) || OTHER_SHELLS.has(name)) return;
    if (name === 'gdb') {
      // gdb --args PROGRAM ARGS: gdb loads PROGRAM (and runs it on `run`); without --args, its operand too.
      const args = words.indexOf('--args', at + 1);
      const next = afterOptions(words, args > 0 ? args + 1 : at + 1, { values: GDB_OPTIONS }, chosen, name);
      if (next !== undefined) visit(next, `the program ${name} runs`);
      return;
    }
    const runner = SCRIPT_RUNNERS[name];
    // deno run FILE; without run, deno's subcommand (below).
    const runnerFrom = runner?.after ? words.indexOf(runner.after, at + 1) + 1 : at + 1;
    if (runner && runnerFrom > 0) {
      const from = runnerFrom;
      // java -jar FILE; otherwise the first operand (java's is a class name, chosen as well).
      const jar = name === 'java' ? words.indexOf('-jar', at + 1) : -1;
      const file = jar > 0 ? jar + 1 : afterOptions(words, from, runner, chosen, name);
      if (file !== undefined) add(file, 'script', `the file ${name} loads and runs as code`, undefined, at);
      return;
    }
    const tool = SUBCOMMAND_TOOLS[name];
    if (tool) {
      // cargo +TOOLCHAIN (rustup's proxy, its first word only): the toolchain whose cargo and rustc run.
      const toolchain = name === 'cargo' && /^\+/.test(words[at + 1] ?? '');
      if (toolchain)
        chosen(at + 1, 'the toolchain cargo +TOOLCHAIN runs (its cargo and rustc, rustup installs it)');
      const subcommand = afterOptions(
        words,
        toolchain ? at + 2 : at + 1,
        { values: tool, directories: TOOL_DIRECTORIES[name] },
        chosen,
        name,
        directory,
      );
      if (subcommand !== undefined) {
        add(subcommand, 'subcommand', `the subcommand ${name} runs`, undefined, at);
        // gh codespace ssh runs ssh, and a command on the codespace as ssh does (programs.ts' codespaceSshWords).
        if (name === 'gh' && isCodespaceSsh(words, subcommand + 1))
          visit(subcommand + 1, `the program ${name} ${words[subcommand]} runs`);
        if (!PROGRAM_FALLBACKS.has(name)) names?.set(subcommand, 'subcommand');
        // gh run watch, kubectl rollout status: the group's subcommand.
        const named =
          NAME_GROUPS[name]?.has(words[subcommand]!) &&
          afterOptions(words, subcommand + 1, { values: tool }, () => {}, name);
        if (typeof named === 'number') names?.set(named, 'subcommand');
      }
      // docker image {{x}}, docker buildx --builder b {{x}}: a group's subcommand.
      let group = subcommand === undefined ? undefined : COMMAND_GROUPS[name]?.[words[subcommand]!];
      const path = subcommand === undefined ? [] : [words[subcommand]!];
      for (let k = subcommand ?? 0; group;) {
        const next = afterOptions(words, k + 1, { values: group.values }, () => {}, name);
        if (next === undefined) break;
        add(next, 'subcommand', `the subcommand ${[name, ...path].join(' ')} runs`, undefined, at);
        names?.set(next, 'subcommand');
        path.push(words[next]!);
        group = group.groups?.[words[next]!];
        k = next;
      }
      const plugins = PLUGINS[name];
      if (subcommand !== undefined && plugins?.word.includes(words[subcommand]!)) {
        const rest = words.slice(subcommand + 1);
        const verb = rest.findIndex((w) => !w.startsWith('-'));
        if (verb >= 0) {
          const at2 = subcommand + 1 + verb;
          add(at2, 'subcommand', `the subcommand ${name} ${words[subcommand]} runs`, undefined, at);
          if (plugins.installs.includes(words[at2]!)) {
            const target = words.slice(at2 + 1).findIndex((w) => !w.startsWith('-'));
            if (target >= 0)
              add(
                at2 + 1 + target,
                'script',
                `the plugin ${name} ${words[subcommand]} ${words[at2]} fetches, whose code then runs`,
                undefined,
                at,
              );
          }
        }
      }
    }
    const wrapper = WRAPPERS[name];
    if (wrapper) {
      if (name === 'watch' && !words.slice(at + 1).some((w) => /^-[a-z]*x|^--exec$/.test(w))) return;
      if (name === 'runuser' && !words.slice(at + 1).some((w) => w === '-u' || w.startsWith('--user')))
        return;
      // command -v / -V only says what a name would run (a lookup); it runs nothing.
      if (name === 'command' && words.slice(at + 1).some((w) => /^-[pvV]*[vV]/.test(w))) return;
      const next = afterOptions(words, at + 1, wrapper, chosen, name, directory);
      if (next !== undefined) visit(next, `the program ${name} runs`);
      return;
    }
    const sub = SUBCOMMANDS[name];
    if (!sub) return;
    let j = at + 1;
    // docker compose exec / docker container run: the subcommand may come after a group word.
    // docker service create [OPTIONS] IMAGE [COMMAND]: the command its tasks run.
    const containers = sub === SUBCOMMANDS.docker;
    const groups = containers
      ? /^(compose|container|service|-)/
      : sub === SUBCOMMANDS.fly
        ? /^(machines?$|m$|-)/
        : /^(compose|container|-)/;
    while (j < words.length && !sub.subcommands.includes(words[j]!)) {
      if (!groups.test(words[j]!) && !/^-/.test(words[j - 1] ?? '')) return;
      j++;
    }
    // fly's run and create are machine's (fly machine run, fly m create).
    if (sub === SUBCOMMANDS.fly && !words.slice(at + 1, j).some((w) => /^(machines?|m)$/.test(w))) return;
    const service = containers && words.slice(at + 1, j).includes('service');
    if (service && words[j] !== 'create') return;
    if (j >= words.length) return;
    // uv tool SUB: a value there chooses the subcommand; only run and uvx (its alias) run a package's command.
    if (name === 'uv' && words[j] === 'tool') {
      let k = j + 1;
      while (k < words.length && words[k]!.startsWith('-')) k++;
      if (k >= words.length) return;
      if (words[k]!.search(PLACEHOLDER) >= 0) {
        add(k, 'subcommand', 'the subcommand uv tool runs', undefined, at);
        return;
      }
      if (words[k] !== 'run' && words[k] !== 'uvx') return;
      j = k;
    }
    const group = sub === SUBCOMMANDS.fly && words.slice(at + 1, j).find((w) => /^(machines?|m)$/.test(w));
    const subcommand = service ? `service ${words[j]}` : group ? `${group} ${words[j]}` : words[j];
    const runs = `the program ${name} ${subcommand} runs`;
    if (sub.operands < 0) {
      const dashes = words.indexOf('--', j + 1);
      if (dashes > 0) visit(dashes + 1, runs);
      return;
    }
    // docker compose run/exec SERVICE, docker run IMAGE, docker exec CONTAINER; the runners have none.
    const values = service ? [...sub.values, ...SERVICE_VALUES] : sub.values;
    const next = afterOptions(
      words,
      j + 1,
      // docker run/create/exec, service create and compose run/exec stop reading their options at the image,
      // service or container: the first word after it is the program, the rest its arguments (--version {{v}}).
      {
        values,
        operands: sub.operands,
        directories: SUBCOMMAND_DIRECTORIES[name],
        operandEndsOptions: containers,
      },
      chosen,
      name,
      directory,
    );
    // An option not known here may take a value, and move the image and the program one word on: a template
    // from there to where the program would then be is refused, naming the option.
    const unknown =
      sub.operands > 0
        ? unknownContainerOption(words, j + 1, values, sub === SUBCOMMANDS.fly ? FLY_FLAGS : undefined)
        : undefined;
    if (unknown !== undefined)
      for (let k = unknown + 1; k <= (next ?? words.length - 1) + 1 && k < words.length; k++)
        if (words[k]!.search(PLACEHOLDER) >= 0)
          add(k, 'after-unknown-option', `${name} ${subcommand}'s option ${words[unknown]}`, undefined, at);
    // docker run --entrypoint PROGRAM IMAGE ARGS: ARGS are the entrypoint's (bash FILE, sudo CMD), not another
    // program, and not docker's options (-c is --cpu-shares before the image only).
    const entry = containers ? containerMounts(words, at, name).entrypoint : undefined;
    if (entry) {
      const outer = (k: number) => (k === 0 ? entry.index : entry.from + k - 1);
      for (const inner of chosenWords([entry.value, ...words.slice(entry.from)]))
        if (inner.index > 0)
          add(outer(inner.index), inner.kind, inner.how, inner.names, outer(inner.program), inner.safe);
      return;
    }
    // npm run watch: a script of the project, chosen by its name, not the program watch.
    if (next !== undefined && SCRIPT_SUBCOMMANDS[name]?.includes(words[j]!)) {
      add(next, 'program', runs);
      names?.set(next, 'target');
      return;
    }
    if (next !== undefined) visit(next, runs);
  };
  visit(0, 'the program');
  return found;
}

/**
 * Programs that read what they run from the directory they run in, whatever their words: a Makefile, package.json,
 * pyproject.toml, Cargo.toml, go.mod, Gemfile, compose file or *.tf there, a repository's config and hooks.
 */
const WORKING_DIRECTORY_TOOLS = new Set([
  ...['make', 'gmake', 'just', 'rake', 'task', 'gradle', 'gradlew', 'mvn', 'mvnw', 'ant', 'gulp', 'grunt'],
  'mage',
  ...[
    'invoke',
    'inv',
    'fab',
    'mix',
    'deno',
    'bazel',
    'bazelisk',
    'npm',
    'npx',
    'yarn',
    'pnpm',
    'pnpx',
    'bun',
  ],
  ...['bunx', 'uv', 'uvx', 'poetry', 'pdm', 'hatch', 'rye', 'pixi', 'pipenv', 'pip', 'pip3', 'composer'],
  ...['bundle', 'cap', 'cargo', 'go', 'terraform', 'tofu', 'terragrunt', 'pulumi', 'git', 'docker-compose'],
  ...['skaffold', 'tilt', 'helmfile', 'serverless', 'sls', 'cdk', 'tox', 'nox', 'turbo', 'nx', 'lerna'],
  ...['dotnet', 'swift', 'mise', 'direnv', 'ansible-playbook', 'kustomize', 'zig', 'sbt', 'lein', 'cabal'],
  ...['stack', 'dune', 'rebar3', 'conan', 'cmake', 'meson', 'ninja', 'scons', 'waf', 'earthly', 'dagger'],
]);

/** Whether a word is a path read from the working directory: not absolute, from home or from a variable. */
function relativePath(word: string): boolean {
  return !/^[/~$]/.test(word) && (word === '.' || word === '..' || word.includes('/'));
}

/**
 * Why a command reads what it runs from the directory it runs in (after `cd DIR`), or undefined: it runs a
 * program or loads a script by a relative path (./deploy.sh, bin/deploy, bash deploy.sh, source env.sh), names a
 * target, project or package read from there (make deploy, npm run deploy), is a tool that reads its project
 * or repository there (make, npm, git, terraform, docker compose), or gives kubectl, oc, helm or docker a
 * relative manifest, chart or build context.
 */
export function readsWorkingDirectory(words: readonly string[], depth = 0): string | undefined {
  if (words.length === 0) return undefined;
  // Code a shell or a wrapper runs here (bash -c ./deploy.sh, sudo sh -c 'make deploy', eval ./deploy.sh,
  // script -c …, watch ./x): its commands, split roughly.
  if (depth < 3) {
    const code = new Map<number, number[]>();
    for (const operand of commandModel(words).code)
      if (
        ['shell', 'foreign-shell', 'shell-wrapper', 'eval'].includes(operand.kind) &&
        !operand.option &&
        operand.index < words.length
      )
        code.set(operand.program, [...(code.get(operand.program) ?? []), operand.index]);
    for (const [program, indexes] of code) {
      const how = commandModel(words).code.find((operand) => operand.program === program)!.how;
      const why = readsWorkingDirectoryIn(indexes.map((index) => words[index]!).join(' '), depth + 1);
      if (why !== undefined) return `runs code (${how}) that ${why}`;
    }
  }
  for (const chosen of chosenWords(words)) {
    const word = words[chosen.index]!;
    if (chosen.kind === 'program' && relativePath(word)) return `runs ${word}, a path from there`;
    if (chosen.kind === 'program' && WORKING_DIRECTORY_TOOLS.has(programName(word)))
      return `runs ${programName(word)}, which reads its project, tasks or repository from there`;
    if (chosen.kind === 'script' && !/^[/~$]/.test(word)) return `runs ${word}, a file from there`;
    if (
      [
        'target',
        'project',
        'deployed',
        'configuration',
        'playbook',
        'build',
        'package',
        'directory',
      ].includes(chosen.kind) &&
      !/^[/~$]/.test(word)
    )
      return `runs ${chosen.how} (${word}), read from there`;
  }
  // kubectl apply -f k8s/, helm upgrade app ./chart -f values.yaml, docker build ., docker compose up.
  const name = programName(words[0]!);
  if (['kubectl', 'oc', 'helm', 'docker', 'podman', 'nerdctl', 'kustomize'].includes(name)) {
    if (words.includes('compose')) return `runs ${name} compose, which reads its compose file from there`;
    for (let j = 1; j < words.length; j++) {
      const word = words[j]!;
      const value = /^(-f|-k|--filename|--kustomize|--values|--file)=(.*)$/.exec(word)?.[2];
      const file =
        value ?? (/^(-f|-k|--filename|--kustomize|--values|--file)$/.test(word) ? words[j + 1] : undefined);
      if (file !== undefined && relativePath(file) && file !== '-')
        return `gives ${name} ${file}, a manifest, chart or file from there`;
      if (file === undefined && !word.startsWith('-') && (word === '.' || /^\.\.?\//.test(word)))
        return `gives ${name} ${word}, a chart, manifest or build context from there`;
    }
  }
  return undefined;
}

/**
 * Whether shell code run in the current directory reads what it runs from there (readsWorkingDirectory), its
 * commands split roughly at ; & | newlines and brackets, quotes dropped: that can only find more readers. A cd
 * or pushd to an absolute directory ends the search (what follows runs there) when it surely runs, as in a
 * script (shell-script.ts): at the top of the code, not after && or || nor piped, not inside brackets, if, a
 * loop, case or a function's body. What its && runs is there; what its || runs (cd /x || ./deploy.sh) is still
 * here, and so is what follows that on && or |: the search ends at the next command after ; or a newline.
 */
export function readsWorkingDirectoryIn(code: string, depth = 0): string | undefined {
  const parts = code.split(/([;&|\n(){}]+)/);
  // Brackets and compound commands open around a command (and the brackets open when each case began); whether
  // a sure cd to a fixed directory ran, and whether the commands since are its || branch.
  let nesting = 0;
  const cases: number[] = [];
  let moved = false;
  let failed = false;
  for (let p = 0; p < parts.length; p += 2) {
    const before = parts[p - 1] ?? '';
    const after = parts[p + 1] ?? '';
    nesting += (before.match(/[({]/g) ?? []).length - (before.match(/[)}]/g) ?? []).length;
    const chained = /&&|\|/.test(before);
    const top = nesting <= 0 && cases.length === 0;
    if (moved && top && !chained) return undefined;
    if (moved && before.includes('||')) failed = true;
    const words = parts[p]!.trim()
      .split(/\s+/)
      .filter(Boolean)
      .map((word) => word.replace(/["'\\]/g, ''));
    const first = words[0] ?? '';
    // The command after the reserved words that start it (if ./deploy.sh; then …).
    while (/^(if|then|elif|else|do|while|until|!|time)$/.test(words[0] ?? '')) words.shift();
    const cd = words[0] === 'builtin' || words[0] === 'command' ? 1 : 0;
    if (
      !moved &&
      top &&
      !chained &&
      !/^\|(?!\|)|^&(?!&)/.test(after) &&
      /^(cd|pushd)$/.test(words[cd] ?? '') &&
      /^[/]/.test(words.slice(cd + 1).find((w) => !w.startsWith('-')) ?? '')
    )
      moved = true;
    else if (!moved || failed) {
      const why = readsWorkingDirectory(words, depth);
      if (why !== undefined) return why;
    }
    if (/^(if|while|until|for|select)$/.test(first)) nesting++;
    else if (/^(fi|done)$/.test(first)) nesting--;
    else if (first === 'case') cases.push(nesting);
    else if (first === 'esac' && cases.length) nesting = cases.pop()!;
  }
  return undefined;
}

/** A word that is expansions alone ($c, ${TOOL}, $(command -v curl), `which curl`): what it holds is not known. */
const EXPANSIONS_ONLY = /^(?:\$(?:[A-Za-z_]\w*|[0-9@*#?!$-]|\{[^{}]*\}|\((?:[^()]|\([^()]*\))*\))|`[^`]*`)+$/;

/**
 * The words naming a program that are expansions alone, quotes removed (`c=curl; $c -d @f`, `"${TOOL}" …`,
 * `$(command -v curl) …`, `sudo $c …`): which program runs is not known here, so neither is what it does with
 * its arguments and its standard input (reads, sends, writes or deletes a file they name, runs them as code).
 * Their indexes. A path after an expansion ("$DIR/deploy.sh") names a file, and is not one. Pure.
 */
export function expandedPrograms(words: readonly string[]): number[] {
  return chosenWords(words)
    .filter((word) => word.kind === 'program' && EXPANSIONS_ONLY.test(words[word.index]!))
    .map((word) => word.index);
}

/** How xargs cuts what it reads into its program's arguments (xargsItems). */
export interface XargsItems {
  /** The program xargs runs, as written. */
  program: string;
  /** The tool reading the items, for messages, when not xargs: GNU parallel (its ::: arguments, its input). */
  reader?: 'parallel';
  /** -I/-i/--replace: one item per line (blanks inside a line stay); else blanks and newlines cut items. */
  lines: boolean;
  /** -0/--null or -d/--delimiter: only that character cuts items, and quotes and backslashes are plain. */
  delimited: boolean;
  /**
   * The character that cuts items (-d , cuts web-1,--all in two; -0: NUL); '' for a -d value not read here,
   * which no value fed can be checked against.
   */
  delimiter?: string;
  /** parallel --colsep (-C): each item is cut again into columns at a regular expression. */
  colsep?: boolean;
  /**
   * The words what xargs reads lands in that a rule checks once rendered (`xargs -I{} docker push
   * registry.example.com/app:{}`: the image's tag; `xargs -I{} aws s3 rm s3://bucket/{}`: a word aws reads
   * file:// in), what xargs reads written {{__xargs_input}} in them (shell-reading.ts' xargsDirectChecks).
   */
  checks?: Array<{ check: CheckedName; word: string } | { read: FileRead; word: string }>;
}

/**
 * Whether xargs (at `xargs`) reads its items from the file -a/--arg-file names (not its standard input): it then
 * gives its standard input to the program it runs (GNU xargs(1), -a).
 */
export function xargsArgFile(words: readonly string[], xargs: number): boolean {
  const program = chosenWords(words).find((word) => word.index > xargs)?.index ?? words.length;
  for (let j = xargs + 1; j < program; j++) {
    const word = words[j]!;
    let file: string | undefined;
    // --arg-file by any unique prefix (--arg=hosts.txt, --arg hosts.txt).
    const long = xargsLongOption(word);
    if (long?.name === '--arg-file')
      file = long.takesNext ? (words[j + 1] ?? '') : word.slice(word.indexOf('=') + 1);
    else if (/^-[^-]/.test(word))
      for (let k = 1; k < word.length; k++) {
        if (word[k] === 'a') file = k + 1 < word.length ? word.slice(k + 1) : (words[j + 1] ?? '');
        // The rest of the word is this option's value (-n10, -I{}, -E0).
        if ('adEeIiJLlnPRSs'.includes(word[k]!)) break;
      }
    if (file !== undefined && !STDIN_FILES.has(file)) return true;
  }
  return false;
}

/**
 * xargs runs a program with what it reads as arguments: how it cuts them, or undefined without xargs, when
 * xargs runs no program (it then prints: `echo {{v}} | xargs` trims a value), or when it reads its items from
 * the file -a names (its standard input is then its program's).
 */
export function xargsItems(words: readonly string[]): XargsItems | undefined {
  const xargs = xargsWord(words);
  if (xargs < 0 || xargsArgFile(words, xargs)) return undefined;
  const program = chosenWords(words).find((word) => word.index > xargs);
  if (!program) return undefined;
  const options = words.slice(xargs + 1, program.index);
  const cuts = options.map((option, k) => delimits(option, options[k + 1])).filter((d) => d !== false);
  const last = cuts.at(-1);
  return {
    program: words[program.index]!,
    lines: xargsReplaceString(words, xargs) !== undefined,
    delimited: cuts.length > 0,
    ...(typeof last === 'string' && { delimiter: last }),
  };
}

/**
 * The character an xargs (or parallel) -d/--delimiter value names: one character, or a C escape (\n, \t, \0,
 * \\, \xHH, \NNN octal); undefined for one not read here.
 */
export function delimiterCharacter(value: string): string | undefined {
  if ([...value].length === 1) return value;
  const named: Record<string, string> = {
    '\\n': '\n',
    '\\t': '\t',
    '\\r': '\r',
    '\\0': '\0',
    '\\\\': '\\',
    '\\a': '\x07',
    '\\b': '\b',
    '\\f': '\f',
    '\\v': '\v',
  };
  if (named[value] !== undefined) return named[value];
  const hex = /^\\x([0-9a-fA-F]{1,2})$/.exec(value);
  if (hex) return String.fromCharCode(parseInt(hex[1]!, 16));
  const octal = /^\\([0-7]{1,3})$/.exec(value);
  if (octal) return String.fromCharCode(parseInt(octal[1]!, 8));
  return undefined;
}

/**
 * An option of xargs choosing the character that cuts items: -0/--null, -d/--delimiter, in a cluster too (its
 * value attached or the next word, `next`): that character ('' when not read here), or false.
 */
function delimits(option: string, next: string | undefined): string | false {
  // --null and --delimiter by any unique prefix (--nu, --del=, --delim ,).
  const long = xargsLongOption(option);
  if (long?.name === '--null') return '\0';
  if (long?.name === '--delimiter')
    return delimiterCharacter(long.takesNext ? (next ?? '') : option.slice(option.indexOf('=') + 1)) ?? '';
  if (!/^-[^-]/.test(option)) return false;
  for (let k = 1; k < option.length; k++) {
    const letter = option[k]!;
    if (letter === '0') return '\0';
    if (letter === 'd')
      return delimiterCharacter(k + 1 < option.length ? option.slice(k + 1) : (next ?? '')) ?? '';
    // The rest of the word is this option's value (-n10, -I{}, -E0).
    if ('aEeIiJLlnPRSs'.includes(letter)) return false;
  }
  return false;
}

/**
 * The words of a command with xargs (at `xargs`) with what xargs reads written as `input` where xargs puts it: in
 * place of -I's string, in place of BSD -J's string (the first argument of its program that is that string
 * alone), or appended as its last word. `replace`: the string it is put in place of, when not appended.
 */
export function xargsInputWords(
  words: readonly string[],
  xargs: number,
  input: string,
): { marked: string[]; replace?: string } {
  const replace = xargsReplaceString(words, xargs);
  if (replace !== undefined && replace !== '')
    return {
      marked: words.map((word, index) => (index > xargs ? word.split(replace).join(input) : word)),
      replace,
    };
  const join = xargsJoinString(words, xargs);
  const program = chosenWords(words).find((word) => word.index > xargs)?.index ?? words.length;
  const at = join ? words.findIndex((word, index) => index >= program && word === join) : -1;
  if (at >= 0) return { marked: words.map((word, index) => (index === at ? input : word)), replace: join };
  return { marked: [...words, input] };
}

/**
 * xargs appends what it reads on standard input to the command it runs, or puts it in place of -I's string:
 * the word of xargs when what it reads would choose what runs (`xargs -I{} {}`, `xargs sudo`, `xargs kubectl`,
 * `xargs sh -c '…' sh` gives none), or undefined. Its standard input is then read as code (shell-script.ts).
 */
export function xargsInputChooses(words: readonly string[], evenWithArgFile = false): number | undefined {
  const xargs = xargsWord(words);
  if (xargs < 0) return undefined;
  // With -a, what xargs reads is that file's lines, not its standard input (unless evenWithArgFile).
  if (!evenWithArgFile && xargsArgFile(words, xargs)) return undefined;
  // Without a program, xargs runs echo.
  if (!chosenWords(words).some((word) => word.index > xargs)) return undefined;
  // What xargs reads stands as a template of its own (the words ssh joins for the remote host count only their
  // templates): the replace string's places, or the word appended.
  const input = '{{__xargs_input}}';
  const { marked } = xargsInputWords(words, xargs, input);
  const all = marked.length > words.length ? marked : [...marked, input];
  const chosen = chosenWords(all).filter((word) => word.index > xargs);
  const fromInput = (word: ChosenWord) =>
    (word.index === words.length || marked[word.index]!.includes(input)) &&
    (word.names === undefined || word.names.includes('__xargs_input'));
  if (chosen.some(fromInput)) return xargs;
  // ssh joins its command's words into a line the remote host's shell reads: what xargs puts there unquoted is
  // code on the remote host, wherever it lands in that line.
  for (let at = xargs + 1; at < all.length; at++) {
    if (programName(all[at]!) !== 'ssh') continue;
    if (all.slice(sshCommandStart(all, at)).some((word) => word.includes(input))) return xargs;
  }
  return undefined;
}
