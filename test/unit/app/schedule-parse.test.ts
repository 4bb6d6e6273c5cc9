// `/deploy <env> at <date> <time> [zone]`, `--queue` and `/cancel-deploy`: the parser's part (form, zone, a
// wall time the zone shows) and the clock's part (future, at most 30 days ahead), each refusal
// with its stable code and a message that says what was wrong.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCommand } from '../../../app/commands/parse.ts';
import { helpText } from '../../../app/commands/help.ts';
import { localToInstant, MAX_SCHEDULE_AHEAD_MS, scheduleInstant } from '../../../src/schedule/time.ts';

const refused = (body: string): { code: string; message: string } => {
  const result = parseCommand(body);
  assert.equal(result.kind, 'invalid', `${JSON.stringify(body)} → ${JSON.stringify(result)}`);
  return result as { code: string; message: string };
};

test('/deploy at a local time, with or without a zone, and --queue parse into `when`', () => {
  assert.deepEqual(parseCommand('/deploy production at 2026-12-01 10:00 Europe/Berlin'), {
    kind: 'deploy',
    environment: 'production',
    dryRun: false,
    params: {},
    when: { kind: 'at', local: { date: '2026-12-01', time: '10:00', zone: 'Europe/Berlin' } },
  });
  assert.deepEqual(parseCommand('/deploy production at 2026-12-01 23:59 --strategy canary | version=1.2'), {
    kind: 'deploy',
    environment: 'production',
    strategy: 'canary',
    dryRun: false,
    params: { version: '1.2' },
    when: { kind: 'at', local: { date: '2026-12-01', time: '23:59' } },
  });
  for (const zone of ['UTC', 'America/Argentina/Buenos_Aires', 'Etc/GMT+5', 'Asia/Kolkata'])
    assert.equal(parseCommand(`/deploy staging at 2026-12-01 10:00 ${zone}`).kind, 'deploy', zone);
  assert.deepEqual(parseCommand('/deploy production --queue'), {
    kind: 'deploy',
    environment: 'production',
    dryRun: false,
    params: {},
    when: { kind: 'queue' },
  });
  // Without either, /deploy is what it always was: no `when` at all.
  assert.equal('when' in parseCommand('/deploy production'), false);
  assert.deepEqual(parseCommand('/cancel-deploy'), { kind: 'cancel-deploy' });
  assert.deepEqual(parseCommand('/cancel-deploy production'), {
    kind: 'cancel-deploy',
    environment: 'production',
  });
  assert.match(helpText(), /\/cancel-deploy \[environment\]/);
  assert.match(helpText(), /at YYYY-MM-DD HH:MM/);
});

test('bad times, zones and combinations are refused with a stable code saying what was wrong', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['/deploy production at', 'schedule_time_malformed', /followed by a date and a time/],
    ['/deploy production at 2026-12-01', 'schedule_time_malformed', /followed by a date and a time/],
    ['/deploy production at 12/01/2026 10:00', 'schedule_time_malformed', /YYYY-MM-DD/],
    ['/deploy production at 2026-12-1 10:00', 'schedule_time_malformed', /YYYY-MM-DD/],
    ['/deploy production at 2026-02-30 10:00', 'schedule_time_malformed', /not a date in the calendar/],
    ['/deploy production at 2027-02-29 10:00', 'schedule_time_malformed', /not a date in the calendar/],
    ['/deploy production at 2026-12-01 24:00', 'schedule_time_malformed', /24-hour clock/],
    ['/deploy production at 2026-12-01 10:60', 'schedule_time_malformed', /HH/],
    ['/deploy production at 2026-12-01 10am', 'schedule_time_malformed', /HH/],
    ['/deploy production at 2026-12-01 9:00', 'schedule_time_malformed', /HH/],
    ['/deploy production at 2026-12-01 10:00 Mars/Olympus', 'schedule_zone_unknown', /IANA/],
    ['/deploy production at 2026-12-01 10:00 +01:00', 'schedule_zone_unknown', /IANA/],
    ['/deploy production at 2026-12-01 10:00 CEST', 'schedule_zone_unknown', /IANA/],
    // Intl reads BST as Asia/Dhaka and EST as America/Panama (no daylight saving): an abbreviation is no zone.
    ['/deploy production at 2026-12-01 10:00 BST', 'schedule_zone_unknown', /nor an abbreviation/],
    ['/deploy production at 2026-12-01 10:00 EST', 'schedule_zone_unknown', /nor an abbreviation/],
    ['/deploy production at 2026-12-01 10:00 ../../etc/passwd', 'schedule_zone_unknown', /IANA/],
    ['/deploy production at 2026-12-01 10:00 Europe/Berlin extra', 'unexpected_argument', /extra/],
    ['/deploy production tomorrow', 'unexpected_argument', /tomorrow/],
    ['/deploy production at 2026-12-01 10:00 --queue', 'conflicting_schedule', /not both/],
    ['/deploy production at 2026-12-01 10:00 --dry-run', 'conflicting_schedule', /dry-run/],
    ['/deploy production --queue --dry-run', 'conflicting_schedule', /dry-run/],
    ['/deploy production at 2026-12-01 10:00 --hotfix --reason "now"', 'conflicting_schedule', /hotfix/],
    ['/deploy production --queue --queue', 'duplicate_option', /--queue/],
    ['/cancel-deploy production staging', 'unexpected_argument', /staging/],
    ['/cancel-deploy --all', 'unknown_option', /--all/],
    ['/cancel-deploy ../prod', 'invalid_environment_name', /not a valid environment name/],
  ];
  for (const [body, code, message] of cases) {
    const r = refused(body);
    assert.equal(r.code, code, `${body}: ${r.message}`);
    assert.match(r.message, message, body);
  }
});

test('daylight-saving changes: a skipped wall time is refused, a repeated one accepted (its first occurrence)', () => {
  // Europe/Berlin 2026: clocks jump 02:00 → 03:00 on 29 March, go back 03:00 → 02:00 on 25 October.
  const gap = refused('/deploy production at 2026-03-29 02:30 Europe/Berlin');
  assert.equal(gap.code, 'schedule_time_nonexistent');
  assert.match(gap.message, /does not exist/);
  assert.match(gap.message, /daylight-saving time begins/);
  // Shown twice: accepted here, read as its first occurrence when the reply is written (scheduleInstant).
  assert.equal(parseCommand('/deploy production at 2026-10-25 02:30 Europe/Berlin').kind, 'deploy');
  // The same wall times on other days, the minutes either side of the gap, and New York's own change.
  for (const ok of [
    '/deploy production at 2026-03-28 02:30 Europe/Berlin',
    '/deploy production at 2026-03-29 01:59 Europe/Berlin',
    '/deploy production at 2026-03-29 03:00 Europe/Berlin',
    '/deploy production at 2026-10-25 03:00 Europe/Berlin',
    '/deploy production at 2026-10-25 01:59 Europe/Berlin',
    '/deploy production at 2026-03-29 02:30 UTC',
  ])
    assert.equal(parseCommand(ok).kind, 'deploy', ok);
  assert.equal(
    refused('/deploy production at 2026-03-08 02:15 America/New_York').code,
    'schedule_time_nonexistent',
  );
  assert.equal(parseCommand('/deploy production at 2026-11-01 01:15 America/New_York').kind, 'deploy');
  // Lord Howe moves by half an hour: 02:00 → 02:30 on 4 October 2026.
  assert.equal(
    refused('/deploy production at 2026-10-04 02:15 Australia/Lord_Howe').code,
    'schedule_time_nonexistent',
  );
});

test('hostile input in a schedule is refused, never shown raw', () => {
  const cases: Array<[string, string]> = [
    ['/deploy production at 2026\u201112\u201101 10:00', 'lookalike_characters'],
    ['/deploy production at 2026-12-01 10\uFF1A00', 'lookalike_characters'],
    ['/deploy production at 2026-12-01 10:00 Europe/Berl\u200Bin', 'lookalike_characters'],
    ['/deploy production \u0430t 2026-12-01 10:00', 'lookalike_characters'],
    ['/deploy production at 2026-12-01 10:00 $(reboot)', 'shell_metacharacters'],
    ['/deploy production at 2026-12-01 10:00 `id`', 'shell_metacharacters'],
    ['/deploy production at 2026-12-01 10:00; rm -rf /', 'shell_metacharacters'],
    ['/deploy production at "2026-12-01 10:00"', 'schedule_time_malformed'],
    ['/deploy production at 2026-12-01 10:00 "<img src=x onerror=alert(1)>"', 'schedule_zone_unknown'],
    ['/deploy production at 2026-12-01 10:00 @everyone', 'schedule_zone_unknown'],
  ];
  for (const [body, code] of cases) {
    const r = refused(body);
    assert.equal(r.code, code, `${JSON.stringify(body)}: ${r.message}`);
    assert.doesNotMatch(r.message, /<img|@everyone/, 'user text escaped');
  }
});

test('the clock: a time in the past, now, or more than 30 days ahead is refused; the default zone applies', () => {
  const now = new Date('2026-12-01T08:00:00Z');
  const berlin = scheduleInstant({ date: '2026-12-01', time: '10:00', zone: 'Europe/Berlin' }, 'UTC', now);
  assert.deepEqual(berlin, { ok: true, at: new Date('2026-12-01T09:00:00Z'), zone: 'Europe/Berlin' });
  // No written zone: the environment's (here Berlin); the written zone wins over it.
  const defaulted = scheduleInstant({ date: '2026-12-01', time: '10:00' }, 'Europe/Berlin', now);
  assert.deepEqual(defaulted, { ok: true, at: new Date('2026-12-01T09:00:00Z'), zone: 'Europe/Berlin' });
  assert.equal(
    (
      scheduleInstant({ date: '2026-12-01', time: '10:00', zone: 'UTC' }, 'Europe/Berlin', now) as {
        at: Date;
      }
    ).at.toISOString(),
    '2026-12-01T10:00:00.000Z',
  );
  const past = scheduleInstant({ date: '2026-12-01', time: '08:59', zone: 'Europe/Berlin' }, 'UTC', now);
  assert.equal(past.ok, false);
  assert.equal(!past.ok && past.code, 'schedule_time_past');
  const exactlyNow = scheduleInstant({ date: '2026-12-01', time: '08:00' }, 'UTC', now);
  assert.equal(!exactlyNow.ok && exactlyNow.code, 'schedule_time_past');
  const edge = new Date(now.getTime() + MAX_SCHEDULE_AHEAD_MS);
  assert.equal(
    scheduleInstant({ date: '2026-12-31', time: '08:00' }, 'UTC', now).ok,
    true,
    edge.toISOString(),
  );
  const far = scheduleInstant({ date: '2026-12-31', time: '08:01' }, 'UTC', now);
  assert.equal(!far.ok && far.code, 'schedule_time_too_far');
  assert.match(!far.ok ? far.message : '', /30 days/);
  // A default zone with a DST change is checked too (the parser could only check a written one).
  const gap = scheduleInstant(
    { date: '2027-03-28', time: '02:30' },
    'Europe/Berlin',
    new Date('2027-03-20T00:00:00Z'),
  );
  assert.equal(!gap.ok && gap.code, 'schedule_time_nonexistent');
  assert.equal(localToInstant({ date: '2026-12-01', time: '10:00' }, 'Nowhere/Atlantis').ok, false);
});
