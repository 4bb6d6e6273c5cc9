// `{{variable}}` templates in a `shell: true` command. A value is never written into the script: each
// template becomes a reference to the DEPLOY_* environment variable that holds it, written for the quoting
// context the template sits in ("${DEPLOY_VERSION}" bare, ${DEPLOY_VERSION} inside "…", '"${DEPLOY_VERSION}"'
// inside '…'). The shell expands a parameter exactly once and never parses its value as code, so even if this
// lexer misjudged a context the worst outcome is a wrongly split word, never a command run from a value.
// Contexts where the shell would evaluate or re-parse the expansion (`…`, ${…}, $((…)), quoted here-documents)
// or where the template's own quoting would be escaped are refused, with the offset and the safe form. So are
// templates whose value would choose what runs (launchers.ts), and those inside a substitution whose output or
// input escapes these rules: $(…) whose output is split into words, starts an argument where options are read
// or reaches a word that must be plain; >(…) or <(…) that a shell or an interpreter reads as code.
import {
  chosenWords,
  expandedPrograms,
  readsWorkingDirectory,
  readsWorkingDirectoryIn,
  xargsInputChooses,
  xargsInputWords,
  xargsItems,
  delimiterCharacter,
  type ChosenWord,
} from './launchers.ts';
import type { ChosenKind, XargsItems } from './launchers.ts';
import {
  CODE_VARIABLES,
  TRUST_VARIABLES,
  STATE_VARIABLES,
  CREDENTIAL_VARIABLES,
  isCodeVariable,
  codeVariableIn,
  codeVariableOperand,
  commandModel,
  POSIX_SHELLS,
  parallelCommand,
  parallelSplit,
  programName,
  xargsReplaceString,
  type CodeOperand,
  type CommandModel,
} from './programs.ts';
import { flyCommand } from './deploy-sources.ts';
import {
  HeldValues,
  AROUND,
  setWhere,
  pseudoName,
  refMessage,
  variableRefs,
  type Exact,
  type Held,
  type VariableRef,
} from './held-values.ts';
import { PLACEHOLDER, render, TemplateError, type TemplateValues } from './template.ts';
import { namedVariables } from './variable-names.ts';
import {
  arithmeticNames,
  commandArithmetic,
  commandAt,
  declaredAttributes,
  expandedArithmetic,
  expansionArithmetic,
  namedSubscripts,
  type ArithmeticPart,
} from './arithmetic.ts';
import { bodySubstitutions, heredocBodyEnd, joinedBody } from './heredoc-substitution.ts';
import { MANIFEST_VISITS, ManifestTooLarge, manifestFields, type BodySpot } from './manifest-fields.ts';
import { hclFields } from './hcl-fields.ts';
import { printsFileAt } from './printed-files.ts';
import { nomadFieldMessage } from './nomad-fields.ts';
import {
  argIndex,
  argName,
  argumentMessage,
  functionWord,
  isLiteralWord,
  positionalHeld,
  shellFunctions,
  unreadScriptMessage,
} from './inline-args.ts';
import { pinExample, versionValueProblem } from './package-installs.ts';
import {
  type CheckedName,
  containerLiteralFits,
  containerMounts,
  containerNameProblem,
  containerValueProblem,
  isVolumeNameText,
  userIdProblem,
  userVariableMessage,
  volumeNameProblem,
  volumeVariableMessage,
} from './container-mounts.ts';
import { envsubstFormat, envsubstMessage, formatVariables } from './envsubst.ts';
import {
  helmInKey,
  helmKeyAt,
  helmSetFileMessage,
  helmSetKeyMessage,
  helmSetValueProblem,
} from './helm-values.ts';
import {
  connectionVariableAt,
  connectionVariableMessage,
  extraVarsArgument,
  extraVarsFileMessage,
  extraVarsValueProblem,
  inStructuredKey,
  inYamlKey,
  structuredKeyMessage,
} from './ansible-vars.ts';
import {
  jsonArgument,
  jsonFieldMessage,
  jsonFieldProblem,
  jsonKeyMessage,
  isJsonImageField,
  jsonValueProblem,
  type JsonArgument,
  type JsonField,
  type JsonSlot,
} from './json-arguments.ts';
import { shorthandValueProblem } from './aws-shorthand.ts';
import {
  fileChosenMessage,
  fileClasses,
  fileDoing,
  fileReadProblem,
  fileUnknownMessage,
  shellFileClasses,
  fileViaProblem,
  holdsMarker,
  remoteFileReads,
  type FileRead,
  type FileSite,
} from './file-reads.ts';
import { addFileWrites, redirectionOperator, redirectionRead, remoteFileWrites } from './file-writes.ts';
import { charge, TOO_COMPLEX_MESSAGE, withinBudget } from './budget.ts';
import {
  curlConfig,
  curlConfigWhy,
  expandedProgramWhy,
  DIRECTORY_VARIABLE,
  programLiterals,
  programUnsure,
  remoteStdinProblems,
  remoteStdinRoute,
  stdinConfigReader,
  argFileStdin,
  parallelInputFile,
  parallelReadsStdin,
  parallelStdin,
  remoteStdinCommands,
  substitutionFileRoute,
  xargsInputFile,
} from './stdin-routes.ts';

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

const PLACEHOLDER_AT = new RegExp(PLACEHOLDER.source, 'y');
/**
 * An expansion of a variable not known here ($NAME, ${…} with no template in it, $1, $@…): it may expand to
 * nothing, so what follows it may start its word.
 */
const MAYBE_EMPTY = String.raw`\$(?:[A-Za-z_]\w*|\{[^{}]*\}|[0-9@*#?$!-])`;
/** Raw text before a template that leaves it the start of its word: quotes, and expansions that may be empty. */
const STARTS_AFTER = new RegExp(`^(?:['"]|${MAYBE_EMPTY})*$`);
/** The same before a reference: also the start of a default (`${V:-$v}`, `${V:+$v}`), which may expand to it. */
const REF_STARTS_AFTER = new RegExp(String.raw`^(?:['"]|${MAYBE_EMPTY})*(?:\$\{\w+:?[-=+])?$`);
/** A word as its program reads it (quotes removed) that a template starts, or follows such expansions only. */
const TEMPLATE_STARTS = new RegExp(String.raw`^(?:${MAYBE_EMPTY})*(?:\$\{\w+:?[-=+])?\{\{`);
const OPERATOR_CHARS = ';&|<>()';
// Reserved words after which the next word is again a command (so `case`/`esac` there are keywords).
const KEEPS_COMMAND_POSITION = new Set(['then', 'do', 'else', 'elif', 'if', 'while', 'until', '!', '{', '}']);
// Reserved words that open and close a compound command, whose commands' output is piped as one (`{ …; } | sh`).
const COMPOUND_OPENERS = new Set(['{', 'if', 'for', 'while', 'until', 'select', 'case']);
const COMPOUND_CLOSERS = new Set(['}', 'fi', 'done', 'esac']);
// Builtins whose NAME=VALUE arguments are assignments: a $(…) there is not split into words.
const DECLARATIONS = new Set(['export', 'local', 'readonly', 'declare', 'typeset']);
const ASSIGNMENT = /^[A-Za-z_]\w*(\[[^\]]*\])?\+?=/;
/** Programs that run the command after them in their own environment (env without -i): an inline shell there gets it. */
const KEEPS_ENVIRONMENT = new Set(
  [
    'nohup',
    'timeout',
    'nice',
    'ionice',
    'setsid',
    'stdbuf',
    'time',
    'xargs',
    'exec',
    'command',
    'builtin',
  ].concat(['env', 'flock', 'chronic', 'unbuffer']),
);
const newScriptFrame = (closer: ')' | undefined, sub?: OpenSubstitution): Frame => ({
  kind: 'script',
  closer,
  ...(sub && { sub }),
  commands: [],
  parens: 0,
  cases: 0,
  commandPosition: true,
  command: { words: [] },
  wordStart: -1,
  nextRole: 'arg',
  levels: [{ commands: [], fed: false }],
  pipedIn: false,
});

/** A word of a simple command: its span in the script, and whether a redirection or here-string takes it. */
interface Word {
  start: number;
  end: number;
  role: 'arg' | 'redirect' | 'herestring';
}

/**
 * A command substitution ($(…): its output becomes words of the command) or a process substitution (<(…), >(…):
 * a file name in the command, whose contents the inside writes, or reads).
 */
interface OpenSubstitution {
  kind: '$' | '<' | '>';
  /** Offset of its "$", "<" or ">". */
  start: number;
  /** Inside "…": its output is one word, not split into words and expanded as a glob. */
  quoted: boolean;
}
interface Substitution extends OpenSubstitution {
  /** Offset after its ")". */
  end: number;
  /** The program inside that reads its standard input as code (>(sh)), if any. */
  reader?: string;
  /** Why what that program reads takes no value, when not as code (its stdinWhy). */
  readerWhy?: string;
}

/** The simple command being read in a script frame (its words), and the model made of it once it ends. */
interface SimpleCommand {
  words: Word[];
  /** Substitutions in its words. */
  subs?: Substitution[];
  model?: CommandModel;
  /** The words the model is of (assignments and reserved words before the program left out). */
  args?: Word[];
  /** The assignments before the program (v={{x}} bash -c '…'), which set its environment. */
  prefix?: Word[];
  /** The program its output is piped into, when that program reads its standard input as code. */
  pipedIntoCode?: string;
  /** The command its output is piped into. */
  pipedInto?: SimpleCommand;
  /** The file of GitHub's its output is written to ($GITHUB_ENV…), when it is one (githubFileProblem). */
  githubFile?: string;
  /** What xargs reads lands in these words, checked once rendered (xargsDirectChecks). */
  xargsChecks?: NonNullable<XargsItems['checks']>;
  /**
   * Why a value in its standard input is refused, when it reads that input as something other than code (what
   * xargs puts where a file is named, a config curl reads): the clause after "fed to PROGRAM, ".
   */
  stdinWhy?: string;
  /**
   * A compound command's closer (`}`, `done`, `fi`, `esac`) whose standard input a command inside reads as code
   * (`{ sh; } <<EOF`): that command's program, named in place of the closer.
   */
  compoundReader?: string;
  /**
   * A compound command's closer, or a subshell's redirections: the commands inside it, which read its standard
   * input (`{ kubectl apply -f -; } <<EOF` reads the here-document as a manifest).
   */
  inside?: SimpleCommand[];
}

type Frame =
  | {
      kind: 'script';
      closer: ')' | undefined;
      /** What the frame is the inside of, when it is a substitution. */
      sub?: OpenSubstitution;
      /** Every simple command read in it so far. */
      commands: SimpleCommand[];
      parens: number;
      cases: number;
      commandPosition: boolean;
      command: SimpleCommand;
      wordStart: number;
      nextRole: Word['role'];
      /**
       * The script, then each compound command open in it (( … ), { … }, if, for, while, until, select, case):
       * the commands of its current pipeline so far (those inside its compound commands too), whose output may
       * reach a later command's standard input, and whether the compound's own standard input is a pipe.
       */
      levels: Array<{ commands: SimpleCommand[]; fed: boolean }>;
      /** Whether the next command's standard input is a pipe. */
      pipedIn: boolean;
      /**
       * A subshell ( … ) just closed: the commands inside it, for its redirections (`(bash) <<EOF`), which the
       * next command holds; cleared when that command ends.
       */
      closedSubshell?: SimpleCommand[];
      /** Inside the ( … ) of an array assignment (a=(x y), declare -a a=(…)): one word, to its ")". */
      array?: boolean;
    }
  | { kind: 'double' }
  | { kind: 'param'; braces: number }
  | { kind: 'arith'; closer: '))' | ']'; depth: number; start: number; where: string }
  | { kind: 'backtick' };

interface PendingHeredoc {
  delimiter: string;
  quoted: boolean;
  stripTabs: boolean;
  /** The command whose standard input it is. */
  command: SimpleCommand;
}

/**
 * Whether the script exports the variable `name` (export NAME, declare/typeset/local -x NAME, readonly -x), or
 * exports every variable it sets (set -a, set -o allexport): then a plain NAME=… sets it for later programs too.
 */
function exportsVariable(script: string, name: string): boolean {
  const escaped = name.replace(/[^\w]/g, '');
  return (
    /(?:^|[\s;&|(])set\s+(?:-\w*a|-o\s+allexport)\b/.test(script) ||
    new RegExp(
      `(?:^|[\\s;&|(])(?:export|(?:declare|typeset|local|readonly)\\s+(?:-\\w+\\s+)*-\\w*x)\\b[^;&|\\n]*?(?:^|[\\s"'])${escaped}(?![\\w])`,
    ).test(script)
  );
}

/** The environment variable a template reads; runCommand exports every value under this name. */
export function envNameFor(variable: string): string {
  return `DEPLOY_${variable.toUpperCase()}`;
}

function refusalMessage(reason: ShellTemplateRefusal, name: string, offset: number): string {
  const at = `{{${name}}} (character ${offset + 1})`;
  const env = `"$${envNameFor(name)}"`;
  switch (reason) {
    case 'backticks':
      return `${at} is inside backticks, where quoting cannot protect a value: write $(…) instead of \`…\``;
    case 'parameter_expansion':
      return `${at} is inside \${…}, where its quoting would be taken literally: use the exported ${env} there instead`;
    case 'arithmetic':
      return `${at} is inside $((…)) or ((…)), which evaluate a value as an expression: only ${NUMERIC_VARIABLES.join(', ')} may be used there; compare other values as strings (${env})`;
    case 'after_dollar':
      return `${at} follows a "$": write {{${name}}} alone, it is substituted as one quoted word`;
    case 'after_backslash':
      return `${at} follows a backslash, which would escape its quoting: remove the backslash`;
    case 'quoted_heredoc':
      return `${at} is inside a quoted here-document (<<'EOF'), where nothing is substituted: use an unquoted delimiter (<<EOF) or read ${env}`;
    case 'heredoc_substitution':
      return `${at} is inside a command substitution in a here-document, where its quoting is not known: use ${env} there instead`;
    case 'heredoc_delimiter':
      return `${at} is a here-document delimiter: write a fixed delimiter`;
    case 'unterminated':
      return `the command has an unterminated quote, $(…), \${…} or \`…\`, so the quoting around ${at} is unknown: close it`;
    case 'code':
    case 'stdin_code':
      return `${at} is where a program would run its value as code`;
    case 'chooses':
      return `${at} would choose which program or script runs`;
    case 'substitution':
      return `${at} is inside a command substitution whose output no check can see`;
    case 'indirect':
      return `${at} is read through \${!…}, which reads the variable its value names`;
    case 'too_complex':
      return TOO_COMPLEX_MESSAGE;
  }
}

/**
 * Why a template in a word some program runs as code is refused, and the safe form. `starter`: how the shell
 * that program is was started, for a shell's -c script (undefined when the command itself is that shell).
 */
export function codeOperandMessage(operand: CodeOperand, words: readonly string[], name: string): string {
  const at = `{{${name}}}`;
  const program = words[operand.program]!;
  switch (operand.kind) {
    case 'shell':
      return operand.program > 0
        ? `${at} is inside the script of "${operand.how}", which ${words[0]} starts: a shell would run code in its value, and the DEPLOY_* variables may not reach it; ${operand.safe(name)}`
        : `${at} is inside the script of "${operand.how}": that shell would run code in its value; ${operand.safe(name)}`;
    case 'foreign-shell':
      return `${at} is inside the script of "${operand.how}", a shell whose quoting this tool does not write: a shell would run code in its value; ${operand.safe(name)}`;
    case 'interpreter':
      return `${at} is inside the code "${operand.how}" runs: ${programName(program)} would run code in its value; ${operand.safe(name)}`;
    case 'shell-wrapper':
      return `${at} is inside the command "${operand.how}" hands to a shell: that shell would run code in its value; ${operand.safe(name)}`;
    case 'split':
      return `${at} is inside the string "${operand.how}" splits into words: its value could add words and options; ${operand.safe(name)}`;
    case 'remote-option':
      return `${at} is inside the value of "${operand.how}", a command that is run: ${operand.safe(name)}`;
    case 'trust-option':
      return `${at} is in the value of "${operand.how}", which chooses what ${programName(program)} trusts or gives the host: ${operand.safe(name)}`;
    case 'eval':
      return `${at} is in the arguments of ${operand.how}, which the shell runs as code: ${operand.safe(name)}`;
    case 'builtin':
    case 'setting':
      return `${at} is ${operand.how}: ${operand.safe(name)}`;
    case 'variable':
      if (CREDENTIAL_VARIABLES.has(operand.how))
        return `${at} is in the value of the variable ${operand.how}, which programs read as ${CREDENTIAL_VARIABLES.get(operand.how)!}: its value would choose who acts (whoever's credentials it names or holds, on servers this runner reaches) or send the runner's credentials to a server of its choosing, which no check of the value can make safe; ${operand.safe(name)}`;
      if (STATE_VARIABLES.has(operand.how))
        return `${at} is in the value of the variable ${operand.how}, which programs read as ${STATE_VARIABLES.get(operand.how)!}: its value would choose which state is changed (another environment's), which no check of the value can make safe; ${operand.safe(name)}`;
      if (TRUST_VARIABLES.has(operand.how))
        return `${at} is in the value of the variable ${operand.how}, which programs read to choose the certificates they trust, or whether they check them: its value would choose what is trusted (a server of its choosing then passes for the real one, and gets what is sent); ${operand.safe(name)}`;
      return `${at} is in the value of the variable ${operand.how}, which programs read to load code or to choose the programs they run (or the config, packages or repository they use): its value would choose the code that runs; ${operand.safe(name)}`;
  }
}

/** The kinds of chosen word whose file is read as code or config: what a <(…) there writes is that code. */
const SUBSTITUTED_CODE: ReadonlySet<ChosenKind> = new Set([
  'program',
  'script',
  'project',
  'deployed',
  'configuration',
  'playbook',
  'build',
  'remote-code',
]);

/** Whether `word` is <(…) (or an option's value glued to it) with every `at` of it inside the <(…). */
function inSubstitution(word: string, at: string): boolean {
  const head = /^(?:-[^=<]*=?)?<\(/.exec(word);
  if (!head) return false;
  let depth = 1;
  let close = head[0].length;
  for (; close < word.length && depth > 0; close++)
    if (word[close] === '(') depth++;
    else if (word[close] === ')') depth--;
  const rest = word.slice(close);
  return word.includes(at) && !rest.includes(at);
}

/**
 * Why a template in a word that chooses what runs (launchers.ts) is refused, and the safe form. A value there
 * is refused whatever it is: even one plain word picks a program on PATH or a file of the checkout.
 */
export function chosenWordMessage(chosen: ChosenWord, words: readonly string[], name: string): string {
  const at = `{{${name}}}`;
  const where = `${at} is in ${chosen.kind === 'program' ? 'the word naming ' : ''}${chosen.how} (${words[chosen.index]})`;
  // <(…), or an option's value glued to it (--values=<(…), -f<(…)), where the word is code or config and the
  // template is inside the <(…) (docker -H<(echo {{x}}), kubectl apply -f<(echo a){{x}}: the kind's message).
  if (inSubstitution(words[chosen.index]!, at) && SUBSTITUTED_CODE.has(chosen.kind))
    return `${where}: what <(…) writes is that code, so the value would be run as code; pass the value as an argument of a fixed script instead (${programName(words[chosen.program]!)} FILE ${at})`;
  const never = 'which no check of the value can make safe';
  const perEnvironment = 'or write a command per environment under environments.<name>.target';
  const safe = chosen.safe?.replaceAll('VALUE', at);
  switch (chosen.kind) {
    case 'target':
      return `${where}: its value would choose which target or task runs (even a plain word picks any one, such as a clean or a release that was not meant), ${never}; write the target in the config and pass the value to it instead: ${safe ?? `${programName(words[chosen.program]!)} deploy ENV=${at}`}, ${perEnvironment}`;
    case 'program':
      return `${where}: its value would choose which program runs (even a plain word picks any program on PATH), ${never}; name the program in the config and pass the value as an argument (${safe ?? `./deploy.sh ${at}`}), ${perEnvironment}`;
    case 'subcommand':
      return `${where}: its value would choose what ${programName(words[chosen.program]!)} does, and a subcommand may be a program of its own (a plugin or an extension on PATH, an alias, a package script), ${never}; write the subcommand in the config and pass the value as its argument (${programName(words[chosen.program]!)} SUBCOMMAND ${at}), ${perEnvironment}`;
    case 'script':
      return `${where}: its value would choose the code that runs (even a plain word picks any file of the checkout), ${never}; name the file in the config and pass the value as an argument (${safe ?? `${programName(words[chosen.program]!)} FILE ${at}`}), ${perEnvironment}`;
    case 'deployed':
      return `${where}: its value would choose what is deployed (the manifests, chart, values, kustomization, compose, helmfile or skaffold file read: even a plain word picks any file or directory of the checkout, such as another environment's or one running a privileged workload), ${never}; write the file in the config and pass the value where it is data (${safe ?? `${programName(words[chosen.program]!)} … ${at}`}), ${perEnvironment}`;
    case 'configuration':
      return `${where}: its value would choose the configuration that is applied (the resources it creates, changes or destroys, and the providers, modules, provisioners or program that run with the deployer's credentials: even a plain word picks any directory of the checkout, such as another environment's), ${never}; write the directory in the config and pass the value as a variable of the configuration (${safe ?? `${programName(words[chosen.program]!)} … ${at}`}), ${perEnvironment}`;
    case 'playbook':
      return `${where}: its value would choose the playbook, inventory or modules that run (tasks run on the hosts with the deployer's credentials; an inventory script or an executable vault password file runs here: even a plain word picks any file or directory of the checkout, such as another environment's), ${never}; write the playbook and inventory in the config and pass the value as a variable (${safe ?? `ansible-playbook deploy.yml -e version=${at}`}), ${perEnvironment}`;
    case 'build':
      return `${where}: its value would choose what is built (the Dockerfile whose RUN steps run, its context, stage or bake file: even a plain word picks any file or directory of the checkout, and so the code that runs in the build and ends in the image), ${never}; write the context and Dockerfile in the config and pass the value as a build argument or a tag (${safe ?? `docker build --build-arg VERSION=${at} -t app:${at} .`}), ${perEnvironment}`;
    case 'project':
      return `${where}: its value would choose the project whose scripts, dependencies and build code run (even a plain word picks any directory, workspace or environment of the checkout, and so which package.json, pyproject.toml or Cargo.toml says what runs), ${never}; write the project in the config and pass the value as an argument (${safe ?? `${programName(words[chosen.program]!)} … ${at}`}), ${perEnvironment}`;
    case 'directory':
      return `${where}: what runs is read from there (a ./script or bin/ program, a Makefile, package.json or pyproject.toml, a repository's config and hooks, a kubeconfig's exec plugin), so its value would choose the code that runs (even a plain word picks any directory or file of the checkout), ${never}; write the directory or file in the config and pass the value as an argument (${programName(words[chosen.program]!)} … ./deploy.sh ${at}), ${perEnvironment}`;
    case 'remote-program':
      return `${where}: its value would choose what runs there, ${never}; name the remote program in the config and pass the value as its argument, where it must be one plain word (ssh HOST ./deploy.sh ${at})`;
    case 'remote-code':
      return `${where}: the remote host would run its value as code; pass the value as an argument of a script on the remote host, where it must be one plain word (ssh HOST ./deploy.sh ${at})`;
    case 'package': {
      // An option choosing where packages come from, or the tree dpkg --root runs scripts in: its value fixed.
      if (/^the value of /.test(chosen.how))
        return `${where}: its value would choose where packages come from, or the programs that run their install scripts, and so the code that runs, ${never}; write that value in the config, ${perEnvironment}`;
      return `${where}: its value would choose the package that is installed, and so the code its install or build scripts run (a plain word picks any package; npm:other@1, a git URL or a path pick others), ${never}; ${pinExample(words, chosen.program, chosen.index, at)}`;
    }
    case 'mount':
      return `${where}: its value would choose what of this machine the container gets (a host directory such as /etc or the docker socket, a device, another container's mounts) or which of the container's own files a mount hides (its programs, or the code its entrypoint runs, laid over by a directory the value picks), ${never}; write the mount in the config (${programName(words[chosen.program]!)} run -v /srv/app/data:/data …, or a named volume -v data-${at}:/data) and pass the value to the container as data (-e VERSION=${at}), ${perEnvironment}`;
    case 'container-rights':
      return `${where}: its value would choose the rights the container has over this machine (every capability, no seccomp profile, the host's processes, users or IPC, another runtime) or the variables it starts with (LD_PRELOAD from a file the value picks), ${never}; write the option's value in the config and pass the value to the container as data (-e VERSION=${at}), ${perEnvironment}`;
    case 'build-host':
      return `${where}: its value would choose what of this machine the build gets (a local file it reads as a secret, which its RUN steps can send: /proc/self/environ holds the job's secrets; an SSH key; a directory it writes; the host's network or an insecure sandbox), ${never}; write that value in the config, and pass the value where it is data (${safe ?? `${programName(words[chosen.program]!)} build --build-arg VERSION=${at} -t app:${at} .`}), ${perEnvironment}`;
    case 'container-engine':
      return `${where}: its value would choose the engine that runs the containers, what it trusts, who it acts as or a file it reads (a daemon, service or API server elsewhere, which gets the credentials, the build context and the -e values; a user or group to impersonate; a runtime, storage root, hooks or plugin directory of this machine, whose programs run as root), ${never}; write the option's value in the config, ${perEnvironment}`;
    case 'tool-trust':
      return `${where}: its value would choose what ${programName(words[chosen.program]!)} trusts or signs with, or a file, directory or server of its own (a key, certificate, signer or policy of its choosing lets another image pass, or signs as another; a directory or file it picks for layers, a cache or temporary files is written to or read back; a server elsewhere gives the image or gets what is sent), ${never}; write the option's value in the config, ${perEnvironment}`;
    case 'deploy-source': {
      const chooses = `${where}: its value would choose where what is deployed comes from or goes, what is trusted or which server gets a secret (a chart repository, git repository, bucket, state backend, unit, key or server of its choosing: its code then runs, or it gets the artifact, the state or the password)`;
      // A safe form with the value in it (a unit after a fixed prefix): no "no check can make safe" before it.
      return safe
        ? `${chooses}; ${safe}, ${perEnvironment}`
        : `${chooses}, ${never}; write that value in the config, ${perEnvironment}`;
    }
    case 'tool-code':
      return `${where}: its value would choose the code that runs, ${never}; write that value in the config, ${perEnvironment}`;
    case 'tool-deletes':
      return `${where}: its value would choose what is deleted (all: the image's signatures, attestations and SBOMs, and so what its verification needs, where a fixed type was meant), ${never}; write the type in the config, ${perEnvironment}`;
    case 'login-server': {
      const login = /^the registry (.+?) (?:sends|has docker)/.exec(chosen.how)?.[1] ?? 'docker login';
      const example = login.startsWith('gcloud')
        ? `${login} us-docker.pkg.dev`
        : `${login} registry.example.com -u ${at} --password-stdin`;
      return `${where}: its value would choose the server the credentials are sent to (a server of its own would get the password or token, and could use it at the real registry), ${never}; write the registry in the config (${example}), ${perEnvironment}`;
    }
    case 'credential': {
      const chooses = `${where}: its value would choose who ${programName(words[chosen.program]!)} acts as or where it sends its credentials (a token, password or key of its choosing acts with its owner's rights on the servers this runner reaches, a private cluster or store among them; a server of its choosing gets the runner's token), as a context or profile would`;
      // A safe form with the value in it (a host's first label after a fixed prefix): said instead.
      return safe
        ? `${chooses}; ${safe}, ${perEnvironment}`
        : `${chooses}, ${never}; write the credential or server in the config (a token from the job's secrets, in the variable the tool reads), ${perEnvironment}`;
    }
    case 'rights-grant':
      return `${where}: its value would choose who is granted rights or which ones (any role, user or group of the account, or a policy such as AdministratorAccess: whoever may act as that principal then has them), ${never}; write the principal and the policy in the config, ${perEnvironment}`;
    case 'cloud-identity':
      return `${where}: its value would choose who gcloud acts as, the servers it talks to or the flags it reads, or who what it deploys acts as, the rights it grants, the secret or token it gets, the trigger it runs or the image a VM boots (any account or service account this machine's credentials reach, with its rights; a credential file of this machine, or one naming a token server elsewhere; an API endpoint or proxy elsewhere, which gets its access token; a flags file setting any flag of the command; allUsers or roles/owner in a binding; any secret of the project; a token for another service; another project's image), ${never}; write the account, file, endpoint, property, member, role, secret, audience, trigger or project in the config, ${perEnvironment}`;
    case 'cloud-program':
      return `${where}: its value would choose what the container runs (its program, or the arguments a shell or interpreter there runs as code: sh -c, node -e), with the service's account, secrets and network, ${never}; write the command and its arguments in the config and pass the value to the container as data, in a variable its program reads (--set-env-vars VERSION=${at}, checked when the command runs), ${perEnvironment}`;
    case 'cloud-pairs':
      return `${where}: its value would choose which variable or label it sets, or add pairs of its own (BASH_ENV, NODE_OPTIONS or LD_PRELOAD make the service, function or build run other code), ${never}; write the keys in the config and template only the values (--set-env-vars VERSION=${at}), each checked when the command runs to hold no ",", ${perEnvironment}`;
    case 'scanner-option':
      return `${where}: its value would choose what the scan finds or trusts, or whether a finding fails the step (an exit code of 0 never fails; a report template of its choosing, or read from a file; a vulnerability database, checks or a server elsewhere, which decide what is found), ${never}; write the option's value in the config, ${perEnvironment}`;
    case 'container-selector':
      return `${where}: its value would choose which containers the command runs in (a regular expression: .* matches every container of the node; -n/--last 0 is every one; a label, pod, image or state picks others), ${never}; write the container's name in the config, or pass the container's id (crictl exec CONTAINER ./run.sh ${at}), ${perEnvironment}`;
    case 'container-write':
      return `${where}: its value would choose the file written, of this machine (a shell's startup file, an authorized_keys, a program on PATH) or of the container (CONTAINER:PATH: its programs, the code its entrypoint runs), ${never}; write the destination in the config and pass the value to the container as data (-e VERSION=${at}), ${perEnvironment}`;
    case 'container-image':
      return `${where}: its value would choose whose image it is (any image of any registry, run with this command's mounts and options, or the built image pushed to a registry it picks), ${never}; write the registry and the image's name in the config and template only the tag or the digest (registry.example.com/app:${at}, app@sha256:${at}), each checked when the command runs, ${perEnvironment}`;
    case 'unknown-option': {
      const option = chosen.how.replace(/^.*'s option /, '');
      return `${at} (${words[chosen.index]}) comes after ${chosen.how}, which is not known here: read as the option's value or as an operand, the word is something else each way (an image, a file of this machine, the program that runs), so what the value chooses is not known; write the option with its value attached (${option}=VALUE, or ${option}=true for a flag that takes none), or without a template after it`;
    }
    case 'after-unknown-option':
      return `${at} (${words[chosen.index]}) comes after ${chosen.how}, which this tool does not know: if it takes a value, the image and the program that runs are one word further, and the value could choose what runs; attach the option's value (--option=VALUE), or write the image and the program without a template`;
  }
}

/** The templates of a word that a chosen word refuses: those of its part, or all of them. */
function chosenNames(chosen: ChosenWord, word: string): string[] {
  return chosen.names ?? [...word.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

/** Why a template in what a program reads as code on its standard input is refused, and the safe form. */
function stdinCodeMessage(
  name: string,
  offset: number,
  reader: string,
  how: 'here-document' | 'here-string' | 'pipe',
  why?: string,
): string {
  const where = `{{${name}}} (character ${offset + 1})`;
  const what =
    how === 'pipe' ? `is in the output of a command piped into ${reader}` : `is in a ${how} fed to ${reader}`;
  if (why !== undefined) return `${where} ${what}, ${why.replaceAll('VALUE', `{{${name}}}`)}`;
  if (programName(reader) === 'xargs')
    return `${where} ${what}, which would make it the program, subcommand or script xargs runs, or its code: name what runs after xargs and let the value be its argument (xargs -I{} ./deploy.sh {}), or read the value from the environment variable ${envNameFor(name)}`;
  if (programName(reader) === 'patch' || programName(reader) === 'git')
    return `${where} ${what}, which applies it as a patch: it would rewrite the checkout's files, the scripts later steps run among them. Keep the patch in the repository and name it (patch -p1 -i fixes/{{…}}.patch, git apply fixes/app.patch)`;
  if (programName(reader) === 'ssh')
    return `${where} ${what}, which the remote host's shell runs as code: pass the value as an argument of the remote script instead, where it must be one plain word (ssh HOST bash -s {{${name}}} <<'EOF' … "$1" … EOF)`;
  return `${where} ${what}, which runs it as code: use a quoted here-document (<<'EOF') and read the value from the environment variable ${envNameFor(name)} in it`;
}

/**
 * A word as the program gets it: quotes removed, backslash escapes resolved ("…" keeps a backslash before
 * anything but $ ` " \ and a newline), so the line ssh joins is the one the remote shell reads. Substitutions
 * are left as written.
 */
function unquote(raw: string): string {
  let out = '';
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else out += c;
    } else if (c === '\\') {
      const next = raw[i + 1];
      if (next === undefined) out += c;
      else if (quote === '"' && !'$`"\\\n'.includes(next)) out += c + next;
      else if (next !== '\n') out += next;
      i++;
    } else if (c === '"') quote = quote === '"' ? undefined : '"';
    else if (c === "'" && quote === undefined) quote = "'";
    else out += c;
  }
  return out;
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

/**
 * The positional parameters of a body that hold a fixed word of its call, by number (`sh -c '"$1" "$2"' sh
 * ./deploy.sh {{x}}`: 1 is ./deploy.sh), unless the body moves them (shift, getopts, set). `literal`: the fixed
 * word at an index of the call, or undefined.
 */
function positionalFixed(
  body: string,
  args: ReadonlyArray<{ index: number; value: boolean }>,
  literal: (index: number) => string | undefined,
): Record<string, string> {
  const fixed: Record<string, string> = {};
  if (/(^|[^\w$-])(shift|getopts|set)(?![\w-])/.test(body)) return fixed;
  args.forEach((arg, k) => {
    const text = arg.value ? undefined : literal(arg.index);
    if (text !== undefined) fixed[String(k + 1)] = text;
  });
  return fixed;
}

/** The refusals of `body` run with these positional parameters that are about an argument (argName). */
function argumentProblems(body: string, context: InlineContext): ShellTemplateProblem[] {
  const analysis = analyzeShellTemplate(body, context);
  return analysis.ok ? [] : analysis.problems.filter((p) => argIndex(p.name) !== undefined);
}

/**
 * Whether a script is read twice (analyzeShellTemplate): its functions, loops and traps run commands written
 * before an assignment after it (f() { $v; }; v={{x}}; f).
 */
const RUNS_LATER = /(?:^|[\s;&|(){}])(?:for|while|until|select|trap|function)(?=[\s;&|()]|$)|\(\s*\)/;

/** Finds every template in a shell script and the quoting context it sits in. */
export function analyzeShellTemplate(script: string, inherited?: InlineContext): ShellTemplateAnalysis {
  return withinBudget(
    () => analyzeWithin(script, inherited),
    () => {
      const name = new RegExp(PLACEHOLDER.source).exec(script)?.[1] ?? '';
      return {
        ok: false,
        sites: [],
        problems: [{ reason: 'too_complex', name, offset: 0, message: TOO_COMPLEX_MESSAGE }],
      };
    },
  );
}

function analyzeWithin(script: string, inherited: InlineContext | undefined): ShellTemplateAnalysis {
  // Held values are collected in the order of the text, and a function's body, a loop's earlier command or a
  // trap's code may run after a later assignment: the script is read again with what the first reading found
  // held at its end, for variables holding nothing yet where they are read (HeldValues' later). Only the
  // script itself: the bodies read inside it (inherited) are read once in each reading.
  if (inherited === undefined && RUNS_LATER.test(script)) {
    const first = analyzeReading(script, undefined, undefined);
    return analyzeReading(script, undefined, first.held).analysis;
  }
  return analyzeReading(script, inherited, undefined).analysis;
}

/** The blank-separated words of a script, for the bound on the work of reading it (budget.ts). */
function wordCount(script: string): number {
  let count = 0;
  for (const _ of script.matchAll(/\S+/g)) count++;
  return count;
}

/** One reading of a script (analyzeShellTemplate), and the values its variables hold at its end. */
function analyzeReading(
  script: string,
  inherited: InlineContext | undefined,
  later: HeldValues | undefined,
): { analysis: ShellTemplateAnalysis; held: HeldValues } {
  // Each reading of a script (a body read inside it too) counts its words against the bound on the work
  // (budget.ts): what grows the work is words and commands, not long ones (a word of 300,000 characters is read
  // in little time).
  charge(wordCount(script));
  const sites: TemplateSite[] = [];
  const problems: ShellTemplateProblem[] = [];
  const stack: Frame[] = [newScriptFrame(undefined)];
  let pending: PendingHeredoc[] = [];
  let inSingle = false;
  let inComment = false;
  let i = 0;

  const refuse = (reason: ShellTemplateRefusal, name: string, offset: number, message?: string) =>
    problems.push({ reason, name, offset, message: message ?? refusalMessage(reason, name, offset) });
  /** A message naming the template as a refusal does ("{{ref}} (character 12) …"). */
  const named = (name: string, offset: number, message: string) =>
    `{{${name}}} (character ${offset + 1})${message.slice(`{{${name}}}`.length)}`;
  const sitesIn = (word: Word) => sites.filter((site) => site.start >= word.start && site.start < word.end);
  // Words of simple commands: what the programs they name do with a value (programs.ts).
  const plain = (word: Word) => script.slice(word.start, word.end).replace(/['"\\]/g, '');
  // Variables holding a value (held-values.ts): a reference to one is the value itself.
  // What `read` may read: any template of the script, and in a body (inline-args.ts) any value of its parameters
  // (`read -r a <<< "$1"; $a`, `while read a; do $a; done <<EOF … $1 … EOF`).
  const held = new HeldValues(
    [
      ...[...script.matchAll(PLACEHOLDER)].map((m) => m[1]!),
      ...Object.values(inherited?.held ?? {}).flat(),
      ...Object.values(inherited?.around ?? {}).flat(),
    ],
    later,
  );
  for (const [variable, names] of Object.entries(inherited?.held ?? {})) held.assign(variable, names, -1);
  for (const [variable, names] of Object.entries(inherited?.around ?? {}))
    held.assign(variable, names, AROUND);
  for (const [variable, named] of Object.entries(inherited?.naming ?? {})) held.name(variable, named, AROUND);
  // Functions the script (or the one around it) defines: a call's arguments are their positional parameters.
  const functions = new Map([...(inherited?.functions ?? []), ...shellFunctions(script)]);
  const visiting = inherited?.visiting ?? new Map<string, 'exact' | 'anywhere'>();
  // The values a cd or pushd of the script changed to, until a later command reading the directory refuses them.
  let workingDirectory: { founds: Found[]; program: string } | undefined;
  // After a cd to a fixed directory cleared it: the directory before, which its || branch still runs in (cd /x ||
  // ./deploy.sh), until the and-or list of the cd ends; `nested`: a compound command is part of that list
  // (cd /x || { …; ./deploy.sh; }), which then ends back at the top of the script.
  let cdBranch: { saved: typeof workingDirectory; nested: boolean } | undefined;
  // The templated directory before each pushd, and before each subshell ( … ) that is open.
  const directoryStack: Array<typeof workingDirectory> = [];
  const subshellDirectories: Array<typeof workingDirectory> = [];
  // The envsubst commands of the script, and the command a $(…) or <(…) around one is a word of: checked after
  // its last command, once every pipe is known.
  const envsubsts: Array<{ command: SimpleCommand; outer?: SimpleCommand }> = [];
  // Commands writing their output to a file (manifestFedMessage): refused where a manifest reader reads it.
  const textWriters: SimpleCommand[] = [];
  // The script's commands naming a manifest reader, found once (manifestFileReader).
  let manifestReaders: ReturnType<typeof manifestReaderCommands> | undefined;
  const readerCommands = () => (manifestReaders ??= manifestReaderCommands(script));
  // Programs named by an expansion that holds fixed text alone: read again written out (resolvePrograms).
  const resolutions: ProgramResolution[] = [];
  // ${!n} where n holds no value reads the variable n names, which may hold one: a reference to "!n", which
  // holds any value of the script (HeldValues.holds), refused where a value would be (not everywhere, as ${!v}
  // is when v holds a value: then the value names the variable).
  const refsIn = (word: Word) =>
    variableRefs(script.slice(word.start, word.end), word.start)
      .map((ref) =>
        ref.indirect && !held.holds(ref.variable)
          ? { ...ref, variable: `!${ref.variable}`, indirect: false }
          : ref,
      )
      .filter((ref) => held.holds(ref.variable));
  /** A word as its program reads it, a reference to a variable holding a value written as a template. */
  const textOf = (word: Word) => {
    let raw = script.slice(word.start, word.end);
    const outer: VariableRef[] = [];
    for (const ref of refsIn(word)) if (!outer.some((o) => ref.start < o.end)) outer.push(ref);
    for (const ref of outer.reverse())
      raw = `${raw.slice(0, ref.start - word.start)}{{${pseudoName(ref.variable)}}}${raw.slice(ref.end - word.start)}`;
    return unquote(raw);
  };
  /** The values of a word: its templates, and its references to variables holding one. */
  interface Found {
    name: string;
    start: number;
    ref?: VariableRef;
  }
  const valuesIn = (word: Word): Found[] => [
    ...sitesIn(word).map((site) => ({ name: site.name, start: site.start })),
    ...refsIn(word).map((ref) => ({ name: pseudoName(ref.variable), start: ref.start, ref })),
  ];
  /** Refuses a value found: `message` is written for its template, or the stand-in of its variable. */
  const refuseFound = (found: Found, reason: ShellTemplateRefusal, message: (name: string) => string) => {
    if (!found.ref)
      return refuse(reason, found.name, found.start, named(found.name, found.start, message(found.name)));
    const holds = held.holds(found.ref.variable)!;
    refuse(reason, holds.names[0]!, found.start, refMessage(found.ref, holds, message(found.name)));
  };
  // Variables the script declares integer (declare -i) or associative (declare -A). Its namerefs (declare -n
  // r=v: an assignment to r assigns v) are held.target's; `unsetNamerefs`: declared with no target yet (declare
  // -n r), which the next assignment to them sets (r=v).
  const attributes = declaredAttributes(script);
  const integerVariables = { has: (name: string) => attributes.allIntegers || attributes.integers.has(name) };
  // Arrays declared associative so far (declare -A m, see finishCommand): only those whose every declaration
  // and unset is that one, since local m or unset m makes it indexed again.
  const associative = new Set<string>();
  const declarationsOf = (name: string) =>
    [
      ...script.matchAll(
        new RegExp(
          `(?:^|[\\s;&|(){}'"\`])(?:unset|local|declare|typeset|readonly|export)\\b[^;&|\\n]*?[\\s'"]${name}(?![\\w])`,
          'g',
        ),
      ),
    ].length;
  const unsetNamerefs = new Set<string>();
  /**
   * A part bash evaluates as an arithmetic expression: a template in it (`direct`: those of $((…)) and ${…}
   * have their own refusals) and a variable it reads holding one may be used only if numeric, as in $((…)).
   */
  const checkArithmetic = (part: ArithmeticPart, direct: boolean) => {
    const advice = part.where.startsWith('the subscript of')
      ? 'for other values, declare the array associative (declare -A), whose subscripts are strings'
      : 'compare other values as strings';
    const why = (variable: boolean) =>
      `which bash evaluates as an arithmetic expression, ${variable ? 'evaluating the value of a variable read there as one in turn and running any $(…) in an array subscript of it' : 'running any $(…) in an array subscript of the value'} (a value a[$(id)] runs id): only ${NUMERIC_VARIABLES.join(', ')} may be used there; ${advice}`;
    if (direct)
      for (const site of sitesIn({ start: part.start, end: part.end, role: 'arg' }))
        if (!NUMERIC_VARIABLES.includes(site.name))
          refuse(
            'arithmetic',
            site.name,
            site.start,
            `{{${site.name}}} (character ${site.start + 1}) is in ${part.where}, ${why(false)} ("$${envNameFor(site.name)}")`,
          );
    for (const found of arithmeticNames(script.slice(part.start, part.end), part.start)) {
      // n=v; (( n )): the name of a variable holding a value, evaluated in turn (HeldValues.namesOf).
      const naming = held.holds(found.name) ? undefined : held.namesOf(found.name);
      const holds = held.holds(found.name) ?? naming;
      const values = holds?.names.filter((name) => !NUMERIC_VARIABLES.includes(name)) ?? [];
      if (holds === undefined || values.length === 0) continue;
      const list = values
        .map((name) => (name === 'DEPLOY_' ? 'a DEPLOY_* variable' : `{{${name}}}`))
        .join(', ');
      const set = setWhere(holds);
      refuse(
        'arithmetic',
        values[0]!,
        found.start,
        `${found.spelled} (character ${found.start + 1}) ${naming ? 'holds the name of a variable holding' : 'holds'} ${list}${set}; it is read in ${part.where}, ${why(true)}`,
      );
    }
  };
  /**
   * A builtin (read, mapfile, printf -v, for, select, getopts, declare) sets `target` from values: refused when
   * the target is a variable programs read to load code or choose what they run and the shell passes on to them
   * (CODE_VARIABLES, or one the script exports), or when its name is an expansion, which may name any.
   */
  const checkAssignedCode = (target: string, word: Word, names: readonly string[], how: string) => {
    const name = names[0];
    if (name === undefined) return;
    const variable = held.target(target) ?? target;
    // declare -i n; read n <<< {{x}}: the value read is evaluated as an expression.
    const values = names.filter((n) => !NUMERIC_VARIABLES.includes(n));
    if (integerVariables.has(variable) && values.length > 0)
      refuse(
        'arithmetic',
        values[0]!,
        word.start,
        `{{${values[0]}}} is set by ${how} into ${variable} (character ${word.start + 1}), an integer variable, whose value bash evaluates as an arithmetic expression, running any $(…) in an array subscript of it (a value a[$(id)] runs id): only ${NUMERIC_VARIABLES.join(', ')} may be used there; compare other values as strings`,
      );
    if (!/^[A-Za-z_]\w*$/.test(variable)) {
      refuse(
        'code',
        name,
        word.start,
        `{{${name}}} is set by ${how} into a variable whose name is not fixed (${variable}, character ${word.start + 1}): it may name PATH, LD_PRELOAD or another variable programs read to choose what they run; name the variable itself`,
      );
      return;
    }
    if (!isCodeVariable(variable) || (!CODE_VARIABLES.has(variable) && !exportsVariable(script, variable)))
      return;
    refuse(
      'code',
      name,
      word.start,
      named(
        name,
        word.start,
        `${codeOperandMessage(codeVariableOperand(0, 0, variable), [''], name)} (${how} sets it)`,
      ),
    );
  };
  /**
   * A value xargs (or GNU parallel) reads, as an item of its program: checked once rendered as `items` says (a
   * template, or the templates of a variable holding fixed text and templates alone), or refused (`unchecked`:
   * the command written out checks it in ways no check of an item can; a variable holding anything else).
   */
  const feedItem = (found: Found, items: XargsItems, unchecked: boolean, reaches = 'reaches xargs') => {
    if (items.colsep) return refuseFound(found, 'stdin_code', (name) => colsepMessage(name, items));
    if (unchecked)
      return refuseFound(found, 'stdin_code', (name) =>
        xargsUncheckedMessage(name, items).replace('reaches xargs', reaches),
      );
    const holds = found.ref && held.holds(found.ref.variable)!;
    const starts = !holds
      ? [found.start]
      : holds.exact && /^\$(\w+|\{\w+\})$/.test(script.slice(found.ref!.start, found.ref!.end))
        ? holds.exact.sites
        : undefined;
    if (!starts) return refuseFound(found, 'stdin_code', (name) => xargsHeldMessage(name, items));
    for (const start of starts) {
      const site = sites.find((s) => s.start === start);
      if (site) site.xargsItem = items;
    }
  };
  /** The templates the values of these words hold. */
  const heldNames = (words: readonly Word[]) =>
    words.flatMap((word) =>
      valuesIn(word).flatMap((found) => (found.ref ? held.holds(found.ref.variable)!.names : [found.name])),
    );
  const openWord = (frame: Frame & { kind: 'script' }) => {
    if (frame.wordStart < 0) frame.wordStart = i;
  };
  const closeWord = (frame: Frame & { kind: 'script' }) => {
    if (frame.wordStart < 0) return;
    const word: Word = { start: frame.wordStart, end: i, role: frame.nextRole };
    frame.wordStart = -1;
    // `2>file`: the descriptor number belongs to the redirection.
    if (word.role === 'arg' && (script[i] === '<' || script[i] === '>') && /^\d+$/.test(plain(word))) return;
    // `{a[$i]}>file`: bash stores the descriptor it opens in a[$i], evaluating the subscript as an expression.
    const descriptor = /^\{([A-Za-z_]\w*)\[(.*)\]\}$/.exec(script.slice(word.start, word.end));
    if (
      descriptor &&
      word.role === 'arg' &&
      (script[i] === '<' || script[i] === '>') &&
      !associative.has(descriptor[1]!)
    )
      checkArithmetic(
        {
          start: word.start + descriptor[1]!.length + 2,
          end: word.end - 2,
          where: `the subscript of the array ${descriptor[1]}, which a redirection {…}> sets`,
        },
        true,
      );
    frame.command.words.push(word);
    frame.nextRole = 'arg';
  };
  /**
   * What `v=WORD` sets when WORD is fixed text, templates and plain references ($w, ${w}) to variables that are
   * such too: the fixed text and the templates' offsets (Held.exact); otherwise undefined.
   */
  const exactOf = (word: Word): Exact | undefined => {
    const raw = script.slice(word.start, word.end);
    const head = /^[A-Za-z_]\w*=/.exec(raw); // not v+=… (it keeps the old value) nor v[i]=…
    // An array (a=(…)) holds several words: not one value to check.
    if (!head || raw[head[0].length] === '(') return undefined;
    const exact: Exact = { literal: '', sites: [] };
    // The value as written, templates in place (Exact.text), while every part of it is known.
    let text: string | undefined = '';
    let single = false;
    for (let k = head[0].length; k < raw.length; k++) {
      const site = sites.find((s) => s.start === word.start + k);
      if (site) {
        exact.sites.push(site.start);
        if (text !== undefined) text += `{{${site.name}}}`;
        k += site.end - site.start - 1;
        continue;
      }
      const c = raw[k]!;
      if (c === "'") single = !single;
      else if (single) exact.literal += c;
      else if (c === '"') continue;
      else if (c === '$') {
        const ref = /^\$(?:([A-Za-z_]\w*)|\{([A-Za-z_]\w*)\})/.exec(raw.slice(k));
        const inner = ref && held.holds(ref[1] ?? ref[2]!)?.exact;
        if (!inner) return undefined;
        exact.literal += inner.literal;
        exact.sites.push(...inner.sites);
        text = text !== undefined && inner.text !== undefined ? text + inner.text : undefined;
        k += ref[0].length - 1;
        continue;
      } else if (c === '`' || c === '\\') return undefined;
      else exact.literal += c;
      if (text !== undefined && c !== "'") text += c;
    }
    return text === undefined ? exact : { ...exact, text };
  };
  /**
   * The variables a command sets from a value: assignments (v=…, export/local/declare/readonly/typeset v=…),
   * for/select's variable, printf -v, set's positional parameters, and what read, mapfile and readarray read.
   */
  const noteAssignments = (command: SimpleCommand, before: Word[], alone: boolean, words: string[]) => {
    // builtin read v, command printf -v v …: the builtin itself, as bash runs it (command -v only looks it up).
    let skip = 0;
    for (;;)
      if (words[skip] === 'builtin') {
        skip++;
        if (words[skip] === '--') skip++;
      } else if (words[skip] === 'command') {
        skip++;
        while (words[skip] === '-p') skip++;
        if (words[skip] === '--') skip++;
      } else break;
    const args = command.args!.slice(skip);
    const texts = words.slice(skip);
    const assignment = (word: Word) => /^([A-Za-z_]\w*)(\[[^\]]*\])?\+?=/.exec(plain(word))?.[1];
    // v+=… keeps what v held and adds to it: no longer fixed text and templates alone, whatever is added.
    const assignFrom = (variable: string, word: Word, nameref = false) => {
      const known = held.holds(variable);
      const exact = nameref ? undefined : exactOf(word);
      held.assign(
        variable,
        [...heldNames([word]), ...(exact || !known ? [] : known.names)],
        word.start,
        exact,
      );
      // n=v, n='a[v]', n=DEPLOY_X: n holds the name of a variable holding a value (HeldValues.namesOf).
      const named = held.namedIn(plain(word).slice(plain(word).indexOf('=') + 1));
      if (named) held.name(variable, named, word.start);
    };
    /**
     * `declare -n r=TARGET` (or r=TARGET after declare -n r): $r is TARGET's value, an assignment to r assigns
     * TARGET, and bash evaluates a subscript of TARGET (a[$i]) as an arithmetic expression whenever r is used.
     */
    const setNameref = (variable: string, word: Word) => {
      const raw = script.slice(word.start, word.end);
      const equals = raw.indexOf('=');
      const target = plain(word).slice(plain(word).indexOf('=') + 1);
      assignFrom(variable, word, true);
      held.refer(variable, target);
      const targetHolds = held.holds(target);
      if (targetHolds) held.assign(variable, targetHolds.names, word.start);
      for (const part of namedSubscripts(raw.slice(equals + 1), word.start + equals + 1, associative))
        checkArithmetic({ ...part, where: `${part.where}, which the nameref ${variable} names` }, true);
    };
    if (alone)
      for (const word of before) {
        const variable = assignment(word);
        if (variable === undefined) continue;
        // declare -n r; r=v: the first assignment to a nameref with no target sets its target.
        if (unsetNamerefs.delete(variable)) {
          setNameref(variable, word);
          continue;
        }
        assignFrom(variable, word);
        // declare -n r=v; r={{x}}: v holds the value too.
        const target = held.target(variable);
        if (target !== undefined && /^[A-Za-z_]\w*$/.test(target)) assignFrom(target, word);
      }
    // v={{x}} f: the body of the function f runs with v set (read with it in the script's second reading).
    if (!alone && functions.has(words[functionWord(words)] ?? ''))
      for (const word of before) {
        const variable = assignment(word);
        if (variable !== undefined) assignFrom(variable, word);
      }
    const program = texts[0];
    if (program === undefined) return;
    const operands = (from: number) => args.slice(from).filter((_, k) => !/^[-+]/.test(texts[from + k]!));
    // set -- v, for n in v, printf -v n %s v: the variables set hold the name of a variable holding a value;
    // `from`: with no words, the one whose names they take (for n; do: "$@").
    const nameFrom = (variables: string[], from: readonly Word[], offset: number, or?: string) => {
      const named =
        from.length > 0
          ? held.namedIn(from.map(plain).join(' '))
          : or === undefined
            ? undefined
            : held.namesOf(or);
      if (named) for (const variable of variables) held.name(variable, named, offset);
    };
    if (DECLARATIONS.has(program)) {
      const nameref = texts.slice(1).some((t) => /^-\w*n/.test(t));
      for (const word of operands(1)) {
        const variable = assignment(word);
        // export $n={{x}}, declare "$n"={{x}}, export {A,B}={{x}}: the name is an expansion.
        if (variable === undefined) {
          const name = /^([^=]+?)\+?=/.exec(plain(word))?.[1];
          if (name !== undefined) checkAssignedCode(name, word, heldNames([word]), program);
          continue;
        }
        if (nameref) setNameref(variable, word);
        else {
          assignFrom(variable, word);
          // declare -n r=PATH; declare r={{x}}: the assignment sets PATH.
          const target = held.target(variable);
          if (target !== undefined) checkAssignedCode(variable, word, heldNames([word]), program);
          if (target !== undefined && /^[A-Za-z_]\w*$/.test(target)) assignFrom(target, word);
        }
      }
      if (nameref)
        for (const word of operands(1))
          if (/^[A-Za-z_]\w*$/.test(plain(word))) unsetNamerefs.add(plain(word));
    } else if ((program === 'for' || program === 'select') && texts[1] !== undefined) {
      const list = texts[2] === 'in' ? args.slice(3) : [];
      const names = texts[2] === 'in' ? heldNames(list) : (held.holds('@')?.names ?? []);
      held.assign(texts[1], names, args[1]!.start);
      nameFrom([texts[1]], texts[2] === 'in' ? list : [], args[1]!.start, '@');
      checkAssignedCode(texts[1], args[1]!, names, program);
    } else if (
      program === 'printf' &&
      /^-v/.test(texts[1] ?? '') &&
      (texts[1] !== '-v' || texts[2] !== undefined)
    ) {
      // printf -v NAME FORMAT …, or -vNAME with the name attached.
      const at = texts[1] === '-v' ? 2 : 1;
      const target = texts[1] === '-v' ? texts[2]! : texts[1]!.slice(2);
      const names = heldNames(args.slice(at + 1));
      held.assign(target, names, args[at]!.start);
      nameFrom([target], args.slice(at + 1), args[at]!.start);
      checkAssignedCode(target, args[at]!, names, 'printf -v');
    } else if (program === 'set' && texts.length > 1 && (texts[1] === '--' || !/^[-+]/.test(texts[1]!))) {
      const names = heldNames(args.slice(1));
      const positional = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '@', '*', '#'];
      for (const variable of positional) held.assign(variable, names, args[0]!.start);
      nameFrom(positional, args.slice(1), args[0]!.start);
    } else if (program === 'getopts' && texts[2] !== undefined) {
      // getopts OPTSTRING NAME [ARG…]: NAME and OPTARG take the arguments' values, "$@" without any.
      const names = texts.length > 3 ? heldNames(args.slice(3)) : (held.holds('@')?.names ?? []);
      for (const variable of [texts[2], 'OPTARG']) held.assign(variable, names, args[2]!.start);
      checkAssignedCode(texts[2], args[2]!, names, 'getopts');
    } else if (program === 'read' || program === 'mapfile' || program === 'readarray') {
      const withValue = program === 'read' ? /^-[^-]*[dinNptu]$/ : /^-[^-]*[dnOsuCc]$/;
      for (let k = 1; k < texts.length; k++) {
        const text = texts[k]!;
        if (withValue.test(text))
          k++; // an option's value
        else if (text === '-a' || (text.startsWith('-') && text.endsWith('a'))) continue;
        else if (!text.startsWith('-') && /^[A-Za-z_]\w*$/.test(text)) {
          held.read(text, args[k]!.start);
          checkAssignedCode(text, args[k]!, held.holds(text)?.names ?? [], program);
        } else if (!text.startsWith('-'))
          checkAssignedCode(
            text,
            args[k]!,
            held.holds('!')!.names.filter((name) => name !== 'DEPLOY_'),
            program,
          );
      }
      if (texts.length === 1 && program === 'read') held.read('REPLY', args[0]!.start);
      if (texts.length === 1 && program !== 'read') held.read('MAPFILE', args[0]!.start);
    }
  };
  /**
   * Whether what `command` reads on its standard input is each value fed to it as it is, or holds none: its own
   * here-string of one value alone, or echo or printf '%s\n' of one value alone piped straight into it; a value
   * elsewhere only in a listing (aws s3 ls s3://b/{{env}}/ | awk …: it prints the names it finds, not the
   * value). Otherwise it may read the value with text around it (fi{{x}} makes file://…) or transformed (echo
   * {{x}} | base64 -d), which no check of the value sees. Here-documents are not followed.
   */
  const fedVerbatim = (frame: Frame & { kind: 'script' }, command: SimpleCommand): boolean => {
    // One template, or one variable set to one template alone (v={{x}}; echo "$v").
    const alone = (word: Word) => {
      const found = valuesIn(word);
      if (found.length !== 1 || !/^\{\{\w+\}\}$/.test(textOf(word))) return false;
      const ref = found[0]!.ref;
      return !ref || /^\{\{\w+\}\}$/.test(held.holds(ref.variable)?.exact?.text ?? '');
    };
    const valued = (words: readonly Word[]) => words.filter((word) => valuesIn(word).length > 0);
    if (pending.some((doc) => doc.command === command)) return false;
    if (!valued(command.words.filter((w) => w.role === 'herestring')).every(alone)) return false;
    if (!frame.pipedIn) return true;
    const level = frame.levels.at(-1)!;
    if (level.fed) return false;
    return level.commands.every((stage, k) => {
      const texts = (stage.args ?? []).map(textOf);
      const program = programName(texts[0] ?? '');
      const direct = k === level.commands.length - 1;
      if (pending.some((doc) => doc.command === stage)) return false;
      const values = valued(stage.words);
      if (values.length === 0) return true;
      if (stage.words.some((word) => word.role !== 'arg')) return false;
      const one = values.length === 1 && alone(values[0]!);
      if (direct && one && program === 'echo' && !texts.slice(1).some((text) => text.startsWith('-')))
        return true;
      if (direct && one && program === 'printf' && /^%s(\\n)?$/.test(texts[1] ?? '')) return true;
      return program !== 'ls' && texts.slice(1, 4).some((text) => text === 'ls' || text === 'list');
    });
  };
  const finishCommand = (frame: Frame & { kind: 'script' }, then: 'pipe' | 'end') => {
    closeWord(frame);
    const command = frame.command;
    frame.command = { words: [] };
    frame.nextRole = 'arg';
    const subshell = frame.closedSubshell;
    delete frame.closedSubshell;
    if (command.words.length === 0) {
      // (bash) <<EOF: the here-document is the subshell's standard input, which a command inside reads.
      if (subshell && pending.some((doc) => doc.command === command)) {
        command.inside = subshell;
        // In the pipeline, so a reader after it gets the here-document too ((cat) <<EOF | bash).
        for (const level of frame.levels) level.commands.push(command);
      }
      const inner = subshell?.find((c) => c.model?.stdinCode !== undefined && c.args?.length);
      if (inner && command.inside) {
        command.model = { ...commandModel([]), stdinCode: 0 };
        command.compoundReader = plain(inner.args![inner.model!.stdinCode!]!);
        if (inner.stdinWhy !== undefined) command.stdinWhy = inner.stdinWhy;
      }
      if (then === 'pipe') frame.pipedIn = true;
      return;
    }
    const args = command.words.filter((word) => word.role === 'arg');
    // A subshell's redirections ((…) >> "$GITHUB_ENV", (…) <<< …): the commands inside it read or write there.
    if (subshell && !args.length) command.inside = subshell;
    let first = 0;
    while (
      first < args.length &&
      (/^[A-Za-z_]\w*(\[[^\]]*\])?\+?=/.test(script.slice(args[first]!.start, args[first]!.end)) ||
        KEEPS_COMMAND_POSITION.has(plain(args[first]!)))
    )
      first++;
    // bash's `coproc { …; }` and `coproc NAME { …; }`: the command after the brace is the program.
    if (first < args.length && plain(args[first]!) === 'coproc') {
      if (args[first + 1] && plain(args[first + 1]!) === '{') first += 2;
      else if (args[first + 2] && plain(args[first + 2]!) === '{') first += 3;
    }
    // Assignments before the program (LD_PRELOAD=… app, PATH=… deploy): the program and those it runs read them.
    // A plain assignment with no program after it (v={{x}}; …) sets a shell variable: it counts when the shell
    // reads it itself or it is in the environment already (PATH, HOME, CODE_VARIABLES), and for a tool's own
    // variable (PIP_INDEX_URL, BUNDLE_GEMFILE) when the script exports it (export V, declare -x V, set -a).
    for (const word of args.slice(0, first)) {
      const assigned = /^([A-Za-z_]\w*)(?:\[[^\]]*\])?\+?=/.exec(plain(word))?.[1];
      const target = assigned === undefined ? undefined : held.target(assigned);
      if (target !== undefined) {
        checkAssignedCode(target, word, heldNames([word]), `the nameref ${assigned}`);
        continue;
      }
      const variable = codeVariableIn(plain(word));
      if (variable === undefined) continue;
      if (first === args.length && !CODE_VARIABLES.has(variable) && !exportsVariable(script, variable))
        continue;
      const operand = codeVariableOperand(0, 0, variable);
      for (const found of valuesIn(word))
        refuseFound(found, 'code', (name) => codeOperandMessage(operand, [''], name));
    }
    // ${!v}: the value of v names the variable read, a secret among them, wherever it is.
    for (const word of command.words)
      for (const ref of refsIn(word).filter((r) => r.indirect)) {
        const holds = held.holds(ref.variable)!;
        const spelled = script.slice(ref.start, ref.end);
        refuse(
          'indirect',
          holds.names[0]!,
          ref.start,
          refMessage(
            ref,
            holds,
            `{{${pseudoName(ref.variable)}}} is read through ${spelled}, which reads the variable its value names: the value would choose which variable is read (a secret among them) and, in a program's place, what runs; use "$${ref.variable}" itself, or map it to a fixed name with case "$${ref.variable}" in … esac`,
          ),
        );
      }
    command.args = args.slice(first);
    command.prefix = args.slice(0, first).filter((word) => ASSIGNMENT.test(plain(word)));
    const texts = command.args.map(textOf);
    const model = commandModel(texts);
    // The files it writes, deletes or prints (file-writes.ts), checked as the files it reads and sends.
    addFileWrites(model, texts);
    command.model = model;
    // echo "image: {{x}}" > m.yaml (or | tee m.yaml, or in a { …; } > m.yaml): checked once the script is read,
    // if a manifest reader reads m.yaml.
    if (!quotesManifestValues(command)) textWriters.push(command);
    if (programName(texts[0] ?? '') === 'envsubst') {
      const outer = frame.sub ? stack.findLast((f) => f.kind === 'script' && f !== frame) : undefined;
      envsubsts.push({ command, ...(outer?.kind === 'script' && { outer: outer.command }) });
    }
    for (const operand of model.code)
      for (const found of operand.index < command.args.length ? valuesIn(command.args[operand.index]!) : [])
        refuseFound(found, 'code', (name) => codeOperandMessage(operand, texts, name));
    // unset {{x}}, printf -v {{x}}, [[ -v {{x}} ]], declare -n r={{x}}: the value names the variable.
    for (const { index, part, how } of namedVariables(texts, 0)) {
      const word = command.args[index];
      if (word === undefined) continue;
      const equals = script.slice(word.start, word.end).indexOf('=');
      for (const found of valuesIn(word)) {
        const inName = equals < 0 || found.start < word.start + equals;
        if ((part === 'name' && !inName) || (part === 'value' && inName)) continue;
        refuseFound(
          found,
          'chooses',
          (name) =>
            `{{${name}}} names the variable of ${how}: its value would choose which variable, any one (a secret read back, PATH), and bash evaluates a subscript in the name as an arithmetic expression, running any $(…) in it (a[$(id)] runs id); name the variable in the script, or map the value to one with case … esac`,
        );
      }
    }
    // n='a[v]'; "${!n}", [[ -v $n ]], declare -n r=$n: the name n holds has a subscript reading a value, which
    // bash evaluates as an arithmetic expression wherever it uses that name.
    const naming = new Set(namedVariables(texts, 0).map(({ index }) => command.args![index]));
    for (const word of command.words)
      for (const ref of variableRefs(script.slice(word.start, word.end), word.start)) {
        const names = ref.indirect || naming.has(word) ? held.namesOf(ref.variable) : undefined;
        if (!names?.subscript) continue;
        const spelled = script.slice(ref.start, ref.end);
        refuse(
          'arithmetic',
          names.names[0]!,
          ref.start,
          `${spelled} (character ${ref.start + 1}) is used as the name of a variable, and the name $${ref.variable} holds${setWhere(names)}, has a subscript reading a variable that holds ${names.names.map((n) => `{{${n}}}`).join(', ')}: bash evaluates that subscript as an arithmetic expression, evaluating the value of the variable read there as one in turn and running any $(…) in an array subscript of it (a value a[$(id)] runs id); name a variable without a subscript, or declare the array associative (declare -A)`,
        );
      }
    // \${v@P} expands the value as a prompt string, running any $(…) in it.
    for (const word of command.words)
      for (const m of script
        .slice(word.start, word.end)
        .matchAll(/\$\{!?([A-Za-z_]\w*|[0-9]+|[@*])(?:\[[^\]]*\])?@P\}/g)) {
        const holds = held.holds(m[1]!);
        if (holds)
          refuse(
            'code',
            holds.names[0]!,
            word.start + m.index,
            `${m[0]} (character ${word.start + m.index + 1}) holds ${holds.names.map((n) => `{{${n}}}`).join(', ')} and expands it as a prompt string, which runs any $(…) in the value: use "$${m[1]}" itself`,
          );
      }
    checkArguments(command, model, texts);
    checkCodeStrings(command, model, texts);
    // A value through one variable holding exactly fixed text and templates, referenced as $v or ${v}, in a word
    // refused for the variable: judged with the variable's text in its place, and, where that word is then refused
    // by no rule but checked once rendered (an image: IMG=registry/app:{{v}}; kubectl set image deploy/x
    // app=$IMG; a host's first label: H=web-{{x}}.internal; ssh "$H"; a network), checked as a template written
    // there is. H={{x}}; ssh "$H" stays refused, as ssh {{x}} is; so does H=$X{{x}} (no text is known).
    const heldText = (chosen: ChosenWord, found: Found): boolean => {
      const values = valuesIn(command.args![chosen.index]!);
      if (!found.ref || values.filter((f) => f.ref).length !== 1) return false;
      const image = chosen.kind === 'container-image';
      // Elsewhere the variable is the word's only value, the whole word then checked once rendered.
      if (!image && values.length !== 1) return false;
      const exact = held.holds(found.ref.variable)?.exact;
      if (
        exact?.text === undefined ||
        !/^\$(\w+|\{\w+\})$/.test(script.slice(found.ref.start, found.ref.end))
      )
        return false;
      const words = [...texts];
      const word = texts[chosen.index]!.replace(`{{${found.name}}}`, () => exact.text!);
      words[chosen.index] = word;
      const at = chosen.program;
      const check = containerMounts(words, at, programName(words[at]!)).names.get(chosen.index);
      // An image's chosen word names only the part a value may not be in; elsewhere no rule may refuse the word.
      if (
        !check ||
        (image ? check.kind !== 'image' : chosenWords(words).some((c) => c.index === chosen.index))
      )
        return false;
      for (const start of exact.sites) {
        const site = sites.find((s) => s.start === start);
        if (site) site.containerName = { check, word };
      }
      return true;
    };
    for (const chosen of chosenWords(texts)) {
      const names = new Set(chosenNames(chosen, texts[chosen.index]!));
      for (const found of valuesIn(command.args[chosen.index]!))
        if (names.has(found.name) && !heldText(chosen, found))
          refuseFound(found, 'chooses', (name) => chosenWordMessage(chosen, texts, name));
    }
    // c=curl; $c -d @{{x}}: a program named by an expansion may be any; a value in its arguments is refused (in
    // its standard input too, below).
    const expanded = expandedPrograms(texts).find((k) => {
      // Set to fixed text alone by every assignment (KUBECTL=kubectl, cmd=./deploy.sh, COMPOSE="docker compose",
      // DOCKER=${DOCKER:-docker}, $(command -v docker)): the script is read again with that text in its place
      // (programResolutions), where every rule applies to the command as written out.
      const word = command.args![k]!;
      const raw = script.slice(word.start, word.end);
      const literals = programLiterals(script, texts[k]!, inherited?.fixed, word.start);
      const replacements = literals?.map((literal) => programReplacement(raw, literal));
      if (resolvingDepth >= 2 || !replacements?.every((r) => r !== undefined)) return true;
      resolutions.push({
        start: word.start,
        end: word.end,
        raw,
        replacements: replacements as string[],
        variable: /^\$\{?([A-Za-z_]\w*)\}?$/.exec(texts[k]!)?.[1],
        literals: literals!,
      });
      return false;
    });
    if (expanded !== undefined)
      for (const word of command.args.slice(expanded + 1))
        for (const found of valuesIn(word))
          refuseFound(
            found,
            'chooses',
            (name) =>
              `{{${name}}} is an argument of ${texts[expanded]}, ${expandedProgramWhy(`{{${name}}}`, false, programUnsure(script, texts[expanded]!, inherited?.fixed, command.args![expanded]!.start))}`,
          );
    // cd {{x}} && ./deploy.sh: a later command reading what it runs from the directory the value chose. A
    // function of the script called there runs its body there: its commands, split roughly (at ; & | and
    // newlines), which can only find more readers than there are, and the functions it calls, to the end.
    const functionReads = (name: string, seen: Set<string>): string | undefined => {
      const body = functions.get(name);
      if (body === undefined || seen.has(name)) return undefined;
      seen.add(name);
      const why = readsWorkingDirectoryIn(body);
      if (why !== undefined) return `calls the function ${name}, which ${why}`;
      for (const line of body.split(/[;&|\n(){}]+/)) {
        const first = line.trim().split(/\s+/)[0];
        const inner = first === undefined ? undefined : functionReads(unquote(first), seen);
        if (inner !== undefined) return `calls the function ${name}, which ${inner}`;
      }
      return undefined;
    };
    const chainedBy = /(&&|\|\|?)[\s({]*$/.exec(script.slice(0, command.words[0]!.start))?.[1];
    const atTop = frame.levels.length === 1 && frame.parens === 0;
    if (cdBranch && chainedBy === undefined && (atTop || !cdBranch.nested)) {
      if (workingDirectory === cdBranch.saved) workingDirectory = undefined;
      cdBranch = undefined;
    } else if (cdBranch && chainedBy !== undefined) {
      cdBranch.nested ||= !atTop;
      if (chainedBy === '||') workingDirectory = cdBranch.saved;
    }
    const reads = !workingDirectory
      ? undefined
      : (readsWorkingDirectory(texts) ??
        (texts[0] === undefined ? undefined : functionReads(texts[0], new Set())));
    if (workingDirectory && reads !== undefined) {
      const { founds, program } = workingDirectory;
      workingDirectory = undefined;
      const later = texts.join(' ');
      for (const found of founds)
        refuseFound(
          found,
          'chooses',
          (name) =>
            `{{${name}}} is in the directory ${program} changes to, and a later command (${later}) ${reads}: its value would choose the code that runs (even a plain word picks any directory of the checkout), which no check of the value can make safe; write the directory in the config (${program} services/api && ./deploy.sh {{${name}}}) and pass the value as an argument, or write a command per environment under environments.<name>.target`,
        );
    }
    // cd, pushd, popd (also as builtin cd, command cd). A cd or pushd to a value sets the templated directory; a
    // later cd or pushd to a fixed absolute directory clears it when it runs whatever came before (at the top of
    // the script, not after && or || nor piped or in the background, nor inside if, a loop or a function, where
    // it may be on another branch), but for its || branch (above); popd returns to the directory before the
    // pushd; a subshell's end to the one before it (below).
    const cdAt = texts[0] === 'builtin' || texts[0] === 'command' ? 1 : 0;
    const cd = texts[cdAt];
    if (cd === 'cd' || cd === 'pushd') {
      // cd [-L|-P|-e|-@] [--] DIR; pushd [-n] [DIR | +N | -N].
      let k = cdAt + 1;
      while (k < texts.length && /^-[LPe@n]+$/.test(texts[k]!)) k++;
      if (texts[k] === '--') k++;
      const founds = k < command.args.length ? valuesIn(command.args[k]!) : [];
      if (cd === 'pushd') directoryStack.push(workingDirectory && { ...workingDirectory });
      if (founds.length) {
        workingDirectory ??= { founds: [], program: cd };
        workingDirectory.founds.push(...founds);
      } else if (
        workingDirectory &&
        /^\//.test(texts[k] ?? '') &&
        !/\$/.test(script.slice(command.args[k]!.start, command.args[k]!.end)) &&
        atTop &&
        chainedBy === undefined &&
        !/^[^\S\n]*(\|(?!\|)|&(?!&))/.test(script.slice(command.words.at(-1)!.end))
      ) {
        cdBranch = { saved: workingDirectory, nested: false };
        workingDirectory = undefined;
      }
    } else if (cd === 'popd' && directoryStack.length > 0) workingDirectory = directoryStack.pop();
    // Where a value must be one plain word, checked once rendered: a variable holding exactly fixed text and
    // templates (Held.exact), referenced as $v or ${v}, has its fixed text checked here (`fits`) and its
    // templates once rendered (`attach`); the value of any other variable no check can see.
    const attachExact = (
      found: Found,
      fits: (literal: string) => boolean,
      attach: (site: TemplateSite) => void,
    ): boolean => {
      const exact = held.holds(found.ref!.variable)!.exact;
      if (!exact || !/^\$(\w+|\{\w+\})$/.test(script.slice(found.ref!.start, found.ref!.end))) return false;
      if (!fits(exact.literal)) return false;
      for (const start of exact.sites) {
        const site = sites.find((s) => s.start === start);
        if (site) attach(site);
      }
      return true;
    };
    /**
     * A word checked once rendered by `mark`: its templates get it, and so do those of a variable holding fixed
     * text (that `fits`) and templates alone; any other variable there is refused with `message`.
     */
    const markWord = (
      word: Word,
      mark: (site: TemplateSite) => void,
      fits: (literal: string) => boolean,
      message: (name: string) => string,
    ) => {
      for (const site of sitesIn(word)) mark(site);
      for (const found of valuesIn(word))
        if (found.ref && !attachExact(found, fits, mark)) refuseFound(found, 'chooses', message);
    };
    const plainOnly = (word: Word, where: string, attach: (site: TemplateSite) => void) => {
      for (const found of valuesIn(word))
        if (found.ref && !attachExact(found, (literal) => REMOTE_SAFE.test(literal), attach))
          refuseFound(
            found,
            'code',
            (name) =>
              `{{${name}}} is in ${where}, where a value must be one plain word, and only a template written there or a variable set from fixed text and templates alone (v=app-{{x}}) is checked: write the template itself there (${held
                .holds(found.ref!.variable)!
                .names.map((n) => `{{${n}}}`)
                .join(', ')})`,
          );
    };
    if (model.remote)
      for (const word of command.args.slice(model.remote.from, model.remote.to)) {
        for (const site of sitesIn(word)) site.remote = true;
        plainOnly(
          word,
          "the command ssh runs through the remote host's shell",
          (site) => (site.remote = true),
        );
      }
    for (const index of model.makeAssignments) {
      for (const site of sitesIn(command.args[index]!)) site.make = true;
      plainOnly(
        command.args[index]!,
        'a variable given to make, which make expands and pastes into recipes',
        (site) => (site.make = true),
      );
    }
    for (const index of model.macroValues)
      if (index < command.args.length) {
        for (const site of sitesIn(command.args[index]!)) site.macro = true;
        plainOnly(
          command.args[index]!,
          'the body of an rpm macro definition, which rpm expands',
          (site) => (site.macro = true),
        );
      }
    for (const index of model.versionPins)
      if (index < command.args.length) {
        for (const site of sitesIn(command.args[index]!)) site.version = true;
        plainOnly(
          command.args[index]!,
          'the version of a package an install fetches',
          (site) => (site.version = true),
        );
      }
    for (const index of model.volumeNames)
      if (index < command.args.length) {
        markWord(
          command.args[index]!,
          (site) => (site.volume = true),
          isVolumeNameText,
          volumeVariableMessage,
        );
      }
    for (const index of model.containerUsers)
      if (index < command.args.length) {
        markWord(
          command.args[index]!,
          (site) => (site.containerUser = true),
          () => true,
          userVariableMessage,
        );
      }
    for (const [index, where] of model.yamlValues)
      if (index < command.args.length) {
        for (const site of sitesIn(command.args[index]!)) site.structured = where;
        plainOnly(command.args[index]!, where, (site) => (site.structured = where));
      }
    // Another argument written as JSON: a value in a string stays in it, a bare one is a number, and a template
    // in a key would choose the field set. A variable holding a value there must be written as the template.
    const jsonValuesOf = (word: Word, json: JsonArgument) => {
      const founds = valuesIn(word).sort((a, b) => a.start - b.start);
      const exact = founds.length === json.slots.length;
      founds.forEach((found, k) => {
        const slot = exact ? json.slots[k]! : 'bare';
        const mark = (site: TemplateSite) => (site.json = { slot, where: json.where });
        if (slot === 'key' || slot === 'path')
          refuseFound(found, 'chooses', (name) => jsonKeyMessage(name, json.where, slot));
        else if (!found.ref) {
          const site = sites.find((one) => one.start === found.start);
          if (site) mark(site);
        } else if (!attachExact(found, (literal) => JSON_LITERAL[slot].test(literal), mark))
          refuseFound(found, 'code', (name) => jsonVariableMessage(name, json.where));
      });
    };
    for (const [index, json] of model.jsonValues)
      if (index < command.args.length) jsonValuesOf(command.args[index]!, json);
    // A field of an argument written as JSON that chooses what runs (a container's command) takes no template,
    // and an image follows the image rule: a template written there is checked once rendered. `patch`: a
    // kubectl/oc/argocd patch, whose values are not checked as a JSON argument's (so not its paths either).
    const jsonFieldsOf = (word: Word, json: JsonArgument, patch: boolean) => {
      const founds = valuesIn(word).sort((a, b) => a.start - b.start);
      if (founds.length !== json.fields.length) return;
      founds.forEach((found, k) => {
        const field = json.fields[k];
        // A patch's path (a patch is not among jsonValues, whose keys and paths are refused above).
        if (json.slots[k] === 'path' && patch)
          return refuseFound(found, 'chooses', (name) => jsonKeyMessage(name, json.where, 'path'));
        if (json.slots[k] === 'key' || json.slots[k] === 'path' || !field) return;
        if (jsonFieldMessage(found.name, field, json.where) !== undefined)
          return refuseFound(found, 'code', (name) => jsonFieldMessage(name, field, json.where)!);
        if (!isJsonImageField(field)) return;
        if (found.ref)
          return refuseFound(found, 'chooses', (name) =>
            jsonImageVariableMessage(name, field.key, json.where),
          );
        const site = sites.find((one) => one.start === found.start);
        if (site) site.jsonField = { field, where: json.where };
      });
    };
    for (const [index, json] of model.jsonFields)
      if (index < command.args.length) jsonFieldsOf(command.args[index]!, json, !model.jsonValues.has(index));
    // A here-string written as JSON (curl -d @- <<< '{"v":"{{v}}"}') is read as a JSON argument is, whatever
    // reads it (a program running it as code refuses any value, below).
    if (model.stdinCode === undefined)
      for (const word of command.words.filter((w) => w.role === 'herestring')) {
        const json = jsonArgument(textOf(word));
        if (!json) continue;
        const where = { ...json, where: 'a here-string written as JSON' };
        jsonValuesOf(word, where);
        jsonFieldsOf(word, where, false);
      }
    // JSON kept in a variable (J='{"version":"{{v}}"}'; curl -d "$J" …) is checked where it is written.
    for (const word of command.prefix ?? []) {
      const json = jsonArgument(textOf(word));
      if (!json) continue;
      jsonValuesOf(word, json);
      jsonFieldsOf(word, json, false);
    }
    for (const [index, option] of model.awsShorthand)
      if (index < command.args.length) {
        for (const site of sitesIn(command.args[index]!)) site.shorthand = option;
        plainOnly(
          command.args[index]!,
          `the argument of aws ${option}, which aws reads in its shorthand syntax`,
          (site) => (site.shorthand = option),
        );
      }
    // A template in a key of such an argument chooses the variable set.
    for (const index of new Set([...model.extraVars, ...model.yamlValues.keys()]))
      if (index < command.args.length) {
        const word = command.args[index]!;
        const yaml = model.yamlValues.has(index);
        const where = model.yamlValues.get(index) ?? 'an ansible extra-vars argument (-e key=value)';
        for (const found of valuesIn(word)) {
          const end = found.ref?.end ?? sites.find((site) => site.start === found.start)?.end ?? found.start;
          const before = script.slice(word.start, found.start);
          const after = script.slice(end, word.end);
          const strip = (text: string) => (yaml ? text : text.replace(/['"\\]/g, ''));
          if (inStructuredKey(strip(before), strip(after), yaml))
            refuseFound(found, 'chooses', (name) => structuredKeyMessage(name, where));
          else {
            const variable = connectionVariableAt(strip(before), yaml);
            if (variable !== undefined)
              refuseFound(found, 'chooses', (name) => connectionVariableMessage(name, variable));
          }
        }
      }
    for (const index of model.extraVars)
      if (index < command.args.length && extraVarsArgument(texts[index]!).startsWith('@'))
        for (const found of valuesIn(command.args[index]!))
          refuseFound(found, 'chooses', extraVarsFileMessage);
    for (const index of model.extraVars)
      if (index < command.args.length) {
        for (const site of sitesIn(command.args[index]!)) site.jinja = true;
        plainOnly(
          command.args[index]!,
          'an ansible extra-vars argument, which Jinja renders',
          (site) => (site.jinja = true),
        );
      }
    for (const [index, option] of model.helmSets)
      if (index < command.args.length) {
        const word = command.args[index]!;
        if (option === '--set-file') {
          for (const found of valuesIn(word)) refuseFound(found, 'chooses', helmSetFileMessage);
          continue;
        }
        const mark = (site: TemplateSite) => {
          // A variable set from a value (`--set k="$V"`): the key is the one its reference is in.
          if (site.start < word.start || site.start >= word.end) {
            const text = script.slice(word.start, word.end).replace(/['"\\]/g, '');
            site.helmSet = { option, key: helmKeyAt(text, Math.max(text.indexOf('$'), 0)) };
            return;
          }
          const before = script.slice(word.start, site.start).replace(/['"\\]/g, '');
          const after = script.slice(site.start, word.end).replace(/['"\\]/g, '');
          site.helmSet = { option, key: helmKeyAt(before + after, before.length) };
        };
        for (const found of valuesIn(word)) {
          const before = script.slice(word.start, found.start).replace(/['"\\]/g, '');
          const after = script.slice(found.start, word.end).replace(/['"\\]/g, '');
          if (helmInKey(before + after, before.length))
            refuseFound(found, 'chooses', (name) => helmSetKeyMessage(name, option));
        }
        for (const site of sitesIn(word)) mark(site);
        plainOnly(word, `an argument of helm ${option}, which helm splits into assignments`, mark);
      }
    // curl -d @FILE, az's @FILE, kubectl --from-file=FILE (file-reads.ts): a value choosing the file is refused;
    // one that could start a marker or is part of a file's name is checked once rendered, through $v too.
    // `text`: the word as the program reads it (in the command ssh runs, a word of the remote line).
    const checkFileRead = (read: FileRead, word: Word, text: string) => {
      // $P or $(…) before a template: what it holds is not known, and may be empty or a marker ('unknown').
      const classes = shellFileClasses(read, text);
      for (const site of sitesIn(word))
        if (!['safe', 'chooses', 'unknown', undefined].includes(classes.get(site.name)))
          (site.fileReads ??= []).push({ read, word: text });
      for (const found of valuesIn(word)) {
        const cls = classes.get(found.name) ?? 'safe';
        if (cls === 'chooses') refuseFound(found, 'chooses', (name) => fileChosenMessage(name, read, text));
        if (cls === 'unknown') refuseFound(found, 'chooses', (name) => fileUnknownMessage(name, read, text));
        if (!found.ref || cls === 'safe' || cls === 'chooses' || cls === 'unknown') continue;
        const [via, file] = [found.ref.variable, cls === 'file'];
        const fits = (literal: string) => file || !holdsMarker(read, literal);
        // It may start a marker the text after it finishes (aws's "fi" + "le://…") only where the value, or a
        // shorthand value (Key=a,Value@=…), starts.
        const at = text.indexOf(`{{${found.name}}}`, read.from);
        const starts = cls === 'marker' || text.slice(0, at).endsWith('@=');
        if (
          !attachExact(found, fits, (site) => (site.fileReads ??= []).push({ read, via, file, starts })) &&
          cls !== 'inner'
        )
          refuseFound(
            found,
            'chooses',
            (name) =>
              `{{${name}}} is where ${read.how} ${fileDoing(read).may} (${text.slice(read.from)}), and only a template written there or a variable set from fixed text and templates alone (v=app-{{x}}) is checked: write the template itself there, or ${read.safe}`,
          );
      }
    };
    for (const [index, read] of model.fileReads)
      if (index < command.args.length) checkFileRead(read, command.args[index]!, texts[index]!);
    for (const { read, text, words } of [...remoteFileReads(texts, model), ...remoteFileWrites(texts, model)])
      for (const k of words) if (k < command.args.length) checkFileRead(read, command.args[k]!, text);
    // ssh host 'echo {{x}} | xargs rm', "curl -K - <<< {{x}}", 'c=curl; $c -d @{{x}}' (stdin-routes.ts).
    for (const problem of remoteStdinProblems(texts))
      if (problem.word < command.args.length)
        for (const found of valuesIn(command.args[problem.word]!))
          if (found.name === problem.name) refuseFound(found, 'stdin_code', problem.message);
    for (const [index, check] of model.containerNames)
      if (index < command.args.length) {
        for (const site of sitesIn(command.args[index]!)) site.containerName = { check, word: texts[index]! };
        // The word is rendered whole at run time (containerNameProblem): a variable in it is not, but one set
        // from fixed text and templates alone in an image reference or a context has each value checked.
        for (const found of valuesIn(command.args[index]!))
          if (
            found.ref &&
            !attachExact(
              found,
              (literal) => containerLiteralFits(check, literal),
              (site) => (site.containerValue = check),
            )
          )
            refuseFound(
              found,
              'chooses',
              (name) =>
                `{{${name}}} is in ${check.how}, where only a template written there is checked once rendered: write the template itself there`,
            );
      }
    // The file of a redirection (> FILE, >> FILE, < FILE, 2> FILE, &> FILE, <> FILE; not a here-string's word, nor
    // >(…) and <(…), whose insides are commands of their own), whatever the command, a builtin or none.
    for (const word of command.words) {
      if (word.role !== 'redirect' || /^[<>]\(/.test(script.slice(word.start, word.end))) continue;
      const operator = operatorBefore(script, word.start);
      if (operator === undefined) continue;
      const text = textOf(word);
      // >&2, <&0, >&-: a descriptor, not a file.
      if (/[<>]&$/.test(operator) && /^(\d+|-)$/.test(text)) continue;
      checkFileRead(redirectionRead(operator, texts[0]), word, text);
    }
    // echo "VERSION={{x}}" >> "$GITHUB_ENV" (or | tee -a "$GITHUB_ENV", or a here-document): GitHub reads the
    // file line by line, so a value with a newline would add a line of its own (NODE_OPTIONS=…, LD_PRELOAD=…
    // for the job's later steps, a directory put first on PATH). The values written there may hold none.
    const githubFile =
      command.words
        .filter((word) => word.role === 'redirect')
        .filter((word) => (operatorBefore(script, word.start) ?? '<').includes('>'))
        .map(textOf)
        .find((text) => GITHUB_FILE.test(text)) ??
      (programName(texts[0] ?? '') === 'tee'
        ? texts.slice(1).find((text) => GITHUB_FILE.test(text))
        : undefined) ??
      // fly secrets import reads NAME=VALUE lines on its standard input, each a secret the app's machines get
      // as a variable: a value piped or here-documented into it may add none.
      (/^(fly|flyctl)$/.test(programName(texts[0] ?? '')) && flyCommand(texts, 0) === 'secrets import'
        ? FLY_SECRETS_INPUT
        : undefined);
    if (githubFile !== undefined) {
      const feeding: SimpleCommand[] = [command];
      for (let level = frame.levels.length - 1; frame.pipedIn && level >= 0; level--) {
        feeding.push(...frame.levels[level]!.commands);
        if (!frame.levels[level]!.fed) break;
      }
      // { …; } >> "$GITHUB_ENV", done >> …, fi >> …: the compound command's commands write there (those of its
      // pipeline so far at the level it closes back to).
      const first = command.words.find((word) => word.role === 'arg');
      if (first && COMPOUND_CLOSERS.has(plain(first))) feeding.push(...frame.levels.at(-1)!.commands);
      else if (!first && command.inside) feeding.push(...command.inside);
      for (const stage of feeding) {
        stage.githubFile = githubFile;
        // fly's own arguments are not what it reads: its here-string is (and its here-document, below).
        const own = githubFile === FLY_SECRETS_INPUT && stage === command;
        for (const word of stage.words.filter((w) => (own ? w.role === 'herestring' : w.role !== 'redirect')))
          markWord(
            word,
            (site) => (site.githubFile = githubFile),
            () => true,
            (name) => githubFileHeldMessage(name, githubFile),
          );
      }
    }
    for (const [index, { mode, program }] of model.remotePaths)
      if (index < command.args.length) {
        for (const site of sitesIn(command.args[index]!))
          site.remotePath = { word: texts[index]!, mode, program: texts[program]! };
        // The operand is rendered whole at run time (remotePathProblem): a variable in it is not, so a template
        // reaching it through one must be one plain word, as on ssh's remote line.
        plainOnly(
          command.args[index]!,
          `an operand of ${programName(texts[program]!)} that may be a remote path`,
          (site) => (site.remote = true),
        );
      }
    for (const [index, { delimiter, asCode }] of model.sedScripts) {
      const word = command.args[index]!;
      // The words read here are without their quotes and backslashes: a backslash may escape a delimiter.
      const escaped = script.slice(word.start, word.end).includes('\\');
      const addDelimiter = (site: TemplateSite) => {
        if (!site.sed?.includes(delimiter)) site.sed = (site.sed ?? '') + delimiter;
      };
      for (const site of sitesIn(word))
        if (!escaped) addDelimiter(site);
        else
          refuse(
            'code',
            site.name,
            site.start,
            named(site.name, site.start, codeOperandMessage(asCode, texts, site.name)),
          );
      const fits = (literal: string) => !escaped && sedValueProblem('', literal, delimiter) === undefined;
      for (const found of valuesIn(word))
        if (found.ref && !attachExact(found, fits, addDelimiter))
          refuseFound(found, 'code', (name) => codeOperandMessage(asCode, texts, name));
    }
    // A template after $EMPTY or ${P} (`"$EMPTY{{x}}"`) starts the argument when they are empty: it is checked
    // as if nothing came before it (the config's own text in them, `"$DASH{{x}}"` with DASH=-, is its own).
    for (let k = 1; k < command.args.length; k++) {
      if (model.positional.has(k) || model.guarded.has(k) || !TEMPLATE_STARTS.test(texts[k]!)) continue;
      const word = command.args[k]!;
      let from = word.start;
      for (const site of sitesIn(word)) {
        const between = script.slice(from, site.start);
        if (!STARTS_AFTER.test(between)) break;
        site.leading = { program: texts[0]!, first: from === word.start };
        from = site.end;
      }
      // "$v" starting the argument, v set from fixed text and templates alone (v={{x}}): its templates are
      // checked once rendered as if written here. Which of them starts the value is not known (v=a-{{x}}, or
      // several branches), so each is checked on its own: a value starting with "-" fails the command.
      const ref = refsIn(word).find((r) => REF_STARTS_AFTER.test(script.slice(word.start, r.start)));
      const exact = ref && held.holds(ref.variable)?.exact;
      if (exact && /^\$(\w+|\{\w+\})$/.test(script.slice(ref.start, ref.end)))
        for (const start of exact.sites) {
          const site = sites.find((s) => s.start === start);
          if (site) site.leading = { program: texts[0]!, first: true, via: ref.variable };
        }
    }
    // … | xargs -I{} docker push registry.example.com/app:{}: where the input lands only where the command
    // written out with a template there is accepted and checked once rendered, it is checked so (items.checks),
    // when what xargs reads is the values as written (fedVerbatim).
    // { sh; } <<EOF, while …; do bash; done < f, (bash) <<EOF: a command inside reads the compound command's
    // standard input (a subshell's redirections are a command of no words of its own after its ")").
    const closer = command.words.find((word) => word.role === 'arg');
    const compound =
      closer && COMPOUND_CLOSERS.has(plain(closer))
        ? frame.levels.at(-1)!.commands
        : closer === undefined
          ? subshell
          : undefined;
    if (compound) command.inside = compound;
    if (model.stdinCode === undefined && compound) {
      const inner = compound.find((c) => c !== command && c.model?.stdinCode !== undefined && c.args?.length);
      if (inner) {
        model.stdinCode = 0;
        command.compoundReader = plain(inner.args![inner.model!.stdinCode!]!);
        if (inner.stdinWhy !== undefined) command.stdinWhy = inner.stdinWhy;
      }
    }
    if (model.stdinCode === undefined) {
      const chooses = xargsInputChooses(texts);
      const checks =
        chooses === undefined || !fedVerbatim(frame, command)
          ? undefined
          : xargsDirectChecks(texts, chooses, inherited);
      if (checks) command.xargsChecks = checks;
      else model.stdinCode = chooses;
    }
    // What xargs puts where a file is named (… | xargs rm), a config curl reads (curl -K - <<< …), also on the line
    // ssh runs (… | ssh host 'xargs rm'): a value fed there is refused as code is, however it is fed, for its own
    // reason (stdinWhy).
    if (model.stdinCode === undefined) {
      // … | xargs -I{} aws s3 rm s3://bucket/{}: where the command written out with a template in place of what
      // xargs reads is accepted and checked once rendered, what xargs reads is checked so (items.checks).
      let file = expanded === undefined ? xargsInputFile(texts) : undefined;
      const checks =
        file && fedVerbatim(frame, command) ? xargsDirectChecks(texts, file.at, inherited) : undefined;
      if (checks) {
        command.xargsChecks = [...(command.xargsChecks ?? []), ...checks];
        file = undefined;
      }
      const other =
        expanded !== undefined
          ? {
              at: expanded,
              why: expandedProgramWhy(
                'VALUE',
                false,
                programUnsure(script, texts[expanded]!, inherited?.fixed, command.args![expanded]!.start),
              ),
            }
          : (file ??
            parallelStdin(texts) ??
            stdinConfigReader(model, texts) ??
            argFileStdin(texts) ??
            remoteStdinRoute(texts));
      if (other && other.at >= 0) {
        model.stdinCode = other.at;
        command.stdinWhy = other.why;
      }
    }
    // sh < scripts/{{x}}.sh, ssh host < {{x}}.sh, gpg --import < keys/{{x}}.asc: the file is what the program
    // runs or trusts, so a value in its name chooses that, as in sh ./scripts/{{x}}.sh. A value starting the
    // name is refused as any file a redirection reads is (above).
    // kubectl apply -f - < manifests/{{x}}.yaml likewise chooses the manifest applied.
    const stdinManifest = model.stdinCode === undefined ? manifestReader(texts) : undefined;
    if (model.stdinCode !== undefined || stdinManifest !== undefined)
      for (const word of command.words) {
        if (word.role !== 'redirect' || /^[<>]\(/.test(script.slice(word.start, word.end))) continue;
        const operator = operatorBefore(script, word.start);
        const text = textOf(word);
        if (operator === undefined || !/^0?<>?$/.test(operator) || /^\{\{/.test(text)) continue;
        const reader =
          model.stdinCode === undefined ? '' : (command.compoundReader ?? texts[model.stdinCode]!);
        for (const found of valuesIn(word))
          refuseFound(found, 'stdin_code', (name) =>
            stdinManifest !== undefined
              ? `{{${name}}} is in the name of the file the redirection "${operator}" feeds to ${stdinManifest}, which reads it as the manifest or values it deploys (${text}): its value would choose what is deployed (even a plain word picks any file of the checkout), as in kubectl apply -f manifests/{{${name}}}.yaml; name the file in the config`
              : command.stdinWhy !== undefined
                ? `{{${name}}} is in the name of the file the redirection "${operator}" feeds to ${reader} (${text}), ${command.stdinWhy.replaceAll('VALUE', `{{${name}}}`)}`
                : `{{${name}}} is in the name of the file the redirection "${operator}" feeds to ${reader}, which runs what it reads as code (${text}): its value would choose the code that runs (even a plain word picks any file of the checkout); name the file in the config and pass the value to it as an argument or through the environment variable ${envNameFor(name)}`,
          );
      }
    if (model.stdinCode !== undefined) {
      const reader = command.compoundReader ?? texts[model.stdinCode]!;
      for (const word of command.words.filter((w) => w.role === 'herestring')) {
        for (const found of valuesIn(word))
          refuseFound(found, 'stdin_code', (name) =>
            stdinCodeMessage(name, found.start, reader, 'here-string', command.stdinWhy).replace(
              / \(character \d+\)/,
              '',
            ),
          );
        // bash -s {{x}} <<< '"$1"': the script is the here-string, its parameters the shell's arguments.
        const raw = script.slice(word.start, word.end);
        if (isLiteralWord(raw)) checkStdinScript(command, `${unquote(raw)}\n`, 'here-string');
      }
      // Every earlier command of the pipeline feeds it, through the ones between (echo … | cat | bash), and
      // through compound commands ({ echo …; } | bash, echo … | while read -r l; do bash; done); their
      // here-documents are read after this line ends (cat <<EOF | ssh host, cat <<EOF | tee x | bash).
      const feeding: SimpleCommand[] = [];
      for (let level = frame.levels.length - 1; frame.pipedIn && level >= 0; level--) {
        feeding.push(...frame.levels[level]!.commands);
        if (!frame.levels[level]!.fed) break;
      }
      for (const stage of feeding) {
        if (stage.pipedIntoCode !== undefined) continue; // refused for an earlier reader already
        stage.pipedIntoCode = reader;
        stage.pipedInto = command;
        for (const word of stage.words)
          for (const found of valuesIn(word))
            refuseFound(found, 'stdin_code', (name) =>
              stdinCodeMessage(name, found.start, reader, 'pipe', command.stdinWhy).replace(
                / \(character \d+\)/,
                '',
              ),
            );
      }
    }
    // kubectl apply -f - <<< "image: {{x}}", echo "command: [{{x}}]" | kubectl apply -f -: a manifest fed another
    // way than a here-document (whose body is read as YAML, each value checked in its field) takes the value
    // as text, where it could add structure or fill any field: refused, but from a program that quotes what
    // it writes (helm template … --set-string, kubectl create … -o yaml).
    if (model.stdinCode === undefined && stdinManifest !== undefined) {
      for (const word of command.words.filter((w) => w.role === 'herestring'))
        for (const found of valuesIn(word))
          refuseFound(found, 'stdin_code', (name) =>
            manifestFedMessage(name, stdinManifest, 'in a here-string'),
          );
      for (let level = frame.levels.length - 1; frame.pipedIn && level >= 0; level--) {
        for (const stage of frame.levels[level]!.commands)
          if (!quotesManifestValues(stage)) {
            const texts = (stage.args ?? []).map(plain);
            for (const word of stage.words) {
              // cat k8s/{{env}}.yaml |, cat < k8s/{{env}}.yaml |: the value names the file printed, not text.
              const k = stage.args?.indexOf(word) ?? -1;
              const file =
                (word.role === 'redirect' && /^0?<$/.test(operatorBefore(script, word.start) ?? '')) ||
                (k >= 0 && printsFileAt(texts, k));
              for (const found of valuesIn(word))
                refuseFound(found, 'stdin_code', (name) =>
                  file
                    ? manifestFileFedMessage(name, stdinManifest, texts[0] ?? '', textOf(word))
                    : manifestFedMessage(name, stdinManifest, 'in the output of a command piped into it'),
                );
            }
          }
        if (!frame.levels[level]!.fed) break;
      }
    }
    // parallel rm ::: {{x}}: each argument after ::: is an item parallel puts in its command, as from its input.
    const parallel = parallelInputFile(texts);
    // parallel CMD :::: {{x}}: the value names the file whose lines are the items, whatever the command.
    const listed = (() => {
      const at = texts.findIndex((word) => programName(word) === 'parallel');
      return at < 0 ? undefined : parallelCommand(texts, at);
    })();
    for (const k of listed?.files ?? [])
      if (!texts[k]!.startsWith('<('))
        for (const found of valuesIn(command.args[k]!))
          refuseFound(
            found,
            'stdin_code',
            (name) =>
              `{{${name}}} is in the name of a file after :::: of parallel (${texts[k]}), whose lines parallel gives its command as arguments: its value would choose a file of the runner whose lines become that command's arguments (printed, or files it deletes or sends); name the file in the config, or give the value after ::: (parallel ./deploy.sh ::: {{${name}}})`,
          );
    const fed = (parallel?.files ?? []).filter((k) => texts[k]!.startsWith('<('));
    // Items that land where no rule refuses them: checked once rendered as xargs -I's would be (one argument,
    // each item is one: parallel quotes it), with the checks of the command written out, or refused where those
    // are checks no check of an item can make (parallel helm … --set image.tag={} ::: VALUE).
    const parallelFed = parallel?.synthetic ? xargsFed(parallel.synthetic, undefined, inherited) : undefined;
    // After :::, each argument is one item (-d does not cut it, --colsep does); in a :::: <(…) file, each line
    // is, cut by -d too.
    if (parallelFed?.items)
      for (const k of [...parallel!.args, ...fed])
        for (const found of valuesIn(command.args[k]!))
          feedItem(
            found,
            {
              ...parallelFed.items,
              lines: true,
              delimited: true,
              reader: 'parallel' as const,
              ...(fed.includes(k) ? parallelCuts(texts) : parallelCuts(texts).colsep && { colsep: true }),
            },
            parallelFed.unchecked,
            'is an item of parallel',
          );
    for (const k of parallel?.synthetic ? [] : [...(parallel?.args ?? []), ...fed])
      for (const found of valuesIn(command.args[k]!))
        refuseFound(
          found,
          'stdin_code',
          (name) =>
            `{{${name}}} is in an argument after ${fed.includes(k) ? '::::' : ':::'} of parallel, ${parallel!.why.replaceAll('VALUE', `{{${name}}}`)}`,
        );
    // What xargs reads becomes its program's arguments, cut at blanks and newlines, its quotes read
    // (`echo {{pods}} | xargs kubectl delete pod` given `--all`, or `a --all`): a value piped or here-stringed
    // into it is checked once rendered to be one item that does not start with "-", as a value written in
    // the argument is. Through a variable, only one holding fixed text and templates alone can be checked.
    // xargs' own options choose where what it reads lands (-I/-J's string) and how it is cut (-d, -n): a value
    // there (`xargs -I {{y}} docker run app:{{y}}` given y=docker runs what xargs reads) is refused. -a's file
    // has the file rule.
    const xargsAt = texts.findIndex((word) => programName(word) === 'xargs');
    const xargsProgram = chosenWords(texts).find((word) => word.index > xargsAt)?.index;
    if (xargsAt >= 0)
      for (let k = xargsAt + 1; k < (xargsProgram ?? texts.length); k++) {
        const option = k > xargsAt + 1 ? texts[k - 1]! : '';
        if (/^(-[^-]*a|--arg-file)$/.test(option) || /^(-a.|--arg-file=)/.test(texts[k]!)) continue;
        for (const found of valuesIn(command.args[k]!))
          refuseFound(
            found,
            'chooses',
            (name) =>
              `{{${name}}} is in an option of xargs (${texts[k]}), which chooses where what xargs reads lands in the command it runs, or how it is cut: a value there could make it the program; write xargs' options in the config`,
          );
      }
    // What parallel reads on its standard input (with no ::: arguments, :::: nor -a files) is its items, one a
    // line, quoted: checked as an item after ::: is (`echo {{pods}} | parallel kubectl delete pod`).
    const parallelItems =
      model.stdinCode === undefined && parallelFed?.items && parallelReadsStdin(parallel!)
        ? {
            items: {
              ...parallelFed.items,
              lines: true,
              delimited: true,
              reader: 'parallel' as const,
              ...parallelCuts(texts),
            },
            unchecked: parallelFed.unchecked,
            reaches: 'is an item of parallel',
          }
        : undefined;
    const { items, unchecked, reaches } =
      parallelItems ??
      (model.stdinCode === undefined
        ? { ...stdinItems(texts, command.xargsChecks, inherited), reaches: undefined }
        : { unchecked: false, items: undefined, reaches: undefined });
    if (items) {
      const fed: Word[] = command.words.filter((w) => w.role === 'herestring');
      for (let level = frame.levels.length - 1; frame.pipedIn && level >= 0; level--) {
        for (const stage of frame.levels[level]!.commands) fed.push(...stage.words);
        if (!frame.levels[level]!.fed) break;
      }
      for (const word of fed) for (const found of valuesIn(word)) feedItem(found, items, unchecked, reaches);
    }
    // The command piped into this one (cat <<EOF | kubectl apply -f -): what it writes is this one's input.
    if (frame.pipedIn) {
      const before = frame.levels.at(-1)!.commands.at(-1);
      if (before) before.pipedInto ??= command;
    }
    checkSubstitutions(frame, command, model, texts);
    const raws = args.map((word) => script.slice(word.start, word.end));
    const starts = args.map((word) => word.start);
    for (const part of commandArithmetic(args.map(plain), raws, starts, integerVariables, associative, first))
      checkArithmetic(part, true);
    for (const word of command.words)
      for (const part of expansionArithmetic(script.slice(word.start, word.end), word.start, associative))
        checkArithmetic(part, false);
    // `a[ v ]=1`: one assignment for bash, its subscript holding blanks (words here).
    const open = first < args.length ? /^([A-Za-z_]\w*)\[[^\]]*$/.exec(raws[first]!) : null;
    const close = open ? raws.findIndex((raw, k) => k > first && /^[^\]]*\]\+?=/.test(raw)) : -1;
    if (open && close > 0 && !associative.has(open[1]!))
      checkArithmetic(
        {
          start: starts[first]! + open[1]!.length + 1,
          end: starts[close]! + raws[close]!.indexOf(']'),
          where: `the subscript of the array ${open[1]}`,
        },
        true,
      );
    noteAssignments(command, args.slice(0, first), first === args.length, texts);
    // declare -A m at the top of the script, on no condition: m's subscripts are strings from here on.
    const declared = commandAt(texts, 0);
    if (
      (texts[declared] === 'declare' || texts[declared] === 'typeset') &&
      texts.slice(declared + 1).some((t) => /^-[A-Za-z]*A/.test(t)) &&
      stack.length === 1 &&
      frame.levels.length === 1 &&
      frame.parens === 0 &&
      /(&&|\|\|?)[\s({]*$/.exec(script.slice(0, command.words[0]!.start)) === null &&
      !/^\s*(&&|\|\|)/.test(script.slice(command.words.at(-1)!.end))
    )
      for (const text of texts.slice(declared + 1)) {
        const name = /^([A-Za-z_]\w*)(?:=|$)/.exec(text)?.[1];
        if (name !== undefined && declarationsOf(name) === 1) associative.add(name);
      }
    for (const level of frame.levels) level.commands.push(command);
    frame.commands.push(command);
    frame.pipedIn = then === 'pipe';
  };
  /**
   * Templates inside a substitution of a command's words. The output of $(…) becomes words of the command: a
   * value inside chooses them, and no check of a value can see that output. So a template there is refused
   * when the output is split into words (unquoted), starts an argument the program reads options in, or goes
   * where a value must be one plain word (ssh's remote command, a make variable, a sed s command). What a command
   * writes into >(…) is the standard input of the inside: read as code there (>(sh)), it takes no template.
   */
  const checkSubstitutions = (
    frame: Frame & { kind: 'script' },
    command: SimpleCommand,
    model: CommandModel,
    texts: string[],
  ) => {
    const refused = (site: TemplateSite) => problems.some((problem) => problem.offset === site.start);
    const within = (sub: Substitution) => (site: TemplateSite) =>
      site.start > sub.start && site.start < sub.end;
    const program = texts[0] ?? 'the command';
    // Whether the output of `sub` may start its word: nothing before it but quotes, templates and other
    // substitutions, any of which may be empty ("$(a)$(b {{x}})", "{{a}}$(…)"). Templates alone before it
    // ("{{a}}$(…)") are checked once rendered instead: the argument is refused only if their values are all
    // empty (beforeSubstitution), as a leading "-" in them is.
    const startsWord = (word: Word, sub: Substitution) => {
      let before = script.slice(word.start, sub.start);
      let others = false;
      for (const other of [...(command.subs ?? [])].reverse())
        if (other.start >= word.start && other.end <= sub.start) {
          before = before.slice(0, other.start - word.start) + before.slice(other.end - word.start);
          others = true;
        }
      // An expansion not known here before it ("$EMPTY$(…)") may be empty too, and no check sees it.
      before = before.replace(new RegExp(PLACEHOLDER.source, 'g'), '');
      if (new RegExp(MAYBE_EMPTY).test(before)) others = true;
      before = before.replace(new RegExp(MAYBE_EMPTY, 'g'), '');
      if (!/^"*$/.test(before.replace(/"/g, ''))) return false;
      const leading = sites.filter((site) => site.start >= word.start && site.start < sub.start);
      if (others || leading.length === 0 || !leading.every((site) => site.leading)) return true;
      leading.at(-1)!.beforeSubstitution = true;
      return false;
    };
    /**
     * The substitution as the program's word holds it (`text`: the word with quotes removed): the whole word, or
     * what follows fixed text before it (--values=<(…), one word), or as written when it is not known there.
     */
    const substitutionText = (text: string, word: Word, sub: Substitution) => {
      if (word.start === sub.start && word.end === sub.end) return text;
      const before = unquote(script.slice(word.start, sub.start));
      return sub.end === word.end && text.startsWith(before) && !/[$`{]/.test(before)
        ? text.slice(before.length)
        : script.slice(sub.start, sub.end);
    };
    for (const sub of command.subs ?? []) {
      const word = command.words.find((w) => sub.start >= w.start && sub.start < w.end);
      if (!word) continue;
      const index = command.args!.indexOf(word);
      if (sub.kind === '>' && sub.reader !== undefined) {
        // Everything the command writes: its words (outside its substitutions), and what feeds it.
        const inSubs = (site: TemplateSite) => command.subs!.some((other) => within(other)(site));
        for (const w of command.words)
          for (const site of sitesIn(w))
            if (!inSubs(site) && !refused(site))
              refuse(
                'stdin_code',
                site.name,
                site.start,
                sub.readerWhy !== undefined
                  ? `{{${site.name}}} (character ${site.start + 1}) is in what ${program} writes into a process substitution (>(${sub.reader} …)), ${sub.readerWhy.replaceAll('VALUE', `{{${site.name}}}`)}`
                  : `{{${site.name}}} (character ${site.start + 1}) is in what ${program} writes into a process substitution read as code (>(${sub.reader} …)): the value would be run there; read the value from the environment variable ${envNameFor(site.name)} in a fixed script instead`,
              );
        command.pipedIntoCode ??= sub.reader;
        const feeding: SimpleCommand[] = [];
        for (let level = frame.levels.length - 1; frame.pipedIn && level >= 0; level--) {
          feeding.push(...frame.levels[level]!.commands);
          if (!frame.levels[level]!.fed) break;
        }
        for (const stage of feeding)
          for (const w of stage.words)
            for (const site of sitesIn(w))
              if (!refused(site))
                refuse(
                  'stdin_code',
                  site.name,
                  site.start,
                  stdinCodeMessage(site.name, site.start, `>(${sub.reader})`, 'pipe', sub.readerWhy),
                );
      }
      if (sub.kind === '<' && word.role === 'redirect' && model.stdinCode !== undefined) {
        // `bash < <(echo …)`: what the inside writes is the standard input the program runs as code.
        const reader = command.compoundReader ?? texts[model.stdinCode]!;
        for (const site of sites.filter(within(sub)))
          if (!refused(site))
            refuse(
              'stdin_code',
              site.name,
              site.start,
              command.stdinWhy !== undefined
                ? `{{${site.name}}} (character ${site.start + 1}) is inside <(…) redirected into ${reader}, ${command.stdinWhy.replaceAll('VALUE', `{{${site.name}}}`)}`
                : `{{${site.name}}} (character ${site.start + 1}) is inside <(…) redirected into ${reader}, which runs what it reads as code: read the value from the environment variable ${envNameFor(site.name)} in a fixed script instead`,
            );
      }
      // xargs kubectl delete pod < <(echo …), parallel … < <(echo …): what the inside writes is what they read,
      // each value one item, as piped.
      if (sub.kind === '<' && word.role === 'redirect' && model.stdinCode === undefined) {
        const read = stdinItems(texts, command.xargsChecks, inherited);
        const items = read.items;
        if (items)
          for (const site of sites.filter(within(sub)))
            if (refused(site)) continue;
            else if (items.colsep)
              refuse(
                'stdin_code',
                site.name,
                site.start,
                named(site.name, site.start, colsepMessage(site.name, items)),
              );
            else if (read.unchecked)
              refuse(
                'stdin_code',
                site.name,
                site.start,
                named(site.name, site.start, xargsUncheckedMessage(site.name, items)),
              );
            else site.xargsItem = items;
      }
      // curl -K <(echo "url = …"): what the inside writes is the config curl reads its options from.
      const read = index < 0 ? undefined : model.fileReads.get(index);
      if (sub.kind === '<' && read && curlConfig(read))
        for (const site of sites.filter(within(sub)))
          if (!refused(site))
            refuse(
              'stdin_code',
              site.name,
              site.start,
              `{{${site.name}}} (character ${site.start + 1}) is inside <(…), ${curlConfigWhy(read.how).replaceAll('VALUE', `{{${site.name}}}`)}`,
            );
      // xargs -a <(echo …) rm, tar -T <(echo …): what the inside writes is the list the program reads, as from a
      // pipe (substitutionFileRoute).
      const route =
        sub.kind === '<' && word.role === 'arg' && index > 0 && !(read && curlConfig(read))
          ? substitutionFileRoute(texts, index, substitutionText(texts[index]!, word, sub))
          : undefined;
      const fed = route && 'items' in route ? xargsFed(route.items, undefined, inherited) : undefined;
      // parallel -a <(…): one item a line, quoted by parallel.
      if (fed?.items && route && 'parallel' in route && route.parallel)
        fed.items = {
          ...fed.items,
          lines: true,
          delimited: true,
          reader: 'parallel',
          ...parallelCuts(texts),
        };
      // Each template inside <(…) not refused yet, refused with the message for it.
      const refuseInside = (message: (site: TemplateSite) => string) => {
        for (const site of sites.filter(within(sub)))
          if (!refused(site)) refuse('stdin_code', site.name, site.start, message(site));
      };
      if (fed?.items?.colsep) {
        const items = fed.items;
        refuseInside((site) => named(site.name, site.start, colsepMessage(site.name, items)));
      } else if (fed?.items && !fed.unchecked)
        for (const site of sites.filter(within(sub))) site.xargsItem = fed.items;
      else if (fed?.items) {
        const items = fed.items;
        refuseInside((site) => named(site.name, site.start, xargsUncheckedMessage(site.name, items)));
      } else if (route && !('items' in route))
        refuseInside((site) =>
          'why' in route
            ? `{{${site.name}}} (character ${site.start + 1}) is inside <(…), ${route.why.replaceAll('VALUE', `{{${site.name}}}`)}`
            : route.tool === 'parallel -a'
              ? `{{${site.name}}} (character ${site.start + 1}) is inside <(…), whose lines parallel -a reads as its items, which would make them the program, subcommand or script parallel runs, or its code: name what runs after parallel and let the value be its argument (parallel ./deploy.sh ::: {{${site.name}}}), or read the value from the environment variable ${envNameFor(site.name)}`
              : `{{${site.name}}} (character ${site.start + 1}) is inside <(…), whose lines xargs -a reads as its input, which would make it the program, subcommand or script xargs runs, or its code: name what runs after xargs and let the value be its argument (xargs -I{} ./deploy.sh {}), or read the value from the environment variable ${envNameFor(site.name)}`,
        );
      if (sub.kind !== '$') continue;
      const declaration = DECLARATIONS.has(program) && /^[A-Za-z_]\w*=/.test(texts[index] ?? '');
      for (const site of sites.filter(within(sub))) {
        if (refused(site)) continue;
        const at = `{{${site.name}}} (character ${site.start + 1}) is inside $(…)`;
        const checked = site.remote
          ? "the command ssh runs through the remote host's shell"
          : site.make
            ? 'a variable given to make'
            : site.sed !== undefined
              ? 'a sed s command'
              : site.remotePath
                ? "a remote path the remote host's shell reads"
                : undefined;
        let why: string | undefined;
        if (word.role === 'herestring' || (word.role === 'arg' && index < 0)) continue; // NAME=$(…), <<< "$(…)"
        if (checked)
          why = `whose output goes into ${checked}, where a value must be one plain word, and no check can see that output: pass the value itself there ({{${site.name}}})`;
        else if (!sub.quoted && !declaration)
          why = `without double quotes: its output is split into words and expanded as a glob, so the value would choose how many words ${program} gets and which; write "$(…)" in double quotes`;
        else if (
          word.role === 'arg' &&
          index > 0 &&
          !model.positional.has(index) &&
          !model.guarded.has(index) &&
          startsWord(word, sub)
        )
          why = `at the start of an argument of ${programName(program)}: its output could start with "-", which ${programName(program)} would read as an option, and no check can see that output; put -- before it where ${programName(program)} ends its options there, or write the option and the value as one word (--name="$(…)")`;
        if (why) refuse('substitution', site.name, site.start, `${at} ${why}`);
      }
    }
  };
  /**
   * Values in the arguments of an inline script (`sh -c '$1' _ {{x}}`) or of a function of the script
   * (`f {{x}}`): refused when the body runs its positional parameter as a program or as code (inline-args.ts).
   * What xargs appends to such a script (`… | xargs sh -c '$1' _`) makes its standard input code.
   */
  /**
   * The refusals of `body`, code run with variables of this script (a trap's or eval's code; an inline shell's
   * script given what it inherits), but those of the templates written in it, which this script refuses itself.
   */
  const bodyProblems = (body: string, context: InlineContext): ShellTemplateProblem[] => {
    const analysis = analyzeShellTemplate(body, context);
    if (analysis.ok) return [];
    const written = new Set([...body.matchAll(PLACEHOLDER)].map((m) => m.index));
    return analysis.problems.filter((problem) => !written.has(problem.offset));
  };
  /**
   * The variables holding a value that a shell started by `command` (at word `at` of `texts`) receives in its
   * environment: those the script exports (export v, declare -x v, set -a) and the assignments before the
   * command (v={{x}} bash -c '…'), when the programs before it keep the environment; undefined when they may not
   * (ssh, docker, sudo). DEPLOY_* variables are held wherever they are read (HeldValues).
   */
  const environmentHeld = (command: SimpleCommand, texts: readonly string[], at: number) => {
    for (let k = 0; k < at; k++) {
      const text = texts[k]!;
      if (k === 0 && !KEEPS_ENVIRONMENT.has(programName(text))) return undefined;
      if (/^(-i|--ignore-environment|-)$/.test(text) && programName(texts[0]!) === 'env') return undefined;
    }
    const env: Record<string, string[]> = {};
    for (const [variable, names] of Object.entries(held.snapshot()))
      if (/^[A-Za-z_]\w*$/.test(variable) && exportsVariable(script, variable)) env[variable] = names;
    for (const word of command.prefix ?? []) {
      const variable = /^[A-Za-z_]\w*/.exec(plain(word))![0];
      const names = heldNames([word]);
      if (names.length) env[variable] = [...new Set([...(env[variable] ?? []), ...names])];
    }
    return env;
  };
  /**
   * Code this shell runs with its own variables, now or later: eval's arguments and a trap's string, written in
   * single quotes (trap '(( v ))' EXIT runs v's value as an expression when the script ends). Read as a script
   * whose variables hold what this one's hold.
   */
  const environmentMessage = (where: string, word: Word, problem: ShellTemplateProblem) =>
    `{{${problem.name}}} reaches ${where} (character ${word.start + 1}) in its environment (a variable this script exports or sets before the command, or DEPLOY_*): there (characters counted in that script), ${problem.message}`;
  const checkCodeStrings = (command: SimpleCommand, model: CommandModel, texts: string[]) => {
    const args = command.args!;
    const seen = new Set<number>();
    for (const operand of model.code) {
      if (operand.kind !== 'eval' || operand.index >= args.length || seen.has(operand.program)) continue;
      seen.add(operand.program);
      // eval joins its arguments into one line of code.
      const words = operand.how === 'eval' ? args.slice(operand.index) : [args[operand.index]!];
      if (!words.every((word) => isLiteralWord(script.slice(word.start, word.end)))) continue;
      const body = words.map((word) => texts[args.indexOf(word)]!).join(' ');
      const at = words[0]!.start;
      for (const problem of bodyProblems(body, {
        held: {},
        around: held.snapshot(),
        naming: held.namingSnapshot(),
        functions,
        visiting,
      }))
        refuse(
          problem.reason,
          problem.name,
          at,
          `the code ${operand.how} runs (character ${at + 1}) is run by this shell, with its variables${operand.how === 'trap' ? ', when the signal comes' : ''}: there (characters counted in that code), ${problem.message}`,
        );
    }
  };
  const checkArguments = (command: SimpleCommand, model: CommandModel, texts: string[]) => {
    const args = command.args!;
    const hasValue = (k: number) => k < args.length && valuesIn(args[k]!).length > 0;
    // The word of the call at k, when it is fixed text alone.
    const literalAt = (k: number) =>
      k < args.length && isLiteralWord(script.slice(args[k]!.start, args[k]!.end)) ? texts[k] : undefined;
    const refuseArgument = (problem: ShellTemplateProblem, where: string) => {
      const k = argIndex(problem.name)!;
      for (const found of k < args.length ? valuesIn(args[k]!) : [])
        refuseFound(found, 'code', (name) => argumentMessage(`{{${name}}}`, where, problem.message));
      // f v: the argument names a variable holding a value (namedArguments).
      const named =
        k < args.length && valuesIn(args[k]!).length === 0 ? held.namedIn(plain(args[k]!)) : undefined;
      if (named)
        refuse(
          problem.reason,
          named.names[0]!,
          args[k]!.start,
          argumentMessage(
            `${plain(args[k]!)} (character ${args[k]!.start + 1}), the name of a variable holding ${named.names.map((n) => `{{${n}}}`).join(', ')},`,
            where,
            problem.message,
          ),
        );
    };
    /** The positional parameters whose argument names a variable holding a value (f v; f() { (( $1 )); }). */
    const namedArguments = (positional: ReadonlyArray<{ index: number; value: boolean }>) => {
      const naming: Record<string, { names: string[]; subscript: boolean }> = {};
      positional.forEach(({ index, value }, n) => {
        const named = value || index >= args.length ? undefined : held.namedIn(plain(args[index]!));
        if (!named) return;
        for (const variable of [String(n + 1), '@', '*'])
          naming[variable] = {
            names: [...(naming[variable]?.names ?? []), argName(index)],
            subscript: (naming[variable]?.subscript ?? false) || named.subscript,
          };
      });
      return naming;
    };
    const xargs = texts.findIndex((t) => programName(t) === 'xargs');
    for (const operand of model.code) {
      if (operand.kind !== 'shell' || operand.index >= texts.length) continue;
      const zero = operand.index + 1 < texts.length ? operand.index + 1 : undefined;
      const positional: Array<{ index: number; value: boolean }> = [];
      for (let k = operand.index + 2; k < texts.length; k++)
        positional.push({ index: k, value: hasValue(k) });
      // xargs puts what it reads where its replace string is, or after the last word.
      const replace = xargs >= 0 && xargs < operand.program ? xargsReplaceString(texts, xargs) : undefined;
      const fromInput = (k: number) =>
        k === texts.length || (replace !== undefined && replace !== '' && texts[k]!.includes(replace));
      const appends = xargs >= 0 && xargs < operand.program && (replace === undefined || replace === '');
      if (xargs >= 0 && xargs < operand.program) {
        for (const arg of positional) arg.value ||= fromInput(arg.index);
        if (appends && zero !== undefined) positional.push({ index: texts.length, value: true });
      }
      // With no word after the script, what xargs appends is $0.
      const zeroArg =
        zero === undefined
          ? appends
            ? { index: texts.length, value: true }
            : undefined
          : { index: zero, value: hasValue(zero) || fromInput(zero) };
      // The variables it receives in its environment (`v={{x}} bash -c '(( v ))'`, DEPLOY_*).
      const env = environmentHeld(command, texts, operand.program);
      const scriptWord = args[operand.index]!;
      const inherits =
        env !== undefined &&
        (Object.keys(env).length > 0 || /DEPLOY_/.test(texts[operand.index]!)) &&
        isLiteralWord(script.slice(scriptWord.start, scriptWord.end));
      if (!zeroArg?.value && !positional.some((arg) => arg.value) && !inherits) continue;
      // A script known only at run time (`sh -c "$X" _ {{x}}`) may run any of its parameters.
      if (!isLiteralWord(script.slice(scriptWord.start, scriptWord.end))) {
        for (const arg of zeroArg?.value ? [zeroArg, ...positional] : positional) {
          if (!arg.value) continue;
          if (xargs >= 0 && fromInput(arg.index)) model.stdinCode ??= xargs;
          for (const found of arg.index < args.length ? valuesIn(args[arg.index]!) : [])
            refuseFound(found, 'code', (name) => unreadScriptMessage(`{{${name}}}`, operand.how));
        }
        continue;
      }
      const body = texts[operand.index]!;
      // sh is dash on Debian and Ubuntu, which reads bash's [[ … ]], &>, $'…', declare and aliases otherwise
      // than the bash grammar this check reads: [[ is no command there, so an || or && inside runs the words
      // after it, a value among them. Such a script takes no value when sh (dash, ash, posh) runs it.
      const bashOnly = bashOnlyUnderSh(texts[operand.program] ?? '', body);
      if (bashOnly !== undefined) {
        for (const arg of zeroArg?.value ? [zeroArg, ...positional] : positional)
          for (const found of arg.value && arg.index < args.length ? valuesIn(args[arg.index]!) : [])
            refuseFound(found, 'code', (name) =>
              bashOnlyMessage(`{{${name}}}`, operand.how, bashOnly, texts[operand.program]!),
            );
        if (inherits)
          refuse(
            'code',
            'DEPLOY_',
            scriptWord.start,
            `the script of "${operand.how}" (character ${scriptWord.start + 1}) reads values from its environment and uses bash's ${bashOnly}, which dash, sh on Debian and Ubuntu, reads otherwise: run it with bash -c, or write it for sh`,
          );
        continue;
      }
      for (const problem of bodyProblems(body, {
        held: positionalHeld(body, zeroArg, positional),
        ...(inherits && { around: env }),
        functions,
        visiting,
        fixed: positionalFixed(body, positional, literalAt),
      })) {
        if (argIndex(problem.name) === undefined) {
          if (inherits)
            refuse(
              problem.reason,
              problem.name,
              scriptWord.start,
              environmentMessage(`the script of "${operand.how}"`, scriptWord, problem),
            );
          continue;
        }
        if (xargs >= 0 && fromInput(argIndex(problem.name)!)) model.stdinCode ??= xargs;
        refuseArgument(problem, `the script of "${operand.how}"`);
      }
    }
    // The function called, after `time`, `!`, `coproc` (`time -p f {{x}}` calls f as `f {{x}}` does).
    const call = functionWord(texts);
    if (call >= texts.length) return;
    const name = texts[call]!;
    const body = functions.get(name);
    // A function reached again from its own body is read once more with its parameters anywhere, then no more.
    const mode = visiting.has(name) ? 'anywhere' : 'exact';
    if (body === undefined || visiting.get(name) === 'anywhere') return;
    const positional = texts
      .slice(call + 1)
      .map((_, k) => ({ index: call + 1 + k, value: hasValue(call + 1 + k) }));
    const naming = namedArguments(positional);
    if (!positional.some((arg) => arg.value) && Object.keys(naming).length === 0) return;
    for (const problem of argumentProblems(body, {
      held: positionalHeld(body, undefined, positional, mode === 'anywhere'),
      naming,
      functions,
      visiting: new Map([...visiting, [name, mode]]),
      ...(mode === 'exact' && { fixed: positionalFixed(body, positional, literalAt) }),
    }))
      refuseArgument(problem, `the function ${name} of this script`);
  };
  /**
   * A shell reading its script on standard input, with arguments (`bash -s -- {{x}} <<'EOF' … "$1" … EOF`,
   * `ssh host bash -s {{x}} <<'EOF'`): when that script is written out (a here-document, a literal
   * here-string), the values of its positional parameters are checked as an inline script's (`sh -c '…' _
   * {{x}}`). A script from a file or a pipe is the config's, as `bash deploy.sh {{x}}` is.
   */
  const checkStdinScript = (command: SimpleCommand, body: string, how: string) => {
    const model = command.model;
    const args = command.args;
    if (model?.stdinCode === undefined || !args) return;
    const texts = args.map(textOf);
    const shell = texts.findIndex((t, k) => k >= model.stdinCode! && POSIX_SHELLS.has(programName(t)));
    if (shell < 0) return;
    // Its options (-e, -o pipefail, -s, --rcfile F), then its arguments; without -s, an operand is a script file.
    let k = shell + 1;
    let dashS = false;
    for (; k < texts.length; k++) {
      const text = texts[k]!;
      if (text === '--') {
        k++;
        break;
      }
      if (/^[-+][oO]$|^--(rcfile|init-file)$/.test(text)) k++;
      else if (/^-[a-zA-Z]*s[a-zA-Z]*$/.test(text)) dashS = true;
      else if (!/^[-+]./.test(text)) break;
    }
    if (k < texts.length && !dashS) return;
    const positional: Array<{ index: number; value: boolean }> = [];
    for (let j = k; j < texts.length; j++)
      positional.push({ index: j, value: valuesIn(args[j]!).length > 0 });
    // The variables it receives in its environment (v={{x}} bash <<'EOF' … (( v )) … EOF, DEPLOY_*).
    const env = environmentHeld(command, texts, shell);
    const inherits = env !== undefined && (Object.keys(env).length > 0 || /DEPLOY_/.test(body));
    if (!positional.some((arg) => arg.value) && !inherits) return;
    for (const problem of bodyProblems(body, {
      held: positionalHeld(body, undefined, positional),
      ...(inherits && { around: env }),
      functions,
      visiting,
    })) {
      const at = argIndex(problem.name);
      if (at === undefined) {
        const word = args[shell]!;
        const where = `the script "${texts[shell]}" reads from its ${how}`;
        if (inherits)
          refuse(problem.reason, problem.name, word.start, environmentMessage(where, word, problem));
        continue;
      }
      for (const found of at < args.length ? valuesIn(args[at]!) : [])
        refuseFound(found, 'code', (name) =>
          argumentMessage(
            `{{${name}}}`,
            `the script "${texts[shell]} -s" reads from its ${how}`,
            problem.message,
          ),
        );
    }
  };
  /** After ; & && || or a newline: the next command starts a pipeline of the innermost compound command. */
  const endPipeline = (frame: Frame & { kind: 'script' }) => {
    const level = frame.levels.at(-1)!;
    level.commands = [];
    frame.pipedIn = level.fed;
  };
  const openCompound = (frame: Frame & { kind: 'script' }) =>
    frame.levels.push({ commands: [], fed: frame.pipedIn });
  const closeCompound = (frame: Frame & { kind: 'script' }) => {
    if (frame.levels.length > 1) frame.levels.pop();
    frame.pipedIn = false;
  };
  const placeholderAt = (at: number) => {
    PLACEHOLDER_AT.lastIndex = at;
    return PLACEHOLDER_AT.exec(script);
  };
  /** Whether the command being read is a [[ … ]] whose closing ]] has not come yet. */
  const inConditional = (frame: Frame & { kind: 'script' }) => {
    const words = frame.command.words.filter((word) => word.role === 'arg').map(plain);
    const open = words.indexOf('[[');
    return (
      open >= 0 &&
      words
        .slice(0, open)
        .every((word) => KEEPS_COMMAND_POSITION.has(word) || ['time', '-p', 'coproc'].includes(word)) &&
      !words.slice(open + 1).includes(']]')
    );
  };
  const top = () => stack[stack.length - 1]!;
  const enclosing = (kind: Frame['kind']) => stack.some((frame) => frame.kind === kind);

  const record = (match: RegExpExecArray, context: TemplateContext) => {
    const name = match[1]!;
    const start = match.index;
    if (enclosing('backtick')) return refuse('backticks', name, start);
    if (enclosing('param')) return refuse('parameter_expansion', name, start);
    if (enclosing('arith') && !NUMERIC_VARIABLES.includes(name)) return refuse('arithmetic', name, start);
    sites.push({
      name,
      start,
      end: start + match[0].length,
      context: enclosing('arith') ? 'arithmetic' : context,
    });
  };

  /** Whether a command's program quotes the values it writes (MANIFEST_RENDERERS). */
  const quotesManifestValues = (command: SimpleCommand): boolean =>
    MANIFEST_RENDERERS.has(command.args?.length ? programName(plain(command.args[0]!)) : '');
  /** The files tee writes its input to besides its standard output: its operands. */
  const teeFiles = (command: SimpleCommand): string[] =>
    command.args?.length && programName(plain(command.args[0]!)) === 'tee'
      ? command
          .args!.slice(1)
          .map(plain)
          .filter((w) => !w.startsWith('-'))
      : [];
  /** The files a command's output redirections (> f, >> f) write. */
  const outputFiles = (command: SimpleCommand): string[] =>
    command.words
      .filter((w) => w.role === 'redirect' && /(^|[^<0-9&]|1)>>?\|?\s*$/.test(script.slice(0, w.start)))
      .map(plain);

  /** The files cat or tee writes its input to: its output redirections (> f, >> f), and tee's operands. */
  const writtenFiles = (command: SimpleCommand): string[] => {
    const name = command.args?.length ? programName(plain(command.args[0]!)) : '';
    if (name !== 'cat' && name !== 'tee' && name !== 'envsubst') return [];
    const files = command.words
      .filter((w) => w.role === 'redirect' && /(^|[^<0-9&]|1)>>?\|?\s*$/.test(script.slice(0, w.start)))
      .map(plain);
    if (name === 'tee')
      files.push(
        ...command
          .args!.slice(1)
          .map(plain)
          .filter((w) => !w.startsWith('-')),
      );
    return files;
  };

  // A here-document body starts after the newline that ends its command; it ends at the delimiter line.
  const readHeredocBodies = () => {
    for (const doc of pending) {
      let body = '';
      // A manifest or values file read on standard input, from the here-document or from cat's output.
      const fed =
        doc.command.args?.length && programName(plain(doc.command.args[0]!)) === 'cat'
          ? doc.command.pipedInto
          : doc.command;
      const manifest = doc.quoted
        ? undefined
        : ((fed?.args ? manifestReader(fed.args.map(plain)) : undefined) ??
          fed?.inside?.map((c) => (c.args ? manifestReader(c.args.map(plain)) : undefined)).find(Boolean) ??
          manifestFileReader(writtenFiles(doc.command), readerCommands(), i));
      // A body written as JSON (cat > task.json <<EOF, curl -d @- <<EOF): its values are checked as a JSON
      // argument's are, whatever reads it. `jsonSeen`: the templates of the body met so far.
      const json = doc.quoted || manifest !== undefined ? undefined : jsonHeredoc(script, i, doc);
      let jsonSeen = 0;
      // Where the body runs commands ($(…) and `…`, which may span lines): 1 at each such character.
      const bodyStart = i;
      const inSubstitution = doc.quoted
        ? new Uint8Array(0)
        : bodySubstitutions(script.slice(bodyStart, heredocBodyEnd(script, bodyStart, doc)));
      const substituted = (at: number) => inSubstitution[at - bodyStart] === 1;
      // A backslash-newline in a manifest or JSON body: bash drops it, joining the lines, before the reader gets
      // them ('command\' then ': ["{{x}}"]' is a command), while the field and key checks read the body as written.
      const joinAt =
        !doc.quoted && (manifest !== undefined || json !== undefined)
          ? continuationAt(script.slice(bodyStart, heredocBodyEnd(script, bodyStart, doc)))
          : -1;
      const joinMessage = (name: string) =>
        `{{${name}}} is in a here-document "${manifest ?? json!.where}" reads as ${manifest !== undefined ? 'a manifest' : 'JSON'}, whose backslash-newline at character ${bodyStart + joinAt + 1} bash drops, joining the lines, before it reads them, so the checks of its fields, which read the body as written, would not see where the value is: take the backslash out (or join the lines yourself)`;
      // $\<newline>V is $V once bash joins the lines, which the checks below, reading line by line, do not see:
      // a variable holding a value split so is refused.
      if (!doc.quoted) {
        const { joined, origin } = joinedBody(
          script.slice(bodyStart, heredocBodyEnd(script, bodyStart, doc)),
        );
        for (const ref of variableRefs(joined, 0, true)) {
          const holds = held.holds(ref.variable);
          const start = bodyStart + origin[ref.start]!;
          if (holds && script.slice(start, bodyStart + origin[ref.end - 1]! + 1).includes('\\\n'))
            refuse(
              'heredoc_substitution',
              holds.names[0]!,
              start,
              refMessage(
                { ...ref, start, end: bodyStart + origin[ref.end - 1]! + 1 },
                holds,
                `{{${pseudoName(ref.variable)}}} is split across lines by a backslash-newline in a here-document, which bash joins before expanding it, where no check of the body sees it: write the reference on one line`,
              ),
            );
        }
      }
      // In a manifest, the field each template and each variable holding one fills (manifest-fields.ts; a nomad
      // job spec's, hcl-fields.ts).
      const nomadReader = manifest !== undefined && programName(manifest.split(' ')[0]!) === 'nomad';
      const manifestFields =
        manifest === undefined
          ? { at: () => [], key: () => false, image: () => undefined }
          : manifestFieldsOf(
              script,
              bodyStart,
              heredocBodyEnd(script, bodyStart, doc),
              doc.stripTabs,
              (line, start) =>
                variableRefs(line, start, true)
                  .filter((r) => held.holds(r.variable))
                  .map((r) => ({ ...r, text: held.holds(r.variable)!.exact?.text })),
              nomadReader,
            );
      // Why the value at `at` may not fill its field (any field it fills: an anchor's and each alias's).
      const manifestFieldMessage = (name: string, at: number) =>
        manifestFields.tooLarge
          ? `{{${name}}} is in a here-document "${manifest}" reads as a manifest, whose aliases repeat its nodes more than ${MANIFEST_VISITS.toLocaleString('en-US')} times (anchors of anchors), past which the field a value fills is not worked out: write the manifest with fewer aliases`
          : manifestFields.notHcl
            ? `{{${name}}} is in a here-document "${manifest}" reads as a job spec, which is not HCL the check can follow (an unclosed block, string or heredoc), so the field a value fills (a task's command, its driver's config) cannot be told: write the job spec as plain HCL or JSON`
            : manifestFields
                .at(at)
                .map(
                  (field) =>
                    (nomadReader ? nomadFieldMessage(name, field, manifestWhere(manifest!)) : undefined) ??
                    jsonFieldMessage(name, field, manifestWhere(manifest!)),
                )
                .find((message) => message !== undefined);
      while (i < script.length) {
        const lineEnd = script.indexOf('\n', i) === -1 ? script.length : script.indexOf('\n', i);
        const line = script.slice(i, lineEnd);
        if ((doc.stripTabs ? line.replace(/^\t+/, '') : line) === doc.delimiter) {
          i = lineEnd + 1;
          break;
        }
        const lineStart = body.length;
        body += `${doc.stripTabs ? line.replace(/^\t+/, '') : line}\n`;
        // An unquoted body expands the variables holding a value: code for a program reading it as code.
        const bodyReader =
          doc.command.model?.stdinCode !== undefined
            ? (doc.command.compoundReader ?? plain(doc.command.args![doc.command.model.stdinCode]!))
            : doc.command.pipedIntoCode;
        // Why it takes no value, when its reader reads it as something other than code (stdinWhy).
        const bodyWhy =
          doc.command.model?.stdinCode !== undefined
            ? doc.command.stdinWhy
            : doc.command.pipedIntoCode !== undefined
              ? doc.command.pipedInto?.stdinWhy
              : undefined;
        // A variable holding a value inside a substitution is shell code there, as a template would be.
        if (!doc.quoted)
          for (const ref of variableRefs(line, i, true))
            if (substituted(ref.start) && held.holds(ref.variable))
              refuse(
                'heredoc_substitution',
                held.holds(ref.variable)!.names[0]!,
                ref.start,
                refMessage(
                  ref,
                  held.holds(ref.variable)!,
                  `{{${pseudoName(ref.variable)}}} is inside a command substitution in a here-document, which bash runs as commands: a value there would be split into words, the first naming the program that runs; compute the text before the here-document and write the variable in the body's text instead`,
                ),
              );
        // A variable in a body a backslash-newline joins (joinMessage): its value would join the lines too.
        const refuseJoined = (ref: VariableRef, holds: Held) =>
          refuse(
            'chooses',
            holds.names[0]!,
            ref.start,
            refMessage(ref, holds, joinMessage(pseudoName(ref.variable))),
          );
        // A variable in a manifest: fixed text and templates alone are checked as the templates are; any other
        // value no check can see.
        if (manifest !== undefined && bodyReader === undefined)
          for (const ref of variableRefs(line, i, true).filter((r) => held.holds(r.variable))) {
            const holds = held.holds(ref.variable)!;
            const spelled = script.slice(ref.start, ref.end);
            if (joinAt >= 0) {
              refuseJoined(ref, holds);
              continue;
            }
            const fieldMessage = manifestFieldMessage(pseudoName(ref.variable), ref.start);
            if (fieldMessage !== undefined) {
              refuse('code', holds.names[0]!, ref.start, refMessage(ref, holds, fieldMessage));
              continue;
            }
            // $K: true, K={{k}}: the value would choose the field, as a template there would.
            if (
              inYamlKey(script.slice(i, ref.start), script.slice(ref.end, lineEnd)) ||
              manifestFields.key(ref.start)
            ) {
              refuse(
                'chooses',
                holds.names[0]!,
                ref.start,
                refMessage(ref, holds, manifestKeyMessage(pseudoName(ref.variable), manifest)),
              );
              continue;
            }
            // image: app:$TAG: the image rule checks the tag once rendered, which it can only with TAG's text.
            const image = manifestFields.image(ref.start);
            if (
              holds.exact &&
              /^\$(\w+|\{\w+\})$/.test(spelled) &&
              MANIFEST_SAFE.test(holds.exact.literal) &&
              image === 'unknown'
            ) {
              refuse(
                'chooses',
                holds.names[0]!,
                ref.start,
                refMessage(
                  ref,
                  holds,
                  jsonImageVariableMessage(pseudoName(ref.variable), 'image', manifestWhere(manifest)),
                ),
              );
              continue;
            }
            if (holds.exact && /^\$(\w+|\{\w+\})$/.test(spelled) && MANIFEST_SAFE.test(holds.exact.literal)) {
              for (const start of holds.exact.sites) {
                const site = sites.find((s) => s.start === start);
                if (site) site.structured = manifestWhere(manifest);
                if (site && nomadReader && manifestFields.at(ref.start).some((f) => f.text === undefined))
                  site.hclBare = true;
                if (site && image !== undefined && image !== 'unknown')
                  site.jsonField = { field: image, where: manifestWhere(manifest) };
              }
              continue;
            }
            refuse(
              'stdin_code',
              holds.names[0]!,
              ref.start,
              refMessage(
                ref,
                holds,
                `{{${pseudoName(ref.variable)}}} is in a here-document "${manifest}" reads as a manifest, where a value with a newline or YAML punctuation could add fields (a container's command:), and only a template written there or a variable set from fixed text and templates alone is checked: write the template itself there`,
              ),
            );
          }
        // A variable in a body written as JSON: fixed text and templates alone are checked as the templates would be
        // there; any other value no check can see.
        if (json && bodyReader === undefined)
          for (const ref of variableRefs(line, i, true).filter((r) => held.holds(r.variable))) {
            const holds = held.holds(ref.variable)!;
            const spelled = script.slice(ref.start, ref.end);
            if (joinAt >= 0) {
              refuseJoined(ref, holds);
              continue;
            }
            const tabs = doc.stripTabs ? /^\t*/.exec(line)![0].length : 0;
            const { slot, field } = jsonHeredocRef(json.body, lineStart + ref.start - i - tabs, spelled);
            const name = pseudoName(ref.variable);
            const fieldMessage = field && jsonFieldMessage(name, field, json.where);
            const message =
              slot === 'key' || slot === 'path'
                ? jsonKeyMessage(name, json.where, slot)
                : (fieldMessage ??
                  (field && isJsonImageField(field)
                    ? jsonImageVariableMessage(name, field.key, json.where)
                    : undefined));
            if (
              message === undefined &&
              (slot === 'string' || slot === 'bare') &&
              holds.exact &&
              /^\$(\w+|\{\w+\})$/.test(spelled) &&
              JSON_LITERAL[slot].test(holds.exact.literal)
            ) {
              for (const start of holds.exact.sites) {
                const site = sites.find((s) => s.start === start);
                if (site) site.json = { slot, where: json.where };
              }
              continue;
            }
            refuse(
              slot === 'key' || slot === 'path' ? 'chooses' : 'code',
              holds.names[0]!,
              ref.start,
              refMessage(ref, holds, message ?? jsonVariableMessage(name, json.where)),
            );
          }
        // A variable in a body written to $GITHUB_ENV: fixed text and templates alone are checked as the templates.
        // The variables of this line: the templates of one holding fixed text and templates alone get `mark`
        // (checked once rendered as if written here); one holding anything else is refused.
        const markHeld = (
          reason: ShellTemplateRefusal,
          mark: (site: TemplateSite) => void,
          message: (name: string) => string,
        ) => {
          for (const ref of variableRefs(line, i, true).filter((r) => held.holds(r.variable))) {
            const holds = held.holds(ref.variable)!;
            if (holds.exact && /^\$(\w+|\{\w+\})$/.test(script.slice(ref.start, ref.end)))
              for (const start of holds.exact.sites) {
                const site = sites.find((s) => s.start === start);
                if (site) mark(site);
              }
            else
              refuse(
                reason,
                holds.names[0]!,
                ref.start,
                refMessage(ref, holds, message(pseudoName(ref.variable))),
              );
          }
        };
        const file = doc.command.githubFile;
        if (!doc.quoted && file !== undefined)
          markHeld(
            'chooses',
            (site) => (site.githubFile = file),
            (name) => githubFileHeldMessage(name, file),
          );
        // Read by xargs (xargs kubectl delete pod <<EOF, cat <<EOF | xargs …): each value one argument, as piped.
        const read =
          bodyReader === undefined && fed?.args && fed.model?.stdinCode === undefined
            ? stdinItems(fed.args.map(plain), fed.xargsChecks, inherited)
            : { unchecked: false };
        const items = read.unchecked ? undefined : read.items;
        const uncheckedBy = read.unchecked ? read.items : undefined;
        if (!doc.quoted && items)
          markHeld(
            'stdin_code',
            (site) => (site.xargsItem = items),
            (name) => xargsHeldMessage(name, items),
          );
        if (!doc.quoted && uncheckedBy)
          for (const ref of variableRefs(line, i, true).filter((r) => held.holds(r.variable))) {
            const holds = held.holds(ref.variable)!;
            const message = xargsUncheckedMessage(pseudoName(ref.variable), uncheckedBy);
            refuse('stdin_code', holds.names[0]!, ref.start, refMessage(ref, holds, message));
          }
        if (!doc.quoted && bodyReader !== undefined)
          for (const ref of variableRefs(line, i, true).filter((r) => held.holds(r.variable))) {
            const holds = held.holds(ref.variable)!;
            refuse(
              'stdin_code',
              holds.names[0]!,
              ref.start,
              refMessage(
                ref,
                holds,
                stdinCodeMessage(
                  pseudoName(ref.variable),
                  ref.start,
                  bodyReader,
                  'here-document',
                  bodyWhy,
                ).replace(/ \(character \d+\)/, ''),
              ),
            );
          }
        for (let at = i; at < lineEnd; at++) {
          const match = placeholderAt(at);
          if (!match || match.index >= lineEnd) continue;
          const jsonField = json?.fields[jsonSeen];
          const jsonSlot = json?.slots[jsonSeen++];
          const reader = doc.command.model?.stdinCode;
          if (reader !== undefined)
            refuse(
              'stdin_code',
              match[1]!,
              at,
              stdinCodeMessage(
                match[1]!,
                at,
                doc.command.compoundReader ?? plain(doc.command.args![reader]!),
                'here-document',
                bodyWhy,
              ),
            );
          else if (doc.command.pipedIntoCode !== undefined)
            refuse(
              'stdin_code',
              match[1]!,
              at,
              stdinCodeMessage(match[1]!, at, doc.command.pipedIntoCode, 'pipe', bodyWhy),
            );
          else if (doc.quoted) refuse('quoted_heredoc', match[1]!, at);
          else if (script[at - 1] === '$') refuse('after_dollar', match[1]!, at);
          else if (script[at - 1] === '\\') refuse('after_backslash', match[1]!, at);
          // Substitutions in a body are not modelled: refuse rather than guess their quoting.
          else if (substituted(at)) refuse('heredoc_substitution', match[1]!, at);
          else if (joinAt >= 0)
            refuse('chooses', match[1]!, at, named(match[1]!, at, joinMessage(match[1]!)));
          else if (
            manifest !== undefined &&
            (inYamlKey(script.slice(i, at), script.slice(at + match[0].length, lineEnd)) ||
              manifestFields.key(at))
          )
            // `{{k}}: true`: the value would choose which field of the manifest is set.
            refuse('chooses', match[1]!, at, named(match[1]!, at, manifestKeyMessage(match[1]!, manifest)));
          else if (manifest !== undefined && manifestFieldMessage(match[1]!, at) !== undefined)
            refuse('code', match[1]!, at, named(match[1]!, at, manifestFieldMessage(match[1]!, at)!));
          else if (manifest !== undefined && manifestFields.image(at) === 'unknown')
            // image: $REG/app:{{x}}, REG set twice: the image rule cannot render the image to check it.
            refuse(
              'chooses',
              match[1]!,
              at,
              named(match[1]!, at, jsonImageVariableMessage(match[1]!, 'image', manifestWhere(manifest))),
            );
          else if (json && (jsonSlot === 'key' || jsonSlot === 'path'))
            refuse(
              'chooses',
              match[1]!,
              at,
              named(match[1]!, at, jsonKeyMessage(match[1]!, json.where, jsonSlot)),
            );
          else if (json && jsonFieldMessage(match[1]!, jsonField, json.where) !== undefined)
            refuse(
              'code',
              match[1]!,
              at,
              named(match[1]!, at, jsonFieldMessage(match[1]!, jsonField, json.where)!),
            );
          else if (items?.colsep)
            refuse('stdin_code', match[1]!, at, named(match[1]!, at, colsepMessage(match[1]!, items)));
          else if (uncheckedBy)
            refuse(
              'stdin_code',
              match[1]!,
              at,
              named(match[1]!, at, xargsUncheckedMessage(match[1]!, uncheckedBy)),
            );
          else {
            record(match, 'heredoc');
            const site = sites.at(-1);
            if (manifest !== undefined && site?.start === at) site.structured = manifestWhere(manifest);
            if (nomadReader && site?.start === at && manifestFields.at(at).some((f) => f.text === undefined))
              site.hclBare = true;
            // image: app:{{x}}: the tag is checked once rendered to be a tag (5000/evil would make app:5000 the
            // registry), as in a JSON argument.
            const image = manifest !== undefined ? manifestFields.image(at) : undefined;
            if (image !== undefined && image !== 'unknown' && site?.start === at)
              site.jsonField = { field: image, where: manifestWhere(manifest!) };
            if (json && jsonSlot !== undefined && site?.start === at)
              site.json = { slot: jsonSlot, where: json.where };
            if (json && jsonField && isJsonImageField(jsonField) && site?.start === at)
              site.jsonField = { field: jsonField, where: json.where };
            if (doc.command.githubFile !== undefined && site?.start === at)
              site.githubFile = doc.command.githubFile;
            if (items && site?.start === at) site.xargsItem = items;
          }
          at += match[0].length - 1;
        }
        i = lineEnd + 1;
      }
      // An unquoted body is expanded: its $((…)), subscripts and offsets (which may span lines) are evaluated
      // as expressions.
      if (!doc.quoted)
        for (const part of expandedArithmetic(
          script.slice(bodyStart, heredocBodyEnd(script, bodyStart, doc)),
          bodyStart,
          associative,
        ))
          checkArithmetic(part, true);
      // The script a shell reads (bash -s ARGS <<EOF, or cat <<EOF | bash -s ARGS): in an unquoted body, \$, \`
      // and \\ reach that shell as $, ` and \ (the values this shell would expand are refused above).
      const text = doc.quoted ? body : body.replace(/\\\n/g, '').replace(/\\([$`\\])/g, '$1');
      const reader =
        doc.command.model?.stdinCode !== undefined
          ? doc.command
          : doc.command.args?.length && programName(plain(doc.command.args[0]!)) === 'cat'
            ? doc.command.pipedInto
            : undefined;
      if (reader) checkStdinScript(reader, text, 'here-document');
    }
    pending = [];
  };

  const readHeredocOperator = (frame: Frame & { kind: 'script' }) => {
    const stripTabs = script[i + 2] === '-';
    i += stripTabs ? 3 : 2;
    while (script[i] === ' ' || script[i] === '\t') i++;
    let word = '';
    let quoted = false;
    while (i < script.length && !/\s/.test(script[i]!) && !OPERATOR_CHARS.includes(script[i]!)) {
      const match = placeholderAt(i);
      if (match) {
        refuse('heredoc_delimiter', match[1]!, i);
        i += match[0].length;
        continue;
      }
      const c = script[i]!;
      // <<$'EOF', <<$"EOF": the delimiter is EOF, quoted.
      if (c === '$' && (script[i + 1] === "'" || script[i + 1] === '"')) {
        i++;
        continue;
      }
      if (c === "'" || c === '"') {
        quoted = true;
        const close = script.indexOf(c, i + 1);
        const end = close === -1 ? script.length : close;
        word += script.slice(i + 1, end);
        i = end + 1;
      } else if (c === '\\') {
        quoted = true;
        word += script[i + 1] ?? '';
        i += 2;
      } else {
        word += c;
        i++;
      }
    }
    if (word) pending.push({ delimiter: word, quoted, stripTabs, command: frame.command });
    frame.commandPosition = false;
  };

  while (i < script.length) {
    const c = script[i]!;
    const match = placeholderAt(i);

    if (inSingle) {
      if (match) {
        record(match, 'single');
        i += match[0].length;
      } else {
        if (c === "'") inSingle = false;
        i++;
      }
      continue;
    }
    if (inComment) {
      if (match) {
        record(match, 'comment');
        i += match[0].length;
        continue;
      }
      if (c === '\n') inComment = false;
      else {
        i++;
        continue;
      }
    }

    const frame = top();
    if (frame.kind === 'script' && !match) {
      // An array assignment's elements are words of its value, not a subshell's command: a=(x {{y}}).
      const before = frame.wordStart >= 0 ? script.slice(frame.wordStart, i) : '';
      if (c === '(' && !frame.array && /^[A-Za-z_]\w*(\[[^\]]*\])?\+?=$/.test(before)) {
        frame.array = true;
        i++;
        continue;
      }
      if (frame.array && (c === ')' || /\s/.test(c))) {
        if (c === ')') frame.array = false;
        i++;
        continue;
      }
    }
    // A line continued between words is a blank: `> \<newline> FILE` still redirects to FILE, and no empty
    // word stands between an option and its value.
    if (
      frame.kind === 'script' &&
      !inComment &&
      c === '\\' &&
      script[i + 1] === '\n' &&
      frame.wordStart < 0
    ) {
      i += 2;
      continue;
    }
    if (frame.kind === 'script') {
      const commentStart = c === '#' && (i === 0 || /[\s;&|()]/.test(script[i - 1]!));
      // <(…) and >(…) are part of the word they are written in (--values=<(…) is one word, the option's value).
      const substitution = (c === '<' || c === '>') && script[i + 1] === '(';
      if (/\s/.test(c) || (OPERATOR_CHARS.includes(c) && !substitution)) closeWord(frame);
      else if (!commentStart) openWord(frame);
    }
    if (match) {
      record(match, frame.kind === 'double' ? 'double' : 'bare');
      if (frame.kind === 'script') frame.commandPosition = false;
      i += match[0].length;
      continue;
    }

    if (c === '\\') {
      const escaped = placeholderAt(i + 1);
      if (escaped) {
        refuse('after_backslash', escaped[1]!, i + 1);
        i += 1 + escaped[0].length;
      } else i += 2;
      continue;
    }
    if (c === '$') {
      const next = placeholderAt(i + 1);
      if (next) {
        refuse('after_dollar', next[1]!, i + 1);
        i += 1 + next[0].length;
        continue;
      }
      if (script.startsWith('$((', i)) {
        stack.push({ kind: 'arith', closer: '))', depth: 0, start: i + 3, where: '$((…))' });
        i += 3;
        continue;
      }
      if (script[i + 1] === '[') {
        // bash's old $[…] arithmetic
        stack.push({ kind: 'arith', closer: ']', depth: 0, start: i + 2, where: '$[…]' });
        i += 2;
        continue;
      }
      if (script[i + 1] === '(') {
        stack.push(newScriptFrame(')', { kind: '$', start: i, quoted: frame.kind === 'double' }));
        subshellDirectories.push(workingDirectory && { ...workingDirectory });
        i += 2;
        continue;
      }
      if (script[i + 1] === '{') {
        stack.push({ kind: 'param', braces: 0 });
        i += 2;
        continue;
      }
      i++;
      continue;
    }
    if (c === '`') {
      if (frame.kind === 'backtick') stack.pop();
      else stack.push({ kind: 'backtick' });
      i++;
      continue;
    }
    if (frame.kind === 'double') {
      if (c === '"') stack.pop();
      i++;
      continue;
    }
    if (c === '"') {
      stack.push({ kind: 'double' });
      i++;
      continue;
    }
    if (c === "'") {
      inSingle = true;
      i++;
      continue;
    }

    if (frame.kind === 'param') {
      if (c === '{') frame.braces++;
      else if (c === '}') {
        if (frame.braces === 0) stack.pop();
        else frame.braces--;
      }
      i++;
      continue;
    }
    if (frame.kind === 'arith') {
      const [open, close] = frame.closer === ']' ? ['[', ']'] : ['(', ')'];
      if (c === open) frame.depth++;
      else if (c === close) {
        if (frame.depth > 0) frame.depth--;
        else if (frame.closer === ']') {
          stack.pop();
          checkArithmetic({ start: frame.start, end: i, where: frame.where }, false);
        } else if (script[i + 1] === ')') {
          stack.pop();
          checkArithmetic({ start: frame.start, end: i, where: frame.where }, false);
          i++;
        }
      }
      i++;
      continue;
    }
    if (frame.kind === 'backtick') {
      i++;
      continue;
    }

    // A script: the top level, or the inside of $(…).
    if (c === '#' && (i === 0 || /[\s;&|()]/.test(script[i - 1]!))) {
      inComment = true;
      i++;
      continue;
    }
    if (c === '\n') {
      // `a |` then a newline: the pipeline goes on on the next line.
      const continues = frame.pipedIn && frame.command.words.length === 0 && frame.wordStart < 0;
      finishCommand(frame, 'end');
      if (!continues) endPipeline(frame);
      frame.commandPosition = true;
      i++;
      if (pending.length) readHeredocBodies();
      continue;
    }
    // Inside [[ … ]], && || ( ) < > are the conditional's own operators, not the shell's: words of the command.
    if ('&|()<>'.includes(c) && frame.kind === 'script' && inConditional(frame)) {
      closeWord(frame);
      const length = (c === '&' || c === '|') && script[i + 1] === c ? 2 : 1;
      openWord(frame);
      i += length;
      closeWord(frame);
      continue;
    }
    if ((c === '<' || c === '>') && script[i + 1] === '(') {
      // bash's process substitution <(…) or >(…): a word of the command (a file name), its inside a script
      openWord(frame);
      stack.push(newScriptFrame(')', { kind: c, start: i, quoted: false }));
      subshellDirectories.push(workingDirectory && { ...workingDirectory });
      frame.commandPosition = false;
      i += 2;
      continue;
    }
    if (c === '<' && script[i + 1] === '<') {
      if (script[i + 2] === '<') {
        i += 3; // bash here-string, not a here-document: the next word is the command's standard input
        frame.nextRole = 'herestring';
      } else readHeredocOperator(frame);
      continue;
    }
    // `for ((` opens bash's arithmetic for loop, whose three expressions are evaluated as (( … )) is.
    // So does it after time (-p), coproc, ! and `function NAME` (its body).
    // The command's words so far, read only at "((" (not at each character: a long command's words are many).
    const before =
      c === '(' && script[i + 1] === '(' && frame.wordStart < 0 ? frame.command.words.map(plain) : undefined;
    const forLoop = before?.length === 1 && before[0] === 'for';
    const prefixed =
      before !== undefined &&
      before.length > 0 &&
      (before.every((word) => ['time', '-p', 'coproc', '!'].includes(word)) ||
        (before.length === 2 && before[0] === 'function'));
    if (c === '(' && script[i + 1] === '(' && (frame.commandPosition || forLoop || prefixed)) {
      // bash's (( … )) arithmetic command: it evaluates expanded values as expressions, like $((…))
      stack.push({
        kind: 'arith',
        closer: '))',
        depth: 0,
        start: i + 2,
        where: forLoop ? 'for ((…))' : '((…))',
      });
      i += 2;
      continue;
    }
    if (c === '(') {
      finishCommand(frame, 'end');
      openCompound(frame);
      subshellDirectories.push(workingDirectory && { ...workingDirectory });
      frame.parens++;
      frame.commandPosition = true;
      i++;
      continue;
    }
    if (c === ')') {
      finishCommand(frame, 'end');
      if (frame.parens > 0) {
        frame.parens--;
        closeCompound(frame);
        // The level around it holds every command of the subshell (each is added to every level open), where
        // the subshell's own level was emptied at each ; && || & and newline inside it.
        frame.closedSubshell = [...frame.levels.at(-1)!.commands];
        // The directory a subshell changed to ends with it: cd {{x}} there does not reach what follows.
        if (subshellDirectories.length > 0) workingDirectory = subshellDirectories.pop();
      } else if (frame.cases === 0 && frame.closer === ')') {
        stack.pop();
        // A command substitution runs in a subshell: its cd ends with it (d=$(cd {{x}} && pwd)).
        if (subshellDirectories.length > 0) workingDirectory = subshellDirectories.pop();
        const outer = stack.findLast((f) => f.kind === 'script');
        if (frame.sub && outer?.kind === 'script') {
          const reads = frame.commands.find((command) => command.model?.stdinCode !== undefined);
          (outer.command.subs ??= []).push({
            ...frame.sub,
            end: i + 1,
            ...(reads && { reader: plain(reads.args![reads.model!.stdinCode!]!) }),
            ...(reads?.stdinWhy !== undefined && { readerWhy: reads.stdinWhy }),
          });
        }
      }
      // else: the end of a case pattern
      else endPipeline(frame);
      frame.commandPosition = true;
      i++;
      continue;
    }
    if (c === '&' && script[i - 1] === '|') {
      i++; // |&
      continue;
    }
    if (c === '&' && script[i + 1] === '>') {
      i++; // &> FILE, &>> FILE: a redirection (its ">" next), not a command run in the background
      continue;
    }
    if (';&|'.includes(c)) {
      // A pipe (| or |&) feeds this command's output to the next one's standard input; || and && do not.
      const pipe = c === '|' && script[i + 1] !== '|' && script[i - 1] !== '|';
      finishCommand(frame, pipe ? 'pipe' : 'end');
      if (!pipe) endPipeline(frame);
      frame.commandPosition = true;
      i++;
      continue;
    }
    if ('<>'.includes(c)) {
      // The next word is a file, or after `>&`, `<&` a descriptor (`>&2`, `<&-`; `>& FILE` is a file); `>|`
      // writes it over noclobber (not a pipe)
      if (script[i + 1] === '&' || (c === '>' && script[i + 1] === '|')) i++;
      frame.nextRole = 'redirect';
      i++;
      continue;
    }
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    // A plain word: only its spelling matters here (case/esac and words that keep command position).
    const wordStart = i;
    while (i < script.length && /[^\s;&|<>()'"`$\\{]/.test(script[i]!)) i++;
    if (i === wordStart) i++;
    const word = script.slice(wordStart, i);
    const boundary = i >= script.length || /[\s;&|<>()]/.test(script[i]!);
    // `for v do …` (no `in`, no `;`): the for command ends before its `do`, as at a `;`.
    if (
      word === 'do' &&
      boundary &&
      frame.wordStart === wordStart &&
      frame.command.words.length === 2 &&
      ['for', 'select'].includes(plain(frame.command.words[0]!))
    ) {
      frame.wordStart = -1;
      finishCommand(frame, 'end');
      endPipeline(frame);
      frame.commandPosition = true;
      continue;
    }
    if (frame.commandPosition && boundary && COMPOUND_OPENERS.has(word)) openCompound(frame);
    if (frame.commandPosition && boundary && COMPOUND_CLOSERS.has(word)) closeCompound(frame);
    if (frame.commandPosition && boundary && word === 'case') frame.cases++;
    else if (frame.commandPosition && boundary && word === 'esac' && frame.cases > 0) frame.cases--;
    frame.commandPosition = frame.commandPosition && boundary && KEEPS_COMMAND_POSITION.has(word);
  }

  const outer = stack[0]!;
  if (outer.kind === 'script') finishCommand(outer, 'end');
  // printf 'image: %s\n' {{x}} > m.yaml, then kubectl apply -f m.yaml: the value is text in the manifest.
  for (const command of textWriters) {
    if (command.words.length === 0) continue;
    const from = command.words.at(-1)!.end;
    // Its output, its own (> m.yaml) or through the commands it is piped into (| tee m.yaml, | sed … > m.yaml)
    // up to one that quotes what it writes.
    let reader: string | undefined;
    for (let stage: SimpleCommand | undefined = command; stage && !reader; stage = stage.pipedInto) {
      if (stage !== command && quotesManifestValues(stage)) break;
      reader = manifestFileReader([...outputFiles(stage), ...teeFiles(stage)], readerCommands(), from);
    }
    // { echo …; echo …; } > m.yaml, for …; do echo …; done > m.yaml: the commands inside write it.
    const writers = [command, ...(command.inside ?? []).filter((c) => c !== command)];
    if (reader !== undefined)
      for (const writer of writers) {
        const texts = (writer.args ?? []).map(plain);
        for (const word of writer.words.filter((w) => w.role !== 'redirect')) {
          // cat k8s/{{env}}.yaml > m.yaml: the value names the file copied, not text of it.
          const k = writer.args?.indexOf(word) ?? -1;
          for (const found of valuesIn(word))
            refuseFound(found, 'stdin_code', (name) =>
              k >= 0 && printsFileAt(texts, k)
                ? manifestFileFedMessage(name, reader, texts[0] ?? '', textOf(word))
                : manifestFedMessage(name, reader, 'in the output of a command writing the file'),
            );
        }
      }
  }
  // envsubst < k8s.tmpl | kubectl apply -f - (or > m.yaml, then kubectl apply -f m.yaml): it substitutes the
  // DEPLOY_* variables, or the variables its SHELL-FORMAT names, unescaped into a manifest.
  for (const { command, outer } of envsubsts) {
    const texts = command.args!.map(plain);
    const format = envsubstFormat(texts);
    if (format === 'none' || sites.length === 0) continue;
    const from = command.words.at(-1)!.end;
    let reader: string | undefined;
    for (let stage: SimpleCommand | undefined = command; stage && !reader; stage = stage.pipedInto)
      reader =
        (stage.args ? manifestReader(stage.args.map(plain)) : undefined) ??
        manifestFileReader(writtenFiles(stage), readerCommands(), from);
    // kubectl apply -f <(envsubst < t), kubectl apply -f - <<< "$(envsubst < t)": a word of a manifest reader's
    // command; echo "$(envsubst < t)" | kubectl apply -f -: piped into one.
    const around = outer?.args?.map(plain) ?? [];
    if (!reader && around.some((w) => MANIFEST_READERS.has(programName(w)))) reader = around.join(' ');
    for (let stage = outer; stage && !reader; stage = stage.pipedInto)
      reader = stage.args ? manifestReader(stage.args.map(plain)) : undefined;
    if (reader === undefined) continue;
    const said = texts.join(' ');
    const refuseAt = (name: string, at: number, how: string) =>
      refuse('chooses', name, at, named(name, at, envsubstMessage(name, how, said, reader)));
    if (format === 'all') {
      refuseAt(sites[0]!.name, sites[0]!.start, `is exported to the script as ${envNameFor(sites[0]!.name)}`);
      continue;
    }
    const word = command.args![format]!;
    for (const found of valuesIn(word))
      refuseFound(found, 'chooses', (name) =>
        envsubstMessage(
          name,
          'is in the SHELL-FORMAT of envsubst, where it chooses the variables substituted',
          said,
          reader,
        ),
      );
    for (const variable of formatVariables(texts[format]!)) {
      const holds = held.holds(variable);
      const site = sites.find((s) => envNameFor(s.name) === variable) ?? sites[0]!;
      if (holds)
        refuseAt(
          holds.names[0]!,
          word.start,
          `is held by ${variable}, which the SHELL-FORMAT of envsubst names`,
        );
      else if (variable.startsWith('DEPLOY_'))
        refuseAt(
          site.name,
          site.start,
          `is exported to the script as ${variable}, which the SHELL-FORMAT of envsubst names`,
        );
    }
  }
  if ((stack.length > 1 || inSingle) && sites.length > 0) {
    const last = sites.at(-1)!;
    refuse('unterminated', last.name, last.start);
  }
  if (resolutions.length > 0) resolvePrograms(script, inherited, resolutions, sites, problems);
  return { analysis: problems.length ? { ok: false, sites, problems } : { ok: true, sites }, held };
}

/**
 * How what a command reads on its standard input becomes items of its program: xargs' (xargsFed), or GNU
 * parallel's when it reads its items there (one a line, quoted, cut by -d). Pure.
 */
function stdinItems(
  texts: readonly string[],
  known: XargsItems['checks'],
  inherited: InlineContext | undefined,
  depth = 0,
): { items?: XargsItems; unchecked: boolean } {
  const xargs = xargsFed(texts, known, inherited);
  if (xargs.items) return xargs;
  const parallel = parallelInputFile(texts);
  if (!parallel?.synthetic || !parallelReadsStdin(parallel)) {
    // … | ssh host 'xargs kubectl delete pod': what ssh reads is the remote xargs' (or parallel's) input.
    if (depth === 0)
      for (const remote of remoteStdinCommands(texts)) {
        const fed = stdinItems(remote, undefined, inherited, 1);
        if (fed.items) return fed;
      }
    return xargs;
  }
  const fed = xargsFed(parallel.synthetic, undefined, inherited);
  return fed.items
    ? {
        items: { ...fed.items, lines: true, delimited: true, reader: 'parallel', ...parallelCuts(texts) },
        unchecked: fed.unchecked,
      }
    : xargs;
}

/** How GNU parallel in `texts` cuts what it reads into items (-d, -0, --colsep), for XargsItems. Pure. */
function parallelCuts(texts: readonly string[]): { delimiter?: string; colsep?: true } {
  const at = texts.findIndex((word) => programName(word) === 'parallel');
  if (at < 0) return {};
  const { delimiter, colsep } = parallelSplit(texts, at, delimiterCharacter);
  return { ...(delimiter !== undefined && { delimiter }), ...(colsep && { colsep: true as const }) };
}

/** How xargs cuts what it reads, with the checks once rendered of the words -I's string is in. */

/**
 * How xargs in `texts` takes a value fed to it (xargsItems), with the checks the command written out makes on
 * it there. Where that command checks the value once rendered in other ways than one argument, a name or a
 * file (helm --set image.tag={} given `1,securityContext.privileged=true`), `unchecked`: a value fed is refused.
 */
function xargsFed(
  texts: readonly string[],
  known: XargsItems['checks'],
  inherited: InlineContext | undefined,
): { items?: XargsItems; unchecked: boolean } {
  const found = xargsItems(texts);
  const items = found && known ? { ...found, checks: known } : found;
  if (!items || known) return { items, unchecked: false };
  const at = texts.findIndex((word) => programName(word) === 'xargs');
  const placed = xargsInputWords(texts, at, XARGS_INPUT).marked.some((word) => word.includes(XARGS_INPUT));
  const checks = placed ? xargsDirectChecks(texts, at, inherited) : [];
  if (checks === undefined) return { items, unchecked: true };
  return { items: checks.length ? { ...items, checks } : items, unchecked: false };
}

/**
 * xargs -I{} … with {} where a value would choose what runs by the rules (xargsInputChooses): the command xargs
 * runs written out with a template in place of {} (docker push registry.example.com/app:{{…}}). When that
 * command is accepted, and the template there is checked once rendered only as a container's name or image is
 * (containerName) or as an argument that may not start with "-" (which xargsItemProblem checks), those checks,
 * to be made on what xargs reads; otherwise undefined, and what xargs reads is refused. Pure.
 */
function xargsDirectChecks(
  texts: readonly string[],
  xargs: number,
  inherited: InlineContext | undefined,
): NonNullable<XargsItems['checks']> | undefined {
  // Fixed text quoted; the templates written in the command stay templates (checked where they are).
  const quote = (text: string) =>
    text
      .split(/(\{\{\s*[A-Za-z_]\w*\s*\}\})/)
      .map((part, k) =>
        k % 2 === 1 || part === '' || /^[\w./@+:=,%-]+$/.test(part)
          ? part
          : `'${part.replaceAll("'", `'\\''`)}'`,
      )
      .join('');
  const program = chosenWords(texts).find((word) => word.index > xargs && word.kind === 'program');
  if (!program) return undefined;
  // Where xargs puts what it reads: in place of -I's (or BSD -J's) string, else after the last word.
  const { marked } = xargsInputWords(texts, xargs, XARGS_INPUT);
  const line = marked
    .slice(program.index)
    .map((word) => word.split(XARGS_INPUT).map(quote).join(XARGS_INPUT))
    .join(' ');
  if (line.split(XARGS_INPUT).length < 2) return undefined;
  const analysis = analyzeShellTemplate(line, inherited);
  if (!analysis.ok) return undefined;
  const checks: NonNullable<XargsItems['checks']> = [];
  for (const site of analysis.sites) {
    if (site.name !== '__xargs_input') continue;
    const { name: _n, start: _s, end: _e, context, containerName, leading: _l, fileReads, ...other } = site;
    if (context !== 'bare' || Object.keys(other).length > 0) return undefined;
    if (containerName) checks.push(containerName);
    for (const read of fileReads ?? []) {
      if (!('word' in read)) return undefined;
      checks.push(read);
    }
  }
  return checks;
}

/** What xargs reads, written as a template where xargs puts it (launchers.ts, stdin-routes.ts write it so). */
const XARGS_INPUT = '{{__xargs_input}}';

/** A program named by an expansion whose every value is fixed text: its span and what may be put there. */
interface ProgramResolution {
  start: number;
  end: number;
  raw: string;
  /** The text written in its place, one for each fixed value (programReplacement). */
  replacements: string[];
  /** The variable it is a reference to ($c, "${c}"), if one, and the fixed values it may hold there. */
  variable?: string;
  literals: string[];
}

/**
 * The expansions of `sorted` that hold the same value wherever the script runs them, by the index of the first
 * of them: references to one variable with the same values, with no assignment of it between them, in a script
 * whose commands each run at most once and in the order written (no loop, no function).
 */
function sameValueGroups(script: string, sorted: readonly ProgramResolution[]): number[] {
  const leader = sorted.map((_, k) => k);
  if (/(^|[\s;&|(){}])(while|until|for|select|function)(?=[\s;&|(){}]|$)|\(\s*\)/.test(script)) return leader;
  // The last expansion of each variable so far: the one before each of the same variable.
  const last = new Map<string, number>();
  sorted.forEach((r, k) => {
    if (r.variable === undefined) return;
    const j = last.get(r.variable);
    last.set(r.variable, k);
    if (j === undefined) return;
    const other = sorted[j]!;
    if (other.literals.join('\n') !== r.literals.join('\n')) return;
    const assigns = new RegExp(`(^|[^\\w$])${r.variable}(\\[[^\\]]*\\])?\\+?=|\\$\\{${r.variable}:?=`);
    if (assigns.test(script.slice(other.end, r.start))) return;
    leader[k] = leader[j]!;
  });
  return leader;
}

/** How many combinations of the values of programs named by expansions are read written out, at most. */
const MAX_COMBINATIONS = 64;

/** How deep programResolutions' readings of a script with its programs written out are nested. */
let resolvingDepth = 0;

/**
 * The text to write in place of a program word `raw` ($c, "$c", ${c}, $(command -v c)) when it holds `literal`:
 * unquoted, the words the shell splits it into; quoted, one word. Undefined when the text cannot be written out
 * as the shell reads it (a glob, a template, an expansion other than the checkout's or the action's directory).
 */
function programReplacement(raw: string, literal: string): string | undefined {
  if (literal.trim() === '' || /[*?[\]{}]|\{\{/.test(literal.replace(/^\$\{\w+\}/, ''))) return undefined;
  const quote = (text: string) =>
    /^[\w./@+:=,%-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
  const directory = new RegExp(`^(${DIRECTORY_VARIABLE})(/[\\w./@+-]*)$`).exec(literal);
  if (directory) return `"${directory[1]}"${directory[2]}`;
  if (literal.includes('$')) return undefined;
  return raw.startsWith('"') ? quote(literal) : literal.trim().split(/\s+/).map(quote).join(' ');
}

/**
 * c=kubectl; $c -n {{env}} …: a program named by an expansion that every assignment sets to fixed text is
 * that program. The script is read again with the text in the expansion's place (each combination of the values
 * of every such expansion in turn, up to MAX_COMBINATIONS; past that, every template is refused), so the
 * command gets every check the written-out command gets: its refusals are added to `problems` (the offsets and
 * characters of the script as written, and which value was put in place), and the checks made once rendered to
 * the sites of the same templates.
 */
function resolvePrograms(
  script: string,
  inherited: InlineContext | undefined,
  resolutions: readonly ProgramResolution[],
  sites: TemplateSite[],
  problems: ShellTemplateProblem[],
): void {
  const sorted = [...resolutions].sort((a, b) => a.start - b.start);
  // Every combination of the values: $A {{x}}; $B is cd {{x}}; ./deploy.sh only when A is cd and B ./deploy.sh.
  // Expansions sure to hold the same value take the same one ($DOCKER build …; $DOCKER push …).
  const leader = sameValueGroups(script, sorted);
  const rounds = sorted.reduce((n, r, k) => (leader[k] === k ? n * r.replacements.length : n), 1);
  if (rounds > MAX_COMBINATIONS) {
    const names = [...new Set(sorted.filter((r) => r.replacements.length > 1).map((r) => r.raw))];
    // Its templates, or in an inline script or a function the values its parameters hold.
    const values = [
      ...sites,
      ...[...new Set(Object.values(inherited?.held ?? {}).flat())].map((name) => ({ name, start: 0 })),
    ];
    for (const site of values)
      if (!problems.some((p) => p.name === site.name && p.offset === site.start))
        problems.push({
          reason: 'chooses',
          name: site.name,
          offset: site.start,
          message: `{{${site.name}}} (character ${site.start + 1}) is in a script whose programs named by expansions (${names.join(', ')}) may be ${rounds} combinations of programs, more than the ${MAX_COMBINATIONS} that are read written out, so which programs run is not known here: name the programs in the script, or set each variable to one program before it is run`,
        });
    return;
  }
  for (let round = 0; round < rounds; round++) {
    let text = '';
    let from = 0;
    // Where each replacement starts in the rewritten text, and how far later offsets moved.
    const moves: Array<{ at: number; by: number }> = [];
    const notes: string[] = [];
    let rest = round;
    const chosen: number[] = [];
    for (const [k, resolution] of sorted.entries()) {
      if (leader[k] === k) {
        chosen[k] = rest % resolution.replacements.length;
        rest = Math.floor(rest / resolution.replacements.length);
      } else chosen[k] = chosen[leader[k]!]!;
      const replacement = resolution.replacements[chosen[k]]!;
      text += script.slice(from, resolution.start);
      moves.push({ at: text.length, by: replacement.length - (resolution.end - resolution.start) });
      text += replacement;
      from = resolution.end;
      notes.push(`${resolution.raw} as ${replacement}`);
    }
    text += script.slice(from);
    // The moves before an offset, found by halving (moves are in the order of the text), their sum kept as it goes.
    const moved: number[] = [];
    for (const m of moves) moved.push((moved.at(-1) ?? 0) + m.by);
    const back = (offset: number) => {
      let low = 0;
      let high = moves.length;
      while (low < high) {
        const middle = (low + high) >> 1;
        if (moves[middle]!.at < offset) low = middle + 1;
        else high = middle;
      }
      return offset - (low > 0 ? moved[low - 1]! : 0);
    };
    resolvingDepth++;
    let analysis: ShellTemplateAnalysis;
    try {
      analysis = analyzeShellTemplate(text, inherited);
    } finally {
      resolvingDepth--;
    }
    // The script's own sites by name and start, to find each of the rewritten text's in one look.
    const owned = new Map<string, TemplateSite>();
    for (const s of sites) {
      const key = `${s.name}\u0000${s.start}`;
      if (!owned.has(key)) owned.set(key, s);
    }
    for (const site of analysis.sites) {
      const own = owned.get(`${site.name}\u0000${back(site.start)}`);
      if (!own) continue;
      for (const [key, value] of Object.entries(site) as Array<[keyof TemplateSite, unknown]>) {
        if (key === 'fileReads') own.fileReads = [...(own.fileReads ?? []), ...(value as FileSite[])];
        else if (own[key] === undefined) Object.assign(own, { [key]: value });
      }
    }
    if (analysis.ok) continue;
    const refused = new Set(problems.map((p) => `${p.reason}\u0000${p.name}\u0000${p.offset}`));
    for (const problem of analysis.problems) {
      const offset = back(problem.offset);
      const key = `${problem.reason}\u0000${problem.name}\u0000${offset}`;
      if (refused.has(key)) continue;
      refused.add(key);
      const message = problem.message.replace(
        /\(character (\d+)\)/g,
        (_, n: string) => `(character ${back(Number(n) - 1) + 1})`,
      );
      problems.push({ ...problem, offset, message: `${message} (read with ${notes.join(', ')})` });
    }
  }
}

export interface RenderedScript {
  /** The script as /bin/sh receives it: templates replaced by references, values nowhere in it. */
  script: string;
  /** The variables those references read, to be set in the command's environment. */
  env: Record<string, string>;
}

/** How a reference to the value is written in each context, so it expands to exactly one literal word. */
function reference(context: TemplateContext, envName: string): string {
  switch (context) {
    case 'bare':
    case 'comment':
      return `"\${${envName}}"`;
    case 'single':
      return `'"\${${envName}}"'`;
    case 'double':
    case 'heredoc':
    case 'arithmetic':
      return `\${${envName}}`;
  }
}

/** For `shell: true` commands. Throws a TemplateError for a refused context or a variable with no value. */
export function renderShellScript(template: string, values: TemplateValues): RenderedScript {
  const analysis = analyzeShellTemplate(template);
  if (!analysis.ok) throw new TemplateError(analysis.problems[0]!.message);
  const env: Record<string, string> = {};
  const owner: Record<string, string> = {};
  let script = '';
  let from = 0;
  // Whether the templates that start the current argument have all been empty so far.
  let emptySoFar = false;
  for (const site of analysis.sites) {
    const value = values[site.name];
    if (value === undefined) throw new TemplateError(`{{${site.name}}} has no value here`);
    if (site.context === 'arithmetic' && !/^\d+$/.test(value))
      throw new TemplateError(`{{${site.name}}} is used inside $((…)) but its value is not a number`);
    const make = site.make ? makeValueProblem(site.name, value) : undefined;
    if (make) throw new TemplateError(`${make} (character ${site.start + 1})`);
    const macro = site.macro ? macroValueProblem(site.name, value) : undefined;
    if (macro) throw new TemplateError(`${macro} (character ${site.start + 1})`);
    const github =
      site.githubFile === undefined ? undefined : githubFileProblem(site.name, value, site.githubFile);
    if (github) throw new TemplateError(`${github} (character ${site.start + 1})`);
    const sed = site.sed === undefined ? undefined : sedValueProblem(site.name, value, site.sed);
    if (sed) throw new TemplateError(`${sed} (character ${site.start + 1})`);
    const remote = site.remote ? remoteValueProblem(site.name, value) : undefined;
    if (remote) throw new TemplateError(`${remote} (character ${site.start + 1})`);
    const version = site.version ? versionValueProblem(site.name, value) : undefined;
    if (version) throw new TemplateError(`${version} (character ${site.start + 1})`);
    const volume = site.volume ? volumeNameProblem(site.name, value) : undefined;
    if (volume) throw new TemplateError(`${volume} (character ${site.start + 1})`);
    const user = site.containerUser ? userIdProblem(site.name, value) : undefined;
    if (user) throw new TemplateError(`${user} (character ${site.start + 1})`);
    const containerName = site.containerName
      ? containerNameProblem(site.containerName.check, site.containerName.word, values)
      : undefined;
    if (containerName) throw new TemplateError(`${containerName} (character ${site.start + 1})`);
    const containerValue = site.containerValue
      ? containerValueProblem(site.containerValue, site.name, value)
      : undefined;
    if (containerValue) throw new TemplateError(`${containerValue} (character ${site.start + 1})`);
    const helm = site.helmSet
      ? helmSetValueProblem(site.name, value, site.helmSet.option, site.helmSet.key)
      : undefined;
    if (helm) throw new TemplateError(`${helm} (character ${site.start + 1})`);
    const jinja = site.jinja ? extraVarsValueProblem(site.name, value) : undefined;
    if (jinja) throw new TemplateError(`${jinja} (character ${site.start + 1})`);
    const structured =
      site.structured === undefined ? undefined : structuredValueProblem(site.name, value, site.structured);
    if (structured) throw new TemplateError(`${structured} (character ${site.start + 1})`);
    const bare = site.hclBare ? hclBareValueProblem(site.name, value) : undefined;
    if (bare) throw new TemplateError(`${bare} (character ${site.start + 1})`);
    const json = site.json ? jsonValueProblem(site.name, value, site.json.slot, site.json.where) : undefined;
    if (json) throw new TemplateError(`${json} (character ${site.start + 1})`);
    const jsonImage = site.jsonField
      ? jsonFieldProblem(site.jsonField.field, site.jsonField.where, values)
      : undefined;
    if (jsonImage) throw new TemplateError(`${jsonImage} (character ${site.start + 1})`);
    // Every argument it reaches that a program reads a file from: one variable may reach several.
    for (const read of site.fileReads ?? []) {
      const file =
        'via' in read
          ? fileViaProblem(site.name, value, read)
          : fileReadProblem(read.read, read.word, values);
      if (file) throw new TemplateError(`${file} (character ${site.start + 1})`);
    }
    // After the file reads: `Value@=file://…` is refused for what it reads before for its structure.
    const shorthand = site.shorthand ? shorthandValueProblem(site.name, value, site.shorthand) : undefined;
    if (shorthand) throw new TemplateError(`${shorthand} (character ${site.start + 1})`);
    if (site.leading) {
      if (site.leading.first) emptySoFar = true;
      if (emptySoFar && value.startsWith('-'))
        throw new TemplateError(
          `${optionValueMessage(site.name, site.leading.program)}${site.leading.via ? ` (through $${site.leading.via}, set from it: write "$${site.leading.via}" after --, or attached to its option)` : ''} (character ${site.start + 1})`,
        );
      emptySoFar &&= value === '';
      if (site.beforeSubstitution && emptySoFar)
        throw new TemplateError(
          `{{${site.name}}} is empty, so the output of the $(…) after it starts an argument of ${programName(site.leading.program)}: that output could start with "-", which ${programName(site.leading.program)} would read as an option, and no check can see it; give {{${site.name}}} a value, or put -- before the argument where ${programName(site.leading.program)} ends its options there (character ${site.start + 1})`,
        );
    }
    const item = site.xargsItem ? xargsItemProblem(site.name, value, site.xargsItem, values) : undefined;
    if (item) throw new TemplateError(`${item} (character ${site.start + 1})`);
    const path = site.remotePath
      ? remotePathProblem(site.remotePath.program, site.remotePath.word, site.remotePath.mode, values)
      : undefined;
    if (path) throw new TemplateError(`${path} (character ${site.start + 1})`);
    const envName = envNameFor(site.name);
    if (owner[envName] !== undefined && owner[envName] !== site.name && env[envName] !== value)
      throw new TemplateError(
        `{{${owner[envName]}}} and {{${site.name}}} would both be passed as ${envName}: rename one of them`,
      );
    owner[envName] = site.name;
    env[envName] = value;
    script += template.slice(from, site.start) + reference(site.context, envName);
    from = site.end;
  }
  return { script: script + template.slice(from), env };
}

// ---- argv commands -----------------------------------------------------------------------------------------
// An argv command is run without a shell, but it may start one itself: `["bash", "-c", "deploy {{ref}}"]`, or
// `docker exec app sh -c "…"`, or hand a word to another interpreter (`python3 -c`, `su -c`, `awk '…'`; see
// programs.ts). A value written into such a word would be run as code (a branch named `$(curl …|sh)` is a
// valid ref). So that word is never given a value: when the command itself is a POSIX shell, the templates
// of its script become references to the DEPLOY_* variables as with `shell: true`; anywhere else a template
// there is refused, with the form that passes the value as an argument instead.

/**
 * In an argv (templates unrendered), a shell started with -c: its index and its script's, and whether it is
 * a POSIX shell, or undefined.
 */
export function shellScriptIn(
  argv: readonly string[],
): { shell: number; script: number; posix: boolean } | undefined {
  const operand = commandModel(argv).code.find((c) => c.kind === 'shell' || c.kind === 'foreign-shell');
  return operand && { shell: operand.program, script: operand.index, posix: operand.kind === 'shell' };
}

/**
 * Why the templates of an argv command cannot be run as written, or []: a template in a word some program
 * runs as code, except the script of a POSIX shell the command itself is, whose templates are refused only
 * where the shell could not protect them (as for `shell: true`). Pure.
 */
/**
 * The bash-only syntax of an inline script run by `shell` when that is sh, dash, ash or posh: sh is dash on
 * Debian and Ubuntu, which reads bash's [[ … ]], &>, $'…', declare, typeset, alias, shopt and source otherwise
 * than the bash grammar these checks read ([[ is no command there, so an || or && inside it runs the words
 * after it as a command). Undefined when none, or when another shell runs it.
 */
export function bashOnlyUnderSh(shell: string, body: string): string | undefined {
  if (!/^(sh|dash|ash|posh)$/.test(programName(shell))) return undefined;
  return /\[\[|&>|\$'|(^|[\s;&|(])(declare|typeset|alias|shopt|source)\s/.exec(body)?.[0].trim();
}

function bashOnlyMessage(at: string, how: string, syntax: string, shell: string): string {
  return `${at} is passed to the script of "${how}", which uses bash's ${syntax}: ${programName(shell)} is dash on Debian and Ubuntu, which reads it otherwise ([[ is no command there, so an || or && inside it runs the words after it as a command, the value among them); run the script with bash -c, or write it for sh ([ … ])`;
}

export function argvShellProblems(argv: readonly string[]): string[] {
  return withinBudget(
    () => argvShellWithin(argv),
    () => [TOO_COMPLEX_MESSAGE],
  );
}

function argvShellWithin(argv: readonly string[]): string[] {
  const problems: string[] = [];
  for (const operand of commandModel(argv).code) {
    // `python3 -c` with no code after it (xargs gives it): no template in it.
    const word = argv[operand.index] ?? '';
    const names = [...word.matchAll(PLACEHOLDER)].map((m) => m[1]!);
    if (names.length === 0) continue;
    if (operand.kind === 'shell' && operand.program === 0) {
      const analysis = analyzeShellTemplate(word);
      if (!analysis.ok)
        problems.push(...analysis.problems.map((p) => `in the script of "${operand.how}": ${p.message}`));
      continue;
    }
    problems.push(codeOperandMessage(operand, argv, names[0]!));
  }
  // sh -c '$1' _ {{x}}: the script runs an argument as a program or as code (inline-args.ts).
  for (const operand of commandModel(argv).code) {
    if (operand.kind !== 'shell' || operand.index >= argv.length) continue;
    const hasValue = (k: number) => k < argv.length && argv[k]!.search(PLACEHOLDER) >= 0;
    const zero = operand.index + 1 < argv.length ? operand.index + 1 : undefined;
    const positional = argv.slice(operand.index + 2).map((_, k) => ({
      index: operand.index + 2 + k,
      value: hasValue(operand.index + 2 + k),
    }));
    const zeroArg = zero === undefined ? undefined : { index: zero, value: hasValue(zero) };
    if (!zeroArg?.value && !positional.some((arg) => arg.value)) continue;
    const body = argv[operand.index]!;
    const bashOnly = bashOnlyUnderSh(argv[operand.program] ?? '', body);
    if (bashOnly !== undefined) {
      for (const arg of zeroArg?.value ? [zeroArg, ...positional] : positional)
        for (const match of arg.value ? argv[arg.index]!.matchAll(PLACEHOLDER) : [])
          problems.push(bashOnlyMessage(`{{${match[1]}}}`, operand.how, bashOnly, argv[operand.program]!));
      continue;
    }
    const context = {
      held: positionalHeld(body, zeroArg, positional),
      functions: new Map(),
      visiting: new Map(),
      fixed: positionalFixed(body, positional, (k) => argv[k]),
    };
    for (const problem of argumentProblems(body, context)) {
      const name = [...argv[argIndex(problem.name)!]!.matchAll(PLACEHOLDER)][0]![1]!;
      problems.push(argumentMessage(`{{${name}}}`, `the script of "${operand.how}"`, problem.message));
    }
  }
  const structured = commandModel(argv);
  for (const index of new Set([...structured.extraVars, ...structured.yamlValues.keys()])) {
    const word = argv[index] ?? '';
    const where = structured.yamlValues.get(index) ?? 'an ansible extra-vars argument (-e key=value)';
    for (const match of word.matchAll(PLACEHOLDER))
      if (
        inStructuredKey(
          word.slice(0, match.index),
          word.slice(match.index + match[0].length),
          structured.yamlValues.has(index),
        )
      )
        problems.push(structuredKeyMessage(match[1]!, where));
      else {
        const variable = connectionVariableAt(word.slice(0, match.index), structured.yamlValues.has(index));
        if (variable !== undefined) problems.push(connectionVariableMessage(match[1]!, variable));
      }
  }
  for (const [index, json] of structured.jsonValues)
    [...(argv[index] ?? '').matchAll(PLACEHOLDER)].forEach((match, k) => {
      if (json.slots[k] === 'key' || json.slots[k] === 'path')
        problems.push(jsonKeyMessage(match[1]!, json.where, json.slots[k]));
    });
  for (const [index, json] of structured.jsonFields)
    [...(argv[index] ?? '').matchAll(PLACEHOLDER)].forEach((match, k) => {
      const message =
        json.slots[k] === 'path' && !structured.jsonValues.has(index)
          ? jsonKeyMessage(match[1]!, json.where, 'path')
          : json.slots[k] === 'key' || json.slots[k] === 'path'
            ? undefined
            : jsonFieldMessage(match[1]!, json.fields[k], json.where);
      if (message) problems.push(message);
    });
  for (const index of commandModel(argv).extraVars)
    if (extraVarsArgument(argv[index] ?? '').startsWith('@'))
      for (const match of (argv[index] ?? '').matchAll(PLACEHOLDER))
        problems.push(extraVarsFileMessage(match[1]!));
  for (const [index, option] of commandModel(argv).helmSets)
    for (const match of (argv[index] ?? '').matchAll(PLACEHOLDER)) {
      if (option === '--set-file') problems.push(helmSetFileMessage(match[1]!));
      else if (helmInKey(argv[index]!, match.index)) problems.push(helmSetKeyMessage(match[1]!, option));
    }
  for (const chosen of chosenWords(argv)) {
    const names = chosenNames(chosen, argv[chosen.index]!);
    if (names.length) problems.push(chosenWordMessage(chosen, argv, names[0]!));
  }
  const model = commandModel(argv);
  addFileWrites(model, argv);
  for (const [index, read] of model.fileReads)
    for (const [name, cls] of fileClasses(read, argv[index]!))
      if (cls === 'chooses') problems.push(fileChosenMessage(name, read, argv[index]!));
  // The line ssh runs is shell code: an expansion there ($P, $(…)) may hold a marker, as in a shell: true script.
  for (const { read, text } of [...remoteFileReads(argv, model), ...remoteFileWrites(argv, model)])
    for (const [name, cls] of shellFileClasses(read, text))
      if (cls === 'chooses') problems.push(fileChosenMessage(name, read, text));
      else if (cls === 'unknown') problems.push(fileUnknownMessage(name, read, text));
  for (const problem of remoteStdinProblems(argv)) problems.push(problem.message(problem.name));
  return problems;
}

/** Characters a remote shell reads literally in an unquoted word. */
const REMOTE_SAFE = /^[\w.,:/@%+=-]*$/;

/**
 * ssh joins the words after the destination into one line that the remote host's shell runs: a value there
 * is read by a shell, and no quoting written here is sure to match that shell. So a value that reaches it must
 * be one plain word, and not an option of the remote command; why one is refused, or undefined.
 */
export function remoteValueProblem(
  name: string,
  value: string,
  where = "the command ssh runs through the remote host's shell",
  otherwise = 'send other values on standard input, or with SendEnv',
): string | undefined {
  if (REMOTE_SAFE.test(value)) {
    if (!value.startsWith('-')) return undefined;
    return `{{${name}}} is in ${where}, and its value starts with "-", which the remote command would read as an option: a value is never passed as an option`;
  }
  const bad = [...value].find((c) => !REMOTE_SAFE.test(c))!;
  return `{{${name}}} is in ${where}, and its value holds ${JSON.stringify(bad)}, which that shell would read: only letters, digits and _ . , : / @ % + = - may reach it (${otherwise})`;
}

/** An scp or rsync operand that names a remote path: `[user@]host:path`, `host::module`, `scp://…`, `rsync://…`. */
export function isRemotePath(operand: string): boolean {
  return /^[^/]*:/.test(operand);
}

/**
 * scp's legacy protocol (the default before OpenSSH 9.0, and with -O) and rsync without --protect-args hand a
 * remote path to the remote host's shell, which expands and splits it: a value in one must be one plain word,
 * as in the command ssh runs. Why one is refused, or undefined. `operand`: the word, templates unrendered.
 */
export function remotePathProblem(
  program: string,
  operand: string,
  mode: 'if-remote' | 'always',
  values: TemplateValues,
): string | undefined {
  const names = [...operand.matchAll(PLACEHOLDER)].map((m) => m[1]!);
  if (names.some((name) => values[name] === undefined)) return undefined; // said elsewhere
  if (mode === 'if-remote' && !isRemotePath(render(operand, values))) return undefined;
  const tool = programName(program);
  const where =
    mode === 'always'
      ? `what ${tool} -M sends to the remote rsync through the remote host's shell`
      : `a remote path (${operand}), which ${tool} may hand to the remote host's shell (${tool === 'scp' ? 'the legacy scp protocol, the default before OpenSSH 9.0 and with -O' : 'rsync without --protect-args'})`;
  for (const name of names) {
    const problem = remoteValueProblem(
      name,
      values[name]!,
      where,
      `copy to a fixed remote path and move the file with a remote script that takes the value as an argument`,
    );
    if (problem) return problem;
  }
  return undefined;
}

/**
 * make expands "$" in a variable given on its command line (`V=$(shell touch x)` runs a command), and pastes
 * the value of $(V) into the recipe lines it hands to /bin/sh (`x\`touch y\``, `a;b` run there): a value there
 * must be one plain word. Why one is refused, or undefined.
 */
export function makeValueProblem(name: string, value: string): string | undefined {
  if (REMOTE_SAFE.test(value)) return undefined;
  const bad = [...value].find((c) => !REMOTE_SAFE.test(c))!;
  return `{{${name}}} is in a variable assignment given to make, and its value holds ${JSON.stringify(bad)}, which make expands or pastes into the recipe lines the shell runs ($(shell …) or \`…\` would run a command): only letters, digits and _ . , : / @ % + = - may be given to make; read the value as "$$${envNameFor(name)}" in the recipe instead`;
}

/** What the body of an rpm macro may hold: nothing rpm expands (%), no space or newline (another word or line). */
const MACRO_SAFE = /^[A-Za-z0-9._+~:@=,/-]*$/;

/** Why a value in the body of an rpm macro definition (--define NAME BODY) is refused once rendered, or undefined. */
export function macroValueProblem(name: string, value: string): string | undefined {
  if (MACRO_SAFE.test(value)) return undefined;
  const bad = [...value].find((c) => !MACRO_SAFE.test(c))!;
  return `{{${name}}} is in the body of an rpm macro definition (--define NAME BODY), and its value holds ${JSON.stringify(bad)}: rpm expands the body where the macro is used (%(…) runs a command, %{lua:…} runs code, a newline adds a line to the spec), so only letters, digits and . _ + ~ : @ = , / - may be there; pass other values another way (a file the spec reads)`;
}

/** Programs that read a manifest, a values or a compose file given as `-f -` (`--filename=-`, `--values -`). */
const MANIFEST_READERS = new Set([
  ...['kubectl', 'oc', 'helm', 'docker', 'podman', 'nerdctl', 'docker-compose'],
  // kapp deploy -f -, argocd app create -f -, skaffold -f (its config names the builds it runs), nomad job run -
  // (a job spec in HCL or JSON: its fields are read by hcl-fields.ts and nomad-fields.ts).
  ...['kapp', 'argocd', 'skaffold', 'nomad'],
]);

/**
 * The words of a command that reads its standard input (or the file `file`) as a manifest (kubectl apply -f -,
 * helm upgrade … -f values.yaml), said, or undefined.
 */
/** Standard input by a file name. */
const STDIN_NAMES = new Set(['/dev/stdin', '/dev/fd/0', '/proc/self/fd/0']);

function manifestReader(words: readonly string[], file = '-'): string | undefined {
  const at = words.findIndex((w) => MANIFEST_READERS.has(programName(w)));
  if (at < 0) return undefined;
  const bare = (path: string) => path.replace(/^(\.\/)+/, '').replace(/\/+$/, '');
  const same = (path: string | undefined) =>
    path !== undefined &&
    (bare(path) === bare(file) ||
      // kubectl apply -f k8s/ reads each manifest in the directory (-R: below it too).
      (file !== '-' &&
        /\.(ya?ml|json)$/.test(file) &&
        (['', '.'].includes(bare(path))
          ? !bare(file).includes('/')
          : bare(file).startsWith(`${bare(path)}/`))) ||
      // Standard input by its name: kubectl apply -f /dev/stdin reads it as -f - does.
      (file === '-' && STDIN_NAMES.has(path)));
  // docker stack deploy -c FILE (--compose-file): a compose file; -c elsewhere in docker is its context.
  const stack = programName(words[at]!) === 'docker' && words.includes('stack');
  for (let k = at + 1; k < words.length; k++) {
    const word = words[k]!;
    const attached = (
      stack
        ? /^(?:--filename=|--values=|--file=|--compose-file=|-f|-c)(.+)$/
        : /^(?:--filename=|--values=|--file=|-f)(.+)$/
    ).exec(word)?.[1];
    if (
      (/^(-f|--filename|--values|--file)$/.test(word) || (stack && /^(-c|--compose-file)$/.test(word))) &&
      same(words[k + 1])
    )
      return words.slice(at, k + 2).join(' ');
    if (word !== '-f' && word !== '-c' && same(attached)) return words.slice(at, k + 1).join(' ');
  }
  // nomad job run|plan|validate FILE (and the older nomad run FILE): the job spec is its operand.
  if (programName(words[at]!) === 'nomad') {
    const verb = words.findIndex((w, k) => k > at && /^(run|plan|validate)$/.test(w));
    const spec = verb < 0 ? undefined : words.slice(verb + 1).find((w) => !w.startsWith('-') || w === '-');
    if (same(spec)) return words.slice(at, words.indexOf(spec!, verb) + 1).join(' ');
  }
  return undefined;
}

/**
 * A file a here-document is written to (cat > m.yaml <<EOF, cat <<EOF >> m.yaml, tee m.yaml <<EOF) that a
 * command further on reads as a manifest (kubectl apply -f m.yaml): how, or undefined. `readers` are the
 * script's commands naming a reader (manifestReaderCommands), split roughly (at ; & | newlines and
 * parentheses), which can only find more readers than there are; those from `from` on count.
 */
function manifestFileReader(
  files: readonly string[],
  readers: readonly { start: number; end: number; text: string }[],
  from: number,
): string | undefined {
  for (const file of files)
    for (const command of readers) {
      if (command.end <= from) continue;
      const words = command.text
        .slice(Math.max(0, from - command.start))
        .trim()
        .split(/\s+/)
        .map((w) => w.replace(/['"]/g, ''));
      const reader = manifestReader(words, file);
      if (reader !== undefined) return `${reader}, once written to ${file}`;
    }
  return undefined;
}

/**
 * The parts of a script, split roughly as manifestFileReader reads them, that name a manifest reader: read once
 * per script, since every command writing a file asks (splitting the rest of the script each time was
 * quadratic in its length).
 */
function manifestReaderCommands(script: string): { start: number; end: number; text: string }[] {
  const found: { start: number; end: number; text: string }[] = [];
  for (const m of script.matchAll(/[^;&|\n()]+/g))
    if (m[0].split(/\s+/).some((w) => MANIFEST_READERS.has(programName(w.replace(/['"]/g, '')))))
      found.push({ start: m.index, end: m.index + m[0].length, text: m[0] });
  return found;
}

/**
 * Programs whose output quotes the values they are given (a serializer writes it): what they feed a manifest
 * reader is theirs to make safe (helm template … --set-string, kubectl create … -o yaml, jq --arg, yq).
 * envsubst has its own rule (envsubstMessage).
 */
const MANIFEST_RENDERERS: ReadonlySet<string> = new Set([
  'helm',
  'kustomize',
  'kubectl',
  'oc',
  'jq',
  'yq',
  'envsubst',
]);

/** Why a value fed to a manifest reader as text (`how`: "in a here-string", …) is refused at load. */
function manifestFedMessage(name: string, reader: string, how: string): string {
  return `{{${name}}} reaches ${reader} as text (${how}), which it reads as the manifest or values it deploys: a value there could add structure (a newline and "command:", ", privileged: true" in a flow list) or fill any field, and only a here-document's body is read as YAML and checked field by field; write the manifest as a here-document (${reader.split(',')[0]} <<EOF … EOF), or set the value with a tool that quotes it (kubectl set image, helm --set-string)`;
}

/** Why a value in the name of a file a command prints into a manifest reader (cat k8s/{{env}}.yaml |) is refused. */
function manifestFileFedMessage(name: string, reader: string, printer: string, file: string): string {
  return `{{${name}}} is in the name of the file ${programName(printer) || 'a command'} prints into ${reader} (${file}), which reads it as the manifest or values it deploys: its value would choose what is deployed (even a plain word picks any file of the checkout), as in kubectl apply -f manifests/{{${name}}}.yaml; name the file in the config, a command per environment under environments.<name>.target if it differs`;
}

/** Why a template (or a variable holding one) in a key of a manifest here-document is refused at load. */
function manifestKeyMessage(name: string, manifest: string): string {
  return `{{${name}}} is in a key of the here-document "${manifest}" reads as a manifest: its value would choose which field is set (privileged, command), in a block or a flow mapping alike ({{${name}}}: v, - {{${name}}}: v, { {{${name}}}: v }, "{{${name}}}":v, ? {{${name}}}), which no check of the value can make safe; write the key in the config and let the value be its value (key: {{${name}}})`;
}

/**
 * What a value in a manifest here-document may be: letters, digits and . _ / @ + = -, and a ":" between them
 * (an image tag or digest, app@sha256:…). In a plain or a quoted scalar such a value is one scalar; a newline
 * would add lines (keys), and , [ ] { } (flow collections), ": " or a trailing ":" (a key), # (a comment),
 * & * ! | > (anchors, aliases, tags, block scalars), quotes and backslashes could end its scalar or add structure.
 */
const MANIFEST_SAFE = /^[A-Za-z0-9._/@+=-]*(:[A-Za-z0-9._/@+=-]+)*$/;

/** Where a value in a here-document `reader` reads as a manifest is, for messages. */
function manifestWhere(reader: string): string {
  return `a here-document "${reader}" reads as a manifest`;
}

/**
 * Why a value outside any string of a job spec nomad reads (count = {{n}}) is refused once rendered, or
 * undefined: HCL reads // as a comment (the other openers, # and /*, hold characters the manifest check refuses), so `env { V = {{x}} }` given 1// would hide the block's "}" and
 * move the lines after it into the block.
 */
function hclBareValueProblem(name: string, value: string): string | undefined {
  if (!value.includes('//')) return undefined;
  return `{{${name}}} is outside the quotes of a job spec nomad reads, and its value holds "//", which HCL reads as a comment (it would hide the rest of the line, such as a block's closing "}", and move the lines after it into the block): write the value inside quotes (count = "{{${name}}}": HCL converts it to a number), or pass other values another way`;
}

/**
 * Why a value read as YAML or JSON (`where`: a here-document read as a manifest, ansible's -e '{…}', salt's
 * pillar=) is refused once rendered, or undefined.
 */
export function structuredValueProblem(name: string, value: string, where: string): string | undefined {
  if (MANIFEST_SAFE.test(value)) return undefined;
  const bad = [...value].find((c) => !/[A-Za-z0-9._/@+=:-]/.test(c));
  const why =
    bad === undefined
      ? 'a ":" that starts or ends it, or two together (it could make the value a key)'
      : bad === '\n'
        ? "a newline (it could add lines, and so fields such as a container's command:)"
        : `${JSON.stringify(bad)}, which YAML reads as structure or quoting`;
  return `{{${name}}} is in ${where}, and its value holds ${why}: a value there must be letters, digits and . _ / @ + = -, with ":" only between them; ${where.startsWith('a here-document') ? 'render manifests with a tool that quotes values (helm template … --set-string, kubectl set image), or pass other values another way' : where.startsWith("a value of az's") ? 'set one leaf property per value (--set tags.version=…), or pass other values another way' : 'pass the value as a key=value pair of its own (-e version=…, pillar data from a file), or another way'}`;
}

/**
 * The JSON a here-document's body is (its templates' slots, in order), read from `from` (the body's first line)
 * to its delimiter, or undefined when the body is not JSON.
 */
function jsonHeredoc(
  script: string,
  from: number,
  doc: { delimiter: string; stripTabs: boolean },
): { slots: JsonSlot[]; fields: (JsonField | undefined)[]; where: string; body: string } | undefined {
  let body = '';
  for (let i = from; i < script.length;) {
    const lineEnd = script.indexOf('\n', i) === -1 ? script.length : script.indexOf('\n', i);
    const line = doc.stripTabs ? script.slice(i, lineEnd).replace(/^\t+/, '') : script.slice(i, lineEnd);
    if (line === doc.delimiter) break;
    body += `${line}\n`;
    i = lineEnd + 1;
  }
  // Its templates' slots; a body whose values are all variables' ({"v": "$V"}) is JSON too, with no template. It
  // is read as bash hands it on, each backslash-newline dropped ({"command"\ then : […]} is JSON).
  const joined = joinedBody(body).joined;
  const json =
    jsonArgument(joined) ??
    (jsonArgument(joined.replace(/\$(\{[^{}]*\}|\w+)/g, '{{heredoc_reference}}')) && {
      slots: [],
      fields: [],
    });
  return json && { slots: json.slots, fields: json.fields, where: 'a here-document written as JSON', body };
}

/** Why a variable's value in a JSON argument is refused: only a template or a variable of fixed text and templates is checked. */
const jsonVariableMessage = (name: string, where: string) =>
  `{{${name}}} is in ${where}, and only a template written there or a variable set from fixed text and templates alone (v=app-{{x}}) is checked: write the template itself there`;

/** Why a variable's value in a JSON "image" field is refused: the image rule checks a template written there. */
const jsonImageVariableMessage = (name: string, key: string, where: string) =>
  `{{${name}}} is in the "${key}" field of ${where}, the image a container runs, and only a template written there is checked by the image rule: write the template itself there`;

/**
 * Where a variable's reference at `at` in a JSON here-document's `body` sits (`spelled` as written): the slot and
 * field a template written there would have.
 */
function jsonHeredocRef(body: string, at: number, spelled: string): { slot?: JsonSlot; field?: JsonField } {
  const json = jsonArgument(`${body.slice(0, at)}{{heredoc_reference}}${body.slice(at + spelled.length)}`);
  const k = [...body.slice(0, at).matchAll(PLACEHOLDER)].length;
  return {
    ...(json?.slots[k] && { slot: json.slots[k] }),
    ...(json?.fields[k] && { field: json.fields[k] }),
  };
}

/**
 * The redirection operator before the word starting at `start` (`<`, `2>>`, `{fd}>`…), past any blanks between
 * them (`sh <      file`, a line continued with `\`), or undefined.
 */
function operatorBefore(script: string, start: number): string | undefined {
  let end = start;
  for (;;) {
    if (end > 0 && (script[end - 1] === ' ' || script[end - 1] === '\t')) end--;
    else if (end > 1 && script[end - 1] === '\n' && script[end - 2] === '\\')
      end -= 2; // a line continued
    else break;
  }
  return redirectionOperator(script.slice(Math.max(0, end - 12), end));
}

/** The fixed text a variable holding a value may add in a JSON argument's string, or outside one. */
const JSON_LITERAL = { string: /^[^"\\\x00-\x1f]*$/, bare: /^[\w.-]*$/ } as const;

/** GitHub's files of workflow commands, which it reads line by line once the step ends. */
const GITHUB_FILE = /^\$\{?GITHUB_(ENV|PATH|OUTPUT|STATE)\}?$/;

/**
 * A value written to $GITHUB_ENV, $GITHUB_PATH, $GITHUB_OUTPUT or $GITHUB_STATE: GitHub reads the file line by
 * line (NAME=VALUE, NAME<<DELIMITER, a directory), so a newline (or a backslash, which echo -e and printf %b
 * turn into one) would add a line of the value's: a variable such as NODE_OPTIONS or LD_PRELOAD for the job's
 * later steps, a directory first on their PATH. Why it is refused, or undefined.
 */
export function githubFileProblem(name: string, value: string, file: string): string | undefined {
  const bad = [...value].find((c) => c === '\n' || c === '\r' || c === '\\');
  if (bad === undefined) return undefined;
  if (file === FLY_SECRETS_INPUT)
    return `{{${name}}} is fed to fly secrets import, which reads its standard input line by line as NAME=VALUE secrets of the app (its machines get each as a variable), and its value holds ${JSON.stringify(bad)}: it could add a line of its own (LD_PRELOAD or NODE_OPTIONS, which make the app load other code); a value fed there may hold no newline, carriage return nor backslash`;
  return `{{${name}}} is written to ${file}, which GitHub reads line by line as commands for the job's later steps, and its value holds ${JSON.stringify(bad)}: it could add a line of its own (a variable such as NODE_OPTIONS or LD_PRELOAD, a directory first on PATH); a value written there may hold no newline, carriage return nor backslash`;
}

/** The 'file' of a value fed to fly secrets import (githubFileProblem): its standard input, read as NAME=VALUE lines. */
const FLY_SECRETS_INPUT = 'the standard input of fly secrets import';

function githubFileHeldMessage(name: string, file: string): string {
  if (file === FLY_SECRETS_INPUT)
    return `{{${name}}} is fed to fly secrets import, which reads it line by line as NAME=VALUE secrets of the app, and only a template written there or a variable set from fixed text and templates alone (v=app-{{x}}) is checked for a newline: write the template itself there`;
  return `{{${name}}} is written to ${file}, which GitHub reads line by line as commands for the job's later steps, and only a template written there or a variable set from fixed text and templates alone (v=app-{{x}}) is checked for a newline: write the template itself there`;
}

/** What a value written into a sed s command may hold: nothing sed or its regular expressions read specially. */
const SED_SAFE = /^[A-Za-z0-9._+:@%=,-]*$/;

/**
 * A value in the pattern or replacement of a sed s command (`s/VERSION/{{version}}/`) is read as part of the
 * script: with the delimiter, a backslash or a newline it could end the command and start another (`e` runs a
 * shell command). Why one is refused, or undefined.
 */
export function sedValueProblem(name: string, value: string, delimiter: string): string | undefined {
  const bad = [...value].find((c) => !SED_SAFE.test(c) || delimiter.includes(c));
  if (bad === undefined) return undefined;
  return `{{${name}}} is in a sed script, and its value holds ${JSON.stringify(bad)}, which sed would read as part of the script: only letters, digits and . _ + : @ % = , - may be written into a sed s command; for other values write the file with awk instead, reading the value as ENVIRON["${envNameFor(name)}"]`;
}

/** Why a value in the command ssh runs on the remote host is refused, or undefined. Pure. */
export function sshValueProblem(argv: readonly string[], values: TemplateValues): string | undefined {
  const remote = commandModel(argv).remote;
  if (!remote) return undefined;
  for (const arg of argv.slice(remote.from, remote.to))
    for (const [, name] of arg.matchAll(PLACEHOLDER)) {
      const value = values[name!];
      const problem = value === undefined ? undefined : remoteValueProblem(name!, value);
      if (problem) return problem;
    }
  return undefined;
}

/** Why a value may not reach xargs where its program's argument is checked in ways xargs' input cannot be. Pure. */
function xargsUncheckedMessage(name: string, items: XargsItems): string {
  return `{{${name}}} reaches xargs, which makes what it reads an argument of ${programName(items.program)} where a value written in the command is checked once rendered in ways no check of what xargs reads can make (helm --set given "1,securityContext.privileged=true" sets another key): write the command without xargs, with the value in it`;
}

/** Why a variable holding more than fixed text and templates may not reach xargs. Pure. */
function xargsHeldMessage(name: string, items: XargsItems): string {
  return `{{${name}}} reaches xargs, which makes what it reads arguments of ${programName(items.program)}: what it holds besides templates is not known, so no check can see whether it adds arguments or an option; set it from fixed text and templates alone, or pass the value as an argument`;
}

/** Why a value parallel cuts into columns (--colsep, -C) is refused. Pure. */
function colsepMessage(name: string, items: XargsItems): string {
  return `{{${name}}} is fed to ${items.reader ?? 'xargs'}, whose --colsep (-C) cuts each item into several arguments of ${programName(items.program)} at a regular expression, which no check of the value can follow: write the command without --colsep, or give each part as its own value`;
}

/** Why a value xargs reads cannot be one argument of its program, or undefined. Pure. */
export function xargsItemProblem(
  name: string,
  value: string,
  items: XargsItems,
  values: TemplateValues = {},
): string | undefined {
  const program = programName(items.program);
  const reader = items.reader ?? 'xargs';
  if (items.colsep) return colsepMessage(name, items);
  if (items.delimiter === '')
    return `{{${name}}} is fed to ${reader}, which cuts what it reads at a delimiter (-d) not read here, which no check of the value can follow: write the delimiter as one character, or as \\n, \\t or \\0`;
  if (items.delimiter !== undefined && value.includes(items.delimiter))
    return `{{${name}}} is fed to ${reader}, which would cut it into several arguments of ${program} at its delimiter ${JSON.stringify(items.delimiter)} (-d): it may not hold that character`;
  const cut = items.delimited ? /[\n\r]/ : items.lines ? /[\n\r'"\\]/ : /[\s'"\\]/;
  if (cut.test(value))
    return `{{${name}}} is fed to ${reader}, which would cut it into several arguments of ${program} or read its quotes: it may hold no ${items.delimited ? 'line break' : items.lines ? 'line break, quote or backslash' : 'blank, line break, quote or backslash'}`;
  if (value.startsWith('-'))
    return `{{${name}}} is fed to ${reader}, which makes it an argument of ${program}: it starts with "-", which ${program} would read as an option`;
  // In place of -I's string in a word checked once rendered (an image's tag): that check, the value there.
  // echo reads backslash escapes in some shells (dash): what xargs reads would not be the value checked.
  if (items.checks && value.includes('\\'))
    return `{{${name}}} is fed to ${reader}, which puts it where it is checked once rendered: it may hold no backslash, which echo may read as an escape`;
  for (const item of items.checks ?? []) {
    const word = item.word;
    const rendered = { ...values, __xargs_input: value };
    const problem =
      'check' in item
        ? containerNameProblem(item.check, word, rendered)
        : fileReadProblem(item.read, word, rendered);
    if (problem)
      return `{{${name}}} is fed to ${reader}, which puts it in ${JSON.stringify(word.replaceAll('{{__xargs_input}}', `{{${name}}}`))}: ${problem.replaceAll('{{__xargs_input}}', `{{${name}}}`)}`;
  }
  return undefined;
}

function optionValueMessage(name: string, program: string): string {
  return `the value of {{${name}}} starts with "-" and is a whole argument of ${programName(program)}, which would read it as an option: a value is never passed as an option; write the option and the value as one word (--name={{${name}}}), or put -- before it where ${programName(program)} ends its options there`;
}

/**
 * A value that fills an argument from its first character and starts with "-" would be read as an option
 * (`ssh {{host}}` with `-oProxyCommand=…` runs a command): refused, unless the program stopped reading options
 * before it (programs.ts). Pure.
 */
export function argvOptionProblem(
  argv: readonly string[],
  rendered: readonly string[],
  values: TemplateValues,
): string | undefined {
  const model = commandModel(argv);
  for (let i = 1; i < argv.length; i++) {
    const template = argv[i]!;
    if (!rendered[i]!.startsWith('-') || template.startsWith('-')) continue;
    if (model.positional.has(i) || model.guarded.has(i)) continue;
    // The template the "-" comes from: the first one with a value, of those that start the argument.
    const name = [...template.matchAll(PLACEHOLDER)].find((m) => values[m[1]!] !== '')?.[1];
    if (name) return optionValueMessage(name, argv[0]!);
  }
  return undefined;
}

/**
 * Renders an argv command: each element with its values, except the script of a shell the command itself is
 * (`bash -c "…"`), whose templates become DEPLOY_* references (`env`: what they read). Throws a TemplateError
 * for a template argvShellProblems refuses, a value argvOptionProblem, sshValueProblem, makeValueProblem,
 * sedValueProblem or remotePathProblem refuses, or a variable with no value.
 */
export function renderArgvCommand(
  argv: readonly string[],
  values: TemplateValues,
  renderOne: (template: string) => string,
): { argv: string[]; env: Record<string, string> } {
  const problems = argvShellProblems(argv);
  if (problems.length > 0) throw new TemplateError(problems[0]!);
  const remote = sshValueProblem(argv, values);
  if (remote) throw new TemplateError(remote);
  const model = commandModel(argv);
  for (const index of model.makeAssignments)
    for (const [, name] of argv[index]!.matchAll(PLACEHOLDER)) {
      const value = values[name!];
      const problem = value === undefined ? undefined : makeValueProblem(name!, value);
      if (problem) throw new TemplateError(problem);
    }
  for (const index of model.macroValues)
    for (const [, name] of (argv[index] ?? '').matchAll(PLACEHOLDER)) {
      const value = values[name!];
      const problem = value === undefined ? undefined : macroValueProblem(name!, value);
      if (problem) throw new TemplateError(problem);
    }
  for (const index of model.versionPins)
    for (const [, name] of (argv[index] ?? '').matchAll(PLACEHOLDER)) {
      const value = values[name!];
      const problem = value === undefined ? undefined : versionValueProblem(name!, value);
      if (problem) throw new TemplateError(problem);
    }
  for (const index of model.volumeNames)
    for (const [, name] of (argv[index] ?? '').matchAll(PLACEHOLDER)) {
      const value = values[name!];
      const problem = value === undefined ? undefined : volumeNameProblem(name!, value);
      if (problem) throw new TemplateError(problem);
    }
  for (const index of model.containerUsers)
    for (const [, name] of (argv[index] ?? '').matchAll(PLACEHOLDER)) {
      const value = values[name!];
      const problem = value === undefined ? undefined : userIdProblem(name!, value);
      if (problem) throw new TemplateError(problem);
    }
  for (const [index, check] of model.containerNames) {
    const problem = index < argv.length ? containerNameProblem(check, argv[index]!, values) : undefined;
    if (problem) throw new TemplateError(problem);
  }
  for (const index of model.extraVars)
    for (const [, name] of (argv[index] ?? '').matchAll(PLACEHOLDER)) {
      const value = values[name!];
      const problem = value === undefined ? undefined : extraVarsValueProblem(name!, value);
      if (problem) throw new TemplateError(problem);
    }
  for (const [index, where] of model.yamlValues)
    for (const [, name] of (argv[index] ?? '').matchAll(PLACEHOLDER)) {
      const value = values[name!];
      const problem = value === undefined ? undefined : structuredValueProblem(name!, value, where);
      if (problem) throw new TemplateError(problem);
    }
  for (const [index, json] of model.jsonValues)
    [...(argv[index] ?? '').matchAll(PLACEHOLDER)].forEach((match, k) => {
      const value = values[match[1]!];
      const slot = json.slots[k] ?? 'bare';
      const problem =
        value === undefined || slot === 'key' || slot === 'path'
          ? undefined
          : jsonValueProblem(match[1]!, value, slot, json.where);
      if (problem) throw new TemplateError(problem);
    });
  for (const json of model.jsonFields.values())
    for (const field of new Set(json.fields)) {
      const problem = jsonFieldProblem(field, json.where, values);
      if (problem) throw new TemplateError(problem);
    }
  for (const [index, option] of model.helmSets)
    for (const match of (argv[index] ?? '').matchAll(PLACEHOLDER)) {
      const value = values[match[1]!];
      const key = helmKeyAt(argv[index]!, match.index);
      const problem = value === undefined ? undefined : helmSetValueProblem(match[1]!, value, option, key);
      if (problem) throw new TemplateError(problem);
    }
  addFileWrites(model, argv);
  for (const [index, read] of model.fileReads) {
    const problem = fileReadProblem(read, argv[index]!, values);
    if (problem) throw new TemplateError(problem);
  }
  for (const { read, text } of [...remoteFileReads(argv, model), ...remoteFileWrites(argv, model)]) {
    const problem = fileReadProblem(read, text, values);
    if (problem) throw new TemplateError(problem);
  }
  // After the file reads: `Value@=file://…` is refused for what it reads before for its structure.
  for (const [index, option] of model.awsShorthand)
    for (const [, name] of (argv[index] ?? '').matchAll(PLACEHOLDER)) {
      const value = values[name!];
      const problem = value === undefined ? undefined : shorthandValueProblem(name!, value, option);
      if (problem) throw new TemplateError(problem);
    }
  for (const [index, { delimiter }] of model.sedScripts)
    for (const [, name] of argv[index]!.matchAll(PLACEHOLDER)) {
      const value = values[name!];
      const problem = value === undefined ? undefined : sedValueProblem(name!, value, delimiter);
      if (problem) throw new TemplateError(problem);
    }
  const found = shellScriptIn(argv);
  let env: Record<string, string> = {};
  const rendered = argv.map((arg, index) => {
    if (found?.script !== index || found.shell !== 0 || !found.posix) return renderOne(arg);
    const script = renderShellScript(arg, values);
    env = script.env;
    return script.script;
  });
  const option = argvOptionProblem(argv, rendered, values);
  if (option) throw new TemplateError(option);
  for (const [index, { mode, program }] of model.remotePaths) {
    if (index >= argv.length) continue;
    const problem = remotePathProblem(argv[program]!, argv[index]!, mode, values);
    if (problem) throw new TemplateError(problem);
  }
  return { argv: rendered, env };
}

/** The index of a body's first backslash-newline (\\<newline> is a backslash and a line break), or -1. */
function continuationAt(body: string): number {
  for (let k = 0; k < body.length; k++) {
    if (body[k] !== '\\') continue;
    if (body[k + 1] === '\n') return k;
    k++;
  }
  return -1;
}

/**
 * The fields of the manifest a here-document's body is that each template and each variable `refs` finds
 * (one holding a value) fills, by its script offset (manifest-fields.ts).
 */
function manifestFieldsOf(
  script: string,
  start: number,
  end: number,
  stripTabs: boolean,
  refs: (
    line: string,
    start: number,
  ) => readonly { start: number; end: number; variable: string; text?: string | undefined }[],
  // Read by nomad: a job spec, HCL unless it is JSON (hcl-fields.ts).
  hcl = false,
): {
  at: (at: number) => JsonField[];
  /** Whether an alias puts the value at `at` in a key. */
  key: (at: number) => boolean;
  image: (at: number) => JsonField | 'unknown' | undefined;
  /** Its aliases repeat its nodes past MANIFEST_VISITS: no field can be told, every value is refused. */
  tooLarge?: true;
  /** An HCL body the scan cannot follow: no field can be told, every value is refused. */
  notHcl?: true;
} {
  const lines: { text: string; start: number }[] = [];
  for (let at = start; at < end;) {
    const newline = script.indexOf('\n', at);
    const lineEnd = newline === -1 || newline > end ? end : newline;
    const tabs = stripTabs ? /^\t*/.exec(script.slice(at, lineEnd))![0].length : 0;
    lines.push({ text: script.slice(at + tabs, lineEnd), start: at + tabs });
    at = lineEnd + 1;
  }
  const spots: BodySpot[] = [];
  // Each variable's stand-in ({{__var_V}}), and the fixed text and templates it holds, when one assignment sets it.
  const held = new Map<string, string | undefined>();
  for (const line of lines) {
    for (const m of line.text.matchAll(new RegExp(PLACEHOLDER.source, 'g')))
      spots.push({ start: line.start + m.index, end: line.start + m.index + m[0].length });
    // A variable shows as the template it stands for, so that the image rule sees where it is (a tag or the image).
    for (const ref of refs(line.text, line.start)) {
      spots.push({ start: ref.start, end: ref.end, shown: `{{${pseudoName(ref.variable)}}}` });
      held.set(`{{${pseudoName(ref.variable)}}}`, ref.text);
    }
  }
  spots.sort((a, b) => a.start - b.start);
  const keys = new Set<number>();
  let fields: JsonField[][];
  try {
    const json =
      lines
        .find((line) => line.text.trim() !== '')
        ?.text.trim()
        .startsWith('{') === true;
    const read = hcl && !json ? hclFields(lines, spots, keys) : manifestFields(lines, spots, keys);
    if (read === undefined) return { at: () => [], key: () => false, image: () => undefined, notHcl: true };
    fields = read;
  } catch (error) {
    if (!(error instanceof ManifestTooLarge)) throw error;
    return { at: () => [], key: () => false, image: () => undefined, tooLarge: true };
  }
  const keyStarts = new Set([...keys].map((k) => spots[k]!.start));
  const byStart = new Map(spots.map((spot, k) => [spot.start, fields[k]]));
  const at = (start: number) => byStart.get(start) ?? [];
  return {
    at,
    key: (start) => keyStarts.has(start),
    // The image field a value fills, its variables written as what they hold, for the image rule once rendered.
    image: (start) => {
      const field = at(start).find(isJsonImageField);
      if (field?.text === undefined) return undefined;
      let unknown = false;
      const text = field.text.replace(/\{\{__var_\w+\}\}/g, (shown) => {
        const value = held.get(shown);
        if (value === undefined) unknown = true;
        return value ?? shown;
      });
      return unknown ? 'unknown' : { ...field, text };
    },
  };
}
