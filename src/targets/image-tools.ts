// The tables of the tools other than a container runner that read, copy, sign or scan images (skopeo, crane,
// kind, cosign, trivy, crictl, ctr, gcloud, buildx imagetools): their options and what each operand is. Tables
// only (ctr's and gcloud's commands in their own files); image-tool-command.ts reads a command with them.
import { type ToolRole, type ImageToolCommand, image, type ImageTool } from './image-tool-types.ts';
import { GLOBAL_RIGHTS } from './container-options.ts';
import { CTR_COMMANDS } from './ctr-commands.ts';
import {
  GCLOUD_VALUES,
  GCLOUD_FLAGS,
  GCLOUD_COMMANDS,
  GCLOUD_ENGINE,
  PROJECT_WHY,
  gcloudVerb,
  GCLOUD_OPTIONAL,
} from './gcloud-commands.ts';
import { lookupTable } from './lookup-table.ts';

/** cosign's options choosing the key or the signer it signs or verifies with, or what it trusts. */
const COSIGN_TRUST = new Map([
  // A key file takes the file rule (file-reads.ts); an env://, k8s:// or KMS reference takes no template.
  ['--key', 'the key it signs or verifies with (an env:// variable of the job, a KMS or k8s:// key)'],
  ['--certificate-identity', 'the signer identity it trusts (any workflow or account)'],
  ['--certificate-identity-regexp', 'the signer identities it trusts (.*: anyone)'],
  ['--certificate-oidc-issuer', 'the issuer it trusts'],
  ['--certificate-oidc-issuer-regexp', 'the issuers it trusts (.*: any)'],
  ['--certificate-github-workflow-repository', 'the repository whose workflow it trusts'],
  // The other claims of the workflow that signed: its name, the event that ran it (pull_request: a fork's), its
  // ref (a value after a fixed refs/heads/ or refs/tags/ is checked once rendered, as --certificate-identity's)
  // and its commit (checked once rendered to be a SHA: an empty value checks no claim).
  ['--certificate-github-workflow-name', 'the workflow whose signature it trusts'],
  [
    '--certificate-github-workflow-trigger',
    'the event whose workflow runs it trusts (pull_request_target: any fork)',
  ],
  ['--certificate-github-workflow-ref', 'the ref whose workflow runs it trusts (an empty value: any)'],
  ['--certificate-github-workflow-sha', 'the commit whose workflow runs it trusts (an empty value: any)'],
  ['--certificate-chain', 'the certificate chain it trusts (verify) or attaches (sign)'],
  ['--cert-chain', 'the certificate chain it trusts (verify) or attaches (sign)'],
  ['--trusted-root', 'the roots it trusts'],
  ['--ca-roots', 'the certificate authorities it trusts'],
  ['--ca-intermediates', 'the certificate authorities it trusts'],
  ['--rekor-url', 'the transparency log it trusts'],
  ['--fulcio-url', 'the certificate authority it trusts'],
  ['--signing-config', 'the signing services it trusts (a file: its certificate authority, log, timestamps)'],
  ['--registry-cacert', 'the certificate authority trusted for the registry'],
  ['--tsa-certificate-chain', 'the timestamp authority it trusts'],
  ['--timestamp-certificate-chain', 'the timestamp authority it trusts'],
  ['--timestamp-cert-chain', 'the timestamp authority it trusts'],
  // sign and attest: the timestamp authority it asks (verify trusts its timestamps), and who vouches for the
  // signer: the OIDC issuer, or the provider the identity token comes from (doc/cosign_sign.md).
  ['--timestamp-server-url', 'the timestamp authority it asks (whose timestamps verify trusts)'],
  ['--tsa-server-url', 'the timestamp authority it asks (whose timestamps verify trusts)'],
  ['--oidc-issuer', 'the OIDC issuer of the identity token it signs with (who vouches for the signer)'],
  // The OIDC client it asks the token as, and where the issuer sends the authorization code (a server elsewhere
  // gets it, and so a token to sign as the signer).
  ['--oidc-client-id', 'the OIDC client its identity token is asked for (whose token it signs with)'],
  [
    '--oidc-redirect-url',
    'the URL the OIDC issuer sends the authorization code to (a server elsewhere gets the signer token)',
  ],
  [
    '--oidc-provider',
    'the provider its identity token comes from (spiffe, google, github, filesystem: who vouches for the signer)',
  ],
  // verify-attestation --policy: the CUE or Rego policies the attestations must pass; --type: the predicate
  // type it verifies or attests (attach sbom's: the SBOM's type) (doc/cosign_verify-attestation.md).
  ['--policy', 'the CUE or Rego policies the attestations must pass (one of its choosing passes any)'],
  [
    '--type',
    'the predicate type it verifies or attests, or the type of the SBOM it attaches (another: an attestation of another kind passes, or is signed)',
  ],
  // cosign initialize: the TUF repository and root it trusts from then on (doc/cosign_initialize.md).
  ['--mirror', 'the TUF repository its trusted roots are updated from (and trusted from then on)'],
  ['--root', 'the TUF root it trusts from then on (a file or URL of its choosing)'],
  ['--root-checksum', 'the checksum the TUF root it downloads must have (any root, by its checksum)'],
]);

/** skopeo's options that take a value written apart (copy, inspect, sync, delete, list-tags). */
const SKOPEO_VALUES: readonly string[] = [
  ...['--authfile', '--src-authfile', '--dest-authfile', '--creds', '--src-creds', '--dest-creds'],
  ...['--cert-dir', '--src-cert-dir', '--dest-cert-dir', '--registry-token', '--src-registry-token'],
  ...['--dest-registry-token', '--username', '--password', '--src-username', '--src-password', '-f'],
  ...['--dest-username', '--dest-password', '--format', '--sign-by', '--sign-by-sigstore', '--sign-identity'],
  ...['--sign-by-sigstore-private-key', '--sign-passphrase-file', '--additional-tag', '--encryption-key'],
  ...['--decryption-key', '--encrypt-layer', '--multi-arch', '--dest-compress-format', '--retry-times'],
  ...['--dest-compress-level', '--retry-delay', '--image-parallel-copies', '--src-shared-blob-dir'],
  ...['--dest-shared-blob-dir', '--src-daemon-host', '--dest-daemon-host', '--digestfile', '--append-suffix'],
  // skopeo inspect, delete and list-tags (skopeo-inspect(1) …), and sync's --sign-by-sq-fingerprint.
  ...['--daemon-host', '--shared-blob-dir', '--sign-by-sq-fingerprint', '--image-parallel-copies'],
];

/** skopeo's options that take no value (skopeo(1), skopeo-copy(1), -inspect, -delete, -list-tags, -sync). */
const SKOPEO_FLAGS: readonly string[] = [
  ...['--debug', '--insecure-policy', '-v', '--version', '--tls-verify', '--no-creds', '-a', '--all'],
  ...['--dest-compress', '--dest-decompress', '--dest-no-creds', '--dest-oci-accept-uncompressed-layers'],
  ...['--dest-precompute-digests', '--dest-tls-verify', '--src-tls-verify', '--src-no-creds', '-q'],
  ...['--quiet', '--preserve-digests', '--remove-signatures', '--force-compression', '--config', '--raw'],
  ...['-n', '--no-tags', '--dry-run', '--keep-going', '--scoped'],
];

/** skopeo sync --src/--dest TRANSPORT: what its operand at `position` is. */
function syncOperand(position: number, _count: number, given: ReadonlyMap<string, string>): ToolRole {
  const transport = given.get(position === 0 ? '--src' : '--dest') ?? given.get(position === 0 ? '-s' : '-d');
  if (position > 1) return undefined;
  if (transport === 'docker') return 'repository';
  return position === 0 ? 'read' : 'write';
}

/** cosign's options that take a value written apart (sign, verify, attest, copy, download, …). */
const COSIGN_VALUES: readonly string[] = [
  ...['--key', '--cert', '--cert-chain', '--certificate', '--certificate-chain', '--certificate-identity'],
  ...['--certificate-identity-regexp', '--certificate-oidc-issuer', '--certificate-oidc-issuer-regexp'],
  ...['--certificate-github-workflow-name', '--certificate-github-workflow-ref', '-a', '--annotations'],
  ...['--certificate-github-workflow-repository', '--certificate-github-workflow-sha', '--attachment'],
  ...[
    '--certificate-github-workflow-trigger',
    '-o',
    '--output',
    '--output-signature',
    '--output-certificate',
  ],
  ...[
    '--output-payload',
    '--output-attestation',
    '--payload',
    '--rekor-url',
    '--fulcio-url',
    '--oidc-issuer',
  ],
  ...['--oidc-client-id', '--oidc-client-secret-file', '--oidc-provider', '--oidc-redirect-url'],
  ...['--identity-token', '--slot', '--registry-username', '--registry-password', '--registry-token'],
  ...['--signature', '--signature-digest-algorithm', '--attachment-tag-prefix', '--ca-roots', '--bundle'],
  ...['--ca-intermediates', '--trusted-root', '--max-workers', '--type', '--predicate', '--policy'],
  ...['--rekor-entry-type', '--registry-referrers-mode', '--platform', '--sbom', '--sbom-type', '--dir'],
  ...['--output-file', '-t', '--timeout', '--k8s-keychain-namespace', '--tsa-server-url', '--key-ref'],
  // cosign sign's and verify's (doc/cosign_sign.md, cosign_verify.md) besides those above.
  ...['--fulcio-auth-flow', '--registry-cacert', '--registry-client-cert', '--registry-client-key'],
  ...['--registry-server-name', '--signing-config', '--timestamp-client-cacert', '--timestamp-client-cert'],
  ...['--timestamp-client-key', '--timestamp-server-name', '--sct', '--tsa-certificate-chain', '--only'],
  ...['--rfc3161-timestamp', '--timestamp-certificate-chain', '--attachment-tag-prefix'],
  // cosign initialize (doc/cosign_initialize.md), sign's timestamp authority, an older verify's chain.
  ...['--mirror', '--root', '--root-checksum', '--timestamp-server-url', '--timestamp-cert-chain'],
];

/** cosign upload blob and upload wasm (doc/cosign_upload_blob.md, cosign_upload_wasm.md). */
const COSIGN_UPLOAD: ImageToolCommand = {
  does: 'uploads to',
  values: ['-f', '--files', '--file', '--ct', '--annotation'],
  operand: () => 'image',
};

/** cosign's options that take no value (doc/cosign_sign.md, cosign_verify.md, cosign_copy.md, …). */
const COSIGN_FLAGS: readonly string[] = [
  ...['-d', '--verbose', '-y', '--yes', '-r', '--recursive', '--upload', '--tlog-upload', '--sk', '-f'],
  ...['--force', '--allow-http-registry', '--allow-insecure-registry', '--k8s-keychain', '--local-image'],
  ...['--check-claims', '--experimental-oci11', '--insecure-ignore-sct', '--insecure-ignore-tlog'],
  ...['--new-bundle-format', '--private-infrastructure', '--use-signed-timestamps', '--offline'],
  ...['--oidc-disable-ambient-providers', '--record-creation-timestamp', '--issue-certificate', '--replace'],
  ...['--sig-only', '--no-upload', '--insecure-skip-verify', '--use-signing-config', '--include-payload'],
  ...['--staging', '--insecure-skip-tlog-verify'],
];

/** trivy image's options that take a value written apart. */
export const TRIVY_VALUES: readonly string[] = [
  ...['-f', '--format', '-o', '--output', '-s', '--severity', '--exit-code', '--timeout', '--cache-dir'],
  ...['--skip-dirs', '--skip-files', '--ignorefile', '--scanners', '--vuln-type', '--pkg-types', '-t'],
  ...['--template', '--input', '--platform', '--username', '--password', '--registry-token', '-c'],
  ...['--db-repository', '--java-db-repository', '--image-src', '--docker-host', '--podman-host', '--config'],
  ...['--ignore-policy', '--cache-backend', '--cache-ttl', '--server', '--token', '--token-header'],
  ...['--custom-headers', '--vex', '--sbom-sources', '--rekor-url', '--compliance', '--secret-config'],
  ...['--license-confidence-level', '--ignored-licenses', '--detection-priority', '--distro', '--parallel'],
  ...['--max-image-size', '--checks-bundle-repository', '--image-config-scanners', '--exit-on-eol'],
  ...['--misconfig-scanners', '--file-patterns', '--module-dir', '--enable-modules', '--report'],
  // trivy image (docs/…/cli/trivy_image.md) besides those above.
  ...['--config-check', '--config-data', '--config-file-schemas', '--helm-api-versions', '--helm-set'],
  ...['--helm-kube-version', '--helm-set-file', '--helm-set-string', '--helm-values', '--ignore-status'],
  ...['--output-plugin-arg', '--pkg-relationships', '--redis-ca', '--redis-cert', '--redis-key'],
  ...['--policy', '--config-policy', '--namespaces', '--policy-namespaces', '--trace-http'],
  // trivy repo and trivy vm.
  ...['--branch', '--tag', '--commit', '--aws-region', '--aws-endpoint'],
  // Newer and older names (--check-namespaces for --policy-namespaces, --policy-bundle-repository for
  // --checks-bundle-repository).
  ...['--check-namespaces', '--policy-bundle-repository'],
  // trivy client (its server), the severity sources.
  ...['--remote', '--vuln-severity-source'],
];

/** trivy's options that take no value (trivy image and the global ones). */
const TRIVY_FLAGS: readonly string[] = [
  ...['-d', '--debug', '-q', '--quiet', '-v', '--version', '--insecure', '--generate-default-config'],
  ...['--dependency-tree', '--download-db-only', '--download-java-db-only', '--ignore-unfixed'],
  ...['--include-deprecated-checks', '--include-non-failures', '--license-full', '--list-all-pkgs'],
  ...['--no-progress', '--offline-scan', '--password-stdin', '--redis-tls', '--removed-pkgs', '--reset'],
  ...['--show-suppressed', '--skip-check-update', '--skip-db-update', '--skip-java-db-update', '--trace'],
  ...['--skip-vex-repo-update', '--tf-exclude-downloaded-modules', '--skip-update', '--skip-policy-update'],
  ...['--clear-cache', '--skip-version-check', '--disable-telemetry', '--include-dev-deps'],
];

/**
 * trivy k8s (kubernetes) [CONTEXT] (docs/…/cli/trivy_kubernetes.md; before 0.50: a resource, cluster or all, and
 * --context, -n): the context of the kubeconfig it scans (checked once rendered as kubectl --context's; its
 * --kubeconfig is refused in launchers.ts), what of the cluster it scans, and the node-collector job it runs on
 * the nodes (an image reading each node's files as root: its image takes the image rule, its namespace and
 * tolerations no template).
 */
const TRIVY_K8S: ImageToolCommand = {
  does: 'scans',
  values: [
    ...[
      '--burst',
      '--qps',
      '--report',
      '--tf-vars',
      '--kubeconfig',
      '--node-collector-imageref',
      '--context',
    ],
  ],
  flags: [
    ...['-A', '--all-namespaces', '--disable-node-collector', '--exclude-owned', '--skip-images', '--slow'],
    ...['--show-ignored', '--reset-policy-bundle'],
  ],
  engine: {
    '--node-collector-namespace':
      "the namespace its node-collector job (which reads each node's files as root) is made in",
    '--tolerations':
      "the taints its node-collector job tolerates (the nodes it reads as root: the control plane's too)",
  },
  scanner: {
    '-n': 'the namespace it scans (another: none of the vulnerable workloads)',
    '--namespace': 'the namespace it scans (another: none of the vulnerable workloads)',
    '--include-namespaces': 'the namespaces it scans (another: none of the vulnerable workloads)',
    '--exclude-namespaces': 'the namespaces it does not scan (those of the vulnerable workloads)',
    '--include-kinds': 'the kinds of resource it scans (another: none of the vulnerable ones)',
    '--exclude-kinds': 'the kinds of resource it does not scan (the vulnerable ones)',
    '--exclude-nodes': 'the nodes it does not scan (by their labels)',
    '--components': 'the components it scans (infra alone: no workload)',
    '--k8s-version': 'the Kubernetes version its outdated APIs are checked against (an old one: none are)',
  },
  options: { '--node-collector-imageref': 'image', '--context': 'context' },
  operand: () => 'context',
};

/** crictl exec's options that take a value (exec.go). */
const CRICTL_EXEC_VALUES: readonly string[] = [
  ...['--timeout', '-r', '--transport', '--name', '-p', '--pod', '--image', '--state', '--label', '-n'],
  ...['--last', '--tls-sni', '--tls-server-name', '--tls-ca', '--tls-cert', '--tls-key'],
];

/** crictl exec's filter options: with one, it takes no container, and its first operand is the program. */
const CRICTL_EXEC_FILTERS = [
  '--name',
  '-p',
  '--pod',
  '--image',
  '--state',
  '--label',
  '-l',
  '--latest',
].concat(['-n', '--last']);

/** crane's options that take no value, whatever the subcommand (doc/crane.md). */
const CRANE_FLAGS: readonly string[] = [
  '--insecure',
  '-v',
  '--verbose',
  '--allow-nondistributable-artifacts',
];

/** crane index append and filter: -m the manifests it adds, -t the image it names, its operand the base. */
const CRANE_INDEX: Record<string, ImageToolCommand> = lookupTable({
  'index append': {
    does: 'appends to',
    flags: ['--docker-empty-base'],
    options: { '-m': 'image', '--manifest': 'image', '-t': 'image', '--tag': 'image' },
    operand: image,
  },
  'index filter': {
    does: 'filters',
    options: { '-t': 'image', '--tag': 'image' },
    flags: [],
    operand: image,
  },
});

/**
 * Tools other than a container runner that read, copy, sign or scan images, and the images they name: skopeo
 * (a transport first: docker://REF is an image, dir:/oci:/docker-archive: a path of this machine), crane (pull
 * writes a tarball, push reads one), kind load, cosign, trivy, crictl and ctr, gcloud run deploy --image and
 * gcloud's Container Registry and Artifact Registry commands. Their options taking a value and those taking none
 * are listed (from each tool's documentation): a template after any other option is refused, naming it.
 */
export const IMAGE_TOOLS: Readonly<Record<string, ImageTool>> = lookupTable({
  skopeo: {
    engine: new Map([
      ['--policy', 'the trust policy (insecureAcceptAnything: any image, unsigned)'],
      ['--registries.d', 'the signature storage configuration (where signatures are read from)'],
      ['--registries-conf', 'the registry configuration (mirrors: the images that come)'],
      ['--src-daemon-host', 'the docker daemon (an address elsewhere gets or gives the image)'],
      ['--dest-daemon-host', 'the docker daemon (an address elsewhere gets or gives the image)'],
      ['--daemon-host', 'the docker daemon (an address elsewhere gets or gives the image)'],
      ['--cert-dir', 'the certificates trusted for the registry'],
      ['--src-cert-dir', 'the certificates trusted for the registry'],
      ['--dest-cert-dir', 'the certificates trusted for the registry'],
      // Key files it reads (as podman push's): the key the image is signed or encrypted with, its passphrase.
      ['--sign-by-sigstore-private-key', 'the key the image is signed with (a file of this machine)'],
      ['--sign-passphrase-file', 'the passphrase of the signing key (a file of this machine)'],
      // What it signs with: a GPG or Sequoia key (by its fingerprint: any key of the keyring), the sigstore
      // signing parameters (a file of this machine naming the key, the Fulcio and the Rekor it uses).
      ['--sign-by', 'the GPG key the image is signed with (any key of the keyring, by its fingerprint)'],
      ['--sign-by-sq-fingerprint', 'the Sequoia key the image is signed with (any key, by its fingerprint)'],
      [
        '--sign-by-sigstore',
        'the sigstore signing parameters (a file of this machine: the key, Fulcio and Rekor it signs with)',
      ],
      ['--encryption-key', 'the key the image is encrypted with (a file of this machine, or its protocol)'],
      ['--decryption-key', 'the key the image is decrypted with (a file of this machine)'],
      // Directories of this machine: the layers read from, or written to, and its temporary files.
      [
        '--src-shared-blob-dir',
        'the directory of this machine the layers are read from (the image it copies)',
      ],
      ['--dest-shared-blob-dir', 'the directory of this machine the layers are written to'],
      ['--shared-blob-dir', 'the directory of this machine the layers are read from'],
      ['--tmpdir', 'the directory of this machine its temporary files are written to'],
    ]),
    engines: ['--src-daemon-host', '--dest-daemon-host', '--daemon-host'],
    globals: [
      '--command-timeout',
      '--override-arch',
      '--override-os',
      '--override-variant',
      '--policy',
    ].concat(['--registries.d', '--tmpdir', '--registries-conf', '--user-agent-prefix']),
    flags: SKOPEO_FLAGS,
    commands: {
      // --sign-identity: the image the signature names (the destination's by default), written without a transport.
      copy: {
        does: 'copies',
        values: SKOPEO_VALUES,
        options: { '--sign-identity': 'repository' },
        operand: image,
      },
      inspect: { does: 'inspects', values: SKOPEO_VALUES, operand: image },
      delete: { does: 'deletes', values: SKOPEO_VALUES, operand: image },
      'list-tags': { does: 'lists', values: SKOPEO_VALUES, operand: image },
      sync: {
        does: 'copies',
        values: SKOPEO_VALUES,
        options: {
          '-s': 'transport',
          '--src': 'transport',
          '-d': 'transport',
          '--dest': 'transport',
          '--sign-identity': 'repository',
        },
        operand: syncOperand,
      },
    },
  },
  crane: {
    engine: new Map([
      ['--mtls-certificate', 'the client certificate presented to the registry (a file of this machine)'],
      ['--mtls-key', 'the client key presented to the registry (a file of this machine)'],
    ]),
    engines: [],
    globals: ['--platform', '--mtls-certificate', '--mtls-key'],
    flags: CRANE_FLAGS,
    // crane auth get|login|logout|token, index append|filter, registry serve (doc/crane.md).
    groups: ['auth', 'index', 'registry'],
    commands: {
      copy: {
        does: 'copies',
        values: ['-j', '--jobs'],
        flags: ['-a', '--all-tags', '-n', '--no-clobber'],
        operand: image,
      },
      cp: {
        does: 'copies',
        values: ['-j', '--jobs'],
        flags: ['-a', '--all-tags', '-n', '--no-clobber'],
        operand: image,
      },
      pull: {
        does: 'pulls',
        values: ['--format'],
        // The directory of this machine layers are cached in, and read back from: they make the image it writes.
        engine: {
          '-c': 'the layer cache (a directory of this machine the layers are written to and read back from)',
          '--cache_path':
            'the layer cache (a directory of this machine the layers are written to and read back from)',
        },
        flags: ['--annotate-ref'],
        operand: (p, count) => (p < count - 1 || count === 1 ? 'image' : 'write'),
      },
      push: {
        does: 'pushes',
        flags: ['--index'],
        options: { '--image-refs': 'write' },
        operand: (p) => (p === 0 ? 'read' : 'image'),
      },
      tag: { does: 'tags', flags: [], operand: (p) => (p === 0 ? 'image' : 'tag') },
      digest: {
        does: 'reads the digest of',
        flags: ['--full-ref'],
        options: { '--tarball': 'read' },
        operand: image,
      },
      manifest: { does: 'reads', flags: [], operand: image },
      config: { does: 'reads', flags: [], operand: image },
      delete: { does: 'deletes', flags: [], operand: image },
      ls: { does: 'lists', flags: ['--full-ref', '-O', '--omit-digest-tags'], operand: image },
      export: { does: 'exports', flags: [], operand: (p) => (p === 0 ? 'image' : 'write') },
      mutate: {
        does: 'changes',
        values: ['-a', '--annotation', '-e', '--env', '--exposed-ports', '-l', '--label', '-u'].concat([
          '--user',
          '--set-platform',
        ]),
        // The directory the image's program runs in: a relative entrypoint or command is found there.
        directories: {
          '-w': 'the working directory of the image (where a relative entrypoint or command is found)',
          '--workdir': 'the working directory of the image (where a relative entrypoint or command is found)',
        },
        flags: ['--non-distributable'],
        // The program the image runs from then on, wherever it runs.
        programs: {
          '--entrypoint': 'the entrypoint of the image (the program it runs)',
          '--cmd': "the command of the image (the program it runs, or its entrypoint's arguments)",
        },
        options: {
          '-t': 'image',
          '--tag': 'image',
          '-r': 'image',
          '--repo': 'image',
          '--append': 'read',
          '-o': 'write',
          '--output': 'write',
        },
        operand: image,
      },
      append: {
        does: 'appends to',
        flags: ['--annotate', '--oci-empty-base'],
        options: {
          '-b': 'image',
          '--base': 'image',
          '-t': 'image',
          '--new_tag': 'image',
          '-f': 'read',
          '--new_layer': 'read',
          '-o': 'write',
          '--output': 'write',
        },
        operand: () => undefined,
      },
      // crane rebase IMAGE --old_base OLD --new_base NEW -t TAG; crane flatten IMAGE -t TAG.
      rebase: {
        does: 'rebases',
        flags: [],
        options: {
          '--new_base': 'image',
          '--old_base': 'image',
          '--original': 'image',
          '--rebased': 'image',
          '-t': 'image',
          '--tag': 'image',
        },
        operand: image,
      },
      flatten: { does: 'flattens', flags: [], options: { '-t': 'image', '--tag': 'image' }, operand: image },
      ...CRANE_INDEX,
    },
  },
  kind: {
    engine: new Map([
      ['--config', 'the cluster config (extraMounts: directories of this machine in the nodes)'],
      ['--kubeconfig', 'the kubeconfig written (a file of this machine)'],
    ]),
    globals: ['--loglevel', '-v', '--verbosity'],
    flags: ['-q', '--quiet'],
    // kind build node-image, create cluster, delete cluster(s), export kubeconfig|logs, get clusters|nodes|…
    groups: ['build', 'create', 'delete', 'export', 'get', 'load', 'completion'],
    commands: {
      'load docker-image': {
        does: 'loads into the cluster',
        values: ['-n', '--name', '--nodes'],
        flags: [],
        operand: image,
      },
      // The node image the cluster's nodes run.
      'create cluster': {
        does: 'runs',
        values: ['-n', '--name', '--config', '--kubeconfig', '--wait'],
        flags: ['--retain'],
        options: { '--image': 'image' },
        operand: () => undefined,
      },
      'load image-archive': {
        does: 'loads into the cluster',
        values: ['-n', '--name', '--nodes'],
        flags: [],
        operand: () => 'read',
      },
    },
  },
  cosign: {
    engine: COSIGN_TRUST,
    engines: [],
    globals: COSIGN_VALUES,
    flags: COSIGN_FLAGS,
    // cosign's groups (doc/cosign.md): their next word is a command of theirs.
    groups: [
      'attach',
      'download',
      'upload',
      'dockerfile',
      'manifest',
      'policy',
      'bundle',
      'trusted-root',
    ].concat(['piv-tool', 'pkcs11-tool', 'completion']),
    commands: {
      // cosign upload blob -f FILES IMAGE and upload wasm -f FILE IMAGE: the image the files are pushed as (the
      // files take the file rule, file-reads.ts).
      'upload blob': COSIGN_UPLOAD,
      'upload wasm': COSIGN_UPLOAD,
      ...Object.fromEntries(
        [
          ...[
            ['sign', 'signs'],
            ['verify', 'verifies'],
            ['attest', 'attests'],
            ['verify-attestation', 'verifies'],
          ],
          ...[
            ['copy', 'copies'],
            ['triangulate', 'reads'],
            ['tree', 'reads'],
            ['clean', 'cleans'],
            ['save', 'saves'],
          ],
          ...[
            ['download signature', 'downloads'],
            ['download sbom', 'downloads'],
            ['download attestation', 'downloads'],
          ],
          ...[
            ['attach signature', 'attaches to'],
            ['attach sbom', 'attaches to'],
            ['attach attestation', 'attaches to'],
          ],
        ].map(([sub, does]) => [
          sub,
          {
            does: does!,
            // verify --local-image DIR: a directory cosign save wrote, not an image.
            operand: (_p, _c, given) => (given.has('--local-image') ? 'read' : 'image'),
          } satisfies ImageToolCommand,
        ]),
      ),
    },
  },
  trivy: {
    engine: new Map([
      ['--docker-host', 'the docker daemon the image is read from (an address elsewhere)'],
      ['--podman-host', 'the podman socket the image is read from'],
      ['--server', 'the trivy server it asks (a server elsewhere, which decides what is found)'],
      ['--db-repository', 'the registry its vulnerability database is downloaded from (and trusted)'],
      ['--java-db-repository', 'the registry its Java database is downloaded from (and trusted)'],
      ['--checks-bundle-repository', 'the registry its checks are downloaded from (and trusted)'],
      ['--policy-bundle-repository', 'the registry its checks are downloaded from (and trusted)'],
      ['--exit-code', 'the exit code it fails with on a finding (0: the gate never fails)'],
      // -s/--severity: even a list of known severities turns the gate off (LOW: a HIGH or CRITICAL finding
      // is not reported, and the scan passes), as --scanners secret does.
      ['--severity', 'the severities it reports and fails on (LOW alone: a HIGH or CRITICAL finding passes)'],
      ['-s', 'the severities it reports and fails on (LOW alone: a HIGH or CRITICAL finding passes)'],
      // -t/--template @FILE takes the file rule (file-reads.ts); any other value is Go template code.
      ['--template', 'the Go template code of its report'],
      ['-t', 'the Go template code of its report'],
      // Code it runs: WASM modules (a post-scan module rewrites the findings).
      [
        '--module-dir',
        'the directory of the WASM modules it loads and runs (which may rewrite the findings)',
      ],
      ['--enable-modules', 'the WASM modules it runs (which may rewrite the findings)'],
      // Where what it scans comes from: its cache of analysed layers, the SBOM it scans instead of the image.
      [
        '--cache-backend',
        'the cache its analysis of the image is read back from (redis://: a server elsewhere, whose entries decide what is found)',
      ],
      [
        '--sbom-sources',
        "where the SBOM it scans instead of the image comes from (rekor: one anyone may have logged for the image's digest)",
      ],
      ['--rekor-url', 'the transparency log the SBOM it scans instead of the image comes from'],
      // What it looks at and reports (docs/…/cli/trivy_image.md): a value there turns the scan of the
      // vulnerable part off (--scanners secret, --pkg-types os, --skip-dirs app, --ignore-status affected).
      ['--scanners', 'the scanners it runs (secret alone: no vulnerability is looked for)'],
      ['--pkg-types', 'the package types it scans (os alone: no library is looked at)'],
      ['--vuln-type', 'the package types it scans (os alone: no library is looked at)'],
      ['--skip-dirs', 'the directories it does not scan (those holding the vulnerable files)'],
      ['--skip-files', 'the files it does not scan (the vulnerable ones)'],
      ['--ignore-status', 'the vulnerability statuses it ignores (affected: every unfixed finding)'],
      [
        '--compliance',
        'the compliance spec its report checks (a built-in name, or @FILE: a spec of its choosing, with no check)',
      ],
      ['--policy-namespaces', 'the Rego namespaces whose checks it runs'],
      ['--check-namespaces', 'the Rego namespaces whose checks it runs'],
      ['--namespaces', 'the Rego namespaces whose checks it runs'],
      // What it trusts or sends: its redis cache's TLS files, the headers sent to its server.
      ['--redis-ca', 'the certificate authority trusted for its redis cache'],
      ['--redis-cert', 'the certificate presented to its redis cache'],
      ['--redis-key', 'the key presented to its redis cache'],
      ['--custom-headers', 'the headers sent to the trivy server (its token: who the scan runs as)'],
      // trivy client --remote (its server before --server): the server that decides what is found.
      ['--remote', 'the trivy server it asks (a server elsewhere, which decides what is found)'],
      // What counts as a finding: the distribution whose advisories apply (--distro alpine/3.10: another's),
      // the source a severity is read from (a lower one passes --severity's gate), the exit code on an
      // end-of-life OS (0: no failure), and how wide the detection is (precise: fewer findings).
      ['--distro', 'the distribution whose advisories it checks the packages against (another: no finding)'],
      [
        '--vuln-severity-source',
        "the sources a vulnerability's severity is read from (one rating it lower: it passes the gate)",
      ],
      ['--exit-on-eol', 'the exit code it fails with on an end-of-life OS (0: the gate never fails)'],
      ['--detection-priority', 'how wide its detection is (precise: fewer findings)'],
      // Where the image scanned is taken from (docker, containerd, podman, remote): another image of that name
      // than the one deployed (an engine's local one, or the registry's).
      [
        '--image-src',
        'where the image scanned is taken from (an engine or the registry: another image of that name)',
      ],
    ]),
    engines: ['--docker-host', '--podman-host'],
    scanner: [
      ...['--server', '--db-repository', '--java-db-repository', '--checks-bundle-repository', '--exit-code'],
      ...[
        '--policy-bundle-repository',
        '--template',
        '-t',
        '--module-dir',
        '--enable-modules',
        '--cache-backend',
      ],
      ...['--sbom-sources', '--rekor-url', '--scanners', '--pkg-types', '--vuln-type', '--skip-dirs'],
      ...['--severity', '-s', '--remote', '--distro', '--vuln-severity-source', '--exit-on-eol'],
      ...['--detection-priority', '--image-src'],
      ...['--skip-files', '--ignore-status', '--compliance', '--policy-namespaces', '--check-namespaces'],
      '--namespaces',
    ],
    globals: TRIVY_VALUES,
    flags: TRIVY_FLAGS,
    // trivy plugin|module (and their aliases p, m), registry login|logout, vex repo.
    groups: ['plugin', 'p', 'module', 'm', 'registry', 'vex', 'vex repo', 'completion'],
    commands: {
      image: { does: 'scans', operand: image },
      i: { does: 'scans', operand: image },
      k8s: TRIVY_K8S,
      kubernetes: TRIVY_K8S,
    },
  },
  crictl: {
    engine: new Map([
      ['-r', 'the CRI endpoint (the runtime that runs the containers)'],
      ['--runtime-endpoint', 'the CRI endpoint (the runtime that runs the containers)'],
      ['-i', 'the CRI image endpoint'],
      ['--image-endpoint', 'the CRI image endpoint'],
      ['-c', 'the crictl config (its endpoints)'],
      ['--config', 'the crictl config (its endpoints)'],
      ['--tracing-endpoint', 'the tracing collector its spans are sent to (a server elsewhere)'],
    ]),
    engines: ['-r', '--runtime-endpoint', '-i', '--image-endpoint', '-c', '--config'],
    globals: [
      '-r',
      '--runtime-endpoint',
      '-i',
      '--image-endpoint',
      '-t',
      '--timeout',
      '-c',
      '--config',
      // The files its CPU and memory profiles are written to (file-writes.ts).
    ].concat(['--tracing-endpoint', '--tracing-sampling-rate-per-million', '--profile-cpu', '--profile-mem']),
    flags: ['-D', '--debug', '--enable-tracing', '-v', '--version'],
    commands: {
      pull: {
        does: 'pulls',
        values: ['--creds', '--auth', '-u', '--username', '-p', '--pod-config', '-a', '--annotation'].concat([
          '--platform',
          '--pull-timeout',
        ]),
        flags: [],
        operand: image,
      },
      // crictl exec [flags] CONTAINER COMMAND [ARG...] (with a filter flag, no CONTAINER): the program it runs in
      // the container, as ctr task exec's; its options come before the container only (exec.go).
      exec: {
        does: 'runs',
        values: CRICTL_EXEC_VALUES,
        flags: [
          '-s',
          '--sync',
          '-t',
          '--tty',
          '-i',
          '--interactive',
          '-l',
          '--latest',
          '-q',
          '--quiet',
        ].concat(['-e', '--ignore-errors', '-x', '--parallel']),
        // --name REGEX: the containers it runs in are those whose name matches (.*: every container of the node);
        // -n/--last N: the N latest (0: every one); --label, -p/--pod, --image, --state: those matching.
        selectors: {
          '--name': 'the pattern crictl exec --name matches container names with',
          '-n': 'the number of latest containers crictl exec -n runs in (0: every one)',
          '--last': 'the number of latest containers crictl exec --last runs in (0: every one)',
          '--label': 'the label crictl exec --label picks the containers it runs in by',
          '-p': 'the pod crictl exec -p picks the containers it runs in by',
          '--pod': 'the pod crictl exec --pod picks the containers it runs in by',
          '--image': 'the image crictl exec --image picks the containers it runs in by',
          '--state': 'the state crictl exec --state picks the containers it runs in by',
        },
        engine: {
          '--tls-ca': 'the certificate authority trusted for the stream (a file of this machine)',
          '--tls-cert': 'the certificate presented for the stream (a file of this machine)',
          '--tls-key': 'the key presented for the stream (a file of this machine)',
        },
        leading: true,
        operand: (p, _c, given) =>
          p === (CRICTL_EXEC_FILTERS.some((o) => given.has(o)) ? 0 : 1) ? 'program' : undefined,
      },
      // crictl rmi [-a|--all] [-q|--prune] IMAGE…: an image id or reference.
      rmi: { does: 'removes', flags: ['-a', '--all', '-q', '--prune'], operand: image },
    },
  },
  ctr: {
    leading: true,
    engine: new Map(['-a', '--address', '-n', '--namespace'].map((o) => [o, GLOBAL_RIGHTS.nerdctl!.get(o)!])),
    globals: ['-a', '--address', '-n', '--namespace', '--timeout', '--connect-timeout'],
    flags: ['--debug', '-v', '--version'],
    // ctr's groups (and their aliases), whose next word is a command of theirs.
    groups: [
      ...['containers', 'container', 'c', 'content', 'images', 'image', 'i', 'leases', 'namespaces'],
      ...['namespace', 'ns', 'plugins', 'plugin', 'snapshots', 'snapshot', 'tasks', 'task', 't', 'oci'],
      ...['sandboxes', 'sandbox', 'sb', 'shim', 'pprof', 'deprecations'],
    ],
    commands: CTR_COMMANDS,
  },
  gcloud: {
    globals: GCLOUD_VALUES,
    flags: GCLOUD_FLAGS,
    commands: GCLOUD_COMMANDS,
    engine: GCLOUD_ENGINE,
    names: {
      '--project': { how: 'the project gcloud --project acts in', why: PROJECT_WHY, label: true },
      '--billing-project': {
        how: 'the project gcloud --billing-project bills',
        why: PROJECT_WHY,
        label: true,
      },
    },
    verbs: gcloudVerb,
    tracks: ['alpha', 'beta', 'preview'],
    argparse: true,
    optional: GCLOUD_OPTIONAL,
    // gcloud sql import|export sql|csv|bak: groups named as verbs.
    groups: ['sql import', 'sql export'],
  },
});

/** docker buildx imagetools create (-t the image it names, its operands the sources) and inspect. */
export const IMAGETOOLS: Readonly<Record<string, ImageToolCommand>> = lookupTable({
  create: {
    does: 'names',
    values: ['--annotation', '--builder', '--platform', '--progress'],
    flags: ['--append', '--dry-run', '--prefer-index', '-D', '--debug'],
    // --metadata-file: a file of this machine written, as a build's (WRITTEN_FILES).
    options: { '-t': 'image', '--tag': 'image', '-f': 'read', '--file': 'read', '--metadata-file': 'write' },
    operand: image,
  },
  inspect: {
    does: 'reads',
    values: ['--format', '--builder'],
    flags: ['--raw', '-D', '--debug'],
    operand: image,
  },
});
