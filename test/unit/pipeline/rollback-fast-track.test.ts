// A rollback deployment goes straight back (DESIGN §1: it redeploys a previous good version and skips canary
// steps): resolved with `rollback`, a canary goes to 100 % at once after its health check, blue-green switches
// without the analysis before the switch, and nobody is waited for at a step, a batch or before the switch.
// The machine runs what the resolved strategy plans, so these drive it as the Action does after
// resolveEnvironment(…, { rollback: true }); reconcile goes on with the same plan (rolloutEnvironment).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fastTracked, rolloutEnvironment, type ResolvedStrategy } from '../../../src/config/resolve.ts';
import { parseConfig } from '../../../src/config/load.ts';
import { planDeployment } from '../../../src/pipeline/plan.ts';
import { checkResumable } from '../../../src/pipeline/resume-check.ts';
import { FileStateStore } from '../../../src/state/file-store.ts';
import { emptyRecord } from '../../../src/state/record.ts';
import { drive, environment, input, resumeFrom, type Run } from '../../helpers/machine-driver.ts';

const steps = (r: Run) =>
  r.ran.filter((s) => s.startsWith('production:')).map((s) => s.slice('production:'.length));
const waits = (r: Run) => r.actions.filter((a) => a.kind === 'report' && a.event.type === 'wait-start');

const CANARY =
  '  production:\n    strategy: { type: canary, steps: [{ weight: 5, pause: 30m }, { weight: 25, pause: manual }, { weight: 50, approval: 1 }, 100], baseline: fresh }';
const BLUE_GREEN =
  '  production:\n    strategy: { type: blue-green, analysis_before_switch: 10m, pre_switch: manual }';
const ROLLING = '  production:\n    strategy: { type: rolling, instances: [a, b, c], pause: manual }';

test('a canary rollback deploys, checks health and takes all traffic at once: no 5 % step, no step analysis, no baseline, no wait', () => {
  // As configured: four traffic steps, a fresh baseline, a manual and an approval step.
  const configured = environment(CANARY).strategy;
  assert.ok(configured.type === 'canary' && configured.steps.length === 4 && configured.baseline);
  assert.equal(configured.steps.filter((x) => x.gate).length, 2);

  const env = environment(CANARY, 'production', { rollback: true });
  assert.equal(env.rollback, true);
  const r = drive(input(env));
  assert.equal(r.result.status, 'succeeded', r.result.message);
  assert.deepEqual(waits(r), [], 'nobody is waited for');
  const ran = steps(r);
  const traffic = ran.filter((s) => s.startsWith('set weight'));
  assert.equal(traffic.length, 1, ran.join(' | '));
  assert.match(traffic[0]!, /green=100% blue=0%/);
  assert.ok(!ran.some((s) => /baseline/i.test(s) && s.startsWith('deploy')), 'no fresh baseline deployed');
  assert.deepEqual(
    ran.filter((s) => s.startsWith('analysis (canary-step')),
    ['analysis (canary-step at 100%)'],
    'only the final 100 % look, with no window',
  );
  assert.ok(ran.indexOf('health check on green') < ran.indexOf(traffic[0]!), 'healthy before any traffic');
  // The rollout record says it was fast-tracked, so reconcile plans the same steps.
  const rollouts = r.persists.map((p) => p.record.rollout).filter((x) => x !== undefined);
  assert.ok(rollouts.length > 0);
  assert.ok(rollouts.every((x) => x.fastTracked === true));
  const ordinary = drive(
    input(environment('  production:\n    strategy: { type: canary, steps: [10, 100], pause: 0 }')),
  );
  assert.ok(ordinary.persists.some((p) => p.record.rollout));
  assert.ok(ordinary.persists.every((p) => p.record.rollout?.fastTracked === undefined));
});

test('a blue-green rollback switches after health and warm-up without the analysis before the switch or the manual pre-switch gate', () => {
  const configured = environment(BLUE_GREEN).strategy;
  assert.ok(
    configured.type === 'blue-green' && configured.analysisBeforeSwitchMs > 0 && configured.preSwitchGate,
  );

  const r = drive(input(environment(BLUE_GREEN, 'production', { rollback: true })));
  assert.equal(r.result.status, 'succeeded', r.result.message);
  assert.deepEqual(waits(r), []);
  assert.ok(steps(r).includes('switch traffic blue → green'), steps(r).join(' | '));
  // Before the switch the idle slot's health is checked as always (an analysis step of no window), not analysed
  // for the configured ten minutes.
  const preSwitch = r.actions.flatMap((a) =>
    a.kind === 'run_step' && a.step.kind === 'analysis' && a.step.phase === 'pre-switch' ? [a.step] : [],
  );
  assert.deepEqual(
    preSwitch.map((step) => step.windowMs),
    [0],
  );
  const configuredRun = environment(BLUE_GREEN).strategy;
  assert.equal(configuredRun.type === 'blue-green' && configuredRun.analysisBeforeSwitchMs, 600_000);
});

test('a rolling rollback keeps its batches but watches none of them (the seeds watch each for one interval)', () => {
  const watched = '  production:\n    strategy: { type: rolling, instances: [a, b, c], pause: 1s }';
  const ran = (r: Run) => steps(r).filter((s) => /^(deploy|analysis \(batch)/.test(s));
  const configured = drive(input(environment(watched)));
  assert.equal(configured.result.status, 'succeeded', configured.result.message);
  assert.equal(
    ran(configured).filter((s) => s.startsWith('analysis')).length,
    2,
    ran(configured).join(' | '),
  );
  const rollback = environment(watched, 'production', { rollback: true });
  assert.ok(rollback.strategy.type === 'rolling' && rollback.strategy.pauseMs === 0);
  const r = drive(input(rollback));
  assert.equal(r.result.status, 'succeeded', r.result.message);
  assert.deepEqual(ran(r), ['deploy on a (batch 1)', 'deploy on b (batch 2)', 'deploy on c (batch 3)']);
  // The verify phase stays.
  assert.ok(steps(r).includes('analysis (verify)'), steps(r).join(' | '));
});

test('a rolling rollback keeps its batches but waits for nobody between them', () => {
  const configured = environment(ROLLING).strategy;
  assert.ok(configured.type === 'rolling' && configured.batchGate);
  const r = drive(input(environment(ROLLING, 'production', { rollback: true })));
  assert.equal(r.result.status, 'succeeded', r.result.message);
  assert.deepEqual(waits(r), []);
  assert.deepEqual(
    steps(r).filter((s) => s.startsWith('deploy')),
    ['deploy on a (batch 1)', 'deploy on b (batch 2)', 'deploy on c (batch 3)'],
  );
});

test('fastTracked: canary to 100 % with no baseline, blue-green without pre-switch analysis or gate, rolling and direct without gates', () => {
  const canary: ResolvedStrategy = {
    type: 'canary',
    slots: ['blue', 'green'],
    steps: [
      { weight: 5, pauseMs: 60_000, gate: { type: 'manual' } },
      { weight: 100, pauseMs: 0 },
    ],
    maxHolds: 3,
    scaleDownDelayMs: 1000,
    baseline: { slot: 'baseline' },
  };
  assert.deepEqual(fastTracked(canary), {
    type: 'canary',
    slots: ['blue', 'green'],
    steps: [{ weight: 100, pauseMs: 0 }],
    maxHolds: 3,
    scaleDownDelayMs: 1000,
  });
  const blueGreen: ResolvedStrategy = {
    type: 'blue-green',
    slots: ['blue', 'green'],
    scaleDownDelayMs: 1000,
    warmup: { requests: 100, intervalMs: 100 },
    analysisBeforeSwitchMs: 600_000,
    verifyAfterSwitchMs: 600_000,
    preSwitchGate: { type: 'approval', approvals: 2 },
  };
  assert.deepEqual(fastTracked(blueGreen), {
    type: 'blue-green',
    slots: ['blue', 'green'],
    scaleDownDelayMs: 1000,
    warmup: { requests: 100, intervalMs: 100 },
    analysisBeforeSwitchMs: 0,
    verifyAfterSwitchMs: 600_000,
  });
  const rolling: ResolvedStrategy = {
    type: 'rolling',
    instances: ['a', 'b'],
    maxSurge: 1,
    maxUnavailable: 0,
    batchSize: 1,
    pauseMs: 1000,
    onFailure: 'rollback',
    batchGate: { type: 'manual' },
  };
  const { batchGate: _gate, ...withoutGate } = rolling;
  assert.deepEqual(fastTracked(rolling), { ...withoutGate, pauseMs: 0 });
  assert.deepEqual(fastTracked({ type: 'direct' }), { type: 'direct' });
});

test('reconcile goes on with a rollback rollout in its fast-tracked plan, not the configured one', () => {
  const rollbackEnv = environment(CANARY, 'production', { rollback: true });
  const run = drive(input(rollbackEnv));
  // The write-ahead of the step that moves all traffic: the owner died there.
  const at = run.persists.find(
    (p) =>
      p.record.rollout?.strategyState?.plan[p.record.rollout.strategyState.index]?.step.kind === 'set_weight',
  );
  assert.ok(at, 'a write-ahead record before the traffic step');
  const record = at.record;
  // Reconcile resolves the environment as configured (it does not know the deployment's type).
  const configured = environment(CANARY);
  const refused = checkResumable(configured, record);
  assert.equal(refused.ok, false, 'the configured plan is not the recorded one');
  const env = rolloutEnvironment(configured, record.rollout);
  assert.equal(env.rollback, true);
  const check = checkResumable(env, record);
  assert.ok(check.ok, check.ok ? '' : check.reason);
  const resumed = drive(resumeFrom(env, record, 60_000));
  assert.equal(resumed.result.status, 'succeeded', resumed.result.message);
  assert.match(steps(resumed).join(' | '), /set weight green=100% blue=0%/);
  // An ordinary rollout is left as it is.
  assert.equal(rolloutEnvironment(configured, {}), configured);
});

test('the dry-run plan of a rollback says what the run does: no gates, no staging, one traffic step to 100 %', async (t) => {
  // v1 is live on green: the normal plan has its steps (a first deployment would go straight to 100 % too).
  const dir = mkdtempSync(join(tmpdir(), 'plan-rollback-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const at = '2026-01-01T00:00:00.000Z';
  await new FileStateStore(join(dir, 'state')).write({
    ...emptyRecord('local', 'production', new Date(at)),
    seq: 1,
    live: { version: 'v1', slot: 'green', since: at },
  });
  const parsed = parseConfig(
    `state_dir: ${dir}/state
gates:
  sarif: { files: lint.sarif }
target:
  commands:
    deploy: deploy {{slot}} {{version}}
    set_weight: set_weight {{slot}} {{weight}}
environments:
  staging: { strategy: blue-green }
  production:
    staging: staging
    strategy: { type: canary, steps: [5, 25, 100] }
`,
    'deploy.yml',
  );
  assert.ok(parsed.ok, parsed.ok ? '' : JSON.stringify(parsed.errors));
  const weightsOf = (plan: ReturnType<typeof planDeployment>) =>
    plan.phases
      .find((p) => p.phase === 'production')!
      .actions.filter((a) => a.run?.startsWith('set_weight'))
      .map((a) => a.run);
  const normal = planDeployment(parsed.config, 'production', 'v2');
  assert.match(normal.phases[0]!.actions[0]!.description, /run the quality gates/);
  const rollback = planDeployment(parsed.config, 'production', 'v0', undefined, { rollback: true });
  // v1 live on green: the canary's slot is blue; the one traffic step gives it everything.
  assert.deepEqual(weightsOf(rollback), ['set_weight blue 100']);
  assert.deepEqual(weightsOf(normal), ['set_weight blue 5', 'set_weight blue 25', 'set_weight blue 100']);
  assert.equal(rollback.phases[0]!.actions[0]!.description, 'skipped: a rollback runs no quality gates');
  const staging = rollback.phases.find((p) => p.phase === 'staging')!;
  assert.deepEqual(
    staging.actions.map((a) => a.description),
    ['skipped: a rollback goes straight back'],
  );
});

test('a rollback deployment whose checks fail says traffic is back on the version it set out to replace', () => {
  const direct = '  production: {}';
  // /rollback from v2 (live, the release someone chose to leave) to v1, whose verify fails.
  const failingVerify = (step: { kind: string; phase?: string }) =>
    step.kind === 'analysis' && step.phase === 'verify'
      ? { ok: false as const, reason: 'v1 cannot reach its database' }
      : { ok: true as const, analysis: 'promote' as const };
  const rollback = (repository: string) =>
    drive(
      input(environment(direct, 'production', { rollback: true }), {
        version: 'v1',
        live: { slot: 'blue', version: 'v2' },
        repository,
      }),
      { step: failingVerify },
    );
  const r = rollback('octo/app');
  assert.equal(r.result.status, 'rolled_back', r.result.message);
  assert.match(
    r.result.message,
    /rolled back to v2, the version this rollback deployment set out to replace: v1 failed its checks, so v2 serves production again; decide what should \(a rollback deployment of an earlier release, mode: rollback with its version, or a fix\)$/,
  );
  // A record in a state directory (repository `local`) is the command line's: its way, not the Action's input.
  const cli = rollback('local');
  assert.equal(cli.result.status, 'rolled_back', cli.result.message);
  assert.match(
    cli.result.message,
    /so v2 serves production again; decide what should \(a deployment of an earlier release, deploy-action run -e production -v <version>, or a fix\)$/,
  );
  assert.doesNotMatch(cli.result.message, /mode: rollback/);
  // An ordinary deployment's rollback says only where traffic went.
  const ordinary = drive(input(environment(direct)), { step: failingVerify });
  assert.equal(ordinary.result.status, 'rolled_back', ordinary.result.message);
  assert.match(ordinary.result.message, /; rolled back to v1$/);
});

test("a rollback deployment's release is marked in the record (hooks.after_success is not run for it); an ordinary one is not", () => {
  const live = (r: Run) => r.persists.map((p) => p.record.live).at(-1);
  const rolledBack = drive(input(environment(BLUE_GREEN, 'production', { rollback: true })));
  assert.equal(rolledBack.result.status, 'succeeded', rolledBack.result.message);
  assert.equal(live(rolledBack)?.rollback, true);
  const ordinary = drive(input(environment('  production:\n    strategy: { type: blue-green }')));
  assert.equal(ordinary.result.status, 'succeeded', ordinary.result.message);
  assert.ok(live(ordinary), 'a release went live');
  assert.equal(live(ordinary)?.rollback, undefined);
});

test("a release deployed with hooks.after_success is marked for it (reconcile runs the hook only for such a one); a rollback deployment's is not", () => {
  const live = (r: Run) => r.persists.map((p) => p.record.live).at(-1);
  const HOOKED =
    '  production:\n    strategy: { type: blue-green }\n    hooks:\n      after_success: { after: 24h, run: ./contract.sh }';
  const hooked = drive(input(environment(HOOKED)));
  assert.equal(hooked.result.status, 'succeeded', hooked.result.message);
  assert.equal(live(hooked)?.afterSuccessPlanned, true);
  const rolledBack = drive(input(environment(HOOKED, 'production', { rollback: true })));
  assert.equal(rolledBack.result.status, 'succeeded', rolledBack.result.message);
  assert.equal(live(rolledBack)?.afterSuccessPlanned, undefined);
  const plain = drive(input(environment('  production:\n    strategy: { type: blue-green }')));
  assert.equal(live(plain)?.afterSuccessPlanned, undefined);
});
