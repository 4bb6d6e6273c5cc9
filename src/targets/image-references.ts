// An image reference: where a template is refused (the whole image, its start, its registry host or a public
// registry's account) and the shape a value in its tag, digest or name must keep once rendered.
import { PLACEHOLDER } from './placeholder.ts';
import { templates, type ContainerMounts } from './container-sites.ts';

/**
 * The registries where the first path component after the host is an account anyone can make (Docker Hub's,
 * GitHub's, Quay's, …; Fly's app): a value there chooses whose image it is.
 */
const PUBLIC_REGISTRIES = new Set(
  ['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com', 'ghcr.io'].concat([
    'quay.io',
    'gcr.io',
    'public.ecr.aws',
    'registry.gitlab.com',
    'mcr.microsoft.com',
    'lscr.io',
    'cgr.dev',
    'docker.pkg.github.com',
    'nvcr.io',
    // Fly's registry: registry.fly.io/APP, the first component the Fly app whose image it is (any app the
    // token reaches, or one anyone can make).
    'registry.fly.io',
  ]),
);

/**
 * Google's registries named by region, where the first path component is a project anyone can create (and make
 * public): Container Registry's regional hosts (us.gcr.io, eu.gcr.io, asia.gcr.io, mirror.gcr.io) and Artifact
 * Registry's (us-central1-docker.pkg.dev/PROJECT/REPOSITORY/IMAGE).
 */
const PUBLIC_REGISTRY_HOSTS = /^(?:[a-z0-9-]+\.gcr\.io|[a-z0-9-]+-docker\.pkg\.dev)$/;

/** Whether the first path component after `host` is an account anyone can make (PUBLIC_REGISTRIES). */
function publicRegistry(host: string): boolean {
  const lower = host.toLowerCase();
  return PUBLIC_REGISTRIES.has(lower) || PUBLIC_REGISTRY_HOSTS.test(lower);
}

/** podman's and buildah's transports other than docker://, reading or writing a path of this machine. */
const LOCAL_TRANSPORTS =
  /^(dir|oci|oci-archive|docker-archive|containers-storage|docker-daemon|sif|ostree|tarball):/;

/** A part of an image reference: the registry host (or Docker Hub account), an account, a name, tag or digest. */
interface ImagePart {
  part: 'registry' | 'owner' | 'name' | 'tag' | 'digest';
  text: string;
}

/**
 * The parts of an image reference (templates unrendered), cut at its fixed `/`, `:` and `@` only:
 * [REGISTRY/][OWNER/]NAME/…[:TAG][@DIGEST]. The first of several components is the registry host (or, on
 * Docker Hub, the account), the one after a public registry's host the account (docker.io/NAME alone: any of
 * Docker Hub's official images).
 */
function imageParts(reference: string): ImagePart[] {
  const masked = reference.replace(PLACEHOLDER, (m) => '\0'.repeat(m.length));
  const at = masked.indexOf('@');
  const end = at < 0 ? reference.length : at;
  const slash = masked.lastIndexOf('/', end - 1);
  const colon = masked.indexOf(':', slash + 1);
  const nameEnd = colon >= 0 && colon < end ? colon : end;
  const cuts: number[] = [];
  for (let k = 0; k < nameEnd; k++) if (masked[k] === '/') cuts.push(k);
  const components = [...cuts, nameEnd].map((cut, i) => reference.slice(i === 0 ? 0 : cuts[i - 1]! + 1, cut));
  const parts: ImagePart[] = components.map((text, i) => ({
    part:
      components.length > 1 && i === 0
        ? 'registry'
        : i === 1 && publicRegistry(components[0]!)
          ? 'owner'
          : 'name',
    text,
  }));
  if (nameEnd < end) parts.push({ part: 'tag', text: reference.slice(nameEnd + 1, end) });
  if (at >= 0) parts.push({ part: 'digest', text: reference.slice(at + 1) });
  return parts;
}

/** The reference without podman's docker:// transport. */
function withoutTransport(reference: string): string {
  return reference.startsWith('docker://') ? reference.slice('docker://'.length) : reference;
}

/**
 * Why a template in an image reference (`value`, of the runner `name`) is refused when the config loads, or
 * undefined when it is checked once rendered (imageReferenceProblem) or holds none: a template that is the whole
 * reference or starts it, or is in its registry host or a public registry's account, chooses whose image it is;
 * podman's dir:, oci:, docker-archive: … transports name a path of this machine.
 */
function imageReferenceRefusal(value: string, name: string): string | undefined {
  if (templates(value).length === 0) return undefined;
  // skopeo's transport is written first: a value there or before it chooses it (oci{{x}} given :/home/runner).
  if (name === 'skopeo' && !value.startsWith('docker://'))
    return LOCAL_TRANSPORTS.test(value) ? 'transport' : 'scheme';
  // docker://{{x}} is the whole image as much as {{x}} is.
  if (withoutTransport(value).search(PLACEHOLDER) === 0) return 'whole';
  const fixed = value.replace(PLACEHOLDER, '');
  if ((name === 'podman' || name === 'buildah') && LOCAL_TRANSPORTS.test(fixed)) return 'transport';
  const parts = imageParts(withoutTransport(value));
  if (parts.some((p) => (p.part === 'registry' || p.part === 'owner') && templates(p.text).length))
    return 'registry';
  return undefined;
}

/** Sorts a template in an image reference (the word `index`, its reference after `prefix`) into `found`. */
export function imageReference(
  found: ContainerMounts,
  index: number,
  word: string,
  prefix: string,
  name: string,
  how: string,
): void {
  const value = word.slice(prefix.length);
  const names = templates(value);
  if (names.length === 0) return;
  const refusal = imageReferenceRefusal(value, name);
  if (refusal === undefined) {
    found.names.set(index, { kind: 'image', prefix, how });
    return;
  }
  found.refused.push({
    index,
    names,
    how: `${how}, where the value would be ${refusalText(refusal)}`,
    kind: 'image',
  });
}

/** What a template refused in an image reference would be (imageReferenceRefusal's answer), for messages. */
function refusalText(refusal: string): string {
  return refusal === 'whole'
    ? 'the whole image or the start of its name: its registry'
    : refusal === 'transport'
      ? 'an image of a path of this machine (a dir:, oci: or docker-archive: transport)'
      : refusal === 'scheme'
        ? 'the transport, or in it (docker:// written first; dir:, oci:, docker-archive: name a path of this machine)'
        : 'its registry host or the account of a public registry';
}

/**
 * The name= or ref= field of a build's output or cache value (`type=image,name={{x}}`) whose image a template
 * chooses (imageReferenceRefusal): the field, its key, and what the value would be, for messages.
 */
export function buildReferenceRefusal(
  value: string,
): { field: string; key: string; what: string } | undefined {
  for (const field of value.split(',')) {
    const key = /^(name|ref)=/i.exec(field)?.[1];
    if (key === undefined || templates(field).length === 0) continue;
    const refusal = imageReferenceRefusal(field.slice(key.length + 1), '');
    if (refusal !== undefined) return { field, key, what: refusalText(refusal) };
  }
  return undefined;
}

/** A name path component of an image, a tag and a digest (the distribution reference grammar's). */
const IMAGE_PART: Record<'name' | 'tag' | 'digest', [RegExp, string]> = {
  name: [
    /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/,
    'a path component of the name must be lowercase letters and digits, joined by single . or _, __ or -, and hold no "/", ":" or "@"',
  ],
  tag: [
    /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/,
    'a tag must be letters, digits and _ . - (not starting with "." or "-", at most 128), with no "/", ":" or "@"',
  ],
  digest: [/^sha256:[0-9a-f]{64}$/, 'a digest must be sha256: and 64 lowercase hexadecimal digits'],
};

/**
 * Why an image reference with a template (`word` after `prefix`, templates unrendered) is refused with these
 * values, or undefined: each part holding a template must keep its shape once rendered, since a "/", ":" or "@"
 * would make the text before it a registry host and the rest another image (`app:{{version}}` given
 * `5000/evil` is the image evil of the registry app:5000).
 */
export function imageReferenceProblem(
  check: { prefix: string; how: string; tag?: true },
  word: string,
  values: Readonly<Record<string, string | undefined>>,
): string | undefined {
  const reference = withoutTransport(word.slice(check.prefix.length));
  const render = (text: string) => text.replace(PLACEHOLDER, (_, n: string) => values[n]!);
  const parts: ImagePart[] = check.tag ? [{ part: 'tag', text: reference }] : imageParts(reference);
  for (const part of parts) {
    const names = templates(part.text);
    if (names.length === 0) continue;
    const list = names.map((n) => `{{${n}}}`).join(', ');
    const rendered = render(part.text);
    const shape = part.part === 'registry' || part.part === 'owner' ? undefined : IMAGE_PART[part.part];
    if (shape?.[0].test(rendered)) continue;
    const what = part.part === 'name' ? 'a component of the name' : `the ${part.part}`;
    return `${list} is in ${what} of ${check.how} (${reference}), which is ${JSON.stringify(rendered)} once rendered, making the ${check.tag ? 'tag' : 'image'} ${JSON.stringify(render(reference))}: ${shape?.[1] ?? 'the registry and account are written in the config'}, since a "/", ":" or "@" would make the text before it a registry host and the rest another image (app:5000/evil is the image evil of the registry app:5000); write other images in the config, a command per environment`;
  }
  return undefined;
}

/**
 * The image rule on an image reference's text alone (an "image" field of a JSON argument): what a template there
 * would be when it is refused at config load (the whole image, its registry or account), or undefined.
 */
export function imageTextRefusal(text: string): string | undefined {
  const refusal = imageReferenceRefusal(text, '');
  return refusal === undefined ? undefined : refusalText(refusal);
}

/** Why an image reference's text (`how` it is used), rendered with `values`, is refused, or undefined. */
export function imageTextProblem(
  text: string,
  how: string,
  values: Readonly<Record<string, string | undefined>>,
): string | undefined {
  if (templates(text).some((name) => values[name] === undefined)) return undefined; // said elsewhere
  return imageReferenceProblem({ prefix: '', how }, text, values);
}
