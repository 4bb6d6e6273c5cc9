// The executor against a real command target (every call logged by test/helpers/record-target.pl) and a
// fake state store that records when each write lands: the durable rollout record must be stored before the
// first traffic-moving step runs, and the rollback path must never wait for a store that hangs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import type * as ChildProcesses from 'node:child_process';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../../src/config/load.ts';
import { resolveEnvironment } from '../../../src/config/resolve.ts';
import type { Analyzer } from '../../../src/pipeline/analyzer.ts';
import type { PipelineEvent } from '../../../src/pipeline/events.ts';
import { runPipeline } from '../../../src/pipeline/pipeline.ts';
import type { EnvironmentRecord } from '../../../src/state/record.ts';
import type { StateRead, StateStore, WriteOptions } from '../../../src/state/store.ts';
import { recordedTarget, recorder } from '../../helpers/recorded-target.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function setup(t: { after(fn: () => void): void }, extra: string | ((log: string) => string) = '') {
  const dir = mkdtempSync(join(tmpdir(), 'executor-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const target = recordedTarget(dir);
  // The recorded target without health and current: only the calls that change something are logged.
  const targetYaml = target.targetYaml
    .split('\n')
    .filter((line) => !/^\s+(health|current|switch):/.test(line))
    .join('\n');
  const parsed = parseConfig(
    `preset: fast\nstate_dir: ${dir}/state\n${targetYaml}\nenvironments:\n  production:\n    strategy: { type: canary, steps: [5, 25, 50], pause: 0 }\n${typeof extra === 'string' ? extra : extra(target.log)}`,
    'deploy.yml',
  );
  assert.ok(parsed.ok, parsed.ok ? '' : JSON.stringify(parsed.errors));
  return { env: resolveEnvironment(parsed.config, 'production'), calls: target.calls };
}

interface Write {
  record: EnvironmentRecord;
  durable: boolean;
  settle: boolean;
  /** The target's calls when the write was asked for, and when it landed (undefined: never). */
  callsAsked: number;
  callsLanded?: number;
}

class FakeStore implements StateStore {
  writes: Write[] = [];
  hanging = false;
  private readonly calls: () => string[];
  private readonly options: { durableMs: number; hangWhen?: (record: EnvironmentRecord) => boolean };
  constructor(calls: () => string[], options: FakeStore['options']) {
    this.calls = calls;
    this.options = options;
  }
  async read(): Promise<StateRead> {
    const live = { version: 'v1', slot: 'blue', since: '2026-01-01T00:00:00.000Z' };
    return {
      ok: true,
      source: 'fake',
      record: {
        schema: 1,
        repository: 'acme/shop',
        environment: 'production',
        seq: 3,
        updatedAt: live.since,
        live,
        retired: [],
        history: [],
      },
    };
  }
  async write(record: EnvironmentRecord, options: WriteOptions = {}): Promise<void> {
    const write: Write = {
      record,
      durable: !!options.durable,
      settle: !!options.settle,
      callsAsked: this.calls().length,
    };
    this.writes.push(write);
    if (this.hanging || this.options.hangWhen?.(record)) {
      this.hanging = true;
      return new Promise(() => {});
    }
    // A durable write takes a while (a GitHub request): long enough for a step that did not wait to show.
    if (options.durable) await sleep(this.options.durableMs);
    write.callsLanded = this.calls().length;
  }
}

const analyzer = (failAt?: number): Analyzer => ({
  evaluate: async (request) =>
    request.weight !== undefined && request.weight === failAt
      ? { ok: false, analysis: 'rollback', reason: `error rate too high at ${failAt} %` }
      : { ok: true, analysis: 'promote' },
});

test('the durable rollout record lands before the first traffic step runs, and each write is one more in the sequence', async (t) => {
  const { env, calls } = setup(t);
  const store = new FakeStore(calls, { durableMs: 400 });
  const events: PipelineEvent[] = [];
  const result = await runPipeline(
    { env, version: 'v2', runId: '4242', repository: 'acme/shop' },
    { reporter: { event: (e) => events.push(e) }, store, analyzerFor: () => analyzer() },
  );
  assert.equal(result.status, 'succeeded', result.message);
  const log = calls();
  assert.deepEqual(log, [
    'deploy green v2',
    'set_weight green 5',
    'set_weight green 25',
    'set_weight green 50',
    'set_weight green 100',
    'teardown blue',
  ]);
  // The deploy waited for the record that says how to undo the whole canary: weight back to 0 (nothing moves
  // while blue has all traffic), then tear the canary down.
  const writeAhead = store.writes.find((w) => w.record.rollout?.recovery.length)!;
  assert.deepEqual(writeAhead.record.rollout!.recovery, [
    { kind: 'set_weight', slot: 'green', stableSlot: 'blue', weight: 0 },
    { kind: 'teardown', slot: 'green' },
  ]);
  assert.equal(writeAhead.durable, true);
  assert.equal(writeAhead.record.rollout!.owner.kind, 'workflow');
  assert.equal(writeAhead.callsLanded, 0, 'stored before the deploy ran');
  // So no weight waits for a store: the only other durable writes are the new release going live and the
  // claim on blue's teardown before it runs.
  assert.deepEqual(
    store.writes
      .filter((w) => w.durable)
      .map((w) =>
        w.record.rollout ? 'write-ahead' : w.record.retired.some((r) => r.teardown) ? 'claim' : 'live',
      ),
    ['write-ahead', 'live', 'claim'],
  );
  // Both waited for until the store's last word (finalize acts on them being stored).
  assert.deepEqual(
    store.writes.filter((w) => w.settle).map((w) => w.record.live?.version),
    ['v2', 'v2'],
  );
  assert.deepEqual(
    store.writes.map((w) => w.record.seq),
    store.writes.map((_, i) => 4 + i),
  );
  assert.equal(result.record?.seq, 3 + store.writes.length);
  assert.equal(result.record?.live?.version, 'v2');
  assert.equal(result.record?.previous?.version, 'v1');
  assert.ok(
    store.writes.every((w) => w.callsLanded !== undefined),
    'every write landed before the result',
  );
});

test(
  'the rollback path never waits for a hanging store: traffic goes back, the run ends at the flush bound',
  { timeout: 20_000 },
  async (t) => {
    const { env, calls } = setup(t);
    // Every write from the rollback on hangs forever (GitHub unreachable just when it matters).
    const store = new FakeStore(calls, { durableMs: 10, hangWhen: (r) => r.rollout?.phase === 'rollback' });
    const events: PipelineEvent[] = [];
    // The store never answers: the run can only end because the flush bound gave up on it (the warning
    // below); without that bound it would hang until the test's own timeout.
    const result = await runPipeline(
      { env, version: 'v2' },
      {
        reporter: { event: (e) => events.push(e) },
        store,
        analyzerFor: () => analyzer(25),
        flushTimeoutMs: 300,
      },
    );
    assert.equal(result.status, 'rolled_back', result.message);
    assert.equal(result.code, 'strategy_failed');
    assert.equal(result.rollbacks[0]!.ok, true);
    assert.deepEqual(calls().slice(-2), ['set_weight green 0', 'teardown green']);
    assert.ok(store.hanging, 'the store hung from the rollback on');
    const hungAt = store.writes.findIndex((w) => w.callsLanded === undefined);
    assert.equal(store.writes[hungAt]!.record.rollout?.phase, 'rollback', 'the rollback record hung');
    // Asked as traffic went back: writes are handed to the store one after another, so the rollback's is
    // asked when the write before it lands, just before or just after the weight call starts. Either way the
    // weight and the teardown after it ran while it hung.
    const back = calls().indexOf('set_weight green 0');
    assert.ok(
      [back, back + 1].includes(store.writes[hungAt]!.callsAsked),
      `hung as traffic went back: asked after ${store.writes[hungAt]!.callsAsked} calls, traffic back at ${back}`,
    );
    assert.ok(
      events.some(
        (e) => e.type === 'log' && e.level === 'warn' && /not stored within 300 ms/.test(e.message),
      ),
      'the bounded flush says it gave up',
    );
    assert.equal(events.at(-1)?.type, 'result');
  },
);

/** Every program started (node:child_process spawn, which execa uses) until the test ends: its argv. */
function spawned(t: { after(fn: () => void): void }): string[][] {
  const childProcess = createRequire(import.meta.url)('node:child_process') as typeof ChildProcesses;
  const original = childProcess.spawn;
  const started: string[][] = [];
  childProcess.spawn = ((file: string, args: readonly string[] = [], ...rest: unknown[]) => {
    started.push([file, ...args]);
    return (original as (...a: unknown[]) => unknown)(file, args, ...rest);
  }) as typeof original;
  syncBuiltinESMExports();
  t.after(() => {
    childProcess.spawn = original;
    syncBuiltinESMExports();
  });
  return started;
}

test('cancelled while the write-ahead record is stored: the step after it is not started, nothing is rolled back', async (t) => {
  const { env, calls } = setup(t);
  const cancel = new AbortController();
  const store = new FakeStore(calls, { durableMs: 100 });
  const write = store.write.bind(store);
  // The job is cancelled while the durable record before the first step (the deploy) is being stored.
  store.write = (record, options) => {
    if (options?.durable && record.rollout?.recovery.length) cancel.abort(new Error('SIGINT received'));
    return write(record, options);
  };
  const programs = spawned(t);
  const events: PipelineEvent[] = [];
  const result = await runPipeline(
    { env, version: 'v2' },
    {
      reporter: { event: (e) => events.push(e) },
      store,
      signal: cancel.signal,
      analyzerFor: () => analyzer(),
    },
  );
  assert.equal(result.status, 'cancelled', result.message);
  assert.ok(cancel.signal.aborted);
  // The deploy never ran, not even to be killed at once: no program was started for it.
  assert.deepEqual(
    programs.filter((argv) => argv.includes('deploy')),
    [],
    'the deploy was started after the cancellation',
  );
  const deploy = result.steps.find((step) => step.step.kind === 'deploy');
  // Recorded as stopped by the cancellation (reports say so, not that it failed on its own), and as never
  // started.
  assert.deepEqual(deploy?.result, {
    ok: false,
    reason: 'not started: the job was cancelled',
    untouched: 'not-started',
    stopped: 'cancelled',
  });
  // Nothing of the rollout ever ran: nothing to roll back (a slot the write-ahead took over from retired is
  // not torn down: retired-takeover.test.ts).
  assert.equal(result.rollbacks.length, 0);
  assert.deepEqual(calls(), []);
});

/** A store whose writes from the `from`-th durable one on fail, as another run's record in the way would. */
class RefusingStore extends FakeStore {
  private durable = 0;
  private readonly from: number;
  constructor(calls: () => string[], from: number) {
    super(calls, { durableMs: 0 });
    this.from = from;
  }
  override async write(record: EnvironmentRecord, options: WriteOptions = {}): Promise<void> {
    if (options.durable && ++this.durable >= this.from)
      throw new Error('records/production.json holds record 5, written by another run');
    return super.write(record, options);
  }
}

/** Run v2 of `env` as workflow run 4242, the record kept in `store`. */
const deployV2 = (env: Parameters<typeof runPipeline>[0]['env'], store: StateStore) =>
  runPipeline(
    { env, version: 'v2', runId: '4242', repository: 'acme/shop' },
    { reporter: { event: () => {} }, store, analyzerFor: () => analyzer() },
  );

test('a write-ahead record that cannot be stored: nothing is deployed, and nothing undone for the run whose record is there', async (t) => {
  const { env, calls } = setup(t);
  const store = new RefusingStore(calls, 1);
  const result = await deployV2(env, store);
  assert.equal(result.status, 'failed', result.message);
  assert.equal(result.code, 'state_refused');
  assert.match(
    result.message,
    /could not be stored before the next step \(records\/production\.json holds record 5/,
  );
  assert.match(result.message, /Nothing was deployed/);
  // Not the deploy, and not the teardown of the canary slot another run may be deploying to.
  assert.deepEqual(calls(), []);
  assert.deepEqual(result.rollbacks, []);
});

test('a write-ahead record that cannot be stored after steps ran: the next step is not run, the run rolls back', async (t) => {
  // on_orphan: resume stores every traffic step's position before it runs (durable writes 1, 2, ...).
  const { env, calls } = setup(t, '    on_orphan: resume\n');
  const store = new RefusingStore(calls, 3);
  const result = await deployV2(env, store);
  assert.equal(result.status, 'rolled_back', result.message);
  assert.deepEqual(calls(), [
    'deploy green v2',
    'set_weight green 5',
    'set_weight green 0',
    'teardown green',
  ]);
});

/** The hooks block of an environment: each hook a call the target's log records (`backup`, `migrate`). */
const hooksYaml = (log: string) => {
  const call = (action: string) => JSON.stringify([...recorder, log, action]);
  return `    hooks:\n      backup: ${call('backup')}\n      migrate: ${call('migrate')}\n`;
};

test('backup and migrate hooks run only once the record saying a rollout began is stored', async (t) => {
  const { env, calls } = setup(t, hooksYaml);
  const store = new FakeStore(calls, { durableMs: 200 });
  const result = await deployV2(env, store);
  assert.equal(result.status, 'succeeded', result.message);
  assert.deepEqual(calls().slice(0, 3), ['backup', 'migrate', 'deploy green v2']);
  const started = store.writes[0]!;
  assert.equal(started.record.history.at(-1)?.event, 'rollout_started');
  assert.equal(started.durable, true, 'the rollout record before the hooks is a durable write');
  assert.equal(started.callsLanded, 0, 'stored before the backup hook ran');
});

test('a rollout record that cannot be stored before the hooks: no hook runs, nothing is deployed (state_refused)', async (t) => {
  const { env, calls } = setup(t, hooksYaml);
  const store = new RefusingStore(calls, 1);
  const result = await deployV2(env, store);
  assert.equal(result.status, 'failed', result.message);
  assert.equal(result.code, 'state_refused');
  assert.match(
    result.message,
    /could not be stored before the backup hook \(records\/production\.json holds record 5/,
  );
  assert.match(result.message, /Nothing was run/);
  assert.deepEqual(calls(), [], 'no hook ran, nothing was deployed');
  assert.deepEqual(result.rollbacks, []);
});

test("the run's own secret values never reach the record: a detail quoting one is stored with *** in its place", async (t) => {
  const { env, calls } = setup(t);
  const store = new FakeStore(calls, { durableMs: 0 });
  // Not shaped like a credential (redactCredentials leaves it): known secret only because the run says so.
  const secret = 'horse-battery-staple-42';
  const leaky: Analyzer = {
    evaluate: async (request) =>
      request.weight === 25
        ? { ok: false, analysis: 'rollback', reason: `probe got 401 with token=${secret}` }
        : { ok: true, analysis: 'promote' },
  };
  const result = await runPipeline(
    { env, version: 'v2', runId: '4242', repository: 'acme/shop' },
    { reporter: { event: () => {} }, store, analyzerFor: () => leaky, secrets: [secret, 'short'] },
  );
  assert.equal(result.status, 'rolled_back', result.message);
  assert.ok(store.writes.length > 0);
  for (const write of store.writes)
    assert.ok(!JSON.stringify(write.record).includes(secret), `write ${write.record.seq} holds the secret`);
  const rollback = store.writes.flatMap((w) => w.record.history).find((h) => h.event === 'rollback_started');
  assert.match(rollback?.detail ?? '', /probe got 401 with token=\*\*\*/);
});

test('the final record (the new release live) cannot be stored: on_success does not run, nothing is torn down, the run fails saying so', async (t) => {
  const call = (log: string) => JSON.stringify([...recorder, log, 'on_success']);
  const { env, calls } = setup(t, (log) => `    hooks:\n      on_success: ${call(log)}\n`);
  // The write-ahead (1st durable write) is stored; the record saying v2 is live (2nd) is not.
  const store = new RefusingStore(calls, 2);
  const result = await deployV2(env, store);
  assert.equal(result.status, 'failed', result.message);
  assert.equal(result.code, 'state_refused');
  assert.match(
    result.message,
    /^v2 is live on production, but the state record saying so could not be stored \(records\/production\.json holds record 5/,
  );
  assert.match(result.message, /blue was not torn down, the on_success hook was not run/);
  // Traffic stays on v2 (it passed verify); the old slot, still the stored recovery's target, stays up.
  assert.equal(calls().at(-1), 'set_weight green 100');
  assert.ok(!calls().includes('on_success'), 'on_success ran');
  assert.deepEqual(result.rollbacks, []);
  // The stored record is the last one that landed: the rollout in progress, with its recovery.
  const landed = store.writes.at(-1)!.record;
  assert.ok(landed.rollout?.recovery.length, 'the stored record still names the recovery');
});

test('on_success runs once the final record is stored', async (t) => {
  const call = (log: string) => JSON.stringify([...recorder, log, 'on_success']);
  const { env, calls } = setup(t, (log) => `    hooks:\n      on_success: ${call(log)}\n`);
  const store = new FakeStore(calls, { durableMs: 200 });
  const result = await deployV2(env, store);
  assert.equal(result.status, 'succeeded', result.message);
  assert.deepEqual(calls().slice(-2), ['teardown blue', 'on_success']);
  const live = store.writes.find((w) => w.durable && w.record.live?.version === 'v2')!;
  assert.equal(
    live.callsLanded,
    calls().indexOf('teardown blue'),
    'stored before the teardown and on_success',
  );
});

test('cancelled while the final record is being stored: it is not taken as stored, nothing is torn down, on_success does not run', async (t) => {
  const call = (log: string) => JSON.stringify([...recorder, log, 'on_success']);
  const { env, calls } = setup(t, (log) => `    hooks:\n      on_success: ${call(log)}\n`);
  const cancel = new AbortController();
  // GitHub never answers for the record saying v2 is live; the job is cancelled meanwhile.
  const store = new FakeStore(calls, {
    durableMs: 0,
    hangWhen: (record) => {
      const live = !record.rollout && record.live?.version === 'v2';
      if (live) setImmediate(() => cancel.abort(new Error('SIGINT received')));
      return live;
    },
  });
  const result = await runPipeline(
    { env, version: 'v2', runId: '4242', repository: 'acme/shop' },
    {
      reporter: { event: () => {} },
      store,
      analyzerFor: () => analyzer(),
      signal: cancel.signal,
      flushTimeoutMs: 100,
    },
  );
  assert.notEqual(result.status, 'succeeded', result.message);
  // Cancelled in finalize, v2 live: not a failure of the state (state_refused), and what is not known is said.
  assert.equal(result.status, 'cancelled', result.message);
  assert.equal(result.code, 'cancelled');
  assert.match(
    result.message,
    /^cancelled in finalize, after v2 went live on production: the job was cancelled while the state record saying so was being stored \(the write goes on; it is not confirmed\), blue was not torn down, the on_success hook was not run\. If it did not land, .*refused until reconcile takes it up$/,
  );
  assert.ok(!calls().includes('on_success'), `on_success ran: ${calls().join(', ')}`);
  assert.ok(!calls().includes('teardown blue'), `the old slot was torn down: ${calls().join(', ')}`);
});

test("cancelled while the old slot's teardown claim is being stored: no teardown or on_success starts, the run ends cancelled", async (t) => {
  const call = (log: string) => JSON.stringify([...recorder, log, 'on_success']);
  const { env, calls } = setup(t, (log) => `    hooks:\n      on_success: ${call(log)}\n`);
  const cancel = new AbortController();
  // GitHub never answers for the claim on blue's teardown (scale_down_delay 0); the job is cancelled meanwhile.
  const store = new FakeStore(calls, {
    durableMs: 0,
    hangWhen: (record) => {
      const claim = record.retired.some((r) => r.teardown);
      if (claim) setImmediate(() => cancel.abort(new Error('SIGINT received')));
      return claim;
    },
  });
  const result = await runPipeline(
    { env, version: 'v2', runId: '4242', repository: 'acme/shop' },
    {
      reporter: { event: () => {} },
      store,
      analyzerFor: () => analyzer(),
      signal: cancel.signal,
      flushTimeoutMs: 100,
    },
  );
  assert.equal(result.status, 'cancelled', result.message);
  assert.equal(result.exitCode, 130);
  assert.match(
    result.message,
    /^cancelled in finalize, after v2 went live on production: blue was not torn down \(the job was cancelled before its teardown began\); a reconcile run tears it down/,
  );
  assert.ok(!calls().includes('on_success'), `on_success ran: ${calls().join(', ')}`);
  assert.ok(!calls().includes('teardown blue'), `the old slot was torn down: ${calls().join(', ')}`);
});

test('the rollback levels run their verify commands: a failed one goes on to the next level, a passed one skips the rest', async (t) => {
  const { env, calls } = setup(t, (log) => {
    const call = (...args: string[]) => JSON.stringify([...recorder, log, ...args]);
    const fails = JSON.stringify(['perl', '-e', 'exit 1']);
    return (
      `    hooks:\n      on_rollback:\n` +
      `        - { name: flag, run: ${call('flag', 'off')}, verify: { run: ${fails}, timeout: 10s } }\n` +
      `        - { name: config, run: ${call('config', 'previous')}, verify: ${call('config-check', '{{version}}')} }\n` +
      `        - { name: code, run: ${call('code', 'revert')} }\n`
    );
  });
  const store = new FakeStore(calls, { durableMs: 0 });
  const result = await runPipeline(
    { env, version: 'v2', runId: '4242', repository: 'acme/shop' },
    { reporter: { event: () => {} }, store, analyzerFor: () => analyzer(25) },
  );
  assert.equal(result.status, 'rolled_back', result.message);
  assert.deepEqual(calls().slice(-4), ['teardown green', 'flag off', 'config previous', 'config-check v2']);
  const levels = result.rollbacks[0]!.levels;
  assert.deepEqual(
    levels.map((l) => [l.name, l.ok, l.verify?.ok, l.skipped?.code]),
    [
      ['flag', true, false, undefined],
      ['config', true, true, undefined],
      ['code', true, undefined, 'level_sufficed'],
    ],
  );
  assert.match(levels[0]!.verify!.detail, /exit/);
});

test('blue-green and canary are refused, before anything runs, when the current command fails or names a slot the environment lacks', async (t) => {
  // Before: a failing current command was a warning and live read as nothing, so the strategy took blue as
  // idle: were blue serving, the deploy replaced production in place and its rollback tore it down.
  const script = (body: string) => JSON.stringify([process.execPath, '-e', body]);
  for (const [current, expected] of [
    [
      script('console.error("router unreachable"); process.exit(2)'),
      /^could not read what is live on production: .*Nothing was deployed: canary picks the slot to deploy on by the live one/s,
    ],
    [
      script('console.log("purple")'),
      /^the current command of production says slot "purple" is live, which is not one of its slots \(blue, green\)\. Nothing was deployed/,
    ],
  ] as const) {
    const { env, calls } = setup(t, () => '');
    const command = {
      ...env.target.deploy,
      source: 'target.commands.current',
      argv: JSON.parse(current) as string[],
    };
    const withCurrent = { ...env, target: { ...env.target, current: command } };
    const store = new FakeStore(calls, { durableMs: 0 });
    const result = await runPipeline(
      { env: withCurrent, version: 'v2', runId: '4243', repository: 'acme/shop' },
      { reporter: { event: () => {} }, store, analyzerFor: () => analyzer() },
    );
    assert.equal(result.status, 'failed', result.message);
    assert.match(result.message ?? '', expected);
    assert.deepEqual(calls(), [], 'nothing ran on the target');
    assert.equal(store.writes.filter((w) => w.record.rollout).length, 0, 'no rollout was recorded');
  }
});
