// Package installs whose package spec a value would choose: `npm install {{x}}`, `pip install {{x}}`,
// `gem install {{x}}`, `go install {{x}}`, `cargo install {{x}}`. Installing runs code the package chose (npm's
// install scripts, a source distribution's setup.py, a gem's extensions, a build script), and a spec picks any
// package, a git repository, a URL or a local path (`npm:other@1`, `git+https://…`, `./x`). So a template in a
// spec, or in an option that picks where packages come from (--registry, --index-url, -r FILE, --git), is
// refused, except a version appended to a fixed name (`app@{{version}}`, `app=={{version}}`), whose value must
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
  /** Separators between a fixed name and an appended version. */
  pins: readonly string[];
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
  return undefined;
}

/** The words of `words[at]`'s command (templates unrendered) that name what an install fetches, or none. */
export function installWords(words: readonly string[], at: number, name: string): InstallWord[] {
  const found = installerFor(words, at, name);
  if (!found) return [];
  const { installer, from } = found;
  // The subcommand: the first word after the program's options (npm -g install, npm --prefix x install).
  let sub = from;
  while (sub < words.length && words[sub]!.startsWith('-'))
    sub += installer.options.includes(words[sub]!) ? 2 : 1;
  const subcommand = words[sub];
  const extra = name === 'uv' ? ['add'] : [];
  if (subcommand === undefined || ![...installer.subcommands, ...extra].includes(subcommand)) return [];
  const program = installer === PIP && !/^pip/.test(name) && name !== 'uv' && name !== 'pipx' ? 'pip' : name;
  const said = [program, ...(program === name ? words.slice(at + 1, sub) : []), subcommand]
    .filter((w) => !w.startsWith('-'))
    .join(' ');
  const how = `the package ${said} fetches, whose install or build scripts run`;
  const out: InstallWord[] = [];
  let options = true;
  for (let j = sub + 1; j < words.length; j++) {
    const word = words[j]!;
    if (options && word === '--') {
      options = false;
      continue;
    }
    if (options && word.startsWith('-') && word.length > 1) {
      const option = word.includes('=') ? word.slice(0, word.indexOf('=')) : word;
      const attached = word.includes('=');
      if (installer.choosing.includes(option))
        out.push({
          index: attached ? j : j + 1,
          how: `the value of ${said} ${option}, which chooses where packages come from`,
          pinned: false,
        });
      if (!attached && (installer.options.includes(option) || installer.choosing.includes(option))) j++;
      continue;
    }
    out.push({ index: j, how, pinned: isPinned(word, installer.pins) });
  }
  return out.filter((w) => w.index < words.length);
}

/** A fixed package name, a separator, and one template that ends the word: `app@{{version}}`. */
function isPinned(word: string, pins: readonly string[]): boolean {
  return pins.some((pin) => {
    const m = new RegExp(`^([A-Za-z0-9@][\\w./-]*?)${escape(pin)}\\{\\{\\s*[A-Za-z_]\\w*\\s*\\}\\}$`).exec(
      word,
    );
    return m !== null && !m[1]!.includes('{{') && !/[:]/.test(m[1]!);
  });
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A version: a digit (after an optional v), then letters, digits and . + - _. Never a tag, a path or a URL. */
const VERSION = /^v?\d[0-9A-Za-z.+_-]*$/;

/** Why a value appended as a version to a fixed package name is refused once rendered, or undefined. */
export function versionValueProblem(name: string, value: string): string | undefined {
  if (VERSION.test(value)) return undefined;
  return `{{${name}}} is the version of a package an install fetches (NAME@{{${name}}}), and its value ${JSON.stringify(value.slice(0, 40))} is not a version: a value there must start with a digit (or v and a digit) and hold only letters, digits and . + - _, since another spec (a tag, npm:other@1, a git or file URL) would choose the package whose scripts run`;
}
