// Deploy tools' words whose value chooses where what is deployed comes from or goes, what is trusted, or which
// program or service runs: the chart repository helm repo add registers and the registry helm push sends to;
// argocd's server and an application's source (--repo, --path, --helm-chart, its plugin, its spec file) and
// destination; aws's endpoint and the bucket (or --code) of a Lambda function's code; fly deploy's config and
// Dockerfile; the unit systemctl starts, stops or enables; terraform init's backend settings other than the
// state's key within it; redis-cli's host when a password is given; openssl's config, engine and provider;
// gpg's imported keys, key server and keyring; man's pager and config. A template there is refused when the
// config loads (kind 'source', or 'program'/'directory' for a program or a config naming programs); a unit
// name with a fixed prefix is checked once rendered to be one plain name. The images of aws lambda
// --image-uri and fly deploy --image follow the image rule (container-mounts.ts). Pure.
import type { ContainerMounts } from './container-mounts.ts';
import { PLACEHOLDER } from './placeholder.ts';

/** The templates in `text`. */
function templates(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

/** An option's value in `words` from `from` on: `--opt VALUE`, `--opt=VALUE` (and `-oVALUE` for a short one). */
interface OptionValue {
  /** The word holding the value. */
  index: number;
  option: string;
  value: string;
}

/**
 * The values of `options` among `words[from…]` (up to `--`): written apart, after "=", or attached to a
 * one-letter option (`-iVALUE`) when `attached`. `single` options are written with one dash (terraform's,
 * openssl's, man's short ones): `-name VALUE`, `-name=VALUE`.
 */
function valuesOf(
  words: readonly string[],
  from: number,
  options: readonly string[],
  attached = false,
): OptionValue[] {
  const found: OptionValue[] = [];
  for (let k = from; k < words.length && words[k] !== '--'; k++) {
    const word = words[k]!;
    if (!word.startsWith('-')) continue;
    const eq = word.indexOf('=');
    const option = eq > 0 ? word.slice(0, eq) : word;
    if (options.includes(option)) {
      if (eq > 0) found.push({ index: k, option, value: word.slice(eq + 1) });
      else if (k + 1 < words.length) {
        found.push({ index: k + 1, option, value: words[k + 1]! });
        k++;
      }
    } else if (attached && /^-[A-Za-z]./.test(word) && options.includes(word.slice(0, 2)))
      found.push({ index: k, option: word.slice(0, 2), value: word.slice(2) });
  }
  return found;
}

/** The operands of `words[from…]`: words that are no option and no value of one of `values` (up to `--`, then all). */
function operandsOf(words: readonly string[], from: number, values: ReadonlySet<string>): number[] {
  const found: number[] = [];
  for (let k = from; k < words.length; k++) {
    const word = words[k]!;
    if (word === '--') {
      for (let j = k + 1; j < words.length; j++) found.push(j);
      break;
    }
    if (word.startsWith('-') && word !== '-') {
      if (!word.includes('=') && values.has(word)) k++;
      continue;
    }
    found.push(k);
  }
  return found;
}

/** helm's options that take a value, with those of repo add and push. */
const HELM_VALUES: ReadonlySet<string> = new Set([
  // Its global options (helm help).
  ...['-n', '--namespace', '--kube-context', '--kubeconfig', '--registry-config', '--repository-config'],
  ...['--repository-cache', '--kube-apiserver', '--kube-as-user', '--kube-as-group', '--kube-token'],
  ...['--kube-ca-file', '--kube-tls-server-name', '--burst-limit', '--qps', '--content-cache'],
  // repo add's and push's (helm repo add --help, helm push --help).
  ...['--username', '--password', '--ca-file', '--cert-file', '--key-file', '--timeout'],
]);

/** argocd's global options: the server (it gets the token), how it is reached and trusted, the config read. */
const ARGOCD_SERVER = [
  '--server',
  '--grpc-web-root-path',
  '--server-crt',
  '--client-crt',
  '--client-crt-key',
  '--config',
  '--header',
  '--port-forward-namespace',
  '--kube-context',
];
/** argocd app create/set's options choosing the application's source and destination, what renders it. */
const ARGOCD_SOURCE = [
  '--repo',
  '--path',
  '--helm-chart',
  '--ref',
  '--config-management-plugin',
  '--plugin-name',
  '--dest-server',
  '--dest-name',
  '-f',
  '--file',
];

/** aws's global options that take a value (aws help global options). */
const AWS_VALUES = new Set([
  ...['--region', '--profile', '--output', '--query', '--endpoint-url', '--ca-bundle', '--color'],
  ...['--cli-read-timeout', '--cli-connect-timeout', '--cli-binary-format'],
]);

/** systemctl's commands whose operands are units (systemctl(1)): a value there chooses what starts or stops. */
const SYSTEMCTL_UNIT_VERBS = new Set([
  ...['start', 'stop', 'restart', 'reload', 'try-restart', 'reload-or-restart', 'try-reload-or-restart'],
  ...['condrestart', 'force-reload', 'kill', 'isolate', 'enable', 'disable', 'reenable', 'preset', 'mask'],
  ...['unmask', 'link', 'revert', 'edit', 'set-property', 'freeze', 'thaw', 'clean', 'bind', 'mount-image'],
  ...['add-wants', 'add-requires', 'reset-failed'],
]);
/** systemctl's options that take a value written apart (systemctl(1)). */
const SYSTEMCTL_VALUES = new Set([
  ...['-t', '--type', '--state', '-p', '--property', '-j', '--job-mode', '-s', '--signal', '--kill-whom'],
  ...['--kill-value', '--what', '-H', '--host', '-M', '--machine', '-n', '--lines', '-o', '--output'],
  ...['--root', '--image', '--image-policy', '--preset-mode', '--boot-loader-entry', '--reboot-argument'],
  ...['--timestamp', '--message', '--marked', '--check-inhibitors', '--drop-in', '--when'],
]);

/** Why a unit name with a value and a fixed prefix must be one plain name (plainNameProblem), for messages. */
const UNIT_WHY =
  'since anything else names no unit of that prefix (a "*" or "?" is a pattern matching every loaded unit, a "/" or space something else); write other units in the config, a command per environment';

/**
 * terraform init -backend-config=KEY=VALUE: the keys naming a place inside the backend the configuration
 * already names (the state's key in an s3 or azurerm backend, gcs's prefix, s3's workspace_key_prefix).
 * Terraform reads such a string value as it is (configValueFromCLI): a value there picks a state of that
 * backend. Any other key (bucket, region, endpoints, credentials, a role, a consul address, a local path)
 * chooses where the state, with its secrets, is read and written, and who can change it.
 */
const BACKEND_PLACES = new Set(['key', 'prefix', 'workspace_key_prefix']);

/** gpg's options that take a value written apart (gpg(1)), among those seen with --import and --recv-keys. */
const GPG_VALUES = new Set([
  ...['-o', '--output', '-u', '--local-user', '-r', '--recipient', '--passphrase', '--passphrase-fd'],
  ...['--passphrase-file', '--pinentry-mode', '--trust-model', '--default-key', '--status-fd', '--logger-fd'],
  ...['--import-options', '--keyserver-options', '--import-filter', '--compress-level', '-z', '--homedir'],
  ...['--keyserver', '--keyring', '--trusted-key', '--primary-keyring', '--status-file', '--logger-file'],
]);
/** gpg's options whose value chooses what it trusts: the key server keys come from, the keyring, a trusted key. */
const GPG_TRUST = ['--keyserver', '--homedir', '--keyring', '--primary-keyring', '--trusted-key'];

/** The words of `name`'s command (`words[at]`) whose template chooses a source, a destination or what is trusted. */
export function deploySources(
  found: ContainerMounts,
  words: readonly string[],
  at: number,
  name: string,
): void {
  const source = (index: number, how: string, names?: string[]) => {
    const list = names ?? templates(words[index] ?? '');
    if (index < words.length && list.length) found.refused.push({ index, names: list, how, kind: 'source' });
  };
  const chosen = (index: number, how: string, kind: 'program' | 'directory') => {
    const list = templates(words[index] ?? '');
    if (index < words.length && list.length) found.refused.push({ index, names: list, how, kind });
  };
  const from = at + 1;
  switch (name) {
    case 'helm': {
      const operands = operandsOf(words, from, HELM_VALUES);
      const [first, second] = [words[operands[0] ?? -1], words[operands[1] ?? -1]];
      // helm repo add NAME URL: the chart repository whose charts (code that runs in the cluster) it serves.
      if (first === 'repo' && second === 'add')
        source(
          operands[3] ?? -1,
          'the chart repository helm repo add registers (its charts are what runs in the cluster; its server gets the --username and --password)',
        );
      // helm push CHART REMOTE: the registry the chart is pushed to (and the credentials sent).
      if (first === 'push')
        source(operands[2] ?? -1, 'the registry helm push sends the chart to (and its credentials)');
      return;
    }
    case 'argocd': {
      for (const v of valuesOf(words, from, ARGOCD_SERVER))
        source(
          v.index,
          `the value of argocd ${v.option}, which chooses the Argo CD server it talks to (which gets the token) or how it is trusted`,
        );
      const operands = operandsOf(words, from, new Set([...ARGOCD_SERVER, ...ARGOCD_SOURCE]));
      const [group, verb] = [words[operands[0] ?? -1], words[operands[1] ?? -1]];
      if (group === 'app' && (verb === 'create' || verb === 'set' || verb === 'add-source'))
        for (const v of valuesOf(words, from, ARGOCD_SOURCE, true))
          source(
            v.index,
            `the value of argocd app ${verb} ${v.option}, which chooses where the application's manifests come from (a repository, path or chart of its choosing: what runs in the cluster), what renders them (a plugin) or the cluster they go to`,
          );
      // argocd repo add URL: the repository registered, and the server that gets its credentials.
      if (group === 'repo' && verb === 'add')
        source(
          operands[2] ?? -1,
          'the repository argocd repo add registers (its server gets the credentials; its manifests are what is deployed)',
        );
      return;
    }
    case 'aws': {
      for (const v of valuesOf(words, from, ['--endpoint-url', '--ca-bundle']))
        source(
          v.index,
          `the value of aws ${v.option}, which chooses the server the requests (and what they upload) go to, or the certificates trusted for it`,
        );
      const operands = operandsOf(words, from, AWS_VALUES);
      const [service, verb] = [words[operands[0] ?? -1], words[operands[1] ?? -1]];
      if (service === 'lambda' && /^(update-function-code|create-function)$/.test(verb ?? ''))
        for (const v of valuesOf(words, from, ['--s3-bucket', '--code']))
          source(
            v.index,
            `the value of aws lambda ${verb} ${v.option}, which chooses where the function's code is taken from (a bucket name is global: any account's bucket; --code's S3Bucket= or ImageUri=, and a "," adds either)`,
          );
      return;
    }
    case 'fly':
    case 'flyctl': {
      const operands = operandsOf(
        words,
        from,
        new Set(['-a', '--app', '-c', '--config', '--dockerfile', '-i', '--image']),
      );
      if (words[operands[0] ?? -1] !== 'deploy') return;
      for (const v of valuesOf(words, from, ['-c', '--config', '--dockerfile'], true))
        chosen(
          v.index,
          `the value of ${name} deploy ${v.option}, the file that says what is built and deployed (its build, image and processes)`,
          'directory',
        );
      return;
    }
    case 'systemctl': {
      const operands = operandsOf(words, from, SYSTEMCTL_VALUES);
      const verb = words[operands[0] ?? -1] ?? '';
      if (!SYSTEMCTL_UNIT_VERBS.has(verb)) return;
      for (const k of operands.slice(1)) {
        const word = words[k]!;
        if (!templates(word).length) continue;
        // A value after a fixed prefix ending in a separator (app-{{x}}.service, app@{{x}}): one unit of that
        // prefix, what follows the prefix checked once rendered to be one plain name.
        const head = word.slice(0, word.search(PLACEHOLDER));
        if (/^[A-Za-z0-9_][A-Za-z0-9_.:-]*[-_@.:]$/.test(head))
          found.names.set(k, {
            kind: 'plain',
            prefix: head,
            how: `the unit systemctl ${verb} acts on (${word})`,
            why: UNIT_WHY,
          });
        else
          source(
            k,
            `the unit systemctl ${verb} acts on, where the value would be the whole name or its start (poweroff.target, ssh.service, any unit of this machine); a value may follow a fixed prefix ending in - _ @ . or : (app-{{…}}.service, app@{{…}})`,
          );
      }
      return;
    }
    case 'terraform':
    case 'tofu': {
      // -backend-config KEY=VALUE, -backend-config=KEY=VALUE (one dash or two); FILE is file-reads.ts's.
      for (let k = from; k < words.length; k++) {
        const bare = words[k]!.replace(/^--/, '-');
        let index = -1;
        let setting = '';
        if (bare === '-backend-config' && k + 1 < words.length) {
          index = ++k;
          setting = words[k]!;
        } else if (bare.startsWith('-backend-config=')) {
          index = k;
          setting = bare.slice('-backend-config='.length);
        }
        const eq = setting.indexOf('=');
        if (index < 0 || eq < 0) continue;
        const key = setting.slice(0, eq);
        if (templates(key).length)
          source(
            index,
            `the setting ${name} init -backend-config names (${key}): any setting of the backend, such as its bucket or endpoint`,
          );
        else if (!BACKEND_PLACES.has(key))
          source(
            index,
            `the backend setting ${key} of ${name} init -backend-config, which chooses where the state, with its secrets, is read and written (a bucket name is global: any account's bucket); a value may be in key=, prefix= or workspace_key_prefix=, a place within the backend`,
          );
      }
      return;
    }
    case 'redis-cli':
    case 'valkey-cli': {
      // A password given on the line (-a, --pass, a URI's user:password@) goes to the host a value picks.
      const uris = valuesOf(words, from, ['-u']);
      const password =
        valuesOf(words, from, ['-a', '--pass', '--user']).length > 0 ||
        uris.some((u) => /^[a-z]+:\/\/[^/]*@/i.test(u.value));
      for (const v of valuesOf(words, from, ['--cacert', '--cacertdir', '--sni']))
        source(
          v.index,
          `the value of ${name} ${v.option}, which chooses the certificates trusted for the server, or the name checked`,
        );
      if (!password) return;
      for (const v of valuesOf(words, from, ['-h', '-s']))
        source(
          v.index,
          `the host ${name} ${v.option} connects to, which gets the password given with -a, --pass or -u`,
        );
      for (const u of uris) {
        const at = u.value.lastIndexOf('@');
        const host = at < 0 ? '' : u.value.slice(at + 1);
        if (templates(host).length)
          source(u.index, `the host of ${name} -u's URI, which gets the password in it`, templates(host));
      }
      return;
    }
    case 'openssl': {
      for (const v of valuesOf(words, from, ['-config', '-provider-path']))
        chosen(
          v.index,
          `the value of openssl ${v.option}, whose config or modules load code (engines, providers: shared libraries it runs)`,
          'directory',
        );
      for (const v of valuesOf(words, from, ['-engine', '-provider']))
        chosen(
          v.index,
          `the engine or provider openssl ${v.option} loads (a shared library it runs)`,
          'program',
        );
      for (const v of valuesOf(words, from, ['-CAfile', '-CApath', '-CAstore']))
        source(
          v.index,
          `the value of openssl ${v.option}, which chooses the certificate authorities trusted`,
        );
      return;
    }
    case 'gpg':
    case 'gpg2': {
      for (const v of valuesOf(words, from, GPG_TRUST))
        source(
          v.index,
          `the value of ${name} ${v.option}, which chooses where keys come from or which are trusted`,
        );
      const imports = words
        .slice(from)
        .some((w) => /^--(import|recv-keys|receive-keys|fetch-keys|import-ownertrust)$/.test(w));
      if (!imports) return;
      for (const k of operandsOf(words, from, GPG_VALUES))
        source(k, `the keys ${name} imports (a key of its choosing is then trusted to sign what is checked)`);
      return;
    }
    case 'man': {
      for (const v of valuesOf(words, from, ['-P', '--pager'], true))
        chosen(v.index, `the program man ${v.option} runs`, 'program');
      // -H[BROWSER], --html[=BROWSER]: an optional value, attached only.
      for (let k = from; k < words.length && words[k] !== '--'; k++)
        if (/^(-H.|--html=)/.test(words[k]!)) chosen(k, 'the browser man -H (--html=) runs', 'program');
      for (const v of valuesOf(words, from, ['-C', '--config-file'], true))
        chosen(v.index, `the value of man ${v.option}, a config naming the programs man runs`, 'directory');
      return;
    }
  }
}
