// A scheduled deployment (`deploy-action run --at`) is run by `deploy-action reconcile` once due: a deployment
// like `run`'s, with its canary taking traffic. A crash of the CLI then (an uncaught exception thrown from a
// timer, outside every try of the product, by a preload given in NODE_OPTIONS) must stop it as it stops `run`'s
// (util/crash-guard.ts): traffic back on the stable version, then exit 1. Before, reconcile exited at once with
// the canary live, until some later reconcile took the orphaned rollout up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI_BUNDLE, events, startCli } from '../helpers/cli.ts';
import { crashWorkspace } from '../helpers/crash-workspace.ts';
import { running } from '../helpers/process-tree.ts';
import type { PipelineResult } from '../../src/pipeline/events.ts';

const CANARY_CALL = 'set_weight green 10';

/** In the CLI's process only (not a command it starts), once the canary's first weight is logged: a crash. */
const PRELOAD = `import { existsSync, readFileSync } from 'node:fs';
const log = process.env.CRASH_CALL_LOG;
if (log && /index\\.(js|ts)$/.test(process.argv[1] ?? '')) {
  const watch = setInterval(() => {
    if (!existsSync(log) || !readFileSync(log, 'utf8').includes('"set_weight","args":["green","10"]')) return;
    clearInterval(watch);
    setTimeout(() => { throw new Error('simulated crash in a scheduled run'); }, 0);
  }, 20);
  watch.unref();
}
`;

/** A config and a run scheduled an hour from now; `reconcile(env)` starts it, the CLI crashing once it runs. */
async function scheduled(t: { after(fn: () => void): void }) {
  const { dir, target, preload } = crashWorkspace(t, {
    prefix: 'crash-scheduled-',
    preload: PRELOAD,
    pause: '2s',
  });
  const env = { CURRENT: JSON.stringify({ slot: 'blue', version: 'v1' }) };
  const at = new Date(Date.now() + 3_600_000);
  const schedule = startCli(
    ['run', '-e', 'production', '-v', 'v2', '--at', at.toISOString(), '-c', 'deploy.yml'],
    {
      cwd: dir,
      env,
    },
  );
  const recorded = await schedule.done;
  assert.equal(recorded.code, 0, recorded.stdout + recorded.stderr);
  const later = new Date(at.getTime() + 60_000).toISOString();
  const reconcile = (more: NodeJS.ProcessEnv, options: { json?: boolean; entry?: string } = {}) => {
    const run = startCli(
      [
        'reconcile',
        '-e',
        'production',
        '--at',
        later,
        '-c',
        'deploy.yml',
        ...(options.json ? ['--json'] : []),
      ],
      {
        cwd: dir,
        ...(options.entry ? { entry: options.entry } : {}),
        env: { ...env, NODE_OPTIONS: `--import ${preload}`, CRASH_CALL_LOG: target.log, ...more },
      },
    );
    t.after(() => void (run.child.exitCode === null && run.child.kill('SIGKILL')));
    return run;
  };
  return { dir, target, reconcile };
}

test('the CLI crashing while a scheduled run’s canary takes traffic: rolled back before exit 1', async (t) => {
  const { dir, target, reconcile } = await scheduled(t);
  const { code, stdout, stderr } = await reconcile({}).done;
  const all = stdout + stderr;
  assert.match(stderr, /deploy-action: internal error: Error: simulated crash in a scheduled run/, all);
  const calls = target.actingCalls();
  assert.ok(calls.includes(CANARY_CALL), calls.join('\n'));
  assert.ok(
    !calls.includes('set_weight green 50'),
    `the canary went on after the crash: ${calls.join(', ')}`,
  );
  assert.equal(
    calls.filter((c) => c.startsWith('set_weight')).at(-1),
    'set_weight green 0',
    `exited with the canary live: ${calls.join(', ')}\n${all}`,
  );
  assert.equal(code, 1, all);
  const record = JSON.parse(readFileSync(join(dir, 'state', 'records', 'production.json'), 'utf8')) as {
    rollout?: unknown;
    history: Array<{ code?: string }>;
  };
  assert.equal(record.rollout, undefined, 'the rollout is left for a later reconcile');
  assert.equal(record.history.at(-1)?.code, 'internal_error');
});

// At the crash deadline (the scheduled run's rollback still going DEPLOY_ACTION_CRASH_DEADLINE_MS after the
// crash) reconcile exited 3 with no final line: the run's `result` and the `scheduled_runs` line that `--json`
// readers wait for were missing (`run` printed its result there; reconcile gave no atDeadline). Now both are
// printed, as at a run's end, and the rollback's command is stopped before.
test('reconcile at the crash deadline, a scheduled run’s rollback still going: its command stopped, the result and scheduled_runs lines last, exit 3', async (t) => {
  const { dir, target, reconcile } = await scheduled(t);
  const pids = join(dir, 'pids.log');
  const run = reconcile(
    {
      // Traffic going back takes 4 s; the deadline is 1 s after the crash.
      SLEEP_ON: 'set_weight green 0=4000',
      LOG_END: '1',
      PID_LOG: pids,
      DEPLOY_ACTION_CRASH_DEADLINE_MS: '1000',
    },
    { json: true, entry: CLI_BUNDLE },
  );
  const { code, stdout, stderr } = await run.done;
  const all = stdout + stderr;
  assert.equal(code, 3, all);
  assert.match(
    stderr,
    /the run stopped by the internal error did not end within 1 s: stopping the commands still running/,
  );
  const lines = events(stdout);
  const last = lines.at(-1);
  assert.equal(last?.type, 'scheduled_runs', stdout);
  const results = last!.results as Array<Record<string, unknown>>;
  assert.equal(results.length, 1, JSON.stringify(results));
  assert.equal(results[0]!.environment, 'production');
  assert.equal(results[0]!.code, 'schedule_started');
  assert.equal(results[0]!.status, 'failed');
  assert.equal(results[0]!.exitCode, 3);
  assert.match(String(results[0]!.id), /^r/);
  const before = lines.at(-2);
  assert.equal(before?.type, 'result', stdout);
  const result = before!.result as PipelineResult;
  assert.equal(result.status, 'failed');
  assert.equal(result.code, 'rollback_failed');
  assert.equal(result.exitCode, 3);
  assert.equal(result.version, 'v2');
  assert.match(
    result.message,
    /^internal error: Error: simulated crash in a scheduled run; the run was stopped and its rollback had not ended 1 s later: .*check production now\. .*deploy-action reconcile -e production/,
  );
  assert.equal(result.rollbacks.at(-1)?.ok, false, JSON.stringify(result.rollbacks));
  // The rollback's command: stopped with its SIGTERM before the exit, not running after it.
  const pid = readFileSync(pids, 'utf8')
    .split('\n')
    .filter((line) => line.endsWith(' set_weight green 0'))
    .map((line) => Number(line.split(' ', 1)[0]));
  assert.equal(pid.length, 1, readFileSync(pids, 'utf8'));
  assert.equal(running(pid[0]!), false, 'the rollback command still runs after the exit');
  const calls = target.calls();
  assert.ok(calls.includes('end set_weight green 0 terminated'), calls.join(', '));
  assert.ok(!calls.includes('end set_weight green 0'), calls.join(', '));
});
