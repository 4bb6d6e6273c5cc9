// Deploy windows and freezes in a time zone. Pure: the caller passes `now`. Wall-clock arithmetic goes
// through Intl.DateTimeFormat (the platform's tz database), so daylight-saving changes are handled the way
// the zone actually behaves: a window opening at a wall time that does not exist that day (spring forward)
// opens at the first instant after the gap, and a repeated wall time (fall back) means its first occurrence.

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** A weekly window: on these local days, from `start` (inclusive) to `end` (exclusive), minutes of the day. */
export interface DeployWindow {
  days: readonly Weekday[];
  /** Minutes after local midnight, 0..1439. */
  startMinute: number;
  /** Minutes after local midnight, 1..1440 (1440 = the end of the day). Always after startMinute. */
  endMinute: number;
}

export interface Freeze {
  from: Date;
  to: Date;
  reason: string;
}

const DAY_MS = 86_400_000;

/** Wall-clock parts of an instant in a time zone. */
export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: Weekday;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
/** Zones are resolved to their canonical names (resolve.ts); the bound only guards other callers. */
const MAX_FORMATTERS = 1000;

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    if (formatters.size >= MAX_FORMATTERS) formatters.clear();
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      weekday: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/**
 * True when the platform knows this IANA time zone name (its links too: "UTC", "GMT", "US/Pacific"). Not a
 * UTC offset, which Intl takes as a zone ("+01:00", "-05", "+0100"): the config and /deploy's `at` ask for a
 * zone's name, whose clock follows daylight-saving time as the people in it do, and an offset never does. Nor
 * an abbreviation Intl reads as some place's zone (abbreviatedZone).
 */
export function isValidTimeZone(timeZone: string): boolean {
  const canonical = canonicalTimeZone(timeZone);
  return canonical !== undefined && !isUtcOffset(canonical) && abbreviatedZone(timeZone) === undefined;
}

/**
 * Abbreviations Intl takes as zones. ICU keeps three-letter ids from Java that the tz database never had, each
 * read as one place's zone, often not the one people mean by it: "BST" (British Summer Time) is Asia/Dhaka,
 * "IST" (Irish, Israel) Asia/Kolkata, "AST" (Atlantic) America/Anchorage, "NST" (Newfoundland) Pacific/Auckland,
 * "ECT" (Ecuador) Europe/Paris, "ART" (Argentina) Africa/Cairo. EST, MST and HST are the tz database's own, as
 * fixed offsets all year (America/Panama, America/Phoenix, Pacific/Honolulu), while most who write "EST" or
 * "MST" live by New York's or Denver's clock, which changes for daylight saving. Like an offset, each is
 * refused, naming what ICU would have read.
 */
const ABBREVIATED_ZONES: ReadonlySet<string> = new Set([
  ...['ACT', 'AET', 'AGT', 'ART', 'AST', 'BET', 'BST', 'CAT', 'CNT', 'CST', 'CTT', 'EAT', 'ECT'],
  ...['IET', 'IST', 'JST', 'MIT', 'NET', 'NST', 'PLT', 'PNT', 'PRT', 'PST', 'SST', 'VST'],
  ...['EST', 'MST', 'HST'],
]);

/** The zone Intl would read one of these abbreviations as (any case); undefined for any other name. */
export function abbreviatedZone(timeZone: string): string | undefined {
  if (!ABBREVIATED_ZONES.has(timeZone.toUpperCase())) return undefined;
  return canonicalTimeZone(timeZone);
}

/** Intl's canonical form of an offset zone is `+HH:MM` / `-HH:MM`; every zone name starts with a letter. */
export const isUtcOffset = (timeZone: string): boolean => /^[+\-\u2212]/.test(timeZone);

/**
 * The zone's canonical name ("europe/berlin" → "Europe/Berlin"), undefined when the platform does not know
 * it. The App resolves the policy at every event, and building a formatter to ask costs about a
 * millisecond, so answers are kept: names only (no formatter per spelling), at most CANONICAL_KEPT of them.
 */
export function canonicalTimeZone(timeZone: string): string | undefined {
  const kept = canonicalNames.get(timeZone);
  if (kept !== undefined) return kept ?? undefined;
  let canonical: string | null;
  try {
    canonical = new Intl.DateTimeFormat('en-US', { timeZone }).resolvedOptions().timeZone;
    canonical = CURRENT_NAMES[canonical] ?? canonical;
  } catch {
    canonical = null;
  }
  if (canonicalNames.size >= CANONICAL_KEPT) canonicalNames.clear();
  canonicalNames.set(timeZone, canonical);
  return canonical ?? undefined;
}

/**
 * ICU (CLDR) keeps the old spelling of a renamed zone as its canonical id, so Intl answers "Asia/Calcutta"
 * for "Asia/Kolkata" and "Europe/Kiev" for "Europe/Kyiv": a reply would name a zone the person did not write,
 * by a name the tz database replaced. These are the same places under IANA's current names (CLDR's `iana`
 * attribute); Intl takes both spellings.
 */
export const CURRENT_NAMES: Readonly<Record<string, string>> = {
  'Africa/Asmera': 'Africa/Asmara',
  'America/Buenos_Aires': 'America/Argentina/Buenos_Aires',
  'America/Catamarca': 'America/Argentina/Catamarca',
  'America/Coral_Harbour': 'America/Atikokan',
  'America/Cordoba': 'America/Argentina/Cordoba',
  'America/Godthab': 'America/Nuuk',
  'America/Indianapolis': 'America/Indiana/Indianapolis',
  'America/Jujuy': 'America/Argentina/Jujuy',
  'America/Louisville': 'America/Kentucky/Louisville',
  'America/Mendoza': 'America/Argentina/Mendoza',
  'Asia/Calcutta': 'Asia/Kolkata',
  'Asia/Katmandu': 'Asia/Kathmandu',
  'Asia/Rangoon': 'Asia/Yangon',
  'Asia/Saigon': 'Asia/Ho_Chi_Minh',
  'Atlantic/Faeroe': 'Atlantic/Faroe',
  'Europe/Kiev': 'Europe/Kyiv',
  'Pacific/Enderbury': 'Pacific/Kanton',
  'Pacific/Ponape': 'Pacific/Pohnpei',
  'Pacific/Truk': 'Pacific/Chuuk',
};

const CANONICAL_KEPT = 1000;
const canonicalNames = new Map<string, string | null>();

export function wallClock(instant: Date | number, timeZone: string): WallClock {
  const parts: Record<string, string> = {};
  for (const part of formatterFor(timeZone).formatToParts(instant)) parts[part.type] = part.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
    weekday: (parts.weekday ?? '').toLowerCase().slice(0, 3) as Weekday,
  };
}

/** The wall clock read as if it were UTC, in milliseconds: the basis of offset arithmetic. */
function wallAsUtc(instant: number, timeZone: string): number {
  const wall = wallClock(instant, timeZone);
  const wholeSeconds = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  return wholeSeconds + (((instant % 1000) + 1000) % 1000);
}

/** The zone's offset from UTC at an instant, in milliseconds (positive east of Greenwich). */
export function offsetAt(instant: number, timeZone: string): number {
  return wallAsUtc(instant, timeZone) - instant;
}

/**
 * The first instant at which a zone's clocks show this wall time (month 1-12) or a later one. A wall time
 * shown twice (fall back) resolves to its first occurrence; one skipped by a spring-forward change resolves
 * to the instant the clocks jump, the first moment at or after it, which is when a window starting then opens.
 */
export function zonedTimeToInstant(
  wall: { year: number; month: number; day: number; hour: number; minute: number; second?: number },
  timeZone: string,
): number {
  const target = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second ?? 0);
  // Offsets a day either side bracket any single transition near this wall time.
  const before = offsetAt(target - DAY_MS, timeZone);
  const after = offsetAt(target + DAY_MS, timeZone);
  const matches = [...new Set([before, after])]
    .map((offset) => target - offset)
    .filter((instant) => wallAsUtc(instant, timeZone) === target)
    .sort((a, b) => a - b);
  if (matches[0] !== undefined) return matches[0];
  // In a gap: search (to the second) for the jump between the two candidate instants.
  let low = Math.min(target - before, target - after);
  let high = Math.max(target - before, target - after);
  while (high - low > 1000) {
    const middle = low + Math.max(1000, Math.floor((high - low) / 2000) * 1000);
    if (wallAsUtc(middle, timeZone) >= target) high = middle;
    else low = middle;
  }
  return high;
}

function minuteOfDay(wall: WallClock): number {
  return wall.hour * 60 + wall.minute;
}

/** True when `now` is inside one of the windows (no windows at all means always open). */
export function isWithinWindows(now: Date, windows: readonly DeployWindow[], timeZone: string): boolean {
  if (windows.length === 0) return true;
  const wall = wallClock(now, timeZone);
  const minute = minuteOfDay(wall);
  return windows.some(
    (window) =>
      window.days.includes(wall.weekday) && window.startMinute <= minute && minute < window.endMinute,
  );
}

/**
 * The first instant strictly after `now` at which a window opens, or undefined when there are no windows.
 * A window whose whole span falls in a DST gap that day does not open that day.
 */
export function nextWindowOpening(
  now: Date,
  windows: readonly DeployWindow[],
  timeZone: string,
): Date | undefined {
  if (windows.length === 0) return undefined;
  const today = wallClock(now, timeZone);
  let best: number | undefined;
  // Eight local days cover a weekly window that opened earlier today (it opens again in seven days); a
  // window lost to a DST gap that day opens the week after, hence two weeks.
  for (let offset = 0; offset <= 14; offset += 1) {
    const date = new Date(Date.UTC(today.year, today.month - 1, today.day + offset));
    const weekday = WEEKDAYS[(date.getUTCDay() + 6) % 7]!;
    for (const window of windows) {
      if (!window.days.includes(weekday)) continue;
      const opening = zonedTimeToInstant(
        {
          year: date.getUTCFullYear(),
          month: date.getUTCMonth() + 1,
          day: date.getUTCDate(),
          hour: Math.floor(window.startMinute / 60),
          minute: window.startMinute % 60,
        },
        timeZone,
      );
      if (opening <= now.getTime()) continue;
      const shown = wallClock(opening, timeZone);
      if (shown.weekday !== weekday || minuteOfDay(shown) >= window.endMinute) continue;
      if (best === undefined || opening < best) best = opening;
    }
    if (best !== undefined) return new Date(best);
  }
  return best === undefined ? undefined : new Date(best);
}

/** The freeze in force at `now` (the one lasting longest when several overlap), if any. */
export function activeFreeze(now: Date, freezes: readonly Freeze[]): Freeze | undefined {
  const time = now.getTime();
  return freezes
    .filter((freeze) => freeze.from.getTime() <= time && time < freeze.to.getTime())
    .sort((a, b) => b.to.getTime() - a.to.getTime())[0];
}

/**
 * The first instant at or after `from` when a deployment is allowed: inside a window and not frozen.
 * Undefined when none is found within a year (for example a freeze covering every window).
 */
export function nextDeployableInstant(
  from: Date,
  windows: readonly DeployWindow[],
  timeZone: string,
  freezes: readonly Freeze[],
): Date | undefined {
  const horizon = from.getTime() + 366 * DAY_MS;
  let cursor: Date | undefined = from;
  // Each round either returns or moves past a freeze or to a later window; bounded either way.
  for (let round = 0; round < 1000 && cursor && cursor.getTime() <= horizon; round += 1) {
    const open: Date | undefined = isWithinWindows(cursor, windows, timeZone)
      ? cursor
      : nextWindowOpening(cursor, windows, timeZone);
    if (!open || open.getTime() > horizon) return undefined;
    const freeze = activeFreeze(open, freezes);
    if (!freeze) return open;
    cursor = freeze.to;
  }
  return undefined;
}

/** "10:00" → 600; "24:00" → 1440 (only meaningful as an end). Undefined when malformed. */
export function parseClockTime(text: string): number | undefined {
  const match = /^([01]\d|2[0-4]):([0-5]\d)$/.exec(text);
  if (!match) return undefined;
  const minutes = Number(match[1]) * 60 + Number(match[2]);
  return minutes <= 1440 ? minutes : undefined;
}

export function formatClockTime(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/**
 * The wall clock of `instant` in `timeZone`, said after its UTC time where the zone is not UTC: "Mon 2026-12-07
 * 09:00 Europe/Paris"; undefined in UTC. Windows are written in the zone, so a refusal's next opening reads
 * best in it too.
 */
export function wallClockText(instant: Date, timeZone: string): string | undefined {
  if (/^(?:UTC|Etc\/UTC|Etc\/GMT|GMT)$/i.test(timeZone)) return undefined;
  const w = wallClock(instant, timeZone);
  const day = w.weekday.charAt(0).toUpperCase() + w.weekday.slice(1);
  const date = `${w.year}-${String(w.month).padStart(2, '0')}-${String(w.day).padStart(2, '0')}`;
  return `${day} ${date} ${formatClockTime(w.hour * 60 + w.minute)} ${timeZone}`;
}

/** " (Mon 2026-12-07 09:00 Europe/Paris)" after a UTC time in plain text (a CLI line); "" in UTC. */
export function inZoneSuffix(instant: Date, timeZone: string): string {
  const local = wallClockText(instant, timeZone);
  return local ? ` (${local})` : '';
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?(Z|[+-]\d{2}:\d{2})?$/;

/**
 * An ISO 8601 date-time such as "2025-12-24T18:00:00Z", "2025-12-24T18:00+01:00", or a wall time without an
 * offset ("2025-12-24T18:00"), which is read in `timeZone`. Undefined when malformed or not a real date.
 */
export function parseDateTime(text: string, timeZone: string): Date | undefined {
  const match = DATE_TIME.exec(text);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map((part) => Number(part ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const check = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  const real =
    check.getUTCFullYear() === year &&
    check.getUTCMonth() === month - 1 &&
    check.getUTCDate() === day &&
    check.getUTCHours() === hour &&
    check.getUTCMinutes() === minute;
  if (!real) return undefined;
  const zone = match[7];
  if (zone === undefined)
    return new Date(zonedTimeToInstant({ year, month, day, hour, minute, second }, timeZone));
  if (zone === 'Z') return check;
  const sign = zone.startsWith('-') ? -1 : 1;
  const [offsetHours, offsetMins] = [Number(zone.slice(1, 3)), Number(zone.slice(4, 6))];
  // An offset is a time of day (RFC 3339: hours 00-23, minutes 00-59): "+25:00" or "+01:75" is a typo, not
  // an instant to freeze from.
  if (offsetHours > 23 || offsetMins > 59) return undefined;
  const offsetMinutes = offsetHours * 60 + offsetMins;
  return new Date(check.getTime() - sign * offsetMinutes * 60_000);
}
