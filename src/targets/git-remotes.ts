// git's words whose value chooses the server or repository it talks to, or how that server is reached and
// trusted: the repository git clone, fetch, pull, push and ls-remote name (a URL, or a remote's name), the URL
// git remote add / set-url and git submodule add record, push --repo, and the settings choosing a remote's URL,
// the proxy, the certificates trusted or the headers sent (-c KEY=VALUE, clone's -c/--config, git config KEY
// VALUE: remote.*.url, url.*.insteadOf, http.proxy, http.sslCAInfo, http.extraHeader, …). A server of the
// value's choosing would get the repository, and the runner's credentials for that host (a credential helper,
// an http.extraheader), or serve the code deployed. A template there is refused when the config loads (kind
// 'source'), but for one in the last part of a repository's path after a fixed host (https://host/org/{{x}}.git,
// git@host:org/{{x}}.git), checked once rendered to be one plain name: a "/" there would name another owner's
// repository, a value in the host another server. Pure.
import type { ContainerMounts } from './container-mounts.ts';
import { operandsOf } from './option-words.ts';
import { PLACEHOLDER } from './placeholder.ts';
import { lookupTable } from './lookup-table.ts';

/** The templates in `text`. */
function templates(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

/** Refuses the templates of `words[index]`, `how` saying what the word is, `safe` what to write instead. */
type Refuse = (index: number, how: string, names?: string[], safe?: string) => void;

/**
 * Settings whose value chooses the server git talks to or how it is trusted: a remote's URL and proxy, a
 * submodule's URL, the URL rewrites (url.BASE.insteadOf), http's (and http.URL.'s) proxy, certificates, pinned
 * key, resolved addresses, cookies and extra headers.
 */
const GIT_SERVER_KEYS =
  /^(remote\..+\.(url|pushurl|proxy|proxyauthmethod)|submodule\..+\.url|url\..+\.(insteadof|pushinsteadof)|https?\.(.+\.)?(proxy|proxyauthmethod|proxysslcainfo|proxysslcert|proxysslkey|sslverify|sslcainfo|sslcapath|sslcert|sslkey|sslbackend|pinnedpubkey|curloptresolve|cookiefile|extraheader|emptyauth))$/i;

/** git's own options (before the subcommand) that take the next word as their value. */
const GLOBAL_VALUES = new Set(['-c', '-C', '--config-env', '--git-dir', '--work-tree', '--namespace']);

/** The options of each subcommand read here that take the next word as their value. */
const SUBCOMMAND_VALUES: Record<string, ReadonlySet<string>> = lookupTable({
  clone: new Set([
    ...['-o', '--origin', '-b', '--branch', '-u', '--upload-pack', '--reference', '--reference-if-able'],
    ...['--separate-git-dir', '--depth', '--shallow-since', '--shallow-exclude', '-c', '--config'],
    ...['--template', '-j', '--jobs', '--filter', '--server-option', '--bundle-uri', '--ref-format'],
  ]),
  fetch: new Set([
    ...['--depth', '--deepen', '--shallow-since', '--shallow-exclude', '--upload-pack', '--negotiation-tip'],
    ...['-o', '--server-option', '-j', '--jobs', '--filter', '--refmap', '--recurse-submodules-default'],
  ]),
  pull: new Set([
    ...['--depth', '--deepen', '--shallow-since', '--shallow-exclude', '--upload-pack', '--negotiation-tip'],
    ...['-o', '--server-option', '-j', '--jobs', '--filter', '--refmap', '-s', '--strategy', '-X'],
    '--strategy-option',
  ]),
  push: new Set(['--repo', '--receive-pack', '--exec', '-o', '--push-option']),
  'ls-remote': new Set(['--upload-pack', '--sort', '-o', '--server-option']),
  remote: new Set(['-t', '--track', '-m', '--master']),
  submodule: new Set(['-b', '--branch', '--name', '--reference', '--depth']),
});

/** The fixed start of a URL's or scp-like address's path: `scheme://authority/` or `user@host:` (not `x::`). */
const FIXED_HOST = /^(?:[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/]+\/|[^/:]+:(?![/:]))/;

/**
 * A repository git talks to (`words[index]`, `how` saying which): a template in its host, scheme or user, in a
 * remote's name or a local path (a whole-word value: any URL, a remote of the config, a repository of the
 * checkout), or before a "/" of its path is refused; one in the last part of the path after a fixed host is
 * checked once rendered to be one plain name.
 */
function remoteWord(
  found: ContainerMounts,
  words: readonly string[],
  index: number,
  how: string,
  refuse: Refuse,
) {
  const word = words[index];
  if (word === undefined || !templates(word).length) return;
  const first = word.search(PLACEHOLDER);
  const host = FIXED_HOST.exec(word.slice(0, first))?.[0];
  const cut = Math.max(word.lastIndexOf('/', first) + 1, host?.length ?? 0);
  if (host === undefined || word.slice(first).includes('/') || word.slice(0, first).includes('::')) {
    refuse(
      index,
      `${how}, where a value in the host, in a remote's name or a local path, or before a "/" of the path chooses the server (which gets the repository and the runner's credentials for it) or another owner's repository`,
      undefined,
      'write the repository in the config, or put the value in the last part of its path after a fixed host (https://github.com/org/app-VALUE.git)',
    );
    return;
  }
  found.names.set(index, {
    kind: 'plain',
    prefix: word.slice(0, cut),
    how,
    why: 'since a "/" would name another owner\'s repository (or "..", another path of the server); write other repositories in the config',
  });
}

/** A KEY=VALUE setting (`words[index]`, given to `option`) choosing git's server or trust, with a template. */
function setting(
  words: readonly string[],
  index: number,
  option: string,
  refuse: Refuse,
  text = words[index],
) {
  if (text === undefined) return;
  const eq = text.indexOf('=');
  const key = eq < 0 ? text : text.slice(0, eq);
  if (eq < 0 || !GIT_SERVER_KEYS.test(key) || !templates(text.slice(eq + 1)).length) return;
  refuse(
    index,
    `the value of git ${option} ${key}, which chooses the server git talks to or how it is trusted (a server of its choosing gets the repository and the runner's credentials for it, or serves the code)`,
    templates(text.slice(eq + 1)),
  );
}

/** The words of git's command (`words[at]`) whose template chooses the server or repository it talks to. */
export function gitSources(
  found: ContainerMounts,
  words: readonly string[],
  at: number,
  refuse: Refuse,
): void {
  let k = at + 1;
  for (; k < words.length; k++) {
    const word = words[k]!;
    if (word === '-c') setting(words, ++k, '-c', refuse);
    else if (GLOBAL_VALUES.has(word)) k++;
    else if (!word.startsWith('-')) break;
  }
  const command = words[k];
  const values = SUBCOMMAND_VALUES[command ?? ''];
  if (command === 'config') return configSetting(words, k, refuse);
  if (!values) return;
  const operands = operandsOf(words, k + 1, values);
  const named = (i: number | undefined, how: string) => {
    if (i !== undefined) remoteWord(found, words, i, how, refuse);
  };
  switch (command) {
    case 'clone':
      for (let j = k + 1; j < words.length && words[j] !== '--'; j++) {
        if (words[j] === '-c' || words[j] === '--config')
          setting(words, ++j, `clone ${words[j - 1]!}`, refuse);
        else if (words[j]!.startsWith('--config='))
          setting(words, j, 'clone --config', refuse, words[j]!.slice('--config='.length));
        else if (/^-c./.test(words[j]!)) setting(words, j, 'clone -c', refuse, words[j]!.slice(2));
      }
      named(operands[0], 'the repository git clone copies (what is then built and deployed)');
      return;
    case 'fetch':
    case 'pull':
    case 'ls-remote':
      named(operands[0], `the repository git ${command} reads from (a URL, or a remote's name)`);
      return;
    case 'push':
      named(operands[0], "the repository git push sends to (a URL, or a remote's name)");
      // Its refspecs: a value there keeps one ref's path, since ":main" deletes the remote's branch, "+x:main"
      // forces it, and "x:refs/tags/v1" moves a tag.
      for (const index of operands.slice(1)) {
        const word = words[index]!;
        const first = word.search(PLACEHOLDER);
        if (first < 0) continue;
        const colon = word.lastIndexOf(':', first);
        found.names.set(index, {
          kind: 'ref',
          prefix: word.slice(0, colon + 1),
          how: 'the refspec git push pushes',
          why: 'since ":" would choose another branch to overwrite (":main" deletes it), "+" would force it, and "*" push every ref; write other refspecs in the config',
        });
      }
      for (let j = k + 1; j < words.length && words[j] !== '--'; j++)
        if (words[j] === '--repo') named(++j, 'the repository git push --repo sends to');
        else if (words[j]!.startsWith('--repo=') && templates(words[j]!).length)
          refuse(j, 'the repository git push --repo sends to');
      return;
    case 'remote': {
      const verb = words[operands[0] ?? -1];
      if (verb === 'add') named(operands[2], 'the URL git remote add records for the remote');
      if (verb === 'set-url' && !words.slice(k + 1).includes('--delete'))
        named(operands[2], 'the URL git remote set-url records for the remote');
      return;
    }
    case 'submodule':
      if (words[operands[0] ?? -1] === 'add')
        named(operands[1], 'the repository git submodule add copies and records');
      return;
  }
}

/** git config [set] [--global…] KEY VALUE (`words[at]` is config): the value of a key choosing git's server. */
function configSetting(words: readonly string[], at: number, refuse: Refuse): void {
  const operands: number[] = [];
  for (let k = at + 1; k < words.length && operands.length < 2; k++) {
    const word = words[k]!;
    if (/^(-f|--file|--blob|--type|--default|--comment|--value)$/.test(word)) k++;
    else if (word === 'set' && k === at + 1) continue;
    else if (!word.startsWith('-')) operands.push(k);
  }
  const [name, value] = operands;
  if (name === undefined || value === undefined || !templates(words[value]!).length) return;
  if (GIT_SERVER_KEYS.test(words[name]!))
    refuse(
      value,
      `the value of git config ${words[name]!}, which chooses the server later git commands talk to or how it is trusted (a server of its choosing gets the repository and the runner's credentials for it, or serves the code)`,
    );
}
