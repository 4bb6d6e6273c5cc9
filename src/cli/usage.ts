// What main.ts needs while it parses a command line, before any command runs: the option parsers, the
// limits its help text states and the usage errors its catch tells apart. Each command's own module
// (analyze.ts, reconcile.ts, control.ts, state-key.ts, ...) loads with import() when that command runs, so
// `deploy-action validate` compiles none of them (issue 16); they re-export these for their own callers.
import { statSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';
import { InvalidArgumentError, type CommanderError } from 'commander';
import { ANALYZE_EXIT_CODES } from '../analysis/exit-codes.ts';
import { invisibleNameProblem } from '../config/invisible.ts';
import { parseIsoInstant } from '../schedule/iso-time.ts';
import { readsAsOption } from '../util/option-like.ts';

/** A command-line error in `analyze` (commander already printed it): exits with the bad-input code. */
export class AnalyzeUsageError extends Error {
  readonly exitCode = ANALYZE_EXIT_CODES['bad-input'];
}

/** commander's exitOverride for `analyze`: help stays exit 0, a usage error becomes AnalyzeUsageError. */
export function analyzeExitOverride(error: CommanderError): never {
  if (error.exitCode === 0) throw error;
  throw new AnalyzeUsageError(error.message);
}

/**
 * `--at <time>`: an ISO 8601 time later than now. Reconcile then tears down what will be due by then: a slot
 * retired on purpose ahead of its delay, or a rehearsal of what the scheduled run will do. An earlier time
 * is refused: it could only hide what is due now.
 */
export function parseReconcileTime(value: string, now: Date = new Date()): Date {
  // A real date and an explicit offset: Date alone reads 30 February as March and a bare time in the
  // machine's zone (src/schedule/iso-time.ts).
  const at = parseIsoInstant(value);
  if (!at)
    throw new InvalidArgumentError(
      `"${value}" is not a real ISO 8601 time with an offset (Z, +HH:MM or +HHMM), such as 2026-12-01T10:00:00Z`,
    );
  if (at.getTime() < now.getTime())
    throw new InvalidArgumentError(`${at.toISOString()} is in the past; --at only looks ahead`);
  return at;
}

/**
 * Why an option's value is refused whatever the option: empty, reading as an option, or a short option's
 * "=" taken as part of it. commander takes the word after an option as its value even when it is another
 * option (`-e --json`, `--base --output=FILE`), which would then be read as a name, a path or a git argument
 * instead of failing.
 */
function valueProblem(value: string, text = false): string | undefined {
  if (value.trim() === '') return 'it is empty';
  if (readsAsOption(value))
    return `"${value}" starts with "-": it reads as an option, which an option's value never is (was the value left out?)`;
  // commander reads `-e=production` as the value "=production", looked up as a name or opened as a file. Free
  // text (abort --reason, which has no short form) may start with "=".
  if (!text && value.startsWith('='))
    return `"${value}" starts with "=": a short option takes its value after a space or attached (for example -e production or -eproduction); "=" goes with the long form only (--environment=production)`;
  return undefined;
}

/**
 * commander's parser for an option that takes one value: refuses an empty value, one that looks like an
 * option, and the option given a second time (the last would silently win: `abort -e staging ... -e
 * production`). `parse` checks the value further. Make one per option and command line: it remembers.
 * `text`: the value is free text, which may start with "=" ("== hotfix ==").
 */
export function oneValue<T = string>(
  parse: (value: string) => T = (value) => value as T,
  { text = false }: { text?: boolean } = {},
): (value: string) => T {
  let given = false;
  return (value) => {
    if (given) throw new InvalidArgumentError('the option is given more than once; give it once.');
    given = true;
    const problem = valueProblem(value, text);
    if (problem) throw new InvalidArgumentError(`${problem}.`);
    return parse(value);
  };
}

/** What stat's errors mean for a path on the command line. */
const STAT_PROBLEMS: Record<string, string> = {
  ELOOP: 'a loop of symbolic links',
  ENAMETOOLONG: 'a name in it is too long',
  EACCES: 'a directory on the way may not be searched',
};

/**
 * What is at `path`, or undefined when nothing is. stat's other failures (a symbolic link loop, a name too
 * long, a directory that may not be searched) are the value's problem, said as such: thrown from an option's
 * parser they were an internal error, exit 1 with a stack, for a path the user gave.
 */
function pathInfo(path: string, value: string): Stats | undefined {
  try {
    return statSync(path, { throwIfNoEntry: false });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'an error';
    const at = path === value ? '' : ` at ${JSON.stringify(path)}`;
    throw new InvalidArgumentError(
      `"${value}" cannot be used: looking it up failed${at} (${code}${code in STAT_PROBLEMS ? `: ${STAT_PROBLEMS[code]}` : ''}).`,
    );
  }
}

/**
 * `--state-dir`: a directory, made when missing. A file there was read through as a directory (every record
 * "cannot be read (ENOTDIR)", a run failing with exit 1 and the advice to move the record file away).
 */
export function existingDirectoryOrNone(value: string): string {
  const info = pathInfo(value, value);
  if (info && !info.isDirectory())
    throw new InvalidArgumentError(
      `"${value}" is a file, not a directory: the state directory is a directory (made when missing).`,
    );
  // Under a file ("deploy.yml/state"): no directory can be made there; stat says only that it is not there.
  if (!info)
    for (let at = dirname(value); at !== dirname(at); at = dirname(at)) {
      const parent = pathInfo(at, value);
      if (parent?.isDirectory()) break;
      if (parent)
        throw new InvalidArgumentError(
          `"${value}" is under ${JSON.stringify(at)}, a file: the state directory is a directory (made when missing), which cannot be made there.`,
        );
    }
  return value;
}

/**
 * `run --record`: a file that can be made there, checked before the run starts. The recording is written while
 * the analysis runs: a directory named, or one that does not exist, was found out only then.
 */
export function recordingFile(value: string): string {
  const info = pathInfo(value, value);
  if (info?.isDirectory())
    throw new InvalidArgumentError(`"${value}" is a directory: name the file to write the recording to.`);
  const dir = dirname(value);
  const parent = pathInfo(dir, value);
  if (!parent?.isDirectory())
    throw new InvalidArgumentError(
      `"${value}" cannot be written: ${JSON.stringify(dir)} ${parent ? 'is not a directory' : 'does not exist'}.`,
    );
  return value;
}

/** `alerts --interval`: a duration ("30s", "1m") of at least a second, in milliseconds. */
export function parseInterval(value: string): number {
  // Whole units only, as Prometheus writes them; the config's duration parser is not loaded at start.
  const m = /^(\d{1,9})(ms|s|m|h)$/.exec(value);
  const ms = m
    ? Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h']
    : 0;
  if (ms < 1000)
    throw new InvalidArgumentError(
      `"${value}" is not a duration of at least 1s written as a whole number and one unit (ms, s, m, h), such as 30s or 1m.`,
    );
  return ms;
}

/** `--sha`: a commit as git names it, 7 to 64 hex digits (the rule a control request's commit follows). */
export function parseSha(value: string): string {
  if (!/^[0-9a-f]{7,64}$/i.test(value))
    throw new InvalidArgumentError(`"${value}" is not a commit SHA (7 to 64 hex digits).`);
  return value.toLowerCase();
}

/** commander's collector for `-e`: repeatable, and each value may be a comma list (of non-empty names). */
export function collectEnvironments(value: string, previous: string[] | undefined): string[] {
  const names = value.split(',').map((name) => name.trim());
  const problem = names.map((name) => valueProblem(name)).find(Boolean);
  if (problem) throw new InvalidArgumentError(`an environment name in "${value}" is refused: ${problem}.`);
  return [...(previous ?? []), ...names.map(visibleName('environment name'))];
}

/**
 * A parser for an option's value that names something the user may have copied from a job summary (an
 * environment, a gate): one holding an invisible character (config/invisible.ts) is refused with which,
 * where and what it reads without it, not looked up as another name. Each of a comma list is checked.
 */
export function visibleName(what: string): (value: string) => string {
  return (value) => {
    for (const name of value.split(',')) {
      const problem = invisibleNameProblem(name.trim(), what);
      if (problem) throw new InvalidArgumentError(`${problem}.`);
    }
    return value;
  };
}

/** The longest /abort reason a request carries (src/control/request.ts). */
export const MAX_REASON = 500;

/** A bad `state-key` command line (state-key.ts): printed as an error, exit 2. */
export class StateKeyUsageError extends Error {}
