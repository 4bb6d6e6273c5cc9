// The services a compose command names (docker compose up/build/pull/push/… SERVICE…, run/exec SERVICE …): a
// service of the compose file written in the config, by its name, so a value there chooses among that file's
// services (as --profile does), not a file, a build context or an image. Compose reads a service's name as
// [a-zA-Z0-9._-]: a value there is checked once rendered to be one plain name (no "-" first, which compose
// would read as an option). Pure.

/** The compose subcommands taking services as their operands (run and exec take one, then its command). */
const SERVICE_LISTS =
  /^(build|up|create|pull|push|start|stop|restart|rm|kill|logs|pause|unpause|down|ps|top)$/;

/** Their options taking no value: the word after one is a service (one taking a value takes it). */
const FLAGS = new Set([
  ...['-d', '--detach', '--build', '--no-build', '--no-deps', '--force-recreate', '--no-recreate', '--wait'],
  ...['--remove-orphans', '--quiet-pull', '--no-cache', '--no-start', '--always-recreate-deps', '-V', '-f'],
  ...['--renew-anon-volumes', '--abort-on-container-exit', '--no-color', '--no-log-prefix', '--timestamps'],
  ...['--follow', '-q', '--quiet', '-s', '--stop', '-v', '--volumes', '--ignore-pull-failures', '--push'],
  ...['--include-deps', '--with-dependencies', '--dry-run', '-a', '--all', '--no-attach-dependencies'],
]);

/** Why a value in a service's name is checked, for messages. */
export const SERVICE_WHY =
  'since a service is named by its name in the compose file (letters, digits and _ . -), and compose reads a word starting with "-" as an option';

/**
 * The words of a compose command (its subcommand `words[at]`, after `docker compose`, `docker-compose`, …)
 * naming a service and holding a value. After an option not known to take none, the word is read as its value.
 */
export function composeServices(words: readonly string[], at: number): number[] {
  if (!SERVICE_LISTS.test(words[at] ?? '')) return [];
  const found: number[] = [];
  let operands = false;
  for (let k = at + 1; k < words.length; k++) {
    const word = words[k]!;
    if (!operands && word === '--') operands = true;
    else if (!operands && word.startsWith('-')) {
      if (!word.includes('=') && !FLAGS.has(word)) k++;
    } else if (word.includes('{{')) found.push(k);
  }
  return found;
}
