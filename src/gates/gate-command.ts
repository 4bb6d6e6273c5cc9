// Runs a gate's configured command (string or argv list) without a shell and says why it did not give an
// answer: not found, killed by the gate's timeout, or its exit code. Output is kept for the parser.
// It runs in a process group of its own: the gate's timeout or cancellation stops everything it started, and
// a process it left in the background holding its output does not keep the gate waiting
// (util/process-group.ts).
import type { CommandLine } from '../config/command-line-schema.ts';
import { splitCommand } from '../targets/command-line.ts';
import { OWN_GROUP, watchGroup } from '../util/process-group.ts';
import { commandEnv } from '../util/child-env.ts';
import { decodeOutput } from './report-file.ts';
import { commandStoppedWhy } from './gate-stop.ts';
import { redactSecrets } from './secret-rules.ts';
import { redactCredentials } from '../report/redact.ts';
import type { GateContext } from './types.ts';

export type GateCommandResult =
  | {
      ok: true;
      exitCode: number;
      stdout: string;
      stderr: string;
      /** stdout and stderr interleaved as printed. */
      output: string;
      display: string;
      durationMs: number;
    }
  | { ok: false; reason: string; output: string; display: string; durationMs: number };

/** The bytes of output (stdout, stderr, and both together) a gate command may print. */
export const MAX_GATE_OUTPUT = 256 * 1024 * 1024;

/**
 * A gate's command as logs and summaries show it, credentials redacted as in its output: a token written
 * into the config's command line (curl -H "Authorization: Bearer ...") was printed in full by the "running"
 * line, the gate's summary and its finding, while the output beside it was redacted.
 */
export function commandDisplay(command: CommandLine): string {
  return redactCredentials(Array.isArray(command) ? command.join(' ') : command);
}

/**
 * Runs `command` in the repository; `env` is added to the gate's environment. Never throws. A command that
 * prints more than `maxOutput` bytes is stopped with its whole group and fails: its output was cut.
 */
export async function runGateCommand(
  command: CommandLine,
  ctx: Pick<GateContext, 'cwd' | 'env' | 'signal'>,
  env: Record<string, string> = {},
  maxOutput = MAX_GATE_OUTPUT,
): Promise<GateCommandResult> {
  // Loaded on first use: execa's ~130 modules cost ~0.15 s of CPU at the start of every command that runs none.
  const { execa } = await import('execa');
  const started = performance.now();
  const display = commandDisplay(command);
  let argv: string[];
  if (Array.isArray(command)) argv = command;
  else {
    const split = splitCommand(command);
    if (!split.ok)
      return {
        ok: false,
        reason: `cannot run "${display}": ${split.message}`,
        output: '',
        display,
        durationMs: 0,
      };
    argv = split.argv;
  }
  const subprocess = execa(argv[0]!, argv.slice(1), {
    ...OWN_GROUP,
    cwd: ctx.cwd,
    // ctx.env without what the runner gives the action alone (its inputs, the runtime's token).
    env: commandEnv(env, ctx.env),
    extendEnv: false,
    all: true,
    reject: false,
    stdin: 'ignore',
    maxBuffer: maxOutput,
    // Bytes, decoded here: a tool on Windows (or behind PowerShell) prints UTF-16 with a byte order mark.
    encoding: 'buffer',
    // Its final newline is taken off the text, not the bytes: in UTF-16BE the newline is 00 0A, and taking
    // the 0A off left an odd byte that spoilt the last character.
    stripFinalNewline: false,
  });
  const group = watchGroup(subprocess, { signal: ctx.signal });
  // Past maxBuffer execa stops reading (it destroys the stream) but neither stops the command nor waits
  // less for it: it would run on, with what it started, and its exit code would stand on cut output.
  for (const stream of [subprocess.stdout, subprocess.stderr])
    stream?.once('close', () => {
      if (!stream.readableEnded) group.stop('output');
    });
  // maxBuffer bounds each stream alone; the interleaved output (`all`) is kept too and was not bounded: a
  // command printing just under the bound on both held 2 GB of memory for 500 MB printed. Both together
  // count against the one bound.
  let printed = 0;
  for (const stream of [subprocess.stdout, subprocess.stderr])
    stream?.on('data', (chunk: Uint8Array) => {
      printed += chunk.length;
      if (printed > maxOutput) group.stop('output');
    });
  const result = await subprocess;
  // A program that could not start never exits.
  group.release();
  const durationMs = performance.now() - started;
  const output = decodedText(result.all);
  const failed = (reason: string) => ({ ok: false as const, reason, output, display, durationMs });
  if ((result as { code?: string }).code === 'ENOENT') {
    return failed(`command "${argv[0]}" was not found (running "${display}" in ${ctx.cwd})`);
  }
  if (result.isMaxBuffer || group.stopped === 'output')
    return failed(`"${display}" printed more than ${maxOutput} bytes of output and was stopped`);
  if (group.stopped || ctx.signal.aborted)
    return failed(`"${display}" was stopped: ${commandStoppedWhy(group.stopped, ctx.signal)}`);
  if (result.exitCode === undefined) {
    const why = result.signal ? `killed by ${result.signal}` : result.shortMessage;
    return failed(`"${display}" did not finish: ${why}`);
  }
  return {
    ok: true,
    exitCode: result.exitCode,
    stdout: decodedText(result.stdout),
    stderr: decodedText(result.stderr),
    output,
    display,
    durationMs,
  };
}

/** A stream's bytes as text, without its final newline (as a shell's $(…) reads it). */
function decodedText(bytes: Uint8Array | undefined): string {
  return decodeOutput(bytes ?? new Uint8Array()).replace(/\r?\n$/, '');
}

/** Like runGateCommand, for a command that must succeed: a non-zero exit is a failure with its reason. */
export async function runRequiredCommand(
  command: CommandLine,
  ctx: Pick<GateContext, 'cwd' | 'env' | 'signal'>,
  env: Record<string, string> = {},
): Promise<GateCommandResult> {
  const result = await runGateCommand(command, ctx, env);
  if (!result.ok || result.exitCode === 0) return result;
  const { output, display, durationMs } = result;
  return {
    ok: false,
    reason: `"${display}" exited with code ${result.exitCode}`,
    output,
    display,
    durationMs,
  };
}

/** Characters kept of one output line: a command that prints a file on one line is not a finding's worth. */
const MAX_LINE = 1000;
// The end of a key block. When its BEGIN line is above the kept lines, nothing marks the body as a key.
const KEY_END = /-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----/;

/** The last lines of a command's output, secrets redacted: a finding a reader can act on, and may print. */
export function outputTail(text: string, lines = 15): string {
  const all = text.trimEnd().split(/\r?\n/);
  let kept = all.slice(-lines);
  const end = kept.findIndex((line) => KEY_END.test(line));
  if (end >= 0 && !kept.slice(0, end).some((line) => line.includes('-----BEGIN'))) {
    kept = ['(private key block redacted)', ...kept.slice(end + 1)];
  }
  // Redacted before lines are cut: a secret cut in half is no longer recognised.
  const tail = redactSecrets(kept.join('\n'))
    .split('\n')
    .map((line) => (line.length > MAX_LINE ? `${line.slice(0, MAX_LINE)}…` : line))
    .join('\n');
  return all.length > lines ? `… (${all.length - lines} earlier lines)\n${tail}` : tail;
}
