// The pipeline machine under people's control (issue 14): manual steps, approvals, /pause, /resume, /abort,
// /promote --full, bakes longer than the job, and going on after a hand-off. Plain values in and out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resume, type Action, type ResumeMachineInput } from '../../../src/pipeline/machine.ts';
import type { ControlRequest } from '../../../src/control/request.ts';
import type { EnvironmentRecord } from '../../../src/state/record.ts';
import { decideRollout, PAUSED_ON_FAILURE } from '../../../src/control/rollout.ts';
import { endsWait } from '../../../src/cli/control.ts';
import { decide as decideReconcile } from '../../../src/reconcile/decide.ts';
import { describeStep } from '../../../src/strategies/sequence.ts';
import { continueCommands } from '../../../src/report/waits.ts';
import type { Step, StepResult } from '../../../src/strategies/types.ts';
import { drive, environment, input, stored, T0, type Run } from '../../helpers/machine-driver.ts';

const canary = (steps: string, control = '') =>
  environment(`  production:
    strategy:
      type: canary
      steps: ${steps}
${control ? `    control: ${control}\n` : ''}`);

const MANUAL_AT_25 = '[{ weight: 10, pause: 1s }, { weight: 25, pause: manual }, { weight: 50, pause: 1s }]';

let seq = 0;
function request(
  verb: ControlRequest['verb'],
  step: number,
  over: Partial<ControlRequest> = {},
): ControlRequest {
  seq++;
  return {
    id: `comment:${seq}`,
    verb,
    by: 'alice',
    at: new Date(T0 + seq * 1000).toISOString(),
    deploymentId: 'd-1',
    step,
    source: 'comment',
    ...over,
  };
}

/** Reconcile run `runId` going on with a handed-off rollout (resume's input, the run as its owner). */
const byReconcile = (
  runId: string,
  r: Pick<ResumeMachineInput, 'now' | 'env' | 'record' | 'reason' | 'handoff'>,
) => resume({ ...r, repository: 'local', owner: { kind: 'workflow', runId }, actor: `reconcile:${runId}` });

const traffic = (r: Run) =>
  r.actions.flatMap((a) => (a.kind === 'run_step' && a.step.kind === 'set_weight' ? [a.step.weight] : []));
const lastRecord = (r: Run): EnvironmentRecord => r.persists.at(-1)!.record;
const waitIndex = (r: Run) =>
  r.states.at(-1)!.tracks.production!.strategy!.plan.findIndex((p) => p.step.kind === 'wait');
const history = (r: Run) => lastRecord(r).history.map((h) => `${h.event}:${h.code}`);

/** A person who promotes once the rollout waits: the first await_control sees nothing yet, later ones the /promote. */
function promoteOnceWaiting(): (n: number, action: Action) => ControlRequest[] {
  let promote: ControlRequest | undefined;
  return (_n, action) => {
    if (action.kind === 'await_control' && !promote) {
      promote = request('promote', action.step);
      return [];
    }
    return promote ? [promote] : [];
  };
}

test('a manual step waits in the job until a /promote for it, then goes on to 100 %', () => {
  const env = canary(MANUAL_AT_25);
  const run = drive(input(env), { requests: promoteOnceWaiting() });
  assert.equal(run.result.status, 'succeeded', run.result.message);
  assert.deepEqual(traffic(run), [10, 25, 50, 100]);
  const waits = run.result.waits ?? [];
  assert.equal(waits.length, 1);
  assert.equal(waits[0]!.kind, 'manual');
  assert.equal(waits[0]!.weight, 25);
  assert.deepEqual(waits[0]!.ended?.by, ['alice']);
  assert.equal(waits[0]!.ended?.how, 'promoted');
  // The wait was stored durably before anyone was told, and cleared by the promote.
  const waitWrite = run.persists.find((p) => p.record.rollout?.wait?.kind === 'manual')!;
  assert.equal(waitWrite.durable, true);
  assert.equal(waitWrite.record.rollout!.wait!.handedOff, false);
  assert.ok(history(run).includes('promoted:manual'), history(run).join(' '));
  assert.equal(lastRecord(run).rollout, undefined);
});

test("a wait says how to go on where its rollout is steered: the App's comments, or the command line's verbs for a CLI run", () => {
  const env = canary(MANUAL_AT_25);
  const detail = (repository: string) =>
    lastRecord(drive(input(env, { repository }), { requests: promoteOnceWaiting() })).history.find(
      (h) => h.event === 'wait_started',
    )!.detail;
  assert.match(detail('octo/app')!, /for \/promote production \(or \/abort production\)$/);
  // A CLI run (its record in a state directory) reads `deploy-action promote|abort`, never a comment.
  assert.match(
    detail('local')!,
    /for deploy-action promote -e production \(or deploy-action abort -e production\)$/,
  );
});

test('a /promote made while the step was still analysing ends that wait, but never a later one', () => {
  const env = canary(
    '[{ weight: 10, pause: manual }, { weight: 25, pause: 1s }, { weight: 50, pause: manual }]',
  );
  // Made at the 10 % analysis (step index of its set_weight + 1), before the first wait.
  const early = request('promote', 4);
  const run = drive(input(env, { handOff: true }), { requests: () => [early] });
  assert.equal(run.result.status, 'waiting', run.result.message);
  assert.deepEqual(traffic(run), [10, 25, 50], 'the second wait (at 50 %) is not ended by the early promote');
  assert.deepEqual(
    run.result.waits!.map((w) => `${w.weight}:${w.ended?.how}`),
    ['10:promoted', '50:handed_off'],
  );
});

test('a /promote that ended a hold ends no later wait: the job records where it counts from, and reconcile counts alike', () => {
  const env = canary(
    '[{ weight: 10, pause: 1s }, { weight: 25, pause: 1s }, { weight: 50, pause: manual }]',
    '{ max_wait_in_job: 1m }',
  );
  const pause = request('pause', 1, { by: 'dave' });
  let promote: ControlRequest | undefined;
  const run = drive(input(env, { handOff: true }), {
    requests: (_n, action) => {
      // The hold's first look: erin's /promote for its step ends it.
      if (action.kind === 'await_control' && !action.gate)
        promote ??= request('promote', action.step, { by: 'erin' });
      return promote ? [pause, promote] : [pause];
    },
  });
  assert.equal(run.result.status, 'waiting', run.result.message);
  assert.deepEqual(
    run.result.waits!.map((w) => `${w.kind}:${w.ended?.how}`),
    ['hold:resumed', 'manual:handed_off'],
  );
  const holdStep = run.result.waits![0]!.step;
  const wait = lastRecord(run).rollout!.wait!;
  assert.ok(holdStep < wait.step && promote!.step === holdStep);
  // The job counts from the step after the hold; so do reconcile and the App, from the record.
  assert.equal(wait.fromStep, holdStep + 1);
  const awaits = run.actions.filter((a) => a.kind === 'await_control' && a.gate?.kind === 'manual');
  assert.ok(
    awaits.length > 0 && awaits.every((a) => a.kind === 'await_control' && a.fromStep === wait.fromStep),
  );
  const judged = decideReconcile({
    record: lastRecord(run),
    now: new Date(T0 + 3_600_000),
    onOrphan: 'rollback',
    requests: [pause, promote!],
  });
  assert.equal(judged.code, 'waiting', JSON.stringify(judged));
});

// ---- a resumed orphan counts /promotes where its dead run did ---------------------------------------------------

/** Reconcile resuming `record`'s rollout as an orphan (`on_orphan: resume`, no hand-over), free to hand it off. */
const orphanResumed = (
  env: ReturnType<typeof canary>,
  record: EnvironmentRecord,
  requests: ControlRequest[],
) =>
  drive(
    resume({
      now: T0 + 3_600_000,
      env,
      record,
      repository: 'local',
      owner: { kind: 'workflow', runId: '999' },
      actor: 'reconcile:999',
      reason: 'its owner process 42 on box ended',
      handOff: true,
    }),
    { requests: () => requests },
  );

/** It waits (handed off) at `step` again, counting from `from`, and reconcile and the App count alike. */
function waitsAgainAt(
  resumed: Run,
  step: number,
  from: number,
  requests: ControlRequest[],
  where: string,
): void {
  assert.equal(resumed.result.status, 'waiting', `${where}: ${resumed.result.message}`);
  const wait = lastRecord(resumed).rollout!.wait!;
  assert.equal(wait.step, step, where);
  assert.equal(wait.fromStep, from, where);
  const awaits = resumed.actions.filter((a) => a.kind === 'await_control');
  assert.ok(
    awaits.length > 0 && awaits.every((a) => a.kind === 'await_control' && a.fromStep === from),
    `${where}: the resumed run counts from ${from}`,
  );
  const judged = decideReconcile({
    record: lastRecord(resumed),
    now: new Date(T0 + 7_200_000),
    onOrphan: 'resume',
    requests,
  });
  assert.equal(judged.code, 'waiting', `${where}: ${JSON.stringify(judged)}`);
  assert.equal(decideRollout(lastRecord(resumed).rollout!, requests, T0 + 7_200_000).action, 'wait', where);
}

test('a resumed orphan counts /promotes from the step after the wait its dead run passed: the /promote that ended it ends no later wait', () => {
  const env = canary(
    '[{ weight: 10, pause: manual }, { weight: 25, pause: 1s }, { weight: 50, pause: manual }]',
    '{ max_wait_in_job: 1m }',
  );
  let promote: ControlRequest | undefined;
  const first = drive(input(env, { handOff: true }), {
    requests: (_n, action) => {
      if (action.kind === 'await_control') promote ??= request('promote', action.step);
      return promote ? [promote] : [];
    },
  });
  assert.deepEqual(
    first.result.waits!.map((w) => `${w.weight}:${w.ended?.how}`),
    ['10:promoted', '50:handed_off'],
  );
  const [wait1, wait2] = first.result.waits!.map((w) => w.step) as [number, number];
  assert.equal(promote!.step, wait1);
  // Where the job may have died: before the 25 % step ran (its write-ahead), and waiting at 50 % in the job.
  const beforeStep = first.persists.find(
    (p) => p.record.rollout && !p.record.rollout.wait && p.record.rollout.step > wait1,
  )!.record;
  const atWait = first.persists.find(
    (p) => p.record.rollout?.wait?.step === wait2 && !p.record.rollout.wait.handedOff,
  )!.record;
  // A record of an older version, which wrote neither: the plan's previous wait.
  const older = structuredClone(beforeStep);
  delete older.rollout!.controlFrom;
  for (const [where, record] of Object.entries({ beforeStep, atWait, older })) {
    const resumed = orphanResumed(env, record, [promote!]);
    assert.ok(!traffic(resumed).includes(100), `${where}: ${traffic(resumed).join(' ')}`);
    waitsAgainAt(resumed, wait2, wait1 + 1, [promote!], where);
  }
});

test('a resumed orphan never counts from before a wait its position is past: a controlFrom left stale by an older runner that rewrote the record is not trusted', () => {
  const env = canary(
    '[{ weight: 10, pause: manual }, { weight: 25, pause: 1s }, { weight: 50, pause: manual }]',
    '{ max_wait_in_job: 1m }',
  );
  let promote: ControlRequest | undefined;
  const first = drive(input(env, { handOff: true }), {
    requests: (_n, action) => {
      if (action.kind === 'await_control') promote ??= request('promote', action.step);
      return promote ? [promote] : [];
    },
  });
  const [wait1, wait2] = first.result.waits!.map((w) => w.step) as [number, number];
  const beforeStep = first.persists.find(
    (p) => p.record.rollout && !p.record.rollout.wait && p.record.rollout.step > wait1,
  )!.record;
  // This version wrote controlFrom 0 before the wait at 10 %; a version before controlFrom took the rollout
  // over (an orphan it resumed), passed that wait on the /promote and rewrote the position, keeping the field
  // it does not know as it was (docs/compatibility.md: readers keep what they do not know).
  const stale = structuredClone(beforeStep);
  stale.rollout!.controlFrom = 0;
  const resumed = orphanResumed(env, stale, [promote!]);
  assert.ok(!traffic(resumed).includes(100), traffic(resumed).join(' '));
  waitsAgainAt(resumed, wait2, wait1 + 1, [promote!], 'stale controlFrom');
});

test('a resumed orphan counts from the step after a hold its dead run passed, which the plan does not show', () => {
  const env = canary(
    '[{ weight: 10, pause: 1s }, { weight: 25, pause: 1s }, { weight: 50, pause: manual }]',
    '{ max_wait_in_job: 1m }',
  );
  const pause = request('pause', 1, { by: 'dave' });
  let promote: ControlRequest | undefined;
  const first = drive(input(env, { handOff: true }), {
    requests: (_n, action) => {
      if (action.kind === 'await_control' && !action.gate)
        promote ??= request('promote', action.step, { by: 'erin' });
      return promote ? [pause, promote] : [pause];
    },
  });
  assert.deepEqual(
    first.result.waits!.map((w) => `${w.kind}:${w.ended?.how}`),
    ['hold:resumed', 'manual:handed_off'],
  );
  const [hold, wait] = first.result.waits!.map((w) => w.step) as [number, number];
  // Died after the held step ran, before the wait.
  const orphan = first.persists.find(
    (p) => p.record.rollout && !p.record.rollout.wait && p.record.rollout.step > hold,
  )!.record;
  const resumed = orphanResumed(env, orphan, [pause, promote!]);
  waitsAgainAt(resumed, wait, hold + 1, [pause, promote!], 'after the hold');
});

test('a /promote --full its dead run counted still holds for a resumed orphan: a rolling rollout passes its later batch waits', () => {
  const env = environment(
    '  production:\n    strategy: { type: rolling, instances: [a, b, c, d], pause: manual }\n    control: { max_wait_in_job: 1m }',
  );
  let full: ControlRequest | undefined;
  const first = drive(input(env, { handOff: true }), {
    requests: (_n, action) => {
      if (action.kind === 'await_control') full ??= request('promote', action.step, { full: true });
      return full ? [full] : [];
    },
  });
  // The dead run: --full at the wait after the first batch, and no wait after the second or third.
  assert.equal(first.result.status, 'succeeded', first.result.message);
  assert.deepEqual(
    first.result.waits!.map((w) => `${w.kind}:${w.ended?.how}`),
    ['manual:promoted'],
  );
  const wait1 = first.result.waits![0]!.step;
  // Where it may have died: the second batch written ahead, before it ran. The --full, whose step is behind the
  // first step its /promotes count from now, is recorded with it.
  const orphan = first.persists.find(
    (p) => p.record.rollout && !p.record.rollout.wait && p.record.rollout.step > wait1,
  )!.record;
  assert.equal(orphan.rollout!.controlFrom, wait1 + 1);
  assert.equal(orphan.rollout!.full, true);
  const resumed = orphanResumed(env, orphan, [full!]);
  assert.equal(resumed.result.status, 'succeeded', resumed.result.message);
  assert.deepEqual(resumed.result.waits ?? [], [], 'no wait after the second or third batch');
  assert.deepEqual(
    resumed.ran.filter((r) => r.includes('deploy on')),
    [
      'production:deploy on b (batch 2)',
      'production:deploy on c (batch 3)',
      'production:deploy on d (batch 4)',
    ],
  );
});

test('a /promote --full still holds after a /pause its run handed off: the run that resumes it passes the later batch waits', () => {
  const env = environment(
    '  production:\n    strategy: { type: rolling, instances: [a, b, c, d], pause: manual }\n    control: { max_wait_in_job: 1m }',
  );
  let full: ControlRequest | undefined;
  let pause: ControlRequest | undefined;
  const first = drive(input(env, { handOff: true }), {
    requests: (_n, action) => {
      if (action.kind === 'await_control') full ??= request('promote', action.step, { full: true });
      // Paused once the --full ended the wait: held before the next step, and handed off.
      else if (full) pause ??= request('pause', 0, { by: 'dave' });
      return [full, pause].filter((r) => r !== undefined);
    },
  });
  assert.equal(first.result.status, 'waiting', first.result.message);
  const held = lastRecord(first).rollout!;
  assert.equal(held.wait?.kind, 'hold');
  assert.equal(held.full, true);
  const resumed = drive(
    byReconcile('79', {
      now: T0 + 3_600_000,
      env,
      record: lastRecord(first),
      reason: 'resumed by dave',
      handoff: { kind: 'go', how: 'resumed', by: ['dave'], full: false },
    }),
  );
  assert.equal(resumed.result.status, 'succeeded', resumed.result.message);
  assert.deepEqual(
    resumed.result.waits!.map((w) => `${w.kind}:${w.ended?.how}`),
    ['hold:resumed'],
    'no wait after a later batch',
  );
});

test('a request for another deployment, or a promote for a later step, ends nothing', () => {
  const env = canary(MANUAL_AT_25, '{ max_wait_in_job: 1m }');
  const run = drive(input(env, { handOff: true }), {
    requests: () => [
      request('promote', 4, { deploymentId: 'd-other' }),
      request('abort', 4, { deploymentId: 'd-other' }),
      request('promote', 40),
    ],
  });
  assert.equal(run.result.status, 'waiting');
  assert.equal(run.result.code, 'rollout_waiting');
});

test('a long wait hands the rollout off: the job ends green, the record says where it waits', () => {
  const env = canary(MANUAL_AT_25, '{ max_wait_in_job: 1m }');
  const run = drive(input(env, { handOff: true }));
  assert.equal(run.result.status, 'waiting');
  assert.equal(run.result.code, 'rollout_waiting');
  assert.equal(run.result.exitCode, 0);
  assert.deepEqual(traffic(run), [10, 25], 'the split stays at 75/25');
  const rollout = lastRecord(run).rollout!;
  assert.equal(rollout.wait?.kind, 'manual');
  assert.equal(rollout.wait?.handedOff, true);
  assert.equal(rollout.wait?.step, waitIndex(run));
  assert.equal(rollout.strategyState?.index, waitIndex(run));
  assert.equal(rollout.weight, 25);
  assert.ok(rollout.recovery.some((s) => s.kind === 'set_weight' && s.weight === 0));
  assert.deepEqual(history(run).slice(-2), ['wait_started:manual', 'handed_off:manual']);
  assert.equal(run.result.phases.at(-1)?.status, 'waiting');
});

test('without hand-off (the CLI) a wait never times out: the run waits as long as it takes', () => {
  const env = canary(MANUAL_AT_25, '{ max_wait_in_job: 1m }');
  const awaits: Action[] = [];
  let polls = 0;
  const run = drive(input(env), {
    requests: (_n, action) => {
      if (action.kind !== 'await_control') return [];
      awaits.push(action);
      return ++polls > 3 ? [request('promote', waitIndexOf(action))] : [];
    },
  });
  assert.equal(run.result.status, 'succeeded');
  assert.ok(awaits.length >= 2);
  for (const a of awaits) assert.equal(a.kind === 'await_control' && a.maxMs, undefined);
});

const waitIndexOf = (action: Action) => (action.kind === 'await_control' ? action.step : -1);

test('the handed-off rollout goes on after its wait, from the next step, not the one it waited at', () => {
  const env = canary(MANUAL_AT_25, '{ max_wait_in_job: 1m }');
  const waiting = drive(input(env, { handOff: true }));
  const record = lastRecord(waiting);
  const resumed = drive(
    byReconcile('77', {
      now: T0 + 3_600_000,
      env,
      record,
      reason: 'promoted by alice',
      handoff: { kind: 'go', how: 'promoted', by: ['alice'], full: false },
    }),
  );
  assert.equal(resumed.result.status, 'succeeded', resumed.result.message);
  assert.deepEqual(traffic(resumed), [50, 100]);
  assert.equal(resumed.result.waits?.[0]?.ended?.how, 'promoted');
  assert.equal(
    resumed.result.waits?.[0]?.waitedMs,
    3_600_000 - (record.rollout!.wait ? Date.parse(record.rollout!.wait.since) - T0 : 0),
  );
  const claim = resumed.persists[0]!.record;
  assert.equal(claim.rollout?.wait, undefined);
  assert.equal(claim.rollout?.owner.kind, 'workflow');
  assert.equal(claim.history.at(-1)?.by, 'alice');
  assert.equal(lastRecord(resumed).live?.version, 'v2');
});

test('/abort of a handed-off rollout puts the traffic back on the stable version', () => {
  const env = canary(MANUAL_AT_25, '{ max_wait_in_job: 1m }');
  const record = lastRecord(drive(input(env, { handOff: true })));
  const aborted = drive(
    byReconcile('78', {
      now: T0 + 60_000,
      env,
      record,
      reason: 'aborted by bob',
      handoff: { kind: 'abort', by: 'bob', reason: 'error budget', code: 'rollout_aborted' },
    }),
  );
  assert.equal(aborted.result.status, 'rolled_back');
  assert.equal(aborted.result.code, 'rollout_aborted');
  assert.match(aborted.result.message, /aborted by bob: error budget/);
  assert.deepEqual(traffic(aborted), [0]);
  assert.equal(lastRecord(aborted).rollout, undefined);
  assert.equal(lastRecord(aborted).live?.version, 'v1');
});

test('an /abort between steps rolls back at once; one during a step stops it and rolls back', () => {
  const env = canary('[{ weight: 10, pause: 1s }, { weight: 25, pause: 1s }, { weight: 50, pause: 1s }]');
  const between = drive(input(env), {
    requests: (n) => (n >= 8 ? [request('abort', 3, { by: 'bob', reason: 'too slow' })] : []),
  });
  assert.equal(between.result.code, 'rollout_aborted');
  assert.equal(between.result.status, 'rolled_back');
  assert.equal(traffic(between).at(-1), 0);
  assert.ok(!traffic(between).includes(100));

  const abort = request('abort', 3, { by: 'carol' });
  const during = drive(input(env), {
    abortDuring: (action) =>
      action.kind === 'run_step' && action.step.kind === 'analysis' && action.step.weight === 25
        ? abort
        : undefined,
  });
  assert.equal(during.result.code, 'rollout_aborted');
  assert.deepEqual(traffic(during), [10, 25, 0]);
  assert.match(during.result.message, /aborted by carol/);
});

test('a first deployment (nothing live) has no wait to steer: a /promote ends nothing, an /abort only removes the canary', () => {
  const env = canary(MANUAL_AT_25);
  const first = (over = {}) => input(env, { live: {}, stored: stored(), ...over });
  // The manual step at 25 % is skipped with the others: the run never waits, a /promote changes nothing.
  const promoted = drive(first(), { requests: () => [request('promote', 3)] });
  assert.equal(promoted.result.status, 'succeeded', promoted.result.message);
  assert.deepEqual(traffic(promoted), [100]);
  assert.ok(!promoted.actions.some((a) => a.kind === 'await_control'));
  assert.deepEqual(promoted.result.waits ?? [], []);
  // An /abort once the canary has all the traffic: nothing to send it back to, the canary is removed.
  const abort = request('abort', 2, { by: 'bob', reason: 'not today' });
  const aborted = drive(first(), {
    abortDuring: (action) =>
      action.kind === 'run_step' && action.step.kind === 'analysis' ? abort : undefined,
  });
  assert.equal(aborted.result.code, 'rollout_aborted');
  assert.deepEqual(traffic(aborted), [100]);
  assert.equal(aborted.ran.at(-1), 'production:teardown on blue');
});

test('/pause holds before the next step until /resume; the hold is a wait like the others', () => {
  const env = canary('[{ weight: 10, pause: 1s }, { weight: 25, pause: 1s }]');
  const pause = request('pause', 2, { by: 'dave' });
  let resumeReq: ControlRequest | undefined;
  let held = 0;
  const run = drive(input(env), {
    requests: (_n, action) => {
      if (action.kind === 'await_control') {
        held++;
        if (held >= 2) resumeReq ??= request('resume', action.step, { by: 'erin' });
      }
      return resumeReq ? [pause, resumeReq] : [pause];
    },
  });
  assert.equal(run.result.status, 'succeeded', run.result.message);
  const hold = run.result.waits?.find((w) => w.kind === 'hold');
  assert.ok(hold, JSON.stringify(run.result.waits));
  assert.equal(hold.ended?.how, 'resumed');
  assert.deepEqual(hold.ended?.by, ['erin']);
  assert.deepEqual(traffic(run), [10, 25, 100]);
});

test('a hold that outlasts the job is handed off and resumed by running the held step', () => {
  const env = canary('[{ weight: 10, pause: 1s }, { weight: 25, pause: 1s }]', '{ max_wait_in_job: 1m }');
  const pause = request('pause', 2, { by: 'dave' });
  const waiting = drive(input(env, { handOff: true }), { requests: () => [pause] });
  assert.equal(waiting.result.status, 'waiting');
  const record = lastRecord(waiting);
  assert.equal(record.rollout?.wait?.kind, 'hold');
  assert.equal(record.rollout?.wait?.by, 'dave');
  const before = traffic(waiting);
  const resumed = drive(
    byReconcile('79', {
      now: T0 + 60_000,
      env,
      record,
      reason: 'resumed by erin',
      handoff: { kind: 'go', how: 'resumed', by: ['erin'], full: false },
    }),
  );
  assert.equal(resumed.result.status, 'succeeded', resumed.result.message);
  // Nothing is skipped: what the hold stopped before runs now.
  assert.deepEqual(
    [...before, ...traffic(resumed)].filter((w, i, a) => a.indexOf(w) === i),
    [10, 25, 100],
  );
});

test('/promote --full at a wait goes straight to 100 % and passes later waits', () => {
  const env = canary(
    '[{ weight: 10, pause: manual }, { weight: 25, pause: manual }, { weight: 50, pause: manual }]',
  );
  const run = drive(input(env), {
    requests: (_n, action) =>
      action.kind === 'await_control' || action.kind === 'checkpoint'
        ? [request('promote', 4, { full: true, id: 'comment:full' })]
        : [],
  });
  assert.equal(run.result.status, 'succeeded', run.result.message);
  assert.deepEqual(traffic(run), [10, 100]);
});

test('/promote --full never passes an approval step ahead: the rollout goes on step by step and waits there', () => {
  const env = canary(
    '[{ weight: 10, pause: manual }, { weight: 25, pause: 1s }, { weight: 50, approval: 1 }, { weight: 75, pause: 1s }]',
    '{ max_wait_in_job: 1m }',
  );
  // A --full at the first wait, then nothing: the approval at 50 % is still waited for.
  let full: ControlRequest | undefined;
  const run = drive(input(env, { handOff: true }), {
    requests: (_n, action) => {
      if (action.kind === 'await_control' && !full) full = request('promote', action.step, { full: true });
      return full ? [full] : [];
    },
  });
  assert.equal(run.result.status, 'waiting', run.result.message);
  assert.deepEqual(traffic(run), [10, 25, 50]);
  const wait = lastRecord(run).rollout?.wait;
  assert.equal(wait?.kind, 'approval');
});

test('a wait with an approval step ahead says where it is, and its "to continue" list offers no --full', () => {
  const env = canary(
    '[{ weight: 10, pause: manual }, { weight: 25, pause: 1s }, { weight: 50, approval: 1 }, { weight: 75, pause: 1s }]',
    '{ max_wait_in_job: 1m }',
  );
  let promote: ControlRequest | undefined;
  const run = drive(input(env, { handOff: true }), {
    requests: (_n, action) => {
      if (action.kind === 'await_control' && !promote) promote = request('promote', action.step);
      return promote ? [promote] : [];
    },
  });
  const started = run.events.flatMap((e) => (e.type === 'wait-start' ? [e.record] : []));
  assert.deepEqual(
    started.map((w) => [w.kind, w.approvalsAhead]),
    [
      // At 10 %: the approval at 50 % lies ahead (a --full there is refused: full_passes_approval).
      ['manual', ['canary 50 %']],
      // At the approval itself: its own approvers decide it, nothing lies ahead, --full is offered.
      ['approval', undefined],
    ],
  );
  assert.deepEqual(
    continueCommands(started[0]!, 'production').map((c) => c.command),
    ['/promote production', '/abort production [reason]'],
  );
  assert.deepEqual(
    continueCommands(started[0]!, 'production', 'cli').map((c) => c.command),
    ['deploy-action promote -e production', 'deploy-action abort -e production [--reason TEXT]'],
  );
  assert.ok(continueCommands(started[1]!, 'production').some((c) => c.command.endsWith('--full')));
});

test('approval: 2 needs two distinct approvers; one person twice, or a deployer who may not approve, is not enough', () => {
  const env = canary('[{ weight: 10, pause: 1s }, { weight: 25, approval: 2 }]', '{ max_wait_in_job: 1m }');
  const once = drive(input(env, { handOff: true }), {
    requests: (_n, a) => [
      request('promote', waitIndexOf(a), { by: 'ann', approver: true, id: 'comment:a1' }),
      request('promote', waitIndexOf(a), { by: 'ANN', approver: true, id: 'comment:a2' }),
      request('promote', waitIndexOf(a), { by: 'dev', approver: false, id: 'comment:a3' }),
    ],
  });
  assert.equal(once.result.status, 'waiting');
  assert.equal(lastRecord(once).rollout?.wait?.approvals, 2);

  const twice = drive(input(env, { handOff: true }), {
    requests: (_n, a) => [
      request('promote', waitIndexOf(a), { by: 'ann', approver: true, id: 'comment:b1' }),
      request('promote', waitIndexOf(a), { by: 'ben', approver: true, id: 'comment:b2' }),
    ],
  });
  assert.equal(twice.result.status, 'succeeded', twice.result.message);
  assert.equal(twice.result.waits?.[0]?.ended?.how, 'approved');
  assert.deepEqual(twice.result.waits?.[0]?.ended?.by, ['ann', 'ben']);
});

test('an analysis window longer than the job may wait is a bake: handed off until its end, then a final look', () => {
  const env = canary('[{ weight: 10, pause: 1s }, { weight: 25, pause: 24h }]', '{ max_wait_in_job: 5m }');
  const waiting = drive(input(env, { handOff: true }));
  assert.equal(waiting.result.status, 'waiting', waiting.result.message);
  const record = lastRecord(waiting);
  const wait = record.rollout!.wait!;
  assert.equal(wait.kind, 'bake');
  assert.equal(Date.parse(wait.until!) - Date.parse(wait.since), 24 * 3_600_000);
  // No analysis of the 24 h window ran in the job.
  assert.ok(
    !waiting.actions.some(
      (a) => a.kind === 'run_step' && a.step.kind === 'analysis' && a.step.windowMs > 300_000,
    ),
  );

  const due = drive(
    byReconcile('80', {
      now: Date.parse(wait.until!),
      env,
      record,
      reason: 'the bake is due',
      handoff: { kind: 'go', how: 'due', by: [], full: false },
    }),
  );
  assert.equal(due.result.status, 'succeeded', due.result.message);
  // The serving version's pre-deploy reading is taken as of the rollout's start, not now (the canary has
  // served beside it for a day); the run that started the rollout read it live.
  const prepared = (r: Run) => r.actions.filter((a) => a.kind === 'prepare').map((a) => a.before);
  assert.deepEqual(prepared(due), [Date.parse(record.rollout!.startedAt)]);
  assert.deepEqual(prepared(waiting), [undefined]);
  const first = due.actions.find((a) => a.kind === 'run_step')!;
  assert.ok(first.kind === 'run_step' && first.step.kind === 'analysis' && first.step.weight === 25);
  // The final look judges the whole bake from its start (where the metrics keep history; else a live window
  // bounded by the in-job wait), and is no bake itself.
  assert.ok(first.kind === 'run_step' && first.step.kind === 'analysis');
  assert.equal(first.step.windowMs, 24 * 3_600_000);
  assert.deepEqual(first.step.lookBack, { since: Date.parse(wait.since), liveMs: 300_000 });
  assert.deepEqual(traffic(due), [100]);

  // Promoted before its end: the evidence so far only (midway), from the bake's start to now.
  const early = Date.parse(wait.since) + 3_600_000;
  const promoted = drive(
    byReconcile('81', {
      now: early,
      env,
      record,
      reason: 'promoted',
      handoff: { kind: 'go', how: 'promoted', by: ['alice'], full: false },
    }),
  );
  assert.equal(promoted.result.status, 'succeeded', promoted.result.message);
  const look = promoted.actions.find((a) => a.kind === 'run_step')!;
  assert.ok(look.kind === 'run_step' && look.step.kind === 'analysis');
  assert.equal(look.step.windowMs, 3_600_000);
  assert.deepEqual(look.step.lookBack, { since: Date.parse(wait.since), liveMs: 300_000, midway: true });

  // Without hand-off (the CLI) the same window runs in the process.
  const inProcess = drive(input(env));
  assert.equal(inProcess.result.status, 'succeeded');
  assert.ok(
    inProcess.actions.some(
      (a) => a.kind === 'run_step' && a.step.kind === 'analysis' && a.step.windowMs === 24 * 3_600_000,
    ),
  );
});

test('a new deployment on top of a waiting rollout is refused with what to do', () => {
  const env = canary(MANUAL_AT_25, '{ max_wait_in_job: 1m }');
  const record = lastRecord(drive(input(env, { handOff: true })));
  const next = drive(input(env, { stored: { ok: true, record }, deploymentId: 'd-2', version: 'v3' }));
  assert.equal(next.result.code, 'rollout_unfinished');
  assert.match(next.result.message, /\/promote production/);
  assert.match(next.result.message, /\/abort production/);
  assert.deepEqual(traffic(next), []);
});

test('a monitor window longer than the job may wait is a bake at full traffic: handed off, then judged from its start', () => {
  const env = environment(`  production:
    monitor: 1h
    strategy:
      type: canary
      steps: [{ weight: 50, pause: 1s }]
    control: { max_wait_in_job: 5m }
`);
  const waiting = drive(input(env, { handOff: true }));
  assert.equal(waiting.result.status, 'waiting', waiting.result.message);
  assert.deepEqual(traffic(waiting), [50, 100], 'the strategy finished: all traffic on the new version');
  assert.ok(
    !waiting.actions.some(
      (a) => a.kind === 'run_step' && a.step.kind === 'analysis' && a.step.phase === 'monitor',
    ),
    'no monitor window ran in the job',
  );
  const record = lastRecord(waiting);
  const rollout = record.rollout!;
  assert.equal(rollout.phase, 'monitor');
  assert.equal(rollout.wait!.kind, 'bake');
  assert.equal(rollout.wait!.handedOff, true);
  assert.equal(Date.parse(rollout.wait!.until!) - Date.parse(rollout.wait!.since), 3_600_000);
  assert.equal(waiting.result.waits?.[0]?.at, 'the monitor window');

  const since = Date.parse(rollout.wait!.since);
  const resumeAt = (now: number, how: 'due' | 'promoted') =>
    drive(
      byReconcile('90', {
        now,
        env,
        record,
        reason: 'go on',
        handoff: { kind: 'go', how, by: how === 'promoted' ? ['alice'] : [], full: false },
      }),
    );
  const monitorStep = (run: Run) => {
    const a = run.actions.find(
      (x) => x.kind === 'run_step' && x.step.kind === 'analysis' && x.step.phase === 'monitor',
    );
    assert.ok(a && a.kind === 'run_step' && a.step.kind === 'analysis');
    return a.step;
  };

  const due = resumeAt(Date.parse(rollout.wait!.until!), 'due');
  assert.equal(due.result.status, 'succeeded', due.result.message);
  assert.deepEqual(traffic(due), [], 'traffic stays where it is');
  const final = monitorStep(due);
  assert.equal(final.windowMs, 3_600_000);
  assert.deepEqual(final.lookBack, { since, liveMs: 300_000 });
  assert.equal(due.result.waits?.[0]?.at, 'the monitor window');
  assert.equal(lastRecord(due).rollout, undefined);
  assert.equal(lastRecord(due).live?.version, 'v2');

  const early = resumeAt(since + 600_000, 'promoted');
  assert.equal(early.result.status, 'succeeded', early.result.message);
  assert.deepEqual(monitorStep(early).lookBack, { since, liveMs: 300_000, midway: true });
  assert.equal(monitorStep(early).windowMs, 600_000);

  // Without hand-off (the CLI) the hour runs in the process.
  const inProcess = drive(input(env));
  assert.equal(inProcess.result.status, 'succeeded');
  assert.equal(monitorStep(inProcess).windowMs, 3_600_000);
  assert.equal(monitorStep(inProcess).lookBack, undefined);
});

test('a wait beside a fresh baseline records its share, so every report can say "baseline", not only "stable"', () => {
  for (const baseline of [true, false]) {
    const env = environment(`  production:
    strategy:
      type: canary
      steps: [{ weight: 10, pause: 1s }, { weight: 25, pause: manual }, { weight: 100, pause: 0 }]
${baseline ? '      baseline: fresh\n' : ''}`);
    const run = drive(input(env), { requests: promoteOnceWaiting() });
    assert.equal(run.result.status, 'succeeded', run.result.message);
    const waits = run.result.waits ?? [];
    assert.equal(waits.length, 1);
    assert.equal(waits[0]!.weight, 25);
    assert.equal(waits[0]!.baselineWeight, baseline ? 25 : undefined);
    const started = run.events.find((e) => e.type === 'wait-start');
    assert.equal(
      started?.type === 'wait-start' ? started.record.baselineWeight : 'none',
      baseline ? 25 : undefined,
    );
  }
});

test("a handed-off wait beside a fresh baseline: the wait that ends on resume still names the baseline's share", () => {
  const env = environment(`  production:
    strategy:
      type: canary
      steps: [{ weight: 10, pause: 1s }, { weight: 25, pause: manual }, { weight: 100, pause: 0 }]
      baseline: fresh
    control: { max_wait_in_job: 1m }
`);
  const waiting = drive(input(env, { handOff: true }));
  assert.equal(waiting.result.status, 'waiting', waiting.result.message);
  assert.equal(waiting.result.waits?.at(-1)?.baselineWeight, 25);
  const resumed = drive(
    byReconcile('77', {
      now: T0 + 3_600_000,
      env,
      record: lastRecord(waiting),
      reason: 'promoted by alice',
      handoff: { kind: 'go', how: 'promoted', by: ['alice'], full: false },
    }),
  );
  assert.equal(resumed.result.status, 'succeeded', resumed.result.message);
  assert.equal(resumed.result.waits?.[0]?.ended?.how, 'promoted');
  assert.equal(resumed.result.waits?.[0]?.baselineWeight, 25);
});

// ---- rolling `on_failure: pause`: a failed batch is held for people, not left as an orphan ----------------------

const rollingPause = () =>
  environment('  production:\n    strategy: { type: rolling, instances: [a, b, c], on_failure: pause }');
const failOnce = (match: string) => {
  let failed = false;
  return (step: Step): StepResult => {
    if (!failed && describeStep(step) === match) {
      failed = true;
      return { ok: false, reason: 'boom' };
    }
    return { ok: true, analysis: 'promote' };
  };
};
const ranSteps = (r: Run) => r.ran.map((s) => s.replace(/^production:/, ''));

function pausedOnBatch2(): { env: ReturnType<typeof rollingPause>; run: Run; record: EnvironmentRecord } {
  const env = rollingPause();
  // Handed off: the Action with its record on GitHub (without hand-off it rolls back, machine.test.ts).
  const run = drive(input(env, { handOff: true, repository: 'octo/app' }), {
    step: failOnce('health check on b'),
  });
  return { env, run, record: lastRecord(run) };
}

test('on_failure: pause hands the rollout off as a hold at the failed batch: nothing undone, the job still says paused', () => {
  const { run, record } = pausedOnBatch2();
  assert.equal(run.result.status, 'paused');
  assert.equal(run.result.code, 'rollout_paused');
  assert.equal(run.result.exitCode, 1);
  assert.equal(run.result.rollbacks.length, 0);
  assert.deepEqual(ranSteps(run), [
    'deploy on a (batch 1)',
    'health check on a',
    'deploy on b (batch 2)',
    'health check on b',
  ]);
  const rollout = record.rollout!;
  const batch2 = rollout.strategyState!.plan.findIndex(
    (p) => describeStep(p.step) === 'deploy on b (batch 2)',
  );
  assert.equal(rollout.wait?.kind, 'hold');
  assert.equal(rollout.wait?.handedOff, true);
  assert.equal(rollout.wait?.by, PAUSED_ON_FAILURE);
  assert.equal(rollout.wait?.step, batch2);
  assert.equal(rollout.strategyState?.index, batch2);
  // The recovery still undoes both batches, the failed one first.
  assert.deepEqual(
    rollout.recovery.filter((s) => s.kind === 'rollback').map((s) => s.instances),
    [['b'], ['a']],
  );
  // The failure reason is kept with the hand-off, and says what to do.
  const handedOff = record.history.find((h) => h.event === 'handed_off')!;
  assert.match(handedOff.detail!, /health check on b: boom/);
  assert.match(handedOff.detail!, /\/resume production runs batch 2\/3 again/);
  assert.equal(history(run).at(-1), 'paused:rollout_paused');
  assert.equal(run.persists.at(-1)!.wait, true);
});

test('reconcile leaves a rollout paused on a failed batch alone until a person acts; a /promote made before it failed does not resume it', () => {
  const { record } = pausedOnBatch2();
  const owner = { state: 'ended', conclusion: 'failure' } as const;
  const now = new Date(T0 + 3_600_000);
  const step = record.rollout!.wait!.step;
  const judge = (requests: ControlRequest[], onOrphan: 'rollback' | 'resume' = 'rollback') =>
    decideReconcile({ record, owner, now, onOrphan, requests });
  for (const onOrphan of ['rollback', 'resume'] as const) {
    const d = judge([], onOrphan);
    assert.equal(d.code, 'waiting', onOrphan);
    assert.match(d.code === 'waiting' ? d.why : '', /on_failure: pause/);
  }
  const early = request('promote', step, { at: new Date(T0 - 500).toISOString() });
  assert.equal(judge([early]).code, 'waiting');
  const later = request('resume', step, { by: 'erin', at: new Date(T0 + 600_000).toISOString() });
  const go = judge([early, later]);
  assert.deepEqual(go.code === 'handoff' ? go.handoff : go, {
    kind: 'go',
    how: 'resumed',
    by: ['erin'],
    full: false,
  });
  const abort = judge([request('abort', step, { by: 'bob', at: new Date(T0 + 600_000).toISOString() })]);
  assert.equal(abort.code === 'handoff' ? abort.handoff.kind : abort.code, 'abort');
});

test('on_failure: pause in the CLI (no hand-off, a state directory that outlives the run): the failed batch is held, and the CLI resume takes it up', () => {
  const env = rollingPause();
  const run = drive(input(env, { handOff: false, holdOnFailure: true }), {
    step: failOnce('health check on b'),
  });
  assert.equal(run.result.status, 'paused', run.result.message);
  assert.equal(run.result.code, 'rollout_paused');
  assert.equal(run.result.rollbacks.length, 0);
  const rollout = lastRecord(run).rollout!;
  assert.equal(rollout.wait?.kind, 'hold');
  assert.equal(rollout.wait?.by, PAUSED_ON_FAILURE);
  // `deploy-action resume` made after the failure goes on; nothing made before it does.
  const step = rollout.wait!.step;
  const at = (ms: number) => new Date(Date.parse(rollout.wait!.since) + ms).toISOString();
  const made = (verb: 'resume' | 'abort', ms: number) =>
    request(verb, step, { by: 'erin', at: at(ms), deploymentId: rollout.deploymentId });
  assert.equal(endsWait(rollout, [made('resume', -1_000)], T0 + 600_000), undefined);
  assert.equal(endsWait(rollout, [made('resume', 1_000)], T0 + 600_000), 'go');
  assert.equal(endsWait(rollout, [made('abort', 1_000)], T0 + 600_000), 'abort');
  // The Action keeping its record in a runner's directory (neither): rolled back (machine.test.ts).
  const action = drive(input(env, { handOff: false }), { step: failOnce('health check on b') });
  assert.equal(action.result.status, 'rolled_back');
});

test('/resume of a rollout paused on a failed batch runs that batch again and goes on', () => {
  const { env, record } = pausedOnBatch2();
  const resumed = drive(
    byReconcile('80', {
      now: T0 + 3_600_000,
      env,
      record,
      reason: 'resumed by erin',
      handoff: { kind: 'go', how: 'resumed', by: ['erin'], full: false },
    }),
    { requests: () => [request('resume', record.rollout!.wait!.step, { by: 'erin' })] },
  );
  assert.equal(resumed.result.status, 'succeeded', resumed.result.message);
  assert.deepEqual(ranSteps(resumed).slice(0, 4), [
    'deploy on b (batch 2)',
    'health check on b',
    'deploy on c (batch 3)',
    'health check on c',
  ]);
  assert.ok(!ranSteps(resumed).includes('deploy on a (batch 1)'), 'batch 1 is not redone');
  assert.equal(resumed.result.waits?.[0]?.ended?.how, 'resumed');
  assert.equal(lastRecord(resumed).rollout, undefined);
  assert.equal(lastRecord(resumed).live?.version, 'v2');
});

test('/abort of a rollout paused on a failed batch rolls back every batch done, the failed one first', () => {
  const { env, record } = pausedOnBatch2();
  const aborted = drive(
    byReconcile('81', {
      now: T0 + 3_600_000,
      env,
      record,
      reason: 'aborted by bob',
      handoff: { kind: 'abort', by: 'bob', reason: 'bad batch', code: 'rollout_aborted' },
    }),
  );
  assert.equal(aborted.result.status, 'rolled_back');
  assert.equal(aborted.result.code, 'rollout_aborted');
  assert.deepEqual(
    ranSteps(aborted).filter((s) => s.startsWith('rollback')),
    ['rollback on b (batch 2)', 'rollback on a (batch 1)'],
  );
  assert.equal(lastRecord(aborted).rollout, undefined);
  assert.equal(lastRecord(aborted).live?.version, 'v1');
});
