import { lookupTable } from './lookup-table.ts'; // The services a compose command names (docker compose up/build/pull/push/… SERVICE…, run/exec SERVICE …): a
// service of the compose file written in the config, by its name, so a value there chooses among that file's
// services (as --profile does), not a file, a build context or an image. Compose reads a service's name as
// [a-zA-Z0-9._-]: a value there is checked once rendered to be one plain name (no "-" first, which compose
// would read as an option). Pure.

/** The compose subcommands taking services as their operands (run and exec take one, then its command). */
const SERVICE_LISTS =
  /^(build|up|create|pull|push|start|stop|restart|rm|kill|logs|pause|unpause|down|ps|top|watch|config|images|events|stats|wait|volumes)$/;
/**
 * Those taking one service first, then operands of another kind: port SERVICE PRIVATE_PORT, attach SERVICE,
 * export SERVICE, commit SERVICE [REPOSITORY[:TAG]] (the image it writes: not a service).
 */
const ONE_SERVICE = /^(port|attach|export|commit)$/;

/**
 * Their options taking no value, per subcommand (docker compose SUBCOMMAND --help; docker-compose 1's are among
 * them): the word after one is a service; one taking a value takes it. Per subcommand since a letter means
 * different things: `logs -t` is --timestamps, `stop -t` --timeout (a value); `rm -f` is --force.
 */
const FLAGS: Readonly<Record<string, readonly string[]>> = lookupTable({
  build: [
    ...['--check', '--no-cache', '--print', '--pull', '--push', '-q', '--quiet', '--with-dependencies'],
    ...['--compress', '--force-rm', '--parallel', '--no-rm'],
  ],
  up: [
    ...['--abort-on-container-exit', '--abort-on-container-failure', '--always-recreate-deps', '--build'],
    ...['-d', '--detach', '--force-recreate', '--menu', '--no-build', '--no-color', '--no-deps', '--wait'],
    ...[
      '--no-log-prefix',
      '--no-recreate',
      '--no-start',
      '--quiet-build',
      '--quiet-pull',
      '--remove-orphans',
    ],
    ...['-V', '--renew-anon-volumes', '--timestamps', '-w', '--watch', '-y', '--yes'],
    ...['--attach-dependencies', '--no-attach-dependencies'],
  ],
  create: [
    ...['--build', '--force-recreate', '--no-build', '--no-recreate', '--quiet-pull', '--remove-orphans'],
    ...['-y', '--yes'],
  ],
  pull: ['--ignore-buildable', '--ignore-pull-failures', '--include-deps', '-q', '--quiet', '--no-parallel'],
  push: ['--ignore-push-failures', '--include-deps', '-q', '--quiet'],
  restart: ['--no-deps'],
  rm: ['-f', '--force', '-s', '--stop', '-v', '--volumes', '-a', '--all'],
  kill: ['--remove-orphans'],
  logs: ['-f', '--follow', '--no-color', '--no-log-prefix', '-t', '--timestamps'],
  down: ['--remove-orphans', '-v', '--volumes'],
  ps: ['-a', '--all', '--no-trunc', '--orphans', '-q', '--quiet', '--services'],
  watch: ['--no-up', '--prune', '--quiet'],
  config: [
    ...['--environment', '--images', '--lock-image-digests', '--models', '--networks', '--no-consistency'],
    ...['--no-env-resolution', '--no-interpolate', '--no-normalize', '--no-path-resolution', '--profiles'],
    ...['-q', '--quiet', '--resolve-image-digests', '--services', '--variables', '--volumes'],
  ],
  images: ['-q', '--quiet'],
  events: ['--json'],
  stats: ['-a', '--all', '--no-stream', '--no-trunc'],
  wait: ['--down-project'],
  volumes: ['-q', '--quiet'],
  attach: ['--no-stdin', '--sig-proxy'],
  commit: ['-p', '--pause'],
});
/** Options of every subcommand taking no value. */
const COMMON_FLAGS = ['--dry-run', '--help', '-h'];

/**
 * compose's own options that take a value (docker compose --help, docker-compose 1's too): they come before its
 * subcommand (compose reads none of them after it).
 */
const GLOBAL_VALUES = new Set([
  ...['-f', '--file', '-p', '--project-name', '--project-directory', '--profile', '--env-file', '--ansi'],
  ...['--parallel', '--progress', '--workdir', '--insecure-registry', '-c', '--context', '-H', '--host'],
  ...['--tlscacert', '--tlscert', '--tlskey', '--log-level'],
]);

/** compose's subcommands (docker compose --help, docker-compose 1's). */
const SUBCOMMANDS = new Set([
  ...['attach', 'build', 'bridge', 'commit', 'config', 'cp', 'create', 'down', 'events', 'exec', 'export'],
  ...['images', 'kill', 'logs', 'ls', 'pause', 'port', 'ps', 'publish', 'pull', 'push', 'restart', 'rm'],
  ...['run', 'scale', 'start', 'stats', 'stop', 'top', 'unpause', 'up', 'version', 'volumes', 'wait'],
  ...['watch', 'alpha', 'help'],
]);

/**
 * The index of a compose command's subcommand, its own options read from `from` on (`words.length`: none
 * found). A word that is not a subcommand is taken for the value of an option not known here, and the search
 * goes on: an option after it is still read as compose's own (a refusal rather than a miss).
 */
export function composeSubcommand(words: readonly string[], from: number): number {
  for (let k = from; k < words.length; k++) {
    const word = words[k]!;
    if (word === '--') break;
    if (word.startsWith('-')) {
      // A value written apart; one attached (-fx.yml, --file=x.yml) is in the same word.
      if (GLOBAL_VALUES.has(word)) k++;
    } else if (SUBCOMMANDS.has(word)) return k;
  }
  return words.length;
}

/** Why a value in a service's name is checked, for messages. */
export const SERVICE_WHY =
  'since a service is named by its name in the compose file (letters, digits and _ . -), and compose reads a word starting with "-" as an option';

/**
 * The words of a compose command (its subcommand `words[at]`, after `docker compose`, `docker-compose`, …)
 * naming a service and holding a value. After an option not known to take none, the word is read as its value.
 */
export function composeServices(words: readonly string[], at: number): number[] {
  const subcommand = words[at] ?? '';
  const one = ONE_SERVICE.test(subcommand);
  if (!SERVICE_LISTS.test(subcommand) && !one) return [];
  const flags = FLAGS[subcommand] ?? [];
  const found: number[] = [];
  let operands = false;
  for (let k = at + 1; k < words.length; k++) {
    const word = words[k]!;
    if (!operands && word === '--') operands = true;
    else if (!operands && word.startsWith('-')) {
      if (!word.includes('=') && !isFlag(word, flags)) k++;
    } else {
      if (word.includes('{{')) found.push(k);
      if (one) break;
    }
  }
  return found;
}

/** Whether an option, or a cluster of short ones (`rm -fsv`), takes no value. */
function isFlag(word: string, flags: readonly string[]): boolean {
  if (flags.includes(word) || COMMON_FLAGS.includes(word)) return true;
  return /^-[A-Za-z]{2,}$/.test(word) && [...word.slice(1)].every((letter) => flags.includes(`-${letter}`));
}
