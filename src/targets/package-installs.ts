import { lookupTable } from './lookup-table.ts'; // Package installs whose package spec a value would choose: `npm install {{x}}`, `pip install {{x}}`,
// `gem install {{x}}`, `go install {{x}}`, `cargo install {{x}}`, `composer require {{x}}`, `deno install {{x}}`,
// and the system's `apt-get install {{x}}`, `yum`/`dnf`/`zypper install {{x}}`, `apk add {{x}}`, `brew install
// {{x}}` (a package's maintainer scripts run as root). Installing runs code the package chose (npm's
// install scripts, a source distribution's setup.py, a gem's extensions, a build script), and a spec picks any
// package, a git repository, a URL or a local path (`npm:other@1`, `git+https://…`, `./x`). So a template in a
// spec, or in an option that picks where packages come from (--registry, --index-url, -r FILE, --git), is
// refused, except a version appended to a fixed name where the tool has that syntax (`app@{{version}}`,
// `app=={{version}}`, apt's and apk's `app={{version}}`, composer's `vendor/app:{{version}}`), whose value must
// then be version-shaped when the command runs (versionValueProblem). Pure.

/** A word of an install command that names what is installed, or where from. */
export interface InstallWord {
  index: number;
  /** What the word is, for messages ("the package npm install fetches"). */
  how: string;
  /** `NAME@{{v}}` or `NAME=={{v}}`: a fixed name with a version appended; checked once rendered. */
  pinned: boolean;
}

interface Installer {
  /** The words of the install subcommand (after the program and any of `prefix`). */
  subcommands: readonly string[];
  /** Words before the subcommand (`python -m pip`, `pipx`'s none). */
  options: readonly string[];
  /** Options whose value chooses where packages come from, or a file listing them. */
  choosing: readonly string[];
  /** Separators between a fixed name and an appended version; none: the tool has no such syntax. */
  pins: readonly string[];
  /** What may come before the name of a pinned spec (deno's `npm:` and `jsr:`). */
  scheme?: RegExp;
  /** Words between the program and the subcommand that group it (`composer global require`). */
  groups?: readonly string[];
  /**
   * Only the first operand names what is fetched, the others are its arguments (`deno install -g URL ARGS`):
   * given the words from the subcommand on.
   */
  firstOnly?: (words: readonly string[]) => boolean;
  /** Its choosing options count after any subcommand, not only an install's (apt-get upgrade -o …). */
  optionsEverywhere?: boolean;
}

const NPM: Installer = {
  subcommands: ['install', 'i', 'add', 'isntall', 'in', 'ins', 'inst', 'insta', 'instal', 'update', 'up'],
  options: [
    ...['--prefix', '-w', '--workspace', '--tag', '--save-prefix', '--omit', '--include', '--cache'],
    ...['-C', '--dir', '--filter', '-F', '--cwd', '--userconfig', '--loglevel', '--network-concurrency'],
  ],
  choosing: ['--registry', '--userconfig', '--globalconfig'],
  pins: ['@'],
};

const PIP: Installer = {
  subcommands: ['install', 'download', 'wheel'],
  options: [
    ...['-t', '--target', '--prefix', '--root', '--platform', '--python-version', '--implementation'],
    ...['--abi', '--no-binary', '--only-binary', '--progress-bar', '--upgrade-strategy', '--cert'],
    ...['--client-cert', '--proxy', '--timeout', '--retries', '--src', '--log', '--report', '--trusted-host'],
    ...[
      '-d',
      '--dest',
      '-w',
      '--wheel-dir',
      '--python',
      '--cache-dir',
      '--exists-action',
      '--root-user-action',
    ],
  ],
  choosing: [
    ...['-r', '--requirement', '-c', '--constraint', '-e', '--editable', '-i', '--index-url'],
    ...['--extra-index-url', '-f', '--find-links', '--config-settings', '-C'],
  ],
  pins: ['==', '==='],
};

const GEM: Installer = {
  subcommands: ['install', 'i', 'update'],
  options: [
    ...['-v', '--version', '-i', '--install-dir', '-n', '--bindir', '--platform', '-P', '--trust-policy'],
    ...['--document', '--build-root', '--target-rbconfig', '-g', '--file', '--without', '-p', '--http-proxy'],
  ],
  choosing: ['-s', '--source', '-g', '--file'],
  pins: [':'],
};

const GO: Installer = {
  subcommands: ['install', 'get'],
  options: ['-C', '-o', '-p', '-tags', '-ldflags', '-gcflags', '-asmflags', '-mod', '-modfile', '-overlay'],
  choosing: ['-toolexec', '-exec'],
  pins: ['@'],
};

const CARGO: Installer = {
  subcommands: ['install'],
  options: [
    ...['--version', '--vers', '--bin', '--example', '--features', '-F', '-j', '--jobs', '--profile'],
    ...['--target', '--target-dir', '--root', '--config', '-Z', '--color', '--branch', '--tag', '--rev'],
  ],
  choosing: ['--git', '--path', '--registry', '--index'],
  pins: ['@'],
};

const COMPOSER: Installer = {
  subcommands: ['require', 'create-project', 'r'],
  options: ['-d', '--working-dir', '-s', '--stability'],
  choosing: ['--repository', '--repository-url'],
  pins: [':', '='],
  groups: ['global'],
};

const DENO: Installer = {
  subcommands: ['install', 'i', 'add'],
  options: [
    ...['--lock', '--cert', '--location', '-n', '--name', '--root', '--seed', '--ext', '--entrypoint'],
    ...['-L', '--log-level', '--env-file'],
  ],
  // A config or import map maps any import to any URL.
  choosing: ['-c', '--config', '--import-map'],
  pins: ['@'],
  scheme: /^(npm|jsr):/,
  // deno install -g SCRIPT ARGS…: the script, then its arguments.
  firstOnly: (words) => words.some((w) => w === '-g' || w === '--global'),
};

const APT: Installer = {
  optionsEverywhere: true,
  subcommands: ['install', 'reinstall', 'build-dep', 'satisfy', 'source'],
  options: ['-a', '--host-architecture'],
  // -o sets any apt option (APT::Update::Pre-Invoke and DPkg::Pre-Invoke run commands); -t picks the release.
  choosing: [...['-o', '--option', '-c', '--config-file', '-t', '--target-release', '--default-release']],
  pins: ['='],
};

const YUM: Installer = {
  optionsEverywhere: true,
  subcommands: ['install', 'in', 'reinstall', 'localinstall', 'upgrade', 'update', 'up', 'downgrade'],
  options: [
    ...['--installroot', '-x', '--exclude', '--forcearch', '--debuglevel', '--errorlevel'],
    ...['--downloaddir', '--destdir', '--rpmverbosity', '--color', '--advisory', '--cve'],
  ],
  choosing: [
    ...['-c', '--config', '--repofrompath', '--setopt', '--enablerepo', '--disablerepo', '--repo'],
    ...['--repoid', '--releasever', '-r', '--from', '-p', '--plus-repo'],
  ],
  pins: [],
};

// zypper reads a version after =, >= or <= (zypper install 'app>=1.2'); yum and dnf have none (app-1.2 is a
// name too: app-{{x}} names app-other).
const ZYPPER: Installer = { ...YUM, pins: ['=', '>=', '<='] };

const APK: Installer = {
  optionsEverywhere: true,
  subcommands: ['add'],
  options: ['-p', '--root', '-t', '--virtual', '--arch', '--cache-dir', '--cache-max-age'],
  choosing: ['-X', '--repository', '--repositories-file', '--keys-dir'],
  pins: ['='],
};

const BREW: Installer = {
  optionsEverywhere: true,
  subcommands: ['install', 'reinstall', 'upgrade', 'tap'],
  options: ['--cc', '--appdir', '--fontdir'],
  choosing: [],
  pins: [],
};

/** The installer of a program and the words before its subcommand, or undefined. */
function installerFor(
  words: readonly string[],
  at: number,
  name: string,
): { installer: Installer; from: number } | undefined {
  if (['npm', 'pnpm', 'yarn', 'bun', 'cnpm'].includes(name)) return { installer: NPM, from: at + 1 };
  if (/^pip[\d.]*$/.test(name) || name === 'uv' || name === 'pipx') {
    // uv pip install, uv add, uv tool install, pipx install.
    const group = words[at + 1] === 'pip' || words[at + 1] === 'tool' ? at + 2 : at + 1;
    return { installer: PIP, from: name === 'uv' || name === 'pipx' ? group : at + 1 };
  }
  if (/^(python|pypy)[\d.]*$/.test(name)) {
    const m = words.indexOf('-m', at + 1);
    return m > 0 && /^pip[\d.]*$/.test(words[m + 1] ?? '') ? { installer: PIP, from: m + 2 } : undefined;
  }
  if (name === 'gem') return { installer: GEM, from: at + 1 };
  if (name === 'go') return { installer: GO, from: at + 1 };
  if (name === 'cargo') return { installer: CARGO, from: at + 1 };
  if (name === 'composer') return { installer: COMPOSER, from: at + 1 };
  if (name === 'deno') return { installer: DENO, from: at + 1 };
  if (['apt-get', 'apt', 'aptitude'].includes(name)) return { installer: APT, from: at + 1 };
  if (name === 'zypper') return { installer: ZYPPER, from: at + 1 };
  if (['yum', 'dnf', 'dnf5', 'microdnf', 'tdnf'].includes(name)) return { installer: YUM, from: at + 1 };
  if (name === 'apk') return { installer: APK, from: at + 1 };
  if (name === 'brew') return { installer: BREW, from: at + 1 };
  return undefined;
}

/**
 * dpkg and rpm install the package files they are given (`dpkg -i FILE`, `rpm -Uvh FILE`): their maintainer
 * scripts run as root, and the file is the package. Their install modes, and their options that take a value.
 */
const PACKAGE_FILES: Record<string, { modes: RegExp; values: readonly string[] }> = lookupTable({
  dpkg: {
    modes: /^(-[a-zA-Z]*i[a-zA-Z]*|--install|--unpack|--record-avail|-A)$/,
    values: ['--root', '--admindir', '--instdir', '-D', '--debug', '--log', '--status-fd', '--path-exclude'],
  },
  rpm: {
    modes: /^(-[a-zA-Z]*[iUF][a-zA-Z]*|--install|--upgrade|--freshen|--reinstall)$/,
    values: ['--root', '-r', '--dbpath', '--prefix', '--relocate', '--excludepath', '--define', '-D'],
  },
});

/** The package files of a dpkg or rpm install. */
function packageFileWords(words: readonly string[], at: number, name: string): InstallWord[] {
  const tool = PACKAGE_FILES[name];
  if (!tool || !words.slice(at + 1).some((w) => tool.modes.test(w))) return [];
  const how = `the package file ${name} installs, whose maintainer scripts run as root`;
  const out: InstallWord[] = [];
  let options = true;
  for (let j = at + 1; j < words.length; j++) {
    const word = words[j]!;
    if (options && word === '--') options = false;
    else if (options && word.startsWith('-') && word.length > 1) {
      // --root/--instdir: the maintainer scripts run chrooted there, with that tree's /bin/sh.
      if (/^(--root|-r|--instdir|--admindir|--dbpath)$/.test(word))
        out.push({
          index: j + 1,
          how: `the value of ${name} ${word}, the tree whose programs run its maintainer scripts`,
          pinned: false,
        });
      if (tool.values.includes(word)) j++;
    } else out.push({ index: j, how, pinned: false });
  }
  return out;
}

/** The words of `words[at]`'s command (templates unrendered) that name what an install fetches, or none. */
export function installWords(words: readonly string[], at: number, name: string): InstallWord[] {
  if (name in PACKAGE_FILES) return packageFileWords(words, at, name);
  const found = installerFor(words, at, name);
  if (!found) return [];
  const { installer, from } = found;
  const out: InstallWord[] = [];
  const choosing = (index: number, said: string, option: string) =>
    out.push({
      index,
      how: `the value of ${said} ${option}, which chooses where packages come from`,
      pinned: false,
    });
  /** The option at word j: records a choosing option's value; returns the index of its last word. */
  const option = (j: number, said: string): number => {
    const word = words[j]!;
    // -oVALUE, -XVALUE: a short option that chooses, with its value attached.
    const glued = installer.choosing.find(
      (o) => /^-\w$/.test(o) && word.startsWith(o) && word.length > 2 && !word.startsWith('--'),
    );
    if (glued !== undefined) {
      choosing(j, said, glued);
      return j;
    }
    const attached = word.includes('=');
    const name = attached ? word.slice(0, word.indexOf('=')) : word;
    if (installer.choosing.includes(name)) choosing(attached ? j : j + 1, said, name);
    return !attached && (installer.options.includes(name) || installer.choosing.includes(name)) ? j + 1 : j;
  };
  // The subcommand: the first word after the program's options (npm -g install, npm --prefix x install), whose
  // choosing options count whatever the subcommand (npm --userconfig F run, apt-get -o … update).
  const program = installer === PIP && !/^pip/.test(name) && name !== 'uv' && name !== 'pipx' ? 'pip' : name;
  const skipOptions = (k: number) => {
    for (; k < words.length && words[k]!.startsWith('-') && words[k] !== '-'; k++) k = option(k, program);
    return k;
  };
  let sub = skipOptions(from);
  // An option not known here may take a value (yum -d 2 install): then the subcommand is one word further.
  const known = (k: number) =>
    [...installer.subcommands, ...(installer.groups ?? []), ...(name === 'uv' ? ['add'] : [])].includes(
      words[k] ?? '',
    );
  if (!known(sub) && sub > from && words[sub - 1]!.startsWith('-') && known(skipOptions(sub + 1)))
    sub = skipOptions(sub + 1);
  const group = installer.groups?.includes(words[sub] ?? '') ? words[sub] : undefined;
  if (group !== undefined) sub = skipOptions(sub + 1);
  const subcommand = words[sub];
  const extra = name === 'uv' ? ['add'] : [];
  const installs = subcommand !== undefined && [...installer.subcommands, ...extra].includes(subcommand);
  // A system package manager's options mean the same after any subcommand (apt-get upgrade -o …).
  if (!installs && (!installer.optionsEverywhere || subcommand === undefined))
    return out.filter((w) => w.index < words.length);
  // uv pip install, composer global require: the words that name the subcommand, without option values.
  const said = [program, ...(program === name ? words.slice(at + 1, from) : []), group, subcommand]
    .filter((w) => w !== undefined && !w.startsWith('-'))
    .join(' ');
  const how = `the package ${said} fetches, whose install or build scripts run`;
  let options = true;
  for (let j = sub + 1; j < words.length; j++) {
    const word = words[j]!;
    if (options && word === '--') {
      options = false;
      continue;
    }
    if (options && word.startsWith('-') && word.length > 1) {
      j = option(j, said);
      continue;
    }
    if (!installs) continue;
    out.push({ index: j, how, pinned: isPinned(word, installer) });
    if (installer.firstOnly?.(words.slice(sub))) break;
  }
  return out.filter((w) => w.index < words.length);
}

/** A fixed package name, a separator, and one template that ends the word: `app@{{version}}`. */
function isPinned(word: string, installer: Installer): boolean {
  const scheme = installer.scheme?.exec(word)?.[0] ?? '';
  const rest = word.slice(scheme.length);
  return installer.pins.some((pin) => {
    const m = new RegExp(`^([A-Za-z0-9@][\\w./-]*?)${escape(pin)}\\{\\{\\s*[A-Za-z_]\\w*\\s*\\}\\}$`).exec(
      rest,
    );
    return m !== null && !m[1]!.includes('{{') && !/[:=]/.test(m[1]!);
  });
}

/**
 * How to write an install of this tool (`words[at]`) so that a value cannot choose the package, for messages: a
 * version appended to a fixed name where the tool has that syntax (`app@{{v}}`, `app=={{v}}`, `app={{v}}`), else
 * the package written out in the config.
 */
export function pinExample(words: readonly string[], at: number, index: number, placeholder: string): string {
  const name = words[at]!.slice(words[at]!.lastIndexOf('/') + 1);
  const perEnvironment = 'or write a command per environment under environments.<name>.target';
  if (name in PACKAGE_FILES)
    return name === 'dpkg'
      ? `name the file in the config (dpkg -i /srv/packages/app_1.2.3.deb), ${perEnvironment}, or install from a repository with a version pin (apt-get install -y app=${placeholder}), which must then be a version when the command runs`
      : `name the file in the config (rpm -Uvh /srv/packages/app-1.2.3.rpm), ${perEnvironment}`;
  const found = installerFor(words, at, name);
  const pin = found?.installer.pins[0];
  if (found && pin === undefined)
    return `name the package in the config with its version written out, ${perEnvironment}: ${name} has no version syntax a value could fill (app-${placeholder} or app@${placeholder} names another package)`;
  const spec = found?.installer === COMPOSER ? 'vendor/app' : found?.installer === DENO ? 'npm:app' : 'app';
  // The command as written up to the package, the templates in it left out.
  const command = words.slice(at, index).filter((w) => !/\{\{/.test(w));
  return `name the package in the config and let the value be its version only (${[...command, `${spec}${pin ?? '@'}${placeholder}`].join(' ')}), which must then be a version when the command runs`;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A version: a digit (after an optional v, or a Debian epoch `N:`), then letters, digits and . + - _ ~
 * (Debian's and Ubuntu's `5:24.0.7-1~ubuntu.22.04~jammy`). Never a tag, a path or a URL: no `/`, no `@`,
 * and a `:` only as the epoch, so `npm:other@1` and `git+https://…` stay refused.
 */
const VERSION = /^(?:\d+:)?v?\d[0-9A-Za-z.+_~-]*$/;

/** Why a value appended as a version to a fixed package name is refused once rendered, or undefined. */
export function versionValueProblem(name: string, value: string): string | undefined {
  if (VERSION.test(value)) return undefined;
  return `{{${name}}} is the version of a package an install fetches (NAME@{{${name}}}), and its value ${JSON.stringify(value.slice(0, 40))} is not a version: a value there must start with a digit (or v and a digit, or a Debian epoch N:) and hold only letters, digits and . + - _ ~, since another spec (a tag, npm:other@1, a git or file URL) would choose the package whose scripts run`;
}
