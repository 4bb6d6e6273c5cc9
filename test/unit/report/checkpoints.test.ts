// Seed 05's monitoring checkpoints (5, 15, 30, 60 minutes) read from the monitor window's evidence, and the
// deployment record's checklist of them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { WindowEvidence } from '../../../src/analysis/evidence.ts';
import type { PipelineResult, StepRecord } from '../../../src/pipeline/events.ts';
import { monitoringCheckpoints } from '../../../src/report/checkpoints.ts';
import { renderDeploymentRecord } from '../../../src/report/record.ts';

const INTERVAL = 30_000;
const T0 = Date.parse('2026-12-01T10:00:00Z');

/** A monitor window of `n` intervals; `rollbackAt`: the interval whose decision is a rollback (the last). */
function monitorStep(n: number, rollbackAt?: number, rule = 'seeds.error-rate'): StepRecord {
  const at = Array.from({ length: n }, (_, i) => T0 + (i + 1) * INTERVAL);
  const evidence: WindowEvidence = {
    intervalMs: INTERVAL,
    at,
    decisions: at.map((_, i) =>
      i === rollbackAt
        ? { kind: 'rollback', code: 'threshold-breached', rule }
        : { kind: 'hold', code: 'breach-pending' },
    ),
    decision:
      rollbackAt === undefined
        ? { kind: 'promote', code: 'healthy' }
        : { kind: 'rollback', code: 'threshold-breached', rule },
    reference: 'stable',
    checks: [
      {
        name: rule,
        kind: 'threshold',
        quantity: 'error_rate',
        op: '<=',
        rule: 'error_rate <= 0.01 for 5m',
        // The value at interval i is i/10000: which interval a checkpoint read is visible in its value.
        observed: [{ role: 'canary', label: 'canary', values: at.map((_, i) => i / 10_000) }],
      },
      {
        name: 'seeds.p95-vs-baseline',
        kind: 'relative',
        quantity: 'p95',
        rule: 'p95 <= 2x baseline for 10m',
        observed: [{ role: 'canary', label: 'canary', values: at.map(() => 180) }],
      },
    ],
  };
  return {
    environment: 'production',
    phase: 'monitor',
    step: { kind: 'analysis', phase: 'monitor', windowMs: n * INTERVAL },
    description: 'analysis (monitor)',
    result:
      rollbackAt === undefined
        ? { ok: true, analysis: 'promote', evidence }
        : { ok: false, reason: 'error rate above 1 %', evidence },
    durationMs: n * INTERVAL,
  };
}

test('a full hour: every checkpoint passed, each with the values of the interval that reached it', () => {
  const checkpoints = monitoringCheckpoints({ steps: [monitorStep(120)] }, 'production', 3_600_000);
  assert.deepEqual(
    checkpoints.map((c) => [c.minutes, c.status]),
    [
      [5, 'passed'],
      [15, 'passed'],
      [30, 'passed'],
      [60, 'passed'],
    ],
  );
  // 5 minutes is the 10th interval (index 9); 60 minutes the 120th.
  const first = checkpoints[0]!;
  assert.ok(first.status === 'passed');
  assert.deepEqual(first.values, [
    { quantity: 'error_rate', value: 9 / 10_000 },
    { quantity: 'p95', value: 180 },
  ]);
  const last = checkpoints[3]!;
  assert.ok(last.status === 'passed');
  assert.equal(last.values[0]!.value, 119 / 10_000);
});

test('rolled back at 20 minutes: 5 and 15 passed, 30 failed naming the check and when, 60 not reached', () => {
  const checkpoints = monitoringCheckpoints({ steps: [monitorStep(40, 39)] }, 'production', 3_600_000);
  assert.deepEqual(
    checkpoints.map((c) => c.status),
    ['passed', 'passed', 'failed', 'not_reached'],
  );
  const failed = checkpoints[2]!;
  assert.ok(failed.status === 'failed');
  assert.equal(failed.at, 20 * 60_000);
  assert.equal(failed.rule, 'seeds.error-rate');
});

test('a window that rolled back at its deadline (no interval fired; the window evidence decided): its last checkpoint failed', () => {
  // The hour's 120 intervals all held; the window's conclusion at its end was a rollback (deadline.ts).
  const step = monitorStep(120);
  const evidence = step.result.evidence!;
  step.result = { ok: false, reason: 'the window ended undecided', evidence };
  evidence.decision = { kind: 'rollback', code: 'window-evidence-worse', rule: 'seeds.error-rate' };
  const checkpoints = monitoringCheckpoints({ steps: [step] }, 'production', 3_600_000);
  assert.deepEqual(
    checkpoints.map((c) => c.status),
    ['passed', 'passed', 'passed', 'failed'],
  );
  const last = checkpoints[3]!;
  assert.ok(last.status === 'failed');
  assert.equal(last.at, 60 * 60_000);
  assert.equal(last.rule, 'seeds.error-rate');
  // Extended past the hour and rolled back then: at 60 minutes nothing had fired.
  const extended = monitorStep(132);
  extended.result.evidence!.decision = { kind: 'rollback', code: 'no-data', rule: 'min_samples' };
  assert.deepEqual(
    monitoringCheckpoints({ steps: [extended] }, 'production', 3_600_000).map((c) => c.status),
    ['passed', 'passed', 'passed', 'passed'],
  );
});

test('a checkpoint whose interval read no value of any check is not ticked: nothing was there to confirm', () => {
  const step = monitorStep(120);
  const evidence = step.result.evidence!;
  // The 5-minute interval (index 9) read nothing: every check's value is missing there.
  for (const check of evidence.checks) check.observed[0]!.values[9] = null;
  evidence.decisions[9] = { kind: 'hold', code: 'no-data-pending' };
  const checkpoints = monitoringCheckpoints({ steps: [step] }, 'production', 3_600_000);
  assert.deepEqual(
    checkpoints.map((c) => c.status),
    ['no_data', 'passed', 'passed', 'passed'],
  );
  const result = {
    environment: 'production',
    version: 'v2',
    status: 'succeeded',
    code: 'succeeded',
    message: 'ok',
    startedAt: new Date(T0).toISOString(),
    durationMs: 3_600_000,
    phases: [],
    steps: [step],
    decisions: [],
    rollbacks: [],
    waits: [],
  } as unknown as PipelineResult;
  const record = renderDeploymentRecord(result, { type: 'standard', monitorMs: 3_600_000 });
  assert.match(
    record,
    /- \[ \] 5 minutes: Initial health check: no check had a value at this interval \(5m\): nothing to confirm/,
  );
  assert.match(record, /- \[x\] 15 minutes: Error rate check: no check fired/);
});

test('a ten-minute window has two checkpoints; a window handed off at 12 minutes did not reach 15', () => {
  assert.deepEqual(
    monitoringCheckpoints({ steps: [monitorStep(20)] }, 'production', 600_000).map((c) => c.minutes),
    [5],
  );
  const handedOff = monitoringCheckpoints({ steps: [monitorStep(24)] }, 'production', 3_600_000);
  assert.deepEqual(
    handedOff.map((c) => c.status),
    ['passed', 'not_reached', 'not_reached', 'not_reached'],
  );
  assert.deepEqual(monitoringCheckpoints({ steps: [] }, 'production', 3_600_000), []);
  assert.deepEqual(monitoringCheckpoints({ steps: [monitorStep(120)] }, 'staging', 3_600_000), []);
});

test('the deployment record lists the checkpoints as seed 05 checks them off, check names escaped', () => {
  const result = {
    environment: 'production',
    version: 'v2',
    previousVersion: 'v1',
    strategy: 'canary',
    status: 'rolled_back',
    code: 'monitor_failed',
    message: 'rolled back',
    startedAt: new Date(T0).toISOString(),
    durationMs: 1_300_000,
    phases: [],
    steps: [monitorStep(40, 39, 'errors <b>@team</b>')],
    decisions: [],
    rollbacks: [],
    waits: [],
  } as unknown as PipelineResult;
  const record = renderDeploymentRecord(result, { type: 'standard', monitorMs: 3_600_000 });
  const section = record.slice(record.indexOf('### Monitoring Checkpoints'));
  assert.match(
    section,
    /- \[x\] 5 minutes: Initial health check: no check fired \(error\\?_rate 0\.0009, p95 180\)/,
  );
  assert.match(section, /- \[x\] 15 minutes: Error rate check: no check fired/);
  assert.match(section, /- \[ \] 30 minutes: Performance check: .* fired at 20m/);
  assert.match(section, /- \[ \] 60 minutes: All systems normal: not reached \(the window ended at 20m\)/);
  assert.doesNotMatch(section, /<b>|@team/);
});
