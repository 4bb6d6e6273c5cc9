// An ISO 8601 instant as the CLI takes it (`run --at`, `reconcile --at`): a calendar date, a 24-hour time and
// an explicit offset (`Z`, `+14:00`, `-12:00`). Date alone would read `2027-02-30` as 2 March, `T24:00` as the
// next midnight and a time without an offset in whatever zone the machine is in: each of those is refused
// here, so one written time means one instant on every machine. Pure, and imports nothing (main.ts parses
// `reconcile --at` with it before any command loads).

const ISO_WITH_OFFSET =
  /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d)(?:\.\d{1,9})?)?(Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;

/** The instant `text` names, or undefined when it is not a real ISO 8601 time with an offset. */
export function parseIsoInstant(text: string): Date | undefined {
  const m = ISO_WITH_OFFSET.exec(text);
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const calendar = new Date(0);
  calendar.setUTCFullYear(year, month - 1, day);
  // The date must read back as written: 30 February or 31 April roll over into the next month.
  if (
    calendar.getUTCFullYear() !== year ||
    calendar.getUTCMonth() !== month - 1 ||
    calendar.getUTCDate() !== day
  )
    return undefined;
  const at = new Date(text);
  return Number.isNaN(at.getTime()) ? undefined : at;
}
