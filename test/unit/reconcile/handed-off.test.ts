// Reconcile and a rollout the job handed off to wait (issue 14): not an orphan whatever became of its run; the
// requests people made (and a bake's time, judged by reconcile's clock) decide whether it goes on, rolls back
// or keeps waiting; a bake not yet due gets one look at its metrics per run, and a look that says rollback
// rolls it back. The pure decision first, then reconcile itself on records the pipeline handed off, with the
// recorded command target and an injected analyzer.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { loadConfigFile } from '../../../src/config/load.ts';
import { resolveEnvironment } from '../../../src/config/resolve.ts';
import type { RawConfig } from '../../../src/config/schema.ts';
import type { ControlRequest, ControlSource } from '../../../src/control/request.ts';
import type { AnalysisRequest, Analyzer } from '../../../src/pipeline/analyzer.ts';
import { runPipeline } from '../../../src/pipeline/pipeline.ts';
import { isHeld, PAUSED_ON_FAILURE } from '../../../src/control/rollout.ts';
import { decide, type OwnerStatus } from '../../../src/reconcile/decide.ts';
import { reconcile, type ReconcileOptions } from '../../../src/reconcile/run.ts';
import { FileStateStore } from '../../../src/state/file-store.ts';
import { InternalErrorStop } from '../../../src/util/internal-error-stop.ts';
import type { StateStore } from '../../../src/state/store.ts';
import {
  emptyRecord,
  type EnvironmentRecord,
  type Rollout,
  type RolloutWait,
} from '../../../src/state/record.ts';
import type { StepResult } from '../../../src/strategies/types.ts';
import { recordedTarget, type RecordedTarget } from '../../helpers/recorded-target.ts';

const T0 = Date.parse('2026-05-01T10:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

let n = 0;
function request(
  verb: ControlRequest['verb'],
  step: number,
  over: Partial<ControlRequest> = {},
): ControlRequest {
  n++;
  return {
    id: `comment:${n}`,
    verb,
    by: 'alice',
    at: iso(T0 + n * 1000),
    deploymentId: 'd-1',
    step,
    source: 'comment',
    ...over,
  };
}

function waitingRollout(wait: Partial<RolloutWait> & { kind: RolloutWait['kind'] }): Rollout {
  return {
    deploymentId: 'd-1',
    version: 'v2',
    strategy: 'canary',
    phase: 'production',
    step: 4,
    steps: 9,
    weight: 25,
    startedAt: iso(T0),
    owner: { kind: 'workflow', runId: '41' },
    stableSlot: 'blue',
    newSlot: 'green',
    recovery: [{ kind: 'set_weight', slot: 'green', stableSlot: 'blue', weight: 0 }],
    wait: { step: 4, since: iso(T0), handedOff: true, ...wait },
  };
}

function judge(
  rollout: Rollout,
  requests: ControlRequest[],
  now = T0 + 60_000,
  owner: OwnerStatus = { state: 'ended', conclusion: 'success' },
) {
  const record: EnvironmentRecord = { ...emptyRecord('o/r', 'production', new Date(T0)), seq: 3, rollout };
  return decide({ record, owner, now: new Date(now), onOrphan: 'rollback', requests });
}

const summary = (d: ReturnType<typeof decide>) =>
  d.code === 'handoff'
    ? d.handoff.kind === 'go'
      ? `go:${d.handoff.how}:${d.handoff.by.join('+')}${d.handoff.full ? ':full' : ''}`
      : `abort:${d.handoff.by}:${d.handoff.code}`
    : d.code === 'waiting'
      ? `waiting${d.look ? ':look' : ''}`
      : d.code;

describe('decide: a handed-off rollout', () => {
  const manual = waitingRollout({ kind: 'manual' });
  const approval = waitingRollout({ kind: 'approval', approvals: 2 });
  const bake = waitingRollout({ kind: 'bake', until: iso(T0 + 86_400_000) });
  const hold = waitingRollout({ kind: 'hold', by: 'dave' });

  it("says what it waits for in the words of whoever steers it: the App's comments, or the command line's", () => {
    const why = (rollout: Rollout, repository: string) => {
      const record: EnvironmentRecord = {
        ...emptyRecord(repository, 'production', new Date(T0)),
        seq: 3,
        rollout,
      };
      const d = decide({ record, now: new Date(T0 + 1), requests: [request('pause', 4, { by: 'dave' })] });
      const plain = decide({ record, now: new Date(T0 + 1) });
      assert.ok(d.code === 'waiting' && plain.code === 'waiting');
      return [plain.why, d.why];
    };
    assert.deepEqual(why(manual, 'o/r'), [
      'waiting for /promote at step 5',
      'paused by dave at step 5: /resume goes on',
    ]);
    // A record in a state directory: a CLI run's rollout, which the pull request's comments never reach.
    assert.deepEqual(why(manual, 'local'), [
      'waiting for deploy-action promote -e production at step 5',
      'paused by dave at step 5: deploy-action resume -e production goes on',
    ]);
  });

  it('is never an orphan, whatever its run did: no rollback, no resume, no stale', () => {
    for (const owner of [
      { state: 'ended', conclusion: 'failure' },
      { state: 'ended', conclusion: 'success' },
      { state: 'ended', conclusion: 'not_found' },
      { state: 'running' },
      { state: 'unknown', reason: 'API down' },
    ] as OwnerStatus[])
      for (const rollout of [manual, approval, bake, hold])
        assert.match(
          summary(judge(rollout, [], T0 + 1, owner)),
          /^waiting/,
          `${rollout.wait!.kind} ${owner.state}`,
        );
  });

  it('every wait kind × request: what goes on, what rolls back, what keeps waiting', () => {
    const cases: Array<[string, Rollout, ControlRequest[], string]> = [
      ['manual, nothing', manual, [], 'waiting'],
      ['manual, promote', manual, [request('promote', 4)], 'go:promoted:alice'],
      ['manual, promote --full', manual, [request('promote', 4, { full: true })], 'go:promoted:alice:full'],
      ['manual, promote for a later step', manual, [request('promote', 6)], 'waiting'],
      [
        'manual, promote for another deployment',
        manual,
        [request('promote', 4, { deploymentId: 'd-0' })],
        'waiting',
      ],
      [
        'manual, abort',
        manual,
        [request('abort', 4, { by: 'bob', reason: 'budget' })],
        'abort:bob:rollout_aborted',
      ],
      [
        'manual, abort of another deployment',
        manual,
        [request('abort', 4, { deploymentId: 'd-0' })],
        'waiting',
      ],
      // A re-run job keeps its deployment: what people asked of the earlier attempt (before this rollout
      // began, beyond 5 s of clock skew) counts for nothing.
      [
        'manual, promote of an earlier attempt',
        manual,
        [request('promote', 4, { at: iso(T0 - 60_000) })],
        'waiting',
      ],
      [
        'manual, abort of an earlier attempt',
        manual,
        [request('abort', 4, { at: iso(T0 - 60_000) })],
        'waiting',
      ],
      [
        'approval, an earlier attempt’s promote does not count toward 2',
        approval,
        [request('promote', 4, { by: 'carol', at: iso(T0 - 60_000) }), request('promote', 4, { by: 'dave' })],
        'waiting',
      ],
      [
        'hold, an earlier attempt’s resume does not end it',
        hold,
        [request('resume', 4, { at: iso(T0 - 60_000) })],
        'waiting',
      ],
      ['manual, pause', manual, [request('pause', 4)], 'waiting'],
      [
        'manual, pause then promote',
        manual,
        [request('pause', 4), request('promote', 4)],
        'go:promoted:alice',
      ],
      ['approval, one approver', approval, [request('promote', 4, { approver: true })], 'waiting'],
      [
        'approval, a non-approver and an approver',
        approval,
        [request('promote', 4, { approver: true }), request('promote', 4, { by: 'dev', approver: false })],
        'waiting',
      ],
      [
        'approval, two approvers',
        approval,
        [request('promote', 4, { approver: true }), request('promote', 4, { by: 'ben', approver: true })],
        'go:approved:alice+ben',
      ],
      ['approval, abort', approval, [request('abort', 4)], 'abort:alice:rollout_aborted'],
      ['bake, nothing, before its end', bake, [], 'waiting:look'],
      ['bake, promote', bake, [request('promote', 4)], 'go:promoted:alice'],
      ['bake, paused', bake, [request('pause', 4)], 'waiting:look'],
      ['bake, abort', bake, [request('abort', 4)], 'abort:alice:rollout_aborted'],
      ['hold, nothing (the /pause not among the requests)', hold, [], 'waiting'],
      ['hold, pause', hold, [request('pause', 4, { by: 'dave' })], 'waiting'],
      [
        'hold, pause then resume',
        hold,
        [request('pause', 4), request('resume', 4, { by: 'erin' })],
        'go:resumed:erin',
      ],
      ['hold, resume then pause again', hold, [request('resume', 4), request('pause', 4)], 'waiting'],
      ['hold, a promote for its step', hold, [request('promote', 4, { by: 'erin' })], 'go:resumed:erin'],
      ['hold, abort', hold, [request('abort', 4)], 'abort:alice:rollout_aborted'],
    ];
    for (const [name, rollout, requests, expected] of cases)
      assert.equal(summary(judge(rollout, requests)), expected, name);
  });

  it('counts a /promote from the step the runner counts from: the recorded fromStep, else after the plan’s previous wait', () => {
    const plan = ['set_weight', 'wait', 'set_weight', 'analysis', 'wait'].map((kind) => ({
      step: { kind } as never,
      reason: 'r',
    }));
    const planned = (rollout: Rollout, fromStep?: number): Rollout => ({
      ...rollout,
      strategyState: { plan, index: 4, holds: 0 },
      wait: { ...rollout.wait!, ...(fromStep !== undefined ? { fromStep } : {}) },
    });
    const early = request('promote', 3, { approver: true });
    const atWait = request('promote', 4, { by: 'ben', approver: true });
    // The runner's fromStep is 2 here (after the wait at step 1): a /promote made at step 3 ends its wait.
    assert.equal(summary(judge(planned(manual), [early])), 'go:promoted:alice');
    assert.equal(summary(judge(planned(manual, 2), [early])), 'go:promoted:alice');
    assert.equal(summary(judge(planned(approval), [early, atWait])), 'go:approved:alice+ben');
    // One made for the wait at step 1 is not for this one.
    assert.equal(summary(judge(planned(manual), [request('promote', 1)])), 'waiting');
    // The runner recorded 4 (it waited at step 3, a bake or a hold): the /promote at step 3 was for that.
    assert.equal(summary(judge(planned(manual, 4), [early])), 'waiting');
    assert.equal(summary(judge(planned(approval, 4), [early, atWait])), 'waiting');
    // A record showing neither: the wait's own step only.
    assert.equal(summary(judge(manual, [early])), 'waiting');
  });

  it('a redelivered request counts once: the same approval twice is one approver', () => {
    const once = request('promote', 4, { approver: true, id: 'comment:77' });
    assert.equal(summary(judge(approval, [once, { ...once }])), 'waiting');
    assert.equal(
      summary(judge(approval, [once, { ...once }, request('promote', 4, { by: 'ben', approver: true })])),
      'go:approved:alice+ben',
    );
  });

  it("a bake is judged by reconcile's clock: waiting 1 ms before its end, due at its end", () => {
    const until = Date.parse(bake.wait!.until!);
    assert.equal(summary(judge(bake, [], until - 1)), 'waiting:look');
    assert.equal(summary(judge(bake, [], until)), 'go:due:');
    // A /pause holds a bake past its end (the triggers stay armed); /resume lets it go on.
    assert.equal(summary(judge(bake, [request('pause', 4)], until + 1)), 'waiting:look');
    assert.equal(summary(judge(bake, [request('pause', 4), request('resume', 4)], until + 1)), 'go:due:');
  });

  it('a hold taken up on a failed batch (on_failure: pause) waits for a request made after it; the App takes /resume', () => {
    // The batch failed 30 s into the rollout; a /promote and a /pause + /resume from before that end nothing.
    const failedAt = T0 + 30_000;
    const paused = waitingRollout({ kind: 'hold', by: PAUSED_ON_FAILURE, since: iso(failedAt) });
    const before = [
      request('promote', 4, { at: iso(failedAt - 20_000), full: true }),
      request('pause', 4, { at: iso(failedAt - 10_000) }),
      request('resume', 4, { at: iso(failedAt - 5_000) }),
    ];
    assert.equal(summary(judge(paused, before, failedAt + 60_000)), 'waiting');
    assert.equal(isHeld(paused, before), true, 'a /resume now is not refused as not_paused');
    const resumed = [...before, request('resume', 4, { by: 'erin', at: iso(failedAt + 1_000) })];
    assert.equal(isHeld(paused, resumed), false);
    assert.equal(summary(judge(paused, resumed, failedAt + 60_000)), 'go:resumed:erin');
    const promoted = [...before, request('promote', 4, { by: 'fred', at: iso(failedAt + 1_000) })];
    assert.equal(summary(judge(paused, promoted, failedAt + 60_000)), 'go:resumed:fred');
    const aborted = [...before, request('abort', 4, { by: 'bob', at: iso(failedAt + 1_000) })];
    assert.equal(summary(judge(paused, aborted, failedAt + 60_000)), 'abort:bob:rollout_aborted');
  });

  it('an abort carries who and why to the rollback', () => {
    const d = judge(manual, [request('abort', 4, { by: 'bob', reason: 'error budget' })]);
    assert.ok(d.code === 'handoff' && d.handoff.kind === 'abort');
    assert.deepEqual(d.handoff, {
      kind: 'abort',
      by: 'bob',
      reason: 'error budget',
      code: 'rollout_aborted',
    });
  });
});

// ---- reconcile on records the pipeline handed off --------------------------------------------------------

let dir: string;
let target: RecordedTarget;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'reconcile-handoff-'));
  target = recordedTarget(dir);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A canary whose 25 % step waits (`gate`); a bake is an analysis longer than max_wait_in_job (0). */
async function config(step: string, extra = ''): Promise<RawConfig> {
  const path = join(dir, 'deploy.yml');
  writeFileSync(
    path,
    `preset: fast
state_dir: ${JSON.stringify(join(dir, 'state'))}
${target.targetYaml}  env:
    CURRENT: '{"slot":"blue","version":"v1"}'
environments:
  production:
    strategy:
      type: canary
      slots: [blue, green]
      pause: 0
      steps: [${step}, 50, 100]
    control: { max_wait_in_job: 0 }
${extra}`,
  );
  return loadConfigFile(path);
}

/** The same environment as `config`'s, blue-green now. */
async function blueGreen(): Promise<RawConfig> {
  const path = join(dir, 'deploy.yml');
  writeFileSync(
    path,
    `preset: fast
state_dir: ${JSON.stringify(join(dir, 'state'))}
${target.targetYaml}  env:
    CURRENT: '{"slot":"blue","version":"v1"}'
environments:
  production:
    strategy:
      type: blue-green
      slots: [blue, green]
    control: { max_wait_in_job: 0 }
`,
  );
  return loadConfigFile(path);
}

/** v1 live on blue; the pipeline rolls v2 out to its 25 % wait and hands it off. */
async function handOff(cfg: RawConfig, store: FileStateStore): Promise<EnvironmentRecord> {
  await store.write({
    ...emptyRecord('o/r', 'production', new Date()),
    seq: 1,
    live: { version: 'v1', slot: 'blue', since: new Date().toISOString() },
  });
  const result = await runPipeline(
    {
      env: resolveEnvironment(cfg, 'production'),
      version: 'v2',
      sha: 'abcdef1234567',
      deploymentId: 'd-1',
      runId: '41',
      handOff: true,
    },
    { reporter: { event() {} }, store },
  );
  assert.equal(result.status, 'waiting', result.message);
  const read = await store.read('production');
  assert.ok(read.ok && read.record?.rollout?.wait?.handedOff);
  return read.record;
}

/** A control source that hands out the given requests (for every deployment: the decision filters). */
function source(
  requests: () => ControlRequest[],
  polls: string[] = [],
  recordedIn?: ReadonlyMap<string, number>,
): ControlSource {
  return {
    async poll(deploymentId) {
      polls.push(deploymentId);
      return { changed: true, requests: requests(), ...(recordedIn ? { recordedIn } : {}) };
    },
  };
}

/** An analyzer that answers `result` and counts the looks, with what each looked at. */
function analyzer(result: StepResult, looks: AnalysisRequest[]): Analyzer {
  return {
    async evaluate(request) {
      looks.push(request);
      return result;
    },
  };
}

function options(
  cfg: RawConfig,
  store: FileStateStore,
  now: number,
  extra: Partial<ReconcileOptions> = {},
): ReconcileOptions & { owners: string[] } {
  const owners: string[] = [];
  return {
    owners,
    config: cfg,
    environments: ['production'],
    storeFor: () => store,
    // The run that handed the rollout off failed afterwards: it must not matter.
    ownerStatus: async (o) => {
      owners.push(o.kind);
      return { state: 'ended', conclusion: 'failure' };
    },
    actor: 'reconcile:99',
    owner: { kind: 'workflow', runId: '99' },
    reporter: { event() {} },
    now: () => new Date(now),
    ...extra,
  };
}

const traffic = () => target.calls().filter((c) => c.startsWith('set_weight'));
/** `store` when its records directory cannot be written (a full disk, a mode): reads work, every write fails. */
const unwritableStore = (store: FileStateStore): StateStore => ({
  read: (environment) => store.read(environment),
  write: async () => {
    throw new Error('EACCES: permission denied');
  },
});
async function stored(store: FileStateStore): Promise<EnvironmentRecord> {
  const read = await store.read('production');
  assert.ok(read.ok && read.record);
  return read.record;
}

describe('reconcile: a handed-off manual wait', () => {
  it('is left alone while nobody promoted, even though its run failed: rollout_waiting, nothing run', async () => {
    const cfg = await config('{ weight: 25, pause: manual }');
    const store = new FileStateStore(join(dir, 'state'));
    const record = await handOff(cfg, store);
    const before = target.calls().length;
    const o = options(cfg, store, Date.now(), {
      controlFor: () => source(() => [request('promote', 4, { deploymentId: 'other' })]),
    });
    const result = await reconcile(o);
    assert.deepEqual(
      result.entries.map((e) => [e.code, e.failed]),
      [['rollout_waiting', false]],
    );
    assert.match(result.entries[0]!.message, /waiting for \/promote/);
    assert.deepEqual(target.calls().slice(before), [], 'no recovery step ran');
    assert.deepEqual(o.owners, [], 'the owner is not even asked');
    assert.deepEqual(await stored(store), record, 'the record is untouched');
  });

  it('a promote for its step goes on from 25 % to 100 %: rollout_resumed, v2 live', async () => {
    const cfg = await config('{ weight: 25, pause: manual }');
    const store = new FileStateStore(join(dir, 'state'));
    const record = await handOff(cfg, store);
    const step = record.rollout!.wait!.step;
    // The runner records the step it counts a /promote from (its first wait: from the first step), so
    // reconcile and the App count as it does.
    assert.deepEqual([step, record.rollout!.wait!.fromStep], [4, 0]);
    const before = traffic().length;
    const result = await reconcile(
      options(cfg, store, Date.now(), {
        controlFor: () => source(() => [request('promote', step, { by: 'carol', at: iso(Date.now()) })]),
      }),
    );
    assert.equal(result.entries[0]!.code, 'rollout_resumed', result.entries[0]!.message);
    assert.deepEqual(traffic().slice(before), ['set_weight green 50', 'set_weight green 100']);
    const after = await stored(store);
    assert.equal(after.rollout, undefined);
    assert.equal(after.live?.version, 'v2');
    assert.ok(after.history.some((h) => h.event === 'promoted' && h.by === 'carol'));
  });

  it('a Promote press on a check run older than a /pause recorded since is not counted, though dated after it: held, nothing run', async () => {
    const cfg = await config('{ weight: 25, pause: manual }');
    const store = new FileStateStore(join(dir, 'state'));
    const record = await handOff(cfg, store);
    const step = record.rollout!.wait!.step;
    const before = traffic().length;
    // Two App replicas at once: the /pause (check run 30) and a press on the wait notice (check run 10),
    // dated 1 s after the /pause, each read the requests before the other was written.
    const pause = request('pause', step, { at: iso(Date.now() - 2_000) });
    const press = request('promote', step, {
      id: `button:10:carol:${step}:promote`,
      source: 'button',
      at: iso(Date.now() - 1_000),
    });
    const recordedIn = new Map([
      [pause.id, 30],
      [press.id, 20],
    ]);
    const result = await reconcile(
      options(cfg, store, Date.now(), { controlFor: () => source(() => [pause, press], [], recordedIn) }),
    );
    assert.equal(result.entries[0]!.code, 'rollout_waiting', result.entries[0]!.message);
    assert.match(result.entries[0]!.message, /paused by alice/);
    assert.deepEqual(traffic().slice(before), [], 'nothing run');
    assert.deepEqual(await stored(store), record, 'the record is untouched');
  });

  it('requests that could not be read: a wait that would go on stays (an unread /abort or /pause may be there)', async () => {
    const cfg = await config('{ weight: 25, pause: manual }');
    const store = new FileStateStore(join(dir, 'state'));
    const record = await handOff(cfg, store);
    const step = record.rollout!.wait!.step;
    const before = traffic().length;
    const failing: ControlSource = {
      poll: async () => ({
        changed: false,
        requests: [request('promote', step, { at: iso(Date.now()) })],
        error: 'HTTP 502',
      }),
    };
    const result = await reconcile(options(cfg, store, Date.now(), { controlFor: () => failing }));
    assert.equal(result.entries[0]!.code, 'rollout_waiting', result.entries[0]!.message);
    assert.match(result.entries[0]!.message, /could not be read \(HTTP 502\)/);
    assert.deepEqual(traffic().slice(before), []);
    assert.deepEqual(await stored(store), record);
  });

  it('the reconcile job cancelled before it went on (its current check stopped by it): reconcile_cancelled, nothing run or written; the promote stays for the next run', async () => {
    const cfg = await config('{ weight: 25, pause: manual }');
    const store = new FileStateStore(join(dir, 'state'));
    const record = await handOff(cfg, store);
    const promote = request('promote', record.rollout!.wait!.step, { at: iso(Date.now()) });
    const cancel = new AbortController();
    cancel.abort(new Error('SIGINT received'));
    const before = target.calls().length;
    const result = await reconcile(
      options(cfg, store, Date.now(), { signal: cancel.signal, controlFor: () => source(() => [promote]) }),
    );
    assert.deepEqual(
      result.entries.map((e) => [e.code, e.failed]),
      [['reconcile_cancelled', true]],
      result.entries[0]!.message,
    );
    // Not the current command's failure: it was stopped by the cancellation, and nothing needs mending.
    assert.match(
      result.entries[0]!.message,
      /^not acted on: reconcile was cancelled before going on with the rollout of v2; nothing was run and the record is unchanged: the next reconcile does it/,
    );
    assert.deepEqual(target.calls().slice(before), [], 'not even current ran');
    assert.deepEqual(await stored(store), record, 'the record is untouched');
    const next = await reconcile(
      options(cfg, store, Date.now(), { controlFor: () => source(() => [promote]) }),
    );
    assert.equal(next.entries[0]!.code, 'rollout_resumed', next.entries[0]!.message);
  });

  it('stopped by an internal error before it went on: the entry says so, not that the job was cancelled', async () => {
    const cfg = await config('{ weight: 25, pause: manual }');
    const store = new FileStateStore(join(dir, 'state'));
    const record = await handOff(cfg, store);
    const promote = request('promote', record.rollout!.wait!.step, { at: iso(Date.now()) });
    const crash = new AbortController();
    crash.abort(new InternalErrorStop(new Error('boom')));
    const result = await reconcile(
      options(cfg, store, Date.now(), { signal: crash.signal, controlFor: () => source(() => [promote]) }),
    );
    assert.equal(result.entries[0]!.code, 'reconcile_cancelled', result.entries[0]!.message);
    assert.match(
      result.entries[0]!.message,
      /^not acted on: reconcile was stopped by an internal error before going on with the rollout of v2; nothing was run/,
    );
    assert.doesNotMatch(result.entries[0]!.message, /cancelled/);
    // The summary says what stopped it, and fails.
    assert.equal(result.stoppedBy, 'Error: boom');
    assert.equal(result.failed, true);
    assert.deepEqual(await stored(store), record, 'the record is untouched');
  });

  it('cancelled while current was asked, current answering all the same: reconcile_cancelled, the rollout not rolled back by the cancellation', async () => {
    // The signal came as the current command ended (or one that ignores SIGINT finished its answer): the
    // check passed, but a rollout taken up now would start cancelled, and a cancelled rollout is rolled back.
    const cfg = await config('{ weight: 25, pause: manual }');
    const store = new FileStateStore(join(dir, 'state'));
    const record = await handOff(cfg, store);
    const promote = request('promote', record.rollout!.wait!.step, { at: iso(Date.now()) });
    const cancel = new AbortController();
    const before = target.calls().length;
    const result = await reconcile(
      options(cfg, store, Date.now(), {
        signal: cancel.signal,
        controlFor: () => source(() => [promote]),
        reporter: {
          event(e) {
            if (e.type === 'log' && /the current command reports/.test(e.message))
              cancel.abort(new Error('SIGINT received'));
          },
        },
      }),
    );
    assert.deepEqual(
      result.entries.map((e) => [e.code, e.failed]),
      [['reconcile_cancelled', true]],
      result.entries[0]!.message,
    );
    assert.deepEqual(target.calls().slice(before), ['current'], 'nothing but the current check');
    assert.deepEqual(await stored(store), record, 'the record is untouched');
  });

  it('a promote whose claim cannot be stored: nothing runs, the record stays as it was (rollout_resume_failed); the next reconcile goes on', async () => {
    const cfg = await config('{ weight: 25, pause: manual }');
    const store = new FileStateStore(join(dir, 'state'));
    const record = await handOff(cfg, store);
    const promote = request('promote', record.rollout!.wait!.step, { at: iso(Date.now()) });
    const unwritable = unwritableStore(store);
    const before = target.calls().length;
    const marks: string[] = [];
    const result = await reconcile(
      options(cfg, store, Date.now(), {
        storeFor: () => unwritable,
        controlFor: () => source(() => [promote]),
        markDeployment: async (_, state) => void marks.push(state),
      }),
    );
    assert.deepEqual(
      result.entries.map((e) => [e.code, e.failed]),
      [['rollout_resume_failed', true]],
      result.entries[0]!.message,
    );
    // It still waits: its deployment is not marked an error.
    assert.deepEqual(marks, []);
    assert.match(result.entries[0]!.message, /could not be stored \(EACCES: permission denied\)/);
    assert.match(result.entries[0]!.message, /nothing was run/);
    // Not a step: a rollout going on with no record of it would be taken up again from the wait by every
    // later reconcile, its traffic sent back to 50 % each time.
    assert.deepEqual(target.actingCalls(before), [], 'nothing but the current check');
    assert.deepEqual(await stored(store), record, 'the record is untouched');
    const next = await reconcile(
      options(cfg, store, Date.now(), { controlFor: () => source(() => [promote]) }),
    );
    assert.equal(next.entries[0]!.code, 'rollout_resumed', next.entries[0]!.message);
  });

  it('an abort whose record cannot be stored still puts traffic back on the stable version (safe to repeat)', async () => {
    const cfg = await config('{ weight: 25, pause: manual }');
    const store = new FileStateStore(join(dir, 'state'));
    const record = await handOff(cfg, store);
    const abort = request('abort', record.rollout!.wait!.step, { at: iso(Date.now()) });
    const unwritable = unwritableStore(store);
    const before = traffic().length;
    await reconcile(
      options(cfg, store, Date.now(), {
        storeFor: () => unwritable,
        controlFor: () => source(() => [abort]),
      }),
    );
    assert.deepEqual(traffic().slice(before), ['set_weight green 0']);
  });

  it('an abort rolls it back: rollout_aborted, traffic on v1, the reason in the history', async () => {
    const cfg = await config('{ weight: 25, pause: manual }');
    const store = new FileStateStore(join(dir, 'state'));
    const record = await handOff(cfg, store);
    const before = traffic().length;
    const result = await reconcile(
      options(cfg, store, Date.now(), {
        controlFor: () =>
          source(() => [
            request('abort', record.rollout!.wait!.step, {
              by: 'bob',
              reason: 'error budget',
              at: iso(Date.now()),
            }),
          ]),
      }),
    );
    assert.equal(result.entries[0]!.code, 'rollout_aborted', result.entries[0]!.message);
    // Who aborted it and why, said once.
    assert.equal(
      result.entries[0]!.message.split('aborted by bob').length - 1,
      1,
      result.entries[0]!.message,
    );
    assert.match(result.entries[0]!.message, /^aborted by bob: error budget/);
    assert.equal(result.failed, false);
    assert.deepEqual(traffic().slice(before), ['set_weight green 0']);
    const after = await stored(store);
    assert.equal(after.rollout, undefined);
    assert.equal(after.live?.version, 'v1');
    assert.ok(
      after.history.some(
        (h) => h.code === 'rollout_aborted' && h.by === 'bob' && h.detail === 'error budget',
      ),
    );
  });
});

describe('reconcile: a handed-off rollout that deploy.yml no longer plans (changed since the hand-off)', () => {
  // The pipeline plans from today's config and refuses a rollout whose steps or strategy changed: it said
  // rollout_resume_failed, "not acted on", at every run, and the abort never rolled anything back: the canary
  // kept its 25 % for good (every deployment refused behind it). The steps its record holds roll it back.
  for (const [what, later] of [
    ['its canary steps', () => config('{ weight: 10, pause: manual }')],
    ['its strategy (blue-green now)', () => blueGreen()],
  ] as const)
    it(`an abort after ${what} changed rolls it back with its recorded steps: rollout_aborted, v1 live`, async () => {
      const cfg = await config('{ weight: 25, pause: manual }');
      const store = new FileStateStore(join(dir, 'state'));
      const record = await handOff(cfg, store);
      const changed = await later();
      const abort = request('abort', record.rollout!.wait!.step, {
        by: 'bob',
        reason: 'error budget',
        at: iso(Date.now()),
      });
      const marks: string[] = [];
      const before = traffic().length;
      const result = await reconcile(
        options(changed, store, Date.now(), {
          controlFor: () => source(() => [abort]),
          markDeployment: async (_, state) => void marks.push(state),
        }),
      );
      const [only] = result.entries;
      assert.equal(only!.code, 'rollout_aborted', only!.message);
      assert.equal(result.failed, false);
      assert.match(only!.message, /^aborted by bob: error budget; deploy\.yml no longer plans this rollout/);
      assert.match(only!.message, /traffic on v1 on blue$/);
      assert.deepEqual(traffic().slice(before), ['set_weight green 0']);
      assert.deepEqual(marks, ['failure']);
      const after = await stored(store);
      assert.equal(after.rollout, undefined);
      assert.equal(after.live?.version, 'v1');
      assert.deepEqual(
        after.history.slice(-2).map((h) => `${h.event}:${h.code}`),
        ['rollback_started:rollout_aborted', 'rolled_back:rollout_aborted'],
      );
      // Done: the next reconcile finds nothing to undo again.
      const next = await reconcile(
        options(changed, store, Date.now(), { controlFor: () => source(() => [abort]) }),
      );
      assert.equal(next.entries[0]!.code, 'nothing_due', next.entries[0]!.message);
      assert.deepEqual(traffic().slice(before), ['set_weight green 0']);
    });

  it("a bake's armed trigger after its steps changed rolls it back with its recorded steps: bake_rolled_back", async () => {
    const cfg = await config('{ weight: 25, pause: 24h }');
    const store = new FileStateStore(join(dir, 'state'));
    const record = await handOff(cfg, store);
    const changed = await config('{ weight: 20, pause: 24h }');
    const until = Date.parse(record.rollout!.wait!.until!);
    const bad = analyzer({ ok: false, analysis: 'rollback', reason: 'error rate 9 % > 1 %' }, []);
    const before = traffic().length;
    const result = await reconcile(
      options(changed, store, until - 3_600_000, {
        controlFor: () => source(() => []),
        analyzerFor: () => bad,
      }),
    );
    assert.equal(result.entries[0]!.code, 'bake_rolled_back', result.entries[0]!.message);
    assert.match(result.entries[0]!.message, /error rate 9 % > 1 %/);
    assert.deepEqual(traffic().slice(before), ['set_weight green 0']);
    const after = await stored(store);
    assert.equal(after.rollout, undefined);
    assert.equal(after.history.at(-1)!.code, 'bake_rolled_back');
  });
});

describe('reconcile: a handed-off rollout whose rollback began and did not end', () => {
  // Its rollback (an /abort, a bake's trigger) writes phase rollback ahead and keeps the wait in the record.
  // Read as still waiting, it was left half rolled back for good: a bake was looked at and "baking until …"
  // (its traffic wherever the rollback stopped), a due bake or the /abort retried ended rollout_resume_failed
  // ("a rollback of it had already begun") at every run. It is finished as an orphan's rollback now, once the
  // run rolling it back has ended, with what is left of its recovery: no step that went back is run again.
  it('a reconcile killed in the rollback of a bake its metrics failed: the next one finishes it, not a bake look', async () => {
    const cfg = await config('{ weight: 25, pause: 24h }');
    const store = new FileStateStore(join(dir, 'state'));
    const record = await handOff(cfg, store);
    const until = Date.parse(record.rollout!.wait!.until!);
    // The record as the dying reconcile left it: its write-ahead of the rollback, then nothing (kill -9).
    const written: EnvironmentRecord[] = [];
    const spy: StateStore = {
      read: (environment) => store.read(environment),
      write: async (r, o) => {
        written.push(structuredClone(r));
        return store.write(r, o);
      },
    };
    const bad = analyzer({ ok: false, analysis: 'rollback', reason: 'error rate 9 % > 1 %' }, []);
    await reconcile(
      options(cfg, store, until - 7_200_000, {
        storeFor: () => spy,
        controlFor: () => source(() => []),
        analyzerFor: () => bad,
      }),
    );
    const died = written.find((r) => r.rollout?.phase === 'rollback');
    assert.ok(died?.rollout?.wait?.handedOff, 'the write-ahead keeps the wait');
    rmSync(store.pathFor('production'), { force: true });
    await store.write(died);
    const before = target.calls().length;

    const looks: AnalysisRequest[] = [];
    const owners: string[] = [];
    const next = await reconcile(
      options(cfg, store, until - 3_600_000, {
        controlFor: () => source(() => []),
        analyzerFor: () => analyzer({ ok: true, analysis: 'promote' }, looks),
        ownerStatus: async (o) => {
          owners.push(o.kind === 'workflow' ? o.runId : o.kind);
          return { state: 'ended', conclusion: 'cancelled' };
        },
      }),
    );
    assert.equal(next.entries[0]!.code, 'orphan_rolled_back', next.entries[0]!.message);
    assert.deepEqual(owners, ['99'], 'the reconcile run that began the rollback is asked');
    assert.equal(looks.length, 0, 'no bake is looked at');
    assert.deepEqual(target.actingCalls(before), ['set_weight green 0', 'teardown green']);
    const after = await stored(store);
    assert.equal(after.rollout, undefined);
    assert.equal(after.live?.version, 'v1');
  });

  it('while the run rolling it back still runs: left to it (owner_running), nothing run', async () => {
    const cfg = await config('{ weight: 25, pause: 24h }');
    const store = new FileStateStore(join(dir, 'state'));
    const record = await handOff(cfg, store);
    const rollout = record.rollout!;
    await store.write({
      ...record,
      seq: record.seq + 1,
      rollout: { ...rollout, phase: 'rollback', owner: { kind: 'workflow', runId: '98' } },
    });
    const before = target.calls().length;
    const result = await reconcile(
      options(cfg, store, Date.parse(rollout.wait!.until!) + 60_000, {
        controlFor: () => source(() => []),
        ownerStatus: async () => ({ state: 'running' }),
      }),
    );
    assert.equal(result.entries[0]!.code, 'owner_running', result.entries[0]!.message);
    assert.deepEqual(target.calls().slice(before), []);
  });

  it('an abort whose rollback failed (a teardown): the next reconcile runs what is left, once', async () => {
    const cfg = await config('{ weight: 25, pause: manual }');
    const store = new FileStateStore(join(dir, 'state'));
    const record = await handOff(cfg, store);
    const abort = request('abort', record.rollout!.wait!.step, { by: 'bob', at: iso(Date.now()) });
    const path = join(dir, 'deploy.yml');
    writeFileSync(
      path,
      readFileSync(path, 'utf8').replace("CURRENT: '", "FAIL_ON: teardown\n    CURRENT: '"),
    );
    const failing = await loadConfigFile(path);
    const before = target.calls().length;
    const first = await reconcile(
      options(failing, store, Date.now(), { controlFor: () => source(() => [abort]) }),
    );
    assert.equal(first.entries[0]!.code, 'rollout_resume_failed', first.entries[0]!.message);
    assert.deepEqual(target.actingCalls(before), ['set_weight green 0', 'teardown green']);
    const kept = (await stored(store)).rollout;
    assert.equal(kept?.phase, 'rollback');

    const again = target.calls().length;
    const next = await reconcile(
      options(cfg, store, Date.now(), { controlFor: () => source(() => [abort]) }),
    );
    assert.equal(next.entries[0]!.code, 'orphan_rolled_back', next.entries[0]!.message);
    assert.deepEqual(
      target.actingCalls(again),
      ['teardown green'],
      'traffic, already back, is not moved again',
    );
    assert.equal((await stored(store)).rollout, undefined);
  });
});

describe('reconcile: a re-run of the reconcile run whose rollback of a handed-off rollout failed', () => {
  // The rollout is that run's from its rollback's first write (attempt 1). Re-run ("Re-run failed jobs"), attempt
  // 2 asked GitHub about run 99, found it in progress (itself) and left the rollout to it: owner_running, a
  // success. Every reconcile after it then found run 99 succeeded: state_stale, the rollback never finished, and
  // every deployment refused behind the unfinished rollout.
  it('an earlier attempt of this very run has ended: the re-run finishes the rollback', async () => {
    const cfg = await config('{ weight: 25, pause: manual }');
    const store = new FileStateStore(join(dir, 'state'));
    const record = await handOff(cfg, store);
    const abort = request('abort', record.rollout!.wait!.step, { by: 'bob', at: iso(Date.now()) });
    const path = join(dir, 'deploy.yml');
    writeFileSync(
      path,
      readFileSync(path, 'utf8').replace("CURRENT: '", "FAIL_ON: teardown\n    CURRENT: '"),
    );
    const failing = await loadConfigFile(path);
    const attempt = (n: string) => ({ kind: 'workflow' as const, runId: '99', runAttempt: n });
    const first = await reconcile(
      options(failing, store, Date.now(), {
        owner: attempt('1'),
        controlFor: () => source(() => [abort]),
      }),
    );
    assert.equal(first.entries[0]!.code, 'rollout_resume_failed', first.entries[0]!.message);
    assert.deepEqual((await stored(store)).rollout?.owner, attempt('1'));

    const again = target.calls().length;
    const asked: string[] = [];
    const rerun = await reconcile(
      options(cfg, store, Date.now(), {
        owner: attempt('2'),
        controlFor: () => source(() => [abort]),
        // GitHub reports the run, not an attempt: in progress, since its attempt 2 is this reconcile.
        ownerStatus: async (o) => {
          asked.push(o.kind === 'workflow' ? o.runId : o.kind);
          return { state: 'running' };
        },
      }),
    );
    assert.equal(rerun.entries[0]!.code, 'orphan_rolled_back', rerun.entries[0]!.message);
    assert.match(rerun.entries[0]!.message, /attempt 1; attempt 2 \(this run\) re-ran it/);
    assert.deepEqual(asked, [], 'GitHub is not asked about this run');
    assert.deepEqual(target.actingCalls(again), ['teardown green']);
    assert.equal((await stored(store)).rollout, undefined);
  });

  it('a later or the same attempt, or another run, is asked of GitHub as before', async () => {
    const cfg = await config('{ weight: 25, pause: manual }');
    const store = new FileStateStore(join(dir, 'state'));
    const record = await handOff(cfg, store);
    const rollout = record.rollout!;
    for (const owner of [
      { kind: 'workflow' as const, runId: '99', runAttempt: '2' },
      { kind: 'workflow' as const, runId: '99' },
      { kind: 'workflow' as const, runId: '98', runAttempt: '1' },
    ]) {
      const read = await store.read('production');
      assert.ok(read.ok && read.record);
      await store.write({
        ...read.record,
        seq: read.record.seq + 1,
        rollout: { ...rollout, phase: 'rollback', owner },
      });
      const before = target.calls().length;
      const result = await reconcile(
        options(cfg, store, Date.now(), {
          owner: { kind: 'workflow', runId: '99', runAttempt: '2' },
          controlFor: () => source(() => []),
          ownerStatus: async () => ({ state: 'running' }),
        }),
      );
      assert.equal(result.entries[0]!.code, 'owner_running', JSON.stringify(owner));
      assert.deepEqual(target.actingCalls(before), []);
    }
  });
});

describe('reconcile: a handed-off bake of 24 h', () => {
  const BAKE = '{ weight: 25, pause: 24h }';

  it('before its end: one look per run at the 25 % step, counted in the record; at its end it goes on', async () => {
    const cfg = await config(BAKE);
    const store = new FileStateStore(join(dir, 'state'));
    const record = await handOff(cfg, store);
    const wait = record.rollout!.wait!;
    assert.equal(wait.kind, 'bake');
    const until = Date.parse(wait.until!);
    assert.equal(until - Date.parse(wait.since), 86_400_000);
    const looks: AnalysisRequest[] = [];
    const fine = analyzer({ ok: true, analysis: 'promote', detail: 'error rate 0.1 %' }, looks);
    const before = traffic().length;

    const early = await reconcile(
      options(cfg, store, until - 1, { controlFor: () => source(() => []), analyzerFor: () => fine }),
    );
    assert.equal(early.entries[0]!.code, 'rollout_waiting', early.entries[0]!.message);
    assert.equal(looks.length, 1);
    assert.equal(looks[0]!.phase, 'canary-step');
    assert.equal(looks[0]!.weight, 25);
    assert.equal(looks[0]!.slot, 'green');
    assert.equal(looks[0]!.stableSlot, 'blue');
    // The bake so far, from its start (read back in time where the metrics allow; else one live interval).
    assert.equal(looks[0]!.windowMs, until - 1 - Date.parse(wait.since));
    assert.deepEqual(looks[0]!.lookBack, { since: Date.parse(wait.since), liveMs: 1000, midway: true });
    const looked = await stored(store);
    assert.equal(looked.seq, record.seq + 1);
    assert.equal(looked.rollout!.wait!.looks, 1);
    assert.deepEqual(looked.rollout!.wait!.lastLook, {
      at: iso(until - 1),
      decision: 'promote',
      detail: 'error rate 0.1 %',
    });
    assert.deepEqual(
      looked.history,
      record.history,
      'a look is no history entry (144 a day would crowd it out)',
    );
    assert.deepEqual(traffic().slice(before), [], 'no traffic moved');

    const due = await reconcile(
      options(cfg, store, until, { controlFor: () => source(() => []), analyzerFor: () => fine }),
    );
    assert.equal(due.entries[0]!.code, 'rollout_resumed', due.entries[0]!.message);
    // The final look: the whole 24 h window from the bake's start, not a midway look.
    assert.equal(looks[1]!.windowMs, 86_400_000);
    // Without history it would watch a live window bounded by max_wait_in_job (0 here).
    assert.deepEqual(looks[1]!.lookBack, { since: Date.parse(wait.since), liveMs: 0 });
    assert.deepEqual(traffic().slice(before), ['set_weight green 50', 'set_weight green 100']);
    assert.equal((await stored(store)).live?.version, 'v2');
  });

  it('--at (dueBy) judges the end as of that time, the look is recorded at the real time', async () => {
    const cfg = await config(BAKE);
    const store = new FileStateStore(join(dir, 'state'));
    const record = await handOff(cfg, store);
    const until = Date.parse(record.rollout!.wait!.until!);
    const looks: AnalysisRequest[] = [];
    const result = await reconcile(
      options(cfg, store, Date.now(), {
        dueBy: new Date(until),
        controlFor: () => source(() => []),
        analyzerFor: () => analyzer({ ok: true, analysis: 'promote' }, looks),
      }),
    );
    assert.equal(result.entries[0]!.code, 'rollout_resumed', result.entries[0]!.message);
  });

  it('an armed trigger: a look that says rollback rolls the bake back (bake_rolled_back)', async () => {
    const cfg = await config(BAKE);
    const store = new FileStateStore(join(dir, 'state'));
    const record = await handOff(cfg, store);
    const until = Date.parse(record.rollout!.wait!.until!);
    const looks: AnalysisRequest[] = [];
    const bad = analyzer(
      { ok: false, analysis: 'rollback', reason: 'error rate 9 % > 1 % (canary) vs 0.2 % (stable)' },
      looks,
    );
    const before = traffic().length;
    const result = await reconcile(
      options(cfg, store, until - 3_600_000, { controlFor: () => source(() => []), analyzerFor: () => bad }),
    );
    assert.equal(result.entries[0]!.code, 'bake_rolled_back', result.entries[0]!.message);
    assert.equal(result.failed, false);
    assert.equal(looks.length, 1);
    assert.deepEqual(traffic().slice(before), ['set_weight green 0']);
    const after = await stored(store);
    assert.equal(after.rollout, undefined);
    assert.equal(after.live?.version, 'v1');
    const entry = after.history.find((h) => h.code === 'bake_rolled_back');
    assert.ok(entry, after.history.map((h) => `${h.event}:${h.code}`).join(' '));
    assert.equal(entry.by, 'reconcile');
    assert.match(entry.detail!, /error rate 9 %/);
  });

  it("cancelled while the current command is asked before a bake look's rollback: reconcile_cancelled, not current_failed", async (t) => {
    // The cross-check's current command stopped by the cancellation was taken for a failing one: the entry
    // said current_failed, "make the current command work", about a command that works.
    const cfg = await config(BAKE);
    const store = new FileStateStore(join(dir, 'state'));
    const record = await handOff(cfg, store);
    const until = Date.parse(record.rollout!.wait!.until!);
    const cancel = new AbortController();
    const cancelledThenRollback: Analyzer = {
      async evaluate() {
        // The next command, the cross-check's current, takes long enough to be cancelled while it runs.
        process.env.SLEEP_ON = 'current=5000';
        setTimeout(() => cancel.abort(new Error('SIGINT received')), 300);
        return { ok: false, analysis: 'rollback', reason: 'error rate 9 % > 1 %' };
      },
    };
    t.after(() => delete process.env.SLEEP_ON);
    const before = traffic().length;
    const result = await reconcile(
      options(cfg, store, until - 3_600_000, {
        controlFor: () => source(() => []),
        analyzerFor: () => cancelledThenRollback,
        signal: cancel.signal,
      }),
    );
    assert.equal(result.entries[0]!.code, 'reconcile_cancelled', result.entries[0]!.message);
    assert.deepEqual(traffic().slice(before), [], 'no traffic moved');
    assert.ok((await stored(store)).rollout?.wait?.handedOff, 'the bake still waits, as it was');
  });

  it('cancelled while it looks at the metrics: reconcile_cancelled (a failure), no look counted, the record unchanged', async () => {
    // It said rollout_waiting, exit 0, and stored a look with decision hold ("the look was cancelled"): the run
    // that left the bake's triggers unchecked passed, and the record counted a look nobody judged.
    const cfg = await config(BAKE);
    const store = new FileStateStore(join(dir, 'state'));
    const record = await handOff(cfg, store);
    const until = Date.parse(record.rollout!.wait!.until!);
    const cancel = new AbortController();
    const cancelledMidLook: Analyzer = {
      async evaluate() {
        cancel.abort(new Error('SIGTERM received'));
        return { ok: false, reason: 'cancelled' };
      },
    };
    const result = await reconcile(
      options(cfg, store, until - 3_600_000, {
        controlFor: () => source(() => []),
        analyzerFor: () => cancelledMidLook,
        signal: cancel.signal,
      }),
    );
    assert.deepEqual(
      result.entries.map((e) => [e.code, e.failed]),
      [['reconcile_cancelled', true]],
      result.entries[0]!.message,
    );
    assert.equal(result.failed, true);
    assert.match(
      result.entries[0]!.message,
      /cancelled while it looked at the metrics.*the next reconcile looks again/,
    );
    assert.deepEqual(await stored(store), record, 'nothing written');
  });

  it("the run's own secret values are kept out of the record it writes (a look quoting a token)", async () => {
    const cfg = await config(BAKE);
    const store = new FileStateStore(join(dir, 'state'));
    const record = await handOff(cfg, store);
    const until = Date.parse(record.rollout!.wait!.until!);
    const token = 'plainvalue-0123456789';
    const webhook = 'hooks-secret-path-4567';
    const bad = analyzer(
      { ok: false, analysis: 'rollback', reason: `error rate 9 % (asked with ${token}, told ${webhook})` },
      [],
    );
    // The caller adds a notifier's secret after the run started: the list is read at each write.
    const secrets = [token];
    const result = await reconcile({
      ...options(cfg, store, until - 3_600_000, {
        controlFor: () => source(() => []),
        analyzerFor: () => {
          secrets.push(webhook);
          return bad;
        },
      }),
      secrets,
    });
    assert.equal(result.entries[0]!.code, 'bake_rolled_back', result.entries[0]!.message);
    const text = JSON.stringify(await stored(store));
    assert.ok(!text.includes(token) && !text.includes(webhook), text);
    const entry = (await stored(store)).history.find((h) => h.code === 'bake_rolled_back');
    assert.match(entry!.detail!, /error rate 9 % \(asked with \*\*\*, told \*\*\*\)/);
  });

  it('a look that holds (not enough data) is counted and the bake goes on waiting', async () => {
    const cfg = await config(BAKE);
    const store = new FileStateStore(join(dir, 'state'));
    const record = await handOff(cfg, store);
    const looks: AnalysisRequest[] = [];
    const o = () =>
      options(cfg, store, Date.parse(record.rollout!.wait!.since) + 60_000, {
        controlFor: () => source(() => []),
        analyzerFor: () => analyzer({ ok: true, analysis: 'hold', detail: 'too few requests' }, looks),
      });
    await reconcile(o());
    await reconcile(o());
    const after = await stored(store);
    assert.equal(after.rollout!.wait!.looks, 2);
    assert.equal(after.rollout!.wait!.lastLook?.decision, 'hold');
    assert.equal(looks.length, 2);
  });
});

describe('reconcile: a handed-off monitor window of 24 h (all traffic on the new version)', () => {
  const MONITOR = '    monitor: 24h\n';

  it('looks at it from its start while it lasts and ends it when due, judged over the whole window', async () => {
    const cfg = await config('25', MONITOR);
    const store = new FileStateStore(join(dir, 'state'));
    const record = await handOff(cfg, store);
    const rollout = record.rollout!;
    assert.equal(rollout.phase, 'monitor');
    assert.equal(rollout.wait!.kind, 'bake');
    const since = Date.parse(rollout.wait!.since);
    const until = Date.parse(rollout.wait!.until!);
    assert.equal(until - since, 86_400_000);
    assert.deepEqual(traffic(), ['set_weight green 25', 'set_weight green 50', 'set_weight green 100']);

    const looks: AnalysisRequest[] = [];
    const fine = analyzer({ ok: true, analysis: 'promote', detail: 'nothing fired' }, looks);
    const early = await reconcile(
      options(cfg, store, since + 3_600_000, { controlFor: () => source(() => []), analyzerFor: () => fine }),
    );
    assert.equal(early.entries[0]!.code, 'rollout_waiting', early.entries[0]!.message);
    assert.equal(looks.length, 1);
    assert.equal(looks[0]!.phase, 'monitor');
    assert.equal(looks[0]!.slot, 'green');
    assert.equal(looks[0]!.weight, undefined);
    assert.deepEqual(looks[0]!.lookBack, { since, liveMs: 1000, midway: true });

    const due = await reconcile(
      options(cfg, store, until, { controlFor: () => source(() => []), analyzerFor: () => fine }),
    );
    assert.equal(due.entries[0]!.code, 'rollout_resumed', due.entries[0]!.message);
    const final = looks.find((l, i) => i > 0 && l.phase === 'monitor');
    assert.ok(final, looks.map((l) => l.phase).join(' '));
    assert.equal(final.windowMs, 86_400_000);
    assert.deepEqual(final.lookBack, { since, liveMs: 0 });
    const after = await stored(store);
    assert.equal(after.rollout, undefined);
    assert.equal(after.live?.version, 'v2');
    assert.equal(after.live?.slot, 'green');
    assert.deepEqual(traffic().slice(3), [], 'no traffic moved at the end');
  });

  it('an armed trigger during the monitor window rolls the rollout back to the stable slot', async () => {
    const cfg = await config('25', MONITOR);
    const store = new FileStateStore(join(dir, 'state'));
    const record = await handOff(cfg, store);
    const looks: AnalysisRequest[] = [];
    const bad = analyzer({ ok: false, analysis: 'rollback', reason: 'p95 2.4 s > 2x baseline' }, looks);
    const result = await reconcile(
      options(cfg, store, Date.parse(record.rollout!.wait!.since) + 7_200_000, {
        controlFor: () => source(() => []),
        analyzerFor: () => bad,
      }),
    );
    assert.equal(result.entries[0]!.code, 'bake_rolled_back', result.entries[0]!.message);
    assert.equal(traffic().at(-1), 'set_weight green 0');
    const after = await stored(store);
    assert.equal(after.rollout, undefined);
    assert.equal(after.live?.version, 'v1');
  });
});
