// `{{variable}}` templates in a `shell: true` command. A value is never written into the script: each
// template becomes a reference to the DEPLOY_* environment variable that holds it, written for the quoting
// context the template sits in ("${DEPLOY_VERSION}" bare, ${DEPLOY_VERSION} inside "…", '"${DEPLOY_VERSION}"'
// inside '…'). The shell expands a parameter exactly once and never parses its value as code, so even if this
// lexer misjudged a context the worst outcome is a wrongly split word, never a command run from a value.
// Contexts where the shell would evaluate or re-parse the expansion (`…`, ${…}, $((…)), quoted here-documents)
// or where the template's own quoting would be escaped are refused, with the offset and the safe form.
import { PLACEHOLDER, TemplateError, type TemplateValues } from './template.ts';

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
  | 'unterminated';

export interface TemplateSite {
  name: string;
  start: number;
  end: number;
  context: TemplateContext;
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
const OPERATOR_CHARS = ';&|<>()';
// Reserved words after which the next word is again a command (so `case`/`esac` there are keywords).
const KEEPS_COMMAND_POSITION = new Set(['then', 'do', 'else', 'elif', 'if', 'while', 'until', '!', '{', '}']);

type Frame =
  | { kind: 'script'; closer: ')' | undefined; parens: number; cases: number; commandPosition: boolean }
  | { kind: 'double' }
  | { kind: 'param'; braces: number }
  | { kind: 'arith'; closer: '))' | ']'; depth: number }
  | { kind: 'backtick' };

interface PendingHeredoc {
  delimiter: string;
  quoted: boolean;
  stripTabs: boolean;
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
  }
}

/** Finds every template in a shell script and the quoting context it sits in. */
export function analyzeShellTemplate(script: string): ShellTemplateAnalysis {
  const sites: TemplateSite[] = [];
  const problems: ShellTemplateProblem[] = [];
  const stack: Frame[] = [{ kind: 'script', closer: undefined, parens: 0, cases: 0, commandPosition: true }];
  let pending: PendingHeredoc[] = [];
  let inSingle = false;
  let inComment = false;
  let i = 0;

  const refuse = (reason: ShellTemplateRefusal, name: string, offset: number) =>
    problems.push({ reason, name, offset, message: refusalMessage(reason, name, offset) });
  const placeholderAt = (at: number) => {
    PLACEHOLDER_AT.lastIndex = at;
    return PLACEHOLDER_AT.exec(script);
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

  // A here-document body starts after the newline that ends its command; it ends at the delimiter line.
  const readHeredocBodies = () => {
    for (const doc of pending) {
      while (i < script.length) {
        const lineEnd = script.indexOf('\n', i) === -1 ? script.length : script.indexOf('\n', i);
        const line = script.slice(i, lineEnd);
        if ((doc.stripTabs ? line.replace(/^\t+/, '') : line) === doc.delimiter) {
          i = lineEnd + 1;
          break;
        }
        for (let at = i; at < lineEnd; at++) {
          const match = placeholderAt(at);
          if (!match || match.index >= lineEnd) continue;
          if (doc.quoted) refuse('quoted_heredoc', match[1]!, at);
          else if (script[at - 1] === '$') refuse('after_dollar', match[1]!, at);
          else if (script[at - 1] === '\\') refuse('after_backslash', match[1]!, at);
          // Substitutions in a body are not modelled: refuse rather than guess their quoting.
          else if (/\$\(|`/.test(script.slice(i, at))) refuse('heredoc_substitution', match[1]!, at);
          else record(match, 'heredoc');
          at += match[0].length - 1;
        }
        i = lineEnd + 1;
      }
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
    if (word) pending.push({ delimiter: word, quoted, stripTabs });
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
        stack.push({ kind: 'arith', closer: '))', depth: 0 });
        i += 3;
        continue;
      }
      if (script[i + 1] === '[') {
        // bash's old $[…] arithmetic
        stack.push({ kind: 'arith', closer: ']', depth: 0 });
        i += 2;
        continue;
      }
      if (script[i + 1] === '(') {
        stack.push({ kind: 'script', closer: ')', parens: 0, cases: 0, commandPosition: true });
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
        else if (frame.closer === ']') stack.pop();
        else if (script[i + 1] === ')') {
          stack.pop();
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
      frame.commandPosition = true;
      i++;
      if (pending.length) readHeredocBodies();
      continue;
    }
    if (c === '<' && script[i + 1] === '<') {
      if (script[i + 2] === '<')
        i += 3; // bash here-string, not a here-document
      else readHeredocOperator(frame);
      continue;
    }
    if (c === '(' && script[i + 1] === '(' && frame.commandPosition) {
      // bash's (( … )) arithmetic command: it evaluates expanded values as expressions, like $((…))
      stack.push({ kind: 'arith', closer: '))', depth: 0 });
      i += 2;
      continue;
    }
    if (c === '(') {
      frame.parens++;
      frame.commandPosition = true;
      i++;
      continue;
    }
    if (c === ')') {
      if (frame.parens > 0) frame.parens--;
      else if (frame.cases === 0 && frame.closer === ')') stack.pop();
      // else: the end of a case pattern
      frame.commandPosition = true;
      i++;
      continue;
    }
    if (';&|'.includes(c)) {
      frame.commandPosition = true;
      i++;
      continue;
    }
    if (/\s/.test(c) || '<>'.includes(c)) {
      i++;
      continue;
    }
    // A plain word: only its spelling matters here (case/esac and words that keep command position).
    const wordStart = i;
    while (i < script.length && /[^\s;&|<>()'"`$\\{]/.test(script[i]!)) i++;
    if (i === wordStart) i++;
    const word = script.slice(wordStart, i);
    const boundary = i >= script.length || /[\s;&|<>()]/.test(script[i]!);
    if (frame.commandPosition && boundary && word === 'case') frame.cases++;
    else if (frame.commandPosition && boundary && word === 'esac' && frame.cases > 0) frame.cases--;
    frame.commandPosition = frame.commandPosition && boundary && KEEPS_COMMAND_POSITION.has(word);
  }

  if ((stack.length > 1 || inSingle) && sites.length > 0) {
    const last = sites.at(-1)!;
    refuse('unterminated', last.name, last.start);
  }
  return problems.length ? { ok: false, sites, problems } : { ok: true, sites };
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
  for (const site of analysis.sites) {
    const value = values[site.name];
    if (value === undefined) throw new TemplateError(`{{${site.name}}} has no value here`);
    if (site.context === 'arithmetic' && !/^\d+$/.test(value))
      throw new TemplateError(`{{${site.name}}} is used inside $((…)) but its value is not a number`);
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

// ---- a shell in an argv command -----------------------------------------------------------------------------
// An argv command is run without a shell, but it may start one itself: `["bash", "-c", "deploy {{ref}}"]`, or
// `docker exec app sh -c "…"`. A value written into such a script would be run as code (a branch named
// `$(curl …|sh)` is a valid ref). So the script of a shell the command starts is never given a value: when the
// command itself is the shell, its templates become references to the DEPLOY_* variables as with
// `shell: true`; when another program starts the shell (docker, kubectl, ssh-less wrappers, sudo), the
// variables may not reach it, so a template there is refused, with the form that passes the value as an
// argument instead.

/** POSIX shells, which run their `-c` operand as code and read "${NAME}" as the variable's value. */
const SHELLS = new Set(['sh', 'bash', 'dash', 'zsh', 'ksh', 'mksh', 'ash', 'yash', 'posh']);
/** Other shells that run their `-c` operand as code, with a syntax of their own: no template there. */
const OTHER_SHELLS = new Set(['fish', 'csh', 'tcsh', 'pwsh', 'powershell']);

/**
 * In an argv (templates unrendered), a shell started with -c: its index and its script's, and whether it is
 * a POSIX shell, or undefined.
 */
export function shellScriptIn(
  argv: readonly string[],
): { shell: number; script: number; posix: boolean } | undefined {
  for (let i = 0; i < argv.length; i++) {
    const program = argv[i]!;
    const name = program.slice(program.lastIndexOf('/') + 1).replace(/\.exe$/i, '');
    const posix = SHELLS.has(name);
    if (!posix && !OTHER_SHELLS.has(name)) continue;
    let dashC = false;
    for (let j = i + 1; j < argv.length; j++) {
      const arg = argv[j]!;
      if (arg === '--') {
        if (dashC && j + 1 < argv.length) return { shell: i, script: j + 1, posix };
        break;
      }
      // Options that take the next argument: -o pipefail, -O extglob, bash's --rcfile/--init-file FILE.
      if (/^[-+][oO]$/.test(arg) || arg === '--rcfile' || arg === '--init-file') {
        j++;
        continue;
      }
      if (arg.startsWith('--')) continue;
      if (/^[-+][A-Za-z]+$/.test(arg)) {
        // pwsh: -c, -Command (and, taken as one too, any option with a c: refusing is the safe side).
        if (arg[0] === '-' && (posix ? arg.includes('c') : /c/i.test(arg))) dashC = true;
        continue;
      }
      if (dashC) return { shell: i, script: j, posix };
      break;
    }
  }
  return undefined;
}

/**
 * Why the templates of an argv command cannot be run as written, or []: a template in the script of a shell
 * that another program starts, or one the shell could not protect (as for `shell: true`). Pure.
 */
export function argvShellProblems(argv: readonly string[]): string[] {
  const found = shellScriptIn(argv);
  if (!found) return [];
  const script = argv[found.script]!;
  const names = [...script.matchAll(PLACEHOLDER)].map((m) => m[1]!);
  if (names.length === 0) return [];
  const shell = argv[found.shell]!;
  if (!found.posix)
    return [
      `{{${names[0]!}}} is inside the script of "${shell} -c", a shell whose quoting this tool does not write: a shell would run code in its value; pass the value as an argument of the script instead`,
    ];
  if (found.shell > 0) {
    const name = names[0]!;
    return [
      `{{${name}}} is inside the script of "${shell} -c", which ${argv[0]} starts: a shell would run code in its value, and the DEPLOY_* variables may not reach it; pass the value as an argument instead: ${shell} -c '… "$1" …' ${shell} {{${name}}}`,
    ];
  }
  const analysis = analyzeShellTemplate(script);
  return analysis.ok ? [] : analysis.problems.map((p) => `in the script of "${shell} -c": ${p.message}`);
}

/** ssh options that take the next argument (ssh(1)); the first other word is the destination. */
const SSH_OPTIONS_WITH_VALUE = new Set('BbcDEeFIiJLlmOopQRSWw'.split('').map((c) => `-${c}`));
/** Characters a remote shell reads literally in an unquoted word. */
const REMOTE_SAFE = /^[\w.,:/@%+=-]*$/;

/**
 * ssh joins the words after the destination into one line that the remote host's shell runs: a value there
 * is read by a shell, and no quoting written here is sure to match that shell. So a value that reaches it must
 * be one plain word; why one is refused, or undefined. Pure.
 */
export function sshValueProblem(argv: readonly string[], values: TemplateValues): string | undefined {
  const ssh = argv.findIndex((arg) => arg.slice(arg.lastIndexOf('/') + 1) === 'ssh');
  if (ssh < 0) return undefined;
  let destination = -1;
  for (let j = ssh + 1; j < argv.length; j++) {
    const arg = argv[j]!;
    if (arg === '--') {
      destination = j + 1;
      break;
    }
    if (SSH_OPTIONS_WITH_VALUE.has(arg)) j++;
    else if (!arg.startsWith('-')) {
      destination = j;
      break;
    }
  }
  if (destination < 0) return undefined;
  for (const arg of argv.slice(destination + 1))
    for (const [, name] of arg.matchAll(PLACEHOLDER)) {
      const value = values[name!];
      if (value === undefined || REMOTE_SAFE.test(value)) continue;
      const bad = [...value].find((c) => !REMOTE_SAFE.test(c))!;
      return `{{${name}}} is in the command ssh runs through the remote host's shell, and its value holds ${JSON.stringify(bad)}, which that shell would read: only letters, digits and _ . , : / @ % + = - may reach it (send other values on standard input, or with SendEnv)`;
    }
  return undefined;
}

/**
 * Renders an argv command: each element with its values, except the script of a shell the command itself is
 * (`bash -c "…"`), whose templates become DEPLOY_* references (`env`: what they read). Throws a TemplateError
 * for a template argvShellProblems refuses, or a variable with no value.
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
  const found = shellScriptIn(argv);
  let env: Record<string, string> = {};
  const rendered = argv.map((arg, index) => {
    if (found?.script !== index || found.shell !== 0) return renderOne(arg);
    const script = renderShellScript(arg, values);
    env = script.env;
    return script.script;
  });
  return { argv: rendered, env };
}
