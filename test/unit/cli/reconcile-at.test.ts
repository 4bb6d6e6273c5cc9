// `deploy-action reconcile --at <time>`: only an ISO 8601 time, and only one ahead of now (an earlier time
// could only hide what is due now).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidArgumentError } from 'commander';
import { parseReconcileTime } from '../../../src/cli/reconcile.ts';
import { parseRunAt } from '../../../src/schedule/file-schedule.ts';

const NOW = new Date('2026-11-30T12:00:00Z');

test('--at takes an ISO 8601 time later than now', () => {
  assert.equal(parseReconcileTime('2026-12-01T10:00:00Z', NOW).toISOString(), '2026-12-01T10:00:00.000Z');
  assert.equal(parseReconcileTime('2026-11-30T13:00:00+01:00', NOW).getTime(), NOW.getTime());
});

for (const bad of ['tomorrow', '1764590400000', '2026-13-40T99:00:00Z', '', '12/01/2026 10:00']) {
  test(`--at refuses ${JSON.stringify(bad)} and says what it takes`, () => {
    assert.throws(
      () => parseReconcileTime(bad, NOW),
      (e: unknown) =>
        e instanceof InvalidArgumentError &&
        e.message.startsWith(
          `${JSON.stringify(bad)} is not a real ISO 8601 time with an offset (Z, +HH:MM or +HHMM), such as`,
        ),
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

// Date alone reads each of these as some instant: the day rolled into the next month, 24:00 as the next
// midnight, a time without an offset in the zone of whichever machine runs the command.
const NOT_ONE_INSTANT = [
  '2027-02-30T10:00:00Z',
  '2027-02-29T10:00:00Z',
  '2027-04-31T10:00:00Z',
  '2027-01-00T10:00:00Z',
  '2027-01-01T24:00:00Z',
  '2027-01-01T23:60:00Z',
  '2027-01-01T23:59:60Z',
  '2027-01-01T10:00:00',
  '2027-01-01T10:00',
  '2027-01-01T10:00:00+24:00',
  '2027-01-01T10:00:00+2400',
  '2027-01-01T10:00:00+1',
  '2027-01-01T10:00:00+01:0',
  '2027-01-01T10:00:00+01:00:00',
  '2027-01-01T10:00:00 Z',
  '2027-01-01T10:00:00zz',
];

for (const value of NOT_ONE_INSTANT) {
  test(`both --at options refuse ${JSON.stringify(value)}: not one instant on every machine`, () => {
    assert.throws(
      () => parseReconcileTime(value, NOW),
      (e: unknown) => e instanceof InvalidArgumentError && /with an offset/.test(e.message),
    );
    const run = parseRunAt(value, 'UTC', NOW);
    assert.equal(run.ok, false, value);
    assert.equal((run as { code: string }).code, 'schedule_time_malformed', value);
  });
}

test('--at takes the extreme offsets and a leap day', () => {
  for (const [value, iso] of [
    ['2026-12-01T10:00:00+14:00', '2026-11-30T20:00:00.000Z'],
    ['2026-12-01T10:00:00-12:00', '2026-12-01T22:00:00.000Z'],
    ['2028-02-29T10:00:00.5Z', '2028-02-29T10:00:00.500Z'],
  ] as const)
    assert.equal(parseReconcileTime(value, NOW).toISOString(), iso);
});

test('both --at options take the offsets RFC 3339 and ISO 8601 write: +0000, +01, a lowercase z or t, a space for T', () => {
  for (const [value, iso] of [
    ['2026-12-01T10:00:00+0000', '2026-12-01T10:00:00.000Z'],
    ['2026-12-01T11:30:00+0130', '2026-12-01T10:00:00.000Z'],
    ['2026-12-01T05:30:00-0430', '2026-12-01T10:00:00.000Z'],
    ['2026-12-01T11:00+01', '2026-12-01T10:00:00.000Z'],
    ['2026-12-01T10:00:00z', '2026-12-01T10:00:00.000Z'],
    ['2026-12-01t10:00:00.25z', '2026-12-01T10:00:00.250Z'],
    ['2026-12-01 10:00:00Z', '2026-12-01T10:00:00.000Z'],
    ['2026-12-01 11:00:00+01:00', '2026-12-01T10:00:00.000Z'],
    // RFC 3339: UTC, the local offset unknown.
    ['2026-12-01T10:00:00-00:00', '2026-12-01T10:00:00.000Z'],
  ] as const) {
    assert.equal(parseReconcileTime(value, NOW).toISOString(), iso, value);
    const run = parseRunAt(value, 'Europe/Berlin', NOW);
    assert.ok(run.ok, `${value}: ${JSON.stringify(run)}`);
    assert.equal(run.at.toISOString(), iso, value);
  }
});

test('run --at names the value it refuses', () => {
  const run = parseRunAt('2027-01-01T10:00:00+2400', 'UTC', NOW);
  assert.ok(!run.ok);
  assert.equal(
    run.message,
    '"2027-01-01T10:00:00+2400" is not a real ISO 8601 time with an offset (Z, +HH:MM or +HHMM), such as 2026-12-01T09:00:00Z',
  );
});
