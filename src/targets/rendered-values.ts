// The checks made on a value once rendered where a template's site asks for them (a remote shell's word, make's
// and rpm's expansion, YAML, GitHub's command files, sed, xargs' items, an argument read as an option), with the
// load-time messages of the same rules. Pure.
import { type TemplateValues, PLACEHOLDER, render } from './template.ts';
import { programName, commandModel } from './programs.ts';
import { envNameFor } from './shell-sites.ts';
import type { XargsItems } from './launchers.ts';
import { containerNameProblem } from './container-mounts.ts';
import { fileReadProblem } from './file-reads.ts';

/** Characters a remote shell reads literally in an unquoted word. */
export const REMOTE_SAFE = /^[\w.,:/@%+=-]*$/;

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
    tool === 'cp'
      ? `a remote path (${operand}), which gh codespace cp --expand hands to the codespace's shell`
      : mode === 'always'
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

/**
 * What a value in a manifest here-document may be: letters, digits and . _ / @ + = -, and a ":" between them
 * (an image tag or digest, app@sha256:…). In a plain or a quoted scalar such a value is one scalar; a newline
 * would add lines (keys), and , [ ] { } (flow collections), ": " or a trailing ":" (a key), # (a comment),
 * & * ! | > (anchors, aliases, tags, block scalars), quotes and backslashes could end its scalar or add structure.
 */
export const MANIFEST_SAFE = /^[A-Za-z0-9._/@+=-]*(:[A-Za-z0-9._/@+=-]+)*$/;

/**
 * Why a value outside any string of a job spec nomad reads (count = {{n}}) is refused once rendered, or
 * undefined: HCL reads // as a comment (the other openers, # and /*, hold characters the manifest check refuses), so `env { V = {{x}} }` given 1// would hide the block's "}" and
 * move the lines after it into the block.
 */
export function hclBareValueProblem(name: string, value: string): string | undefined {
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

/** GitHub's files of workflow commands, which it reads line by line once the step ends. */
export const GITHUB_FILE = /^\$\{?GITHUB_(ENV|PATH|OUTPUT|STATE)\}?$/;

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
export const FLY_SECRETS_INPUT = 'the standard input of fly secrets import';

export function githubFileHeldMessage(name: string, file: string): string {
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
export function xargsUncheckedMessage(name: string, items: XargsItems): string {
  return `{{${name}}} reaches xargs, which makes what it reads an argument of ${programName(items.program)} where a value written in the command is checked once rendered in ways no check of what xargs reads can make (helm --set given "1,securityContext.privileged=true" sets another key): write the command without xargs, with the value in it`;
}

/** Why a variable holding more than fixed text and templates may not reach xargs. Pure. */
export function xargsHeldMessage(name: string, items: XargsItems): string {
  return `{{${name}}} reaches xargs, which makes what it reads arguments of ${programName(items.program)}: what it holds besides templates is not known, so no check can see whether it adds arguments or an option; set it from fixed text and templates alone, or pass the value as an argument`;
}

/** Why a value parallel cuts into columns (--colsep, -C) is refused. Pure. */
export function colsepMessage(name: string, items: XargsItems): string {
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

export function optionValueMessage(name: string, program: string): string {
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
