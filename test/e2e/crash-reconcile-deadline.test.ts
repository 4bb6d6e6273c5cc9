// The crash deadline in reconcile (CLI and the Action's `mode: reconcile`) said a rollback was unfinished
// whatever reconcile was doing: the Action's `code` `rollback_failed`, and "(a rollback among it): traffic may
// not be back on the stable version" in the `reconcile` output, the job summary and the CLI's last line, also of a
// reconcile that had begun no rollback. Its crash was announced as "a rollout in progress goes back to the stable
// version" with none in its hands. In the BUILT CLI and Action, with a preload (NODE_OPTIONS) in the product's
// process only:
// - reconcile with nothing to do, its reconcile lock's creation held for good and a crash thrown from a timer
//   meanwhile: no rollback begun, at the deadline failed / internal_error and words that say so;
// - reconcile rolling an orphan back, crashing as the rollback's traffic command is logged, then the record's
//   write after the rollback held for good: its rollback completed, at the deadline internal_error and words
//   that say traffic went back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI_BUNDLE, events, startCli } from '../helpers/cli.ts';
import { crashWorkspace } from '../helpers/crash-workspace.ts';
import { runBuiltAction } from '../helpers/action.ts';
import { fakeSha } from '../fake-github/index.ts';
import { FileStateStore } from '../../src/state/file-store.ts';
import { emptyRecord } from '../../src/state/record.ts';

const LOCK = 'reconcile-production.lock';

/** The reconcile lock's link held for good, with a crash thrown from a timer meanwhile. */
const HOLD_LOCK = `import fsp from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
const lock = process.env.CRASH_ON_LOCK;
if (lock && /index\\.(js|ts)$/.test(process.argv[1] ?? '')) {
  const link = fsp.link;
  let crashed = false;
  fsp.link = async (from, to) => {
    if (!crashed && String(to).endsWith(lock)) {
      crashed = true;
      setTimeout(() => { throw new Error('simulated crash in reconcile'); }, 0);
      return new Promise(() => {});
    }
    return link(from, to);
  };
  syncBuiltinESMExports();
}
`;

/** A crash once the rollback's traffic command is logged, then every later write of the record held for good. */
const HOLD_AFTER_ROLLBACK = `import fsp from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
const log = process.env.CRASH_CALL_LOG;
if (log && /index\\.(js|ts)$/.test(process.argv[1] ?? '')) {
  let crashed = false;
  const watch = setInterval(() => {
    if (!existsSync(log) || !readFileSync(log, 'utf8').includes('"set_weight","args":["green","0"]')) return;
    clearInterval(watch);
    crashed = true;
    setTimeout(() => { throw new Error('simulated crash in reconcile'); }, 0);
  }, 20);
  watch.unref();
  const rename = fsp.rename;
  fsp.rename = async (from, to) => {
    if (crashed && String(to).endsWith('production.json')) return new Promise(() => {});
    return rename(from, to);
  };
  syncBuiltinESMExports();
}
`;

const ACTION_ENV = {
  GITHUB_REPOSITORY: 'acme/shop',
  GITHUB_SHA: fakeSha('main'),
  GITHUB_REF: 'refs/heads/main',
};

function workspace(t: { after(fn: () => void): void }, preloadText: string) {
  const { dir, target, preload } = crashWorkspace(t, {
    prefix: 'crash-reconcile-deadline-',
    preload: preloadText,
    pause: '60s',
  });
  return { dir, target, preload };
}

/**
 * v1 live on blue, no rollout, nothing retired: reconcile has nothing to do; it hangs taking its lock. An
 * environment `qa` with no record, reconciled first (nothing due), is done before: the deadline's line reports it.
 */
async function idle(t: { after(fn: () => void): void }) {
  const { dir, target, preload } = workspace(t, HOLD_LOCK);
  appendFileSync(
    join(dir, 'deploy.yml'),
    '  qa:\n    strategy: { type: canary, steps: [10, 50, 100], pause: 60s }\n',
  );
  await new FileStateStore(join(dir, 'state')).write({
    ...emptyRecord('local', 'production', new Date()),
    seq: 1,
    live: { version: 'v1', slot: 'blue', since: new Date().toISOString() },
  });
  const env = {
    NODE_OPTIONS: `--import ${preload}`,
    CRASH_ON_LOCK: LOCK,
    DEPLOY_ACTION_CRASH_DEADLINE_MS: '1000',
  };
  return { dir, env, target };
}

/** Each entry's environment and code. */
const entriesOf = (line: Unfinished) =>
  (line.entries as Array<{ environment: string; code: string }> | undefined)?.map((e) => [
    e.environment,
    e.code,
  ]);

/** The reconcile output's JSON at the deadline. */
interface Unfinished {
  entries?: unknown[];
  failed?: boolean;
  stoppedBy?: string;
  unfinished?: string;
}

test('reconcile stuck with nothing to do at the crash deadline: no rollback begun, and its words say so', async (t) => {
  const { dir, env, target } = await idle(t);
  const started = startCli(['reconcile', '-e', 'qa', '-e', 'production', '-c', 'deploy.yml', '--json'], {
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
  // No rollout in its hands: the crash does not say one goes back.
  assert.match(stderr, /stopping the run after this internal error: no rollout is in progress/, all);
  assert.doesNotMatch(stderr, /a rollout in progress goes back/, all);
  const last = events(stdout).at(-1) as unknown as (Unfinished & { type: string }) | undefined;
  assert.equal(last?.type, 'reconcile', stdout);
  assert.equal(last!.failed, true);
  assert.match(last!.stoppedBy ?? '', /simulated crash in reconcile/);
  assert.match(
    last!.unfinished ?? '',
    /had not ended 1 s after the internal error, and no rollback had begun/,
  );
  assert.doesNotMatch(last!.unfinished ?? '', /a rollback among it|traffic may not be back/);
  // qa, reconciled before production hung: reported (it said `entries: []`).
  assert.deepEqual(entriesOf(last!), [['qa', 'nothing_due']]);
  assert.deepEqual(target.actingCalls(), [], 'nothing was done to the target');
});

test('the action in reconcile mode stuck with nothing to do at the crash deadline: failed / internal_error, no rollback said', async (t) => {
  const { dir, env, target } = await idle(t);
  const run = await runBuiltAction({
    dir,
    inputs: { config: 'deploy.yml', environment: 'qa,production', mode: 'reconcile', 'state-dir': 'state' },
    event: { name: 'workflow_dispatch', payload: { inputs: {} } },
    env: { ...env, ...ACTION_ENV },
  });
  const all = run.stdout + run.stderr;
  assert.equal(run.signal, null, all);
  assert.equal(run.status, 3, all);
  // The exit's words agree: no rollback had begun (they said its rollback was unfinished).
  assert.match(run.stdout, /exiting with the stopped run unfinished \(exit 3\); no rollback had begun/, all);
  assert.doesNotMatch(run.stdout, /rollback unfinished/, all);
  assert.match(
    run.stdout,
    /::error::stopping the run after this internal error: no rollout is in progress/,
    all,
  );
  assert.match(run.stdout, /::error::the run stopped by the internal error did not end within 1 s/, all);
  assert.equal(run.outputs.status, 'failed', all);
  assert.equal(run.outputs.code, 'internal_error', all);
  const reconciled = JSON.parse(run.outputs.reconcile ?? '{}') as Unfinished;
  // qa, reconciled before production hung: reported (it said `entries: []`), in the summary too.
  assert.deepEqual(entriesOf(reconciled), [['qa', 'nothing_due']]);
  assert.match(run.summary, /^- qa: `nothing_due`: /m, run.summary);
  assert.equal(reconciled.failed, true, all);
  assert.match(reconciled.stoppedBy ?? '', /simulated crash in reconcile/);
  assert.match(reconciled.unfinished ?? '', /and no rollback had begun/);
  assert.match(run.summary, /did not finish in time/, run.summary);
  assert.match(run.summary, /no rollback had begun/, run.summary);
  assert.match(run.summary, /`code` `internal_error`/, run.summary);
  assert.doesNotMatch(run.summary, /rollback_failed|traffic may not be back/, run.summary);
  assert.equal(run.summary.match(/^## /gm)?.length, 1, run.summary);
  assert.deepEqual(target.actingCalls(), [], 'nothing was done to the target');
});

test('the action in reconcile mode at the crash deadline after its rollback completed: internal_error, traffic said back', async (t) => {
  const { dir, target, preload } = workspace(t, HOLD_AFTER_ROLLBACK);
  const current = { CURRENT: JSON.stringify({ slot: 'blue', version: 'v1' }) };
  // A canary of v2 left at 10 % by a `run` killed with SIGKILL: its record keeps the rollout, owned by a dead pid.
  const deploy = startCli(['run', '-e', 'production', '-v', 'v2', '-c', 'deploy.yml'], {
    entry: CLI_BUNDLE,
    cwd: dir,
    env: current,
  });
  t.after(() => void (deploy.child.exitCode === null && deploy.child.kill('SIGKILL')));
  for (let waited = 0; ; waited += 50) {
    const calls = target.calls();
    const at = calls.indexOf('set_weight green 10');
    if (at >= 0 && calls.length > at + 1) break;
    assert.ok(waited < 30_000 && deploy.child.exitCode === null, `no canary at 10 %: ${calls.join(', ')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  await new Promise((r) => setTimeout(r, 300));
  deploy.child.kill('SIGKILL');
  await deploy.done;
  const since = target.calls().length;
  const run = await runBuiltAction({
    dir,
    inputs: { config: 'deploy.yml', environment: 'production', mode: 'reconcile', 'state-dir': 'state' },
    event: { name: 'workflow_dispatch', payload: { inputs: {} } },
    env: {
      ...current,
      ...ACTION_ENV,
      NODE_OPTIONS: `--import ${preload}`,
      CRASH_CALL_LOG: target.log,
      LOG_END: '1',
      DEPLOY_ACTION_CRASH_DEADLINE_MS: '3000',
    },
  });
  const all = run.stdout + run.stderr;
  assert.equal(run.signal, null, all);
  assert.equal(run.status, 3, all);
  assert.match(
    run.stdout,
    /::error::exiting with the stopped run unfinished \(exit 3\) after its rollback put traffic back/,
    all,
  );
  // The rollback's traffic command was in its hands when it crashed.
  assert.match(
    run.stdout,
    /::error::stopping the run after this internal error: a rollout in progress goes back/,
    all,
  );
  const calls = target.calls().slice(since);
  assert.ok(calls.includes('end set_weight green 0'), `the rollback did not finish: ${calls.join(', ')}`);
  assert.equal(run.outputs.status, 'failed', all);
  assert.equal(run.outputs.code, 'internal_error', all);
  const reconciled = JSON.parse(run.outputs.reconcile ?? '{}') as Unfinished;
  assert.match(
    reconciled.unfinished ?? '',
    /after its rollback completed \(traffic back on the stable version\)/,
  );
  assert.match(run.summary, /after its rollback completed/, run.summary);
  assert.doesNotMatch(run.summary, /rollback_failed|traffic may not be back/, run.summary);
  // The record, its last write held, still shows the rollout for the next reconcile.
  const record = JSON.parse(readFileSync(join(dir, 'state', 'records', 'production.json'), 'utf8')) as {
    rollout?: unknown;
  };
  assert.ok(record.rollout);
});
