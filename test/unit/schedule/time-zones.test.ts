// The time semantics of `/deploy <env> at <date> <time> [zone]` (and the CLI's --at) and of deploy windows
// and freezes, zone by zone, against what a person in that zone expects: a wall time the clocks skip names no
// instant; one they show twice is its first occurrence (as cron and Kubernetes CronJob read it); windows and
// freezes follow the wall clock across a change; calendar edges and zone names are refused clearly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isZone, localToInstant, scheduleInstant } from '../../../src/schedule/time.ts';
import type { LocalTime } from '../../../src/schedule/time.ts';
import {
  CURRENT_NAMES,
  isWithinWindows,
  nextDeployableInstant,
  nextWindowOpening,
  parseClockTime,
  parseDateTime,
  type DeployWindow,
  type Weekday,
} from '../../../src/policy/windows.ts';

const ALL: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const win = (start: string, end: string, days: Weekday[] = ALL): DeployWindow => ({
  days,
  startMinute: parseClockTime(start)!,
  endMinute: parseClockTime(end)!,
});
const iso = (d: Date | undefined): string | undefined => d?.toISOString();

// 2026's changes: Paris 29 Mar 02:00→03:00, 25 Oct 03:00→02:00; New York 8 Mar 02:00→03:00, 1 Nov
// 02:00→01:00; Lord Howe (half an hour) 5 Apr 02:00→01:30, 4 Oct 02:00→02:30; Santiago (at midnight)
// 5 Apr 00:00→23:00 the day before, 6 Sep 00:00→01:00; Chatham (+12:45/+13:45) 5 Apr 03:45→02:45,
// 27 Sep 02:45→03:45; Kolkata (+05:30) none.
test('a local time in each zone: one instant; the skipped hour refused; the repeated hour its first occurrence, the second named', () => {
  type Row = [date: string, time: string, zone: string, at: string, repeated?: string];
  const rows: Row[] = [
    ['2026-10-25', '02:30', 'Europe/Paris', '2026-10-25T00:30:00.000Z', '2026-10-25T01:30:00.000Z'],
    ['2026-10-25', '01:59', 'Europe/Paris', '2026-10-24T23:59:00.000Z'],
    ['2026-10-25', '03:00', 'Europe/Paris', '2026-10-25T02:00:00.000Z'],
    ['2026-03-29', '03:00', 'Europe/Paris', '2026-03-29T01:00:00.000Z'],
    ['2026-11-01', '01:30', 'America/New_York', '2026-11-01T05:30:00.000Z', '2026-11-01T06:30:00.000Z'],
    ['2026-11-01', '02:00', 'America/New_York', '2026-11-01T07:00:00.000Z'],
    ['2026-04-05', '01:45', 'Australia/Lord_Howe', '2026-04-04T14:45:00.000Z', '2026-04-04T15:15:00.000Z'],
    ['2026-04-05', '01:29', 'Australia/Lord_Howe', '2026-04-04T14:29:00.000Z'],
    ['2026-10-04', '02:30', 'Australia/Lord_Howe', '2026-10-03T15:30:00.000Z'],
    ['2026-04-04', '23:30', 'America/Santiago', '2026-04-05T02:30:00.000Z', '2026-04-05T03:30:00.000Z'],
    ['2026-09-06', '01:00', 'America/Santiago', '2026-09-06T04:00:00.000Z'],
    ['2026-04-05', '02:50', 'Pacific/Chatham', '2026-04-04T13:05:00.000Z', '2026-04-04T14:05:00.000Z'],
    ['2026-04-05', '12:00', 'Pacific/Chatham', '2026-04-04T23:15:00.000Z'],
    ['2026-09-27', '03:45', 'Pacific/Chatham', '2026-09-26T14:00:00.000Z'],
    ['2026-10-25', '02:30', 'Asia/Kolkata', '2026-10-24T21:00:00.000Z'],
    ['2026-03-29', '02:30', 'Asia/Kolkata', '2026-03-28T21:00:00.000Z'],
    // Dec 31 → Jan 1 and leap days cross the date line as the zone does.
    ['2027-01-01', '00:30', 'Asia/Kolkata', '2026-12-31T19:00:00.000Z'],
    ['2026-12-31', '23:59', 'Pacific/Chatham', '2026-12-31T10:14:00.000Z'],
    ['2028-02-29', '10:00', 'America/New_York', '2028-02-29T15:00:00.000Z'],
  ];
  for (const [date, time, zone, at, repeated] of rows) {
    const what = `${date} ${time} ${zone}`;
    assert.deepEqual(
      localToInstant({ date, time, zone }, 'UTC'),
      { ok: true, at: new Date(at), zone, ...(repeated ? { repeated: new Date(repeated) } : {}) },
      what,
    );
  }
  const skipped: Array<[string, string, string]> = [
    ['2026-03-29', '02:30', 'Europe/Paris'],
    ['2026-03-08', '02:30', 'America/New_York'],
    ['2026-10-04', '02:15', 'Australia/Lord_Howe'],
    ['2026-09-06', '00:30', 'America/Santiago'],
    ['2026-09-27', '02:50', 'Pacific/Chatham'],
  ];
  for (const [date, time, zone] of skipped) {
    const result = localToInstant({ date, time, zone }, 'UTC');
    assert.equal(!result.ok && result.code, 'schedule_time_nonexistent', `${date} ${time} ${zone}`);
    assert.match(!result.ok ? result.message : '', new RegExp(`${date} ${time} in ${zone} does not exist`));
  }
  // The environment's zone applies the same rule when none is written.
  const defaulted = localToInstant({ date: '2026-10-25', time: '02:30' }, 'Europe/Paris');
  assert.equal(defaulted.ok && iso(defaulted.repeated), '2026-10-25T01:30:00.000Z');
});

test('the clock: the first occurrence of a repeated hour must be ahead; past and far-future dates are refused', () => {
  const local: LocalTime = { date: '2026-10-25', time: '02:30', zone: 'Europe/Paris' };
  const before = scheduleInstant(local, 'UTC', new Date('2026-10-24T12:00:00Z'));
  assert.equal(before.ok && iso(before.at), '2026-10-25T00:30:00.000Z');
  // Between the two occurrences: the one it means has passed (cron does not run it again either).
  const between = scheduleInstant(local, 'UTC', new Date('2026-10-25T01:00:00Z'));
  assert.equal(!between.ok && between.code, 'schedule_time_past');
  const cases: Array<[LocalTime, string]> = [
    [{ date: '2020-02-29', time: '10:00' }, 'schedule_time_past'],
    [{ date: '9999-12-31', time: '23:59' }, 'schedule_time_too_far'],
    [{ date: '2027-02-29', time: '10:00' }, 'schedule_time_malformed'],
    [{ date: '2026-11-31', time: '10:00' }, 'schedule_time_malformed'],
    [{ date: '0000-01-01', time: '10:00' }, 'schedule_time_malformed'],
  ];
  for (const [when, code] of cases) {
    const result = scheduleInstant(when, 'UTC', new Date('2026-10-20T00:00:00Z'));
    assert.equal(!result.ok && result.code, code, JSON.stringify(when));
  }
});

test('times: a 24-hour HH:MM only (24:00, 23:60, 7:5, 7:05, 12am and 12pm are refused; 00:00 and 23:59 are not)', () => {
  for (const time of ['24:00', '23:60', '7:5', '7:05', '07:5', '12am', '12pm', '12:00pm', '10:00:00', ''])
    assert.equal(
      (localToInstant({ date: '2026-12-01', time }, 'UTC') as { code?: string }).code,
      'schedule_time_malformed',
      time,
    );
  for (const time of ['00:00', '07:05', '12:00', '23:59'])
    assert.equal(localToInstant({ date: '2026-12-01', time }, 'UTC').ok, true, time);
});

test('zones: a name the platform does not know, or an offset, is refused naming it; a known name in any case is its canonical one', () => {
  for (const zone of [
    'Mars/Olympus',
    'UTC+25',
    'UTC+1',
    'Etc/GMT+14',
    '+05:30',
    '-05',
    'local',
    'CEST',
    '',
  ]) {
    const result = localToInstant({ date: '2026-12-01', time: '10:00', zone }, 'UTC');
    assert.equal(!result.ok && result.code, 'schedule_zone_unknown', zone);
    assert.ok(
      !result.ok && result.message.includes(`time zone ${zone} `),
      `${zone}: ${JSON.stringify(result)}`,
    );
  }
  // The environment's zone is checked too (a caller that did not resolve the policy's).
  const unknownDefault = localToInstant({ date: '2026-12-01', time: '10:00' }, 'Mars/Olympus');
  assert.match(!unknownDefault.ok ? unknownDefault.message : '', /Mars\/Olympus/);
  const canonical: Array<[string, string]> = [
    ['europe/paris', 'Europe/Paris'],
    ['EUROPE/PARIS', 'Europe/Paris'],
    ['utc', 'UTC'],
    ['Etc/UTC', 'UTC'],
    ['US/Pacific', 'America/Los_Angeles'],
    ['Etc/GMT-14', 'Etc/GMT-14'],
    // ICU's own canonical ids are the old spellings of renamed zones: the reply says today's name.
    ['Asia/Kolkata', 'Asia/Kolkata'],
    ['asia/calcutta', 'Asia/Kolkata'],
    ['Europe/Kyiv', 'Europe/Kyiv'],
    ['Europe/Kiev', 'Europe/Kyiv'],
    ['America/Nuuk', 'America/Nuuk'],
    ['Asia/Ho_Chi_Minh', 'Asia/Ho_Chi_Minh'],
  ];
  for (const [written, zone] of canonical) {
    const result = localToInstant({ date: '2026-12-01', time: '10:00', zone: written }, 'UTC');
    assert.equal(result.ok && result.zone, zone, written);
  }
  const paris = localToInstant({ date: '2026-12-01', time: '10:00', zone: 'europe/paris' }, 'UTC');
  assert.equal(paris.ok && iso(paris.at), '2026-12-01T09:00:00.000Z');
  // Every zone name Node's ICU lists is accepted (the name pattern refuses none of them), and so is
  // today's name of each it spells the old way, which Intl reads as the same zone.
  assert.deepEqual(
    Intl.supportedValuesOf('timeZone').filter((zone) => !isZone(zone)),
    [],
  );
  for (const [old, current] of Object.entries(CURRENT_NAMES)) {
    assert.ok(Intl.supportedValuesOf('timeZone').includes(old), old);
    assert.ok(isZone(current), current);
    assert.equal(new Intl.DateTimeFormat('en-US', { timeZone: current }).resolvedOptions().timeZone, old);
  }
});

test('windows across a change: the wall clock decides; one lost to the gap opens the next day; real-time length follows the change', () => {
  // Open at an instant?
  const within: Array<[string, DeployWindow, string, boolean]> = [
    // Paris 02:00-03:00 on the night the clocks go back: open through both 02:xx hours (two hours of real time).
    ['2026-10-25T00:30:00Z', win('02:00', '03:00'), 'Europe/Paris', true],
    ['2026-10-25T01:30:00Z', win('02:00', '03:00'), 'Europe/Paris', true],
    ['2026-10-25T02:00:00Z', win('02:00', '03:00'), 'Europe/Paris', false],
    // 01:00-04:00 on the night they jump is two hours of real time: 23:00Z to 01:00Z... then 03:00 CEST.
    ['2026-03-29T00:59:00Z', win('01:00', '04:00'), 'Europe/Paris', true],
    ['2026-03-29T01:59:00Z', win('01:00', '04:00'), 'Europe/Paris', true],
    ['2026-03-29T02:00:00Z', win('01:00', '04:00'), 'Europe/Paris', false],
    // A window to 24:00 is open in the day's last minute, closed at midnight.
    ['2026-10-25T22:59:00Z', win('22:00', '24:00', ['sun']), 'Europe/Paris', true],
    ['2026-10-25T23:00:00Z', win('22:00', '24:00', ['sun']), 'Europe/Paris', false],
    // Kolkata and Chatham: offsets that are not whole hours.
    ['2026-09-26T04:30:00Z', win('10:00', '11:00'), 'Asia/Kolkata', true],
    ['2026-09-26T04:29:00Z', win('10:00', '11:00'), 'Asia/Kolkata', false],
    ['2026-04-04T23:15:00Z', win('12:00', '12:01'), 'Pacific/Chatham', true],
  ];
  for (const [now, window, zone, open] of within)
    assert.equal(isWithinWindows(new Date(now), [window], zone), open, `${now} ${zone}`);

  // The next opening strictly after `now`.
  const next: Array<[string, DeployWindow, string, string]> = [
    // Paris 02:00-02:30 lies in the gap on 29 March: it opens on the 30th.
    ['2026-03-28T12:00:00Z', win('02:00', '02:30'), 'Europe/Paris', '2026-03-30T00:00:00.000Z'],
    // 02:30-04:00 that night opens when the clocks jump (03:00 CEST).
    ['2026-03-28T12:00:00Z', win('02:30', '04:00'), 'Europe/Paris', '2026-03-29T01:00:00.000Z'],
    // The repeated hour: the window opens at the first 02:00.
    ['2026-10-24T12:00:00Z', win('02:00', '03:00'), 'Europe/Paris', '2026-10-25T00:00:00.000Z'],
    // New York 02:00-03:00 is wholly skipped on 8 March (opens on the 9th); 02:30-04:00 opens at the jump.
    ['2026-03-07T12:00:00Z', win('02:00', '03:00'), 'America/New_York', '2026-03-09T06:00:00.000Z'],
    ['2026-03-07T12:00:00Z', win('02:30', '04:00'), 'America/New_York', '2026-03-08T07:00:00.000Z'],
    ['2026-10-03T00:00:00Z', win('02:00', '03:00'), 'Australia/Lord_Howe', '2026-10-03T15:30:00.000Z'],
    ['2026-09-05T12:00:00Z', win('00:00', '01:00'), 'America/Santiago', '2026-09-07T03:00:00.000Z'],
    ['2026-09-05T12:00:00Z', win('00:00', '02:00'), 'America/Santiago', '2026-09-06T04:00:00.000Z'],
    ['2026-09-26T00:00:00Z', win('02:45', '04:00'), 'Pacific/Chatham', '2026-09-26T14:00:00.000Z'],
    // Across Dec 31 → Jan 1 and Feb 28 → 29 in a leap year.
    ['2026-12-31T12:00:00Z', win('09:00', '10:00', ['fri']), 'Asia/Kolkata', '2027-01-01T03:30:00.000Z'],
    ['2028-02-28T12:00:00Z', win('09:00', '10:00', ['tue']), 'UTC', '2028-02-29T09:00:00.000Z'],
  ];
  for (const [now, window, zone, opening] of next)
    assert.equal(iso(nextWindowOpening(new Date(now), [window], zone)), opening, `${now} ${zone}`);
});

test('freezes across a change and nextDeployableInstant: local freeze ends are read in the zone, after the change', () => {
  // Saturday 22:00 to Sunday 04:00 in Paris across the spring change: five hours of real time.
  const from = parseDateTime('2026-03-28T22:00', 'Europe/Paris')!;
  const to = parseDateTime('2026-03-29T04:00', 'Europe/Paris')!;
  assert.deepEqual([iso(from), iso(to)], ['2026-03-28T21:00:00.000Z', '2026-03-29T02:00:00.000Z']);
  // A freeze edge in the gap is the jump; one in the repeated hour its first occurrence.
  assert.equal(iso(parseDateTime('2026-03-29T02:30', 'Europe/Paris')), '2026-03-29T01:00:00.000Z');
  assert.equal(iso(parseDateTime('2026-10-25T02:30', 'Europe/Paris')), '2026-10-25T00:30:00.000Z');
  const freezes = [{ from, to, reason: 'x' }];
  const cases: Array<[string, DeployWindow[], string, string | undefined]> = [
    // Always open: deployable when the freeze ends.
    ['2026-03-28T21:30:00Z', [], 'Europe/Paris', '2026-03-29T02:00:00.000Z'],
    // Window 03:00-05:00 daily: the freeze ends inside it (04:00 CEST).
    ['2026-03-28T21:30:00Z', [win('03:00', '05:00')], 'Europe/Paris', '2026-03-29T02:00:00.000Z'],
    // Window 01:00-03:00 daily is cut to one hour by the jump and frozen: the next day's 01:00 CEST.
    ['2026-03-28T21:30:00Z', [win('01:00', '03:00')], 'Europe/Paris', '2026-03-29T23:00:00.000Z'],
  ];
  for (const [now, windows, zone, expected] of cases)
    assert.equal(iso(nextDeployableInstant(new Date(now), windows, zone, freezes)), expected, now);
  // Frozen past the one-year horizon: none.
  const long = [
    { from: new Date('2026-01-01T00:00:00Z'), to: new Date('2028-01-01T00:00:00Z'), reason: 'y' },
  ];
  assert.equal(
    nextDeployableInstant(new Date('2026-03-28T00:00:00Z'), [win('10:00', '11:00')], 'UTC', long),
    undefined,
  );
});
