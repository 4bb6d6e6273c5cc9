// Deploy tools' words whose value chooses where what is deployed comes from or goes, what is trusted, or which
// program or service runs: the chart repository helm repo add registers and the registry helm push sends to;
// argocd's server (and login's), an application's source (--repo, --path, --helm-chart, its plugin, its spec
// file, values, project, --local) and destination, the repositories repo add and repocreds add register; aws's
// endpoint (by any prefix of the option, as aws reads it), a Lambda function's code, role, handler, runtime,
// layers and image config, an S3 bucket, aws configure set's settings, a CodeDeploy revision's bucket or
// repository, an Elastic Beanstalk version's source, an Amplify zip's URL, a CloudFormation template (its URL
// but for a key in a fixed bucket, its body) and package bucket, an instance's AMI and instance profile, and
// --role-arn (who acts); a value in an aws shorthand field naming a key or commit is checked once rendered; fly
// deploy's working directory, config, Dockerfile, proxy build args and buildpacks options; the unit systemctl
// (service, invoke-rc.d) acts on, the variable set-environment names, and where systemd's tools act
// (systemd-tools.ts); terraform init's backend settings other than the state's key within it; redis-cli's
// host (a value in its first label after a fixed prefix is checked once rendered to be one DNS label); openssl's
// config, engine, provider and what it trusts; gpg's (gpgv's) keys, programs and trust; man's pager and config;
// helm --ca-file. Options are read as each tool reads them (option-words.ts: gpg --recv, man -aP, …; aws by
// prefix). A template there is refused when the config loads
// (kind 'source', 'code', or 'program'/'directory'); a unit name with a fixed prefix is checked once rendered to
// be one plain name. The images of aws lambda --image-uri (and --code ImageUri=), fly deploy --image, argocd
// --kustomize-image and helm push's repository under a fixed registry follow the image rule
// (container-mounts.ts). Pure.
import { awsShorthandWords } from './aws-shorthand.ts';
import { type ContainerMounts, imageReference, type MountWord, namespaceName } from './container-mounts.ts';
import { longOptions, operandsOf, type OptionGrammar, readOptions } from './option-words.ts';
import { ENVIRONMENT_NAME_WHY, ROLE_FIELD } from './chosen-fields.ts';
import { gitSources } from './git-remotes.ts';
import { HOST_LABEL_WHY, hostLabel, hostPlace } from './host-label.ts';
import { PLACEHOLDER } from './placeholder.ts';
import { sshDestinations, sshHost } from './ssh-destinations.ts';
import { SYSTEMCTL_GRAMMAR, systemdWhere } from './systemd-tools.ts';
import { isCodeVariable } from './programs.ts';
import { lookupTable } from './lookup-table.ts';

/** The templates in `text`. */
function templates(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

/**
 * A template in the name of a variable a runner gives the program it starts (a container, a Fly machine, a unit,
 * a Kubernetes object's containers): `text` is the word's NAME=VALUE (the name is the part before its first
 * "="), or NAME alone, which copies the runner's own variable of that name in (docker run -e NAME, systemd-run
 * -E NAME) or, given a value holding a "=", sets any variable. A value there chooses the variable (LD_PRELOAD,
 * NODE_OPTIONS, PATH: code the program loads; or a secret of this job passed to it), so it is refused with
 * kind 'code'; a value after a fixed NAME= is the variable's value (a variable that loads code is refused there:
 * programs.ts). `how` names the variable ("the variable docker run -e sets in the container"). The refusal, or
 * undefined.
 */
export function environmentName(index: number, text: string, how: string): MountWord | undefined {
  const eq = text.indexOf('=');
  const names = templates(eq < 0 ? text : text.slice(0, eq));
  if (!names.length) return undefined;
  return {
    index,
    names,
    how: `the name of ${how}, where it would choose the variable (${ENVIRONMENT_NAME_WHY}${eq < 0 ? "; a name alone copies the runner's own variable of that name, a secret of this job among them" : ''}; a value after a fixed NAME= stays accepted)`,
    kind: 'code',
  };
}

/**
 * Refuses the templates of `words[index]` (or `names`) as a source, destination or trust, `how` saying what the
 * word is; `safe` what to write instead (a whole clause: write that value in the config, or …), VALUE where the value goes.
 */
type Source = (index: number, how: string, names?: string[], safe?: string) => void;

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
  // A context of its config (each names a server and holds its token), and the service port-forwarded to.
  '--argocd-context',
  '--server-name',
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
  // Its Helm values files (a path of the repository, or a URL: helm upgrade -f's are refused alike) and project
  // (which sources, destinations and resources it may use).
  '--values',
  '--values-literal-file',
  '--project',
  // jsonnet code evaluated to make the manifests, and the libraries it imports (paths of the repository).
  '--jsonnet-ext-var-code',
  '--jsonnet-tla-code',
  '--jsonnet-libs',
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
  // How keys are fetched: its http-proxy, and honor-keyserver-url (the server a fetched key names is asked).
  ['--keyserver-options', 'how keys are fetched (a proxy, or the server a key names)'],
  // Who it signs as: any secret key of the keyring (as cosign's --key is refused).
  ...['-u', '--local-user', '--default-key'].map((o) => [o, 'the key it signs with'] as const),
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

/**
 * aws reads its options with argparse, which takes any unambiguous prefix of a long option for it (--endpoint,
 * --endp=URL, --ca, --s3-buck, --image for --image-uri), and its global options anywhere on the line: a word
 * `--P` (or `--P=VALUE`) whose P starts one of `options` is read as that option here. (An ambiguous prefix fails
 * the command.)
 */
export function awsOption(word: string, options: readonly string[]): string | undefined {
  const eq = word.indexOf('=');
  const option = eq > 0 ? word.slice(0, eq) : word;
  if (!/^--[A-Za-z0-9]/.test(option)) return undefined;
  return options.find((full) => full.startsWith(option));
}

/**
 * Whether the bare words after an aws option's value are more of its values: aws's operations take no operand
 * but `aws s3`'s paths and `aws configure`'s key and value, so a word there is an item of a list option
 * (--layers A B), or, for a scalar one, an error; either way no word a value may freely fill.
 */
function awsListItems(words: readonly string[], from: number): boolean {
  const service = words[awsOperands(words, from)[0] ?? -1];
  return service !== 's3' && service !== 'configure';
}

/**
 * aws's values of `options` (or of a prefix of one: awsOption) among `words[from…]`, up to `--`: the value
 * after "=" or the next word, and the bare words after that (awsListItems: --layers A {{x}}).
 */
function awsValuesOf(words: readonly string[], from: number, options: readonly string[]): OptionValue[] {
  const found: OptionValue[] = [];
  const items = awsListItems(words, from);
  for (let k = from; k < words.length && words[k] !== '--'; k++) {
    const word = words[k]!;
    const option = awsOption(word, options);
    if (option === undefined) continue;
    const eq = word.indexOf('=');
    if (eq > 0) found.push({ index: k, option, value: word.slice(eq + 1) });
    else if (k + 1 < words.length) found.push({ index: ++k, option, value: words[k]! });
    else continue;
    for (; items && k + 1 < words.length && words[k + 1] !== '--' && !words[k + 1]!.startsWith('-'); k++)
      found.push({ index: k + 1, option, value: words[k + 1]! });
  }
  return found;
}

/**
 * An option naming an IAM role who acts (--role-arn, --task-role-arn, --execution-role-arn, --service-role,
 * --role), or a prefix of one ending in -role-arn (aws reads a unique prefix as the option: --task-role-a);
 * --role-session-name and --role-name do not.
 */
const AWS_ROLE_OPTION = /^--(?:[A-Za-z0-9-]*-)?role(?:-(?:a(?:rn?)?)?)?$/;

/** The values of aws's options naming a role who acts (AWS_ROLE_OPTION) among `words[from…]`, up to `--`. */
function awsRoleValues(words: readonly string[], from: number): OptionValue[] {
  const found: OptionValue[] = [];
  const items = awsListItems(words, from);
  for (let k = from; k < words.length && words[k] !== '--'; k++) {
    const word = words[k]!;
    const eq = word.indexOf('=');
    const option = eq > 0 ? word.slice(0, eq) : word;
    if (!AWS_ROLE_OPTION.test(option)) continue;
    if (eq > 0) found.push({ index: k, option, value: word.slice(eq + 1) });
    else if (k + 1 < words.length) found.push({ index: ++k, option, value: words[k]! });
    else continue;
    for (; items && k + 1 < words.length && words[k + 1] !== '--' && !words[k + 1]!.startsWith('-'); k++)
      found.push({ index: k + 1, option, value: words[k + 1]! });
  }
  return found;
}

/**
 * aws's values of `options` (or of a prefix of one: awsOption) among `words[from…]`, up to `--`, for a list: the
 * word of `--opt=VALUE`, and each word after `--opt` up to the next option.
 */
function awsListValuesOf(words: readonly string[], from: number, options: readonly string[]): OptionValue[] {
  const found: OptionValue[] = [];
  for (let k = from; k < words.length && words[k] !== '--'; k++) {
    const word = words[k]!;
    const option = awsOption(word, options);
    if (option === undefined) continue;
    const eq = word.indexOf('=');
    if (eq > 0) found.push({ index: k, option, value: word.slice(eq + 1) });
    else
      for (; k + 1 < words.length && !words[k + 1]!.startsWith('--'); k++)
        found.push({ index: k + 1, option, value: words[k + 1]! });
  }
  return found;
}

/** aws's global options that take no value (aws help global options; --no-cli-pager, --cli-auto-prompt: v2). */
const AWS_FLAGS = [
  ...['--debug', '--no-verify-ssl', '--no-paginate', '--no-sign-request', '--version', '--no-cli-pager'],
  ...['--cli-auto-prompt', '--no-cli-auto-prompt'],
];

/** The operands of an aws line (service, operation, …), its global options read by prefix (awsOption). */
export function awsOperands(words: readonly string[], from: number): number[] {
  const values = [...AWS_VALUES];
  const found: number[] = [];
  for (let k = from; k < words.length && words[k] !== '--'; k++) {
    const word = words[k]!;
    if (!word.startsWith('-')) found.push(k);
    else if (!word.includes('=') && !AWS_FLAGS.includes(word) && awsOption(word, values) !== undefined) k++;
  }
  return found;
}

/**
 * aws lambda's options whose value chooses the code the function runs, what of it runs, or who it runs as:
 * what create-function and update-function-configuration set (gcloud functions deploy's --entry-point,
 * --runtime and --service-account are refused alike).
 */
const LAMBDA_CHOICES: Readonly<Record<string, string>> = lookupTable({
  '--role':
    'the IAM role the function runs as (any role the credentials may pass to Lambda, with its rights)',
  '--handler': 'the handler the function runs (any function or module of its package: the code that runs)',
  '--runtime':
    'the runtime the function runs in (nodejs22.x, python3.13, provided.al2023: which files of its package are its code)',
  '--layers':
    "the layers added to the function's code (a layer ARN of any account that shares one: its code runs in the function)",
});

/**
 * IAM's operations granting rights (or a credential) to a principal, and their options naming the principal or
 * the rights: a template there is refused (kind 'grant').
 */
const IAM_GRANTS: Readonly<Record<string, readonly string[]>> = lookupTable({
  'attach-role-policy': ['--role-name', '--policy-arn'],
  'attach-user-policy': ['--user-name', '--policy-arn'],
  'attach-group-policy': ['--group-name', '--policy-arn'],
  'put-role-policy': ['--role-name', '--policy-document'],
  'put-user-policy': ['--user-name', '--policy-document'],
  'put-group-policy': ['--group-name', '--policy-document'],
  'add-user-to-group': ['--user-name', '--group-name'],
  'update-assume-role-policy': ['--role-name', '--policy-document'],
  'create-role': ['--assume-role-policy-document', '--permissions-boundary'],
  'put-role-permissions-boundary': ['--role-name', '--permissions-boundary'],
  'put-user-permissions-boundary': ['--user-name', '--permissions-boundary'],
  'create-policy-version': ['--policy-arn', '--policy-document'],
  'set-default-policy-version': ['--policy-arn', '--version-id'],
  'add-role-to-instance-profile': ['--role-name', '--instance-profile-name'],
  'create-access-key': ['--user-name'],
  'create-login-profile': ['--user-name', '--password'],
  'update-login-profile': ['--user-name', '--password'],
  'create-service-specific-credential': ['--user-name'],
  'upload-ssh-public-key': ['--user-name', '--ssh-public-key-body'],
});

/** What IAM_GRANTS's options choose, for messages. */
const IAM_GRANT_WHAT: Readonly<Record<string, string>> = lookupTable({
  '--role-name':
    'which chooses the role given the rights (any role of the account: whoever may assume it then has them)',
  '--user-name': 'which chooses the user given the rights or the credential (any user of the account)',
  '--group-name':
    'which chooses the group given the rights, or joined (any group of the account: its rights)',
  '--policy-arn': 'which chooses the rights granted (a policy such as AdministratorAccess)',
  '--policy-document': 'the rights granted, or who may assume the role (a policy of its choosing)',
  '--assume-role-policy-document': 'which chooses who may assume the role (any account or service)',
  '--permissions-boundary': 'which chooses the most rights the principal may have',
  '--version-id': 'which chooses the version of the policy in force (its rights)',
  '--instance-profile-name':
    'which chooses the instance profile given the role (the instances that then act as it)',
  '--password': 'the password of the user (whoever knows it signs in as the user)',
  '--ssh-public-key-body': 'the key the user signs in with (whoever holds its private key acts as the user)',
});

/**
 * In aws shorthand fields, an environment entry (name=NAME,value=VALUE[,type=TYPE]) whose name holds a template
 * (it chooses the variable), whose fixed name loads code and whose value holds one, whose type holds one, or
 * whose fixed type is PARAMETER_STORE or SECRETS_MANAGER and whose value holds one (it names the secret
 * given): what the value would choose and its templates, or undefined.
 */
function shorthandEntryProblem(
  fields: readonly ShorthandField[],
): { what: string; names: string[] } | undefined {
  const last = (f: ShorthandField) => f.key.split('.').at(-1)!.toLowerCase();
  const parent = (f: ShorthandField) => f.key.split('.').slice(0, -1).join('.');
  for (let k = 0; k < fields.length; k++) {
    if (last(fields[k]!) !== 'name') continue;
    const name = fields[k]!;
    // The entry: the fields after its name under the same parent, up to the next name.
    const entry: ShorthandField[] = [];
    for (let j = k + 1; j < fields.length && last(fields[j]!) !== 'name'; j++)
      if (parent(fields[j]!) === parent(name)) entry.push(fields[j]!);
    const value = entry.find((f) => last(f) === 'value');
    if (!value) continue;
    const type = entry.find((f) => last(f) === 'type');
    if (templates(name.value).length)
      return {
        what: `the name of a variable it sets (${ENVIRONMENT_NAME_WHY})`,
        names: templates(name.value),
      };
    if (type && templates(type.value).length)
      return {
        what: `the type of the variable ${name.value} (PARAMETER_STORE, SECRETS_MANAGER: its value then names a secret of the account it is given)`,
        names: templates(type.value),
      };
    if (templates(value.value).length && isCodeVariable(name.value))
      return {
        what: `the value of the variable ${name.value}, a variable programs read to load code or to choose the programs they run`,
        names: templates(value.value),
      };
    if (templates(value.value).length && type && /^(parameter_store|secrets_manager)$/i.test(type.value))
      return {
        what: `the value of the ${type.value} variable ${name.value}, which names the secret it is given (any secret of the account)`,
        names: templates(value.value),
      };
  }
  return undefined;
}

/** CodeBuild start-build's (and start-build-batch's) overrides that choose what the build runs, builds, or as whom. */
const CODEBUILD_CHOICES: Readonly<Record<string, string>> = lookupTable({
  '--buildspec-override':
    'which chooses the commands the build runs (a buildspec written inline, or the file of the source it is read from)',
  '--source-location-override':
    'which chooses the source the build builds and runs the buildspec of (any repository or bucket)',
  '--service-role-override':
    'which chooses who acts: the IAM role the build runs as (any role the credentials may pass to CodeBuild, with its rights)',
});

/**
 * The keys of aws configure set whose value may come from a template: the region, the output format, the
 * credentials themselves (from secrets), a session's name and length, retries. Any other key may choose the
 * endpoint (endpoint_url, s3.endpoint_url), what is trusted (ca_bundle), a program it runs (credential_process,
 * cli_pager) or who it acts as (role_arn, source_profile, credential_source, web_identity_token_file, sso_*):
 * written to the config, it holds for every later aws command.
 */
const AWS_CONFIG_DATA = new Set([
  ...['region', 'output', 'aws_access_key_id', 'aws_secret_access_key', 'aws_session_token'],
  ...['role_session_name', 'duration_seconds', 'max_attempts', 'retry_mode'],
]);

/** The S3 commands whose s3:// operands name a bucket written to, read from and deployed, or emptied (aws s3 help). */
const S3_COMMANDS = new Set(['cp', 'mv', 'sync', 'rm', 'rb']);

/** A field of aws's shorthand (KEY=VALUE,…): its key (a path through nested structures: s3Location.key) and value. */
interface ShorthandField {
  key: string;
  value: string;
  /** Whether it is the last field of the whole value. */
  last: boolean;
}

/**
 * The fields of aws's shorthand syntax in `value` (awscli/shorthand.py): KEY=VALUE pairs split at "," outside
 * brackets, a word with no "=" continuing the previous key's list (Command=a,b), a word with a template before its
 * "=" a key (aws reads one there: key=app.zip,{{k}}=evil; refused by awsShorthand), KEY={…} a structure and
 * KEY=[…] a list (of scalars, or of structures). Undefined for anything else: JSON, a quoted value, an
 * unbalanced bracket, a first word with no key. A template counts as plain text ({{x}} is not a structure).
 */
/** In shorthand, NAME= then (quoted or not) fixed text and a template: a variable's value (Variables={NAME=…}). */
const SHORTHAND_VARIABLE = /([A-Za-z_]\w*)=["']?[^,{}[\]"'=]*\{\{\s*[A-Za-z_]\w*\s*\}\}/g;

function shorthandFields(value: string): ShorthandField[] | undefined {
  const slots: string[] = [];
  const masked = value.replace(PLACEHOLDER, (m) => `\uE000${slots.push(m) - 1}\uE001`);
  const unmask = (text: string) => text.replace(/\uE000(\d+)\uE001/g, (_, i: string) => slots[Number(i)]!);
  const fields: ShorthandField[] = [];
  const read = (text: string, path: string): boolean => {
    if (/["'\\]/.test(text) || /^\s*[{[]/.test(text)) return false;
    const pieces: string[] = [];
    let depth = 0;
    let start = 0;
    for (let k = 0; k < text.length; k++) {
      const c = text[k]!;
      if (c === '{' || c === '[') depth++;
      else if (c === '}' || c === ']') {
        if (--depth < 0) return false;
      } else if (c === ',' && depth === 0) {
        pieces.push(text.slice(start, k));
        start = k + 1;
      }
    }
    if (depth !== 0) return false;
    pieces.push(text.slice(start));
    let key: string | undefined;
    for (const piece of pieces) {
      // A template before a piece's "=" is in its key (key=app.zip,{{k}}=evil): aws reads a key there.
      const m = /^\s*((?:[A-Za-z0-9_.:-]|\uE000\d+\uE001)+)\s*=(.*)$/s.exec(piece);
      if (m) key = m[1]!;
      else if (key === undefined) return false;
      const rest = m ? m[2]! : piece;
      const inner = /^\s*([{[])(.*)([}\]])\s*$/s.exec(rest);
      if (inner && inner[1] === '{' && inner[3] === '}') {
        if (!read(inner[2]!, `${path}${key}.`)) return false;
      } else if (inner && inner[1] === '[' && inner[3] === ']') {
        // A list of structures ([{…},{…}]) or of scalars ([a,b]).
        const items = inner[2]!.trim();
        if (items.startsWith('{')) {
          for (const item of items.split(/(?<=\})\s*,\s*(?=\{)/)) {
            const body = /^\{(.*)\}$/s.exec(item.trim());
            if (!body || !read(body[1]!, `${path}${key}.`)) return false;
          }
        } else
          for (const item of items.split(',')) fields.push({ key: path + key, value: item, last: false });
      } else fields.push({ key: path + key, value: rest, last: false });
    }
    return true;
  };
  if (!read(masked, '')) return undefined;
  fields.forEach((f, i) => {
    f.key = unmask(f.key);
    f.value = unmask(f.value);
    f.last = i === fields.length - 1;
  });
  return fields;
}

/**
 * How a field of an aws shorthand value may hold a template: 'data' (a key within a fixed bucket, a version, a
 * commit: checked once rendered to hold no "," "=" space, quote or bracket, which would add a field), 'path'
 * (after a fixed NAME/: the repository or bucket before the "/" stays fixed; checked alike), 'image' (the image
 * rule: a tag or digest after a fixed registry and name).
 */
type FieldUse = 'data' | 'path' | 'image';

/** An aws option taking shorthand (or JSON): the fields a template may be in, why the others are refused, what to write. */
interface ShorthandRule {
  uses: Readonly<Record<string, FieldUse>>;
  why: string;
  safe?: string;
  /** Whether an argument written as JSON is left to the JSON rule (json-arguments.ts), which knows its fields. */
  json?: true;
}

/** A Lambda function's code (create-function --code, publish-layer-version --content). */
const LAMBDA_CODE = (image: boolean): ShorthandRule => ({
  uses: { S3Key: 'data', S3ObjectVersion: 'data', ...(image && { ImageUri: 'image' as const }) },
  why: `which chooses where the function's code is taken from: S3Bucket= (a bucket name is global: any account's bucket), ZipFile=${image ? ", ImageUri='s registry and name" : ''} (and a value in a key, or in JSON, may set them)`,
  safe: `write that value in the config, or put the value in S3Key= after a fixed S3Bucket= (S3Bucket=code,S3Key=builds/VALUE.zip)${image ? ', or in the tag of ImageUri= (ImageUri=123456789012.dkr.ecr.us-east-1.amazonaws.com/app:VALUE, written last)' : ''}`,
});
/** A container image function's entry point, command and working directory (Lambda's ImageConfig). */
const LAMBDA_IMAGE_CONFIG: ShorthandRule = {
  uses: {},
  why: "which chooses the program the function's container runs (EntryPoint=, Command=) and where (WorkingDirectory=): the code that runs",
};
/** A CodeDeploy revision: --s3-location, --github-location (aws's own arguments) and --revision (the API's). */
const CODEDEPLOY_S3: ShorthandRule = {
  uses: { key: 'data', version: 'data', eTag: 'data', bundleType: 'data' },
  why: "which chooses the revision CodeDeploy deploys: bucket= (a bucket name is global: any account's bucket; and a value in a key, or in JSON, may set it)",
  safe: 'write that value in the config, or put the value in key= after a fixed bucket= (bucket=artifacts,key=app-VALUE.zip,bundleType=zip)',
};
const CODEDEPLOY_GITHUB: ShorthandRule = {
  uses: { commitId: 'data' },
  why: 'which chooses the revision CodeDeploy deploys: repository= (any GitHub repository, whose code then runs on the instances; and a value in a key, or in JSON, may set it)',
  safe: 'write that value in the config, or put the value in commitId= after a fixed repository= (repository=owner/app,commitId=VALUE)',
};
const CODEDEPLOY_REVISION: ShorthandRule = {
  uses: {
    's3Location.key': 'data',
    's3Location.version': 'data',
    's3Location.eTag': 'data',
    's3Location.bundleType': 'data',
    'gitHubLocation.commitId': 'data',
  },
  why: "which chooses the revision CodeDeploy deploys: its type, s3Location's bucket= (any account's bucket), gitHubLocation's repository= (any GitHub repository), its string or AppSpec content (and a value in a key, or in JSON, may set them)",
  safe: 'write that value in the config, or put the value in s3Location={…,key=VALUE} or gitHubLocation={…,commitId=VALUE}',
};
/** An Elastic Beanstalk application version's source: an S3 bundle, a CodeCommit commit or S3 object, a build. */
const BEANSTALK_BUNDLE: ShorthandRule = {
  uses: { S3Key: 'data' },
  why: "which chooses the source bundle the application version deploys: S3Bucket= (a bucket name is global: any account's bucket; and a value in a key, or in JSON, may set it)",
  safe: 'write that value in the config, or put the value in S3Key= after a fixed S3Bucket= (S3Bucket=artifacts,S3Key=app-VALUE.zip)',
};
const BEANSTALK_BUILD_SOURCE: ShorthandRule = {
  uses: { SourceLocation: 'path' },
  why: 'which chooses the source the application version deploys: the repository or bucket starting SourceLocation= (before its first "/"), SourceRepository= and SourceType= (and a value in a key, or in JSON, may set them)',
  safe: 'write that value in the config, or put the value after a fixed repository or bucket and "/" (SourceLocation=app-repo/VALUE)',
};
const BEANSTALK_BUILD: ShorthandRule = {
  uses: { ArtifactName: 'data', ComputeType: 'data', TimeoutInMinutes: 'data' },
  why: 'which chooses the image CodeBuild builds the version in (Image=) and the role it builds as (CodeBuildServiceRole=) (and a value in a key, or in JSON, may set them)',
  safe: 'write that value in the config, or put the value in ArtifactName=',
};

/**
 * A Batch job's container overrides (submit-job --container-overrides): its command is the code the job runs,
 * its instance type where; a value may be an environment variable's value (environment=[{name=V,value=…}]) or
 * a resource's value. Written as JSON it follows the JSON rule (json-arguments.ts: its "command" refused).
 */
const BATCH_CONTAINER_OVERRIDES: ShorthandRule = {
  uses: { 'environment.value': 'data', 'resourceRequirements.value': 'data', vcpus: 'data', memory: 'data' },
  why: 'which chooses the command the job runs (command=) and its environment variables (environment=[{name=…}]) (and a value in a key may set them)',
  safe: "write that value in the config, or put the value in an environment variable's value= after a fixed name= (environment=[{name=VERSION,value=VALUE}])",
  json: true,
};
/**
 * An ECS task's overrides (run-task/start-task --overrides): its containers' command, the roles the task runs as
 * (taskRoleArn=, executionRoleArn=); a value may be a container's environment variable's value. Written as JSON it
 * follows the JSON rule (json-arguments.ts: "command" and the roles refused).
 */
const ECS_OVERRIDES: ShorthandRule = {
  uses: {
    'containerOverrides.name': 'data',
    'containerOverrides.environment.value': 'data',
    'containerOverrides.cpu': 'data',
    'containerOverrides.memory': 'data',
    'containerOverrides.memoryReservation': 'data',
    cpu: 'data',
    memory: 'data',
  },
  why: "which chooses the command the task's containers run (containerOverrides=[{command=…}]), their environment variables and the roles the task runs as (taskRoleArn=, executionRoleArn=) (and a value in a key may set them)",
  safe: "write that value in the config, or put the value in a container's environment variable's value= after a fixed name= (containerOverrides=[{name=app,environment=[{name=VERSION,value=VALUE}]}])",
  json: true,
};

/** aws SERVICE OPERATION's options taking shorthand whose fields choose what is deployed, or what runs. */
const AWS_SHORTHAND: Readonly<Record<string, Readonly<Record<string, ShorthandRule>>>> = lookupTable({
  'lambda create-function': { '--code': LAMBDA_CODE(true), '--image-config': LAMBDA_IMAGE_CONFIG },
  'lambda publish-layer-version': { '--content': LAMBDA_CODE(false) },
  'lambda update-function-configuration': { '--image-config': LAMBDA_IMAGE_CONFIG },
  'batch submit-job': { '--container-overrides': BATCH_CONTAINER_OVERRIDES },
  'ecs run-task': { '--overrides': ECS_OVERRIDES },
  'ecs start-task': { '--overrides': ECS_OVERRIDES },
  ...Object.fromEntries(
    ['create-deployment', 'register-application-revision'].map((verb) => [
      `deploy ${verb}`,
      {
        '--s3-location': CODEDEPLOY_S3,
        '--github-location': CODEDEPLOY_GITHUB,
        '--revision': CODEDEPLOY_REVISION,
      },
    ]),
  ),
  'elasticbeanstalk create-application-version': {
    '--source-bundle': BEANSTALK_BUNDLE,
    '--source-build-information': BEANSTALK_BUILD_SOURCE,
    '--build-configuration': BEANSTALK_BUILD,
  },
});

/**
 * A template in aws shorthand (`v`, the value of `rule`'s option): refused in a key, in a field `rule` does not
 * name, in JSON or in anything else not read as shorthand; accepted in a 'data' field (and a 'path' field after
 * a fixed NAME/), checked once rendered to add no field; an 'image' field, written last, follows the image rule.
 */
function awsShorthand(
  found: ContainerMounts,
  words: readonly string[],
  v: OptionValue,
  command: string,
  rule: ShorthandRule,
  source: Source,
): void {
  const names = templates(v.value);
  if (!names.length) return;
  const how = `the value of ${command} ${v.option}, ${rule.why}`;
  if (rule.json && /^\s*[{[]/.test(v.value.replace(PLACEHOLDER, ''))) return;
  const fields = shorthandFields(v.value);
  if (!fields) return source(v.index, how, names, rule.safe);
  const templated = fields.filter((f) => templates(f.key + f.value).length);
  const allowed = (f: ShorthandField): boolean => {
    if (templates(f.key).length) return false; // a template in a key chooses the field
    const use = Object.hasOwn(rule.uses, f.key) ? rule.uses[f.key] : undefined;
    if (use === 'path') return /^[^/{}]+\//.test(f.value.slice(0, f.value.search(PLACEHOLDER)));
    // The image's field, the last (its value runs to the end of the word) and alone holding a template.
    if (use === 'image') return f.last && templated.length === 1 && v.value.endsWith(`${f.key}=${f.value}`);
    return use === 'data';
  };
  const bad = templated.filter((f) => !allowed(f));
  if (bad.length)
    return source(
      v.index,
      how,
      bad.flatMap((f) => templates(f.key + f.value)),
      rule.safe,
    );
  const image = templated.find((f) => rule.uses[f.key] === 'image');
  const word = words[v.index]!;
  if (image)
    return imageReference(
      found,
      v.index,
      word,
      word.slice(0, word.length - image.value.length),
      'aws',
      `the image ${command} ${v.option} ${image.key}= deploys`,
    );
  const keys = Object.keys(rule.uses).filter((k) => rule.uses[k] !== 'image');
  found.names.set(v.index, {
    kind: 'shorthand',
    how: `the ${[
      keys
        .slice(0, -1)
        .map((k) => `${k}=`)
        .join(', '),
      `${keys.at(-1)}=`,
    ]
      .filter(Boolean)
      .join(' or ')} of ${command} ${v.option}`,
  });
}

/**
 * An S3 object's URL whose bucket is fixed: s3://BUCKET/… or https://BUCKET.s3….amazonaws.com/…, the first
 * template after the "/" ending the bucket (or the host). A path-style URL (https://s3.amazonaws.com/BUCKET/…)
 * is not one: a "../" in the value could lead to another bucket.
 */
function fixedBucketUrl(url: string): boolean {
  const head = url.slice(0, url.search(PLACEHOLDER));
  return (
    /^s3:\/\/[a-z0-9][a-z0-9.-]*\//i.test(head) ||
    /^https:\/\/[a-z0-9][a-z0-9.-]*\.s3[.-]([a-z0-9-]+\.)*amazonaws\.com(\.cn)?\//i.test(head)
  );
}

/** The CloudFormation operations deploying a template (--template-url, --template-body). */
const CLOUDFORMATION_TEMPLATES = new Set([
  ...['create-stack', 'update-stack', 'create-change-set', 'create-stack-set', 'update-stack-set'],
]);

/** aws: its endpoint and what it trusts, a Lambda function's code and who it runs as, a bucket, its config. */
function awsSources(found: ContainerMounts, words: readonly string[], from: number, source: Source): void {
  for (const v of awsValuesOf(words, from, ['--endpoint-url', '--ca-bundle']))
    source(
      v.index,
      `the value of aws ${v.option}, which chooses the server the requests (and what they upload) go to, or the certificates trusted for it`,
    );
  // --profile NAME: an entry of ~/.aws/config holding keys or a role, so even a plain name picks who acts (as
  // gcloud --account, kubectl --context and an AWS_PROFILE assignment do).
  for (const v of awsValuesOf(words, from, ['--profile']))
    if (templates(v.value).length)
      found.refused.push({
        index: v.index,
        names: templates(v.value),
        how: `the profile aws ${v.option} chooses: which of this machine's credentials it acts with and where they are sent (an entry of its own config: a prod context, an admin profile, another account), even by a plain name`,
        kind: 'engine',
      });
  const operands = awsOperands(words, from);
  const [service, verb] = [words[operands[0] ?? -1], words[operands[1] ?? -1] ?? ''];
  if (service === 'lambda') {
    if (/^(update-function-code|create-function)$/.test(verb))
      for (const v of awsValuesOf(words, from, ['--s3-bucket']))
        source(
          v.index,
          `the value of aws lambda ${verb} --s3-bucket, which chooses where the function's code is taken from (a bucket name is global: any account's bucket)`,
        );
    if (verb === 'create-function' || verb === 'update-function-configuration')
      for (const v of awsValuesOf(words, from, Object.keys(LAMBDA_CHOICES)))
        source(v.index, `the value of aws lambda ${verb} ${v.option}, ${LAMBDA_CHOICES[v.option]}`);
  }
  // Shorthand naming what is deployed: a Lambda function's code and image config, a CodeDeploy revision, an
  // Elastic Beanstalk version's source (AWS_SHORTHAND).
  const shorthand = AWS_SHORTHAND[`${service} ${verb}`];
  if (shorthand)
    for (const v of awsValuesOf(words, from, Object.keys(shorthand)))
      awsShorthand(found, words, v, `aws ${service} ${verb}`, shorthand[v.option]!, source);
  // CodeBuild start-build's overrides of its project: the buildspec is the commands the build runs, the source
  // location what it builds (any repository or bucket), the service role who it builds as; the image it builds
  // in follows the image rule. The source version (a commit, branch or tag of the project's source) stays data.
  if (service === 'codebuild' && (verb === 'start-build' || verb === 'start-build-batch')) {
    for (const v of awsValuesOf(words, from, Object.keys(CODEBUILD_CHOICES)))
      source(v.index, `the value of aws codebuild ${verb} ${v.option}, ${CODEBUILD_CHOICES[v.option]}`);
    for (const v of awsValuesOf(words, from, ['--image-override']))
      imageReference(
        found,
        v.index,
        words[v.index]!,
        words[v.index]!.slice(0, words[v.index]!.length - v.value.length),
        'aws',
        `the image aws codebuild ${verb} --image-override builds in`,
      );
  }
  // Who acts: the role sts assume-role assumes, eks update-kubeconfig's token is for, CloudFormation deploys as,
  // an ECS task runs as (--task-role-arn, --execution-role-arn), CodeBuild builds as (create-project
  // --service-role), … any option naming a role (AWS_ROLE_ARN is refused alike; --role-session-name, --role-name
  // and --profile, a profile of the config, stay data). lambda create-function/update-function-configuration
  // --role has its own message (LAMBDA_CHOICES).
  const lambdaRole = service === 'lambda' && /^(create-function|update-function-configuration)$/.test(verb);
  for (const v of awsRoleValues(words, from))
    if (!(lambdaRole && awsOption(v.option, ['--role'])))
      source(
        v.index,
        `the value of aws ${service} ${verb} ${v.option}, which chooses who acts: the IAM role assumed, or the one the service acts as (any role of any account that trusts these credentials, with its rights)`,
      );
  // IAM's grants: the role, user or group given rights (or a key, a password) and the policy granted. As
  // gcloud's binding's --member and --role, a value there would give any principal of the account any rights
  // (--role-name {{x}} --policy-arn …AdministratorAccess); elsewhere --role-name stays data.
  const grant = service === 'iam' ? IAM_GRANTS[verb] : undefined;
  if (grant)
    for (const v of awsValuesOf(words, from, grant))
      if (templates(v.value).length)
        found.refused.push({
          index: v.index,
          names: templates(v.value),
          how: `the value of aws iam ${verb} ${v.option}, ${IAM_GRANT_WHAT[v.option] ?? 'which chooses who is granted rights, or which'}`,
          kind: 'grant',
        });
  // cognito-identity set-identity-pool-roles --roles authenticated=ARN (and --role-mappings): the roles its
  // identities act as.
  if (service === 'cognito-identity' && verb === 'set-identity-pool-roles')
    for (const v of awsValuesOf(words, from, ['--roles', '--role-mappings']))
      source(
        v.index,
        `the value of aws cognito-identity set-identity-pool-roles ${v.option}, which chooses who acts: the IAM role the pool's identities act as (any role of the account that trusts the pool, with its rights)`,
      );
  // In any argument aws reads in shorthand (aws-shorthand.ts), a template in a key chooses the field set (the
  // variable of --environment Variables={{{k}}=…}, as the name of a variable a runner gives a program is), and
  // one in a field naming a role chooses who acts (events put-targets --targets Id=1,Arn=…,RoleArn=…, any
  // …RoleArn= or ServiceRole=, as in JSON: chosen-fields.ts's ROLE_FIELD). An option AWS_SHORTHAND reads is
  // left to it.
  for (const arg of awsShorthandWords(words, from - 1)) {
    if (shorthand && awsOption(arg.option, Object.keys(shorthand))) continue;
    const word = words[arg.index]!;
    const value = word.startsWith(`${arg.option}=`) ? word.slice(arg.option.length + 1) : word;
    const fields = shorthandFields(value) ?? [];
    const keyed = fields.filter((f) => templates(f.key).length);
    if (keyed.length) {
      source(
        arg.index,
        `a key of the argument of aws ${service} ${verb} ${arg.option}, which aws reads in its shorthand syntax (Key=Value,…): a value there chooses the field set (Variables={LD_PRELOAD=…} for a function's environment)`,
        [...new Set(keyed.flatMap((f) => templates(f.key)))],
        'write the key in the config, and the value after it (Key=VALUE)',
      );
      continue;
    }
    // name=NAME,value=VALUE[,type=TYPE] (codebuild --environment-variables-override, ecs --overrides'
    // environment=[{name=…,value=…}]): a template in the name chooses the variable; after a fixed name that loads
    // code, the code; in the type, or in the value of a PARAMETER_STORE or SECRETS_MANAGER one, which secret of
    // the account the build or task is given.
    const entry = shorthandEntryProblem(fields);
    if (entry) {
      source(
        arg.index,
        `${entry.what} in the argument of aws ${service} ${verb} ${arg.option}, which aws reads in its shorthand syntax (name=…,value=…,type=…)`,
        entry.names,
        'write the name and the type in the config, and the value after a fixed name=NAME,value=',
      );
      continue;
    }
    // Variables={LD_PRELOAD={{x}}} (lambda --environment), quoted or not: the value of a variable that loads code.
    const code = [...value.matchAll(SHORTHAND_VARIABLE)].filter((m) => isCodeVariable(m[1]!));
    if (code.length) {
      source(
        arg.index,
        `the value of the variable ${code[0]![1]} in the argument of aws ${service} ${verb} ${arg.option}, a variable programs read to load code or to choose the programs they run (${ENVIRONMENT_NAME_WHY}): its value would choose the code that runs`,
        [...new Set(code.flatMap((m) => templates(m[0])))],
        'write that value in the config, and pass the value in another variable',
      );
      continue;
    }
    const roles = fields.filter(
      (f) => ROLE_FIELD.test(f.key.split('.').at(-1)!) && templates(f.value).length,
    );
    if (roles.length)
      source(
        arg.index,
        `the value of aws ${service} ${verb} ${arg.option}, whose ${roles.map((f) => `${f.key}=`).join(', ')} chooses who acts: the IAM role the service acts as (any role the credentials may pass, with its rights)`,
        roles.flatMap((f) => templates(f.value)),
      );
  }
  // cloudformation deploy --parameter-overrides KEY=VALUE…: a template before a word's first "=" chooses which
  // parameter of the stack is set (AdminRoleArn=…); a value after a fixed KEY= stays data.
  if (service === 'cloudformation' && verb === 'deploy')
    for (const v of awsListValuesOf(words, from, ['--parameter-overrides'])) {
      const key = v.value.includes('=') ? v.value.slice(0, v.value.indexOf('=')) : v.value;
      if (templates(key).length)
        source(
          v.index,
          'a parameter name of aws cloudformation deploy --parameter-overrides, which chooses which parameter of the stack is set (a role, an image, a bucket…)',
          templates(key),
          'write the name in the config, and the value after it (Tag=VALUE)',
        );
    }
  // What an instance runs and who it acts as: its machine image (any account's public AMI) and instance profile.
  if (
    (service === 'ec2' && verb === 'run-instances') ||
    (service === 'autoscaling' && verb === 'create-launch-configuration')
  )
    for (const v of awsValuesOf(words, from, ['--image-id']))
      source(
        v.index,
        `the value of aws ${service} ${verb} --image-id, the machine image the instances boot (an AMI ID picks any account's public image, whose code runs with the instance's role)`,
      );
  if (service === 'ec2' || service === 'autoscaling')
    for (const v of awsValuesOf(words, from, ['--iam-instance-profile']))
      source(
        v.index,
        `the value of aws ${service} ${verb} --iam-instance-profile, which chooses the role the instances act as (with its rights)`,
      );
  // CloudFormation: the template deployed (its URL, or its body: a file:// is file-reads.ts's), the bucket
  // package uploads the artifacts to and deploy reads them from.
  if (service === 'cloudformation') {
    if (CLOUDFORMATION_TEMPLATES.has(verb)) {
      for (const v of awsValuesOf(words, from, ['--template-url']))
        if (!fixedBucketUrl(v.value))
          source(
            v.index,
            `the value of aws cloudformation ${verb} --template-url, which chooses the template deployed (its resources, their code and roles): the server, or the bucket, it is read from`,
            undefined,
            'write that value in the config, or put the value in the key after a fixed bucket (https://BUCKET.s3.REGION.amazonaws.com/templates/VALUE.yaml)',
          );
      for (const v of awsValuesOf(words, from, ['--template-body']))
        if (!/^fileb?:\/\//i.test(v.value))
          source(
            v.index,
            `the value of aws cloudformation ${verb} --template-body, the template deployed (its resources, their code and roles)`,
            undefined,
            'write the template in a file of the repository (--template-body file://cfn/VALUE.yaml is checked once rendered)',
          );
    }
    if (verb === 'deploy' || verb === 'package')
      for (const v of awsValuesOf(words, from, ['--s3-bucket']))
        source(
          v.index,
          `the value of aws cloudformation ${verb} --s3-bucket, where the template's artifacts (the functions' code) are uploaded and deployed from (a bucket name is global: any account's bucket)`,
          undefined,
          'write that value in the config, or put the value in --s3-prefix',
        );
  }
  // Amplify: the zip (a URL, or an S3 bucket and prefix) a manually deployed app deploys.
  if (service === 'amplify' && verb === 'start-deployment')
    for (const v of awsValuesOf(words, from, ['--source-url']))
      if (!fixedBucketUrl(v.value))
        source(
          v.index,
          'the value of aws amplify start-deployment --source-url, which chooses the code deployed: the server or bucket it is downloaded from',
          undefined,
          'write that value in the config, or put the value in the key after a fixed bucket (s3://artifacts/VALUE/app.zip)',
        );
  // aws deploy push --s3-location s3://BUCKET/KEY: where the bundle is uploaded (and later deployed from).
  if (service === 'deploy' && verb === 'push')
    for (const v of awsValuesOf(words, from, ['--s3-location']))
      if (!fixedBucketUrl(v.value))
        source(
          v.index,
          "the value of aws deploy push --s3-location, the bucket the revision is uploaded to and deployed from (a bucket name is global: any account's bucket)",
          undefined,
          'write that value in the config, or put the value in the key after a fixed bucket (s3://artifacts/app-VALUE.zip)',
        );
  // aws s3 cp/mv/sync/rm … s3://BUCKET/KEY: the bucket is where the artifact goes (or what is read back and
  // deployed); a bucket name is global, so any part of it picks any account's bucket. A value in the key is data.
  if (service === 's3' && S3_COMMANDS.has(verb))
    for (const k of operands.slice(2)) {
      const bucket = /^s3:\/\/([^/]*)/i.exec(words[k]!)?.[1];
      if (bucket !== undefined && templates(bucket).length)
        source(
          k,
          `the bucket of aws s3 ${verb}'s ${words[k]}, where the files go or are read from (a bucket name is global: any part of it picks any account's bucket, which gets the artifact or gives what is deployed)`,
          templates(bucket),
          'write that value in the config, or put the value in the key, after a fixed bucket (s3://artifacts/VALUE/app.zip)',
        );
    }
  // aws s3api OPERATION --bucket BUCKET: the same bucket.
  if (service === 's3api')
    for (const v of awsValuesOf(words, from, ['--bucket']))
      source(
        v.index,
        `the bucket of aws s3api ${verb} --bucket (a bucket name is global: any part of it picks any account's bucket)`,
      );
  // aws configure set KEY VALUE: written to the config, it holds for every later aws command.
  if (service === 'configure' && verb === 'set') {
    const [key, value] = [operands[2] ?? -1, operands[3] ?? -1];
    const name = (words[key] ?? '').replace(/^(default|profile\.[^.]+)\./, '');
    if (templates(words[key] ?? '').length)
      source(
        key,
        'the setting aws configure set writes (any setting: endpoint_url, ca_bundle, credential_process)',
      );
    else if (!AWS_CONFIG_DATA.has(name))
      source(
        value,
        `the value aws configure set writes to ${words[key]}, a setting that may choose the server every later aws command talks to, what it trusts, a program it runs (credential_process, cli_pager) or who it acts as`,
        undefined,
        'write that value in the config, or set region, output, the credentials, role_session_name, duration_seconds, max_attempts or retry_mode (aws configure set region VALUE)',
      );
  }
}

/**
 * redis-cli (valkey-cli): the server it connects to gets the password, whether given with -a, --pass, --user, a
 * -u URI, the REDISCLI_AUTH variable or --askpass (and -h given after -u overrides the URI's host, keeping its
 * password), and what is sent: a value in -h or in -u's URI (anywhere there: redis-cli reads the URI's
 * userinfo up to its first "@") is refused, but in the first label of a host after a fixed prefix (hostLabel),
 * checked once rendered; -s's socket, and --cacert, --cacertdir and --sni (what is trusted) are refused.
 */
function redisSources(
  found: ContainerMounts,
  words: readonly string[],
  from: number,
  name: string,
  source: Source,
): void {
  for (const v of valuesOf(words, from, ['--cacert', '--cacertdir', '--sni']))
    source(
      v.index,
      `the value of ${name} ${v.option}, which chooses the certificates trusted for the server, or the name checked`,
    );
  const safe = `write that value in the config, or put the value in the first label of a host, after a fixed prefix (-h redis-VALUE.internal, -u redis://redis-VALUE.internal:6379), checked once rendered`;
  for (const v of valuesOf(words, from, ['-h', '-s', '-u'])) {
    if (!templates(v.value).length) continue;
    if (v.option === '-s') {
      source(
        v.index,
        `the socket ${name} -s connects to (a server of this machine, which gets the password and what is sent)`,
      );
      continue;
    }
    // -u: [scheme://][user:password@]HOST[:port][/db], the value in HOST only.
    const uri =
      /^((?:redis|rediss|valkey|valkeys):\/\/(?:[^@{}]*@)?)([^:/@]*)((?::[0-9]+)?(?:\/[0-9]*)?)$/i.exec(
        v.value,
      );
    const [head, host, tail] = v.option === '-u' ? [uri?.[1], uri?.[2], uri?.[3]] : ['', v.value, ''];
    const label = head !== undefined && host !== undefined ? hostLabel(host) : undefined;
    if (label && templates(host!).length === 1 && !templates(head! + tail!).length) {
      found.names.set(v.index, {
        kind: 'plain',
        label: true,
        prefix: words[v.index]!.slice(0, words[v.index]!.length - v.value.length) + head + label.prefix,
        suffix: label.suffix + tail,
        how: `the host ${name} ${v.option} connects to (${v.value})`,
        why: HOST_LABEL_WHY,
      });
      continue;
    }
    source(
      v.index,
      v.option === '-u'
        ? `the URI ${name} -u connects to, whose host gets the password (in the URI, -a, --pass or REDISCLI_AUTH) and what is sent (a value anywhere in it may add a user:password@ or a host: redis-cli takes what precedes its first "@" as the password)`
        : `the host ${name} -h connects to, which gets the password (-a, --pass, -u's, REDISCLI_AUTH or --askpass) and what is sent`,
      undefined,
      safe,
    );
  }
}

/**
 * A database client's options: the host it connects to (which gets the password: -p, PGPASSWORD, MYSQL_PWD,
 * ~/.pgpass's entry), who it logs in as or with what (a user picks a stored password of ~/.pgpass or a login
 * path), and what it trusts for the server; and the options taking a value, to find its operands.
 */
const DATABASE_CLIENTS: Record<
  string,
  { hosts: readonly string[]; credentials: readonly string[]; values: string; long: readonly string[] }
> = lookupTable({
  psql: {
    hosts: ['-h', '--host'],
    // A user picks the password ~/.pgpass holds for it.
    credentials: ['-U', '--username'],
    values: 'cdfhLoPpRTUvF',
    long: ['--command', '--dbname', '--file', '--host', '--log-file', '--output', '--pset', '--port'].concat([
      '--record-separator',
      '--table-attr',
      '--username',
      '--set',
      '--variable',
      '--field-separator',
    ]),
  },
  mysql: {
    hosts: ['-h', '--host'],
    // The user stays data (-u {{x}}): the server checks it against the password, as a registry does.
    credentials: ['--ssl-ca', '--ssl-capath', '--ssl-cert', '--ssl-key'].concat([
      '--ssl-mode',
      '--defaults-file',
      '--defaults-extra-file',
      '--login-path',
      '--socket',
      '-S',
    ]),
    values: 'hDePuS',
    long: ['--host', '--database', '--execute', '--port', '--user', '--socket', '--default-character-set'],
  },
  mongosh: {
    hosts: ['--host'],
    // The user stays data (-u {{x}}): the server checks it against the password.
    credentials: ['-p', '--password', '--tlsCAFile', '--tlsCertificateKeyFile'].concat(
      [
        '--tlsCertificateKeyFilePassword',
        '--tlsCRLFile',
        '--sslCAFile',
        '--sslPEMKeyFile',
        '--authenticationDatabase',
      ],
      [
        '--authenticationMechanism',
        '--awsAccessKeyId',
        '--awsSecretAccessKey',
        '--awsSessionToken',
        '--oidcRedirectUri',
      ],
    ),
    values: 'upf',
    long: [],
  },
});
DATABASE_CLIENTS['mariadb'] = DATABASE_CLIENTS.mysql!;
DATABASE_CLIENTS['mongo'] = DATABASE_CLIENTS.mongosh!;

/** A database URI: scheme and userinfo, host (the value's place, hostLabel), and the rest (port, path, query). */
const DATABASE_URI = /^((?:postgres(?:ql)?|mysql|mongodb(?:\+srv)?):\/\/(?:[^@/{}]*@)?)([^:/?@]*)(.*)$/i;

/**
 * psql, mysql (mariadb) and mongosh (mongo): the host they connect to gets the password (given or stored), so a
 * value there is refused but in the first label of a host after a fixed prefix (hostLabel, checked once
 * rendered); a value in who it logs in as or with, or what it trusts, is refused; in a URI (postgresql://,
 * mongodb://) the same of its host, and a value elsewhere in it is refused but as its database name at its
 * end, checked once rendered to be one plain name (a "?" would add host=, a "@" a user). psql's database name
 * (-d, or its first operand) is checked the same: a value holding "=" or "://" would make it a connection string
 * naming another host.
 */
function databaseSources(found: ContainerMounts, words: readonly string[], from: number, name: string): void {
  const client = DATABASE_CLIENTS[name]!;
  const refuse = (index: number, how: string, names = templates(words[index]!)) =>
    found.refused.push({ index, names, how, kind: 'credential' });
  const host = (index: number, value: string, prefix: string, suffix: string, how: string) => {
    // The first label after a fixed prefix (db-{{x}}.internal), or alone before a fixed domain ({{x}}.example.net).
    const label = hostPlace(value);
    if (label && templates(value).length === 1)
      found.names.set(index, {
        kind: 'plain',
        label: true,
        prefix: prefix + label.prefix,
        suffix: label.suffix + suffix,
        how,
        why: HOST_LABEL_WHY,
      });
    else refuse(index, `${how}, which gets the password (given, or stored for it) and what is sent`);
  };
  const database = (index: number, value: string, how: string) => {
    const word = words[index]!;
    const uri = DATABASE_URI.exec(value);
    const prefix = word.slice(0, word.length - value.length);
    if (uri) {
      const [head, server, rest] = [uri[1]!, uri[2]!, uri[3]!];
      const path = /^(:[0-9]+)?\/([^?#]*)$/.exec(rest);
      if (templates(head).length || (templates(rest).length && !path))
        return refuse(
          index,
          `the connection URI ${how}: a value in its user, password or options (?host=, tls=) chooses who logs in or where`,
        );
      if (templates(server).length) host(index, server, prefix + head, rest, `the host of the URI ${how}`);
      if (path && templates(path[2]!).length)
        found.names.set(index, {
          kind: 'plain',
          prefix: prefix + head + server + (path[1] ?? '') + '/',
          how: `the database of the URI ${how}`,
          why: 'since anything else could add to the URI (a "?host=" another server, a "@" another user)',
        });
      return;
    }
    if (name !== 'psql' || !templates(value).length) return;
    if (/=/.test(value.replace(PLACEHOLDER, '')))
      return refuse(
        index,
        `the connection string ${how} (host=, user=, sslmode=: a value there adds or changes a key)`,
      );
    found.names.set(index, {
      kind: 'plain',
      prefix,
      how: `the database ${how}`,
      why: 'since a value holding "=" or "://" would make it a connection string naming another host or user',
    });
  };
  const options = [...client.hosts, ...client.credentials];
  const data = name === 'psql' ? [] : ['-u', '--user', '--username'];
  for (const v of valuesOf(words, from, [...options, '-d', '--dbname'], true)) {
    if (!templates(v.value).length) continue;
    if (client.hosts.includes(v.option))
      host(
        v.index,
        v.value,
        words[v.index]!.slice(0, words[v.index]!.length - v.value.length),
        '',
        `the host ${name} ${v.option} connects to`,
      );
    else if (v.option === '-d' || v.option === '--dbname') {
      if (name === 'psql') database(v.index, v.value, `psql ${v.option} connects to`);
    } else
      refuse(
        v.index,
        `the value of ${name} ${v.option}, which chooses who it logs in as or with (a user picks a password stored for it), or what it trusts for the server`,
      );
  }
  // mongosh's switches turning the server's certificate check off, written --switch=VALUE.
  for (let k = from; k < words.length && words[k] !== '--'; k++)
    if (/^--(tls|ssl)AllowInvalid(Certificates|Hostnames)=/.test(words[k]!) && templates(words[k]!).length)
      refuse(k, `whether ${name} checks the server's certificate (${words[k]!.split('=')[0]}=)`);
  // mysql's password, attached only (-pSECRET, --password=SECRET: alone it asks for one).
  if (name === 'mysql' || name === 'mariadb')
    for (let k = from; k < words.length && words[k] !== '--'; k++)
      if (/^(-p|--password=)./.test(words[k]!) && templates(words[k]!).length)
        refuse(
          k,
          `the password ${name} ${words[k]!.startsWith('--') ? '--password' : '-p'} logs in with (whose it is: who acts)`,
        );
  // The operands: psql's database (then user), mongosh's address, a URI anywhere.
  const values = new Set([
    ...client.long,
    ...client.values.split('').map((c) => `-${c}`),
    ...options,
    ...data,
  ]);
  const operands = operandsOf(words, from, values);
  operands.forEach((k, n) => {
    const word = words[k]!;
    if (!templates(word).length) return;
    if (DATABASE_URI.test(word)) database(k, word, `${name} connects to`);
    else if (name === 'psql' && n === 0) database(k, word, 'psql connects to');
    else if (name === 'psql' && n === 1)
      refuse(k, 'the user psql logs in as (a user picks a password stored for it in ~/.pgpass)');
  });
}

/** argocd's other options that take a value (argocd --help, login, repo add, repocreds add, app create/set). */
const ARGOCD_VALUES = [
  ...[
    '--auth-token',
    '--http-retry-max',
    '--logformat',
    '--loglevel',
    '--redis-haproxy-name',
    '--redis-name',
  ],
  ...[
    '--repo-server-name',
    '--app-controller-name',
    '--redis-compress',
    '--username',
    '--password',
    '--name',
  ],
  ...[
    '--sso-port',
    '--type',
    '--ssh-private-key-path',
    '--tls-client-cert-path',
    '--tls-client-cert-key-path',
  ],
  ...['--github-app-id', '--github-app-installation-id', '--github-app-private-key-path', '--proxy'],
  ...['--github-app-enterprise-base-url', '--gcp-service-account-key-path', '--no-proxy', '--revision'],
  ...['--dest-namespace', '--sync-policy', '--timeout', '-l', '--selector', '--label', '--resource', '-o'],
  ...['--output', '-N', '--app-namespace', '--helm-set', '--helm-set-string', '--helm-set-file', '-p'],
  ...['--parameter', '--kustomize-image', '--local', '--local-repo-root', '--from'],
];

/** argocd's switches choosing how the server is trusted: written --switch=VALUE, a value would turn a check off. */
const ARGOCD_TRUST_SWITCHES = [
  ...['--insecure', '--plaintext', '--insecure-skip-server-verification', '--enable-lfs', '--core'],
  ...['--grpc-web', '--insecure-ignore-host-key', '--skip-test-tls'],
];

/**
 * argocd: the server it talks to (and its context, config and how it is trusted, also as --switch=VALUE), the
 * server argocd login logs in to, the repository repo add and repocreds add register (and the proxy they use),
 * an application's source, destination, project and what renders it, the local manifests app sync --local
 * applies, the ApplicationSet files appset create reads.
 */
function argocdSources(
  found: ContainerMounts,
  words: readonly string[],
  from: number,
  source: Source,
  chosen: (index: number, how: string, kind: 'program' | 'directory') => void,
): void {
  for (const v of valuesOf(words, from, ARGOCD_SERVER))
    source(
      v.index,
      `the value of argocd ${v.option}, which chooses the Argo CD server it talks to (which gets the token) or how it is trusted`,
    );
  for (let k = from; k < words.length && words[k] !== '--'; k++) {
    const option = /^(--[^=]+)=/.exec(words[k]!)?.[1];
    if (option !== undefined && ARGOCD_TRUST_SWITCHES.includes(option))
      source(
        k,
        `the value of argocd ${option}=, which chooses whether the server (or repository) is checked, or how it is reached`,
      );
  }
  const operands = operandsOf(words, from, new Set([...ARGOCD_SERVER, ...ARGOCD_SOURCE, ...ARGOCD_VALUES]));
  const [group, verb] = [words[operands[0] ?? -1], words[operands[1] ?? -1]];
  if (group === 'app' && (verb === 'create' || verb === 'set' || verb === 'add-source'))
    for (const v of valuesOf(words, from, ARGOCD_SOURCE, true))
      source(
        v.index,
        `the value of argocd app ${verb} ${v.option}, which chooses where the application's manifests come from (a repository, path, chart or values file of its choosing: what runs in the cluster), what renders them (a plugin, jsonnet code), the project whose limits hold or the cluster they go to`,
        undefined,
        `write that value in the config, or pass the value where it is data (argocd app set app --revision VALUE, --helm-set-string image.tag=VALUE, --kustomize-image app=registry.example.com/app:VALUE)`,
      );
  // app sync/diff/manifests --local DIR (and --local-repo-root): the manifests of a directory of the checkout.
  if (group === 'app')
    for (const v of valuesOf(words, from, ['--local', '--local-repo-root']))
      chosen(
        v.index,
        `the value of argocd app ${verb} ${v.option}, the directory whose manifests it applies`,
        'directory',
      );
  // argocd login SERVER: the server that gets the password (and whose token is kept); repo add and repocreds add
  // URL: the repository registered, and the server that gets its credentials (through --proxy's).
  if (group === 'login')
    for (const k of operands.slice(1))
      source(
        k,
        'the server argocd login logs in to (it gets the password, and its token is used from then on)',
      );
  if ((group === 'repo' || group === 'repocreds') && verb === 'add') {
    for (const k of operands.slice(2))
      source(
        k,
        `the repository argocd ${group} add registers (its server gets the credentials; its manifests are what is deployed)`,
      );
    for (const v of valuesOf(words, from, ['--proxy']))
      source(
        v.index,
        `the proxy argocd ${group} add reaches the repository through (it gets the credentials)`,
      );
  }
  // argocd proj add-source PROJECT URL: a repository the project's applications may deploy from (its manifests
  // then run in the project's clusters); add-destination PROJECT SERVER NAMESPACE: a cluster they may deploy to.
  if (group === 'proj' && verb === 'add-source')
    source(
      operands[3] ?? -1,
      "the repository argocd proj add-source lets the project's applications deploy from (its manifests are then what may run in the project's clusters)",
    );
  if (group === 'proj' && verb === 'add-destination')
    source(
      operands[3] ?? -1,
      "the cluster argocd proj add-destination lets the project's applications deploy to (a server URL, or a cluster's name with --name)",
    );
  // … and NAMESPACE, a pattern of the namespaces they may deploy to there ("*" opens every one, kube-system
  // among them): checked once rendered to be one namespace, as kubectl -n's.
  const namespace = operands[4];
  if (group === 'proj' && verb === 'add-destination' && namespace !== undefined)
    namespaceName(
      found,
      namespace,
      words[namespace]!,
      words[namespace]!,
      "the namespace argocd proj add-destination lets the project's applications deploy to",
    );
  // argocd appset create FILE…: ApplicationSets, each naming its repositories, clusters and templates.
  if (group === 'appset' && verb === 'create')
    for (const k of operands.slice(2))
      source(
        k,
        'the ApplicationSet file argocd appset create reads (the repositories, clusters and apps it makes)',
      );
}

/**
 * fly's options that take a value written apart: deploy's, and those of machine run/create/update/exec/clone,
 * ssh console and console (fly … --help). A short option taking a value in one command and none in another
 * (-s: deploy's --signal, ssh console's --select) is left out.
 */
const FLY_VALUES = new Set([
  ...['-a', '--app', '-c', '--config', '--dockerfile', '-i', '--image', '--build-arg', '--build-secret'],
  ...['--build-target', '--buildpacks-docker-host', '--buildpacks-volume', '--depot-scope', '-e', '--env'],
  ...['--dockerignore-file', '--exclude-regions', '--only-regions', '--file-literal', '--file-local'],
  ...['--file-secret', '--host-dedication-id', '--image-label', '--label', '--lease-timeout', '--strategy'],
  ...['--max-concurrent', '--max-unavailable', '--primary-region', '--process-groups', '-r', '--region'],
  ...['--regions', '--release-command-timeout', '--signal', '--vm-cpu-kind', '--vm-cpus', '--vm-gpu-kind'],
  ...['--vm-gpus', '--vm-memory', '--vm-size', '--wait-timeout', '--deploy-retries', '-t', '--access-token'],
  ...['-o', '--org'],
  // machine run/create/update/clone, ssh console, console and machine exec.
  ...['-C', '--command', '--entrypoint', '--machine-config', '-m', '--metadata', '--mount-point', '-n'],
  ...['--name', '-p', '--port', '--restart', '--rootfs-persist', '--rootfs-size', '--schedule', '--id'],
  ...['--standby-for', '--swap-size', '-u', '--user', '--cpus', '--memory', '--vm-cpukind', '--vm-gpukind'],
  ...['-v', '--volume', '--kernel-arg', '--build-context-warn-size', '--cachedrive-size', '--container'],
  ...['--timeout', '-A', '--address', '--machine', '-g', '--process-group', '--override-cmd', '--ignorefile'],
  ...['--attach-volume', '--from-snapshot', '--volume-initial-size'],
  // deploy's builder (hidden flags: superfly/flyctl#4489, #4526, #4541).
  ...['--buildkit-addr', '--buildkit-image'],
  // launch's own (flyctl's internal/command/launch).
  ...['--path', '--from', '--from-manifest', '--internal-port'],
]);

/** systemd-run's options that take a value (systemd-run(1)), before the program it runs. */
export const SYSTEMD_RUN_VALUES: readonly string[] = [
  ...['-p', '-u', '-M', '-E', '-H', '--property', '--unit', '--machine', '--host', '--setenv'],
  ...['--description', '--slice', '--uid', '--gid', '--nice', '--working-directory', '--on-active'],
  ...[
    '--on-boot',
    '--on-startup',
    '--on-unit-active',
    '--on-unit-inactive',
    '--on-calendar',
    '--timer-property',
  ],
  ...['--path-property', '--socket-property', '--service-type', '--expand-environment'],
];

/**
 * systemd-run's -E/--setenv values (`words[at]` is systemd-run), up to the program it runs: its options are read
 * as getopt reads them (-E NAME=VALUE, -ENAME=VALUE, -qE NAME=VALUE, --setenv=NAME=VALUE).
 */
function systemdRunEnvironment(words: readonly string[], at: number): OptionValue[] {
  const found: OptionValue[] = [];
  for (let k = at + 1; k < words.length; k++) {
    const word = words[k]!;
    if (word === '--' || !word.startsWith('-') || word === '-') break;
    if (word.startsWith('--')) {
      const eq = word.indexOf('=');
      const option = eq > 0 ? word.slice(0, eq) : word;
      const index = eq > 0 ? k : k + 1;
      if (option === '--setenv' && index < words.length)
        found.push({ index, option, value: eq > 0 ? word.slice(eq + 1) : words[index]! });
      if (eq < 0 && SYSTEMD_RUN_VALUES.includes(word)) k++;
      continue;
    }
    for (let c = 1; c < word.length; c++) {
      const option = `-${word[c]}`;
      if (!SYSTEMD_RUN_VALUES.includes(option)) continue;
      const index = c + 1 < word.length ? k : k + 1;
      if (option === '-E' && index < words.length)
        found.push({ index, option, value: index === k ? word.slice(c + 1) : words[index]! });
      if (index > k) k++;
      break;
    }
  }
  return found;
}

/** The operands of fly (flyctl, `words[at]`): its words that are no option nor an option's value. */
export function flyOperands(words: readonly string[], at: number): number[] {
  return operandsOf(words, at + 1, FLY_VALUES);
}

/**
 * fly's command (`words[at]` is fly): deploy, console, secrets set (and the other secrets verbs), or a machine
 * command (machine run, machine update, …: the group as `machine` whatever its spelling, machines or m), by its
 * first operands; undefined for others.
 */
export function flyCommand(words: readonly string[], at: number): string | undefined {
  const operands = flyOperands(words, at).map((k) => words[k]!);
  // fly launch makes the app and deploys it, with all of deploy's options (flyctl's launch takes deploy.CommonFlags).
  if (operands[0] === 'deploy' || operands[0] === 'console' || operands[0] === 'launch') return operands[0];
  if (operands[0] === 'secrets' && operands[1] !== undefined) return `secrets ${operands[1]}`;
  if (/^(machines?|m)$/.test(operands[0] ?? '') && operands[1] !== undefined) return `machine ${operands[1]}`;
  return undefined;
}

/** fly's options taking a value written apart (FLY_VALUES), for the readers of its commands elsewhere. */
export const FLY_OPTION_VALUES: readonly string[] = [...FLY_VALUES];

/**
 * fly (flyctl) deploy [WORKING_DIRECTORY]: the directory (its fly.toml, Dockerfile and source: what is built
 * and deployed) and -c/--config, --dockerfile are files of the checkout that say what runs; its build's proxy
 * and frontend build args (as docker build's: container-mounts.ts) and a build arg's name; the host paths
 * --buildpacks-volume mounts into the build container and the daemon --buildpacks-docker-host exposes to it.
 */
function flySources(
  found: ContainerMounts,
  words: readonly string[],
  from: number,
  name: string,
  source: Source,
  chosen: (index: number, how: string, kind: 'program' | 'directory' | 'code') => void,
): void {
  const operands = operandsOf(words, from, FLY_VALUES);
  const command = flyCommand(words, from - 1);
  // fly machine run/create ./DIR: a path (starting with "." or "/") is a directory whose Dockerfile fly builds
  // into the image the machine runs.
  const image = words[operands[2] ?? -1] ?? '';
  if ((command === 'machine run' || command === 'machine create') && /^[./]/.test(image))
    chosen(
      operands[2]!,
      `the directory ${name} ${command} builds the machine's image from (its Dockerfile says what is built and runs, and its files are the build context)`,
      'directory',
    );
  // -e/--env NAME=VALUE (deploy, machine run/create/update, console) and secrets set NAME=VALUE…: a value in a
  // name chooses the variable the app's machines get (LD_PRELOAD, NODE_OPTIONS: code they load); one in a value
  // is the value (a variable that loads code is refused there: programs.ts).
  const names = (index: number, text: string, how: string) => {
    const refusal = environmentName(index, text, how);
    if (refusal) found.refused.push(refusal);
  };
  const deploys = command === 'deploy' || command === 'launch';
  if (deploys || command === 'console' || /^machine (run|create|update)$/.test(command ?? ''))
    for (const v of valuesOf(words, from, ['-e', '--env'], true))
      names(v.index, v.value, `the variable ${name} ${command} ${v.option} sets in the app's machines`);
  // --file-local/--file-literal/--file-secret /PATH/IN/MACHINE=…: a value in the path chooses which file of the
  // app's machines is written (its programs, the code it runs); one in --file-secret's SECRET which of the app's
  // secrets is written there. --file-local's LOCALPATH is a file of the runner sent (file-reads.ts), and
  // --file-literal's VALUE the content (base64) of the fixed file.
  if (deploys || command === 'console' || /^machine (run|create|update)$/.test(command ?? ''))
    for (const v of valuesOf(words, from, ['--file-local', '--file-literal', '--file-secret'])) {
      const eq = v.value.indexOf('=');
      const path = templates(eq < 0 ? v.value : v.value.slice(0, eq));
      const secret = v.option === '--file-secret' && eq >= 0 ? templates(v.value.slice(eq + 1)) : [];
      if (path.length)
        found.refused.push({
          index: v.index,
          names: path,
          how: `the path in the app's machines ${name} ${command} ${v.option} writes the file to (its programs, or the code it runs, laid over)`,
          kind: 'code',
        });
      if (secret.length)
        found.refused.push({
          index: v.index,
          names: secret,
          how: `the secret of the app ${name} ${command} --file-secret writes into the machines' file (any secret of the app, where a file of the fixed path may be served or read by others)`,
          kind: 'code',
        });
    }
  if (command === 'secrets set')
    for (const k of operands.slice(2))
      names(k, words[k]!, `the secret ${name} secrets set sets (the app's machines get it as a variable)`);
  // The machine's config (a JSON file or string: its image, command and all), and the files of a build.
  if (command === 'console' || /^machine (run|create|update)$/.test(command ?? '')) {
    for (const v of valuesOf(words, from, ['-c', '--config', '--dockerfile'], true))
      chosen(
        v.index,
        `the value of ${name} ${command} ${v.option}, the file that says what is built and run (its build, image and processes)`,
        'directory',
      );
    for (const v of valuesOf(words, from, ['--machine-config']))
      chosen(
        v.index,
        `the value of ${name} ${command} --machine-config, the machine's whole config (a JSON file, or the JSON itself: its image, command and files)`,
        'code',
      );
  }
  if (!deploys) return;
  if (command === 'deploy')
    for (const k of operands.slice(1))
      chosen(
        k,
        `the working directory ${name} deploy builds and deploys (its fly.toml and Dockerfile say what is built, and its files are the build context)`,
        'directory',
      );
  // fly launch --path DIR: the app's source root, as deploy's working directory; --from-manifest FILE: the plan
  // it launches (its image, build and processes; - reads it on standard input).
  if (command === 'launch') {
    for (const v of valuesOf(words, from, ['--path']))
      chosen(
        v.index,
        `the value of ${name} launch --path, the directory it builds and deploys (its fly.toml and Dockerfile say what is built, and its files are the build context)`,
        'directory',
      );
    for (const v of valuesOf(words, from, ['--from-manifest']))
      chosen(
        v.index,
        `the value of ${name} launch --from-manifest, the launch plan it follows (its image, build and processes)`,
        'directory',
      );
    // --from REPOSITORY: the repository (or template) the new app is made from, its source and Dockerfile.
    for (const v of valuesOf(words, from, ['--from']))
      source(
        v.index,
        `the repository ${name} launch --from makes the app from (its source, Dockerfile and fly.toml: what is built and deployed)`,
      );
  }
  for (const v of valuesOf(words, from, ['-c', '--config', '--dockerfile'], true))
    chosen(
      v.index,
      `the value of ${name} ${command} ${v.option}, the file that says what is built and deployed (its build, image and processes)`,
      'directory',
    );
  for (const v of valuesOf(words, from, ['--build-arg'])) {
    const eq = v.value.indexOf('=');
    const at = v.value.search(PLACEHOLDER);
    if (at < 0) continue;
    if (eq < 0 || at < eq)
      source(
        v.index,
        `the name of the build argument ${name} ${command} --build-arg sets, which could be a proxy every download of the build's RUN steps goes through (HTTP_PROXY=…) or the frontend that runs the build (BUILDKIT_SYNTAX=…)`,
      );
    else if (/^((https?|ftp|no|all)_proxy|BUILDKIT_SYNTAX)=/i.test(v.value))
      source(
        v.index,
        `the ${/^BUILDKIT_SYNTAX=/i.test(v.value) ? "frontend image that runs the build (it reads the Dockerfile, the context and the build's secrets)" : "proxy every download of the build's RUN steps goes through (Docker gives HTTP_PROXY, HTTPS_PROXY, FTP_PROXY, NO_PROXY and ALL_PROXY to them without an ARG: a proxy of its choosing sees and changes what they fetch)"}, which ${name} ${command} --build-arg ${v.value.slice(0, eq)}= chooses`,
      );
  }
  // --buildkit-addr ADDR: the buildkit daemon that builds the image; --buildkit-image IMAGE: the image of the
  // builder machine fly starts for it. Either gets the build context and build secrets, and what it returns is
  // the image deployed.
  for (const v of valuesOf(words, from, ['--buildkit-addr', '--buildkit-image']))
    source(
      v.index,
      v.option === '--buildkit-addr'
        ? `the buildkit daemon ${name} ${command} --buildkit-addr builds the image on (it gets the build context and build secrets, and the image it returns is what is deployed)`
        : `the image of the builder ${name} ${command} --buildkit-image starts to build the app's image (it gets the build context and build secrets, and the image it returns is what is deployed)`,
    );
  for (const v of valuesOf(words, from, ['--buildpacks-volume', '--buildpacks-docker-host']))
    source(
      v.index,
      v.option === '--buildpacks-volume'
        ? `the volume ${name} ${command} --buildpacks-volume mounts into the build container (a directory of this machine, such as / or the docker socket, or where it goes)`
        : `the docker daemon ${name} ${command} --buildpacks-docker-host gives the build container (one elsewhere gets the build; this machine's, its root)`,
    );
}

/**
 * helm push CHART oci://REGISTRY/PATH (`words[at]` is helm) whose templates are all after a fixed registry and a
 * "/": the word of REMOTE, read by the image rule (a repository under the registry, as docker push's); otherwise
 * undefined, and a template there is refused.
 */
export function helmPushRegistry(words: readonly string[], at: number): number | undefined {
  const operands = operandsOf(words, at + 1, HELM_VALUES);
  if (words[operands[0] ?? -1] !== 'push' || operands[2] === undefined) return undefined;
  const remote = words[operands[2]]!;
  const head = remote.slice(0, Math.max(0, remote.search(PLACEHOLDER)));
  return /^oci:\/\/[A-Za-z0-9.-]+(:[0-9]+)?\/[^{}]*$/i.test(head) && templates(remote).length
    ? operands[2]
    : undefined;
}

/** The words of `name`'s command (`words[at]`) whose template chooses a source, a destination or what is trusted. */
export function deploySources(
  found: ContainerMounts,
  words: readonly string[],
  at: number,
  name: string,
): void {
  const source: Source = (index, how, names, safe) => {
    const list = names ?? templates(words[index] ?? '');
    if (index < words.length && list.length)
      found.refused.push({ index, names: list, how, kind: 'source', ...(safe && { safe }) });
  };
  const chosen = (index: number, how: string, kind: 'program' | 'directory' | 'code') => {
    const list = templates(words[index] ?? '');
    if (index < words.length && list.length) found.refused.push({ index, names: list, how, kind });
  };
  const from = at + 1;
  // systemd's tools (systemctl, journalctl, busctl, machinectl, …): where they act (-H over ssh, -M a
  // container), the tree or disk image they read or write (--root, --image), the journal they read, and what
  // busctl --address and coredumpctl --debugger run (systemd-tools.ts).
  for (const w of systemdWhere(words, at, name))
    if (w.kind === 'host') sshHost(found, words, w.index, w.start ?? 0, name, w.how);
    else if (w.kind === 'source') source(w.index, w.how);
    else chosen(w.index, w.how, w.kind);
  // ssh, scp, sftp and rsync: the host they connect to, the user, ssh's forwards (ssh-destinations.ts).
  sshDestinations(found, words, at, name);
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
      // helm push CHART REMOTE: the registry the chart is pushed to (and the credentials sent); a value after a
      // fixed registry and "/" follows the image rule (helmPushRegistry, container-mounts.ts).
      if (first === 'push' && helmPushRegistry(words, at) === undefined)
        source(
          operands[2] ?? -1,
          'the registry helm push sends the chart to (and its credentials)',
          undefined,
          'write that value in the config, or put the value in the repository path after a fixed registry (oci://registry.example.com/charts/VALUE)',
        );
      // --ca-file (repo add, install/upgrade/template/pull --repo, push, registry login): the certificate
      // authorities trusted for the chart repository or registry.
      for (const v of valuesOf(words, from, ['--ca-file']))
        source(
          v.index,
          'the value of helm --ca-file, which chooses the certificate authorities trusted for the chart repository or registry (a server of its choosing then serves the chart, or gets the credentials)',
        );
      return;
    }
    case 'argocd':
      argocdSources(found, words, from, source, chosen);
      return;
    case 'aws':
      awsSources(found, words, from, source);
      return;
    case 'fly':
    case 'flyctl':
      flySources(found, words, from, name, source, chosen);
      return;
    case 'systemd-run':
      // -E/--setenv NAME=VALUE: the environment of the unit's program.
      for (const v of systemdRunEnvironment(words, at)) {
        const refusal = environmentName(
          v.index,
          v.value,
          `the variable systemd-run ${v.option} sets in the unit`,
        );
        if (refusal) found.refused.push(refusal);
      }
      return;
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
      // workspace select|new|delete NAME: the workspace whose state later commands change (or which is
      // deleted); a value there is checked once rendered to be one plain name, as pulumi's stack is.
      const operands = operandsOf(words, from, new Set(['-chdir', '-state', '-lock-timeout']));
      const verb = words[operands[1] ?? -1] ?? '';
      if (words[operands[0] ?? -1] === 'workspace' && /^(select|new|delete)$/.test(verb)) {
        const index = operands[2];
        if (index !== undefined && templates(words[index]!).length) {
          const at = words[index]!.search(PLACEHOLDER);
          found.names.set(index, {
            kind: 'plain',
            prefix: words[index]!.slice(0, words[index]!.lastIndexOf('/', at) + 1),
            how:
              verb === 'delete'
                ? `the workspace ${name} workspace delete deletes, with its state`
                : `the workspace ${name} workspace ${verb} chooses, whose state later plans and applies change`,
            why: "since anything else could name a path beside the workspaces (../prod) or another backend's key; write other workspaces in the config",
          });
        }
      }
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
    case 'heroku':
      herokuEnvironment(found, words, from);
      return;
    case 'git':
      gitSources(found, words, at, source);
      return;
    case 'pulumi':
      // -s/--stack STACK: the stack deployed to, a name of the program's project (org/project/stack names
      // another organization's or project's, which the runner's token may reach): a value there is checked once
      // rendered to be one plain name, after a fixed org/project/ if written.
      // (pulumi stack select STACK too: the stack later commands deploy to.)
      const operands = operandsOf(words, from, new Set(['-C', '--cwd', '-s', '--stack']));
      const selected =
        words[operands[0] ?? -1] === 'stack' &&
        words[operands[1] ?? -1] === 'select' &&
        operands[2] !== undefined
          ? [{ index: operands[2], option: 'stack select', value: words[operands[2]]! }]
          : [];
      for (const v of [...valuesOf(words, from, ['-s', '--stack'], true), ...selected]) {
        const first = v.value.search(PLACEHOLDER);
        if (first < 0) continue;
        const word = words[v.index]!;
        const slash = v.value.lastIndexOf('/', first);
        if (templates(v.value.slice(first)).length > 1 || v.value.slice(first).includes('/')) {
          source(
            v.index,
            `the stack pulumi ${v.option} deploys to, where a value before or beside a "/" names another organization's or project's stack (org/project/stack)`,
            undefined,
            'write the organization and project in the config, and the value as the stack name alone (--stack VALUE, or --stack org/project/VALUE)',
          );
          continue;
        }
        found.names.set(v.index, {
          kind: 'plain',
          prefix: word.slice(0, word.length - v.value.length) + v.value.slice(0, slash + 1),
          how: `the stack pulumi ${v.option} deploys to`,
          why: "since a \"/\" would name another organization's or project's stack (org/project/stack), which the runner's token may reach",
        });
      }
      return;
    case 'psql':
    case 'mysql':
    case 'mariadb':
    case 'mongosh':
    case 'mongo':
      databaseSources(found, words, from, name);
      return;
    case 'redis-cli':
    case 'valkey-cli':
      redisSources(found, words, from, name, source);
      return;
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
 * heroku config:set NAME=VALUE… (the app's config vars, every dyno's variables) and heroku run (run:detached,
 * run:inside) -e/--env "NAME=VALUE;NAME=VALUE" (the variables of the one-off dyno; heroku splits the list on
 * ";"). A template in a name chooses the variable; after a fixed name that loads code (LD_PRELOAD=,
 * NODE_OPTIONS=), the code (config:set's: programs.ts); a value elsewhere in -e's list is checked once rendered
 * to hold no ";", which would add a variable of its own.
 */
function herokuEnvironment(found: ContainerMounts, words: readonly string[], from: number): void {
  const at = words.findIndex((w, k) => k >= from && !w.startsWith('-'));
  const command = words[at] ?? '';
  // heroku config:set NAME=VALUE…: the app's config vars, every dyno's environment (a value after a fixed name
  // that loads code is refused in programs.ts, as fly secrets set's).
  if (/^config:(set|add)$/.test(command)) {
    for (let k = at + 1; k < words.length; k++) {
      const refusal = /^[^-][^=]*=/.test(words[k]!)
        ? environmentName(
            k,
            words[k]!,
            `the config var heroku ${command} sets on the app (every dyno's variable)`,
          )
        : undefined;
      if (refusal) found.refused.push(refusal);
    }
    return;
  }
  if (!/^run(:detached|:inside)?$/.test(command)) return;
  // Its options, read anywhere before a "--" (as oclif does, among the words of the command it runs too);
  // -e/--env takes its value apart or attached.
  for (let k = at + 1; k < words.length && words[k] !== '--'; k++) {
    const word = words[k]!;
    if (!word.startsWith('-')) continue;
    const attached = /^(?:--env=|-e=?)(.+)$/.exec(word);
    const index = attached ? k : word === '-e' || word === '--env' ? k + 1 : -1;
    if (index < 0) {
      if (/^(-a|--app|-r|--remote|-s|--size|--type)$/.test(word)) k++;
      continue;
    }
    if (index >= words.length) break;
    if (index > k) k++;
    const list = attached ? attached[1]! : words[index]!;
    if (!templates(list).length) continue;
    const how = `the variables heroku ${command} -e sets in the dyno (NAME=VALUE;…)`;
    const refused = list.split(';').flatMap((entry) => {
      const named = environmentName(index, entry, `a variable heroku ${command} -e sets in the dyno`);
      if (named) return [named];
      const name = entry.slice(0, Math.max(0, entry.indexOf('=')));
      return isCodeVariable(name) && templates(entry).length
        ? [
            {
              index,
              names: templates(entry),
              how: `the value of the variable ${name} heroku ${command} -e sets in the dyno, which programs read to load code or to choose the programs they run (${ENVIRONMENT_NAME_WHY})`,
              kind: 'code' as const,
            },
          ]
        : [];
    });
    if (refused.length) found.refused.push(...refused);
    else found.names.set(index, { kind: 'separated', how, separator: ';' });
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
