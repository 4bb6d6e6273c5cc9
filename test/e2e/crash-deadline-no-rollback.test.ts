// The crash deadline with no rollback begun: the outputs said `rolled-back` `true`, `rollback` `incomplete`, code
// `rollback_failed` of a run whose rollback never started. In the BUILT Action and CLI: a preload (NODE_OPTIONS)
// holds the run's first write of its rollout to the environment's record (the write-ahead the deployment waits
// for) for good and throws from a timer meanwhile (an uncaught exception, outside every try of the product). The
// run, stopped, waits on that write, before anything changed traffic, and never reaches a rollback; at the crash
// deadline it is left as it is: failed / internal_error, not rolled back, no `rollback` output, exit 3 (the
// record may keep the rollout, the environment must be checked).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CLI_BUNDLE, events, startCli } from '../helpers/cli.ts';
import { crashWorkspace } from '../helpers/crash-workspace.ts';
import { pullRequestSynchronize, runBuiltAction } from '../helpers/action.ts';
import { fakeSha } from '../fake-github/index.ts';
import type { RecordedTarget } from '../helpers/recorded-target.ts';
import type { PipelineResult } from '../../src/pipeline/events.ts';

/** In the product's process only: the first record write holding a rollout never ends, and a crash meanwhile. */
const PRELOAD = `import fsp from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
if (/index\\.(js|ts)$/.test(process.argv[1] ?? '')) {
  const rename = fsp.rename;
  let crashed = false;
  fsp.rename = async (from, to) => {
    if (!crashed && String(to).endsWith('production.json') && readFileSync(from, 'utf8').includes('"rollout"')) {
      crashed = true;
      setTimeout(() => { throw new Error('simulated crash before any rollback'); }, 0);
      return new Promise(() => {});
    }
    return rename(from, to);
  };
  syncBuiltinESMExports();
}
`;

function setup(t: { after(fn: () => void): void }) {
  const { dir, target, preload } = crashWorkspace(t, {
    prefix: 'crash-no-rollback-',
    preload: PRELOAD,
    pause: '2s',
  });
  const env = {
    NODE_OPTIONS: `--import ${preload}`,
    CURRENT: JSON.stringify({ slot: 'blue', version: 'v1' }),
    DEPLOY_ACTION_CRASH_DEADLINE_MS: '1000',
  };
  return { dir, target, env };
}

/** The run was stuck before it changed traffic, and no rollback ran. */
function assertNoTrafficMoved(target: RecordedTarget) {
  const calls = target.actingCalls();
  assert.ok(!calls.some((c) => c.startsWith('set_weight')), `traffic moved: ${calls.join(', ')}`);
}

test('the action at the crash deadline, no rollback begun: failed / internal_error, rolled-back false, no rollback output, exit 3', async (t) => {
  const { dir, target, env } = setup(t);
  const run = await runBuiltAction({
    dir,
    inputs: { config: 'deploy.yml', environment: 'production', mode: 'full', version: 'v2' },
    event: pullRequestSynchronize(fakeSha('pr-head')),
    env: { ...env, GITHUB_REPOSITORY: 'acme/shop', GITHUB_SHA: fakeSha('workflow-checkout') },
  });
  const all = run.stdout + run.stderr;
  assert.equal(run.signal, null, all);
  assert.equal(run.status, 3, all);
  // The exit's words agree: no rollback had begun (they said its rollback was unfinished).
  assert.match(run.stdout, /exiting with the stopped run unfinished \(exit 3\); no rollback had begun/, all);
  assert.doesNotMatch(run.stdout, /rollback unfinished/, all);
  assert.match(run.stdout, /::error::internal error: Error: simulated crash before any rollback/, all);
  assert.match(run.stdout, /did not end within 1 s: stopping the commands still running/, all);
  assert.equal(run.outputs.status, 'failed', all);
  assert.equal(run.outputs.code, 'internal_error', all);
  assert.equal(run.outputs['rolled-back'], 'false', all);
  assert.equal(run.outputs.rollback, undefined, all);
  assert.match(run.summary, /did not end in time/, run.summary);
  assert.match(run.summary, /no rollback had begun/, run.summary);
  assert.match(run.summary, /`code` `internal_error`, `rolled-back` `false`; exit code 3\./, run.summary);
  assertNoTrafficMoved(target);
});

test('the CLI at the crash deadline, no rollback begun: the last --json line failed / internal_error, no rollback in it, exit 3', async (t) => {
  const { dir, target, env } = setup(t);
  const started = startCli(['run', '-e', 'production', '-v', 'v2', '-c', 'deploy.yml', '--json'], {
    entry: CLI_BUNDLE,
    cwd: dir,
    env,
  });
  t.after(() => void (started.child.exitCode === null && started.child.kill('SIGKILL')));
  const { code, stdout, stderr } = await started.done;
  const all = stdout + stderr;
  assert.equal(code, 3, all);
  // The exit's words agree: no rollback had begun (they said its rollback was unfinished).
  assert.match(stderr, /exiting with the stopped run unfinished \(exit 3\); no rollback had begun/, all);
  assert.doesNotMatch(stderr, /rollback unfinished/, all);
  const last = events(stdout).at(-1) as unknown as { type: string; result: PipelineResult } | undefined;
  assert.equal(last?.type, 'result', stdout);
  assert.equal(last!.result.status, 'failed');
  assert.equal(last!.result.code, 'internal_error');
  assert.deepEqual(last!.result.rollbacks, []);
  assert.equal(last!.result.exitCode, 3);
  assert.match(last!.result.message ?? '', /no rollback had begun/);
  assertNoTrafficMoved(target);
});

// A due scheduled run (`run --at`) that `reconcile` starts, stuck the same way: its `scheduled_runs` entry said
// "its rollback had not ended … the record keeps the rollout" under a result line saying internal_error with no
// rollback begun, and the guard, told nothing of its rollback, said "(its rollback's too)" as the deadline came
// and "rollback unfinished" as the process exited.
test('reconcile at the crash deadline, a scheduled run before any rollback: every line says no rollback had begun, exit 3', async (t) => {
  const { dir, target, env } = setup(t);
  const at = new Date(Date.now() + 3_600_000);
  const { NODE_OPTIONS, ...plain } = env;
  const recorded = await startCli(
    ['run', '-e', 'production', '-v', 'v2', '--at', at.toISOString(), '-c', 'deploy.yml'],
    { cwd: dir, env: plain },
  ).done;
  assert.equal(recorded.code, 0, recorded.stdout + recorded.stderr);
  const started = startCli(
    ['reconcile', '-e', 'production', '--at', new Date(at.getTime() + 60_000).toISOString()].concat([
      '-c',
      'deploy.yml',
      '--json',
    ]),
    { entry: CLI_BUNDLE, cwd: dir, env: { ...plain, NODE_OPTIONS } },
  );
  t.after(() => void (started.child.exitCode === null && started.child.kill('SIGKILL')));
  const { code, stdout, stderr } = await started.done;
  const all = stdout + stderr;
  assert.equal(code, 3, all);
  assert.match(
    stderr,
    /did not end within 1 s: stopping the commands still running \(no rollback had begun\)/,
    all,
  );
  assert.match(stderr, /exiting with the stopped run unfinished \(exit 3\); no rollback had begun/, all);
  assert.doesNotMatch(stderr, /rollback unfinished|its rollback's too/, all);
  const lines = events(stdout);
  const last = lines.at(-1) as unknown as
    | { type: string; results: Array<{ code: string; status: string; exitCode: number; message: string }> }
    | undefined;
  assert.equal(last?.type, 'scheduled_runs', stdout);
  assert.equal(last!.results.length, 1, stdout);
  assert.equal(last!.results[0]!.code, 'schedule_started');
  assert.equal(last!.results[0]!.status, 'failed');
  assert.equal(last!.results[0]!.exitCode, 3);
  assert.match(
    last!.results[0]!.message,
    /had not ended 1 s later, and no rollback had begun: left unfinished/,
  );
  assert.doesNotMatch(last!.results[0]!.message, /its rollback had not ended|keeps the rollout/);
  const result = lines.at(-2) as unknown as { type: string; result: PipelineResult } | undefined;
  assert.equal(result?.type, 'result', stdout);
  assert.equal(result!.result.code, 'internal_error');
  assert.deepEqual(result!.result.rollbacks, []);
  assertNoTrafficMoved(target);
});
