// A cancelled job rolls back at once, even while a poll for /promote, /pause, /resume or /abort hangs on
// GitHub: the runner kills the job 10 s after its first signal, and a checkpoint or a manual wait that waited
// for GitHub's answer first left the canary taking traffic when the kill came (seen in a clean-clone CI: no
// rollback line in the 7.5 s between SIGINT and SIGTERM). Through runPipeline with a command target that
// records what it is told, and a control source whose poll never answers once the canary has traffic.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, it } from 'node:test';
import { loadConfigFile } from '../../../src/config/load.ts';
import { resolveEnvironment } from '../../../src/config/resolve.ts';
import type { ControlSource } from '../../../src/control/request.ts';
import { runPipeline } from '../../../src/pipeline/pipeline.ts';
import { FileStateStore } from '../../../src/state/file-store.ts';
import { emptyRecord } from '../../../src/state/record.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'control-hang-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Runs a canary whose control poll hangs from the first poll after the canary took traffic; cancels there. */
async function cancelledWhilePollHangs(step: string, pause: string) {
  const stateDir = join(dir, `state-${Math.random()}`);
  const calls = join(dir, 'calls');
  writeFileSync(calls, '');
  const record = (what: string) => JSON.stringify(['sh', '-c', `echo "${what}" >> "$0"`, calls]);
  const configPath = join(dir, 'deploy.yml');
  writeFileSync(
    configPath,
    `preset: fast
state_dir: ${JSON.stringify(stateDir)}
target:
  commands:
    deploy: ${record('deploy {{slot}}')}
    set_weight: ${record('set_weight {{slot}} {{weight}}')}
    switch: ${record('switch {{slot}}')}
    health: ['true']
    teardown: ${record('teardown {{slot}}')}
environments:
  production:
    strategy:
      type: canary
      slots: [blue, green]
      pause: ${pause}
      steps: [${step}, 50, 100]
    control: { poll_interval: 2s, max_wait_in_job: 5m }
`,
  );
  const store = new FileStateStore(stateDir);
  await store.write({
    ...emptyRecord('local', 'production', new Date()),
    seq: 1,
    live: { version: 'v1', slot: 'blue', since: new Date().toISOString() },
  });
  const cancel = new AbortController();
  let hung = 0;
  const control: ControlSource = {
    poll: () => {
      if (!readFileSync(calls, 'utf8').includes('set_weight green 25'))
        return Promise.resolve({ changed: true, requests: [] });
      hung++;
      cancel.abort();
      return new Promise(() => {}); // GitHub never answers
    },
  };
  const env = resolveEnvironment(await loadConfigFile(configPath), 'production');
  // Once the canary has traffic the clock is a minute on, so the next checkpoint polls (it polls at most once
  // per poll_interval) rather than using the requests it read a moment ago.
  const now = () => Date.now() + (readFileSync(calls, 'utf8').includes('set_weight green 25') ? 60_000 : 0);
  const pipeline = runPipeline(
    { env, version: 'v2', sha: 'abcdef1234567', deploymentId: 'd-1' },
    { reporter: { event() {} }, store, control, signal: cancel.signal, now },
  );
  // Bounded: on the old code the pipeline waits for the poll for ever.
  let timer: NodeJS.Timeout | undefined;
  const result = await Promise.race([
    pipeline,
    new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error('the cancelled pipeline is still waiting for the poll')),
        30_000,
      );
    }),
  ]).finally(() => clearTimeout(timer));
  return { result, hung, calls: readFileSync(calls, 'utf8').trim().split('\n') };
}

it('cancelled at a checkpoint whose poll hangs: traffic goes back to stable at once', async () => {
  const { result, hung, calls } = await cancelledWhilePollHangs('25', '0');
  assert.ok(hung >= 1, 'the poll was asked once the canary had traffic');
  assert.equal(result.status, 'cancelled', result.message);
  assert.equal(calls.at(-2), 'set_weight green 0', calls.join('\n'));
  assert.equal(calls.at(-1), 'teardown green');
  assert.ok(!calls.includes('set_weight green 50'), 'no step after the cancellation');
});

it('cancelled in a manual wait whose poll hangs: traffic goes back to stable at once', async () => {
  const { result, hung, calls } = await cancelledWhilePollHangs('{ weight: 25, pause: manual }', '0');
  assert.ok(hung >= 1);
  assert.equal(result.status, 'cancelled', result.message);
  assert.equal(calls.at(-2), 'set_weight green 0', calls.join('\n'));
  assert.equal(calls.at(-1), 'teardown green');
});
