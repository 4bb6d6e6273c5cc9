// Runs a gate's configured command (string or argv list) without a shell and says why it did not give an
// answer: not found, killed by the gate's timeout, or its exit code. Output is kept for the parser.
import { execa } from 'execa';
import { splitCommand } from '../targets/command-line.ts';
import type { GateContext } from './types.ts';

export type GateCommandResult =
  | { ok: true; exitCode: number; stdout: string; stderr: string; display: string }
  | { ok: false; reason: string; display: string };

export async function runGateCommand(
  command: string | string[],
  ctx: Pick<GateContext, 'cwd' | 'env' | 'signal'>,
): Promise<GateCommandResult> {
  const display = Array.isArray(command) ? command.join(' ') : command;
  let argv: string[];
  if (Array.isArray(command)) argv = command;
  else {
    const split = splitCommand(command);
    if (!split.ok) return { ok: false, reason: `cannot run "${display}": ${split.message}`, display };
    argv = split.argv;
  }
  const result = await execa(argv[0]!, argv.slice(1), {
    cwd: ctx.cwd,
    env: ctx.env,
    extendEnv: false,
    reject: false,
    stdin: 'ignore',
    maxBuffer: 256 * 1024 * 1024,
    cancelSignal: ctx.signal,
  });
  const code = (result as { code?: string }).code;
  if (code === 'ENOENT') {
    return {
      ok: false,
      reason: `command "${argv[0]}" was not found (running "${display}" in ${ctx.cwd})`,
      display,
    };
  }
  if (result.isCanceled || ctx.signal.aborted)
    return { ok: false, reason: `"${display}" was stopped`, display };
  if (result.exitCode === undefined) {
    const why = result.signal ? `killed by ${result.signal}` : result.shortMessage;
    return { ok: false, reason: `"${display}" did not finish: ${why}`, display };
  }
  return {
    ok: true,
    exitCode: result.exitCode,
    stdout: String(result.stdout),
    stderr: String(result.stderr),
    display,
  };
}

/** The last lines of a command's output, for a finding when it failed. */
export function outputTail(text: string, lines = 15): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}
