// The gates' own git calls (the files changed since the base, the files of the tree), run like every other
// command: in a process group of their own, stopped as one on cancellation (util/process-group.ts). A git
// that hangs (a huge repository, an fsmonitor, a credential helper or ssh asking for a password) does not go
// on after the gate is over; GIT_TERMINAL_PROMPT=0 makes git fail instead of asking a terminal.
import type { Result } from 'execa';
import { commandEnv } from '../util/child-env.ts';
import { OWN_GROUP, watchGroup } from '../util/process-group.ts';
import { processStopClause } from '../util/command-stop.ts';
import { stoppedPhrase } from '../util/internal-error-stop.ts';

/** What a gate's git call printed (512 MiB: a file list or a diff of a huge repository). */
const MAX_GIT_OUTPUT = 512 * 1024 * 1024;

export interface GitResult {
  /** Undefined when git did not finish: it could not start, was stopped, or printed too much. */
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
  /** Why git did not finish, or its first line of stderr when it failed. */
  why: string;
}

/** Runs `git args` in `cwd`; never throws. `stripFinalNewline: false` keeps a diff's last line intact. */
export async function runGit(
  args: string[],
  options: { cwd: string; signal?: AbortSignal | undefined; stripFinalNewline?: boolean },
): Promise<GitResult> {
  // Loaded on first use: execa's ~130 modules cost ~0.15 s of CPU at the start of every command that runs none.
  const { execa } = await import('execa');
  const subprocess = execa('git', args, {
    ...OWN_GROUP,
    cwd: options.cwd,
    env: commandEnv({ GIT_TERMINAL_PROMPT: '0' }),
    extendEnv: false,
    reject: false,
    stdin: 'ignore',
    stripFinalNewline: options.stripFinalNewline ?? true,
    maxBuffer: MAX_GIT_OUTPUT,
  });
  const group = watchGroup(subprocess, { signal: options.signal });
  for (const stream of [subprocess.stdout, subprocess.stderr])
    stream?.once('close', () => {
      if (!stream.readableEnded) group.stop('output');
    });
  const result: Result = await subprocess;
  // A program that could not start never exits.
  group.release();
  const stdout = String(result.stdout ?? '');
  const stderr = String(result.stderr ?? '');
  // Stopped: said by which stop it was (as every command says it), not by the "killed with SIGTERM" it got.
  const processStop = processStopClause(group.stopped);
  const why =
    processStop !== undefined
      ? processStop
      : group.stopped === 'cancelled'
        ? stoppedPhrase(options.signal)
        : result.isMaxBuffer || group.stopped === 'output'
          ? `printed more than ${MAX_GIT_OUTPUT} characters`
          : (stderr.trim().split('\n')[0] ?? '') || clip(result.shortMessage ?? '');
  return { exitCode: group.stopped || result.isMaxBuffer ? undefined : result.exitCode, stdout, stderr, why };
}

function clip(text: string): string {
  return text.length > 300 ? `${text.slice(0, 299)}…` : text;
}
