// The templates and queries a tool evaluates to choose what it prints: a container runner's Go template (`docker
// ps --format TEMPLATE`, `docker inspect -f TEMPLATE`, `docker compose ps --format TEMPLATE`; podman's, nerdctl's,
// docker-compose's), kubectl's and oc's output templates (`-o go-template=…`, `-o jsonpath=…`,
// `-o custom-columns=…`, `--template …`; and wait's `--for=jsonpath=…`, which chooses what is waited for), gh's
// (`--template`, and the jq filter of `--jq`), helm get all's `--template`. Each is code in its
// language: it chooses what is printed to the job's log (any field of what the tool reads: a container's
// environment, a Secret's data, a token) and calls the language's functions. Pure.
import { PLACEHOLDER } from './placeholder.ts';

/** A word holding such a template with a template of this tool in it, how it is called, and its language. */
export interface PrintTemplate {
  index: number;
  /** The program, the subcommands before the option, roughly, and the option ("docker compose ps --format"). */
  how: string;
  language: 'Go template' | 'JSONPath' | 'jq filter';
  /** The JSONPath of kubectl wait --for=jsonpath=…: it chooses what is waited for, not what is printed. */
  waits?: true;
}

/** The container runners reading --format (and inspect's -f) as a Go template. */
const CONTAINER_RUNNERS = new Set(['docker', 'podman', 'nerdctl', 'docker-compose']);

/**
 * The subcommands after which a container runner's words are a container's command (docker run IMAGE CMD…,
 * compose exec SERVICE CMD…): its --format is that program's, not the runner's.
 */
const COMMANDS = new Set(['run', 'exec', 'create']);

const templated = (word: string) => new RegExp(PLACEHOLDER.source).test(word);

/**
 * The words of a command (`words[at]`, the program named `name`) holding a template or query it evaluates to
 * print, with a template of this tool in them: before a `--`, and for a container runner before a subcommand
 * running a container's command.
 */
export function printTemplateWords(words: readonly string[], at: number, name: string): PrintTemplate[] {
  const container = CONTAINER_RUNNERS.has(name);
  const kubectl = name === 'kubectl' || name === 'oc';
  if (!container && !kubectl && name !== 'gh' && name !== 'helm') return [];
  const found: PrintTemplate[] = [];
  const path = [name];
  const add = (index: number, option: string, language: PrintTemplate['language']) => {
    if (index < words.length && templated(words[index]!))
      found.push({ index, how: [...path, option].join(' '), language });
  };
  let inspect = false;
  for (let j = at + 1; j < words.length; j++) {
    const word = words[j]!;
    if (word === '--' || (container && COMMANDS.has(word))) break;
    if (word === 'inspect') inspect = true;
    if (/^[a-z][a-z-]+$/.test(word) && !words[j - 1]!.startsWith('-')) path.push(word);
    const eq = word.indexOf('=');
    const option = word.startsWith('--') && eq > 0 ? word.slice(0, eq) : word;
    // The value: attached (--format=…, -f…, -ojsonpath=…) or the next word.
    const value = (short: string) =>
      option !== word ? j : word.length > short.length && word.startsWith(short) ? j : ++j;
    if (container) {
      if (option === '--format') add(value('--format'), '--format', 'Go template');
      else if (inspect && /^-f/.test(word)) add(value('-f'), '-f', 'Go template');
    } else if (kubectl) {
      // -o/--output: go-template=, go-template-file= (a file: read elsewhere), jsonpath=, custom-columns=; a whole
      // value chooses among them too. --template: the template -o go-template or jsonpath reads.
      if (option === '--output' || /^-o/.test(word)) {
        const long = option === '--output';
        const attached = long ? option !== word : word.length > 2;
        const k = attached ? j : ++j;
        const text = words[k] ?? '';
        add(k, long ? '--output' : '-o', /jsonpath|custom-columns/.test(text) ? 'JSONPath' : 'Go template');
      } else if (option === '--template') add(value('--template'), '--template', 'Go template');
      else if (option === '--for') {
        // wait --for=jsonpath='{EXPR}'=VALUE: EXPR chooses what is waited for (one the cluster already meets
        // passes at once), VALUE is a string it is compared with; a whole --for={{x}} may be jsonpath=… too.
        const k = value('--for');
        const text = (words[k] ?? '').slice(option !== word ? '--for='.length : 0);
        const masked = text.replace(new RegExp(PLACEHOLDER.source, 'g'), (m) => '_'.repeat(m.length));
        const jsonpath = /^jsonpath=/.test(text);
        const close = masked.lastIndexOf('}');
        const end = !jsonpath
          ? /^(condition|create|delete)\b/.test(text)
            ? 0
            : text.length
          : close < 0
            ? text.length
            : close + 1;
        if (templated(text.slice(0, end)))
          found.push({ index: k, how: [...path, '--for'].join(' '), language: 'JSONPath', waits: true });
      }
    } else if (option === '--template') add(value('--template'), '--template', 'Go template');
    else if (name === 'helm') continue;
    else if (option === '--jq' || /^-q/.test(word))
      add(value(option === '--jq' ? '--jq' : '-q'), option === '--jq' ? '--jq' : '-q', 'jq filter');
    // gh api -t is --template (elsewhere gh's -t is a title).
    else if (path[1] === 'api' && /^-t/.test(word)) add(value('-t'), '-t', 'Go template');
  }
  return found;
}
