// The shape of an image tool's table (IMAGE_TOOLS, CTR_COMMANDS, GCLOUD_COMMANDS): its subcommands, their
// options and the role of each operand. Types and two small constants every table uses; it imports nothing.

/**
 * What an operand or an option's value of an image tool is: an image reference (with skopeo's transport, or
 * 'repository': one without a transport), a tag alone, a path of this machine read or written, the transport
 * skopeo sync reads or writes, oc new-app's IMAGE~SOURCE (a source built on an image), or nothing read here.
 */
export type ToolRole =
  | 'image'
  | 'repository'
  | 'tag'
  | 'read'
  | 'write'
  | 'transport'
  | 'source'
  | 'program'
  // A context of the runner's kubeconfig (trivy k8s CONTEXT): checked once rendered as kubectl --context's.
  | 'context'
  | undefined;

/** A subcommand of an image tool (IMAGE_TOOLS). */
export interface ImageToolCommand {
  /** What it does with its images, for messages ("copies": "the image skopeo copy copies"). */
  does: string;
  /** Options that take a value written apart, besides the tool's global ones and `options`. */
  values?: readonly string[];
  /** Options that take no value (besides the tool's own and --help): any other option is not known here. */
  flags?: readonly string[];
  /** Options giving the container rights over this machine, and what they give (refused as docker run's). */
  rights?: Readonly<Record<string, string>>;
  /** Options choosing what it trusts or a file it uses, and what they choose: refused in the tool's own words. */
  engine?: Readonly<Record<string, string>>;
  /** Options choosing what a scanner looks at (trivy k8s --exclude-namespaces), and what they choose: refused. */
  scanner?: Readonly<Record<string, string>>;
  /** Options choosing what the image runs (crane mutate --entrypoint), and what they are: refused. */
  programs?: Readonly<Record<string, string>>;
  /** Options choosing the directory its program runs in (crane mutate --workdir): refused. */
  directories?: Readonly<Record<string, string>>;
  /** Options naming the user the container runs as: checked once rendered (userIdProblem). */
  users?: readonly string[];
  /** Options whose value is checked once rendered to be a plain name (ctr run --snapshotter). */
  names?: Readonly<Record<string, PlainCheck>>;
  /** Options choosing which containers it acts in by a pattern (crictl exec --name REGEX): refused. */
  selectors?: Readonly<Record<string, string>>;
  /** Options mounting something into the container (ctr run --mount, --device): read as docker run's. */
  mounts?: readonly string[];
  /** Options whose value is an image reference, a tag or a path. */
  options?: Readonly<Record<string, ToolRole>>;
  /** The role of the operand `word` at `position` of `count`, given the options written (a flag's is ""). */
  operand: (position: number, count: number, given: ReadonlyMap<string, string>, word: string) => ToolRole;
  /** Its options come before its operands only (ctr's): the words from the first operand on are operands. */
  leading?: true;
  /** Its switches choosing what it trusts (TRUST_SWITCHES): a template in --switch=VALUE is refused. */
  switches?: ReadonlyMap<string, string>;
}

/** A tool reading image references: its options that take a value (anywhere), and its subcommands read here. */
export interface ImageTool {
  globals: readonly string[];
  /** Its options taking no value, whatever the subcommand. */
  flags?: readonly string[];
  commands: Readonly<Record<string, ImageToolCommand>>;
  /**
   * Options (anywhere before `--`; before the subcommand only when `leading`) choosing the engine the tool talks
   * to, what it trusts or a file it reads, and what they choose: a template there is refused like docker -H.
   */
  engine?: ReadonlyMap<string, string>;
  /** Options of `engine` choosing what a scanner finds, trusts or fails on: refused in its own words. */
  scanner?: readonly string[];
  /**
   * Options of `engine` choosing the engine or daemon it talks to (crictl -r, skopeo --daemon-host): refused as
   * docker -H. The others (all of them when this is not given: ctr's, kind's are the engine's) choose what the
   * tool trusts or signs with, or a file, directory or server of its own: refused in the tool's words.
   */
  engines?: readonly string[];
  /** Options (anywhere before `--`) whose value is checked once rendered to be a plain name or a list of words. */
  names?: Readonly<Record<string, PlainCheck>>;
  leading?: true;
  /**
   * Its groups besides those of `commands` (kind delete, crane auth): command paths whose next word is a command
   * word again, so a template there would choose what the tool does.
   */
  groups?: readonly string[];
  /**
   * A tree too large to list (gcloud's): its leading bare words are groups until a verb, after the first word
   * (gcloud compute instances create: the words after create are its operands); `tracks` are the words that may
   * come first and choose no group (gcloud beta).
   */
  verbs?: (word: string) => boolean;
  tracks?: readonly string[];
  /** Its options are read as Python's argparse reads them (gcloud): no option takes a word starting with "-". */
  argparse?: true;
  /** Its options taking an optional value, and the values they take (a word that is none is not theirs). */
  optional?: ReadonlyMap<string, readonly string[]>;
}

/** An option's value checked once rendered (CheckedName 'plain'): what it is, and why a check is needed. */
export interface PlainCheck {
  how: string;
  why: string;
  label?: true;
}

export const image = (): ToolRole => 'image';

/** --help, which every tool here takes. */
export const HELP_FLAGS = ['-h', '--help'];
