// Child processes for end-to-end tests: spawn, wait for a "ready" line, and always stop them, both when the
// test ends (pass or fail) and, as a last resort, when the test process exits.
import { spawn, type ChildProcess } from 'node:child_process';

/** The part of node:test's TestContext (or SuiteContext hooks) used for cleanup. */
export interface CleanupScope {
  after(fn: () => unknown): void;
}

export interface StartOptions {
  command: string;
  args?: string[];
  /** Ready once stdout+stderr match this, or once this probe (polled every 50 ms) resolves true. */
  ready: RegExp | (() => Promise<boolean>);
  /** How long to wait for `ready` before failing (default 10 s). */
  readyTimeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Shown in errors (default: the command's file name). */
  name?: string;
}

export interface StartedProcess {
  readonly pid: number;
  readonly name: string;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Exit code (or the signal's name) once the process has exited. */
  readonly exited: Promise<number | string>;
  /** SIGTERM, then SIGKILL after `timeoutMs` (default 5 s). Idempotent. */
  stop(timeoutMs?: number): Promise<number | string>;
}

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** Absolute path of the node binary running the tests (Node 24), for starting .ts scripts. */
export const NODE = process.execPath;

export async function startProcess(scope: CleanupScope, options: StartOptions): Promise<StartedProcess> {
  const name = options.name ?? options.command.split('/').pop() ?? options.command;
  const child = spawn(options.command, options.args ?? [], {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  let output = '';
  const exited = new Promise<number | string>((resolve) => {
    child.on('exit', (code, signal) => {
      live.delete(child);
      resolve(code ?? signal ?? 'unknown');
    });
    child.on('error', (err) => {
      live.delete(child);
      output += `\n[spawn error] ${err.message}`;
      resolve(`spawn error: ${err.message}`);
    });
  });

  let stopping: Promise<number | string> | undefined;
  const stop = (timeoutMs = 5000): Promise<number | string> => {
    stopping ??= (async () => {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const result = await exited;
      clearTimeout(timer);
      return result;
    })();
    return stopping;
  };
  scope.after(() => stop());

  await new Promise<void>((resolve, reject) => {
    const timeoutMs = options.readyTimeoutMs ?? 10_000;
    let settled = false;
    const done = (err?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve();
    };
    const timer = setTimeout(
      () =>
        done(
          new Error(
            `${name} was not ready (${options.ready instanceof RegExp ? options.ready : 'readiness probe'}) within ${timeoutMs} ms. Output:\n${output}`,
          ),
        ),
      timeoutMs,
    );
    const ready = options.ready;
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (ready instanceof RegExp && ready.test(output)) done();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) =>
      done(new Error(`${name} exited (${code}) before it was ready. Output:\n${output}`)),
    );
    if (typeof ready === 'function') {
      void (async () => {
        while (!settled) {
          if (await ready().catch(() => false)) done();
          else await new Promise((r) => setTimeout(r, 50));
        }
      })();
    }
  });

  return { pid: child.pid!, name, output: () => output, exited, stop };
}
