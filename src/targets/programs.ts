// What the words of one command mean to the programs it names, as far as a templated value is concerned. Pure;
// used for argv commands (shell-script.ts's renderArgvCommand, config checks) and for each simple command of a
// `shell: true` script (analyzeShellTemplate).
//
// - Code: words a program runs as code, where a value would be run rather than read. The script of a shell's
//   -c; an interpreter's eval flag (python -c, node -e/-p, perl/ruby -e, php -r, lua -e, psql -c, mysql -e);
//   the program text of awk and jq, and of sed unless it is one s command (sedSubstitution); what su, runuser,
//   flock and script run with -c, and watch (without -x) and GNU parallel run through sh -c; the string env -S and rsync -e split into words; the command
//   options of ssh, scp and sftp (ProxyCommand, LocalCommand, …), git (--upload-pack, -c core.sshCommand, …)
//   and tar (--use-compress-program, --to-command, …); and, in a shell script, the arguments of eval and trap's
//   action.
// - make's variable assignments (`make deploy VERSION=…`), where make expands a "$" ($(shell …) runs) and pastes
//   the value into recipe lines a shell runs.
// - Remote: the words ssh joins into one line for the remote host's shell, and the scp and rsync operands that
//   name a remote path (the remote host's shell may read them too).
// - Script files: what a shell or an interpreter loads as code (`bash FILE`, `python -m MODULE`, `awk -f FILE`);
//   launchers.ts refuses a template there when the program is in command position.
// - Standard input read as code: a shell with no script, an interpreter with none, ssh with no command, at,
//   batch and crontab - (for a here-document, here-string or pipe that feeds it).
// - Options: a program reads an argument that starts with "-" as an option. A value that fills an argument
//   from its first character is refused when it starts with "-", unless the program stopped reading options
//   before it: after its own `--` (not a wrapper's, such as `kubectl exec pod -- cmd`), or as a positional
//   parameter of an inline script (`sh -c '…' sh ARG`, `python3 -c '…' ARG`).
// Programs are recognised by name anywhere in the command (so `sudo -u app python3 -c …` is seen too): naming
// one as an argument only makes the check stricter.

import { flyCommand, systemctlOperands } from './deploy-sources.ts';
import { charge } from './budget.ts';
import { publishParser } from './publish-targets.ts';
import { STDIN_FILES, stdinReaderParser } from './stdin-readers.ts';
import { installWords } from './package-installs.ts';
import { helmSetWords } from './helm-values.ts';
import { extraVarsArgument, extraVarsWords, saltPillarWords } from './ansible-vars.ts';
import { remoteToolParser } from './remote-tools.ts';
import { fileReadWords, type FileRead } from './file-reads.ts';
import { containerMounts, kubectlPatchWords, type CheckedName } from './container-mounts.ts';
import { deployToolWords } from './task-runners.ts';
import { composeSubcommand } from './compose-services.ts';
import { jsonArgument, printfJsonArguments, type JsonArgument } from './json-arguments.ts';
import { awsShorthandWords } from './aws-shorthand.ts';
import { nameWords, xargsWord, type NameKind } from './launchers.ts';
import { printTemplateWords } from './print-templates.ts';
import { lookupTable } from './lookup-table.ts';

export type CodeKind =
  | 'shell' // a POSIX shell's -c script
  | 'foreign-shell' // fish, csh, PowerShell: a syntax this tool does not write references for
  | 'interpreter'
  | 'shell-wrapper' // a program that hands the word to a shell (su -c, flock -c, watch)
  | 'split' // a string a program splits into words and options (env -S, rsync -e)
  | 'remote-option' // a command an ssh or git option runs
  | 'trust-option' // an ssh option choosing what is trusted or what the host is given (StrictHostKeyChecking)
  | 'eval' // shell builtins that run their arguments (eval, trap)
  | 'builtin' // what another builtin runs, loads or is set by (compgen -W, mapfile -C, alias, enable -f, set -o)
  | 'setting' // where a publish sends the token, a package manager's setting, a client's command (publish-targets.ts)
  | 'variable'; // an assignment to a variable that loads code or chooses programs (LD_PRELOAD=…, PATH=…)

export interface CodeOperand {
  /** The word run as code. */
  index: number;
  /** The word naming the program that runs it. */
  program: number;
  kind: CodeKind;
  /** How the program is called there, for messages ("python3 -c", "su -c", "ssh -o ProxyCommand"). */
  how: string;
  /** The safe way to pass a value named `name` (a sentence), written for this program. */
  safe: (name: string) => string;
  /**
   * A word of the program's own options (parallel's, sem's), refused as code is but not part of the command it
   * hands a shell: what that command runs is read after them (readsWorkingDirectory).
   */
  option?: boolean;
}

export interface CommandModel {
  code: CodeOperand[];
  /** ssh: its word, and the words [from, to) it joins into a command for the remote host's shell. */
  remote?: { ssh: number; from: number; to: number };
  /** The word of a program that reads code from standard input, if any. */
  stdinCode?: number;
  /** Words that are positional parameters of an inline script: never read as options. */
  positional: Set<number>;
  /** Words after an end-of-options `--` read by the program itself: never read as options. */
  guarded: Set<number>;
  /** make's variable assignments (`make deploy VERSION=…`): make expands a "$" in them and pastes them into recipes. */
  makeAssignments: Set<number>;
  /**
   * sed scripts that are one s command (`s/VERSION/{{version}}/`): their delimiter (see sedSubstitution), and
   * the code operand they are when the word read is not the word sed gets (a shell script's quoting).
   */
  sedScripts: Map<number, { delimiter: string; asCode: CodeOperand }>;
  /**
   * Words naming a file or module a shell or interpreter loads and runs (`bash FILE`, `python FILE`, `python -m
   * MODULE`, `node -r MODULE`, `awk -f FILE`, `make -f FILE`): a value there would choose the code that runs.
   * Only meaningful for a program in command position (see launchers.ts).
   */
  scriptFiles: Set<number>;
  /**
   * scp and rsync operands that name a remote path once rendered (`host:/srv/{{version}}`), which the remote
   * host's shell reads (scp's legacy protocol, rsync without --protect-args): 'if-remote'; words always sent
   * to the remote side (rsync -M): 'always'.
   */
  remotePaths: Map<number, { mode: 'if-remote' | 'always'; program: number }>;
  /** Package specs of an install with a version appended to a fixed name (`app@{{v}}`): checked once rendered. */
  versionPins: Set<number>;
  /** helm's --set arguments (helm-values.ts): each value in one checked once rendered, --set-file's refused. */
  helmSets: Map<number, string>;
  /** ansible's -e/--extra-vars arguments (ansible-vars.ts): each value in one checked once rendered. */
  extraVars: Set<number>;
  /**
   * Arguments read as YAML or JSON (ansible's -e '{…}', salt's pillar='{…}'), with where they are for messages:
   * a value in one must add no structure (structuredValueProblem), checked once rendered.
   */
  yamlValues: Map<number, string>;
  /** Other arguments written as JSON (json-arguments.ts): where each template sits, checked once rendered. */
  jsonValues: Map<number, JsonArgument>;
  /**
   * Every argument written as JSON whose fields are checked (json-arguments.ts: a command or code field refused,
   * an image by the image rule): those of jsonValues, and kubectl/oc/argocd patches written as JSON.
   */
  jsonFields: Map<number, JsonArgument>;
  /** aws arguments in its shorthand syntax with a template inside (aws-shorthand.ts), with their option. */
  awsShorthand: Map<number, string>;
  /**
   * The definitions of rpm macros (`rpm --define 'version {{v}}'`, rpmbuild's, mock's): a value in the body of
   * a fixed macro is checked once rendered (macroValueProblem), since rpm expands `%` in it (`%(…)` runs a
   * command); a template in the macro's name is a code operand.
   */
  macroValues: Set<number>;
  /** Arguments the program reads a local file from and sends (file-reads.ts: curl -d @FILE, az's @FILE, …). */
  fileReads: Map<number, FileRead>;
  /** Named volumes a container mounts (`-v data-{{env}}:/data`): checked once rendered (volumeNameProblem). */
  volumeNames: Set<number>;
  /** The user a container runs as (`docker run --user {{uid}}`): checked once rendered (userIdProblem). */
  containerUsers: Set<number>;
  /** A network a container joins, a build's output or cache reference: checked once rendered (containerNameProblem). */
  containerNames: Map<number, CheckedName>;
}

/**
 * Variables that choose which certificates programs trust, or whether they check them: OpenSSL's default CA file
 * and directory (curl, git, wget, python's ssl, openssl), curl's, requests', Node's and git's own, and the
 * switches turning the check off by their value (NODE_TLS_REJECT_UNAUTHORIZED=0, PYTHONHTTPSVERIFY=0). A server
 * of the value's choosing then passes for the real one, and gets what is sent to it.
 */
const TRUST_VARIABLES_LIST = [
  ...['SSL_CERT_FILE', 'SSL_CERT_DIR', 'CURL_CA_BUNDLE', 'REQUESTS_CA_BUNDLE', 'NODE_EXTRA_CA_CERTS'],
  ...['GIT_SSL_CAINFO', 'GIT_SSL_CAPATH', 'NODE_TLS_REJECT_UNAUTHORIZED', 'PYTHONHTTPSVERIFY'],
  // git's switch turning the check off (any value but empty), and the authorities its proxy is trusted by.
  ...['GIT_SSL_NO_VERIFY', 'GIT_PROXY_SSL_CAINFO'],
  // aws's CA bundle (--ca-bundle).
  'AWS_CA_BUNDLE',
];
export const TRUST_VARIABLES: ReadonlySet<string> = new Set(TRUST_VARIABLES_LIST);

/**
 * Variables that choose which state a deploy tool changes, and what each is (for messages): terraform's (and
 * tofu's) workspace, whose state plan, apply and destroy read and change. Read without terraform's check of a
 * workspace's name, so a value there could also name a path beside the workspaces (../prod). A value there would
 * deploy over another environment's state.
 */
export const STATE_VARIABLES: ReadonlyMap<string, string> = new Map([
  [
    'TF_WORKSPACE',
    'the workspace terraform and tofu use, whose state plan, apply and destroy read and change',
  ],
]);

/**
 * Variables that choose who a deploy tool acts as or where it sends its credentials, and what each is (for
 * messages): the selectors of this machine's credentials (a profile, a context), the credentials themselves (a
 * token, a key: whose it is acts, with its rights, on servers this runner reaches), and the servers and trust
 * they are sent to (vault's, nomad's and consul's address: the runner's token goes there). A value there would
 * choose who acts or send the runner's token to a server of its choosing, as the options they stand for do.
 */
export const CREDENTIAL_VARIABLES: ReadonlyMap<string, string> = new Map([
  ...(['AWS_PROFILE', 'AWS_DEFAULT_PROFILE'] as const).map(
    (v) => [v, "the profile aws acts with (an entry of this machine's config: its keys or role)"] as const,
  ),
  ['DOCKER_CONTEXT', "the context docker acts with (an entry of this machine's config: its daemon and keys)"],
  ['CONTAINER_CONNECTION', "the connection podman acts with (an entry of this machine's config)"],
  ['HELM_KUBECONTEXT', 'the kubeconfig context helm acts with (its cluster and user)'],
  ...(['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_SECURITY_TOKEN'] as const).map(
    (v) => [v, 'the keys aws acts with (whose they are: who acts)'] as const,
  ),
  ['HELM_KUBETOKEN', 'the bearer token helm presents to the API server (whose it is: who acts)'],
  ['HELM_KUBETLS_SERVER_NAME', 'the name helm checks the API server certificate for'],
  ['ARGOCD_AUTH_TOKEN', 'the token argocd acts with (whose it is: who acts)'],
  ...(['GH_TOKEN', 'GITHUB_TOKEN', 'GH_ENTERPRISE_TOKEN', 'GITHUB_ENTERPRISE_TOKEN'] as const).map(
    (v) => [v, 'the token gh acts with (whose it is: who acts)'] as const,
  ),
  ['GH_HOST', 'the GitHub host gh talks to (it gets the token)'],
  ...(['FLY_API_TOKEN', 'FLY_ACCESS_TOKEN'] as const).map(
    (v) => [v, 'the token fly acts with (whose it is: who acts)'] as const,
  ),
  ['HEROKU_API_KEY', 'the key heroku acts with (whose it is: who acts)'],
  ['AZURE_CLIENT_SECRET', 'the secret az and the Azure libraries act with (whose it is: who acts)'],
  ['ARM_CLIENT_SECRET', "the secret terraform's azurerm provider acts with (whose it is: who acts)"],
  ...hashicorpVariables('VAULT', 'vault', ['ADDR', 'AGENT_ADDR', 'PROXY_ADDR'], 'TOKEN'),
  ...hashicorpVariables('NOMAD', 'nomad', ['ADDR'], 'TOKEN'),
  ...hashicorpVariables('CONSUL', 'consul', ['HTTP_ADDR', 'GRPC_ADDR'], 'HTTP_TOKEN'),
  ['CONSUL_HTTP_AUTH', 'the user and password consul acts with (who acts)'],
  // Database clients' server, user, password and trust (psql's libpq, mysql).
  ...(['PGHOST', 'PGHOSTADDR', 'MYSQL_HOST'] as const).map(
    (v) => [v, 'the database server it connects to (which gets the password)'] as const,
  ),
  ...(['PGUSER', 'PGPASSWORD', 'PGPASSFILE', 'PGSERVICE', 'PGSERVICEFILE', 'MYSQL_PWD'] as const).map(
    (v) => [v, 'the user or password it logs in to the database with (who acts)'] as const,
  ),
  ...(['PGSSLMODE', 'PGSSLROOTCERT', 'PGSSLCERT', 'PGSSLKEY'] as const).map(
    (v) => [v, 'what it trusts for the database server, or the certificate it presents'] as const,
  ),
  ['CONSUL_HTTP_SSL_VERIFY', 'whether consul checks the server certificate'],
]);

/** A HashiCorp CLI's variables (VAULT_ADDR, VAULT_TOKEN, VAULT_CACERT, …): its servers, token and TLS trust. */
function hashicorpVariables(
  prefix: string,
  tool: string,
  servers: readonly string[],
  token: string,
): [string, string][] {
  return [
    ...servers.map((s): [string, string] => [`${prefix}_${s}`, `the server ${tool} sends its token to`]),
    [`${prefix}_${token}`, `the token ${tool} acts with (whose it is: who acts)`],
    ...['CACERT', 'CAPATH', 'TLS_SERVER_NAME'].map((s): [string, string] => [
      `${prefix}_${s}`,
      `the certificate authority or name ${tool} checks its server for`,
    ]),
    ...['CLIENT_CERT', 'CLIENT_KEY'].map((s): [string, string] => [
      `${prefix}_${s}`,
      `the client certificate ${tool} presents (whose it is: who acts)`,
    ]),
    [`${prefix}_SKIP_VERIFY`, `whether ${tool} checks its server's certificate`],
  ];
}

/**
 * Variables that programs read to load or run code (BASH_ENV, LD_PRELOAD, NODE_OPTIONS, PYTHONPATH, GIT_SSH, …)
 * or to choose the programs they run (PATH, IFS): a value assigned to one would choose the code that runs.
 */
export const CODE_VARIABLES = new Set([
  ...['BASH_ENV', 'ENV', 'PROMPT_COMMAND', 'PS4', 'IFS', 'PATH', 'SHELLOPTS', 'BASHOPTS', 'CDPATH'],
  ...[
    'LD_PRELOAD',
    'LD_LIBRARY_PATH',
    'LD_AUDIT',
    'DYLD_INSERT_LIBRARIES',
    'DYLD_LIBRARY_PATH',
    'GCONV_PATH',
  ],
  ...['NODE_OPTIONS', 'NODE_PATH', 'PYTHONSTARTUP', 'PYTHONPATH', 'PYTHONHOME', 'PERL5OPT', 'PERL5LIB'],
  ...['PERLLIB', 'RUBYOPT', 'RUBYLIB', 'JAVA_TOOL_OPTIONS', '_JAVA_OPTIONS', 'JDK_JAVA_OPTIONS'],
  ...['GIT_SSH', 'GIT_SSH_COMMAND', 'GIT_EXEC_PATH', 'GIT_PROXY_COMMAND', 'GIT_ASKPASS', 'SSH_ASKPASS'],
  ...['GIT_EDITOR', 'GIT_PAGER', 'EDITOR', 'VISUAL', 'PAGER'],
  // The repository git reads (its config and hooks run code), and config files given whole.
  ...['GIT_DIR', 'GIT_WORK_TREE', 'GIT_COMMON_DIR', 'GIT_CONFIG', 'GIT_CONFIG_GLOBAL', 'GIT_CONFIG_SYSTEM'],
  ...['GIT_CONFIG_PARAMETERS', 'GIT_CONFIG_COUNT', 'GIT_TEMPLATE_DIR', 'GIT_EXTERNAL_DIFF', 'GIT_INDEX_FILE'],
  ...[
    'GIT_SEQUENCE_EDITOR',
    'GIT_OBJECT_DIRECTORY',
    'GIT_ALTERNATE_OBJECT_DIRECTORIES',
    'GIT_CEILING_DIRECTORIES',
  ],
  // The home and config directories every tool reads its config from (.npmrc, .gitconfig, .bashrc, pip.conf).
  ...[
    'HOME',
    'ZDOTDIR',
    'XDG_CONFIG_HOME',
    'XDG_CONFIG_DIRS',
    'SHELL',
    'SUDO_ASKPASS',
    'LESSOPEN',
    'LESSCLOSE',
  ],
  // Interpreters' code and module paths.
  ...['PYTHONUSERBASE', 'PYTHONWARNINGS', 'PYTHONBREAKPOINT', 'PYTHONEXECUTABLE', 'PERL5DB', 'RUBYSHELL'],
  ...['GEM_HOME', 'GEM_PATH', 'GEMRC', 'PHPRC', 'PHP_INI_SCAN_DIR', 'LUA_PATH', 'LUA_CPATH', 'LUA_INIT'],
  ...['TCLLIBPATH', 'R_PROFILE', 'R_PROFILE_USER', 'R_ENVIRON', 'R_ENVIRON_USER', 'CLASSPATH', 'JAVA_HOME'],
  ...['JAVA_OPTS', 'MAVEN_OPTS', 'MAVEN_ARGS', 'GRADLE_OPTS', 'GRADLE_USER_HOME', 'DENO_DIR', 'CONDARC'],
  // Build tools: the compiler, the flags and makefiles make reads, go's toolchain, module proxy and flags.
  ...[
    'CC',
    'CXX',
    'CPP',
    'LD',
    'AR',
    'MAKEFLAGS',
    'MFLAGS',
    'GNUMAKEFLAGS',
    'MAKEFILES',
    'RUSTC',
    'RUSTC_WRAPPER',
  ],
  ...['RUSTFLAGS', 'RUSTDOCFLAGS', 'RUSTUP_TOOLCHAIN', 'RUSTUP_HOME', 'GOFLAGS', 'GOPROXY', 'GOTOOLCHAIN'],
  ...[
    'GOENV',
    'GOROOT',
    'GOPATH',
    'GOWORK',
    'GOSUMDB',
    'GONOSUMDB',
    'GONOSUMCHECK',
    'GOINSECURE',
    'GOPRIVATE',
  ],
  ...['GONOPROXY', 'COMPOSER', 'OPENSSL_CONF', 'OPENSSL_ENGINES', 'OPENSSL_MODULES'],
  // man's pager and options (MANOPT=-P PROGRAM), the browser tools open, gpg's home (gpg.conf names the agent
  // program it starts; its keyrings and trust database say which keys are trusted); and TRUST_VARIABLES.
  ...['MANPAGER', 'MANOPT', 'BROWSER', 'GNUPGHOME'],
  // systemctl's pager and editor (run through a shell), curl's and wget's config files (.curlrc, WGETRC: their
  // proxy, CA file, output file and headers).
  ...['SYSTEMD_PAGER', 'SYSTEMD_PAGERSECURE', 'SYSTEMD_EDITOR', 'CURL_HOME', 'WGETRC'],
  ...TRUST_VARIABLES_LIST,
  ...STATE_VARIABLES.keys(),
  // Tools whose config names programs they run (kubeconfig's exec plugins, docker's credsStore, aws's
  // credential_process, terraform's providers, helm's plugins).
  ...['KUBECONFIG', 'KUBE_EDITOR', 'KUBECTL_EXTERNAL_DIFF', 'DOCKER_CONFIG', 'AWS_CONFIG_FILE'],
  ...['AWS_SHARED_CREDENTIALS_FILE', 'CLOUDSDK_CONFIG', 'CLOUDSDK_PYTHON', 'AZURE_CONFIG_DIR'],
  ...['TF_CLI_CONFIG_FILE', 'TF_PLUGIN_CACHE_DIR', 'TF_DATA_DIR', 'HELM_PLUGINS', 'HELM_CONFIG_HOME'],
  ...[
    'HELM_DATA_HOME',
    'HELM_CACHE_HOME',
    'HELM_REPOSITORY_CONFIG',
    'HELM_REGISTRY_CONFIG',
    'ANSIBLE_CONFIG',
  ],
  // The engine container runners and kubectl's kin talk to, and the config or storage they read (the options
  // refused in container-mounts.ts: docker -H, --context, podman --url, --root, helm --kube-apiserver).
  ...[
    'DOCKER_HOST',
    'DOCKER_CONTEXT',
    'DOCKER_CERT_PATH',
    'BUILDKIT_HOST',
    'BUILDX_CONFIG',
    'CONTAINER_HOST',
  ],
  ...['CONTAINER_CONNECTION', 'CONTAINERS_CONF', 'CONTAINERS_CONF_OVERRIDE', 'CONTAINERS_STORAGE_CONF'],
  ...['CONTAINERS_REGISTRIES_CONF', 'REGISTRY_AUTH_FILE', 'CONTAINERD_ADDRESS', 'CONTAINERD_NAMESPACE'],
  ...['COMPOSE_FILE', 'COMPOSE_ENV_FILES', 'HELM_KUBEAPISERVER', 'HELM_KUBEASUSER', 'HELM_KUBEASGROUPS'],
  ...['HELM_KUBECAFILE', 'HELM_KUBEINSECURE_SKIP_TLS_VERIFY'],
  // The deploy tools' servers and trust, as variables (the options refused in deploy-sources.ts): aws's endpoint
  // (AWS_ENDPOINT_URL_<SERVICE> below), its CA bundle, the data directory botocore reads its endpoints from and
  // its pager (a program it runs); argocd's server (it gets the token), its options (--server, --plaintext,
  // --insecure) and its config directory (its servers and tokens).
  ...['AWS_ENDPOINT_URL', 'AWS_DATA_PATH', 'AWS_PAGER'],
  // Who aws acts as: the role it assumes and the token file it presents, and the server the container's
  // authorization token is sent to for credentials.
  ...['AWS_ROLE_ARN', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_CONTAINER_CREDENTIALS_FULL_URI'],
  // The profile it acts with (an entry of ~/.aws/config: its keys or role), as aws --profile.
  ...['AWS_PROFILE', 'AWS_DEFAULT_PROFILE'],
  ...['ARGOCD_SERVER', 'ARGOCD_OPTS', 'ARGOCD_CONFIG_DIR'],
  // The proxy (and what bypasses it) that curl, aws, pip, npm, git and docker build read: every request of the
  // program goes through it (docker build gives these to its RUN steps, even from the environment: --build-arg
  // HTTP_PROXY with no value), and a proxy of the value's choosing sees and changes what plain HTTP fetches.
  ...['HTTP_PROXY', 'HTTPS_PROXY', 'FTP_PROXY', 'NO_PROXY', 'ALL_PROXY'],
  ...['http_proxy', 'https_proxy', 'ftp_proxy', 'no_proxy', 'all_proxy'],
  // The image tools' own settings (the options refused in container-mounts.ts, as variables): crictl's endpoints
  // and config (CONTAINER_RUNTIME_ENDPOINT for -r, IMAGE_SERVICE_ENDPOINT for -i, CRI_CONFIG_FILE for -c), ctr's
  // and nerdctl's snapshotter and nerdctl's config file, podman's ssh key and storage options
  // (overlay.mount_program runs a program), buildah's OCI runtime (a program), what docker trusts (its content
  // trust and its server, TLS to the daemon) and the buildx builder (the engine that builds), the TUF root and
  // mirror cosign trusts, and the GitHub OIDC request cosign makes (its URL gets the request token).
  ...['CONTAINER_RUNTIME_ENDPOINT', 'IMAGE_SERVICE_ENDPOINT', 'CRI_CONFIG_FILE', 'CONTAINERD_SNAPSHOTTER'],
  ...['NERDCTL_TOML', 'CONTAINER_SSHKEY', 'STORAGE_OPTS', 'BUILDAH_RUNTIME', 'BUILDX_BUILDER'],
  ...['DOCKER_CONTENT_TRUST', 'DOCKER_CONTENT_TRUST_SERVER', 'DOCKER_TLS_VERIFY', 'DOCKER_TLS'],
  ...[
    'TUF_ROOT',
    'TUF_MIRROR',
    'TUF_ROOT_JSON',
    'ACTIONS_ID_TOKEN_REQUEST_URL',
    'ACTIONS_ID_TOKEN_REQUEST_TOKEN',
  ],
  // Who Google's tools act as, and where gcloud acts: the credential file every Google client library (and
  // docker-credential-gcr, terraform's google provider) authenticates with, gcloud's own override of it, and its
  // project. google-github-actions/auth exports all three in the job's environment, so even a plain assignment
  // changes what the tools later run here get. (The project is refused, not checked as --project is.)
  ...['GOOGLE_APPLICATION_CREDENTIALS', 'CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE', 'CLOUDSDK_CORE_PROJECT'],
  ...CREDENTIAL_VARIABLES.keys(),
]);

/**
 * Prefixes of the variables a tool reads as its own settings, every one of which may choose where its packages
 * come from, its config file, its project or a program it runs: npm's (npm_config_registry, _userconfig,
 * _script_shell; pnpm reads them too, in any case), yarn's, pip's, uv's, poetry's, bundler's (BUNDLE_GEMFILE),
 * cargo's (CARGO_BUILD_RUSTC_WRAPPER), composer's, corepack's, bun's and ansible's (ANSIBLE_SSH_ARGS), git's
 * GIT_CONFIG_KEY_n/VALUE_n, terraform's extra arguments (TF_CLI_ARGS, TF_CLI_ARGS_plan), the loader's LD_* and
 * DYLD_*; trivy's (every option of trivy's is a TRIVY_ variable too: TRIVY_SERVER, TRIVY_EXIT_CODE, TRIVY_CONFIG,
 * TRIVY_IGNOREFILE, TRIVY_DB_REPOSITORY, TRIVY_TEMPLATE, TRIVY_CACHE_DIR, …), cosign's (COSIGN_REPOSITORY: where
 * signatures are stored and read; COSIGN_PKCS11_MODULE_PATH: a library it loads; COSIGN_PASSWORD) and
 * sigstore's (SIGSTORE_ROOT_FILE, SIGSTORE_REKOR_PUBLIC_KEY, SIGSTORE_CT_LOG_PUBLIC_KEY_FILE,
 * SIGSTORE_TSA_CERTIFICATE_FILE: what cosign trusts; SIGSTORE_ID_TOKEN: who it signs as); gcloud's (every
 * property is a CLOUDSDK_SECTION_PROPERTY variable: CLOUDSDK_API_ENDPOINT_OVERRIDES_RUN the endpoint it sends
 * the deploy and its token to, CLOUDSDK_CORE_ACCOUNT and CLOUDSDK_AUTH_IMPERSONATE_SERVICE_ACCOUNT who it acts
 * as, CLOUDSDK_PROXY_ADDRESS, CLOUDSDK_CORE_PROJECT where it deploys, CLOUDSDK_CORE_LOG_HTTP its requests logged
 * with their tokens).
 */
const CODE_VARIABLE_PREFIXES = [
  ...['NPM_CONFIG_', 'YARN_', 'PIP_', 'UV_', 'POETRY_', 'PIPX_', 'PDM_', 'HATCH_', 'BUNDLE_', 'CARGO_'],
  ...['COMPOSER_', 'COREPACK_', 'BUN_CONFIG_', 'ANSIBLE_', 'GIT_CONFIG_KEY_', 'GIT_CONFIG_VALUE_'],
  ...['TF_CLI_ARGS', 'LD_', 'DYLD_', 'BASH_FUNC_', 'TRIVY_', 'COSIGN_', 'SIGSTORE_', 'CLOUDSDK_'],
  // aws's endpoint of one service (AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL_LAMBDA).
  'AWS_ENDPOINT_URL_',
];

/**
 * Variables under CODE_VARIABLE_PREFIXES that shape only a tool's output or how long it waits, and choose
 * nothing it reads, trusts or fails on (as trivy's -f/--format, -q, --no-progress and --timeout options).
 */
const OUTPUT_VARIABLES = new Set([
  ...['TRIVY_FORMAT', 'TRIVY_QUIET', 'TRIVY_NO_PROGRESS', 'TRIVY_TIMEOUT'],
  // gcloud's prompts, output and update check (core/disable_prompts, verbosity, user_output_enabled, …).
  ...['CLOUDSDK_CORE_DISABLE_PROMPTS', 'CLOUDSDK_CORE_VERBOSITY', 'CLOUDSDK_CORE_USER_OUTPUT_ENABLED'],
  ...['CLOUDSDK_CORE_DISABLE_COLOR', 'CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK'],
  'CLOUDSDK_CORE_DISABLE_USAGE_REPORTING',
]);

/**
 * The variable a word assigns, when it is one of CODE_VARIABLES: `NAME=…` (NAME+=…, NAME[0]=…), or an option's value that sets it
 * (`--env=NAME=…`, `-eNAME=…` of docker and kubectl).
 */
export function codeVariableIn(word: string): string | undefined {
  // NAME+=… adds to the variable's value (PATH+=:{{x}}), and NAME[0]=… sets it too, as its first element.
  const name = /^(?:--?[A-Za-z][\w-]*=|-e)?([A-Za-z_]\w*)(?:\[[^\]]*\])?\+?=/.exec(word)?.[1];
  return name !== undefined && isCodeVariable(name) ? name : undefined;
}

/**
 * Whether programs read the variable `name` to load code, or to choose the programs, config or packages they run.
 * Names are matched in the case the tools read them (pip reads PIP_INDEX_URL, not pip_index_url), but for npm's
 * npm_config_*, which npm and pnpm read in any case.
 */
export function isCodeVariable(name: string): boolean {
  return (
    CODE_VARIABLES.has(name) ||
    name.toLowerCase().startsWith('npm_config_') ||
    (CODE_VARIABLE_PREFIXES.some((prefix) => name.startsWith(prefix)) && !OUTPUT_VARIABLES.has(name))
  );
}

/** Programs whose NAME=VALUE words before the command they run set its environment (env X=1 cmd, sudo X=1 cmd). */
const ENVIRONMENT_SETTERS = new Map<string, RegExp>([
  // The options of theirs that take a value apart (env -u NAME, sudo -u USER), so that value is passed over.
  ['env', /^(?:-[uCS]|--unset|--chdir|--split-string)$/],
  [
    'sudo',
    /^(?:-[uUgCDRhprtT]|--(?:user|other-user|group|close-from|chdir|chroot|host|prompt|role|type|command-timeout))$/,
  ],
  ['doas', /^-[uC]$/],
  ['lima', /^--(workdir|shell)$/],
  ['cross-env', /^$/],
  ['cross-env-shell', /^$/],
]);
/**
 * Container runners whose -e NAME=VALUE sets the environment of the program they run; fly's (deploy, machine
 * run/create/update, console -e) sets the app's machines'.
 */
const CONTAINER_RUNNERS = new Set([
  'docker',
  'podman',
  'nerdctl',
  'docker-compose',
  'finch',
  'lima',
  'fly',
  'flyctl',
]);

/**
 * The words of a command that set an environment variable of a program it runs, where a variable's value is
 * passed on: NAME=VALUE after env, sudo or doas (before the command they run), make's NAME=VALUE (make exports
 * the variables of its command line to its recipes), export/declare/local/readonly/typeset NAME=VALUE, a
 * container runner's -e/--env NAME=VALUE (-eNAME=…, --env=NAME=…; docker service update's --env-add), any program's --env/--setenv NAME=VALUE
 * (systemd-run -E/--setenv too), and systemctl set-environment NAME=VALUE (for the units started later). Any other NAME=VALUE argument is the program's data (curl -d a=b, helm --set
 * a=b, ansible-playbook -e a=b, a commit message), not a variable of a program run here.
 */
export function environmentWords(words: readonly string[]): Set<number> {
  const found = new Set<number>();
  const assignment = (word: string) => /^[A-Za-z_]\w*=/.test(word);
  // Whether a container runner, or systemd-run, is among the words before i (kept as i goes, not looked for again).
  let container = false;
  let systemdRun = false;
  for (let i = 0; i < words.length; i++) {
    if (i > 0) {
      const before = programName(words[i - 1]!);
      container ||= CONTAINER_RUNNERS.has(before);
      systemdRun ||= before === 'systemd-run';
    }
    const name = programName(words[i]!);
    const withValue = ENVIRONMENT_SETTERS.get(name);
    if (withValue !== undefined) {
      for (let k = i + 1; k < words.length; k++) {
        const word = words[k]!;
        if (assignment(word)) found.add(k);
        else if (word === '--') continue;
        else if (word.startsWith('-')) {
          if (withValue.test(word)) k++;
        } else break;
      }
    } else if (
      name === 'make' ||
      name === 'gmake' ||
      DECLARATION_WORDS.has(words[i]!) ||
      // systemctl set-environment NAME=VALUE: the environment of the units systemd starts later (its verb read
      // as systemctl reads its options: systemctl --legend no set-environment …).
      (name === 'systemctl' && words[systemctlOperands(words, i)[0] ?? -1] === 'set-environment') ||
      // fly secrets set NAME=VALUE…: secrets the app's machines get as variables.
      ((name === 'fly' || name === 'flyctl') && flyCommand(words, i) === 'secrets set') ||
      // heroku config:set NAME=VALUE…: the app's config vars, every dyno's variables.
      (name === 'heroku' &&
        /^config:(set|add)$/.test(words.slice(i + 1).find((w) => !w.startsWith('-')) ?? ''))
    ) {
      for (let k = i + 1; k < words.length; k++) if (assignment(words[k]!)) found.add(k);
    }
    const word = words[i]!;
    const next = words[i + 1] ?? '';
    if (
      /^--(?:env|setenv|set-env)=[A-Za-z_]\w*=/.test(word) ||
      (container && /^(?:-e|--env-add=)[A-Za-z_]\w*=/.test(word))
    )
      found.add(i);
    const envOption =
      /^--(?:env|setenv|set-env)$/.test(word) ||
      (container && word === '--env-add') ||
      (container && word === '-e') ||
      (word === '-E' && systemdRun);
    if (envOption && assignment(next)) found.add(i + 1);
  }
  return found;
}
const DECLARATION_WORDS = new Set(['export', 'local', 'readonly', 'declare', 'typeset']);

/** The code operand an assignment to one of CODE_VARIABLES is. */
export function codeVariableOperand(index: number, program: number, variable: string): CodeOperand {
  return {
    index,
    program,
    kind: 'variable',
    how: variable,
    safe: () =>
      `set ${variable} in the config without a template, and pass the value as an argument, or read it in the program as "$DEPLOY_…"`,
  };
}

/** A model with nothing in it. */
export function emptyModel(): CommandModel {
  return {
    code: [],
    positional: new Set(),
    guarded: new Set(),
    makeAssignments: new Set(),
    sedScripts: new Map(),
    scriptFiles: new Set(),
    remotePaths: new Map(),
    versionPins: new Set(),
    helmSets: new Map(),
    extraVars: new Set(),
    yamlValues: new Map(),
    jsonFields: new Map(),
    jsonValues: new Map(),
    awsShorthand: new Map(),
    macroValues: new Set(),
    fileReads: new Map(),
    volumeNames: new Set(),
    containerUsers: new Set(),
    containerNames: new Map(),
  };
}

/**
 * Whether `words[i]` is the subcommand of a compose command (`docker compose watch`, `docker-compose exec`,
 * `podman --remote compose watch`): a word compose reads, never a program it runs.
 */
function isComposeSubcommand(words: readonly string[], i: number): boolean {
  for (let k = i - 1; k >= 0; k--) {
    const name = programName(words[k]!);
    if (name === 'docker-compose') return composeSubcommand(words, k + 1) === i;
    if (words[k] !== 'compose') continue;
    // `compose` as the group of docker, podman or nerdctl: only their options before it.
    let j = k - 1;
    while (j > 0 && (words[j]!.startsWith('-') || words[j - 1]!.startsWith('-'))) j--;
    return j >= 0 && RUNNERS.has(programName(words[j]!)) && composeSubcommand(words, k + 1) === i;
  }
  return false;
}
/** A fixed template or query of each language printTemplateWords finds, for messages. */
const TEMPLATE_EXAMPLES = {
  'Go template': "--format '{{.Name}}'",
  JSONPath: "-o jsonpath='{.status.phase}'",
  'jq filter': "--jq '.[].name'",
} as const;

/** Programs a tool's subcommand of their name runs, with their words (oc rsync, gh codespace ssh): their rules hold. */
const NAMESAKES = new Set(['ssh', 'scp', 'sftp', 'rsync']);
/** The container runners with a compose group. */
const RUNNERS = new Set(['docker', 'podman', 'nerdctl']);

export function programName(word: string): string {
  const name = word.slice(word.lastIndexOf('/') + 1).replace(/\.exe$/i, '');
  return ALIASES[name] ?? name;
}

/**
 * Programs that are another's CLI under another name, read as it: finch (AWS's container CLI) hands its words
 * to nerdctl, as nerdctl.lima does; autossh hands its words to ssh but for its own -M PORT (sshTakesValue).
 */
const ALIASES: Readonly<Record<string, string>> = lookupTable({
  finch: 'nerdctl',
  'nerdctl.lima': 'nerdctl',
  autossh: 'ssh',
});

/** ssh's short option letters taking a value, for the ssh program word `word` (autossh's -M PORT too). */
export function sshValueLetters(word: string): string {
  return SSH_SHORT.ssh! + (/^autossh$/.test(word.slice(word.lastIndexOf('/') + 1)) ? 'M' : '');
}

/** POSIX shells, which run their `-c` operand as code and read "${NAME}" as the variable's value. */
export const POSIX_SHELLS = new Set(['sh', 'bash', 'dash', 'zsh', 'ksh', 'mksh', 'ash', 'yash', 'posh']);
/** Other shells that run their `-c` operand as code, with a syntax of their own. */
export const OTHER_SHELLS = new Set(['fish', 'csh', 'tcsh', 'pwsh', 'powershell']);

/** Runners whose subcommand runs a program (`op run -- cmd`, `conda run -n env cmd`): a `--` after it is theirs. */
const RUNNERS_WITH_SUBCOMMANDS = [
  ...['op', 'doppler', 'infisical', 'aws-vault', 'direnv', 'conda', 'mamba', 'micromamba', 'pixi', 'pdm'],
  ...['hatch', 'rye', 'pipx', 'composer', 'mise', 'swift', 'cabal', 'stack', 'dune', 'turbo', 'nx', 'lerna'],
];

/**
 * Programs that run another command given after their own options, often after a `--` of theirs: a `--`
 * there ends the wrapper's options, not those of the program it runs.
 */
const WRAPPERS = new Set([
  'env',
  'sudo',
  'doas',
  'lima',
  'su',
  'runuser',
  'nice',
  'nohup',
  'setsid',
  'stdbuf',
  'timeout',
  'time',
  'chrt',
  'ionice',
  'taskset',
  'chroot',
  'flock',
  'xargs',
  'exec',
  'command',
  'builtin',
  'kubectl',
  'oc',
  'docker',
  'podman',
  'nerdctl',
  'ssh',
  'watch',
  'systemd-run',
  'unshare',
  'nsenter',
  'script',
  'parallel',
  'sem',
  'sg',
  'tini',
  'dumb-init',
  'strace',
  'valgrind',
  'gdb',
  'firejail',
  'unbuffer',
  'chronic',
  'eatmydata',
  'numactl',
  'setuidgid',
  'prlimit',
  'envdir',
  'docker-compose',
  'npm',
  'npx',
  'yarn',
  'pnpm',
  'bun',
  'cargo',
  'go',
  'uv',
  'poetry',
  'pipenv',
  'bundle',
  'dotnet',
  'find',
  ...['uvx', 'bunx', 'gosu', 'su-exec', 's6-setuidgid', 'chpst', 'setpriv', 'pkexec', 'busybox'],
  ...['dbus-run-session', 'xvfb-run', 'coproc'],
  ...RUNNERS_WITH_SUBCOMMANDS,
]);

/**
 * Commands whose operands are never options (from the given word on): shell syntax (`case WORD in`,
 * `for NAME in WORDS`), test and [ (an operand where an operator belongs is read as a string), printf's
 * arguments after its format, and echo (whose -n/-e would change only what it prints).
 */
const NO_OPTIONS = new Map<string, number>([
  ['case', 1],
  ['for', 1],
  ['select', 1],
  ['[', 1],
  ['[[', 1],
  ['test', 1],
  ['printf', 2],
  ['echo', 1],
  [':', 1],
  ['true', 1],
]);

/** Wrappers whose `--` may come after subcommands and operands of theirs (kubectl exec POD -- cmd). */
const SUBCOMMAND_WRAPPERS = new Set([
  'kubectl',
  'oc',
  'docker',
  'podman',
  'nerdctl',
  'docker-compose',
  'npm',
  'npx',
  'yarn',
  'pnpm',
  'bun',
  'cargo',
  'go',
  'uv',
  'poetry',
  'pipenv',
  'bundle',
  'dotnet',
  'ssh',
  ...RUNNERS_WITH_SUBCOMMANDS,
]);

export type Parser = (words: readonly string[], at: number, model: CommandModel) => void;

const quoteArg = (name: string) => `{{${name}}}`;

/** A shell (POSIX or not): -c SCRIPT runs code; with no -c, the first operand is a script file. */
function parseShell(posix: boolean): Parser {
  return (words, at, model) => {
    const shell = words[at]!;
    let dashC = false;
    let dashS = false;
    for (let j = at + 1; j < words.length; j++) {
      const arg = words[j]!;
      if (arg === '--') {
        if (dashC && j + 1 < words.length) return script(j + 1);
        if (dashS || j + 1 >= words.length) return stdin(j + 1);
        model.scriptFiles.add(j + 1);
        return; // `sh -- FILE …`: a script file
      }
      // Options that take the next argument: -o pipefail, -O extglob, bash's --rcfile/--init-file FILE.
      if (/^[-+][oO]$/.test(arg) || arg === '--rcfile' || arg === '--init-file') {
        if (arg.startsWith('--')) model.scriptFiles.add(j + 1);
        j++;
        continue;
      }
      if (arg.startsWith('--')) continue;
      if (/^[-+][A-Za-z]+$/.test(arg)) {
        // pwsh: -c, -Command (and, taken as one too, any option with a c: refusing is the safe side).
        if (arg[0] === '-' && (posix ? arg.includes('c') : /c/i.test(arg))) dashC = true;
        if (arg[0] === '-' && posix && arg.includes('s')) dashS = true;
        continue;
      }
      if (dashC) return script(j);
      if (dashS || arg === '-') return stdin(j);
      // A script file: its arguments are its business.
      model.scriptFiles.add(j);
      return;
    }
    // `sh -c` with no script: one given after the words (by xargs), or none.
    if (dashC) script(words.length);
    else stdin(words.length);

    function script(index: number) {
      model.code.push({
        index,
        program: at,
        kind: posix ? 'shell' : 'foreign-shell',
        how: `${shell} -c`,
        safe: (name) =>
          posix
            ? `pass the value as an argument instead: ${shell} -c '… "$1" …' ${shell} ${quoteArg(name)}`
            : `pass the value as an argument of the script instead`,
      });
      // $0, $1, …: the script reads them, its shell does not.
      for (let k = index + 1; k < words.length; k++) model.positional.add(k);
    }
    function stdin(from: number) {
      model.stdinCode ??= at;
      for (let k = from; k < words.length; k++) model.positional.add(k);
    }
  };
}

interface EvalFlags {
  /** Letters of a short option that take the code (rest of the word, or the next word). */
  code: string;
  /** Letters of a short option that take an argument (rest of the word, or the next word). */
  withArg: string;
  /** Long options that take the code. */
  longCode?: string[];
  /** Long options that take an argument. */
  longWithArg?: string[];
  /** After the code, the remaining words are the code's arguments, options no longer read. */
  argsAfterCode: boolean;
  /** With no code and no script operand, the program reads code from standard input. */
  readsStdin: boolean;
  /** A short option letter that names a module or file to run instead (python -m, php -f). */
  runs?: string;
  /** Options (of withArg or longWithArg) whose value is a module or file loaded as code (node -r, ruby -r). */
  loads?: string[];
  /** The first operand is data (psql's and mysql's database name), not a script file. */
  operandIsData?: boolean;
  safe: (program: string, name: string) => string;
}

/** An interpreter with an eval option (python -c, perl -e, …). */
function parseInterpreter(flags: EvalFlags): Parser {
  return (words, at, model) => {
    const program = programName(words[at]!);
    let sawCode = false;
    const push = (index: number, option: string) => {
      sawCode = true;
      model.code.push({
        index,
        program: at,
        kind: 'interpreter',
        how: `${program} ${option}`,
        safe: (name) => flags.safe(program, name),
      });
    };
    for (let j = at + 1; j < words.length; j++) {
      const arg = words[j]!;
      if (arg === '--') {
        if (!sawCode && j + 1 < words.length && !flags.operandIsData) model.scriptFiles.add(j + 1);
        if (!sawCode && !flags.runs) return; // a script file follows
        for (let k = j + 1; k < words.length; k++)
          if (sawCode && flags.argsAfterCode) model.positional.add(k);
        return;
      }
      if (arg.startsWith('--') && arg.length > 2) {
        const [long, attached] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), true] : [arg, false];
        if (flags.longCode?.includes(long)) {
          if (attached) push(j, long);
          else push(++j, long);
          if (flags.argsAfterCode) return positionalFrom(j + 1);
        } else if (flags.longWithArg?.includes(long)) {
          if (flags.loads?.includes(long)) model.scriptFiles.add(attached ? j : j + 1);
          if (!attached) j++;
        }
        continue;
      }
      if (arg.startsWith('-') && arg.length > 1) {
        for (let k = 1; k < arg.length; k++) {
          const letter = arg[k]!;
          if (flags.code.includes(letter)) {
            if (k + 1 < arg.length) push(j, `-${letter}`);
            else push(++j, `-${letter}`);
            if (flags.argsAfterCode) return positionalFrom(j + 1);
            break;
          }
          if (flags.runs?.includes(letter)) {
            // A module or file, with arguments of its own.
            model.scriptFiles.add(k + 1 < arg.length ? j : j + 1);
            return;
          }
          if (flags.withArg.includes(letter)) {
            if (flags.loads?.includes(`-${letter}`)) model.scriptFiles.add(k + 1 < arg.length ? j : j + 1);
            if (k + 1 === arg.length) j++;
            break;
          }
        }
        continue;
      }
      // The first operand: a script file, when no code was given ("-": standard input).
      if (!sawCode && arg === '-' && flags.readsStdin) model.stdinCode ??= at;
      if (!sawCode && arg !== '-' && !flags.operandIsData) model.scriptFiles.add(j);
      // psql DB, mysql DB: the operands are data, and the statements still come from standard input.
      if (!sawCode && !flags.operandIsData) return;
    }
    if (!sawCode && flags.readsStdin) model.stdinCode ??= at;

    function positionalFrom(from: number) {
      for (let k = from; k < words.length; k++) {
        if (k === from && words[k] === '--') continue;
        model.positional.add(k);
      }
    }
  };
}

const byArgument = (program: string, code: string, name: string, dashes = true) =>
  `pass the value as an argument instead: ${program} ${code}${dashes ? ' --' : ''} ${quoteArg(name)}`;

const INTERPRETERS: Array<[RegExp, EvalFlags]> = [
  [
    /^(python|pypy)[\d.]*$/,
    {
      code: 'c',
      withArg: 'WX',
      runs: 'm',
      argsAfterCode: true,
      readsStdin: true,
      safe: (p, n) => byArgument(p, `-c '… sys.argv[1] …'`, n, false),
    },
  ],
  [
    /^(node|nodejs)$/,
    {
      code: 'ep',
      withArg: 'rC',
      loads: ['-r', '--require', '--import', '--loader', '--experimental-loader'],
      longCode: ['--eval', '--print'],
      longWithArg: [
        '--require',
        '--import',
        '--loader',
        '--experimental-loader',
        '--conditions',
        '--input-type',
      ],
      argsAfterCode: false,
      readsStdin: true,
      safe: (p, n) => byArgument(p, `-e '… process.argv[1] …'`, n),
    },
  ],
  [
    /^perl[\d.]*$/,
    {
      code: 'eE',
      withArg: 'MmIixF0CdDlV',
      loads: ['-M', '-m'],
      argsAfterCode: false,
      readsStdin: true,
      safe: (p, n) => byArgument(p, `-e '… $ARGV[0] …'`, n),
    },
  ],
  [
    /^ruby[\d.]*$/,
    {
      code: 'e',
      withArg: 'rICEFK0TWx',
      loads: ['-r'],
      argsAfterCode: false,
      readsStdin: true,
      safe: (p, n) => byArgument(p, `-e '… ARGV[0] …'`, n),
    },
  ],
  [
    /^php[\d.]*$/,
    {
      code: 'rBRE',
      withArg: 'cdzt',
      runs: 'f',
      argsAfterCode: false,
      readsStdin: true,
      safe: (p, n) => byArgument(p, `-r '… $argv[1] …'`, n),
    },
  ],
  [
    /^(lua|luajit)[\d.]*$/,
    {
      code: 'e',
      withArg: 'l',
      loads: ['-l'],
      argsAfterCode: false,
      readsStdin: true,
      safe: (p, n) => `read the value from the environment instead: ${p} -e '… os.getenv("${envName(n)}") …'`,
    },
  ],
  [
    /^(Rscript|julia|elixir|groovy|osascript)$/,
    {
      code: 'e',
      withArg: '',
      argsAfterCode: false,
      readsStdin: false,
      safe: (p, n) => `pass the value as an argument of a script file instead: ${p} FILE ${quoteArg(n)}`,
    },
  ],
  [
    // expect -c runs Tcl; -f (or -b) FILE and the first operand are script files (expect(1)).
    /^expect$/,
    {
      code: 'c',
      withArg: 'D',
      runs: 'fb',
      argsAfterCode: false,
      readsStdin: true,
      safe: (p, n) =>
        `pass the value as an argument of a script file instead: ${p} FILE ${quoteArg(n)}, reading it as [lindex $argv 0]`,
    },
  ],
  [
    /^(psql)$/,
    {
      code: 'c',
      withArg: 'dhpUfoLTPvF',
      loads: ['-f', '--file'],
      operandIsData: true,
      longCode: ['--command'],
      longWithArg: [
        '--dbname',
        '--host',
        '--port',
        '--username',
        '--file',
        '--set',
        '--variable',
        '--output',
      ],
      argsAfterCode: false,
      readsStdin: true,
      safe: (p, n) =>
        `pass the value as a psql variable instead: ${p} -v value=${quoteArg(n)} -f FILE, reading it as :'value'`,
    },
  ],
  [
    /^(mysql|mariadb)$/,
    {
      code: 'e',
      withArg: 'hPuDSp',
      operandIsData: true,
      longCode: ['--execute'],
      argsAfterCode: false,
      readsStdin: true,
      safe: (p) =>
        `write the statement without a template, or use a prepared statement in a script run by ${p}`,
    },
  ],
];

/**
 * mongosh's options that take a value (arg-parser.ts's string options, with their aliases -u, -p) and the legacy
 * mongo shell's; --eval (code) and -f/--file (a script) are read apart. A value of --cryptSharedLibPath or
 * --csfleLibraryPath is a shared library it loads.
 */
const MONGO_VALUES = new Set([
  ...[
    '-u',
    '-p',
    '--apiVersion',
    '--authenticationDatabase',
    '--authenticationMechanism',
    '--awsAccessKeyId',
  ],
  ...['--awsIamSessionToken', '--awsSecretAccessKey', '--awsSessionToken', '--csfleLibraryPath'],
  ...[
    '--cryptSharedLibPath',
    '--db',
    '--gssapiHostName',
    '--gssapiServiceName',
    '--sspiHostnameCanonicalization',
  ],
  ...['--sspiRealmOverride', '--jsContext', '--host', '--keyVaultNamespace', '--kmsURL', '--locale'],
  ...['--oidcFlows', '--oidcRedirectUri', '--oidcRedirectUrl', '--password', '--port', '--sslPEMKeyFile'],
  ...[
    '--sslPEMKeyPassword',
    '--sslCAFile',
    '--sslCertificateSelector',
    '--sslCRLFile',
    '--sslDisabledProtocols',
  ],
  ...[
    '--tlsCAFile',
    '--tlsCertificateKeyFile',
    '--tlsCertificateKeyFilePassword',
    '--tlsCertificateSelector',
  ],
  ...['--tlsCRLFile', '--tlsDisabledProtocols', '--username'],
  // the legacy mongo shell's.
  ...['--writeMode', '--readMode', '--jsHeapLimitMB'],
]);

/**
 * mongosh (and the legacy mongo shell) [OPTIONS] [ADDRESS] [FILE…] (mongosh's arg-parser.ts): --eval CODE runs
 * JavaScript, -f/--file FILE and every operand after the address are scripts it runs (with --nodb, every operand),
 * and the address is read as a script too when it ends in .js or .mongodb (not starting with mongodb:// or
 * mongodb+srv://), so a template ending it may make it one. With no code nor script (or with --shell) it runs what
 * it reads on standard input (a script, when that is no terminal).
 */
const parseMongoShell: Parser = (words, at, model) => {
  const program = programName(words[at]!);
  let runs = false;
  let nodb = false;
  let shell = false;
  const operands: number[] = [];
  for (let j = at + 1; j < words.length; j++) {
    const word = words[j]!;
    if (word === '--') {
      for (let k = j + 1; k < words.length; k++) operands.push(k);
      break;
    }
    const eq = word.indexOf('=');
    // -fFILE, -f=FILE, --opt=VALUE: the value attached; --opt VALUE, -f FILE: the next word.
    const option = /^-f./.test(word) ? '-f' : word.startsWith('-') && eq > 0 ? word.slice(0, eq) : word;
    const value = option === word ? j + 1 : j;
    if (!word.startsWith('-') || word === '-') {
      operands.push(j);
      continue;
    }
    if (option === '--nodb') nodb = true;
    if (option === '--shell') shell = true;
    if (option !== '--eval' && option !== '--file' && option !== '-f' && !MONGO_VALUES.has(option)) continue;
    if (option === '--eval') {
      runs = true;
      model.code.push({
        index: value,
        program: at,
        kind: 'interpreter',
        how: `${program} --eval`,
        safe: () =>
          'write the JavaScript without a template, and read the value in it from the environment (mongosh reads process.env.DEPLOY_…)',
      });
    } else if (option === '--file' || option === '-f') {
      runs = true;
      model.scriptFiles.add(value);
    } else if (option === '--cryptSharedLibPath' || option === '--csfleLibraryPath')
      model.scriptFiles.add(value);
    if (value > j) j++;
  }
  const [first, ...rest] = operands;
  if (first !== undefined && !nodb) {
    const word = words[first]!;
    // The fixed text after the last template, and whether a fixed mongodb:// starts the word.
    const tail = word.slice(word.lastIndexOf('}}') + 2);
    const url = /^mongodb(\+srv)?:\/\//.test(word.split('{{')[0]!);
    if (/\.(js|mongodb)$/.test(word) && !url) {
      runs = true;
      model.scriptFiles.add(first);
    } else if (/\{\{/.test(word) && !url && ['.js', '.mongodb'].some((end) => end.endsWith(tail)))
      model.code.push({
        index: first,
        program: at,
        kind: 'setting',
        how: `in the address ${program} connects to, which it runs as a script file instead when it ends in .js or .mongodb (a value app.js would make it one: a file of the checkout runs)`,
        safe: () =>
          `write the address with a fixed mongodb:// (${program} "mongodb://localhost:27017/VALUE"), where the value is a database's name`,
      });
  } else if (first !== undefined) {
    runs = true;
    model.scriptFiles.add(first);
  }
  for (const k of rest) {
    runs = true;
    model.scriptFiles.add(k);
  }
  // --shell: the shell's prompt after the code and scripts, reading standard input too.
  if (!runs || shell) model.stdinCode ??= at;
};

export function envName(variable: string): string {
  return `DEPLOY_${variable.toUpperCase()}`;
}

/**
 * gawk's long options (main.c's optab, with older names) and whether each takes a value: 'required' (the rest
 * after "=", or the next word), 'optional' (after "=" only), or none.
 */
const GAWK_LONG: Readonly<Record<string, 'required' | 'optional' | undefined>> = lookupTable({
  '--assign': 'required',
  '--bignum': undefined,
  '--characters-as-bytes': undefined,
  '--compat': undefined,
  '--copyleft': undefined,
  '--copyright': undefined,
  '--csv': undefined,
  '--debug': 'optional',
  '--dump-variables': 'optional',
  '--exec': 'required',
  '--field-separator': 'required',
  '--file': 'required',
  '--gen-po': undefined,
  '--gen-pot': undefined,
  '--help': undefined,
  '--include': 'required',
  '--lint': 'optional',
  '--lint-old': undefined,
  '--load': 'required',
  '--non-decimal-data': undefined,
  '--no-optimize': undefined,
  '--nostalgia': undefined,
  '--optimize': undefined,
  '--persist': 'optional',
  '--posix': undefined,
  '--pretty-print': 'optional',
  '--profile': 'optional',
  '--re-interval': undefined,
  '--sandbox': undefined,
  '--source': 'required',
  '--traditional': undefined,
  '--usage': undefined,
  '--use-lc-numeric': undefined,
  '--version': undefined,
});

/** awk's short options and the long option each is (gawk's; -W reads its value as a long option). */
const AWK_SHORT: Readonly<Record<string, string>> = lookupTable({
  f: '--file',
  v: '--assign',
  F: '--field-separator',
  e: '--source',
  E: '--exec',
  i: '--include',
  l: '--load',
  D: '--debug',
  d: '--dump-variables',
  o: '--pretty-print',
  p: '--profile',
  L: '--lint',
  T: '--persist',
});

/** gawk's long options that run, load or write code or files, the most harmful first. */
const GAWK_HARMFUL = ['--source', '--exec', '--file', '--include', '--load', '--debug'].concat([
  '--profile',
  '--dump-variables',
  '--pretty-print',
]);

/**
 * A gawk long option's full name as getopt_long reads it: the name, or a unique prefix of one (--inc: --include).
 * A prefix of several (--fi: --file, --field-separator) makes gawk stop with an error; it is read as the most
 * harmful of them, so that no getopt reading it otherwise finds a value unchecked.
 */
function gawkLongName(given: string): string | undefined {
  if (given in GAWK_LONG) return given;
  const matches = Object.keys(GAWK_LONG).filter((o) => given.length > 2 && o.startsWith(given));
  if (matches.length <= 1) return matches[0];
  return GAWK_HARMFUL.find((o) => matches.includes(o)) ?? matches.find((o) => GAWK_LONG[o] === 'required');
}

/** An option's value in an awk command: the option's long name, the word and where the value starts in it. */
export interface AwkValue {
  option: string;
  index: number;
  from: number;
}

/**
 * awk's options as gawk reads them (getopt_long, options first): long options by a unique prefix (--inc=FILE,
 * --exe FILE, --sou=TEXT), short ones in clusters (-vx=1, -fprog.awk), -W NAME[=VALUE] as --NAME (-W exec FILE,
 * -Wsource=TEXT, mawk's too); an optional value attached only. Returns the values and the operands (from the
 * first word that is no option, or after --).
 */
export function awkOptions(words: readonly string[], at: number): { values: AwkValue[]; operands: number[] } {
  const values: AwkValue[] = [];
  const operands: number[] = [];
  // A long option NAME[=VALUE] in `word` from `start` (after "--", or -W's value).
  const long = (j: number, start: number): number => {
    const word = words[j]!;
    const eq = word.indexOf('=', start);
    const option = gawkLongName(`--${eq < 0 ? word.slice(start) : word.slice(start, eq)}`);
    if (option === undefined || GAWK_LONG[option] === undefined) return j;
    if (eq >= 0) values.push({ option, index: j, from: eq + 1 });
    else if (GAWK_LONG[option] === 'required' && j + 1 < words.length) {
      values.push({ option, index: j + 1, from: 0 });
      return j + 1;
    }
    return j;
  };
  let j = at + 1;
  for (; j < words.length; j++) {
    const word = words[j]!;
    if (word === '--') {
      j++;
      break;
    }
    if (!word.startsWith('-') || word === '-') break;
    if (word.startsWith('--')) {
      j = long(j, 2);
      continue;
    }
    for (let c = 1; c < word.length; c++) {
      const letter = word[c]!;
      if (letter === 'W') {
        if (c + 1 < word.length) j = long(j, c + 1);
        else if (j + 1 < words.length) j = long(j + 1, 0);
        break;
      }
      const option = AWK_SHORT[letter];
      if (option === undefined) continue;
      if (c + 1 < word.length) values.push({ option, index: j, from: c + 1 });
      else if (GAWK_LONG[option] === 'required' && j + 1 < words.length)
        values.push({ option, index: ++j, from: 0 });
      if (c + 1 < word.length || GAWK_LONG[option] === 'required') break;
    }
  }
  for (; j < words.length; j++) operands.push(j);
  return { values, operands };
}

/** awk: the first operand is the program, unless -f, -E or -e gave one; -i, -l and -D load code. */
const parseAwk: Parser = (words, at, model) => {
  const program = programName(words[at]!);
  const { values, operands } = awkOptions(words, at);
  const push = (index: number, how: string) =>
    model.code.push({
      index,
      program: at,
      kind: 'interpreter',
      how,
      safe: (name) =>
        `read the value from the environment instead: ${program} '… ENVIRON["${envName(name)}"] …' (or -v value=${quoteArg(name)}, which only processes backslash escapes)`,
    });
  let fromFile = false;
  for (const value of values) {
    if (value.option === '--source') {
      push(value.index, `${program} --source`);
      fromFile = true;
    } else if (value.option === '--file' || value.option === '--exec') {
      fromFile = true;
      model.scriptFiles.add(value.index);
    }
    // gawk -i/--include FILE (awk source it loads), -l/--load FILE (a shared library, native code it loads),
    // -D/--debug=FILE (debugger commands it runs, which eval awk code: system() runs any command): code files,
    // the program operand still to come.
    else if (['--include', '--load', '--debug'].includes(value.option)) model.scriptFiles.add(value.index);
  }
  if (!fromFile && operands.length > 0) push(operands[0]!, `${program} program`);
};

/** Delimiters of a sed s command a value may be written into: none a value or a template may hold. */
const SED_DELIMITER_REFUSED = /[A-Za-z0-9\s\\._+\-:@%=,{}]/;

/**
 * The delimiter of a sed script that is one s command (`s/VERSION/{{version}}/g`): optional whitespace around
 * it, a delimiter no value may hold, then the pattern and the replacement (where its templates are, none right
 * after a backslash) and only the flags g, p, i, I, m, M and digits (never e, which runs the pattern space, or
 * w, which writes a file). Undefined for any other script.
 */
export function sedSubstitution(script: string): string | undefined {
  const start = /^\s*s/.exec(script);
  const delimiter = start ? script[start[0].length] : undefined;
  if (delimiter === undefined || !/^[!-~]$/.test(delimiter) || SED_DELIMITER_REFUSED.test(delimiter))
    return undefined;
  let i = start![0].length + 1;
  for (let part = 0; part < 2; part++)
    for (;;) {
      const c = script[i];
      if (c === undefined || c === '\n') return undefined;
      i++;
      if (c === delimiter) break;
      if (c !== '\\') continue;
      // An escaped character: never a newline or a template's first brace (\{{x}}).
      if (script[i] === undefined || script[i] === '\n' || script.startsWith('{{', i)) return undefined;
      i++;
    }
  return /^[gpiImM0-9]*\s*$/.test(script.slice(i)) ? delimiter : undefined;
}

/**
 * sed: -e SCRIPT, --expression SCRIPT, or the first operand when neither -e nor -f is given. A template may be
 * only in the one script of the command when that is a single s command (sedSubstitution), whose values are
 * then checked when rendered; in any other script it is code.
 */
const parseSed: Parser = (words, at, model) => {
  const program = programName(words[at]!);
  const scripts: number[] = [];
  let fromFile = false;
  const finish = () => {
    const asCode = (index: number): CodeOperand => ({
      index,
      program: at,
      kind: 'interpreter',
      how: `${program} script`,
      safe: (name) =>
        `sed runs commands from its script (its e command, the e flag of s); only a script that is one s command (s/PATTERN/{{${name}}}/g) may take a plain value: write the value with awk instead, reading it as ENVIRON["${envName(name)}"]`,
    });
    const only = scripts.length === 1 && !fromFile ? sedSubstitution(words[scripts[0]!]!) : undefined;
    if (only !== undefined)
      model.sedScripts.set(scripts[0]!, { delimiter: only, asCode: asCode(scripts[0]!) });
    else for (const index of scripts) model.code.push(asCode(index));
  };
  for (let j = at + 1; j < words.length; j++) {
    const arg = words[j]!;
    if (arg === '--') {
      if (scripts.length === 0 && !fromFile && j + 1 < words.length) scripts.push(j + 1);
      return finish();
    }
    if (arg === '--expression') {
      if (j + 1 < words.length) scripts.push(j + 1);
      j++;
      continue;
    }
    if (arg.startsWith('--expression=')) {
      scripts.push(j);
      continue;
    }
    if (arg === '--file' || arg === '--line-length') {
      if (arg === '--file') {
        fromFile = true;
        model.scriptFiles.add(j + 1);
      }
      j++;
      continue;
    }
    if (arg.startsWith('--')) {
      if (arg.startsWith('--file=')) {
        fromFile = true;
        model.scriptFiles.add(j);
      }
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1) {
      for (let k = 1; k < arg.length; k++) {
        const letter = arg[k]!;
        if (letter === 'e' || letter === 'f') {
          if (letter === 'f') {
            fromFile = true;
            model.scriptFiles.add(k + 1 < arg.length ? j : j + 1);
          } else if (k + 1 < arg.length) scripts.push(j);
          else if (j + 1 < words.length) scripts.push(j + 1);
          if (k + 1 === arg.length) j++;
          break;
        }
        if (letter === 'i') break; // -i[SUFFIX]
        if (letter === 'l') {
          if (k + 1 === arg.length) j++;
          break;
        }
      }
      continue;
    }
    if (scripts.length === 0 && !fromFile) scripts.push(j);
    return finish();
  }
  finish();
};

/** jq (and yq): the first operand is the filter, unless -f gave one. --arg NAME VALUE is the safe form. */
const parseJq: Parser = (words, at, model) => {
  const program = programName(words[at]!);
  const yq = program === 'yq';
  let fromFile = false;
  const push = (index: number) =>
    model.code.push({
      index,
      program: at,
      kind: 'interpreter',
      how: `${program} filter`,
      safe: (name) =>
        yq
          ? `read the value from the environment instead: ${program} '… strenv(${envName(name)}) …'`
          : `pass the value as a jq variable instead: ${program} --arg value ${quoteArg(name)} '… $value …'`,
    });
  for (let j = at + 1; j < words.length; j++) {
    const arg = words[j]!;
    if (yq && j === at + 1 && ['eval', 'e', 'eval-all', 'ea'].includes(arg)) continue;
    if (arg === '--') {
      if (!fromFile && j + 1 < words.length) push(j + 1);
      return;
    }
    if (['--arg', '--argjson', '--slurpfile', '--rawfile'].includes(arg)) {
      // NAME VALUE: data, whatever they start with
      model.positional.add(j + 1);
      model.positional.add(j + 2);
      j += 2;
      continue;
    }
    if (arg === '-f' || arg === '--from-file') {
      fromFile = true;
      model.scriptFiles.add(++j);
      continue;
    }
    if (yq && (arg === '--expression' || arg.startsWith('--expression='))) {
      push(arg.includes('=') ? j : ++j);
      fromFile = true;
      continue;
    }
    if (
      ['-L', '--indent', ...(yq ? ['-o', '-p', '-I', '--output-format', '--input-format'] : [])].includes(arg)
    ) {
      j++;
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1) continue;
    if (!fromFile) push(j);
    return;
  }
};

/** Programs that hand an option's value to a shell: su/runuser/flock/script -c CMD, --command CMD. */
function parseDashCommand(
  withArg: string[],
  safe: (program: string, name: string) => string,
  readsStdin: (words: readonly string[], at: number) => boolean = () => false,
): Parser {
  return (words, at, model) => {
    const program = programName(words[at]!);
    const before = model.code.length;
    // Without -c, script and su start a shell that reads its commands on standard input.
    const noCommand = () => {
      if (model.code.length === before && readsStdin(words, at)) model.stdinCode ??= at;
    };
    for (let j = at + 1; j < words.length; j++) {
      const arg = words[j]!;
      if (arg === '--') return noCommand();
      const push = (index: number, how: string) =>
        model.code.push({
          index,
          program: at,
          kind: 'shell-wrapper',
          how: `${program} ${how}`,
          safe: (name) => safe(program, name),
        });
      if (arg === '-c' || arg === '--command' || arg === '--session-command') push(++j, arg);
      else if (/^--(session-)?command=/.test(arg)) push(j, arg.slice(0, arg.indexOf('=')));
      else if (/^-c./.test(arg)) push(j, '-c');
      else if (withArg.includes(arg)) j++;
      else if (/^-[A-Za-z]+$/.test(arg)) {
        // Flags together (script -qc CMD, su -lc CMD): the first that takes a value takes the rest or the next word.
        for (let c = 1; c < arg.length; c++) {
          const flag = `-${arg[c]}`;
          if (flag !== '-c' && !withArg.includes(flag)) continue;
          const glued = c + 1 < arg.length;
          if (flag === '-c') push(glued ? j : j + 1, '-c');
          if (!glued) j++;
          break;
        }
      }
    }
    noCommand();
  };
}

const viaShellArgs = (program: string, name: string, head: string) =>
  `run the program without a shell (${head} PROGRAM ${quoteArg(name)}), or start one with the value as "$1": ${head} sh -c '… "$1" …' sh ${quoteArg(name)}`;

/** nix-shell --run CMD and --command CMD: a command line nix-shell's bash runs (nix-shell(1)). */
const parseNixShell: Parser = (words, at, model) => {
  for (let j = at + 1; j < words.length; j++) {
    const arg = words[j]!;
    // --arg NAME EXPR and --argstr NAME VALUE take two words.
    if (arg === '--arg' || arg === '--argstr') j += 2;
    else if (/^(-[AIip]|--attr|--include)$/.test(arg) && !words[j + 1]?.startsWith('-')) j++;
    else if (arg === '--run' || arg === '--command')
      model.code.push({
        index: ++j,
        program: at,
        kind: 'shell-wrapper',
        how: `nix-shell ${arg}`,
        safe: () =>
          'write the command without a template, and read the value in it as "$DEPLOY_…" (nix-shell keeps the environment unless --pure)',
      });
  }
};

/**
 * mise exec/x … -c/--command CMD: a command line mise runs through a shell (mise exec --help); the words after
 * its `--` are a program and its arguments instead (launchers.ts).
 */
const parseMiseExec: Parser = (words, at, model) => {
  let k = at + 1;
  while (k < words.length && words[k]!.startsWith('-'))
    k += /^(-[CEj]|--cd|--env|--jobs)$/.test(words[k]!) ? 2 : 1;
  if (words[k] !== 'exec' && words[k] !== 'x') return;
  for (let j = k + 1; j < words.length && words[j] !== '--'; j++) {
    const arg = words[j]!;
    const index = arg === '-c' || arg === '--command' ? ++j : /^(-c.|--command=)/.test(arg) ? j : undefined;
    if (index !== undefined)
      model.code.push({
        index,
        program: at,
        kind: 'shell-wrapper',
        how: `mise ${words[k]} -c`,
        safe: (name) => viaShellArgs('mise', name, `mise ${words[k]} --`),
      });
  }
};

/** watch runs its command words, joined, through sh -c, unless -x/--exec. */
const parseWatch: Parser = (words, at, model) => {
  for (let j = at + 1; j < words.length; j++) {
    const arg = words[j]!;
    if (arg === '-x' || arg === '--exec' || (/^-[a-z]+$/.test(arg) && arg.includes('x'))) return;
    if (arg === '-n' || arg === '--interval' || arg === '-q' || arg === '--equexit') {
      j++;
      continue;
    }
    if (arg === '--') {
      for (let k = j + 1; k < words.length; k++) pushWatch(k);
      return;
    }
    if (arg.startsWith('-') && arg.length > 1) continue;
    for (let k = j; k < words.length; k++) pushWatch(k);
    return;
  }
  function pushWatch(index: number) {
    model.code.push({
      index,
      program: at,
      kind: 'shell-wrapper',
      how: 'watch',
      safe: (name) =>
        `use watch -x, which runs the command without a shell: watch -x PROGRAM ${quoteArg(name)}`,
    });
  }
};

/** cargo watch's options taking a value (cargo-watch --help), but -x, -s and --use-shell (parseCargoWatch). */
const CARGO_WATCH_VALUES = new Set([
  ...['-w', '--watch', '-i', '--ignore', '-d', '--delay', '-C', '--workdir', '--features', '-B', '-L'],
  ...['--env-file', '-E', '--env', '--watch-when-idle'],
]);

/**
 * cargo watch (cargo-watch, a plugin cargo runs for its subcommand watch; also run as cargo-watch): -s/--shell
 * hands its command to a shell; -x/--exec splits its string into the words of a cargo command (its subcommand
 * first); --use-shell names the shell that runs -s; the words after its `--` are a command it runs (taken as
 * handed to a shell: the safe side). cargo's own options before the subcommand take their value (-C DIR, -Z, +TOOLCHAIN).
 */
const parseCargoWatch: Parser = (words, at, model) => {
  let from = at + 1;
  if (programName(words[at]!) === 'cargo') {
    while (from < words.length && /^[-+]/.test(words[from]!))
      from += /^(-C|-Z|--config|--color)$/.test(words[from]!) ? 2 : 1;
    if (words[from] !== 'watch') return;
    from++;
  } else if (words[from] === 'watch') from++; // cargo runs cargo-watch as `cargo-watch watch …`
  const push = (index: number, option: string) => {
    if (index >= words.length) return;
    const shell = option === '-s' || option === '--shell' || option === '--';
    model.code.push({
      index,
      program: at,
      kind: shell ? 'shell-wrapper' : option === '--use-shell' ? 'setting' : 'split',
      how:
        option === '--use-shell'
          ? 'in the shell cargo watch --use-shell runs its -s commands with, a program it runs'
          : option === '--'
            ? 'cargo watch --'
            : `cargo watch ${option}`,
      safe: () =>
        shell
          ? 'write the command without a template, and read the value in it as "$DEPLOY_…"'
          : option === '--use-shell'
            ? 'name the shell in the config (cargo watch --use-shell bash)'
            : 'write the cargo command in the config without a template (cargo watch -x "run --bin deploy"), and read the value in the program from its environment (DEPLOY_…)',
    });
  };
  for (let j = from; j < words.length; j++) {
    const arg = words[j]!;
    if (arg === '--') {
      for (let k = j + 1; k < words.length; k++) push(k, '--');
      return;
    }
    const long = /^(--exec|--shell|--use-shell)(=?)/.exec(arg);
    if (long) {
      push(long[2] ? j : ++j, long[1]!);
      continue;
    }
    if (arg.startsWith('--')) {
      if (CARGO_WATCH_VALUES.has(arg)) j++;
      continue;
    }
    if (!/^-./.test(arg)) continue;
    // A cluster of short flags (-qcx check): -x or -s takes the rest of the word, or the next one; another
    // letter taking a value takes it.
    for (let c = 1; c < arg.length; c++) {
      const letter = `-${arg[c]}`;
      if (letter === '-x' || letter === '-s') {
        push(c + 1 < arg.length ? j : ++j, letter);
        break;
      }
      if (CARGO_WATCH_VALUES.has(letter)) {
        if (c + 1 === arg.length) j++;
        break;
      }
    }
  }
};

/** GNU parallel options that take the next word (parallel(1), "OPTIONS"; long ones also as --option=value). */
const PARALLEL_OPTIONS_WITH_VALUE = new Set([
  ...['-a', '-C', '-d', '-E', '-I', '-j', '-J', '-L', '-n', '-N', '-P', '-S', '-s'],
  ...['--arg-file', '--arg-file-sep', '--argfilesep', '--arg-sep', '--argsep', '--basefile', '--bf'],
  ...[
    '--basenamereplace',
    '--bnr',
    '--basenameextensionreplace',
    '--bner',
    '--bin',
    '--block',
    '--block-size',
  ],
  ...['--blocktimeout', '--bt', '--colsep', '--compress-program', '--decompress-program', '--ctagstring'],
  ...['--delay', '--delimiter', '--dirnamereplace', '--dnr', '--env', '--eof', '--extensionreplace', '--er'],
  ...['--filter', '--group-by', '--halt', '--halt-on-error', '--header', '--hostgroups', '--hgrp', '--id'],
  ...['--jobs', '--max-procs', '--joblog', '--limit', '--load', '--memfree', '--memsuspend', '--minversion'],
  ...['--max-args', '--max-replace-args', '--max-chars', '--max-lines', '--nice', '--profile', '--recend'],
  ...['--recstart', '--results', '--res', '--retries', '--return', '--rpl', '--seqreplace', '--shard'],
  ...['--semaphorename', '--semaphoretimeout', '--st', '--shell-completion', '--sql', '--sqlmaster'],
  ...['--sqlandworker', '--sqlworker', '--ssh', '--sshdelay', '--sshlogin', '--sshloginfile', '--slf'],
  ...['--tagstring', '--template', '--tmpl', '--termseq', '--term-seq', '--timeout', '--tmpdir', '--tempdir'],
  ...['--transferfile', '--tf', '--trc', '--trim', '--workdir', '--wd', '--match', '--parens'],
  ...['--sshlogin-file', '--ssh-delay', '--timeout-factor', '--cr', '--mem-free'],
]);

/** GNU parallel options that take no value (parallel(1)); -e, -i and -l take one only attached (-i{}). */
const PARALLEL_FLAGS = new Set([
  ...['-0', '-e', '-g', '-i', '-k', '-l', '-m', '-M', '-p', '-q', '-r', '-t', '-u', '-v', '-V', '-X', '-x'],
  ...['--bar', '--bg', '--bibtex', '--cat', '--citation', '--cleanup', '--color', '--color-failed', '--cf'],
  ...['--compress', '--csv', '--ctag', '--dry-run', '--embed', '--eta', '--fg', '--fifo', '--files'],
  ...['--files0', '--filter-hosts', '--group', '--help', '--interactive', '--keep-order', '--latest-line'],
  ...['--ll', '--line-buffer', '--lb', '--link', '--xapply', '--controlmaster', '--no-notice', '--noswap'],
  ...['--null', '--number-of-cpus', '--number-of-cores', '--number-of-sockets', '--number-of-threads'],
  ...['--onall', '--nonall', '--open-tty', '--output-as-files', '--outputasfiles', '--pipe', '--spreadstdin'],
  ...['--pipe-part', '--pipepart', '--plain', '--progress', '--quote', '--regexp', '--remove-rec-sep'],
  ...['--removerecsep', '--rrs', '--resume', '--resume-failed', '--retry-failed', '--round-robin', '--round'],
  ...['--semaphore', '--sem', '--session', '--shebang', '--hashbang', '--shebang-wrap', '--shellquote'],
  ...['--shuf', '--skip-first-line', '--tag', '--test', '--tmux', '--tmuxpane', '--transfer', '--ungroup'],
  ...['--use-cpus-instead-of-cores', '--use-cores-instead-of-threads', '--use-sockets-instead-of-threads'],
  ...['--verbose', '--version', '--wait', '--xargs', '--will-cite', '--no-run-if-empty', '--record-env'],
  ...['--show-limits', '--max-line-length-allowed', '--keep-order', '--debug', '--unsafe', '--sqlworker'],
  // --plus turns on more replacement strings, --tee gives all of the input to every job: neither takes a value.
  ...['--plus', '--tee'],
]);

/**
 * GNU parallel's long options as it reads them (Getopt::Long, parallel(1) "OPTIONS"): each one's names, and
 * whether it takes a value (=) or may take the next word (:). A long option may be written as any prefix
 * naming one option alone, in any letter case (--spr is --spreadstdin, --PIPE is --pipe): parallelLongName.
 */
const PARALLEL_LONG_OPTIONS = [
  ...[
    'debug=',
    'xargs',
    'sql=',
    'sql-master|sqlmaster=',
    'sql-worker|sqlworker=',
    'sql-and-worker|sqlandworker=',
  ],
  ...[
    'joblog|jl=',
    'results|result|res=',
    'resume',
    'resume-failed|resumefailed',
    'retry-failed|retryfailed',
  ],
  ...['silent', 'keep-order|keeporder', 'no-keep-order|nokeeporder|nok|no-k', 'group', 'ungroup'],
  ...['latest-line|latestline|ll', 'line-buffer|line-buffered|linebuffer|linebuffered|lb', 'tmux'],
  ...['tmux-pane|tmuxpane', 'null', 'quote', 'parens=', 'rpl=', 'plus', 'extensionreplace|er='],
  ...['basenamereplace|bnr=', 'dirnamereplace|dnr=', 'basenameextensionreplace|bner=', 'seqreplace='],
  ...['slotreplace=', 'delay=', 'ssh-delay|sshdelay=', 'load=', 'noswap'],
  ...['max-line-length-allowed|maxlinelengthallowed', 'number-of-cpus|numberofcpus'],
  ...[
    'number-of-sockets|numberofsockets',
    'number-of-cores|numberofcores',
    'number-of-threads|numberofthreads',
  ],
  ...['use-sockets-instead-of-threads|usesocketsinsteadofthreads'],
  ...[
    'use-cores-instead-of-threads|usecoresinsteadofthreads',
    'use-cpus-instead-of-cores|usecpusinsteadofcores',
  ],
  ...['shell-quote|shellquote|shell_quote', 'nice=', 'tag', 'tag-string|tagstring=', 'ctag'],
  ...['ctag-string|ctagstring=', 'color|colour'],
  ...['color-failed|colour-failed|colorfailed|colourfailed|color-fail|colour-fail|colorfail|colourfail|cf'],
  ...['onall', 'nonall', 'filter-hosts|filterhosts|filter-host', 'sshlogin=', 'sshloginfile|slf='],
  ...['controlmaster', 'ssh=', 'transfer-file|transferfile|transfer-files|transferfiles|tf=', 'return='],
  ...['trc=', 'transfer', 'cleanup', 'basefile|bf=', 'template|tmpl=', 'ctrl-c|ctrlc'],
  ...['no-ctrl-c|no-ctrlc|noctrlc', 'work-dir|workdir|wd=', 'rsync-opts|rsyncopts=', 'tmpdir|tempdir='],
  ...['use-compress-program|compress-program|usecompressprogram|compressprogram='],
  ...['use-decompress-program|decompress-program|usedecompressprogram|decompressprogram=', 'compress'],
  ...[
    'open-tty',
    'tty',
    'dry-run|dryrun|dr',
    'progress',
    'eta',
    'bar',
    'total-jobs|totaljobs|total=',
    'shuf',
  ],
  ...[
    'milestone|ms=',
    'arg-sep|argsep=',
    'arg-file-sep|argfilesep=',
    'trim=',
    'env=',
    'recordenv|record-env',
  ],
  ...['session', 'plain', 'profile=', 'tollef', 'gnu', 'link|xapply', 'linkinputsource|xapplyinputsource='],
  ...['bibtex|citation', 'will-cite|willcite|nn|nonotice|no-notice', 'halt-on-error|haltonerror|halt='],
  ...['limit=', 'memfree=', 'memsuspend=', 'retries=', 'timeout=', 'term-seq|termseq='],
  ...['max-procs|maxprocs|jobs=', 'delimiter=', 'max-chars|maxchars=', 'arg-file|argfile='],
  ...['no-run-if-empty|norunifempty', 'replace:', 'eof:', 'process-slot-var|processslotvar='],
  ...['max-args|maxargs=', 'max-replace-args|maxreplaceargs=', 'col-sep|colsep=', 'match=', 'csv', 'help'],
  ...['max-lines|maxlines:', 'interactive', 'verbose', 'version', 'min-version|minversion='],
  ...['show-limits|showlimits', 'exit', 'semaphore', 'semaphore-timeout|semaphoretimeout|st='],
  ...['semaphore-name|semaphorename|id=', 'fg', 'bg', 'wait', 'shebang|hashbang', 'shebang-wrap'],
  ...['skip-first-line|skipfirstline', 'unsafe', 'pipe|spreadstdin', 'round-robin|roundrobin|round'],
  ...['recstart=', 'recend=', 'regexp|regex', 'remove-rec-sep|removerecsep|rrs'],
  ...['output-as-files|outputasfiles|files', 'output-as-files0|outputasfiles0|files0'],
  ...['block-size|blocksize|block=', 'block-timeout|blocktimeout|bt=', 'header=', 'cat', 'fifo'],
  ...[
    'pipe-part|pipepart',
    'tee',
    'shard=',
    'bin=',
    'group-by|groupby=',
    'hgrp|hostgrp|hostgroup|hostgroups',
  ],
  ...['embed', 'filter=', 'combineexec|combine-exec|combineexecutable|combine-executable=', 'fast'],
  ...['shell-completion|shellcompletion='],
].map((spec) => ({ names: spec.replace(/[=:]$/, '').split('|'), takes: /[=:]$/.exec(spec)?.[0] }));

/**
 * The option a long parallel option word names (--pipe, --spr, --PIPE=…), by its first name (pipe, arg-file,
 * semaphore), as Getopt::Long reads it: a whole name, or a prefix of the names of one option alone, letter case
 * ignored. undefined when it names none, or several (parallel then stops with an error).
 */
export function parallelLongName(word: string): string | undefined {
  if (!word.startsWith('--') || word === '--') return undefined;
  const name = word.slice(2).split('=')[0]!.toLowerCase();
  if (name === '') return undefined;
  const exact = PARALLEL_LONG_OPTIONS.find((option) => option.names.includes(name));
  if (exact) return exact.names[0];
  const found = PARALLEL_LONG_OPTIONS.filter((option) => option.names.some((n) => n.startsWith(name)));
  return found.length === 1 ? found[0]!.names[0] : undefined;
}

/** Whether a long parallel option (parallelLongName) takes the next word as its value. */
function parallelLongTakes(name: string): string | undefined {
  return PARALLEL_LONG_OPTIONS.find((option) => option.names[0] === name)?.takes;
}

/** How a parallel option word is read: a flag, an option taking the next word, one with its value attached, or not known. */
function parallelOption(word: string): 'flag' | 'value' | 'attached' | 'unknown' {
  if (word.startsWith('--')) {
    const name = word.split('=')[0]!;
    // --option=value: whatever the option, its value is attached.
    if (word.includes('=')) return name === word ? 'unknown' : 'attached';
    if (PARALLEL_FLAGS.has(word)) return 'flag';
    if (PARALLEL_OPTIONS_WITH_VALUE.has(word)) return 'value';
    // A prefix of one option's name (--spr, --arg-f), in any letter case.
    const long = parallelLongName(word);
    const takes = long === undefined ? undefined : parallelLongTakes(long);
    return long === undefined || takes === ':' ? 'unknown' : takes === '=' ? 'value' : 'flag';
  }
  if (PARALLEL_FLAGS.has(word)) return 'flag';
  if (PARALLEL_OPTIONS_WITH_VALUE.has(word)) return 'value';
  const short = word.slice(0, 2);
  // -j4, -I{}, -i{}, -l2, -e_EOF: a value attached to a known short option.
  if (PARALLEL_OPTIONS_WITH_VALUE.has(short) || ['-e', '-i', '-l'].includes(short)) return 'attached';
  return 'unknown';
}

/** Whether parallel at `at` is a semaphore (sem, parallel --semaphore/--sem): it runs one command, no items. */
export function parallelSemaphore(words: readonly string[], at: number): boolean {
  if (programName(words[at]!) === 'sem') return true;
  for (let j = at + 1; j < words.length; j++) {
    const arg = words[j]!;
    if (arg === '--' || !arg.startsWith('-') || arg.length === 1) return false;
    if (arg === '--sem' || parallelLongName(arg) === 'semaphore') return true;
    if (parallelOption(arg) === 'value') j++;
  }
  return false;
}

/**
 * GNU parallel runs its command through a shell; the arguments after ::: are quoted by it. With no command,
 * each argument (after :::, in the files after ::::, or read on standard input) is itself a command line. An
 * option not known here may take the next word, which would then not be the command: a template where it
 * decides whether there is one is refused, naming the option (as docker run's are). sem (parallel
 * --semaphore) joins its command's words into one line for a shell as well, and takes no items.
 */
const parseParallel: Parser = (words, at, model) => {
  const semaphore = parallelSemaphore(words, at);
  const self = programName(words[at]!) === 'sem' ? 'sem' : 'parallel';
  const push = (index: number, safe: (name: string) => string, how = self, option = false) =>
    model.code.push({ index, program: at, kind: 'shell-wrapper', how, safe, ...(option && { option }) });
  const quoted = (name: string) =>
    semaphore
      ? `${self === 'sem' ? 'sem' : 'parallel --semaphore'} joins its command's words into that line: write the command without a template, in single quotes, and read the value in it as "$DEPLOY_…" (sem --id deploy './deploy.sh "$DEPLOY_…"')`
      : `give the value after ::: (parallel quotes those): parallel PROGRAM {} ::: ${quoteArg(name)}`;
  let options = true;
  // The command's words, and the option not known here right before its first one (it may be its value).
  let command = 0;
  let unknown: string | undefined;
  let unknownBeforeCommand: string | undefined;
  // The files -a names, whose lines are the items: with a command, a value there has the file rule
  // (file-writes.ts); with none, each line is a command.
  const argFiles = new Set(parallelArgFiles(words, at).map((file) => file.index));
  const deferred: number[] = [];
  const noCommand = () => {
    for (const k of deferred)
      push(
        k,
        (name) =>
          `with no command, parallel runs each line of the file -a names as a command: name the file in the config, or name the command and give the value after ::: (parallel ./deploy.sh ::: ${quoteArg(name)})`,
      );
  };
  for (let j = at + 1; j < words.length; j++) {
    const arg = words[j]!;
    // sem's ::: is a word of its command, as any other.
    if (!semaphore && /^::::?\+?$/.test(arg)) {
      // The command may be one word an unknown option takes: then there is none.
      const ambiguous = command === 1 ? unknownBeforeCommand : undefined;
      if (command > 0 && ambiguous === undefined) return;
      noCommand();
      for (let k = j + 1; k < words.length; k++)
        if (!/^::::?\+?$/.test(words[k]!))
          push(
            k,
            (name) =>
              ambiguous === undefined
                ? `name the command before ::: and give the value after it: parallel PROGRAM {} ::: ${quoteArg(name)}`
                : `parallel's option ${ambiguous} is not known to this tool: if it takes a value, ${words[j - 1]} is that value, there is no command, and each argument after ::: runs as a command; attach the option's value (${ambiguous}=VALUE), or put a known option between it and the command`,
            ambiguous === undefined ? 'parallel' : `parallel (after its option ${ambiguous}, not known here)`,
          );
      return;
    }
    // Its options (and their values, and the -- ending them) come before its command.
    const option = options && command === 0 && (arg === '--' || (arg.startsWith('-') && arg.length > 1));
    const argFile = !semaphore && options && command === 0 && argFiles.has(j);
    if (argFile) deferred.push(j);
    else push(j, quoted, self, option);
    if (options && arg === '--') options = false;
    else if (options && command === 0 && arg.startsWith('-') && arg.length > 1) {
      const kind = parallelOption(arg);
      if (kind === 'value') {
        if (++j < words.length) {
          if (!semaphore && argFiles.has(j)) deferred.push(j);
          else push(j, quoted, self, true);
        }
      }
      unknown = kind === 'unknown' ? arg : undefined;
    } else {
      if (command === 0) unknownBeforeCommand = unknown;
      command++;
    }
  }
  // No command and no arguments: each line read on standard input is a command; so too when the one word of
  // the command may be the value of an option not known here.
  if (command === 0 || (command === 1 && unknownBeforeCommand !== undefined)) {
    noCommand();
    model.stdinCode ??= at;
  }
};

/**
 * The files GNU parallel's -a/--arg-file name among its options (parallel at `at`), whose lines are its items:
 * the word, and where the file's name starts in it (-aFILE, --arg-file=FILE).
 */
export function parallelArgFiles(
  words: readonly string[],
  at: number,
): Array<{ index: number; from: number }> {
  const files: Array<{ index: number; from: number }> = [];
  for (let j = at + 1; j < words.length; j++) {
    const arg = words[j]!;
    if (arg === '--' || !arg.startsWith('-') || arg.length === 1) break;
    const long = parallelLongName(arg);
    if (arg === '-a' || (long === 'arg-file' && !arg.includes('='))) files.push({ index: j + 1, from: 0 });
    else if (long === 'arg-file') files.push({ index: j, from: arg.indexOf('=') + 1 });
    else if (/^-a./.test(arg)) files.push({ index: j, from: 2 });
    if (parallelOption(arg) === 'value') j++;
  }
  return files.filter((file) => file.index < words.length);
}

/**
 * GNU parallel with a command (parallel at `at`): the words of the command, the arguments after ::: (each one
 * item), the files after :::: (each line one item), the files -a names (`argFiles`: with any, as with ::: or
 * ::::, parallel does not read its items on standard input), and its replace string if -I sets one. undefined
 * without a command, and for a semaphore (sem, --semaphore: it runs its command once, with no items).
 */
export function parallelCommand(
  words: readonly string[],
  at: number,
):
  | {
      command: number[];
      args: number[];
      files: number[];
      argFiles: number[];
      /** --pipe (--spreadstdin, --pipepart): its input is cut into blocks its jobs read on standard input. */
      pipe: boolean;
      /** A file after :::: or of -a is standard input (-, /dev/stdin): it reads items there (not in files). */
      stdinItems: boolean;
      /** --cat or --fifo with --pipe: each block is a file (or fifo) its command names by the replace string. */
      blockFile: boolean;
      replace?: string;
    }
  | undefined {
  if (parallelSemaphore(words, at)) return undefined;
  const command: number[] = [];
  const args: number[] = [];
  // After ::::, files whose lines are the items.
  const files: number[] = [];
  let replace: string | undefined;
  let pipe = false;
  let blockFile = false;
  let j = at + 1;
  // Its options, up to the command.
  for (; j < words.length; j++) {
    const arg = words[j]!;
    if (arg === '--') {
      j++;
      break;
    }
    if (!arg.startsWith('-') || arg.length === 1) break;
    const long = parallelLongName(arg);
    if (long === 'pipe' || long === 'pipe-part') pipe = true;
    if (long === 'cat' || long === 'fifo') blockFile = true;
    if (arg === '-I' || arg === '--replace') replace = words[j + 1];
    else if (arg.startsWith('-I')) replace = arg.slice(2);
    if (parallelOption(arg) === 'value') j++;
  }
  for (; j < words.length && !/^::::?\+?$/.test(words[j]!); j++) command.push(j);
  let list = false;
  for (; j < words.length; j++)
    if (/^::::?\+?$/.test(words[j]!)) list = words[j]!.startsWith('::::');
    else (list ? files : args).push(j);
  const named = parallelArgFiles(words, at).map((file) => ({
    index: file.index,
    name: words[file.index]!.slice(file.from),
  }));
  const argFiles = named.filter((file) => !STDIN_FILES.has(file.name)).map((file) => file.index);
  const stdinItems =
    named.some((file) => STDIN_FILES.has(file.name)) || files.some((k) => STDIN_FILES.has(words[k]!));
  return command.length
    ? {
        command,
        args,
        files: files.filter((k) => !STDIN_FILES.has(words[k]!)),
        argFiles,
        pipe,
        stdinItems,
        blockFile: pipe && blockFile,
        ...(replace !== undefined && { replace }),
      }
    : undefined;
}

/**
 * How GNU parallel (at `at`) cuts what it reads into items: the character -d/--delimiter names (-0/--null: NUL;
 * '' for one not read here), and whether --colsep/-C cuts each item again into columns (at a regular
 * expression). Its options end at its command.
 */
export function parallelSplit(
  words: readonly string[],
  at: number,
  character: (value: string) => string | undefined,
): { delimiter?: string; colsep: boolean } {
  let delimiter: string | undefined;
  let colsep = false;
  for (let j = at + 1; j < words.length; j++) {
    const arg = words[j]!;
    if (arg === '--' || !arg.startsWith('-') || arg.length === 1) break;
    const long = parallelLongName(arg);
    const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : words[j + 1];
    if (arg === '-0' || long === 'null') delimiter = '\0';
    else if (arg === '-d' || long === 'delimiter') delimiter = character(value ?? '') ?? '';
    else if (/^-d./.test(arg)) delimiter = character(arg.slice(2)) ?? '';
    else if (/^-C/.test(arg) || long === 'col-sep') colsep = true;
    if (parallelOption(arg) === 'value') j++;
  }
  return { ...(delimiter !== undefined && { delimiter }), colsep };
}

/** sg GROUP [-c] COMMAND: sg hands COMMAND to a shell. */
const parseSg: Parser = (words, at, model) => {
  let group = false;
  for (let j = at + 1; j < words.length; j++) {
    const arg = words[j]!;
    if (arg === '-' && !group) continue;
    if (!group) {
      group = true;
      continue;
    }
    if (arg === '-c') continue;
    model.code.push({
      index: j,
      program: at,
      kind: 'shell-wrapper',
      how: 'sg',
      safe: (name) =>
        `sg hands its command to a shell: run the program without one (sudo -g GROUP -- PROGRAM ${quoteArg(name)}), or write the command without a template and read the value in it as "$DEPLOY_…"`,
    });
  }
};

/** env -S STRING: env splits it into words itself (and expands ${NAME} in it). */
const parseEnv: Parser = (words, at, model) => {
  for (let j = at + 1; j < words.length; j++) {
    const arg = words[j]!;
    const push = (index: number) =>
      model.code.push({
        index,
        program: at,
        kind: 'split',
        how: 'env -S',
        safe: (name) => `write the words as separate arguments instead: env PROGRAM ${quoteArg(name)}`,
      });
    if (arg === '-S' || arg === '--split-string') push(++j);
    else if (/^-S./.test(arg) || arg.startsWith('--split-string=')) push(j);
    else if (arg === '-u' || arg === '-C' || arg === '--unset' || arg === '--chdir') j++;
    else if (!arg.startsWith('-') || arg === '--') return;
  }
};

/**
 * ssh options whose value is a command run through a shell; or an option whose name is templated (`-o {{x}}`),
 * which could be any of them.
 */
const SSH_COMMAND_OPTIONS =
  /^(?:(proxycommand|proxyjump|localcommand|remotecommand|knownhostscommand|pkcs11provider|securitykeyprovider|xauthlocation)\b|[^=\s]*\{\{)/i;
/**
 * ssh options (ssh_config(5)) whose value chooses whether the host's key is checked, or what the host is given
 * or may run here (the agent, the X display, a local command): a value there (no, yes, accept-new) would turn a
 * check off or give the host the job's keys. Refused whatever it is, as a command option's.
 */
const SSH_TRUST_OPTIONS =
  /^(stricthostkeychecking|checkhostip|verifyhostkeydns|updatehostkeys|hostkeyalias|nohostauthenticationforlocalhost|forwardagent|forwardx11|forwardx11trusted|permitlocalcommand|ciphers|macs|kexalgorithms|hostkeyalgorithms)(?=[\s=])/i;
/** The trust options choosing the algorithms that protect the connection (ssh -c is Ciphers). */
const SSH_ALGORITHMS = /^(ciphers|macs|kexalgorithms|hostkeyalgorithms)$/i;
const ALGORITHMS_WHY =
  'its value would choose the algorithms that protect the connection (a weak cipher, MAC or key exchange, +… adding one, lets someone on the network read or change the session and its credentials; a host key type lets another key pass): write it without a template (a Host block of ~/.ssh/config can set it per host)';

/** ssh -c, scp -c, sftp -c CIPHERS: the ciphers the connection may use (as -o Ciphers). */
function pushCiphers(words: readonly string[], at: number, model: CommandModel, index: number) {
  if (!(words[index] ?? '').includes('{{')) return;
  model.code.push({
    index,
    program: at,
    kind: 'trust-option',
    how: `${programName(words[at]!)} -c`,
    safe: () => ALGORITHMS_WHY,
  });
}

/** Whether an ssh -o value is one read here: a command option, or a trust option (pushSshOption). */
// ssh skips blanks before an option's name (-o " ProxyCommand=…" is ProxyCommand).
const sshChecked = (value: string) =>
  SSH_COMMAND_OPTIONS.test(value.trimStart()) || SSH_TRUST_OPTIONS.test(value.trimStart());

/** ssh's, scp's and sftp's short options that take a value (the next word, or the rest of the word). */
export const SSH_SHORT: Record<string, string> = lookupTable({
  ssh: 'BbcDEeFIiJLlmOopQRSWw',
  scp: 'cDFiJlPSXo',
  sftp: 'cDilosSbBFJPRX',
  // ssh-keygen(1) and ssh-add(1): -D, -w, -s, -e and -S name libraries (LIBRARY_OPTIONS).
  'ssh-keygen': 'CDEFIJMNOPRVYZabfgjmnrstwz',
  'ssh-add': 'EeHhMmSst',
  // ssh-copy-id(1): -i the key installed, -o ssh's, -t the path the keys are written to.
  'ssh-copy-id': 'iopFt',
});

/** ssh options that take the next argument (ssh(1)); the first other word is the destination. */
const SSH_OPTIONS_WITH_VALUE = new Set(SSH_SHORT.ssh!.split('').map((c) => `-${c}`));

function pushSshOption(
  words: readonly string[],
  at: number,
  model: CommandModel,
  index: number,
  written: string,
) {
  const value = written.trimStart();
  const trust = SSH_TRUST_OPTIONS.exec(value)?.[0];
  if (trust !== undefined) {
    if (!value.includes('{{')) return;
    model.code.push({
      index,
      program: at,
      kind: 'trust-option',
      how: `${programName(words[at]!)} -o ${trust}`,
      safe: () =>
        SSH_ALGORITHMS.test(trust)
          ? ALGORITHMS_WHY
          : /forward|localcommand/i.test(trust)
            ? `its value would choose what the host is given or may run here (the agent and its keys, the X display, a local command): write it without a template (a Host block of ~/.ssh/config can set it per host)`
            : `its value would choose whether the host's key is checked (no: any host that answers gets the job's credentials and commands): write it without a template (a Host block of ~/.ssh/config can set it per host)`,
    });
    return;
  }
  if (/^[^=\s]*\{\{/.test(value)) {
    model.code.push({
      index,
      program: at,
      kind: 'remote-option',
      how: `${programName(words[at]!)} -o`,
      safe: () =>
        'its value would name the option, which could be ProxyCommand or LocalCommand: write the option name without a template',
    });
    return;
  }
  const option = /^\w+/.exec(value)?.[0] ?? 'command';
  model.code.push({
    index,
    program: at,
    kind: 'remote-option',
    how: `${programName(words[at]!)} -o ${option}`,
    safe: () =>
      `ssh ${/provider$/i.test(option) ? `loads ${option} as a library, whose code runs` : /^xauthlocation$/i.test(option) ? `runs ${option} as a program` : `runs ${option} through a shell`}: write it without a template (a Host block of ~/.ssh/config can set it per host)`,
  });
}

/**
 * -J (ProxyJump): ssh pastes the jump hosts into the command of an implicit ProxyCommand, which a shell runs
 * (`-J 'x$(id)'` runs id), and a host written `user@-oProxyCommand=…` is read as an option there.
 */
function pushJumpHosts(words: readonly string[], at: number, model: CommandModel, index: number) {
  model.code.push({
    index,
    program: at,
    kind: 'remote-option',
    how: `${programName(words[at]!)} -J`,
    safe: () =>
      'ssh pastes the jump hosts into a command its shell runs (ProxyJump): write them without a template (a Host block of ~/.ssh/config can set ProxyJump per host)',
  });
}

/**
 * ssh's options from word `from`: OpenSSH reads options before the destination and again after it (`ssh host
 * -o ProxyCommand=… true` applies the option), up to an optional `--` or the first other word. Returns the index
 * of that first other word (the destination, or the remote command's first word), and whether a `--` ended them.
 */
function sshOptions(
  words: readonly string[],
  at: number,
  model: CommandModel,
  from: number,
): { next: number; terminated: boolean } {
  for (let j = from; j < words.length; j++) {
    const arg = words[j]!;
    if (arg === '--') return { next: j + 1, terminated: true };
    if (!arg.startsWith('-') || arg === '-') return { next: j, terminated: false };
    // A cluster of flags (-tt, -At, -p22, -Ao ProxyCommand=…): the first letter taking a value takes the rest
    // of the word, or the next word.
    for (let c = 1; c < arg.length; c++) {
      if (arg.startsWith('{{', c)) {
        // -t{{x}}: the value would be read as more option letters (-toProxyCommand=…).
        model.code.push({
          index: j,
          program: at,
          kind: 'remote-option',
          how: `${programName(words[at]!)} ${arg.slice(0, c)}`,
          safe: () =>
            'ssh would read its value as more options (ProxyCommand among them): write the options without a template',
        });
        break;
      }
      const flag = `-${arg[c]}`;
      if (!SSH_OPTIONS_WITH_VALUE.has(flag) && !sshValueLetters(words[at]!).includes(arg[c]!)) continue;
      const glued = arg.slice(c + 1);
      if (flag === '-o') {
        if (glued !== '') {
          if (sshChecked(glued)) pushSshOption(words, at, model, j, glued);
        } else if (sshChecked(words[j + 1] ?? '')) pushSshOption(words, at, model, j + 1, words[j + 1]!);
      } else if (flag === '-I' && (glued !== '' || j + 1 < words.length))
        // -I: the PKCS#11 library ssh loads (-o PKCS11Provider).
        model.code.push({
          index: glued !== '' ? j : j + 1,
          program: at,
          kind: 'remote-option',
          how: `${programName(words[at]!)} -I`,
          safe: () =>
            'ssh loads its value as a PKCS#11 library, whose code runs: write it without a template (a Host block of ~/.ssh/config can set PKCS11Provider per host)',
        });
      else if (flag === '-J' && (glued !== '' || j + 1 < words.length))
        pushJumpHosts(words, at, model, glued !== '' ? j : j + 1);
      else if (flag === '-c') pushCiphers(words, at, model, glued !== '' ? j : j + 1);
      if (glued === '') {
        j++;
        if (flag !== '-o') model.positional.add(j); // the option's value, whatever it is
      }
      break;
    }
  }
  return { next: words.length, terminated: false };
}

/**
 * gh codespace ssh's own options taking a value (cobra's, read anywhere before its `--`): the codespace and its
 * selectors, --profile (the ssh destination it connects to instead), the debug log, the local port.
 */
const CODESPACE_SSH_VALUES = new Set([
  ...['-c', '--codespace', '-R', '--repo', '--repo-owner', '--profile', '--debug-file', '--server-port'],
]);

/** Whether the word `at` is gh codespace's (gh cs') subcommand ssh. */
export function isCodespaceSsh(words: readonly string[], at: number): boolean {
  return (
    words[at] === 'ssh' &&
    (words[at - 1] === 'codespace' || words[at - 1] === 'cs') &&
    at >= 2 &&
    programName(words[at - 2]!) === 'gh'
  );
}

/**
 * gh codespace ssh [FLAGS] [-- SSH-FLAGS] [COMMAND] (at `at`, its word ssh): cobra reads gh's flags anywhere
 * before a `--`; of the other words, those starting with "-" are ssh's options up to the first that does not,
 * which starts the command ssh hands the codespace's shell (gh's parseArgs). The codespace is the host. Where
 * ssh's options start (words.length with none) and where the command starts (words.length with none).
 */
export function codespaceSshWords(
  words: readonly string[],
  at: number,
): { options: number; command: number } {
  let first: number | undefined;
  for (let j = at + 1; j < words.length; j++) {
    const word = words[j]!;
    if (word === '--')
      return first !== undefined
        ? { options: words.length, command: first }
        : { options: j + 1, command: -1 };
    if (word.startsWith('-') && word.length > 1) {
      if (CODESPACE_SSH_VALUES.has(word)) j++;
    } else first ??= j;
  }
  return { options: words.length, command: first ?? words.length };
}

/**
 * gh codespace cp -e/--expand SOURCE… DEST: each "remote:PATH" is handed to the codespace's shell, which expands
 * it (without -e gh quotes it): a remote path once rendered, as scp's (checked once rendered).
 */
function parseCodespaceCp(words: readonly string[], at: number, model: CommandModel): void {
  const operands: number[] = [];
  let expand = false;
  for (let j = at + 1; j < words.length; j++) {
    const word = words[j]!;
    if (word === '--') {
      // scp's own options, then its operands: -o and -J run commands, -c, as scp's (parseScp); -S the program.
      const scp = shortOptions(words, j + 1, words.length, SSH_SHORT.scp!);
      const before = model.code.length;
      for (const k of scp.templated) pushTemplatedLetters(words, at, model, k);
      for (const value of scp.values) {
        if (value.index >= words.length) continue;
        const text = words[value.index]!.slice(value.from);
        if (value.letter === 'o' && sshChecked(text)) pushSshOption(words, at, model, value.index, text);
        else if (value.letter === 'J') pushJumpHosts(words, at, model, value.index);
        else if (value.letter === 'c') pushCiphers(words, at, model, value.index);
        else if (value.letter === 'S')
          model.code.push({
            index: value.index,
            program: at,
            kind: 'remote-option',
            how: 'gh codespace cp -- -S',
            safe: () => 'scp runs it for the connection (ssh): write it without a template',
          });
      }
      // Said as gh's (gh codespace cp -- -o ProxyCommand), not as coreutils cp's.
      for (const operand of model.code.slice(before))
        operand.how = operand.how.replace(/^cp /, 'gh codespace cp -- ');
      operands.push(...scp.operands);
      break;
    }
    if (/^--(expand|expand=true)$/.test(word) || /^-[a-z]*e[a-z]*$/.test(word)) expand = true;
    if (/^(-c|--codespace|-p|--profile|-R|--repo|--repo-owner)$/.test(word)) j++;
    else if (!word.startsWith('-') || word === '-') operands.push(j);
  }
  if (expand)
    for (const k of operands)
      if (words[k]!.startsWith('remote:')) model.remotePaths.set(k, { mode: 'always', program: at });
}

/** Where the command ssh (at `at`) hands the remote host starts, its options read into `model`; undefined with no destination. */
function sshCommand(words: readonly string[], at: number, model: CommandModel): number | undefined {
  if (isCodespaceSsh(words, at)) {
    // gh codespace ssh: the command is its first operand on; or after its `--`, after ssh's options.
    const { options, command } = codespaceSshWords(words, at);
    return command >= 0 ? command : sshOptions(words, at, model, options).next;
  }
  const before = sshOptions(words, at, model, at + 1);
  const destination = before.next;
  if (destination >= words.length) return undefined;
  // After the destination, options again (unless a `--` came before it), then the remote command.
  return before.terminated ? destination + 1 : sshOptions(words, at, model, destination + 1).next;
}

const parseSsh: Parser = (words, at, model) => {
  const command = sshCommand(words, at, model);
  if (command === undefined) return;
  model.remote ??= { ssh: at, from: command, to: words.length };
  if (command >= words.length) {
    // No command: the remote login shell reads its commands from standard input.
    model.stdinCode ??= at;
    return;
  }
  // A remote shell or interpreter reading standard input (ssh host bash -s, ssh host 'bash -s'): the remote
  // shell splits the joined words again.
  // Read again as a command of its own, and so is each ssh's in it (ssh a ssh b …): that work counts more against
  // the bound on the work of a check (budget.ts) than a command's words read once.
  const remoteWords = words.slice(command).join(' ').split(/\s+/).filter(Boolean);
  charge(SSH_REMOTE_WORK * remoteWords.length);
  const remote = commandModel(remoteWords);
  if (remote.stdinCode !== undefined) model.stdinCode ??= at;
};

/**
 * Where the command ssh (at `at`) hands the remote host starts: after its options, the destination and the
 * options after it (sshOptions); words.length with none.
 */
export function sshCommandStart(words: readonly string[], at: number): number {
  // Not parseSsh, which reads the remote command too: each ssh of `ssh a ssh b ssh c …` would read the rest
  // again, twice over (its model and its files), in time exponential in their number.
  return sshCommand(words, at, emptyModel()) ?? words.length;
}

/** Where the options of the ssh at `at` start: after it, or for gh codespace ssh after its `--` (words.length with none). */
export function sshOptionsStart(words: readonly string[], at: number): number {
  return isCodespaceSsh(words, at) ? codespaceSshWords(words, at).options : at + 1;
}

/** The value of a short option: its letter, the word of the option, and where the value starts. */
export interface ShortValue {
  letter: string;
  /** The word holding the option letter. */
  option: number;
  /** The word holding the value: the option's (glued: -S/bin/x, -qS/bin/x) or the next. */
  index: number;
  /** The value's first character in that word. */
  from: number;
}

/**
 * A program's short options in words [from, end), getopt's way: a word of letters is a cluster (-qS PROG, -q -S
 * PROG, -SPROG, -qSPROG) whose first letter taking a value (of `takes`) takes the rest of the word, or the next
 * word. Read up to `--`, past operands (scp a -S x b: getopt on some systems permutes). Returns the values, the
 * operands (not options, not values), and the words whose option letters hold a template (-{{x}}, -q{{x}}:
 * rendered, more option letters, -S among them).
 */
export function shortOptions(
  words: readonly string[],
  from: number,
  end: number,
  takes: string,
): { values: ShortValue[]; operands: number[]; templated: number[] } {
  const found = { values: [] as ShortValue[], operands: [] as number[], templated: [] as number[] };
  for (let j = from; j < end; j++) {
    const word = words[j]!;
    if (word === '--') {
      for (let k = j + 1; k < end; k++) found.operands.push(k);
      break;
    }
    if (!word.startsWith('-') || word === '-') {
      found.operands.push(j);
      continue;
    }
    for (let c = 1; c < word.length; c++) {
      if (word.startsWith('{{', c)) {
        found.templated.push(j);
        break;
      }
      const letter = word[c]!;
      if (!takes.includes(letter)) continue;
      const glued = c + 1 < word.length;
      found.values.push({ letter, option: j, index: glued ? j : j + 1, from: glued ? c + 1 : 0 });
      if (!glued) j++;
      break;
    }
  }
  return found;
}

/** A word of an ssh tool's options that holds a template among its letters: refused (see shortOptions). */
function pushTemplatedLetters(words: readonly string[], at: number, model: CommandModel, index: number) {
  model.code.push({
    index,
    program: at,
    kind: 'remote-option',
    how: `${programName(words[at]!)} ${words[index]!.slice(0, words[index]!.indexOf('{{'))}`,
    safe: () =>
      `${programName(words[at]!)} would read its value as more options (ProxyCommand among them): write the options without a template`,
  });
}

/**
 * scp's and sftp's operands may be remote paths; they take ssh's -o options and -c ciphers, and sftp -s the server
 * it runs; ssh-copy-id takes ssh's -o options, and -t the remote path it writes.
 */
const parseScp: Parser = (words, at, model) => {
  const name = programName(words[at]!);
  const { values, operands, templated } = shortOptions(words, at + 1, words.length, SSH_SHORT[name]!);
  for (const j of templated) pushTemplatedLetters(words, at, model, j);
  for (const value of values) {
    const text = (words[value.index] ?? '').slice(value.from);
    if (value.index >= words.length) continue;
    if (value.letter === 'o' && sshChecked(text)) pushSshOption(words, at, model, value.index, text);
    else if (value.letter === 'J') pushJumpHosts(words, at, model, value.index);
    else if (value.letter === 'c' && name !== 'ssh-copy-id') pushCiphers(words, at, model, value.index);
    // ssh-copy-id -t: the path of the keys file, pasted into the script the remote shell runs.
    else if (value.letter === 't' && name === 'ssh-copy-id')
      model.code.push({
        index: value.index,
        program: at,
        kind: 'remote-option',
        how: 'ssh-copy-id -t',
        safe: () =>
          "ssh-copy-id pastes it into the script the remote host's shell runs to add the key: write it without a template",
      });
    // sftp -s: the subsystem, or with a "/" the command the remote shell runs as the sftp server.
    else if (value.letter === 's' && name === 'sftp')
      model.code.push({
        index: value.index,
        program: at,
        kind: 'remote-option',
        how: 'sftp -s',
        safe: () =>
          'a value with a "/" is a command the remote shell runs as the sftp server: write it without a template',
      });
  }
  if (name === 'scp') for (const k of operands) model.remotePaths.set(k, { mode: 'if-remote', program: at });
};

/**
 * ssh-keygen -D and -w, ssh-add -s, -e and -S: a PKCS#11 or security key provider library the tool loads, whose
 * code runs (as ssh -I and -o PKCS11Provider do).
 */
const LIBRARY_OPTIONS: Record<string, string> = lookupTable({ 'ssh-keygen': 'Dw', 'ssh-add': 'seS' });

const parseSshTool: Parser = (words, at, model) => {
  const name = programName(words[at]!);
  const { values, templated } = shortOptions(words, at + 1, words.length, SSH_SHORT[name]!);
  for (const j of templated) pushTemplatedLetters(words, at, model, j);
  for (const value of values)
    if (LIBRARY_OPTIONS[name]!.includes(value.letter) && value.index < words.length)
      model.code.push({
        index: value.index,
        program: at,
        kind: 'remote-option',
        how: `${name} -${value.letter}`,
        safe: () =>
          `${name} loads its value as a library, whose code runs: write it without a template (a command per environment if they differ)`,
      });
};

/**
 * rsync -e/--rsh CMD (split into words by rsync) and --rsync-path (run by the remote shell); its operands may be
 * remote paths, and -M/--remote-option values go to the remote side. A word that is the value of a long option
 * written apart (--exclude PATTERN) is taken as an operand: checked only when it looks like a remote path.
 */
const parseRsync: Parser = (words, at, model) => {
  for (let j = at + 1; j < words.length; j++) {
    const arg = words[j]!;
    if (arg === '--') {
      for (let k = j + 1; k < words.length; k++) model.remotePaths.set(k, { mode: 'if-remote', program: at });
      return;
    }
    const push = (index: number, how: string, kind: CodeKind) =>
      model.code.push({
        index,
        program: at,
        kind,
        how: `rsync ${how}`,
        safe: () =>
          how === '-e'
            ? 'rsync splits it into words and options of its own: write it without a template (a Host block of ~/.ssh/config can set options per host)'
            : 'the remote shell runs it: write it without a template',
      });
    if (arg === '-e' || arg === '--rsh') push(++j, '-e', 'split');
    else if (/^-e./.test(arg) || arg.startsWith('--rsh=')) push(j, '-e', 'split');
    else if (arg === '--rsync-path') push(++j, '--rsync-path', 'remote-option');
    else if (arg.startsWith('--rsync-path=')) push(j, '--rsync-path', 'remote-option');
    else if (arg === '-M' || arg === '--remote-option')
      model.remotePaths.set(++j, { mode: 'always', program: at });
    else if (/^-M./.test(arg) || arg.startsWith('--remote-option='))
      model.remotePaths.set(j, { mode: 'always', program: at });
    else if (/^-[fTB]$/.test(arg)) j++;
    else if (!arg.startsWith('-')) model.remotePaths.set(j, { mode: 'if-remote', program: at });
  }
};

/**
 * git settings whose value is a command (run locally, or by the remote shell), a program, or a file or directory
 * of more settings or hooks: include.path and includeIf.*.path (a config file, whose settings run commands),
 * merge.*.driver, sequence.editor, remote.*.uploadpack/receivepack/vcs (the remote helper git-remote-VCS),
 * the tools' paths (difftool.*.path, mergetool.*.path, man.*.path, browser.*.path, web.browser),
 * sendemail.smtpServer (a program when it is a path), protocol.*.allow (allows ext::, which runs a command),
 * uploadpack.packObjectsHook, and any key ending in command or cmd (core.sshCommand, diff.*.command,
 * core.alternateRefsCommand, sendemail.toCmd).
 */
const GIT_COMMAND_KEYS =
  /^(core\.(sshcommand|pager|editor|fsmonitor|hookspath|askpass|gitproxy)|alias\..*|include\.path|includeif\..*\.path|sequence\.editor|merge\..*\.driver|remote\..*\.(uploadpack|receivepack|vcs)|(difftool|mergetool|man|browser)\..*\.path|web\.browser|sendemail\.smtpserver|protocol\.(.*\.)?allow|uploadpack\.packobjectshook|.*(command|cmd)|.*\.(program|textconv|external|helper|clean|smudge|process))=/i;
const parseGit: Parser = (words, at, model) => {
  // Whether the subcommand was seen (git's own options come before it; -c and -C take the next word).
  let subcommand = false;
  for (let j = at + 1; j < words.length; j++) {
    const arg = words[j]!;
    if (arg === '--') return;
    const push = (index: number, how: string) =>
      model.code.push({
        index,
        program: at,
        kind: 'remote-option',
        how: `git ${how}`,
        safe: () => `git runs it as a command: write it without a template`,
      });
    // -c KEY=VALUE: a template in the key chooses which setting is set (core.sshCommand, alias.*).
    const key = (word: string) => word.split('=')[0]!;
    if (arg === '-c' && (GIT_COMMAND_KEYS.test(words[j + 1] ?? '') || /\{\{/.test(key(words[j + 1] ?? ''))))
      push(++j, '-c');
    else if (arg === '-c' || arg === '-C') j++;
    // --config-env=KEY=ENVVAR: the setting, and the variable its value is read from.
    else if (arg === '--config-env' && /\{\{/.test(words[j + 1] ?? '')) push(++j, arg);
    else if (arg === '--config-env') j++;
    else if (/^--config-env=.*\{\{/.test(arg)) push(j, '--config-env');
    else if (/^--(upload-pack|receive-pack|exec)$/.test(arg) || arg === '-u') push(++j, arg);
    else if (/^--(upload-pack|receive-pack|exec)=/.test(arg)) push(j, arg.slice(0, arg.indexOf('=')));
    else if (arg === 'config' && !subcommand) {
      // git config [set|--add|--replace-all|…] KEY VALUE: a template in the key, or in the value of a key git
      // runs as a command (core.sshCommand, core.hooksPath, alias.*), sets what later git commands run.
      const operands: number[] = [];
      for (let k = j + 1; k < words.length && operands.length < 2; k++) {
        const word = words[k]!;
        if (/^(-f|--file|--blob|--type|--default|--comment|--value)$/.test(word)) k++;
        else if (word === 'set' && operands.length === 0 && k === j + 1) continue;
        else if (!word.startsWith('-')) operands.push(k);
      }
      const [name, value] = operands;
      if (name !== undefined && /\{\{/.test(words[name]!)) push(name, 'config');
      else if (value !== undefined && GIT_COMMAND_KEYS.test(`${words[name!]}=`) && /\{\{/.test(words[value]!))
        push(value, `config ${words[name!]}`);
      return;
    } else if (!arg.startsWith('-')) subcommand = true;
  }
};

/**
 * rpm, rpmbuild, rpmspec, rpmsign and mock: --define/-D NAME BODY defines a macro, which rpm expands where it is
 * used (a BODY holding %(…) runs a command, %{lua:…} code); the NAME chooses what is redefined
 * (%__os_install_post, %_buildshell and %__spec_*_pre are run as commands). --eval/-E expands its argument,
 * --pipe hands the output to sh -c, and --macros/--rcfile/--load read files of macros.
 */
/** rpm's macros without a leading "_" that expand into commands or flags of a spec's build (rpm --showrc). */
const RPM_COMMAND_MACROS = new Set([
  ...['optflags', 'configure', 'make_build', 'make_install', 'cmake', 'cmake_build', 'cmake_install'],
  ...['meson', 'meson_build', 'meson_install', 'py_build', 'py_install', 'py3_build', 'py3_install'],
  ...['pyproject_wheel', 'pyproject_install', 'set_build_flags', 'build_cflags', 'build_cxxflags'],
  ...['build_ldflags', 'build_fflags', 'ldconfig', 'ldconfig_scriptlets', 'autosetup', 'setup', 'patch'],
  ...['apply_patch', 'find_lang', 'gpgbin', 'debug_package', 'make', 'global', 'define', 'undefine'],
]);

const parseRpm: Parser = (words, at, model) => {
  const program = programName(words[at]!);
  const code = (index: number, option: string, safe: string) =>
    model.code.push({
      index,
      program: at,
      kind: 'interpreter',
      how: `${program} ${option}`,
      safe: () => safe,
    });
  // rpmbuild -b*/-t*/--rebuild/--recompile (and rpmspec, which parses the spec): each operand is a spec, or a
  // tarball or source package holding one, whose %prep, %build and %install run as shell scripts and whose %(…)
  // runs when it is read.
  const builds = program === 'rpmbuild' || program === 'rpmspec';
  let building = program === 'rpmspec';
  const operands: number[] = [];
  const addOperands = () => {
    if (building) for (const index of operands) model.scriptFiles.add(index);
  };
  for (let j = at + 1; j < words.length; j++) {
    const arg = words[j]!;
    if (arg === '--') {
      if (builds) operands.push(...words.slice(j + 1).map((_, k) => j + 1 + k));
      return addOperands();
    }
    if (builds && /^(-[bt][a-z]|--rebuild|--recompile|--tarbuild|--build-in-place)$/.test(arg))
      building = true;
    else if (builds && !arg.startsWith('-') && !RPM_VALUE_OPTIONS.test(words[j - 1]!)) operands.push(j);
    const option =
      /^(--define|--eval|--pipe|--macros|--rcfile|--load)(=|$)/.exec(arg) ?? /^(-D|-E)()/.exec(arg);
    if (!option) continue;
    const attached = option[2] === '=' || (option[1]!.length === 2 && arg.length > 2);
    const index = attached ? j : ++j;
    if (index >= words.length) return;
    const value = attached ? arg.slice(option[1]!.length + (option[2] === '=' ? 1 : 0)) : words[index]!;
    const name = option[1] === '-D' ? '--define' : option[1] === '-E' ? '--eval' : option[1]!;
    if (name === '--define') {
      const macro = value.trimStart().split(/\s/)[0]!;
      if (/\{\{/.test(macro))
        code(
          index,
          name,
          `write the macro's name in the config and let the value be its body (--define "version {{…}}"), which is checked once rendered`,
        );
      else if (/^_/.test(macro) || RPM_COMMAND_MACROS.has(macro))
        code(
          index,
          `${name} ${macro}`,
          `${macro} is one of rpm's own macros, which rpm runs as a command or reads as a setting (a program, a directory, flags): write its body in the config, and pass the value in a macro of your own (--define "version {{…}}")`,
        );
      else model.macroValues.add(index);
    } else if (name === '--eval' || name === '--pipe')
      code(
        index,
        name,
        `write it without a template; pass the value as the body of a macro (--define "version {{…}}") and use %{version}`,
      );
    else model.scriptFiles.add(index);
  }
  addOperands();
};

/** rpmbuild's and rpmspec's options that take a value written apart (the word after one is not an operand). */
const RPM_VALUE_OPTIONS =
  /^(-[DE]|--(define|undefine|eval|pipe|macros|rcfile|load|root|dbpath|target|buildroot|with|without|queryformat|qf))$/;

/** make: its NAME=VALUE operands are make variables, expanded by make. */
const parseMake: Parser = (words, at, model) => {
  for (let j = at + 1; j < words.length; j++) {
    const arg = words[j]!;
    if (arg === '-f' || arg === '--file' || arg === '--makefile') model.scriptFiles.add(j + 1);
    else if (/^-f./.test(arg) || /^--(file|makefile)=/.test(arg)) model.scriptFiles.add(j);
    if (/^-[CfIjloW]$/.test(arg) || arg === '--file' || arg === '--makefile') j++;
    else if (/^[^-=\s$][^=\s$]*[:+?!]?=/.test(arg)) model.makeAssignments.add(j);
  }
};

/** tar options whose value is a command tar runs (through a shell, for most of them). */
const parseTar: Parser = (words, at, model) => {
  for (let j = at + 1; j < words.length; j++) {
    const arg = words[j]!;
    if (arg === '--') return;
    const push = (index: number, how: string) =>
      model.code.push({
        index,
        program: at,
        kind: 'remote-option',
        how: `tar ${how}`,
        safe: () => 'tar runs it as a command: write it without a template',
      });
    const long =
      /^--(use-compress-program|to-command|info-script|new-volume-script|checkpoint-action)(=|$)/.exec(arg);
    if (long) push(long[2] ? j : ++j, `--${long[1]}`);
    else if (arg === '-I' || arg === '-F') push(++j, arg);
  }
};

/**
 * split --filter COMMAND (run by $SHELL for each piece) and sort --compress-program PROGRAM: a command they run.
 * `min`: the shortest unique prefix of the option (getopt_long).
 */
const parseCommandOption =
  (option: string, min: number): Parser =>
  (words, at, model) => {
    const program = programName(words[at]!);
    for (let j = at + 1; j < words.length; j++) {
      const arg = words[j]!;
      if (arg === '--') return;
      const eq = arg.indexOf('=');
      const name = eq < 0 ? arg : arg.slice(0, eq);
      if (name.length < min || !option.startsWith(name)) continue;
      model.code.push({
        index: eq < 0 ? ++j : j,
        program: at,
        kind: 'remote-option',
        how: `${program} ${option}`,
        safe: () => `${program} runs it as a command: write it without a template`,
      });
    }
  };

/** Shell builtins: eval runs its arguments; trap its first one. */
const parseEval: Parser = (words, at, model) => {
  const program = words[at]!;
  for (let j = at + 1; j < words.length; j++) {
    if (program === 'trap' && (words[j] === '-p' || words[j] === '-l' || words[j] === '--')) continue;
    model.code.push({
      index: j,
      program: at,
      kind: 'eval',
      how: program,
      safe: (name) =>
        program === 'eval'
          ? `run the command without eval, with the value as an argument: … ${quoteArg(name)}`
          : `read the variable inside single quotes instead: trap '… "$${envName(name)}" …' EXIT`,
    });
    if (program === 'trap') return;
  }
};

/**
 * bash builtins that run, load or expand a word, or whose word sets how the shell runs the rest: compgen's and
 * complete's -W word list (expanded as a command's words are: a $(…) in it runs), -C command and -F function;
 * mapfile's (readarray's) -C callback; alias's value (run where the alias is used); enable -f's shared
 * object (loaded into the shell); hash -p's file (the program run for the name); set's and shopt's options
 * (set -o xtrace prints every command with its values, secrets among them; errexit off ignores failures;
 * a value as set's first word is read as options when it starts with - or +).
 */
const parseBuiltin: Parser = (words, at, model) => {
  // A builtin only as the command's program (or after builtin/command): az keyvault secret set is az's.
  if (at > 0 && !['builtin', 'command'].includes(words[at - 1]!)) return;
  const program = words[at]!;
  const push = (index: number, how: string, safe: string) =>
    model.code.push({ index, program: at, kind: 'builtin', how, safe: () => safe });
  const fixed = 'write it in the config without a template, a command per environment if it differs';
  const valued = (letters: string, each: (index: number, letter: string) => void) => {
    for (let j = at + 1; j < words.length; j++) {
      const arg = words[j]!;
      if (arg === '--') return;
      const match = new RegExp(`^-[A-Za-z]*?([${letters}])(.*)$`).exec(arg);
      if (!match) continue;
      if (match[2]) each(j, match[1]!);
      else each(++j, match[1]!);
    }
  };
  switch (program) {
    case 'compgen':
    case 'complete':
      valued('WCFXPSGoA', (index, letter) => {
        const what: Record<string, string> = {
          W: `in the word list ${program} -W expands as the shell expands a command's words (a $(…) in the value runs)`,
          C: `in the command ${program} -C runs`,
          F: `in the name of the function ${program} -F runs`,
        };
        if (what[letter]) push(index, what[letter]!, fixed);
      });
      return;
    case 'mapfile':
    case 'readarray':
      valued('dnOsucC', (index, letter) => {
        if (letter === 'C') push(index, `in the callback ${program} -C runs as code`, fixed);
      });
      return;
    case 'alias':
      for (let j = at + 1; j < words.length; j++)
        if (words[j] !== '-p' && words[j] !== '--')
          push(j, 'in an alias, whose text the shell runs as code where the alias is used', fixed);
      return;
    case 'enable':
      valued('f', (index) => push(index, 'in the file enable -f loads into the shell as code', fixed));
      return;
    case 'hash':
      valued('p', (index) =>
        push(index, 'in the file hash -p makes the program the shell runs for a name', fixed),
      );
      return;
    case 'shopt':
      for (let j = at + 1; j < words.length; j++)
        if (!/^-[supqo]+$/.test(words[j]!))
          push(
            j,
            'in a shell option shopt sets, which changes how the shell runs the rest of the script',
            fixed,
          );
      return;
    case 'set':
      for (let j = at + 1; j < words.length; j++) {
        const arg = words[j]!;
        // set a b c, set -- a b c: positional parameters from there on.
        if (arg === '--' || (j === at + 1 && !/^[-+]/.test(arg) && !/^\{\{/.test(arg))) return;
        // set -o NAME / +o NAME, and a word read as options (set -x, set {{x}} with a value starting with -).
        push(
          j,
          'in the options of set, which change how the shell runs the rest of the script (set -x prints every command with its values, secrets among them; set +e ignores failures)',
          'write the options in the config, and pass values after set -- (set -- {{x}})',
        );
      }
  }
};

export function parserFor(name: string): Parser | undefined {
  if (POSIX_SHELLS.has(name)) return parseShell(true);
  if (OTHER_SHELLS.has(name)) return parseShell(false);
  for (const [pattern, flags] of INTERPRETERS) if (pattern.test(name)) return parseInterpreter(flags);
  if (/^[gmn]?awk$/.test(name)) return parseAwk;
  if (/^g?sed$/.test(name)) return parseSed;
  if (name === 'jq' || name === 'gojq' || name === 'yq') return parseJq;
  if (name === 'su' || name === 'runuser')
    return parseDashCommand(
      ['-s', '--shell', '-g', '--group', '-G', '--supp-group', '-u', '-w'],
      (p, n) =>
        p === 'su'
          ? `run the program without a shell instead (runuser -u USER -- PROGRAM ${quoteArg(n)}, or sudo -u USER -- PROGRAM ${quoteArg(n)})`
          : viaShellArgs(p, n, `${p} -u USER --`),
      // runuser -u USER runs a program; su and runuser -l USER start a shell.
      (words, at) => !words.slice(at + 1).some((w) => w === '-u' || w.startsWith('--user')),
    );
  if (name === 'flock')
    return parseDashCommand(['-w', '--timeout', '-E', '--conflict-exit-code'], (p, n) =>
      viaShellArgs(p, n, `${p} FILE`),
    );
  if (name === 'script')
    return parseDashCommand(
      ['-E', '--echo', '-I', '-O', '-B', '-T', '-m'],
      () => 'write the command without a template, and read the value in it as "$DEPLOY_…"',
      () => true,
    );
  if (name === 'watch') return parseWatch;
  if (name === 'cargo' || name === 'cargo-watch') return parseCargoWatch;
  if (name === 'mongosh' || name === 'mongo') return parseMongoShell;
  if (name === 'nix-shell') return parseNixShell;
  if (name === 'mise') return parseMiseExec;
  if (name === 'gdb')
    // gdb -ex CMD runs a gdb command (shell, python, run with arguments…).
    return (words, at, model) => {
      for (let j = at + 1; j < words.length && words[j] !== '--args'; j++) {
        const arg = words[j]!;
        const ex = /^--?(i?ex|(init-)?eval-command)$/.exec(arg)?.[0];
        const glued = /^--?(i?ex|(init-)?eval-command)=/.test(arg);
        if (ex === undefined && !glued) continue;
        model.code.push({
          index: ex === undefined ? j : ++j,
          program: at,
          kind: 'interpreter',
          how: `gdb ${ex ?? arg.slice(0, arg.indexOf('='))}`,
          safe: () => 'write the gdb command without a template, or put it in a file given with -x',
        });
      }
    };
  if (name === 'lftp' || name === 'smbclient')
    // lftp -c/-e and smbclient -c run their commands: put sends a file, get writes one, !COMMAND runs a local
    // shell, and a value with ";" or a newline adds any.
    return (words, at, model) => {
      const options = name === 'lftp' ? /^(-c|-e)(.*)$/ : /^(-c|--command)(?:=?)(.*)$/;
      for (let j = at + 1; j < words.length && words[j] !== '--'; j++) {
        const match = options.exec(words[j]!);
        if (!match) continue;
        model.code.push({
          index: match[2] ? j : ++j,
          program: at,
          kind: 'interpreter',
          how: `${name} ${match[1]}`,
          safe: () =>
            `write the ${name} commands without a template, and send with a tool whose arguments are checked (curl -T dist/app.tgz ftp://host/VALUE/)`,
        });
      }
    };
  if (name === 'parallel' || name === 'sem') return parseParallel;
  if (name === 'sg') return parseSg;
  if (name === 'env') return parseEnv;
  if (name === 'ssh') return parseSsh;
  if (name === 'scp' || name === 'sftp' || name === 'ssh-copy-id') return parseScp;
  if (name === 'ssh-keygen' || name === 'ssh-add') return parseSshTool;
  if (name === 'rsync') return parseRsync;
  if (name === 'git') return parseGit;
  if (name === 'eval' || name === 'trap') return parseEval;
  if (/^(compgen|complete|mapfile|readarray|alias|enable|hash|shopt|set)$/.test(name)) return parseBuiltin;
  if (name === 'make' || name === 'gmake') return parseMake;
  if (/^(rpm|rpmbuild|rpmspec|rpmsign|mock)$/.test(name)) return parseRpm;
  if (name === 'tar' || name === 'gtar') return parseTar;
  if (name === 'split') return parseCommandOption('--filter', '--f'.length);
  if (name === 'sort') return parseCommandOption('--compress-program', '--co'.length);
  if (name === 'at' || name === 'batch')
    return (words, at, model) => {
      if (!words.slice(at + 1).some((w) => w === '-f')) model.stdinCode ??= at;
    };
  if (name === 'crontab')
    return (words, at, model) => {
      if (words.slice(at + 1).includes('-')) model.stdinCode ??= at;
    };
  return undefined;
}

/**
 * GNU xargs' long options (findutils xargs.c, xargs(1)) and their argument: '=' required (--max-args=1 or
 * --max-args 1), ':' optional (--replace[=STR], --eof[=STR], --max-lines[=N]: attached only), none.
 */
const XARGS_LONG_OPTIONS: ReadonlyArray<readonly [string, '=' | ':' | '']> = [
  ...([
    ['--null', ''],
    ['--arg-file', '='],
    ['--delimiter', '='],
    ['--eof', ':'],
    ['--replace', ':'],
    ['--max-lines', ':'],
  ] as const),
  ...([
    ['--max-args', '='],
    ['--open-tty', ''],
    ['--interactive', ''],
    ['--no-run-if-empty', ''],
    ['--max-chars', '='],
    ['--show-limits', ''],
  ] as const),
  ...([
    ['--verbose', ''],
    ['--exit', ''],
    ['--max-procs', '='],
    ['--process-slot-var', '='],
    ['--help', ''],
    ['--version', ''],
  ] as const),
];

/**
 * The GNU xargs long option a word names (--repl=@ is --replace, --arg is --arg-file, --del , is --delimiter),
 * as getopt_long reads it: the whole name or a prefix of one name alone, before any '='. undefined for a word
 * that names none, or several (--ma: --max-lines, --max-args…; xargs stops with an error), and for an
 * option taking no value given one (--null=x). takesNext: whether it takes the next word as its value (a
 * required value not attached: --del , but not --del=, nor --replace).
 */
export function xargsLongOption(word: string): { name: string; takesNext: boolean } | undefined {
  if (!word.startsWith('--') || word === '--') return undefined;
  const equals = word.indexOf('=');
  const given = equals < 0 ? word : word.slice(0, equals);
  const exact = XARGS_LONG_OPTIONS.find(([name]) => name === given);
  const found = exact ? [exact] : XARGS_LONG_OPTIONS.filter(([name]) => name.startsWith(given));
  if (given.length < 3 || found.length !== 1) return undefined;
  const [name, takes] = found[0]!;
  if (takes === '' && equals >= 0) return undefined;
  return { name, takesNext: takes === '=' && equals < 0 };
}

/** The string xargs replaces with each input line (-I STR, -i, --replace), if any. */
export function xargsReplaceString(words: readonly string[], xargs: number): string | undefined {
  return xargsStrings(words, xargs).replace;
}

/**
 * BSD xargs -J STR: the first argument of its program that is STR alone takes what xargs reads, all its items
 * (cut at blanks and newlines, as when appended), in place of STR. The string, if any.
 */
export function xargsJoinString(words: readonly string[], xargs: number): string | undefined {
  return xargsStrings(words, xargs).join;
}

/**
 * xargs' options (GNU's and BSD's), up to the program it runs (`xargs sed -i …`: -i is sed's): -I's, -i's or
 * --replace's string, and -J's.
 */
function xargsStrings(words: readonly string[], xargs: number): { replace?: string; join?: string } {
  const found: { replace?: string; join?: string } = {};
  for (let j = xargs + 1; j < words.length && /^-./.test(words[j]!) && words[j] !== '--'; j++) {
    const arg = words[j]!;
    if (arg.startsWith('--')) {
      // Any unique prefix (--repl=@, --rep); --replace's value is attached only, --max-args' may be the next word.
      const long = xargsLongOption(arg);
      if (long?.name === '--replace')
        found.replace = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : '{}';
      else if (long?.takesNext) j++;
      continue;
    }
    // A cluster of flags (-0r): the first letter taking a value takes the rest of the word, or the next word.
    for (let c = 1; c < arg.length; c++) {
      const letter = arg[c]!;
      const rest = arg.slice(c + 1);
      if ('ieEl'.includes(letter)) {
        // Optional values, attached only: -i[STR], -e[EOF], -l[N].
        if (letter === 'i') found.replace = rest || '{}';
        break;
      }
      if (!'aEIdJLnPRSs'.includes(letter)) continue;
      const value = rest || words[++j];
      if (letter === 'I') found.replace = value;
      if (letter === 'J') found.join = value;
      break;
    }
  }
  return found;
}

/**
 * The model of one command's words (templates unrendered; in a shell script, each word without its quotes).
 * `words[0]` is the program.
 */
/** The work of reading one word of a command (commandModel), in the budget's units (budget.ts). */
const WORD_WORK = 1;
/** The work of reading one word of the command ssh runs on the remote host as a command again (parseSsh). */
const SSH_REMOTE_WORK = 16;

export function commandModel(words: readonly string[]): CommandModel {
  const patches = new Set<number>(); // kubectl/oc/argocd patch arguments (kubectlPatchWords)
  // Each reading counts its words against the bound on the work of a check (budget.ts), each as much as a few
  // characters of a script read (every parser looks at every word): ssh's remote command is read again as a
  // command of its own, and so is each ssh's in it.
  charge(WORD_WORK * words.length);
  const model = emptyModel();
  const seen = new Set<number>();
  // echo, printf, test, true print or compare their words and run none of them (`echo apt-get install {{x}}`):
  // no word of theirs is a program to look at here.
  const plainFrom = words.length ? NO_OPTIONS.get(programName(words[0]!)) : undefined;
  if (plainFrom !== undefined) for (let k = plainFrom; k < words.length; k++) model.positional.add(k);
  // The words a program of the command reads as its subcommand, target or script's name (gh run watch, make
  // watch, npm run env): read when a word is named after a program with rules of its own. A tool's subcommand
  // named after ssh, scp or rsync (oc rsync, gh codespace ssh) does what they do, with their rules.
  let names: ReadonlyMap<number, NameKind> | undefined;
  const named = (i: number) => (i > 0 ? (names ??= nameWords(words)).get(i) : undefined);
  for (let i = 0; i < words.length; i++) {
    if (model.positional.has(i) || seen.has(i)) continue;
    const name = programName(words[i]!);
    // docker compose watch: compose's subcommand, not the program watch (which runs its words through sh -c).
    let parser = isComposeSubcommand(words, i) ? undefined : parserFor(name);
    // A name of a tool's own (gh codespace view: no vi) is judged by neither program's rules nor an editor's.
    const asName = (kind = named(i)) => kind === 'target' || (kind === 'subcommand' && !NAMESAKES.has(name));
    if (parser && i > 0 && asName()) parser = undefined;
    const before = model.code.length;
    const files = new Set(model.scriptFiles);
    parser?.(words, i, model);
    const publish = publishParser(name);
    if (publish && !(i > 0 && asName())) publish(words, i, model);
    stdinReaderParser(name)?.(words, i, model);
    remoteToolParser(name)?.(words, i, model);
    if (name === 'cp' && (words[i - 1] === 'codespace' || words[i - 1] === 'cs') && i >= 2)
      if (programName(words[i - 2]!) === 'gh') parseCodespaceCp(words, i, model);
    for (const install of installWords(words, i, name))
      if (install.pinned) model.versionPins.add(install.index);
    for (const index of extraVarsWords(words, i, name)) {
      model.extraVars.add(index);
      // Read as YAML when it starts with { or [ (not a template's {{).
      if (/^[{[]/.test(extraVarsArgument(words[index]!).replace(/\{\{\s*\w+\s*\}\}/g, '')))
        model.yamlValues.set(index, 'the YAML or JSON of an ansible extra-vars argument (-e {…})');
    }
    for (const index of saltPillarWords(words, i, name))
      model.yamlValues.set(index, "salt's pillar= data, which salt reads as YAML");
    if (name === 'helm') for (const set of helmSetWords(words, i)) model.helmSets.set(set.index, set.option);
    // docker ps --format, docker inspect -f, kubectl -o jsonpath=…, gh --jq: code of a template or query language.
    for (const { index, how, language, waits } of printTemplateWords(words, i, name))
      model.code.push({
        index,
        program: i,
        kind: 'interpreter',
        how,
        safe: () =>
          waits
            ? `a JSONPath chooses what ${name} wait waits for (a field the cluster already has passes at once, and the deploy goes on): write the JSONPath in the config and template only the value it is compared with (--for=jsonpath='{.status.phase}'=VALUE), or a command per environment`
            : `a ${language} chooses what ${name} prints to the job's log (any field of what it reads: a container's environment, a Secret's data, a token)${language === 'JSONPath' ? '' : ' and calls its functions'}: write it in the config (${TEMPLATE_EXAMPLES[language]}), a command per environment if it differs, or print JSON and pick with jq --arg v VALUE '… $v …'`,
      });
    if (name === 'aws')
      for (const arg of awsShorthandWords(words, i)) model.awsShorthand.set(arg.index, arg.option);
    const reads = fileReadWords(words, i);
    // npm run sort, make cat: a script's or target's name, not the program reading a file (a tool's subcommand
    // may read as its namesake does: oc rsync DIR POD:DIR sends DIR).
    if (!(reads.length && named(i) === 'target'))
      for (const read of reads) model.fileReads.set(read.index, read);
    const container = containerMounts(words, i, name);
    for (const index of container.volumes) model.volumeNames.add(index);
    for (const index of container.users) model.containerUsers.add(index);
    for (const [index, check] of container.names) model.containerNames.set(index, check);
    deployToolWords(words, i, name, model.containerNames); // docker buildx bake --set *.output=…name={{v}}
    // docker service --args 'PROGRAM --opt={{v}}': what a shell or interpreter there runs is code, also after a
    // wrapper (sudo node --eval={{v}}): each of its words is read as a program.
    const args = container.args;
    if (args) {
      const inner = emptyModel();
      for (let k = 0; k < args.words.length; k++)
        parserFor(programName(args.words[k]!))?.(args.words, k, inner);
      for (const operand of inner.code)
        model.code.push({ ...operand, index: args.index, program: args.index });
    }
    for (const index of kubectlPatchWords(words, i, name)) {
      patches.add(index);
      model.yamlValues.set(
        index,
        `the patch ${name === 'argocd' ? `argocd app ${words.slice(i).find((w) => /^patch(-resource)?$/.test(w))}` : `${name} patch`} applies, which it reads as JSON or YAML`,
      );
    }
    // docker run --entrypoint sh IMAGE -c CODE: the entrypoint runs the words after the image.
    const entry = container.entrypoint;
    const entryParser = entry && parserFor(programName(entry.value));
    if (entry && entryParser) {
      const inner = emptyModel();
      entryParser([entry.value, ...words.slice(entry.from)], 0, inner);
      const outer = (k: number) => (k === 0 ? entry.index : entry.from + k - 1);
      for (const operand of inner.code)
        model.code.push({ ...operand, index: outer(operand.index), program: outer(operand.program) });
      // An inline script's parameters (sh -c '…' sh {{x}}) are its arguments, not programs.
      for (const k of inner.positional) model.positional.add(outer(k));
      for (const k of inner.guarded) model.guarded.add(outer(k));
    }
    // A word run as code is not also a program to look at here (its own words are not these words).
    for (const operand of model.code.slice(before)) seen.add(operand.index);
    // The script it loads is its standard input (sh /dev/stdin, awk -f -, make -f -).
    for (const index of model.scriptFiles)
      if (!files.has(index) && STDIN_FILES.has(words[index] ?? '')) model.stdinCode ??= i;
    if (
      (name === 'source' || name === '.') &&
      STDIN_FILES.has(words[words[i + 1] === '--' ? i + 2 : i + 1] ?? '')
    )
      model.stdinCode ??= i;
  }
  // xargs appends what it reads on standard input to the command it runs, or puts it in place of -I's string:
  // there it would be code when the code of a shell or an interpreter is missing (xargs sh -c) or holds that
  // string (xargs -I{} sh -c 'deploy {}').
  const xargs = xargsWord(words);
  if (xargs >= 0) {
    const replace = xargsReplaceString(words, xargs);
    const join = xargsJoinString(words, xargs);
    const fromInput = (operand: CodeOperand) =>
      operand.index >= words.length ||
      (replace !== undefined && words[operand.index]!.includes(replace)) ||
      (join !== undefined && words[operand.index] === join);
    // A sed s command is code too where xargs fills it (xargs -I{} sed -i 's/a/{}/' f given "b/e id" or "b/w FILE").
    const sed = [...model.sedScripts.values()].map((script) => script.asCode);
    if ([...model.code, ...sed].some((operand) => operand.program > xargs && fromInput(operand)))
      model.stdinCode ??= xargs;
  }
  // An assignment to a variable that loads code (env LD_PRELOAD=…, sudo PATH=…, docker run -e NODE_OPTIONS=…),
  // where a word sets a program's environment (environmentWords), but in words never read as options (echo's, an
  // inline script's parameters): a program that sets it passes it on to the programs it runs.
  // kubectl set env OBJECT NAME=VALUE sets a variable of a Kubernetes object's containers, not of a program this
  // command runs here: container-mounts.ts refuses a code variable's value there, as the containers' variable.
  const objectEnv = words.findIndex(
    (word, k) =>
      word === 'env' &&
      words[k - 1] === 'set' &&
      words.slice(0, k - 1).some((w) => programName(w) === 'kubectl' || programName(w) === 'oc'),
  );
  // Any other argument written as JSON, whatever reads it (an aws structure, a request body, a patch).
  // A patch written as JSON keeps its stricter rule for values, and its fields are checked too.
  for (let i = 1; i < words.length; i++) {
    const patch = patches.has(i);
    if (!patch && (model.yamlValues.has(i) || model.extraVars.has(i) || model.helmSets.has(i))) continue;
    const json = jsonArgument(words[i]!, words[i - 1]);
    if (json) model.jsonFields.set(i, json);
    if (patch) continue;
    if (json) model.jsonValues.set(i, json);
    if (json) model.awsShorthand.delete(i); // aws reads an argument starting with { or [ as JSON
  }
  // printf writing JSON: an argument is checked where its conversion puts it (printf '{"v":"%s"}' {{v}}).
  if (words.some((word) => programName(word) === 'printf'))
    for (const [i, json] of printfJsonArguments(words)) {
      model.jsonValues.set(i, json);
      model.jsonFields.set(i, json);
    }
  const environment = environmentWords(words);
  for (let i = 1; i < words.length; i++) {
    if (objectEnv > 0 && i > objectEnv) break;
    const variable = model.positional.has(i) || !environment.has(i) ? undefined : codeVariableIn(words[i]!);
    if (variable !== undefined) model.code.push(codeVariableOperand(i, 0, variable));
  }
  // `--`: the options of the program that reads it end there; a wrapper's `--` ends only the wrapper's. A
  // wrapper with subcommands (kubectl exec pod -- cmd) takes the first `--` after it; a simple one
  // (sudo -u app -- cmd) only one among its own options, so in `sudo -u app git checkout -- {{ref}}` it is git's.
  let wrapper: { at: number; simple: boolean } | undefined;
  let guarding = false;
  // Whether the words between a simple wrapper and a `--` may all be the wrapper's options and their values. A
  // word right after an option may be its value: after a short one (-u app, -Eu app) or a long one written
  // apart (sudo --user app, env --chdir /srv, timeout --kill-after 5, nice --adjustment 5). Which options take
  // a value is not known for every wrapper, so any option is taken as possibly taking one: when unsure, the `--`
  // is the wrapper's, and the wrapped program's words after it are still checked for a leading "-".
  const amongOptions = (from: number, to: number) => {
    for (let k = from + 1; k < to; k++) {
      if (words[k]!.startsWith('-')) continue;
      const before = words[k - 1]!;
      if (k - 1 > from && /^-[^-=]|^--[^=]+$/.test(before)) continue;
      return false;
    }
    return true;
  };
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (guarding) model.guarded.add(i);
    const name = programName(word);
    if (word === '--') {
      const wrappers = wrapper !== undefined && (!wrapper.simple || amongOptions(wrapper.at, i));
      wrapper = undefined;
      if (!wrappers) guarding = true;
    } else if (WRAPPERS.has(name) && (wrapper === undefined || wrapper.simple)) {
      // `cmd -- … sudo …`: a wrapper named after a `--` may run another program: stop guarding.
      guarding = false;
      wrapper = { at: i, simple: !SUBCOMMAND_WRAPPERS.has(name) };
    }
  }
  return model;
}
