// Reconcile asks the target's `current` command what serves before it acts on a record: a record that is
// stale or rolled back (docs/state.md: a deleted deployment, an earlier check-run text put back) must not
// make it tear down, switch or roll back the slot that serves now. The recorded command target (real
// processes, every call logged; CURRENT is what its `current` prints) and an in-memory store.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { loadConfigFile } from '../../../src/config/load.ts';
import { resolveEnvironment } from '../../../src/config/resolve.ts';
import type { RawConfig } from '../../../src/config/schema.ts';
import type { ControlRequest } from '../../../src/control/request.ts';
import type { PipelineEvent } from '../../../src/pipeline/events.ts';
import { capabilitiesOf } from '../../../src/pipeline/step-runner.ts';
import type { OwnerStatus } from '../../../src/reconcile/decide.ts';
import { disagreement, rolloutClaim, teardownClaim } from '../../../src/reconcile/live-check.ts';
import { reconcile, type ReconcileOptions, type ReconcileSummary } from '../../../src/reconcile/run.ts';
import { emptyRecord, type EnvironmentRecord, type Rollout } from '../../../src/state/record.ts';
import type { StateRead, StateStore } from '../../../src/state/store.ts';
import { createStrategy } from '../../../src/strategies/index.ts';
import { recordedTarget, type RecordedTarget } from '../../helpers/recorded-target.ts';

const T0 = new Date('2026-03-01T12:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

class MemoryStore implements StateStore {
  read$?: StateRead;
  readonly writes: EnvironmentRecord[] = [];
  set(record: EnvironmentRecord) {
    this.read$ = { ok: true, record, source: 'memory' };
  }
  async read(): Promise<StateRead> {
    return this.read$ ?? { ok: true, record: undefined, source: 'memory' };
  }
  async write(record: EnvironmentRecord): Promise<void> {
    this.writes.push(record);
    this.set(record);
  }
}

let dir: string;
let target: RecordedTarget;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'reconcile-live-'));
  target = recordedTarget(dir);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const currentLine = /^ {4}current: .*\n/m;

/**
 * The recorded target with `current` printing `current` (undefined: the target has no current command;
 * `command`: that command line instead of the recorder's), and an environment of each strategy.
 */
async function config(current: string | undefined, opts: { env?: string; command?: string } = {}) {
  const yaml = opts.command
    ? target.targetYaml.replace(currentLine, `    current: ${opts.command}\n`)
    : current === undefined
      ? target.targetYaml.replace(currentLine, '')
      : target.targetYaml;
  const env: Record<string, string> = { ...(current ? { CURRENT: current } : {}) };
  for (const pair of (opts.env ?? '').split(',').filter(Boolean)) {
    const [k, v] = pair.split('=');
    env[k!] = v!;
  }
  const envBlock = Object.keys(env).length
    ? `  env:\n${Object.entries(env)
        .map(([k, v]) => `    ${k}: ${JSON.stringify(v)}\n`)
        .join('')}`
    : '';
  const path = join(dir, 'deploy.yml');
  writeFileSync(
    path,
    `preset: fast
${yaml}${envBlock}
environments:
  production:
    strategy: { type: canary, slots: [blue, green], steps: [10, 50, 100], pause: 0 }
  resumed:
    strategy: { type: canary, slots: [blue, green], steps: [10, 50, 100], pause: 0 }
    on_orphan: resume
  staging:
    strategy: { type: blue-green, slots: [blue, green], scale_down_delay: 1m }
`,
  );
  return loadConfigFile(path);
}

interface Run {
  summary: ReconcileSummary;
  events: PipelineEvent[];
  marks: string[];
}

async function run(
  cfg: RawConfig,
  store: MemoryStore,
  environment: string,
  extra: Partial<ReconcileOptions> & { owner?: OwnerStatus; now?: () => Date } = {},
): Promise<Run> {
  const events: PipelineEvent[] = [];
  const marks: string[] = [];
  const { owner: status = { state: 'ended', conclusion: 'failure' }, ...rest } = extra;
  const summary = await reconcile({
    config: cfg,
    environments: [environment],
    storeFor: () => store,
    ownerStatus: async () => status,
    actor: 'reconcile:999',
    owner: { kind: 'workflow', runId: '999' },
    reporter: { event: (e) => events.push(e) },
    now: () => at(120_000),
    markDeployment: async ({ id }, state) => void marks.push(`${id}:${state}`),
    ...rest,
  });
  return { summary, events, marks };
}

const logs = (events: PipelineEvent[], level: string) =>
  events.flatMap((e) => (e.type === 'log' && e.level === level ? [e.message] : []));

const only = (r: Run) => {
  assert.equal(r.summary.entries.length, 1, JSON.stringify(r.summary.entries));
  return r.summary.entries[0]!;
};

// ---- teardown of a retired slot ----------------------------------------------------------------------------

// The story: v1 served on blue; v2 went out to green (blue retired, due a minute later); then v3 went out to
// blue again (green retired). v3 serves on blue now. A write user puts back the record written after v2:
// it says v2 is live on green and blue (v1) is due for teardown, which is the slot that serves.
const rolledBackAfterV2 = (): EnvironmentRecord => ({
  ...emptyRecord('o/r', 'staging', at(-3_600_000)),
  seq: 7,
  live: { version: 'v2', slot: 'green', since: at(-3_600_000).toISOString() },
  retired: [{ slot: 'blue', version: 'v1', dueAt: at(-3_500_000).toISOString() }],
});

describe('reconcile checks a teardown against the current command', () => {
  it('a rolled-back record whose teardown would hit the live slot: refused, nothing run or written, exit non-zero', async () => {
    const cfg = await config('{"slot":"blue","version":"v3"}');
    const store = new MemoryStore();
    store.set(rolledBackAfterV2());
    const r = await run(cfg, store, 'staging');

    assert.deepEqual(target.calls(), ['current'], 'asked, and blue was not torn down');
    assert.equal(store.writes.length, 0, 'the record is unchanged');
    const e = only(r);
    assert.equal(e.code, 'current_disagrees');
    assert.equal(e.failed, true);
    assert.equal(r.summary.failed, true);
    assert.deepEqual(e.slots, ['blue']);
    // What the record says, what current reports, what to do.
    assert.match(e.message, /the record says v2 is live on green, and blue \(v1\) is due for teardown/);
    assert.match(e.message, /the current command reports version v3 on slot blue/);
    assert.match(e.message, /blue serves, and it is one of the slots the record has due for teardown/);
    assert.match(e.message, /stale or rolled back \(docs\/state\.md\)/);
    assert.match(e.message, /nothing was done and the record is unchanged/);
    assert.match(e.message, /if the record is right, fix the current command/);
    assert.ok(logs(r.events, 'error').some((m) => /staging: current_disagrees/.test(m)));
  });

  it('a current command that prints only the slot still stops it', async () => {
    const cfg = await config('blue');
    const store = new MemoryStore();
    store.set(rolledBackAfterV2());
    const r = await run(cfg, store, 'staging');
    assert.deepEqual(target.calls(), ['current']);
    assert.equal(store.writes.length, 0);
    assert.deepEqual([only(r).code, only(r).failed], ['current_disagrees', true]);
  });

  it('the same slot but another version (the record is older than what serves): refused', async () => {
    const cfg = await config('{"slot":"green","version":"v4"}');
    const store = new MemoryStore();
    store.set(rolledBackAfterV2());
    const r = await run(cfg, store, 'staging');
    assert.deepEqual(target.calls(), ['current']);
    assert.equal(store.writes.length, 0);
    assert.equal(only(r).code, 'current_disagrees');
    assert.match(only(r).message, /the record names no version v4 \(only v2\)/);
  });

  it('current reporting nothing live while the record says v2 serves: refused', async () => {
    const cfg = await config(undefined, { command: JSON.stringify([process.execPath, '-e', '']) });
    const store = new MemoryStore();
    store.set(rolledBackAfterV2());
    const r = await run(cfg, store, 'staging');
    assert.equal(store.writes.length, 0);
    assert.equal(only(r).code, 'current_disagrees');
    assert.match(only(r).message, /reports nothing live \(while the record names a release that serves\)/);
  });

  it('record and current agree: the due slot is torn down, the log says they were compared', async () => {
    const cfg = await config('{"slot":"green","version":"v2"}');
    const store = new MemoryStore();
    store.set(rolledBackAfterV2());
    const r = await run(cfg, store, 'staging');
    assert.deepEqual(target.calls(), ['current', 'teardown blue']);
    assert.deepEqual([only(r).code, only(r).failed], ['slot_torn_down', false]);
    assert.deepEqual(store.writes.at(-1)!.retired, []);
    assert.ok(
      logs(r.events, 'info').some((m) =>
        /current command reports version v2 on slot green, which agrees with the record/.test(m),
      ),
    );
  });

  it('current failing is an error, not agreement: nothing torn down, exit non-zero', async () => {
    const cfg = await config('{"slot":"green","version":"v2"}', { env: 'FAIL_ON=current' });
    const store = new MemoryStore();
    store.set(rolledBackAfterV2());
    const r = await run(cfg, store, 'staging');
    assert.deepEqual(target.calls(), ['current']);
    assert.equal(store.writes.length, 0);
    const e = only(r);
    assert.deepEqual([e.code, e.failed, r.summary.failed], ['current_failed', true, true]);
    assert.match(e.message, /the current command failed \(target\.commands\.current .* exited with code 1/);
    assert.match(e.message, /tearing down blue \(v1\) was not done/);
  });

  it('current timing out is an error, not agreement', async () => {
    const hang = JSON.stringify([process.execPath, '-e', 'setTimeout(() => {}, 60000)']);
    const cfg = await config(undefined, { command: `{ run: ${hang}, timeout: 300ms }` });
    const store = new MemoryStore();
    store.set(rolledBackAfterV2());
    const r = await run(cfg, store, 'staging');
    assert.deepEqual(target.calls(), [], 'no teardown');
    assert.equal(store.writes.length, 0);
    assert.deepEqual([only(r).code, only(r).failed], ['current_failed', true]);
    assert.match(only(r).message, /timed out/);
  });

  it('current printing broken JSON is an error', async () => {
    const cfg = await config('{"slot": "green",');
    const store = new MemoryStore();
    store.set(rolledBackAfterV2());
    const r = await run(cfg, store, 'staging');
    assert.deepEqual(target.calls(), ['current']);
    assert.equal(only(r).code, 'current_failed');
    assert.match(only(r).message, /invalid JSON/);
  });

  it('no current command: the record alone decides, as before, and the log says it was not cross-checked', async () => {
    const cfg = await config(undefined);
    const store = new MemoryStore();
    store.set(rolledBackAfterV2());
    const r = await run(cfg, store, 'staging');
    assert.deepEqual(target.calls(), ['teardown blue']);
    assert.equal(only(r).code, 'slot_torn_down');
    assert.ok(
      logs(r.events, 'warn').some((m) =>
        /staging: the record was not cross-checked: the target has no current command, so tearing down blue \(v1\) relies on the record alone/.test(
          m,
        ),
      ),
      logs(r.events, 'warn').join('\n'),
    );
  });
});

// ---- rollouts in the record ------------------------------------------------------------------------------

/** A canary of v2 to green at 50 %, v1 stable on blue, as its write-ahead recorded it. */
function canary(cfg: RawConfig, environment: string, index = 4): Rollout {
  const env = resolveEnvironment(cfg, environment);
  const machine = createStrategy(env.strategy, capabilitiesOf(env), { slot: 'blue', version: 'v1' });
  const strategyState = { plan: machine.plan, index, holds: 0 };
  const step = machine.plan[index]!.step;
  return {
    deploymentId: '77',
    version: 'v2',
    strategy: 'canary',
    phase: 'production',
    step: index,
    steps: machine.plan.length,
    weight: step.kind === 'set_weight' ? step.weight : undefined,
    startedAt: T0.toISOString(),
    owner: { kind: 'workflow', runId: '123' },
    stableSlot: 'blue',
    newSlot: 'green',
    recovery: machine.rollback(strategyState),
    strategyState,
  };
}

function withRollout(environment: string, rollout: Rollout): EnvironmentRecord {
  return {
    ...emptyRecord('o/r', environment, at(-3_600_000)),
    seq: 4,
    live: { version: 'v1', slot: 'blue', since: at(-3_600_000).toISOString() },
    rollout,
  };
}

// The story: run 123's canary of v2 failed and rolled itself back; v3 went out to green since and serves.
// Its mid-rollout record (check-run text) put back shows an orphan: rolling it back would send all traffic
// to blue (v1, or nothing) and tear green, which serves v3, down.
const V3_ON_GREEN = '{"slot":"green","version":"v3"}';

describe('reconcile checks an orphan rollback and a resume against the current command', () => {
  it('an orphan rollback on a rolled-back record: refused, no traffic moved, the rollout kept', async () => {
    const cfg = await config(V3_ON_GREEN);
    const store = new MemoryStore();
    store.set(withRollout('production', canary(cfg, 'production')));
    const r = await run(cfg, store, 'production');
    assert.deepEqual(target.calls(), ['current'], 'no set_weight, no teardown');
    assert.equal(store.writes.length, 0);
    assert.deepEqual(r.marks, [], 'the deployment is not marked');
    const e = only(r);
    assert.deepEqual([e.code, e.failed, e.version], ['current_disagrees', true, 'v2']);
    assert.match(
      e.message,
      /the record says v1 is live on blue, with the canary rollout of v2 to green unfinished, but the current command reports version v3 on slot green \(the record names no version v3 \(only v1, v2\)\)/,
    );
    assert.match(e.message, /rolling back the orphaned rollout of v2 on it could take down what serves now/);
  });

  it('current naming the rollout’s new slot and version (the canary had most of the traffic) agrees: rolled back', async () => {
    const cfg = await config('{"slot":"green","version":"v2"}');
    const store = new MemoryStore();
    store.set(withRollout('production', canary(cfg, 'production')));
    const r = await run(cfg, store, 'production');
    assert.deepEqual(target.calls(), ['current', 'set_weight green 0', 'teardown green']);
    assert.deepEqual([only(r).code, only(r).failed], ['orphan_rolled_back', false]);
  });

  it('current failing before an orphan rollback: nothing done, an error', async () => {
    const cfg = await config('{"slot":"blue","version":"v1"}', { env: 'FAIL_ON=current' });
    const store = new MemoryStore();
    store.set(withRollout('production', canary(cfg, 'production')));
    const r = await run(cfg, store, 'production');
    assert.deepEqual(target.calls(), ['current']);
    assert.equal(store.writes.length, 0);
    assert.deepEqual([only(r).code, only(r).failed], ['current_failed', true]);
  });

  it('on_orphan: resume on a rolled-back record: refused before the claim is written', async () => {
    const cfg = await config(V3_ON_GREEN);
    const store = new MemoryStore();
    store.set(withRollout('resumed', canary(cfg, 'resumed')));
    const r = await run(cfg, store, 'resumed');
    assert.deepEqual(target.calls(), ['current']);
    assert.equal(store.writes.length, 0, 'not claimed by this run');
    assert.deepEqual([only(r).code, only(r).failed], ['current_disagrees', true]);
    assert.match(only(r).message, /resuming the orphaned rollout of v2 on it/);
  });

  it('on_orphan: resume with record and current agreeing goes on to 100 %', async () => {
    const cfg = await config('{"slot":"blue","version":"v1"}');
    const store = new MemoryStore();
    store.set(withRollout('resumed', canary(cfg, 'resumed')));
    const r = await run(cfg, store, 'resumed');
    assert.deepEqual([only(r).code, only(r).failed], ['orphan_resumed', false], only(r).message);
    assert.equal(target.calls()[0], 'current');
    assert.equal(store.writes.at(-1)!.live?.version, 'v2');
  });
});

describe('reconcile checks a handed-off rollout against the current command', () => {
  const request = (verb: ControlRequest['verb']): ControlRequest => ({
    id: `comment:${verb}`,
    verb,
    by: 'bob',
    at: at(60_000).toISOString(),
    deploymentId: '77',
    step: 4,
    source: 'comment',
  });
  const handedOff = (cfg: RawConfig): Rollout => ({
    ...canary(cfg, 'production'),
    wait: { kind: 'manual', step: 4, since: T0.toISOString(), handedOff: true },
  });

  for (const verb of ['abort', 'promote'] as const)
    it(`a /${verb} on a rolled-back record: refused, nothing run`, async () => {
      const cfg = await config(V3_ON_GREEN);
      const store = new MemoryStore();
      store.set(withRollout('production', handedOff(cfg)));
      const r = await run(cfg, store, 'production', {
        controlFor: () => ({ poll: async () => ({ changed: true, requests: [request(verb)] }) }),
      });
      assert.deepEqual(target.calls(), ['current']);
      assert.equal(store.writes.length, 0);
      assert.deepEqual([only(r).code, only(r).failed], ['current_disagrees', true]);
      assert.match(
        only(r).message,
        verb === 'abort' ? /rolling back the rollout of v2 on it/ : /going on with the rollout of v2 on it/,
      );
    });

  it('a bake whose metrics ask for a rollback, on a rolled-back record: refused, traffic not moved', async () => {
    const cfg = await config(V3_ON_GREEN);
    const store = new MemoryStore();
    // Step 4 (index 3) is the analysis after 10 %: the bake waits there until tomorrow.
    const rollout: Rollout = {
      ...canary(cfg, 'production', 3),
      wait: {
        kind: 'bake',
        step: 3,
        since: T0.toISOString(),
        until: at(86_400_000).toISOString(),
        handedOff: true,
      },
    };
    store.set(withRollout('production', rollout));
    let looks = 0;
    const r = await run(cfg, store, 'production', {
      analyzerFor: () => ({
        evaluate: async () => (looks++, { ok: false, reason: 'error rate 9 %', analysis: 'rollback' }),
      }),
    });
    assert.equal(looks, 1);
    assert.deepEqual(target.calls(), ['current']);
    assert.equal(store.writes.length, 0);
    assert.deepEqual([only(r).code, only(r).failed], ['current_disagrees', true]);
    assert.match(only(r).message, /rolling back the rollout of v2 on its bake's metrics on it/);
  });
});

describe('disagreement: what counts as the record and current disagreeing', () => {
  const rec = rolledBackAfterV2();
  const teardown = teardownClaim(rec, rec.retired);
  const rollout = rolloutClaim(withRollout('p', { ...canaryShape() }), canaryShape(), 'x');

  function canaryShape(): Rollout {
    return {
      deploymentId: '1',
      version: 'v2',
      strategy: 'canary',
      phase: 'production',
      step: 2,
      steps: 8,
      startedAt: T0.toISOString(),
      owner: { kind: 'workflow', runId: '1' },
      stableSlot: 'blue',
      newSlot: 'green',
      recovery: [],
    };
  }

  it('compares only what both say', () => {
    assert.equal(disagreement({ slot: 'green', version: 'v2' }, teardown), undefined);
    assert.equal(disagreement({ slot: 'green' }, teardown), undefined);
    assert.equal(disagreement({ version: 'v2' }, teardown), undefined);
    assert.match(disagreement({ slot: 'blue' }, teardown)!, /blue serves/);
    assert.match(disagreement({ version: 'v1' }, teardown)!, /no version v1/);
    assert.match(disagreement({}, teardown)!, /the record names a release that serves/);
  });

  it('mid-rollout, the stable or the new slot and version may serve; anything else may not', () => {
    for (const ok of [
      { slot: 'blue', version: 'v1' },
      { slot: 'green', version: 'v2' },
      { slot: 'green', version: 'v1' },
    ])
      assert.equal(disagreement(ok, rollout), undefined, JSON.stringify(ok));
    assert.match(disagreement({ slot: 'purple' }, rollout)!, /no slot purple \(only blue, green\)/);
    assert.match(disagreement({ slot: 'green', version: 'v3' }, rollout)!, /no version v3/);
  });

  it('a record with nothing live (a first deployment) agrees with an empty answer', () => {
    const first = rolloutClaim(
      { ...emptyRecord('o/r', 'p', T0), seq: 1 },
      { ...canaryShape(), stableSlot: undefined },
      'x',
    );
    assert.equal(disagreement({}, first), undefined);
    assert.equal(disagreement({ slot: 'green', version: 'v2' }, first), undefined);
    assert.match(disagreement({ slot: 'blue' }, first)!, /no slot blue/);
  });

  it('a first rollout over a release this tool did not make (nothing live in the record): the stable slot may serve any version', () => {
    const brownfield = rolloutClaim({ ...emptyRecord('o/r', 'p', T0), seq: 1 }, canaryShape(), 'x');
    assert.equal(disagreement({ slot: 'blue', version: 'v1' }, brownfield), undefined);
    assert.equal(disagreement({ slot: 'green', version: 'v2' }, brownfield), undefined);
    assert.match(disagreement({ slot: 'purple', version: 'v1' }, brownfield)!, /no slot purple/);
  });
});
