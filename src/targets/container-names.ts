// The checks once rendered of the names found in a container command (CheckedName): a network, a build's output,
// an image part, a plain name or label, a certificate ref, gcloud pairs, aws shorthand. Pure.
import { shorthandBreaker } from './aws-shorthand.ts';
import { type CheckedName, templates, type PlainNameCheck, PLAIN_NAME } from './container-sites.ts';
import { imageReferenceProblem } from './image-references.ts';
import { certificateRefProblem } from './image-tool-command.ts';
import { gcloudPairsProblem } from './gcloud-commands.ts';
import { NETWORK_NAME } from './mount-values.ts';
import { PLACEHOLDER } from './placeholder.ts';
import { DNS_LABEL } from './context-names.ts';

/** A value in a field of aws's shorthand (CheckedName's 'shorthand'): one that would add a field. */
function shorthandProblem(
  how: string,
  names: readonly string[],
  values: Readonly<Record<string, string | undefined>>,
): string | undefined {
  for (const name of names) {
    const bad = shorthandBreaker(values[name]!);
    if (bad !== undefined)
      return `{{${name}}} is in ${how}, and its value holds ${JSON.stringify(bad)}: a value there must hold no "," "=" space, quote or bracket, since aws would read another field (S3Bucket=: any account's bucket); write other fields in the config`;
  }
  return undefined;
}

/**
 * Why a name checked once rendered (`check`, in the word `word`, templates unrendered) is refused with these
 * values, or undefined: a network must be a plain network name other than host; a value in a build's output or
 * cache reference must hold no "," "=" quote or space, which would add keys (dest=, src=, type=local).
 */
export function containerNameProblem(
  check: CheckedName,
  word: string,
  values: Readonly<Record<string, string | undefined>>,
): string | undefined {
  const names = [...word.matchAll(PLACEHOLDER)].map((m) => m[1]!);
  if (names.some((name) => values[name] === undefined)) return undefined; // said elsewhere
  if (check.kind === 'image') return imageReferenceProblem(check, word, values);
  if (check.kind === 'plain') return plainNameProblem(check, word, values);
  if (check.kind === 'ref') return certificateRefProblem(check, word, values);
  if (check.kind === 'pairs') return gcloudPairsProblem(check, word, values);
  if (check.kind === 'shorthand') return shorthandProblem(check.how, names, values);
  if (check.kind === 'separated') {
    const name = names.find((n) => values[n]!.includes(check.separator));
    return name === undefined
      ? undefined
      : `{{${name}}} is in ${check.how}, and its value holds ${JSON.stringify(check.separator)}: the list is split there, so the value would add entries of its own (LD_PRELOAD=…, NODE_OPTIONS=…: code the program runs); a value there may hold no ${JSON.stringify(check.separator)}, so write other entries in the config`;
  }
  const list = names.map((n) => `{{${n}}}`).join(', ');
  if (check.kind === 'network') {
    const rendered = word.slice(check.prefix.length).replace(PLACEHOLDER, (_, name: string) => values[name]!);
    if (NETWORK_NAME.test(rendered) && rendered.toLowerCase() !== 'host') return undefined;
    return `${list} is in ${check.how}, and the network is ${JSON.stringify(rendered)} once rendered: it must be a network name (letters, digits and _ . -, not starting with "." or "-") other than host, since host gives the container the network of this machine and container:NAME or ns:PATH another's; write such a network in the config`;
  }
  if (check.kind === 'args')
    for (const name of names) {
      const bad = [...values[name]!].find((c) => /[\s"'`\\#]/.test(c));
      if (bad !== undefined)
        return `{{${name}}} is in ${check.how}, and its value holds ${JSON.stringify(bad)}: a value there must hold no space, quote, backslash or #, since docker splits the string into words and a value would add arguments; write them in the config`;
    }
  if (check.kind === 'args') return undefined;
  for (const name of names) {
    const bad = [...values[name]!].find((c) => /[\s,="'`\\]/.test(c));
    if (bad !== undefined)
      return `{{${name}}} is in ${check.how}, and its value holds ${JSON.stringify(bad)}: a value there must hold no "," "=" quote or space, since they would add keys (dest=, src=, type=local: a directory of this machine); write other outputs or caches in the config`;
  }
  // name= and ref= name an image: each part holding a value keeps its shape (imageReferenceProblem).
  const fields = word.split(',');
  if (/^-/.test(fields[0]!)) fields[0] = fields[0]!.replace(/^-[^=]*=/, '');
  for (const field of fields) {
    const key = /^(name|ref)=/i.exec(field)?.[0];
    if (key === undefined || templates(field).length === 0) continue;
    const problem = imageReferenceProblem(
      { prefix: key, how: `the image ${check.how.replace(/^the image or cache reference /, '')}` },
      field,
      values,
    );
    if (problem) return problem;
  }
  return undefined;
}

/** Why a value checked to be one plain name (a context, a log tag; a namespace: one DNS-1123 label) is refused, or undefined. */
function plainNameProblem(
  check: PlainNameCheck,
  word: string,
  values: Readonly<Record<string, string | undefined>>,
): string | undefined {
  const own = word.slice(check.prefix.length, word.length - (check.suffix?.length ?? 0));
  const rendered = own.replace(PLACEHOLDER, (_, n: string) => values[n]!);
  const list = templates(own)
    .map((n) => `{{${n}}}`)
    .join(', ');
  if (check.sha)
    return /^([0-9a-f]{40}|[0-9a-f]{64})$/.test(rendered)
      ? undefined
      : `${list} is in ${check.how}, which is ${JSON.stringify(rendered)} once rendered: a value there must make one commit's SHA (40 or 64 lowercase hex digits), ${check.why}`;
  if (check.label)
    return DNS_LABEL.test(rendered)
      ? undefined
      : `${list} is in ${check.how}, which is ${JSON.stringify(rendered)} once rendered: a value there must make one DNS-1123 label (lowercase letters, digits and -, at most 63, starting and ending with a letter or digit), ${check.why}`;
  if (PLAIN_NAME.test(rendered)) return undefined;
  return `${list} is in ${check.how}, which is ${JSON.stringify(rendered)} once rendered: a value there must make one plain name (letters, digits and _ . -, not starting with "." or "-"), ${check.why}`;
}

/** The characters of a part of an image reference or a plain name that a variable may stand in (no / : @). */
const NAME_CHARACTERS = /^[A-Za-z0-9_.-]*$/;

/**
 * Whether a variable set from this text (templates unrendered) may stand in a checked image reference or
 * context (`TAG=v{{version}}; docker run app:$TAG`): its fixed text holds no "/", ":" or "@", so the word's
 * shape is its own fixed text's; each value in it is then checked (containerValueProblem).
 */
export function containerLiteralFits(check: CheckedName, literal: string): boolean {
  return (
    (check.kind === 'image' || (check.kind === 'plain' && !check.sha)) &&
    NAME_CHARACTERS.test(literal.replace(PLACEHOLDER, ''))
  );
}

/**
 * Why a value reaching a checked image reference or context through a variable is refused, or undefined: the
 * whole word is not rendered here, so each value must hold only letters, digits and _ . - and not start with "."
 * or "-", which keeps the reference's parts and a name's one word.
 */
export function containerValueProblem(check: CheckedName, name: string, value: string): string | undefined {
  if (check.kind !== 'image' && check.kind !== 'plain') return undefined;
  if (check.kind === 'plain' && check.label)
    return /^[a-z0-9][a-z0-9-]{0,62}$/.test(value)
      ? undefined
      : `{{${name}}} is in ${check.how} through a variable, and its value ${JSON.stringify(value)} is not lowercase letters, digits and - (not starting with "-"), which a namespace is made of: ${check.why}`;
  if (PLAIN_NAME.test(value)) return undefined;
  return `{{${name}}} is in ${check.how} through a variable, and its value ${JSON.stringify(value)} is not letters, digits and _ . - (not starting with "." or "-"): a "/", ":" or "@" would make another image (app:5000/evil is the image evil of the registry app:5000) and anything else another name; write a digest or other images in the config, or write the template itself in the word`;
}
