// `deploy-action reconcile --at <time>`: only an ISO 8601 time, and only one ahead of now (an earlier time
// could only hide what is due now).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidArgumentError } from 'commander';
import { parseReconcileTime } from '../../../src/cli/reconcile.ts';

const NOW = new Date('2026-11-30T12:00:00Z');

test('--at takes an ISO 8601 time later than now', () => {
  assert.equal(parseReconcileTime('2026-12-01T10:00:00Z', NOW).toISOString(), '2026-12-01T10:00:00.000Z');
  assert.equal(parseReconcileTime('2026-11-30T13:00:00+01:00', NOW).getTime(), NOW.getTime());
});

for (const bad of ['tomorrow', '1764590400000', '2026-13-40T99:00:00Z', '', '12/01/2026 10:00']) {
  test(`--at refuses ${JSON.stringify(bad)} and says what it takes`, () => {
    assert.throws(
      () => parseReconcileTime(bad, NOW),
      (e: unknown) => e instanceof InvalidArgumentError && /is not an ISO 8601 time such as/.test(e.message),
    );
  });
}

test('--at refuses a time in the past', () => {
  assert.throws(
    () => parseReconcileTime('2026-11-30T11:59:59Z', NOW),
    (e: unknown) =>
      e instanceof InvalidArgumentError && /is in the past; --at only looks ahead/.test(e.message),
  );
});
