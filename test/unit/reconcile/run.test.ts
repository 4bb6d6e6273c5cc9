// The reconcile executor against the recorded command target (real processes, every call logged) and an
// in-memory store: what runs, in which order, and what the record says afterwards.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { loadConfigFile } from '../../../src/config/load.ts';
import { resolveEnvironment } from '../../../src/config/resolve.ts';
import type { RawConfig } from '../../../src/config/schema.ts';
import type { PipelineEvent } from '../../../src/pipeline/events.ts';
import { runPipeline } from '../../../src/pipeline/pipeline.ts';
import { recordRefusal } from '../../../src/pipeline/machine/records.ts';
import { capabilitiesOf } from '../../../src/pipeline/step-runner.ts';
import type { OwnerStatus } from '../../../src/reconcile/decide.ts';
import {
  reconcile,
  UnknownEnvironmentsError,
  type ReconcileEntry,
  type ReconcileOptions,
} from '../../../src/reconcile/run.ts';
import { emptyRecord, type EnvironmentRecord, type Rollout } from '../../../src/state/record.ts';
import type { StateRead, StateStore } from '../../../src/state/store.ts';
import { createStrategy } from '../../../src/strategies/index.ts';
import { position } from '../../../src/cli/control.ts';
import { recordedTarget, recorder, type RecordedTarget } from '../../helpers/recorded-target.ts';

const T0 = new Date('2026-03-01T12:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

/** The records of several environments, as a store would hand them out; every write kept. */
class MemoryStore implements StateStore {
  readonly reads = new Map<string, StateRead>();
  readonly writes: EnvironmentRecord[] = [];
  failWrites = false;
  set(record: EnvironmentRecord) {
    this.reads.set(record.environment, { ok: true, record, source: 'memory' });
  }
  async read(environment: string): Promise<StateRead> {
    return this.reads.get(environment) ?? { ok: true, record: undefined, source: 'memory' };
  }
  async write(record: EnvironmentRecord): Promise<void> {
    if (this.failWrites) throw new Error('the store is down');
    this.writes.push(record);
    this.set(record);
  }
  current(environment: string): EnvironmentRecord | undefined {
    const r = this.reads.get(environment);
    return r?.ok ? r.record : undefined;
  }
}

const canaryAt50: Rollout = {
  deploymentId: '77',
  version: 'v2',
  strategy: 'canary',
  phase: 'production',
  step: 9,
  steps: 14,
  weight: 50,
  startedAt: T0.toISOString(),
  owner: { kind: 'workflow', runId: '123' },
  stableSlot: 'blue',
  newSlot: 'green',
  recovery: [
    { kind: 'set_weight', slot: 'green', stableSlot: 'blue', weight: 0 },
    { kind: 'teardown', slot: 'green' },
  ],
};

function record(environment: string, change: Partial<EnvironmentRecord>): EnvironmentRecord {
  return {
    ...emptyRecord('o/r', environment, at(-3_600_000)),
    seq: 4,
    live: { version: 'v1', slot: 'blue', since: at(-3_600_000).toISOString() },
    ...change,
  };
}

let dir: string;
let target: RecordedTarget;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'reconcile-'));
  target = recordedTarget(dir);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** What the target's `current` command prints: the record's live release unless a test says otherwise. */
const LIVE_BLUE = { CURRENT: '{"slot":"blue","version":"v1"}' };
const LIVE_GREEN = { CURRENT: '{"slot":"green","version":"v2"}' };

/** The target's `env:` block (CURRENT, FAIL_ON, ... for test/helpers/record-target.pl). */
function targetEnv(env: Record<string, string>): string {
  const lines = Object.entries(env).map(([k, v]) => `    ${k}: ${JSON.stringify(v)}\n`);
  return lines.length ? `  env:\n${lines.join('')}` : '';
}

async function config(extra = '', env: Record<string, string> = LIVE_BLUE): Promise<RawConfig> {
  const path = join(dir, 'deploy.yml');
  writeFileSync(
    path,
    `${target.targetYaml}${targetEnv(env)}
environments:
  production:
    strategy: { type: canary, slots: [blue, green] }
${extra}
  staging:
    strategy: { type: blue-green, slots: [blue, green], scale_down_delay: 1m }
`,
  );
  return loadConfigFile(path);
}

interface Harness {
  store: MemoryStore;
  events: PipelineEvent[];
  marks: Array<[string, string, string]>;
  owners: string[];
}

function options(
  cfg: RawConfig,
  store: MemoryStore,
  owner: OwnerStatus,
  now: Date,
  extra: Partial<ReconcileOptions> = {},
): ReconcileOptions & { harness: Harness } {
  const harness: Harness = { store, events: [], marks: [], owners: [] };
  return {
    harness,
    config: cfg,
    storeFor: () => store,
    ownerStatus: async (o) => {
      harness.owners.push(o.kind === 'workflow' ? o.runId : String(o.pid));
      return owner;
    },
    actor: 'reconcile:999',
    owner: { kind: 'workflow', runId: '999' },
    reporter: { event: (e) => harness.events.push(e) },
    now: () => now,
    markDeployment: async ({ id }, state, description) => void harness.marks.push([id, state, description]),
    ...extra,
  };
}

/**
 * The reconcile job cancelled as the rollout goes on, its claim stored: the signal aborts on the log line that
 * says it resumes (one aborted before, the `current` check's answer included, leaves it as it was:
 * reconcile_cancelled).
 */
function cancelledAfterTheCheck<T extends ReconcileOptions>(o: T): T {
  const cancel = new AbortController();
  const report = o.reporter;
  o.signal = cancel.signal;
  o.reporter = {
    event: (e) => {
      report.event(e);
      if (e.type === 'log' && /^resuming the rollout of/.test(e.message)) cancel.abort();
    },
  };
  return o;
}

/**
 * A kept rollout without its failureNotified, which is checked on its own: the key of the failure the deployment's
 * status (marked by these tests) told, so the next reconcile failing the same way neither marks nor notifies again.
 */
function withoutFailureKey(rollout: unknown): unknown {
  const { failureNotified, ...rest } = rollout as { failureNotified?: unknown };
  // No notifier here: told by the status alone, the notifications still owe it.
  assert.match(String(failureNotified), /^[0-9a-f]{32}:status$/, 'the failure the status told is kept');
  return rest;
}

describe('reconcile: an orphaned canary at 50 %', () => {
  it('names the rolled-back commit in its history entry (what `requires` reads to stop counting it)', async () => {
    const cfg = await config();
    const store = new MemoryStore();
    const sha = 'a'.repeat(40);
    store.set(record('production', { rollout: { ...canaryAt50, sha } }));
    await reconcile(
      options(cfg, store, { state: 'ended', conclusion: 'cancelled' }, T0, { environments: ['production'] }),
    );
    const last = store.writes.at(-1)!.history.at(-1)!;
    assert.deepEqual([last.event, last.sha], ['orphan_rolled_back', sha]);
    // Its write-ahead too, as the pipeline's own rollback_started does: `requires` reads an entry with no commit
    // as naming every release of its version (prior-environments.ts sameRelease and rolledBackSince).
    assert.deepEqual(
      store.writes
        .at(-1)!
        .history.slice(-2)
        .map((h) => [h.event, h.sha]),
      [
        ['rollback_started', sha],
        ['orphan_rolled_back', sha],
      ],
    );
  });

  // The crash deadline's words follow the rollbacks a reconcile reported (pipeline/rollback-seen.ts): an orphan's
  // rollback told its start and never its end (the notifier alone had it), so one that completed read as still
  // going. And a crash said "a rollout in progress goes back" of a reconcile with none in its hands.
  it('reports the rollback it ends as it reported its start, and says while a rollout is in its hands', async () => {
    const cfg = await config();
    const store = new MemoryStore();
    store.set(record('production', { rollout: canaryAt50 }));
    const held: Array<[boolean, number]> = [];
    const o = options(cfg, store, { state: 'ended', conclusion: 'cancelled' }, T0, {
      environments: ['production'],
    });
    o.rolloutInHand = (taken) => void held.push([taken, target.calls().length]);
    await reconcile(o);
    const rollbacks = o.harness.events.filter(
      (e) => e.type === 'rollback-start' || e.type === 'rollback-end',
    );
    assert.deepEqual(
      rollbacks.map((e) => e.type),
      ['rollback-start', 'rollback-end'],
    );
    const end = rollbacks[1] as Extract<PipelineEvent, { type: 'rollback-end' }>;
    assert.equal(end.record.ok, true);
    // Taken after the `current` check (nothing moved yet), let go once its steps ran.
    assert.deepEqual(held, [
      [true, 1],
      [false, 3],
    ]);
  });

  it('runs the recovery steps in order, clears the rollout, writes history, marks the deployment', async () => {
    const cfg = await config();
    const store = new MemoryStore();
    store.set(record('production', { rollout: canaryAt50 }));
    const o = options(cfg, store, { state: 'ended', conclusion: 'cancelled' }, T0, {
      environments: ['production'],
    });
    const summary = await reconcile(o);

    assert.deepEqual(target.calls(), ['current', 'set_weight green 0', 'teardown green']);
    assert.equal(summary.failed, false);
    assert.deepEqual(
      summary.entries.map((e) => [e.environment, e.code, e.failed]),
      [['production', 'orphan_rolled_back', false]],
    );
    assert.deepEqual(
      summary.entries[0]!.steps.map((s) => [s.description, s.result.ok]),
      [
        ['set weight green=0% blue=100%', true],
        ['teardown on green', true],
      ],
    );
    // Write-ahead: the record says a rollback began before any step runs (phase rollback: never resumed).
    assert.equal(store.writes.length, 2);
    const ahead = store.writes[0]!;
    assert.equal(ahead.seq, 5);
    assert.deepEqual(ahead.rollout, { ...canaryAt50, phase: 'rollback' });
    assert.deepEqual(
      [ahead.history.at(-1)!.event, ahead.history.at(-1)!.code],
      ['rollback_started', 'orphan_rollback'],
    );
    const written = store.writes[1]!;
    assert.equal(written.rollout, undefined);
    assert.equal(written.seq, 6);
    assert.deepEqual(written.live, record('production', {}).live, 'stable stays live');
    const last = written.history.at(-1)!;
    assert.equal(last.event, 'orphan_rolled_back');
    assert.equal(last.code, 'orphan_rollback');
    assert.equal(last.by, 'reconcile:999');
    assert.equal(last.version, 'v2');
    assert.equal(last.at, T0.toISOString());
    assert.match(last.detail!, /workflow run 123 ended \(cancelled\)/);
    assert.deepEqual(o.harness.owners, ['123']);
    assert.equal(o.harness.marks.length, 1);
    const [id, state, description] = o.harness.marks[0]!;
    assert.equal(id, '77');
    assert.equal(state, 'failure');
    assert.match(description, /^Rolled back by reconcile: .*workflow run 123 ended/);
    assert.ok(description.length <= 140);
  });

  it('a failed recovery step is reported, the teardown of the slot that may still serve is held back, the rollout stays for the next try', async () => {
    const cfg = await config('', { ...LIVE_BLUE, FAIL_ON: 'set_weight:green' });
    const store = new MemoryStore();
    store.set(record('production', { rollout: canaryAt50 }));
    const o = options(cfg, store, { state: 'ended', conclusion: 'failure' }, T0, {
      environments: ['production'],
    });
    const summary = await reconcile(o);

    assert.deepEqual(
      target.calls(),
      ['current', 'set_weight green 0'],
      'green may still take traffic: not torn down',
    );
    assert.equal(summary.failed, true);
    const e = summary.entries[0]!;
    assert.equal(e.code, 'orphan_rollback_failed');
    assert.equal(e.failed, true);
    assert.match(e.message, /set weight green=0% blue=100%, teardown on green failed; check production now/);
    const written = store.writes.at(-1)!;
    assert.deepEqual(
      withoutFailureKey(written.rollout),
      { ...canaryAt50, phase: 'rollback' },
      'kept, so the next reconcile tries again, as a rollback (never resumed)',
    );
    assert.equal(written.history.at(-1)!.event, 'orphan_rollback_failed');
    assert.equal(o.harness.marks[0]![1], 'error');
  });

  it('traffic put back and only the teardown failed: the rollout kept says no traffic goes to the new version', async () => {
    // It kept the orphan's 50 %: status said "phase rollback, step 10/14 (50 % on the new version)" while blue
    // took it all (the deployment run's own rollback keeps weight 0 there: machine/rollback.ts).
    const cfg = await config('', { ...LIVE_BLUE, FAIL_ON: 'teardown:green' });
    const store = new MemoryStore();
    store.set(record('production', { rollout: canaryAt50 }));
    const summary = await reconcile(
      options(cfg, store, { state: 'ended', conclusion: 'failure' }, T0, { environments: ['production'] }),
    );
    assert.deepEqual(target.calls(), ['current', 'set_weight green 0', 'teardown green']);
    assert.equal(summary.entries[0]!.code, 'orphan_rollback_failed');
    // Its recovery is what is left to undo (the teardown), as the deployment run's rollback keeps it.
    assert.deepEqual(withoutFailureKey(store.writes.at(-1)!.rollout), {
      ...canaryAt50,
      phase: 'rollback',
      weight: 0,
      recovery: [{ kind: 'teardown', slot: 'green' }],
    });
    assert.match(position(store.writes.at(-1)!.rollout!), /\(0 % on the new version\)$/);
  });

  it('a rollback whose teardown failed: the next reconcile runs only the teardown, not the traffic step that went back', async () => {
    // It kept the whole recovery: the next reconcile set green to 0 % again, and a teardown that cannot succeed
    // a second time (its slot already gone) kept the rollout, refusing deployments, for good.
    const store = new MemoryStore();
    store.set(record('production', { rollout: canaryAt50 }));
    const failing = await config('', { ...LIVE_BLUE, FAIL_ON: 'teardown:green' });
    const first = await reconcile(
      options(failing, store, { state: 'ended', conclusion: 'failure' }, T0, {
        environments: ['production'],
      }),
    );
    assert.equal(first.entries[0]!.code, 'orphan_rollback_failed');
    // The next deployment is refused, saying what is left, and that traffic is back (not "may still be split").
    const refusal = recordRefusal(
      { name: 'production', target: {} },
      { ok: true, record: store.current('production') },
    );
    assert.equal(refusal?.kind, 'unfinished');
    assert.match(
      refusal!.message,
      /^production has the rollout of v2 .*being rolled back: its traffic is back on the stable version, but its rollback left teardown on green undone\. Nothing was deployed; reconcile runs what is left/,
    );
    assert.doesNotMatch(refusal!.message, /traffic may still be split/);

    const calls = target.calls().length;
    const again = await reconcile(
      options(await config(), store, { state: 'ended', conclusion: 'failure' }, at(300_000), {
        environments: ['production'],
      }),
    );
    assert.deepEqual(target.calls().slice(calls), ['current', 'teardown green']);
    assert.equal(again.entries[0]!.code, 'orphan_rolled_back');
    assert.match(again.entries[0]!.message, /1 recovery step\(s\)/);
    assert.equal(store.current('production')!.rollout, undefined, 'done: nothing left to undo');
  });

  it('a rollback whose steps went back and whose level failed keeps only the level: the next deployment is refused as that', async () => {
    const fail = JSON.stringify([process.execPath, '-e', 'process.exit(3)']);
    const cfg = await config(`    hooks:\n      on_rollback:\n        - { name: config, run: ${fail} }`);
    const store = new MemoryStore();
    store.set(record('production', { rollout: canaryAt50 }));
    await reconcile(
      options(cfg, store, { state: 'ended', conclusion: 'failure' }, T0, { environments: ['production'] }),
    );
    const kept = store.current('production')!;
    assert.deepEqual(kept.rollout!.recovery, []);
    assert.deepEqual(kept.rollout!.levelsUndone, ['level config']);
    // Not "its traffic may still be split": every step went back, only the level is left.
    const refusal = recordRefusal({ name: 'production', target: {} }, { ok: true, record: kept });
    assert.equal(refusal?.kind, 'unfinished');
    assert.match(refusal!.message, /which was rolled back, but its rollback left level config undone/);
    assert.doesNotMatch(refusal!.message, /traffic may still be split/);
  });

  it("a rollback level naming {{previous_version}} with no earlier version known: its failure says why and what to do, as the run's levels do", async () => {
    const level = JSON.stringify([...recorder, target.log, 'restore', '{{previous_version}}']);
    const cfg = await config(`    hooks:\n      on_rollback:\n        - { name: restore, run: ${level} }`, {
      CURRENT: '{"slot":"blue"}',
    });
    const store = new MemoryStore();
    // A first deployment's rollout: nothing live recorded, no stable version named.
    store.set(record('production', { live: undefined, rollout: canaryAt50 }));
    const opts = options(cfg, store, { state: 'ended', conclusion: 'failure' }, T0, {
      environments: ['production'],
    });
    await reconcile(opts);
    assert.ok(!target.calls().includes('restore'), 'not run');
    const said = opts.harness.events.flatMap((e) => (e.type === 'log' ? [e.message] : [])).join('\n');
    // It said only "{{previous_version}} has no value here".
    assert.match(
      said,
      /rollback level restore failed: .*\{\{previous_version\}\} has no value here: no earlier version of production is recorded or reported live/,
    );
  });

  it('the rollback levels run after the recovery steps, and a failed level fails the rollback', async () => {
    const fail = JSON.stringify([process.execPath, '-e', 'process.exit(3)']);
    const flag = JSON.stringify([...recorder, target.log, 'flag', 'off']);
    const cfg = await config(
      `    hooks:\n      on_rollback:\n        - { name: flag, run: ${flag} }\n        - { name: config, run: ${fail} }`,
    );
    const store = new MemoryStore();
    store.set(record('production', { rollout: canaryAt50 }));
    const summary = await reconcile(
      options(cfg, store, { state: 'ended', conclusion: 'failure' }, T0, { environments: ['production'] }),
    );
    assert.deepEqual(target.calls(), ['current', 'set_weight green 0', 'teardown green', 'flag off']);
    assert.equal(summary.entries[0]!.code, 'orphan_rollback_failed');
    assert.match(summary.entries[0]!.message, /rollback level config failed/);
    // And says what that refuses, and the way out of a level that cannot succeed (the config's levels run).
    assert.match(
      summary.entries[0]!.message,
      /check production now; the rollout stays in the record: a reconcile runs the on_rollback levels again .*until then a deployment of production is refused \(rollout_unfinished\)\. A level that cannot succeed: fix its run or verify in deploy\.yml/,
    );
    // The rollout stays, and says which level is still undone (as the deployment run's rollback keeps it);
    // its traffic steps went back: none on the new version.
    assert.deepEqual(withoutFailureKey(store.writes.at(-1)!.rollout), {
      ...canaryAt50,
      phase: 'rollback',
      weight: 0,
      recovery: [],
      levelsUndone: ['level config'],
    });
  });

  it('a rollout kept for an undone rollback level: the next reconcile runs the levels, and once done drops it', async () => {
    const flag = JSON.stringify([...recorder, target.log, 'flag', 'off']);
    const cfg = await config(`    hooks:\n      on_rollback:\n        - { name: flag, run: ${flag} }`);
    const store = new MemoryStore();
    // Left by a deployment run whose traffic steps went back and whose level failed: nothing but the level.
    store.set(
      record('production', { rollout: { ...canaryAt50, recovery: [], levelsUndone: ['level flag'] } }),
    );
    const summary = await reconcile(
      options(cfg, store, { state: 'ended', conclusion: 'failure' }, T0, { environments: ['production'] }),
    );
    assert.deepEqual(target.calls(), ['current', 'flag off']);
    assert.equal(summary.entries[0]!.code, 'orphan_rolled_back');
    assert.equal(store.writes.at(-1)!.rollout, undefined, 'done: nothing left to undo');
    // Said as what it is: the rest of a rollback done, not an orphan found and rolled back a second time.
    assert.match(
      summary.entries[0]!.message,
      /^ran the rollback of the rolled-back rollout of v2 again \(its rollback left level flag undone\): 0 recovery step\(s\) and the on_rollback levels done, traffic on .*; the rollout is dropped from the record$/,
    );
    assert.doesNotMatch(summary.entries[0]!.message, /orphaned/);
  });

  it('the rollback levels escalate only as needed: a failed verify goes on, a passed one (health on the stable slot) skips the rest', async () => {
    const call = (...args: string[]) => JSON.stringify([...recorder, target.log, ...args]);
    const cfg = await config(
      `    hooks:\n      on_rollback:\n` +
        `        - { name: flag, run: ${call('flag', 'off')}, verify: ${call('flag-check')} }\n` +
        `        - { name: config, run: ${call('config', 'previous')}, verify: health }\n` +
        `        - { name: code, run: ${call('code', 'revert')} }`,
      { ...LIVE_BLUE, FAIL_ON: 'flag-check' },
    );
    const store = new MemoryStore();
    store.set(record('production', { rollout: canaryAt50 }));
    const summary = await reconcile(
      options(cfg, store, { state: 'ended', conclusion: 'failure' }, T0, { environments: ['production'] }),
    );
    assert.deepEqual(target.calls(), [
      'current',
      'set_weight green 0',
      'teardown green',
      'flag off',
      'flag-check',
      'config previous',
      'health blue',
    ]);
    assert.equal(summary.entries[0]!.code, 'orphan_rolled_back');
    assert.equal(summary.failed, false);
  });

  it('the owner still running: nothing runs, nothing is written', async () => {
    const cfg = await config();
    const store = new MemoryStore();
    store.set(record('production', { rollout: canaryAt50 }));
    const summary = await reconcile(
      options(cfg, store, { state: 'running' }, T0, { environments: ['production'] }),
    );
    assert.deepEqual(target.calls(), []);
    assert.equal(store.writes.length, 0);
    assert.deepEqual(
      summary.entries.map((e) => [e.code, e.failed]),
      [['owner_running', false]],
    );
  });

  it('the owner unknown: left alone and reported, not a failure', async () => {
    const cfg = await config();
    const store = new MemoryStore();
    store.set(record('production', { rollout: canaryAt50 }));
    const o = options(cfg, store, { state: 'unknown', reason: 'HTTP 500' }, T0, {
      environments: ['production'],
    });
    const summary = await reconcile(o);
    assert.deepEqual(target.calls(), []);
    assert.equal(store.writes.length, 0);
    assert.equal(summary.entries[0]!.code, 'owner_unknown');
    assert.equal(summary.failed, false);
    assert.ok(
      o.harness.events.some((e) => e.type === 'log' && e.level === 'warn' && /HTTP 500/.test(e.message)),
    );
  });

  it('the owner succeeded yet the rollout is still recorded: state_stale, the good deployment is not rolled back', async () => {
    const cfg = await config();
    const store = new MemoryStore();
    store.set(record('production', { rollout: canaryAt50 }));
    const o = options(cfg, store, { state: 'ended', conclusion: 'success' }, T0, {
      environments: ['production'],
    });
    const summary = await reconcile(o);
    assert.deepEqual(target.calls(), []);
    assert.equal(store.writes.length, 0);
    assert.equal(o.harness.marks.length, 0);
    assert.equal(summary.entries[0]!.code, 'state_stale');
  });

  it('after the rollback, a retired slot that is due is torn down in the same run', async () => {
    const cfg = await config();
    const store = new MemoryStore();
    // A recovery that does not tear green down (one that does owns that teardown: the entry goes with it,
    // below).
    const trafficOnly = { ...canaryAt50, recovery: canaryAt50.recovery.slice(0, 1) };
    store.set(
      record('production', {
        rollout: trafficOnly,
        retired: [{ slot: 'green', version: 'v0', dueAt: at(-1).toISOString() }],
      }),
    );
    const summary = await reconcile(
      options(cfg, store, { state: 'ended', conclusion: 'failure' }, T0, { environments: ['production'] }),
    );
    assert.deepEqual(target.calls(), ['current', 'set_weight green 0', 'current', 'teardown green']);
    assert.deepEqual(
      summary.entries.map((e) => e.code),
      ['orphan_rolled_back', 'slot_torn_down'],
    );
    const final = store.current('production')!;
    assert.deepEqual(final.retired, []);
    assert.deepEqual(
      final.history.slice(-2).map((h) => h.event),
      ['orphan_rolled_back', 'slot_torn_down'],
    );
    // The rollback's write-ahead, the rollback, the teardown's claim, the teardown.
    assert.equal(final.seq, 8);
  });

  it('the record cannot be stored: reported as failed, the steps it ran are listed', async () => {
    const cfg = await config();
    const store = new MemoryStore();
    store.set(record('production', { rollout: canaryAt50 }));
    store.failWrites = true;
    const summary = await reconcile(
      options(cfg, store, { state: 'ended', conclusion: 'failure' }, T0, { environments: ['production'] }),
    );
    assert.equal(summary.entries[0]!.code, 'state_write_failed');
    assert.equal(summary.entries[0]!.steps.length, 2);
    assert.equal(summary.failed, true);
  });

  it('the rollback cannot be marked in the record: one warning says so, and the rollback goes on', async () => {
    // The write-ahead of phase rollback failed in silence: nothing said the record did not show the rollback
    // begun until the final write, which a reconcile that dies mid-way never makes.
    const cfg = await config();
    const store = new MemoryStore();
    store.set(record('production', { rollout: canaryAt50 }));
    store.failWrites = true;
    const o = options(cfg, store, { state: 'ended', conclusion: 'failure' }, T0, {
      environments: ['production'],
    });
    const summary = await reconcile(o);
    const warnings = o.harness.events.flatMap((e) =>
      e.type === 'log' && e.level === 'warn' && /could not be marked/.test(e.message) ? [e.message] : [],
    );
    assert.deepEqual(warnings, [
      'production: the record could not be marked as being rolled back (phase rollback): the store is down; ' +
        'the rollback goes on (traffic first), and its final write reports the store if it still fails',
    ]);
    assert.deepEqual(
      target.calls().filter((c) => c !== 'current'),
      ['set_weight green 0', 'teardown green'],
      'the rollback ran all the same',
    );
    assert.equal(summary.entries[0]!.code, 'state_write_failed');
  });
});

describe('reconcile: an orphan whose recovery tears down a slot also retired (a record of an earlier version)', () => {
  const greenRetired = { slot: 'green', version: 'v0', dueAt: at(-60_000).toISOString(), deploymentId: '70' };

  it('the recovery owns the teardown: green is torn down once, its entry dropped', async () => {
    const cfg = await config();
    const store = new MemoryStore();
    store.set(record('production', { rollout: canaryAt50, retired: [greenRetired] }));
    const summary = await reconcile(
      options(cfg, store, { state: 'ended', conclusion: 'cancelled' }, T0, { environments: ['production'] }),
    );
    assert.deepEqual(
      target.actingCalls(),
      ['set_weight green 0', 'teardown green'],
      'one teardown of green, not one by the recovery and one for the entry',
    );
    assert.deepEqual(
      summary.entries.map((e) => e.code),
      ['orphan_rolled_back'],
    );
    const last = store.current('production')!;
    assert.equal(last.rollout, undefined);
    assert.deepEqual(last.retired, []);
  });

  it("its teardown failing leaves it to the recovery alone, and the next reconcile's retry is the one teardown", async () => {
    const store = new MemoryStore();
    store.set(record('production', { rollout: canaryAt50, retired: [greenRetired] }));
    const failing = await reconcile(
      options(
        await config('', { ...LIVE_BLUE, FAIL_ON: 'teardown:green' }),
        store,
        { state: 'ended', conclusion: 'failure' },
        T0,
        {
          environments: ['production'],
        },
      ),
    );
    assert.deepEqual(
      failing.entries.map((e) => e.code),
      ['orphan_rollback_failed'],
    );
    const left = store.current('production')!;
    assert.deepEqual(left.rollout?.recovery, [{ kind: 'teardown', slot: 'green' }]);
    assert.deepEqual(left.retired, [], 'not beside the recovery that tears it down');
    const before = target.calls().length;
    const retried = await reconcile(
      options(await config(), store, { state: 'ended', conclusion: 'failure' }, at(60_000), {
        environments: ['production'],
      }),
    );
    assert.deepEqual(
      retried.entries.map((e) => e.code),
      ['orphan_rolled_back'],
    );
    assert.deepEqual(target.actingCalls(before), ['teardown green']);
    assert.deepEqual(store.current('production')!.retired, []);
  });
});

describe('reconcile: a retired blue-green slot', () => {
  const dueAt = at(60_000).toISOString();
  const bg = () =>
    record('staging', {
      live: { version: 'v2', slot: 'green', since: T0.toISOString() },
      retired: [{ slot: 'blue', version: 'v1', dueAt }],
    });

  it('not torn down one ms before its delay has passed', async () => {
    const cfg = await config('', LIVE_GREEN);
    const store = new MemoryStore();
    store.set(bg());
    const summary = await reconcile(
      options(cfg, store, { state: 'running' }, at(59_999), { environments: ['staging'] }),
    );
    assert.deepEqual(target.calls(), []);
    assert.equal(store.writes.length, 0);
    assert.deepEqual(
      summary.entries.map((e) => [e.code, e.message]),
      [['nothing_due', `next teardown due at ${dueAt}`]],
    );
  });

  it('torn down once it is due, and removed from the record', async () => {
    const cfg = await config('', LIVE_GREEN);
    const store = new MemoryStore();
    store.set(bg());
    const o = options(cfg, store, { state: 'running' }, at(60_000), { environments: ['staging'] });
    const summary = await reconcile(o);
    assert.deepEqual(target.calls(), ['current', 'teardown blue']);
    assert.deepEqual(
      summary.entries.map((e) => [e.code, e.failed]),
      [['slot_torn_down', false]],
    );
    const written = store.writes.at(-1)!;
    assert.deepEqual(written.retired, []);
    assert.deepEqual(written.live, bg().live);
    assert.equal(written.history.at(-1)!.event, 'slot_torn_down');
    assert.equal(o.harness.owners.length, 0, 'no owner to ask without a rollout');
    assert.equal(o.harness.marks.length, 0);
  });

  it('the teardown is claimed in the record before its command runs; a claim that cannot be stored (a deployment wrote meanwhile) runs nothing', async () => {
    const cfg = await config('', LIVE_GREEN);
    const store = new MemoryStore();
    store.set(bg());
    await reconcile(options(cfg, store, { state: 'running' }, at(60_000), { environments: ['staging'] }));
    assert.deepEqual(target.calls(), ['current', 'teardown blue']);
    const [claim, done, ...more] = store.writes;
    assert.equal(more.length, 0);
    // A deployment reading the claim never deploys into blue; one that wrote first makes the claim fail.
    assert.deepEqual(
      claim!.retired.map((r) => [r.slot, r.teardown?.by]),
      [['blue', 'reconcile:999']],
    );
    assert.equal(claim!.seq, bg().seq + 1);
    assert.deepEqual(done!.retired, []);

    const racing = new MemoryStore();
    racing.set(bg());
    racing.failWrites = true;
    const before = target.calls().length;
    const summary = await reconcile(
      options(cfg, racing, { state: 'running' }, at(60_000), { environments: ['staging'] }),
    );
    assert.deepEqual(target.calls().slice(before), ['current'], 'no teardown without its claim stored');
    assert.deepEqual(
      summary.entries.map((e) => [e.code, e.failed]),
      [['state_write_failed', true]],
    );
    assert.match(
      summary.entries[0]!.message,
      /^did not tear down blue \(v1\): nothing was run, as the record/,
    );
  });

  it('a deployment never deploys into a slot a reconcile is tearing down: refused, nothing run or written', async () => {
    // Quick windows: without the refusal this run would go all the way.
    const path = join(dir, 'quick.yml');
    writeFileSync(
      path,
      `preset: fast\n${target.targetYaml}${targetEnv(LIVE_GREEN)}\nenvironments:\n  staging:\n    strategy: { type: blue-green, slots: [blue, green], scale_down_delay: 0 }\n    monitor: 0\n`,
    );
    const cfg = await loadConfigFile(path);
    const store = new MemoryStore();
    const claim = { startedAt: T0.toISOString(), by: 'reconcile:7' };
    store.set({ ...bg(), retired: [{ slot: 'blue', version: 'v1', dueAt, teardown: claim }] });
    const result = await runPipeline(
      { env: resolveEnvironment(cfg, 'staging'), version: 'v3', deploymentId: 'd-3' },
      { reporter: { event() {} }, store },
    );
    assert.equal(result.status, 'failed', result.message);
    assert.match(
      result.message,
      /blue \(v1\), the slot this run would deploy into, is being torn down by reconcile:7 \(since 2026-03-01T12:00:00\.000Z\)/,
    );
    assert.deepEqual(target.actingCalls(), []);
    assert.equal(store.writes.length, 0);
  });

  it('a failed teardown stays in the record for the next run and fails this one', async () => {
    const cfg = await config('', { ...LIVE_GREEN, FAIL_ON: 'teardown:blue' });
    const store = new MemoryStore();
    store.set(bg());
    const summary = await reconcile(
      options(cfg, store, { state: 'running' }, at(60_000), { environments: ['staging'] }),
    );
    assert.deepEqual(target.calls(), ['current', 'teardown blue']);
    // Claimed, then released: blue stays retired, and a deployment may reuse it meanwhile.
    assert.equal(store.writes.length, 2);
    assert.deepEqual(store.current('staging')!.retired, bg().retired);
    assert.deepEqual(
      summary.entries.map((e) => [e.code, e.failed]),
      [['teardown_failed', true]],
    );
  });

  it('a retired entry naming the live slot is dropped, never torn down', async () => {
    const cfg = await config('', LIVE_GREEN);
    const store = new MemoryStore();
    store.set({ ...bg(), retired: [{ slot: 'green', dueAt: T0.toISOString() }] });
    const summary = await reconcile(
      options(cfg, store, { state: 'running' }, at(1), { environments: ['staging'] }),
    );
    assert.deepEqual(target.calls(), ['current'], 'asked, never torn down');
    assert.deepEqual(store.current('staging')!.retired, []);
    assert.match(summary.entries[0]!.message, /kept green, which serves now/);
  });

  it('a retired slot the environment does not list runs no teardown: dropped, and said to be torn down by hand', async () => {
    // {{slot}} may pick the teardown's file or script (kubectl delete -f k8s/{{slot}}/) because it is a slot
    // deploy.yml lists; this name is the record's alone (a record someone else wrote, or slots renamed since).
    const cfg = await config('', LIVE_GREEN);
    const store = new MemoryStore();
    store.set({
      ...bg(),
      retired: [
        { slot: '../production', version: 'v0', dueAt: T0.toISOString() },
        { slot: 'blue', version: 'v1', dueAt: T0.toISOString() },
      ],
    });
    const summary = await reconcile(
      options(cfg, store, { state: 'running' }, at(1), { environments: ['staging'] }),
    );
    assert.deepEqual(target.calls(), ['current', 'teardown blue']);
    assert.deepEqual(store.current('staging')!.retired, []);
    assert.deepEqual(
      summary.entries.map((e) => [e.code, e.failed, e.message]),
      [
        [
          'teardown_failed',
          true,
          "tore down blue (v1): the scale-down delay had passed; did not tear down ../production (v0): not one of staging's slots (blue, green), so no command runs for it; dropped from the retired slots: tear it down by hand",
        ],
      ],
    );
  });
});

describe('reconcile: several environments', () => {
  it('a refused record is skipped with its code; the other environments are still reconciled', async () => {
    const cfg = await config();
    const store = new MemoryStore();
    store.reads.set('staging', {
      ok: false,
      code: 'state_forged',
      message: 'the record is not signed with the environment key',
      source: 'check run 5',
    });
    store.set(record('production', { rollout: canaryAt50 }));
    const summary = await reconcile(options(cfg, store, { state: 'ended', conclusion: 'failure' }, T0));
    assert.deepEqual(
      summary.entries.map((e) => [e.environment, e.code, e.failed]),
      [
        ['production', 'orphan_rolled_back', false],
        ['staging', 'state_forged', false],
      ],
    );
    assert.match(summary.entries[1]!.message, /not acted on/);
    assert.deepEqual(target.calls(), ['current', 'set_weight green 0', 'teardown green']);
    assert.deepEqual(
      store.writes.map((w) => w.environment),
      ['production', 'production'],
      "production's rollback (its write-ahead and its end) only",
    );
  });

  it('a record others may write (state_untrusted) fails the run, after the other environments are reconciled', async () => {
    const cfg = await config();
    const store = new MemoryStore();
    store.reads.set('staging', {
      ok: false,
      code: 'state_untrusted',
      message:
        'its directory /srv/state/records may be written by its group (mode 0775), so its records are not read or written; check them, then `chmod go-w` it',
      source: '/srv/state/records/staging.json',
    });
    store.set(record('production', { rollout: canaryAt50 }));
    const summary = await reconcile(options(cfg, store, { state: 'ended', conclusion: 'failure' }, T0));
    assert.deepEqual(
      summary.entries.map((e) => [e.environment, e.code, e.failed]),
      [
        ['production', 'orphan_rolled_back', false],
        ['staging', 'state_untrusted', true],
      ],
    );
    assert.equal(summary.failed, true, 'reconcile exits 1 (the CLI) and fails the step (the Action)');
    assert.deepEqual(target.calls(), ['current', 'set_weight green 0', 'teardown green']);
    assert.deepEqual(
      store.writes.map((w) => w.environment),
      ['production', 'production'],
      "production's rollback (its write-ahead and its end) only",
    );
  });

  it('an environment with no record yet: nothing due', async () => {
    const cfg = await config();
    const summary = await reconcile(options(cfg, new MemoryStore(), { state: 'running' }, T0));
    assert.deepEqual(
      summary.entries.map((e) => [e.environment, e.code]),
      [
        ['production', 'nothing_due'],
        ['staging', 'nothing_due'],
      ],
    );
  });

  // The crash deadline, coming while a later environment is reconciled, reports the ones done before
  // (util/crash-guard.ts): it said `entries: []` of them.
  it('tells each entry as it is done, before the next environment is read; a failing one and the stray records too', async () => {
    const cfg = await config();
    const store = new MemoryStore();
    const told: string[] = [];
    const read = store.read.bind(store);
    store.read = async (environment) => {
      told.push(`read ${environment}`);
      if (environment === 'production') throw new Error('the store broke');
      return read(environment);
    };
    const summary = await reconcile(
      options(cfg, store, { state: 'running' }, T0, {
        entryDone: (e) => void told.push(`done ${e.environment} ${e.code}`),
        strayRecords: async () => [
          { environment: 'old', code: 'environment_not_in_config', failed: false, message: 'old', steps: [] },
        ],
      }),
    );
    assert.deepEqual(told, [
      'read production',
      'done production internal_error',
      'read staging',
      'done staging nothing_due',
      'done old environment_not_in_config',
    ]);
    assert.equal(summary.entries.length, 3);
  });

  it('an environment that is not in the config is refused before anything is read', async () => {
    const cfg = await config();
    const store = new MemoryStore();
    let reads = 0;
    store.read = async () => (reads++, { ok: true, record: undefined, source: 'memory' });
    await assert.rejects(
      reconcile(options(cfg, store, { state: 'running' }, T0, { environments: ['production', 'prod'] })),
      (e: Error) =>
        e instanceof UnknownEnvironmentsError &&
        /"prod"/.test(e.message) &&
        /the config defines "production" and "staging"/.test(e.message),
    );
    assert.equal(reads, 0);
  });
});

describe('reconcile: records of environments removed from the config', () => {
  const stray = (environment: string, failed: boolean): ReconcileEntry => ({
    environment,
    code: failed ? 'state_untrusted' : 'environment_not_in_config',
    failed,
    message: `${environment}: said by the store`,
    steps: [],
  });

  it('every environment reconciled: they follow the configured ones, each logged as those are; named ones: not looked for', async () => {
    const cfg = await config();
    const o = options(cfg, new MemoryStore(), { state: 'running' }, T0, {
      strayRecords: async () => [stray('old', false), stray('legacy', true)],
    });
    const summary = await reconcile(o);
    assert.deepEqual(
      summary.entries.map((e) => [e.environment, e.code, e.failed]),
      [
        ['production', 'nothing_due', false],
        ['staging', 'nothing_due', false],
        ['old', 'environment_not_in_config', false],
        ['legacy', 'state_untrusted', true],
      ],
    );
    assert.equal(summary.failed, true, 'one others may write fails the run (refusalFails)');
    assert.deepEqual(
      o.harness.events.filter((e) => e.type === 'log').map((e) => [e.level, e.message]),
      [
        ['info', 'reconcile production: nothing_due: no deployment recorded yet'],
        ['info', 'reconcile staging: nothing_due: no deployment recorded yet'],
        ['warn', 'reconcile old: environment_not_in_config: old: said by the store'],
        ['error', 'reconcile legacy: state_untrusted: legacy: said by the store'],
      ],
    );

    // Environments named: only those, the removed ones not looked for.
    let asked = 0;
    const named = await reconcile(
      options(cfg, new MemoryStore(), { state: 'running' }, T0, {
        environments: ['production'],
        strayRecords: async () => (asked++, [stray('legacy', true)]),
      }),
    );
    assert.deepEqual(
      named.entries.map((e) => [e.environment, e.code]),
      [['production', 'nothing_due']],
    );
    assert.equal(named.failed, false);
    assert.equal(asked, 0);
  });
});

describe('reconcile: on_orphan: resume', () => {
  /** A canary of 10 → 50 → 100 % (or `steps`) with no pauses, resumed on its orphan. */
  async function resumeConfig(
    extra = '',
    env: Record<string, string> = LIVE_BLUE,
    steps = '[10, 50, 100]',
  ): Promise<RawConfig> {
    const path = join(dir, 'deploy.yml');
    writeFileSync(
      path,
      `preset: fast
${target.targetYaml}${targetEnv(env)}
environments:
  production:
    strategy: { type: canary, slots: [blue, green], steps: ${steps}, pause: 0 }
    on_orphan: resume
${extra}
`,
    );
    return loadConfigFile(path);
  }

  /** The rollout record the dead run left with `index` in progress, as its write-ahead wrote it. */
  function orphanAt(cfg: RawConfig, index: number): Rollout {
    const env = resolveEnvironment(cfg, 'production');
    const machine = createStrategy(env.strategy, capabilitiesOf(env), { slot: 'blue', version: 'v1' });
    const strategyState = { plan: machine.plan, index, holds: 0 };
    const step = machine.plan[index]!.step;
    return {
      ...canaryAt50,
      step: index,
      steps: machine.plan.length,
      weight: step.kind === 'set_weight' ? step.weight : undefined,
      recovery: machine.rollback(strategyState),
      strategyState,
    };
  }

  it('a claim that cannot be stored: not resumed, nothing run, the record as it was (orphan_resume_failed)', async () => {
    const cfg = await resumeConfig();
    const store = new MemoryStore();
    store.set(record('production', { rollout: orphanAt(cfg, 4) }));
    store.failWrites = true;
    const o = options(cfg, store, { state: 'ended', conclusion: 'failure' }, T0, {
      environments: ['production'],
    });
    const summary = await reconcile(o);
    assert.deepEqual(
      summary.entries.map((e) => [e.code, e.failed]),
      [['orphan_resume_failed', true]],
    );
    assert.match(
      summary.entries[0]!.message,
      /^did not resume the orphaned rollout of v2 \(.*\) from step 5\/8 .*could not be stored \(the store is down\); nothing was run/,
    );
    assert.deepEqual(target.calls(), ['current'], 'nothing but the current check');
    // Nor is the deployment's status touched: it said "Reconcile resumed it: … nothing was run", an error.
    assert.deepEqual(o.harness.marks, []);
  });

  it('a resumed rollout that went all the way but whose final record could not be stored says it resumed it', async () => {
    // state_refused is the claim's refusal (nothing run) and also the final record's (everything run, v2
    // live): "did not resume" said the opposite of what happened to the traffic.
    const cfg = await resumeConfig();
    const store = new MemoryStore();
    store.set(record('production', { rollout: orphanAt(cfg, 4) }));
    const write = store.write.bind(store);
    store.write = async (r) => {
      if (!r.rollout && r.live?.version === 'v2') throw new Error('the store is down');
      return write(r);
    };
    const summary = await reconcile(
      options(cfg, store, { state: 'ended', conclusion: 'failure' }, T0, { environments: ['production'] }),
    );
    assert.deepEqual(
      summary.entries.map((e) => [e.code, e.failed]),
      [['orphan_resume_failed', true]],
    );
    assert.ok(target.calls().includes('set_weight green 100'), target.calls().join(' | '));
    assert.match(
      summary.entries[0]!.message,
      /^resumed the orphaned rollout of v2 .*: v2 is live on production, but/,
    );
  });

  it('an orphaned canary at 50 % goes on from that step to 100 %: live on v2, history orphan_resumed → succeeded', async () => {
    const cfg = await resumeConfig();
    const store = new MemoryStore();
    // Plan: deploy, health, 10 %, analysis, 50 %, analysis, 100 %, analysis. The run died setting 50 %.
    store.set(record('production', { rollout: orphanAt(cfg, 4) }));
    const o = options(cfg, store, { state: 'ended', conclusion: 'failure' }, T0, {
      environments: ['production'],
    });
    const summary = await reconcile(o);

    assert.deepEqual(
      summary.entries.map((e) => [e.code, e.failed]),
      [['orphan_resumed', false]],
      summary.entries[0]?.message,
    );
    // The step in progress again, then only the remaining ones; verify; the old slot torn down (no delay).
    assert.deepEqual(target.calls(), [
      'current',
      'set_weight green 50',
      'health green',
      'set_weight green 100',
      'health green',
      'health green',
      'teardown blue',
    ]);
    const final = store.current('production')!;
    assert.equal(final.rollout, undefined);
    assert.equal(final.live?.version, 'v2');
    assert.equal(final.live?.slot, 'green');
    assert.equal(final.live?.deploymentId, '77');
    assert.equal(final.previous?.version, 'v1');
    const history = final.history.map((h) => `${h.event}:${h.code}`);
    assert.deepEqual(history, ['orphan_resumed:orphan_resume', 'phase:verify', 'succeeded:deployed']);
    const claim = final.history[0]!;
    assert.equal(claim.by, 'reconcile:999');
    assert.match(
      claim.detail!,
      /workflow run 123 ended \(failure\); going on from step 5\/8 \(set weight green=50%/,
    );
    // Every write one more in the sequence from the record judged (4); the first one claims the rollout.
    assert.deepEqual(
      store.writes.map((w) => w.seq),
      store.writes.map((_, i) => 5 + i),
    );
    assert.deepEqual(store.writes[0]!.rollout?.owner, { kind: 'workflow', runId: '999' });
    assert.deepEqual(
      o.harness.marks.map(([id, state]) => [id, state]),
      [['77', 'success']],
    );
    assert.match(summary.entries[0]!.message, /from step 5\/8 .*v2 is live on production/);
  });

  it('a step that fails after the resume: the pipeline rolls back to stable (weight 0, teardown)', async () => {
    const cfg = await resumeConfig('', { ...LIVE_BLUE, FAIL_ON: 'set_weight green 100' });
    const store = new MemoryStore();
    store.set(record('production', { rollout: orphanAt(cfg, 4) }));
    const o = options(cfg, store, { state: 'ended', conclusion: 'failure' }, T0, {
      environments: ['production'],
    });
    const summary = await reconcile(o);

    assert.deepEqual(target.calls(), [
      'current',
      'set_weight green 50',
      'health green',
      'set_weight green 100',
      'set_weight green 0',
      'teardown green',
    ]);
    assert.deepEqual(
      summary.entries.map((e) => [e.code, e.failed]),
      [['orphan_resume_rolled_back', false]],
    );
    const final = store.current('production')!;
    assert.equal(final.rollout, undefined);
    assert.deepEqual(final.live, record('production', {}).live, 'stable stays live');
    assert.deepEqual(
      final.history.map((h) => h.event),
      ['orphan_resumed', 'rollback_started', 'rolled_back'],
    );
    assert.equal(o.harness.marks[0]![1], 'failure');
  });

  it('the reconcile job cancelled during the resume: the pipeline rolls the canary back; a failure', async () => {
    const cfg = await resumeConfig();
    const store = new MemoryStore();
    store.set(record('production', { rollout: orphanAt(cfg, 4) }));
    const o = cancelledAfterTheCheck(
      options(cfg, store, { state: 'ended', conclusion: 'failure' }, T0, { environments: ['production'] }),
    );
    const summary = await reconcile(o);
    assert.deepEqual(target.calls(), ['current', 'set_weight green 0', 'teardown green']);
    assert.deepEqual(
      summary.entries.map((e) => [e.code, e.failed]),
      [['orphan_resume_failed', true]],
    );
    assert.match(summary.entries[0]!.message, /cancelled; rolled back \(traffic on stable\)/);
    const final = store.current('production')!;
    assert.equal(final.rollout, undefined);
    assert.equal(final.live?.version, 'v1');
    assert.deepEqual(
      final.history.map((h) => h.event),
      ['orphan_resumed', 'rollback_started', 'cancelled'],
    );
  });

  it('the reconcile job cancelled with the store hanging: the last writes are waited for as long as it is told', async () => {
    const cfg = await resumeConfig();
    const store = new MemoryStore();
    store.set(record('production', { rollout: orphanAt(cfg, 4) }));
    // The store (GitHub, for the Action) no longer answers: no write ever completes. The job is cancelled
    // while the first of them (the claim) hangs.
    const cancel = new AbortController();
    store.write = () => (cancel.abort(), new Promise<void>(() => {}));
    const asked: string[] = [];
    const o = options(cfg, store, { state: 'ended', conclusion: 'failure' }, T0, {
      environments: ['production'],
      signal: cancel.signal,
      // The Action: what is left of its reporting time once the job is cancelled (cancel-deadline.ts).
      flushTimeoutMs: () => (asked.push('flush'), 40),
    });
    const summary = await reconcile(o);
    assert.deepEqual(target.calls(), ['current', 'set_weight green 0', 'teardown green']);
    assert.deepEqual(
      summary.entries.map((e) => [e.code, e.failed]),
      [['orphan_resume_failed', true]],
    );
    assert.deepEqual(asked, ['flush']);
    const warnings = o.harness.events.flatMap((e) =>
      e.type === 'log' && e.level === 'warn' ? [e.message] : [],
    );
    assert.ok(
      warnings.some((m) => /the state record was not stored within 40 ms; not waiting longer/.test(m)),
      warnings.join('\n'),
    );
  });

  it('the owner still running: not touched (no command, no write)', async () => {
    const cfg = await resumeConfig();
    const store = new MemoryStore();
    store.set(record('production', { rollout: orphanAt(cfg, 4) }));
    const summary = await reconcile(
      options(cfg, store, { state: 'running' }, T0, { environments: ['production'] }),
    );
    assert.deepEqual(target.calls(), []);
    assert.equal(store.writes.length, 0);
    assert.deepEqual(
      summary.entries.map((e) => e.code),
      ['owner_running'],
    );
  });

  it('the record moved on between the decision and the resume: nothing run, nothing written', async () => {
    const cfg = await resumeConfig();
    const store = new MemoryStore();
    const judged = record('production', { rollout: orphanAt(cfg, 4) });
    store.set(judged);
    // The second read (the resume's re-check) sees a newer record: the owner came back and wrote, say.
    const read = store.read.bind(store);
    let reads = 0;
    store.read = async (environment) => {
      reads++;
      const answer = await read(environment);
      return reads === 1
        ? answer
        : { ok: true, record: { ...judged, seq: judged.seq + 1 }, source: 'memory' };
    };
    const o = options(cfg, store, { state: 'ended', conclusion: 'failure' }, T0, {
      environments: ['production'],
    });
    const summary = await reconcile(o);
    assert.equal(reads, 2);
    assert.deepEqual(target.calls(), ['current'], 'asked, then nothing run');
    assert.equal(store.writes.length, 0);
    assert.equal(o.harness.marks.length, 0);
    assert.deepEqual(
      summary.entries.map((e) => [e.code, e.failed]),
      [['orphan_changed', false]],
    );
    assert.match(summary.entries[0]!.message, /write 4, now 5/);
  });

  it('a rollout that cannot be resumed (deploy.yml changed its steps) is rolled back instead, saying why', async () => {
    const rollout = orphanAt(await resumeConfig(), 4);
    const cfg = await resumeConfig('', LIVE_BLUE, '[20, 100]');
    const store = new MemoryStore();
    store.set(record('production', { rollout }));
    const summary = await reconcile(
      options(cfg, store, { state: 'ended', conclusion: 'failure' }, T0, { environments: ['production'] }),
    );
    assert.deepEqual(target.calls(), ['current', 'set_weight green 0', 'teardown green']);
    assert.equal(summary.entries[0]!.code, 'orphan_rolled_back');
    assert.match(
      summary.entries[0]!.message,
      /not resumed: the canary strategy in deploy.yml no longer plans the steps the rollout started with \(step 3: recorded set weight green=10% blue=90%, now set weight green=20% blue=80%\)/,
    );
    assert.equal(store.current('production')!.rollout, undefined);
  });

  it('a rollout whose rollback by reconcile did not complete is rolled back again, never resumed, whatever deploy.yml says then', async () => {
    // The first reconcile could not resume it (its steps changed) and rolled it back: traffic went back to blue,
    // the canary's teardown failed, so the rollout stayed. Once deploy.yml plans the old steps again it was
    // resumable on the record's word (its phase still production): a canary half torn down taken to 100 %.
    const rollout = orphanAt(await resumeConfig(), 4);
    const store = new MemoryStore();
    store.set(record('production', { rollout }));
    const changed = await resumeConfig('', { ...LIVE_BLUE, FAIL_ON: 'teardown:green' }, '[20, 100]');
    const first = await reconcile(
      options(changed, store, { state: 'ended', conclusion: 'failure' }, T0, {
        environments: ['production'],
      }),
    );
    assert.equal(first.entries[0]!.code, 'orphan_rollback_failed');
    assert.equal(store.current('production')!.rollout?.phase, 'rollback');

    const calls = target.calls().length;
    const again = await reconcile(
      options(await resumeConfig(), store, { state: 'ended', conclusion: 'failure' }, at(300_000), {
        environments: ['production'],
      }),
    );
    // Only what the first left undone: its traffic step went back.
    assert.deepEqual(target.calls().slice(calls), ['current', 'teardown green']);
    assert.equal(again.entries[0]!.code, 'orphan_rolled_back');
    // Said as what happened: a rollback begun before (an earlier reconcile's here), not "its run's".
    assert.match(again.entries[0]!.message, /not resumed: a rollback of it had already begun/);
    assert.equal(store.current('production')!.rollout, undefined);
  });

  it('a rollout whose run ended before its first strategy step is rolled back (nothing says where to go on)', async () => {
    const cfg = await resumeConfig();
    const store = new MemoryStore();
    const { strategyState: _, ...early } = orphanAt(cfg, 0);
    store.set(record('production', { rollout: { ...early, step: -1, recovery: [] } }));
    const summary = await reconcile(
      options(cfg, store, { state: 'ended', conclusion: 'failure' }, T0, { environments: ['production'] }),
    );
    assert.deepEqual(target.calls(), ['current']);
    assert.equal(summary.entries[0]!.code, 'orphan_rolled_back');
    assert.match(summary.entries[0]!.message, /not resumed: its run ended before the first strategy step/);
    assert.equal(store.current('production')!.rollout, undefined);
  });
});
