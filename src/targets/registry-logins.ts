// The commands logging in to a registry (docker login SERVER, crane auth login, helm registry login, …): the
// server the credentials are sent to refuses a template.
import { type ContainerMounts, templates } from './container-sites.ts';
import { IMAGE_TOOLS } from './image-tools.ts';
import { GLOBAL_RIGHTS, GLOBAL_VALUES } from './container-options.ts';
import { lookupTable } from './lookup-table.ts';

/**
 * The commands logging in to a registry (docker login [SERVER], podman, buildah, nerdctl, skopeo, cosign and oras
 * login, crane auth login, trivy, helm and regctl registry login; gcloud auth configure-docker REGISTRIES, which
 * has docker send gcloud's token to them): their path, and the options taking a value besides the tool's global
 * ones. The username they send may take a value (the registry is fixed, and checks it against the password);
 * the password comes from --password-stdin or a secret.
 */
const LOGINS: Readonly<Record<string, { path: readonly string[]; values: readonly string[] }>> = lookupTable({
  docker: { path: ['login'], values: ['-u', '--username', '-p', '--password'] },
  nerdctl: { path: ['login'], values: ['-u', '--username', '-p', '--password'] },
  podman: {
    path: ['login'],
    values: ['-u', '--username', '-p', '--password', '--authfile', '--cert-dir', '--compat-auth-file'].concat(
      '--secret',
    ),
  },
  buildah: {
    path: ['login'],
    values: ['-u', '--username', '-p', '--password', '--authfile', '--cert-dir', '--compat-auth-file'],
  },
  skopeo: {
    path: ['login'],
    values: ['-u', '--username', '-p', '--password', '--authfile', '--cert-dir', '--compat-auth-file'],
  },
  cosign: { path: ['login'], values: ['-u', '--username', '-p', '--password'] },
  crane: { path: ['auth', 'login'], values: ['-u', '--username', '-p', '--password'] },
  oras: {
    path: ['login'],
    values: [
      '-u',
      '--username',
      '-p',
      '--password',
      '--identity-token',
      '--registry-config',
      '--ca-file',
    ].concat(['--cert-file', '--key-file', '--resolve']),
  },
  trivy: { path: ['registry', 'login'], values: ['-u', '--username', '-p', '--password'] },
  helm: {
    path: ['registry', 'login'],
    values: ['-u', '--username', '-p', '--password', '--cert-file', '--key-file', '--ca-file'].concat([
      '-n',
      '--namespace',
      '--kube-context',
      '--kubeconfig',
      '--registry-config',
      '--repository-config',
      '--repository-cache',
    ]),
  },
  regctl: {
    path: ['registry', 'login'],
    values: ['-u', '--user', '-p', '--pass', '--host', '-v', '--verbosity'],
  },
  gcloud: { path: ['auth', 'configure-docker'], values: [] },
});

/**
 * A registry login's server (`words[at]`, named `name`, in LOGINS): the registry the credentials are sent to. A
 * template there is refused into `found`: a value could send the password (or gcloud's token) to a server of its
 * own. A word after an option not known here is read as the server too (a false refusal rather than a miss).
 */
export function registryLogin(
  found: ContainerMounts,
  words: readonly string[],
  at: number,
  name: string,
): void {
  const login = LOGINS[name];
  if (!login) return;
  const tool = IMAGE_TOOLS[name];
  const values = [
    ...login.values,
    ...(tool ? [...tool.globals, ...(tool.engine?.keys() ?? [])] : []),
    ...(GLOBAL_RIGHTS[name]?.keys() ?? []),
    ...(GLOBAL_VALUES[name] ?? []),
  ];
  let matched = 0;
  for (let k = at + 1; k < words.length; k++) {
    const word = words[k]!;
    if (word === '--') continue;
    if (word.startsWith('-') && word !== '-') {
      if (
        !word.includes('=') &&
        (values.includes(word) || tool?.optional?.get(word)?.includes(words[k + 1] ?? ''))
      )
        k++;
      continue;
    }
    if (matched < login.path.length) {
      if (word === login.path[matched]) matched++;
      else if (!(name === 'gcloud' && matched === 0 && ['alpha', 'beta', 'preview'].includes(word))) return;
      continue;
    }
    const names = templates(word);
    if (names.length)
      found.refused.push({
        index: k,
        names,
        how: `the registry ${[name, ...login.path].join(' ')} ${name === 'gcloud' ? "has docker send gcloud's access token to" : 'sends the credentials to'}`,
        kind: 'login',
      });
    return;
  }
}
