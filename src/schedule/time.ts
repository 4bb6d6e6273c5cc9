// When a scheduled deployment is due: a local date and time (`2026-12-01 10:00`) in an IANA time zone, turned
// into one instant, or refused with a stable code that says why. Pure: the clock comes in as `now`. Zones go
// through Intl (src/policy/windows.ts, the platform's tz database), so a wall time skipped by a
// daylight-saving change is refused (it names no instant), and one shown twice by the clocks going back
// means its first occurrence, as cron and Kubernetes CronJob read it and as deploy windows and freezes do
// (windows.ts): the result carries the second one, so the reply says which was taken, never silently.
import { canonicalTimeZone, isValidTimeZone, offsetAt } from '../policy/windows.ts';

/** How far ahead a deployment may be scheduled: beyond this the approvals and the plan are likely stale. */
export const MAX_SCHEDULE_AHEAD_MS = 30 * 86_400_000;
export const MAX_SCHEDULE_AHEAD_TEXT = '30 days';

/** A local date and time as written, already syntactically checked (see parseLocalTime). */
export interface LocalTime {
  /** `YYYY-MM-DD`. */
  date: string;
  /** `HH:MM`. */
  time: string;
  /** The IANA zone written after the time; undefined: the environment's (its `approvals.timezone`, or UTC). */
  zone?: string;
}

/** What is wrong with the time as written, whatever the clock says. */
export type LocalTimeProblemCode =
  'schedule_time_malformed' | 'schedule_zone_unknown' | 'schedule_time_nonexistent';

export type TimeProblemCode = LocalTimeProblemCode | 'schedule_time_past' | 'schedule_time_too_far';

export interface TimeProblem<C extends TimeProblemCode = TimeProblemCode> {
  ok: false;
  code: C;
  message: string;
}

/**
 * `zone`: the zone's canonical name (`europe/paris` → `Europe/Paris`). `repeated`: the wall time is shown
 * twice that day (the clocks go back); `at` is the first occurrence, this the second, which the reply names.
 */
export type TimeResult<C extends TimeProblemCode = TimeProblemCode> =
  { ok: true; at: Date; zone: string; repeated?: Date } | TimeProblem<C>;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;
// An IANA name: `UTC`, `Europe/Berlin`, `America/Argentina/Buenos_Aires`, `Etc/GMT+5`. No offsets (`+01:00`)
// and nothing Intl would read but a person would not mean as a zone.
const ZONE = /^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9][A-Za-z0-9_+-]*){0,2}$/;
const MAX_ZONE_LENGTH = 64;

const fail = <C extends TimeProblemCode>(code: C, message: string): TimeProblem<C> => ({
  ok: false,
  code,
  message,
});

/** Checks the form of a local date, time and optional zone: a real calendar date, a 24-hour time, a known zone. */
export function checkLocalTime(local: LocalTime): { ok: true } | TimeProblem<LocalTimeProblemCode> {
  const d = DATE.exec(local.date);
  if (!d)
    return fail('schedule_time_malformed', 'the date must be written YYYY-MM-DD (for example 2026-12-01)');
  const [year, month, day] = [Number(d[1]), Number(d[2]), Number(d[3])];
  const check = new Date(Date.UTC(year, month - 1, day));
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day)
    return fail('schedule_time_malformed', `${local.date} is not a date in the calendar`);
  if (!TIME.test(local.time))
    return fail(
      'schedule_time_malformed',
      'the time must be written HH:MM on a 24-hour clock (for example 10:00 or 16:30)',
    );
  if (local.zone !== undefined && !isZone(local.zone))
    return fail(
      'schedule_zone_unknown',
      `the time zone ${local.zone} is not an IANA time zone name the platform knows (for example Europe/Berlin, America/New_York or UTC; not an offset such as +01:00 nor an abbreviation such as EST)`,
    );
  return { ok: true };
}

/** True for an IANA zone name the platform knows. */
export function isZone(zone: string): boolean {
  return zone.length <= MAX_ZONE_LENGTH && ZONE.test(zone) && isValidTimeZone(zone);
}

/**
 * The instant `local` names in `zone` (the written zone wins over `defaultZone`), or why there is none: a
 * wall time skipped by a daylight-saving change (`schedule_time_nonexistent`). One shown twice (the clocks go
 * back) is its first occurrence, the second in `repeated`.
 */
export function localToInstant(local: LocalTime, defaultZone: string): TimeResult<LocalTimeProblemCode> {
  const form = checkLocalTime(local);
  if (!form.ok) return form;
  const written = local.zone ?? defaultZone;
  if (!isValidTimeZone(written))
    return fail('schedule_zone_unknown', `the time zone ${written} is not known`);
  const zone = canonicalTimeZone(written)!;
  const [year, month, day] = local.date.split('-').map(Number) as [number, number, number];
  const [hour, minute] = local.time.split(':').map(Number) as [number, number];
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  // Every offset the zone has within a day either side; a wall time maps to `wall - offset` for each one
  // that reads back as the same wall time. None: a gap. Two: a repeated hour.
  const offsets = new Set([offsetAt(wall - 86_400_000, zone), offsetAt(wall + 86_400_000, zone)]);
  const instants = [...offsets]
    .map((offset) => wall - offset)
    .filter((instant) => instant + offsetAt(instant, zone) === wall)
    .sort((a, b) => a - b);
  const shown = `${local.date} ${local.time} in ${zone}`;
  if (instants.length === 0)
    return fail(
      'schedule_time_nonexistent',
      `${shown} does not exist: the clocks skip it when daylight-saving time begins; pick a time outside the skipped hour`,
    );
  return {
    ok: true,
    at: new Date(instants[0]!),
    zone,
    ...(instants.length > 1 ? { repeated: new Date(instants[1]!) } : {}),
  };
}

/** What to say of a wall time shown twice: which occurrence was taken, and how to ask for the other. */
export function repeatedNote(local: LocalTime, at: Date, repeated: Date, zone: string): string {
  const [date, time] = [repeated.toISOString().slice(0, 10), repeated.toISOString().slice(11, 16)];
  return `${local.date} ${local.time} happens twice in ${zone} (the clocks go back that night): the first, ${at.toISOString()}, is taken; for the second write ${date} ${time} UTC`;
}

/** `localToInstant`, and the instant must be in the future and at most MAX_SCHEDULE_AHEAD_MS ahead of `now`. */
export function scheduleInstant(local: LocalTime, defaultZone: string, now: Date): TimeResult {
  const resolved = localToInstant(local, defaultZone);
  if (!resolved.ok) return resolved;
  const ahead = resolved.at.getTime() - now.getTime();
  if (ahead <= 0)
    return fail(
      'schedule_time_past',
      `${local.date} ${local.time} in ${resolved.zone} (${resolved.at.toISOString()}) is not in the future (now: ${now.toISOString()})`,
    );
  if (ahead > MAX_SCHEDULE_AHEAD_MS)
    return fail(
      'schedule_time_too_far',
      `${local.date} ${local.time} in ${resolved.zone} is more than ${MAX_SCHEDULE_AHEAD_TEXT} ahead; schedule it closer to the day`,
    );
  return resolved;
}
