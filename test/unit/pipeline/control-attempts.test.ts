// A re-run of a job keeps its GitHub deployment, so it reads the control requests people made of the earlier
// attempt. Those belong to that attempt's rollout: an old /abort must not end the re-run at once, an old
// /promote must not pass its manual wait, an old /pause must not hold it. Requests made since the run began
// count as always. Through runPipeline with a command target that does nothing and a control source.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, it } from 'node:test';
import { loadConfigFile } from '../../../src/config/load.ts';
import { resolveEnvironment } from '../../../src/config/resolve.ts';
import { CONTROL_CLOCK_SKEW_MS } from '../../../src/control/decide.ts';
import type { ControlRequest, ControlSource } from '../../../src/control/request.ts';
import { runPipeline } from '../../../src/pipeline/pipeline.ts';
import { FileStateStore } from '../../../src/state/file-store.ts';
import { emptyRecord } from '../../../src/state/record.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'control-attempts-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function run(
  requests: (startedAt: number) => ControlRequest[],
  recordedIn?: ReadonlyMap<string, number>,
) {
  const stateDir = join(dir, `state-${Math.random()}`);
  const configPath = join(dir, 'deploy.yml');
  writeFileSync(
    configPath,
    `preset: fast
state_dir: ${JSON.stringify(stateDir)}
target:
  commands: { deploy: ['true'], set_weight: ['true'], switch: ['true'], health: ['true'], teardown: ['true'] }
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
  const startedAt = Date.now();
  const made = requests(startedAt);
  const control: ControlSource = {
    poll: async () => ({ changed: true, requests: made, ...(recordedIn ? { recordedIn } : {}) }),
  };
  const env = resolveEnvironment(await loadConfigFile(configPath), 'production');
  return runPipeline(
    { env, version: 'v2', sha: 'abcdef1234567', deploymentId: 'd-1', handOff: true },
    { reporter: { event() {} }, store, control },
  );
}

const request = (verb: ControlRequest['verb'], at: number, step = 1): ControlRequest => ({
  id: `comment:${verb}:${at}`,
  verb,
  by: 'alice',
  at: new Date(at).toISOString(),
  deploymentId: 'd-1',
  step,
  source: 'comment',
});

it("an earlier attempt's /abort, /promote or /pause of the same deployment does nothing to this run", async () => {
  const earlier = (start: number) => start - 10 * 60_000;
  for (const verb of ['abort', 'promote', 'pause'] as const) {
    const result = await run((start) => [request(verb, earlier(start))]);
    // The manual wait at 25 % is handed off, as with no request at all.
    assert.equal(result.status, 'waiting', `${verb}: ${result.status} ${result.message}`);
    assert.equal(result.code, 'rollout_waiting', verb);
  }
});

it("this run's requests count, also from a clock a little behind the runner's", async () => {
  const late = (start: number) => start - CONTROL_CLOCK_SKEW_MS + 1_000;
  const aborted = await run((start) => [request('abort', late(start))]);
  assert.notEqual(aborted.status, 'waiting', aborted.message);
  assert.match(aborted.message ?? '', /aborted by alice; rolled back to v1/);
  // This run's /promote passes the wait; the earlier attempt's beside it changes nothing.
  const promoted = await run((start) => [
    request('promote', late(start)),
    request('promote', start - 3_600_000),
  ]);
  assert.equal(promoted.status, 'succeeded', promoted.message);
});

it('a Promote press on a check run older than a /pause recorded since does not end the wait, though dated after the /pause (two App replicas at once)', async () => {
  // The /pause and the press were handled at the same moment: each read the requests before the other was
  // written, so the App refused neither. The press (on the wait notice, check run 10) is dated 1 s after the
  // /pause, which is recorded in a newer check run (30): the press may have been made before it.
  const pause = (start: number) => request('pause', start + 1_000);
  const pressed = (start: number): ControlRequest => ({
    ...request('promote', start + 2_000),
    id: 'button:10:alice:1:promote',
    source: 'button',
  });
  const recordedIn = new Map([['button:10:alice:1:promote', 20]]);
  const result = await run((start) => {
    const p = pause(start);
    recordedIn.set(p.id, 30);
    return [p, pressed(start)];
  }, recordedIn);
  // Held (and handed off), not promoted past the manual wait to 100 %.
  assert.equal(result.status, 'waiting', `${result.status} ${result.message}`);
  // Without recordedIn (a source that does not read check runs) the press, dated last, goes on.
  const unordered = await run((start) => [pause(start), pressed(start)]);
  assert.equal(unordered.status, 'succeeded', `${unordered.status} ${unordered.message}`);
});
