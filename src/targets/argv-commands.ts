// Templates in an argv command (run without a shell): the words some program runs as code or that choose what
// runs, checked at load, and the rendering with the checks made on the values once rendered.
import { commandModel } from './programs.ts';
import { shellCommandLine } from './command-line.ts';
import { withinBudget, TOO_COMPLEX_MESSAGE } from './budget.ts';
import { analyzeShellTemplate, argumentProblems, itemRoutes, itemRefusal } from './shell-reading.ts';
import { codeOperandMessage, chosenNames, chosenWordMessage, withoutOffsets } from './shell-messages.ts';
import { bashOnlyUnderSh, bashOnlyMessage, positionalFixed } from './inline-bodies.ts';
import { PLACEHOLDER, type TemplateValues, TemplateError } from './template.ts';
import { positionalHeld, argIndex, argumentMessage } from './inline-args.ts';
import {
  inStructuredKey,
  structuredKeyMessage,
  connectionVariableAt,
  connectionVariableMessage,
  extraVarsArgument,
  extraVarsFileMessage,
  extraVarsValueProblem,
} from './ansible-vars.ts';
import { jsonKeyMessage, jsonFieldMessage, jsonValueProblem, jsonFieldProblem } from './json-arguments.ts';
import {
  helmSetFileMessage,
  helmInKey,
  helmSetKeyMessage,
  helmKeyAt,
  helmSetValueProblem,
} from './helm-values.ts';
import { builtinFileAt, chosenWords } from './launchers.ts';
import { addFileWrites, remoteFileWrites } from './file-writes.ts';
import {
  fileClasses,
  fileChosenMessage,
  remoteFileReads,
  shellFileClasses,
  fileUnknownMessage,
  fileReadProblem,
} from './file-reads.ts';
import { remoteStdinProblems } from './stdin-routes.ts';
import {
  sshValueProblem,
  makeValueProblem,
  macroValueProblem,
  structuredValueProblem,
  sedValueProblem,
  argvOptionProblem,
  remotePathProblem,
  xargsItemProblem,
} from './rendered-values.ts';
import { renderShellScript } from './shell-render.ts';
import { versionValueProblem } from './package-installs.ts';
import { volumeNameProblem, userIdProblem, containerNameProblem } from './container-mounts.ts';
import { shorthandValueProblem } from './aws-shorthand.ts';

// ---- argv commands -----------------------------------------------------------------------------------------
// An argv command is run without a shell, but it may start one itself: `["bash", "-c", "deploy {{ref}}"]`, or
// `docker exec app sh -c "…"`, or hand a word to another interpreter (`python3 -c`, `su -c`, `awk '…'`; see
// programs.ts). A value written into such a word would be run as code (a branch named `$(curl …|sh)` is a
// valid ref). So that word is never given a value: when the command itself is a POSIX shell, the templates
// of its script become references to the DEPLOY_* variables as with `shell: true`; anywhere else a template
// there is refused, with the form that passes the value as an argument instead.

/** The line a built-in's file would run (launchers.ts' builtinFileAt), or undefined. Pure. */
function builtinFileLine(argv: readonly string[]): string | undefined {
  const at = builtinFileAt(argv);
  return at === undefined ? undefined : shellCommandLine(argv.slice(at));
}

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
  // parallel's items (parallel rm ::: {{x}}) and xargs' options (xargs -I {{x}} …), as in a shell: true script.
  for (const route of itemRoutes(argv, undefined))
    for (const match of (argv[route.index] ?? '').matchAll(PLACEHOLDER)) {
      const refusal =
        'items' in route ? itemRefusal(route.items, route.unchecked, route.reaches) : route.message;
      if (refusal) problems.push(refusal(match[1]!));
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
  const line = builtinFileLine(argv);
  const analysis = line === undefined ? undefined : analyzeShellTemplate(line);
  if (analysis && !analysis.ok)
    for (const problem of analysis.problems) {
      const message = withoutOffsets(problem.message);
      if (!problems.includes(message)) problems.push(message);
    }
  return problems;
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
  // An item parallel puts in its command (argvShellProblems refused the others): one argument there.
  for (const route of itemRoutes(argv, undefined))
    if ('items' in route)
      for (const [, name] of (argv[route.index] ?? '').matchAll(PLACEHOLDER)) {
        const value = values[name!];
        const problem = value === undefined ? undefined : xargsItemProblem(name!, value, route.items, values);
        if (problem) throw new TemplateError(problem);
      }
  // A built-in's file: the checks of its line once rendered too.
  const line = builtinFileLine(argv);
  if (line !== undefined)
    try {
      renderShellScript(line, values);
    } catch (error) {
      if (error instanceof TemplateError) throw new TemplateError(withoutOffsets(error.message));
      throw error;
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
