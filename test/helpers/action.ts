// Runs the BUILT action (dist/action/index.js) exactly as the runner does: inputs as INPUT_* variables, the
// event in GITHUB_EVENT_PATH, outputs in GITHUB_OUTPUT, the summary in GITHUB_STEP_SUMMARY, and the GitHub
// API at GITHUB_API_URL (the fake GitHub in these tests). Asynchronous, so a fake GitHub in the same
// process keeps answering.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Octokit } from '@octokit/rest';
import { createFakeGitHub, fakeSha, webhookPayload, type FakeGitHub } from '../fake-github/index.ts';
import { repoRoot } from './cli.ts';

export const ACTION_BUNDLE = join(repoRoot, 'dist/action/index.js');

/**
 * A fake GitHub whose `token` is the runner's (github-actions[bot]), holding acme/shop with pull request #7
 * (head `pr-head`, by alice), and a temporary directory for the run: both gone after the test.
 */
export async function actionOnPullRequest(
  t: { after(fn: () => unknown): void },
  dirPrefix: string,
  token: string,
): Promise<{ fake: FakeGitHub; dir: string; head: string }> {
  const fake = await createFakeGitHub({ tokens: { [token]: 'github-actions[bot]' } });
  const dir = mkdtempSync(join(tmpdir(), dirPrefix));
  t.after(async () => {
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const head = fakeSha('pr-head');
  fake.seedRepo({ owner: 'acme', repo: 'shop', pulls: [{ number: 7, head, user: 'alice' }] });
  return { fake, dir, head };
}

export interface ActionRun {
  status: number | null;
  /** The signal that ended the process, when one did (SIGKILL: it did not exit by itself in time). */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  /** Each stdout line with when it arrived (performance.now() of the test process). */
  lines: Array<{ at: number; text: string }>;
  /** When the process ended, on the same clock as `lines`. */
  exitedAt: number;
}

/** The event the runner hands the action: its name and the webhook payload in GITHUB_EVENT_PATH. */
export interface ActionEvent {
  name: string;
  payload: unknown;
}

export interface ActionOptions {
  dir: string;
  inputs: Record<string, string>;
  event?: ActionEvent;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** Run this entry instead of the bundle (e.g. src/action/index.ts: a test of the sources, no build needed). */
  entry?: string;
}

export interface StartedAction {
  child: ChildProcess;
  /** True once the process has exited. */
  exited(): boolean;
  done: Promise<ActionRun>;
}

/** A deployment as GitHub returns it: the fields its `deployment` webhook carries. */
export interface DeploymentFields {
  id: number;
  sha: string;
  ref: string;
  task: string;
  environment: string;
  payload: unknown;
  production_environment: boolean;
}

/** The `deployment` event (action `created`) for `deployment`, as the runner hands it to the action. */
export function deploymentEvent(
  deployment: DeploymentFields,
  repo: { owner: string; repo: string; baseUrl: string },
): ActionEvent {
  const { id, sha, ref, task, environment, payload, production_environment } = deployment;
  return {
    name: 'deployment',
    payload: webhookPayload(
      'deployment',
      'created',
      {
        deployment: {
          id,
          sha,
          ref,
          task,
          environment,
          payload: payload as Record<string, unknown>,
          production_environment,
        },
      },
      repo,
    ),
  };
}

/**
 * Creates on the fake GitHub, with `token`, the deployment the App creates once a PR is approved (no
 * required contexts, no auto-merge), and returns it with the `deployment` event the action then receives.
 */
export async function createAppDeployment(
  fake: FakeGitHub,
  opts: {
    token: string;
    owner: string;
    repo: string;
    ref: string;
    environment?: string;
    payload: Record<string, unknown>;
  },
): Promise<{ deployment: DeploymentFields; event: ActionEvent }> {
  const app = new Octokit({ auth: opts.token, baseUrl: fake.url });
  const created = await app.rest.repos.createDeployment({
    owner: opts.owner,
    repo: opts.repo,
    ref: opts.ref,
    environment: opts.environment ?? 'production',
    required_contexts: [],
    auto_merge: false,
    payload: opts.payload,
  });
  const deployment = created.data as DeploymentFields;
  return {
    deployment,
    event: deploymentEvent(deployment, { owner: opts.owner, repo: opts.repo, baseUrl: fake.url }),
  };
}

/**
 * A `pull_request` event (GitHub's `synchronize` example) of pull request 7 in acme/shop, its head at `head`: the
 * event a workflow's deploy of a pull request runs under.
 */
export function pullRequestSynchronize(head: string): ActionEvent {
  return {
    name: 'pull_request',
    payload: webhookPayload(
      'pull_request',
      'synchronize',
      { number: 7, pull_request: { number: 7, head: { sha: head } } },
      { owner: 'acme', repo: 'shop' },
    ),
  };
}

/** What the runner sets about GitHub: its API, the repository, the checked-out commit and the actor. */
export function runnerGitHubEnv(apiUrl: string, owner: string, repo: string): NodeJS.ProcessEnv {
  return {
    GITHUB_API_URL: apiUrl,
    GITHUB_REPOSITORY: `${owner}/${repo}`,
    GITHUB_SHA: fakeSha('workflow-checkout'),
    GITHUB_ACTOR: 'alice',
  };
}

export async function runBuiltAction(opts: ActionOptions): Promise<ActionRun> {
  return startBuiltAction(opts).done;
}

/** Starts the built action; `done` resolves once it has exited, with its outputs. */
export function startBuiltAction(opts: ActionOptions): StartedAction {
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
    // The test run's compile cache (npm test sets it), for the action and every node it starts (the demo's
    // ctl, some eight a run): compiling the bundle and stripping ctl's types again each time was about a
    // sixth of an action test's CPU. It changes no behaviour; a test's own env may still set or clear it.
    ...(process.env.NODE_COMPILE_CACHE ? { NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE } : {}),
    ...opts.env,
  };
  for (const [name, value] of Object.entries(opts.inputs))
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  const child = spawn(process.execPath, [opts.entry ?? ACTION_BUNDLE], { cwd: opts.dir, env });
  let stdout = '';
  let stderr = '';
  const lines: ActionRun['lines'] = [];
  let partial = '';
  child.stdout.on('data', (d) => {
    stdout += d;
    const at = performance.now();
    const parts = (partial + String(d)).split('\n');
    partial = parts.pop()!;
    for (const text of parts) lines.push({ at, text });
  });
  child.stderr.on('data', (d) => (stderr += d));
  let exited = false;
  child.on('exit', () => (exited = true));
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
  const done = new Promise<ActionRun>((resolve) =>
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      const exitedAt = performance.now();
      if (partial) lines.push({ at: exitedAt, text: partial });
      resolve({
        status,
        signal,
        stdout,
        stderr,
        outputs: parseOutputs(readFileSync(output, 'utf8')),
        summary: existsSync(summary) ? readFileSync(summary, 'utf8') : '',
        lines,
        exitedAt,
      });
    }),
  );
  return { child, exited: () => exited, done };
}

/** When the runner cancels a job: SIGINT, SIGTERM 7.5 s later, SIGKILL 2.5 s after that. */
export const RUNNER_CANCEL_SEQUENCE: ReadonlyArray<{ signal: NodeJS.Signals; afterMs: number }> = [
  { signal: 'SIGINT', afterMs: 0 },
  { signal: 'SIGTERM', afterMs: 7500 },
  { signal: 'SIGKILL', afterMs: 2500 },
];

/**
 * Cancels a started action the way the runner cancels a job: each signal of `sequence` after its delay,
 * only while the process is still alive. Resolves once it has exited, with the signals that were sent and
 * how long after the first one it exited.
 */
export async function cancelLikeRunner(
  action: Pick<StartedAction, 'child' | 'exited'>,
  sequence = RUNNER_CANCEL_SEQUENCE,
): Promise<{ sent: NodeJS.Signals[]; exitedAfterMs: number }> {
  const sent: NodeJS.Signals[] = [];
  const exit = new Promise<void>((resolve) => {
    if (action.exited()) resolve();
    else action.child.once('exit', () => resolve());
  });
  const started = performance.now();
  for (const { signal, afterMs } of sequence) {
    let timer: NodeJS.Timeout | undefined;
    const exitedFirst = await Promise.race([
      exit.then(() => true),
      new Promise<boolean>((r) => (timer = setTimeout(() => r(false), afterMs))),
    ]);
    clearTimeout(timer);
    if (exitedFirst || action.exited() || !stillRunning(action.child.pid)) break;
    action.child.kill(signal);
    sent.push(signal);
  }
  await exit;
  return { sent, exitedAfterMs: Math.round(performance.now() - started) };
}

/**
 * Whether the process still runs, as the kernel says (Linux /proc: gone, or a zombie nobody reaped yet, has
 * exited). On a busy machine this test process may run the timer for the next signal before the child's exit
 * event it already got: the runner, which looks at the process itself, would send nothing more.
 */
function stillRunning(pid: number | undefined): boolean {
  if (pid === undefined || !existsSync('/proc/self/stat')) return true;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

export function parseOutputs(text: string): Record<string, string> {
  return Object.fromEntries(
    [...text.matchAll(/^([\w-]+)<<(\S+)\n([\s\S]*?)\n\2$/gm)].map((m) => [m[1]!, m[3]!]),
  );
}
