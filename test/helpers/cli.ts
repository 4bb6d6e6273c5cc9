// Runs the deploy-action CLI as a subprocess (source by default, or the built bundle) and collects output.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const CLI_SOURCE = `${repoRoot}src/cli/index.ts`;
export const CLI_BUNDLE = `${repoRoot}dist/cli/index.js`;

export interface CliRun {
  child: ChildProcess;
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
  /** Resolves when a stdout line satisfies `predicate`. */
  waitFor(predicate: (line: string) => boolean, timeoutMs?: number): Promise<string>;
}

export function startCli(
  args: string[],
  options: {
    env?: NodeJS.ProcessEnv;
    cwd?: string;
    entry?: string;
    /** A program (and its arguments) node runs under, e.g. setpriv. */
    prefix?: string[];
  } = {},
): CliRun {
  const argv = [process.execPath, options.entry ?? CLI_SOURCE, ...args];
  const [program, ...programArgs] = [...(options.prefix ?? []), ...argv] as [string, ...string[]];
  const child = spawn(program, programArgs, {
    cwd: options.cwd ?? repoRoot,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiters: Array<{ predicate: (l: string) => boolean; resolve: (l: string) => void }> = [];
  let partial = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk;
    partial += chunk;
    const lines = partial.split('\n');
    partial = lines.pop()!;
    for (const line of lines) {
      for (const w of [...waiters]) {
        if (w.predicate(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : null), stdout, stderr })),
  );
  return {
    child,
    done,
    waitFor(predicate, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`timed out waiting for output; got:\n${stdout}\n${stderr}`)),
          timeoutMs,
        );
        waiters.push({
          predicate,
          resolve: (l) => {
            clearTimeout(timer);
            resolve(l);
          },
        });
      });
    },
  };
}

export async function runCli(args: string[], options: Parameters<typeof startCli>[1] = {}) {
  return startCli(args, options).done;
}

/** Parses --json output: one event per line. */
export function events(stdout: string): Array<Record<string, unknown> & { type: string }> {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l));
}
