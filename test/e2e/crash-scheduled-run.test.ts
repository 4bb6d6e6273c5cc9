// A scheduled deployment (`deploy-action run --at`) is run by `deploy-action reconcile` once due: a deployment
// like `run`'s, with its canary taking traffic. A crash of the CLI then (an uncaught exception thrown from a
// timer, outside every try of the product, by a preload given in NODE_OPTIONS) must stop it as it stops `run`'s
// (util/crash-guard.ts): traffic back on the stable version, then exit 1. Before, reconcile exited at once with
// the canary live, until some later reconcile took the orphaned rollout up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCli } from '../helpers/cli.ts';
import { recordedTarget } from '../helpers/recorded-target.ts';

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

test('the CLI crashing while a scheduled run’s canary takes traffic: rolled back before exit 1', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'crash-scheduled-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const target = recordedTarget(dir);
  const preload = join(dir, 'crash.mjs');
  writeFileSync(preload, PRELOAD);
  writeFileSync(
    join(dir, 'deploy.yml'),
    `preset: fast
state_dir: ${dir}/state
${target.targetYaml}environments:
  production:
    strategy: { type: canary, steps: [10, 50, 100], pause: 2s }
`,
  );
  const env = { CURRENT: JSON.stringify({ slot: 'blue', version: 'v1' }) };
  const at = new Date(Date.now() + 3_600_000);
  const schedule = startCli(
    ['run', '-e', 'production', '-v', 'v2', '--at', at.toISOString(), '-c', 'deploy.yml'],
    {
      cwd: dir,
      env,
    },
  );
  const scheduled = await schedule.done;
  assert.equal(scheduled.code, 0, scheduled.stdout + scheduled.stderr);
  const later = new Date(at.getTime() + 60_000).toISOString();
  const run = startCli(['reconcile', '-e', 'production', '--at', later, '-c', 'deploy.yml'], {
    cwd: dir,
    env: { ...env, NODE_OPTIONS: `--import ${preload}`, CRASH_CALL_LOG: target.log },
  });
  t.after(() => void (run.child.exitCode === null && run.child.kill('SIGKILL')));
  const { code, stdout, stderr } = await run.done;
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
