// Deploy tools' options whose value is a credential or the server credentials are sent to, beyond the cluster
// tools' (kubectl --token, helm --kube-token: container-mounts.ts): vault's, nomad's and consul's address, token
// and TLS trust (Go's flag package: -flag or --flag, the value after "=" or in the next word), the token or
// user and password vault login keeps for every later command, argocd's --auth-token and login's user and
// password, gh's --hostname (the host its token is sent to), az login's user, password, tenant and federated
// token, and oc login's server, user and password. A value there chooses who acts (whoever's credential it is,
// with its rights, on the servers this runner reaches) or sends the runner's token to a server of its
// choosing, as a context or profile would (the selectors' rule): refused when the config loads, kind
// 'credential'. Pure.
import type { MountWord } from './container-mounts.ts';
import { PLACEHOLDER } from './placeholder.ts';
import { lookupTable } from './lookup-table.ts';

/** The templates in `text`. */
function templates(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

/** A HashiCorp CLI's options choosing its server, token or TLS trust, and what they are (for messages). */
function hashicorpOptions(servers: readonly string[], tokens: readonly string[]): Map<string, string> {
  return new Map([
    ...servers.map((o): [string, string] => [o, 'the server it sends its token to']),
    ...tokens.map((o): [string, string] => [o, 'the token it acts with (whose it is: who acts)']),
    ['ca-cert', 'the certificate authority it trusts for the server'],
    ['ca-file', 'the certificate authority it trusts for the server'],
    ['ca-path', 'the certificate authorities it trusts for the server'],
    ['client-cert', 'the client certificate it presents (whose it is: who acts)'],
    ['client-key', 'the client key it presents (whose it is: who acts)'],
    ['tls-server-name', 'the name it checks the server certificate for'],
  ]);
}

const HASHICORP: Record<string, ReadonlyMap<string, string>> = lookupTable({
  vault: hashicorpOptions(['address', 'agent-address'], []),
  nomad: hashicorpOptions(['address'], ['token', 'token-file']),
  consul: hashicorpOptions(['http-addr', 'grpc-addr'], ['token', 'token-file']),
});

/** Their switches choosing whether the server certificate is checked: a template in -switch=VALUE. */
const HASHICORP_SWITCHES = ['tls-skip-verify'];

/** Options taking a value written apart, for each tool's operands (those of credentialOptions besides). */
const OTHER_VALUES: Record<string, readonly string[]> = lookupTable({
  vault: ['-method', '--method', '-path', '--path', '-format', '--format', '-field', '--field'],
  oc: ['-n', '--namespace', '--context', '--cluster', '--user', '--kubeconfig', '--certificate-authority'],
  argocd: [],
  az: [],
});

/** A HashiCorp CLI's credential options among `words[from…]`. */
function hashicorp(found: MountWord[], words: readonly string[], from: number, name: string): void {
  const table = HASHICORP[name]!;
  for (let k = from; k < words.length && words[k] !== '--'; k++) {
    const match = /^--?([a-z][\w-]*)(=?)/.exec(words[k]!);
    if (!match) continue;
    const option = match[1]!;
    const attached = match[2] === '=';
    const what =
      table.get(option) ??
      (attached && HASHICORP_SWITCHES.includes(option)
        ? 'whether it checks the server certificate'
        : undefined);
    if (!what) continue;
    const index = attached ? k : k + 1;
    if (index >= words.length) continue;
    const value = attached ? words[k]!.slice(match[0].length) : words[index]!;
    push(found, index, value, `${what}, which ${name} -${option} chooses`);
    if (!attached) k++;
  }
  // vault login TOKEN, or K=V… of its auth method (username=, password=, role=): what it logs in with, kept in
  // ~/.vault-token for every later vault command; and -method=/-path=, the auth method it logs in through.
  if (name === 'vault' && words[from] === 'login')
    for (let k = from + 1; k < words.length; k++) {
      const word = words[k]!;
      const option = /^--?(method|path)(=?)/.exec(word);
      if (option) {
        const index = option[2] ? k : k + 1;
        if (index < words.length)
          push(
            found,
            index,
            option[2] ? word.slice(option[0].length) : words[index]!,
            `the auth method vault login -${option[1]} logs in through (who acts)`,
          );
        if (!option[2]) k++;
      } else if (!word.startsWith('-'))
        push(
          found,
          k,
          word,
          'the credentials vault login logs in with, kept for every later vault command (who acts)',
        );
    }
}

/** The options of `options` among `words[from…]` (apart or after "="; a short one attached too): index and value. */
function values(
  words: readonly string[],
  from: number,
  options: ReadonlySet<string>,
): [number, string, string][] {
  const found: [number, string, string][] = [];
  for (let k = from; k < words.length && words[k] !== '--'; k++) {
    const word = words[k]!;
    const eq = word.indexOf('=');
    const option = eq > 0 && word.startsWith('--') ? word.slice(0, eq) : word;
    if (options.has(option) && option !== word) found.push([k, option, word.slice(eq + 1)]);
    else if (options.has(option) && k + 1 < words.length) found.push([++k, option, words[k]!]);
    else if (/^-[a-zA-Z]./.test(word) && !word.startsWith('--') && options.has(word.slice(0, 2)))
      found.push([k, word.slice(0, 2), word.slice(2)]);
  }
  return found;
}

/** The operands of `words[from…]` (up to `--`): words no option, nor the value of one of `options`. */
function operands(words: readonly string[], from: number, options: ReadonlySet<string>): number[] {
  const found: number[] = [];
  for (let k = from; k < words.length && words[k] !== '--'; k++) {
    const word = words[k]!;
    if (!word.startsWith('-')) found.push(k);
    else if (options.has(word)) k++;
  }
  return found;
}

/** Each tool's login options naming who acts, per login command (its words). */
const LOGINS: Record<string, { command: string; options: ReadonlyMap<string, string> }> = lookupTable({
  az: {
    command: 'login',
    options: new Map([
      ...['-u', '--username'].map((o): [string, string] => [
        o,
        'the user or service principal it logs in as',
      ]),
      ...['-p', '--password'].map((o): [string, string] => [
        o,
        'the password or secret it logs in with (whose it is: who acts)',
      ]),
      ...['-t', '--tenant'].map((o): [string, string] => [o, 'the tenant it logs in to (where it acts)']),
      ['--federated-token', 'the token it logs in with (whose it is: who acts)'],
    ]),
  },
  argocd: {
    command: 'login',
    options: new Map([
      ['--username', 'the user it logs in as'],
      ['--password', 'the password it logs in with (whose it is: who acts)'],
    ]),
  },
  oc: {
    command: 'login',
    options: new Map([
      ...['-u', '--username'].map((o): [string, string] => [o, 'the user it logs in as']),
      ...['-p', '--password'].map((o): [string, string] => [
        o,
        'the password it logs in with (whose it is: who acts)',
      ]),
    ]),
  },
});

/** Options of a tool taking a credential anywhere, whatever the command: argocd --auth-token. */
const ANYWHERE: Record<string, ReadonlyMap<string, string>> = lookupTable({
  argocd: new Map([['--auth-token', 'the token it acts with (whose it is: who acts)']]),
  // gh api/auth --hostname HOST: the host its token for that host (GH_ENTERPRISE_TOKEN's) is sent to.
  gh: new Map([['--hostname', 'the GitHub host it talks to (it gets the token)']]),
});

function push(found: MountWord[], index: number, value: string, how: string): void {
  const names = templates(value);
  if (names.length) found.push({ index, names, how, kind: 'credential' });
}

/**
 * gh secret set's options choosing who gets the secret: -R/--repo (the repository it is stored in), -o/--org and
 * -r/--repos (the organization, and the repositories it is shared with). Their workflows read it: a value there
 * would hand the secret to a repository of its choosing. Its name (a name: gh checks it) and -e/--env (an
 * environment of that repository) are not refused.
 */
const GH_SECRET_TARGETS: ReadonlyMap<string, string> = new Map([
  ...['-R', '--repo'].map((o): [string, string] => [o, 'the repository gh secret set stores the secret in']),
  ...['-o', '--org'].map((o): [string, string] => [o, 'the organization gh secret set stores the secret in']),
  ...['-r', '--repos'].map((o): [string, string] => [
    o,
    'the repositories gh secret set shares the secret with',
  ]),
]);

function ghSecretSet(found: MountWord[], words: readonly string[], from: number): void {
  const rest = operands(words, from, new Set(['-R', '--repo']));
  if (words[rest[0] ?? -1] !== 'secret' || words[rest[1] ?? -1] !== 'set') return;
  for (const [index, option, value] of values(words, from, new Set(GH_SECRET_TARGETS.keys())))
    push(
      found,
      index,
      value,
      `${GH_SECRET_TARGETS.get(option)!}, whose workflows read it (${option}): a repository of the value's choosing would get the secret`,
    );
}

/** The words of a command (`words[at]`, named `name`) holding a template in a credential or where it is sent. */
export function credentialOptions(words: readonly string[], at: number, name: string): MountWord[] {
  const found: MountWord[] = [];
  const from = at + 1;
  if (HASHICORP[name]) hashicorp(found, words, from, name);
  const anywhere = ANYWHERE[name];
  if (anywhere)
    for (const [index, option, value] of values(words, from, new Set(anywhere.keys())))
      push(found, index, value, `${anywhere.get(option)!}, which ${name} ${option} chooses`);
  if (name === 'gh') ghSecretSet(found, words, from);
  const login = LOGINS[name];
  if (!login) return found;
  const logins = new Set(login.options.keys());
  const rest = operands(
    words,
    from,
    new Set([...logins, ...(OTHER_VALUES[name] ?? []), ...(anywhere?.keys() ?? [])]),
  );
  if (words[rest[0] ?? -1] !== login.command) return found;
  for (const [index, option, value] of values(words, from, logins))
    push(
      found,
      index,
      value,
      `${login.options.get(option)!}, which ${name} ${login.command} ${option} chooses`,
    );
  // oc login SERVER: the API server it sends the user's password (or the token) to.
  if (name === 'oc' && rest[1] !== undefined)
    push(found, rest[1], words[rest[1]]!, 'the API server oc login sends the password or token to');
  return found;
}
