// A crash while a canary takes traffic, in the BUILT CLI (dist/cli/index.js) and the BUILT action
// (dist/action/index.js): an uncaught exception thrown from a timer (asynchronous, outside every try of the
// product) once the canary's first weight is set. The product has no hook for it: a preload given in
// NODE_OPTIONS (--import) watches the target's call log and throws. The run must be stopped as a cancellation
// would be (traffic back on the stable version, the record without the rollout), say the internal error with
// its message, a secret in it masked, and exit 1: not 0, not a signal's 130/143. Before, the process exited
// at once with the canary live.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_BUNDLE, events, startCli } from '../helpers/cli.ts';
import { pullRequestSynchronize, runBuiltAction, startBuiltAction } from '../helpers/action.ts';
import { fakeSha } from '../fake-github/index.ts';
import { recordedTarget } from '../helpers/recorded-target.ts';
import { running } from '../helpers/process-tree.ts';
import type { PipelineResult } from '../../src/pipeline/events.ts';

/** A config secret (a webhook's signing secret, `secret_env`): the CLI masks it, the action registers it. */
const SECRET = 'crash-test-signing-secret-0123456789';
const CANARY_CALL = 'set_weight green 10';

/**
 * The preload: in the deploy-action process only (not a command it starts), once the canary's first weight is
 * set, throws from a timer, the secret in the message. Set, not only begun: the call is logged as its command
 * starts, and a crash then lands, on a busy machine, before the step has ended (the step then reads "stopped by
 * an internal error"). The step has ended once the log shows a later command (the analysis window's first
 * health check): the run starts none before (an "end" line, LOG_END's, is written by the command itself,
 * before the run has seen it exit).
 */
const PRELOAD = `import { existsSync, readFileSync } from 'node:fs';
const log = process.env.CRASH_CALL_LOG;
if (log && /index\\.js$/.test(process.argv[1] ?? '')) {
  const watch = setInterval(() => {
    if (!existsSync(log)) return;
    const calls = readFileSync(log, 'utf8').split('\\n').slice(0, -1).map((line) => JSON.parse(line))
      .filter(({ action }) => action !== 'end')
      .map(({ action, args }) => [action, ...args].join(' '));
    const at = calls.indexOf(process.env.CRASH_ON_CALL);
    if (at < 0 || at === calls.length - 1) return;
    clearInterval(watch);
    setTimeout(() => {
      throw new Error('simulated crash: the signing secret ' + process.env.CRASH_HOOK_SECRET + ' was in hand');
    }, 0);
  }, 20);
  watch.unref();
}
`;

function setup(t: { after(fn: () => void): void }) {
  const dir = mkdtempSync(join(tmpdir(), 'crash-rollback-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const target = recordedTarget(dir);
  const preload = join(dir, 'crash.mjs');
  writeFileSync(preload, PRELOAD);
  writeFileSync(
    join(dir, 'deploy.yml'),
    `preset: fast
${target.targetYaml}notifications:
  channels:
    audit: { type: webhook, url_env: CRASH_HOOK_URL, secret_env: CRASH_HOOK_SECRET }
environments:
  production:
    strategy: { type: canary, steps: [10, 50, 100], pause: 2s }
`,
  );
  const env = {
    NODE_OPTIONS: `--import ${preload}`,
    CRASH_CALL_LOG: target.log,
    CRASH_ON_CALL: CANARY_CALL,
    // Nothing listens there: the notifications fail, in the background, and say so.
    CRASH_HOOK_URL: 'http://127.0.0.1:9/hook',
    CRASH_HOOK_SECRET: SECRET,
    CURRENT: JSON.stringify({ slot: 'blue', version: 'v1' }),
  };
  return { dir, target, env };
}

/**
 * The command `call` (its pid in `pidLog`, written by the recorder's PID_LOG) is no longer running, and did not
 * run to its end: it was stopped, with its SIGTERM.
 */
function assertStopped(pidLog: string, call: string, target: ReturnType<typeof recordedTarget>) {
  const pids = readFileSync(pidLog, 'utf8')
    .split('\n')
    .filter((line) => line.endsWith(` ${call}`))
    .map((line) => Number(line.split(' ', 1)[0]));
  assert.ok(pids.length > 0, `${call} never ran`);
  for (const pid of pids) assert.equal(running(pid), false, `${call} (pid ${pid}) still runs after the exit`);
  const calls = target.calls();
  assert.ok(!calls.includes(`end ${call}`), `${call} ran to its end`);
  // Stopped as a timeout or the cancel deadline stops it, SIGTERM first (the recorder then takes 300 ms to log
  // and exit), before the exit: not only the exit's SIGKILL, which gave it no chance to stop cleanly.
  assert.ok(
    calls.includes(`end ${call} terminated`),
    `${call} was not given its SIGTERM: ${calls.join(', ')}`,
  );
}

/** The calls that moved traffic: the canary's weight went up, then back to 0. */
function assertBackOnStable(target: ReturnType<typeof recordedTarget>) {
  const calls = target.actingCalls();
  assert.ok(calls.includes(CANARY_CALL), calls.join('\n'));
  assert.ok(
    !calls.includes('set_weight green 50'),
    `the canary went on after the crash: ${calls.join(', ')}`,
  );
  assert.equal(
    calls.filter((c) => c.startsWith('set_weight')).at(-1),
    'set_weight green 0',
    `traffic back on stable: ${calls.join(', ')}`,
  );
}

test('the CLI crashing while the canary takes traffic: rolled back, the internal error said (its secret masked), exit 1', async (t) => {
  const { dir, target, env } = setup(t);
  const stateDir = join(dir, 'state');
  const run = startCli(
    ['run', '-e', 'production', '-v', 'v2', '-c', 'deploy.yml', '--state-dir', stateDir, '--json'],
    { entry: CLI_BUNDLE, cwd: dir, env },
  );
  t.after(() => void (run.child.exitCode === null && run.child.kill('SIGKILL')));
  const { code, stdout, stderr } = await run.done;
  const all = stdout + stderr;
  assert.equal(code, 1, all);
  assertBackOnStable(target);
  assert.match(
    stderr,
    /deploy-action: internal error: Error: simulated crash: the signing secret \*\*\* was in hand/,
  );
  assert.match(stderr, /stopping the run after this internal error/);
  assert.ok(!all.includes(SECRET), `the secret was printed:\n${all}`);
  const result = events(stdout).at(-1);
  assert.equal(result?.type, 'result', all);
  const outcome = result!.result as { status: string; code: string; message: string; exitCode: number };
  assert.equal(outcome.status, 'rolled_back', outcome.message);
  assert.equal(outcome.code, 'internal_error');
  assert.match(
    outcome.message,
    /^internal error: Error: simulated crash: the signing secret \*\*\* was in hand; the run was stopped and rolled back \(traffic on stable\)/,
  );
  assert.doesNotMatch(outcome.message, /the job was cancelled/);
  // Nothing the run said calls it cancelled: its phase, a step or window it cut short, the rollback's why.
  assert.doesNotMatch(stdout, /cancel/i, stdout);
  // The record: no rollout left, its last entry says how the run ended, without the secret.
  const recordText = readFileSync(join(stateDir, 'records', 'production.json'), 'utf8');
  assert.ok(!recordText.includes(SECRET), 'the secret is in the record');
  const record = JSON.parse(recordText) as {
    rollout?: unknown;
    history: Array<{ code?: string; detail?: string }>;
  };
  assert.equal(record.rollout, undefined, recordText);
  assert.equal(record.history.at(-1)?.code, 'internal_error', recordText);
  assert.match(record.history.at(-1)?.detail ?? '', /^internal error: .*simulated crash/);
});

test('the action crashing while the canary takes traffic: rolled back, the internal error an ::error (never raw stderr), exit 1', async (t) => {
  const { dir, target, env } = setup(t);
  const run = await runBuiltAction({
    dir,
    inputs: { config: 'deploy.yml', environment: 'production', mode: 'full', version: 'v2' },
    event: pullRequestSynchronize(fakeSha('pr-head')),
    env: { ...env, GITHUB_REPOSITORY: 'acme/shop', GITHUB_SHA: fakeSha('workflow-checkout') },
  });
  const all = run.stdout + run.stderr;
  assert.equal(run.signal, null, all);
  assert.equal(run.status, 1, all);
  assertBackOnStable(target);
  // The runner masks what core registered before the error was said: the secret never goes out unregistered.
  const registered = run.stdout.indexOf(`::add-mask::${SECRET}`);
  const said = run.stdout.search(/::error::internal error: Error: simulated crash/);
  assert.ok(registered >= 0 && said > registered, all);
  assert.ok(!run.stderr.includes(SECRET), `the secret went to raw stderr:\n${run.stderr}`);
  assert.doesNotMatch(run.stderr, /simulated crash/, 'Node reported the crash itself');
  assert.equal(run.outputs.status, 'rolled_back', all);
  assert.equal(run.outputs.code, 'internal_error');
  assert.equal(run.outputs['rolled-back'], 'true');
  // The decision and the rollback's why say what stopped the run (the summary escapes ":" with a joiner).
  const summary = run.summary.replaceAll('\u200D', '');
  assert.match(summary, /\*\*internal\\_error\*\*: internal error: Error: simulated crash/, summary);
  assert.match(summary, /Why: stopped by an internal error: Error: simulated crash/, summary);
  assert.ok(!summary.includes(SECRET), summary);
  assert.doesNotMatch(summary, /cancel/i, summary);
});

// At the crash deadline (the rollback still going after DEPLOY_ACTION_CRASH_DEADLINE_MS, 15 min by default) the
// CLI exited 3 with no final `result` line: a script reading `--json` got nothing. It now prints one of the
// same shape, failed / rollback_failed, the rollback in progress not ok, and what is not known.
test('the CLI at the crash deadline, its rollback still going: its command stopped, the last --json line the result, rollback_failed, exit 3', async (t) => {
  const { dir, target, env } = setup(t);
  const pids = join(dir, 'pids.log');
  const run = startCli(
    ['run', '-e', 'production', '-v', 'v2', '-c', 'deploy.yml', '--state-dir', join(dir, 'state'), '--json'],
    {
      entry: CLI_BUNDLE,
      cwd: dir,
      // Traffic going back takes 4 s; the deadline is 1 s after the crash.
      env: {
        ...env,
        SLEEP_ON: 'set_weight green 0=4000',
        LOG_END: '1',
        PID_LOG: pids,
        DEPLOY_ACTION_CRASH_DEADLINE_MS: '1000',
      },
    },
  );
  t.after(() => void (run.child.exitCode === null && run.child.kill('SIGKILL')));
  const { code, stdout, stderr } = await run.done;
  const all = stdout + stderr;
  assert.equal(code, 3, all);
  assert.match(
    stderr,
    /the run stopped by the internal error did not end within 1 s: stopping the commands still running/,
  );
  assert.ok(!all.includes(SECRET), `the secret was printed:\n${all}`);
  const last = events(stdout).at(-1);
  assert.equal(last?.type, 'result', stdout);
  const result = last!.result as PipelineResult;
  assert.equal(result.status, 'failed');
  assert.equal(result.code, 'rollback_failed');
  assert.equal(result.exitCode, 3);
  assert.equal(result.environment, 'production');
  assert.equal(result.version, 'v2');
  assert.match(
    result.message,
    /^internal error: Error: simulated crash: the signing secret \*\*\* was in hand; the run was stopped and its rollback had not ended 1 s later: .*Whether traffic is back on the stable version is not known: check production now\. .*deploy-action reconcile -e production/,
  );
  // What it did so far: the canary's first weight, and the rollback begun, not ended.
  assert.ok(
    result.steps.some((s) => s.description === 'set weight green=10% blue=90%' && s.result.ok),
    JSON.stringify(result.steps),
  );
  const rollback = result.rollbacks.at(-1);
  assert.equal(rollback?.ok, false, JSON.stringify(result.rollbacks));
  assert.match(rollback!.reason, /^stopped by an internal error: /);
  assert.equal(result.record, undefined, 'the record as left is not known');
  assert.doesNotMatch(stdout, /cancel/i, stdout);
  // The rollback's command was stopped before the exit: it ran on after it, moving traffic unreported.
  assertStopped(pids, 'set_weight green 0', target);
});

// The Action at the crash deadline: its outputs said rollback_failed / incomplete, and it exited with the
// rollback's command left to the exit's SIGKILL, given no SIGTERM to stop cleanly. Now it is stopped first.
test('the action at the crash deadline, its rollback still going: its command stopped, the outputs rollback_failed / incomplete, exit 3', async (t) => {
  const { dir, target, env } = setup(t);
  const pids = join(dir, 'pids.log');
  const run = await runBuiltAction({
    dir,
    inputs: { config: 'deploy.yml', environment: 'production', mode: 'full', version: 'v2' },
    event: pullRequestSynchronize(fakeSha('pr-head')),
    env: {
      ...env,
      GITHUB_REPOSITORY: 'acme/shop',
      GITHUB_SHA: fakeSha('workflow-checkout'),
      SLEEP_ON: 'set_weight green 0=4000',
      LOG_END: '1',
      PID_LOG: pids,
      DEPLOY_ACTION_CRASH_DEADLINE_MS: '1000',
    },
  });
  const all = run.stdout + run.stderr;
  assert.equal(run.signal, null, all);
  assert.equal(run.status, 3, all);
  assert.match(
    run.stdout,
    /::error::the run stopped by the internal error did not end within 1 s: stopping the commands still running/,
  );
  assert.equal(run.outputs.status, 'failed', all);
  assert.equal(run.outputs.code, 'rollback_failed');
  assert.equal(run.outputs.rollback, 'incomplete');
  assert.match(run.summary, /did not finish in time/);
  assertStopped(pids, 'set_weight green 0', target);
});

/** How many times the runner's GITHUB_OUTPUT text sets output `name` (it keeps the last). */
function timesSet(outputText: string, name: string): number {
  return [...outputText.matchAll(/^([\w-]+)<<(\S+)\n[\s\S]*?\n\2$/gm)].filter((m) => m[1] === name).length;
}

// The run ending on its own while the crash deadline writes its outcome (stopping the rollback's command makes
// the run end some 0.3 s later): both wrote the outputs and the job summary, each output twice (the runner keeps
// the last: the run's, over the deadline's) and two outcomes in the summary. The summary is a named pipe the test
// reads only once the run has ended and had its chance to write: the deadline's write waits until then.
test('the action at the crash deadline, the run ending while the deadline writes: one writer, each output once, one outcome in the summary', async (t) => {
  const { dir, env } = setup(t);
  const fifo = join(dir, 'summary.fifo');
  execFileSync('mkfifo', [fifo]);
  const action = startBuiltAction({
    dir,
    inputs: { config: 'deploy.yml', environment: 'production', mode: 'full', version: 'v2' },
    event: pullRequestSynchronize(fakeSha('pr-head')),
    env: {
      ...env,
      GITHUB_REPOSITORY: 'acme/shop',
      GITHUB_SHA: fakeSha('workflow-checkout'),
      GITHUB_STEP_SUMMARY: fifo,
      SLEEP_ON: 'set_weight green 0=4000',
      DEPLOY_ACTION_CRASH_DEADLINE_MS: '1000',
    },
  });
  t.after(() => void (action.exited() || action.child.kill('SIGKILL')));
  const outputFile = join(dir, 'github_output');
  let stdout = '';
  action.child.stdout!.on('data', (d) => (stdout += d));
  // The run has ended and either wrote its outputs too (status twice) or said it leaves them to the deadline.
  for (let waited = 0; waited < 15_000 && !action.exited(); waited += 50) {
    if (/the crash deadline is writing this run's outcome/.test(stdout)) break;
    if (timesSet(readFileSync(outputFile, 'utf8'), 'status') > 1) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  // Every writer waiting on the pipe gets it now (bounded: with no writer, cat waits for one until its timeout).
  const summary = await new Promise<string>((resolve) =>
    execFile('timeout', ['15', 'cat', fifo], (error, out) =>
      resolve(error ? `(the summary was not written: ${error.message})` : out),
    ),
  );
  const run = await action.done;
  const all = run.stdout + run.stderr;
  assert.equal(run.status, 3, all);
  const outputText = readFileSync(outputFile, 'utf8');
  for (const name of ['status', 'code', 'rolled-back', 'rollback'])
    assert.equal(timesSet(outputText, name), 1, `${name} set more than once:\n${outputText}`);
  assert.equal(run.outputs.status, 'failed', outputText);
  assert.equal(run.outputs.code, 'rollback_failed');
  assert.equal(run.outputs.rollback, 'incomplete');
  // One outcome: the deadline's section, not the run's job summary after it.
  assert.match(summary, /did not finish in time/, summary);
  assert.equal(summary.match(/^## /gm)?.length, 1, summary);
  assert.match(run.stdout, /the crash deadline is writing this run's outcome \(rollback_failed\)/, all);
  assert.doesNotMatch(run.stdout, /::error::failed \[rollback_failed\]/, 'the run said its own outcome too');
});
