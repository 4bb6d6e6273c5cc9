// An ISO 8601 instant as the CLI takes it (`run --at`, `reconcile --at`): a calendar date, a 24-hour time and
// an explicit offset (`Z`, `+14:00`, `-12:00`, `+0000`). Date alone would read `2027-02-30` as 2 March,
// `T24:00` as the next midnight and a time without an offset in whatever zone the machine is in: each of
// those is refused here, so one written time means one instant on every machine. The instant is computed
// from the parts, not by Date's own parser. Pure, and imports nothing (main.ts parses
// `reconcile --at` with it before any command loads).

// RFC 3339 (`T` or `t`, or a space, between date and time; `Z`, `z` or `+HH:MM`) and the ISO 8601 offsets
// without a colon or minutes (`+0000`, `+01`) that `date +%z`, git and strftime write. `-00:00` is UTC.
const ISO_WITH_OFFSET =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ]([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d)(?:\.(\d{1,9}))?)?([Zz]|([+-])([01]\d|2[0-3])(?::?([0-5]\d))?)$/;

/** The instant `text` names, or undefined when it is not a real ISO 8601 time with an offset. */
export function parseIsoInstant(text: string): Date | undefined {
  const m = ISO_WITH_OFFSET.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute] = [1, 2, 3, 4, 5].map((i) => Number(m[i]));
  const second = Number(m[6] ?? 0);
  const ms = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3));
  const calendar = new Date(0);
  calendar.setUTCFullYear(year!, month! - 1, day);
  // The date must read back as written: 30 February or 31 April roll over into the next month.
  if (
    calendar.getUTCFullYear() !== year ||
    calendar.getUTCMonth() !== month! - 1 ||
    calendar.getUTCDate() !== day
  )
    return undefined;
  const offsetMinutes = m[9] ? (m[9] === '-' ? -1 : 1) * (Number(m[10]) * 60 + Number(m[11] ?? 0)) : 0;
  calendar.setUTCHours(hour!, minute! - offsetMinutes, second, ms);
  return Number.isNaN(calendar.getTime()) ? undefined : calendar;
}
