// Parses the first line of a pull-request comment into a Command. Hostile input is refused, never repaired:
// look-alike characters are not normalised into a valid command, shell syntax is not interpreted, and every
// value that reaches a handler has matched a strict pattern. Tokenising is shell-quote's, option parsing is
// node:util parseArgs (strict); what is hand-written here is only the policy on top.
import {
  PARAMETER_NAME,
  parameterValueProblem,
  VERSION_RULE,
  VERSION_RULE_TEXT,
} from '../../src/github/deployment-payload.ts';
import { ENVIRONMENT_NAME, STRATEGY_NAMES, TEMPLATE_VARIABLES } from '../../src/config/schema.ts';
import type { StrategyName } from '../../src/config/schema.ts';
import { parseArgs } from 'node:util';
import { distance } from 'fastest-levenshtein';
import { parse as shellParse } from 'shell-quote';
import { userText } from '../../src/github/user-text.ts';
import { parseDuration } from '../../src/config/duration.ts';
import { MAX_SINCE_MS } from '../../src/metrics/window.ts';
import type {
  Command,
  CommandKind,
  DeployWhen,
  LockTarget,
  ParseError,
  ParseErrorCode,
  ParseResult,
} from './command.ts';
import { localToInstant } from '../../src/schedule/time.ts';
import type { LocalTime } from '../../src/schedule/time.ts';
import { readsAsOption } from '../../src/util/option-like.ts';

/** Longest first line accepted as a command; a longer one is refused before any tokenising. */
export const MAX_COMMAND_LINE = 1000;
export const MAX_REASON_LENGTH = 500;
export const MAX_PARAM_VALUE_LENGTH = 256;
export const MAX_PARAMS = 32;
/** GitHub's own limit for an environment name. */
export const MAX_ENVIRONMENT_LENGTH = 255;

export const COMMIT_SHA = /^[0-9a-fA-F]{7,40}$/;

export const COMMAND_NAMES: readonly CommandKind[] = [
  'deploy',
  'approve-deploy',
  'reject-deploy',
  'rollback',
  'lock',
  'unlock',
  'promote',
  'pause',
  'resume',
  'abort',
  'status',
  'cancel-deploy',
  'help',
];

// Characters that render like '/' (or vanish) in front of a command word.
const SLASH_LOOKALIKES = new Set(['\uFF0F', '\u2044', '\u2215', '\u29F8', '\u2571', '\u27CB', '\u3033']);
// Invisible or format characters (zero-width, bidi overrides, BOM...) and every space that is not U+0020.
const INVISIBLE = /[\p{Cf}\u00A0\u1680\u2000-\u200A\u202F\u205F\u3000]/u;
// Control, private-use, unassigned, lone surrogates and line/paragraph separators. A tab between words is
// allowed as a space (GitHub's editor and pasted text put them there); one inside a word or quoted value is
// refused after tokenising (tokenize), so no value carries a tab.
const CONTROL = /[\p{Cc}\p{Co}\p{Cn}\p{Cs}\p{Zl}\p{Zp}]/u;
const NON_ASCII = /[^\x20-\x7E]/u;

type OptionSpec = Record<string, { type: 'string' | 'boolean' }>;

const OPTIONS: Record<CommandKind, OptionSpec> = {
  deploy: {
    strategy: { type: 'string' },
    'dry-run': { type: 'boolean' },
    hotfix: { type: 'boolean' },
    reason: { type: 'string' },
    queue: { type: 'boolean' },
  },
  'approve-deploy': {},
  'reject-deploy': {},
  rollback: {},
  lock: { global: { type: 'boolean' }, reason: { type: 'string' } },
  unlock: { global: { type: 'boolean' }, force: { type: 'boolean' } },
  promote: { full: { type: 'boolean' } },
  pause: {},
  resume: {},
  abort: { reason: { type: 'string' } },
  status: { history: { type: 'boolean' }, since: { type: 'string' } },
  'cancel-deploy': {},
  help: {},
};

class Refusal extends Error {
  readonly code: ParseErrorCode;
  constructor(code: ParseErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

const refuse = (code: ParseErrorCode, message: string): never => {
  throw new Refusal(code, message);
};

/**
 * User text shown back in a reply: short, as code when it is a plain word, else escaped (userText). An empty
 * value (`--strategy=`, `version=`) is shown as `""`, so the reply does not read "/deploy:  is not a strategy".
 */
export function showInput(text: string, max = 40): string {
  if (text === '') return '`""` (empty)';
  return userText(text, { as: 'code', max: max + 1 });
}

function codePoint(ch: string): string {
  return `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Index (1-based column) and code point of the first character matching `pattern`. */
function firstMatch(text: string, pattern: RegExp): string | undefined {
  const m = pattern.exec(text);
  if (!m) return undefined;
  const column = [...text.slice(0, m.index)].length + 1;
  return `${codePoint(m[0])} at column ${column}`;
}

function lookalike(where: string, text: string): never {
  const found = firstMatch(text, NON_ASCII) ?? firstMatch(text, INVISIBLE) ?? 'a non-ASCII character';
  return refuse(
    'lookalike_characters',
    `${where} contains ${found}, which is not a plain ASCII character; type the command in plain ASCII ` +
      `(look-alike or invisible characters are never accepted).`,
  );
}

function requireAscii(where: string, text: string): void {
  if (NON_ASCII.test(text)) lookalike(where, text);
}

/**
 * Parses a comment body. Only the first line is read: a command must start it (after up to three spaces),
 * so quoted text (`> /deploy`), code (fenced, or indented by four spaces or a tab) or a command further
 * down is conversation, not a command.
 */
export function parseCommand(body: string): ParseResult {
  if (typeof body !== 'string') return { kind: 'none' };
  // Only look at a bounded prefix, so a megabyte comment costs no more than a short one.
  const head = body.slice(0, MAX_COMMAND_LINE + 2);
  const newline = head.search(/\r?\n|\r/);
  const firstLine = newline >= 0 ? head.slice(0, newline) : head;
  const lineTooLong = newline < 0 && body.length > MAX_COMMAND_LINE;

  const indent = /^[ \t]*/.exec(firstLine)![0];
  // Four columns of indentation (a tab reaches the next multiple of four) make the line an indented code
  // block in GitHub's Markdown: shown as code, like a fenced block or a quote, so it is not a command.
  if (indentColumns(indent) >= 4) return { kind: 'none' };
  const trimmed = firstLine.slice(indent.length);
  const leadingInvisible = /^[\p{Cf}\p{Zs}]*/u.exec(trimmed)![0];
  const afterInvisible = trimmed.slice(leadingInvisible.length);
  const first = afterInvisible.charAt(0);
  const slashLike = first !== '/' && (SLASH_LOOKALIKES.has(first) || first.normalize('NFKC') === '/');
  if (first !== '/' && !slashLike) return { kind: 'none' };

  let command: CommandKind | undefined;
  try {
    if (leadingInvisible) lookalike('the start of the comment', trimmed);
    if (slashLike) lookalike('the command', afterInvisible);
    const word = /^\/(\S*)/u.exec(afterInvisible)![1]!;
    if (!word) return { kind: 'none' };
    if (NON_ASCII.test(word) || INVISIBLE.test(word)) lookalike('the command', `/${word}`);
    command = COMMAND_NAMES.find((name) => name === word);
    if (!command) return unknownCommand(word);
    if (lineTooLong || firstLine.length > MAX_COMMAND_LINE) {
      refuse('too_long', `/${command}: the command line is longer than ${MAX_COMMAND_LINE} characters.`);
    }
    const rest = afterInvisible.slice(1 + word.length);
    if (INVISIBLE.test(rest)) lookalike(`/${command}`, rest);
    // Tabs as spaces (one for one, so a column named stays right); tokenize refuses one inside a value.
    const untabbed = rest.replace(/\t/g, ' ');
    if (CONTROL.test(untabbed)) {
      refuse(
        'control_characters',
        `/${command} contains the control character ${firstMatch(untabbed, CONTROL)}.`,
      );
    }
    return buildCommand(command, tokenize(command, rest));
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    const refusal: ParseError = { kind: 'invalid', code: error.code, message: error.message };
    if (command) refusal.command = command;
    return refusal;
  }
}

/** The column a run of spaces and tabs reaches, as CommonMark counts it (tab stops every 4 columns). */
function indentColumns(indent: string): number {
  let column = 0;
  for (const ch of indent) column = ch === '\t' ? column + 4 - (column % 4) : column + 1;
  return column;
}

/** An ASCII word that is close to a command is a typo worth answering; anything else (/cc, /etc/x) is chat. */
function unknownCommand(word: string): ParseResult {
  if (!/^[A-Za-z][A-Za-z-]*$/.test(word)) return { kind: 'none' };
  const lower = word.toLowerCase();
  let best: CommandKind | undefined;
  let bestDistance = Infinity;
  for (const name of COMMAND_NAMES) {
    const prefix = lower.startsWith(name) || (lower.length >= 4 && name.startsWith(lower));
    const d = prefix ? 0 : distance(lower, name);
    if (d < bestDistance) [best, bestDistance] = [name, d];
  }
  if (!best || bestDistance > 2) return { kind: 'none' };
  return {
    kind: 'invalid',
    code: 'unknown_command',
    message: `${showInput(`/${word}`)} is not a command; did you mean \`/${best}\`?`,
  };
}

interface Tokens {
  args: string[];
  /** Tokens after the single `|` separator of /deploy, or undefined when there is none. */
  params?: string[];
}

function describeOperator(token: object): string {
  if ('comment' in token) return 'a `#` comment';
  const op = (token as { op: string; name?: string; pattern?: string }).op;
  if (op === '$') return 'a `$` expansion';
  if (op === 'glob') return `the glob ${showInput((token as { pattern: string }).pattern)}`;
  return showInput(op);
}

function tokenize(command: CommandKind, text: string): Tokens {
  checkQuotes(command, text);
  // The env callback turns `$NAME` into a token object, so no expansion ever happens and it is refused below.
  const raw = shellParse(text, (name) => ({ op: '$', name }) as unknown as string);
  const out: Tokens = { args: [] };
  for (const token of raw) {
    if (typeof token === 'string') {
      if (token.includes('\t')) {
        refuse(
          'control_characters',
          `/${command}: ${showInput(token)} contains a tab (U+0009); a tab may only separate words, not be part of one.`,
        );
      }
      if (/`|\$[({]/.test(token)) {
        refuse(
          'shell_metacharacters',
          `/${command}: command substitution (\`\`, $( ), \${ }) is not allowed.`,
        );
      }
      (out.params ?? out.args).push(token);
      continue;
    }
    if ('op' in token && token.op === '|' && !out.params) {
      if (command !== 'deploy') {
        refuse('params_not_allowed', `/${command} takes no \`| key=value\` parameters; only /deploy does.`);
      }
      out.params = [];
      continue;
    }
    refuse(
      'shell_metacharacters',
      `/${command}: ${describeOperator(token)} is shell syntax, which commands do not accept ` +
        `(only one \`|\` before /deploy parameters is allowed; quote text that contains such characters).`,
    );
  }
  return out;
}

/** shell-quote silently closes an unterminated quote; a command with one is refused instead. */
function checkQuotes(command: CommandKind, text: string): void {
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\\' && quote !== "'") i++;
    else if (quote && ch === quote) quote = undefined;
    else if (!quote && (ch === '"' || ch === "'")) quote = ch;
  }
  if (quote) refuse('unbalanced_quotes', `/${command}: a ${quote} quote is opened and never closed.`);
}

interface Parsed {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/**
 * The word after an option that takes a value is that value unless it reads as an option, as the CLI reads it:
 * written `--reason=…`, so parseArgs (which takes any word starting with "-" for an option) reads
 * `--reason "-5% conversion"` as the reason, and the checks below that are for options only (ASCII, a phone's
 * dash) see the option's name, not free text such as `-5% für Kunden` or `— see INC-7`.
 */
function joinValues(spec: OptionSpec, args: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const next = args[i + 1];
    const option = arg.startsWith('--') ? spec[arg.slice(2)] : undefined;
    if (option?.type === 'string' && next !== undefined && !readsAsOption(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

function parseOptions(command: CommandKind, args: string[]): Parsed {
  const spec = OPTIONS[command];
  const known = Object.keys(spec).map((o) => `--${o}`);
  args = joinValues(spec, args);
  for (const arg of args) {
    // Phones turn `--` into an em or en dash; say so rather than treating it as an environment name.
    if (/^[\u2012-\u2015\u2212\uFE58\uFE63\uFF0D]/.test(arg)) lookalike(`/${command} ${showInput(arg)}`, arg);
    if (arg.startsWith('-')) requireAscii(`the option ${showInput(arg)}`, arg.split('=')[0]!);
  }
  let result;
  try {
    result = parseArgs({
      args,
      options: spec,
      strict: true,
      allowPositionals: true,
      tokens: true,
    });
  } catch (error) {
    const { code, message } = error as { code?: string; message: string };
    const option = /'(-[^' ]*)/.exec(message)?.[1] ?? '';
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const name = option.replace(/=.*$/, '');
      const near = known.find((k) => distance(k, name) <= 3);
      const accepted = known.length ? `it accepts ${known.join(', ')}` : 'it takes no options';
      refuse(
        'unknown_option',
        `/${command} has no option ${showInput(name)}${near ? ` (did you mean ${near}?)` : ''}; ${accepted}.`,
      );
    }
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      if (/does not take an argument/.test(message)) {
        refuse('invalid_option_value', `/${command}: ${option} is a flag and takes no value.`);
      }
      refuse('missing_option_value', `/${command}: ${option} needs a value, e.g. ${option} "..." .`);
    }
    throw error;
  }
  const seen = new Set<string>();
  for (const token of result.tokens ?? []) {
    if (token.kind !== 'option') continue;
    // A value that reads as an option (a dash alone after it, `--reason=--force`): refused as a value left out,
    // as the CLI refuses it (src/cli/usage.ts).
    if (token.value !== undefined && readsAsOption(token.value))
      refuse(
        'missing_option_value',
        `/${command}: --${token.name} needs a value, e.g. --${token.name} "..." (${showInput(token.value)} reads as an option).`,
      );
    if (seen.has(token.name))
      refuse('duplicate_option', `/${command}: --${token.name} is given more than once.`);
    seen.add(token.name);
  }
  return { values: result.values as Parsed['values'], positionals: result.positionals };
}

function environmentName(command: CommandKind, value: string): string {
  requireAscii(`the environment name ${showInput(value)}`, value);
  if (!ENVIRONMENT_NAME.test(value) || value.length > MAX_ENVIRONMENT_LENGTH) {
    refuse(
      'invalid_environment_name',
      `/${command}: ${showInput(value)} is not a valid environment name (letters, digits, '.', '_' and '-', ` +
        `starting with a letter or digit, at most ${MAX_ENVIRONMENT_LENGTH} characters).`,
    );
  }
  return value;
}

function requiredEnvironment(command: CommandKind, positionals: string[], usage: string): string {
  const env = positionals[0];
  if (env === undefined) refuse('missing_environment', `/${command} needs an environment: \`${usage}\`.`);
  return environmentName(command, env!);
}

function noMore(command: CommandKind, positionals: string[], from: number, usage: string): void {
  const extra = positionals[from];
  if (extra !== undefined) {
    refuse('unexpected_argument', `/${command}: unexpected ${showInput(extra)}; usage: \`${usage}\`.`);
  }
}

function freeText(command: CommandKind, what: string, value: string, max: number): string {
  const text = value.trim();
  if (!text) refuse('invalid_reason', `/${command}: the ${what} is empty.`);
  if (text.length > max)
    refuse('invalid_reason', `/${command}: the ${what} is longer than ${max} characters.`);
  return text;
}

function parseParams(tokens: string[]): Record<string, string> {
  if (tokens.length > MAX_PARAMS) refuse('too_many_params', `/deploy: more than ${MAX_PARAMS} parameters.`);
  const params: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const token of tokens) {
    const eq = token.indexOf('=');
    if (eq < 0) refuse('invalid_param', `/deploy: parameter ${showInput(token)} is not key=value.`);
    const key = token.slice(0, eq);
    const value = token.slice(eq + 1);
    requireAscii(`the parameter name ${showInput(key)}`, key);
    // `__proto__` is refused once every parameter is read (below): a repeat of it is a duplicate first.
    if (key !== '__proto__' && !PARAMETER_NAME.test(key)) {
      refuse(
        'invalid_param',
        `/deploy: parameter name ${showInput(key)} must be lowercase letters, digits and '_' (not starting with a digit).`,
      );
    }
    // The name is shown as code: a valid name still makes emphasis (`_em_`, `__bold__`) written raw.
    if (Object.hasOwn(params, key))
      refuse('duplicate_param', `/deploy: parameter ${showInput(key)} is given twice.`);
    // The Action refuses them too (config/resolve.ts): said here, before a deployment is made to fail.
    if (key !== 'version' && (TEMPLATE_VARIABLES as readonly string[]).includes(key))
      refuse(
        'invalid_param',
        `/deploy: parameter ${key} names a built-in template variable ({{${key}}}), which a parameter may not set.`,
      );
    if (value.length > MAX_PARAM_VALUE_LENGTH) {
      refuse(
        'invalid_param',
        `/deploy: the value of ${showInput(key)} is longer than ${MAX_PARAM_VALUE_LENGTH} characters.`,
      );
    }
    // `version` becomes the deployment payload's version: the payload's own rule decides.
    if (key === 'version' && !VERSION_RULE.test(value))
      refuse('invalid_param', `/deploy: version ${showInput(value)}: ${VERSION_RULE_TEXT}.`);
    // The payload's rule for every value (e.g. no leading "-"), so a refused value never becomes a deployment.
    const problem = parameterValueProblem(value);
    if (problem)
      refuse('invalid_param', `/deploy: the value of ${showInput(key)} ${showInput(value)}: ${problem}.`);
    params[key] = value;
  }
  // A name JSON read back into an object drops (the payload, the pending request): it would vanish unsaid.
  if (Object.hasOwn(params, '__proto__'))
    refuse('invalid_param', '/deploy: parameter name `__proto__` is reserved; use another name.');
  return { ...params };
}

const USAGE: Record<CommandKind, string> = {
  deploy:
    '/deploy <environment> [at YYYY-MM-DD HH:MM [Area/City] | --queue] [--strategy direct|rolling|blue-green|canary] [--dry-run] [--hotfix --reason "..."] [| key=value ...]',
  'approve-deploy': '/approve-deploy [environment]',
  'reject-deploy': '/reject-deploy [environment] [reason]',
  rollback: '/rollback <environment> [to <sha>]',
  lock: '/lock <environment>|--global [--reason "..."]',
  unlock: '/unlock <environment>|--global [--force]',
  promote: '/promote <environment> [--full]',
  pause: '/pause <environment>',
  resume: '/resume <environment>',
  abort: '/abort <environment> [reason] (or --reason "...")',
  status: '/status [environment] [--history [--since 90d]]',
  'cancel-deploy': '/cancel-deploy [environment]',
  help: '/help',
};

export function usage(command: CommandKind): string {
  return USAGE[command];
}

function lockTarget(command: 'lock' | 'unlock', global: boolean, positionals: string[]): LockTarget {
  const use = USAGE[command];
  if (global) {
    if (positionals.length) {
      refuse('conflicting_target', `/${command}: give either an environment or --global, not both.`);
    }
    return { scope: 'global' };
  }
  const environment = requiredEnvironment(command, positionals, use);
  noMore(command, positionals, 1, use);
  return { scope: 'environment', environment };
}

function buildCommand(command: CommandKind, tokens: Tokens): Command {
  if (tokens.params && command !== 'deploy') {
    refuse('params_not_allowed', `/${command} takes no parameters.`);
  }
  const { values, positionals } = parseOptions(command, tokens.args);
  const use = USAGE[command];
  switch (command) {
    case 'deploy': {
      const environment = requiredEnvironment(command, positionals, use);
      const when = deployWhen(positionals.slice(1), values.queue === true, use);
      const out: Command = { kind: 'deploy', environment, dryRun: values['dry-run'] === true, params: {} };
      if (when) {
        // A schedule or a queue place is a request kept for later; a dry run keeps nothing, and a hotfix
        // (which cannot wait) is not scheduled.
        if (out.dryRun) refuse('conflicting_schedule', `/deploy: --dry-run cannot be ${whenText(when)}.`);
        if (values.hotfix === true && when.kind === 'at')
          refuse(
            'conflicting_schedule',
            '/deploy: a --hotfix is not scheduled; deploy it now, or without --hotfix.',
          );
        out.when = when;
      }
      if (values.strategy !== undefined) out.strategy = strategy(String(values.strategy));
      if (values.hotfix === true) {
        if (values.reason === undefined) {
          refuse('hotfix_reason_required', '/deploy --hotfix needs --reason "why this cannot wait".');
        }
        out.hotfix = { reason: freeText(command, 'hotfix reason', String(values.reason), MAX_REASON_LENGTH) };
      } else if (values.reason !== undefined) {
        refuse('reason_without_hotfix', '/deploy takes --reason only together with --hotfix.');
      }
      if (tokens.params) out.params = parseParams(tokens.params);
      return out;
    }
    case 'approve-deploy': {
      noMore(command, positionals, 1, use);
      return positionals[0] === undefined
        ? { kind: command }
        : { kind: command, environment: environmentName(command, positionals[0]) };
    }
    case 'reject-deploy': {
      const out: Command = { kind: command };
      if (positionals[0] !== undefined) out.environment = environmentName(command, positionals[0]);
      if (positionals.length > 1) {
        out.reason = freeText(command, 'reason', positionals.slice(1).join(' '), MAX_REASON_LENGTH);
      }
      return out;
    }
    case 'rollback': {
      const environment = requiredEnvironment(command, positionals, use);
      if (positionals.length === 1) return { kind: command, environment };
      const [, keyword, sha] = positionals;
      requireAscii(`/rollback ${showInput(keyword!)}`, keyword!);
      if (keyword !== 'to')
        refuse(
          'unexpected_argument',
          `/rollback: expected \`to <sha>\` after the environment; usage: \`${use}\`.`,
        );
      if (sha === undefined) refuse('invalid_sha', '/rollback: `to` must be followed by a commit SHA.');
      requireAscii(`the commit SHA ${showInput(sha!)}`, sha!);
      if (!COMMIT_SHA.test(sha!)) {
        refuse(
          'invalid_sha',
          `/rollback: ${showInput(sha!)} is not a commit SHA (7 to 40 hexadecimal digits).`,
        );
      }
      noMore(command, positionals, 3, use);
      return { kind: command, environment, toSha: sha!.toLowerCase() };
    }
    case 'lock': {
      const target = lockTarget(command, values.global === true, positionals);
      const out: Command = { kind: command, target };
      if (values.reason !== undefined) {
        out.reason = freeText(command, 'reason', String(values.reason), MAX_REASON_LENGTH);
      }
      return out;
    }
    case 'unlock':
      return {
        kind: command,
        target: lockTarget(command, values.global === true, positionals),
        force: values.force === true,
      };
    case 'promote': {
      const environment = requiredEnvironment(command, positionals, use);
      noMore(command, positionals, 1, use);
      return { kind: command, environment, full: values.full === true };
    }
    case 'pause':
    case 'resume': {
      const environment = requiredEnvironment(command, positionals, use);
      noMore(command, positionals, 1, use);
      return { kind: command, environment };
    }
    case 'abort': {
      const environment = requiredEnvironment(command, positionals, use);
      const words = positionals.slice(1);
      if (words.length && values.reason !== undefined)
        refuse(
          'conflicting_reason',
          '/abort: give the reason either after the environment or with --reason, not both.',
        );
      const given = values.reason !== undefined ? String(values.reason) : words.join(' ');
      return words.length || values.reason !== undefined
        ? { kind: command, environment, reason: freeText(command, 'reason', given, MAX_REASON_LENGTH) }
        : { kind: command, environment };
    }
    case 'status': {
      noMore(command, positionals, 1, use);
      const out: Command =
        positionals[0] === undefined
          ? { kind: command }
          : { kind: command, environment: environmentName(command, positionals[0]) };
      if (values.since !== undefined && values.history !== true)
        refuse('invalid_option_value', '/status: --since goes with --history.');
      if (values.history === true)
        out.history = values.since === undefined ? {} : { since: historySince(String(values.since)) };
      return out;
    }
    case 'cancel-deploy': {
      noMore(command, positionals, 1, use);
      return positionals[0] === undefined
        ? { kind: command }
        : { kind: command, environment: environmentName(command, positionals[0]) };
    }
    case 'help':
      noMore(command, positionals, 0, use);
      return { kind: command };
  }
}

const whenText = (when: DeployWhen): string => (when.kind === 'at' ? 'scheduled' : 'queued');

/**
 * What follows `/deploy <environment>`: nothing (now), `at YYYY-MM-DD HH:MM [Area/City]`, or `--queue`. The
 * date, the time and a written zone are checked here (a real date, a 24-hour time, an IANA zone the platform
 * knows, a wall time the zone's clocks show: one shown twice is its first occurrence); whether it is in the future is the caller's, who
 * has the clock and the environment's default zone.
 */
function deployWhen(rest: string[], queue: boolean, use: string): DeployWhen | undefined {
  if (rest.length === 0) return queue ? { kind: 'queue' } : undefined;
  const [keyword, date, time, zone] = rest;
  requireAscii(`/deploy ${showInput(keyword!)}`, keyword!);
  if (keyword !== 'at')
    refuse('unexpected_argument', `/deploy: unexpected ${showInput(keyword!)}; usage: \`${use}\`.`);
  if (queue) refuse('conflicting_schedule', '/deploy: give either `at <time>` or --queue, not both.');
  if (date === undefined || time === undefined)
    refuse(
      'schedule_time_malformed',
      '/deploy: `at` must be followed by a date and a time: `at 2026-12-01 10:00 [Europe/Berlin]`.',
    );
  for (const part of [date!, time!, ...(zone === undefined ? [] : [zone])])
    requireAscii(`/deploy at ${showInput(part)}`, part);
  noMore('deploy', rest, 4, use);
  const local: LocalTime = { date: date!, time: time!, ...(zone !== undefined ? { zone } : {}) };
  // With a written zone the whole check is possible here; without one only the form (UTC has no DST).
  const checked = localToInstant(local, 'UTC');
  if (!checked.ok)
    refuse(
      checked.code,
      `/deploy at ${showInput(`${date} ${time}${zone ? ` ${zone}` : ''}`, 60)}: ${userText(checked.message)}.`,
    );
  return { kind: 'at', local };
}

/** /status --history --since: a duration back from now, at most two years (src/metrics/window.ts). */
function historySince(value: string): string {
  requireAscii(`the window ${showInput(value)}`, value);
  const ms = parseDuration(value);
  if (ms === undefined || ms <= 0 || ms > MAX_SINCE_MS)
    refuse(
      'invalid_option_value',
      `/status: --since ${showInput(value)} is not a window; give a duration such as 90d or 12h (at most 731d).`,
    );
  return value;
}

function strategy(value: string): StrategyName {
  const found = STRATEGY_NAMES.find((s) => s === value);
  if (!found) {
    requireAscii(`the strategy ${showInput(value)}`, value);
    refuse(
      'invalid_strategy',
      `/deploy: ${showInput(value)} is not a strategy; use one of ${STRATEGY_NAMES.join(', ')}.`,
    );
  }
  return found!;
}
