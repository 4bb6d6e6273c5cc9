// The state records' history as metrics facts (the CLI without GitHub), and the window parser shared by the
// CLI, the Action and the App.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { historyFacts } from '../../../src/metrics/history.ts';
import { outcomeOf } from '../../../src/metrics/outcome.ts';
import { parseSince, SinceError } from '../../../src/metrics/window.ts';
import { emptyRecord, type HistoryEntry } from '../../../src/state/record.ts';

const T0 = Date.parse('2026-05-01T00:00:00Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();
const entry = (minutes: number, event: string, code = event): HistoryEntry => ({
  at: at(minutes),
  by: 'cli:h',
  event,
  code,
});

test('each run of the history is one deployment with the outcome its ending says', () => {
  const record = {
    ...emptyRecord('local', 'production', new Date(T0)),
    history: [
      entry(0, 'rollout_started'),
      entry(1, 'phase', 'verify'),
      entry(2, 'succeeded', 'deployed'),
      entry(10, 'blocked', 'gates_blocked'), // no rollout started: nothing changed
      entry(20, 'rollout_started'),
      entry(21, 'paused', 'step_failed'),
      entry(30, 'succeeded', 'deployed'), // resumed after the pause, same run
      entry(40, 'rollout_started'),
      entry(41, 'cancelled', 'cancelled'), // traffic had moved
      entry(50, 'cancelled', 'cancelled'), // before a rollout started
      entry(60, 'rollout_started'),
      entry(61, 'orphan_rolled_back', 'orphan'),
      entry(70, 'rollout_started'),
      entry(71, 'rollback_failed', 'rollback_failed'),
      entry(80, 'rollout_started'), // still running
      entry(81, 'slot_torn_down', 'due'),
    ],
  };
  const facts = historyFacts(record);
  const outcomes = facts.map((f) => {
    const o = outcomeOf(f);
    return o.kind === 'failed' || o.kind === 'no_change' ? `${o.kind}:${o.code}` : o.kind;
  });
  assert.deepEqual(outcomes, [
    'succeeded',
    'no_change:blocked',
    'succeeded',
    'failed:error',
    'no_change:cancelled_before_change',
    'failed:rolled_back',
    'failed:error',
    'in_progress',
  ]);
  assert.equal(facts[0]!.createdAt, T0);
  assert.ok(facts.every((f) => f.environment === 'production' && f.changeAt === undefined));
});

test('--since: a duration back from now or a date, in the past, at most two years', () => {
  const now = Date.parse('2026-12-01T00:00:00Z');
  assert.equal(parseSince('90d', now), now - 90 * 86_400_000);
  assert.equal(parseSince('12h', now), now - 12 * 3_600_000);
  assert.equal(parseSince('2026-09-01', now), Date.parse('2026-09-01'));
  assert.equal(parseSince('2026-09-01T12:00:00Z', now), Date.parse('2026-09-01T12:00:00Z'));
  for (const [bad, why] of [
    ['ninety', /give a duration/],
    ['-5d', /give a duration/],
    ['2027-01-01', /not in the past/],
    ['0d', /not in the past/],
    ['800d', /at most two years/],
    ['2026-02-30', /is "2026-02-30": there is no such day/],
    ['2026-13-01', /there is no such day|give a duration/],
    ['2026-00-10T00:00:00Z', /there is no such day|give a duration/],
    ['x\n::warning::y', /is "x\\n::warning::y": give a duration/],
  ] as const)
    assert.throws(
      () => parseSince(bad, now, 'input "since"'),
      (e: Error) => e instanceof SinceError && why.test(e.message) && e.message.startsWith('input "since"'),
    );
});

test('--since: a date and time is read the same on every machine: without an offset it is refused', () => {
  const now = Date.parse('2026-12-01T00:00:00Z');
  // Date.parse reads these in the process's time zone (TZ), so the window's start depended on the runner.
  for (const local of ['2026-11-01 10:00', '2026-11-01T10:00:00', '2026-11-01T10:00'])
    assert.throws(
      () => parseSince(local, now),
      (e: Error) =>
        e instanceof SinceError &&
        e.message.includes(`--since is "${local}": a date and time needs its offset, such as ${local}Z`),
    );
  assert.equal(parseSince('2026-11-01', now), Date.UTC(2026, 10, 1));
  assert.equal(parseSince('2026-11-01T10:00+01:00', now), Date.UTC(2026, 10, 1, 9));
  assert.equal(parseSince('2026-11-01 10:00Z', now), Date.UTC(2026, 10, 1, 10));
  assert.equal(parseSince('2026-11-01T10:00:00-0500', now), Date.UTC(2026, 10, 1, 15));
  // A time Date.parse takes but no clock shows (24:00), and a leap day only in a leap year.
  assert.throws(() => parseSince('2026-11-01T24:00Z', now), /give a duration/);
  assert.equal(parseSince('2024-02-29', Date.parse('2024-12-01T00:00:00Z')), Date.UTC(2024, 1, 29));
  assert.throws(() => parseSince('2026-02-29T00:00Z', now), /there is no such day/);
});
