// Where a publish or a package manager's settings send the package and the credentials, and command-line
// clients whose arguments are code. A value choosing the registry of `npm publish --registry`, `twine upload
// --repository-url`, `cargo publish --index`, `gem push --host`, `dotnet nuget push --source` or maven's
// altDeploymentRepository sends the token the job publishes with (and the package) to a server of the value's;
// one in the key of `npm config set`, `pip config set`, `poetry config` or `composer config`, or in the value of
// a key naming a registry, a shell or a proxy, does the same for every later command. sqlite3's arguments after
// the database are SQL and dot-commands (.shell runs a program), redis-cli's first operand is the command it
// sends, and vim's -c/--cmd/+ commands are ex commands (:! runs a program). Pure.
import type { CodeKind, CommandModel } from './programs.ts';
import { lookupTable } from './lookup-table.ts';

type Parser = (words: readonly string[], at: number, model: CommandModel) => void;

const KIND: CodeKind = 'setting';

function push(model: CommandModel, index: number, at: number, how: string, safe: string): void {
  model.code.push({ index, program: at, kind: KIND, how, safe: () => safe });
}

/**
 * The arguments of a redis command that are code, a server or a right rather than data: EVAL's Lua script, SCRIPT
 * LOAD's and FUNCTION LOAD's code, MODULE LOAD's shared library (and its arguments), CONFIG SET's settings (dir
 * and dbfilename write the database to any file of the server), REPLICAOF's and SLAVEOF's primary (whose data
 * replaces the server's), MIGRATE's destination (which gets the keys), ACL SETUSER's rules (rights granted).
 */
function redisCodeArguments(words: readonly string[], command: number): Array<[number, string]> {
  const name = words[command]!.toUpperCase();
  const sub = (words[command + 1] ?? '').toUpperCase();
  const from = (first: number, how: string): Array<[number, string]> =>
    words.slice(first).map((_, k) => [first + k, how]);
  if (name === 'EVAL' || name === 'EVAL_RO') return [[command + 1, `the Lua script ${name} runs`]];
  if (name === 'SCRIPT' && sub === 'LOAD') return [[command + 2, 'the Lua script SCRIPT LOAD stores']];
  if (name === 'FUNCTION' && sub === 'LOAD') return from(command + 2, 'the code FUNCTION LOAD stores');
  if (name === 'MODULE' && /^LOAD(EX)?$/.test(sub))
    return from(command + 2, `the shared library MODULE ${sub} loads into the server, and its arguments`);
  if (name === 'CONFIG' && sub === 'SET')
    return from(
      command + 2,
      'the server settings CONFIG SET changes (dir and dbfilename write the database to any file of the server)',
    );
  if (name === 'REPLICAOF' || name === 'SLAVEOF')
    return from(command + 1, `the server ${name} replicates from (its data replaces the server's)`);
  if (name === 'MIGRATE')
    return [
      [command + 1, 'the server MIGRATE sends the keys to'],
      [command + 2, 'the server MIGRATE sends the keys to'],
    ];
  if (name === 'ACL' && sub === 'SETUSER')
    return from(command + 2, 'the user and the rights ACL SETUSER grants');
  return [];
}

/**
 * redis-cli's options that take a value (redis-cli.c's parseOptions); --tls, --insecure, --askpass, --ldb, --pipe,
 * -x and the other switches take none.
 */
const REDIS_VALUES =
  /^-[hpsanurdiDXt]$|^--(user|pass|cacert|cacertdir|cert|key|sni|tls-ciphers|tls-ciphersuites|rdb|pipe-timeout|eval|functions-rdb|memkeys-samples|pattern|quoted-pattern|intrinsic-latency|lru-test|show-pushes|count|cursor|top|keystats-samples|cluster-replicas|cluster-master-id|cluster-from|cluster-to|cluster-from-user|cluster-from-pass|cluster-slots|cluster-timeout|cluster-pipeline|cluster-threshold)$/;

/**
 * Whether redis-cli (or valkey-cli, `words[at]`) runs what it reads on standard input as its commands, one a line:
 * given no command (nor --eval) it does, when standard input is no terminal, and --pipe sends it as commands
 * (raw protocol); with a command it reads none, or (-x) the command's last argument.
 */
export function redisReadsCommands(words: readonly string[], at: number): boolean {
  for (let j = at + 1; j < words.length; j++) {
    const word = words[j]!;
    if (word === '--pipe') return true;
    if (word === '--eval') return false;
    if (REDIS_VALUES.test(word)) j++;
    else if (!word.startsWith('-')) return words.slice(j + 1).includes('--pipe');
  }
  return true;
}

const FIXED_SERVER =
  'write the registry in the config (a command per environment if it differs), and keep the token for that registry only';

/** The index of option `names`' value among `words` after `at` (`--opt V`, `--opt=V`, `-o V`, `-oV`), each. */
function optionValues(words: readonly string[], at: number, names: readonly string[]): number[] {
  const found: number[] = [];
  for (let j = at + 1; j < words.length; j++) {
    const word = words[j]!;
    if (word === '--') break;
    for (const name of names) {
      if (word === name) found.push(++j);
      else if (
        name.startsWith('--')
          ? word.startsWith(`${name}=`)
          : word.startsWith(name) && word.length > name.length
      )
        found.push(j);
      else continue;
      break;
    }
  }
  return found;
}

/** Keys of npm's, pnpm's, yarn's, pip's, poetry's and composer's settings whose value is a server, a shell, code or trust. */
const SERVER_KEYS =
  /(^|[._:-])(registry|registries|index-url|extra-index-url|find-links|trusted-host|repositories|repo|npmRegistryServer|npmPublishRegistry|npmScopes|unsafeHttpWhitelist|proxy|https?-?proxy|httpProxy|httpsProxy|noproxy|cafile|ca|cert|client-cert|key|caFilePath|strict-ssl|script-shell|shell|node-options|userconfig|globalconfig|prefix|git|onload-script|init-module|yarnPath|plugins|http-basic|pypi-token|secure-http|github-oauth|gitlab-token|bearer)([._:-]|$)|^\/\//;

/** `TOOL config set KEY VALUE` (`KEY=VALUE`), npm's `set` too: the key takes no template, nor a server key's value. */
function configSet(
  tool: string,
  from: number,
  words: readonly string[],
  at: number,
  model: CommandModel,
): void {
  const operands: number[] = [];
  for (let j = from; j < words.length; j++) if (!words[j]!.startsWith('-')) operands.push(j);
  const [keyAt] = operands;
  if (keyAt === undefined) return;
  const word = words[keyAt]!;
  const eq = word.indexOf('=');
  const key = eq < 0 ? word : word.slice(0, eq);
  const how = tool === 'poetry' || tool === 'composer' ? `${tool} config` : `${tool} config set`;
  if (key.includes('{{'))
    return push(
      model,
      keyAt,
      at,
      `in the key ${how} sets, which chooses any setting (the registry, the shell scripts run with)`,
      'write the key in the config',
    );
  if (!SERVER_KEYS.test(key)) return;
  // The value: after KEY= in the same word, or every operand after the key (composer config repositories.x vcs URL).
  for (const valueIndex of eq >= 0 ? [keyAt] : operands.slice(1))
    push(
      model,
      valueIndex,
      at,
      `in the value of ${key}, which ${how} sets: a registry, proxy, shell or trust setting every later ${tool} command uses, sending the token or running code there`,
      FIXED_SERVER,
    );
}

const PUBLISH_OPTIONS: Record<string, { sub: RegExp; options: string[] }> = lookupTable({
  npm: {
    sub: /^(publish|unpublish|deprecate|dist-tag|access|owner|login|adduser|whoami|token)$/,
    options: ['--registry'],
  },
  pnpm: {
    sub: /^(publish|unpublish|deprecate|dist-tag|access|owner|login|adduser|whoami)$/,
    options: ['--registry'],
  },
  yarn: { sub: /^(publish|npm|login)$/, options: ['--registry'] },
  twine: { sub: /^(upload|register)$/, options: ['--repository-url'] },
  cargo: { sub: /^(publish|login|owner|yank|logout)$/, options: ['--index'] },
  gem: { sub: /^(push|yank|owner|signin)$/, options: ['--host'] },
  dotnet: { sub: /^nuget$/, options: ['--source', '-s', '--symbol-source', '-ss'] },
  nuget: { sub: /^(push|delete)$/, options: ['-Source', '-SymbolSource'] },
});

export function publishParser(name: string): Parser | undefined {
  const publish = PUBLISH_OPTIONS[name];
  const config = ['npm', 'pnpm', 'yarn', 'bun', 'pip', 'pip3', 'poetry', 'composer'].includes(name);
  if (publish || config)
    return (words, at, model) => {
      const sub = words.slice(at + 1).findIndex((w) => !w.startsWith('-'));
      const subAt = sub < 0 ? -1 : at + 1 + sub;
      const subcommand = subAt < 0 ? '' : words[subAt]!;
      if (config && subcommand === 'config') {
        const next = words[subAt + 1];
        // npm config set K V, pip config set K V; poetry config K V and composer config K V have no `set`.
        if (next === 'set') configSet(name, subAt + 2, words, at, model);
        else if (name === 'poetry' || name === 'composer') configSet(name, subAt + 1, words, at, model);
      } else if (config && subcommand === 'set' && (name === 'npm' || name === 'pnpm'))
        configSet(name, subAt + 1, words, at, model);
      if (publish && publish.sub.test(subcommand))
        for (const index of optionValues(words, at, publish.options))
          push(
            model,
            index,
            at,
            `in the server ${name} ${subcommand} sends the package and its token to`,
            FIXED_SERVER,
          );
    };
  if (name === 'mvn' || name === 'mvnw' || name === 'gradle' || name === 'gradlew')
    return (words, at, model) => {
      for (let j = at + 1; j < words.length; j++) {
        const word = words[j]!;
        // -Dk=v (maven and gradle), -Pk=v (gradle's project properties; maven's -P names profiles).
        const attached = (name.startsWith('gradle') ? /^-[DP](.*)$/ : /^-D(.*)$/).exec(word);
        const property = attached ? attached[1] || words[++j] : undefined;
        if (property === undefined) continue;
        const index = j;
        const eq = property.indexOf('=');
        const key = eq < 0 ? property : property.slice(0, eq);
        if (key.includes('{{'))
          push(
            model,
            index,
            at,
            `in the name of a property ${name} ${word.slice(0, 2)} sets, which chooses any setting (where it deploys, the JVM's options, the programs plugins run)`,
            'write the property name in the config',
          );
        else if (
          /^(alt(Release|Snapshot)?DeploymentRepository|url|repositoryUrl|maven\.repo\.(remote|local)|org\.gradle\.jvmargs|exec\.(executable|args)|settings|gpg\.executable)$/.test(
            key,
          ) &&
          property.slice(eq + 1).includes('{{')
        )
          push(
            model,
            index,
            at,
            `in ${key}, which chooses where ${name} deploys with its credentials, or what it runs`,
            FIXED_SERVER,
          );
      }
    };
  if (name === 'sqlite3')
    return (words, at, model) => {
      const operands: number[] = [];
      for (let j = at + 1; j < words.length; j++) {
        const word = words[j]!;
        if (
          /^-(cmd|init|separator|newline|nullvalue|lookaside|maxsize|mmap|pagecache|heap|vfs)$/.test(word)
        ) {
          if (word === '-cmd' || word === '-init')
            push(
              model,
              j + 1,
              at,
              `in the SQL or dot-command sqlite3 ${word} runs (.shell and .system run programs)`,
              'write the statement in the config, or read the value from a file with readfile()',
            );
          j++;
        } else if (!word.startsWith('-')) operands.push(j);
      }
      for (const index of operands.slice(1))
        push(
          model,
          index,
          at,
          'in the SQL or dot-command sqlite3 runs (.shell and .system run programs)',
          'write the statement in the config, or read the value from a file with readfile()',
        );
    };
  if (name === 'redis-cli' || name === 'valkey-cli')
    return (words, at, model) => {
      for (let j = at + 1; j < words.length; j++) {
        const word = words[j]!;
        if (REDIS_VALUES.test(word)) {
          if (word === '--eval')
            push(model, j + 1, at, `in the Lua script ${name} --eval runs`, 'write the script in the config');
          j++;
          continue;
        }
        if (word.startsWith('-')) continue;
        push(
          model,
          j,
          at,
          `in the command ${name} sends (FLUSHALL, CONFIG SET, EVAL, …)`,
          'write the command in the config and pass the value as its argument',
        );
        for (const [index, how] of redisCodeArguments(words, j))
          push(model, index, at, `in ${how}`, 'write that argument in the config');
        return;
      }
    };
  if (/^(vim?|nvim|ex|view|gvim|rvim)$/.test(name))
    return (words, at, model) => {
      for (let j = at + 1; j < words.length; j++) {
        const word = words[j]!;
        if (word === '--') return;
        if (word === '-c' || word === '--cmd' || word === '-S')
          push(
            model,
            ++j,
            at,
            `in the ex command ${name} ${word} runs (:! runs a program)`,
            'write the command in the config',
          );
        else if (word.startsWith('+') && word.includes('{{'))
          push(
            model,
            j,
            at,
            `in the ex command ${name} + runs (:! runs a program)`,
            'write the command in the config',
          );
      }
    };
  return undefined;
}
