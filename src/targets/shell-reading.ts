// One reading of a `shell: true` script (shell-script.ts): the lexer that finds every template and its quoting
// context, and the checks made on each simple command as it ends. Its parts share the state of the reading (the
// frames, the sites, the held values), so they stay in one closure; the rules they apply live in their own files,
// except how xargs takes what it reads (xargsFed), which reads the command xargs runs with analyzeShellTemplate.
import {
  type InlineContext,
  type ShellTemplateProblem,
  type ShellTemplateAnalysis,
  type TemplateSite,
  type ShellTemplateRefusal,
  NUMERIC_VARIABLES,
  envNameFor,
  type TemplateContext,
} from './shell-sites.ts';
import {
  argIndex,
  shellFunctions,
  functionWord,
  isLiteralWord,
  argumentMessage,
  argName,
  unreadScriptMessage,
  positionalHeld,
} from './inline-args.ts';
import { withinBudget, TOO_COMPLEX_MESSAGE, charge } from './budget.ts';
import { shellCommandLine } from './command-line.ts';
import { PLACEHOLDER } from './template.ts';
import {
  type Frame,
  newScriptFrame,
  type PendingHeredoc,
  type Word,
  type SimpleCommand,
  DECLARATIONS,
  KEEPS_COMMAND_POSITION,
  ASSIGNMENT,
  COMPOUND_CLOSERS,
  TEMPLATE_STARTS,
  STARTS_AFTER,
  REF_STARTS_AFTER,
  type Substitution,
  MAYBE_EMPTY,
  KEEPS_ENVIRONMENT,
  PLACEHOLDER_AT,
  OPERATOR_CHARS,
  COMPOUND_OPENERS,
} from './shell-frames.ts';
import {
  refusalMessage,
  codeOperandMessage,
  chosenNames,
  chosenWordMessage,
  stdinCodeMessage,
  withoutOffsets,
} from './shell-messages.ts';
import {
  manifestReaderCommands,
  manifestReader,
  manifestFedMessage,
  manifestFileFedMessage,
  MANIFEST_RENDERERS,
  manifestFileReader,
  MANIFEST_READERS,
} from './manifest-readers.ts';
import {
  type ProgramResolution,
  programReplacement,
  resolvingDepth,
  resolvePrograms,
} from './program-resolution.ts';
import {
  colsepMessage,
  xargsUncheckedMessage,
  xargsHeldMessage,
  REMOTE_SAFE,
  GITHUB_FILE,
  FLY_SECRETS_INPUT,
  githubFileHeldMessage,
  sedValueProblem,
  MANIFEST_SAFE,
} from './rendered-values.ts';
import {
  JSON_LITERAL,
  jsonVariableMessage,
  jsonImageVariableMessage,
  jsonHeredoc,
  continuationAt,
  manifestFieldsOf,
  manifestWhere,
  manifestKeyMessage,
  jsonHeredocRef,
} from './heredoc-documents.ts';
import { bashOnlyUnderSh, bashOnlyMessage, positionalFixed } from './inline-bodies.ts';
import {
  HeldValues,
  AROUND,
  variableRefs,
  type VariableRef,
  pseudoName,
  refMessage,
  setWhere,
  type Exact,
  type Held,
} from './held-values.ts';
import {
  declaredAttributes,
  type ArithmeticPart,
  arithmeticNames,
  namedSubscripts,
  commandArithmetic,
  expansionArithmetic,
  commandAt,
  expandedArithmetic,
} from './arithmetic.ts';
import {
  isCodeVariable,
  CODE_VARIABLES,
  codeVariableOperand,
  programName,
  commandModel,
  codeVariableIn,
  parallelCommand,
  type CommandModel,
  xargsReplaceString,
  POSIX_SHELLS,
  parallelSplit,
} from './programs.ts';
import {
  type XargsItems,
  type ChosenWord,
  chosenWords,
  expandedPrograms,
  readsWorkingDirectoryIn,
  readsWorkingDirectory,
  xargsInputChooses,
  delimiterCharacter,
  xargsItems,
  xargsInputWords,
  xargsWord,
  builtinFileAt,
} from './launchers.ts';
import { addFileWrites, remoteFileWrites, redirectionRead, redirectionOperator } from './file-writes.ts';
import { namedVariables } from './variable-names.ts';
import {
  containerMounts,
  isVolumeNameText,
  volumeVariableMessage,
  userVariableMessage,
  containerLiteralFits,
} from './container-mounts.ts';
import {
  programLiterals,
  expandedProgramWhy,
  programUnsure,
  remoteStdinProblems,
  xargsInputFile,
  parallelStdin,
  stdinConfigReader,
  argFileStdin,
  remoteStdinRoute,
  parallelInputFile,
  parallelReadsStdin,
  curlConfig,
  curlConfigWhy,
  substitutionFileRoute,
  remoteStdinCommands,
} from './stdin-routes.ts';
import {
  type JsonArgument,
  jsonKeyMessage,
  jsonFieldMessage,
  isJsonImageField,
  jsonArgument,
} from './json-arguments.ts';
import {
  inStructuredKey,
  structuredKeyMessage,
  connectionVariableAt,
  connectionVariableMessage,
  extraVarsArgument,
  extraVarsFileMessage,
  inYamlKey,
} from './ansible-vars.ts';
import { helmSetFileMessage, helmKeyAt, helmInKey, helmSetKeyMessage } from './helm-values.ts';
import {
  type FileRead,
  shellFileClasses,
  fileChosenMessage,
  fileUnknownMessage,
  holdsMarker,
  fileDoing,
  remoteFileReads,
} from './file-reads.ts';
import { flyCommand } from './deploy-sources.ts';
import { printsFileAt } from './printed-files.ts';
import { bodySubstitutions, heredocBodyEnd, joinedBody } from './heredoc-substitution.ts';
import { MANIFEST_VISITS } from './manifest-fields.ts';
import { nomadFieldMessage } from './nomad-fields.ts';
import { envsubstFormat, envsubstMessage, formatVariables } from './envsubst.ts';
import { CONFIG_CHOSEN_VARIABLES } from './placeholder.ts';

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

/**
 * A word as the program gets it: quotes removed, backslash escapes resolved ("…" keeps a backslash before
 * anything but $ ` " \ and a newline), so the line ssh joins is the one the remote shell reads. Substitutions
 * are left as written. `kept`, when given, gets the offset in `raw` of each character of the result.
 */
function unquote(raw: string, kept?: number[]): string {
  let out = '';
  const keep = (k: number) => {
    out += raw[k];
    kept?.push(k);
  };
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else keep(i);
    } else if (c === '\\') {
      const next = raw[i + 1];
      if (next === undefined) keep(i);
      else if (quote === '"' && !'$`"\\\n'.includes(next)) {
        keep(i);
        keep(i + 1);
      } else if (next !== '\n') keep(i + 1);
      i++;
    } else if (c === '"') quote = quote === '"' ? undefined : '"';
    else if (c === "'" && quote === undefined) quote = "'";
    else keep(i);
  }
  return out;
}

/** The refusals of `body` run with these positional parameters that are about an argument (argName). */
export function argumentProblems(body: string, context: InlineContext): ShellTemplateProblem[] {
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
  // The offsets of the "$" and "`" the shell reads as characters, not as the start of an expansion: in single
  // quotes, or after a backslash. Only outside ${…}, $((…)) and backquotes (literalAt): the expansion they are
  // in is what its word holds there (${X:+'$Y'} may be empty), and inside backquotes, read again, "\$" is "$".
  const literal = new Set<number>();

  const refuse = (reason: ShellTemplateRefusal, name: string, offset: number, message?: string) =>
    problems.push({ reason, name, offset, message: message ?? refusalMessage(reason, name, offset) });
  /** A message naming the template as a refusal does ("{{ref}} (character 12) …"). */
  const named = (name: string, offset: number, message: string) =>
    `{{${name}}} (character ${offset + 1})${message.slice(`{{${name}}}`.length)}`;
  const sitesIn = (word: Word) => sites.filter((site) => site.start >= word.start && site.start < word.end);
  /** Whether the script quotes or escapes a "$" or "`" from `start` to `end` (literal). */
  const literalIn = (start: number, end: number) => {
    if (literal.size < end - start) {
      for (const k of literal) if (k >= start && k < end) return true;
    } else for (let k = start; k < end; k++) if (literal.has(k)) return true;
    return false;
  };
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
  const textOf = (word: Word) => wordText(word);
  /** textOf; `origins`, when given, gets the offset in the script of each character (-1 in a stand-in). */
  const wordText = (word: Word, origins?: number[]) => {
    let raw = script.slice(word.start, word.end);
    let from = origins && Array.from({ length: raw.length }, (_, k) => word.start + k);
    const outer: VariableRef[] = [];
    for (const ref of refsIn(word)) if (!outer.some((o) => ref.start < o.end)) outer.push(ref);
    for (const ref of outer.reverse()) {
      const [start, end] = [ref.start - word.start, ref.end - word.start];
      const standIn = `{{${pseudoName(ref.variable)}}}`;
      raw = `${raw.slice(0, start)}${standIn}${raw.slice(end)}`;
      from &&= [...from.slice(0, start), ...Array<number>(standIn.length).fill(-1), ...from.slice(end)];
    }
    if (!origins || !from) return unquote(raw);
    const kept: number[] = [];
    const text = unquote(raw, kept);
    for (const k of kept) origins.push(from[k]!);
    return text;
  };
  /**
   * textOf, with the offsets in it of the "$" and "`" the shell reads as characters ('$S{{x}}', \$S{{x}}): no
   * expansion starts there, where one reading the text alone would see $S.
   */
  const quotedTextOf = (word: Word): { text: string; literal: ReadonlySet<number> } => {
    if (!literalIn(word.start, word.end)) return { text: textOf(word), literal: new Set() };
    const origins: number[] = [];
    const text = wordText(word, origins);
    const literals = new Set<number>();
    origins.forEach((offset, at) => {
      if (literal.has(offset)) literals.add(at);
    });
    return { text, literal: literals };
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
    const refusal = itemRefusal(items, unchecked, reaches);
    if (refusal) return refuseFound(found, 'stdin_code', refusal);
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
      // A name the config lists (cd envs/{{environment}}) chooses among its author's directories, as
      // env -C or terraform -chdir may (placeholder.ts CONFIG_CHOSEN_VARIABLES); a variable holding one does not.
      const founds =
        k < command.args.length
          ? valuesIn(command.args[k]!).filter((found) => !CONFIG_CHOSEN_VARIABLES.has(found.name))
          : [];
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
    /** A word whose templates are each marked by `mark`, and whose variables must be one plain word (plainOnly). */
    const markPlain = (word: Word, where: string, mark: (site: TemplateSite) => void) => {
      for (const site of sitesIn(word)) mark(site);
      plainOnly(word, where, mark);
    };
    /** markPlain for the command's arguments at `indices` (one past its end is skipped). */
    const commandArgs = command.args;
    const markPlainAt = (indices: Iterable<number>, where: string, mark: (site: TemplateSite) => void) => {
      for (const index of indices)
        if (index < commandArgs.length) markPlain(commandArgs[index]!, where, mark);
    };
    if (model.remote)
      for (const word of command.args.slice(model.remote.from, model.remote.to)) {
        markPlain(
          word,
          "the command ssh runs through the remote host's shell",
          (site) => (site.remote = true),
        );
      }
    markPlainAt(
      model.makeAssignments,
      'a variable given to make, which make expands and pastes into recipes',
      (site) => (site.make = true),
    );
    markPlainAt(
      model.macroValues,
      'the body of an rpm macro definition, which rpm expands',
      (site) => (site.macro = true),
    );
    markPlainAt(
      model.versionPins,
      'the version of a package an install fetches',
      (site) => (site.version = true),
    );
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
        markPlain(command.args[index]!, where, (site) => (site.structured = where));
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
        markPlain(
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
    markPlainAt(
      model.extraVars,
      'an ansible extra-vars argument, which Jinja renders',
      (site) => (site.jinja = true),
    );
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
        markPlain(word, `an argument of helm ${option}, which helm splits into assignments`, mark);
      }
    // curl -d @FILE, az's @FILE, kubectl --from-file=FILE (file-reads.ts): a value choosing the file is refused;
    // one that could start a marker or is part of a file's name is checked once rendered, through $v too.
    // `text`: the word as the program reads it (in the command ssh runs, a word of the remote line, whose shell
    // expands what the script quoted); `literal`: its "$" and "`" the script quoted or escaped (quotedTextOf).
    const checkFileRead = (read: FileRead, word: Word, text: string, literal?: ReadonlySet<number>) => {
      // $P or $(…) before a template: what it holds is not known, and may be empty or a marker ('unknown').
      const classes = shellFileClasses(read, text, literal);
      for (const site of sitesIn(word))
        if (!['safe', 'chooses', 'unknown', undefined].includes(classes.get(site.name)))
          (site.fileReads ??= []).push({ read, word: text });
      for (const found of valuesIn(word)) {
        const cls = classes.get(found.name) ?? 'safe';
        if (cls === 'chooses') refuseFound(found, 'chooses', (name) => fileChosenMessage(name, read, text));
        if (cls === 'unknown')
          refuseFound(found, 'chooses', (name) => fileUnknownMessage(name, read, text, literal));
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
      if (index < command.args.length) {
        const quoted = quotedTextOf(command.args[index]!);
        const literal = quoted.text === texts[index] ? quoted.literal : undefined;
        checkFileRead(read, command.args[index]!, texts[index]!, literal);
      }
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
      const { text, literal: quoted } = quotedTextOf(word);
      // >&2, <&0, >&-: a descriptor, not a file.
      if (/[<>]&$/.test(operator) && /^(\d+|-)$/.test(text)) continue;
      checkFileRead(redirectionRead(operator, texts[0]), word, text, quoted);
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
    // as if nothing came before it (the config's own text in them, `"$DASH{{x}}"` with DASH=-, is its own). Not
    // after a "$" the script quotes ('$EMPTY{{x}}'), which is a character of the argument.
    for (let k = 1; k < command.args.length; k++) {
      if (model.positional.has(k) || model.guarded.has(k) || !TEMPLATE_STARTS.test(texts[k]!)) continue;
      const word = command.args[k]!;
      let from = word.start;
      for (const site of sitesIn(word)) {
        const between = script.slice(from, site.start);
        if (!STARTS_AFTER.test(between) || literalIn(from, site.start)) break;
        site.leading = { program: texts[0]!, first: from === word.start };
        from = site.end;
      }
      // "$v" starting the argument, v set from fixed text and templates alone (v={{x}}): its templates are
      // checked once rendered as if written here. Which of them starts the value is not known (v=a-{{x}}, or
      // several branches), so each is checked on its own: a value starting with "-" fails the command.
      const ref = refsIn(word).find(
        (r) => REF_STARTS_AFTER.test(script.slice(word.start, r.start)) && !literalIn(word.start, r.start),
      );
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
    // parallel's items and xargs' options (itemRoutes): the same rules as for an argv command.
    for (const route of itemRoutes(texts, inherited))
      for (const found of valuesIn(command.args[route.index]!))
        if ('items' in route) feedItem(found, route.items, route.unchecked, route.reaches);
        else refuseFound(found, route.reason, route.message);
    // sudo command let n={{x}}: the file of a built-in a wrapper runs (builtinFileAt) runs its words as a bash
    // line, with that line's checks (as an argv command's are). As the command itself, it is read here already.
    const builtinAt = builtinFileAt(texts);
    const builtinLine = builtinAt
      ? analyzeShellTemplate(shellCommandLine(texts.slice(builtinAt)))
      : undefined;
    for (const problem of builtinLine?.ok === false ? builtinLine.problems : []) {
      const found = command.args
        .slice(builtinAt)
        .flatMap(valuesIn)
        .find((value) => value.name === problem.name);
      const message = withoutOffsets(problem.message);
      if (found && message.startsWith(`{{${problem.name}}}`))
        refuseFound(found, problem.reason, () => message);
      else if (found) refuse(problem.reason, problem.name, found.start, message);
    }
    const parallel = parallelInputFile(texts);
    const parallelFed = parallel?.synthetic ? xargsFed(parallel.synthetic, undefined, inherited) : undefined;
    // What xargs reads becomes its program's arguments, cut at blanks and newlines, its quotes read
    // (`echo {{pods}} | xargs kubectl delete pod` given `--all`, or `a --all`): a value piped or here-stringed
    // into it is checked once rendered to be one item that does not start with "-", as a value written in
    // the argument is. Through a variable, only one holding fixed text and templates alone can be checked.
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
      // A "$" the script quotes before it ('$EMPTY'"$(…)") is a character of the word, before the output.
      const inOther = (k: number) => (command.subs ?? []).some((other) => k >= other.start && k < other.end);
      for (let k = word.start; k < sub.start; k++) if (literal.has(k) && !inOther(k)) return false;
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
      // Quotes alone are no text of the word: ''"$(…)" starts it as "$(…)" does.
      if (unquote(before) !== '') return false;
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
    const xargs = xargsWord(texts);
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
  const literalAt = (offset: number) => {
    if (!enclosing('backtick') && !enclosing('param') && !enclosing('arith')) literal.add(offset);
  };

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
        else if (c === '$' || c === '`') literalAt(i);
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
      } else {
        if (script[i + 1] === '$' || script[i + 1] === '`') literalAt(i + 1);
        i += 2;
      }
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
  if (resolutions.length > 0)
    resolvePrograms(script, inherited, resolutions, sites, problems, analyzeShellTemplate);
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

/**
 * Where a template in a word of one command lands when parallel or xargs reads that word itself (texts: the
 * command's words as written, templates unrendered), for a `shell: true` script's command and an argv command
 * alike:
 * - `parallel CMD :::: FILE`: FILE names the file whose lines are the items, whatever the command: refused;
 * - `parallel CMD ::: ARG`: each ARG is an item parallel puts in its command (quoted): checked once rendered as
 *   an item xargs -I would put there (`items`), or refused where it would be the program, a subcommand or code,
 *   or where the command written out has checks no check of an item can make;
 * - xargs' own options choose where what it reads lands (-I/-J's string) and how it is cut (-d, -n): a value
 *   there (`xargs -I {{y}} docker run app:{{y}}` given y=docker runs what xargs reads) is refused. -a's file has
 *   the file rule.
 * In the order a reading reports them. Pure.
 */
export type ItemRoute =
  | { index: number; items: XargsItems; unchecked: boolean; reaches: string }
  | { index: number; reason: ShellTemplateRefusal; message: (name: string) => string };

export function itemRoutes(texts: readonly string[], inherited: InlineContext | undefined): ItemRoute[] {
  const routes: ItemRoute[] = [];
  const parallel = parallelInputFile(texts);
  const listed = (() => {
    const at = texts.findIndex((word) => programName(word) === 'parallel');
    return at < 0 ? undefined : parallelCommand(texts, at);
  })();
  for (const k of listed?.files ?? [])
    if (!texts[k]!.startsWith('<('))
      routes.push({
        index: k,
        reason: 'stdin_code',
        message: (name) =>
          `{{${name}}} is in the name of a file after :::: of parallel (${texts[k]}), whose lines parallel gives its command as arguments: its value would choose a file of the runner whose lines become that command's arguments (printed, or files it deletes or sends); name the file in the config, or give the value after ::: (parallel ./deploy.sh ::: {{${name}}})`,
      });
  const fed = (parallel?.files ?? []).filter((k) => texts[k]!.startsWith('<('));
  // Items that land where no rule refuses them: checked once rendered as xargs -I's would be (one argument,
  // each item is one: parallel quotes it), with the checks of the command written out, or refused where those
  // are checks no check of an item can make (parallel helm … --set image.tag={} ::: VALUE).
  const parallelFed = parallel?.synthetic ? xargsFed(parallel.synthetic, undefined, inherited) : undefined;
  // After :::, each argument is one item (-d does not cut it, --colsep does); in a :::: <(…) file, each line
  // is, cut by -d too.
  if (parallelFed?.items)
    for (const k of [...parallel!.args, ...fed])
      routes.push({
        index: k,
        items: {
          ...parallelFed.items,
          lines: true,
          delimited: true,
          reader: 'parallel' as const,
          ...(fed.includes(k) ? parallelCuts(texts) : parallelCuts(texts).colsep && { colsep: true }),
        },
        unchecked: parallelFed.unchecked,
        reaches: 'is an item of parallel',
      });
  for (const k of parallel?.synthetic ? [] : [...(parallel?.args ?? []), ...fed])
    routes.push({
      index: k,
      reason: 'stdin_code',
      message: (name) =>
        `{{${name}}} is in an argument after ${fed.includes(k) ? '::::' : ':::'} of parallel, ${parallel!.why.replaceAll('VALUE', `{{${name}}}`)}`,
    });
  const xargsAt = xargsWord(texts);
  const xargsProgram =
    xargsAt < 0 ? undefined : chosenWords(texts).find((word) => word.index > xargsAt)?.index;
  if (xargsAt >= 0)
    for (let k = xargsAt + 1; k < (xargsProgram ?? texts.length); k++) {
      const option = k > xargsAt + 1 ? texts[k - 1]! : '';
      if (/^(-[^-]*a|--arg-file)$/.test(option) || /^(-a.|--arg-file=)/.test(texts[k]!)) continue;
      routes.push({
        index: k,
        reason: 'chooses',
        message: (name) =>
          `{{${name}}} is in an option of xargs (${texts[k]}), which chooses where what xargs reads lands in the command it runs, or how it is cut: a value there could make it the program; write xargs' options in the config`,
      });
    }
  return routes;
}

/**
 * Why a value fed to xargs or parallel as `items` is refused whatever it is, or undefined when it is checked
 * once rendered (xargsItemProblem): cut at a regular expression (--colsep), or put where the command written out
 * has checks no check of an item can make. `reaches`: how the value reaches the reader, for the message. Pure.
 */
export function itemRefusal(
  items: XargsItems,
  unchecked: boolean,
  reaches: string,
): ((name: string) => string) | undefined {
  if (items.colsep) return (name) => colsepMessage(name, items);
  if (unchecked) return (name) => xargsUncheckedMessage(name, items).replace('reaches xargs', reaches);
  return undefined;
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
  const at = xargsWord(texts);
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
