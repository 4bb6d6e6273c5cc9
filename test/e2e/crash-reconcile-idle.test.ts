// A crash during a reconcile that has nothing to do (no rollout in the record, nothing due): the crash guard waits
// for a stopped reconcile to end, up to the crash deadline, so the question is whether such a reconcile ends at
// once when stopped, with an outcome that says why, rather than at the deadline. In the BUILT CLI and Action: a
// preload (NODE_OPTIONS) holds the reconcile lock's creation for 500 ms and throws from a timer meanwhile (an
// uncaught exception, outside every try of the product), so the crash lands while reconcile is at work on the
// environment. The deadline is 60 s: ending at it would fail the time bound.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { CLI_BUNDLE, events, startCli } from '../helpers/cli.ts';
import { crashWorkspace } from '../helpers/crash-workspace.ts';
import { runBuiltAction } from '../helpers/action.ts';
import { fakeSha } from '../fake-github/index.ts';
import { FileStateStore } from '../../src/state/file-store.ts';
import { emptyRecord } from '../../src/state/record.ts';

const LOCK = 'reconcile-production.lock';
const DEADLINE_MS = '60000';
/** Well under the deadline: a reconcile with nothing to do ends at once once stopped. */
const PROMPT_MS = 15_000;

/** In the product's process only: the lock's link held 500 ms, with a crash thrown from a timer meanwhile. */
const PRELOAD = `import fsp from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
const lock = process.env.CRASH_ON_LOCK;
if (lock && /index\\.(js|ts)$/.test(process.argv[1] ?? '')) {
  const link = fsp.link;
  let crashed = false;
  fsp.link = async (from, to) => {
    if (!crashed && String(to).endsWith(lock)) {
      crashed = true;
      setTimeout(() => { throw new Error('simulated crash in reconcile'); }, 0);
      await new Promise((r) => setTimeout(r, 500));
    }
    return link(from, to);
  };
  syncBuiltinESMExports();
}
`;

/** v1 live on blue, no rollout, nothing retired: reconcile has nothing to do. */
async function idle(t: { after(fn: () => void): void }) {
  const { dir, target, preload } = crashWorkspace(t, {
    prefix: 'crash-reconcile-idle-',
    preload: PRELOAD,
    pause: '60s',
  });
  await new FileStateStore(join(dir, 'state')).write({
    ...emptyRecord('local', 'production', new Date()),
    seq: 1,
    live: { version: 'v1', slot: 'blue', since: new Date().toISOString() },
  });
  const env = {
    NODE_OPTIONS: `--import ${preload}`,
    CRASH_ON_LOCK: LOCK,
    DEPLOY_ACTION_CRASH_DEADLINE_MS: DEADLINE_MS,
  };
  return { dir, env, target };
}

test('reconcile with nothing to do, crashing: it ends at once, not at the crash deadline, failed and why, exit 1', async (t) => {
  const { dir, env, target } = await idle(t);
  const since = performance.now();
  const started = startCli(['reconcile', '-e', 'production', '-c', 'deploy.yml', '--json'], {
    entry: CLI_BUNDLE,
    cwd: dir,
    env,
  });
  t.after(() => void (started.child.exitCode === null && started.child.kill('SIGKILL')));
  const { code, stdout, stderr } = await started.done;
  const took = performance.now() - since;
  const all = stdout + stderr;
  assert.equal(code, 1, all);
  assert.match(stderr, /deploy-action: internal error: Error: simulated crash in reconcile/, all);
  // It landed while reconcile was at work (the guard stopped it), not before or after it.
  assert.match(stderr, /stopping the run after this internal error/, all);
  assert.ok(took < PROMPT_MS, `it took ${Math.round(took)} ms: it waited for the crash deadline`);
  assert.doesNotMatch(stderr, /did not end within/, all);
  const last = events(stdout).at(-1) as unknown as
    { type: string; failed: boolean; stoppedBy?: string; entries: Array<{ code: string }> } | undefined;
  assert.equal(last?.type, 'reconcile', stdout);
  assert.equal(last!.failed, true, stdout);
  assert.match(last!.stoppedBy ?? '', /^Error: simulated crash in reconcile$/, stdout);
  assert.deepEqual(target.actingCalls(), [], 'nothing was done to the target');
});

test('the action in reconcile mode with nothing to do, crashing: it ends at once, the outputs failed / internal_error, exit 1', async (t) => {
  const { dir, env, target } = await idle(t);
  const since = performance.now();
  const run = await runBuiltAction({
    dir,
    inputs: { config: 'deploy.yml', environment: 'production', mode: 'reconcile', 'state-dir': 'state' },
    event: { name: 'workflow_dispatch', payload: { inputs: {} } },
    env: {
      ...env,
      GITHUB_REPOSITORY: 'acme/shop',
      GITHUB_SHA: fakeSha('main'),
      GITHUB_REF: 'refs/heads/main',
    },
  });
  const took = performance.now() - since;
  const all = run.stdout + run.stderr;
  assert.equal(run.signal, null, all);
  assert.equal(run.status, 1, all);
  assert.match(run.stdout, /::error::internal error: Error: simulated crash in reconcile/, all);
  assert.match(run.stdout, /stopping the run after this internal error/, all);
  assert.ok(took < PROMPT_MS, `it took ${Math.round(took)} ms: it waited for the crash deadline`);
  assert.doesNotMatch(run.stdout, /did not end within/, all);
  assert.equal(run.outputs.status, 'failed', all);
  assert.equal(run.outputs.code, 'internal_error', all);
  const reconciled = JSON.parse(run.outputs.reconcile ?? '{}') as { failed?: boolean; stoppedBy?: string };
  assert.equal(reconciled.failed, true, all);
  assert.match(reconciled.stoppedBy ?? '', /simulated crash in reconcile/);
  assert.deepEqual(target.actingCalls(), [], 'nothing was done to the target');
});
