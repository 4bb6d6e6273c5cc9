// `deploy-action promote|resume|abort` going on with a handed-off rollout runs reconcile in its own process, under
// the crash guard (src/cli/control.ts goOnWith), and had no end-to-end test of a crash there. In the BUILT CLI: a
// `promote` of a canary handed off at its 25 % wait crashes (an uncaught exception thrown from a timer, outside
// every try of the product, by a preload given in NODE_OPTIONS) once its next traffic step (50 %) has begun. The
// crash stops it as a cancellation nobody chose: the step's command is stopped, the rollback (whose commands are
// not) puts all traffic back on the stable version and finishes, the record loses the rollout with v1 live, the last --json
// line is still the command's `control` line (failed, why), and the process exits 1. At the crash deadline the
// rollback's command is stopped and the exit is 3, the last line saying what is unfinished.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_BUNDLE, events, startCli } from '../helpers/cli.ts';
import { recordedTarget } from '../helpers/recorded-target.ts';
import { loadConfigFile } from '../../src/config/load.ts';
import { resolveEnvironment } from '../../src/config/resolve.ts';
import { runPipeline } from '../../src/pipeline/pipeline.ts';
import { FileStateStore } from '../../src/state/file-store.ts';
import { emptyRecord, type EnvironmentRecord } from '../../src/state/record.ts';

const PROMOTED_CALL = 'set_weight green 50';
const ROLLBACK_CALL = 'set_weight green 0';

/** In the CLI's process only (not a command it starts), once the promoted step's traffic command is logged: a crash. */
const PRELOAD = `import { existsSync, readFileSync } from 'node:fs';
const log = process.env.CRASH_CALL_LOG;
if (log && /index\\.(js|ts)$/.test(process.argv[1] ?? '')) {
  const watch = setInterval(() => {
    if (!existsSync(log) || !readFileSync(log, 'utf8').includes('"set_weight","args":["green","50"]')) return;
    clearInterval(watch);
    setTimeout(() => { throw new Error('simulated crash in promote'); }, 0);
  }, 20);
  watch.unref();
}
`;

/** v1 live on blue; v2's canary handed off at its 25 % wait for a person (as the Action hands one off). */
async function handedOff(t: { after(fn: () => void): void }) {
  const dir = mkdtempSync(join(tmpdir(), 'crash-control-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const stateDir = join(dir, 'state');
  const target = recordedTarget(dir);
  const preload = join(dir, 'crash.mjs');
  writeFileSync(preload, PRELOAD);
  const configPath = join(dir, 'deploy.yml');
  writeFileSync(
    configPath,
    `preset: fast
state_dir: ${JSON.stringify(stateDir)}
${target.targetYaml}  env:
    CURRENT: '{"slot":"blue","version":"v1"}'
environments:
  production:
    strategy:
      type: canary
      slots: [blue, green]
      pause: 0
      steps: [{ weight: 25, pause: manual }, 50, 100]
    control: { max_wait_in_job: 0 }
`,
  );
  const store = new FileStateStore(stateDir);
  await store.write({
    ...emptyRecord('local', 'production', new Date()),
    seq: 1,
    live: { version: 'v1', slot: 'blue', since: new Date().toISOString() },
  });
  const env = resolveEnvironment(await loadConfigFile(configPath), 'production');
  const waiting = await runPipeline(
    { env, version: 'v2', sha: 'abcdef1234567', deploymentId: 'cli-d1', handOff: true },
    { reporter: { event() {} }, store },
  );
  assert.equal(waiting.status, 'waiting', waiting.message);
  const record = async (): Promise<EnvironmentRecord> => {
    const read = await new FileStateStore(stateDir).read('production');
    assert.ok(read.ok && read.record, read.ok ? 'no record' : read.message);
    return read.record;
  };
  assert.equal((await record()).rollout?.wait?.handedOff, true);
  assert.equal((await record()).rollout?.weight, 25);
  const promote = (more: NodeJS.ProcessEnv) => {
    const started = startCli(['promote', '-e', 'production', '-c', configPath, '--json'], {
      entry: CLI_BUNDLE,
      cwd: dir,
      env: { NODE_OPTIONS: `--import ${preload}`, CRASH_CALL_LOG: target.log, LOG_END: '1', ...more },
    });
    t.after(() => void (started.child.exitCode === null && started.child.kill('SIGKILL')));
    return started.done;
  };
  // The controlled file, read back as it was written: each line is JSON.
  const controlLines = () =>
    readFileSync(join(stateDir, 'control', 'production.ndjson'), 'utf8')
      .trim()
      .split('\n');
  return { target, record, promote, controlLines };
}

interface ControlLine {
  type: string;
  ok: boolean;
  code: string;
  reconcile?: {
    failed: boolean;
    stoppedBy?: string;
    unfinished?: string;
    entries: Array<{ environment: string; code: string }>;
  };
}

test('promote of a handed-off rollout crashing mid-step: the rollback finishes, v1 live, the last line the control result, exit 1', async (t) => {
  const { target, record, promote, controlLines } = await handedOff(t);
  const since = target.calls().length;
  // The promoted step takes 1.5 s: the crash lands while it runs.
  const { code, stdout, stderr } = await promote({ SLEEP_ON: `${PROMOTED_CALL}=1500` });
  const all = stdout + stderr;
  assert.equal(code, 1, all);
  assert.match(stderr, /deploy-action: internal error: Error: simulated crash in promote/, all);
  assert.match(stderr, /stopping the run after this internal error/, all);
  const calls = target.calls().slice(since);
  // The promoted step is stopped as a cancellation stops it; the rollback's commands are not: traffic goes back
  // and that finishes, the slot torn down.
  assert.ok(calls.includes(`end ${PROMOTED_CALL} terminated`), calls.join(', '));
  assert.ok(calls.includes(`end ${ROLLBACK_CALL}`), `the rollback did not finish: ${calls.join(', ')}`);
  assert.ok(!calls.includes(`end ${ROLLBACK_CALL} terminated`), calls.join(', '));
  assert.ok(calls.includes('end teardown green'), calls.join(', '));
  assert.ok(!calls.includes('set_weight green 100'), `it went on after the crash: ${calls.join(', ')}`);
  assert.ok(
    calls.lastIndexOf(ROLLBACK_CALL) > calls.lastIndexOf(PROMOTED_CALL),
    `traffic was not put back last: ${calls.join(', ')}`,
  );
  const after = await record();
  assert.equal(after.rollout, undefined, 'the rollout is still in the record');
  assert.equal(after.live?.version, 'v1');
  assert.equal(controlLines().length, 1, 'the promote request was recorded once');
  const last = events(stdout).at(-1) as unknown as ControlLine | undefined;
  assert.equal(last?.type, 'control', stdout);
  assert.equal(last!.ok, false, stdout);
  assert.equal(last!.reconcile?.failed, true, stdout);
  assert.match(last!.reconcile?.stoppedBy ?? '', /^Error: simulated crash in promote$/, stdout);
  assert.equal(last!.reconcile?.entries.find((e) => e.environment === 'production')?.code, last!.code);
});

test('promote of a handed-off rollout crashing, the rollback still going at the crash deadline: its command stopped, the last line says so, exit 3', async (t) => {
  const { target, promote } = await handedOff(t);
  const since = target.calls().length;
  const { code, stdout, stderr } = await promote({
    SLEEP_ON: `${PROMOTED_CALL}=300,${ROLLBACK_CALL}=4000`,
    DEPLOY_ACTION_CRASH_DEADLINE_MS: '1500',
  });
  const all = stdout + stderr;
  assert.equal(code, 3, all);
  assert.match(
    stderr,
    /the run stopped by the internal error did not end within 2 s: stopping the commands still running/,
    all,
  );
  // A --json reader waits for a last line that says how the command ended: failed, unfinished, why.
  const last = events(stdout).at(-1) as unknown as ControlLine | undefined;
  assert.equal(last?.type, 'control', stdout);
  assert.equal(last!.ok, false, stdout);
  assert.equal(last!.code, 'rollback_failed', stdout);
  assert.equal(last!.reconcile?.failed, true, stdout);
  assert.match(last!.reconcile?.stoppedBy ?? '', /simulated crash in promote/, stdout);
  assert.match(
    last!.reconcile?.unfinished ?? '',
    /had not ended 2 s after the internal error.*traffic may not be back/,
    stdout,
  );
  assert.match(stderr, /exiting with the stopped run's rollback unfinished \(exit 3\)/, all);
  // Stopped with its SIGTERM before the exit, not left to move traffic after it.
  const calls = target.calls().slice(since);
  assert.ok(calls.includes(`end ${ROLLBACK_CALL} terminated`), calls.join(', '));
});
