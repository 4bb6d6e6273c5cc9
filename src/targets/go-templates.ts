// The Go templates a container runner evaluates: `docker ps --format TEMPLATE`, `docker inspect -f TEMPLATE`,
// `docker compose ps --format TEMPLATE` (and podman's, nerdctl's, docker-compose's). A template there is code in
// Go's template language: it chooses what is printed to the job's log, any field of what the tool reads (a
// container's environment, its secrets among them), and calls the template's functions. Pure.
import { PLACEHOLDER } from './placeholder.ts';

/** The programs reading --format (and inspect's -f) as a Go template. */
const RUNNERS = new Set(['docker', 'podman', 'nerdctl', 'docker-compose']);

/**
 * The subcommands after which the words are a container's command (docker run IMAGE CMD…, compose exec SERVICE
 * CMD…): its --format is that program's, not the runner's.
 */
const COMMANDS = new Set(['run', 'exec', 'create']);

/**
 * The words of a container runner's command (`words[at]`, named `name`) holding a Go template it evaluates with
 * a template of this tool in it: the value of --format (--format=…), and of -f after inspect (-f…), before a
 * `--` or a subcommand running a container's command. With how the option is called, for messages
 * ("docker compose ps --format").
 */
export function goTemplateWords(
  words: readonly string[],
  at: number,
  name: string,
): Array<{ index: number; how: string }> {
  if (!RUNNERS.has(name)) return [];
  const found: Array<{ index: number; how: string }> = [];
  // The subcommands before the option, roughly (a word not after an option, which may be its value).
  const path = [name];
  const add = (index: number, option: string) => {
    if (index < words.length && new RegExp(PLACEHOLDER.source).test(words[index]!))
      found.push({ index, how: [...path, option].join(' ') });
  };
  let inspect = false;
  for (let j = at + 1; j < words.length; j++) {
    const word = words[j]!;
    if (word === '--' || COMMANDS.has(word)) break;
    if (word === 'inspect') inspect = true;
    if (/^[a-z][a-z-]+$/.test(word) && !words[j - 1]!.startsWith('-')) path.push(word);
    if (word === '--format') add(++j, word);
    else if (word.startsWith('--format=')) add(j, '--format');
    else if (inspect && word === '-f') add(++j, word);
    else if (inspect && /^-f./.test(word)) add(j, '-f');
  }
  return found;
}
