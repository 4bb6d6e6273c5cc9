// Deploy tools' words whose value chooses where what is deployed comes from or goes, what is trusted, or which
// program or service runs: the chart repository helm repo add registers and the registry helm push sends to;
// argocd's server and an application's source (--repo, --path, --helm-chart, its plugin, its spec file) and
// destination; aws's endpoint and the bucket (or --code) of a Lambda function's code; fly deploy's config and
// Dockerfile; the unit systemctl (service, invoke-rc.d) acts on, the variable set-environment names; terraform
// init's backend settings other than the state's key within it; redis-cli's host when a password is given;
// openssl's config, engine, provider and what it trusts; gpg's (gpgv's) keys, programs and trust; man's pager and
// config; helm --ca-file. Options are read as each tool reads them (option-words.ts: gpg --recv, man -aP, …). A
// template there is refused when the config loads (kind 'source', 'code', or 'program'/'directory'); a unit
// name with a fixed prefix is checked once rendered to be one plain name. The images of aws lambda
// --image-uri and fly deploy --image follow the image rule (container-mounts.ts). Pure.
import type { ContainerMounts } from './container-mounts.ts';
import { longOptions, type OptionGrammar, readOptions } from './option-words.ts';
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
/**
 * systemctl's options as getopt_long reads them (systemd's src/systemctl/systemctl.c, up to 257): by any unique
 * prefix (--leg no is --legend no), the short letters C t p P s H M n o taking a value, options after operands too.
 */
const SYSTEMCTL_GRAMMAR: OptionGrammar = {
  long: longOptions(
    [
      ...['type', 'property', 'job-mode', 'check-inhibitors', 'capsule', 'legend', 'root', 'image'],
      ...['image-policy', 'kill-whom', 'kill-value', 'signal', 'host', 'machine', 'lines', 'output', 'state'],
      ...['preset-mode', 'boot-loader-menu', 'boot-loader-entry', 'message', 'what', 'reboot-argument'],
      ...['timestamp', 'drop-in', 'when', 'kill-subgroup'],
    ],
    [
      ...['help', 'version', 'all', 'reverse', 'after', 'before', 'show-types', 'failed', 'full', 'fail'],
      ...['irreversible', 'ignore-dependencies', 'ignore-inhibitors', 'value', 'user', 'system', 'global'],
      ...['wait', 'no-block', 'no-legend', 'no-pager', 'no-wall', 'dry-run', 'quiet', 'verbose', 'no-warn'],
      ...['force', 'no-reload', 'no-ask-password', 'runtime', 'plain', 'recursive', 'with-dependencies'],
      ...['firmware-setup', 'now', 'show-transaction', 'read-only', 'mkdir', 'marked', 'stdin'],
    ],
  ),
  shortValues: 'CtpPsHMno',
  permute: true,
};

/**
 * The commands of service(8) and invoke-rc.d(8) and their options (none takes a value): the first operand is the
 * service they start, stop or restart, a unit as systemctl's are.
 */
const SERVICE_GRAMMAR: OptionGrammar = {
  long: longOptions(
    [],
    [
      ...['status-all', 'help', 'version', 'full-restart', 'quiet', 'force', 'try-anyway', 'disclose-deny'],
      ...['query', 'no-fallback', 'skip-systemd-native'],
    ],
  ),
  shortValues: '',
  permute: false,
};

/** Why a unit name with a value and a fixed prefix must be one plain name (plainNameProblem), for messages. */
const UNIT_WHY =
  'since anything else names no unit of that prefix (a "*" or "?" is a pattern matching every loaded unit, a "/" or space something else); write other units in the config, a command per environment';

/** Refuses a template in what a unit's word (`words[k]`) names, or checks it once rendered after a fixed prefix. */
function unitOperand(
  found: ContainerMounts,
  words: readonly string[],
  k: number,
  command: string,
  source: (index: number, how: string, names?: string[], safe?: string) => void,
): void {
  const word = words[k]!;
  if (!templates(word).length) return;
  // A value after a fixed prefix ending in a separator (app-{{x}}.service, app@{{x}}): one unit of that prefix,
  // what follows the prefix checked once rendered to be one plain name.
  const head = word.slice(0, word.search(PLACEHOLDER));
  if (/^[A-Za-z0-9_][A-Za-z0-9_.:-]*[-_@.:]$/.test(head))
    found.names.set(k, {
      kind: 'plain',
      prefix: head,
      how: `the unit ${command} acts on (${word})`,
      why: UNIT_WHY,
    });
  else
    source(
      k,
      `the unit ${command} acts on, where the value would be the whole name or its start (poweroff.target, ssh.service, any unit or init script of this machine)`,
      undefined,
      'write the unit in the config, or put the value after a fixed prefix ending in - _ @ . or : (app-VALUE.service, app@VALUE), where it is checked when the command runs to be one plain name',
    );
}

/**
 * openssl's options whose value chooses what it trusts (openssl-verification-options(1), and each command's
 * -help in 3.0): the certificate authorities, the trusted certificates of cmp, the public key dgst -verify
 * checks a signature with, and the name a certificate is checked to be for.
 */
const OPENSSL_TRUST = new Map([
  ...['-CAfile', '-CApath', '-CAstore', '-verifyCAfile', '-verifyCApath', '-verifyCAstore'].map(
    (o) => [o, 'the certificate authorities trusted'] as const,
  ),
  ...['-chainCAfile', '-chainCApath', '-chainCAstore'].map(
    (o) => [o, 'the certificate authorities its certificate chain is built from'] as const,
  ),
  ...['-trusted', '-srv_trusted', '-tls_trusted', '-srvcert'].map(
    (o) => [o, 'the certificates trusted'] as const,
  ),
  ...['-verify', '-prverify'].map((o) => [o, 'the key trusted to have signed'] as const),
  ...['-verify_hostname', '-verify_email', '-verify_ip', '-tls_host', '-expect_sender'].map(
    (o) =>
      [
        o,
        'the name the certificate is checked to be for (any certificate of its choosing then passes)',
      ] as const,
  ),
]);
/** openssl dgst and the digests' own commands (openssl sha256 -verify KEY). */
const DIGESTS = /^(dgst|md5|sha\d*|sha3-\d+|sha512-\d+|shake\d+|sm3|blake2[bs]\d+|ripemd160|rmd160)$/;
/** openssl's options naming a shared library it loads: an engine (by name or path), a provider. */
const OPENSSL_LIBRARIES = new Set(['-engine', '-ssl_client_engine', '-provider']);

/**
 * The values of openssl's options among `words[from…]`: openssl reads -name and --name alike, the value after
 * "=" or in the next word, by the whole name only (apps/lib/opt.c). Only the options looked at here take a value.
 */
function opensslValues(words: readonly string[], from: number): OptionValue[] {
  const found: OptionValue[] = [];
  const taking = new Set([
    ...OPENSSL_TRUST.keys(),
    ...OPENSSL_LIBRARIES,
    ...['-config', '-provider-path', '-server', '-inkey'],
  ]);
  for (let k = from; k < words.length && words[k] !== '--'; k++) {
    const m = /^--?([A-Za-z][\w-]*)(=)?/.exec(words[k]!);
    const option = m ? `-${m[1]}` : '';
    if (!taking.has(option)) continue;
    // s_client -verify DEPTH, verify's -verify_depth: a number, not dgst's key.
    if (/^-(pr)?verify$/.test(option) && !DIGESTS.test(words[from] ?? '')) continue;
    if (m![2]) found.push({ index: k, option, value: words[k]!.slice(m![0].length) });
    else if (k + 1 < words.length) {
      found.push({ index: k + 1, option, value: words[k + 1]! });
      k++;
    }
  }
  return found;
}

/**
 * terraform init -backend-config=KEY=VALUE: the keys naming a place inside the backend the configuration
 * already names (the state's key in an s3 or azurerm backend, gcs's prefix, s3's workspace_key_prefix).
 * Terraform reads such a string value as it is (configValueFromCLI): a value there picks a state of that
 * backend. Any other key (bucket, region, endpoints, credentials, a role, a consul address, a local path)
 * chooses where the state, with its secrets, is read and written, and who can change it.
 */
const BACKEND_PLACES = new Set(['key', 'prefix', 'workspace_key_prefix']);

/**
 * gpg's options as GnuPG's argparse reads them (gpg --dump-option-table, 2.2; and 2.4's --quick-set-ownertrust,
 * --assert-signer): a long option by any unique prefix (--recv is --recv-keys, --home is --homedir), its value
 * after "=" or in the next word, short letters in clusters (-ao FILE); the first operand ends the options.
 */
const GPG_GRAMMAR: OptionGrammar = {
  long: longOptions(
    `debug debug-level display-charset charset options logger-fd log-file logger-file homedir faked-system-time
    default-key encrypt-to hidden-encrypt-to default-recipient group ungroup compliance default-new-key-algo
    min-rsa-length trust-model photo-viewer known-notation agent-program dirmngr-program limit-card-insert-tries
    temp-directory exec-path default-sig-expire default-cert-expire default-cert-level min-cert-level
    personal-cipher-preferences personal-digest-preferences personal-compress-preferences default-preference-list
    default-keyserver-url default-cert-check-level tofu-default-policy compress-algo compression-algo
    completes-needed marginals-needed max-cert-depth trustdb-name force-ownertrust input-size-hint set-filesize
    set-notation sig-notation cert-notation set-policy-url sig-policy-url cert-policy-url sig-keyserver-url output
    max-output comment set-filename compress-level bzip2-compress-level auto-key-locate keyserver
    keyserver-options key-origin import-options import-filter export-options export-filter list-options
    keyid-format recipient hidden-recipient recipient-file hidden-recipient-file remote-user local-user
    trusted-key sender try-secret-key keyring primary-keyring secret-keyring override-session-key
    override-session-key-fd s2k-mode s2k-digest-algo s2k-cipher-algo s2k-count verify-options
    disable-cipher-algo disable-pubkey-algo cipher-algo digest-algo cert-digest-algo weak-digest status-fd
    status-file attribute-fd attribute-file command-fd command-file passphrase-fd passphrase-file
    passphrase-repeat pinentry-mode request-origin display ttyname ttytype lc-ctype lc-messages xauthority
    personal-cipher-prefs personal-digest-prefs personal-compress-prefs sign-with user gpg-agent-info
    reader-port ctapi-driver pcsc-driver tofu-db-format passphrase assert-signer`.split(/\s+/),
    `sign clear-sign clearsign detach-sign encrypt encrypt-files symmetric store decrypt decrypt-files verify
    verify-files list-keys list-public-keys list-signatures list-sigs check-signatures check-sigs fingerprint
    list-secret-keys generate-key gen-key quick-generate-key quick-gen-key quick-add-uid quick-adduid
    quick-add-key quick-addkey quick-revoke-uid quick-revuid quick-set-expire quick-set-primary-uid
    full-generate-key full-gen-key generate-revocation gen-revoke delete-keys delete-secret-keys quick-sign-key
    quick-lsign-key quick-revoke-sig sign-key lsign-key edit-key key-edit change-passphrase passwd
    generate-designated-revocation desig-revoke export send-keys receive-keys recv-keys search-keys
    refresh-keys locate-keys locate-external-keys fetch-keys show-keys export-secret-keys export-secret-subkeys
    export-ssh-key import fast-import card-status edit-card card-edit change-pin list-config
    list-gcrypt-config gpgconf-list gpgconf-test list-packets export-ownertrust import-ownertrust
    update-trustdb check-trustdb fix-trustdb list-trustdb dearmor dearmour enarmor enarmour print-md print-mds
    gen-prime gen-random server tofu-policy delete-secret-and-public-keys rebuild-keydb-caches list-key
    list-sig check-sig show-key quick-set-ownertrust verbose no-verbose quiet no-tty no-greeting debug-all
    debug-iolbf no-options debug-quick-random no-encrypt-to encrypt-to-default-key default-recipient-self
    no-default-recipient no-groups gnupg no-pgp2 no-pgp6 no-pgp7 no-pgp8 rfc2440 rfc4880 rfc4880bis openpgp
    pgp6 pgp7 pgp8 always-trust exit-on-status-write-error enable-progress-filter expert no-expert
    no-secmem-warning require-secmem no-require-secmem no-permission-warning dry-run interactive
    ask-sig-expire no-ask-sig-expire ask-cert-expire no-ask-cert-expire ask-cert-level no-ask-cert-level
    only-sign-text-ids enable-large-rsa disable-large-rsa enable-dsa2 disable-dsa2 no-expensive-trust-checks
    allow-non-selfsigned-uid no-allow-non-selfsigned-uid allow-freeform-uid no-allow-freeform-uid
    preserve-permissions lock-once lock-multiple lock-never bzip2-decompress-lowmem auto-check-trustdb
    no-auto-check-trustdb multifile utf8-strings no-utf8-strings no-literal armor armour no-armor no-armour
    default-comment no-comments emit-version no-emit-version no-version not-dash-escaped escape-from-lines
    no-escape-from-lines mimemode textmode no-textmode for-your-eyes-only no-for-your-eyes-only show-notation
    no-show-notation show-session-key use-embedded-filename no-use-embedded-filename unwrap
    mangle-dos-filenames no-mangle-dos-filenames no-symkey-cache skip-verify list-only disable-signer-uid
    no-auto-key-locate auto-key-import no-auto-key-import auto-key-retrieve no-auto-key-retrieve
    include-key-block no-include-key-block disable-dirmngr merge-only allow-secret-key-import show-photos
    no-show-photos show-policy-url no-show-policy-url with-colons with-tofu-info with-key-data with-sig-list
    with-sig-check with-fingerprint with-subkey-fingerprint with-subkey-fingerprints with-icao-spelling
    with-keygrip with-secret with-wkd-hash with-key-origin fast-list-mode fixed-list-mode legacy-list-mode
    print-pka-records print-dane-records show-keyring throw-keyids no-throw-keyids try-all-secrets
    no-default-keyring no-keyring skip-hidden-recipients no-skip-hidden-recipients require-backsigs
    require-cross-certification no-require-backsigs no-require-cross-certification enable-special-filenames
    no-random-seed-file no-sig-cache ignore-time-conflict ignore-valid-from ignore-crc-error ignore-mdc-error
    override-compliance-check allow-weak-key-signatures allow-weak-digest-algos allow-multisig-verification
    allow-multiple-messages no-allow-multiple-messages batch no-batch yes no force-sign-key no-autostart
    forbid-gen-key require-compliance use-only-openpgp-card rfc2440-text no-rfc2440-text use-agent
    no-use-agent disable-ccid honor-http-proxy strict no-strict load-extension sk-comments no-sk-comments
    compress-keys compress-sigs force-v3-sigs no-force-v3-sigs force-v4-certs no-force-v4-certs
    no-mdc-warning force-mdc no-force-mdc disable-mdc no-disable-mdc help version warranty dump-option-table
    dump-options`.split(/\s+/),
  ),
  shortValues: 'NorRfFu',
  permute: false,
};
/** gpgv's (gpgv --dump-option-table). */
const GPGV_GRAMMAR: OptionGrammar = {
  long: longOptions(
    ['keyring', 'output', 'status-fd', 'logger-fd', 'log-file', 'homedir', 'weak-digest', 'debug'],
    ['verbose', 'quiet', 'ignore-time-conflict', 'enable-special-filenames', 'help', 'version', 'warranty'],
  ),
  shortValues: 'o',
  permute: false,
};
/** gpg's options whose value chooses what it trusts or where keys come from, and why. */
const GPG_TRUST = new Map([
  ...['--keyserver', '--auto-key-locate'].map((o) => [o, 'the server keys are fetched from'] as const),
  ...['--homedir', '--keyring', '--primary-keyring', '--secret-keyring', '--trustdb-name'].map(
    (o) => [o, 'the keys (or the trust database) it uses'] as const,
  ),
  ['--trusted-key', 'a key trusted ultimately'],
  ['--trust-model', 'how keys are trusted (always: every key)'],
  ['--force-ownertrust', 'the trust every key gets'],
  ['--assert-signer', 'the key a signature must be from'],
]);
/** gpg's programs and the config naming them: the agent and dirmngr it starts, the photo viewer, their PATH. */
const GPG_PROGRAMS = ['--agent-program', '--dirmngr-program', '--photo-viewer'];
/** gpg's commands whose operands are keys imported, fetched or certified (so trusted), or trust set. */
const GPG_IMPORTS = new Set(
  `--import --fast-import --recv-keys --receive-keys --fetch-keys --locate-keys --locate-external-keys
  --import-ownertrust --quick-set-ownertrust --sign-key --lsign-key --quick-sign-key --quick-lsign-key`.split(
    /\s+/,
  ),
);

/**
 * man-db's options as argp reads them (man --usage): a long option by any unique prefix (--pag= is --pager=), a
 * value after "=" or in the next word, short letters in clusters (-aP PAGER, -aPPAGER), -H/--html, -T and -X
 * with a value attached only; options after operands too.
 */
const MAN_GRAMMAR: OptionGrammar = {
  long: longOptions(
    [
      ...['config-file', 'recode', 'locale', 'systems', 'manpath', 'sections', 'extension', 'pager'],
      ...['prompt', 'encoding', 'preprocessor'],
    ],
    [
      ...['debug', 'default', 'whatis', 'apropos', 'global-apropos', 'local-file', 'where', 'path'],
      ...['location', 'where-cat', 'location-cat', 'catman', 'ignore-case', 'match-case', 'regex'],
      ...['wildcard', 'names-only', 'all', 'update', 'no-subpages', 'ascii', 'no-hyphenation', 'nh'],
      ...['no-justification', 'nj', 'troff', 'ditroff', 'help', 'usage', 'version'],
    ],
    ['warnings', 'troff-device', 'html', 'gxditview'],
  ),
  shortValues: 'CRLmMSsePrEp',
  shortOptional: 'HTX',
  permute: true,
};

/** The words of `name`'s command (`words[at]`) whose template chooses a source, a destination or what is trusted. */
export function deploySources(
  found: ContainerMounts,
  words: readonly string[],
  at: number,
  name: string,
): void {
  const source = (index: number, how: string, names?: string[], safe?: string) => {
    const list = names ?? templates(words[index] ?? '');
    if (index < words.length && list.length)
      found.refused.push({ index, names: list, how, kind: 'source', ...(safe && { safe }) });
  };
  const chosen = (index: number, how: string, kind: 'program' | 'directory' | 'code') => {
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
      // --ca-file (repo add, install/upgrade/template/pull --repo, push, registry login): the certificate
      // authorities trusted for the chart repository or registry.
      for (const v of valuesOf(words, from, ['--ca-file']))
        source(
          v.index,
          'the value of helm --ca-file, which chooses the certificate authorities trusted for the chart repository or registry (a server of its choosing then serves the chart, or gets the credentials)',
        );
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
      const operands = systemctlOperands(words, at);
      const verb = words[operands[0] ?? -1] ?? '';
      // set-environment NAME=VALUE, import-environment NAME: a value before a fixed "=" (or in a name imported)
      // chooses the variable the manager gives every unit started later (LD_PRELOAD, PATH; or a secret of this
      // job's, imported where any user reads it: systemctl show-environment).
      if (verb === 'set-environment' || verb === 'import-environment')
        for (const k of operands.slice(1)) {
          const word = words[k]!;
          const eq = word.indexOf('=');
          const name = verb === 'set-environment' && eq >= 0 ? word.slice(0, eq) : word;
          if (templates(name).length)
            source(
              k,
              `the name of the variable systemctl ${verb} sets in the service manager, for every unit it starts later (LD_PRELOAD, PATH, NODE_OPTIONS: the code they run${verb === 'import-environment' ? "; or a secret of this job's, which any user then reads with systemctl show-environment" : ''})`,
              templates(name),
              'write the name in the config and template only the value, after a fixed "=" (systemctl set-environment VERSION=VALUE)',
            );
        }
      if (SYSTEMCTL_UNIT_VERBS.has(verb))
        for (const k of operands.slice(1)) unitOperand(found, words, k, `systemctl ${verb}`, source);
      return;
    }
    case 'service':
    case 'invoke-rc.d': {
      // service SERVICE ACTION: the first word, whatever it is (service runs /etc/init.d/SERVICE, or systemctl
      // ACTION SERVICE); invoke-rc.d [--OPTION…] SCRIPT ACTION.
      const script = name === 'service' ? from : readOptions(words, from, SERVICE_GRAMMAR).operands[0];
      if (script !== undefined) unitOperand(found, words, script, name, source);
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
      for (const v of opensslValues(words, from)) {
        const option = v.option;
        if (option === '-config' || option === '-provider-path')
          chosen(
            v.index,
            `the value of openssl ${v.option}, whose config or modules load code (engines, providers: shared libraries it runs)`,
            'directory',
          );
        else if (OPENSSL_LIBRARIES.has(option))
          chosen(
            v.index,
            `the ${option === '-provider' ? 'provider' : 'engine'} openssl ${option} loads, a shared library it runs in its own process (a name picks any module installed on this machine, a path any file of the checkout)`,
            'code',
          );
        else if (OPENSSL_TRUST.has(option) || (option === '-server' && words[from] === 'cmp'))
          source(
            v.index,
            `the value of openssl ${option}, which chooses ${OPENSSL_TRUST.get(option) ?? 'the CMP server it sends the request and its secret to'}`,
          );
        // pkeyutl -verify (-verifyrecover) -inkey KEY: the key a signature is checked with.
        else if (
          option === '-inkey' &&
          words[from] === 'pkeyutl' &&
          words.some((w) => /^--?verify(recover)?$/.test(w))
        )
          source(
            v.index,
            'the value of openssl pkeyutl -inkey, which chooses the key trusted to have signed',
          );
      }
      return;
    }
    case 'gpg':
    case 'gpg2': {
      const { options, operands } = readOptions(words, from, GPG_GRAMMAR);
      for (const v of options) {
        if (v.index === undefined) continue;
        const why = GPG_TRUST.get(v.option);
        if (why) source(v.index, `the value of ${name} ${v.option}, which chooses ${why}`);
        else if (GPG_PROGRAMS.includes(v.option))
          chosen(
            v.index,
            `the program ${name} ${v.option} starts (a plain word is a file of the checkout, not a program on PATH)`,
            'code',
          );
        else if (v.option === '--exec-path')
          chosen(
            v.index,
            `the value of ${name} --exec-path, the PATH of the programs it starts`,
            'directory',
          );
        else if (v.option === '--options')
          chosen(
            v.index,
            `the value of ${name} --options, a config naming the programs it starts and the keys it trusts`,
            'directory',
          );
      }
      const command = options.find((v) => GPG_IMPORTS.has(v.option))?.option;
      if (command)
        for (const k of operands)
          source(
            k,
            `the keys ${name} ${command} imports, fetches, certifies or trusts (a key of its choosing is then trusted to sign what is checked)`,
          );
      return;
    }
    case 'gpgv': {
      for (const v of readOptions(words, from, GPGV_GRAMMAR).options)
        if (v.index !== undefined && (v.option === '--keyring' || v.option === '--homedir'))
          source(v.index, `the value of gpgv ${v.option}, which chooses the keys trusted to have signed`);
      return;
    }
    case 'man': {
      for (const v of readOptions(words, from, MAN_GRAMMAR).options) {
        if (v.index === undefined) continue;
        if (v.option === '-P' || v.option === '--pager')
          chosen(v.index, `the program man ${v.option} runs`, 'program');
        else if (v.option === '-H' || v.option === '--html')
          chosen(v.index, `the browser man ${v.option} runs`, 'program');
        else if (v.option === '-C' || v.option === '--config-file')
          chosen(v.index, `the value of man ${v.option}, a config naming the programs man runs`, 'directory');
      }
      return;
    }
  }
}

/**
 * Whether gpg (`words[at]`) imports keys, or trust, read on its standard input: an import command
 * (--import, --import-ownertrust, …) with no file named, or "-". What is piped into it would be the keys trusted.
 */
export function gpgImportsStdin(words: readonly string[], at: number): boolean {
  const { options, operands } = readOptions(words, at + 1, GPG_GRAMMAR);
  const reads = /^--(import|fast-import|import-ownertrust)$/;
  return (
    options.some((v) => reads.test(v.option)) &&
    (operands.length === 0 || operands.some((k) => words[k] === '-' || words[k] === '/dev/stdin'))
  );
}

/** The operands of systemctl (`words[at]`) as it reads its options: the verb first (set-environment, restart, …). */
export function systemctlOperands(words: readonly string[], at: number): number[] {
  return readOptions(words, at + 1, SYSTEMCTL_GRAMMAR).operands;
}
