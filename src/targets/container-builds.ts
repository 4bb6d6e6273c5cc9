// Builds (docker build, buildx build and bake, podman/buildah build): the options giving the RUN steps rights or
// naming a file, the outputs and caches named once rendered, and the builder buildx builds with.
import { templates, type ContainerMounts } from './container-sites.ts';
import { PLACEHOLDER } from './placeholder.ts';
import { imageReference, buildReferenceRefusal } from './image-references.ts';
import { mountValue } from './mount-values.ts';
import { options } from './container-options.ts';
import { lookupTable } from './lookup-table.ts';

/**
 * docker build (buildx build, image build), podman and nerdctl build, buildah bud/build: options that take a
 * value written apart (the others are skipped as operands: their options may follow the context).
 */
export const BUILD_VALUES: readonly string[] = [
  ...['-t', '--tag', '-f', '--file', '--build-arg', '--label', '--target', '--platform', '-o', '--output'],
  ...['--cache-from', '--cache-to', '--secret', '--ssh', '--allow', '--network', '--add-host', '--iidfile'],
  ...['--security-opt', '--metadata-file', '--progress', '--builder', '--build-context', '--annotation'],
  ...['--attest', '--shm-size', '--ulimit', '--cgroup-parent', '-m', '--memory', '--memory-swap', '-c'],
  ...['--cpu-shares', '--cpu-period', '--cpu-quota', '--cpuset-cpus', '--cpuset-mems', '--isolation'],
  ...['-v', '--volume', '--device', '--cap-add', '--cap-drop', '--runtime', '--userns', '--userns-uid-map'],
  ...['--userns-gid-map', '--format', '--authfile', '--creds', '--sign-by', '--jobs', '--pid', '--ipc'],
  ...['--uts', '--cgroupns', '--os', '--arch', '--variant', '--from', '--env', '--unsetenv', '--timestamp'],
  ...['--decryption-key', '--retry', '--manifest', '--hooks-dir', '--runtime-flag', '--cache-ttl', '--call'],
  // podman's and buildah's own (podman-build(1), buildah-build(1)).
  ...['--dns', '--dns-option', '--dns-search', '--group-add', '--logfile', '--cert-dir', '--retry-delay'],
  ...['--source-date-epoch', '--unsetlabel', '--cpp-flag', '--os-version', '--os-feature', '--cw'],
  ...['--sbom', '--sbom-output', '--sbom-image-output', '--sbom-purl-output', '--sbom-scanner-image'],
  ...['--sbom-scanner-command', '--sbom-merge-strategy', '--sbom-image-purl-output', '--no-cache-filter'],
];

/** Build options whose value gives the build's RUN steps rights, or names a file read or written here. */
const BUILD_RIGHTS: ReadonlyMap<string, string> = new Map([
  ['--allow', 'the entitlements (security.insecure: privileged RUN steps; network.host)'],
  ['--secret', 'the secret its RUN steps read (src=: any file of this machine; env=: any variable)'],
  ['--ssh', 'the ssh agent socket or key its RUN steps use'],
  ['-o', 'where its result is written (dest=: any directory of this machine)'],
  ['--output', 'where its result is written (dest=: any directory of this machine)'],
  ['--cache-to', 'where its cache is written (dest=: any directory of this machine)'],
  ['--cache-from', 'the cache whose layers stand for the results of its RUN steps (src=: a directory)'],
  ['--runtime-flag', 'the flags of the OCI runtime (its root, its criu program)'],
]);

/** The keys of a build's --output, --cache-to or --cache-from that name an image or cache, not a place here. */
const REFERENCE_KEYS = new Set(['name', 'ref', 'scope', 'tag']);

/**
 * Whether the templates of a build's -o/--output, --cache-to or --cache-from value (unrendered) are all in the
 * value of a name=, ref=, scope= or tag= key (`type=registry,ref=registry/app:cache-{{env}}`), or after fixed
 * text in --cache-from's image reference (`registry/app:{{env}}`): checked once rendered to add no key
 * (containerNameProblem). A template in type=, dest=, src=, another key or a whole value chooses a place of
 * this machine (type=local,dest=DIR): refused.
 */
export function isBuildReference(option: string, value: string): boolean {
  if (!['-o', '--output', '--cache-to', '--cache-from'].includes(option)) return false;
  if (/["'\s]/.test(value.replace(PLACEHOLDER, ''))) return false;
  if (!value.includes('='))
    return option === '--cache-from' && !value.startsWith('{{') && !value.includes(',');
  return value.split(',').every((field) => {
    const eq = field.indexOf('=');
    if (eq < 0) return templates(field).length === 0;
    return (
      templates(field.slice(0, eq)).length === 0 &&
      (templates(field.slice(eq + 1)).length === 0 || REFERENCE_KEYS.has(field.slice(0, eq).toLowerCase()))
    );
  });
}

/** Whether a template of a build's cache value is in a field naming its server (url=, endpoint_url=, account_url=). */
function cacheServer(value: string): boolean {
  return value
    .split(',')
    .some((field) => /^(url|url_v2|endpoint_url|account_url)=/i.test(field) && templates(field).length > 0);
}

/** A build's options anywhere after the subcommand (`words[at]`) up to `--`, sorted into `found`. */
export function buildOptions(
  found: ContainerMounts,
  words: readonly string[],
  at: number,
  command: string,
): void {
  const check = (index: number, option: string, value: string) => {
    const rights = BUILD_RIGHTS.get(option);
    const names = templates(value);
    // --build-arg BUILDKIT_SYNTAX=IMAGE: the frontend image that runs the build (as a Dockerfile's # syntax=).
    if (option === '--build-arg' && /^BUILDKIT_SYNTAX=/.test(value) && names.length)
      found.refused.push({
        index,
        names,
        how: `the frontend image that runs the build (it reads the Dockerfile, the context, and the secrets and ssh keys the build is given), which ${command} --build-arg BUILDKIT_SYNTAX= chooses`,
        kind: 'build',
      });
    // --build-arg HTTP_PROXY=… (HTTPS_, FTP_, NO_, ALL_PROXY, in any case): Docker's predefined proxy args,
    // given to every RUN step without an ARG: the proxy each download of the build goes through (or bypasses).
    else if (
      option === '--build-arg' &&
      names.length &&
      (/^(https?|ftp|no|all)_proxy=/i.test(value) ||
        !/^[^=]*=/.test(value.replace(PLACEHOLDER, '')) ||
        value.search(PLACEHOLDER) < value.indexOf('='))
    )
      found.refused.push({
        index,
        names,
        how:
          value.search(PLACEHOLDER) < value.indexOf('=') || !value.includes('=')
            ? `the name of the build argument ${command} --build-arg sets, which could be a proxy every download of the build's RUN steps goes through (HTTP_PROXY=…) or the frontend that runs the build (BUILDKIT_SYNTAX=…)`
            : `the proxy every download of the build's RUN steps goes through (Docker gives HTTP_PROXY, HTTPS_PROXY, FTP_PROXY, NO_PROXY and ALL_PROXY to them without an ARG: a proxy of its choosing sees and changes what they fetch), which ${command} --build-arg ${value.slice(0, value.indexOf('='))}= chooses`,
        kind: 'source',
      });
    // -t/--tag: the image it names, pushed there with --push (or a later docker push).
    else if (option === '-t' || option === '--tag') {
      const word = words[index]!;
      const prefix = word.slice(0, word.length - value.length);
      imageReference(
        found,
        index,
        word,
        prefix,
        command.split(' ')[0]!,
        `the image ${command} ${option} names`,
      );
    } else if (!rights) mountValue(found, index, option, value, command, words[index]!);
    else if (names.length && option === '--cache-from' && !value.includes('=')) {
      // An image whose layers stand for the results of the RUN steps: its registry and name fixed.
      const word = words[index]!;
      const prefix = word.slice(0, word.length - value.length);
      const how = `the image ${command} ${option} takes its cache from`;
      imageReference(found, index, word, prefix, command.split(' ')[0]!, how);
    } else if (names.length && isBuildReference(option, value)) {
      // name= and ref= are images (where the result or cache is pushed, or read from): as for -t.
      const image = buildReferenceRefusal(value);
      if (image) {
        const how = `the image ${command} ${option} ${image.key}= names`;
        imageReference(found, index, image.field, `${image.key}=`, '', how);
      } else
        found.names.set(index, {
          kind: 'reference',
          how: `the image or cache reference ${command} ${option} names`,
        });
    } else if (names.length && (option === '--cache-from' || option === '--cache-to') && cacheServer(value))
      // type=gha,url=…, type=s3,endpoint_url=…, type=azblob,account_url=…: a cache server elsewhere.
      found.refused.push({
        index,
        names,
        how: `the cache server ${command} ${option} chooses (url=, endpoint_url=, account_url=: a server elsewhere, which gets the token or keys sent to it and, read from, gives the layers that stand for the results of the RUN steps)`,
        kind: 'trust',
      });
    else if (names.length)
      found.refused.push({
        index,
        names,
        how: `${rights}, which ${command} ${option} chooses`,
        kind: 'build',
      });
  };
  for (let k = at + 1; k < words.length && words[k] !== '--'; k++)
    if (words[k]!.startsWith('-') && words[k] !== '-') k = options(words, k, BUILD_VALUES, check) - 1;
}

/** What a buildx builder is, for messages: the engine that builds. */
const BUILDER_HOW =
  'the buildx builder (a BuildKit daemon, on another machine with the remote, kubernetes or docker-container driver, which gets the build context, its secrets and the registry credentials, and makes the image)';

/** docker buildx create's options choosing where and how its builder runs, and what they choose. */
const BUILDX_CREATE: Readonly<Record<string, string>> = lookupTable({
  '--driver':
    'the driver of the builder (remote: a BuildKit daemon elsewhere; kubernetes: pods of a cluster)',
  '--driver-opt':
    "the driver's options (its image, network=host, the certificates and key it presents, the cluster it runs in)",
  '--buildkitd-config':
    'the config of the BuildKit daemon (a file of this machine: its registries, mirrors, insecure entitlements)',
  '--config':
    'the config of the BuildKit daemon (a file of this machine: its registries, mirrors, insecure entitlements)',
  '--buildkitd-flags':
    "the BuildKit daemon's flags (--allow-insecure-entitlement security.insecure: privileged steps)",
});

/**
 * docker buildx's builder (`words[j]` is its subcommand, `from` the word after buildx): --builder NAME anywhere (before `--`), buildx use NAME
 * (the builder later builds use), buildx create [CONTEXT|ENDPOINT] and its options choosing the driver and the
 * daemon's config: a template there is refused as docker -H is, since the builder gets the context, the
 * build's secrets and the credentials of the registries it pushes to, and makes the image.
 */
export function buildxBuilder(
  found: ContainerMounts,
  words: readonly string[],
  from: number,
  j: number,
  name: string,
  group?: string,
): void {
  const command = `${name} ${group ? `${group} ` : ''}${words[j] ?? ''}`.trim();
  const refuse = (index: number, value: string, how: string) => {
    const names = templates(value);
    if (names.length) found.refused.push({ index, names, how, kind: 'engine' });
  };
  const create = words[j] === 'create';
  for (let k = from; k < words.length && words[k] !== '--'; k++) {
    const word = words[k]!;
    const eq = word.startsWith('--') ? word.indexOf('=') : -1;
    const option = eq > 0 ? word.slice(0, eq) : word;
    const what = option === '--builder' ? BUILDER_HOW : create ? BUILDX_CREATE[option] : undefined;
    if (what === undefined) continue;
    if (eq > 0) refuse(k, word.slice(eq + 1), `${what}, which ${command} ${option} chooses`);
    else if (k + 1 < words.length) {
      refuse(k + 1, words[k + 1]!, `${what}, which ${command} ${option} chooses`);
      k++;
    }
  }
  // buildx use NAME, buildx create [CONTEXT|ENDPOINT]: their operands.
  if (words[j] !== 'use' && !create) return;
  const values = create ? ['--name', '--node', '--platform', ...Object.keys(BUILDX_CREATE)] : [];
  for (let k = j + 1; k < words.length; k++) {
    const word = words[k]!;
    if (word === '--') continue;
    if (word.startsWith('-')) {
      if (values.includes(word)) k++;
      continue;
    }
    refuse(
      k,
      word,
      words[j] === 'use'
        ? `${BUILDER_HOW}, which ${command} chooses for later builds`
        : `the docker context or endpoint ${command} runs the builder on (tcp://, ssh://: a machine elsewhere)`,
    );
  }
}
