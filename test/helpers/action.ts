// Runs the BUILT action (dist/action/index.js) exactly as the runner does: inputs as INPUT_* variables, the
// event in GITHUB_EVENT_PATH, outputs in GITHUB_OUTPUT, the summary in GITHUB_STEP_SUMMARY, and the GitHub
// API at GITHUB_API_URL (the fake GitHub in these tests). Asynchronous, so a fake GitHub in the same
// process keeps answering.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './cli.ts';

export const ACTION_BUNDLE = join(repoRoot, 'dist/action/index.js');

export interface ActionRun {
  status: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
}

export async function runBuiltAction(opts: {
  dir: string;
  inputs: Record<string, string>;
  event?: { name: string; payload: unknown };
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** Called with the child process once started (to send it a signal). */
  onSpawn?: (pid: number) => void;
}): Promise<ActionRun> {
  const output = join(opts.dir, 'github_output');
  const summary = join(opts.dir, 'github_step_summary');
  const eventPath = join(opts.dir, 'event.json');
  writeFileSync(output, '');
  writeFileSync(summary, '');
  if (opts.event) writeFileSync(eventPath, JSON.stringify(opts.event.payload));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    GITHUB_ACTIONS: 'true',
    GITHUB_OUTPUT: output,
    GITHUB_STEP_SUMMARY: summary,
    GITHUB_WORKSPACE: opts.dir,
    RUNNER_TEMP: opts.dir,
    GITHUB_RUN_ID: '4242',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_SERVER_URL: 'https://github.example',
    ...(opts.event ? { GITHUB_EVENT_NAME: opts.event.name, GITHUB_EVENT_PATH: eventPath } : {}),
    ...opts.env,
  };
  for (const [name, value] of Object.entries(opts.inputs))
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  const child = spawn(process.execPath, [ACTION_BUNDLE], { cwd: opts.dir, env });
  if (child.pid) opts.onSpawn?.(child.pid);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
  const status = await new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  clearTimeout(timer);
  return {
    status,
    stdout,
    stderr,
    outputs: parseOutputs(readFileSync(output, 'utf8')),
    summary: existsSync(summary) ? readFileSync(summary, 'utf8') : '',
  };
}

export function parseOutputs(text: string): Record<string, string> {
  return Object.fromEntries(
    [...text.matchAll(/^([\w-]+)<<(\S+)\n([\s\S]*?)\n\2$/gm)].map((m) => [m[1]!, m[3]!]),
  );
}
