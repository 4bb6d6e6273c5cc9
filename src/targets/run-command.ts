// Runs one configured command. Without `shell: true` the argv template is rendered element by element and
// handed to execa as program + arguments: no shell ever sees a templated value, so a version such as
// `v1$(touch /tmp/pwned)` arrives as that literal string. With `shell: true` the script never contains a
// value: each template becomes a quoted reference to the DEPLOY_* variable holding it (shell-script.ts).
// Values are exported as DEPLOY_* environment variables for every command, the safest way for scripts to
// read them.
//
// Each command runs in a process group of its own, stopped as one on timeout or cancellation, and is done
// once it exited even while a process it left in the background holds its output (util/process-group.ts).
import type { ResolvedCommand } from '../config/resolve.ts';
import { commandEnv } from '../util/child-env.ts';
import { OWN_GROUP, watchGroup } from '../util/process-group.ts';
import { stoppedPhrase } from '../util/internal-error-stop.ts';
import { processStopClause } from '../util/command-stop.ts';
import { shellCommandLine, shellQuote } from './command-line.ts';
import { envNameFor, renderArgvCommand, renderShellScript, type RenderedScript } from './shell-script.ts';
import { render, TemplateError, type TemplateValues } from './template.ts';
import { lookupTable } from './lookup-table.ts';
import { cutLineText, readBoundedLines } from './output-lines.ts';

export interface OutputLine {
  source: string;
  stream: 'stdout' | 'stderr';
  line: string;
}

export interface RunOptions {
  signal?: AbortSignal;
  onOutput?: (line: OutputLine) => void;
  /** Label for output lines, e.g. "deploy". */
  label?: string;
}

export interface CommandResult {
  exitCode: number;
  durationMs: number;
  /** What the command printed on stdout, up to MAX_KEPT_STDOUT characters (see stdoutCut). */
  stdout: string;
  /** The command printed more than MAX_KEPT_STDOUT characters on stdout: `stdout` holds only the start. */
  stdoutCut: boolean;
  /** The last line printed on stdout ('' if none). */
  lastStdoutLine: string;
  tail: string[];
}

/**
 * Stdout characters a command's result keeps. Only `current` reads it (a line or two); every line still goes
 * to onOutput. Without a bound a deploy script's verbose log was all kept in memory until the step ended.
 */
export const MAX_KEPT_STDOUT = 1024 * 1024;

/**
 * Characters of one output line kept (output-lines.ts): past it the line is cut, its rest only counted. A line
 * that long cannot be kept in `stdout` anyway (it is past MAX_KEPT_STDOUT), so what a result holds is as before.
 */
export const MAX_LINE_CHARS = MAX_KEPT_STDOUT + 1;

export class CommandFailed extends Error {
  readonly source: string;
  readonly exitCode: number | undefined;
  readonly tail: string[];
  readonly reasonCode: 'exit' | 'timeout' | 'cancelled' | 'spawn' | 'template';
  constructor(
    source: string,
    message: string,
    reasonCode: CommandFailed['reasonCode'],
    exitCode?: number,
    tail: string[] = [],
  ) {
    super(message);
    this.name = 'CommandFailed';
    this.source = source;
    this.reasonCode = reasonCode;
    this.exitCode = exitCode;
    this.tail = tail;
  }
}

const TAIL_LINES = 20;

/** Why a program could not start, by the system's error code. */
const SPAWN_FAILURES: Record<string, string> = lookupTable({
  ENOENT: 'program not found',
  EACCES: 'permission denied',
  E2BIG: 'its arguments and environment are longer than the system allows (E2BIG)',
});

export function envFor(values: TemplateValues): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) {
    if (value !== undefined) env[envNameFor(key)] = value;
  }
  return env;
}

function templated<T>(command: ResolvedCommand, fill: () => T): T {
  try {
    return fill();
  } catch (error) {
    if (error instanceof TemplateError)
      throw new CommandFailed(command.source, `${command.source}: ${error.message}`, 'template');
    throw error;
  }
}

/** An argv command's program and arguments, and the variables a shell it is reads (see renderArgvCommand). */
export function renderArgv(
  command: ResolvedCommand,
  values: TemplateValues,
): { argv: string[]; env: Record<string, string> } {
  return templated(command, () => renderArgvCommand(command.argv, values, (arg) => render(arg, values)));
}

export function renderScript(command: ResolvedCommand, values: TemplateValues): RenderedScript {
  return templated(command, () => renderShellScript(command.script, values));
}

/**
 * The shell a `shell: true` script runs in: bash, whose grammar the analysis reads (shell-script.ts,
 * shell-flow.ts). Not /bin/sh: on Debian and Ubuntu that is dash, which reads `[[ a || b ]]`, aliases,
 * `declare`, `&>` and `$'…'` otherwise, so a script checked as bash would run another way (in dash,
 * `[[ -z "{{x}}" || … ]]` runs the value as a program). bash as found on PATH, as a workflow's `run:` finds it.
 */
export const SCRIPT_SHELL = 'bash';

/**
 * The command as a POSIX shell line that does exactly what running it does, for plans and logs: an argv
 * command one quoted word per argument; a shell command as `bash -c` with the variables its script reads.
 */
export function describeCommand(command: ResolvedCommand, values: TemplateValues): string {
  const script = command.shell ? renderScript(command, values) : undefined;
  const { argv, env } = script
    ? { argv: [SCRIPT_SHELL, '-c', script.script], env: script.env }
    : renderArgv(command, values);
  const assignments = Object.entries(env).map(([name, value]) => `${name}=${shellQuote(value)}`);
  return [...assignments, shellCommandLine(argv)].join(' ');
}

export async function runCommand(
  command: ResolvedCommand,
  values: TemplateValues,
  options: RunOptions = {},
): Promise<CommandResult> {
  const label = options.label ?? command.source;
  // Every value is exported (DEPLOY_*), and no program can be given a NUL: said here, naming the variable,
  // rather than as the system's refusal quoting the value, or a TypeError taken for an internal error.
  const nul = Object.entries(values).find(([, value]) => value?.includes('\0'));
  if (nul)
    throw new CommandFailed(
      command.source,
      `${command.source}: the value of {{${nul[0]}}} holds a NUL character, which no program can be given (as an argument or in its environment)`,
      'template',
    );
  let file: string;
  let args: string[];
  let scriptEnv: Record<string, string> = {};
  if (command.shell) {
    const rendered = renderScript(command, values);
    file = SCRIPT_SHELL;
    args = ['-c', rendered.script];
    scriptEnv = rendered.env;
  } else {
    const rendered = renderArgv(command, values);
    [file, ...args] = rendered.argv as [string, ...string[]];
    scriptEnv = rendered.env;
  }

  // Loaded on first use: execa's ~130 modules cost ~0.15 s of CPU at the start of every command that runs none.
  const { execa } = await import('execa');
  const started = performance.now();
  const tail: string[] = [];
  const stdoutLines: string[] = [];
  let stdoutKept = 0;
  let stdoutCut = false;
  let lastStdoutLine = '';
  const subprocess = execa(file, args, {
    cwd: command.cwd,
    // The script's references win: they are what its templates were turned into. Not what the runner gives
    // the action alone (its inputs, the runtime's token): util/child-env.ts.
    env: commandEnv({ ...command.env, ...envFor(values), ...scriptEnv }),
    extendEnv: false,
    stdin: 'ignore',
    // A process group of its own, stopped as one (see the top of this file).
    ...OWN_GROUP,
    reject: false,
    buffer: false,
  });
  const group = watchGroup(subprocess, { timeoutMs: command.timeoutMs, signal: options.signal });
  const collect = (stream: NodeJS.ReadableStream | null, name: 'stdout' | 'stderr') =>
    !stream
      ? Promise.resolve()
      : readBoundedLines(stream, MAX_LINE_CHARS, (read) => {
          const line = cutLineText(read);
          tail.push(line);
          if (tail.length > TAIL_LINES) tail.shift();
          if (name === 'stdout') lastStdoutLine = line;
          if (name === 'stdout' && !stdoutCut) {
            stdoutKept += read.text.length + read.dropped + 1;
            if (stdoutKept > MAX_KEPT_STDOUT + 1) stdoutCut = true;
            else stdoutLines.push(line);
          }
          options.onOutput?.({ source: label, stream: name, line });
        });
  const [result] = await Promise.all([
    subprocess,
    collect(subprocess.stdout, 'stdout'),
    collect(subprocess.stderr, 'stderr'),
  ]);
  // A program that could not start never exits.
  group.release();
  const stopped = group.stopped;
  const durationMs = performance.now() - started;
  const program = command.shell ? `${SCRIPT_SHELL} -c …` : file;

  if (stopped === 'timeout') {
    throw new CommandFailed(
      command.source,
      `${command.source} (${program}) timed out after ${Math.round(command.timeoutMs / 1000)}s`,
      'timeout',
      undefined,
      tail,
    );
  }
  // The process's stop of every command (the cancel deadline's, the crash deadline's).
  const processStop = processStopClause(stopped);
  if (processStop !== undefined) {
    throw new CommandFailed(
      command.source,
      `${command.source} (${program}) was stopped unfinished: ${processStop}`,
      'cancelled',
      undefined,
      tail,
    );
  }
  if (stopped === 'cancelled') {
    throw new CommandFailed(
      command.source,
      `${command.source} (${program}) was ${stoppedPhrase(options.signal)}`,
      'cancelled',
      undefined,
      tail,
    );
  }
  // Killed by a signal from elsewhere (the OOM killer, someone's kill): it ran; reported below.
  if (result.failed && result.exitCode === undefined && !result.signal) {
    const cause = (result.cause as NodeJS.ErrnoException | undefined)?.code;
    // execa's own message quotes the whole command line, which may be huge: cut short.
    const other = result.shortMessage ?? 'could not start';
    const why =
      command.shell && cause === 'ENOENT'
        ? `a shell: true script runs with ${SCRIPT_SHELL}, the shell its checks read, and ${SCRIPT_SHELL} is not on this machine's PATH: install it, or write the command as an argv list`
        : (SPAWN_FAILURES[cause ?? ''] ?? (other.length > 300 ? `${other.slice(0, 299)}…` : other));
    throw new CommandFailed(
      command.source,
      `${command.source}: cannot run "${program}": ${why}`,
      'spawn',
      undefined,
      tail,
    );
  }
  if (result.exitCode !== 0) {
    const ended = result.signal ? `was killed by ${result.signal}` : `exited with code ${result.exitCode}`;
    // The last line a failing command printed usually says why; keep it short.
    const last = tail.at(-1)?.trim();
    const why = last ? `: ${last.length > 200 ? `${last.slice(0, 199)}…` : last}` : '';
    throw new CommandFailed(
      command.source,
      `${command.source} (${program}) ${ended}${why}`,
      'exit',
      result.exitCode,
      tail,
    );
  }
  return { exitCode: 0, durationMs, stdout: stdoutLines.join('\n'), stdoutCut, lastStdoutLine, tail };
}
