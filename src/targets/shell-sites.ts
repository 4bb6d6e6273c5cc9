// What reading a shell script for `{{templates}}` reports (shell-script.ts): each template's site and quoting
// context, the checks to make on its value once rendered, and the refusals. Shared by the reading, the rendering
// and the argv checks, so it imports none of them.
import type { CheckedName } from './container-mounts.ts';
import type { JsonSlot, JsonField } from './json-arguments.ts';
import type { FileSite } from './file-reads.ts';
import type { XargsItems } from './launchers.ts';

export type TemplateContext = 'bare' | 'double' | 'single' | 'heredoc' | 'arithmetic' | 'comment';

export type ShellTemplateRefusal =
  | 'backticks'
  | 'parameter_expansion'
  | 'arithmetic'
  | 'after_dollar'
  | 'after_backslash'
  | 'quoted_heredoc'
  | 'heredoc_substitution'
  | 'heredoc_delimiter'
  | 'unterminated'
  | 'code'
  | 'stdin_code'
  | 'chooses'
  | 'substitution'
  | 'indirect' // ${!v} where v holds a value: the value names the variable read
  | 'too_complex'; // past the bound on the work of checking it (budget.ts)

export interface TemplateSite {
  name: string;
  start: number;
  end: number;
  context: TemplateContext;
  /** In the command ssh hands to the remote host's shell: the value must be one plain word (remoteValueProblem). */
  remote?: boolean;
  /**
   * In an scp or rsync operand (the word, templates unrendered): when it names a remote path once rendered, the
   * remote host's shell may read it, and the value must be one plain word (remoteValueProblem).
   */
  remotePath?: { word: string; mode: 'if-remote' | 'always'; program: string };
  /** The version appended to a fixed package name of an install (`app@{{v}}`): checked by versionValueProblem. */
  version?: boolean;
  /** In the name of a named volume a container mounts (`-v data-{{env}}:/data`): checked by volumeNameProblem. */
  volume?: boolean;
  /** In the user a container runs as (`docker run --user {{uid}}`): checked by userIdProblem. */
  containerUser?: boolean;
  /** In a network a container joins or a build's output or cache reference: checked by containerNameProblem. */
  containerName?: { check: CheckedName; word: string };
  /** In an image reference or a context reached through a variable (T=v{{x}}): checked by containerValueProblem. */
  containerValue?: CheckedName;
  /** In a helm --set argument, for this key: the value must hold none of helm's parser's characters. */
  helmSet?: { option: string; key: string };
  /** In an ansible -e argument: the value must hold no Jinja opener (extraVarsValueProblem). */
  jinja?: boolean;
  /**
   * In an unquoted here-document a program reads as a manifest or values file (kubectl apply -f - <<EOF), or in
   * an argument read as YAML or JSON (ansible -e '{…}', salt pillar='{…}'): the value must add no structure
   * (structuredValueProblem). Where it is, for messages.
   */
  structured?: string;
  /**
   * Outside any string of a job spec nomad reads (HCL: count = {{n}}): the value must hold no "//" (a comment)
   * (hclBareValueProblem), which would hide the rest of the line (a block's closing brace).
   */
  hclBare?: true;
  /** In a string or bare in another argument written as JSON (json-arguments.ts): checked by jsonValueProblem. */
  json?: { slot: JsonSlot; where: string };
  /** In an "image" field of an argument written as JSON: checked by jsonFieldProblem (the image rule). */
  jsonField?: { field: JsonField; where: string };
  /** In an aws argument in shorthand (Key=Value,…), after this option: checked by shorthandValueProblem. */
  shorthand?: string;
  /** In a make variable assignment: the value must be one plain word (makeValueProblem). */
  make?: boolean;
  /** In the body of an rpm macro definition (--define NAME BODY): no `%` nor spaces (macroValueProblem). */
  macro?: boolean;
  /**
   * In a sed script that is one s command, with this delimiter (or these, for a variable used in several): the
   * value must be a plain word (sedValueProblem).
   */
  sed?: string;
  /**
   * Fills an argument of a command from its first character (`first`), or follows such templates with nothing
   * between: what they expand to together must not start with "-".
   */
  leading?: { program: string; first: boolean; via?: string };
  /**
   * The last of the templates that start an argument right before a `"$(…)"` (`"{{a}}$(…)"`): when they are all
   * empty, the output of $(…) starts the argument, and could be read as an option.
   */
  beforeSubstitution?: boolean;
  /** The arguments it is in that a program reads a local file from (curl -d @FILE, az's @FILE): file-reads.ts. */
  fileReads?: FileSite[];
  /**
   * Written to a file GitHub reads line by line as commands ($GITHUB_ENV, $GITHUB_PATH, $GITHUB_OUTPUT,
   * $GITHUB_STATE): the value may hold no newline (githubFileProblem).
   */
  githubFile?: string;
  /**
   * Fed to xargs, which cuts what it reads into its program's arguments: the value must be one item that does
   * not start with "-" (xargsItemProblem).
   */
  xargsItem?: XargsItems;
}

export interface ShellTemplateProblem {
  reason: ShellTemplateRefusal;
  name: string;
  /** 0-based offset of the template in the script. */
  offset: number;
  message: string;
}

export type ShellTemplateAnalysis =
  | { ok: true; sites: TemplateSite[] }
  | { ok: false; sites: TemplateSite[]; problems: ShellTemplateProblem[] };

/** Variables our own code fills with a non-negative integer: the only ones allowed inside $((…)). */
export const NUMERIC_VARIABLES: readonly string[] = [
  'weight',
  'stable_weight',
  'baseline_weight',
  'batch',
  'batches',
  'instance_count',
  'surge',
];

/** The environment variable a template reads; runCommand exports every value under this name. */
export function envNameFor(variable: string): string {
  return `DEPLOY_${variable.toUpperCase()}`;
}

/**
 * What a script analysed as the body of an inline script or a function (inline-args.ts) starts with: the values
 * its positional parameters hold, the functions of the script around it, and those being read already (a
 * function calling itself is read once).
 */
export interface InlineContext {
  held: Record<string, string[]>;
  functions: ReadonlyMap<string, string>;
  /**
   * Functions being read already, each with whether every numbered parameter was taken to hold every value (as
   * when a call of it from its own body moves its parameters): then it is not read again.
   */
  visiting: ReadonlyMap<string, 'exact' | 'anywhere'>;
  /** The positional parameters (by number) that hold a fixed word of the call (positionalFixed). */
  fixed?: Readonly<Record<string, string>>;
  /**
   * Variables of the script around that hold a value where the body runs (a trap's or eval's code runs in that
   * shell; an inline script receives those it exports): held from the start, set "by the script around it".
   */
  around?: Readonly<Record<string, string[]>>;
  /** Variables (or positional parameters) holding the name of one that holds a value (HeldValues.namesOf). */
  naming?: Readonly<Record<string, { names: string[]; subscript: boolean }>>;
}
