import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  activeFreeze,
  isValidTimeZone,
  isWithinWindows,
  nextDeployableInstant,
  nextWindowOpening,
  parseClockTime,
  parseDateTime,
  wallClock,
  wallClockText,
  zonedTimeToInstant,
  type DeployWindow,
  type Weekday,
} from '../../../src/policy/windows.ts';

const at = (iso: string) => new Date(iso);
const window = (days: Weekday[], start: string, end: string): DeployWindow => ({
  days,
  startMinute: parseClockTime(start)!,
  endMinute: parseClockTime(end)!,
});
/** The seed's recommended windows: Tuesday to Thursday, 10:00-12:00. */
const SEED_WINDOWS = [window(['tue', 'wed', 'thu'], '10:00', '12:00')];

describe('deploy windows in a time zone', () => {
  it('reads the wall clock of the zone, not of UTC (America/New_York, winter: UTC-5)', () => {
    // Tuesday 2025-03-04 10:30 in New York is 15:30 UTC.
    assert.equal(isWithinWindows(at('2025-03-04T15:30:00Z'), SEED_WINDOWS, 'America/New_York'), true);
    // 10:30 UTC is 05:30 in New York: outside, although it is inside the window in UTC.
    assert.equal(isWithinWindows(at('2025-03-04T10:30:00Z'), SEED_WINDOWS, 'America/New_York'), false);
    assert.equal(isWithinWindows(at('2025-03-04T10:30:00Z'), SEED_WINDOWS, 'UTC'), true);
  });

  it('opens at start and closes at end (end exclusive)', () => {
    assert.equal(isWithinWindows(at('2025-03-04T10:00:00Z'), SEED_WINDOWS, 'UTC'), true);
    assert.equal(isWithinWindows(at('2025-03-04T09:59:59Z'), SEED_WINDOWS, 'UTC'), false);
    assert.equal(isWithinWindows(at('2025-03-04T11:59:59Z'), SEED_WINDOWS, 'UTC'), true);
    assert.equal(isWithinWindows(at('2025-03-04T12:00:00Z'), SEED_WINDOWS, 'UTC'), false);
  });

  it('no windows means always open, and no next opening', () => {
    assert.equal(isWithinWindows(at('2025-03-07T23:00:00Z'), [], 'UTC'), true);
    assert.equal(nextWindowOpening(at('2025-03-07T23:00:00Z'), [], 'UTC'), undefined);
  });

  it('after a Friday request the next opening is Tuesday 10:00 local, across the DST change', () => {
    // Friday 2025-03-07 11:00 EST; US clocks go forward on Sunday 2025-03-09, so Tuesday 10:00 is EDT (UTC-4).
    const next = nextWindowOpening(at('2025-03-07T16:00:00Z'), SEED_WINDOWS, 'America/New_York');
    assert.equal(next?.toISOString(), '2025-03-11T14:00:00.000Z');
  });

  it('the next opening of a window open right now is the following one', () => {
    const next = nextWindowOpening(at('2025-03-04T10:30:00Z'), SEED_WINDOWS, 'UTC');
    assert.equal(next?.toISOString(), '2025-03-05T10:00:00.000Z');
    const weekly = [window(['tue'], '10:00', '12:00')];
    assert.equal(
      nextWindowOpening(at('2025-03-04T10:30:00Z'), weekly, 'UTC')?.toISOString(),
      '2025-03-11T10:00:00.000Z',
    );
  });

  it('the same local time is a different UTC time either side of a DST change (Europe/Berlin)', () => {
    const daily = [window(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], '10:00', '12:00')];
    // Saturday 2025-03-29 is CET (UTC+1), Monday 2025-03-31 is CEST (UTC+2).
    assert.equal(
      nextWindowOpening(at('2025-03-29T00:00:00Z'), daily, 'Europe/Berlin')?.toISOString(),
      '2025-03-29T09:00:00.000Z',
    );
    assert.equal(
      nextWindowOpening(at('2025-03-30T12:00:00Z'), daily, 'Europe/Berlin')?.toISOString(),
      '2025-03-31T08:00:00.000Z',
    );
  });

  it('spring forward: a window starting in the skipped hour opens when the clocks jump', () => {
    // Berlin, Sunday 2025-03-30: 02:00 CET jumps to 03:00 CEST at 01:00 UTC.
    const sunday = [window(['sun'], '02:30', '04:00')];
    const next = nextWindowOpening(at('2025-03-29T12:00:00Z'), sunday, 'Europe/Berlin');
    assert.equal(next?.toISOString(), '2025-03-30T01:00:00.000Z');
    assert.equal(isWithinWindows(next!, sunday, 'Europe/Berlin'), true);
    assert.equal(isWithinWindows(new Date(next!.getTime() - 1000), sunday, 'Europe/Berlin'), false);
  });

  it('spring forward: a window entirely inside the skipped hour does not open that day', () => {
    const sunday = [window(['sun'], '02:00', '03:00')];
    const next = nextWindowOpening(at('2025-03-29T12:00:00Z'), sunday, 'Europe/Berlin');
    // The next Sunday, 02:00 CEST.
    assert.equal(next?.toISOString(), '2025-04-06T00:00:00.000Z');
  });

  it('fall back: a repeated hour opens at its first occurrence and stays open through the second', () => {
    // New York, Sunday 2025-11-02: 01:00-02:00 happens twice (EDT then EST).
    const sunday = [window(['sun'], '01:30', '03:00')];
    const next = nextWindowOpening(at('2025-11-01T12:00:00Z'), sunday, 'America/New_York');
    assert.equal(next?.toISOString(), '2025-11-02T05:30:00.000Z'); // 01:30 EDT
    assert.equal(isWithinWindows(at('2025-11-02T06:30:00Z'), sunday, 'America/New_York'), true); // 01:30 EST
    assert.equal(isWithinWindows(at('2025-11-02T08:00:00Z'), sunday, 'America/New_York'), false); // 03:00 EST
  });

  it('handles a zone with a half-hour offset (Asia/Kolkata, UTC+5:30)', () => {
    const monday = [window(['mon'], '10:00', '12:00')];
    assert.equal(
      nextWindowOpening(at('2025-03-02T00:00:00Z'), monday, 'Asia/Kolkata')?.toISOString(),
      '2025-03-03T04:30:00.000Z',
    );
  });

  it('"24:00" ends a window at midnight', () => {
    const late = [window(['fri'], '22:00', '24:00')];
    assert.equal(isWithinWindows(at('2025-03-07T23:59:00Z'), late, 'UTC'), true);
    assert.equal(isWithinWindows(at('2025-03-08T00:00:00Z'), late, 'UTC'), false);
  });
});

describe('wall-clock conversion', () => {
  it('round-trips a wall time and names the local weekday', () => {
    const instant = zonedTimeToInstant(
      { year: 2025, month: 7, day: 4, hour: 9, minute: 15 },
      'America/Los_Angeles',
    );
    assert.equal(new Date(instant).toISOString(), '2025-07-04T16:15:00.000Z');
    const wall = wallClock(instant, 'America/Los_Angeles');
    assert.deepEqual([wall.weekday, wall.hour, wall.minute], ['fri', 9, 15]);
  });

  it('knows real time zones and refuses made-up ones', () => {
    assert.equal(isValidTimeZone('Europe/Berlin'), true);
    assert.equal(isValidTimeZone('UTC'), true);
    assert.equal(isValidTimeZone('Europe/Berlinn'), false);
    assert.equal(isValidTimeZone('Mars/Olympus'), false);
    // A UTC offset is a zone to Intl, not an IANA name: its clock never follows daylight-saving time.
    for (const offset of ['+01:00', '-05', '+0100', '\u221201:00'])
      assert.equal(isValidTimeZone(offset), false, offset);
  });

  it('parses ISO date-times with Z, an offset, or none (read in the zone)', () => {
    assert.equal(parseDateTime('2025-12-24T18:00:00Z', 'UTC')?.toISOString(), '2025-12-24T18:00:00.000Z');
    assert.equal(parseDateTime('2025-12-24T18:00+01:00', 'UTC')?.toISOString(), '2025-12-24T17:00:00.000Z');
    assert.equal(parseDateTime('2025-12-24T18:00-23:59', 'UTC')?.toISOString(), '2025-12-25T17:59:00.000Z');
    assert.equal(
      parseDateTime('2025-12-24T18:00', 'Europe/Berlin')?.toISOString(),
      '2025-12-24T17:00:00.000Z',
    );
    assert.equal(
      parseDateTime('2025-06-24T18:00', 'Europe/Berlin')?.toISOString(),
      '2025-06-24T16:00:00.000Z',
    );
  });

  it('rejects malformed or impossible date-times without throwing', () => {
    for (const text of [
      '2025-02-30T10:00Z',
      '2025-12-24',
      '24/12/2025 18:00',
      '2025-12-24T25:00Z',
      '',
      // An offset past 23:59 is no offset.
      '2025-12-24T18:00+25:00',
      '2025-12-24T18:00-24:00',
      '2025-12-24T18:00+01:60',
    ]) {
      assert.equal(parseDateTime(text, 'UTC'), undefined, text);
    }
  });

  it('parses clock times and refuses malformed ones', () => {
    assert.equal(parseClockTime('00:00'), 0);
    assert.equal(parseClockTime('10:30'), 630);
    assert.equal(parseClockTime('24:00'), 1440);
    for (const text of ['24:01', '9:00', '10:60', '10h', ''])
      assert.equal(parseClockTime(text), undefined, text);
  });
});

describe('freezes', () => {
  const holidays = {
    from: at('2025-12-20T00:00:00Z'),
    to: at('2026-01-05T00:00:00Z'),
    reason: 'holiday freeze',
  };

  it('a freeze applies from its start (inclusive) to its end (exclusive)', () => {
    assert.equal(activeFreeze(at('2025-12-19T23:59:59Z'), [holidays]), undefined);
    assert.equal(activeFreeze(at('2025-12-20T00:00:00Z'), [holidays])?.reason, 'holiday freeze');
    assert.equal(activeFreeze(at('2026-01-05T00:00:00Z'), [holidays]), undefined);
  });

  it('of overlapping freezes, the one lasting longest is reported', () => {
    const short = { from: at('2025-12-22T00:00:00Z'), to: at('2025-12-23T00:00:00Z'), reason: 'audit' };
    assert.equal(activeFreeze(at('2025-12-22T12:00:00Z'), [short, holidays])?.reason, 'holiday freeze');
  });

  it('the next deployable instant skips windows that fall in a freeze', () => {
    // Thursday 2025-12-18 15:00 UTC: the next windows (Tue 23 Dec...) are frozen until Monday 5 January;
    // the first window after that is Tuesday 6 January 10:00.
    const next = nextDeployableInstant(at('2025-12-18T15:00:00Z'), SEED_WINDOWS, 'UTC', [holidays]);
    assert.equal(next?.toISOString(), '2026-01-06T10:00:00.000Z');
  });

  it('a freeze ending in the middle of a window allows a deployment at its end', () => {
    const morning = { from: at('2025-03-04T09:00:00Z'), to: at('2025-03-04T11:00:00Z'), reason: 'incident' };
    const next = nextDeployableInstant(at('2025-03-04T09:30:00Z'), SEED_WINDOWS, 'UTC', [morning]);
    assert.equal(next?.toISOString(), '2025-03-04T11:00:00.000Z');
  });

  it('gives up (undefined) when every window within a year is frozen', () => {
    const forever = { from: at('2025-01-01T00:00:00Z'), to: at('2030-01-01T00:00:00Z'), reason: 'sunset' };
    assert.equal(
      nextDeployableInstant(at('2025-03-04T09:30:00Z'), SEED_WINDOWS, 'UTC', [forever]),
      undefined,
    );
  });
});

describe('windows and freezes: audit cases', () => {
  const night = [window(['sun'], '01:00', '03:00')];

  it('a 01:00-03:00 window on the spring-forward day is open only for the hour that exists', () => {
    // Berlin, Sunday 2025-03-30: 01:00 CET = 00:00 UTC; at 01:00 UTC the clocks jump from 02:00 to 03:00.
    assert.equal(
      nextWindowOpening(at('2025-03-29T12:00:00Z'), night, 'Europe/Berlin')?.toISOString(),
      '2025-03-30T00:00:00.000Z',
    );
    assert.equal(isWithinWindows(at('2025-03-30T00:59:59Z'), night, 'Europe/Berlin'), true);
    assert.equal(isWithinWindows(at('2025-03-30T01:00:00Z'), night, 'Europe/Berlin'), false); // 03:00 CEST
  });

  it('a 01:00-03:00 window on the fall-back day stays open through the repeated hour, until 03:00 CET', () => {
    // Berlin, Sunday 2025-10-26: 01:00 CEST = 23:00 UTC Saturday; 02:00-03:00 is lived twice.
    assert.equal(
      nextWindowOpening(at('2025-10-25T12:00:00Z'), night, 'Europe/Berlin')?.toISOString(),
      '2025-10-25T23:00:00.000Z',
    );
    for (const inside of ['2025-10-25T23:30:00Z', '2025-10-26T00:30:00Z', '2025-10-26T01:30:00Z'])
      assert.equal(isWithinWindows(at(inside), night, 'Europe/Berlin'), true, inside);
    assert.equal(isWithinWindows(at('2025-10-26T02:00:00Z'), night, 'Europe/Berlin'), false); // 03:00 CET
  });

  it('a window written as two across midnight holds on both local days', () => {
    const overnight = [window(['fri'], '22:00', '24:00'), window(['sat'], '00:00', '02:00')];
    // Tokyo (UTC+9): Friday 23:30 and Saturday 01:30 local are inside, Saturday 02:00 is not.
    assert.equal(isWithinWindows(at('2025-03-07T14:30:00Z'), overnight, 'Asia/Tokyo'), true);
    assert.equal(isWithinWindows(at('2025-03-07T16:30:00Z'), overnight, 'Asia/Tokyo'), true);
    assert.equal(isWithinWindows(at('2025-03-07T17:00:00Z'), overnight, 'Asia/Tokyo'), false);
  });

  it('a freeze across the year end, in local time, holds on both sides of New Year and ends on time', () => {
    const freeze = {
      from: parseDateTime('2025-12-20T00:00', 'Europe/Berlin')!,
      to: parseDateTime('2026-01-05T00:00', 'Europe/Berlin')!,
      reason: 'year-end',
    };
    for (const frozen of ['2025-12-19T23:00:00Z', '2025-12-31T23:30:00Z', '2026-01-04T22:59:59Z'])
      assert.equal(activeFreeze(at(frozen), [freeze])?.reason, 'year-end', frozen);
    assert.equal(activeFreeze(at('2026-01-04T23:00:00Z'), [freeze]), undefined);
    assert.equal(activeFreeze(at('2025-12-19T22:59:59Z'), [freeze]), undefined);
    // The seed's windows: the first opening after the freeze is Tuesday 2026-01-06 10:00 Berlin.
    assert.equal(
      nextDeployableInstant(at('2025-12-23T09:30:00Z'), SEED_WINDOWS, 'Europe/Berlin', [
        freeze,
      ])?.toISOString(),
      '2026-01-06T09:00:00.000Z',
    );
  });
});

describe('wallClockText: an instant as the wall clock of the zone its windows are written in', () => {
  it('says the weekday, date and time there, across a DST change and at a 45-minute offset; nothing in UTC', () => {
    assert.equal(
      wallClockText(new Date('2026-12-07T08:00:00Z'), 'Europe/Paris'),
      'Mon 2026-12-07 09:00 Europe/Paris',
    );
    assert.equal(
      wallClockText(new Date('2026-07-06T08:00:00Z'), 'Europe/Paris'),
      'Mon 2026-07-06 10:00 Europe/Paris',
    );
    assert.equal(
      wallClockText(new Date('2026-12-07T08:00:00Z'), 'Pacific/Chatham'),
      'Mon 2026-12-07 21:45 Pacific/Chatham',
    );
    assert.equal(
      wallClockText(new Date('2026-12-31T23:30:00Z'), 'Asia/Kolkata'),
      'Fri 2027-01-01 05:00 Asia/Kolkata',
    );
    assert.equal(wallClockText(new Date('2026-12-07T08:00:00Z'), 'UTC'), undefined);
  });
});
