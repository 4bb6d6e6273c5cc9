// `reconcile --adopt-current`: the way out when a record is stale (rolled back by a write user, or the
// infrastructure changed by hand). Reconcile refuses such a record (current_disagrees) and a deployment refuses
// the unfinished rollout it names; adopting writes what the target's `current` command reports as the record of
// ONE environment, through the store, and runs nothing else. The recorded command target (real processes,
// every call logged; CURRENT is what its `current` prints) and an in-memory store.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { loadConfigFile } from '../../../src/config/load.ts';
import type { RawConfig } from '../../../src/config/schema.ts';
import type { PipelineEvent } from '../../../src/pipeline/events.ts';
import type { OwnerStatus } from '../../../src/reconcile/decide.ts';
import {
  reconcile,
  ReconcileUsageError,
  type ReconcileOptions,
  type ReconcileSummary,
} from '../../../src/reconcile/run.ts';
import { InPlaceGitHubStore, type InPlaceStateApi } from '../../../src/reconcile/github-store.ts';
import { renderReconcileSummary } from '../../../src/report/reconcile.ts';
import { bindExternalId, readEnvironmentRecord } from '../../../src/state/github-store.ts';
import { signRecord } from '../../../src/state/signed-record.ts';
import { emptyRecord, type EnvironmentRecord, type Rollout } from '../../../src/state/record.ts';
import type { StateRead, StateStore } from '../../../src/state/store.ts';
import { InternalErrorStop } from '../../../src/util/internal-error-stop.ts';
import { recordedTarget, recorder, type RecordedTarget } from '../../helpers/recorded-target.ts';

const T0 = new Date('2026-03-01T12:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

class MemoryStore implements StateStore {
  read$?: StateRead;
  readonly writes: EnvironmentRecord[] = [];
  failWrites = false;
  set(record: EnvironmentRecord) {
    this.read$ = { ok: true, record, source: 'memory' };
  }
  async read(): Promise<StateRead> {
    return this.read$ ?? { ok: true, record: undefined, source: 'memory' };
  }
  async write(record: EnvironmentRecord): Promise<void> {
    if (this.failWrites) throw new Error('check run update answered 502');
    this.writes.push(record);
    this.set(record);
  }
}

let dir: string;
let target: RecordedTarget;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'reconcile-adopt-'));
  target = recordedTarget(dir);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const currentLine = /^ {4}current: .*\n/m;

/** The recorded target, `current` printing `current` (undefined: no current command; `command`: that one). */
async function config(current: string | undefined, opts: { command?: string } = {}): Promise<RawConfig> {
  const yaml = opts.command
    ? target.targetYaml.replace(currentLine, `    current: ${opts.command}\n`)
    : current === undefined
      ? target.targetYaml.replace(currentLine, '')
      : target.targetYaml;
  const envBlock = current ? `  env:\n    CURRENT: ${JSON.stringify(current)}\n` : '';
  const path = join(dir, 'deploy.yml');
  writeFileSync(
    path,
    `preset: fast
${yaml}${envBlock}
environments:
  production:
    strategy: { type: canary, slots: [blue, green], steps: [10, 50, 100], pause: 0 }
  staging:
    strategy: { type: blue-green, slots: [blue, green], scale_down_delay: 1m }
`,
  );
  return loadConfigFile(path);
}

/** An environment `plain` of the direct strategy (no slots), whose `current` prints `current`. */
async function directConfig(current: string): Promise<RawConfig> {
  const path = join(dir, 'direct.yml');
  const call = (action: string, ...args: string[]) =>
    JSON.stringify([...recorder, target.log, action, ...args]);
  writeFileSync(
    path,
    `preset: fast
target:
  commands:
    deploy: ${call('deploy', '{{version}}')}
    current: ${call('current')}
  env:
    CURRENT: ${JSON.stringify(current)}
environments:
  plain:
    strategy: direct
`,
  );
  return loadConfigFile(path);
}

type Extra = Omit<Partial<ReconcileOptions>, 'owner'> & { owner?: OwnerStatus };

interface Run {
  summary: ReconcileSummary;
  events: PipelineEvent[];
}

async function run(
  cfg: RawConfig,
  store: MemoryStore,
  environment: string | string[] | undefined,
  extra: Extra = {},
): Promise<Run> {
  const events: PipelineEvent[] = [];
  const { owner: status = { state: 'ended', conclusion: 'failure' }, ...rest } = extra;
  const summary = await reconcile({
    config: cfg,
    ...(environment === undefined
      ? {}
      : { environments: Array.isArray(environment) ? environment : [environment] }),
    storeFor: () => store,
    ownerStatus: async () => status,
    actor: 'reconcile:999',
    owner: { kind: 'workflow', runId: '999' },
    reporter: { event: (e) => events.push(e) },
    now: () => at(120_000),
    ...rest,
  });
  return { summary, events };
}

const adopt = (cfg: RawConfig, store: MemoryStore, env: string, extra: Extra = {}) =>
  run(cfg, store, env, { adoptCurrent: true, requestedBy: 'alice via reconcile:999', ...extra });

const only = (r: Run) => {
  assert.equal(r.summary.entries.length, 1, JSON.stringify(r.summary.entries));
  return r.summary.entries[0]!;
};

/** A canary of v2 to green whose run ended, v1 stable on blue, as its write-ahead recorded it. */
const orphan = (): Rollout => ({
  deploymentId: '77',
  version: 'v2',
  strategy: 'canary',
  phase: 'production',
  step: 4,
  steps: 8,
  weight: 50,
  startedAt: T0.toISOString(),
  owner: { kind: 'workflow', runId: '123' },
  stableSlot: 'blue',
  newSlot: 'green',
  recovery: [
    { kind: 'set_weight', slot: 'green', stableSlot: 'blue', weight: 0 },
    { kind: 'teardown', slot: 'green' },
  ],
});

// The story: run 123's canary of v2 failed and rolled itself back; v3 went out to green since and serves.
// A write user put back the mid-rollout record: it names v1 live on blue and the canary of v2 unfinished.
const stale = (): EnvironmentRecord => ({
  ...emptyRecord('o/r', 'production', at(-3_600_000)),
  seq: 4,
  live: { version: 'v1', slot: 'blue', sha: 'a'.repeat(40), since: at(-3_600_000).toISOString() },
  previous: { version: 'v0', slot: 'green', since: at(-7_200_000).toISOString() },
  rollout: orphan(),
  history: [
    {
      at: at(-3_600_000).toISOString(),
      by: 'workflow:100',
      event: 'succeeded',
      code: 'deployed',
      version: 'v1',
    },
  ],
});
const V3_ON_GREEN = '{"slot":"green","version":"v3"}';

describe('adopting what current reports, on a stale record', () => {
  it('reconcile refuses and names the option; adopting writes current as the record, runs only current; then reconcile agrees', async () => {
    const cfg = await config(V3_ON_GREEN);
    const store = new MemoryStore();
    store.set(stale());

    // Stuck: reconcile refuses, and says what gets it out.
    const refused = only(await run(cfg, store, 'production'));
    assert.deepEqual([refused.code, refused.failed], ['current_disagrees', true]);
    assert.match(refused.message, /`deploy-action reconcile -e production --adopt-current`/);
    assert.match(refused.message, /`adopt-current: true`/);
    assert.equal(store.writes.length, 0);

    const r = await adopt(cfg, store, 'production');
    assert.deepEqual(
      target.calls(),
      ['current', 'current'],
      'the refusal and the adoption: nothing else ran',
    );
    assert.equal(store.writes.length, 1, 'one write, whole');
    const e = only(r);
    assert.deepEqual([e.code, e.failed, r.summary.failed], ['current_adopted', false, false]);
    const written = store.writes[0]!;
    assert.equal(written.seq, 5);
    // Only what current reports: no commit or deployment is made up for it.
    assert.deepEqual(written.live, { version: 'v3', slot: 'green', since: at(120_000).toISOString() });
    assert.deepEqual(
      written.previous,
      stale().live,
      'the release the record called live is the previous one',
    );
    assert.equal(written.rollout, undefined);
    assert.deepEqual(written.retired, []);
    // The history is kept, one entry added: who, when, what the record said, what current reported.
    assert.deepEqual(
      written.history.map((h) => h.event),
      ['succeeded', 'adopted_current'],
    );
    const h = written.history.at(-1)!;
    assert.deepEqual(
      [h.by, h.code, h.version, h.at],
      ['alice via reconcile:999', 'current_adopted', 'v3', at(120_000).toISOString()],
    );
    assert.match(
      h.detail!,
      /the record said live v1 on blue; the unfinished canary rollout of v2 to green \(deployment 77, workflow run 123/,
    );
    assert.match(h.detail!, /the current command reported version v3 on slot green/);
    // The result says exactly what was replaced.
    assert.match(e.message, /seq 4 → 5/);
    assert.match(e.message, /live v1 on blue replaced by v3 on green \(v1 is now the previous release\)/);
    assert.match(
      e.message,
      /dropped the unfinished canary rollout of v2 to green .*its recovery steps were NOT run/,
    );
    assert.match(e.message, /Nothing was run but current: no teardown, no traffic change/);
    assert.deepEqual(e.adopted?.droppedRollout?.deploymentId, '77');
    assert.deepEqual(e.adopted?.live.before?.version, 'v1');
    assert.deepEqual(e.adopted?.current, { slot: 'green', version: 'v3' });
    const summary = renderReconcileSummary(r.summary);
    assert.match(summary, /production: record adopted from `current`/);
    assert.match(summary, /\| live \| v1 on blue → v3 on green \|/);

    // Idempotent: agreeing now, nothing is written and it says so.
    const again = only(await adopt(cfg, store, 'production'));
    assert.deepEqual([again.code, again.failed], ['current_agrees', false]);
    assert.match(again.message, /nothing to adopt: the record already says v3 on green is live.*unchanged/);
    assert.equal(store.writes.length, 1);
    // And reconcile itself is unstuck.
    assert.equal(only(await run(cfg, store, 'production')).code, 'nothing_due');
  });

  it('the dropped rollout’s deployment is marked inactive (its lock released); none without a rollout', async () => {
    const cfg = await config(V3_ON_GREEN);
    const store = new MemoryStore();
    store.set(stale());
    const marks: unknown[] = [];
    const markDeployment: ReconcileOptions['markDeployment'] = async (deployment, state, description) => {
      marks.push([deployment, state, description]);
    };
    assert.equal(only(await adopt(cfg, store, 'production', { markDeployment })).code, 'current_adopted');
    // Without a final status it stayed in progress and the App's deployment lock stayed held.
    assert.deepEqual(marks, [
      [
        { id: '77', environment: 'production' },
        'inactive',
        'Dropped by reconcile --adopt-current: version v3 on slot green serves',
      ],
    ]);
    // A record without a rollout: nothing to end.
    store.set({ ...stale(), rollout: undefined });
    const cfg2 = await config('{"slot":"green","version":"v4"}');
    assert.equal(only(await adopt(cfg2, store, 'production', { markDeployment })).code, 'current_adopted');
    assert.equal(marks.length, 1);
  });

  it('retired slots: the one that serves now and the dropped rollout’s are dropped, the others stay due', async () => {
    // v4 went out to green by hand; the record still has v2 on green and blue (v1) due for teardown.
    const cfg = await config('{"slot":"green","version":"v4"}');
    const store = new MemoryStore();
    store.set({
      ...emptyRecord('o/r', 'staging', at(-3_600_000)),
      seq: 7,
      live: { version: 'v2', slot: 'green', since: at(-3_600_000).toISOString() },
      retired: [{ slot: 'blue', version: 'v1', dueAt: at(-3_500_000).toISOString() }],
    });
    const e = only(await adopt(cfg, store, 'staging'));
    assert.equal(e.code, 'current_adopted');
    assert.deepEqual(target.calls(), ['current'], 'blue is not torn down by the adoption');
    assert.deepEqual(store.writes[0]!.retired, [
      { slot: 'blue', version: 'v1', dueAt: at(-3_500_000).toISOString() },
    ]);
    assert.match(e.message, /still due for teardown: blue \(v1/);

    // Current reports the stable slot, the record's rollout to green unshown; green was also retired.
    const cfg2 = await config('{"slot":"blue","version":"v1"}');
    const store2 = new MemoryStore();
    store2.set({ ...stale(), retired: [{ slot: 'green', version: 'v0', dueAt: T0.toISOString() }] });
    const e2 = only(await adopt(cfg2, store2, 'production'));
    assert.equal(e2.code, 'current_adopted');
    const w = store2.writes[0]!;
    assert.deepEqual(w.live, stale().live, 'the same live release, kept as it was (its commit too)');
    assert.deepEqual(w.previous, stale().previous);
    assert.equal(w.rollout, undefined);
    assert.deepEqual(
      w.retired,
      [],
      'green may still carry the dropped canary’s traffic: never torn down for it',
    );
    assert.match(e2.message, /live stays v1 on blue/);
    assert.match(e2.message, /green \(v0, due .*\): a slot of the dropped rollout of v2/);

    // The slot that serves, due for teardown in the record: dropped from retired.
    const cfg3 = await config('{"slot":"blue","version":"v3"}');
    const store3 = new MemoryStore();
    store3.set({
      ...emptyRecord('o/r', 'staging', at(-3_600_000)),
      seq: 7,
      live: { version: 'v2', slot: 'green', since: at(-3_600_000).toISOString() },
      retired: [{ slot: 'blue', version: 'v1', dueAt: at(-3_500_000).toISOString() }],
    });
    const e3 = only(await adopt(cfg3, store3, 'staging'));
    assert.deepEqual(store3.writes[0]!.retired, []);
    assert.match(e3.message, /blue \(v1, due .*\): it serves now/);
  });

  it('a bare slot answer naming the record’s live slot keeps the record’s version for it', async () => {
    const cfg = await config('blue');
    const store = new MemoryStore();
    store.set(stale());
    const e = only(await adopt(cfg, store, 'production'));
    assert.equal(e.code, 'current_adopted', e.message);
    assert.equal(store.writes[0]!.live?.version, 'v1');
    assert.equal(store.writes[0]!.rollout, undefined);
  });

  it('current showing the record’s own rollout: not stale, nothing adopted (reconcile handles the rollout)', async () => {
    const cfg = await config('{"slot":"green","version":"v2"}');
    const store = new MemoryStore();
    store.set(stale());
    const e = only(await adopt(cfg, store, 'production'));
    assert.deepEqual([e.code, e.failed], ['current_agrees', false]);
    assert.match(e.message, /Reconcile without --adopt-current rolls that rollout back or resumes it/);
    assert.equal(store.writes.length, 0);
    assert.deepEqual(target.calls(), ['current']);
  });

  it('a strategy without slots adopts the version', async () => {
    const cfg = await directConfig('{"version":"2026.3.1"}');
    const store = new MemoryStore();
    store.set({
      ...emptyRecord('o/r', 'plain', T0),
      seq: 2,
      live: { version: '2026.2.9', since: T0.toISOString() },
    });
    const e = only(await adopt(cfg, store, 'plain'));
    assert.equal(e.code, 'current_adopted');
    assert.deepEqual(store.writes[0]!.live, { version: '2026.3.1', since: at(120_000).toISOString() });
  });
});

describe('adopting refuses what it cannot adopt, writing nothing', () => {
  const refusedWith = async (
    current: string | undefined,
    environment: string,
    record: EnvironmentRecord,
    code: string,
    message: RegExp,
    opts: { command?: string; owner?: OwnerStatus } = {},
  ) => {
    const cfg = await config(current, opts.command ? { command: opts.command } : {});
    const store = new MemoryStore();
    store.set(record);
    const r = await adopt(cfg, store, environment, opts.owner ? { owner: opts.owner } : {});
    const e = only(r);
    assert.deepEqual([e.code, e.failed, r.summary.failed], [code, true, true], e.message);
    assert.match(e.message, message);
    assert.equal(store.writes.length, 0, 'the record is unchanged');
    return e;
  };

  it('an empty answer', async () => {
    await refusedWith(
      undefined,
      'production',
      stale(),
      'current_unusable',
      /reported nothing live, an empty answer.*the record is unchanged/,
      { command: JSON.stringify([process.execPath, '-e', '']) },
    );
  });

  it('no version, for a slot the record does not name', async () => {
    await refusedWith(
      'green',
      'production',
      stale(),
      'current_unusable',
      /with no version, and the record names none for green.*print \{"slot": "green", "version": …\}/,
    );
  });

  it('no slot, for a strategy that serves from slots', async () => {
    await refusedWith(
      '{"version":"v3"}',
      'production',
      stale(),
      'current_unusable',
      /with no slot, and the canary strategy serves from one of blue and green/,
    );
  });

  it('a slot that is not one of the strategy’s', async () => {
    await refusedWith(
      '{"slot":"purple","version":"v3"}',
      'production',
      stale(),
      'current_unusable',
      /purple is not one of the canary strategy's slots \(blue, green\)/,
    );
  });

  it('no version, for a strategy without slots', async () => {
    const record = {
      ...emptyRecord('o/r', 'plain', T0),
      seq: 1,
      live: { version: 'v1', since: T0.toISOString() },
    };
    const cfg = await directConfig('v2');
    const store = new MemoryStore();
    store.set(record);
    const e = only(await adopt(cfg, store, 'plain'));
    assert.deepEqual([e.code, e.failed], ['current_unusable', true]);
    assert.match(
      e.message,
      /the direct strategy has no slots.*\("v2" was read as a slot name\): print \{"version": …\}/,
    );
    assert.equal(store.writes.length, 0);
  });

  it('current failing', async () => {
    await refusedWith(
      undefined,
      'production',
      stale(),
      'current_failed',
      /the current command failed \(.*exited with code 3/,
      {
        command: JSON.stringify([process.execPath, '-e', 'process.exit(3)']),
      },
    );
  });

  it('current printing broken JSON', async () => {
    await refusedWith('{"slot": "green",', 'production', stale(), 'current_failed', /invalid JSON/);
  });

  it('no current command: nothing says what serves', async () => {
    await refusedWith(undefined, 'production', stale(), 'current_missing', /has no current command/);
    assert.deepEqual(target.calls(), []);
  });

  it('a rollout whose run is still at work, or cannot be asked: current is not even run', async () => {
    await refusedWith(
      V3_ON_GREEN,
      'production',
      stale(),
      'owner_running',
      /still running \(workflow run 123\)/,
      {
        owner: { state: 'running' },
      },
    );
    await refusedWith(
      V3_ON_GREEN,
      'production',
      stale(),
      'owner_unknown',
      /cannot tell whether workflow run 123/,
      {
        owner: { state: 'unknown', reason: 'the Actions API answered 502' },
      },
    );
    assert.deepEqual(target.calls(), []);
  });

  it('a write that fails says nothing was adopted', async () => {
    const cfg = await config(V3_ON_GREEN);
    const store = new MemoryStore();
    store.set(stale());
    store.failWrites = true;
    const e = only(await adopt(cfg, store, 'production'));
    assert.deepEqual([e.code, e.failed], ['state_write_failed', true]);
    assert.match(e.message, /not adopted: the record could not be stored \(check run update answered 502\)/);
  });
});

describe('adopting is for one named environment, and stops whole when cancelled', () => {
  it('refused without an environment, and for several', async () => {
    const cfg = await config(V3_ON_GREEN);
    const store = new MemoryStore();
    store.set(stale());
    await assert.rejects(
      run(cfg, store, undefined, { adoptCurrent: true }),
      (e: unknown) =>
        e instanceof ReconcileUsageError &&
        /needs the environment to adopt for.*never done for every environment/.test(e.message),
    );
    await assert.rejects(
      run(cfg, store, ['production', 'staging'], { adoptCurrent: true }),
      (e: unknown) =>
        e instanceof ReconcileUsageError && /takes one environment; 2 were named/.test(e.message),
    );
    // Before: --at was dropped without a word (adopting judges no due time).
    await assert.rejects(
      run(cfg, store, ['production'], { adoptCurrent: true, dueBy: new Date(Date.now() + 86_400_000) }),
      (e: unknown) => e instanceof ReconcileUsageError && /--adopt-current and --at together/.test(e.message),
    );
    assert.deepEqual(target.calls(), []);
    assert.equal(store.writes.length, 0);
  });

  it('cancelled while current runs: nothing written', async () => {
    const hang = JSON.stringify([
      process.execPath,
      '-e',
      'console.log("asking"); setTimeout(() => {}, 60000)',
    ]);
    const cfg = await config(undefined, { command: hang });
    const store = new MemoryStore();
    store.set(stale());
    const controller = new AbortController();
    const r = await adopt(cfg, store, 'production', {
      signal: controller.signal,
      // Cancelled once the current command is under way (its first line of output).
      reporter: { event: (e) => void (e.type === 'output' && controller.abort()) },
    });
    const e = only(r);
    assert.deepEqual([e.code, e.failed], ['adopt_cancelled', true]);
    assert.match(e.message, /cancelled before the record was written/);
    assert.equal(store.writes.length, 0);
  });

  it('stopped by an internal error before it starts: the entry says so, not that it was cancelled', async () => {
    const cfg = await config(V3_ON_GREEN);
    const store = new MemoryStore();
    store.set(stale());
    const controller = new AbortController();
    controller.abort(new InternalErrorStop(new Error('boom')));
    const e = only(await adopt(cfg, store, 'production', { signal: controller.signal }));
    assert.equal(e.code, 'adopt_cancelled');
    assert.match(e.message, /^not adopted: stopped by an internal error before the record was written/);
    assert.doesNotMatch(e.message, /cancelled/);
    assert.deepEqual(target.calls(), []);
  });

  it('cancelled before it starts: current is not run', async () => {
    const cfg = await config(V3_ON_GREEN);
    const store = new MemoryStore();
    store.set(stale());
    const controller = new AbortController();
    controller.abort();
    const e = only(await adopt(cfg, store, 'production', { signal: controller.signal }));
    assert.equal(e.code, 'adopt_cancelled');
    assert.deepEqual(target.calls(), []);
    assert.equal(store.writes.length, 0);
  });
});

describe('adopting on GitHub', () => {
  it('the record is written signed into the check run it was read from, and reads back verified', async () => {
    const key = Buffer.alloc(32, 7);
    const sha = 'b'.repeat(40);
    const old = { ...stale(), repository: 'acme/web' };
    const run501 = {
      id: 501,
      name: 'deploy / production',
      external_id: bindExternalId('deploy-action:99-1:deploy / production', 78),
      output: {
        title: 'deploy / production',
        summary: 'Deploying v2',
        text: signRecord(old, key, { repository: 'acme/web', environment: 'production', deploymentId: '78' }),
      } as { title: string; summary: string; text: string | null },
    };
    const updates: Array<{ check_run_id: number; status?: string; output: { title: string } }> = [];
    const api: InPlaceStateApi = {
      repos: {
        listDeployments: async () => ({
          data: [{ id: 78, sha, creator: { login: 'github-actions[bot]' } }],
        }),
      },
      checks: {
        listSuitesForRef: async () => ({
          data: { total_count: 1, check_suites: [{ id: 1, app: { id: 15368 } }] },
        }),
        listForSuite: async () => ({ data: { total_count: 1, check_runs: [run501] } }),
        update: async (p) => {
          updates.push(p);
          run501.output = { ...p.output };
          return {};
        },
      },
    };
    const cfg = await config(V3_ON_GREEN);
    const store = new InPlaceGitHubStore({ api, owner: 'acme', repo: 'web', keys: [key] });
    const events: PipelineEvent[] = [];
    const summary = await reconcile({
      config: cfg,
      environments: ['production'],
      storeFor: () => store,
      ownerStatus: async () => ({ state: 'ended', conclusion: 'not_found' }),
      actor: 'reconcile:999',
      owner: { kind: 'workflow', runId: '999' },
      reporter: { event: (e) => events.push(e) },
      now: () => at(120_000),
      adoptCurrent: true,
      requestedBy: 'alice via reconcile:999',
    });
    assert.equal(summary.entries[0]!.code, 'current_adopted', summary.entries[0]!.message);
    assert.deepEqual(
      updates.map((u) => u.check_run_id),
      [501],
    );
    // The dead run's check run no longer reads "Deploying v2" forever: it ends, saying reconcile adopted.
    assert.equal(updates[0]!.status, 'completed');
    assert.match(updates[0]!.output.title, /production: adopted current by reconcile/);
    const read = await readEnvironmentRecord(api, { owner: 'acme', repo: 'web' }, 'production', [key]);
    assert.ok(read.ok && read.record, JSON.stringify(read));
    assert.equal(read.record.seq, 5);
    assert.deepEqual([read.record.live?.version, read.record.live?.slot], ['v3', 'green']);
    assert.equal(read.record.rollout, undefined);
    assert.equal(read.record.history.at(-1)!.by, 'alice via reconcile:999');
  });
});
