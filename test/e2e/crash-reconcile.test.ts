// Reconcile rolling back an orphaned rollout (its `run` killed with SIGKILL mid-canary), in the BUILT CLI: a crash
// of reconcile then (an uncaught exception thrown from a timer, outside every try of the product, by a preload
// given in NODE_OPTIONS, once the rollback's traffic command has begun) must stop it as it stops `run`
// (util/crash-guard.ts): the rollback goes on to the stable version, the record loses the rollout, the summary
// is printed, and the process exits 1. Before, reconcile exited at once with traffic half moved and the
// orphan still in the record. At the crash deadline the rollback's command is stopped and the exit is 3.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI_BUNDLE, events, startCli } from '../helpers/cli.ts';
import { crashWorkspace } from '../helpers/crash-workspace.ts';
import { runBuiltAction } from '../helpers/action.ts';
import { fakeSha } from '../fake-github/index.ts';

const ROLLBACK_CALL = 'set_weight green 0';

/** In the CLI's process only (not a command it starts), once the rollback's traffic command is logged: a crash. */
const PRELOAD = `import { existsSync, readFileSync } from 'node:fs';
const log = process.env.CRASH_CALL_LOG;
if (log && /index\\.(js|ts)$/.test(process.argv[1] ?? '')) {
  const watch = setInterval(() => {
    if (!existsSync(log) || !readFileSync(log, 'utf8').includes('"set_weight","args":["green","0"]')) return;
    clearInterval(watch);
    setTimeout(() => { throw new Error('simulated crash in reconcile'); }, 0);
  }, 20);
  watch.unref();
}
`;

/** A canary of v2 left at 10 % by a `run` killed with SIGKILL: its record keeps the rollout, owned by a dead pid. */
async function orphaned(t: { after(fn: () => void): void }) {
  const { dir, target, preload } = crashWorkspace(t, {
    prefix: 'crash-reconcile-',
    preload: PRELOAD,
    pause: '60s',
  });
  const env = { CURRENT: JSON.stringify({ slot: 'blue', version: 'v1' }) };
  const run = startCli(['run', '-e', 'production', '-v', 'v2', '-c', 'deploy.yml'], {
    entry: CLI_BUNDLE,
    cwd: dir,
    env,
  });
  t.after(() => void (run.child.exitCode === null && run.child.kill('SIGKILL')));
  // The canary's first weight set and the record written ahead of it: the run is in its pause.
  for (let waited = 0; ; waited += 50) {
    const calls = target.calls();
    const at = calls.indexOf('set_weight green 10');
    if (at >= 0 && calls.length > at + 1) break;
    assert.ok(waited < 30_000 && run.child.exitCode === null, `no canary at 10 %: ${calls.join(', ')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  await new Promise((r) => setTimeout(r, 300));
  run.child.kill('SIGKILL');
  await run.done;
  const record = () =>
    JSON.parse(readFileSync(join(dir, 'state', 'records', 'production.json'), 'utf8')) as {
      rollout?: unknown;
    };
  assert.ok(record().rollout, 'the killed run left its rollout in the record');
  const reconcile = (more: NodeJS.ProcessEnv) => {
    const started = startCli(['reconcile', '-e', 'production', '-c', 'deploy.yml', '--json'], {
      entry: CLI_BUNDLE,
      cwd: dir,
      env: { ...env, NODE_OPTIONS: `--import ${preload}`, CRASH_CALL_LOG: target.log, LOG_END: '1', ...more },
    });
    t.after(() => void (started.child.exitCode === null && started.child.kill('SIGKILL')));
    return started.done;
  };
  return { dir, env, preload, target, record, reconcile };
}

test('reconcile crashing while it rolls an orphan back: the rollback finishes, the summary printed, the record without the rollout, exit 1', async (t) => {
  const { target, record, reconcile } = await orphaned(t);
  const since = target.calls().length;
  // Traffic going back takes 1.5 s: the crash lands while it does.
  const { code, stdout, stderr } = await reconcile({ SLEEP_ON: `${ROLLBACK_CALL}=1500` });
  const all = stdout + stderr;
  assert.equal(code, 1, all);
  assert.match(stderr, /deploy-action: internal error: Error: simulated crash in reconcile/);
  assert.match(stderr, /stopping the run after this internal error/);
  const calls = target.calls().slice(since);
  assert.ok(
    calls.includes(`end ${ROLLBACK_CALL}`),
    `the rollback's command did not finish: ${calls.join(', ')}`,
  );
  assert.ok(!calls.includes(`end ${ROLLBACK_CALL} terminated`), calls.join(', '));
  assert.equal(record().rollout, undefined, 'the orphan is still in the record');
  const last = events(stdout).at(-1);
  assert.equal(last?.type, 'reconcile', stdout);
  const summary = last as unknown as {
    entries: Array<{ environment: string; code: string }>;
    failed: boolean;
    stoppedBy?: string;
  };
  assert.equal(
    summary.entries.find((e) => e.environment === 'production')?.code,
    'orphan_rolled_back',
    stdout,
  );
  // Failed, and why, though its one entry went well.
  assert.equal(summary.failed, true, stdout);
  assert.match(summary.stoppedBy ?? '', /^Error: simulated crash in reconcile$/);
});

test('reconcile crashing while it rolls an orphan back, the rollback still going at the crash deadline: its command stopped, exit 3', async (t) => {
  const { target, reconcile } = await orphaned(t);
  const since = target.calls().length;
  const { code, stdout, stderr } = await reconcile({
    SLEEP_ON: `${ROLLBACK_CALL}=4000`,
    DEPLOY_ACTION_CRASH_DEADLINE_MS: '1000',
  });
  const all = stdout + stderr;
  assert.equal(code, 3, all);
  assert.match(
    stderr,
    /the run stopped by the internal error did not end within 1 s: stopping the commands still running/,
  );
  assert.match(stderr, /exiting with the stopped run's rollback unfinished \(exit 3\)/);
  // The last --json line still says how reconcile ended: failed, unfinished, why.
  const last = events(stdout).at(-1) as unknown as
    { type: string; failed: boolean; stoppedBy?: string; unfinished?: string } | undefined;
  assert.equal(last?.type, 'reconcile', stdout);
  assert.equal(last!.failed, true);
  assert.match(last!.stoppedBy ?? '', /simulated crash in reconcile/);
  assert.match(last!.unfinished ?? '', /had not ended 1 s after the internal error.*traffic may not be back/);
  // Stopped with its SIGTERM before the exit, not left to move traffic after it.
  const calls = target.calls().slice(since);
  assert.ok(calls.includes(`end ${ROLLBACK_CALL} terminated`), calls.join(', '));
});

test('the action in reconcile mode crashing while it rolls an orphan back: the rollback finishes, the outputs say so, exit 1', async (t) => {
  const { dir, env, preload, target, record } = await orphaned(t);
  const since = target.calls().length;
  const run = await runBuiltAction({
    dir,
    inputs: { config: 'deploy.yml', environment: 'production', mode: 'reconcile', 'state-dir': 'state' },
    event: { name: 'workflow_dispatch', payload: { inputs: {} } },
    env: {
      ...env,
      NODE_OPTIONS: `--import ${preload}`,
      CRASH_CALL_LOG: target.log,
      LOG_END: '1',
      SLEEP_ON: `${ROLLBACK_CALL}=1500`,
      GITHUB_REPOSITORY: 'acme/shop',
      GITHUB_SHA: fakeSha('main'),
      GITHUB_REF: 'refs/heads/main',
    },
  });
  const all = run.stdout + run.stderr;
  assert.equal(run.signal, null, all);
  assert.equal(run.status, 1, all);
  assert.match(run.stdout, /::error::internal error: Error: simulated crash in reconcile/, all);
  assert.match(run.stdout, /stopping the run after this internal error/, all);
  const calls = target.calls().slice(since);
  assert.ok(
    calls.includes(`end ${ROLLBACK_CALL}`),
    `the rollback's command did not finish: ${calls.join(', ')}`,
  );
  assert.equal(record().rollout, undefined, 'the orphan is still in the record');
  assert.equal(run.outputs.status, 'failed', all);
  assert.equal(run.outputs.code, 'internal_error', all);
  assert.match(
    run.stdout,
    /::error::reconcile was stopped by an internal error: Error: simulated crash/,
    all,
  );
  assert.match(run.summary, /\*\*Stopped by an internal error\*\*/, run.summary);
  const reconciled = JSON.parse(run.outputs.reconcile ?? '{}') as {
    entries?: Array<{ code: string }>;
    stoppedBy?: string;
  };
  assert.match(reconciled.stoppedBy ?? '', /simulated crash in reconcile/);
  assert.deepEqual(
    reconciled.entries?.map((e) => e.code),
    ['orphan_rolled_back'],
    all,
  );
});

test('the action in reconcile mode at the crash deadline, its rollback still going: its command stopped, the outputs failed / rollback_failed, exit 3', async (t) => {
  const { dir, env, preload, target } = await orphaned(t);
  const since = target.calls().length;
  const run = await runBuiltAction({
    dir,
    inputs: { config: 'deploy.yml', environment: 'production', mode: 'reconcile', 'state-dir': 'state' },
    event: { name: 'workflow_dispatch', payload: { inputs: {} } },
    env: {
      ...env,
      NODE_OPTIONS: `--import ${preload}`,
      CRASH_CALL_LOG: target.log,
      LOG_END: '1',
      SLEEP_ON: `${ROLLBACK_CALL}=4000`,
      DEPLOY_ACTION_CRASH_DEADLINE_MS: '1000',
      GITHUB_REPOSITORY: 'acme/shop',
      GITHUB_SHA: fakeSha('main'),
      GITHUB_REF: 'refs/heads/main',
    },
  });
  const all = run.stdout + run.stderr;
  assert.equal(run.signal, null, all);
  assert.equal(run.status, 3, all);
  assert.match(run.stdout, /::error::the run stopped by the internal error did not end within 1 s/, all);
  assert.equal(run.outputs.status, 'failed', all);
  assert.equal(run.outputs.code, 'rollback_failed', all);
  const reconciled = JSON.parse(run.outputs.reconcile ?? '{}') as { failed?: boolean; unfinished?: string };
  assert.equal(reconciled.failed, true, all);
  assert.match(reconciled.unfinished ?? '', /traffic may not be back on the stable version/);
  assert.match(run.summary, /did not finish in time/, run.summary);
  // One outcome: reconcile's own report did not follow the deadline's.
  assert.equal(run.summary.match(/^## /gm)?.length, 1, run.summary);
  const calls = target.calls().slice(since);
  assert.ok(calls.includes(`end ${ROLLBACK_CALL} terminated`), calls.join(', '));
});
