// Task runners and build tools whose operands name what runs: a make target (`make deploy-{{env}}` picks a
// recipe of the Makefile), a rake, just, task, gradle, maven, ant, gulp or bazel target, the package `go run`
// builds and runs, the binary `cargo run --bin` runs, the tox or nox environment whose commands run. A value in
// such a word chooses the recipe that runs, however plain it is, so a template there is refused (launchers.ts);
// each runner's safe form passes the value as a variable or an argument of a fixed target. Pure.
import {
  BUILD_VALUES,
  buildReferenceRefusal,
  GCLOUD_OPTIONAL,
  imageReference,
  isBuildReference,
  type CheckedName,
  type ContainerMounts,
} from './container-mounts.ts';
import { AZ_ACR_WITH_VALUE, isRemoteOperand, operandsOf } from './file-reads.ts';
import { optionValues } from './option-values.ts';
import { composeSubcommand } from './compose-services.ts';
import { GCLOUD_BUILD_WITH_VALUE } from './gcloud-options.ts';
import { lookupTable } from './lookup-table.ts';

/** A word of a task runner's command that names what runs. */
export interface TaskWord {
  index: number;
  /**
   * 'target': a task or target name; 'script': a file or package loaded as code; 'program': a program run;
   * 'project': the directory, manifest, workspace or environment whose scripts and dependencies run;
   * 'deployed': the manifests, chart, values, kustomization, compose, helmfile or skaffold file a deploy tool
   * applies; 'configuration': the configuration an infrastructure tool (terraform, tofu, terragrunt, pulumi)
   * applies; 'playbook': the playbook, inventory or modules ansible runs; 'build': the context, Dockerfile or
   * stage a build runs.
   */
  kind:
    | 'target'
    | 'script'
    | 'program'
    | 'project'
    | 'deployed'
    | 'configuration'
    | 'playbook'
    | 'build'
    | 'build-host'
    | 'container-image'
    | 'container-write'
    | 'deploy-source';
  /** What the word is, for messages ("the target make runs"). */
  how: string;
  /** The safe way to write it, with `VALUE` where the template goes. */
  safe: string;
}

interface TaskRunner {
  /** Options whose value is the next word (unless attached: -Cdir, --file=x). */
  values: readonly string[];
  /** Its own options that take no value, when any other option takes the next word as its value (gulp). */
  flags?: readonly string[];
  /** Options that take a number only when the next word is one (make -j [N]). */
  numeric?: readonly string[];
  /** Options whose value names what runs, and what it is. */
  choosing?: Readonly<Record<string, TaskWord['kind']>>;
  /** The subcommands after which its operands name targets (`deno task`, `bazel run`); none: right away. */
  after?: readonly string[];
  /** Which operands name a target: every one before `--`, or only the first. */
  operands: 'all' | 'first' | 'none';
  /** What the first operand is when not a target ('script': go run's package). */
  firstIs?: TaskWord['kind'];
  /** NAME=VALUE operands are variables, not targets (make, rake, just, task). */
  assignments?: boolean;
  /** The part of a target word from this character on is its arguments (rake's deploy[a,b]). */
  argsFrom?: string;
  /** A `--` ends its options only: what follows are targets still (make). */
  targetsAfterDashes?: boolean;
  /** What its operands are when not targets (mock's source packages), and how they are said. */
  operandsAre?: { kind: TaskWord['kind']; how: string };
  safe: string;
}

const GO_BUILD_FLAGS = [
  ...['-C', '-o', '-p', '-asmflags', '-buildmode', '-compiler', '-gccgoflags', '-gcflags', '-installsuffix'],
  ...['-ldflags', '-mod', '-modfile', '-overlay', '-pgo', '-pkgdir', '-tags', '-coverpkg', '-covermode'],
];

const RUNNERS: Record<string, TaskRunner> = lookupTable({
  make: {
    values: [
      ...['-C', '-f', '-I', '-o', '-W', '--directory', '--file', '--makefile', '--include-dir'],
      ...['--old-file', '--assume-old', '--what-if', '--new-file', '--assume-new'],
    ],
    numeric: ['-j', '-l', '--jobs', '--load-average'],
    // -C and -I choose the directory its Makefile, or the files it includes, are read from.
    choosing: {
      '-E': 'script',
      '--eval': 'script',
      '-C': 'script',
      '--directory': 'script',
      '-I': 'script',
      '--include-dir': 'script',
    },
    operands: 'all',
    assignments: true,
    targetsAfterDashes: true,
    safe: 'make deploy ENVIRONMENT=VALUE (a make variable, which takes only a plain word; read it as $(ENVIRONMENT) in the recipe)',
  },
  just: {
    values: [
      ...['-f', '-d', '-E', '--justfile', '--working-directory', '--shell', '--shell-arg', '--color'],
      ...['--dotenv-filename', '--dotenv-path', '--command-color', '--list-heading', '--list-prefix'],
      ...['--chooser', '--timestamp-format', '--set'],
    ],
    choosing: {
      '-c': 'program',
      '--command': 'program',
      '-f': 'script',
      '--justfile': 'script',
      '--shell': 'program',
      '--shell-arg': 'script',
      '--dotenv-path': 'script',
      '--dotenv-filename': 'script',
    },
    operands: 'first',
    assignments: true,
    safe: 'just deploy VALUE, with a recipe that takes it as a parameter (deploy env:)',
  },
  rake: {
    values: [
      ...['-f', '-C', '-I', '-R', '-j', '-g', '--rakefile', '--directory', '--libdir', '--rakelibdir'],
      '--jobs',
    ],
    choosing: {
      '-r': 'script',
      '--require': 'script',
      '-f': 'script',
      '--rakefile': 'script',
      '-R': 'script',
      '--rakelibdir': 'script',
      '-I': 'script',
      '--libdir': 'script',
      '-C': 'script',
      '--directory': 'script',
    },
    operands: 'all',
    assignments: true,
    argsFrom: '[',
    safe: 'rake "deploy[VALUE]" (a task argument) or rake deploy ENVIRONMENT=VALUE',
  },
  task: {
    values: ['-o', '-C', '-I', '--output', '--concurrency', '--interval'],
    choosing: { '-t': 'script', '--taskfile': 'script', '-d': 'script', '--dir': 'script' },
    operands: 'all',
    assignments: true,
    safe: 'task deploy ENVIRONMENT=VALUE, or task deploy -- VALUE (read as {{.CLI_ARGS}})',
  },
  gradle: {
    values: [
      ...['-b', '-c', '-p', '-g', '-x', '--build-file', '--settings-file', '--project-dir', '--console'],
      ...['--gradle-user-home', '--exclude-task', '--warning-mode', '--max-workers', '--priority'],
      '--include-build',
    ],
    choosing: {
      '-I': 'script',
      '--init-script': 'script',
      '-b': 'script',
      '--build-file': 'script',
      '-c': 'script',
      '--settings-file': 'script',
      '-p': 'script',
      '--project-dir': 'script',
      '--include-build': 'script',
      '-g': 'script',
      '--gradle-user-home': 'script',
    },
    operands: 'all',
    safe: './gradlew deploy -Penv=VALUE (a project property)',
  },
  mvn: {
    values: [
      ...['-f', '-s', '-gs', '-t', '-pl', '-rf', '-l', '-b', '-T', '-P', '-D', '--file', '--settings'],
      ...['--global-settings', '--toolchains', '--projects', '--resume-from', '--log-file', '--builder'],
      ...['--threads', '--activate-profiles', '--define'],
    ],
    // The POM, and the settings that choose the repositories its plugins come from.
    choosing: {
      '-f': 'script',
      '--file': 'script',
      '-s': 'script',
      '--settings': 'script',
      '-gs': 'script',
      '--global-settings': 'script',
    },
    operands: 'all',
    safe: 'mvn deploy -Denv=VALUE (a property)',
  },
  ant: {
    values: ['-f', '-file', '-buildfile', '-lib', '-logfile', '-l', '-logger', '-listener', '-propertyfile'],
    choosing: { '-main': 'program', '-inputhandler': 'program' },
    operands: 'all',
    safe: 'ant deploy -Denv=VALUE (a property)',
  },
  gulp: {
    values: ['--cwd', '--depth'],
    // -f is --gulpfile; --preload loads a module like --require (gulp-cli's cli-options).
    choosing: {
      '--gulpfile': 'script',
      '-f': 'script',
      '--require': 'script',
      '--preload': 'script',
      '--cwd': 'script',
    },
    // gulp-cli's own flags; any other option is the gulpfile's (yargs), and takes the next word as its value.
    flags: [
      ...[
        '--silent',
        '-S',
        '--color',
        '--continue',
        '--series',
        '--tasks',
        '-T',
        '--tasks-simple',
        '--tasks-json',
        '--verify',
      ],
      ...['--help', '-h', '--version', '-v', '--no-color', '-L', '--log-level', '--compact-tasks'],
      '--sort-tasks',
    ],
    operands: 'all',
    safe: 'gulp deploy --env VALUE (read as an option of the task)',
  },
  grunt: {
    values: ['--base'],
    choosing: { '--gruntfile': 'script' },
    operands: 'all',
    safe: 'grunt deploy --env=VALUE (read with grunt.option)',
  },
  invoke: {
    values: [],
    // The tasks module, where it is searched for, and the config file (a .py one is run).
    choosing: {
      '-c': 'script',
      '--collection': 'script',
      '-r': 'script',
      '--search-root': 'script',
      '-f': 'script',
      '--config': 'script',
    },
    operands: 'first',
    safe: 'invoke deploy --env VALUE (an argument of the task)',
  },
  fab: {
    values: [...['-H', '--hosts', '-i', '--identity', '-t', '--connect-timeout', '-T', '--command-timeout']],
    // An ssh config file: its ProxyCommand and LocalCommand run programs.
    choosing: {
      '-c': 'script',
      '--collection': 'script',
      '-r': 'script',
      '--search-root': 'script',
      '-f': 'script',
      '--config': 'script',
      '-S': 'script',
      '--ssh-config': 'script',
    },
    operands: 'first',
    safe: 'fab deploy --env VALUE (an argument of the task)',
  },
  mix: { values: [], operands: 'first', safe: 'mix deploy VALUE (an argument of the task)' },
  // mage TARGET ARGS…: a target of the magefiles (Go code mage compiles and runs); its flags are Go's (-name).
  mage: {
    values: ['-d', '-w', '-t', '-timeout', '-compile', '-goos', '-goarch', '-ldflags', '-gocmd'],
    // The directory of the magefiles, the one it runs in, and the go program it compiles them with.
    choosing: { '-d': 'script', '-w': 'script', '-gocmd': 'program' },
    operands: 'first',
    safe: 'mage deploy VALUE (an argument of the target)',
  },
  deno: {
    values: ['-c', '--config', '--cwd'],
    after: ['task'],
    operands: 'first',
    safe: 'deno task deploy VALUE (an argument of the task)',
  },
  bazel: {
    values: [],
    after: ['run', 'build', 'test', 'coverage', 'mobile-install', 'cquery', 'aquery'],
    operands: 'all',
    safe: 'bazel run //deploy:deploy -- VALUE (an argument of the binary)',
  },
  zig: {
    values: ['-p', '--prefix', '--build-file', '--cache-dir', '-j'],
    after: ['build'],
    operands: 'all',
    safe: 'zig build deploy -Denv=VALUE (a build option)',
  },
  go: {
    values: GO_BUILD_FLAGS,
    choosing: { '-exec': 'program', '-toolexec': 'program' },
    after: ['run', 'test', 'build', 'install', 'vet', 'generate'],
    operands: 'none',
    firstIs: 'script',
    safe: 'go run ./cmd/deploy VALUE (an argument of the program)',
  },
  cargo: {
    values: [
      ...['-F', '-j', '-Z', '--features', '--target', '--target-dir', '--profile', '--jobs', '--color'],
      ...['--message-format', '--lockfile-path', '--config'],
    ],
    choosing: {
      '--bin': 'target',
      '--example': 'target',
      '-p': 'target',
      '--package': 'target',
      '--manifest-path': 'script',
    },
    after: ['run', 'test', 'bench', 'build', 'install', 'check'],
    operands: 'none',
    safe: 'cargo run --bin deploy -- VALUE (an argument of the binary)',
  },
  tox: {
    values: ['-c', '--conf', '--root', '--workdir', '-x', '--override'],
    choosing: { '-e': 'target', '--env': 'target', '-f': 'target', '--factor': 'target' },
    operands: 'none',
    safe: 'tox -e deploy -- VALUE (read as {posargs})',
  },
  nox: {
    values: ['-f', '--noxfile', '--envdir', '-p', '--python', '--pythons'],
    choosing: {
      '-s': 'target',
      '-e': 'target',
      '--session': 'target',
      '--sessions': 'target',
      '-t': 'target',
      '--tags': 'target',
      '-k': 'target',
      '--keywords': 'target',
    },
    operands: 'none',
    safe: 'nox -s deploy -- VALUE (read as session.posargs)',
  },
});
// mock builds a source package (or a spec) in a build root: its spec's %prep, %build and %install run, and its
// chroot config (-r NAME or a .cfg file, --configdir) is Python code. Its other modes take operands too (packages
// --install puts in the build root, the command --chroot runs there): refused alike.
RUNNERS['mock'] = {
  values: [
    ...['-r', '--root', '-a', '--addrepo', '--arch', '--forcearch', '--target', '--uniqueext', '--resultdir'],
    ...['--rootdir', '--cwd', '-D', '--define', '--with', '--without', '--spec', '--sources', '--configdir'],
    ...['--enable-plugin', '--disable-plugin', '--plugin-option', '--config-opts', '--macro-file'],
    ...['--localrepo', '--scm-option', '--enablerepo', '--disablerepo', '--additional-package'],
  ],
  choosing: {
    '-r': 'script',
    '--root': 'script',
    '--configdir': 'script',
    '--spec': 'script',
    '--sources': 'script',
    '-a': 'script',
    '--addrepo': 'script',
    '--enable-plugin': 'script',
    '--plugin-option': 'script',
    '--config-opts': 'script',
    '--macro-file': 'script',
    '--scm-option': 'script',
    '--additional-package': 'script',
  },
  operands: 'all',
  targetsAfterDashes: true,
  operandsAre: {
    kind: 'script',
    how: 'the source package or spec mock builds (its %prep, %build and %install run), or what its mode installs or runs in the build root',
  },
  safe: 'mock -r fedora-40-x86_64 --rebuild app.src.rpm --define "version VALUE" (the source package and the config written in the config; the value in a macro the spec uses)',
};
// Capistrano is rake: its first operand is the stage, whose config/deploy/STAGE.rb it loads, then the tasks.
RUNNERS['cap'] = {
  ...RUNNERS.rake!,
  safe: 'cap production deploy VERSION=VALUE (the stage and the task written in the config, a command per environment; read the value as ENV["VERSION"])',
};
RUNNERS['gmake'] = RUNNERS.make!;
RUNNERS['gradlew'] = RUNNERS.gradle!;
RUNNERS['mvnw'] = RUNNERS.mvn!;
RUNNERS['inv'] = RUNNERS.invoke!;
RUNNERS['bazelisk'] = RUNNERS.bazel!;

const WHAT: Record<TaskWord['kind'], string> = {
  project: 'the project',
  deployed: 'what is deployed',
  configuration: 'the configuration applied',
  playbook: 'the playbook',
  build: 'what is built',
  'build-host': 'what of this machine',
  target: 'the target',
  script: 'the code',
  program: 'the program',
  'container-image': 'the image',
  'container-write': 'the file written',
  'deploy-source': 'the server',
};

/** The words of a task runner's command (`words[at]` is the runner, named `name`) that name what runs. */
export function taskWords(words: readonly string[], at: number, name: string): TaskWord[] {
  const runner = RUNNERS[name];
  if (!runner) return [];
  const found: TaskWord[] = [];
  const add = (index: number, kind: TaskWord['kind'], how: string) => {
    if (index < words.length) found.push({ index, kind, how, safe: runner.safe });
  };
  let from = at + 1;
  let subcommand = '';
  if (runner.after) {
    // The subcommand comes after global options; a word after an option may be its value.
    let j = at + 1;
    while (j < words.length && !runner.after.includes(words[j]!)) {
      if (words[j] === '--') return found;
      j++;
    }
    if (j >= words.length) return found;
    subcommand = ` ${words[j]}`;
    from = j + 1;
  }
  const program = `${name}${subcommand}`;
  let first = true;
  let options = true;
  for (let j = from; j < words.length; j++) {
    const word = words[j]!;
    if (word === '--' && options) {
      if (!runner.targetsAfterDashes) break;
      options = false;
      continue;
    }
    if (options && word.startsWith('-') && word.length > 1) {
      const eq = word.indexOf('=');
      const option = eq > 0 ? word.slice(0, eq) : word;
      // go generate -run/-skip REGEXP: which of the packages' //go:generate commands run.
      const chosen =
        runner.choosing?.[option] ??
        (name === 'go' && subcommand === ' generate' && /^--?(run|skip)$/.test(option)
          ? 'target'
          : undefined);
      if (chosen !== undefined) {
        add(eq > 0 ? j : j + 1, chosen, `${WHAT[chosen]} ${program} ${option} runs`);
        if (eq < 0) j++;
        continue;
      }
      // -fFILE, -Cdir: a short option with its value attached.
      const short = !word.startsWith('--') && word.length > 2 ? word.slice(0, 2) : undefined;
      const shortChosen = short === undefined ? undefined : runner.choosing?.[short];
      if (shortChosen !== undefined) {
        add(j, shortChosen, `${WHAT[shortChosen]} ${program} ${short} runs`);
        continue;
      }
      if (eq > 0 || (short !== undefined && runner.values.includes(short))) continue;
      if (runner.values.includes(word)) j += word === '--set' ? 2 : 1;
      else if (runner.numeric?.includes(word) && /^\d+(\.\d+)?$/.test(words[j + 1] ?? '')) j++;
      else if (runner.flags && !runner.flags.includes(word) && !(words[j + 1] ?? '-').startsWith('-')) j++;
      continue;
    }
    if (runner.assignments && /^[A-Za-z_][\w.-]*[:+?!]?=/.test(word)) continue;
    // go run and go test build and run the package named, go generate runs its //go:generate commands; go
    // build, install and vet only read it.
    if (first && runner.firstIs && (name !== 'go' || / (run|test|generate)$/.test(subcommand))) {
      add(j, runner.firstIs, `${WHAT[runner.firstIs]} ${program} builds and runs`);
      // go run a.go b.go: every .go file of the list is part of the program; go test and go generate take a
      // list of packages (the flags after them are the test binary's).
      const every = name === 'go' && subcommand !== ' run';
      for (let k = j + 1; name === 'go' && (every || word.endsWith('.go')) && k < words.length; k++) {
        if (every ? words[k]!.startsWith('-') : !words[k]!.endsWith('.go')) break;
        add(k, runner.firstIs, `${WHAT[runner.firstIs]} ${program} builds and runs`);
      }
      break;
    }
    if (runner.operands === 'none') break;
    if (runner.argsFrom !== undefined && word.includes(runner.argsFrom)) {
      // rake "deploy[{{x}}]": only the task name before "[" chooses; its arguments are data.
      const head = word.slice(0, word.indexOf(runner.argsFrom));
      if (/\{\{/.test(head)) add(j, 'target', `the target ${program} runs`);
    } else if (runner.operandsAre) add(j, runner.operandsAre.kind, runner.operandsAre.how);
    else add(j, 'target', `the target ${program} runs`);
    // bazel run TARGET ARGS: the words after the target are the binary's arguments.
    if (runner.operands === 'first' || (name.startsWith('bazel') && subcommand === ' run')) break;
    first = false;
  }
  return found;
}

/**
 * Project tools whose options choose the project they act on: the directory (or manifest) its scripts,
 * dependencies and build code are read from (`poetry -C {{dir}} run deploy`, `npm --prefix {{dir}} run deploy`,
 * `uv --directory {{dir}} run deploy.py`), or the workspace package or environment whose script runs
 * (`npm run deploy -w {{x}}`, `pnpm --filter {{x}} run deploy`, `hatch -e {{x}} run deploy`). A value there
 * picks any directory of the checkout, and so which package.json, pyproject.toml, composer.json or Cargo.toml
 * says what runs: the same as a templated script path.
 */
interface ProjectTool {
  /** Options whose value chooses the project. */
  choosing: readonly string[];
  /** Its subcommands that run what follows them (a script or a program): its options end at that word. */
  runs: readonly string[];
  /** It reads its options after the script's name too (npm): only `--` ends them. */
  everywhere?: boolean;
  /** Its subcommand whose operand is the workspace package whose script or command then runs (yarn workspace). */
  workspace?: string;
  safe: string;
}

const PROJECT_TOOLS: Record<string, ProjectTool> = lookupTable({
  npm: {
    choosing: ['-C', '--prefix', '-w', '--workspace'],
    runs: [],
    everywhere: true,
    safe: 'npm --prefix services/api run deploy -- VALUE (the directory written in the config)',
  },
  pnpm: {
    choosing: ['-C', '--dir', '-F', '--filter'],
    runs: ['run', 'exec', 'dlx'],
    safe: 'pnpm --dir services/api run deploy VALUE (the directory written in the config)',
  },
  // yarn workspace NAME run deploy; yarn workspaces foreach --include/--from/--exclude GLOB run deploy.
  yarn: {
    choosing: ['--cwd', '--include', '--from', '--exclude'],
    runs: ['run', 'exec', 'dlx'],
    workspace: 'workspace',
    safe: 'yarn workspace api run deploy VALUE (the workspace written in the config)',
  },
  lerna: {
    choosing: ['--scope', '--ignore'],
    runs: ['run', 'exec'],
    everywhere: true,
    safe: 'lerna run deploy --scope api -- VALUE (the package written in the config)',
  },
  nx: {
    choosing: ['-p', '--projects', '--exclude'],
    runs: ['run', 'run-many', 'affected'],
    everywhere: true,
    safe: 'nx run-many -t deploy -p api -- VALUE (the project written in the config)',
  },
  bun: {
    choosing: ['--cwd'],
    runs: ['run', 'x'],
    safe: 'bun --cwd services/api run deploy VALUE (the directory written in the config)',
  },
  // uv's --config-file sets the indexes its environment's packages come from.
  uv: {
    choosing: ['--directory', '--project', '--config-file'],
    runs: ['run'],
    safe: 'uv --directory services/api run deploy.py VALUE (the directory written in the config)',
  },
  poetry: {
    choosing: ['-C', '--directory', '-P', '--project'],
    runs: ['run'],
    safe: 'poetry -C services/api run deploy VALUE (the directory written in the config)',
  },
  pdm: {
    choosing: ['-p', '--project'],
    runs: ['run'],
    safe: 'pdm -p services/api run deploy VALUE (the directory written in the config)',
  },
  hatch: {
    choosing: ['-e', '--env', '-p', '--project'],
    runs: ['run'],
    safe: 'hatch -e deploy run deploy VALUE (the environment written in the config)',
  },
  pixi: {
    choosing: ['--manifest-path', '-e', '--environment'],
    runs: ['run', 'exec'],
    safe: 'pixi run --manifest-path services/api deploy VALUE (the manifest written in the config)',
  },
  composer: {
    choosing: ['-d', '--working-dir'],
    runs: ['run-script', 'run', 'exec'],
    safe: 'composer -d services/api run-script deploy -- VALUE (the directory written in the config)',
  },
  turbo: {
    choosing: ['--cwd', '-F', '--filter'],
    runs: ['run'],
    everywhere: true,
    safe: 'turbo run deploy --filter app -- VALUE (the package written in the config)',
  },
  mise: {
    choosing: ['-C', '--cd', '-E', '--env'],
    runs: ['run', 'r', 'exec', 'x'],
    safe: 'mise -C services/api run deploy VALUE (the directory written in the config)',
  },
  cargo: {
    // cargo watch's -C/--workdir: the directory its commands run in (and the project they build).
    choosing: ['-C', '--manifest-path', '--workdir'],
    runs: ['run'],
    safe: 'cargo -C services/api run --bin deploy -- VALUE (the directory written in the config)',
  },
  // go -C DIR must be the first flag, before or after the subcommand (cmd/go).
  go: {
    choosing: ['-C'],
    runs: ['run'],
    safe: 'go -C services/api run ./cmd/deploy VALUE (the directory written in the config)',
  },
});

/** The words of a project tool's command (`words[at]` is the tool, named `name`) that choose its project. */
export function projectWords(words: readonly string[], at: number, name: string): TaskWord[] {
  const tool = PROJECT_TOOLS[name];
  if (!tool) return [];
  const found: TaskWord[] = [];
  const add = (index: number, option: string) => {
    if (index < words.length)
      found.push({
        index,
        kind: 'project',
        how: `the value of ${name} ${option}, which chooses the project`,
        safe: tool.safe,
      });
  };
  // Its options end at `--`, or (but for npm's) at the word after a subcommand that runs it: that word and the
  // ones after it are the script's or the program's.
  let running = false;
  for (let j = at + 1; j < words.length; j++) {
    const word = words[j]!;
    if (word === '--') break;
    if (!word.startsWith('-') || word === '-') {
      if (running && !tool.everywhere) break;
      if (!running && tool.workspace !== undefined && word === tool.workspace) {
        if (j + 1 < words.length)
          found.push({
            index: j + 1,
            kind: 'project',
            how: `the workspace ${name} ${word} runs the command of`,
            safe: tool.safe,
          });
        j++;
        running = true;
        continue;
      }
      if (tool.runs.includes(word)) running = true;
      continue;
    }
    const eq = word.indexOf('=');
    const option = eq > 0 ? word.slice(0, eq) : word;
    if (tool.choosing.includes(option)) {
      add(eq > 0 ? j : j + 1, option);
      if (eq < 0) j++;
      continue;
    }
    // -C{{dir}}: a short option with its value attached.
    const short = !word.startsWith('--') && word.length > 2 ? word.slice(0, 2) : undefined;
    if (short !== undefined && tool.choosing.includes(short)) add(j, short);
  }
  return found;
}

/**
 * Deploy and infrastructure tools whose options or operands name the code or config they run here: terraform's
 * configuration (-chdir; its provisioners and providers run), terragrunt's, pulumi's program (-C/--cwd), cdk's
 * app (a command line), ansible's playbooks, inventory (a script in it runs) and vault password file (run when
 * executable), docker build's context and Dockerfile (its RUN steps run), compose's file and project directory,
 * helmfile's and skaffold's file (their hooks run commands).
 */
/**
 * docker build's (and bake's) attestation options: `generator=IMAGE` names an image that runs on the build's
 * results (a "," in a value adds it: --sbom=true,generator=…).
 */
const ATTESTATION_OPTIONS: readonly string[] = ['--attest', '--sbom', '--provenance'];

const DEPLOY_TOOLS: Record<
  string,
  {
    choosing: readonly string[];
    /**
     * What the chosen words name, when not a project that runs: what gets deployed (kubectl's manifests, a
     * chart), the configuration applied (terraform's directory: its resources, providers and provisioners), or
     * the program run (cdk's app, a command line).
     */
    kind?: 'deployed' | 'configuration' | 'program' | 'playbook' | 'build';
    /** Options whose value is a program the tool runs (wget --use-askpass), with getopt's prefixes of them. */
    programs?: readonly string[];
    subcommand?: readonly string[];
    operands?: string;
    safe: string;
  }
> = lookupTable({
  terraform: {
    choosing: ['-chdir'],
    kind: 'configuration',
    safe: 'terraform -chdir=infra/production apply -var version=VALUE (the directory written in the config)',
  },
  tofu: {
    choosing: ['-chdir'],
    kind: 'configuration',
    safe: 'tofu -chdir=infra/production apply -var version=VALUE (the directory written in the config)',
  },
  terragrunt: {
    choosing: ['--terragrunt-working-dir', '--working-dir', '--terragrunt-config', '--config'],
    kind: 'configuration',
    safe: 'terragrunt apply --working-dir infra/production -var version=VALUE (the directory written in the config)',
  },
  pulumi: {
    choosing: ['-C', '--cwd'],
    kind: 'configuration',
    safe: 'pulumi -C infra up --stack production -c version=VALUE (the directory written in the config)',
  },
  cdk: {
    choosing: ['-a', '--app'],
    kind: 'program',
    safe: 'cdk deploy --app "node bin/app.js" -c version=VALUE (the app written in the config)',
  },
  'ansible-playbook': {
    choosing: [
      '-i',
      '--inventory',
      '--inventory-file',
      '--vault-password-file',
      '--vault-pass-file',
      '-M',
      '--module-path',
      '--playbook-dir',
    ],
    kind: 'playbook',
    operands: 'the playbook ansible-playbook runs',
    safe: 'ansible-playbook -i inventory/production deploy.yml -e version=VALUE (the playbook and inventory written in the config)',
  },
  ansible: {
    choosing: [
      '-i',
      '--inventory',
      '--inventory-file',
      '--vault-password-file',
      '--vault-pass-file',
      '--playbook-dir',
    ],
    kind: 'playbook',
    safe: 'ansible -i inventory/production all -m ping (the inventory written in the config)',
  },
  docker: {
    // --target: the stage of the Dockerfile built, whose RUN steps run; --attest, --sbom, --provenance: an
    // attestation's generator= is an image that runs on the build's results.
    choosing: ['-f', '--file', '--project-directory', '--build-context', '--target', ...ATTESTATION_OPTIONS],
    subcommand: ['build', 'compose', 'buildx', 'image'],
    // (compose's -f and --project-directory: the compose file deployed, 'deployed': deployToolWords.)
    kind: 'build',
    operands: 'the build context docker build runs the Dockerfile of',
    safe: 'docker build -f Dockerfile --build-arg VERSION=VALUE . (the context and Dockerfile written in the config)',
  },
  // wget --use-askpass=PROGRAM (and a unique prefix, getopt: --use-a…), rclone --password-command CMD: run.
  wget: {
    choosing: [],
    programs: [
      '--use-a',
      '--use-as',
      '--use-ask',
      '--use-askp',
      '--use-askpa',
      '--use-askpas',
      '--use-askpass',
    ],
    safe: 'wget --user deploy https://host/VALUE (the program written in the config; the value in the URL)',
  },
  rclone: {
    choosing: [],
    programs: ['--password-command'],
    safe: 'rclone copy dist/ remote:bucket/VALUE/ (the command written in the config; the value in the path)',
  },
  'docker-compose': {
    choosing: ['-f', '--file', '--project-directory'],
    kind: 'deployed',
    safe: 'docker compose -f compose.production.yml up -d (the file written in the config; the value in an environment variable the file reads)',
  },
  helmfile: {
    choosing: ['-f', '--file'],
    kind: 'deployed',
    safe: 'helmfile -f helmfile.yaml -e production apply (the file written in the config)',
  },
  skaffold: {
    choosing: ['-f', '--filename'],
    kind: 'deployed',
    safe: 'skaffold run -f skaffold.yaml -p production (the file written in the config)',
  },
});
// kubectl/oc -f/-k: the manifests applied (what runs in the cluster, with the deployer's rights); `-f -` is
// standard input, checked as a here-document (shell-script.ts).
DEPLOY_TOOLS['kubectl'] = {
  choosing: ['-f', '--filename', '-k', '--kustomize'],
  kind: 'deployed',
  safe: 'kubectl apply -f k8s/production.yaml, then kubectl set image deploy/app app=registry/app:VALUE (the manifest written in the config)',
};
DEPLOY_TOOLS['oc'] = DEPLOY_TOOLS.kubectl;
// helm's chart (below), its values files, the repository it fetches the chart from, and the post-renderer it runs.
DEPLOY_TOOLS['helm'] = {
  choosing: ['-f', '--values', '--repo', '--post-renderer', '--post-renderer-args'],
  kind: 'deployed',
  safe: 'helm upgrade --install app ./chart -f values/production.yaml --set-string image.tag=VALUE (the chart and values written in the config)',
};
// kustomize build DIR: the kustomization whose resources are applied (its generators and plugins may run).
DEPLOY_TOOLS['kustomize'] = {
  choosing: [],
  kind: 'deployed',
  safe: 'kustomize build overlays/production | kubectl apply -f - (the directory written in the config; the value set by kustomize edit set image app=registry/app:VALUE)',
};
/**
 * podman's, nerdctl's (finch's, read as nerdctl) and buildah's build (buildah bud, its older name) read as
 * docker build, their refusals naming them.
 */
const builder = (name: string, subcommand?: readonly string[]) => ({
  ...DEPLOY_TOOLS.docker!,
  ...(subcommand && { subcommand }),
  operands: `the build context ${name} build runs the Dockerfile of`,
  safe: `${name} build -f Dockerfile --build-arg VERSION=VALUE . (the context and Dockerfile written in the config)`,
});
DEPLOY_TOOLS['podman'] = builder('podman');
DEPLOY_TOOLS['nerdctl'] = builder('nerdctl');
DEPLOY_TOOLS['buildah'] = builder('buildah', ['build', 'bud']);

/** helm's flags that take no value (before the release and the chart, a word after one is an operand). */
const HELM_FLAGS = new Set([
  ...[
    '-i',
    '--install',
    '--wait',
    '--atomic',
    '--create-namespace',
    '--dry-run',
    '--force',
    '--reuse-values',
  ],
  ...['--reset-values', '--reset-then-reuse-values', '--debug', '--devel', '--dependency-update', '--verify'],
  ...[
    '--cleanup-on-fail',
    '--wait-for-jobs',
    '--skip-crds',
    '--no-hooks',
    '--generate-name',
    '-g',
    '--replace',
  ],
  ...[
    '--disable-openapi-validation',
    '--render-subchart-notes',
    '--insecure-skip-tls-verify',
    '--plain-http',
  ],
  ...[
    '--take-ownership',
    '--rollback-on-failure',
    '--hide-notes',
    '--skip-schema-validation',
    '--enable-dns',
  ],
  ...['--hide-secret', '--include-crds', '--is-upgrade', '--validate', '--pass-credentials', '--skip-tests'],
]);

/** helm's options that take a value written apart (-n ns, --version 1, -f values.yaml). */
const HELM_VALUE_OPTIONS = new Set([
  ...[
    '-n',
    '--namespace',
    '--version',
    '-f',
    '--values',
    '--set',
    '--set-string',
    '--set-file',
    '--set-json',
  ],
  ...['--set-literal', '--timeout', '--kube-context', '--kubeconfig', '--repo', '--username', '--password'],
  ...['--ca-file', '--cert-file', '--key-file', '--post-renderer', '--post-renderer-args', '--description'],
  ...['--history-max', '--labels', '-l', '-o', '--output', '--output-dir', '-a', '--api-versions'],
  ...['--kube-version', '--name-template', '--registry-config', '--repository-config', '--repository-cache'],
  ...['--keyring', '--kube-apiserver', '--kube-as-user', '--kube-as-group', '--kube-token', '--kube-ca-file'],
  ...['--kube-tls-server-name', '--burst-limit', '--qps', '-s', '--show-only', '--max-history'],
]);

/**
 * helm install/upgrade/template's chart operand (`helm upgrade app CHART`; `helm template CHART` with one
 * operand, `helm install -g CHART`). When an option this tool does not know comes before it (it may or may not
 * take the next word), the chart's position is unclear: every operand after the subcommand, and the word after
 * such an option, may be the chart.
 */
function helmCharts(words: readonly string[], at: number): number[] {
  const operands: number[] = [];
  let generate = false;
  let unclear = false;
  for (let j = at + 1; j < words.length; j++) {
    const word = words[j]!;
    if (word === '--') break;
    if (word.startsWith('-')) {
      if (word === '--generate-name' || word === '-g') generate = true;
      if (word.includes('=') || HELM_FLAGS.has(word) || /^-[a-zA-Z]./.test(word)) continue;
      if (HELM_VALUE_OPTIONS.has(word)) j++;
      else if (j + 1 < words.length && !words[j + 1]!.startsWith('-')) {
        // Unknown: the next word is an operand or the option's value.
        unclear = true;
        operands.push(++j);
      }
      continue;
    }
    operands.push(j);
  }
  const sub = operands.findIndex((k) => /^(install|upgrade|template)$/.test(words[k]!));
  if (sub < 0) return [];
  const after = operands.slice(sub + 1);
  if (unclear) return after;
  if (generate) return after.slice(0, 1);
  // helm template [NAME] CHART: one operand is the chart.
  if (words[operands[sub]!] === 'template' && after.length === 1) return after;
  return after.slice(1, 2);
}

/**
 * The option of kubectl/oc that is a cluster of short flags ending in -f or -k (`-Rf DIR`, `-Rfk8s/`): pflag
 * reads `-Rf` as -R and -f. Boolean letters before it are passed over; any other letter takes a value itself.
 */
function kubectlShortCluster(word: string): { option: string; attached: string } | undefined {
  if (!/^-[A-Za-z]{2}/.test(word)) return undefined;
  for (let c = 1; c < word.length; c++) {
    const letter = word[c]!;
    if (letter === 'f' || letter === 'k') return { option: `-${letter}`, attached: word.slice(c + 1) };
    if (!'RwAitqW'.includes(letter)) return undefined;
  }
  return undefined;
}

/** The words of a deploy or infrastructure tool's command that name the code or config it runs (DEPLOY_TOOLS). */
// gcloud app deploy's flags taking a value, with gcloud builds submit's and gcloud's own.
const GCLOUD_DEPLOY_WITH_VALUE = new Set([
  ...GCLOUD_BUILD_WITH_VALUE,
  ...['--version', '--bucket', '--image-url', '--appyaml', '--promote-service-account'],
  // gcloud deploy releases create's.
  ...['--delivery-pipeline', '--skaffold-file', '--from-k8s-manifest', '--from-run-manifest', '--images'],
  ...['--build-artifacts', '--annotations', '--labels', '--to-target', '--deploy-parameters'],
]);

/**
 * Cloud builds: what they build is what runs, as docker build's context (even a plain word picks another
 * directory of the checkout, its Dockerfile or cloudbuild.yaml and its code): az acr build/run's source and
 * -f/--file (the Dockerfile or task file); gcloud builds submit's source and --config (the build's steps);
 * gcloud app deploy's deployables (app.yaml and the service it names). A remote source (a git URL and its ref,
 * gs://…) is left to the rules of URLs, as file-reads.ts leaves it.
 */
function cloudBuildWords(words: readonly string[], at: number, name: string): TaskWord[] {
  const found: TaskWord[] = [];
  const add = (index: number, how: string, safe: string) => {
    if (index < words.length) found.push({ index, kind: 'project', how, safe });
  };
  const local = (indexes: number[]) => indexes.filter((k) => !isRemoteOperand('gs', words[k] ?? ''));
  const values = (options: string[]) => optionValues(words, at + 1, options).map((value) => value.index);
  if (name === 'az') {
    const operands = operandsOf(words, at + 1, { short: 'rtfgo', long: AZ_ACR_WITH_VALUE });
    const verb = words[operands[1] ?? -1];
    if (words[operands[0] ?? -1] !== 'acr' || (verb !== 'build' && verb !== 'run')) return [];
    const safe = `az acr ${verb} -r registry -t app:VALUE -f Dockerfile . (the source and file written in the config, the value in a tag or --build-arg VERSION=VALUE)`;
    for (const k of local(operands.slice(2)))
      add(k, `the source az acr ${verb} uploads and builds (its Dockerfile and code are what runs)`, safe);
    for (const k of values(['--file', '-f']))
      add(k, `the value of az acr ${verb} -f, the Dockerfile or task file it runs`, safe);
    return found;
  }
  // gcloud [alpha|beta] GROUP VERB.
  const operands = operandsOf(words, at + 1, {
    short: 'tv',
    long: GCLOUD_DEPLOY_WITH_VALUE,
    optional: GCLOUD_OPTIONAL,
  });
  const start = ['alpha', 'beta'].includes(words[operands[0] ?? -1] ?? '') ? 1 : 0;
  const [group, verb] = [words[operands[start] ?? -1], words[operands[start + 1] ?? -1]];
  const rest = operands.slice(start + 2);
  if (group === 'builds' && verb === 'submit') {
    const safe =
      'gcloud builds submit services/api --config cloudbuild.yaml --substitutions _VERSION=VALUE (the source and config written in the config)';
    for (const k of local(rest))
      add(
        k,
        'the source gcloud builds submit uploads and builds (its Dockerfile or cloudbuild.yaml says what runs)',
        safe,
      );
    for (const k of values(['--config']))
      add(k, 'the value of gcloud builds submit --config, the build steps it runs', safe);
  } else if (group === 'app' && verb === 'deploy') {
    const safe =
      'gcloud app deploy app.yaml --version VALUE (the deployables written in the config, a command per environment if they differ)';
    for (const k of rest)
      add(
        k,
        'what gcloud app deploy deploys (an app.yaml names the service and its code, which then runs)',
        safe,
      );
    // --appyaml FILE: the app.yaml used instead of the deployable's own (its runtime, entrypoint and service).
    for (const k of values(['--appyaml']))
      add(k, 'the value of gcloud app deploy --appyaml, the app.yaml deployed (its entrypoint runs)', safe);
  } else if (group === 'deploy' && verb === 'releases' && words[rest[0] ?? -1] === 'create') {
    // Cloud Deploy: the source it uploads (skaffold.yaml and the manifests it renders) says what is deployed.
    const safe =
      'gcloud deploy releases create rel-VALUE --delivery-pipeline app --source deploy/ --images app=registry/app:VALUE (the source written in the config)';
    for (const k of values(['--source']).filter((k) => !isRemoteOperand('gs', words[k] ?? '')))
      add(
        k,
        'the source gcloud deploy releases create uploads (its skaffold.yaml and manifests say what is deployed)',
        safe,
      );
  }
  return found;
}

export function deployToolWords(
  words: readonly string[],
  at: number,
  name: string,
  checked?: Map<number, CheckedName>,
): TaskWord[] {
  if (name === 'az' || name === 'gcloud') return cloudBuildWords(words, at, name);
  // buildx's own binary (docker-buildx bake, buildx bake).
  if (name === 'buildx' || name === 'docker-buildx') {
    const bake = bakeAt(words, at);
    return bake === undefined ? [] : bakeWords(words, bake, `${name} bake`, checked);
  }
  const tool = DEPLOY_TOOLS[name];
  if (!tool) return [];
  // docker: only build (and compose, whose -f is its file); docker run -f is not this.
  let from = at + 1;
  const choosing = tool.choosing;
  // kubectl logs -f is --follow: no file.
  const logs = words.findIndex((w, k) => k > at && w === 'logs' && !words[k - 1]!.startsWith('-'));
  if ((name === 'kubectl' || name === 'oc') && logs > 0) return [];
  if (tool.subcommand) {
    const sub = words.findIndex((w, k) => k > at && !w.startsWith('-'));
    if (sub < 0 || !tool.subcommand.includes(words[sub]!)) return [];
    // docker buildx bake: its targets, bake files and --set (bakeWords).
    const bake = words[sub] === 'buildx' ? bakeAt(words, sub) : undefined;
    if (bake !== undefined) return bakeWords(words, bake, `${name} buildx bake`, checked);
    if (!/^(build|bud|compose)$/.test(words[sub]!) && words[sub + 1] !== 'build') return [];
    from = sub + 1;
  }
  const building =
    tool.subcommand !== undefined &&
    words
      .slice(at + 1, from)
      .concat(words[from] ?? '')
      .some((word) => word === 'build' || (name === 'buildah' && word === 'bud'));
  const found: TaskWord[] = [];
  // docker compose's -f and --project-directory: the compose file whose services are deployed.
  const compose = tool.kind === 'build' && words[from - 1] === 'compose';
  // They are compose's own options, before its subcommand: after it -f is what the subcommand says (logs -f is
  // --follow, rm -f --force), and --file or --project-directory is none of compose's.
  const composeOwnEnd = compose || name === 'docker-compose' ? composeSubcommand(words, from) : words.length;
  const kind = compose ? 'deployed' : (tool.kind ?? 'project');
  const safe = compose ? DEPLOY_TOOLS['docker-compose']!.safe : tool.safe;
  const label = compose ? `${name} compose` : name;
  const add = (index: number, how: string) => {
    if (index < words.length) found.push({ index, kind, how, safe });
  };
  if (name === 'helm')
    for (const chart of helmCharts(words, at))
      add(chart, 'the chart helm installs, whose workloads run in the cluster');
  // kustomize build DIR, kubectl/oc kustomize DIR: the kustomization built (and applied).
  const sub = words.findIndex((w, k) => k > at && !w.startsWith('-'));
  if (
    (name === 'kustomize' && words[sub] === 'build') ||
    ((name === 'kubectl' || name === 'oc') && words[sub] === 'kustomize')
  )
    for (let j = sub + 1; j < words.length; j++) {
      const word = words[j]!;
      if (word === '--') break;
      if (word.startsWith('-')) {
        // Its options with a value apart (--load-restrictor X, -o FILE, --helm-command helm).
        if (!word.includes('=') && !/^--(enable|load-restrictor-none|reorder-?$)/.test(word)) {
          if (/^(-o|--output|--load-restrictor|--helm-command|--mount|--env|-e|--network-name)$/.test(word))
            j++;
        }
        continue;
      }
      add(j, `the kustomization ${name} ${words[sub]} builds, whose resources are applied to the cluster`);
    }
  for (let j = from; j < words.length; j++) {
    const word = words[j]!;
    if (word === '--') break;
    if (word.startsWith('-') && word !== '-') {
      const eq = word.indexOf('=');
      const option = eq > 0 ? word.slice(0, eq) : word;
      // kubectl's -Rf DIR, -RfDIR: a cluster of flags ending in -f or -k.
      const cluster = name === 'kubectl' || name === 'oc' ? kubectlShortCluster(word) : undefined;
      if (cluster !== undefined) {
        const value = cluster.attached || words[j + 1];
        if (value !== '-')
          add(
            cluster.attached ? j : j + 1,
            `the value of ${name} ${cluster.option}, which chooses the code or config that runs`,
          );
        if (!cluster.attached) j++;
        continue;
      }
      // -fFILE attached (kubectl, helm).
      const short = !word.startsWith('--') && word.length > 2 && eq < 0 ? word.slice(0, 2) : undefined;
      // `-f -` is standard input: a here-document's values are checked as a manifest's (shell-script.ts).
      const value = eq > 0 ? word.slice(eq + 1) : short !== undefined ? word.slice(2) : words[j + 1];
      if (tool.programs?.includes(option)) {
        const index = eq > 0 ? j : j + 1;
        if (index < words.length)
          found.push({ index, kind: 'program', how: `the program ${name} ${option} runs`, safe: tool.safe });
        if (eq < 0) j++;
        continue;
      }
      if (j > composeOwnEnd && COMPOSE_OWN.includes(short ?? option)) continue;
      // --target names a stage, --attest an attestation, not a file: only a template there counts (not as a path
      // read from a cd's directory).
      if (
        choosing.includes(short ?? option) &&
        value !== '-' &&
        ((option !== '--target' && !ATTESTATION_OPTIONS.includes(option)) || /\{\{/.test(value ?? ''))
      )
        add(
          eq > 0 || short !== undefined ? j : j + 1,
          tool.kind === 'configuration'
            ? `the value of ${name} ${short ?? option}, which chooses the configuration it applies`
            : tool.kind === 'program'
              ? `the app ${name} ${short ?? option} runs (a command line, or the cloud assembly it deploys)`
              : `the value of ${label} ${short ?? option}, which chooses the code or config that runs`,
        );
      if (choosing.includes(option) && eq < 0) j++;
      continue;
    }
    // An operand: not the value of the option before it (-t app:{{x}}, -e version={{x}}, -l web). A build's
    // options are known (BUILD_VALUES): the word after a flag is its context (docker build --no-cache {{x}}), and
    // after an option not known here too (a false refusal rather than a miss).
    const before = words[j - 1] ?? '';
    const runner = name === 'docker' || name === 'podman' || name === 'nerdctl' || name === 'buildah';
    const takes = runner
      ? !before.includes('=') &&
        (BUILD_VALUES.includes(before) ||
          (/^-[A-Za-z]+$/.test(before) && BUILD_VALUES.includes(`-${before.at(-1)!}`)))
      : before.startsWith('-') && !before.includes('=');
    // (docker compose build's operands are services of the compose file, not a context: compose-services.ts.)
    if (tool.operands === undefined || takes || compose) continue;
    if (runner && (!building || word === 'build' || word === 'buildx' || word === 'bud')) continue;
    add(j, tool.operands);
  }
  return found;
}

/** compose's options that choose its file (`composeOwnEnd` in deployToolWords). */
const COMPOSE_OWN = ['-f', '--file', '--project-directory'];

/** buildx's options before its subcommand that take a value (`docker buildx --builder b bake`). */
const BUILDX_VALUES = ['--builder', '--debug-addr'];

/** The word `bake` (or its alias `f`) of a buildx command whose `buildx` is `words[at]`, or undefined. */
function bakeAt(words: readonly string[], at: number): number | undefined {
  for (let j = at + 1; j < words.length; j++) {
    const word = words[j]!;
    if (BUILDX_VALUES.includes(word)) j++;
    else if (!word.startsWith('-')) return word === 'bake' || word === 'f' ? j : undefined;
  }
  return undefined;
}

/** docker buildx bake's options that take a value (docker buildx bake --help). */
const BAKE_VALUES = [
  ...['-f', '--file', '--set', '--builder', '--metadata-file', '--progress', '--provenance', '--sbom'],
  ...['--call', '--list', '--allow', '--var'],
];
/** Its options that take none. */
const BAKE_FLAGS = ['--load', '--push', '--pull', '--no-cache', '--print', '--check', '--debug', '-D'];

/**
 * The fields of a bake target whose value chooses what is built and so what runs: its context and Dockerfile
 * (the RUN steps), the stage built (`target`), the cache whose layers stand for the results of RUN steps.
 */
const BAKE_CHOOSING_FIELD = /^(context|contexts\..*|dockerfile|dockerfile-inline|target|cache-from|attest)$/;

/**
 * The fields of a bake target whose value names files of this machine the build reads (and its RUN steps can
 * send) or writes, or rights it grants: a template anywhere in their value chooses them. A "," in a value adds
 * another entry or key (`--set app.output=type=registry,name=r/app:{{x}}` given `1,type=local,dest=/home/runner`).
 */
const BAKE_HOST_FIELDS: Readonly<Record<string, string>> = lookupTable({
  secrets: 'the local files the build reads as secrets (id=NAME,src=FILE), which its RUN steps can send',
  ssh: 'the SSH agent socket or keys of this machine the build may use (default=KEY)',
  output: 'where the build writes its result (type=local,dest=DIR on this machine) or pushes it',
  'cache-to': 'where the build writes its cache (type=local,dest=DIR on this machine) or pushes it',
  entitlements: 'the rights the build gets (network.host, security.insecure, fs.read=PATH)',
  network: "the network the build's RUN steps use (host: this machine's)",
});

const BAKE_SAFE =
  'docker buildx bake app --set app.args.VERSION=VALUE (the target and the bake file written in the config; the value a build argument, or a tag: --set app.tags=registry/app:VALUE)';

/**
 * docker buildx bake (`words[bake]` is `bake`): the targets it builds (a target names its context, its
 * Dockerfile and so the RUN steps that run, like `make TARGET`), the bake files it reads (-f), the entitlements it
 * grants (--allow), and in `--set TARGET.FIELD=VALUE` the target and the field set (a template there chooses
 * what is overridden, on which build) and the value of a field that chooses what is built (context,
 * dockerfile, target, cache-from).
 */
function bakeWords(
  words: readonly string[],
  bake: number,
  program: string,
  checked?: Map<number, CheckedName>,
): TaskWord[] {
  const found: TaskWord[] = [];
  const add = (index: number, kind: TaskWord['kind'], how: string) => {
    if (index < words.length) found.push({ index, kind, how, safe: BAKE_SAFE });
  };
  const target = `the target ${program} builds (the bake file names its context and Dockerfile, whose RUN steps run)`;
  for (let j = bake + 1; j < words.length; j++) {
    const word = words[j]!;
    if (word === '--') {
      for (let k = j + 1; k < words.length; k++) add(k, 'target', target);
      break;
    }
    if (!word.startsWith('-') || word === '-') {
      add(j, 'target', target);
      continue;
    }
    // --opt=VALUE, -fFILE, or the value apart.
    const long = word.startsWith('--');
    const eq = long ? word.indexOf('=') : -1;
    const option = eq > 0 ? word.slice(0, eq) : long ? word : word.slice(0, 2);
    const attached = eq > 0 ? word.slice(eq + 1) : !long && word.length > 2 ? word.slice(2) : undefined;
    if (!BAKE_VALUES.includes(option)) {
      // An option this tool does not know may take the next word: that word may be its value or a target.
      if (!BAKE_FLAGS.includes(option) && attached === undefined && !(words[j + 1] ?? '-').startsWith('-'))
        add(
          ++j,
          'target',
          `${target}, or the value of ${option}, an option this tool does not know (attach its value: ${option}=VALUE)`,
        );
      continue;
    }
    const index = attached === undefined ? ++j : j;
    const value = attached ?? words[index];
    if (value === undefined) break;
    if ((option === '-f' || option === '--file') && value !== '-')
      add(index, 'build', `the value of ${program} ${option}, which chooses the code or config that runs`);
    else if (ATTESTATION_OPTIONS.includes(option) && /\{\{/.test(value))
      add(
        index,
        'build',
        `the attestation ${program} ${option} asks for (its generator= is an image that runs on the build's results)`,
      );
    else if (option === '--metadata-file')
      // A file of this machine written, as a build's --metadata-file (mount-values.ts WRITTEN_FILES).
      add(
        index,
        'container-write',
        `the file of this machine the build metadata is written to, which ${program} --metadata-file names`,
      );
    else if (option === '--allow')
      add(
        index,
        'project',
        `the entitlement ${program} --allow grants the build (host paths it may read or write, the host network, an insecure sandbox)`,
      );
    else if (option === '--set') {
      // TARGET.FIELD=VALUE, TARGET.FIELD+=VALUE.
      const assign = value.indexOf('=');
      const key = (assign < 0 ? value : value.slice(0, assign)).replace(/\+$/, '');
      const field = key.includes('.') ? key.slice(key.indexOf('.') + 1) : '';
      if (/\{\{/.test(key))
        add(index, 'target', `the target or the field ${program} --set overrides (TARGET.FIELD)`);
      else if (
        assign > 0 &&
        (field === 'output' || field === 'cache-to') &&
        /\{\{/.test(value.slice(assign + 1)) &&
        isBuildReference(`--${field}`, value.slice(assign + 1))
      ) {
        // type=registry,name=registry/app:{{v}}: a value in an image or cache name, checked once rendered; one
        // that is the whole image (name={{v}}), starts it or is in its registry is refused, as -t's is.
        // (Once: `docker buildx bake` is read at docker, not again at buildx.)
        const image = buildReferenceRefusal(value.slice(assign + 1));
        if (image)
          add(
            index,
            'container-image',
            `the image ${program} --set ${key} ${image.key}= names, where the value would be ${image.what}`,
          );
        else if (!checked?.has(index))
          checked?.set(index, {
            kind: 'reference',
            how: `the image or cache reference ${program} --set ${key} names`,
          });
      } else if (assign > 0 && field === 'tags' && /\{\{/.test(value.slice(assign + 1))) {
        // The image the build is named and pushed as, as -t's (imageReference): refused or checked once rendered.
        const image: ContainerMounts = { refused: [], volumes: [], users: [], names: new Map() };
        const word = words[index]!;
        const prefix = word.slice(0, word.length - value.length) + value.slice(0, assign + 1);
        imageReference(image, index, word, prefix, '', `the image ${program} --set ${key} names`);
        for (const refused of image.refused) add(index, 'container-image', refused.how);
        for (const [at, check] of image.names) if (!checked?.has(at)) checked?.set(at, check);
      } else if (
        assign > 0 &&
        /\{\{/.test(value.slice(assign + 1)) &&
        /^args\.((https?|ftp|no|all)_proxy|BUILDKIT_SYNTAX)$/i.test(field)
      )
        // args.HTTP_PROXY (HTTPS_, FTP_, NO_, ALL_PROXY, any case), args.BUILDKIT_SYNTAX: as docker build's
        // --build-arg (container-mounts.ts).
        add(
          index,
          'deploy-source',
          /^args\.BUILDKIT_SYNTAX$/i.test(field)
            ? `the frontend image that runs the build (it reads the Dockerfile, the context, and the secrets and ssh keys the build is given), which ${program} --set ${key} chooses`
            : `the proxy every download of the build's RUN steps goes through (Docker gives HTTP_PROXY, HTTPS_PROXY, FTP_PROXY, NO_PROXY and ALL_PROXY to them without an ARG: a proxy of its choosing sees and changes what they fetch), which ${program} --set ${key} chooses`,
        );
      else if (assign > 0 && /\{\{/.test(value.slice(assign + 1)) && Object.hasOwn(BAKE_HOST_FIELDS, field))
        add(index, 'build-host', `the ${field} ${program} --set ${key} sets: ${BAKE_HOST_FIELDS[field]}`);
      else if (assign > 0 && /\{\{/.test(value.slice(assign + 1)) && BAKE_CHOOSING_FIELD.test(field))
        add(
          index,
          field === 'target' ? 'target' : 'build',
          field === 'target'
            ? `the stage of the Dockerfile ${program} --set ${key} builds, whose RUN steps run`
            : `the ${field} ${program} --set ${key} sets, which chooses the code that runs`,
        );
    }
  }
  return found;
}
