// What reading a container runner's or an image tool's command finds (container-mounts.ts): the words whose
// template is refused at load, and the names checked once rendered. Shared by every part of that reading, so it
// imports none of them.
import { PLACEHOLDER } from './placeholder.ts';

/** A part of a mount option's value that takes no template (refused when the config loads). */
export interface MountWord {
  index: number;
  /** The templates of the word in that part. */
  names: string[];
  /** What the part is, for messages ("the host path docker run -v mounts into the container"). */
  how: string;
  /** The safe form the message offers instead, when there is one: a whole clause, VALUE where the template goes. */
  safe?: string;
  /**
   * An option giving the container rights over this machine, or its environment (PRIVILEGE_OPTIONS): 'rights';
   * a global option choosing the engine, what it trusts or a file it reads (GLOBAL_RIGHTS): 'engine';
   * a build's option giving it something of this machine (BUILD_RIGHTS): 'build'; an image reference whose
   * registry, owner or whole name the template chooses (imageReferenceRefusal): 'image'; an image tool's (or a
   * pull's or push's) option choosing what it trusts or signs with, or a file, directory or server of its own
   * (cosign --certificate-identity, skopeo --tmpdir, crane pull -c, ctr --tlscacert, a --switch=VALUE): 'trust';
   * an image tool's subcommand, or a word of it after a group (trivy {{x}} fs ., ctr images {{x}}): 'subcommand'.
   */
  kind?:
    | 'rights'
    | 'engine'
    | 'build'
    | 'program'
    | 'directory'
    | 'write'
    | 'image'
    | 'unknown'
    | 'scanner'
    | 'selector'
    | 'subcommand'
    | 'pairs'
    | 'entrypoint'
    | 'cloud'
    | 'login'
    | 'deletes'
    | 'trust'
    // Where what is deployed comes from or goes, or what a deploy tool trusts (deploy-sources.ts): 'source'.
    | 'source'
    // Code a tool loads or starts, named by a path or a module's name (openssl -engine, gpg --agent-program): 'code'.
    | 'code'
    // Who a tool acts as or where it sends its credentials (kubectl --token, vault -address): 'credential'.
    | 'credential'
    // Who is granted rights, or which (aws iam attach-role-policy --role-name, --policy-arn): 'grant'.
    | 'grant';
}

export interface ContainerMounts {
  refused: MountWord[];
  /** Words whose templates are in the name of a named volume: checked once rendered (volumeNameProblem). */
  volumes: number[];
  /** Words whose templates are in the user a container runs as (--user): checked once rendered (userIdProblem). */
  users: number[];
  /**
   * Words whose templates are in a name checked once rendered (containerNameProblem): the network a container or
   * build joins (`--network app-{{env}}`), the image or cache reference of a build's output or cache.
   */
  names: Map<number, CheckedName>;
  /**
   * run/create/service create --entrypoint PROGRAM IMAGE ARGS: the word holding the program (`index`, `value` its
   * text) and the first of the arguments it gets (`from`), read as that program's command (sh … -c CODE).
   */
  entrypoint?: { index: number; value: string; from: number };
  /** docker service --args with a value in a long option: the word, and the words docker splits it into. */
  args?: { index: number; words: string[] };
}

/** A value checked once rendered to be one plain name (see CheckedName's `plain`), after `prefix`. */
export interface PlainNameCheck {
  prefix: string;
  how: string;
  why: string;
  suffix?: string;
  label?: true;
  sha?: true;
}

/**
 * A name with a template checked once rendered. 'network': the whole value (the word after `prefix`, as
 * `--network=`) must be a network name other than host; 'reference': each value in it must hold no "," "=" quote
 * or space (which would add keys to a build's --output or --cache-to: dest=, src=, type=local); 'args': each
 * value in docker service --args must hold no space, quote, backslash or # (which would add arguments).
 */
export type CheckedName =
  | { kind: 'network'; prefix: string; how: string }
  | { kind: 'reference'; how: string }
  | { kind: 'args'; how: string }
  // The image reference after `prefix` (imageReferenceProblem): each part holding a template keeps its shape.
  // (`tag`: the word is a tag alone, as crane tag's second operand.)
  | { kind: 'image'; prefix: string; how: string; tag?: true }
  // The whole value after `prefix` one plain name (a context of the runner's own config, a log tag); `why` says
  // what else a value there could do.
  // (`label`: a DNS-1123 label instead, as a Kubernetes namespace: lowercase letters, digits and '-'; `sha`: a
  // commit's SHA, 40 or 64 hex digits.)
  | ({ kind: 'plain' } & PlainNameCheck)

  // The ref of a workflow identity cosign trusts (certificateRefProblem), after `prefix`; `why` says what else a
  // value there could do (another identity, by default).
  | { kind: 'ref'; prefix: string; how: string; why?: string }
  // gcloud's KEY=VALUE,… list after `prefix` (--set-env-vars), its keys fixed: each value must keep its pair
  // (gcloudPairsProblem).
  | { kind: 'pairs'; prefix: string; how: string }
  // A value in a field of aws's shorthand (KEY=VALUE,…: aws lambda --code S3Key=): it must hold no "," "=" space,
  // quote or bracket, which would add a field (S3Bucket=).
  | { kind: 'shorthand'; how: string }
  // A value in a list split on `separator` (heroku run -e A=1;B=2), its keys fixed: it must hold no separator,
  // which would add entries of its own (LD_PRELOAD=…).
  | { kind: 'separated'; how: string; separator: string };

/** The templates in `text`. */
export function templates(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

/** A plain name: letters, digits and _ . -, not starting with "." or "-". */
export const PLAIN_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
