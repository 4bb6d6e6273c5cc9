// The four keys from realistic deployment histories, and their edge cases: nothing deployed, only failures
// (restore still open), deployments in progress, inactive and superseded statuses, changes that touched
// nothing, a later /rollback, clock skew and the window's boundaries.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { computeMetrics, MetricsWindowError } from '../../../src/metrics/compute.ts';
import { outcomeOf } from '../../../src/metrics/outcome.ts';
import { changeFailureBand, frequencyBand, leadTimeBand, restoreBand } from '../../../src/metrics/bands.ts';
import type { DeploymentFact, StatusFact } from '../../../src/metrics/types.ts';
import { finalStatus } from '../../../src/report/github/deployment-status.ts';
import type { PipelineResult } from '../../../src/pipeline/events.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const T0 = Date.parse('2026-09-01T00:00:00Z');
const WINDOW = { since: T0, until: T0 + 30 * DAY };

let next = 1;
function deployment(
  at: number,
  statuses: Array<[StatusFact['state'], number, string?]>,
  extra: Partial<DeploymentFact> = {},
): DeploymentFact {
  return {
    id: String(next++),
    environment: 'production',
    createdAt: at,
    statuses: statuses.map(([state, offset, description]) => ({
      state,
      at: at + offset,
      ...(description ? { description } : {}),
    })),
    ...extra,
  };
}
const ok = (at: number, extra: Partial<DeploymentFact> = {}) =>
  deployment(
    at,
    [
      ['queued', 0],
      ['in_progress', MIN],
      ['success', 10 * MIN],
    ],
    extra,
  );
const failed = (at: number, description = 'failed [step_failed]: deploy exited 1') =>
  deployment(at, [
    ['in_progress', MIN],
    ['failure', 10 * MIN, description],
  ]);

/** A final description as the Action writes it, so the classification follows the real texts. */
function described(status: PipelineResult['status'], code: string, rollbacks = 0): string {
  return finalStatus({
    status,
    code,
    message: 'why',
    environment: 'production',
    version: 'v2',
    previousVersion: 'v1',
    strategy: 'canary',
    dryRun: false,
    phases: [],
    steps: [],
    decisions: [],
    rollbacks: Array.from({ length: rollbacks }, () => ({ environment: 'production', ok: true })),
    startedAt: new Date(T0).toISOString(),
    durationMs: 1000,
    exitCode: 1,
  } as unknown as PipelineResult).description;
}

test('a month of production: frequency, lead time (median, p90), failure rate and restore', () => {
  // 21 deployments, one every 36 h; changes started 2 h to 40 h before; the 5th and 12th failed and were
  // rolled back by the Action, and each was fixed by the next deployment 36 h later.
  const facts: DeploymentFact[] = [];
  const leads: number[] = [];
  for (let i = 0; i < 21; i++) {
    const at = T0 + i * 36 * HOUR;
    if (i === 4 || i === 11) {
      facts.push(failed(at, described('rolled_back', 'analysis_failed', 1)));
      continue;
    }
    const lead = (2 + ((i * 7) % 39)) * HOUR;
    leads.push(lead + 10 * MIN);
    facts.push(ok(at, { changeAt: at - lead, changeFrom: 'pull_request' }));
  }
  const [m] = computeMetrics(facts, WINDOW);
  assert.ok(m);
  assert.equal(m.deployments.total, 21, 'created inside 30 days');
  assert.equal(m.deployments.succeeded, 19);
  assert.equal(m.deployments.failed, 2);
  assert.equal(m.frequency.perDay, 19 / 30);
  assert.equal(m.frequency.perWeek, (19 / 30) * 7);
  assert.equal(m.frequency.band, 'high');
  const sorted = leads.sort((a, b) => a - b);
  assert.equal(m.leadTime.count, 19);
  // Nearest rank: the 10th and the 18th of 19.
  assert.equal(m.leadTime.medianMs, sorted[9]);
  assert.equal(m.leadTime.p90Ms, sorted[17]);
  assert.equal(m.changeFailureRate.rate, 2 / 21);
  assert.deepEqual(m.changeFailureRate.byCode, {
    rolled_back: 2,
    rolled_back_later: 0,
    failure: 0,
    error: 0,
  });
  assert.equal(m.changeFailureRate.band, 'high');
  // Failure at +10 min of its deployment, the next success 36 h later at +10 min.
  assert.equal(m.timeToRestore.count, 2);
  assert.equal(m.timeToRestore.medianMs, 36 * HOUR);
  assert.equal(m.timeToRestore.band, 'medium');
  assert.equal(m.timeToRestore.openSince, null);
});

test('no deployments: zeros and no bands, for an environment asked for', () => {
  const [m] = computeMetrics([], WINDOW, ['production']);
  assert.equal(m!.environment, 'production');
  assert.equal(m!.deployments.total, 0);
  assert.equal(m!.frequency.perDay, 0);
  assert.equal(m!.frequency.band, null);
  assert.deepEqual([m!.leadTime.medianMs, m!.leadTime.p90Ms, m!.leadTime.band], [null, null, null]);
  assert.deepEqual([m!.changeFailureRate.rate, m!.changeFailureRate.band], [null, null]);
  assert.deepEqual([m!.timeToRestore.medianMs, m!.timeToRestore.openSince], [null, null]);
});

test('only failures: the failure rate is 1 and the restore is open since the first failure', () => {
  const facts = [
    failed(T0 + DAY),
    deployment(T0 + 2 * DAY, [['error', 10 * MIN, described('failed', 'rollback_failed')]]),
    failed(T0 + 3 * DAY),
  ];
  const [m] = computeMetrics(facts, WINDOW);
  assert.equal(m!.changeFailureRate.rate, 1);
  assert.equal(m!.changeFailureRate.band, 'low');
  assert.equal(m!.changeFailureRate.byCode.error, 1, 'a failed rollback is an error status');
  assert.equal(m!.frequency.band, null);
  assert.equal(m!.timeToRestore.count, 0);
  assert.equal(m!.timeToRestore.medianMs, null);
  assert.equal(m!.timeToRestore.openSince, T0 + DAY + 10 * MIN);
});

test('failures in a row are one episode, from the first failure to the next success', () => {
  const facts = [ok(T0), failed(T0 + HOUR), failed(T0 + 2 * HOUR), ok(T0 + 3 * HOUR), failed(T0 + 4 * HOUR)];
  const [m] = computeMetrics(facts, WINDOW);
  assert.equal(m!.timeToRestore.count, 1);
  assert.equal(m!.timeToRestore.medianMs, 2 * HOUR);
  assert.equal(m!.timeToRestore.openSince, T0 + 4 * HOUR + 10 * MIN);
});

test('in progress, superseded and changes that touched nothing are not counted as finished', () => {
  const facts = [
    ok(T0 + HOUR),
    deployment(T0 + 2 * HOUR, [
      ['queued', 0],
      ['in_progress', MIN],
    ]),
    deployment(T0 + 3 * HOUR, [
      ['queued', 0],
      ['waiting', MIN],
    ]),
    deployment(T0 + 4 * HOUR, [
      ['queued', 0],
      ['inactive', MIN],
    ]),
    deployment(T0 + 5 * HOUR, [
      ['queued', 0],
      ['failure', MIN, described('blocked', 'gates_blocked')],
    ]),
    deployment(T0 + 6 * HOUR, [
      ['queued', 0],
      ['error', MIN, described('cancelled', 'cancelled')],
    ]),
  ];
  const [m] = computeMetrics(facts, WINDOW);
  assert.deepEqual(m!.deployments, {
    total: 6,
    rollbacks: 0,
    succeeded: 1,
    failed: 0,
    noChange: 2,
    superseded: 1,
    inProgress: 2,
  });
  assert.equal(m!.changeFailureRate.finished, 1);
  assert.equal(m!.changeFailureRate.rate, 0);
});

test("statuses: inactive after success is no failure; the last final state decides; the Action's texts are read", () => {
  assert.deepEqual(
    outcomeOf(
      deployment(T0, [
        ['success', 60_000],
        ['inactive', DAY],
      ]),
    ),
    { kind: 'succeeded', at: T0 + 60_000 },
  );
  // Read newest first, as GitHub lists them: order does not matter.
  assert.deepEqual(
    outcomeOf(
      deployment(T0, [
        ['inactive', DAY],
        ['success', 60_000],
        ['queued', 0],
      ]),
    ),
    { kind: 'succeeded', at: T0 + 60_000 },
  );
  assert.equal(
    outcomeOf(
      deployment(T0, [
        ['success', 1],
        ['failure', 2],
      ]),
    ).kind,
    'failed',
  );
  // A failure, then a successful re-run: succeeded, at the re-run's success.
  assert.deepEqual(
    outcomeOf(
      deployment(T0, [
        ['failure', 1],
        ['success', 5],
        ['success', 9],
      ]),
    ),
    { kind: 'succeeded', at: T0 + 5 },
  );
  const code = (description: string, state: 'failure' | 'error' = 'failure') =>
    (outcomeOf(deployment(T0, [[state, 1, description]])) as { code: string }).code;
  assert.equal(code(described('rolled_back', 'analysis_failed', 1)), 'rolled_back');
  assert.equal(code(described('rolled_back', 'rollout_aborted', 1)), 'rolled_back');
  assert.equal(code('Rolled back by reconcile: the owning run ended'), 'rolled_back');
  assert.equal(code(described('blocked', 'gates_blocked')), 'blocked');
  assert.equal(code(described('cancelled', 'cancelled'), 'error'), 'cancelled_before_change');
  // Cancelled after traffic moved: a change that failed.
  assert.equal(code(described('cancelled', 'cancelled', 1), 'error'), 'error');
  assert.equal(code('deploy script exploded'), 'failure');
});

test('a success that a later /rollback took back is a failed change, restored when the rollback succeeds', () => {
  const facts = [
    ok(T0),
    ok(T0 + DAY), // goes live, then turns out bad
    deployment(
      T0 + DAY + 3 * HOUR,
      [
        ['queued', 0],
        ['success', 20 * MIN],
      ],
      { type: 'rollback' },
    ),
    ok(T0 + 3 * DAY),
  ];
  const [m] = computeMetrics(facts, WINDOW);
  assert.equal(m!.changeFailureRate.byCode.rolled_back_later, 1);
  assert.equal(m!.changeFailureRate.failed, 1);
  // The rollback is a recovery, not a change: 1 failed of the 3 changes, not of 4.
  assert.equal(m!.changeFailureRate.finished, 3);
  assert.equal(m!.deployments.rollbacks, 1);
  assert.equal(m!.deployments.succeeded, 2);
  // The rolled-back deployment did go live: it counts as a release for the frequency; the rollback does not.
  assert.equal(m!.frequency.perDay, 3 / 30);
  // The rollback redeployed a commit from long before: no lead time of its own.
  assert.equal(m!.leadTime.count + m!.leadTime.unknown + m!.leadTime.skewed, 3);
  assert.equal(m!.timeToRestore.medianMs, 20 * MIN);
  // A rollback asked for after another release took nothing back from the first.
  const later = [ok(T0), ok(T0 + HOUR), deployment(T0 + 2 * HOUR, [['success', MIN]], { type: 'rollback' })];
  assert.equal(computeMetrics(later, WINDOW)[0]!.changeFailureRate.failed, 1);
  // A rollback that was blocked took nothing back.
  const blocked = [
    ok(T0),
    deployment(T0 + HOUR, [['failure', MIN, described('blocked', 'gates_blocked')]], { type: 'rollback' }),
  ];
  assert.equal(computeMetrics(blocked, WINDOW)[0]!.changeFailureRate.failed, 0);
});

test('clock skew: a change dated after its success is left out of lead time and counted as skewed', () => {
  const facts = [
    ok(T0, { changeAt: T0 - HOUR }),
    ok(T0 + DAY, { changeAt: T0 + DAY + 2 * HOUR }), // the committer's clock was ahead
    ok(T0 + 2 * DAY), // no change time known
  ];
  const [m] = computeMetrics(facts, WINDOW);
  assert.deepEqual([m!.leadTime.count, m!.leadTime.skewed, m!.leadTime.unknown], [1, 1, 1]);
  assert.equal(m!.leadTime.medianMs, HOUR + 10 * MIN);
});

test('the window: created at `since` counts, a millisecond before does not; so does `until`; environments apart', () => {
  const facts = [
    ok(T0 - 1),
    ok(T0),
    ok(WINDOW.until),
    ok(WINDOW.until + 1),
    { ...ok(T0 + DAY), environment: 'staging' },
  ];
  const [production, staging] = computeMetrics(facts, WINDOW);
  assert.equal(production!.environment, 'production');
  assert.equal(production!.deployments.total, 2);
  assert.equal(staging!.deployments.total, 1);
  // Only the environments asked for.
  assert.deepEqual(
    computeMetrics(facts, WINDOW, ['staging']).map((m) => m.environment),
    ['staging'],
  );
  assert.throws(() => computeMetrics(facts, { since: T0, until: T0 }), MetricsWindowError);
});

test('DORA bands at their boundaries', () => {
  assert.deepEqual([1, 1 / 7, 1 / 30, 1 / 31].map(frequencyBand), ['elite', 'high', 'medium', 'low']);
  assert.deepEqual([DAY - 1, DAY, 7 * DAY, 30 * DAY].map(leadTimeBand), ['elite', 'high', 'medium', 'low']);
  assert.deepEqual([0.05, 0.1, 0.15, 0.151].map(changeFailureBand), ['elite', 'high', 'medium', 'low']);
  assert.deepEqual([HOUR - 1, HOUR, DAY, 7 * DAY].map(restoreBand), ['elite', 'high', 'medium', 'low']);
});

test('a deployment that went live and failed later (a handed-off bake) is a release and a failure', () => {
  // docs/metrics.md: frequency counts deployments that reached `success`; lead time runs to the first one.
  const bakeFailed = deployment(
    T0 + DAY,
    [
      ['in_progress', MIN],
      ['success', 10 * MIN],
      ['failure', 2 * HOUR, 'bake failed [analysis_failed]'],
    ],
    { changeAt: T0 },
  );
  const fixed = ok(T0 + 2 * DAY, { changeAt: T0 + DAY + 12 * HOUR });
  const [m] = computeMetrics([bakeFailed, fixed], WINDOW);
  assert.equal(m!.deployments.total, 2);
  assert.equal(m!.deployments.failed, 1);
  assert.equal(m!.frequency.perDay, 2 / 30);
  assert.equal(m!.leadTime.count, 2);
  assert.equal(m!.leadTime.p90Ms, DAY + 10 * MIN);
  assert.equal(m!.changeFailureRate.rate, 1 / 2);
  // Restored by the next success, from the failure (not from the success before it).
  assert.equal(m!.timeToRestore.count, 1);
  assert.equal(m!.timeToRestore.medianMs, 2 * DAY + 10 * MIN - (DAY + 2 * HOUR));
});

test('environment names are compared as GitHub compares them, without regard to case', () => {
  // A workflow job's `environment: Production` and the App's /deploy production are one environment.
  const facts = [
    ok(T0, { environment: 'Production' }),
    failed(T0 + DAY),
    ok(T0 + 2 * DAY, { environment: 'PRODUCTION' }),
  ];
  const all = computeMetrics(facts, WINDOW);
  assert.deepEqual(
    all.map((m) => [m.environment, m.deployments.total, m.changeFailureRate.failed]),
    [['Production', 3, 1]],
  );
  assert.equal(all[0]!.timeToRestore.medianMs, DAY);
  // Asked for by another spelling: every one of its deployments, under the name asked for.
  const asked = computeMetrics(facts, WINDOW, ['production']);
  assert.deepEqual(
    asked.map((m) => [m.environment, m.deployments.total]),
    [['production', 3]],
  );
});
